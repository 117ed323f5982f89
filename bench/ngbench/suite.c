/*
 * suite.c - the configurations of a suite and running them.
 *
 * Configurations come in groups run side by side, rep by rep, in ABBA order
 * (so slow drifts of the machine hit every member alike): a group is one
 * scenario point with its floor (and base) and one row per selected engine
 * backend and mode, plus the DPDK rows in chain groups.
 */
#include "ngbench.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const ngb_scen_names[NSCEN] = {"chain", "fanout",  "scale", "churn", "runtime",
                                           "size",  "control", "types", "entry", "net"};
const char *const ngb_mode_names[2] = {"netgraph", "shared"};
const char *const ngb_layout_names[2] = {"private", "shared"};
const int ngb_dpdk_bursts[2] = {1, 32};

static int cfg_add(struct ngb_suite *s, struct cfg c)
{
    if (s->ncfg == s->cfgcap) {
        s->cfgcap = s->cfgcap ? s->cfgcap * 2 : 64;
        s->cfgs = realloc(s->cfgs, (size_t)s->cfgcap * sizeof(*s->cfgs));
        if (!s->cfgs) {
            perror("realloc");
            exit(2);
        }
    }
    c.acct_ok = true;
    c.walk_stats = -1;
    c.floor_idx = c.base_idx = c.ref_idx = c.tj_idx = -1;
    s->cfgs[s->ncfg] = c;
    return s->ncfg++;
}

/* One row per selected engine backend and mode, like proto (proto.burst:
 * the rows send bursts of that many items). */
static void add_engines(struct ngb_suite *s, const struct ngb_opts *o, struct cfg proto,
                        int floor_idx, int base_idx)
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
            if (c.burst > 1)
                snprintf(c.dmode, sizeof(c.dmode), "%s-b%d", ngb_mode_names[m], c.burst);
            int i = cfg_add(s, c);
            s->cfgs[i].floor_idx = floor_idx;
            s->cfgs[i].base_idx = base_idx;
        }
    }
}

/* The floor (if the scenario has one) and the engines of one scenario point;
 * returns the floor's index (-1 without). */
static int add_point(struct ngb_suite *s, const struct ngb_opts *o, struct cfg c, bool floor)
{
    int fi = -1;
    if (floor) {
        c.kind = K_FLOOR;
        fi = cfg_add(s, c);
    }
    add_engines(s, o, c, fi, -1);
    return fi;
}

/* DPDK rows of one chain group: per burst, its base (no graph) and the chain
 * walked with the stock rte_graph_walk and with the stats-free copy. */
static void add_dpdk(struct ngb_suite *s, struct cfg proto, int floor_idx)
{
    for (size_t b = 0; b < sizeof(ngb_dpdk_bursts) / sizeof(ngb_dpdk_bursts[0]); b++) {
        struct cfg c = proto;
        c.burst = ngb_dpdk_bursts[b];
        c.kind = K_DPDK_BASE;
        snprintf(c.dmode, sizeof(c.dmode), "b%d", c.burst);
        int bi = cfg_add(s, c);
        for (int ns = 0; ns < 2; ns++) {
            c.kind = K_DPDK;
            c.dflags = ns ? NGB_DPDK_F_NOSTATS : 0;
            snprintf(c.dmode, sizeof(c.dmode), "b%d%s", c.burst, ns ? "-nostats" : "");
            int i = cfg_add(s, c);
            s->cfgs[i].floor_idx = floor_idx;
            s->cfgs[i].base_idx = bi;
        }
    }
}

/* Reference rows (ref_idx) of the configurations added since `first`. */
static bool ref_one_worker(const struct cfg *c, const struct cfg *ref)
{
    return ref->workers == 1 && ref->kind == c->kind && ref->backend == c->backend &&
           ref->mode == c->mode;
}

static bool ref_no_churn(const struct cfg *c, const struct cfg *ref)
{
    return c->kind == K_ENGINE && ref->kind == K_ENGINE && ref->rate == 0 &&
           ref->backend == c->backend && ref->mode == c->mode;
}

static void set_refs(struct ngb_suite *s, int first,
                     bool (*is_ref)(const struct cfg *c, const struct cfg *ref))
{
    for (int i = first; i < s->ncfg; i++)
        for (int j = first; j < s->ncfg; j++)
            if (is_ref(&s->cfgs[i], &s->cfgs[j]))
                s->cfgs[i].ref_idx = j;
}

