/*
 * test_applied.c - ng_send_msg_applied (FreeBSD's ng_socket send: wait until
 * the target's method has run, its error is the sender's, responses go to
 * the sending node) and ng_item_msg_sender.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "ngtest.h"
#include <ngraph/message.h>
#include <ngraph/runtime.h>

#define REC_COOKIE 0x52454331u
enum { CMD_ANSWER = 1, CMD_FAIL = 2, CMD_KEEP = 3 };

/* One recorder node type plays both roles: as a target it answers, fails
 * or keeps the message; as a sender it records the responses it receives.
 * Counters are atomics: the runtime's workers run the methods too. */
static _Atomic unsigned resp_count;
static _Atomic uint32_t last_resp_token;
static _Atomic ng_id_t last_sender, last_resp_sender;
static struct ng_item *_Atomic kept;

static int rec_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)node;
    (void)lasthook;
    struct ng_mesg *m = ng_item_msg(item);
    if (m->header.flags & NGF_RESP) {
        atomic_store(&last_resp_token, m->header.token);
        atomic_store(&last_resp_sender, ng_item_msg_sender(item));
        atomic_fetch_add(&resp_count, 1);
        ng_item_free(item);
        return 0;
    }
    atomic_store(&last_sender, ng_item_msg_sender(item));
    if (m->header.typecookie != REC_COOKIE) {
        ng_item_free(item);
        return -EINVAL;
    }
    switch (m->header.cmd) {
    case CMD_ANSWER:
        return ng_respond(item, 0, ng_mesg_response(m, 4));
    case CMD_FAIL:
        ng_item_free(item);
        return -EPERM;
    case CMD_KEEP:
        atomic_store(&kept, item); /* answered later by the test */
        return 0;
    }
    ng_item_free(item);
    return -EINVAL;
}

static const struct ng_type rec_type = {
    .version = NG_ABI_VERSION,
    .name = "recorder",
    .cookie = REC_COOKIE,
    .rcvmsg = rec_rcvmsg,
};

static void reset(void)
{
    atomic_store(&resp_count, 0);
    atomic_store(&last_resp_token, 0);
    atomic_store(&last_sender, 0);
    atomic_store(&last_resp_sender, 0);
    atomic_store(&kept, NULL);
}

static struct ng_mesg *cmd(uint32_t c) { return ng_mesg_alloc(REC_COOKIE, c, 0); }

/* The sender and a target named "t". */
static void make_pair(struct ng_graph *g, struct ng_node **from, struct ng_node **to)
{
    reset();
    assert_int_equal(ng_type_register(g, &rec_type), 0);
    assert_int_equal(ng_node_create(g, "recorder", from), 0);
    assert_int_equal(ng_node_create(g, "recorder", to), 0);
    assert_int_equal(ng_node_name(*to, "t"), 0);
}

static void drop_pair(struct ng_node *from, struct ng_node *to)
{
    assert_int_equal(ng_node_shutdown(from), 0);
    assert_int_equal(ng_node_shutdown(to), 0);
    ng_node_unref(from);
    ng_node_unref(to);
}

/* The response of a target that answers at once reaches the sender's
 * rcvmsg before the call returns; the target sees the sender's id. */
static void test_answer_before_return(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *from, *to;
    make_pair(g, &from, &to);
    struct ng_mesg *m = cmd(CMD_ANSWER);
    m->header.token = 77;
    assert_int_equal(ng_send_msg_applied(g, from, "t:", m), 0);
    assert_int_equal(atomic_load(&resp_count), 1);
    assert_int_equal(atomic_load(&last_resp_token), 77);
    assert_int_equal(atomic_load(&last_sender), ng_node_id(from));
    /* The response comes from the node that answered. */
    assert_int_equal(atomic_load(&last_resp_sender), ng_node_id(to));
    /* "." is the sender itself: a generic NODEINFO answered to it. */
    assert_int_equal(
        ng_send_msg_applied(g, from, ".", ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_NODEINFO, 0)), 0);
    assert_int_equal(atomic_load(&resp_count), 2);
    /* From an application thread (no node): no return address. */
    assert_int_equal(ng_send_msg_applied(g, NULL, "t:", cmd(CMD_ANSWER)), 0);
    assert_int_equal(atomic_load(&last_sender), 0);
    assert_int_equal(atomic_load(&resp_count), 2);
    drop_pair(from, to);
}

/* The method's error is the call's, also when the target was busy and the
 * message ran later on a worker. */
