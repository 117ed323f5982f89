/*
 * types.c - the node types scenario: what one standard node type costs per
 * frame on the data path (issue #12).
 *
 * One thread, one graph (ck_epoch, shared mode), frames of 64 bytes built
 * from a template into freshly allocated items and sent with ng_send_data
 * inside a batch, so every row pays the same allocation, copy and sink work.
 * Measured, in every rep, side by side:
 *   base      src -> sink: allocation, template copy, send, sink, free
 *             (the bridge rows' base also rewrites the destination
 *             address as theirs do: make_frame);
 *   hop       src -> 16 pass nodes -> sink: (t - base) / 16 is one chain hop;
 *   floor     the same 16-hop chain as plain structs (floor.c):
 *             (t16 - t0) / 16 is the floor's hop;
 *   rows      src -> <type> -> sink(s): (t - base) is the type's cost.
 * Each row is reported in ns per frame, in chain hops (its cost over the
 * hop's) and in floor hops.  Rows:
 *   bridge    2, 8 and 64 links with 1k and 100k hosts learned on links
 *             1..L-1, frames from link 0 to known unicast destinations
 *             drawn over every host (one table lookup for the destination,
 *             one for the source, per frame);
 *   vlan      tagged frames from downstream to a VLAN hook (decapsulation)
 *             and untagged ones from a VLAN hook to downstream
 *             (encapsulation);
 *   bpf       a 10-instruction and a 100-instruction program, every
 *             instruction executed, match -> out;
 *   one2many  round robin over 4 links.
 * Reps alternate all rows (same weather), each flagged by the contention
 * probe; medians are over the quiet reps (all if none).  A benchmark, not a
 * test: targets.c judges the bridge target (64 links, known unicast, at
 * most 3 chain hops).  A type that is not registered leaves its rows out,
 * with the reason.
 */
#include "ngbench.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/parse.h>

#define TY_HOPS 16
#define TY_FRAME 64

struct trow_ctx {
    struct ng_graph *g;
    struct ng_hook *src;      /* frames go out of this hook */
    const uint8_t *tmpl;      /* TY_FRAME bytes */
    unsigned ndst;            /* bridge: destination hosts to cycle over (0: fixed frame) */
    unsigned dst, step;       /* the next destination host; its stride (coprime to ndst) */
    struct ng_node *nodes[2]; /* the nodes of the row (shut down at the end) */
    char why[96];
};

static const char *const row_names[NGB_TY_ROWS] = {
    "bridge 2 links, 1k hosts",
    "bridge 8 links, 1k hosts",
    "bridge 64 links, 1k hosts",
    "bridge 2 links, 100k hosts",
    "bridge 8 links, 100k hosts",
    "bridge 64 links, 100k hosts",
    "vlan decap (downstream -> vlan hook)",
    "vlan encap (vlan hook -> downstream)",
    "bpf 10 instructions",
    "bpf 100 instructions",
    "one2many round robin, 4 links",
};
static const int bridge_links[6] = {2, 8, 64, 2, 8, 64};
static const unsigned bridge_hosts[6] = {1000, 1000, 1000, 100000, 100000, 100000};

/* Host h's Ethernet address: 02:00:<h, 32 bits>. */
static void host_mac(uint8_t *m, unsigned h)
{
    m[0] = 0x02;
    m[1] = 0x00;
    m[2] = (uint8_t)(h >> 24);
    m[3] = (uint8_t)(h >> 16);
    m[4] = (uint8_t)(h >> 8);
    m[5] = (uint8_t)h;
}

/* The untagged template: to host 0 from a host "on link 0", IPv4/UDP. */
static void frame_template(uint8_t *f, bool tagged)
{
    memset(f, 0, TY_FRAME);
    host_mac(f, 0);
    host_mac(f + 6, 0xfffffff0u); /* the sender on link 0 */
    size_t o = 12;
    if (tagged) {
        f[12] = 0x81, f[13] = 0x00, f[14] = 0x00, f[15] = 10; /* VID 10 */
        o = 16;
    }
    f[o] = 0x08, f[o + 1] = 0x00;    /* IPv4 */
    f[o + 2] = 0x45, f[o + 11] = 17; /* version/IHL, protocol UDP */
}

