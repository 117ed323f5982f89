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
 *
 * Every function's comment ends with the same three lines:
 *   Context:  who may call it: any thread, a node method, inside a batch or
 *             not, a runtime worker or not; whether it takes the graph's
 *             control lock; whether it may block or wait.
 *   Consumes: the ownership it takes ("item (always, also on failure)",
 *             "msg", "nothing").
 *   Returns:  the value on success, then each negative errno and when.
 * Terms used there:
 *   - "read-side section": the state of a thread inside a node method, inside
 *     a batch (ng_batch_begin) or running items on a runtime worker.  Calls
 *     that wait for a grace period or for another thread refuse there with
 *     -EDEADLK.
 *   - "control lock": the graph's recursive topology mutex.  Topology calls
 *     take it (a node method may call them: it is recursive); the data path
 *     never does; a thread holding it never waits for a grace period or for
 *     data, so "may block on the control lock" means for as long as another
 *     thread's topology change (and the node methods it runs) takes.
 *   - "no per-thread state" (-ENOMEM): the calling thread could not be
 *     attached to the graph: allocation or backend registration failed, or
 *     the thread already uses 8 other live graphs.
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

/*
 * Name of a backend ("ck_epoch", "qsbr", "rwlock").
 *   Context:  any thread; no lock, never blocks.
 *   Consumes: nothing.
 *   Returns:  a static string, or NULL if b is out of range.
 */
const char *ng_backend_name(enum ng_backend b);

/*
 * Parse a backend name and store the backend in *out.
 *   Context:  any thread; no lock, never blocks.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (name or out NULL, unknown name).
 */
int ng_backend_parse(const char *name, enum ng_backend *out);

/*
 * How data enters a netgraph-mode node (one whose type is not
 * NG_TYPE_CONCURRENT_DATA): netgraph's reader/writer discipline, by one of
 * two schemes (docs/design.md, "Node entry").
 *   NG_ENTRY_AUTO    (0, the default) biased where the process can use
 *                    membarrier(2) and the backend is lock-less, else CAS.
 *   NG_ENTRY_BIASED  readers announce themselves with plain thread-local
 *                    stores (no locked instruction per hop); writers
 *                    (messages, writer functions) revoke the node's bias
 *                    with membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) and
 *                    wait, queued, for the announced readers to leave.
 *                    Nodes or hooks that force writer or queue entry are
 *                    never biased, so forced-writer data pays no barrier.
 *   NG_ENTRY_CAS     every reader entry and leave is an atomic
 *                    read-modify-write of the node's queue word.
 */
enum ng_entry_scheme {
    NG_ENTRY_AUTO = 0,
    NG_ENTRY_BIASED = 1,
    NG_ENTRY_CAS = 2,
};

struct ng_graph_config {
    enum ng_backend backend;
    /* Data item buffer size in bytes (headroom included); 0 = 2048. */
    uint32_t item_bufsize;
    /* Headroom reserved at the front of each new data item; 0 = 64. */
    uint32_t item_headroom;
    /* Maximum number of data items alive at once, exactly (any value from 1;
     * 0 = 1 << 20).  Allocation beyond it fails (NULL, counted as
     * NG_DROP_NOBUFS).  One thread alone can have all of them alive; with
     * several threads, free items another thread still caches (fewer than
     * 128 per thread) are out of reach until it frees more or detaches. */
    uint32_t item_limit;
    /* Netgraph-mode entry scheme; NG_ENTRY_AUTO (0) by default. */
    enum ng_entry_scheme entry;
};

/*
 * Fill *cfg with defaults (ck_epoch backend, 2048-byte buffers, 64 bytes of
 * headroom, 1 << 20 items, NG_ENTRY_AUTO).  cfg must not be NULL.
 *   Context:  any thread; no lock, never blocks.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
void ng_graph_config_init(struct ng_graph_config *cfg);

/*
 * Create a graph with its own node namespace, type registry (pre-loaded with
 * the built-in types "hole", "echo" and "tee") and reclamation backend.
 * cfg may be NULL for defaults; zero size fields select the defaults.
 * Stores the graph in *gp (NULL on failure).
 *   Context:  any thread; no graph lock (a process-wide registry mutex).
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (gp NULL, unknown backend or entry scheme,
 *             item_headroom >= item_bufsize, item_bufsize > 16 MiB);
 *             -EOPNOTSUPP (NG_ENTRY_BIASED where membarrier(2) cannot be
 *             used: old kernel, seccomp, valgrind); -ENOMEM; the rwlock
 *             backend's -errno of pthread_rwlock_init().
 */
int ng_graph_create(const struct ng_graph_config *cfg, struct ng_graph **gp);

/*
 * The entry scheme g uses: NG_ENTRY_BIASED or NG_ENTRY_CAS (what
 * NG_ENTRY_AUTO resolved to).  g must not be NULL.
 *   Context:  any thread; no lock, never blocks.
 *   Consumes: nothing.
 *   Returns:  the scheme.
 */
enum ng_entry_scheme ng_graph_entry_scheme(const struct ng_graph *g);

/*
 * Destroy a graph: stops an attached runtime, shuts down every node (persistent
 * ones included), frees queued items (counted as dropped), waits for a final
 * grace period and frees everything.  No other thread may use the graph
 * concurrently or afterwards.  Node and hook references the application still
 * holds are reported on stderr and their memory is leaked.  Free memory is
 * then returned to the system (malloc_trim(0) with glibc), so a large graph
 * leaves no resident heap behind.  NULL is ignored.
 *   Context:  one thread, while no other thread uses g; not inside a node
 *             method, a batch or on a runtime worker (it waits for grace
 *             periods and joins the workers); takes the control lock; blocks.
 *   Consumes: g.
 *   Returns:  nothing.
 */
void ng_graph_destroy(struct ng_graph *g);

/*
 * The backend g was created with.  g must not be NULL.
 *   Context:  any thread; no lock, never blocks.
 *   Consumes: nothing.
 *   Returns:  the backend.
 */
enum ng_backend ng_graph_backend(const struct ng_graph *g);

/*
 * Threads.  Any thread may call the API; a thread's first data-path call
 * attaches it to the graph's backend lazily.  ng_thread_register() does that
 * eagerly (and reports failure); ng_thread_unregister() releases the
 * per-thread state (call it before a thread that used the graph exits, or let
 * thread exit / ng_graph_destroy() release it).  Application threads are
 * never left inside a read-side section between API calls (unless they open
 * a batch), so they can never stall a grace period.
 */

/*
 * Attach the calling thread to g now.  Calling it again is a cheap no-op.
 *   Context:  any thread; no graph lock; may block briefly (the qsbr
 *             backend registers the thread with liburcu); never waits for a
 *             grace period.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (g NULL); -ENOMEM (no per-thread state).
 */
int ng_thread_register(struct ng_graph *g);

