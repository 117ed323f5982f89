/*
 * runtime.c - per-core workers, node scheduling, timers and statistics.
 *
 * Workers (struct ng_worker, one pthread each):
 *   - Two intrusive Vyukov MPSC queues (mpsc.h): `items` (data items
 *     submitted for a hook, timer calls) and `nodes` (nodes whose DRAIN right
 *     was handed over by kick() through ng_runtime_schedule(); the link is
 *     node->rt_link, usable once at a time because DRAIN is exclusive).
 *     Any thread pushes with one atomic exchange; only the owner pops.
 *   - `npush` (incremented by producers before the push) and `npop`
 *     (owner-written after running an entry) tell the owner and the stopper
 *     whether work is outstanding without touching the queue internals.
 *   - The worker runs up to `batch` entries inside one read-side section,
 *     then reports a quiescent state (ck: end+begin, qsbr:
 *     quiescent_state) and every 16 batches polls the backend so deferred
 *     frees make progress.  After `spin` empty polls it leaves its section
 *     (qsbr: goes offline) and sleeps.
 *   - Sleep/wake (Dekker-style, lock-free fast path): the worker stores
 *     sleeping = 1 and re-checks npush; a producer increments npush, pushes,
 *     loads sleeping and, only if it is 1, exchanges it to 0 and futex-wakes
 *     (all four accesses seq_cst).  One
 *     of the two always sees the other, so no wake-up is lost and producers
 *     pay no syscall while the worker is awake.  `gen` counts exits from the
 *     sleeping state (used by ng_runtime_stop's quiescence detection).
 * Timers: a binary min-heap per runtime protected by `tlock` (timers are a
 * control path), run by one timer thread that sleeps on a condvar until the
 * earliest deadline.  Firing turns the timer into an NG_IK_FN item pushed on
 * a worker, which dispatches it to the node as a writer (ng_dispatch_item),
 * exactly like ng_send_fn().  The armed timer's node reference travels with
 * the item.  Lock order: ctl_lock -> tlock.
 */
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static _Thread_local struct ng_worker *ng_self;
static _Thread_local unsigned ng_rr_tls;

/* sched_yield() rounds an idle worker makes after its spin before sleeping. */
#define NG_YIELDS_BEFORE_SLEEP 16u

struct ng_worker {
    struct mpsc_queue items;
    struct mpsc_queue nodes;
    _Atomic uint64_t npush CK_CC_CACHELINE; /* producers */
    _Atomic uint32_t sleeping CK_CC_CACHELINE; /* futex word: 1 = asleep */
    _Atomic uint64_t gen;                   /* owner: exits from sleep */
    /* Owner-written counters (single writer), read by anyone. */
    ng_counter_t npop, items_run, drains, batches, idle_ns, wakeups;
    struct ng_runtime *rt;
    unsigned idx;
    int cpu;
    _Atomic int pinned;
    _Atomic int state; /* 0 starting, 1 ready, -errno failed */
    bool started;
    pthread_t tid;
    uint64_t qgen[2]; /* ng_runtime_stop() only */
    /* Owner only: a run of hook references to drop (worker_unref). */
    struct ng_hook *unref_hook;
    int unref_n;
};

struct ng_runtime {
    struct ng_graph *g;
    struct ng_worker *w;
    unsigned nworkers, batch, spin;
    int pin;
    _Atomic int stopping;
    _Atomic int exit;
    /* Timers (tlock). */
    pthread_mutex_t tlock;
    pthread_cond_t tcond;
    pthread_t tthread;
    bool tstarted, tstop;
    struct ng_timer **heap;
    size_t nheap, capheap;
    uint64_t tseq;
    _Atomic unsigned trr;
};

