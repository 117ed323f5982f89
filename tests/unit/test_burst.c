/*
 * test_burst.c - the burst data path (ng_send_data_burst, ng_inject_data_burst,
 * the rcvdata_burst method, runtime workers sending bursts):
 *   - bursts through chains of shared and netgraph nodes, with and without
 *     the burst method (the engine then delivers item by item), inside a
 *     batch (fast path) and outside (slow path): every item arrives once,
 *     the burst method is called once per burst, hook counters move by n;
 *   - n = 0, 1, NG_BURST_MAX, NG_BURST_MAX + 1; bad-input rows;
 *   - a cut link (all n dropped and counted) and a link cut by the
 *     receiving node in the middle of its burst;
 *   - forced writer (one writer entry per burst), forced queue and a busy
 *     netgraph node (each item queued on its own, then run);
 *   - runtime workers: submitted bursts reach the peer as bursts;
 *   - accounting everywhere: sent == delivered + dropped, no item left.
 * Runs under every backend (NG_BACKEND).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ngtest.h"

#include <ngraph/runtime.h>

/* src (hole) -> npass nodes of passtype -> one node of cnttype. */
#define chain_of ngtest_chain_of

static void fill(struct ng_graph *g, struct ng_item **v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        v[i] = ngtest_item(g, 16, (uint8_t)i);
}

static uint64_t drops_now(struct ng_graph *g)
{
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    return ngtest_drops(&st);
}

static uint64_t live_now(struct ng_graph *g)
{
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    return st.items_live;
}

static struct ng_hook_stats hook_stats_of(struct ng_node *n, const char *name)
{
    struct ng_hook *h;
    struct ng_hook_stats hs;
    assert_int_equal(ng_hook_find(n, name, &h), 0);
    assert_int_equal(ng_hook_stats(h, &hs), 0);
    ng_hook_unref(h);
    return hs;
}

/* ------------------------------------------------------------------------ */

static const unsigned sizes[] = {1, 7, 32, NG_BURST_MAX};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/* Bursts of every size through hole -> 4 x passtype -> cnttype, in a batch
 * or not; `bursts` says whether the counter must see them as bursts. */
static void chain_case(struct ng_graph *g, const char *passtype, const char *cnttype, bool batch,
                       bool bursts)
{
    struct ng_node *src, *cnt;
    struct ng_hook *h = chain_of(g, passtype, cnttype, 4, &src, &cnt);
    uint64_t d0 = drops_now(g), total = 0;
    struct ng_item *v[NG_BURST_MAX];
    for (size_t k = 0; k < NSIZES; k++) {
        fill(g, v, sizes[k]);
        if (batch)
            assert_int_equal(ng_batch_begin(g), 0);
        assert_int_equal(ng_send_data_burst(h, v, sizes[k]), 0);
        if (batch)
            assert_int_equal(ng_batch_end(g), 0);
        total += sizes[k];
        assert_int_equal(ngtest_counter_get(cnt), total);
    }
    assert_int_equal(ngtest_counter_bursts(cnt), bursts ? NSIZES : 0);
    struct ng_hook_stats hs = hook_stats_of(src, "out"), cs = hook_stats_of(cnt, "in");
    assert_int_equal(hs.items_out, total);
    assert_int_equal(hs.drops, 0);
    assert_int_equal(cs.items_in, total);
    struct ng_node_stats ns;
    assert_int_equal(ng_node_stats(cnt, &ns), 0);
    assert_int_equal(ns.items_in, total);
    assert_int_equal(drops_now(g), d0);
    assert_int_equal(live_now(g), 0);
    assert_int_equal(atomic_load(&ngtest_totals.lost), 0);
    assert_int_equal(ng_node_shutdown(cnt), 0);
    ngtest_link_release(h, src, cnt);
}

static void test_burst_shared(void **state)
{
    struct ng_graph *g = *state;
    for (int b = 0; b < 2; b++)
        chain_case(g, "pass", "counter", b, true);
}

