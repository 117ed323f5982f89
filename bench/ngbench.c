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
 *   memory   bytes per node and per hook (malloc accounting)
 * for every backend (ck_epoch, qsbr, rwlock) and node concurrency mode
 * ("netgraph": reader/writer entry, one CAS per hop; "shared":
 * NG_TYPE_CONCURRENT_DATA, no shared write for node entry), against
 *   floor    the same chain as plain structs, one indirect call per hop, with
 *            the same item alloc/free and sink work as the engine path
 *   base     item alloc + sink work + free, no hop at all, so that
 *            ns/hop = (ns/item - base) / hops for both floor and engine.
 *
 * Workers are pinned pthreads that register with the graph and inject with
 * ng_send_data() at the chain's head; the sink frees.  1 item in 64 carries a
 * CLOCK_MONOTONIC timestamp in its metadata; sinks record the latency.
 * Every run checks its accounting: items sent (x fan-out) == delivered +
 * dropped (graph drop counters + drops seen by the bench's own nodes), and no
 * item is left alive.
 *
 * Output: table on stdout, progress on stderr, results.json, results.csv,
 * gnuplot PNGs in --out DIR (default bench-results).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ngraph/ngraph.h>

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
int ngb_dpdk_available(void);
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

static inline uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

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
    uint64_t delivered; /* items freed by a sink on this thread */
    uint64_t nohook;    /* items dropped by a bench node (out hook gone) */
    uint32_t *lat;      /* latency samples (ns) */
    uint32_t nlat, caplat;
    char pad[64];
};

static _Thread_local struct tslot *tl_slot;
/* Threads without a slot (none in practice: a thread draining a node queue
 * is always a worker or the control thread). */
static _Atomic uint64_t other_delivered, other_nohook;

static inline void sink_work(struct ng_item *it)
{
    uint64_t ts = ((const uint64_t *)ng_item_meta(it))[0];
    struct tslot *s = tl_slot;
    if (ts && s && s->nlat < s->caplat) {
        uint64_t d = now_ns() - ts;
        s->lat[s->nlat++] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
    }
    ng_item_free(it);
    if (__builtin_expect(s != NULL, 1))
        s->delivered++;
    else
        atomic_fetch_add(&other_delivered, 1);
}

static inline void count_nohook(void)
{
    struct tslot *s = tl_slot;
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
 * The out hook is cached in node private data (atomic pointer): stored by the
 * connect method (both ends exist, hook linked) and cleared by disconnect,
 * both of which run under the graph's control lock and may overlap rcvdata.
 * A hook read just before disconnect stays valid memory until a grace period
 * and sending on it drops the item with -ENOTCONN (counted by the engine).
 * Every hook's private pointer is the node's private data, so rcvdata needs
 * one accessor call.
 * fan: hooks "in", "o0".."o3"; 3 copies + the original, one per out hook.
 */
#define FAN 4
struct bpriv {
    _Atomic(struct ng_hook *) out[FAN];
    bool hold; /* rwlock backend: keep our own reference, see below */
};

/*
 * Workaround for the rwlock backend (reported to the engine): it frees a
 * hook as soon as its last reference goes, with no grace period, so a hook
 * pointer cached by a node and loaded by rcvdata just before disconnect could
 * be freed under it (use-after-free seen under churn; the built-in tee has
 * the same exposure).  With that backend the bench's nodes hold their own
 * reference on each cached hook; disconnect parks it here and the control
 * thread drops it once every worker has returned to its injection loop
 * (bench_quiesce), i.e. after a bench-level grace period.  Disconnects while
 * no worker runs (setup, teardown) drop it at once.  Control path only
 * (disconnect runs under the graph's control lock; one graph at a time).
 */
#define RETIRED_MAX 4096
static struct ng_hook *retired[RETIRED_MAX];
static int nretired;
static _Atomic int workers_running;
static bool no_rwlock_workaround; /* --no-rwlock-workaround: reproduce the bug */

static int b_ctor(struct ng_node *n)
{
    struct bpriv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->hold = ng_graph_backend(ng_node_graph(n)) == NG_BACKEND_RWLOCK && !no_rwlock_workaround;
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
        if (p->hold)
            ng_hook_ref(h);
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
        if (atomic_compare_exchange_strong(&p->out[i], &exp, NULL) && p->hold) {
            if (atomic_load(&workers_running) && nretired < RETIRED_MAX)
                retired[nretired++] = h;
            else
                ng_hook_unref(h);
        }
    }
    return 0;
}

