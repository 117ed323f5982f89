/*
 * test_fastpath_concurrency.c - the data hop's fast path and what it relies on:
 *   - batches (ng_batch_begin/end): nesting, misuse errors, calls that must
 *     refuse inside a batch (-EDEADLK), grace periods held until the end;
 *   - a batch or section on one graph while using another (the per-thread
 *     fast-path gate is saved and restored);
 *   - node in/out totals derived from hook counters, surviving hook removal;
 *   - a type without rcvdata (items dropped, counted, never called);
 *   - more threads than exclusive statistics slots (shared atomic slot):
 *     counters stay exact;
 *   - hook private pointers re-pointed while data flows.
 * Runs under every backend (NG_BACKEND); the rwlock baseline never takes
 * the fast path but must give the same results.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/runtime.h>

static void test_batch_basics(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *src, *cnt;
    struct ng_hook *h = ngtest_chain(g, 4, &src, &cnt);

    assert_int_equal(ng_batch_begin(NULL), -EINVAL);
    assert_int_equal(ng_batch_end(NULL), -EINVAL);
    assert_int_equal(ng_batch_end(g), -EINVAL); /* none open */

    assert_int_equal(ng_batch_begin(g), 0);
    assert_int_equal(ng_batch_begin(g), 0); /* nests */
    for (int i = 0; i < 100; i++)
        assert_int_equal(ng_send_data(h, ngtest_item(g, 32, (uint8_t)i)), 0);
    /* Waiting for a grace period or a response would wait for ourselves. */
    assert_int_equal(ng_graph_barrier(g), -EDEADLK);
    struct ng_mesg *resp = NULL;
    assert_int_equal(ngtest_msg(g, ".", NGM_GENERIC_COOKIE, NGM_LISTNODES, &resp), -EDEADLK);
    assert_null(resp);
    assert_int_equal(ng_batch_end(g), 0);
    assert_int_equal(ng_graph_barrier(g), -EDEADLK); /* still one level open */
    for (int i = 0; i < 100; i++)
        assert_int_equal(ng_send_data(h, ngtest_item(g, 32, (uint8_t)i)), 0);
    assert_int_equal(ng_batch_end(g), 0);
    assert_int_equal(ng_batch_end(g), -EINVAL);
    assert_int_equal(ng_graph_barrier(g), 0);
    assert_int_equal(ngtest_counter_get(cnt), 200);

    /* Topology changes from inside a batch do not wait for readers. */
    assert_int_equal(ng_batch_begin(g), 0);
    assert_int_equal(ng_rmhook(src, "out"), 0);
    assert_int_equal(ng_send_data(h, ngtest_item(g, 32, 0)), -ENOTCONN);
    assert_int_equal(ng_batch_end(g), 0);

    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(st.drops[NG_DROP_NOTCONN], 1);
    assert_int_equal(st.items_live, 0);
    ngtest_link_release(h, src, cnt);
}

/* A batch delays reclamation: memory unlinked while a batch is open on
 * another thread is reclaimed only after that batch ends. */
struct holder {
    struct ng_graph *g;
    _Atomic int phase; /* 1: batch open, 2: please end it, 3: ended */
};

static void *holder_main(void *arg)
{
    struct holder *hd = arg;
    assert_int_equal(ng_batch_begin(hd->g), 0);
    atomic_store(&hd->phase, 1);
    while (atomic_load(&hd->phase) != 2)
        usleep(1000);
    assert_int_equal(ng_batch_end(hd->g), 0);
    atomic_store(&hd->phase, 3);
    ng_thread_unregister(hd->g);
    return NULL;
}

struct barrier_arg {
    struct ng_graph *g;
    _Atomic int done;
};

static void *barrier_main(void *arg)
{
    struct barrier_arg *ba = arg;
    assert_int_equal(ng_graph_barrier(ba->g), 0);
    atomic_store(&ba->done, 1);
    return NULL;
}

static void test_batch_holds_grace_period(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *a, *b;
    assert_int_equal(ng_node_create(g, "hole", &a), 0);
    assert_int_equal(ng_node_create(g, "counter", &b), 0);
    assert_int_equal(ng_connect(a, "out", b, "in"), 0);

    struct holder hd = {.g = g};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, holder_main, &hd), 0);
    while (atomic_load(&hd.phase) != 1)
        usleep(1000);
    assert_int_equal(ng_rmhook(a, "out"), 0); /* never waits */
    struct barrier_arg ba = {.g = g};
    pthread_t tb;
    assert_int_equal(pthread_create(&tb, NULL, barrier_main, &ba), 0);
    usleep(100 * 1000);
    /* The barrier cannot complete while the other thread's batch is open. */
    assert_int_equal(atomic_load(&ba.done), 0);
    atomic_store(&hd.phase, 2);
    pthread_join(th, NULL);
    pthread_join(tb, NULL);
    assert_int_equal(atomic_load(&ba.done), 1);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(st.defer_pending, 0);
    ng_node_unref(a);
    ng_node_unref(b);
}