static void test_burst_netgraph(void **state)
{
    struct ng_graph *g = *state;
    ngtest_register_rw(g);
    for (int b = 0; b < 2; b++) {
        chain_case(g, "pass_rw", "counter_rw", b, true);
        chain_case(g, "pass", "counter_rw", b, true); /* shared -> netgraph */
        chain_case(g, "pass_rw", "counter", b, true); /* netgraph -> shared */
    }
}

/* Types without rcvdata_burst get their items one by one, same accounting. */
static void test_burst_without_method(void **state)
{
    struct ng_graph *g = *state;
    ngtest_register_rw(g);
    ngtest_register_single(g);
    for (int b = 0; b < 2; b++) {
        chain_case(g, "pass1", "counter1", b, false);
        chain_case(g, "pass1_rw", "counter1_rw", b, false);
        chain_case(g, "pass", "counter1", b, false);
        chain_case(g, "pass_rw", "counter1_rw", b, false);
        /* Forwarded one by one by pass1: the counter sees single items. */
        chain_case(g, "pass1", "counter", b, false);
    }
}

/* n = 0, 1, NG_BURST_MAX, NG_BURST_MAX + 1 for both entry points. */
static void test_burst_edges(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *src, *cnt;
    struct ng_hook *h = chain_of(g, "pass", "counter", 2, &src, &cnt);
    static struct ng_item *v[NG_BURST_MAX + 1];
    uint64_t d0 = drops_now(g);

    /* n == 0: nothing happens, nothing is consumed. */
    assert_int_equal(ng_send_data_burst(h, NULL, 0), 0);
    assert_int_equal(ng_inject_data_burst(cnt, "in", NULL, 0), 0);
    fill(g, v, 1);
    assert_int_equal(ng_send_data_burst(h, v, 0), 0);
    assert_int_equal(ng_inject_data_burst(cnt, "in", v, 0), 0);
    assert_int_equal(live_now(g), 1); /* still ours */
    assert_int_equal(ngtest_counter_get(cnt), 0);
    assert_int_equal(ng_send_data_burst(h, v, 1), 0); /* n == 1 */
    assert_int_equal(ngtest_counter_get(cnt), 1);
    assert_int_equal(ngtest_counter_bursts(cnt), 1);

    fill(g, v, NG_BURST_MAX);
    assert_int_equal(ng_inject_data_burst(cnt, "in", v, NG_BURST_MAX), 0);
    assert_int_equal(ngtest_counter_get(cnt), 1 + NG_BURST_MAX);

    /* One past the limit: refused, every item freed, nothing counted. */
    fill(g, v, NG_BURST_MAX + 1);
    assert_int_equal(ng_send_data_burst(h, v, NG_BURST_MAX + 1), -EINVAL);
    assert_int_equal(live_now(g), 0);
    fill(g, v, NG_BURST_MAX + 1);
    assert_int_equal(ng_inject_data_burst(cnt, "in", v, NG_BURST_MAX + 1), -EINVAL);
    assert_int_equal(live_now(g), 0);
    /* Also inside a batch (the fast path's range check). */
    fill(g, v, NG_BURST_MAX + 1);
    assert_int_equal(ng_batch_begin(g), 0);
    assert_int_equal(ng_send_data_burst(h, v, NG_BURST_MAX + 1), -EINVAL);
    assert_int_equal(ng_send_data_burst(h, NULL, 4), -EINVAL);
    assert_int_equal(ng_send_data_burst(NULL, NULL, 0), 0);
    assert_int_equal(ng_batch_end(g), 0);
    assert_int_equal(live_now(g), 0);

    assert_int_equal(ngtest_counter_get(cnt), 1 + NG_BURST_MAX);
    assert_int_equal(drops_now(g), d0);
    assert_int_equal(ng_node_shutdown(cnt), 0);
    ngtest_link_release(h, src, cnt);
}

/* Bad input: what each call returns, what it consumes, what it counts. */
enum bad_call { BAD_SEND, BAD_INJECT };
struct bad_row {
    const char *what;
    enum bad_call call;
    bool null_hook; /* send: hook NULL; inject: node NULL */
    bool null_name; /* inject: hookname NULL */
    const char *hookname;
    bool null_items;
    unsigned n, null_at; /* null_at: index of a NULL entry, or n (none) */
    int rc;
    uint64_t dropped; /* counted drops (graph) */
};

