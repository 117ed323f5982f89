/*
 * run.c - one run of a configuration: build the topology (engine or floor)
 * in a fresh graph, run pinned injecting workers (chain, fanout, scale,
 * churn; the runtime scenario's producers in runtime.c) for c->seconds,
 * then check the accounting and record the results.
 *
 * Workers register with the graph and inject with ng_send_data() at the
 * chain's head; the sink frees.  1 item in 64 carries a CLOCK_MONOTONIC
 * timestamp in its metadata; sinks record the latency.  Accounting: items
 * sent (x fan-out) == delivered + dropped (graph drop counters + drops seen
 * by the bench's own nodes + failed submits the engine freed uncounted), and
 * no item is left alive.
 */
#include "ngbench.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void inject_one(struct worker *w, struct ng_graph *g, enum kind k, unsigned seq)
{
    struct ng_item *it = ng_item_alloc(g, 64);
    if (__builtin_expect(it == NULL, 0)) {
        w->alloc_fail++;
        return;
    }
    if ((seq & LAT_SAMPLE_MASK) == 0)
        ((uint64_t *)ng_item_meta(it))[0] = ngb_now_ns();
    w->sent++;
    if (k == K_ENGINE)
        ng_send_data(w->head, it);
    else if (k == K_FLOOR || k == K_FLOOR_TJ)
        w->fhead->fn(w->fhead, it);
    else
        ngb_sink_work(it);
}

/* Engine burst rows: `burst` items allocated (and stamped) one by one, then
 * sent as one vector. */
static inline void inject_burst(struct worker *w, struct ng_graph *g, int burst, unsigned *seq)
{
    struct ng_item *v[ENGINE_BURST];
    int k = 0;
    for (; k < burst; k++) {
        struct ng_item *it = ng_item_alloc(g, 64);
        if (__builtin_expect(it == NULL, 0)) {
            w->alloc_fail++;
            break;
        }
        if (((*seq)++ & LAT_SAMPLE_MASK) == 0)
            ((uint64_t *)ng_item_meta(it))[0] = ngb_now_ns();
        v[k] = it;
    }
    w->sent += (uint64_t)k;
    if (k)
        ng_send_data_burst(w->head, v, (unsigned)k);
}

/* 64 items into the chain: one at a time, or in bursts (engine burst rows). */
static inline void inject_64(struct worker *w, struct ng_graph *g, enum kind k, int burst,
                             unsigned *seq)
{
    if (burst > 1) {
        for (int i = 0; i < 64; i += burst)
            inject_burst(w, g, burst, seq);
        return;
    }
    for (int i = 0; i < 64; i++)
        inject_one(w, g, k, (*seq)++);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct run *r = w->run;
    struct ng_graph *g = r->g;
    enum kind k = r->c->kind;
    ngb_pin_cpu(w->cpu);
    ngb_slot_set(&w->slot);
    ng_thread_register(g);
    unsigned seq = (unsigned)w->idx * 7u;
    int burst = k == K_ENGINE ? r->c->burst : 0;
    for (int i = 0; i < WARMUP_ITEMS; i += 64)
        inject_64(w, g, k, burst, &seq);
    w->slot.nlat = 0; /* keep only timed samples */
    pthread_barrier_wait(&r->bar);
    uint64_t t0 = ngb_now_ns(), c0 = ngb_cpu_ns(), cnt = 0;
    /* Engine runs keep one batch (read-side section) open and report a
     * quiescent state every 64 items (ng_batch_quiescent: a few
     * microseconds apart, so grace periods and churn are not held up), as
     * a DPDK worker calls rte_rcu_qsbr_quiescent once per loop; items still
     * travel the chain one at a time (or in bursts, b32 rows). */
    bool batch = k == K_ENGINE;
    if (batch)
        ng_batch_begin(g);
    while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
        inject_64(w, g, k, burst, &seq);
        if (batch)
            ng_batch_quiescent(g);
        cnt += 64;
    }
    if (batch)
        ng_batch_end(g);
    w->t_ns = ngb_now_ns() - t0;
    w->cpu_ns = ngb_cpu_ns() - c0;
    w->timed = cnt;
    ng_thread_unregister(g);
    ngb_slot_set(NULL);
    return NULL;
}

/* Topology of one engine run. */
struct topo {
    struct ng_node *nodes[MAXW * (MAXN + 8)];
    int nn;
};

static int mk(struct ng_graph *g, struct topo *tp, const char *type, struct ng_node **np)
{
    int rc = ng_node_create(g, type, np);
    if (rc == 0)
        tp->nodes[tp->nn++] = *np;
    return rc;
}

