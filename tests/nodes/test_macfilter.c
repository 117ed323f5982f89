/*
 * test_macfilter.c - the "macfilter" node type (docs/nodes/macfilter.md)
 * against its documented behaviour: demux by source MAC from "ether", the
 * way back by destination MAC with per-MAC counters, the table messages
 * (direct, directi, reset, getmacs, getclrmacs, clrmacs, gethooks), entries
 * purged with their hook, every bad-input case, ASCII round trips and
 * shutdown.  Frames are injected at the macfilter's hooks and captured by a
 * "gcap" sink connected to all of them (whole frames compared).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/nodes/macfilter.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

/* ---- fixture: a macfilter node "mf0" and a capture sink (support/capture.h) */

static void fx_make(struct ngtest_fx *x, struct ng_graph *g, const char *const *hooks)
{
    ngtest_fx_make(x, g, "macfilter", "mf0", hooks);
}

static const uint8_t mac1[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t mac2[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t mac3[6] = {0x00, 0x50, 0x56, 0, 0, 0x03};
static const uint8_t other[6] = {0x0a, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

/* A frame dst -> src with `extra` payload bytes. */
static uint32_t frame(uint8_t *out, const uint8_t *dst, const uint8_t *src, uint32_t extra)
{
    memcpy(out, dst, 6);
    memcpy(out + 6, src, 6);
    out[12] = 0x08;
    out[13] = 0x00;
    for (uint32_t i = 0; i < extra; i++)
        out[14 + i] = (uint8_t)(0x30 + i);
    return 14 + extra;
}

static struct ng_mesg *get(struct ngtest_fx *x, uint32_t cmd)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(x->g, "mf0:", NGM_MACFILTER_COOKIE, cmd, &r), 0);
    assert_non_null(r);
    return r;
}

static uint64_t status_counter(struct ngtest_fx *x, const char *name)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(x->g, "mf0:", NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &r), 0);
    char key[64];
    snprintf(key, sizeof(key), "%s=", name);
    const char *v = strstr(r->data, key);
    assert_non_null(v);
    uint64_t n = strtoull(v + strlen(key), NULL, 10);
    ng_mesg_free(r);
    return n;
}

static const char *const std_hooks[] = {"ether", "default", "a", "b", NULL};

/* By source address from ether; unknown ones to default; everything from
 * an upper hook to ether; counters per MAC (bytes beyond the header). */
static void test_demux(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, std_hooks);
    assert_int_equal(ngtest_fx_ascii(&x, "direct { ether=02:00:00:00:00:01 hookname=\"a\" }", NULL),
                     0);
    assert_int_equal(ngtest_fx_ascii(&x, "directi { ether=02:00:00:00:00:02 hookid=2 }", NULL), 0);
    uint8_t f[64];
    uint32_t n = frame(f, other, mac1, 6);
    assert_int_equal(ngtest_fx_inject(&x, "ether", f, n), 0);
    ngtest_fx_expect(&x, 0, "c_a", f, n);
    n = frame(f, other, mac2, 0);
    assert_int_equal(ngtest_fx_inject(&x, "ether", f, n), 0);
    ngtest_fx_expect(&x, 1, "c_b", f, n);
    n = frame(f, mac1, other, 3); /* mac1 is the destination only */
    assert_int_equal(ngtest_fx_inject(&x, "ether", f, n), 0);
    ngtest_fx_expect(&x, 2, "c_default", f, n);
    assert_int_equal(ngtest_fx_inject(&x, "a", f, n), 0); /* towards ether, to mac1 */
    ngtest_fx_expect(&x, 3, "c_ether", f, n);
    assert_int_equal(ngtest_fx_inject(&x, "default", f, n), 0);
    ngtest_fx_expect(&x, 4, "c_ether", f, n);
    char *r = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getmacs", &r), 0);
    assert_string_equal(r, "{ n=2 macs=[ { ether=02:00:00:00:00:01 hookid=1 packets_in=1 "
                           "bytes_in=6 packets_out=2 bytes_out=6 } { ether=02:00:00:00:00:02 "
                           "hookid=2 packets_in=1 } ] }");
    free(r);
    assert_int_equal(status_counter(&x, "ether_in"), 3);
    assert_int_equal(status_counter(&x, "upper_out"), 2);
    assert_int_equal(status_counter(&x, "default_out"), 1);
    assert_int_equal(status_counter(&x, "ether_out"), 2);
    ngtest_fx_done(&x);
}

