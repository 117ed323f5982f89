/*
 * xdp.c - the "ether" node type's AF_XDP transport (docs/nodes/ether.md,
 * "Transports"; the node and its concurrency invariants are in ether.c,
 * the AF_PACKET transport in ring.c, whose structure this file mirrors).
 *
 * One AF_XDP socket per ring, bound to the interface's queue i, each with
 * its own UMEM (xsk_umem__create): the first half of the UMEM's frames
 * are the receive frames (always either in the fill ring or in the rx
 * ring: the callback returns each to the fill ring right after copying
 * it), the second half the transmit frames (ring 0 only; a stack of free
 * ones, refilled from the completion ring).  The attachment loads and
 * attaches its own copy of libxdp's default redirect program
 * (xsk_def_xdp_prog.o: a frame of queue q goes to the socket in entry q
 * of its xsks_map, or to the host stack if the entry is empty).  Modes
 * are tried in order: driver mode with zero-copy, driver mode copying,
 * generic (SKB) mode copying, as the requested transport allows.
 *
 * Steering (ngi_eth_xdp_steer, p->lock): the map holds the sockets only
 * while "lower" is connected; unconnected, the interface's frames go to
 * the host stack, as FreeBSD's ether node lets them flow through the
 * kernel while its lower hook is not connected.
 *
 * Receive: the socket's descriptor is a runtime fd watch (reader access,
 * NG_FD_SHARED, as ring.c's); the callback takes the rx descriptors, copies
 * each frame once, from its UMEM frame into a pool item, and sends them
 * on "lower" in bursts.  Transmit: the AF_XDP tx ring has a single
 * producer while the data path is shared, so transmitters serialise on
 * the socket's txlock; each frame is copied once into a UMEM frame (the
 * item is freed at once), the descriptors are submitted and the kernel is
 * kicked with sendto().
 *
 * Concurrency: the fill and rx rings are the watch callback's only (the
 * engine runs at most one call of a watch, and the watch is removed
 * before ngi_eth_xdp_close); the tx and completion rings, the free stack
 * and `closed` are txlock's.  ngi_eth_xdp_close takes txlock, deletes
 * the socket and the UMEM and sets `closed`; a transmitter still holding
 * the attachment (freed after a grace period) then drops.
 */
#include "ether_int.h"

const char *const ngi_eth_tp_names[ETH_TP_COUNT] = {"auto", "af_packet", "af_xdp", "af_xdp_drv",
                                                    "af_xdp_skb"};

#ifdef NG_HAVE_LIBXDP

#include <fcntl.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <linux/if_xdp.h>
#include <stdarg.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

/* UMEM frame sizes: 2048 bytes when the interface's largest frame fits in
 * one with the kernel's XDP_PACKET_HEADROOM (256) before it, counting two
 * VLAN tags and a frame check sequence (drivers that bind zero-copy check
 * the MTU against the chunk that way): MTU <= 1766; else 4096.  Chosen at
 * attach: an MTU raised later needs a re-attach (until then longer frames
 * are dropped by the kernel, as any frame over a UMEM frame is).  The
 * smaller frame doubles the receive frames a given ring memory
 * (block_size x block_count) buys: the default 1 MiB gives 512 instead of
 * 256, which a burst from the wire would otherwise exhaust before the
 * worker refills the fill ring. */
#define XSK_FRAME_SMALL 2048u
#define XSK_FRAME_LARGE 4096u
#define XSK_HEADROOM 256u /* XDP_PACKET_HEADROOM */
#define XSK_RX_MIN 64u
#define XSK_RX_MAX 16384u
/* libxdp's default redirect program (Debian: libxdp1, in
 * /usr/lib/<arch>/bpf; LIBXDP_OBJECT_PATH overrides the directory). */
#define XSK_PROG_FILE "xsk_def_xdp_prog.o"

struct ngi_eth_xsk {
    struct xsk_umem *umem;
    struct xsk_socket *xsk;
    struct xsk_ring_prod fq, tx;
    struct xsk_ring_cons cq, rx;
    uint8_t *area;
    size_t arealen;
    uint32_t nrx, ntx; /* receive frames, transmit frames (0 but for ring 0) */
    uint32_t mtu;
    uint32_t fsize; /* the UMEM frame size: XSK_FRAME_SMALL or _LARGE */
    int zerocopy;
    pthread_mutex_t txlock;
    int closed;        /* txlock's */
    uint32_t nfree;    /* txlock's: free transmit frames */
    uint64_t txfree[]; /* txlock's: their addresses */
};

