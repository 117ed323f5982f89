/*
 * src/nodes/pipe/pipe.c - the "pipe" node type (FreeBSD's ng_pipe(4)): a
 * network emulator between "upper" and "lower".  Each direction
 * (downstream: upper -> lower, upstream: lower -> upper) has an inbound
 * (bandwidth) queue of flows served FIFO, WFQ or DRR at the configured
 * bandwidth, loses frames with the probability their length and the bit
 * error rate imply, may duplicate them, and holds survivors in a delay
 * queue until they are due; one ng_timer per direction, armed for the next
 * deadline, releases them.  This file: node methods, messages, parse
 * types; queue.c: the queues.  Docs: docs/nodes/pipe.md.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA), with one mutex per direction.
 * Every frame changes its direction's queues, so the direction is state
 * serialised by its own lock (d->lock); the two directions never contend,
 * and rcvdata never enters the node's writer discipline.
 *   - d->lock protects everything in struct pipe_dir but `passthru`: the
 *     effective configuration, flows and frames, run counters, the PRNG,
 *     `sending` and the timer bookkeeping.  It is taken by rcvdata, by the
 *     direction's timer function (writer access), by rcvmsg (writer access)
 *     and by disconnect/shutdown (control lock), which may all run at once.
 *     It is held for list operations only, never while another node runs:
 *     due frames are detached under it and sent after it is released, by
 *     one thread at a time per direction (the one that set `sending`; the
 *     others leave their frames to it), so frames leave in order.  rcvdata
 *     never waits for a timer: it queues the frame, sends what is due and
 *     returns.  ng_timer_arm / ng_timer_cancel are called under d->lock
 *     (the engine takes its timer mutex inside and never calls back with
 *     it held).
 *   - d->passthru: an atomic flag, true while the direction has nothing to
 *     emulate (no bandwidth, delay, BER or duplication) and nothing queued
 *     or being sent; rcvdata then forwards the frame at once without the
 *     lock, as FreeBSD's shortcut.  Set and cleared under d->lock.
 *   - p->hook[]: hook pointers, stored by connect, cleared by disconnect
 *     (release / CAS), loaded (acquire) when a frame is sent.  A hook loaded
 *     just before disconnect cleared it is valid memory until a grace period
 *     after its removal; sending on it drops the frame, counted.
 *   - p->ctl_lock: p->ctl (the configuration as set), p->seed, p->link_down;
 *     taken by rcvmsg and by the revive shutdown of a persistent node,
 *     before any d->lock, and never held while a neighbour runs (flow
 *     messages and responses are sent after it is released).
 *   - counters: ng_pcounter (per-thread lines, summed on read).
 *   A frame arriving on a hook being removed (ng_hook_is_valid() false
 *   under d->lock) is dropped and counted: disconnect takes d->lock after
 *   the hook was cut, flushes that direction's queues and cancels its
 *   timer, so nothing stays queued for a removed hook.  Everything is freed
 *   by the final shutdown, when no method can run.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes/pipe.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

#include "pipe_int.h"

static const char *const pc_names[PC_N] = {
    "received",  "rx_octets",       "forwarded", "fwd_octets",  "queue_drops", "queue_drop_octets",
    "out_drops", "out_drop_octets", "ber_drops", "delay_drops", "send_errors", "duplicated",
    "flushed",   "nohook",          "nobufs",    "timer_errors"};

static void cfg_defaults(struct ng_pipe_cfg *c)
{
    memset(c, 0, sizeof(*c));
    struct ng_pipe_hookcfg *h[2] = {&c->downstream, &c->upstream};
    for (int i = 0; i < 2; i++) {
        h[i]->qin_size_limit = 50;
        h[i]->fifo = 1;
        h[i]->droptail = 1;
    }
}

/* "0: unchanged, all ones: zero, [lo, hi]: the value"; -EINVAL otherwise. */
static int set64(uint64_t *cur, uint64_t v, uint64_t lo, uint64_t hi)
{
    if (v == 0)
        return 0;
    if (v == ALL64)
        *cur = 0;
    else if (v >= lo && v <= hi)
        *cur = v;
    else
        return -EINVAL;
    return 0;
}

