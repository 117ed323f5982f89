/*
 * mpsc.h - intrusive multi-producer single-consumer queue (Dmitry Vyukov's
 * node-based MPSC design), written with C11 atomics so ThreadSanitizer can
 * see every ordering edge.
 *
 * Why this design: push is one atomic exchange plus one release store, never
 * loops and never blocks, so any thread (worker, application thread, timer)
 * can enqueue without a lock; pop needs no atomic read-modify-write at all.
 * The price is a short window after a producer's exchange in which the
 * consumer sees the queue as "busy" (NGI_MPSC_RETRY) and must come back later.
 *
 * Invariants:
 *   - Any number of threads may call ngi_mpsc_push() concurrently.
 *   - At most one thread at a time calls ngi_mpsc_pop() / ngi_mpsc_pop_wait(); the user
 *     of the queue guarantees it (node queues: the drain owner bit; worker
 *     queues: the owning worker).
 *   - A node is owned by the queue from push until pop returns it.
 */
#ifndef NGI_LIB_MPSC_H
#define NGI_LIB_MPSC_H

#include <stdatomic.h>
#include <stddef.h>

#include "compiler.h"

struct ngi_mpsc_node {
    _Atomic(struct ngi_mpsc_node *) next;
};

struct ngi_mpsc_queue {
    _Atomic(struct ngi_mpsc_node *) tail; /* producers: exchange */
    char pad[64 - sizeof(void *)];
    struct ngi_mpsc_node *head; /* consumer only */
    struct ngi_mpsc_node stub;
};

enum { NGI_MPSC_EMPTY = 0, NGI_MPSC_OK = 1, NGI_MPSC_RETRY = 2 };

static inline void ngi_mpsc_init(struct ngi_mpsc_queue *q)
{
    atomic_init(&q->stub.next, NULL);
    atomic_init(&q->tail, &q->stub);
    q->head = &q->stub;
}

/* Push a chain first..last already linked through next (last->next is set
 * to NULL here) with one exchange: consumers see the nodes in chain order.
 * acq_rel: the exchange orders us after the previous producer; the release
 * store of prev->next publishes the nodes' contents and their links (all
 * written before it) to the consumer. */
static inline void ngi_mpsc_push_chain(struct ngi_mpsc_queue *q, struct ngi_mpsc_node *first,
                                       struct ngi_mpsc_node *last)
{
    atomic_store_explicit(&last->next, NULL, memory_order_relaxed);
    struct ngi_mpsc_node *prev = atomic_exchange_explicit(&q->tail, last, memory_order_acq_rel);
    atomic_store_explicit(&prev->next, first, memory_order_release);
}

static inline void ngi_mpsc_push(struct ngi_mpsc_queue *q, struct ngi_mpsc_node *n)
{
    ngi_mpsc_push_chain(q, n, n);
}

/* Single consumer.  Returns NGI_MPSC_OK and *out, NGI_MPSC_EMPTY, or NGI_MPSC_RETRY when
 * a producer is between its exchange and its link store. */
static inline int ngi_mpsc_pop(struct ngi_mpsc_queue *q, struct ngi_mpsc_node **out)
{
    struct ngi_mpsc_node *head = q->head;
    struct ngi_mpsc_node *next = atomic_load_explicit(&head->next, memory_order_acquire);
    if (head == &q->stub) {
        if (next == NULL)
            return atomic_load_explicit(&q->tail, memory_order_acquire) == head ? NGI_MPSC_EMPTY
                                                                                : NGI_MPSC_RETRY;
        q->head = next;
        head = next;
        next = atomic_load_explicit(&head->next, memory_order_acquire);
    }
    if (next != NULL) {
        q->head = next;
        *out = head;
        return NGI_MPSC_OK;
    }
    if (atomic_load_explicit(&q->tail, memory_order_acquire) != head)
        return NGI_MPSC_RETRY;
    /* head is the last node: put the stub behind it so head can be returned. */
    ngi_mpsc_push(q, &q->stub);
    next = atomic_load_explicit(&head->next, memory_order_acquire);
    if (next != NULL) {
        q->head = next;
        *out = head;
        return NGI_MPSC_OK;
    }
    return NGI_MPSC_RETRY;
}

/* Pop, spinning through the short RETRY window. */
static inline struct ngi_mpsc_node *ngi_mpsc_pop_wait(struct ngi_mpsc_queue *q)
{
    struct ngi_mpsc_node *n;
    for (;;) {
        int r = ngi_mpsc_pop(q, &n);
        if (r == NGI_MPSC_OK)
            return n;
        if (r == NGI_MPSC_EMPTY)
            return NULL;
        /* RETRY: a producer has exchanged the tail; its link store follows. */
        ngi_cpu_relax();
    }
}

#endif
