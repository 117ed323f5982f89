/*
 * test_bridge_msg.c - the "bridge" node type's control messages
 * (docs/nodes/bridge.md): GET/CLR/GETCLR_STATS, GET/SET_CONFIG with every
 * bad configuration, and the ASCII form of every message and response
 * (round trips through ng_mesg_to_ascii / ng_mesg_from_ascii, byte for
 * byte, and the forms a user types, through the node as ngctl msg does).
 * The data path, learning, loops, uplinks and the rest are in
 * test_bridge.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/nodes/bridge.h>
#include <ngraph/parse.h>

static const uint8_t MAC_A[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t MAC_B[6] = {0x02, 0, 0, 0, 0, 0x0b};
static const uint8_t MAC_C[6] = {0x02, 0, 0, 0, 0, 0x0c};
static const uint8_t MAC_BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* An Ethernet frame dst <- src, IPv4, len bytes (>= 14) with a payload
 * pattern. */
static uint32_t frame(uint8_t *out, const uint8_t *dst, const uint8_t *src, uint32_t len)
{
    memcpy(out, dst, 6);
    memcpy(out + 6, src, 6);
    out[12] = 0x08;
    out[13] = 0x00;
    for (uint32_t i = 14; i < len; i++)
        out[i] = (uint8_t)(i * 7);
    return len;
}

static void fx_make(struct ngtest_fx *x, struct ng_graph *g, const char *const *hooks)
{
    int r = ng_type_register(g, &ng_bridge_type);
    assert_true(r == 0 || r == -EEXIST);
    ngtest_fx_make(x, g, "bridge", "br0", hooks);
}

/* Inject dst <- src on hook, 60 bytes; returns rcvdata's value. */
static int send_frame(struct ngtest_fx *x, const char *hook, const uint8_t *dst, const uint8_t *src)
{
    uint8_t f[60];
    return ngtest_fx_inject(x, hook, f, frame(f, dst, src, sizeof(f)));
}

/* A bridge message with an argument; *resp (if not NULL) gets the answer. */
static int bmsg(struct ngtest_fx *x, uint32_t cmd, const void *arg, uint32_t len,
                struct ng_mesg **resp)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_BRIDGE_COOKIE, cmd, len);
    assert_non_null(m);
    if (len)
        memcpy(m->data, arg, len);
    return ng_send_msg(x->g, NULL, x->path, m, resp);
}

static int get_stats(struct ngtest_fx *x, int32_t num, struct ng_bridge_link_stats *st)
{
    struct ng_mesg *r = NULL;
    int rc = bmsg(x, NGM_BRIDGE_GET_STATS, &num, sizeof(num), &r);
    if (rc == 0) {
        assert_non_null(r);
        assert_int_equal(r->header.arglen, sizeof(*st));
        memcpy(st, r->data, sizeof(*st));
    }
    ng_mesg_free(r);
    return rc;
}

static const char *const three[] = {"link0", "link1", "link2", NULL};

/* ---- tests --------------------------------------------------------------- */

/* GET_STATS / CLR_STATS / GETCLR_STATS. */
static void test_stats_messages(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, three);
    for (int i = 0; i < 3; i++)
        assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), 0);
    struct ng_mesg *r = NULL;
    int32_t n = 0;
    assert_int_equal(bmsg(&x, NGM_BRIDGE_GETCLR_STATS, &n, sizeof(n), &r), 0);
    const struct ng_bridge_link_stats *st = (const void *)r->data;
    assert_int_equal(st->recvPackets, 3);
    assert_int_equal(st->recvOctets, 180);
    assert_int_equal(st->recvBroadcasts, 3);
    ng_mesg_free(r);
    struct ng_bridge_link_stats s;
    assert_int_equal(get_stats(&x, 0, &s), 0);
    assert_int_equal(s.recvPackets, 0);
    n = 1;
    assert_int_equal(get_stats(&x, 1, &s), 0);
    assert_int_equal(s.xmitPackets, 3);
    assert_int_equal(bmsg(&x, NGM_BRIDGE_CLR_STATS, &n, sizeof(n), NULL), 0);
    assert_int_equal(get_stats(&x, 1, &s), 0);
    assert_int_equal(s.xmitPackets, 0);
    /* ASCII: getstats 2 answers FreeBSD's field names */
    char *text = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getstats 2", &text), 0);
    assert_non_null(text);
    assert_non_null(strstr(text, "xmitPackets=3"));
    assert_non_null(strstr(text, "xmitBroadcasts=3"));
    assert_non_null(strstr(text, "xmitOctets=180"));
    free(text);
    /* bad: no such link, short argument */
    assert_int_equal(get_stats(&x, 7, &s), -ENOTCONN);
    n = 7;
    assert_int_equal(bmsg(&x, NGM_BRIDGE_CLR_STATS, &n, sizeof(n), NULL), -ENOTCONN);
    assert_int_equal(bmsg(&x, NGM_BRIDGE_GET_STATS, &n, 2, NULL), -EINVAL);
    assert_int_equal(bmsg(&x, NGM_BRIDGE_GETCLR_STATS, NULL, 0, NULL), -EINVAL);
    ngtest_fx_done(&x);
}

