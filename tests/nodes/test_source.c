/*
 * test_source.c - the "source" node type (docs/nodes/source.md): queueing,
 * START n sends exactly n copies cycling through the queue (as fast as
 * possible, at a rate, on a runtime), STOP, CLR_DATA, statistics, counters
 * and timestamps embedded byte-exactly (wrap rules, per-list steps, short
 * frames), the interface from an ng_ether-style peer or SETIFACE, every bad
 * input, ASCII round trips, shutdown and revive.  Helpers: a thread-safe
 * recording sink, a fake ether peer, a fixture feeder(hole) -> src0 -> peer.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/nodes/source.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

#define SINK_MAX 64
struct sink_priv {
    pthread_mutex_t lock;
    _Atomic uint64_t frames;
    int n;
    uint32_t len[SINK_MAX];
    uint8_t data[SINK_MAX][64];
};

static int sink_constructor(struct ng_node *node)
{
    struct sink_priv *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    pthread_mutex_init(&s->lock, NULL);
    ng_node_set_private(node, s);
    return 0;
}

static void sink_shutdown(struct ng_node *node)
{
    struct sink_priv *s = ng_node_private(node);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static int sink_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct sink_priv *s = ng_node_private(ng_hook_node(hook));
    pthread_mutex_lock(&s->lock);
    if (s->n < SINK_MAX) {
        uint32_t l = ng_item_len(item);
        s->len[s->n] = l;
        memcpy(s->data[s->n], ng_item_data(item), l < 64 ? l : 64);
        s->n++;
    }
    pthread_mutex_unlock(&s->lock);
    atomic_fetch_add(&s->frames, 1);
    ng_item_free(item);
    return 0;
}

static const struct ng_type sink_type = {
    .version = NG_ABI_VERSION,
    .name = "srcsink",
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = sink_constructor,
    .shutdown = sink_shutdown,
    .rcvdata = sink_rcvdata,
};

/* The fake ether peer: FreeBSD's ng_ether message numbers. */
#define T_ETHER_COOKIE 1108206947u
static char fake_ifname[16] = "lo";
static _Atomic int fake_autosrc_calls, fake_autosrc_value = -1;

static int fake_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)node;
    (void)lasthook;
    struct ng_mesg *m = ng_item_msg(item);
    if (m->header.typecookie != T_ETHER_COOKIE || (m->header.flags & NGF_RESP)) {
        ng_item_free(item);
        return -EINVAL;
    }
    if (m->header.cmd == 1) { /* NGM_ETHER_GET_IFNAME: char[IFNAMSIZ] */
        struct ng_mesg *r = ng_mesg_response(m, 16);
        snprintf(r->data, 16, "%s", fake_ifname);
        return ng_respond(item, 0, r);
    }
    if (m->header.cmd == 8 && m->header.arglen == 4) { /* NGM_ETHER_SET_AUTOSRC */
        uint32_t v;
        memcpy(&v, m->data, 4);
        atomic_store(&fake_autosrc_value, (int)v);
        atomic_fetch_add(&fake_autosrc_calls, 1);
    }
    ng_item_free(item);
    return 0;
}

static int fake_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    (void)hook;
    ng_item_free(item);
    return 0;
}

static const struct ng_type fake_ether_type = {
    .version = NG_ABI_VERSION,
    .name = "srcether",
    .cookie = 0x5ee7e7u, /* its own: the real ether type holds the ether cookie */
    .flags = NG_TYPE_CONCURRENT_DATA,
    .rcvmsg = fake_rcvmsg,
    .rcvdata = fake_rcvdata,
};

struct sfx {
    struct ng_graph *g;
    struct ng_node *src, *feed, *sink;
    struct sink_priv *sp;
};

static void register_types(struct ng_graph *g)
{
    int r = ng_type_register(g, &ng_source_type);
    assert_true(r == 0 || r == -EEXIST);
    r = ng_type_register(g, &sink_type);
    assert_true(r == 0 || r == -EEXIST);
    r = ng_type_register(g, &fake_ether_type);
    assert_true(r == 0 || r == -EEXIST);
}

/* feeder(hole) "out" -> "input" src0 "output" -> "in" of a node of
 * peertype ("srcsink" or "srcether"; NULL: output left unconnected). */
static void sfx_make(struct sfx *x, struct ng_graph *g, const char *peertype)
{
    memset(x, 0, sizeof(*x));
    x->g = g;
    register_types(g);
    assert_int_equal(ng_node_create(g, "source", &x->src), 0);
    assert_int_equal(ng_node_name(x->src, "src0"), 0);
    assert_int_equal(ng_node_create(g, "hole", &x->feed), 0);
    assert_int_equal(ng_connect(x->feed, "out", x->src, "input"), 0);
    if (peertype) {
        assert_int_equal(ng_node_create(g, peertype, &x->sink), 0);
        assert_int_equal(ng_connect(x->src, "output", x->sink, "in"), 0);
        if (strcmp(peertype, "srcsink") == 0)
            x->sp = ng_node_private(x->sink);
    }
}

