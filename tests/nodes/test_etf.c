/*
 * test_etf.c - the "etf" node type (docs/nodes/etf.md) against its
 * documented behaviour: demux by ethertype from downstream, the filter
 * towards downstream (EPROTOTYPE), nomatch, statistics, every bad-input
 * case, filters purged with their hook, ASCII round trips and shutdown.
 * Frames are injected at the etf node's hooks and captured by a "gcap" sink
 * connected to all of them (whole frames compared).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/nodes/etf.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

/* ---- fixture: a etf node "etf0" and a capture sink (support/capture.h) */

static void fx_make(struct ngtest_fx *x, struct ng_graph *g, const char *const *hooks)
{
    ngtest_fx_make(x, g, "etf", "etf0", hooks);
}

/* A 20-byte frame of ethertype et. */
static uint32_t frame(uint8_t *out, uint16_t et)
{
    static const uint8_t hdr[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    memcpy(out, hdr, 12);
    out[12] = (uint8_t)(et >> 8);
    out[13] = (uint8_t)et;
    for (int i = 14; i < 20; i++)
        out[i] = (uint8_t)(0xa0 + i);
    return 20;
}

static struct ng_etfstat getstatus(struct ngtest_fx *x)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(x->g, "etf0:", NGM_ETF_COOKIE, NGM_ETF_GET_STATUS, &r), 0);
    assert_non_null(r);
    assert_int_equal(r->header.arglen, sizeof(struct ng_etfstat));
    struct ng_etfstat s;
    memcpy(&s, r->data, sizeof(s));
    ng_mesg_free(r);
    return s;
}

static char *text_status(struct ngtest_fx *x)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(x->g, "etf0:", NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &r), 0);
    assert_non_null(r);
    char *s = strdup(r->data);
    ng_mesg_free(r);
    return s;
}

static uint64_t status_counter(struct ngtest_fx *x, const char *name)
{
    char *s = text_status(x), key[64];
    snprintf(key, sizeof(key), "%s=", name);
    const char *v = strstr(s, key);
    assert_non_null(v);
    uint64_t n = strtoull(v + strlen(key), NULL, 10);
    free(s);
    return n;
}

static const char *const std_hooks[] = {"downstream", "nomatch", "ip", "arp", NULL};

static void setup_filters(struct ngtest_fx *x)
{
    assert_int_equal(ngtest_fx_ascii(x, "setfilter { matchhook=\"ip\" ethertype=0x800 }", NULL), 0);
    assert_int_equal(ngtest_fx_ascii(x, "setfilter { matchhook=\"arp\" ethertype=0x806 }", NULL),
                     0);
}

/* From downstream: a configured ethertype leaves by its hook, the rest by
 * nomatch; frames are not modified. */
static void test_demux(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, std_hooks);
    setup_filters(&x);
    uint8_t f[32];
    uint32_t n = frame(f, 0x0800);
    assert_int_equal(ngtest_fx_inject(&x, "downstream", f, n), 0);
    ngtest_fx_expect(&x, 0, "c_ip", f, n);
    n = frame(f, 0x0806);
    assert_int_equal(ngtest_fx_inject(&x, "downstream", f, n), 0);
    ngtest_fx_expect(&x, 1, "c_arp", f, n);
    n = frame(f, 0x86dd);
    assert_int_equal(ngtest_fx_inject(&x, "downstream", f, n), 0);
    ngtest_fx_expect(&x, 2, "c_nomatch", f, n);
    n = frame(f, 0x0800);
    assert_int_equal(ngtest_fx_inject(&x, "downstream", f, 14), 0); /* header only: fine */
    ngtest_fx_expect(&x, 3, "c_ip", f, 14);
    struct ng_etfstat s = getstatus(&x);
    assert_int_equal(s.packets_in, 4);
    assert_int_equal(s.packets_out, 0);
    assert_int_equal(status_counter(&x, "match_out"), 3);
    assert_int_equal(status_counter(&x, "nomatch_out"), 1);
    ngtest_fx_done(&x);
}

/* Towards downstream: only from the hook configured for the ethertype, or
 * from nomatch for an unconfigured one; else EPROTOTYPE, dropped. */
