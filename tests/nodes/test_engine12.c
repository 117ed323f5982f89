/*
 * test_engine12.c - the engine features of issue #12: the close method
 * (runs first, with the hooks still there), persistent nodes' shutdown
 * (the type's shutdown method runs and the node revives; final at graph
 * destruction), timers with a hook argument with and without a runtime,
 * and message forwarding that keeps the return address (ng_forward_msg,
 * ng_forward_msg_id), with their bad input; data queued on a hook when
 * ng_bypass makes it a relay.
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
#include <ngraph/nodes.h>
#include <ngraph/runtime.h>

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}
#define WAIT_FOR(cond)                                                                             \
    do {                                                                                           \
        for (int _i = 0; _i < 10000 && !(cond); _i++)                                              \
            sleep_ms(1);                                                                           \
        assert_true(cond);                                                                         \
    } while (0)

/* ------------------------------------------------------------------------ */
/* close and persistent shutdown                                            */
/* ------------------------------------------------------------------------ */

static struct {
    _Atomic int close_calls, shutdown_calls, shutdown_valid;
    int hooks_at_close, valid_at_close;
    int order; /* 1: close seen before shutdown */
} life;

static int life_close(struct ng_node *node)
{
    life.hooks_at_close = ng_node_numhooks(node);
    life.valid_at_close = ng_node_is_valid(node);
    atomic_fetch_add(&life.close_calls, 1);
    /* A further shutdown from here is refused. */
    return ng_node_shutdown(node) == -ESHUTDOWN ? 0 : -EPROTO;
}

static void life_shutdown(struct ng_node *node)
{
    if (atomic_load(&life.close_calls) > atomic_load(&life.shutdown_calls))
        life.order = 1;
    if (ng_node_is_valid(node))
        atomic_fetch_add(&life.shutdown_valid, 1);
    atomic_fetch_add(&life.shutdown_calls, 1);
}

static const struct ng_type life_type = {
    .version = NG_ABI_VERSION,
    .name = "life",
    .cookie = 0x7e5712a1u,
    .shutdown = life_shutdown,
    .close = life_close,
};

static void test_close_then_shutdown(void **state)
{
    struct ng_graph *g = *state;
    memset(&life, 0, sizeof(life));
    assert_int_equal(ng_type_register(g, &life_type), 0);
    struct ng_node *n, *h;
    assert_int_equal(ng_node_create(g, "life", &n), 0);
    assert_int_equal(ng_node_create(g, "counter", &h), 0);
    assert_int_equal(ng_connect(n, "a", h, "a"), 0);
    assert_int_equal(ng_connect(n, "b", h, "b"), 0);
    assert_int_equal(ng_node_shutdown(n), 0);
    assert_int_equal(atomic_load(&life.close_calls), 1);
    assert_int_equal(life.hooks_at_close, 2); /* before the hooks went */
    assert_int_equal(life.valid_at_close, 0);
    assert_int_equal(ng_node_numhooks(h), 0);
    assert_int_equal(ng_graph_barrier(g), 0);
    assert_int_equal(atomic_load(&life.shutdown_calls), 1);
    assert_int_equal(atomic_load(&life.shutdown_valid), 0);
    assert_int_equal(life.order, 1);
    ng_node_unref(n);
    ng_node_unref(h);
}

