/*
 * runtime.c - starting and stopping a runtime, and its queries.
 *
 * Start: workers are created and registered with the backend before the
 * runtime is published in graph->runtime (release, under ctl_lock), so the
 * data path never hands a node to a worker that cannot run it.  Stop:
 * timers first (no more are handed to the workers, the armed ones are
 * cancelled; the graph's timer thread is not the runtime's), then every
 * worker drains what is queued (including work they hand each other), then
 * the runtime is unpublished and joined.  File descriptor watches served by
 * the workers move to the graph's timer thread before the workers drain
 * (fd.c), so a busy-poll watch never keeps a worker from sleeping then.
 */
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "runtime.h"

static void runtime_stop_op(struct ng_runtime *rt) { ng_runtime_stop(rt); }

/* What the data path and the layers below call on a runtime. */
static const struct ngi_runtime_ops ngi_runtime_ops_impl = {
    .schedule = ngi_runtime_schedule,
    .stop = runtime_stop_op,
};

struct ng_runtime *ng_graph_runtime(struct ng_graph *g)
{
    return g ? atomic_load_explicit(&g->runtime, memory_order_acquire) : NULL;
}

/* ------------------------------------------------------------------------ */
/* Worker queues                                                            */

void ng_runtime_config_init(struct ng_runtime_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->pin = 1;
    cfg->batch = 64;
    cfg->spin = 64;
}

