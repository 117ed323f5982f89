/*
 * objects.h - the object layout of the engine: graph, node, hook, item and
 * per-thread state, their flags, and the hook-pair arithmetic.  The bottom
 * header of every engine layer (datapath and above); not installed.
 *
 * Fields the data hop reads are marked FAST; keep them where they are (the
 * hop's cost is counted in loads and cache lines, docs/design.md §7).
 * Every struct says who writes each group of fields, who reads them, what
 * protects them and when the memory is freed.
 *
 * Concurrency model in one paragraph (docs/design.md has the long form):
 *   - Topology changes (connect, rmhook, mkpeer, shutdown, name, type
 *     registration) are serialised by graph->ctl_lock, a recursive mutex
 *     taken only by control paths (ngi_ctl_lock).  For the rwlock baseline
 *     they additionally take the backend's topology write lock around
 *     pointer updates.
 *   - Data paths never take ctl_lock.  They run inside a read-side section
 *     of the graph's backend (struct ngi_thread.depth > 0) and only follow
 *     pointers published with release stores (hook->peer, list links), or,
 *     with the rwlock backend, hold the topology read lock for the lookup
 *     and pin the peer hook with a reference.
 *   - Unlinked hooks and nodes are handed to backend->defer() and freed
 *     after a grace period, never directly.
 */
#ifndef NGI_DATAPATH_OBJECTS_H
#define NGI_DATAPATH_OBJECTS_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <ck_stack.h>

#include <ngraph/ngraph.h>

#include "backend/backend.h"
#include "lib/compiler.h"
#include "lib/counter.h"
#include "lib/mpsc.h"
#include "lib/objcache.h"

struct ngi_thread;
struct ngi_waiter; /* control/control.h */
struct ng_timer;   /* <ngraph/runtime.h> */

/* ------------------------------------------------------------------------ */
/* Items                                                                    */
/* ------------------------------------------------------------------------ */

enum ngi_item_kind { NGI_IK_DATA = 0, NGI_IK_MSG = 1, NGI_IK_FN = 2 };

/* Item flags (item->flags, owner of the item only). */
#define NGI_IF_WRITER 0x1u  /* needs writer access to the node when dequeued */
#define NGI_IF_POOLED 0x2u  /* header+buffer came from the graph pool */
#define NGI_IF_RUNNING 0x4u /* a method is running with this item */
/* Message items: a delivery has taken on telling the item's waiter that a
 * method ran (control/msg.c; cleared when the item is forwarded from
 * inside that method, so the next recipient's delivery reports instead). */
#define NGI_IF_REPORTED 0x8u

/*
 * An item has exactly one owner at a time (the thread holding the pointer,
 * or the queue it sits in); every field belongs to that owner.  Data items
 * come from the graph's pool and go back to it; message and function items
 * are malloc'ed and their payload (u.m / u.f) belongs to the control layer,
 * which releases it through ngi_upcalls.ctl_release when the item is freed.
 */
struct ng_item {
    /* buf, off, len: first, as <ngraph/ngraph.h>'s inline accessors read
     * them (struct ngi_item_head; "h" so that every use says so). */
    struct ngi_item_head h;
    struct ngi_mpsc_node qnode; /* node input queue / worker queue link */
    struct ng_graph *g;
    uint8_t kind;  /* enum ngi_item_kind */
    uint8_t flags; /* NGI_IF_* */
    union {
        uint16_t magn; /* free, heading a magazine: its item count (item.c) */
        uint16_t hops; /* a data item in flight: hops taken, <= NG_HOP_LIMIT + 1 (hop.c) */
    };
    uint32_t cap; /* h.buf's size */
    /* Destination while queued (both referenced), NULL otherwise. */
    struct ng_node *dnode;
    struct ng_hook *dhook;
    union {
        struct {
            struct ng_mesg *msg;
            ng_id_t retaddr;           /* node to respond to, 0 = none */
            ng_id_t target;            /* node addressed: a response's return address */
            struct ngi_waiter *waiter; /* synchronous sender, or NULL */
        } m;
        struct {
            ng_item_fn fn;
            void *arg1;
            int arg2;
            struct ngi_waiter *waiter;
        } f;
    } u;
    struct ng_item *pnext; /* pool free-list link */
    uint64_t meta[NG_ITEM_META_SIZE / 8];
};
_Static_assert(offsetof(struct ng_item, h) == 0, "the inline item accessors read the head at 0");