static void sfx_done(struct sfx *x)
{
    struct ng_node *n[3] = {x->src, x->feed, x->sink};
    for (int i = 0; i < 3; i++) {
        if (n[i] && ng_node_is_valid(n[i]))
            assert_int_equal(ng_node_shutdown(n[i]), 0);
        ng_node_unref(n[i]);
    }
}

/* Queue a frame of len bytes: byte i is tag + i. */
static int sfx_queue(struct sfx *x, uint32_t len, uint8_t tag)
{
    struct ng_item *it = ng_item_alloc(x->g, len);
    assert_non_null(it);
    uint8_t *d = ng_item_data(it);
    for (uint32_t i = 0; i < len; i++)
        d[i] = (uint8_t)(tag + i);
    return ng_inject_data(x->src, "input", it);
}

/* Always waits for the answer: without a response pointer a message that
 * finds the node busy (its timer running) is queued and 0 returned. */
static int sfx_ascii(struct sfx *x, const char *text, char **resp)
{
    char *r = NULL;
    int rc = ng_send_ascii(x->g, "src0:", text, resp ? resp : &r);
    free(r);
    return rc;
}

static struct ng_source_stats sfx_stats(struct sfx *x, uint32_t cmd)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(x->g, "src0:", NGM_SOURCE_COOKIE, cmd, &r), 0);
    assert_non_null(r);
    assert_int_equal(r->header.arglen, sizeof(struct ng_source_stats));
    struct ng_source_stats st;
    memcpy(&st, r->data, sizeof(st));
    ng_mesg_free(r);
    return st;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Wait (at most 20 s) until the node stopped sending: endTime set. */
static struct ng_source_stats sfx_wait_done(struct sfx *x)
{
    double t0 = ngtest_now_s();
    for (;;) {
        struct ng_source_stats st = sfx_stats(x, NGM_SOURCE_GET_STATS);
        if (st.endTime.tv_sec != 0 || st.endTime.tv_usec != 0)
            return st;
        assert_true(ngtest_now_s() - t0 < 20.0);
        sleep_ms(1);
    }
}

static uint64_t status_counter(struct sfx *x, const char *name)
{
    char *r = NULL;
    assert_int_equal(sfx_ascii(x, "textstatus", &r), 0);
    assert_non_null(r);
    char key[64];
    snprintf(key, sizeof(key), "%s=", name);
    const char *s = strstr(r, key);
    assert_non_null(s);
    uint64_t v = strtoull(s + strlen(key), NULL, 10);
    free(r);
    return v;
}

/* Expect sink frame idx to be the queued frame of length len and tag. */
static void expect_frame(struct sfx *x, int idx, uint32_t len, uint8_t tag)
{
    pthread_mutex_lock(&x->sp->lock);
    assert_true(x->sp->n > idx);
    assert_int_equal(x->sp->len[idx], len);
    for (uint32_t i = 0; i < len && i < 64; i++)
        assert_int_equal(x->sp->data[idx][i], (uint8_t)(tag + i));
    pthread_mutex_unlock(&x->sp->lock);
}

/* ---- tests ----------------------------------------------------------------- */

/* Frames are queued; START 7 sends exactly 7, cycling 0 1 2 0 1 2 0, then
 * the node stops by itself; the statistics say so. */
static void test_queue_and_start(void **state)
{
    struct sfx x;
    sfx_make(&x, *state, "srcsink");
    assert_int_equal(sfx_queue(&x, 60, 0x10), 0);
    assert_int_equal(sfx_queue(&x, 61, 0x20), 0);
    assert_int_equal(sfx_queue(&x, 62, 0x30), 0);
    struct ng_source_stats st = sfx_stats(&x, NGM_SOURCE_GET_STATS);
    assert_int_equal(st.queueFrames, 3);
    assert_int_equal(st.queueOctets, 183);
    assert_int_equal(st.outFrames, 0);
    char *r = NULL;
    assert_int_equal(sfx_ascii(&x, "getstats", &r), 0);
    assert_string_equal(r, "{ queueOctets=183 queueFrames=3 }");
    free(r);
    /* The peer is no ether node: no interface until SETIFACE. */
    assert_int_equal(sfx_ascii(&x, "start 7", NULL), -ENXIO);
    assert_int_equal(sfx_ascii(&x, "setiface \"lo\"", NULL), 0);
    assert_int_equal(sfx_ascii(&x, "start 7", NULL), 0);
    st = sfx_wait_done(&x);
    assert_int_equal(st.outFrames, 7);
    assert_int_equal(st.outOctets, 60 * 3 + 61 * 2 + 62 * 2);
    assert_int_equal(st.queueFrames, 3);
    sleep_ms(20); /* nothing more comes */
    assert_int_equal(atomic_load(&x.sp->frames), 7);
    const uint8_t tags[7] = {0x10, 0x20, 0x30, 0x10, 0x20, 0x30, 0x10};
    for (int i = 0; i < 7; i++)
        expect_frame(&x, i, 60u + (uint32_t)(i % 3), tags[i]);
    assert_true(timercmp(&st.endTime, &st.startTime, >=));
    struct timeval el;
    timersub(&st.endTime, &st.startTime, &el);
    assert_int_equal(el.tv_sec, st.elapsedTime.tv_sec);
    assert_int_equal(el.tv_usec, st.elapsedTime.tv_usec);
    /* START again continues the cycle where it left off. */
    assert_int_equal(sfx_ascii(&x, "start 2", NULL), 0);
    st = sfx_wait_done(&x);
    assert_int_equal(st.outFrames, 9);
    expect_frame(&x, 7, 61, 0x20);
    expect_frame(&x, 8, 62, 0x30);
    /* START 0: starts and stops at once. */
    assert_int_equal(sfx_ascii(&x, "start 0", NULL), 0);
    st = sfx_wait_done(&x);
    assert_int_equal(st.outFrames, 9);
    sfx_done(&x);
}

