/*
 * test_namespace_concurrency.c - the node namespace under concurrent lookups.
 *
 * One writer creates, names, renames and shuts down nodes in rounds large
 * enough to make the id and name tables grow several times over (and shrink
 * back to tombstones), while reader threads look nodes up by name and by id
 * through ng_node_find().  Every answer must be consistent with what the
 * writer published: a node found by id has that id; a node found by name
 * carries that name or the one it was renamed to (a lookup racing the
 * rename), never another node's.  Lookups never wait for the writer; the
 * test ends by count and by time.  Runs under every backend, ASan and TSan.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "ngtest.h"

#define NSLOTS 6000 /* nodes alive at a time, per round */
#define ROUNDS 6    /* each round: create, name, look up, rename, shut down */
#define READERS 2
#define MAX_SECONDS 60.0

struct slot {
    _Atomic ng_id_t id; /* 0: empty */
    _Atomic unsigned round;
};

static struct ng_graph *g;
static struct slot slots[NSLOTS];
static _Atomic int stop;
static _Atomic unsigned cur_round;
static _Atomic uint64_t found_by_id, found_by_name, misses;

static void name_of(char *buf, size_t len, const char *prefix, unsigned round, unsigned i)
{
    snprintf(buf, len, "%s%u_%u", prefix, round, i);
}

static void *reader(void *arg)
{
    uint64_t rng = (uint64_t)(uintptr_t)arg;
    assert_int_equal(ng_thread_register(g), 0);
    while (!atomic_load(&stop)) {
        unsigned i = (unsigned)(ngtest_splitmix(&rng) % NSLOTS);
        ng_id_t id = atomic_load(&slots[i].id);
        unsigned round = atomic_load(&cur_round);
        char addr[NG_NODESIZ + 4];
        struct ng_node *n = NULL;
        if (id != 0) {
            snprintf(addr, sizeof(addr), "[%x]:", id);
            int rc = ng_node_find(g, addr, &n);
            if (rc == 0) {
                assert_int_equal(ng_node_id(n), id);
                ng_node_unref(n);
                atomic_fetch_add(&found_by_id, 1);
            } else {
                assert_int_equal(rc, -ENOENT); /* shut down meanwhile */
                atomic_fetch_add(&misses, 1);
            }
        }
        char want[NG_NODESIZ], renamed[NG_NODESIZ];
        name_of(want, sizeof(want), "n", round, i);
        name_of(renamed, sizeof(renamed), "r", round, i);
        int rc = ng_node_find(g, want, &n);
        if (rc == 0) {
            /* The writer may be renaming n right now: it stores the name
             * bytes atomically, so read them that way too. */
            char got[NG_NODESIZ];
            const _Atomic char *p = (const _Atomic char *)(const void *)ng_node_get_name(n);
            for (size_t k = 0; k < sizeof(got); k++)
                got[k] = atomic_load_explicit(&p[k], memory_order_relaxed);
            got[sizeof(got) - 1] = '\0';
            /* The name it was found by, or the rename that raced us. */
            if (strcmp(got, want) != 0 && strcmp(got, renamed) != 0)
                fail_msg("looked up %s, found node [%x] named %s", want, ng_node_id(n), got);
            ng_node_unref(n);
            atomic_fetch_add(&found_by_name, 1);
        } else {
            assert_int_equal(rc, -ENOENT);
            atomic_fetch_add(&misses, 1);
        }
    }
    ng_thread_unregister(g);
    return NULL;
}

