/*
 * size.c - the graph-size scenario: what topology operations cost as a
 * graph grows from a thousand to a million nodes.
 *
 * For each size N, on one thread and the default backend (ck_epoch): create
 * N nodes, name each, look each up by name and by id (ng_node_find), connect
 * them into a chain, list them (NGM_LISTNODES), shut half of them down one
 * by one and destroy the graph with the other half.  Reported: ns per
 * operation at each size, bytes per node and per hook (malloc accounting),
 * the listing's time (or its errno beyond NG_MAX_RESP_ARGLEN), the time to
 * destroy the graph, and RSS before, at the peak and after destruction.
 * A benchmark, not a test: the checks at the end (ngb_size_targets) report.
 */
#include "ngbench.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/message.h>

/* Per-operation clock: ns of wall time per call over a whole loop. */
static double ns_per(uint64_t t0, unsigned n) { return n ? (double)(ngb_now_ns() - t0) / n : 0; }

static void node_name_of(char *buf, size_t len, unsigned i) { snprintf(buf, len, "n%x", i); }

static bool size_one(unsigned n, struct ngb_size_res *r)
{
    memset(r, 0, sizeof(*r));
    r->n = n;
    r->rss_start_kb = ngb_rss_kb();
    struct ng_graph_config gc;
    ng_graph_config_init(&gc);
    struct ng_graph *g;
    if (ng_graph_create(&gc, &g) != 0)
        return false;
    struct ng_node **v = calloc(n, sizeof(*v));
    if (!v) {
        ng_graph_destroy(g);
        return false;
    }
    ng_thread_register(g);
    uint64_t tbuild = ngb_now_ns();
    struct mallinfo2 m0 = mallinfo2();

    uint64_t t0 = ngb_now_ns();
    unsigned made = 0;
    while (made < n && ng_node_create(g, "hole", &v[made]) == 0)
        made++;
    r->ns_create = ns_per(t0, made);
    struct mallinfo2 m1 = mallinfo2();

    char name[NG_NODESIZ + 4];
    t0 = ngb_now_ns();
    for (unsigned i = 0; i < made; i++) {
        node_name_of(name, sizeof(name), i);
        r->errors += ng_node_name(v[i], name) != 0;
    }
    r->ns_name = ns_per(t0, made);

    /* Look-ups in a scattered order (a stride coprime with made), so the
     * tables are probed all over rather than in insertion order. */
    unsigned stride = 7919;
    while (made && stride % made == 0)
        stride++;
    t0 = ngb_now_ns();
    for (unsigned k = 0, i = 0; k < made; k++, i = (unsigned)(((uint64_t)i + stride) % made)) {
        struct ng_node *f;
        node_name_of(name, sizeof(name), i);
        if (ng_node_find(g, name, &f) == 0) {
            r->errors += f != v[i];
            ng_node_unref(f);
        } else {
            r->errors++;
        }
    }
    r->ns_find_name = ns_per(t0, made);
    t0 = ngb_now_ns();
    for (unsigned k = 0, i = 0; k < made; k++, i = (unsigned)(((uint64_t)i + stride) % made)) {
        struct ng_node *f;
        snprintf(name, sizeof(name), "[%x]:", ng_node_id(v[i]));
        if (ng_node_find(g, name, &f) == 0) {
            r->errors += f != v[i];
            ng_node_unref(f);
        } else {
            r->errors++;
        }
    }
    r->ns_find_id = ns_per(t0, made);

    struct mallinfo2 m2 = mallinfo2();
    t0 = ngb_now_ns();
    unsigned links = 0;
    for (unsigned i = 0; i + 1 < made; i++)
        links += ng_connect(v[i], "out", v[i + 1], "in") == 0;
    r->ns_connect = ns_per(t0, links);
    struct mallinfo2 m3 = mallinfo2();
    r->node_bytes = made ? (double)(m1.uordblks - m0.uordblks) / made : 0;
    r->hook_bytes = links ? (double)(m3.uordblks - m2.uordblks) / (2.0 * links) : 0;
    r->rss_peak_kb = ngb_rss_kb();

    /* The listing: the engine builds it under the control lock. */
    struct ng_mesg *m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_LISTNODES, 0), *resp = NULL;
    t0 = ngb_now_ns();
    r->list_rc = m ? ng_send_msg(g, NULL, "[1]:", m, &resp) : -ENOMEM;
    r->list_ms = (double)(ngb_now_ns() - t0) / 1e6;
    if (resp && r->list_rc == 0)
        r->listed = ((const struct namelist *)(const void *)resp->data)->numnames;
    ng_mesg_free(resp);

    /* Shut the first half down one by one (each with its hooks), then
     * destroy the graph with the other half in it. */
    unsigned half = made / 2;
    t0 = ngb_now_ns();
    for (unsigned i = 0; i < half; i++)
        r->errors += ng_node_shutdown(v[i]) != 0;
    r->ns_shutdown = ns_per(t0, half);
    for (unsigned i = 0; i < made; i++)
        ng_node_unref(v[i]);
    free(v);
    ng_thread_unregister(g);
    t0 = ngb_now_ns();
    ng_graph_destroy(g);
    r->ms_destroy = (double)(ngb_now_ns() - t0) / 1e6;
    r->build_list_destroy_s = (double)(ngb_now_ns() - tbuild) / 1e9;
    r->rss_end_kb = ngb_rss_kb(); /* ng_graph_destroy returns free memory itself */
    r->errors += made != n;
    return true;
}

