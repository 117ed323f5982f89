/*
 * test_engine12_pcounter.c - the shared-mode toolbox of issue #12: per-thread
 * counters (ng_pcounter) added from many threads at once, from a shared-mode
 * node's rcvdata on runtime workers and from plain threads, summed exactly
 * once the adders stopped; clearing under concurrent adds loses nothing;
 * range snapshots (ng_pcounter_snapshot);
 * bad input.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "ngtest.h"
#include <ngraph/runtime.h>

enum { NT = 4, PER = 20000 };

struct adder {
    struct ng_pcounter *pc;
    struct ng_graph *g; /* attach first (a statistics slot) when set */
    _Atomic uint64_t *cleared;
    int clear;
};

static void *add_loop(void *arg)
{
    struct adder *a = arg;
    if (a->g)
        assert_int_equal(ng_thread_register(a->g), 0);
    for (int i = 0; i < PER; i++) {
        ng_pcounter_add(a->pc, 0, 1);
        ng_pcounter_add(a->pc, 2, 3);
        ng_pcounter_add2(a->pc, 3, 2, 1); /* counters 3 and 4 */
        if (a->clear && (i % 1000) == 0)
            atomic_fetch_add(a->cleared, ng_pcounter_fetch_clear(a->pc, 0));
    }
    if (a->g)
        ng_thread_unregister(a->g);
    return NULL;
}

