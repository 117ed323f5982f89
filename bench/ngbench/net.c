/*
 * net.c - the network scenario (issue #13, "Performance"): frames per
 * second through real veth pairs, side by side in one run.
 *
 * Topology, made by the bench and torn down at the end (also on failure,
 * exit and SIGINT/SIGTERM/SIGHUP): three network namespaces ngb-<pid>-g
 * (generator), ngb-<pid>-d (device under test) and ngb-<pid>-s (sink),
 *
 *     g: g0 <-veth-> d0 :d: d1 <-veth-> s0 :s        t0 (g) <-veth-> t1 (s)
 *
 * g0/d0/d1/s0 carry no address (the DUT forwards Ethernet frames); t0/t1
 * carry 192.0.2.1/24 and 192.0.2.2/24 (MTU 1600, static neighbours) for the
 * UDP tunnel rows.  IPv6 is off in the three namespaces.
 *
 * Frames: IPv4/UDP, 192.0.2.1 -> 198.51.100.2, 64 flows (source ports), of
 * 64 or 1500 bytes (Ethernet header included, no FCS), from 02:00:00:00:0b:01
 * to 02:00:00:00:0b:02, an address the sink announces once per row (a
 * broadcast from s0) so that both bridges know it is behind d1.
 *
 * Generator: one thread in g, pinned to the last CPU, sendmmsg() of 64
 * frames per call on an AF_PACKET socket with PACKET_QDISC_BYPASS, for a
 * bounded time and count.  Sink: one thread in s, on the same CPU, with a
 * TPACKET_V3 ring on s0 that it hands back to the kernel; frames delivered
 * are the kernel's count for that socket (PACKET_STATISTICS: every frame
 * that reached it, ring full or not), read at the start and the end of the
 * measured window.  Offered = what the generator's calls accepted in the
 * same window.
 *
 * DUT rows, each with W = 1 and 2 DUT CPUs (0..W-1):
 *   ether     a graph with a runtime of W workers pinned to CPUs 0..W-1:
 *             ether (d0, rings=W: PACKET_FANOUT) -> bridge -> ether (d1),
 *             promiscuous, autosrc off; when a worker shares the
 *             generator's CPU (W=2 here), the runtime's spin is 1 (a
 *             worker on a busy CPU yields at once instead of polling 64
 *             times: measured 0.49-0.50 vs 0.55-0.57 Mfps at W=2, 64-byte
 *             frames, 2026-12-03);
 *   kbridge   the Linux bridge in d with d0 and d1 as ports;
 *   afp       W threads on CPUs 0..W-1, each a TPACKET_V3 ring on d0 (one
 *             fanout group) whose frames it sends out of d1 with sendmmsg
 *             straight from the ring (the transport's floor: one copy fewer
 *             than the ether node, no graph);
 *   gen       nothing forwards: the generator's own ceiling.
 * Same cores: a veth hands a frame to its peer on the sending CPU, so the
 * kernel bridge would otherwise forward inside the generator's send calls,
 * on the generator's CPU.  Receive packet steering on d0 (rps_cpus = the
 * DUT's CPUs, every row) moves d0's receive processing - the kernel
 * bridge's forwarding, the copies into the ether node's and the loop's
 * rings - onto the DUT's CPUs; the DUT's transmit on d1 delivers to s0 (and
 * into the sink's ring) on the DUT's CPU in every row.  With 2 CPUs the W=2
 * rows share CPU 1 with the generator and the sink (reported).
 *
 * Tunnel rows (between g and s over t0/t1, datagrams of 64 or 1500 bytes):
 *   tunnel    graph A in g: a thread injects frames (ng_send_data_burst of
 *             32) into a ksocket inet/dgram/udp connected to 192.0.2.2;
 *             graph B in s (runtime, 1 worker on CPU 0): a ksocket bound to
 *             it hands the datagrams to a counting node;
 *   udp-send  plain sockets: the same sender CPU, send() per datagram (what
 *             the ksocket does), a receiver thread on CPU 0 with recvmmsg(32)
 *             (what the ksocket does);
 *   udp-mmsg  the same with sendmmsg(32): a plain relay at its best.
 *
 * Reps alternate every row (ABBA), each run between two contention probes;
 * medians are over the quiet reps.  Without CAP_NET_ADMIN or without `ip`
 * the scenario prints one "skipped: <reason>" line.
 */