static void test_lookups_race_resizes(void **state)
{
    (void)state;
    g = ngtest_graph();
    memset(slots, 0, sizeof(slots));
    atomic_store(&stop, 0);
    pthread_t rd[READERS];
    for (uintptr_t r = 0; r < READERS; r++)
        assert_int_equal(pthread_create(&rd[r], NULL, reader, (void *)(r * 7919 + 1)), 0);

    double t0 = ngtest_now_s();
    static struct ng_node *nodes[NSLOTS];
    for (unsigned round = 1; round <= ROUNDS && ngtest_now_s() - t0 < MAX_SECONDS; round++) {
        atomic_store(&cur_round, round);
        char name[NG_NODESIZ];
        /* Create and name: the tables grow from their initial 64 slots. */
        for (unsigned i = 0; i < NSLOTS; i++) {
            assert_int_equal(ng_node_create(g, "hole", &nodes[i]), 0);
            name_of(name, sizeof(name), "n", round, i);
            assert_int_equal(ng_node_name(nodes[i], name), 0);
            atomic_store(&slots[i].id, ng_node_id(nodes[i]));
        }
        /* Every node is found by name and by id from this thread too. */
        for (unsigned i = 0; i < NSLOTS; i += 97) {
            struct ng_node *n;
            name_of(name, sizeof(name), "n", round, i);
            assert_int_equal(ng_node_find(g, name, &n), 0);
            assert_ptr_equal(n, nodes[i]);
            ng_node_unref(n);
        }
        /* Rename every other node while readers look the old names up. */
        for (unsigned i = 0; i < NSLOTS; i += 2) {
            name_of(name, sizeof(name), "r", round, i);
            assert_int_equal(ng_node_name(nodes[i], name), 0);
        }
        for (unsigned i = 0; i < NSLOTS; i += 2) {
            struct ng_node *n;
            name_of(name, sizeof(name), "n", round, i);
            assert_int_equal(ng_node_find(g, name, &n), -ENOENT);
            name_of(name, sizeof(name), "r", round, i);
            assert_int_equal(ng_node_find(g, name, &n), 0);
            assert_ptr_equal(n, nodes[i]);
            ng_node_unref(n);
        }
        /* Shut everything down: the names and ids are free again. */
        for (unsigned i = 0; i < NSLOTS; i++) {
            atomic_store(&slots[i].id, 0);
            assert_int_equal(ng_node_shutdown(nodes[i]), 0);
            ng_node_unref(nodes[i]);
        }
        for (unsigned i = 0; i < NSLOTS; i += 89) {
            struct ng_node *n;
            name_of(name, sizeof(name), (i & 1) ? "n" : "r", round, i);
            assert_int_equal(ng_node_find(g, name, &n), -ENOENT);
        }
    }
    atomic_store(&stop, 1);
    for (int r = 0; r < READERS; r++)
        pthread_join(rd[r], NULL);
    /* With the readers' references gone, every node is reclaimed. */
    struct ng_graph_stats st;
    assert_int_equal(ng_graph_barrier(g), 0);
    assert_int_equal(ng_graph_barrier(g), 0);
    ng_graph_stats(g, &st);
    assert_int_equal(st.nodes, 0);
    print_message("lookups: %llu by id, %llu by name, %llu misses\n",
                  (unsigned long long)found_by_id, (unsigned long long)found_by_name,
                  (unsigned long long)misses);
    assert_true(found_by_id + found_by_name > 0);
    ng_graph_destroy(g);
}

/* A name freed by a rename or a shutdown can be taken again at once. */
static void test_names_reused(void **state)
{
    struct ng_graph *gr = *state;
    struct ng_node *a, *b, *n;
    assert_int_equal(ng_node_create(gr, "hole", &a), 0);
    assert_int_equal(ng_node_create(gr, "hole", &b), 0);
    assert_int_equal(ng_node_name(a, "x"), 0);
    assert_int_equal(ng_node_name(b, "x"), -EADDRINUSE);
    assert_int_equal(ng_node_name(a, "x"), 0); /* its own name again: no-op */
    assert_int_equal(ng_node_name(a, "y"), 0);
    assert_int_equal(ng_node_name(b, "x"), 0);
    assert_int_equal(ng_node_find(gr, "x:", &n), 0);
    assert_ptr_equal(n, b);
    ng_node_unref(n);
    assert_int_equal(ng_node_find(gr, "y", &n), 0);
    assert_ptr_equal(n, a);
    ng_node_unref(n);
    assert_int_equal(ng_node_shutdown(b), 0);
    assert_int_equal(ng_node_find(gr, "x", &n), -ENOENT);
    assert_int_equal(ng_node_name(a, "x"), 0);
    assert_int_equal(ng_node_find(gr, "x", &n), 0);
    assert_ptr_equal(n, a);
    ng_node_unref(n);
    assert_int_equal(ng_node_shutdown(a), 0);
    ng_node_unref(a);
    ng_node_unref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookups_race_resizes),
        ngtest_unit_test(test_names_reused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
