/*
 * test_bridge.c - the "bridge" node type (docs/nodes/bridge.md, FreeBSD's
 * ng_bridge(4)) against its documented behaviour: it learns source
 * addresses, forwards known unicast out of one link only, floods unknown
 * unicast, multicast and broadcast to every other link, keeps frames for a
 * host on the link they came from, detects loops (a host seen on a second
 * link before minStableAge: the link is muted, counted), uplinks (no
 * learning; unknowns only to uplinks when an uplink was connected first),
 * per-link statistics counted exactly, every message (binary and ASCII,
 * round trips), persistent mode, bursts, and every bad input: wrong hook
 * names, short arguments, bad configurations, runt and multicast-source
 * frames.  Frames are injected at the bridge's hooks and captured by a
 * "gcap" sink connected to all of them (support/capture.h).  Aging by the
 * one-second timer is in test_bridge_aging.c, the messages' statistics,
 * configuration and ASCII forms in test_bridge_msg.c.
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
static const uint8_t MAC_MCAST[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};

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

/* Frames captured on "c_<hook>" since index `from`. */
static int got(struct ngtest_fx *x, int from, const char *hook)
{
    char h[NG_HOOKSIZ];
    snprintf(h, sizeof(h), "c_%s", hook);
    int n = 0;
    for (int i = from; i < x->cp->n; i++)
        n += strcmp(x->cp->f[i].hook, h) == 0;
    return n;
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

/* The host table: number of hosts, and the hook of `mac` in *hook ("" if
 * absent). */
static uint32_t table(struct ngtest_fx *x, const uint8_t *mac, char *hook)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(bmsg(x, NGM_BRIDGE_GET_TABLE, NULL, 0, &r), 0);
    assert_non_null(r);
    const struct ng_bridge_host_ary *a = (const void *)r->data;
    assert_int_equal(r->header.arglen, sizeof(*a) + a->numHosts * sizeof(a->hosts[0]));
    if (hook)
        hook[0] = '\0';
    for (uint32_t i = 0; i < a->numHosts; i++)
        if (mac && hook && memcmp(a->hosts[i].addr, mac, 6) == 0)
            snprintf(hook, NG_HOOKSIZ, "%s", a->hosts[i].hook);
    uint32_t n = a->numHosts;
    ng_mesg_free(r);
    return n;
}

static uint64_t status_counter(struct ngtest_fx *x, const char *name)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(x->g, x->path, NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &r), 0);
    assert_non_null(r);
    char key[64];
    snprintf(key, sizeof(key), "%s=", name);
    const char *s = strstr(r->data, key);
    assert_non_null(s);
    uint64_t v = strtoull(s + strlen(key), NULL, 10);
    ng_mesg_free(r);
    return v;
}

static const char *const three[] = {"link0", "link1", "link2", NULL};

/* minStableAge far beyond the test's duration, so that a host seen on a
 * second link is a loop whenever the one-second timer happens to tick. */
static void stable_age(struct ngtest_fx *x, uint32_t secs)
{
    struct ng_bridge_config c = {
        .debugLevel = 1, .loopTimeout = 60, .maxStaleness = 900, .minStableAge = secs};
    assert_int_equal(bmsg(x, NGM_BRIDGE_SET_CONFIG, &c, sizeof(c), NULL), 0);
}

/* ---- tests --------------------------------------------------------------- */

/* Unknown destination: flooded to every other link, byte for byte; the
 * answer goes back to the learnt link only; then both ways are known. */
static void test_learn_forward(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, three);
    uint8_t f[60];
    frame(f, MAC_B, MAC_A, sizeof(f));
    assert_int_equal(ngtest_fx_inject(&x, "link0", f, sizeof(f)), 0);
    assert_int_equal(x.cp->n, 2);
    assert_int_equal(got(&x, 0, "link1"), 1);
    assert_int_equal(got(&x, 0, "link2"), 1);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(x.cp->f[i].len, sizeof(f));
        assert_memory_equal(x.cp->f[i].data, f, sizeof(f));
    }
    char hook[NG_HOOKSIZ];
    assert_int_equal(table(&x, MAC_A, hook), 1);
    assert_string_equal(hook, "link0");
    /* B answers from link1: A is known, only link0 gets it */
    uint8_t g[60];
    frame(g, MAC_A, MAC_B, sizeof(g));
    assert_int_equal(ngtest_fx_inject(&x, "link1", g, sizeof(g)), 0);
    assert_int_equal(x.cp->n, 3);
    ngtest_fx_expect(&x, 2, "c_link0", g, sizeof(g));
    assert_int_equal(table(&x, MAC_B, hook), 2);
    assert_string_equal(hook, "link1");
    /* A -> B is now known unicast: only link1 */
    assert_int_equal(ngtest_fx_inject(&x, "link0", f, sizeof(f)), 0);
    assert_int_equal(x.cp->n, 4);
    ngtest_fx_expect(&x, 3, "c_link1", f, sizeof(f));
    /* per-link counters, exactly */
    struct ng_bridge_link_stats st;
    assert_int_equal(get_stats(&x, 0, &st), 0);
    assert_int_equal(st.recvPackets, 2);
    assert_int_equal(st.recvOctets, 120);
    assert_int_equal(st.recvUnknown, 1);
    assert_int_equal(st.xmitPackets, 1);
    assert_int_equal(st.xmitOctets, 60);
    assert_int_equal(get_stats(&x, 1, &st), 0);
    assert_int_equal(st.recvPackets, 1);
    assert_int_equal(st.recvUnknown, 0);
    assert_int_equal(st.xmitPackets, 2);
    assert_int_equal(get_stats(&x, 2, &st), 0);
    assert_int_equal(st.recvPackets, 0);
    assert_int_equal(st.xmitPackets, 1);
    assert_int_equal(st.xmitOctets, 60);
    ngtest_fx_done(&x);
}

