/*
 * <ngraph/nodes/car.h> - the "car" node type (FreeBSD's ng_car(4)):
 * committed access rate between hooks "upper" and "lower", per direction:
 * RFC 2697 single-rate and RFC 2698 two-rate three-colour markers, Cisco's
 * RED-like rate limit and traffic shaping with a RED queue.  Cookie,
 * command numbers, structs and ASCII names are FreeBSD's
 * <netgraph/ng_car.h>; docs/nodes/car.md describes the behaviour,
 * including what NG_CAR_ACTION_MARK does here (DSCP drop precedence).
 */
#ifndef NGRAPH_NODES_CAR_H
#define NGRAPH_NODES_CAR_H

#include <stdint.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const struct ng_type ng_car_type;

#define NG_CAR_NODE_TYPE "car"
#define NGM_CAR_COOKIE 1173648034u

#define NG_CAR_HOOK_UPPER "upper" /* traffic from upper to lower is "downstream" */
#define NG_CAR_HOOK_LOWER "lower" /* traffic from lower to upper is "upstream" */

/* Per-direction statistics (ASCII: passed droped green yellow red errors). */
struct ng_car_hookstats {
    uint64_t passed_pkts; /* packets forwarded (now or, SHAPE, from the queue) */
    uint64_t droped_pkts; /* packets dropped (DROP action, queue overflow, purge) */
    uint64_t green_pkts;  /* packets found conforming */
    uint64_t yellow_pkts; /* packets found exceeding (SHAPE: delayed) */
    uint64_t red_pkts;    /* packets found violating (SHAPE: dropped by the queue) */
    uint64_t errors;      /* send failures, packets MARK could not mark */
};

/* NGM_CAR_GET_STATS / NGM_CAR_GETCLR_STATS response. */
struct ng_car_bulkstats {
    struct ng_car_hookstats upstream;   /* arriving on lower, leaving by upper */
    struct ng_car_hookstats downstream; /* arriving on upper, leaving by lower */
};

/* Per-direction configuration (ASCII: cbs ebs cir pir greenAction
 * yellowAction redAction mode opt). */
struct ng_car_hookconf {
    uint64_t cbs;          /* committed burst size (bytes; packets with COUNT_PACKETS) */
    uint64_t ebs;          /* exceeded (SINGLE_RATE, RED) / peak (DOUBLE_RATE) burst size */
    uint64_t cir;          /* committed information rate (bits/s; packets/s) */
    uint64_t pir;          /* peak information rate (DOUBLE_RATE only) */
    uint8_t green_action;  /* NG_CAR_ACTION_* for green packets */
    uint8_t yellow_action; /* ... for yellow packets */
    uint8_t red_action;    /* ... for red packets */
    uint8_t mode;          /* NG_CAR_SINGLE_RATE ... NG_CAR_SHAPE */
    uint8_t opt;           /* NG_CAR_COLOR_AWARE | NG_CAR_COUNT_PACKETS | NG_CAR_RAW_IP */
};

/* NGM_CAR_GET_CONF response, NGM_CAR_SET_CONF argument. */
struct ng_car_bulkconf {
    struct ng_car_hookconf upstream;
    struct ng_car_hookconf downstream;
};

/* Defaults of a new node (FreeBSD's): cbs = ebs = 8192 bytes, cir 10240
 * bits/s, green and yellow forwarded, red dropped, SINGLE_RATE. */
#define NG_CAR_CBS_MIN 8192
#define NG_CAR_EBS_MIN 8192
#define NG_CAR_CIR_DFLT 10240

/* libngraph's limits (SET_CONF beyond them: EINVAL).  FreeBSD's: rates at
 * most 10^9.  Here also bursts at most 2^30 (bytes or packets), so that a
 * direction's two token counters fit one 64-bit word updated with one CAS. */
#define NG_CAR_RATE_MAX 1000000000ull
#define NG_CAR_BURST_MAX (1ull << 30)

/* Actions (...Action). */
enum {
    NG_CAR_ACTION_FORWARD = 1, /* forward unchanged */
    NG_CAR_ACTION_DROP,        /* drop (counted) */
    NG_CAR_ACTION_MARK,        /* forward with the colour written into the DSCP, see below */
    NG_CAR_ACTION_SET_TOS      /* FreeBSD's header lists it, FreeBSD never did it: EINVAL */
};

/* Modes (mode). */
enum {
    NG_CAR_SINGLE_RATE = 0, /* RFC 2697 srTCM */
    NG_CAR_DOUBLE_RATE,     /* RFC 2698 trTCM */
    NG_CAR_RED,             /* Cisco's CAR: extended burst with compounded debt */
    NG_CAR_SHAPE            /* committed bucket, excess delayed in a RED queue */
};

/* Options (opt). */
#define NG_CAR_COLOR_AWARE 1   /* SINGLE_RATE / DOUBLE_RATE: take the DSCP's colour into account */
#define NG_CAR_COUNT_PACKETS 2 /* rates in packets/s, bursts in packets */
#define NG_CAR_RAW_IP 0x80     /* libngraph: frames are bare IPv4/IPv6 packets, not Ethernet */

/* SHAPE mode's queue (FreeBSD's, fixed): at most 99 packets, RED from 8. */
#define NG_CAR_QUEUE_LEN 99
#define NG_CAR_QUEUE_MIN_TH 8

/* NG_CAR_ACTION_MARK and NG_CAR_COLOR_AWARE: the colour is the drop
 * precedence of an Assured Forwarding codepoint (RFC 2597, as RFC 2697
 * suggests): AFx1 green, AFx2 yellow, AFx3 red, x the packet's AF class
 * (class 1 for a packet whose DSCP is not an AF codepoint).  DSCP =
 * 8 * class + 2 * precedence. */
#define NG_CAR_DSCP_AF(cls, prec) ((uint8_t)(8u * (cls) + 2u * (prec)))

/* Commands. */
enum {
    NGM_CAR_GET_STATS = 1, /* response struct ng_car_bulkstats ("getstats") */
    NGM_CAR_CLR_STATS,     /* no arguments ("clrstats") */
    NGM_CAR_GETCLR_STATS,  /* response struct ng_car_bulkstats ("getclrstats") */
    NGM_CAR_GET_CONF,      /* response struct ng_car_bulkconf ("getconf") */
    NGM_CAR_SET_CONF,      /* struct ng_car_bulkconf ("setconf") */
};

#ifdef __cplusplus
}
#endif

#endif
