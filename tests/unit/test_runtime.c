/* Worker runtime: start/stop, submit, node concurrency (reader/writer
 * exclusion, in-order queue draining), ng_send_fn, timers, shutdown of a
 * node with queued items and an armed timer, statistics.  Runs under every
 * backend (NG_BACKEND). */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ngtest.h"
#include <ngraph/runtime.h>

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Wait (bounded) until cond() holds. */
#define WAIT_FOR(cond)                                                                             \
    do {                                                                                           \
        for (int _i = 0; _i < 20000 && !(cond); _i++)                                              \
            sleep_ms(1);                                                                           \
        assert_true(cond);                                                                         \
    } while (0)

/* ------------------------------------------------------------------------ */

static void test_start_stop(void **state)
{
    (void)state;
    struct ng_graph *g = ngtest_graph();
    struct ng_runtime_config cfg;
    ng_runtime_config_init(&cfg);
    assert_int_equal(cfg.pin, 1);
    int cpus[1] = {0};
    cfg.nworkers = 3;
    cfg.cpus = cpus;
    cfg.ncpus = 1;
    struct ng_runtime *rt, *rt2;
    assert_int_equal(ng_runtime_start(g, &cfg, &rt), 0);
    assert_ptr_equal(ng_graph_runtime(g), rt);
    assert_int_equal(ng_runtime_nworkers(rt), 3);
    for (unsigned i = 0; i < 3; i++) {
        int p = ng_runtime_pinned(rt, i);
        assert_true(p == 0 || p < 0); /* cpu 0, or a reported error */
    }
    assert_int_equal(ng_runtime_pinned(rt, 3), -EINVAL);
    assert_int_equal(ng_runtime_current_worker(rt), -1);
    assert_int_equal(ng_runtime_start(g, NULL, &rt2), -EBUSY);
    /* Idle workers sleep: little CPU over 200 ms. */
    sleep_ms(20);
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    sleep_ms(200);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    double cpu_ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    assert_true(cpu_ms < 100.0);
    ng_runtime_stop(rt);
    assert_null(ng_graph_runtime(g));
    /* Default config; unpinned; destroy stops it. */
    cfg.cpus = NULL;
    cfg.ncpus = 0;
    cfg.pin = 0;
    cfg.nworkers = 0;
    assert_int_equal(ng_runtime_start(g, &cfg, &rt), 0);
    assert_true(ng_runtime_nworkers(rt) >= 1);
    assert_int_equal(ng_runtime_pinned(rt, 0), -ENOTSUP);
    ng_graph_destroy(g);
}

static void test_submit(void **state)
{
    struct ng_graph *g = *state;
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    struct ng_node *src, *cnt;
    struct ng_hook *h = ngtest_link(g, "counter", &src, &cnt);
    const int N = 20000;
    for (int i = 0; i < N; i++)
        assert_int_equal(ng_runtime_submit(rt, i % 3 == 0 ? -1 : i, h, ngtest_item(g, 32, 1)), 0);
    WAIT_FOR(ngtest_counter_get(cnt) == (uint64_t)N);
    assert_int_equal(ng_runtime_submit(rt, 0, NULL, ngtest_item(g, 1, 0)), -EINVAL);
    /* Worker statistics. */
    uint64_t items = 0;
    for (unsigned i = 0; i < ng_runtime_nworkers(rt); i++) {
        struct ng_worker_stats ws;
        assert_int_equal(ng_runtime_worker_stats(rt, i, &ws), 0);
        items += ws.items;
    }
    assert_true(items >= (uint64_t)N);
    /* Node / hook statistics, by API and by NGM_STATS. */
    struct ng_node_stats ns;
    assert_int_equal(ng_node_stats(cnt, &ns), 0);
    assert_int_equal(ns.items_in, N);
    assert_int_equal(ng_node_stats(src, &ns), 0);
    assert_int_equal(ns.items_out, N);
    struct ng_hook_stats hs;
    assert_int_equal(ng_hook_stats(h, &hs), 0);
    assert_int_equal(hs.items_out, N);
    assert_string_equal(hs.name, "out");
    assert_int_equal(ng_node_name(cnt, "cnt"), 0);
    struct ng_mesg *resp = NULL;
    assert_int_equal(ngtest_msg(g, "cnt:", NGM_NGRAPH_COOKIE, NGM_STATS, &resp), 0);
    assert_non_null(resp);
    const struct ng_node_stats *ms = (const void *)resp->data;
    assert_int_equal(ms->items_in, N);
    assert_int_equal(ms->nhooks, 1);
    assert_string_equal(ms->hook[0].name, "in");
    assert_int_equal(ms->hook[0].items_in, N);
    ng_mesg_free(resp);
    /* Items in flight at stop are delivered or counted. */
    assert_int_equal(ng_rmhook(src, "out"), 0);
    for (int i = 0; i < 1000; i++)
        ng_runtime_submit(rt, -1, h, ngtest_item(g, 8, 0));
    ng_runtime_stop(rt);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(st.drops[NG_DROP_NOTCONN], 1000);
    assert_int_equal(st.items_live, 0);
    ngtest_link_release(h, src, cnt);
}

