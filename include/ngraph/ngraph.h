/*
 * libngraph - a userspace, lock-less reimplementation of FreeBSD's netgraph.
 *
 * Conventions used by every function in this library:
 *   - Functions returning int return 0 (or a non-negative count) on success and
 *     a negative errno value on failure (-ENOENT, -EEXIST, ...).  On failure the
 *     graph is left unchanged unless the function documents otherwise.
 *   - Items (struct ng_item) are owned by exactly one party.  A function that
 *     takes an item "consumes" it: on success and on failure the caller no
 *     longer owns it (it was delivered, queued, or freed and counted as
 *     dropped).  A node's rcvdata/rcvmsg owns the item it is given and must
 *     forward it or free it.
 *   - Node and hook pointers handed to node methods are valid for the duration
 *     of the call.  Pointers obtained from lookup functions are valid until the
 *     matching ng_node_unref()/ng_hook_unref().
 *   - Names are at most NG_NODESIZ-1 / NG_HOOKSIZ-1 / NG_TYPESIZ-1 bytes of
 *     printable ASCII excluding '.', ':', '[', ']' and whitespace.
 */
#ifndef NGRAPH_NGRAPH_H
#define NGRAPH_NGRAPH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NG_VERSION_MAJOR 0
#define NG_VERSION_MINOR 1
#define NG_VERSION_PATCH 0

/* Sizes, including the terminating NUL, as in netgraph. */
#define NG_TYPESIZ 32
#define NG_HOOKSIZ 32
#define NG_NODESIZ 32
#define NG_PATHSIZ 512
#define NG_CMDSTRSIZ 32
#define NG_TEXTRESPONSE 1024
#define NG_MAX_MSG_ARGLEN 65536 /* largest message argument accepted from a sender */
/* Largest response the engine builds itself (NGM_LISTNODES and friends):
 * 16 MiB, about 230,000 nodes.  Beyond it those messages fail with -ENOMEM. */
#define NG_MAX_RESP_ARGLEN (16u << 20)

typedef uint32_t ng_id_t;

struct ng_graph;
struct ng_node;
struct ng_hook;
struct ng_item;
struct ng_mesg;
struct ng_runtime;

/* ------------------------------------------------------------------------ */
/* Graphs and reclamation backends                                          */
/* ------------------------------------------------------------------------ */

enum ng_backend {
    NG_BACKEND_CK_EPOCH = 0, /* Concurrency Kit ck_epoch */
    NG_BACKEND_QSBR = 1,     /* liburcu urcu-qsbr */
    NG_BACKEND_RWLOCK = 2,   /* baseline: FreeBSD-style topology rwlock + refs */
};
#define NG_BACKEND_COUNT 3

/* Name of a backend ("ck_epoch", "qsbr", "rwlock"), or NULL if out of range. */
const char *ng_backend_name(enum ng_backend b);
/* Parse a backend name.  Returns 0 and sets *out, or -EINVAL. */
int ng_backend_parse(const char *name, enum ng_backend *out);

struct ng_graph_config {
    enum ng_backend backend;
    /* Data item buffer size in bytes (headroom included); 0 = 2048. */
    uint32_t item_bufsize;
    /* Headroom reserved at the front of each new data item; 0 = 64. */
    uint32_t item_headroom;
    /* Maximum number of items alive at once; 0 = 1 << 20.  Allocation beyond
     * it fails with -ENOBUFS (counted). */
    uint32_t item_limit;
};

/* Fill *cfg with defaults (ck_epoch backend). */
void ng_graph_config_init(struct ng_graph_config *cfg);

/*
 * Create a graph with its own node namespace, type registry (pre-loaded with
 * the built-in types "hole", "echo" and "tee") and reclamation backend.
 * cfg may be NULL for defaults.  Returns 0 and stores the graph in *gp, or
 * -EINVAL (bad config), -ENOMEM.
 */
int ng_graph_create(const struct ng_graph_config *cfg, struct ng_graph **gp);

/*
 * Destroy a graph: stops an attached runtime, shuts down every node (persistent
 * ones included), frees queued items (counted as dropped), waits for a final
 * grace period and frees everything.  No other thread may use the graph
 * concurrently or afterwards.  The calling thread must not be inside a node
 * method.
 */
void ng_graph_destroy(struct ng_graph *g);

