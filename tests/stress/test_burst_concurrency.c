/*
 * test_burst_concurrency.c - bursts under a changing topology: two
 * application threads send bursts of 1..64 items (one inside batches, so on
 * the fast path, one with outermost calls) and a third submits bursts to a
 * runtime worker, all into
 *     src (hole) out -> in r1 (pass_rw) out -> in r2 (pass) out -> in dst (counter)
 * while a control thread cuts and re-makes the r1 -> r2 link (mid-burst
 * for whichever burst is in flight) and toggles forced writer / forced
 * queue on r1 and on dst's hook.  No crash, no race (TSan), no
 * use-after-free (ASan), and every item is accounted for:
 *     sent == counted (dst) + lost (pass nodes with no out hook)
 *             + dropped (ng_graph_stats, every reason but NOBUFS: a failed
 *               allocation is never sent),  items_live == 0.
 * Item counts are divided by NG_STRESS_SCALE.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "ngtest.h"

#include <ngraph/runtime.h>

#define NSEND 3

struct ctx {
    struct ng_graph *g;
    struct ng_runtime *rt;
    struct ng_node *src, *r1, *r2, *dst;
    struct ng_hook *head;
    _Atomic int senders_left;
    uint64_t bursts; /* per sender */
    _Atomic uint64_t sent;
};

struct sender_arg {
    struct ctx *c;
    int kind; /* 0 batch (fast path), 1 outermost calls, 2 runtime submit */
};

static void *sender(void *arg)
{
    struct sender_arg *a = arg;
    struct ctx *c = a->c;
    uint64_t seed = 0x9e3779b97f4a7c15ull * (uint64_t)(a->kind + 1), sent = 0;
    struct ng_item *v[64];
    assert_int_equal(ng_thread_register(c->g), 0);
    for (uint64_t b = 0; b < c->bursts; b++) {
        unsigned n = 1 + (unsigned)(ngtest_splitmix(&seed) % 64);
        unsigned k = 0;
        for (; k < n; k++) {
            v[k] = ng_item_alloc(c->g, 32);
            if (!v[k])
                break;
        }
        if (k == 0)
            continue;
        sent += k;
        if (a->kind == 0) {
            assert_int_equal(ng_batch_begin(c->g), 0);
            (void)ng_send_data_burst(c->head, v, k);
            assert_int_equal(ng_batch_end(c->g), 0);
        } else if (a->kind == 1) {
            (void)ng_send_data_burst(c->head, v, k);
        } else {
            int rc = ng_runtime_submit_burst(c->rt, 0, c->head, v, k);
            assert_int_equal(rc, 0);
        }
    }
    atomic_fetch_add(&c->sent, sent);
    atomic_fetch_sub(&c->senders_left, 1);
    ng_thread_unregister(c->g);
    return NULL;
}

static void *control(void *arg)
{
    struct ctx *c = arg;
    uint64_t seed = 42;
    struct ng_hook *din;
    assert_int_equal(ng_hook_find(c->dst, "in", &din), 0);
    while (atomic_load(&c->senders_left) > 0) {
        switch (ngtest_splitmix(&seed) % 4) {
        case 0:
            (void)ng_rmhook(c->r1, "out");
            break;
        case 1:
            (void)ng_connect(c->r1, "out", c->r2, "in");
            break;
        case 2:
            ng_node_force_writer(c->r1, (int)(ngtest_splitmix(&seed) & 1));
            ng_node_force_queue(c->r1, (int)(ngtest_splitmix(&seed) & 1));
            break;
        default:
            ng_hook_force_queue(din, (int)(ngtest_splitmix(&seed) & 1));
            ng_hook_force_writer(din, (int)(ngtest_splitmix(&seed) & 1));
            break;
        }
        struct timespec ts = {0, 20000};
        nanosleep(&ts, NULL);
    }
    ng_hook_unref(din);
    return NULL;
}

static void test_burst_churn(void **state)
{
    struct ng_graph *g = *state;
    ngtest_register_rw(g);
    const char *sc = getenv("NG_STRESS_SCALE");
    long scale = sc ? atol(sc) : 1;
    if (scale < 1)
        scale = 1;
    struct ctx c = {.g = g};
    c.bursts = (uint64_t)(40000 / scale);
    c.rt = ngtest_runtime(g, 1);
    assert_int_equal(ng_node_create(g, "hole", &c.src), 0);
    assert_int_equal(ng_node_create(g, "pass_rw", &c.r1), 0);
    assert_int_equal(ng_node_create(g, "pass", &c.r2), 0);
    assert_int_equal(ng_node_create(g, "counter", &c.dst), 0);
    assert_int_equal(ng_connect(c.src, "out", c.r1, "in"), 0);
    assert_int_equal(ng_connect(c.r1, "out", c.r2, "in"), 0);
    assert_int_equal(ng_connect(c.r2, "out", c.dst, "in"), 0);
    assert_int_equal(ng_hook_find(c.src, "out", &c.head), 0);
    atomic_store(&c.senders_left, NSEND);

    pthread_t ts[NSEND], tc;
    struct sender_arg sa[NSEND];
    for (int i = 0; i < NSEND; i++) {
        sa[i] = (struct sender_arg){&c, i};
        assert_int_equal(pthread_create(&ts[i], NULL, sender, &sa[i]), 0);
    }
    assert_int_equal(pthread_create(&tc, NULL, control, &c), 0);
    for (int i = 0; i < NSEND; i++)
        pthread_join(ts[i], NULL);
    pthread_join(tc, NULL);
    ng_runtime_stop(c.rt); /* runs or drops (counted) what is still queued */
    assert_int_equal(ng_graph_barrier(g), 0);

    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    uint64_t sent = atomic_load(&c.sent), counted = atomic_load(&ngtest_totals.counted),
             lost = atomic_load(&ngtest_totals.lost),
             /* NOBUFS: failed allocations (the pool's item limit can be hit
              * while queues back up), never sent. */
        dropped = ngtest_drops(&st) - st.drops[NG_DROP_NOBUFS];
    if (sent != counted + lost + dropped)
        fail_msg("sent %llu != counted %llu + lost %llu + dropped %llu", (unsigned long long)sent,
                 (unsigned long long)counted, (unsigned long long)lost,
                 (unsigned long long)dropped);
    assert_int_equal(st.items_live, 0);
    assert_true(counted > 0);
    assert_true(ngtest_counter_bursts(c.dst) > 0);

    ng_hook_unref(c.head);
    assert_int_equal(ng_node_shutdown(c.dst), 0);
    ng_node_unref(c.src);
    ng_node_unref(c.r1);
    ng_node_unref(c.r2);
    ng_node_unref(c.dst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_burst_churn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
