/*
 * ngtest.h - helpers shared by the cmocka tests.
 *
 * Every test binary runs against the backend named by the environment
 * variable NG_BACKEND (ck_epoch | qsbr | rwlock; default ck_epoch); ctest
 * registers each binary once per backend.
 */
#ifndef NGTEST_H
#define NGTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ngraph/ngraph.h>

/* The backend selected for this run. */
enum ng_backend ngtest_backend(void);
/* Create a graph on the selected backend (asserts success). */
struct ng_graph *ngtest_graph(void);
/* Allocate a data item of len bytes filled with `fill` (asserts success). */
struct ng_item *ngtest_item(struct ng_graph *g, uint32_t len, uint8_t fill);
/* Send a message with no arguments and wait for the response. */
int ngtest_msg(struct ng_graph *g, const char *path, uint32_t cookie, uint32_t cmd,
               struct ng_mesg **resp);
/* splitmix64: next value of the deterministic PRNG whose state is *s. */
uint64_t ngtest_splitmix(uint64_t *s);
/* CLOCK_MONOTONIC in seconds. */
double ngtest_now_s(void);
/* src ("hole") --out/in--> dst (a node of `type`): creates both nodes,
 * connects them and returns src's "out" hook with a reference; *srcp and
 * *dstp receive the nodes with a reference each (asserts success). */
struct ng_hook *ngtest_link(struct ng_graph *g, const char *type, struct ng_node **srcp,
                            struct ng_node **dstp);
/* Sum of all drop reasons. */
uint64_t ngtest_drops(const struct ng_graph_stats *st);
/* Test-only node type "counter": counts and frees every data item (per
 * hook and total, relaxed atomics), forwards nothing.  Registered by
 * ngtest_graph(). */
struct ngtest_counter {
    _Atomic uint64_t items;
};
uint64_t ngtest_counter_get(struct ng_node *node);
/* Test-only node type "pass": forwards data arriving on "in" out of "out"
 * and vice versa; rcvdata is concurrent (shared mode). */
extern const struct ng_type ngtest_counter_type, ngtest_pass_type;

#endif