/* Broadcast and multicast go to every other link, counted as such; a frame
 * for a host on its own link goes nowhere (counted "local"). */
static void test_flood_and_local(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, three);
    stable_age(&x, 1000);
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), 0);
    assert_int_equal(x.cp->n, 2);
    assert_int_equal(got(&x, 0, "link1") + got(&x, 0, "link2"), 2);
    assert_int_equal(send_frame(&x, "link1", MAC_MCAST, MAC_B), 0);
    assert_int_equal(x.cp->n, 4);
    assert_int_equal(got(&x, 2, "link0") + got(&x, 2, "link2"), 2);
    /* broadcast to known hosts still floods */
    assert_int_equal(send_frame(&x, "link2", MAC_BCAST, MAC_C), 0);
    assert_int_equal(x.cp->n, 6);
    assert_int_equal(got(&x, 4, "link0") + got(&x, 4, "link1"), 2);
    struct ng_bridge_link_stats st;
    assert_int_equal(get_stats(&x, 0, &st), 0);
    assert_int_equal(st.recvBroadcasts, 1);
    assert_int_equal(st.recvMulticasts, 0);
    assert_int_equal(st.recvUnknown, 0); /* broadcast is not "unknown" */
    assert_int_equal(st.xmitMulticasts, 1);
    assert_int_equal(st.xmitBroadcasts, 1);
    assert_int_equal(get_stats(&x, 1, &st), 0);
    assert_int_equal(st.recvMulticasts, 1);
    assert_int_equal(st.xmitBroadcasts, 2);
    /* C is on link2; a frame from link2 to C stays there */
    uint64_t local = status_counter(&x, "local");
    assert_int_equal(send_frame(&x, "link2", MAC_C, MAC_A), -ELOOP); /* A jumps: loop */
    assert_int_equal(send_frame(&x, "link0", MAC_A, MAC_B), -ELOOP); /* B jumps: loop */
    assert_int_equal(x.cp->n, 6);
    assert_int_equal(ngtest_fx_ascii(&x, "reset", NULL), 0);
    assert_int_equal(send_frame(&x, "link2", MAC_BCAST, MAC_C), 0);
    assert_int_equal(send_frame(&x, "link2", MAC_C, MAC_B), 0);
    assert_int_equal(x.cp->n, 8);
    assert_int_equal(status_counter(&x, "local"), local + 1);
    ngtest_fx_done(&x);
}

/* A host seen on a second link before minStableAge: that link is muted
 * (loopDetects, loopDrops), its hosts forgotten; reset unmutes it.  With
 * minStableAge 0 a host may move freely. */
static void test_loop_detection(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, three);
    stable_age(&x, 1000);
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), 0);
    assert_int_equal(send_frame(&x, "link1", MAC_BCAST, MAC_B), 0);
    int n0 = x.cp->n;
    /* A appears on link1 at once: loop on link1 */
    assert_int_equal(send_frame(&x, "link1", MAC_BCAST, MAC_A), -ELOOP);
    assert_int_equal(x.cp->n, n0);
    struct ng_bridge_link_stats st;
    assert_int_equal(get_stats(&x, 1, &st), 0);
    assert_int_equal(st.loopDetects, 1);
    assert_int_equal(st.loopDrops, 1);
    char hook[NG_HOOKSIZ];
    assert_int_equal(table(&x, MAC_B, hook), 1); /* link1's hosts are forgotten */
    assert_string_equal(hook, "");
    assert_int_equal(table(&x, MAC_A, hook), 1);
    assert_string_equal(hook, "link0"); /* A stays where it was */
    /* muted: everything from link1 is dropped and counted */
    assert_int_equal(send_frame(&x, "link1", MAC_BCAST, MAC_C), -ELOOP);
    assert_int_equal(send_frame(&x, "link1", MAC_A, MAC_C), -ELOOP);
    assert_int_equal(x.cp->n, n0);
    assert_int_equal(get_stats(&x, 1, &st), 0);
    assert_int_equal(st.loopDrops, 3);
    /* B's broadcast and the frame that revealed the loop (counted before
     * the source is looked at, as FreeBSD's) */
    assert_int_equal(st.recvPackets, 2);
    /* but frames still go out of it */
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), 0);
    assert_int_equal(got(&x, n0, "link1"), 1);
    /* TEXT_STATUS shows the mute */
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(x.g, x.path, NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &r), 0);
    const char *mu = strstr(r->data, "link1: link muted=");
    assert_non_null(mu);
    assert_true(strtoul(mu + strlen("link1: link muted="), NULL, 10) >= 55);
    ng_mesg_free(r);
    /* reset: forgets hosts, unmutes, clears stats */
    assert_int_equal(bmsg(&x, NGM_BRIDGE_RESET, NULL, 0, NULL), 0);
    assert_int_equal(table(&x, NULL, NULL), 0);
    assert_int_equal(get_stats(&x, 1, &st), 0);
    assert_int_equal(st.loopDrops, 0);
    assert_int_equal(st.loopDetects, 0);
    n0 = x.cp->n;
    assert_int_equal(send_frame(&x, "link1", MAC_BCAST, MAC_C), 0);
    assert_int_equal(x.cp->n, n0 + 2);
    /* minStableAge 0: hosts move without a loop */
    struct ng_bridge_config c = {
        .debugLevel = 1, .loopTimeout = 60, .maxStaleness = 900, .minStableAge = 0};
    assert_int_equal(bmsg(&x, NGM_BRIDGE_SET_CONFIG, &c, sizeof(c), NULL), 0);
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_C), 0);
    assert_int_equal(table(&x, MAC_C, hook), 1);
    assert_string_equal(hook, "link0");
    assert_int_equal(send_frame(&x, "link2", MAC_BCAST, MAC_C), 0);
    assert_int_equal(table(&x, MAC_C, hook), 1);
    assert_string_equal(hook, "link2");
    assert_int_equal(get_stats(&x, 2, &st), 0);
    assert_int_equal(st.loopDetects, 0);
    ngtest_fx_done(&x);
}

