/*
 * ngbench.h - private header shared by the files of ngbench (bench/ngbench/).
 *
 * The benchmark's layers, one file each (see ngbench.c's former header
 * comment, now main.c, for what is measured):
 *   cli.c       options -> struct ngb_opts (the only parsed state)
 *   suite.c     the configurations of a suite (struct ngb_suite), running
 *               them in ABBA order, derived ratios
 *   nodes.c     per-thread counters, sink work, the bench's node types
 *   floor.c     the floor: the same topology as plain structs
 *   run.c       one run of the chain, fanout, scale and churn scenarios
 *   churn.c     churn: the control thread changing the live topology
 *   runtime.c   runtime: producers feeding ng_runtime workers
 *   dpdk.c      the optional DPDK rte_graph rows (bench/dpdk_graph.c)
 *   memory.c    bytes per node and per hook
 *   size.c      graph size: topology operations from 1k to 1M nodes
 *   control.c   the control socket: libnetgraph round trips, clients, data
 *   types.c     node types: per-frame cost of the standard types
 *   net.c       network: frames through veth in namespaces (ether, kernel
 *               bridge, AF_PACKET loop, UDP tunnel)
 *   machine.c   machine description, other load, scaling ceiling
 *   report.c    table on stdout, results.json, results.csv
 *   plots.c     .dat files, plot.gp, gnuplot PNGs
 *   targets.c   the project's targets: MET / NOT MET
 *   util.c      sleeping, pinning, RSS, medians, percentiles
 */
#ifndef NGBENCH_H
#define NGBENCH_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ngraph/ngraph.h>
#include <ngraph/runtime.h>

#include "ngb_clock.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#ifdef NGB_HAVE_DPDK
#include "dpdk_graph.h"
#else
#define NGB_DPDK_F_NOSTATS 0x1u /* no DPDK rows are ever created without it */
#endif

#define MAXREPS 64
#define MAXW 64
#define MAXN 512
#define WARMUP_ITEMS 4096
#define LAT_SAMPLE_MASK 63u
#define LAT_CAP (1u << 17)
#define FAN 4 /* fan-out: 3 copies + the original */

/* Runtime scenario: one producer per RT_PER_PRODUCER workers (at most MAXP),
 * bursts of up to RT_BURST items per ng_runtime_submit_burst(). */
#define MAXP 8
#define RT_PER_PRODUCER 8
#define RT_BURST 32

/* ------------------------------------------------------------------------ */
/* Options (cli.c)                                                          */
/* ------------------------------------------------------------------------ */

/* S_SIZE (size.c), S_CONTROL (control.c), S_TYPES (types.c), S_ENTRY
 * (entry.c) and S_NET (net.c) have no configurations of their own: they
 * run after the suite. */
enum scen {
    S_CHAIN,
    S_FANOUT,
    S_SCALE,
    S_CHURN,
    S_RUNTIME,
    S_SIZE,
    S_CONTROL,
    S_TYPES,
    S_ENTRY,
    S_NET,
    NSCEN
};
#define NGB_MAXSIZES 8

struct ngb_opts {
    int reps;
    int chain_reps; /* chain scenario: reps = memory layouts (at least 8 by default) */
    double seconds;
    double chain_factor;  /* chain runs: chain_factor x seconds */
    unsigned probe_iters; /* contention probe size (ngb_probe) */
    bool backends[NG_BACKEND_COUNT];
    bool modes[2];
    bool scen[NSCEN];
    int chains[16], nchains;
    double rates[16];
    int nrates;
    int maxw;
    double net_rate; /* --net-rate: the network generator's frames per second, 0 = flat out */
    int churn_n, scale_n, runtime_n;
    bool rt_layout[2];               /* runtime: private chains, one shared chain */
    int sizes[NGB_MAXSIZES], nsizes; /* size scenario: graph sizes in nodes */
    double churn_factor, rt_factor, dpdk_factor;
    unsigned rt_window; /* --rt-window: runtime items in flight per worker */
    unsigned rt_spin;   /* --rt-spin: ng_runtime_config.spin, 0 = engine default */
    bool verbose;       /* -v: per-run details on stderr */
    const char *out;
    bool plot, no_dpdk;
    enum ng_entry_scheme entry; /* --entry: netgraph-mode entry scheme */
    const char *suite;
};