#include "net.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <math.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ngraph/parse.h>

static const char *const kind_names[NK_COUNT] = {
    "generator alone", "ether-bridge-ether", "kernel bridge",    "AF_PACKET loop",
    "tunnel: ksocket", "tunnel: udp send()", "tunnel: udp mmsg",
};

const char *ngb_net_kind_name(int kind)
{
    return kind >= 0 && kind < NK_COUNT ? kind_names[kind] : "?";
}

struct net_ctx {
    struct ngb_net_res *res;
    struct net_sink sink;
    unsigned rps_mask; /* on d0 now; 0 = never set */
    unsigned probe_iters;
    bool verbose; /* -v: the ether nodes' status after each ether run */
};

static bool is_tunnel(int kind) { return kind >= NK_TUN_GRAPH; }

/* Receive packet steering on d0 over the DUT's CPUs (see the header). */
static void set_rps(struct net_ctx *x, int W)
{
    unsigned mask = (1u << W) - 1;
    if (x->rps_mask == mask)
        return;
    int rc = ngb_net_sh("ip netns exec %s sh -c 'echo %x > /sys/class/net/d0/queues/rx-0/rps_cpus'",
                        ngb_ns_name[NS_D], mask);
    /* s0: the sink's receive work on the sink's CPU, in every row, and
     * out of the DUT CPUs' backlog (which d0's frames fill). */
    if (rc == 0 && x->rps_mask == 0)
        rc = ngb_net_sh("ip netns exec %s sh -c 'echo %x > /sys/class/net/s0/queues/rx-0/rps_cpus'",
                        ngb_ns_name[NS_S], 1u << x->res->gen_cpu);
    x->res->rps = rc == 0;
    x->rps_mask = mask;
}

static void ms_sleep(double ms) { ngb_sleep_until(ngb_now_ns() + (uint64_t)(ms * 1e6)); }