/* The table stays sorted; re-direct keeps counters; default removes;
 * getclrmacs / clrmacs / reset; gethooks with MAC counts. */
static void test_table(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, std_hooks);
    assert_int_equal(ngtest_fx_ascii(&x, "direct { ether=02:00:00:00:00:02 hookname=\"b\" }", NULL),
                     0);
    assert_int_equal(ngtest_fx_ascii(&x, "direct { ether=02:00:00:00:00:01 hookname=\"a\" }", NULL),
                     0);
    assert_int_equal(ngtest_fx_ascii(&x, "direct { ether=00:50:56:00:00:03 hookname=\"a\" }", NULL),
                     0);
    uint8_t f[64];
    uint32_t n = frame(f, other, mac3, 1);
    assert_int_equal(ngtest_fx_inject(&x, "ether", f, n), 0);
    struct ng_mesg *m = get(&x, NGM_MACFILTER_GET_MACS);
    const struct ngm_macfilter_macs *t = (const void *)m->data;
    assert_int_equal(m->header.arglen, sizeof(*t) + 3 * sizeof(t->macs[0]));
    assert_int_equal(t->n, 3);
    assert_memory_equal(t->macs[0].ether, mac3, 6);
    assert_memory_equal(t->macs[1].ether, mac1, 6);
    assert_memory_equal(t->macs[2].ether, mac2, 6);
    assert_int_equal(t->macs[0].packets_in, 1);
    assert_int_equal(t->macs[0].bytes_in, 1);
    ng_mesg_free(m);
    /* Moving mac3 to b keeps its counters. */
    assert_int_equal(ngtest_fx_ascii(&x, "direct { ether=00:50:56:00:00:03 hookname=\"b\" }", NULL),
                     0);
    assert_int_equal(ngtest_fx_inject(&x, "ether", f, n), 0);
    ngtest_fx_expect(&x, 1, "c_b", f, n);
    m = get(&x, NGM_MACFILTER_GET_HOOKS);
    const struct ngm_macfilter_hooks *h = (const void *)m->data;
    assert_int_equal(h->n, 3);
    assert_string_equal(h->hooks[0].hookname, "default");
    assert_int_equal(h->hooks[0].hookid, 0);
    assert_int_equal(h->hooks[0].maccnt, 0);
    assert_string_equal(h->hooks[1].hookname, "a");
    assert_int_equal(h->hooks[1].hookid, 1);
    assert_int_equal(h->hooks[1].maccnt, 1);
    assert_string_equal(h->hooks[2].hookname, "b");
    assert_int_equal(h->hooks[2].maccnt, 2);
    ng_mesg_free(m);
    m = get(&x, NGM_MACFILTER_GETCLR_MACS);
    t = (const void *)m->data;
    assert_int_equal(t->macs[0].packets_in, 2);
    ng_mesg_free(m);
    m = get(&x, NGM_MACFILTER_GET_MACS);
    t = (const void *)m->data;
    assert_int_equal(t->macs[0].packets_in, 0);
    ng_mesg_free(m);
    assert_int_equal(ngtest_fx_inject(&x, "ether", f, n), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "clrmacs", NULL), 0);
    m = get(&x, NGM_MACFILTER_GET_MACS);
    t = (const void *)m->data;
    assert_int_equal(t->macs[0].packets_in, 0);
    ng_mesg_free(m);
    /* Directing to default (by name or hookid 0) removes the entry; a MAC
     * not in the table is then no error. */
    assert_int_equal(
        ngtest_fx_ascii(&x, "direct { ether=00:50:56:00:00:03 hookname=\"default\" }", NULL), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "directi { ether=02:00:00:00:00:01 hookid=0 }", NULL), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "directi { ether=02:00:00:00:00:01 hookid=0 }", NULL), 0);
    char *r = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getmacs", &r), 0);
    assert_non_null(strstr(r, "n=1 "));
    free(r);
    assert_int_equal(ngtest_fx_ascii(&x, "reset", NULL), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "getmacs", &r), 0);
    assert_string_equal(r, "{}");
    free(r);
    /* Many entries: the table grows past its first block. */
    uint8_t mac[6] = {0x02, 0x10, 0, 0, 0, 0};
    for (int i = 0; i < 300; i++) {
        struct ngm_macfilter_direct_hookid d = {.hookid = 1};
        mac[4] = (uint8_t)(i >> 8);
        mac[5] = (uint8_t)(299 - i);
        memcpy(d.ether, mac, 6);
        struct ng_mesg *dm =
            ng_mesg_alloc(NGM_MACFILTER_COOKIE, NGM_MACFILTER_DIRECT_HOOKID, sizeof(d));
        memcpy(dm->data, &d, sizeof(d));
        assert_int_equal(ng_send_msg(x.g, NULL, "mf0:", dm, NULL), 0);
    }
    m = get(&x, NGM_MACFILTER_GET_MACS);
    t = (const void *)m->data;
    assert_int_equal(t->n, 300);
    for (uint32_t i = 1; i < t->n; i++)
        assert_true(memcmp(t->macs[i - 1].ether, t->macs[i].ether, 6) < 0);
    ng_mesg_free(m);
    ngtest_fx_done(&x);
}