/*
 * Release the calling thread's state for g.  Does nothing if g is NULL, the
 * thread never attached, or it is inside a read-side section of g (a node
 * method or an open batch) or is a runtime worker: those refuse silently.
 *   Context:  any thread outside a read-side section of g; not a worker;
 *             never waits for a grace period.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
void ng_thread_unregister(struct ng_graph *g);

/*
 * Wait until all memory unlinked before the call has been reclaimed (a grace
 * period plus deferred callbacks, including pending type shutdown methods).
 *   Context:  any thread outside every read-side section, of any graph (not
 *             in a node method, a batch or on a worker): waiting there would
 *             wait for itself.  Also not from a type's shutdown method.
 *             Blocks until the grace period ends.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (g NULL); -EDEADLK (the calling thread is inside a
 *             read-side section of any graph).
 */
int ng_graph_barrier(struct ng_graph *g);

/*
 * Deferred reclamation for node types.  A type whose rcvdata reads state
 * without a lock (shared mode, NG_TYPE_CONCURRENT_DATA) publishes a new
 * version with a release store and hands the old one to ng_defer(): fn runs
 * once every read-side section that could still see the old version has
 * ended (the graph's backend decides when: a ck_epoch epoch, a liburcu QSBR
 * grace period; the rwlock baseline defers through ck_epoch too).  The entry
 * is embedded in the memory to be freed; its fields are private.
 */
struct ng_defer_entry {
    void *ng_private[5];
};
typedef void (*ng_defer_fn)(struct ng_defer_entry *e);

/*
 * Call fn(e) after a grace period of g.  fn runs exactly once, on a thread
 * of the backend's choosing (a thread leaving a section, the backend's
 * reclaim thread, ng_graph_barrier or ng_graph_destroy), outside every node
 * method: it may only free memory (typically the object containing e) and
 * must not call into the graph.  ng_graph_barrier() waits for every pending
 * call; ng_graph_destroy() runs them all before it returns.
 *   Context:  any thread, node methods and timer functions included;
 *             never blocks.  g must be alive.
 *   Consumes: e, which belongs to the graph until fn(e) is called (do not
 *             touch or reuse it before then).
 *   Returns:  0; -EINVAL (g, e or fn NULL).
 */
int ng_defer(struct ng_graph *g, struct ng_defer_entry *e, ng_defer_fn fn);

/* ------------------------------------------------------------------------ */
/* Node types                                                               */
/* ------------------------------------------------------------------------ */

/* 2: struct ng_cmdlist gained parse types (FreeBSD's field order).
 * 3: struct ng_type gained close (at the end); ng_timer_arm gained a hook. */
#define NG_ABI_VERSION 3

struct ng_parse_type; /* <ngraph/parse.h> */

/*
 * One entry of a type's command list: the command's ASCII name and the parse
 * types of its argument and response (NULL: none), as FreeBSD's.  The engine
 * converts messages to and from text with them (NGM_ASCII2BINARY,
 * NGM_BINARY2ASCII, ng_send_ascii), looking a command up in the target
 * type's list first, then in the generic list.
 */
struct ng_cmdlist {
    uint32_t cookie;
    uint32_t cmd;
    const char *name;                      /* at most NG_CMDSTRSIZ - 1 bytes */
    const struct ng_parse_type *mesg_type; /* argument */
    const struct ng_parse_type *resp_type; /* response */
    uint32_t min_arglen;                   /* libngraph: shorter arguments are refused (-EINVAL) */
};

/*
 * A node type, mirroring netgraph's struct ng_type.  Every method is optional
 * (NULL selects the default behaviour noted).  A positive error returned by a
 * method is negated.
 *
 * Node access.  Items enter a node with netgraph's reader/writer discipline:
 * rcvmsg, NG_FN_WRITER functions (ng_send_fn) and timer functions take
 * writer access (exclusive with every other item-entered method of the
 * node); rcvdata and plain ng_send_fn functions take reader access
 * (concurrently with other readers, excluded by a writer), unless the node
 * or hook forces writer mode (ng_node_force_writer, ng_hook_force_writer).
 * In shared mode (NG_TYPE_CONCURRENT_DATA, no forcing flag set) rcvdata
 * takes no access at all and may run concurrently with everything,
 * rcvmsg and writer functions included.
 *
 * Topology methods are NOT writers (unlike FreeBSD, on purpose: see
 * docs/design.md section 3).  newhook, connect and disconnect run on the
 * thread that changes the topology, under the graph's control lock only:
 * they are serialised with each other, with constructor and shutdown and
 * with every topology change of the graph, but may run concurrently with
 * rcvdata, rcvmsg and ng_send_fn / timer functions of the same node on
 * other threads.  (When the change comes from a generic message, the
 * addressed node's own methods also run inside that message's writer
 * access; the other node's do not.)  constructor runs under the control
 * lock before the node is visible to anyone; shutdown runs under the
 * control lock once no thread can be inside any method of the node.
 * findhook runs under no lock at all, on any thread.
 *
 * All methods but shutdown run inside a read-side section of the graph, so
 * none of them may wait: ng_graph_barrier(), synchronous ng_send_msg() and
 * NG_FN_WAIT refuse there with -EDEADLK.  They may call the data-path API
 * and the topology API (the control lock is recursive).
 */
