/*
 * ngtest.c - backend choice, graphs, items, links and fixtures shared by the
 * cmocka tests (see ngtest.h; the test node types are in nodes.c).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ngtest.h"
#include <ngraph/runtime.h>

enum ng_backend ngtest_backend(void)
{
    const char *s = getenv("NG_BACKEND");
    enum ng_backend b = NG_BACKEND_CK_EPOCH;
    if (s && *s && ng_backend_parse(s, &b) != 0)
        fail_msg("unknown NG_BACKEND=%s", s);
    return b;
}

void ngtest_graph_config(struct ng_graph_config *cfg)
{
    ng_graph_config_init(cfg);
    cfg->backend = ngtest_backend();
    /* NG_ENTRY=cas|biased|auto: the netgraph-mode entry scheme (default
     * auto), so any test can be run under either scheme. */
    const char *e = getenv("NG_ENTRY");
    if (!e || !*e || strcmp(e, "auto") == 0)
        cfg->entry = NG_ENTRY_AUTO;
    else if (strcmp(e, "cas") == 0)
        cfg->entry = NG_ENTRY_CAS;
    else if (strcmp(e, "biased") == 0)
        cfg->entry = NG_ENTRY_BIASED;
    else
        fail_msg("unknown NG_ENTRY=%s (cas, biased, auto)", e);
}

bool ngtest_biased_available(void)
{
    struct ng_graph_config cfg;
    ngtest_graph_config(&cfg);
    cfg.entry = NG_ENTRY_BIASED;
    struct ng_graph *g = NULL;
    int rc = ng_graph_create(&cfg, &g);
    if (rc == -EOPNOTSUPP)
        return false;
    assert_int_equal(rc, 0);
    ng_graph_destroy(g);
    return true;
}

struct ng_graph *ngtest_graph_create(const struct ng_graph_config *cfg)
{
    struct ng_graph *g = NULL;
    assert_int_equal(ng_graph_create(cfg, &g), 0);
    assert_non_null(g);
    assert_int_equal(ng_type_register(g, &ngtest_counter_type), 0);
    assert_int_equal(ng_type_register(g, &ngtest_pass_type), 0);
    return g;
}

struct ng_graph *ngtest_graph(void)
{
    struct ng_graph_config cfg;
    ngtest_graph_config(&cfg);
    return ngtest_graph_create(&cfg);
}

struct ng_runtime *ngtest_runtime(struct ng_graph *g, unsigned nworkers)
{
    struct ng_runtime_config cfg;
    ng_runtime_config_init(&cfg);
    cfg.nworkers = nworkers;
    struct ng_runtime *rt = NULL;
    assert_int_equal(ng_runtime_start(g, &cfg, &rt), 0);
    assert_non_null(rt);
    return rt;
}

struct ng_item *ngtest_item(struct ng_graph *g, uint32_t len, uint8_t fill)
{
    struct ng_item *it = ng_item_alloc(g, len);
    assert_non_null(it);
    memset(ng_item_data(it), fill, len);
    return it;
}

struct ng_hook *ngtest_link(struct ng_graph *g, const char *type, struct ng_node **srcp,
                            struct ng_node **dstp)
{
    assert_int_equal(ng_node_create(g, "hole", srcp), 0);
    assert_int_equal(ng_node_create(g, type, dstp), 0);
    assert_int_equal(ng_connect(*srcp, "out", *dstp, "in"), 0);
    struct ng_hook *h = NULL;
    assert_int_equal(ng_hook_find(*srcp, "out", &h), 0);
    return h;
}

struct ng_hook *ngtest_chain(struct ng_graph *g, int npass, struct ng_node **srcp,
                             struct ng_node **cntp)
{
    return ngtest_chain_of(g, "pass", "counter", npass, srcp, cntp);
}

struct ng_hook *ngtest_chain_of(struct ng_graph *g, const char *passtype, const char *cnttype,
                                int npass, struct ng_node **srcp, struct ng_node **cntp)
{
    struct ng_node *src, *prev, *x;
    assert_int_equal(ng_node_create(g, "hole", &src), 0);
    prev = src;
    for (int i = 0; i < npass; i++) {
        assert_int_equal(ng_node_create(g, passtype, &x), 0);
        assert_int_equal(ng_connect(prev, "out", x, "in"), 0);
        if (prev != src)
            ng_node_unref(prev);
        prev = x;
    }
    assert_int_equal(ng_node_create(g, cnttype, cntp), 0);
    assert_int_equal(ng_connect(prev, "out", *cntp, "in"), 0);
    if (prev != src)
        ng_node_unref(prev);
    struct ng_hook *h;
    assert_int_equal(ng_hook_find(src, "out", &h), 0);
    *srcp = src;
    return h;
}

void ngtest_link_release(struct ng_hook *h, struct ng_node *src, struct ng_node *dst)
{
    ng_hook_unref(h);
    ng_node_unref(src);
    ng_node_unref(dst);
}

int ngtest_msg(struct ng_graph *g, const char *path, uint32_t cookie, uint32_t cmd,
               struct ng_mesg **resp)
{
    struct ng_mesg *m = ng_mesg_alloc(cookie, cmd, 0);
    assert_non_null(m);
    return ng_send_msg(g, NULL, path, m, resp);
}

uint64_t ngtest_drops(const struct ng_graph_stats *st)
{
    uint64_t d = 0;
    for (int i = 0; i < NG_DROP_REASONS; i++)
        d += st->drops[i];
    return d;
}

uint64_t ngtest_splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double ngtest_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------------ */
/* Fixtures                                                                 */
/* ------------------------------------------------------------------------ */

int ngtest_setup(void **state)
{
    ngtest_totals_reset();
    *state = ngtest_graph();
    return 0;
}

int ngtest_teardown(void **state)
{
    struct ng_graph *g = *state;
    if (!g)
        return 0;
    *state = NULL;
    struct ng_graph_stats st;
    assert_int_equal(ng_graph_barrier(g), 0);
    ng_graph_stats(g, &st);
    ng_graph_destroy(g);
    if (st.items_live != 0)
        fail_msg("%llu item(s) still live at the end of the test",
                 (unsigned long long)st.items_live);
    if (atomic_load(&ngtest_totals.counters_alive) != 0)
        fail_msg("%lld counter node(s) not shut down by ng_graph_destroy()",
                 (long long)atomic_load(&ngtest_totals.counters_alive));
    return 0;
}