/* One look at every worker: asleep with nothing queued?  Records gen. */
static bool workers_quiet(struct ng_runtime *rt, int pass)
{
    for (unsigned i = 0; i < rt->nworkers; i++) {
        struct ngi_worker *w = &rt->w[i];
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
    for (unsigned i = 0; i < rt->nworkers; i++)
        ngi_fdloop_fini(&rt->w[i].loop);
    free(rt->w);
    free(rt);
}

static void runtime_join(struct ng_runtime *rt)
{
    atomic_store_explicit(&rt->exit, 1, memory_order_seq_cst);
    for (unsigned i = 0; i < rt->nworkers; i++) {
        struct ngi_worker *w = &rt->w[i];
        if (!w->started)
            continue;
        ngi_worker_wake(w);
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
    size_t wsz =
        ((sizeof(struct ngi_worker) * nw) + NGI_CACHELINE - 1) & ~(size_t)(NGI_CACHELINE - 1);
    rt->w = aligned_alloc(NGI_CACHELINE, wsz);
    if (!rt->w) {
        free(rt);
        return -ENOMEM;
    }
    memset(rt->w, 0, wsz);
    for (unsigned i = 0; i < nw; i++)
        rt->w[i].loop.epfd = rt->w[i].loop.evfd = rt->w[i].loop.tfd = -1;
    rt->base.ops = &ngi_runtime_ops_impl;
    rt->g = g;
    rt->nworkers = nw;
    rt->batch = cfg.batch;
    rt->spin = cfg.spin;
    rt->pin = cfg.pin;
    for (unsigned i = 0; i < nw; i++) {
        struct ngi_worker *w = &rt->w[i];
        ngi_mpsc_init(&w->items);
        ngi_mpsc_init(&w->nodes);
        w->rt = rt;
        w->idx = i;
        w->cpu = cfg.cpus ? cfg.cpus[i % cfg.ncpus] : avail[i % navail];
        atomic_init(&w->pinned, -ENOTSUP);
    }
    for (unsigned i = 0; i < nw; i++) {
        int e = ngi_fdloop_init(&rt->w[i].loop, (int)i, false);
        if (e) {
            runtime_free(rt);
            return e;
        }
    }

    ngi_ctl_lock(g);
    if (ng_graph_runtime(g) || g->destroying) {
        ngi_ctl_unlock(g);
        runtime_free(rt);
        return -EBUSY;
    }
    int rc = 0;
    for (unsigned i = 0; i < nw && rc == 0; i++) {
        int e = pthread_create(&rt->w[i].tid, NULL, ngi_worker_main, &rt->w[i]);
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
    if (rc) {
        atomic_store(&rt->stopping, 1);
        runtime_join(rt);
        ngi_ctl_unlock(g);
        runtime_free(rt);
        return rc;
    }
    atomic_store_explicit(&g->runtime, rt, memory_order_release);
    ngi_ctl_unlock(g);
    *rtp = rt;
    return 0;
}

void ng_runtime_stop(struct ng_runtime *rt)
{
    if (!rt)
        return;
    struct ng_graph *g = rt->g;
    atomic_store_explicit(&rt->stopping, 1, memory_order_release);

    /* 1. Timers: none is handed to the workers any more, and what is still
     * armed is cancelled (the graph's timer thread stays, for timers armed
     * later: they then run without a runtime). */
    ngi_timers_runtime_stop(rt);
    /* File descriptor watches: to the timer thread's loop. */
    ngi_fd_runtime_stop(rt);

    /* 2. Let the workers finish everything queued (including work they hand
     * each other), then detach and join them. */
    quiesce(rt);
    atomic_store_explicit(&g->runtime, NULL, memory_order_release);
    /* Workers may have armed timers while they drained (after step 1): a
     * fire of one of them may be reading rt under the timer lock right now.
     * Going through the lock once more waits it out (later fires see
     * g->runtime NULL), and cancels what they armed, as step 1 did. */
    ngi_timers_runtime_stop(rt);
    runtime_join(rt);
    runtime_free(rt);

    /* 3. Everything the workers unlinked is reclaimed. */
    g->bops->barrier(g->backend);
}

unsigned ng_runtime_nworkers(const struct ng_runtime *rt) { return rt ? rt->nworkers : 0; }

int ng_runtime_pinned(const struct ng_runtime *rt, unsigned i)
{
    if (!rt || i >= rt->nworkers)
        return -EINVAL;
    return atomic_load(&((struct ng_runtime *)rt)->w[i].pinned);
}

int ng_runtime_current_worker(const struct ng_runtime *rt)
{
    return (ngi_self && rt && ngi_self->rt == rt) ? (int)ngi_self->idx : -1;
}

int ng_runtime_worker_stats(const struct ng_runtime *rt, unsigned i, struct ng_worker_stats *out)
{
    if (!rt || !out || i >= rt->nworkers)
        return -EINVAL;
    struct ngi_worker *w = &rt->w[i];
    out->items = ngi_counter_get(&w->items_run);
    out->drains = ngi_counter_get(&w->drains);
    out->batches = ngi_counter_get(&w->batches);
    out->idle_ns = ngi_counter_get(&w->idle_ns);
    out->wakeups = ngi_counter_get(&w->wakeups);
    uint64_t pop = ngi_counter_get(&w->npop);
    uint64_t push = atomic_load_explicit(&w->npush, memory_order_relaxed);
    out->queue_depth = push > pop ? push - pop : 0;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Per-thread counters for types (ng_pcounter)                              */
/* ------------------------------------------------------------------------ */

/*
 * NGI_STAT_SLOTS rows of `n` counters, one row per statistics slot (the
 * slots of the engine's own counters, objects.h): a thread that owns slot s
 * (ngi_stat_slot, claimed when it first attached to a graph, mirrored in
 * the exported ngi_pc_slot that the inline adds of <ngraph/runtime.h>
 * read) is the only writer of row s and adds with a plain load + store;
 * threads without an exclusive slot share row 0 with atomic adds.  Each row
 * is its own allocation of whole cache lines.  Row 0 is made with the set;
 * row s (s > 0) by the first add of the thread holding s (ngi_pc_row_slow),
 * published with a release store: its only writer is that thread (a slot
 * passes to another thread only through the slot bitmap's seq_cst
 * operations, after the first one exited), readers load it with acquire.
 * Readers sum the rows there are with relaxed loads; `base` holds what was
 * cleared (clear stores the sum there), so clearing never writes a row
 * another thread owns.  The layout is in the public header (the adds are
 * inline there); every counter is a plain uint64_t accessed only with
 * __atomic builtins.  The memory is the caller's to free with
 * ng_pcounter_destroy once no thread uses it (for a node type: in its
 * shutdown method).
 */
_Static_assert(sizeof(((struct ng_pcounter *)0)->rows) / sizeof(uint64_t *) == NGI_STAT_SLOTS,
               "one row pointer per statistics slot");

#define PC_PER_LINE (NGI_CACHELINE / sizeof(uint64_t))

/* The adds are inline in the header (C99 inline definitions); these are
 * their external definitions, exported: a caller built without
 * optimisation, or through a function pointer, or against the ABI from
 * before they were inline, calls them. */
extern inline void ng_pcounter_add(struct ng_pcounter *pc, unsigned i, uint64_t v);
extern inline void ng_pcounter_add2(struct ng_pcounter *pc, unsigned i, uint64_t v, uint64_t w);

/* A zeroed row of n counters on whole cache lines of its own. */
static uint64_t *pc_row_new(unsigned n)
{
    size_t bytes = (n + PC_PER_LINE - 1) / PC_PER_LINE * NGI_CACHELINE;
    uint64_t *r = aligned_alloc(NGI_CACHELINE, bytes);
    if (r)
        memset(r, 0, bytes);
    return r;
}

uint64_t *ngi_pc_row_slow(struct ng_pcounter *pc, unsigned slot, int *shared)
{
    NGI_ASSERT(slot > 0 && slot < NGI_STAT_SLOTS); /* row 0 is always there */
    uint64_t *r = pc_row_new(pc->n);
    if (!r) { /* no memory: count atomically in the shared row */
        *shared = 1;
        return pc->rows[0];
    }
    /* The only writer of this slot's pointer: a plain publication. */
    __atomic_store_n(&pc->rows[slot], r, __ATOMIC_RELEASE);
    return r;
}

int ng_pcounter_create(unsigned n, struct ng_pcounter **pcp)
{
    if (!pcp)
        return -EINVAL;
    *pcp = NULL;
    if (n == 0 || n > NG_PCOUNTER_MAX)
        return -EINVAL;
    /* On a cache line: n and rows[0..6] share the first, as an add reads. */
    struct ng_pcounter *pc = aligned_alloc(NGI_CACHELINE, (sizeof(*pc) + NGI_CACHELINE - 1) /
                                                              NGI_CACHELINE * NGI_CACHELINE);
    if (!pc)
        return -ENOMEM;
    memset(pc, 0, sizeof(*pc));
    pc->n = n;
    pc->rows[0] = pc_row_new(n);
    pc->base = calloc(n, sizeof(*pc->base));
    if (!pc->rows[0] || !pc->base) {
        free(pc->rows[0]);
        free(pc->base);
        free(pc);
        return -ENOMEM;
    }
    *pcp = pc;
    return 0;
}

void ng_pcounter_destroy(struct ng_pcounter *pc)
{
    if (!pc)
        return;
    for (unsigned s = 0; s < NGI_STAT_SLOTS; s++)
        free(pc->rows[s]);
    free(pc->base);
    free(pc);
}

static uint64_t pc_sum(const struct ng_pcounter *pc, unsigned i)
{
    uint64_t s = 0;
    for (unsigned r = 0; r < NGI_STAT_SLOTS; r++) {
        const uint64_t *row = __atomic_load_n(&pc->rows[r], __ATOMIC_ACQUIRE);
        if (row)
            s += __atomic_load_n(&row[i], __ATOMIC_RELAXED);
    }
    return s;
}

uint64_t ng_pcounter_read(const struct ng_pcounter *pc, unsigned i)
{
    if (!pc || i >= pc->n)
        return 0;
    uint64_t sum = pc_sum(pc, i), base = __atomic_load_n(&pc->base[i], __ATOMIC_RELAXED);
    /* A clear on another thread may have summed adds this read has not
     * seen yet: then nothing is left since that clear. */
    return sum > base ? sum - base : 0;
}

uint64_t ng_pcounter_fetch_clear(struct ng_pcounter *pc, unsigned i)
{
    if (!pc || i >= pc->n)
        return 0;
    uint64_t now = pc_sum(pc, i);
    uint64_t old = __atomic_load_n(&pc->base[i], __ATOMIC_RELAXED);
    /* The base only moves forward: a clear that summed less than another
     * one already took gets nothing (the sums are monotonic per row). */
    do {
        if (now <= old)
            return 0;
    } while (!__atomic_compare_exchange_n(&pc->base[i], &old, now, true, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    return now - old;
}

int ng_pcounter_snapshot(struct ng_pcounter *pc, unsigned first, unsigned n, uint64_t *out,
                         bool clear)
{
    if (!pc || (!out && !clear) || first > pc->n || n > pc->n - first)
        return -EINVAL;
    for (unsigned i = 0; i < n; i++) {
        uint64_t v = clear ? ng_pcounter_fetch_clear(pc, first + i) : ng_pcounter_read(pc, first + i);
        if (out)
            out[i] = v;
    }
    return 0;
}
