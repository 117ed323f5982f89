/*
 * test_engine_defer.c - ng_defer(), the node types' "free after a grace
 * period": the callback never runs while a read-side section that began
 * before the call is still open, runs exactly once after it, runs for every
 * pending entry by ng_graph_destroy, and works from inside a node method
 * and a type's final shutdown method (which may free items there too, on
 * every backend); bad arguments are refused.  ng_batch_quiescent lets an
 * open batch's thread release what it read without leaving the batch.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>

#include "ngtest.h"
#include <ngraph/ngraph.h>

static _Atomic int freed;

struct obj {
    struct ng_defer_entry de;
    int payload;
};

static void obj_free(struct ng_defer_entry *e)
{
    struct obj *o = (struct obj *)e;
    assert_int_equal(o->payload, 42); /* still intact: not freed early */
    free(o);
    atomic_fetch_add(&freed, 1);
}

static struct obj *obj_new(void)
{
    struct obj *o = calloc(1, sizeof(*o));
    assert_non_null(o);
    o->payload = 42;
    return o;
}

static void test_defer_bad_args(void **state)
{
    struct ng_graph *g = *state;
    struct obj *o = obj_new();
    assert_int_equal(ng_defer(NULL, &o->de, obj_free), -EINVAL);
    assert_int_equal(ng_defer(g, NULL, obj_free), -EINVAL);
    assert_int_equal(ng_defer(g, &o->de, NULL), -EINVAL);
    free(o);
}

/* Wait (at most 5 s) for another thread to set *flag. */
static void wait_flag(_Atomic int *flag)
{
    for (int i = 0; i < 10000 && !atomic_load(flag); i++)
        nanosleep(&(struct timespec){0, 500000}, NULL);
    assert_true(atomic_load(flag));
}

/* Open and end sections of g on this thread (each polls the backend), one
 * a millisecond, n of them or until *until is set. */
static void poll_sections(struct ng_graph *g, int n, _Atomic int *until)
{
    for (int i = 0; i < n && !(until && atomic_load(until)); i++) {
        assert_int_equal(ng_batch_begin(g), 0);
        assert_int_equal(ng_batch_end(g), 0);
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
}

/* A reader thread holds a section open (ng_batch_begin) across the call. */
struct reader {
    struct ng_graph *g;
    _Atomic int inside, release;
};

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    assert_int_equal(ng_batch_begin(r->g), 0);
    atomic_store(&r->inside, 1);
    for (int i = 0; i < 20000 && !atomic_load(&r->release); i++)
        nanosleep(&(struct timespec){0, 500000}, NULL);
    assert_int_equal(ng_batch_end(r->g), 0);
    ng_thread_unregister(r->g);
    return NULL;
}

static void test_defer_waits_for_readers(void **state)
{
    struct ng_graph *g = *state;
    struct reader r = {.g = g};
    pthread_t t;
    atomic_store(&freed, 0);
    assert_int_equal(pthread_create(&t, NULL, reader_main, &r), 0);
    wait_flag(&r.inside);

    assert_int_equal(ng_defer(g, &obj_new()->de, obj_free), 0);
    /* Other threads' sections come and go meanwhile (they poll the
     * backend), yet the reader's open section holds the callback back. */
    poll_sections(g, 50, NULL);
    assert_int_equal(atomic_load(&freed), 0);

    atomic_store(&r.release, 1);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(ng_graph_barrier(g), 0);
    assert_int_equal(atomic_load(&freed), 1);
}

/* ng_batch_quiescent: a reader keeps one batch open for the whole test;
 * an entry deferred meanwhile waits until the reader reports a quiescent
 * state, then is freed while the batch is still open. */
struct qreader {
    struct ng_graph *g;
    _Atomic int inside, go, release, ended;
};

static void *qreader_main(void *arg)
{
    struct qreader *r = arg;
    assert_int_equal(ng_batch_begin(r->g), 0);
    atomic_store(&r->inside, 1);
    for (int i = 0; i < 20000 && !atomic_load(&r->go); i++)
        nanosleep(&(struct timespec){0, 500000}, NULL);
    for (int i = 0; i < 20000 && !atomic_load(&r->release); i++) {
        assert_int_equal(ng_batch_quiescent(r->g), 0);
        nanosleep(&(struct timespec){0, 500000}, NULL);
    }
    atomic_store(&r->ended, 1);
    assert_int_equal(ng_batch_end(r->g), 0);
    ng_thread_unregister(r->g);
    return NULL;
}