enum ng_backend ng_graph_backend(const struct ng_graph *g);

/*
 * Threads.  Any thread may call the API; a thread's first data-path call
 * attaches it to the graph's backend lazily.  ng_thread_register() does that
 * eagerly (and reports failure); ng_thread_unregister() releases the
 * per-thread state (call it before a thread that used the graph exits, or let
 * thread exit / ng_graph_destroy() release it).  Application threads are
 * never left inside a read-side section between API calls, so they can never
 * stall a grace period.
 */
int ng_thread_register(struct ng_graph *g);
void ng_thread_unregister(struct ng_graph *g);

/*
 * Wait until all memory unlinked before the call has been reclaimed (a grace
 * period plus deferred callbacks).  Returns 0, -EINVAL (g NULL), or -EDEADLK
 * if the calling thread is inside a read-side section (a node method or a
 * batch; with qsbr, of any qsbr graph): waiting there would wait for itself.
 */
int ng_graph_barrier(struct ng_graph *g);

/* ------------------------------------------------------------------------ */
/* Node types                                                               */
/* ------------------------------------------------------------------------ */

#define NG_ABI_VERSION 1

/* One entry of a type's command list (used for text status / introspection). */
struct ng_cmdlist {
    uint32_t cookie;
    uint32_t cmd;
    const char *name;
    uint32_t min_arglen; /* arguments shorter than this are rejected (-EINVAL) */
};

/*
 * A node type, mirroring netgraph's struct ng_type.  Every method is optional
 * (NULL selects the default behaviour noted).  Methods run in the node's
 * context: rcvmsg, newhook, connect, disconnect and shutdown as a writer
 * (exclusive with every other method of the node), rcvdata as a reader
 * (concurrently with other readers unless the node or hook forces writer
 * mode, see ng_node_force_writer()).
 */
struct ng_type {
    uint32_t version;          /* NG_ABI_VERSION */
    const char *name;          /* unique type name */
    uint32_t cookie;           /* type cookie for messages */
    uint32_t flags;            /* NG_TYPE_* */
    /* Node created: allocate private state.  Non-zero return aborts creation. */
    int (*constructor)(struct ng_node *node);
    /* Control message.  Owns item; answer with ng_respond() or free it.
     * The return value is reported to a waiting sender if no response is
     * sent.  Default: -EINVAL for non-generic messages. */
    int (*rcvmsg)(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook);
    /* Node is being destroyed (all hooks already gone): free private state.
     * Default: nothing. */
    void (*shutdown)(struct ng_node *node);
    /* A hook named `name` is being added; non-zero refuses it (e.g. -EINVAL
     * for an unsupported name, -EISCONN if taken by the type's own rules). */
    int (*newhook)(struct ng_node *node, struct ng_hook *hook, const char *name);
    /* Look up a hook by name; default: linear search of the node's hooks. */
    struct ng_hook *(*findhook)(struct ng_node *node, const char *name);
    /* Both ends of a connection exist; non-zero undoes the connection. */
    int (*connect)(struct ng_hook *hook);
    /* Data arrived on hook.  Owns item: forward (ng_send_data) or free it. */
    int (*rcvdata)(struct ng_hook *hook, struct ng_item *item);
    /* The hook is being removed.  Default: if it was the node's last hook
     * and the type has NG_TYPE_CLOSE_ON_LAST_HOOK, the node is shut down. */
    int (*disconnect)(struct ng_hook *hook);
    const struct ng_cmdlist *cmdlist; /* terminated by an entry with name NULL */
};

/* The node's rcvdata is safe for concurrent callers and needs no per-node
 * entry accounting: data enters with no shared writes ("shared" mode). */
#define NG_TYPE_CONCURRENT_DATA 0x1u
/* Shut the node down when its last hook is disconnected. */
#define NG_TYPE_CLOSE_ON_LAST_HOOK 0x2u

/*
 * Register a type with the graph.  The struct must outlive the graph.
 * Returns 0, -EINVAL (bad version, name or missing field), -EEXIST (name or
 * cookie already registered).
 */
int ng_type_register(struct ng_graph *g, const struct ng_type *type);
/* Unregister a type that has no nodes: 0, -ENOENT, -EBUSY. */
int ng_type_unregister(struct ng_graph *g, const char *name);

