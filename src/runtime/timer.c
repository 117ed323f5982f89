/*
 * timer.c - timers: a min-heap per runtime (lib/heap.h) protected by
 * `tlock` (timers are a control path), run by one timer thread that sleeps
 * on a condvar until the earliest deadline.  Firing turns the timer into an
 * NGI_IK_FN item pushed on a worker, which dispatches it to the node as a
 * writer (ngi_dispatch_item), exactly like ng_send_fn().  The armed timer's
 * node reference travels with the item.  Lock order: ctl_lock -> tlock.
 */
#include <stdlib.h>

#include "runtime.h"

#define TM_RT(tm) ((_Atomic(struct ng_runtime *) *)(void *)&(tm)->rt)
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
 * (whose reference the caller now owns).  tlock held. */
static struct ng_node *tm_detach(struct ng_runtime *rt, struct ng_timer *tm)
{
    NGI_ASSERT(tm->heap_idx < rt->theap.n && rt->theap.v[tm->heap_idx] == tm);
    ngi_heap_remove(&rt->theap, &tm_heap_ops, tm->heap_idx);
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
    } else if (ngi_heap_reserve(&rt->theap) != 0) {
        pthread_mutex_unlock(&rt->tlock);
        return -ENOMEM;
    }
    ng_node_ref(n);
    tm->node = n;
    atomic_store_explicit(TM_RT(tm), rt, memory_order_relaxed);
    tm->fn = fn;
    tm->arg1 = arg1;
    tm->arg2 = arg2;
    /* Saturate: a deadline past the end of the clock never comes (a wrapped
     * sum would fire at once). */
    uint64_t now = ngi_mono_ns();
    tm->deadline = delay_ns > UINT64_MAX - now ? UINT64_MAX : now + delay_ns;
    tm->seq = rt->tseq++;
    tm->nprev = NULL;
    tm->nnext = n->timers;
    if (n->timers)
        n->timers->nprev = tm;
    n->timers = tm;
    ngi_heap_insert(&rt->theap, &tm_heap_ops, tm);
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

void ngi_timers_cancel_node(struct ng_runtime *rt, struct ng_node *n)
{
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

void ngi_timers_cancel_all(struct ng_runtime *rt)
{
    pthread_mutex_lock(&rt->tlock);
    while (rt->theap.n) {
        struct ng_node *n = tm_detach(rt, rt->theap.v[rt->theap.n - 1]);
        ng_node_unref(n);
    }
    pthread_mutex_unlock(&rt->tlock);
}

/* Hand a fired timer to a worker as a writer function item. */
static void timer_fire(struct ng_runtime *rt, struct ng_node *n, ng_item_fn fn, void *arg1,
                       int arg2)
{
    struct ng_item *it = ngi_item_new_ctl(rt->g, NGI_IK_FN);
    if (!it) {
        ng_node_unref(n);
        return;
    }
    it->u.f.fn = fn;
    it->u.f.arg1 = arg1;
    it->u.f.arg2 = arg2;
    it->flags |= NGI_IF_WRITER;
    it->dnode = n; /* the timer's node reference */
    unsigned i = atomic_fetch_add_explicit(&rt->trr, 1, memory_order_relaxed);
    ngi_worker_push_items(&rt->w[i % rt->nworkers], it, it, 1);
}

void *ngi_timer_main(void *arg)
{
    struct ng_runtime *rt = arg;
    pthread_mutex_lock(&rt->tlock);
    while (!rt->tstop) {
        struct ng_timer *tm = ngi_heap_top(&rt->theap);
        if (!tm) {
            pthread_cond_wait(&rt->tcond, &rt->tlock);
            continue;
        }
        uint64_t now = ngi_mono_ns();
        if (tm->deadline > now) {
            /* Sleep until the deadline, at most TM_MAX_SLEEP_NS at a time:
             * a far deadline would overflow the kernel's timeout range and
             * turn the wait into a busy loop. */
            uint64_t wake =
                tm->deadline - now > TM_MAX_SLEEP_NS ? now + TM_MAX_SLEEP_NS : tm->deadline;
            struct timespec ts = {.tv_sec = (time_t)(wake / 1000000000u),
                                  .tv_nsec = (long)(wake % 1000000000u)};
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
