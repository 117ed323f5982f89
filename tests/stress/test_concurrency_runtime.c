/* Live topology change under load: a producer thread pushes items through a
 * chain  src -> fwd1 -> fwd2 -> sink  via the runtime's workers while another
 * thread keeps changing that chain (rmhook/connect of the middle link, mkpeer
 * of a replacement node and shutdown of the old one).  fwd1 is a "pass" node
 * (shared), fwd2 alternates between "pass_rw" (netgraph reader/writer mode,
 * every entry accounted) and "pass", sink is a "counter".  At the end
 *     sent == delivered + dropped
 * where dropped is the engine's drop count plus items a forwarding node found
 * no outgoing hook for (ngtest_totals.lost).  Default (Release): 10 million
 * items and 100,000 topology changes; NG_STRESS_SCALE (a divisor, e.g. 20
 * under sanitizers) scales both down. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ngtest.h"
#include <ngraph/runtime.h>

static uint64_t scale(void)
{
    const char *s = getenv("NG_STRESS_SCALE");
    long v = s ? atol(s) : 1;
    return v > 0 ? (uint64_t)v : 1;
}

struct ctx {
    struct ng_graph *g;
    struct ng_runtime *rt;
    struct ng_node *src, *sink;
    uint64_t items, changes;
    _Atomic int done;
    uint64_t sent, changed, failed_changes;
};

static void *producer(void *arg)
{
    struct ctx *c = arg;
    struct ng_hook *h;
    assert_int_equal(ng_hook_find(c->src, "out", &h), 0);
    for (uint64_t i = 0; i < c->items; i++) {
        if ((i & 4095) == 0) {
            /* Bound the items in flight (pool memory). */
            for (;;) {
                struct ng_graph_stats st;
                ng_graph_stats(c->g, &st);
                if (st.items_live < 65536)
                    break;
                sched_yield();
            }
        }
        struct ng_item *it = ng_item_alloc(c->g, 16);
        assert_non_null(it);
        if (ng_runtime_submit(c->rt, -1, h, it) == 0)
            c->sent++;
    }
    ng_hook_unref(h);
    ng_thread_unregister(c->g);
    return NULL;
}

/* One change = one topology call (connect, rmhook, mkpeer, shutdown). */
static void *changer(void *arg)
{
    struct ctx *c = arg;
    struct ng_node *mid1, *mid2;
    char name[32];
    unsigned serial = 0;
    assert_int_equal(ng_mkpeer(c->src, "out", "pass", "in", &mid1), 0);
    assert_int_equal(ng_mkpeer(mid1, "out", "pass_rw", "in", &mid2), 0);
    snprintf(name, sizeof(name), "s%u", serial++);
    assert_int_equal(ng_connect(mid2, "out", c->sink, name), 0);
    atomic_store(&c->done, 1); /* chain ready */
    uint64_t n = 0, k = 0;
    while (n < c->changes) {
        switch (k++ % 3) {
        case 0: /* cut and restore the middle link */
        case 1:
            if (ng_rmhook(mid1, "out") != 0)
                c->failed_changes++;
            if (ng_connect(mid1, "out", mid2, "in") != 0)
                c->failed_changes++;
            n += 2;
            break;
        default: { /* replace mid2: mkpeer a new one, link it, kill the old */
            struct ng_node *nm;
            if (ng_rmhook(mid1, "out") != 0)
                c->failed_changes++;
            if (ng_mkpeer(mid1, "out", (serial & 1) ? "pass" : "pass_rw", "in", &nm) != 0) {
                c->failed_changes++;
                n += 2;
                break;
            }
            snprintf(name, sizeof(name), "s%u", serial++);
            if (ng_connect(nm, "out", c->sink, name) != 0)
                c->failed_changes++;
            if (ng_node_shutdown(mid2) != 0)
                c->failed_changes++;
            ng_node_unref(mid2);
            mid2 = nm;
            n += 4;
            break;
        }
        }
    }
    c->changed = n;
    ng_node_unref(mid1);
    ng_node_unref(mid2);
    ng_thread_unregister(c->g);
    return NULL;
}

static void run_chain(unsigned nworkers)
{
    uint64_t sc = scale();
    struct ctx c;
    memset(&c, 0, sizeof(c));
    ngtest_totals_reset();
    c.items = 10000000 / sc;
    c.changes = 100000 / sc;
    struct ng_graph_config gc;
    ngtest_graph_config(&gc);
    gc.item_bufsize = 256;
    c.g = ngtest_graph_create(&gc);
    ngtest_register_rw(c.g);
    c.rt = ngtest_runtime(c.g, nworkers);
    assert_int_equal(ng_node_create(c.g, "hole", &c.src), 0);
    assert_int_equal(ng_node_create(c.g, "counter", &c.sink), 0);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t pt, ct;
    assert_int_equal(pthread_create(&ct, NULL, changer, &c), 0);
    while (!atomic_load(&c.done))
        sched_yield();
    assert_int_equal(pthread_create(&pt, NULL, producer, &c), 0);
    pthread_join(pt, NULL);
    pthread_join(ct, NULL);
    ng_runtime_stop(c.rt); /* drains everything in flight */
    clock_gettime(CLOCK_MONOTONIC, &t1);

    struct ng_graph_stats st;
    ng_graph_stats(c.g, &st);
    uint64_t delivered = ngtest_counter_get(c.sink);
    uint64_t dropped = ngtest_drops(&st) + atomic_load(&ngtest_totals.lost);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("  %s, %u workers: sent %llu delivered %llu dropped %llu "
                  "(notconn %llu dead %llu lost %llu), %llu changes (%llu failed), %.2f s\n",
                  ng_backend_name(gc.backend), nworkers, (unsigned long long)c.sent,
                  (unsigned long long)delivered, (unsigned long long)dropped,
                  (unsigned long long)st.drops[NG_DROP_NOTCONN],
                  (unsigned long long)st.drops[NG_DROP_DEAD],
                  (unsigned long long)atomic_load(&ngtest_totals.lost),
                  (unsigned long long)c.changed, (unsigned long long)c.failed_changes, secs);
    assert_int_equal(c.sent, c.items);
    assert_true(c.changed >= c.changes);
    assert_int_equal(c.failed_changes, 0);
    assert_int_equal(st.drops[NG_DROP_NOBUFS], 0);
    assert_int_equal(c.sent, delivered + dropped);
    assert_int_equal(st.items_live, 0);
    assert_true(delivered > 0);
    ng_node_unref(c.src);
    ng_node_unref(c.sink);
    ng_graph_destroy(c.g);
}

static void test_chain_under_topology_change(void **state)
{
    (void)state;
    run_chain(2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_under_topology_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
