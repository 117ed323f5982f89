/*
 * qsbr.c - reclamation backend on liburcu's urcu-qsbr flavour.
 *
 * urcu-qsbr has ONE process-wide domain: every registered thread takes part
 * in every grace period, whichever graph it works for.  A backend instance
 * therefore only holds statistics; the per-thread urcu state is per thread,
 * not per (thread, graph).
 *
 * Concurrency invariants (enforced here):
 *
 *  - Registration.  rcu_register_thread() must run on the thread itself and
 *    only once.  `qs_reg` (thread-local) counts this thread's attachments
 *    over all qsbr instances; the first registers, thread_detach() of the
 *    last unregisters.  defer() on a thread that is not registered registers
 *    it lazily (`qs_lazy`).  A pthread key destructor unregisters a thread
 *    that exits still registered (never detached, or lazily registered).
 *    thread_release() (another thread, at graph destruction) only frees our
 *    per-thread struct; the owner's registration stays until it exits, while
 *    offline, which never delays a grace period.
 *    Restriction: threads must not be registered with urcu-qsbr by anyone
 *    else (double registration); liburcu's own call_rcu worker threads are
 *    recognised while they run our callbacks: defer() from there needs no
 *    registration, and a callback that attaches the worker to a graph (a
 *    type's final shutdown method freeing an item, say) makes it `qs_foreign`:
 *    not registered again, never put offline or unregistered by us (liburcu
 *    keeps it registered and online while it runs callbacks, which is a
 *    read-side section for everything the callback does).
 *
 *  - Online/offline.  A thread attached through us is OFFLINE except between
 *    the outermost read_enter and read_exit, so idle and application threads
 *    never stall grace periods.  `qs_depth` (thread-local) counts open
 *    sections over all qsbr graphs: with two graphs nested in one thread,
 *    the inner read_enter must not go online again (rcu_thread_online()
 *    stores the current grace-period counter, i.e. reports a quiescent state
 *    for the outer section) and the inner read_exit must not go offline.
 *    For the same reason quiescent() reports a quiescent state only when this
 *    is the only open qsbr section of the thread (depth 1).
 *
 *  - Blocking waits.  Because the domain is process-wide, synchronize() and
 *    barrier() must be called outside every qsbr section of the thread, not
 *    only those of this graph (liburcu would otherwise take the thread
 *    offline for the wait, ending the other section's protection).
 *
 *  - Memory.  defer() hands the embedded rcu_head to call_rcu(); liburcu's
 *    call_rcu thread runs the trampoline after a grace period, which runs the
 *    user callback (which frees the object) and then decrements `pending`.
 *    poll() is a no-op.  barrier() = rcu_barrier(), repeated while callbacks
 *    of this instance deferred more objects (`chained`), so destroy() finds
 *    nothing of ours queued.  The instance itself is freed by destroy().
 *
 * ThreadSanitizer: liburcu is not instrumented and its atomics are inline
 * asm, so with -fsanitize=thread we add the happens-before edges it cannot
 * see: defer() -> trampoline (per ng_defer), read_exit/quiescent ->
 * trampoline and synchronize (`tsan_gp`), trampoline -> barrier (`tsan_cb`).
 */
#include "backend.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include <urcu/urcu-qsbr.h>

#if defined(__SANITIZE_THREAD__)
#define NG_QS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NG_QS_TSAN 1
#endif
#endif

#ifdef NG_QS_TSAN
#include <sanitizer/tsan_interface.h>
#define tsan_acquire(p) __tsan_acquire((void *)(p))
#define tsan_release(p) __tsan_release((void *)(p))
#else
#define tsan_acquire(p) ((void)(p))
#define tsan_release(p) ((void)(p))
#endif

static_assert(sizeof(struct rcu_head) <= sizeof(((struct ngi_defer *)0)->space),
              "ng_defer.space too small for struct rcu_head");
static_assert(offsetof(struct ngi_defer, space) == 0,
              "trampoline converts the rcu_head back to its ng_defer");

struct ngi_backend_inst {
    atomic_size_t pending; /* deferred, callback not yet run */
    atomic_size_t chained; /* defers issued by our callbacks (monotonic) */
    char tsan_gp;          /* TSan sync addresses only */
    char tsan_cb;
};