static const struct bad_row bad_rows[] = {
    {"send, hook NULL", BAD_SEND, true, false, NULL, false, 8, 8, -EINVAL, 0},
    {"send, items NULL", BAD_SEND, false, false, NULL, true, 8, 8, -EINVAL, 0},
    {"send, NULL entry", BAD_SEND, false, false, NULL, false, 8, 3, -EINVAL, 0},
    {"send, NULL first", BAD_SEND, false, false, NULL, false, 1, 0, -EINVAL, 0},
    {"send, n too big", BAD_SEND, false, false, NULL, false, NG_BURST_MAX + 1, NG_BURST_MAX + 1,
     -EINVAL, 0},
    {"inject, node NULL", BAD_INJECT, true, false, "in", false, 8, 8, -EINVAL, 0},
    {"inject, name NULL", BAD_INJECT, false, true, NULL, false, 8, 8, -EINVAL, 0},
    {"inject, items NULL", BAD_INJECT, false, false, "in", true, 8, 8, -EINVAL, 0},
    {"inject, NULL entry", BAD_INJECT, false, false, "in", false, 8, 7, -EINVAL, 0},
    {"inject, no such hook", BAD_INJECT, false, false, "nope", false, 8, 8, -ENOENT, 8},
    {"inject, bad name", BAD_INJECT, false, false, "a.b:", false, 5, 5, -ENOENT, 5},
};

static void test_burst_badinput(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *src, *cnt;
    struct ng_hook *h = chain_of(g, "pass", "counter", 1, &src, &cnt);
    static struct ng_item *v[NG_BURST_MAX + 1];
    for (size_t r = 0; r < sizeof(bad_rows) / sizeof(bad_rows[0]); r++) {
        const struct bad_row *row = &bad_rows[r];
        fill(g, v, row->n);
        if (row->null_at < row->n) {
            ng_item_free(v[row->null_at]);
            v[row->null_at] = NULL;
        }
        uint64_t d0 = drops_now(g);
        struct ng_item **items = row->null_items ? NULL : v;
        int rc = row->call == BAD_SEND
                     ? ng_send_data_burst(row->null_hook ? NULL : h, items, row->n)
                     : ng_inject_data_burst(row->null_hook ? NULL : cnt,
                                            row->null_name ? NULL : row->hookname, items, row->n);
        if (rc != row->rc)
            fail_msg("%s: rc %d, expected %d", row->what, rc, row->rc);
        assert_int_equal(drops_now(g) - d0, row->dropped);
        if (row->null_items) /* nothing consumed: still ours */
            for (unsigned i = 0; i < row->n; i++)
                ng_item_free(v[i]);
        if (live_now(g) != 0)
            fail_msg("%s: %llu items left alive", row->what, (unsigned long long)live_now(g));
    }
    assert_int_equal(ngtest_counter_get(cnt), 0);
    assert_int_equal(ng_node_shutdown(cnt), 0);
    ngtest_link_release(h, src, cnt);
}

/* ------------------------------------------------------------------------ */
/* Cut links                                                                */
/* ------------------------------------------------------------------------ */

static void test_burst_cut_link(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *src, *cnt;
    struct ng_hook *h = chain_of(g, "pass", "counter", 0, &src, &cnt);
    struct ng_item *v[16];
    assert_int_equal(ng_rmhook(src, "out"), 0);
    for (int b = 0; b < 2; b++) {
        struct ng_graph_stats st0, st1;
        ng_graph_stats(g, &st0);
        fill(g, v, 16);
        if (b)
            assert_int_equal(ng_batch_begin(g), 0);
        assert_int_equal(ng_send_data_burst(h, v, 16), -ENOTCONN);
        if (b)
            assert_int_equal(ng_batch_end(g), 0);
        ng_graph_stats(g, &st1);
        assert_int_equal(st1.drops[NG_DROP_NOTCONN] - st0.drops[NG_DROP_NOTCONN], 16);
        assert_int_equal(st1.items_live, 0);
    }
    struct ng_hook_stats hs;
    assert_int_equal(ng_hook_stats(h, &hs), 0);
    assert_int_equal(hs.drops, 32);
    assert_int_equal(ngtest_counter_get(cnt), 0);
    assert_int_equal(ng_node_shutdown(cnt), 0);
    ngtest_link_release(h, src, cnt);
}

