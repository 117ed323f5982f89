/*
 * test_pipe.c - the "pipe" node type (docs/nodes/pipe.md) against its
 * documented behaviour: pass-through byte for byte, configuration in ASCII
 * and its round trips, every bad configuration, BER off / 1 / a rate (with
 * a fixed seed, repeatable), duplication, inbound queue overflow with
 * droptail and drophead, the delay queue's limit, FIFO vs WFQ vs DRR, the
 * independence of the two directions, flow control, TEXT_STATUS, shutdown.
 * A "psink" node on both hooks records every frame.  Waits are bounded; the
 * orders checked need injections to finish within 100 ms of a slow link.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/nodes/pipe.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

/* ---- the recording sink ------------------------------------------------- */

#define SINK_MAX 4096
struct rec {
    int hook; /* 0: arrived on "u" (from pipe's upper), 1: on "l" (from lower) */
    uint32_t len;
    uint16_t id;
    uint8_t d[64]; /* the first bytes */
};
struct sink {
    pthread_mutex_t lock;
    int n;
    int flow[2]; /* flow-control messages per hook */
    uint32_t flow_cmd[2];
    struct rec r[SINK_MAX];
};

static int sink_ctor(struct ng_node *node)
{
    struct sink *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    pthread_mutex_init(&s->lock, NULL);
    ng_node_set_private(node, s);
    return 0;
}

static void sink_shutdown(struct ng_node *node)
{
    struct sink *s = ng_node_private(node);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static int sink_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct sink *s = ng_node_private(ng_hook_node(hook));
    const uint8_t *d = ng_item_data(item);
    uint32_t len = ng_item_len(item);
    pthread_mutex_lock(&s->lock);
    if (s->n < SINK_MAX) {
        struct rec *r = &s->r[s->n++];
        r->hook = ng_hook_name(hook)[0] == 'l';
        r->len = len;
        r->id = len >= 22 ? (uint16_t)(d[20] << 8 | d[21]) : 0xffff;
        memcpy(r->d, d, len < sizeof(r->d) ? len : sizeof(r->d));
    }
    pthread_mutex_unlock(&s->lock);
    ng_item_free(item);
    return 0;
}

static int sink_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    struct sink *s = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    if (m->header.typecookie == NGM_FLOW_COOKIE && lasthook) {
        int h = ng_hook_name(lasthook)[0] == 'l';
        pthread_mutex_lock(&s->lock);
        s->flow[h]++;
        s->flow_cmd[h] = m->header.cmd;
        pthread_mutex_unlock(&s->lock);
    }
    ng_item_free(item);
    return 0;
}

static const struct ng_type sink_type = {
    .version = NG_ABI_VERSION,
    .name = "psink",
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = sink_ctor,
    .shutdown = sink_shutdown,
    .rcvdata = sink_rcvdata,
    .rcvmsg = sink_rcvmsg,
};

/* Frames recorded (h < 0), or flow-control messages seen on hook h and, in
 * *cmd, the last one's command. */
static int sink_get(struct sink *s, int h, uint32_t *cmd)
{
    pthread_mutex_lock(&s->lock);
    int n = h < 0 ? s->n : s->flow[h];
    if (cmd)
        *cmd = h < 0 ? 0 : s->flow_cmd[h];
    pthread_mutex_unlock(&s->lock);
    return n;
}
#define sink_count(s) sink_get(s, -1, NULL)

/* Wait (bounded: at most `ms` milliseconds) until sink_get(s, h) reaches n
 * (a message or frame may be queued behind a busy node). */
static int sink_wait_on(struct sink *s, int h, int n, int ms, uint32_t *cmd)
{
    struct timespec ts = {0, 1000000};
    for (int i = 0; i < ms && sink_get(s, h, NULL) < n; i++)
        nanosleep(&ts, NULL);
    return sink_get(s, h, cmd);
}
#define sink_wait(s, n, ms) sink_wait_on(s, -1, n, ms, NULL)

/* The command of hook h's n-th flow-control message, once it came. */
static uint32_t flow_wait(struct sink *s, int h, int n)
{
    uint32_t cmd = 0;
    return sink_wait_on(s, h, n, 2000, &cmd) == n ? cmd : 0;
}

/* Forget the frames recorded so far. */
static void sink_reset(struct sink *s)
{
    pthread_mutex_lock(&s->lock);
    s->n = 0;
    pthread_mutex_unlock(&s->lock);
}

/* ---- fixture: pipe "p0", upper <-> sink "u", lower <-> sink "l" ---------- */

struct fx {
    struct ng_graph *g;
    struct ng_node *pipe, *snode;
    struct sink *s;
};

