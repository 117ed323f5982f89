/*
 * entry.h - what the hop (hop.c) needs from node entry (entry.c): the
 * out-of-line halves of a delivery; and what entry.c and the biased
 * scheme (bias.c) share: the queue state word's layout, the kick, the
 * inline reader halves of the biased scheme.  Private to src/datapath/.
 */
#ifndef NGI_DATAPATH_ENTRY_H
#define NGI_DATAPATH_ENTRY_H

#include "datapath.h"

/* Data for a hook or node that is invalid or forces writer/queue entry.
 * `link`: the item was sent by the partner hook (else injected); hf: the
 * receiving hook's flags as loaded by the caller.  Consumes it. */
int ngi_data_slow(struct ngi_thread *t, struct ng_hook *hook, struct ng_item *it, uint32_t hf,
                  bool link);
/* A netgraph-mode (non-shared) node: enter as a reader or queue behind the
 * writer.  Consumes it. */
int ngi_data_reader(struct ngi_thread *t, struct ng_hook *hook, struct ng_item *it);
/* An item sent over a cut link: dropped and counted at the sending side, as
 * netgraph does when NG_SEND_DATA finds no peer.  Returns -ENOTCONN. */
int ngi_drop_notconn(struct ng_hook *sender, struct ng_item *it);

/* Bursts (ng_send_data_burst): the same three cases for n items at once,
 * each accounting every item exactly as the single-item functions do. */
int ngi_burst_slow(struct ngi_thread *t, struct ng_hook *hook, struct ng_item **items, unsigned n,
                   uint32_t hf, bool link);
int ngi_burst_reader(struct ngi_thread *t, struct ng_hook *hook, struct ng_item **items,
                     unsigned n);
int ngi_drop_notconn_burst(struct ng_hook *sender, struct ng_item **items, unsigned n);
/* The loop guards (NGI_STACK_LOW, datapath.h; the hop limit, hop.c)
 * refused n items: dropped and counted (NG_DROP_LOOP) at the sending hook,
 * or at the node they were injected into when sender is NULL.  Returns
 * -ELOOP. */
int ngi_drop_loop(struct ng_node *node, struct ng_hook *sender, struct ng_item **items, unsigned n);
/* Without a rcvdata_burst method: rcvdata per item; the first non-zero
 * return value. */
int ngi_burst_each(struct ng_hook *hook, struct ng_item **items, unsigned n);

/* Hand a burst that has been counted and given the node access it needs to
 * the receiving node's type: its rcvdata_burst method if it has one, else
 * rcvdata per item.  Consumes the items. */
static NGI_ALWAYS_INLINE int ngi_deliver_burst(struct ng_hook *hook, struct ng_node *n,
                                               struct ng_item **items, unsigned cnt)
{
    NGI_ASSERT(cnt >= 1 && cnt <= NG_BURST_MAX);
    int (*fn)(struct ng_hook *, struct ng_item **, unsigned) = n->type->rcvdata_burst;
    if (NGI_LIKELY(fn != NULL))
        return fn(hook, items, cnt);
    return ngi_burst_each(hook, items, cnt);
}

/*
 * The queue state word, netgraph's ng_queue flags:
 *   bits 0..23  READERS: number of readers inside the node
 *   bit  24     WRITER:  one writer inside (exclusive with readers)
 *   bit  25     PENDING: the input queue may hold items (set by enqueuers
 *                        before they try to become the drainer, cleared
 *                        only by the drainer)
 *   bit  26     DRAIN:   one thread owns the right to pop the queue and
 *                        dispatch it (inline or by scheduling the node on a
 *                        worker)
 *   bit  27     BIAS:    readers may enter by announcement (biased entry);
 *                        set only with WRITER and PENDING clear (node
 *                        creation, the drain finding the queue empty, a
 *                        writer leaving with nothing pending), cleared
 *                        only by the DRAIN owner's bias_revoke(), which then
 *                        calls membarrier before relying on a scan.
 * Invariants: WRITER => readers == 0 (asserted at every entry); WRITER =>
 * !BIAS and no announced reader (asserted in debug builds); a drain owner
 * holding an item sees PENDING set (asserted), and DRAIN is only taken
 * while PENDING is set (ngi_kick).  Items are
 * dispatched from the queue only by the DRAIN owner, in FIFO order.  New
 * arrivals never overtake queued items: they are queued whenever PENDING is
 * set (a biased reader that sees PENDING retracts and queues).
 */