/* NGM_BRIDGE_MOVE_HOST: put a host on a link by name, or on the hook the
 * message came in by; moving it again too soon is a loop. */
static void test_movehost(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, three);
    stable_age(&x, 1000);
    char hook[NG_HOOKSIZ];
    struct ng_bridge_move_host mh;
    memset(&mh, 0, sizeof(mh));
    memcpy(mh.addr, MAC_A, 6);
    snprintf(mh.hook, sizeof(mh.hook), "link2");
    assert_int_equal(bmsg(&x, NGM_BRIDGE_MOVE_HOST, &mh, sizeof(mh), NULL), 0);
    assert_int_equal(table(&x, MAC_A, hook), 1);
    assert_string_equal(hook, "link2");
    assert_int_equal(send_frame(&x, "link0", MAC_A, MAC_B), 0); /* known: link2 only */
    assert_int_equal(x.cp->n, 1);
    assert_int_equal(got(&x, 0, "link2"), 1);
    /* the same place again: nothing to do */
    assert_int_equal(bmsg(&x, NGM_BRIDGE_MOVE_HOST, &mh, sizeof(mh), NULL), 0);
    /* elsewhere before minStableAge: a loop on link1 */
    snprintf(mh.hook, sizeof(mh.hook), "link1");
    assert_int_equal(bmsg(&x, NGM_BRIDGE_MOVE_HOST, &mh, sizeof(mh), NULL), -ELOOP);
    struct ng_bridge_link_stats st;
    assert_int_equal(get_stats(&x, 1, &st), 0);
    assert_int_equal(st.loopDetects, 1);
    /* empty hook: the hook the message arrived on (from the capture node) */
    struct ng_hook *ch;
    assert_int_equal(ng_hook_find(x.cap, "c_link0", &ch), 0);
    memcpy(mh.addr, MAC_C, 6);
    mh.hook[0] = '\0';
    struct ng_mesg *m = ng_mesg_alloc(NGM_BRIDGE_COOKIE, NGM_BRIDGE_MOVE_HOST, sizeof(mh));
    memcpy(m->data, &mh, sizeof(mh));
    assert_int_equal(ng_send_msg_hook(ch, m), 0);
    ng_hook_unref(ch);
    assert_int_equal(table(&x, MAC_C, hook), 3);
    assert_string_equal(hook, "link0");
    /* ASCII form */
    assert_int_equal(
        ngtest_fx_ascii(&x, "movehost { addr=02:00:00:00:00:0d hook=\"link2\" }", NULL), 0);
    static const uint8_t mac_d[6] = {0x02, 0, 0, 0, 0, 0x0d};
    assert_int_equal(table(&x, mac_d, hook), 4);
    assert_string_equal(hook, "link2");
    /* bad: unknown hook, empty hook from no hook, group address, short */
    snprintf(mh.hook, sizeof(mh.hook), "link9");
    assert_int_equal(bmsg(&x, NGM_BRIDGE_MOVE_HOST, &mh, sizeof(mh), NULL), -ENOENT);
    mh.hook[0] = '\0';
    assert_int_equal(bmsg(&x, NGM_BRIDGE_MOVE_HOST, &mh, sizeof(mh), NULL), -ENOENT);
    snprintf(mh.hook, sizeof(mh.hook), "link0");
    memcpy(mh.addr, MAC_MCAST, 6);
    assert_int_equal(bmsg(&x, NGM_BRIDGE_MOVE_HOST, &mh, sizeof(mh), NULL), -EINVAL);
    memset(mh.hook, 'x', sizeof(mh.hook)); /* unterminated name */
    memcpy(mh.addr, MAC_A, 6);
    assert_int_equal(bmsg(&x, NGM_BRIDGE_MOVE_HOST, &mh, sizeof(mh), NULL), -EINVAL);
    assert_int_equal(bmsg(&x, NGM_BRIDGE_MOVE_HOST, &mh, 6, NULL), -EINVAL);
    assert_int_equal(table(&x, NULL, NULL), 4);
    ngtest_fx_done(&x);
}

/* Uplinks: no learning from them; when the first hook is an uplink,
 * unknown unicast goes to uplinks only (broadcast still everywhere); when a
 * link came first, unknowns go everywhere. */