/* "cutter": forwards the first half of its burst, removes its own out hook
 * (the link into the counter), then sends the second half into the cut. */
static _Atomic int cutter_rc2;

static int cutter_burst(struct ng_hook *hook, struct ng_item **items, unsigned n)
{
    struct ng_node *node = ng_hook_node(hook);
    struct ng_hook *out;
    assert_int_equal(ng_hook_find(node, "out", &out), 0);
    unsigned half = n / 2;
    int rc = ng_send_data_burst(out, items, half);
    assert_int_equal(ng_rmhook(node, "out"), 0);
    atomic_store(&cutter_rc2, ng_send_data_burst(out, items + half, n - half));
    ng_hook_unref(out);
    return rc;
}

static const struct ng_type cutter_types[2] = {
    {.version = NG_ABI_VERSION,
     .name = "cutter",
     .cookie = 0x7e5700c1,
     .flags = NG_TYPE_CONCURRENT_DATA,
     .rcvdata_burst = cutter_burst},
    {.version = NG_ABI_VERSION,
     .name = "cutter_rw",
     .cookie = 0x7e5700c2,
     .rcvdata_burst = cutter_burst},
};

static void test_burst_cut_mid_burst(void **state)
{
    struct ng_graph *g = *state;
    ngtest_register_rw(g);
    for (int k = 0; k < 2; k++)
        assert_int_equal(ng_type_register(g, &cutter_types[k]), 0);
    const char *cnts[] = {"counter", "counter_rw"};
    for (int k = 0; k < 4; k++) {
        struct ng_node *src, *cnt;
        struct ng_hook *h = chain_of(g, cutter_types[k & 1].name, cnts[k >> 1], 1, &src, &cnt);
        struct ng_item *v[40];
        struct ng_graph_stats st0, st1;
        ng_graph_stats(g, &st0);
        fill(g, v, 40);
        assert_int_equal(ng_send_data_burst(h, v, 40), 0);
        assert_int_equal(atomic_load(&cutter_rc2), -ENOTCONN);
        ng_graph_stats(g, &st1);
        assert_int_equal(ngtest_counter_get(cnt), 20);
        assert_int_equal(ngtest_counter_bursts(cnt), 1);
        assert_int_equal(st1.drops[NG_DROP_NOTCONN] - st0.drops[NG_DROP_NOTCONN], 20);
        assert_int_equal(st1.items_live, 0);
        assert_int_equal(ng_node_shutdown(cnt), 0);
        ngtest_link_release(h, src, cnt);
    }
}

/* ------------------------------------------------------------------------ */
/* Forced writer, forced queue, busy node                                   */
/* ------------------------------------------------------------------------ */

