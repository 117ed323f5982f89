/*
 * queue.c - the pipe node type's queues (src/nodes/pipe/): per direction an
 * inbound (bandwidth) queue of flows served FIFO, WFQ or DRR, BER losses
 * and duplication as frames leave it, a delay queue, and the timer that
 * releases frames when they are due.  Every function runs with the
 * direction's lock held (pipe.c's header comment); ngi_pipe_run() drops
 * it to send.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipe_int.h"

/* Copy the control configuration into direction d (d->lock held). */
void ngi_pipe_dir_load(struct pipe_priv *p, struct pipe_dir *d)
{
    d->cfg = *ctl_dir(&p->ctl, d->d);
    d->delay_ns = p->ctl.delay * 1000ull;
    d->overhead = p->ctl.overhead;
    d->hdroff = p->ctl.header_offset;
    d->ber_q8 = d->cfg.ber ? dpow(1.0 - 1.0 / (double)d->cfg.ber, 8) : 1.0;
    d->noqueue = !(d->cfg.bandwidth || d->delay_ns || d->cfg.duplicate || d->cfg.ber);
}

/* Whether direction d may forward without queueing (d->lock held). */
void ngi_pipe_passthru(struct pipe_dir *d)
{
    bool v = d->noqueue && !d->sending && d->run.qin_frames == 0 && d->run.qout_frames == 0;
    atomic_store_explicit(&d->passthru, v, memory_order_release);
}

/* ---- queues (d->lock held) ------------------------------------------------- */

struct pframe *ngi_pipe_frame_get(struct pipe_dir *d)
{
    struct pframe *f = d->free_frames;
    if (f) {
        d->free_frames = f->next;
        d->nfree--;
    } else if (!(f = malloc(sizeof(*f)))) {
        return NULL;
    }
    memset(f, 0, sizeof(*f));
    return f;
}

void ngi_pipe_frame_put(struct pipe_dir *d, struct pframe *f)
{
    if (d->nfree >= PIPE_FREE_MAX) {
        free(f);
        return;
    }
    f->next = d->free_frames;
    d->free_frames = f;
    d->nfree++;
}

static unsigned bucket_of(uint32_t hash) { return (hash * 0x9e3779b1u) >> 26; }

static struct pflow *flow_find(struct pipe_dir *d, uint32_t hash)
{
    for (struct pflow *f = d->bucket[bucket_of(hash)]; f; f = f->hnext)
        if (f->hash == hash)
            return f;
    return NULL;
}

static void flow_unlink(struct pipe_dir *d, struct pflow *f)
{
    if (f->prev)
        f->prev->next = f->next;
    else
        d->fhead = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        d->ftail = f->prev;
    f->next = f->prev = NULL;
}

static void flow_insert_before(struct pipe_dir *d, struct pflow *f, struct pflow *at)
{
    f->next = at;
    f->prev = at ? at->prev : d->ftail;
    if (f->prev)
        f->prev->next = f;
    else
        d->fhead = f;
    if (at)
        at->prev = f;
    else
        d->ftail = f;
}

/* Put flow f into the active list: by WFQ virtual time (its next frame of
 * plen bytes takes its share of the bandwidth, counted from `base`) or at
 * the tail.  FreeBSD counts from the current time; libngraph counts a
 * served flow from the emulated link's clock (when the frame it just sent
 * started), so the order does not depend on how late a timer fired. */
static void flow_place(struct pipe_dir *d, struct pflow *f, uint64_t base, uint32_t plen)
{
    struct pflow *at = NULL;
    if (d->cfg.wfq && d->cfg.bandwidth) {
        unsigned __int128 t = (unsigned __int128)(plen + d->overhead) * d->run.fifo_queues *
                              8000000000ull / d->cfg.bandwidth;
        f->vtime = base + (uint64_t)t;
        for (at = d->fhead; at && at->vtime <= f->vtime; at = at->next)
            ;
    }
    flow_insert_before(d, f, at);
}