/* Sections of two graphs interleaved on one thread: the fast-path gate must
 * follow the innermost open section and come back to the outer one. */
static void test_two_graphs(void **state)
{
    (void)state;
    struct ng_graph *g1 = ngtest_graph(), *g2 = ngtest_graph();
    struct ng_node *s1, *c1, *s2, *c2;
    struct ng_hook *h1 = ngtest_chain(g1, 3, &s1, &c1);
    struct ng_hook *h2 = ngtest_chain(g2, 2, &s2, &c2);

    assert_int_equal(ng_batch_begin(g1), 0);
    assert_int_equal(ng_send_data(h1, ngtest_item(g1, 16, 1)), 0);
    assert_int_equal(ng_send_data(h2, ngtest_item(g2, 16, 2)), 0); /* other graph */
    assert_int_equal(ng_send_data(h1, ngtest_item(g1, 16, 3)), 0);
    assert_int_equal(ng_batch_begin(g2), 0);
    assert_int_equal(ng_send_data(h2, ngtest_item(g2, 16, 4)), 0);
    assert_int_equal(ng_send_data(h1, ngtest_item(g1, 16, 5)), 0);
    assert_int_equal(ng_batch_end(g2), 0);
    assert_int_equal(ng_send_data(h1, ngtest_item(g1, 16, 6)), 0);
    assert_int_equal(ng_batch_end(g1), 0);
    /* A message item is refused by ng_send_data, fast path or not. */
    assert_int_equal(ng_send_data(h1, NULL), -EINVAL);
    assert_int_equal(ng_send_data(NULL, ngtest_item(g1, 16, 7)), -EINVAL);

    assert_int_equal(ngtest_counter_get(c1), 4);
    assert_int_equal(ngtest_counter_get(c2), 2);
    struct ng_graph_stats st;
    ng_graph_stats(g1, &st);
    assert_int_equal(st.items_live, 0);
    ng_graph_stats(g2, &st);
    assert_int_equal(st.items_live, 0);
    ngtest_link_release(h1, s1, c1);
    ngtest_link_release(h2, s2, c2);
    ng_graph_destroy(g1);
    ng_graph_destroy(g2);
}

/* Node totals are summed from hook counters; removing a hook must not lose
 * what went through it. */
static void test_node_stats_survive_rmhook(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *src, *p, *cnt;
    struct ng_hook *h = ngtest_link(g, "pass", &src, &p);
    assert_int_equal(ng_node_create(g, "counter", &cnt), 0);
    assert_int_equal(ng_connect(p, "out", cnt, "in"), 0);
    for (int i = 0; i < 50; i++)
        assert_int_equal(ng_send_data(h, ngtest_item(g, 8, 0)), 0);
    struct ng_node_stats ns;
    assert_int_equal(ng_node_stats(p, &ns), 0);
    assert_int_equal(ns.items_in, 50);
    assert_int_equal(ns.items_out, 50);

    /* Remove the out side, send 10 more (dropped inside p), reconnect. */
    assert_int_equal(ng_rmhook(p, "out"), 0);
    for (int i = 0; i < 10; i++)
        ng_send_data(h, ngtest_item(g, 8, 0));
    assert_int_equal(ng_node_stats(p, &ns), 0);
    assert_int_equal(ns.items_in, 60);
    assert_int_equal(ns.items_out, 50);
    assert_int_equal(ng_connect(p, "out", cnt, "in"), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ng_send_data(h, ngtest_item(g, 8, 0)), 0);
    assert_int_equal(ng_graph_barrier(g), 0); /* removed hooks freed: final fold */
    assert_int_equal(ng_node_stats(p, &ns), 0);
    assert_int_equal(ns.items_in, 65);
    assert_int_equal(ns.items_out, 55);
    assert_int_equal(ng_node_stats(cnt, &ns), 0);
    assert_int_equal(ns.items_in, 55);
    assert_int_equal(ngtest_counter_get(cnt), 55);

    /* The hook-level view agrees: src:out sent 65. */
    struct ng_hook_stats hs;
    assert_int_equal(ng_hook_stats(h, &hs), 0);
    assert_int_equal(hs.items_out, 65);
    ngtest_link_release(h, src, p);
    ng_node_unref(cnt);
}

/* A type with no rcvdata method: data is dropped and counted, the node is
 * never called (it used to be a NULL call for shared nodes). */
static const struct ng_type mute_type = {
    .version = NG_ABI_VERSION,
    .name = "mute",
    .cookie = 0x7e570010,
    .flags = NG_TYPE_CONCURRENT_DATA,
};
static const struct ng_type mute_rw_type = {
    .version = NG_ABI_VERSION,
    .name = "mute_rw",
    .cookie = 0x7e570011,
};

