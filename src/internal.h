/*
 * internal.h - private structures of the engine.  Not installed.
 *
 * Concurrency model in one paragraph (docs/design.md has the long form):
 *   - Topology changes (connect, rmhook, mkpeer, shutdown, name, type
 *     registration) are serialised by graph->ctl_lock, a mutex taken only by
 *     control paths.  For the rwlock baseline backend they additionally take
 *     the backend's topology write lock around pointer updates.
 *   - Data paths never take ctl_lock.  They run inside a read-side section of
 *     the graph's backend (struct ng_thread.depth > 0) and only follow
 *     pointers published with release stores (hook->peer, list links), or,
 *     with the rwlock backend, hold the topology read lock for the lookup and
 *     pin the peer hook with a reference.
 *   - Unlinked hooks and nodes are handed to backend->defer() and freed after
 *     a grace period, never directly.
 */
#ifndef NG_SRC_INTERNAL_H
#define NG_SRC_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <ck_stack.h>

#include <ngraph/ngraph.h>
#include <ngraph/runtime.h>

#include "backend/backend.h"
#include "mpsc.h"

#define NG_LIKELY(x) __builtin_expect(!!(x), 1)
#define NG_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define NG_CACHELINE 64
#define NG_NOINLINE __attribute__((noinline))

/* Single-writer statistics counter: only the owning thread writes (plain
 * load + store, no locked instruction), any thread may read a snapshot. */
typedef _Atomic uint64_t ng_counter_t;
static inline void ng_counter_add(ng_counter_t *c, uint64_t v)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
                          memory_order_relaxed);
}
static inline uint64_t ng_counter_get(ng_counter_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

/* ------------------------------------------------------------------------ */
/* Items                                                                    */
/* ------------------------------------------------------------------------ */

enum ng_item_kind { NG_IK_DATA = 0, NG_IK_MSG = 1, NG_IK_FN = 2 };

/* Item flags. */
#define NG_IF_WRITER 0x1u  /* needs writer access to the node when dequeued */
#define NG_IF_POOLED 0x2u  /* header+buffer came from the graph pool */
#define NG_IF_RUNNING 0x4u /* a method is running with this item */

/*
 * A synchronous sender waiting for its message or function item.  Lives on
 * the sender's stack.  Completed when both the method has returned (or the
 * item was dropped before reaching it) and the item is gone; only then may
 * the sender return, so nobody touches the waiter afterwards.  Control path
 * only: protected by its own mutex.
 */
struct ng_waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool ran, gone, responded;
    int error;       /* method's return value, or the drop error */
    int resp_error;  /* error passed to ng_respond() */
    struct ng_mesg *resp;
};
void ng_waiter_init(struct ng_waiter *w);
int ng_waiter_wait(struct ng_waiter *w, struct ng_mesg **resp);
void ng_waiter_ran(struct ng_waiter *w, int error);

struct ng_item {
    struct mpsc_node qnode;     /* node input queue / worker queue link */
    struct ng_graph *g;
    uint8_t kind;               /* enum ng_item_kind */
    uint8_t flags;              /* NG_IF_* */
    uint16_t spare;
    uint32_t off;               /* data offset into buf */
    uint32_t len;               /* data length */
    uint32_t cap;               /* buf size */
    /* Destination while queued (both referenced), NULL otherwise. */
    struct ng_node *dnode;
    struct ng_hook *dhook;
    union {
        struct {
            struct ng_mesg *msg;
            ng_id_t retaddr;          /* node to respond to, 0 = none */
            struct ng_waiter *waiter; /* synchronous sender, or NULL */
        } m;
        struct {
            ng_item_fn fn;
            void *arg1;
            int arg2;
            struct ng_waiter *waiter;
        } f;
    } u;
    struct ng_item *pnext;      /* pool free-list link */
    uint64_t meta[NG_ITEM_META_SIZE / 8];
    uint8_t *buf;
};

/* Per-thread item cache ("magazine") size; the pool moves whole magazines. */
#define NG_MAG 64

struct ng_mag {
    ck_stack_entry_t entry;     /* in pool->full */
    struct ng_item *items;      /* NG_MAG items linked by pnext */
};

