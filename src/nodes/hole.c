/*
 * hole.c - the "hole" node type: a sink that frees and counts every item.
 *
 * rcvdata may run on many threads at once (NG_TYPE_CONCURRENT_DATA); the
 * counters are relaxed atomics in the node's private struct, which is freed
 * by the shutdown method (run after a grace period, when no rcvdata can
 * still be executing).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/ngraph.h>

struct hole_priv {
    _Atomic uint64_t frames, octets;
};

static int hole_constructor(struct ng_node *node)
{
    struct hole_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    ng_node_set_private(node, p);
    return 0;
}

static void hole_shutdown(struct ng_node *node)
{
    free(ng_node_private(node));
    ng_node_set_private(node, NULL);
}

static int hole_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct hole_priv *p = ng_node_private(ng_hook_node(hook));
    atomic_fetch_add_explicit(&p->frames, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->octets, ng_item_len(item), memory_order_relaxed);
    ng_item_free(item);
    return 0;
}

static int hole_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct hole_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    if (m->header.typecookie != NGM_HOLE_COOKIE) {
        ng_item_free(item);
        return -EINVAL;
    }
    switch (m->header.cmd) {
    case NGM_HOLE_GET_STATS: {
        struct ng_mesg *r = ng_mesg_response(m, sizeof(struct ng_hole_stats));
        if (!r) {
            ng_item_free(item);
            return -ENOMEM;
        }
        struct ng_hole_stats *st = (struct ng_hole_stats *)(void *)r->data;
        st->frames = atomic_load_explicit(&p->frames, memory_order_relaxed);
        st->octets = atomic_load_explicit(&p->octets, memory_order_relaxed);
        return ng_respond(item, 0, r);
    }
    case NGM_HOLE_CLR_STATS:
        atomic_store(&p->frames, 0);
        atomic_store(&p->octets, 0);
        ng_item_free(item);
        return 0;
    default:
        ng_item_free(item);
        return -EINVAL;
    }
}

static const struct ng_cmdlist hole_cmds[] = {
    {NGM_HOLE_COOKIE, NGM_HOLE_GET_STATS, "getstats", 0},
    {NGM_HOLE_COOKIE, NGM_HOLE_CLR_STATS, "clrstats", 0},
    {0, 0, NULL, 0},
};

const struct ng_type ng_hole_type = {
    .version = NG_ABI_VERSION,
    .name = NG_HOLE_NODE_TYPE,
    .cookie = NGM_HOLE_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = hole_constructor,
    .rcvmsg = hole_rcvmsg,
    .shutdown = hole_shutdown,
    .rcvdata = hole_rcvdata,
    .cmdlist = hole_cmds,
};