/* Many frames, as fast as possible and at a high rate: exactly n. */
static void test_exact_counts(void **state)
{
    struct sfx x;
    sfx_make(&x, *state, "srcsink");
    assert_int_equal(sfx_ascii(&x, "setiface \"lo\"", NULL), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(sfx_queue(&x, 64, (uint8_t)i), 0);
    assert_int_equal(sfx_ascii(&x, "start 10007", NULL), 0); /* > one tick, odd bursts */
    struct ng_source_stats st = sfx_wait_done(&x);
    assert_int_equal(st.outFrames, 10007);
    assert_int_equal(atomic_load(&x.sp->frames), 10007);
    assert_int_equal(sfx_ascii(&x, "setpps 200000", NULL), 0);
    assert_int_equal(sfx_ascii(&x, "start 3000", NULL), 0);
    st = sfx_wait_done(&x);
    assert_int_equal(st.outFrames, 13007);
    assert_int_equal(st.maxPps, 200000);
    sleep_ms(10);
    assert_int_equal(atomic_load(&x.sp->frames), 13007);
    /* And with a runtime: the timer runs on a worker. */
    struct ng_runtime *rt = ngtest_runtime(x.g, 2);
    assert_int_equal(sfx_ascii(&x, "setpps 0", NULL), 0);
    assert_int_equal(sfx_ascii(&x, "start 5000", NULL), 0);
    st = sfx_wait_done(&x);
    assert_int_equal(st.outFrames, 18007);
    ng_runtime_stop(rt);
    assert_int_equal(atomic_load(&x.sp->frames), 18007);
    sfx_done(&x);
}

static uint32_t be_at(struct sfx *x, int idx, uint32_t off, unsigned w)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < w; i++)
        v = v << 8 | x->sp->data[idx][off + i];
    return v;
}

/* Counters: the value's low `width` bytes big-endian at the offset, then
 * stepped with FreeBSD's wrap rule (past max_val: min_val - 1 + excess,
 * clamped to max_val; below min_val likewise); INC_CNT_PER_LIST steps once
 * per pass over the queue; later counters overwrite earlier ones. */
static void test_counters(void **state)
{
    struct sfx x;
    sfx_make(&x, *state, "srcsink");
    assert_int_equal(sfx_ascii(&x, "setiface \"lo\"", NULL), 0);
    assert_int_equal(sfx_queue(&x, 32, 0x40), 0);
    assert_int_equal(sfx_queue(&x, 32, 0x60), 0);
    assert_int_equal(sfx_ascii(&x,
                               "setcounter { offset=2 flags=1 width=1 next_val=3 min_val=1 "
                               "max_val=4 increment=1 index=0 }",
                               NULL),
                     0);
    assert_int_equal(sfx_ascii(&x,
                               "setcounter { offset=4 flags=1 width=2 next_val=2 min_val=1 "
                               "max_val=3 increment=-1 index=1 }",
                               NULL),
                     0);
    assert_int_equal(sfx_ascii(&x,
                               "setcounter { offset=8 flags=1 width=4 next_val=10 min_val=10 "
                               "max_val=20 increment=15 index=2 }",
                               NULL),
                     0);
    assert_int_equal(sfx_ascii(&x,
                               "setcounter { offset=16 flags=3 width=2 next_val=0x1234 "
                               "min_val=0 max_val=0xffffffff increment=256 index=3 }",
                               NULL),
                     0);
    assert_int_equal(sfx_ascii(&x, "start 6", NULL), 0);
    struct ng_source_stats st = sfx_wait_done(&x);
    assert_int_equal(st.outFrames, 6);
    const uint32_t c0[6] = {3, 4, 1, 2, 3, 4};
    const uint32_t c1[6] = {2, 1, 3, 2, 1, 3};
    const uint32_t c2[6] = {10, 14, 18, 20, 20, 20};
    const uint32_t c3[6] = {0x1234, 0x1234, 0x1334, 0x1334, 0x1434, 0x1434};
    pthread_mutex_lock(&x.sp->lock);
    for (int i = 0; i < 6; i++) {
        uint8_t tag = (i & 1) ? 0x60 : 0x40;
        assert_int_equal(be_at(&x, i, 2, 1), c0[i]);
        assert_int_equal(be_at(&x, i, 4, 2), c1[i]);
        assert_int_equal(be_at(&x, i, 8, 4), c2[i]);
        assert_int_equal(be_at(&x, i, 16, 2), c3[i]);
        /* every other byte untouched */
        const uint32_t keep[] = {0, 1, 3, 6, 7, 12, 13, 14, 15, 18, 31};
        for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++)
            assert_int_equal(x.sp->data[i][keep[k]], (uint8_t)(tag + keep[k]));
    }
    pthread_mutex_unlock(&x.sp->lock);
    char *r = NULL;
    assert_int_equal(sfx_ascii(&x, "getcounter 0", &r), 0);
    assert_string_equal(
        r, "{ offset=0x2 flags=0x1 width=1 next_val=1 min_val=1 max_val=4 increment=1 }");
    free(r);
    assert_int_equal(sfx_ascii(&x, "getcounter 3", &r), 0);
    assert_string_equal(r, "{ offset=0x10 flags=0x3 width=2 next_val=5428 max_val=4294967295 "
                           "increment=256 index=3 }");
    free(r);
    /* A counter past the end of a frame: that frame goes without it. */
    assert_int_equal(sfx_ascii(&x, "clrdata", NULL), 0);
    assert_int_equal(sfx_queue(&x, 9, 0x70), 0);
    assert_int_equal(sfx_ascii(&x, "start 1", NULL), 0);
    sfx_wait_done(&x);
    pthread_mutex_lock(&x.sp->lock);
    assert_int_equal(x.sp->data[6][2], 1);    /* counter 0 fits: its next value */
    assert_int_equal(be_at(&x, 6, 4, 2), 2);  /* counter 1 too */
    assert_int_equal(x.sp->data[6][8], 0x78); /* counters 2 and 3 do not: bytes kept */
    pthread_mutex_unlock(&x.sp->lock);
    assert_int_equal(status_counter(&x, "embed_skipped"), 2); /* counters 2 and 3 */
    sfx_done(&x);
}