/* Parses argv into *o.  Returns -1 to go on, else the exit status (0 after
 * --help, 2 after a bad option; the complaint is printed). */
int ngb_cli_parse(int argc, char **argv, struct ngb_opts *o);

/* ------------------------------------------------------------------------ */
/* Small helpers (util.c)                                                   */
/* ------------------------------------------------------------------------ */

struct mstat {
    double med, min, max;
    int n;
};

void ngb_sleep_until(uint64_t t);
void ngb_pin_cpu(int cpu);
long ngb_rss_kb(void);
struct mstat ngb_stat_of(const double *v, int n);
/* Scenarios run after the suite (types, entry): quiet[i] = rep i's probe
 * within NGB_QUIET of the best rep's; returns the number of contended reps. */
int ngb_mark_quiet(const double *probe, bool *quiet, int reps);
/* Median of v[0..reps) over the quiet reps (all if none is quiet). */
double ngb_quiet_med(const double *v, const bool *quiet, int reps);
/* Sorts lat[0..k) and stores its 50th, 99th and 99.9th percentiles (NaN
 * when k == 0). */
void ngb_percentiles(uint32_t *lat, size_t k, double *p50, double *p99, double *p999);

/* ------------------------------------------------------------------------ */
/* Per-thread counters, sink work, node types (nodes.c)                     */
/* ------------------------------------------------------------------------ */

struct tslot {
    /* Items freed by a sink on this thread.  Single writer (load + store, no
     * locked instruction); atomic so that the runtime scenario's producer
     * may read it for its in-flight window. */
    _Atomic uint64_t delivered;
    uint64_t nohook; /* items dropped by a bench node (out hook gone) */
    uint32_t *lat;   /* latency samples (ns) */
    uint32_t nlat, caplat;
    clockid_t clk;      /* runtime scenario: the worker thread's CPU clock */
    _Atomic int clk_ok; /* clk is set (release) */
    char pad[64];
};

/*
 * The calling thread's counters.  Thread-local and file-scope by necessity:
 * sinks run inside the engine's rcvdata callbacks (and the floor's calls),
 * which carry no bench context, and the measured per-item path must not pay
 * for a lookup.  Threads the bench creates set it (ngb_slot_set); the
 * engine's runtime workers bind themselves on their first item.
 */
extern _Thread_local struct tslot *ngb_tl_slot
    __attribute__((tls_model("local-exec"))); /* defined in this executable: one %fs load */

/* The slow paths of the two helpers below: out of line, off the hot path. */
__attribute__((noinline, cold)) struct tslot *ngb_rt_bind_slot(void);
__attribute__((noinline, cold)) void ngb_slotless_delivered(void);
__attribute__((noinline, cold)) void ngb_slotless_nohook(void);

static inline void ngb_slot_set(struct tslot *s) { ngb_tl_slot = s; }

static inline struct tslot *ngb_my_slot(void)
{
    struct tslot *s = ngb_tl_slot;
    return __builtin_expect(s != NULL, 1) ? s : ngb_rt_bind_slot();
}

/* The sink's work: record the latency of a stamped item, free it, count it. */
static inline void ngb_sink_work(struct ng_item *it)
{
    uint64_t ts = ((const uint64_t *)ng_item_meta(it))[0];
    struct tslot *s = ngb_my_slot();
    if (ts && s && s->nlat < s->caplat) {
        uint64_t d = ngb_now_ns() - ts;
        s->lat[s->nlat++] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
    }
    ng_item_free(it);
    if (__builtin_expect(s != NULL, 1))
        atomic_store_explicit(&s->delivered,
                              atomic_load_explicit(&s->delivered, memory_order_relaxed) + 1,
                              memory_order_relaxed);
    else
        ngb_slotless_delivered();
}

static inline void ngb_count_nohook(void)
{
    struct tslot *s = ngb_my_slot();
    if (s)
        s->nohook++;
    else
        ngb_slotless_nohook();
}