static int bin_msg(struct ngtest_fx *x, uint32_t cmd, const void *arg, uint32_t len)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_MACFILTER_COOKIE, cmd, len);
    assert_non_null(m);
    if (len)
        memcpy(m->data, arg, len);
    return ng_send_msg(x->g, NULL, "mf0:", m, NULL);
}

static void test_bad_config(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, std_hooks);
    assert_int_equal(
        ngtest_fx_ascii(&x, "direct { ether=02:00:00:00:00:01 hookname=\"nosuch\" }", NULL),
        -ENOENT);
    assert_int_equal(
        ngtest_fx_ascii(&x, "direct { ether=02:00:00:00:00:01 hookname=\"ether\" }", NULL),
        -ENOENT);
    assert_int_equal(ngtest_fx_ascii(&x, "directi { ether=02:00:00:00:00:01 hookid=3 }", NULL),
                     -EINVAL);
    assert_int_equal(ngtest_fx_ascii(&x, "directi { ether=02:00:00:00:00:01 hookid=65535 }", NULL),
                     -EINVAL);
    assert_int_equal(ngtest_fx_ascii(&x, "direct { hookname=\"a\" }", NULL),
                     -EOPNOTSUPP); /* no MAC */
    assert_int_equal(ngtest_fx_ascii(&x, "direct { ether=02:00:00:00:01 hookname=\"a\" }", NULL),
                     -EINVAL);
    struct ngm_macfilter_direct d;
    memcpy(d.ether, mac1, 6);
    snprintf(d.hookname, sizeof(d.hookname), "a");
    assert_int_equal(bin_msg(&x, NGM_MACFILTER_DIRECT, &d, 10), -EINVAL);
    memset(d.hookname, 'q', sizeof(d.hookname));
    assert_int_equal(bin_msg(&x, NGM_MACFILTER_DIRECT, &d, sizeof(d)), -EINVAL);
    assert_int_equal(bin_msg(&x, NGM_MACFILTER_DIRECT_HOOKID, &d, 6), -EINVAL);
    assert_int_equal(bin_msg(&x, 42, NULL, 0), -EINVAL);
    struct ng_mesg *m = ng_mesg_alloc(31337, 1, 0);
    assert_int_equal(ng_send_msg(x.g, NULL, "mf0:", m, NULL), -EINVAL);
    /* A second "ether" or "default": the name is taken. */
    assert_int_equal(ng_connect(x.node, "ether", x.cap, "c_ether2"), -EEXIST);
    char *r = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getmacs", &r), 0);
    assert_string_equal(r, "{}");
    free(r);
    ngtest_fx_done(&x);
}

/* A removed hook's entries go (its MACs go to default); its hookid is
 * reused by the next hook only after that. */
