/*
 * nodes.c - the test node types shared by every test (see ngtest.h).
 *
 * Each type comes in two flavours built from the same methods: shared
 * (NG_TYPE_CONCURRENT_DATA, rcvdata runs concurrently on any number of
 * threads) and netgraph (no flag: data entries are readers under the node's
 * reader/writer discipline, so writers and forced-writer / forced-queue
 * nodes make items go through the node queue).
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

#define COUNTER_TYPE(tname, tcookie, tflags)                                                       \
    {                                                                                              \
        .version = NG_ABI_VERSION, .name = tname, .cookie = tcookie, .flags = tflags,              \
        .constructor = counter_ctor, .shutdown = counter_shutdown, .rcvdata = counter_rcvdata,     \
    }

const struct ng_type ngtest_counter_type =
    COUNTER_TYPE("counter", 0x7e570001, NG_TYPE_CONCURRENT_DATA);
const struct ng_type ngtest_counter_rw_type = COUNTER_TYPE("counter_rw", 0x7e570003, 0);

uint64_t ngtest_counter_get(struct ng_node *node)
{
    struct ngtest_counter *c = ng_node_private(node);
    return atomic_load(&c->items);
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

#define PASS_TYPE(tname, tcookie, tflags)                                                          \
    {                                                                                              \
        .version = NG_ABI_VERSION, .name = tname, .cookie = tcookie, .flags = tflags,              \
        .rcvdata = pass_rcvdata,                                                                   \
    }

const struct ng_type ngtest_pass_type = PASS_TYPE("pass", 0x7e570002, NG_TYPE_CONCURRENT_DATA);
const struct ng_type ngtest_pass_rw_type = PASS_TYPE("pass_rw", 0x7e570004, 0);

void ngtest_register_rw(struct ng_graph *g)
{
    assert_int_equal(ng_type_register(g, &ngtest_counter_rw_type), 0);
    assert_int_equal(ng_type_register(g, &ngtest_pass_rw_type), 0);
}