static void test_uplinks(void **state)
{
    struct ngtest_fx x;
    const char *const up_first[] = {"uplink1", "link0", "link1", "uplink2", NULL};
    fx_make(&x, *state, up_first);
    /* from link0 to an unknown host: the uplinks only */
    assert_int_equal(send_frame(&x, "link0", MAC_B, MAC_A), 0);
    assert_int_equal(x.cp->n, 2);
    assert_int_equal(got(&x, 0, "uplink1"), 1);
    assert_int_equal(got(&x, 0, "uplink2"), 1);
    /* broadcast: everywhere */
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), 0);
    assert_int_equal(x.cp->n, 5);
    assert_int_equal(got(&x, 2, "link1"), 1);
    /* from an uplink: not learnt; unknown goes to the other uplink only */
    char hook[NG_HOOKSIZ];
    assert_int_equal(send_frame(&x, "uplink1", MAC_C, MAC_B), 0);
    assert_int_equal(table(&x, MAC_B, hook), 1);
    assert_string_equal(hook, "");
    assert_int_equal(x.cp->n, 6);
    assert_int_equal(got(&x, 5, "uplink2"), 1);
    /* to a host learnt on a link: that link */
    assert_int_equal(send_frame(&x, "uplink1", MAC_A, MAC_B), 0);
    assert_int_equal(x.cp->n, 7);
    assert_int_equal(got(&x, 6, "link0"), 1);
    /* stats of an uplink by negative number */
    struct ng_bridge_link_stats st;
    assert_int_equal(get_stats(&x, -1, &st), 0);
    assert_int_equal(st.recvPackets, 2);
    assert_int_equal(st.xmitPackets, 2);
    assert_int_equal(get_stats(&x, -2, &st), 0);
    assert_int_equal(st.xmitPackets, 3);
    assert_int_equal(get_stats(&x, -3, &st), -ENOTCONN);
    assert_int_equal(get_stats(&x, INT32_MIN, &st), -ENOTCONN);
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(x.g, x.path, NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &r), 0);
    assert_non_null(strstr(r->data, "unknown=uplinks"));
    assert_non_null(strstr(r->data, "uplink1: uplink"));
    ng_mesg_free(r);
    ngtest_fx_done(&x);

    /* a link first: unknowns everywhere, uplinks included */
    const char *const link_first[] = {"link0", "uplink1", "link1", NULL};
    fx_make(&x, *state, link_first);
    assert_int_equal(send_frame(&x, "link0", MAC_B, MAC_A), 0);
    assert_int_equal(x.cp->n, 2);
    assert_int_equal(got(&x, 0, "uplink1") + got(&x, 0, "link1"), 2);
    ngtest_fx_done(&x);
}

/* Wrong hook names are refused (-EINVAL) and leave no hook. */
static void test_bad_hooks(void **state)
{
    struct ngtest_fx x;
    const char *const one[] = {"link0", NULL};
    fx_make(&x, *state, one);
    const char *bad[] = {"link",   "uplink", "uplink0",   "link01",         "link-1", "linkx",
                         "link1x", "foo",    "uplink007", "link2147483648", "Link1",  "uplink "};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char peer[NG_HOOKSIZ];
        snprintf(peer, sizeof(peer), "b%zu", i);
        int rc = ng_connect(x.node, bad[i], x.cap, peer);
        if (strchr(bad[i], ' '))
            assert_true(rc == -EINVAL);
        else
            assert_int_equal(rc, -EINVAL);
    }
    assert_int_equal(ng_node_numhooks(x.node), 1);
    /* the largest number is fine, and a taken name is -EEXIST */
    assert_int_equal(ng_connect(x.node, "link2147483647", x.cap, "big"), 0);
    assert_int_equal(ng_connect(x.node, "link0", x.cap, "again"), -EEXIST);
    struct ng_bridge_link_stats st;
    assert_int_equal(get_stats(&x, INT32_MAX, &st), 0);
    ngtest_fx_done(&x);
}

/* Runts and frames with a multicast source are dropped and counted. */
static void test_bad_frames(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, three);
    uint8_t f[60];
    frame(f, MAC_BCAST, MAC_A, sizeof(f));
    assert_int_equal(ngtest_fx_inject(&x, "link0", f, 13), -EINVAL);
    assert_int_equal(ngtest_fx_inject(&x, "link0", f, 1), -EINVAL);
    assert_int_equal(ngtest_fx_inject(&x, "link0", f, 14), 0); /* a bare header is a frame */
    frame(f, MAC_B, MAC_MCAST, sizeof(f));
    assert_int_equal(ngtest_fx_inject(&x, "link0", f, sizeof(f)), -EINVAL);
    assert_int_equal(x.cp->n, 2);
    struct ng_bridge_link_stats st;
    assert_int_equal(get_stats(&x, 0, &st), 0);
    assert_int_equal(st.recvRunts, 2);
    assert_int_equal(st.recvInvalid, 1);
    assert_int_equal(st.recvPackets, 1);
    assert_int_equal(st.recvOctets, 14);
    assert_int_equal(table(&x, NULL, NULL), 1); /* the multicast source was not learnt */
    ngtest_fx_done(&x);
}

/* The node shuts down with its last hook unless persistent; NGM_SHUTDOWN
 * ends a persistent one too. */
