/*
 * rwlock.c - the baseline backend: FreeBSD's ng_topo_lock design.
 *
 * Data path (flag NGI_BF_TOPOLOGY_LOCK): the engine takes topo_rlock() around
 * every peer lookup and pins what it found with a reference count before
 * dropping the lock, and every topology change runs under topo_wlock().
 * That per-hop lock + reference traffic is what this baseline exists to
 * measure against the lock-less backends.
 *
 * Reclamation: reference counts alone are not enough in libngraph, because a
 * node's hook methods may overlap its rcvdata (docs/design.md section 3): a
 * node that caches its out-hook pointer may load it just before the hook is
 * removed and its last reference dropped.  FreeBSD excludes that by running
 * disconnect as a writer on the node, which would make topology changes wait
 * for data.  So this backend delegates read-side sections and deferred frees
 * to an embedded ck_epoch instance (a grace period, as in the other
 * backends); only the data-path locking differs.
 *
 * Concurrency invariants:
 *  - Topology (hook peer pointers, node/hook lists) is read under the read
 *    lock and written under the write lock.
 *  - An object reaches defer() only after it was unlinked under the write
 *    lock and its last reference was dropped; it is freed after every
 *    read-side section that could have loaded a pointer to it has ended.
 *  - synchronize()/barrier(): the write lock is taken and released (every
 *    hop in progress has finished), then the epoch's grace period / barrier.
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

struct ngi_backend_inst {
    pthread_rwlock_t lock;          /* the topology lock */
    struct ngi_backend_inst *epoch; /* ck_epoch instance: sections + reclamation */
};

#define EPOCH (&ngi_backend_ck_epoch_ops)

static int rw_create(struct ngi_backend_inst **bp)
{
    pthread_rwlockattr_t attr;
    struct ngi_backend_inst *b;
    int rc;

    b = calloc(1, sizeof(*b));
    if (b == NULL)
        return -ENOMEM;
    rc = EPOCH->create(&b->epoch);
    if (rc != 0) {
        free(b);
        return rc;
    }
    rc = pthread_rwlockattr_init(&attr);
    if (rc == 0) {
        rc = pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
        if (rc == 0)
            rc = pthread_rwlock_init(&b->lock, &attr);
        pthread_rwlockattr_destroy(&attr);
    }
    if (rc != 0) {
        EPOCH->destroy(b->epoch);
        free(b);
        return -rc;
    }
    *bp = b;
    return 0;
}

static void rw_destroy(struct ngi_backend_inst *b)
{
    if (b == NULL)
        return;
    EPOCH->destroy(b->epoch);
    pthread_rwlock_destroy(&b->lock);
    free(b);
}

static int rw_thread_attach(struct ngi_backend_inst *b, struct ngi_bthread **tp)
{
    return EPOCH->thread_attach(b->epoch, tp);
}

static void rw_thread_detach(struct ngi_backend_inst *b, struct ngi_bthread *t)
{
    EPOCH->thread_detach(b->epoch, t);
}

static void rw_thread_release(struct ngi_backend_inst *b, struct ngi_bthread *t)
{
    EPOCH->thread_release(b->epoch, t);
}

static void rw_defer(struct ngi_backend_inst *b, struct ngi_defer *d,
                     void (*fn)(struct ngi_defer *d))
{
    EPOCH->defer(b->epoch, d, fn);
}

static void rw_poll(struct ngi_backend_inst *b) { EPOCH->poll(b->epoch); }

static void rw_topo_rlock(struct ngi_backend_inst *b)
{
    int rc = pthread_rwlock_rdlock(&b->lock);

    (void)rc; /* EAGAIN/EDEADLK are engine bugs; nothing to recover */
}

static void rw_topo_wlock(struct ngi_backend_inst *b)
{
    int rc = pthread_rwlock_wrlock(&b->lock);

    (void)rc;
}

static void rw_topo_unlock(struct ngi_backend_inst *b) { pthread_rwlock_unlock(&b->lock); }

static void rw_synchronize(struct ngi_backend_inst *b)
{
    rw_topo_wlock(b);
    rw_topo_unlock(b);
    EPOCH->synchronize(b->epoch);
}

static void rw_barrier(struct ngi_backend_inst *b)
{
    rw_topo_wlock(b);
    rw_topo_unlock(b);
    EPOCH->barrier(b->epoch);
}

static size_t rw_pending(struct ngi_backend_inst *b) { return EPOCH->pending(b->epoch); }

/* Sections are the embedded epoch's; the ops are called directly (the
 * per-thread state is the epoch's own). */
static void rw_read_enter(struct ngi_bthread *t) { EPOCH->read_enter(t); }

static void rw_read_exit(struct ngi_bthread *t) { EPOCH->read_exit(t); }

static bool rw_quiescent(struct ngi_bthread *t) { return EPOCH->quiescent(t); }

const struct ngi_backend_ops ngi_backend_rwlock_ops = {
    .name = "rwlock",
    .flags = NGI_BF_TOPOLOGY_LOCK,
    .create = rw_create,
    .destroy = rw_destroy,
    .thread_attach = rw_thread_attach,
    .thread_detach = rw_thread_detach,
    .thread_release = rw_thread_release,
    .read_enter = rw_read_enter,
    .read_exit = rw_read_exit,
    .quiescent = rw_quiescent,
    .defer = rw_defer,
    .poll = rw_poll,
    .synchronize = rw_synchronize,
    .barrier = rw_barrier,
    .topo_rlock = rw_topo_rlock,
    .topo_runlock = rw_topo_unlock,
    .topo_wlock = rw_topo_wlock,
    .topo_wunlock = rw_topo_unlock,
    .pending = rw_pending,
};
