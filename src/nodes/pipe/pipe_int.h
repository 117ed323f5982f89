/*
 * pipe_int.h - the pipe node type's private declarations (src/nodes/pipe/):
 * the per-direction queue state shared by pipe.c (node methods, messages)
 * and queue.c (the inbound and delay queues, their timer).  The locking
 * rules are in pipe.c's header comment.
 */
#ifndef NGRAPH_NODES_PIPE_INT_H
#define NGRAPH_NODES_PIPE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes/pipe.h>
#include <ngraph/runtime.h>

enum { H_UPPER = 0, H_LOWER = 1 };
enum { D_DOWN = 0, D_UP = 1 }; /* direction d enters by hook d, leaves by hook 1 - d */

#define PIPE_BUCKETS 64
#define PIPE_SEND_ROUNDS 16 /* send rounds one caller makes before the timer takes over */
#define PIPE_FREE_MAX 1024  /* cached frame records per direction */
#define ALL64 UINT64_MAX
#define ALL32 UINT32_MAX

/* Per-direction counters (index d * PC_N + k). */
enum {
    PC_RX_FRAMES, /* frames received on the direction's inbound hook */
    PC_RX_OCTETS,
    PC_FWD_FRAMES, /* sent on (FreeBSD's fwd_*) */
    PC_FWD_OCTETS,
    PC_QDROP_FRAMES, /* inbound queue overflow (in_disc_*) */
    PC_QDROP_OCTETS,
    PC_ODROP_FRAMES, /* BER, delay-queue limit, failed send (out_disc_*) */
    PC_ODROP_OCTETS,
    PC_BER,      /* frames lost to BER (part of out_disc) */
    PC_DLIMIT,   /* frames over the delay queue's limit (part of out_disc) */
    PC_SENDERR,  /* sends that failed (part of out_disc) */
    PC_DUP,      /* duplicates made */
    PC_FLUSHED,  /* queued frames dropped when their hook went */
    PC_NOHOOK,   /* frames that arrived on a hook being removed */
    PC_NOBUFS,   /* frames dropped for want of memory */
    PC_TIMERERR, /* ng_timer_arm failures */
    PC_N
};

struct pframe {
    struct pframe *next, *prev;
    struct ng_item *item;
    uint64_t when; /* due time in the delay queue, CLOCK_MONOTONIC ns */
    uint32_t len;
    bool duped; /* a copy was made already (at most one per frame) */
};

struct pflow {
    struct pflow *next, *prev; /* the active list, in service order */
    struct pflow *hnext;       /* hash chain */
    struct pframe *head, *tail;
    uint64_t vtime;  /* WFQ virtual finish time */
    int64_t deficit; /* DRR */
    uint32_t hash, packets;
};

struct pipe_dir {
    pthread_mutex_t lock;
    /* effective configuration */
    struct ng_pipe_hookcfg cfg;
    uint64_t delay_ns;
    uint32_t overhead, hdroff;
    double ber_q8; /* probability that one byte survives: (1 - 1/ber)^8 */
    bool noqueue;
    /* queues */
    struct pflow *fhead, *ftail;
    struct pflow *bucket[PIPE_BUCKETS];
    struct pframe *qhead, *qtail; /* delay queue */
    struct ng_pipe_hookrun run;
    uint64_t qin_utime; /* when the emulated link is free again */
    struct pframe *free_frames;
    struct pflow *free_flows;
    unsigned nfree;
    /* service */
    bool sending;
    bool armed;
    uint64_t armed_at;
    struct ng_timer timer;
    uint64_t rng;
    _Atomic bool passthru;
    int d;
};

struct pipe_priv {
    _Atomic(struct ng_hook *) hook[2];
    struct pipe_dir dir[2];
    struct ng_pcounter *pc;
    pthread_mutex_t ctl_lock; /* ctl, seed, link_down (taken before a d->lock) */
    struct ng_pipe_cfg ctl;   /* the configuration as set; delay in us */
    uint64_t seed;
    bool link_down; /* BER 1 in some direction (NGM_LINK_IS_DOWN sent) */
};

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline void pcount(struct pipe_priv *p, int d, int k, uint64_t v)
{
    ng_pcounter_add(p->pc, (unsigned)(d * PC_N + k), v);
}

static inline double dpow(double b, uint64_t e)
{
    double r = 1.0;
    while (e) {
        if (e & 1)
            r *= b;
        b *= b;
        e >>= 1;
    }
    return r;
}

static inline struct ng_pipe_hookcfg *ctl_dir(struct ng_pipe_cfg *c, int d)
{
    return d == D_DOWN ? &c->downstream : &c->upstream;
}

/* queue.c.  Each takes d->lock held unless said otherwise. */
/* Load the control configuration p->ctl into direction d. */
void ngi_pipe_dir_load(struct pipe_priv *p, struct pipe_dir *d);
/* Recompute d->passthru. */
void ngi_pipe_passthru(struct pipe_dir *d);
/* A frame record (NULL: no memory) / give one back. */
struct pframe *ngi_pipe_frame_get(struct pipe_dir *d);
void ngi_pipe_frame_put(struct pipe_dir *d, struct pframe *f);
/* Queue frame f in the inbound queue; 0, -ENOBUFS (the overflow dropped
 * f itself, counted), -ENOMEM (no flow record: f not queued). */
int ngi_pipe_enqueue(struct pipe_priv *p, struct pipe_dir *d, struct pframe *f, uint64_t now);
/* Serve d, send what is due, arm the timer; returns with d->lock released. */
void ngi_pipe_run(struct pipe_priv *p, struct pipe_dir *d, struct ng_node *node,
                  struct ng_hook *inhook);
/* Drop everything queued (reason r); cancel the timer if `cancel`. */
void ngi_pipe_flush(struct pipe_priv *p, struct pipe_dir *d, enum ng_drop_reason r, bool cancel);
/* Free the cached records (final shutdown). */
void ngi_pipe_free_cache(struct pipe_dir *d);

#endif
