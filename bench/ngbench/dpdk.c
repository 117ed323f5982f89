/*
 * dpdk.c - the optional DPDK rte_graph rows of the chain scenario
 * (bench/dpdk_graph.c; built when pkg-config finds libdpdk): the same chain
 * as a DPDK rte_graph walked by one pinned thread, 1 or 32 objects per walk,
 * with the stock rte_graph_walk and with a copy of the walk without graph
 * statistics ("-nostats"), against its own base ("dpdk_base": mempool
 * get/put + the same stamping and sink work, no graph) at the same burst.
 */
#include "ngbench.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* EAL initialised once, from main (the calling thread's affinity is
 * restored by the module: the main thread stays unpinned), only when the
 * chain scenario runs. */
void ngb_dpdk_setup(struct ngb_suite *s, const struct ngb_opts *o)
{
#ifdef NGB_HAVE_DPDK
    const char *dpdk_env = getenv("NGB_DPDK");
    char why[192] = "";
    if (o->no_dpdk)
        snprintf(s->dpdk_hdr, sizeof(s->dpdk_hdr), "skipped (--no-dpdk)");
    else if (dpdk_env && strcmp(dpdk_env, "0") == 0)
        snprintf(s->dpdk_hdr, sizeof(s->dpdk_hdr), "skipped (NGB_DPDK=0 in the environment)");
    else if (!o->scen[S_CHAIN])
        snprintf(s->dpdk_hdr, sizeof(s->dpdk_hdr), "not used (chain scenario not selected)");
    else if (ngb_dpdk_init(why, sizeof(why)) == 0) {
        s->dpdk_on = true;
        snprintf(s->dpdk_hdr, sizeof(s->dpdk_hdr), "%s", ngb_dpdk_describe());
    } else
        snprintf(s->dpdk_hdr, sizeof(s->dpdk_hdr), "skipped (%s)",
                 why[0] ? why : "EAL init failed");
#else
    (void)o;
    snprintf(s->dpdk_hdr, sizeof(s->dpdk_hdr), "skipped (libdpdk-dev not installed)");
#endif
}

#ifdef NGB_HAVE_DPDK
/*
 * One DPDK rte_graph run: on a thread of its own pinned to CPU 0 like the
 * engine's worker 0, ngb_dpdk_chain_run() (graph of N pass nodes) or
 * ngb_dpdk_base_run() (the same per-item work, no graph) at the
 * configuration's burst.  The module builds the graph and warms it up
 * before its timed window and destroys it after, so only the walk is
 * measured.  Accounting: objects allocated == freed by the sink and none
 * missing from the mempool (the module's own check, -EIO), no allocation
 * failure; any error marks the run failed.
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
    ngb_pin_cpu(0);
    if (c->kind == K_DPDK_BASE)
        j->rc = ngb_dpdk_base_run(c->burst, c->seconds, c->dflags, &j->res);
    else
        j->rc = ngb_dpdk_chain_run(c->n, c->burst, c->seconds, c->dflags, &j->res);
    return NULL;
}

void ngb_run_dpdk(const struct ngb_opts *o, struct cfg *c, int rep)
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
    ngb_percentiles(j.res.lat, j.res.lat ? r->nlat : 0, &c->p50[rep], &c->p99[rep], &c->p999[rep]);
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
    if (o->verbose)
        fprintf(stderr,
                "\n  %.2f ns/item, %" PRIu64 " items in %" PRIu64 " walks, lcore %u, "
                "graph stats %s\n",
                r->ns_item, r->items, r->walks, r->lcore, r->stats ? "on" : "off");
}
#endif
