/*
 * test_hub.c - the "hub" node type as ng_hub(4) describes it: a packet from
 * any hook goes out every other hook, any unique hook name, shutdown with
 * the last hook unless NGM_HUB_SET_PERSISTENT (NGM_SHUTDOWN still works),
 * many hooks, bad messages, the ASCII form, and data racing hook changes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/nodes/hub.h>
#include <ngraph/parse.h>

#include "ngtest.h"

#define NCNT 20

static struct ng_node *hub_make(struct ng_graph *g, struct ng_node **cnt, int n)
{
    assert_int_equal(ng_type_register(g, &ng_hub_type), -EEXIST); /* built in */
    struct ng_node *h;
    assert_int_equal(ng_node_create(g, "hub", &h), 0);
    assert_int_equal(ng_node_name(h, "h"), 0);
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof(name), "link%d", i);
        assert_int_equal(ng_node_create(g, "counter", &cnt[i]), 0);
        assert_int_equal(ng_connect(cnt[i], "in", h, name), 0);
    }
    return h;
}

static void release(struct ng_node *h, struct ng_node **cnt, int n)
{
    for (int i = 0; i < n; i++)
        ng_node_unref(cnt[i]);
    ng_node_unref(h);
}

static void test_copies_to_others(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *cnt[4];
    struct ng_node *h = hub_make(g, cnt, 4);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ng_inject_data(h, "link0", ngtest_item(g, 64, 3)), 0);
    assert_int_equal(ngtest_counter_get(cnt[0]), 0);
    for (int i = 1; i < 4; i++)
        assert_int_equal(ngtest_counter_get(cnt[i]), 3);
    assert_int_equal(ng_inject_data(h, "link2", ngtest_item(g, 64, 3)), 0);
    assert_int_equal(ngtest_counter_get(cnt[0]), 1);
    assert_int_equal(ngtest_counter_get(cnt[2]), 3);
    char *txt = NULL;
    assert_int_equal(ng_send_ascii(g, "h:", "textstatus", &txt), 0);
    assert_non_null(strstr(txt, "hooks=4 persistent=0"));
    assert_non_null(strstr(txt, "inFrames=4 inOctets=256 outFrames=12 outOctets=768"));
    free(txt);
    release(h, cnt, 4);
}

static void test_lone_hook_and_names(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *cnt[1];
    struct ng_node *h = hub_make(g, cnt, 1);
    struct ng_graph_stats st0, st1;
    ng_graph_stats(g, &st0);
    /* Nowhere to go: freed and counted, no error (as FreeBSD's). */
    assert_int_equal(ng_inject_data(h, "link0", ngtest_item(g, 10, 0)), 0);
    ng_graph_stats(g, &st1);
    assert_int_equal(st1.drops[NG_DROP_NOTCONN] - st0.drops[NG_DROP_NOTCONN], 1);
    assert_int_equal(ngtest_counter_get(cnt[0]), 0);
    char *txt = NULL;
    assert_int_equal(ng_send_ascii(g, "h:", "textstatus", &txt), 0);
    assert_non_null(strstr(txt, "noPeer=1"));
    free(txt);
    /* Any name, as long as it is unique. */
    struct ng_node *x;
    assert_int_equal(ng_node_create(g, "hole", &x), 0);
    assert_int_equal(ng_connect(x, "a", h, "link0"), -EEXIST);
    assert_int_equal(ng_connect(x, "b", h, "whatever-name_9"), 0);
    assert_int_equal(ng_inject_data(h, "link0", ngtest_item(g, 10, 0)), 0);
    assert_int_equal(ng_inject_data(h, "nosuch", ngtest_item(g, 10, 0)), -ENOENT);
    ng_node_unref(x);
    release(h, cnt, 1);
}

static void test_many_hooks(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *cnt[NCNT];
    struct ng_node *h = hub_make(g, cnt, NCNT);
    assert_int_equal(ng_inject_data(h, "link7", ngtest_item(g, 10, 0)), 0);
    for (int i = 0; i < NCNT; i++)
        assert_int_equal(ngtest_counter_get(cnt[i]), i == 7 ? 0 : 1);
    /* Remove every third link, reconnect two under new names (slot reuse). */
    for (int i = 0; i < NCNT; i += 3) {
        char name[16];
        snprintf(name, sizeof(name), "link%d", i);
        assert_int_equal(ng_rmhook(h, name), 0);
    }
    assert_int_equal(ng_connect(cnt[0], "in", h, "again0"), 0);
    assert_int_equal(ng_connect(cnt[3], "in", h, "again3"), 0);
    assert_int_equal(ng_inject_data(h, "link1", ngtest_item(g, 10, 0)), 0);
    for (int i = 0; i < NCNT; i++) {
        uint64_t want = (i == 7 ? 0 : 1) + (i == 1 || (i % 3 == 0 && i > 3) ? 0 : 1);
        assert_int_equal(ngtest_counter_get(cnt[i]), want);
    }
    release(h, cnt, NCNT);
}