struct ng_pool {
    ck_stack_t full CK_CC_CACHELINE; /* magazines of free items (mpmc, ABA-safe pop) */
    ck_stack_t empty CK_CC_CACHELINE;/* spare magazine headers */
    pthread_mutex_t grow_lock;  /* serialises slab allocation (cold path) */
    void **slabs;               /* all slabs, freed at graph destruction */
    size_t nslabs, slabs_cap;
    struct ng_item *leftover;   /* partial magazine from exited threads, grow_lock */
    unsigned nleftover;
    _Atomic uint64_t total;     /* items ever carved out of slabs */
    uint32_t limit, bufsize, headroom;
};

/* ------------------------------------------------------------------------ */
/* Threads                                                                  */
/* ------------------------------------------------------------------------ */

struct ng_worker; /* runtime.c */

/* Statistics slots: per-node and per-hook counters are spread over
 * NG_STAT_SLOTS cache-line-sized slots.  Each thread that touches a graph
 * claims one of slots 1..NG_STAT_SLOTS-1 for itself (process-wide, released
 * at thread exit) and then increments it with a plain load + store: a single
 * writer, no locked instruction and no cache line shared with another
 * writer.  Threads beyond that keep ng_stat_slot == 0 and share slot 0 with
 * atomic adds.  Readers sum the slots with relaxed loads.
 * Data items are counted at hooks only (in at the receiving hook, out at the
 * sending one); a node's in/out totals are the sums over its hooks plus the
 * counts of hooks already removed (folded into ng_node.gone_in/out). */
#define NG_STAT_SLOTS 8
#define NG_TLS_IE __attribute__((tls_model("initial-exec")))
extern _Thread_local unsigned ng_stat_slot NG_TLS_IE;
struct ng_nstat {
    _Atomic uint64_t queued, dequeued;
    _Atomic uint64_t drops[NG_DROP_REASONS];
    _Atomic uint64_t spare[6 - NG_DROP_REASONS];
};
/* A hook's data counters in one slot (see struct ng_pairstat). */
struct ng_hcnt {
    _Atomic uint64_t in, out, drops;
};
static inline void ng_stat_inc(_Atomic uint64_t *c, unsigned slot)
{
    if (NG_LIKELY(slot != 0))
        atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                              memory_order_relaxed);
    else
        atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}
/* Count one event in p[slot].field; p is a node's or hook's stats array. */
#define NG_STAT_ADD_S(p, slot, field) ng_stat_inc(&(p)[(slot)].field, (slot))
#define NG_STAT_ADD(p, field) NG_STAT_ADD_S(p, ng_stat_slot, field)

struct ng_thread {
    struct ng_graph *g;
    struct ng_bthread *bt;      /* backend per-thread state */
    unsigned depth;             /* read-side nesting depth */
    uint64_t saved_fast;        /* ng_fast_serial before the outermost entry */
    unsigned nbatch;            /* outermost batches ended (ng_batch_end) */
    bool external;              /* attached lazily by an application thread */
    struct ng_worker *worker;   /* non-NULL on runtime workers */
    struct ng_thread *next;     /* graph->threads, under graph->threads_lock */
    /* Item cache: owner only. */
    struct ng_item *cache;
    unsigned ncache;
    /* Nodes this thread currently holds as writer (for re-entrant control
     * calls from inside a node method). */
    struct ng_node *wstack[8];
    unsigned wdepth;
    /* Counters: written by the owner only, read by ng_graph_stats(). */
    ng_counter_t items_alloc, items_free;
    ng_counter_t drops[NG_DROP_REASONS];
};

/* ------------------------------------------------------------------------ */
/* Types, nodes, hooks                                                      */
/* ------------------------------------------------------------------------ */

struct ng_typeent {
    const struct ng_type *type;
    struct ng_typeent *next;    /* graph->types, under ctl_lock */
    _Atomic uint32_t numnodes;
};

/* Node flags (node->flags). */
#define NGF_INVALID 0x01u      /* shutting down: no new entries */
#define NGF_PERSIST 0x02u
#define NGF_FORCE_WRITER 0x04u
#define NGF_FORCE_QUEUE 0x08u
#define NGF_SHARED 0x10u       /* type is NG_TYPE_CONCURRENT_DATA */
#define NGF_FINISHED 0x20u     /* type shutdown method has run */
/* Node flags that divert arriving data off the fast path. */
#define NGF_DATA_SLOW (NGF_INVALID | NGF_FORCE_WRITER | NGF_FORCE_QUEUE)