/* Per-thread item cache ("magazine") size: the pool moves magazines of up
 * to NGI_MAG items (a magazine's first item records how many, magn). */
#define NGI_MAG 64

/* The graph's data-item pool (datapath/item.c).  full is a lock-free stack;
 * the fields below grow_lock are protected by it.  Slabs are freed only by
 * ng_graph_destroy(), so a popped stack entry is always memory.  At most
 * `limit` items are ever carved (total <= limit). */
struct ngi_pool {
    ck_stack_t full CK_CC_CACHELINE; /* magazines of free items (mpmc, ABA-safe pop) */
    pthread_mutex_t grow_lock;       /* serialises slab allocation (cold path) */
    void **slabs;                    /* all slabs, freed at graph destruction */
    size_t nslabs, slabs_cap;
    _Atomic uint64_t total; /* items carved out of slabs (grow_lock writes) */
    uint32_t limit, bufsize, headroom;
};

/* ------------------------------------------------------------------------ */
/* Statistics slots                                                         */
/* ------------------------------------------------------------------------ */

/*
 * Per-node and per-hook counters are spread over NGI_STAT_SLOTS
 * cache-line-sized slots.  Each thread that touches a graph claims one of
 * slots 1..NGI_STAT_SLOTS-1 for itself (process-wide, released at thread
 * exit) and then increments it with a plain load + store: a single writer,
 * no locked instruction and no cache line shared with another writer.
 * Threads beyond that keep ngi_stat_slot == 0 and share slot 0 with atomic
 * adds.  Readers sum the slots with relaxed loads (src/stats/).
 * Data items are counted at hooks only (once per hop, at the receiving hook;
 * see struct ngi_hcnt); a node's in/out totals are the sums over its hooks plus the
 * counts of hooks already removed (folded into ng_node.gone_in/out).
 */
#define NGI_STAT_SLOTS 8

/* The data path's per-thread words, in one thread-local block so that a hop
 * reaches all three through one TLS address (in PIC code: one GOT load, not
 * three).  Owner thread only. */
struct ngi_ann;
struct ngi_fast_tls {
    uint64_t serial;       /* ngi_fast_serial (datapath.h) */
    uintptr_t stack_floor; /* ngi_stack_floor (datapath.h) */
    unsigned stat_slot;    /* ngi_stat_slot: this thread's statistics slot */
    /* The announcement block (below) of this thread's state for the graph
     * named by `serial`: set and restored with it (ngi_enter/ngi_exit). */
    struct ngi_ann *ann;
};
extern _Thread_local struct ngi_fast_tls ngi_fast NGI_TLS_IE;
#define ngi_stat_slot (ngi_fast.stat_slot)

struct ngi_nstat {
    _Atomic uint64_t queued, dequeued;
    _Atomic uint64_t drops[NG_DROP_REASONS];
    _Atomic uint64_t spare[6 - NG_DROP_REASONS];
};
/*
 * A hook's data counters in one slot (see struct ngi_pairstat).  A hop
 * counts once, at the receiver: `in` counts every item that entered the
 * hook (sent by its partner or injected), `inj` those injected, `out` only
 * the items sent out of the hook that its partner did not count in
 * (dropped on the receiving side, relayed past a bypass).  What users see
 * as the hook's items_out is out + partner.in - partner.inj (stats.c):
 * both hooks of a link share the block, so the partner's counters live as
 * long as the hook's.
 */
struct ngi_hcnt {
    _Atomic uint64_t in, inj, out, drops;
};

/* Count one event in counter c of statistics slot `slot`: a plain
 * read-modify-write in an exclusive slot, an atomic add in shared slot 0. */
static inline void ngi_stat_inc(_Atomic uint64_t *c, unsigned slot)
{
    if (NGI_LIKELY(slot != 0))
        atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                              memory_order_relaxed);
    else
        atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}