/* netgraph(4): a persistent node's shutdown method runs and it revives. */
static void test_persistent_revives(void **state)
{
    (void)state;
    struct ng_graph *g = ngtest_graph();
    memset(&life, 0, sizeof(life));
    assert_int_equal(ng_type_register(g, &life_type), 0);
    struct ng_node *n, *h;
    assert_int_equal(ng_node_create(g, "life", &n), 0);
    assert_int_equal(ng_node_name(n, "keeper"), 0);
    ng_node_set_persistent(n, 1);
    assert_int_equal(ng_node_create(g, "counter", &h), 0);
    assert_int_equal(ng_connect(n, "a", h, "a"), 0);
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(ngtest_msg(g, "keeper:", NGM_GENERIC_COOKIE, NGM_SHUTDOWN, NULL), 0);
        assert_int_equal(atomic_load(&life.close_calls), i);
        assert_int_equal(atomic_load(&life.shutdown_calls), i); /* at once */
        assert_int_equal(atomic_load(&life.shutdown_valid), i);
        assert_true(ng_node_is_valid(n));
        assert_int_equal(ng_node_numhooks(n), 0);
        struct ng_node *f;
        assert_int_equal(ng_node_find(g, "keeper:", &f), 0);
        assert_ptr_equal(f, n);
        ng_node_unref(f);
        assert_int_equal(ng_connect(n, "a", h, "a"), 0); /* usable again */
    }
    /* ng_node_shutdown revives it the same way. */
    assert_int_equal(ng_node_shutdown(n), 0);
    assert_int_equal(atomic_load(&life.shutdown_calls), 4);
    ng_node_unref(n);
    ng_node_unref(h);
    /* The graph's destruction is final: shutdown with the node invalid. */
    ng_graph_destroy(g);
    assert_int_equal(atomic_load(&life.shutdown_calls), 5);
    assert_int_equal(atomic_load(&life.shutdown_valid), 4);
    assert_int_equal(atomic_load(&life.close_calls), 5);
}

/* ------------------------------------------------------------------------ */
/* Timers                                                                   */
/* ------------------------------------------------------------------------ */

static struct {
    _Atomic int fired, on_worker;
    struct ng_hook *hook;
    struct ng_node *node;
    _Atomic(struct ng_runtime *) rt; /* set by the test while a timer is armed */
    int arg2;
} tmr;

static void tmr_fn(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)arg1;
    tmr.hook = hook;
    tmr.node = node;
    tmr.arg2 = arg2;
    struct ng_runtime *rt = atomic_load(&tmr.rt);
    if (rt && ng_runtime_current_worker(rt) >= 0)
        atomic_fetch_add(&tmr.on_worker, 1);
    atomic_fetch_add(&tmr.fired, 1);
}

static void test_timer_no_runtime(void **state)
{
    struct ng_graph *g = *state;
    memset(&tmr, 0, sizeof(tmr));
    struct ng_node *a, *c;
    assert_int_equal(ng_node_create(g, "counter", &a), 0);
    assert_int_equal(ng_node_create(g, "counter", &c), 0);
    assert_int_equal(ng_connect(a, "x", c, "y"), 0);
    struct ng_hook *x, *y;
    assert_int_equal(ng_hook_find(a, "x", &x), 0);
    assert_int_equal(ng_hook_find(c, "y", &y), 0);
    struct ng_timer tm, tm2;
    ng_timer_init(&tm);
    ng_timer_init(&tm2);
    /* Bad input. */
    assert_int_equal(ng_timer_arm(NULL, a, NULL, 0, tmr_fn, NULL, 0), -EINVAL);
    assert_int_equal(ng_timer_arm(&tm, NULL, NULL, 0, tmr_fn, NULL, 0), -EINVAL);
    assert_int_equal(ng_timer_arm(&tm, a, NULL, 0, NULL, NULL, 0), -EINVAL);
    assert_int_equal(ng_timer_arm(&tm, a, y, 0, tmr_fn, NULL, 0), -EINVAL); /* c's hook */
    /* Fires without a runtime, with its hook. */
    assert_int_equal(ng_timer_arm(&tm, a, x, 200000000, tmr_fn, NULL, 42), 0);
    assert_true(ng_timer_pending(&tm));
    WAIT_FOR(atomic_load(&tmr.fired) == 1);
    assert_ptr_equal(tmr.hook, x);
    assert_ptr_equal(tmr.node, a);
    assert_int_equal(tmr.arg2, 42);
    assert_false(ng_timer_pending(&tm));
    /* Cancel. */
    assert_int_equal(ng_timer_arm(&tm, a, NULL, 5000000000ull, tmr_fn, NULL, 1), 0);
    assert_int_equal(ng_timer_cancel(&tm), 1);
    assert_int_equal(ng_timer_cancel(&tm), 0);
    /* The hook removed before it fires: fn is not run. */
    assert_int_equal(ng_timer_arm(&tm2, a, x, 2000000000, tmr_fn, NULL, 2), 0); /* 2 s */
    assert_int_equal(ng_rmhook(a, "x"), 0);
    assert_int_equal(ng_timer_arm(&tm, a, x, 0, tmr_fn, NULL, 0), -ENOTCONN);
    WAIT_FOR(!ng_timer_pending(&tm2));
    sleep_ms(20);
    assert_int_equal(atomic_load(&tmr.fired), 1);
    /* Shutdown cancels. */
    assert_int_equal(ng_timer_arm(&tm, a, NULL, 5000000000ull, tmr_fn, NULL, 3), 0);
    assert_true(ng_timer_pending(&tm));
    assert_int_equal(ng_node_shutdown(a), 0);
    assert_false(ng_timer_pending(&tm));
    assert_int_equal(ng_timer_arm(&tm, a, NULL, 0, tmr_fn, NULL, 0), -ESHUTDOWN);
    assert_int_equal(atomic_load(&tmr.fired), 1);
    ng_hook_unref(x);
    ng_hook_unref(y);
    ng_node_unref(a);
    ng_node_unref(c);
}