/* libbpf and libxdp report through a print callback: the last warning is
 * kept (per thread) as the reason of a refusal; nothing goes to stderr. */
static _Thread_local char xdp_lastmsg[96];

static int xdp_print(const char *fmt, va_list ap)
{
    char b[sizeof(xdp_lastmsg)];
    int n = vsnprintf(b, sizeof(b), fmt, ap);
    size_t l = strlen(b);
    while (l && (b[l - 1] == '\n' || b[l - 1] == ' '))
        b[--l] = '\0';
    if (l)
        memcpy(xdp_lastmsg, b, l + 1);
    return n;
}

static int xdp_print_bpf(enum libbpf_print_level lv, const char *fmt, va_list ap)
{
    return lv == LIBBPF_WARN ? xdp_print(fmt, ap) : 0;
}

static int xdp_print_xdp(enum libxdp_print_level lv, const char *fmt, va_list ap)
{
    return lv == LIBXDP_WARN ? xdp_print(fmt, ap) : 0;
}

static pthread_once_t xdp_once = PTHREAD_ONCE_INIT;

static void xdp_init_print(void)
{
    libbpf_set_print(xdp_print_bpf);
    libxdp_set_print(xdp_print_xdp);
}

static void xsk_free(struct ngi_eth_xsk *x)
{
    if (x->xsk)
        xsk_socket__delete(x->xsk);
    if (x->umem)
        (void)xsk_umem__delete(x->umem);
    if (x->area)
        munmap(x->area, x->arealen);
    pthread_mutex_destroy(&x->txlock);
    free(x);
}

static uint32_t pow2_floor(uint64_t v)
{
    uint32_t r = 1;
    while ((uint64_t)r * 2 <= v && r < (1u << 31))
        r *= 2;
    return r;
}

/* One socket on queue q, bound with bind_flags, its UMEM and its frames
 * in the fill ring (not in the program's map yet: ngi_eth_xdp_steer). */
static int xsk_open(const struct eth_att *a, unsigned q, int with_tx, uint16_t bind_flags,
                    struct ngi_eth_xsk **out)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    int rc = ngi_eth_if_ioctl(a->ifname, SIOCGIFMTU, &ifr);
    if (rc < 0)
        return rc;
    uint32_t mtu = (uint32_t)ifr.ifr_mtu;
    uint32_t fsize = mtu + ETH_HDR + 8 + 4 + XSK_HEADROOM <= XSK_FRAME_SMALL ? XSK_FRAME_SMALL
                                                                              : XSK_FRAME_LARGE;
    uint64_t bytes = (uint64_t)a->cfg.block_size * a->cfg.block_count;
    uint32_t nrx = pow2_floor(bytes / fsize);
    nrx = nrx < XSK_RX_MIN ? XSK_RX_MIN : nrx > XSK_RX_MAX ? XSK_RX_MAX : nrx;
    uint32_t ntx = with_tx ? nrx : 0;
    struct ngi_eth_xsk *x = calloc(1, sizeof(*x) + ntx * sizeof(x->txfree[0]));
    if (!x)
        return -ENOMEM;
    if (pthread_mutex_init(&x->txlock, NULL) != 0) {
        free(x);
        return -ENOMEM;
    }
    x->nrx = nrx;
    x->ntx = ntx;
    x->mtu = mtu;
    x->fsize = fsize;
    x->arealen = (size_t)(nrx + ntx) * fsize;
    void *m = mmap(NULL, x->arealen, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (m == MAP_FAILED) {
        rc = -errno;
        x->area = NULL;
        goto fail;
    }
    x->area = m;
    struct xsk_umem_config uc = {
        .fill_size = nrx,
        .comp_size = nrx,
        .frame_size = fsize,
        .frame_headroom = 0,
        .flags = 0,
    };
    rc = xsk_umem__create(&x->umem, x->area, x->arealen, &x->fq, &x->cq, &uc);
    if (rc < 0) {
        x->umem = NULL;
        goto fail;
    }
    /* the program is ours (ngi_eth_xdp_open): libxdp loads none */
    struct xsk_socket_config sc = {
        .rx_size = nrx,
        .tx_size = ntx,
        .libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
        .xdp_flags = 0,
        .bind_flags = bind_flags,
    };
    rc = xsk_socket__create(&x->xsk, a->ifname, q, x->umem, &x->rx, ntx ? &x->tx : NULL, &sc);
    if (rc < 0) {
        x->xsk = NULL;
        goto fail;
    }
    /* libxdp 1.3.1 opens them without SOCK_CLOEXEC: a child of a fork+exec
     * (a shell command of the application) would keep the queue bound
     * until it exits, and the next bind fail with EBUSY.  (A fork by
     * another thread between socket() and here still inherits them.) */
    (void)fcntl(xsk_socket__fd(x->xsk), F_SETFD, FD_CLOEXEC);
    (void)fcntl(xsk_umem__fd(x->umem), F_SETFD, FD_CLOEXEC);
    struct xdp_options o;
    socklen_t ol = sizeof(o);
    memset(&o, 0, sizeof(o));
    if (getsockopt(xsk_socket__fd(x->xsk), SOL_XDP, XDP_OPTIONS, &o, &ol) == 0)
        x->zerocopy = (o.flags & XDP_OPTIONS_ZEROCOPY) != 0;
    /* every receive frame to the kernel */
    uint32_t idx = 0;
    if (xsk_ring_prod__reserve(&x->fq, nrx, &idx) != nrx) {
        rc = -ENOSPC;
        goto fail;
    }
    for (uint32_t i = 0; i < nrx; i++)
        *xsk_ring_prod__fill_addr(&x->fq, idx + i) = (uint64_t)i * fsize;
    xsk_ring_prod__submit(&x->fq, nrx);
    for (uint32_t i = 0; i < ntx; i++)
        x->txfree[i] = (uint64_t)(nrx + i) * fsize;
    x->nfree = ntx;
    *out = x;
    return 0;
fail:
    xsk_free(x);
    return rc;
}

