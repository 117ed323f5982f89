/*
 * pcap.c - the "pcap" node type: plays a capture file into the graph on
 * hook "out" and writes what arrives on hook "in" to a capture file,
 * through libpcap.  Docs: docs/nodes/pcap.md.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA).
 *   - Reading is driven by the node's timer (ng_timer_arm; timer functions
 *     run with writer access), never by a thread of its own: each call
 *     reads up to `burst` records whose time has come into items from the
 *     graph's pool and sends them with one ng_send_data_burst, then re-arms
 *     the timer for the next record's due time (0 in fast mode).  The
 *     reader's state (input pcap_t, pace, the record read ahead) is touched
 *     only by the timer function and rcvmsg, both with writer access, so it
 *     needs no lock.
 *   - Writing happens in rcvdata / rcvdata_burst, which run concurrently
 *     with each other and with rcvmsg: a capture file is one sequential
 *     stream, so the dumper and the output settings are under `wlock`
 *     (held for one record, or one burst, and the flush after it).
 *   - Hook pointers: atomics, written by newhook/disconnect (control lock),
 *     read by the timer function; a hook loaded just before its disconnect
 *     is valid memory (the engine frees hooks after a grace period) and a
 *     send on it drops the frames, counted.
 *   - Counters: relaxed atomics.  The private struct is freed by shutdown,
 *     after the engine cancelled the timer and no method can run.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes/pcap.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

#define PC_SNAPLEN_DEFAULT 262144u
#define PC_BURST_DEFAULT 32u
#define PC_DLT_EN10MB 1u

enum {
    PS_READ,
    PS_READ_BYTES,
    PS_SENT,
    PS_WRITTEN,
    PS_WRITTEN_BYTES,
    PS_DROPPED,
    PS_ERRORS,
    PS_LOOPS,
    PS_COUNT
};
static const char *const ps_names[PS_COUNT] = {"read_frames",    "read_bytes",    "sent_frames",
                                               "written_frames", "written_bytes", "dropped",
                                               "errors",         "loops"};

struct pcap_priv {
    struct ng_node *node;
    _Atomic(struct ng_hook *) out;
    _Atomic(struct ng_hook *) in;
    /* Reader: writer-access contexts only (rcvmsg, the timer function). */
    char ipath[NG_PCAP_PATHSIZ];
    pcap_t *ip;
    uint32_t in_linktype, in_snaplen;
    bool running, at_end;
    struct ng_timer tm;
    struct ng_pcap_pace pace;
    uint32_t loops_done; /* passes of this run */
    uint64_t pass_recs;  /* records read in this pass */
    /* The record read ahead: libpcap's header and data, valid until the
     * next pcap_next_ex (no item is held between calls: a shutdown method
     * may run where items cannot be freed). */
    bool held;
    struct pcap_pkthdr hh;
    const u_char *hd;
    uint64_t held_ts; /* its timestamp, ns */
    bool based;       /* recorded pace: base_* set */
    uint64_t base_wall, base_cap;
    uint64_t rate_t0, rate_sent; /* fixed rate: start and frames since */
    /* Writer: wlock. */
    pthread_mutex_t wlock;
    char opath[NG_PCAP_PATHSIZ];
    pcap_t *odead;
    pcap_dumper_t *od;
    uint32_t linktype, snaplen;
    _Atomic uint64_t st[PS_COUNT];
};

static void pcount(struct pcap_priv *p, int i, uint64_t v)
{
    atomic_fetch_add_explicit(&p->st[i], v, memory_order_relaxed);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool path_ok(const char *s) { return memchr(s, '\0', NG_PCAP_PATHSIZ) != NULL; }

/* ---- input ------------------------------------------------------------- */

/* Open a capture file: 0, -errno of fopen (-ENOENT, -EACCES...), -EISDIR,
 * or -EINVAL (not a capture file libpcap reads, or empty). */
static int in_open(const char *path, pcap_t **pcp)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -errno;
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        return -EISDIR;
    }
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_fopen_offline(f, eb);
    if (!pc) {
        fclose(f);
        return -EINVAL;
    }
    *pcp = pc;
    return 0;
}