/* Bursts: n items, one reference update, delivered in order; references
 * balance (the hook is reclaimed once removed); bad bursts free everything. */
static void test_submit_burst(void **state)
{
    struct ng_graph *g = *state;
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    struct ng_node *src, *cnt;
    struct ng_hook *h = ngtest_link(g, "counter", &src, &cnt);
    enum { B = 32, ROUNDS = 500 };
    struct ng_item *burst[B];
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < B; i++)
            burst[i] = ngtest_item(g, 16, (uint8_t)i);
        assert_int_equal(ng_runtime_submit_burst(rt, r, h, burst, B), 0);
    }
    WAIT_FOR(ngtest_counter_get(cnt) == (uint64_t)B * ROUNDS);

    /* Misuse: every item of a refused burst is freed, nothing counted as
     * delivered. */
    assert_int_equal(ng_runtime_submit_burst(rt, 0, h, NULL, 4), -EINVAL);
    assert_int_equal(ng_runtime_submit_burst(rt, 0, h, burst, 0), -EINVAL);
    burst[0] = ngtest_item(g, 8, 0);
    burst[1] = NULL;
    burst[2] = ngtest_item(g, 8, 0);
    assert_int_equal(ng_runtime_submit_burst(rt, 0, h, burst, 3), -EINVAL);
    burst[0] = ngtest_item(g, 8, 0);
    assert_int_equal(ng_runtime_submit_burst(rt, 0, NULL, burst, 1), -EINVAL);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(st.items_live, 0);
    assert_int_equal(ngtest_counter_get(cnt), (uint64_t)B * ROUNDS);

    /* The burst references are all dropped: once removed and released by
     * us, the hooks are reclaimed. */
    assert_int_equal(ng_rmhook(src, "out"), 0);
    ng_hook_unref(h);
    ng_runtime_stop(rt);
    assert_int_equal(ng_graph_barrier(g), 0);
    ng_graph_stats(g, &st);
    assert_int_equal(st.hooks, 0);
    assert_int_equal(st.items_live, 0);
    ng_node_unref(src);
    ng_node_unref(cnt);
}

/* ------------------------------------------------------------------------ */
/* Reader/writer exclusion and in-order draining                            */
/* ------------------------------------------------------------------------ */

struct rw_priv {
    _Atomic int readers, writers;
    _Atomic uint64_t violations, reads, writes, max_readers;
    uint64_t next_seq, seq_errors; /* ordered test: writer-only state */
};

static int rw_ctor(struct ng_node *node)
{
    struct rw_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    ng_node_set_private(node, p);
    return 0;
}

static void rw_shutdown(struct ng_node *node) { free(ng_node_private(node)); }

static void spin_a_bit(void)
{
    for (volatile int i = 0; i < 200; i++)
        ;
}

static int rw_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct rw_priv *p = ng_node_private(ng_hook_node(hook));
    int r = atomic_fetch_add(&p->readers, 1) + 1;
    if (atomic_load(&p->writers) != 0)
        atomic_fetch_add(&p->violations, 1);
    uint64_t m = atomic_load(&p->max_readers);
    while ((uint64_t)r > m && !atomic_compare_exchange_weak(&p->max_readers, &m, (uint64_t)r))
        ;
    spin_a_bit();
    if (atomic_load(&p->writers) != 0)
        atomic_fetch_add(&p->violations, 1);
    atomic_fetch_sub(&p->readers, 1);
    atomic_fetch_add(&p->reads, 1);
    ng_item_free(item);
    return 0;
}

