/*
 * list.c - ngctl's commands that describe the graph: list [-ln]
 * (NGM_LISTNODES / NGM_LISTNAMES), show [-n] (NGM_LISTHOOKS) and types
 * (NGM_LISTTYPES), in FreeBSD's column layout.
 */
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ngctl.h"

#define UNNAMED "<unnamed>"
#define HOOKFMT "  %-15s %-15s %-12s %-15s %-15s\n"

/*
 * Parse the flags of av[1..] (each "-" followed by letters of allowed)
 * into *flags (one bit per letter of allowed, in order), stopping at the
 * first non-flag or "--".  Returns the index of the first operand; -1 for
 * an unknown flag.
 */
static int get_flags(int ac, char **av, const char *allowed, unsigned *flags)
{
    int i = 1;
    *flags = 0;
    for (; i < ac && av[i][0] == '-' && av[i][1] != '\0'; i++) {
        if (strcmp(av[i], "--") == 0)
            return i + 1;
        for (const char *c = av[i] + 1; *c; c++) {
            const char *p = strchr(allowed, *c);
            if (!p)
                return -1;
            *flags |= 1u << (p - allowed);
        }
    }
    return i;
}

/* Send a generic command with no argument and receive its response,
 * checked to hold at least minlen bytes.  With quiet_enoent, a node that
 * is not there is no error message (-1 with errno ENOENT). */
static int query(const char *path, int cmd, size_t minlen, struct ng_mesg **respp, int quiet_enoent)
{
    int token = NgSendMsg(ngctl_csock, path, NGM_GENERIC_COOKIE, cmd, NULL, 0);
    if (token < 0) {
        if (!(quiet_enoent && errno == ENOENT))
            warn("send msg");
        return -1;
    }
    if (ngctl_recv_resp(token, NGCTL_REPLY_MS, minlen, respp) < 0) {
        warn("recv msg");
        return -1;
    }
    return 0;
}

static const char *name_or_unnamed(const char *name) { return *name ? name : UNNAMED; }

/* The server's names are NUL-terminated; make sure of it before printing. */
static void terminate_nodeinfo(struct nodeinfo *ni)
{
    ni->name[sizeof(ni->name) - 1] = '\0';
    ni->type[sizeof(ni->type) - 1] = '\0';
}

static void print_nodeinfo(struct nodeinfo *ni)
{
    terminate_nodeinfo(ni);
    printf("  Name: %-15s Type: %-15s ID: %08x   Num hooks: %u\n", name_or_unnamed(ni->name),
           ni->type, (unsigned)ni->id, (unsigned)ni->hooks);
}

/* The show command on one path; hooks listed unless no_hooks.  With
 * gone_ok, a node that has gone (ENOENT) is skipped: list -l on a graph
 * that changes meanwhile. */
static int show_path(const char *path, int no_hooks, int gone_ok)
{
    struct ng_mesg *resp;
    if (query(path, NGM_LISTHOOKS, sizeof(struct hooklist), &resp, gone_ok) < 0)
        return gone_ok && errno == ENOENT ? CMDRTN_OK : CMDRTN_ERROR;
    struct hooklist *hl = (struct hooklist *)(void *)resp->data;
    struct nodeinfo *ni = &hl->nodeinfo;
    size_t nhooks = ni->hooks;
    if (nhooks > (resp->header.arglen - sizeof(*hl)) / sizeof(struct linkinfo)) {
        warnx("recv msg: hook list of \"%s\" is truncated", path);
        free(resp);
        return CMDRTN_ERROR;
    }
    print_nodeinfo(ni);
    if (!no_hooks && nhooks > 0) {
        printf(HOOKFMT, "Local hook", "Peer name", "Peer type", "Peer ID", "Peer hook");
        printf(HOOKFMT, "----------", "---------", "---------", "-------", "---------");
        for (size_t k = 0; k < nhooks; k++) {
            struct linkinfo *li = &hl->link[k];
            char idbuf[20];
            terminate_nodeinfo(&li->nodeinfo);
            li->ourhook[sizeof(li->ourhook) - 1] = '\0';
            li->peerhook[sizeof(li->peerhook) - 1] = '\0';
            snprintf(idbuf, sizeof(idbuf), "%08x", (unsigned)li->nodeinfo.id);
            printf(HOOKFMT, li->ourhook, name_or_unnamed(li->nodeinfo.name), li->nodeinfo.type,
                   idbuf, li->peerhook);
        }
    }
    free(resp);
    return CMDRTN_OK;
}

