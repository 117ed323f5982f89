/*
 * ether_int.h - the "ether" node type's private definitions, shared by
 * ether.c (node, hooks, messages), ring.c (the attachment, AF_PACKET
 * receive rings and transmit) and xdp.c (the AF_XDP transport).  The
 * concurrency invariants are in ether.c's header comment.
 */
#ifndef NGI_NODES_ETHER_INT_H
#define NGI_NODES_ETHER_INT_H

#include <arpa/inet.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ngraph/message.h>
#include <ngraph/ngraph.h>
#include <ngraph/nodes/ether.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif
#ifndef PACKET_FANOUT_FLAG_UNIQUEID
#define PACKET_FANOUT_FLAG_UNIQUEID 0x2000
#endif

#define ETH_HDR 14
#define ETH_MULTI_MAX 32
#define ETH_TX_CHUNK 64

enum {
    ES_RX_FRAMES,
    ES_RX_BYTES,
    ES_RX_NOHOOK, /* dropped: lower not connected */
    ES_RX_NOBUFS, /* dropped: no item (pool empty or frame over the item size) */
    ES_RX_TRUNC,  /* dropped: frame cut by the ring (larger than a block) */
    ES_RX_ERR,    /* socket errors reported on a ring */
    ES_TX_FRAMES,
    ES_TX_BYTES,
    ES_TX_NOTATT, /* dropped: not attached */
    ES_TX_RUNT,   /* dropped: shorter than an Ethernet header */
    ES_TX_ERR,    /* dropped: the kernel refused or had no room */
    ES_COUNT
};

/* Transports (NGM_ETHER_SET_TRANSPORT; p->cfg_tp, a->tp). */
enum {
    ETH_TP_AUTO,      /* AF_XDP when the kernel allows it, else AF_PACKET */
    ETH_TP_PACKET,    /* AF_PACKET only */
    ETH_TP_XDP,       /* AF_XDP (driver mode, else generic), no fallback */
    ETH_TP_XDP_DRV,   /* AF_XDP in driver (native) mode only */
    ETH_TP_XDP_SKB,   /* AF_XDP in generic (SKB) mode only */
    ETH_TP_COUNT
};
extern const char *const ngi_eth_tp_names[ETH_TP_COUNT];

#define ETH_WHY_LEN NG_ETHER_TP_REASONSIZ /* the reason of a fallback (TEXT_STATUS, GET_TRANSPORT) */

struct ngi_eth_xsk; /* xdp.c: one AF_XDP socket with its UMEM */
struct xdp_program; /* libxdp: the redirect program (xdp.c) */

struct eth_ring {
    struct ng_fdwatch w;
    int fd;
    struct ngi_eth_xsk *xs; /* AF_XDP: the socket (fd is its descriptor), else NULL */
    int watched;
    uint8_t *map;
    size_t maplen;
    uint32_t bsize, bcount;             /* block size and count */
    uint64_t kpackets, kdrops, kfreeze; /* PACKET_STATISTICS sums (TEXT_STATUS, p->lock) */
    _Atomic uint32_t cur; /* next block (the callback's; relaxed: TEXT_STATUS reads it) */
};

struct eth_att {
    struct ng_defer_entry defer;
    char ifname[NG_ETHER_IFNAMSIZ];
    int ifindex;
    unsigned fanout; /* fanout group id, 0 = none */
    unsigned fanout_flags; /* PACKET_FANOUT_FLAG_* the group was made with */
    int txfd;        /* AF_PACKET socket bound with protocol 0 (receives nothing):
                        the transmit socket, and the memberships' */
    int tp;          /* the transport in use: ETH_TP_PACKET or ETH_TP_XDP */
    char xdpmode[NG_ETHER_TPSIZ]; /* AF_XDP: "drv zerocopy", "drv copy" or "skb copy" */
    struct xdp_program *xprog;    /* AF_XDP: the program attached to the interface */
    int xprogfd;                  /* AF_XDP: its descriptor (owned by xprog) */
    int xattach;                  /* AF_XDP: its attach mode (enum xdp_attach_mode) */
    int xmapfd;                   /* AF_XDP: its xsks_map (owned by xprog), -1 if none */
    struct ng_ether_config cfg;
    unsigned nrings;
    struct eth_ring ring[];
};

