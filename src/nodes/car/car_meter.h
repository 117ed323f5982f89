/*
 * car_meter.h - the "car" node type's meters, shared by car.c (the node,
 * its queue and messages) and meter.c (token buckets and DSCP colours).
 * Concurrency: see the header comment of car.c.
 */
#ifndef NGI_CAR_METER_H
#define NGI_CAR_METER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes/car.h>

#define NGI_CAR_NS 1000000000ull
enum { NGI_COL_GREEN = 0, NGI_COL_YELLOW, NGI_COL_RED };

/* One direction's configuration (immutable once published) and meter. */
struct ngi_car_dir {
    _Alignas(64) struct ng_car_hookconf hc;
    uint64_t f;            /* bits per token: 8 (bytes) or 1 (packets) */
    uint64_t t0;           /* CLOCK_MONOTONIC ns when the meter started */
    _Atomic uint64_t last; /* ns since t0 the buckets were credited up to */
    _Atomic uint64_t tok;  /* low half c; high half e (srTCM), p (trTCM), debt (RED),
                              RED tokens (SHAPE) */
};
/* Both directions: [0] downstream (arrives on upper), [1] upstream. */
struct ngi_car_conf {
    struct ngi_car_dir d[2];
    struct ng_defer_entry defer;
};

/* The two int32 halves of a token word. */
static inline uint64_t ngi_tk_pack(int64_t c, int64_t e)
{
    return (uint64_t)(uint32_t)(int32_t)c | (uint64_t)(uint32_t)(int32_t)e << 32;
}
static inline int64_t ngi_tk_c(uint64_t w) { return (int32_t)(uint32_t)w; }
static inline int64_t ngi_tk_e(uint64_t w) { return (int32_t)(uint32_t)(w >> 32); }

/* CLOCK_MONOTONIC in ns. */
uint64_t ngi_car_now(void);
/* A new configuration with full buckets (NULL: no memory). */
struct ngi_car_conf *ngi_car_conf_new(const struct ng_car_bulkconf *bc);
/* ng_defer callback freeing a configuration. */
void ngi_car_conf_free_deferred(struct ng_defer_entry *e);
/* Credit the buckets with the tokens produced since the last credit. */
void ngi_car_refill(struct ngi_car_dir *cd);
/* Colour a packet costing b tokens (pre: its colour, NGI_COL_GREEN when
 * colour-blind) and take its tokens (SINGLE_RATE, DOUBLE_RATE, RED). */
int ngi_car_meter(struct ngi_car_dir *cd, int64_t b, int pre);
/* The packet's colour by its DSCP (AF drop precedence; green if none). */
int ngi_car_precolour(struct ng_item *item, bool raw);
/* Write colour col into the packet's DSCP; false if it is not IP. */
bool ngi_car_mark(struct ng_item *item, int col, bool raw);

#endif
