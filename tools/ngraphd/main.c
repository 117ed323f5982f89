/*
 * ngraphd: hosts one libngraph graph (every built-in node type and the
 * "socket" type of the control server), a worker runtime and the control
 * server ng_ctl_listen() on an AF_UNIX socket, for ngctl, nghook and other
 * libnetgraph clients.  docs/ngraphd.md is its manual.
 *
 * Threads: the main thread (this file) and those libngraph starts (workers,
 * timer, the server's).  SIGTERM, SIGINT and SIGHUP are blocked before any
 * of them exists, so every thread inherits the mask and the signals are
 * only ever read from the main thread's signalfd: no work in a handler.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <ngraph/ngraph.h>
#include <ngraph/runtime.h>
#include <ngraph/server.h>

#include "ngraphd.h"

/* The parts of a running ngraphd, in the order they are started. */
struct ngd {
    struct ngd_opts o;
    int sigfd;
    struct ng_graph *g;
    struct ng_runtime *rt;
    struct ng_ctl_server *srv;
};

static int block_signals(struct ngd *d)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
        return -errno;
    d->sigfd = signalfd(-1, &set, SFD_CLOEXEC);
    return d->sigfd < 0 ? -errno : 0;
}

static int start_graph(struct ngd *d)
{
    struct ng_graph_config gc;
    ng_graph_config_init(&gc);
    gc.backend = d->o.backend;
    gc.item_bufsize = d->o.item_size + NGD_ITEM_HEADROOM;
    gc.item_headroom = NGD_ITEM_HEADROOM;
    gc.item_limit = d->o.items;
    int rc = ng_graph_create(&gc, &d->g);
    if (rc != 0) {
        ngd_log(NGD_ERR, "cannot create the graph: %s", strerror(-rc));
        return rc;
    }
    rc = ng_socket_type_register(d->g);
    if (rc != 0) {
        ngd_log(NGD_ERR, "cannot register the socket node type: %s", strerror(-rc));
        return rc;
    }
    struct ng_runtime_config rc_cfg;
    ng_runtime_config_init(&rc_cfg);
    rc_cfg.nworkers = d->o.workers;
    rc_cfg.cpus = d->o.ncpus ? d->o.cpus : NULL;
    rc_cfg.ncpus = d->o.ncpus;
    rc_cfg.pin = d->o.ncpus > 0; /* pinned only when --cpus says where */
    rc = ng_runtime_start(d->g, &rc_cfg, &d->rt);
    if (rc != 0) {
        ngd_log(NGD_ERR, "cannot start the workers: %s", strerror(-rc));
        return rc;
    }
    unsigned n = ng_runtime_nworkers(d->rt);
    for (unsigned i = 0; i < n && d->o.ncpus > 0; i++) {
        int cpu = ng_runtime_pinned(d->rt, i);
        if (cpu < 0)
            ngd_log(NGD_WARN, "worker %u runs unpinned: %s", i, strerror(-cpu));
        else
            ngd_log(NGD_DEBUG, "worker %u pinned to CPU %d", i, cpu);
    }
    return 0;
}

static int start_server(struct ngd *d)
{
    struct ng_ctl_config cc;
    ng_ctl_config_init(&cc);
    cc.path = d->o.socket;
    if (d->o.group != NULL) {
        cc.group_set = 1;
        cc.group = d->o.gid;
        cc.gids[cc.n_gids++] = d->o.gid;
    }
    if (d->o.nuids > 0) {
        /* an explicit list replaces the server's default: keep its members */
        cc.uids[cc.n_uids++] = 0;
        if (geteuid() != 0)
            cc.uids[cc.n_uids++] = geteuid();
        for (unsigned i = 0; i < d->o.nuids; i++)
            cc.uids[cc.n_uids++] = d->o.uids[i];
    }
    int rc = ng_ctl_listen(d->g, &cc, &d->srv);
    if (rc == -EADDRINUSE)
        ngd_log(NGD_ERR, "%s: another server is already listening there", d->o.socket);
    else if (rc != 0)
        ngd_log(NGD_ERR, "cannot listen on %s: %s", d->o.socket, strerror(-rc));
    return rc;
}

/* Stop everything that was started; returns 0 if the final accounting of
 * the graph's items adds up. */
static int shutdown_all(struct ngd *d)
{
    int rc = 0;
    if (d->srv != NULL) {
        struct ng_ctl_stats cs;
        if (ng_ctl_stats(d->srv, &cs) == 0)
            ngd_log(NGD_INFO,
                    "server: %llu connections accepted, %llu refused (credentials), %llu refused "
                    "(limit), %llu requests, %llu messages and %llu data out, %llu messages and "
                    "%llu data dropped, %llu clients connected",
                    (unsigned long long)cs.accepted, (unsigned long long)cs.refused_cred,
                    (unsigned long long)cs.refused_limit, (unsigned long long)cs.requests,
                    (unsigned long long)cs.msgs_out, (unsigned long long)cs.data_out,
                    (unsigned long long)cs.msgs_dropped, (unsigned long long)cs.data_dropped,
                    (unsigned long long)cs.clients_now);
        ng_ctl_close(d->srv); /* clients see EOF */
        d->srv = NULL;
    }
    if (d->rt != NULL) {
        ng_runtime_stop(d->rt);
        d->rt = NULL;
    }
    if (d->g != NULL) {
        struct ng_graph_stats st;
        ng_graph_stats(d->g, &st);
        unsigned long long dropped = 0;
        for (int r = 0; r < NG_DROP_REASONS; r++)
            dropped += st.drops[r];
        unsigned long long freed = st.items_free;
        unsigned long long delivered = freed >= dropped ? freed - dropped : 0;
        ngd_log(NGD_INFO,
                "accounting: %llu items allocated = %llu delivered + %llu dropped (notconn %llu, "
                "dead %llu, nobufs %llu, queue %llu, loop %llu) + %llu live",
                (unsigned long long)st.items_alloc, delivered, dropped,
                (unsigned long long)st.drops[NG_DROP_NOTCONN],
                (unsigned long long)st.drops[NG_DROP_DEAD],
                (unsigned long long)st.drops[NG_DROP_NOBUFS],
                (unsigned long long)st.drops[NG_DROP_QUEUE],
                (unsigned long long)st.drops[NG_DROP_LOOP], (unsigned long long)st.items_live);
        if (st.items_alloc != freed + st.items_live || freed < dropped) {
            ngd_log(NGD_ERR, "accounting does not add up: %llu allocated, %llu freed, %llu live",
                    (unsigned long long)st.items_alloc, freed, (unsigned long long)st.items_live);
            rc = -EPROTO;
        }
        ng_graph_destroy(d->g);
        d->g = NULL;
    }
    return rc;
}

