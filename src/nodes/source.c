/*
 * source.c - the "source" node type (FreeBSD's ng_source(4)): a packet
 * generator.  Frames received on "input" are queued; NGM_SOURCE_START
 * sends that many copies out of "output", cycling through the queue, from
 * a node timer (never a thread of its own, never a busy loop): with a rate
 * (SETPPS) a token bucket refilled by pps x elapsed time (the fraction
 * carried over, at most one second's worth held) decides how many frames
 * each tick sends, and the timer sleeps until the next frame is due, at
 * least NG_SOURCE_TICK_NS; without one each tick sends NG_SOURCE_TICK_MAX
 * frames and re-arms at once.  Frames leave in bursts of up to 256
 * (ng_send_data_burst).  Each copy may carry a timestamp and up to four
 * counters.  When "output" connects the node asks its peer for its
 * interface name with FreeBSD's NGM_ETHER_GET_IFNAME (and turns the peer's
 * autosrc off once it answered), as ng_source does with ng_ether; START
 * needs an interface (ENXIO otherwise; SETIFACE sets one by hand).  Docs:
 * docs/nodes/source.md.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA).  The data path is "input"
 * (queueing, a setup step) and "output" (discarded); the frames leave
 * from the timer, not from rcvdata.  Invariants:
 *   - hook private: the hook's role (SRC_ROLE_INPUT / SRC_ROLE_OUTPUT),
 *     set by newhook before the hook is linked and never changed, so
 *     rcvdata knows a hook's role even before connect has run.
 *   - p->input, p->output: hook pointers, stored by connect (not newhook:
 *     a hook the peer refuses never held them, so its disconnect neither
 *     clears them nor shuts the node down) and cleared by disconnect
 *     (control lock), loaded atomically everywhere.
 *   - the frame queue (head, tail, nframes, octets) and the send cursor:
 *     under p->qlock, taken by rcvdata on "input" (append), by the timer
 *     (to copy the next frames of a burst) and by the messages (clrdata,
 *     stats).  Queued items are never modified after they were appended;
 *     they are freed by clrdata and a revive (writer access, exclusive
 *     with the timer) and by close (under qlock, which the timer holds
 *     whenever it touches a frame; close also marks the queue closed).
 *   - everything else (activity, count left, token bucket, interface,
 *     statistics, embedding settings, the timer): writer access only, i.e.
 *     rcvmsg, the timer function and NG_FN_WRITER functions; connect hands
 *     its work to such a function (ng_send_fn) for that reason.
 *   - counters of the input/output paths: relaxed atomics.
 *   The private struct is freed by the final shutdown, when no method can
 *   run (the engine cancelled the timer when the shutdown began).
 */
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes/source.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

/* FreeBSD's ng_ether(4) messages (sys/netgraph/ng_ether.h). */
#define SRC_ETHER_COOKIE 1108206947u
#define SRC_ETHER_GET_IFNAME 1
#define SRC_ETHER_SET_AUTOSRC 8

#define NSEC 1000000000ull
#define SRC_ROLE_INPUT ((void *)(uintptr_t)1)
#define SRC_ROLE_OUTPUT ((void *)(uintptr_t)2)
#define SRC_BURST 256u
#define SRC_TS_LEN 16u /* an embedded struct timeval */

_Static_assert(sizeof(struct timeval) == 16, "struct timeval of 64-bit fields");

enum {
    SS_QUEUED,    /* frames queued from "input" (total) */
    SS_QFULL,     /* dropped: the queue was full */
    SS_DISCARDED, /* frames received on "output", discarded */
    SS_SKIPPED,   /* embeddings that did not fit a frame (frame sent without) */
    SS_NOBUFS,    /* ticks cut short: no item for a copy */
    SS_ERRORS,    /* bursts the peer refused (frames counted as sent) */
    SS_COUNT
};
static const char *const ss_names[SS_COUNT] = {"queued",        "drop_queue_full", "discarded",
                                               "embed_skipped", "nobufs",          "send_errors"};

struct src_frame {
    struct ng_item *item;
    struct src_frame *next;
};

