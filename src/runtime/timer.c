/*
 * timer.c - timers (netgraph's ng_callout), with or without a runtime: a
 * min-heap per graph (lib/heap.h) protected by `tlock` (timers are a
 * control path), run by one timer thread per graph that sleeps in
 * epoll_wait on its event loop (fd.c) until the earliest deadline (a
 * timerfd set to it, absolute CLOCK_MONOTONIC) or a wake (an eventfd,
 * written when an arm makes a new earliest deadline).  The same loop
 * serves the file descriptor watches added without a runtime.  Both are created by the graph's first
 * ng_timer_arm and published in graph->tbase with a CAS (a racing creator
 * that loses frees its own); ng_graph_destroy stops and frees them
 * (timer_fini), after setting graph->tclosed so that nothing arms again.
 *
 * Firing turns the timer into an NGI_IK_FN item run with writer access to
 * the node, exactly like ng_send_fn(NG_FN_WRITER): with a runtime it is
 * pushed on a worker (as before: timer functions then run on workers),
 * without one the timer thread itself dispatches it (ngi_dispatch_item: the
 * function runs there if the node can be entered, else it is queued and run
 * by whoever drains the node).  The armed timer's node and hook references
 * travel with the item.  A timer whose hook was removed before it fired is
 * dropped (fn not run), as netgraph's ng_callout item is (ENOTCONN).
 *
 * Runtime stop vs. the timer thread: a fired timer is pushed on a worker
 * with tlock held and only if rt->stopping is still clear; the stopper sets
 * stopping, then takes tlock once (ngi_timers_runtime_stop), so no push can
 * follow and rt may be freed.  Lock order: ctl_lock -> tlock.
 */
#include <sched.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include "runtime.h"

#define TM_BASE(tm) ((_Atomic(struct ngi_tbase *) *)(void *)&(tm)->base)
#define TM_NONE SIZE_MAX
#define TM_MAX_SLEEP_NS (3600ull * 1000000000u) /* one hour */

