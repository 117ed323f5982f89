/*
 * dpdk_graph.c - optional DPDK rte_graph baseline for ngbench (issue #4).
 *
 * What is measured
 * ----------------
 * A chain  source -> pass[0] -> ... -> pass[N-1] -> sink  built as an
 * rte_graph and walked with rte_graph_walk() by the calling thread (ngbench
 * calls it from a worker thread it has pinned itself), for a given wall time
 * after a warm-up of >= 4096 items.  Per walk:
 *
 *   source  (RTE_NODE_SOURCE_F) rte_mempool_get_bulk(burst) of 128-byte
 *           objects into its own stream (per-lcore mempool cache), writes
 *           word 0 of each object: a CLOCK_MONOTONIC timestamp on 1 object in
 *           64, else 0 (ng_item_alloc zeroes the item metadata and ngbench
 *           stamps 1 item in 64), then rte_node_next_stream_move() to edge 0,
 *           as DPDK's ethdev_rx node does after rte_eth_rx_burst();
 *   pass    rte_node_next_stream_move(graph, node, 0): the idiomatic fast
 *           path, which swaps the stream arrays of the two nodes (no copy);
 *           the N pass nodes are rte_node_clone()s of one registered node;
 *   sink    reads word 0 of each object (records source -> sink latency if
 *           non-zero: ngb_sink_work) and rte_mempool_put_bulk()s them.
 *
 * burst = 1 is the item-at-a-time case ngbench's engine runs (one graph walk
 * per item); burst = 32 is how rte_graph is meant to be used (the per-node
 * and per-walk costs are shared by 32 items).  Items = objects freed by the
 * sink in the timed window; every run checks allocated == freed over the
 * whole run and that no mempool object is missing (-EIO otherwise).
 *
 * Mapping to ngbench's definitions
 * --------------------------------
 *   ns/item  thread CPU time (CLOCK_THREAD_CPUTIME_ID) of the timed window /
 *            items, as ngbench's per-worker figure (wall time is returned too);
 *   base     ngb_dpdk_base_run(): the same get_bulk + stamping + sink work +
 *            put_bulk at the same burst in a plain loop, no graph (ngbench's
 *            base: ng_item_alloc + sink_work + free, no hop);
 *   hops     N + 1: source -> pass[0], N-1 pass -> pass moves, pass[N-1] ->
 *            sink (ngbench: the injection + N forwards); each hop here is one
 *            enqueue onto the graph's circular buffer plus one indirect
 *            process() call by the walk;
 *   ns/hop   (ns/item - base) / (N + 1), per item, i.e. at burst 32 the
 *            per-node cost amortised over the 32 items of the stream;
 *   floor    ngbench's floor (plain structs, one indirect call per hop) is
 *            not reproduced here: it is the same for both.
 * The comparison is per core and single-threaded: rte_graph has no
 * concurrent topology changes (a graph is built, walked by one lcore, and
 * destroyed; changing it means building another), so there is no DPDK
 * counterpart of the churn scenario or of the engine's read-side sections.
 *
 * Graph statistics: rte_graph_walk() is inline and Debian's DPDK is built
 * with RTE_LIBRTE_GRAPH_STATS=1, so the stock walk reads the TSC twice and
 * updates three counters per node visit.  NGB_DPDK_F_NOSTATS walks with a
 * copy of the loop without them (what a DPDK build with stats disabled runs);
 * both are reported in the result's `stats` field.
 *
 * EAL: --no-huge --no-pci --no-shconf --no-telemetry -m 64, a per-process
 * --file-prefix, lcore 0 mapped to the initialising thread's own CPU set (its
 * affinity is saved and restored anyway), log captured while initialising
 * and stdout sent to stderr meanwhile (EAL prints its usage text on stdout).
 * --in-memory cannot be used: --no-huge implies --legacy-mem, which EAL
 * refuses with --in-memory; --no-shconf is the part of it that matters here
 * (no config file, no multi-process socket).  The runtime directory EAL
 * creates (/var/run/dpdk/<prefix> as root, else $XDG_RUNTIME_DIR/dpdk or
 * /tmp/dpdk) stays empty and is removed right after init, also when init
 * fails; no hugepage or /dev/shm file is created.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#ifndef ALLOW_EXPERIMENTAL_API
#define ALLOW_EXPERIMENTAL_API 1 /* rte_graph is experimental in 22.11 */
#endif

