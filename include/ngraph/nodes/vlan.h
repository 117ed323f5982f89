/*
 * <ngraph/nodes/vlan.h> - the "vlan" node type (FreeBSD's ng_vlan(4)): IEEE
 * 802.1Q tagging between a "downstream" hook, a "nomatch" hook and any
 * number of per-VLAN hooks.  Cookie, command numbers, structs and ASCII
 * names are FreeBSD's <netgraph/ng_vlan.h>; docs/nodes/vlan.md describes
 * the behaviour.
 */
#ifndef NGRAPH_NODES_VLAN_H
#define NGRAPH_NODES_VLAN_H

#include <stdint.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const struct ng_type ng_vlan_type;

#define NG_VLAN_NODE_TYPE "vlan"
#define NGM_VLAN_COOKIE 1068486472u

/* "addfilter" and "gettable" also carry the old field name "vlan". */
#define NG_VLAN_USE_OLD_VLAN_NAME 1

#define NG_VLAN_HOOK_DOWNSTREAM "downstream"
#define NG_VLAN_HOOK_NOMATCH "nomatch"

enum {
    NGM_VLAN_ADD_FILTER = 1,  /* struct ng_vlan_filter */
    NGM_VLAN_DEL_FILTER,      /* hook name (char[NG_HOOKSIZ]) */
    NGM_VLAN_GET_TABLE,       /* response struct ng_vlan_table */
    NGM_VLAN_DEL_VID_FLT,     /* uint16_t VLAN id */
    NGM_VLAN_GET_DECAP,       /* response uint32_t */
    NGM_VLAN_SET_DECAP,       /* uint32_t */
    NGM_VLAN_GET_ENCAP,       /* response uint32_t: VLAN_ENCAP_* */
    NGM_VLAN_SET_ENCAP,       /* uint32_t: VLAN_ENCAP_* */
    NGM_VLAN_GET_ENCAP_PROTO, /* response uint16_t TPID, host order */
    NGM_VLAN_SET_ENCAP_PROTO, /* uint16_t TPID, host order */
};

/* NGM_VLAN_SET_ENCAP flags (default: VLAN_ENCAP_FROM_FILTER). */
#define VLAN_ENCAP_FROM_FILTER 0x00000001u
#define VLAN_ENCAP_FROM_NOMATCH 0x00000002u

/* 802.1Q constants (FreeBSD's net/ethernet.h, net/if_vlan_var.h). */
#define NG_VLAN_ETHERTYPE_VLAN 0x8100u /* default TPID */
#define NG_VLAN_ETHER_HDR_LEN 14u
#define NG_VLAN_ENCAP_LEN 4u
#define NG_VLAN_VID_MASK 0x0fffu
#define NG_VLAN_VID_RESERVED 0x0fffu /* 4095: reserved by IEEE 802.1Q, refused */
#define NG_VLAN_MAKETAG(vid, pcp, cfi)                                                             \
    ((uint16_t)((((pcp)&7u) << 13) | (((cfi)&1u) << 12) | ((vid)&NG_VLAN_VID_MASK)))

/* NGM_VLAN_ADD_FILTER's argument; one entry of NGM_VLAN_GET_TABLE. */
struct ng_vlan_filter {
    char hook_name[NG_HOOKSIZ];
    uint16_t vlan; /* old name of vid (deprecated): used when vid is 0 */
    uint16_t vid;  /* VLAN identifier, 0..4094 */
    uint8_t pcp;   /* priority code point, 0..7 */
    uint8_t cfi;   /* canonical format indicator, 0..1 */
};

/* NGM_VLAN_GET_TABLE's response. */
struct ng_vlan_table {
    uint32_t n;
    struct ng_vlan_filter filter[];
};

/* The most filters a node holds: one per VID 0..4094 (4095; a second
 * filter for a VID is -EEXIST).  NGM_VLAN_GET_TABLE returns them all: 4 +
 * 4095 * 38 bytes, more than a sender's NG_MAX_MSG_ARGLEN, which a response
 * may be (up to NG_MAX_RESP_ARGLEN). */
#define NG_VLAN_FILTERS_MAX 4095u

#ifdef __cplusplus
}
#endif

#endif