/* The attach modes, and the bind modes tried in each (first that works). */
static const struct xdp_try {
    enum xdp_attach_mode mode;
    uint16_t bind_flags;
    const char *name;  /* a->xdpmode */
    const char *label; /* in a refusal */
} xdp_tries[] = {
    {XDP_MODE_NATIVE, XDP_ZEROCOPY | XDP_USE_NEED_WAKEUP, "drv zerocopy", "driver zero-copy"},
    {XDP_MODE_NATIVE, XDP_COPY | XDP_USE_NEED_WAKEUP, "drv copy", "driver copy"},
    {XDP_MODE_SKB, XDP_COPY | XDP_USE_NEED_WAKEUP, "skb copy", "generic copy"},
};

static uint32_t xdp_flags(enum xdp_attach_mode m)
{
    return m == XDP_MODE_NATIVE ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
}

/* Remove our program from the interface, only if it is still ours. */
static void xdp_detach(int ifindex, int pfd, enum xdp_attach_mode m)
{
    struct bpf_xdp_attach_opts o;
    memset(&o, 0, sizeof(o));
    o.sz = sizeof(o);
    o.old_prog_fd = pfd;
    (void)bpf_xdp_detach(ifindex, XDP_FLAGS_REPLACE | xdp_flags(m), &o);
}

static void why_add(char *why, size_t whylen, size_t *wl, const char *what, int rc)
{
    if (*wl >= whylen)
        return;
    int n = snprintf(why + *wl, whylen - *wl, "%s%s: %s%s%s", *wl ? "; " : "", what,
                     strerror(rc < 0 ? -rc : rc), xdp_lastmsg[0] ? " - " : "", xdp_lastmsg);
    *wl += n > 0 ? (size_t)n : 0;
    xdp_lastmsg[0] = '\0';
}

/* Every ring's socket in bind mode t (the program attached): 0, or the
 * error with nothing left open. */