/* Count v events at once (a burst), as ngi_stat_inc. */
static inline void ngi_stat_add(_Atomic uint64_t *c, unsigned slot, uint64_t v)
{
    if (NGI_LIKELY(slot != 0))
        atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
                              memory_order_relaxed);
    else
        atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}
/* Count one event in p[slot].field; p is a node's stats array. */
#define NGI_STAT_ADD_S(p, slot, field) ngi_stat_inc(&(p)[(slot)].field, (slot))
#define NGI_STAT_ADD(p, field) NGI_STAT_ADD_S(p, ngi_stat_slot, field)
#define NGI_STAT_ADD_N(p, field, v) ngi_stat_add(&(p)[ngi_stat_slot].field, ngi_stat_slot, (v))

/* ------------------------------------------------------------------------ */
/* Threads                                                                  */
/* ------------------------------------------------------------------------ */

struct ngi_worker; /* runtime/runtime.h */

/*
 * A thread's reader announcements for one graph: the netgraph-mode nodes it
 * is inside as a biased reader (datapath/entry.c), innermost last, used as a
 * stack.  Who writes: the owning thread only (slot stores with no hardware
 * fence on entry, release stores on leave; `top` is plain, owner-private).
 * Who reads: any DRAIN owner about to run a writer item scans every block of
 * the graph with acquire loads, comparing pointers only (it never follows
 * one).  Memory: blocks are allocated by thread attach, pushed on
 * g->anns (never unlinked), reused by later threads once released (`used`
 * cleared at detach, when the stack is empty) and freed with the graph, so
 * a scan never reads freed memory.  Nesting deeper than NGI_ANN_SLOTS
 * enters by the counted (CAS) scheme.
 */
#define NGI_ANN_SLOTS 28
struct ngi_ann {
    _Atomic(struct ng_node *) slot[NGI_ANN_SLOTS];
    unsigned top;               /* owner only */
    _Atomic bool used;          /* claimed by a live thread state */
    struct ngi_ann *next;       /* g->anns, constant once pushed */
} __attribute__((aligned(64)));

/*
 * Per-(thread, graph) state (datapath/thread.c).  Written only by its own
 * thread, except: `next` (graph->threads_lock), the counters (single-writer,
 * read by ng_graph_stats), and ng_graph_destroy(), which releases every
 * state (no other thread may use the graph then).  Freed by its thread at
 * detach or thread exit, or by graph destruction.
 */
struct ngi_thread {
    struct ng_graph *g;
    struct ngi_bthread *bt;    /* backend per-thread state */
    unsigned depth;            /* read-side nesting depth */
    uint64_t saved_fast;       /* ngi_fast_serial before the outermost entry */
    unsigned nbatch;           /* batch ends and quiescent reports (batch_poll) */
    unsigned batches;          /* batches open (ng_batch_begin - ng_batch_end) */
    bool external;             /* attached lazily by an application thread */
    struct ngi_worker *worker; /* non-NULL on runtime workers */
    struct ngi_thread *next;   /* graph->threads, under graph->threads_lock */
    struct ngi_ann *ann;       /* reader announcements (claimed at attach) */
    struct ngi_ann *saved_ann; /* ngi_fast.ann before the outermost entry */
    /* Item cache: owner only. */
    struct ng_item *cache;
    unsigned ncache;
    /* Nodes this thread currently holds as writer (for re-entrant control
     * calls from inside a node method). */
    struct ng_node *wstack[8];
    unsigned wdepth;
    /* The message item whose rcvmsg this thread is running (innermost;
     * control/msg.c saves and restores it around each delivery), set to
     * NULL by ng_forward_msg when that item is passed on.  Owner only. */
    struct ng_item *msg_cur;
    /* Counters: written by the owner only, read by ng_graph_stats(). */
    ngi_counter_t items_alloc, items_free;
    ngi_counter_t drops[NG_DROP_REASONS];
};

/* ------------------------------------------------------------------------ */
/* Types, nodes, hooks                                                      */
/* ------------------------------------------------------------------------ */

/* A registered type (core/type.c): list under ctl_lock, freed at
 * unregistration (no nodes left) or graph destruction. */