static void in_reset_pace(struct pcap_priv *p)
{
    p->based = false;
    p->rate_t0 = mono_ns();
    p->rate_sent = 0;
}

static void in_close(struct pcap_priv *p)
{
    if (p->ip)
        pcap_close(p->ip);
    p->ip = NULL;
    p->held = false;
    p->pass_recs = 0;
    p->running = false;
    p->at_end = false;
    p->ipath[0] = '\0';
    p->in_linktype = 0;
    p->in_snaplen = 0;
}

/* Read the next record into p->held.  Returns 1 (held), 0 (end of the
 * file, or a bad/truncated record: counted as an error, the rest of the
 * file is not read). */
static int in_next(struct pcap_priv *p)
{
    struct pcap_pkthdr *h;
    const u_char *d;
    int r = pcap_next_ex(p->ip, &h, &d);
    if (r == PCAP_ERROR_BREAK)
        return 0;
    if (r != 1) {
        pcount(p, PS_ERRORS, 1);
        return 0;
    }
    pcount(p, PS_READ, 1);
    pcount(p, PS_READ_BYTES, h->caplen);
    p->pass_recs++;
    p->held = true;
    p->hh = *h;
    p->hd = d;
    p->held_ts = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec * 1000u;
    return 1;
}

/* The held record as an item from the graph's pool, with its metadata;
 * NULL (dropped, counted) if it does not fit an item or none is left. */
static struct ng_item *in_item(struct pcap_priv *p)
{
    p->held = false;
    struct ng_item *it = ng_item_alloc(ng_node_graph(p->node), p->hh.caplen);
    if (!it) { /* counted as NG_DROP_NOBUFS by the engine too */
        pcount(p, PS_DROPPED, 1);
        return NULL;
    }
    memcpy(ng_item_data(it), p->hd, p->hh.caplen);
    struct ng_pcap_meta m = {NG_PCAP_META_MAGIC, p->hh.caplen, p->hh.len,
                             (uint32_t)p->hh.ts.tv_usec, (int64_t)p->hh.ts.tv_sec};
    memcpy(ng_item_meta(it), &m, sizeof(m));
    return it;
}

/* The end of a pass: loop (reopen the file) or stop. */
static void in_loop(struct pcap_priv *p)
{
    pcount(p, PS_LOOPS, 1);
    p->loops_done++;
    bool empty = p->pass_recs == 0; /* nothing to play: do not spin on it */
    p->pass_recs = 0;
    if (empty || (p->pace.loops != 0 && p->loops_done >= p->pace.loops)) {
        p->running = false;
        p->at_end = true;
        return;
    }
    pcap_t *pc;
    if (in_open(p->ipath, &pc) != 0) {
        pcount(p, PS_ERRORS, 1);
        p->running = false;
        p->at_end = true;
        return;
    }
    pcap_close(p->ip);
    p->ip = pc;
    p->based = false; /* recorded pace: the next pass starts now */
}

/* When p->held is due (CLOCK_MONOTONIC ns). */
static uint64_t in_due(struct pcap_priv *p, uint64_t now)
{
    switch (p->pace.mode) {
    case NG_PCAP_PACE_FAST:
        return 0;
    case NG_PCAP_PACE_RATE:
        return p->rate_t0 + (p->rate_sent / p->pace.rate) * 1000000000u +
               (p->rate_sent % p->pace.rate) * 1000000000u / p->pace.rate;
    default:
        if (!p->based) {
            p->based = true;
            p->base_wall = now;
            p->base_cap = p->held_ts;
        }
        /* Timestamps going backwards: at once. */
        return p->held_ts < p->base_cap ? p->base_wall : p->base_wall + (p->held_ts - p->base_cap);
    }
}

