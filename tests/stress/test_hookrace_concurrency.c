/*
 * Hook removed under traffic (issue #2): sender threads keep sending through
 * hooks they hold references to while a control thread repeatedly removes
 * and re-creates the connections and shuts down / re-creates the downstream
 * node.  No crash, no use-after-free (ASan), no race (TSan: this file is in
 * the "concurrency" label), and every item is accounted for:
 *     sent == delivered + dropped (ng_graph_stats, every reason but NOBUFS)
 *     items_live == 0 once the senders have stopped.
 *
 * Topology (re-created by the control thread at random):
 *     src (hole) out <-> in  relay (pass_rw)  out <-> in  dst (counter)
 *     src (hole) direct <-> direct dst (counter)
 * The relay forwards under the reader/writer discipline (not
 * NG_TYPE_CONCURRENT_DATA), so the node queue is exercised as well; what it
 * has to discard itself is counted in ngtest_totals.lost, what dst consumes
 * in ngtest_totals.counted (dst is re-created, so per-node counts would not
 * do).
 * Senders hold references to src's "out" or "direct" hook and re-find them
 * (ng_hook_find) after a send fails with -ENOTCONN.
 * Duration: NG_HOOKRACE_SECONDS (default 2).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ngtest.h"

#define NSENDERS 3

struct race {
    struct ng_graph *g;
    struct ng_node *src, *relay;
    _Atomic int stop;
    _Atomic uint64_t sent, enotconn, reattach;
    /* Items sent so far, per sender (own cache line), published before the
     * send: read after the delivered / dropped counters they bound. */
    struct {
        _Atomic uint64_t n;
        char pad[56];
    } live_sent[NSENDERS];
};

static void *sender(void *arg)
{
    struct race *r = arg;
    static _Atomic unsigned next_id;
    unsigned id = atomic_fetch_add(&next_id, 1);
    const char *hookname = (id % 2) ? "direct" : "out";
    assert_int_equal(ng_thread_register(r->g), 0);
    uint64_t sent = 0, enotconn = 0, reattach = 0;
    struct ng_hook *h = NULL;
    while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
        if (!h) {
            if (ng_hook_find(r->src, hookname, &h) != 0) {
                h = NULL;
                continue;
            }
            reattach++;
        }
        for (int i = 0; i < 256; i++) {
            struct ng_item *it = ng_item_alloc(r->g, 64);
            if (!it)
                break;
            memset(ng_item_data(it), (int)i, 64);
            sent++;
            atomic_store_explicit(&r->live_sent[id % NSENDERS].n, sent, memory_order_seq_cst);
            int rc = ng_send_data(h, it);
            if (rc == -ENOTCONN) {
                enotconn++;
                /* Keep using the stale hook for a while: it must stay safe. */
                if ((enotconn & 7) == 0) {
                    ng_hook_unref(h);
                    h = NULL;
                    break;
                }
            }
        }
    }
    ng_hook_unref(h);
    atomic_fetch_add(&r->sent, sent);
    atomic_fetch_add(&r->enotconn, enotconn);
    atomic_fetch_add(&r->reattach, reattach);
    ng_thread_unregister(r->g);
    return NULL;
}

