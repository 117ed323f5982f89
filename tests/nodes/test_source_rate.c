/*
 * test_source_rate.c - the "source" node type's rate control
 * (docs/nodes/source.md, "Rate"): with SETPPS the node sends the
 * configured number of frames per second on average, at a high and a low
 * rate, with and without a worker runtime; without a rate it sends faster
 * than any of them.  Timing-sensitive: ctest label "concurrency" only (not
 * run under valgrind); tolerances are generous (+-35 %) for loaded CI
 * machines and sanitizers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/nodes/source.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static struct ng_source_stats get_stats(struct ng_graph *g)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(g, "src0:", NGM_SOURCE_COOKIE, NGM_SOURCE_GET_STATS, &r), 0);
    assert_non_null(r);
    struct ng_source_stats st;
    memcpy(&st, r->data, sizeof(st));
    ng_mesg_free(r);
    return st;
}

/* source "src0" (one 64-byte frame queued) -> "counter"; frames counted
 * over `ms` milliseconds at `pps` (0: as fast as possible). */
static uint64_t measure(struct ng_graph *g, unsigned workers, uint32_t pps, unsigned ms)
{
    int r = ng_type_register(g, &ng_source_type);
    assert_true(r == 0 || r == -EEXIST);
    struct ng_node *src, *feed, *cnt;
    assert_int_equal(ng_node_create(g, "source", &src), 0);
    assert_int_equal(ng_node_name(src, "src0"), 0);
    assert_int_equal(ng_node_create(g, "hole", &feed), 0);
    assert_int_equal(ng_node_create(g, "counter", &cnt), 0);
    assert_int_equal(ng_connect(feed, "out", src, "input"), 0);
    assert_int_equal(ng_connect(src, "output", cnt, "in"), 0);
    assert_int_equal(ng_inject_data(src, "input", ngtest_item(g, 64, 0x5a)), 0);
    struct ng_runtime *rt = workers ? ngtest_runtime(g, workers) : NULL;
    char text[64];
    snprintf(text, sizeof(text), "setpps %u", (unsigned)pps);
    assert_int_equal(ng_send_ascii(g, "src0:", "setiface \"lo\"", NULL), 0);
    assert_int_equal(ng_send_ascii(g, "src0:", text, NULL), 0);
    double t0 = ngtest_now_s();
    assert_int_equal(ng_send_ascii(g, "src0:", "start 1000000000", NULL), 0);
    sleep_ms(ms);
    assert_int_equal(ng_send_ascii(g, "src0:", "stop", NULL), 0);
    double el = ngtest_now_s() - t0;
    struct ng_source_stats st = get_stats(g);
    if (rt)
        ng_runtime_stop(rt);
    uint64_t got = ngtest_counter_get(cnt);
    assert_int_equal(got, st.outFrames); /* every frame sent arrived */
    double rate = (double)got / el;
    printf("# pps %u, %u worker(s): %llu frames in %.3f s = %.0f/s\n", (unsigned)pps, workers,
           (unsigned long long)got, el, rate);
    assert_int_equal(ng_node_shutdown(src), 0);
    if (ng_node_is_valid(feed))
        assert_int_equal(ng_node_shutdown(feed), 0);
    if (ng_node_is_valid(cnt))
        assert_int_equal(ng_node_shutdown(cnt), 0);
    ng_node_unref(src);
    ng_node_unref(feed);
    ng_node_unref(cnt);
    assert_int_equal(ng_graph_barrier(g), 0);
    return (uint64_t)rate;
}

static void assert_near(uint64_t got, uint32_t want)
{
    assert_true(got >= want * 65ull / 100);
    assert_true(got <= want * 135ull / 100);
}

static void test_rate_timer_thread(void **state)
{
    assert_near(measure(*state, 0, 5000, 1000), 5000);
    assert_near(measure(*state, 0, 40, 1000), 40);
}

static void test_rate_runtime(void **state) { assert_near(measure(*state, 2, 20000, 1000), 20000); }

/* Without a rate the node is not held back by the tick. */
static void test_unlimited(void **state) { assert_true(measure(*state, 0, 0, 300) > 40000); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_rate_timer_thread),
        ngtest_unit_test(test_rate_runtime),
        ngtest_unit_test(test_unlimited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