struct ngi_bthread {
    struct ngi_backend_inst *b;
};

/* Per-thread urcu state, shared by all qsbr instances (see header). */
static _Thread_local unsigned qs_reg;                         /* attachments of this thread */
static _Thread_local bool qs_lazy;                            /* registered by defer() */
static _Thread_local unsigned qs_depth;                       /* open sections, all instances */
static _Thread_local struct ngi_backend_inst *qs_dispatching; /* in trampoline */
static _Thread_local bool qs_foreign; /* a liburcu worker, attached in our callback */

static pthread_once_t qs_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t qs_key;
static int qs_key_err; /* written once under pthread_once */

static void qs_thread_exit(void *arg)
{
    (void)arg;
    if (qs_reg > 0 || qs_lazy) {
        urcu_qsbr_unregister_thread(); /* also goes offline if online */
        qs_reg = 0;
        qs_lazy = false;
        qs_depth = 0;
    }
}

static void qs_key_init(void) { qs_key_err = pthread_key_create(&qs_key, qs_thread_exit); }

/* Register the calling thread with urcu and arm the exit destructor.  The
 * thread is ONLINE on success (urcu's register does that). */
static int qs_register_self(void)
{
    int rc;

    pthread_once(&qs_key_once, qs_key_init);
    if (qs_key_err != 0)
        return -qs_key_err;
    rc = pthread_setspecific(qs_key, &qs_key); /* any non-NULL value */
    if (rc != 0)
        return -rc;
    urcu_qsbr_register_thread();
    return 0;
}

static void qs_unregister_self(void)
{
    urcu_qsbr_unregister_thread();
    qs_lazy = false;
    (void)pthread_setspecific(qs_key, NULL);
}

static void qs_trampoline(struct rcu_head *h)
{
    struct ngi_defer *d = (struct ngi_defer *)(void *)h;
    struct ngi_backend_inst *b, *prev;

    tsan_acquire(d);
    b = d->owner;
    tsan_acquire(&b->tsan_gp);
    prev = qs_dispatching;
    qs_dispatching = b;
    d->fn(d); /* may free d */
    qs_dispatching = prev;
    atomic_fetch_sub_explicit(&b->pending, 1, memory_order_release);
    /* barrier() returns only after this trampoline returned (liburcu runs a
     * worker's callbacks in order, its barrier callback last), so b is
     * still alive here. */
    tsan_release(&b->tsan_cb);
}

static int qs_create(struct ngi_backend_inst **bp)
{
    struct ngi_backend_inst *b = calloc(1, sizeof(*b));

    if (b == NULL)
        return -ENOMEM;
    atomic_init(&b->pending, 0);
    atomic_init(&b->chained, 0);
    pthread_once(&qs_key_once, qs_key_init);
    *bp = b;
    return 0;
}

static void qs_destroy(struct ngi_backend_inst *b) { free(b); }

static int qs_thread_attach(struct ngi_backend_inst *b, struct ngi_bthread **tp)
{
    struct ngi_bthread *t = malloc(sizeof(*t));

    if (t == NULL)
        return -ENOMEM;
    if (qs_reg == 0 && !qs_lazy && qs_dispatching != NULL) {
        qs_foreign = true; /* liburcu's worker: registered and online already */
    } else if (qs_reg == 0 && !qs_lazy && !qs_foreign) {
        int rc = qs_register_self();

        if (rc != 0) {
            free(t);
            return rc;
        }
        urcu_qsbr_thread_offline(); /* invariant: offline outside sections */
    }
    qs_reg++;
    t->b = b;
    *tp = t;
    return 0;
}

static void qs_thread_detach(struct ngi_backend_inst *b, struct ngi_bthread *t)
{
    (void)b;
    free(t);
    /* qs_reg == 0 is legitimate only at thread exit: POSIX runs key
     * destructors in unspecified order, so qs_thread_exit() may already have
     * unregistered this thread before the engine's own exit destructor
     * detaches it from each graph. */
    if (qs_reg > 0 && --qs_reg == 0) {
        assert(qs_depth == 0);
        if (qs_foreign)
            qs_foreign = false; /* liburcu's registration, not ours */
        else
            qs_unregister_self();
    }
}

