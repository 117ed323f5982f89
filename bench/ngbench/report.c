/*
 * report.c - the suite's output: the header and table on stdout,
 * results.json and results.csv in --out DIR.
 */
#include "ngbench.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

void ngb_report_intro(const struct ngb_opts *o, const struct machine *m)
{
    printf("ngbench: libngraph %d.%d.%d, suite %s, %d reps x %.3g s per run (churn %.3g s, "
           "runtime %.3g s)\n",
           NG_VERSION_MAJOR, NG_VERSION_MINOR, NG_VERSION_PATCH, o->suite, o->reps, o->seconds,
           o->seconds * o->churn_factor, o->seconds * o->rt_factor);
    printf("machine: %s, %ld cores online (scaling sweep: workers 1..%ld), %s, %s\n", m->cpu,
           m->ncpu, m->ncpu, m->kernel, m->date);
    if (m->ncpu < 2)
        printf("note: fewer than 2 cores: scaling targets cannot be evaluated\n");
    printf("floor: plain structs, one indirect call per hop (read next pointer, call), same\n"
           "       item alloc/free + sink work; 'floor' makes a real call + return per hop,\n"
           "       'floor-tj' a tail jump (as the engine's hop); base = alloc + sink work +\n"
           "       free (no hop); ns/hop = (ns/item - base) / hops, hops = N + 1\n"
           "chain: %d reps, each a different memory layout (dummy nodes, hooks and padding\n"
           "       allocated first); engine rows b%d send bursts of %d (ng_send_data_burst)\n"
           "quiet: a ~1 ms probe on every CPU before and after each rep; a rep is quiet if\n"
           "       both reached %.0f%% of the suite's best probe (and so did the rows it is\n"
           "       compared with); medians and [min-max] are over quiet reps ('quiet' =\n"
           "       quiet/all reps; all reps when none was quiet)\n",
           o->chain_reps, ENGINE_BURST, ENGINE_BURST, 100 * NGB_QUIET);
}

void ngb_report_dpdk(const struct ngb_opts *o, const struct ngb_suite *s)
{
    printf("DPDK: %s\n", s->dpdk_hdr);
    if (s->dpdk_on)
        printf("      chain rows dpdk b1/b32: rte_graph chain of the same N walked by one pinned\n"
               "       thread, 1 or 32 objects per walk, stock rte_graph_walk or -nostats (no\n"
               "       per-node graph statistics); ns/hop = (ns/item - dpdk_base at the same\n"
               "       burst) / (N + 1); %.3g s per run\n",
               o->seconds * o->dpdk_factor);
}

void ngb_report_method(const struct ngb_opts *o, const struct machine *m)
{
    printf("machine scaling ceiling: %ld threads of pure ALU work do %.2fx one thread\n", m->ncpu,
           m->spin_scaling);
    printf("Mitems/s = items per second of worker CPU time (CLOCK_THREAD_CPUTIME_ID), summed\n"
           "       over workers (robust to other load); 'wall' = per wall-clock second\n");
    if (o->scen[S_RUNTIME])
        printf("runtime: ng_runtime_start(W pinned workers); one producer thread per %d workers\n"
               "       (pinned from the last CPU down) allocates items and hands them to the\n"
               "       workers with ng_runtime_submit, at most %u in flight per worker; each\n"
               "       worker sends them through a %d-node chain to a sink (its own chain, or\n"
               "       one shared chain); its CPU time is the worker thread's, measured from\n"
               "       outside (pthread_getcpuclockid); latency is submit -> sink\n",
               RT_PER_PRODUCER, o->rt_window, o->runtime_n);
}

/* Ratio column: "med [min-max]", the median with 2 (or 3) decimals. */
static void med_range(char *buf, size_t len, bool three, struct mstat s)
{
    snprintf(buf, len, three ? "%.3f [%.2f-%.2f]" : "%.2f [%.2f-%.2f]", s.med, s.min, s.max);
}

/* Sub-ns per-hop figures (DPDK at burst 32) get a third decimal; "-" if NaN. */
static void fmt_hop(char *buf, size_t len, double v)
{
    if (isnan(v))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, fabs(v) < 1 ? "%.3f" : "%.2f", v);
}