#define RT_ATOMIC(p) ((_Atomic(struct ng_runtime *) *)(void *)(p))

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static void futex_wait(_Atomic uint32_t *a, uint32_t v)
{
    syscall(SYS_futex, (void *)a, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *a)
{
    syscall(SYS_futex, (void *)a, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

struct ng_runtime *ng_graph_runtime(struct ng_graph *g)
{
    return g ? atomic_load_explicit(RT_ATOMIC(&g->runtime), memory_order_acquire) : NULL;
}

/* ------------------------------------------------------------------------ */
/* Worker queues                                                            */
/* ------------------------------------------------------------------------ */

static void worker_wake(struct ng_worker *w)
{
    /* Dekker with worker_sleep(): our seq_cst npush increment (or exit
     * store) and this seq_cst load against the worker's seq_cst store of
     * sleeping and load of npush: in the single total order of seq_cst
     * operations one side sees the other, so no wake-up is lost.  (No
     * fences: ThreadSanitizer does not model them.) */
    if (atomic_load_explicit(&w->sleeping, memory_order_seq_cst) &&
        atomic_exchange_explicit(&w->sleeping, 0, memory_order_seq_cst))
        futex_wake(&w->sleeping);
}

/* Queue n items, linked first..last, on w's item queue (one exchange, at
 * most one wake-up). */
static void worker_push_items(struct ng_worker *w, struct ng_item *first, struct ng_item *last,
                              unsigned n)
{
    atomic_fetch_add_explicit(&w->npush, n, memory_order_seq_cst);
    mpsc_push_chain(&w->items, &first->qnode, &last->qnode);
    if (w != ng_self)
        worker_wake(w);
}

static struct ng_worker *pick_worker(struct ng_runtime *rt, int worker)
{
    if (worker >= 0)
        return &rt->w[(unsigned)worker % rt->nworkers];
    if (ng_self && ng_self->rt == rt)
        return ng_self;
    if (ng_rr_tls == 0) /* per-thread start point: no shared counter */
        ng_rr_tls = (unsigned)(((uintptr_t)&ng_rr_tls >> 6) * 2654435761u) | 1u;
    return &rt->w[ng_rr_tls++ % rt->nworkers];
}

bool ng_runtime_schedule(struct ng_graph *g, struct ng_node *node)
{
    struct ng_runtime *rt = ng_graph_runtime(g);
    if (!rt)
        return false;
    /* Locality: a worker keeps the nodes it kicks. */
    struct ng_worker *w = pick_worker(rt, -1);
    atomic_fetch_add_explicit(&w->npush, 1, memory_order_seq_cst);
    mpsc_push(&w->nodes, &node->rt_link);
    if (w != ng_self)
        worker_wake(w);
    return true;
}

int ng_runtime_submit(struct ng_runtime *rt, int worker, struct ng_hook *hook, struct ng_item *it)
{
    if (!it)
        return -EINVAL;
    return ng_runtime_submit_burst(rt, worker, hook, &it, 1);
}

#define NG_SUBMIT_BURST_MAX 65536u

int ng_runtime_submit_burst(struct ng_runtime *rt, int worker, struct ng_hook *hook,
                            struct ng_item **items, unsigned n)
{
    if (!items || n == 0)
        return -EINVAL;
    bool bad = !rt || !hook || hook->node->g != rt->g || n > NG_SUBMIT_BURST_MAX;
    for (unsigned i = 0; i < n && !bad; i++)
        bad = !items[i] || items[i]->kind != NG_IK_DATA;
    if (bad) {
        for (unsigned i = 0; i < n; i++)
            ng_item_free(items[i]); /* NULL is ignored */
        return -EINVAL;
    }
    if (atomic_load_explicit(&rt->stopping, memory_order_acquire)) {
        for (unsigned i = 0; i < n; i++)
            ng_item_drop(items[i], NG_DROP_QUEUE);
        return -ESHUTDOWN;
    }
    /* One reference per queued item, taken at once; the worker drops them
     * in runs (worker_unref). */
    ng_hook_ref_n(hook, (int)n);
    for (unsigned i = 0; i < n; i++) {
        items[i]->dhook = hook;
        items[i]->dnode = NULL;
        if (i + 1 < n)
            atomic_store_explicit(&items[i]->qnode.next, &items[i + 1]->qnode,
                                  memory_order_relaxed);
    }
    worker_push_items(pick_worker(rt, worker), items[0], items[n - 1], n);
    return 0;
}

/* Hook references of run items are dropped in runs: consecutive items of
 * one hook (a burst) cost one atomic subtraction instead of one each.
 * Worker-private; flushed at the end of every batch. */
static void worker_unref_flush(struct ng_worker *w)
{
    if (w->unref_hook) {
        ng_hook_unref_n(w->unref_hook, w->unref_n);
        w->unref_hook = NULL;
        w->unref_n = 0;
    }
}

static void worker_unref(struct ng_worker *w, struct ng_hook *h)
{
    if (h != w->unref_hook) {
        worker_unref_flush(w);
        w->unref_hook = h;
    }
    w->unref_n++;
}

/* Run one entry; false if both queues are empty. */
static bool worker_run_one(struct ng_worker *w, struct ng_thread *t, bool nodes_first)
{
    struct mpsc_queue *q1 = nodes_first ? &w->nodes : &w->items;
    struct mpsc_queue *q2 = nodes_first ? &w->items : &w->nodes;
    struct mpsc_queue *q = q1;
    struct mpsc_node *qn = mpsc_pop_wait(q1);
    if (!qn) {
        q = q2;
        qn = mpsc_pop_wait(q2);
    }
    if (!qn)
        return false;
    if (q == &w->nodes) {
        struct ng_node *n =
            (struct ng_node *)(void *)((char *)qn - offsetof(struct ng_node, rt_link));
        ng_node_drain(t, n); /* drops kick()'s node reference */
        ng_counter_add(&w->drains, 1);
    } else {
        struct ng_item *it = (struct ng_item *)(void *)((char *)qn - offsetof(struct ng_item, qnode));
        struct ng_node *n = it->dnode;
        struct ng_hook *h = it->dhook;
        it->dnode = NULL;
        it->dhook = NULL;
        if (it->kind == NG_IK_DATA) {
            (void)ng_send_data(h, it);
            worker_unref(w, h);
        } else {
            (void)ng_dispatch_item(t, n, h, it, (it->flags & NG_IF_WRITER) != 0);
            ng_node_unref(n);
            if (h)
                ng_hook_unref(h);
        }
    }
    ng_counter_add(&w->items_run, 1);
    atomic_store_explicit(&w->npop, ng_counter_get(&w->npop) + 1, memory_order_release);
    return true;
}

/* Go to sleep unless work arrived; false if the runtime is exiting. */
static bool worker_sleep(struct ng_worker *w)
{
    struct ng_runtime *rt = w->rt;
    atomic_store_explicit(&w->sleeping, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&w->npush, memory_order_seq_cst) != ng_counter_get(&w->npop)) {
        atomic_fetch_add_explicit(&w->gen, 1, memory_order_seq_cst);
        atomic_store_explicit(&w->sleeping, 0, memory_order_seq_cst);
        return true;
    }
    if (atomic_load_explicit(&rt->exit, memory_order_seq_cst))
        return false;
    uint64_t t0 = mono_ns();
    while (atomic_load_explicit(&w->sleeping, memory_order_acquire) == 1)
        futex_wait(&w->sleeping, 1);
    atomic_fetch_add_explicit(&w->gen, 1, memory_order_seq_cst);
    ng_counter_add(&w->idle_ns, mono_ns() - t0);
    ng_counter_add(&w->wakeups, 1);
    return true;
}

static void *worker_main(void *arg)
{
    struct ng_worker *w = arg;
    struct ng_runtime *rt = w->rt;
    struct ng_graph *g = rt->g;
    const struct ng_backend_ops *b = g->bops;

    if (rt->pin) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(w->cpu, &set);
        int e = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
        atomic_store(&w->pinned, e ? -e : w->cpu);
    } else {
        atomic_store(&w->pinned, -ENOTSUP);
    }
    ng_self = w;
    /* The statistics slot is claimed by ng_thread_get() (graph.c). */
    struct ng_thread *t = ng_enter(g);
    if (!t) {
        atomic_store(&w->state, -ENOMEM);
        return NULL;
    }
    t->worker = w;
    t->external = false;
    atomic_store(&w->state, 1);

    unsigned idle = 0, nb = 0;
    bool flip = false;
    for (;;) {
        unsigned n = 0;
        while (n < rt->batch && worker_run_one(w, t, flip))
            n++;
        flip = !flip;
        worker_unref_flush(w);
        if (n) {
            ng_counter_add(&w->batches, 1);
            b->quiescent(t->bt);
            if ((++nb & 15) == 0)
                b->poll(g->backend);
            idle = 0;
            continue;
        }
        if (++idle < rt->spin) {
            b->quiescent(t->bt);
            cpu_relax();
            continue;
        }
        /* Before sleeping, give the CPU away a few times: a producer that
         * shares our CPU then runs and refills the queue, instead of paying
         * a futex wake per few items that preempts it again (measured: 2
         * workers + producer on 2 CPUs fell to ~0.5x of one worker). */
        if (idle < rt->spin + NG_YIELDS_BEFORE_SLEEP) {
            b->quiescent(t->bt);
            sched_yield();
            continue;
        }
        idle = 0;
        /* Idle: leave the section (qsbr: offline) so grace periods never
         * wait for us, let deferred frees run, then sleep. */
        ng_exit(t);
        b->poll(g->backend);
        bool more = worker_sleep(w);
        t = ng_enter(g);
        if (!more)
            break;
    }
    ng_exit(t);
    t->worker = NULL;
    ng_thread_unregister(g);
    ng_self = NULL;
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Start / stop                                                             */
/* ------------------------------------------------------------------------ */

void ng_runtime_config_init(struct ng_runtime_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->pin = 1;
    cfg->batch = 64;
    cfg->spin = 64;
}

static void *timer_main(void *arg);

static void timers_cancel_all(struct ng_runtime *rt);

/* One look at every worker: asleep with nothing queued?  Records gen. */
static bool workers_quiet(struct ng_runtime *rt, int pass)
{
    for (unsigned i = 0; i < rt->nworkers; i++) {
        struct ng_worker *w = &rt->w[i];
        w->qgen[pass] = atomic_load_explicit(&w->gen, memory_order_seq_cst);
        if (!atomic_load_explicit(&w->sleeping, memory_order_seq_cst) ||
            atomic_load_explicit(&w->npush, memory_order_seq_cst) !=
                atomic_load_explicit(&w->npop, memory_order_seq_cst))
            return false;
    }
    return true;
}

/* Wait until every worker is asleep with nothing queued, twice in a row with
 * no wake-up in between.  Only workers can produce work now (the timer
 * thread is gone and the caller guarantees no application thread runs), and
 * a worker that pushed to another was itself awake after the first look. */
static void quiesce(struct ng_runtime *rt)
{
    for (;;) {
        if (workers_quiet(rt, 0) && workers_quiet(rt, 1)) {
            bool same = true;
            for (unsigned i = 0; i < rt->nworkers; i++)
                same = same && rt->w[i].qgen[0] == rt->w[i].qgen[1];
            if (same)
                return;
        }
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
}

static void runtime_free(struct ng_runtime *rt)
{
    pthread_mutex_destroy(&rt->tlock);
    pthread_cond_destroy(&rt->tcond);
    free(rt->heap);
    free(rt->w);
    free(rt);
}

static void runtime_join(struct ng_runtime *rt)
{
    atomic_store_explicit(&rt->exit, 1, memory_order_seq_cst);
    for (unsigned i = 0; i < rt->nworkers; i++) {
        struct ng_worker *w = &rt->w[i];
        if (!w->started)
            continue;
        worker_wake(w);
        pthread_join(w->tid, NULL);
    }
}

int ng_runtime_start(struct ng_graph *g, const struct ng_runtime_config *ucfg,
                     struct ng_runtime **rtp)
{
    if (!g || !rtp)
        return -EINVAL;
    *rtp = NULL;
    struct ng_runtime_config cfg;
    ng_runtime_config_init(&cfg);
    if (ucfg) {
        cfg = *ucfg;
        if (!cfg.batch)
            cfg.batch = 64;
        if (!cfg.spin)
            cfg.spin = 64;
    }
    if (cfg.cpus && !cfg.ncpus)
        cfg.cpus = NULL; /* documented: ncpus 0 = the default CPU list */
    if (cfg.nworkers > 4096)
        return -EINVAL;
    if (cfg.cpus)
        for (unsigned i = 0; i < cfg.ncpus; i++)
            if (cfg.cpus[i] < 0 || cfg.cpus[i] >= CPU_SETSIZE)
                return -EINVAL;

    /* CPUs we may run on, in order. */
    int avail[CPU_SETSIZE];
    unsigned navail = 0;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        for (int c = 0; c < CPU_SETSIZE; c++)
            if (CPU_ISSET(c, &set))
                avail[navail++] = c;
    }
    if (navail == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        for (long c = 0; c < (n > 0 ? n : 1) && c < CPU_SETSIZE; c++)
            avail[navail++] = (int)c;
    }
    unsigned nw = cfg.nworkers;
    if (nw == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nw = n > 0 ? (unsigned)n : 1;
        if (nw > navail)
            nw = navail;
    }

    struct ng_runtime *rt = calloc(1, sizeof(*rt));
    if (!rt)
        return -ENOMEM;
    size_t wsz = ((sizeof(struct ng_worker) * nw) + NG_CACHELINE - 1) & ~(size_t)(NG_CACHELINE - 1);
    rt->w = aligned_alloc(NG_CACHELINE, wsz);
    if (!rt->w) {
        free(rt);
        return -ENOMEM;
    }
    memset(rt->w, 0, wsz);
    rt->g = g;
    rt->nworkers = nw;
    rt->batch = cfg.batch;
    rt->spin = cfg.spin;
    rt->pin = cfg.pin;
    pthread_mutex_init(&rt->tlock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&rt->tcond, &ca);
    pthread_condattr_destroy(&ca);
    for (unsigned i = 0; i < nw; i++) {
        struct ng_worker *w = &rt->w[i];
        mpsc_init(&w->items);
        mpsc_init(&w->nodes);
        w->rt = rt;
        w->idx = i;
        w->cpu = cfg.cpus ? cfg.cpus[i % cfg.ncpus] : avail[i % navail];
        atomic_init(&w->pinned, -ENOTSUP);
    }

    pthread_mutex_lock(&g->ctl_lock);
    if (ng_graph_runtime(g) || g->destroying) {
        pthread_mutex_unlock(&g->ctl_lock);
        runtime_free(rt);
        return -EBUSY;
    }
    int rc = 0;
    for (unsigned i = 0; i < nw && rc == 0; i++) {
        int e = pthread_create(&rt->w[i].tid, NULL, worker_main, &rt->w[i]);
        if (e)
            rc = -e;
        else
            rt->w[i].started = true;
    }
    /* Wait for every worker to be registered with the backend. */
    for (unsigned i = 0; i < nw && rc == 0; i++) {
        int s;
        while ((s = atomic_load(&rt->w[i].state)) == 0)
            sched_yield();
        if (s < 0)
            rc = s;
    }
    if (rc == 0) {
        int e = pthread_create(&rt->tthread, NULL, timer_main, rt);
        if (e)
            rc = -e;
        else
            rt->tstarted = true;
    }
    if (rc) {
        atomic_store(&rt->stopping, 1);
        runtime_join(rt);
        pthread_mutex_unlock(&g->ctl_lock);
        runtime_free(rt);
        return rc;
    }
    atomic_store_explicit(RT_ATOMIC(&g->runtime), rt, memory_order_release);
    pthread_mutex_unlock(&g->ctl_lock);
    *rtp = rt;
    return 0;
}

void ng_runtime_stop(struct ng_runtime *rt)
{
    if (!rt)
        return;
    struct ng_graph *g = rt->g;
    atomic_store_explicit(&rt->stopping, 1, memory_order_release);

    /* 1. Timers: stop the timer thread, cancel what is still armed. */
    pthread_mutex_lock(&rt->tlock);
    rt->tstop = true;
    pthread_cond_signal(&rt->tcond);
    pthread_mutex_unlock(&rt->tlock);
    if (rt->tstarted)
        pthread_join(rt->tthread, NULL);
    timers_cancel_all(rt);

    /* 2. Let the workers finish everything queued (including work they hand
     * each other), then detach and join them. */
    quiesce(rt);
    atomic_store_explicit(RT_ATOMIC(&g->runtime), NULL, memory_order_release);
    runtime_join(rt);
    runtime_free(rt);

    /* 3. Everything the workers unlinked is reclaimed. */
    g->bops->barrier(g->backend);
}

unsigned ng_runtime_nworkers(const struct ng_runtime *rt)
{
    return rt ? rt->nworkers : 0;
}

int ng_runtime_pinned(const struct ng_runtime *rt, unsigned i)
{
    if (!rt || i >= rt->nworkers)
        return -EINVAL;
    return atomic_load(&((struct ng_runtime *)rt)->w[i].pinned);
}

int ng_runtime_current_worker(const struct ng_runtime *rt)
{
    return (ng_self && rt && ng_self->rt == rt) ? (int)ng_self->idx : -1;
}

int ng_runtime_worker_stats(const struct ng_runtime *rt, unsigned i, struct ng_worker_stats *out)
{
    if (!rt || !out || i >= rt->nworkers)
        return -EINVAL;
    struct ng_worker *w = &rt->w[i];
    out->items = ng_counter_get(&w->items_run);
    out->drains = ng_counter_get(&w->drains);
    out->batches = ng_counter_get(&w->batches);
    out->idle_ns = ng_counter_get(&w->idle_ns);
    out->wakeups = ng_counter_get(&w->wakeups);
    uint64_t pop = ng_counter_get(&w->npop);
    uint64_t push = atomic_load_explicit(&w->npush, memory_order_relaxed);
    out->queue_depth = push > pop ? push - pop : 0;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Timers                                                                   */
/* ------------------------------------------------------------------------ */

#define TM_RT(tm) ((_Atomic(struct ng_runtime *) *)(void *)&(tm)->rt)
#define TM_NONE SIZE_MAX

static bool tm_less(const struct ng_timer *a, const struct ng_timer *b)
{
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void heap_set(struct ng_runtime *rt, size_t i, struct ng_timer *tm)
{
    rt->heap[i] = tm;
    tm->heap_idx = i;
}

static void heap_up(struct ng_runtime *rt, size_t i)
{
    struct ng_timer *tm = rt->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!tm_less(tm, rt->heap[p]))
            break;
        heap_set(rt, i, rt->heap[p]);
        i = p;
    }
    heap_set(rt, i, tm);
}

static void heap_down(struct ng_runtime *rt, size_t i)
{
    struct ng_timer *tm = rt->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= rt->nheap)
            break;
        if (c + 1 < rt->nheap && tm_less(rt->heap[c + 1], rt->heap[c]))
            c++;
        if (!tm_less(rt->heap[c], tm))
            break;
        heap_set(rt, i, rt->heap[c]);
        i = c;
    }
    heap_set(rt, i, tm);
}