/* One rep of row w; the figures go to w's arrays at [rep]. */
static void net_run_one(struct net_ctx *x, struct ngb_net_row *w, int rep)
{
    struct ngb_net_res *res = x->res;
    static struct dut d;
    struct net_run r;
    memset(&d, 0, sizeof(d));
    memset(&r, 0, sizeof(r));
    r.row = w;
    r.gen_cpu = res->gen_cpu;
    r.udp_fd = -1;
    r.deadline = ngb_now_ns() + (uint64_t)((res->warm_s + res->window_s + 2.0) * 1e9);
    r.rate = res->rate;
    int rc = 0;
    if (!is_tunnel(w->kind))
        set_rps(x, w->workers);
    switch (w->kind) {
    case NK_ETHER:
        rc = ngb_dut_ether(&d, w->workers, r.gen_cpu);
        break;
    case NK_KBRIDGE:
        d.bridged = true;
        rc = ngb_net_sh("ip -n %s link set d0 master ngbbr && ip -n %s link set d1 master ngbbr",
                        ngb_ns_name[NS_D], ngb_ns_name[NS_D]) == 0
                 ? 0
                 : -EIO;
        break;
    case NK_AFP:
        rc = ngb_dut_afp(&d, &r, w->workers);
        break;
    case NK_TUN_GRAPH:
        rc = ngb_dut_tunnel_graph(&d, &r);
        break;
    case NK_TUN_SEND:
    case NK_TUN_MMSG:
        rc = ngb_dut_tunnel_plain(&r);
        break;
    default:
        break;
    }
    pthread_t gen, recv;
    bool recv_on = false, gen_on = false;
    if (rc == 0) {
        if (w->kind == NK_ETHER || w->kind == NK_KBRIDGE) {
            ngb_sink_announce(&x->sink);
            ms_sleep(20);
        }
        void *(*fn)(void *) = w->kind == NK_TUN_GRAPH ? ngb_tun_graph_main
                              : is_tunnel(w->kind)    ? ngb_tun_send_main
                                                      : ngb_gen_main;
        if (w->kind == NK_TUN_SEND || w->kind == NK_TUN_MMSG)
            recv_on = pthread_create(&recv, NULL, ngb_tun_recv_main, &r) == 0;
        gen_on = pthread_create(&gen, NULL, fn, &r) == 0;
        if (!gen_on)
            rc = -EAGAIN;
    }
    uint64_t o0 = 0, o1 = 0, d0 = 0, d1 = 0, t0 = 0, t1 = 0, b0, b1, j0, j1, drops = 0;
    if (rc == 0) {
        ms_sleep(res->warm_s * 1e3);
        (void)ngb_sink_take(&x->sink, NULL);
        t0 = ngb_now_ns();
        o0 = atomic_load(&r.offered);
        d0 = w->kind == NK_TUN_GRAPH ? atomic_load(&d.tun_count) : atomic_load(&r.delivered);
        ngb_cpu_jiffies(w->workers, &b0, &j0);
        ms_sleep(res->window_s * 1e3);
        t1 = ngb_now_ns();
        o1 = atomic_load(&r.offered);
        if (is_tunnel(w->kind))
            d1 = w->kind == NK_TUN_GRAPH ? atomic_load(&d.tun_count) : atomic_load(&r.delivered);
        else
            d1 = ngb_sink_take(&x->sink, &drops);
        ngb_cpu_jiffies(w->workers, &b1, &j1);
        int e = atomic_load(&r.err);
        rc = e ? e : t1 > t0 + (uint64_t)(res->window_s * 0.5e9) ? 0 : -ETIMEDOUT;
        /* The plumbing's own check: with nothing forwarding, nothing may
         * reach the sink (else frames take another path than the DUT). */
        if (rc == 0 && w->kind == NK_GEN && d1 > (o1 - o0) / 1000 + 10)
            rc = -EPROTO;
    }
    atomic_store(&r.stop, 1);
    if (gen_on)
        pthread_join(gen, NULL);
    if (recv_on)
        pthread_join(recv, NULL);
    if (x->verbose && w->kind == NK_ETHER)
        ngb_ether_dump(d.g);
    ngb_dut_down(&d, &r);
    ms_sleep(10); /* what is still in flight drains before the next row */
    if (rc) {
        w->ok = false;
        snprintf(w->why, sizeof(w->why), "rep %d: %s", rep + 1,
                 rc == -EPROTO ? "frames reached the sink with nothing forwarding" : strerror(-rc));
        w->fps[rep] = w->offered[rep] = w->busy[rep] = NAN;
        return;
    }
    double s = (double)(t1 - t0) / 1e9;
    w->offered[rep] = (double)(o1 - o0) / s;
    w->fps[rep] =
        w->kind == NK_GEN ? w->offered[rep] : (double)(is_tunnel(w->kind) ? d1 - d0 : d1) / s;
    w->busy[rep] = j1 > j0 ? (double)(b1 - b0) / (double)(j1 - j0) : NAN;
    w->sink_drops += drops;
}

static void add_row(struct ngb_net_res *r, int kind, int size, int W)
{
    if (r->nrows >= NGB_NET_ROWS)
        return;
    struct ngb_net_row *w = &r->rows[r->nrows++];
    memset(w, 0, sizeof(*w));
    w->kind = kind;
    w->size = size;
    w->workers = W;
    w->ok = true;
}

/* The scenario thread: it lives in the DUT's namespace. */
struct net_thread_arg {
    const struct ngb_opts *o;
    struct ngb_net_res *res;
};

static void *net_main(void *arg)
{
    struct net_thread_arg *a = arg;
    struct ngb_net_res *res = a->res;
    struct net_ctx x;
    memset(&x, 0, sizeof(x));
    x.res = res;
    x.probe_iters = a->o->probe_iters;
    x.verbose = a->o->verbose;
    x.sink.cpu = res->gen_cpu;
    x.sink.ring.fd = -1;
    char why[160] = "";
    if (ngb_ns_setup(why, sizeof(why)) != 0 || ngb_ns_enter(NS_D) != 0) {
        snprintf(res->skip, sizeof(res->skip), "%s", why[0] ? why : "setns failed");
        ngb_ns_teardown();
        return NULL;
    }
    bool sink_on = pthread_create(&x.sink.tid, NULL, ngb_sink_main, &x.sink) == 0;
    for (int i = 0; sink_on && i < 2000 && atomic_load(&x.sink.state) == 0; i++)
        ms_sleep(1);
    if (!sink_on || atomic_load(&x.sink.state) != 1) {
        snprintf(res->skip, sizeof(res->skip), "the sink's ring on s0 could not be opened: %s",
                 strerror(-atomic_load(&x.sink.state)));
        for (int i = 0; i < res->nrows; i++)
            res->rows[i].ok = false;
    } else {
        for (int rep = 0; rep < res->reps; rep++) {
            fprintf(stderr, "[net] rep %d/%d ...\n", rep + 1, res->reps);
            for (int k = 0; k < res->nrows; k++) {
                struct ngb_net_row *w = &res->rows[(rep & 1) ? res->nrows - 1 - k : k];
                double p0 = ngb_probe(x.probe_iters);
                net_run_one(&x, w, rep);
                double p1 = ngb_probe(x.probe_iters);
                w->probe[rep] = fmin(p0, p1);
                res->probe_best = fmax(res->probe_best, w->probe[rep]);
                w->nrep = rep + 1;
            }
        }
    }
    if (sink_on) {
        atomic_store(&x.sink.stop, 1);
        pthread_join(x.sink.tid, NULL);
        ngb_pring_close(&x.sink.ring);
    }
    ngb_ns_teardown();
    return NULL;
}

