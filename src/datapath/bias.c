/*
 * bias.c - the biased (asymmetric) netgraph-mode entry scheme: readers
 * announce themselves with plain stores, writers revoke with membarrier(2)
 * and a scan.  The state word's layout and the inline reader halves
 * (ngi_ann_enter, ngi_ann_leave) are in entry.h; node entry as a whole,
 * the queue and the drain are in entry.c.
 *
 * The protocol (tests/model/entry.pml checks it; docs/design.md explains
 * it).  Reader R entering node n by announcement, in R's block a, slot i:
 *   E1  pre-check: qstate has BIAS and not PENDING, else the counted path;
 *   E2  a->slot[i] = n (plain store);
 *   E3  compiler barrier only;
 *   E4  s = qstate (acquire: the last writer's work is visible);
 *   E5  BIAS and not PENDING: run the method; else retract (slot = NULL,
 *       release) and NOTIFY, then the counted path.
 * Leaving: L1 slot = NULL (release: the method's work is published);
 *   L2 compiler barrier; L3 BIAS still set: done; else NOTIFY:
 *   a full fence, then kick the queue if it is pending and nobody else
 *   will (no drain owner, no counted reader, no writer).
 * The DRAIN owner with a writer item at the head: W1 revoke (clear BIAS,
 *   seq_cst RMW, then membarrier); W2 scan every announcement block for n;
 *   W3 busy: park the item, release DRAIN (seq_cst RMW), fence, scan
 *   again, and re-take DRAIN only if n is free now; W4 free: enter as
 *   writer.
 * A writer entering directly (try_write, entry.c; R1): one CAS turns BIAS
 *   into WRITER on an otherwise idle node, then membarrier and the scan;
 *   a reader still inside: it queues its item while holding WRITER and
 *   leaves, which hands the item to the drain (W1..W4 above).  While it
 *   holds WRITER no drain owner can start (every kick needs !WRITER), so
 *   no one relies on a scan before its membarrier.
 * Why: E2..E4 against W1..W2 (and L1..L3 against them) is a
 * store-buffering pair whose reader side has only a compiler barrier:
 * membarrier runs a full barrier on every thread of the process that is
 * running, so either the scan sees the slot or the reader sees BIAS
 * cleared (and retracts, or notifies).  The park (W3) and NOTIFY both use
 * real fences: either the rescan sees the slot cleared or NOTIFY sees
 * DRAIN released, so a writer waiting for a reader is never forgotten.
 * BIAS stays clear while a writer item is parked or running: it is re-set
 * only with WRITER and PENDING clear, and a held item keeps PENDING set.
 */

#include <linux/membarrier.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "entry.h"

static bool bias_ok; /* membarrier registered (bias_probe, once) */
static pthread_once_t bias_once = PTHREAD_ONCE_INIT;

static void bias_probe(void)
{
    long cmds = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) ||
        !(cmds & MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED))
        return;
    if (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) != 0)
        return;
    bias_ok = true;
}

bool ngi_entry_bias_available(void)
{
    pthread_once(&bias_once, bias_probe);
    return bias_ok;
}

/* May n carry BIAS?  Graphs with the biased scheme, netgraph-mode nodes
 * that force neither writer nor queue entry (nor any of their hooks). */
bool ngi_bias_eligible(const struct ng_node *n)
{
    uint32_t f = atomic_load_explicit(&((struct ng_node *)n)->flags, memory_order_acquire);
    return n->g->bias && !(f & (NGF_INVALID | NGF_SHARED | NGF_FORCE_WRITER | NGF_FORCE_QUEUE |
                                NGF_NOBIAS));
}

void ngi_entry_bias_arm(struct ng_node *n)
{
    if (!ngi_bias_eligible(n))
        return;
    /* The node may be published already: arm only with no writer inside
     * and nothing queued (else that writer's leave or the drain arms it). */
    uint32_t s = atomic_load_explicit(&n->qstate, memory_order_relaxed);
    while (!(s & (NGQ_WRITER | NGQ_PENDING | NGQ_BIAS)))
        if (atomic_compare_exchange_weak_explicit(&n->qstate, &s, s | NGQ_BIAS,
                                                  memory_order_release, memory_order_relaxed))
            return;
}

/* Is any thread of n's graph inside n by announcement?  Acquire loads:
 * a slot seen cleared publishes what that reader's method wrote. */
bool ngi_ann_busy(const struct ng_node *n)
{
    if (!n->g->bias)
        return false;
    for (struct ngi_ann *a = atomic_load_explicit(&n->g->anns, memory_order_acquire); a;
         a = a->next)
        for (unsigned i = 0; i < NGI_ANN_SLOTS; i++)
            if (atomic_load_explicit(&a->slot[i], memory_order_acquire) == n)
                return true;
    return false;
}

/* Every running thread of the process passes a full barrier: a reader
 * whose announcement the scan that follows misses sees BIAS cleared. */
void ngi_bias_membarrier(void)
{
    if (syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0) {
        /* Registered at graph creation: the kernel documents no failure. */
        perror("libngraph: membarrier");
        abort();
    }
}

/* W1, by the DRAIN owner only: take the bias away before a writer item.
 * (The other revoker, try_write's R1, holds WRITER, which excludes a
 * drain owner's writer entry until its leave, after its membarrier.) */
void ngi_bias_revoke(struct ng_node *n)
{
    NGI_ASSERT(atomic_load_explicit(&n->qstate, memory_order_relaxed) & NGQ_DRAIN);
    if (!(atomic_load_explicit(&n->qstate, memory_order_relaxed) & NGQ_BIAS))
        return; /* revoked already; that owner's membarrier preceded its DRAIN release */
    atomic_fetch_and_explicit(&n->qstate, ~NGQ_BIAS, memory_order_seq_cst);
    ngi_bias_membarrier();
}

/* NOTIFY: a biased reader left (or retracted) after BIAS was revoked; a
 * writer may be waiting for it. */
NGI_NOINLINE void ngi_ann_notify(struct ngi_thread *t, struct ng_node *n)
{
    atomic_thread_fence(memory_order_seq_cst); /* pairs with the park's fence (W3) */
    uint32_t s = atomic_load_explicit(&n->qstate, memory_order_relaxed);
    if ((s & NGQ_PENDING) && !(s & (NGQ_DRAIN | NGQ_READER_MASK | NGQ_WRITER)))
        ngi_kick(t ? t : ngi_thread_get(n->g), n); /* attached: we are in its section */
}