#include "dpdk_graph.h"
#include "ngb_clock.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_graph.h>
#include <rte_graph_worker.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mempool.h>
#include <rte_version.h>

#define NGB_GRAPH_NAME "ngb_chain"
#define NGB_SRC_NAME "ngb_src"
#define NGB_PASS_NAME "ngb_pass"
#define NGB_SINK_NAME "ngb_sink"
#define NGB_POOL_NAME "ngb_items"
#define NGB_POOL_SIZE 4095u /* 2^q - 1, the mempool's preferred size */
#define NGB_OBJ_SIZE 128u
#define NGB_POOL_CACHE 256u
#define NGB_WARMUP_ITEMS 4096u
#define NGB_CHECK_ITEMS 1024u /* items between two reads of the clock */
#define NGB_LAT_MASK 63u

/* ------------------------------------------------------------------------ */
/* Run state and per-item work                                              */
/* ------------------------------------------------------------------------ */

struct ngb_st {
    struct rte_mempool *mp;
    uint64_t seq;       /* items allocated so far (sampling) */
    uint64_t allocated; /* objects taken from the mempool */
    uint64_t freed;     /* objects returned by the sink */
    uint64_t alloc_fail;
    uint32_t *lat;
    uint32_t nlat, caplat;
    uint16_t burst;
} __rte_cache_aligned;

static struct ngb_st g_st;

/* Source side: what ng_item_alloc + the injection stamp do in ngbench. */
static inline void ngb_stamp(struct ngb_st *st, void **objs, unsigned k)
{
    uint64_t seq = st->seq;
    for (unsigned i = 0; i < k; i++)
        *(uint64_t *)objs[i] = (seq++ & NGB_LAT_MASK) == 0 ? ngb_now_ns() : 0;
    st->seq = seq;
    st->allocated += k;
}

/* Sink side: ngbench's sink_work (read the metadata, record the latency of
 * stamped items) and the free. */
static inline void ngb_drain(struct ngb_st *st, void **objs, unsigned k)
{
    for (unsigned i = 0; i < k; i++) {
        uint64_t ts = *(const uint64_t *)objs[i];
        if (ts && st->nlat < st->caplat) {
            uint64_t d = ngb_now_ns() - ts;
            st->lat[st->nlat++] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
        }
    }
    rte_mempool_put_bulk(st->mp, objs, k);
    st->freed += k;
}

/* ------------------------------------------------------------------------ */
/* Nodes                                                                    */
/* ------------------------------------------------------------------------ */

static inline struct ngb_st *ngb_ctx(const struct rte_node *node)
{
    struct ngb_st *st;
    memcpy(&st, node->ctx, sizeof(st));
    return st;
}

static int ngb_node_init(const struct rte_graph *graph, struct rte_node *node)
{
    (void)graph;
    struct ngb_st *st = &g_st;
    memcpy(node->ctx, &st, sizeof(st));
    return 0;
}

static uint16_t ngb_src_process(struct rte_graph *graph, struct rte_node *node, void **objs,
                                uint16_t nb_objs)
{
    (void)objs;
    (void)nb_objs;
    struct ngb_st *st = ngb_ctx(node);
    uint16_t k = st->burst;
    if (unlikely(rte_mempool_get_bulk(st->mp, node->objs, k) != 0)) {
        st->alloc_fail++;
        return 0;
    }
    ngb_stamp(st, node->objs, k);
    node->idx = k;
    rte_node_next_stream_move(graph, node, 0);
    return k;
}

static uint16_t ngb_pass_process(struct rte_graph *graph, struct rte_node *node, void **objs,
                                 uint16_t nb_objs)
{
    (void)objs;
    rte_node_next_stream_move(graph, node, 0);
    return nb_objs;
}

static uint16_t ngb_sink_process(struct rte_graph *graph, struct rte_node *node, void **objs,
                                 uint16_t nb_objs)
{
    (void)graph;
    ngb_drain(ngb_ctx(node), objs, nb_objs);
    return nb_objs;
}