/* GET_CONFIG defaults, SET_CONFIG, bad configurations refused and the
 * configuration left as it was. */
static void test_config(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, three);
    struct ng_mesg *r = NULL;
    assert_int_equal(bmsg(&x, NGM_BRIDGE_GET_CONFIG, NULL, 0, &r), 0);
    assert_int_equal(r->header.arglen, sizeof(struct ng_bridge_config));
    struct ng_bridge_config c;
    memcpy(&c, r->data, sizeof(c));
    ng_mesg_free(r);
    assert_int_equal(c.debugLevel, 1);
    assert_int_equal(c.loopTimeout, 60);
    assert_int_equal(c.maxStaleness, 900);
    assert_int_equal(c.minStableAge, 1);
    char *text = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getconfig", &text), 0);
    assert_string_equal(text, "{ debugLevel=1 loopTimeout=60 maxStaleness=900 minStableAge=1 }");
    free(text);
    assert_int_equal(
        ngtest_fx_ascii(&x, "setconfig { loopTimeout=5 maxStaleness=30 minStableAge=2 }", NULL), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "getconfig", &text), 0);
    assert_string_equal(text, "{ loopTimeout=5 maxStaleness=30 minStableAge=2 }");
    free(text);
    /* bad configurations */
    struct ng_bridge_config bad = {
        .debugLevel = 1, .loopTimeout = 5, .maxStaleness = 0, .minStableAge = 1};
    assert_int_equal(bmsg(&x, NGM_BRIDGE_SET_CONFIG, &bad, sizeof(bad), NULL), -EINVAL);
    bad.maxStaleness = 10;
    bad.loopTimeout = NG_BRIDGE_MAX_SECONDS + 1;
    assert_int_equal(bmsg(&x, NGM_BRIDGE_SET_CONFIG, &bad, sizeof(bad), NULL), -EINVAL);
    bad.loopTimeout = 5;
    bad.minStableAge = NG_BRIDGE_MAX_SECONDS + 1;
    assert_int_equal(bmsg(&x, NGM_BRIDGE_SET_CONFIG, &bad, sizeof(bad), NULL), -EINVAL);
    assert_int_equal(bmsg(&x, NGM_BRIDGE_SET_CONFIG, &c, 15, NULL), -EINVAL); /* short */
    assert_int_equal(ngtest_fx_ascii(&x, "setconfig { maxStaleness=0 }", NULL), -EINVAL);
    assert_int_equal(ngtest_fx_ascii(&x, "getconfig", &text), 0);
    assert_string_equal(text, "{ loopTimeout=5 maxStaleness=30 minStableAge=2 }");
    free(text);
    /* an unknown command of the bridge cookie */
    assert_int_equal(bmsg(&x, 99, NULL, 0, NULL), -EINVAL);
    ngtest_fx_done(&x);
}

static void roundtrip(const struct ng_mesg *m)
{
    struct ng_mesg *a = NULL, *b = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_bridge_type, m, &a), 0);
    assert_int_equal(ng_mesg_from_ascii(&ng_bridge_type, a, &b, NULL), 0);
    assert_int_equal(b->header.typecookie, m->header.typecookie);
    assert_int_equal(b->header.cmd, m->header.cmd);
    assert_int_equal(b->header.arglen, m->header.arglen);
    assert_memory_equal(b->data, m->data, m->header.arglen);
    ng_mesg_free(a);
    ng_mesg_free(b);
}

static void roundtrip_of(uint32_t cmd, const void *arg, uint32_t len, int resp)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_BRIDGE_COOKIE, cmd, len);
    assert_non_null(m);
    if (len)
        memcpy(m->data, arg, len);
    if (resp)
        m->header.flags = NGF_RESP;
    roundtrip(m);
    ng_mesg_free(m);
}

