/*
 * torture.h - randomised topology torture for libngraph (issue #5 item 1).
 *
 * The engine is tests/torture/torture.c, built as the static library
 * ngtest_torture; test_torture_short.c wraps it as a ctest.  See torture.c
 * for what it does and the invariants it checks.
 */
#ifndef NGTEST_TORTURE_H
#define NGTEST_TORTURE_H

#include <stddef.h>
#include <stdint.h>

#include <ngraph/ngraph.h>

struct torture_opts {
    enum ng_backend backend;
    double seconds;
    uint64_t seed;
    unsigned workers; /* traffic threads (0: 2; at most 16) */
    int verbose;      /* print every control operation */
    int no_runtime;   /* do not start the worker runtime (no timers) */
    int std_types;    /* mix the standard node types in (stdtypes.c) */
};

/* Hooks are drawn as an index below TORTURE_NHOOKS and named after the
 * type of the node they are on (stdtypes.c). */
#define TORTURE_NHOOKS 4

/* The standard types of --types std: how many, and the i-th one's name. */
unsigned torture_std_count(void);
const char *torture_std_name(unsigned i);
/* Name hook idx of node (or of a node of type `type` when it is not NULL):
 * "h<idx>" for tort nodes and types that accept any name. */
void torture_hook_name(const struct ng_node *node, const char *type, unsigned idx, char *buf,
                       size_t n);
/* A message of node's own type cookie with a random command and random
 * argument bytes drawn from a[0..4]; NULL for a tort node. */
struct ng_mesg *torture_std_msg(const struct ng_node *node, const uint64_t *a);

/* Run the torture once on o->backend for o->seconds.  Prints the seed at
 * start and a summary at the end; returns 0 when every invariant held, -1
 * when the final accounting failed (a violation seen while running aborts
 * the process), -ENOMEM when out of memory. */
int torture_run(const struct torture_opts *o);

#endif
