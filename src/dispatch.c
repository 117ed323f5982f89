/*
 * dispatch.c - entering nodes: netgraph's reader/writer discipline without a
 * mutex, the per-node input queue, and the data path (ng_send_data).
 *
 * Node entry (node->qstate, see NGQ_* in internal.h):
 *   - A reader enters with one CAS (readers + 1) if no writer is inside and
 *     nothing is pending in the queue; a writer enters with one CAS if the
 *     node is empty and nothing is pending.  Otherwise the item is pushed on
 *     the node's MPSC queue and PENDING is set.
 *   - Whoever sets DRAIN (a single CAS) owns the queue: it pops items in FIFO
 *     order and runs each one once it can enter (reader: no writer inside;
 *     writer: nobody inside).  If the head item cannot enter, the owner parks
 *     it in node->held and releases DRAIN; the last reader or the writer
 *     leaving sees PENDING and takes DRAIN over.
 *   - DRAIN is handed to a runtime worker if one runs (ng_runtime_schedule),
 *     otherwise the owner drains inline.  The owner holds a node reference
 *     while it owns DRAIN.
 *   - "Shared" nodes (NG_TYPE_CONCURRENT_DATA, no forcing flags) are entered
 *     for data with no shared write at all: their rcvdata is called directly.
 * Memory: entry CASes are acquire, leaves are release, so everything a
 * method wrote is visible to the next method run on the node.
 */
#include <stdlib.h>

#include "internal.h"

/* ------------------------------------------------------------------------ */
/* qstate transitions                                                       */
/* ------------------------------------------------------------------------ */

static inline bool try_read(struct ng_node *n)
{
    uint32_t s = atomic_load_explicit(&n->qstate, memory_order_relaxed);
    while (!(s & (NGQ_WRITER | NGQ_PENDING)))
        if (atomic_compare_exchange_weak_explicit(&n->qstate, &s, s + 1, memory_order_acquire,
                                                  memory_order_relaxed))
            return true;
    return false;
}

static inline bool try_write(struct ng_node *n)
{
    uint32_t s = atomic_load_explicit(&n->qstate, memory_order_relaxed);
    while (!(s & (NGQ_READER_MASK | NGQ_WRITER | NGQ_PENDING)))
        if (atomic_compare_exchange_weak_explicit(&n->qstate, &s, s | NGQ_WRITER,
                                                  memory_order_acquire, memory_order_relaxed))
            return true;
    return false;
}

/* Drain owner only: enter regardless of PENDING (the owner is the queue). */
static bool owner_try_enter(struct ng_node *n, bool writer)
{
    uint32_t s = atomic_load_explicit(&n->qstate, memory_order_relaxed);
    for (;;) {
        if (writer ? (s & (NGQ_READER_MASK | NGQ_WRITER)) : (s & NGQ_WRITER))
            return false;
        uint32_t ns = writer ? (s | NGQ_WRITER) : s + 1;
        if (atomic_compare_exchange_weak_explicit(&n->qstate, &s, ns, memory_order_acquire,
                                                  memory_order_relaxed))
            return true;
    }
}

static void kick(struct ng_thread *t, struct ng_node *n);

static inline void leave(struct ng_thread *t, struct ng_node *n, bool writer)
{
    uint32_t s;
    if (writer)
        s = atomic_fetch_and_explicit(&n->qstate, ~NGQ_WRITER, memory_order_release) & ~NGQ_WRITER;
    else
        s = atomic_fetch_sub_explicit(&n->qstate, 1, memory_order_release) - 1;
    if (NG_UNLIKELY((s & NGQ_PENDING) && !(s & (NGQ_DRAIN | NGQ_READER_MASK))))
        kick(t, n);
}

/* Try to become the drain owner; on success hand the node to a worker or
 * drain inline. */
