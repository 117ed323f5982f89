/*
 * test_backend.c - exercises one reclamation backend through its ops table.
 *
 * The backend is chosen by the environment variable NG_BACKEND (ck_epoch |
 * qsbr | rwlock, default ck_epoch); the ctest harness runs this binary once
 * per backend.
 *
 * Test-side concurrency conventions: shared objects are published through
 * C11 atomic pointers; threads other than the cmocka main thread never call
 * cmocka assertions, they record results in atomics that the main thread
 * checks after joining.  For NGI_BF_TOPOLOGY_LOCK backends, a "section" is
 * emulated the way the engine does it: topo_rlock around the lookup, and
 * writers unlink under topo_wlock before defer().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/backend.h"

#define OBJ_MAGIC 0x6e677261u /* "ngra" */
#define OBJ_DEAD 0xdeadbeefu

static const struct ngi_backend_ops *ops;

struct obj {
    _Atomic unsigned magic; /* atomics: the poison store races with nothing
                               only if the backend is correct */
    unsigned long seq;
    struct ngi_defer defer;
};

static atomic_ulong n_freed;
static atomic_int n_bad; /* readers that saw a poisoned object */

static bool topo(void) { return (ops->flags & NGI_BF_TOPOLOGY_LOCK) != 0; }

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static struct obj *obj_new(unsigned long seq)
{
    struct obj *o = calloc(1, sizeof(*o));

    if (o == NULL)
        abort();
    atomic_init(&o->magic, OBJ_MAGIC);
    o->seq = seq;
    return o;
}

static void obj_free_cb(struct ngi_defer *d)
{
    struct obj *o = (struct obj *)(void *)((char *)d - offsetof(struct obj, defer));

    atomic_store_explicit(&o->magic, OBJ_DEAD, memory_order_relaxed);
    free(o);
    atomic_fetch_add(&n_freed, 1);
}

static void obj_check(struct obj *o)
{
    if (o != NULL && atomic_load_explicit(&o->magic, memory_order_relaxed) != OBJ_MAGIC)
        atomic_fetch_add(&n_bad, 1);
}

/* Reader: enter a section and load the published pointer. */
static struct obj *reader_get(struct ngi_backend_inst *b, struct ngi_bthread *t,
                              _Atomic(struct obj *) *slot)
{
    struct obj *o;

    ops->read_enter(t);
    if (topo())
        ops->topo_rlock(b);
    o = atomic_load_explicit(slot, memory_order_acquire);
    return o;
}

static void reader_put(struct ngi_backend_inst *b, struct ngi_bthread *t)
{
    if (topo())
        ops->topo_runlock(b);
    ops->read_exit(t);
}

/* Writer: unlink (replace) the published object and defer freeing it. */
static void writer_replace(struct ngi_backend_inst *b, _Atomic(struct obj *) *slot, struct obj *nw)
{
    struct obj *old;

    if (topo())
        ops->topo_wlock(b);
    old = atomic_exchange_explicit(slot, nw, memory_order_acq_rel);
    if (topo())
        ops->topo_wunlock(b);
    if (old != NULL)
        ops->defer(b, &old->defer, obj_free_cb);
}

static void reset_counters(void)
{
    atomic_store(&n_freed, 0);
    atomic_store(&n_bad, 0);
}

/* ---------------------------------------------------------------------- */

static void test_create_destroy(void **state)
{
    struct ngi_backend_inst *b = NULL;

    (void)state;
    for (int i = 0; i < 16; i++) {
        assert_int_equal(ops->create(&b), 0);
        assert_non_null(b);
        assert_int_equal(ops->pending(b), 0);
        ops->poll(b);
        ops->synchronize(b);
        ops->barrier(b);
        ops->destroy(b);
    }
    if (topo()) {
        assert_non_null(ops->topo_rlock);
        assert_non_null(ops->topo_wunlock);
    } else {
        assert_null(ops->topo_rlock);
        assert_null(ops->topo_runlock);
        assert_null(ops->topo_wlock);
        assert_null(ops->topo_wunlock);
    }
}