static void fx_make(struct fx *x, struct ng_graph *g)
{
    x->g = g;
    int r = ng_type_register(g, &ng_pipe_type);
    assert_true(r == 0 || r == -EEXIST);
    r = ng_type_register(g, &sink_type);
    assert_true(r == 0 || r == -EEXIST);
    assert_int_equal(ng_node_create(g, "pipe", &x->pipe), 0);
    assert_int_equal(ng_node_name(x->pipe, "p0"), 0);
    assert_int_equal(ng_node_create(g, "psink", &x->snode), 0);
    assert_int_equal(ng_connect(x->pipe, "upper", x->snode, "u"), 0);
    assert_int_equal(ng_connect(x->pipe, "lower", x->snode, "l"), 0);
    x->s = ng_node_private(x->snode);
}

static void fx_done(struct fx *x)
{
    if (ng_node_is_valid(x->pipe))
        ng_node_shutdown(x->pipe);
    if (ng_node_is_valid(x->snode))
        ng_node_shutdown(x->snode);
    ng_node_unref(x->pipe);
    ng_node_unref(x->snode);
}

/* A frame of len bytes (>= 22) with id at bytes 20..21; an IPv4 header
 * (10.0.0.src -> 10.0.1.dst) when src != 0, else byte 0 is 0 (not IP). */
static struct ng_item *frame(struct ng_graph *g, uint32_t len, uint16_t id, uint8_t src)
{
    struct ng_item *it = ngtest_item(g, len, 0x5a);
    uint8_t *d = ng_item_data(it);
    memset(d, 0, 22);
    if (src) {
        d[0] = 0x45;
        d[12] = 10, d[15] = src;
        d[16] = 10, d[18] = 1, d[19] = 1;
    }
    d[20] = (uint8_t)(id >> 8);
    d[21] = (uint8_t)id;
    return it;
}

static int inject(struct fx *x, const char *hook, uint32_t len, uint16_t id, uint8_t src)
{
    return ng_inject_data(x->pipe, hook, frame(x->g, len, id, src));
}

static int ascii(struct fx *x, const char *text, char **resp)
{
    return ng_send_ascii(x->g, "p0:", text, resp);
}

static void expect_ascii(struct fx *x, const char *cmd, const char *want)
{
    char *resp = NULL;
    assert_int_equal(ascii(x, cmd, &resp), 0);
    assert_non_null(resp);
    if (strcmp(resp, want) != 0)
        fail_msg("%s:\n  got  %s\n  want %s", cmd, resp, want);
    free(resp);
}

/* A no-argument message's binary response, exactly len bytes, into out. */
static void get_bin(struct fx *x, uint32_t cmd, void *out, size_t len)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(x->g, "p0:", NGM_PIPE_COOKIE, cmd, &r), 0);
    assert_non_null(r);
    assert_int_equal(r->header.arglen, len);
    memcpy(out, r->data, len);
    ng_mesg_free(r);
}
#define get_stats(x, st) get_bin(x, NGM_PIPE_GET_STATS, st, sizeof(*(st)))
#define get_run(x, run) get_bin(x, NGM_PIPE_GET_RUN, run, sizeof(*(run)))

static uint64_t status_counter(struct fx *x, const char *dir, const char *name)
{
    char *t = NULL;
    assert_int_equal(ng_send_ascii(x->g, "p0:", "textstatus", &t), 0);
    assert_non_null(t);
    const char *s = strstr(t, dir);
    assert_non_null(s);
    char key[64];
    snprintf(key, sizeof(key), " %s=", name);
    s = strstr(s, key);
    assert_non_null(s);
    uint64_t v = strtoull(s + strlen(key), NULL, 10);
    free(t);
    return v;
}

/* Send one delayed frame upstream and wait for it, so that the graph's timer
 * thread runs and the item pool is warm before a test times anything (the
 * first timer starts a thread, slow under valgrind); then forget it. */
static void warm(struct fx *x)
{
    assert_int_equal(ascii(x, "setcfg { delay=1 }", NULL), 0);
    assert_int_equal(inject(x, "lower", 60, 0, 0), 0);
    assert_int_equal(sink_wait(x->s, 1, 3000), 1);
    assert_int_equal(ascii(x, "setcfg { delay=-1 }", NULL), 0);
    assert_int_equal(ascii(x, "clrstats", NULL), 0);
    sink_reset(x->s);
}

static const char *defaults_text = "{ downstream={ queuelen=50 fifo=1 droptail=1 } upstream={ "
                                   "queuelen=50 fifo=1 droptail=1 } }";

/* ---- tests ----------------------------------------------------------------- */

/* Unconfigured, the pipe passes frames at once, byte for byte, both ways,
 * and counts them; getcfg shows FreeBSD's defaults. */