/*
 * Memory layouts (chain scenario): rep r of a chain run builds its chain
 * after r x 3 dummy nodes joined by r links, each holding its allocations
 * for the whole run, and, for odd r, with a dummy node between consecutive
 * chain nodes; the floors get the same shifts in their own cells (floor.c)
 * and every run keeps a malloc pad of 64 + 80 r bytes.  So the chain's
 * nodes, hook blocks and counter lines land at different addresses and
 * cache sets in every rep, and the chain figure is a median over layouts.
 */
static int layout_prefix(struct run *r, struct topo *tp)
{
    int lr = r->c->layout_rep, rc;
    struct ng_node *d[3];
    for (int i = 0; i < lr; i++) {
        for (int k = 0; k < 3; k++)
            if ((rc = mk(r->g, tp, ngb_type_name(0, T_NULL), &d[k])) < 0)
                return rc;
        if ((rc = ng_connect(d[0], "a", d[1], "b")) < 0)
            return rc;
    }
    return 0;
}

/* inj:out -> in:p0:out -> ... -> in:sink (or fan:o0..o3 -> sinks) */
static int build_engine(struct run *r, struct topo *tp, struct ng_hook **head)
{
    struct cfg *c = r->c;
    struct ng_graph *g = r->g;
    struct ng_node *inj, *prev, *n, *dummy;
    int rc;
    bool spread = c->scen == S_CHAIN && (c->layout_rep & 1);
    if (c->scen == S_CHAIN && (rc = layout_prefix(r, tp)) < 0)
        return rc;
    if ((rc = mk(g, tp, ngb_type_name(c->mode, T_PASS), &inj)) < 0)
        return rc;
    prev = inj;
    if (c->scen == S_FANOUT) {
        struct ng_node *fan;
        if ((rc = mk(g, tp, ngb_type_name(c->mode, T_FAN), &fan)) < 0 ||
            (rc = ng_connect(inj, "out", fan, "in")) < 0)
            return rc;
        for (int i = 0; i < FAN; i++) {
            char hn[8];
            snprintf(hn, sizeof(hn), "o%d", i);
            if ((rc = mk(g, tp, ngb_type_name(c->mode, T_SINK), &n)) < 0 ||
                (rc = ng_connect(fan, hn, n, "in")) < 0)
                return rc;
        }
    } else {
        for (int i = 0; i < c->n; i++) {
            if (spread && (rc = mk(g, tp, ngb_type_name(0, T_NULL), &dummy)) < 0)
                return rc;
            if ((rc = mk(g, tp, ngb_type_name(c->mode, T_PASS), &n)) < 0 ||
                (rc = ng_connect(prev, "out", n, "in")) < 0)
                return rc;
            if (i == c->n / 2) {
                r->mid = n;
            } else if (i == c->n / 2 + 1) {
                r->nxt = n;
            }
            prev = n;
        }
        if ((rc = mk(g, tp, ngb_type_name(c->mode, T_SINK), &n)) < 0 ||
            (rc = ng_connect(prev, "out", n, "in")) < 0)
            return rc;
        if (c->n / 2 + 1 >= c->n)
            r->nxt = n; /* short chain: churn the link into the sink */
    }
    return ng_hook_find(inj, "out", head);
}

static uint64_t drops_total(const struct ng_graph_stats *st)
{
    uint64_t d = 0;
    for (int i = 0; i < NG_DROP_REASONS; i++)
        d += st->drops[i];
    return d;
}

/* Start the W injecting workers (and the churn control thread), measure for
 * c->seconds, stop and join them.  Returns the RSS at the start. */
static long run_workers(struct run *r, struct ng_hook *const *heads, struct fnode *const *fheads,
                        int nchains, bool churn)
{
    int W = r->c->workers;
    pthread_barrier_init(&r->bar, NULL, (unsigned)(W + 1 + (churn ? 1 : 0)));
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 0; i < W; i++) {
        struct worker *w = &r->w[i];
        w->idx = i;
        w->cpu = (int)(i % (ncpu > 0 ? ncpu : 1));
        w->run = r;
        w->head = heads[i % nchains];
        w->fhead = fheads[i % nchains];
        w->slot.caplat = LAT_CAP;
        w->slot.lat = malloc(LAT_CAP * sizeof(uint32_t));
        pthread_create(&w->tid, NULL, worker_main, w);
    }
    if (churn)
        pthread_create(&r->ctl_tid, NULL, ngb_churn_main, r);
    pthread_barrier_wait(&r->bar);
    long rss0 = ngb_rss_kb();
    uint64_t t0 = ngb_now_ns();
    ngb_sleep_until(t0 + (uint64_t)(r->c->seconds * 1e9));
    atomic_store(&r->stop, 1);
    for (int i = 0; i < W; i++)
        pthread_join(r->w[i].tid, NULL);
    if (churn)
        pthread_join(r->ctl_tid, NULL);
    return rss0;
}

