/*
 * test_split.c - the "split" node type as ng_split(4) describes it: "in"
 * goes out "mixed", "mixed" goes out "out", data received on "out" is
 * illegal (dropped, counted, -EINVAL); wrong and duplicate hook names, no
 * way out, TEXT_STATUS, no messages of its own, shutdown with the last hook.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/nodes/split.h>
#include <ngraph/parse.h>

#include "ngtest.h"

struct rig {
    struct ng_node *s, *in, *out, *mixed;
};

static void rig_make(struct ng_graph *g, struct rig *r)
{
    assert_int_equal(ng_type_register(g, &ng_split_type), -EEXIST); /* built in */
    assert_int_equal(ng_node_create(g, "split", &r->s), 0);
    assert_int_equal(ng_node_name(r->s, "s"), 0);
    assert_int_equal(ng_node_create(g, "counter", &r->in), 0);
    assert_int_equal(ng_node_create(g, "counter", &r->out), 0);
    assert_int_equal(ng_node_create(g, "counter", &r->mixed), 0);
    assert_int_equal(ng_connect(r->in, "x", r->s, NG_SPLIT_HOOK_IN), 0);
    assert_int_equal(ng_connect(r->out, "x", r->s, NG_SPLIT_HOOK_OUT), 0);
    assert_int_equal(ng_connect(r->mixed, "x", r->s, NG_SPLIT_HOOK_MIXED), 0);
}

static void rig_free(struct rig *r)
{
    ng_node_unref(r->in);
    ng_node_unref(r->out);
    ng_node_unref(r->mixed);
    ng_node_unref(r->s);
}

static void test_directions(void **state)
{
    struct ng_graph *g = *state;
    struct rig r;
    rig_make(g, &r);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ng_inject_data(r.s, "in", ngtest_item(g, 50, 1)), 0);
    assert_int_equal(ngtest_counter_get(r.mixed), 3);
    assert_int_equal(ngtest_counter_get(r.out), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(ng_inject_data(r.s, "mixed", ngtest_item(g, 40, 1)), 0);
    assert_int_equal(ngtest_counter_get(r.out), 2);
    assert_int_equal(ngtest_counter_get(r.in), 0);
    /* Received on "out": illegal. */
    assert_int_equal(ng_inject_data(r.s, "out", ngtest_item(g, 30, 1)), -EINVAL);
    assert_int_equal(ngtest_counter_get(r.in), 0);
    assert_int_equal(ngtest_counter_get(r.mixed), 3);
    char *txt = NULL;
    assert_int_equal(ng_send_ascii(g, "s:", "textstatus", &txt), 0);
    assert_non_null(strstr(txt, "in: connected inFrames=3 inOctets=150 outFrames=0 outOctets=0"));
    assert_non_null(strstr(txt, "out: connected inFrames=1 inOctets=30 outFrames=2 outOctets=80"));
    assert_non_null(
        strstr(txt, "mixed: connected inFrames=2 inOctets=80 outFrames=3 outOctets=150"));
    assert_non_null(strstr(txt, "illegal=1 noPeer=0"));
    free(txt);
    rig_free(&r);
}