static int xdp_open_rings(struct eth_att *a, const struct xdp_try *t, unsigned *bad)
{
    int rc = 0;
    unsigned i = 0;
    for (; i < a->nrings && rc == 0; i++) {
        /* A queue unbound by a socket just closed (a re-attach, or a
         * detach just before) is released by the kernel a little later
         * (deferred work after the socket's destruction): EBUSY until
         * then (seen past 100 ms on a loaded machine).  Bounded: 200 tries,
         * 5 ms apart. */
        for (int tries = 0; tries < 200; tries++) {
            rc = xsk_open(a, i, i == 0, t->bind_flags, &a->ring[i].xs);
            if (rc != -EBUSY)
                break;
            usleep(5000);
        }
    }
    if (rc == 0) {
        for (i = 0; i < a->nrings; i++)
            a->ring[i].fd = xsk_socket__fd(a->ring[i].xs->xsk);
        return 0;
    }
    *bad = i - 1; /* a->ring[i - 1].xs was not set */
    for (unsigned j = 0; j + 1 < i; j++) {
        xsk_free(a->ring[j].xs);
        a->ring[j].xs = NULL;
    }
    a->ring[i - 1].xs = NULL;
    return rc;
}

int ngi_eth_xdp_open(struct eth_att *a, int tp, char *why, size_t whylen)
{
    pthread_once(&xdp_once, xdp_init_print);
    size_t wl = 0;
    why[0] = '\0';
    xdp_lastmsg[0] = '\0';
    struct xdp_program *prog = xdp_program__find_file(XSK_PROG_FILE, NULL, NULL);
    long perr = libxdp_get_error(prog);
    if (perr) {
        why_add(why, whylen, &wl, "libxdp program " XSK_PROG_FILE, (int)perr);
        return perr < 0 ? (int)perr : -ENOENT;
    }
    struct bpf_map *map =
        bpf_object__find_map_by_name(xdp_program__bpf_obj(prog), "xsks_map");
    int rc = map ? 0 : -ENOENT;
    if (map && bpf_map__max_entries(map) < a->nrings)
        rc = bpf_map__set_max_entries(map, a->nrings);
    if (rc < 0) {
        why_add(why, whylen, &wl, XSK_PROG_FILE " xsks_map", rc);
        xdp_program__close(prog);
        return rc;
    }
    /* loaded and attached with libbpf (libxdp's own attach and detach
     * leave a program descriptor open each time in 1.3.1, without bpffs) */
    struct bpf_object *obj = xdp_program__bpf_obj(prog);
    rc = bpf_object__load(obj);
    struct bpf_program *bp = rc == 0 ? bpf_object__next_program(obj, NULL) : NULL;
    int pfd = bp ? bpf_program__fd(bp) : -1;
    if (pfd < 0) {
        why_add(why, whylen, &wl, "load " XSK_PROG_FILE, rc < 0 ? rc : -ENOENT);
        xdp_program__close(prog);
        return rc < 0 ? rc : -ENOENT;
    }
    /* auto: zero-copy only.  A copying AF_XDP socket has nothing over an
     * AF_PACKET ring (one copy each way either way) and, on a veth, forwarded
     * half as many frames (ngbench net, ether-bridge-ether W=1: 0.45-0.47
     * against 0.86-0.89 Mfps, 2026-12-03; probably because the program and
     * the copy into the UMEM run in the sender's softirq, on the sender's
     * CPU).  The copy modes stay for af_xdp, af_xdp_drv and af_xdp_skb. */
    unsigned first = tp == ETH_TP_XDP_SKB ? 2 : 0;
    unsigned last = tp == ETH_TP_AUTO ? 0 : tp == ETH_TP_XDP_DRV ? 1 : 2;
    if (tp == ETH_TP_AUTO)
        wl = (size_t)snprintf(why, whylen, "auto: af_xdp zero-copy only");
    rc = -EOPNOTSUPP;
    for (unsigned t = first; t <= last; t++) {
        const struct xdp_try *m = &xdp_tries[t];
        if (t == first || m->mode != xdp_tries[t - 1].mode) {
            rc = bpf_xdp_attach(a->ifindex, pfd, XDP_FLAGS_UPDATE_IF_NOEXIST | xdp_flags(m->mode),
                                NULL);
            if (rc < 0) {
                char what[48];
                snprintf(what, sizeof(what), "%s attach",
                         m->mode == XDP_MODE_NATIVE ? "driver" : "generic");
                why_add(why, whylen, &wl, what, rc);
                if (m->mode == XDP_MODE_NATIVE && t < last)
                    t++; /* no driver mode: skip its other bind mode */
                continue;
            }
        }
        unsigned bad = 0;
        rc = xdp_open_rings(a, m, &bad);
        if (rc == 0) {
            a->xprog = prog;
            a->xmapfd = bpf_map__fd(map);
            a->xprogfd = pfd;
            a->xattach = (int)m->mode;
            snprintf(a->xdpmode, sizeof(a->xdpmode), "%s", m->name);
            why[0] = '\0';
            return 0;
        }
        char what[48];
        snprintf(what, sizeof(what), "%s: queue %u", m->label, bad);
        why_add(why, whylen, &wl, what, rc);
        if (t == last || xdp_tries[t + 1].mode != m->mode)
            xdp_detach(a->ifindex, pfd, m->mode);
    }
    xdp_program__close(prog);
    return rc;
}