static void test_timer_runtime_hook(void **state)
{
    struct ng_graph *g = *state;
    memset(&tmr, 0, sizeof(tmr));
    struct ng_node *a, *c;
    assert_int_equal(ng_node_create(g, "counter", &a), 0);
    assert_int_equal(ng_node_create(g, "counter", &c), 0);
    assert_int_equal(ng_connect(a, "x", c, "y"), 0);
    struct ng_hook *x;
    assert_int_equal(ng_hook_find(a, "x", &x), 0);
    /* Armed before the runtime starts (far away), moved once it runs: it
     * fires on a worker. */
    struct ng_timer tm;
    ng_timer_init(&tm);
    assert_int_equal(ng_timer_arm(&tm, a, x, 60000000000ull, tmr_fn, NULL, 5), 0);
    atomic_store(&tmr.rt, ngtest_runtime(g, 2));
    assert_true(ng_timer_pending(&tm));
    assert_int_equal(ng_timer_arm(&tm, a, x, 1000000, tmr_fn, NULL, 5), 0);
    WAIT_FOR(atomic_load(&tmr.fired) == 1);
    assert_int_equal(atomic_load(&tmr.on_worker), 1);
    assert_ptr_equal(tmr.hook, x);
    /* Armed, then the runtime stops: cancelled, as before. */
    assert_int_equal(ng_timer_arm(&tm, a, x, 5000000000ull, tmr_fn, NULL, 5), 0);
    ng_runtime_stop(atomic_load(&tmr.rt));
    assert_false(ng_timer_pending(&tm));
    /* After it: runs on the timer thread again. */
    atomic_store(&tmr.rt, NULL);
    assert_int_equal(ng_timer_arm(&tm, a, x, 0, tmr_fn, NULL, 5), 0);
    WAIT_FOR(atomic_load(&tmr.fired) == 2);
    ng_hook_unref(x);
    ng_node_unref(a);
    ng_node_unref(c);
}

/* A timer still armed when the graph is destroyed: freed, no leak. */
static void test_timer_at_destroy(void **state)
{
    (void)state;
    struct ng_graph *g = ngtest_graph();
    struct ng_node *a, *c;
    assert_int_equal(ng_node_create(g, "counter", &a), 0);
    assert_int_equal(ng_node_create(g, "counter", &c), 0);
    assert_int_equal(ng_connect(a, "x", c, "y"), 0);
    struct ng_hook *x;
    assert_int_equal(ng_hook_find(a, "x", &x), 0);
    struct ng_timer tm;
    ng_timer_init(&tm);
    assert_int_equal(ng_timer_arm(&tm, a, x, 5000000000ull, tmr_fn, NULL, 0), 0);
    ng_hook_unref(x);
    ng_node_unref(a);
    ng_node_unref(c);
    ng_graph_destroy(g); /* ASan: no leak of the timer's references */
}