/* The timestamp: FreeBSD/amd64's struct timeval bytes (32-bit big-endian
 * seconds and microseconds, each followed by 4 zero bytes). */
static void test_timestamp(void **state)
{
    struct sfx x;
    sfx_make(&x, *state, "srcsink");
    assert_int_equal(sfx_ascii(&x, "setiface \"lo\"", NULL), 0);
    assert_int_equal(sfx_ascii(&x, "settimestamp { offset=4 flags=1 }", NULL), 0);
    char *r = NULL;
    assert_int_equal(sfx_ascii(&x, "gettimestamp", &r), 0);
    assert_string_equal(r, "{ offset=0x4 flags=0x1 }");
    free(r);
    assert_int_equal(sfx_queue(&x, 24, 0x80), 0);
    assert_int_equal(sfx_queue(&x, 19, 0x90), 0); /* too short: sent without */
    struct timeval t0, t1;
    gettimeofday(&t0, NULL);
    assert_int_equal(sfx_ascii(&x, "start 2", NULL), 0);
    sfx_wait_done(&x);
    gettimeofday(&t1, NULL);
    pthread_mutex_lock(&x.sp->lock);
    uint32_t sec = be_at(&x, 0, 4, 4), usec = be_at(&x, 0, 12, 4);
    assert_true(sec >= (uint32_t)t0.tv_sec && sec <= (uint32_t)t1.tv_sec);
    assert_true(usec < 1000000);
    for (int i = 8; i < 12; i++)
        assert_int_equal(x.sp->data[0][i], 0);
    for (int i = 16; i < 20; i++)
        assert_int_equal(x.sp->data[0][i], 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(x.sp->data[0][i], 0x80 + i);
    for (int i = 20; i < 24; i++)
        assert_int_equal(x.sp->data[0][i], 0x80 + i);
    pthread_mutex_unlock(&x.sp->lock);
    expect_frame(&x, 1, 19, 0x90);
    assert_int_equal(status_counter(&x, "embed_skipped"), 1);
    /* flags 0: off again. */
    assert_int_equal(sfx_ascii(&x, "settimestamp { offset=4 }", NULL), 0);
    assert_int_equal(sfx_ascii(&x, "start 1", NULL), 0);
    sfx_wait_done(&x);
    expect_frame(&x, 2, 24, 0x80);
    sfx_done(&x);
}

/* STOP ends an endless START; a START while active is EBUSY; CLR_DATA
 * empties the queue (START then ENODATA); stats clear but the queue and
 * the rate stay. */
static void test_stop_clrdata_stats(void **state)
{
    struct sfx x;
    sfx_make(&x, *state, "srcsink");
    assert_int_equal(sfx_ascii(&x, "setiface \"lo\"", NULL), 0);
    assert_int_equal(sfx_queue(&x, 20, 1), 0);
    assert_int_equal(sfx_ascii(&x, "setpps 1000", NULL), 0);
    assert_int_equal(sfx_ascii(&x, "start 1000000", NULL), 0);
    assert_int_equal(sfx_ascii(&x, "start 1", NULL), -EBUSY);
    double t0 = ngtest_now_s();
    while (atomic_load(&x.sp->frames) < 5 && ngtest_now_s() - t0 < 20)
        sleep_ms(1);
    struct ng_source_stats st = sfx_stats(&x, NGM_SOURCE_GET_STATS);
    assert_int_equal(st.endTime.tv_sec, 0);
    assert_true(st.elapsedTime.tv_sec > 0 || st.elapsedTime.tv_usec > 0);
    assert_int_equal(sfx_ascii(&x, "stop", NULL), 0);
    st = sfx_stats(&x, NGM_SOURCE_GET_STATS);
    assert_true(st.endTime.tv_sec != 0);
    uint64_t sent = atomic_load(&x.sp->frames);
    assert_int_equal(st.outFrames, sent);
    assert_true(sent >= 5 && sent < 1000000);
    sleep_ms(30);
    assert_int_equal(atomic_load(&x.sp->frames), sent);
    assert_int_equal(sfx_ascii(&x, "stop", NULL), 0); /* stopped: nothing */
    /* getclrstats: returned, then cleared but for the queue and maxPps. */
    st = sfx_stats(&x, NGM_SOURCE_GETCLR_STATS);
    assert_int_equal(st.outFrames, sent);
    assert_int_equal(st.outOctets, sent * 20);
    st = sfx_stats(&x, NGM_SOURCE_GET_STATS);
    assert_int_equal(st.outFrames, 0);
    assert_int_equal(st.outOctets, 0);
    assert_int_equal(st.startTime.tv_sec, 0);
    assert_int_equal(st.queueFrames, 1);
    assert_int_equal(st.queueOctets, 20);
    assert_int_equal(st.maxPps, 1000);
    assert_int_equal(sfx_ascii(&x, "setpps 0", NULL), 0);
    assert_int_equal(sfx_ascii(&x, "start 3", NULL), 0);
    sfx_wait_done(&x);
    assert_int_equal(sfx_ascii(&x, "clrstats", NULL), 0);
    st = sfx_stats(&x, NGM_SOURCE_GET_STATS);
    assert_int_equal(st.outFrames, 0);
    assert_int_equal(st.endTime.tv_sec, 0);
    assert_int_equal(sfx_ascii(&x, "clrdata", NULL), 0);
    st = sfx_stats(&x, NGM_SOURCE_GET_STATS);
    assert_int_equal(st.queueFrames, 0);
    assert_int_equal(st.queueOctets, 0);
    assert_int_equal(sfx_ascii(&x, "start 1", NULL), -ENODATA);
    assert_int_equal(atomic_load(&x.sp->frames), sent + 3);
    sfx_done(&x);
}

/* The output peer is asked for its interface (NGM_ETHER_GET_IFNAME) and,
 * once it answered a name of this host, its autosrc is turned off
 * (NGM_ETHER_SET_AUTOSRC 0): START works without SETIFACE.  A name this
 * host does not have leaves the node without an interface. */
static void test_ether_peer(void **state)
{
    struct sfx x;
    snprintf(fake_ifname, sizeof(fake_ifname), "lo");
    atomic_store(&fake_autosrc_calls, 0);
    atomic_store(&fake_autosrc_value, -1);
    sfx_make(&x, *state, "srcether");
    assert_int_equal(atomic_load(&fake_autosrc_calls), 1);
    assert_int_equal(atomic_load(&fake_autosrc_value), 0);
    char *r = NULL;
    assert_int_equal(sfx_ascii(&x, "textstatus", &r), 0);
    assert_non_null(strstr(r, "iface: lo "));
    free(r);
    assert_int_equal(sfx_queue(&x, 30, 0), 0);
    assert_int_equal(sfx_ascii(&x, "start 4", NULL), 0);
    struct ng_source_stats st = sfx_wait_done(&x);
    assert_int_equal(st.outFrames, 4);
    sfx_done(&x);

    snprintf(fake_ifname, sizeof(fake_ifname), "nosuchif0");
    atomic_store(&fake_autosrc_calls, 0);
    sfx_make(&x, *state, "srcether");
    assert_int_equal(atomic_load(&fake_autosrc_calls), 0);
    assert_int_equal(sfx_queue(&x, 30, 0), 0);
    assert_int_equal(sfx_ascii(&x, "start 4", NULL), -ENXIO);
    sfx_done(&x);
    snprintf(fake_ifname, sizeof(fake_ifname), "lo");
}

static int bin_msg(struct sfx *x, uint32_t cmd, const void *arg, uint32_t len)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_SOURCE_COOKIE, cmd, len);
    assert_non_null(m);
    if (len)
        memcpy(m->data, arg, len);
    struct ng_mesg *r = NULL; /* synchronous, as sfx_ascii */
    int rc = ng_send_msg(x->g, NULL, "src0:", m, &r);
    ng_mesg_free(r);
    return rc;
}

