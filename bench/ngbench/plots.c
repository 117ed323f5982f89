/*
 * plots.c - data files (chain.dat, churn.dat) and the gnuplot script
 * (plot.gp) in --out DIR; the PNGs if gnuplot is installed (and not
 * --no-plot).
 */
#include "ngbench.h"

#include <stdlib.h>

/* One column triple of a data file: median, min and max of configuration
 * i's throughput (or, with `delivered`, its delivered throughput) in
 * Mitems/s; "NaN NaN NaN" when that configuration did not run (i < 0). */
static void dat_mitems(FILE *f, const struct ngb_suite *s, int i, bool delivered)
{
    if (i < 0) {
        fprintf(f, " NaN NaN NaN");
        return;
    }
    const struct cfg *c = &s->cfgs[i];
    struct mstat st = delivered ? ST(good) : ST(thr);
    fprintf(f, " %.4f %.4f %.4f", st.med / 1e6, st.min / 1e6, st.max / 1e6);
}

/* Header columns of every engine backend/mode. */
static void dat_engine_columns(FILE *f)
{
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        for (int mo = 0; mo < 2; mo++)
            fprintf(f, " %s/%s(med min max)", ng_backend_name(b), ngb_mode_names[mo]);
}

static bool write_chain_dat(const char *path, const struct ngb_opts *o, const struct ngb_suite *s)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    /* columns: N, then for floor and each backend/mode: med min max (Mitems/s) */
    fprintf(f, "# N floor(med min max)");
    dat_engine_columns(f);
    if (s->dpdk_on)
        for (int d = 0; d < 4; d++)
            fprintf(f, " dpdk/b%d%s(med min max)", ngb_dpdk_bursts[d / 2], d % 2 ? "-nostats" : "");
    fprintf(f, "\n");
    for (int k = 0; k < o->nchains; k++) {
        int n = o->chains[k];
        fprintf(f, "%d", n);
        int i = ngb_find_cfg(s, S_CHAIN, K_FLOOR, 0, 0, n, 1, 0, 0);
        for (int col = -1; col < NG_BACKEND_COUNT * 2; col++) {
            if (col >= 0)
                i = ngb_find_cfg(s, S_CHAIN, K_ENGINE, col / 2, col % 2, n, 1, 0, 0);
            dat_mitems(f, s, i, false);
        }
        /* DPDK: b1, b1-nostats, b32, b32-nostats (columns 23 onwards). */
        for (int d = 0; s->dpdk_on && d < 4; d++)
            dat_mitems(f, s,
                       ngb_find_dpdk(s, n, ngb_dpdk_bursts[d / 2], d % 2 ? NGB_DPDK_F_NOSTATS : 0),
                       false);
        fprintf(f, "\n");
    }
    fclose(f);
    return true;
}

static bool write_churn_dat(const char *path, const struct ngb_opts *o, const struct ngb_suite *s)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fprintf(f, "# rate(target/s; 0 plotted at 10)");
    dat_engine_columns(f);
    fprintf(f, "\n");
    for (int k = 0; k < o->nrates; k++) {
        double rate = o->rates[k];
        fprintf(f, "%g", rate > 0 ? rate : 10);
        for (int col = 0; col < NG_BACKEND_COUNT * 2; col++) {
            int i = -1;
            for (int j = 0; j < s->ncfg; j++) {
                const struct cfg *c = &s->cfgs[j];
                if (c->scen == S_CHURN && c->kind == K_ENGINE && c->backend == col / 2 &&
                    c->mode == col % 2 && c->rate == rate)
                    i = j;
            }
            dat_mitems(f, s, i, true); /* delivered */
        }
        fprintf(f, "\n");
    }
    fclose(f);
    return true;
}