static int set32(uint32_t *cur, uint32_t v, uint32_t lo, uint32_t hi)
{
    if (v == 0)
        return 0;
    if (v == ALL32)
        *cur = 0;
    else if (v >= lo && v <= hi)
        *cur = v;
    else
        return -EINVAL;
    return 0;
}

/* Apply one direction's request `n` to `c`; -EINVAL for a bad value. */
static int hookcfg_apply(struct ng_pipe_hookcfg *c, const struct ng_pipe_hookcfg *n)
{
    if (set64(&c->ber, n->ber, 1, NG_PIPE_BER_MAX) ||
        n->qin_size_limit == ALL32 || /* an inbound queue of 0 would drop every frame */
        set32(&c->qin_size_limit, n->qin_size_limit, NG_PIPE_QLEN_MIN, NG_PIPE_QLEN_MAX) ||
        set32(&c->qout_size_limit, n->qout_size_limit, NG_PIPE_QLEN_MIN, NG_PIPE_QLEN_MAX) ||
        set32(&c->duplicate, n->duplicate, 1, NG_PIPE_DUP_MAX))
        return -EINVAL;
    if (n->fifo > 1 || n->wfq > 1 || n->droptail > 1 || n->drophead > 1 ||
        (n->drr > 1 && (n->drr < NG_PIPE_DRR_MIN || n->drr > NG_PIPE_DRR_MAX)) ||
        (n->fifo != 0) + (n->wfq != 0) + (n->drr != 0) > 1 || (n->droptail && n->drophead))
        return -EINVAL;
    if (n->fifo || n->wfq || n->drr) {
        c->fifo = n->fifo;
        c->wfq = n->wfq;
        c->drr = n->drr == 1 ? NG_PIPE_DRR_DEFAULT : n->drr;
    }
    if (n->droptail || n->drophead) {
        c->droptail = n->droptail;
        c->drophead = n->drophead;
    }
    if (n->bandwidth == ALL64) {
        c->bandwidth = 0;
    } else if (set64(&c->bandwidth, n->bandwidth, NG_PIPE_BW_MIN, NG_PIPE_BW_MAX)) {
        return -EINVAL;
    }
    return 0;
}

/* ---- node methods ---------------------------------------------------------- */

static int pipe_constructor(struct ng_node *node)
{
    struct pipe_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    int rc = ng_pcounter_create(2 * PC_N, &p->pc);
    if (rc < 0) {
        free(p);
        return rc;
    }
    pthread_mutex_t *locks[3] = {&p->dir[0].lock, &p->dir[1].lock, &p->ctl_lock};
    int locked = 0;
    for (; locked < 3; locked++)
        if (pthread_mutex_init(locks[locked], NULL) != 0)
            break;
    if (locked < 3) {
        while (locked-- > 0)
            pthread_mutex_destroy(locks[locked]);
        ng_pcounter_destroy(p->pc);
        free(p);
        return -ENOMEM;
    }
    cfg_defaults(&p->ctl);
    uint64_t s = now_ns() ^ ((uint64_t)ng_node_id(node) << 32) ^ (uint64_t)(uintptr_t)p;
    p->seed = splitmix(&s);
    for (int i = 0; i < 2; i++) {
        struct pipe_dir *d = &p->dir[i];
        d->d = i;
        ng_timer_init(&d->timer);
        d->rng = p->seed + (uint64_t)i * 0xd1b54a32d192ed03ull;
        ngi_pipe_dir_load(p, d);
        ngi_pipe_passthru(d);
    }
    ng_node_set_private(node, p);
    return 0;
}