static void flow_free(struct pipe_dir *d, struct pflow *f)
{
    flow_unlink(d, f);
    struct pflow **pp = &d->bucket[bucket_of(f->hash)];
    while (*pp != f)
        pp = &(*pp)->hnext;
    *pp = f->hnext;
    d->run.fifo_queues--;
    f->next = d->free_flows;
    d->free_flows = f;
}

static void flow_remove_frame(struct pflow *fl, struct pframe *f)
{
    if (f->prev)
        f->prev->next = f->next;
    else
        fl->head = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        fl->tail = f->prev;
    fl->packets--;
}

/* FreeBSD's flow signature: IPv4 source and destination of a header
 * without options at `off`; every other frame is flow 0. */
static uint32_t ip_hash(struct ng_item *item, uint32_t off)
{
    const uint8_t *b = ng_item_data(item);
    if (ng_item_len(item) < off + 20 || b[off] != 0x45)
        return 0;
    uint32_t src, dst;
    memcpy(&src, b + off + 12, 4);
    memcpy(&dst, b + off + 16, 4);
    uint64_t i =
        (uint64_t)src ^ ((uint64_t)src << 13) ^ ((uint64_t)dst << 7) ^ ((uint64_t)dst << 19);
    return (uint32_t)(i ^ (i >> 32));
}

/* Queue frame f (item attached) in direction d; on overflow one frame of
 * the longest flow is dropped.  Returns -ENOBUFS when that was f itself. */
int ngi_pipe_enqueue(struct pipe_priv *p, struct pipe_dir *d, struct pframe *f, uint64_t now)
{
    uint32_t hash = d->cfg.fifo ? 0 : ip_hash(f->item, d->hdroff);
    struct pflow *fl = flow_find(d, hash);
    if (!fl) {
        fl = d->free_flows;
        if (fl)
            d->free_flows = fl->next;
        else if (!(fl = malloc(sizeof(*fl))))
            return -ENOMEM;
        memset(fl, 0, sizeof(*fl));
        fl->hash = hash;
        fl->deficit = d->cfg.drr;
        unsigned b = bucket_of(hash);
        fl->hnext = d->bucket[b];
        d->bucket[b] = fl;
        d->run.fifo_queues++;
        flow_place(d, fl, now, f->len);
    }
    f->prev = fl->tail;
    f->next = NULL;
    if (fl->tail)
        fl->tail->next = f;
    else
        fl->head = f;
    fl->tail = f;
    fl->packets++;
    d->run.qin_frames++;
    d->run.qin_octets += f->len;
    if (d->run.qin_frames <= d->cfg.qin_size_limit)
        return 0;
    struct pflow *lf = d->fhead;
    for (struct pflow *x = d->fhead; x; x = x->next)
        if (x->packets > lf->packets)
            lf = x;
    struct pframe *v = d->cfg.drophead ? lf->head : lf->tail;
    int rc = v == f ? -ENOBUFS : 0;
    flow_remove_frame(lf, v);
    if (lf->packets == 0)
        flow_free(d, lf);
    d->run.qin_frames--;
    d->run.qin_octets -= v->len;
    pcount(p, d->d, PC_QDROP_FRAMES, 1);
    pcount(p, d->d, PC_QDROP_OCTETS, v->len);
    ng_item_drop(v->item, NG_DROP_QUEUE);
    ngi_pipe_frame_put(d, v);
    return rc;
}

static bool ber_lost(struct pipe_dir *d, uint32_t bytes)
{
    double ok = dpow(d->ber_q8, bytes);
    double u = (double)(splitmix(&d->rng) >> 11) * 0x1.0p-53;
    return u >= ok;
}

/* Serve the inbound queue up to `now`: frames move to the delay queue
 * (or are lost to BER or the delay queue's limit). */