/* Items delivered and dropped by threads without a slot since the last
 * call (none in practice); resets both. */
void ngb_slotless_take(uint64_t *delivered, uint64_t *nohook);
/* Runtime scenario: runtime worker i binds to slots[i] (ngb_rt_publish,
 * after ng_runtime_start) until ngb_rt_retract (after ng_runtime_stop). */
void ngb_rt_publish(struct ng_runtime *rt, struct tslot *const *slots, int n);
void ngb_rt_retract(int n);

#define T_PASS 0
#define T_FAN 1
#define T_SINK 2
#define T_NULL 3
/* Name of bench node type k (T_*) in mode m (0 netgraph, 1 shared). */
const char *ngb_type_name(int m, int k);
int ngb_types_register(struct ng_graph *g);

/* ------------------------------------------------------------------------ */
/* Configurations (suite.c)                                                 */
/* ------------------------------------------------------------------------ */

/* K_DPDK_BASE, K_DPDK: the optional rte_graph baseline (bench/dpdk_graph.c),
 * chain scenario only; never created without NGB_HAVE_DPDK. */
enum kind { K_BASE, K_FLOOR, K_ENGINE, K_DPDK_BASE, K_DPDK, K_FLOOR_TJ };

/* Engine burst rows of the chain scenario: items per ng_send_data_burst. */
#define ENGINE_BURST 32

extern const char *const ngb_scen_names[NSCEN];
extern const char *const ngb_mode_names[2];
extern const char *const ngb_layout_names[2];

struct cfg {
    enum scen scen;
    enum kind kind;
    int backend; /* enum ng_backend, engine only */
    int mode;    /* 0 netgraph, 1 shared (engine only) */
    int n;       /* pass nodes in the chain (fanout: 1 fan node) */
    int workers;
    int layout;      /* scale, runtime: 0 private chains, 1 one shared chain */
    double rate;     /* churn: target topology changes per second */
    int burst;       /* dpdk: objects per graph walk (1 or 32); engine: 0, or items per
                        ng_send_data_burst (ENGINE_BURST) */
    unsigned dflags; /* dpdk: NGB_DPDK_F_* (NOSTATS: walk without graph statistics) */
    char dmode[24];  /* dpdk: mode label, "b1", "b32-nostats", ...; engine bursts: "shared-b32" */
    int walk_stats;  /* dpdk chain: 1 if the walk kept rte_graph statistics (from the run) */
    double seconds;
    int group;
    int floor_idx, base_idx, ref_idx; /* -1 if none */
    int tj_idx;                       /* chain: the tail-jump floor, -1 if none */
    int layout_rep;                   /* memory layout of the run in progress (= rep, chain) */
    /* per-rep results */
    int nrep;
    double thr[MAXREPS];      /* items per second of worker CPU time, summed over workers */
    double thrw[MAXREPS];     /* items per wall-clock second, all workers */
    double nsitem[MAXREPS];   /* ns per item per worker */
    double ratio[MAXREPS];    /* ns/item vs floor of the same rep */
    double hopratio[MAXREPS]; /* (ns/item - base) vs floor's, same rep */
    double tjratio[MAXREPS];  /* (ns/item - base) vs the tail-jump floor's, same rep */
    /* Contention probe (ngb_probe) before and after the rep: the lower. */
    double probe[MAXREPS];
    bool quiet[MAXREPS]; /* set by ngb_suite_derive: this rep and its references' */
    int nquiet;
    double nshop[MAXREPS];
    double refratio[MAXREPS];  /* churn: delivered vs rate 0; scale, runtime: vs 1 worker */
    double wallref[MAXREPS];   /* scale, runtime: items per wall second vs 1 worker */
    double injratio[MAXREPS];  /* churn: injected vs rate 0 */
    double good[MAXREPS];      /* delivered items per CPU second (thr x delivered share) */
    double achieved[MAXREPS];  /* churn ops/s achieved */
    double us_change[MAXREPS]; /* churn: control-thread wall time per change */
    double p50[MAXREPS], p99[MAXREPS], p999[MAXREPS];
    double drops_rep[MAXREPS];
    double defer_peak[MAXREPS];
    double waitpct[MAXREPS]; /* runtime: % of timed submits that waited for window room */
    double idle[MAXREPS];    /* runtime: fraction of the workers' wall time asleep */
    uint64_t sent, delivered, dropped, notconn, nohook, churn_ops;
    uint64_t sub_fail, bp_waits; /* runtime: failed submits, producer waits (all reps) */
    long rss_before, rss_after;  /* of the last rep */
    bool acct_ok;
    int acct_fail;
};