static void test_bad_hooks_and_no_peer(void **state)
{
    struct ng_graph *g = *state;
    assert_int_equal(ng_type_register(g, &ng_split_type), -EEXIST); /* built in */
    struct ng_node *s, *c;
    assert_int_equal(ng_node_create(g, "split", &s), 0);
    assert_int_equal(ng_node_name(s, "s"), 0);
    assert_int_equal(ng_node_create(g, "counter", &c), 0);
    const char *bad[] = {"In", "inx", "left", "mixed2", "o"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(ng_connect(c, bad[i], s, bad[i]), -EINVAL);
    assert_int_equal(ng_node_numhooks(s), 0);
    assert_int_equal(ng_connect(c, "a", s, "in"), 0);
    assert_int_equal(ng_connect(c, "b", s, "in"), -EEXIST);
    struct ng_graph_stats st0, st1;
    ng_graph_stats(g, &st0);
    assert_int_equal(ng_inject_data(s, "in", ngtest_item(g, 10, 1)), -ENOTCONN);
    ng_graph_stats(g, &st1);
    assert_int_equal(st1.drops[NG_DROP_NOTCONN] - st0.drops[NG_DROP_NOTCONN], 1);
    assert_int_equal(ng_connect(c, "b", s, "mixed"), 0);
    assert_int_equal(ng_inject_data(s, "mixed", ngtest_item(g, 10, 1)), -ENOTCONN);
    assert_int_equal(ng_inject_data(s, "in", ngtest_item(g, 10, 1)), 0);
    assert_int_equal(ngtest_counter_get(c), 1);
    char *txt = NULL;
    assert_int_equal(ng_send_ascii(g, "s:", "textstatus", &txt), 0);
    assert_non_null(strstr(txt, "out: unconnected"));
    assert_non_null(strstr(txt, "noPeer=2"));
    free(txt);
    /* Only generic messages. */
    assert_int_equal(ngtest_msg(g, "s:", NGM_SPLIT_COOKIE, 1, NULL), -EINVAL);
    assert_int_equal(ng_send_ascii(g, "s:", "getstats", NULL), -ENOSYS);
    /* The last hook going shuts it down. */
    assert_int_equal(ng_rmhook(s, "in"), 0);
    assert_true(ng_node_is_valid(s));
    assert_int_equal(ng_rmhook(s, "mixed"), 0);
    assert_false(ng_node_is_valid(s));
    ng_node_unref(c);
    ng_node_unref(s);
}

static void test_reconnect(void **state)
{
    struct ng_graph *g = *state;
    struct rig r;
    rig_make(g, &r);
    assert_int_equal(ng_rmhook(r.s, "mixed"), 0);
    assert_int_equal(ng_connect(r.mixed, "y", r.s, "mixed"), 0);
    assert_int_equal(ng_inject_data(r.s, "in", ngtest_item(g, 10, 1)), 0);
    assert_int_equal(ngtest_counter_get(r.mixed), 1);
    /* NGM_SHUTDOWN. */
    assert_int_equal(ngtest_msg(g, "s:", NGM_GENERIC_COOKIE, NGM_SHUTDOWN, NULL), 0);
    assert_false(ng_node_is_valid(r.s));
    rig_free(&r);
}

/* docs/nodes/split.md ERRORS: the rows the tests above do not reach (a
 * message of another cookie, data at a hook the node does not have, the
 * shut-down node), and the illegal packet's counters. */
static void test_bad_input_rest(void **state)
{
    struct ng_graph *g = *state;
    struct rig r;
    rig_make(g, &r);
    struct ng_graph_stats before, after;
    ng_graph_stats(g, &before);
    assert_int_equal(ng_inject_data(r.s, "out", ngtest_item(g, 30, 1)), -EINVAL);
    ng_graph_stats(g, &after);
    assert_int_equal(after.items_live, before.items_live); /* freed */
    char *txt = NULL;
    assert_int_equal(ng_send_ascii(g, "s:", "textstatus", &txt), 0);
    assert_non_null(strstr(txt, "illegal=1 noPeer=0"));
    free(txt);
    assert_int_equal(ngtest_msg(g, "s:", 12345, 1, NULL), -EINVAL);
    ng_graph_stats(g, &before);
    assert_int_equal(ng_inject_data(r.s, "nosuch", ngtest_item(g, 10, 1)), -ENOENT);
    ng_graph_stats(g, &after);
    assert_int_equal(after.drops[NG_DROP_NOTCONN], before.drops[NG_DROP_NOTCONN] + 1);
    char path[NG_NODESIZ];
    snprintf(path, sizeof(path), "[%x]:", (unsigned)ng_node_id(r.s));
    assert_int_equal(ng_node_shutdown(r.s), 0);
    assert_int_equal(ngtest_msg(g, path, NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, NULL), -ENOENT);
    assert_int_equal(ng_connect(r.in, "y", r.s, NG_SPLIT_HOOK_IN), -ESHUTDOWN);
    ng_graph_stats(g, &before);
    assert_int_equal(ng_inject_data(r.s, "in", ngtest_item(g, 10, 1)), -ENOENT);
    ng_graph_stats(g, &after);
    assert_int_equal(after.drops[NG_DROP_NOTCONN], before.drops[NG_DROP_NOTCONN] + 1);
    assert_int_equal(ngtest_counter_get(r.mixed), 0);
    rig_free(&r);
}

/* A connect the other node refuses (tee has no hook "middle") when the hook
 * would have been the node's only one: its disconnect method sees the
 * refused hook go and the node shuts down, as FreeBSD's does
 * (docs/nodes/split.md ERRORS). */
static void test_refused_connect(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *lone, *peer;
    assert_int_equal(ng_node_create(g, "split", &lone), 0);
    assert_int_equal(ng_node_create(g, "tee", &peer), 0);
    assert_int_equal(ng_connect(lone, "in", peer, "middle"), -EINVAL);
    assert_false(ng_node_is_valid(lone));
    assert_true(ng_node_is_valid(peer));
    assert_int_equal(ng_node_shutdown(peer), 0);
    ng_node_unref(lone);
    ng_node_unref(peer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_directions),      ngtest_unit_test(test_bad_hooks_and_no_peer),
        ngtest_unit_test(test_reconnect),       ngtest_unit_test(test_bad_input_rest),
        ngtest_unit_test(test_refused_connect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