struct eth_priv {
    struct ng_node *node;
    _Atomic(struct eth_att *) att;
    _Atomic(struct ng_hook *) lower;
    _Atomic uint32_t autosrc;
    _Atomic uint32_t promisc;
    _Atomic uint64_t enaddr; /* the interface's address, 48 bits (autosrc) */
    struct ng_pcounter *pc;
    pthread_mutex_t lock; /* attach/detach/config/multicast (see above) */
    struct ng_ether_config cfg;
    int cfg_tp;             /* the transport asked for (ETH_TP_*) */
    char why[ETH_WHY_LEN]; /* why the last attach did not use AF_XDP ("" when it did) */
    unsigned nmulti;
    uint8_t multi[ETH_MULTI_MAX][NG_ETHER_ADDR_LEN];
};

static inline void ecount(struct eth_priv *p, unsigned i, uint64_t v)
{
    ng_pcounter_add(p->pc, i, v);
}

static inline uint64_t mac_pack(const uint8_t *m)
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | m[i];
    return v;
}

static inline void mac_unpack(uint64_t v, uint8_t *m)
{
    for (int i = 5; i >= 0; i--) {
        m[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* ring.c: the attachment (sockets, rings, memberships) and the data path. */
void ngi_eth_att_release(struct eth_att *a);
int ngi_eth_if_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr);
int ngi_eth_if_get_enaddr(const char *ifname, uint8_t *mac);
int ngi_eth_membership(const struct eth_att *a, int add, int type, const uint8_t *addr);
/* Attach (p->lock held): -EISCONN when attached already. */
int ngi_eth_attach(struct eth_priv *p, const char *ifname);
/* Unpublish and retire the attachment (p->lock held). */
void ngi_eth_detach(struct eth_priv *p);
int ngi_eth_rcvdata_burst(struct ng_hook *hook, struct ng_item **items, unsigned n);
int ngi_eth_rcvdata(struct ng_hook *hook, struct ng_item *item);
/* ring.c: a TCP/UDP checksum left for the hardware, computed in place
 * (partial_only: only when the field holds the pseudo-header sum that the
 * stack leaves there, for transports that do not say so). */
void ngi_eth_fix_csum(uint8_t *d, uint32_t len, int partial_only);
void ngi_eth_rx_flush(struct ng_hook *lower, struct ng_item **items, unsigned *n);
/* One received frame copied into a pool item (the only copy on receive)
 * and appended to items (flushed on lower when full): 1, or 0 when it is
 * dropped and counted (lower unconnected, no item).  csum: 0 as is, 1
 * compute the TCP/UDP checksum, 2 only if partial (ngi_eth_fix_csum). */
int ngi_eth_rx_frame(struct eth_priv *p, struct ng_graph *g, struct ng_hook *lower,
                     const uint8_t *data, uint32_t len, int csum, struct ng_item **items,
                     unsigned *n);

/* xdp.c: the AF_XDP transport.  Without libxdp at build time every open
 * fails with -EPROTONOSUPPORT ("not built"). */
/* Open a's rings as AF_XDP sockets (queue i for ring i) in the modes tp
 * allows; fills a->ring[i].fd / .xs and a->xdpmode.  On failure nothing
 * is left open and why says what the kernel or libxdp refused. */
int ngi_eth_xdp_open(struct eth_att *a, int tp, char *why, size_t whylen);
/* Close the AF_XDP sockets now (the watches are removed; transmitters
 * that still hold a see them closed and drop), so that the queue can be
 * bound again at once.  Idempotent. */
void ngi_eth_xdp_close(struct eth_att *a);
/* Steering (p->lock held): put every socket in the program's map (on:
 * "lower" connected, frames to the node) or take them out (off: frames to
 * the host stack).  0 or the first error; no-op on AF_PACKET or closed. */
int ngi_eth_xdp_steer(struct eth_att *a, bool on);
/* Close and free the AF_XDP sockets and UMEMs (ngi_eth_att_release). */
void ngi_eth_xdp_free(struct eth_att *a);
/* The ring's callback body: received frames into items (one copy). */
void ngi_eth_xdp_rx(struct eth_priv *p, struct ng_node *node, struct eth_ring *r);
/* Transmit n items through ring 0's socket (consumes them): the first error. */
int ngi_eth_xdp_tx(struct eth_priv *p, struct eth_att *a, struct ng_item **items, unsigned n);
/* One TEXT_STATUS line for ring i (XDP_STATISTICS): bytes written. */
int ngi_eth_xdp_ring_status(const struct eth_ring *r, unsigned i, char *buf, size_t cap);

#endif