/* Median, min, max of one per-rep result of configuration c over its quiet
 * reps (all reps when none was quiet; ngb_cstat). */
#define ST(field) ngb_cstat(c, c->field)

struct target {
    const char *name;
    double measured, goal;
    bool ge; /* measured >= goal is the target (else <=) */
    bool valid;
    char detail[160];
};

/* One size of the size scenario (size.c): ns per operation, memory. */
struct ngb_size_res {
    unsigned n;
    double ns_create, ns_name, ns_find_name, ns_find_id, ns_connect, ns_shutdown;
    double node_bytes, hook_bytes;
    int list_rc;     /* NGM_LISTNODES: 0 or its errno */
    uint32_t listed; /* nodes in the listing */
    double list_ms, ms_destroy, build_list_destroy_s;
    long rss_start_kb, rss_peak_kb, rss_end_kb;
    unsigned errors; /* operations that failed (must be 0) */
};

/* The control socket scenario (control.c): latencies in us. */
#include <ngraph/server.h>
struct ngb_ctl_res {
    bool ran, ok_latency;
    char why[160]; /* why it failed, "" if it did not */
    unsigned n_rt; /* round trips measured (and as many floor ones) */
    int reps, contended;
    double probe[8];
    double pp_p50, pp_p99, rt_p50, rt_p99, ratio_p50;
    int nclients[3];
    double mps[3];
    uint64_t sent[3], recvd[3], lost[3], errors[3];
    double data_pp_ips, data_ips, data_ratio;
    struct ng_ctl_stats srv;
};

/* The node types scenario (types.c): per-frame cost of standard types. */
#define NGB_TY_ROWS 11
struct ngb_types_row {
    char name[48];
    char why[96]; /* why the row is missing, "" if it ran */
    bool ok;
    double ns[8], hops[8], floors[8]; /* per rep: ns/frame, in chain hops, in floor hops */
};
/* The entry scenario (entry.c): per rep, [0] biased, [1] counted. */
struct ngb_entry_res {
    bool ran, biased_ok;
    char why[96], why_biased[96];
    int reps, contended;
    double probe[8];
    bool quiet[8];
    double chain[2][8], forced[2][8], writer[2][8]; /* ns/hop, ns/hop, ns/call */
};
struct ngb_types_res {
    bool ran;
    char why[96];
    unsigned nframes;
    int reps, contended;
    double probe[8];
    bool quiet[8];
    double base_ns[8], dst_base_ns[8], hop_ns[8], floor_ns[8];
    struct ngb_types_row rows[NGB_TY_ROWS];
};

/* The network scenario (net.c): frames per second through veth pairs in
 * network namespaces.  Kinds of row: */