static void test_filter_upstream(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, std_hooks);
    setup_filters(&x);
    uint8_t f[32];
    uint32_t n = frame(f, 0x0800);
    assert_int_equal(ngtest_fx_inject(&x, "ip", f, n), 0);
    ngtest_fx_expect(&x, 0, "c_downstream", f, n);
    assert_int_equal(ngtest_fx_inject(&x, "arp", f, n), -EPROTOTYPE);
    assert_int_equal(ngtest_fx_inject(&x, "nomatch", f, n), -EPROTOTYPE);
    n = frame(f, 0x86dd);
    assert_int_equal(ngtest_fx_inject(&x, "ip", f, n), -EPROTOTYPE);
    assert_int_equal(ngtest_fx_inject(&x, "nomatch", f, n), 0);
    ngtest_fx_expect(&x, 1, "c_downstream", f, n);
    assert_int_equal(x.cp->n, 2);
    struct ng_etfstat s = getstatus(&x);
    assert_int_equal(s.packets_in, 0);
    assert_int_equal(s.packets_out, 2);
    assert_int_equal(status_counter(&x, "drop_rejected"), 3);
    /* A filter may name nomatch itself. */
    assert_int_equal(
        ngtest_fx_ascii(&x, "setfilter { matchhook=\"nomatch\" ethertype=0x88cc }", NULL), 0);
    n = frame(f, 0x88cc);
    assert_int_equal(ngtest_fx_inject(&x, "nomatch", f, n), 0);
    ngtest_fx_expect(&x, 2, "c_downstream", f, n);
    ngtest_fx_done(&x);
}

static int bin_msg(struct ngtest_fx *x, uint32_t cmd, const void *arg, uint32_t len)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_ETF_COOKIE, cmd, len);
    assert_non_null(m);
    if (len)
        memcpy(m->data, arg, len);
    return ng_send_msg(x->g, NULL, "etf0:", m, NULL);
}

static void test_bad_config(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, std_hooks);
    setup_filters(&x);
    assert_int_equal(
        ngtest_fx_ascii(&x, "setfilter { matchhook=\"nosuch\" ethertype=0x800 }", NULL), -ENOENT);
    assert_int_equal(
        ngtest_fx_ascii(&x, "setfilter { matchhook=\"downstream\" ethertype=0x801 }", NULL),
        -EINVAL);
    assert_int_equal(ngtest_fx_ascii(&x, "setfilter { matchhook=\"arp\" ethertype=0x800 }", NULL),
                     -EEXIST);
    assert_int_equal(ngtest_fx_ascii(&x, "setfilter { matchhook=\"ip\" ethertype=0x10000 }", NULL),
                     -EINVAL);
    struct ng_etffilter f = {.ethertype = 0x900};
    snprintf(f.matchhook, sizeof(f.matchhook), "ip");
    assert_int_equal(bin_msg(&x, NGM_ETF_SET_FILTER, &f, 20), -EINVAL);
    memset(f.matchhook, 'z', sizeof(f.matchhook));
    assert_int_equal(bin_msg(&x, NGM_ETF_SET_FILTER, &f, sizeof(f)), -EINVAL);
    uint32_t v = 1;
    assert_int_equal(bin_msg(&x, NGM_ETF_SET_FLAG, &v, 2), -EINVAL);
    assert_int_equal(bin_msg(&x, 77, NULL, 0), -EINVAL);
    struct ng_mesg *m = ng_mesg_alloc(4242, 1, 0);
    assert_int_equal(ng_send_msg(x.g, NULL, "etf0:", m, NULL), -EINVAL);
    assert_int_equal(ngtest_fx_ascii(&x, "setflag 5", NULL), 0);
    char *s = text_status(&x);
    assert_non_null(strstr(s, "flags: 0x5"));
    assert_non_null(strstr(s, "filter 0x0800 -> ip"));
    assert_non_null(strstr(s, "filter 0x0806 -> arp"));
    assert_null(strstr(s, "0x0900"));
    free(s);
    ngtest_fx_done(&x);
}

static void test_bad_frames(void **state)
{
    struct ngtest_fx x;
    const char *const hooks[] = {"downstream", "ip", NULL};
    fx_make(&x, *state, hooks);
    assert_int_equal(ngtest_fx_ascii(&x, "setfilter { matchhook=\"ip\" ethertype=0x800 }", NULL),
                     0);
    uint8_t f[32];
    uint32_t n = frame(f, 0x0800);
    assert_int_equal(ngtest_fx_inject(&x, "downstream", f, 13), -EINVAL);
    assert_int_equal(ngtest_fx_inject(&x, "ip", f, 0), -EINVAL);
    assert_int_equal(status_counter(&x, "drop_runt"), 2);
    n = frame(f, 0x0806);
    assert_int_equal(ngtest_fx_inject(&x, "downstream", f, n), -ENOTCONN); /* no nomatch */
    assert_int_equal(ng_rmhook(x.node, "downstream"), 0);
    n = frame(f, 0x0800);
    assert_int_equal(ngtest_fx_inject(&x, "ip", f, n), -ENOTCONN);
    assert_int_equal(status_counter(&x, "drop_notconn"), 2);
    assert_int_equal(x.cp->n, 0);
    ngtest_fx_done(&x);
}