static void test_shutdown_and_persistent(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *cnt[2];
    struct ng_node *h = hub_make(g, cnt, 2);
    assert_int_equal(ng_rmhook(h, "link0"), 0);
    assert_true(ng_node_is_valid(h));
    assert_int_equal(ng_rmhook(h, "link1"), 0);
    assert_false(ng_node_is_valid(h)); /* last hook gone */
    release(h, cnt, 2);

    struct ng_node *h2;
    assert_int_equal(ng_node_create(g, "hub", &h2), 0);
    assert_int_equal(ng_node_name(h2, "p"), 0);
    struct ng_node *c;
    assert_int_equal(ng_node_create(g, "counter", &c), 0);
    assert_int_equal(ng_connect(c, "in", h2, "a"), 0);
    assert_int_equal(ng_send_ascii(g, "p:", "setpersistent", NULL), 0);
    assert_int_equal(ng_rmhook(h2, "a"), 0);
    assert_true(ng_node_is_valid(h2)); /* persistent: survives its last hook */
    char *txt = NULL;
    assert_int_equal(ng_send_ascii(g, "p:", "textstatus", &txt), 0);
    assert_non_null(strstr(txt, "hooks=0 persistent=1"));
    free(txt);
    /* ... but not NGM_SHUTDOWN. */
    assert_int_equal(ngtest_msg(g, "p:", NGM_GENERIC_COOKIE, NGM_SHUTDOWN, NULL), 0);
    assert_false(ng_node_is_valid(h2));
    ng_node_unref(c);
    ng_node_unref(h2);
}

static void test_messages(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *cnt[1];
    struct ng_node *h = hub_make(g, cnt, 1);
    assert_int_equal(ngtest_msg(g, "h:", NGM_HUB_COOKIE, 2, NULL), -EINVAL);
    assert_int_equal(ngtest_msg(g, "h:", 77777, NGM_HUB_SET_PERSISTENT, NULL), -EINVAL);
    assert_int_equal(ng_send_ascii(g, "h:", "setpersistent 1", NULL), -EINVAL); /* no argument */
    assert_int_equal(ng_send_ascii(g, "h:", "nosuchcmd", NULL), -ENOSYS);
    /* ASCII round trip. */
    struct ng_mesg *m = ng_mesg_alloc(NGM_HUB_COOKIE, NGM_HUB_SET_PERSISTENT, 0), *a, *b;
    assert_int_equal(ng_mesg_to_ascii(&ng_hub_type, m, &a), 0);
    assert_string_equal(a->header.cmdstr, "setpersistent");
    assert_string_equal(a->data, "");
    assert_int_equal(ng_mesg_from_ascii(&ng_hub_type, a, &b, NULL), 0);
    assert_int_equal(b->header.typecookie, NGM_HUB_COOKIE);
    assert_int_equal(b->header.cmd, NGM_HUB_SET_PERSISTENT);
    assert_int_equal(b->header.arglen, 0);
    ng_mesg_free(m);
    ng_mesg_free(a);
    ng_mesg_free(b);
    release(h, cnt, 1);
}

struct racer {
    struct ng_node *h;
    struct ng_graph *g;
    _Atomic int stop;
};

static void *sender(void *arg)
{
    struct racer *x = arg;
    for (int i = 0; i < 20000 && !atomic_load(&x->stop); i++)
        (void)ng_inject_data(x->h, "link0", ngtest_item(x->g, 32, 1));
    ng_thread_unregister(x->g);
    return NULL;
}

static void test_data_races_hooks(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *cnt[3];
    struct ng_node *h = hub_make(g, cnt, 3);
    struct racer x = {h, g, 0};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, sender, &x), 0);
    struct ng_node *extra[8];
    for (int i = 0; i < 8; i++)
        assert_int_equal(ng_node_create(g, "counter", &extra[i]), 0);
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 8; i++) {
            char name[16];
            snprintf(name, sizeof(name), "x%d", i);
            assert_int_equal(ng_connect(extra[i], "in", h, name), 0);
        }
        for (int i = 0; i < 8; i++) {
            char name[16];
            snprintf(name, sizeof(name), "x%d", i);
            assert_int_equal(ng_rmhook(h, name), 0);
        }
    }
    atomic_store(&x.stop, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    /* Each injected item reached both fixed links. */
    assert_int_equal(ngtest_counter_get(cnt[1]), ngtest_counter_get(cnt[2]));
    for (int i = 0; i < 8; i++)
        ng_node_unref(extra[i]);
    release(h, cnt, 3);
}

