/*
 * graph.c - ngctl's commands that change the graph: mkpeer, connect, name,
 * rmhook and shutdown (NGM_MKPEER, NGM_CONNECT, NGM_NAME, NGM_RMHOOK,
 * NGM_SHUTDOWN to the node at a path; the node's error is the command's).
 */
#include <err.h>
#include <string.h>

#include "ngctl.h"

/* Copy a name argument into its fixed-size field; a name that does not
 * fit is an error (FreeBSD's ngctl truncates it silently). */
static int put_field(char *dst, size_t size, const char *src, const char *what)
{
    size_t len = strlen(src);
    if (len >= size) {
        warnx("%s \"%s\" is too long (at most %zu characters)", what, src, size - 1);
        return -1;
    }
    memcpy(dst, src, len + 1);
    return 0;
}

static int send_generic(const char *path, int cmd, const void *arg, size_t len, const char *what)
{
    if (NgSendMsg(ngctl_csock, path, NGM_GENERIC_COOKIE, cmd, arg, len) < 0) {
        warn("%s", what);
        return CMDRTN_ERROR;
    }
    return CMDRTN_OK;
}

static int mkpeer_func(int ac, char **av)
{
    struct ngm_mkpeer mkp;
    const char *path = ".";
    memset(&mkp, 0, sizeof(mkp));
    switch (ac) {
    case 5:
        path = av[1];
        av++;
        /* FALLTHROUGH */
    case 4:
        if (put_field(mkp.type, sizeof(mkp.type), av[1], "type") < 0 ||
            put_field(mkp.ourhook, sizeof(mkp.ourhook), av[2], "hook") < 0 ||
            put_field(mkp.peerhook, sizeof(mkp.peerhook), av[3], "hook") < 0)
            return CMDRTN_ERROR;
        break;
    default:
        return CMDRTN_USAGE;
    }
    return send_generic(path, NGM_MKPEER, &mkp, sizeof(mkp), "send msg");
}

const struct ngctl_cmd ngctl_mkpeer_cmd = {
    mkpeer_func,
    "mkpeer [path] <type> <hook> <peerhook>",
    "Create and connect a new node to the node at \"path\"",
    "The mkpeer command atomically creates a new node of type \"type\""
    " and connects it to the node at \"path\". The hooks used for the"
    " connection are \"hook\" on the original node and \"peerhook\""
    " on the new node."
    " If \"path\" is omitted then \".\" is assumed.",
    {NULL}};

static int connect_func(int ac, char **av)
{
    struct ngm_connect con;
    const char *path = ".";
    memset(&con, 0, sizeof(con));
    switch (ac) {
    case 5:
        path = av[1];
        av++;
        /* FALLTHROUGH */
    case 4:
        if (put_field(con.path, sizeof(con.path), av[1], "path") < 0 ||
            put_field(con.ourhook, sizeof(con.ourhook), av[2], "hook") < 0 ||
            put_field(con.peerhook, sizeof(con.peerhook), av[3], "hook") < 0)
            return CMDRTN_ERROR;
        break;
    default:
        return CMDRTN_USAGE;
    }
    return send_generic(path, NGM_CONNECT, &con, sizeof(con), "send msg");
}

const struct ngctl_cmd ngctl_connect_cmd = {
    connect_func,
    "connect [path] <relpath> <hook> <peerhook>",
    "Connects hook <peerhook> of the node at <relpath> to <hook>",
    "The connect command creates a link between the two nodes at"
    " \"path\" and \"relpath\" using hooks \"hook\" and \"peerhook\","
    " respectively. The \"relpath\", if not absolute, is specified"
    " relative to the node at \"path\"."
    " If \"path\" is omitted then \".\" is assumed.",
    {"join"}};

static int name_func(int ac, char **av)
{
    struct ngm_name name;
    memset(&name, 0, sizeof(name));
    if (ac != 3)
        return CMDRTN_USAGE;
    if (put_field(name.name, sizeof(name.name), av[2], "name") < 0)
        return CMDRTN_ERROR;
    return send_generic(av[1], NGM_NAME, &name, sizeof(name), "send msg");
}

const struct ngctl_cmd ngctl_name_cmd = {
    name_func, "name <path> <name>", "Assign name <name> to the node at <path>", NULL, {NULL}};

static int rmhook_func(int ac, char **av)
{
    struct ngm_rmhook rmh;
    const char *path = ".";
    memset(&rmh, 0, sizeof(rmh));
    switch (ac) {
    case 3:
        path = av[1];
        av++;
        /* FALLTHROUGH */
    case 2:
        if (put_field(rmh.ourhook, sizeof(rmh.ourhook), av[1], "hook") < 0)
            return CMDRTN_ERROR;
        break;
    default:
        return CMDRTN_USAGE;
    }
    return send_generic(path, NGM_RMHOOK, &rmh, sizeof(rmh), "send msg");
}

const struct ngctl_cmd ngctl_rmhook_cmd = {
    rmhook_func,
    "rmhook [path] <hook>",
    "Disconnect hook \"hook\" of the node at \"path\"",
    "The rmhook command forces the node at \"path\" to break the link"
    " formed by its hook \"hook\", if connected."
    " If \"path\" is omitted then \".\" is assumed.",
    {"disconnect"}};

static int shutdown_func(int ac, char **av)
{
    if (ac != 2)
        return CMDRTN_USAGE;
    return send_generic(av[1], NGM_SHUTDOWN, NULL, 0, "shutdown");
}

const struct ngctl_cmd ngctl_shutdown_cmd = {
    shutdown_func, "shutdown <path>", "Shutdown the node at <path>", NULL, {"kill", "rmnode"}};