/* A hook's filters go with it: its ethertype is nomatch traffic again. */
static void test_purge_and_shutdown(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, std_hooks);
    setup_filters(&x);
    assert_int_equal(ng_rmhook(x.node, "ip"), 0);
    uint8_t f[32];
    uint32_t n = frame(f, 0x0800);
    assert_int_equal(ngtest_fx_inject(&x, "downstream", f, n), 0);
    ngtest_fx_expect(&x, 0, "c_nomatch", f, n);
    assert_int_equal(ngtest_fx_inject(&x, "nomatch", f, n), 0);
    ngtest_fx_expect(&x, 1, "c_downstream", f, n);
    /* The ethertype can be given to another hook now. */
    assert_int_equal(ngtest_fx_ascii(&x, "setfilter { matchhook=\"arp\" ethertype=0x800 }", NULL),
                     0);
    assert_int_equal(ng_rmhook(x.node, "arp"), 0);
    assert_int_equal(ng_rmhook(x.node, "nomatch"), 0);
    assert_true(ng_node_is_valid(x.node));
    assert_int_equal(ng_rmhook(x.node, "downstream"), 0);
    assert_false(ng_node_is_valid(x.node));
    ngtest_fx_done(&x);
}

static void roundtrip(const struct ng_mesg *m)
{
    struct ng_mesg *a = NULL, *b = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_etf_type, m, &a), 0);
    assert_int_equal(ng_mesg_from_ascii(&ng_etf_type, a, &b, NULL), 0);
    assert_int_equal(b->header.cmd, m->header.cmd);
    assert_int_equal(b->header.arglen, m->header.arglen);
    assert_memory_equal(b->data, m->data, m->header.arglen);
    ng_mesg_free(a);
    ng_mesg_free(b);
}

static void test_ascii_roundtrip(void **state)
{
    (void)state;
    struct ng_etffilter f = {.ethertype = 0x86dd};
    snprintf(f.matchhook, sizeof(f.matchhook), "ipv6");
    struct ng_mesg *m = ng_mesg_alloc(NGM_ETF_COOKIE, NGM_ETF_SET_FILTER, sizeof(f));
    memcpy(m->data, &f, sizeof(f));
    roundtrip(m);
    ng_mesg_free(m);
    int32_t flag = -3;
    m = ng_mesg_alloc(NGM_ETF_COOKIE, NGM_ETF_SET_FLAG, sizeof(flag));
    memcpy(m->data, &flag, sizeof(flag));
    roundtrip(m);
    ng_mesg_free(m);
    struct ng_etfstat s = {.packets_in = 7, .packets_out = 4000000000u};
    m = ng_mesg_alloc(NGM_ETF_COOKIE, NGM_ETF_GET_STATUS, sizeof(s));
    m->header.flags = NGF_RESP;
    memcpy(m->data, &s, sizeof(s));
    roundtrip(m);
    ng_mesg_free(m);
    m = ng_mesg_alloc(NGM_ETF_COOKIE, NGM_ETF_GET_STATUS, 0);
    roundtrip(m);
    ng_mesg_free(m);
}

/* Shared-mode data path against table changes and hook removal: worker
 * threads run the frames while this thread changes the table and removes
 * and reconnects the match hook.  Every frame ends up counted by the sink or
 * as a drop: none is lost. */
static void test_concurrent_changes(void **state)
{
    struct ng_graph *g = *state;
    assert_int_equal(ng_type_register(g, &ng_etf_type), -EEXIST); /* built in */
    struct ng_node *v, *cnt;
    assert_int_equal(ng_node_create(g, "etf", &v), 0);
    assert_int_equal(ng_node_name(v, "etf0"), 0);
    assert_int_equal(ng_node_create(g, "counter", &cnt), 0);
    assert_int_equal(ng_connect(v, "downstream", cnt, "d"), 0);
    assert_int_equal(ng_connect(v, "nomatch", cnt, "n"), 0);
    assert_int_equal(ng_connect(v, "ip", cnt, "v"), 0);
    struct ng_hook *in;
    assert_int_equal(ng_hook_find(cnt, "d", &in), 0);
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    uint8_t t[64];
    uint32_t tl = frame(t, 0x0800);
    uint64_t sent = 0;
    double end = ngtest_now_s() + 10.0;
    for (int round = 0; round < 200 && ngtest_now_s() < end; round++) {
        for (int i = 0; i < 64; i++) {
            struct ng_item *it = ng_item_alloc(g, tl);
            assert_non_null(it);
            memcpy(ng_item_data(it), t, tl);
            assert_int_equal(ng_runtime_submit(rt, i & 1, in, it), 0);
            sent++;
        }
        int rc = ng_send_ascii(
            g,
            "etf0"
            ":",
            (round & 1) ? "setflag 1" : "setfilter { matchhook=\"ip\" ethertype=0x800 }", NULL);
        assert_true(rc == 0 || rc == -ENOENT || rc == -EEXIST);
        if (round % 8 == 7) {
            assert_int_equal(ng_rmhook(v, "ip"), 0);
            assert_int_equal(ng_connect(v, "ip", cnt, "v"), 0);
        }
    }
    ng_runtime_stop(rt);
    ng_hook_unref(in);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(ngtest_counter_get(cnt) + ngtest_drops(&st), sent);
    assert_int_equal(ng_node_shutdown(v), 0);
    if (ng_node_is_valid(cnt))
        assert_int_equal(ng_node_shutdown(cnt), 0);
    ng_node_unref(v);
    ng_node_unref(cnt);
}

