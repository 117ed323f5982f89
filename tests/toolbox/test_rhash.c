/*
 * test_rhash.c - the RCU hash table of <ngraph/rhash.h> (src/toolbox/rhash.c)
 * on one thread: insert, lookup, replace, remove, iterate, count, clear;
 * -EEXIST, -ENOSPC, -ENOENT and -EINVAL; direct (<= 7-byte) and
 * byte-string keys, including the all-zero and all-ones keys; growth from
 * a small table past 100k keys; values freed through ng_defer after
 * removal.  Lookups run inside ng_batch_begin/end, as the header requires.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ngtest.h"

#include <ngraph/rhash.h>

struct val {
    struct ng_defer_entry de;
    uint64_t key;
    int tag;
};

static atomic_int freed;

static void val_free_cb(struct ng_defer_entry *e)
{
    atomic_fetch_add(&freed, 1);
    free((struct val *)(void *)e);
}

static struct val *val_new(uint64_t key, int tag)
{
    struct val *v = calloc(1, sizeof(*v));
    assert_non_null(v);
    v->key = key;
    v->tag = tag;
    return v;
}

static void val_retire(struct ng_graph *g, void *p)
{
    assert_int_equal(ng_defer(g, &((struct val *)p)->de, val_free_cb), 0);
}

static void release_cb(const void *key, void *value, void *arg)
{
    (void)key;
    val_retire(arg, value);
}

/* A 6-byte key (a MAC address) from an integer. */
static void mac_of(uint64_t n, uint8_t out[6])
{
    for (int i = 0; i < 6; i++)
        out[i] = (uint8_t)(n >> (8 * (5 - i)));
}

static void *lookup(struct ng_graph *g, struct ng_rhash *t, const void *key)
{
    assert_int_equal(ng_batch_begin(g), 0);
    void *v = ng_rhash_lookup(t, key);
    assert_int_equal(ng_batch_end(g), 0);
    return v;
}

static void test_basic(void **state)
{
    struct ng_graph *g = *state;
    struct ng_rhash *t;
    assert_int_equal(ng_rhash_create(g, 6, 0, 0, &t), 0);
    uint8_t k1[6], k2[6];
    mac_of(0x0011223344ull, k1);
    mac_of(0x0011223345ull, k2);
    struct val *a = val_new(1, 1), *b = val_new(2, 2), *c = val_new(1, 3);

    assert_null(lookup(g, t, k1));
    assert_int_equal(ng_rhash_count(t), 0);
    assert_int_equal(ng_rhash_insert(t, k1, a), 0);
    assert_int_equal(ng_rhash_insert(t, k2, b), 0);
    assert_int_equal(ng_rhash_count(t), 2);
    assert_ptr_equal(lookup(g, t, k1), a);
    assert_ptr_equal(lookup(g, t, k2), b);
    /* insert of an existing key: -EEXIST, table unchanged */
    assert_int_equal(ng_rhash_insert(t, k1, c), -EEXIST);
    assert_ptr_equal(lookup(g, t, k1), a);
    assert_int_equal(ng_rhash_count(t), 2);
    /* replace hands the old value back */
    void *old = NULL;
    assert_int_equal(ng_rhash_replace(t, k1, c, &old), 0);
    assert_ptr_equal(old, a);
    assert_ptr_equal(lookup(g, t, k1), c);
    assert_int_equal(ng_rhash_count(t), 2);
    val_retire(g, a);
    /* remove */
    old = NULL;
    assert_int_equal(ng_rhash_remove(t, k2, &old), 0);
    assert_ptr_equal(old, b);
    assert_null(lookup(g, t, k2));
    assert_int_equal(ng_rhash_count(t), 1);
    val_retire(g, b);
    assert_int_equal(ng_rhash_remove(t, k2, &old), -ENOENT);
    assert_int_equal(ng_rhash_replace(t, k2, b, &old), -ENOENT);
    assert_null(lookup(g, t, k2)); /* replace of an absent key inserts nothing */
    /* reinsert after remove */
    struct val *d = val_new(2, 4);
    assert_int_equal(ng_rhash_insert(t, k2, d), 0);
    assert_ptr_equal(lookup(g, t, k2), d);
    /* values freed only after a grace period, and only those retired */
    assert_int_equal(ng_graph_barrier(g), 0);
    assert_int_equal(atomic_load(&freed), 2);
    assert_int_equal(ng_rhash_clear(t, release_cb, g), 2);
    assert_int_equal(ng_rhash_count(t), 0);
    assert_int_equal(ng_graph_barrier(g), 0);
    assert_int_equal(atomic_load(&freed), 4);
    ng_rhash_destroy(t);
    atomic_store(&freed, 0);
}