/* ------------------------------------------------------------------------ */
/* Nodes                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * Create a node of type `type` (no name, no hooks).  On success *np (if not
 * NULL) receives the node with one reference held for the caller, to be
 * dropped with ng_node_unref().  Returns 0, -ENOENT (unknown type), -ENOMEM,
 * or the constructor's error.
 */
int ng_node_create(struct ng_graph *g, const char *type, struct ng_node **np);

/* Assign a name: 0, -EINVAL (invalid), -EEXIST (taken), -ESHUTDOWN. */
int ng_node_name(struct ng_node *node, const char *name);

/*
 * Find a node by absolute address "name:", "[id]:" (hex id), "name" or
 * "[id]".  Returns 0 and a referenced node in *np, or -EINVAL (malformed),
 * -ENOENT.
 */
int ng_node_find(struct ng_graph *g, const char *addr, struct ng_node **np);

/*
 * Shut a node down (netgraph's ng_rmnode): the node stops accepting items,
 * its hooks are removed (both ends' disconnect methods run), its queued items
 * are freed and counted as dropped, its timers cancelled and its name
 * released.  The type's shutdown method runs once no thread can still be
 * inside one of the node's methods (after a grace period, on whichever thread
 * completes it; ng_graph_barrier() waits for it).  The memory is reclaimed
 * when the last reference is dropped.  A persistent node
 * (ng_node_set_persistent) only loses its hooks and stays alive, unless the
 * whole graph is being destroyed: data items queued for its removed hooks are
 * dropped (NG_DROP_NOTCONN), queued messages and functions still run.
 * Returns 0, or -ESHUTDOWN if the node is already shutting down.
 */
int ng_node_shutdown(struct ng_node *node);

void ng_node_ref(struct ng_node *node);
void ng_node_unref(struct ng_node *node);

ng_id_t ng_node_id(const struct ng_node *node);
/* The node's name ("" if unnamed); valid while a reference is held. */
const char *ng_node_get_name(const struct ng_node *node);
const struct ng_type *ng_node_type(const struct ng_node *node);
struct ng_graph *ng_node_graph(const struct ng_node *node);
/*
 * The node's private pointer (set by ng_node_set_private, NULL initially).
 * Inline, like netgraph's NG_NODE_PRIVATE, because rcvdata methods read it
 * on every item: ABI guarantee, the private pointer is the first member of
 * the (otherwise opaque) struct ng_node.  Same for ng_hook_private().
 * The setters are release stores and the getters acquire loads, so a method
 * (e.g. connect/disconnect, which may overlap rcvdata) may re-point a
 * private pointer while data flows: readers see the old or the new value,
 * and what the pointer points to is published with it.
 */
static inline void *ng_node_private(const struct ng_node *node)
{
    return __atomic_load_n((void *const *)(const void *)node, __ATOMIC_ACQUIRE);
}
void ng_node_set_private(struct ng_node *node, void *priv);
/* Non-zero if the node has begun shutting down. */
int ng_node_is_valid(const struct ng_node *node);
int ng_node_numhooks(const struct ng_node *node);
/* Persistent nodes survive NGM_SHUTDOWN (only their type's shutdown runs). */
void ng_node_set_persistent(struct ng_node *node, int on);
/* Force every item entering the node to take writer (exclusive) access. */
void ng_node_force_writer(struct ng_node *node, int on);
/* Force every item to be queued and run by a worker (never run inline). */
void ng_node_force_queue(struct ng_node *node, int on);

/* ------------------------------------------------------------------------ */
/* Hooks                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * Connect hook `name1` on node1 to hook `name2` on node2, creating both hooks.
 * Returns 0, -EINVAL (invalid name, same node), -EEXIST (hook name taken),
 * -ESHUTDOWN (a node is shutting down), or a newhook/connect method's error.
 */
int ng_connect(struct ng_node *node1, const char *name1, struct ng_node *node2,
               const char *name2);

/*
 * Create a node of `type` and connect its hook `peerhook` to `ourhook` on
 * node (netgraph's mkpeer).  *newp, if not NULL, receives the new node with a
 * reference.  Errors as ng_node_create() and ng_connect(); on failure no new
 * node remains.
 */
int ng_mkpeer(struct ng_node *node, const char *ourhook, const char *type,
              const char *peerhook, struct ng_node **newp);