static const char *acct_of(const struct cfg *c) { return c->acct_ok ? "ok" : "FAIL"; }

/* "quiet/all" reps of c. */
static const char *quiet_of(const struct cfg *c, char *buf, size_t len)
{
    snprintf(buf, len, "%d/%d", c->nquiet, c->nrep);
    return buf;
}

static void table_heading(const struct ngb_opts *o, const struct ngb_suite *s, int sc)
{
    printf("\n(CPU: %s)", s->cpu);
    printf("\n== %s ==\n", sc == S_CHAIN    ? "chain of N pass-through nodes, 1 worker"
                           : sc == S_FANOUT ? "fan-out 1->4 (3 copies + original), 1 worker"
                           : sc == S_SCALE ? "scaling: workers on private chains / one shared chain"
                           : sc == S_CHURN ? "live topology churn on the chain (control thread)"
                                           : "worker runtime: producer -> ng_runtime_submit -> "
                                             "W workers -> chain -> sink");
    if (sc == S_CHAIN && s->dpdk_on)
        printf("(dpdk: DPDK rte_graph chain source -> N pass nodes -> sink, walked by one thread\n"
               " pinned like the engine's worker; b1 / b32 = objects per graph walk; -nostats =\n"
               " walk without per-node graph statistics (stock rte_graph_walk otherwise);\n"
               " dpdk_base = the same mempool get/put + stamping + sink work with no graph, its\n"
               " ns/hop base at the same burst; x floor = ns/item and ns/hop vs the floor's)\n");
    if (sc == S_RUNTIME) {
        printf("(Mitems/s per worker CPU-second, summed; wall = delivered per wall second;\n"
               " latency = submit -> sink, at most %u items in flight per worker; wait%% =\n"
               " submits that found every window full; idle%% = workers asleep; fail =\n"
               " submits that returned an error)\n",
               o->rt_window);
        printf("%-8s %-8s %4s %2s %-7s %21s %7s %8s %14s %7s %8s %8s %8s %6s %5s %4s %5s %5s\n",
               "backend", "mode", "N", "W", "layout", "Mitems/s med [min-max]", "wall", "ns/item",
               "scaling vs W=1", "wall x", "p50 ns", "p99 ns", "p99.9 ns", "wait%", "idle%", "fail",
               "acct", "quiet");
    } else if (sc == S_CHURN) {
        printf("%-8s %-8s %-8s %9s %21s %7s %14s %7s %8s %8s %8s %8s %8s %7s %5s\n", "backend",
               "mode", "target/s", "achieved", "delivered Mit/s [min-max]", "wall", "vs no-churn",
               "inject", "p50 ns", "p99 ns", "p99.9 ns", "dropped", "defer_pk", "acct", "quiet");
    } else {
        printf("%-9s %-12s %4s %2s %-7s %21s %7s %8s %8s %14s %8s %8s %8s %8s %7s %5s\n", "backend",
               "mode", "N", "W", "layout", "Mitems/s med [min-max]", "wall", "ns/item", "ns/hop",
               sc == S_SCALE ? "scaling vs W=1" : "x floor (item)", "x floor/hop", "x tj/hop",
               "p50 ns", "p99 ns", "acct", "quiet");
    }
}

/* Throughput column: "med [min-max]" in Mitems/s. */
static void fmt_mitems(char *buf, size_t len, struct mstat s)
{
    snprintf(buf, len, "%7.2f [%.2f-%.2f]", s.med / 1e6, s.min / 1e6, s.max / 1e6);
}