/* Registered at load time (constructors); edges are set per configuration
 * with rte_node_edge_update(), so all three start with none. */
static struct rte_node_register ngb_src_node = {
    .name = NGB_SRC_NAME,
    .flags = RTE_NODE_SOURCE_F,
    .process = ngb_src_process,
    .init = ngb_node_init,
};
static struct rte_node_register ngb_pass_node = {
    .name = NGB_PASS_NAME,
    .process = ngb_pass_process,
};
static struct rte_node_register ngb_sink_node = {
    .name = NGB_SINK_NAME,
    .process = ngb_sink_process,
    .init = ngb_node_init,
};
RTE_NODE_REGISTER(ngb_src_node)
RTE_NODE_REGISTER(ngb_pass_node)
RTE_NODE_REGISTER(ngb_sink_node)

/* Clones of ngb_pass, created on demand and kept (nodes cannot be
 * unregistered): ngb_pass-0, ngb_pass-1, ... */
static rte_node_t g_clone[NGB_DPDK_MAXN];
static int g_nclones;

/* rte_graph_walk() without the per-node statistics (RTE_LIBRTE_GRAPH_STATS
 * = 0): same circular-buffer walk, same calls. */
static inline void ngb_walk_nostats(struct rte_graph *graph)
{
    const rte_graph_off_t *cir_start = graph->cir_start;
    const rte_node_t mask = graph->cir_mask;
    uint32_t head = graph->head;
    while (likely(head != graph->tail)) {
        struct rte_node *node = (struct rte_node *)RTE_PTR_ADD(graph, cir_start[(int32_t)head++]);
        void **objs = node->objs;
        rte_prefetch0(objs);
        node->process(graph, node, objs, node->idx);
        node->idx = 0;
        head = likely((int32_t)head > 0) ? head & mask : head;
    }
    graph->tail = 0;
}

/* ------------------------------------------------------------------------ */
/* Initialisation                                                           */
/* ------------------------------------------------------------------------ */

static pthread_mutex_t g_init_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t g_run_mu = PTHREAD_MUTEX_INITIALIZER;
static int g_init_rc = 1; /* 1: not tried; 0: ok; < 0: failed */
static char g_why[192];
static char g_desc[256];
static struct rte_mempool *g_mp;

static void set_why(char *why, size_t whylen, const char *s)
{
    if (why && whylen > 0)
        snprintf(why, whylen, "%s", s);
}

/* "0-1,3" from a CPU set. */
static void cpulist(const cpu_set_t *set, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int c = 0; c < CPU_SETSIZE && o + 16 < len; c++) {
        if (!CPU_ISSET(c, set))
            continue;
        int e = c;
        while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, set))
            e++;
        int w = e > c ? snprintf(buf + o, len - o, "%s%d-%d", o ? "," : "", c, e)
                      : snprintf(buf + o, len - o, "%s%d", o ? "," : "", c);
        if (w < 0)
            break;
        o += (size_t)w;
        c = e;
    }
}

/* The directory EAL puts its runtime directories in (eal_create_runtime_dir
 * in DPDK 22.11): /var/run/dpdk as root, else $XDG_RUNTIME_DIR/dpdk or
 * /tmp/dpdk. */
static void eal_dpdk_dir(char *buf, size_t len)
{
    const char *d = "/var/run";
    if (getuid() != 0) {
        const char *x = getenv("XDG_RUNTIME_DIR");
        d = x ? x : "/tmp";
    }
    snprintf(buf, len, "%s/dpdk", d);
}

/* Most informative line of the captured EAL log: the last "FATAL" line, else
 * the last non-empty one. */
static void last_log_line(const char *log, char *out, size_t len)
{
    const char *best = NULL, *best_end = NULL, *p = log;
    bool fatal = false;
    out[0] = '\0';
    while (p && *p) {
        const char *e = strchr(p, '\n');
        if (!e)
            e = p + strlen(p);
        if (e > p) {
            bool f = memmem(p, (size_t)(e - p), "FATAL", 5) != NULL;
            if (f || !fatal) {
                best = p;
                best_end = e;
                fatal = fatal || f;
            }
        }
        p = *e ? e + 1 : e;
    }
    if (best) {
        size_t n = (size_t)(best_end - best);
        if (n >= len)
            n = len - 1;
        memcpy(out, best, n);
        out[n] = '\0';
    }
}

