/*
 * test_limits.c - limits mean what ngraph.h says, at their edges: timer
 * delays up to the end of the clock, the item limit exactly, message
 * argument lengths against their real allocation.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/runtime.h>

/* ------------------------------------------------------------------------ */
/* Timers                                                                   */
/* ------------------------------------------------------------------------ */

static _Atomic int fired;

static void on_fire(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)node, (void)hook, (void)arg1, (void)arg2;
    atomic_fetch_add(&fired, 1);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A delay that would pass the end of the clock saturates: the timer stays
 * pending (it used to wrap and fire at once); small delays still fire. */
static void test_timer_far_delays(void **state)
{
    struct ng_graph *g = *state;
    struct ng_runtime *rt = ngtest_runtime(g, 1);
    struct ng_node *n;
    assert_int_equal(ng_node_create(g, "hole", &n), 0);
    const uint64_t far[] = {UINT64_MAX, UINT64_MAX - 1, UINT64_MAX / 2 + 1, (uint64_t)1 << 63,
                            UINT64_MAX - 1000000000u};
    struct ng_timer tm[sizeof(far) / sizeof(far[0])];
    atomic_store(&fired, 0);
    for (size_t i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
        ng_timer_init(&tm[i]);
        assert_int_equal(ng_timer_arm(&tm[i], n, NULL, far[i], on_fire, NULL, (int)i), 0);
    }
    struct ng_timer soon;
    ng_timer_init(&soon);
    assert_int_equal(ng_timer_arm(&soon, n, NULL, 1000000, on_fire, NULL, -1), 0); /* 1 ms */
    for (int i = 0; i < 2000 && atomic_load(&fired) == 0; i++)
        sleep_ms(1);
    sleep_ms(50); /* give a wrapped deadline every chance to fire */
    assert_int_equal(atomic_load(&fired), 1);
    assert_int_equal(ng_timer_pending(&soon), 0);
    for (size_t i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
        assert_int_equal(ng_timer_pending(&tm[i]), 1);
        assert_int_equal(ng_timer_cancel(&tm[i]), 1);
    }
    assert_int_equal(ng_node_shutdown(n), 0);
    ng_node_unref(n);
    ng_runtime_stop(rt);
}

/* ------------------------------------------------------------------------ */
/* Item limit                                                               */
/* ------------------------------------------------------------------------ */

/* With item_limit L one thread gets exactly L items, the next allocation
 * fails (counted as NG_DROP_NOBUFS), and a freed item can be had again. */
static void check_limit(uint32_t limit)
{
    struct ng_graph_config cfg;
    ngtest_graph_config(&cfg);
    cfg.item_limit = limit;
    struct ng_graph *g;
    assert_int_equal(ng_graph_create(&cfg, &g), 0);
    struct ng_item **it = calloc(limit + 1, sizeof(*it));
    assert_non_null(it);
    for (uint32_t i = 0; i < limit; i++) {
        it[i] = ng_item_alloc(g, 16);
        if (!it[i])
            fail_msg("item_limit %u: allocation %u failed", limit, i);
    }
    assert_null(ng_item_alloc(g, 16));
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(st.items_live, limit);
    assert_int_equal(st.drops[NG_DROP_NOBUFS], 1);
    ng_item_free(it[limit / 2]);
    it[limit / 2] = ng_item_alloc(g, 16);
    assert_non_null(it[limit / 2]);
    assert_null(ng_item_alloc(g, 16));
    for (uint32_t i = 0; i < limit; i++)
        ng_item_free(it[i]);
    free(it);
    ng_graph_stats(g, &st);
    assert_int_equal(st.items_live, 0);
    ng_graph_destroy(g);
}

static void test_item_limit_exact(void **state)
{
    (void)state;
    const uint32_t limits[] = {1, 2, 63, 64, 65, 100, 255, 256, 257, 1000, 4097};
    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
        check_limit(limits[i]);
}

struct other_args {
    struct ng_graph *g;
    uint32_t n;
};

/* Allocate n items on another thread, free them there and detach. */
static void *alloc_free_detach(void *arg)
{
    struct other_args *a = arg;
    struct ng_item **it = calloc(a->n, sizeof(*it));
    for (uint32_t i = 0; i < a->n; i++)
        it[i] = ng_item_alloc(a->g, 8);
    for (uint32_t i = 0; i < a->n; i++) {
        assert_non_null(it[i]);
        ng_item_free(it[i]);
    }
    free(it);
    ng_thread_unregister(a->g);
    return NULL;
}

/* A thread that detaches returns every item it cached, partial magazines
 * included: afterwards another thread can again reach the whole limit. */
static void test_item_limit_after_detach(void **state)
{
    (void)state;
    const uint32_t limit = 150;
    struct ng_graph_config cfg;
    ngtest_graph_config(&cfg);
    cfg.item_limit = limit;
    struct ng_graph *g;
    assert_int_equal(ng_graph_create(&cfg, &g), 0);
    struct other_args a = {g, 97};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, alloc_free_detach, &a), 0);
    pthread_join(th, NULL);
    struct ng_item *it[150];
    for (uint32_t i = 0; i < limit; i++) {
        it[i] = ng_item_alloc(g, 8);
        assert_non_null(it[i]);
    }
    assert_null(ng_item_alloc(g, 8));
    for (uint32_t i = 0; i < limit; i++)
        ng_item_free(it[i]);
    ng_graph_destroy(g);
}

/* tee's copy to left2right fails when the pool is exhausted: the failed
 * copy is counted once (ng_item_copy counts it), the original goes on. */