struct ng_type {
    uint32_t version; /* NG_ABI_VERSION */
    const char *name; /* unique type name */
    uint32_t cookie;  /* type cookie for messages */
    uint32_t flags;   /* NG_TYPE_* */
    /* Node created (it has an id, no name, no hooks): allocate private
     * state.  Non-zero return aborts creation; shutdown is then not called.
     *   Context:  the thread calling ng_node_create / ng_mkpeer (or running
     *             NGM_MKPEER), under the control lock; the node is not yet
     *             visible to any other thread. */
    int (*constructor)(struct ng_node *node);
    /* Control message, or a response (NGF_RESP) to one this node sent.
     * Owns item; answer with ng_respond() or free it.  Generic messages
     * (NGM_GENERIC_COOKIE and NGM_NGRAPH_COOKIE, not responses) are handled
     * by the engine and never reach it, except NGM_TEXT_STATUS and
     * NGM_TEXT_CONFIG, which are the type's to answer (-EINVAL: "no status",
     * as FreeBSD's); arguments shorter than the cmdlist's min_arglen are
     * refused (-EINVAL) before it runs.  The return value reaches a
     * waiting sender if no response was sent (if one was, ng_respond's
     * error wins, except that a non-zero return wins when the message ran
     * on the sender's thread).  Default: -EINVAL for non-generic messages.
     *   Context:  writer access to the node (see above; concurrent with
     *             shared-mode rcvdata and with newhook/connect/disconnect);
     *             on the sender's thread or on whichever thread drains the
     *             node's queue (a runtime worker if one runs); inside a
     *             read-side section; may be called by a thread that holds
     *             the control lock (a response or an inline queue drain
     *             started from a topology call). */
    int (*rcvmsg)(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook);
    /* Node is being destroyed (all hooks already gone): free private state.
     * Runs exactly once per node that shut down.  Persistent nodes
     * (ng_node_set_persistent): netgraph(4)'s revive.  Each
     * ng_node_shutdown / NGM_SHUTDOWN of one calls it too, after its hooks
     * were removed, and the node then stays, valid, with its name and id:
     * the method sees ng_node_is_valid(node) != 0 and must reset its state
     * (not free it), since the node goes on being used; rcvdata calls that
     * loaded a removed hook earlier may still be running.  Only the
     * shutdown at ng_graph_destroy() is final for it (node invalid).
     * Default: nothing.
     *   Context:  final shutdown: under the control lock, once no thread can
     *             be inside any method of the node (a grace period after
     *             the shutdown and after its last hook was reclaimed), on
     *             whichever thread completes that: an API caller, a runtime
     *             worker, or the backend's reclamation thread (qsbr:
     *             liburcu's call_rcu thread).  Revive: on the thread that
     *             shut the node down, under the control lock, at once.
     *             Must not wait (no ng_graph_barrier). */
    void (*shutdown)(struct ng_node *node);
    /* A hook named `name` is being added; non-zero refuses it (e.g. -EINVAL
     * for an unsupported name, -EISCONN if taken by the type's own rules).
     * The hook is not yet linked anywhere.  If it is refused later (the
     * other node's newhook fails) this node's disconnect method is called
     * with it (as in netgraph: a type may have kept the hook), then it is
     * discarded; if a connect method fails, both disconnect methods run.
     *   Context:  the thread changing the topology, under the control lock
     *             only (not a writer: may run concurrently with rcvdata,
     *             rcvmsg and functions of the node on other threads). */
    int (*newhook)(struct ng_node *node, struct ng_hook *hook, const char *name);
    /* Look up a hook by name; default: linear search of the node's hooks,
     * skipping hooks being removed.  The result is not referenced.
     *   Context:  any thread, inside a read-side section, with or without
     *             the control lock (data-path lookups: ng_inject_data,
     *             ng_hook_find, path resolution; ng_rmhook); concurrently
     *             with every other method of the node: lock-free reads
     *             only. */
    struct ng_hook *(*findhook)(struct ng_node *node, const char *name);
    /* Both ends of a connection exist; non-zero undoes the connection (both
     * hooks are removed and both disconnect methods run).  The pair is
     * already linked in both nodes' hook lists, so data may arrive on the
     * hook (ng_inject_data, a sender that found the peer hook) before
     * connect returns.
     *   Context:  the thread changing the topology, under the control lock
     *             only (not a writer: may run concurrently with rcvdata,
     *             rcvmsg and functions of the node on other threads). */
    int (*connect)(struct ng_hook *hook);
    /* Data arrived on hook.  Owns item: forward (ng_send_data) or free it.
     * The return value reaches the ng_send_data() / ng_inject_data() caller
     * when rcvdata ran on its thread; it is ignored for queued items.
     * Default: the item is dropped (NG_DROP_DEAD) with -EOPNOTSUPP.
     *   Context:  reader access (netgraph mode), writer access (forced), or
     *             none (shared mode); on the sender's thread, or on
     *             whichever thread drains the node's queue (a runtime worker
     *             if one runs, else the thread whose exit from the node
     *             started the drain); inside a read-side section; may be
     *             called by a thread that holds the control lock (inline
     *             queue drain). */
    int (*rcvdata)(struct ng_hook *hook, struct ng_item *item);
    /* The hook is being removed: it is already cut from data (invalid, peer
     * pointers cleared, unlinked), though rcvdata calls that loaded it
     * earlier may still be running.  The return value is ignored.
     * Default: if it was the node's last hook and the type has
     * NG_TYPE_CLOSE_ON_LAST_HOOK, the node is shut down (a type with its
     * own disconnect must do that itself, as tee does).
     *   Context:  the thread changing the topology (ng_rmhook, a shutdown,
     *             a failed connect...), under the control lock only (not a
     *             writer: may run concurrently with rcvdata, rcvmsg and
     *             functions of the node on other threads). */
    int (*disconnect)(struct ng_hook *hook);
    const struct ng_cmdlist *cmdlist; /* terminated by an entry with name NULL */
    /* A burst of n data items (1 <= n <= NG_BURST_MAX) arrived on hook,
     * sent with ng_send_data_burst() or by a runtime worker.  Owns every
     * item of items[0..n) (forward them, e.g. with ng_send_data_burst() on
     * the same vector, or free them); the vector itself belongs to the
     * caller and is valid only during the call, which may overwrite its
     * entries.  The node is entered once for the whole burst (netgraph
     * mode: one reader entry; forced writer: one writer entry).  Items
     * that arrive one at a time (ng_send_data, queued items) still go to
     * rcvdata; a type with rcvdata_burst and no rcvdata gets those as
     * bursts of 1.  Default (NULL): the engine hands the items to rcvdata
     * one by one, with the same entry and the same accounting.
     *   Context:  as rcvdata. */
    int (*rcvdata_burst)(struct ng_hook *hook, struct ng_item **items, unsigned n);
    /* netgraph's close: the node's shutdown has begun (ng_node_shutdown,
     * NGM_SHUTDOWN, the last hook going with NG_TYPE_CLOSE_ON_LAST_HOOK,
     * graph destruction) and its hooks are still connected: the last
     * chance to use them, e.g. to splice two neighbours together with
     * ng_bypass() as tee does.  The node is already invalid (no new items
     * enter it; a persistent node stays valid), its timers are still
     * armed.  A further ng_node_shutdown() of the node from here returns
     * -ESHUTDOWN.  The return value is ignored: the shutdown goes on.
     * Default: nothing.
     *   Context:  the thread shutting the node down, under the control
     *             lock only (not a writer: rcvdata and functions of the
     *             node may still run on other threads); inside a read-side
     *             section; must not wait. */
    int (*close)(struct ng_node *node);
};

/* The node's rcvdata is safe for concurrent callers and needs no per-node
 * entry accounting: data enters with no shared writes ("shared" mode), and
 * rcvdata may then overlap rcvmsg and writer functions of the node. */
#define NG_TYPE_CONCURRENT_DATA 0x1u
/* Shut the node down when its last hook is disconnected (only when the type
 * has no disconnect method). */
#define NG_TYPE_CLOSE_ON_LAST_HOOK 0x2u

/*
 * Register a type with the graph.  The struct must outlive the graph.  No
 * method is required.
 *   Context:  any thread; takes the control lock (may block on it).
 *   Consumes: nothing (type is borrowed, not copied).
 *   Returns:  0; -EINVAL (g or type NULL, version not NG_ABI_VERSION, name
 *             NULL or invalid); -EEXIST (name or cookie already registered);
 *             -ENOMEM.
 */
