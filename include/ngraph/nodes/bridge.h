/*
 * <ngraph/nodes/bridge.h> - the "bridge" node type, FreeBSD's ng_bridge(4):
 * a learning Ethernet switch over hooks "linkN" and "uplinkN", with a MAC
 * table aged by a one-second timer, loop detection, per-link statistics and
 * a persistent mode.  The cookie, command numbers, structs, hook names and
 * ASCII field names are FreeBSD's (sys/netgraph/ng_bridge.h, the version
 * with uplinks and NGM_BRIDGE_MOVE_HOST).  Docs: docs/nodes/bridge.md.
 */
#ifndef NGRAPH_NODES_BRIDGE_H
#define NGRAPH_NODES_BRIDGE_H

#include <stdint.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const struct ng_type ng_bridge_type;

#define NG_BRIDGE_NODE_TYPE "bridge"
#define NGM_BRIDGE_COOKIE 967239368u

/* Hook names: "link" or "uplink" followed by a decimal number without
 * leading zeros ("uplink0" is refused, as FreeBSD's). */
#define NG_BRIDGE_HOOK_LINK_PREFIX "link"
#define NG_BRIDGE_HOOK_LINK_FMT "link%d"
#define NG_BRIDGE_HOOK_UPLINK_PREFIX "uplink"
#define NG_BRIDGE_HOOK_UPLINK_FMT "uplink%d"

/* libngraph: the MAC table holds at most this many hosts (a full table
 * stops learning new ones, counted as memoryFailures). */
#define NG_BRIDGE_MAX_HOSTS 262144u
/* libngraph: the most hosts NGM_BRIDGE_GET_TABLE lists: the whole table
 * (a response may be up to NG_MAX_RESP_ARGLEN, 16 MiB; a full table is
 * 4 + 262144 * 42 bytes, about 10.5 MiB). */
#define NG_BRIDGE_TABLE_MAX NG_BRIDGE_MAX_HOSTS
/* libngraph: largest loopTimeout and minStableAge (seconds; a host's age
 * saturates at 65535). */
#define NG_BRIDGE_MAX_SECONDS 65535u

/* Defaults (FreeBSD's). */
#define NG_BRIDGE_DEFAULT_DEBUG 1
#define NG_BRIDGE_DEFAULT_LOOP_TIMEOUT 60
#define NG_BRIDGE_DEFAULT_MAX_STALENESS (15 * 60)
#define NG_BRIDGE_DEFAULT_MIN_STABLE_AGE 1

/* NGM_BRIDGE_SET_CONFIG / GET_CONFIG (16 bytes). */
struct ng_bridge_config {
    uint8_t debugLevel;    /* debug level (>= 2: loops are logged to stderr) */
    uint32_t loopTimeout;  /* seconds a looped link stays muted */
    uint32_t maxStaleness; /* seconds of silence before a host is forgotten (>= 1) */
    uint32_t minStableAge; /* a host moving sooner than this is a loop */
};

/* NGM_BRIDGE_GET_STATS / GETCLR_STATS response, one per link (112 bytes).
 * ASCII names are FreeBSD's: note "recvMulticast" and "recvBroadcast". */
struct ng_bridge_link_stats {
    uint64_t recvOctets;     /* total octets received on the link */
    uint64_t recvPackets;    /* total frames received on the link */
    uint64_t recvMulticasts; /* multicast frames received */
    uint64_t recvBroadcasts; /* broadcast frames received */
    uint64_t recvUnknown;    /* frames received with an unknown destination */
    uint64_t recvRunts;      /* frames received shorter than 14 bytes */
    uint64_t recvInvalid;    /* frames received with a multicast source address */
    uint64_t xmitOctets;     /* total octets sent out of the link */
    uint64_t xmitPackets;    /* total frames sent out of the link */
    uint64_t xmitMulticasts; /* multicast frames sent */
    uint64_t xmitBroadcasts; /* broadcast frames sent */
    uint64_t loopDrops;      /* frames dropped: link muted, or host unstable */
    uint64_t loopDetects;    /* loops detected on the link */
    uint64_t memoryFailures; /* no memory for a host entry or a frame copy */
};

/* One host of NGM_BRIDGE_GET_TABLE's answer (42 bytes, alignment 2). */
struct ng_bridge_host {
    uint8_t addr[6];       /* Ethernet address */
    uint16_t age;          /* seconds since the entry was created or moved */
    uint16_t staleness;    /* seconds since the host was last heard from */
    char hook[NG_HOOKSIZ]; /* the link where addr can be found */
};

/* NGM_BRIDGE_GET_TABLE response. */
struct ng_bridge_host_ary {
    uint32_t numHosts;
    struct ng_bridge_host hosts[];
};

/* NGM_BRIDGE_MOVE_HOST argument (38 bytes). */
struct ng_bridge_move_host {
    uint8_t addr[6];       /* Ethernet address */
    char hook[NG_HOOKSIZ]; /* the link addr is on; "" = the hook the message came in by */
};

/* Control messages (FreeBSD's numbers). */
enum {
    NGM_BRIDGE_SET_CONFIG = 1,     /* struct ng_bridge_config */
    NGM_BRIDGE_GET_CONFIG = 2,     /* response struct ng_bridge_config */
    NGM_BRIDGE_RESET = 3,          /* forget every host, unmute every link, clear stats */
    NGM_BRIDGE_GET_STATS = 4,      /* int32 link (-N: uplinkN); response link_stats */
    NGM_BRIDGE_CLR_STATS = 5,      /* int32 link */
    NGM_BRIDGE_GETCLR_STATS = 6,   /* int32 link; response link_stats */
    NGM_BRIDGE_GET_TABLE = 7,      /* response struct ng_bridge_host_ary */
    NGM_BRIDGE_SET_PERSISTENT = 8, /* no argument */
    NGM_BRIDGE_MOVE_HOST = 9,      /* struct ng_bridge_move_host */
};

#ifdef __cplusplus
}
#endif

#endif
