/*
 * entry.c - the entry scenario: what netgraph-mode node entry costs under
 * each scheme (issue #14 item 2; docs/design.md "Node entry").
 *
 * Two graphs in the same process, one with NG_ENTRY_BIASED and one with
 * NG_ENTRY_CAS (ck_epoch both), each holding the same three things, built
 * once and measured alternately in every rep (same weather):
 *   chain     a source -> 16 netgraph-mode pass nodes -> sink, one thread,
 *             items sent inside batches: ns per hop (over src -> sink);
 *   forced    the same chain with every pass node forced to writer mode
 *             (ng_node_force_writer): the biased scheme never biases such
 *             nodes, so its cost per hop must match the counted scheme's
 *             (no barrier per item);
 *   writer    ng_send_fn(NG_FN_WRITER) to an idle netgraph-mode node, from
 *             outside any section: the direct writer path, which on a
 *             biased node revokes the bias (one CAS, membarrier(2), a scan
 *             of the announcement slots) and re-arms it on leaving.
 * Data rows are in thread CPU time, the writer row in wall-clock time.
 * Each rep is flagged by the contention probe; medians over quiet reps.
 * Without membarrier (valgrind, old kernels) the biased rows say so.
 */
#include "ngbench.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EN_HOPS 16

struct echain {
    struct ng_graph *g;
    struct ng_node *src, *sink;
    struct ng_node *pass[EN_HOPS];
    struct ng_hook *h0, *h16; /* out of the source: straight to the sink / through the chain */
    struct ng_node *src0, *sink0;
    struct ng_node *idle;     /* target of the writer functions */
};

static int line(struct ng_graph *g, int hops, struct ng_node **src, struct ng_node **sink,
                struct ng_node **pass, struct ng_hook **head)
{
    const char *P = ngb_type_name(0, T_PASS), *S = ngb_type_name(0, T_SINK);
    int rc = ng_node_create(g, S, src);
    struct ng_node *prev = *src;
    const char *ph = "out";
    for (int i = 0; i < hops && rc == 0; i++) {
        rc = ng_mkpeer(prev, ph, P, "in", &pass[i]);
        prev = pass[i];
        ph = "out";
    }
    if (rc == 0)
        rc = ng_mkpeer(prev, ph, S, "in", sink);
    if (rc == 0)
        rc = ng_hook_find(*src, "out", head);
    return rc;
}

static int echain_build(struct echain *c, enum ng_entry_scheme e)
{
    memset(c, 0, sizeof(*c));
    struct ng_graph_config gc;
    ng_graph_config_init(&gc);
    gc.backend = NG_BACKEND_CK_EPOCH;
    gc.entry = e;
    int rc = ng_graph_create(&gc, &c->g);
    if (rc)
        return rc;
    if ((rc = ngb_types_register(c->g)) != 0)
        return rc;
    struct ng_node *none[1];
    if ((rc = line(c->g, EN_HOPS, &c->src, &c->sink, c->pass, &c->h16)) != 0 ||
        (rc = line(c->g, 0, &c->src0, &c->sink0, none, &c->h0)) != 0)
        return rc;
    return ng_node_create(c->g, ngb_type_name(0, T_PASS), &c->idle);
}

static void echain_free(struct echain *c)
{
    if (!c->g)
        return;
    if (c->h16)
        ng_hook_unref(c->h16);
    if (c->h0)
        ng_hook_unref(c->h0);
    struct ng_node *all[] = {c->src, c->sink, c->src0, c->sink0, c->idle};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (all[i]) {
            ng_node_shutdown(all[i]);
            ng_node_unref(all[i]);
        }
    for (int i = 0; i < EN_HOPS; i++)
        if (c->pass[i])
            ng_node_unref(c->pass[i]);
    ng_graph_destroy(c->g);
    memset(c, 0, sizeof(*c));
}

static void force(struct echain *c, int on)
{
    for (int i = 0; i < EN_HOPS; i++)
        ng_node_force_writer(c->pass[i], on);
}

/* Thread CPU ns per item for n items out of h, 64 bytes each, one batch
 * per 256 (CPU time, as the chain scenario: robust to other load). */
static double push(struct ng_graph *g, struct ng_hook *h, unsigned n)
{
    uint64_t t0 = ngb_cpu_ns();
    for (unsigned i = 0; i < n;) {
        ng_batch_begin(g);
        for (unsigned k = 0; k < 256 && i < n; k++, i++) {
            struct ng_item *it = ng_item_alloc(g, 64);
            if (!it)
                continue;
            ((uint64_t *)ng_item_meta(it))[0] = 0; /* no latency sample */
            ng_send_data(h, it);
        }
        ng_batch_end(g);
    }
    return (double)(ngb_cpu_ns() - t0) / n;
}

