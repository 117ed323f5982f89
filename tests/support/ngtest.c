#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ngtest.h"

enum ng_backend ngtest_backend(void)
{
    const char *s = getenv("NG_BACKEND");
    enum ng_backend b = NG_BACKEND_CK_EPOCH;
    if (s && *s && ng_backend_parse(s, &b) != 0)
        fail_msg("unknown NG_BACKEND=%s", s);
    return b;
}

static int counter_ctor(struct ng_node *node)
{
    struct ngtest_counter *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    ng_node_set_private(node, c);
    return 0;
}

static void counter_shutdown(struct ng_node *node)
{
    free(ng_node_private(node));
}

static int counter_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct ngtest_counter *c = ng_node_private(ng_hook_node(hook));
    atomic_fetch_add_explicit(&c->items, 1, memory_order_relaxed);
    ng_item_free(item);
    return 0;
}

const struct ng_type ngtest_counter_type = {
    .version = NG_ABI_VERSION,
    .name = "counter",
    .cookie = 0x7e570001,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = counter_ctor,
    .shutdown = counter_shutdown,
    .rcvdata = counter_rcvdata,
};

uint64_t ngtest_counter_get(struct ng_node *node)
{
    struct ngtest_counter *c = ng_node_private(node);
    return atomic_load(&c->items);
}

static int pass_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    const char *in = ng_hook_name(hook);
    struct ng_hook *out;
    struct ng_node *node = ng_hook_node(hook);
    if (ng_hook_find(node, strcmp(in, "in") == 0 ? "out" : "in", &out) != 0) {
        ng_item_free(item);
        return -ENOTCONN;
    }
    int rc = ng_send_data(out, item);
    ng_hook_unref(out);
    return rc;
}

const struct ng_type ngtest_pass_type = {
    .version = NG_ABI_VERSION,
    .name = "pass",
    .cookie = 0x7e570002,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .rcvdata = pass_rcvdata,
};

struct ng_graph *ngtest_graph(void)
{
    struct ng_graph_config cfg;
    ng_graph_config_init(&cfg);
    cfg.backend = ngtest_backend();
    struct ng_graph *g = NULL;
    assert_int_equal(ng_graph_create(&cfg, &g), 0);
    assert_non_null(g);
    assert_int_equal(ng_type_register(g, &ngtest_counter_type), 0);
    assert_int_equal(ng_type_register(g, &ngtest_pass_type), 0);
    return g;
}

struct ng_item *ngtest_item(struct ng_graph *g, uint32_t len, uint8_t fill)
{
    struct ng_item *it = ng_item_alloc(g, len);
    assert_non_null(it);
    memset(ng_item_data(it), fill, len);
    return it;
}

struct ng_hook *ngtest_link(struct ng_graph *g, const char *type, struct ng_node **srcp,
                            struct ng_node **dstp)
{
    assert_int_equal(ng_node_create(g, "hole", srcp), 0);
    assert_int_equal(ng_node_create(g, type, dstp), 0);
    assert_int_equal(ng_connect(*srcp, "out", *dstp, "in"), 0);
    struct ng_hook *h = NULL;
    assert_int_equal(ng_hook_find(*srcp, "out", &h), 0);
    return h;
}

int ngtest_msg(struct ng_graph *g, const char *path, uint32_t cookie, uint32_t cmd,
               struct ng_mesg **resp)
{
    struct ng_mesg *m = ng_mesg_alloc(cookie, cmd, 0);
    assert_non_null(m);
    return ng_send_msg(g, NULL, path, m, resp);
}

uint64_t ngtest_drops(const struct ng_graph_stats *st)
{
    uint64_t d = 0;
    for (int i = 0; i < NG_DROP_REASONS; i++)
        d += st->drops[i];
    return d;
}

uint64_t ngtest_splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double ngtest_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
