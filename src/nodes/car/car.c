/*
 * car/car.c - the "car" node type (FreeBSD's ng_car(4)): committed access rate
 * between "upper" and "lower", one meter per direction (RFC 2697 srTCM,
 * RFC 2698 trTCM, Cisco's RED-like CAR, traffic shaping with a RED queue),
 * with forward / drop / mark (DSCP drop precedence) actions; the meters
 * and DSCP colours are in meter.c (car_meter.h).  Docs:
 * docs/nodes/car.md.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA).  The meters are lock-free:
 *   - p->conf points to an immutable configuration of both directions
 *     (struct car_conf), published by SET_CONF with a release store; the
 *     old one is handed to ng_defer() and freed after a grace period, so a
 *     packet that loaded it keeps valid memory.  Its meter state lives in
 *     the same block (a new configuration starts with full buckets, as
 *     FreeBSD's).
 *   - each direction's meter is two atomic words: `tok`, the two token
 *     counters as two int32 halves (c and e/p/debt: one CAS decides a
 *     packet and takes its tokens), and `last`, the time the buckets were
 *     credited up to.  A refill claims the interval (last, now] with a CAS
 *     on `last` and adds exactly the tokens a token clock K(t) =
 *     floor(rate * t / unit) produced in it (telescoping: nothing is lost
 *     or counted twice, whichever thread wins), then adds them to `tok`
 *     with a CAS loop.  A packet racing a refill sees the buckets before
 *     or after it, as if it had arrived a moment earlier or later.
 *   - SHAPE mode's queue is the exception: it is a FIFO released by a
 *     timer, so each direction has a mutex (q->lock) that SHAPE-mode
 *     rcvdata and the timer function take (FreeBSD's q_mtx); the timer
 *     function runs with writer access, which does not exclude shared
 *     rcvdata.  Nothing is sent while q->lock is held (the peer could send
 *     back into this node); q->sending keeps later packets behind the one
 *     the timer is sending.  Each queued packet's tokens are taken once,
 *     under q->lock, when it becomes the ring's head (enqueued into an
 *     empty ring, or the timer took the one before it).  Lock order:
 *     q->lock, then the engine's timer mutex (ng_timer_arm/cancel/pending).
 *   - hook pointers p->hook[]: release-stored by newhook, cleared by
 *     disconnect; a hook loaded just before is valid memory and sending on
 *     it drops the item (-ENOTCONN).
 *   - counters: ng_pcounter (per-thread lines, summed on read).
 * Everything is freed by the final shutdown method, when no method runs.
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
#include <ngraph/nodes/car.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

#include "car_meter.h"

#define NS NGI_CAR_NS
enum { DOWN = 0, UP = 1 }; /* direction: arrives on hook[d], leaves by hook[1 - d] */
enum { ST_PASSED, ST_DROPPED, ST_GREEN, ST_YELLOW, ST_RED, ST_ERRORS, ST_N };
#define COL_GREEN NGI_COL_GREEN
#define COL_YELLOW NGI_COL_YELLOW
#define COL_RED NGI_COL_RED

/* SHAPE mode's queue of one direction. */
struct car_q {
    pthread_mutex_t lock;
    struct ng_item *ring[NG_CAR_QUEUE_LEN];
    unsigned head, n;
    bool sending; /* the timer is sending a packet it took off the queue */
    struct ng_timer timer;
};

struct car_priv {
    _Atomic(struct ngi_car_conf *) conf;
    _Atomic(struct ng_hook *) hook[2]; /* upper, lower */
    struct ng_pcounter *pc;            /* ST_N per direction */
    struct ng_graph *g;
    struct car_q q[2];
};

static void cnt(struct car_priv *p, int d, int st)
{
    ng_pcounter_add(p->pc, (unsigned)(d * ST_N + st), 1);
}

/* ---- data path ------------------------------------------------------------- */

static int car_send(struct car_priv *p, int d, struct ng_item *item)
{
    struct ng_hook *out = atomic_load_explicit(&p->hook[1 - d], memory_order_acquire);
    if (!out) {
        cnt(p, d, ST_ERRORS);
        ng_item_drop(item, NG_DROP_NOTCONN);
        return -ENOTCONN;
    }
    int rc = ng_send_data(out, item);
    cnt(p, d, rc == 0 ? ST_PASSED : ST_ERRORS);
    return rc;
}