static void pipe_shutdown(struct ng_node *node)
{
    struct pipe_priv *p = ng_node_private(node);
    if (!p)
        return;
    bool revive = ng_node_is_valid(node) != 0;
    pthread_mutex_lock(&p->ctl_lock);
    if (revive) { /* persistent: back to the state of a new node (the seed stays) */
        cfg_defaults(&p->ctl);
        p->link_down = false;
    }
    for (int i = 0; i < 2; i++) {
        struct pipe_dir *d = &p->dir[i];
        pthread_mutex_lock(&d->lock);
        ngi_pipe_flush(p, d, NG_DROP_DEAD, false);
        if (revive) {
            ngi_pipe_dir_load(p, d);
            d->qin_utime = 0;
            ngi_pipe_passthru(d);
        } else {
            ngi_pipe_free_cache(d);
        }
        pthread_mutex_unlock(&d->lock);
    }
    pthread_mutex_unlock(&p->ctl_lock);
    if (revive) {
        (void)ng_pcounter_snapshot(p->pc, 0, 2 * PC_N, NULL, true);
        return;
    }
    ng_node_set_private(node, NULL);
    for (int i = 0; i < 2; i++)
        pthread_mutex_destroy(&p->dir[i].lock);
    pthread_mutex_destroy(&p->ctl_lock);
    ng_pcounter_destroy(p->pc);
    free(p);
}

static int pipe_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    struct pipe_priv *p = ng_node_private(node);
    int h;
    if (strcmp(name, NG_PIPE_HOOK_UPPER) == 0)
        h = H_UPPER;
    else if (strcmp(name, NG_PIPE_HOOK_LOWER) == 0)
        h = H_LOWER;
    else
        return -EINVAL;
    if (atomic_load(&p->hook[h]))
        return -EISCONN;
    ng_hook_set_private(hook, (void *)(intptr_t)h);
    return 0;
}

static int pipe_connect(struct ng_hook *hook)
{
    struct pipe_priv *p = ng_node_private(ng_hook_node(hook));
    int h = (int)(intptr_t)ng_hook_private(hook);
    atomic_store_explicit(&p->hook[h], hook, memory_order_release);
    return 0;
}

static int pipe_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct pipe_priv *p = ng_node_private(node);
    int h = (int)(intptr_t)ng_hook_private(hook);
    struct ng_hook *expect = hook;
    atomic_compare_exchange_strong(&p->hook[h], &expect, NULL);
    /* The direction this hook feeds (FreeBSD flushes the same queues). */
    struct pipe_dir *d = &p->dir[h];
    pthread_mutex_lock(&d->lock);
    ngi_pipe_flush(p, d, NG_DROP_NOTCONN, true);
    pthread_mutex_unlock(&d->lock);
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

/* FreeBSD's shutdown: with both hooks connected the node takes itself out
 * of the chain, joining its two neighbours. */
static int pipe_close(struct ng_node *node)
{
    struct pipe_priv *p = ng_node_private(node);
    struct ng_hook *u = atomic_load(&p->hook[H_UPPER]), *l = atomic_load(&p->hook[H_LOWER]);
    if (u && l)
        return ng_bypass(u, l);
    return 0;
}

static int pipe_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct ng_node *node = ng_hook_node(hook);
    struct pipe_priv *p = ng_node_private(node);
    int h = (int)(intptr_t)ng_hook_private(hook);
    struct pipe_dir *d = &p->dir[h];
    uint32_t len = ng_item_len(item);
    pcount(p, h, PC_RX_FRAMES, 1);
    pcount(p, h, PC_RX_OCTETS, len);
    if (atomic_load_explicit(&d->passthru, memory_order_acquire)) {
        struct ng_hook *out = atomic_load_explicit(&p->hook[1 - h], memory_order_acquire);
        int rc = out ? ng_send_data(out, item) : (ng_item_drop(item, NG_DROP_NOTCONN), -ENOTCONN);
        if (rc == 0) {
            pcount(p, h, PC_FWD_FRAMES, 1);
            pcount(p, h, PC_FWD_OCTETS, len);
        } else {
            pcount(p, h, PC_SENDERR, 1);
            pcount(p, h, PC_ODROP_FRAMES, 1);
            pcount(p, h, PC_ODROP_OCTETS, len);
        }
        return rc;
    }
    pthread_mutex_lock(&d->lock);
    if (!ng_hook_is_valid(hook)) {
        pthread_mutex_unlock(&d->lock);
        pcount(p, h, PC_NOHOOK, 1);
        ng_item_drop(item, NG_DROP_NOTCONN);
        return -ENOTCONN;
    }
    atomic_store_explicit(&d->passthru, false, memory_order_relaxed);
    uint64_t now = now_ns();
    if (d->run.qin_frames == 0 && d->qin_utime < now)
        d->qin_utime = now;
    struct pframe *f = ngi_pipe_frame_get(d);
    int rc = f ? 0 : -ENOMEM;
    if (f) {
        f->item = item;
        f->len = len;
        rc = ngi_pipe_enqueue(p, d, f, now);
        if (rc == -ENOMEM)
            ngi_pipe_frame_put(d, f);
    }
    if (rc == -ENOMEM) { /* no record for the frame: dropped */
        pcount(p, h, PC_NOBUFS, 1);
        pcount(p, h, PC_QDROP_FRAMES, 1);
        pcount(p, h, PC_QDROP_OCTETS, len);
        ng_item_drop(item, NG_DROP_NOBUFS);
        rc = -ENOBUFS;
    }
    ngi_pipe_run(p, d, node, hook);
    return rc;
}