static void test_passthru(void **state)
{
    struct fx x;
    fx_make(&x, *state);
    expect_ascii(&x, "getcfg", defaults_text);
    struct ng_item *it = frame(x.g, 64, 7, 3);
    uint8_t want[64];
    memcpy(want, ng_item_data(it), 64);
    assert_int_equal(ng_inject_data(x.pipe, "upper", it), 0);
    assert_int_equal(inject(&x, "lower", 100, 8, 0), 0);
    assert_int_equal(sink_count(x.s), 2);
    assert_int_equal(x.s->r[0].hook, 1); /* upper -> lower */
    assert_int_equal(x.s->r[0].id, 7);
    assert_int_equal(x.s->r[0].len, 64);
    assert_memory_equal(x.s->r[0].d, want, 64);
    assert_int_equal(x.s->r[1].hook, 0); /* lower -> upper */
    assert_int_equal(x.s->r[1].len, 100);
    expect_ascii(
        &x, "getclrstats",
        "{ downstream={ FwdOctets=64 FwdFrames=1 } upstream={ FwdOctets=100 FwdFrames=1 } }");
    expect_ascii(&x, "getstats", "{}");
    fx_done(&x);
}

/* setcfg in ASCII: values, -1 to zero, 0 to keep; the global bandwidth
 * sets both directions and FreeBSD's overhead; getcfg reports one
 * bandwidth globally. */
static void test_config(void **state)
{
    struct fx x;
    fx_make(&x, *state);
    assert_int_equal(ascii(&x,
                           "setcfg { bandwidth=2000000 delay=1500 header_offset=14 downstream={ "
                           "BER=100000 queuelen=80 delaylen=30 duplicate=5 wfq=1 drophead=1 } "
                           "upstream={ drr=1 } }",
                           NULL),
                     0);
    expect_ascii(&x, "getcfg",
                 "{ bandwidth=2000000 delay=1500 header_offset=14 overhead=10 downstream={ "
                 "BER=100000 queuelen=80 delaylen=30 duplicate=5 wfq=1 drophead=1 } upstream={ "
                 "queuelen=50 drr=2048 droptail=1 } }");
    /* 10 Mbit/s and up: Ethernet's overhead; an explicit overhead wins. */
    assert_int_equal(ascii(&x, "setcfg { bandwidth=10000000 }", NULL), 0);
    char *r = NULL;
    assert_int_equal(ascii(&x, "getcfg", &r), 0);
    assert_non_null(strstr(r, "overhead=24 "));
    free(r);
    assert_int_equal(ascii(&x, "setcfg { bandwidth=10000000 overhead=7 }", NULL), 0);
    assert_int_equal(ascii(&x, "getcfg", &r), 0);
    assert_non_null(strstr(r, "overhead=7 "));
    free(r);
    /* Per-direction bandwidths differ: the global one reads 0. */
    assert_int_equal(ascii(&x, "setcfg { upstream={ bandwidth=64000 drr=100 } }", NULL), 0);
    /* -1 sets to zero; a direction without bandwidth is FIFO again. */
    assert_int_equal(ascii(&x,
                           "setcfg { delay=-1 header_offset=-1 overhead=-1 downstream={ "
                           "bandwidth=-1 BER=-1 delaylen=-1 duplicate=-1 droptail=1 } }",
                           NULL),
                     0);
    expect_ascii(&x, "getcfg",
                 "{ downstream={ queuelen=80 fifo=1 droptail=1 } upstream={ bandwidth=64000 "
                 "queuelen=50 drr=100 droptail=1 } }");
    assert_int_equal(ascii(&x, "setcfg { bandwidth=-1 }", NULL), 0);
    expect_ascii(&x, "getcfg",
                 "{ downstream={ queuelen=80 fifo=1 droptail=1 } upstream={ queuelen=50 fifo=1 "
                 "droptail=1 } }");
    assert_int_equal(ascii(&x, "setseed 12345", NULL), 0);
    char *t = NULL;
    assert_int_equal(ng_send_ascii(x.g, "p0:", "textstatus", &t), 0);
    assert_non_null(strstr(t, "seed: 0x0000000000003039"));
    assert_non_null(strstr(t, "downstream: bandwidth=0 BER=0 queuelen=80 "));
    free(t);
    fx_done(&x);
}

/* Every message's ASCII form round-trips through the type's parse types. */
static void roundtrip(const char *cmd, const char *args, int resp)
{
    struct ng_mesg *a = ng_mesg_alloc(0, 0, (uint32_t)strlen(args) + 1);
    assert_non_null(a);
    snprintf(a->header.cmdstr, sizeof(a->header.cmdstr), "%s", cmd);
    memcpy(a->data, args, strlen(args) + 1);
    if (resp)
        a->header.flags = NGF_RESP;
    struct ng_mesg *b = NULL, *c = NULL;
    assert_int_equal(ng_mesg_from_ascii(&ng_pipe_type, a, &b, NULL), 0);
    assert_int_equal(b->header.typecookie, NGM_PIPE_COOKIE);
    assert_int_equal(ng_mesg_to_ascii(&ng_pipe_type, b, &c), 0);
    if (strcmp(c->data, args) != 0)
        fail_msg("%s: %s -> %s", cmd, args, c->data);
    ng_mesg_free(a);
    ng_mesg_free(b);
    ng_mesg_free(c);
}