static void test_attach_detach(void **state)
{
    struct ngi_backend_inst *b;
    struct ngi_bthread *t;

    (void)state;
    reset_counters();
    assert_int_equal(ops->create(&b), 0);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(ops->thread_attach(b, &t), 0);
        ops->read_enter(t);
        ops->quiescent(t);
        ops->read_exit(t);
        ops->thread_detach(b, t);
    }
    /* Attached but idle: grace periods must not wait for us. */
    assert_int_equal(ops->thread_attach(b, &t), 0);
    ops->synchronize(b);
    ops->defer(b, &obj_new(1)->defer, obj_free_cb);
    ops->barrier(b);
    assert_int_equal(atomic_load(&n_freed), 1);
    assert_int_equal(ops->pending(b), 0);
    ops->thread_detach(b, t);
    ops->barrier(b);
    ops->destroy(b);
}

/* Two graph instances used by one thread, sections nested. */
struct nested_ctx {
    struct ngi_backend_inst *b;
    struct obj *o;
};

static void *nested_deferrer(void *arg)
{
    struct nested_ctx *c = arg;

    ops->defer(c->b, &c->o->defer, obj_free_cb);
    ops->poll(c->b);
    return NULL;
}

/* Another reader that keeps entering and leaving sections, so that grace
 * period machinery keeps re-checking readers (liburcu wakes a waiting
 * grace period when a thread goes offline). */
struct churn_ctx {
    struct ngi_backend_inst *b;
    atomic_int stop;
};

static void *churn_reader(void *arg)
{
    struct churn_ctx *c = arg;
    struct ngi_bthread *t;

    if (ops->thread_attach(c->b, &t) != 0)
        return NULL;
    while (!atomic_load(&c->stop)) {
        ops->read_enter(t);
        ops->read_exit(t);
        sleep_ms(1);
    }
    ops->thread_detach(c->b, t);
    return NULL;
}

static void test_nested_graphs(void **state)
{
    struct ngi_backend_inst *b1, *b2;
    struct ngi_bthread *t1, *t2;
    _Atomic(struct obj *) slot1, slot2;
    struct obj *o1, *o2;

    (void)state;
    reset_counters();
    assert_int_equal(ops->create(&b1), 0);
    assert_int_equal(ops->create(&b2), 0);
    assert_int_equal(ops->thread_attach(b1, &t1), 0);
    assert_int_equal(ops->thread_attach(b2, &t2), 0);
    atomic_init(&slot1, obj_new(1));
    atomic_init(&slot2, obj_new(2));

    /* Outer section on graph 1, inner on graph 2; leaving the inner one must
     * not end the outer one's protection. */
    o1 = reader_get(b1, t1, &slot1);
    if (topo())
        ops->topo_runlock(b1); /* engine holds the topo lock per hop only */

    if (!topo()) {
        /* Another thread unlinks o1 and defers it while we still hold it;
         * then an inner section on graph 2 begins and ends (it must neither
         * report a quiescent state nor leave the outer section). */
        struct nested_ctx c = {b1, NULL};
        struct churn_ctx ch = {b2, 0};
        pthread_t th, chth;

        assert_int_equal(pthread_create(&chth, NULL, churn_reader, &ch), 0);
        c.o = atomic_exchange(&slot1, NULL);
        assert_ptr_equal(c.o, o1);
        assert_int_equal(pthread_create(&th, NULL, nested_deferrer, &c), 0);
        assert_int_equal(pthread_join(th, NULL), 0);
        for (int i = 0; i < 20; i++) {
            o2 = reader_get(b2, t2, &slot2);
            assert_non_null(o2);
            assert_int_equal(o2->seq, 2);
            /* No graph-2 pointer held, but graph 1's o1 still is. */
            ops->quiescent(t2);
            reader_put(b2, t2);
            sleep_ms(5);
            ops->poll(b1);
            ops->poll(b2);
        }
        atomic_store(&ch.stop, 1);
        assert_int_equal(pthread_join(chth, NULL), 0);
        assert_int_equal(atomic_load(&n_freed), 0);
        assert_int_equal(atomic_load_explicit(&o1->magic, memory_order_relaxed), OBJ_MAGIC);
        ops->read_exit(t1);
    } else {
        o2 = reader_get(b2, t2, &slot2); /* different lock: may nest */
        assert_non_null(o2);
        assert_int_equal(o2->seq, 2);
        reader_put(b2, t2);
        ops->read_exit(t1);
        writer_replace(b1, &slot1, NULL);
    }
    ops->barrier(b1);
    assert_int_equal(atomic_load(&n_freed), 1);

    writer_replace(b2, &slot2, NULL);
    ops->barrier(b2);
    assert_int_equal(atomic_load(&n_freed), 2);

    ops->thread_detach(b2, t2);
    ops->thread_detach(b1, t1);
    ops->barrier(b2);
    ops->barrier(b1);
    ops->destroy(b2);
    ops->destroy(b1);
}