int ng_type_register(struct ng_graph *g, const struct ng_type *type);

/*
 * Unregister a type that has no nodes.  A node counts until its type's
 * shutdown method has run: after ng_node_shutdown(), ng_graph_barrier()
 * first.
 *   Context:  any thread; takes the control lock (may block on it).
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (g or name NULL); -ENOENT (not registered); -EBUSY
 *             (nodes of the type exist).
 */
int ng_type_unregister(struct ng_graph *g, const char *name);

/* ------------------------------------------------------------------------ */
/* Nodes                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * Create a node of type `type` (no name, no hooks); the type's constructor
 * runs on the calling thread.  On success *np (if not NULL) receives the
 * node with one reference held for the caller, to be dropped with
 * ng_node_unref(); on failure *np is NULL.
 *   Context:  any thread, node methods included; takes the control lock
 *             (may block on it); never waits for data or a grace period.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (g or type NULL); -ENOENT (unknown type); -ENOMEM
 *             (also: no per-thread state); the constructor's error.
 */
int ng_node_create(struct ng_graph *g, const char *type, struct ng_node **np);

/*
 * Assign (or change) a node's name.  Naming a node with its own name is a
 * no-op.
 *   Context:  any thread, node methods included; takes the control lock
 *             (may block on it).
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (node or name NULL, invalid name); -ESHUTDOWN (node
 *             shutting down); -EADDRINUSE (name taken by another node, as
 *             FreeBSD's NGM_NAME).
 */
int ng_node_name(struct ng_node *node, const char *name);

/*
 * Find a node by absolute address "name:", "[id]:" (hex id), "name" or
 * "[id]" (no hook path).  On success *np receives a referenced node; on
 * failure *np is NULL.
 *   Context:  any thread; no lock (lock-less lookup; rwlock backend: the
 *             topology read lock); never waits.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (g, addr or np NULL, malformed address); -ENOMEM
 *             (no per-thread state); -ENOENT (no such node, or it is being
 *             freed).
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
 * dropped (NG_DROP_NOTCONN), queued messages and functions still run; its
 * type's shutdown method runs at once, on this thread (netgraph's revive).
 * The type's close method (if any) runs first, before the hooks go.
 *   Context:  any thread, node methods included (a node may shut itself
 *             down); takes the control lock (may block on it); never waits
 *             for data or a grace period.
 *   Consumes: nothing (the caller's reference stays the caller's).
 *   Returns:  0 (also for a persistent node, every time); -EINVAL (node
 *             NULL); -ENOMEM (no per-thread state); -ESHUTDOWN (the node is
 *             already shutting down).
 */
int ng_node_shutdown(struct ng_node *node);

/*
 * Take one more reference on a node.  The caller must already hold one (or
 * be inside a method of the node): this cannot revive a node being freed.
 *   Context:  any thread; one atomic add, never blocks.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
void ng_node_ref(struct ng_node *node);

/*
 * Drop a reference.  The last one hands the memory to the backend, freed
 * after a grace period.  NULL is ignored.
 *   Context:  any thread; one atomic subtraction, never blocks.
 *   Consumes: one reference on node.
 *   Returns:  nothing.
 */
void ng_node_unref(struct ng_node *node);

/*
 * The node's id (unique among live nodes of its graph, never 0).
 *   Context:  any thread holding a reference (or in a method of the node).
 *   Consumes: nothing.
 *   Returns:  the id.
 */
ng_id_t ng_node_id(const struct ng_node *node);

/*
 * The node's name ("" if unnamed); valid while a reference is held.  A
 * concurrent ng_node_name() may rewrite it in place.
 *   Context:  any thread holding a reference (or in a method of the node).
 *   Consumes: nothing.
 *   Returns:  the name.
 */
const char *ng_node_get_name(const struct ng_node *node);

/*
 * The node's type.
 *   Context:  any thread holding a reference (or in a method of the node).
 *   Consumes: nothing.
 *   Returns:  the type.
 */
const struct ng_type *ng_node_type(const struct ng_node *node);

/*
 * The graph the node belongs to.
 *   Context:  any thread holding a reference (or in a method of the node).
 *   Consumes: nothing.
 *   Returns:  the graph.
 */
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
 *   Context:  any thread holding a reference (or in a method of the node);
 *             one acquire load.
 *   Consumes: nothing.
 *   Returns:  the private pointer.
 */
static inline void *ng_node_private(const struct ng_node *node)
{
    return __atomic_load_n((void *const *)(const void *)node, __ATOMIC_ACQUIRE);
}

/*
 * Set the node's private pointer (release store, see ng_node_private).
 *   Context:  any thread holding a reference (or in a method of the node);
 *             never blocks.
 *   Consumes: nothing (the engine never frees priv: the type does).
 *   Returns:  nothing.
 */
void ng_node_set_private(struct ng_node *node, void *priv);

/*
 * Whether the node is still alive, i.e. has not begun shutting down.
 *   Context:  any thread holding a reference (or in a method of the node).
 *   Consumes: nothing.
 *   Returns:  non-zero while the node is valid; 0 once it has begun shutting
 *             down.
 */
int ng_node_is_valid(const struct ng_node *node);

/*
 * Number of hooks linked to the node.  Exact under the control lock (in
 * newhook/connect/disconnect), a snapshot elsewhere.
 *   Context:  any thread holding a reference (or in a method of the node).
 *   Consumes: nothing.
 *   Returns:  the count.
 */
int ng_node_numhooks(const struct ng_node *node);

/*
 * Make the node persistent (on != 0) or not.  A persistent node survives
 * ng_node_shutdown(), NGM_SHUTDOWN and NG_TYPE_CLOSE_ON_LAST_HOOK as
 * netgraph(4) describes: its close method runs, it loses its hooks (and
 * timers and queued data), its type's shutdown method runs, and it
 * "revives": stays valid, keeps its name and id (see struct ng_type's
 * shutdown).  ng_graph_destroy() shuts it down for good.
 *   Context:  any thread holding a reference; one atomic flag update.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
void ng_node_set_persistent(struct ng_node *node, int on);

/*
 * Force every item entering the node to take writer (exclusive) access
 * (on != 0), or stop forcing.  Also takes a shared-mode node off its
 * no-accounting data path.  Applies to items entering after the call.
 *   Context:  any thread holding a reference; one atomic flag update.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
void ng_node_force_writer(struct ng_node *node, int on);

/*
 * Force every item to be queued and run by the queue's drainer (a worker if
 * a runtime runs), never inline on the sender's thread (on != 0), or stop
 * forcing.  Applies to items entering after the call.
 *   Context:  any thread holding a reference; one atomic flag update.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
void ng_node_force_queue(struct ng_node *node, int on);

/* ------------------------------------------------------------------------ */
/* Hooks                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * Connect hook `name1` on node1 to hook `name2` on node2, creating both hooks:
 * both newhook methods run, the pair is published, then both connect
 * methods run (see struct ng_type).
 *   Context:  any thread, node methods included; takes the control lock
 *             (may block on it); never waits for data or a grace period.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (a NULL argument, invalid hook name, node1 ==
 *             node2); -EXDEV (the nodes belong to different graphs);
 *             -ESHUTDOWN (a node is shutting down); -EEXIST (a hook name is
 *             taken on its node); -ENOMEM (also: no per-thread state); a
 *             newhook or connect method's error (the graph is then
 *             unchanged).
 */
