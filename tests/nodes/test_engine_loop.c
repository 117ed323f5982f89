/*
 * test_engine_loop.c - the data path's loop guards: a loop in the graph
 * (two echo nodes joined; two netgraph-mode nodes bouncing bursts; a type
 * that re-injects into itself) ends with the looping item dropped and
 * counted as NG_DROP_LOOP, instead of a stack overflow (Debug: every hop a
 * real call) or an endless loop (Release: tail calls keep the stack flat, so
 * the item's hop count ends it), on threads with the default stack and with
 * a small one; a long legitimate chain is not affected.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "ngtest.h"
#include <ngraph/nodes.h>

/* "bounce": netgraph mode (no NG_TYPE_CONCURRENT_DATA), sends every item
 * back out of the hook it came in on as a burst of one. */
static int bounce_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    return ng_send_data_burst(hook, &item, 1);
}
static const struct ng_type bounce_type = {
    .version = NG_ABI_VERSION,
    .name = "bounce",
    .cookie = 0x7e57b0b0u,
    .rcvdata = bounce_rcvdata,
};

/* "reinject": shared mode, re-injects every item at its own hook. */
static int reinject_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    return ng_inject_data(ng_hook_node(hook), ng_hook_name(hook), item);
}
static const struct ng_type reinject_type = {
    .version = NG_ABI_VERSION,
    .name = "reinject",
    .cookie = 0x7e57b0b1u,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .rcvdata = reinject_rcvdata,
};

struct loop_run {
    struct ng_graph *g;
    const char *type;
    int rc;
};

/* Two nodes of run->type joined a:x <-> b:x; one item injected at a:x. */
static void *loop_main(void *arg)
{
    struct loop_run *r = arg;
    struct ng_node *a, *b;
    assert_int_equal(ng_node_create(r->g, r->type, &a), 0);
    assert_int_equal(ng_mkpeer(a, "x", r->type, "x", &b), 0);
    r->rc = ng_inject_data(a, "x", ngtest_item(r->g, 64, 0xab));
    assert_int_equal(ng_node_shutdown(a), 0);
    (void)ng_node_shutdown(b); /* may be gone with its last hook (echo) */
    ng_node_unref(a);
    ng_node_unref(b);
    ng_thread_unregister(r->g);
    return NULL;
}

static void run_loop(struct ng_graph *g, const char *type, size_t stack)
{
    struct ng_graph_stats before, after;
    ng_graph_stats(g, &before);
    struct loop_run r = {.g = g, .type = type, .rc = 1};
    pthread_attr_t a;
    pthread_t t;
    assert_int_equal(pthread_attr_init(&a), 0);
    if (stack)
        assert_int_equal(pthread_attr_setstacksize(&a, stack), 0);
    assert_int_equal(pthread_create(&t, &a, loop_main, &r), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    pthread_attr_destroy(&a);
    assert_int_equal(ng_graph_barrier(g), 0);
    ng_graph_stats(g, &after);
    /* The item went round until the guard stopped it: -ELOOP all the way
     * back (every type here returns its send's result), one drop counted,
     * nothing left alive. */
    assert_int_equal(r.rc, -ELOOP);
    assert_int_equal(after.drops[NG_DROP_LOOP] - before.drops[NG_DROP_LOOP], 1);
    assert_int_equal(after.items_live, 0);
    assert_int_equal(after.nodes, 0);
}

static void test_echo_loop(void **state)
{
    run_loop(*state, "echo", 0);
    run_loop(*state, "echo", 256u << 10);
}

static void test_bounce_loop(void **state)
{
    struct ng_graph *g = *state;
    assert_int_equal(ng_type_register(g, &bounce_type), 0);
    run_loop(g, "bounce", 0);
    run_loop(g, "bounce", 256u << 10);
}

static void test_reinject_loop(void **state)
{
    struct ng_graph *g = *state;
    assert_int_equal(ng_type_register(g, &reinject_type), 0);
    run_loop(g, "reinject", 0);
    run_loop(g, "reinject", 256u << 10);
}

/* 500 nested hops are a chain, not a loop: everything is delivered. */
static void test_long_chain(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *src, *dst;
    struct ng_hook *h = ngtest_chain(g, 500, &src, &dst);
    for (int i = 0; i < 100; i++)
        assert_int_equal(ng_send_data(h, ngtest_item(g, 64, 1)), 0);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(st.drops[NG_DROP_LOOP], 0);
    assert_int_equal(ngtest_counter_get(dst), 100);
    ngtest_link_release(h, src, dst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_echo_loop),
        ngtest_unit_test(test_bounce_loop),
        ngtest_unit_test(test_reinject_loop),
        ngtest_unit_test(test_long_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