/* A reader holds a section open; the callback must wait for it. */
struct grace_ctx {
    struct ngi_backend_inst *b;
    _Atomic(struct obj *) slot;
    atomic_int inside;
    atomic_int release;
    atomic_int reader_ok;
};

static void *grace_reader(void *arg)
{
    struct grace_ctx *c = arg;
    struct ngi_bthread *t;
    struct obj *o;

    if (ops->thread_attach(c->b, &t) != 0)
        return NULL;
    o = reader_get(c->b, t, &c->slot);
    atomic_store(&c->inside, 1);
    while (!atomic_load(&c->release))
        sleep_ms(1);
    /* Still inside the section: the object must be intact. */
    if (o != NULL && atomic_load_explicit(&o->magic, memory_order_relaxed) == OBJ_MAGIC &&
        o->seq == 7)
        atomic_store(&c->reader_ok, 1);
    reader_put(c->b, t);
    ops->thread_detach(c->b, t);
    return NULL;
}

static void *grace_writer(void *arg)
{
    struct grace_ctx *c = arg;

    writer_replace(c->b, &c->slot, NULL); /* blocks on the topo lock */
    return NULL;
}

static void test_defer_waits_for_reader(void **state)
{
    struct grace_ctx c;
    pthread_t rd, wr;

    (void)state;
    reset_counters();
    memset(&c, 0, sizeof(c));
    assert_int_equal(ops->create(&c.b), 0);
    atomic_init(&c.slot, obj_new(7));
    assert_int_equal(pthread_create(&rd, NULL, grace_reader, &c), 0);
    while (!atomic_load(&c.inside))
        sleep_ms(1);

    if (!topo()) {
        writer_replace(c.b, &c.slot, NULL);
        assert_true(ops->pending(c.b) >= 1);
        for (int i = 0; i < 20; i++) {
            ops->poll(c.b);
            sleep_ms(5);
        }
        assert_int_equal(atomic_load(&n_freed), 0);
        assert_true(ops->pending(c.b) >= 1);
    } else {
        /* The writer cannot even unlink while the reader holds the lock. */
        assert_int_equal(pthread_create(&wr, NULL, grace_writer, &c), 0);
        sleep_ms(100);
        assert_int_equal(atomic_load(&n_freed), 0);
        assert_non_null(atomic_load(&c.slot));
    }
    atomic_store(&c.release, 1);
    assert_int_equal(pthread_join(rd, NULL), 0);
    if (topo())
        assert_int_equal(pthread_join(wr, NULL), 0);
    ops->barrier(c.b);
    assert_int_equal(atomic_load(&c.reader_ok), 1);
    assert_int_equal(atomic_load(&n_freed), 1);
    assert_int_equal(ops->pending(c.b), 0);
    ops->destroy(c.b);
}

/* quiescent() inside a long section lets grace periods complete. */
struct qs_ctx {
    struct ngi_backend_inst *b;
    atomic_int inside;
    atomic_int stop;
};

static void *qs_reader(void *arg)
{
    struct qs_ctx *c = arg;
    struct ngi_bthread *t;

    if (ops->thread_attach(c->b, &t) != 0)
        return NULL;
    ops->read_enter(t);
    atomic_store(&c->inside, 1);
    while (!atomic_load(&c->stop)) {
        ops->quiescent(t);
        sched_yield();
    }
    ops->read_exit(t);
    ops->thread_detach(c->b, t);
    return NULL;
}

static void test_quiescent(void **state)
{
    struct qs_ctx c;
    pthread_t th;

    (void)state;
    reset_counters();
    memset(&c, 0, sizeof(c));
    assert_int_equal(ops->create(&c.b), 0);
    assert_int_equal(pthread_create(&th, NULL, qs_reader, &c), 0);
    while (!atomic_load(&c.inside))
        sleep_ms(1);
    for (int i = 0; i < 10; i++) {
        ops->defer(c.b, &obj_new((unsigned long)i)->defer, obj_free_cb);
        ops->synchronize(c.b);
        ops->barrier(c.b); /* would hang if quiescent() did nothing */
    }
    assert_int_equal(atomic_load(&n_freed), 10);
    atomic_store(&c.stop, 1);
    assert_int_equal(pthread_join(th, NULL), 0);
    ops->barrier(c.b);
    ops->destroy(c.b);
}

