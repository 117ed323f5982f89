/*
 * <ngraph/nodes/patch.h> - the "patch" node type (FreeBSD's ng_patch(4)):
 * arithmetic and bitwise operations on 1, 2, 4 or 8-byte fields at fixed
 * offsets of the packets passing from hook "in" to hook "out", with
 * optional checksum recomputation.  Cookie, command numbers, structs and
 * ASCII field names are FreeBSD's (sys/netgraph/ng_patch.h).  Manual:
 * docs/nodes/patch.md.
 */
#ifndef NGRAPH_NODES_PATCH_H
#define NGRAPH_NODES_PATCH_H

#include <stdint.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NG_PATCH_NODE_TYPE "patch"
#define NGM_PATCH_COOKIE 1262445509u

#define NG_PATCH_HOOK_IN "in"
#define NG_PATCH_HOOK_OUT "out"

/* Commands (FreeBSD's numbers). */
enum {
    NGM_PATCH_SETCONFIG = 1,    /* struct ng_patch_config */
    NGM_PATCH_GETCONFIG = 2,    /* response struct ng_patch_config */
    NGM_PATCH_GET_STATS = 3,    /* response struct ng_patch_stats */
    NGM_PATCH_CLR_STATS = 4,    /* no argument */
    NGM_PATCH_GETCLR_STATS = 5, /* response struct ng_patch_stats */
    NGM_PATCH_GETDLT = 6,       /* response uint8_t */
    NGM_PATCH_SETDLT = 7,       /* uint8_t: NG_PATCH_DLT_RAW or NG_PATCH_DLT_EN10MB */
};

/* Operations (FreeBSD's numbers). */
enum {
    NG_PATCH_MODE_SET = 1,
    NG_PATCH_MODE_ADD = 2,
    NG_PATCH_MODE_SUB = 3,
    NG_PATCH_MODE_MUL = 4,
    NG_PATCH_MODE_DIV = 5,
    NG_PATCH_MODE_NEG = 6, /* the field as signed, negated; value unused */
    NG_PATCH_MODE_AND = 7,
    NG_PATCH_MODE_OR = 8,
    NG_PATCH_MODE_XOR = 9,
    NG_PATCH_MODE_SHL = 10,
    NG_PATCH_MODE_SHR = 11,
};

/* Data link types of the "in" hook (<net/bpf.h> values on FreeBSD). */
#define NG_PATCH_DLT_EN10MB 1 /* Ethernet (and 802.1Q/802.1ad tags) */
#define NG_PATCH_DLT_RAW 12   /* raw IP datagrams (the default) */

/* csum_flags: FreeBSD's CSUM_* values (sys/mbuf.h).  Other bits are
 * ignored (cleared by setconfig). */
#define NG_PATCH_CSUM_IP 0x00000001u        /* IPv4 header checksum */
#define NG_PATCH_CSUM_UDP 0x00000002u       /* UDP over IPv4 */
#define NG_PATCH_CSUM_TCP 0x00000004u       /* TCP over IPv4 */
#define NG_PATCH_CSUM_SCTP 0x00000008u      /* SCTP over IPv4 (CRC32c) */
#define NG_PATCH_CSUM_UDP_IPV6 0x00000200u  /* UDP over IPv6 */
#define NG_PATCH_CSUM_TCP_IPV6 0x00000400u  /* TCP over IPv6 */
#define NG_PATCH_CSUM_SCTP_IPV6 0x00000800u /* SCTP over IPv6 (CRC32c) */
#define NG_PATCH_CSUM_IPV4                                                                         \
    (NG_PATCH_CSUM_IP | NG_PATCH_CSUM_TCP | NG_PATCH_CSUM_UDP | NG_PATCH_CSUM_SCTP)
#define NG_PATCH_CSUM_IPV6                                                                         \
    (NG_PATCH_CSUM_TCP_IPV6 | NG_PATCH_CSUM_UDP_IPV6 | NG_PATCH_CSUM_SCTP_IPV6)

/* The operand, used as the field's width (FreeBSD's union). */
union ng_patch_op_val {
    uint8_t v1;
    uint16_t v2;
    uint32_t v4;
    uint64_t v8;
};

/* One operation: the `length` bytes at `offset` (plus the link header when
 * relative_offset is set) as one unsigned integer in network byte order.
 * ASCII: { offset=8 length=1 mode=2 value=3 } ("value" is val.v8). */
struct ng_patch_op {
    uint32_t offset;
    uint16_t length; /* 1, 2, 4 or 8 */
    uint16_t mode;   /* NG_PATCH_MODE_* */
    union ng_patch_op_val val;
};

/* SETCONFIG's argument and GETCONFIG's response: count operations,
 * applied in order.  ASCII: { count=1 csum_flags=1 relative_offset=0
 * ops=[ { ... } ] }. */
struct ng_patch_config {
    uint32_t count;
    uint64_t csum_flags;      /* NG_PATCH_CSUM_* */
    uint32_t relative_offset; /* non-zero: offsets start after the link header */
    struct ng_patch_op ops[];
};
#define NG_PATCH_CONF_SIZE(count)                                                                  \
    (sizeof(struct ng_patch_config) + (size_t)(count) * sizeof(struct ng_patch_op))
/* Most operations one configuration may hold (its message fits
 * NG_MAX_MSG_ARGLEN). */
#define NG_PATCH_MAX_OPS                                                                           \
    ((NG_MAX_MSG_ARGLEN - sizeof(struct ng_patch_config)) / sizeof(struct ng_patch_op))

/* GET_STATS / GETCLR_STATS response.  ASCII field names are FreeBSD's:
 * { Received=10 Patched=9 Dropped=1 }. */
struct ng_patch_stats {
    uint64_t received; /* packets received on either hook */
    uint64_t patched;  /* packets at least one operation was applied to */
    uint64_t dropped;  /* packets freed (nowhere to send them) */
};

extern const struct ng_type ng_patch_type;

#ifdef __cplusplus
}
#endif

#endif
