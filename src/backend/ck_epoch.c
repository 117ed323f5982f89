/*
 * ck_epoch.c - reclamation backend on Concurrency Kit's ck_epoch.
 *
 * One ck_epoch_t per graph instance; every attached thread owns one
 * ck_epoch_record_t (embedded at the start of its struct ngi_bthread).
 *
 * Concurrency invariants (enforced here):
 *
 *  - Per-thread records.  A record is written only by the thread that attached
 *    it (read_enter/read_exit/quiescent/thread_detach), or by the thread that
 *    calls thread_release() once the owner is gone.  Other threads only read
 *    it, inside libck (ck_epoch_scan).  ck_epoch never lets a record leave the
 *    epoch's record list, so detach/release only ck_epoch_unregister() it
 *    (it becomes recyclable by the next thread_attach, see ck_epoch_recycle);
 *    the memory is freed by destroy(), when no thread is attached.
 *
 *  - Deferred callbacks.  defer() may run on any thread, attached or not, in
 *    a section or not, and must never block.  It pushes the ng_defer onto a
 *    lock-free LIFO "staging" list (C11 CAS, release).  The staged entries are
 *    moved into one shared "defer record" registered with the epoch (with
 *    ck_epoch_call_strict) only by the thread that holds `lock` (a
 *    ck_spinlock), immediately before it polls that record.
 *
 *    Why the staging list instead of calling ck_epoch_call_strict() from
 *    defer() directly: ck_epoch_poll() dispatches *every* bucket of the record
 *    when its scan found no active reader.  An entry pushed by another thread
 *    after the scan began (its reader may have entered after the scan looked
 *    at its record) would be freed without a grace period.  Likewise the
 *    "epoch - 2" bucket may receive a concurrent push after the poller loaded
 *    the epoch.  With the staging list every entry in the defer record was
 *    pushed by the lock holder, before it read the epoch for the poll, which
 *    is the situation ck_epoch_poll() is written for.
 *
 *  - `lock` serialises everything that touches the defer record's pending
 *    stacks: poll() takes it with try-lock (skip if another thread polls),
 *    barrier() waits for it.  Callbacks therefore run with `lock` held, on the
 *    thread that called poll() or barrier(); they may call defer() and poll()
 *    (the nested poll is skipped), never barrier() of the same graph.
 *
 *  - `pending` counts callbacks deferred and not yet run (incremented by
 *    defer(), decremented by the trampoline after the callback returned).
 *    `chained` counts defers issued by callbacks of this instance while it is
 *    dispatching (touched only under `lock`); barrier() repeats while it is
 *    non-zero, so that callbacks which defer further objects are drained too,
 *    without livelocking against unrelated concurrent defer() callers.
 *
 *  - Ordering for the grace period: the object is unlinked before defer();
 *    the staging CAS (release) / exchange (acquire) plus a seq_cst fence order
 *    the unlink before the epoch load in ck_epoch_call_strict(), which is
 *    what ck_epoch requires (its own call path has no fence).
 *
 * ThreadSanitizer: libck is not instrumented and its ck_pr primitives are
 * inline asm, so TSan sees none of ck_epoch's or ck_spinlock's ordering.
 * When built with -fsanitize=thread we add the missing happens-before edges
 * with __tsan_acquire/__tsan_release: read_exit/quiescent -> trampoline and
 * synchronize (per-instance `tsan_gp`), lock release -> lock acquire,
 * unregister -> recycle of a record.  Without TSan these compile to nothing.
 */
#include "backend.h"

#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <ck_epoch.h>
#include <ck_md.h>
#include <ck_spinlock.h>
#include <ck_stack.h>

#if defined(__SANITIZE_THREAD__)
#define NG_CK_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NG_CK_TSAN 1
#endif
#endif

#ifdef NG_CK_TSAN
#include <sanitizer/tsan_interface.h>
#define tsan_acquire(p) __tsan_acquire((void *)(p))
#define tsan_release(p) __tsan_release((void *)(p))
#else
#define tsan_acquire(p) ((void)(p))
#define tsan_release(p) ((void)(p))
#endif

/* The ng_defer storage, seen by this backend: first as a staging-list link,
 * then (after the move under `lock`) as a ck_epoch_entry_t. */
union ck_defer_space {
    ck_epoch_entry_t entry;
    struct ngi_defer *stage_next;
};

static_assert(sizeof(union ck_defer_space) <= sizeof(((struct ngi_defer *)0)->space),
              "ng_defer.space too small for ck_epoch_entry_t");
static_assert(offsetof(struct ngi_defer, space) == 0,
              "trampoline converts the ck entry back to its ng_defer");

struct ngi_bthread {
    ck_epoch_record_t rec; /* first: ck record <-> per-thread state */
    ck_epoch_section_t section;
    struct ngi_backend_inst *b;
};