#define NGB_MAXARGS 48

static int do_init(void)
{
    char cpus[256], lcores[300], prefix[64], dpdkdir[PATH_MAX];
    char *argv[NGB_MAXARGS + 1];
    int argc = 0;
    char *extra = NULL;

    /* The calling thread's CPU set: EAL pins the main lcore's thread to the
     * set given for lcore 0, so give it the set it already has, and put the
     * mask back afterwards in any case. */
    cpu_set_t saved;
    CPU_ZERO(&saved);
    bool have_mask = pthread_getaffinity_np(pthread_self(), sizeof(saved), &saved) == 0;
    if (have_mask && CPU_COUNT(&saved) > 0) {
        cpulist(&saved, cpus, sizeof(cpus));
        snprintf(lcores, sizeof(lcores), "--lcores=0@(%s)", cpus);
    } else {
        snprintf(lcores, sizeof(lcores), "--lcores=0");
    }
    snprintf(prefix, sizeof(prefix), "--file-prefix=ngbench-%ld", (long)getpid());
    const char *prefix_name = prefix + strlen("--file-prefix=");

    argv[argc++] = (char *)"ngbench";
    argv[argc++] = (char *)"--no-huge";
    argv[argc++] = (char *)"--no-pci";
    argv[argc++] = (char *)"--no-shconf";
    argv[argc++] = (char *)"--no-telemetry";
    argv[argc++] = (char *)"-m";
    argv[argc++] = (char *)"64";
    argv[argc++] = lcores;
    argv[argc++] = (char *)"--main-lcore=0";
    argv[argc++] = prefix;
    const char *env = getenv("NGB_DPDK_EAL_ARGS");
    if (env && *env) {
        extra = strdup(env);
        for (char *save = NULL, *t = extra ? strtok_r(extra, " \t", &save) : NULL;
             t && argc < NGB_MAXARGS; t = strtok_r(NULL, " \t", &save))
            argv[argc++] = t;
    }
    argv[argc] = NULL;

    /* Did the dpdk runtime parent directory exist before?  (Removed after
     * init only if EAL created it.) */
    eal_dpdk_dir(dpdkdir, sizeof(dpdkdir));
    struct stat sb;
    bool dpdkdir_existed = stat(dpdkdir, &sb) == 0;

    /* Capture EAL's log while it initialises. */
    char *logbuf = NULL;
    size_t loglen = 0;
    FILE *logf = open_memstream(&logbuf, &loglen);
    if (logf)
        rte_openlog_stream(logf);

    /* EAL prints its usage text on stdout (bad arguments): keep ngbench's
     * stdout clean. */
    fflush(stdout);
    int saved_stdout = dup(STDOUT_FILENO);
    if (saved_stdout >= 0)
        (void)dup2(STDERR_FILENO, STDOUT_FILENO);

    int old_optind = optind, old_opterr = opterr, old_optopt = optopt;
    char *old_optarg = optarg;
    uint64_t t0 = ngb_now_ns();
    int rc = rte_eal_init(argc, argv);
    int err = rte_errno;
    uint64_t t1 = ngb_now_ns();
    fflush(stdout);
    if (saved_stdout >= 0) {
        (void)dup2(saved_stdout, STDOUT_FILENO);
        close(saved_stdout);
    }
    optind = old_optind;
    opterr = old_opterr;
    optopt = old_optopt;
    optarg = old_optarg;
    if (have_mask)
        (void)pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);

    /* From now on: warnings and errors to stderr (stdout is ngbench's table). */
    rte_log_set_global_level(RTE_LOG_WARNING);
    rte_openlog_stream(stderr);
    char line[160] = "";
    if (logf) {
        fclose(logf);
        last_log_line(logbuf ? logbuf : "", line, sizeof(line));
        free(logbuf);
    }
    free(extra);

    /* Leave nothing behind: with --no-shconf the runtime directory stays
     * empty (rmdir fails harmlessly if it is not). */
    char rundir[PATH_MAX + 80];
    snprintf(rundir, sizeof(rundir), "%s/%s", dpdkdir, prefix_name);
    (void)rmdir(rundir);
    const char *rd = rte_eal_get_runtime_dir();
    if (rd && *rd && strcmp(rd, rundir) != 0)
        (void)rmdir(rd);
    if (!dpdkdir_existed)
        (void)rmdir(dpdkdir);

    if (rc < 0) {
        if (err <= 0)
            err = EIO;
        snprintf(g_why, sizeof(g_why), "rte_eal_init: %s", line[0] ? line : rte_strerror(err));
        return -err;
    }

    /* Nodes registered by the constructors? */
    if (ngb_src_node.id == RTE_NODE_ID_INVALID || ngb_pass_node.id == RTE_NODE_ID_INVALID ||
        ngb_sink_node.id == RTE_NODE_ID_INVALID) {
        snprintf(g_why, sizeof(g_why), "rte_graph node registration failed");
        return -EEXIST;
    }

    g_mp = rte_mempool_create(NGB_POOL_NAME, NGB_POOL_SIZE, NGB_OBJ_SIZE, NGB_POOL_CACHE, 0, NULL,
                              NULL, NULL, NULL, SOCKET_ID_ANY, RTE_MEMPOOL_F_NO_IOVA_CONTIG);
    if (!g_mp) {
        err = rte_errno > 0 ? rte_errno : ENOMEM;
        snprintf(g_why, sizeof(g_why), "rte_mempool_create: %s", rte_strerror(err));
        return -err;
    }

    snprintf(g_desc, sizeof(g_desc),
             "%s rte_graph, EAL --no-huge --no-shconf (init %.0f ms), graph stats %s, "
             "mempool %u x %u B, cache %u",
             rte_version(), (double)(t1 - t0) / 1e6,
             rte_graph_has_stats_feature() ? "compiled in" : "off", NGB_POOL_SIZE, NGB_OBJ_SIZE,
             NGB_POOL_CACHE);
    return 0;
}