void ngi_eth_xdp_close(struct eth_att *a)
{
    for (unsigned i = 0; i < a->nrings; i++) {
        struct ngi_eth_xsk *x = a->ring[i].xs;
        if (!x)
            continue;
        pthread_mutex_lock(&x->txlock);
        if (!x->closed) {
            xsk_socket__delete(x->xsk);
            (void)xsk_umem__delete(x->umem);
            x->xsk = NULL;
            x->umem = NULL;
            a->ring[i].fd = -1;
            x->closed = 1;
        }
        pthread_mutex_unlock(&x->txlock);
    }
    if (a->xprog) {
        /* fails harmlessly when the interface went away (and its program) */
        xdp_detach(a->ifindex, a->xprogfd, (enum xdp_attach_mode)a->xattach);
        xdp_program__close(a->xprog);
        a->xprog = NULL;
        a->xmapfd = -1;
    }
}

int ngi_eth_xdp_steer(struct eth_att *a, bool on)
{
    if (a->xmapfd < 0)
        return 0; /* closed: nothing redirects any more */
    int first = 0;
    for (unsigned i = 0; i < a->nrings; i++) {
        struct ngi_eth_xsk *x = a->ring[i].xs;
        if (!x || x->closed)
            continue;
        uint32_t q = i; /* ring i is bound to queue i */
        int rc = on ? xsk_socket__update_xskmap(x->xsk, a->xmapfd)
                    : bpf_map_delete_elem(a->xmapfd, &q);
        if (!on && rc == -ENOENT)
            rc = 0; /* not in the map (never steered); libbpf 1.x: -errno */
        if (rc < 0 && first == 0)
            first = rc;
    }
    return first;
}

/* Called by ngi_eth_att_release (ring.c). */
void ngi_eth_xdp_free(struct eth_att *a)
{
    ngi_eth_xdp_close(a);
    for (unsigned i = 0; i < a->nrings; i++) {
        if (a->ring[i].xs)
            xsk_free(a->ring[i].xs);
        a->ring[i].xs = NULL;
    }
}

/* ---- receive ------------------------------------------------------------- */

void ngi_eth_xdp_rx(struct eth_priv *p, struct ng_node *node, struct eth_ring *r)
{
    struct ngi_eth_xsk *x = r->xs;
    struct ng_graph *g = ng_node_graph(node);
    struct ng_hook *lower = atomic_load_explicit(&p->lower, memory_order_acquire);
    struct ng_item *items[NG_BURST_MAX];
    unsigned n = 0;
    uint64_t frames = 0, bytes = 0;
    /* at most one pass over the ring, as ring.c */
    for (uint32_t done = 0; done < x->nrx;) {
        uint32_t ri = 0, fi = 0;
        uint32_t k = xsk_ring_cons__peek(&x->rx, NG_BURST_MAX, &ri);
        if (k == 0)
            break;
        /* the fill ring has room for every frame: nrx entries, and a frame
         * is either there, in the rx ring or here */
        (void)xsk_ring_prod__reserve(&x->fq, k, &fi);
        for (uint32_t j = 0; j < k; j++) {
            const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx, ri + j);
            uint64_t addr = xsk_umem__add_offset_to_addr(d->addr);
            uint32_t len = d->len;
            /* the one copy: UMEM frame -> item; checksum only if partial */
            if (ngi_eth_rx_frame(p, g, lower, xsk_umem__get_data(x->area, addr), len, 2, items,
                                 &n)) {
                frames++;
                bytes += len;
            }
            *xsk_ring_prod__fill_addr(&x->fq, fi + j) = addr - addr % x->fsize;
        }
        xsk_ring_cons__release(&x->rx, k);
        xsk_ring_prod__submit(&x->fq, k);
        done += k;
    }
    if (xsk_ring_prod__needs_wakeup(&x->fq))
        (void)recvfrom(r->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
    if (lower)
        ngi_eth_rx_flush(lower, items, &n);
    ecount(p, ES_RX_FRAMES, frames);
    ecount(p, ES_RX_BYTES, bytes);
}