enum ngb_net_kind {
    NK_GEN,       /* the generator alone: frames dropped in the DUT namespace */
    NK_ETHER,     /* ether -> bridge -> ether, W runtime workers, W rings */
    NK_KBRIDGE,   /* the Linux bridge on the same veth ends, RPS over W CPUs */
    NK_AFP,       /* plain AF_PACKET loop: TPACKET_V3 ring -> sendmmsg, W threads */
    NK_TUN_GRAPH, /* UDP tunnel: graph A ksocket -> graph B ksocket -> counter */
    NK_TUN_SEND,  /* plain UDP: send() per datagram -> recvmmsg */
    NK_TUN_MMSG,  /* plain UDP: sendmmsg(32) -> recvmmsg */
    NK_COUNT
};
#define NGB_NET_ROWS 24
#define NGB_NET_REPS 16
struct ngb_net_row {
    int kind, size, workers; /* enum ngb_net_kind, frame (datagram) bytes, DUT CPUs */
    bool ok;                 /* every rep ran */
    char why[128];           /* why a rep failed, "" if none did */
    int nrep;
    double fps[NGB_NET_REPS];     /* frames delivered at the far end per second */
    double offered[NGB_NET_REPS]; /* frames the generator sent per second, same window */
    double busy[NGB_NET_REPS];    /* the DUT CPUs' busy share (/proc/stat), 0..1 */
    double probe[NGB_NET_REPS];   /* contention probe: the lower of before and after */
    bool quiet[NGB_NET_REPS];
    uint64_t sink_drops; /* frames the sink's ring had no room for (counted as delivered) */
};
struct ngb_net_res {
    bool ran;       /* the scenario was selected */
    char skip[160]; /* "" or why it was skipped (no CAP_NET_ADMIN, no ip) */
    int reps;
    double warm_s, window_s;
    int ncpu, gen_cpu, maxw;
    double rate; /* --net-rate (frames per second), 0: the generator's full rate */
    bool rps;    /* receive packet steering on the DUT's ingress veth was set */
    double probe_best;
    int nrows;
    struct ngb_net_row rows[NGB_NET_ROWS];
};

/* A suite: its configurations (in groups run side by side), the DPDK
 * baseline's state, the size scenario's results and the evaluated targets. */
struct ngb_suite {
    struct cfg *cfgs;
    int ncfg, cfgcap;
    int ngroups;
    bool dpdk_on;       /* rte_graph baseline initialised: chain groups get DPDK rows */
    char dpdk_hdr[320]; /* "DPDK: " header line: the baseline, or why it is skipped */
    struct ngb_size_res size[NGB_MAXSIZES];
    int nsize;
    struct ngb_ctl_res ctl;
    struct ngb_types_res types;
    struct ngb_entry_res entry;
    struct ngb_net_res net;
    struct target targets[128];
    int ntargets;
    char cpu[128];     /* the machine's CPU model, printed with every table */
    double probe_best; /* best contention probe of the suite (ngb_suite_derive) */
};

/* Objects per graph walk of the DPDK rows. */
extern const int ngb_dpdk_bursts[2];

void ngb_suite_build(struct ngb_suite *s, const struct ngb_opts *o, long ncpu);
void ngb_suite_run(struct ngb_suite *s, const struct ngb_opts *o);
void ngb_suite_derive(struct ngb_suite *s);
int ngb_suite_failures(const struct ngb_suite *s);
void ngb_suite_free(struct ngb_suite *s);

bool ngb_has_layout(const struct cfg *c);
bool ngb_is_dpdk(const struct cfg *c);
const char *ngb_who_of(const struct cfg *c);
const char *ngb_mode_of(const struct cfg *c);
int ngb_find_cfg(const struct ngb_suite *s, enum scen sc, enum kind k, int b, int m, int n, int w,
                 int layout, double rate);
int ngb_find_dpdk(const struct ngb_suite *s, int n, int burst, unsigned flags);
/* The chain's engine burst row of backend b, mode m, length n; -1 if none. */
int ngb_find_engine_burst(const struct ngb_suite *s, int b, int m, int n);
/* Median, min, max of v[0..c->nrep) over c's quiet reps (all if none). */
struct mstat ngb_cstat(const struct cfg *c, const double *v);
/* A rep is quiet when its probe is within this factor of the suite's best. */
#define NGB_QUIET 0.90

/* ------------------------------------------------------------------------ */
/* Runs (run.c, churn.c, runtime.c, dpdk.c, memory.c; floor.c)              */
/* ------------------------------------------------------------------------ */

/* Floor node: plain struct, one indirect call per hop. */
struct fnode {
    int (*fn)(struct fnode *self, struct ng_item *it);
    _Atomic(struct fnode *) next;
    struct fnode *outs[FAN];
    char pad[64 - sizeof(void *) * (2 + FAN)];
};

/* The floor of configuration c (a chain of c->n pass nodes to a sink, or a
 * fan node to FAN sinks); every node allocated is appended to (*all)[]. */
struct fnode *ngb_floor_build(const struct cfg *c, struct fnode ***all, int *nall);

