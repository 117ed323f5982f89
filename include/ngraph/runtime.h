/*
 * Worker runtime: worker threads that play the kernel's CPUs, timers and
 * file descriptor watches bound to nodes, and per-node / per-hook /
 * per-worker statistics.  See
 * docs/runtime.md for the model.
 *
 * A graph works without a runtime: every data item then runs on the thread
 * that sends it, and a busy node's queue is drained inline by whichever
 * thread takes the node's DRAIN right.  With a runtime attached, busy nodes
 * are drained by the workers and items can be handed to workers from any
 * thread (ng_runtime_submit).  Timers work either way (the graph's timer
 * thread, started on first use), and so do file descriptor watches
 * (ng_fdwatch_*, docs/fd.md: a worker's epoll loop, or the timer thread's).
 *
 * All functions follow the conventions of <ngraph/ngraph.h>: negative errno
 * on failure, items are consumed by the function that takes them.
 */
#ifndef NGRAPH_RUNTIME_H
#define NGRAPH_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Runtime                                                                  */
/* ------------------------------------------------------------------------ */

struct ng_runtime_config {
    /* Number of workers; 0 = one per online CPU (sysconf). */
    unsigned nworkers;
    /* CPUs to pin to: worker i runs on cpus[i % ncpus].  NULL (or ncpus 0)
     * = worker i on the i-th CPU of the calling thread's affinity mask
     * (normally the process's), wrapping. */
    const int *cpus;
    unsigned ncpus;
    /* Non-zero (default): pin each worker to its CPU.  A pinning failure is
     * not fatal: the worker runs unpinned and ng_runtime_pinned() reports
     * the error. */
    int pin;
    /* Work entries run per read-side section (default 64).  A worker reports
     * a quiescent state between batches. */
    unsigned batch;
    /* Empty polls of its queue a worker makes before going to sleep
     * (default 64); higher trades CPU for wake-up latency. */
    unsigned spin;
};

/*
 * Fill *cfg with the defaults documented above (nworkers 0, cpus NULL, pin
 * 1, batch 64, spin 64).  cfg must not be NULL.
 *   Context:  any thread; never blocks.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
void ng_runtime_config_init(struct ng_runtime_config *cfg);

/*
 * Start a runtime for graph g: cfg->nworkers threads, each pinned (if asked),
 * registered with the graph's reclamation backend and owning a lock-free
 * multi-producer input queue, plus one timer thread.  cfg may be NULL for
 * defaults.  On success *rtp receives the runtime, which stays attached to g
 * until ng_runtime_stop() (or ng_graph_destroy()).  batch 0 and spin 0
 * select the defaults; ncpus 0 ignores cpus.  On failure nothing is left
 * running and *rtp is NULL.
 *   Context:  any application thread, while no other thread uses the graph;
 *             takes the control lock; blocks until every worker has
 *             started.
 *   Consumes: nothing (cfg and cfg->cpus are copied).
 *   Returns:  0; -EINVAL (g or rtp NULL, nworkers > 4096, a cpus entry
 *             negative or >= CPU_SETSIZE); -EBUSY (g already has a runtime,
 *             or is being destroyed); -ENOMEM (also: a worker could not be
 *             attached to the graph); -errno from pthread_create.
 */
int ng_runtime_start(struct ng_graph *g, const struct ng_runtime_config *cfg,
                     struct ng_runtime **rtp);

/*
 * Stop the runtime's workers, draining their queues, and free it.  Cancels
 * every armed timer, waits until every worker queue and every node queue
 * drained by workers is empty (items for dead nodes or hooks are freed and
 * counted as dropped), joins the threads, detaches the runtime from its graph
 * and waits for a grace period.  No other thread may use the graph or the
 * runtime concurrently.  NULL is ignored.
 *   Context:  one application thread while no other thread uses the graph;
 *             not on a worker, in a node method or inside a batch (it joins
 *             the workers and waits for a grace period); blocks until the
 *             queues are drained.
 *   Consumes: rt.
 *   Returns:  nothing.
 */
void ng_runtime_stop(struct ng_runtime *rt);

/*
 * The runtime attached to g.
 *   Context:  any thread; one acquire load.
 *   Consumes: nothing.
 *   Returns:  the runtime; NULL if g is NULL or has none.
 */