static void test_einval(void **state)
{
    struct ng_graph *g = *state;
    struct ng_rhash *t = (struct ng_rhash *)&t;
    assert_int_equal(ng_rhash_create(NULL, 6, 0, 0, &t), -EINVAL);
    assert_null(t);
    assert_int_equal(ng_rhash_create(g, 0, 0, 0, &t), -EINVAL);
    assert_int_equal(ng_rhash_create(g, NG_RHASH_KEYMAX + 1, 0, 0, &t), -EINVAL);
    assert_int_equal(ng_rhash_create(g, 6, 100, 10, &t), -EINVAL); /* hint above max */
    assert_int_equal(ng_rhash_create(g, 6, (size_t)1 << 40, 0, &t), -EINVAL);
    assert_int_equal(ng_rhash_create(g, 6, 0, 0, NULL), -EINVAL);
    assert_int_equal(ng_rhash_create(g, 6, 0, 0, &t), 0);
    uint8_t k[6] = {1, 2, 3, 4, 5, 6};
    int dummy;
    assert_int_equal(ng_rhash_insert(NULL, k, &dummy), -EINVAL);
    assert_int_equal(ng_rhash_insert(t, NULL, &dummy), -EINVAL);
    assert_int_equal(ng_rhash_insert(t, k, NULL), -EINVAL);
    assert_int_equal(ng_rhash_replace(t, k, NULL, NULL), -EINVAL);
    assert_int_equal(ng_rhash_replace(NULL, k, &dummy, NULL), -EINVAL);
    assert_int_equal(ng_rhash_remove(t, NULL, NULL), -EINVAL);
    assert_int_equal(ng_rhash_remove(NULL, k, NULL), -EINVAL);
    assert_int_equal(ng_rhash_clear(NULL, NULL, NULL), -EINVAL);
    assert_null(ng_rhash_lookup(NULL, k));
    assert_null(ng_rhash_lookup(t, NULL));
    assert_int_equal(ng_rhash_count(NULL), 0);
    struct ng_rhash_iter it;
    assert_int_equal(ng_rhash_iter_begin(NULL, &it), -EINVAL);
    assert_int_equal(ng_rhash_iter_begin(t, NULL), -EINVAL);
    assert_int_equal(ng_rhash_iter_next(NULL, NULL, NULL), -EINVAL);
    assert_int_equal(ng_rhash_iter_remove(NULL), -EINVAL);
    ng_rhash_iter_end(NULL);
    assert_int_equal(ng_rhash_iter_begin(t, &it), 0);
    assert_int_equal(ng_rhash_iter_remove(&it), -EINVAL); /* no current entry */
    assert_int_equal(ng_rhash_iter_next(&it, NULL, NULL), 0);
    ng_rhash_iter_end(&it);
    assert_int_equal(ng_rhash_iter_next(&it, NULL, NULL), -EINVAL); /* ended */
    ng_rhash_iter_end(&it);                                         /* twice: ignored */
    ng_rhash_destroy(t);
    ng_rhash_destroy(NULL);
}

