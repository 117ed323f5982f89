/*
 * tee.c - the "tee" node type (netgraph's ng_tee): a pass-through between
 * "left" and "right" that copies traffic to "right2left" / "left2right".
 *
 * Concurrency: rcvdata may run concurrently with itself and with the
 * control-side methods (newhook/disconnect run under the graph control lock).
 * The four hook slots are atomic pointers written only by newhook/disconnect
 * and read by rcvdata; a hook read just before disconnect cleared it is still
 * valid memory (grace period) and sending on it drops with -ENOTCONN.
 * Counters are relaxed atomics.  The private struct is freed by shutdown,
 * which runs after a grace period.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/ngraph.h>

enum { TEE_RIGHT, TEE_LEFT, TEE_R2L, TEE_L2R, TEE_NHOOKS };
static const char *const tee_names[TEE_NHOOKS] = {"right", "left", "right2left", "left2right"};

struct tee_stat {
    _Atomic uint64_t in_frames, in_octets, out_frames, out_octets;
};

struct tee_priv {
    _Atomic(struct ng_hook *) hook[TEE_NHOOKS];
    struct tee_stat st[TEE_NHOOKS];
};

/* Where data arriving on each hook goes, and where its copy goes. */
static const int tee_dest[TEE_NHOOKS] = {TEE_LEFT, TEE_RIGHT, TEE_LEFT, TEE_RIGHT};
static const int tee_dup[TEE_NHOOKS] = {TEE_R2L, TEE_L2R, -1, -1};

static int tee_constructor(struct ng_node *node)
{
    struct tee_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    ng_node_set_private(node, p);
    return 0;
}

static void tee_shutdown(struct ng_node *node)
{
    free(ng_node_private(node));
    ng_node_set_private(node, NULL);
}

static int tee_slot(const char *name)
{
    for (int i = 0; i < TEE_NHOOKS; i++)
        if (strcmp(name, tee_names[i]) == 0)
            return i;
    return -1;
}

static int tee_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    struct tee_priv *p = ng_node_private(node);
    int i = tee_slot(name);
    if (i < 0)
        return -EINVAL;
    if (atomic_load(&p->hook[i]))
        return -EISCONN;
    ng_hook_set_private(hook, (void *)(intptr_t)i);
    atomic_store_explicit(&p->hook[i], hook, memory_order_release);
    return 0;
}

static int tee_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct tee_priv *p = ng_node_private(node);
    int i = (int)(intptr_t)ng_hook_private(hook);
    struct ng_hook *expect = hook;
    atomic_compare_exchange_strong(&p->hook[i], &expect, NULL);
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

static void count(struct tee_stat *s, bool in, uint32_t len)
{
    if (in) {
        atomic_fetch_add_explicit(&s->in_frames, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&s->in_octets, len, memory_order_relaxed);
    } else {
        atomic_fetch_add_explicit(&s->out_frames, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&s->out_octets, len, memory_order_relaxed);
    }
}

static int tee_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct tee_priv *p = ng_node_private(ng_hook_node(hook));
    int from = (int)(intptr_t)ng_hook_private(hook);
    uint32_t len = ng_item_len(item);
    count(&p->st[from], true, len);

    int d = tee_dup[from];
    struct ng_hook *dup = d >= 0 ? atomic_load_explicit(&p->hook[d], memory_order_acquire) : NULL;
    if (dup) {
        struct ng_item *copy = ng_item_copy(item);
        if (copy) {
            if (ng_send_data(dup, copy) == 0)
                count(&p->st[d], false, len);
        } else {
            ng_count_drop(ng_node_graph(ng_hook_node(hook)), NG_DROP_NOBUFS);
        }
    }
    int o = tee_dest[from];
    struct ng_hook *out = atomic_load_explicit(&p->hook[o], memory_order_acquire);
    if (!out) {
        ng_item_drop(item, NG_DROP_NOTCONN);
        return -ENOTCONN;
    }
    int rc = ng_send_data(out, item);
    if (rc == 0)
        count(&p->st[o], false, len);
    return rc;
}

static void tee_fill(struct ng_tee_hookstat *o, struct tee_stat *s)
{
    o->in_frames = atomic_load_explicit(&s->in_frames, memory_order_relaxed);
    o->in_octets = atomic_load_explicit(&s->in_octets, memory_order_relaxed);
    o->out_frames = atomic_load_explicit(&s->out_frames, memory_order_relaxed);
    o->out_octets = atomic_load_explicit(&s->out_octets, memory_order_relaxed);
}

static int tee_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct tee_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    if (m->header.typecookie != NGM_TEE_COOKIE) {
        ng_item_free(item);
        return -EINVAL;
    }
    switch (m->header.cmd) {
    case NGM_TEE_GET_STATS: {
        struct ng_mesg *r = ng_mesg_response(m, sizeof(struct ng_tee_stats));
        if (!r) {
            ng_item_free(item);
            return -ENOMEM;
        }
        struct ng_tee_stats *st = (struct ng_tee_stats *)(void *)r->data;
        tee_fill(&st->right, &p->st[TEE_RIGHT]);
        tee_fill(&st->left, &p->st[TEE_LEFT]);
        tee_fill(&st->right2left, &p->st[TEE_R2L]);
        tee_fill(&st->left2right, &p->st[TEE_L2R]);
        return ng_respond(item, 0, r);
    }
    case NGM_TEE_CLR_STATS:
        for (int i = 0; i < TEE_NHOOKS; i++) {
            atomic_store(&p->st[i].in_frames, 0);
            atomic_store(&p->st[i].in_octets, 0);
            atomic_store(&p->st[i].out_frames, 0);
            atomic_store(&p->st[i].out_octets, 0);
        }
        ng_item_free(item);
        return 0;
    default:
        ng_item_free(item);
        return -EINVAL;
    }
}

static const struct ng_cmdlist tee_cmds[] = {
    {NGM_TEE_COOKIE, NGM_TEE_GET_STATS, "getstats", 0},
    {NGM_TEE_COOKIE, NGM_TEE_CLR_STATS, "clrstats", 0},
    {0, 0, NULL, 0},
};

const struct ng_type ng_tee_type = {
    .version = NG_ABI_VERSION,
    .name = NG_TEE_NODE_TYPE,
    .cookie = NGM_TEE_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = tee_constructor,
    .rcvmsg = tee_rcvmsg,
    .shutdown = tee_shutdown,
    .newhook = tee_newhook,
    .rcvdata = tee_rcvdata,
    .disconnect = tee_disconnect,
    .cmdlist = tee_cmds,
};