void ngb_net_run(const struct ngb_opts *o, struct ngb_suite *s)
{
    struct ngb_net_res *res = &s->net;
    memset(res, 0, sizeof(*res));
    if (!o->scen[S_NET])
        return;
    res->ran = true;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    res->ncpu = ncpu < 1 ? 1 : (int)ncpu;
    ngb_net_why_not(res->skip, sizeof(res->skip));
    if (res->skip[0])
        return;
    bool smoke = !strcmp(o->suite, "smoke"), quick = !strcmp(o->suite, "quick");
    bool full = !strcmp(o->suite, "full");
    res->reps = o->reps < NGB_NET_REPS ? o->reps : NGB_NET_REPS;
    if (!strcmp(o->suite, "default") && res->reps > 3)
        res->reps = 3; /* keeps the scenario near half a minute on 2 cores */
    res->warm_s = smoke ? 0.02 : 0.1;
    res->window_s = smoke ? 0.03 : quick ? 0.2 : full ? 0.5 : 0.3;
    res->rate = o->net_rate;
    res->gen_cpu = res->ncpu - 1;
    res->maxw = res->ncpu >= 2 ? 2 : 1;
    if (o->maxw > 0 && o->maxw < res->maxw)
        res->maxw = o->maxw;
    static const int sizes[2] = {64, 1500};
    for (int z = 0; z < 2; z++) {
        add_row(res, NK_GEN, sizes[z], 1);
        for (int W = 1; W <= res->maxw; W++)
            for (int k = NK_ETHER; k <= NK_AFP; k++)
                add_row(res, k, sizes[z], W);
        for (int k = NK_TUN_GRAPH; k <= NK_TUN_MMSG; k++)
            add_row(res, k, sizes[z], 1);
    }
    /* Its own thread: setns() changes the calling thread's namespace, and
     * what it starts (runtime workers, timer threads) inherits it; the
     * main thread stays where it was. */
    struct net_thread_arg a = {o, res};
    pthread_t t;
    if (pthread_create(&t, NULL, net_main, &a) != 0) {
        snprintf(res->skip, sizeof(res->skip), "no thread");
        return;
    }
    pthread_join(t, NULL);
    for (int i = 0; i < res->nrows; i++) {
        struct ngb_net_row *w = &res->rows[i];
        for (int k = 0; k < w->nrep; k++)
            w->quiet[k] = w->probe[k] >= NGB_QUIET * res->probe_best;
    }
}

/* ------------------------------------------------------------------------ */
/* Results                                                                   */
/* ------------------------------------------------------------------------ */

const struct ngb_net_row *ngb_net_find(const struct ngb_net_res *r, int kind, int size, int workers)
{
    for (int i = 0; i < r->nrows; i++) {
        const struct ngb_net_row *w = &r->rows[i];
        if (w->kind == kind && w->size == size && w->workers == workers && w->nrep > 0)
            return w;
    }
    return NULL;
}

static struct mstat quiet_stat(const bool *quiet, const double *v, int n, int *nq)
{
    double q[NGB_NET_REPS];
    int k = 0;
    for (int i = 0; i < n; i++)
        if (quiet[i] && !isnan(v[i]))
            q[k++] = v[i];
    *nq = k;
    if (k == 0)
        for (int i = 0; i < n; i++)
            if (!isnan(v[i]))
                q[k++] = v[i];
    if (k == 0)
        return (struct mstat){NAN, NAN, NAN, 0};
    return ngb_stat_of(q, k);
}

