/*
 * test_pipe_timing.c - the "pipe" node type's timing (docs/nodes/pipe.md),
 * measured: delay and bandwidth against the configured ones, with and
 * without a worker runtime, and frames sent from several threads in both
 * directions while the configuration changes (every frame accounted for).
 * Label "concurrency" (TSan runs it, valgrind does not).
 *
 * Tolerances, generous for a loaded 2-vCPU VM under TSan:
 *   - delay 20 ms: every frame arrives after at least 20 ms (never early),
 *     at least 3/4 of them within 60 ms, none beyond 500 ms;
 *   - bandwidth 1 Mbit/s: 100 frames of 1250 bytes are spread over
 *     0.99 s; the rate measured between the first and the last arrival is
 *     within 25% of 1 Mbit/s, and the whole transfer never takes less than
 *     the 0.99 s the bandwidth implies.
 * Each test runs in well under 10 s; every wait is bounded.
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
#include <ngraph/nodes/pipe.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- a sink recording when each frame arrived ------------------------------ */

#define TS_MAX 256
struct tsink {
    _Atomic uint64_t n;   /* frames received */
    _Atomic uint64_t idx; /* slots taken */
    uint64_t sent[TS_MAX], arrived[TS_MAX];
};

static int ts_ctor(struct ng_node *node)
{
    struct tsink *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    ng_node_set_private(node, s);
    return 0;
}

static void ts_shutdown(struct ng_node *node) { free(ng_node_private(node)); }

static int ts_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct tsink *s = ng_node_private(ng_hook_node(hook));
    uint64_t now = mono_ns();
    if (ng_item_len(item) >= 8) {
        uint64_t i = atomic_fetch_add(&s->idx, 1);
        if (i < TS_MAX) {
            memcpy(&s->sent[i], ng_item_data(item), 8);
            s->arrived[i] = now;
        }
    }
    ng_item_free(item);
    atomic_fetch_add_explicit(&s->n, 1, memory_order_release);
    return 0;
}

static const struct ng_type ts_type = {
    .version = NG_ABI_VERSION,
    .name = "tsink",
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = ts_ctor,
    .shutdown = ts_shutdown,
    .rcvdata = ts_rcvdata,
};

struct tfx {
    struct ng_graph *g;
    struct ng_runtime *rt;
    struct ng_node *pipe, *snode;
    struct tsink *s;
};

static void tfx_make(struct tfx *x, struct ng_graph *g, unsigned workers)
{
    x->g = g;
    int r = ng_type_register(g, &ng_pipe_type);
    assert_true(r == 0 || r == -EEXIST);
    r = ng_type_register(g, &ts_type);
    assert_true(r == 0 || r == -EEXIST);
    x->rt = workers ? ngtest_runtime(g, workers) : NULL;
    assert_int_equal(ng_node_create(g, "pipe", &x->pipe), 0);
    assert_int_equal(ng_node_name(x->pipe, "p0"), 0);
    assert_int_equal(ng_node_create(g, "tsink", &x->snode), 0);
    assert_int_equal(ng_connect(x->pipe, "upper", x->snode, "u"), 0);
    assert_int_equal(ng_connect(x->pipe, "lower", x->snode, "l"), 0);
    x->s = ng_node_private(x->snode);
}

static void tfx_done(struct tfx *x)
{
    ng_node_shutdown(x->pipe);
    ng_node_shutdown(x->snode);
    ng_node_unref(x->pipe);
    ng_node_unref(x->snode);
    if (x->rt)
        ng_runtime_stop(x->rt);
}

static int stamped(struct tfx *x, const char *hook, uint32_t len)
{
    struct ng_item *it = ngtest_item(x->g, len, 0);
    uint64_t now = mono_ns();
    memcpy(ng_item_data(it), &now, 8);
    return ng_inject_data(x->pipe, hook, it);
}

