/*
 * test_echo.c - the echo type against ng_echo(4) (docs/nodes/echo.md): data
 * goes back out of the hook it came in on, any hook name, non-generic
 * messages reflected to the sender as the response, generic ones handled,
 * and shutting down when the last hook goes (a persistent echo revives).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ngtest.h"
#include <ngraph/message.h>
#include <ngraph/nodes.h>
#include <ngraph/parse.h>
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

/* docs/nodes/echo.md ERRORS: a taken hook name, a response nobody asked
 * for, an ASCII command (echo has none), data at a hook the node does not
 * have, and the shut-down node: messages to its id, connects and data. */
static void test_bad_input(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *e, *c;
    assert_int_equal(ng_node_create(g, "echo", &e), 0);
    assert_int_equal(ng_node_name(e, "e"), 0);
    assert_int_equal(ng_node_create(g, "counter", &c), 0);
    assert_int_equal(ng_connect(c, "x", e, "x"), 0);
    assert_int_equal(ng_connect(c, "y", e, "x"), -EEXIST);
    /* A response is freed, not answered: two echoes, e answering a message
     * sent from f, would otherwise bounce the answer between them for ever
     * (this call would never return: SIGALRM fails the test after 60 s). */
    struct ng_node *f;
    assert_int_equal(ng_node_create(g, "echo", &f), 0);
    assert_int_equal(ng_connect(c, "f", f, "x"), 0);
    struct ng_mesg *m = ng_mesg_alloc(0x12345678u, 42, 4);
    alarm(60);
    assert_int_equal(ng_send_msg(g, f, "e:", m, NULL), 0);
    alarm(0);
    m = ng_mesg_alloc(0x12345678u, 42, 4); /* an unsolicited response: freed */
    m->header.flags |= NGF_RESP;
    struct ng_mesg *r = NULL;
    assert_int_equal(ng_send_msg(g, NULL, "e:", m, &r), 0);
    assert_null(r);
    ng_node_unref(f);
    char *text = NULL;
    assert_int_equal(ng_send_ascii(g, "e:", "getstats", &text), -ENOSYS);
    assert_null(text);
    struct ng_graph_stats before, after;
    ng_graph_stats(g, &before);
    assert_int_equal(ng_inject_data(e, "nosuch", ngtest_item(g, 20, 0)), -ENOENT);
    ng_graph_stats(g, &after);
    assert_int_equal(after.drops[NG_DROP_NOTCONN], before.drops[NG_DROP_NOTCONN] + 1);
    assert_int_equal(ngtest_counter_get(c), 0);
    char path[NG_NODESIZ];
    snprintf(path, sizeof(path), "[%x]:", (unsigned)ng_node_id(e));
    assert_int_equal(ng_node_shutdown(e), 0);
    m = ng_mesg_alloc(0x12345678u, 42, 0);
    assert_int_equal(ng_send_msg(g, NULL, path, m, NULL), -ENOENT);
    assert_int_equal(ng_connect(c, "z", e, "z"), -ESHUTDOWN);
    ng_graph_stats(g, &before);
    assert_int_equal(ng_inject_data(e, "x", ngtest_item(g, 20, 0)), -ENOENT);
    ng_graph_stats(g, &after);
    assert_int_equal(after.drops[NG_DROP_NOTCONN], before.drops[NG_DROP_NOTCONN] + 1);
    assert_int_equal(ngtest_counter_get(c), 0);
    ng_node_unref(e);
    ng_node_unref(c);
}

/* A connect the other node refuses (split has no hook "bogus") when the hook
 * would have been the node's only one: the refused hook never counted, the
 * node stays (docs/nodes/echo.md ERRORS). */
static void test_refused_connect(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *lone, *peer;
    assert_int_equal(ng_node_create(g, "echo", &lone), 0);
    assert_int_equal(ng_node_create(g, "split", &peer), 0);
    assert_int_equal(ng_connect(lone, "x", peer, "bogus"), -EINVAL);
    assert_true(ng_node_is_valid(lone));
    assert_int_equal(ng_node_shutdown(lone), 0);
    assert_true(ng_node_is_valid(peer));
    assert_int_equal(ng_node_shutdown(peer), 0);
    ng_node_unref(lone);
    ng_node_unref(peer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_reflects),
        ngtest_unit_test(test_persistent),
        ngtest_unit_test(test_bad_input),
        ngtest_unit_test(test_refused_connect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
