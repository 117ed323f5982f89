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

#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/nodes/etf.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

/* ---- capture sink -------------------------------------------------------- */

#define CAP_MAX 16
struct cap_frame {
    char hook[NG_HOOKSIZ];
    uint32_t len;
    uint8_t data[256];
};
struct cap_priv {
    int n;
    int flow; /* flow-control messages received */
    struct cap_frame f[CAP_MAX];
};

static int cap_constructor(struct ng_node *node)
{
    struct cap_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    ng_node_set_private(node, p);
    return 0;
}
static void cap_shutdown(struct ng_node *node) { free(ng_node_private(node)); }
static int cap_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct cap_priv *p = ng_node_private(ng_hook_node(hook));
    if (p->n < CAP_MAX) {
        struct cap_frame *f = &p->f[p->n++];
        snprintf(f->hook, sizeof(f->hook), "%s", ng_hook_name(hook));
        f->len = ng_item_len(item);
        memcpy(f->data, ng_item_data(item), f->len < sizeof(f->data) ? f->len : sizeof(f->data));
    }
    ng_item_free(item);
    return 0;
}
static int cap_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct cap_priv *p = ng_node_private(node);
    if (ng_item_msg(item)->header.typecookie == NGM_FLOW_COOKIE)
        p->flow++;
    ng_item_free(item);
    return 0;
}
static const struct ng_type cap_type = {
    .version = NG_ABI_VERSION,
    .name = "gcap",
    .constructor = cap_constructor,
    .shutdown = cap_shutdown,
    .rcvdata = cap_rcvdata,
    .rcvmsg = cap_rcvmsg,
};

/* ---- fixture ------------------------------------------------------------- */

struct fx {
    struct ng_graph *g;
    struct ng_node *node, *cap;
    struct cap_priv *cp;
};

/* An etf node "etf0" whose hooks in `hooks` (NULL-terminated) are each
 * connected to hook "c_<name>" of one capture node. */
static void fx_make(struct fx *x, struct ng_graph *g, const char *const *hooks)
{
    x->g = g;
    int rc = ng_type_register(g, &ng_etf_type);
    assert_true(rc == 0 || rc == -EEXIST);
    rc = ng_type_register(g, &cap_type);
    assert_true(rc == 0 || rc == -EEXIST);
    assert_int_equal(ng_node_create(g, "etf", &x->node), 0);
    assert_int_equal(ng_node_name(x->node, "etf0"), 0);
    assert_int_equal(ng_node_create(g, "gcap", &x->cap), 0);
    x->cp = ng_node_private(x->cap);
    for (int i = 0; hooks[i]; i++) {
        char peer[NG_HOOKSIZ];
        snprintf(peer, sizeof(peer), "c_%s", hooks[i]);
        assert_int_equal(ng_connect(x->node, hooks[i], x->cap, peer), 0);
    }
}

static void fx_done(struct fx *x)
{
    if (ng_node_is_valid(x->node))
        assert_int_equal(ng_node_shutdown(x->node), 0);
    if (ng_node_is_valid(x->cap))
        assert_int_equal(ng_node_shutdown(x->cap), 0);
    ng_node_unref(x->node);
    ng_node_unref(x->cap);
}

static int inject(struct fx *x, const char *hook, const uint8_t *bytes, uint32_t len)
{
    struct ng_item *it = ng_item_alloc(x->g, len);
    assert_non_null(it);
    memcpy(ng_item_data(it), bytes, len);
    return ng_inject_data(x->node, hook, it);
}

static int ascii(struct fx *x, const char *text, char **resp)
{
    return ng_send_ascii(x->g, "etf0:", text, resp);
}

static void expect_frame(struct fx *x, int idx, const char *hook, const uint8_t *bytes,
                         uint32_t len)
{
    assert_true(x->cp->n > idx);
    assert_string_equal(x->cp->f[idx].hook, hook);
    assert_int_equal(x->cp->f[idx].len, len);
    assert_memory_equal(x->cp->f[idx].data, bytes, len);
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

static struct ng_etfstat getstatus(struct fx *x)
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

static char *text_status(struct fx *x)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(x->g, "etf0:", NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &r), 0);
    assert_non_null(r);
    char *s = strdup(r->data);
    ng_mesg_free(r);
    return s;
}

static uint64_t status_counter(struct fx *x, const char *name)
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

static void setup_filters(struct fx *x)
{
    assert_int_equal(ascii(x, "setfilter { matchhook=\"ip\" ethertype=0x800 }", NULL), 0);
    assert_int_equal(ascii(x, "setfilter { matchhook=\"arp\" ethertype=0x806 }", NULL), 0);
}

/* From downstream: a configured ethertype leaves by its hook, the rest by
 * nomatch; frames are not modified. */
static void test_demux(void **state)
{
    struct fx x;
    fx_make(&x, *state, std_hooks);
    setup_filters(&x);
    uint8_t f[32];
    uint32_t n = frame(f, 0x0800);
    assert_int_equal(inject(&x, "downstream", f, n), 0);
    expect_frame(&x, 0, "c_ip", f, n);
    n = frame(f, 0x0806);
    assert_int_equal(inject(&x, "downstream", f, n), 0);
    expect_frame(&x, 1, "c_arp", f, n);
    n = frame(f, 0x86dd);
    assert_int_equal(inject(&x, "downstream", f, n), 0);
    expect_frame(&x, 2, "c_nomatch", f, n);
    n = frame(f, 0x0800);
    assert_int_equal(inject(&x, "downstream", f, 14), 0); /* header only: fine */
    expect_frame(&x, 3, "c_ip", f, 14);
    struct ng_etfstat s = getstatus(&x);
    assert_int_equal(s.packets_in, 4);
    assert_int_equal(s.packets_out, 0);
    assert_int_equal(status_counter(&x, "match_out"), 3);
    assert_int_equal(status_counter(&x, "nomatch_out"), 1);
    fx_done(&x);
}

