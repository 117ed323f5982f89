/*
 * backend.h - the internal reclamation-backend interface.
 *
 * Each graph owns exactly one backend instance, chosen at ng_graph_create().
 * A backend decides three things for the engine:
 *
 *   1. What a read-side section is.  Data-path code (peer-pointer loads,
 *      node/type/private dereferences, topology-list traversal) runs between
 *      read_enter() and read_exit() of the calling thread.
 *   2. When unlinked memory may be freed.  defer() queues a callback that
 *      runs only after every read-side section that could have observed the
 *      object has ended (a grace period).
 *   3. Whether data must also take a topology lock per hop.  Backends with
 *      NGI_BF_TOPOLOGY_LOCK (the "rwlock" baseline that reproduces FreeBSD's
 *      ng_topo_lock) take topo_rlock() around each peer lookup and pin the
 *      peer with a reference; topology writers take topo_wlock().  Lock-less
 *      backends leave those hooks NULL and the engine never calls them.
 *
 * Threads: every thread that enters a read-side section first calls
 * thread_attach() from itself; the returned per-thread state is passed to
 * read_enter/read_exit/quiescent.  thread_detach() is called by the same
 * thread, outside any section.  thread_release() may be called by any thread
 * at graph destruction for states whose thread never detached.
 *
 * Adding a backend: write one file implementing this table and add it to
 * the table in backend.c (see there).  Nothing else in the engine changes.
 */
#ifndef NGI_BACKEND_BACKEND_H
#define NGI_BACKEND_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

struct ngi_backend_inst; /* per-graph instance, private to each backend file */
struct ngi_bthread;      /* per-(thread, graph) state, private to each backend */

/*
 * Storage for one deferred callback, embedded in the object to be freed.
 * Large enough for ck_epoch_entry_t and liburcu's struct rcu_head; each
 * backend casts `space` to its own type (checked with static_assert).
 * `owner` is written by defer() and read by the backend's callback
 * trampoline: the library entry (space) has no room for a context pointer,
 * so without it a callback could not be attributed to its backend instance
 * (per-graph pending count, sanitizer happens-before edges).  All three
 * fields belong to the backend from defer() until fn is called.
 */
struct ngi_defer {
    void *space[2];
    void (*fn)(struct ngi_defer *d);
    struct ngi_backend_inst *owner;
};

/* Backend flags. */
#define NGI_BF_TOPOLOGY_LOCK 0x1u /* data path takes topo_rlock + refs per hop */

struct ngi_backend_ops {
    const char *name;
    unsigned flags;

    /* Create / destroy the per-graph instance.  destroy() is called after
     * barrier(), with no thread attached or inside a section. */
    int (*create)(struct ngi_backend_inst **bp);
    void (*destroy)(struct ngi_backend_inst *b);

    /* Per-thread state.  attach/detach run on the thread itself. */
    int (*thread_attach)(struct ngi_backend_inst *b, struct ngi_bthread **tp);
    void (*thread_detach)(struct ngi_backend_inst *b, struct ngi_bthread *t);
    void (*thread_release)(struct ngi_backend_inst *b, struct ngi_bthread *t);

    /* Read side.  Calls do not nest: the engine counts depth and only calls
     * the outermost pair.  quiescent() is called inside a section at a point
     * where the thread holds no protected pointer; it lets grace periods
     * complete without leaving the section (ck: end+begin, qsbr:
     * rcu_quiescent_state) and returns whether it did: false when it could
     * not (qsbr: another qsbr section of the thread is open, or the thread
     * is liburcu's own), and grace periods still wait for the thread. */
    void (*read_enter)(struct ngi_bthread *t);
    void (*read_exit)(struct ngi_bthread *t);
    bool (*quiescent)(struct ngi_bthread *t);

    /* Deferred reclamation.  defer() may be called from any thread, inside or
     * outside a section, attached or not; it never blocks on readers.
     * poll() runs callbacks whose grace period has elapsed (may be a no-op if
     * the backend reclaims asynchronously); never blocks on readers. */
    void (*defer)(struct ngi_backend_inst *b, struct ngi_defer *d, void (*fn)(struct ngi_defer *d));
    void (*poll)(struct ngi_backend_inst *b);

    /* Blocking waits.  The caller must be outside any read-side section of
     * this graph.  synchronize(): every section that began before the call
     * has ended.  barrier(): additionally, every callback deferred before the
     * call has run. */
    void (*synchronize)(struct ngi_backend_inst *b);
    void (*barrier)(struct ngi_backend_inst *b);

    /* Topology lock, only for NGI_BF_TOPOLOGY_LOCK backends (else NULL). */
    void (*topo_rlock)(struct ngi_backend_inst *b);
    void (*topo_runlock)(struct ngi_backend_inst *b);
    void (*topo_wlock)(struct ngi_backend_inst *b);
    void (*topo_wunlock)(struct ngi_backend_inst *b);

    /* Statistics: callbacks deferred and not yet run (approximate). */
    size_t (*pending)(struct ngi_backend_inst *b);
};

extern const struct ngi_backend_ops ngi_backend_ck_epoch_ops;
extern const struct ngi_backend_ops ngi_backend_qsbr_ops;
extern const struct ngi_backend_ops ngi_backend_rwlock_ops;

/* Map the public enum ng_backend value to its ops table; NULL if unknown. */
const struct ngi_backend_ops *ngi_backend_lookup(int kind);

#endif