/* docs/nodes/hub.md ERRORS: the rows the tests above do not reach.  A copy
 * that cannot be allocated (a graph whose item limit is reached) is counted
 * and the last hook still gets the original; data at a hook the node does
 * not have is counted; and the shut-down node. */
static void test_bad_input_rest(void **state)
{
    struct ng_graph *g = *state;
    struct ng_graph_config cfg;
    ngtest_graph_config(&cfg);
    cfg.item_limit = 1;
    struct ng_graph *g1 = ngtest_graph_create(&cfg);
    struct ng_node *cnt[3];
    struct ng_node *h = hub_make(g1, cnt, 3);
    struct ng_graph_stats before, after;
    ng_graph_stats(g1, &before);
    assert_int_equal(ng_inject_data(h, "link0", ngtest_item(g1, 10, 0)), 0);
    ng_graph_stats(g1, &after);
    assert_int_equal(after.drops[NG_DROP_NOBUFS], before.drops[NG_DROP_NOBUFS] + 1);
    assert_int_equal(ngtest_counter_get(cnt[1]), 0); /* its copy failed */
    assert_int_equal(ngtest_counter_get(cnt[2]), 1); /* the original */
    char *txt = NULL;
    assert_int_equal(ng_send_ascii(g1, "h:", "textstatus", &txt), 0);
    assert_non_null(strstr(txt, "outFrames=1 "));
    assert_non_null(strstr(txt, "memoryFailures=1"));
    free(txt);
    release(h, cnt, 3);
    ng_graph_destroy(g1);

    h = hub_make(g, cnt, 2);
    ng_graph_stats(g, &before);
    assert_int_equal(ng_inject_data(h, "nosuch", ngtest_item(g, 10, 0)), -ENOENT);
    ng_graph_stats(g, &after);
    assert_int_equal(after.drops[NG_DROP_NOTCONN], before.drops[NG_DROP_NOTCONN] + 1);
    /* The binary setpersistent ignores argument bytes (as FreeBSD's). */
    struct ng_mesg *m = ng_mesg_alloc(NGM_HUB_COOKIE, NGM_HUB_SET_PERSISTENT, 4);
    assert_int_equal(ng_send_msg(g, NULL, "h:", m, NULL), 0);
    char path[NG_NODESIZ];
    snprintf(path, sizeof(path), "[%x]:", (unsigned)ng_node_id(h));
    assert_int_equal(ng_node_shutdown(h), 0);
    assert_int_equal(ngtest_msg(g, path, NGM_HUB_COOKIE, NGM_HUB_SET_PERSISTENT, NULL), -ENOENT);
    assert_int_equal(ng_connect(cnt[0], "again", h, "link9"), -ESHUTDOWN);
    ng_graph_stats(g, &before);
    assert_int_equal(ng_inject_data(h, "link0", ngtest_item(g, 10, 0)), -ENOENT);
    ng_graph_stats(g, &after);
    assert_int_equal(after.drops[NG_DROP_NOTCONN], before.drops[NG_DROP_NOTCONN] + 1);
    assert_int_equal(ngtest_counter_get(cnt[1]), 0);
    release(h, cnt, 2);
}

/* A connect the other node refuses (split has no hook "bogus") when the hook
 * would have been the node's only one: its disconnect method sees the
 * refused hook go and the node shuts down, as FreeBSD's does
 * (docs/nodes/hub.md ERRORS). */
static void test_refused_connect(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *lone, *peer;
    assert_int_equal(ng_node_create(g, "hub", &lone), 0);
    assert_int_equal(ng_node_create(g, "split", &peer), 0);
    assert_int_equal(ng_connect(lone, "x", peer, "bogus"), -EINVAL);
    assert_false(ng_node_is_valid(lone));
    assert_true(ng_node_is_valid(peer));
    assert_int_equal(ng_node_shutdown(peer), 0);
    ng_node_unref(lone);
    ng_node_unref(peer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_copies_to_others), ngtest_unit_test(test_lone_hook_and_names),
        ngtest_unit_test(test_many_hooks),       ngtest_unit_test(test_shutdown_and_persistent),
        ngtest_unit_test(test_messages),         ngtest_unit_test(test_data_races_hooks),
        ngtest_unit_test(test_bad_input_rest),   ngtest_unit_test(test_refused_connect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