/* ------------------------------------------------------------------------ */
/* Forwarding                                                               */
/* ------------------------------------------------------------------------ */

#define FWD_COOKIE 0x7e5712f0u
enum { FWD_HOOK = 1, FWD_ID = 2, FWD_KEEP = 3, FWD_BAD = 4, FWD_ANSWER = 5 };

static struct {
    ng_id_t to;           /* FWD_ID target */
    struct ng_item *kept; /* FWD_KEEP */
    int bad[8];
    _Atomic int answered;
    ng_id_t answered_sender;
    _Atomic int resp_got;
    ng_id_t resp_from;
} fwd;

static int fwd_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct ng_mesg *m = ng_item_msg(item);
    if (m->header.flags & NGF_RESP) {
        fwd.resp_from = ng_item_msg_sender(item);
        atomic_fetch_add(&fwd.resp_got, 1);
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie != FWD_COOKIE) {
        ng_item_free(item);
        return -EINVAL;
    }
    /* The node named "end" answers whatever reaches it. */
    if (strcmp(ng_node_get_name(node), "end") == 0 || m->header.cmd == FWD_ANSWER) {
        fwd.answered_sender = ng_item_msg_sender(item);
        atomic_fetch_add(&fwd.answered, 1);
        struct ng_mesg *r = ng_mesg_response(m, sizeof(ng_id_t));
        if (!r) {
            ng_item_free(item);
            return -ENOMEM;
        }
        ng_id_t me = ng_node_id(node);
        memcpy(r->data, &me, sizeof(me));
        return ng_respond(item, 0, r);
    }
    switch (m->header.cmd) {
    case FWD_HOOK: {
        struct ng_hook *out = NULL;
        if (ng_hook_find(node, "out", &out) != 0) {
            ng_item_free(item);
            return -ENOTCONN;
        }
        int rc = ng_forward_msg(item, out);
        ng_hook_unref(out);
        return rc;
    }
    case FWD_ID:
        return ng_forward_msg_id(item, fwd.to);
    case FWD_KEEP:
        fwd.kept = item; /* forwarded later, outside this call */
        return 0;
    case FWD_BAD: {
        fwd.bad[0] = ng_forward_msg(NULL, NULL);
        fwd.bad[1] = ng_forward_msg_id(NULL, 1);
        /* A data item is not a message. */
        fwd.bad[2] = ng_forward_msg(ng_item_alloc(ng_node_graph(node), 4), lasthook);
        /* A NULL hook: the item is consumed all the same. */
        fwd.bad[3] = ng_forward_msg(ng_item_alloc(ng_node_graph(node), 4), NULL);
        fwd.bad[4] = ng_forward_msg_id(item, 0); /* consumes item */
        return 0;
    }
    default:
        ng_item_free(item);
        return -EINVAL;
    }
}

static const struct ng_type fwd_type = {
    .version = NG_ABI_VERSION,
    .name = "fwd",
    .cookie = FWD_COOKIE,
    .rcvmsg = fwd_rcvmsg,
};

