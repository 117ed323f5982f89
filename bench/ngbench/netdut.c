/*
 * netdut.c - the network scenario's threads (generator, sink, plain
 * AF_PACKET loop, tunnel senders and receiver), the tunnel's counting node
 * and the devices under test (ether -> bridge -> ether graph, kernel
 * bridge ports, loop rings, tunnel graphs).  See net.c for the method.
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

/* ------------------------------------------------------------------------ */
/* Threads of a run                                                          */
/* ------------------------------------------------------------------------ */

static void run_err(struct net_run *r, int e)
{
    int z = 0;
    atomic_compare_exchange_strong(&r->err, &z, e);
}

static bool run_going(struct net_run *r, uint64_t n)
{
    return !atomic_load_explicit(&r->stop, memory_order_relaxed) && n < NET_MAXFRAMES &&
           ngb_now_ns() < r->deadline;
}

/* --net-rate: the batch after n frames leaves at t0 + n / rate. */
static void pace(const struct net_run *r, uint64_t t0, uint64_t n)
{
    if (r->rate > 0)
        ngb_sleep_until(t0 + (uint64_t)((double)n * 1e9 / r->rate));
}

/* The generator: NET_BATCH frames per sendmmsg out of g0, cycling flows. */
void *ngb_gen_main(void *arg)
{
    struct net_run *r = arg;
    unsigned size = (unsigned)r->row->size;
    int rc = ngb_ns_enter(NS_G), fd = -1;
    uint8_t *frames = malloc((size_t)NET_FLOWS * size);
    ngb_pin_cpu(r->gen_cpu);
    if (rc == 0 && !frames)
        rc = -ENOMEM;
    if (rc == 0 && (fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)) < 0)
        rc = -errno;
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_IP);
    sll.sll_ifindex = rc == 0 ? (int)if_nametoindex("g0") : 0;
    sll.sll_halen = 6;
    memcpy(sll.sll_addr, ngb_sink_mac, 6);
    int one = 1;
    if (rc == 0 && (sll.sll_ifindex == 0 ||
                    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0))
        rc = -errno;
    if (rc) {
        run_err(r, rc);
        free(frames);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    for (unsigned i = 0; i < NET_FLOWS; i++)
        ngb_net_frame(frames + (size_t)i * size, size, i);
    struct mmsghdr mm[NET_BATCH];
    struct iovec iov[NET_BATCH];
    memset(mm, 0, sizeof(mm));
    for (int i = 0; i < NET_BATCH; i++) {
        iov[i].iov_base = frames + (size_t)(i % NET_FLOWS) * size;
        iov[i].iov_len = size;
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
        mm[i].msg_hdr.msg_name = &sll;
        mm[i].msg_hdr.msg_namelen = sizeof(sll);
    }
    uint64_t n = 0, t0 = ngb_now_ns();
    while (run_going(r, n)) {
        pace(r, t0, n);
        int k = sendmmsg(fd, mm, NET_BATCH, MSG_DONTWAIT);
        if (k > 0) {
            n += (uint64_t)k;
            atomic_store_explicit(&r->offered, n, memory_order_relaxed);
        } else if (k < 0 && errno != EAGAIN && errno != ENOBUFS && errno != EINTR) {
            run_err(r, -errno);
            break;
        }
    }
    close(fd);
    free(frames);
    return NULL;
}

void *ngb_sink_main(void *arg)
{
    struct net_sink *k = arg;
    ngb_pin_cpu(k->cpu);
    int rc = ngb_ns_enter(NS_S);
    if (rc == 0)
        rc = ngb_pring_open(&k->ring, "s0", ETH_P_IP, 1u << 18, 32, 0);
    atomic_store(&k->state, rc ? rc : 1);
    if (rc)
        return NULL;
    while (!atomic_load_explicit(&k->stop, memory_order_relaxed)) {
        struct tpacket_block_desc *bd = ngb_pring_block(&k->ring);
        if (bd)
            ngb_pring_release(&k->ring, bd);
        else
            ngb_pring_wait(&k->ring, 10);
    }
    return NULL;
}

/* Frames that reached the sink's socket since the last call (the kernel
 * resets its counters on every read); *drops: of which its ring had no
 * room for. */