/* Remove an armed timer from the heap and its node's list; returns its node
 * (whose reference the caller now owns).  tlock held. */
static struct ng_node *tm_detach(struct ng_runtime *rt, struct ng_timer *tm)
{
    size_t i = tm->heap_idx;
    struct ng_timer *last = rt->heap[--rt->nheap];
    if (i != rt->nheap) {
        heap_set(rt, i, last);
        heap_down(rt, i);
        heap_up(rt, last->heap_idx);
    }
    tm->heap_idx = TM_NONE;
    struct ng_node *n = tm->node;
    if (tm->nprev)
        tm->nprev->nnext = tm->nnext;
    else
        n->timers = tm->nnext;
    if (tm->nnext)
        tm->nnext->nprev = tm->nprev;
    tm->nnext = tm->nprev = NULL;
    tm->node = NULL;
    atomic_store_explicit(TM_RT(tm), NULL, memory_order_relaxed);
    return n;
}

void ng_timer_init(struct ng_timer *tm)
{
    if (!tm)
        return;
    memset(tm, 0, sizeof(*tm));
    tm->heap_idx = TM_NONE;
}

int ng_timer_arm(struct ng_node *n, struct ng_timer *tm, uint64_t delay_ns, ng_item_fn fn,
                 void *arg1, int arg2)
{
    if (!n || !tm || !fn)
        return -EINVAL;
    struct ng_runtime *rt = ng_graph_runtime(n->g);
    if (!rt || atomic_load_explicit(&rt->stopping, memory_order_acquire))
        return -ENXIO;
    struct ng_runtime *cur = atomic_load_explicit(TM_RT(tm), memory_order_relaxed);
    if (cur && cur != rt)
        return -EINVAL; /* armed in another graph: cancel it first */
    struct ng_node *old = NULL;
    pthread_mutex_lock(&rt->tlock);
    if (!ng_node_is_valid(n)) {
        pthread_mutex_unlock(&rt->tlock);
        return -ESHUTDOWN;
    }
    if (tm->node) {
        old = tm_detach(rt, tm);
    } else if (rt->nheap == rt->capheap) {
        size_t cap = rt->capheap ? rt->capheap * 2 : 64;
        struct ng_timer **h = realloc(rt->heap, cap * sizeof(*h));
        if (!h) {
            pthread_mutex_unlock(&rt->tlock);
            return -ENOMEM;
        }
        rt->heap = h;
        rt->capheap = cap;
    }
    ng_node_ref(n);
    tm->node = n;
    atomic_store_explicit(TM_RT(tm), rt, memory_order_relaxed);
    tm->fn = fn;
    tm->arg1 = arg1;
    tm->arg2 = arg2;
    tm->deadline = mono_ns() + delay_ns;
    tm->seq = rt->tseq++;
    tm->nprev = NULL;
    tm->nnext = n->timers;
    if (n->timers)
        n->timers->nprev = tm;
    n->timers = tm;
    rt->nheap++;
    heap_set(rt, rt->nheap - 1, tm);
    heap_up(rt, rt->nheap - 1);
    if (tm->heap_idx == 0)
        pthread_cond_signal(&rt->tcond);
    pthread_mutex_unlock(&rt->tlock);
    ng_node_unref(old);
    return 0;
}

