/*
 * worker.c - the worker loop: run queued items and drained nodes inside a
 * read-side section, report quiescent states, sleep when idle.
 *
 *   - The worker runs up to `batch` entries inside one read-side section,
 *     then reports a quiescent state (ck: end+begin, qsbr:
 *     quiescent_state) and every 16 batches polls the backend so deferred
 *     frees make progress.  After `spin` empty polls it leaves its section
 *     (qsbr: goes offline) and sleeps.
 *   - Sleep/wake (Dekker-style, lock-free fast path): the worker stores
 *     sleeping = 1 and re-checks npush; a producer increments npush, pushes,
 *     loads sleeping and, only if it is 1, exchanges it to 0 and futex-wakes
 *     (all four accesses seq_cst).  One of the two always sees the other,
 *     so no wake-up is lost and producers pay no syscall while the worker
 *     is awake.  `gen` counts exits from the sleeping state (used by
 *     ng_runtime_stop's quiescence detection).  The worker sleeps in
 *     epoll_wait on its event loop (fd.c), and the producer's wake is a
 *     write to the loop's eventfd.
 *   - File descriptor watches (fd.c): a worker that serves any polls its
 *     epoll instance (timeout 0) once per loop iteration, inside its
 *     read-side section, and hands the ready watches' calls to their nodes;
 *     events that end its sleep are handled the same way once it is back
 *     in its section.  A worker with busy-poll watches calls them every
 *     iteration and never sleeps.
 */
#include <sched.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "runtime.h"

_Thread_local struct ngi_worker *ngi_self;
static _Thread_local unsigned ng_rr_tls;

/* sched_yield() rounds an idle worker makes after its spin before sleeping. */
#define NGI_YIELDS_BEFORE_SLEEP 16u

#define NGI_WORKER_EVENTS 32

/* ------------------------------------------------------------------------ */

void ngi_worker_wake(struct ngi_worker *w)
{
    /* Dekker with worker_sleep(): our seq_cst npush increment (or exit
     * store) and this seq_cst load against the worker's seq_cst store of
     * sleeping and load of npush: in the single total order of seq_cst
     * operations one side sees the other, so no wake-up is lost.  (No
     * fences: ThreadSanitizer does not model them.) */
    if (atomic_load_explicit(&w->sleeping, memory_order_seq_cst) &&
        atomic_exchange_explicit(&w->sleeping, 0, memory_order_seq_cst))
        ngi_fdloop_wake(&w->loop);
}

/* Queue n items, linked first..last, on w's item queue (one exchange, at
 * most one wake-up). */
void ngi_worker_push_items(struct ngi_worker *w, struct ng_item *first, struct ng_item *last,
                           unsigned n)
{
    atomic_fetch_add_explicit(&w->npush, n, memory_order_seq_cst);
    ngi_mpsc_push_chain(&w->items, &first->qnode, &last->qnode);
    if (w != ngi_self)
        ngi_worker_wake(w);
}

static struct ngi_worker *pick_worker(struct ng_runtime *rt, int worker)
{
    if (worker >= 0)
        return &rt->w[(unsigned)worker % rt->nworkers];
    if (ngi_self && ngi_self->rt == rt)
        return ngi_self;
    if (ng_rr_tls == 0) /* per-thread start point: no shared counter */
        ng_rr_tls = (unsigned)(((uintptr_t)&ng_rr_tls >> 6) * 2654435761u) | 1u;
    return &rt->w[ng_rr_tls++ % rt->nworkers];
}

bool ngi_runtime_schedule(struct ng_runtime *rt, struct ng_node *node)
{
    /* Locality: a worker keeps the nodes it kicks. */
    struct ngi_worker *w = pick_worker(rt, -1);
    atomic_fetch_add_explicit(&w->npush, 1, memory_order_seq_cst);
    ngi_mpsc_push(&w->nodes, &node->rt_link);
    if (w != ngi_self)
        ngi_worker_wake(w);
    return true;
}

int ng_runtime_submit(struct ng_runtime *rt, int worker, struct ng_hook *hook, struct ng_item *it)
{
    if (!it)
        return -EINVAL;
    return ng_runtime_submit_burst(rt, worker, hook, &it, 1);
}

#define NGI_SUBMIT_BURST_MAX 65536u

int ng_runtime_submit_burst(struct ng_runtime *rt, int worker, struct ng_hook *hook,
                            struct ng_item **items, unsigned n)
{
    if (!items || n == 0)
        return -EINVAL;
    bool bad = !rt || !hook || hook->node->g != rt->g || n > NGI_SUBMIT_BURST_MAX;
    for (unsigned i = 0; i < n && !bad; i++)
        bad = !items[i] || items[i]->kind != NGI_IK_DATA;
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
    ngi_hook_ref_n(hook, (int)n);
    for (unsigned i = 0; i < n; i++) {
        items[i]->dhook = hook;
        items[i]->dnode = NULL;
        if (i + 1 < n)
            atomic_store_explicit(&items[i]->qnode.next, &items[i + 1]->qnode,
                                  memory_order_relaxed);
    }
    ngi_worker_push_items(pick_worker(rt, worker), items[0], items[n - 1], n);
    return 0;
}