static void test_disconnect_purges(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, std_hooks);
    assert_int_equal(ngtest_fx_ascii(&x, "direct { ether=02:00:00:00:00:01 hookname=\"a\" }", NULL),
                     0);
    assert_int_equal(ngtest_fx_ascii(&x, "direct { ether=02:00:00:00:00:02 hookname=\"b\" }", NULL),
                     0);
    assert_int_equal(ng_rmhook(x.node, "a"), 0);
    uint8_t f[64];
    uint32_t n = frame(f, other, mac1, 2);
    assert_int_equal(ngtest_fx_inject(&x, "ether", f, n), 0);
    ngtest_fx_expect(&x, 0, "c_default", f, n);
    char *r = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getmacs", &r), 0);
    assert_non_null(strstr(r, "n=1 "));
    assert_non_null(strstr(r, "ether=02:00:00:00:00:02 hookid=2"));
    free(r);
    assert_int_equal(ng_connect(x.node, "c", x.cap, "c_c"), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "gethooks", &r), 0);
    assert_non_null(strstr(r, "hookname=\"c\" hookid=1"));
    free(r);
    assert_int_equal(ngtest_fx_ascii(&x, "directi { ether=02:00:00:00:00:01 hookid=1 }", NULL), 0);
    assert_int_equal(ngtest_fx_inject(&x, "ether", f, n), 0);
    ngtest_fx_expect(&x, 1, "c_c", f, n);
    ngtest_fx_done(&x);
}

static void test_bad_frames(void **state)
{
    struct ngtest_fx x;
    const char *const hooks[] = {"ether", "a", NULL}; /* no default */
    fx_make(&x, *state, hooks);
    uint8_t f[64];
    uint32_t n = frame(f, other, mac1, 0);
    assert_int_equal(ngtest_fx_inject(&x, "ether", f, 13), -EINVAL);
    assert_int_equal(ngtest_fx_inject(&x, "a", f, 5), -EINVAL);
    assert_int_equal(status_counter(&x, "drop_runt"), 2);
    assert_int_equal(ngtest_fx_inject(&x, "ether", f, n), -ENOTCONN); /* unknown MAC, no default */
    assert_int_equal(ng_rmhook(x.node, "ether"), 0);
    assert_int_equal(ngtest_fx_inject(&x, "a", f, n), -ENOTCONN);
    assert_int_equal(status_counter(&x, "drop_notconn"), 2);
    assert_int_equal(x.cp->n, 0);
    assert_int_equal(ng_rmhook(x.node, "a"), 0);
    assert_false(ng_node_is_valid(x.node)); /* last hook gone */
    ngtest_fx_done(&x);
}

static void roundtrip(const struct ng_mesg *m)
{
    struct ng_mesg *a = NULL, *b = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_macfilter_type, m, &a), 0);
    assert_int_equal(ng_mesg_from_ascii(&ng_macfilter_type, a, &b, NULL), 0);
    assert_int_equal(b->header.cmd, m->header.cmd);
    assert_int_equal(b->header.arglen, m->header.arglen);
    assert_memory_equal(b->data, m->data, m->header.arglen);
    ng_mesg_free(a);
    ng_mesg_free(b);
}

