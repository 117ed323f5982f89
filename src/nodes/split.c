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
 * that arrives while connect runs is already routed.  Counters are
 * per-thread (ng_pcounter), summed when read.  The private struct is freed
 * by shutdown, after a grace period.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes/split.h>
#include <ngraph/runtime.h>

enum { SPLIT_IN, SPLIT_OUT, SPLIT_MIXED, SPLIT_NHOOKS };
static const char *const split_names[SPLIT_NHOOKS] = {NG_SPLIT_HOOK_IN, NG_SPLIT_HOOK_OUT,
                                                      NG_SPLIT_HOOK_MIXED};
/* Where data received on each hook goes (-1: illegal). */
static const int split_dest[SPLIT_NHOOKS] = {SPLIT_MIXED, -1, SPLIT_OUT};

/* Counters (p->st, per thread): SP_NST per hook from SP_NST * hook, then
 * the node's two. */
enum { SP_IN_FRAMES, SP_IN_OCTETS, SP_OUT_FRAMES, SP_OUT_OCTETS, SP_NST };
enum {
    SP_ILLEGAL = SPLIT_NHOOKS * SP_NST, /* frames received on "out" */
    SP_NO_PEER,                         /* frames whose way out was not connected */
    SP_COUNT
};

struct split_priv {
    _Atomic(struct ng_hook *) hook[SPLIT_NHOOKS];
    struct ng_pcounter *st; /* SP_COUNT */
};

static int split_constructor(struct ng_node *node)
{
    struct split_priv *p = calloc(1, sizeof(*p));
    if (!p || ng_pcounter_create(SP_COUNT, &p->st) != 0) {
        free(p);
        return -ENOMEM;
    }
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
    struct split_priv *p = ng_node_private(node);
    ng_pcounter_destroy(p->st);
    free(p);
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

/* One frame of len bytes in (SP_IN_FRAMES) or out (SP_OUT_FRAMES) of hook i. */
static void split_count(struct split_priv *p, int i, unsigned which, uint32_t len)
{
    ng_pcounter_add2(p->st, (unsigned)i * SP_NST + which, 1, len);
}

static int split_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct split_priv *p = ng_node_private(ng_hook_node(hook));
    int from = (int)(uintptr_t)ng_hook_private(hook) - 1;
    uint32_t len = ng_item_len(item);
    split_count(p, from, SP_IN_FRAMES, len);
    int to = split_dest[from];
    if (to < 0) {
        ng_pcounter_add(p->st, SP_ILLEGAL, 1);
        ng_item_free(item);
        return -EINVAL;
    }
    struct ng_hook *out = atomic_load_explicit(&p->hook[to], memory_order_acquire);
    if (!out) {
        ng_pcounter_add(p->st, SP_NO_PEER, 1);
        ng_item_drop(item, NG_DROP_NOTCONN);
        return -ENOTCONN;
    }
    int rc = ng_send_data(out, item);
    if (rc == 0)
        split_count(p, to, SP_OUT_FRAMES, len);
    return rc;
}

static unsigned long long split_get(struct split_priv *p, unsigned i)
{
    return (unsigned long long)ng_pcounter_read(p->st, i);
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
        unsigned c = (unsigned)i * SP_NST;
        int n = snprintf(r->data + len, NG_TEXTRESPONSE - len,
                         "%s: %s inFrames=%llu inOctets=%llu outFrames=%llu outOctets=%llu\n",
                         split_names[i], atomic_load(&p->hook[i]) ? "connected" : "unconnected",
                         split_get(p, c + SP_IN_FRAMES), split_get(p, c + SP_IN_OCTETS),
                         split_get(p, c + SP_OUT_FRAMES), split_get(p, c + SP_OUT_OCTETS));
        len += n > 0 ? (size_t)n : 0;
    }
    snprintf(r->data + len, NG_TEXTRESPONSE - len, "illegal=%llu noPeer=%llu\n",
             split_get(p, SP_ILLEGAL), split_get(p, SP_NO_PEER));
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