/* Chain groups: base, both floors, the engine rows one item at a time and
 * in bursts of ENGINE_BURST, the DPDK rows; every row but the bases and
 * floors also compared with the tail-jump floor (tj_idx). */
static void add_chain(struct ngb_suite *s, const struct ngb_opts *o, struct cfg c)
{
    c.scen = S_CHAIN;
    c.seconds = o->seconds * o->chain_factor;
    for (int k = 0; k < o->nchains; k++) {
        c.n = o->chains[k];
        c.group = s->ngroups++;
        c.kind = K_BASE;
        int bi = cfg_add(s, c);
        c.kind = K_FLOOR;
        int fi = cfg_add(s, c);
        s->cfgs[fi].base_idx = bi;
        c.kind = K_FLOOR_TJ;
        int ti = cfg_add(s, c);
        s->cfgs[ti].base_idx = bi;
        int first = s->ncfg;
        add_engines(s, o, c, fi, bi);
        struct cfg b = c;
        b.burst = ENGINE_BURST;
        add_engines(s, o, b, fi, bi);
        if (s->dpdk_on) {
            struct cfg d = c;
            d.seconds = c.seconds * o->dpdk_factor;
            add_dpdk(s, d, fi);
        }
        for (int i = first; i < s->ncfg; i++)
            s->cfgs[i].tj_idx = ti;
    }
}

static void add_fanout(struct ngb_suite *s, const struct ngb_opts *o, struct cfg c)
{
    c.scen = S_FANOUT;
    c.n = 1;
    c.group = s->ngroups++;
    add_point(s, o, c, true);
}

static void add_churn(struct ngb_suite *s, const struct ngb_opts *o, struct cfg c, long ncpu)
{
    int first = s->ncfg;
    c.scen = S_CHURN;
    c.n = o->churn_n;
    c.seconds = o->seconds * o->churn_factor;
    c.workers = ncpu > 2 ? (int)ncpu - 1 : 1;
    c.group = s->ngroups++;
    c.kind = K_FLOOR;
    int fi = cfg_add(s, c);
    for (int k = 0; k < o->nrates; k++) {
        c.rate = o->rates[k];
        add_engines(s, o, c, fi, -1);
    }
    set_refs(s, first, ref_no_churn);
}

/* Scale and runtime: per selected layout, one group of W = 1..maxw workers,
 * each compared with its 1-worker row. */
static void add_sweep(struct ngb_suite *s, const struct ngb_opts *o, struct cfg c,
                      const bool layouts[2], bool floor, long ncpu)
{
    int maxw = (int)ncpu;
    if (o->maxw > 0 && o->maxw < maxw)
        maxw = o->maxw;
    if (maxw > MAXW)
        maxw = MAXW;
    for (int layout = 0; layout < 2; layout++) {
        if (!layouts[layout])
            continue;
        int first = s->ncfg;
        c.layout = layout;
        c.group = s->ngroups++;
        for (int w = 1; w <= maxw; w++) {
            c.workers = w;
            add_point(s, o, c, floor);
        }
        set_refs(s, first, ref_one_worker);
    }
}

void ngb_suite_build(struct ngb_suite *s, const struct ngb_opts *o, long ncpu)
{
    static const bool both_layouts[2] = {true, true};
    struct cfg z;
    memset(&z, 0, sizeof(z));
    z.seconds = o->seconds;
    z.workers = 1;
    if (o->scen[S_CHAIN])
        add_chain(s, o, z);
    if (o->scen[S_FANOUT])
        add_fanout(s, o, z);
    if (o->scen[S_SCALE]) {
        struct cfg c = z;
        c.scen = S_SCALE;
        c.n = o->scale_n;
        add_sweep(s, o, c, both_layouts, true, ncpu);
    }
    if (o->scen[S_CHURN])
        add_churn(s, o, z, ncpu);
    if (o->scen[S_RUNTIME]) {
        /* Engine only: the floor has no worker runtime to compare with. */
        struct cfg c = z;
        c.scen = S_RUNTIME;
        c.n = o->runtime_n;
        c.seconds = o->seconds * o->rt_factor;
        add_sweep(s, o, c, o->rt_layout, false, ncpu);
    }
}

bool ngb_has_layout(const struct cfg *c) { return c->scen == S_SCALE || c->scen == S_RUNTIME; }