struct mstat ngb_net_stat(const struct ngb_net_row *r, const double *v)
{
    int nq;
    return quiet_stat(r->quiet, v, r->nrep, &nq);
}

struct mstat ngb_net_ratio(const struct ngb_net_row *a, const struct ngb_net_row *b, int *nq)
{
    double v[NGB_NET_REPS];
    bool q[NGB_NET_REPS];
    int n = a->nrep < b->nrep ? a->nrep : b->nrep;
    for (int i = 0; i < n; i++) {
        v[i] = b->fps[i] > 0 ? a->fps[i] / b->fps[i] : NAN;
        q[i] = a->quiet[i] && b->quiet[i];
    }
    return quiet_stat(q, v, n, nq);
}

int ngb_net_failures(const struct ngb_suite *s)
{
    const struct ngb_net_res *r = &s->net;
    int f = 0;
    for (int i = 0; r->ran && !r->skip[0] && i < r->nrows; i++)
        if (!r->rows[i].ok) {
            fprintf(stderr, "ngbench: net %s %dB W=%d failed: %s\n",
                    ngb_net_kind_name(r->rows[i].kind), r->rows[i].size, r->rows[i].workers,
                    r->rows[i].why);
            f++;
        }
    return f;
}

void ngb_net_report(const struct ngb_suite *s)
{
    const struct ngb_net_res *r = &s->net;
    if (!r->ran)
        return;
    printf("\n== network: frames per second through veth pairs in namespaces ==\n");
    printf("(CPU: %s, %d CPUs)\n", s->cpu, r->ncpu);
    if (r->skip[0]) {
        printf("skipped: %s\n", r->skip);
        return;
    }
    /* Rows whose DUT CPUs include the generator's (W > gen_cpu). */
    char wshared[160] = "";
    if (r->maxw > r->gen_cpu)
        snprintf(wshared, sizeof(wshared),
                 " (W>%d: CPU %d shared with the generator; the ether rows' workers then spin 1, "
                 "not 64)",
                 r->gen_cpu, r->gen_cpu);
    printf("generator and sink on CPU %d; DUT on CPUs 0..W-1%s; receive steering (RPS) of d0\n"
           "onto the DUT's CPUs: %s.  %d reps x (%.2f s warm-up + %.2f s window), rows\n"
           "alternated; medians [min-max] of the quiet reps.  Mfps = frames delivered at the far\n"
           "end per second; offered = what the generator sent in the same window; DUT CPU = busy\n"
           "share of CPUs 0..W-1 (/proc/stat, softirq included).  Tunnel rows: datagrams of the\n"
           "frame size between two namespaces, sender on CPU %d, receiver on CPU 0.\n",
           r->gen_cpu, wshared, r->rps ? "on" : "unavailable", r->reps, r->warm_s, r->window_s,
           r->gen_cpu);
    if (r->rate > 0)
        printf("generator paced at %.3f Mfps (--net-rate)\n", r->rate / 1e6);
    else
        printf("generator flat out: the forwarding rate at maximum offered load\n");
    printf("%-20s %2s %5s %24s %9s %6s %7s %5s\n", "row", "W", "bytes", "Mfps med [min-max]",
           "offered", "loss%", "DUT cpu", "quiet");
    for (int i = 0; i < r->nrows; i++) {
        const struct ngb_net_row *w = &r->rows[i];
        if (!w->ok) {
            printf("%-20s %2d %5d not run: %s\n", ngb_net_kind_name(w->kind), w->workers, w->size,
                   w->why);
            continue;
        }
        int nq = 0;
        struct mstat f = quiet_stat(w->quiet, w->fps, w->nrep, &nq);
        struct mstat of = ngb_net_stat(w, w->offered), b = ngb_net_stat(w, w->busy);
        char fs[40];
        snprintf(fs, sizeof(fs), "%.3f [%.3f-%.3f]", f.med / 1e6, f.min / 1e6, f.max / 1e6);
        double loss = w->kind == NK_GEN || of.med <= 0 ? NAN : 100.0 * (1 - f.med / of.med);
        printf("%-20s %2d %5d %24s %9.3f %6.1f %6.0f%% %2d/%-2d\n", ngb_net_kind_name(w->kind),
               w->workers, w->size, fs, of.med / 1e6, loss < 0 ? 0 : loss, 100 * b.med, nq,
               w->nrep);
    }
}