struct ngi_backend_inst {
    ck_epoch_record_t defer_rec;        /* shared; pending stacks under lock */
    ck_epoch_t epoch;                   /* global epoch + record list */
    ck_spinlock_t lock;                 /* serialises defer_rec dispatch */
    _Atomic(struct ngi_defer *) staged; /* MPSC LIFO of deferred entries */
    atomic_size_t pending;              /* deferred, callback not yet run */
    atomic_size_t chained;              /* defers by our callbacks (lock) */
    char tsan_gp;                       /* TSan sync address only */
};

/* Instance whose callbacks this thread is running (NULL if none). */
static _Thread_local struct ngi_backend_inst *ck_dispatching;

static size_t round_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

static union ck_defer_space *dspace(struct ngi_defer *d)
{
    return (union ck_defer_space *)(void *)d->space;
}

/* Runs a deferred callback: from ck_epoch_poll/ck_epoch_barrier_wait, on the
 * thread holding b->lock. */
static void ck_trampoline(ck_epoch_entry_t *e)
{
    struct ngi_defer *d = (struct ngi_defer *)(void *)e;
    struct ngi_backend_inst *b = d->owner;

    /* Every section that could have seen the object has ended. */
    tsan_acquire(&b->tsan_gp);
    d->fn(d); /* may free d */
    atomic_fetch_sub_explicit(&b->pending, 1, memory_order_release);
}

/* Move the staging list into the defer record.  Caller holds b->lock. */
static void ck_flush_staged(struct ngi_backend_inst *b)
{
    struct ngi_defer *d = atomic_exchange_explicit(&b->staged, NULL, memory_order_acquire);

    if (d == NULL)
        return;
    /* Unlinks made before defer() must be visible to every reader before we
     * sample the epoch for the buckets (store -> load ordering). */
    atomic_thread_fence(memory_order_seq_cst);
    while (d != NULL) {
        struct ngi_defer *next = dspace(d)->stage_next; /* read before reuse */

        ck_epoch_call_strict(&b->defer_rec, &dspace(d)->entry, ck_trampoline);
        d = next;
    }
}

static void ck_lock(struct ngi_backend_inst *b)
{
    while (!ck_spinlock_trylock(&b->lock))
        sched_yield();
    tsan_acquire(&b->lock);
}

static bool ck_trylock(struct ngi_backend_inst *b)
{
    if (!ck_spinlock_trylock(&b->lock))
        return false;
    tsan_acquire(&b->lock);
    return true;
}

static void ck_unlock(struct ngi_backend_inst *b)
{
    tsan_release(&b->lock);
    ck_spinlock_unlock(&b->lock);
}

/* ck_epoch_synchronize_wait() hook: a reader is still in an old section. */
static void ck_wait_cb(ck_epoch_t *ep, ck_epoch_record_t *rec, void *ct)
{
    (void)ep;
    (void)rec;
    (void)ct;
    sched_yield();
}

static int ck_create(struct ngi_backend_inst **bp)
{
    size_t sz = round_up(sizeof(struct ngi_backend_inst), CK_MD_CACHELINE);
    struct ngi_backend_inst *b = aligned_alloc(CK_MD_CACHELINE, sz);

    if (b == NULL)
        return -ENOMEM;
    memset(b, 0, sz);
    ck_epoch_init(&b->epoch);
    ck_spinlock_init(&b->lock);
    atomic_init(&b->staged, NULL);
    atomic_init(&b->pending, 0);
    atomic_init(&b->chained, 0);
    /* Never unregistered, so ck_epoch_recycle() never hands it out. */
    ck_epoch_register(&b->epoch, &b->defer_rec, NULL);
    *bp = b;
    return 0;
}

static void ck_destroy(struct ngi_backend_inst *b)
{
    ck_stack_entry_t *cur, *next;

    if (b == NULL)
        return;
    /* No thread attached or in a section; barrier() ran.  Free every
     * per-thread record (registered or recyclable). */
    for (cur = CK_STACK_FIRST(&b->epoch.records); cur != NULL; cur = next) {
        ck_epoch_record_t *r =
            (ck_epoch_record_t *)(void *)((char *)cur - offsetof(ck_epoch_record_t, record_next));

        next = CK_STACK_NEXT(cur);
        if (r != &b->defer_rec)
            free((struct ngi_bthread *)(void *)r);
    }
    free(b);
}

static int ck_thread_attach(struct ngi_backend_inst *b, struct ngi_bthread **tp)
{
    ck_epoch_record_t *r = ck_epoch_recycle(&b->epoch, NULL);
    struct ngi_bthread *t;

    if (r != NULL) {
        t = (struct ngi_bthread *)(void *)r;
        tsan_acquire(t); /* pairs with the previous owner's unregister */
    } else {
        size_t sz = round_up(sizeof(struct ngi_bthread), CK_MD_CACHELINE);

        t = aligned_alloc(CK_MD_CACHELINE, sz);
        if (t == NULL)
            return -ENOMEM;
        memset(t, 0, sz);
        ck_epoch_register(&b->epoch, &t->rec, NULL);
    }
    t->b = b;
    *tp = t;
    return 0;
}

