/*
 * <ngraph/nodes/bpf.h> - the "bpf" node type (FreeBSD's ng_bpf(4)): a
 * classic BPF program per hook decides whether a frame arriving there
 * leaves by the hook's "match" or "not match" destination hook.  Cookie,
 * command numbers, structs and ASCII names are FreeBSD's
 * <netgraph/ng_bpf.h>; NGM_BPF_SET_EXPR (compile a pcap filter expression
 * with libpcap) is a libngraph extension.  docs/nodes/bpf.md describes the
 * behaviour.
 */
#ifndef NGRAPH_NODES_BPF_H
#define NGRAPH_NODES_BPF_H

#include <stdint.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const struct ng_type ng_bpf_type;

#define NG_BPF_NODE_TYPE "bpf"
#define NGM_BPF_COOKIE 944100792u

/* One classic BPF instruction: the layout of struct bpf_insn (<pcap/bpf.h>,
 * FreeBSD's <net/bpf.h>), so an array of either may be copied into
 * bpf_prog[] as it is.  Defined here so that this header needs no libpcap
 * header. */
struct ng_bpf_insn {
    uint16_t code;
    uint8_t jt;
    uint8_t jf;
    uint32_t k;
};

/* Largest program accepted: BPF_MAXINSNS of FreeBSD's <net/bpf.h> and
 * Linux's <linux/filter.h> (libpcap's bpf_validate() has no limit). */
#define NG_BPF_MAXINSNS 4096

/* NGM_BPF_SET_PROGRAM's argument, NGM_BPF_GET_PROGRAM's response. */
struct ng_bpf_hookprog {
    char thisHook[NG_HOOKSIZ];   /* name of the hook the program filters */
    char ifMatch[NG_HOOKSIZ];    /* destination of matching frames ("" drops) */
    char ifNotMatch[NG_HOOKSIZ]; /* destination of other frames ("" drops) */
    int32_t bpf_prog_len;        /* instructions in bpf_prog */
    struct ng_bpf_insn bpf_prog[];
};
#define NG_BPF_HOOKPROG_SIZE(numInsn)                                                              \
    (sizeof(struct ng_bpf_hookprog) + (size_t)(numInsn) * sizeof(struct ng_bpf_insn))

/* NGM_BPF_GET_STATS / NGM_BPF_GETCLR_STATS response: one hook's counters. */
struct ng_bpf_hookstat {
    uint64_t recvFrames;      /* frames received on the hook */
    uint64_t recvOctets;      /* their bytes */
    uint64_t recvMatchFrames; /* of them, frames the program matched */
    uint64_t recvMatchOctets; /* their bytes (before truncation) */
    uint64_t xmitFrames;      /* frames sent out of the hook */
    uint64_t xmitOctets;      /* their bytes */
};

/* libngraph extension: NGM_BPF_SET_EXPR's argument.  The expression is
 * compiled by libpcap (pcap_open_dead(linktype, snaplen) + pcap_compile,
 * optimised, netmask unknown) into the hook's program, exactly what
 * `tcpdump -y <linktype> -s <snaplen> -ddd 'expr'` prints. */
struct ng_bpf_hookexpr {
    char thisHook[NG_HOOKSIZ];
    char ifMatch[NG_HOOKSIZ];
    char ifNotMatch[NG_HOOKSIZ];
    int32_t snaplen;  /* what a match returns; 0: NG_BPF_SNAPLEN_DEFAULT */
    int32_t linktype; /* DLT_* of the frames; 0: DLT_EN10MB (Ethernet) */
    char expr[];      /* NUL-terminated pcap filter expression */
};
#define NG_BPF_SNAPLEN_DEFAULT 262144 /* tcpdump's default snap length */
#define NG_BPF_DLT_EN10MB 1

enum {
    NGM_BPF_SET_PROGRAM = 1, /* struct ng_bpf_hookprog */
    NGM_BPF_GET_PROGRAM,     /* hook name (char[NG_HOOKSIZ]); response struct ng_bpf_hookprog */
    NGM_BPF_GET_STATS,       /* hook name; response struct ng_bpf_hookstat */
    NGM_BPF_CLR_STATS,       /* hook name */
    NGM_BPF_GETCLR_STATS,    /* hook name; response struct ng_bpf_hookstat */
    /* libngraph: struct ng_bpf_hookexpr; on a compile error the response
     * is libpcap's error text (a string) with EINVAL. */
    NGM_BPF_SET_EXPR = 100,
};

#ifdef __cplusplus
}
#endif

#endif
