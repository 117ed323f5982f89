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
 *   - An event loop (struct ngi_fdloop, fd.c): the worker sleeps in
 *     epoll_wait on it; wakers write its eventfd.
 *
 * File descriptor watches (fd.c): every watch of a graph is found by its id
 * in the table of the graph's struct ngi_tbase, under `flock`; epoll
 * events and queued callback items carry the id, never the caller-owned
 * struct ng_fdwatch, so a removed watch's memory is never touched again.
 */
#ifndef NGI_RUNTIME_RUNTIME_H
#define NGI_RUNTIME_RUNTIME_H

#include <ngraph/runtime.h>

#include "control/control.h"
#include "lib/heap.h"

/* An epoll event loop: a worker's or the graph's timer thread's.  epfd holds
 * the eventfd (id NGI_FDID_WAKE), for the timer thread its timerfd
 * (NGI_FDID_TIMER), and the watched fds (their watch ids).  Busy-poll
 * watches are in busy[] instead.  nwatch / nbusy: atomic hints read by the
 * loop without flock; the arrays are under the graph's flock. */
struct ngi_fdloop {
    int epfd, evfd, tfd;
    int idx; /* worker index, -1 for the timer thread */
    _Atomic unsigned nwatch, nbusy;
    uint64_t *busy; /* busy-poll watch ids, flock */
    unsigned busycap;
};
#define NGI_FDID_WAKE 1u
#define NGI_FDID_TIMER 2u

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
    struct ngi_fdloop loop;
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
 * under tlock (timers are a control path) and one timer thread sleeping in
 * epoll_wait on tloop until the earliest deadline (its timerfd), a wake
 * (its eventfd) or a watched fd.  Created by the first ng_timer_arm or
 * ng_fdwatch_add of the graph, freed by ng_graph_destroy (ngi_timer_ops.fini). */
struct ngi_tbase {
    struct ngi_tbase_hdr hdr; /* first: the lower layers' view (objects.h) */
    struct ng_graph *g;
    pthread_mutex_t tlock;
    pthread_t tthread;
    bool tstop;            /* tlock */
    struct ngi_heap theap; /* armed timers by deadline, tlock */
    uint64_t tseq;         /* tlock */
    _Atomic unsigned trr;  /* round-robin worker choice */
    uint64_t tprog;        /* deadline the timerfd is set to (0: none), timer thread */
    /* File descriptor watches (fd.c). */
    struct ngi_fdloop tloop; /* the timer thread's loop (also its timer wait) */
    pthread_mutex_t flock;   /* the watch table and every watch's fields */
    pthread_cond_t fcond;    /* a callback returned (ng_fdwatch_remove waits) */
    struct ng_fdwatch **fw;  /* [fwcap] slot -> watch, flock */
    uint32_t *fgen;          /* [fwcap] slot generations, flock */
    uint32_t fwcap, fwfree;  /* fwfree: slots in use, a hint */
    unsigned frr;            /* round-robin worker choice, flock */
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

/* fd.c */
/* Create / close an event loop (tfd: also a timerfd, for the timer thread).
 * init: 0 or -errno (loop closed again on failure). */
int ngi_fdloop_init(struct ngi_fdloop *l, int idx, bool tfd);
void ngi_fdloop_fini(struct ngi_fdloop *l);
/* Wake the loop's thread (eventfd write). */
void ngi_fdloop_wake(struct ngi_fdloop *l);
/* Wait for an event on l (timeout_ms -1: forever), outside any read-side
 * section.  Fills ev[0..max) and returns the count (0 on timeout or
 * EINTR).  The wake eventfd and the timerfd are drained here. */
struct epoll_event;
int ngi_fdloop_wait(struct ngi_fdloop *l, struct epoll_event *ev, int max, int timeout_ms);
/* Handle the n events ev (from ngi_fdloop_wait) and, if busy, the loop's
 * busy-poll watches: hand each ready watch's call to its node.  Inside the
 * read-side section t of g.  Returns the calls handed on. */
unsigned ngi_fdloop_dispatch(struct ng_graph *g, struct ngi_thread *t, struct ngi_fdloop *l,
                             const struct epoll_event *ev, int n);
/* Timer-thread side (timer.c): the watch table's lifetime. */
void ngi_fd_tbase_init(struct ngi_tbase *tb);
/* Remove every watch (graph destruction) and free the table. */
void ngi_fd_tbase_fini(struct ngi_tbase *tb);
/* Remove node n's watches (node shutdown; no wait for a running call). */
void ngi_fd_cancel_node(struct ngi_tbase *tb, struct ng_node *n);
/* Runtime stop: move the watches served by rt's workers to the timer thread. */
void ngi_fd_runtime_stop(struct ng_runtime *rt);
/* The graph's timers and watches, created (timer thread started) on first
 * use; NULL with *err -ENXIO (graph being destroyed), -ENOMEM, -errno. */
struct ngi_tbase *ngi_tbase_get(struct ng_graph *g, int *err);
/* Wake the timer thread (eventfd). */
void ngi_tbase_wake(struct ngi_tbase *tb);

/* timer.c */
/* Runtime stop: after rt->stopping is set, wait out a timer being handed
 * to rt's workers and cancel every armed timer of rt's graph. */
void ngi_timers_runtime_stop(struct ng_runtime *rt);

#endif