static void test_persistent(void **state)
{
    struct ng_graph *g = *state;
    struct ngtest_fx x;
    const char *const two[] = {"link0", "link1", NULL};
    fx_make(&x, g, two);
    assert_int_equal(ng_rmhook(x.node, "link0"), 0);
    assert_true(ng_node_is_valid(x.node));
    assert_int_equal(ng_rmhook(x.node, "link1"), 0);
    assert_false(ng_node_is_valid(x.node));
    ngtest_fx_done(&x);

    fx_make(&x, g, two);
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), 0);
    assert_int_equal(bmsg(&x, NGM_BRIDGE_SET_PERSISTENT, NULL, 0, NULL), 0);
    assert_int_equal(ng_rmhook(x.node, "link0"), 0);
    assert_int_equal(ng_rmhook(x.node, "link1"), 0);
    assert_true(ng_node_is_valid(x.node));
    assert_int_equal(table(&x, NULL, NULL), 0); /* link0's host went with it */
    /* reconnect and use it again */
    assert_int_equal(ng_connect(x.node, "link5", x.cap, "c_link5"), 0);
    assert_int_equal(ng_connect(x.node, "link6", x.cap, "c_link6"), 0);
    int n0 = x.cp->n;
    assert_int_equal(send_frame(&x, "link5", MAC_BCAST, MAC_A), 0);
    assert_int_equal(got(&x, n0, "link6"), 1);
    assert_int_equal(ng_node_shutdown(x.node), 0);
    assert_false(ng_node_is_valid(x.node));
    ngtest_fx_done(&x);

    /* netgraph's persistence (ng_node_set_persistent): a shutdown revives
     * the node afresh, hosts and configuration reset */
    fx_make(&x, g, two);
    stable_age(&x, 77);
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), 0);
    ng_node_set_persistent(x.node, 1);
    assert_int_equal(ng_node_shutdown(x.node), 0);
    assert_true(ng_node_is_valid(x.node));
    assert_int_equal(ng_node_numhooks(x.node), 0);
    assert_int_equal(table(&x, NULL, NULL), 0);
    char *text = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getconfig", &text), 0);
    assert_string_equal(text, "{ debugLevel=1 loopTimeout=60 maxStaleness=900 minStableAge=1 }");
    free(text);
    assert_int_equal(ng_connect(x.node, "link1", x.cap, "c_link1b"), 0);
    assert_int_equal(ng_connect(x.node, "link2", x.cap, "c_link2b"), 0);
    n0 = x.cp->n;
    assert_int_equal(send_frame(&x, "link1", MAC_BCAST, MAC_B), 0);
    assert_int_equal(x.cp->n, n0 + 1);
    ng_node_set_persistent(x.node, 0);
    assert_int_equal(ng_node_shutdown(x.node), 0);
    assert_false(ng_node_is_valid(x.node));
    ngtest_fx_done(&x);
}

/* A burst: known unicast runs leave as bursts, floods in order. */
static void test_burst(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, three);
    assert_int_equal(send_frame(&x, "link1", MAC_BCAST, MAC_B), 0);
    assert_int_equal(send_frame(&x, "link2", MAC_BCAST, MAC_C), 0);
    int n0 = x.cp->n;
    const uint8_t *dst[8] = {MAC_B, MAC_B, MAC_C, MAC_BCAST, MAC_B, MAC_A, MAC_C, MAC_C};
    struct ng_item *v[9];
    for (int i = 0; i < 8; i++) {
        v[i] = ng_item_alloc(x.g, 60);
        frame(ng_item_data(v[i]), dst[i], MAC_A, 60);
        ng_item_data(v[i])[59] = (uint8_t)i;
    }
    v[8] = ng_item_alloc(x.g, 10); /* a runt at the end */
    memset(ng_item_data(v[8]), 0, 10);
    assert_int_equal(ng_inject_data_burst(x.node, "link0", v, 9), -EINVAL);
    /* B x3 to link1, C x3 to link2, broadcast to both; A is local */
    assert_int_equal(got(&x, n0, "link1"), 4);
    assert_int_equal(got(&x, n0, "link2"), 4);
    /* per link, the frames in their order */
    int last1 = -1, last2 = -1;
    for (int i = n0; i < x.cp->n; i++) {
        int tag = x.cp->f[i].data[59];
        if (strcmp(x.cp->f[i].hook, "c_link1") == 0) {
            assert_true(tag > last1);
            last1 = tag;
        } else {
            assert_true(tag > last2);
            last2 = tag;
        }
    }
    struct ng_bridge_link_stats st;
    assert_int_equal(get_stats(&x, 0, &st), 0);
    assert_int_equal(st.recvPackets, 8);
    assert_int_equal(st.recvRunts, 1);
    assert_int_equal(get_stats(&x, 1, &st), 0);
    assert_int_equal(st.xmitPackets, 5);    /* C's broadcast before, 4 now */
    assert_int_equal(st.xmitBroadcasts, 2); /* C's broadcast and this one */
    assert_int_equal(status_counter(&x, "local"), 1);
    ngtest_fx_done(&x);
}

/* Many hosts: learning grows the table, all are forwarded to, a removed
 * link takes its hosts with it; GET_TABLE lists all 5000 (a response of
 * 210 KiB, past a sender's NG_MAX_MSG_ARGLEN), each once, on its link, and
 * its ASCII form converts (ng_mesg_to_ascii). */
