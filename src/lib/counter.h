/*
 * counter.h - single-writer statistics counters.
 *
 * Only the owning thread writes a counter (a plain load + store, no locked
 * instruction); any thread may read a snapshot with a relaxed load.  The
 * counter is _Atomic so those concurrent reads are not data races.
 */
#ifndef NGI_LIB_COUNTER_H
#define NGI_LIB_COUNTER_H

#include <stdatomic.h>
#include <stdint.h>

typedef _Atomic uint64_t ngi_counter_t;

/* Owner thread only. */
static inline void ngi_counter_add(ngi_counter_t *c, uint64_t v)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
                          memory_order_relaxed);
}

/* Any thread: a snapshot. */
static inline uint64_t ngi_counter_get(ngi_counter_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

#endif