/* ---- messages ---------------------------------------------------------------- */

static int respond(struct ng_item *item, const void *data, uint32_t len)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), len);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    memcpy(r->data, data, len);
    return ng_respond(item, 0, r);
}

static int pipe_stats(struct pipe_priv *p, struct ng_item *item, bool get, bool clear)
{
    struct ng_pipe_stats st;
    for (int i = 0; i < 2; i++) {
        struct ng_pipe_hookstat *h = i == D_DOWN ? &st.downstream : &st.upstream;
        uint64_t v[6];
        for (int k = 0; k < 6; k++) {
            unsigned idx = (unsigned)(i * PC_N + PC_FWD_FRAMES + k);
            v[k] = clear ? ng_pcounter_fetch_clear(p->pc, idx) : ng_pcounter_read(p->pc, idx);
        }
        h->fwd_frames = v[0];
        h->fwd_octets = v[1];
        h->in_disc_frames = v[2];
        h->in_disc_octets = v[3];
        h->out_disc_frames = v[4];
        h->out_disc_octets = v[5];
        if (clear)
            for (int k = 0; k < PC_N; k++)
                if (k < PC_FWD_FRAMES || k > PC_ODROP_OCTETS)
                    ng_pcounter_fetch_clear(p->pc, (unsigned)(i * PC_N + k));
    }
    if (!get) {
        ng_item_free(item);
        return 0;
    }
    return respond(item, &st, sizeof(st));
}

static int pipe_getrun(struct pipe_priv *p, struct ng_item *item)
{
    struct ng_pipe_run run;
    for (int i = 0; i < 2; i++) {
        pthread_mutex_lock(&p->dir[i].lock);
        *(i == D_DOWN ? &run.downstream : &run.upstream) = p->dir[i].run;
        pthread_mutex_unlock(&p->dir[i].lock);
    }
    return respond(item, &run, sizeof(run));
}

static int pipe_getcfg(struct pipe_priv *p, struct ng_item *item)
{
    pthread_mutex_lock(&p->ctl_lock);
    struct ng_pipe_cfg c = p->ctl;
    pthread_mutex_unlock(&p->ctl_lock);
    /* FreeBSD: one bandwidth for both directions is reported globally. */
    if (c.downstream.bandwidth == c.upstream.bandwidth) {
        c.bandwidth = c.downstream.bandwidth;
        c.downstream.bandwidth = c.upstream.bandwidth = 0;
    } else {
        c.bandwidth = 0;
    }
    return respond(item, &c, sizeof(c));
}

static void send_flow(struct pipe_priv *p, uint32_t cmd)
{
    for (int h = 0; h < 2; h++) {
        struct ng_hook *hook = atomic_load(&p->hook[h]);
        struct ng_mesg *m = hook ? ng_mesg_alloc(NGM_FLOW_COOKIE, cmd, 0) : NULL;
        if (m) {
            snprintf(m->header.cmdstr, sizeof(m->header.cmdstr), "%s",
                     cmd == NGM_LINK_IS_DOWN ? "linkdown" : "linkup");
            ng_send_msg_hook(hook, m);
        }
    }
}