/* ---- transmit ------------------------------------------------------------ */

/* Completed transmit frames back to the free stack (txlock held). */
static void xsk_reap(struct ngi_eth_xsk *x)
{
    uint32_t ci = 0;
    uint32_t k = xsk_ring_cons__peek(&x->cq, x->ntx, &ci);
    for (uint32_t j = 0; j < k; j++)
        x->txfree[x->nfree++] = *xsk_ring_cons__comp_addr(&x->cq, ci + j);
    if (k)
        xsk_ring_cons__release(&x->cq, k);
}

/* Descriptors submitted that the kernel has not taken yet (txlock held). */
static uint32_t xsk_tx_pending(struct ngi_eth_xsk *x)
{
    return x->tx.size - xsk_prod_nb_free(&x->tx, x->tx.size);
}

/* Hand the submitted descriptors to the kernel (txlock held): 0, or the
 * kernel's -errno when it refuses for good (the interface went away).  In
 * copy mode one sendto() sends at most 32 descriptors (the kernel's
 * TX_BATCH_SIZE) and answers EAGAIN while more remain, so the kick repeats
 * while the kernel takes descriptors: the ones left in the ring would keep
 * their UMEM frames and the ring's slots until the next burst's kick, and a
 * burst of 256 would see later frames dropped (tx_drop_error).  It stops
 * when the ring is empty or twice in a row nothing was taken (the device
 * is busy: the descriptors stay for the next kick), reaping completions
 * between tries (ENOBUFS: the completion ring is full). */
static int xsk_kick(struct ngi_eth_xsk *x, int fd)
{
    if (!xsk_ring_prod__needs_wakeup(&x->tx))
        return 0;
    uint32_t left = xsk_tx_pending(x);
    for (unsigned stuck = 0; left > 0 && stuck < 2;) {
        if (sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN &&
            errno != EBUSY && errno != ENOBUFS && errno != EINTR)
            return -errno;
        xsk_reap(x);
        uint32_t now = xsk_tx_pending(x);
        stuck = now < left ? 0 : stuck + 1;
        left = now;
    }
    return 0;
}

int ngi_eth_xdp_tx(struct eth_priv *p, struct eth_att *a, struct ng_item **items, unsigned n)
{
    struct eth_ring *r = &a->ring[0];
    struct ngi_eth_xsk *x = r->xs;
    int first = 0;
    int autosrc = (int)atomic_load_explicit(&p->autosrc, memory_order_relaxed);
    uint8_t src[NG_ETHER_ADDR_LEN];
    mac_unpack(atomic_load_explicit(&p->enaddr, memory_order_relaxed), src);
    pthread_mutex_lock(&x->txlock);
    if (x->closed) {
        pthread_mutex_unlock(&x->txlock);
        ecount(p, ES_TX_NOTATT, n);
        for (unsigned i = 0; i < n; i++)
            ng_item_drop(items[i], NG_DROP_NOTCONN);
        return -ENETDOWN;
    }
    xsk_reap(x);
    uint32_t ti = 0, k = 0;
    uint64_t bytes = 0;
    unsigned i = 0;
    for (; i < n; i++) {
        struct ng_item *it = items[i];
        uint32_t len = ng_item_len(it);
        const uint8_t *d = ng_item_data(it);
        uint32_t vlan = len >= ETH_HDR && ((d[12] == 0x81 && d[13] == 0x00) ||
                                           (d[12] == 0x88 && d[13] == 0xa8))
                            ? 4
                            : 0;
        int e = 0;
        if (len < ETH_HDR) {
            ecount(p, ES_TX_RUNT, 1);
            e = -EINVAL;
        } else if (len > x->mtu + ETH_HDR + vlan || len > x->fsize) {
            ecount(p, ES_TX_ERR, 1);
            e = -EMSGSIZE; /* as a packet socket refuses it */
        } else if (x->nfree == 0 || xsk_ring_prod__reserve(&x->tx, 1, &ti) != 1) {
            ecount(p, ES_TX_ERR, 1);
            e = -ENOBUFS; /* ring full: a drop, not a wait (ring.c) */
        }
        if (e) {
            if (!first)
                first = e;
            ng_item_free(it);
            continue;
        }
        uint64_t addr = x->txfree[--x->nfree];
        uint8_t *f = xsk_umem__get_data(x->area, addr);
        memcpy(f, d, len);
        if (autosrc)
            memcpy(f + 6, src, NG_ETHER_ADDR_LEN);
        ng_item_free(it);
        /* reserved one by one: consecutive slots, submitted together */
        struct xdp_desc *td = xsk_ring_prod__tx_desc(&x->tx, ti);
        td->addr = addr;
        td->len = len;
        td->options = 0;
        k++;
        bytes += len;
    }
    if (k) {
        xsk_ring_prod__submit(&x->tx, k);
        int rc = xsk_kick(x, r->fd);
        if (rc < 0) {
            ecount(p, ES_TX_ERR, k);
            if (!first)
                first = rc;
        } else {
            ecount(p, ES_TX_FRAMES, k);
            ecount(p, ES_TX_BYTES, bytes);
        }
    }
    pthread_mutex_unlock(&x->txlock);
    return first;
}

