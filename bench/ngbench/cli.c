/* cli.c - the command line: options, suite presets, validation. */
#include "ngbench.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: ngbench [--quick|--full|--smoke] [options]\n"
               "  (default)        suite of about two minutes on 2 cores\n"
               "  --quick          short suite (chains 1,16; churn 0,10k/s; 3 reps)\n"
               "  --full           longer suite (chains up to 256, more rates, 9 reps)\n"
               "  --smoke          tiny configuration of every scenario; exit 1 if any\n"
               "                   run's accounting (sent == delivered + dropped) fails\n"
               "  --backend LIST   ck_epoch,qsbr,rwlock (comma separated)\n"
               "  --mode LIST      netgraph,shared\n"
               "  --scenario LIST  chain,fanout,scale,churn,runtime,size,\n"
               "                   control,types,entry,net (net: veth forwarding in\n"
               "                   network namespaces, needs CAP_NET_ADMIN and ip, else\n"
               "                   skipped)\n"
               "  --chain LIST     chain lengths, e.g. 1,4,16,64\n"
               "  --rates LIST     churn rates in changes/s, e.g. 0,1000,10000\n"
               "  --workers W      cap the scale and runtime sweeps at W workers (and the\n"
               "                   net scenario's DUT CPUs)\n"
               "  --net-rate R     net scenario: generator paced at R frames/s (e.g. 300k;\n"
               "                   default: as fast as it can, the rate at maximum load)\n"
               "  --rt-layout LIST runtime scenario chains: private,shared (default both)\n"
               "  --rt-window N    runtime scenario: items in flight per worker (default 128)\n"
               "  --rt-spin N      runtime scenario: empty polls before a worker sleeps\n"
               "                   (ng_runtime_config.spin; default: the engine's, 64)\n"
               "  --sizes LIST     size scenario: graph sizes in nodes (default 1000,10000,\n"
               "                   100000; --full adds 1000000)\n"
               "  --reps N         repetitions per configuration (median, min-max)\n"
               "  --chain-reps N   chain scenario: repetitions, one memory layout each\n"
               "                   (default max(8, reps); smoke 2)\n"
               "  --seconds S      seconds per run (churn runs: 2.5 x S; in the default\n"
               "                   suite chain runs 0.4 x S, runtime runs 2/3 x S and\n"
               "                   DPDK runs half a chain run)\n"
               "  --out DIR        output directory (default bench-results)\n"
               "  --no-plot        do not run gnuplot\n"
               "  --entry SCHEME   netgraph-mode node entry: auto (default), biased or cas\n"
               "                   (ng_graph_config.entry, docs/design.md \"Node entry\")\n"
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

static void set_defaults(struct ngb_opts *o)
{
    static const int defchains[] = {1, 4, 16, 64};
    static const double defrates[] = {0, 1000, 10000};
    static const int defsizes[] = {1000, 10000, 100000};
    memset(o, 0, sizeof(*o));
    o->reps = 5;
    o->seconds = 0.15;
    o->chain_factor = 1;
    o->probe_iters = 300000;
    o->churn_factor = 2.5;
    o->rt_factor = 1;
    o->dpdk_factor = 1;
    o->rt_layout[0] = o->rt_layout[1] = true;
    o->rt_window = 128;
    o->out = "bench-results";
    o->plot = true;
    o->suite = "default";
    o->churn_n = 16;
    o->scale_n = 16;
    o->runtime_n = 16;
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        o->backends[b] = true;
    o->modes[0] = o->modes[1] = true;
    for (int s = 0; s < NSCEN; s++)
        o->scen[s] = true;
    o->nchains = 4;
    memcpy(o->chains, defchains, sizeof(defchains));
    o->nrates = 3;
    memcpy(o->rates, defrates, sizeof(defrates));
    o->nsizes = 3;
    memcpy(o->sizes, defsizes, sizeof(defsizes));
}

/* What the command line set explicitly (wins over the suite presets). */
struct explicit_opts {
    bool reps, seconds;
    int chain_reps; /* 0: not given */
    const char *chains, *rates, *sizes;
};

/* Suite presets; nrates 0 keeps the rates, n 0 the scenarios' chain length. */
struct preset {
    const char *suite;
    int reps;
    double seconds;
    int nchains, chains[9];
    int nrates;
    double rates[5];
    int n; /* churn, scale and runtime chain length */
    bool plot;
    int nsizes, sizes[4]; /* size scenario; nsizes 0 keeps the default */
};
static const struct preset presets[] = {
    {"quick", 3, 0.08, 2, {1, 16}, 2, {0, 10000}, 0, true, 2, {1000, 10000}},
    {"full",
     9,
     0.4,
     9,
     {1, 2, 4, 8, 16, 32, 64, 128, 256},
     5,
     {0, 100, 1000, 10000, 50000},
     0,
     true,
     4,
     {1000, 10000, 100000, 1000000}},
    {"smoke", 1, 0.02, 2, {1, 4}, 0, {0}, 4, false, 1, {1000}},
};

