/*
 * nodes.c - the test node types shared by every test (see ngtest.h).
 *
 * Each type comes in two flavours built from the same methods: shared
 * (NG_TYPE_CONCURRENT_DATA, rcvdata runs concurrently on any number of
 * threads) and netgraph (no flag: data entries are readers under the node's
 * reader/writer discipline, so writers and forced-writer / forced-queue
 * nodes make items go through the node queue).  The default types have a
 * rcvdata_burst method as well; "counter1" / "pass1" (and their "_rw"
 * flavours) are the same types without one (ngtest_register_single).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "ngtest.h"

struct ngtest_totals ngtest_totals;

void ngtest_totals_reset(void)
{
    atomic_store(&ngtest_totals.counted, 0);
    atomic_store(&ngtest_totals.lost, 0);
    atomic_store(&ngtest_totals.counters_alive, 0);
}

/* ------------------------------------------------------------------------ */
/* counter: counting sink                                                   */
/* ------------------------------------------------------------------------ */

static int counter_ctor(struct ng_node *node)
{
    struct ngtest_counter *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    ng_node_set_private(node, c);
    atomic_fetch_add(&ngtest_totals.counters_alive, 1);
    return 0;
}

static void counter_shutdown(struct ng_node *node)
{
    free(ng_node_private(node));
    atomic_fetch_sub(&ngtest_totals.counters_alive, 1);
}

static int counter_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct ngtest_counter *c = ng_node_private(ng_hook_node(hook));
    atomic_fetch_add_explicit(&c->items, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&ngtest_totals.counted, 1, memory_order_relaxed);
    ng_item_free(item);
    return 0;
}

static int counter_rcvdata_burst(struct ng_hook *hook, struct ng_item **items, unsigned n)
{
    struct ngtest_counter *c = ng_node_private(ng_hook_node(hook));
    assert_true(n >= 1 && n <= NG_BURST_MAX);
    atomic_fetch_add_explicit(&c->items, n, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->bursts, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&ngtest_totals.counted, n, memory_order_relaxed);
    for (unsigned i = 0; i < n; i++)
        ng_item_free(items[i]);
    return 0;
}

#define COUNTER_TYPE(tname, tcookie, tflags, burst)                                                \
    {                                                                                              \
        .version = NG_ABI_VERSION, .name = tname, .cookie = tcookie, .flags = tflags,              \
        .constructor = counter_ctor, .shutdown = counter_shutdown, .rcvdata = counter_rcvdata,     \
        .rcvdata_burst = burst,                                                                    \
    }

const struct ng_type ngtest_counter_type =
    COUNTER_TYPE("counter", 0x7e570001, NG_TYPE_CONCURRENT_DATA, counter_rcvdata_burst);
const struct ng_type ngtest_counter_rw_type =
    COUNTER_TYPE("counter_rw", 0x7e570003, 0, counter_rcvdata_burst);
const struct ng_type ngtest_counter1_type =
    COUNTER_TYPE("counter1", 0x7e570005, NG_TYPE_CONCURRENT_DATA, NULL);
const struct ng_type ngtest_counter1_rw_type = COUNTER_TYPE("counter1_rw", 0x7e570007, 0, NULL);

uint64_t ngtest_counter_get(struct ng_node *node)
{
    struct ngtest_counter *c = ng_node_private(node);
    return atomic_load(&c->items);
}

uint64_t ngtest_counter_bursts(struct ng_node *node)
{
    struct ngtest_counter *c = ng_node_private(node);
    return atomic_load(&c->bursts);
}

/* ------------------------------------------------------------------------ */
/* pass: forwarder                                                          */
/* ------------------------------------------------------------------------ */

static int pass_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    const char *in = ng_hook_name(hook);
    struct ng_hook *out;
    struct ng_node *node = ng_hook_node(hook);
    if (ng_hook_find(node, strcmp(in, "in") == 0 ? "out" : "in", &out) != 0) {
        atomic_fetch_add_explicit(&ngtest_totals.lost, 1, memory_order_relaxed);
        ng_item_free(item);
        return -ENOTCONN;
    }
    int rc = ng_send_data(out, item);
    ng_hook_unref(out);
    return rc;
}

/* The burst forwarder: one lookup, the vector passed on as it came. */
static int pass_rcvdata_burst(struct ng_hook *hook, struct ng_item **items, unsigned n)
{
    const char *in = ng_hook_name(hook);
    struct ng_hook *out;
    struct ng_node *node = ng_hook_node(hook);
    assert_true(n >= 1 && n <= NG_BURST_MAX);
    if (ng_hook_find(node, strcmp(in, "in") == 0 ? "out" : "in", &out) != 0) {
        atomic_fetch_add_explicit(&ngtest_totals.lost, n, memory_order_relaxed);
        for (unsigned i = 0; i < n; i++)
            ng_item_free(items[i]);
        return -ENOTCONN;
    }
    int rc = ng_send_data_burst(out, items, n);
    ng_hook_unref(out);
    return rc;
}

#define PASS_TYPE(tname, tcookie, tflags, burst)                                                   \
    {                                                                                              \
        .version = NG_ABI_VERSION, .name = tname, .cookie = tcookie, .flags = tflags,              \
        .rcvdata = pass_rcvdata, .rcvdata_burst = burst,                                           \
    }

const struct ng_type ngtest_pass_type =
    PASS_TYPE("pass", 0x7e570002, NG_TYPE_CONCURRENT_DATA, pass_rcvdata_burst);
const struct ng_type ngtest_pass_rw_type = PASS_TYPE("pass_rw", 0x7e570004, 0, pass_rcvdata_burst);
const struct ng_type ngtest_pass1_type =
    PASS_TYPE("pass1", 0x7e570006, NG_TYPE_CONCURRENT_DATA, NULL);
const struct ng_type ngtest_pass1_rw_type = PASS_TYPE("pass1_rw", 0x7e570008, 0, NULL);

void ngtest_register_rw(struct ng_graph *g)
{
    assert_int_equal(ng_type_register(g, &ngtest_counter_rw_type), 0);
    assert_int_equal(ng_type_register(g, &ngtest_pass_rw_type), 0);
}

void ngtest_register_single(struct ng_graph *g)
{
    assert_int_equal(ng_type_register(g, &ngtest_counter1_type), 0);
    assert_int_equal(ng_type_register(g, &ngtest_pass1_type), 0);
    assert_int_equal(ng_type_register(g, &ngtest_counter1_rw_type), 0);
    assert_int_equal(ng_type_register(g, &ngtest_pass1_rw_type), 0);
}
