/*
 * ring.c - the "ether" node type's transport (see ether.c for the node and
 * the concurrency invariants): the attachment to an interface (the choice
 * of transport; AF_PACKET sockets with TPACKET_V3 receive rings,
 * PACKET_FANOUT), the receive callback (ring block -> pool item, one copy,
 * bursts on "lower") and transmit (sendmmsg from the items).  The AF_XDP
 * transport's sockets, receive and transmit are xdp.c's.
 */
#include "ether_int.h"

/* ---- the attachment ------------------------------------------------------ */

void ngi_eth_att_release(struct eth_att *a)
{
    ngi_eth_xdp_free(a); /* AF_XDP rings: their fd is the socket's, closed there */
    for (unsigned i = 0; i < a->nrings; i++) {
        if (a->ring[i].map)
            munmap(a->ring[i].map, a->ring[i].maplen);
        if (a->ring[i].fd >= 0)
            close(a->ring[i].fd);
    }
    if (a->txfd >= 0)
        close(a->txfd);
    free(a);
}

static void att_defer_fn(struct ng_defer_entry *e)
{
    ngi_eth_att_release((struct eth_att *)(void *)e); /* defer is the first member */
}

/* An ioctl on the interface through a ring socket (or a temporary one). */
int ngi_eth_if_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr)
{
    int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -errno;
    snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
    int rc = ioctl(s, req, ifr) < 0 ? -errno : 0;
    close(s);
    return rc;
}

int ngi_eth_if_get_enaddr(const char *ifname, uint8_t *mac)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    int rc = ngi_eth_if_ioctl(ifname, SIOCGIFHWADDR, &ifr);
    if (rc < 0)
        return rc;
    if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
        return -EPROTOTYPE;
    memcpy(mac, ifr.ifr_hwaddr.sa_data, NG_ETHER_ADDR_LEN);
    return 0;
}

int ngi_eth_membership(const struct eth_att *a, int add, int type, const uint8_t *addr)
{
    struct packet_mreq mr;
    memset(&mr, 0, sizeof(mr));
    mr.mr_ifindex = a->ifindex;
    mr.mr_type = (unsigned short)type;
    if (addr) {
        mr.mr_alen = NG_ETHER_ADDR_LEN;
        memcpy(mr.mr_address, addr, NG_ETHER_ADDR_LEN);
    }
    int opt = add ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP;
    if (setsockopt(a->txfd, SOL_PACKET, opt, &mr, sizeof(mr)) < 0)
        return -errno;
    return 0;
}

