/*
 * <ngraph/nodes/macfilter.h> - the "macfilter" node type (FreeBSD's
 * ng_macfilter(4)): frames from the "ether" hook leave by the hook their
 * source MAC address is directed to in the node's MAC table, else by
 * "default"; frames from any other hook go out of "ether".  Cookie, command
 * numbers, structs and ASCII names are FreeBSD's <netgraph/ng_macfilter.h>;
 * docs/nodes/macfilter.md describes the behaviour.
 */
#ifndef NGRAPH_NODES_MACFILTER_H
#define NGRAPH_NODES_MACFILTER_H

#include <stdint.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const struct ng_type ng_macfilter_type;

#define NG_MACFILTER_NODE_TYPE "macfilter"
#define NGM_MACFILTER_COOKIE 1042445461u

#define NG_MACFILTER_HOOK_ETHER "ether"     /* connected to ether:lower */
#define NG_MACFILTER_HOOK_DEFAULT "default" /* connected to ether:upper; hookid 0 */
#define NG_MACFILTER_HOOK_DEFAULT_ID 0      /* other hooks: hookid 1, 2, ... */

#define NG_MACFILTER_ETHER_ADDR_LEN 6

enum {
    NGM_MACFILTER_RESET = 1,         /* no args: empty the MAC table */
    NGM_MACFILTER_DIRECT = 2,        /* struct ngm_macfilter_direct */
    NGM_MACFILTER_DIRECT_HOOKID = 3, /* struct ngm_macfilter_direct_hookid */
    NGM_MACFILTER_GET_MACS = 4,      /* response struct ngm_macfilter_macs */
    NGM_MACFILTER_GETCLR_MACS = 5,   /* the same, counters cleared */
    NGM_MACFILTER_CLR_MACS = 6,      /* no args: clear the counters */
    NGM_MACFILTER_GET_HOOKS = 7      /* response struct ngm_macfilter_hooks */
};

struct ngm_macfilter_direct {
    uint8_t ether[NG_MACFILTER_ETHER_ADDR_LEN]; /* MAC address */
    char hookname[NG_HOOKSIZ];                  /* upper hook name */
};

struct ngm_macfilter_direct_hookid {
    uint8_t ether[NG_MACFILTER_ETHER_ADDR_LEN]; /* MAC address */
    uint16_t hookid;                            /* upper hook's hookid */
};

/* One MAC table entry (NGM_MACFILTER_GET_MACS / GETCLR_MACS). */
struct ngm_macfilter_mac {
    uint8_t ether[NG_MACFILTER_ETHER_ADDR_LEN]; /* MAC address */
    uint16_t hookid;                            /* upper hook's hookid */
    uint64_t packets_in;                        /* packets in from ether */
    uint64_t bytes_in;                          /* bytes in from ether (beyond the header) */
    uint64_t packets_out;                       /* packets out towards ether */
    uint64_t bytes_out;                         /* bytes out towards ether */
};
struct ngm_macfilter_macs {
    uint32_t n; /* entries in macs */
    struct ngm_macfilter_mac macs[];
};

/* One upper hook (NGM_MACFILTER_GET_HOOKS). */
struct ngm_macfilter_hook {
    char hookname[NG_HOOKSIZ]; /* upper hook name */
    uint16_t hookid;           /* upper hook's hookid */
    uint32_t maccnt;           /* MAC addresses directed to it */
};
struct ngm_macfilter_hooks {
    uint32_t n; /* entries in hooks */
    struct ngm_macfilter_hook hooks[];
};

/* libngraph's limits (FreeBSD has none; -ENOSPC beyond): the MAC table
 * holds at most NG_MACFILTER_MACS_MAX addresses (getmacs then answers 4 +
 * 16384 * 40 bytes, more than a sender's NG_MAX_MSG_ARGLEN, which a response
 * may be), and a node has at most NG_MACFILTER_UPPER_NUM upper hooks
 * (1638, "default" included: what gethooks answered within 64 KiB). */
#define NG_MACFILTER_MACS_MAX 16384u
#define NG_MACFILTER_UPPER_NUM                                                                     \
    ((NG_MAX_MSG_ARGLEN - sizeof(struct ngm_macfilter_hooks)) / sizeof(struct ngm_macfilter_hook))

#ifdef __cplusplus
}
#endif

#endif
