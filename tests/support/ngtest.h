/*
 * ngtest.h - helpers, test node types and fixtures shared by the cmocka
 * tests (tests/support/: ngtest.c, nodes.c).  Public API (<ngraph/...>) only.
 *
 * Every test binary runs against the backend named by the environment
 * variable NG_BACKEND (ck_epoch | qsbr | rwlock; default ck_epoch); ctest
 * registers each binary once per backend.
 */
#ifndef NGTEST_H
#define NGTEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ngraph/ngraph.h>

struct ng_runtime;

/* ------------------------------------------------------------------------ */
/* Backend, graphs, runtime                                                 */
/* ------------------------------------------------------------------------ */

/* The backend selected for this run. */
enum ng_backend ngtest_backend(void);
/* ng_graph_config_init() with the selected backend (NG_BACKEND) and entry
 * scheme (NG_ENTRY: cas, biased or auto, the default). */
void ngtest_graph_config(struct ng_graph_config *cfg);
/* Can this process have NG_ENTRY_BIASED (membarrier(2); not under
 * valgrind)?  Asserts any other graph-creation failure. */
bool ngtest_biased_available(void);
/* Create a graph from cfg and register the shared-flavour test types
 * "counter" and "pass" (asserts success). */
struct ng_graph *ngtest_graph_create(const struct ng_graph_config *cfg);
/* Create a graph on the selected backend with the default configuration
 * (ngtest_graph_create()). */
struct ng_graph *ngtest_graph(void);
/* Start the worker runtime on g with nworkers workers, otherwise the
 * default configuration (asserts success). */
struct ng_runtime *ngtest_runtime(struct ng_graph *g, unsigned nworkers);

/* ------------------------------------------------------------------------ */
/* Fixtures                                                                 */
/* ------------------------------------------------------------------------ */
/*
 * cmocka setup / teardown, per test (cmocka_unit_test_setup_teardown) or per
 * group.  ngtest_setup resets ngtest_totals and puts a new graph
 * (ngtest_graph()) in *state.  ngtest_teardown waits for a grace period,
 * destroys the graph and fails the test if an item was still live or a
 * counter node was not shut down.  The test must have released its own node
 * and hook references and stopped any runtime it started.
 */
int ngtest_setup(void **state);
int ngtest_teardown(void **state);
/* A cmocka test case run between ngtest_setup and ngtest_teardown (its
 * state is the graph). */
#define ngtest_unit_test(f) cmocka_unit_test_setup_teardown(f, ngtest_setup, ngtest_teardown)

/* ------------------------------------------------------------------------ */
/* Items, links, messages                                                   */
/* ------------------------------------------------------------------------ */

/* Allocate a data item of len bytes filled with `fill` (asserts success). */
struct ng_item *ngtest_item(struct ng_graph *g, uint32_t len, uint8_t fill);
/* src ("hole") --out/in--> dst (a node of `type`): creates both nodes,
 * connects them and returns src's "out" hook with a reference; *srcp and
 * *dstp receive the nodes with a reference each (asserts success). */
struct ng_hook *ngtest_link(struct ng_graph *g, const char *type, struct ng_node **srcp,
                            struct ng_node **dstp);
/* src ("hole") -> npass "pass" nodes -> a "counter", each link out -> in;
 * returns src's "out" hook with a reference, *srcp and *cntp the end nodes
 * with a reference each (the pass nodes are not referenced). */
struct ng_hook *ngtest_chain(struct ng_graph *g, int npass, struct ng_node **srcp,
                             struct ng_node **cntp);
/* The same with npass nodes of passtype and a cnttype at the end (a type
 * with the counter's private data, for ngtest_counter_get). */
struct ng_hook *ngtest_chain_of(struct ng_graph *g, const char *passtype, const char *cnttype,
                                int npass, struct ng_node **srcp, struct ng_node **cntp);
/* Drop the references ngtest_link() / ngtest_chain() returned. */
void ngtest_link_release(struct ng_hook *h, struct ng_node *src, struct ng_node *dst);
/* Send a message with no arguments and wait for the response. */
int ngtest_msg(struct ng_graph *g, const char *path, uint32_t cookie, uint32_t cmd,
               struct ng_mesg **resp);
/* Sum of all drop reasons. */
uint64_t ngtest_drops(const struct ng_graph_stats *st);

/* ------------------------------------------------------------------------ */
/* Misc                                                                     */
/* ------------------------------------------------------------------------ */

/* splitmix64: next value of the deterministic PRNG whose state is *s. */
uint64_t ngtest_splitmix(uint64_t *s);
/* CLOCK_MONOTONIC in seconds. */
double ngtest_now_s(void);

/* ------------------------------------------------------------------------ */
/* Test node types (nodes.c)                                                */
/* ------------------------------------------------------------------------ */
/*
 * Each in a shared flavour (NG_TYPE_CONCURRENT_DATA: rcvdata runs
 * concurrently) and a netgraph flavour ("_rw": reader/writer discipline, so
 * the node queue is exercised as well).  ngtest_graph() registers the shared
 * ones, ngtest_register_rw() the netgraph ones.
 *
 * "counter", "counter_rw": counting sink.  Counts and frees every data item
 * arriving on any hook (per node, and in ngtest_totals.counted), forwards
 * nothing; ngtest_totals.counters_alive counts the nodes constructed and not
 * yet shut down.
 *
 * "pass", "pass_rw": forwarder.  Data arriving on "in" leaves on "out" and
 * vice versa; with no hook to leave by, the item is freed, counted in
 * ngtest_totals.lost (the engine does not count it) and -ENOTCONN returned.
 * Bursts (rcvdata_burst) are forwarded as one vector (ng_send_data_burst).
 *
 * "counter1", "pass1" (+ "_rw"): the same without rcvdata_burst, so the
 * engine hands them bursts one item at a time.
 */
struct ngtest_counter {
    _Atomic uint64_t items;
    _Atomic uint64_t bursts; /* calls of its rcvdata_burst method */
};
/* Items counted so far by the counter node `node`. */
uint64_t ngtest_counter_get(struct ng_node *node);
/* Calls of the counter node's rcvdata_burst method so far. */
uint64_t ngtest_counter_bursts(struct ng_node *node);

/* Totals over every test node of every graph since ngtest_totals_reset()
 * (ngtest_setup() calls it). */
struct ngtest_totals {
    _Atomic uint64_t counted;       /* items consumed by counter nodes */
    _Atomic uint64_t lost;          /* items a pass node had to free */
    _Atomic int64_t counters_alive; /* counter nodes constructed - shut down */
};
extern struct ngtest_totals ngtest_totals;
void ngtest_totals_reset(void);

extern const struct ng_type ngtest_counter_type, ngtest_counter_rw_type;
extern const struct ng_type ngtest_pass_type, ngtest_pass_rw_type;
extern const struct ng_type ngtest_counter1_type, ngtest_counter1_rw_type;
extern const struct ng_type ngtest_pass1_type, ngtest_pass1_rw_type;
/* Register "counter_rw" and "pass_rw" on g (asserts success). */
void ngtest_register_rw(struct ng_graph *g);
/* Register "counter1", "pass1", "counter1_rw" and "pass1_rw": the same
 * types without a rcvdata_burst method (asserts success). */
void ngtest_register_single(struct ng_graph *g);

#endif
