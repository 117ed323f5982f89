/*
 * hop.c - the data hop: ng_send_data -> the peer hook -> its node's rcvdata.
 *
 * Read top-down: ng_send_data (the fast path, one compare to take it), the
 * delivery it tail-calls (dispatch_data), the slow path for everything
 * else (send_data_slow), then injection at a hook (ng_inject_data), then
 * the same four for bursts (ng_send_data_burst, dispatch_burst,
 * send_burst_slow, ng_inject_data_burst).  What a
 * delivery needs beyond the common case (a forced or invalid hook or node,
 * a netgraph-mode reader entry, a queue) is out of line in entry.c.
 *
 * Loops: every entry compares the stack pointer with the thread's floor
 * (NGI_STACK_LOW, datapath.h): hops nested that deep are a loop in the
 * graph; and every delivery counts the item's hops (it->hops): with tail
 * calls a loop may not grow the stack at all, and NG_HOP_LIMIT hops are
 * a loop too (4096: a legitimate path is far shorter, and a loop's nested
 * frames stay within what sanitizers can record).  Either way the item is
 * dropped (NG_DROP_LOOP), not run for ever.
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
static NGI_ALWAYS_INLINE int dispatch_burst(struct ngi_thread *t, struct ng_hook *hook,
                                            struct ng_item **items, unsigned n, unsigned slot,
                                            bool excl, bool link);
static NGI_NOINLINE int send_burst_slow(struct ng_hook *hook, struct ng_item **items, unsigned n);

/*
 * The data hop.  Fast path: a node method (or a batch, ng_batch_begin)
 * forwarding on a graph with a lock-less backend, i.e. the calling thread is
 * already inside a read-side section of hook's graph and owns an exclusive
 * statistics slot: ngi_fast_serial == hook->gserial (see ngi_enter).  The
 * section keeps hook and its pair block alive.  The peer is not loaded: the
 * two hooks of a link live in one block and the peer is the partner
 * (address arithmetic, no dependent load on the chain); a cut link shows as
 * HKF_INVALID on it.  So the hop is: the gate compare, the receiver's flags,
 * one plain counter increment (the receiver's "in") and a tail call of
 * rcvdata: no
 * section entry, no reference, no shared write for shared nodes.
 */