/* Hook references of run items are dropped in runs: consecutive items of
 * one hook (a burst) cost one atomic subtraction instead of one each.
 * Worker-private; flushed at the end of every batch. */
static void worker_unref_flush(struct ngi_worker *w)
{
    if (w->unref_hook) {
        ngi_hook_unref_n(w->unref_hook, w->unref_n);
        w->unref_hook = NULL;
        w->unref_n = 0;
    }
}

static void worker_unref(struct ngi_worker *w, struct ng_hook *h, int n)
{
    if (h != w->unref_hook) {
        worker_unref_flush(w);
        w->unref_hook = h;
    }
    w->unref_n += n;
}

/* Entries run: counted once per call, after they ran (npop, see sleep). */
static void worker_ran(struct ngi_worker *w, unsigned n)
{
    ngi_counter_add(&w->items_run, n);
    atomic_store_explicit(&w->npop, ngi_counter_get(&w->npop) + n, memory_order_release);
}

/*
 * Run data item `it` and the data items for the same hook queued right
 * behind it as one burst (at most NGI_WORKER_BURST): ng_send_data_burst
 * looks the peer up and enters it once for all of them.  Items of one
 * ng_runtime_submit_burst() call are adjacent in the queue (one chain
 * push), so a submitted burst stays a burst.  The first entry that does
 * not belong is kept in w->held and run next (order is kept: it was behind
 * the whole burst).  Returns the number of items run.
 */
static unsigned worker_run_burst(struct ngi_worker *w, struct ng_item *it)
{
    struct ng_item *vec[NGI_WORKER_BURST];
    struct ng_hook *h = it->dhook;
    unsigned k = 0;
    for (;;) {
        it->dnode = NULL;
        it->dhook = NULL;
        vec[k++] = it;
        if (k == NGI_WORKER_BURST)
            break;
        struct ngi_mpsc_node *qn = ngi_mpsc_pop_wait(&w->items);
        if (!qn)
            break;
        it = ngi_item_of_qnode(qn);
        if (it->kind != NGI_IK_DATA || it->dhook != h) {
            NGI_ASSERT(w->held == NULL);
            w->held = it;
            break;
        }
    }
    /* The burst's hook references (one per item, taken at submit) keep h
     * alive across the call; dropped in runs by worker_unref. */
    (void)ng_send_data_burst(h, vec, k);
    worker_unref(w, h, (int)k);
    return k;
}

/* Run one entry (or one burst of data items); false if both queues are
 * empty and nothing is held. */
static bool worker_run_one(struct ngi_worker *w, struct ngi_thread *t, bool nodes_first)
{
    struct ngi_mpsc_node *qn;
    bool from_nodes = false;
    if (w->held) {
        qn = &w->held->qnode;
        w->held = NULL;
    } else {
        struct ngi_mpsc_queue *q1 = nodes_first ? &w->nodes : &w->items;
        struct ngi_mpsc_queue *q2 = nodes_first ? &w->items : &w->nodes;
        qn = ngi_mpsc_pop_wait(q1);
        from_nodes = nodes_first;
        if (!qn) {
            qn = ngi_mpsc_pop_wait(q2);
            from_nodes = !nodes_first;
        }
        if (!qn)
            return false;
    }
    if (from_nodes) {
        struct ng_node *n =
            (struct ng_node *)(void *)((char *)qn - offsetof(struct ng_node, rt_link));
        ngi_node_drain(t, n); /* drops kick()'s node reference */
        ngi_counter_add(&w->drains, 1);
        worker_ran(w, 1);
        return true;
    }
    struct ng_item *it = ngi_item_of_qnode(qn);
    if (it->kind == NGI_IK_DATA) {
        worker_ran(w, worker_run_burst(w, it));
        return true;
    }
    struct ng_node *n = it->dnode;
    struct ng_hook *h = it->dhook;
    it->dnode = NULL;
    it->dhook = NULL;
    (void)ngi_dispatch_item(t, n, h, it, (it->flags & NGI_IF_WRITER) != 0);
    ng_node_unref(n);
    if (h)
        ng_hook_unref(h);
    worker_ran(w, 1);
    return true;
}

/* Go to sleep unless work arrived.  Returns -1 if the runtime is exiting,
 * else the number of events in ev that ended the sleep (watches ready: to
 * be handled once back in the read-side section), 0 for a plain wake. */
