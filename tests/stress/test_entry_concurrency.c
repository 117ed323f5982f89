/*
 * test_entry_concurrency.c - netgraph's reader/writer discipline under both
 * entry schemes (NG_ENTRY_BIASED and NG_ENTRY_CAS, docs/design.md "Node
 * entry"), with readers nested along a chain:
 *     src (hole) out -> in a (xcl) out -> in b (xcl) out -> in c (xcl) out -> in dst (counter_rw)
 * Two application threads send data (one inside a batch, on the fast path,
 * one with outermost calls) while a control thread sends writer functions
 * to a, b and c (ng_send_fn, NG_FN_WRITER), and, halfway through, forces
 * writer mode on b's input hook (which takes b off the biased scheme).  An
 * "xcl" node checks exclusion itself: every rcvdata counts itself in and out
 * of the node's reader count and fails if a writer is inside; every writer
 * function fails if any reader or another writer is inside.  At the end:
 * no violation, every writer function ran exactly once, and every item is
 * accounted for (sent == counted at dst + dropped).  Under TSan the test
 * also proves the biased path publishes each side's work to the other
 * (a writer function and rcvdata touch the same plain field).
 * With a runtime (second round), queued items and functions are drained
 * by workers instead of inline.  Item counts are divided by NG_STRESS_SCALE.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ngtest.h"

#include <ngraph/runtime.h>

/* ------------------------------------------------------------------------ */
/* The exclusion-checking node type                                         */
/* ------------------------------------------------------------------------ */

struct xcl {
    _Atomic int readers, writers;
    _Atomic uint64_t violations, fns;
    uint64_t plain; /* written by writer functions only, read by rcvdata */
};

static _Atomic uint64_t plain_sum; /* keeps the reads of xcl.plain alive */

static int xcl_constructor(struct ng_node *n)
{
    struct xcl *x = calloc(1, sizeof(*x));
    if (!x)
        return -ENOMEM;
    ng_node_set_private(n, x);
    return 0;
}

static void xcl_shutdown(struct ng_node *n) { free(ng_node_private(n)); }

static int xcl_newhook(struct ng_node *n, struct ng_hook *h, const char *name)
{
    (void)n, (void)h;
    return strcmp(name, "in") == 0 || strcmp(name, "out") == 0 ? 0 : -EINVAL;
}

/* A few hundred cycles inside, so that entries overlap. */
static void linger(void)
{
    for (int i = 0; i < 64; i++)
        __asm__ volatile("" ::: "memory");
}

static int xcl_rcvdata(struct ng_hook *h, struct ng_item *it)
{
    struct ng_node *n = ng_hook_node(h);
    struct xcl *x = ng_node_private(n);
    atomic_fetch_add(&x->readers, 1);
    if (atomic_load(&x->writers) != 0)
        atomic_fetch_add(&x->violations, 1);
    atomic_fetch_add_explicit(&plain_sum, x->plain, memory_order_relaxed);
    linger();
    atomic_fetch_sub(&x->readers, 1);
    struct ng_hook *out = NULL;
    if (strcmp(ng_hook_name(h), "in") == 0 && ng_hook_find(n, "out", &out) == 0) {
        int rc = ng_send_data(out, it);
        ng_hook_unref(out);
        return rc;
    }
    ng_item_free(it);
    return 0;
}

static const struct ng_type xcl_type = {
    .version = NG_ABI_VERSION,
    .name = "xcl",
    .cookie = 0x7e5700e1,
    .constructor = xcl_constructor,
    .shutdown = xcl_shutdown,
    .newhook = xcl_newhook,
    .rcvdata = xcl_rcvdata,
};

static void xcl_writer_fn(struct ng_node *n, struct ng_hook *h, void *arg1, int arg2)
{
    (void)h, (void)arg1, (void)arg2;
    struct xcl *x = ng_node_private(n);
    if (atomic_fetch_add(&x->writers, 1) != 0 || atomic_load(&x->readers) != 0)
        atomic_fetch_add(&x->violations, 1);
    x->plain++;
    linger();
    if (atomic_load(&x->readers) != 0)
        atomic_fetch_add(&x->violations, 1);
    atomic_fetch_sub(&x->writers, 1);
    atomic_fetch_add(&x->fns, 1);
}

/* ------------------------------------------------------------------------ */
/* The run                                                                  */
/* ------------------------------------------------------------------------ */

struct ctx {
    struct ng_graph *g;
    struct ng_node *src, *x[3], *dst;
    struct ng_hook *head;
    uint64_t items, fns; /* per sender, in total */
    _Atomic uint64_t sent, fns_sent;
    _Atomic int senders_left;
};

struct sender_arg {
    struct ctx *c;
    bool batch;
};

static void *sender(void *arg)
{
    struct sender_arg *a = arg;
    struct ctx *c = a->c;
    assert_int_equal(ng_thread_register(c->g), 0);
    uint64_t sent = 0;
    for (uint64_t i = 0; i < c->items; i++) {
        if (a->batch && i % 64 == 0)
            assert_int_equal(ng_batch_begin(c->g), 0);
        struct ng_item *it = ng_item_alloc(c->g, 16);
        if (it) {
            (void)ng_send_data(c->head, it); /* dropped items are counted by the graph */
            sent++;
        }
        if (a->batch && (i % 64 == 63 || i + 1 == c->items))
            assert_int_equal(ng_batch_end(c->g), 0);
    }
    atomic_fetch_add(&c->sent, sent);
    atomic_fetch_sub(&c->senders_left, 1);
    ng_thread_unregister(c->g);
    return NULL;
}