/* Every bad input: its errno, nothing changed, nothing leaked. */
static void test_bad_input(void **state)
{
    struct sfx x;
    sfx_make(&x, *state, NULL); /* output not connected yet */
    /* START: no interface, then no output, then no data. */
    assert_int_equal(sfx_ascii(&x, "start 1", NULL), -ENXIO);
    assert_int_equal(sfx_ascii(&x, "setiface \"lo\"", NULL), 0);
    /* An "output" the peer refuses (its newhook fails; either order) was
     * never connected: the node keeps no pointer to it and lives on. */
    struct ng_node *o;
    assert_int_equal(ng_node_create(x.g, "source", &o), 0);
    assert_int_equal(ng_connect(x.src, "output", o, "bogus"), -EINVAL);
    assert_int_equal(ng_connect(o, "bogus", x.src, "output"), -EINVAL);
    assert_true(ng_node_is_valid(x.src));
    assert_int_equal(ng_node_shutdown(o), 0);
    ng_node_unref(o);
    assert_int_equal(sfx_ascii(&x, "start 1", NULL), -ENOTCONN);
    assert_int_equal(ng_node_create(x.g, "srcsink", &x.sink), 0);
    assert_int_equal(ng_connect(x.src, "output", x.sink, "in"), 0);
    assert_int_equal(sfx_ascii(&x, "setiface \"lo\"", NULL), 0); /* a new peer resets it */
    assert_int_equal(sfx_ascii(&x, "start 1", NULL), -ENODATA);
    uint64_t n64 = 1;
    assert_int_equal(bin_msg(&x, NGM_SOURCE_START, &n64, 4), -EINVAL);
    /* SETIFACE. */
    assert_int_equal(sfx_ascii(&x, "setiface \"\"", NULL), -EINVAL);
    assert_int_equal(sfx_ascii(&x, "setiface \"nosuchif0\"", NULL), -ENXIO);
    assert_int_equal(sfx_ascii(&x, "setiface \"abcdefghijklmnopq\"", NULL), -EINVAL);
    assert_int_equal(bin_msg(&x, NGM_SOURCE_SETIFACE, "lo", 2), -EINVAL); /* unterminated */
    assert_int_equal(bin_msg(&x, NGM_SOURCE_SETIFACE, "l", 1), -EINVAL);
    /* Wrong sizes. */
    uint32_t v32 = 5;
    assert_int_equal(bin_msg(&x, NGM_SOURCE_SETPPS, &v32, 2), -EINVAL);
    assert_int_equal(bin_msg(&x, NGM_SOURCE_SETPPS, &n64, 8), -EINVAL);
    assert_int_equal(bin_msg(&x, NGM_SOURCE_SET_TIMESTAMP, &v32, 2), -EINVAL);
    struct ng_source_embed_cnt_info ci;
    memset(&ci, 0, sizeof(ci));
    ci.width = 1;
    ci.max_val = 10;
    assert_int_equal(bin_msg(&x, NGM_SOURCE_SET_COUNTER, &ci, 12), -EINVAL);
    /* Bad counters. */
    assert_int_equal(sfx_ascii(&x, "setcounter { width=1 max_val=9 index=4 }", NULL), -EINVAL);
    assert_int_equal(sfx_ascii(&x, "setcounter { width=3 max_val=9 }", NULL), -EINVAL);
    assert_int_equal(sfx_ascii(&x, "setcounter { width=0 max_val=9 }", NULL), -EINVAL);
    assert_int_equal(sfx_ascii(&x, "setcounter { width=1 min_val=5 max_val=4 }", NULL), -EINVAL);
    assert_int_equal(sfx_ascii(&x, "getcounter 4", NULL), -EINVAL);
    assert_int_equal(bin_msg(&x, NGM_SOURCE_GET_COUNTER, &n64, 2), -EINVAL);
    char *r = NULL;
    assert_int_equal(sfx_ascii(&x, "getcounter 0", &r), 0);
    assert_string_equal(r, "{}");
    free(r);
    /* Unknown command, cookie and response; the ether cookie as a command. */
    assert_int_equal(bin_msg(&x, 99, NULL, 0), -EINVAL);
    assert_int_equal(ng_send_msg(x.g, NULL, "src0:", ng_mesg_alloc(12345, 1, 0), NULL), -EINVAL);
    assert_int_equal(ng_send_msg(x.g, NULL, "src0:", ng_mesg_alloc(T_ETHER_COOKIE, 1, 0), NULL),
                     -EINVAL);
    /* Hook names. */
    assert_int_equal(ng_connect(x.src, "inputs", x.sink, "x1"), -EINVAL);
    assert_int_equal(ng_connect(x.src, "out", x.sink, "x2"), -EINVAL);
    /* Data arriving on "output" is discarded and counted. */
    struct ng_hook *sh;
    assert_int_equal(ng_hook_find(x.sink, "in", &sh), 0);
    assert_int_equal(ng_send_data(sh, ngtest_item(x.g, 10, 0)), 0);
    ng_hook_unref(sh);
    assert_int_equal(status_counter(&x, "discarded"), 1);
    /* The queue holds NG_SOURCE_QUEUE_MAX frames; the next is dropped. */
    for (int i = 0; i < NG_SOURCE_QUEUE_MAX; i++)
        assert_int_equal(sfx_queue(&x, 1, 0), 0);
    assert_int_equal(sfx_queue(&x, 1, 0), -ENOBUFS);
    assert_int_equal(status_counter(&x, "drop_queue_full"), 1);
    struct ng_source_stats st = sfx_stats(&x, NGM_SOURCE_GET_STATS);
    assert_int_equal(st.queueFrames, NG_SOURCE_QUEUE_MAX);
    struct ng_graph_stats gs;
    ng_graph_stats(x.g, &gs);
    assert_int_equal(gs.drops[NG_DROP_QUEUE], 1);
    assert_int_equal(st.outFrames, 0);
    sfx_done(&x);
}