uint64_t ngb_sink_take(struct net_sink *k, uint64_t *drops)
{
    struct tpacket_stats_v3 st;
    socklen_t l = sizeof(st);
    memset(&st, 0, sizeof(st));
    if (getsockopt(k->ring.fd, SOL_PACKET, PACKET_STATISTICS, &st, &l) < 0)
        return 0;
    if (drops)
        *drops = st.tp_drops;
    return st.tp_packets; /* includes tp_drops */
}

/* Announce ngb_sink_mac from s0 (a broadcast), so the bridges learn it. */
void ngb_sink_announce(struct net_sink *k)
{
    uint8_t f[60];
    memset(f, 0, sizeof(f));
    memset(f, 0xff, 6);
    memcpy(f + 6, ngb_sink_mac, 6);
    f[12] = 0x88, f[13] = 0xb5; /* local experimental ethertype */
    (void)send(k->ring.fd, f, sizeof(f), MSG_DONTWAIT);
}

static void afp_flush(struct afp_thr *t, struct mmsghdr *mm, unsigned k)
{
    unsigned sent = 0;
    while (sent < k) {
        int r = sendmmsg(t->txfd, mm + sent, k - sent, MSG_DONTWAIT);
        if (r <= 0)
            break; /* device queue full: the rest are dropped, as the ether node does */
        sent += (unsigned)r;
    }
}