struct ngi_typeent {
    const struct ng_type *type;
    struct ngi_typeent *next; /* graph->types, under ctl_lock */
    _Atomic uint32_t numnodes;
};

/* A namespace key (core/namespace.c): what the id and name tables store and
 * look up.  Immutable once published: the id key is embedded in its node,
 * a name key lives in a name entry that a rename replaces. */
struct ngi_nskey {
    ng_id_t id;
    const char *name;
};
struct ngi_nsname; /* core/namespace.c */
struct ngi_ns;     /* core/namespace.c */

/* Node flags (node->flags): set by control paths with atomic RMWs, read
 * anywhere with acquire loads. */
#define NGF_INVALID 0x01u /* shutting down: no new entries */
#define NGF_PERSIST 0x02u
#define NGF_FORCE_WRITER 0x04u
#define NGF_FORCE_QUEUE 0x08u
#define NGF_SHARED 0x10u       /* type is NG_TYPE_CONCURRENT_DATA */
#define NGF_FINISHED 0x20u     /* type shutdown method has run */
#define NGF_CONSTRUCTING 0x40u /* constructor running: no hooks yet (core/node.c) */
#define NGF_CLOSING 0x80u      /* shutdown in progress (core/node.c) */
/* Never biased (datapath/entry.c): a hook of the node forces writer or
 * queue entry, so data would revoke the bias item after item.  Sticky. */
#define NGF_NOBIAS 0x100u
/* Node flags that divert arriving data off the fast path. */
#define NGF_DATA_SLOW (NGF_INVALID | NGF_FORCE_WRITER | NGF_FORCE_QUEUE)

/*
 * A node.  Allocated by core under ctl_lock, published in the namespace
 * with release stores; freed (through backend->defer, after a grace period)
 * when its last reference goes.  The queue state word is private to
 * datapath/entry.c.
 */
struct ng_node {
    /* Read-mostly: data path.  priv must stay the first member: the public
     * inline ng_node_private() reads it (include/ngraph/ngraph.h).  Accessed
     * only with __atomic builtins (release store, acquire load). */
    void *priv;                              /* FAST (rcvdata) */
    const struct ng_type *type;              /* constant */
    struct ng_graph *g;                      /* constant */
    _Atomic uint32_t flags;                  /* FAST: NGF_* */
    ng_id_t id;                              /* constant once published */
    _Atomic uint32_t qstate CK_CC_CACHELINE; /* datapath/entry.c only */
    struct ngi_mpsc_queue queue;             /* pending items (each holds a node ref) */
    _Atomic int refs CK_CC_CACHELINE;
    /* Beside refs: a lookup by id compares the key and then takes a
     * reference, one cache line for both. */
    struct ngi_nskey id_key; /* in g->ns's id table (core/namespace.c) */
    /* Control-path fields, under g->ctl_lock unless noted. */
    struct ngi_typeent *tent;
    char name[NG_NODESIZ]; /* written under ctl_lock with atomic bytes (core/namespace.c) */
    /* Hook list: RCU-style singly linked list; writers hold ctl_lock and
     * publish with release stores; readers in a section may traverse. */
    _Atomic(struct ng_hook *) hooks;
    int numhooks;
    struct ngi_nsname *name_ent;         /* in g->ns's name table, or NULL; ctl_lock */
    struct ng_node *all_next, *all_prev; /* g->nodes list, ctl_lock */
    /* 1 until shutdown's grace period ends, +1 per hook not yet reclaimed. */
    _Atomic int finish_wait;
    struct ngi_defer defer;
    /* Item held by the drain owner: popped but not yet enterable.  Drain
     * owner only (NGQ_DRAIN, datapath/entry.c). */
    struct ng_item *held;
    /* Timers armed on this node: the runtime's tlock (runtime/timer.c). */
    struct ng_timer *timers;
    /* Link in a worker's run queue while the DRAIN owner has scheduled the
     * node (at most once at a time: DRAIN is exclusive). */
    struct ngi_mpsc_node rt_link;
    /* Data counts of hooks already unlinked (stats/stats.c). */
    _Atomic uint64_t gone_in, gone_out;
    struct ngi_nstat stats[NGI_STAT_SLOTS]; /* NGI_STAT_ADD; stats/ reads */
};