bool ngb_is_dpdk(const struct cfg *c) { return c->kind == K_DPDK || c->kind == K_DPDK_BASE; }

const char *ngb_who_of(const struct cfg *c)
{
    switch (c->kind) {
    case K_BASE:
        return "base";
    case K_FLOOR:
        return "floor";
    case K_FLOOR_TJ:
        return "floor-tj";
    case K_DPDK_BASE:
        return "dpdk_base";
    case K_DPDK:
        return "dpdk";
    default:
        return ng_backend_name(c->backend);
    }
}

const char *ngb_mode_of(const struct cfg *c)
{
    if (c->kind == K_ENGINE)
        return c->burst > 1 ? c->dmode : ngb_mode_names[c->mode];
    return ngb_is_dpdk(c) ? c->dmode : "-";
}

static const char *cfg_label(const struct cfg *c, char *buf, size_t len)
{
    bool lay = ngb_has_layout(c);
    snprintf(buf, len, "%s N=%d W=%d%s%s %s/%s rate=%g", ngb_scen_names[c->scen], c->n, c->workers,
             lay ? " " : "", lay ? ngb_layout_names[c->layout] : "", ngb_who_of(c), ngb_mode_of(c),
             c->rate);
    return buf;
}

/* Reps of configuration c: the chain scenario runs one per memory layout. */
static int reps_of(const struct ngb_opts *o, const struct cfg *c)
{
    return c->scen == S_CHAIN ? o->chain_reps : o->reps;
}

/* One rep of c, with the contention probe run before and after it. */
static void run_probed(const struct ngb_opts *o, struct cfg *c, int rep)
{
    double p0 = ngb_probe(o->probe_iters);
    c->layout_rep = rep;
    ngb_run_one(o, c, rep);
    double p1 = ngb_probe(o->probe_iters);
    c->probe[rep] = p0 < p1 ? p0 : p1;
}

void ngb_suite_run(struct ngb_suite *s, const struct ngb_opts *o)
{
    int total = 0, done = 0;
    for (int i = 0; i < s->ncfg; i++)
        total += reps_of(o, &s->cfgs[i]);
    uint64_t t0 = ngb_now_ns();
    for (int gidx = 0; gidx < s->ngroups; gidx++) {
        int lo = -1, hi = -1;
        for (int i = 0; i < s->ncfg; i++)
            if (s->cfgs[i].group == gidx) {
                if (lo < 0)
                    lo = i;
                hi = i;
            }
        if (lo < 0)
            continue;
        int reps = reps_of(o, &s->cfgs[lo]);
        for (int rep = 0; rep < reps; rep++) {
            /* ABBA: alternate the order of the group's members per rep. */
            for (int k = lo; k <= hi; k++) {
                int i = (rep & 1) ? hi - (k - lo) : k;
                char lab[128];
                double el = (double)(ngb_now_ns() - t0) / 1e9;
                fprintf(stderr, "\r[%4d/%4d %5.1fs] %-60s rep %d/%d ", ++done, total, el,
                        cfg_label(&s->cfgs[i], lab, sizeof(lab)), rep + 1, reps);
                fflush(stderr);
                run_probed(o, &s->cfgs[i], rep);
                s->cfgs[i].nrep = rep + 1;
            }
        }
    }
    fprintf(stderr, "\r%-110s\r", "");
    fprintf(stderr, "ngbench: %d runs in %.1f s\n", total, (double)(ngb_now_ns() - t0) / 1e9);
}

static int hops_of(const struct cfg *c) { return c->scen == S_FANOUT ? 1 + FAN : c->n + 1; }

/* Quiet reps: a rep is quiet when its probe, and that of the same rep of
 * every row it is compared with (floors, base, reference), reached
 * NGB_QUIET of the best probe of the suite. */
static void derive_quiet(struct ngb_suite *s)
{
    s->probe_best = 0;
    for (int i = 0; i < s->ncfg; i++)
        for (int r = 0; r < s->cfgs[i].nrep; r++)
            if (s->cfgs[i].probe[r] > s->probe_best)
                s->probe_best = s->cfgs[i].probe[r];
    for (int i = 0; i < s->ncfg; i++) {
        struct cfg *c = &s->cfgs[i];
        const int refs[] = {i, c->floor_idx, c->base_idx, c->tj_idx, c->ref_idx};
        c->nquiet = 0;
        for (int r = 0; r < c->nrep; r++) {
            bool q = true;
            for (size_t k = 0; k < sizeof(refs) / sizeof(refs[0]); k++)
                if (refs[k] >= 0 && r < s->cfgs[refs[k]].nrep)
                    q = q && s->cfgs[refs[k]].probe[r] >= NGB_QUIET * s->probe_best;
            c->quiet[r] = q;
            c->nquiet += q;
        }
    }
}