static void rw_writer_fn(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)hook;
    (void)arg1;
    (void)arg2;
    struct rw_priv *p = ng_node_private(node);
    if (atomic_fetch_add(&p->writers, 1) != 0 || atomic_load(&p->readers) != 0)
        atomic_fetch_add(&p->violations, 1);
    spin_a_bit();
    if (atomic_load(&p->readers) != 0)
        atomic_fetch_add(&p->violations, 1);
    atomic_fetch_sub(&p->writers, 1);
    atomic_fetch_add(&p->writes, 1);
}

static const struct ng_type rw_type = {
    .version = NG_ABI_VERSION,
    .name = "rwcheck",
    .cookie = 0x7e571001,
    .constructor = rw_ctor,
    .shutdown = rw_shutdown,
    .rcvdata = rw_rcvdata,
};

static void test_reader_writer_exclusion(void **state)
{
    struct ng_graph *g = *state;
    assert_int_equal(ng_type_register(g, &rw_type), 0);
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    struct ng_node *src, *rw;
    struct ng_hook *h = ngtest_link(g, "rwcheck", &src, &rw);
    struct rw_priv *p = ng_node_private(rw);
    const int N = 40000, W = 2000;
    int w = 0;
    for (int i = 0; i < N; i++) {
        assert_int_equal(ng_runtime_submit(rt, i, h, ngtest_item(g, 8, 0)), 0);
        if (i % (N / W) == 0) {
            /* Writers from this thread, inline or queued behind readers. */
            assert_int_equal(ng_send_fn(rw, NULL, rw_writer_fn, NULL, 0, NG_FN_WRITER), 0);
            w++;
        }
    }
    WAIT_FOR(atomic_load(&p->reads) == (uint64_t)N && atomic_load(&p->writes) == (uint64_t)w);
    /* NG_FN_WAIT from an application thread. */
    assert_int_equal(ng_send_fn(rw, NULL, rw_writer_fn, NULL, 0, NG_FN_WRITER | NG_FN_WAIT), 0);
    assert_int_equal(atomic_load(&p->writes), w + 1);
    assert_int_equal(atomic_load(&p->violations), 0);
    ng_runtime_stop(rt);
    ngtest_link_release(h, src, rw);
}

static int seq_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct rw_priv *p = ng_node_private(ng_hook_node(hook));
    uint64_t seq;
    memcpy(&seq, ng_item_data(item), sizeof(seq));
    if (seq != p->next_seq)
        p->seq_errors++;
    p->next_seq = seq + 1;
    atomic_fetch_add(&p->reads, 1);
    ng_item_free(item);
    return 0;
}

static const struct ng_type seq_type = {
    .version = NG_ABI_VERSION,
    .name = "seqcheck",
    .cookie = 0x7e571002,
    .constructor = rw_ctor,
    .shutdown = rw_shutdown,
    .rcvdata = seq_rcvdata,
};

static void test_in_order_drain(void **state)
{
    struct ng_graph *g = *state;
    assert_int_equal(ng_type_register(g, &seq_type), 0);
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    struct ng_node *src, *sq;
    struct ng_hook *h = ngtest_link(g, "seqcheck", &src, &sq);
    ng_node_force_writer(sq, 1);
    ng_node_force_queue(sq, 1); /* every item goes through the node queue */
    struct rw_priv *p = ng_node_private(sq);
    const uint64_t N = 50000;
    for (uint64_t i = 0; i < N; i++) {
        struct ng_item *it = ngtest_item(g, sizeof(i), 0);
        memcpy(ng_item_data(it), &i, sizeof(i));
        assert_int_equal(ng_send_data(h, it), 0);
    }
    WAIT_FOR(atomic_load(&p->reads) == N);
    /* ng_send_fn writers serialise with the queued data. */
    assert_int_equal(ng_send_fn(sq, NULL, rw_writer_fn, NULL, 0, NG_FN_WRITER | NG_FN_WAIT), 0);
    ng_runtime_stop(rt);
    assert_int_equal(p->seq_errors, 0);
    assert_int_equal(p->next_seq, N);
    struct ng_node_stats ns;
    assert_int_equal(ng_node_stats(sq, &ns), 0);
    assert_true(ns.queued >= N);
    assert_int_equal(ns.queue_depth, 0);
    uint64_t drains = 0;
    (void)drains;
    ngtest_link_release(h, src, sq);
}