static void test_ascii_roundtrip(void **state)
{
    (void)state;
    roundtrip("setcfg",
              "{ bandwidth=1000000 delay=20000 header_offset=14 overhead=24 downstream={ "
              "bandwidth=64000 BER=18446744073709551615 queuelen=100 delaylen=20 duplicate=100 "
              "fifo=1 drr=64 wfq=1 droptail=1 drophead=1 } upstream={ queuelen=5 } }",
              0);
    roundtrip("getcfg", "{ delay=5 downstream={ queuelen=50 fifo=1 droptail=1 } }", 1);
    roundtrip("getstats",
              "{ downstream={ FwdOctets=1 FwdFrames=2 queueDropOctets=3 queueDropFrames=4 "
              "delayDropOctets=5 delayDropFrames=6 } upstream={ FwdFrames=9 } }",
              1);
    roundtrip("getclrstats", "{ upstream={ delayDropFrames=1 } }", 1);
    roundtrip("getrun",
              "{ downstream={ queues=1 queuedOctets=2 queuedFrames=3 delayedOctets=4 "
              "delayedFrames=5 } upstream={ queues=6 } }",
              1);
    roundtrip("setseed", "42", 0);
    roundtrip("clrstats", "", 0);
}

static int send_bin(struct fx *x, uint32_t cmd, const void *arg, uint32_t len)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_PIPE_COOKIE, cmd, len);
    assert_non_null(m);
    if (len)
        memcpy(m->data, arg, len);
    return ng_send_msg(x->g, NULL, "p0:", m, NULL);
}