/* Hook flags (hook->flags), like the node flags. */
#define HKF_INVALID 0x01u
#define HKF_FORCE_WRITER 0x02u
#define HKF_FORCE_QUEUE 0x04u
/* A relay left by ng_bypass (core/bypass.c): data arriving on the hook is
 * sent on out of hook->relay, without entering the hook's node.  Set once,
 * under ctl_lock, after hook->relay (release); never cleared. */
#define HKF_RELAY 0x08u
/* Hook flags that divert data arriving on the hook off the fast path. */
#define HKF_DATA_SLOW (HKF_INVALID | HKF_FORCE_WRITER | HKF_FORCE_QUEUE | HKF_RELAY)
/* A mirror of the node's state for the hop: the node is shared mode and
 * none of NGF_DATA_SLOW is set, so data arriving here may call rcvdata
 * without loading the node (one dependent load less per hop).  Kept by
 * core (ngi_hook_mirror): set only followed by a re-check of the node's
 * flags, cleared on every hook after a node flag that makes it slow is
 * set.  A stale set bit is what a hop that loaded the node's flags just
 * before they changed would see, and the same grace periods cover it. */
#define HKF_NFAST 0x10u

typedef int (*ngi_rcvdata_fn)(struct ng_hook *hook, struct ng_item *item);

/*
 * A hook.  Both hooks of a link are allocated together in one block by
 * core/hook.c under ctl_lock and published with release stores; each is
 * freed (through backend->defer) when its last reference goes, and the
 * block with the second of the two.
 */
struct ng_hook {
    /* First cache line: everything one data hop reads.  priv must stay the
     * first member: the public inline ng_hook_private() reads it.  Accessed
     * only with __atomic builtins (release store, acquire load). */
    void *priv;                     /* FAST (rcvdata) */
    _Atomic(struct ng_hook *) peer; /* release-published; NULL when cut */
    struct ng_node *node;           /* FAST: owner, referenced, constant */
    ngi_rcvdata_fn rcvdata;         /* FAST: node->type->rcvdata (or a dropper), constant */
    uint64_t gserial;               /* FAST: node->g->serial (ngi_fast_serial gate), constant */
    _Atomic uint32_t flags;         /* FAST: HKF_* */
    _Atomic int refs;
    _Atomic(struct ng_hook *) next; /* node->hooks list link */
    char name[NG_HOOKSIZ];          /* constant */
    struct ngi_defer defer;
    /* Pair block: hooks of the pair not yet freed (used in the block's
     * first hook only). */
    _Atomic int pair_live;
    /* Counts already folded into node->gone_in/out when the hook was
     * unlinked (written under ctl_lock, then once more when it is freed;
     * read by stats readers, hence atomic). */
    _Atomic uint64_t folded_in, folded_out;
    /* HKF_RELAY hooks only: the other bypassed hook of the same node, out
     * of which arriving data is sent.  Written once under ctl_lock before
     * HKF_RELAY is set (release), read by the data path after it saw the
     * flag (acquire); the relay pair is kept (list references retained)
     * until the link through it is removed (core/bypass.c). */
    _Atomic(struct ng_hook *) relay;
    /* core/hook.c's relay teardown list (ctl_lock only). */
    struct ng_hook *gone_next;
    /* Counters: in the link's block, see ngi_hook_cnt(). */
};
_Static_assert(offsetof(struct ng_node, priv) == 0, "ng_node_private() reads the first word");
_Static_assert(offsetof(struct ng_node, id_key) + sizeof(struct ngi_nskey) <=
                   offsetof(struct ng_node, refs) + NGI_CACHELINE,
               "a lookup by id touches one line of the node");
_Static_assert(offsetof(struct ng_hook, priv) == 0, "ng_hook_private() reads the first word");
_Static_assert(offsetof(struct ng_hook, flags) + sizeof(uint32_t) <= NGI_CACHELINE,
               "the fields a hop reads stay in the hook's first cache line");