int ngb_dpdk_init(char *why, size_t whylen)
{
    pthread_mutex_lock(&g_init_mu);
    if (g_init_rc > 0) {
        g_init_rc = do_init();
        if (g_init_rc < 0 && !g_why[0])
            snprintf(g_why, sizeof(g_why), "%s", strerror(-g_init_rc));
    }
    int rc = g_init_rc;
    if (rc < 0)
        set_why(why, whylen, g_why);
    else
        set_why(why, whylen, "");
    pthread_mutex_unlock(&g_init_mu);
    return rc;
}

int ngb_dpdk_available(void) { return ngb_dpdk_init(NULL, 0) == 0; }

const char *ngb_dpdk_describe(void)
{
    pthread_mutex_lock(&g_init_mu);
    const char *d = g_init_rc == 0 ? g_desc : "";
    pthread_mutex_unlock(&g_init_mu);
    return d;
}

/* ------------------------------------------------------------------------ */
/* Runs                                                                     */
/* ------------------------------------------------------------------------ */

static bool ngb_ready(void)
{
    pthread_mutex_lock(&g_init_mu);
    bool ok = g_init_rc == 0;
    pthread_mutex_unlock(&g_init_mu);
    return ok;
}

static void result_reset(struct ngb_dpdk_result *out, int n, int burst)
{
    if (!out)
        return;
    uint32_t *lat = out->lat;
    uint32_t cap = out->lat_cap;
    memset(out, 0, sizeof(*out));
    out->lat = lat;
    out->lat_cap = cap;
    out->n = n;
    out->burst = burst;
    out->lcore = LCORE_ID_ANY;
}

/* Register the calling thread as an lcore for the run if it is not one
 * (per-lcore mempool cache; rte_thread_register does not change the
 * thread's affinity).  Returns true if it registered. */
static bool lcore_enter(void)
{
    if (rte_lcore_id() != LCORE_ID_ANY)
        return false;
    return rte_thread_register() == 0;
}

static void lcore_leave(bool registered)
{
    unsigned lc = rte_lcore_id();
    if (lc != LCORE_ID_ANY) {
        struct rte_mempool_cache *c = rte_mempool_default_cache(g_mp, lc);
        if (c)
            rte_mempool_cache_flush(c, g_mp);
    }
    if (registered)
        rte_thread_unregister();
}