static int worker_sleep(struct ngi_worker *w, struct epoll_event *ev)
{
    struct ng_runtime *rt = w->rt;
    atomic_store_explicit(&w->sleeping, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&w->npush, memory_order_seq_cst) != ngi_counter_get(&w->npop)) {
        atomic_fetch_add_explicit(&w->gen, 1, memory_order_seq_cst);
        atomic_store_explicit(&w->sleeping, 0, memory_order_seq_cst);
        return 0;
    }
    if (atomic_load_explicit(&rt->exit, memory_order_seq_cst))
        return -1;
    uint64_t t0 = ngi_mono_ns();
    int nev = 0;
    while (atomic_load_explicit(&w->sleeping, memory_order_acquire) == 1) {
        int k = ngi_fdloop_wait(&w->loop, ev, NGI_WORKER_EVENTS, -1);
        bool fdev = false;
        for (int i = 0; i < k; i++)
            fdev = fdev || ev[i].data.u64 > NGI_FDID_TIMER;
        /* A busy-poll watch added meanwhile (its add wrote our eventfd). */
        fdev = fdev || atomic_load_explicit(&w->loop.nbusy, memory_order_relaxed) != 0;
        if (fdev) {
            /* Woken by a watched fd: leave the sleeping state ourselves (a
             * producer racing with us then finds 0 and writes nothing, or
             * wrote already: one spurious wake-up later). */
            atomic_exchange_explicit(&w->sleeping, 0, memory_order_seq_cst);
            nev = k;
            break;
        }
    }
    atomic_fetch_add_explicit(&w->gen, 1, memory_order_seq_cst);
    ngi_counter_add(&w->idle_ns, ngi_mono_ns() - t0);
    ngi_counter_add(&w->wakeups, 1);
    return nev;
}

void *ngi_worker_main(void *arg)
{
    struct ngi_worker *w = arg;
    struct ng_runtime *rt = w->rt;
    struct ng_graph *g = rt->g;
    const struct ngi_backend_ops *b = g->bops;

    if (rt->pin) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(w->cpu, &set);
        int e = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
        atomic_store(&w->pinned, e ? -e : w->cpu);
    } else {
        atomic_store(&w->pinned, -ENOTSUP);
    }
    ngi_self = w;
    /* The statistics slot is claimed by ngi_thread_get() (graph.c). */
    struct ngi_thread *t = ngi_enter(g);
    if (!t) {
        atomic_store(&w->state, -ENOMEM);
        return NULL;
    }
    t->worker = w;
    t->external = false;
    atomic_store(&w->state, 1);

    unsigned idle = 0, nb = 0;
    bool flip = false;
    struct epoll_event ev[NGI_WORKER_EVENTS];
    for (;;) {
        unsigned n = 0;
        while (n < rt->batch && worker_run_one(w, t, flip))
            n++;
        flip = !flip;
        worker_unref_flush(w);
        /* Watched fds: one non-blocking look per iteration (relaxed hints;
         * a watch added meanwhile is seen next time, or wakes our sleep). */
        bool busy = atomic_load_explicit(&w->loop.nbusy, memory_order_relaxed) != 0;
        if (busy || atomic_load_explicit(&w->loop.nwatch, memory_order_relaxed)) {
            int k = atomic_load_explicit(&w->loop.nwatch, memory_order_relaxed)
                        ? ngi_fdloop_wait(&w->loop, ev, NGI_WORKER_EVENTS, 0)
                        : 0;
            n += ngi_fdloop_dispatch(g, t, &w->loop, ev, k);
        }
        if (n) {
            ngi_counter_add(&w->batches, 1);
            (void)b->quiescent(t->bt);
            if ((++nb & 15) == 0)
                b->poll(g->backend);
            idle = 0;
            continue;
        }
        if (++idle < rt->spin) {
            (void)b->quiescent(t->bt);
            ngi_cpu_relax();
            continue;
        }
        /* Before sleeping, give the CPU away a few times: a producer that
         * shares our CPU then runs and refills the queue, instead of paying
         * a futex wake per few items that preempts it again (measured: 2
         * workers + producer on 2 CPUs fell to ~0.5x of one worker). */
        if (idle < rt->spin + NGI_YIELDS_BEFORE_SLEEP || busy) {
            if (busy)
                idle = rt->spin; /* busy-poll: never sleep */
            (void)b->quiescent(t->bt);
            sched_yield();
            continue;
        }
        idle = 0;
        /* Idle: leave the section (qsbr: offline) so grace periods never
         * wait for us, let deferred frees run, then sleep. */
        ngi_exit(t);
        b->poll(g->backend);
        int k = worker_sleep(w, ev);
        t = ngi_enter(g);
        if (k < 0)
            break;
        if (k > 0)
            (void)ngi_fdloop_dispatch(g, t, &w->loop, ev, k);
    }
    ngi_exit(t);
    t->worker = NULL;
    ng_thread_unregister(g);
    ngi_self = NULL;
    return NULL;
}