struct source_priv {
    struct ng_node *node;
    _Atomic(struct ng_hook *) input;
    _Atomic(struct ng_hook *) output;
    _Atomic uint64_t st[SS_COUNT];
    /* the queue: qlock */
    pthread_mutex_t qlock;
    struct src_frame *head, *tail, *cursor;
    uint32_t nframes, octets;
    bool closed; /* shutting down: no more frames queued */
    /* writer access only */
    bool active, have_iface;
    char ifname[IF_NAMESIZE];
    uint64_t left;                /* frames still to send */
    uint64_t tokens;              /* token bucket, in 1e-9 frames */
    uint64_t last_ns;             /* CLOCK_MONOTONIC of the last refill */
    struct ng_source_stats stats; /* queue fields filled on demand */
    struct ng_source_embed_info ts;
    struct ng_source_embed_cnt_info cnt[NG_SOURCE_COUNTERS];
    struct ng_timer timer;
};

static void scount(struct source_priv *p, int i, uint64_t v)
{
    atomic_fetch_add_explicit(&p->st[i], v, memory_order_relaxed);
}

static uint64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * NSEC + (uint64_t)t.tv_nsec;
}

static void now_tv(struct timeval *tv) { gettimeofday(tv, NULL); }

/* Free every queued frame (qlock held). */
static void clr_data_locked(struct source_priv *p)
{
    struct src_frame *f = p->head;
    while (f) {
        struct src_frame *n = f->next;
        ng_item_free(f->item);
        free(f);
        f = n;
    }
    p->head = p->tail = p->cursor = NULL;
    p->nframes = 0;
    p->octets = 0;
}

static int source_constructor(struct ng_node *node)
{
    struct source_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    if (pthread_mutex_init(&p->qlock, NULL) != 0) {
        free(p);
        return -ENOMEM;
    }
    p->node = node;
    ng_timer_init(&p->timer);
    ng_node_set_private(node, p);
    return 0;
}

/* Stop sending (writer access): FreeBSD's ng_source_stop. */
static void src_stop(struct source_priv *p)
{
    ng_timer_cancel(&p->timer);
    if (!p->active)
        return;
    p->active = false;
    now_tv(&p->stats.endTime);
    timersub(&p->stats.endTime, &p->stats.startTime, &p->stats.elapsedTime);
}

/* A persistent node's revive, as a writer function: back to a new node's
 * state (the queue freed, no interface, settings and statistics cleared). */
static void src_reset_fn(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)node;
    (void)hook;
    (void)arg2;
    struct source_priv *p = arg1;
    src_stop(p);
    pthread_mutex_lock(&p->qlock);
    clr_data_locked(p);
    p->closed = false;
    pthread_mutex_unlock(&p->qlock);
    p->have_iface = false;
    memset(&p->stats, 0, sizeof(p->stats));
    memset(&p->ts, 0, sizeof(p->ts));
    memset(p->cnt, 0, sizeof(p->cnt));
}

/* Shutdown begins: the queued frames are freed here, on the thread that
 * shuts the node down (the final shutdown method may run on a backend's
 * reclamation thread, which must not touch the graph), and nothing is
 * queued any more.  A tick running concurrently touches frames only under
 * qlock and stops when it finds the queue empty. */
static int source_close(struct ng_node *node)
{
    struct source_priv *p = ng_node_private(node);
    pthread_mutex_lock(&p->qlock);
    p->closed = true;
    clr_data_locked(p);
    pthread_mutex_unlock(&p->qlock);
    return 0;
}

static void source_shutdown(struct ng_node *node)
{
    struct source_priv *p = ng_node_private(node);
    if (!p)
        return;
    if (ng_node_is_valid(node)) { /* persistent: revive (serialised with the timer) */
        ng_send_fn(node, NULL, src_reset_fn, p, 0, NG_FN_WRITER);
        return;
    }
    ng_node_set_private(node, NULL);
    clr_data_locked(p); /* empty since close */
    pthread_mutex_destroy(&p->qlock);
    free(p);
}

static int source_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    (void)node;
    if (strcmp(name, NG_SOURCE_HOOK_INPUT) == 0)
        ng_hook_set_private(hook, SRC_ROLE_INPUT);
    else if (strcmp(name, NG_SOURCE_HOOK_OUTPUT) == 0)
        ng_hook_set_private(hook, SRC_ROLE_OUTPUT);
    else
        return -EINVAL;
    return 0;
}