/* ------------------------------------------------------------------------ */
/* Timers                                                                   */
/* ------------------------------------------------------------------------ */

struct tm_state {
    struct ng_runtime *rt;
    _Atomic int fired, on_worker, bad_arg;
};

static void tm_fn(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)node;
    (void)hook;
    struct tm_state *s = arg1;
    if (arg2 != 7)
        atomic_fetch_add(&s->bad_arg, 1);
    if (ng_runtime_current_worker(s->rt) >= 0)
        atomic_fetch_add(&s->on_worker, 1);
    atomic_fetch_add(&s->fired, 1);
}

static void test_timers(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *n;
    assert_int_equal(ng_node_create(g, "hole", &n), 0);
    struct ng_timer t1, t2, t3;
    ng_timer_init(&t1);
    ng_timer_init(&t2);
    ng_timer_init(&t3);
    struct tm_state s = {0};
    /* Without a runtime the graph's timer thread runs it (issue #12). */
    assert_int_equal(ng_timer_arm(&t1, n, NULL, 1000, tm_fn, &s, 7), 0);
    WAIT_FOR(atomic_load(&s.fired) == 1);
    assert_int_equal(atomic_load(&s.on_worker), 0);
    atomic_store(&s.fired, 0);
    s.rt = ngtest_runtime(g, 2);
    assert_int_equal(ng_timer_arm(&t1, n, NULL, 1000000, tm_fn, &s, 7), 0); /* 1 ms */
    assert_int_equal(ng_timer_arm(&t2, n, NULL, 5000000000ull, tm_fn, &s, 7), 0);
    assert_int_equal(ng_timer_arm(&t3, n, NULL, 10000000000ull, tm_fn, &s, 7), 0);
    assert_true(ng_timer_pending(&t2));
    assert_int_equal(ng_timer_cancel(&t3), 1);
    assert_int_equal(ng_timer_cancel(&t3), 0);
    WAIT_FOR(atomic_load(&s.fired) == 1);
    assert_false(ng_timer_pending(&t1));
    assert_int_equal(ng_timer_cancel(&t1), 0);
    /* Re-arm the fired one; many timers in order. */
    assert_int_equal(ng_timer_arm(&t1, n, NULL, 0, tm_fn, &s, 7), 0);
    WAIT_FOR(atomic_load(&s.fired) == 2);
    enum { M = 200 };
    struct ng_timer many[M];
    for (int i = 0; i < M; i++) {
        ng_timer_init(&many[i]);
        assert_int_equal(
            ng_timer_arm(&many[i], n, NULL, 100000000 + (uint64_t)(M - i) * 10000, tm_fn, &s, 7),
            0);
    }
    int cancelled = 0;
    for (int i = 0; i < M; i += 2)
        cancelled += ng_timer_cancel(&many[i]);
    assert_true(cancelled > 0);
    WAIT_FOR(atomic_load(&s.fired) == 2 + M - cancelled);
    assert_int_equal(atomic_load(&s.on_worker), atomic_load(&s.fired));
    assert_int_equal(atomic_load(&s.bad_arg), 0);
    /* t2 is still armed: stopping the runtime cancels it (no leak). */
    assert_true(ng_timer_pending(&t2));
    ng_runtime_stop(s.rt);
    assert_false(ng_timer_pending(&t2));
    sleep_ms(5);
    assert_int_equal(atomic_load(&s.fired), 2 + M - cancelled);
    ng_node_unref(n);
}

/* ------------------------------------------------------------------------ */
/* A node shut down while its queue holds items and a timer is armed.       */
/* ------------------------------------------------------------------------ */

struct gate_priv {
    _Atomic int entered, release, ran_after;
    _Atomic uint64_t got;
};
static struct gate_priv gate;

static int gate_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    (void)hook;
    if (atomic_fetch_add(&gate.got, 1) == 0) {
        atomic_store(&gate.entered, 1);
        while (!atomic_load(&gate.release))
            sched_yield();
    }
    ng_item_free(item);
    return 0;
}