static unsigned gcd(unsigned a, unsigned b)
{
    while (b) {
        unsigned t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Destinations cycle over hosts 0..ndst-1 with a stride near ndst / phi
 * (coprime to ndst: every host, scattered over the table): an add and a
 * compare per frame, no division, so the bridge rows' base (dst_base in
 * ngb_types_run, the same generation into a sink) is close to the plain
 * one and the row's difference is the bridge's own work. */
static void dst_init(struct trow_ctx *x, unsigned ndst)
{
    x->ndst = ndst;
    x->dst = 0;
    x->step = ndst > 2 ? (unsigned)(ndst * 0.6180339887) : 1;
    while (ndst > 1 && gcd(x->step, ndst) != 1)
        x->step++;
}

static struct ng_item *make_frame(struct trow_ctx *x)
{
    struct ng_item *it = ng_item_alloc(x->g, TY_FRAME);
    if (!it)
        return NULL;
    uint8_t *d = ng_item_data(it);
    memcpy(d, x->tmpl, TY_FRAME);
    if (x->ndst) { /* a known host, spread over the whole table */
        host_mac(d, x->dst);
        x->dst += x->step;
        if (x->dst >= x->ndst)
            x->dst -= x->ndst;
    }
    ((uint64_t *)ng_item_meta(it))[0] = 0; /* no latency sample */
    return it;
}

/* ns per frame for n frames out of x->src (one batch per 256 frames). */
static double push(struct trow_ctx *x, unsigned n)
{
    uint64_t t0 = ngb_now_ns();
    for (unsigned i = 0; i < n;) {
        ng_batch_begin(x->g);
        for (unsigned k = 0; k < 256 && i < n; k++, i++) {
            struct ng_item *it = make_frame(x);
            if (it)
                ng_send_data(x->src, it);
        }
        ng_batch_end(x->g);
    }
    return (double)(ngb_now_ns() - t0) / n;
}

static double push_floor(struct fnode *head, const uint8_t *tmpl, struct ng_graph *g, unsigned n)
{
    uint64_t t0 = ngb_now_ns();
    for (unsigned i = 0; i < n; i++) {
        struct ng_item *it = ng_item_alloc(g, TY_FRAME);
        if (!it)
            continue;
        memcpy(ng_item_data(it), tmpl, TY_FRAME);
        ((uint64_t *)ng_item_meta(it))[0] = 0;
        head->fn(head, it);
    }
    return (double)(ngb_now_ns() - t0) / n;
}

/* ------------------------------------------------------------------------ */
/* Building the rows                                                        */
/* ------------------------------------------------------------------------ */

static const char *SINK;
static const char *PASS;

static int sink_on(struct ng_node *n, const char *hook)
{
    struct ng_node *s;
    int rc = ng_mkpeer(n, hook, SINK, "in", &s);
    if (rc == 0)
        ng_node_unref(s);
    return rc;
}

/* A source node (a sink, so anything sent back is freed) whose "out" hook
 * is joined to `hook` of `n`; x->src gets the hook (referenced). */
static int source_to(struct trow_ctx *x, struct ng_node *n, const char *hook)
{
    struct ng_node *s;
    int rc = ng_node_create(x->g, SINK, &s);
    if (rc == 0)
        rc = ng_connect(s, "out", n, hook);
    if (rc == 0)
        rc = ng_hook_find(s, "out", &x->src);
    if (s) {
        x->nodes[1] = s;
    }
    return rc;
}

static int ascii(struct ng_graph *g, struct ng_node *n, const char *fmt, const char *arg)
{
    char path[32], text[8192];
    snprintf(path, sizeof(path), "[%x]:", ng_node_id(n));
    snprintf(text, sizeof(text), fmt, arg);
    char *resp = NULL;
    int rc = ng_send_ascii(g, path, text, &resp);
    free(resp);
    return rc;
}

static int build_bridge(struct trow_ctx *x, int links, unsigned hosts)
{
    struct ng_node *b;
    int rc = ng_node_create(x->g, "bridge", &b);
    if (rc)
        return rc;
    x->nodes[0] = b;
    char h[16];
    for (int l = 1; l < links && rc == 0; l++) {
        snprintf(h, sizeof(h), "link%d", l);
        rc = sink_on(b, h);
    }
    if (rc == 0)
        rc = source_to(x, b, "link0");
    /* Learn: one frame from every host on its link, to the sender on
     * link 0 (known once its first frame is in: no flooding). */
    uint8_t f[TY_FRAME];
    frame_template(f, false);
    struct ng_item *it = ng_item_alloc(x->g, TY_FRAME);
    if (rc == 0 && it) {
        memcpy(ng_item_data(it), f, TY_FRAME);
        host_mac(ng_item_data(it), 0xfffffff1u); /* unknown: floods once */
        rc = ng_send_data(x->src, it);
        rc = rc == -ENOTCONN ? 0 : rc;
    }
    for (unsigned i = 0; i < hosts && rc == 0; i++) {
        it = ng_item_alloc(x->g, TY_FRAME);
        if (!it)
            return -ENOMEM;
        uint8_t *d = ng_item_data(it);
        memcpy(d, f, TY_FRAME);
        memcpy(d, f + 6, 6); /* to the sender on link 0 */
        host_mac(d + 6, i);
        snprintf(h, sizeof(h), "link%u", 1 + i % (unsigned)(links - 1));
        ng_inject_data(b, h, it);
    }
    dst_init(x, hosts);
    return rc;
}

static int build_vlan(struct trow_ctx *x, bool decap)
{
    struct ng_node *v;
    int rc = ng_node_create(x->g, "vlan", &v);
    if (rc)
        return rc;
    x->nodes[0] = v;
    rc = decap ? sink_on(v, "v10") : source_to(x, v, "v10");
    if (rc == 0)
        rc = ascii(x->g, v, "addfilter { vid=10 hook=\"%s\" }", "v10");
    if (rc == 0)
        rc = decap ? source_to(x, v, "downstream") : sink_on(v, "downstream");
    return rc;
}

/* ninsn - 1 loads and compares that all fall through, then accept. */
static int build_bpf(struct trow_ctx *x, int ninsn)
{
    struct ng_node *n;
    int rc = ng_node_create(x->g, "bpf", &n);
    if (rc)
        return rc;
    x->nodes[0] = n;
    if ((rc = sink_on(n, "out")) != 0 || (rc = source_to(x, n, "in")) != 0)
        return rc;
    char prog[6000];
    size_t o = 0;
    for (int i = 0; i < ninsn - 1; i++)
        o += (size_t)snprintf(prog + o, sizeof(prog) - o, "%s ",
                              i % 2 ? "{ code=21 jt=0 jf=0 k=2048 }" /* jeq #0x800 */
                                    : "{ code=40 k=12 }" /* ldh [12] */);
    snprintf(prog + o, sizeof(prog) - o, "{ code=6 k=65535 }"); /* ret #65535 */
    char fmt[6200];
    snprintf(fmt, sizeof(fmt),
             "setprogram { thisHook=\"in\" ifMatch=\"out\" ifNotMatch=\"\" bpf_prog_len=%d "
             "bpf_prog=[ %%s ] }",
             ninsn);
    return ascii(x->g, n, fmt, prog);
}

static int build_one2many(struct trow_ctx *x)
{
    struct ng_node *n;
    int rc = ng_node_create(x->g, "one2many", &n);
    if (rc)
        return rc;
    x->nodes[0] = n;
    char h[16];
    for (int i = 0; i < 4 && rc == 0; i++) {
        snprintf(h, sizeof(h), "many%d", i);
        rc = sink_on(n, h);
    }
    return rc ? rc : source_to(x, n, "one");
}

static int build_row(struct trow_ctx *x, int r, uint8_t *tmpl)
{
    frame_template(tmpl, r == 6);
    x->tmpl = tmpl;
    if (r < 6)
        return build_bridge(x, bridge_links[r], bridge_hosts[r]);
    if (r < 8)
        return build_vlan(x, r == 6);
    if (r < 10)
        return build_bpf(x, r == 8 ? 10 : 100);
    return build_one2many(x);
}

/* The graph's destruction shuts the row's nodes down; only the references go. */
static void row_free(struct trow_ctx *x)
{
    ng_hook_unref(x->src);
    for (int i = 0; i < 2; i++)
        if (x->nodes[i])
            ng_node_unref(x->nodes[i]);
    memset(x->nodes, 0, sizeof(x->nodes));
    x->src = NULL;
}

/* ------------------------------------------------------------------------ */
/* The scenario                                                             */
/* ------------------------------------------------------------------------ */

static struct ng_hook *chain(struct ng_graph *g, int hops, struct ng_node **first)
{
    struct ng_node *src, *prev, *n;
    if (ng_node_create(g, SINK, &src))
        return NULL;
    *first = src;
    prev = src;
    const char *ph = "out";
    for (int i = 0; i < hops; i++) {
        if (ng_mkpeer(prev, ph, PASS, "in", &n))
            return NULL;
        ng_node_unref(n);
        prev = n;
        ph = "out";
    }
    if (sink_on(prev, ph))
        return NULL;
    struct ng_hook *h;
    return ng_hook_find(src, "out", &h) == 0 ? h : NULL;
}

/* The graph's destruction shuts the nodes down; only the references go. */
static void chain_free(struct ng_hook *h, struct ng_node *first)
{
    ng_hook_unref(h);
    ng_node_unref(first);
}

void ngb_types_run(const struct ngb_opts *o, struct ngb_suite *s)
{
    struct ngb_types_res *r = &s->types;
    memset(r, 0, sizeof(*r));
    if (!o->scen[S_TYPES])
        return;
    r->ran = true;
    bool smoke = !strcmp(o->suite, "smoke");
    unsigned n = smoke ? 20000 : 400000;
    r->reps = smoke ? 1 : 5;
    r->nframes = n;
    SINK = ngb_type_name(1, T_SINK);
    PASS = ngb_type_name(1, T_PASS);

    struct ng_graph_config gc;
    ng_graph_config_init(&gc);
    gc.backend = NG_BACKEND_CK_EPOCH;
    struct ng_graph *g = NULL;
    if (ng_graph_create(&gc, &g) != 0 || ngb_types_register(g) != 0) {
        snprintf(r->why, sizeof(r->why), "no graph");
        if (g)
            ng_graph_destroy(g);
        return;
    }
    ng_thread_register(g);
    struct tslot slot = {0};
    ngb_slot_set(&slot);

    /* The references, built once. */
    struct ng_node *b0 = NULL, *b16 = NULL;
    struct ng_hook *h0 = chain(g, 0, &b0), *h16 = chain(g, TY_HOPS, &b16);
    struct cfg fc = {.scen = S_CHAIN, .kind = K_FLOOR, .n = TY_HOPS};
    struct fnode **fall = calloc(2 * (TY_HOPS + 4), sizeof(*fall));
    int nfall = 0;
    struct fnode *f16 = fall ? ngb_floor_build(&fc, &fall, &nfall) : NULL;
    fc.n = 0;
    struct fnode *f0 = fall ? ngb_floor_build(&fc, &fall, &nfall) : NULL;
    if (!h0 || !h16 || !f16 || !f0) {
        snprintf(r->why, sizeof(r->why), "could not build the reference chains");
        goto out;
    }
    /* The rows, built once (learning 100k hosts takes a moment). */
    static uint8_t tmpl[NGB_TY_ROWS][TY_FRAME];
    struct trow_ctx rows[NGB_TY_ROWS];
    memset(rows, 0, sizeof(rows));
    for (int i = 0; i < NGB_TY_ROWS; i++) {
        rows[i].g = g;
        snprintf(r->rows[i].name, sizeof(r->rows[i].name), "%s", row_names[i]);
        int rc = build_row(&rows[i], i, tmpl[i]);
        if (rc != 0 || !rows[i].src) {
            if (rc == -ENOENT && !rows[i].nodes[0])
                snprintf(r->rows[i].why, sizeof(r->rows[i].why), "skipped: no such node type");
            else
                snprintf(r->rows[i].why, sizeof(r->rows[i].why), "not built: %s",
                         rc ? strerror(-rc) : "no source hook");
            fprintf(stderr, "[types] %s: %s\n", row_names[i], r->rows[i].why);
        } else {
            r->rows[i].ok = true;
        }
    }
    uint8_t base_tmpl[TY_FRAME];
    frame_template(base_tmpl, false);
    struct trow_ctx bx = {.g = g, .src = h0, .tmpl = base_tmpl};
    struct trow_ctx hx = {.g = g, .src = h16, .tmpl = base_tmpl};
    /* The bridge rows' base: the same destination rewrite, into a sink. */
    struct trow_ctx dx = {.g = g, .src = h0, .tmpl = base_tmpl};
    dst_init(&dx, 1000);
    double base[8], hop[8], floor_hop[8], dst_base[8];
    for (int rep = 0; rep < r->reps; rep++) {
        fprintf(stderr, "[types] rep %d/%d ...\n", rep + 1, r->reps);
        r->probe[rep] = ngb_probe(300000);
        /* Warm-up, then every row of this rep. */
        (void)push(&bx, n / 10);
        base[rep] = push(&bx, n);
        dst_base[rep] = push(&dx, n);
        hop[rep] = (push(&hx, n) - base[rep]) / TY_HOPS;
        double f16ns = push_floor(f16, base_tmpl, g, n), f0ns = push_floor(f0, base_tmpl, g, n);
        floor_hop[rep] = (f16ns - f0ns) / TY_HOPS;
        for (int i = 0; i < NGB_TY_ROWS; i++) {
            if (!r->rows[i].ok)
                continue;
            (void)push(&rows[i], n / 10);
            double ns = push(&rows[i], n) - (rows[i].ndst ? dst_base[rep] : base[rep]);
            r->rows[i].ns[rep] = ns;
            r->rows[i].hops[rep] = ns / hop[rep];
            r->rows[i].floors[rep] = ns / floor_hop[rep];
        }
        r->base_ns[rep] = base[rep];
        r->dst_base_ns[rep] = dst_base[rep];
        r->hop_ns[rep] = hop[rep];
        r->floor_ns[rep] = floor_hop[rep];
    }
    r->contended = ngb_mark_quiet(r->probe, r->quiet, r->reps);
    for (int i = 0; i < NGB_TY_ROWS; i++)
        row_free(&rows[i]);
out:
    if (h0)
        chain_free(h0, b0);
    if (h16)
        chain_free(h16, b16);
    for (int i = 0; i < nfall; i++)
        free(fall[i]);
    free(fall);
    ngb_slot_set(NULL);
    ng_thread_unregister(g);
    ng_graph_destroy(g);
}

void ngb_types_report(const struct ngb_suite *s)
{
    const struct ngb_types_res *r = &s->types;
    if (!r->ran)
        return;
    printf("\n== node types: ns per 64-byte frame over src -> sink, one thread, ck_epoch, "
           "shared mode ==\n");
    printf("(CPU: %s)\n", s->cpu);
    if (r->why[0]) {
        printf("not run: %s\n", r->why);
        return;
    }
    printf("%u frames per row per rep, %d reps (%d contended), medians of the quiet reps.\n",
           r->nframes, r->reps, r->contended);
    printf("base (alloc + copy + send + sink) %.1f ns (bridge rows, with the destination "
           "rewrite: %.1f ns);\nchain hop %.2f ns; floor hop %.2f ns\n",
           ngb_types_med(r, r->base_ns), ngb_types_med(r, r->dst_base_ns),
           ngb_types_med(r, r->hop_ns), ngb_types_med(r, r->floor_ns));
    printf("%-40s %10s %12s %12s\n", "row", "ns/frame", "chain hops", "floor hops");
    for (int i = 0; i < NGB_TY_ROWS; i++) {
        const struct ngb_types_row *w = &r->rows[i];
        if (!w->ok) {
            printf("%-40s %s\n", w->name, w->why);
            continue;
        }
        printf("%-40s %10.1f %12.2f %12.2f\n", w->name, ngb_types_med(r, w->ns),
               ngb_types_med(r, w->hops), ngb_types_med(r, w->floors));
    }
}
