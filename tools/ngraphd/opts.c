/*
 * ngraphd's command line (docs/ngraphd.md): parsing and checking every
 * option; a bad one is reported on stderr and gives exit status 64.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ngraphd.h"

#ifndef NGRAPHD_VERSION
#define NGRAPHD_VERSION "unknown"
#endif

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ngraphd [-dv] [-f script] [--backend ck_epoch|qsbr|rwlock] [--workers N]\n"
            "               [--cpus LIST] [--item-size BYTES] [--items N] [--socket PATH] [--group "
            "NAME] [--allow-uid UID]...\n"
            "               [--pidfile FILE] [--syslog | --log FILE]\n"
            "       ngraphd --version | --help\n"
            "  -f FILE          run `ngctl -f FILE` once the socket is served\n"
            "  -d               daemonize (logs to syslog unless --log)\n"
            "  -v               verbose (repeat for debug)\n"
            "  --backend NAME   reclamation backend (default ck_epoch)\n"
            "  --workers N      worker threads (default: one per CPU)\n"
            "  --cpus LIST      pin workers to these CPUs, e.g. 0,2-3\n"
            "  --item-size N    data bytes an item holds (default 65536, at most 16 MiB - 64)\n"
            "  --items N        data items alive at once at most (default 65536)\n"
            "  --socket PATH    control socket (default $NGRAPH_SOCKET, %s as root,\n"
            "                   else $XDG_RUNTIME_DIR/%s)\n"
            "  --group NAME     socket directory 0750 of this group; its members may connect\n"
            "  --allow-uid UID  also allow this user (name or number; repeatable)\n"
            "  --pidfile FILE   write the pid once serving; refuse if it names a live process\n"
            "  --syslog         log to syslog (daemon facility)\n"
            "  --log FILE       log to FILE (reopened on SIGHUP)\n",
            NG_CTL_SOCKET_ROOT, NG_CTL_SOCKET_USER);
}

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "ngraphd: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    usage(stderr);
    return NGD_EX_USAGE;
}

/* A decimal number in [0, max]; -EINVAL otherwise. */
static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return -EINVAL;
    *out = v;
    return 0;
}

/* "0,2-3,7": appended to o->cpus.  -EINVAL on bad syntax or too many. */
static int parse_cpus(const char *list, struct ngd_opts *o)
{
    const char *p = list;
    o->ncpus = 0;
    while (*p != '\0') {
        char *end;
        if (*p < '0' || *p > '9')
            return -EINVAL;
        unsigned long lo = strtoul(p, &end, 10), hi = lo;
        if (*end == '-') {
            p = end + 1;
            if (*p < '0' || *p > '9')
                return -EINVAL;
            hi = strtoul(p, &end, 10);
        }
        if (lo > hi || hi >= NGD_MAX_CPUS || hi - lo + o->ncpus >= NGD_MAX_CPUS)
            return -EINVAL;
        for (unsigned long c = lo; c <= hi; c++)
            o->cpus[o->ncpus++] = (int)c;
        if (*end == ',' && end[1] != '\0')
            end++;
        else if (*end != '\0')
            return -EINVAL;
        p = end;
    }
    return o->ncpus > 0 ? 0 : -EINVAL;
}

static int set_str(char **dst, const char *src)
{
    free(*dst);
    *dst = strdup(src);
    return *dst ? 0 : -ENOMEM;
}

enum {
    O_BACKEND = 256,
    O_WORKERS,
    O_ITEM_SIZE,
    O_ITEMS,
    O_CPUS,
    O_SOCKET,
    O_GROUP,
    O_UID,
    O_PIDFILE,
    O_SYSLOG,
    O_LOG,
    O_VERSION
};