static void churn_row(const struct cfg *c)
{
    struct mstat thw = ST(thrw), rr = ST(refratio), ir = ST(injratio), p50 = ST(p50), p99 = ST(p99),
                 p999 = ST(p999), ach = ST(achieved), dp = ST(defer_peak);
    char thrs[48], rats[40], q[16];
    fmt_mitems(thrs, sizeof(thrs), ST(good));
    quiet_of(c, q, sizeof(q));
    if (c->kind != K_ENGINE) {
        printf("%-8s %-8s %8s %9s %21s %7.2f %14s %7s %8.0f %8.0f %8.0f %8s %8s %7s %5s\n",
               ngb_who_of(c), "-", "-", "-", thrs, thw.med / 1e6, "-", "-", p50.med, p99.med,
               p999.med, "-", "-", acct_of(c), q);
        return;
    }
    med_range(rats, sizeof(rats), true, rr);
    char irs[16] = "1";
    if (c->rate > 0)
        snprintf(irs, sizeof(irs), "%.3f", ir.med);
    printf("%-8s %-8s %8.0f %9.0f %21s %7.2f %14s %7s %8.0f %8.0f %8.0f %8" PRIu64
           " %8.0f %7s %5s\n",
           ngb_who_of(c), ngb_mode_of(c), c->rate, ach.med, thrs, thw.med / 1e6,
           c->rate > 0 ? rats : "1", irs, p50.med, p99.med, p999.med, c->dropped, dp.med,
           acct_of(c), q);
}

static void runtime_row(const struct cfg *c)
{
    struct mstat wr = ST(wallref), wp = ST(waitpct), id = ST(idle);
    char thrs[48], rats[40], q[16];
    fmt_mitems(thrs, sizeof(thrs), ST(thr));
    med_range(rats, sizeof(rats), false, ST(refratio));
    printf("%-8s %-8s %4d %2d %-7s %21s %7.2f %8.1f %14s %7.2f %8.0f %8.0f %8.0f %6.1f "
           "%5.1f %4" PRIu64 " %5s %5s\n",
           ngb_who_of(c), ngb_mode_of(c), c->n, c->workers, ngb_layout_names[c->layout], thrs,
           ST(thrw).med / 1e6, ST(nsitem).med, rats, wr.med, ST(p50).med, ST(p99).med, ST(p999).med,
           wp.med, 100 * id.med, c->sub_fail, acct_of(c), quiet_of(c, q, sizeof(q)));
}

/* Chain, fanout and scale rows. */
static void hop_row(const struct cfg *c)
{
    char thrs[48], rats[40], hrs[16], hops[16], tjs[16], q[16];
    fmt_mitems(thrs, sizeof(thrs), ST(thr));
    if (c->scen == S_SCALE)
        med_range(rats, sizeof(rats), false, ST(refratio));
    else if (c->floor_idx >= 0)
        med_range(rats, sizeof(rats), false, ST(ratio));
    else
        snprintf(rats, sizeof(rats), "-");
    fmt_hop(hrs, sizeof(hrs), ST(hopratio).med);
    fmt_hop(hops, sizeof(hops), ST(nshop).med);
    fmt_hop(tjs, sizeof(tjs), ST(tjratio).med);
    printf("%-9s %-12s %4d %2d %-7s %21s %7.2f %8.2f %8s %14s %8s %8s %8.0f %8.0f %7s %5s\n",
           ngb_who_of(c), ngb_mode_of(c), c->n, c->workers,
           c->scen == S_SCALE ? ngb_layout_names[c->layout] : "-", thrs, ST(thrw).med / 1e6,
           ST(nsitem).med, hops, rats, hrs, tjs, ST(p50).med, ST(p99).med, acct_of(c),
           quiet_of(c, q, sizeof(q)));
}

static void print_table(const struct ngb_opts *o, const struct ngb_suite *s)
{
    for (int sc = 0; sc < NSCEN; sc++) {
        bool any = false;
        for (int i = 0; i < s->ncfg; i++)
            any |= s->cfgs[i].scen == (enum scen)sc;
        if (!any)
            continue;
        table_heading(o, s, sc);
        for (int i = 0; i < s->ncfg; i++) {
            const struct cfg *c = &s->cfgs[i];
            if (c->scen != (enum scen)sc)
                continue;
            if (sc == S_CHURN)
                churn_row(c);
            else if (sc == S_RUNTIME)
                runtime_row(c);
            else
                hop_row(c);
        }
    }
}