/* Every message and response converts to ASCII and back, byte for byte. */
static void test_ascii_roundtrip(void **state)
{
    (void)state;
    struct ng_bridge_config c;
    memset(&c, 0, sizeof(c)); /* the padding after debugLevel too */
    c.debugLevel = 2;
    c.loopTimeout = 7;
    c.maxStaleness = 300;
    c.minStableAge = 3;
    roundtrip_of(NGM_BRIDGE_SET_CONFIG, &c, sizeof(c), 0);
    roundtrip_of(NGM_BRIDGE_GET_CONFIG, NULL, 0, 0);
    roundtrip_of(NGM_BRIDGE_GET_CONFIG, &c, sizeof(c), 1);
    roundtrip_of(NGM_BRIDGE_RESET, NULL, 0, 0);
    int32_t n = -5;
    roundtrip_of(NGM_BRIDGE_GET_STATS, &n, sizeof(n), 0);
    roundtrip_of(NGM_BRIDGE_CLR_STATS, &n, sizeof(n), 0);
    roundtrip_of(NGM_BRIDGE_GETCLR_STATS, &n, sizeof(n), 0);
    struct ng_bridge_link_stats st;
    uint64_t *v = (uint64_t *)(void *)&st;
    for (int i = 0; i < 14; i++)
        v[i] = (uint64_t)i * 1000003u + 1;
    roundtrip_of(NGM_BRIDGE_GET_STATS, &st, sizeof(st), 1);
    roundtrip_of(NGM_BRIDGE_GETCLR_STATS, &st, sizeof(st), 1);
    roundtrip_of(NGM_BRIDGE_GET_TABLE, NULL, 0, 0);
    roundtrip_of(NGM_BRIDGE_SET_PERSISTENT, NULL, 0, 0);
    struct ng_bridge_move_host mh;
    memset(&mh, 0, sizeof(mh));
    memcpy(mh.addr, MAC_C, 6);
    snprintf(mh.hook, sizeof(mh.hook), "uplink3");
    roundtrip_of(NGM_BRIDGE_MOVE_HOST, &mh, sizeof(mh), 0);
    /* gettable's answer with two hosts, and with none */
    size_t len = sizeof(struct ng_bridge_host_ary) + 2 * sizeof(struct ng_bridge_host);
    struct ng_bridge_host_ary *a = calloc(1, len);
    assert_non_null(a);
    a->numHosts = 2;
    memcpy(a->hosts[0].addr, MAC_A, 6);
    a->hosts[0].age = 5;
    a->hosts[0].staleness = 2;
    snprintf(a->hosts[0].hook, NG_HOOKSIZ, "link0");
    memcpy(a->hosts[1].addr, MAC_B, 6);
    a->hosts[1].age = 65535;
    snprintf(a->hosts[1].hook, NG_HOOKSIZ, "link12");
    roundtrip_of(NGM_BRIDGE_GET_TABLE, a, (uint32_t)len, 1);
    a->numHosts = 0;
    roundtrip_of(NGM_BRIDGE_GET_TABLE, a, sizeof(*a), 1);
    free(a);
}

/* The ASCII forms users type, through the node (as ngctl msg). */
static void test_ascii_live(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, three);
    assert_int_equal(send_frame(&x, "link1", MAC_BCAST, MAC_B), 0);
    char *text = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "gettable", &text), 0);
    assert_non_null(text);
    /* age and staleness are 0 unless the timer ticked meanwhile */
    assert_non_null(strstr(text, "numHosts=1 hosts=[ { addr=02:00:00:00:00:0b "));
    assert_non_null(strstr(text, "hook=\"link1\" } ] }"));
    free(text);
    assert_int_equal(ngtest_fx_ascii(&x, "getclrstats 1", &text), 0);
    assert_string_equal(text, "{ recvOctets=60 recvPackets=1 recvBroadcast=1 }");
    free(text);
    assert_int_equal(ngtest_fx_ascii(&x, "clrstats 0", NULL), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "setpersistent", NULL), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "reset", NULL), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "gettable", &text), 0);
    assert_string_equal(text, "{}");
    free(text);
    ngtest_fx_done(&x);
}

/* TEXT_STATUS lists every link; past what a response holds (some 290
 * links) the text ends with "...". */
static void test_status_many_links(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, three);
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(x.g, x.path, NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &r), 0);
    assert_non_null(strstr(r->data, "hosts=0 links=3 persistent=0 unknown=all\n"));
    assert_non_null(strstr(r->data, "\nlink2: link muted=0 "));
    assert_null(strstr(r->data, "..."));
    ng_mesg_free(r);
    for (int i = 3; i < 400; i++) {
        char h[NG_HOOKSIZ], c[NG_HOOKSIZ];
        snprintf(h, sizeof(h), "link%d", i);
        snprintf(c, sizeof(c), "c_link%d", i);
        assert_int_equal(ng_connect(x.node, h, x.cap, c), 0);
    }
    assert_int_equal(ngtest_msg(x.g, x.path, NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &r), 0);
    assert_true(r->header.arglen > 60000 && r->header.arglen <= NG_MAX_MSG_ARGLEN);
    assert_int_equal(strlen(r->data) + 1, r->header.arglen);
    assert_string_equal(r->data + r->header.arglen - 5, "...\n");
    ng_mesg_free(r);
    ngtest_fx_done(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_stats_messages),    ngtest_unit_test(test_config),
        ngtest_unit_test(test_ascii_roundtrip),   ngtest_unit_test(test_ascii_live),
        ngtest_unit_test(test_status_many_links),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