static void *controller(void *arg)
{
    struct ctx *c = arg;
    uint64_t seed = 42;
    bool forced = false;
    for (uint64_t i = 0; i < c->fns; i++) {
        struct ng_node *n = c->x[ngtest_splitmix(&seed) % 3];
        if (ng_send_fn(n, NULL, xcl_writer_fn, NULL, 0, NG_FN_WRITER) == 0)
            atomic_fetch_add(&c->fns_sent, 1);
        if (!forced && i >= c->fns / 2) {
            /* A forced-writer hook: b leaves the biased scheme for good. */
            struct ng_hook *in = NULL;
            assert_int_equal(ng_hook_find(c->x[1], "in", &in), 0);
            ng_hook_force_writer(in, 1);
            ng_hook_unref(in);
            forced = true;
        }
        if (atomic_load(&c->senders_left) == 0 && i > c->fns / 2)
            break; /* traffic is over: the rest would test nothing */
    }
    return NULL;
}

static uint64_t xcl_total(struct ctx *c, size_t field)
{
    uint64_t t = 0;
    for (int i = 0; i < 3; i++)
        t += atomic_load((_Atomic uint64_t *)((char *)ng_node_private(c->x[i]) + field));
    return t;
}

static void run(enum ng_entry_scheme scheme, unsigned nworkers)
{
    struct ng_graph_config cfg;
    ngtest_graph_config(&cfg);
    cfg.entry = scheme;
    struct ng_graph *g = ngtest_graph_create(&cfg);
    ngtest_register_rw(g);
    assert_int_equal(ng_type_register(g, &xcl_type), 0);
    const char *sc = getenv("NG_STRESS_SCALE");
    long scale = sc ? atol(sc) : 1;
    if (scale < 1)
        scale = 1;
    struct ctx c = {.g = g};
    c.items = (uint64_t)(200000 / scale);
    c.fns = (uint64_t)(20000 / scale);
    atomic_init(&c.senders_left, 2);
    assert_int_equal(ng_node_create(g, "hole", &c.src), 0);
    struct ng_node *prev = c.src;
    const char *prevhook = "out";
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ng_node_create(g, "xcl", &c.x[i]), 0);
        assert_int_equal(ng_connect(prev, prevhook, c.x[i], "in"), 0);
        prev = c.x[i];
    }
    assert_int_equal(ng_node_create(g, "counter_rw", &c.dst), 0);
    assert_int_equal(ng_connect(prev, prevhook, c.dst, "in"), 0);
    assert_int_equal(ng_hook_find(c.src, "out", &c.head), 0);
    struct ng_runtime *rt = nworkers ? ngtest_runtime(g, nworkers) : NULL;

    struct ng_graph_stats st0, st1;
    ng_graph_stats(g, &st0);
    pthread_t th[3];
    struct sender_arg sa[2] = {{&c, true}, {&c, false}};
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, sender, &sa[i]), 0);
    assert_int_equal(pthread_create(&th[2], NULL, controller, &c), 0);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    /* Queued functions and items run by the drain owners (workers). */
    double deadline = ngtest_now_s() + 30;
    while (xcl_total(&c, offsetof(struct xcl, fns)) < atomic_load(&c.fns_sent) &&
           ngtest_now_s() < deadline)
        (void)ng_graph_barrier(g);
    if (rt)
        ng_runtime_stop(rt);
    ng_graph_stats(g, &st1);

    assert_int_equal(xcl_total(&c, offsetof(struct xcl, violations)), 0);
    assert_int_equal(xcl_total(&c, offsetof(struct xcl, fns)), atomic_load(&c.fns_sent));
    uint64_t dropped = ngtest_drops(&st1) - ngtest_drops(&st0);
    assert_int_equal(ngtest_counter_get(c.dst) + dropped, atomic_load(&c.sent));
    assert_int_equal(st1.items_live, 0);
    if (scheme == NG_ENTRY_BIASED)
        assert_int_equal(ng_graph_entry_scheme(g), NG_ENTRY_BIASED);

    ng_hook_unref(c.head);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ng_node_shutdown(c.x[i]), 0);
        ng_node_unref(c.x[i]);
    }
    assert_int_equal(ng_node_shutdown(c.dst), 0);
    ng_node_unref(c.dst);
    /* A hole shuts itself down when its last hook goes (ng_hole(4)). */
    int rc = ng_node_shutdown(c.src);
    assert_true(rc == 0 || rc == -ESHUTDOWN);
    ng_node_unref(c.src);
    ng_graph_destroy(g);
}

static void test_entry_biased_inline(void **state)
{
    (void)state;
    if (!ngtest_biased_available())
        skip();
    run(NG_ENTRY_BIASED, 0);
}

static void test_entry_biased_runtime(void **state)
{
    (void)state;
    if (!ngtest_biased_available())
        skip();
    run(NG_ENTRY_BIASED, 2);
}

static void test_entry_cas_inline(void **state)
{
    (void)state;
    run(NG_ENTRY_CAS, 0);
}

static void test_entry_cas_runtime(void **state)
{
    (void)state;
    run(NG_ENTRY_CAS, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entry_biased_inline),
        cmocka_unit_test(test_entry_biased_runtime),
        cmocka_unit_test(test_entry_cas_inline),
        cmocka_unit_test(test_entry_cas_runtime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