void ngb_report_results(const struct ngb_opts *o, const struct ngb_suite *s,
                        const struct machine *m, const struct memres *mem)
{
    printf("other load: processes other than ngbench used %.0f%% of the machine's CPU during "
           "the suite%s\n",
           100 * m->other_load, m->other_load > 0.1 ? " (figures are noisy; wall-clock most)" : "");
    print_table(o, s);
    printf("\n== memory ==\n");
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        printf("%-8s bytes per node %.0f, per hook %.0f (malloc'd, measured over %" PRIu64
               " nodes)\n",
               ng_backend_name(b), mem[b].node_bytes, mem[b].hook_bytes, mem[b].nodes);
    for (int i = 0; i < s->ncfg; i++) {
        const struct cfg *c = &s->cfgs[i];
        if (c->scen == S_CHURN && c->kind == K_ENGINE && c->rate > 0)
            printf("%-8s %-8s churn %6.0f/s: RSS %ld kB before, %ld kB after (last rep); peak "
                   "defer backlog %.0f objects; %.1f us per change (control thread)\n",
                   ngb_who_of(c), ngb_mode_of(c), c->rate, c->rss_before, c->rss_after,
                   ST(defer_peak).med, ST(us_change).med);
    }
}

/* ------------------------------------------------------------------------ */
/* results.json, results.csv                                                */
/* ------------------------------------------------------------------------ */

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