static void test_burst_forced(void **state)
{
    struct ng_graph *g = *state;
    ngtest_register_rw(g);
    ngtest_register_single(g);
    const char *cnts[] = {"counter_rw", "counter", "counter1_rw"};
    for (int k = 0; k < 3; k++) {
        struct ng_node *src, *cnt;
        struct ng_hook *h = chain_of(g, "pass_rw", cnts[k], 2, &src, &cnt);
        bool has_burst = k < 2;
        struct ng_item *v[32];
        /* Forced writer: one writer entry for the whole burst. */
        ng_node_force_writer(cnt, 1);
        fill(g, v, 32);
        assert_int_equal(ng_send_data_burst(h, v, 32), 0);
        assert_int_equal(ngtest_counter_get(cnt), 32);
        assert_int_equal(ngtest_counter_bursts(cnt), has_burst ? 1 : 0);
        ng_node_force_writer(cnt, 0);
        /* Forced queue (node, then hook): each item queued, then drained
         * inline in order (no runtime), through rcvdata. */
        struct ng_node_stats ns0, ns1;
        assert_int_equal(ng_node_stats(cnt, &ns0), 0);
        ng_node_force_queue(cnt, 1);
        fill(g, v, 32);
        assert_int_equal(ng_send_data_burst(h, v, 32), 0);
        ng_node_force_queue(cnt, 0);
        struct ng_hook *in;
        assert_int_equal(ng_hook_find(cnt, "in", &in), 0);
        ng_hook_force_queue(in, 1);
        fill(g, v, 32);
        assert_int_equal(ng_send_data_burst(h, v, 32), 0);
        ng_hook_force_queue(in, 0);
        ng_hook_unref(in);
        assert_int_equal(ng_node_stats(cnt, &ns1), 0);
        assert_int_equal(ns1.queued - ns0.queued, 64);
        assert_int_equal(ngtest_counter_get(cnt), 96);
        assert_int_equal(ngtest_counter_bursts(cnt), has_burst ? 1 : 0);
        assert_int_equal(live_now(g), 0);
        assert_int_equal(ng_node_shutdown(cnt), 0);
        ngtest_link_release(h, src, cnt);
    }
}

/* A netgraph node busy with a writer: the burst's reader entry fails and
 * every item is queued behind the writer, then run when it leaves. */
struct busy_ctx {
    struct ng_hook *h;
    struct ng_node *cnt;
    int rc;
    uint64_t seen_inside;
};

static void busy_fn(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)node, (void)hook, (void)arg2;
    struct busy_ctx *b = arg1;
    struct ng_item *v[24];
    fill(ng_node_graph(node), v, 24);
    b->rc = ng_send_data_burst(b->h, v, 24);
    b->seen_inside = ngtest_counter_get(b->cnt);
}

static void test_burst_busy_netgraph(void **state)
{
    struct ng_graph *g = *state;
    ngtest_register_rw(g);
    struct ng_node *src, *cnt;
    struct ng_hook *h = chain_of(g, "pass", "counter_rw", 0, &src, &cnt);
    struct busy_ctx b = {h, cnt, 1, 99};
    assert_int_equal(ng_send_fn(cnt, NULL, busy_fn, &b, 0, NG_FN_WRITER), 0);
    assert_int_equal(b.rc, 0);
    assert_int_equal(b.seen_inside, 0); /* queued while the writer ran */
    assert_int_equal(ngtest_counter_get(cnt), 24);
    struct ng_node_stats ns;
    assert_int_equal(ng_node_stats(cnt, &ns), 0);
    assert_int_equal(ns.queued, 24);
    assert_int_equal(live_now(g), 0);
    assert_int_equal(ng_node_shutdown(cnt), 0);
    ngtest_link_release(h, src, cnt);
}

/* ------------------------------------------------------------------------ */
/* Runtime workers                                                          */
/* ------------------------------------------------------------------------ */

static void wait_counted(struct ng_node *cnt, uint64_t want)
{
    double t0 = ngtest_now_s();
    while (ngtest_counter_get(cnt) < want && ngtest_now_s() - t0 < 30) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(ngtest_counter_get(cnt), want);
}