/* "output" connected (writer function): a new peer, so no interface and
 * fresh statistics (FreeBSD's newhook), and ask the peer for its
 * interface name as ng_source asks ng_ether. */
static void src_output_fn(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)node;
    (void)arg2;
    struct source_priv *p = arg1;
    p->have_iface = false;
    uint32_t pps = p->stats.maxPps;
    memset(&p->stats, 0, sizeof(p->stats));
    p->stats.maxPps = pps;
    struct ng_mesg *m = ng_mesg_alloc(SRC_ETHER_COOKIE, SRC_ETHER_GET_IFNAME, 0);
    if (m) {
        snprintf(m->header.cmdstr, sizeof(m->header.cmdstr), "getifname");
        ng_send_msg_hook(hook, m); /* a peer that is not an ether node refuses it */
    }
}

static int source_connect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct source_priv *p = ng_node_private(node);
    if (ng_hook_private(hook) == SRC_ROLE_INPUT) {
        atomic_store_explicit(&p->input, hook, memory_order_release);
        return 0;
    }
    atomic_store_explicit(&p->output, hook, memory_order_release);
    return ng_send_fn(node, hook, src_output_fn, p, 0, NG_FN_WRITER);
}

static int source_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct source_priv *p = ng_node_private(node);
    struct ng_hook *expect = hook;
    bool out = atomic_compare_exchange_strong(&p->output, &expect, NULL);
    expect = hook;
    bool in = atomic_compare_exchange_strong(&p->input, &expect, NULL);
    if (!out && !in)
        return 0; /* never connected: refused by the peer's newhook or connect */
    /* The man page: "the output hook must remain connected". */
    if ((out || ng_node_numhooks(node) == 0) && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

/* ---- data ---------------------------------------------------------------- */

static int src_enqueue(struct source_priv *p, struct ng_item *item)
{
    struct src_frame *f = malloc(sizeof(*f));
    if (!f) {
        ng_item_drop(item, NG_DROP_NOBUFS);
        return -ENOMEM;
    }
    f->item = item;
    f->next = NULL;
    pthread_mutex_lock(&p->qlock);
    if (p->closed) {
        pthread_mutex_unlock(&p->qlock);
        free(f);
        ng_item_drop(item, NG_DROP_DEAD);
        return -ENOTCONN;
    }
    if (p->nframes >= NG_SOURCE_QUEUE_MAX) {
        pthread_mutex_unlock(&p->qlock);
        free(f);
        scount(p, SS_QFULL, 1);
        ng_item_drop(item, NG_DROP_QUEUE);
        return -ENOBUFS;
    }
    if (p->tail)
        p->tail->next = f;
    else
        p->head = f;
    p->tail = f;
    p->nframes++;
    p->octets += ng_item_len(item);
    pthread_mutex_unlock(&p->qlock);
    scount(p, SS_QUEUED, 1);
    return 0;
}

static int source_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct source_priv *p = ng_node_private(ng_hook_node(hook));
    if (ng_hook_private(hook) == SRC_ROLE_INPUT)
        return src_enqueue(p, item);
    scount(p, SS_DISCARDED, 1); /* "output": discarded, as FreeBSD's */
    ng_item_free(item);
    return 0;
}

/* ---- sending --------------------------------------------------------------- */

/* Write len bytes at off, or count a skip if the frame is too short. */
static void embed(struct source_priv *p, uint8_t *d, uint32_t flen, uint32_t off,
                  const uint8_t *src, uint32_t len)
{
    if (off + len > flen) {
        scount(p, SS_SKIPPED, 1);
        return;
    }
    memcpy(d + off, src, len);
}

/* Counter c into the frame, then step it with FreeBSD's wrap rule. */
static void embed_counter(struct source_priv *p, struct ng_source_embed_cnt_info *c, uint8_t *d,
                          uint32_t flen, bool last)
{
    uint8_t be[4] = {(uint8_t)(c->next_val >> 24), (uint8_t)(c->next_val >> 16),
                     (uint8_t)(c->next_val >> 8), (uint8_t)c->next_val};
    embed(p, d, flen, c->offset, be + 4 - c->width, c->width);
    int32_t inc = (c->flags & NGM_SOURCE_INC_CNT_PER_LIST) && !last ? 0 : c->increment;
    if (inc == 0)
        return;
    c->next_val += (uint32_t)inc;
    if (inc > 0 && c->next_val > c->max_val) {
        c->next_val = c->min_val - 1 + (c->next_val - c->max_val);
        if (c->next_val > c->max_val)
            c->next_val = c->max_val;
    } else if (inc < 0 && c->next_val < c->min_val) {
        c->next_val = c->max_val + 1 + (c->next_val - c->min_val);
        if (c->next_val < c->min_val)
            c->next_val = c->max_val;
    }
}