struct mstat ngb_cstat(const struct cfg *c, const double *v)
{
    double tmp[MAXREPS];
    for (int r = 0; r < c->nrep; r++)
        tmp[r] = (c->nquiet == 0 || c->quiet[r]) ? v[r] : NAN;
    return ngb_stat_of(tmp, c->nrep);
}

/* Per rep: ns/hop, ratios to the floors, to the reference row; quiet reps. */
void ngb_suite_derive(struct ngb_suite *s)
{
    derive_quiet(s);
    const struct cfg *cfgs = s->cfgs;
    for (int i = 0; i < s->ncfg; i++) {
        struct cfg *c = &s->cfgs[i];
        for (int r = 0; r < c->nrep; r++) {
            c->ratio[r] = c->hopratio[r] = c->refratio[r] = c->nshop[r] = NAN;
            double base = c->base_idx >= 0 ? cfgs[c->base_idx].nsitem[r] : NAN;
            if (c->kind != K_BASE && c->kind != K_DPDK_BASE) {
                c->nshop[r] =
                    isnan(base) ? c->nsitem[r] / hops_of(c) : (c->nsitem[r] - base) / hops_of(c);
            }
            if (c->floor_idx >= 0) {
                const struct cfg *f = &cfgs[c->floor_idx];
                /* The floor's own base (the DPDK rows have theirs). */
                double fbase = f->base_idx >= 0 ? cfgs[f->base_idx].nsitem[r] : base;
                c->ratio[r] = c->nsitem[r] / f->nsitem[r];
                if (!isnan(base) && !isnan(fbase))
                    c->hopratio[r] = (c->nsitem[r] - base) / (f->nsitem[r] - fbase);
            }
            c->tjratio[r] = NAN;
            if (c->tj_idx >= 0) {
                const struct cfg *f = &cfgs[c->tj_idx];
                double fbase = f->base_idx >= 0 ? cfgs[f->base_idx].nsitem[r] : base;
                if (!isnan(base) && !isnan(fbase))
                    c->tjratio[r] = (c->nsitem[r] - base) / (f->nsitem[r] - fbase);
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

int ngb_suite_failures(const struct ngb_suite *s)
{
    int fails = 0;
    for (int i = 0; i < s->ncfg; i++)
        fails += s->cfgs[i].acct_fail;
    return fails;
}

void ngb_suite_free(struct ngb_suite *s)
{
    free(s->cfgs);
    s->cfgs = NULL;
    s->ncfg = s->cfgcap = 0;
}

int ngb_find_cfg(const struct ngb_suite *s, enum scen sc, enum kind k, int b, int m, int n, int w,
                 int layout, double rate)
{
    for (int i = 0; i < s->ncfg; i++) {
        const struct cfg *c = &s->cfgs[i];
        if (c->scen == sc && c->kind == k &&
            (k != K_ENGINE || (c->backend == b && c->mode == m && c->burst <= 1)) && c->n == n &&
            c->workers == w && (sc != S_SCALE || c->layout == layout) && c->rate == rate)
            return i;
    }
    return -1;
}

int ngb_find_dpdk(const struct ngb_suite *s, int n, int burst, unsigned flags)
{
    for (int i = 0; i < s->ncfg; i++)
        if (s->cfgs[i].scen == S_CHAIN && s->cfgs[i].kind == K_DPDK && s->cfgs[i].n == n &&
            s->cfgs[i].burst == burst && s->cfgs[i].dflags == flags)
            return i;
    return -1;
}

int ngb_find_engine_burst(const struct ngb_suite *s, int b, int m, int n)
{
    for (int i = 0; i < s->ncfg; i++) {
        const struct cfg *c = &s->cfgs[i];
        if (c->scen == S_CHAIN && c->kind == K_ENGINE && c->burst > 1 && c->backend == b &&
            c->mode == m && c->n == n)
            return i;
    }
    return -1;
}