/*
 * Hook pairs.  ngi_connect_locked creates the two hooks of a link together
 * in one block, so each hook finds its partner by flipping one address bit:
 * the data path reaches the peer without loading hook->peer (the loaded
 * pointer would be one more dependent load per hop).  The partner stays
 * valid memory as long as the hook does: the block is freed when both hooks
 * have been reclaimed (pair_live).  hook->peer is still published (==
 * partner while connected, NULL once cut) for control paths and the rwlock
 * baseline.
 *
 * Block (NGI_HOOK_BLOCK bytes, aligned to NGI_HOOK_PAIR):
 *   [0, STRIDE)             first hook, at a cache-colour offset
 *   [STRIDE, PAIR)          second hook, same offset
 *   [PAIR, BLOCK)           struct ngi_pairstat[NGI_STAT_SLOTS], shifted by
 *                           the pair's colour: per thread slot one cache
 *                           line with both hooks' counters
 * Everything is found from a hook's address by arithmetic (no load).  The
 * colour offsets ((STRIDE - sizeof(struct ng_hook)) / 64 + 1 = 6 of them)
 * plus the blocks' own varying page offsets (they are only
 * NGI_HOOK_PAIR-aligned) spread the hook lines of a chain over the L1 sets:
 * with a few fixed page offsets they collided once churn had reshuffled the
 * blocks, and a 16-hop chain ran up to 20% slower.  Measured alternatives:
 * 2048-byte slots with per-hook counters (2 KB per hook: 1.00x the floor at
 * N=16, but 0.83-0.85 of no-churn throughput under 10k changes/s in shared
 * mode); 256-byte slots (520 B per hook: 1.55x the floor at N=64).  512
 * gives 776 B per hook, 1.2x at N=16, 1.0x at N=64, 0.94 under churn.
 * Colouring the counter lines as well (NGI_HOOK_COLOURS) costs 160 B more
 * per hook (936 B) and took the shared hop at N=64 from 2.61 to 2.46 ns
 * (Intel Xeon VM, 2026-12-02; N=16 within noise).
 */
#define NGI_HOOK_STRIDE 512u
#define NGI_HOOK_PAIR (2 * NGI_HOOK_STRIDE)
struct ngi_pairstat {
    struct ngi_hcnt h[2]; /* [0]: the block's first hook, [1]: second */
};
/* The colours: how many cache lines a hook may be offset by in its slot.
 * The counter lines take the hooks' colour too (ngi_hook_cnt): without it
 * every counter line of every link sat at block + 1024 + 64 * slot, in the
 * same 4 of 64 L1 sets, and chains past ~40 hops missed on them. */
#define NGI_HOOK_COLOURS ((NGI_HOOK_STRIDE - sizeof(struct ng_hook)) / NGI_CACHELINE + 1)
#define NGI_HOOK_BLOCK                                                                             \
    (NGI_HOOK_PAIR + (NGI_STAT_SLOTS + NGI_HOOK_COLOURS - 1) * sizeof(struct ngi_pairstat))
_Static_assert(sizeof(struct ng_hook) <= NGI_HOOK_STRIDE, "struct ng_hook outgrew its pair slot");
_Static_assert(sizeof(struct ngi_pairstat) == NGI_CACHELINE, "one counter line per slot");
_Static_assert((NGI_HOOK_STRIDE & (NGI_HOOK_STRIDE - 1)) == 0, "partner found by one address bit");

