/*
 * objcache.h - a bounded free list of same-sized objects.
 *
 * Topology churn recycles hook-pair blocks and node structs through one of
 * these instead of going through malloc, whose arena trimming unmaps pages:
 * the TLB-shootdown IPIs that follow interrupt every core running the data
 * path.  Objects enter the list only when their user is done with them (for
 * the engine: after their grace period); at most NGI_OBJCACHE_MAX are kept,
 * the rest are freed.  Cached objects stay poisoned for AddressSanitizer and
 * valgrind (all but the link word), so a use after "free" is still reported.
 * Any thread may call get/put (`lock` serialises them); init and fini run
 * with no concurrent user.  Objects must come from malloc-family allocators.
 */
#ifndef NGI_LIB_OBJCACHE_H
#define NGI_LIB_OBJCACHE_H

#include <pthread.h>
#include <stddef.h>

#define NGI_OBJCACHE_MAX 256

struct ngi_objcache {
    pthread_mutex_t lock;
    void *head; /* singly linked through each object's first word */
    unsigned n;
    size_t size; /* object size (for sanitizer poisoning) */
};

void ngi_objcache_init(struct ngi_objcache *c, size_t size);
/* Free every object held; no concurrent get/put. */
void ngi_objcache_fini(struct ngi_objcache *c);
/* An object of the cache's kind (contents undefined), or NULL: allocate one. */
void *ngi_objcache_get(struct ngi_objcache *c);
/* Keep o for reuse, or free() it when the cache is full. */
void ngi_objcache_put(struct ngi_objcache *c, void *o);

#endif