static void dir_serve(struct pipe_priv *p, struct pipe_dir *d, uint64_t now)
{
    struct pflow *fl;
    while ((fl = d->fhead) && d->qin_utime <= now) {
        struct pframe *f = fl->head, *out = f;
        if (d->cfg.drr) {
            if (fl->deficit >= (int64_t)f->len) {
                fl->deficit -= f->len;
            } else {
                fl->deficit += d->cfg.drr;
                if (fl->next) {
                    flow_unlink(d, fl);
                    flow_insert_before(d, fl, NULL);
                }
                continue;
            }
        }
        uint32_t len = f->len;
        uint64_t start = d->qin_utime; /* the frame's transmission starts */
        struct ng_item *copy = NULL;
        if (d->cfg.duplicate && !f->duped &&
            (uint32_t)(((splitmix(&d->rng) >> 32) * 100) >> 32) < d->cfg.duplicate) {
            f->duped = true;
            copy = ng_item_copy(f->item);
            if (copy && !(out = ngi_pipe_frame_get(d))) {
                ng_item_free(copy);
                copy = NULL;
            }
            if (copy) {
                out->item = copy;
                out->len = len;
                pcount(p, d->d, PC_DUP, 1);
            } else {
                pcount(p, d->d, PC_NOBUFS, 1);
                out = f;
            }
        }
        if (!copy) {
            flow_remove_frame(fl, f);
            d->run.qin_frames--;
            d->run.qin_octets -= len;
        }
        if (d->cfg.bandwidth)
            d->qin_utime += (uint64_t)(len + d->overhead) * 8000000000ull / d->cfg.bandwidth;
        if (fl->packets == 0) {
            flow_free(d, fl);
        } else if (d->cfg.wfq && d->cfg.bandwidth) {
            flow_unlink(d, fl);
            flow_place(d, fl, start, fl->head->len);
        }
        int drop = -1;
        if (d->cfg.ber && ber_lost(d, len + d->overhead))
            drop = PC_BER;
        else if (d->cfg.qout_size_limit && d->run.qout_frames >= d->cfg.qout_size_limit)
            drop = PC_DLIMIT;
        if (drop >= 0) {
            pcount(p, d->d, drop, 1);
            pcount(p, d->d, PC_ODROP_FRAMES, 1);
            pcount(p, d->d, PC_ODROP_OCTETS, len);
            if (drop == PC_BER)
                ng_item_free(out->item); /* the emulated link lost it */
            else
                ng_item_drop(out->item, NG_DROP_QUEUE);
            ngi_pipe_frame_put(d, out);
            continue;
        }
        out->when = d->qin_utime + d->delay_ns;
        out->next = NULL;
        if (d->qtail)
            d->qtail->next = out;
        else
            d->qhead = out;
        d->qtail = out;
        d->run.qout_frames++;
        d->run.qout_octets += len;
    }
}

/* Detach the frames of the delay queue due by `now`. */
static struct pframe *dir_pop_due(struct pipe_dir *d, uint64_t now)
{
    struct pframe *first = d->qhead, *last = NULL;
    for (struct pframe *f = d->qhead; f && f->when <= now; f = f->next) {
        last = f;
        d->run.qout_frames--;
        d->run.qout_octets -= f->len;
    }
    if (!last)
        return NULL;
    d->qhead = last->next;
    if (!d->qhead)
        d->qtail = NULL;
    last->next = NULL;
    return first;
}

static void pipe_timer(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2);

/* Arm the direction's timer for its next deadline, if earlier than the
 * one armed. */
static void dir_arm(struct pipe_priv *p, struct pipe_dir *d, struct ng_node *node,
                    struct ng_hook *inhook, uint64_t now)
{
    uint64_t t = ALL64;
    if (d->fhead)
        t = d->qin_utime;
    if (d->qhead && d->qhead->when < t)
        t = d->qhead->when;
    if (t == ALL64 || (d->armed && d->armed_at <= t))
        return;
    int rc = ng_timer_arm(&d->timer, node, inhook, t > now ? t - now : 0, pipe_timer, NULL, d->d);
    if (rc == 0) {
        d->armed = true;
        d->armed_at = t;
    } else if (rc != -ENOTCONN && rc != -ESHUTDOWN && rc != -ENXIO) {
        pcount(p, d->d, PC_TIMERERR, 1); /* retried by the next frame */
    }
}