/* Apply action a to a packet of colour col; true: forward it. */
static bool car_act(struct car_priv *p, int d, const struct ngi_car_dir *cd, struct ng_item *item,
                    int a, int col)
{
    if (a == NG_CAR_ACTION_FORWARD)
        return true;
    if (a == NG_CAR_ACTION_MARK) {
        if (!ngi_car_mark(item, col, cd->hc.opt & NG_CAR_RAW_IP))
            cnt(p, d, ST_ERRORS);
        return true;
    }
    cnt(p, d, ST_DROPPED);
    ng_item_free(item);
    return false;
}

static int64_t car_cost(const struct ngi_car_dir *cd, struct ng_item *item)
{
    return cd->f == 1 ? 1 : (int64_t)ng_item_len(item);
}

/* SHAPE: delay until the queue's head is paid for (c >= 0). */
static uint64_t shape_delay(const struct ngi_car_dir *cd, int64_t c)
{
    if (c >= 0)
        return 0;
    uint64_t need = (uint64_t)-c, unit = cd->f * NS;
    return (need * unit + cd->hc.cir - 1) / cd->hc.cir;
}

/* Arm direction d's timer for the queue's head unless it is pending
 * (q->lock held).  The armed timer carries hook, the direction's input. */
static void shape_arm(struct car_priv *p, int d, struct ng_hook *hook, uint64_t delay);

static void shape_event(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2);

static int car_shape(struct car_priv *p, int d, struct ngi_car_dir *cd, struct ng_hook *hook,
                     struct ng_item *item)
{
    struct car_q *q = &p->q[d];
    int64_t b = car_cost(cd, item);
    pthread_mutex_lock(&q->lock);
    /* In SHAPE mode only holders of q->lock touch cd->tok. */
    if (q->n == 0 && !q->sending)
        ngi_car_refill(cd);
    uint64_t w = atomic_load_explicit(&cd->tok, memory_order_relaxed);
    int64_t c = ngi_tk_c(w), e = ngi_tk_e(w);
    if (q->n == 0 && !q->sending && c >= b) { /* green */
        atomic_store_explicit(&cd->tok, ngi_tk_pack(c - b, e), memory_order_relaxed);
        pthread_mutex_unlock(&q->lock);
        cnt(p, d, ST_GREEN);
        return car_act(p, d, cd, item, cd->hc.green_action, COL_GREEN) ? car_send(p, d, item) : 0;
    }
    /* The queue, with FreeBSD's RED rule (e counts "RED tokens"). */
    unsigned len = q->n + q->sending;
    if (q->n >= NG_CAR_QUEUE_LEN || len >= NG_CAR_QUEUE_LEN || e + len > NG_CAR_QUEUE_LEN) {
        atomic_store_explicit(&cd->tok, ngi_tk_pack(c, 0), memory_order_relaxed);
        pthread_mutex_unlock(&q->lock);
        cnt(p, d, ST_RED);
        cnt(p, d, ST_DROPPED);
        ng_item_drop(item, NG_DROP_QUEUE);
        return 0;
    }
    if (cd->hc.yellow_action == NG_CAR_ACTION_MARK &&
        !ngi_car_mark(item, COL_YELLOW, cd->hc.opt & NG_CAR_RAW_IP))
        cnt(p, d, ST_ERRORS);
    /* A packet is paid for when it becomes the queue's head: here if the
     * ring is empty (even while the timer is sending the previous head,
     * which it took off the ring and will not charge for this one), else
     * by the timer when it takes the packet before it off the ring. */
    bool head = q->n == 0;
    q->ring[(q->head + q->n) % NG_CAR_QUEUE_LEN] = item;
    q->n++;
    if (len > NG_CAR_QUEUE_MIN_TH)
        e += len - NG_CAR_QUEUE_MIN_TH;
    if (head)
        c -= b;
    atomic_store_explicit(&cd->tok, ngi_tk_pack(c, e), memory_order_relaxed);
    cnt(p, d, ST_YELLOW);
    shape_arm(p, d, hook, shape_delay(cd, c));
    pthread_mutex_unlock(&q->lock);
    return 0;
}

/* Drop everything in direction d's queue (q->lock held). */
static void shape_purge(struct car_priv *p, int d)
{
    struct car_q *q = &p->q[d];
    while (q->n) {
        struct ng_item *it = q->ring[q->head];
        q->head = (q->head + 1) % NG_CAR_QUEUE_LEN;
        q->n--;
        cnt(p, d, ST_DROPPED);
        ng_item_drop(it, NG_DROP_NOTCONN);
    }
}