static void in_send(struct pcap_priv *p, struct ng_item **items, unsigned k)
{
    if (k == 0)
        return;
    struct ng_hook *out = atomic_load_explicit(&p->out, memory_order_acquire);
    int rc = -ENOTCONN;
    if (out)
        rc = ng_send_data_burst(out, items, k);
    else
        for (unsigned i = 0; i < k; i++)
            ng_item_drop(items[i], NG_DROP_NOTCONN);
    if (rc == -ENOTCONN || rc == -EINVAL || rc == -ENOMEM)
        pcount(p, PS_DROPPED, k);
    else
        pcount(p, PS_SENT, k);
}

static void pcap_tick(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2);

static void in_arm(struct pcap_priv *p, uint64_t delay)
{
    if (ng_timer_arm(&p->tm, p->node, NULL, delay, pcap_tick, p, 0) != 0) {
        pcount(p, PS_ERRORS, 1); /* node shutting down, or no memory */
        p->running = false;
    }
}

/* The timer function (writer access): send what is due, re-arm. */
static void pcap_tick(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)node;
    (void)hook;
    (void)arg2;
    struct pcap_priv *p = arg1;
    if (!p->running || !p->ip)
        return;
    struct ng_item *items[NG_PCAP_BURST_MAX];
    unsigned k = 0, taken = 0, burst = p->pace.burst;
    uint64_t now = mono_ns(), due = 0;
    bool wait = false;
    /* At most `burst` records and one end of a pass per call. */
    while (taken < burst && p->running) {
        if (!p->held && !in_next(p)) {
            in_loop(p);
            break;
        }
        due = in_due(p, now);
        if (due > now) {
            wait = true;
            break;
        }
        taken++;
        struct ng_item *it = in_item(p);
        if (it)
            items[k++] = it;
        p->rate_sent++;
    }
    in_send(p, items, k);
    if (p->running)
        in_arm(p, wait ? due - now : 0);
}

static int in_start(struct pcap_priv *p)
{
    if (!p->ip)
        return -ENXIO;
    if (p->running)
        return 0;
    if (p->at_end) { /* finished: start again from the top */
        pcap_t *pc;
        int rc = in_open(p->ipath, &pc);
        if (rc)
            return rc;
        pcap_close(p->ip);
        p->ip = pc;
        p->at_end = false;
        p->pass_recs = 0;
    }
    p->loops_done = 0;
    in_reset_pace(p);
    p->running = true;
    in_arm(p, 0);
    return p->running ? 0 : -ESHUTDOWN;
}

static void in_stop(struct pcap_priv *p)
{
    p->running = false;
    ng_timer_cancel(&p->tm);
}

static int in_set(struct pcap_priv *p, const struct ng_pcap_file *f)
{
    if (!path_ok(f->path))
        return -EINVAL;
    in_stop(p);
    pcap_t *pc = NULL;
    if (f->path[0]) {
        int rc = in_open(f->path, &pc);
        if (rc)
            return rc; /* the old input stays */
    }
    in_close(p);
    if (pc) {
        p->ip = pc;
        snprintf(p->ipath, sizeof(p->ipath), "%s", f->path);
        p->in_linktype = (uint32_t)pcap_datalink(pc);
        int sn = pcap_snapshot(pc);
        p->in_snaplen = sn > 0 && (uint32_t)sn <= PC_SNAPLEN_DEFAULT ? (uint32_t)sn : 0;
    }
    return 0;
}

static int pace_set(struct pcap_priv *p, const struct ng_pcap_pace *np)
{
    struct ng_pcap_pace v = *np;
    if (v.burst == 0)
        v.burst = PC_BURST_DEFAULT;
    if (v.mode > NG_PCAP_PACE_FAST || v.burst > NG_PCAP_BURST_MAX ||
        (v.mode == NG_PCAP_PACE_RATE && (v.rate == 0 || v.rate > NG_PCAP_RATE_MAX)))
        return -EINVAL;
    p->pace = v;
    in_reset_pace(p);
    if (p->running) /* the new pace from now on */
        in_arm(p, 0);
    return 0;
}