static void json_header(FILE *f, const struct ngb_opts *o, const struct ngb_suite *s,
                        const struct machine *m, const struct memres *mem, double runtime)
{
    fprintf(f, "{\n  \"tool\": \"ngbench\", \"suite\": \"%s\", \"date\": \"%s\",\n", o->suite,
            m->date);
    fprintf(f,
            "  \"machine\": {\"cpu\": \"%s\", \"cores\": %ld, \"kernel\": \"%s\", "
            "\"other_load\": %.3f, \"spin_scaling_ceiling\": %.3f},\n",
            m->cpu, m->ncpu, m->kernel, m->other_load, m->spin_scaling);
    fprintf(f, "  \"reps\": %d, \"seconds_per_run\": %g, \"runtime_s\": %.1f,\n", o->reps,
            o->seconds, runtime);
    fprintf(f,
            "  \"runtime_scenario\": \"one producer thread per %d workers allocates items and "
            "hands them to the workers with ng_runtime_submit; each worker sends them through "
            "its chain to a sink; at most %u items in flight per worker (bench backpressure); "
            "items_per_s per worker CPU-second; latency submit to sink\", "
            "\"runtime_window\": %u, \"runtime_seconds_per_run\": %g,\n",
            RT_PER_PRODUCER, o->rt_window, o->rt_window, o->seconds * o->rt_factor);
    fprintf(f, "  \"floor\": \"plain structs, one indirect call per hop (read next pointer, "
               "call), same item alloc/free and sink work as the engine path\",\n");
    fprintf(f, "  \"dpdk\": \"");
    json_escaped(f, s->dpdk_hdr);
    fprintf(f, "\",\n");
    if (s->dpdk_on) {
        fprintf(f, "  \"dpdk_seconds_per_run\": %g,\n", o->seconds * o->dpdk_factor);
        fprintf(f,
                "  \"dpdk_rows\": \"chain scenario: impl dpdk = rte_graph chain source -> N pass "
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
    fprintf(f, "],\n");
}

/* The per-rep results of a configuration in results.json, in order after
 * items_per_s(_per_worker); key NULL: refratio, named after the scenario. */
struct json_field {
    const char *key;
    size_t off; /* of the per-rep array in struct cfg */
};
#define JF(key, field)                                                                             \
    {                                                                                              \
        key, offsetof(struct cfg, field)                                                           \
    }
static const struct json_field json_fields[] = {
    JF("items_per_wall_s", thrw),
    JF("delivered_per_s", good),
    JF("injected_ratio_vs_no_churn", injratio),
    JF("ns_per_item", nsitem),
    JF("ns_per_hop", nshop),
    JF("ratio_to_floor", ratio),
    JF("hop_ratio_to_floor", hopratio),
    JF("hop_ratio_to_tailjump_floor", tjratio),
    JF("contention_probe_per_s", probe),
    JF(NULL, refratio),
    JF("wall_scaling_vs_1_worker", wallref),
    JF("submit_wait_pct", waitpct),
    JF("worker_idle_frac", idle),
    JF("churn_achieved_per_s", achieved),
    JF("churn_us_per_change", us_change),
    JF("latency_p50_ns", p50),
    JF("latency_p99_ns", p99),
    JF("latency_p999_ns", p999),
    JF("defer_backlog_peak", defer_peak),
};

static void json_result(FILE *f, const struct cfg *c, bool last)
{
    fprintf(f,
            "    {\"scenario\": \"%s\", \"impl\": \"%s\", \"mode\": \"%s\", \"chain_len\": %d, "
            "\"workers\": %d, \"layout\": \"%s\", \"churn_target_per_s\": %g, \"reps\": %d, "
            "\"quiet_reps\": %d, \"contended_reps\": %d, \"medians_over\": \"%s\", ",
            ngb_scen_names[c->scen], ngb_who_of(c), ngb_mode_of(c), c->n, c->workers,
            ngb_has_layout(c) ? ngb_layout_names[c->layout] : "-", c->rate, c->nrep, c->nquiet,
            c->nrep - c->nquiet, c->nquiet ? "quiet reps" : "all reps (none quiet)");
    if (c->kind == K_ENGINE && c->burst > 1)
        fprintf(f, "\"burst\": %d, \"graph_stats\": null, ", c->burst);
    else if (ngb_is_dpdk(c))
        fprintf(f, "\"burst\": %d, \"graph_stats\": %s, ", c->burst,
                c->walk_stats < 0 ? "null"
                : c->walk_stats   ? "true"
                                  : "false");
    else
        fprintf(f, "\"burst\": null, \"graph_stats\": null, ");
    struct mstat thr = ST(thr);
    json_stat(f, "items_per_s", thr);
    struct mstat pw = {thr.med / c->workers, thr.min / c->workers, thr.max / c->workers, 0};
    json_stat(f, "items_per_s_per_worker", pw);
    for (size_t k = 0; k < sizeof(json_fields) / sizeof(json_fields[0]); k++) {
        const struct json_field *jf = &json_fields[k];
        const char *key = jf->key             ? jf->key
                          : ngb_has_layout(c) ? "scaling_vs_1_worker"
                                              : "ratio_vs_no_churn";
        json_stat(f, key, ngb_stat_of((const double *)((const char *)c + jf->off), c->nrep));
    }
    fprintf(f,
            "\"sent\": %" PRIu64 ", \"delivered\": %" PRIu64 ", \"dropped\": %" PRIu64
            ", \"dropped_notconn\": %" PRIu64 ", \"dropped_by_bench_nodes\": %" PRIu64
            ", \"churn_ops\": %" PRIu64 ", \"submit_failed\": %" PRIu64
            ", \"submit_waits\": %" PRIu64 ", \"rss_kb_before\": %ld, \"rss_kb_after\": %ld, "
            "\"accounting_ok\": %s}%s\n",
            c->sent, c->delivered, c->dropped, c->notconn, c->nohook, c->churn_ops, c->sub_fail,
            c->bp_waits, c->rss_before, c->rss_after, c->acct_ok ? "true" : "false",
            last ? "" : ",");
}

/* The network scenario: null if not selected; {"skipped": why} if it
 * could not run; else its parameters and one object per row. */
static void json_net(FILE *f, const struct ngb_net_res *r)
{
    if (!r->ran) {
        fprintf(f, "null");
        return;
    }
    if (r->skip[0]) {
        fprintf(f, "{\"skipped\": \"%s\"}", r->skip);
        return;
    }
    fprintf(f,
            "{\"skipped\": null, \"reps\": %d, \"warmup_s\": %.3f, \"window_s\": %.3f, "
            "\"cpus\": %d, \"generator_cpu\": %d, \"sink_cpu\": %d, \"rps_on_dut_cpus\": %s, "
            "\"generator_rate_per_s\": %.0f, "
            "\"rows\": [\n",
            r->reps, r->warm_s, r->window_s, r->ncpu, r->gen_cpu, r->gen_cpu,
            r->rps ? "true" : "false", r->rate);
    for (int i = 0; i < r->nrows; i++) {
        const struct ngb_net_row *w = &r->rows[i];
        int nq = 0;
        for (int k = 0; k < w->nrep; k++)
            nq += w->quiet[k];
        fprintf(f,
                "    {\"row\": \"%s\", \"workers\": %d, \"frame_bytes\": %d, \"ok\": %s, "
                "\"error\": \"%s\", \"reps\": %d, \"quiet_reps\": %d, ",
                ngb_net_kind_name(w->kind), w->workers, w->size, w->ok ? "true" : "false", w->why,
                w->nrep, nq);
        json_stat(f, "frames_per_s", ngb_net_stat(w, w->fps));
        json_stat(f, "offered_per_s", ngb_net_stat(w, w->offered));
        json_stat(f, "dut_cpu_busy", ngb_net_stat(w, w->busy));
        json_stat(f, "contention_probe_per_s", ngb_net_stat(w, w->probe));
        fprintf(f, "\"sink_ring_drops\": %llu}%s\n", (unsigned long long)w->sink_drops,
                i + 1 < r->nrows ? "," : "");
    }
    fprintf(f, "  ]}");
}

/* net.csv: one line per row of the network scenario (none if it did not run). */
static int write_net_csv(const char *path, const struct ngb_net_res *r)
{
    if (!r->ran || r->skip[0])
        return 0;
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    fprintf(f, "row,workers,frame_bytes,ok,reps,mfps_med,mfps_min,mfps_max,offered_mfps_med,"
               "dut_cpu_busy_med,sink_ring_drops\n");
    for (int i = 0; i < r->nrows; i++) {
        const struct ngb_net_row *w = &r->rows[i];
        struct mstat fp = ngb_net_stat(w, w->fps);
        fprintf(f, "%s,%d,%d,%d,%d,%.4f,%.4f,%.4f,%.4f,%.3f,%llu\n", ngb_net_kind_name(w->kind),
                w->workers, w->size, w->ok ? 1 : 0, w->nrep, fp.med / 1e6, fp.min / 1e6,
                fp.max / 1e6, ngb_net_stat(w, w->offered).med / 1e6, ngb_net_stat(w, w->busy).med,
                (unsigned long long)w->sink_drops);
    }
    fclose(f);
    return 0;
}

static int write_json(const char *path, const struct ngb_opts *o, const struct ngb_suite *s,
                      const struct machine *m, const struct memres *mem, double runtime)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    json_header(f, o, s, m, mem, runtime);
    fprintf(f, "  \"results\": [\n");
    for (int i = 0; i < s->ncfg; i++)
        json_result(f, &s->cfgs[i], i + 1 == s->ncfg);
    fprintf(f, "  ],\n  \"size\": [\n");
    for (int i = 0; i < s->nsize; i++) {
        const struct ngb_size_res *r = &s->size[i];
        fprintf(f, "    {\"nodes\": %u, ", r->n);
        json_num(f, "ns_create", r->ns_create, true);
        json_num(f, "ns_name", r->ns_name, true);
        json_num(f, "ns_lookup_name", r->ns_find_name, true);
        json_num(f, "ns_lookup_id", r->ns_find_id, true);
        json_num(f, "ns_connect", r->ns_connect, true);
        json_num(f, "ns_shutdown", r->ns_shutdown, true);
        json_num(f, "bytes_per_node", r->node_bytes, true);
        json_num(f, "bytes_per_hook", r->hook_bytes, true);
        fprintf(f, "\"listnodes_rc\": %d, \"listed\": %u, ", r->list_rc, r->listed);
        json_num(f, "listnodes_ms", r->list_ms, true);
        json_num(f, "destroy_ms", r->ms_destroy, true);
        json_num(f, "build_list_destroy_s", r->build_list_destroy_s, true);
        fprintf(f, "\"rss_kb\": {\"start\": %ld, \"peak\": %ld, \"end\": %ld}, ", r->rss_start_kb,
                r->rss_peak_kb, r->rss_end_kb);
        fprintf(f, "\"errors\": %u}%s\n", r->errors, i + 1 < s->nsize ? "," : "");
    }
    const struct ngb_ctl_res *cr = &s->ctl;
    fprintf(f, "  ],\n  \"control\": {");
    if (cr->ran) {
        fprintf(f, "\"messages\": %u, \"reps\": %d, \"contended_reps\": %d, ", cr->n_rt, cr->reps,
                cr->contended);
        json_num(f, "roundtrip_p50_us", cr->rt_p50, true);
        json_num(f, "roundtrip_p99_us", cr->rt_p99, true);
        json_num(f, "pingpong_p50_us", cr->pp_p50, true);
        json_num(f, "pingpong_p99_us", cr->pp_p99, true);
        json_num(f, "ratio_p50", cr->ratio_p50, true);
        for (int k = 0; k < 3; k++)
            fprintf(f, "\"clients_%d\": {\"msgs_per_s\": %.0f, \"lost\": %llu}, ", cr->nclients[k],
                    cr->mps[k], (unsigned long long)cr->lost[k]);
        json_num(f, "data_items_per_s", cr->data_ips, true);
        json_num(f, "data_pingpong_items_per_s", cr->data_pp_ips, true);
        fprintf(f, "\"error\": \"%s\"", cr->why);
    }
    const struct ngb_types_res *tr = &s->types;
    fprintf(f, "},\n  \"types\": {");
    if (tr->ran && !tr->why[0]) {
        fprintf(f, "\"frames\": %u, \"reps\": %d, \"contended_reps\": %d, ", tr->nframes, tr->reps,
                tr->contended);
        json_num(f, "base_ns", ngb_types_med(tr, tr->base_ns), true);
        json_num(f, "dst_base_ns", ngb_types_med(tr, tr->dst_base_ns), true);
        json_num(f, "chain_hop_ns", ngb_types_med(tr, tr->hop_ns), true);
        json_num(f, "floor_hop_ns", ngb_types_med(tr, tr->floor_ns), true);
        fprintf(f, "\"rows\": [");
        for (int i = 0; i < NGB_TY_ROWS; i++) {
            const struct ngb_types_row *w = &tr->rows[i];
            fprintf(f, "%s{\"row\": \"%s\", ", i ? ", " : "", w->name);
            if (w->ok) {
                json_num(f, "ns", ngb_types_med(tr, w->ns), true);
                json_num(f, "chain_hops", ngb_types_med(tr, w->hops), true);
                json_num(f, "floor_hops", ngb_types_med(tr, w->floors), false);
            } else {
                fprintf(f, "\"skipped\": \"%s\"", w->why);
            }
            fprintf(f, "}");
        }
        fprintf(f, "]");
    }
    const struct ngb_entry_res *er = &s->entry;
    fprintf(f, "},\n  \"entry\": {");
    if (er->ran && !er->why[0]) {
        fprintf(f, "\"reps\": %d, \"contended_reps\": %d, ", er->reps, er->contended);
        static const char *const sch[2] = {"biased", "counted"};
        for (int k = 0; k < 2; k++) {
            fprintf(f, "\"%s\": {", sch[k]);
            if (k == 0 && !er->biased_ok) {
                fprintf(f, "\"skipped\": \"%s\"}, ", er->why_biased);
                continue;
            }
            json_num(f, "chain_hop_ns", ngb_entry_med(er, er->chain[k]), true);
            json_num(f, "forced_writer_hop_ns", ngb_entry_med(er, er->forced[k]), true);
            json_num(f, "writer_fn_ns", ngb_entry_med(er, er->writer[k]), false);
            fprintf(f, "}, ");
        }
    }
    fprintf(f, "\"error\": \"%s\"", er->why);
    fprintf(f, "},\n  \"net\": ");
    json_net(f, &s->net);
    fprintf(f, ",\n  \"targets\": [\n");
    for (int i = 0; i < s->ntargets; i++) {
        const struct target *t = &s->targets[i];
        fprintf(f, "    {\"target\": \"%s\", ", t->name);
        json_num(f, "measured", t->measured, true);
        json_num(f, "goal", t->goal, true);
        fprintf(f, "\"verdict\": \"%s\", \"detail\": \"%s\"}%s\n", ngb_verdict(t), t->detail,
                i + 1 < s->ntargets ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    fclose(f);
    return 0;
}

static int write_csv(const char *path, const struct ngb_suite *s)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    fprintf(f, "scenario,impl,mode,chain_len,workers,layout,churn_target,reps,"
               "mitems_s_med,mitems_s_min,mitems_s_max,mitems_s_per_worker_med,mitems_wall_s_med,"
               "ns_item_med,"
               "ns_hop_med,ratio_floor_med,ratio_floor_min,ratio_floor_max,hop_ratio_floor_med,"
               "ref_ratio_med,ref_ratio_min,ref_ratio_max,churn_achieved_med,lat_p50_ns,"
               "lat_p99_ns,lat_p999_ns,sent,delivered,dropped,dropped_notconn,defer_peak_med,"
               "rss_kb_before,rss_kb_after,accounting_ok,delivered_mitems_s_med,injected_ratio_med,"
               "wall_ref_ratio_med,submit_wait_pct_med,worker_idle_frac_med,submit_failed,"
               "submit_waits,burst,graph_stats,quiet_reps,contended_reps,tj_hop_ratio_med\n");
    for (int i = 0; i < s->ncfg; i++) {
        const struct cfg *c = &s->cfgs[i];
        struct mstat thr = ST(thr), rat = ST(ratio), rr = ST(refratio);
        char bst[16] = "";
        if (ngb_is_dpdk(c) || c->burst > 1)
            snprintf(bst, sizeof(bst), "%d", c->burst);
        fprintf(
            f,
            "%s,%s,%s,%d,%d,%s,%g,%d,%.4f,%.4f,%.4f,%.4f,%.4f,%.3f,%.3f,%.4f,%.4f,%.4f,%.4f,"
            "%.4f,%.4f,%.4f,%.0f,%.0f,%.0f,%.0f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
            ",%.0f,%ld,%ld,%d,%.4f,%.4f,%.4f,%.3f,%.4f,%" PRIu64 ",%" PRIu64 ",%s,%s,%d,%d,%.4f\n",
            ngb_scen_names[c->scen], ngb_who_of(c), ngb_mode_of(c), c->n, c->workers,
            ngb_has_layout(c) ? ngb_layout_names[c->layout] : "-", c->rate, c->nrep, thr.med / 1e6,
            thr.min / 1e6, thr.max / 1e6, thr.med / 1e6 / c->workers, ST(thrw).med / 1e6,
            ST(nsitem).med, ST(nshop).med, rat.med, rat.min, rat.max, ST(hopratio).med, rr.med,
            rr.min, rr.max, ST(achieved).med, ST(p50).med, ST(p99).med, ST(p999).med, c->sent,
            c->delivered, c->dropped, c->notconn, ST(defer_peak).med, c->rss_before, c->rss_after,
            c->acct_ok ? 1 : 0, ST(good).med / 1e6, ST(injratio).med, ST(wallref).med,
            ST(waitpct).med, ST(idle).med, c->sub_fail, c->bp_waits, bst,
            ngb_is_dpdk(c) && c->walk_stats >= 0 ? (c->walk_stats ? "1" : "0") : "", c->nquiet,
            c->nrep - c->nquiet, ST(tjratio).med);
    }
    fclose(f);
    return 0;
}

int ngb_write_outputs(const struct ngb_opts *o, const struct ngb_suite *s, const struct machine *m,
                      const struct memres *mem, double runtime)
{
    char path[4096];
    mkdir(o->out, 0755);
    snprintf(path, sizeof(path), "%s/results.json", o->out);
    if (write_json(path, o, s, m, mem, runtime) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/net.csv", o->out);
    if (write_net_csv(path, &s->net) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/results.csv", o->out);
    return write_csv(path, s);
}
