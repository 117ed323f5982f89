/*
 * ether_int.h - the "ether" node type's private definitions, shared by
 * ether.c (node, hooks, messages) and ring.c (AF_PACKET attachment,
 * receive rings, transmit).  The concurrency invariants are in ether.c's
 * header comment.
 */
#ifndef NGI_NODES_ETHER_INT_H
#define NGI_NODES_ETHER_INT_H

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <pthread.h>
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

struct eth_ring {
    struct ng_fdwatch w;
    int fd;
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
    int txfd;        /* transmit socket: bound, protocol 0 (receives nothing) */
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

#endif
