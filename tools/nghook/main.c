/*
 * nghook: connect a hook of a node to stdin/stdout (FreeBSD's nghook(8);
 * docs/nghook.md is its manual).  A libnetgraph client: it makes a socket
 * node, connects the node's hook "hook" to path's hookname (default
 * "debug"), sends the -m messages to path and relays data (relay.c); with
 * -e it runs a program whose stdin and stdout are a socketpair relayed to
 * the hook.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netgraph.h>

#include "nghook.h"

#define NGH_DEFAULT_PEERHOOK "debug"
#define NGH_MAX_MSGS 64

struct ngh_opts {
    int ascii, loop, noinput, exec, out_stdin, in_stdout;
    const char *msgs[NGH_MAX_MSGS];
    unsigned nmsgs;
    const char *path, *peerhook;
    char **prog; /* -e: argv of the program */
};

static int usage(const char *why)
{
    if (why != NULL)
        fprintf(stderr, "nghook: %s\n", why);
    fprintf(stderr,
            "usage: nghook [-adlnsS] [--socket PATH] [-m msg]... path [hookname]\n"
            "   or: nghook -e [-dn] [--socket PATH] [-m msg]... path hookname prog [args...]\n");
    return NGH_EX_USAGE;
}

static int parse(int argc, char **argv, struct ngh_opts *o)
{
    static const struct option longopts[] = {{"socket", required_argument, NULL, 'P'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int ch;
    /* '+': stop at the first operand, so that -e's program keeps its options */
    while ((ch = getopt_long(argc, argv, "+adelm:nsSh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'a':
            o->ascii = 1;
            break;
        case 'd':
            NgSetDebug(NgSetDebug(-1) + 1);
            break;
        case 'e':
            o->exec = 1;
            break;
        case 'l':
            o->loop = 1;
            break;
        case 'n':
            o->noinput = 1;
            break;
        case 's':
            o->out_stdin = 1;
            break;
        case 'S':
            o->in_stdout = 1;
            break;
        case 'm':
            if (o->nmsgs == NGH_MAX_MSGS)
                return usage("too many -m messages (at most 64)");
            o->msgs[o->nmsgs++] = optarg;
            break;
        case 'P':
            if (NgSetSocketPath(optarg) != 0)
                return usage("--socket: path too long");
            break;
        case 'h':
            usage(NULL);
            return -1;
        default:
            return usage(NULL);
        }
    }
    argc -= optind;
    argv += optind;
    if (o->exec) {
        if (o->ascii || o->loop || o->out_stdin || o->in_stdout)
            return usage("conflicting options: -e excludes -a, -l, -s and -S");
        if (argc < 3)
            return usage("-e needs path, hookname and a program");
        o->prog = argv + 2;
    } else if (argc < 1 || argc > 2) {
        return usage(argc < 1 ? "no path given" : "too many arguments");
    }
    o->path = argv[0];
    o->peerhook = argc >= 2 ? argv[1] : NGH_DEFAULT_PEERHOOK;
    if (*o->path == '\0' || strlen(o->path) >= NG_PATHSIZ)
        return usage("path empty or too long");
    if (*o->peerhook == '\0' || strlen(o->peerhook) >= NG_HOOKSIZ)
        return usage("hookname empty or too long");
    return 0;
}

/* Make the socket node, connect it and send the -m messages. */
static int connect_node(const struct ngh_opts *o, int *cs, int *ds)
{
    if (NgMkSockNode(NULL, cs, ds) < 0) {
        fprintf(stderr, "nghook: can't get sockets: %s\n", strerror(errno));
        return NGH_EX_OSERR;
    }
    struct ngm_connect c;
    memset(&c, 0, sizeof(c));
    snprintf(c.path, sizeof(c.path), "%s", o->path);
    snprintf(c.ourhook, sizeof(c.ourhook), "%s", NGH_HOOK);
    snprintf(c.peerhook, sizeof(c.peerhook), "%s", o->peerhook);
    if (NgSendMsg(*cs, ".", NGM_GENERIC_COOKIE, NGM_CONNECT, &c, sizeof(c)) < 0) {
        fprintf(stderr, "nghook: can't connect to %s hook %s: %s\n", o->path, o->peerhook,
                strerror(errno));
        return NGH_EX_OSERR;
    }
    for (unsigned i = 0; i < o->nmsgs; i++) {
        if (NgSendAsciiMsg(*cs, o->path, "%s", o->msgs[i]) < 0) {
            fprintf(stderr, "nghook: sending message '%s': %s\n", o->msgs[i], strerror(errno));
            return NGH_EX_OSERR;
        }
    }
    return 0;
}

/* -e: run the program on one end of a socketpair, relay the other. */
static int run_prog(const struct ngh_opts *o, int cs, int ds)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        fprintf(stderr, "nghook: socketpair: %s\n", strerror(errno));
        return NGH_EX_OSERR;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "nghook: fork: %s\n", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return NGH_EX_OSERR;
    }
    if (pid == 0) {
        int in = o->noinput ? open("/dev/null", O_RDONLY) : sv[1];
        if (in < 0 || dup2(in, 0) < 0 || dup2(sv[1], 1) < 0) {
            fprintf(stderr, "nghook: setting up %s's stdin/stdout: %s\n", o->prog[0],
                    strerror(errno));
            _exit(NGH_EX_OSERR);
        }
        execvp(o->prog[0], o->prog);
        fprintf(stderr, "nghook: %s: %s\n", o->prog[0], strerror(errno));
        _exit(127);
    }
    close(sv[1]);
    struct ngh_relay r = {
        .cs = cs, .ds = ds, .infd = sv[0], .outfd = o->noinput ? -1 : sv[0], .seqpacket = 1};
    int rc = ngh_relay(&r);
    close(sv[0]);
    if (rc != 0)
        kill(pid, SIGTERM); /* the node went away: the program has nothing to do */
    int st;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "nghook: waitpid: %s\n", strerror(errno));
            return NGH_EX_OSERR;
        }
    }
    if (rc != 0)
        return rc;
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    fprintf(stderr, "nghook: %s killed by signal %d\n", o->prog[0], WTERMSIG(st));
    return 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
    struct ngh_opts o;
    memset(&o, 0, sizeof(o));
    int rc = parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    int cs = -1, ds = -1;
    rc = connect_node(&o, &cs, &ds);
    if (rc == 0 && o.exec) {
        rc = run_prog(&o, cs, ds);
    } else if (rc == 0) {
        struct ngh_relay r = {.cs = cs,
                              .ds = ds,
                              .infd = o.noinput ? -1 : (o.in_stdout ? 1 : 0),
                              .outfd = o.out_stdin ? 0 : 1,
                              .ascii = o.ascii,
                              .loop = o.loop};
        rc = ngh_relay(&r);
    }
    if (cs >= 0)
        close(cs);
    if (ds >= 0)
        close(ds);
    return rc;
}