/* ---- output ------------------------------------------------------------ */

static void out_close_locked(struct pcap_priv *p)
{
    if (p->od)
        pcap_dump_close(p->od); /* flushes and closes the file */
    if (p->odead)
        pcap_close(p->odead);
    p->od = NULL;
    p->odead = NULL;
    p->opath[0] = '\0';
}

static int out_set(struct pcap_priv *p, const struct ng_pcap_output *o)
{
    if (!path_ok(o->path))
        return -EINVAL;
    uint32_t snap = o->snaplen ? o->snaplen : (p->in_snaplen ? p->in_snaplen : PC_SNAPLEN_DEFAULT);
    uint32_t lt = o->linktype ? o->linktype : (p->in_linktype ? p->in_linktype : PC_DLT_EN10MB);
    if (snap > PC_SNAPLEN_DEFAULT || lt > 0xffffu)
        return -EINVAL;
    pcap_t *dead = NULL;
    pcap_dumper_t *od = NULL;
    if (o->path[0]) {
        dead = pcap_open_dead((int)lt, (int)snap);
        if (!dead)
            return -ENOMEM;
        FILE *f = fopen(o->path, "wb");
        if (!f) {
            int e = -errno;
            pcap_close(dead);
            return e;
        }
        od = pcap_dump_fopen(dead, f);
        if (!od) {
            fclose(f);
            pcap_close(dead);
            return -EIO;
        }
        if (pcap_dump_flush(od) != 0) { /* the header is on disk at once, or refused */
            int e = errno ? -errno : -EIO;
            pcap_dump_close(od);
            pcap_close(dead);
            return e;
        }
    }
    pthread_mutex_lock(&p->wlock);
    out_close_locked(p);
    p->od = od;
    p->odead = dead;
    p->linktype = lt;
    p->snaplen = snap;
    if (od)
        snprintf(p->opath, sizeof(p->opath), "%s", o->path);
    pthread_mutex_unlock(&p->wlock);
    return 0;
}

/* Write one frame (wlock held); consumes it. */
static void out_write_locked(struct pcap_priv *p, struct ng_item *it)
{
    if (!p->od) {
        pcount(p, PS_DROPPED, 1);
        ng_item_drop(it, NG_DROP_NOTCONN);
        return;
    }
    uint32_t len = ng_item_len(it);
    struct ng_pcap_meta m;
    memcpy(&m, ng_item_meta(it), sizeof(m));
    struct pcap_pkthdr h;
    if (m.magic == NG_PCAP_META_MAGIC && m.caplen == len && m.origlen >= len) {
        h.ts.tv_sec = (time_t)m.ts_sec;
        h.ts.tv_usec = (suseconds_t)m.ts_usec;
        h.len = m.origlen;
    } else {
        gettimeofday(&h.ts, NULL);
        h.len = len;
    }
    h.caplen = len < p->snaplen ? len : p->snaplen;
    pcap_dump((u_char *)p->od, &h, ng_item_data(it));
    pcount(p, PS_WRITTEN, 1);
    pcount(p, PS_WRITTEN_BYTES, h.caplen);
    ng_item_free(it);
}

static void out_flush_locked(struct pcap_priv *p)
{
    if (p->od && pcap_dump_flush(p->od) != 0)
        pcount(p, PS_ERRORS, 1);
}