static void test_forward(void **state)
{
    struct ng_graph *g = *state;
    memset(&fwd, 0, sizeof(fwd));
    assert_int_equal(ng_type_register(g, &fwd_type), 0);
    struct ng_node *a, *b, *end, *caller;
    assert_int_equal(ng_node_create(g, "fwd", &a), 0);
    assert_int_equal(ng_node_create(g, "fwd", &b), 0);
    assert_int_equal(ng_node_create(g, "fwd", &end), 0);
    assert_int_equal(ng_node_create(g, "fwd", &caller), 0);
    assert_int_equal(ng_node_name(a, "a"), 0);
    assert_int_equal(ng_node_name(b, "b"), 0);
    assert_int_equal(ng_node_name(end, "end"), 0);
    assert_int_equal(ng_connect(a, "out", b, "in"), 0);
    assert_int_equal(ng_connect(b, "out", end, "in"), 0);
    ng_id_t end_id = ng_node_id(end);

    /* Synchronous sender: a -> b -> end by hooks; end's answer comes back. */
    struct ng_mesg *r = NULL;
    assert_int_equal(ng_send_msg(g, NULL, "a:", ng_mesg_alloc(FWD_COOKIE, FWD_HOOK, 0), &r), 0);
    assert_non_null(r);
    assert_memory_equal(r->data, &end_id, sizeof(end_id));
    ng_mesg_free(r);
    assert_int_equal(fwd.answered_sender, 0); /* the application sent it */
    /* From a node: the response goes to the original sender node. */
    assert_int_equal(ng_send_msg(g, caller, "a:", ng_mesg_alloc(FWD_COOKIE, FWD_HOOK, 0), NULL), 0);
    WAIT_FOR(atomic_load(&fwd.resp_got) == 1);
    assert_int_equal(fwd.answered_sender, ng_node_id(caller));
    assert_int_equal(fwd.resp_from, end_id);
    /* By id. */
    fwd.to = end_id;
    assert_int_equal(ng_send_msg(g, NULL, "a:", ng_mesg_alloc(FWD_COOKIE, FWD_ID, 0), &r), 0);
    assert_memory_equal(r->data, &end_id, sizeof(end_id));
    ng_mesg_free(r);
    /* Kept and forwarded later, from outside its rcvmsg. */
    assert_int_equal(ng_send_msg(g, caller, "a:", ng_mesg_alloc(FWD_COOKIE, FWD_KEEP, 0), NULL), 0);
    assert_non_null(fwd.kept);
    assert_int_equal(ng_forward_msg_id(fwd.kept, end_id), 0);
    WAIT_FOR(atomic_load(&fwd.resp_got) == 2);
    assert_int_equal(fwd.resp_from, end_id);
    /* Errors: no such id; an unconnected hook; the bad-input set. */
    fwd.to = 0x7fffff;
    assert_int_equal(ng_send_msg(g, NULL, "a:", ng_mesg_alloc(FWD_COOKIE, FWD_ID, 0), &r), -ENOENT);
    assert_null(r);
    assert_int_equal(ng_send_msg(g, NULL, "end:", ng_mesg_alloc(FWD_COOKIE, FWD_HOOK, 0), &r),
                     0); /* end answers everything */
    ng_mesg_free(r);
    assert_int_equal(ng_send_msg(g, NULL, "caller:", NULL, NULL), -EINVAL);
    assert_int_equal(ng_node_name(caller, "caller"), 0);
    assert_int_equal(ng_send_msg(g, NULL, "caller:", ng_mesg_alloc(FWD_COOKIE, FWD_HOOK, 0), &r),
                     -ENOTCONN);
    assert_int_equal(ng_send_msg(g, NULL, "caller:", ng_mesg_alloc(FWD_COOKIE, FWD_BAD, 0), &r), 0);
    assert_int_equal(fwd.bad[0], -EINVAL);
    assert_int_equal(fwd.bad[1], -EINVAL);
    assert_int_equal(fwd.bad[2], -EINVAL);
    assert_int_equal(fwd.bad[3], -EINVAL);
    assert_int_equal(fwd.bad[4], -EINVAL);
    ng_mesg_free(r);
    ng_node_unref(a);
    ng_node_unref(b);
    ng_node_unref(end);
    ng_node_unref(caller);
}

/* ------------------------------------------------------------------------ */
/* Data queued on a hook that ng_bypass then turns into a relay             */
/* ------------------------------------------------------------------------ */