/* Suite presets (explicit options win). */
static void apply_suite(struct ngb_opts *o, const struct explicit_opts *x)
{
    for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
        const struct preset *p = &presets[i];
        if (strcmp(o->suite, p->suite) != 0)
            continue;
        if (!x->reps)
            o->reps = p->reps;
        if (!x->seconds)
            o->seconds = p->seconds;
        o->nchains = p->nchains;
        memcpy(o->chains, p->chains, (size_t)p->nchains * sizeof(p->chains[0]));
        if (p->nrates) {
            o->nrates = p->nrates;
            memcpy(o->rates, p->rates, (size_t)p->nrates * sizeof(p->rates[0]));
        }
        if (p->n)
            o->churn_n = o->scale_n = o->runtime_n = p->n;
        if (!p->plot)
            o->plot = false;
        if (p->nsizes) {
            o->nsizes = p->nsizes;
            memcpy(o->sizes, p->sizes, (size_t)p->nsizes * sizeof(p->sizes[0]));
        }
    }
    /* Default suite: runtime runs of 2/3 x S (0.1 s) and DPDK runs of S / 2
     * keep the whole suite at about two minutes on 2 cores. */
    if (!strcmp(o->suite, "default") && !x->seconds) {
        o->rt_factor = 2.0 / 3.0;
        /* Chain runs: 8 layouts x 0.06 s (the 21 rows of a chain group:
         * two floors, bursts, DPDK); DPDK rows: half of that, steady. */
        o->chain_factor = 0.4;
        o->dpdk_factor = 0.5;
    }
    /* The chain figure is a median over at least 8 memory layouts (one per
     * rep); the smoke run only checks that layouts work. */
    if (x->chain_reps)
        o->chain_reps = x->chain_reps;
    else
        o->chain_reps = !strcmp(o->suite, "smoke") ? 2 : o->reps > 8 ? o->reps : 8;
    if (!strcmp(o->suite, "smoke"))
        o->probe_iters = 20000; /* exercised, not meant to judge (valgrind runs it) */
    if (x->chains) {
        double tmp[16];
        o->nchains = parse_list(x->chains, tmp, 16);
        for (int k = 0; k < o->nchains; k++)
            o->chains[k] = (int)tmp[k];
    }
    if (x->rates)
        o->nrates = parse_list(x->rates, o->rates, 16);
    if (x->sizes) {
        double tmp[NGB_MAXSIZES];
        o->nsizes = parse_list(x->sizes, tmp, NGB_MAXSIZES);
        for (int k = 0; k < o->nsizes; k++)
            o->sizes[k] = (int)tmp[k];
    }
}

/* 0 if the options are in range, else prints why and returns 2. */
static int validate(const struct ngb_opts *o)
{
    if (o->reps < 1 || o->reps > MAXREPS || o->chain_reps < 1 || o->chain_reps > MAXREPS ||
        o->seconds <= 0) {
        fprintf(stderr, "ngbench: bad --reps (1..%d) or --seconds\n", MAXREPS);
        return 2;
    }
    for (int k = 0; k < o->nchains; k++)
        if (o->chains[k] < 1 || o->chains[k] > MAXN) {
            fprintf(stderr, "ngbench: chain length must be 1..%d\n", MAXN);
            return 2;
        }
    for (int k = 0; k < o->nrates; k++)
        if (o->rates[k] < 0 || o->rates[k] > 1e6) {
            fprintf(stderr, "ngbench: churn rate must be 0..1e6\n");
            return 2;
        }
    for (int k = 0; k < o->nsizes; k++)
        if (o->sizes[k] < 2 || o->sizes[k] > 10000000) {
            fprintf(stderr, "ngbench: graph sizes must be 2..10000000 nodes\n");
            return 2;
        }
    return 0;
}

