/*
 * torture.h - randomised topology torture for libngraph (issue #5 item 1).
 *
 * The engine is tests/torture/torture.c, built as the static library
 * ngtest_torture; test_torture_short.c wraps it as a ctest.  See torture.c
 * for what it does and the invariants it checks.
 */
#ifndef NGTEST_TORTURE_H
#define NGTEST_TORTURE_H

#include <stdint.h>

#include <ngraph/ngraph.h>

struct torture_opts {
    enum ng_backend backend;
    double seconds;
    uint64_t seed;
    unsigned workers; /* traffic threads (0: 2; at most 16) */
    int verbose;      /* print every control operation */
    int no_runtime;   /* do not start the worker runtime (no timers) */
};

/* Run the torture once on o->backend for o->seconds.  Prints the seed at
 * start and a summary at the end; returns 0 when every invariant held, -1
 * when the final accounting failed (a violation seen while running aborts
 * the process), -ENOMEM when out of memory. */
int torture_run(const struct torture_opts *o);

#endif