struct ng_runtime *ng_graph_runtime(struct ng_graph *g);

/*
 * Number of workers.
 *   Context:  any thread while rt is running.
 *   Consumes: nothing.
 *   Returns:  the count; 0 if rt is NULL.
 */
unsigned ng_runtime_nworkers(const struct ng_runtime *rt);

/*
 * Where worker i is pinned.
 *   Context:  any thread while rt is running; never blocks.
 *   Consumes: nothing.
 *   Returns:  the CPU number (>= 0); -ENOTSUP (pinning not requested); the
 *             -errno of the failed pthread_setaffinity_np(); -EINVAL (rt
 *             NULL or i out of range).
 */
int ng_runtime_pinned(const struct ng_runtime *rt, unsigned i);

/*
 * Index of the calling thread among rt's workers.
 *   Context:  any thread.
 *   Consumes: nothing.
 *   Returns:  the index; -1 if the caller is not a worker of rt (or rt is
 *             NULL).
 */
int ng_runtime_current_worker(const struct ng_runtime *rt);

/*
 * Hand a data item to a worker, which sends it out of `hook` (delivers it to
 * the hook's peer, exactly like ng_send_data(hook, item) run on the worker).
 * Callable from any thread, registered with the graph or not: the cost is one
 * wait-free queue push (an atomic exchange) and, if the worker sleeps, one
 * futex wake; the caller enters no read-side section and touches no node.
 * `worker` selects the worker (taken modulo the worker count); -1 (any
 * negative value) picks the calling worker itself, or round-robin for other
 * threads.  The caller must hold a reference to hook (ng_hook_find); the
 * queued item takes its own.
 * Delivery errors (-ENOTCONN...) happen later on the worker and are counted
 * as drops in ng_graph_stats().
 *   Context:  any thread, workers and node methods included; wait-free, no
 *             lock, never blocks.
 *   Consumes: item (always, also on failure), unless item is NULL.
 *   Returns:  0 (queued); -EINVAL (item NULL: nothing consumed; rt or hook
 *             NULL, hook of another graph, or a message item: item freed);
 *             -ESHUTDOWN (runtime stopping: item freed and counted as
 *             NG_DROP_QUEUE).
 */
int ng_runtime_submit(struct ng_runtime *rt, int worker, struct ng_hook *hook,
                      struct ng_item *item);

/*
 * Submit n items for `hook` to one worker at once: the same contract as n
 * ng_runtime_submit() calls, at the cost of one: one reference update on
 * the hook, one queue exchange and at most one wake-up for the whole burst
 * (the worker also drops the references of consecutive items in one step).
 * The items run in array order.
 *   Context:  any thread, workers and node methods included; wait-free, no
 *             lock, never blocks.
 *   Consumes: all n items (always, also on failure); nothing if items is
 *             NULL or n is 0.
 *   Returns:  0 (queued); -EINVAL (items NULL or n 0: nothing consumed; n
 *             above 65536, a NULL or message item, rt or hook NULL, hook of
 *             another graph: every non-NULL item freed); -ESHUTDOWN
 *             (runtime stopping: items freed and counted as NG_DROP_QUEUE).
 */
int ng_runtime_submit_burst(struct ng_runtime *rt, int worker, struct ng_hook *hook,
                            struct ng_item **items, unsigned n);

struct ng_worker_stats {
    uint64_t items;       /* work entries run (submitted items, timer calls, node drains) */
    uint64_t drains;      /* of which node-queue drains */
    uint64_t batches;     /* read-side sections (batches) that ran work */
    uint64_t idle_ns;     /* time spent asleep */
    uint64_t wakeups;     /* times woken from sleep */
    uint64_t queue_depth; /* entries queued right now (approximate) */
};

/*
 * Snapshot worker i's counters into *out (approximate while it runs).
 *   Context:  any thread while rt is running; never blocks.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (rt or out NULL, i out of range).
 */
int ng_runtime_worker_stats(const struct ng_runtime *rt, unsigned i, struct ng_worker_stats *out);

/* ------------------------------------------------------------------------ */
/* Timers (netgraph's ng_callout)                                           */
/* ------------------------------------------------------------------------ */

/*
 * A timer lives in memory owned by the caller (typically a node's private
 * state).  Initialise it once with ng_timer_init().  Fields are private.
 */
