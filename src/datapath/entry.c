/*
 * entry.c - entering nodes: netgraph's reader/writer discipline without a
 * mutex, and the per-node input queue.
 *
 * Node entry (node->qstate, the NGQ_* bits below, private to this file):
 *   - Biased entry (graphs with NG_ENTRY_BIASED, nodes with BIAS set): a
 *     reader announces itself in its thread's announcement block (struct
 *     ngi_ann, objects.h) with a plain store, a compiler barrier and a load
 *     of qstate: no locked instruction in or out.  Writers never enter a
 *     biased node directly: they queue, and the drain owner revokes the
 *     bias (clears BIAS, then membarrier(2), which makes every reader's
 *     compiler barrier a full fence), then scans the announcements for the
 *     node; a reader still inside notifies the queue when it leaves.  The
 *     protocol, step by step, and its proof sketch are in bias.c; it is
 *     model-checked in tests/model/ (spin).
 *   - Counted entry (NG_ENTRY_CAS, unbiased nodes, and the fallbacks): a
 *     reader enters with one CAS (readers + 1) if no writer is inside and
 *     nothing is pending in the queue; a writer enters with one CAS if the
 *     node is empty, unbiased and nothing is pending.  Otherwise the item
 *     is pushed on the node's MPSC queue and PENDING is set.
 *   - Whoever sets DRAIN (a single CAS) owns the queue: it pops items in FIFO
 *     order and runs each one once it can enter (reader: no writer inside;
 *     writer: nobody inside).  If the head item cannot enter, the owner parks
 *     it in node->held and releases DRAIN; the last reader or the writer
 *     leaving sees PENDING and takes DRAIN over.
 *   - DRAIN is handed to a runtime worker if one runs (its
 *     ngi_runtime_ops.schedule), otherwise the owner drains inline.  The
 *     owner holds a node reference while it owns DRAIN.
 *   - "Shared" nodes (NG_TYPE_CONCURRENT_DATA, no forcing flags) are entered
 *     for data with no shared write at all: hop.c calls their rcvdata
 *     directly and never comes here.
 * Memory: entry CASes are acquire, leaves are release, so everything a
 * method wrote is visible to the next method run on the node.
 * Message and function items are run through the graph's upcalls
 * (ngi_upcalls.run_ctl, the control layer): this file only gives them the
 * access they ask for.
 */
#include "entry.h"

/* ------------------------------------------------------------------------ */
/* qstate transitions                                                       */
/* ------------------------------------------------------------------------ */

static inline bool try_read(struct ng_node *n)
{
    uint32_t s = atomic_load_explicit(&n->qstate, memory_order_relaxed);
    while (!(s & (NGQ_WRITER | NGQ_PENDING)))
        if (atomic_compare_exchange_weak_explicit(&n->qstate, &s, s + 1, memory_order_acquire,
                                                  memory_order_relaxed)) {
            NGI_ASSERT((s & NGQ_READER_MASK) != NGQ_READER_MASK); /* no reader overflow */
            return true;
        }
    return false;
}

/*
 * Enter n as writer directly: nobody inside, nothing queued.  A biased node
 * is revoked inline (R1): one CAS turns BIAS into WRITER, so no other
 * writer, drain owner or counted reader can get in, then membarrier and the
 * scan (as a drain owner's W1..W2).  No announced reader: entered, true.
 * Some reader still inside: false with *hold_w set: the caller still holds
 * WRITER, queues its item and then leaves as writer, which hands the item
 * to the drain (PENDING is set by then, so the leave kicks it, and the
 * drain owner parks it until the last announced reader's NOTIFY).
 */