static int pass_rcvdata(struct ng_hook *h, struct ng_item *it)
{
    struct bpriv *p = ng_hook_private(h);
    struct ng_hook *o = atomic_load_explicit(&p->out[0], memory_order_acquire);
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
            t->newhook = b_newhook;
            t->connect = b_connect;
            t->disconnect = b_disconnect;
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

enum kind { K_BASE, K_FLOOR, K_ENGINE };
enum scen { S_CHAIN, S_FANOUT, S_SCALE, S_CHURN };
static const char *const scen_names[] = {"chain", "fanout", "scale", "churn"};
static const char *const mode_names[] = {"netgraph", "shared"};
static const char *const layout_names[] = {"private", "shared"};

struct cfg {
    enum scen scen;
    enum kind kind;
    int backend;      /* enum ng_backend, engine only */
    int mode;         /* 0 netgraph, 1 shared (engine only) */
    int n;            /* pass nodes in the chain (fanout: 1 fan node) */
    int workers;
    int layout;       /* scale: 0 private chains, 1 one shared chain */
    double rate;      /* churn: target topology changes per second */
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
    double refratio[MAXREPS]; /* churn: delivered vs rate 0; scale: vs 1 worker */
    double injratio[MAXREPS]; /* churn: injected vs rate 0 */
    double good[MAXREPS];     /* delivered items per CPU second (thr x delivered share) */
    double achieved[MAXREPS]; /* churn ops/s achieved */
    double us_change[MAXREPS]; /* churn: control-thread wall time per change */
    double p50[MAXREPS], p99[MAXREPS], p999[MAXREPS];
    double drops_rep[MAXREPS];
    double defer_peak[MAXREPS];
    uint64_t sent, delivered, dropped, notconn, nohook, churn_ops;
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
    _Atomic uint64_t progress; /* items whose send returned; ~0 = stopped */
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
};

static inline void inject_one(struct worker *w, struct ng_graph *g, enum kind k, unsigned seq)
{
    struct ng_item *it = ng_item_alloc(g, 64);
    if (__builtin_expect(it == NULL, 0)) {
        w->alloc_fail++;
        return;
    }
    if ((seq & LAT_SAMPLE_MASK) == 0)
        ((uint64_t *)ng_item_meta(it))[0] = now_ns();
    w->sent++;
    if (k == K_ENGINE)
        ng_send_data(w->head, it);
    else if (k == K_FLOOR)
        w->fhead->fn(w->fhead, it);
    else
        sink_work(it);
    atomic_store_explicit(&w->progress, w->sent, memory_order_release);
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
    uint64_t t0 = now_ns(), c0 = cpu_ns(), cnt = 0;
    while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
        for (int i = 0; i < 64; i++)
            inject_one(w, g, k, seq++);
        cnt += 64;
    }
    w->t_ns = now_ns() - t0;
    w->cpu_ns = cpu_ns() - c0;
    w->timed = cnt;
    atomic_store_explicit(&w->progress, UINT64_MAX, memory_order_release);
    ng_thread_unregister(g);
    tl_slot = NULL;
    return NULL;
}

/* Churn: one "change" is one of: disconnect the middle link, reconnect it
 * (done back to back), insert a node into the link (create, disconnect,
 * connect both sides), remove that node (shutdown, reconnect).  Cycle of 4
 * changes, paced so that the average is the target rate. */
/* Wait until every worker has finished the item it was sending. */
static void bench_quiesce(struct run *r)
{
    int W = r->c->workers;
    uint64_t snap[MAXW];
    for (int i = 0; i < W; i++)
        snap[i] = atomic_load_explicit(&r->w[i].progress, memory_order_acquire);
    for (int i = 0; i < W; i++)
        while (snap[i] != UINT64_MAX &&
               atomic_load_explicit(&r->w[i].progress, memory_order_acquire) == snap[i])
            sched_yield();
}

static void release_retired(struct run *r)
{
    if (nretired == 0)
        return;
    bench_quiesce(r);
    for (int i = 0; i < nretired; i++)
        ng_hook_unref(retired[i]);
    nretired = 0;
}

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
    if (nretired >= 64)
        release_retired(r); /* batched: one bench grace period per 64 hooks */
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
    uint64_t t0 = now_ns(), next = t0, op = 0;
    while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
        uint64_t b0 = now_ns();
        if (churn_op(r, op, &x) < 0)
            r->ctl_err++;
        r->busy_ns += now_ns() - b0;
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
        uint64_t now = now_ns();
        if (next + 50000000ull < now)
            next = now;
        if (next > now + 20000)
            sleep_until(next);
    }
    r->ctl_ns = now_ns() - t0;
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