/* Remove hook `name` of node (and its peer hook).  0, -ENOENT. */
int ng_rmhook(struct ng_node *node, const char *name);

/* Find a hook by name; referenced result in *hp.  0, -ENOENT, -EINVAL. */
int ng_hook_find(struct ng_node *node, const char *name, struct ng_hook **hp);

void ng_hook_ref(struct ng_hook *hook);
void ng_hook_unref(struct ng_hook *hook);
const char *ng_hook_name(const struct ng_hook *hook);
struct ng_node *ng_hook_node(const struct ng_hook *hook);
/* The peer hook, or NULL if the hook is not (or no longer) connected.  Only
 * meaningful inside a node method. */
struct ng_hook *ng_hook_peer(const struct ng_hook *hook);
/* The hook's private pointer (inline; see ng_node_private). */
static inline void *ng_hook_private(const struct ng_hook *hook)
{
    return __atomic_load_n((void *const *)(const void *)hook, __ATOMIC_ACQUIRE);
}
void ng_hook_set_private(struct ng_hook *hook, void *priv);
/* Non-zero while the hook is connected and not being removed. */
int ng_hook_is_valid(const struct ng_hook *hook);
/* Items arriving on this hook take writer access to the node. */
void ng_hook_force_writer(struct ng_hook *hook, int on);
/* Items arriving on this hook are always queued (never run inline). */
void ng_hook_force_queue(struct ng_hook *hook, int on);

/* ------------------------------------------------------------------------ */
/* Items                                                                    */
/* ------------------------------------------------------------------------ */

#define NG_ITEM_META_SIZE 32 /* bytes of per-item metadata/tag area */

/*
 * Allocate a data item from the graph's pool (no malloc on the hot path once
 * the pool is warm) with `len` bytes of data after the default headroom.
 * Returns NULL if len exceeds the buffer or the item limit is reached (the
 * failure is counted as an allocation drop).  The metadata area is zeroed.
 */
struct ng_item *ng_item_alloc(struct ng_graph *g, uint32_t len);
/* Free any item (data or message).  NULL is ignored. */
void ng_item_free(struct ng_item *item);
/* Deep copy of a data item (for tee-like nodes); NULL on exhaustion. */
struct ng_item *ng_item_copy(const struct ng_item *item);

uint8_t *ng_item_data(struct ng_item *item);
uint32_t ng_item_len(const struct ng_item *item);
uint32_t ng_item_headroom(const struct ng_item *item);
uint32_t ng_item_tailroom(const struct ng_item *item);
/* Grow the data at the front by n bytes (from headroom): pointer to the new
 * start, or NULL (item unchanged) if headroom is insufficient. */
uint8_t *ng_item_prepend(struct ng_item *item, uint32_t n);
/* Grow at the back by n bytes: pointer to the new bytes, or NULL. */
uint8_t *ng_item_append(struct ng_item *item, uint32_t n);
/* Drop n bytes from the front / trim to length len: 0 or -EINVAL. */
int ng_item_adj(struct ng_item *item, uint32_t n);
int ng_item_trim(struct ng_item *item, uint32_t len);
/* The NG_ITEM_META_SIZE-byte metadata area (tags, timestamps...). */
void *ng_item_meta(struct ng_item *item);
/* Non-zero for message items. */
int ng_item_is_msg(const struct ng_item *item);
/* The message carried by a message item (still owned by the item). */
struct ng_mesg *ng_item_msg(struct ng_item *item);

/* ------------------------------------------------------------------------ */
/* Data path                                                                */
/* ------------------------------------------------------------------------ */

/*
 * Send a data item out of `hook` to its peer node's rcvdata.  Consumes item.
 * Called from a node method (forwarding) or from any application thread
 * (injection into the graph at `hook`).  Never blocks on topology changes.
 * Returns 0 when delivered or queued at the peer; -ENOTCONN (hook not
 * connected or being removed: item dropped and counted), -EINVAL (NULL hook
 * or a message item: item freed), -ENOMEM (no per-thread state: item freed),
 * or the peer's rcvdata error.
 * Cost: from inside a node method (or a batch, below) on a ck_epoch or qsbr
 * graph a hop is a handful of loads, two per-thread counter increments and
 * the rcvdata call; an outermost call also enters and leaves a read-side
 * section (a memory fence with ck_epoch, an online/offline pair with qsbr).
 */