struct ngi_tbase;
struct ng_timer {
    struct ng_node *node;   /* armed on this node (referenced), or NULL */
    struct ng_hook *hook;   /* passed to fn (referenced), or NULL */
    struct ngi_tbase *base; /* the graph's timers while armed */
    ng_item_fn fn;
    void *arg1;
    int arg2;
    uint64_t deadline; /* CLOCK_MONOTONIC ns */
    uint64_t seq;
    size_t heap_idx;                /* position in the runtime's heap */
    struct ng_timer *nnext, *nprev; /* the node's timer list */
};

/*
 * Initialise a timer (not armed).  Not on an armed timer.  NULL is ignored.
 *   Context:  any thread owning the timer's memory; never blocks.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
void ng_timer_init(struct ng_timer *timer);

/*
 * Arm (or re-arm) timer to run fn(node, hook, arg1, arg2) in the node's
 * context, with writer (exclusive) access, delay_ns nanoseconds from now
 * (netgraph's ng_callout(c, node, hook, ticks, fn, arg1, arg2)).  hook may
 * be NULL; if not, it must be a connected hook of node: the timer holds a
 * reference on it, and if the hook has been removed by the time the timer
 * fires, fn is not run (netgraph drops the call with ENOTCONN).
 * Timers work with or without a runtime: the graph's timer thread (started
 * by the graph's first ng_timer_arm, stopped by ng_graph_destroy) waits for
 * the deadline; then, with a runtime attached, the call is queued on a
 * worker through the same path as ng_send_fn() (fn runs on a worker);
 * without one, the timer thread dispatches it itself (fn runs on the timer
 * thread if the node can be entered, else on whichever thread drains the
 * node).  It never runs on the caller's stack.  While armed the timer
 * holds a reference on node.  Re-arming a pending timer moves it (and may
 * move it to another node).  The timer is cancelled automatically when the
 * node shuts down (a persistent node's shutdown cancels its timers too)
 * and by ng_runtime_stop() (every armed timer of the graph); a call
 * already handed on but not yet started when the node becomes invalid is
 * dropped, so fn never starts after ng_node_shutdown() returned.  A delay
 * that would pass the end of the monotonic clock saturates: the timer stays
 * pending (about 584 years) until cancelled; it never fires early.
 *   Context:  any thread, node methods and timer functions included (a
 *             function may re-arm its timer); takes the graph's timer
 *             mutex briefly (may be called under the control lock); never
 *             waits (the first call of a graph starts its timer thread).
 *   Consumes: nothing (the timer's memory stays the caller's and must
 *             outlive the armed period).
 *   Returns:  0; -EINVAL (node, timer or fn NULL, hook of another node,
 *             timer armed in another graph); -ENOTCONN (hook not connected
 *             or being removed); -ENXIO (the graph is being destroyed);
 *             -ESHUTDOWN (node shutting down); -ENOMEM (the timer heap could
 *             not grow, no memory for the timer thread); -EAGAIN (the timer
 *             thread could not be created).
 */
int ng_timer_arm(struct ng_timer *timer, struct ng_node *node, struct ng_hook *hook,
                 uint64_t delay_ns, ng_item_fn fn, void *arg1, int arg2);

/*
 * Cancel a timer (and drop its node and hook references).
 *   Context:  any thread, node methods and timer functions included; takes
 *             the graph's timer mutex briefly; never waits for fn.
 *   Consumes: nothing.
 *   Returns:  1 if it was pending (fn will not run); 0 if timer is NULL, was
 *             not armed or has already fired (fn may be running or about to
 *             run, like callout_stop() returning 0).
 */
int ng_timer_cancel(struct ng_timer *timer);

/*
 * Whether the timer is armed and has not fired.
 *   Context:  any thread; takes the graph's timer mutex briefly.
 *   Consumes: nothing.
 *   Returns:  non-zero while armed and not fired; 0 otherwise (also for
 *             NULL).
 */
int ng_timer_pending(const struct ng_timer *timer);

/* ------------------------------------------------------------------------ */
/* File descriptors (docs/fd.md)                                            */
/* ------------------------------------------------------------------------ */