/* Send a chain of due frames out of the direction's outbound hook. */
static void dir_send(struct pipe_priv *p, struct pipe_dir *d, struct pframe *chain)
{
    struct ng_hook *out = atomic_load_explicit(&p->hook[1 - d->d], memory_order_acquire);
    for (struct pframe *f = chain; f; f = f->next) {
        int rc = out ? ng_send_data(out, f->item) : (ng_item_drop(f->item, NG_DROP_NOTCONN), -1);
        f->item = NULL;
        if (rc == 0) {
            pcount(p, d->d, PC_FWD_FRAMES, 1);
            pcount(p, d->d, PC_FWD_OCTETS, f->len);
        } else {
            pcount(p, d->d, PC_SENDERR, 1);
            pcount(p, d->d, PC_ODROP_FRAMES, 1);
            pcount(p, d->d, PC_ODROP_OCTETS, f->len);
        }
    }
}

/* Serve direction d now, send what is due (one sender at a time) and arm
 * the timer.  Called with d->lock held; returns with it released. */
void ngi_pipe_run(struct pipe_priv *p, struct pipe_dir *d, struct ng_node *node,
                  struct ng_hook *inhook)
{
    uint64_t now = now_ns();
    dir_serve(p, d, now);
    if (d->sending) { /* the sender sends our due frames and arms the timer before it stops */
        pthread_mutex_unlock(&d->lock);
        return;
    }
    d->sending = true;
    for (int round = 0;; round++) {
        struct pframe *chain = round < PIPE_SEND_ROUNDS ? dir_pop_due(d, now) : NULL;
        if (!chain && d->qhead && d->qhead->when <= now)
            d->armed = false; /* due frames left for the timer: re-arm at once */
        dir_arm(p, d, node, inhook, now);
        if (!chain)
            break;
        pthread_mutex_unlock(&d->lock);
        dir_send(p, d, chain);
        pthread_mutex_lock(&d->lock);
        while (chain) {
            struct pframe *n = chain->next;
            ngi_pipe_frame_put(d, chain);
            chain = n;
        }
        now = now_ns();
        dir_serve(p, d, now);
    }
    d->sending = false;
    ngi_pipe_passthru(d);
    pthread_mutex_unlock(&d->lock);
}

static void pipe_timer(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)arg1;
    struct pipe_priv *p = ng_node_private(node);
    if (!p || arg2 < 0 || arg2 > 1)
        return;
    struct pipe_dir *d = &p->dir[arg2];
    pthread_mutex_lock(&d->lock);
    d->armed = false;
    ngi_pipe_run(p, d, node, hook);
}

/* Drop everything queued in d (d->lock held), counted as reason r; cancel
 * the timer (not at shutdown: the engine has cancelled it already). */
void ngi_pipe_flush(struct pipe_priv *p, struct pipe_dir *d, enum ng_drop_reason r, bool cancel)
{
    struct pflow *fl;
    while ((fl = d->fhead)) {
        struct pframe *f;
        while ((f = fl->head)) {
            flow_remove_frame(fl, f);
            pcount(p, d->d, PC_FLUSHED, 1);
            ng_item_drop(f->item, r);
            ngi_pipe_frame_put(d, f);
        }
        flow_free(d, fl);
    }
    struct pframe *f;
    while ((f = d->qhead)) {
        d->qhead = f->next;
        pcount(p, d->d, PC_FLUSHED, 1);
        ng_item_drop(f->item, r);
        ngi_pipe_frame_put(d, f);
    }
    d->qtail = NULL;
    memset(&d->run, 0, sizeof(d->run));
    if (cancel)
        ng_timer_cancel(&d->timer);
    d->armed = false;
    ngi_pipe_passthru(d);
}

void ngi_pipe_free_cache(struct pipe_dir *d)
{
    while (d->free_frames) {
        struct pframe *f = d->free_frames;
        d->free_frames = f->next;
        free(f);
    }
    d->nfree = 0;
    while (d->free_flows) {
        struct pflow *f = d->free_flows;
        d->free_flows = f->next;
        free(f);
    }
}