static void test_ascii_roundtrip(void **state)
{
    (void)state;
    struct ngm_macfilter_direct d;
    memset(&d, 0, sizeof(d));
    memcpy(d.ether, mac3, 6);
    snprintf(d.hookname, sizeof(d.hookname), "accepted");
    struct ng_mesg *m = ng_mesg_alloc(NGM_MACFILTER_COOKIE, NGM_MACFILTER_DIRECT, sizeof(d));
    memcpy(m->data, &d, sizeof(d));
    roundtrip(m);
    ng_mesg_free(m);
    struct ngm_macfilter_direct_hookid di = {.hookid = 9};
    memcpy(di.ether, mac2, 6);
    m = ng_mesg_alloc(NGM_MACFILTER_COOKIE, NGM_MACFILTER_DIRECT_HOOKID, sizeof(di));
    memcpy(m->data, &di, sizeof(di));
    roundtrip(m);
    ng_mesg_free(m);
    const uint32_t noarg[] = {NGM_MACFILTER_RESET, NGM_MACFILTER_GET_MACS,
                              NGM_MACFILTER_GETCLR_MACS, NGM_MACFILTER_CLR_MACS,
                              NGM_MACFILTER_GET_HOOKS};
    for (size_t i = 0; i < sizeof(noarg) / sizeof(noarg[0]); i++) {
        m = ng_mesg_alloc(NGM_MACFILTER_COOKIE, noarg[i], 0);
        roundtrip(m);
        ng_mesg_free(m);
    }
    for (int cmd = NGM_MACFILTER_GET_MACS; cmd <= NGM_MACFILTER_GETCLR_MACS; cmd++) {
        size_t len = sizeof(struct ngm_macfilter_macs) + 2 * sizeof(struct ngm_macfilter_mac);
        m = ng_mesg_alloc(NGM_MACFILTER_COOKIE, (uint32_t)cmd, (uint32_t)len);
        m->header.flags = NGF_RESP;
        struct ngm_macfilter_macs *t = (void *)m->data;
        t->n = 2;
        memcpy(t->macs[0].ether, mac1, 6);
        t->macs[0].hookid = 1;
        t->macs[0].packets_in = 3571;
        t->macs[0].bytes_in = 592631;
        memcpy(t->macs[1].ether, mac2, 6);
        t->macs[1].packets_out = 3437;
        t->macs[1].bytes_out = UINT64_MAX;
        roundtrip(m);
        ng_mesg_free(m);
    }
    size_t len = sizeof(struct ngm_macfilter_hooks) + 2 * sizeof(struct ngm_macfilter_hook);
    m = ng_mesg_alloc(NGM_MACFILTER_COOKIE, NGM_MACFILTER_GET_HOOKS, (uint32_t)len);
    m->header.flags = NGF_RESP;
    struct ngm_macfilter_hooks *h = (void *)m->data;
    h->n = 2;
    snprintf(h->hooks[0].hookname, NG_HOOKSIZ, "default");
    snprintf(h->hooks[1].hookname, NG_HOOKSIZ, "accepted");
    h->hooks[1].hookid = 1;
    h->hooks[1].maccnt = 12;
    roundtrip(m);
    ng_mesg_free(m);
}

/* The data path against table changes and hook removal: worker
 * threads run the frames while this thread changes the table and removes
 * and reconnects the match hook.  Every frame ends up counted by the sink or
 * as a drop: none is lost. */