static void st_reset(struct ngb_dpdk_result *out, int burst)
{
    memset(&g_st, 0, sizeof(g_st));
    g_st.mp = g_mp;
    g_st.burst = (uint16_t)burst;
    if (out && out->lat) {
        g_st.lat = out->lat;
        g_st.caplat = out->lat_cap;
    }
}

static int st_finish(struct ngb_dpdk_result *out, uint64_t items, uint64_t walks, uint64_t cpu,
                     uint64_t wall)
{
    /* Caller has flushed the lcore cache: every object is back in the ring. */
    unsigned inuse = rte_mempool_in_use_count(g_mp);
    int rc = (g_st.allocated == g_st.freed && inuse == 0) ? 0 : -EIO;
    if (out) {
        out->items = items;
        out->walks = walks;
        out->cpu_ns = cpu;
        out->wall_ns = wall;
        out->alloc_fail = g_st.alloc_fail;
        out->allocated = g_st.allocated;
        out->freed = g_st.freed;
        out->nlat = g_st.nlat;
        out->ns_item = items ? (double)cpu / (double)items : 0.0;
    }
    if (rc < 0)
        fprintf(stderr,
                "ngbench: DPDK ACCOUNTING FAILURE: allocated %" PRIu64 " freed %" PRIu64
                ", %u objects still in use\n",
                g_st.allocated, g_st.freed, inuse);
    g_st.lat = NULL;
    g_st.caplat = 0;
    return rc;
}

static int chain_setup(int n, rte_graph_t *gid, struct rte_graph **graph)
{
    char nm[RTE_NODE_NAMESIZE];
    /* Enough clones. */
    while (g_nclones < n) {
        snprintf(nm, sizeof(nm), "%d", g_nclones);
        rte_node_t id = rte_node_clone(ngb_pass_node.id, nm);
        if (id == RTE_NODE_ID_INVALID)
            return rte_errno > 0 ? -rte_errno : -ENOMEM;
        g_clone[g_nclones++] = id;
    }
    /* Edges: src -> pass-0 -> ... -> pass-(n-1) -> sink. */
    char next[RTE_NODE_NAMESIZE];
    const char *e[1] = {next};
    snprintf(next, sizeof(next), "%s", n > 0 ? NGB_PASS_NAME "-0" : NGB_SINK_NAME);
    if (rte_node_edge_update(ngb_src_node.id, 0, e, 1) != 1)
        return -ENOMEM;
    for (int i = 0; i < n; i++) {
        if (i + 1 < n)
            snprintf(next, sizeof(next), NGB_PASS_NAME "-%d", i + 1);
        else
            snprintf(next, sizeof(next), "%s", NGB_SINK_NAME);
        if (rte_node_edge_update(g_clone[i], 0, e, 1) != 1)
            return -ENOMEM;
    }
    /* The source pattern is enough: rte_graph_create adds every node
     * reachable through the edges. */
    const char *patterns[] = {NGB_SRC_NAME};
    struct rte_graph_param prm = {
        .socket_id = SOCKET_ID_ANY,
        .nb_node_patterns = 1,
        .node_patterns = patterns,
    };
    rte_graph_t id = rte_graph_create(NGB_GRAPH_NAME, &prm);
    if (id == RTE_GRAPH_ID_INVALID)
        return rte_errno > 0 ? -rte_errno : -EINVAL;
    struct rte_graph *g = rte_graph_lookup(NGB_GRAPH_NAME);
    if (!g || g->nb_nodes != (rte_node_t)(n + 2)) {
        rte_graph_destroy(id);
        return -EFAULT;
    }
    *gid = id;
    *graph = g;
    return 0;
}

static bool args_ok(int burst, double seconds)
{
    return burst >= 1 && burst <= NGB_DPDK_MAXBURST && seconds > 0 && seconds < 1e6;
}

