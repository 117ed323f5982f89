/*
 * control.c - the control socket scenario: what driving a graph from
 * another process costs (issue #11).
 *
 * In this process: a graph served by ng_ctl_listen() on a socket in a
 * temporary directory, and libnetgraph clients (<netgraph.h>) on their own
 * threads, exactly as ngctl and nghook talk to ngraphd.  Measured:
 *   round trip   NgSendMsg(NODEINFO to ".") until NgRecvMsg() has its
 *                response, p50 and p99 over --ctl-msgs messages;
 *   floor        a plain AF_UNIX SOCK_SEQPACKET ping-pong of a record of the
 *                same size between two threads of this process, the same
 *                number of times: the transport's own round trip;
 *   clients      messages per second with 1, 8 and 64 clients at once (one
 *                thread and one socket node each, NODEINFO round trips for a
 *                fixed time); every response counted against its request:
 *                a lost message is reported;
 *   data         items per second through the socket node's data channel
 *                (NgSendData out of a hook to an echo node, NgRecvData of the
 *                echo) against the plain ping-pong of the same payload.
 * Round trip and floor run alternately in reps (ABAB, same weather), each
 * rep flagged by the contention probe; ratios are per rep, then medians.
 * A benchmark, not a test: targets.c judges the figures.
 */
#include "ngbench.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netgraph.h>
#include <ngraph/server.h>

#define CTL_REPS 5
#define CTL_NCLI 3
static const int ctl_clients[CTL_NCLI] = {1, 8, 64};
#define DATA_LEN 64

/* ------------------------------------------------------------------------ */
/* The floor: a plain SEQPACKET ping-pong                                   */
/* ------------------------------------------------------------------------ */

static void *echo_main(void *arg)
{
    int fd = *(int *)arg;
    char buf[4096];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0 || send(fd, buf, (size_t)n, 0) != n)
            return NULL;
    }
}

/* n round trips of `len`-byte records; latencies (ns) into lat[] if not
 * NULL; returns the wall time in ns, 0 on failure. */
static uint64_t pingpong(unsigned n, size_t len, uint32_t *lat)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0)
        return 0;
    pthread_t t;
    if (pthread_create(&t, NULL, echo_main, &sv[1]) != 0) {
        close(sv[0]);
        close(sv[1]);
        return 0;
    }
    char buf[4096] = {0};
    uint64_t start = ngb_now_ns(), ok = 1;
    for (unsigned i = 0; i < n && ok; i++) {
        uint64_t t0 = ngb_now_ns();
        ok = send(sv[0], buf, len, 0) == (ssize_t)len && recv(sv[0], buf, sizeof(buf), 0) > 0;
        if (lat)
            lat[i] = (uint32_t)(ngb_now_ns() - t0);
    }
    uint64_t wall = ngb_now_ns() - start;
    shutdown(sv[0], SHUT_RDWR);
    pthread_join(t, NULL);
    close(sv[0]);
    close(sv[1]);
    return ok ? wall : 0;
}

/* ------------------------------------------------------------------------ */
/* libnetgraph clients                                                      */
/* ------------------------------------------------------------------------ */

/* One NODEINFO round trip on cs; 0 or -1. */
static int nodeinfo_rt(int cs, uint64_t *lost)
{
    union {
        struct ng_mesg m;
        char buf[sizeof(struct ng_mesg) + sizeof(struct nodeinfo) + 64];
    } u;
    int tok = NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0);
    if (tok < 0)
        return -1;
    if (NgRecvMsg(cs, &u.m, sizeof(u), NULL) < 0)
        return -1;
    if ((int)u.m.header.token != tok)
        (*lost)++;
    return 0;
}

struct cli {
    pthread_t tid;
    pthread_barrier_t *bar;
    _Atomic int *stop;
    uint64_t sent, recvd, lost, errors;
};

static void *cli_main(void *arg)
{
    struct cli *c = arg;
    int cs = -1;
    if (NgMkSockNode(NULL, &cs, NULL) != 0)
        c->errors++;
    pthread_barrier_wait(c->bar);
    while (cs >= 0 && !atomic_load_explicit(c->stop, memory_order_relaxed)) {
        c->sent++;
        if (nodeinfo_rt(cs, &c->lost) != 0) {
            c->errors++;
            break;
        }
        c->recvd++;
    }
    if (cs >= 0)
        close(cs);
    return NULL;
}