static void test_concurrent_changes(void **state)
{
    struct ng_graph *g = *state;
    assert_int_equal(ng_type_register(g, &ng_macfilter_type), -EEXIST); /* built in */
    struct ng_node *v, *cnt;
    assert_int_equal(ng_node_create(g, "macfilter", &v), 0);
    assert_int_equal(ng_node_name(v, "mf0"), 0);
    assert_int_equal(ng_node_create(g, "counter", &cnt), 0);
    assert_int_equal(ng_connect(v, "ether", cnt, "d"), 0);
    assert_int_equal(ng_connect(v, "default", cnt, "n"), 0);
    assert_int_equal(ng_connect(v, "a", cnt, "v"), 0);
    struct ng_hook *in;
    assert_int_equal(ng_hook_find(cnt, "d", &in), 0);
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    uint8_t t[64];
    uint32_t tl = frame(t, other, mac1, 8);
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
        int rc = ng_send_ascii(g,
                               "mf0"
                               ":",
                               (round & 1) ? "directi { ether=02:00:00:00:00:01 hookid=0 }"
                                           : "direct { ether=02:00:00:00:00:01 hookname=\"a\" }",
                               NULL);
        assert_true(rc == 0 || rc == -ENOENT || rc == -EEXIST);
        if (round % 8 == 7) {
            assert_int_equal(ng_rmhook(v, "a"), 0);
            assert_int_equal(ng_connect(v, "a", cnt, "v"), 0);
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

/* Shared mode (NG_TYPE_CONCURRENT_DATA): two workers run frames of 16
 * source addresses from "ether" and frames back from "a" and "b" while this
 * thread directs the addresses to a, b and default, resets the table, reads
 * and clears the counters and removes and reconnects "a" and "b" (their
 * entries go with them, freed after a grace period: ASan and TSan watch the
 * lookups racing it).  Nothing is lost: every frame is counted by the sink
 * or as a drop, and the node's counters add up (to the drops). */
static void test_shared_race(void **state)
{
    struct ng_graph *g = *state;
    assert_true(ng_macfilter_type.flags & NG_TYPE_CONCURRENT_DATA);
    struct ng_node *v, *cnt;
    assert_int_equal(ng_node_create(g, "macfilter", &v), 0);
    assert_int_equal(ng_node_name(v, "mf0"), 0);
    assert_int_equal(ng_node_create(g, "counter", &cnt), 0);
    assert_int_equal(ng_connect(v, "ether", cnt, "d"), 0);
    assert_int_equal(ng_connect(v, "default", cnt, "n"), 0);
    assert_int_equal(ng_connect(v, "a", cnt, "va"), 0);
    assert_int_equal(ng_connect(v, "b", cnt, "vb"), 0);
    struct ng_hook *in, *back;
    assert_int_equal(ng_hook_find(cnt, "d", &in), 0);
    assert_int_equal(ng_hook_find(cnt, "n", &back), 0); /* default -> ether */
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    uint64_t sent = 0, sent_ether = 0;
    double end = ngtest_now_s() + 8.0;
    for (int round = 0; round < 300 && ngtest_now_s() < end; round++) {
        for (int i = 0; i < 48; i++) {
            uint8_t f[64], src[6] = {0x02, 0, 0, 0, 1, (uint8_t)(i & 15)};
            bool up = i % 3 == 2; /* a frame back towards ether */
            uint32_t fl = up ? frame(f, src, other, 4) : frame(f, other, src, 4);
            struct ng_item *it = ng_item_alloc(g, fl);
            assert_non_null(it);
            memcpy(ng_item_data(it), f, fl);
            assert_int_equal(ng_runtime_submit(rt, (unsigned)i & 1, up ? back : in, it), 0);
            sent++;
            sent_ether += !up;
        }
        char text[96];
        snprintf(text, sizeof(text), "direct { ether=02:00:00:00:01:%02x hookname=\"%s\" }",
                 round & 15, (const char *[]){"a", "b", "default"}[round % 3]);
        int rc = ng_send_ascii(g, "mf0:", text, NULL);
        assert_true(rc == 0 || rc == -ENOENT);
        snprintf(text, sizeof(text), "directi { ether=02:00:00:00:01:%02x hookid=%d }",
                 (round * 7) & 15, round % 3);
        rc = ng_send_ascii(g, "mf0:", text, NULL);
        assert_true(rc == 0 || rc == -EINVAL); /* hookid of a hook just removed */
        if (round % 5 == 4) {
            char *r = NULL;
            assert_int_equal(ng_send_ascii(g, "mf0:", "getclrmacs", &r), 0);
            free(r);
        }
        if (round % 11 == 10)
            assert_int_equal(ng_send_ascii(g, "mf0:", "reset", NULL), 0);
        if (round % 7 == 6) {
            const char *h = round & 1 ? "a" : "b";
            assert_int_equal(ng_rmhook(v, h), 0);
            assert_int_equal(ng_connect(v, h, cnt, round & 1 ? "va" : "vb"), 0);
        }
    }
    ng_runtime_stop(rt);
    ng_hook_unref(in);
    ng_hook_unref(back);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(ngtest_counter_get(cnt) + ngtest_drops(&st), sent);
    struct ngtest_fx x = {.g = g, .node = v};
    snprintf(x.path, sizeof(x.path), "mf0:");
    uint64_t ein = status_counter(&x, "ether_in");
    assert_int_equal(ein, sent_ether);
    /* a frame sent on a hook being removed is dropped by the engine (in
     * the graph's drops, not in the node's counters) */
    uint64_t outs = status_counter(&x, "default_out") + status_counter(&x, "upper_out") +
                    status_counter(&x, "drop_notconn");
    assert_true(outs <= ein);
    assert_true(ein - outs <= ngtest_drops(&st));
    assert_int_equal(status_counter(&x, "ether_out"), sent - sent_ether);
    assert_int_equal(ng_node_shutdown(v), 0);
    if (ng_node_is_valid(cnt))
        assert_int_equal(ng_node_shutdown(cnt), 0);
    ng_node_unref(v);
    ng_node_unref(cnt);
}

/* At most NG_MACFILTER_MACS_MAX (16384) addresses; getmacs returns them all,
 * a response larger than a sender's NG_MAX_MSG_ARGLEN, and its ASCII form
 * converts. */
static void test_table_limit(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, std_hooks);
    unsigned max = (unsigned)NG_MACFILTER_MACS_MAX;
    assert_int_equal(max, 16384);
    for (unsigned i = 0; i <= max; i++) {
        struct ngm_macfilter_direct_hookid d = {
            .ether = {0x02, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i}, .hookid = 1};
        struct ng_mesg *dm =
            ng_mesg_alloc(NGM_MACFILTER_COOKIE, NGM_MACFILTER_DIRECT_HOOKID, sizeof(d));
        memcpy(dm->data, &d, sizeof(d));
        assert_int_equal(ng_send_msg(x.g, NULL, "mf0:", dm, NULL), i < max ? 0 : -ENOSPC);
    }
    struct ngm_macfilter_direct dn = {.ether = {0x04, 0, 0, 0, 0, 1}}; /* by name too */
    snprintf(dn.hookname, sizeof(dn.hookname), "a");
    struct ng_mesg *dm = ng_mesg_alloc(NGM_MACFILTER_COOKIE, NGM_MACFILTER_DIRECT, sizeof(dn));
    memcpy(dm->data, &dn, sizeof(dn));
    assert_int_equal(ng_send_msg(x.g, NULL, "mf0:", dm, NULL), -ENOSPC);
    /* Moving an existing address is still fine. */
    assert_int_equal(ngtest_fx_ascii(&x, "directi { ether=02:00:00:00:00:05 hookid=2 }", NULL), 0);
    struct ng_mesg *m = get(&x, NGM_MACFILTER_GET_MACS);
    const struct ngm_macfilter_macs *t = (const void *)m->data;
    assert_int_equal(t->n, max);
    assert_int_equal(m->header.arglen, sizeof(*t) + max * sizeof(t->macs[0]));
    assert_true(m->header.arglen > NG_MAX_MSG_ARGLEN);
    for (unsigned i = 0; i < max; i++) {
        uint8_t want[6] = {0x02, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i};
        assert_memory_equal(t->macs[i].ether, want, 6);
        assert_int_equal(t->macs[i].hookid, i == 5 ? 2 : 1);
    }
    struct ng_mesg *txt = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_macfilter_type, m, &txt), 0);
    assert_non_null(strstr(txt->data, "n=16384"));
    assert_non_null(strstr(txt->data, "ether=02:00:00:00:3f:ff"));
    ng_mesg_free(txt);
    ng_mesg_free(m);
    ngtest_fx_done(&x);
}