static void gp_chain(FILE *f, const struct ngb_suite *s, const struct machine *m)
{
    fprintf(f, "set output 'throughput_vs_chain.png'\n");
    fprintf(f,
            "set title \"Throughput vs chain length, 1 worker (median, min-max)\\n%s, %ld cores, "
            "%s\"\n",
            m->cpu, m->ncpu, m->date);
    fprintf(f, "set xlabel 'pass-through nodes in chain (N)'\nset ylabel 'Mitems/s (per worker "
               "CPU-second)'\n");
    fprintf(f, "set logscale y\n");
    fprintf(f, "plot 'chain.dat' using 1:2:3:4 title 'floor (indirect calls)' lw 2");
    for (int col = 0; col < NG_BACKEND_COUNT * 2; col++)
        fprintf(f, ", '' using 1:%d:%d:%d title '%s/%s'", 5 + 3 * col, 6 + 3 * col, 7 + 3 * col,
                ng_backend_name(col / 2), ngb_mode_names[col % 2]);
    /* DPDK rte_graph: only the stats-free walks (the stock walk's columns are
     * in chain.dat: b1 23-25, b32 29-31), dashed. */
    if (s->dpdk_on) {
        int dcol = 5 + 3 * NG_BACKEND_COUNT * 2; /* first DPDK column */
        fprintf(f,
                ", '' using 1:%d:%d:%d title 'DPDK rte_graph b1, no stats' dt 2 lw 2 "
                "lc rgb 'black', '' using 1:%d:%d:%d title 'DPDK rte_graph b32, no stats' dt 3 "
                "lw 2 lc rgb 'gray40'",
                dcol + 3, dcol + 4, dcol + 5, dcol + 9, dcol + 10, dcol + 11);
    }
    fprintf(f, "\n");
}

static void gp_churn(FILE *f, const struct ngb_opts *o, const struct machine *m)
{
    fprintf(f, "unset logscale y\nset logscale x 10\nset yrange [0:*]\n");
    fprintf(f, "set output 'throughput_vs_churn.png'\n");
    fprintf(f,
            "set title \"Delivered throughput vs topology churn rate, N=%d, 1 worker (0/s plotted "
            "at 10/s)\\n%s, %ld cores, %s\"\nset xrange [5:*]\nset offsets 0, graph 0.05, 0, 0\n",
            o->churn_n, m->cpu, m->ncpu, m->date);
    fprintf(f, "set xlabel 'topology changes per second (target)'\nset ylabel 'delivered Mitems/s "
               "(per worker CPU-second)'\n");
    fprintf(f, "plot ");
    for (int col = 0; col < NG_BACKEND_COUNT * 2; col++)
        fprintf(f, "%s'churn.dat' using 1:%d:%d:%d title '%s/%s'", col ? ", " : "", 2 + 3 * col,
                3 + 3 * col, 4 + 3 * col, ng_backend_name(col / 2), ngb_mode_names[col % 2]);
    fprintf(f, "\n");
}

/* Data files + gnuplot script; PNGs if gnuplot is installed. */
void ngb_write_plots(const struct ngb_opts *o, const struct ngb_suite *s, const struct machine *m)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/chain.dat", o->out);
    if (!write_chain_dat(path, o, s))
        return;
    snprintf(path, sizeof(path), "%s/churn.dat", o->out);
    if (!write_churn_dat(path, o, s))
        return;

    snprintf(path, sizeof(path), "%s/plot.gp", o->out);
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f, "# generated by ngbench; run: gnuplot plot.gp (in this directory)\n");
    fprintf(f, "set terminal pngcairo size 1000,620 noenhanced\nset grid\nset key outside right\n");
    fprintf(f, "set style data yerrorlines\nset logscale x 2\n");
    /* Only the plots of scenarios that ran (gnuplot fails on a data file
     * without a single valid point). */
    bool have_chain = false, have_churn = false;
    for (int i = 0; i < s->ncfg; i++) {
        have_chain |= s->cfgs[i].scen == S_CHAIN;
        have_churn |= s->cfgs[i].scen == S_CHURN && s->cfgs[i].kind == K_ENGINE;
    }
    if (have_chain)
        gp_chain(f, s, m);
    if (have_churn)
        gp_churn(f, o, m);
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