/* Node input-queue state word (node->qstate), netgraph's ng_queue flags:
 *   bits 0..23: number of readers inside the node
 *   WRITER:     one writer inside (exclusive with readers)
 *   PENDING:    the input queue may hold items (set by enqueuers before they
 *               try to become the drainer, cleared only by the drainer)
 *   DRAIN:      one thread owns the right to pop the queue and dispatch it
 *               (inline or by scheduling the node on a worker)
 * Invariant: WRITER => readers == 0.  Items are dispatched from the queue
 * only by the DRAIN owner, in FIFO order.  New arrivals never overtake queued
 * items: they are queued whenever PENDING is set. */
#define NGQ_READER_MASK 0x00ffffffu
#define NGQ_WRITER 0x01000000u
#define NGQ_PENDING 0x02000000u
#define NGQ_DRAIN 0x04000000u

struct ng_node {
    /* Read-mostly: data path.  priv must stay the first member: the public
     * inline ng_node_private() reads it (include/ngraph/ngraph.h).  Accessed
     * only with __atomic builtins (release store, acquire load). */
    void *priv;
    const struct ng_type *type;
    struct ng_graph *g;
    _Atomic uint32_t flags;     /* NGF_*: set by control paths, read anywhere */
    ng_id_t id;
    _Atomic uint32_t qstate CK_CC_CACHELINE; /* NGQ_* */
    struct mpsc_queue queue;    /* pending items (each holds a node ref) */
    _Atomic int refs CK_CC_CACHELINE;
    /* Control-path fields, under g->ctl_lock unless noted. */
    struct ng_typeent *tent;
    char name[NG_NODESIZ];      /* read under ctl_lock */
    /* Hook list: RCU-style singly linked list; writers hold ctl_lock and
     * publish with release stores; readers in a section may traverse. */
    _Atomic(struct ng_hook *) hooks;
    int numhooks;
    struct ng_node *id_next;    /* g->id_hash chain (RCU-style) */
    struct ng_node *name_next;  /* g->name_hash chain (RCU-style) */
    struct ng_node *all_next, *all_prev; /* g->nodes list, ctl_lock */
    /* 1 until shutdown's grace period ends, +1 per hook not yet reclaimed. */
    _Atomic int finish_wait;
    struct ng_defer defer;
    /* Item held by the drain owner: popped but not yet enterable. */
    struct ng_item *held;
    /* Timers armed on this node (runtime.c). */
    struct ng_timer *timers;
    /* runtime.c: link in a worker's run queue while the DRAIN owner has
     * scheduled the node (at most once at a time: DRAIN is exclusive). */
    struct mpsc_node rt_link;
    /* Data counts of hooks already unlinked (see ng_hook_fold_stats). */
    _Atomic uint64_t gone_in, gone_out;
    struct ng_nstat stats[NG_STAT_SLOTS]; /* NG_STAT_ADD; runtime.c reads */
};

/* Hook flags. */
#define HKF_INVALID 0x01u
#define HKF_FORCE_WRITER 0x02u
#define HKF_FORCE_QUEUE 0x04u

/* Hook flags that divert data arriving on the hook off the fast path. */
#define HKF_DATA_SLOW (HKF_INVALID | HKF_FORCE_WRITER | HKF_FORCE_QUEUE)

typedef int (*ng_rcvdata_fn)(struct ng_hook *hook, struct ng_item *item);

struct ng_hook {
    /* First cache line: everything one data hop reads.  priv must stay the
     * first member: the public inline ng_hook_private() reads it.  Accessed
     * only with __atomic builtins (release store, acquire load). */
    void *priv;
    _Atomic(struct ng_hook *) peer; /* release-published; NULL when cut */
    struct ng_node *node;       /* owner, referenced, constant */
    ng_rcvdata_fn rcvdata;      /* node->type->rcvdata (or a dropper), constant */
    uint64_t gserial;           /* node->g->serial (ng_fast_serial), constant */
    _Atomic uint32_t flags;     /* HKF_* */
    _Atomic int refs;
    _Atomic(struct ng_hook *) next; /* node->hooks list link */
    char name[NG_HOOKSIZ];
    struct ng_defer defer;
    /* Pair block: hooks of the pair not yet freed (used in the block's
     * first hook only). */
    _Atomic int pair_live;
    /* Counts already folded into node->gone_in/out when the hook was
     * unlinked (written under ctl_lock, then once more when it is freed;
     * read by stats readers, hence atomic). */
    _Atomic uint64_t folded_in, folded_out;
    /* Counters: in the link's block, see ng_hook_cnt(). */
};