/* The timestamp as FreeBSD/amd64 writes its struct timeval: tv_sec and
 * tv_usec, each as a 32-bit big-endian value in the first half of an
 * 8-byte field (the second half zero). */
static void embed_timestamp(struct source_priv *p, uint8_t *d, uint32_t flen)
{
    struct timeval tv;
    now_tv(&tv);
    uint32_t s = (uint32_t)tv.tv_sec, u = (uint32_t)tv.tv_usec;
    uint8_t b[SRC_TS_LEN] = {
        (uint8_t)(s >> 24), (uint8_t)(s >> 16), (uint8_t)(s >> 8), (uint8_t)s, 0, 0, 0, 0,
        (uint8_t)(u >> 24), (uint8_t)(u >> 16), (uint8_t)(u >> 8), (uint8_t)u, 0, 0, 0, 0};
    embed(p, d, flen, p->ts.offset, b, SRC_TS_LEN);
}

/* Copy up to n frames from the cursor on into v, embedded; qlock held.
 * Returns the count (fewer: the queue is empty or no item was left). */
static unsigned src_fill(struct source_priv *p, struct ng_item **v, unsigned n, uint64_t *octets)
{
    unsigned k = 0;
    while (k < n && p->head) {
        struct src_frame *f = p->cursor ? p->cursor : p->head;
        struct ng_item *c = ng_item_copy(f->item);
        if (!c) { /* counted NG_DROP_NOBUFS by the allocation; retried next tick */
            scount(p, SS_NOBUFS, 1);
            break;
        }
        p->cursor = f->next;
        uint8_t *d = ng_item_data(c);
        uint32_t len = ng_item_len(c);
        for (int i = 0; i < NG_SOURCE_COUNTERS; i++)
            if (p->cnt[i].flags & NGM_SOURCE_EMBED_ENABLE)
                embed_counter(p, &p->cnt[i], d, len, f == p->tail);
        if (p->ts.flags & NGM_SOURCE_EMBED_ENABLE)
            embed_timestamp(p, d, len);
        *octets += len;
        v[k++] = c;
    }
    return k;
}

/* Send up to n frames out of out; returns how many were handed on. */
static uint64_t src_send(struct source_priv *p, struct ng_hook *out, uint64_t n, bool *starved)
{
    struct ng_item *v[SRC_BURST];
    uint64_t sent = 0;
    *starved = false;
    while (sent < n) {
        unsigned want = n - sent < SRC_BURST ? (unsigned)(n - sent) : SRC_BURST;
        uint64_t octets = 0;
        pthread_mutex_lock(&p->qlock);
        unsigned k = src_fill(p, v, want, &octets);
        pthread_mutex_unlock(&p->qlock);
        if (k == 0) {
            *starved = true;
            break;
        }
        p->stats.outFrames += k;
        p->stats.outOctets += octets;
        sent += k;
        if (ng_send_data_burst(out, v, k) != 0)
            scount(p, SS_ERRORS, 1);
        if (k < want) {
            *starved = true;
            break;
        }
    }
    return sent;
}

