/*
 * ether.h - the "ether" node type (FreeBSD's ng_ether(4)): a node attached
 * to an existing Linux network interface through AF_XDP (libxdp) where the
 * kernel allows it, else AF_PACKET (TPACKET_V3 receive rings, sendmmsg
 * transmit).  Docs: docs/nodes/ether.md.
 *
 * Cookie, hook names, command numbers and ASCII names are FreeBSD's
 * (sys/netgraph/ng_ether.h); NGM_ETHER_ATTACH, NGM_ETHER_DETACH and
 * NGM_ETHER_GET_CONFIG / NGM_ETHER_SET_CONFIG, NGM_ETHER_GET_TRANSPORT /
 * NGM_ETHER_SET_TRANSPORT are libngraph extensions
 * (numbers from 100, outside FreeBSD's range).
 */
#ifndef NGRAPH_NODES_ETHER_H
#define NGRAPH_NODES_ETHER_H

#include <stdint.h>

#include <ngraph/ngraph.h>

#define NG_ETHER_NODE_TYPE "ether"
#define NGM_ETHER_COOKIE 1108206947u

#define NG_ETHER_HOOK_LOWER "lower"    /* frames from and to the wire */
#define NG_ETHER_HOOK_UPPER "upper"    /* refused: -EOPNOTSUPP (see the manual) */
#define NG_ETHER_HOOK_DIVERT "divert"  /* alias for lower */
#define NG_ETHER_HOOK_ORPHAN "orphans" /* refused: -EOPNOTSUPP (see the manual) */

#define NG_ETHER_IFNAMSIZ 16 /* Linux IFNAMSIZ: names have at most 15 bytes */
#define NG_ETHER_ADDR_LEN 6
#define NG_ETHER_RINGS_MAX 64 /* NGM_ETHER_SET_CONFIG rings */

enum {
    NGM_ETHER_GET_IFNAME = 1, /* response: the interface name (string) */
    NGM_ETHER_GET_IFINDEX,    /* response: int32 interface index */
    NGM_ETHER_GET_ENADDR,     /* response: 6-byte Ethernet address */
    NGM_ETHER_SET_ENADDR,     /* argument: 6-byte Ethernet address */
    NGM_ETHER_GET_PROMISC,    /* response: int32 0/1 */
    NGM_ETHER_SET_PROMISC,    /* argument: int32 0/1 */
    NGM_ETHER_GET_AUTOSRC,    /* response: int32 0/1 */
    NGM_ETHER_SET_AUTOSRC,    /* argument: int32 0/1 */
    NGM_ETHER_ADD_MULTI,      /* argument: 6-byte multicast address */
    NGM_ETHER_DEL_MULTI,      /* argument: 6-byte multicast address */
    /* libngraph extensions */
    NGM_ETHER_ATTACH = 100,     /* argument: interface name (string) */
    NGM_ETHER_DETACH = 101,     /* no argument */
    NGM_ETHER_GET_CONFIG = 102, /* response: struct ng_ether_config */
    NGM_ETHER_SET_CONFIG = 103, /* argument: struct ng_ether_config */
    NGM_ETHER_GET_TRANSPORT = 104, /* response: struct ng_ether_transport */
    NGM_ETHER_SET_TRANSPORT = 105, /* argument: transport name (string, NG_ETHER_TP_*) */
};

/* NGM_ETHER_SET_TRANSPORT names (applied at the next attach, or at once by
 * re-attaching when attached, as NGM_ETHER_SET_CONFIG). */
#define NG_ETHER_TP_AUTO "auto"            /* AF_XDP if the kernel allows it, else AF_PACKET */
#define NG_ETHER_TP_AF_PACKET "af_packet"  /* AF_PACKET only */
#define NG_ETHER_TP_AF_XDP "af_xdp"        /* AF_XDP (driver mode, else generic); no fallback */
#define NG_ETHER_TP_AF_XDP_DRV "af_xdp_drv" /* AF_XDP in driver (native) mode only */
#define NG_ETHER_TP_AF_XDP_SKB "af_xdp_skb" /* AF_XDP in generic (SKB) mode only */
#define NG_ETHER_TPSIZ 16
#define NG_ETHER_TP_REASONSIZ 160

/* NGM_ETHER_GET_TRANSPORT's response (strings NUL-terminated). */
struct ng_ether_transport {
    char requested[NG_ETHER_TPSIZ]; /* the NGM_ETHER_SET_TRANSPORT name (default "auto") */
    char active[NG_ETHER_TPSIZ];    /* "af_xdp", "af_packet", or "none" (not attached) */
    char mode[NG_ETHER_TPSIZ];      /* af_xdp: "drv zerocopy", "drv copy", "skb copy"; else "" */
    char reason[NG_ETHER_TP_REASONSIZ]; /* why the last attach did not use AF_XDP ("" if it did) */
};

/* Receive ring configuration (NGM_ETHER_SET_CONFIG; applied at the next
 * attach, or at once by re-attaching when attached). */
struct ng_ether_config {
    uint32_t rings;       /* AF_PACKET sockets joined by PACKET_FANOUT (1..64; default 1) */
    uint32_t block_size;  /* ring block size, bytes: a power of two >= page size (default 65536) */
    uint32_t block_count; /* blocks per ring (2..1024; default 16) */
    uint32_t busypoll;    /* non-zero: poll the rings on every worker loop (NG_FD_BUSYPOLL) */
};

extern const struct ng_type ng_ether_type;

#endif