static void shape_arm(struct car_priv *p, int d, struct ng_hook *hook, uint64_t delay)
{
    struct car_q *q = &p->q[d];
    if (ng_timer_pending(&q->timer))
        return;
    /* No way to release the queue (the hook or the node is going): its
     * packets are dropped, each counted once, in droped. */
    if (ng_timer_arm(&q->timer, ng_hook_node(hook), hook, delay, shape_event, NULL, d) != 0)
        shape_purge(p, d);
}

/* The timer: send the queued packets that are paid for (all of them when
 * the direction is no longer in SHAPE mode), then re-arm for the rest. */
static void shape_event(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)arg1;
    struct car_priv *p = ng_node_private(node);
    int d = arg2;
    struct car_q *q = &p->q[d];
    pthread_mutex_lock(&q->lock);
    struct ngi_car_dir *cd = &atomic_load_explicit(&p->conf, memory_order_acquire)->d[d];
    bool shape = cd->hc.mode == NG_CAR_SHAPE;
    if (shape)
        ngi_car_refill(cd);
    while (q->n) {
        uint64_t w = atomic_load_explicit(&cd->tok, memory_order_relaxed);
        if (shape && ngi_tk_c(w) < 0)
            break;
        struct ng_item *it = q->ring[q->head];
        q->head = (q->head + 1) % NG_CAR_QUEUE_LEN;
        q->n--;
        if (shape && q->n) /* the next head is paid for now */
            atomic_store_explicit(
                &cd->tok, ngi_tk_pack(ngi_tk_c(w) - car_cost(cd, q->ring[q->head]), ngi_tk_e(w)),
                memory_order_relaxed);
        q->sending = true;
        pthread_mutex_unlock(&q->lock);
        car_send(p, d, it);
        pthread_mutex_lock(&q->lock);
        q->sending = false;
    }
    if (q->n)
        shape_arm(p, d, hook,
                  shape_delay(cd, ngi_tk_c(atomic_load_explicit(&cd->tok, memory_order_relaxed))));
    pthread_mutex_unlock(&q->lock);
}

static int car_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct car_priv *p = ng_node_private(ng_hook_node(hook));
    int d = (int)(uintptr_t)ng_hook_private(hook) - 1;
    if (d < 0) { /* cannot happen: every hook is upper or lower */
        ng_item_drop(item, NG_DROP_NOTCONN);
        return -ENOTCONN;
    }
    struct ngi_car_dir *cd = &atomic_load_explicit(&p->conf, memory_order_acquire)->d[d];
    const struct ng_car_hookconf *hc = &cd->hc;
    if (hc->mode == NG_CAR_SHAPE)
        return car_shape(p, d, cd, hook, item);
    int pre = (hc->opt & NG_CAR_COLOR_AWARE) ? ngi_car_precolour(item, hc->opt & NG_CAR_RAW_IP)
                                             : COL_GREEN;
    ngi_car_refill(cd);
    int col = ngi_car_meter(cd, car_cost(cd, item), pre);
    cnt(p, d, ST_GREEN + col);
    int a = col == COL_GREEN    ? hc->green_action
            : col == COL_YELLOW ? hc->yellow_action
                                : hc->red_action;
    return car_act(p, d, cd, item, a, col) ? car_send(p, d, item) : 0;
}

/* ---- node and hooks --------------------------------------------------------- */

static const struct ng_car_hookconf car_default = {
    .cbs = NG_CAR_CBS_MIN,
    .ebs = NG_CAR_EBS_MIN,
    .cir = NG_CAR_CIR_DFLT,
    .green_action = NG_CAR_ACTION_FORWARD,
    .yellow_action = NG_CAR_ACTION_FORWARD,
    .red_action = NG_CAR_ACTION_DROP,
    .mode = NG_CAR_SINGLE_RATE,
};

static void car_free(struct car_priv *p)
{
    for (int d = 0; d < 2; d++)
        pthread_mutex_destroy(&p->q[d].lock);
    ng_pcounter_destroy(p->pc);
    free(atomic_load(&p->conf));
    free(p);
}