/* The timer function (writer access): one tick. */
static void src_tick(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)hook;
    (void)arg2;
    struct source_priv *p = arg1;
    if (!p->active)
        return;
    struct ng_hook *out = atomic_load_explicit(&p->output, memory_order_acquire);
    if (!out || p->left == 0) {
        src_stop(p);
        return;
    }
    uint64_t now = mono_ns(), pps = p->stats.maxPps, n = NG_SOURCE_TICK_MAX;
    now_tv(&p->stats.lastTime);
    uint64_t el = now - p->last_ns;
    p->last_ns = now; /* also without a rate: a rate set later starts from here */
    if (pps) {
        if (el > NSEC)
            el = NSEC;
        p->tokens += pps * el;
        if (p->tokens > pps * NSEC) /* at most one second's worth */
            p->tokens = pps * NSEC;
        n = p->tokens / NSEC;
        if (n > NG_SOURCE_TICK_MAX)
            n = NG_SOURCE_TICK_MAX;
    }
    if (n > p->left)
        n = p->left;
    bool starved = false;
    uint64_t sent = n ? src_send(p, out, n, &starved) : 0;
    p->left -= sent;
    if (pps)
        p->tokens -= sent * NSEC;
    pthread_mutex_lock(&p->qlock);
    bool empty = p->head == NULL;
    pthread_mutex_unlock(&p->qlock);
    if (p->left == 0 || empty) {
        src_stop(p);
        return;
    }
    uint64_t delay = 0;
    if (starved)
        delay = NG_SOURCE_TICK_NS; /* no item to copy into: let them drain */
    else if (pps && p->tokens < NSEC) {
        delay = (NSEC - p->tokens + pps - 1) / pps;
        if (delay < NG_SOURCE_TICK_NS)
            delay = NG_SOURCE_TICK_NS;
    }
    if (ng_timer_arm(&p->timer, node, NULL, delay, src_tick, p, 0) != 0)
        src_stop(p);
}

/* ---- messages ---------------------------------------------------------------- */

static int src_start(struct source_priv *p, struct ng_node *node, const struct ng_mesg *m)
{
    if (m->header.arglen != sizeof(uint64_t))
        return -EINVAL;
    if (!p->have_iface)
        return -ENXIO; /* FreeBSD: "start without iface configured" */
    if (p->active)
        return -EBUSY;
    if (!atomic_load(&p->output))
        return -ENOTCONN;
    pthread_mutex_lock(&p->qlock);
    bool empty = p->head == NULL;
    pthread_mutex_unlock(&p->qlock);
    if (empty)
        return -ENODATA;
    memcpy(&p->left, m->data, sizeof(p->left));
    p->tokens = NSEC; /* the first frame leaves at once */
    p->last_ns = mono_ns();
    memset(&p->stats.elapsedTime, 0, sizeof(struct timeval));
    memset(&p->stats.endTime, 0, sizeof(struct timeval));
    now_tv(&p->stats.startTime);
    p->stats.lastTime = p->stats.startTime;
    p->active = true;
    int rc = ng_timer_arm(&p->timer, node, NULL, 0, src_tick, p, 0);
    if (rc != 0)
        p->active = false;
    return rc;
}

/* An interface name from SETIFACE or the ether peer's answer: terminated
 * within its argument and naming an interface of this host. */
static int src_setiface(struct source_priv *p, const struct ng_mesg *m)
{
    if (m->header.arglen < 2)
        return -EINVAL;
    size_t n = strnlen(m->data, m->header.arglen);
    if (n == 0 || n == m->header.arglen || n >= IF_NAMESIZE)
        return -EINVAL;
    if (if_nametoindex(m->data) == 0)
        return -ENXIO;
    memcpy(p->ifname, m->data, n + 1);
    p->have_iface = true;
    return 0;
}

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

static int src_stats(struct source_priv *p, struct ng_item *item, uint32_t cmd)
{
    struct ng_source_stats st;
    memcpy(&st, &p->stats, sizeof(st)); /* padding too: zero, not stack bytes */
    pthread_mutex_lock(&p->qlock);
    st.queueOctets = p->octets;
    st.queueFrames = p->nframes;
    pthread_mutex_unlock(&p->qlock);
    if (p->active && !timerisset(&st.endTime)) {
        struct timeval now;
        now_tv(&now);
        timersub(&now, &st.startTime, &st.elapsedTime);
    }
    if (cmd != NGM_SOURCE_GET_STATS) { /* the settings (maxPps) stay */
        uint32_t pps = p->stats.maxPps;
        memset(&p->stats, 0, sizeof(p->stats));
        p->stats.maxPps = pps;
    }
    if (cmd == NGM_SOURCE_CLR_STATS) {
        ng_item_free(item);
        return 0;
    }
    return respond(item, &st, sizeof(st));
}

static int src_setcounter(struct source_priv *p, const struct ng_mesg *m)
{
    struct ng_source_embed_cnt_info c;
    if (m->header.arglen != sizeof(c))
        return -EINVAL;
    memcpy(&c, m->data, sizeof(c));
    if (c.index >= NG_SOURCE_COUNTERS || (c.width != 1 && c.width != 2 && c.width != 4) ||
        c.min_val > c.max_val)
        return -EINVAL;
    p->cnt[c.index] = c;
    return 0;
}