int ngb_dpdk_chain_run(int n, int burst, double seconds, unsigned flags,
                       struct ngb_dpdk_result *out)
{
    result_reset(out, n, burst);
    if (n < 0 || n > NGB_DPDK_MAXN || !args_ok(burst, seconds))
        return -EINVAL;
    if (!ngb_ready())
        return -ENODEV;
    bool nostats = (flags & NGB_DPDK_F_NOSTATS) != 0 || !rte_graph_has_stats_feature();
    if (out) {
        out->hops = n + 1;
        out->stats = !nostats;
    }

    pthread_mutex_lock(&g_run_mu);
    bool reg = lcore_enter();
    if (out)
        out->lcore = rte_lcore_id();
    rte_graph_t gid = RTE_GRAPH_ID_INVALID;
    struct rte_graph *g = NULL;
    int rc = chain_setup(n, &gid, &g);
    if (rc < 0) {
        lcore_leave(reg);
        pthread_mutex_unlock(&g_run_mu);
        return rc;
    }
    st_reset(out, burst);
    uint64_t per = (NGB_CHECK_ITEMS + (uint64_t)burst - 1) / (uint64_t)burst;

    /* Warm-up (caches, mempool cache, branch predictors), not timed. */
    for (unsigned i = 0; g_st.allocated < NGB_WARMUP_ITEMS && i < 4 * NGB_WARMUP_ITEMS; i++)
        rte_graph_walk(g);
    g_st.nlat = 0;

    uint64_t f0 = g_st.freed, walks = 0;
    uint64_t t0 = ngb_now_ns(), c0 = ngb_cpu_ns();
    uint64_t deadline = t0 + (uint64_t)(seconds * 1e9), t;
    if (nostats) {
        do {
            for (uint64_t i = 0; i < per; i++)
                ngb_walk_nostats(g);
            walks += per;
        } while ((t = ngb_now_ns()) < deadline);
    } else {
        do {
            for (uint64_t i = 0; i < per; i++)
                rte_graph_walk(g);
            walks += per;
        } while ((t = ngb_now_ns()) < deadline);
    }
    uint64_t c1 = ngb_cpu_ns();
    uint64_t items = g_st.freed - f0;

    rte_graph_destroy(gid);
    lcore_leave(reg);
    rc = st_finish(out, items, walks, c1 - c0, t - t0);
    pthread_mutex_unlock(&g_run_mu);
    return rc;
}

int ngb_dpdk_base_run(int burst, double seconds, unsigned flags, struct ngb_dpdk_result *out)
{
    (void)flags;
    result_reset(out, 0, burst);
    if (!args_ok(burst, seconds))
        return -EINVAL;
    if (!ngb_ready())
        return -ENODEV;

    pthread_mutex_lock(&g_run_mu);
    bool reg = lcore_enter();
    if (out)
        out->lcore = rte_lcore_id();
    st_reset(out, burst);
    struct ngb_st *st = &g_st;
    void *objs[NGB_DPDK_MAXBURST];
    unsigned k = (unsigned)burst;
    uint64_t per = (NGB_CHECK_ITEMS + (uint64_t)burst - 1) / (uint64_t)burst;

    for (unsigned i = 0; st->allocated < NGB_WARMUP_ITEMS && i < 4 * NGB_WARMUP_ITEMS; i++) {
        if (unlikely(rte_mempool_get_bulk(st->mp, objs, k) != 0)) {
            st->alloc_fail++;
            continue;
        }
        ngb_stamp(st, objs, k);
        ngb_drain(st, objs, k);
    }
    st->nlat = 0;

    uint64_t f0 = st->freed, walks = 0;
    uint64_t t0 = ngb_now_ns(), c0 = ngb_cpu_ns();
    uint64_t deadline = t0 + (uint64_t)(seconds * 1e9), t;
    do {
        for (uint64_t i = 0; i < per; i++) {
            if (unlikely(rte_mempool_get_bulk(st->mp, objs, k) != 0)) {
                st->alloc_fail++;
                continue;
            }
            ngb_stamp(st, objs, k);
            ngb_drain(st, objs, k);
        }
        walks += per;
    } while ((t = ngb_now_ns()) < deadline);
    uint64_t c1 = ngb_cpu_ns();
    uint64_t items = st->freed - f0;

    lcore_leave(reg);
    int rc = st_finish(out, items, walks, c1 - c0, t - t0);
    pthread_mutex_unlock(&g_run_mu);
    return rc;
}