/*
 * Hook pairs.  ng_connect creates the two hooks of a link together in one
 * block, so each hook finds its partner by flipping one address bit: the
 * data path reaches the peer without loading hook->peer (the loaded pointer
 * would be one more dependent load per hop).  The partner stays valid
 * memory as long as the hook does: the block is freed when both hooks have
 * been reclaimed (pair_live).  hook->peer is still published (== partner
 * while connected, NULL once cut) for control paths and the rwlock baseline.
 *
 * Block (NG_HOOK_BLOCK bytes, aligned to NG_HOOK_PAIR):
 *   [0, STRIDE)             first hook, at a cache-colour offset
 *   [STRIDE, PAIR)          second hook, same offset
 *   [PAIR, BLOCK)           struct ng_pairstat[NG_STAT_SLOTS]: per thread
 *                           slot one cache line with both hooks' counters
 * Everything is found from a hook's address by arithmetic (no load).  The
 * colour offsets ((STRIDE - sizeof(struct ng_hook)) / 64 + 1 = 6 of them)
 * plus the blocks' own varying page offsets (they are only
 * NG_HOOK_PAIR-aligned) spread the hook lines of a chain over the L1 sets:
 * with a few fixed page offsets they collided once churn had reshuffled the
 * blocks, and a 16-hop chain ran up to 20% slower.  Measured alternatives:
 * 2048-byte slots with per-hook counters (2 KB per hook: 1.00x the floor at
 * N=16, but 0.83-0.85 of no-churn throughput under 10k changes/s in shared
 * mode); 256-byte slots (520 B per hook: 1.55x the floor at N=64).  512
 * gives 776 B per hook, 1.2x at N=16, 1.0x at N=64, 0.94 under churn.
 */
#define NG_HOOK_STRIDE 512u
#define NG_HOOK_PAIR (2 * NG_HOOK_STRIDE)
struct ng_pairstat {
    struct ng_hcnt h[2];        /* [0]: the block's first hook, [1]: second */
    _Atomic uint64_t spare[2];
};
#define NG_HOOK_BLOCK (NG_HOOK_PAIR + NG_STAT_SLOTS * sizeof(struct ng_pairstat))
_Static_assert(sizeof(struct ng_hook) <= NG_HOOK_STRIDE, "struct ng_hook outgrew its pair slot");
_Static_assert(sizeof(struct ng_pairstat) == NG_CACHELINE, "one counter line per slot");

static inline struct ng_hook *ng_hook_partner(const struct ng_hook *h)
{
    return (struct ng_hook *)((uintptr_t)h ^ NG_HOOK_STRIDE);
}
/* The block's first hook (it holds pair_live). */
static inline struct ng_hook *ng_hook_pair_first(const struct ng_hook *h)
{
    return (struct ng_hook *)((uintptr_t)h & ~(uintptr_t)NG_HOOK_STRIDE);
}
static inline void *ng_hook_pair_block(const struct ng_hook *h)
{
    return (void *)((uintptr_t)h & ~(uintptr_t)(NG_HOOK_PAIR - 1));
}
/* h's counters in statistics slot `slot`. */
static inline struct ng_hcnt *ng_hook_cnt(const struct ng_hook *h, unsigned slot)
{
    struct ng_pairstat *ps =
        (struct ng_pairstat *)(void *)((char *)ng_hook_pair_block(h) + NG_HOOK_PAIR);
    return &ps[slot].h[((uintptr_t)h / NG_HOOK_STRIDE) & 1];
}/* Count one event on hook h (slot: this thread's statistics slot). */
#define NG_HSTAT_ADD_S(h, slot, field) ng_stat_inc(&ng_hook_cnt((h), (slot))->field, (slot))
#define NG_HSTAT_ADD(h, field) NG_HSTAT_ADD_S(h, ng_stat_slot, field)

/* ------------------------------------------------------------------------ */
/* Graph                                                                    */
/* ------------------------------------------------------------------------ */

#define NG_HASH_SIZE 256

/*
 * Free lists of hook-pair blocks and node structs.  Topology churn recycles
 * them instead of going through malloc, whose arena trimming unmaps pages:
 * the TLB-shootdown IPIs that follow interrupt every core running the data
 * path.  Control path only: `lock` is taken by allocations (under ctl_lock)
 * and by reclamation callbacks (any thread); objects enter the list only
 * after their grace period.  At most NG_OBJCACHE_MAX objects are kept.
 */
#define NG_OBJCACHE_MAX 256
struct ng_objcache {
    pthread_mutex_t lock;
    void *head;         /* singly linked through each object's first word */
    unsigned n;
    size_t size;        /* object size (for sanitizer poisoning) */
};

