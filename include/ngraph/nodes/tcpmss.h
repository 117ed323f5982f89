/*
 * <ngraph/nodes/tcpmss.h> - the "tcpmss" node type (FreeBSD's ng_tcpmss(4)):
 * IP packets arriving on a configured hook leave by its output hook with
 * the TCP MSS option of SYN segments lowered to a maximum, the TCP checksum
 * updated incrementally (RFC 1624).  Cookie, command numbers, structs and
 * ASCII names are FreeBSD's <netgraph/ng_tcpmss.h>; docs/nodes/tcpmss.md
 * describes the behaviour (IPv6 is a libngraph extension).
 */
#ifndef NGRAPH_NODES_TCPMSS_H
#define NGRAPH_NODES_TCPMSS_H

#include <stdint.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const struct ng_type ng_tcpmss_type;

#define NG_TCPMSS_NODE_TYPE "tcpmss"
#define NGM_TCPMSS_COOKIE 1097623478u

/* NGM_TCPMSS_GET_STATS / NGM_TCPMSS_GETCLR_STATS response: one hook's
 * counters (of packets received on it) and its configured maximum. */
struct ng_tcpmss_hookstat {
    uint64_t Octets;    /* bytes received */
    uint64_t Packets;   /* packets received */
    uint16_t maxMSS;    /* the configured maximum (0: not clamping) */
    uint64_t SYNPkts;   /* TCP SYN segments with options */
    uint64_t FixedPkts; /* of them, segments whose MSS was lowered */
};

/* NGM_TCPMSS_CONFIG's argument. */
struct ng_tcpmss_config {
    char inHook[NG_HOOKSIZ];  /* packets received here ... */
    char outHook[NG_HOOKSIZ]; /* ... leave here */
    uint16_t maxMSS;          /* MSS options above it are lowered to it (0: none) */
};

enum {
    NGM_TCPMSS_GET_STATS = 1, /* hook name (char[NG_HOOKSIZ]); response struct ng_tcpmss_hookstat */
    NGM_TCPMSS_CLR_STATS,     /* hook name */
    NGM_TCPMSS_GETCLR_STATS,  /* hook name; response struct ng_tcpmss_hookstat */
    NGM_TCPMSS_CONFIG,        /* struct ng_tcpmss_config */
};

#ifdef __cplusplus
}
#endif

#endif