static inline struct ng_hook *ngi_hook_partner(const struct ng_hook *h)
{
    return (struct ng_hook *)((uintptr_t)h ^ NGI_HOOK_STRIDE);
}
/* The block's first hook (it holds pair_live). */
static inline struct ng_hook *ngi_hook_pair_first(const struct ng_hook *h)
{
    return (struct ng_hook *)((uintptr_t)h & ~(uintptr_t)NGI_HOOK_STRIDE);
}
static inline void *ngi_hook_pair_block(const struct ng_hook *h)
{
    return (void *)((uintptr_t)h & ~(uintptr_t)(NGI_HOOK_PAIR - 1));
}
/* h's counters in statistics slot `slot`. */
static inline struct ngi_hcnt *ngi_hook_cnt(const struct ng_hook *h, unsigned slot)
{
    NGI_ASSERT(slot < NGI_STAT_SLOTS);
    /* The pair's colour (both hooks share it): h's offset in its slot. */
    uintptr_t colour = (uintptr_t)h & (NGI_HOOK_STRIDE - 1);
    NGI_ASSERT(colour % NGI_CACHELINE == 0 && colour / NGI_CACHELINE < NGI_HOOK_COLOURS);
    struct ngi_pairstat *ps =
        (struct ngi_pairstat *)(void *)((char *)ngi_hook_pair_block(h) + NGI_HOOK_PAIR + colour);
    return &ps[slot].h[((uintptr_t)h / NGI_HOOK_STRIDE) & 1];
}
/* Count one event on hook h (slot: this thread's statistics slot). */
#define NGI_HSTAT_ADD_S(h, slot, field) ngi_stat_inc(&ngi_hook_cnt((h), (slot))->field, (slot))
#define NGI_HSTAT_ADD(h, field) NGI_HSTAT_ADD_S(h, ngi_stat_slot, field)
/* Count v events on hook h at once (a burst). */
#define NGI_HSTAT_ADD_NS(h, slot, field, v)                                                        \
    ngi_stat_add(&ngi_hook_cnt((h), (slot))->field, (slot), (v))
#define NGI_HSTAT_ADD_N(h, field, v) NGI_HSTAT_ADD_NS(h, ngi_stat_slot, field, v)

/* ------------------------------------------------------------------------ */
/* What the data path needs from the layers above it                        */
/* ------------------------------------------------------------------------ */

/*
 * The data path calls nothing above it.  What it must have done by an upper
 * layer it calls through these tables, which those layers fill in:
 *   - struct ngi_upcalls: one constant table per graph, set by
 *     ng_graph_create (control/graph.c) before the graph is published;
 *   - struct ngi_runtime_ops: the first member of every struct ng_runtime
 *     (runtime/runtime.h), reached through the release-published
 *     graph->runtime, so a runtime brings its own operations with it.
 */
struct ngi_upcalls {
    /* control: run a message or function item in node n's context; the
     * caller holds the access the item needs.  Consumes it. */
    int (*run_ctl)(struct ngi_thread *t, struct ng_node *n, struct ng_hook *hook,
                   struct ng_item *it);
    /* control: release a message or function item's payload (its message,
     * its waiter) as the item is freed. */
    void (*ctl_release)(struct ng_item *it);
    /* core: the last reference to a hook / node went and a grace period
     * passed (backend->defer callbacks). */
    void (*hook_free)(struct ngi_defer *d);
    void (*node_free)(struct ngi_defer *d);
    /* core: one of the node's finish_wait holds is released (rwlock
     * baseline entries, datapath/entry.c). */
    void (*node_finish_step)(struct ng_node *n);
};

struct ngi_runtime_ops {
    /* Hand node n, whose DRAIN right the caller owns (and a reference with
     * it), to a worker; false if none takes it (drain inline). */
    bool (*schedule)(struct ng_runtime *rt, struct ng_node *n);
    /* Stop the runtime (graph destruction). */
    void (*stop)(struct ng_runtime *rt);
};
/* Every struct ng_runtime begins with this. */
struct ngi_runtime_base {
    const struct ngi_runtime_ops *ops;
};
static inline const struct ngi_runtime_ops *ngi_runtime_ops_of(struct ng_runtime *rt)
{
    return ((struct ngi_runtime_base *)(void *)rt)->ops;
}

/* The graph's timers (runtime/timer.c): created on the first ng_timer_arm
 * and published in graph->tbase (release CAS), with or without a runtime;
 * destroyed by ng_graph_destroy.  Reached from below through these ops. */
struct ngi_tbase;
struct ngi_timer_ops {
    /* Cancel every timer armed on n (n is shutting down; ctl_lock held). */
    void (*cancel_node)(struct ngi_tbase *tb, struct ng_node *n);
    /* Stop the timer thread, cancel every timer, free tb (destruction). */
    void (*fini)(struct ngi_tbase *tb);
};
/* Every struct ngi_tbase begins with this. */
struct ngi_tbase_hdr {
    const struct ngi_timer_ops *ops;
};
static inline const struct ngi_timer_ops *ngi_timer_ops_of(struct ngi_tbase *tb)
{
    return ((struct ngi_tbase_hdr *)(void *)tb)->ops;
}