static void ck_thread_detach(struct ngi_backend_inst *b, struct ngi_bthread *t)
{
    (void)b;
    tsan_release(t);
    ck_epoch_unregister(&t->rec); /* memory stays in the list until destroy */
}

static void ck_read_enter(struct ngi_bthread *t) { ck_epoch_begin(&t->rec, &t->section); }

static void ck_read_exit(struct ngi_bthread *t)
{
    tsan_release(&t->b->tsan_gp);
    ck_epoch_end(&t->rec, &t->section);
}

static bool ck_quiescent(struct ngi_bthread *t)
{
    tsan_release(&t->b->tsan_gp);
    /* Nothing to report while this record already holds the global epoch:
     * a grace period waits only for active records holding an older one
     * (ck_epoch_scan), and end + begin would store the same value again,
     * after a full fence and two calls into libck.  liburcu's QSBR
     * quiescent state takes the same shortcut.  The epoch only grows, and
     * our record's is written by this thread alone (begin, and delref when
     * a section ends), so equal when both were loaded means nothing to
     * report; a writer that advances the epoch right after waits for our
     * next quiescent state (which then sees the new value) or our section
     * end (the record then goes inactive). */
    if (ck_pr_load_uint(&t->rec.epoch) == ck_pr_load_uint(&t->b->epoch.epoch))
        return true;
    ck_epoch_end(&t->rec, &t->section);
    ck_epoch_begin(&t->rec, &t->section);
    return true;
}

static void ck_defer(struct ngi_backend_inst *b, struct ngi_defer *d,
                     void (*fn)(struct ngi_defer *d))
{
    struct ngi_defer *head;

    d->fn = fn;
    d->owner = b;
    atomic_fetch_add_explicit(&b->pending, 1, memory_order_relaxed);
    if (ck_dispatching == b)
        atomic_fetch_add_explicit(&b->chained, 1, memory_order_relaxed);
    head = atomic_load_explicit(&b->staged, memory_order_relaxed);
    do {
        dspace(d)->stage_next = head;
    } while (!atomic_compare_exchange_weak_explicit(&b->staged, &head, d, memory_order_release,
                                                    memory_order_relaxed));
}

static void ck_poll(struct ngi_backend_inst *b)
{
    struct ngi_backend_inst *prev;

    if (!ck_trylock(b))
        return; /* someone else is polling (or we are inside a callback) */
    prev = ck_dispatching;
    ck_dispatching = b;
    ck_flush_staged(b);
    (void)ck_epoch_poll(&b->defer_rec);
    ck_dispatching = prev;
    ck_unlock(b);
}

static void ck_synchronize(struct ngi_backend_inst *b)
{
    ck_epoch_synchronize_wait(&b->epoch, ck_wait_cb, NULL);
    tsan_acquire(&b->tsan_gp);
}

static void ck_barrier(struct ngi_backend_inst *b)
{
    struct ngi_backend_inst *prev;

    ck_lock(b);
    prev = ck_dispatching;
    ck_dispatching = b;
    do {
        atomic_store_explicit(&b->chained, 0, memory_order_relaxed);
        ck_flush_staged(b);
        /* Grace period, then run everything in the record: all of it was
         * pushed by us (or an earlier lock holder) before the wait began. */
        ck_epoch_barrier_wait(&b->defer_rec, ck_wait_cb, NULL);
    } while (atomic_load_explicit(&b->chained, memory_order_relaxed) != 0);
    ck_dispatching = prev;
    ck_unlock(b);
}

static size_t ck_pending(struct ngi_backend_inst *b)
{
    return atomic_load_explicit(&b->pending, memory_order_relaxed);
}

const struct ngi_backend_ops ngi_backend_ck_epoch_ops = {
    .name = "ck_epoch",
    .flags = 0,
    .create = ck_create,
    .destroy = ck_destroy,
    .thread_attach = ck_thread_attach,
    .thread_detach = ck_thread_detach,
    .thread_release = ck_thread_detach, /* same: unregister, free in destroy */
    .read_enter = ck_read_enter,
    .read_exit = ck_read_exit,
    .quiescent = ck_quiescent,
    .defer = ck_defer,
    .poll = ck_poll,
    .synchronize = ck_synchronize,
    .barrier = ck_barrier,
    .topo_rlock = NULL,
    .topo_runlock = NULL,
    .topo_wlock = NULL,
    .topo_wunlock = NULL,
    .pending = ck_pending,
};
