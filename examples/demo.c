/*
 * demo.c - a small libngraph application using only the public API.
 *
 *     demo [backend] [count]      backend: ck_epoch (default), qsbr, rwlock (any of ng_backend_name())
 *
 * Builds this graph (netgraph's built-in node types):
 *
 *     [echo] out --- left [tee] right ------ in [sink] (hole)
 *                          left2right ------ in [tap]  (hole)
 *
 * Every item injected at echo's "out" hook is echoed back out of that hook,
 * enters the tee on "left", leaves on "right" to the sink and a copy leaves on
 * "left2right" to the tap; both holes discard what they receive.  The program
 * lists the nodes with NGM_LISTNODES, sends `count` items and prints the
 * graph statistics.
 */
#include <ngraph/ngraph.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, int rc)
{
    fprintf(stderr, "ngdemo: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
    return 1;
}

static int make_node(struct ng_graph *g, const char *type, const char *name, struct ng_node **np)
{
    int rc = ng_node_create(g, type, np);
    if (rc < 0)
        return rc;
    rc = ng_node_name(*np, name);
    if (rc < 0) {
        ng_node_shutdown(*np);
        ng_node_unref(*np);
        *np = NULL;
    }
    return rc;
}

static int list_nodes(struct ng_graph *g, const char *path)
{
    struct ng_mesg *msg = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_LISTNODES, 0);
    struct ng_mesg *resp = NULL;
    if (msg == NULL)
        return -ENOMEM;
    snprintf(msg->header.cmdstr, sizeof(msg->header.cmdstr), "listnodes");
    int rc = ng_send_msg(g, NULL, path, msg, &resp);
    if (rc < 0 || resp == NULL || resp->header.arglen < sizeof(struct namelist)) {
        if (resp != NULL)
            ng_mesg_free(resp);
        return rc < 0 ? rc : -EBADMSG;
    }
    const struct namelist *nl = (const struct namelist *)(const void *)resp->data;
    printf("%" PRIu32 " nodes:\n", nl->numnames);
    printf("  %-12s %-8s %-10s %s\n", "name", "type", "id", "hooks");
    for (uint32_t i = 0; i < nl->numnames; i++) {
        const struct nodeinfo *ni = &nl->nodeinfo[i];
        if (sizeof(struct namelist) + (i + 1) * sizeof(*ni) > resp->header.arglen)
            break;
        printf("  %-12s %-8s [%08" PRIx32 "] %" PRIu32 "\n", ni->name[0] ? ni->name : "<unnamed>",
               ni->type, ni->id, ni->hooks);
    }
    ng_mesg_free(resp);
    return 0;
}

static void print_stats(struct ng_graph *g)
{
    static const char *const why[NG_DROP_REASONS] = {"notconn", "dead", "nobufs", "queue", "loop"};
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    printf("stats: items alloc %" PRIu64 " free %" PRIu64 " live %" PRIu64 "; nodes %" PRIu64
           " hooks %" PRIu64 "; defer pending %" PRIu64 "\n",
           st.items_alloc, st.items_free, st.items_live, st.nodes, st.hooks, st.defer_pending);
    printf("drops:");
    for (int i = 0; i < NG_DROP_REASONS; i++)
        printf(" %s %" PRIu64, why[i], st.drops[i]);
    printf("\n");
}

static int usage(const char *argv0)
{
    fprintf(stderr, "usage: %s [backend] [count]\n  backends:", argv0);
    for (int b = 0; b < NG_BACKEND_COUNT; b++)
        fprintf(stderr, " %s", ng_backend_name((enum ng_backend)b));
    fprintf(stderr, "\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *bname = argc > 1 ? argv[1] : ng_backend_name(NG_BACKEND_CK_EPOCH);
    long count = argc > 2 ? strtol(argv[2], NULL, 10) : 8;
    struct ng_graph_config cfg;
    struct ng_graph *g = NULL;
    struct ng_node *echo = NULL, *tee = NULL, *sink = NULL, *tap = NULL;
    int rc, status = 1;

    if (count < 0 || count > 100000000)
        return usage(argv[0]);
    ng_graph_config_init(&cfg);
    if ((rc = ng_backend_parse(bname, &cfg.backend)) < 0)
        return usage(argv[0]);
    if ((rc = ng_graph_create(&cfg, &g)) < 0)
        return fail("ng_graph_create", rc);
    printf("libngraph %d.%d.%d, backend %s\n", NG_VERSION_MAJOR, NG_VERSION_MINOR, NG_VERSION_PATCH,
           ng_backend_name(ng_graph_backend(g)));

    if ((rc = make_node(g, "echo", "echo", &echo)) < 0) {
        fail("create echo", rc);
        goto out;
    }
    if ((rc = make_node(g, "tee", "tee", &tee)) < 0) {
        fail("create tee", rc);
        goto out;
    }
    if ((rc = make_node(g, "hole", "sink", &sink)) < 0) {
        fail("create sink", rc);
        goto out;
    }
    if ((rc = make_node(g, "hole", "tap", &tap)) < 0) {
        fail("create tap", rc);
        goto out;
    }
    if ((rc = ng_connect(echo, "out", tee, "left")) < 0) {
        fail("connect echo:out - tee:left", rc);
        goto out;
    }
    if ((rc = ng_connect(tee, "right", sink, "in")) < 0) {
        fail("connect tee:right - sink:in", rc);
        goto out;
    }
    if ((rc = ng_connect(tee, "left2right", tap, "in")) < 0) {
        fail("connect tee:left2right - tap:in", rc);
        goto out;
    }

    if ((rc = list_nodes(g, "tee:")) < 0) {
        fail("NGM_LISTNODES", rc);
        goto out;
    }

    long sent = 0;
    for (long i = 0; i < count; i++) {
        struct ng_item *item = ng_item_alloc(g, 64);
        if (item == NULL) {
            fprintf(stderr, "ngdemo: ng_item_alloc failed at item %ld\n", i);
            break;
        }
        memset(ng_item_data(item), (int)(i & 0xff), ng_item_len(item));
        rc = ng_inject_data(echo, "out", item); /* consumes item */
        if (rc < 0)
            fprintf(stderr, "ngdemo: ng_inject_data: %s\n", strerror(-rc));
        else
            sent++;
    }
    ng_graph_barrier(g);
    printf("sent %ld of %ld items through echo -> tee -> {sink, tap}\n", sent, count);
    print_stats(g);
    status = sent == count ? 0 : 1;

out:
    if (tap != NULL)
        ng_node_unref(tap);
    if (sink != NULL)
        ng_node_unref(sink);
    if (tee != NULL)
        ng_node_unref(tee);
    if (echo != NULL)
        ng_node_unref(echo);
    ng_graph_destroy(g);
    return status;
}
