/*
 * rwlock.c - the baseline backend: FreeBSD's ng_topo_lock design.
 *
 * No read-side sections at all: read_enter/read_exit/quiescent are no-ops.
 * Instead (flag NG_BF_TOPOLOGY_LOCK) the engine takes topo_rlock() around
 * every peer lookup and pins what it found with a reference count before
 * dropping the lock, and every topology change runs under topo_wlock().
 *
 * Concurrency invariants (enforced by the engine with this backend's lock):
 *
 *  - Topology (hook peer pointers, node/hook lists) is read only under the
 *    read lock and written only under the write lock.
 *  - Object lifetime is governed by reference counts, not by grace periods:
 *    an object reaches defer() only after it was unlinked under the write
 *    lock and its last reference was dropped, so no thread can reach it any
 *    more and defer() runs the callback immediately, on the calling thread.
 *    pending() is therefore always 0; `deferred` only counts calls.
 *  - synchronize() takes and releases the write lock: every reader that held
 *    the read lock when it was called has released it.  barrier() is the
 *    same (there is never a queued callback).
 *
 * Lock kind: the rwlock is writer-preferring
 * (PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP), like FreeBSD's rwlock(9):
 * a continuous stream of data-path readers cannot starve topology changes.
 * The price, as in the kernel, is that a thread must never take the read
 * lock recursively (a waiting writer would deadlock it); the engine takes
 * topo_rlock only around single peer lookups, never nested.
 */
#include "backend.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct ng_backend_inst {
    pthread_rwlock_t lock; /* the topology lock */
    atomic_size_t deferred; /* statistics: callbacks run by defer() */
};

struct ng_bthread {
    struct ng_backend_inst *b;
};

static int
rw_create(struct ng_backend_inst **bp)
{
    pthread_rwlockattr_t attr;
    struct ng_backend_inst *b;
    int rc;

    b = calloc(1, sizeof(*b));
    if (b == NULL)
        return -ENOMEM;
    rc = pthread_rwlockattr_init(&attr);
    if (rc != 0) {
        free(b);
        return -rc;
    }
    rc = pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    if (rc == 0)
        rc = pthread_rwlock_init(&b->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    if (rc != 0) {
        free(b);
        return -rc;
    }
    atomic_init(&b->deferred, 0);
    *bp = b;
    return 0;
}

static void
rw_destroy(struct ng_backend_inst *b)
{
    if (b == NULL)
        return;
    pthread_rwlock_destroy(&b->lock);
    free(b);
}

static int
rw_thread_attach(struct ng_backend_inst *b, struct ng_bthread **tp)
{
    struct ng_bthread *t = malloc(sizeof(*t));

    if (t == NULL)
        return -ENOMEM;
    t->b = b;
    *tp = t;
    return 0;
}

static void
rw_thread_detach(struct ng_backend_inst *b, struct ng_bthread *t)
{
    (void)b;
    free(t);
}

static void
rw_read_nop(struct ng_bthread *t)
{
    (void)t;
}

static void
rw_defer(struct ng_backend_inst *b, struct ng_defer *d, void (*fn)(struct ng_defer *d))
{
    /* Unreachable already (unlinked under the write lock, last ref gone). */
    d->fn = fn;
    d->owner = b;
    atomic_fetch_add_explicit(&b->deferred, 1, memory_order_relaxed);
    fn(d);
}

static void
rw_poll(struct ng_backend_inst *b)
{
    (void)b;
}

static void
rw_topo_rlock(struct ng_backend_inst *b)
{
    int rc = pthread_rwlock_rdlock(&b->lock);

    (void)rc; /* EAGAIN/EDEADLK are engine bugs; nothing to recover */
}

static void
rw_topo_wlock(struct ng_backend_inst *b)
{
    int rc = pthread_rwlock_wrlock(&b->lock);

    (void)rc;
}

static void
rw_topo_unlock(struct ng_backend_inst *b)
{
    pthread_rwlock_unlock(&b->lock);
}

static void
rw_synchronize(struct ng_backend_inst *b)
{
    rw_topo_wlock(b);
    rw_topo_unlock(b);
}

static size_t
rw_pending(struct ng_backend_inst *b)
{
    (void)b;
    return 0;
}

const struct ng_backend_ops ng_backend_rwlock_ops = {
    .name = "rwlock",
    .flags = NG_BF_TOPOLOGY_LOCK,
    .create = rw_create,
    .destroy = rw_destroy,
    .thread_attach = rw_thread_attach,
    .thread_detach = rw_thread_detach,
    .thread_release = rw_thread_detach,
    .read_enter = rw_read_nop,
    .read_exit = rw_read_nop,
    .quiescent = rw_read_nop,
    .defer = rw_defer,
    .poll = rw_poll,
    .synchronize = rw_synchronize,
    .barrier = rw_synchronize,
    .topo_rlock = rw_topo_rlock,
    .topo_runlock = rw_topo_unlock,
    .topo_wlock = rw_topo_wlock,
    .topo_wunlock = rw_topo_unlock,
    .pending = rw_pending,
};