int ng_send_data(struct ng_hook *hook, struct ng_item *it)
{
    if (NGI_LIKELY(hook != NULL && it != NULL && ngi_fast_serial == hook->gserial &&
                   it->kind == NGI_IK_DATA && !NGI_STACK_LOW()))
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
/* The hop limit refused items arriving on hook: counted at the sending
 * hook (`link`) or at the node they were injected into. */
static NGI_NOINLINE int hop_limit_drop(struct ng_hook *hook, struct ng_item **items, unsigned n,
                                       bool link)
{
    return link ? ngi_drop_loop(NULL, ngi_hook_partner(hook), items, n)
                : ngi_drop_loop(hook->node, NULL, items, n);
}
/* The same for one item, taken by value: dispatch_data must not take the
 * address of its item, or the item would live in a stack frame and the
 * hop's call of rcvdata could no longer be a tail jump. */
static NGI_NOINLINE int hop_limit_drop1(struct ng_hook *hook, struct ng_item *it, bool link)
{
    return hop_limit_drop(hook, &it, 1, link);
}

/* One counter per hop: the receiver's "in" (and "inj" for an injected
 * item).  The sender's "out" is derived on read (its own not-delivered
 * count + the partner's in - the partner's inj, stats/stats.c). */
static NGI_ALWAYS_INLINE void count_in(struct ng_hook *hook, unsigned slot, bool excl, bool link,
                                       unsigned n)
{
    if (excl) {
        ngi_counter_add(&ngi_hook_cnt(hook, slot)->in, n);
        if (!link)
            ngi_counter_add(&ngi_hook_cnt(hook, slot)->inj, n);
    } else {
        NGI_HSTAT_ADD_NS(hook, slot, in, n);
        if (!link)
            NGI_HSTAT_ADD_NS(hook, slot, inj, n);
    }
}

static NGI_ALWAYS_INLINE int dispatch_data(struct ngi_thread *t, struct ng_hook *hook,
                                           struct ng_item *it, unsigned slot, bool excl, bool link)
{
    /* The loop guard's hop count (it->kind's cache line, already loaded
     * by the gate): past NG_HOP_LIMIT, a loop. */
    if (NGI_UNLIKELY(++it->hops > NG_HOP_LIMIT))
        return hop_limit_drop1(hook, it, link);
    /* Hook flags before the node: with `link`, a hook not yet seen
     * invalid guarantees its node is alive for this section (RCU: the cut
     * that marks it invalid precedes the node's release by a grace period). */
    uint32_t hf = atomic_load_explicit(&hook->flags, memory_order_acquire);
    if (NGI_UNLIKELY(hf & HKF_DATA_SLOW))
        return ngi_data_slow(t, hook, it, hf, link);
    /* A shared node with nothing forcing, mirrored in the hook: no load
     * of the node at all. */
    if (NGI_LIKELY(hf & HKF_NFAST)) {
        count_in(hook, slot, excl, link, 1);
        return hook->rcvdata(hook, it);
    }
    struct ng_node *n = hook->node;
    uint32_t f = atomic_load_explicit(&n->flags, memory_order_acquire);
    if (NGI_UNLIKELY(f & NGF_DATA_SLOW))
        return ngi_data_slow(t, hook, it, hf, link);
    count_in(hook, slot, excl, link, 1);
    if (f & NGF_SHARED)
        return hook->rcvdata(hook, it);
    return ngi_data_reader(t, hook, it);
}

/* The slow paths' peer lookup (caller in a section of g): NULL if hook is
 * not connected.  `locked` (the rwlock baseline, FreeBSD's design): under
 * the topology read lock, and the peer is returned with a reference that
 * pins it across the call; lock-less: the section keeps the peer and its
 * node alive. */
static struct ng_hook *slow_peer(struct ng_graph *g, struct ng_hook *hook, bool locked)
{
    if (!locked)
        return atomic_load_explicit(&hook->peer, memory_order_acquire);
    g->bops->topo_rlock(g->backend);
    struct ng_hook *peer = atomic_load_explicit(&hook->peer, memory_order_acquire);
    if (peer && !ngi_hook_tryref(peer))
        peer = NULL;
    g->bops->topo_runlock(g->backend);
    return peer;
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
    if (NGI_STACK_LOW()) {
        int rc = ngi_drop_loop(NULL, hook, &it, 1);
        ngi_exit(t);
        return rc;
    }
    bool locked = ngi_locked_backend(g);
    struct ng_hook *peer = slow_peer(g, hook, locked);
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
    } else if (NGI_STACK_LOW()) {
        rc = ngi_drop_loop(n, NULL, &it, 1);
        ng_hook_unref(h);
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

/* ------------------------------------------------------------------------ */
/* Bursts                                                                   */
/* ------------------------------------------------------------------------ */

/* Every item of items[0..n) is a data item (n <= NG_BURST_MAX). */
static bool burst_valid(struct ng_item *const *items, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (!items[i] || items[i]->kind != NGI_IK_DATA)
            return false;
    return true;
}

/* Free the non-NULL items of a refused burst (uncounted, as ng_send_data's
 * -EINVAL); returns -EINVAL. */
static int burst_refuse(struct ng_item **items, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        ng_item_free(items[i]); /* NULL is ignored */
    return -EINVAL;
}

/*
 * The burst hop: ng_send_data's fast path for n items at once.  Same gate
 * (ngi_fast_serial == hook->gserial); the items are not checked one by one
 * here (that would load every item's header on every hop): inside a
 * read-side section they were checked where they entered the graph
 * (send_burst_slow, ng_inject_data_burst, ng_runtime_submit_burst), which
 * NGI_ASSERT re-checks in debug builds.  n == 0, n > NG_BURST_MAX and NULL
 * arguments fail the gate's range checks and are answered by the slow path.
 */
int ng_send_data_burst(struct ng_hook *hook, struct ng_item **items, unsigned n)
{
    if (NGI_LIKELY(n - 1u < NG_BURST_MAX && hook != NULL && items != NULL &&
                   ngi_fast_serial == hook->gserial && !NGI_STACK_LOW())) {
        NGI_ASSERT(burst_valid(items, n));
        return dispatch_burst(NULL, ngi_hook_partner(hook), items, n, ngi_stat_slot, true, true);
    }
    return send_burst_slow(hook, items, n);
}

/*
 * Deliver a burst arriving on `hook`: dispatch_data for n items.  The
 * flags are read once for the burst (invariant as in dispatch_data: hook
 * before node, so a hook not seen invalid keeps its node alive for this
 * section), each hook's counter moves once by n, and the node is entered
 * once: shared mode with no shared write, netgraph mode with one reader
 * CAS (ngi_burst_reader).  Forced, cut or dying cases: ngi_burst_slow.
 */
static NGI_ALWAYS_INLINE int dispatch_burst(struct ngi_thread *t, struct ng_hook *hook,
                                            struct ng_item **items, unsigned n, unsigned slot,
                                            bool excl, bool link)
{
    NGI_ASSERT(n >= 1 && n <= NG_BURST_MAX);
    /* The loop guard counts a burst's hops on its first item. */
    if (NGI_UNLIKELY(++items[0]->hops > NG_HOP_LIMIT))
        return hop_limit_drop(hook, items, n, link);
    uint32_t hf = atomic_load_explicit(&hook->flags, memory_order_acquire);
    if (NGI_UNLIKELY(hf & HKF_DATA_SLOW))
        return ngi_burst_slow(t, hook, items, n, hf, link);
    struct ng_node *nd = hook->node;
    if (NGI_LIKELY(hf & HKF_NFAST)) { /* as dispatch_data */
        count_in(hook, slot, excl, link, n);
        return ngi_deliver_burst(hook, nd, items, n);
    }
    uint32_t f = atomic_load_explicit(&nd->flags, memory_order_acquire);
    if (NGI_UNLIKELY(f & NGF_DATA_SLOW))
        return ngi_burst_slow(t, hook, items, n, hf, link);
    count_in(hook, slot, excl, link, n);
    if (f & NGF_SHARED)
        return ngi_deliver_burst(hook, nd, items, n);
    return ngi_burst_reader(t, hook, items, n);
}

/* Everything but the nested lock-less burst hop (see send_data_slow);
 * here every item is checked before anything is sent. */
static NGI_NOINLINE int send_burst_slow(struct ng_hook *hook, struct ng_item **items, unsigned n)
{
    if (n == 0)
        return 0;
    if (!items)
        return -EINVAL;
    if (!hook || n > NG_BURST_MAX || !burst_valid(items, n))
        return burst_refuse(items, n);
    struct ng_graph *g = hook->node->g;
    struct ngi_thread *t = ngi_enter(g);
    if (NGI_UNLIKELY(!t)) {
        for (unsigned i = 0; i < n; i++)
            ng_item_free(items[i]);
        return -ENOMEM;
    }
    if (NGI_STACK_LOW()) {
        int rc = ngi_drop_loop(NULL, hook, items, n);
        ngi_exit(t);
        return rc;
    }
    bool locked = ngi_locked_backend(g);
    struct ng_hook *peer = slow_peer(g, hook, locked);
    int rc;
    if (NGI_UNLIKELY(!peer)) {
        rc = ngi_drop_notconn_burst(hook, items, n);
    } else {
        rc = dispatch_burst(t, peer, items, n, ngi_stat_slot, false, true);
        if (locked)
            ng_hook_unref(peer);
    }
    ngi_exit(t);
    return rc;
}

int ng_inject_data_burst(struct ng_node *nd, const char *hookname, struct ng_item **items,
                         unsigned n)
{
    if (n == 0)
        return 0;
    if (!items)
        return -EINVAL;
    if (!nd || !hookname || n > NG_BURST_MAX || !burst_valid(items, n))
        return burst_refuse(items, n);
    struct ng_graph *g = nd->g;
    struct ngi_thread *t = ngi_enter(g);
    if (!t) {
        for (unsigned i = 0; i < n; i++)
            ng_item_free(items[i]);
        return -ENOMEM;
    }
    ngi_topo_rlock(g);
    struct ng_hook *h = ngi_findhook(nd, hookname);
    bool ok = h && ngi_hook_tryref(h);
    ngi_topo_runlock(g);
    int rc;
    if (!ok) {
        for (unsigned i = 0; i < n; i++)
            ng_item_drop(items[i], NG_DROP_NOTCONN);
        rc = -ENOENT;
    } else if (NGI_STACK_LOW()) {
        rc = ngi_drop_loop(nd, NULL, items, n);
        ng_hook_unref(h);
    } else {
        rc = dispatch_burst(t, h, items, n, ngi_stat_slot, false, false);
        ng_hook_unref(h);
    }
    ngi_exit(t);
    return rc;
}