/* ng_fdwatch_add / ng_fdwatch_modify `events`, and the callback's revents. */
#define NG_FD_IN 0x1u  /* readable (EPOLLIN) */
#define NG_FD_OUT 0x2u /* writable (EPOLLOUT) */
/* revents only: */
#define NG_FD_ERR 0x4u   /* error condition (EPOLLERR) */
#define NG_FD_HUP 0x8u   /* hang-up, peer closed (EPOLLHUP, EPOLLRDHUP) */
#define NG_FD_POLL 0x10u /* a busy-poll call (NG_FD_BUSYPOLL): nothing was waited for */
/* Flags, ng_fdwatch_add only (fixed for the watch's life): */
#define NG_FD_SHARED 0x100u   /* run fn with reader (shared) access, not writer */
#define NG_FD_BUSYPOLL 0x200u /* no epoll: fn is called on every loop iteration */

struct ng_fdwatch;
/*
 * The callback of a watch: runs in node's context (writer access, or reader
 * access with NG_FD_SHARED), hook as given to ng_fdwatch_add (referenced by
 * the watch, may be NULL), revents the conditions seen (NG_FD_IN, NG_FD_OUT,
 * NG_FD_ERR, NG_FD_HUP; NG_FD_POLL alone for a busy-poll call).  The watch
 * is level-triggered: fn is called again while the condition holds, so it
 * should read until EAGAIN (or a batch), and on NG_FD_ERR / NG_FD_HUP it
 * should remove the watch (or it is called again).  It may call
 * ng_fdwatch_modify and ng_fdwatch_remove on its own watch (remove then
 * returns at once and fn is not called again).
 */
typedef void (*ng_fdwatch_fn)(struct ng_fdwatch *w, struct ng_node *node, struct ng_hook *hook,
                              int fd, unsigned revents, void *arg);

/*
 * A watch lives in memory owned by the caller (typically the node's private
 * state), like struct ng_timer.  Initialise it once with ng_fdwatch_init().
 * Fields are private (protected by the graph's watch lock).
 */
struct ng_fdwatch {
    struct ng_node *node; /* while added: referenced */
    struct ng_hook *hook; /* referenced, or NULL */
    ng_fdwatch_fn fn;
    void *arg;
    int fd;
    unsigned events;  /* NG_FD_IN / NG_FD_OUT and the flags */
    int worker;       /* requested worker; -1 = round robin */
    int bound;        /* serving worker, -1 = the graph's timer thread */
    uint64_t id;      /* non-zero while added */
    void *loop;       /* the serving event loop */
    void *base;       /* the graph's watch table (set by the first add) */
    uint8_t pending;  /* a call is handed on and has not run yet */
    uint8_t parked;   /* taken out of epoll until that call runs */
    uint8_t dead;     /* ng_fdwatch_remove in progress */
    uint8_t running;  /* fn is running */
    unsigned nwait;   /* removers waiting for fn to return */
    uintptr_t runner; /* the thread running fn */
};

/*
 * Initialise a watch (not added).  Not on an added watch.  NULL is ignored.
 *   Context:  any thread owning the memory; never blocks.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
void ng_fdwatch_init(struct ng_fdwatch *w);

/*
 * Choose the worker that serves the watch when it is added with a runtime
 * attached: worker modulo the worker count; -1 (the default, any negative
 * value) = round robin over the workers.  Ignored without a runtime.
 *   Context:  any thread, before ng_fdwatch_add; never blocks.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (w NULL); -EBUSY (w is added).
 */
int ng_fdwatch_set_worker(struct ng_fdwatch *w, int worker);