struct ng_graph {
    const struct ng_backend_ops *bops;
    bool locked;                /* bops->flags & NG_BF_TOPOLOGY_LOCK, cached */
    struct ng_backend_inst *backend;
    enum ng_backend kind;
    uint64_t serial;            /* unique per graph in the process */
    struct ng_pool pool;

    pthread_mutex_t ctl_lock;   /* serialises topology changes */
    struct ng_objcache hook_cache, node_cache; /* node.c */
    /* Namespace: RCU-style hash chains; writers hold ctl_lock. */
    _Atomic(struct ng_node *) id_hash[NG_HASH_SIZE];
    _Atomic(struct ng_node *) name_hash[NG_HASH_SIZE];
    struct ng_node *nodes;      /* all live nodes, ctl_lock */
    ng_id_t next_id;            /* ctl_lock */
    _Atomic uint64_t nnodes, nhooks;
    struct ng_typeent *types;   /* ctl_lock */
    _Atomic uint32_t next_token;

    pthread_mutex_t threads_lock; /* protects threads list */
    struct ng_thread *threads;
    struct ng_runtime *runtime; /* attached runtime or NULL */
    bool destroying;

    /* Counters of threads that have detached (folded in on detach). */
    uint64_t gone_alloc, gone_free, gone_drops[NG_DROP_REASONS];
};

/* ------------------------------------------------------------------------ */
/* Internal functions                                                       */
/* ------------------------------------------------------------------------ */

/* graph.c: per-thread state and read-side sections.
 * ng_tls is this thread's cache of (graph serial -> state); slot 0 holds the
 * most recently used graph, so the data path finds its state with one
 * compare.  Only the owning thread touches its ng_tls. */
#define NG_TLS_SLOTS 8
struct ng_tls_slot {
    uint64_t serial;
    struct ng_thread *t;
};
extern _Thread_local struct ng_tls_slot ng_tls[NG_TLS_SLOTS] NG_TLS_IE;
struct ng_thread *ng_thread_get_slow(struct ng_graph *g);   /* NULL on -ENOMEM */

static inline struct ng_thread *ng_thread_get(struct ng_graph *g)
{
    if (NG_LIKELY(ng_tls[0].serial == g->serial))
        return ng_tls[0].t;
    return ng_thread_get_slow(g);
}

/* Enter / leave a read-side section of g; nested calls only count depth. */
/*
 * ng_fast_serial: the serial of the graph whose read-side section this thread
 * entered most recently and is still in, if that graph's backend is
 * lock-less and the thread owns an exclusive statistics slot; else 0 (never
 * a serial).  ng_send_data compares it with hook->fast_serial to take the
 * fast path.  Sections nest LIFO, so the outermost entry of a graph saves
 * the previous value in its ng_thread and its exit restores it.  Owner
 * thread only.
 */
extern _Thread_local uint64_t ng_fast_serial NG_TLS_IE;

/* Enter / leave a read-side section of g; nested calls only count depth. */
static inline struct ng_thread *ng_enter(struct ng_graph *g)
{
    struct ng_thread *t = ng_thread_get(g);
    if (NG_UNLIKELY(!t))
        return NULL;
    if (t->depth++ == 0) {
        g->bops->read_enter(t->bt);
        t->saved_fast = ng_fast_serial;
        ng_fast_serial = (!g->locked && ng_stat_slot != 0) ? g->serial : 0;
    }
    return t;
}

static inline void ng_exit(struct ng_thread *t)
{
    if (--t->depth == 0) {
        ng_fast_serial = t->saved_fast;
        t->g->bops->read_exit(t->bt);
    }
}
struct ng_typeent *ng_type_find_locked(struct ng_graph *g, const char *name);

static inline bool ng_locked_backend(const struct ng_graph *g)
{
    return g->locked;
}
static inline void ng_topo_wlock(struct ng_graph *g)
{
    if (ng_locked_backend(g))
        g->bops->topo_wlock(g->backend);
}
static inline void ng_topo_wunlock(struct ng_graph *g)
{
    if (ng_locked_backend(g))
        g->bops->topo_wunlock(g->backend);
}
static inline void ng_topo_rlock(struct ng_graph *g)
{
    if (ng_locked_backend(g))
        g->bops->topo_rlock(g->backend);
}
static inline void ng_topo_runlock(struct ng_graph *g)
{
    if (ng_locked_backend(g))
        g->bops->topo_runlock(g->backend);
}