/* At most NG_MACFILTER_UPPER_NUM upper hooks (ids 0..1637, what gethooks
 * can return): one more is refused with ENOSPC by its newhook. */
static void test_hook_limit(void **state)
{
    struct ng_graph *g = *state;
    assert_int_equal(ng_type_register(g, &ng_macfilter_type), -EEXIST); /* built in */
    struct ng_node *mf, *sink;
    assert_int_equal(ng_node_create(g, "macfilter", &mf), 0);
    assert_int_equal(ng_node_name(mf, "mf0"), 0);
    assert_int_equal(ng_node_create(g, "hole", &sink), 0);
    unsigned max = (unsigned)NG_MACFILTER_UPPER_NUM;
    assert_int_equal(max, 1638);
    assert_int_equal(ng_connect(mf, "default", sink, "default"), 0);
    for (unsigned i = 1; i <= max; i++) {
        char name[NG_HOOKSIZ];
        snprintf(name, sizeof(name), "u%u", i);
        assert_int_equal(ng_connect(mf, name, sink, name), i < max ? 0 : -ENOSPC);
    }
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(g, "mf0:", NGM_MACFILTER_COOKIE, NGM_MACFILTER_GET_HOOKS, &r), 0);
    const struct ngm_macfilter_hooks *h = (const void *)r->data;
    assert_int_equal(h->n, max);
    assert_string_equal(h->hooks[max - 1].hookname, "u1637");
    assert_int_equal(h->hooks[max - 1].hookid, max - 1);
    ng_mesg_free(r);
    /* A freed id is reused. */
    assert_int_equal(ng_rmhook(mf, "u7"), 0);
    assert_int_equal(ng_connect(mf, "again", sink, "again"), 0);
    char *text = NULL;
    assert_int_equal(ng_send_ascii(g, "mf0:", "gethooks", &text), 0);
    assert_non_null(strstr(text, "hookname=\"again\" hookid=7 }"));
    free(text);
    assert_int_equal(ng_node_shutdown(mf), 0);
    if (ng_node_is_valid(sink)) /* a hole may have shut down with its last hook */
        assert_int_equal(ng_node_shutdown(sink), 0);
    ng_node_unref(mf);
    ng_node_unref(sink);
}

