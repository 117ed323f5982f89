/*
 * hop.c - the data hop: ng_send_data -> the peer hook -> its node's rcvdata.
 *
 * Read top-down: ng_send_data (the fast path, one compare to take it), the
 * delivery it tail-calls (dispatch_data), the slow path for everything
 * else (send_data_slow), then injection at a hook (ng_inject_data).  What a
 * delivery needs beyond the common case (a forced or invalid hook or node,
 * a netgraph-mode reader entry, a queue) is out of line in entry.c.
 *
 * Memory safety: every path runs inside a read-side section of the hook's
 * graph, which keeps the sending hook, its pair block (so the partner) and
 * the partner's node alive; with the rwlock backend the peer is also pinned
 * by a reference taken under the topology read lock.
 */
#include "entry.h"

static NGI_ALWAYS_INLINE int dispatch_data(struct ngi_thread *t, struct ng_hook *hook,
                                           struct ng_item *it, unsigned slot, bool excl, bool link);
static NGI_NOINLINE int send_data_slow(struct ng_hook *hook, struct ng_item *it);

/*
 * The data hop.  Fast path: a node method (or a batch, ng_batch_begin)
 * forwarding on a graph with a lock-less backend, i.e. the calling thread is
 * already inside a read-side section of hook's graph and owns an exclusive
 * statistics slot: ngi_fast_serial == hook->gserial (see ngi_enter).  The
 * section keeps hook and its pair block alive.  The peer is not loaded: the
 * two hooks of a link live in one block and the peer is the partner
 * (address arithmetic, no dependent load on the chain); a cut link shows as
 * HKF_INVALID on it.  So the hop is: the gate compare, the receiver's flags,
 * one plain counter increment per hook and a tail call of rcvdata: no
 * section entry, no reference, no shared write for shared nodes.
 */
int ng_send_data(struct ng_hook *hook, struct ng_item *it)
{
    if (NGI_LIKELY(hook != NULL && it != NULL && ngi_fast_serial == hook->gserial &&
                   it->kind == NGI_IK_DATA))
        /* t = NULL: ngi_tls[0] may belong to another graph here; the
         * out-of-line paths look the state up when they need it. */
        return dispatch_data(NULL, ngi_hook_partner(hook), it, ngi_stat_slot, true, true);
    return send_data_slow(hook, it);
}

/*
 * Deliver a data item arriving on `hook` (the receiving hook).  Caller: in a
 * read-side section of the graph (t: its state, or NULL to look it up),
 * which keeps hook, its partner and its node alive; with the rwlock backend
 * the caller also holds a reference on hook.  `link`: the item was sent out
 * of the partner hook (count it there; a cut link drops it there), else it
 * is injected at hook.  `slot` is this thread's statistics slot; `excl`
 * says it is an exclusive one (both are constants at each call site, so the
 * fast path has no branch for them).  The common cases are inline: a shared
 * node's rcvdata is called with no shared write at all; a netgraph node is
 * entered as a reader with one CAS (out of line).
 */
static NGI_ALWAYS_INLINE int dispatch_data(struct ngi_thread *t, struct ng_hook *hook,
                                           struct ng_item *it, unsigned slot, bool excl, bool link)
{
    /* Hook flags before the node: with `link`, a hook not yet seen
     * invalid guarantees its node is alive for this section (RCU: the cut
     * that marks it invalid precedes the node's release by a grace period). */
    uint32_t hf = atomic_load_explicit(&hook->flags, memory_order_acquire);
    if (NGI_UNLIKELY(hf & HKF_DATA_SLOW))
        return ngi_data_slow(t, hook, it, hf, link);
    struct ng_node *n = hook->node;
    uint32_t f = atomic_load_explicit(&n->flags, memory_order_acquire);
    if (NGI_UNLIKELY(f & NGF_DATA_SLOW))
        return ngi_data_slow(t, hook, it, hf, link);
    if (excl) {
        if (link)
            ngi_counter_add(&ngi_hook_cnt(ngi_hook_partner(hook), slot)->out, 1);
        ngi_counter_add(&ngi_hook_cnt(hook, slot)->in, 1);
    } else {
        if (link)
            NGI_HSTAT_ADD_S(ngi_hook_partner(hook), slot, out);
        NGI_HSTAT_ADD_S(hook, slot, in);
    }
    if (f & NGF_SHARED)
        return hook->rcvdata(hook, it);
    return ngi_data_reader(t, hook, it);
}

/* Everything but the nested lock-less hop: argument errors, the outermost
 * call of a thread (enters the section), the rwlock baseline, no peer. */
static NGI_NOINLINE int send_data_slow(struct ng_hook *hook, struct ng_item *it)
{
    if (!it)
        return -EINVAL;
    if (!hook || it->kind != NGI_IK_DATA) {
        ng_item_free(it);
        return -EINVAL;
    }
    struct ng_graph *g = hook->node->g;
    struct ngi_thread *t = ngi_enter(g);
    if (NGI_UNLIKELY(!t)) {
        ng_item_free(it);
        return -ENOMEM;
    }
    struct ng_hook *peer;
    bool locked = ngi_locked_backend(g);
    if (locked) {
        /* Baseline: FreeBSD's design.  Topology read lock around the peer
         * lookup, a reference pins the peer across the call. */
        g->bops->topo_rlock(g->backend);
        peer = atomic_load_explicit(&hook->peer, memory_order_acquire);
        if (peer && !ngi_hook_tryref(peer))
            peer = NULL;
        g->bops->topo_runlock(g->backend);
    } else {
        /* Lock-less: the read-side section keeps peer and its node alive. */
        peer = atomic_load_explicit(&hook->peer, memory_order_acquire);
    }
    int rc;
    if (NGI_UNLIKELY(!peer)) {
        rc = ngi_drop_notconn(hook, it);
    } else {
        rc = dispatch_data(t, peer, it, ngi_stat_slot, false, true);
        if (locked)
            ng_hook_unref(peer);
    }
    ngi_exit(t);
    return rc;
}

int ng_inject_data(struct ng_node *n, const char *hookname, struct ng_item *it)
{
    if (!it)
        return -EINVAL;
    if (!n || !hookname || it->kind != NGI_IK_DATA) {
        ng_item_free(it);
        return -EINVAL;
    }
    struct ng_graph *g = n->g;
    struct ngi_thread *t = ngi_enter(g);
    if (!t) {
        ng_item_free(it);
        return -ENOMEM;
    }
    ngi_topo_rlock(g);
    struct ng_hook *h = ngi_findhook(n, hookname);
    bool ok = h && ngi_hook_tryref(h);
    ngi_topo_runlock(g);
    int rc;
    if (!ok) {
        ng_item_drop(it, NG_DROP_NOTCONN);
        rc = -ENOENT;
    } else {
        rc = ngi_dispatch_data(t, h, it);
        ng_hook_unref(h);
    }
    ngi_exit(t);
    return rc;
}

int ngi_dispatch_data(struct ngi_thread *t, struct ng_hook *hook, struct ng_item *it)
{
    return dispatch_data(t, hook, it, ngi_stat_slot, false, false);
}