static int show_func(int ac, char **av)
{
    unsigned flags;
    int i = get_flags(ac, av, "n", &flags);
    if (i < 0 || ac - i != 1)
        return CMDRTN_USAGE;
    return show_path(av[i], flags & 1u, 0);
}

const struct ngctl_cmd ngctl_show_cmd = {show_func,
                                         "show [-n] <path>",
                                         "Show information about the node at <path>",
                                         "If the -n flag is given, hooks are not listed.",
                                         {"inquire", "info"}};

static int list_func(int ac, char **av)
{
    unsigned flags;
    int i = get_flags(ac, av, "ln", &flags);
    if (i < 0 || i != ac)
        return CMDRTN_USAGE;
    int list_hooks = (flags & 1u) != 0, named_only = (flags & 2u) != 0;

    struct ng_mesg *resp;
    if (query(".", named_only ? NGM_LISTNAMES : NGM_LISTNODES, sizeof(struct namelist), &resp, 0) <
        0)
        return CMDRTN_ERROR;
    struct namelist *nl = (struct namelist *)(void *)resp->data;
    size_t n = nl->numnames;
    if (n > (resp->header.arglen - sizeof(*nl)) / sizeof(struct nodeinfo)) {
        warnx("recv msg: node list is truncated");
        free(resp);
        return CMDRTN_ERROR;
    }
    printf("There are %u total %snodes:\n", (unsigned)n, named_only ? "named " : "");
    int rtn = CMDRTN_OK;
    for (size_t k = 0; k < n && rtn == CMDRTN_OK; k++) {
        if (list_hooks) {
            char path[NG_PATHSIZ];
            snprintf(path, sizeof(path), "[%x]:", (unsigned)nl->nodeinfo[k].id);
            rtn = show_path(path, 0, 1);
        } else {
            print_nodeinfo(&nl->nodeinfo[k]);
        }
    }
    free(resp);
    return rtn;
}

const struct ngctl_cmd ngctl_list_cmd = {
    list_func,
    "list [-ln]",
    "Show information about all nodes",
    "The list command shows information about every node that currently"
    " exists in the netgraph system. The optional -n argument limits"
    " this list to only those nodes with a global name assignment."
    " The optional -l argument provides verbose output that includes"
    " hook information as well.",
    {"ls"}};

static int types_func(int ac, char **av)
{
    (void)av;
    if (ac != 1)
        return CMDRTN_USAGE;
    struct ng_mesg *resp;
    if (query(".", NGM_LISTTYPES, sizeof(struct typelist), &resp, 0) < 0)
        return CMDRTN_ERROR;
    struct typelist *tl = (struct typelist *)(void *)resp->data;
    size_t n = tl->numtypes;
    if (n > (resp->header.arglen - sizeof(*tl)) / sizeof(struct typeinfo)) {
        warnx("recv msg: type list is truncated");
        free(resp);
        return CMDRTN_ERROR;
    }
    printf("There are %u total types:\n", (unsigned)n);
    if (n > 0) {
        printf("%15s   Number of living nodes\n", "Type name");
        printf("%15s   ----------------------\n", "---------");
    }
    for (size_t k = 0; k < n; k++) {
        struct typeinfo *ti = &tl->typeinfo[k];
        ti->type_name[sizeof(ti->type_name) - 1] = '\0';
        printf("%15s   %5u\n", ti->type_name, (unsigned)ti->numnodes);
    }
    free(resp);
    return CMDRTN_OK;
}

const struct ngctl_cmd ngctl_types_cmd = {
    types_func, "types", "Show information about all installed node types", NULL, {NULL}};