static void test_batch_quiescent(void **state)
{
    struct ng_graph *g = *state;
    /* Bad input: no batch, nested batches, NULL. */
    assert_int_equal(ng_batch_quiescent(NULL), -EINVAL);
    assert_int_equal(ng_batch_quiescent(g), -EINVAL);
    assert_int_equal(ng_batch_begin(g), 0);
    assert_int_equal(ng_batch_begin(g), 0);
    assert_int_equal(ng_batch_quiescent(g), -EBUSY);
    assert_int_equal(ng_batch_end(g), 0);
    assert_int_equal(ng_batch_quiescent(g), 0);
    assert_int_equal(ng_batch_end(g), 0);
    assert_int_equal(ng_batch_quiescent(g), -EINVAL);

    struct qreader r = {.g = g};
    pthread_t t;
    atomic_store(&freed, 0);
    assert_int_equal(pthread_create(&t, NULL, qreader_main, &r), 0);
    wait_flag(&r.inside);
    assert_int_equal(ng_defer(g, &obj_new()->de, obj_free), 0);
    poll_sections(g, 50, NULL);
    assert_int_equal(atomic_load(&freed), 0); /* the open batch holds it */
    atomic_store(&r.go, 1);
    /* The reader now reports quiescent states and never leaves its batch:
     * the entry is freed all the same (at most 10 s). */
    poll_sections(g, 10000, &freed);
    assert_int_equal(atomic_load(&freed), 1);
    assert_int_equal(atomic_load(&r.ended), 0); /* still inside its batch */
    atomic_store(&r.release, 1);
    assert_int_equal(pthread_join(t, NULL), 0);
}

/* ng_batch_quiescent where it must not report: from a node method (a
 * shared one entered by an unbatched send: no batch; a netgraph-mode one
 * entered inside a batch: its reader entry), and with qsbr while another
 * qsbr graph's batch is open on the thread. */
static _Atomic int q_rc = 1;
static int q_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    atomic_store(&q_rc, ng_batch_quiescent(ng_node_graph(ng_hook_node(hook))));
    ng_item_free(item);
    return 0;
}
static const struct ng_type qshared_type = {
    .version = NG_ABI_VERSION,
    .name = "qshared",
    .cookie = 0x71a17e51u,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .rcvdata = q_rcvdata,
};
static const struct ng_type qreader_type = {
    .version = NG_ABI_VERSION,
    .name = "qreader",
    .cookie = 0x71a17e52u,
    .rcvdata = q_rcvdata,
};

static void test_batch_quiescent_refused(void **state)
{
    struct ng_graph *g = *state;
    assert_int_equal(ng_type_register(g, &qshared_type), 0);
    assert_int_equal(ng_type_register(g, &qreader_type), 0);
    struct ng_node *src, *dst;
    struct ng_hook *h = ngtest_link(g, "qshared", &src, &dst);
    assert_int_equal(ng_send_data(h, ngtest_item(g, 8, 0)), 0); /* no batch */
    assert_int_equal(atomic_load(&q_rc), -EINVAL);
    ngtest_link_release(h, src, dst);
    h = ngtest_link(g, "qreader", &src, &dst);
    assert_int_equal(ng_batch_begin(g), 0);
    atomic_store(&q_rc, 1);
    assert_int_equal(ng_send_data(h, ngtest_item(g, 8, 0)), 0); /* inside the batch */
    assert_int_equal(atomic_load(&q_rc), -EBUSY);
    assert_int_equal(ng_batch_quiescent(g), 0); /* the batch itself may */
    assert_int_equal(ng_batch_end(g), 0);
    ngtest_link_release(h, src, dst);

    struct ng_graph_config cfg;
    ngtest_graph_config(&cfg);
    struct ng_graph *g2 = ngtest_graph_create(&cfg);
    assert_non_null(g2);
    assert_int_equal(ng_batch_begin(g2), 0);
    assert_int_equal(ng_batch_begin(g), 0);
    /* qsbr's domain is process-wide: g2's open section is not quiescent */
    int want = ngtest_backend() == NG_BACKEND_QSBR ? -EBUSY : 0;
    assert_int_equal(ng_batch_quiescent(g), want);
    assert_int_equal(ng_batch_end(g), 0);
    assert_int_equal(ng_batch_quiescent(g2), 0);
    assert_int_equal(ng_batch_end(g2), 0);
    ng_thread_unregister(g2);
    ng_graph_destroy(g2);
}

