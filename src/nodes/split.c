/*
 * split.c - the "split" node type (FreeBSD's ng_split(4)): splits the
 * bidirectional stream of "mixed" into two unidirectional ones.  Data
 * received on "in" goes out "mixed", data received on "mixed" goes out
 * "out"; data received on "out" is illegal: freed, counted and refused with
 * -EINVAL.  Data whose way out is not connected is dropped (NG_DROP_NOTCONN)
 * with -ENOTCONN.  Only the generic messages (and TEXT_STATUS: counters).
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA).  The three hook slots are atomic
 * pointers, claimed by connect (compare-and-swap from NULL, so a hook the
 * other node refused never holds one) and cleared by disconnect, both under
 * the graph's control lock; rcvdata loads them with acquire.  A hook loaded
 * just before disconnect cleared it is valid memory until a grace period
 * after its removal (sending on it drops with -ENOTCONN).  The hook's own
 * slot index is its private pointer (index + 1), set by newhook, so data
 * that arrives while connect runs is already routed.  Counters are relaxed
 * atomics.  The private struct is freed by shutdown, after a grace period.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes/split.h>

enum { SPLIT_IN, SPLIT_OUT, SPLIT_MIXED, SPLIT_NHOOKS };
static const char *const split_names[SPLIT_NHOOKS] = {NG_SPLIT_HOOK_IN, NG_SPLIT_HOOK_OUT,
                                                      NG_SPLIT_HOOK_MIXED};
/* Where data received on each hook goes (-1: illegal). */
static const int split_dest[SPLIT_NHOOKS] = {SPLIT_MIXED, -1, SPLIT_OUT};

struct split_stat {
    _Atomic uint64_t in_frames, in_octets, out_frames, out_octets;
};

struct split_priv {
    _Atomic(struct ng_hook *) hook[SPLIT_NHOOKS];
    struct split_stat st[SPLIT_NHOOKS];
    _Atomic uint64_t illegal; /* frames received on "out" */
    _Atomic uint64_t no_peer; /* frames whose way out was not connected */
};

static int split_constructor(struct ng_node *node)
{
    struct split_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    ng_node_set_private(node, p);
    return 0;
}

static void split_shutdown(struct ng_node *node)
{
    /* A persistent node revives (ng_node_set_persistent): its hooks are gone
     * (their disconnect methods cleared what referred to them) and it keeps
     * its state; freeing it here would leave the revived node without one. */
    if (ng_node_is_valid(node))
        return;
    free(ng_node_private(node));
    ng_node_set_private(node, NULL);
}

static int split_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    struct split_priv *p = ng_node_private(node);
    for (int i = 0; i < SPLIT_NHOOKS; i++) {
        if (strcmp(name, split_names[i]) != 0)
            continue;
        if (atomic_load_explicit(&p->hook[i], memory_order_relaxed))
            return -EISCONN;
        ng_hook_set_private(hook, (void *)(uintptr_t)(i + 1));
        return 0;
    }
    return -EINVAL;
}

static int split_connect(struct ng_hook *hook)
{
    struct split_priv *p = ng_node_private(ng_hook_node(hook));
    int i = (int)(uintptr_t)ng_hook_private(hook) - 1;
    struct ng_hook *expect = NULL;
    if (!atomic_compare_exchange_strong(&p->hook[i], &expect, hook))
        return -EISCONN;
    return 0;
}

static int split_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct split_priv *p = ng_node_private(node);
    int i = (int)(uintptr_t)ng_hook_private(hook) - 1;
    struct ng_hook *expect = hook;
    atomic_compare_exchange_strong(&p->hook[i], &expect, NULL);
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

static void split_count(_Atomic uint64_t *frames, _Atomic uint64_t *octets, uint32_t len)
{
    atomic_fetch_add_explicit(frames, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(octets, len, memory_order_relaxed);
}

static int split_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct split_priv *p = ng_node_private(ng_hook_node(hook));
    int from = (int)(uintptr_t)ng_hook_private(hook) - 1;
    uint32_t len = ng_item_len(item);
    split_count(&p->st[from].in_frames, &p->st[from].in_octets, len);
    int to = split_dest[from];
    if (to < 0) {
        atomic_fetch_add_explicit(&p->illegal, 1, memory_order_relaxed);
        ng_item_free(item);
        return -EINVAL;
    }
    struct ng_hook *out = atomic_load_explicit(&p->hook[to], memory_order_acquire);
    if (!out) {
        atomic_fetch_add_explicit(&p->no_peer, 1, memory_order_relaxed);
        ng_item_drop(item, NG_DROP_NOTCONN);
        return -ENOTCONN;
    }
    int rc = ng_send_data(out, item);
    if (rc == 0)
        split_count(&p->st[to].out_frames, &p->st[to].out_octets, len);
    return rc;
}

static uint64_t split_get(_Atomic uint64_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

static int split_status(struct split_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    size_t len = 0;
    for (int i = 0; i < SPLIT_NHOOKS; i++) {
        struct split_stat *s = &p->st[i];
        int n = snprintf(r->data + len, NG_TEXTRESPONSE - len,
                         "%s: %s inFrames=%llu inOctets=%llu outFrames=%llu outOctets=%llu\n",
                         split_names[i], atomic_load(&p->hook[i]) ? "connected" : "unconnected",
                         (unsigned long long)split_get(&s->in_frames),
                         (unsigned long long)split_get(&s->in_octets),
                         (unsigned long long)split_get(&s->out_frames),
                         (unsigned long long)split_get(&s->out_octets));
        len += n > 0 ? (size_t)n : 0;
    }
    snprintf(r->data + len, NG_TEXTRESPONSE - len, "illegal=%llu noPeer=%llu\n",
             (unsigned long long)split_get(&p->illegal),
             (unsigned long long)split_get(&p->no_peer));
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

static int split_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    const struct ng_mesg *m = ng_item_msg(item);
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS &&
        !(m->header.flags & NGF_RESP))
        return split_status(ng_node_private(node), item);
    int rc = (m->header.flags & NGF_RESP) ? 0 : -EINVAL;
    ng_item_free(item);
    return rc;
}

const struct ng_type ng_split_type = {
    .version = NG_ABI_VERSION,
    .name = NG_SPLIT_NODE_TYPE,
    .cookie = NGM_SPLIT_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = split_constructor,
    .rcvmsg = split_rcvmsg,
    .shutdown = split_shutdown,
    .newhook = split_newhook,
    .connect = split_connect,
    .rcvdata = split_rcvdata,
    .disconnect = split_disconnect,
};