static bool tm_less(const void *pa, const void *pb)
{
    const struct ng_timer *a = pa, *b = pb;
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void tm_moved(void *e, size_t idx) { ((struct ng_timer *)e)->heap_idx = idx; }

static const struct ngi_heap_ops tm_heap_ops = {.less = tm_less, .moved = tm_moved};

/* Remove an armed timer from the heap and its node's list; returns its node
 * and *hookp its hook (NULL if none), whose references the caller now
 * owns.  tlock held. */
static struct ng_node *tm_detach(struct ngi_tbase *tb, struct ng_timer *tm, struct ng_hook **hookp)
{
    NGI_ASSERT(tm->heap_idx < tb->theap.n && tb->theap.v[tm->heap_idx] == tm);
    ngi_heap_remove(&tb->theap, &tm_heap_ops, tm->heap_idx);
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
    *hookp = tm->hook;
    tm->hook = NULL;
    atomic_store_explicit(TM_BASE(tm), NULL, memory_order_relaxed);
    return n;
}

static void tm_unref(struct ng_node *n, struct ng_hook *h)
{
    ng_hook_unref(h);
    ng_node_unref(n);
}

/* ------------------------------------------------------------------------ */
/* The timer thread                                                         */
/* ------------------------------------------------------------------------ */

/* Hand a fired timer to a worker (runtime attached and not stopping) or run
 * it from this thread.  tlock held on entry and on return; it is dropped
 * around an inline dispatch. */
static void timer_fire(struct ngi_tbase *tb, struct ng_node *n, struct ng_hook *hook, ng_item_fn fn,
                       void *arg1, int arg2)
{
    struct ng_graph *g = tb->g;
    if (hook && !ng_hook_is_valid(hook)) { /* netgraph: ENOTCONN, fn not run */
        tm_unref(n, hook);
        return;
    }
    struct ng_item *it = ngi_item_new_ctl(g, NGI_IK_FN);
    if (!it) {
        tm_unref(n, hook);
        return;
    }
    it->u.f.fn = fn;
    it->u.f.arg1 = arg1;
    it->u.f.arg2 = arg2;
    struct ng_runtime *rt = atomic_load_explicit(&g->runtime, memory_order_acquire);
    if (rt && !atomic_load_explicit(&rt->stopping, memory_order_acquire)) {
        it->flags |= NGI_IF_WRITER;
        it->dnode = n; /* the timer's node and hook references */
        it->dhook = hook;
        unsigned i = atomic_fetch_add_explicit(&tb->trr, 1, memory_order_relaxed);
        ngi_worker_push_items(&rt->w[i % rt->nworkers], it, it, 1);
        return;
    }
    pthread_mutex_unlock(&tb->tlock);
    struct ngi_thread *t = ngi_enter(g);
    if (t) {
        (void)ngi_dispatch_item(t, n, hook, it, true);
        ngi_exit(t);
    } else {
        ng_item_free(it);
    }
    tm_unref(n, hook);
    pthread_mutex_lock(&tb->tlock);
}

/* Set the timerfd to `deadline` (0: disarm) unless it already is. */
static void timer_program(struct ngi_tbase *tb, uint64_t deadline)
{
    if (deadline == tb->tprog)
        return;
    struct itimerspec its = {{0, 0}, {0, 0}};
    if (deadline) {
        its.it_value.tv_sec = (time_t)(deadline / 1000000000u);
        its.it_value.tv_nsec = (long)(deadline % 1000000000u);
    }
    if (timerfd_settime(tb->tloop.tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
        tb->tprog = deadline;
}

#define TM_EVENTS 32

static void *timer_main(void *arg)
{
    struct ngi_tbase *tb = arg;
    struct epoll_event ev[TM_EVENTS];
    pthread_mutex_lock(&tb->tlock);
    while (!tb->tstop) {
        struct ng_timer *tm = ngi_heap_top(&tb->theap);
        uint64_t now = ngi_mono_ns();
        if (tm && tm->deadline <= now) {
            ng_item_fn fn = tm->fn;
            void *arg1 = tm->arg1;
            int arg2 = tm->arg2;
            struct ng_hook *hook;
            struct ng_node *n = tm_detach(tb, tm, &hook);
            timer_fire(tb, n, hook, fn, arg1, arg2);
            continue;
        }
        /* Sleep until the deadline, at most TM_MAX_SLEEP_NS at a time (a
         * far deadline stays in the kernel's range), or until a wake or a
         * watched fd.  Busy-poll watches: do not sleep at all. */
        uint64_t wake = 0;
        if (tm)
            wake = tm->deadline - now > TM_MAX_SLEEP_NS ? now + TM_MAX_SLEEP_NS : tm->deadline;
        timer_program(tb, wake);
        pthread_mutex_unlock(&tb->tlock);
        bool busy = atomic_load_explicit(&tb->tloop.nbusy, memory_order_relaxed) != 0;
        int k = ngi_fdloop_wait(&tb->tloop, ev, TM_EVENTS, busy ? 0 : -1);
        bool fdev = busy;
        for (int i = 0; i < k; i++) {
            if (ev[i].data.u64 == NGI_FDID_TIMER)
                tb->tprog = 0; /* expired: set it again */
            fdev = fdev || ev[i].data.u64 > NGI_FDID_TIMER;
        }
        if (fdev) {
            struct ngi_thread *t = ngi_enter(tb->g);
            if (t) {
                (void)ngi_fdloop_dispatch(tb->g, t, &tb->tloop, ev, k);
                ngi_exit(t);
            }
            if (busy)
                sched_yield();
        }
        pthread_mutex_lock(&tb->tlock);
    }
    pthread_mutex_unlock(&tb->tlock);
    ng_thread_unregister(tb->g); /* attached by an inline dispatch */
    return NULL;
}

/* Cancel every armed timer.  The references are dropped outside tlock. */
static void timers_cancel_all(struct ngi_tbase *tb)
{
    pthread_mutex_lock(&tb->tlock);
    while (tb->theap.n) {
        struct ng_hook *h;
        struct ng_node *n = tm_detach(tb, tb->theap.v[tb->theap.n - 1], &h);
        pthread_mutex_unlock(&tb->tlock);
        tm_unref(n, h);
        pthread_mutex_lock(&tb->tlock);
    }
    pthread_mutex_unlock(&tb->tlock);
}

static void timer_cancel_node(struct ngi_tbase *tb, struct ng_node *n)
{
    ngi_fd_cancel_node(tb, n); /* its fd watches go too (fd.c) */
    pthread_mutex_lock(&tb->tlock);
    while (n->timers) {
        struct ng_hook *h;
        struct ng_node *nn = tm_detach(tb, n->timers, &h);
        pthread_mutex_unlock(&tb->tlock);
        tm_unref(nn, h); /* the caller (shutdown) holds its own reference */
        pthread_mutex_lock(&tb->tlock);
    }
    pthread_mutex_unlock(&tb->tlock);
}

static void timer_fini(struct ngi_tbase *tb)
{
    pthread_mutex_lock(&tb->tlock);
    tb->tstop = true;
    ngi_tbase_wake(tb);
    pthread_mutex_unlock(&tb->tlock);
    pthread_join(tb->tthread, NULL);
    timers_cancel_all(tb);
    ngi_fd_tbase_fini(tb);
    ngi_fdloop_fini(&tb->tloop);
    pthread_mutex_destroy(&tb->tlock);
    ngi_heap_fini(&tb->theap);
    free(tb);
}

static const struct ngi_timer_ops timer_ops = {
    .cancel_node = timer_cancel_node,
    .fini = timer_fini,
};

void ngi_tbase_wake(struct ngi_tbase *tb) { ngi_fdloop_wake(&tb->tloop); }

/* The graph's timers and watches, created (thread started) on first use.
 * NULL with *err: -ENXIO (the graph is being destroyed), -ENOMEM, -errno of
 * pthread_create or of the event loop's epoll/eventfd/timerfd. */
struct ngi_tbase *ngi_tbase_get(struct ng_graph *g, int *err)
{
    if (atomic_load_explicit(&g->tclosed, memory_order_seq_cst)) {
        *err = -ENXIO;
        return NULL;
    }
    struct ngi_tbase *tb = atomic_load_explicit(&g->tbase, memory_order_acquire);
    if (tb)
        return tb;
    tb = calloc(1, sizeof(*tb));
    if (!tb) {
        *err = -ENOMEM;
        return NULL;
    }
    tb->hdr.ops = &timer_ops;
    tb->g = g;
    int e = ngi_fdloop_init(&tb->tloop, -1, true);
    if (e) {
        free(tb);
        *err = e;
        return NULL;
    }
    pthread_mutex_init(&tb->tlock, NULL);
    ngi_fd_tbase_init(tb);
    e = pthread_create(&tb->tthread, NULL, timer_main, tb);
    if (e) {
        ngi_fd_tbase_fini(tb);
        ngi_fdloop_fini(&tb->tloop);
        pthread_mutex_destroy(&tb->tlock);
        free(tb);
        *err = -e;
        return NULL;
    }
    struct ngi_tbase *expect = NULL;
    if (!atomic_compare_exchange_strong_explicit(&g->tbase, &expect, tb, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        timer_fini(tb); /* another thread won: use its timers */
        return expect;
    }
    return tb;
}

void ngi_timers_runtime_stop(struct ng_runtime *rt)
{
    struct ngi_tbase *tb = atomic_load_explicit(&rt->g->tbase, memory_order_acquire);
    if (!tb)
        return;
    /* A fire in progress checked stopping under tlock: wait it out. */
    pthread_mutex_lock(&tb->tlock);
    pthread_mutex_unlock(&tb->tlock);
    timers_cancel_all(tb);
}

/* ------------------------------------------------------------------------ */
/* The API                                                                  */
/* ------------------------------------------------------------------------ */

void ng_timer_init(struct ng_timer *tm)
{
    if (!tm)
        return;
    memset(tm, 0, sizeof(*tm));
    tm->heap_idx = TM_NONE;
}

int ng_timer_arm(struct ng_timer *tm, struct ng_node *n, struct ng_hook *hook, uint64_t delay_ns,
                 ng_item_fn fn, void *arg1, int arg2)
{
    if (!n || !tm || !fn || (hook && ng_hook_node(hook) != n))
        return -EINVAL;
    int err = 0;
    struct ngi_tbase *tb = ngi_tbase_get(n->g, &err);
    if (!tb)
        return err;
    struct ngi_tbase *cur = atomic_load_explicit(TM_BASE(tm), memory_order_relaxed);
    if (cur && cur != tb)
        return -EINVAL; /* armed in another graph: cancel it first */
    struct ng_node *old = NULL;
    struct ng_hook *oldh = NULL;
    pthread_mutex_lock(&tb->tlock);
    if (!ng_node_is_valid(n)) {
        pthread_mutex_unlock(&tb->tlock);
        return -ESHUTDOWN;
    }
    if (hook && !ng_hook_is_valid(hook)) {
        pthread_mutex_unlock(&tb->tlock);
        return -ENOTCONN;
    }
    if (tm->node) {
        old = tm_detach(tb, tm, &oldh);
    } else if (ngi_heap_reserve(&tb->theap) != 0) {
        pthread_mutex_unlock(&tb->tlock);
        return -ENOMEM;
    }
    ng_node_ref(n);
    if (hook)
        ng_hook_ref(hook);
    tm->node = n;
    tm->hook = hook;
    atomic_store_explicit(TM_BASE(tm), tb, memory_order_relaxed);
    tm->fn = fn;
    tm->arg1 = arg1;
    tm->arg2 = arg2;
    /* Saturate: a deadline past the end of the clock never comes (a wrapped
     * sum would fire at once). */
    uint64_t now = ngi_mono_ns();
    tm->deadline = delay_ns > UINT64_MAX - now ? UINT64_MAX : now + delay_ns;
    tm->seq = tb->tseq++;
    tm->nprev = NULL;
    tm->nnext = n->timers;
    if (n->timers)
        n->timers->nprev = tm;
    n->timers = tm;
    ngi_heap_insert(&tb->theap, &tm_heap_ops, tm);
    if (tm->heap_idx == 0)
        ngi_tbase_wake(tb); /* a new earliest deadline */
    pthread_mutex_unlock(&tb->tlock);
    if (old)
        tm_unref(old, oldh);
    return 0;
}

int ng_timer_cancel(struct ng_timer *tm)
{
    if (!tm)
        return 0;
    struct ngi_tbase *tb = atomic_load_explicit(TM_BASE(tm), memory_order_relaxed);
    if (!tb)
        return 0;
    struct ng_node *n = NULL;
    struct ng_hook *h = NULL;
    pthread_mutex_lock(&tb->tlock);
    if (tm->node)
        n = tm_detach(tb, tm, &h);
    pthread_mutex_unlock(&tb->tlock);
    if (n)
        tm_unref(n, h);
    return n != NULL;
}

int ng_timer_pending(const struct ng_timer *tm)
{
    if (!tm)
        return 0;
    struct ngi_tbase *tb =
        atomic_load_explicit(TM_BASE((struct ng_timer *)tm), memory_order_relaxed);
    if (!tb)
        return 0;
    pthread_mutex_lock(&tb->tlock);
    int r = tm->node != NULL;
    pthread_mutex_unlock(&tb->tlock);
    return r;
}