static uint64_t wait_n(struct tsink *s, uint64_t n, int ms)
{
    for (int i = 0; i < ms && atomic_load_explicit(&s->n, memory_order_acquire) < n; i++)
        sleep_ms(1);
    return atomic_load_explicit(&s->n, memory_order_acquire);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* delay=20000 us: no frame early, at least 3/4 within [20, 60] ms, none
 * beyond 500 ms (a loaded VM may hold a thread off the CPU for a while). */
static void delay_test(struct ng_graph *g, unsigned workers)
{
    struct tfx x;
    tfx_make(&x, g, workers);
    assert_int_equal(ng_send_ascii(g, "p0:", "setcfg { delay=20000 }", NULL), 0);
    enum { N = 20 };
    for (int i = 0; i < N; i++) {
        assert_int_equal(stamped(&x, i % 2 ? "lower" : "upper", 100), 0);
        sleep_ms(5);
    }
    assert_int_equal(wait_n(x.s, N, 3000), N);
    uint64_t lat[N];
    int in = 0;
    for (int i = 0; i < N; i++) {
        lat[i] = x.s->arrived[i] - x.s->sent[i];
        if (lat[i] < 20000000ull || lat[i] > 500000000ull)
            fail_msg("frame %d: latency %.3f ms, early or beyond 500 ms", i, lat[i] / 1e6);
        in += lat[i] <= 60000000ull;
    }
    qsort(lat, N, sizeof(lat[0]), cmp_u64);
    if (in < N * 3 / 4)
        fail_msg("%d of %d frames within [20, 60] ms (median %.3f ms)", in, N, lat[N / 2] / 1e6);
    tfx_done(&x);
}

/* 1 Mbit/s (no framing overhead): 100 frames of 1250 bytes = 10 ms each. */
static void bandwidth_test(struct ng_graph *g, unsigned workers)
{
    struct tfx x;
    tfx_make(&x, g, workers);
    assert_int_equal(
        ng_send_ascii(g, "p0:", "setcfg { upstream={ bandwidth=1000000 queuelen=200 } }", NULL), 0);
    enum { N = 100 };
    uint64_t t0 = mono_ns();
    for (int i = 0; i < N; i++)
        assert_int_equal(stamped(&x, "lower", 1250), 0);
    assert_int_equal(wait_n(x.s, N, 5000), N);
    uint64_t first = x.s->arrived[0], last = x.s->arrived[N - 1];
    double secs = (double)(last - first) / 1e9;
    double rate = (N - 1) * 1250.0 * 8 / secs;
    if (rate < 750000 || rate > 1250000)
        fail_msg("measured %.0f bit/s over %.3f s, outside 1 Mbit/s +- 25%%", rate, secs);
    assert_true(last - t0 >= 990000000ull); /* never faster than the link */
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(g, "p0:", NGM_PIPE_COOKIE, NGM_PIPE_GET_STATS, &r), 0);
    const struct ng_pipe_stats *st = (const void *)r->data;
    assert_int_equal(st->upstream.fwd_frames, N);
    assert_int_equal(st->upstream.fwd_octets, N * 1250);
    assert_int_equal(st->upstream.in_disc_frames, 0);
    ng_mesg_free(r);
    tfx_done(&x);
}

static void test_delay(void **state) { delay_test(*state, 0); }
static void test_delay_runtime(void **state) { delay_test(*state, 2); }
static void test_bandwidth(void **state) { bandwidth_test(*state, 0); }
static void test_bandwidth_runtime(void **state) { bandwidth_test(*state, 2); }

/* ---- frames from several threads while the configuration changes ---------- */

struct sender {
    struct tfx *x;
    const char *hook;
    int n, rc_other;
};

static void *send_thread(void *arg)
{
    struct sender *s = arg;
    for (int i = 0; i < s->n; i++) {
        int rc = stamped(s->x, s->hook, 64 + (uint32_t)(i % 200));
        if (rc != 0 && rc != -ENOBUFS)
            s->rc_other++;
    }
    ng_thread_unregister(s->x->g);
    return NULL;
}

static uint64_t counter(const char *text, const char *dir, const char *name)
{
    const char *s = strstr(text, dir);
    assert_non_null(s);
    char key[64];
    snprintf(key, sizeof(key), " %s=", name);
    s = strstr(s, key);
    assert_non_null(s);
    return strtoull(s + strlen(key), NULL, 10);
}

static void test_concurrent(void **state)
{
    struct ng_graph *g = *state;
    struct tfx x;
    tfx_make(&x, g, 2);
    struct sender s[4] = {{&x, "upper", 1500, 0},
                          {&x, "upper", 1500, 0},
                          {&x, "lower", 1500, 0},
                          {&x, "lower", 1500, 0}};
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, send_thread, &s[i]), 0);
    static const char *const cfgs[] = {
        "setcfg { delay=2000 }",
        "setcfg { bandwidth=100000000 downstream={ queuelen=20 drophead=1 } }",
        "setcfg { upstream={ wfq=1 BER=100000 } }",
        "setcfg { downstream={ drr=1 delaylen=10 } }",
        "setcfg { delay=-1 bandwidth=-1 upstream={ BER=-1 } }",
    };
    for (int i = 0; i < 40; i++) {
        assert_int_equal(ng_send_ascii(g, "p0:", cfgs[i % 5], NULL), 0);
        char *t = NULL;
        assert_int_equal(ng_send_ascii(g, "p0:", i % 2 ? "getrun" : "getstats", &t), 0);
        free(t);
        sleep_ms(2);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(s[i].rc_other, 0);
    }
    /* Drain: the last configuration has nothing to emulate. */
    char *t = NULL;
    for (int i = 0; i < 3000; i++) {
        assert_int_equal(ng_send_ascii(g, "p0:", "getrun", &t), 0);
        int idle = strcmp(t, "{}") == 0;
        free(t);
        if (idle)
            break;
        sleep_ms(1);
    }
    assert_int_equal(ng_send_ascii(g, "p0:", "textstatus", &t), 0);
    for (int d = 0; d < 2; d++) {
        const char *dir = d ? "upstream:" : "downstream:";
        uint64_t rx = counter(t, dir, "received");
        uint64_t out = counter(t, dir, "forwarded") + counter(t, dir, "queue_drops") +
                       counter(t, dir, "out_drops") + counter(t, dir, "flushed") +
                       counter(t, dir, "nohook") - counter(t, dir, "duplicated");
        assert_int_equal(rx, 3000);
        if (rx != out)
            fail_msg("%s received %llu, accounted %llu\n%s", dir, (unsigned long long)rx,
                     (unsigned long long)out, t);
    }
    free(t);
    tfx_done(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_delay),      ngtest_unit_test(test_delay_runtime),
        ngtest_unit_test(test_bandwidth),  ngtest_unit_test(test_bandwidth_runtime),
        ngtest_unit_test(test_concurrent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