void *ngb_afp_main(void *arg)
{
    struct afp_thr *t = arg;
    struct net_run *r = t->run;
    ngb_pin_cpu(t->cpu);
    struct mmsghdr mm[NET_BATCH];
    struct iovec iov[NET_BATCH];
    struct sockaddr_ll sll[NET_BATCH];
    memset(mm, 0, sizeof(mm));
    memset(sll, 0, sizeof(sll));
    for (int i = 0; i < NET_BATCH; i++) {
        sll[i].sll_family = AF_PACKET;
        sll[i].sll_ifindex = t->txidx;
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
        mm[i].msg_hdr.msg_name = &sll[i];
        mm[i].msg_hdr.msg_namelen = sizeof(sll[i]);
    }
    while (run_going(r, 0)) {
        struct tpacket_block_desc *bd = ngb_pring_block(&t->ring);
        if (!bd) {
            ngb_pring_wait(&t->ring, 1);
            continue;
        }
        uint32_t np = bd->hdr.bh1.num_pkts;
        uint8_t *p = (uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;
        unsigned k = 0;
        for (uint32_t i = 0; i < np; i++) {
            struct tpacket3_hdr *h = (void *)p;
            uint8_t *d = p + h->tp_mac;
            if (h->tp_snaplen >= 14) {
                iov[k].iov_base = d;
                iov[k].iov_len = h->tp_snaplen;
                sll[k].sll_protocol = (uint16_t)(d[12] | d[13] << 8); /* network order */
                if (++k == NET_BATCH) {
                    afp_flush(t, mm, k);
                    k = 0;
                }
            }
            p += h->tp_next_offset;
        }
        afp_flush(t, mm, k);
        ngb_pring_release(&t->ring, bd);
    }
    return NULL;
}

/* Tunnel, graph side: inject frames into graph A, bursts of NET_TBURST. */
void *ngb_tun_graph_main(void *arg)
{
    struct net_run *r = arg;
    unsigned size = (unsigned)r->row->size;
    ngb_pin_cpu(r->gen_cpu);
    uint8_t f[1514];
    ngb_net_frame(f, size, 0);
    ng_thread_register(r->ga);
    uint64_t n = 0, t0 = ngb_now_ns();
    while (run_going(r, n)) {
        pace(r, t0, n);
        struct ng_item *v[NET_TBURST];
        unsigned k = 0;
        ng_batch_begin(r->ga);
        for (; k < NET_TBURST; k++) {
            if (!(v[k] = ng_item_alloc(r->ga, size)))
                break;
            memcpy(ng_item_data(v[k]), f, size);
        }
        if (k)
            ng_send_data_burst(r->inj, v, k);
        ng_batch_end(r->ga);
        n += k;
        atomic_store_explicit(&r->offered, n, memory_order_relaxed);
    }
    ng_thread_unregister(r->ga);
    return NULL;
}

/* The plain tunnel's UDP socket, made in namespace ns: connected to
 * 192.0.2.2:NET_PORT+1 (the sender, in g) or bound to it (the receiver, in
 * s).  The calling thread is left in namespace `back`.  fd or -errno. */
static int plain_udp(int ns, bool bind_it, int back)
{
    int rc = ngb_ns_enter(ns), fd = -1;
    if (rc == 0 && (fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
        rc = -errno;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(NET_PORT + 1)};
    inet_pton(AF_INET, "192.0.2.2", &a.sin_addr);
    if (rc == 0 && (bind_it ? bind(fd, (struct sockaddr *)&a, sizeof(a))
                            : connect(fd, (struct sockaddr *)&a, sizeof(a))) < 0)
        rc = -errno;
    int rc2 = ngb_ns_enter(back);
    if (rc == 0)
        rc = rc2;
    if (rc && fd >= 0)
        close(fd);
    return rc ? rc : fd;
}

/* Tunnel, plain side: the sender (send() per datagram, or sendmmsg). */
void *ngb_tun_send_main(void *arg)
{
    struct net_run *r = arg;
    unsigned size = (unsigned)r->row->size;
    ngb_pin_cpu(r->gen_cpu);
    int fd = plain_udp(NS_G, false, NS_G);
    if (fd < 0) {
        run_err(r, fd);
        return NULL;
    }
    uint8_t f[1514];
    ngb_net_frame(f, size, 0);
    struct mmsghdr mm[NET_TBURST];
    struct iovec iov = {.iov_base = f, .iov_len = size};
    memset(mm, 0, sizeof(mm));
    for (int i = 0; i < NET_TBURST; i++) {
        mm[i].msg_hdr.msg_iov = &iov;
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    bool mmsg = r->row->kind == NK_TUN_MMSG;
    uint64_t n = 0, t0 = ngb_now_ns();
    while (run_going(r, n)) {
        pace(r, t0, n);
        int k = 0;
        if (mmsg) {
            k = sendmmsg(fd, mm, NET_TBURST, MSG_DONTWAIT);
        } else {
            for (int i = 0; i < NET_TBURST; i++)
                if (send(fd, f, size, MSG_DONTWAIT) == (ssize_t)size)
                    k++;
        }
        if (k > 0) {
            n += (uint64_t)k;
            atomic_store_explicit(&r->offered, n, memory_order_relaxed);
        }
    }
    close(fd);
    return NULL;
}

/* Tunnel, plain side: the receiver, recvmmsg(NET_TBURST) on CPU 0. */
void *ngb_tun_recv_main(void *arg)
{
    struct net_run *r = arg;
    ngb_pin_cpu(0);
    static _Thread_local uint8_t buf[NET_TBURST][2048];
    struct mmsghdr mm[NET_TBURST];
    struct iovec iov[NET_TBURST];
    memset(mm, 0, sizeof(mm));
    for (int i = 0; i < NET_TBURST; i++) {
        iov[i].iov_base = buf[i];
        iov[i].iov_len = sizeof(buf[i]);
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    uint64_t n = 0;
    while (run_going(r, 0)) {
        int k = recvmmsg(r->udp_fd, mm, NET_TBURST, MSG_DONTWAIT, NULL);
        if (k > 0) {
            n += (uint64_t)k;
            atomic_store_explicit(&r->delivered, n, memory_order_relaxed);
        } else {
            struct pollfd p = {.fd = r->udp_fd, .events = POLLIN};
            (void)poll(&p, 1, 1);
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* The counting node of the tunnel's far end                                */
/* ------------------------------------------------------------------------ */

/* Node private data: an _Atomic uint64_t counter (ng_node_set_private). */
static int cnt_newhook(struct ng_node *n, struct ng_hook *h, const char *name)
{
    (void)n, (void)h, (void)name;
    return 0;
}

static int cnt_rcvdata_burst(struct ng_hook *h, struct ng_item **items, unsigned n)
{
    _Atomic uint64_t *c = ng_node_private(ng_hook_node(h));
    for (unsigned i = 0; i < n; i++)
        ng_item_free(items[i]);
    if (c)
        atomic_fetch_add_explicit(c, n, memory_order_relaxed);
    return 0;
}

static int cnt_rcvdata(struct ng_hook *h, struct ng_item *it)
{
    return cnt_rcvdata_burst(h, &it, 1);
}

static const struct ng_type cnt_type = {
    .version = NG_ABI_VERSION,
    .name = "ngb_netcount",
    .cookie = 0x6e676290u,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .newhook = cnt_newhook,
    .rcvdata = cnt_rcvdata,
    .rcvdata_burst = cnt_rcvdata_burst,
};

/* ------------------------------------------------------------------------ */
/* The devices under test                                                    */
/* ------------------------------------------------------------------------ */

static int ascii(struct ng_graph *g, uint32_t id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int ascii(struct ng_graph *g, uint32_t id, const char *fmt, ...)
{
    char path[32], text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    snprintf(path, sizeof(path), "[%x]:", id);
    char *resp = NULL;
    int rc = ng_send_ascii(g, path, text, &resp);
    free(resp);
    return rc;
}

/* A graph with a runtime of W workers on CPUs 0..W-1 (W = 0: none).
 * When one of them shares its CPU with the generator (shared_cpu), the
 * runtime's workers (all of them: spin is per runtime) spin once before
 * they yield and sleep (ng_runtime_config.spin = 1, instead of 64 polls
 * with a pause each): what a deployment sets for workers on busy CPUs,
 * where spinning only takes time from the other thread. */
static int graph_with_runtime(struct ng_graph **gp, int W, bool shared_cpu)
{
    int rc = ng_graph_create(NULL, gp);
    if (rc || W == 0)
        return rc;
    int cpus[MAXW];
    for (int i = 0; i < W; i++)
        cpus[i] = i;
    struct ng_runtime_config rc_cfg;
    ng_runtime_config_init(&rc_cfg);
    rc_cfg.nworkers = (unsigned)W;
    rc_cfg.cpus = cpus;
    rc_cfg.ncpus = (unsigned)W;
    if (shared_cpu)
        rc_cfg.spin = 1;
    struct ng_runtime *rt;
    return ng_runtime_start(*gp, &rc_cfg, &rt);
}

/* An ether node attached to ifname, W rings, promiscuous, autosrc off. */
static int ether_on(struct ng_graph *g, const char *ifname, int W, struct ng_node **np)
{
    int rc = ng_node_create(g, "ether", np);
    if (rc)
        return rc;
    uint32_t id = ng_node_id(*np);
    if ((rc = ascii(g, id, "attach \"%s\"", ifname)) == 0 &&
        (rc = ascii(g, id, "setconfig { rings=%d block_size=65536 block_count=16 }", W)) == 0 &&
        (rc = ascii(g, id, "setpromisc 1")) == 0)
        rc = ascii(g, id, "setautosrc 0");
    return rc;
}

int ngb_dut_ether(struct dut *d, int W, int gen_cpu)
{
    struct ng_node *a = NULL, *b = NULL, *br = NULL;
    int rc = graph_with_runtime(&d->g, W, gen_cpu < W);
    if (rc == 0)
        rc = ether_on(d->g, "d0", W, &a);
    if (rc == 0)
        rc = ether_on(d->g, "d1", W, &b);
    if (rc == 0)
        rc = ng_node_create(d->g, "bridge", &br);
    if (rc == 0)
        rc = ng_connect(a, "lower", br, "link0");
    if (rc == 0)
        rc = ng_connect(b, "lower", br, "link1");
    struct ng_node *all[3] = {a, b, br};
    for (int i = 0; i < 3; i++)
        if (all[i])
            ng_node_unref(all[i]); /* the graph's destruction shuts them down */
    return rc;
}

int ngb_dut_afp(struct dut *d, struct net_run *r, int W)
{
    int fanout = W > 1 ? (int)((unsigned)getpid() & 0xffffu) : 0;
    unsigned txidx = if_nametoindex("d1");
    if (txidx == 0)
        return -errno;
    for (int i = 0; i < W; i++) {
        struct afp_thr *t = &d->afp[i];
        memset(t, 0, sizeof(*t));
        t->cpu = i;
        t->run = r;
        t->txidx = (int)txidx;
        int rc = ngb_pring_open(&t->ring, "d0", ETH_P_ALL, 65536, 16, fanout);
        t->txfd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_ifindex = (int)txidx};
        if (rc == 0 && (t->txfd < 0 || bind(t->txfd, (struct sockaddr *)&sll, sizeof(sll)) < 0))
            rc = -errno;
        if (rc) {
            ngb_pring_close(&t->ring);
            if (t->txfd >= 0)
                close(t->txfd);
            return rc;
        }
        d->nafp = i + 1;
    }
    for (int i = 0; i < W; i++)
        pthread_create(&d->afp[i].tid, NULL, ngb_afp_main, &d->afp[i]);
    return 0;
}

/* Graph A in g (source -> ksocket connected to t1), graph B in s (ksocket
 * bound on t1 -> counter, runtime 1 worker on CPU 0).  The sockets are
 * made in the calling thread's namespace: the scenario thread visits g and
 * s, then returns to d. */
int ngb_dut_tunnel_graph(struct dut *d, struct net_run *r)
{
    struct ng_node *src = NULL, *ka = NULL, *kb = NULL;
    int rc = ngb_ns_enter(NS_S);
    if (rc == 0)
        rc = graph_with_runtime(&d->gb, 1, false);
    if (rc == 0)
        rc = ng_type_register(d->gb, &cnt_type);
    if (rc == 0)
        rc = ng_node_create(d->gb, cnt_type.name, &d->tun_cnt);
    if (rc == 0) {
        ng_node_set_private(d->tun_cnt, &d->tun_count);
        rc = ng_mkpeer(d->tun_cnt, "in", "ksocket", "inet/dgram/udp", &kb);
    }
    if (rc == 0)
        rc = ascii(d->gb, ng_node_id(kb), "bind inet/192.0.2.2:%d", NET_PORT);
    int rc2 = ngb_ns_enter(NS_G);
    rc = rc ? rc : rc2;
    if (rc == 0)
        rc = ng_graph_create(NULL, &d->g);
    if (rc == 0)
        rc = ng_type_register(d->g, &cnt_type);
    if (rc == 0)
        rc = ng_node_create(d->g, cnt_type.name, &src);
    if (rc == 0)
        rc = ng_mkpeer(src, "out", "ksocket", "inet/dgram/udp", &ka);
    if (rc == 0)
        rc = ascii(d->g, ng_node_id(ka), "connect inet/192.0.2.2:%d", NET_PORT);
    if (rc == 0)
        rc = ng_hook_find(src, "out", &r->inj);
    r->ga = d->g;
    rc2 = ngb_ns_enter(NS_D);
    rc = rc ? rc : rc2;
    struct ng_node *all[3] = {src, ka, kb};
    for (int i = 0; i < 3; i++)
        if (all[i])
            ng_node_unref(all[i]);
    return rc;
}

int ngb_dut_tunnel_plain(struct net_run *r)
{
    int fd = plain_udp(NS_S, true, NS_D);
    r->udp_fd = fd < 0 ? -1 : fd;
    return fd < 0 ? fd : 0;
}

void ngb_dut_down(struct dut *d, struct net_run *r)
{
    atomic_store(&r->stop, 1);
    for (int i = 0; i < d->nafp; i++) {
        pthread_join(d->afp[i].tid, NULL);
        ngb_pring_close(&d->afp[i].ring);
        close(d->afp[i].txfd);
    }
    d->nafp = 0;
    if (r->inj)
        ng_hook_unref(r->inj);
    if (d->tun_cnt)
        ng_node_unref(d->tun_cnt);
    ng_graph_destroy(d->g);
    ng_graph_destroy(d->gb);
    if (r->udp_fd >= 0)
        close(r->udp_fd);
    if (d->bridged)
        ngb_net_sh("ip -n %s link set d0 nomaster && ip -n %s link set d1 nomaster",
                   ngb_ns_name[NS_D], ngb_ns_name[NS_D]);
    memset(d, 0, sizeof(*d));
}

/* ------------------------------------------------------------------------ */
/* One run of a row                                                          */
/* ------------------------------------------------------------------------ */

/* -v: where an ether row's frames went (the nodes' counters, the kernel's
 * ring counts), on stderr. */
void ngb_ether_dump(struct ng_graph *g)
{
    static const char *const names[2] = {"d0:", "d1:"};
    for (int i = 0; g && i < 2; i++) {
        char *resp = NULL;
        if (ng_send_ascii(g, names[i], "textstatus", &resp) == 0 && resp)
            fprintf(stderr, "\n[net] %s %s\n", names[i], resp);
        free(resp);
    }
}