int ng_send_data(struct ng_hook *hook, struct ng_item *item);

/*
 * Batches: keep the calling thread inside one read-side section of g across
 * many ng_send_data()/ng_inject_data() calls, so an injection loop pays the
 * section entry once per burst instead of once per item (what a DPDK worker
 * does by reporting a quiescent state once per loop iteration).
 * Nests (each begin needs one end); ng_batch_end() of the outermost batch
 * leaves the section.  While a batch is open the thread delays every grace
 * period of g (and, with qsbr, of every qsbr graph), so keep batches short
 * (microseconds) and never block inside one: calls that would wait for a
 * grace period or for another thread refuse with -EDEADLK (ng_graph_barrier,
 * synchronous ng_send_msg / NG_FN_WAIT).  Not for runtime workers (they are
 * in a section while running items already).  A thread must end its batches
 * before it exits: a section left open stalls reclamation for good.
 * ng_batch_begin returns 0, -EINVAL (g NULL) or -ENOMEM (no per-thread
 * state); ng_batch_end returns 0 or -EINVAL (no batch of g open).
 */
int ng_batch_begin(struct ng_graph *g);
int ng_batch_end(struct ng_graph *g);

/*
 * Inject a data item at hook `name` of node, as if it had been received on
 * that hook (its node's rcvdata runs).  Consumes item.  Returns 0, -ENOENT
 * (no such hook, item dropped and counted), or rcvdata's error.
 */
int ng_inject_data(struct ng_node *node, const char *hookname, struct ng_item *item);

/*
 * Run a function in a node's context (netgraph's ng_send_fn).  With
 * NG_FN_WRITER the function runs with exclusive access to the node, otherwise
 * as a reader.  If the node can be entered now the function runs before
 * ng_send_fn returns; otherwise it is queued behind the node's pending items
 * and run in order by whoever drains the node (a runtime worker if one is
 * running).  With NG_FN_WAIT the caller waits for it to have run (must not be
 * used from inside a node method).  hook, if not NULL, must belong to node and
 * is passed through.  Returns 0, -ESHUTDOWN (node shutting down: fn not run),
 * -ENOMEM, -EDEADLK (NG_FN_WAIT from inside a node method).
 */
typedef void (*ng_item_fn)(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2);
#define NG_FN_WRITER 0x1u
#define NG_FN_WAIT 0x2u
int ng_send_fn(struct ng_node *node, struct ng_hook *hook, ng_item_fn fn, void *arg1, int arg2,
               unsigned flags);

/* ------------------------------------------------------------------------ */
/* Statistics                                                               */
/* ------------------------------------------------------------------------ */

enum ng_drop_reason {
    NG_DROP_NOTCONN = 0, /* hook unconnected or being removed */
    NG_DROP_DEAD,        /* node shutting down / queued at a dying node */
    NG_DROP_NOBUFS,      /* item allocation or copy failed */
    NG_DROP_QUEUE,       /* runtime shut down / queue limit exceeded */
    NG_DROP_REASONS
};

struct ng_graph_stats {
    uint64_t items_alloc;         /* items allocated */
    uint64_t items_free;          /* items freed */
    uint64_t items_live;          /* currently allocated */
    uint64_t drops[NG_DROP_REASONS];
    uint64_t nodes;               /* live nodes */
    uint64_t hooks;               /* live hooks */
    uint64_t defer_pending;       /* objects waiting for a grace period */
};
/* Snapshot graph-wide counters (summed from per-thread counters). */
void ng_graph_stats(struct ng_graph *g, struct ng_graph_stats *st);

/*
 * Free an item that could not be delivered and count it as a drop of reason
 * r (what a node type does when it has nowhere to send an item).  Message and
 * function items are freed without being counted (drops count data only).
 */
void ng_item_drop(struct ng_item *item, enum ng_drop_reason r);
/* Count one drop of reason r against g without an item (e.g. a failed
 * ng_item_copy()).  r must be below NG_DROP_REASONS. */
void ng_count_drop(struct ng_graph *g, enum ng_drop_reason r);

#ifdef __cplusplus
}
#endif

#include <ngraph/message.h>
#include <ngraph/nodes.h>

#endif