static void test_no_rcvdata(void **state)
{
    struct ng_graph *g = *state;
    assert_int_equal(ng_type_register(g, &mute_type), 0);
    assert_int_equal(ng_type_register(g, &mute_rw_type), 0);
    const char *types[] = {"mute", "mute_rw"};
    for (int k = 0; k < 2; k++) {
        struct ng_node *src, *m;
        struct ng_hook *h = ngtest_link(g, types[k], &src, &m);
        assert_int_equal(ng_send_data(h, ngtest_item(g, 8, 0)), -EOPNOTSUPP);
        assert_int_equal(ng_batch_begin(g), 0);
        assert_int_equal(ng_send_data(h, ngtest_item(g, 8, 0)), -EOPNOTSUPP);
        assert_int_equal(ng_batch_end(g), 0);
        assert_int_equal(ng_inject_data(m, "in", ngtest_item(g, 8, 0)), -EOPNOTSUPP);
        ngtest_link_release(h, src, m);
    }
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(st.drops[NG_DROP_DEAD], 6);
    assert_int_equal(st.items_live, 0);
}

/* More sending threads than exclusive statistics slots: the extra ones
 * share slot 0 with atomic adds and take the general path; every count must
 * still be exact. */
#define NTHREADS 12
#define PER_THREAD 5000
struct sender {
    struct ng_graph *g;
    struct ng_hook *h;
    pthread_barrier_t *bar;
};

static void *sender_main(void *arg)
{
    struct sender *s = arg;
    pthread_barrier_wait(s->bar);
    for (int i = 0; i < PER_THREAD; i += 100) {
        assert_int_equal(ng_batch_begin(s->g), 0);
        for (int j = 0; j < 100; j++)
            assert_int_equal(ng_send_data(s->h, ngtest_item(s->g, 8, 0)), 0);
        assert_int_equal(ng_batch_end(s->g), 0);
    }
    ng_thread_unregister(s->g);
    return NULL;
}

static void test_many_threads_exact_counts(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *src, *cnt;
    struct ng_hook *h = ngtest_chain(g, 3, &src, &cnt);
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, NTHREADS);
    pthread_t th[NTHREADS];
    struct sender s = {.g = g, .h = h, .bar = &bar};
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, sender_main, &s), 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&bar);
    const uint64_t total = (uint64_t)NTHREADS * PER_THREAD;
    assert_int_equal(ngtest_counter_get(cnt), total);
    struct ng_hook_stats hs;
    assert_int_equal(ng_hook_stats(h, &hs), 0);
    assert_int_equal(hs.items_out, total);
    struct ng_node_stats ns;
    assert_int_equal(ng_node_stats(cnt, &ns), 0);
    assert_int_equal(ns.items_in, total);
    ngtest_link_release(h, src, cnt);
}

/* Hook private pointers may be re-pointed while rcvdata reads them. */
struct flip {
    struct ng_graph *g;
    struct ng_hook *h;
    _Atomic int stop;
    int a, b;
};

static void *flipper(void *arg)
{
    struct flip *f = arg;
    while (!atomic_load(&f->stop)) {
        ng_hook_set_private(f->h, &f->a);
        ng_hook_set_private(f->h, &f->b);
    }
    return NULL;
}

static void test_private_repoint(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *n;
    assert_int_equal(ng_node_create(g, "counter", &n), 0);
    struct ng_node *o;
    assert_int_equal(ng_node_create(g, "hole", &o), 0);
    assert_int_equal(ng_connect(n, "x", o, "y"), 0);
    struct ng_hook *h;
    assert_int_equal(ng_hook_find(n, "x", &h), 0);
    assert_null(ng_hook_private(h));
    struct flip f = {.g = g, .h = h};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, flipper, &f), 0);
    for (int i = 0; i < 100000; i++) {
        void *p = ng_hook_private(h);
        assert_true(p == NULL || p == &f.a || p == &f.b);
    }
    while (ng_hook_private(h) == NULL) /* the flipper has run at least once */
        usleep(100);
    atomic_store(&f.stop, 1);
    pthread_join(t, NULL);
    assert_ptr_equal(ng_hook_private(h), &f.b);
    void *orig = ng_node_private(o); /* the hole's own state */
    ng_node_set_private(o, &f.a);
    assert_ptr_equal(ng_node_private(o), &f.a);
    ng_node_set_private(o, orig);
    ng_hook_unref(h);
    ng_node_unref(n);
    ng_node_unref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_batch_basics),    ngtest_unit_test(test_batch_holds_grace_period),
        cmocka_unit_test(test_two_graphs),      ngtest_unit_test(test_node_stats_survive_rmhook),
        ngtest_unit_test(test_no_rcvdata),      ngtest_unit_test(test_many_threads_exact_counts),
        ngtest_unit_test(test_private_repoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