static void kick(struct ng_thread *t, struct ng_node *n)
{
    uint32_t s = atomic_load_explicit(&n->qstate, memory_order_relaxed);
    while (!(s & NGQ_DRAIN))
        if (atomic_compare_exchange_weak_explicit(&n->qstate, &s, s | NGQ_DRAIN,
                                                  memory_order_acquire, memory_order_relaxed)) {
            ng_node_ref(n); /* dropped by the owner when it releases DRAIN */
            if (!ng_runtime_schedule(n->g, n))
                ng_node_drain(t, n);
            return;
        }
}

bool ng_thread_holds_writer(struct ng_thread *t, struct ng_node *n)
{
    for (unsigned i = 0; i < t->wdepth; i++)
        if (t->wstack[i] == n)
            return true;
    return false;
}

/* ------------------------------------------------------------------------ */
/* Running items                                                            */
/* ------------------------------------------------------------------------ */

int ng_run_item(struct ng_thread *t, struct ng_node *n, struct ng_hook *hook, struct ng_item *it)
{
    switch (it->kind) {
    case NG_IK_DATA:
        if (NG_UNLIKELY(!n->type->rcvdata)) {
            ng_item_drop(it, NG_DROP_DEAD);
            return -EOPNOTSUPP;
        }
        return n->type->rcvdata(hook, it);
    case NG_IK_MSG:
        return ng_msg_deliver(t, n, hook, it);
    default: {
        struct ng_waiter *w = it->u.f.waiter;
        it->flags |= NG_IF_RUNNING;
        it->u.f.fn(n, hook, it->u.f.arg1, it->u.f.arg2);
        if (w)
            ng_waiter_ran(w, 0);
        ng_item_free(it);
        return 0;
    }
    }
}

static int run_with_access(struct ng_thread *t, struct ng_node *n, struct ng_hook *hook,
                           struct ng_item *it, bool writer)
{
    if (writer && t->wdepth < sizeof(t->wstack) / sizeof(t->wstack[0])) {
        t->wstack[t->wdepth++] = n;
        int rc = ng_run_item(t, n, hook, it);
        t->wdepth--;
        return rc;
    }
    return ng_run_item(t, n, hook, it);
}

static int enqueue(struct ng_thread *t, struct ng_node *n, struct ng_hook *hook,
                   struct ng_item *it, bool writer)
{
    /* On the lock-less data path the receiving hook is not referenced: it
     * may already have dropped its last reference (removed, waiting for its
     * grace period).  Never resurrect it (a plain ref would let it be
     * deferred a second time): drop the item as if the hook were gone. */
    if (hook && !ng_hook_tryref(hook)) {
        if (it->kind == NG_IK_DATA)
            NG_STAT_ADD(n->stats, drops[NG_DROP_NOTCONN]);
        ng_item_drop(it, NG_DROP_NOTCONN);
        return -ENOTCONN;
    }
    ng_node_ref(n);
    it->dnode = n;
    it->dhook = hook;
    if (writer)
        it->flags |= NG_IF_WRITER;
    else
        it->flags &= (uint8_t)~NG_IF_WRITER;
    NG_STAT_ADD(n->stats, queued);
    mpsc_push(&n->queue, &it->qnode);
    uint32_t s = atomic_fetch_or_explicit(&n->qstate, NGQ_PENDING, memory_order_acq_rel);
    /* Start a drain unless one is running, or unless the node is busy (the
     * leaving reader/writer will kick it then). */
    if (!(s & NGQ_DRAIN) && !(s & (NGQ_READER_MASK | NGQ_WRITER)))
        kick(t, n);
    return 0;
}

/* Drop a queued item's destination references after it left the queue. */
static inline void unpin(struct ng_node *n, struct ng_hook *h)
{
    if (h)
        ng_hook_unref(h);
    ng_node_unref(n);
}