/* defer() from a thread that never attached. */
struct unattached_ctx {
    struct ngi_backend_inst *b;
    int n;
};

static void *unattached_deferrer(void *arg)
{
    struct unattached_ctx *c = arg;

    for (int i = 0; i < c->n; i++) {
        ops->defer(c->b, &obj_new((unsigned long)i)->defer, obj_free_cb);
        if (i % 8 == 0)
            ops->poll(c->b);
    }
    return NULL;
}

static void test_defer_unattached(void **state)
{
    struct unattached_ctx c;
    pthread_t th[3];

    (void)state;
    reset_counters();
    assert_int_equal(ops->create(&c.b), 0);
    c.n = 100;
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&th[i], NULL, unattached_deferrer, &c), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    /* Also from this (unattached for this graph) thread. */
    ops->defer(c.b, &obj_new(0)->defer, obj_free_cb);
    ops->barrier(c.b);
    assert_int_equal(atomic_load(&n_freed), 301);
    assert_int_equal(ops->pending(c.b), 0);
    ops->destroy(c.b);
}

/* Callbacks that defer more objects are drained by barrier(). */
struct chain_obj {
    struct ngi_defer defer;
    struct ngi_backend_inst *b;
    int left;
};

static void chain_cb(struct ngi_defer *d)
{
    struct chain_obj *c = (struct chain_obj *)(void *)d;

    if (c->left > 0) {
        struct chain_obj *n = calloc(1, sizeof(*n));

        if (n == NULL)
            abort();
        n->b = c->b;
        n->left = c->left - 1;
        ops->defer(n->b, &n->defer, chain_cb);
    }
    free(c);
    atomic_fetch_add(&n_freed, 1);
}

static void test_chained_defer(void **state)
{
    struct ngi_backend_inst *b;
    struct chain_obj *c;

    (void)state;
    reset_counters();
    assert_int_equal(ops->create(&b), 0);
    c = calloc(1, sizeof(*c));
    assert_non_null(c);
    c->b = b;
    c->left = 5;
    ops->defer(b, &c->defer, chain_cb);
    ops->barrier(b);
    assert_int_equal(atomic_load(&n_freed), 6);
    assert_int_equal(ops->pending(b), 0);
    ops->destroy(b);
}

/* Stress: 2 readers, 1 writer swapping the pointer 100000 times. */
#define STRESS_SWAPS 100000

struct stress_ctx {
    struct ngi_backend_inst *b;
    _Atomic(struct obj *) slot;
    atomic_int stop;
    atomic_int attached;
    atomic_ulong reads;
};

static void *stress_reader(void *arg)
{
    struct stress_ctx *c = arg;
    struct ngi_bthread *t;
    unsigned long reads = 0;

    if (ops->thread_attach(c->b, &t) != 0)
        return NULL;
    atomic_fetch_add(&c->attached, 1);
    while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
        if (topo()) {
            struct obj *o = reader_get(c->b, t, &c->slot);

            obj_check(o);
            reader_put(c->b, t);
            reads++;
            continue;
        }
        /* Longer sections, with a quiescent point in the middle. */
        ops->read_enter(t);
        for (int i = 0; i < 16; i++) {
            struct obj *o = atomic_load_explicit(&c->slot, memory_order_acquire);

            obj_check(o);
            if (o != NULL && o->seq > STRESS_SWAPS)
                atomic_fetch_add(&n_bad, 1);
            reads++;
            if (i == 7)
                ops->quiescent(t); /* holds no pointer here */
        }
        ops->read_exit(t);
    }
    atomic_fetch_add(&c->reads, reads);
    ops->thread_detach(c->b, t);
    return NULL;
}