static void qs_thread_release(struct ngi_backend_inst *b, struct ngi_bthread *t)
{
    (void)b;
    free(t); /* the owner thread's registration ends at its exit */
}

static void qs_read_enter(struct ngi_bthread *t)
{
    (void)t;
    if (qs_depth++ == 0 && !qs_foreign)
        urcu_qsbr_thread_online();
}

static void qs_read_exit(struct ngi_bthread *t)
{
    tsan_release(&t->b->tsan_gp);
    if (--qs_depth == 0 && !qs_foreign)
        urcu_qsbr_thread_offline();
}

static bool qs_quiescent(struct ngi_bthread *t)
{
    if (qs_depth != 1 || qs_foreign)
        return false; /* another qsbr section (any graph) is open: not quiescent */
    tsan_release(&t->b->tsan_gp);
    urcu_qsbr_quiescent_state();
    return true;
}

static void qs_defer(struct ngi_backend_inst *b, struct ngi_defer *d,
                     void (*fn)(struct ngi_defer *d))
{
    struct rcu_head *h = (struct rcu_head *)(void *)d->space;

    d->fn = fn;
    d->owner = b;
    atomic_fetch_add_explicit(&b->pending, 1, memory_order_relaxed);
    if (qs_dispatching == b)
        atomic_fetch_add_explicit(&b->chained, 1, memory_order_relaxed);
    tsan_release(d);

    if (qs_depth > 0 || qs_dispatching != NULL || urcu_qsbr_read_ongoing()) {
        /* Online already: in a section, or a call_rcu worker running our
         * callbacks (registered and online by liburcu). */
        urcu_qsbr_call_rcu(h, qs_trampoline);
        return;
    }
    if (qs_reg == 0 && !qs_lazy) {
        if (qs_register_self() == 0) {
            qs_lazy = true; /* unregistered at thread exit or last detach */
        } else {
            /* Cannot arm the exit destructor: register just for this call. */
            urcu_qsbr_register_thread();
            urcu_qsbr_call_rcu(h, qs_trampoline);
            urcu_qsbr_unregister_thread();
            return;
        }
    } else {
        urcu_qsbr_thread_online();
    }
    urcu_qsbr_call_rcu(h, qs_trampoline);
    urcu_qsbr_thread_offline();
}

static void qs_poll(struct ngi_backend_inst *b)
{
    (void)b; /* liburcu's call_rcu thread reclaims asynchronously */
}

static void qs_synchronize(struct ngi_backend_inst *b)
{
    /* Process-wide domain: liburcu would take an online caller offline for
     * the wait, silently ending its sections of other graphs. */
    assert(qs_depth == 0);
    urcu_qsbr_synchronize_rcu();
    tsan_acquire(&b->tsan_gp);
}

static void qs_barrier(struct ngi_backend_inst *b)
{
    size_t before;

    assert(qs_depth == 0); /* see qs_synchronize() */
    do {
        before = atomic_load_explicit(&b->chained, memory_order_acquire);
        urcu_qsbr_barrier();
    } while (atomic_load_explicit(&b->chained, memory_order_acquire) != before);
    tsan_acquire(&b->tsan_cb);
}

static size_t qs_pending(struct ngi_backend_inst *b)
{
    return atomic_load_explicit(&b->pending, memory_order_relaxed);
}

const struct ngi_backend_ops ngi_backend_qsbr_ops = {
    .name = "qsbr",
    .flags = 0,
    .create = qs_create,
    .destroy = qs_destroy,
    .thread_attach = qs_thread_attach,
    .thread_detach = qs_thread_detach,
    .thread_release = qs_thread_release,
    .read_enter = qs_read_enter,
    .read_exit = qs_read_exit,
    .quiescent = qs_quiescent,
    .defer = qs_defer,
    .poll = qs_poll,
    .synchronize = qs_synchronize,
    .barrier = qs_barrier,
    .topo_rlock = NULL,
    .topo_runlock = NULL,
    .topo_wlock = NULL,
    .topo_wunlock = NULL,
    .pending = qs_pending,
};