/* Towards downstream: only from the hook configured for the ethertype, or
 * from nomatch for an unconfigured one; else EPROTOTYPE, dropped. */
static void test_filter_upstream(void **state)
{
    struct fx x;
    fx_make(&x, *state, std_hooks);
    setup_filters(&x);
    uint8_t f[32];
    uint32_t n = frame(f, 0x0800);
    assert_int_equal(inject(&x, "ip", f, n), 0);
    expect_frame(&x, 0, "c_downstream", f, n);
    assert_int_equal(inject(&x, "arp", f, n), -EPROTOTYPE);
    assert_int_equal(inject(&x, "nomatch", f, n), -EPROTOTYPE);
    n = frame(f, 0x86dd);
    assert_int_equal(inject(&x, "ip", f, n), -EPROTOTYPE);
    assert_int_equal(inject(&x, "nomatch", f, n), 0);
    expect_frame(&x, 1, "c_downstream", f, n);
    assert_int_equal(x.cp->n, 2);
    struct ng_etfstat s = getstatus(&x);
    assert_int_equal(s.packets_in, 0);
    assert_int_equal(s.packets_out, 2);
    assert_int_equal(status_counter(&x, "drop_rejected"), 3);
    /* A filter may name nomatch itself. */
    assert_int_equal(ascii(&x, "setfilter { matchhook=\"nomatch\" ethertype=0x88cc }", NULL), 0);
    n = frame(f, 0x88cc);
    assert_int_equal(inject(&x, "nomatch", f, n), 0);
    expect_frame(&x, 2, "c_downstream", f, n);
    fx_done(&x);
}

static int bin_msg(struct fx *x, uint32_t cmd, const void *arg, uint32_t len)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_ETF_COOKIE, cmd, len);
    assert_non_null(m);
    if (len)
        memcpy(m->data, arg, len);
    return ng_send_msg(x->g, NULL, "etf0:", m, NULL);
}

static void test_bad_config(void **state)
{
    struct fx x;
    fx_make(&x, *state, std_hooks);
    setup_filters(&x);
    assert_int_equal(ascii(&x, "setfilter { matchhook=\"nosuch\" ethertype=0x800 }", NULL),
                     -ENOENT);
    assert_int_equal(ascii(&x, "setfilter { matchhook=\"downstream\" ethertype=0x801 }", NULL),
                     -EINVAL);
    assert_int_equal(ascii(&x, "setfilter { matchhook=\"arp\" ethertype=0x800 }", NULL), -EEXIST);
    assert_int_equal(ascii(&x, "setfilter { matchhook=\"ip\" ethertype=0x10000 }", NULL), -EINVAL);
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
    assert_int_equal(ascii(&x, "setflag 5", NULL), 0);
    char *s = text_status(&x);
    assert_non_null(strstr(s, "flags: 0x5"));
    assert_non_null(strstr(s, "filter 0x0800 -> ip"));
    assert_non_null(strstr(s, "filter 0x0806 -> arp"));
    assert_null(strstr(s, "0x0900"));
    free(s);
    fx_done(&x);
}

static void test_bad_frames(void **state)
{
    struct fx x;
    const char *const hooks[] = {"downstream", "ip", NULL};
    fx_make(&x, *state, hooks);
    assert_int_equal(ascii(&x, "setfilter { matchhook=\"ip\" ethertype=0x800 }", NULL), 0);
    uint8_t f[32];
    uint32_t n = frame(f, 0x0800);
    assert_int_equal(inject(&x, "downstream", f, 13), -EINVAL);
    assert_int_equal(inject(&x, "ip", f, 0), -EINVAL);
    assert_int_equal(status_counter(&x, "drop_runt"), 2);
    n = frame(f, 0x0806);
    assert_int_equal(inject(&x, "downstream", f, n), -ENOTCONN); /* no nomatch */
    assert_int_equal(ng_rmhook(x.node, "downstream"), 0);
    n = frame(f, 0x0800);
    assert_int_equal(inject(&x, "ip", f, n), -ENOTCONN);
    assert_int_equal(status_counter(&x, "drop_notconn"), 2);
    assert_int_equal(x.cp->n, 0);
    fx_done(&x);
}

/* A hook's filters go with it: its ethertype is nomatch traffic again. */
static void test_purge_and_shutdown(void **state)
{
    struct fx x;
    fx_make(&x, *state, std_hooks);
    setup_filters(&x);
    assert_int_equal(ng_rmhook(x.node, "ip"), 0);
    uint8_t f[32];
    uint32_t n = frame(f, 0x0800);
    assert_int_equal(inject(&x, "downstream", f, n), 0);
    expect_frame(&x, 0, "c_nomatch", f, n);
    assert_int_equal(inject(&x, "nomatch", f, n), 0);
    expect_frame(&x, 1, "c_downstream", f, n);
    /* The ethertype can be given to another hook now. */
    assert_int_equal(ascii(&x, "setfilter { matchhook=\"arp\" ethertype=0x800 }", NULL), 0);
    assert_int_equal(ng_rmhook(x.node, "arp"), 0);
    assert_int_equal(ng_rmhook(x.node, "nomatch"), 0);
    assert_true(ng_node_is_valid(x.node));
    assert_int_equal(ng_rmhook(x.node, "downstream"), 0);
    assert_false(ng_node_is_valid(x.node));
    fx_done(&x);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