static int car_constructor(struct ng_node *node)
{
    struct car_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    const struct ng_car_bulkconf bc = {car_default, car_default};
    struct ngi_car_conf *c = ngi_car_conf_new(&bc);
    int rc = ng_pcounter_create(2 * ST_N, &p->pc);
    if (!c || rc != 0) {
        free(c);
        ng_pcounter_destroy(p->pc);
        free(p);
        return -ENOMEM;
    }
    atomic_init(&p->conf, c);
    p->g = ng_node_graph(node);
    for (int d = 0; d < 2; d++) {
        pthread_mutex_init(&p->q[d].lock, NULL);
        ng_timer_init(&p->q[d].timer);
    }
    ng_node_set_private(node, p);
    return 0;
}

/* Publish a new configuration; the old one goes after a grace period. */
static int car_publish(struct car_priv *p, const struct ng_car_bulkconf *bc)
{
    struct ngi_car_conf *c = ngi_car_conf_new(bc);
    if (!c)
        return -ENOMEM;
    struct ngi_car_conf *old = atomic_exchange_explicit(&p->conf, c, memory_order_acq_rel);
    if (ng_defer(p->g, &old->defer, ngi_car_conf_free_deferred) != 0)
        free(old); /* cannot happen: every argument is set */
    return 0;
}

static void car_shutdown(struct ng_node *node)
{
    struct car_priv *p = ng_node_private(node);
    if (!p)
        return;
    for (int d = 0; d < 2; d++) { /* normally empty: disconnect purged them */
        pthread_mutex_lock(&p->q[d].lock);
        shape_purge(p, d);
        pthread_mutex_unlock(&p->q[d].lock);
    }
    if (ng_node_is_valid(node)) { /* a persistent node revives: defaults, counters cleared */
        const struct ng_car_bulkconf bc = {car_default, car_default};
        car_publish(p, &bc);
        (void)ng_pcounter_snapshot(p->pc, 0, 2 * ST_N, NULL, true);
        return;
    }
    ng_node_set_private(node, NULL);
    car_free(p);
}

static int car_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    struct car_priv *p = ng_node_private(node);
    int h;
    if (strcmp(name, NG_CAR_HOOK_UPPER) == 0)
        h = 0;
    else if (strcmp(name, NG_CAR_HOOK_LOWER) == 0)
        h = 1;
    else
        return -EINVAL;
    struct ng_hook *expect = NULL;
    if (!atomic_compare_exchange_strong(&p->hook[h], &expect, hook))
        return -EISCONN;
    /* Data arriving on upper is downstream (DOWN = 0), on lower upstream. */
    ng_hook_set_private(hook, (void *)(uintptr_t)(h + 1));
    return 0;
}

static int car_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct car_priv *p = ng_node_private(node);
    int h = (int)(uintptr_t)ng_hook_private(hook) - 1;
    if (h >= 0) {
        struct ng_hook *expect = hook;
        atomic_compare_exchange_strong(&p->hook[h], &expect, NULL);
    }
    /* Both queues go: one was fed by this hook, the other leaves by it. */
    for (int d = 0; d < 2; d++) {
        pthread_mutex_lock(&p->q[d].lock);
        ng_timer_cancel(&p->q[d].timer);
        shape_purge(p, d);
        pthread_mutex_unlock(&p->q[d].lock);
    }
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

/* ---- messages ------------------------------------------------------------- */

static int conf_check(const struct ng_car_hookconf *h)
{
    if (h->cir > NG_CAR_RATE_MAX || h->pir > NG_CAR_RATE_MAX || h->cbs > NG_CAR_BURST_MAX ||
        h->ebs > NG_CAR_BURST_MAX || (h->cbs == 0 && h->ebs == 0) || h->mode > NG_CAR_SHAPE ||
        (h->opt & ~(NG_CAR_COLOR_AWARE | NG_CAR_COUNT_PACKETS | NG_CAR_RAW_IP)))
        return -EINVAL;
    const uint8_t a[3] = {h->green_action, h->yellow_action, h->red_action};
    for (int i = 0; i < 3; i++)
        if (a[i] < NG_CAR_ACTION_FORWARD || a[i] > NG_CAR_ACTION_MARK)
            return -EINVAL;
    if (h->mode == NG_CAR_DOUBLE_RATE && (h->pir < h->cir || h->cbs == 0 || h->ebs == 0))
        return -EINVAL; /* RFC 2698: PIR >= CIR, both bursts above 0 */
    if (h->mode == NG_CAR_SHAPE && h->cir == 0)
        return -EINVAL;
    if ((h->opt & NG_CAR_COLOR_AWARE) && h->mode != NG_CAR_SINGLE_RATE &&
        h->mode != NG_CAR_DOUBLE_RATE)
        return -EINVAL;
    return 0;
}