static int pcap_rcvdata_burst(struct ng_hook *hook, struct ng_item **items, unsigned n)
{
    struct pcap_priv *p = ng_node_private(ng_hook_node(hook));
    if (hook != atomic_load_explicit(&p->in, memory_order_acquire)) {
        /* Frames arriving on "out": nothing reads them. */
        pcount(p, PS_DROPPED, n);
        for (unsigned i = 0; i < n; i++)
            ng_item_drop(items[i], NG_DROP_NOTCONN);
        return -EOPNOTSUPP;
    }
    pthread_mutex_lock(&p->wlock);
    bool had = p->od != NULL;
    for (unsigned i = 0; i < n; i++)
        out_write_locked(p, items[i]);
    out_flush_locked(p);
    pthread_mutex_unlock(&p->wlock);
    return had ? 0 : -ENOTCONN;
}

static int pcap_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    return pcap_rcvdata_burst(hook, &item, 1);
}

/* ---- node -------------------------------------------------------------- */

static int pcap_constructor(struct ng_node *node)
{
    struct pcap_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    if (pthread_mutex_init(&p->wlock, NULL) != 0) {
        free(p);
        return -ENOMEM;
    }
    p->node = node;
    ng_timer_init(&p->tm);
    p->pace.mode = NG_PCAP_PACE_RECORDED;
    p->pace.loops = 1;
    p->pace.burst = PC_BURST_DEFAULT;
    p->linktype = PC_DLT_EN10MB;
    p->snaplen = PC_SNAPLEN_DEFAULT;
    ng_node_set_private(node, p);
    return 0;
}

static void pcap_shutdown(struct ng_node *node)
{
    /* A persistent node revives (ng_node_set_persistent): its hooks are gone
     * (their disconnect methods cleared what referred to them) and it keeps
     * its state; freeing it here would leave the revived node without one. */
    if (ng_node_is_valid(node))
        return;
    struct pcap_priv *p = ng_node_private(node);
    ng_node_set_private(node, NULL);
    if (!p)
        return;
    ng_timer_cancel(&p->tm); /* the engine did already; harmless */
    in_close(p);
    pthread_mutex_lock(&p->wlock);
    out_close_locked(p);
    pthread_mutex_unlock(&p->wlock);
    pthread_mutex_destroy(&p->wlock);
    free(p);
}

static int pcap_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    struct pcap_priv *p = ng_node_private(node);
    _Atomic(struct ng_hook *) *slot;
    if (strcmp(name, NG_PCAP_HOOK_OUT) == 0)
        slot = &p->out;
    else if (strcmp(name, NG_PCAP_HOOK_IN) == 0)
        slot = &p->in;
    else
        return -EINVAL;
    if (atomic_load(slot))
        return -EISCONN;
    atomic_store_explicit(slot, hook, memory_order_release);
    return 0;
}

static int pcap_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct pcap_priv *p = ng_node_private(node);
    struct ng_hook *e = hook;
    if (!atomic_compare_exchange_strong(&p->out, &e, NULL)) {
        e = hook;
        atomic_compare_exchange_strong(&p->in, &e, NULL);
    }
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

/* ---- messages ---------------------------------------------------------- */

static int pcap_reply(struct ng_item *item, const void *data, uint32_t len)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), len);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    memcpy(r->data, data, len);
    return ng_respond(item, 0, r);
}

static void stats_get(struct pcap_priv *p, struct ng_pcap_stats *s, bool clear)
{
    uint64_t v[PS_COUNT];
    for (int i = 0; i < PS_COUNT; i++)
        v[i] = clear ? atomic_exchange_explicit(&p->st[i], 0, memory_order_relaxed)
                     : atomic_load_explicit(&p->st[i], memory_order_relaxed);
    *s = (struct ng_pcap_stats){v[PS_READ],          v[PS_READ_BYTES], v[PS_SENT],   v[PS_WRITTEN],
                                v[PS_WRITTEN_BYTES], v[PS_DROPPED],    v[PS_ERRORS], v[PS_LOOPS]};
}

