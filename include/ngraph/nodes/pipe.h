/*
 * <ngraph/nodes/pipe.h> - the "pipe" node type (FreeBSD's ng_pipe(4)): a
 * network emulator between hooks "upper" and "lower" (bandwidth, delay, bit
 * error rate, duplication, queue lengths, FIFO / WFQ / DRR queueing), set
 * per direction.  Cookie, command numbers, structs and ASCII field names
 * are FreeBSD's <netgraph/ng_pipe.h>; NGM_PIPE_SET_SEED is libngraph's.
 * docs/nodes/pipe.md describes the behaviour.
 */
#ifndef NGRAPH_NODES_PIPE_H
#define NGRAPH_NODES_PIPE_H

#include <stdint.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const struct ng_type ng_pipe_type;

#define NG_PIPE_NODE_TYPE "pipe"
#define NGM_PIPE_COOKIE 200708191u

#define NG_PIPE_HOOK_UPPER "upper" /* frames from it go "downstream", to lower */
#define NG_PIPE_HOOK_LOWER "lower" /* frames from it go "upstream", to upper */

#define NG_PIPE_MAX_OHSIZE 256 /* FreeBSD's MAX_OHSIZE: overhead below this */

/* Ranges accepted by NGM_PIPE_SET_CFG (0: leave as is; all ones, "-1" in
 * ASCII: set to zero).  Anything else is refused with EINVAL. */
#define NG_PIPE_BW_MIN 100ull            /* bits per second */
#define NG_PIPE_BW_MAX 1000000000ull     /* 1 Gbit/s */
#define NG_PIPE_DELAY_MAX 9999999ull     /* microseconds, below 10 s */
#define NG_PIPE_BER_MAX 1000000000000ull /* 1 / BER */
#define NG_PIPE_HDROFF_MAX 63u           /* header_offset */
#define NG_PIPE_QLEN_MIN 5u              /* queuelen / delaylen */
#define NG_PIPE_QLEN_MAX 1000000u
#define NG_PIPE_DUP_MAX 100u /* duplicate, percent */
#define NG_PIPE_DRR_MIN 32u  /* drr quantum in bytes (1: the default) */
#define NG_PIPE_DRR_MAX 1000000u
#define NG_PIPE_DRR_DEFAULT 2048u

/* Statistics for one direction (ASCII: FwdOctets FwdFrames queueDropOctets
 * queueDropFrames delayDropOctets delayDropFrames). */
struct ng_pipe_hookstat {
    uint64_t fwd_octets;
    uint64_t fwd_frames;
    uint64_t in_disc_octets; /* dropped by the inbound (bandwidth) queue */
    uint64_t in_disc_frames;
    uint64_t out_disc_octets; /* lost to BER, the delay queue's limit or a failed send */
    uint64_t out_disc_frames;
};

/* NGM_PIPE_GET_STATS / NGM_PIPE_GETCLR_STATS response. */
struct ng_pipe_stats {
    struct ng_pipe_hookstat downstream; /* upper -> lower */
    struct ng_pipe_hookstat upstream;   /* lower -> upper */
};

/* Run-time state of one direction (ASCII: queues queuedOctets queuedFrames
 * delayedOctets delayedFrames). */
struct ng_pipe_hookrun {
    uint32_t fifo_queues; /* flows with frames in the inbound queue */
    uint32_t qin_octets;
    uint32_t qin_frames;
    uint32_t qout_octets; /* frames in the delay queue */
    uint32_t qout_frames;
};

/* NGM_PIPE_GET_RUN response. */
struct ng_pipe_run {
    struct ng_pipe_hookrun downstream;
    struct ng_pipe_hookrun upstream;
};

/* Configuration of one direction (ASCII: bandwidth BER queuelen delaylen
 * duplicate fifo drr wfq droptail drophead). */
struct ng_pipe_hookcfg {
    uint64_t bandwidth;       /* bits per second, 0: unlimited */
    uint64_t ber;             /* average bits between errors (1 / BER), 0: none */
    uint32_t qin_size_limit;  /* inbound queue, frames (default 50) */
    uint32_t qout_size_limit; /* delay queue, frames (0: no limit) */
    uint32_t duplicate;       /* probability in percent */
    uint32_t fifo;            /* 1: one FIFO queue (default) */
    uint32_t drr;             /* DRR quantum in bytes, 0: off (set 1: 2048) */
    uint32_t wfq;             /* 1: weighted fair queueing */
    uint32_t droptail;        /* 1: a full queue drops its newest frame (default) */
    uint32_t drophead;        /* 1: a full queue drops its oldest frame */
};

/* NGM_PIPE_SET_CFG argument, NGM_PIPE_GET_CFG response (ASCII: bandwidth
 * delay header_offset overhead downstream upstream). */
struct ng_pipe_cfg {
    uint64_t bandwidth;     /* both directions, bits per second */
    uint64_t delay;         /* additional delay, microseconds */
    uint32_t header_offset; /* offset of the IPv4 header (WFQ/DRR flows) */
    uint32_t overhead;      /* assumed L2 framing per frame, bytes */
    struct ng_pipe_hookcfg downstream;
    struct ng_pipe_hookcfg upstream;
};

enum {
    NGM_PIPE_GET_STATS = 1, /* response struct ng_pipe_stats */
    NGM_PIPE_CLR_STATS,     /* no arguments */
    NGM_PIPE_GETCLR_STATS,  /* response struct ng_pipe_stats, then cleared */
    NGM_PIPE_GET_RUN,       /* response struct ng_pipe_run */
    NGM_PIPE_GET_CFG,       /* response struct ng_pipe_cfg */
    NGM_PIPE_SET_CFG,       /* struct ng_pipe_cfg */
    /* libngraph: uint64_t seed of the node's random numbers (BER and
     * duplication), for repeatable runs.  ASCII "setseed". */
    NGM_PIPE_SET_SEED = 64,
};

#ifdef __cplusplus
}
#endif

#endif
