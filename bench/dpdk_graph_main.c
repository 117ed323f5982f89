/*
 * ngb_dpdk_demo - standalone driver for the DPDK rte_graph baseline
 * (bench/dpdk_graph.c).  Optional target, not built by default:
 *
 *     cmake --build build --target ngb_dpdk_demo
 *     build/bench/ngb_dpdk_demo [seconds [cpu]]
 *
 * Initialises DPDK, then on a thread pinned to `cpu` (default 0) runs the
 * base and chains N = 1, 4, 16, 64 at bursts 1 and 32 (stock walk and walk
 * without graph statistics) and prints ns/item and ns/hop.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "dpdk_graph.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LATCAP (1u << 16)

static double seconds = 0.3;
static int cpu;
static int failures;

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void *worker(void *arg)
{
    (void)arg;
    cpu_set_t set, after;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);

    static const int ns[] = {1, 4, 16, 64};
    static const int bursts[] = {1, 32};
    uint32_t *lat = malloc(LATCAP * sizeof(uint32_t));
    printf("%-6s %4s %5s %10s %10s %8s %8s %9s %s\n", "walk", "N", "burst", "ns/item", "ns/hop",
           "Mit/s", "p50 ns", "p99 ns", "lcore");
    for (int s = 0; s < 2; s++) {
        unsigned flags = s ? NGB_DPDK_F_NOSTATS : 0;
        for (size_t b = 0; b < sizeof(bursts) / sizeof(bursts[0]); b++) {
            struct ngb_dpdk_result base = {.lat = NULL};
            int rc = ngb_dpdk_base_run(bursts[b], seconds, flags, &base);
            if (rc < 0) {
                fprintf(stderr, "base burst %d: %s\n", bursts[b], strerror(-rc));
                failures++;
                continue;
            }
            printf("%-6s %4s %5d %10.2f %10s %8.2f %8s %9s %u\n", "base", "-", bursts[b],
                   base.ns_item, "-", 1e3 / base.ns_item, "-", "-", base.lcore);
            for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
                struct ngb_dpdk_result r = {.lat = lat, .lat_cap = LATCAP};
                rc = ngb_dpdk_chain_run(ns[i], bursts[b], seconds, flags, &r);
                if (rc < 0) {
                    fprintf(stderr, "chain N=%d burst %d: %s\n", ns[i], bursts[b], strerror(-rc));
                    failures++;
                    continue;
                }
                uint32_t p50 = 0, p99 = 0;
                if (r.nlat) {
                    qsort(lat, r.nlat, sizeof(uint32_t), cmp_u32);
                    p50 = lat[(size_t)(0.5 * (r.nlat - 1))];
                    p99 = lat[(size_t)(0.99 * (r.nlat - 1))];
                }
                printf("%-6s %4d %5d %10.2f %10.3f %8.2f %8u %9u %u\n",
                       r.stats ? "stats" : "nostat", ns[i], bursts[b], r.ns_item,
                       (r.ns_item - base.ns_item) / r.hops, 1e3 / r.ns_item, p50, p99, r.lcore);
            }
        }
    }
    free(lat);
    CPU_ZERO(&after);
    pthread_getaffinity_np(pthread_self(), sizeof(after), &after);
    if (!CPU_EQUAL(&set, &after)) {
        fprintf(stderr, "worker affinity changed by the runs\n");
        failures++;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        seconds = atof(argv[1]);
    if (argc > 2)
        cpu = atoi(argv[2]);
    cpu_set_t before, after;
    CPU_ZERO(&before);
    CPU_ZERO(&after);
    pthread_getaffinity_np(pthread_self(), sizeof(before), &before);
    char why[192];
    int rc = ngb_dpdk_init(why, sizeof(why));
    pthread_getaffinity_np(pthread_self(), sizeof(after), &after);
    if (!CPU_EQUAL(&before, &after)) {
        fprintf(stderr, "main thread affinity changed by ngb_dpdk_init\n");
        failures++;
    }
    if (rc < 0) {
        printf("DPDK: skipped (%s) [rc %d]\n", why, rc);
        /* Idempotent: the second call gives the same answer. */
        char why2[192];
        int rc2 = ngb_dpdk_init(why2, sizeof(why2));
        printf("second init: rc %d (%s), available %d\n", rc2, why2, ngb_dpdk_available());
        return rc2 == rc && strcmp(why, why2) == 0 ? 3 : 1;
    }
    printf("DPDK: %s\n", ngb_dpdk_describe());
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    /* Again from a second thread: graphs and clones are reused. */
    if (ngb_dpdk_init(why, sizeof(why)) != 0 || !ngb_dpdk_available()) {
        fprintf(stderr, "second init failed\n");
        failures++;
    }
    struct ngb_dpdk_result r = {.lat = NULL};
    rc = ngb_dpdk_chain_run(16, 32, 0.05, 0, &r);
    printf("main thread N=16 burst 32: rc %d, %.2f ns/item, allocated %llu freed %llu, lcore %u\n",
           rc, r.ns_item, (unsigned long long)r.allocated, (unsigned long long)r.freed, r.lcore);
    if (rc < 0)
        failures++;
    if (ngb_dpdk_chain_run(-1, 1, 0.1, 0, &r) != -22 || ngb_dpdk_chain_run(1, 0, 0.1, 0, &r) != -22)
        failures++;
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