/*
 * Watch fd for the conditions in events (NG_FD_IN and/or NG_FD_OUT, plus
 * NG_FD_SHARED, NG_FD_BUSYPOLL) and call fn(w, node, hook, fd, revents,
 * arg) in node's context when one holds.  With a runtime attached the
 * watch is served by one worker (ng_fdwatch_set_worker, else round robin),
 * whose loop blocks in epoll_wait (one epoll instance per worker);
 * without one, by the graph's timer thread (also an epoll loop).  A watch
 * stays where it was added: one added before ng_runtime_start stays on the
 * timer thread; ng_runtime_stop moves the watches of its workers to the
 * timer thread.  NG_FD_BUSYPOLL: fd is not put in epoll; the serving loop
 * calls fn (revents NG_FD_POLL) on every iteration and never sleeps while
 * it has such a watch (for memory-mapped rings).  fn gets writer access
 * (as timer functions and NG_FN_WRITER functions); with NG_FD_SHARED,
 * reader access (as rcvdata of a shared-mode type: fn then runs
 * concurrently with rcvdata).  At most one call of a watch is handed on at
 * a time.  While added the watch holds a reference on node (and hook).
 * It is removed automatically when node shuts down, before the type's
 * shutdown method runs (the method may close fd), when hook is found
 * removed at the next event (fn is then not called), and by
 * ng_graph_destroy.  The caller keeps fd open while it is added.
 *   Context:  any thread, node methods and callbacks included; takes the
 *             graph's watch lock briefly and makes one epoll_ctl() call;
 *             the graph's first timer or watch starts its timer thread.
 *   Consumes: nothing (w's memory stays the caller's and must outlive the
 *             watch: until ng_fdwatch_remove returns, or the type's
 *             shutdown method).
 *   Returns:  0; -EINVAL (w, node or fn NULL, hook of another node, events
 *             without NG_FD_IN / NG_FD_OUT or with unknown bits); -EBADF
 *             (fd negative or not open); -EBUSY (w already added); -EEXIST
 *             (fd already watched on the same loop); -EPERM (fd does not
 *             support epoll, e.g. a regular file: use NG_FD_BUSYPOLL or a
 *             timer); -ENOTCONN (hook not connected); -ESHUTDOWN (node
 *             shutting down); -ENXIO (graph being destroyed); -ENOMEM;
 *             -errno of epoll_ctl or of starting the timer thread.
 */
int ng_fdwatch_add(struct ng_fdwatch *w, struct ng_node *node, struct ng_hook *hook, int fd,
                   unsigned events, ng_fdwatch_fn fn, void *arg);

/*
 * Change the conditions watched (NG_FD_IN and/or NG_FD_OUT; the flags given
 * at add must be repeated unchanged or left out).
 *   Context:  any thread, fn included; the watch lock and one epoll_ctl().
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (w NULL, no condition, unknown bits, flags
 *             changed); -ENOENT (w not added, or removed); -errno of
 *             epoll_ctl.
 */
int ng_fdwatch_modify(struct ng_fdwatch *w, unsigned events);

/*
 * Remove a watch (and drop its node and hook references).  When it
 * returns, fn is not running and will not run again, and w's memory is the
 * caller's: a call already handed on is dropped.  It waits for a call of
 * fn running on another thread to return; called from inside fn (the same
 * watch) it returns at once.  Do not call it holding a lock that fn takes,
 * or from fn of watch A for watch B while fn of B removes A.
 *   Context:  any thread, fn included; may wait for fn as said.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (w NULL); -ENOENT (w never added, or already
 *             removed, also automatically).
 */
int ng_fdwatch_remove(struct ng_fdwatch *w);

/*
 * Where a watch is served.
 *   Context:  any thread; the watch lock briefly.
 *   Consumes: nothing.
 *   Returns:  the worker index (>= 0); -1 (the graph's timer thread);
 *             -ENOENT (not added); -EINVAL (w NULL).
 */
int ng_fdwatch_worker(const struct ng_fdwatch *w);

/* ------------------------------------------------------------------------ */
/* Per-node and per-hook statistics (NGM_STATS)                             */
/* ------------------------------------------------------------------------ */

struct ng_hook_stats {
    char name[NG_HOOKSIZ];
    uint64_t items_in;  /* data items received on this hook */
    uint64_t items_out; /* data items sent out of this hook */
    uint64_t drops;     /* items sent out of / arriving on it and dropped */
};

struct ng_node_stats {
    ng_id_t id;
    uint32_t nhooks;                 /* entries in hook[] (NGM_STATS response only) */
    uint64_t items_in;               /* data items entering the node (run or queued) */
    uint64_t items_out;              /* data items sent out of its hooks */
    uint64_t drops[NG_DROP_REASONS]; /* items for or from this node dropped */
    uint64_t queued;                 /* items that had to wait in the node's queue */
    uint64_t queue_depth;            /* items in the node's queue now (approximate) */
    struct ng_hook_stats hook[];
};