/* Latency percentiles over every worker's samples; frees the samples. */
static void run_latency(struct run *r, size_t nlat, double *p50, double *p99, double *p999)
{
    uint32_t *lat = malloc((nlat ? nlat : 1) * sizeof(uint32_t));
    size_t k = 0;
    for (int i = 0; i < r->c->workers; i++) {
        memcpy(lat + k, r->w[i].slot.lat, r->w[i].slot.nlat * sizeof(uint32_t));
        k += r->w[i].slot.nlat;
        free(r->w[i].slot.lat);
    }
    ngb_percentiles(lat, k, p50, p99, p999);
    free(lat);
}

void ngb_run_one(const struct ngb_opts *o, struct cfg *c, int rep)
{
#ifdef NGB_HAVE_DPDK
    if (ngb_is_dpdk(c)) {
        ngb_run_dpdk(o, c, rep);
        return;
    }
#endif
    /* Function-local statics: too large for a thread stack (the topology
     * alone holds MAXW x (MAXN + 8) node pointers), reused by every run so
     * that the RSS figures do not see a fresh mapping each time. */
    static struct run rr;
    static struct topo tp;
    struct run *r = &rr;
    memset(r, 0, sizeof(*r));
    tp.nn = 0;
    r->o = o;
    r->c = c;
    struct ng_graph_config gc;
    ng_graph_config_init(&gc);
    gc.backend = c->kind == K_ENGINE ? (enum ng_backend)c->backend : NG_BACKEND_CK_EPOCH;
    gc.entry = o->entry;
    if (ng_graph_create(&gc, &r->g) < 0 || ngb_types_register(r->g) < 0) {
        fprintf(stderr, "ngbench: graph setup failed\n");
        exit(2);
    }
    struct ng_graph *g = r->g;
    int W = c->workers;
    int nchains = ((c->scen == S_SCALE || c->scen == S_RUNTIME) && c->layout == 1) ? 1 : W;
    struct fnode **fall = NULL;
    int nfall = 0;
    struct ng_hook *heads[MAXW] = {0};
    struct fnode *fheads[MAXW] = {0};
    /* Layout shift of the malloc heap (see layout_prefix). */
    void *pad = malloc(64 + 80 * (size_t)(c->scen == S_CHAIN ? c->layout_rep : 0));
    if (c->kind == K_ENGINE) {
        for (int i = 0; i < nchains; i++)
            if (build_engine(r, &tp, &heads[i]) < 0) {
                fprintf(stderr, "ngbench: topology setup failed\n");
                exit(2);
            }
        r->passtype = ngb_type_name(c->mode, T_PASS);
    } else if (c->kind == K_FLOOR || c->kind == K_FLOOR_TJ) {
        fall = calloc((size_t)nchains * (size_t)(2 * c->n + FAN + 2 + 3 * c->layout_rep),
                      sizeof(*fall));
        for (int i = 0; i < nchains; i++)
            fheads[i] = ngb_floor_build(c, &fall, &nfall);
    }
    struct ng_graph_stats st0, st1;
    ng_graph_stats(g, &st0);

    bool churn = c->kind == K_ENGINE && c->scen == S_CHURN && c->rate > 0;
    long rss0;
    if (c->scen == S_RUNTIME) {
        rss0 = ngb_rss_kb();
        ngb_rt_run(r, heads, nchains);
    } else {
        rss0 = run_workers(r, heads, fheads, nchains, churn);
    }

    /* Accounting.  Runtime: a failed submit counts as sent; if the engine
     * freed it without a drop count (-EINVAL) the bench counts the drop. */
    uint64_t sent = r->sub_fail, allocf = r->alloc_fail;
    uint64_t deliv, nohook;
    ngb_slotless_take(&deliv, &nohook);
    double thr = 0, thrw = 0, nsitem = 0;
    size_t nlat = 0;
    for (int i = 0; i < W; i++) {
        struct worker *w = &r->w[i];
        sent += w->sent;
        allocf += w->alloc_fail;
        deliv += atomic_load_explicit(&w->slot.delivered, memory_order_relaxed);
        nohook += w->slot.nohook;
        nlat += w->slot.nlat;
        double s = (double)w->t_ns / 1e9, cs = (double)w->cpu_ns / 1e9;
        thrw += s > 0 ? (double)w->timed / s : 0;
        thr += cs > 0 ? (double)w->timed / cs : 0;
        nsitem += w->timed ? (double)w->cpu_ns / (double)w->timed : 0;
    }
    deliv += atomic_load_explicit(&r->ctl_slot.delivered, memory_order_relaxed);
    nohook += r->ctl_slot.nohook;
    nsitem /= W;
    ng_graph_stats(g, &st1);
    uint64_t gd = drops_total(&st1) - drops_total(&st0);
    uint64_t fan = c->scen == S_FANOUT ? FAN : 1;
    uint64_t expect = sent * fan;
    uint64_t dropped = gd - allocf + nohook + r->sub_freed;
    bool ok = expect == deliv + dropped && st1.items_live == st0.items_live;
    if (!ok) {
        ng_graph_barrier(g);
        ng_graph_stats(g, &st1);
        gd = drops_total(&st1) - drops_total(&st0);
        dropped = gd - allocf + nohook + r->sub_freed;
        ok = expect == deliv + dropped && st1.items_live == st0.items_live;
    }
    if (c->kind == K_ENGINE && c->scen == S_CHURN)
        ng_graph_barrier(g); /* reclaim what churn deferred before measuring RSS */
    long rss1 = ngb_rss_kb();

    run_latency(r, nlat, &c->p50[rep], &c->p99[rep], &c->p999[rep]);
    c->thr[rep] = thr;
    c->good[rep] = expect ? thr * (double)deliv / (double)expect : 0;
    c->thrw[rep] = thrw;
    c->nsitem[rep] = nsitem;
    c->drops_rep[rep] = (double)dropped;
    c->achieved[rep] = churn && r->ctl_ns ? (double)r->ops / ((double)r->ctl_ns / 1e9) : 0;
    c->defer_peak[rep] = (double)r->defer_peak;
    c->us_change[rep] = r->ops ? (double)r->busy_ns / 1e3 / (double)r->ops : NAN;
    c->waitpct[rep] = r->timed_sub ? 100.0 * (double)r->bp_waits / (double)r->timed_sub : NAN;
    c->idle[rep] = c->scen == S_RUNTIME ? r->idle : NAN;
    c->sub_fail += r->sub_fail;
    c->bp_waits += r->bp_waits;
    c->sent += sent;
    c->delivered += deliv;
    c->dropped += dropped;
    c->notconn += st1.drops[NG_DROP_NOTCONN] - st0.drops[NG_DROP_NOTCONN];
    c->nohook += nohook;
    c->churn_ops += r->ops;
    c->rss_before = rss0;
    c->rss_after = rss1;
    if (!ok || r->ctl_err || r->sub_err) {
        c->acct_ok = false;
        c->acct_fail++;
        fprintf(stderr,
                "\nngbench: %s %s rep %d: sent %" PRIu64 " x%" PRIu64 " %s delivered %" PRIu64
                " + dropped %" PRIu64 " (graph drops %" PRIu64 ", bench drops %" PRIu64
                "), live %" PRIu64 " -> %" PRIu64 ", control errors %d, failed submits %" PRIu64
                " (first %d)\n",
                ok ? "RUN FAILURE" : "ACCOUNTING FAILURE", ngb_scen_names[c->scen], rep, sent, fan,
                ok ? "==" : "!=", deliv, dropped, gd, nohook + r->sub_freed, st0.items_live,
                st1.items_live, r->ctl_err, r->sub_fail, r->sub_err);
    }
    if (o->verbose)
        fprintf(stderr,
                "\n  thr %.2f M/s sent %" PRIu64 " deliv %" PRIu64 " drop %" PRIu64
                " submit waits %" PRIu64 " failed %" PRIu64 "\n",
                thr / 1e6, sent, deliv, dropped, r->bp_waits, r->sub_fail);

    for (int i = 0; i < nchains; i++)
        if (heads[i])
            ng_hook_unref(heads[i]);
    for (int i = 0; i < tp.nn; i++)
        ng_node_unref(tp.nodes[i]);
    ng_graph_destroy(g);
    for (int i = 0; i < nfall; i++)
        free(fall[i]);
    free(fall);
    free(pad);
    pthread_barrier_destroy(&r->bar);
}