static void test_tee_copy_at_limit(void **state)
{
    (void)state;
    struct ng_graph_config cfg;
    ngtest_graph_config(&cfg);
    cfg.item_limit = 1;
    struct ng_graph *g = ngtest_graph_create(&cfg);
    struct ng_node *tee, *src, *l, *dup;
    assert_int_equal(ng_node_create(g, "tee", &tee), 0);
    assert_int_equal(ng_node_create(g, "hole", &src), 0);
    assert_int_equal(ng_node_create(g, "counter", &l), 0);
    assert_int_equal(ng_node_create(g, "counter", &dup), 0);
    assert_int_equal(ng_connect(src, "out", tee, "right"), 0);
    assert_int_equal(ng_connect(tee, "left", l, "in"), 0);
    assert_int_equal(ng_connect(tee, "right2left", dup, "in"), 0);
    struct ng_hook *out;
    assert_int_equal(ng_hook_find(src, "out", &out), 0);
    assert_int_equal(ng_send_data(out, ngtest_item(g, 16, 1)), 0);
    ng_hook_unref(out);
    assert_int_equal(ngtest_counter_get(l), 1);
    assert_int_equal(ngtest_counter_get(dup), 0);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(st.drops[NG_DROP_NOBUFS], 1);
    assert_int_equal(st.items_live, 0);
    struct ng_node *all[] = {tee, src, l, dup};
    for (int i = 0; i < 4; i++) {
        if (ng_node_is_valid(all[i]))
            ng_node_shutdown(all[i]);
        ng_node_unref(all[i]);
    }
    ng_graph_destroy(g);
}

/* ------------------------------------------------------------------------ */
/* Message argument lengths                                                 */
/* ------------------------------------------------------------------------ */

/* header.arglen raised past what ng_mesg_alloc() gave: refused before any
 * node reads the argument (ASan would see echo or the generic-message
 * reader read past the buffer otherwise). */
static void test_arglen_beyond_allocation(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *e, *h;
    assert_int_equal(ng_node_create(g, "echo", &e), 0);
    assert_int_equal(ng_node_name(e, "e"), 0);
    assert_int_equal(ng_node_create(g, "hole", &h), 0);
    assert_int_equal(ng_node_name(h, "h"), 0);
    assert_int_equal(ng_connect(h, "out", e, "in"), 0);
    const uint32_t alloc[] = {0, 4, 100};
    for (size_t i = 0; i < sizeof(alloc) / sizeof(alloc[0]); i++) {
        const uint32_t forged[] = {alloc[i] + 1, alloc[i] + 4096, 65535};
        for (size_t j = 0; j < sizeof(forged) / sizeof(forged[0]); j++) {
            struct ng_mesg *m = ng_mesg_alloc(NGM_ECHO_COOKIE, 1, alloc[i]);
            assert_non_null(m);
            m->header.arglen = forged[j];
            struct ng_mesg *resp = NULL;
            assert_int_equal(ng_send_msg(g, NULL, "e:", m, &resp), -EMSGSIZE);
            assert_null(resp);
            /* Generic messages too (NGM_NAME reads a name argument). */
            m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_NAME, alloc[i]);
            m->header.arglen = forged[j];
            assert_int_equal(ng_send_msg(g, NULL, "e:", m, NULL), -EMSGSIZE);
            /* And through a hook. */
            struct ng_hook *out;
            assert_int_equal(ng_hook_find(h, "out", &out), 0);
            m = ng_mesg_alloc(NGM_ECHO_COOKIE, 1, alloc[i]);
            m->header.arglen = forged[j];
            assert_int_equal(ng_send_msg_hook(out, m), -EMSGSIZE);
            ng_hook_unref(out);
        }
    }
    /* An honest arglen below the allocation is fine. */
    struct ng_mesg *m = ng_mesg_alloc(NGM_ECHO_COOKIE, 1, 100), *resp = NULL;
    m->header.arglen = 10;
    assert_int_equal(ng_send_msg(g, NULL, "e:", m, &resp), 0);
    assert_non_null(resp);
    assert_int_equal(resp->header.arglen, 10);
    ng_mesg_free(resp);
    assert_int_equal(ng_node_shutdown(e), 0);
    /* h went with its last hook (ng_hole(4) / ng_echo(4)). */
    assert_int_equal(ng_node_shutdown(h), -ESHUTDOWN);
    ng_node_unref(e);
    ng_node_unref(h);
}

/* A node type answering with a response whose arglen claims more than it
 * carries: the response is refused, the sender sees no bytes past it. */
static int liar_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)node, (void)lasthook;
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), 8);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    r->header.arglen = 4096;
    return ng_respond(item, 0, r);
}

static const struct ng_type liar_type = {
    .version = NG_ABI_VERSION,
    .name = "liar",
    .cookie = 0x4c494152u,
    .rcvmsg = liar_rcvmsg,
};

static void test_response_arglen_beyond_allocation(void **state)
{
    struct ng_graph *g = *state;
    assert_int_equal(ng_type_register(g, &liar_type), 0);
    struct ng_node *n;
    assert_int_equal(ng_node_create(g, "liar", &n), 0);
    assert_int_equal(ng_node_name(n, "liar"), 0);
    struct ng_mesg *m = ng_mesg_alloc(0x4c494152u, 1, 0), *resp = NULL;
    assert_int_equal(ng_send_msg(g, NULL, "liar:", m, &resp), -EMSGSIZE);
    assert_null(resp);
    assert_int_equal(ng_node_shutdown(n), 0);
    ng_node_unref(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_timer_far_delays),
        cmocka_unit_test(test_item_limit_exact),
        cmocka_unit_test(test_item_limit_after_detach),
        cmocka_unit_test(test_tee_copy_at_limit),
        ngtest_unit_test(test_arglen_beyond_allocation),
        ngtest_unit_test(test_response_arglen_beyond_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
