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
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ngraph/ngraph.h>

#include "ngb_clock.h"
#include <ngraph/runtime.h>

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

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

/* ------------------------------------------------------------------------ */
/* Time, small helpers                                                      */
/* ------------------------------------------------------------------------ */


static void sleep_until(uint64_t t)
{
    struct timespec ts = {.tv_sec = (time_t)(t / 1000000000ull),
                          .tv_nsec = (long)(t % 1000000000ull)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static void pin_cpu(int cpu)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu < 1)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu % ncpu, &set);
    (void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;
    if (!f)
        return -1;
    if (fscanf(f, "%ld %ld", &size, &res) != 2)
        res = -1;
    fclose(f);
    return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

struct mstat {
    double med, min, max;
    int n;
};
static struct mstat stat_of(const double *v, int n)
{
    struct mstat s = {NAN, NAN, NAN, 0};
    double tmp[MAXREPS];
    int k = 0;
    for (int i = 0; i < n && k < MAXREPS; i++)
        if (!isnan(v[i]))
            tmp[k++] = v[i];
    if (k == 0)
        return s;
    qsort(tmp, (size_t)k, sizeof(double), cmp_double);
    s.n = k;
    s.min = tmp[0];
    s.max = tmp[k - 1];
    s.med = (k & 1) ? tmp[k / 2] : 0.5 * (tmp[k / 2 - 1] + tmp[k / 2]);
    return s;
}

/* ------------------------------------------------------------------------ */
/* Per-thread counters (single writer each: no shared cache line)           */
/* ------------------------------------------------------------------------ */

struct tslot {
    /* Items freed by a sink on this thread.  Single writer (load + store, no
     * locked instruction); atomic so that the runtime scenario's producer
     * may read it for its in-flight window. */
    _Atomic uint64_t delivered;
    uint64_t nohook;    /* items dropped by a bench node (out hook gone) */
    uint32_t *lat;      /* latency samples (ns) */
    uint32_t nlat, caplat;
    clockid_t clk;      /* runtime scenario: the worker thread's CPU clock */
    _Atomic int clk_ok; /* clk is set (release) */
    char pad[64];
};

static int verbose; /* -v */

static _Thread_local struct tslot *tl_slot;
/* Threads without a slot (none in practice: a thread draining a node queue
 * is always a worker, a runtime worker or the control thread). */
static _Atomic uint64_t other_delivered, other_nohook;

/*
 * Runtime scenario: the sinks run on the engine's worker threads, which the
 * bench does not create.  The first item a runtime worker delivers binds
 * the thread to the slot of its worker index (ng_runtime_current_worker) and
 * publishes the thread's CPU clock, so the bench can measure the worker's
 * CPU time from outside.  rt_slots[] is written before rt_cur (release).
 */
static _Atomic(struct ng_runtime *) rt_cur;
static struct tslot *rt_slots[MAXW];

static __attribute__((noinline, cold)) struct tslot *rt_bind_slot(void)
{
    struct ng_runtime *rt = atomic_load_explicit(&rt_cur, memory_order_acquire);
    if (!rt)
        return NULL;
    int i = ng_runtime_current_worker(rt);
    if (i < 0 || i >= MAXW || !rt_slots[i])
        return NULL;
    struct tslot *s = rt_slots[i];
    if (pthread_getcpuclockid(pthread_self(), &s->clk) == 0)
        atomic_store_explicit(&s->clk_ok, 1, memory_order_release);
    tl_slot = s; /* the thread exits with the runtime, before the slot is reused */
    return s;
}

static inline struct tslot *my_slot(void)
{
    struct tslot *s = tl_slot;
    return __builtin_expect(s != NULL, 1) ? s : rt_bind_slot();
}

static inline void sink_work(struct ng_item *it)
{
    uint64_t ts = ((const uint64_t *)ng_item_meta(it))[0];
    struct tslot *s = my_slot();
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
        atomic_fetch_add(&other_delivered, 1);
}

static inline void count_nohook(void)
{
    struct tslot *s = my_slot();
    if (s)
        s->nohook++;
    else
        atomic_fetch_add(&other_nohook, 1);
}

/* ------------------------------------------------------------------------ */
/* Bench node types                                                         */
/* ------------------------------------------------------------------------ */

/*
 * pass: hooks "in" and "out"; forwards what arrives on "in" out of "out".
 * The in hook's private pointer IS the out hook (or NULL), so rcvdata is one
 * load and a send: the netgraph idiom of keeping the forwarding target in
 * hook private data.  The connect and disconnect methods (which run under
 * the graph's control lock and may overlap rcvdata) re-point it with the
 * engine's release store; the node private data (bpriv) remembers both
 * hooks for them.  A hook read just before disconnect stays valid memory
 * until a grace period (with every backend: the rwlock baseline also
 * reclaims through an embedded ck_epoch, docs/design.md section 4), so the
 * node needs no reference of its own, and sending on it drops the item with
 * -ENOTCONN (counted by the engine).  Data arriving on "out" finds a NULL
 * private pointer and is dropped (counted as "no hook").
 * fan: hooks "in", "o0".."o3"; 3 copies + the original, one per out hook;
 * every hook's private pointer is the node's private data, which caches the
 * out hooks (atomic pointers).
 */
#define FAN 4
struct bpriv {
    _Atomic(struct ng_hook *) out[FAN];
    struct ng_hook *in; /* pass: the connected in hook (control path only) */
};

static int b_ctor(struct ng_node *n)
{
    struct bpriv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    ng_node_set_private(n, p);
    return 0;
}

static void b_shutdown(struct ng_node *n)
{
    free(ng_node_private(n));
    ng_node_set_private(n, NULL);
}

static int out_index(const char *name)
{
    if (strcmp(name, "out") == 0)
        return 0;
    if (name[0] == 'o' && name[1] >= '0' && name[1] < '0' + FAN && name[2] == '\0')
        return name[1] - '0';
    return -1;
}

static int b_newhook(struct ng_node *n, struct ng_hook *h, const char *name)
{
    if (strcmp(name, "in") != 0 && out_index(name) < 0)
        return -EINVAL;
    ng_hook_set_private(h, ng_node_private(n));
    return 0;
}

static int b_connect(struct ng_hook *h)
{
    int i = out_index(ng_hook_name(h));
    if (i >= 0) {
        struct bpriv *p = ng_hook_private(h);
        atomic_store_explicit(&p->out[i], h, memory_order_release);
    }
    return 0;
}

static int b_disconnect(struct ng_hook *h)
{
    int i = out_index(ng_hook_name(h));
    if (i >= 0) {
        struct bpriv *p = ng_hook_private(h);
        struct ng_hook *exp = h;
        (void)atomic_compare_exchange_strong(&p->out[i], &exp, NULL);
    }
    return 0;
}

static int pass_newhook(struct ng_node *n, struct ng_hook *h, const char *name)
{
    struct bpriv *p = ng_node_private(n);
    if (strcmp(name, "in") == 0)
        ng_hook_set_private(h, atomic_load_explicit(&p->out[0], memory_order_relaxed));
    else if (strcmp(name, "out") != 0)
        return -EINVAL;
    return 0;
}

static int pass_connect(struct ng_hook *h)
{
    struct bpriv *p = ng_node_private(ng_hook_node(h));
    if (strcmp(ng_hook_name(h), "in") == 0) {
        p->in = h;
    } else {
        atomic_store_explicit(&p->out[0], h, memory_order_relaxed);
        if (p->in)
            ng_hook_set_private(p->in, h);
    }
    return 0;
}

static int pass_disconnect(struct ng_hook *h)
{
    struct bpriv *p = ng_node_private(ng_hook_node(h));
    if (strcmp(ng_hook_name(h), "in") == 0) {
        if (p->in == h)
            p->in = NULL;
    } else if (atomic_load_explicit(&p->out[0], memory_order_relaxed) == h) {
        atomic_store_explicit(&p->out[0], NULL, memory_order_relaxed);
        if (p->in)
            ng_hook_set_private(p->in, NULL);
    }
    return 0;
}

static int pass_rcvdata(struct ng_hook *h, struct ng_item *it)
{
    struct ng_hook *o = ng_hook_private(h); /* "in": the out hook; "out": NULL */
    if (__builtin_expect(o == NULL, 0)) {
        count_nohook();
        ng_item_free(it);
        return -ENOTCONN;
    }
    return ng_send_data(o, it);
}

static int fan_rcvdata(struct ng_hook *h, struct ng_item *it)
{
    struct bpriv *p = ng_hook_private(h);
    for (int i = 0; i < FAN; i++) {
        struct ng_item *c = i == FAN - 1 ? it : ng_item_copy(it);
        if (!c)
            continue; /* counted by the engine as an allocation drop */
        struct ng_hook *o = atomic_load_explicit(&p->out[i], memory_order_acquire);
        if (!o) {
            count_nohook();
            ng_item_free(c);
            continue;
        }
        ng_send_data(o, c);
    }
    return 0;
}

static int sink_rcvdata(struct ng_hook *h, struct ng_item *it)
{
    (void)h;
    sink_work(it);
    return 0;
}

static int null_newhook(struct ng_node *n, struct ng_hook *h, const char *name)
{
    (void)n, (void)h, (void)name;
    return 0;
}

#define T_PASS 0
#define T_FAN 1
#define T_SINK 2
#define T_NULL 3
static const char *const type_names[2][4] = {
    {"bpass", "bfan", "bsink", "bnull"},
    {"bpass_sh", "bfan_sh", "bsink_sh", "bnull_sh"},
};
static struct ng_type btypes[2][4];

static void types_init(void)
{
    for (int m = 0; m < 2; m++) {
        for (int k = 0; k < 4; k++) {
            struct ng_type *t = &btypes[m][k];
            memset(t, 0, sizeof(*t));
            t->version = NG_ABI_VERSION;
            t->name = type_names[m][k];
            t->cookie = 0x6e676200u + (uint32_t)(m * 4 + k);
            t->flags = m ? NG_TYPE_CONCURRENT_DATA : 0;
            if (k == T_NULL) {
                t->newhook = null_newhook;
                continue;
            }
            t->constructor = b_ctor;
            t->shutdown = b_shutdown;
            t->newhook = k == T_PASS ? pass_newhook : b_newhook;
            t->connect = k == T_PASS ? pass_connect : b_connect;
            t->disconnect = k == T_PASS ? pass_disconnect : b_disconnect;
            t->rcvdata = k == T_PASS ? pass_rcvdata : k == T_FAN ? fan_rcvdata : sink_rcvdata;
        }
    }
}

static int types_register(struct ng_graph *g)
{
    for (int m = 0; m < 2; m++)
        for (int k = 0; k < 4; k++) {
            int rc = ng_type_register(g, &btypes[m][k]);
            if (rc < 0)
                return rc;
        }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Floor: plain structs, one indirect call per hop                          */
/* ------------------------------------------------------------------------ */

struct fnode {
    int (*fn)(struct fnode *self, struct ng_item *it);
    _Atomic(struct fnode *) next;
    struct fnode *outs[FAN];
    char pad[64 - sizeof(void *) * (2 + FAN)];
};

static int floor_pass(struct fnode *n, struct ng_item *it)
{
    struct fnode *nx = atomic_load_explicit(&n->next, memory_order_acquire);
    if (__builtin_expect(nx == NULL, 0)) {
        count_nohook();
        ng_item_free(it);
        return -ENOTCONN;
    }
    int rc = nx->fn(nx, it);
    /* Keep a real call + return per hop (no tail jump), as the engine nests. */
    __asm__ volatile("" ::: "memory");
    return rc;
}

static int floor_fan(struct fnode *n, struct ng_item *it)
{
    for (int i = 0; i < FAN; i++) {
        struct ng_item *c = i == FAN - 1 ? it : ng_item_copy(it);
        if (!c)
            continue;
        struct fnode *o = n->outs[i];
        o->fn(o, c);
    }
    return 0;
}

static int floor_sink(struct fnode *n, struct ng_item *it)
{
    (void)n;
    sink_work(it);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Configurations and results                                               */
/* ------------------------------------------------------------------------ */

/* K_DPDK_BASE, K_DPDK: the optional rte_graph baseline (bench/dpdk_graph.c),
 * chain scenario only; never created without NGB_HAVE_DPDK. */
enum kind { K_BASE, K_FLOOR, K_ENGINE, K_DPDK_BASE, K_DPDK };
enum scen { S_CHAIN, S_FANOUT, S_SCALE, S_CHURN, S_RUNTIME, NSCEN };
static const char *const scen_names[NSCEN] = {"chain", "fanout", "scale", "churn", "runtime"};
static const char *const mode_names[] = {"netgraph", "shared"};
static const char *const layout_names[] = {"private", "shared"};

struct cfg {
    enum scen scen;
    enum kind kind;
    int backend;      /* enum ng_backend, engine only */
    int mode;         /* 0 netgraph, 1 shared (engine only) */
    int n;            /* pass nodes in the chain (fanout: 1 fan node) */
    int workers;
    int layout;       /* scale, runtime: 0 private chains, 1 one shared chain */
    double rate;      /* churn: target topology changes per second */
    int burst;        /* dpdk: objects per graph walk (1 or 32) */
    unsigned dflags;  /* dpdk: NGB_DPDK_F_* (NOSTATS: walk without graph statistics) */
    char dmode[16];   /* dpdk: mode label, "b1", "b32-nostats", ... */
    int walk_stats;   /* dpdk chain: 1 if the walk kept rte_graph statistics (from the run) */
    double seconds;
    int group;
    int floor_idx, base_idx, ref_idx; /* -1 if none */
    /* per-rep results */
    int nrep;
    double thr[MAXREPS];      /* items per second of worker CPU time, summed over workers */
    double thrw[MAXREPS];     /* items per wall-clock second, all workers */
    double nsitem[MAXREPS];   /* ns per item per worker */
    double ratio[MAXREPS];    /* ns/item vs floor of the same rep */
    double hopratio[MAXREPS]; /* (ns/item - base) vs floor's, same rep */
    double nshop[MAXREPS];
    double refratio[MAXREPS]; /* churn: delivered vs rate 0; scale, runtime: vs 1 worker */
    double wallref[MAXREPS];  /* scale, runtime: items per wall second vs 1 worker */
    double injratio[MAXREPS]; /* churn: injected vs rate 0 */
    double good[MAXREPS];     /* delivered items per CPU second (thr x delivered share) */
    double achieved[MAXREPS]; /* churn ops/s achieved */
    double us_change[MAXREPS]; /* churn: control-thread wall time per change */
    double p50[MAXREPS], p99[MAXREPS], p999[MAXREPS];
    double drops_rep[MAXREPS];
    double defer_peak[MAXREPS];
    double waitpct[MAXREPS];  /* runtime: % of timed submits that waited for window room */
    double idle[MAXREPS];     /* runtime: fraction of the workers' wall time asleep */
    uint64_t sent, delivered, dropped, notconn, nohook, churn_ops;
    uint64_t sub_fail, bp_waits; /* runtime: failed submits, producer waits (all reps) */
    long rss_before, rss_after; /* of the last rep */
    bool acct_ok;
    int acct_fail;
};

static struct cfg *cfgs;
static int ncfg, cfgcap;
static int ngroups;

static int cfg_add(struct cfg c)
{
    if (ncfg == cfgcap) {
        cfgcap = cfgcap ? cfgcap * 2 : 64;
        cfgs = realloc(cfgs, (size_t)cfgcap * sizeof(*cfgs));
        if (!cfgs) {
            perror("realloc");
            exit(2);
        }
    }
    c.acct_ok = true;
    c.walk_stats = -1;
    c.floor_idx = c.base_idx = c.ref_idx = -1;
    cfgs[ncfg] = c;
    return ncfg++;
}

/* ------------------------------------------------------------------------ */
/* One run                                                                  */
/* ------------------------------------------------------------------------ */

struct worker {
    pthread_t tid;
    int idx, cpu;
    struct run *run;
    struct ng_hook *head;   /* engine: injection hook */
    struct fnode *fhead;    /* floor */
    struct tslot slot;
    uint64_t sent, alloc_fail, timed, t_ns, cpu_ns;
};

/*
 * Runtime scenario: an application thread feeding runtime workers with
 * ng_runtime_submit().  Producer p serves workers p, p + P, p + 2P, ... (one
 * producer per RT_PER_PRODUCER workers), so each per-worker counter below
 * has a single writer.  ng_runtime_submit() never refuses an item because a
 * queue is full (the worker queues are unbounded, see docs/runtime.md), so
 * the producer applies backpressure itself: at most rt_window items may be
 * queued on or running in a worker (submitted - delivered by that worker);
 * a worker with no room is skipped, and when all of its workers are full the
 * producer yields (counted in bp_waits) until one has drained to half a
 * window.  Without it the producer, cheaper per item than a 16-hop chain,
 * would grow the queues (and the latency) without bound.
 */
#define MAXP 8
#define RT_PER_PRODUCER 8
static unsigned rt_window = 128; /* --rt-window */
static unsigned rt_spin;          /* --rt-spin: ng_runtime_config.spin, 0 = engine default */

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
    uint64_t sub_fail;   /* submits that returned an error (item consumed anyway) */
    uint64_t sub_freed;  /* of which freed by the engine without a drop count (-EINVAL) */
    uint64_t bp_waits;   /* timed phase: submits that found every served worker's window full */
    uint64_t timed;      /* timed phase: items submitted */
    int first_err;
};

struct run {
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

static inline void inject_one(struct worker *w, struct ng_graph *g, enum kind k, unsigned seq)
{
    struct ng_item *it = ng_item_alloc(g, 64);
    if (__builtin_expect(it == NULL, 0)) {
        w->alloc_fail++;
        return;
    }
    if ((seq & LAT_SAMPLE_MASK) == 0)
        ((uint64_t *)ng_item_meta(it))[0] = ngb_now_ns();
    w->sent++;
    if (k == K_ENGINE)
        ng_send_data(w->head, it);
    else if (k == K_FLOOR)
        w->fhead->fn(w->fhead, it);
    else
        sink_work(it);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct run *r = w->run;
    struct ng_graph *g = r->g;
    enum kind k = r->c->kind;
    pin_cpu(w->cpu);
    tl_slot = &w->slot;
    ng_thread_register(g);
    unsigned seq = (unsigned)w->idx * 7u;
    for (int i = 0; i < WARMUP_ITEMS; i++)
        inject_one(w, g, k, seq++);
    w->slot.nlat = 0; /* keep only timed samples */
    pthread_barrier_wait(&r->bar);
    uint64_t t0 = ngb_now_ns(), c0 = ngb_cpu_ns(), cnt = 0;
    /* Engine runs inject in batches of 64 items per read-side section
     * (ng_batch_begin/end: a few microseconds, so grace periods and churn
     * are not held up), as a DPDK worker reports one quiescent state per
     * loop; items still travel the chain one at a time. */
    bool batch = k == K_ENGINE;
    while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
        if (batch)
            ng_batch_begin(g);
        for (int i = 0; i < 64; i++)
            inject_one(w, g, k, seq++);
        if (batch)
            ng_batch_end(g);
        cnt += 64;
    }
    w->t_ns = ngb_now_ns() - t0;
    w->cpu_ns = ngb_cpu_ns() - c0;
    w->timed = cnt;
    ng_thread_unregister(g);
    tl_slot = NULL;
    return NULL;
}

/* Churn: one "change" is one of: disconnect the middle link, reconnect it
 * (done back to back), insert a node into the link (create, disconnect,
 * connect both sides), remove that node (shutdown, reconnect).  Cycle of 4
 * changes, paced so that the average is the target rate. */
static int churn_op(struct run *r, uint64_t op, struct ng_node **x)
{
    struct ng_graph *g = r->g;
    int rc = 0;
    switch (op & 3) {
    case 0:
        rc = ng_rmhook(r->mid, "out");
        break;
    case 1:
        rc = ng_connect(r->mid, "out", r->nxt, "in");
        break;
    case 2:
        if ((rc = ng_node_create(g, r->passtype, x)) < 0)
            break;
        if ((rc = ng_rmhook(r->mid, "out")) < 0)
            break;
        if ((rc = ng_connect(r->mid, "out", *x, "in")) < 0)
            break;
        rc = ng_connect(*x, "out", r->nxt, "in");
        break;
    default:
        if (*x) {
            ng_node_shutdown(*x);
            ng_node_unref(*x);
            *x = NULL;
        }
        rc = ng_connect(r->mid, "out", r->nxt, "in");
        break;
    }
    return rc;
}

static void *churn_main(void *arg)
{
    struct run *r = arg;
    struct ng_graph *g = r->g;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    pin_cpu((int)(ncpu > 1 ? ncpu - 1 : 0));
    (void)prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* precise pacing */
    tl_slot = &r->ctl_slot;
    ng_thread_register(g);
    pthread_barrier_wait(&r->bar);
    struct ng_node *x = NULL;
    uint64_t period = (uint64_t)(1e9 / r->c->rate);
    uint64_t t0 = ngb_now_ns(), next = t0, op = 0;
    while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
        uint64_t b0 = ngb_now_ns();
        if (churn_op(r, op, &x) < 0)
            r->ctl_err++;
        r->busy_ns += ngb_now_ns() - b0;
        op++;
        if ((op & 7) == 0) {
            struct ng_graph_stats st;
            ng_graph_stats(g, &st);
            if (st.defer_pending > r->defer_peak)
                r->defer_peak = st.defer_pending;
        }
        next += period;
        if ((op & 3) == 1)
            continue; /* reconnect right after the disconnect: short gap */
        /* Average-rate pacing: a late wake-up (sleep overshoot on a busy
         * machine) is caught up by the next changes; only a backlog of more
         * than 50 ms is forgotten.  Sleeps shorter than 20 us are skipped. */
        uint64_t now = ngb_now_ns();
        if (next + 50000000ull < now)
            next = now;
        if (next > now + 20000)
            sleep_until(next);
    }
    r->ctl_ns = ngb_now_ns() - t0;
    r->ops = op;
    /* Leave the chain whole. */
    while (op & 3) {
        if (churn_op(r, op, &x) < 0)
            r->ctl_err++;
        op++;
    }
    ng_thread_unregister(g);
    tl_slot = NULL;
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Runtime scenario: producer -> ng_runtime_submit -> worker -> chain       */
/* ------------------------------------------------------------------------ */

/* Served worker (index into p's arrays) with room in its in-flight window,
 * round robin; -1 if all are full and the run is stopping. */
static int rt_pick(struct producer *p, struct run *r)
{
    for (bool waited = false;; waited = true) {
        for (int n = 0; n < p->nw; n++) {
            int k = p->next;
            p->next = k + 1 == p->nw ? 0 : k + 1;
            if (p->credit[k])
                return k;
            uint64_t done = atomic_load_explicit(&r->w[p->wid[k]].slot.delivered,
                                                 memory_order_relaxed);
            uint64_t inflight = p->sub[k] > done ? p->sub[k] - done : 0;
            if (inflight <= rt_window / 2) { /* hysteresis: refill in bursts */
                p->credit[k] = rt_window - inflight;
                return k;
            }
        }
        if (!waited)
            p->bp_waits++; /* this submit waits (counted once) */
        if (atomic_load_explicit(&r->stop, memory_order_relaxed))
            return -1;
        sched_yield(); /* on a shared core, let the worker run */
    }
}

/* Submit up to n items (bounded by worker k's window credit) to worker k in
 * one ng_runtime_submit_burst(); items whose sequence number is a multiple
 * of the latency sampling period carry a timestamp.  Returns the number of
 * items handed over (or consumed by a failed submit). */
#define RT_BURST 32
static unsigned rt_submit(struct producer *p, struct ng_graph *g, struct ng_runtime *rt, int k,
                          unsigned n, bool timed)
{
    struct ng_item *items[RT_BURST];
    if (n > RT_BURST)
        n = RT_BURST;
    if (n > p->credit[k] && p->credit[k] > 0)
        n = (unsigned)p->credit[k];
    unsigned m = 0;
    for (; m < n; m++) {
        struct ng_item *it = ng_item_alloc(g, 64);
        if (__builtin_expect(it == NULL, 0)) {
            p->alloc_fail++;
            break;
        }
        if (timed && (p->seq++ & LAT_SAMPLE_MASK) == 0)
            ((uint64_t *)ng_item_meta(it))[0] = ngb_now_ns();
        items[m] = it;
    }
    if (m == 0)
        return 0;
    int rc = ng_runtime_submit_burst(rt, p->wid[k], p->head[k], items, m);
    if (__builtin_expect(rc == 0, 1)) {
        p->sub[k] += m;
        p->credit[k] = p->credit[k] > m ? p->credit[k] - m : 0;
        return m;
    }
    /* runtime.h: submit consumes the items in every case.  -ESHUTDOWN:
     * dropped and counted by the engine (NG_DROP_QUEUE, in the graph's
     * drops); -EINVAL: freed without a drop count, so the bench counts them.
     * Neither is expected while the run lasts (valid arguments, runtime not
     * stopping): the run is reported as failed. */
    p->sub_fail += m;
    if (rc != -ESHUTDOWN)
        p->sub_freed += m;
    if (!p->first_err)
        p->first_err = rc;
    return m;
}

static void *producer_main(void *arg)
{
    struct producer *p = arg;
    struct run *r = p->run;
    struct ng_graph *g = r->g;
    struct ng_runtime *rt = r->rt;
    pin_cpu(p->cpu);
    /* Not needed by ng_runtime_submit (any thread may call it); gives the
     * thread its item cache up front, like the other scenarios' workers. */
    ng_thread_register(g);
    for (int i = 0; i < WARMUP_ITEMS;) {
        unsigned m = rt_submit(p, g, rt, rt_pick(p, r), RT_BURST, false);
        i += m ? (int)m : 1;
    }
    /* Let the warm-up items reach the sinks before the timed phase. */
    uint64_t give_up = ngb_now_ns() + 2000000000ull;
    for (int k = 0; k < p->nw && ngb_now_ns() < give_up; k++)
        while (atomic_load_explicit(&r->w[p->wid[k]].slot.delivered, memory_order_relaxed) <
                   p->sub[k] &&
               ngb_now_ns() < give_up)
            sched_yield();
    p->bp_waits = 0;
    pthread_barrier_wait(&r->bar);
    while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
        for (int i = 0; i < 2; i++) {
            int k = rt_pick(p, r);
            if (k < 0)
                break;
            p->timed += rt_submit(p, g, rt, k, RT_BURST, true);
        }
    }
    ng_thread_unregister(g);
    return NULL;
}

/* CPU time consumed so far by runtime worker i's thread (0 if unknown). */
static uint64_t rt_worker_cpu(struct run *r, int i)
{
    struct tslot *s = &r->w[i].slot;
    struct timespec ts;
    if (!atomic_load_explicit(&s->clk_ok, memory_order_acquire) ||
        clock_gettime(s->clk, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * One runtime run: start W pinned workers, P producers, measure for
 * c->seconds, stop the producers, then ng_runtime_stop() (drains every
 * queue).  Fills r->w[i] like the injecting workers of the other scenarios:
 * sent = items queued on worker i, timed = items worker i delivered in the
 * timed window, cpu_ns = its CPU time in that window, t_ns = the window.
 */
static void rt_run(struct run *r, struct ng_hook *const *heads, int nchains)
{
    struct cfg *c = r->c;
    int W = c->workers;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu < 1)
        ncpu = 1;
    for (int i = 0; i < W; i++) {
        struct worker *w = &r->w[i];
        w->idx = i;
        w->run = r;
        w->head = heads[i % nchains];
        w->slot.caplat = LAT_CAP;
        w->slot.lat = malloc(LAT_CAP * sizeof(uint32_t));
        rt_slots[i] = &w->slot;
    }
    /* Worker i pinned to CPU i % ncpu, like the other scenarios' workers. */
    int cpus[MAXW];
    for (int i = 0; i < W; i++)
        cpus[i] = (int)(i % ncpu);
    struct ng_runtime_config rc;
    ng_runtime_config_init(&rc);
    rc.nworkers = (unsigned)W;
    rc.cpus = cpus;
    rc.ncpus = (unsigned)W;
    if (rt_spin)
        rc.spin = rt_spin;
    if (ng_runtime_start(r->g, &rc, &r->rt) < 0) {
        fprintf(stderr, "ngbench: ng_runtime_start failed\n");
        exit(2);
    }
    atomic_store_explicit(&rt_cur, r->rt, memory_order_release);
    int P = (W + RT_PER_PRODUCER - 1) / RT_PER_PRODUCER;
    r->np = P;
    pthread_barrier_init(&r->bar, NULL, (unsigned)(P + 1));
    for (int p = 0; p < P; p++) {
        struct producer *pr = &r->prod[p];
        pr->idx = p;
        pr->run = r;
        pr->cpu = (int)((ncpu - 1 - p % ncpu + ncpu) % ncpu); /* from the last CPU down */
        for (int i = p; i < W; i += P) {
            pr->wid[pr->nw] = i;
            pr->head[pr->nw] = r->w[i].head;
            pr->nw++;
        }
        pthread_create(&pr->tid, NULL, producer_main, pr);
    }
    pthread_barrier_wait(&r->bar);
    uint64_t d0[MAXW], c0[MAXW], idle0[MAXW];
    uint64_t t0 = ngb_now_ns();
    for (int i = 0; i < W; i++) {
        struct ng_worker_stats ws;
        d0[i] = atomic_load_explicit(&r->w[i].slot.delivered, memory_order_relaxed);
        c0[i] = rt_worker_cpu(r, i);
        idle0[i] = ng_runtime_worker_stats(r->rt, (unsigned)i, &ws) == 0 ? ws.idle_ns : 0;
    }
    sleep_until(t0 + (uint64_t)(c->seconds * 1e9));
    atomic_store(&r->stop, 1);
    uint64_t t1 = ngb_now_ns(), idle = 0;
    for (int i = 0; i < W; i++) {
        struct worker *w = &r->w[i];
        struct ng_worker_stats ws;
        uint64_t c1 = rt_worker_cpu(r, i);
        w->timed = atomic_load_explicit(&w->slot.delivered, memory_order_relaxed) - d0[i];
        w->cpu_ns = c0[i] && c1 > c0[i] ? c1 - c0[i] : 0;
        w->t_ns = t1 - t0;
        if (ng_runtime_worker_stats(r->rt, (unsigned)i, &ws) == 0) {
            idle += ws.idle_ns - idle0[i];
            if (verbose)
                fprintf(stderr, "\n  worker %d (cpu %d): %" PRIu64 " items, %.1f ns CPU/item, "
                        "%.1f%% asleep, %" PRIu64 " wake-ups, %" PRIu64 " drains, queue %" PRIu64,
                        i, ng_runtime_pinned(r->rt, (unsigned)i), w->timed,
                        w->timed ? (double)w->cpu_ns / (double)w->timed : 0,
                        100.0 * (double)(ws.idle_ns - idle0[i]) / (double)(t1 - t0), ws.wakeups,
                        ws.drains, ws.queue_depth);
        }
    }
    r->idle = (double)idle / ((double)W * (double)(t1 - t0));
    for (int p = 0; p < P; p++)
        pthread_join(r->prod[p].tid, NULL);
    ng_runtime_stop(r->rt); /* drains the worker and node queues */
    atomic_store_explicit(&rt_cur, NULL, memory_order_release);
    for (int i = 0; i < W; i++)
        rt_slots[i] = NULL;
    r->rt = NULL;
    for (int p = 0; p < P; p++) {
        struct producer *pr = &r->prod[p];
        for (int k = 0; k < pr->nw; k++)
            r->w[pr->wid[k]].sent = pr->sub[k];
        r->sub_fail += pr->sub_fail;
        r->sub_freed += pr->sub_freed;
        r->alloc_fail += pr->alloc_fail;
        r->bp_waits += pr->bp_waits;
        r->timed_sub += pr->timed;
        if (pr->first_err && !r->sub_err)
            r->sub_err = pr->first_err;
    }
}

/* Topology of one engine run. */
struct topo {
    struct ng_node *nodes[MAXW * (MAXN + 8)];
    int nn;
};

static int mk(struct ng_graph *g, struct topo *tp, const char *type, struct ng_node **np)
{
    int rc = ng_node_create(g, type, np);
    if (rc == 0)
        tp->nodes[tp->nn++] = *np;
    return rc;
}

/* inj:out -> in:p0:out -> ... -> in:sink (or fan:o0..o3 -> sinks) */
static int build_engine(struct run *r, struct topo *tp, struct ng_hook **head, int chain_id)
{
    struct cfg *c = r->c;
    struct ng_graph *g = r->g;
    const char *const *tn = type_names[c->mode];
    struct ng_node *inj, *prev, *n;
    int rc;
    (void)chain_id;
    if ((rc = mk(g, tp, tn[T_PASS], &inj)) < 0)
        return rc;
    prev = inj;
    if (c->scen == S_FANOUT) {
        struct ng_node *fan;
        if ((rc = mk(g, tp, tn[T_FAN], &fan)) < 0 || (rc = ng_connect(inj, "out", fan, "in")) < 0)
            return rc;
        for (int i = 0; i < FAN; i++) {
            char hn[8];
            snprintf(hn, sizeof(hn), "o%d", i);
            if ((rc = mk(g, tp, tn[T_SINK], &n)) < 0 || (rc = ng_connect(fan, hn, n, "in")) < 0)
                return rc;
        }
    } else {
        for (int i = 0; i < c->n; i++) {
            if ((rc = mk(g, tp, tn[T_PASS], &n)) < 0 ||
                (rc = ng_connect(prev, "out", n, "in")) < 0)
                return rc;
            if (i == c->n / 2) {
                r->mid = n;
            } else if (i == c->n / 2 + 1) {
                r->nxt = n;
            }
            prev = n;
        }
        if ((rc = mk(g, tp, tn[T_SINK], &n)) < 0 || (rc = ng_connect(prev, "out", n, "in")) < 0)
            return rc;
        if (c->n / 2 + 1 >= c->n)
            r->nxt = n; /* short chain: churn the link into the sink */
    }
    return ng_hook_find(inj, "out", head);
}

static struct fnode *fnew(int (*fn)(struct fnode *, struct ng_item *), struct fnode ***all, int *nall)
{
    struct fnode *f = aligned_alloc(64, sizeof(struct fnode));
    if (!f) {
        perror("ngbench: aligned_alloc");
        exit(2);
    }
    memset(f, 0, sizeof(*f));
    f->fn = fn;
    (*all)[(*nall)++] = f;
    return f;
}

static struct fnode *build_floor(struct cfg *c, struct fnode ***all, int *nall)
{
    if (c->scen == S_FANOUT) {
        struct fnode *fan = fnew(floor_fan, all, nall);
        for (int i = 0; i < FAN; i++)
            fan->outs[i] = fnew(floor_sink, all, nall);
        return fan;
    }
    struct fnode *sink = fnew(floor_sink, all, nall), *nx = sink;
    for (int i = 0; i < c->n; i++) {
        struct fnode *p = fnew(floor_pass, all, nall);
        atomic_store(&p->next, nx);
        nx = p;
    }
    return nx;
}

static uint64_t drops_total(const struct ng_graph_stats *st)
{
    uint64_t d = 0;
    for (int i = 0; i < NG_DROP_REASONS; i++)
        d += st->drops[i];
    return d;
}

#ifdef NGB_HAVE_DPDK
/*
 * One DPDK rte_graph run (bench/dpdk_graph.c): on a thread of its own pinned
 * to CPU 0 like the engine's worker 0, ngb_dpdk_chain_run() (graph of N pass
 * nodes) or ngb_dpdk_base_run() (the same per-item work, no graph) at the
 * configuration's burst.  The module builds the graph and warms it up before
 * its timed window and destroys it after, so only the walk is measured.
 * Accounting: objects allocated == freed by the sink and none missing from
 * the mempool (the module's own check, -EIO), no allocation failure; any
 * error marks the run failed.
 */
struct dpdk_job {
    struct cfg *c;
    struct ngb_dpdk_result res;
    int rc;
};

static void *dpdk_main(void *arg)
{
    struct dpdk_job *j = arg;
    struct cfg *c = j->c;
    pin_cpu(0);
    if (c->kind == K_DPDK_BASE)
        j->rc = ngb_dpdk_base_run(c->burst, c->seconds, c->dflags, &j->res);
    else
        j->rc = ngb_dpdk_chain_run(c->n, c->burst, c->seconds, c->dflags, &j->res);
    return NULL;
}

static void run_dpdk(struct cfg *c, int rep)
{
    struct dpdk_job j;
    memset(&j, 0, sizeof(j));
    j.c = c;
    j.res.lat = malloc(LAT_CAP * sizeof(uint32_t));
    j.res.lat_cap = j.res.lat ? LAT_CAP : 0;
    pthread_t tid;
    if (pthread_create(&tid, NULL, dpdk_main, &j) != 0) {
        perror("ngbench: pthread_create");
        exit(2);
    }
    pthread_join(tid, NULL);
    const struct ngb_dpdk_result *r = &j.res;
    bool ok = j.rc == 0 && r->alloc_fail == 0 && r->allocated == r->freed;

    double cs = (double)r->cpu_ns / 1e9, ws = (double)r->wall_ns / 1e9;
    c->thr[rep] = r->items && cs > 0 ? (double)r->items / cs : NAN;
    c->thrw[rep] = r->items && ws > 0 ? (double)r->items / ws : NAN;
    c->nsitem[rep] = r->items ? r->ns_item : NAN;
    c->good[rep] = c->thr[rep];
    c->p50[rep] = c->p99[rep] = c->p999[rep] = NAN;
    if (r->nlat && j.res.lat) {
        size_t k = r->nlat;
        qsort(j.res.lat, k, sizeof(uint32_t), cmp_u32);
        c->p50[rep] = j.res.lat[(size_t)(0.5 * (double)(k - 1))];
        c->p99[rep] = j.res.lat[(size_t)(0.99 * (double)(k - 1))];
        c->p999[rep] = j.res.lat[(size_t)(0.999 * (double)(k - 1))];
    }
    free(j.res.lat);
    c->drops_rep[rep] = 0;
    c->achieved[rep] = c->defer_peak[rep] = 0;
    c->us_change[rep] = c->waitpct[rep] = c->idle[rep] = NAN;
    c->sent += r->allocated;
    c->delivered += r->freed;
    if (c->kind == K_DPDK && j.rc != -EINVAL && j.rc != -ENODEV)
        c->walk_stats = r->stats;
    if (!ok) {
        c->acct_ok = false;
        c->acct_fail++;
        fprintf(stderr,
                "\nngbench: %s chain dpdk%s/%s N=%d rep %d: rc %d (%s), allocated %" PRIu64
                " freed %" PRIu64 ", allocation failures %" PRIu64 "\n",
                j.rc == -EIO || (j.rc == 0 && r->allocated != r->freed) ? "ACCOUNTING FAILURE"
                                                                        : "RUN FAILURE",
                c->kind == K_DPDK_BASE ? "_base" : "", c->dmode, c->n, rep, j.rc,
                j.rc ? strerror(-j.rc) : "ok", r->allocated, r->freed, r->alloc_fail);
    }
    if (verbose)
        fprintf(stderr, "\n  %.2f ns/item, %" PRIu64 " items in %" PRIu64 " walks, lcore %u, "
                "graph stats %s\n", r->ns_item, r->items, r->walks, r->lcore,
                r->stats ? "on" : "off");
}
#endif

static void run_one(struct cfg *c, int rep)
{
#ifdef NGB_HAVE_DPDK
    if (c->kind == K_DPDK || c->kind == K_DPDK_BASE) {
        run_dpdk(c, rep);
        return;
    }
#endif
    static struct run rr;
    static struct topo tp;
    struct run *r = &rr;
    memset(r, 0, sizeof(*r));
    tp.nn = 0;
    r->c = c;
    struct ng_graph_config gc;
    ng_graph_config_init(&gc);
    gc.backend = c->kind == K_ENGINE ? (enum ng_backend)c->backend : NG_BACKEND_CK_EPOCH;
    if (ng_graph_create(&gc, &r->g) < 0 || types_register(r->g) < 0) {
        fprintf(stderr, "ngbench: graph setup failed\n");
        exit(2);
    }
    struct ng_graph *g = r->g;
    int W = c->workers;
    int nchains = ((c->scen == S_SCALE || c->scen == S_RUNTIME) && c->layout == 1) ? 1 : W;
    struct fnode **fall = NULL;
    int nfall = 0;
    struct ng_hook *heads[MAXW] = {0};
    struct fnode *fheads[MAXW] = {0};
    if (c->kind == K_ENGINE) {
        for (int i = 0; i < nchains; i++)
            if (build_engine(r, &tp, &heads[i], i) < 0) {
                fprintf(stderr, "ngbench: topology setup failed\n");
                exit(2);
            }
        r->passtype = type_names[c->mode][T_PASS];
    } else if (c->kind == K_FLOOR) {
        fall = calloc((size_t)nchains * (size_t)(c->n + FAN + 2), sizeof(*fall));
        for (int i = 0; i < nchains; i++)
            fheads[i] = build_floor(c, &fall, &nfall);
    }
    struct ng_graph_stats st0, st1;
    ng_graph_stats(g, &st0);

    bool churn = c->kind == K_ENGINE && c->scen == S_CHURN && c->rate > 0;
    long rss0;
    if (c->scen == S_RUNTIME) {
        rss0 = rss_kb();
        rt_run(r, heads, nchains);
    } else {
        pthread_barrier_init(&r->bar, NULL, (unsigned)(W + 1 + (churn ? 1 : 0)));
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        for (int i = 0; i < W; i++) {
            struct worker *w = &r->w[i];
            w->idx = i;
            w->cpu = (int)(i % (ncpu > 0 ? ncpu : 1));
            w->run = r;
            w->head = heads[i % nchains];
            w->fhead = fheads[i % nchains];
            w->slot.caplat = LAT_CAP;
            w->slot.lat = malloc(LAT_CAP * sizeof(uint32_t));
            pthread_create(&w->tid, NULL, worker_main, w);
        }
        if (churn)
            pthread_create(&r->ctl_tid, NULL, churn_main, r);
        pthread_barrier_wait(&r->bar);
        rss0 = rss_kb();
        uint64_t t0 = ngb_now_ns();
        sleep_until(t0 + (uint64_t)(c->seconds * 1e9));
        atomic_store(&r->stop, 1);
        for (int i = 0; i < W; i++)
            pthread_join(r->w[i].tid, NULL);
        if (churn)
            pthread_join(r->ctl_tid, NULL);
    }

    /* Accounting.  Runtime: a failed submit counts as sent; if the engine
     * freed it without a drop count (-EINVAL) the bench counts the drop. */
    uint64_t sent = r->sub_fail, allocf = r->alloc_fail;
    uint64_t deliv = atomic_exchange(&other_delivered, 0);
    uint64_t nohook = atomic_exchange(&other_nohook, 0);
    double thr = 0, thrw = 0, nsitem = 0;
    size_t nlat = 0;
    for (int i = 0; i < W; i++) {
        struct worker *w = &r->w[i];
        sent += w->sent;
        allocf += w->alloc_fail;
        deliv += atomic_load_explicit(&w->slot.delivered, memory_order_relaxed);
        nohook += w->slot.nohook;
        nlat += w->slot.nlat;
        double s = (double)w->t_ns / 1e9, cs = (double)w->cpu_ns / 1e9;
        thrw += s > 0 ? (double)w->timed / s : 0;
        thr += cs > 0 ? (double)w->timed / cs : 0;
        nsitem += w->timed ? (double)w->cpu_ns / (double)w->timed : 0;
    }
    deliv += atomic_load_explicit(&r->ctl_slot.delivered, memory_order_relaxed);
    nohook += r->ctl_slot.nohook;
    nsitem /= W;
    ng_graph_stats(g, &st1);
    uint64_t gd = drops_total(&st1) - drops_total(&st0);
    uint64_t fan = c->scen == S_FANOUT ? FAN : 1;
    uint64_t expect = sent * fan;
    uint64_t dropped = gd - allocf + nohook + r->sub_freed;
    bool ok = expect == deliv + dropped && st1.items_live == st0.items_live;
    if (!ok) {
        ng_graph_barrier(g);
        ng_graph_stats(g, &st1);
        gd = drops_total(&st1) - drops_total(&st0);
        dropped = gd - allocf + nohook + r->sub_freed;
        ok = expect == deliv + dropped && st1.items_live == st0.items_live;
    }
    if (c->kind == K_ENGINE && c->scen == S_CHURN)
        ng_graph_barrier(g); /* reclaim what churn deferred before measuring RSS */
    long rss1 = rss_kb();

    /* Latency percentiles. */
    uint32_t *lat = malloc((nlat ? nlat : 1) * sizeof(uint32_t));
    size_t k = 0;
    for (int i = 0; i < W; i++) {
        memcpy(lat + k, r->w[i].slot.lat, r->w[i].slot.nlat * sizeof(uint32_t));
        k += r->w[i].slot.nlat;
        free(r->w[i].slot.lat);
    }
    double p50 = NAN, p99 = NAN, p999 = NAN;
    if (k) {
        qsort(lat, k, sizeof(uint32_t), cmp_u32);
        p50 = lat[(size_t)(0.5 * (double)(k - 1))];
        p99 = lat[(size_t)(0.99 * (double)(k - 1))];
        p999 = lat[(size_t)(0.999 * (double)(k - 1))];
    }
    free(lat);

    c->thr[rep] = thr;
    c->good[rep] = expect ? thr * (double)deliv / (double)expect : 0;
    c->thrw[rep] = thrw;
    c->nsitem[rep] = nsitem;
    c->p50[rep] = p50;
    c->p99[rep] = p99;
    c->p999[rep] = p999;
    c->drops_rep[rep] = (double)dropped;
    c->achieved[rep] = churn && r->ctl_ns ? (double)r->ops / ((double)r->ctl_ns / 1e9) : 0;
    c->defer_peak[rep] = (double)r->defer_peak;
    c->us_change[rep] = r->ops ? (double)r->busy_ns / 1e3 / (double)r->ops : NAN;
    c->waitpct[rep] = r->timed_sub ? 100.0 * (double)r->bp_waits / (double)r->timed_sub : NAN;
    c->idle[rep] = c->scen == S_RUNTIME ? r->idle : NAN;
    c->sub_fail += r->sub_fail;
    c->bp_waits += r->bp_waits;
    c->sent += sent;
    c->delivered += deliv;
    c->dropped += dropped;
    c->notconn += st1.drops[NG_DROP_NOTCONN] - st0.drops[NG_DROP_NOTCONN];
    c->nohook += nohook;
    c->churn_ops += r->ops;
    c->rss_before = rss0;
    c->rss_after = rss1;
    if (!ok || r->ctl_err || r->sub_err) {
        c->acct_ok = false;
        c->acct_fail++;
        fprintf(stderr,
                "\nngbench: %s %s rep %d: sent %" PRIu64 " x%" PRIu64
                " %s delivered %" PRIu64 " + dropped %" PRIu64 " (graph drops %" PRIu64
                ", bench drops %" PRIu64 "), live %" PRIu64 " -> %" PRIu64
                ", control errors %d, failed submits %" PRIu64 " (first %d)\n",
                ok ? "RUN FAILURE" : "ACCOUNTING FAILURE", scen_names[c->scen], rep, sent, fan,
                ok ? "==" : "!=", deliv, dropped, gd, nohook + r->sub_freed,
                st0.items_live, st1.items_live, r->ctl_err, r->sub_fail, r->sub_err);
    }
    if (verbose)
        fprintf(stderr, "\n  thr %.2f M/s sent %" PRIu64 " deliv %" PRIu64 " drop %" PRIu64
                " submit waits %" PRIu64 " failed %" PRIu64 "\n",
                thr / 1e6, sent, deliv, dropped, r->bp_waits, r->sub_fail);

    for (int i = 0; i < nchains; i++)
        if (heads[i])
            ng_hook_unref(heads[i]);
    for (int i = 0; i < tp.nn; i++)
        ng_node_unref(tp.nodes[i]);
    ng_graph_destroy(g);
    for (int i = 0; i < nfall; i++)
        free(fall[i]);
    free(fall);
    pthread_barrier_destroy(&r->bar);
}

/* ------------------------------------------------------------------------ */
/* Memory: bytes per node and per hook                                      */
/* ------------------------------------------------------------------------ */

struct memres {
    double node_bytes, hook_bytes;
    uint64_t nodes;
};

static struct memres mem_measure(enum ng_backend b)
{
    struct memres m = {0, 0, 0};
    struct ng_graph_config gc;
    struct ng_graph *g;
    ng_graph_config_init(&gc);
    gc.backend = b;
    if (ng_graph_create(&gc, &g) < 0 || types_register(g) < 0)
        return m;
    enum { K = 4096 };
    struct ng_node **v = calloc(K, sizeof(*v));
    ng_thread_register(g);
    /* Warm the thread state and allocator first. */
    struct ng_node *w0 = NULL;
    ng_node_create(g, "bnull", &w0);
    struct mallinfo2 a = mallinfo2();
    int made = 0;
    for (int i = 0; i < K; i++)
        if (ng_node_create(g, "bnull", &v[i]) == 0)
            made++;
    struct mallinfo2 b2 = mallinfo2();
    int conn = 0;
    for (int i = 0; i + 1 < made; i += 2)
        if (ng_connect(v[i], "a", v[i + 1], "b") == 0)
            conn++;
    struct mallinfo2 c = mallinfo2();
    m.nodes = (uint64_t)made;
    m.node_bytes = made ? (double)(b2.uordblks - a.uordblks) / made : 0;
    m.hook_bytes = conn ? (double)(c.uordblks - b2.uordblks) / (2.0 * conn) : 0;
    for (int i = 0; i < made; i++)
        ng_node_unref(v[i]);
    if (w0)
        ng_node_unref(w0);
    free(v);
    ng_thread_unregister(g);
    ng_graph_destroy(g);
    return m;
}

/* ------------------------------------------------------------------------ */
/* Suite                                                                    */
/* ------------------------------------------------------------------------ */

struct opts {
    int reps;
    double seconds;
    bool backends[NG_BACKEND_COUNT];
    bool modes[2];
    bool scen[NSCEN];
    int chains[16], nchains;
    double rates[16];
    int nrates;
    int maxw;
    int churn_n, scale_n, runtime_n;
    bool rt_layout[2]; /* runtime: private chains, one shared chain */
    double churn_factor, rt_factor, dpdk_factor;
    const char *out;
    bool smoke, plot, no_dpdk;
    const char *suite;
};

static void add_engines(struct opts *o, struct cfg proto, int floor_idx, int base_idx)
{
    for (int b = 0; b < NG_BACKEND_COUNT; b++) {
        if (!o->backends[b])
            continue;
        for (int m = 0; m < 2; m++) {
            if (!o->modes[m])
                continue;
            struct cfg c = proto;
            c.kind = K_ENGINE;
            c.backend = b;
            c.mode = m;
            int i = cfg_add(c);
            cfgs[i].floor_idx = floor_idx;
            cfgs[i].base_idx = base_idx;
        }
    }
}

/* DPDK rows of one chain group: per burst, its base (no graph) and the chain
 * walked with the stock rte_graph_walk and with the stats-free copy. */
static bool dpdk_on; /* rte_graph baseline initialised: chain groups get DPDK rows */
static char dpdk_hdr[320]; /* "DPDK: " header line: the baseline, or why it is skipped */
static const int dpdk_bursts[] = {1, 32};

static void add_dpdk(struct cfg proto, int floor_idx)
{
    for (size_t b = 0; b < sizeof(dpdk_bursts) / sizeof(dpdk_bursts[0]); b++) {
        struct cfg c = proto;
        c.burst = dpdk_bursts[b];
        c.kind = K_DPDK_BASE;
        snprintf(c.dmode, sizeof(c.dmode), "b%d", c.burst);
        int bi = cfg_add(c);
        for (int ns = 0; ns < 2; ns++) {
            c.kind = K_DPDK;
            c.dflags = ns ? NGB_DPDK_F_NOSTATS : 0;
            snprintf(c.dmode, sizeof(c.dmode), "b%d%s", c.burst, ns ? "-nostats" : "");
            int i = cfg_add(c);
            cfgs[i].floor_idx = floor_idx;
            cfgs[i].base_idx = bi;
        }
    }
}

static void build_suite(struct opts *o, long ncpu)
{
    struct cfg z;
    memset(&z, 0, sizeof(z));
    z.seconds = o->seconds;
    z.workers = 1;
    if (o->scen[S_CHAIN]) {
        for (int k = 0; k < o->nchains; k++) {
            struct cfg c = z;
            c.scen = S_CHAIN;
            c.n = o->chains[k];
            c.group = ngroups;
            c.kind = K_BASE;
            int bi = cfg_add(c);
            c.kind = K_FLOOR;
            int fi = cfg_add(c);
            cfgs[fi].base_idx = bi;
            add_engines(o, c, fi, bi);
            if (dpdk_on) {
                c.seconds = o->seconds * o->dpdk_factor;
                add_dpdk(c, fi);
            }
            ngroups++;
        }
    }
    if (o->scen[S_FANOUT]) {
        struct cfg c = z;
        c.scen = S_FANOUT;
        c.n = 1;
        c.group = ngroups;
        c.kind = K_FLOOR;
        int fi = cfg_add(c);
        add_engines(o, c, fi, -1);
        ngroups++;
    }
    if (o->scen[S_SCALE]) {
        int maxw = (int)ncpu;
        if (o->maxw > 0 && o->maxw < maxw)
            maxw = o->maxw;
        if (maxw > MAXW)
            maxw = MAXW;
        for (int layout = 0; layout < 2; layout++) {
            int first = ncfg;
            for (int w = 1; w <= maxw; w++) {
                struct cfg c = z;
                c.scen = S_SCALE;
                c.n = o->scale_n;
                c.workers = w;
                c.layout = layout;
                c.group = ngroups;
                c.kind = K_FLOOR;
                int fi = cfg_add(c);
                add_engines(o, c, fi, -1);
            }
            /* reference: same kind/backend/mode with 1 worker */
            for (int i = first; i < ncfg; i++)
                for (int j = first; j < ncfg; j++)
                    if (cfgs[j].workers == 1 && cfgs[j].kind == cfgs[i].kind &&
                        cfgs[j].backend == cfgs[i].backend && cfgs[j].mode == cfgs[i].mode)
                        cfgs[i].ref_idx = j;
            ngroups++;
        }
    }
    if (o->scen[S_CHURN]) {
        int first = ncfg;
        struct cfg c = z;
        c.scen = S_CHURN;
        c.n = o->churn_n;
        c.seconds = o->seconds * o->churn_factor;
        c.workers = ncpu > 2 ? (int)ncpu - 1 : 1;
        c.group = ngroups;
        c.kind = K_FLOOR;
        int fi = cfg_add(c);
        for (int k = 0; k < o->nrates; k++) {
            c.rate = o->rates[k];
            add_engines(o, c, fi, -1);
        }
        for (int i = first; i < ncfg; i++)
            for (int j = first; j < ncfg; j++)
                if (cfgs[i].kind == K_ENGINE && cfgs[j].kind == K_ENGINE && cfgs[j].rate == 0 &&
                    cfgs[j].backend == cfgs[i].backend && cfgs[j].mode == cfgs[i].mode)
                    cfgs[i].ref_idx = j;
        ngroups++;
    }
    if (o->scen[S_RUNTIME]) {
        /* Engine only: the floor has no worker runtime to compare with. */
        int maxw = (int)ncpu;
        if (o->maxw > 0 && o->maxw < maxw)
            maxw = o->maxw;
        if (maxw > MAXW)
            maxw = MAXW;
        for (int layout = 0; layout < 2; layout++) {
            if (!o->rt_layout[layout])
                continue;
            int first = ncfg;
            for (int w = 1; w <= maxw; w++) {
                struct cfg c = z;
                c.scen = S_RUNTIME;
                c.n = o->runtime_n;
                c.seconds = o->seconds * o->rt_factor;
                c.workers = w;
                c.layout = layout;
                c.group = ngroups;
                add_engines(o, c, -1, -1);
            }
            for (int i = first; i < ncfg; i++)
                for (int j = first; j < ncfg; j++)
                    if (cfgs[j].workers == 1 && cfgs[j].backend == cfgs[i].backend &&
                        cfgs[j].mode == cfgs[i].mode)
                        cfgs[i].ref_idx = j;
            ngroups++;
        }
    }
}

static bool has_layout(const struct cfg *c)
{
    return c->scen == S_SCALE || c->scen == S_RUNTIME;
}

static bool is_dpdk(const struct cfg *c)
{
    return c->kind == K_DPDK || c->kind == K_DPDK_BASE;
}

static const char *who_of(const struct cfg *c)
{
    switch (c->kind) {
    case K_BASE:
        return "base";
    case K_FLOOR:
        return "floor";
    case K_DPDK_BASE:
        return "dpdk_base";
    case K_DPDK:
        return "dpdk";
    default:
        return ng_backend_name(c->backend);
    }
}
static const char *mode_of(const struct cfg *c)
{
    return c->kind == K_ENGINE ? mode_names[c->mode] : is_dpdk(c) ? c->dmode : "-";
}

static const char *cfg_label(const struct cfg *c, char *buf, size_t len)
{
    const char *who = who_of(c);
    const char *mode = mode_of(c);
    bool lay = has_layout(c);
    snprintf(buf, len, "%s N=%d W=%d%s%s %s/%s rate=%g", scen_names[c->scen], c->n, c->workers,
             lay ? " " : "", lay ? layout_names[c->layout] : "", who, mode, c->rate);
    return buf;
}

static void run_suite(const struct opts *o)
{
    int total = ncfg * o->reps, done = 0;
    uint64_t t0 = ngb_now_ns();
    for (int gidx = 0; gidx < ngroups; gidx++) {
        int lo = -1, hi = -1;
        for (int i = 0; i < ncfg; i++)
            if (cfgs[i].group == gidx) {
                if (lo < 0)
                    lo = i;
                hi = i;
            }
        if (lo < 0)
            continue;
        for (int rep = 0; rep < o->reps; rep++) {
            /* ABBA: alternate the order of the group's members per rep. */
            for (int k = lo; k <= hi; k++) {
                int i = (rep & 1) ? hi - (k - lo) : k;
                char lab[128];
                double el = (double)(ngb_now_ns() - t0) / 1e9;
                fprintf(stderr, "\r[%4d/%4d %5.1fs] %-60s rep %d/%d ", ++done, total, el,
                        cfg_label(&cfgs[i], lab, sizeof(lab)), rep + 1, o->reps);
                fflush(stderr);
                run_one(&cfgs[i], rep);
                cfgs[i].nrep = rep + 1;
            }
        }
    }
    fprintf(stderr, "\r%-110s\r", "");
    fprintf(stderr, "ngbench: %d runs in %.1f s\n", total, (double)(ngb_now_ns() - t0) / 1e9);
}

static int hops_of(const struct cfg *c)
{
    return c->scen == S_FANOUT ? 1 + FAN : c->n + 1;
}

static void derive(void)
{
    for (int i = 0; i < ncfg; i++) {
        struct cfg *c = &cfgs[i];
        for (int r = 0; r < c->nrep; r++) {
            c->ratio[r] = c->hopratio[r] = c->refratio[r] = c->nshop[r] = NAN;
            double base = c->base_idx >= 0 ? cfgs[c->base_idx].nsitem[r] : NAN;
            if (c->kind != K_BASE && c->kind != K_DPDK_BASE) {
                c->nshop[r] = isnan(base) ? c->nsitem[r] / hops_of(c)
                                          : (c->nsitem[r] - base) / hops_of(c);
            }
            if (c->floor_idx >= 0) {
                struct cfg *f = &cfgs[c->floor_idx];
                /* The floor's own base (the DPDK rows have theirs). */
                double fbase = f->base_idx >= 0 ? cfgs[f->base_idx].nsitem[r] : base;
                c->ratio[r] = c->nsitem[r] / f->nsitem[r];
                if (!isnan(base) && !isnan(fbase))
                    c->hopratio[r] = (c->nsitem[r] - base) / (f->nsitem[r] - fbase);
            }
            c->injratio[r] = c->wallref[r] = NAN;
            if (c->ref_idx >= 0 && c->scen != S_CHURN)
                c->wallref[r] = c->thrw[r] / cfgs[c->ref_idx].thrw[r];
            if (c->ref_idx >= 0 && c->scen == S_CHURN) {
                c->refratio[r] = c->good[r] / cfgs[c->ref_idx].good[r];
                c->injratio[r] = c->thr[r] / cfgs[c->ref_idx].thr[r];
            } else if (c->ref_idx >= 0) {
                c->refratio[r] = c->thr[r] / cfgs[c->ref_idx].thr[r];
            }
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Output                                                                   */
/* ------------------------------------------------------------------------ */

struct machine {
    char cpu[128], date[64], kernel[512];
    long ncpu;
    double other_load;   /* fraction of the machine's CPU used by others */
    double spin_scaling; /* ncpu threads of pure ALU work vs one thread */
};

/* Busy and total jiffies of the whole machine (/proc/stat). */
static void proc_stat(uint64_t *busy, uint64_t *total)
{
    unsigned long long v[8] = {0};
    *busy = *total = 0;
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return;
    if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &v[6], &v[7]) == 8) {
        for (int i = 0; i < 8; i++)
            *total += v[i];
        *busy = *total - v[3] - v[4];
    }
    fclose(f);
}

static double self_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct spin_arg {
    int cpu;
    double secs;
};
static void *spin_main(void *a)
{
    struct spin_arg *sa = a;
    pin_cpu(sa->cpu);
    volatile uint64_t x = 0;
    uint64_t t0 = ngb_now_ns();
    for (uint64_t i = 0; i < 40000000ull; i++)
        x += i;
    sa->secs = (double)(ngb_now_ns() - t0) / 1e9;
    (void)x; /* a volatile read: keeps clang's -Wunused-but-set-variable quiet */
    return NULL;
}

/* How much W concurrent CPU-bound threads get done vs one: the machine's own
 * scaling ceiling (below W on SMT siblings or shared/overcommitted vCPUs). */
static double spin_scaling(int W)
{
    if (W < 2)
        return 1;
    if (W > MAXW)
        W = MAXW;
    double best = 0;
    for (int rep = 0; rep < 3; rep++) {
        struct spin_arg one = {0, 0}, many[MAXW];
        pthread_t t[MAXW];
        /* On its own thread: the main thread must stay unpinned, since the
         * threads it creates (the runtime's workers, timer thread) inherit
         * its affinity mask. */
        pthread_create(&t[0], NULL, spin_main, &one);
        pthread_join(t[0], NULL);
        for (int i = 0; i < W; i++) {
            many[i].cpu = i;
            pthread_create(&t[i], NULL, spin_main, &many[i]);
        }
        double worst = 0;
        for (int i = 0; i < W; i++) {
            pthread_join(t[i], NULL);
            if (many[i].secs > worst)
                worst = many[i].secs;
        }
        double r = worst > 0 ? W * one.secs / worst : 0;
        if (r > best)
            best = r;
    }
    return best;
}

static void machine_info(struct machine *m)
{
    snprintf(m->cpu, sizeof(m->cpu), "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];
    if (f) {
        while (fgets(line, sizeof(line), f)) {
            if (strncmp(line, "model name", 10) == 0) {
                char *p = strchr(line, ':');
                if (p) {
                    p++;
                    while (*p == ' ')
                        p++;
                    p[strcspn(p, "\n")] = '\0';
                    snprintf(m->cpu, sizeof(m->cpu), "%s", p);
                }
                break;
            }
        }
        fclose(f);
    }
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(m->date, sizeof(m->date), "%Y-%m-%d %H:%M:%S UTC", &tm);
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(m->kernel, sizeof(m->kernel), "%s %s %s", u.sysname, u.release, u.machine);
    else
        snprintf(m->kernel, sizeof(m->kernel), "unknown");
    m->ncpu = sysconf(_SC_NPROCESSORS_ONLN);
}

#define ST(field) stat_of(c->field, c->nrep)

static void print_table(const struct opts *o)
{
    (void)o;
    for (int s = 0; s < NSCEN; s++) {
        bool any = false;
        for (int i = 0; i < ncfg; i++)
            any |= cfgs[i].scen == (enum scen)s;
        if (!any)
            continue;
        printf("\n== %s ==\n", s == S_CHAIN    ? "chain of N pass-through nodes, 1 worker"
                               : s == S_FANOUT ? "fan-out 1->4 (3 copies + original), 1 worker"
                               : s == S_SCALE  ? "scaling: workers on private chains / one shared chain"
                               : s == S_CHURN  ? "live topology churn on the chain (control thread)"
                                               : "worker runtime: producer -> ng_runtime_submit -> "
                                                 "W workers -> chain -> sink");
        if (s == S_CHAIN && dpdk_on)
            printf("(dpdk: DPDK rte_graph chain source -> N pass nodes -> sink, walked by one thread\n"
                   " pinned like the engine's worker; b1 / b32 = objects per graph walk; -nostats =\n"
                   " walk without per-node graph statistics (stock rte_graph_walk otherwise);\n"
                   " dpdk_base = the same mempool get/put + stamping + sink work with no graph, its\n"
                   " ns/hop base at the same burst; x floor = ns/item and ns/hop vs the floor's)\n");
        if (s == S_RUNTIME)
            printf("(Mitems/s per worker CPU-second, summed; wall = delivered per wall second;\n"
                   " latency = submit -> sink, at most %u items in flight per worker; wait%% =\n"
                   " submits that found every window full; idle%% = workers asleep; fail =\n"
                   " submits that returned an error)\n",
                   rt_window);
        if (s == S_RUNTIME)
            printf("%-8s %-8s %4s %2s %-7s %21s %7s %8s %14s %7s %8s %8s %8s %6s %5s %4s %5s\n",
                   "backend", "mode", "N", "W", "layout", "Mitems/s med [min-max]", "wall",
                   "ns/item", "scaling vs W=1", "wall x", "p50 ns", "p99 ns", "p99.9 ns", "wait%",
                   "idle%", "fail", "acct");
        else if (s == S_CHURN)
            printf("%-8s %-8s %-8s %9s %21s %7s %14s %7s %8s %8s %8s %8s %8s %7s\n", "backend",
                   "mode", "target/s", "achieved", "delivered Mit/s [min-max]", "wall",
                   "vs no-churn", "inject",
                   "p50 ns", "p99 ns", "p99.9 ns", "dropped", "defer_pk", "acct");
        else
            printf("%-9s %-11s %4s %2s %-7s %21s %7s %8s %8s %14s %8s %8s %8s %7s\n", "backend",
                   "mode", "N", "W", "layout", "Mitems/s med [min-max]", "wall", "ns/item", "ns/hop",
                   s == S_SCALE ? "scaling vs W=1" : "x floor (item)", "x floor/hop",
                   "p50 ns", "p99 ns", "acct");
        for (int i = 0; i < ncfg; i++) {
            struct cfg *c = &cfgs[i];
            if (c->scen != (enum scen)s)
                continue;
            struct mstat thr = ST(thr), thw = ST(thrw), ns = ST(nsitem), hop = ST(nshop), rat = ST(ratio),
                         hr = ST(hopratio), rr = ST(refratio), ir = ST(injratio), gd = ST(good), p50 = ST(p50), p99 = ST(p99),
                         p999 = ST(p999), ach = ST(achieved), dp = ST(defer_peak);
            char thrs[48], rats[40];
            snprintf(thrs, sizeof(thrs), "%7.2f [%.2f-%.2f]", thr.med / 1e6, thr.min / 1e6,
                     thr.max / 1e6);
            if (s == S_CHURN) {
                snprintf(thrs, sizeof(thrs), "%7.2f [%.2f-%.2f]", gd.med / 1e6, gd.min / 1e6,
                         gd.max / 1e6);
                if (c->kind != K_ENGINE) {
                    printf("%-8s %-8s %8s %9s %21s %7.2f %14s %7s %8.0f %8.0f %8.0f %8s %8s %7s\n",
                           who_of(c), "-", "-", "-", thrs, thw.med / 1e6, "-", "-", p50.med, p99.med, p999.med, "-",
                           "-", c->acct_ok ? "ok" : "FAIL");
                    continue;
                }
                snprintf(rats, sizeof(rats), "%.3f [%.2f-%.2f]", rr.med, rr.min, rr.max);
                char irs[16] = "1";
                if (c->rate > 0)
                    snprintf(irs, sizeof(irs), "%.3f", ir.med);
                printf("%-8s %-8s %8.0f %9.0f %21s %7.2f %14s %7s %8.0f %8.0f %8.0f %8" PRIu64
                       " %8.0f %7s\n",
                       who_of(c), mode_of(c), c->rate, ach.med, thrs, thw.med / 1e6,
                       c->rate > 0 ? rats : "1", irs,
                       p50.med, p99.med, p999.med, c->dropped, dp.med,
                       c->acct_ok ? "ok" : "FAIL");
                continue;
            }
            if (s == S_RUNTIME) {
                struct mstat wr = ST(wallref), wp = ST(waitpct), id = ST(idle);
                snprintf(rats, sizeof(rats), "%.2f [%.2f-%.2f]", rr.med, rr.min, rr.max);
                printf("%-8s %-8s %4d %2d %-7s %21s %7.2f %8.1f %14s %7.2f %8.0f %8.0f %8.0f %6.1f "
                       "%5.1f %4" PRIu64 " %5s\n",
                       who_of(c), mode_of(c), c->n, c->workers, layout_names[c->layout], thrs,
                       thw.med / 1e6, ns.med, rats, wr.med, p50.med, p99.med, p999.med, wp.med,
                       100 * id.med, c->sub_fail, c->acct_ok ? "ok" : "FAIL");
                continue;
            }
            if (s == S_SCALE)
                snprintf(rats, sizeof(rats), "%.2f [%.2f-%.2f]", rr.med, rr.min, rr.max);
            else if (c->floor_idx >= 0)
                snprintf(rats, sizeof(rats), "%.2f [%.2f-%.2f]", rat.med, rat.min, rat.max);
            else
                snprintf(rats, sizeof(rats), "-");
            /* Sub-ns per-hop figures (DPDK at burst 32) get a third decimal. */
            char hrs[16] = "-";
            if (!isnan(hr.med))
                snprintf(hrs, sizeof(hrs), fabs(hr.med) < 1 ? "%.3f" : "%.2f", hr.med);
            char hops[16] = "-";
            if (!isnan(hop.med))
                snprintf(hops, sizeof(hops), fabs(hop.med) < 1 ? "%.3f" : "%.2f", hop.med);
            printf("%-9s %-11s %4d %2d %-7s %21s %7.2f %8.2f %8s %14s %8s %8.0f %8.0f %7s\n",
                   who_of(c), mode_of(c), c->n, c->workers,
                   s == S_SCALE ? layout_names[c->layout] : "-", thrs, thw.med / 1e6, ns.med, hops, rats, hrs, p50.med, p99.med, c->acct_ok ? "ok" : "FAIL");
        }
    }
}

static void json_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
}

static void json_num(FILE *f, const char *k, double v, bool comma)
{
    if (isnan(v) || isinf(v))
        fprintf(f, "\"%s\": null%s", k, comma ? ", " : "");
    else
        fprintf(f, "\"%s\": %.6g%s", k, v, comma ? ", " : "");
}
static void json_stat(FILE *f, const char *k, struct mstat s)
{
    fprintf(f, "\"%s\": {", k);
    json_num(f, "median", s.med, true);
    json_num(f, "min", s.min, true);
    json_num(f, "max", s.max, false);
    fprintf(f, "}, ");
}

struct target {
    const char *name;
    double measured, goal;
    bool ge; /* measured >= goal is the target (else <=) */
    bool valid;
    char detail[160];
};
static struct target targets[64];
static int ntargets;

static int find_cfg(enum scen s, enum kind k, int b, int m, int n, int w, int layout, double rate)
{
    for (int i = 0; i < ncfg; i++) {
        struct cfg *c = &cfgs[i];
        if (c->scen == s && c->kind == k && (k != K_ENGINE || (c->backend == b && c->mode == m)) &&
            c->n == n && c->workers == w && (s != S_SCALE || c->layout == layout) &&
            c->rate == rate)
            return i;
    }
    return -1;
}

static int find_dpdk(int n, int burst, unsigned flags)
{
    for (int i = 0; i < ncfg; i++)
        if (cfgs[i].scen == S_CHAIN && cfgs[i].kind == K_DPDK && cfgs[i].n == n &&
            cfgs[i].burst == burst && cfgs[i].dflags == flags)
            return i;
    return -1;
}

static void eval_targets(long ncpu)
{
    ntargets = 0;
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        for (int m = 0; m < 2; m++) {
            int i = find_cfg(S_CHAIN, K_ENGINE, b, m, 16, 1, 0, 0);
            if (i < 0)
                continue;
            struct cfg *c = &cfgs[i];
            struct target *t = &targets[ntargets++];
            t->name = "per-hop cost, 16-node chain, 1 worker, <= 1.5x floor";
            t->measured = stat_of(c->hopratio, c->nrep).med;
            t->goal = 1.5;
            t->ge = false;
            t->valid = !isnan(t->measured);
            snprintf(t->detail, sizeof(t->detail), "%s/%s: %.2f ns/hop vs floor %.2f ns/hop",
                     ng_backend_name(b), mode_names[m], stat_of(c->nshop, c->nrep).med,
                     stat_of(cfgs[c->floor_idx].nshop, c->nrep).med);
        }
    double maxrate = 0;
    for (int i = 0; i < ncfg; i++)
        if (cfgs[i].scen == S_CHURN && cfgs[i].rate > maxrate)
            maxrate = cfgs[i].rate;
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        for (int m = 0; m < 2; m++) {
            int i = -1;
            for (int j = 0; j < ncfg; j++)
                if (cfgs[j].scen == S_CHURN && cfgs[j].kind == K_ENGINE && cfgs[j].backend == b &&
                    cfgs[j].mode == m && cfgs[j].rate == 10000)
                    i = j;
            if (i < 0)
                continue;
            struct cfg *c = &cfgs[i];
            struct target *t = &targets[ntargets++];
            t->name = b == NG_BACKEND_RWLOCK ? "churn 10k/s vs no churn, delivered (baseline)"
                                             : "delivered under 10k changes/s >= 95% of no-churn";
            t->measured = stat_of(c->refratio, c->nrep).med;
            t->goal = b == NG_BACKEND_RWLOCK ? NAN : 0.95;
            t->ge = true;
            t->valid = !isnan(t->measured);
            snprintf(t->detail, sizeof(t->detail), "%s/%s: achieved %.0f changes/s, %" PRIu64
                     " items dropped (hook gone)", ng_backend_name(b), mode_names[m],
                     stat_of(c->achieved, c->nrep).med, c->dropped);
        }
    (void)maxrate;
    if (ncpu >= 2) {
        for (int b = 0; b < NG_BACKEND_COUNT; b++)
            for (int m = 0; m < 2; m++)
                for (int layout = 0; layout < 2; layout++) {
                    int n = -1;
                    for (int j = 0; j < ncfg; j++)
                        if (cfgs[j].scen == S_SCALE)
                            n = cfgs[j].n;
                    int i = find_cfg(S_SCALE, K_ENGINE, b, m, n, 2, layout, 0);
                    if (i < 0)
                        continue;
                    struct cfg *c = &cfgs[i];
                    bool has_goal = layout == 0 || m == 1;
                    struct target *t = &targets[ntargets++];
                    t->name = layout == 0 ? "2 workers, disjoint chains >= 1.9x one worker"
                              : m == 1    ? "2 workers, one shared chain, shared mode >= 1.8x"
                                          : "2 workers, one shared chain, netgraph mode (no target)";
                    t->measured = stat_of(c->refratio, c->nrep).med;
                    t->goal = !has_goal ? NAN : layout == 0 ? 1.9 : 1.8;
                    t->ge = true;
                    t->valid = !isnan(t->measured);
                    snprintf(t->detail, sizeof(t->detail), "%s/%s N=%d", ng_backend_name(b),
                             mode_names[m], c->n);
                }
    }
}

static const char *verdict(const struct target *t)
{
    if (!t->valid)
        return "n/a";
    if (isnan(t->goal))
        return "info";
    return (t->ge ? t->measured >= t->goal : t->measured <= t->goal) ? "MET" : "NOT MET";
}

static void print_targets(void)
{
    printf("\n== targets ==\n");
    for (int i = 0; i < ntargets; i++) {
        struct target *t = &targets[i];
        printf("%-8s %-58s measured %6.3f  (%s)\n", verdict(t), t->name, t->measured, t->detail);
    }
}

static int write_outputs(const struct opts *o, const struct machine *m,
                         const struct memres *mem, double runtime)
{
    char path[4096];
    mkdir(o->out, 0755);
    snprintf(path, sizeof(path), "%s/results.json", o->out);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    fprintf(f, "{\n  \"tool\": \"ngbench\", \"suite\": \"%s\", \"date\": \"%s\",\n", o->suite,
            m->date);
    fprintf(f, "  \"machine\": {\"cpu\": \"%s\", \"cores\": %ld, \"kernel\": \"%s\", "
               "\"other_load\": %.3f, \"spin_scaling_ceiling\": %.3f},\n",
            m->cpu, m->ncpu, m->kernel, m->other_load, m->spin_scaling);
    fprintf(f, "  \"reps\": %d, \"seconds_per_run\": %g, \"runtime_s\": %.1f,\n", o->reps,
            o->seconds, runtime);
    fprintf(f, "  \"runtime_scenario\": \"one producer thread per %d workers allocates items and "
               "hands them to the workers with ng_runtime_submit; each worker sends them through "
               "its chain to a sink; at most %u items in flight per worker (bench backpressure); "
               "items_per_s per worker CPU-second; latency submit to sink\", "
               "\"runtime_window\": %u, \"runtime_seconds_per_run\": %g,\n",
            RT_PER_PRODUCER, rt_window, rt_window, o->seconds * o->rt_factor);
    fprintf(f, "  \"floor\": \"plain structs, one indirect call per hop (read next pointer, "
               "call), same item alloc/free and sink work as the engine path\",\n");
    fprintf(f, "  \"dpdk\": \"");
    json_escaped(f, dpdk_hdr);
    fprintf(f, "\",\n");
    if (dpdk_on) {
        fprintf(f, "  \"dpdk_seconds_per_run\": %g,\n", o->seconds * o->dpdk_factor);
        fprintf(f, "  \"dpdk_rows\": \"chain scenario: impl dpdk = rte_graph chain source -> N pass "
                   "nodes -> sink walked by one pinned thread, mode b<burst> (objects per graph "
                   "walk) with the stock rte_graph_walk (graph statistics kept when DPDK has them "
                   "compiled in) or b<burst>-nostats (a copy of the walk without them); impl "
                   "dpdk_base = the same mempool get/put, stamping and sink work with no graph, "
                   "the base of their ns_per_hop at the same burst; hop_ratio_to_floor = their "
                   "ns_per_hop / the floor's\",\n");
    }
    fprintf(f, "  \"memory\": [");
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        fprintf(f, "%s{\"backend\": \"%s\", \"bytes_per_node\": %.1f, \"bytes_per_hook\": %.1f}",
                b ? ", " : "", ng_backend_name(b), mem[b].node_bytes, mem[b].hook_bytes);
    fprintf(f, "],\n  \"results\": [\n");
    for (int i = 0; i < ncfg; i++) {
        struct cfg *c = &cfgs[i];
        fprintf(f, "    {\"scenario\": \"%s\", \"impl\": \"%s\", \"mode\": \"%s\", \"chain_len\": %d, "
                   "\"workers\": %d, \"layout\": \"%s\", \"churn_target_per_s\": %g, \"reps\": %d, ",
                scen_names[c->scen], who_of(c), mode_of(c), c->n, c->workers,
                has_layout(c) ? layout_names[c->layout] : "-", c->rate, c->nrep);
        if (is_dpdk(c))
            fprintf(f, "\"burst\": %d, \"graph_stats\": %s, ", c->burst,
                    c->walk_stats < 0 ? "null" : c->walk_stats ? "true" : "false");
        else
            fprintf(f, "\"burst\": null, \"graph_stats\": null, ");
        struct mstat thr = ST(thr);
        json_stat(f, "items_per_s", thr);
        struct mstat pw = {thr.med / c->workers, thr.min / c->workers, thr.max / c->workers, 0};
        json_stat(f, "items_per_s_per_worker", pw);
        json_stat(f, "items_per_wall_s", ST(thrw));
        json_stat(f, "delivered_per_s", ST(good));
        json_stat(f, "injected_ratio_vs_no_churn", ST(injratio));
        json_stat(f, "ns_per_item", ST(nsitem));
        json_stat(f, "ns_per_hop", ST(nshop));
        json_stat(f, "ratio_to_floor", ST(ratio));
        json_stat(f, "hop_ratio_to_floor", ST(hopratio));
        json_stat(f, has_layout(c) ? "scaling_vs_1_worker" : "ratio_vs_no_churn",
                  ST(refratio));
        json_stat(f, "wall_scaling_vs_1_worker", ST(wallref));
        json_stat(f, "submit_wait_pct", ST(waitpct));
        json_stat(f, "worker_idle_frac", ST(idle));
        json_stat(f, "churn_achieved_per_s", ST(achieved));
        json_stat(f, "churn_us_per_change", ST(us_change));
        json_stat(f, "latency_p50_ns", ST(p50));
        json_stat(f, "latency_p99_ns", ST(p99));
        json_stat(f, "latency_p999_ns", ST(p999));
        json_stat(f, "defer_backlog_peak", ST(defer_peak));
        fprintf(f, "\"sent\": %" PRIu64 ", \"delivered\": %" PRIu64 ", \"dropped\": %" PRIu64
                   ", \"dropped_notconn\": %" PRIu64 ", \"dropped_by_bench_nodes\": %" PRIu64
                   ", \"churn_ops\": %" PRIu64 ", \"submit_failed\": %" PRIu64
                   ", \"submit_waits\": %" PRIu64 ", \"rss_kb_before\": %ld, \"rss_kb_after\": %ld, "
                   "\"accounting_ok\": %s}%s\n",
                c->sent, c->delivered, c->dropped, c->notconn, c->nohook, c->churn_ops,
                c->sub_fail, c->bp_waits, c->rss_before, c->rss_after, c->acct_ok ? "true" : "false",
                i + 1 < ncfg ? "," : "");
    }
    fprintf(f, "  ],\n  \"targets\": [\n");
    for (int i = 0; i < ntargets; i++) {
        struct target *t = &targets[i];
        fprintf(f, "    {\"target\": \"%s\", ", t->name);
        json_num(f, "measured", t->measured, true);
        json_num(f, "goal", t->goal, true);
        fprintf(f, "\"verdict\": \"%s\", \"detail\": \"%s\"}%s\n", verdict(t), t->detail,
                i + 1 < ntargets ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    fclose(f);

    snprintf(path, sizeof(path), "%s/results.csv", o->out);
    f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    fprintf(f, "scenario,impl,mode,chain_len,workers,layout,churn_target,reps,"
               "mitems_s_med,mitems_s_min,mitems_s_max,mitems_s_per_worker_med,mitems_wall_s_med,ns_item_med,"
               "ns_hop_med,ratio_floor_med,ratio_floor_min,ratio_floor_max,hop_ratio_floor_med,"
               "ref_ratio_med,ref_ratio_min,ref_ratio_max,churn_achieved_med,lat_p50_ns,"
               "lat_p99_ns,lat_p999_ns,sent,delivered,dropped,dropped_notconn,defer_peak_med,"
               "rss_kb_before,rss_kb_after,accounting_ok,delivered_mitems_s_med,injected_ratio_med,"
               "wall_ref_ratio_med,submit_wait_pct_med,worker_idle_frac_med,submit_failed,"
               "submit_waits,burst,graph_stats\n");
    for (int i = 0; i < ncfg; i++) {
        struct cfg *c = &cfgs[i];
        struct mstat thr = ST(thr), rat = ST(ratio), rr = ST(refratio);
        char bst[16] = "";
        if (is_dpdk(c))
            snprintf(bst, sizeof(bst), "%d", c->burst);
        fprintf(f, "%s,%s,%s,%d,%d,%s,%g,%d,%.4f,%.4f,%.4f,%.4f,%.4f,%.3f,%.3f,%.4f,%.4f,%.4f,%.4f,"
                   "%.4f,%.4f,%.4f,%.0f,%.0f,%.0f,%.0f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                   ",%.0f,%ld,%ld,%d,%.4f,%.4f,%.4f,%.3f,%.4f,%" PRIu64 ",%" PRIu64 ",%s,%s\n",
                scen_names[c->scen], who_of(c), mode_of(c), c->n, c->workers,
                has_layout(c) ? layout_names[c->layout] : "-", c->rate, c->nrep,
                thr.med / 1e6, thr.min / 1e6, thr.max / 1e6, thr.med / 1e6 / c->workers,
                ST(thrw).med / 1e6, ST(nsitem).med, ST(nshop).med, rat.med, rat.min, rat.max, ST(hopratio).med,
                rr.med, rr.min, rr.max, ST(achieved).med, ST(p50).med, ST(p99).med, ST(p999).med,
                c->sent, c->delivered, c->dropped, c->notconn, ST(defer_peak).med, c->rss_before,
                c->rss_after, c->acct_ok ? 1 : 0, ST(good).med / 1e6, ST(injratio).med,
                ST(wallref).med, ST(waitpct).med, ST(idle).med, c->sub_fail, c->bp_waits,
                bst, is_dpdk(c) && c->walk_stats >= 0 ? (c->walk_stats ? "1" : "0") : "");
    }
    fclose(f);
    return 0;
}

/* One column triple of a data file: median, min and max of cfgs[i]'s
 * throughput (or, with `delivered`, its delivered throughput) in Mitems/s;
 * "NaN NaN NaN" when that configuration did not run (i < 0). */
static void dat_mitems(FILE *f, int i, bool delivered)
{
    if (i < 0) {
        fprintf(f, " NaN NaN NaN");
        return;
    }
    const struct cfg *c = &cfgs[i];
    struct mstat s = delivered ? ST(good) : ST(thr);
    fprintf(f, " %.4f %.4f %.4f", s.med / 1e6, s.min / 1e6, s.max / 1e6);
}

/* Data files + gnuplot script; PNGs if gnuplot is installed. */
static void write_plots(const struct opts *o, const struct machine *m)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/chain.dat", o->out);
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    /* columns: N, then for floor and each backend/mode: med min max (Mitems/s) */
    fprintf(f, "# N floor(med min max)");
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        for (int mo = 0; mo < 2; mo++)
            fprintf(f, " %s/%s(med min max)", ng_backend_name(b), mode_names[mo]);
    if (dpdk_on)
        for (int d = 0; d < 4; d++)
            fprintf(f, " dpdk/b%d%s(med min max)", dpdk_bursts[d / 2], d % 2 ? "-nostats" : "");
    fprintf(f, "\n");
    for (int k = 0; k < o->nchains; k++) {
        int n = o->chains[k];
        fprintf(f, "%d", n);
        int i = find_cfg(S_CHAIN, K_FLOOR, 0, 0, n, 1, 0, 0);
        for (int col = -1; col < NG_BACKEND_COUNT * 2; col++) {
            if (col >= 0)
                i = find_cfg(S_CHAIN, K_ENGINE, col / 2, col % 2, n, 1, 0, 0);
            dat_mitems(f, i, false);
        }
        /* DPDK: b1, b1-nostats, b32, b32-nostats (columns 23 onwards). */
        for (int d = 0; dpdk_on && d < 4; d++) {
            dat_mitems(f, find_dpdk(n, dpdk_bursts[d / 2], d % 2 ? NGB_DPDK_F_NOSTATS : 0), false);
        }
        fprintf(f, "\n");
    }
    fclose(f);
    snprintf(path, sizeof(path), "%s/churn.dat", o->out);
    f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f, "# rate(target/s; 0 plotted at 10)");
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        for (int mo = 0; mo < 2; mo++)
            fprintf(f, " %s/%s(med min max)", ng_backend_name(b), mode_names[mo]);
    fprintf(f, "\n");
    for (int k = 0; k < o->nrates; k++) {
        double rate = o->rates[k];
        fprintf(f, "%g", rate > 0 ? rate : 10);
        for (int col = 0; col < NG_BACKEND_COUNT * 2; col++) {
            int i = -1;
            for (int j = 0; j < ncfg; j++)
                if (cfgs[j].scen == S_CHURN && cfgs[j].kind == K_ENGINE &&
                    cfgs[j].backend == col / 2 && cfgs[j].mode == col % 2 && cfgs[j].rate == rate)
                    i = j;
            dat_mitems(f, i, true); /* delivered */
        }
        fprintf(f, "\n");
    }
    fclose(f);

    snprintf(path, sizeof(path), "%s/plot.gp", o->out);
    f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f, "# generated by ngbench; run: gnuplot plot.gp (in this directory)\n");
    fprintf(f, "set terminal pngcairo size 1000,620 noenhanced\nset grid\nset key outside right\n");
    fprintf(f, "set style data yerrorlines\nset logscale x 2\n");
    /* Only the plots of scenarios that ran (gnuplot fails on a data file
     * without a single valid point). */
    bool have_chain = false, have_churn = false;
    for (int i = 0; i < ncfg; i++) {
        have_chain |= cfgs[i].scen == S_CHAIN;
        have_churn |= cfgs[i].scen == S_CHURN && cfgs[i].kind == K_ENGINE;
    }
    if (have_chain) {
        fprintf(f, "set output 'throughput_vs_chain.png'\n");
        fprintf(f, "set title \"Throughput vs chain length, 1 worker (median, min-max)\\n%s, %ld cores, %s\"\n",
                m->cpu, m->ncpu, m->date);
        fprintf(f, "set xlabel 'pass-through nodes in chain (N)'\nset ylabel 'Mitems/s (per worker CPU-second)'\n");
        fprintf(f, "set logscale y\n");
        fprintf(f, "plot 'chain.dat' using 1:2:3:4 title 'floor (indirect calls)' lw 2");
        for (int col = 0; col < NG_BACKEND_COUNT * 2; col++)
            fprintf(f, ", '' using 1:%d:%d:%d title '%s/%s'", 5 + 3 * col, 6 + 3 * col, 7 + 3 * col,
                    ng_backend_name(col / 2), mode_names[col % 2]);
        /* DPDK rte_graph: only the stats-free walks (the stock walk's columns are
         * in chain.dat: b1 23-25, b32 29-31), dashed. */
        if (dpdk_on) {
            int dcol = 5 + 3 * NG_BACKEND_COUNT * 2; /* first DPDK column */
            fprintf(f, ", '' using 1:%d:%d:%d title 'DPDK rte_graph b1, no stats' dt 2 lw 2 "
                       "lc rgb 'black', '' using 1:%d:%d:%d title 'DPDK rte_graph b32, no stats' dt 3 "
                       "lw 2 lc rgb 'gray40'",
                    dcol + 3, dcol + 4, dcol + 5, dcol + 9, dcol + 10, dcol + 11);
        }
        fprintf(f, "\n");
    }
    if (have_churn) {
        fprintf(f, "unset logscale y\nset logscale x 10\nset yrange [0:*]\n");
        fprintf(f, "set output 'throughput_vs_churn.png'\n");
        fprintf(f, "set title \"Delivered throughput vs topology churn rate, N=%d, 1 worker (0/s plotted "
                   "at 10/s)\\n%s, %ld cores, %s\"\nset xrange [5:*]\nset offsets 0, graph 0.05, 0, 0\n",
                o->churn_n, m->cpu, m->ncpu, m->date);
        fprintf(f, "set xlabel 'topology changes per second (target)'\nset ylabel 'delivered Mitems/s (per worker CPU-second)'\n");
        fprintf(f, "plot ");
        for (int col = 0; col < NG_BACKEND_COUNT * 2; col++)
            fprintf(f, "%s'churn.dat' using 1:%d:%d:%d title '%s/%s'", col ? ", " : "", 2 + 3 * col,
                    3 + 3 * col, 4 + 3 * col, ng_backend_name(col / 2), mode_names[col % 2]);
        fprintf(f, "\n");
    }
    fclose(f);
    if (!o->plot || (!have_chain && !have_churn))
        return;
    if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
        printf("plot: gnuplot not found; data and script left in %s/\n", o->out);
        return;
    }
    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "cd '%s' && gnuplot plot.gp", o->out);
    if (system(cmd) == 0) {
        printf("plots:");
        if (have_chain)
            printf(" %s/throughput_vs_chain.png", o->out);
        if (have_churn)
            printf(" %s/throughput_vs_churn.png", o->out);
        printf("\n");
    } else {
        printf("plot: gnuplot failed; data and script left in %s/\n", o->out);
    }
}

/* ------------------------------------------------------------------------ */
/* main                                                                     */
/* ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ngbench [--quick|--full|--smoke] [options]\n"
            "  (default)        suite of about two minutes on 2 cores\n"
            "  --quick          short suite (chains 1,16; churn 0,10k/s; 3 reps)\n"
            "  --full           longer suite (chains up to 256, more rates, 9 reps)\n"
            "  --smoke          tiny configuration of every scenario; exit 1 if any\n"
            "                   run's accounting (sent == delivered + dropped) fails\n"
            "  --backend LIST   ck_epoch,qsbr,rwlock (comma separated)\n"
            "  --mode LIST      netgraph,shared\n"
            "  --scenario LIST  chain,fanout,scale,churn,runtime\n"
            "  --chain LIST     chain lengths, e.g. 1,4,16,64\n"
            "  --rates LIST     churn rates in changes/s, e.g. 0,1000,10000\n"
            "  --workers W      cap the scale and runtime sweeps at W workers\n"
            "  --rt-layout LIST runtime scenario chains: private,shared (default both)\n"
            "  --rt-window N    runtime scenario: items in flight per worker (default 128)\n"
            "  --rt-spin N      runtime scenario: empty polls before a worker sleeps\n"
            "                   (ng_runtime_config.spin; default: the engine's, 64)\n"
            "  --reps N         repetitions per configuration (median, min-max)\n"
            "  --seconds S      seconds per run (churn runs: 2.5 x S; in the default\n"
            "                   suite runtime runs 2/3 x S and DPDK runs S / 2)\n"
            "  --out DIR        output directory (default bench-results)\n"
            "  --no-plot        do not run gnuplot\n"
            "  --no-dpdk        leave out the DPDK rte_graph rows of the chain scenario\n"
            "                   (also NGB_DPDK=0 in the environment); they are built when\n"
            "                   pkg-config finds libdpdk, EAL runs --no-huge --no-pci\n"
            "  -v               per-run details on stderr\n");
}

static int parse_list(const char *s, double *out, int max)
{
    int n = 0;
    char *dup = strdup(s), *save = NULL;
    for (char *t = strtok_r(dup, ",", &save); t && n < max; t = strtok_r(NULL, ",", &save)) {
        char *end;
        double v = strtod(t, &end);
        if (*end == 'k' || *end == 'K')
            v *= 1000;
        out[n++] = v;
    }
    free(dup);
    return n;
}

/* Option value in lo..hi; prints the complaint and returns -1 otherwise. */
static int parse_uint(const char *opt, const char *v, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    long x = strtol(v, &end, 10);
    if (end == v || *end || x < (long)lo || x > (long)hi) {
        fprintf(stderr, "ngbench: %s must be %u..%u\n", opt, lo, hi);
        return -1;
    }
    *out = (unsigned)x;
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o;
    memset(&o, 0, sizeof(o));
    o.reps = 5;
    o.seconds = 0.15;
    o.churn_factor = 2.5;
    o.rt_factor = 1;
    o.dpdk_factor = 1;
    o.rt_layout[0] = o.rt_layout[1] = true;
    o.out = "bench-results";
    o.plot = true;
    o.suite = "default";
    o.churn_n = 16;
    o.scale_n = 16;
    o.runtime_n = 16;
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        o.backends[b] = true;
    o.modes[0] = o.modes[1] = true;
    for (int s = 0; s < NSCEN; s++)
        o.scen[s] = true;
    int defchains[] = {1, 4, 16, 64};
    double defrates[] = {0, 1000, 10000};
    o.nchains = 4;
    memcpy(o.chains, defchains, sizeof(defchains));
    o.nrates = 3;
    memcpy(o.rates, defrates, sizeof(defrates));
    int reps_set = 0, secs_set = 0, chains_set = 0, rates_set = 0;
    const char *chains_arg = NULL, *rates_arg = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDV()                                                  \
    do {                                                         \
        if (!v) {                                                \
            fprintf(stderr, "ngbench: %s needs a value\n", a);   \
            return 2;                                            \
        }                                                        \
        i++;                                                     \
    } while (0)
        if (!strcmp(a, "--quick")) {
            o.suite = "quick";
        } else if (!strcmp(a, "--full")) {
            o.suite = "full";
        } else if (!strcmp(a, "--smoke")) {
            o.suite = "smoke";
            o.smoke = true;
        } else if (!strcmp(a, "--backend")) {
            NEEDV();
            for (int b = 0; b < NG_BACKEND_COUNT; b++)
                o.backends[b] = strstr(v, ng_backend_name(b)) != NULL;
        } else if (!strcmp(a, "--mode")) {
            NEEDV();
            o.modes[0] = strstr(v, "netgraph") != NULL;
            o.modes[1] = strstr(v, "shared") != NULL;
        } else if (!strcmp(a, "--scenario")) {
            NEEDV();
            for (int s = 0; s < NSCEN; s++)
                o.scen[s] = strstr(v, scen_names[s]) != NULL;
        } else if (!strcmp(a, "--chain")) {
            NEEDV();
            chains_arg = v;
            chains_set = 1;
        } else if (!strcmp(a, "--rates")) {
            NEEDV();
            rates_arg = v;
            rates_set = 1;
        } else if (!strcmp(a, "--workers")) {
            NEEDV();
            o.maxw = atoi(v);
        } else if (!strcmp(a, "--rt-layout")) {
            NEEDV();
            o.rt_layout[0] = strstr(v, layout_names[0]) != NULL;
            o.rt_layout[1] = strstr(v, layout_names[1]) != NULL;
        } else if (!strcmp(a, "--rt-window")) {
            NEEDV();
            if (parse_uint(a, v, 2, 1u << 20, &rt_window) < 0)
                return 2;
        } else if (!strcmp(a, "--rt-spin")) {
            NEEDV();
            if (parse_uint(a, v, 1, 1u << 24, &rt_spin) < 0)
                return 2;
        } else if (!strcmp(a, "--reps")) {
            NEEDV();
            o.reps = atoi(v);
            reps_set = 1;
        } else if (!strcmp(a, "--seconds")) {
            NEEDV();
            o.seconds = atof(v);
            secs_set = 1;
        } else if (!strcmp(a, "--out")) {
            NEEDV();
            o.out = v;
        } else if (!strcmp(a, "--no-plot")) {
            o.plot = false;
        } else if (!strcmp(a, "--no-dpdk")) {
            o.no_dpdk = true;
        } else if (!strcmp(a, "-v")) {
            verbose = 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "ngbench: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    /* Suite presets (explicit options win). */
    if (!strcmp(o.suite, "quick")) {
        if (!reps_set)
            o.reps = 3;
        if (!secs_set)
            o.seconds = 0.08;
        o.nchains = 2;
        o.chains[0] = 1;
        o.chains[1] = 16;
        o.nrates = 2;
        o.rates[0] = 0;
        o.rates[1] = 10000;
    } else if (!strcmp(o.suite, "full")) {
        if (!reps_set)
            o.reps = 9;
        if (!secs_set)
            o.seconds = 0.4;
        int fc[] = {1, 2, 4, 8, 16, 32, 64, 128, 256};
        o.nchains = 9;
        memcpy(o.chains, fc, sizeof(fc));
        double fr[] = {0, 100, 1000, 10000, 50000};
        o.nrates = 5;
        memcpy(o.rates, fr, sizeof(fr));
    } else if (o.smoke) {
        if (!reps_set)
            o.reps = 1;
        if (!secs_set)
            o.seconds = 0.02;
        o.nchains = 2;
        o.chains[0] = 1;
        o.chains[1] = 4;
        o.churn_n = 4;
        o.scale_n = 4;
        o.runtime_n = 4;
        o.plot = false;
    }
    /* Default suite: runtime runs of 2/3 x S (0.1 s) and DPDK runs of S / 2
     * keep the whole suite at about two minutes on 2 cores. */
    if (!strcmp(o.suite, "default") && !secs_set) {
        o.rt_factor = 2.0 / 3.0;
        o.dpdk_factor = 0.5; /* DPDK rows: 0.075 s, single-threaded and steady */
    }
    if (chains_set) {
        double tmp[16];
        o.nchains = parse_list(chains_arg, tmp, 16);
        for (int k = 0; k < o.nchains; k++)
            o.chains[k] = (int)tmp[k];
    }
    if (rates_set)
        o.nrates = parse_list(rates_arg, o.rates, 16);
    if (o.reps < 1 || o.reps > MAXREPS || o.seconds <= 0) {
        fprintf(stderr, "ngbench: bad --reps (1..%d) or --seconds\n", MAXREPS);
        return 2;
    }
    for (int k = 0; k < o.nchains; k++)
        if (o.chains[k] < 1 || o.chains[k] > MAXN) {
            fprintf(stderr, "ngbench: chain length must be 1..%d\n", MAXN);
            return 2;
        }
    for (int k = 0; k < o.nrates; k++)
        if (o.rates[k] < 0 || o.rates[k] > 1e6) {
            fprintf(stderr, "ngbench: churn rate must be 0..1e6\n");
            return 2;
        }

    setvbuf(stdout, NULL, _IOLBF, 0);
    types_init();
    struct machine m;
    machine_info(&m);
    printf("ngbench: libngraph %d.%d.%d, suite %s, %d reps x %.3g s per run (churn %.3g s, "
           "runtime %.3g s)\n",
           NG_VERSION_MAJOR, NG_VERSION_MINOR, NG_VERSION_PATCH, o.suite, o.reps, o.seconds,
           o.seconds * o.churn_factor, o.seconds * o.rt_factor);
    printf("machine: %s, %ld cores online (scaling sweep: workers 1..%ld), %s, %s\n", m.cpu,
           m.ncpu, m.ncpu, m.kernel, m.date);
    if (m.ncpu < 2)
        printf("note: fewer than 2 cores: scaling targets cannot be evaluated\n");
    printf("floor: plain structs, one indirect call per hop (read next pointer, call), same\n"
           "       item alloc/free + sink work; base = alloc + sink work + free (no hop);\n"
           "       ns/hop = (ns/item - base) / hops, hops = N + 1 (injection + N forwards)\n");
    /* DPDK rte_graph baseline: EAL initialised once, here (the calling
     * thread's affinity is restored by the module: the main thread stays
     * unpinned), only when the chain scenario runs. */
#ifdef NGB_HAVE_DPDK
    const char *dpdk_env = getenv("NGB_DPDK");
    char why[192] = "";
    if (o.no_dpdk)
        snprintf(dpdk_hdr, sizeof(dpdk_hdr), "skipped (--no-dpdk)");
    else if (dpdk_env && strcmp(dpdk_env, "0") == 0)
        snprintf(dpdk_hdr, sizeof(dpdk_hdr), "skipped (NGB_DPDK=0 in the environment)");
    else if (!o.scen[S_CHAIN])
        snprintf(dpdk_hdr, sizeof(dpdk_hdr), "not used (chain scenario not selected)");
    else if (ngb_dpdk_init(why, sizeof(why)) == 0) {
        dpdk_on = true;
        snprintf(dpdk_hdr, sizeof(dpdk_hdr), "%s", ngb_dpdk_describe());
    } else
        snprintf(dpdk_hdr, sizeof(dpdk_hdr), "skipped (%s)", why[0] ? why : "EAL init failed");
#else
    snprintf(dpdk_hdr, sizeof(dpdk_hdr), "skipped (libdpdk-dev not installed)");
#endif
    printf("DPDK: %s\n", dpdk_hdr);
    if (dpdk_on)
        printf("      chain rows dpdk b1/b32: rte_graph chain of the same N walked by one pinned\n"
               "       thread, 1 or 32 objects per walk, stock rte_graph_walk or -nostats (no\n"
               "       per-node graph statistics); ns/hop = (ns/item - dpdk_base at the same\n"
               "       burst) / (N + 1); %.3g s per run\n",
               o.seconds * o.dpdk_factor);

    m.spin_scaling = spin_scaling((int)m.ncpu);
    printf("machine scaling ceiling: %ld threads of pure ALU work do %.2fx one thread\n", m.ncpu,
           m.spin_scaling);
    printf("Mitems/s = items per second of worker CPU time (CLOCK_THREAD_CPUTIME_ID), summed\n"
           "       over workers (robust to other load); 'wall' = per wall-clock second\n");
    if (o.scen[S_RUNTIME])
        printf("runtime: ng_runtime_start(W pinned workers); one producer thread per %d workers\n"
               "       (pinned from the last CPU down) allocates items and hands them to the\n"
               "       workers with ng_runtime_submit, at most %u in flight per worker; each\n"
               "       worker sends them through a %d-node chain to a sink (its own chain, or\n"
               "       one shared chain); its CPU time is the worker thread's, measured from\n"
               "       outside (pthread_getcpuclockid); latency is submit -> sink\n",
               RT_PER_PRODUCER, rt_window, o.runtime_n);
    build_suite(&o, m.ncpu);
    uint64_t t0 = ngb_now_ns(), busy0, tot0, busy1, tot1;
    double self0 = self_cpu_s();
    proc_stat(&busy0, &tot0);
    run_suite(&o);
    proc_stat(&busy1, &tot1);
    double self1 = self_cpu_s();
    if (tot1 > tot0) {
        double hz = (double)sysconf(_SC_CLK_TCK);
        double all = (double)(tot1 - tot0) / hz, busy = (double)(busy1 - busy0) / hz;
        m.other_load = (busy - (self1 - self0)) / all;
        if (m.other_load < 0)
            m.other_load = 0;
    }
    derive();

    struct memres mem[NG_BACKEND_COUNT];
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        mem[b] = mem_measure((enum ng_backend)b);
    double runtime = (double)(ngb_now_ns() - t0) / 1e9;

    printf("other load: processes other than ngbench used %.0f%% of the machine's CPU during "
           "the suite%s\n",
           100 * m.other_load, m.other_load > 0.1 ? " (figures are noisy; wall-clock most)" : "");
    print_table(&o);
    printf("\n== memory ==\n");
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        printf("%-8s bytes per node %.0f, per hook %.0f (malloc'd, measured over %" PRIu64
               " nodes)\n",
               ng_backend_name(b), mem[b].node_bytes, mem[b].hook_bytes, mem[b].nodes);
    for (int i = 0; i < ncfg; i++) {
        struct cfg *c = &cfgs[i];
        if (c->scen == S_CHURN && c->kind == K_ENGINE && c->rate > 0)
            printf("%-8s %-8s churn %6.0f/s: RSS %ld kB before, %ld kB after (last rep); peak "
                   "defer backlog %.0f objects; %.1f us per change (control thread)\n",
                   who_of(c), mode_of(c), c->rate, c->rss_before, c->rss_after,
                   stat_of(c->defer_peak, c->nrep).med, stat_of(c->us_change, c->nrep).med);
    }
    eval_targets(m.ncpu);
    print_targets();

    int fails = 0;
    for (int i = 0; i < ncfg; i++)
        fails += cfgs[i].acct_fail;
    if (write_outputs(&o, &m, mem, runtime) == 0)
        printf("\nresults: %s/results.json %s/results.csv\n", o.out, o.out);
    write_plots(&o, &m);
    printf("suite runtime: %.1f s; accounting: %s\n", runtime,
           fails ? "FAILURES (see stderr)" : "all runs balanced (sent == delivered + dropped)");
    free(cfgs);
    return fails ? 1 : 0;
}
