/*
 * datapath.h - the data path's interface to the layers above it: per-thread
 * state and read-side sections, reference counts, the item pool, node entry
 * and queues.  Private to libngraph.
 *
 * Everything here may run on the data path; nothing here calls above the
 * data path (see struct ngi_upcalls and struct ngi_runtime_ops in
 * objects.h for what upper layers register instead).
 */
#ifndef NGI_DATAPATH_DATAPATH_H
#define NGI_DATAPATH_DATAPATH_H

#include "objects.h"

/* ------------------------------------------------------------------------ */
/* Per-thread state and read-side sections (thread.c)                       */
/* ------------------------------------------------------------------------ */

/*
 * ngi_tls is this thread's cache of (graph serial -> state); slot 0 holds
 * the most recently used graph, so the data path finds its state with one
 * compare.  Serials are never reused, so a stale slot never matches a new
 * graph.  Only the owning thread touches its ngi_tls.
 */
#define NGI_TLS_SLOTS 8
struct ngi_tls_slot {
    uint64_t serial;
    struct ngi_thread *t;
};
extern _Thread_local struct ngi_tls_slot ngi_tls[NGI_TLS_SLOTS] NGI_TLS_IE;

/*
 * ngi_fast_serial: the serial of the graph whose read-side section this
 * thread entered most recently and is still in, if that graph's backend is
 * lock-less and the thread owns an exclusive statistics slot; else 0 (never
 * a serial).  ng_send_data compares it with hook->gserial to take the fast
 * path.  Sections nest LIFO, so the outermost entry of a graph saves the
 * previous value in its ngi_thread and its exit restores it.  Owner thread
 * only.
 */
#define ngi_fast_serial (ngi_fast.serial)

/*
 * ngi_stack_floor: the stack guard.  Data hops nest on the sender's stack
 * (rcvdata -> ng_send_data -> rcvdata ...), so a loop in the graph (two echo
 * nodes joined, a type that sends back where it received) would recurse
 * until the thread's stack overflowed.  Every hop compares the stack
 * pointer with this floor (fast path: one register read and a compare); at
 * or below it the item is dropped and counted (NG_DROP_LOOP, -ELOOP), as
 * Linux drops packets past its transmit recursion limit.  The floor sits an
 * eighth of the thread's stack (16 KiB..1 MiB) above its lowest address, so
 * a type's rcvdata keeps that much headroom.  Set by the outermost section
 * entry (ngi_enter -> ngi_stack_floor_set) from the thread's stack bounds,
 * or 256 KiB below the current stack pointer when that lies outside them
 * (a coroutine's or signal stack).  Owner thread only; 0 before the first
 * entry (the fast path is only taken inside a section, after it).
 */
#define ngi_stack_floor (ngi_fast.stack_floor)
void ngi_stack_floor_set(void);
#define NGI_STACK_LOW() NGI_UNLIKELY(ngi_stack_pointer() <= ngi_stack_floor)

/* Slow half of ngi_thread_get: attach this thread to g.  NULL on -ENOMEM. */
struct ngi_thread *ngi_thread_get_slow(struct ng_graph *g);

/* This thread's state for g, attaching lazily; NULL on -ENOMEM. */
static inline struct ngi_thread *ngi_thread_get(struct ng_graph *g)
{
    if (NGI_LIKELY(ngi_tls[0].serial == g->serial))
        return ngi_tls[0].t;
    return ngi_thread_get_slow(g);
}

/* Enter a read-side section of g (nested calls only count depth); NULL if
 * the thread state cannot be allocated. */
static inline struct ngi_thread *ngi_enter(struct ng_graph *g)
{
    struct ngi_thread *t = ngi_thread_get(g);
    if (NGI_UNLIKELY(!t))
        return NULL;
    if (t->depth++ == 0) {
        ngi_stack_floor_set();
        g->bops->read_enter(t->bt);
        t->saved_fast = ngi_fast_serial;
        t->saved_ann = ngi_fast.ann;
        ngi_fast_serial = (!g->locked && ngi_stat_slot != 0) ? g->serial : 0;
        ngi_fast.ann = t->ann;
    }
    return t;
}

/* Leave the section entered by the matching ngi_enter (same thread). */
static inline void ngi_exit(struct ngi_thread *t)
{
    NGI_ASSERT(t->depth > 0);
    if (--t->depth == 0) {
        /* Sections of different graphs end in reverse order (LIFO): the
         * gate is still the one this section's entry set, so restoring the
         * saved one is right.  (Out of order, the restored gate could name
         * a graph whose section has ended: ng_batch_end documents LIFO.) */
        NGI_ASSERT(ngi_fast_serial == ((!t->g->locked && ngi_stat_slot != 0) ? t->g->serial : 0));
        NGI_ASSERT(t->ann->top == 0); /* every biased reader entry has left */
        ngi_fast_serial = t->saved_fast;
        ngi_fast.ann = t->saved_ann;
        t->g->bops->read_exit(t->bt);
    }
}

/* Is this thread inside a read-side section of g?  (NGI_ASSERT_SECTION
 * checks it where a function requires one.) */
static inline bool ngi_in_section(const struct ng_graph *g)
{
    for (int i = 0; i < NGI_TLS_SLOTS; i++)
        if (ngi_tls[i].serial == g->serial)
            return ngi_tls[i].t->depth > 0;
    return false;
}
#define NGI_ASSERT_SECTION(g) NGI_ASSERT(ngi_in_section(g))