/* ASCII forms of every message and response convert both ways exactly. */
static void roundtrip(const struct ng_mesg *m)
{
    struct ng_mesg *a = NULL, *b = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_source_type, m, &a), 0);
    assert_int_equal(ng_mesg_from_ascii(&ng_source_type, a, &b, NULL), 0);
    assert_int_equal(b->header.typecookie, m->header.typecookie);
    assert_int_equal(b->header.cmd, m->header.cmd);
    assert_int_equal(b->header.arglen, m->header.arglen);
    assert_memory_equal(b->data, m->data, m->header.arglen);
    ng_mesg_free(a);
    ng_mesg_free(b);
}

static struct ng_mesg *mk(uint32_t cmd, const void *arg, uint32_t len, int resp)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_SOURCE_COOKIE, cmd, len);
    assert_non_null(m);
    if (len)
        memcpy(m->data, arg, len);
    if (resp)
        m->header.flags = NGF_RESP;
    return m;
}

static void test_ascii_roundtrip(void **state)
{
    (void)state;
    /* static: the padding bytes are zero (the round trip compares them) */
    static const struct ng_source_stats st = {
        1024, 16, 64, 1, 1000, {1035305880, 758036}, {1035305880, 759041}, {0, 1005}, {-1, 0}};
    struct ng_source_embed_info ei = {0x10, 1, 0};
    static const struct ng_source_embed_cnt_info ci = {0x20, 3, 4, 7, 1, 0xffffffffu, -3, 2};
    uint64_t n = 16;
    uint32_t pps = 100;
    uint8_t idx = 3;
    struct ng_mesg *ms[] = {
        mk(NGM_SOURCE_GET_STATS, &st, sizeof(st), 1),
        mk(NGM_SOURCE_GETCLR_STATS, &st, sizeof(st), 1),
        mk(NGM_SOURCE_START, &n, sizeof(n), 0),
        mk(NGM_SOURCE_SETIFACE, "em0", 4, 0),
        mk(NGM_SOURCE_SETPPS, &pps, sizeof(pps), 0),
        mk(NGM_SOURCE_SET_TIMESTAMP, &ei, sizeof(ei), 0),
        mk(NGM_SOURCE_GET_TIMESTAMP, &ei, sizeof(ei), 1),
        mk(NGM_SOURCE_SET_COUNTER, &ci, sizeof(ci), 0),
        mk(NGM_SOURCE_GET_COUNTER, &ci, sizeof(ci), 1),
        mk(NGM_SOURCE_GET_COUNTER, &idx, 1, 0),
        mk(NGM_SOURCE_GET_STATS, NULL, 0, 0),
        mk(NGM_SOURCE_CLR_STATS, NULL, 0, 0),
        mk(NGM_SOURCE_GETCLR_STATS, NULL, 0, 0),
        mk(NGM_SOURCE_STOP, NULL, 0, 0),
        mk(NGM_SOURCE_CLR_DATA, NULL, 0, 0),
        mk(NGM_SOURCE_GET_TIMESTAMP, NULL, 0, 0),
    };
    for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
        roundtrip(ms[i]);
        ng_mesg_free(ms[i]);
    }
    /* The man page's getclrstats answer, with this layout's maxPps field. */
    struct ng_mesg *m = mk(NGM_SOURCE_GETCLR_STATS, &st, sizeof(st), 1), *a = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_source_type, m, &a), 0);
    assert_string_equal(a->data, "{ outOctets=1024 outFrames=16 queueOctets=64 queueFrames=1 "
                                 "maxPps=1000 startTime={ tv_sec=1035305880 tv_usec=758036 } "
                                 "endTime={ tv_sec=1035305880 tv_usec=759041 } "
                                 "elapsedTime={ tv_usec=1005 } lastTime={ tv_sec=-1 } }");
    ng_mesg_free(a);
    ng_mesg_free(m);
}