static void test_hook_removed_under_traffic(void **state)
{
    (void)state;
    double secs = 2.0;
    const char *e = getenv("NG_HOOKRACE_SECONDS");
    if (e && atof(e) > 0)
        secs = atof(e);
    uint64_t seed = (uint64_t)time(NULL);
    printf("hookrace: seed %llu, %.1f s, backend %s\n", (unsigned long long)seed, secs,
           ng_backend_name(ngtest_backend()));

    struct race r;
    memset(&r, 0, sizeof(r));
    ngtest_totals_reset();
    r.g = ngtest_graph();
    ngtest_register_rw(r.g);
    struct ng_node *dst;
    assert_int_equal(ng_node_create(r.g, "hole", &r.src), 0);
    assert_int_equal(ng_node_create(r.g, "pass_rw", &r.relay), 0);
    assert_int_equal(ng_node_create(r.g, "counter", &dst), 0);
    assert_int_equal(ng_node_name(dst, "dst"), 0);
    assert_int_equal(ng_connect(r.src, "out", r.relay, "in"), 0);
    assert_int_equal(ng_connect(r.relay, "out", dst, "in"), 0);
    assert_int_equal(ng_connect(r.src, "direct", dst, "direct"), 0);

    pthread_t th[NSENDERS];
    for (int i = 0; i < NSENDERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, sender, &r), 0);

    uint64_t ops[4] = {0};
    double end = ngtest_now_s() + secs;
    while (ngtest_now_s() < end) {
        unsigned op = (unsigned)(ngtest_splitmix(&seed) % 4);
        switch (op) {
        case 0: /* cut and reconnect the sender-facing hook */
            assert_int_equal(ng_rmhook(r.src, "out"), 0);
            assert_int_equal(ng_connect(r.src, "out", r.relay, "in"), 0);
            break;
        case 1: /* cut and reconnect the relay's downstream hook */
            assert_int_equal(ng_rmhook(r.relay, "out"), 0);
            assert_int_equal(ng_connect(r.relay, "out", dst, "in"), 0);
            break;
        case 2: /* shut the downstream node down and re-create it */
            assert_int_equal(ng_node_shutdown(dst), 0);
            ng_node_unref(dst);
            assert_int_equal(ng_node_create(r.g, "counter", &dst), 0);
            assert_int_equal(ng_node_name(dst, "dst"), 0);
            assert_int_equal(ng_connect(r.relay, "out", dst, "in"), 0);
            assert_int_equal(ng_connect(r.src, "direct", dst, "direct"), 0);
            break;
        default: /* remove from the far side */
            assert_int_equal(ng_rmhook(dst, "direct"), 0);
            assert_int_equal(ng_connect(r.src, "direct", dst, "direct"), 0);
            break;
        }
        ops[op]++;
        /* Continuous check: nothing is accounted twice. */
        uint64_t done = atomic_load(&ngtest_totals.counted) + atomic_load(&ngtest_totals.lost);
        struct ng_graph_stats st;
        ng_graph_stats(r.g, &st);
        done += ngtest_drops(&st) - st.drops[NG_DROP_NOBUFS];
        uint64_t sent_now = 0;
        for (int i = 0; i < NSENDERS; i++)
            sent_now += atomic_load(&r.live_sent[i].n);
        if (done > sent_now)
            fail_msg("accounted %llu items but only %llu were sent", (unsigned long long)done,
                     (unsigned long long)sent_now);
    }
    atomic_store(&r.stop, 1);
    for (int i = 0; i < NSENDERS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);

    ng_graph_barrier(r.g);
    struct ng_graph_stats st;
    ng_graph_stats(r.g, &st);
    uint64_t drops = ngtest_drops(&st) - st.drops[NG_DROP_NOBUFS];
    uint64_t sent = atomic_load(&r.sent), del = atomic_load(&ngtest_totals.counted),
             lost = atomic_load(&ngtest_totals.lost);
    printf("hookrace: ops rmhook/connect %llu, relay-out %llu, dst restart %llu, far-side %llu\n",
           (unsigned long long)ops[0], (unsigned long long)ops[1], (unsigned long long)ops[2],
           (unsigned long long)ops[3]);
    printf("hookrace: sent %llu = delivered %llu + dropped %llu (notconn %llu dead %llu queue "
           "%llu) + relay-discarded %llu; -ENOTCONN seen %llu, re-finds %llu\n",
           (unsigned long long)sent, (unsigned long long)del, (unsigned long long)drops,
           (unsigned long long)st.drops[NG_DROP_NOTCONN],
           (unsigned long long)st.drops[NG_DROP_DEAD], (unsigned long long)st.drops[NG_DROP_QUEUE],
           (unsigned long long)lost, (unsigned long long)atomic_load(&r.enotconn),
           (unsigned long long)atomic_load(&r.reattach));
    assert_int_equal(st.items_alloc, sent);
    assert_int_equal(sent, del + drops + lost);
    assert_int_equal(st.items_live, 0);
    assert_true(sent > 0);

    ng_node_unref(dst);
    ng_node_unref(r.relay);
    ng_node_unref(r.src);
    ng_graph_destroy(r.g);
    assert_int_equal(atomic_load(&ngtest_totals.counters_alive), 0);
}