/* Is this thread inside a read-side section of any graph? */
bool ngi_thread_in_section(void);

/* Live-graph registry (for thread-exit cleanup): control/graph.c adds a
 * graph once created and removes it before destroying it. */
int ngi_registry_add(struct ng_graph *g); /* 0 or -ENOMEM */
void ngi_registry_remove(struct ng_graph *g);
/* Release every per-thread state of g (graph destruction: no other thread
 * uses g any more). */
void ngi_threads_release_all(struct ng_graph *g);

/* Rwlock-baseline topology lock; no-ops for lock-less backends. */
static inline bool ngi_locked_backend(const struct ng_graph *g) { return g->locked; }
static inline void ngi_topo_wlock(struct ng_graph *g)
{
    if (ngi_locked_backend(g))
        g->bops->topo_wlock(g->backend);
}
static inline void ngi_topo_wunlock(struct ng_graph *g)
{
    if (ngi_locked_backend(g))
        g->bops->topo_wunlock(g->backend);
}
static inline void ngi_topo_rlock(struct ng_graph *g)
{
    if (ngi_locked_backend(g))
        g->bops->topo_rlock(g->backend);
}
static inline void ngi_topo_runlock(struct ng_graph *g)
{
    if (ngi_locked_backend(g))
        g->bops->topo_runlock(g->backend);
}

/* ------------------------------------------------------------------------ */
/* References and lookups (ref.c)                                           */
/* ------------------------------------------------------------------------ */

/* Take a reference unless the count already reached zero (the object is
 * waiting for its grace period); callers are in a read-side section. */
bool ngi_node_tryref(struct ng_node *node);
bool ngi_hook_tryref(struct ng_hook *hook);
/* Take / drop n references at once (n > 0). */
void ngi_hook_ref_n(struct ng_hook *hook, int n);
void ngi_hook_unref_n(struct ng_hook *hook, int n);
/* The node's valid hook named `name`, through the type's findhook method
 * if it has one.  Inside a read-side section; the result is not referenced. */
struct ng_hook *ngi_findhook(struct ng_node *node, const char *name);

/* ------------------------------------------------------------------------ */
/* Items (item.c)                                                           */
/* ------------------------------------------------------------------------ */

int ngi_pool_init(struct ngi_pool *p, const struct ng_graph_config *cfg);
void ngi_pool_fini(struct ngi_pool *p);
/* Return the thread's cached items to the pool (thread detach). */
void ngi_thread_cache_flush(struct ngi_thread *t);
/* A zeroed message or function item (malloc'ed), or NULL. */
struct ng_item *ngi_item_new_ctl(struct ng_graph *g, enum ngi_item_kind kind);

static inline struct ng_item *ngi_item_of_qnode(struct ngi_mpsc_node *qn)
{
    return ngi_container_of(qn, struct ng_item, qnode);
}

/* ------------------------------------------------------------------------ */
/* Node entry and queues (entry.c)                                          */
/* ------------------------------------------------------------------------ */

/* Deliver a data item arriving on `hook` (the receiving hook), injected
 * there (not sent by its partner).  In a read-side section; consumes it. */
int ngi_dispatch_data(struct ngi_thread *t, struct ng_hook *hook, struct ng_item *item);
/* Deliver a message or function item to node (as writer, or as reader),
 * running it now or queueing it.  In a read-side section; consumes it. */
int ngi_dispatch_item(struct ngi_thread *t, struct ng_node *node, struct ng_hook *hook,
                      struct ng_item *item, bool writer);
/* Drain a node's queue.  Caller: the DRAIN owner (kick's caller, inline, or
 * the worker it was handed to), holding the reference kick took. */
void ngi_node_drain(struct ngi_thread *t, struct ng_node *node);
/* Free every queued item of a dying node, counting them as dropped. */
void ngi_node_flush_queue(struct ng_node *node);
/* Is node entered as writer by this thread (re-entrant control call)? */
bool ngi_thread_holds_writer(struct ngi_thread *t, struct ng_node *node);
/* rcvdata of hooks whose node type has none: drops the item. */
int ngi_rcvdata_unsupported(struct ng_hook *hook, struct ng_item *item);
/* A snapshot of the node's entry state, for TEXT_STATUS. */
struct ngi_qsnap {
    unsigned readers; /* counted readers (biased ones are not counted) */
    bool writer, pending;
    bool biased; /* readers enter by announcement when no writer is inside */
};
void ngi_node_qsnap(struct ng_node *node, struct ngi_qsnap *out);
/* Can this process use the biased entry scheme (membarrier(2) private
 * expedited, registered once per process on the first call)? */
bool ngi_entry_bias_available(void);
/* Bias a node that is eligible for the biased scheme, unless a writer is
 * inside or items are queued (then that writer's leave or the drain does
 * it): once its constructor has run, and when a forcing flag is cleared
 * (core/node.c).  Control path; the node may be published and in use. */
void ngi_entry_bias_arm(struct ng_node *node);
/* rwlock baseline: hold the node's finish_wait for an entry that no grace
 * period covers (see core/node.c); false once the node has finished. */
bool ngi_node_finish_hold(struct ng_node *node);

#endif