/* Bad input: each refused with EINVAL and nothing changed. */
static void test_bad_config(void **state)
{
    struct fx x;
    fx_make(&x, *state);
    static const char *const bad[] = {
        "setcfg { bandwidth=99 }",
        "setcfg { bandwidth=1000000001 }",
        "setcfg { bandwidth=-2 }",
        "setcfg { downstream={ bandwidth=50 } }",
        "setcfg { upstream={ bandwidth=2000000000 } }",
        "setcfg { delay=10000000 }",
        "setcfg { delay=-5 }",
        "setcfg { overhead=256 }",
        "setcfg { header_offset=64 }",
        "setcfg { downstream={ BER=1000000000001 } }",
        "setcfg { downstream={ queuelen=-1 } }",
        "setcfg { downstream={ queuelen=4 } }",
        "setcfg { downstream={ queuelen=1000001 } }",
        "setcfg { upstream={ delaylen=2 } }",
        "setcfg { upstream={ duplicate=101 } }",
        "setcfg { bandwidth=1000000 upstream={ fifo=2 } }",
        "setcfg { bandwidth=1000000 upstream={ wfq=7 } }",
        "setcfg { bandwidth=1000000 upstream={ fifo=1 wfq=1 } }",
        "setcfg { bandwidth=1000000 upstream={ wfq=1 drr=1 } }",
        "setcfg { bandwidth=1000000 upstream={ drr=31 } }",
        "setcfg { bandwidth=1000000 upstream={ drr=1000001 } }",
        "setcfg { upstream={ droptail=1 drophead=1 } }",
        "setcfg { upstream={ drophead=2 } }",
        "setcfg { downstream={ wfq=1 } }",                /* WFQ needs a bandwidth */
        "setcfg { upstream={ drr=1 } }",                  /* so does DRR */
        "setcfg { delay=100 downstream={ queuelen=3 } }", /* all or nothing */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (ascii(&x, bad[i], NULL) != -EINVAL)
            fail_msg("accepted: %s", bad[i]);
    expect_ascii(&x, "getcfg", defaults_text);
    /* Short (and long) binary arguments. */
    struct ng_pipe_cfg c;
    memset(&c, 0, sizeof(c));
    assert_int_equal(send_bin(&x, NGM_PIPE_SET_CFG, &c, 8), -EINVAL);
    assert_int_equal(send_bin(&x, NGM_PIPE_SET_CFG, &c, sizeof(c) - 1), -EINVAL);
    uint8_t big[sizeof(c) + 8] = {0};
    assert_int_equal(send_bin(&x, NGM_PIPE_SET_CFG, big, sizeof(big)), -EINVAL);
    uint32_t s32 = 1;
    assert_int_equal(send_bin(&x, NGM_PIPE_SET_SEED, &s32, sizeof(s32)), -EINVAL);
    assert_int_equal(send_bin(&x, 99, NULL, 0), -EINVAL);               /* unknown command */
    assert_int_equal(send_bin(&x, NGM_PIPE_SET_CFG, &c, sizeof(c)), 0); /* all 0: no change */
    expect_ascii(&x, "getcfg", defaults_text);
    /* Unknown hook names, and a second upper. */
    assert_int_equal(ng_connect(x.pipe, "middle", x.snode, "x"), -EINVAL);
    assert_int_equal(ng_connect(x.pipe, "Upper", x.snode, "x"), -EINVAL);
    assert_int_equal(ng_connect(x.pipe, "upper", x.snode, "y"), -EEXIST);
    fx_done(&x);
}

/* Count the frames of n injected (len bytes, downstream) that get through. */
static int survivors(struct fx *x, int n, uint32_t len)
{
    int before = sink_count(x->s);
    for (int i = 0; i < n; i++)
        inject(x, "upper", len, (uint16_t)i, 0);
    return sink_wait(x->s, before + n, 200) - before;
}

/* BER off: nothing lost; BER 1: everything lost, counted, and the link
 * reported down to both neighbours (up again when BER goes); a BER of 1 in
 * 8000 bits loses 1000-byte frames with probability 1 - e^-1, repeatably
 * for one seed. */
static void test_ber(void **state)
{
    struct fx x;
    fx_make(&x, *state);
    assert_int_equal(ascii(&x, "setcfg { delay=1 }", NULL), 0); /* frames take the queue path */
    assert_int_equal(survivors(&x, 100, 100), 100);
    assert_int_equal(ascii(&x, "setcfg { delay=-1 downstream={ BER=1 } }", NULL), 0);
    assert_int_equal(flow_wait(x.s, 0, 1), NGM_LINK_IS_DOWN);
    assert_int_equal(flow_wait(x.s, 1, 1), NGM_LINK_IS_DOWN);
    assert_int_equal(survivors(&x, 100, 100), 0);
    assert_int_equal(inject(&x, "lower", 100, 1, 0), 0); /* the other direction is not affected */
    assert_int_equal(sink_wait(x.s, 101, 200), 101);
    struct ng_pipe_stats st;
    get_stats(&x, &st);
    assert_int_equal(st.downstream.out_disc_frames, 100);
    assert_int_equal(st.downstream.out_disc_octets, 100 * 100);
    assert_int_equal(st.downstream.fwd_frames, 100);
    assert_int_equal(status_counter(&x, "downstream:", "ber_drops"), 100);
    assert_int_equal(ascii(&x, "setcfg { downstream={ BER=-1 } }", NULL), 0);
    assert_int_equal(flow_wait(x.s, 0, 2), NGM_LINK_IS_UP);
    assert_int_equal(flow_wait(x.s, 1, 2), NGM_LINK_IS_UP);
    assert_int_equal(survivors(&x, 10, 100), 10);
    /* P(frame survives) = (1 - 1/8000)^8000 = 0.3679 for 1000 bytes. */
    assert_int_equal(ascii(&x, "setcfg { downstream={ BER=8000 } }", NULL), 0);
    assert_int_equal(ascii(&x, "setseed 42", NULL), 0);
    int a = survivors(&x, 1000, 1000);
    assert_int_equal(ascii(&x, "setseed 42", NULL), 0);
    int b = survivors(&x, 1000, 1000);
    assert_int_equal(a, b); /* the same seed, the same losses */
    assert_in_range(a, 300, 440);
    fx_done(&x);
}

/* duplicate=100: every frame leaves twice (a copy, then the frame), in
 * order; 50%: about one frame in two is doubled. */
static void test_duplicate(void **state)
{
    struct fx x;
    fx_make(&x, *state);
    assert_int_equal(ascii(&x, "setcfg { downstream={ duplicate=100 } }", NULL), 0);
    for (int i = 0; i < 20; i++)
        assert_int_equal(inject(&x, "upper", 60, (uint16_t)i, 0), 0);
    assert_int_equal(sink_wait(x.s, 40, 1000), 40);
    for (int i = 0; i < 40; i++) {
        assert_int_equal(x.s->r[i].hook, 1);
        assert_int_equal(x.s->r[i].id, i / 2);
    }
    struct ng_pipe_stats st;
    get_stats(&x, &st);
    assert_int_equal(st.downstream.fwd_frames, 40);
    assert_int_equal(st.upstream.fwd_frames, 0);
    assert_int_equal(status_counter(&x, "downstream:", "duplicated"), 20);
    assert_int_equal(ascii(&x, "setcfg { downstream={ duplicate=50 } }", NULL), 0);
    assert_int_equal(ascii(&x, "setseed 7", NULL), 0);
    int got = survivors(&x, 1000, 60);
    assert_in_range(got, 1400, 1600);
    fx_done(&x);
}

/* A slow link (8000 bit/s) and queuelen 5: a 1000-byte frame holds the
 * wire for 1 s while 19 frames of 50 bytes (50 ms each) arrive: five
 * wait, the rest are dropped: the newest (droptail) or the oldest
 * (drophead), counted. */
static void overflow(void **state, int head)
{
    struct fx x;
    fx_make(&x, *state);
    warm(&x);
    char cfg[128];
    snprintf(cfg, sizeof(cfg), "setcfg { downstream={ bandwidth=8000 queuelen=5 %s=1 } }",
             head ? "drophead" : "droptail");
    assert_int_equal(ascii(&x, cfg, NULL), 0);
    for (int i = 0; i < 20; i++) {
        int rc = inject(&x, "upper", i ? 50 : 1000, (uint16_t)i, 0);
        assert_int_equal(rc, (!head && i >= 6) ? -ENOBUFS : 0);
    }
    struct ng_pipe_run run;
    get_run(&x, &run);
    assert_int_equal(run.downstream.qin_frames, 5);
    assert_int_equal(run.downstream.qin_octets, 250);
    assert_int_equal(run.downstream.fifo_queues, 1);
    assert_int_equal(run.downstream.qout_frames, 1);
    assert_int_equal(run.downstream.qout_octets, 1000);
    assert_int_equal(run.upstream.qin_frames, 0);
    struct ng_pipe_stats st;
    get_stats(&x, &st);
    assert_int_equal(st.downstream.in_disc_frames, 14);
    assert_int_equal(st.downstream.in_disc_octets, 14 * 50);
    assert_int_equal(sink_wait(x.s, 6, 4000), 6);
    static const uint16_t tail_ids[] = {0, 1, 2, 3, 4, 5}, head_ids[] = {0, 15, 16, 17, 18, 19};
    for (int i = 0; i < 6; i++)
        assert_int_equal(x.s->r[i].id, head ? head_ids[i] : tail_ids[i]);
    struct ng_graph_stats gs;
    ng_graph_stats(x.g, &gs);
    assert_int_equal(gs.drops[NG_DROP_QUEUE], 14);
    fx_done(&x);
}

static void test_overflow_droptail(void **state) { overflow(state, 0); }
static void test_overflow_drophead(void **state) { overflow(state, 1); }

/* The delay queue's limit (delaylen 5): frames beyond it are dropped. */
static void test_delaylen(void **state)
{
    struct fx x;
    fx_make(&x, *state);
    warm(&x);
    assert_int_equal(ascii(&x, "setcfg { delay=200000 downstream={ delaylen=5 } }", NULL), 0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(inject(&x, "upper", 60, (uint16_t)i, 0), 0);
    struct ng_pipe_run run;
    get_run(&x, &run);
    assert_int_equal(run.downstream.qout_frames, 5);
    assert_int_equal(run.downstream.qout_octets, 300);
    assert_int_equal(sink_count(x.s), 0);
    assert_int_equal(sink_wait(x.s, 5, 3000), 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(x.s->r[i].id, i);
    struct ng_pipe_stats st;
    get_stats(&x, &st);
    assert_int_equal(st.downstream.out_disc_frames, 5);
    assert_int_equal(st.downstream.fwd_frames, 5);
    assert_int_equal(status_counter(&x, "downstream:", "delay_drops"), 5);
    fx_done(&x);
}

/* A 1500-byte non-IP frame holds a 50 kbit/s link for 240 ms; meanwhile
 * flow A (10 frames) then flow B (10 frames) queue.  FIFO sends all of A
 * first; WFQ and DRR (quantum 64 bytes) alternate between the flows. */
static void service(void **state, const char *mode, int fair)
{
    struct fx x;
    fx_make(&x, *state);
    char cfg[128];
    warm(&x);
    snprintf(cfg, sizeof(cfg), "setcfg { downstream={ bandwidth=50000 %s } }", mode);
    assert_int_equal(ascii(&x, cfg, NULL), 0);
    assert_int_equal(inject(&x, "upper", 1500, 999, 0), 0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(inject(&x, "upper", 60, (uint16_t)(100 + i), 1), 0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(inject(&x, "upper", 60, (uint16_t)(200 + i), 2), 0);
    struct ng_pipe_run run;
    get_run(&x, &run);
    assert_int_equal(run.downstream.qin_frames, 20);
    assert_int_equal(run.downstream.fifo_queues, fair ? 2 : 1);
    assert_int_equal(sink_wait(x.s, 21, 4000), 21);
    assert_int_equal(x.s->r[0].id, 999);
    int a = 0, b = 0, maxdiff = 0;
    for (int i = 1; i < 21; i++) {
        int id = x.s->r[i].id;
        if (id / 100 == 1) {
            assert_int_equal(id, 100 + a); /* in order within a flow */
            a++;
        } else {
            assert_int_equal(id, 200 + b);
            b++;
        }
        int diff = a > b ? a - b : b - a;
        if (i < 20 && diff > maxdiff)
            maxdiff = diff;
    }
    if (fair)
        assert_in_range(maxdiff, 0, 2);
    else
        assert_int_equal(maxdiff, 10);
    fx_done(&x);
}

/* Fair by bytes, not by frames: flow A of 60-byte frames and flow B of
 * 240-byte frames, both backlogged behind a 1500-byte frame on a
 * 100 kbit/s link (120 ms): WFQ and DRR (quantum 240) send about four A
 * frames per B frame; frame-by-frame round robin would send one. */
static void byte_fair(void **state, const char *mode)
{
    struct fx x;
    fx_make(&x, *state);
    warm(&x);
    char cfg[128];
    snprintf(cfg, sizeof(cfg), "setcfg { downstream={ bandwidth=100000 %s } }", mode);
    assert_int_equal(ascii(&x, cfg, NULL), 0);
    assert_int_equal(inject(&x, "upper", 1500, 999, 0), 0);
    for (int i = 0; i < 12; i++)
        assert_int_equal(inject(&x, "upper", 60, (uint16_t)(100 + i), 1), 0);
    for (int i = 0; i < 6; i++)
        assert_int_equal(inject(&x, "upper", 240, (uint16_t)(200 + i), 2), 0);
    assert_int_equal(sink_wait(x.s, 19, 4000), 19);
    int a = 0;
    for (int i = 1; i <= 10; i++)
        a += x.s->r[i].id / 100 == 1;
    if (a < 7 || a > 9)
        fail_msg("%s: %d of the first 10 frames from the 60-byte flow (want 7..9)", mode, a);
    fx_done(&x);
}

static void test_wfq_bytes(void **state) { byte_fair(state, "wfq=1"); }
static void test_drr_bytes(void **state) { byte_fair(state, "drr=240"); }

static void test_fifo(void **state) { service(state, "fifo=1", 0); }
static void test_wfq(void **state) { service(state, "wfq=1", 1); }
static void test_drr(void **state) { service(state, "drr=64", 1); }

/* The two directions are independent: a slow, lossy downstream does not
 * hold or lose upstream frames, and each has its own counters. */
static void test_directions(void **state)
{
    struct fx x;
    fx_make(&x, *state);
    warm(&x);
    assert_int_equal(ascii(&x, "setcfg { downstream={ bandwidth=4000 } }", NULL), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(inject(&x, "upper", 50, (uint16_t)i, 0), 0);
    assert_int_equal(inject(&x, "lower", 50, 77, 0), 0);
    assert_int_equal(sink_wait(x.s, 1, 50), 1); /* upstream at once */
    assert_int_equal(x.s->r[0].hook, 0);
    assert_int_equal(x.s->r[0].id, 77);
    assert_int_equal(sink_wait(x.s, 4, 3000), 4);
    for (int i = 1; i < 4; i++) {
        assert_int_equal(x.s->r[i].hook, 1);
        assert_int_equal(x.s->r[i].id, i - 1);
    }
    expect_ascii(&x, "getstats",
                 "{ downstream={ FwdOctets=150 FwdFrames=3 } upstream={ FwdOctets=50 FwdFrames=1 } "
                 "}");
    assert_int_equal(status_counter(&x, "upstream:", "received"), 1);
    assert_int_equal(status_counter(&x, "downstream:", "received"), 3);
    fx_done(&x);
}

/* Flow-control messages pass through the pipe to the other side. */
static void test_flow_forward(void **state)
{
    struct fx x;
    fx_make(&x, *state);
    struct ng_hook *l;
    assert_int_equal(ng_hook_find(x.snode, "l", &l), 0);
    assert_int_equal(ng_send_msg_hook(l, ng_mesg_alloc(NGM_FLOW_COOKIE, NGM_LINK_IS_UP, 0)), 0);
    ng_hook_unref(l);
    assert_int_equal(flow_wait(x.s, 0, 1), NGM_LINK_IS_UP); /* arrived from upper */
    assert_int_equal(x.s->flow[1], 0);
    fx_done(&x);
}

/* Shutdown with both hooks connected joins the neighbours (FreeBSD's
 * ng_bypass); frames still queued are dropped and counted; without hooks
 * the node goes away. */
static void test_shutdown(void **state)
{
    struct ng_graph *g = *state;
    struct fx x;
    fx_make(&x, g);
    assert_int_equal(ascii(&x, "setcfg { delay=5000000 }", NULL), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(inject(&x, "upper", 60, (uint16_t)i, 0), 0);
    struct ng_graph_stats before, after;
    ng_graph_stats(g, &before);
    struct ng_node *a, *b;
    assert_int_equal(ng_node_create(g, "psink", &a), 0);
    assert_int_equal(ng_node_create(g, "psink", &b), 0);
    assert_int_equal(ng_rmhook(x.pipe, "upper"), 0); /* flushes downstream's 3 frames */
    ng_graph_stats(g, &after);
    assert_int_equal(after.drops[NG_DROP_NOTCONN] - before.drops[NG_DROP_NOTCONN], 3);
    assert_int_equal(status_counter(&x, "downstream:", "flushed"), 3);
    assert_int_equal(ng_connect(x.pipe, "upper", a, "u"), 0);
    assert_int_equal(ng_rmhook(x.pipe, "lower"), 0);
    assert_int_equal(ng_connect(x.pipe, "lower", b, "l"), 0);
    assert_int_equal(ng_node_shutdown(x.pipe), 0);
    struct ng_hook *ha;
    assert_int_equal(ng_hook_find(a, "u", &ha), 0);
    assert_int_equal(ng_batch_begin(g), 0);
    struct ng_hook *peer = ng_hook_peer(ha);
    assert_non_null(peer);
    assert_ptr_equal(ng_hook_node(peer), b);
    assert_int_equal(ng_batch_end(g), 0);
    ng_hook_unref(ha);
    /* The last hook going shuts a pipe down. */
    struct ng_node *p2;
    assert_int_equal(ng_node_create(g, "pipe", &p2), 0);
    assert_int_equal(ng_connect(p2, "lower", a, "z"), 0);
    assert_int_equal(ng_rmhook(p2, "lower"), 0);
    assert_int_equal(ng_node_is_valid(p2), 0);
    ng_node_unref(p2);
    ng_node_shutdown(a);
    ng_node_shutdown(b);
    ng_node_unref(a);
    ng_node_unref(b);
    fx_done(&x);
}

/* The hook to leave by is not connected: the frame is dropped and counted,
 * at once (pass-through: -ENOTCONN to the sender) or when it is due. */
static void test_unconnected(void **state)
{
    struct fx x;
    fx_make(&x, *state);
    assert_int_equal(ng_rmhook(x.pipe, "lower"), 0);
    struct ng_graph_stats before, after;
    ng_graph_stats(x.g, &before);
    assert_int_equal(inject(&x, "upper", 60, 1, 0), -ENOTCONN);
    assert_int_equal(ascii(&x, "setcfg { delay=1000 }", NULL), 0);
    assert_int_equal(inject(&x, "upper", 60, 2, 0), 0);
    for (int i = 0; i < 2000 && status_counter(&x, "downstream:", "send_errors") < 2; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(status_counter(&x, "downstream:", "send_errors"), 2);
    struct ng_pipe_stats st;
    get_stats(&x, &st);
    assert_int_equal(st.downstream.out_disc_frames, 2);
    assert_int_equal(st.downstream.out_disc_octets, 120);
    ng_graph_stats(x.g, &after);
    assert_int_equal(after.drops[NG_DROP_NOTCONN] - before.drops[NG_DROP_NOTCONN], 2);
    assert_int_equal(sink_count(x.s), 0);
    fx_done(&x);
}

/* A persistent pipe revived by a shutdown is a new pipe: defaults, zero
 * counters, nothing queued. */
static void test_persistent(void **state)
{
    struct fx x;
    fx_make(&x, *state);
    ng_node_set_persistent(x.pipe, 1);
    assert_int_equal(ascii(&x, "setcfg { delay=3000000 }", NULL), 0);
    assert_int_equal(inject(&x, "lower", 60, 1, 0), 0);
    assert_int_equal(ng_node_shutdown(x.pipe), 0);
    assert_int_not_equal(ng_node_is_valid(x.pipe), 0);
    expect_ascii(&x, "getcfg", defaults_text);
    expect_ascii(&x, "getrun", "{}");
    ng_node_set_persistent(x.pipe, 0);
    fx_done(&x);
}

#define T(f) ngtest_unit_test(f)
int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        T(test_passthru), T(test_config), cmocka_unit_test(test_ascii_roundtrip), T(test_bad_config),
        T(test_ber), T(test_duplicate), T(test_overflow_droptail), T(test_overflow_drophead),
        T(test_delaylen), T(test_fifo), T(test_wfq), T(test_drr), T(test_wfq_bytes),
        T(test_drr_bytes), T(test_directions), T(test_flow_forward), T(test_shutdown),
        T(test_persistent), T(test_unconnected)};
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