void ng_node_drain(struct ng_thread *t, struct ng_node *n)
{
    /* We own DRAIN and a node reference. */
    unsigned budget = 0;
    for (;;) {
        /* On a runtime worker, bound the items run per drain: a node fed
         * continuously would otherwise keep the worker inside one read-side
         * section for ever and stall every grace period (ng_graph_barrier
         * hangs).  Re-schedule the node; the entry keeps DRAIN and our
         * reference, and the worker reaches its quiescent point. */
        if (t->worker && ++budget > 256 && ng_runtime_schedule(n->g, n))
            return;
        struct ng_item *it = n->held;
        n->held = NULL;
        if (!it) {
            struct mpsc_node *qn = mpsc_pop_wait(&n->queue);
            if (qn)
                it = (struct ng_item *)(void *)((char *)qn - offsetof(struct ng_item, qnode));
        }
        if (!it) {
            /* Queue empty: clear PENDING, then re-check, then let go. */
            atomic_fetch_and_explicit(&n->qstate, ~NGQ_PENDING, memory_order_acq_rel);
            struct mpsc_node *qn = mpsc_pop_wait(&n->queue);
            if (qn) {
                atomic_fetch_or_explicit(&n->qstate, NGQ_PENDING, memory_order_acq_rel);
                n->held = (struct ng_item *)(void *)((char *)qn - offsetof(struct ng_item, qnode));
                continue;
            }
            uint32_t s = atomic_fetch_and_explicit(&n->qstate, ~NGQ_DRAIN, memory_order_acq_rel);
            /* An enqueuer that saw DRAIN set relied on us: take over again. */
            if ((s & NGQ_PENDING) && !(s & (NGQ_READER_MASK | NGQ_WRITER))) {
                uint32_t e = s & ~NGQ_DRAIN;
                if (atomic_compare_exchange_strong(&n->qstate, &e, e | NGQ_DRAIN))
                    continue;
            }
            break;
        }
        struct ng_hook *h = it->dhook;
        bool writer = (it->flags & NG_IF_WRITER) != 0;
        /* Items for a dead node, or data for a removed hook, are dropped. */
        if (!ng_node_is_valid(n) ||
            (it->kind == NG_IK_DATA && h &&
             (atomic_load_explicit(&h->flags, memory_order_acquire) & HKF_INVALID))) {
            it->dnode = NULL;
            it->dhook = NULL;
            NG_STAT_ADD(n->stats, dequeued);
            if (it->kind == NG_IK_DATA)
                NG_STAT_ADD(n->stats, drops[ng_node_is_valid(n) ? NG_DROP_NOTCONN : NG_DROP_DEAD]);
            ng_item_drop(it, ng_node_is_valid(n) ? NG_DROP_NOTCONN : NG_DROP_DEAD);
            unpin(n, h);
            continue;
        }
        if (!owner_try_enter(n, writer)) {
            /* Blocked by the current occupant: park the item and let the
             * occupant's leave() restart the drain. */
            n->held = it;
            uint32_t s = atomic_fetch_and_explicit(&n->qstate, ~NGQ_DRAIN, memory_order_acq_rel);
            uint32_t e = s & ~NGQ_DRAIN;
            bool busy = writer ? (e & (NGQ_READER_MASK | NGQ_WRITER)) : (e & NGQ_WRITER);
            if (!busy && atomic_compare_exchange_strong(&n->qstate, &e, e | NGQ_DRAIN))
                continue; /* the occupant left meanwhile */
            ng_node_unref(n); /* the next owner takes its own reference */
            return;
        }
        it->dnode = NULL;
        it->dhook = NULL;
        NG_STAT_ADD(n->stats, dequeued);
        bool hold = ng_locked_backend(n->g) && it->kind != NG_IK_DATA;
        if (hold) {
            bool held = ng_node_finish_hold(n);
            if (!held || !ng_node_is_valid(n)) {
                leave(t, n, writer);
                ng_item_drop(it, NG_DROP_DEAD);
                if (held)
                    ng_node_finish_release(n);
                unpin(n, h);
                continue;
            }
        }
        run_with_access(t, n, h, it, writer);
        /* leave() will not kick: we hold DRAIN. */
        leave(t, n, writer);
        if (hold)
            ng_node_finish_release(n);
        unpin(n, h);
    }
    ng_node_unref(n);
}

