/*
 * ngbench - per-core throughput benchmark of libngraph (project issue #4).
 *
 * Measures in one process, side by side and interleaved:
 *   chain    a chain of N pass-through nodes (one item at a time, 1 worker)
 *   fanout   one node copying each item to 4 sinks (1 -> 4)
 *   scale    workers = 1..cores, each on its own chain ("private") or all on
 *            one chain ("shared")
 *   churn    a control thread changing the topology of the live chain
 *            (disconnect / reconnect a middle link, insert / remove a node)
 *            at paced rates while a worker pushes items
 *   runtime  the worker runtime: W = 1..cores runtime workers (ng_runtime_start)
 *            fed by an application producer thread with ng_runtime_submit_burst
 *            (bursts of up to 32 items),
 *            each worker sending the items through a chain ("private": its
 *            own, "shared": one for all) to a sink; bench-level backpressure
 *            (bounded items in flight per worker), latency submit -> sink
 *   memory   bytes per node and per hook (malloc accounting)
 *   size     topology operations as the graph grows (size.c)
 *   control  the control socket: libnetgraph round trips against a plain
 *            SEQPACKET ping-pong, 1/8/64 clients, the data channel
 *   types    the per-frame cost of standard node types (types.c)
 *   net      frames through veth pairs in network namespaces: ether ->
 *            bridge -> ether against the kernel bridge and a plain
 *            AF_PACKET loop, a ksocket UDP tunnel against plain UDP (net.c)
 * for every backend (ck_epoch, qsbr, rwlock) and node concurrency mode
 * ("netgraph": reader/writer entry, one CAS per hop; "shared":
 * NG_TYPE_CONCURRENT_DATA, no shared write for node entry), against
 *   floor    the same chain as plain structs, one indirect call per hop, with
 *            the same item alloc/free and sink work as the engine path
 *   base     item alloc + sink work + free, no hop at all, so that
 *            ns/hop = (ns/item - base) / hops for both floor and engine;
 *   dpdk     (chain scenario, when built with libdpdk: bench/dpdk_graph.c)
 *            the same chain as a DPDK rte_graph walked by one pinned thread,
 *            1 or 32 objects per walk ("b1", "b32"), with the stock
 *            rte_graph_walk (graph statistics on in Debian's build) and with
 *            a copy of the walk without them ("-nostats"), against its own
 *            base ("dpdk_base": mempool get/put + the same stamping and sink
 *            work, no graph) at the same burst.  EAL runs --no-huge --no-pci;
 *            --no-dpdk or NGB_DPDK=0 leave the rows out.
 *
 * Workers (all scenarios but runtime) are pinned pthreads that register with
 * the graph and inject with ng_send_data() at the chain's head; the sink
 * frees.  1 item in 64 carries a CLOCK_MONOTONIC timestamp in its metadata;
 * sinks record the latency.  Every run checks its accounting: items sent
 * (x fan-out) == delivered + dropped (graph drop counters + drops seen by the
 * bench's own nodes + failed submits the engine freed uncounted), and no item
 * is left alive.
 *
 * Output: table on stdout, progress on stderr, results.json, results.csv,
 * gnuplot PNGs in --out DIR (default bench-results).
 *
 * This file only sequences the layers (see ngbench.h for the file list).
 */
#include "ngbench.h"

#include <string.h>

int main(int argc, char **argv)
{
    struct ngb_opts o;
    int rc = ngb_cli_parse(argc, argv, &o);
    if (rc >= 0)
        return rc;
    setvbuf(stdout, NULL, _IOLBF, 0);

    struct ngb_suite s;
    struct machine m;
    memset(&s, 0, sizeof(s));
    ngb_machine_info(&m);
    snprintf(s.cpu, sizeof(s.cpu), "%s", m.cpu);
    ngb_report_intro(&o, &m);
    ngb_dpdk_setup(&s, &o);
    ngb_report_dpdk(&o, &s);
    m.spin_scaling = ngb_spin_scaling((int)m.ncpu);
    ngb_report_method(&o, &m);

    ngb_suite_build(&s, &o, m.ncpu);
    uint64_t t0 = ngb_now_ns();
    struct ngb_load load;
    ngb_load_sample(&load);
    ngb_suite_run(&s, &o);
    m.other_load = ngb_load_other(&load);
    ngb_suite_derive(&s);
    struct memres mem[NG_BACKEND_COUNT];
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        mem[b] = ngb_mem_measure((enum ng_backend)b);
    ngb_size_run(&o, &s);
    ngb_control_run(&o, &s);
    ngb_types_run(&o, &s);
    ngb_entry_run(&o, &s);
    ngb_net_run(&o, &s);
    double runtime = (double)(ngb_now_ns() - t0) / 1e9;

    ngb_report_results(&o, &s, &m, mem);
    ngb_size_report(&s);
    ngb_control_report(&s);
    ngb_types_report(&s);
    ngb_entry_report(&s);
    ngb_net_report(&s);
    ngb_targets_eval(&s, &o, m.ncpu);
    ngb_targets_print(&s);
    int fails = ngb_suite_failures(&s) + ngb_size_failures(&s) + ngb_control_failures(&s) +
                ngb_net_failures(&s);
    if (ngb_write_outputs(&o, &s, &m, mem, runtime) == 0)
        printf("\nresults: %s/results.json %s/results.csv\n", o.out, o.out);
    ngb_write_plots(&o, &s, &m);
    printf("suite runtime: %.1f s; accounting: %s\n", runtime,
           fails ? "FAILURES (see stderr)" : "all runs balanced (sent == delivered + dropped)");
    ngb_suite_free(&s);
    return fails ? 1 : 0;
}
