/*
 * test_rhash_concurrency.c - <ngraph/rhash.h> under concurrency: reader
 * threads look keys up inside ng_batch_begin/end sections while two writer
 * threads insert, replace and remove churn keys and a third grows the table
 * far past its initial size and clears it again, over and over.  Values
 * removed or replaced are poisoned and handed to ng_defer, so a reader that
 * could still dereference a freed value is caught by ASan (use after free)
 * or by the poison check.  Consistency: a reader never sees a value stored
 * for another key, and a stable key (inserted before the readers start,
 * never removed) is always found.  Both storage modes (6-byte direct keys,
 * 12-byte byte strings).  Bounded: each phase runs for a fixed time (at most
 * about 1.5 s) and a fixed maximum of operations.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ngtest.h"

#include <ngraph/rhash.h>

#define LIVE 0x4c495645u
#define DEAD 0xdeaddeadu

enum { NSTABLE = 512, NCHURN = 2048, NGROW = 20000, NREADERS = 2 };

struct val {
    struct ng_defer_entry de;
    _Atomic uint64_t key;
    _Atomic uint32_t magic;
};

struct ctx {
    struct ng_graph *g;
    struct ng_rhash *t;
    size_t keylen;
    double until;
    atomic_int stop;
    atomic_ullong lookups, hits, bad, lost, ops;
    atomic_llong live; /* values allocated and not yet freed */
};

static void key_of(const struct ctx *c, uint64_t n, uint8_t *out)
{
    memset(out, 0, 16);
    for (size_t i = 0; i < c->keylen && i < 8; i++)
        out[i] = (uint8_t)(n >> (8 * i));
    if (c->keylen > 8)
        out[c->keylen - 1] = 0x5a; /* a byte-string key's tail */
}

static struct ctx *g_ctx; /* for the free callback's live count */

static void val_free_cb(struct ng_defer_entry *e)
{
    struct val *v = (struct val *)(void *)e;
    atomic_fetch_sub(&g_ctx->live, 1);
    free(v);
}

static struct val *val_new(struct ctx *c, uint64_t key)
{
    struct val *v = malloc(sizeof(*v));
    assert_non_null(v);
    atomic_init(&v->key, key);
    atomic_init(&v->magic, LIVE);
    atomic_fetch_add(&c->live, 1);
    return v;
}

static void val_retire(struct ctx *c, struct val *v)
{
    atomic_store_explicit(&v->magic, DEAD, memory_order_relaxed);
    assert_int_equal(ng_defer(c->g, &v->de, val_free_cb), 0);
}

static void release_cb(const void *key, void *value, void *arg)
{
    (void)key;
    val_retire(arg, value);
}

static int done(struct ctx *c) { return atomic_load(&c->stop) || ngtest_now_s() > c->until; }

/* Readers: stable keys must be found, any hit must be for its key. */
static void *reader(void *arg)
{
    struct ctx *c = arg;
    uint64_t s = (uint64_t)(uintptr_t)&s;
    uint8_t key[16];
    for (unsigned round = 0; round < 1000000 && !done(c); round++) {
        if (ng_batch_begin(c->g) != 0) {
            atomic_fetch_add(&c->bad, 1);
            break;
        }
        for (int i = 0; i < 256; i++) {
            uint64_t r = ngtest_splitmix(&s);
            uint64_t k;
            int stable = (r & 3) == 0;
            if (stable)
                k = (r >> 8) % NSTABLE;
            else if ((r & 3) == 1)
                k = NSTABLE + (r >> 8) % NCHURN;
            else
                k = NSTABLE + NCHURN + (r >> 8) % NGROW;
            key_of(c, k, key);
            struct val *v = ng_rhash_lookup(c->t, key);
            atomic_fetch_add_explicit(&c->lookups, 1, memory_order_relaxed);
            if (!v) {
                if (stable)
                    atomic_fetch_add(&c->lost, 1);
                continue;
            }
            atomic_fetch_add_explicit(&c->hits, 1, memory_order_relaxed);
            /* A value found inside the section is not freed before the
             * section ends, even if it was removed meanwhile (poisoned as
             * DEAD then, but its key is still right). */
            uint32_t m = atomic_load_explicit(&v->magic, memory_order_relaxed);
            if (atomic_load_explicit(&v->key, memory_order_relaxed) != k ||
                (m != LIVE && m != DEAD))
                atomic_fetch_add(&c->bad, 1);
        }
        if (ng_batch_end(c->g) != 0)
            atomic_fetch_add(&c->bad, 1);
    }
    return NULL;
}

/* Churn writers: insert / replace / remove keys of the churn range. */
static void *churner(void *arg)
{
    struct ctx *c = arg;
    uint64_t s = (uint64_t)(uintptr_t)&s ^ 0x9e3779b97f4a7c15ull;
    uint8_t key[16];
    for (unsigned n = 0; n < 2000000 && !done(c); n++) {
        uint64_t r = ngtest_splitmix(&s);
        uint64_t k = NSTABLE + (r >> 8) % NCHURN;
        key_of(c, k, key);
        void *old = NULL;
        int e;
        switch (r & 3) {
        case 0:
        case 1: {
            struct val *v = val_new(c, k);
            e = ng_rhash_insert(c->t, key, v);
            if (e != 0) {
                if (e != -EEXIST)
                    atomic_fetch_add(&c->bad, 1);
                atomic_fetch_sub(&c->live, 1);
                free(v); /* never published */
            }
            break;
        }
        case 2: {
            struct val *v = val_new(c, k);
            e = ng_rhash_replace(c->t, key, v, &old);
            if (e == 0) {
                val_retire(c, old);
            } else {
                if (e != -ENOENT)
                    atomic_fetch_add(&c->bad, 1);
                atomic_fetch_sub(&c->live, 1);
                free(v);
            }
            break;
        }
        default:
            e = ng_rhash_remove(c->t, key, &old);
            if (e == 0)
                val_retire(c, old);
            else if (e != -ENOENT)
                atomic_fetch_add(&c->bad, 1);
        }
        atomic_fetch_add_explicit(&c->ops, 1, memory_order_relaxed);
    }
    return NULL;
}

