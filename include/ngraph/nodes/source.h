/*
 * <ngraph/nodes/source.h> - the "source" node type (FreeBSD's ng_source(4)):
 * a packet generator.  Frames received on hook "input" are queued; START
 * sends that many copies out of hook "output", cycling through the queue,
 * at most SETPPS frames per second, optionally with a timestamp and up to
 * four counters embedded in each copy.  Cookie, command numbers, structs
 * and ASCII field names are FreeBSD's (sys/netgraph/ng_source.h).  Manual:
 * docs/nodes/source.md.
 */
#ifndef NGRAPH_NODES_SOURCE_H
#define NGRAPH_NODES_SOURCE_H

#include <stdint.h>
#include <sys/time.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NG_SOURCE_NODE_TYPE "source"
#define NGM_SOURCE_COOKIE 1110646684u

#define NG_SOURCE_HOOK_INPUT "input"
#define NG_SOURCE_HOOK_OUTPUT "output"

/* Most frames the input queue holds (FreeBSD's ifq_maxlen); more are
 * dropped (ENOBUFS, counted). */
#define NG_SOURCE_QUEUE_MAX 2048
/* Timer tick while a rate is set, and most frames sent per tick. */
#define NG_SOURCE_TICK_NS 1000000u
#define NG_SOURCE_TICK_MAX 4096u

/* GET_STATS / GETCLR_STATS response (FreeBSD's layout; struct timeval is
 * 16 bytes here: tv_sec and tv_usec are 64-bit). */
struct ng_source_stats {
    uint64_t outOctets;         /* bytes sent out of "output" */
    uint64_t outFrames;         /* frames sent out of "output" */
    uint32_t queueOctets;       /* bytes queued from "input" */
    uint32_t queueFrames;       /* frames queued from "input" */
    uint32_t maxPps;            /* SETPPS (0: as fast as possible) */
    struct timeval startTime;   /* last START */
    struct timeval endTime;     /* last STOP or end of the count (0 while active) */
    struct timeval elapsedTime; /* endTime - startTime, or now - startTime */
    struct timeval lastTime;    /* last timer tick */
};

/* SET_TIMESTAMP argument / GET_TIMESTAMP response.  ASCII:
 * { offset=0x10 flags=0x1 }. */
struct ng_source_embed_info {
    uint16_t offset; /* from the first byte of the frame */
    uint8_t flags;   /* NGM_SOURCE_EMBED_ENABLE */
    uint8_t spare;
};
#define NGM_SOURCE_EMBED_ENABLE 0x01     /* embed it */
#define NGM_SOURCE_INC_CNT_PER_LIST 0x02 /* counters: step once per pass over the queue */

/* SET_COUNTER argument / GET_COUNTER response.  ASCII: { offset=0x20
 * flags=0x1 width=2 next_val=1 min_val=1 max_val=100 increment=1 index=0 }. */
#define NG_SOURCE_COUNTERS 4
struct ng_source_embed_cnt_info {
    uint16_t offset; /* from the first byte of the frame */
    uint8_t flags;   /* NGM_SOURCE_EMBED_ENABLE, NGM_SOURCE_INC_CNT_PER_LIST */
    uint8_t width;   /* bytes: 1, 2 or 4 (the value's low bytes, big-endian) */
    uint32_t next_val;
    uint32_t min_val;
    uint32_t max_val;
    int32_t increment; /* may be negative */
    uint8_t index;     /* which counter, 0..3 */
};

/* Commands (FreeBSD's numbers). */
enum {
    NGM_SOURCE_GET_STATS = 1,     /* response struct ng_source_stats */
    NGM_SOURCE_CLR_STATS = 2,     /* clear the statistics (not the queue) */
    NGM_SOURCE_GETCLR_STATS = 3,  /* both at once */
    NGM_SOURCE_START = 4,         /* uint64_t: frames to send */
    NGM_SOURCE_STOP = 5,          /* stop sending */
    NGM_SOURCE_CLR_DATA = 6,      /* free the queued frames */
    NGM_SOURCE_SETIFACE = 7,      /* NUL-terminated interface name */
    NGM_SOURCE_SETPPS = 8,        /* uint32_t: frames per second, 0: no limit */
    NGM_SOURCE_SET_TIMESTAMP = 9, /* struct ng_source_embed_info */
    NGM_SOURCE_GET_TIMESTAMP = 10,
    NGM_SOURCE_SET_COUNTER = 11, /* struct ng_source_embed_cnt_info */
    NGM_SOURCE_GET_COUNTER = 12, /* uint8_t index; response the struct */
};

extern const struct ng_type ng_source_type;

#ifdef __cplusplus
}
#endif

#endif