static void config_get(struct pcap_priv *p, struct ng_pcap_config *c)
{
    memset(c, 0, sizeof(*c));
    memcpy(c->input, p->ipath, sizeof(c->input));
    pthread_mutex_lock(&p->wlock);
    memcpy(c->output, p->opath, sizeof(c->output));
    c->linktype = p->linktype;
    c->snaplen = p->snaplen;
    pthread_mutex_unlock(&p->wlock);
    c->in_linktype = p->in_linktype;
    c->running = p->running;
    c->pace = p->pace;
}

static const char *const pace_names[] = {"recorded", "rate", "fast"};

static int pcap_status(struct pcap_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    struct ng_pcap_config c;
    config_get(p, &c);
    size_t cap = NG_TEXTRESPONSE, len = 0;
    int n = snprintf(r->data, cap,
                     "input: %s (%s, linktype %u)  pace: %s rate %u loops %u (done %u) burst %u\n"
                     "output: %s (linktype %u, snaplen %u)  out: %s  in: %s\n",
                     c.input[0] ? c.input : "none",
                     c.running ? "running" : (p->at_end ? "finished" : "stopped"), c.in_linktype,
                     pace_names[c.pace.mode], c.pace.rate, c.pace.loops, p->loops_done,
                     c.pace.burst, c.output[0] ? c.output : "none", c.linktype, c.snaplen,
                     atomic_load(&p->out) ? "connected" : "unconnected",
                     atomic_load(&p->in) ? "connected" : "unconnected");
    len += n > 0 ? (size_t)n : 0;
    for (int i = 0; i < PS_COUNT && len < cap; i++) {
        n = snprintf(r->data + len, cap - len, "%s=%llu%s", ps_names[i],
                     (unsigned long long)atomic_load(&p->st[i]), i + 1 < PS_COUNT ? " " : "\n");
        len += n > 0 ? (size_t)n : 0;
    }
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

static int pcap_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct pcap_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    int rc = -EINVAL;
    if (m->header.flags & NGF_RESP) {
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS)
        return pcap_status(p, item);
    if (m->header.typecookie == NGM_PCAP_COOKIE) {
        /* Arguments shorter than the cmdlist's min_arglen never get here. */
        switch (m->header.cmd) {
        case NGM_PCAP_SET_INPUT:
            rc = in_set(p, (const struct ng_pcap_file *)(const void *)m->data);
            break;
        case NGM_PCAP_SET_OUTPUT:
            rc = out_set(p, (const struct ng_pcap_output *)(const void *)m->data);
            break;
        case NGM_PCAP_START:
            rc = in_start(p);
            break;
        case NGM_PCAP_STOP:
            in_stop(p);
            rc = 0;
            break;
        case NGM_PCAP_SET_PACE:
            rc = pace_set(p, (const struct ng_pcap_pace *)(const void *)m->data);
            break;
        case NGM_PCAP_GET_PACE:
            return pcap_reply(item, &p->pace, sizeof(p->pace));
        case NGM_PCAP_GET_STATS:
        case NGM_PCAP_GETCLR_STATS: {
            struct ng_pcap_stats s;
            stats_get(p, &s, m->header.cmd == NGM_PCAP_GETCLR_STATS);
            return pcap_reply(item, &s, sizeof(s));
        }
        case NGM_PCAP_CLR_STATS: {
            struct ng_pcap_stats s;
            stats_get(p, &s, true);
            rc = 0;
            break;
        }
        case NGM_PCAP_GET_CONFIG: {
            struct ng_pcap_config c;
            config_get(p, &c);
            return pcap_reply(item, &c, sizeof(c));
        }
        default:
            break;
        }
    }
    ng_item_free(item);
    return rc;
}

/* ---- parse types ------------------------------------------------------- */