/* Grower: fill the grow range (the table doubles several times), age half
 * of it out with an iterator, then clear the grow range by removal. */
static void *grower(void *arg)
{
    struct ctx *c = arg;
    uint8_t key[16];
    for (unsigned round = 0; round < 1000 && !done(c); round++) {
        for (uint64_t i = 0; i < NGROW && !done(c); i++) {
            uint64_t k = NSTABLE + NCHURN + i;
            key_of(c, k, key);
            struct val *v = val_new(c, k);
            if (ng_rhash_insert(c->t, key, v) != 0) {
                atomic_fetch_add(&c->bad, 1);
                atomic_fetch_sub(&c->live, 1);
                free(v);
            }
        }
        struct ng_rhash_iter it;
        void *vp;
        if (ng_rhash_iter_begin(c->t, &it) != 0) {
            atomic_fetch_add(&c->bad, 1);
            break;
        }
        while (ng_rhash_iter_next(&it, NULL, &vp) == 1) {
            struct val *v = vp;
            uint64_t k = atomic_load_explicit(&v->key, memory_order_relaxed);
            if (k >= NSTABLE + NCHURN && (k & 1)) {
                if (ng_rhash_iter_remove(&it) != 0)
                    atomic_fetch_add(&c->bad, 1);
                else
                    val_retire(c, v);
            }
        }
        ng_rhash_iter_end(&it);
        for (uint64_t i = 0; i < NGROW; i += 2) {
            key_of(c, NSTABLE + NCHURN + i, key);
            void *old = NULL;
            int e = ng_rhash_remove(c->t, key, &old);
            if (e == 0)
                val_retire(c, old);
            else if (e != -ENOENT)
                atomic_fetch_add(&c->bad, 1);
        }
    }
    return NULL;
}

static void run(struct ng_graph *g, size_t keylen, double seconds)
{
    struct ctx c;
    memset(&c, 0, sizeof(c));
    g_ctx = &c;
    c.g = g;
    c.keylen = keylen;
    assert_int_equal(ng_rhash_create(g, keylen, 64, 0, &c.t), 0);
    uint8_t key[16];
    for (uint64_t k = 0; k < NSTABLE; k++) {
        key_of(&c, k, key);
        assert_int_equal(ng_rhash_insert(c.t, key, val_new(&c, k)), 0);
    }
    c.until = ngtest_now_s() + seconds;
    pthread_t rd[NREADERS], wr[3];
    for (int i = 0; i < NREADERS; i++)
        assert_int_equal(pthread_create(&rd[i], NULL, reader, &c), 0);
    assert_int_equal(pthread_create(&wr[0], NULL, churner, &c), 0);
    assert_int_equal(pthread_create(&wr[1], NULL, churner, &c), 0);
    assert_int_equal(pthread_create(&wr[2], NULL, grower, &c), 0);
    for (int i = 0; i < 3; i++)
        pthread_join(wr[i], NULL);
    atomic_store(&c.stop, 1);
    for (int i = 0; i < NREADERS; i++)
        pthread_join(rd[i], NULL);
    printf("keylen %zu: %llu lookups, %llu hits, %llu writes, %zu entries left\n", keylen,
           (unsigned long long)atomic_load(&c.lookups), (unsigned long long)atomic_load(&c.hits),
           (unsigned long long)atomic_load(&c.ops), ng_rhash_count(c.t));
    assert_int_equal(atomic_load(&c.bad), 0);
    assert_int_equal(atomic_load(&c.lost), 0);
    assert_true(atomic_load(&c.lookups) > 0);
    assert_true(atomic_load(&c.ops) > 0);
    /* every stable key still there with its own value */
    assert_int_equal(ng_batch_begin(g), 0);
    for (uint64_t k = 0; k < NSTABLE; k++) {
        key_of(&c, k, key);
        struct val *v = ng_rhash_lookup(c.t, key);
        assert_non_null(v);
        assert_int_equal(atomic_load(&v->key), k);
        assert_int_equal(atomic_load(&v->magic), LIVE);
    }
    assert_int_equal(ng_batch_end(g), 0);
    int n = ng_rhash_clear(c.t, release_cb, &c);
    assert_true(n >= NSTABLE);
    ng_rhash_destroy(c.t);
    assert_int_equal(ng_graph_barrier(g), 0);
    assert_int_equal(atomic_load(&c.live), 0); /* every value freed, once */
    g_ctx = NULL;
}

static void test_direct(void **state) { run(*state, 6, 1.5); }
static void test_bytestring(void **state) { run(*state, 12, 1.0); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_direct),
        ngtest_unit_test(test_bytestring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