static void noop_fn(struct ng_node *n, struct ng_hook *h, void *a, int b)
{
    (void)n, (void)h, (void)a, (void)b;
}

/* Wall-clock ns per writer function sent to (and run on) the idle node
 * (wall clock: membarrier's cost is partly other CPUs' time, IPIs). */
static double writers(struct echain *c, unsigned n)
{
    uint64_t t0 = ngb_now_ns();
    for (unsigned i = 0; i < n; i++)
        ng_send_fn(c->idle, NULL, noop_fn, NULL, 0, NG_FN_WRITER);
    return (double)(ngb_now_ns() - t0) / n;
}

void ngb_entry_run(const struct ngb_opts *o, struct ngb_suite *s)
{
    struct ngb_entry_res *r = &s->entry;
    memset(r, 0, sizeof(*r));
    if (!o->scen[S_ENTRY])
        return;
    r->ran = true;
    bool smoke = !strcmp(o->suite, "smoke");
    unsigned n = smoke ? 20000 : 300000, nw = smoke ? 2000 : 20000;
    r->reps = smoke ? 1 : 5;
    struct echain c[2]; /* [0] biased, [1] counted */
    memset(c, 0, sizeof(c));
    int rc = echain_build(&c[0], NG_ENTRY_BIASED);
    r->biased_ok = rc == 0;
    if (rc == -EOPNOTSUPP)
        snprintf(r->why_biased, sizeof(r->why_biased), "no membarrier(2) here");
    else if (rc)
        snprintf(r->why_biased, sizeof(r->why_biased), "setup failed: %s", strerror(-rc));
    if (!r->biased_ok)
        echain_free(&c[0]);
    if ((rc = echain_build(&c[1], NG_ENTRY_CAS)) != 0) {
        snprintf(r->why, sizeof(r->why), "setup failed: %s", strerror(-rc));
        echain_free(&c[0]);
        echain_free(&c[1]);
        return;
    }
    struct tslot slot = {0};
    ngb_slot_set(&slot);
    for (int rep = 0; rep < r->reps; rep++) {
        fprintf(stderr, "[entry] rep %d/%d ...\n", rep + 1, r->reps);
        r->probe[rep] = ngb_probe(300000);
        for (int k = 0; k < 2; k++) {
            if (k == 0 && !r->biased_ok)
                continue;
            struct echain *x = &c[k];
            (void)push(x->g, x->h16, n / 10);
            double base = push(x->g, x->h0, n);
            r->chain[k][rep] = (push(x->g, x->h16, n) - base) / EN_HOPS;
            force(x, 1);
            (void)push(x->g, x->h16, n / 10);
            r->forced[k][rep] = (push(x->g, x->h16, n) - base) / EN_HOPS;
            force(x, 0);
            (void)writers(x, nw / 10);
            r->writer[k][rep] = writers(x, nw);
        }
    }
    r->contended = ngb_mark_quiet(r->probe, r->quiet, r->reps);
    ngb_slot_set(NULL);
    echain_free(&c[0]);
    echain_free(&c[1]);
}

void ngb_entry_report(const struct ngb_suite *s)
{
    const struct ngb_entry_res *r = &s->entry;
    if (!r->ran)
        return;
    printf("\n== node entry: biased vs counted (CAS) scheme, ck_epoch, netgraph mode, one "
           "thread ==\n");
    printf("(CPU: %s)\n", s->cpu);
    if (r->why[0]) {
        printf("not run: %s\n", r->why);
        return;
    }
    printf("%d reps (%d contended), medians of the quiet reps; both graphs in this process.\n",
           r->reps, r->contended);
    printf("%-52s %10s %10s %8s\n", "", "biased", "counted", "ratio");
    static const char *const names[3] = {
        "16-node chain, ns per hop",
        "16-node chain, forced writer, ns per hop",
        "writer function to an idle node, ns per call",
    };
    const double(*v[3])[8] = {r->chain, r->forced, r->writer};
    for (int i = 0; i < 3; i++) {
        double b = r->biased_ok ? ngb_entry_med(r, v[i][0]) : NAN, k = ngb_entry_med(r, v[i][1]);
        if (r->biased_ok)
            printf("%-52s %10.2f %10.2f %8.2f\n", names[i], b, k, b / k);
        else
            printf("%-52s %10s %10.2f %8s  (biased: %s)\n", names[i], "-", k, "-", r->why_biased);
    }
}
