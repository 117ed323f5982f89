/*
 * test_revive.c - every standard type survives netgraph's revive: a node
 * made persistent (ng_node_set_persistent) that is shut down runs its
 * type's shutdown method, loses its hooks and stays valid, and must then
 * work as before: hooks connect again, frames pass, messages are answered,
 * and a final (non-persistent) shutdown frees everything (ASan, valgrind).
 * Every type of tests/support/stdtypes.h; those that would touch the
 * machine's network (ether, eiface, ksocket) are covered by tests/netns/.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ngtest.h"
#include "stdtypes.h"
#include <ngraph/message.h>
#include <ngraph/nodes.h>

static void use(struct ng_graph *g, struct ng_node *n, const char *hook)
{
    struct ng_node *peer;
    assert_int_equal(ng_mkpeer(n, hook, "hole", "x", &peer), 0);
    uint8_t frame[64];
    memset(frame, 0, sizeof(frame));
    memset(frame, 0xff, 6); /* broadcast */
    frame[12] = 0x08;       /* IPv4 */
    frame[14] = 0x45;
    struct ng_item *it = ngtest_item(g, sizeof(frame), 0);
    memcpy(ng_item_data(it), frame, sizeof(frame));
    (void)ng_inject_data(n, hook, it); /* passed, dropped or kept: all counted */
    char path[32];
    snprintf(path, sizeof(path), "[%x]:", ng_node_id(n));
    struct ng_mesg *resp = NULL;
    int rc = ngtest_msg(g, path, NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &resp);
    assert_true(rc == 0 || rc == -EINVAL || rc == -ENOSYS);
    ng_mesg_free(resp);
    ng_node_unref(peer);
}

static void test_every_type_revives(void **state)
{
    struct ng_graph *g = *state;
    for (size_t i = 0; i < NGT_NSTDTYPES; i++) {
        const struct ngt_stdtype *ty = &ngt_stdtypes[i];
        struct ng_node *n;
        assert_int_equal(ng_node_create(g, ty->name, &n), 0);
        ng_node_set_persistent(n, 1);
        use(g, n, ty->hooks[0]);
        for (int round = 0; round < 3; round++) {
            assert_int_equal(ng_node_shutdown(n), 0);
            assert_true(ng_node_is_valid(n));
            assert_int_equal(ng_node_numhooks(n), 0);
            assert_int_equal(ng_graph_barrier(g), 0);
            use(g, n, ty->hooks[0]); /* the revived node works */
        }
        ng_node_set_persistent(n, 0);
        assert_int_equal(ng_node_shutdown(n), 0);
        assert_false(ng_node_is_valid(n));
        ng_node_unref(n);
    }
    assert_int_equal(ng_graph_barrier(g), 0);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(st.items_live, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_every_type_revives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