static inline bool try_write(struct ng_node *n, bool *hold_w)
{
    uint32_t s = atomic_load_explicit(&n->qstate, memory_order_relaxed);
    while (!(s & (NGQ_READER_MASK | NGQ_WRITER | NGQ_PENDING))) {
        uint32_t ns = (s & ~NGQ_BIAS) | NGQ_WRITER;
        if (!atomic_compare_exchange_weak_explicit(&n->qstate, &s, ns, memory_order_seq_cst,
                                                   memory_order_relaxed))
            continue;
        if (s & NGQ_BIAS) {
            ngi_bias_membarrier();
            if (ngi_ann_busy(n)) {
                *hold_w = true;
                return false;
            }
        }
        /* Unbiased: the last revocation's scan found the node free, and no
         * announcement can succeed since. */
        NGI_ASSERT(!ngi_ann_busy(n));
        return true;
    }
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


static inline void leave(struct ngi_thread *t, struct ng_node *n, bool writer)
{
    uint32_t s;
    if (writer) {
        /* Re-arm the bias if nothing is queued behind us. */
        bool arm = ngi_bias_eligible(n);
        s = atomic_load_explicit(&n->qstate, memory_order_relaxed);
        uint32_t ns;
        do {
            NGI_ASSERT((s & NGQ_WRITER) && !(s & NGQ_BIAS) && NGQ_VALID(s)); /* alone */
            ns = s & ~NGQ_WRITER;
            if (arm && !(s & NGQ_PENDING))
                ns |= NGQ_BIAS;
        } while (!atomic_compare_exchange_weak_explicit(&n->qstate, &s, ns, memory_order_release,
                                                        memory_order_relaxed));
        s = ns;
    } else {
        s = atomic_fetch_sub_explicit(&n->qstate, 1, memory_order_release);
        NGI_ASSERT((s & NGQ_READER_MASK) != 0 && NGQ_VALID(s)); /* we were a reader */
        s -= 1;
    }
    if (NGI_UNLIKELY((s & NGQ_PENDING) && !(s & (NGQ_DRAIN | NGQ_READER_MASK))))
        ngi_kick(t, n);
}

/* Hand a node whose DRAIN right we own to the attached runtime, if any. */
static bool schedule(struct ng_node *n)
{
    struct ng_runtime *rt = atomic_load_explicit(&n->g->runtime, memory_order_acquire);
    return rt && ngi_runtime_ops_of(rt)->schedule(rt, n);
}

/* Try to become the drain owner; on success hand the node to a worker or
 * drain inline (entry.h). */
void ngi_kick(struct ngi_thread *t, struct ng_node *n)
{
    /* Only while PENDING is set: a kick decided on a state that is gone
     * (the queue drained and PENDING cleared meanwhile) must not make an
     * owner with nothing queued, who could pop an item whose enqueuer has
     * not set PENDING yet and park it with PENDING clear, where a direct
     * writer would no longer see it (the spin model's counterexample).
     * An enqueuer that has not set PENDING yet kicks for itself. */
    uint32_t s = atomic_load_explicit(&n->qstate, memory_order_relaxed);
    while ((s & NGQ_PENDING) && !(s & NGQ_DRAIN))
        if (atomic_compare_exchange_weak_explicit(&n->qstate, &s, s | NGQ_DRAIN,
                                                  memory_order_acquire, memory_order_relaxed)) {
            ng_node_ref(n); /* dropped by the owner when it releases DRAIN */
            if (!schedule(n))
                ngi_node_drain(t, n);
            return;
        }
}

bool ngi_thread_holds_writer(struct ngi_thread *t, struct ng_node *n)
{
    for (unsigned i = 0; i < t->wdepth; i++)
        if (t->wstack[i] == n)
            return true;
    return false;
}

/* ------------------------------------------------------------------------ */
/* Running items                                                            */
/* ------------------------------------------------------------------------ */

/* Run one item in node n's context; the caller holds the access it needs. */
static int run_item(struct ngi_thread *t, struct ng_node *n, struct ng_hook *hook,
                    struct ng_item *it)
{
    if (it->kind != NGI_IK_DATA)
        return n->g->up->run_ctl(t, n, hook, it);
    if (NGI_UNLIKELY(!n->type->rcvdata)) {
        if (n->type->rcvdata_burst)
            return n->type->rcvdata_burst(hook, &it, 1);
        ng_item_drop(it, NG_DROP_DEAD);
        return -EOPNOTSUPP;
    }
    return n->type->rcvdata(hook, it);
}

/* A burst with the access it needs already held (as run_with_access). */
static int run_burst_with_access(struct ngi_thread *t, struct ng_node *n, struct ng_hook *hook,
                                 struct ng_item **items, unsigned cnt, bool writer)
{
    if (writer && t->wdepth < sizeof(t->wstack) / sizeof(t->wstack[0])) {
        t->wstack[t->wdepth++] = n;
        int rc = ngi_deliver_burst(hook, n, items, cnt);
        t->wdepth--;
        return rc;
    }
    return ngi_deliver_burst(hook, n, items, cnt);
}

static int run_with_access(struct ngi_thread *t, struct ng_node *n, struct ng_hook *hook,
                           struct ng_item *it, bool writer)
{
    if (writer && t->wdepth < sizeof(t->wstack) / sizeof(t->wstack[0])) {
        t->wstack[t->wdepth++] = n;
        int rc = run_item(t, n, hook, it);
        t->wdepth--;
        return rc;
    }
    return run_item(t, n, hook, it);
}

static int enqueue(struct ngi_thread *t, struct ng_node *n, struct ng_hook *hook,
                   struct ng_item *it, bool writer)
{
    /* On the lock-less data path the receiving hook is not referenced: it
     * may already have dropped its last reference (removed, waiting for its
     * grace period).  Never resurrect it (a plain ref would let it be
     * deferred a second time): drop the item as if the hook were gone. */
    if (hook && !ngi_hook_tryref(hook)) {
        if (it->kind == NGI_IK_DATA)
            NGI_STAT_ADD(n->stats, drops[NG_DROP_NOTCONN]);
        ng_item_drop(it, NG_DROP_NOTCONN);
        return -ENOTCONN;
    }
    ng_node_ref(n);
    it->dnode = n;
    it->dhook = hook;
    if (writer)
        it->flags |= NGI_IF_WRITER;
    else
        it->flags &= (uint8_t)~NGI_IF_WRITER;
    NGI_STAT_ADD(n->stats, queued);
    ngi_mpsc_push(&n->queue, &it->qnode);
    uint32_t s =
        atomic_fetch_or_explicit(&n->qstate, NGQ_PENDING | NGQ_NEWQ, memory_order_acq_rel);
    /* Start a drain unless one is running, or unless the node is busy (the
     * leaving reader/writer will kick it then). */
    if (!(s & NGQ_DRAIN) && !(s & (NGQ_READER_MASK | NGQ_WRITER)))
        ngi_kick(t, n);
    return 0;
}

/* A queued item is out of n's queue for good: no destination any more,
 * counted dequeued (its references go with unpin once it is handled). */
static inline void dequeued(struct ng_node *n, struct ng_item *it)
{
    it->dnode = NULL;
    it->dhook = NULL;
    NGI_STAT_ADD(n->stats, dequeued);
}

/* Drop a queued item's destination references after it left the queue. */
static inline void unpin(struct ng_node *n, struct ng_hook *h)
{
    if (h)
        ng_hook_unref(h);
    ng_node_unref(n);
}

void ngi_node_drain(struct ngi_thread *t, struct ng_node *n)
{
    /* We own DRAIN and a node reference. */
    NGI_ASSERT(atomic_load_explicit(&n->qstate, memory_order_relaxed) & NGQ_DRAIN);
    NGI_ASSERT_SECTION(n->g);
    unsigned budget = 0;
    for (;;) {
        /* On a runtime worker, bound the items run per drain: a node fed
         * continuously would otherwise keep the worker inside one read-side
         * section for ever and stall every grace period (ng_graph_barrier
         * hangs).  Re-schedule the node; the entry keeps DRAIN and our
         * reference, and the worker reaches its quiescent point. */
        if (t->worker && ++budget > 256 && schedule(n))
            return;
        struct ng_item *it = n->held;
        n->held = NULL;
        if (!it) {
            struct ngi_mpsc_node *qn = ngi_mpsc_pop_wait(&n->queue);
            if (qn)
                it = (struct ng_item *)(void *)((char *)qn - offsetof(struct ng_item, qnode));
        }
        if (!it) {
            /* Queue looks empty.  Clear NEWQ, look again, and clear
             * PENDING (re-arming the bias: nothing is queued and no writer
             * is inside) only if no enqueue set NEWQ meanwhile; else
             * look again.  Then let go. */
            atomic_fetch_and_explicit(&n->qstate, ~NGQ_NEWQ, memory_order_acq_rel);
            struct ngi_mpsc_node *qn = ngi_mpsc_pop_wait(&n->queue);
            if (qn) {
                n->held = (struct ng_item *)(void *)((char *)qn - offsetof(struct ng_item, qnode));
                continue;
            }
            bool arm = ngi_bias_eligible(n), newq = false;
            uint32_t s = atomic_load_explicit(&n->qstate, memory_order_relaxed), ns;
            do {
                if (s & NGQ_NEWQ) {
                    newq = true;
                    break;
                }
                ns = s & ~NGQ_PENDING;
                if (arm && !(s & NGQ_WRITER))
                    ns |= NGQ_BIAS;
            } while (!atomic_compare_exchange_weak_explicit(&n->qstate, &s, ns, memory_order_acq_rel,
                                                            memory_order_relaxed));
            if (newq)
                continue;
            s = atomic_fetch_and_explicit(&n->qstate, ~NGQ_DRAIN, memory_order_acq_rel);
            /* An enqueuer that saw DRAIN set relied on us: take over again. */
            if ((s & NGQ_PENDING) && !(s & (NGQ_READER_MASK | NGQ_WRITER))) {
                uint32_t e = s & ~NGQ_DRAIN;
                if (atomic_compare_exchange_strong(&n->qstate, &e, e | NGQ_DRAIN))
                    continue;
            }
            break;
        }
        /* Held or popped, the item keeps PENDING set (cleared only with
         * nothing held and NEWQ clear). */
        NGI_ASSERT(atomic_load_explicit(&n->qstate, memory_order_relaxed) & NGQ_PENDING);
        struct ng_hook *h = it->dhook;
        bool writer = (it->flags & NGI_IF_WRITER) != 0;
        /* Data queued on a hook that ng_bypass has since made a relay (and
         * the node disconnected): on to the far side, as ngi_data_slow
         * sends data arriving on it now, instead of into a node that no
         * longer has the hook.  The relay is valid memory for this
         * section whatever happens to the link meanwhile; a cut one drops
         * and counts. */
        if (it->kind == NGI_IK_DATA && h && ng_node_is_valid(n) &&
            (atomic_load_explicit(&h->flags, memory_order_acquire) & (HKF_RELAY | HKF_INVALID)) ==
                HKF_RELAY) {
            struct ng_hook *r = atomic_load_explicit(&h->relay, memory_order_acquire);
            dequeued(n, it);
            unpin(n, h);
            (void)ng_send_data(r, it);
            continue;
        }
        /* Items for a dead node, or data for a removed hook, are dropped. */
        if (!ng_node_is_valid(n) ||
            (it->kind == NGI_IK_DATA && h &&
             (atomic_load_explicit(&h->flags, memory_order_acquire) & HKF_INVALID))) {
            dequeued(n, it);
            if (it->kind == NGI_IK_DATA)
                NGI_STAT_ADD(n->stats, drops[ng_node_is_valid(n) ? NG_DROP_NOTCONN : NG_DROP_DEAD]);
            ng_item_drop(it, ng_node_is_valid(n) ? NG_DROP_NOTCONN : NG_DROP_DEAD);
            unpin(n, h);
            continue;
        }
        /* A writer item on a biased node: revoke the bias (W1), then look
         * for readers inside by announcement (W2). */
        if (writer)
            ngi_bias_revoke(n);
        if ((writer && ngi_ann_busy(n)) || !owner_try_enter(n, writer)) {
            /* Blocked by the current occupant (W3): park the item and let
             * the occupant's leave() (counted) or NOTIFY (announced)
             * restart the drain.  The seq_cst release and fence pair with
             * NOTIFY's fence: the rescan sees a reader's slot cleared, or
             * that reader sees DRAIN released and kicks. */
            n->held = it;
            uint32_t s = atomic_fetch_and_explicit(&n->qstate, ~NGQ_DRAIN, memory_order_seq_cst);
            uint32_t e = s & ~NGQ_DRAIN;
            bool busy = writer ? (e & (NGQ_READER_MASK | NGQ_WRITER)) : (e & NGQ_WRITER);
            if (!busy && writer) {
                atomic_thread_fence(memory_order_seq_cst);
                busy = ngi_ann_busy(n);
            }
            if (!busy && atomic_compare_exchange_strong(&n->qstate, &e, e | NGQ_DRAIN))
                continue;     /* the occupant left meanwhile */
            ng_node_unref(n); /* the next owner takes its own reference */
            return;
        }
        /* W4: a writer is alone: no bias, no announced reader. */
        NGI_ASSERT(!writer || (!(atomic_load_explicit(&n->qstate, memory_order_relaxed) & NGQ_BIAS) &&
                               !ngi_ann_busy(n)));
        dequeued(n, it);
        bool hold = ngi_locked_backend(n->g) && it->kind != NGI_IK_DATA;
        if (hold) {
            bool held = ngi_node_finish_hold(n);
            if (!held || !ng_node_is_valid(n)) {
                leave(t, n, writer);
                ng_item_drop(it, NG_DROP_DEAD);
                if (held)
                    n->g->up->node_finish_step(n);
                unpin(n, h);
                continue;
            }
        }
        run_with_access(t, n, h, it, writer);
        /* leave() will not kick: we hold DRAIN. */
        leave(t, n, writer);
        if (hold)
            n->g->up->node_finish_step(n);
        unpin(n, h);
    }
    ng_node_unref(n);
}

void ngi_node_flush_queue(struct ng_node *n)
{
    /* The node is invalid: whoever owns DRAIN drops everything queued; if
     * nobody does, become the owner now.  Items racing in after this are
     * dropped by the drain their enqueuer starts. */
    struct ngi_thread *t = ngi_thread_get(n->g);
    if (t && (atomic_load(&n->qstate) & NGQ_PENDING))
        ngi_kick(t, n);
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                             */
/* ------------------------------------------------------------------------ */

int ngi_rcvdata_unsupported(struct ng_hook *hook, struct ng_item *it)
{
    /* A type with only the burst method gets single items as bursts of 1
     * (hook->rcvdata caches the type's rcvdata or this function). */
    int (*burst)(struct ng_hook *, struct ng_item **, unsigned) = hook->node->type->rcvdata_burst;
    if (burst)
        return burst(hook, &it, 1);
    NGI_STAT_ADD(hook->node->stats, drops[NG_DROP_DEAD]);
    ng_item_drop(it, NG_DROP_DEAD);
    return -EOPNOTSUPP;
}

/* An item sent over a cut link: dropped at the sending side, as netgraph
 * does when NG_SEND_DATA finds no peer. */
int ngi_drop_notconn(struct ng_hook *sender, struct ng_item *it)
{
    NGI_HSTAT_ADD(sender, drops);
    NGI_STAT_ADD(sender->node->stats, drops[NG_DROP_NOTCONN]);
    ng_item_drop(it, NG_DROP_NOTCONN);
    return -ENOTCONN;
}

/* Data for a hook or node that is invalid or forces writer/queue entry.
 * `link`: the item was sent by the partner hook (else injected). */
NGI_NOINLINE int ngi_data_slow(struct ngi_thread *t, struct ng_hook *hook, struct ng_item *it,
                               uint32_t hf, bool link)
{
    /* A cut link first, and without touching hook->node: once the link
     * is cut the receiving node may be gone (the partner hook's reference
     * on it was dropped after its grace period); the sender's node is
     * pinned by the sender hook. */
    if (link && (hf & HKF_INVALID))
        return ngi_drop_notconn(ngi_hook_partner(hook), it);
    if (hf & HKF_RELAY) { /* a bypassed hook (core/bypass.c): on to the far side */
        if (link) /* sent and not counted in here: the sender's own "out" (objects.h) */
            NGI_HSTAT_ADD(ngi_hook_partner(hook), out);
        return ng_send_data(atomic_load_explicit(&hook->relay, memory_order_acquire), it);
    }
    struct ng_node *n = hook->node;
    uint32_t f = atomic_load_explicit(&n->flags, memory_order_acquire);
    if (!t)
        t = ngi_thread_get(n->g); /* attached: we are in its section */
    if ((f & NGF_INVALID) || (hf & HKF_INVALID)) {
        /* A dying node outranks a dying hook: its hooks die with it. */
        enum ng_drop_reason r = (f & NGF_INVALID) ? NG_DROP_DEAD : NG_DROP_NOTCONN;
        NGI_STAT_ADD(n->stats, drops[r]);
        NGI_HSTAT_ADD(hook, drops);
        if (link)
            NGI_HSTAT_ADD(ngi_hook_partner(hook), out); /* sent, not counted in */
        ng_item_drop(it, r);
        return -ENOTCONN;
    }
    NGI_HSTAT_ADD(hook, in);
    if (!link)
        NGI_HSTAT_ADD(hook, inj);
    bool force_w = (f & NGF_FORCE_WRITER) || (hf & HKF_FORCE_WRITER);
    bool force_q = (f & NGF_FORCE_QUEUE) || (hf & HKF_FORCE_QUEUE);
    bool hold_w = false;
    if (!force_q && try_write(n, &hold_w)) {
        int rc = run_with_access(t, n, hook, it, true);
        leave(t, n, true);
        return rc;
    }
    int rc = enqueue(t, n, hook, it, force_w);
    if (hold_w)
        leave(t, n, true); /* revoked, readers inside: the drain runs it */
    return rc;
}

/* A netgraph-mode node: enter as a biased reader (no locked instruction),
 * else as a counted one (one CAS), or queue behind the writer / the queued
 * items.  Out of line so that the shared-node path needs no stack frame. */
/* The counted half of ngi_data_reader (kept apart so that the biased
 * path's frame holds only what it needs across rcvdata). */
static NGI_NOINLINE int data_reader_counted(struct ngi_thread *t, struct ng_hook *hook,
                                            struct ng_item *it)
{
    struct ng_node *n = hook->node;
    if (!t)
        t = ngi_thread_get(n->g); /* attached: we are in its section */
    if (NGI_LIKELY(try_read(n))) {
        int rc = hook->rcvdata(hook, it);
        leave(t, n, false);
        return rc;
    }
    return enqueue(t, n, hook, it, false);
}

NGI_NOINLINE int ngi_data_reader(struct ngi_thread *t, struct ng_hook *hook, struct ng_item *it)
{
    struct ng_node *n = hook->node;
    struct ngi_ann *a = ngi_ann_of(t);
    unsigned i = a->top;
    if (NGI_LIKELY(i < NGI_ANN_SLOTS) && ngi_ann_enter(t, a, i, n)) {
        int rc = hook->rcvdata(hook, it);
        ngi_ann_leave(NULL, a, i, n); /* NULL: a notify looks t up (rare) */
        return rc;
    }
    return data_reader_counted(t, hook, it);
}

/* ------------------------------------------------------------------------ */
/* Bursts                                                                   */
/* ------------------------------------------------------------------------ */

int ngi_burst_each(struct ng_hook *hook, struct ng_item **items, unsigned n)
{
    int rc = 0;
    for (unsigned i = 0; i < n; i++) {
        int r = hook->rcvdata(hook, items[i]);
        if (r != 0 && rc == 0)
            rc = r;
    }
    return rc;
}

/* Queue every item of a burst on its own, in order (each takes its own
 * references, as enqueue); the first error. */
static int enqueue_burst(struct ngi_thread *t, struct ng_node *n, struct ng_hook *hook,
                         struct ng_item **items, unsigned cnt, bool writer)
{
    int rc = 0;
    for (unsigned i = 0; i < cnt; i++) {
        int r = enqueue(t, n, hook, items[i], writer);
        if (r != 0 && rc == 0)
            rc = r;
    }
    return rc;
}

int ngi_drop_notconn_burst(struct ng_hook *sender, struct ng_item **items, unsigned n)
{
    NGI_HSTAT_ADD_N(sender, drops, n);
    NGI_STAT_ADD_N(sender->node->stats, drops[NG_DROP_NOTCONN], n);
    for (unsigned i = 0; i < n; i++)
        ng_item_drop(items[i], NG_DROP_NOTCONN);
    return -ENOTCONN;
}

int ngi_drop_loop(struct ng_node *node, struct ng_hook *sender, struct ng_item **items, unsigned n)
{
    if (sender) {
        NGI_HSTAT_ADD_N(sender, drops, n);
        node = sender->node;
    }
    NGI_STAT_ADD_N(node->stats, drops[NG_DROP_LOOP], n);
    for (unsigned i = 0; i < n; i++)
        ng_item_drop(items[i], NG_DROP_LOOP);
    return -ELOOP;
}

/* ngi_data_slow for a burst: every item takes the decision ngi_data_slow
 * would take for it given the flags seen once for the burst (a cut link or
 * a dying node drops all n, counted as n drops), and the node is entered
 * once for the burst when it can be (forced writer: one writer entry);
 * otherwise each item is queued on its own, in order. */
NGI_NOINLINE int ngi_burst_slow(struct ngi_thread *t, struct ng_hook *hook, struct ng_item **items,
                                unsigned n, uint32_t hf, bool link)
{
    /* A cut link first, without touching hook->node (see ngi_data_slow). */
    if (link && (hf & HKF_INVALID))
        return ngi_drop_notconn_burst(ngi_hook_partner(hook), items, n);
    if (hf & HKF_RELAY) { /* a bypassed hook (core/bypass.c): on to the far side */
        if (link) /* sent and not counted in here (as ngi_data_slow) */
            NGI_HSTAT_ADD_N(ngi_hook_partner(hook), out, n);
        return ng_send_data_burst(atomic_load_explicit(&hook->relay, memory_order_acquire), items,
                                  n);
    }
    struct ng_node *nd = hook->node;
    uint32_t f = atomic_load_explicit(&nd->flags, memory_order_acquire);
    if (!t)
        t = ngi_thread_get(nd->g); /* attached: we are in its section */
    if ((f & NGF_INVALID) || (hf & HKF_INVALID)) {
        enum ng_drop_reason r = (f & NGF_INVALID) ? NG_DROP_DEAD : NG_DROP_NOTCONN;
        NGI_STAT_ADD_N(nd->stats, drops[r], n);
        NGI_HSTAT_ADD_N(hook, drops, n);
        if (link)
            NGI_HSTAT_ADD_N(ngi_hook_partner(hook), out, n); /* sent, not counted in */
        for (unsigned i = 0; i < n; i++)
            ng_item_drop(items[i], r);
        return -ENOTCONN;
    }
    NGI_HSTAT_ADD_N(hook, in, n);
    if (!link)
        NGI_HSTAT_ADD_N(hook, inj, n);
    bool force_w = (f & NGF_FORCE_WRITER) || (hf & HKF_FORCE_WRITER);
    bool force_q = (f & NGF_FORCE_QUEUE) || (hf & HKF_FORCE_QUEUE);
    bool hold_w = false;
    if (!force_q && try_write(nd, &hold_w)) {
        int rc = run_burst_with_access(t, nd, hook, items, n, true);
        leave(t, nd, true);
        return rc;
    }
    int rc = enqueue_burst(t, nd, hook, items, n, force_w);
    if (hold_w)
        leave(t, nd, true); /* as in ngi_data_slow */
    return rc;
}

/* ngi_data_reader for a burst: one reader entry for all n items, or each
 * queued behind the writer / the pending items, in order. */
static NGI_NOINLINE int burst_reader_counted(struct ngi_thread *t, struct ng_hook *hook,
                                             struct ng_item **items, unsigned n)
{
    struct ng_node *nd = hook->node;
    if (!t)
        t = ngi_thread_get(nd->g); /* attached: we are in its section */
    if (NGI_LIKELY(try_read(nd))) {
        int rc = ngi_deliver_burst(hook, nd, items, n);
        leave(t, nd, false);
        return rc;
    }
    return enqueue_burst(t, nd, hook, items, n, false);
}

NGI_NOINLINE int ngi_burst_reader(struct ngi_thread *t, struct ng_hook *hook,
                                  struct ng_item **items, unsigned n)
{
    struct ng_node *nd = hook->node;
    struct ngi_ann *a = ngi_ann_of(t);
    unsigned i = a->top;
    if (NGI_LIKELY(i < NGI_ANN_SLOTS) && ngi_ann_enter(t, a, i, nd)) {
        int rc = ngi_deliver_burst(hook, nd, items, n);
        ngi_ann_leave(NULL, a, i, nd);
        return rc;
    }
    return burst_reader_counted(t, hook, items, n);
}

/* A message or function item (see datapath.h). */
int ngi_dispatch_item(struct ngi_thread *t, struct ng_node *n, struct ng_hook *hook,
                      struct ng_item *it, bool writer)
{
    uint32_t f = atomic_load_explicit(&n->flags, memory_order_acquire);
    if (f & NGF_INVALID) {
        ng_item_drop(it, NG_DROP_DEAD);
        return -ESHUTDOWN;
    }
    /* A method of this node calling back into it: run after it returns. */
    bool reentrant = ngi_thread_holds_writer(t, n);
    bool hold_w = false;
    if (!reentrant && !(f & NGF_FORCE_QUEUE) && (writer ? try_write(n, &hold_w) : try_read(n))) {
        /* rwlock baseline: pin the node's shutdown method (see node.c). */
        bool hold = ngi_locked_backend(n->g);
        if (hold && !ngi_node_finish_hold(n)) {
            leave(t, n, writer);
            ng_item_drop(it, NG_DROP_DEAD);
            return -ESHUTDOWN;
        }
        if (hold && !ng_node_is_valid(n)) {
            leave(t, n, writer);
            ng_item_drop(it, NG_DROP_DEAD);
            n->g->up->node_finish_step(n);
            return -ESHUTDOWN;
        }
        int rc = run_with_access(t, n, hook, it, writer);
        leave(t, n, writer);
        if (hold)
            n->g->up->node_finish_step(n);
        return rc;
    }
    int rc = enqueue(t, n, hook, it, writer);
    if (hold_w)
        leave(t, n, true); /* as in ngi_data_slow */
    return rc;
}

void ngi_node_qsnap(struct ng_node *n, struct ngi_qsnap *out)
{
    uint32_t q = atomic_load_explicit(&n->qstate, memory_order_relaxed);
    out->readers = q & NGQ_READER_MASK;
    out->writer = (q & NGQ_WRITER) != 0;
    out->pending = (q & NGQ_PENDING) != 0;
    /* Eligibility, not the bit: a message asking is a writer, and has
     * revoked the bias while it runs. */
    out->biased = ngi_bias_eligible(n);
}
