/*
 * test_echo.c - the echo type against ng_echo(4) (docs/nodes/echo.md): data
 * goes back out of the hook it came in on, any hook name, non-generic
 * messages reflected to the sender as the response, generic ones handled,
 * and shutting down when the last hook goes (a persistent echo revives).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ngtest.h"
#include <ngraph/message.h>
#include <ngraph/nodes.h>
#include <ngraph/runtime.h>

static void test_reflects(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *e, *c;
    assert_int_equal(ng_node_create(g, "echo", &e), 0);
    assert_int_equal(ng_node_name(e, "e"), 0);
    assert_int_equal(ng_node_create(g, "counter", &c), 0);
    assert_int_equal(ng_connect(c, "x", e, "whatever"), 0);
    assert_int_equal(ng_connect(c, "y", e, "else"), 0);
    struct ng_hook *x;
    assert_int_equal(ng_hook_find(c, "x", &x), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ng_send_data(x, ngtest_item(g, 8, 0)), 0);
    assert_int_equal(ngtest_counter_get(c), 4); /* all came back */
    struct ng_node_stats ns;
    assert_int_equal(ng_node_stats(c, &ns), 0);
    assert_int_equal(ns.items_in, 4);
    /* A message comes back as the response, arguments unchanged. */
    struct ng_mesg *m = ng_mesg_alloc(0x12345678u, 42, 5), *r = NULL;
    memcpy(m->data, "ping", 5);
    assert_int_equal(ng_send_msg(g, NULL, "e:", m, &r), 0);
    assert_non_null(r);
    assert_true(r->header.flags & NGF_RESP);
    assert_int_equal(r->header.typecookie, 0x12345678u);
    assert_int_equal(r->header.cmd, 42);
    assert_string_equal(r->data, "ping");
    ng_mesg_free(r);
    /* Generic messages are the engine's. */
    assert_int_equal(ngtest_msg(g, "e:", NGM_GENERIC_COOKIE, NGM_LISTHOOKS, &r), 0);
    assert_int_equal(((const struct hooklist *)(const void *)r->data)->nodeinfo.hooks, 2);
    ng_mesg_free(r);
    /* Last hook gone: shut down. */
    assert_int_equal(ng_rmhook(e, "whatever"), 0);
    assert_true(ng_node_is_valid(e));
    assert_int_equal(ng_rmhook(c, "y"), 0);
    assert_false(ng_node_is_valid(e));
    struct ng_node *f;
    assert_int_equal(ng_node_find(g, "e:", &f), -ENOENT);
    ng_hook_unref(x);
    ng_node_unref(e);
    ng_node_unref(c);
}

static void test_persistent(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *e, *c;
    assert_int_equal(ng_node_create(g, "echo", &e), 0);
    ng_node_set_persistent(e, 1);
    assert_int_equal(ng_node_create(g, "counter", &c), 0);
    assert_int_equal(ng_connect(c, "x", e, "x"), 0);
    assert_int_equal(ng_rmhook(c, "x"), 0);
    assert_true(ng_node_is_valid(e));
    assert_int_equal(ng_connect(c, "x", e, "x"), 0);
    assert_int_equal(ng_inject_data(e, "x", ngtest_item(g, 8, 0)), 0);
    assert_int_equal(ngtest_counter_get(c), 1);
    ng_node_unref(e);
    ng_node_unref(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_reflects),
        ngtest_unit_test(test_persistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