int ng_connect(struct ng_node *node1, const char *name1, struct ng_node *node2, const char *name2);

/*
 * Create a node of `type` and connect its hook `peerhook` to `ourhook` on
 * node (netgraph's mkpeer).  *newp, if not NULL, receives the new node with a
 * reference (NULL on failure).  On failure no new node remains: if it was
 * created it is shut down again (its constructor and later its shutdown
 * method ran).
 *   Context:  any thread, node methods included; takes the control lock
 *             (may block on it); never waits for data or a grace period.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (a NULL argument, invalid hook name); -ENOMEM
 *             (also: no per-thread state); -ENOENT (unknown type);
 *             -ESHUTDOWN (node is shutting down); -EEXIST (ourhook taken);
 *             the constructor's error; a newhook or connect method's error.
 */
int ng_mkpeer(struct ng_node *node, const char *ourhook, const char *type, const char *peerhook,
              struct ng_node **newp);

/*
 * Remove hook `name` of node and its peer hook (found with the type's
 * findhook if it has one); both disconnect methods run.
 *   Context:  any thread, node methods included; takes the control lock
 *             (may block on it); never waits for data or a grace period.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (node or name NULL, invalid hook name); -ENOMEM (no
 *             per-thread state); -ENOENT (no such hook).
 */
int ng_rmhook(struct ng_node *node, const char *name);

/*
 * Splice two hooks of one node out of the graph (netgraph's ng_bypass):
 * their peers become connected to each other directly and hook1 and hook2
 * are removed from the node (its disconnect method runs for both; the
 * peers' methods do not run and their hooks stay the same objects, so
 * pointers their types keep remain good).  Atomic for data: an item sent
 * towards the node either entered it before (the node forwards it as it
 * would have) or is passed straight to the far peer; none is lost
 * uncounted (an item the node was processing when its disconnect methods
 * ran may find the node's own route gone and is dropped and counted).
 * Implementation: hook1 and hook2 stay as invisible relays until the link
 * is removed (rmhook or shutdown at either end), which costs data through
 * it one extra hop and delays the bypassed node's type shutdown method
 * until then; ng_hook_peer(), NGM_LISTHOOKS and paths see the real peer.
 *   Context:  any thread, node methods included (typically a close
 *             method); takes the control lock (may block on it); never
 *             waits.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (a NULL hook, hook1 == hook2, hooks of different
 *             nodes); -ENOTCONN (a hook not connected, being removed or
 *             already bypassed); -ENOMEM (no per-thread state).
 */
int ng_bypass(struct ng_hook *hook1, struct ng_hook *hook2);

/*
 * Find a hook by name (the type's findhook if it has one); on success *hp
 * receives a referenced hook, on failure NULL.
 *   Context:  any thread; no lock (lock-less lookup; rwlock backend: the
 *             topology read lock); never waits.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (a NULL argument, invalid hook name); -ENOMEM (no
 *             per-thread state); -ENOENT (no such hook, or it is being
 *             removed).
 */
int ng_hook_find(struct ng_node *node, const char *name, struct ng_hook **hp);

/*
 * Take one more reference on a hook.  The caller must already hold one (or
 * be in a method with the hook still linked): this cannot revive a hook
 * being freed.
 *   Context:  any thread; one atomic add, never blocks.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
void ng_hook_ref(struct ng_hook *hook);

/*
 * Drop a reference.  The last one hands the hook to the backend, freed after
 * a grace period.  NULL is ignored.
 *   Context:  any thread; one atomic subtraction, never blocks.
 *   Consumes: one reference on hook.
 *   Returns:  nothing.
 */
void ng_hook_unref(struct ng_hook *hook);

/*
 * The hook's name.
 *   Context:  any thread holding a reference (or in a method of its node).
 *   Consumes: nothing.
 *   Returns:  the name.
 */
const char *ng_hook_name(const struct ng_hook *hook);

/*
 * The node the hook belongs to (kept alive by the hook).
 *   Context:  any thread holding a reference (or in a method of its node).
 *   Consumes: nothing.
 *   Returns:  the node (not referenced for the caller).
 */
struct ng_node *ng_hook_node(const struct ng_hook *hook);

/*
 * The peer hook, or NULL if the hook is not (or no longer) connected.  The
 * result is not referenced: it stays valid memory only while the caller is
 * in a read-side section, so it is only meaningful inside a node method (or
 * a batch).
 *   Context:  any thread holding a reference on hook; one acquire load.
 *   Consumes: nothing.
 *   Returns:  the peer hook or NULL.
 */
struct ng_hook *ng_hook_peer(const struct ng_hook *hook);

/*
 * The hook's private pointer (inline; see ng_node_private).
 *   Context:  any thread holding a reference (or in a method of its node);
 *             one acquire load.
 *   Consumes: nothing.
 *   Returns:  the private pointer.
 */
static inline void *ng_hook_private(const struct ng_hook *hook)
{
    return __atomic_load_n((void *const *)(const void *)hook, __ATOMIC_ACQUIRE);
}

/*
 * Set the hook's private pointer (release store, see ng_node_private).
 *   Context:  any thread holding a reference (or in a method of its node);
 *             never blocks.
 *   Consumes: nothing (the engine never frees priv).
 *   Returns:  nothing.
 */
void ng_hook_set_private(struct ng_hook *hook, void *priv);

/*
 * Whether the hook is connected and not being removed.
 *   Context:  any thread holding a reference (or in a method of its node).
 *   Consumes: nothing.
 *   Returns:  non-zero while connected and not being removed, else 0.
 */
int ng_hook_is_valid(const struct ng_hook *hook);

/*
 * Items arriving on this hook take writer access to the node (on != 0), or
 * stop doing so.  Applies to items arriving after the call.
 *   Context:  any thread holding a reference; one atomic flag update.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
void ng_hook_force_writer(struct ng_hook *hook, int on);

/*
 * Items arriving on this hook are always queued, never run inline (on != 0),
 * or stop doing so.  Applies to items arriving after the call.
 *   Context:  any thread holding a reference; one atomic flag update.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
void ng_hook_force_queue(struct ng_hook *hook, int on);

/* ------------------------------------------------------------------------ */
/* Items                                                                    */
/* ------------------------------------------------------------------------ */