/*
 * Snapshot a node's counters (hook[] is not filled; nhooks is 0).  Counters
 * are kept in per-worker slots and summed here, so the numbers of a node that
 * is receiving traffic are approximate.
 * The NGM_STATS generic message answers with the same struct followed by one
 * struct ng_hook_stats per hook.  Works with or without a runtime.
 *   Context:  any thread holding a reference on node; no lock (rwlock: the
 *             topology read lock); never waits.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (node or out NULL); -ENOMEM (no per-thread state).
 */
int ng_node_stats(struct ng_node *node, struct ng_node_stats *out);

/*
 * Snapshot one hook's counters (and its name) into *out.
 *   Context:  any thread holding a reference on hook; no lock, never blocks.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (hook or out NULL).
 */
int ng_hook_stats(struct ng_hook *hook, struct ng_hook_stats *out);

/* ------------------------------------------------------------------------ */
/* Per-thread counters for node types (shared-mode toolbox)                 */
/* ------------------------------------------------------------------------ */

/*
 * A set of n 64-bit counters for statistics a shared-mode rcvdata updates
 * on many threads at once: each thread adds to its own cache line (no
 * locked instruction for threads that use a graph, which hold one of the
 * engine's per-thread statistics slots; others share one line with atomic
 * adds), and a read sums the lines.  A read is exact when no thread is
 * adding, a snapshot otherwise; clearing never loses a concurrent add (it
 * lands before or after the clear).  Works with or without a runtime.
 * Typical use: allocate in the constructor, add in rcvdata, read in rcvmsg,
 * destroy in the (final) shutdown method.
 */
#define NG_PCOUNTER_MAX 65536u /* counters per set */

/*
 * The set's layout and the calling thread's row, for the inline adds below
 * only.  Internal, not API: the fields and ngi_pc_slot may change with the
 * library's soname; use the functions.  (Inline because a type adds on
 * every frame: an out-of-line call per add cost the bridge about 1 ns per
 * frame, measured.)  rows[s] is statistics slot s's row of n counters, on
 * cache lines of its own; row 0 exists from creation, the others are
 * allocated by the first add of a thread holding that slot
 * (ngi_pc_row_slow), so a set costs memory only for the threads that use
 * it (a 100k-node graph of hole nodes: 8 rows per hook had cost 150 MB).
 * ngi_pc_slot is the calling thread's slot: 1..7, owned by this thread
 * alone (plain load and store), or 0, shared by threads without one
 * (atomic add).  libngraph sets it when a thread first attaches to a graph
 * and clears it at thread exit.
 */
struct ng_pcounter {
    unsigned n;        /* counters */
    uint64_t *rows[8]; /* per slot, NULL until used (row 0: always there) */
    uint64_t *base;    /* [n]: what clears took (ng_pcounter_fetch_clear) */
};
extern __thread unsigned ngi_pc_slot __attribute__((tls_model("initial-exec")));

/*
 * Internal (the adds below): slot's row of pc, allocated and published if
 * it is not there yet; row 0 if no memory (the add is then an atomic one
 * there, still counted).
 *   Context:  a thread holding slot (ngi_pc_slot); allocates once per set
 *             and slot; never blocks otherwise.
 *   Consumes: nothing.
 *   Returns:  the row; *shared set when it is row 0 standing in.
 */
uint64_t *ngi_pc_row_slow(struct ng_pcounter *pc, unsigned slot, int *shared);

/* Internal (the adds below): slot := the calling thread's statistics slot,
 * row := its row of pc (rows[slot]: only this thread stores it, so a
 * relaxed load; NULL until its first add allocates it); slot 0 and row 0
 * when that allocation failed (the add is then an atomic one). */
#define NGI_PC_ROW(pc, slot, row)                                                                  \
    do {                                                                                           \
        (slot) = ngi_pc_slot;                                                                      \
        (row) = __atomic_load_n(&(pc)->rows[(slot)], __ATOMIC_RELAXED);                            \
        if (__builtin_expect((row) == NULL, 0)) {                                                  \
            int ngi_shared_ = 0;                                                                   \
            (row) = ngi_pc_row_slow((pc), (slot), &ngi_shared_);                                   \
            if (ngi_shared_)                                                                       \
                (slot) = 0;                                                                        \
        }                                                                                          \
    } while (0)