/* ------------------------------------------------------------------------ */
/* A connect refused while data flows through the hook tee already cached   */
/* ------------------------------------------------------------------------ */

static _Atomic long refuser_got;
static _Atomic int refuse_stop;

static int refuse_newhook(struct ng_node *n, struct ng_hook *h, const char *name)
{
    (void)n, (void)h, (void)name;
    return -EINVAL;
}

static int refuse_rcvdata(struct ng_hook *h, struct ng_item *it)
{
    (void)h;
    atomic_fetch_add(&refuser_got, 1); /* a hook it refused must carry nothing */
    ng_item_free(it);
    return 0;
}

static const struct ng_type refuser_type = {
    .version = NG_ABI_VERSION,
    .name = "refuser",
    .cookie = 0x52465553u,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .newhook = refuse_newhook,
    .rcvdata = refuse_rcvdata,
};

static struct ng_graph *rg;
static struct ng_node *rtee;

static void *inject_left(void *arg)
{
    (void)arg;
    assert_int_equal(ng_thread_register(rg), 0);
    while (!atomic_load(&refuse_stop)) {
        struct ng_item *it = ng_item_alloc(rg, 8);
        if (it)
            (void)ng_inject_data(rtee, "left", it);
    }
    ng_thread_unregister(rg);
    return NULL;
}

/* tee caches "right" in its newhook and its rcvdata (on another thread)
 * sends out of it at once; the peer then refuses the hook.  The refused
 * pair is cut from data and its block outlives every such sender (a grace
 * period): nothing reaches the refuser and nothing touches freed memory
 * (ASan: the block used to be recycled at once). */
static void test_refused_connect_under_traffic(void **state)
{
    (void)state;
    rg = ngtest_graph();
    assert_int_equal(ng_type_register(rg, &refuser_type), 0);
    struct ng_node *r, *h;
    assert_int_equal(ng_node_create(rg, "tee", &rtee), 0);
    assert_int_equal(ng_node_create(rg, "refuser", &r), 0);
    assert_int_equal(ng_node_create(rg, "hole", &h), 0);
    assert_int_equal(ng_connect(rtee, "left", h, "x"), 0);
    atomic_store(&refuse_stop, 0);
    atomic_store(&refuser_got, 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, inject_left, NULL), 0);
    double t0 = ngtest_now_s();
    long refused = 0;
    for (long i = 0; i < 200000 && ngtest_now_s() - t0 < 2.0; i++) {
        assert_int_equal(ng_connect(rtee, "right", r, "in"), -EINVAL);
        refused++;
    }
    atomic_store(&refuse_stop, 1);
    pthread_join(th, NULL);
    print_message("refused connects: %ld\n", refused);
    assert_int_equal(atomic_load(&refuser_got), 0);
    assert_true(ng_node_is_valid(rtee)); /* left stayed: not its last hook */
    struct ng_node *all[] = {rtee, r, h};
    for (int i = 0; i < 3; i++) {
        if (ng_node_is_valid(all[i]))
            assert_int_equal(ng_node_shutdown(all[i]), 0);
        ng_node_unref(all[i]);
    }
    struct ng_graph_stats st;
    assert_int_equal(ng_graph_barrier(rg), 0);
    ng_graph_stats(rg, &st);
    assert_int_equal(st.items_live, 0);
    ng_graph_destroy(rg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hook_removed_under_traffic),
        cmocka_unit_test(test_refused_connect_under_traffic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