int ng_timer_cancel(struct ng_timer *tm)
{
    if (!tm)
        return 0;
    struct ng_runtime *rt = atomic_load_explicit(TM_RT(tm), memory_order_relaxed);
    if (!rt)
        return 0;
    struct ng_node *n = NULL;
    pthread_mutex_lock(&rt->tlock);
    if (tm->node)
        n = tm_detach(rt, tm);
    pthread_mutex_unlock(&rt->tlock);
    ng_node_unref(n);
    return n != NULL;
}

int ng_timer_pending(const struct ng_timer *tm)
{
    if (!tm)
        return 0;
    struct ng_runtime *rt =
        atomic_load_explicit(TM_RT((struct ng_timer *)tm), memory_order_relaxed);
    if (!rt)
        return 0;
    pthread_mutex_lock(&rt->tlock);
    int r = tm->node != NULL;
    pthread_mutex_unlock(&rt->tlock);
    return r;
}

void ng_timers_cancel_node(struct ng_node *n)
{
    struct ng_runtime *rt = ng_graph_runtime(n->g);
    if (!rt)
        return;
    unsigned count = 0;
    pthread_mutex_lock(&rt->tlock);
    while (n->timers) {
        tm_detach(rt, n->timers);
        count++;
    }
    pthread_mutex_unlock(&rt->tlock);
    while (count--)
        ng_node_unref(n); /* the caller (shutdown) holds its own reference */
}