static int car_setconf(struct car_priv *p, const struct ng_mesg *m)
{
    struct ng_car_bulkconf bc;
    if (m->header.arglen != sizeof(bc))
        return -EINVAL;
    memcpy(&bc, m->data, sizeof(bc));
    int rc = conf_check(&bc.upstream);
    if (rc == 0)
        rc = conf_check(&bc.downstream);
    if (rc == 0)
        rc = car_publish(p, &bc);
    /* Packets still queued in a direction that is no longer SHAPE leave now. */
    for (int d = 0; rc == 0 && d < 2; d++) {
        struct car_q *q = &p->q[d];
        struct ng_hook *in = atomic_load_explicit(&p->hook[d], memory_order_acquire);
        pthread_mutex_lock(&q->lock);
        if (q->n && in) {
            ng_timer_cancel(&q->timer);
            shape_arm(p, d, in, 0);
        }
        pthread_mutex_unlock(&q->lock);
    }
    return rc;
}

static int car_getstats(struct car_priv *p, struct ng_item *item, bool clear)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), sizeof(struct ng_car_bulkstats));
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    struct ng_car_bulkstats *bs = (struct ng_car_bulkstats *)(void *)r->data;
    for (int d = 0; d < 2; d++) {
        uint64_t v[ST_N];
        (void)ng_pcounter_snapshot(p->pc, (unsigned)(d * ST_N), ST_N, v, clear);
        struct ng_car_hookstats *hs = d == DOWN ? &bs->downstream : &bs->upstream;
        hs->passed_pkts = v[ST_PASSED];
        hs->droped_pkts = v[ST_DROPPED];
        hs->green_pkts = v[ST_GREEN];
        hs->yellow_pkts = v[ST_YELLOW];
        hs->red_pkts = v[ST_RED];
        hs->errors = v[ST_ERRORS];
    }
    return ng_respond(item, 0, r);
}

static int car_getconf(struct car_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), sizeof(struct ng_car_bulkconf));
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    const struct ngi_car_conf *c = atomic_load_explicit(&p->conf, memory_order_acquire);
    struct ng_car_bulkconf *bc = (struct ng_car_bulkconf *)(void *)r->data;
    bc->downstream = c->d[DOWN].hc;
    bc->upstream = c->d[UP].hc;
    return ng_respond(item, 0, r);
}

static const char *const mode_names[] = {"single-rate", "double-rate", "red", "shape"};
static const char *const st_names[ST_N] = {"passed", "droped", "green", "yellow", "red", "errors"};

static int car_status(struct car_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    struct ngi_car_conf *c = atomic_load_explicit(&p->conf, memory_order_acquire);
    size_t len = 0, cap = NG_TEXTRESPONSE;
    for (int d = 0; d < 2 && len < cap; d++) {
        const struct ngi_car_dir *cd = &c->d[d];
        const struct ng_car_hookconf *h = &cd->hc;
        uint64_t w = atomic_load_explicit(&cd->tok, memory_order_relaxed);
        pthread_mutex_lock(&p->q[d].lock);
        unsigned qn = p->q[d].n;
        pthread_mutex_unlock(&p->q[d].lock);
        int n = snprintf(r->data + len, cap - len,
                         "%s (%s -> %s): %s cir=%llu pir=%llu cbs=%llu ebs=%llu %s%s\n"
                         "  tokens c=%lld e=%lld queued=%u\n  ",
                         d == DOWN ? "downstream" : "upstream", d == DOWN ? "upper" : "lower",
                         d == DOWN ? "lower" : "upper", mode_names[h->mode],
                         (unsigned long long)h->cir, (unsigned long long)h->pir,
                         (unsigned long long)h->cbs, (unsigned long long)h->ebs,
                         (h->opt & NG_CAR_COUNT_PACKETS) ? "packets" : "bytes",
                         (h->opt & NG_CAR_COLOR_AWARE) ? " color-aware" : "",
                         (long long)ngi_tk_c(w), (long long)ngi_tk_e(w), qn);
        len += n > 0 ? (size_t)n : 0;
        for (int i = 0; i < ST_N && len < cap; i++) {
            n = snprintf(r->data + len, cap - len, "%s=%llu%s", st_names[i],
                         (unsigned long long)ng_pcounter_read(p->pc, (unsigned)(d * ST_N + i)),
                         i + 1 < ST_N ? " " : "\n");
            len += n > 0 ? (size_t)n : 0;
        }
    }
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

static int car_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    struct car_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    int rc = -EINVAL;
    if (m->header.flags & NGF_RESP) {
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS)
        return car_status(p, item);
    if (m->header.typecookie == NGM_FLOW_COOKIE) { /* passed on the way data goes */
        struct ng_hook *out = NULL;
        for (int h = 0; h < 2 && lasthook; h++)
            if (atomic_load(&p->hook[h]) == lasthook)
                out = atomic_load_explicit(&p->hook[1 - h], memory_order_acquire);
        if (out)
            return ng_forward_msg(item, out);
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_CAR_COOKIE) {
        switch (m->header.cmd) {
        case NGM_CAR_GET_STATS:
            return car_getstats(p, item, false);
        case NGM_CAR_GETCLR_STATS:
            return car_getstats(p, item, true);
        case NGM_CAR_CLR_STATS:
            (void)ng_pcounter_snapshot(p->pc, 0, 2 * ST_N, NULL, true);
            rc = 0;
            break;
        case NGM_CAR_GET_CONF:
            return car_getconf(p, item);
        case NGM_CAR_SET_CONF:
            rc = car_setconf(p, m);
            break;
        default:
            break;
        }
    }
    ng_item_free(item);
    return rc;
}