static int verbose;

static void run_one(struct cfg *c, int rep)
{
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
    int nchains = (c->scen == S_SCALE && c->layout == 1) ? 1 : W;
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
    atomic_store(&workers_running, 1);
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
    long rss0 = rss_kb();
    uint64_t t0 = now_ns();
    sleep_until(t0 + (uint64_t)(c->seconds * 1e9));
    atomic_store(&r->stop, 1);
    for (int i = 0; i < W; i++)
        pthread_join(r->w[i].tid, NULL);
    if (churn)
        pthread_join(r->ctl_tid, NULL);
    release_retired(r);
    atomic_store(&workers_running, 0);

    /* Accounting. */
    uint64_t sent = 0, allocf = 0, deliv = atomic_exchange(&other_delivered, 0);
    uint64_t nohook = atomic_exchange(&other_nohook, 0);
    double thr = 0, thrw = 0, nsitem = 0;
    size_t nlat = 0;
    for (int i = 0; i < W; i++) {
        struct worker *w = &r->w[i];
        sent += w->sent;
        allocf += w->alloc_fail;
        deliv += w->slot.delivered;
        nohook += w->slot.nohook;
        nlat += w->slot.nlat;
        double s = (double)w->t_ns / 1e9, cs = (double)w->cpu_ns / 1e9;
        thrw += s > 0 ? (double)w->timed / s : 0;
        thr += cs > 0 ? (double)w->timed / cs : 0;
        nsitem += w->timed ? (double)w->cpu_ns / (double)w->timed : 0;
    }
    deliv += r->ctl_slot.delivered;
    nohook += r->ctl_slot.nohook;
    nsitem /= W;
    ng_graph_stats(g, &st1);
    uint64_t gd = drops_total(&st1) - drops_total(&st0);
    uint64_t fan = c->scen == S_FANOUT ? FAN : 1;
    uint64_t expect = sent * fan;
    uint64_t dropped = gd - allocf + nohook;
    bool ok = expect == deliv + dropped && st1.items_live == st0.items_live;
    if (!ok) {
        ng_graph_barrier(g);
        ng_graph_stats(g, &st1);
        gd = drops_total(&st1) - drops_total(&st0);
        dropped = gd - allocf + nohook;
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
    c->sent += sent;
    c->delivered += deliv;
    c->dropped += dropped;
    c->notconn += st1.drops[NG_DROP_NOTCONN] - st0.drops[NG_DROP_NOTCONN];
    c->nohook += nohook;
    c->churn_ops += r->ops;
    c->rss_before = rss0;
    c->rss_after = rss1;
    if (!ok || r->ctl_err) {
        c->acct_ok = false;
        c->acct_fail++;
        fprintf(stderr,
                "\nngbench: ACCOUNTING FAILURE %s rep %d: sent %" PRIu64 " x%" PRIu64
                " != delivered %" PRIu64 " + dropped %" PRIu64 " (graph drops %" PRIu64
                ", bench drops %" PRIu64 "), live %" PRIu64 " -> %" PRIu64
                ", control errors %d\n",
                scen_names[c->scen], rep, sent, fan, deliv, dropped, gd, nohook,
                st0.items_live, st1.items_live, r->ctl_err);
    }
    if (verbose)
        fprintf(stderr, "\n  thr %.2f M/s sent %" PRIu64 " deliv %" PRIu64 " drop %" PRIu64 "\n",
                thr / 1e6, sent, deliv, dropped);

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
    bool scen[4];
    int chains[16], nchains;
    double rates[16];
    int nrates;
    int maxw;
    int churn_n, scale_n;
    double churn_factor;
    const char *out;
    bool smoke, plot;
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
}

static const char *cfg_label(const struct cfg *c, char *buf, size_t len)
{
    const char *who = c->kind == K_BASE ? "base" : c->kind == K_FLOOR ? "floor"
                                                                      : ng_backend_name(c->backend);
    const char *mode = c->kind == K_ENGINE ? mode_names[c->mode] : "-";
    snprintf(buf, len, "%s N=%d W=%d%s%s %s/%s rate=%g", scen_names[c->scen], c->n, c->workers,
             c->scen == S_SCALE ? " " : "", c->scen == S_SCALE ? layout_names[c->layout] : "",
             who, mode, c->rate);
    return buf;
}

static void run_suite(const struct opts *o)
{
    int total = ncfg * o->reps, done = 0;
    uint64_t t0 = now_ns();
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
                double el = (double)(now_ns() - t0) / 1e9;
                fprintf(stderr, "\r[%4d/%4d %5.1fs] %-60s rep %d/%d ", ++done, total, el,
                        cfg_label(&cfgs[i], lab, sizeof(lab)), rep + 1, o->reps);
                fflush(stderr);
                run_one(&cfgs[i], rep);
                cfgs[i].nrep = rep + 1;
            }
        }
    }
    fprintf(stderr, "\r%-110s\r", "");
    fprintf(stderr, "ngbench: %d runs in %.1f s\n", total, (double)(now_ns() - t0) / 1e9);
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
            if (c->kind != K_BASE) {
                c->nshop[r] = isnan(base) ? c->nsitem[r] / hops_of(c)
                                          : (c->nsitem[r] - base) / hops_of(c);
            }
            if (c->floor_idx >= 0) {
                struct cfg *f = &cfgs[c->floor_idx];
                c->ratio[r] = c->nsitem[r] / f->nsitem[r];
                if (!isnan(base))
                    c->hopratio[r] = (c->nsitem[r] - base) / (f->nsitem[r] - base);
            }
            c->injratio[r] = NAN;
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
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < 40000000ull; i++)
        x += i;
    sa->secs = (double)(now_ns() - t0) / 1e9;
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
        spin_main(&one);
        pthread_t t[MAXW];
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