/* docs/nodes/etf.md ERRORS: the rows the tests above do not reach (a taken
 * hook name, the graph-wide count of the ENOTCONN drops, unknown ASCII
 * commands, data at a hook the node does not have, the shut-down node). */
static void test_bad_input_rest(void **state)
{
    struct ng_graph *g = *state;
    struct ngtest_fx x;
    const char *const hooks[] = {"downstream", "ip", NULL}; /* no nomatch */
    fx_make(&x, g, hooks);
    assert_int_equal(ng_connect(x.cap, "c_again", x.node, "downstream"), -EEXIST);
    assert_int_equal(ng_connect(x.cap, "c_again", x.node, "ip"), -EEXIST);
    uint8_t f[32];
    uint32_t n = frame(f, 0x0806);
    struct ng_graph_stats before, after;
    ng_graph_stats(g, &before);
    assert_int_equal(ngtest_fx_inject(&x, "downstream", f, n), -ENOTCONN);
    ng_graph_stats(g, &after);
    assert_int_equal(after.drops[NG_DROP_NOTCONN], before.drops[NG_DROP_NOTCONN] + 1);
    assert_int_equal(ngtest_fx_ascii(&x, "nosuch", NULL), -ENOSYS);
    /* Over-long arguments: not exactly the struct or the integer. */
    uint8_t big[sizeof(struct ng_etffilter) + 8] = {0};
    snprintf((char *)big, NG_HOOKSIZ, "ip");
    assert_int_equal(bin_msg(&x, NGM_ETF_SET_FILTER, big, sizeof(struct ng_etffilter) + 2),
                     -EINVAL);
    assert_int_equal(bin_msg(&x, NGM_ETF_SET_FLAG, big, 8), -EINVAL);
    ng_graph_stats(g, &before);
    assert_int_equal(ngtest_fx_inject(&x, "nosuch", f, n), -ENOENT);
    ng_graph_stats(g, &after);
    assert_int_equal(after.drops[NG_DROP_NOTCONN], before.drops[NG_DROP_NOTCONN] + 1);
    char path[NG_NODESIZ];
    snprintf(path, sizeof(path), "[%x]:", (unsigned)ng_node_id(x.node));
    assert_int_equal(ng_node_shutdown(x.node), 0);
    assert_int_equal(ngtest_msg(g, path, NGM_ETF_COOKIE, NGM_ETF_GET_STATUS, NULL), -ENOENT);
    assert_int_equal(ng_connect(x.cap, "c_nomatch", x.node, "nomatch"), -ESHUTDOWN);
    ng_graph_stats(g, &before);
    assert_int_equal(ngtest_fx_inject(&x, "downstream", f, n), -ENOENT);
    ng_graph_stats(g, &after);
    assert_int_equal(after.drops[NG_DROP_NOTCONN], before.drops[NG_DROP_NOTCONN] + 1);
    assert_int_equal(x.cp->n, 0);
    ngtest_fx_done(&x);
}

/* A connect the other node refuses (split has no hook "bogus") when the hook
 * would have been the node's only one: its disconnect method sees the
 * refused hook go and the node shuts down, as FreeBSD's does
 * (docs/nodes/etf.md ERRORS). */
static void test_refused_connect(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *lone, *peer;
    assert_int_equal(ng_node_create(g, "etf", &lone), 0);
    assert_int_equal(ng_node_create(g, "split", &peer), 0);
    assert_int_equal(ng_connect(lone, "downstream", peer, "bogus"), -EINVAL);
    assert_false(ng_node_is_valid(lone));
    assert_true(ng_node_is_valid(peer));
    assert_int_equal(ng_node_shutdown(peer), 0);
    ng_node_unref(lone);
    ng_node_unref(peer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_demux),
        ngtest_unit_test(test_filter_upstream),
        ngtest_unit_test(test_bad_config),
        ngtest_unit_test(test_bad_frames),
        ngtest_unit_test(test_purge_and_shutdown),
        ngtest_unit_test(test_ascii_roundtrip),
        ngtest_unit_test(test_concurrent_changes),
        ngtest_unit_test(test_bad_input_rest),
        ngtest_unit_test(test_refused_connect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
