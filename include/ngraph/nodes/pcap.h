/*
 * <ngraph/nodes/pcap.h> - the "pcap" node type (a libngraph type, no
 * FreeBSD twin): plays a capture file into the graph on hook "out" (at the
 * recorded pace, at a fixed rate or as fast as possible, a number of
 * times) and writes the frames arriving on hook "in" to a capture file,
 * through libpcap.  docs/nodes/pcap.md describes the behaviour.
 */
#ifndef NGRAPH_NODES_PCAP_H
#define NGRAPH_NODES_PCAP_H

#include <stdint.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const struct ng_type ng_pcap_type;

#define NG_PCAP_NODE_TYPE "pcap"
/* libngraph's own cookie (2025-12-02 00:00 UTC as a Unix time, the way
 * FreeBSD's cookies are dates); no FreeBSD type uses it. */
#define NGM_PCAP_COOKIE 1764633600u

#define NG_PCAP_HOOK_OUT "out" /* frames read from the input file leave here */
#define NG_PCAP_HOOK_IN "in"   /* frames arriving here are written to the output file */

#define NG_PCAP_PATHSIZ 256 /* file names, NUL included */

enum {
    NGM_PCAP_SET_INPUT = 1, /* struct ng_pcap_file ("" closes the input) */
    NGM_PCAP_SET_OUTPUT,    /* struct ng_pcap_output ("" closes the output) */
    NGM_PCAP_START,         /* no argument: start (or resume) reading */
    NGM_PCAP_STOP,          /* no argument: stop reading (position kept) */
    NGM_PCAP_SET_PACE,      /* struct ng_pcap_pace */
    NGM_PCAP_GET_PACE,      /* response struct ng_pcap_pace */
    NGM_PCAP_GET_STATS,     /* response struct ng_pcap_stats */
    NGM_PCAP_CLR_STATS,     /* no argument */
    NGM_PCAP_GETCLR_STATS,  /* response struct ng_pcap_stats, then cleared */
    NGM_PCAP_GET_CONFIG,    /* response struct ng_pcap_config */
};

/* Pace modes (struct ng_pcap_pace.mode). */
#define NG_PCAP_PACE_RECORDED 0u /* frame gaps as their timestamps say (default) */
#define NG_PCAP_PACE_RATE 1u     /* `rate` frames per second */
#define NG_PCAP_PACE_FAST 2u     /* as fast as possible, `burst` frames per timer call */

/* NGM_PCAP_SET_INPUT's argument. */
struct ng_pcap_file {
    char path[NG_PCAP_PATHSIZ];
};

/* NGM_PCAP_SET_OUTPUT's argument: the file is created (truncated) with a
 * pcap header of this link type and snapshot length.  0 for either: the
 * input file's (of this node) if one is open, else DLT_EN10MB (1) and
 * 262144 (the most).  Frames longer than snaplen are cut to it (the record
 * keeps the original length). */
struct ng_pcap_output {
    char path[NG_PCAP_PATHSIZ];
    uint32_t linktype;
    uint32_t snaplen;
};

/* NGM_PCAP_SET_PACE's argument, NGM_PCAP_GET_PACE's response.  loops: passes
 * through the file per start, 0 = until stopped (default 1).  rate: frames
 * per second in NG_PCAP_PACE_RATE (1..10000000).  burst: most frames sent
 * per timer call, as one ng_send_data_burst (1..NG_PCAP_BURST_MAX, 0 = 32). */
struct ng_pcap_pace {
    uint32_t mode;
    uint32_t rate;
    uint32_t loops;
    uint32_t burst;
};
#define NG_PCAP_BURST_MAX 256u
#define NG_PCAP_RATE_MAX 10000000u

/* NGM_PCAP_GET_STATS's response. */
struct ng_pcap_stats {
    uint64_t read_frames;    /* records read from the input file */
    uint64_t read_bytes;     /* their captured bytes */
    uint64_t sent_frames;    /* of those, handed to "out"'s peer */
    uint64_t written_frames; /* records written to the output file */
    uint64_t written_bytes;  /* their captured bytes */
    uint64_t dropped;        /* frames lost: "out" or the output file missing, a
                                record longer than an item, no item */
    uint64_t errors;         /* file errors: truncated or bad record, write error,
                                reopening the input for the next loop failed */
    uint64_t loops;          /* passes through the input file completed */
};

/* NGM_PCAP_GET_CONFIG's response. */
struct ng_pcap_config {
    char input[NG_PCAP_PATHSIZ];  /* "" if none */
    char output[NG_PCAP_PATHSIZ]; /* "" if none */
    uint32_t linktype;            /* the output's */
    uint32_t snaplen;             /* the output's */
    uint32_t in_linktype;         /* the input's (0 if none) */
    uint32_t running;             /* 1 while reading */
    struct ng_pcap_pace pace;
};

/* Per-item metadata (ng_item_meta) the reader attaches to each frame and the
 * writer uses when it is still there and caplen equals the item's length:
 * the record is then written with its original timestamp and length, so a
 * file read and written back is byte-identical.  Otherwise the writer
 * stamps the arrival time. */
#define NG_PCAP_META_MAGIC 0x50434150u /* "PCAP" */
struct ng_pcap_meta {
    uint32_t magic;
    uint32_t caplen;
    uint32_t origlen;
    uint32_t ts_usec;
    int64_t ts_sec;
};

#ifdef __cplusplus
}
#endif

#endif