static const char *who_of(const struct cfg *c)
{
    return c->kind == K_BASE ? "base" : c->kind == K_FLOOR ? "floor" : ng_backend_name(c->backend);
}
static const char *mode_of(const struct cfg *c)
{
    return c->kind == K_ENGINE ? mode_names[c->mode] : "-";
}

#define ST(field) stat_of(c->field, c->nrep)

static void print_table(const struct opts *o)
{
    (void)o;
    for (int s = 0; s < 4; s++) {
        bool any = false;
        for (int i = 0; i < ncfg; i++)
            any |= cfgs[i].scen == (enum scen)s;
        if (!any)
            continue;
        printf("\n== %s ==\n", s == S_CHAIN    ? "chain of N pass-through nodes, 1 worker"
                               : s == S_FANOUT ? "fan-out 1->4 (3 copies + original), 1 worker"
                               : s == S_SCALE  ? "scaling: workers on private chains / one shared chain"
                                               : "live topology churn on the chain (control thread)");
        if (s == S_CHURN)
            printf("%-8s %-8s %-8s %9s %21s %7s %14s %7s %8s %8s %8s %8s %8s %7s\n", "backend",
                   "mode", "target/s", "achieved", "delivered Mit/s [min-max]", "wall",
                   "vs no-churn", "inject",
                   "p50 ns", "p99 ns", "p99.9 ns", "dropped", "defer_pk", "acct");
        else
            printf("%-8s %-8s %4s %2s %-7s %21s %7s %8s %8s %14s %8s %8s %8s %7s\n", "backend",
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
            if (s == S_SCALE)
                snprintf(rats, sizeof(rats), "%.2f [%.2f-%.2f]", rr.med, rr.min, rr.max);
            else if (c->floor_idx >= 0)
                snprintf(rats, sizeof(rats), "%.2f [%.2f-%.2f]", rat.med, rat.min, rat.max);
            else
                snprintf(rats, sizeof(rats), "-");
            char hrs[16] = "-";
            if (!isnan(hr.med))
                snprintf(hrs, sizeof(hrs), "%.2f", hr.med);
            char hops[16] = "-";
            if (!isnan(hop.med))
                snprintf(hops, sizeof(hops), "%.2f", hop.med);
            printf("%-8s %-8s %4d %2d %-7s %21s %7.2f %8.2f %8s %14s %8s %8.0f %8.0f %7s\n",
                   who_of(c), mode_of(c), c->n, c->workers,
                   s == S_SCALE ? layout_names[c->layout] : "-", thrs, thw.med / 1e6, ns.med, hops, rats, hrs, p50.med, p99.med, c->acct_ok ? "ok" : "FAIL");
        }
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
    fprintf(f, "  \"floor\": \"plain structs, one indirect call per hop (read next pointer, "
               "call), same item alloc/free and sink work as the engine path\",\n");
    fprintf(f, "  \"dpdk\": \"%s\",\n",
#ifdef NGB_HAVE_DPDK
            "built"
#else
            "skipped (libdpdk-dev not installed)"
#endif
    );
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
                c->scen == S_SCALE ? layout_names[c->layout] : "-", c->rate, c->nrep);
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
        json_stat(f, c->scen == S_SCALE ? "scaling_vs_1_worker" : "ratio_vs_no_churn",
                  ST(refratio));
        json_stat(f, "churn_achieved_per_s", ST(achieved));
        json_stat(f, "churn_us_per_change", ST(us_change));
        json_stat(f, "latency_p50_ns", ST(p50));
        json_stat(f, "latency_p99_ns", ST(p99));
        json_stat(f, "latency_p999_ns", ST(p999));
        json_stat(f, "defer_backlog_peak", ST(defer_peak));
        fprintf(f, "\"sent\": %" PRIu64 ", \"delivered\": %" PRIu64 ", \"dropped\": %" PRIu64
                   ", \"dropped_notconn\": %" PRIu64 ", \"dropped_by_bench_nodes\": %" PRIu64
                   ", \"churn_ops\": %" PRIu64 ", \"rss_kb_before\": %ld, \"rss_kb_after\": %ld, "
                   "\"accounting_ok\": %s}%s\n",
                c->sent, c->delivered, c->dropped, c->notconn, c->nohook, c->churn_ops,
                c->rss_before, c->rss_after, c->acct_ok ? "true" : "false",
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
               "rss_kb_before,rss_kb_after,accounting_ok,delivered_mitems_s_med,injected_ratio_med\n");
    for (int i = 0; i < ncfg; i++) {
        struct cfg *c = &cfgs[i];
        struct mstat thr = ST(thr), rat = ST(ratio), rr = ST(refratio);
        fprintf(f, "%s,%s,%s,%d,%d,%s,%g,%d,%.4f,%.4f,%.4f,%.4f,%.4f,%.3f,%.3f,%.4f,%.4f,%.4f,%.4f,"
                   "%.4f,%.4f,%.4f,%.0f,%.0f,%.0f,%.0f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                   ",%.0f,%ld,%ld,%d,%.4f,%.4f\n",
                scen_names[c->scen], who_of(c), mode_of(c), c->n, c->workers,
                c->scen == S_SCALE ? layout_names[c->layout] : "-", c->rate, c->nrep,
                thr.med / 1e6, thr.min / 1e6, thr.max / 1e6, thr.med / 1e6 / c->workers,
                ST(thrw).med / 1e6, ST(nsitem).med, ST(nshop).med, rat.med, rat.min, rat.max, ST(hopratio).med,
                rr.med, rr.min, rr.max, ST(achieved).med, ST(p50).med, ST(p99).med, ST(p999).med,
                c->sent, c->delivered, c->dropped, c->notconn, ST(defer_peak).med, c->rss_before,
                c->rss_after, c->acct_ok ? 1 : 0, ST(good).med / 1e6, ST(injratio).med);
    }
    fclose(f);
    return 0;
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
    fprintf(f, "\n");
    for (int k = 0; k < o->nchains; k++) {
        int n = o->chains[k];
        fprintf(f, "%d", n);
        int i = find_cfg(S_CHAIN, K_FLOOR, 0, 0, n, 1, 0, 0);
        for (int col = -1; col < NG_BACKEND_COUNT * 2; col++) {
            if (col >= 0)
                i = find_cfg(S_CHAIN, K_ENGINE, col / 2, col % 2, n, 1, 0, 0);
            if (i < 0) {
                fprintf(f, " NaN NaN NaN");
                continue;
            }
            struct cfg *c = &cfgs[i];
            struct mstat s = ST(thr);
            fprintf(f, " %.4f %.4f %.4f", s.med / 1e6, s.min / 1e6, s.max / 1e6);
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
            if (i < 0) {
                fprintf(f, " NaN NaN NaN");
                continue;
            }
            struct cfg *c = &cfgs[i];
            struct mstat s = ST(good); /* delivered */
            fprintf(f, " %.4f %.4f %.4f", s.med / 1e6, s.min / 1e6, s.max / 1e6);
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
    fprintf(f, "set output 'throughput_vs_chain.png'\n");
    fprintf(f, "set title \"Throughput vs chain length, 1 worker (median, min-max)\\n%s, %ld cores, %s\"\n",
            m->cpu, m->ncpu, m->date);
    fprintf(f, "set xlabel 'pass-through nodes in chain (N)'\nset ylabel 'Mitems/s (per worker CPU-second)'\n");
    fprintf(f, "set logscale y\n");
    fprintf(f, "plot 'chain.dat' using 1:2:3:4 title 'floor (indirect calls)' lw 2");
    for (int col = 0; col < NG_BACKEND_COUNT * 2; col++)
        fprintf(f, ", '' using 1:%d:%d:%d title '%s/%s'", 5 + 3 * col, 6 + 3 * col, 7 + 3 * col,
                ng_backend_name(col / 2), mode_names[col % 2]);
    fprintf(f, "\nunset logscale y\nset logscale x 10\nset yrange [0:*]\n");
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
    fclose(f);
    if (!o->plot)
        return;
    if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
        printf("plot: gnuplot not found; data and script left in %s/\n", o->out);
        return;
    }
    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "cd '%s' && gnuplot plot.gp", o->out);
    if (system(cmd) == 0)
        printf("plots: %s/throughput_vs_chain.png %s/throughput_vs_churn.png\n", o->out, o->out);
    else
        printf("plot: gnuplot failed; data and script left in %s/\n", o->out);
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
            "  --scenario LIST  chain,fanout,scale,churn\n"
            "  --chain LIST     chain lengths, e.g. 1,4,16,64\n"
            "  --rates LIST     churn rates in changes/s, e.g. 0,1000,10000\n"
            "  --workers W      cap the scaling sweep at W workers\n"
            "  --reps N         repetitions per configuration (median, min-max)\n"
            "  --seconds S      seconds per run (churn runs: 2.5 x S)\n"
            "  --out DIR        output directory (default bench-results)\n"
            "  --no-plot        do not run gnuplot\n"
            "  --no-rwlock-workaround  let bench nodes cache hooks without their own\n"
            "                   reference under rwlock (reproduces the engine's\n"
            "                   use-after-free under churn; for ASan builds)\n"
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

int main(int argc, char **argv)
{
    struct opts o;
    memset(&o, 0, sizeof(o));
    o.reps = 5;
    o.seconds = 0.15;
    o.churn_factor = 2.5;
    o.out = "bench-results";
    o.plot = true;
    o.suite = "default";
    o.churn_n = 16;
    o.scale_n = 16;
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        o.backends[b] = true;
    o.modes[0] = o.modes[1] = true;
    for (int s = 0; s < 4; s++)
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
            for (int s = 0; s < 4; s++)
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
        } else if (!strcmp(a, "--no-rwlock-workaround")) {
            no_rwlock_workaround = true;
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
        o.plot = false;
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
    printf("ngbench: libngraph %d.%d.%d, suite %s, %d reps x %.3g s per run (churn %.3g s)\n",
           NG_VERSION_MAJOR, NG_VERSION_MINOR, NG_VERSION_PATCH, o.suite, o.reps, o.seconds,
           o.seconds * o.churn_factor);
    printf("machine: %s, %ld cores online (scaling sweep: workers 1..%ld), %s, %s\n", m.cpu,
           m.ncpu, m.ncpu, m.kernel, m.date);
    if (m.ncpu < 2)
        printf("note: fewer than 2 cores: scaling targets cannot be evaluated\n");
    printf("floor: plain structs, one indirect call per hop (read next pointer, call), same\n"
           "       item alloc/free + sink work; base = alloc + sink work + free (no hop);\n"
           "       ns/hop = (ns/item - base) / hops, hops = N + 1 (injection + N forwards)\n");
#ifdef NGB_HAVE_DPDK
    printf("DPDK: %s\n", ngb_dpdk_available() ? "rte_graph baseline available"
                                             : "rte_graph baseline unavailable at run time");
#else
    printf("DPDK: skipped (libdpdk-dev not installed)\n");
#endif

    m.spin_scaling = spin_scaling((int)m.ncpu);
    printf("machine scaling ceiling: %ld threads of pure ALU work do %.2fx one thread\n", m.ncpu,
           m.spin_scaling);
    printf("Mitems/s = items per second of worker CPU time (CLOCK_THREAD_CPUTIME_ID), summed\n"
           "       over workers (robust to other load); 'wall' = per wall-clock second\n");
    build_suite(&o, m.ncpu);
    uint64_t t0 = now_ns(), busy0, tot0, busy1, tot1;
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
    double runtime = (double)(now_ns() - t0) / 1e9;

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
