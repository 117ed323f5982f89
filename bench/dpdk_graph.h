/*
 * dpdk_graph.h - optional DPDK rte_graph baseline for ngbench (issue #4).
 *
 * Compiled only when pkg-config finds libdpdk (bench/CMakeLists.txt defines
 * NGB_HAVE_DPDK=1 for ngbench then).  The header itself has no DPDK
 * dependency.  Not thread-safe beyond what is stated: one measurement at a
 * time per process (the runs share one mempool and one graph name).
 *
 * Typical use (see bench/dpdk_graph.c for what is measured):
 *
 *     char why[128];
 *     if (ngb_dpdk_init(why, sizeof(why)) < 0)
 *         printf("DPDK: skipped (%s)\n", why);
 *     ...on a thread the caller has pinned:
 *     struct ngb_dpdk_result base, r;
 *     ngb_dpdk_base_run(32, 0.3, 0, &base);
 *     ngb_dpdk_chain_run(16, 32, 0.3, 0, &r);
 *     ns_hop = (r.ns_item - base.ns_item) / r.hops;
 */
#ifndef NGB_DPDK_GRAPH_H
#define NGB_DPDK_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest chain ngb_dpdk_chain_run() accepts (pass nodes). */
#define NGB_DPDK_MAXN 1024
/* Largest burst (objects allocated by the source per graph walk). */
#define NGB_DPDK_MAXBURST 256

/* Flags for the run functions. */
/* Walk with a copy of rte_graph_walk() that has no per-node statistics
 * (what DPDK built with RTE_LIBRTE_GRAPH_STATS=0 does).  Without the flag
 * the stock inline rte_graph_walk() is used, which in Debian's DPDK build
 * (RTE_LIBRTE_GRAPH_STATS=1) reads the TSC twice and updates 3 counters per
 * node visit. */
#define NGB_DPDK_F_NOSTATS 0x1u

struct ngb_dpdk_result {
    /* In (optional): latency samples (ns, source alloc -> sink, 1 item in
     * 64, CLOCK_MONOTONIC) are stored here if lat != NULL, up to lat_cap. */
    uint32_t *lat;
    uint32_t lat_cap;
    /* Out. */
    uint32_t nlat;       /* samples stored in lat[] */
    int n;               /* pass nodes (0 for the base run) */
    int burst;           /* objects per walk */
    int hops;            /* n + 1 (source -> first node ... -> sink); 0 for base */
    int stats;           /* 1 if the walk kept rte_graph per-node stats */
    unsigned lcore;      /* lcore id the run used (mempool cache), or UINT32_MAX if none */
    uint64_t items;      /* objects freed by the sink in the timed window */
    uint64_t walks;      /* graph walks (base: loop iterations) in the window */
    uint64_t cpu_ns;     /* CLOCK_THREAD_CPUTIME_ID over the window */
    uint64_t wall_ns;    /* CLOCK_MONOTONIC over the window */
    uint64_t alloc_fail; /* rte_mempool_get_bulk failures (whole run) */
    uint64_t allocated;  /* objects allocated, whole run incl. warm-up */
    uint64_t freed;      /* objects freed by the sink, whole run incl. warm-up */
    double ns_item;      /* cpu_ns / items */
};

/*
 * Initialise DPDK once per process: EAL with --no-huge --no-pci --no-shconf
 * --no-telemetry -m 64, a unique --file-prefix, lcore 0 mapped to the calling
 * thread's current CPU set (whose affinity is saved and restored around
 * rte_eal_init), EAL log captured while initialising and sent to stderr at
 * WARNING level afterwards, plus the item mempool.  Extra EAL arguments may
 * be given in the environment variable NGB_DPDK_EAL_ARGS (split on
 * whitespace, appended).  Idempotent and thread-safe: later calls return the
 * first call's result (EAL cannot be initialised twice).
 * Returns 0, or a negative errno with a one-line reason in why (if why !=
 * NULL and whylen > 0), e.g. "rte_eal_init: EAL: Cannot get a virtual area".
 */
int ngb_dpdk_init(char *why, size_t whylen);

/* 1 if ngb_dpdk_init() succeeds (calls it), 0 otherwise. */
int ngb_dpdk_available(void);

/*
 * One line describing the baseline after a successful init, e.g.
 * "DPDK 22.11.11 rte_graph, EAL --no-huge --no-shconf (init 45 ms), graph
 * stats compiled in, mempool 4095 x 128 B, cache 256"; "" before init or after a failed one.
 */
const char *ngb_dpdk_describe(void);

/*
 * Chain: source -> n pass nodes -> sink, built as an rte_graph for this call
 * (created, warmed up with >= 4096 items, measured for `seconds` of wall
 * time, destroyed), run by the calling thread (registered as a non-EAL
 * lcore for the duration if it is not one already, so the mempool's per-lcore
 * cache is used; its CPU affinity is not changed).
 * n in [0, NGB_DPDK_MAXN], burst in [1, NGB_DPDK_MAXBURST], flags: NGB_DPDK_F_*.
 * Returns 0; -EINVAL (arguments), -ENODEV (init not done or failed), -ENOMEM /
 * -EEXIST / other negative errno from graph setup, -EIO if the accounting does
 * not balance (allocated != freed, alloc failures, or mempool objects missing).
 * out is filled in all cases where it is non-NULL (zeroed on early errors,
 * lat/lat_cap kept).
 */
int ngb_dpdk_chain_run(int n, int burst, double seconds, unsigned flags,
                       struct ngb_dpdk_result *out);

/*
 * Base: the same per-item work with no graph: rte_mempool_get_bulk(burst),
 * the source's stamping, the sink's work and rte_mempool_put_bulk, in a plain
 * loop on the calling thread.  ns/hop = (chain ns_item - base ns_item) /
 * (n + 1) as in ngbench.  Same arguments, flags ignored, same returns.
 */
int ngb_dpdk_base_run(int burst, double seconds, unsigned flags, struct ngb_dpdk_result *out);

#ifdef __cplusplus
}
#endif

#endif /* NGB_DPDK_GRAPH_H */