static void test_stress(void **state)
{
    struct stress_ctx c;
    struct ngi_bthread *wt;
    pthread_t rd[2];

    (void)state;
    reset_counters();
    memset(&c, 0, sizeof(c));
    assert_int_equal(ops->create(&c.b), 0);
    atomic_init(&c.slot, obj_new(0));
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&rd[i], NULL, stress_reader, &c), 0);
    while (atomic_load(&c.attached) < 2)
        sched_yield();
    assert_int_equal(ops->thread_attach(c.b, &wt), 0);
    for (unsigned long i = 1; i <= STRESS_SWAPS; i++) {
        writer_replace(c.b, &c.slot, obj_new(i));
        if (i % 64 == 0)
            ops->poll(c.b);
        if (i % 20000 == 0)
            ops->synchronize(c.b);
    }
    atomic_store(&c.stop, 1);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(rd[i], NULL), 0);
    writer_replace(c.b, &c.slot, NULL);
    ops->barrier(c.b);
    assert_int_equal(atomic_load(&n_bad), 0);
    assert_int_equal(atomic_load(&n_freed), STRESS_SWAPS + 1);
    assert_int_equal(ops->pending(c.b), 0);
    assert_true(atomic_load(&c.reads) > 0);
    ops->thread_detach(c.b, wt);
    ops->destroy(c.b);
}

/* A thread exits without detaching; the graph keeps working and releases
 * the state at destruction. */
struct exit_ctx {
    struct ngi_backend_inst *b;
    struct ngi_bthread *t;
    int rc;
};

static void *exiting_thread(void *arg)
{
    struct exit_ctx *c = arg;

    c->rc = ops->thread_attach(c->b, &c->t);
    if (c->rc != 0)
        return NULL;
    ops->read_enter(c->t);
    ops->read_exit(c->t);
    ops->defer(c->b, &obj_new(1)->defer, obj_free_cb);
    return NULL; /* no thread_detach */
}

static void test_thread_exit_without_detach(void **state)
{
    struct exit_ctx c[4];
    pthread_t th[4];
    struct ngi_bthread *t;

    (void)state;
    reset_counters();
    memset(c, 0, sizeof(c));
    assert_int_equal(ops->create(&c[0].b), 0);
    for (int i = 0; i < 4; i++) {
        c[i].b = c[0].b;
        assert_int_equal(pthread_create(&th[i], NULL, exiting_thread, &c[i]), 0);
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(c[i].rc, 0);
    }
    /* Grace periods still complete with the dead threads' states around. */
    ops->synchronize(c[0].b);
    ops->barrier(c[0].b);
    assert_int_equal(atomic_load(&n_freed), 4);
    /* A new thread attachment (may recycle a record) still works. */
    assert_int_equal(ops->thread_attach(c[0].b, &t), 0);
    ops->read_enter(t);
    ops->read_exit(t);
    ops->thread_detach(c[0].b, t);
    for (int i = 0; i < 4; i++)
        ops->thread_release(c[0].b, c[i].t);
    ops->barrier(c[0].b);
    ops->destroy(c[0].b);
}

static void test_lookup(void **state)
{
    (void)state;
    assert_ptr_equal(ngi_backend_lookup(0), &ngi_backend_ck_epoch_ops);
    assert_ptr_equal(ngi_backend_lookup(1), &ngi_backend_qsbr_ops);
    assert_ptr_equal(ngi_backend_lookup(2), &ngi_backend_rwlock_ops);
    assert_null(ngi_backend_lookup(3));
    assert_null(ngi_backend_lookup(-1));
    assert_string_equal(ngi_backend_lookup(0)->name, "ck_epoch");
    assert_string_equal(ngi_backend_lookup(1)->name, "qsbr");
    assert_string_equal(ngi_backend_lookup(2)->name, "rwlock");
}

int main(void)
{
    const char *name = getenv("NG_BACKEND");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_create_destroy),
        cmocka_unit_test(test_attach_detach),
        cmocka_unit_test(test_nested_graphs),
        cmocka_unit_test(test_defer_waits_for_reader),
        cmocka_unit_test(test_quiescent),
        cmocka_unit_test(test_defer_unattached),
        cmocka_unit_test(test_chained_defer),
        cmocka_unit_test(test_stress),
        cmocka_unit_test(test_thread_exit_without_detach),
    };

    if (name == NULL || *name == '\0')
        name = "ck_epoch";
    for (int k = 0; k < 3; k++) {
        const struct ngi_backend_ops *o = ngi_backend_lookup(k);

        if (o != NULL && strcmp(o->name, name) == 0)
            ops = o;
    }
    if (ops == NULL) {
        fprintf(stderr, "unknown NG_BACKEND '%s'\n", name);
        return 2;
    }
    printf("backend: %s\n", ops->name);
    return cmocka_run_group_tests_name(ops->name, tests, NULL, NULL);
}