/* NGM_PIPE_SET_CFG: check everything on a copy, then apply it whole
 * (p->ctl_lock held); *flow is the link message to announce, or 0. */
static int pipe_setcfg_locked(struct pipe_priv *p, const struct ng_mesg *m, uint32_t *flow)
{
    if (m->header.arglen != sizeof(struct ng_pipe_cfg))
        return -EINVAL;
    struct ng_pipe_cfg n, c = p->ctl;
    memcpy(&n, m->data, sizeof(n));
    if (set64(&c.delay, n.delay, 1, NG_PIPE_DELAY_MAX))
        return -EINVAL;
    if (n.bandwidth == ALL64) {
        c.downstream.bandwidth = c.upstream.bandwidth = 0;
        c.overhead = 0;
    } else if (n.bandwidth) {
        if (n.bandwidth < NG_PIPE_BW_MIN || n.bandwidth > NG_PIPE_BW_MAX)
            return -EINVAL;
        c.downstream.bandwidth = c.upstream.bandwidth = n.bandwidth;
        c.overhead = n.bandwidth >= 10000000 ? 8 + 4 + 12 : 10; /* Ethernet : HDLC */
    }
    if (set32(&c.overhead, n.overhead, 1, NG_PIPE_MAX_OHSIZE - 1) ||
        set32(&c.header_offset, n.header_offset, 1, NG_PIPE_HDROFF_MAX))
        return -EINVAL;
    for (int i = 0; i < 2; i++) {
        struct ng_pipe_hookcfg *hc = ctl_dir(&c, i);
        const struct ng_pipe_hookcfg *hn = ctl_dir(&n, i);
        if (hookcfg_apply(hc, hn))
            return -EINVAL;
        if (hc->bandwidth == 0) { /* nothing waits without a bandwidth: FIFO only */
            if (hn->wfq || hn->drr)
                return -EINVAL;
            hc->fifo = 1;
            hc->wfq = hc->drr = 0;
        }
    }
    bool was_down = p->link_down;
    p->ctl = c;
    p->link_down = c.downstream.ber == 1 || c.upstream.ber == 1;
    for (int i = 0; i < 2; i++) {
        struct pipe_dir *d = &p->dir[i];
        pthread_mutex_lock(&d->lock);
        ngi_pipe_dir_load(p, d);
        if (!d->noqueue)
            atomic_store_explicit(&d->passthru, false, memory_order_relaxed);
        else
            ngi_pipe_passthru(d);
        pthread_mutex_unlock(&d->lock);
    }
    if (was_down != p->link_down)
        *flow = p->link_down ? NGM_LINK_IS_DOWN : NGM_LINK_IS_UP;
    return 0;
}

static int pipe_setcfg(struct pipe_priv *p, const struct ng_mesg *m)
{
    uint32_t flow = 0;
    pthread_mutex_lock(&p->ctl_lock);
    int rc = pipe_setcfg_locked(p, m, &flow);
    pthread_mutex_unlock(&p->ctl_lock);
    if (flow) /* no lock held while a neighbour runs */
        send_flow(p, flow);
    return rc;
}

static int pipe_setseed(struct pipe_priv *p, const struct ng_mesg *m)
{
    if (m->header.arglen != sizeof(uint64_t))
        return -EINVAL;
    pthread_mutex_lock(&p->ctl_lock);
    memcpy(&p->seed, m->data, sizeof(p->seed));
    for (int i = 0; i < 2; i++) {
        pthread_mutex_lock(&p->dir[i].lock);
        p->dir[i].rng = p->seed + (uint64_t)i * 0xd1b54a32d192ed03ull;
        pthread_mutex_unlock(&p->dir[i].lock);
    }
    pthread_mutex_unlock(&p->ctl_lock);
    return 0;
}

static const char *mode_name(const struct ng_pipe_hookcfg *c)
{
    return c->wfq ? "wfq" : c->drr ? "drr" : "fifo";
}