/* ------------------------------------------------------------------------ */
/* Graph                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * A graph.  Created and destroyed by control/graph.c; constant fields are
 * set before ng_graph_create() returns it.
 */
struct ng_graph {
    const struct ngi_backend_ops *bops; /* constant */
    bool locked;                        /* bops->flags & NGI_BF_TOPOLOGY_LOCK, constant */
    struct ngi_backend_inst *backend;
    enum ng_backend kind;
    uint64_t serial;              /* unique per graph in the process, constant */
    const struct ngi_upcalls *up; /* constant */
    struct ngi_pool pool;

    pthread_mutex_t ctl_lock; /* serialises topology changes (ngi_ctl_lock) */
#if NGI_DEBUG
    _Atomic(pthread_t) ctl_owner; /* holder of ctl_lock, for NGI_ASSERT_CTL */
    unsigned ctl_depth;           /* recursion depth, owner only */
#endif
    struct ngi_objcache hook_cache, node_cache; /* core */
    /* Namespace: resizable lock-less id and name tables (core/namespace.c);
     * writers hold ctl_lock, readers look up inside a section. */
    struct ngi_ns *ns;
    struct ng_node *nodes; /* all live nodes, ctl_lock */
    ng_id_t next_id;       /* ctl_lock */
    _Atomic uint64_t nnodes, nhooks;
    struct ngi_typeent *types; /* ctl_lock */
    _Atomic uint32_t next_token;

    pthread_mutex_t threads_lock; /* protects threads list */
    struct ngi_thread *threads;
    /* Reader announcement blocks (struct ngi_ann): pushed with a release
     * CAS by thread attach, never unlinked, freed by graph destruction. */
    _Atomic(struct ngi_ann *) anns;
    /* Netgraph-mode entry scheme (datapath/entry.c), constant: true when
     * readers enter eligible nodes by announcement (NG_ENTRY_BIASED). */
    bool bias;
    /* Attached runtime or NULL: release store by runtime start/stop under
     * ctl_lock, acquire loads anywhere. */
    _Atomic(struct ng_runtime *) runtime;
    bool destroying; /* ctl_lock */
    /* Timers: NULL until the first ng_timer_arm (release CAS there, acquire
     * loads anywhere); tclosed set by ng_graph_destroy before it frees
     * them, after which arming fails. */
    _Atomic(struct ngi_tbase *) tbase;
    _Atomic bool tclosed;

    /* Counters of threads that have detached (folded in on detach). */
    uint64_t gone_alloc, gone_free, gone_drops[NG_DROP_REASONS];
};

/* The control lock.  Recursive: node methods called under it (disconnect,
 * rcvmsg) may change the topology themselves, as netgraph allows.  In debug
 * builds it records its holder, so "ctl_lock held" is asserted, not only
 * stated (NGI_ASSERT_CTL). */
static inline void ngi_ctl_lock(struct ng_graph *g)
{
    pthread_mutex_lock(&g->ctl_lock);
#if NGI_DEBUG
    if (g->ctl_depth++ == 0)
        atomic_store_explicit(&g->ctl_owner, pthread_self(), memory_order_relaxed);
#endif
}
static inline void ngi_ctl_unlock(struct ng_graph *g)
{
#if NGI_DEBUG
    NGI_ASSERT(g->ctl_depth > 0);
    if (--g->ctl_depth == 0)
        atomic_store_explicit(&g->ctl_owner, (pthread_t)0, memory_order_relaxed);
#endif
    pthread_mutex_unlock(&g->ctl_lock);
}
#if NGI_DEBUG
static inline bool ngi_ctl_held(struct ng_graph *g)
{
    return pthread_equal(atomic_load_explicit(&g->ctl_owner, memory_order_relaxed), pthread_self());
}
#define NGI_ASSERT_CTL(g) NGI_ASSERT(ngi_ctl_held(g))
#else
#define NGI_ASSERT_CTL(g) ((void)0)
static inline bool ngi_ctl_held(struct ng_graph *g)
{
    (void)g;
    return true; /* only used inside NGI_ASSERT, which is compiled out */
}
#endif

#endif