static _Atomic int blk_in, blk_go;
static void blocker(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)node, (void)hook, (void)arg1, (void)arg2;
    atomic_store(&blk_in, 1);
    for (int i = 0; i < 10000 && !atomic_load(&blk_go); i++)
        sleep_ms(1);
}
static _Atomic int blk_rc = 1;
static void *blocker_main(void *arg)
{
    /* (asserted by the test's thread: cmocka's checks belong to it) */
    atomic_store(&blk_rc, ng_send_fn(arg, NULL, blocker, NULL, 0, NG_FN_WRITER | NG_FN_WAIT));
    return NULL;
}

/* src -> P (pass_rw, netgraph mode) -> counter.  While a writer function
 * holds P, data sent to it queues; ng_bypass(P's in, P's out) then makes
 * both hooks relays (P's disconnect method runs for them).  When the
 * writer leaves, the drain relays the queued items to the counter, as
 * data arriving after the bypass is relayed, instead of handing them to a
 * P that no longer has the hooks (pass_rw would count them lost). */
static void test_bypass_queued(void **state)
{
    struct ng_graph *g = *state;
    ngtest_register_rw(g);
    struct ng_node *src, *p, *c;
    assert_int_equal(ng_node_create(g, "hole", &src), 0);
    assert_int_equal(ng_node_create(g, "pass_rw", &p), 0);
    assert_int_equal(ng_node_create(g, "counter", &c), 0);
    assert_int_equal(ng_connect(src, "out", p, "in"), 0);
    assert_int_equal(ng_connect(p, "out", c, "in"), 0);
    struct ng_hook *h, *pin, *pout;
    assert_int_equal(ng_hook_find(src, "out", &h), 0);
    assert_int_equal(ng_hook_find(p, "in", &pin), 0);
    assert_int_equal(ng_hook_find(p, "out", &pout), 0);
    uint64_t lost0 = atomic_load(&ngtest_totals.lost);
    atomic_store(&blk_in, 0);
    atomic_store(&blk_go, 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, blocker_main, p), 0);
    for (int i = 0; i < 10000 && !atomic_load(&blk_in); i++)
        sleep_ms(1);
    /* Results kept until the blocker is released and joined, so that a
     * failed check never leaves it holding the node. */
    enum { K = 5 };
    int sent = 0, bypass_rc;
    for (int i = 0; i < K; i++)
        sent += ng_send_data(h, ngtest_item(g, 8, (uint8_t)i)) == 0; /* queued */
    uint64_t before = ngtest_counter_get(c);
    bypass_rc = ng_bypass(pin, pout);
    atomic_store(&blk_go, 1);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(atomic_load(&blk_rc), 0);
    assert_int_equal(sent, K);
    assert_int_equal(before, 0); /* they were queued behind the writer */
    assert_int_equal(bypass_rc, 0);
    WAIT_FOR(ngtest_counter_get(c) == K);
    assert_int_equal(atomic_load(&ngtest_totals.lost), lost0);
    /* and what arrives now takes the relay directly */
    assert_int_equal(ng_send_data(h, ngtest_item(g, 8, 9)), 0);
    assert_int_equal(ngtest_counter_get(c), K + 1);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(ngtest_drops(&st), 0);
    ng_hook_unref(h);
    ng_hook_unref(pin);
    ng_hook_unref(pout);
    ng_node_shutdown(src);
    ng_node_shutdown(c);
    ng_node_shutdown(p);
    ng_node_unref(src);
    ng_node_unref(p);
    ng_node_unref(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_close_then_shutdown), cmocka_unit_test(test_persistent_revives),
        ngtest_unit_test(test_timer_no_runtime),    ngtest_unit_test(test_timer_runtime_hook),
        cmocka_unit_test(test_timer_at_destroy),    ngtest_unit_test(test_forward),
        ngtest_unit_test(test_bypass_queued),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