static const struct ng_parse_fixedstring_info pc_path_info = {NG_PCAP_PATHSIZ};
static const struct ng_parse_type pc_path_type = {
    &ng_parse_fixedstring_type, &pc_path_info, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field pc_file_fields[] = {
    {"path", &pc_path_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type pc_file_type = {
    &ng_parse_struct_type, pc_file_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field pc_output_fields[] = {
    {"path", &pc_path_type, 0},
    {"linktype", &ng_parse_uint32_type, 0},
    {"snaplen", &ng_parse_uint32_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type pc_output_type = {
    &ng_parse_struct_type, pc_output_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field pc_pace_fields[] = {
    {"mode", &ng_parse_uint32_type, 0},
    {"rate", &ng_parse_uint32_type, 0},
    {"loops", &ng_parse_uint32_type, 0},
    {"burst", &ng_parse_uint32_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type pc_pace_type = {
    &ng_parse_struct_type, pc_pace_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field pc_stats_fields[] = {
    {"read_frames", &ng_parse_uint64_type, 0},
    {"read_bytes", &ng_parse_uint64_type, 0},
    {"sent_frames", &ng_parse_uint64_type, 0},
    {"written_frames", &ng_parse_uint64_type, 0},
    {"written_bytes", &ng_parse_uint64_type, 0},
    {"dropped", &ng_parse_uint64_type, 0},
    {"errors", &ng_parse_uint64_type, 0},
    {"loops", &ng_parse_uint64_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type pc_stats_type = {
    &ng_parse_struct_type, pc_stats_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field pc_config_fields[] = {
    {"input", &pc_path_type, 0},
    {"output", &pc_path_type, 0},
    {"linktype", &ng_parse_uint32_type, 0},
    {"snaplen", &ng_parse_uint32_type, 0},
    {"in_linktype", &ng_parse_uint32_type, 0},
    {"running", &ng_parse_uint32_type, 0},
    {"pace", &pc_pace_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type pc_config_type = {
    &ng_parse_struct_type, pc_config_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_cmdlist pcap_cmds[] = {
    {NGM_PCAP_COOKIE, NGM_PCAP_SET_INPUT, "setinput", &pc_file_type, NULL,
     sizeof(struct ng_pcap_file)},
    {NGM_PCAP_COOKIE, NGM_PCAP_SET_OUTPUT, "setoutput", &pc_output_type, NULL,
     sizeof(struct ng_pcap_output)},
    {NGM_PCAP_COOKIE, NGM_PCAP_START, "start", NULL, NULL, 0},
    {NGM_PCAP_COOKIE, NGM_PCAP_STOP, "stop", NULL, NULL, 0},
    {NGM_PCAP_COOKIE, NGM_PCAP_SET_PACE, "setpace", &pc_pace_type, NULL,
     sizeof(struct ng_pcap_pace)},
    {NGM_PCAP_COOKIE, NGM_PCAP_GET_PACE, "getpace", NULL, &pc_pace_type, 0},
    {NGM_PCAP_COOKIE, NGM_PCAP_GET_STATS, "getstats", NULL, &pc_stats_type, 0},
    {NGM_PCAP_COOKIE, NGM_PCAP_CLR_STATS, "clrstats", NULL, NULL, 0},
    {NGM_PCAP_COOKIE, NGM_PCAP_GETCLR_STATS, "getclrstats", NULL, &pc_stats_type, 0},
    {NGM_PCAP_COOKIE, NGM_PCAP_GET_CONFIG, "getconfig", NULL, &pc_config_type, 0},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_pcap_type = {
    .version = NG_ABI_VERSION,
    .name = NG_PCAP_NODE_TYPE,
    .cookie = NGM_PCAP_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = pcap_constructor,
    .rcvmsg = pcap_rcvmsg,
    .shutdown = pcap_shutdown,
    .newhook = pcap_newhook,
    .rcvdata = pcap_rcvdata,
    .disconnect = pcap_disconnect,
    .cmdlist = pcap_cmds,
    .rcvdata_burst = pcap_rcvdata_burst,
};