void ngb_size_run(const struct ngb_opts *o, struct ngb_suite *s)
{
    s->nsize = 0;
    if (!o->scen[S_SIZE])
        return;
    for (int i = 0; i < o->nsizes && s->nsize < NGB_MAXSIZES; i++) {
        fprintf(stderr, "[size] %u nodes ...\n", (unsigned)o->sizes[i]);
        if (size_one((unsigned)o->sizes[i], &s->size[s->nsize]))
            s->nsize++;
    }
}

void ngb_size_report(const struct ngb_suite *s)
{
    if (s->nsize == 0)
        return;
    printf("\n== graph size: topology operations as the graph grows (ck_epoch, 1 thread) ==\n");
    printf("(CPU: %s)\n", s->cpu);
    printf("%9s %9s %9s %9s %9s %9s %9s %8s %8s %14s %10s %9s %17s\n", "nodes", "create", "name",
           "find/name", "find/id", "connect", "shutdown", "B/node", "B/hook", "LISTNODES ms",
           "destroy ms", "total s", "RSS MiB st/pk/end");
    for (int i = 0; i < s->nsize; i++) {
        const struct ngb_size_res *r = &s->size[i];
        char list[32];
        if (r->list_rc == 0)
            snprintf(list, sizeof(list), "%.1f", r->list_ms);
        else
            snprintf(list, sizeof(list), "%s", r->list_rc == -ENOMEM ? "-ENOMEM" : "error");
        printf("%9u %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %8.0f %8.0f %14s %10.1f %9.2f "
               "%5.0f/%5.0f/%5.0f%s\n",
               r->n, r->ns_create, r->ns_name, r->ns_find_name, r->ns_find_id, r->ns_connect,
               r->ns_shutdown, r->node_bytes, r->hook_bytes, list, r->ms_destroy,
               r->build_list_destroy_s, r->rss_start_kb / 1024.0, r->rss_peak_kb / 1024.0,
               r->rss_end_kb / 1024.0, r->errors ? "  ERRORS" : "");
    }
    printf("(ns per operation, one pass each; LISTNODES fails with -ENOMEM beyond "
           "NG_MAX_RESP_ARGLEN, about 230,000 nodes; RSS: start / peak / after destroy)\n");
}

int ngb_size_failures(const struct ngb_suite *s)
{
    int f = 0;
    for (int i = 0; i < s->nsize; i++)
        f += s->size[i].errors != 0;
    return f;
}