static void test_enospc(void **state)
{
    struct ng_graph *g = *state;
    struct ng_rhash *t;
    assert_int_equal(ng_rhash_create(g, 4, 2, 3, &t), 0);
    int v[5];
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(ng_rhash_insert(t, &i, &v[i]), 0);
    uint32_t k = 3;
    assert_int_equal(ng_rhash_insert(t, &k, &v[3]), -ENOSPC);
    k = 1;
    assert_int_equal(ng_rhash_insert(t, &k, &v[3]), -EEXIST); /* EEXIST before ENOSPC */
    assert_int_equal(ng_rhash_count(t), 3);
    assert_int_equal(ng_rhash_remove(t, &k, NULL), 0);
    k = 3;
    assert_int_equal(ng_rhash_insert(t, &k, &v[3]), 0); /* room again */
    assert_ptr_equal(lookup(g, t, &k), &v[3]);
    ng_rhash_destroy(t);
}

/* The all-zero and all-ones keys are ordinary keys (ck_ht's EMPTY and
 * TOMBSTONE words are never a packed key), and keys differing in one byte
 * are distinct, in both storage modes. */
static void edge_keys(struct ng_graph *g, size_t keylen)
{
    struct ng_rhash *t;
    assert_int_equal(ng_rhash_create(g, keylen, 4, 0, &t), 0);
    uint8_t zero[32] = {0}, ones[32], near[32] = {0};
    memset(ones, 0xff, sizeof(ones));
    near[keylen - 1] = 1;
    int a, b, c;
    assert_int_equal(ng_rhash_insert(t, zero, &a), 0);
    assert_int_equal(ng_rhash_insert(t, ones, &b), 0);
    assert_int_equal(ng_rhash_insert(t, near, &c), 0);
    assert_ptr_equal(lookup(g, t, zero), &a);
    assert_ptr_equal(lookup(g, t, ones), &b);
    assert_ptr_equal(lookup(g, t, near), &c);
    /* iteration hands back the keys' bytes */
    struct ng_rhash_iter it;
    int seen = 0;
    const void *key;
    void *val;
    assert_int_equal(ng_rhash_iter_begin(t, &it), 0);
    while (ng_rhash_iter_next(&it, &key, &val) == 1) {
        const uint8_t *want = val == &a ? zero : val == &b ? ones : near;
        assert_memory_equal(key, want, keylen);
        seen++;
    }
    ng_rhash_iter_end(&it);
    assert_int_equal(seen, 3);
    assert_int_equal(ng_rhash_remove(t, zero, NULL), 0);
    assert_null(lookup(g, t, zero));
    assert_ptr_equal(lookup(g, t, ones), &b);
    assert_int_equal(ng_rhash_clear(t, NULL, NULL), 2);
    assert_null(lookup(g, t, ones));
    assert_null(lookup(g, t, near));
    ng_rhash_destroy(t);
}

static void test_edge_keys(void **state)
{
    edge_keys(*state, 1);
    edge_keys(*state, 6);
    edge_keys(*state, 7);
    edge_keys(*state, 8);
    edge_keys(*state, 16);
}

/* Growth from 16 slots past 100k keys; every key found, iteration complete,
 * removal during iteration, and clear back to the initial size. */