/* One socket with its receive ring, bound to the interface. */
static int ring_open(struct eth_att *a, struct eth_ring *r)
{
    r->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (r->fd < 0)
        return -errno;
    int v = TPACKET_V3;
    if (setsockopt(r->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) < 0)
        return -errno;
    struct tpacket_req3 req;
    memset(&req, 0, sizeof(req));
    req.tp_block_size = a->cfg.block_size;
    req.tp_block_nr = a->cfg.block_count;
    req.tp_frame_size = TPACKET_ALIGNMENT << 7; /* 2048: only checked by V3 */
    req.tp_frame_nr = (req.tp_block_size / req.tp_frame_size) * req.tp_block_nr;
    req.tp_retire_blk_tov = 1; /* ms: a partly filled block is handed over soon */
    if (setsockopt(r->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
        return -errno;
    r->maplen = (size_t)req.tp_block_size * req.tp_block_nr;
    void *m = mmap(NULL, r->maplen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, 0);
    if (m == MAP_FAILED)
        return -errno;
    r->map = m;
    r->bsize = req.tp_block_size;
    r->bcount = req.tp_block_nr;
    v = 1; /* frames the host sends are not frames from the wire (best effort) */
    (void)setsockopt(r->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &v, sizeof(v));
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = a->ifindex;
    if (bind(r->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
        return -errno;
    return 0;
}

/* The transmit socket: bound to the interface with protocol 0, so the
 * kernel hands it no received frames (the rings receive); each frame is
 * sent with its own ethertype as the protocol (msg_name). */
static int tx_open(struct eth_att *a)
{
    a->txfd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (a->txfd < 0)
        return -errno;
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = a->ifindex;
    if (bind(a->txfd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
        return -errno;
    return 0;
}

/* PACKET_IGNORE_OUTGOING does not reach a socket in a fanout group: the
 * group needs its own flag (Linux 4.20), or every ring of the group gets a
 * copy of every frame the node transmits (and the W=2 forwarding rate
 * drops by a third: ngbench's net scenario).  Not in bookworm's libc
 * headers. */
#ifndef PACKET_FANOUT_FLAG_IGNORE_OUTGOING
#define PACKET_FANOUT_FLAG_IGNORE_OUTGOING 0x4000
#endif

static int ring_fanout(struct eth_att *a, struct eth_ring *r, int first)
{
    /* Every member must give the group's flags; an older kernel refuses
     * the flag (EINVAL): then the group is made without it. */
    static _Atomic int no_ignore_outgoing;
    int ign = atomic_load(&no_ignore_outgoing) ? 0 : PACKET_FANOUT_FLAG_IGNORE_OUTGOING;
    int v;
    if (first)
        v = (PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_UNIQUEID | ign) << 16;
    else
        v = (int)(a->fanout | ((unsigned)(PACKET_FANOUT_HASH | a->fanout_flags) << 16));
    int rc = setsockopt(r->fd, SOL_PACKET, PACKET_FANOUT, &v, sizeof(v));
    if (rc < 0 && first && errno == EINVAL && ign) {
        atomic_store(&no_ignore_outgoing, 1);
        ign = 0;
        v = (PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_UNIQUEID) << 16;
        rc = setsockopt(r->fd, SOL_PACKET, PACKET_FANOUT, &v, sizeof(v));
    }
    if (rc < 0)
        return -errno;
    if (first)
        a->fanout_flags = (unsigned)ign;
    if (first) {
        socklen_t l = sizeof(v);
        if (getsockopt(r->fd, SOL_PACKET, PACKET_FANOUT, &v, &l) < 0)
            return -errno;
        a->fanout = (unsigned)v & 0xffffu;
    }
    return 0;
}

static void eth_rx(struct ng_fdwatch *w, struct ng_node *node, struct ng_hook *hook, int fd,
                   unsigned revents, void *arg);

/* The interface's receive queues (ETHTOOL_GCHANNELS; 1 when the driver
 * does not say). */
static unsigned if_rx_queues(const char *ifname)
{
    struct ethtool_channels ch;
    memset(&ch, 0, sizeof(ch));
    ch.cmd = ETHTOOL_GCHANNELS;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_data = (void *)&ch;
    if (ngi_eth_if_ioctl(ifname, SIOCETHTOOL, &ifr) < 0)
        return 1;
    unsigned n = ch.rx_count + ch.combined_count;
    return n ? n : 1;
}

/* The rings as AF_XDP sockets when p->cfg_tp asks for it and the kernel
 * allows it, else (auto) as AF_PACKET rings; p->why says why AF_XDP was not
 * used (p->lock held). */
static int att_rings(struct eth_priv *p, struct eth_att *a, unsigned nq)
{
    int tp = p->cfg_tp;
    p->why[0] = '\0';
    if (tp != ETH_TP_PACKET) {
        /* one AF_XDP socket per receive queue: a queue without one would
         * pass its frames to the stack, unseen; more rings than queues are
         * refused by the kernel (the queue does not exist) */
        a->nrings = a->cfg.rings > nq ? a->cfg.rings : nq;
        int rc;
        if (nq > NG_ETHER_RINGS_MAX) {
            snprintf(p->why, sizeof(p->why), "af_xdp: %u receive queues, more than %u sockets",
                     nq, NG_ETHER_RINGS_MAX);
            rc = -E2BIG;
        } else {
            rc = ngi_eth_xdp_open(a, tp, p->why, sizeof(p->why));
        }
        if (rc == 0) {
            a->tp = ETH_TP_XDP;
            return 0;
        }
        a->nrings = a->cfg.rings;
        if (tp != ETH_TP_AUTO)
            return rc; /* forced: no fallback */
    } else {
        snprintf(p->why, sizeof(p->why), "af_packet requested");
    }
    a->tp = ETH_TP_PACKET;
    int rc = 0;
    for (unsigned i = 0; i < a->nrings && rc == 0; i++) {
        rc = ring_open(a, &a->ring[i]);
        if (rc == 0 && a->nrings > 1)
            rc = ring_fanout(a, &a->ring[i], i == 0);
    }
    return rc;
}

/* Free an attachment that was never published: its watches first. */
static void att_discard(struct eth_att *a)
{
    for (unsigned i = 0; i < a->nrings; i++)
        if (a->ring[i].watched)
            ng_fdwatch_remove(&a->ring[i].w);
    ngi_eth_att_release(a);
}

/* Open every ring of a new attachment to ifname (p->lock held). */
static int att_open(struct eth_priv *p, const char *ifname, struct eth_att **out)
{
    size_t nl = strlen(ifname);
    if (nl == 0)
        return -EINVAL;
    if (nl >= NG_ETHER_IFNAMSIZ)
        return -ENAMETOOLONG;
    unsigned idx = if_nametoindex(ifname);
    if (idx == 0)
        return errno == ENODEV || errno == ENXIO ? -ENXIO : -errno;
    unsigned nq = p->cfg_tp == ETH_TP_PACKET ? 1 : if_rx_queues(ifname);
    unsigned nalloc = p->cfg.rings > nq ? p->cfg.rings : nq;
    struct eth_att *a = calloc(1, sizeof(*a) + nalloc * sizeof(a->ring[0]));
    if (!a)
        return -ENOMEM;
    memcpy(a->ifname, ifname, nl + 1);
    a->ifindex = (int)idx;
    a->cfg = p->cfg;
    a->nrings = p->cfg.rings;
    a->txfd = -1;
    a->xmapfd = -1;
    for (unsigned i = 0; i < nalloc; i++) {
        a->ring[i].fd = -1;
        ng_fdwatch_init(&a->ring[i].w);
    }
    int rc = tx_open(a);
    if (rc == 0)
        rc = att_rings(p, a, nq);
    uint8_t mac[NG_ETHER_ADDR_LEN];
    if (rc == 0)
        rc = ngi_eth_if_get_enaddr(ifname, mac);
    if (rc == 0 && atomic_load(&p->promisc))
        rc = ngi_eth_membership(a, 1, PACKET_MR_PROMISC, NULL);
    for (unsigned i = 0; i < p->nmulti && rc == 0; i++)
        rc = ngi_eth_membership(a, 1, PACKET_MR_MULTICAST, p->multi[i]);
    unsigned flags = NG_FD_IN | NG_FD_SHARED | (a->cfg.busypoll ? NG_FD_BUSYPOLL : 0);
    for (unsigned i = 0; i < a->nrings && rc == 0; i++) {
        struct eth_ring *r = &a->ring[i];
        ng_fdwatch_set_worker(&r->w, (int)(i % a->cfg.rings)); /* AF_XDP: queues > rings */
        rc = ng_fdwatch_add(&r->w, p->node, NULL, r->fd, flags, eth_rx, r);
        r->watched = rc == 0;
    }
    if (rc < 0) {
        att_discard(a);
        return rc;
    }
    atomic_store(&p->enaddr, mac_pack(mac));
    *out = a;
    return 0;
}

/* Unpublish and retire the attachment (p->lock held). */
void ngi_eth_detach(struct eth_priv *p)
{
    struct eth_att *a = atomic_exchange_explicit(&p->att, NULL, memory_order_acq_rel);
    if (!a)
        return;
    for (unsigned i = 0; i < a->nrings; i++)
        if (a->ring[i].watched)
            ng_fdwatch_remove(&a->ring[i].w);
    /* AF_XDP: the queue is free again at once (a new attach may bind it);
     * a transmitter still holding a finds the sockets closed */
    ngi_eth_xdp_close(a);
    ng_defer(ng_node_graph(p->node), &a->defer, att_defer_fn);
}

/* Attach (p->lock held): -EISCONN when attached already. */
int ngi_eth_attach(struct eth_priv *p, const char *ifname)
{
    if (atomic_load(&p->att))
        return -EISCONN;
    struct eth_att *a = NULL;
    int rc = att_open(p, ifname, &a);
    if (rc < 0)
        return rc;
    /* AF_XDP: the frames are the node's only while lower is connected */
    rc = ngi_eth_xdp_steer(a, atomic_load(&p->lower) != NULL);
    if (rc < 0) {
        att_discard(a);
        return rc;
    }
    atomic_store_explicit(&p->att, a, memory_order_release);
    return 0;
}

/* ---- receive ------------------------------------------------------------- */

void ngi_eth_rx_flush(struct ng_hook *lower, struct ng_item **items, unsigned *n)
{
    if (*n == 0)
        return;
    (void)ng_send_data_burst(lower, items, *n); /* drops are counted by the engine */
    *n = 0;
}

static uint32_t sum16(const uint8_t *p, uint32_t n, uint32_t s)
{
    for (uint32_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

/* A frame the host sent on a local device (veth, TAP) may carry a TCP/UDP
 * checksum left for the hardware to fill in (TP_STATUS_CSUMNOTREADY);
 * frames leaving the graph on another interface must be complete, so the
 * checksum is computed here (IPv4 unfragmented, IPv6 without extension
 * headers, after at most one VLAN tag; anything else is left alone).
 * AF_XDP gives no such flag: with partial_only the checksum is computed
 * only when the field holds the folded pseudo-header sum, which is what
 * the stack leaves there for the hardware (a complete checksum equal to
 * it is recomputed to the same value). */
void ngi_eth_fix_csum(uint8_t *d, uint32_t len, int partial_only)
{
    uint32_t off = ETH_HDR;
    if (len < off)
        return;
    uint16_t et = (uint16_t)(d[12] << 8 | d[13]);
    if ((et == 0x8100 || et == 0x88a8) && len >= 18) {
        et = (uint16_t)(d[16] << 8 | d[17]);
        off = 18;
    }
    uint32_t l4, l4len, s;
    uint8_t proto;
    if (et == 0x0800 && len >= off + 20) {
        uint32_t ihl = (uint32_t)(d[off] & 0xf) * 4;
        uint32_t tot = (uint32_t)(d[off + 2] << 8 | d[off + 3]);
        if ((d[off + 6] & 0x3f) || d[off + 7] || ihl < 20 || tot < ihl || off + tot > len)
            return; /* a fragment, or malformed */
        proto = d[off + 9];
        l4 = off + ihl;
        l4len = tot - ihl;
        s = sum16(d + off + 12, 8, 0);
    } else if (et == 0x86dd && len >= off + 40) {
        proto = d[off + 6];
        l4 = off + 40;
        l4len = (uint32_t)(d[off + 4] << 8 | d[off + 5]);
        if (l4 + l4len > len)
            return;
        s = sum16(d + off + 8, 32, 0);
    } else {
        return;
    }
    uint32_t at = proto == 17 ? 6 : proto == 6 ? 16 : 0;
    if (!at || l4len < at + 2)
        return;
    s += proto + l4len;
    if (partial_only) {
        uint32_t f = s;
        while (f >> 16)
            f = (f & 0xffff) + (f >> 16);
        if ((uint32_t)(d[l4 + at] << 8 | d[l4 + at + 1]) != f)
            return; /* complete already (or no checksum) */
    }
    d[l4 + at] = d[l4 + at + 1] = 0;
    s = sum16(d + l4, l4len, s);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    uint16_t c = (uint16_t)~s;
    if (c == 0 && proto == 17)
        c = 0xffff;
    d[l4 + at] = (uint8_t)(c >> 8);
    d[l4 + at + 1] = (uint8_t)c;
}

int ngi_eth_rx_frame(struct eth_priv *p, struct ng_graph *g, struct ng_hook *lower,
                     const uint8_t *data, uint32_t len, int csum, struct ng_item **items,
                     unsigned *n)
{
    if (!lower) {
        ecount(p, ES_RX_NOHOOK, 1);
        return 0;
    }
    struct ng_item *it = ng_item_alloc(g, len);
    if (!it) {
        ecount(p, ES_RX_NOBUFS, 1);
        return 0;
    }
    memcpy(ng_item_data(it), data, len); /* the one copy */
    if (csum)
        ngi_eth_fix_csum(ng_item_data(it), len, csum == 2);
    items[(*n)++] = it;
    if (*n == NG_BURST_MAX)
        ngi_eth_rx_flush(lower, items, n);
    return 1;
}

/* One block's frames into items (copied once), pushed in bursts. */
static void rx_block(struct eth_priv *p, struct ng_graph *g, struct ng_hook *lower,
                     struct tpacket_block_desc *bd, struct ng_item **items, unsigned *n)
{
    uint32_t np = bd->hdr.bh1.num_pkts;
    uint8_t *at = (uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;
    uint64_t frames = 0, bytes = 0;
    for (uint32_t k = 0; k < np; k++) {
        struct tpacket3_hdr *h = (struct tpacket3_hdr *)(void *)at;
        const struct sockaddr_ll *sll =
            (const struct sockaddr_ll *)(const void *)(at +
                                                       TPACKET_ALIGN(sizeof(struct tpacket3_hdr)));
        uint32_t len = h->tp_snaplen;
        if (sll->sll_pkttype == PACKET_OUTGOING) {
            /* a frame the host sent: not from the wire */
        } else if (h->tp_snaplen < h->tp_len) {
            ecount(p, ES_RX_TRUNC, 1);
        } else if (ngi_eth_rx_frame(p, g, lower, at + h->tp_mac, len,
                                    (h->tp_status & TP_STATUS_CSUMNOTREADY) ? 1 : 0, items, n)) {
            frames++;
            bytes += len;
        }
        if (h->tp_next_offset == 0)
            break;
        at += h->tp_next_offset;
    }
    ecount(p, ES_RX_FRAMES, frames);
    ecount(p, ES_RX_BYTES, bytes);
}

/* A ring's callback: every block the kernel handed over (at most one pass
 * over the ring), then the blocks are returned to the kernel. */
static void eth_rx(struct ng_fdwatch *w, struct ng_node *node, struct ng_hook *hook, int fd,
                   unsigned revents, void *arg)
{
    (void)w;
    (void)hook;
    struct eth_priv *p = ng_node_private(node);
    struct eth_ring *r = arg;
    if (revents & (NG_FD_ERR | NG_FD_HUP)) {
        int e = 0;
        socklen_t l = sizeof(e);
        (void)getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l);
        ecount(p, ES_RX_ERR, 1);
    }
    if (r->xs) {
        ngi_eth_xdp_rx(p, node, r);
        return;
    }
    struct ng_graph *g = ng_node_graph(node);
    struct ng_hook *lower = atomic_load_explicit(&p->lower, memory_order_acquire);
    struct ng_item *items[NG_BURST_MAX];
    unsigned n = 0;
    uint32_t cur = atomic_load_explicit(&r->cur, memory_order_relaxed);
    for (uint32_t b = 0; b < r->bcount; b++) {
        struct tpacket_block_desc *bd =
            (struct tpacket_block_desc *)(void *)(r->map + (size_t)cur * r->bsize);
        /* The status word is shared with the kernel: acquire / release. */
        if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
            break;
        rx_block(p, g, lower, bd, items, &n);
        __atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
        cur = (cur + 1) % r->bcount;
        atomic_store_explicit(&r->cur, cur, memory_order_relaxed);
    }
    if (lower)
        ngi_eth_rx_flush(lower, items, &n);
}

/* ---- transmit ------------------------------------------------------------ */

int ngi_eth_rcvdata_burst(struct ng_hook *hook, struct ng_item **items, unsigned n)
{
    struct eth_priv *p = ng_node_private(ng_hook_node(hook));
    struct eth_att *a = atomic_load_explicit(&p->att, memory_order_acquire);
    if (!a) {
        ecount(p, ES_TX_NOTATT, n);
        for (unsigned i = 0; i < n; i++)
            ng_item_drop(items[i], NG_DROP_NOTCONN);
        return -ENETDOWN;
    }
    if (a->tp == ETH_TP_XDP)
        return ngi_eth_xdp_tx(p, a, items, n);
    int first = 0;
    int autosrc = (int)atomic_load_explicit(&p->autosrc, memory_order_relaxed);
    uint8_t src[NG_ETHER_ADDR_LEN];
    mac_unpack(atomic_load_explicit(&p->enaddr, memory_order_relaxed), src);
    struct mmsghdr mm[ETH_TX_CHUNK];
    struct iovec iov[ETH_TX_CHUNK];
    struct sockaddr_ll to[ETH_TX_CHUNK];
    struct ng_item *chunk[ETH_TX_CHUNK];
    unsigned i = 0;
    while (i < n) {
        unsigned k = 0;
        for (; i < n && k < ETH_TX_CHUNK; i++) {
            struct ng_item *it = items[i];
            uint32_t len = ng_item_len(it);
            if (len < ETH_HDR) {
                ecount(p, ES_TX_RUNT, 1);
                ng_item_free(it);
                if (!first)
                    first = -EINVAL;
                continue;
            }
            uint8_t *d = ng_item_data(it);
            if (autosrc)
                memcpy(d + 6, src, NG_ETHER_ADDR_LEN);
            memset(&mm[k], 0, sizeof(mm[k]));
            iov[k].iov_base = d;
            iov[k].iov_len = len;
            mm[k].msg_hdr.msg_iov = &iov[k];
            mm[k].msg_hdr.msg_iovlen = 1;
            memset(&to[k], 0, sizeof(to[k]));
            to[k].sll_family = AF_PACKET;
            to[k].sll_ifindex = a->ifindex;
            memcpy(&to[k].sll_protocol, d + 12, 2); /* the ethertype, network order */
            mm[k].msg_hdr.msg_name = &to[k];
            mm[k].msg_hdr.msg_namelen = sizeof(to[k]);
            chunk[k++] = it;
        }
        unsigned sent = 0;
        /* At most two tries: a full device queue is a drop, not a wait. */
        for (int tries = 0; tries < 2 && sent < k; tries++) {
            int r = sendmmsg(a->txfd, mm + sent, k - sent, MSG_DONTWAIT);
            if (r > 0) {
                for (unsigned j = sent; j < sent + (unsigned)r; j++)
                    ecount(p, ES_TX_BYTES, iov[j].iov_len);
                ecount(p, ES_TX_FRAMES, (uint64_t)r);
                sent += (unsigned)r;
                tries = -1; /* progress: try again */
            } else if (r < 0 && errno != EAGAIN && errno != EINTR) {
                /* this frame is refused (e.g. EMSGSIZE): skip it */
                if (!first)
                    first = -errno;
                ecount(p, ES_TX_ERR, 1);
                ng_item_free(chunk[sent]);
                chunk[sent++] = NULL;
                tries = -1;
            }
        }
        for (unsigned j = 0; j < k; j++) {
            if (!chunk[j])
                continue;
            if (j >= sent) {
                ecount(p, ES_TX_ERR, 1);
                if (!first)
                    first = -ENOBUFS;
            }
            ng_item_free(chunk[j]);
        }
    }
    return first;
}

int ngi_eth_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    return ngi_eth_rcvdata_burst(hook, &item, 1);
}
