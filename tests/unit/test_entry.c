/*
 * test_entry.c - the netgraph-mode entry schemes (ng_graph_config.entry,
 * docs/design.md "Node entry"): which scheme a graph gets, which nodes are
 * biased (TEXT_STATUS "Entry:"), and the biased scheme's writer paths that
 * a single thread can drive deterministically: a writer function sent to
 * a node from inside that node's own biased rcvdata is queued (the writer
 * finds the announcement), runs once the reader has left (its notify
 * kicks the drain), and the bias is re-armed after it; a forced-writer
 * hook takes its node off the biased scheme for good.  The concurrent
 * cases are in tests/stress/test_entry_concurrency.c, the protocol's
 * model in tests/model/.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/runtime.h> /* ng_node_stats */

static struct ng_graph *graph_with(enum ng_entry_scheme e)
{
    struct ng_graph_config cfg;
    ngtest_graph_config(&cfg);
    cfg.entry = e;
    struct ng_graph *g = ngtest_graph_create(&cfg);
    ngtest_register_rw(g);
    return g;
}

/* "biased" or "counted", from the node's TEXT_STATUS. */
static const char *entry_of(struct ng_graph *g, const char *path)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(g, path, NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &r), 0);
    assert_non_null(r);
    const char *e = strstr(r->data, "Entry: ");
    assert_non_null(e);
    const char *v = strncmp(e + 7, "biased", 6) == 0    ? "biased"
                    : strncmp(e + 7, "counted", 7) == 0 ? "counted"
                                                        : "?";
    ng_mesg_free(r);
    return v;
}

static void test_entry_scheme_choice(void **state)
{
    (void)state;
    bool bias = ngtest_biased_available();
    struct ng_graph_config cfg;
    struct ng_graph *g = NULL;
    /* Default: biased on the lock-less backends where membarrier works,
     * counted on the rwlock baseline. */
    ngtest_graph_config(&cfg);
    cfg.entry = NG_ENTRY_AUTO;
    assert_int_equal(ng_graph_create(&cfg, &g), 0);
    enum ng_entry_scheme want =
        (bias && ngtest_backend() != NG_BACKEND_RWLOCK) ? NG_ENTRY_BIASED : NG_ENTRY_CAS;
    assert_int_equal(ng_graph_entry_scheme(g), want);
    ng_graph_destroy(g);
    /* Asked for explicitly. */
    cfg.entry = NG_ENTRY_CAS;
    assert_int_equal(ng_graph_create(&cfg, &g), 0);
    assert_int_equal(ng_graph_entry_scheme(g), NG_ENTRY_CAS);
    ng_graph_destroy(g);
    cfg.entry = NG_ENTRY_BIASED;
    if (bias) {
        assert_int_equal(ng_graph_create(&cfg, &g), 0);
        assert_int_equal(ng_graph_entry_scheme(g), NG_ENTRY_BIASED);
        ng_graph_destroy(g);
    } else {
        assert_int_equal(ng_graph_create(&cfg, &g), -EOPNOTSUPP);
        assert_null(g);
    }
    /* Not a scheme. */
    cfg.entry = (enum ng_entry_scheme)3;
    assert_int_equal(ng_graph_create(&cfg, &g), -EINVAL);
    assert_null(g);
}

static void test_entry_which_nodes(void **state)
{
    (void)state;
    if (!ngtest_biased_available())
        skip();
    struct ng_graph *g = graph_with(NG_ENTRY_BIASED);
    struct ng_node *src, *cnt, *shared;
    struct ng_hook *h = ngtest_chain_of(g, "pass", "counter_rw", 0, &src, &cnt);
    assert_int_equal(ng_node_name(cnt, "cnt"), 0);
    assert_int_equal(ng_node_create(g, "counter", &shared), 0);
    assert_int_equal(ng_node_name(shared, "shared"), 0);
    /* A netgraph-mode node is biased, a shared-mode one never is. */
    assert_string_equal(entry_of(g, "cnt:"), "biased");
    assert_string_equal(entry_of(g, "shared:"), "counted");
    /* TEXT_STATUS is a writer: it revoked the bias while it ran (it
     * reports the node's scheme), and the bias is re-armed after it. */
    assert_string_equal(entry_of(g, "cnt:"), "biased");
    /* Data flows through the biased node. */
    for (int i = 0; i < 10; i++)
        assert_int_equal(ng_send_data(h, ngtest_item(g, 32, (uint8_t)i)), 0);
    assert_int_equal(ngtest_counter_get(cnt), 10);
    /* A forced-writer hook takes the node off the scheme for good. */
    struct ng_hook *in;
    assert_int_equal(ng_hook_find(cnt, "in", &in), 0);
    ng_hook_force_writer(in, 1);
    for (int i = 0; i < 10; i++)
        assert_int_equal(ng_send_data(h, ngtest_item(g, 32, (uint8_t)i)), 0);
    assert_int_equal(ngtest_counter_get(cnt), 20);
    assert_string_equal(entry_of(g, "cnt:"), "counted");
    ng_hook_force_writer(in, 0);
    assert_string_equal(entry_of(g, "cnt:"), "counted"); /* sticky */
    ng_hook_unref(in);
    assert_int_equal(ng_node_shutdown(shared), 0);
    ng_node_unref(shared);
    assert_int_equal(ng_node_shutdown(cnt), 0);
    ngtest_link_release(h, src, cnt);
    ng_graph_destroy(g);

    /* The counted scheme biases nothing. */
    g = graph_with(NG_ENTRY_CAS);
    h = ngtest_chain_of(g, "pass", "counter_rw", 0, &src, &cnt);
    assert_int_equal(ng_node_name(cnt, "cnt"), 0);
    assert_string_equal(entry_of(g, "cnt:"), "counted");
    assert_int_equal(ng_node_shutdown(cnt), 0);
    ngtest_link_release(h, src, cnt);
    ng_graph_destroy(g);
}