struct worker {
    pthread_t tid;
    int idx, cpu;
    struct run *run;
    struct ng_hook *head; /* engine: injection hook */
    struct fnode *fhead;  /* floor */
    struct tslot slot;
    uint64_t sent, alloc_fail, timed, t_ns, cpu_ns;
};

/*
 * Runtime scenario: an application thread feeding runtime workers with
 * ng_runtime_submit().  Producer p serves workers p, p + P, p + 2P, ... (one
 * producer per RT_PER_PRODUCER workers), so each per-worker counter below
 * has a single writer.  ng_runtime_submit() never refuses an item because a
 * queue is full (the worker queues are unbounded, see docs/runtime.md), so
 * the producer applies backpressure itself: at most --rt-window items may be
 * queued on or running in a worker (submitted - delivered by that worker);
 * a worker with no room is skipped, and when all of its workers are full the
 * producer yields (counted in bp_waits) until one has drained to half a
 * window.  Without it the producer, cheaper per item than a 16-hop chain,
 * would grow the queues (and the latency) without bound.
 */
struct producer {
    pthread_t tid;
    int idx, cpu, nw;
    struct run *run;
    int wid[MAXW];              /* runtime worker index of each served worker */
    struct ng_hook *head[MAXW]; /* chain head its items are sent out of */
    uint64_t sub[MAXW];         /* items queued on it (submit returned 0) */
    uint64_t credit[MAXW];      /* submits left before re-reading its delivered count */
    int next;                   /* round-robin position */
    unsigned seq;
    uint64_t alloc_fail;
    uint64_t sub_fail;  /* submits that returned an error (item consumed anyway) */
    uint64_t sub_freed; /* of which freed by the engine without a drop count (-EINVAL) */
    uint64_t bp_waits;  /* timed phase: submits that found every served worker's window full */
    uint64_t timed;     /* timed phase: items submitted */
    int first_err;
};

struct run {
    const struct ngb_opts *o;
    struct cfg *c;
    struct ng_graph *g;
    pthread_barrier_t bar;
    _Atomic int stop;
    struct worker w[MAXW];
    /* churn */
    pthread_t ctl_tid;
    struct tslot ctl_slot;
    struct ng_node *mid, *nxt;
    const char *passtype;
    uint64_t ops, ctl_ns, defer_peak, busy_ns;
    int ctl_err;
    /* runtime */
    struct ng_runtime *rt;
    struct producer prod[MAXP];
    int np;
    uint64_t sub_fail, sub_freed, alloc_fail, bp_waits, timed_sub;
    double idle;
    int sub_err;
};

/* One rep of configuration c; its results go to c's per-rep arrays. */
void ngb_run_one(const struct ngb_opts *o, struct cfg *c, int rep);
/* Churn control thread (arg: struct run *). */
void *ngb_churn_main(void *arg);
/* One runtime run of r->c over the chains heads[0..nchains). */
void ngb_rt_run(struct run *r, struct ng_hook *const *heads, int nchains);
/* DPDK baseline: initialise it (or record why not) in s->dpdk_on and
 * s->dpdk_hdr; one rep of a DPDK row (K_DPDK, K_DPDK_BASE). */
void ngb_dpdk_setup(struct ngb_suite *s, const struct ngb_opts *o);
#ifdef NGB_HAVE_DPDK
void ngb_run_dpdk(const struct ngb_opts *o, struct cfg *c, int rep);
#endif

struct memres {
    double node_bytes, hook_bytes;
    uint64_t nodes;
};

struct memres ngb_mem_measure(enum ng_backend b);

/* ------------------------------------------------------------------------ */
/* Graph size (size.c)                                                      */
/* ------------------------------------------------------------------------ */

void ngb_size_run(const struct ngb_opts *o, struct ngb_suite *s);
void ngb_size_report(const struct ngb_suite *s);
/* Sizes with a failed operation (must be 0). */
int ngb_size_failures(const struct ngb_suite *s);

/* ------------------------------------------------------------------------ */
/* Control socket (control.c)                                               */
/* ------------------------------------------------------------------------ */