/* ---- parse types ------------------------------------------------------------ */

static const struct ng_parse_struct_field car_hookstats_fields[] = {
    {"passed", &ng_parse_uint64_type, 0},
    {"droped", &ng_parse_uint64_type, 0},
    {"green", &ng_parse_uint64_type, 0},
    {"yellow", &ng_parse_uint64_type, 0},
    {"red", &ng_parse_uint64_type, 0},
    {"errors", &ng_parse_uint64_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type car_hookstats_type = {
    &ng_parse_struct_type, car_hookstats_fields, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field car_bulkstats_fields[] = {
    {"upstream", &car_hookstats_type, 0},
    {"downstream", &car_hookstats_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type car_bulkstats_type = {
    &ng_parse_struct_type, car_bulkstats_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field car_hookconf_fields[] = {
    {"cbs", &ng_parse_uint64_type, 0},        {"ebs", &ng_parse_uint64_type, 0},
    {"cir", &ng_parse_uint64_type, 0},        {"pir", &ng_parse_uint64_type, 0},
    {"greenAction", &ng_parse_uint8_type, 0}, {"yellowAction", &ng_parse_uint8_type, 0},
    {"redAction", &ng_parse_uint8_type, 0},   {"mode", &ng_parse_uint8_type, 0},
    {"opt", &ng_parse_uint8_type, 0},         {NULL, NULL, 0},
};
static const struct ng_parse_type car_hookconf_type = {
    &ng_parse_struct_type, car_hookconf_fields, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field car_bulkconf_fields[] = {
    {"upstream", &car_hookconf_type, 0},
    {"downstream", &car_hookconf_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type car_bulkconf_type = {
    &ng_parse_struct_type, car_bulkconf_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_cmdlist car_cmds[] = {
    {NGM_CAR_COOKIE, NGM_CAR_GET_STATS, "getstats", NULL, &car_bulkstats_type, 0},
    {NGM_CAR_COOKIE, NGM_CAR_CLR_STATS, "clrstats", NULL, NULL, 0},
    {NGM_CAR_COOKIE, NGM_CAR_GETCLR_STATS, "getclrstats", NULL, &car_bulkstats_type, 0},
    {NGM_CAR_COOKIE, NGM_CAR_GET_CONF, "getconf", NULL, &car_bulkconf_type, 0},
    {NGM_CAR_COOKIE, NGM_CAR_SET_CONF, "setconf", &car_bulkconf_type, NULL,
     sizeof(struct ng_car_bulkconf)},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_car_type = {
    .version = NG_ABI_VERSION,
    .name = NG_CAR_NODE_TYPE,
    .cookie = NGM_CAR_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = car_constructor,
    .rcvmsg = car_rcvmsg,
    .shutdown = car_shutdown,
    .newhook = car_newhook,
    .rcvdata = car_rcvdata,
    .disconnect = car_disconnect,
    .cmdlist = car_cmds,
};