static void test_many_hosts(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, three);
    uint8_t mac[6] = {0x12, 0, 0, 0, 0, 0}; /* not A, B or C */
    for (int i = 0; i < 5000; i++) {
        mac[3] = (uint8_t)(i >> 16);
        mac[4] = (uint8_t)(i >> 8);
        mac[5] = (uint8_t)i;
        assert_int_equal(send_frame(&x, i & 1 ? "link1" : "link2", MAC_BCAST, mac), 0);
    }
    assert_int_equal(status_counter(&x, "hosts"), 5000);
    struct ng_mesg *r = NULL;
    assert_int_equal(bmsg(&x, NGM_BRIDGE_GET_TABLE, NULL, 0, &r), 0);
    const struct ng_bridge_host_ary *a = (const void *)r->data;
    assert_int_equal(a->numHosts, 5000);
    assert_true(r->header.arglen > NG_MAX_MSG_ARGLEN);
    assert_int_equal(r->header.arglen, sizeof(*a) + 5000 * sizeof(a->hosts[0]));
    static uint8_t seen[5000];
    memset(seen, 0, sizeof(seen));
    for (uint32_t i = 0; i < a->numHosts; i++) {
        const uint8_t *h = a->hosts[i].addr;
        assert_int_equal(h[0], 0x12);
        unsigned k = (unsigned)h[3] << 16 | (unsigned)h[4] << 8 | h[5];
        assert_true(k < 5000);
        assert_int_equal(seen[k]++, 0);
        assert_string_equal(a->hosts[i].hook, k & 1 ? "link1" : "link2");
    }
    struct ng_mesg *txt = NULL, *back = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_bridge_type, r, &txt), 0);
    assert_non_null(strstr(txt->data, "numHosts=5000"));
    /* A response parses back up to NG_MAX_RESP_ARGLEN: byte-exact. */
    assert_int_equal(ng_mesg_from_ascii(&ng_bridge_type, txt, &back, NULL), 0);
    assert_int_equal(back->header.arglen, r->header.arglen);
    assert_memory_equal(back->data, r->data, r->header.arglen);
    ng_mesg_free(back);
    ng_mesg_free(txt);
    ng_mesg_free(r);
    x.cp->n = 0;
    mac[4] = 0x12;
    mac[5] = 0x35; /* host 0x1235: odd, on link1 */
    assert_int_equal(send_frame(&x, "link0", mac, MAC_A), 0);
    assert_int_equal(x.cp->n, 1);
    assert_int_equal(got(&x, 0, "link1"), 1);
    assert_int_equal(ng_rmhook(x.node, "link1"), 0);
    assert_int_equal(status_counter(&x, "hosts"), 2501); /* link2's 2500 and A */
    ngtest_fx_done(&x);
}

/* Where a frame to mac from `from` (a host that is no hook's) goes: the
 * hook it left by if exactly one, "flood" if by every other link, "" if
 * none. */
static const char *where(struct ngtest_fx *x, const char *from, const uint8_t *mac, char *buf)
{
    static const uint8_t other[6] = {0x02, 0, 0, 0, 0, 0xee};
    x->cp->n = 0;
    assert_int_equal(send_frame(x, from, mac, other), 0);
    buf[0] = '\0';
    if (x->cp->n == 1)
        snprintf(buf, NG_HOOKSIZ, "%s", x->cp->f[0].hook + 2); /* "c_<hook>" */
    else if (x->cp->n > 1)
        snprintf(buf, NG_HOOKSIZ, "flood");
    return buf;
}

static int movehost(struct ngtest_fx *x, const uint8_t *mac, const char *hook)
{
    struct ng_bridge_move_host mh;
    memset(&mh, 0, sizeof(mh));
    memcpy(mh.addr, mac, 6);
    snprintf(mh.hook, sizeof(mh.hook), "%s", hook);
    return bmsg(x, NGM_BRIDGE_MOVE_HOST, &mh, sizeof(mh), NULL);
}

/* The source cache: each link remembers the host last learnt on it (or
 * moved to it), so a frame from that host needs no table lookup.  Every
 * way the host can leave the link must empty the cache, or a frame from it
 * would be taken as "known here": a move by a frame, a move by movehost,
 * a reset, the link's removal, a loop on another link. */