/* The node shuts down when "output" goes (the man page), or its last
 * hook; not when only "input" goes.  A persistent node revives empty. */
static void test_shutdown(void **state)
{
    struct sfx x;
    sfx_make(&x, *state, "srcsink");
    assert_int_equal(ng_rmhook(x.src, "input"), 0);
    assert_true(ng_node_is_valid(x.src));
    assert_int_equal(ng_connect(x.sink, "in2", x.src, "input"), 0); /* the hole feeder went */
    assert_int_equal(ng_rmhook(x.src, "output"), 0);
    assert_false(ng_node_is_valid(x.src));
    sfx_done(&x);

    sfx_make(&x, *state, "srcsink");
    assert_int_equal(sfx_ascii(&x, "setiface \"lo\"", NULL), 0);
    assert_int_equal(sfx_queue(&x, 10, 0), 0);
    assert_int_equal(sfx_ascii(&x, "setpps 100", NULL), 0);
    assert_int_equal(sfx_ascii(&x, "start 1000000", NULL), 0);
    ng_node_set_persistent(x.src, 1);
    assert_int_equal(ng_node_shutdown(x.src), 0);
    assert_true(ng_node_is_valid(x.src));
    assert_int_equal(ng_node_numhooks(x.src), 0);
    struct ng_source_stats st = sfx_stats(&x, NGM_SOURCE_GET_STATS);
    assert_int_equal(st.queueFrames, 0);
    assert_int_equal(st.maxPps, 0);
    assert_int_equal(sfx_ascii(&x, "start 1", NULL), -ENXIO);
    ng_node_set_persistent(x.src, 0);
    sfx_done(&x);
}