static void test_threads(void **state)
{
    struct ng_graph *g = *state;
    struct ng_pcounter *pc;
    assert_int_equal(ng_pcounter_create(5, &pc), 0);
    _Atomic uint64_t cleared = 0;
    struct adder a[NT];
    pthread_t th[NT];
    for (int i = 0; i < NT; i++) {
        /* Half attached (exclusive slots), half not (shared row, atomics);
         * one of them clears counter 0 as it goes. */
        a[i] =
            (struct adder){.pc = pc, .g = (i & 1) ? g : NULL, .cleared = &cleared, .clear = i == 0};
        assert_int_equal(pthread_create(&th[i], NULL, add_loop, &a[i]), 0);
    }
    for (int i = 0; i < NT; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(ng_pcounter_read(pc, 0) + atomic_load(&cleared), (uint64_t)NT * PER);
    assert_int_equal(ng_pcounter_read(pc, 1), 0);
    assert_int_equal(ng_pcounter_read(pc, 2), (uint64_t)NT * PER * 3);
    assert_int_equal(ng_pcounter_read(pc, 3), (uint64_t)NT * PER * 2);
    assert_int_equal(ng_pcounter_read(pc, 4), (uint64_t)NT * PER);
    assert_int_equal(ng_pcounter_fetch_clear(pc, 2), (uint64_t)NT * PER * 3);
    assert_int_equal(ng_pcounter_read(pc, 2), 0);
    assert_int_equal(ng_pcounter_fetch_clear(pc, 2), 0);
    ng_pcounter_add(pc, 2, 5);
    assert_int_equal(ng_pcounter_read(pc, 2), 5);
    /* Out of range and NULL: ignored (add2 as a whole when i + 1 is). */
    ng_pcounter_add(pc, 5, 1);
    ng_pcounter_add(NULL, 0, 1);
    ng_pcounter_add2(pc, 4, 1, 1);
    ng_pcounter_add2(pc, 5, 1, 1);
    ng_pcounter_add2(NULL, 0, 1, 1);
    assert_int_equal(ng_pcounter_read(pc, 4), (uint64_t)NT * PER);
    assert_int_equal(ng_pcounter_read(pc, 5), 0);
    assert_int_equal(ng_pcounter_read(NULL, 0), 0);
    assert_int_equal(ng_pcounter_fetch_clear(NULL, 0), 0);
    ng_pcounter_destroy(pc);
    ng_pcounter_destroy(NULL);
}

static void test_badinput(void **state)
{
    (void)state;
    struct ng_pcounter *pc = (struct ng_pcounter *)(uintptr_t)1;
    assert_int_equal(ng_pcounter_create(0, &pc), -EINVAL);
    assert_null(pc);
    assert_int_equal(ng_pcounter_create(NG_PCOUNTER_MAX + 1, &pc), -EINVAL);
    assert_int_equal(ng_pcounter_create(1, NULL), -EINVAL);
    assert_int_equal(ng_pcounter_create(NG_PCOUNTER_MAX, &pc), 0);
    ng_pcounter_add(pc, NG_PCOUNTER_MAX - 1, 7);
    assert_int_equal(ng_pcounter_read(pc, NG_PCOUNTER_MAX - 1), 7);
    ng_pcounter_destroy(pc);
}

/* ng_pcounter_snapshot: a range read, read and cleared, or only cleared;
 * bad ranges refused with out untouched. */
static void test_snapshot(void **state)
{
    (void)state;
    struct ng_pcounter *pc;
    assert_int_equal(ng_pcounter_create(6, &pc), 0);
    for (unsigned i = 0; i < 6; i++)
        ng_pcounter_add(pc, i, 10 + i);
    uint64_t v[6] = {0};
    assert_int_equal(ng_pcounter_snapshot(pc, 1, 3, v, false), 0);
    assert_int_equal(v[0], 11);
    assert_int_equal(v[1], 12);
    assert_int_equal(v[2], 13);
    assert_int_equal(v[3], 0); /* past the range: untouched */
    assert_int_equal(ng_pcounter_read(pc, 2), 12); /* not cleared */
    assert_int_equal(ng_pcounter_snapshot(pc, 2, 2, v, true), 0);
    assert_int_equal(v[0], 12);
    assert_int_equal(v[1], 13);
    assert_int_equal(ng_pcounter_read(pc, 2), 0);
    assert_int_equal(ng_pcounter_read(pc, 3), 0);
    assert_int_equal(ng_pcounter_read(pc, 4), 14); /* outside: kept */
    assert_int_equal(ng_pcounter_snapshot(pc, 0, 6, NULL, true), 0); /* clear only */
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(ng_pcounter_read(pc, i), 0);
    assert_int_equal(ng_pcounter_snapshot(pc, 6, 0, v, false), 0); /* empty, at the end */
    v[0] = 99;
    assert_int_equal(ng_pcounter_snapshot(pc, 5, 2, v, false), -EINVAL);
    assert_int_equal(ng_pcounter_snapshot(pc, 7, 0, v, false), -EINVAL);
    assert_int_equal(ng_pcounter_snapshot(pc, 1, UINT32_MAX, v, true), -EINVAL);
    assert_int_equal(ng_pcounter_snapshot(pc, 0, 1, NULL, false), -EINVAL);
    assert_int_equal(ng_pcounter_snapshot(NULL, 0, 1, v, false), -EINVAL);
    assert_int_equal(v[0], 99);
    ng_pcounter_destroy(pc);
}

/* A shared-mode type counting its items with a pcounter, fed by workers. */
static int pc_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    ng_pcounter_add(ng_node_private(ng_hook_node(hook)), 0, 1);
    ng_item_free(item);
    return 0;
}
static int pc_ctor(struct ng_node *node)
{
    struct ng_pcounter *pc;
    int rc = ng_pcounter_create(1, &pc);
    if (rc == 0)
        ng_node_set_private(node, pc);
    return rc;
}
static void pc_shutdown(struct ng_node *node)
{
    if (!ng_node_is_valid(node))
        ng_pcounter_destroy(ng_node_private(node));
}
static const struct ng_type pcsink_type = {
    .version = NG_ABI_VERSION,
    .name = "pcsink",
    .cookie = 0x7e5712b2u,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = pc_ctor,
    .shutdown = pc_shutdown,
    .rcvdata = pc_rcvdata,
};

static void test_in_a_type(void **state)
{
    struct ng_graph *g = *state;
    assert_int_equal(ng_type_register(g, &pcsink_type), 0);
    struct ng_node *src, *sink;
    struct ng_hook *h = ngtest_link(g, "pcsink", &src, &sink);
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    const int N = 5000;
    for (int i = 0; i < N; i++)
        assert_int_equal(ng_runtime_submit(rt, -1, h, ngtest_item(g, 8, 0)), 0);
    ng_runtime_stop(rt); /* drains */
    assert_int_equal(ng_pcounter_read(ng_node_private(sink), 0), (uint64_t)N);
    ngtest_link_release(h, src, sink);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_threads),
        ngtest_unit_test(test_badinput),
        ngtest_unit_test(test_snapshot),
        ngtest_unit_test(test_in_a_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
