/*
 * targets.c - the project's targets (issue #4), evaluated on the suite's
 * results: MET / NOT MET, "info" for a row without a goal, "n/a" when the
 * configuration did not run.
 */
#include "ngbench.h"

#include <inttypes.h>
#include <math.h>

static struct target *target_new(struct ngb_suite *s, const char *name, double measured,
                                 double goal, bool ge)
{
    struct target *t = &s->targets[s->ntargets++];
    t->name = name;
    t->measured = measured;
    t->goal = goal;
    t->ge = ge;
    t->valid = !isnan(measured);
    return t;
}

/* Per-hop cost of the 16-node chain vs the floor's. */
static void eval_hop(struct ngb_suite *s, int b, int m)
{
    int i = ngb_find_cfg(s, S_CHAIN, K_ENGINE, b, m, 16, 1, 0, 0);
    if (i < 0)
        return;
    const struct cfg *c = &s->cfgs[i];
    struct target *t = target_new(s, "per-hop cost, 16-node chain, 1 worker, <= 1.5x floor",
                                  ST(hopratio).med, 1.5, false);
    snprintf(t->detail, sizeof(t->detail), "%s/%s: %.2f ns/hop vs floor %.2f ns/hop",
             ng_backend_name(b), ngb_mode_names[m], ST(nshop).med,
             ngb_stat_of(s->cfgs[c->floor_idx].nshop, c->nrep).med);
}

/* Delivered throughput under 10k changes/s vs no churn (rwlock: baseline). */
static void eval_churn(struct ngb_suite *s, int b, int m)
{
    int i = -1;
    for (int j = 0; j < s->ncfg; j++) {
        const struct cfg *c = &s->cfgs[j];
        if (c->scen == S_CHURN && c->kind == K_ENGINE && c->backend == b && c->mode == m &&
            c->rate == 10000)
            i = j;
    }
    if (i < 0)
        return;
    const struct cfg *c = &s->cfgs[i];
    bool base = b == NG_BACKEND_RWLOCK;
    struct target *t = target_new(s,
                                  base ? "churn 10k/s vs no churn, delivered (baseline)"
                                       : "delivered under 10k changes/s >= 95% of no-churn",
                                  ST(refratio).med, base ? NAN : 0.95, true);
    snprintf(t->detail, sizeof(t->detail),
             "%s/%s: achieved %.0f changes/s, %" PRIu64 " items dropped (hook gone)",
             ng_backend_name(b), ngb_mode_names[m], ST(achieved).med, c->dropped);
}

/* 2 workers vs 1, disjoint chains or one shared chain. */
static void eval_scale(struct ngb_suite *s, int b, int m, int layout)
{
    int n = -1;
    for (int j = 0; j < s->ncfg; j++)
        if (s->cfgs[j].scen == S_SCALE)
            n = s->cfgs[j].n;
    int i = ngb_find_cfg(s, S_SCALE, K_ENGINE, b, m, n, 2, layout, 0);
    if (i < 0)
        return;
    const struct cfg *c = &s->cfgs[i];
    bool has_goal = layout == 0 || m == 1;
    struct target *t =
        target_new(s,
                   layout == 0 ? "2 workers, disjoint chains >= 1.9x one worker"
                   : m == 1    ? "2 workers, one shared chain, shared mode >= 1.8x"
                               : "2 workers, one shared chain, netgraph mode (no target)",
                   ST(refratio).med,
                   !has_goal     ? NAN
                   : layout == 0 ? 1.9
                                 : 1.8,
                   true);
    snprintf(t->detail, sizeof(t->detail), "%s/%s N=%d", ng_backend_name(b), ngb_mode_names[m],
             c->n);
}

void ngb_targets_eval(struct ngb_suite *s, long ncpu)
{
    s->ntargets = 0;
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        for (int m = 0; m < 2; m++)
            eval_hop(s, b, m);
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        for (int m = 0; m < 2; m++)
            eval_churn(s, b, m);
    if (ncpu < 2)
        return;
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        for (int m = 0; m < 2; m++)
            for (int layout = 0; layout < 2; layout++)
                eval_scale(s, b, m, layout);
}

const char *ngb_verdict(const struct target *t)
{
    if (!t->valid)
        return "n/a";
    if (isnan(t->goal))
        return "info";
    return (t->ge ? t->measured >= t->goal : t->measured <= t->goal) ? "MET" : "NOT MET";
}

void ngb_targets_print(const struct ngb_suite *s)
{
    printf("\n== targets ==\n");
    for (int i = 0; i < s->ntargets; i++) {
        const struct target *t = &s->targets[i];
        printf("%-8s %-58s measured %6.3f  (%s)\n", ngb_verdict(t), t->name, t->measured,
               t->detail);
    }
}