/* A netgraph-mode type whose rcvdata sends a writer function to its own
 * node: the writer finds the reader's announcement and is queued; it runs
 * when the reader leaves. */
struct selfw {
    int fn_runs;
    int fn_runs_seen_inside;
    int items;
};

static void selfw_fn(struct ng_node *n, struct ng_hook *h, void *arg1, int arg2)
{
    (void)h, (void)arg1, (void)arg2;
    struct selfw *s = ng_node_private(n);
    s->fn_runs++;
}

static int selfw_constructor(struct ng_node *n)
{
    struct selfw *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    ng_node_set_private(n, s);
    return 0;
}

static void selfw_shutdown(struct ng_node *n) { free(ng_node_private(n)); }

static int selfw_newhook(struct ng_node *n, struct ng_hook *h, const char *name)
{
    (void)n, (void)h, (void)name;
    return 0;
}

static int selfw_rcvdata(struct ng_hook *h, struct ng_item *it)
{
    struct ng_node *n = ng_hook_node(h);
    struct selfw *s = ng_node_private(n);
    s->items++;
    int rc = ng_send_fn(n, NULL, selfw_fn, NULL, 0, NG_FN_WRITER);
    s->fn_runs_seen_inside += s->fn_runs; /* 0: it did not run inside */
    ng_item_free(it);
    return rc;
}

static const struct ng_type selfw_type = {
    .version = NG_ABI_VERSION,
    .name = "selfw",
    .cookie = 0x7e5700e2,
    .constructor = selfw_constructor,
    .shutdown = selfw_shutdown,
    .newhook = selfw_newhook,
    .rcvdata = selfw_rcvdata,
};

static void run_selfw(enum ng_entry_scheme e)
{
    struct ng_graph *g = graph_with(e);
    assert_int_equal(ng_type_register(g, &selfw_type), 0);
    struct ng_node *src, *w;
    struct ng_hook *h = ngtest_link(g, "selfw", &src, &w);
    assert_int_equal(ng_node_name(w, "w"), 0);
    const char *before = entry_of(g, "w:");
    struct selfw *s = ng_node_private(w);
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(ng_send_data(h, ngtest_item(g, 32, 0)), 0);
        assert_int_equal(s->items, i);
        assert_int_equal(s->fn_runs, i);          /* ran once the reader left */
        assert_int_equal(s->fn_runs_seen_inside, (i - 1) * i / 2); /* never inside */
        assert_string_equal(entry_of(g, "w:"), before);
    }
    struct ng_node_stats ns;
    assert_int_equal(ng_node_stats(w, &ns), 0);
    assert_int_equal(ns.queued, 3); /* each function waited in the queue */
    assert_int_equal(ng_node_shutdown(w), 0);
    ngtest_link_release(h, src, w);
    ng_graph_destroy(g);
}

static void test_entry_writer_from_reader_biased(void **state)
{
    (void)state;
    if (!ngtest_biased_available())
        skip();
    run_selfw(NG_ENTRY_BIASED);
}

static void test_entry_writer_from_reader_cas(void **state)
{
    (void)state;
    run_selfw(NG_ENTRY_CAS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entry_scheme_choice),
        cmocka_unit_test(test_entry_which_nodes),
        cmocka_unit_test(test_entry_writer_from_reader_biased),
        cmocka_unit_test(test_entry_writer_from_reader_cas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
