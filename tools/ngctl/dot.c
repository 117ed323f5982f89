/*
 * dot.c - ngctl's dot command (aliases graphviz, confdot): the whole graph
 * in GraphViz form, laid out as FreeBSD's ngctl writes it: one record node
 * per netgraph node ("name:|{type|[id]:}"), the hook-less ones in a pink
 * cluster, an octagon per hook joined to its node by a bold edge, and one
 * edge per link between the two hooks.
 */
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ngctl.h"

#define UNNAMED "\\<unnamed\\>"

/* A generic query; a node that has gone meanwhile (ENOENT for a
 * listhooks) is -1 with errno ENOENT and no message. */
static int list_query(const char *path, int cmd, size_t minlen, struct ng_mesg **respp,
                      const char *what)
{
    int token = NgSendMsg(ngctl_csock, path, NGM_GENERIC_COOKIE, cmd, NULL, 0);
    if (token < 0) {
        if (!(cmd == NGM_LISTHOOKS && errno == ENOENT))
            warn("send %s msg", what);
        return -1;
    }
    if (ngctl_recv_resp(token, NGCTL_REPLY_MS, minlen, respp) < 0) {
        warn("recv %s msg", what);
        return -1;
    }
    return 0;
}

/* The hooks of one node: its octagons, the bold edges to them, and the
 * links to peers with a smaller or equal ID (each link printed once).  A
 * node that has gone since the node list is skipped. */
static int dot_node(FILE *f, const struct nodeinfo *node)
{
    char path[NG_PATHSIZ];
    snprintf(path, sizeof(path), "[%x]:", (unsigned)node->id);
    struct ng_mesg *resp;
    if (list_query(path, NGM_LISTHOOKS, sizeof(struct hooklist), &resp, "listhooks") < 0)
        return errno == ENOENT ? 0 : -1;
    struct hooklist *hl = (struct hooklist *)(void *)resp->data;
    size_t n = hl->nodeinfo.hooks;
    if (n > (resp->header.arglen - sizeof(*hl)) / sizeof(struct linkinfo)) {
        warnx("recv listhooks msg: hook list of \"%s\" is truncated", path);
        free(resp);
        return -1;
    }
    if (n == 0) {
        free(resp);
        return 0;
    }
    uintmax_t id = node->id;
    for (size_t j = 0; j < n; j++) {
        hl->link[j].ourhook[NG_HOOKSIZ - 1] = '\0';
        hl->link[j].peerhook[NG_HOOKSIZ - 1] = '\0';
    }
    fprintf(f, "\tnode [ shape = octagon, fontsize = 10 ] {\n");
    for (size_t j = 0; j < n; j++)
        fprintf(f, "\t\t\"%jx.%s\" [ label = \"%s\" ];\n", id, hl->link[j].ourhook,
                hl->link[j].ourhook);
    fprintf(f, "\t};\n");
    fprintf(f, "\t{\n\t\tedge [ weight = 2.0, style = bold ];\n");
    for (size_t j = 0; j < n; j++)
        fprintf(f, "\t\t\"%jx\" -- \"%jx.%s\";\n", id, id, hl->link[j].ourhook);
    fprintf(f, "\t};\n");
    for (size_t j = 0; j < n; j++) {
        uintmax_t peer = hl->link[j].nodeinfo.id;
        if (peer > id)
            continue;
        fprintf(f, "\t\"%jx.%s\" -- \"%jx.%s\";\n", id, hl->link[j].ourhook, peer,
                hl->link[j].peerhook);
    }
    free(resp);
    return 0;
}

static int dot_func(int ac, char **av)
{
    if (ac > 2 || (ac == 2 && av[1][0] == '-' && av[1][1] != '\0'))
        return CMDRTN_USAGE;

    struct ng_mesg *nlresp;
    if (list_query(".", NGM_LISTNODES, sizeof(struct namelist), &nlresp, "listnodes") < 0)
        return CMDRTN_ERROR;
    struct namelist *nl = (struct namelist *)(void *)nlresp->data;
    size_t n = nl->numnames;
    if (n > (nlresp->header.arglen - sizeof(*nl)) / sizeof(struct nodeinfo)) {
        warnx("recv listnodes msg: node list is truncated");
        free(nlresp);
        return CMDRTN_ERROR;
    }

    /* The file is opened once the graph could be read. */
    FILE *f = stdout;
    if (ac == 2 && strcmp(av[1], "-") != 0 && !(f = fopen(av[1], "w"))) {
        warn("Could not open %s for writing", av[1]);
        free(nlresp);
        return CMDRTN_ERROR;
    }

    int rtn = CMDRTN_OK;
    fprintf(f, "graph netgraph {\n");
    fprintf(f, "\tedge [ weight = 1.0 ];\n");
    fprintf(f, "\tnode [ shape = record, fontsize = 12 ] {\n");
    for (size_t i = 0; i < n; i++) {
        struct nodeinfo *ni = &nl->nodeinfo[i];
        ni->name[NG_NODESIZ - 1] = '\0';
        ni->type[NG_TYPESIZ - 1] = '\0';
        fprintf(f, "\t\t\"%jx\" [ label = \"{%s:|{%s|[%jx]:}}\" ];\n", (uintmax_t)ni->id,
                ni->name[0] ? ni->name : UNNAMED, ni->type, (uintmax_t)ni->id);
    }
    fprintf(f, "\t};\n");
    fprintf(f, "\tsubgraph cluster_disconnected {\n");
    fprintf(f, "\t\tbgcolor = pink;\n");
    for (size_t i = 0; i < n; i++)
        if (nl->nodeinfo[i].hooks == 0)
            fprintf(f, "\t\t\"%jx\";\n", (uintmax_t)nl->nodeinfo[i].id);
    fprintf(f, "\t};\n");
    for (size_t i = 0; i < n && rtn == CMDRTN_OK; i++)
        if (dot_node(f, &nl->nodeinfo[i]) < 0)
            rtn = CMDRTN_ERROR;
    /* FreeBSD's ngctl ends with "};", which Graphviz 2.43 (Debian's)
     * refuses: a graph ends with its brace. */
    if (rtn == CMDRTN_OK)
        fprintf(f, "}\n");
    free(nlresp);
    if (f != stdout) {
        if (fclose(f) != 0) {
            warn("%s", av[1]);
            rtn = CMDRTN_ERROR;
        }
    } else {
        fflush(stdout);
    }
    return rtn;
}

const struct ngctl_cmd ngctl_dot_cmd = {dot_func,
                                        "dot [outputfile]",
                                        "Produce a GraphViz (.dot) of the entire netgraph.",
                                        "If no outputfile is specified, stdout will be assumed.",
                                        {"graphviz", "confdot"}};