static void grow(struct ng_graph *g, size_t keylen)
{
    enum { N = 100000 };
    struct ng_rhash *t;
    assert_int_equal(ng_rhash_create(g, keylen, 0, 0, &t), 0);
    uint64_t *vals = calloc(N, sizeof(*vals));
    assert_non_null(vals);
    uint8_t key[16] = {0};
    for (uint64_t i = 0; i < N; i++) {
        vals[i] = i;
        memcpy(key, &i, sizeof(i));
        assert_int_equal(ng_rhash_insert(t, key, &vals[i]), 0);
    }
    assert_int_equal(ng_rhash_count(t), N);
    assert_int_equal(ng_batch_begin(g), 0);
    for (uint64_t i = 0; i < N; i++) {
        memcpy(key, &i, sizeof(i));
        uint64_t *v = ng_rhash_lookup(t, key);
        assert_non_null(v);
        assert_int_equal(*v, i);
    }
    uint64_t absent = N + 7;
    memcpy(key, &absent, sizeof(absent));
    assert_null(ng_rhash_lookup(t, key));
    assert_int_equal(ng_batch_end(g), 0);
    /* iterate: each entry once; remove the odd ones on the way */
    struct ng_rhash_iter it;
    uint8_t *seen = calloc(N, 1);
    assert_non_null(seen);
    size_t n = 0;
    const void *kp;
    void *vp;
    assert_int_equal(ng_rhash_iter_begin(t, &it), 0);
    while (ng_rhash_iter_next(&it, &kp, &vp) == 1) {
        uint64_t i = *(uint64_t *)vp;
        assert_true(i < N);
        assert_int_equal(seen[i], 0);
        seen[i] = 1;
        uint64_t ki = 0;
        memcpy(&ki, kp, keylen < 8 ? keylen : 8);
        assert_int_equal(ki, i);
        if (i & 1) {
            assert_int_equal(ng_rhash_iter_remove(&it), 0);
            assert_int_equal(ng_rhash_iter_remove(&it), -EINVAL); /* already removed */
        }
        n++;
    }
    assert_int_equal(ng_rhash_count(t), N / 2);
    ng_rhash_iter_end(&it);
    assert_int_equal(n, N);
    assert_int_equal(ng_batch_begin(g), 0);
    for (uint64_t i = 0; i < N; i++) {
        memcpy(key, &i, sizeof(i));
        uint64_t *v = ng_rhash_lookup(t, key);
        if (i & 1)
            assert_null(v);
        else
            assert_ptr_equal(v, &vals[i]);
    }
    assert_int_equal(ng_batch_end(g), 0);
    assert_int_equal(ng_rhash_clear(t, NULL, NULL), N / 2);
    assert_int_equal(ng_rhash_count(t), 0);
    /* usable after the clear */
    memcpy(key, &absent, sizeof(absent));
    assert_int_equal(ng_rhash_insert(t, key, &vals[0]), 0);
    assert_ptr_equal(lookup(g, t, key), &vals[0]);
    ng_rhash_destroy(t);
    assert_int_equal(ng_graph_barrier(g), 0); /* the retired maps */
    free(seen);
    free(vals);
}

static void test_grow_direct(void **state) { grow(*state, 6); }
static void test_grow_bytestring(void **state) { grow(*state, 12); }

/* A table whose entries were retired but not yet freed when the graph is
 * destroyed: ng_graph_destroy runs the deferred frees (no leak, ASan). */
static void test_retire_then_destroy(void **state)
{
    struct ng_graph *g = *state;
    struct ng_rhash *t;
    assert_int_equal(ng_rhash_create(g, 16, 0, 0, &t), 0);
    uint8_t key[16] = {0};
    for (int i = 0; i < 1000; i++) {
        key[0] = (uint8_t)i;
        key[1] = (uint8_t)(i >> 8);
        assert_int_equal(ng_rhash_insert(t, key, val_new((uint64_t)i, 0)), 0);
    }
    for (int i = 0; i < 1000; i += 2) {
        key[0] = (uint8_t)i;
        key[1] = (uint8_t)(i >> 8);
        void *old = NULL;
        assert_int_equal(ng_rhash_remove(t, key, &old), 0);
        assert_int_equal(((struct val *)old)->key, (uint64_t)i);
        val_retire(g, old);
    }
    assert_int_equal(ng_rhash_clear(t, release_cb, g), 500);
    ng_rhash_destroy(t);
    /* the teardown destroys the graph with the frees still pending */
    atomic_store(&freed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_basic),
        ngtest_unit_test(test_einval),
        ngtest_unit_test(test_enospc),
        ngtest_unit_test(test_edge_keys),
        ngtest_unit_test(test_grow_direct),
        ngtest_unit_test(test_grow_bytestring),
        ngtest_unit_test(test_retire_then_destroy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