static void timers_cancel_all(struct ng_runtime *rt)
{
    pthread_mutex_lock(&rt->tlock);
    while (rt->nheap) {
        struct ng_node *n = tm_detach(rt, rt->heap[rt->nheap - 1]);
        ng_node_unref(n);
    }
    pthread_mutex_unlock(&rt->tlock);
}

/* Hand a fired timer to a worker as a writer function item. */
static void timer_fire(struct ng_runtime *rt, struct ng_node *n, ng_item_fn fn, void *arg1,
                       int arg2)
{
    struct ng_item *it = ng_item_new_ctl(rt->g, NG_IK_FN);
    if (!it) {
        ng_node_unref(n);
        return;
    }
    it->u.f.fn = fn;
    it->u.f.arg1 = arg1;
    it->u.f.arg2 = arg2;
    it->flags |= NG_IF_WRITER;
    it->dnode = n; /* the timer's node reference */
    unsigned i = atomic_fetch_add_explicit(&rt->trr, 1, memory_order_relaxed);
    worker_push_items(&rt->w[i % rt->nworkers], it, it, 1);
}

static void *timer_main(void *arg)
{
    struct ng_runtime *rt = arg;
    pthread_mutex_lock(&rt->tlock);
    while (!rt->tstop) {
        if (rt->nheap == 0) {
            pthread_cond_wait(&rt->tcond, &rt->tlock);
            continue;
        }
        struct ng_timer *tm = rt->heap[0];
        uint64_t now = mono_ns();
        if (tm->deadline > now) {
            struct timespec ts = {.tv_sec = (time_t)(tm->deadline / 1000000000u),
                                  .tv_nsec = (long)(tm->deadline % 1000000000u)};
            pthread_cond_timedwait(&rt->tcond, &rt->tlock, &ts);
            continue;
        }
        ng_item_fn fn = tm->fn;
        void *arg1 = tm->arg1;
        int arg2 = tm->arg2;
        struct ng_node *n = tm_detach(rt, tm);
        pthread_mutex_unlock(&rt->tlock);
        timer_fire(rt, n, fn, arg1, arg2);
        pthread_mutex_lock(&rt->tlock);
    }
    pthread_mutex_unlock(&rt->tlock);
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Statistics                                                               */
/* ------------------------------------------------------------------------ */

static void hook_counts(struct ng_hook *h, uint64_t *in, uint64_t *out, uint64_t *drops)
{
    uint64_t i = 0, o = 0, d = 0;
    for (int s = 0; s < NG_STAT_SLOTS; s++) {
        struct ng_hcnt *c = ng_hook_cnt(h, (unsigned)s);
        i += atomic_load_explicit(&c->in, memory_order_relaxed);
        o += atomic_load_explicit(&c->out, memory_order_relaxed);
        d += atomic_load_explicit(&c->drops, memory_order_relaxed);
    }
    *in = i;
    *out = o;
    if (drops)
        *drops = d;
}

void ng_hook_fold_stats(struct ng_hook *h, bool final)
{
    /* At unlink (ctl_lock) senders still inside a section may count on the
     * hook; what they add is folded by the final call, after the grace
     * period, when nobody writes the counters any more.  The node is alive:
     * the hook holds a reference on it until it is freed. */
    uint64_t in, out;
    hook_counts(h, &in, &out, NULL);
    struct ng_node *n = h->node;
    uint64_t fin = atomic_load_explicit(&h->folded_in, memory_order_relaxed);
    uint64_t fout = atomic_load_explicit(&h->folded_out, memory_order_relaxed);
    atomic_fetch_add_explicit(&n->gone_in, in - fin, memory_order_relaxed);
    atomic_fetch_add_explicit(&n->gone_out, out - fout, memory_order_relaxed);
    if (!final) {
        atomic_store_explicit(&h->folded_in, in, memory_order_relaxed);
        atomic_store_explicit(&h->folded_out, out, memory_order_relaxed);
    }
}

/* Node counters.  items_in/out are the sums over the node's hooks (the
 * caller keeps the hook list stable: ctl_lock, or a read-side section plus
 * the topology read lock) plus what removed hooks carried.  A hook being
 * removed concurrently may be counted twice or not at all for an instant. */
static void node_stats_sum(struct ng_node *n, struct ng_node_stats *out)
{
    memset(out, 0, sizeof(*out));
    out->id = n->id;
    uint64_t deq = 0;
    for (int s = 0; s < NG_STAT_SLOTS; s++) {
        struct ng_nstat *c = &n->stats[s];
        out->queued += atomic_load_explicit(&c->queued, memory_order_relaxed);
        deq += atomic_load_explicit(&c->dequeued, memory_order_relaxed);
        for (int r = 0; r < NG_DROP_REASONS; r++)
            out->drops[r] += atomic_load_explicit(&c->drops[r], memory_order_relaxed);
    }
    out->queue_depth = out->queued > deq ? out->queued - deq : 0;
    out->items_in = atomic_load_explicit(&n->gone_in, memory_order_relaxed);
    out->items_out = atomic_load_explicit(&n->gone_out, memory_order_relaxed);
    for (struct ng_hook *h = atomic_load_explicit(&n->hooks, memory_order_acquire); h;
         h = atomic_load_explicit(&h->next, memory_order_acquire)) {
        /* A hook unlinked but still reachable by this traversal has been
         * folded already: count only what it gained since. */
        uint64_t fin = atomic_load_explicit(&h->folded_in, memory_order_relaxed);
        uint64_t fout = atomic_load_explicit(&h->folded_out, memory_order_relaxed);
        uint64_t in, o;
        hook_counts(h, &in, &o, NULL);
        out->items_in += in > fin ? in - fin : 0;
        out->items_out += o > fout ? o - fout : 0;
    }
}

static void hook_stats_sum(struct ng_hook *h, struct ng_hook_stats *out)
{
    memset(out, 0, sizeof(*out));
    memcpy(out->name, h->name, sizeof(out->name));
    hook_counts(h, &out->items_in, &out->items_out, &out->drops);
}

int ng_node_stats(struct ng_node *n, struct ng_node_stats *out)
{
    if (!n || !out)
        return -EINVAL;
    struct ng_thread *t = ng_enter(n->g);
    if (!t)
        return -ENOMEM;
    ng_topo_rlock(n->g);
    node_stats_sum(n, out);
    ng_topo_runlock(n->g);
    ng_exit(t);
    return 0;
}

int ng_hook_stats(struct ng_hook *h, struct ng_hook_stats *out)
{
    if (!h || !out)
        return -EINVAL;
    hook_stats_sum(h, out);
    return 0;
}

int ng_stats_msg(struct ng_node *n, struct ng_item *it)
{
    /* ctl_lock held by the caller: the hook list is stable. */
    uint32_t nh = 0;
    for (struct ng_hook *h = atomic_load(&n->hooks); h; h = atomic_load(&h->next))
        nh++;
    size_t len = sizeof(struct ng_node_stats) + (size_t)nh * sizeof(struct ng_hook_stats);
    struct ng_mesg *r = len <= NG_MAX_MSG_ARGLEN ? ng_mesg_response(ng_item_msg(it), (uint32_t)len)
                                                 : NULL;
    if (!r) {
        ng_item_free(it);
        return -ENOMEM;
    }
    struct ng_node_stats *st = (struct ng_node_stats *)(void *)r->data;
    node_stats_sum(n, st);
    uint32_t i = 0;
    for (struct ng_hook *h = atomic_load(&n->hooks); h && i < nh; h = atomic_load(&h->next))
        hook_stats_sum(h, &st->hook[i++]);
    st->nhooks = i;
    return ng_respond(it, 0, r);
}