#define NG_ITEM_META_SIZE 32 /* bytes of per-item metadata/tag area */

/*
 * Allocate a data item from the graph's pool (no malloc on the hot path once
 * the pool is warm) with `len` bytes of data after the default headroom.
 * The metadata area is zeroed.
 *   Context:  any thread, node methods and workers included; no lock on the
 *             hot path (the pool's grow mutex when it carves a new slab);
 *             never waits for other threads.
 *   Consumes: nothing; the caller owns the item.
 *   Returns:  the item; NULL if g is NULL, there is no per-thread state
 *             (not counted), or len exceeds the buffer, the item limit is
 *             reached or a slab cannot be allocated (counted as
 *             NG_DROP_NOBUFS).
 */
struct ng_item *ng_item_alloc(struct ng_graph *g, uint32_t len);

/*
 * Free any item (data, message or function item).  A message item frees its
 * message too; a synchronous sender waiting on it is released.  NULL is
 * ignored.
 *   Context:  any thread owning the item; never waits.
 *   Consumes: item.
 *   Returns:  nothing.
 */
void ng_item_free(struct ng_item *item);

/*
 * Deep copy of a data item (data and metadata, same headroom; for tee-like
 * nodes).
 *   Context:  any thread owning (or reading) item; as ng_item_alloc().
 *   Consumes: nothing.
 *   Returns:  the copy; NULL if item is NULL or a message item, or the
 *             allocation failed (counted as NG_DROP_NOBUFS by the
 *             allocation, as in ng_item_alloc()).
 */
struct ng_item *ng_item_copy(const struct ng_item *item);

/*
 * Internal: how the header's inline functions that also have an exported
 * copy are declared.  C99 and C++ inline (the library's one extern
 * declaration emits the copy); under GNU89 inline semantics (-std=gnu89,
 * -fgnu89-inline) a plain `inline` would define the function in every
 * file, so there they are static inline.
 */
#if defined(__GNUC_GNU_INLINE__) && !defined(__cplusplus)
#define NGI_INLINE static inline
#else
#define NGI_INLINE inline
#endif

/*
 * Internal (ABI, not API): the first members of the otherwise opaque
 * struct ng_item, shown here only so that ng_item_data() and ng_item_len()
 * can be inline: nearly every rcvdata method calls them for every item,
 * and an out-of-line call each (through the PLT, from a shared library)
 * was a visible share of a node's per-item cost.  Never read or write
 * these members directly; the item functions below keep them consistent.
 */
struct ngi_item_head {
    uint8_t *buf; /* the item's buffer; the data start at buf + off */
    uint32_t off; /* headroom */
    uint32_t len; /* data length */
};

/*
 * The first data byte.  Inline (see struct ngi_item_head); an exported
 * copy exists for callers that take its address or cannot inline.
 *   Context:  the item's owner.
 *   Consumes: nothing.
 *   Returns:  pointer to the data (ng_item_len() bytes).
 */
NGI_INLINE uint8_t *ng_item_data(struct ng_item *item)
{
    const struct ngi_item_head *h = (const struct ngi_item_head *)(const void *)item;
    return h->buf + h->off;
}

/*
 * Data length in bytes.  Inline, as ng_item_data().
 *   Context:  the item's owner.
 *   Consumes: nothing.
 *   Returns:  the length.
 */
NGI_INLINE uint32_t ng_item_len(const struct ng_item *item)
{
    return ((const struct ngi_item_head *)(const void *)item)->len;
}

/*
 * Free bytes in front of the data.
 *   Context:  the item's owner.
 *   Consumes: nothing.
 *   Returns:  the headroom.
 */
uint32_t ng_item_headroom(const struct ng_item *item);

/*
 * Free bytes behind the data.
 *   Context:  the item's owner.
 *   Consumes: nothing.
 *   Returns:  the tailroom.
 */
uint32_t ng_item_tailroom(const struct ng_item *item);

/*
 * Grow the data at the front by n bytes (from headroom).
 *   Context:  the item's owner.
 *   Consumes: nothing.
 *   Returns:  pointer to the new start; NULL (item unchanged) if headroom is
 *             insufficient or item is a message item.
 */
uint8_t *ng_item_prepend(struct ng_item *item, uint32_t n);

/*
 * Grow the data at the back by n bytes (from tailroom).
 *   Context:  the item's owner.
 *   Consumes: nothing.
 *   Returns:  pointer to the new bytes; NULL (item unchanged) if tailroom is
 *             insufficient or item is a message item.
 */
uint8_t *ng_item_append(struct ng_item *item, uint32_t n);

/*
 * Drop n bytes from the front of the data.
 *   Context:  the item's owner.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (n > length, or a message item).
 */
int ng_item_adj(struct ng_item *item, uint32_t n);

/*
 * Trim the data to length len.
 *   Context:  the item's owner.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (len > length, or a message item).
 */
int ng_item_trim(struct ng_item *item, uint32_t len);

/*
 * The NG_ITEM_META_SIZE-byte metadata area (tags, timestamps...).
 *   Context:  the item's owner.
 *   Consumes: nothing.
 *   Returns:  pointer to the area.
 */
void *ng_item_meta(struct ng_item *item);

/*
 * Whether item carries a message.
 *   Context:  the item's owner.
 *   Consumes: nothing.
 *   Returns:  non-zero for message items, 0 for data items.
 */
int ng_item_is_msg(const struct ng_item *item);

/*
 * The message carried by a message item (still owned by the item).
 *   Context:  the item's owner.
 *   Consumes: nothing.
 *   Returns:  the message; NULL for data items.
 */
struct ng_mesg *ng_item_msg(struct ng_item *item);

/*
 * The id of the node that sent the message carried by a message item (its
 * return address, netgraph's NGI_RETADDR: responses go there).  For a
 * response (NGF_RESP) it is the node that answered, as FreeBSD's
 * NG_RESPOND_MSG sends it.
 *   Context:  the item's owner.
 *   Consumes: nothing.
 *   Returns:  the sender's id; 0 for a message an application thread sent
 *             without a node, and for data items.
 */
ng_id_t ng_item_msg_sender(const struct ng_item *item);

/* ------------------------------------------------------------------------ */
/* Data path                                                                */
/* ------------------------------------------------------------------------ */