/* ---- status -------------------------------------------------------------- */

/* Descriptors the kernel has put in the rx ring that the callback has not
 * taken yet (a racy snapshot: TEXT_STATUS). */
static unsigned xsk_rx_pending(const struct ngi_eth_xsk *x)
{
    if (x->closed)
        return 0;
    uint32_t prod = __atomic_load_n(x->rx.producer, __ATOMIC_ACQUIRE);
    uint32_t cons = __atomic_load_n(x->rx.consumer, __ATOMIC_RELAXED);
    return prod - cons;
}

int ngi_eth_xdp_ring_status(const struct eth_ring *r, unsigned i, char *buf, size_t cap)
{
    struct xdp_statistics st;
    socklen_t l = sizeof(st);
    memset(&st, 0, sizeof(st));
    if (r->fd >= 0)
        (void)getsockopt(r->fd, SOL_XDP, XDP_STATISTICS, &st, &l);
    int n = snprintf(buf, cap,
                     "ring %u: af_xdp fd %d queue %u worker %d umem %u+%u x %u%s pending %u "
                     "kernel dropped=%llu invalid=%llu ring_full=%llu fill_empty=%llu "
                     "tx_invalid=%llu\n",
                     i, r->fd, i, ng_fdwatch_worker(&r->w), r->xs->nrx, r->xs->ntx, r->xs->fsize,
                     r->xs->zerocopy ? " zerocopy" : "", xsk_rx_pending(r->xs),
                     (unsigned long long)st.rx_dropped,
                     (unsigned long long)st.rx_invalid_descs,
                     (unsigned long long)st.rx_ring_full,
                     (unsigned long long)st.rx_fill_ring_empty_descs,
                     (unsigned long long)st.tx_invalid_descs);
    return n > 0 ? n : 0;
}

#else /* !NG_HAVE_LIBXDP */

int ngi_eth_xdp_open(struct eth_att *a, int tp, char *why, size_t whylen)
{
    (void)a;
    (void)tp;
    snprintf(why, whylen, "af_xdp: not built (libxdp was not found at build time)");
    return -EPROTONOSUPPORT;
}

void ngi_eth_xdp_close(struct eth_att *a) { (void)a; }

int ngi_eth_xdp_steer(struct eth_att *a, bool on)
{
    (void)a;
    (void)on;
    return 0; /* no AF_XDP attachment exists */
}

void ngi_eth_xdp_free(struct eth_att *a) { (void)a; }

void ngi_eth_xdp_rx(struct eth_priv *p, struct ng_node *node, struct eth_ring *r)
{
    (void)p;
    (void)node;
    (void)r; /* no AF_XDP ring is ever opened */
}

int ngi_eth_xdp_tx(struct eth_priv *p, struct eth_att *a, struct ng_item **items, unsigned n)
{
    (void)a;
    ecount(p, ES_TX_ERR, n);
    for (unsigned i = 0; i < n; i++)
        ng_item_free(items[i]);
    return -EPROTONOSUPPORT; /* unreachable: a->tp is never ETH_TP_XDP */
}

int ngi_eth_xdp_ring_status(const struct eth_ring *r, unsigned i, char *buf, size_t cap)
{
    (void)r;
    (void)i;
    (void)buf;
    (void)cap;
    return 0;
}

#endif