/* The main loop: signals only.  Returns the signal that ends it. */
static int serve(struct ngd *d)
{
    for (;;) {
        struct signalfd_siginfo si;
        ssize_t n = read(d->sigfd, &si, sizeof(si));
        if (n < 0 && errno == EINTR)
            continue;
        if (n != (ssize_t)sizeof(si)) {
            ngd_log(NGD_ERR, "signalfd: %s", n < 0 ? strerror(errno) : "short read");
            return SIGTERM;
        }
        if (si.ssi_signo == SIGHUP) {
            int rc = ngd_log_reopen();
            if (rc > 0)
                ngd_log(NGD_INFO, "SIGHUP: no --log file to reopen");
            else if (rc != 0)
                ngd_log(NGD_ERR, "SIGHUP: cannot reopen the log: %s", strerror(-rc));
            else
                ngd_log(NGD_INFO, "SIGHUP: log reopened");
            continue;
        }
        return (int)si.ssi_signo;
    }
}

static int run(struct ngd *d)
{
    int rc = start_graph(d);
    if (rc == 0)
        rc = start_server(d);
    if (rc == 0 && d->o.script != NULL) {
        rc = ngd_run_script(d->o.socket, d->o.script, ngd_log_fd());
        if (rc == -ECHILD)
            ngd_log(NGD_ERR, "start-up script %s failed: stopping", d->o.script);
        else if (rc != 0)
            ngd_log(NGD_ERR, "cannot run the start-up script: %s", strerror(-rc));
    }
    if (rc == 0 && d->o.pidfile != NULL) {
        rc = ngd_pidfile_write(d->o.pidfile);
        if (rc != 0)
            ngd_log(NGD_ERR, "cannot write %s: %s", d->o.pidfile, strerror(-rc));
    }
    if (rc != 0) {
        shutdown_all(d);
        ngd_daemon_ready(1);
        return 1;
    }
    ngd_log(NGD_INFO, "serving %s: backend %s, %u workers", d->o.socket,
            ng_backend_name(d->o.backend), ng_runtime_nworkers(d->rt));
    ngd_daemon_ready(0);
    int sig = serve(d);
    ngd_log(NGD_INFO, "SIG%s: shutting down", sigabbrev_np(sig));
    rc = shutdown_all(d);
    if (d->o.pidfile != NULL)
        ngd_pidfile_remove(d->o.pidfile);
    ngd_log(rc == 0 ? NGD_INFO : NGD_ERR, "exiting");
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct ngd d = {.sigfd = -1};
    int rc = ngd_opts_parse(argc, argv, &d.o);
    if (rc != 0) {
        ngd_opts_free(&d.o);
        return rc == 1 ? 0 : rc;
    }
    signal(SIGPIPE, SIG_IGN);
    if (d.o.daemonize && (rc = ngd_opts_absolute(&d.o)) != 0) {
        fprintf(stderr, "ngraphd: cannot make the paths absolute: %s\n", strerror(-rc));
        ngd_opts_free(&d.o);
        return 1;
    }
    if (d.o.pidfile != NULL) {
        pid_t other = 0;
        rc = ngd_pidfile_check(d.o.pidfile, &other);
        if (rc == -EEXIST)
            fprintf(stderr, "ngraphd: %s: ngraphd (pid %ld) is running\n", d.o.pidfile,
                    (long)other);
        else if (rc != 0)
            fprintf(stderr, "ngraphd: %s: %s\n", d.o.pidfile, strerror(-rc));
        if (rc != 0) {
            ngd_opts_free(&d.o);
            return 1;
        }
    }
    rc = ngd_log_open(d.o.use_syslog || (d.o.daemonize && d.o.logfile == NULL), d.o.logfile,
                      d.o.verbose);
    if (rc != 0) {
        fprintf(stderr, "ngraphd: %s: %s\n", d.o.logfile, strerror(-rc));
        ngd_opts_free(&d.o);
        return 1;
    }
    if (d.o.daemonize && (rc = ngd_daemonize()) != 0) {
        ngd_log(NGD_ERR, "cannot daemonize: %s", strerror(-rc));
        ngd_log_close();
        ngd_opts_free(&d.o);
        return 1;
    }
    if ((rc = block_signals(&d)) != 0) {
        ngd_log(NGD_ERR, "cannot set up signals: %s", strerror(-rc));
        ngd_daemon_ready(1);
        rc = 1;
    } else {
        rc = run(&d);
    }
    if (d.sigfd >= 0)
        close(d.sigfd);
    ngd_log_close();
    ngd_opts_free(&d.o);
    return rc;
}