static const struct ng_type gate_type = {
    .version = NG_ABI_VERSION,
    .name = "gate",
    .cookie = 0x7e571003,
    .flags = 0,
    .rcvdata = gate_rcvdata,
};

static void gate_timer_fn(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)node;
    (void)hook;
    (void)arg1;
    (void)arg2;
    atomic_store(&gate.ran_after, 1);
}

static uint64_t dead_drops(struct ng_graph *g)
{
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    return st.drops[NG_DROP_DEAD];
}

static void test_shutdown_with_queue_and_timer(void **state)
{
    struct ng_graph *g = *state;
    memset(&gate, 0, sizeof(gate));
    assert_int_equal(ng_type_register(g, &gate_type), 0);
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    struct ng_node *src, *gn;
    struct ng_hook *h = ngtest_link(g, "gate", &src, &gn);
    ng_node_force_writer(gn, 1); /* one at a time: the rest must queue */
    /* The first item blocks inside the node on a worker. */
    assert_int_equal(ng_runtime_submit(rt, 0, h, ngtest_item(g, 8, 0)), 0);
    WAIT_FOR(atomic_load(&gate.entered) == 1);
    const int Q = 100;
    for (int i = 0; i < Q; i++)
        assert_int_equal(ng_send_data(h, ngtest_item(g, 8, 0)), 0);
    struct ng_node_stats ns;
    assert_int_equal(ng_node_stats(gn, &ns), 0);
    assert_int_equal(ns.queue_depth, Q);
    struct ng_timer tm;
    ng_timer_init(&tm);
    assert_int_equal(ng_timer_arm(&tm, gn, NULL, 20000000, gate_timer_fn, NULL, 0), 0); /* 20 ms */
    struct ng_graph_stats before;
    ng_graph_stats(g, &before);

    assert_int_equal(ng_node_shutdown(gn), 0);
    assert_false(ng_timer_pending(&tm));
    assert_int_equal(ng_timer_arm(&tm, gn, NULL, 0, gate_timer_fn, NULL, 0), -ESHUTDOWN);
    atomic_store(&gate.release, 1);
    WAIT_FOR(dead_drops(g) - before.drops[NG_DROP_DEAD] == (uint64_t)Q);
    sleep_ms(50); /* past the cancelled timer's deadline */
    ng_graph_barrier(g);
    struct ng_graph_stats after;
    ng_graph_stats(g, &after);
    assert_int_equal(after.drops[NG_DROP_DEAD] - before.drops[NG_DROP_DEAD], Q);
    assert_int_equal(atomic_load(&gate.got), 1);
    assert_int_equal(atomic_load(&gate.ran_after), 0);
    ng_runtime_stop(rt);
    ng_graph_stats(g, &after);
    assert_int_equal(after.items_live, 0);
    ngtest_link_release(h, src, gn);
}

/* A node dies with a timer call already handed to a worker and items queued
 * while nobody owns its queue: destroy the graph with everything in flight. */
static void test_destroy_in_flight(void **state)
{
    (void)state;
    struct ng_graph *g = ngtest_graph();
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    struct ng_node *src, *cnt;
    struct ng_hook *h = ngtest_link(g, "counter", &src, &cnt);
    ng_node_force_queue(cnt, 1);
    struct ng_timer tm;
    ng_timer_init(&tm);
    struct tm_state s = {.rt = rt};
    assert_int_equal(ng_timer_arm(&tm, cnt, NULL, 0, tm_fn, &s, 7), 0);
    for (int i = 0; i < 5000; i++)
        ng_runtime_submit(rt, -1, h, ngtest_item(g, 8, 0));
    ngtest_link_release(h, src, cnt);
    ng_graph_destroy(g); /* stops the runtime; ASan checks for leaks */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_stop),
        ngtest_unit_test(test_submit),
        ngtest_unit_test(test_submit_burst),
        ngtest_unit_test(test_reader_writer_exclusion),
        ngtest_unit_test(test_in_order_drain),
        ngtest_unit_test(test_timers),
        ngtest_unit_test(test_shutdown_with_queue_and_timer),
        cmocka_unit_test(test_destroy_in_flight),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