static void test_source_cache(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, three);
    stable_age(&x, 0); /* a host may move at once */
    char hook[NG_HOOKSIZ], w[NG_HOOKSIZ];
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), 0); /* link0 caches A */
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), 0); /* a cache hit */
    assert_int_equal(table(&x, MAC_A, hook), 1);
    assert_string_equal(hook, "link0");
    assert_string_equal(where(&x, "link2", MAC_A, w), "link0");
    /* a frame moves A to link1 (link1 caches it), then back to link0 */
    assert_int_equal(send_frame(&x, "link1", MAC_BCAST, MAC_A), 0);
    assert_string_equal(where(&x, "link2", MAC_A, w), "link1");
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), 0);
    assert_int_equal(table(&x, MAC_A, hook), 2); /* and link2's 02:..:ee */
    assert_string_equal(hook, "link0");
    assert_string_equal(where(&x, "link2", MAC_A, w), "link0");
    /* movehost takes A to link2; a frame from A on link0 moves it back */
    assert_int_equal(movehost(&x, MAC_A, "link2"), 0);
    assert_string_equal(where(&x, "link1", MAC_A, w), "link2");
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), 0);
    assert_string_equal(where(&x, "link1", MAC_A, w), "link0");
    /* reset: A is unknown until its next frame, which learns it again */
    assert_int_equal(bmsg(&x, NGM_BRIDGE_RESET, NULL, 0, NULL), 0);
    assert_int_equal(table(&x, NULL, NULL), 0);
    assert_string_equal(where(&x, "link2", MAC_A, w), "flood");
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), 0);
    assert_int_equal(table(&x, MAC_A, hook), 2); /* A, and link2's 02:..:ee */
    assert_string_equal(hook, "link0");
    /* link0 goes, with A: a new link0 learns it afresh */
    assert_int_equal(ng_rmhook(x.node, "link0"), 0);
    assert_int_equal(table(&x, MAC_A, hook), 1);
    assert_string_equal(hook, "");
    assert_int_equal(ng_connect(x.node, "link0", x.cap, "c_link0"), 0);
    assert_string_equal(where(&x, "link2", MAC_A, w), "flood");
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), 0);
    assert_string_equal(where(&x, "link2", MAC_A, w), "link0");
    /* a loop on link1 (A again before minStableAge) forgets link1's hosts,
     * not A, and A's frames on link0 are still A's */
    stable_age(&x, 1000);
    assert_int_equal(send_frame(&x, "link1", MAC_BCAST, MAC_B), 0); /* link1 caches B */
    assert_int_equal(send_frame(&x, "link1", MAC_BCAST, MAC_A), -ELOOP);
    assert_int_equal(table(&x, MAC_B, hook), 2); /* A and 02:..:ee; B forgotten */
    assert_string_equal(hook, "");
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), 0);
    assert_int_equal(table(&x, MAC_A, hook), 2);
    assert_string_equal(hook, "link0");
    struct ng_bridge_link_stats st;
    assert_int_equal(get_stats(&x, 0, &st), 0);
    assert_int_equal(st.loopDetects, 0);
    assert_int_equal(get_stats(&x, 1, &st), 0);
    assert_int_equal(st.loopDetects, 1);
    ngtest_fx_done(&x);
}

/* The fast path's counts are the general path's: a run of known unicast
 * counts exactly what the same frames counted one by one in the order of
 * the man page (recv on the way in, xmit on the way out). */
static void test_fast_counts(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, three);
    assert_int_equal(send_frame(&x, "link1", MAC_BCAST, MAC_B), 0);
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), 0);
    assert_int_equal(bmsg(&x, NGM_BRIDGE_CLR_STATS, &(int32_t){0}, 4, NULL), 0);
    assert_int_equal(bmsg(&x, NGM_BRIDGE_CLR_STATS, &(int32_t){1}, 4, NULL), 0);
    uint8_t f[100];
    for (uint32_t i = 0; i < 100; i++) {
        x.cp->n = 0;
        assert_int_equal(ngtest_fx_inject(&x, "link0", f, frame(f, MAC_B, MAC_A, 14 + i % 80)), 0);
        assert_int_equal(got(&x, 0, "link1"), 1);
        assert_int_equal(x.cp->n, 1);
        assert_int_equal(x.cp->f[0].len, 14 + i % 80);
    }
    uint64_t octets = 0;
    for (uint32_t i = 0; i < 100; i++)
        octets += 14 + i % 80;
    struct ng_bridge_link_stats st;
    assert_int_equal(get_stats(&x, 0, &st), 0);
    assert_int_equal(st.recvPackets, 100);
    assert_int_equal(st.recvOctets, octets);
    assert_int_equal(st.xmitPackets, 0);
    assert_int_equal(get_stats(&x, 1, &st), 0);
    assert_int_equal(st.xmitPackets, 100);
    assert_int_equal(st.xmitOctets, octets);
    assert_int_equal(st.recvPackets, 0);
    /* local (B's own link): consumed by the general path, counted */
    uint64_t local = status_counter(&x, "local");
    assert_int_equal(send_frame(&x, "link1", MAC_B, MAC_B), 0);
    assert_int_equal(status_counter(&x, "local"), local + 1);
    ngtest_fx_done(&x);
}

/* The table under churn: hosts learnt and forgotten over and over leave
 * tombstones, which rebuilds clear (the table never fills up), growth past
 * the first sizes, and shrinking: every host stays where it was learnt. */
static void test_table_churn(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, three);
    char w[NG_HOOKSIZ];
    uint8_t mac[6] = {0x16, 0, 0, 0, 0, 0};
    char hook[NG_HOOKSIZ];
    (void)where(&x, "link0", MAC_A, w); /* link0: 02:..:ee */
    /* link2 keeps 300 hosts throughout */
    for (int i = 0; i < 300; i++) {
        mac[4] = (uint8_t)(i >> 8), mac[5] = (uint8_t)i;
        assert_int_equal(send_frame(&x, "link2", MAC_BCAST, mac), 0);
    }
    mac[3] = 1;
    for (int round = 0; round < 30; round++) {
        int n = round % 3 == 2 ? 2000 : 150; /* now and then a bigger table */
        for (int i = 0; i < n; i++) {
            mac[4] = (uint8_t)(i >> 8), mac[5] = (uint8_t)i;
            assert_int_equal(send_frame(&x, "link1", MAC_BCAST, mac), 0);
        }
        assert_int_equal(status_counter(&x, "hosts"), 301 + (uint64_t)n);
        mac[4] = (uint8_t)((n - 1) >> 8), mac[5] = (uint8_t)(n - 1);
        assert_string_equal(where(&x, "link0", mac, w), "link1");
        assert_int_equal(ng_rmhook(x.node, "link1"), 0); /* n tombstones */
        assert_int_equal(status_counter(&x, "hosts"), 301);
        assert_int_equal(table(&x, mac, hook), 301);
        assert_string_equal(hook, "");
        assert_int_equal(ng_connect(x.node, "link1", x.cap, "c_link1"), 0);
    }
    mac[3] = 0;
    for (int i = 0; i < 300; i++) {
        mac[4] = (uint8_t)(i >> 8), mac[5] = (uint8_t)i;
        assert_string_equal(where(&x, "link0", mac, w), "link2");
    }
    assert_int_equal(table(&x, NULL, NULL), 301);
    ngtest_fx_done(&x);
}