static int src_status(struct source_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    pthread_mutex_lock(&p->qlock);
    uint32_t qf = p->nframes, qo = p->octets;
    pthread_mutex_unlock(&p->qlock);
    size_t cap = NG_TEXTRESPONSE;
    int n = snprintf(
        r->data, cap,
        "iface: %s  input: %s  output: %s\n"
        "active: %s  left: %llu  pps: %u\n"
        "queue: %u frames %u octets  sent: %llu frames %llu octets\n",
        p->have_iface ? p->ifname : "(none)", atomic_load(&p->input) ? "connected" : "unconnected",
        atomic_load(&p->output) ? "connected" : "unconnected", p->active ? "yes" : "no",
        (unsigned long long)(p->active ? p->left : 0), (unsigned)p->stats.maxPps, (unsigned)qf,
        (unsigned)qo, (unsigned long long)p->stats.outFrames,
        (unsigned long long)p->stats.outOctets);
    size_t len = n > 0 ? (size_t)n : 0;
    for (int i = 0; i < SS_COUNT && len < cap; i++) {
        n = snprintf(r->data + len, cap - len, "%s=%llu%s", ss_names[i],
                     (unsigned long long)atomic_load(&p->st[i]), i + 1 < SS_COUNT ? " " : "\n");
        len += n > 0 ? (size_t)n : 0;
    }
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

/* The ether peer's answers (FreeBSD: NGM_ETHER_GET_IFNAME binds the
 * interface and turns the peer's autosrc off). */
static int src_ether_resp(struct source_priv *p, const struct ng_mesg *m)
{
    if (m->header.cmd != SRC_ETHER_GET_IFNAME)
        return 0;
    int rc = src_setiface(p, m);
    struct ng_hook *out = atomic_load(&p->output);
    if (rc == 0 && out) {
        struct ng_mesg *a = ng_mesg_alloc(SRC_ETHER_COOKIE, SRC_ETHER_SET_AUTOSRC, 4);
        if (a) {
            snprintf(a->header.cmdstr, sizeof(a->header.cmdstr), "setautosrc");
            ng_send_msg_hook(out, a); /* the uint32_t argument is 0: off */
        }
    }
    return rc;
}

static int source_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct source_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    int rc = -EINVAL;
    if (m->header.flags & NGF_RESP) {
        if (m->header.typecookie == SRC_ETHER_COOKIE)
            src_ether_resp(p, m);
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS)
        return src_status(p, item);
    if (m->header.typecookie == NGM_SOURCE_COOKIE) {
        switch (m->header.cmd) {
        case NGM_SOURCE_GET_STATS:
        case NGM_SOURCE_CLR_STATS:
        case NGM_SOURCE_GETCLR_STATS:
            return src_stats(p, item, m->header.cmd);
        case NGM_SOURCE_START:
            rc = src_start(p, node, m);
            break;
        case NGM_SOURCE_STOP:
            src_stop(p);
            rc = 0;
            break;
        case NGM_SOURCE_CLR_DATA:
            pthread_mutex_lock(&p->qlock);
            clr_data_locked(p);
            pthread_mutex_unlock(&p->qlock);
            rc = 0;
            break;
        case NGM_SOURCE_SETIFACE:
            rc = src_setiface(p, m);
            break;
        case NGM_SOURCE_SETPPS:
            if (m->header.arglen == sizeof(uint32_t)) {
                memcpy(&p->stats.maxPps, m->data, sizeof(uint32_t));
                rc = 0;
            }
            break;
        case NGM_SOURCE_SET_TIMESTAMP:
            if (m->header.arglen == sizeof(p->ts)) {
                memcpy(&p->ts, m->data, sizeof(p->ts));
                rc = 0;
            }
            break;
        case NGM_SOURCE_GET_TIMESTAMP:
            return respond(item, &p->ts, sizeof(p->ts));
        case NGM_SOURCE_SET_COUNTER:
            rc = src_setcounter(p, m);
            break;
        case NGM_SOURCE_GET_COUNTER:
            if (m->header.arglen == 1 && (uint8_t)m->data[0] < NG_SOURCE_COUNTERS)
                return respond(item, &p->cnt[(uint8_t)m->data[0]], sizeof(p->cnt[0]));
            break;
        default:
            break;
        }
    }
    ng_item_free(item);
    return rc;
}

