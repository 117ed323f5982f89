/*
 * <ngraph/nodes/etf.h> - the "etf" node type (FreeBSD's ng_etf(4)): demux and
 * filter Ethernet frames by ethertype between a "downstream" hook, a
 * "nomatch" hook and any number of match hooks.  Cookie, command numbers,
 * structs and ASCII names are FreeBSD's <netgraph/ng_etf.h>; docs/nodes/etf.md
 * describes the behaviour.
 */
#ifndef NGRAPH_NODES_ETF_H
#define NGRAPH_NODES_ETF_H

#include <stdint.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const struct ng_type ng_etf_type;

#define NG_ETF_NODE_TYPE "etf"
#define NGM_ETF_COOKIE 983084516u

#define NG_ETF_HOOK_DOWNSTREAM "downstream"
#define NG_ETF_HOOK_NOMATCH "nomatch"

enum {
    NGM_ETF_SET_FLAG = 1, /* uint32_t flags (kept, reported; no effect, as FreeBSD's) */
    NGM_ETF_GET_STATUS,   /* response struct ng_etfstat */
    NGM_ETF_SET_FILTER,   /* struct ng_etffilter */
};

/* NGM_ETF_GET_STATUS's response. */
struct ng_etfstat {
    uint32_t packets_in;  /* packets in from downstream */
    uint32_t packets_out; /* packets out towards downstream */
};

/* NGM_ETF_SET_FILTER's argument. */
struct ng_etffilter {
    char matchhook[NG_HOOKSIZ]; /* hook name */
    uint16_t ethertype;         /* this ethertype (host order) to this hook */
};

#ifdef __cplusplus
}
#endif

#endif