void ngb_control_run(const struct ngb_opts *o, struct ngb_suite *s);
void ngb_control_report(const struct ngb_suite *s);
/* Failed steps or lost messages (must be 0). */
int ngb_control_failures(const struct ngb_suite *s);

/* ------------------------------------------------------------------------ */
/* Node types (types.c)                                                     */
/* ------------------------------------------------------------------------ */

void ngb_types_run(const struct ngb_opts *o, struct ngb_suite *s);
void ngb_types_report(const struct ngb_suite *s);
/* Median of v[0..reps) over r's quiet reps (all if none). */
static inline double ngb_types_med(const struct ngb_types_res *r, const double *v)
{
    return ngb_quiet_med(v, r->quiet, r->reps);
}
void ngb_entry_run(const struct ngb_opts *o, struct ngb_suite *s);
void ngb_entry_report(const struct ngb_suite *s);
static inline double ngb_entry_med(const struct ngb_entry_res *r, const double *v)
{
    return ngb_quiet_med(v, r->quiet, r->reps);
}

/* ------------------------------------------------------------------------ */
/* Network (net.c)                                                          */
/* ------------------------------------------------------------------------ */

void ngb_net_run(const struct ngb_opts *o, struct ngb_suite *s);
void ngb_net_report(const struct ngb_suite *s);
/* Rows that failed (must be 0; a skipped scenario has none). */
int ngb_net_failures(const struct ngb_suite *s);
/* Row of kind k, frame size, workers; NULL if it did not run. */
const struct ngb_net_row *ngb_net_find(const struct ngb_net_res *r, int kind, int size,
                                       int workers);
const char *ngb_net_kind_name(int kind);
/* Median [min-max] of v over r's quiet reps (all if none). */
struct mstat ngb_net_stat(const struct ngb_net_row *r, const double *v);
/* a.fps / b.fps, rep by rep (the two ran side by side), over the reps both
 * were quiet in (all if none); *nq gets that count. */
struct mstat ngb_net_ratio(const struct ngb_net_row *a, const struct ngb_net_row *b, int *nq);

/* ------------------------------------------------------------------------ */
/* Machine (machine.c)                                                      */
/* ------------------------------------------------------------------------ */

struct machine {
    char cpu[128], date[64], kernel[512];
    long ncpu;
    double other_load;   /* fraction of the machine's CPU used by others */
    double spin_scaling; /* ncpu threads of pure ALU work vs one thread */
};

/* The machine's CPU jiffies and this process's CPU time at one moment. */
struct ngb_load {
    uint64_t busy, total;
    double self_s;
};

void ngb_machine_info(struct machine *m);
double ngb_spin_scaling(int W);
void ngb_load_sample(struct ngb_load *l);
/* The contention probe: `iters` steps of ALU and L1 work (300000: about
 * 1 ms) on every online CPU at once (threads pinned to each); returns the
 * slowest CPU's throughput (steps per second).  Lower than the suite's best
 * = some other process (or the hypervisor) took part of a CPU. */
double ngb_probe(unsigned iters);
/* Fraction of the machine's CPU used by other processes since l (0 if the
 * kernel's counters did not move). */
double ngb_load_other(const struct ngb_load *l);

/* ------------------------------------------------------------------------ */
/* Output (report.c, plots.c, targets.c)                                    */
/* ------------------------------------------------------------------------ */

void ngb_report_intro(const struct ngb_opts *o, const struct machine *m);
void ngb_report_dpdk(const struct ngb_opts *o, const struct ngb_suite *s);
void ngb_report_method(const struct ngb_opts *o, const struct machine *m);
void ngb_report_results(const struct ngb_opts *o, const struct ngb_suite *s,
                        const struct machine *m, const struct memres *mem);
int ngb_write_outputs(const struct ngb_opts *o, const struct ngb_suite *s, const struct machine *m,
                      const struct memres *mem, double runtime);
void ngb_write_plots(const struct ngb_opts *o, const struct ngb_suite *s, const struct machine *m);
void ngb_targets_eval(struct ngb_suite *s, const struct ngb_opts *o, long ncpu);
void ngb_targets_print(const struct ngb_suite *s);
const char *ngb_verdict(const struct target *t);

#endif