/* Options that take a value, in the order of the switch below. */
enum vopt {
    V_BACKEND,
    V_MODE,
    V_SCENARIO,
    V_CHAIN,
    V_RATES,
    V_SIZES,
    V_WORKERS,
    V_NET_RATE,
    V_RT_LAYOUT,
    V_RT_WINDOW,
    V_RT_SPIN,
    V_REPS,
    V_CHAIN_REPS,
    V_SECONDS,
    V_OUT,
    V_ENTRY,
    NVOPT
};
static const char *const vopt_names[NVOPT] = {
    "--backend", "--mode",    "--scenario",   "--chain",     "--rates",
    "--sizes",   "--workers", "--net-rate",   "--rt-layout", "--rt-window",
    "--rt-spin", "--reps",    "--chain-reps", "--seconds",   "--out",
    "--entry",
};

/* Option a with value v into *o (and *x); 0, or 2 after a complaint. */
static int set_value(struct ngb_opts *o, struct explicit_opts *x, enum vopt k, const char *a,
                     const char *v)
{
    switch (k) {
    case V_BACKEND:
        for (int b = 0; b < NG_BACKEND_COUNT; b++)
            o->backends[b] = strstr(v, ng_backend_name(b)) != NULL;
        break;
    case V_MODE:
        o->modes[0] = strstr(v, "netgraph") != NULL;
        o->modes[1] = strstr(v, "shared") != NULL;
        break;
    case V_SCENARIO:
        for (int s = 0; s < NSCEN; s++)
            o->scen[s] = strstr(v, ngb_scen_names[s]) != NULL;
        break;
    case V_CHAIN:
        x->chains = v;
        break;
    case V_RATES:
        x->rates = v;
        break;
    case V_SIZES:
        x->sizes = v;
        break;
    case V_WORKERS:
        o->maxw = atoi(v);
        break;
    case V_NET_RATE: {
        double r[1] = {0};
        if (parse_list(v, r, 1) != 1 || r[0] < 0 || r[0] > 1e9) {
            fprintf(stderr, "ngbench: --net-rate must be 0..1e9 frames/s\n");
            return 2;
        }
        o->net_rate = r[0];
        break;
    }
    case V_RT_LAYOUT:
        o->rt_layout[0] = strstr(v, ngb_layout_names[0]) != NULL;
        o->rt_layout[1] = strstr(v, ngb_layout_names[1]) != NULL;
        break;
    case V_RT_WINDOW:
        return parse_uint(a, v, 2, 1u << 20, &o->rt_window) < 0 ? 2 : 0;
    case V_RT_SPIN:
        return parse_uint(a, v, 1, 1u << 24, &o->rt_spin) < 0 ? 2 : 0;
    case V_REPS:
        o->reps = atoi(v);
        x->reps = true;
        break;
    case V_CHAIN_REPS:
        x->chain_reps = atoi(v);
        if (x->chain_reps < 1 || x->chain_reps > MAXREPS) {
            fprintf(stderr, "ngbench: --chain-reps must be 1..%d\n", MAXREPS);
            return 2;
        }
        break;
    case V_SECONDS:
        o->seconds = atof(v);
        x->seconds = true;
        break;
    case V_ENTRY:
        if (!strcmp(v, "auto"))
            o->entry = NG_ENTRY_AUTO;
        else if (!strcmp(v, "biased"))
            o->entry = NG_ENTRY_BIASED;
        else if (!strcmp(v, "cas"))
            o->entry = NG_ENTRY_CAS;
        else {
            fprintf(stderr, "ngbench: --entry must be auto, biased or cas\n");
            return 2;
        }
        break;
    default:
        o->out = v;
        break;
    }
    return 0;
}

static int vopt_of(const char *a)
{
    for (int k = 0; k < NVOPT; k++)
        if (!strcmp(a, vopt_names[k]))
            return k;
    return -1;
}

int ngb_cli_parse(int argc, char **argv, struct ngb_opts *o)
{
    struct explicit_opts x = {false, false, 0, NULL, NULL, NULL};
    set_defaults(o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int k = vopt_of(a);
        if (k >= 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "ngbench: %s needs a value\n", a);
                return 2;
            }
            int rc = set_value(o, &x, (enum vopt)k, a, argv[++i]);
            if (rc)
                return rc;
        } else if (!strcmp(a, "--quick")) {
            o->suite = "quick";
        } else if (!strcmp(a, "--full")) {
            o->suite = "full";
        } else if (!strcmp(a, "--smoke")) {
            o->suite = "smoke";
        } else if (!strcmp(a, "--no-plot")) {
            o->plot = false;
        } else if (!strcmp(a, "--no-dpdk")) {
            o->no_dpdk = true;
        } else if (!strcmp(a, "-v")) {
            o->verbose = true;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "ngbench: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    apply_suite(o, &x);
    int rc = validate(o);
    return rc ? rc : -1;
}