static void test_error_is_synchronous(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *from, *to;
    make_pair(g, &from, &to);
    assert_int_equal(ng_send_msg_applied(g, from, "t:", cmd(CMD_FAIL)), -EPERM);
    assert_int_equal(ng_send_msg_applied(g, from, "nobody:", cmd(CMD_FAIL)), -ENOENT);
    struct ng_runtime *rt = ngtest_runtime(g, 1);
    ng_node_force_queue(to, 1);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(ng_send_msg_applied(g, from, "t:", cmd(CMD_FAIL)), -EPERM);
        assert_int_equal(ng_send_msg_applied(g, from, "t:", cmd(CMD_ANSWER)), 0);
    }
    ng_node_force_queue(to, 0);
    ng_runtime_stop(rt);
    /* Every response of a queued answer reached the sender (possibly
     * after its call returned: the sender may have been busy itself). */
    assert_int_equal(ng_graph_barrier(g), 0);
    assert_int_equal(atomic_load(&resp_count), 100);
    drop_pair(from, to);
}

/* A target that keeps the item: the call returns when rcvmsg returned,
 * and the late response still finds the sender. */
static void test_kept_item_answered_later(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *from, *to;
    make_pair(g, &from, &to);
    assert_int_equal(ng_send_msg_applied(g, from, "t:", cmd(CMD_KEEP)), 0);
    struct ng_item *it = atomic_exchange(&kept, NULL);
    assert_non_null(it);
    assert_int_equal(atomic_load(&resp_count), 0);
    assert_int_equal(ng_item_msg_sender(it), ng_node_id(from));
    assert_int_equal(ng_respond(it, 0, ng_mesg_response(ng_item_msg(it), 0)), 0);
    assert_int_equal(atomic_load(&resp_count), 1);
    /* A kept item whose sender has gone: answering it reports that. */
    assert_int_equal(ng_send_msg_applied(g, from, "t:", cmd(CMD_KEEP)), 0);
    it = atomic_exchange(&kept, NULL);
    assert_non_null(it);
    assert_int_equal(ng_node_shutdown(from), 0);
    assert_int_equal(ng_graph_barrier(g), 0);
    assert_int_equal(ng_respond(it, 0, ng_mesg_response(ng_item_msg(it), 0)), -ENOENT);
    assert_int_equal(ng_node_shutdown(to), 0);
    ng_node_unref(from);
    ng_node_unref(to);
}

static void fn_in_section(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)hook;
    (void)arg2;
    *(int *)arg1 = ng_send_msg_applied(ng_node_graph(node), node, ".", cmd(CMD_ANSWER));
}

static void test_bad_calls(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *from, *to;
    make_pair(g, &from, &to);
    assert_int_equal(ng_send_msg_applied(NULL, from, "t:", cmd(CMD_ANSWER)), -EINVAL);
    assert_int_equal(ng_send_msg_applied(g, from, NULL, cmd(CMD_ANSWER)), -EINVAL);
    assert_int_equal(ng_send_msg_applied(g, from, "t:", NULL), -EINVAL);
    assert_int_equal(ng_send_msg_applied(g, NULL, ".", cmd(CMD_ANSWER)), -EINVAL);
    assert_int_equal(ng_send_msg_applied(g, from, "t:bad..path", cmd(CMD_ANSWER)), -EINVAL);
    struct ng_mesg *m = cmd(CMD_ANSWER);
    m->header.version = 7;
    assert_int_equal(ng_send_msg_applied(g, from, "t:", m), -EINVAL);
    /* A node of another graph is refused. */
    struct ng_graph *g2 = ngtest_graph();
    assert_int_equal(ng_type_register(g2, &rec_type), 0);
    struct ng_node *other;
    assert_int_equal(ng_node_create(g2, "recorder", &other), 0);
    assert_int_equal(ng_send_msg_applied(g, other, "t:", cmd(CMD_ANSWER)), -EINVAL);
    assert_int_equal(ng_node_shutdown(other), 0);
    ng_node_unref(other);
    ng_graph_destroy(g2);
    /* Inside a read-side section (a node's function) it cannot wait. */
    int rc = 1;
    assert_int_equal(ng_send_fn(from, NULL, fn_in_section, &rc, 0, NG_FN_WRITER), 0);
    assert_int_equal(rc, -EDEADLK);
    assert_int_equal(ng_batch_begin(g), 0);
    assert_int_equal(ng_send_msg_applied(g, from, "t:", cmd(CMD_ANSWER)), -EDEADLK);
    assert_int_equal(ng_batch_end(g), 0);
    /* Data items have no sender. */
    struct ng_item *d = ngtest_item(g, 8, 0);
    assert_int_equal(ng_item_msg_sender(d), 0);
    ng_item_free(d);
    drop_pair(from, to);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_answer_before_return),
        ngtest_unit_test(test_error_is_synchronous),
        ngtest_unit_test(test_kept_item_answered_later),
        ngtest_unit_test(test_bad_calls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