static int pipe_status(struct pipe_priv *p, struct ng_item *item)
{
    pthread_mutex_lock(&p->ctl_lock);
    const struct ng_pipe_cfg ctl = p->ctl;
    const uint64_t seed = p->seed;
    pthread_mutex_unlock(&p->ctl_lock);
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), 2 * NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    size_t len = 0, cap = 2 * NG_TEXTRESPONSE;
#define OUT(...)                                                                                   \
    do {                                                                                           \
        int n_ = len < cap ? snprintf(r->data + len, cap - len, __VA_ARGS__) : 0;                  \
        len += n_ > 0 ? (size_t)n_ : 0;                                                            \
    } while (0)
    OUT("upper: %s  lower: %s  seed: 0x%016llx\n",
        atomic_load(&p->hook[H_UPPER]) ? "connected" : "unconnected",
        atomic_load(&p->hook[H_LOWER]) ? "connected" : "unconnected", (unsigned long long)seed);
    OUT("delay: %llu us  overhead: %u  header_offset: %u\n", (unsigned long long)ctl.delay,
        ctl.overhead, ctl.header_offset);
    for (int i = 0; i < 2; i++) {
        const struct ng_pipe_hookcfg *c = i == D_DOWN ? &ctl.downstream : &ctl.upstream;
        struct ng_pipe_hookrun run;
        pthread_mutex_lock(&p->dir[i].lock);
        run = p->dir[i].run;
        pthread_mutex_unlock(&p->dir[i].lock);
        OUT("%s: bandwidth=%llu BER=%llu queuelen=%u delaylen=%u duplicate=%u mode=%s",
            i ? "upstream" : "downstream", (unsigned long long)c->bandwidth,
            (unsigned long long)c->ber, c->qin_size_limit, c->qout_size_limit, c->duplicate,
            mode_name(c));
        if (c->drr)
            OUT(" quantum=%u", c->drr);
        OUT(" drop=%s\n  queued=%u (%u octets, %u flows) delayed=%u (%u octets)\n ",
            c->drophead ? "head" : "tail", run.qin_frames, run.qin_octets, run.fifo_queues,
            run.qout_frames, run.qout_octets);
        for (int k = 0; k < PC_N; k++)
            OUT(" %s=%llu", pc_names[k],
                (unsigned long long)ng_pcounter_read(p->pc, (unsigned)(i * PC_N + k)));
        OUT("\n");
    }
#undef OUT
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

static int pipe_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    struct pipe_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    int rc = -EINVAL;
    if (m->header.flags & NGF_RESP) {
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS)
        return pipe_status(p, item);
    if (m->header.typecookie == NGM_FLOW_COOKIE) {
        /* Flow control travels on along the data path. */
        struct ng_hook *to = NULL;
        if (lasthook) {
            int h = (int)(intptr_t)ng_hook_private(lasthook);
            to = atomic_load_explicit(&p->hook[1 - h], memory_order_acquire);
        }
        if (to)
            return ng_forward_msg(item, to);
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_PIPE_COOKIE) {
        switch (m->header.cmd) {
        case NGM_PIPE_GET_STATS:
            return pipe_stats(p, item, true, false);
        case NGM_PIPE_CLR_STATS:
            return pipe_stats(p, item, false, true);
        case NGM_PIPE_GETCLR_STATS:
            return pipe_stats(p, item, true, true);
        case NGM_PIPE_GET_RUN:
            return pipe_getrun(p, item);
        case NGM_PIPE_GET_CFG:
            return pipe_getcfg(p, item);
        case NGM_PIPE_SET_CFG:
            rc = pipe_setcfg(p, m);
            break;
        case NGM_PIPE_SET_SEED:
            rc = pipe_setseed(p, m);
            break;
        default:
            break;
        }
    }
    ng_item_free(item);
    return rc;
}

/* ---- parse types ------------------------------------------------------------- */