/* No item for a flood copy (a graph of one item): the copies are skipped
 * (-ENOBUFS, memoryFailures of the receiving link), the frame itself still
 * leaves by the first link. */
static void test_no_copy(void **state)
{
    (void)state;
    struct ng_graph_config cfg;
    ngtest_graph_config(&cfg);
    cfg.item_limit = 1;
    struct ng_graph *g = ngtest_graph_create(&cfg);
    struct ngtest_fx x;
    fx_make(&x, g, three);
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), -ENOBUFS);
    assert_int_equal(x.cp->n, 1);
    struct ng_bridge_link_stats st;
    assert_int_equal(get_stats(&x, 0, &st), 0);
    assert_int_equal(st.memoryFailures, 1);
    struct ng_graph_stats gs;
    ng_graph_stats(g, &gs);
    assert_int_equal(gs.drops[NG_DROP_NOBUFS], 1);
    ngtest_fx_done(&x);
    assert_int_equal(ng_graph_barrier(g), 0);
    ng_graph_destroy(g);
}

/* A peer that refuses every frame (frees it, -ENOBUFS). */
static int refuse_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    (void)hook;
    ng_item_free(item);
    return -ENOBUFS;
}
static const struct ng_type refuse_type = {
    .version = NG_ABI_VERSION,
    .name = "brrefuse",
    .cookie = 0x7ef05e01u,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .rcvdata = refuse_rcvdata,
};

/* xmit* count a frame handed to the link before it is sent, as FreeBSD's
 * (counter adds, then NG_FWD_NEW_DATA): a peer that refuses it does not
 * undo the count, and its error reaches the sender; memoryFailures counts
 * the bridge's own allocations only.  One by one and in a burst. */
static void test_xmit_counted_before_send(void **state)
{
    struct ngtest_fx x;
    static const char *const two[] = {"link0", "link1", NULL};
    fx_make(&x, *state, two);
    int r = ng_type_register(x.g, &refuse_type);
    assert_true(r == 0 || r == -EEXIST);
    struct ng_node *rf = NULL;
    assert_int_equal(ng_mkpeer(x.node, "link2", "brrefuse", "in", &rf), 0);
    /* C lives behind link2 (learnt from a frame injected there), A on link0 */
    assert_int_equal(send_frame(&x, "link2", MAC_BCAST, MAC_C), 0);
    assert_int_equal(send_frame(&x, "link0", MAC_BCAST, MAC_A), -ENOBUFS); /* the flood's refused copy */
    assert_int_equal(bmsg(&x, NGM_BRIDGE_CLR_STATS, &(int32_t){2}, 4, NULL), 0);
    for (int i = 0; i < 3; i++) /* the fast path: known unicast from a cached source */
        assert_int_equal(send_frame(&x, "link0", MAC_C, MAC_A), -ENOBUFS);
    struct ng_item *v[4];
    for (int i = 0; i < 4; i++) {
        v[i] = ng_item_alloc(x.g, 60);
        assert_non_null(v[i]);
        frame(ng_item_data(v[i]), MAC_C, MAC_A, 60);
    }
    assert_int_equal(ng_inject_data_burst(x.node, "link0", v, 4), -ENOBUFS);
    struct ng_bridge_link_stats st;
    assert_int_equal(get_stats(&x, 2, &st), 0);
    assert_int_equal(st.xmitPackets, 7);
    assert_int_equal(st.xmitOctets, 7 * 60);
    assert_int_equal(st.memoryFailures, 0);
    /* the two broadcasts' copies only: no unicast frame went elsewhere */
    assert_int_equal(got(&x, 0, "link0"), 1);
    assert_int_equal(got(&x, 0, "link1"), 2);
    ng_node_unref(rf);
    ngtest_fx_done(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_learn_forward),  ngtest_unit_test(test_flood_and_local),
        ngtest_unit_test(test_loop_detection), ngtest_unit_test(test_movehost),
        ngtest_unit_test(test_uplinks),        ngtest_unit_test(test_bad_hooks),
        ngtest_unit_test(test_bad_frames),     ngtest_unit_test(test_persistent),
        ngtest_unit_test(test_burst),          ngtest_unit_test(test_many_hosts),
        ngtest_unit_test(test_no_copy),        ngtest_unit_test(test_source_cache),
        ngtest_unit_test(test_fast_counts),    ngtest_unit_test(test_table_churn),
        ngtest_unit_test(test_xmit_counted_before_send),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
