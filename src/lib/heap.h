/*
 * heap.h - a binary min-heap of pointers with position tracking.
 *
 * The heap stores element pointers; each element records its own index
 * (through ops->moved) so that it can be removed from the middle in
 * O(log n).  Ordering is ops->less.  Not thread-safe: the user serialises
 * every call (the runtime's timer heap: its tlock).
 */
#ifndef NGI_LIB_HEAP_H
#define NGI_LIB_HEAP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "compiler.h"

struct ngi_heap_ops {
    bool (*less)(const void *a, const void *b);
    void (*moved)(void *elem, size_t idx); /* elem now sits at idx */
};

struct ngi_heap {
    void **v;
    size_t n, cap;
};

static inline void ngi_heap_init(struct ngi_heap *h)
{
    h->v = NULL;
    h->n = h->cap = 0;
}

static inline void ngi_heap_fini(struct ngi_heap *h)
{
    free(h->v);
    ngi_heap_init(h);
}

static inline void ngi__heap_set(struct ngi_heap *h, const struct ngi_heap_ops *ops, size_t i,
                                 void *e)
{
    h->v[i] = e;
    ops->moved(e, i);
}

static inline void ngi__heap_up(struct ngi_heap *h, const struct ngi_heap_ops *ops, size_t i)
{
    void *e = h->v[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ops->less(e, h->v[p]))
            break;
        ngi__heap_set(h, ops, i, h->v[p]);
        i = p;
    }
    ngi__heap_set(h, ops, i, e);
}

/* Sift down from i; returns where the element came to rest. */
static inline size_t ngi__heap_down(struct ngi_heap *h, const struct ngi_heap_ops *ops, size_t i)
{
    void *e = h->v[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && ops->less(h->v[c + 1], h->v[c]))
            c++;
        if (!ops->less(h->v[c], e))
            break;
        ngi__heap_set(h, ops, i, h->v[c]);
        i = c;
    }
    ngi__heap_set(h, ops, i, e);
    return i;
}

/* Make room for one more element: 0 or -ENOMEM (heap unchanged). */
static inline int ngi_heap_reserve(struct ngi_heap *h)
{
    if (h->n < h->cap)
        return 0;
    size_t cap = h->cap ? h->cap * 2 : 64;
    void **v = realloc(h->v, cap * sizeof(*v));
    if (!v)
        return -ENOMEM;
    h->v = v;
    h->cap = cap;
    return 0;
}

/* Insert e; ngi_heap_reserve() must have succeeded since the last insert. */
static inline void ngi_heap_insert(struct ngi_heap *h, const struct ngi_heap_ops *ops, void *e)
{
    NGI_ASSERT(h->n < h->cap);
    h->v[h->n++] = e;
    ngi__heap_up(h, ops, h->n - 1);
}

/* Remove the element at index i. */
static inline void ngi_heap_remove(struct ngi_heap *h, const struct ngi_heap_ops *ops, size_t i)
{
    NGI_ASSERT(i < h->n);
    void *last = h->v[--h->n];
    if (i == h->n)
        return;
    ngi__heap_set(h, ops, i, last);
    ngi__heap_up(h, ops, ngi__heap_down(h, ops, i));
}

/* The least element, or NULL if empty. */
static inline void *ngi_heap_top(const struct ngi_heap *h) { return h->n ? h->v[0] : NULL; }

#endif