static void test_burst_runtime(void **state)
{
    struct ng_graph *g = *state;
    ngtest_register_rw(g);
    ngtest_register_single(g);
    struct ng_runtime *rt = ngtest_runtime(g, 1);
    struct ng_node *srca, *cnta, *srcb, *cntb;
    struct ng_hook *ha = chain_of(g, "pass", "counter", 3, &srca, &cnta);
    struct ng_hook *hb = chain_of(g, "pass_rw", "counter1_rw", 3, &srcb, &cntb);
    enum { ROUNDS = 64, B = 32 };
    struct ng_item *v[B];
    uint64_t na = 0, nb = 0;
    for (int r = 0; r < ROUNDS; r++) {
        /* Alternate hooks and sizes, single submits in between: a worker's
         * burst never mixes hooks, and what it holds back runs next. */
        fill(g, v, B);
        assert_int_equal(ng_runtime_submit_burst(rt, 0, ha, v, B), 0);
        na += B;
        unsigned k = 1 + (unsigned)r % B;
        fill(g, v, k);
        assert_int_equal(ng_runtime_submit_burst(rt, 0, hb, v, k), 0);
        nb += k;
        assert_int_equal(ng_runtime_submit(rt, 0, ha, ngtest_item(g, 8, 0)), 0);
        na++;
    }
    wait_counted(cnta, na);
    wait_counted(cntb, nb);
    /* Bursts arrived as bursts: far fewer calls than items. */
    uint64_t calls = ngtest_counter_bursts(cnta);
    assert_true(calls >= 1 && calls <= na / 2);
    assert_int_equal(ngtest_counter_bursts(cntb), 0); /* no burst method */
    ng_runtime_stop(rt);
    struct ng_hook_stats hs = hook_stats_of(srca, "out");
    assert_int_equal(hs.items_out, na);
    hs = hook_stats_of(srcb, "out");
    assert_int_equal(hs.items_out, nb);
    assert_int_equal(live_now(g), 0);
    assert_int_equal(ng_node_shutdown(cnta), 0);
    assert_int_equal(ng_node_shutdown(cntb), 0);
    ngtest_link_release(ha, srca, cnta);
    ngtest_link_release(hb, srcb, cntb);
}

/* tee forwards a burst as bursts: from right, all n out left and n copies
 * out right2left, with its counters moved by n. */
static void test_burst_tee(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *src, *tee, *l, *dup;
    assert_int_equal(ng_node_create(g, "hole", &src), 0);
    assert_int_equal(ng_node_create(g, "tee", &tee), 0);
    assert_int_equal(ng_node_create(g, "counter", &l), 0);
    assert_int_equal(ng_node_create(g, "counter", &dup), 0);
    assert_int_equal(ng_node_name(tee, "t"), 0);
    assert_int_equal(ng_connect(src, "out", tee, "right"), 0);
    assert_int_equal(ng_connect(tee, "left", l, "in"), 0);
    assert_int_equal(ng_connect(tee, "right2left", dup, "in"), 0);
    struct ng_hook *out;
    assert_int_equal(ng_hook_find(src, "out", &out), 0);
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        struct ng_item *v[NG_BURST_MAX];
        fill(g, v, sizes[k]);
        assert_int_equal(ng_send_data_burst(out, v, sizes[k]), 0);
    }
    ng_hook_unref(out);
    uint64_t total = 0;
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
        total += sizes[k];
    assert_int_equal(ngtest_counter_get(l), total);
    assert_int_equal(ngtest_counter_get(dup), total);
    struct ng_mesg *resp = NULL;
    assert_int_equal(ngtest_msg(g, "t:", NGM_TEE_COOKIE, NGM_TEE_GET_STATS, &resp), 0);
    assert_non_null(resp);
    const struct ng_tee_stats *st = (const void *)resp->data;
    assert_int_equal(st->right.inFrames, total);
    assert_int_equal(st->left.outFrames, total);
    assert_int_equal(st->right2left.outFrames, total);
    ng_mesg_free(resp);
    assert_int_equal(live_now(g), 0);
    struct ng_node *all[] = {src, tee, l, dup};
    for (int i = 0; i < 4; i++) {
        if (ng_node_is_valid(all[i]))
            assert_int_equal(ng_node_shutdown(all[i]), 0);
        ng_node_unref(all[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_burst_shared),
        ngtest_unit_test(test_burst_netgraph),
        ngtest_unit_test(test_burst_without_method),
        ngtest_unit_test(test_burst_edges),
        ngtest_unit_test(test_burst_badinput),
        ngtest_unit_test(test_burst_cut_link),
        ngtest_unit_test(test_burst_cut_mid_burst),
        ngtest_unit_test(test_burst_forced),
        ngtest_unit_test(test_burst_busy_netgraph),
        ngtest_unit_test(test_burst_runtime),
        ngtest_unit_test(test_burst_tee),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