#define NGQ_READER_MASK 0x00ffffffu
#define NGQ_WRITER 0x01000000u
#define NGQ_PENDING 0x02000000u
#define NGQ_DRAIN 0x04000000u
#define NGQ_BIAS 0x08000000u
/* bit 28 NEWQ: an item was queued since the drain owner last looked (set
 * by every enqueue in the same RMW as PENDING, cleared by the owner before
 * its last pop); PENDING is cleared only while NEWQ is clear, so an item
 * queued as the owner finds the queue empty is never left behind PENDING
 * clear, where a later arrival of the same sender would overtake it (found
 * by the spin model, tests/model/). */
#define NGQ_NEWQ 0x10000000u
#define NGQ_VALID(s) (!((s)&NGQ_WRITER) || ((s)&NGQ_READER_MASK) == 0)

/* Node entry's shared halves (entry.c): try to become n's DRAIN owner and,
 * on success, hand it to a worker or drain it inline. */
void ngi_kick(struct ngi_thread *t, struct ng_node *n);

/* The biased entry scheme (bias.c; protocol there, steps E1..E5, L1..L4,
 * W1..W4, R1). */
/* May n carry BIAS (the graph is biased, the node netgraph-mode and not
 * forced, nor any of its hooks)? */
bool ngi_bias_eligible(const struct ng_node *n);
/* Is any thread of n's graph inside n by announcement?  (Acquire loads.) */
bool ngi_ann_busy(const struct ng_node *n);
/* A full barrier on every running thread of the process (membarrier). */
void ngi_bias_membarrier(void);
/* W1, DRAIN owner only: clear BIAS, then ngi_bias_membarrier. */
void ngi_bias_revoke(struct ng_node *n);
/* NOTIFY: a biased reader left or retracted after BIAS was revoked. */
void ngi_ann_notify(struct ngi_thread *t, struct ng_node *n);

/* E1..E5: enter n as a biased reader in slot i of a (i == a->top,
 * i < NGI_ANN_SLOTS).  False: not entered (the counted path follows). */
static NGI_ALWAYS_INLINE bool ngi_ann_enter(struct ngi_thread *t, struct ngi_ann *a, unsigned i,
                                        struct ng_node *n)
{
    if ((atomic_load_explicit(&n->qstate, memory_order_relaxed) & (NGQ_BIAS | NGQ_PENDING)) !=
        NGQ_BIAS)
        return false; /* E1: unbiased, or items queued (FIFO) */
    atomic_store_explicit(&a->slot[i], n, memory_order_relaxed); /* E2 */
    a->top = i + 1;
    atomic_signal_fence(memory_order_seq_cst); /* E3: a revoker's membarrier makes it a fence */
    uint32_t s = atomic_load_explicit(&n->qstate, memory_order_acquire); /* E4 */
    if (NGI_LIKELY((s & (NGQ_BIAS | NGQ_PENDING)) == NGQ_BIAS))
        return true;
    /* E5: revoked or queued meanwhile: retract; a scan may have seen us. */
    a->top = i;
    atomic_store_explicit(&a->slot[i], NULL, memory_order_release);
    ngi_ann_notify(t, n);
    return false;
}

/* L1..L4: leave n, entered by ngi_ann_enter in slot i of a. */
static NGI_ALWAYS_INLINE void ngi_ann_leave(struct ngi_thread *t, struct ngi_ann *a, unsigned i,
                                        struct ng_node *n)
{
    NGI_ASSERT(a->top == i + 1 && atomic_load_explicit(&a->slot[i], memory_order_relaxed) == n);
    a->top = i;
    atomic_store_explicit(&a->slot[i], NULL, memory_order_release); /* L1 */
    atomic_signal_fence(memory_order_seq_cst);                      /* L2 */
    if (NGI_UNLIKELY(!(atomic_load_explicit(&n->qstate, memory_order_relaxed) & NGQ_BIAS)))
        ngi_ann_notify(t, n); /* L3, L4 */
}

/* This thread's announcement block for n's graph: t's, or (t NULL: the
 * fast path, where ngi_fast names n's graph) the fast TLS copy. */
static inline struct ngi_ann *ngi_ann_of(struct ngi_thread *t)
{
    return t ? t->ann : ngi_fast.ann;
}

#endif
