/*
 * runtime.h - the worker runtime's private state: workers and the runtime
 * object, shared by worker.c, runtime.c and timer.c.  Private to libngraph.
 *
 * Workers (struct ngi_worker, one pthread each):
 *   - Two intrusive Vyukov MPSC queues (lib/mpsc.h): `items` (data items
 *     submitted for a hook, timer calls) and `nodes` (nodes whose DRAIN
 *     right was handed over by the data path through ngi_runtime_ops
 *     .schedule; the link is node->rt_link, usable once at a time because
 *     DRAIN is exclusive).  Any thread pushes with one atomic exchange; only
 *     the owner pops.
 *   - `npush` (incremented by producers before the push) and `npop`
 *     (owner-written after running an entry) tell the owner and the stopper
 *     whether work is outstanding without touching the queue internals.
 */
#ifndef NGI_RUNTIME_RUNTIME_H
#define NGI_RUNTIME_RUNTIME_H

#include <ngraph/runtime.h>

#include "control/control.h"
#include "lib/heap.h"

struct ngi_worker {
    struct ngi_mpsc_queue items;
    struct ngi_mpsc_queue nodes;
    _Atomic uint64_t npush CK_CC_CACHELINE;    /* producers */
    _Atomic uint32_t sleeping CK_CC_CACHELINE; /* futex word: 1 = asleep */
    _Atomic uint64_t gen;                      /* owner: exits from sleep */
    /* Owner-written counters (single writer), read by anyone. */
    ngi_counter_t npop, items_run, drains, batches, idle_ns, wakeups;
    struct ng_runtime *rt;
    unsigned idx;
    int cpu;
    _Atomic int pinned;
    _Atomic int state; /* 0 starting, 1 ready, -errno failed */
    bool started;
    pthread_t tid;
    uint64_t qgen[2]; /* ng_runtime_stop() only */
    /* Owner only: a run of hook references to drop (worker_unref). */
    struct ng_hook *unref_hook;
    int unref_n;
    /* Owner only: an entry popped from `items` while gathering a burst that
     * did not belong to it (another hook, or not data); run next, before
     * either queue is popped again.  Counted in npush, not yet in npop, so
     * the worker never sleeps or stops with one held. */
    struct ng_item *held;
};

/* Most data items a worker gathers into one ng_send_data_burst(). */
#define NGI_WORKER_BURST 32u

/* A runtime.  Created by ng_runtime_start, published in graph->runtime
 * (release) and freed by ng_runtime_stop after every worker has joined. */
struct ng_runtime {
    struct ngi_runtime_base base; /* first: the data path's view (objects.h) */
    struct ng_graph *g;
    struct ngi_worker *w;
    unsigned nworkers, batch, spin;
    int pin;
    _Atomic int stopping;
    _Atomic int exit;
};

/* The graph's timers (timer.c), with or without a runtime: a min-heap
 * under tlock (timers are a control path) and one timer thread sleeping on
 * tcond until the earliest deadline.  Created by the first ng_timer_arm of
 * the graph, freed by ng_graph_destroy (ngi_timer_ops.fini). */
struct ngi_tbase {
    struct ngi_tbase_hdr hdr; /* first: the lower layers' view (objects.h) */
    struct ng_graph *g;
    pthread_mutex_t tlock;
    pthread_cond_t tcond;
    pthread_t tthread;
    bool tstop;            /* tlock */
    struct ngi_heap theap; /* armed timers by deadline, tlock */
    uint64_t tseq;         /* tlock */
    _Atomic unsigned trr;  /* round-robin worker choice */
};

/* worker.c */
extern _Thread_local struct ngi_worker *ngi_self;
void *ngi_worker_main(void *arg);
/* Wake w if it sleeps (Dekker with its sleep; see worker.c). */
void ngi_worker_wake(struct ngi_worker *w);
/* Queue n items linked first..last on w (one exchange, at most one wake). */
void ngi_worker_push_items(struct ngi_worker *w, struct ng_item *first, struct ng_item *last,
                           unsigned n);
/* The data path's schedule operation (struct ngi_runtime_ops). */
bool ngi_runtime_schedule(struct ng_runtime *rt, struct ng_node *node);

/* timer.c */
/* Runtime stop: after rt->stopping is set, wait out a timer being handed
 * to rt's workers and cancel every armed timer of rt's graph. */
void ngi_timers_runtime_stop(struct ng_runtime *rt);

#endif