/*
 * Send a data item out of `hook` to its peer node's rcvdata.
 * Called from a node method (forwarding) or from any application thread
 * (injection into the graph at `hook`).  The peer's rcvdata runs on the
 * calling thread if the node can be entered now; otherwise the item is
 * queued behind the node's pending items.
 * Cost: from inside a node method (or a batch, below) on a ck_epoch or qsbr
 * graph a hop is a handful of loads, two per-thread counter increments and
 * the rcvdata call; an outermost call also enters and leaves a read-side
 * section (a memory fence with ck_epoch, an online/offline pair with qsbr).
 *   Context:  any thread: node methods, batches, workers, application
 *             threads (which hold a reference on hook); no lock with
 *             ck_epoch and qsbr (the rwlock baseline takes the topology read
 *             lock around the peer lookup); never waits for topology
 *             changes.  Without a runtime it may drain the peer's queue
 *             inline, running queued items on this thread.
 *   Consumes: item (always, also on failure), unless item is NULL.
 *   Returns:  0 (delivered, or queued at the peer); -EINVAL (item NULL:
 *             nothing consumed; hook NULL or a message item: item freed);
 *             -ENOMEM (no per-thread state: item freed); -ENOTCONN (hook not
 *             connected or being removed, or the peer node shutting down:
 *             item dropped and counted); -EOPNOTSUPP (the peer's type has no
 *             rcvdata: item dropped, NG_DROP_DEAD); -ELOOP (a loop in the
 *             graph: a hop past NG_HOP_LIMIT, or hops nested so deep that
 *             this thread's stack is low: item dropped, NG_DROP_LOOP); or
 *             the peer's rcvdata
 *             return value when it ran on this thread.
 */
int ng_send_data(struct ng_hook *hook, struct ng_item *item);

/* Largest burst ng_send_data_burst() and ng_inject_data_burst() accept. */
#define NG_BURST_MAX 256

/*
 * Send n data items out of `hook` to its peer node at once (DPDK-style
 * vector).  The peer is looked up, checked and entered once for the burst
 * and the per-hook counters are updated once; its type's rcvdata_burst
 * method receives the vector (a type without one gets the items through
 * rcvdata one by one, with the same entry).  Each item is accounted exactly
 * as if sent with ng_send_data(): delivered, queued behind the node's
 * pending items (each item separately, in order), or dropped and counted
 * (a cut link or a dying peer drops all n).  The vector belongs to the
 * caller; its entries are unspecified after the call.
 * Checks: outside a read-side section (an application call outside a
 * batch) every item is checked (non-NULL, a data item) before anything is
 * sent; inside one (node methods forwarding, batches, workers) the items
 * are trusted, as they were checked where they entered the graph (debug
 * and sanitizer builds still assert it): a NULL or message item there is
 * undefined behaviour.
 *   Context:  as ng_send_data().
 *   Consumes: items[0..n) (always, also on failure), unless items is NULL
 *             or n is 0.
 *   Returns:  0 (every item delivered or queued; also for n == 0, nothing
 *             consumed); -EINVAL (items NULL with n > 0: nothing consumed;
 *             hook NULL, n > NG_BURST_MAX, a NULL or message item among
 *             them: every non-NULL item freed, uncounted); -ENOMEM (no
 *             per-thread state: items freed); -ENOTCONN (hook not
 *             connected or being removed, or the peer node shutting down:
 *             all n dropped and counted); -ELOOP (as ng_send_data: all n
 *             dropped, NG_DROP_LOOP); or, when the peer ran on this
 *             thread, rcvdata_burst's return value (without the method:
 *             the first non-zero rcvdata return value, -EOPNOTSUPP for a
 *             type with neither method).
 */
int ng_send_data_burst(struct ng_hook *hook, struct ng_item **items, unsigned n);

/*
 * Batches: keep the calling thread inside one read-side section of g across
 * many ng_send_data()/ng_inject_data() calls, so an injection loop pays the
 * section entry once per burst instead of once per item (what a DPDK worker
 * does by reporting a quiescent state once per loop iteration).
 * Nests (each begin needs one end); ng_batch_end() of the outermost batch
 * leaves the section.  Batches of different graphs must end in the reverse
 * order they began (begin g1, begin g2, end g2, end g1; asserted in debug
 * builds): the fast-path gate of the outer one is restored on the way out.  While a batch is open the thread delays every grace
 * period of g (and, with qsbr, of every qsbr graph), so keep batches short
 * (microseconds) and never block inside one: calls that would wait for a
 * grace period or for another thread refuse with -EDEADLK (ng_graph_barrier,
 * synchronous ng_send_msg / NG_FN_WAIT).  Not for runtime workers (they are
 * in a section while running items already).  A thread must end its batches
 * before it exits: a section left open stalls reclamation for good.
 */

/*
 * Open a batch of g on the calling thread.
 *   Context:  an application thread (a node method or a worker gains
 *             nothing: it is in a section already); no lock, never blocks.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (g NULL); -ENOMEM (no per-thread state).
 */
int ng_batch_begin(struct ng_graph *g);

/*
 * Close the innermost batch of g opened by this thread; the outermost one
 * leaves the section (and every 16th also lets the backend reclaim).  It
 * does not check that the section it leaves is a batch: never call it
 * inside a node method for a batch opened outside it.
 *   Context:  the thread that called ng_batch_begin(g); no lock, never
 *             blocks.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (g NULL, or the thread has no open batch of g).
 */
int ng_batch_end(struct ng_graph *g);

/*
 * Report a quiescent state inside this thread's open batch of g: every
 * pointer into g the thread read so far may be reclaimed after this call,
 * while the batch stays open.  What ng_batch_end + ng_batch_begin would do,
 * at the cost the backend has for it: while no grace period waits for this
 * thread, a load and a compare (qsbr: its reader counter against the
 * global one, where leaving and re-entering the section goes offline and
 * online with three full fences; ck_epoch and rwlock: the thread's epoch
 * record against the global epoch), else qsbr's counter update, or
 * ck_epoch's end and begin (one full fence).  An injection loop can
 * so keep one batch open and report once per iteration, as a DPDK worker
 * calls rte_rcu_qsbr_quiescent: grace periods then wait at most one
 * iteration for it.  Like ng_batch_end, it also lets the backend reclaim
 * every 16th call.
 *   Context:  the thread that called ng_batch_begin(g), with exactly one
 *             batch of g open and no node method of g running on it (never
 *             call it from a node method or a runtime worker: a method run
 *             by a fast-path hop inside the batch cannot be detected);
 *             holding no pointer obtained from g that it uses afterwards;
 *             no lock, never blocks.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (g NULL, no open batch of g on this thread, or a
 *             runtime worker); -EBUSY (nothing reported: nested batches of
 *             g, or a node method of g entered on this thread other than by
 *             a fast-path hop, may still use what they read; or, with
 *             qsbr, a section of another qsbr graph is open on the thread,
 *             and qsbr's grace periods are process-wide).
 */
int ng_batch_quiescent(struct ng_graph *g);