/* ---- parse types --------------------------------------------------------------- */

static const struct ng_parse_struct_field src_timeval_fields[] = {
    {"tv_sec", &ng_parse_int64_type, 0},
    {"tv_usec", &ng_parse_int64_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type src_timeval_type = {
    &ng_parse_struct_type, src_timeval_fields, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field src_stats_fields[] = {
    {"outOctets", &ng_parse_uint64_type, 0},   {"outFrames", &ng_parse_uint64_type, 0},
    {"queueOctets", &ng_parse_uint32_type, 0}, {"queueFrames", &ng_parse_uint32_type, 0},
    {"maxPps", &ng_parse_uint32_type, 0},      {"startTime", &src_timeval_type, 0},
    {"endTime", &src_timeval_type, 0},         {"elapsedTime", &src_timeval_type, 0},
    {"lastTime", &src_timeval_type, 0},        {NULL, NULL, 0},
};
static const struct ng_parse_type src_stats_type = {
    &ng_parse_struct_type, src_stats_fields, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field src_embed_fields[] = {
    {"offset", &ng_parse_hint16_type, 0},
    {"flags", &ng_parse_hint8_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type src_embed_type = {
    &ng_parse_struct_type, src_embed_fields, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field src_cnt_fields[] = {
    {"offset", &ng_parse_hint16_type, 0},
    {"flags", &ng_parse_hint8_type, 0},
    {"width", &ng_parse_uint8_type, 0},
    {"next_val", &ng_parse_uint32_type, 0},
    {"min_val", &ng_parse_uint32_type, 0},
    {"max_val", &ng_parse_uint32_type, 0},
    {"increment", &ng_parse_int32_type, 0},
    {"index", &ng_parse_uint8_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type src_cnt_type = {
    &ng_parse_struct_type, src_cnt_fields, NULL, NULL, NULL, NULL, NULL};

#define C NGM_SOURCE_COOKIE
static const struct ng_cmdlist source_cmds[] = {
    {C, NGM_SOURCE_GET_STATS, "getstats", NULL, &src_stats_type, 0},
    {C, NGM_SOURCE_CLR_STATS, "clrstats", NULL, NULL, 0},
    {C, NGM_SOURCE_GETCLR_STATS, "getclrstats", NULL, &src_stats_type, 0},
    {C, NGM_SOURCE_START, "start", &ng_parse_uint64_type, NULL, sizeof(uint64_t)},
    {C, NGM_SOURCE_STOP, "stop", NULL, NULL, 0},
    {C, NGM_SOURCE_CLR_DATA, "clrdata", NULL, NULL, 0},
    {C, NGM_SOURCE_SETIFACE, "setiface", &ng_parse_string_type, NULL, 2},
    {C, NGM_SOURCE_SETPPS, "setpps", &ng_parse_uint32_type, NULL, sizeof(uint32_t)},
    {C, NGM_SOURCE_SET_TIMESTAMP, "settimestamp", &src_embed_type, NULL,
     sizeof(struct ng_source_embed_info)},
    {C, NGM_SOURCE_GET_TIMESTAMP, "gettimestamp", NULL, &src_embed_type, 0},
    {C, NGM_SOURCE_SET_COUNTER, "setcounter", &src_cnt_type, NULL,
     sizeof(struct ng_source_embed_cnt_info)},
    {C, NGM_SOURCE_GET_COUNTER, "getcounter", &ng_parse_uint8_type, &src_cnt_type, 1},
    {0, 0, NULL, NULL, NULL, 0},
};
#undef C

const struct ng_type ng_source_type = {
    .version = NG_ABI_VERSION,
    .name = NG_SOURCE_NODE_TYPE,
    .cookie = NGM_SOURCE_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = source_constructor,
    .rcvmsg = source_rcvmsg,
    .shutdown = source_shutdown,
    .newhook = source_newhook,
    .connect = source_connect,
    .rcvdata = source_rcvdata,
    .disconnect = source_disconnect,
    .cmdlist = source_cmds,
    .close = source_close,
};