void ng_node_flush_queue(struct ng_node *n)
{
    /* The node is invalid: whoever owns DRAIN drops everything queued; if
     * nobody does, become the owner now.  Items racing in after this are
     * dropped by the drain their enqueuer starts. */
    struct ng_thread *t = ng_thread_get(n->g);
    if (t && (atomic_load(&n->qstate) & NGQ_PENDING))
        kick(t, n);
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                             */
/* ------------------------------------------------------------------------ */

int ng_rcvdata_unsupported(struct ng_hook *hook, struct ng_item *it)
{
    NG_STAT_ADD(hook->node->stats, drops[NG_DROP_DEAD]);
    ng_item_drop(it, NG_DROP_DEAD);
    return -EOPNOTSUPP;
}

/* An item sent over a cut link: dropped at the sending side, as netgraph
 * does when NG_SEND_DATA finds no peer. */
static int drop_notconn(struct ng_hook *sender, struct ng_item *it)
{
    NG_HSTAT_ADD(sender, drops);
    NG_STAT_ADD(sender->node->stats, drops[NG_DROP_NOTCONN]);
    ng_item_drop(it, NG_DROP_NOTCONN);
    return -ENOTCONN;
}

/* Data for a hook or node that is invalid or forces writer/queue entry.
 * `link`: the item was sent by the partner hook (else injected). */
static NG_NOINLINE int dispatch_data_slow(struct ng_thread *t, struct ng_hook *hook,
                                          struct ng_item *it, uint32_t hf, bool link)
{
    /* A cut link first, and without touching hook->node: once the link
     * is cut the receiving node may be gone (the partner hook's reference
     * on it was dropped after its grace period); the sender's node is
     * pinned by the sender hook. */
    if (link && (hf & HKF_INVALID))
        return drop_notconn(ng_hook_partner(hook), it);
    if (link)
        NG_HSTAT_ADD(ng_hook_partner(hook), out); /* sent, even if dropped below */
    struct ng_node *n = hook->node;
    uint32_t f = atomic_load_explicit(&n->flags, memory_order_acquire);
    if (!t)
        t = ng_thread_get(n->g); /* attached: we are in its section */
    if ((f & NGF_INVALID) || (hf & HKF_INVALID)) {
        /* A dying node outranks a dying hook: its hooks die with it. */
        enum ng_drop_reason r = (f & NGF_INVALID) ? NG_DROP_DEAD : NG_DROP_NOTCONN;
        NG_STAT_ADD(n->stats, drops[r]);
        NG_HSTAT_ADD(hook, drops);
        ng_item_drop(it, r);
        return -ENOTCONN;
    }
    NG_HSTAT_ADD(hook, in);
    bool force_w = (f & NGF_FORCE_WRITER) || (hf & HKF_FORCE_WRITER);
    bool force_q = (f & NGF_FORCE_QUEUE) || (hf & HKF_FORCE_QUEUE);
    if (!force_q && try_write(n)) {
        int rc = run_with_access(t, n, hook, it, true);
        leave(t, n, true);
        return rc;
    }
    return enqueue(t, n, hook, it, force_w);
}

/* A netgraph-mode node: enter as a reader (one CAS) or queue behind the
 * writer.  Out of line so that the shared-node path needs no stack frame. */
static NG_NOINLINE int dispatch_reader(struct ng_thread *t, struct ng_hook *hook,
                                       struct ng_item *it)
{
    struct ng_node *n = hook->node;
    if (!t)
        t = ng_thread_get(n->g); /* attached: we are in its section */
    if (NG_LIKELY(try_read(n))) {
        int rc = hook->rcvdata(hook, it);
        leave(t, n, false);
        return rc;
    }
    return enqueue(t, n, hook, it, false);
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
static inline int dispatch_data(struct ng_thread *t, struct ng_hook *hook, struct ng_item *it,
                                unsigned slot, bool excl, bool link)
{
    /* Hook flags before the node: with `link`, a hook not yet seen
     * invalid guarantees its node is alive for this section (RCU: the cut
     * that marks it invalid precedes the node's release by a grace period). */
    uint32_t hf = atomic_load_explicit(&hook->flags, memory_order_acquire);
    if (NG_UNLIKELY(hf & HKF_DATA_SLOW))
        return dispatch_data_slow(t, hook, it, hf, link);
    struct ng_node *n = hook->node;
    uint32_t f = atomic_load_explicit(&n->flags, memory_order_acquire);
    if (NG_UNLIKELY(f & NGF_DATA_SLOW))
        return dispatch_data_slow(t, hook, it, hf, link);
    if (excl) {
        if (link)
            ng_counter_add(&ng_hook_cnt(ng_hook_partner(hook), slot)->out, 1);
        ng_counter_add(&ng_hook_cnt(hook, slot)->in, 1);
    } else {
        if (link)
            NG_HSTAT_ADD_S(ng_hook_partner(hook), slot, out);
        NG_HSTAT_ADD_S(hook, slot, in);
    }
    if (f & NGF_SHARED)
        return hook->rcvdata(hook, it);
    return dispatch_reader(t, hook, it);
}

int ng_dispatch_data(struct ng_thread *t, struct ng_hook *hook, struct ng_item *it)
{
    return dispatch_data(t, hook, it, ng_stat_slot, false, false);
}

int ng_dispatch_item(struct ng_thread *t, struct ng_node *n, struct ng_hook *hook,
                     struct ng_item *it, bool writer)
{
    uint32_t f = atomic_load_explicit(&n->flags, memory_order_acquire);
    if (f & NGF_INVALID) {
        ng_item_drop(it, NG_DROP_DEAD);
        return -ESHUTDOWN;
    }
    /* A method of this node calling back into it: run after it returns. */
    bool reentrant = ng_thread_holds_writer(t, n);
    if (!reentrant && !(f & NGF_FORCE_QUEUE) && (writer ? try_write(n) : try_read(n))) {
        /* rwlock baseline: pin the node's shutdown method (see node.c). */
        bool hold = ng_locked_backend(n->g);
        if (hold && !ng_node_finish_hold(n)) {
            leave(t, n, writer);
            ng_item_drop(it, NG_DROP_DEAD);
            return -ESHUTDOWN;
        }
        if (hold && !ng_node_is_valid(n)) {
            leave(t, n, writer);
            ng_item_drop(it, NG_DROP_DEAD);
            ng_node_finish_release(n);
            return -ESHUTDOWN;
        }
        int rc = run_with_access(t, n, hook, it, writer);
        leave(t, n, writer);
        if (hold)
            ng_node_finish_release(n);
        return rc;
    }
    return enqueue(t, n, hook, it, writer);
}

/* Everything but the nested lock-less hop: argument errors, the outermost
 * call of a thread (enters the section), the rwlock baseline, no peer. */
static NG_NOINLINE int send_data_slow(struct ng_hook *hook, struct ng_item *it)
{
    if (!it)
        return -EINVAL;
    if (!hook || it->kind != NG_IK_DATA) {
        ng_item_free(it);
        return -EINVAL;
    }
    struct ng_graph *g = hook->node->g;
    struct ng_thread *t = ng_enter(g);
    if (NG_UNLIKELY(!t)) {
        ng_item_free(it);
        return -ENOMEM;
    }
    struct ng_hook *peer;
    bool locked = ng_locked_backend(g);
    if (locked) {
        /* Baseline: FreeBSD's design.  Topology read lock around the peer
         * lookup, a reference pins the peer across the call. */
        g->bops->topo_rlock(g->backend);
        peer = atomic_load_explicit(&hook->peer, memory_order_acquire);
        if (peer && !ng_hook_tryref(peer))
            peer = NULL;
        g->bops->topo_runlock(g->backend);
    } else {
        /* Lock-less: the read-side section keeps peer and its node alive. */
        peer = atomic_load_explicit(&hook->peer, memory_order_acquire);
    }
    int rc;
    if (NG_UNLIKELY(!peer)) {
        rc = drop_notconn(hook, it);
    } else {
        rc = dispatch_data(t, peer, it, ng_stat_slot, false, true);
        if (locked)
            ng_hook_unref(peer);
    }
    ng_exit(t);
    return rc;
}

/*
 * The data hop.  Fast path: a node method (or a batch, ng_batch_begin)
 * forwarding on a graph with a lock-less backend, i.e. the calling thread is
 * already inside a read-side section of hook's graph and owns an exclusive
 * statistics slot: ng_fast_serial == hook->gserial (see ng_enter).  The
 * section keeps hook and its pair block alive.  The peer is not loaded: the
 * two hooks of a link live in one block and the peer is the partner
 * (address arithmetic, no dependent load on the chain); a cut link shows as
 * HKF_INVALID on it.  So the hop is: the gate compare, the receiver's flags,
 * one plain counter increment per hook and a tail call of rcvdata: no
 * section entry, no reference, no shared write for shared nodes.
 * Everything else takes send_data_slow.
 */
int ng_send_data(struct ng_hook *hook, struct ng_item *it)
{
    if (NG_LIKELY(hook != NULL && it != NULL && ng_fast_serial == hook->gserial &&
                  it->kind == NG_IK_DATA))
        /* t = NULL: ng_tls[0] may belong to another graph here; the
         * out-of-line paths look the state up when they need it. */
        return dispatch_data(NULL, ng_hook_partner(hook), it, ng_stat_slot, true, true);
    return send_data_slow(hook, it);
}

int ng_inject_data(struct ng_node *n, const char *hookname, struct ng_item *it)
{
    if (!it)
        return -EINVAL;
    if (!n || !hookname || it->kind != NG_IK_DATA) {
        ng_item_free(it);
        return -EINVAL;
    }
    struct ng_graph *g = n->g;
    struct ng_thread *t = ng_enter(g);
    if (!t) {
        ng_item_free(it);
        return -ENOMEM;
    }
    ng_topo_rlock(g);
    struct ng_hook *h = ng_findhook(n, hookname);
    bool ok = h && ng_hook_tryref(h);
    ng_topo_runlock(g);
    int rc;
    if (!ok) {
        ng_item_drop(it, NG_DROP_NOTCONN);
        rc = -ENOENT;
    } else {
        rc = ng_dispatch_data(t, h, it);
        ng_hook_unref(h);
    }
    ng_exit(t);
    return rc;
}

int ng_send_fn(struct ng_node *n, struct ng_hook *hook, ng_item_fn fn, void *arg1, int arg2,
               unsigned flags)
{
    if (!n || !fn || (hook && hook->node != n))
        return -EINVAL;
    struct ng_graph *g = n->g;
    struct ng_thread *t = ng_enter(g);
    if (!t)
        return -ENOMEM;
    if ((flags & NG_FN_WAIT) && (t->depth > 1 || t->worker)) {
        ng_exit(t);
        return -EDEADLK;
    }
    struct ng_item *it = ng_item_new_ctl(g, NG_IK_FN);
    if (!it) {
        ng_exit(t);
        return -ENOMEM;
    }
    struct ng_waiter w;
    it->u.f.fn = fn;
    it->u.f.arg1 = arg1;
    it->u.f.arg2 = arg2;
    if (flags & NG_FN_WAIT) {
        ng_waiter_init(&w);
        it->u.f.waiter = &w;
    }
    int rc = ng_dispatch_item(t, n, hook, it, (flags & NG_FN_WRITER) != 0);
    ng_exit(t);
    if (flags & NG_FN_WAIT) {
        int wrc = ng_waiter_wait(&w, NULL);
        if (rc == 0)
            rc = wrc;
    }
    return rc;
}