/* docs/nodes/macfilter.md ERRORS: the rows the tests above do not reach (the
 * graph-wide count of the ENOTCONN drops, unknown ASCII commands, data at a
 * hook the node does not have, the shut-down node). */
static void test_bad_input_rest(void **state)
{
    struct ng_graph *g = *state;
    struct ngtest_fx x;
    const char *const hooks[] = {"ether", "a", NULL}; /* no default */
    fx_make(&x, g, hooks);
    uint8_t f[64];
    uint32_t n = frame(f, other, mac1, 0);
    struct ng_graph_stats before, after;
    ng_graph_stats(g, &before);
    assert_int_equal(ngtest_fx_inject(&x, "ether", f, n), -ENOTCONN);
    ng_graph_stats(g, &after);
    assert_int_equal(after.drops[NG_DROP_NOTCONN], before.drops[NG_DROP_NOTCONN] + 1);
    assert_int_equal(ngtest_fx_ascii(&x, "nosuch", NULL), -ENOSYS);
    /* Over-long arguments: not exactly the struct. */
    uint8_t big[sizeof(struct ngm_macfilter_direct) + 8] = {0x02, 0, 0, 0, 0, 0x01};
    snprintf((char *)big + 6, NG_HOOKSIZ, "a");
    assert_int_equal(
        bin_msg(&x, NGM_MACFILTER_DIRECT, big, sizeof(struct ngm_macfilter_direct) + 1), -EINVAL);
    assert_int_equal(bin_msg(&x, NGM_MACFILTER_DIRECT_HOOKID, big,
                             sizeof(struct ngm_macfilter_direct_hookid) + 1),
                     -EINVAL);
    char *macs = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getmacs", &macs), 0);
    assert_string_equal(macs, "{}"); /* nothing was added */
    free(macs);
    ng_graph_stats(g, &before);
    assert_int_equal(ngtest_fx_inject(&x, "nosuch", f, n), -ENOENT);
    ng_graph_stats(g, &after);
    assert_int_equal(after.drops[NG_DROP_NOTCONN], before.drops[NG_DROP_NOTCONN] + 1);
    char path[NG_NODESIZ];
    snprintf(path, sizeof(path), "[%x]:", (unsigned)ng_node_id(x.node));
    assert_int_equal(ng_node_shutdown(x.node), 0);
    assert_int_equal(ngtest_msg(g, path, NGM_MACFILTER_COOKIE, NGM_MACFILTER_GET_MACS, NULL),
                     -ENOENT);
    assert_int_equal(ng_connect(x.cap, "c_default", x.node, "default"), -ESHUTDOWN);
    ng_graph_stats(g, &before);
    assert_int_equal(ngtest_fx_inject(&x, "a", f, n), -ENOENT);
    ng_graph_stats(g, &after);
    assert_int_equal(after.drops[NG_DROP_NOTCONN], before.drops[NG_DROP_NOTCONN] + 1);
    assert_int_equal(x.cp->n, 0);
    ngtest_fx_done(&x);
}

/* A connect the other node refuses (split has no hook "bogus") when the hook
 * would have been the node's only one: its disconnect method sees the
 * refused hook go and the node shuts down, as FreeBSD's does
 * (docs/nodes/macfilter.md ERRORS). */
static void test_refused_connect(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *lone, *peer;
    assert_int_equal(ng_node_create(g, "macfilter", &lone), 0);
    assert_int_equal(ng_node_create(g, "split", &peer), 0);
    assert_int_equal(ng_connect(lone, "ether", peer, "bogus"), -EINVAL);
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
        ngtest_unit_test(test_table),
        ngtest_unit_test(test_bad_config),
        ngtest_unit_test(test_disconnect_purges),
        ngtest_unit_test(test_bad_frames),
        ngtest_unit_test(test_ascii_roundtrip),
        ngtest_unit_test(test_concurrent_changes),
        ngtest_unit_test(test_shared_race),
        ngtest_unit_test(test_table_limit),
        ngtest_unit_test(test_hook_limit),
        ngtest_unit_test(test_bad_input_rest),
        ngtest_unit_test(test_refused_connect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