static const struct ng_parse_struct_field pipe_hookstat_fields[] = {
    {"FwdOctets", &ng_parse_uint64_type, 0},
    {"FwdFrames", &ng_parse_uint64_type, 0},
    {"queueDropOctets", &ng_parse_uint64_type, 0},
    {"queueDropFrames", &ng_parse_uint64_type, 0},
    {"delayDropOctets", &ng_parse_uint64_type, 0},
    {"delayDropFrames", &ng_parse_uint64_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type pipe_hookstat_type = {
    &ng_parse_struct_type, pipe_hookstat_fields, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field pipe_stats_fields[] = {
    {"downstream", &pipe_hookstat_type, 0}, {"upstream", &pipe_hookstat_type, 0}, {NULL, NULL, 0}};
static const struct ng_parse_type pipe_stats_type = {
    &ng_parse_struct_type, pipe_stats_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field pipe_hookrun_fields[] = {
    {"queues", &ng_parse_uint32_type, 0},        {"queuedOctets", &ng_parse_uint32_type, 0},
    {"queuedFrames", &ng_parse_uint32_type, 0},  {"delayedOctets", &ng_parse_uint32_type, 0},
    {"delayedFrames", &ng_parse_uint32_type, 0}, {NULL, NULL, 0},
};
static const struct ng_parse_type pipe_hookrun_type = {
    &ng_parse_struct_type, pipe_hookrun_fields, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field pipe_run_fields[] = {
    {"downstream", &pipe_hookrun_type, 0}, {"upstream", &pipe_hookrun_type, 0}, {NULL, NULL, 0}};
static const struct ng_parse_type pipe_run_type = {
    &ng_parse_struct_type, pipe_run_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field pipe_hookcfg_fields[] = {
    {"bandwidth", &ng_parse_uint64_type, 0},
    {"BER", &ng_parse_uint64_type, 0},
    {"queuelen", &ng_parse_uint32_type, 0},
    {"delaylen", &ng_parse_uint32_type, 0},
    {"duplicate", &ng_parse_uint32_type, 0},
    {"fifo", &ng_parse_uint32_type, 0},
    {"drr", &ng_parse_uint32_type, 0},
    {"wfq", &ng_parse_uint32_type, 0},
    {"droptail", &ng_parse_uint32_type, 0},
    {"drophead", &ng_parse_uint32_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type pipe_hookcfg_type = {
    &ng_parse_struct_type, pipe_hookcfg_fields, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field pipe_cfg_fields[] = {
    {"bandwidth", &ng_parse_uint64_type, 0},
    {"delay", &ng_parse_uint64_type, 0},
    {"header_offset", &ng_parse_uint32_type, 0},
    {"overhead", &ng_parse_uint32_type, 0},
    {"downstream", &pipe_hookcfg_type, 0},
    {"upstream", &pipe_hookcfg_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type pipe_cfg_type = {
    &ng_parse_struct_type, pipe_cfg_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_cmdlist pipe_cmds[] = {
    {NGM_PIPE_COOKIE, NGM_PIPE_GET_STATS, "getstats", NULL, &pipe_stats_type, 0},
    {NGM_PIPE_COOKIE, NGM_PIPE_CLR_STATS, "clrstats", NULL, NULL, 0},
    {NGM_PIPE_COOKIE, NGM_PIPE_GETCLR_STATS, "getclrstats", NULL, &pipe_stats_type, 0},
    {NGM_PIPE_COOKIE, NGM_PIPE_GET_RUN, "getrun", NULL, &pipe_run_type, 0},
    {NGM_PIPE_COOKIE, NGM_PIPE_GET_CFG, "getcfg", NULL, &pipe_cfg_type, 0},
    {NGM_PIPE_COOKIE, NGM_PIPE_SET_CFG, "setcfg", &pipe_cfg_type, NULL, sizeof(struct ng_pipe_cfg)},
    {NGM_PIPE_COOKIE, NGM_PIPE_SET_SEED, "setseed", &ng_parse_uint64_type, NULL, sizeof(uint64_t)},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_pipe_type = {
    .version = NG_ABI_VERSION,
    .name = NG_PIPE_NODE_TYPE,
    .cookie = NGM_PIPE_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = pipe_constructor,
    .rcvmsg = pipe_rcvmsg,
    .shutdown = pipe_shutdown,
    .newhook = pipe_newhook,
    .connect = pipe_connect,
    .rcvdata = pipe_rcvdata,
    .disconnect = pipe_disconnect,
    .cmdlist = pipe_cmds,
    .close = pipe_close,
};
