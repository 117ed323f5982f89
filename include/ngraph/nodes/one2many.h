/*
 * one2many.h - the "one2many" node type (FreeBSD's ng_one2many(4)): packets
 * from the "one" hook go out one or more "manyN" hooks (round-robin, all,
 * failover), packets from any "manyN" hook go out "one".  Cookie, command
 * numbers, structs, hook names and algorithm values are FreeBSD's
 * (<netgraph/ng_one2many.h>); docs/nodes/one2many.md describes the type.
 */
#ifndef NGRAPH_NODES_ONE2MANY_H
#define NGRAPH_NODES_ONE2MANY_H

#include <stdint.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const struct ng_type ng_one2many_type;

#define NG_ONE2MANY_NODE_TYPE "one2many"
#define NGM_ONE2MANY_COOKIE 1100897444u

/* Hook names: "one", and "many0" ... "many63" (decimal, no leading zero). */
#define NG_ONE2MANY_HOOK_ONE "one"
#define NG_ONE2MANY_HOOK_MANY_PREFIX "many"
#define NG_ONE2MANY_HOOK_MANY_FMT "many%d"

#define NG_ONE2MANY_MAX_LINKS 64
/* The link number of the "one" hook in the statistics messages. */
#define NG_ONE2MANY_ONE_LINKNUM (-1)

/* Transmit algorithms (xmitAlg). */
#define NG_ONE2MANY_XMIT_ROUNDROBIN 1 /* each packet out the next active link */
#define NG_ONE2MANY_XMIT_ALL 2        /* a copy out every active link */
#define NG_ONE2MANY_XMIT_FAILOVER 3   /* out the first (lowest) active link */

/* Link failure detection algorithms (failAlg). */
#define NG_ONE2MANY_FAIL_MANUAL 1 /* enabledLinks[] says which links are up */
#define NG_ONE2MANY_FAIL_NOTIFY 2 /* NGM_LINK_IS_UP / _DOWN from the links */

/* NGM_ONE2MANY_SET_CONFIG's argument, NGM_ONE2MANY_GET_CONFIG's response. */
struct ng_one2many_config {
    uint32_t xmitAlg;
    uint32_t failAlg;
    uint8_t enabledLinks[NG_ONE2MANY_MAX_LINKS]; /* non-zero: the link may be used */
};

/* Per-link statistics (NGM_ONE2MANY_GET_STATS / _GETCLR_STATS response). */
struct ng_one2many_link_stats {
    uint64_t recvOctets; /* received on the link */
    uint64_t recvPackets;
    uint64_t xmitOctets; /* sent out of the link */
    uint64_t xmitPackets;
    uint64_t memoryFailures; /* copies that could not be made (XMIT_ALL) */
};

/* Commands (FreeBSD numbers them from 0).  The statistics commands take an
 * int32_t link number: 0..63, or NG_ONE2MANY_ONE_LINKNUM for "one". */
enum {
    NGM_ONE2MANY_SET_CONFIG = 0,   /* struct ng_one2many_config */
    NGM_ONE2MANY_GET_CONFIG = 1,   /* response struct ng_one2many_config */
    NGM_ONE2MANY_GET_STATS = 2,    /* int32_t; response struct ng_one2many_link_stats */
    NGM_ONE2MANY_CLR_STATS = 3,    /* int32_t */
    NGM_ONE2MANY_GETCLR_STATS = 4, /* int32_t; response struct ng_one2many_link_stats */
};

#ifdef __cplusplus
}
#endif

#endif