/* item.c */
int ng_pool_init(struct ng_pool *p, const struct ng_graph_config *cfg);
void ng_pool_fini(struct ng_pool *p);
void ng_thread_cache_flush(struct ng_thread *t);
struct ng_item *ng_item_new_ctl(struct ng_graph *g, enum ng_item_kind kind);


/* node.c */
bool ng_node_tryref(struct ng_node *node);
bool ng_hook_tryref(struct ng_hook *hook);
/* Take / drop n references at once (n > 0). */
void ng_hook_ref_n(struct ng_hook *hook, int n);
void ng_hook_unref_n(struct ng_hook *hook, int n);
struct ng_node *ng_node_lookup_id(struct ng_graph *g, ng_id_t id);   /* section; no ref */
struct ng_node *ng_node_lookup_name(struct ng_graph *g, const char *name); /* section; no ref */
struct ng_hook *ng_findhook(struct ng_node *node, const char *name); /* section; no ref */
int ng_node_create_locked(struct ng_graph *g, struct ng_typeent *te, struct ng_node **np);
void ng_objcache_init(struct ng_objcache *c, size_t size);
void ng_objcache_fini(struct ng_objcache *c); /* frees what it holds */
int ng_node_name_locked(struct ng_node *node, const char *name);
int ng_connect_locked(struct ng_node *n1, const char *h1, struct ng_node *n2, const char *h2);
int ng_rmhook_locked(struct ng_node *node, const char *name);
int ng_node_shutdown_locked(struct ng_node *node, bool force);
void ng_node_nodeinfo(struct ng_node *node, struct nodeinfo *ni);
/* rwlock baseline: keep the type's shutdown method from running while a
 * message / function item is inside the node (see node.c). */
bool ng_node_finish_hold(struct ng_node *node);
void ng_node_finish_release(struct ng_node *node);

/* dispatch.c: node entry with netgraph reader/writer semantics. */
/* Deliver a data item to `hook`'s node (hook is the receiving hook). */
int ng_dispatch_data(struct ng_thread *t, struct ng_hook *hook, struct ng_item *item);
/* Deliver a message or function item to node (writer unless reader flag). */
int ng_dispatch_item(struct ng_thread *t, struct ng_node *node, struct ng_hook *hook,
                     struct ng_item *item, bool writer);
/* Run one item in node's context; the caller holds the required access. */
int ng_run_item(struct ng_thread *t, struct ng_node *node, struct ng_hook *hook,
                struct ng_item *item);
/* Drain a node's queue (called by the drain owner: inline or a worker). */
void ng_node_drain(struct ng_thread *t, struct ng_node *node);
/* Free every queued item of a dying node, counting them as dropped. */
void ng_node_flush_queue(struct ng_node *node);
bool ng_thread_holds_writer(struct ng_thread *t, struct ng_node *node);
/* rcvdata of hooks whose node type has none: drops the item. */
int ng_rcvdata_unsupported(struct ng_hook *hook, struct ng_item *item);

/* msg.c */
/* A response of up to NG_MAX_RESP_ARGLEN bytes (engine-built listings). */
struct ng_mesg *ng_mesg_response_large(const struct ng_mesg *msg, size_t arglen);
int ng_msg_deliver(struct ng_thread *t, struct ng_node *node, struct ng_hook *lasthook,
                   struct ng_item *item);
void ng_waiter_item_gone(struct ng_item *item);
int ng_generic_msg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook);

/* path.c */
/* Resolve inside a read-side section; results referenced (tryref). */
int ng_path_lookup(struct ng_graph *g, struct ng_node *from, const char *path,
                   struct ng_node **np, struct ng_hook **lasthookp);

/* runtime.c */
/* Hand a node whose DRAIN bit the caller owns to a worker; false if there is
 * no running runtime (the caller then drains inline). */
bool ng_runtime_schedule(struct ng_graph *g, struct ng_node *node);
void ng_timers_cancel_node(struct ng_node *node);
/* Fold a hook's data counts into its node's gone_in/out: at unlink (ctl_lock
 * held, final = false) and when it is freed (final = true, after its grace
 * period: no writer left), so node totals survive hook removal. */
void ng_hook_fold_stats(struct ng_hook *hook, bool final);
/* Answer an NGM_STATS message (called by generic.c; consumes item). */
int ng_stats_msg(struct ng_node *node, struct ng_item *item);

/* nodes/ *.c */
extern const struct ng_type ng_hole_type, ng_echo_type, ng_tee_type;

#endif