/* From a node method (inside a section): the type's usual case. */
static void defer_fn(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)hook;
    (void)arg2;
    *(int *)arg1 = ng_defer(ng_node_graph(node), &obj_new()->de, obj_free);
}

static void test_defer_from_method(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *n;
    int rc = -1;
    atomic_store(&freed, 0);
    assert_int_equal(ng_node_create(g, "hole", &n), 0);
    assert_int_equal(ng_send_fn(n, NULL, defer_fn, &rc, 0, NG_FN_WAIT), 0);
    assert_int_equal(rc, 0);
    assert_int_equal(ng_graph_barrier(g), 0);
    assert_int_equal(atomic_load(&freed), 1);
    assert_int_equal(ng_node_shutdown(n), 0);
    ng_node_unref(n);
}

/* Everything still pending runs by the time ng_graph_destroy returns. */
static void test_defer_at_destroy(void **state)
{
    (void)state;
    struct ng_graph *g = ngtest_graph();
    enum { N = 1000 };
    atomic_store(&freed, 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(ng_defer(g, &obj_new()->de, obj_free), 0);
    ng_graph_destroy(g);
    assert_int_equal(atomic_load(&freed), N);
}

/* A type's final shutdown method may use the engine: here it frees an item
 * it kept and defers its own state.  (On qsbr the method runs on liburcu's
 * call_rcu worker, which must then not be registered a second time.) */
struct holder {
    struct ng_item *kept;
    struct ng_defer_entry de;
};

static int holder_ctor(struct ng_node *node)
{
    struct holder *h = calloc(1, sizeof(*h));
    if (!h)
        return -ENOMEM;
    ng_node_set_private(node, h);
    return 0;
}

static int holder_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct holder *h = ng_node_private(ng_hook_node(hook));
    ng_item_free(h->kept);
    h->kept = item;
    return 0;
}

static void holder_free(struct ng_defer_entry *e)
{
    free((char *)e - offsetof(struct holder, de));
    atomic_fetch_add(&freed, 1);
}

static void holder_shutdown(struct ng_node *node)
{
    struct holder *h = ng_node_private(node);
    ng_item_free(h->kept);
    struct ng_item *scratch = ng_item_alloc(ng_node_graph(node), 16);
    ng_item_free(scratch);
    assert_int_equal(ng_defer(ng_node_graph(node), &h->de, holder_free), 0);
}

static const struct ng_type holder_type = {
    .version = NG_ABI_VERSION,
    .name = "holder",
    .cookie = 0x7e57d0e1u,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = holder_ctor,
    .rcvdata = holder_rcvdata,
    .shutdown = holder_shutdown,
};

static void test_shutdown_method_uses_engine(void **state)
{
    struct ng_graph *g = *state;
    atomic_store(&freed, 0);
    assert_int_equal(ng_type_register(g, &holder_type), 0);
    for (int round = 0; round < 20; round++) {
        struct ng_node *n;
        assert_int_equal(ng_node_create(g, "holder", &n), 0);
        assert_int_equal(ng_inject_data(n, "x", ngtest_item(g, 64, 1)), -ENOENT);
        struct ng_node *src;
        assert_int_equal(ng_mkpeer(n, "in", "hole", "out", &src), 0);
        struct ng_hook *h;
        assert_int_equal(ng_hook_find(src, "out", &h), 0);
        assert_int_equal(ng_send_data(h, ngtest_item(g, 64, 2)), 0);
        assert_int_equal(ng_send_data(h, ngtest_item(g, 64, 3)), 0);
        ng_hook_unref(h);
        assert_int_equal(ng_node_shutdown(n), 0);
        ng_node_unref(n);
        ng_node_unref(src);
    }
    assert_int_equal(ng_graph_barrier(g), 0);
    assert_int_equal(atomic_load(&freed), 20);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(st.items_live, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_defer_bad_args),
        ngtest_unit_test(test_defer_waits_for_readers),
        ngtest_unit_test(test_batch_quiescent),
        ngtest_unit_test(test_batch_quiescent_refused),
        ngtest_unit_test(test_defer_from_method),
        cmocka_unit_test(test_defer_at_destroy),
        ngtest_unit_test(test_shutdown_method_uses_engine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