/* Frames queued while the node sends from a runtime worker, then the
 * queue emptied under it: the node stops by itself, every frame sent
 * arrived, nothing leaks (the teardown checks the item count). */
static void test_queue_while_sending(void **state)
{
    struct sfx x;
    sfx_make(&x, *state, "srcsink");
    assert_int_equal(sfx_ascii(&x, "setiface \"lo\"", NULL), 0);
    assert_int_equal(sfx_queue(&x, 40, 0), 0);
    struct ng_runtime *rt = ngtest_runtime(x.g, 2);
    assert_int_equal(sfx_ascii(&x, "start 1000000000", NULL), 0);
    double t0 = ngtest_now_s();
    while (atomic_load(&x.sp->frames) < 1000 && ngtest_now_s() - t0 < 20)
        sleep_ms(1);
    for (int i = 1; i < 500; i++)
        assert_int_equal(sfx_queue(&x, 40 + (uint32_t)(i % 7), (uint8_t)i), 0);
    struct ng_source_stats st = sfx_stats(&x, NGM_SOURCE_GET_STATS);
    assert_int_equal(st.queueFrames, 500);
    uint64_t seen = atomic_load(&x.sp->frames);
    while (atomic_load(&x.sp->frames) < seen + 1000 && ngtest_now_s() - t0 < 20)
        sleep_ms(1);
    assert_int_equal(sfx_ascii(&x, "clrdata", NULL), 0);
    st = sfx_wait_done(&x);
    assert_int_equal(st.queueFrames, 0);
    ng_runtime_stop(rt);
    assert_true(st.outFrames >= seen + 1000);
    assert_int_equal(atomic_load(&x.sp->frames), st.outFrames);
    assert_int_equal(sfx_ascii(&x, "start 1", NULL), -ENODATA);
    sfx_done(&x);
}

/* ng_runtime_stop() cancels the node's timer: it stays active (EBUSY)
 * until STOP, and then sends again without a runtime (docs: Rate).  A
 * tick running while the runtime stops re-arms the timer, which then fires
 * on the timer thread: the frames are counted only once STOP returned. */
static void test_runtime_stop_while_sending(void **state)
{
    struct sfx x;
    sfx_make(&x, *state, "srcsink");
    assert_int_equal(sfx_ascii(&x, "setiface \"lo\"", NULL), 0);
    assert_int_equal(sfx_queue(&x, 16, 0), 0);
    struct ng_runtime *rt = ngtest_runtime(x.g, 1);
    assert_int_equal(sfx_ascii(&x, "setpps 1000", NULL), 0);
    assert_int_equal(sfx_ascii(&x, "start 1000000", NULL), 0);
    double t0 = ngtest_now_s();
    while (atomic_load(&x.sp->frames) < 3 && ngtest_now_s() - t0 < 20)
        sleep_ms(1);
    ng_runtime_stop(rt);
    assert_int_equal(sfx_ascii(&x, "start 1", NULL), -EBUSY);
    assert_int_equal(sfx_ascii(&x, "stop", NULL), 0);
    uint64_t n = atomic_load(&x.sp->frames);
    struct ng_source_stats st = sfx_stats(&x, NGM_SOURCE_GET_STATS);
    assert_int_equal(st.outFrames, n);
    assert_int_equal(sfx_ascii(&x, "start 3", NULL), 0);
    st = sfx_wait_done(&x);
    assert_int_equal(st.outFrames, n + 3);
    assert_int_equal(atomic_load(&x.sp->frames), n + 3);
    sfx_done(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_queue_and_start),
        ngtest_unit_test(test_exact_counts),
        ngtest_unit_test(test_counters),
        ngtest_unit_test(test_timestamp),
        ngtest_unit_test(test_stop_clrdata_stats),
        ngtest_unit_test(test_ether_peer),
        ngtest_unit_test(test_bad_input),
        ngtest_unit_test(test_ascii_roundtrip),
        ngtest_unit_test(test_shutdown),
        ngtest_unit_test(test_queue_while_sending),
        ngtest_unit_test(test_runtime_stop_while_sending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
