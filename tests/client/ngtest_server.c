/*
 * ngtest_server.c - the control server the libnetgraph tests talk to:
 *     ngtest_server SOCKET_PATH [WORKERS]
 * creates a graph on the backend named by $NG_BACKEND (default ck_epoch;
 * items of 64 KiB, the largest DATA frame),
 * starts a worker runtime if WORKERS > 0, serves the graph on SOCKET_PATH
 * (ng_ctl_listen), writes "ready\n" to stdout, and runs until SIGTERM or
 * SIGINT or EOF on stdin (the test holds the other end of a pipe, so the
 * server also goes when the test dies).  Then ng_ctl_close() and
 * ng_graph_destroy(); the server's counters go to stderr.  Exit status 0,
 * or 2 for a setup error (printed on stderr).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <ngraph/ngraph.h>
#include <ngraph/runtime.h>
#include <ngraph/server.h>

static int fail(const char *what, int err)
{
    fprintf(stderr, "ngtest_server: %s: %s\n", what, strerror(err < 0 ? -err : err));
    return 2;
}

/* Wait for SIGTERM/SIGINT (on sfd) or EOF/error on stdin. */
static void wait_for_end(int sfd)
{
    for (;;) {
        struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (p[1].revents)
            return;
        if (p[0].revents) {
            char buf[256];
            ssize_t r = read(0, buf, sizeof(buf));
            if (r <= 0 && !(r < 0 && errno == EINTR))
                return;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: ngtest_server SOCKET_PATH [WORKERS]\n");
        return 2;
    }
    unsigned workers = argc == 3 ? (unsigned)strtoul(argv[2], NULL, 10) : 0;
    struct ng_graph_config gcfg;
    ng_graph_config_init(&gcfg);
    /* items large enough for the biggest DATA frame (64 KiB + headroom),
     * and few of them */
    gcfg.item_bufsize = 65536 + 64;
    gcfg.item_headroom = 64;
    gcfg.item_limit = 4096;
    const char *be = getenv("NG_BACKEND");
    if (be && *be && ng_backend_parse(be, &gcfg.backend) < 0)
        return fail("NG_BACKEND", EINVAL);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    /* Blocked before any thread starts, so every thread inherits the mask
     * and the signals are only read from the signalfd. */
    int e = pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (e != 0)
        return fail("sigmask", e);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sfd < 0)
        return fail("signalfd", errno);

    struct ng_graph *g = NULL;
    int err = ng_graph_create(&gcfg, &g);
    if (err < 0)
        return fail("ng_graph_create", err);
    struct ng_runtime *rt = NULL;
    if (workers) {
        struct ng_runtime_config rcfg;
        ng_runtime_config_init(&rcfg);
        rcfg.nworkers = workers;
        rcfg.pin = 0;
        err = ng_runtime_start(g, &rcfg, &rt);
        if (err < 0) {
            ng_graph_destroy(g);
            return fail("ng_runtime_start", err);
        }
    }
    struct ng_ctl_config cfg;
    ng_ctl_config_init(&cfg);
    cfg.path = argv[1];
    struct ng_ctl_server *srv = NULL;
    err = ng_ctl_listen(g, &cfg, &srv);
    if (err < 0) {
        ng_graph_destroy(g);
        return fail("ng_ctl_listen", err);
    }
    fputs("ready\n", stdout);
    fflush(stdout);

    wait_for_end(sfd);

    struct ng_ctl_stats st;
    if (ng_ctl_stats(srv, &st) == 0)
        fprintf(stderr,
                "ngtest_server: accepted %llu refused %llu bad_frames %llu cut_off %llu "
                "requests %llu msgs_out %llu data_out %llu msgs_dropped %llu data_dropped %llu\n",
                (unsigned long long)st.accepted, (unsigned long long)st.refused_cred,
                (unsigned long long)st.bad_frames, (unsigned long long)st.cut_off,
                (unsigned long long)st.requests, (unsigned long long)st.msgs_out,
                (unsigned long long)st.data_out, (unsigned long long)st.msgs_dropped,
                (unsigned long long)st.data_dropped);
    ng_ctl_close(srv);
    if (rt)
        ng_runtime_stop(rt);
    ng_graph_destroy(g);
    close(sfd);
    return 0;
}