/*
 * Inject a data item at hook `name` of node, as if it had been received on
 * that hook (its node's rcvdata runs, on this thread if the node can be
 * entered now, else the item is queued).
 *   Context:  any thread, node methods and batches included; no lock with
 *             ck_epoch and qsbr (rwlock: the topology read lock around the
 *             lookup); never waits.  Without a runtime it may drain the
 *             node's queue inline.
 *   Consumes: item (always, also on failure), unless item is NULL.
 *   Returns:  0 (delivered or queued); -EINVAL (item NULL: nothing consumed;
 *             node or hookname NULL, or a message item: item freed); -ENOMEM
 *             (no per-thread state: item freed); -ENOENT (no such hook: item
 *             dropped and counted); -ENOTCONN (the hook is being removed or
 *             the node is shutting down: item dropped and counted);
 *             -EOPNOTSUPP (the type has no rcvdata: item dropped); -ELOOP
 *             (as ng_send_data: item dropped, NG_DROP_LOOP); or rcvdata's
 *             return value when it ran on this thread.
 */
int ng_inject_data(struct ng_node *node, const char *hookname, struct ng_item *item);

/*
 * Inject n data items at hook `name` of node at once, as if they had been
 * received on that hook in one burst (ng_send_data_burst's delivery, hook
 * lookup once).  The items are always checked (non-NULL, data items).
 *   Context:  as ng_inject_data().
 *   Consumes: items[0..n) (always, also on failure), unless items is NULL
 *             or n is 0.
 *   Returns:  0 (every item delivered or queued; also for n == 0);
 *             -EINVAL (items NULL with n > 0: nothing consumed; node or
 *             hookname NULL, n > NG_BURST_MAX, a NULL or message item
 *             among them: every non-NULL item freed, uncounted); -ENOMEM
 *             (no per-thread state: items freed); -ENOENT (no such hook:
 *             all dropped and counted); -ENOTCONN (hook being removed or
 *             node shutting down: all dropped and counted); -ELOOP (as
 *             ng_send_data: all dropped, NG_DROP_LOOP); or the
 *             receiving method's return value as in ng_send_data_burst().
 */
int ng_inject_data_burst(struct ng_node *node, const char *hookname, struct ng_item **items,
                         unsigned n);

/*
 * ng_item_fn: a function run in a node's context by ng_send_fn() or by a
 * timer (ng_timer_arm).  hook is ng_send_fn's or ng_timer_arm's hook
 * argument (may be NULL).
 *   Context:  writer access to the node (NG_FN_WRITER, timers) or reader
 *             access (see struct ng_type); on the caller's thread or on
 *             whichever thread drains the node (timers: a runtime worker
 *             when a runtime runs, else the graph's timer thread or the
 *             node's drainer); inside a read-side section, so it must not wait
 *             (NG_FN_WAIT, synchronous ng_send_msg and ng_graph_barrier
 *             refuse with -EDEADLK).
 */
typedef void (*ng_item_fn)(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2);
#define NG_FN_WRITER 0x1u
#define NG_FN_WAIT 0x2u

/*
 * Run a function in a node's context (netgraph's ng_send_fn).  With
 * NG_FN_WRITER the function runs with exclusive access to the node, otherwise
 * as a reader.  If the node can be entered now the function runs before
 * ng_send_fn returns; otherwise (node busy, forced to queue, or the calling
 * thread is inside a writer method of that node) it is queued behind the
 * node's pending items and run in order by whoever drains the node (a
 * runtime worker if one is running).  With NG_FN_WAIT the caller waits for
 * it to have run.  hook, if not NULL, must belong to node and is passed
 * through.  A queued function dropped later (the node shut down) is not run
 * and, without NG_FN_WAIT, not reported.
 *   Context:  any thread.  Without NG_FN_WAIT: node methods, batches and
 *             workers too; never waits.  With NG_FN_WAIT: only outside a
 *             read-side section (not in a node method, a batch or on a
 *             worker); blocks until fn has run or been dropped.  No graph
 *             lock.
 *   Consumes: nothing (arg1 stays the caller's business).
 *   Returns:  0 (ran, or queued); -EINVAL (node or fn NULL, hook of another
 *             node); -ENOMEM (no per-thread state, no memory for the item);
 *             -EDEADLK (NG_FN_WAIT inside a read-side section); -ESHUTDOWN
 *             (node shutting down, or with NG_FN_WAIT dropped before it
 *             ran: fn not run); -ENOTCONN (hook removed while the node was
 *             busy: fn not run).
 */
int ng_send_fn(struct ng_node *node, struct ng_hook *hook, ng_item_fn fn, void *arg1, int arg2,
               unsigned flags);

/* ------------------------------------------------------------------------ */
/* Statistics                                                               */
/* ------------------------------------------------------------------------ */

/* Hops an item may take (ng_send_data and friends, counted per item, a
 * copy inheriting its original's count) before the engine takes it for a
 * loop in the graph and drops it (NG_DROP_LOOP, -ELOOP). */
#define NG_HOP_LIMIT 4096

enum ng_drop_reason {
    NG_DROP_NOTCONN = 0, /* hook unconnected or being removed */
    NG_DROP_DEAD,        /* node shutting down / queued at a dying node */
    NG_DROP_NOBUFS,      /* item allocation or copy failed */
    NG_DROP_QUEUE,       /* runtime shut down / queue limit exceeded */
    NG_DROP_LOOP,        /* a loop: NG_HOP_LIMIT hops, or nested hops ran the stack low */
    NG_DROP_REASONS
};

struct ng_graph_stats {
    uint64_t items_alloc; /* items allocated */
    uint64_t items_free;  /* items freed */
    uint64_t items_live;  /* currently allocated */
    uint64_t drops[NG_DROP_REASONS];
    uint64_t nodes;         /* live nodes */
    uint64_t hooks;         /* live hooks */
    uint64_t defer_pending; /* objects waiting for a grace period */
};

/*
 * Snapshot graph-wide counters (summed from per-thread counters; exact only
 * when no other thread is running).  g and st must not be NULL.
 *   Context:  any thread; takes the graph's thread-list mutex briefly (no
 *             control lock); never waits for a grace period.
 *   Consumes: nothing.
 *   Returns:  nothing (fills *st).
 */
void ng_graph_stats(struct ng_graph *g, struct ng_graph_stats *st);

/*
 * Free an item that could not be delivered and count it as a drop of reason
 * r (what a node type does when it has nowhere to send an item).  Message and
 * function items are freed without being counted (drops count data only).
 * item must not be NULL.
 *   Context:  any thread owning the item; never waits.
 *   Consumes: item.
 *   Returns:  nothing.
 */
void ng_item_drop(struct ng_item *item, enum ng_drop_reason r);

/*
 * Count one drop of reason r against g without an item.  r must be below
 * NG_DROP_REASONS.  A failed ng_item_alloc() / ng_item_copy() is counted
 * (NG_DROP_NOBUFS) already: counting it here again counts it twice.
 *   Context:  any thread; never blocks.  Not counted if the thread has no
 *             per-thread state.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
void ng_count_drop(struct ng_graph *g, enum ng_drop_reason r);

#ifdef __cplusplus
}
#endif

#include <ngraph/message.h>
#include <ngraph/nodes.h>

#endif