/* k clients for `seconds`; messages per second (0 on failure). */
static double clients_run(int k, double seconds, struct ngb_ctl_res *r, int slot)
{
    struct cli *c = calloc((size_t)k, sizeof(*c));
    if (!c)
        return 0;
    pthread_barrier_t bar;
    _Atomic int stop = 0;
    pthread_barrier_init(&bar, NULL, (unsigned)k + 1);
    int made = 0;
    for (; made < k; made++) {
        c[made].bar = &bar;
        c[made].stop = &stop;
        if (pthread_create(&c[made].tid, NULL, cli_main, &c[made]) != 0)
            break;
    }
    if (made < k) { /* cannot happen short of thread exhaustion: release the others */
        r->errors[slot]++;
        atomic_store(&stop, 1);
        for (int i = made; i < k; i++)
            pthread_barrier_wait(&bar);
    }
    pthread_barrier_wait(&bar);
    uint64_t t0 = ngb_now_ns();
    ngb_sleep_until(t0 + (uint64_t)(seconds * 1e9));
    atomic_store(&stop, 1);
    for (int i = 0; i < made; i++)
        pthread_join(c[i].tid, NULL);
    double wall = (double)(ngb_now_ns() - t0) / 1e9;
    for (int i = 0; i < made; i++) {
        r->sent[slot] += c[i].sent;
        r->recvd[slot] += c[i].recvd;
        r->lost[slot] += c[i].lost + (c[i].sent - c[i].recvd);
        r->errors[slot] += c[i].errors;
    }
    pthread_barrier_destroy(&bar);
    free(c);
    return wall > 0 ? (double)r->recvd[slot] / wall : 0;
}

/* Items per second through the data channel: n NgSendData/NgRecvData round
 * trips through an echo node; 0 on failure. */
static double data_run(unsigned n)
{
    int cs, ds;
    if (NgMkSockNode(NULL, &cs, &ds) != 0)
        return 0;
    struct ngm_mkpeer mp;
    memset(&mp, 0, sizeof(mp));
    snprintf(mp.type, sizeof(mp.type), "echo");
    snprintf(mp.ourhook, sizeof(mp.ourhook), "h");
    snprintf(mp.peerhook, sizeof(mp.peerhook), "x");
    double ips = 0;
    if (NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, NGM_MKPEER, &mp, sizeof(mp)) >= 0) {
        unsigned char buf[DATA_LEN + 64] = {0};
        char hook[NG_HOOKSIZ];
        uint64_t t0 = ngb_now_ns();
        unsigned i = 0;
        for (; i < n; i++)
            if (NgSendData(ds, "h", buf, DATA_LEN) != 0 ||
                NgRecvData(ds, buf, sizeof(buf), hook) != DATA_LEN)
                break;
        if (i == n)
            ips = n / ((double)(ngb_now_ns() - t0) / 1e9);
    }
    close(ds);
    close(cs);
    return ips;
}

/* ------------------------------------------------------------------------ */
/* The scenario                                                             */
/* ------------------------------------------------------------------------ */

static unsigned ctl_msgs(const struct ngb_opts *o)
{
    if (!strcmp(o->suite, "smoke"))
        return 500;
    if (!strcmp(o->suite, "quick"))
        return 20000;
    if (!strcmp(o->suite, "full"))
        return 200000;
    return 100000;
}

static double median(double *v, int n) { return ngb_stat_of(v, n).med; }

/* Round trips and floor in CTL_REPS alternating reps of n / CTL_REPS. */
static void latency_reps(struct ngb_ctl_res *r, unsigned n)
{
    unsigned per = n / CTL_REPS ? n / CTL_REPS : 1;
    uint32_t *lat = malloc(per * sizeof(*lat));
    int cs;
    if (!lat || NgMkSockNode(NULL, &cs, NULL) != 0) {
        snprintf(r->why, sizeof(r->why), "NgMkSockNode: %s", strerror(errno));
        free(lat);
        return;
    }
    /* The record ngctl's NODEINFO request is: frame header + "." + message. */
    size_t len = 20 + 2 + sizeof(struct ng_mesg);
    double pp50[CTL_REPS], pp99[CTL_REPS], rt50[CTL_REPS], rt99[CTL_REPS], ratio[CTL_REPS];
    double best = 0;
    for (int rep = 0; rep < CTL_REPS; rep++) {
        r->probe[rep] = ngb_probe(300000);
        best = r->probe[rep] > best ? r->probe[rep] : best;
        double x;
        if (!pingpong(per, len, lat)) {
            snprintf(r->why, sizeof(r->why), "socketpair ping-pong failed");
            break;
        }
        ngb_percentiles(lat, per, &pp50[rep], &pp99[rep], &x);
        uint64_t lost = 0;
        unsigned i = 0;
        for (; i < per; i++) {
            uint64_t t0 = ngb_now_ns();
            if (nodeinfo_rt(cs, &lost) != 0)
                break;
            lat[i] = (uint32_t)(ngb_now_ns() - t0);
        }
        if (i < per || lost) {
            snprintf(r->why, sizeof(r->why), "NODEINFO round trip failed: %s", strerror(errno));
            break;
        }
        ngb_percentiles(lat, per, &rt50[rep], &rt99[rep], &x);
        ratio[rep] = rt50[rep] / pp50[rep];
        r->reps = rep + 1;
    }
    close(cs);
    free(lat);
    if (r->reps < CTL_REPS)
        return;
    for (int rep = 0; rep < CTL_REPS; rep++)
        r->contended += r->probe[rep] < NGB_QUIET * best;
    r->n_rt = per * CTL_REPS;
    r->pp_p50 = median(pp50, CTL_REPS) / 1e3;
    r->pp_p99 = median(pp99, CTL_REPS) / 1e3;
    r->rt_p50 = median(rt50, CTL_REPS) / 1e3;
    r->rt_p99 = median(rt99, CTL_REPS) / 1e3;
    r->ratio_p50 = median(ratio, CTL_REPS);
    r->ok_latency = true;
}

