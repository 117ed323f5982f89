/*
 * ngb_clock.h - the two clocks every ngbench measurement uses, shared by
 * ngbench (bench/ngbench/) and the DPDK baseline (bench/dpdk_graph.c) so
 * both sides of a comparison read time the same way.
 */
#ifndef NGB_CLOCK_H
#define NGB_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds (latency stamps, wall time). */
static inline uint64_t ngb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CPU time of the calling thread in nanoseconds (throughput per CPU second). */
static inline uint64_t ngb_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