/* Internal (the adds below): add v to counter *c of the row of `slot`: a
 * plain load and store for slots 1..7 (the row's only writer), an atomic
 * add for the shared slot 0.  Macros, these two: the adds are C99 inline
 * functions with external linkage, which may not call a static function. */
#define NGI_PC_ADD(c, slot, v)                                                                     \
    do {                                                                                           \
        if (__builtin_expect((slot) != 0, 1))                                                      \
            __atomic_store_n((c), __atomic_load_n((c), __ATOMIC_RELAXED) + (v), __ATOMIC_RELAXED); \
        else                                                                                       \
            __atomic_fetch_add((c), (v), __ATOMIC_RELAXED);                                        \
    } while (0)

/*
 * Create a set of n counters, all zero, in *pcp (NULL on failure).
 *   Context:  any thread; allocates; never blocks otherwise.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (pcp NULL, n 0 or above NG_PCOUNTER_MAX); -ENOMEM.
 */
int ng_pcounter_create(unsigned n, struct ng_pcounter **pcp);

/*
 * Free a set.  No thread may use it any more (a type: from its final
 * shutdown method, after which no method of the node runs).  NULL is
 * ignored.
 *   Context:  any thread, once nobody else uses pc; never blocks.
 *   Consumes: pc.
 *   Returns:  nothing.
 */
void ng_pcounter_destroy(struct ng_pcounter *pc);

/*
 * Add v to counter i (ignored if pc is NULL or i out of range).
 *   Context:  any thread, concurrently with every other call but destroy;
 *             a plain load and store on a thread that owns a statistics
 *             slot, an atomic add otherwise; never blocks.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
NGI_INLINE void ng_pcounter_add(struct ng_pcounter *pc, unsigned i, uint64_t v)
{
    if (__builtin_expect(pc == NULL || i >= pc->n, 0))
        return;
    unsigned slot;
    uint64_t *row;
    NGI_PC_ROW(pc, slot, row);
    NGI_PC_ADD(&row[i], slot, v);
}

/*
 * Add v to counter i and w to counter i + 1 in one call (a frame's octets
 * and packets, say): one bounds check and one slot lookup for both; the
 * two adds are each as ng_pcounter_add's, not one atomic step.  Ignored if
 * pc is NULL or i + 1 out of range.
 *   Context:  as ng_pcounter_add.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
NGI_INLINE void ng_pcounter_add2(struct ng_pcounter *pc, unsigned i, uint64_t v, uint64_t w)
{
    if (__builtin_expect(pc == NULL || i >= pc->n || i + 1 >= pc->n, 0))
        return;
    unsigned slot;
    uint64_t *row;
    NGI_PC_ROW(pc, slot, row);
    NGI_PC_ADD(&row[i], slot, v);
    NGI_PC_ADD(&row[i + 1], slot, w);
}

/*
 * Counter i's value since it was last cleared (the sum over the threads).
 *   Context:  any thread; relaxed loads of NGI_STAT_SLOTS (8) cache lines;
 *             never blocks.
 *   Consumes: nothing.
 *   Returns:  the value; 0 if pc is NULL or i out of range.
 */
uint64_t ng_pcounter_read(const struct ng_pcounter *pc, unsigned i);

/*
 * Read counter i and clear it in one step (what getclrstats needs).
 *   Context:  any thread; concurrent clears of the same counter each get a
 *             disjoint share; never blocks.
 *   Consumes: nothing.
 *   Returns:  the value before the clear; 0 if pc is NULL or i out of range.
 */
uint64_t ng_pcounter_fetch_clear(struct ng_pcounter *pc, unsigned i);

/*
 * Counters first .. first + n - 1 into out[0 .. n - 1], each as
 * ng_pcounter_read gives it or, with clear, as ng_pcounter_fetch_clear
 * does (what a type's getstats / getclrstats / clrstats and its revival
 * need).  out may be NULL with clear: the counters are only cleared.
 *   Context:  as ng_pcounter_read, or ng_pcounter_fetch_clear with clear;
 *             each counter is read or cleared on its own, not the range as
 *             one atomic snapshot; never blocks.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (pc NULL, out NULL without clear, or the range
 *             not inside the set; out untouched).
 */
int ng_pcounter_snapshot(struct ng_pcounter *pc, unsigned first, unsigned n, uint64_t *out,
                         bool clear);

#ifdef __cplusplus
}
#endif

#endif