void ngb_control_run(const struct ngb_opts *o, struct ngb_suite *s)
{
    struct ngb_ctl_res *r = &s->ctl;
    memset(r, 0, sizeof(*r));
    if (!o->scen[S_CONTROL])
        return;
    r->ran = true;
    char dir[] = "/tmp/ngbench-ctl.XXXXXX", path[sizeof(dir) + 16];
    struct ng_graph_config gc;
    ng_graph_config_init(&gc);
    struct ng_graph *g = NULL;
    struct ng_ctl_server *srv = NULL;
    if (!mkdtemp(dir) || ng_graph_create(&gc, &g) != 0) {
        snprintf(r->why, sizeof(r->why), "no temporary directory or graph");
        return;
    }
    snprintf(path, sizeof(path), "%s/ngraph.sock", dir);
    struct ng_ctl_config cc;
    ng_ctl_config_init(&cc);
    cc.path = path;
    int rc = ng_ctl_listen(g, &cc, &srv);
    if (rc != 0) {
        snprintf(r->why, sizeof(r->why), "ng_ctl_listen: %s", strerror(-rc));
    } else {
        NgSetSocketPath(path);
        unsigned n = ctl_msgs(o);
        fprintf(stderr, "[control] %u round trips, floor alternating ...\n", n);
        latency_reps(r, n);
        double secs = !strcmp(o->suite, "smoke") ? 0.05 : 0.6;
        for (int k = 0; k < CTL_NCLI; k++) {
            fprintf(stderr, "[control] %d clients ...\n", ctl_clients[k]);
            r->nclients[k] = ctl_clients[k];
            r->mps[k] = clients_run(ctl_clients[k], secs, r, k);
        }
        unsigned nd = n / 5 ? n / 5 : 1;
        fprintf(stderr, "[control] data channel, %u items ...\n", nd);
        uint64_t wall = pingpong(nd, DATA_LEN + 20 + 2, NULL);
        r->data_pp_ips = wall ? nd / ((double)wall / 1e9) : 0;
        r->data_ips = data_run(nd);
        r->data_ratio = r->data_pp_ips > 0 ? r->data_ips / r->data_pp_ips : NAN;
        NgSetSocketPath(NULL);
        ng_ctl_stats(srv, &r->srv);
        ng_ctl_close(srv);
    }
    ng_graph_destroy(g);
    rmdir(dir);
}

void ngb_control_report(const struct ngb_suite *s)
{
    const struct ngb_ctl_res *r = &s->ctl;
    if (!r->ran)
        return;
    printf("\n== control socket: ng_ctl_listen + libnetgraph clients in this process "
           "(ck_epoch) ==\n");
    printf("(CPU: %s)\n", s->cpu);
    if (r->why[0])
        printf("failed: %s\n", r->why);
    if (r->ok_latency) {
        printf("round trip NODEINFO (NgSendMsg -> NgRecvMsg): p50 %.1f us  p99 %.1f us  "
               "(%u messages, %d reps, %d contended)\n",
               r->rt_p50, r->rt_p99, r->n_rt, r->reps, r->contended);
        printf("floor: SEQPACKET ping-pong, same record size:  p50 %.1f us  p99 %.1f us\n",
               r->pp_p50, r->pp_p99);
        printf("round trip / floor (p50, median of per-rep ratios): %.2fx\n", r->ratio_p50);
    }
    for (int k = 0; k < CTL_NCLI; k++)
        if (r->nclients[k])
            printf("%3d clients: %9.0f messages/s  sent %llu answered %llu lost %llu "
                   "errors %llu\n",
                   r->nclients[k], r->mps[k], (unsigned long long)r->sent[k],
                   (unsigned long long)r->recvd[k], (unsigned long long)r->lost[k],
                   (unsigned long long)r->errors[k]);
    printf("data channel (NgSendData -> echo -> NgRecvData, %d B): %.0f items/s; "
           "ping-pong floor %.0f items/s (%.2fx)\n",
           DATA_LEN, r->data_ips, r->data_pp_ips, r->data_ratio);
    printf("server: %llu requests, %llu messages and %llu data items to clients, %llu + %llu "
           "dropped\n",
           (unsigned long long)r->srv.requests, (unsigned long long)r->srv.msgs_out,
           (unsigned long long)r->srv.data_out, (unsigned long long)r->srv.msgs_dropped,
           (unsigned long long)r->srv.data_dropped);
}

int ngb_control_failures(const struct ngb_suite *s)
{
    const struct ngb_ctl_res *r = &s->ctl;
    if (!r->ran)
        return 0;
    int f = r->why[0] != 0;
    for (int k = 0; k < CTL_NCLI; k++)
        f += r->errors[k] != 0 || r->lost[k] != 0;
    return f;
}