static const struct option longopts[] = {
    {"backend", required_argument, NULL, O_BACKEND},
    {"workers", required_argument, NULL, O_WORKERS},
    {"cpus", required_argument, NULL, O_CPUS},
    {"item-size", required_argument, NULL, O_ITEM_SIZE},
    {"items", required_argument, NULL, O_ITEMS},
    {"socket", required_argument, NULL, O_SOCKET},
    {"group", required_argument, NULL, O_GROUP},
    {"allow-uid", required_argument, NULL, O_UID},
    {"pidfile", required_argument, NULL, O_PIDFILE},
    {"syslog", no_argument, NULL, O_SYSLOG},
    {"log", required_argument, NULL, O_LOG},
    {"version", no_argument, NULL, O_VERSION},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_one(int ch, const char *arg, struct ngd_opts *o)
{
    unsigned long v;
    switch (ch) {
    case 'd':
        o->daemonize = 1;
        return 0;
    case 'v':
        o->verbose++;
        return 0;
    case 'f':
        if (*arg == '\0')
            return bad("-f: empty file name%s", "");
        return set_str(&o->script, arg) ? NGD_EX_OSERR : 0;
    case O_BACKEND:
        if (ng_backend_parse(arg, &o->backend) != 0)
            return bad("--backend: unknown backend '%s' (ck_epoch, qsbr, rwlock)", arg);
        return 0;
    case O_WORKERS:
        if (parse_uint(arg, 4096, &v) != 0 || v == 0)
            return bad("--workers: '%s' is not a number from 1 to 4096", arg);
        o->workers = (unsigned)v;
        return 0;
    case O_ITEM_SIZE:
        if (parse_uint(arg, (16u << 20) - NGD_ITEM_HEADROOM, &v) != 0 || v == 0)
            return bad("--item-size: '%s' is not a number from 1 to 16777152", arg);
        o->item_size = (unsigned)v;
        return 0;
    case O_ITEMS:
        if (parse_uint(arg, UINT32_MAX, &v) != 0 || v == 0)
            return bad("--items: '%s' is not a number from 1 to 4294967295", arg);
        o->items = (unsigned)v;
        return 0;
    case O_CPUS:
        if (parse_cpus(arg, o) != 0)
            return bad("--cpus: bad CPU list '%s' (e.g. 0,2-3; CPUs below 1024)", arg);
        return 0;
    case O_SOCKET:
        if (*arg == '\0' || strlen(arg) >= 108)
            return bad("--socket: '%s' is empty or longer than a socket path may be", arg);
        return set_str(&o->socket, arg) ? NGD_EX_OSERR : 0;
    case O_GROUP: {
        struct group *gr = getgrnam(arg);
        if (gr != NULL)
            o->gid = gr->gr_gid;
        else if (parse_uint(arg, UINT_MAX - 1, &v) == 0)
            o->gid = (gid_t)v;
        else
            return bad("--group: no group '%s'", arg);
        return set_str(&o->group, arg) ? NGD_EX_OSERR : 0;
    }
    case O_UID: {
        struct passwd *pw = getpwnam(arg);
        uid_t uid;
        if (pw != NULL)
            uid = pw->pw_uid;
        else if (parse_uint(arg, UINT_MAX - 1, &v) == 0)
            uid = (uid_t)v;
        else
            return bad("--allow-uid: no user '%s'", arg);
        /* root and our own uid take two of the server's NG_CTL_MAX_IDS */
        if (o->nuids >= NG_CTL_MAX_IDS - 2)
            return bad("--allow-uid: at most 14 users (%s is one too many)", arg);
        o->uids[o->nuids++] = uid;
        return 0;
    }
    case O_PIDFILE:
        if (*arg == '\0')
            return bad("--pidfile: empty file name%s", "");
        return set_str(&o->pidfile, arg) ? NGD_EX_OSERR : 0;
    case O_SYSLOG:
        o->use_syslog = 1;
        return 0;
    case O_LOG:
        if (*arg == '\0')
            return bad("--log: empty file name%s", "");
        return set_str(&o->logfile, arg) ? NGD_EX_OSERR : 0;
    default:
        usage(stderr);
        return NGD_EX_USAGE;
    }
}

int ngd_opts_parse(int argc, char **argv, struct ngd_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->backend = NG_BACKEND_CK_EPOCH;
    o->item_size = NGD_ITEM_SIZE;
    o->items = NGD_ITEMS;
    opterr = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "df:vh", longopts, NULL)) != -1) {
        if (ch == 'h') {
            usage(stdout);
            return 1;
        }
        if (ch == O_VERSION) {
            printf("ngraphd (libngraph) %s\n", NGRAPHD_VERSION);
            return 1;
        }
        int rc = parse_one(ch, optarg, o);
        if (rc != 0)
            return rc;
    }
    if (optind < argc)
        return bad("unexpected argument '%s'", argv[optind]);
    if (o->use_syslog && o->logfile != NULL)
        return bad("--syslog and --log %s exclude each other", o->logfile);
    if (o->ncpus > 0 && o->workers == 0)
        o->workers = o->ncpus;
    if (o->socket == NULL) {
        char buf[108];
        int rc = ng_ctl_default_path(buf, sizeof(buf));
        if (rc != 0)
            return bad("no --socket and no default socket path (%s): set NGRAPH_SOCKET or "
                       "XDG_RUNTIME_DIR",
                       strerror(-rc));
        if (set_str(&o->socket, buf) != 0)
            return NGD_EX_OSERR;
    }
    return 0;
}

/* A path relative to the current directory made absolute in place. */
static int absolute(char **p)
{
    if (*p == NULL || (*p)[0] == '/')
        return 0;
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd)) == NULL)
        return -errno;
    size_t n = strlen(cwd) + strlen(*p) + 2;
    char *abs = malloc(n);
    if (abs == NULL)
        return -ENOMEM;
    snprintf(abs, n, "%s/%s", cwd, *p);
    free(*p);
    *p = abs;
    return 0;
}

int ngd_opts_absolute(struct ngd_opts *o)
{
    int rc;
    if ((rc = absolute(&o->socket)) != 0 || (rc = absolute(&o->script)) != 0 ||
        (rc = absolute(&o->pidfile)) != 0 || (rc = absolute(&o->logfile)) != 0)
        return rc;
    return 0;
}

void ngd_opts_free(struct ngd_opts *o)
{
    free(o->socket);
    free(o->group);
    free(o->script);
    free(o->pidfile);
    free(o->logfile);
    memset(o, 0, sizeof(*o));
}
