/*
 * etf.c - the "etf" node type (FreeBSD's ng_etf(4)): frames from
 * "downstream" leave by the hook configured for their ethertype, else by
 * "nomatch"; frames towards downstream must come from the hook configured
 * for their ethertype (or from nomatch when none is), else they are
 * discarded.  Docs: docs/nodes/etf.md.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA).  The filter table rcvdata reads is
 * a two-level radix of atomic hook pointers indexed by the ethertype: 256
 * atomic block pointers (high byte), each block 256 atomic hook pointers
 * (low byte).  Blocks are allocated on the first filter in their range,
 * published with a release store and never freed before the node's
 * shutdown (at most 256 blocks, 512 KiB: bounded, so no grace period is
 * needed for them); entries are hook pointers set and cleared with release
 * stores.  A hook loaded just before its disconnect cleared the entry is
 * still valid memory (the engine frees hooks after a grace period) and
 * sending on it drops the item with -ENOTCONN, counted.
 * Writers: rcvmsg (writer access) and newhook/disconnect (control lock) may
 * run concurrently, so table changes take priv->lock (rcvdata never does).
 * setfilter checks ng_hook_is_valid() under the lock: the hook's disconnect
 * (which purges its entries under the lock) runs only after the hook was
 * marked invalid, so no entry is left on a removed hook.
 * Counters are per-thread (ng_pcounter), summed when read.  Everything is
 * freed by shutdown.
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
#include <ngraph/nodes/etf.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

#define ETF_HDR_LEN 14u
#define EH_DOWN ((uintptr_t)1)
#define EH_NOMATCH ((uintptr_t)2)

enum {
    ES_IN,      /* packets in from downstream */
    ES_OUT,     /* packets out towards downstream */
    ES_MATCH,   /* from downstream, sent out of a match hook */
    ES_NOMATCH, /* from downstream, sent out of nomatch */
    ES_RUNT,    /* dropped: shorter than an Ethernet header */
    ES_REJECT,  /* dropped: ethertype not allowed from its hook (EPROTOTYPE) */
    ES_NOTCONN, /* dropped: the hook to leave by is not connected */
    ES_COUNT
};
static const char *const es_names[ES_COUNT] = {"packets_in",  "packets_out", "match_out",
                                               "nomatch_out", "drop_runt",   "drop_rejected",
                                               "drop_notconn"};

struct etf_blk {
    _Atomic(struct ng_hook *) h[256];
};

struct etf_priv {
    _Atomic(struct ng_hook *) downstream;
    _Atomic(struct ng_hook *) nomatch;
    _Atomic uint32_t flags; /* NGM_ETF_SET_FLAG */
    struct ng_pcounter *st; /* ES_COUNT, per thread */
    pthread_mutex_t lock; /* table changes (see the header comment) */
    _Atomic(struct etf_blk *) blk[256];
};

static void ecount(struct etf_priv *p, int i)
{
    ng_pcounter_add(p->st, (unsigned)i, 1);
}

static struct ng_hook *etf_lookup(struct etf_priv *p, uint16_t et)
{
    struct etf_blk *b = atomic_load_explicit(&p->blk[et >> 8], memory_order_acquire);
    return b ? atomic_load_explicit(&b->h[et & 0xff], memory_order_acquire) : NULL;
}

static int etf_constructor(struct ng_node *node)
{
    struct etf_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    if (ng_pcounter_create(ES_COUNT, &p->st) != 0 || pthread_mutex_init(&p->lock, NULL) != 0) {
        ng_pcounter_destroy(p->st);
        free(p);
        return -ENOMEM;
    }
    ng_node_set_private(node, p);
    return 0;
}

static void etf_shutdown(struct ng_node *node)
{
    /* A persistent node revives (ng_node_set_persistent): its hooks are gone
     * (their disconnect methods cleared what referred to them) and it keeps
     * its state; freeing it here would leave the revived node without one. */
    if (ng_node_is_valid(node))
        return;
    struct etf_priv *p = ng_node_private(node);
    ng_node_set_private(node, NULL);
    if (!p)
        return;
    for (int i = 0; i < 256; i++)
        free(atomic_load(&p->blk[i]));
    pthread_mutex_destroy(&p->lock);
    ng_pcounter_destroy(p->st);
    free(p);
}

static int etf_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    struct etf_priv *p = ng_node_private(node);
    if (strcmp(name, NG_ETF_HOOK_DOWNSTREAM) == 0) {
        if (atomic_load(&p->downstream))
            return -EISCONN;
        ng_hook_set_private(hook, (void *)EH_DOWN);
        /* As FreeBSD's: a new downstream starts the counts afresh. */
        (void)ng_pcounter_fetch_clear(p->st, ES_IN);
        (void)ng_pcounter_fetch_clear(p->st, ES_OUT);
        atomic_store_explicit(&p->downstream, hook, memory_order_release);
    } else if (strcmp(name, NG_ETF_HOOK_NOMATCH) == 0) {
        if (atomic_load(&p->nomatch))
            return -EISCONN;
        ng_hook_set_private(hook, (void *)EH_NOMATCH);
        atomic_store_explicit(&p->nomatch, hook, memory_order_release);
    } else {
        ng_hook_set_private(hook, NULL); /* a match target for setfilter */
    }
    return 0;
}

static int etf_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct etf_priv *p = ng_node_private(node);
    uintptr_t role = (uintptr_t)ng_hook_private(hook);
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < 256; i++) { /* purge the filters that name it */
        struct etf_blk *b = atomic_load(&p->blk[i]);
        for (int j = 0; b && j < 256; j++)
            if (atomic_load_explicit(&b->h[j], memory_order_relaxed) == hook)
                atomic_store_explicit(&b->h[j], NULL, memory_order_release);
    }
    struct ng_hook *expect = hook;
    if (role == EH_DOWN)
        atomic_compare_exchange_strong(&p->downstream, &expect, NULL);
    else if (role == EH_NOMATCH)
        atomic_compare_exchange_strong(&p->nomatch, &expect, NULL);
    pthread_mutex_unlock(&p->lock);
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

static int etf_drop(struct etf_priv *p, struct ng_item *item, int stat, int err)
{
    ecount(p, stat);
    if (err == -ENOTCONN)
        ng_item_drop(item, NG_DROP_NOTCONN);
    else
        ng_item_free(item);
    return err;
}

static int etf_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct etf_priv *p = ng_node_private(ng_hook_node(hook));
    if (ng_item_len(item) < ETF_HDR_LEN)
        return etf_drop(p, item, ES_RUNT, -EINVAL);
    const uint8_t *d = ng_item_data(item);
    uint16_t et = (uint16_t)(d[12] << 8 | d[13]);
    struct ng_hook *fil = etf_lookup(p, et);
    int rc;
    if ((uintptr_t)ng_hook_private(hook) == EH_DOWN) {
        ecount(p, ES_IN);
        int stat = fil ? ES_MATCH : ES_NOMATCH;
        struct ng_hook *out = fil ? fil : atomic_load_explicit(&p->nomatch, memory_order_acquire);
        if (!out)
            return etf_drop(p, item, ES_NOTCONN, -ENOTCONN);
        rc = ng_send_data(out, item);
        if (rc == 0)
            ecount(p, stat);
        return rc;
    }
    /* Towards downstream: a configured ethertype only from its own hook,
     * the others only from nomatch. */
    bool from_nomatch = (uintptr_t)ng_hook_private(hook) == EH_NOMATCH;
    if ((fil && fil != hook) || (!fil && !from_nomatch))
        return etf_drop(p, item, ES_REJECT, -EPROTOTYPE);
    struct ng_hook *down = atomic_load_explicit(&p->downstream, memory_order_acquire);
    if (!down)
        return etf_drop(p, item, ES_NOTCONN, -ENOTCONN);
    rc = ng_send_data(down, item);
    if (rc == 0)
        ecount(p, ES_OUT);
    return rc;
}

/* ---- messages ---------------------------------------------------------- */

static int etf_setfilter(struct ng_node *node, struct etf_priv *p, const struct ng_mesg *m)
{
    if (m->header.arglen != sizeof(struct ng_etffilter))
        return -EINVAL;
    struct ng_etffilter f;
    memcpy(&f, m->data, sizeof(f));
    if (!memchr(f.matchhook, '\0', sizeof(f.matchhook)))
        return -EINVAL;
    struct ng_hook *h;
    int rc = ng_hook_find(node, f.matchhook, &h);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&p->lock);
    struct etf_blk *b = atomic_load(&p->blk[f.ethertype >> 8]);
    if (!ng_hook_is_valid(h))
        rc = -ENOENT;
    else if ((uintptr_t)ng_hook_private(h) == EH_DOWN)
        rc = -EINVAL;
    else if (b && atomic_load(&b->h[f.ethertype & 0xff]))
        rc = -EEXIST;
    else if (!b && !(b = calloc(1, sizeof(*b))))
        rc = -ENOMEM;
    else {
        atomic_store_explicit(&b->h[f.ethertype & 0xff], h, memory_order_release);
        atomic_store_explicit(&p->blk[f.ethertype >> 8], b, memory_order_release);
    }
    pthread_mutex_unlock(&p->lock);
    ng_hook_unref(h);
    return rc;
}

static int etf_getstatus(struct etf_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), sizeof(struct ng_etfstat));
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    struct ng_etfstat s = {
        .packets_in = (uint32_t)ng_pcounter_read(p->st, ES_IN),
        .packets_out = (uint32_t)ng_pcounter_read(p->st, ES_OUT),
    };
    memcpy(r->data, &s, sizeof(s));
    return ng_respond(item, 0, r);
}

static int etf_status(struct etf_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    size_t len = 0, cap = NG_TEXTRESPONSE - 16;
    int n = snprintf(r->data, cap, "downstream: %s  nomatch: %s  flags: 0x%x\n",
                     atomic_load(&p->downstream) ? "connected" : "unconnected",
                     atomic_load(&p->nomatch) ? "connected" : "unconnected",
                     (unsigned)atomic_load(&p->flags));
    len += n > 0 ? (size_t)n : 0;
    for (int i = 0; i < ES_COUNT && len < cap; i++) {
        n = snprintf(r->data + len, cap - len, "%s=%llu%s", es_names[i],
                     (unsigned long long)ng_pcounter_read(p->st, (unsigned)i), i + 1 < ES_COUNT ? " " : "\n");
        len += n > 0 ? (size_t)n : 0;
    }
    pthread_mutex_lock(&p->lock);
    unsigned nf = 0, shown = 0;
    for (int i = 0; i < 256; i++) {
        struct etf_blk *b = atomic_load(&p->blk[i]);
        for (int j = 0; b && j < 256; j++) {
            struct ng_hook *h = atomic_load(&b->h[j]);
            if (!h)
                continue;
            nf++;
            if (len + NG_HOOKSIZ + 16 >= cap)
                continue;
            n = snprintf(r->data + len, cap - len, "filter 0x%04x -> %s\n", i << 8 | j,
                         ng_hook_name(h));
            len += n > 0 ? (size_t)n : 0;
            shown++;
        }
    }
    pthread_mutex_unlock(&p->lock);
    if (shown < nf)
        snprintf(r->data + len, NG_TEXTRESPONSE - len, "(%u more)\n", nf - shown);
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

static int etf_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct etf_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    int rc = -EINVAL;
    if (m->header.flags & NGF_RESP) {
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS)
        return etf_status(p, item);
    if (m->header.typecookie == NGM_ETF_COOKIE) {
        switch (m->header.cmd) {
        case NGM_ETF_GET_STATUS:
            return etf_getstatus(p, item);
        case NGM_ETF_SET_FLAG:
            if (m->header.arglen == sizeof(uint32_t)) {
                uint32_t v;
                memcpy(&v, m->data, sizeof(v));
                atomic_store(&p->flags, v);
                rc = 0;
            }
            break;
        case NGM_ETF_SET_FILTER:
            rc = etf_setfilter(node, p, m);
            break;
        default:
            break;
        }
    }
    ng_item_free(item);
    return rc;
}

/* ---- parse types --------------------------------------------------------- */

static const struct ng_parse_struct_field etf_stat_fields[] = {
    {"packets_in", &ng_parse_uint32_type, 0},
    {"packets_out", &ng_parse_uint32_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type etf_stat_type = {
    &ng_parse_struct_type, etf_stat_fields, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field etf_filter_fields[] = {
    {"matchhook", &ng_parse_hookbuf_type, 0},
    {"ethertype", &ng_parse_uint16_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type etf_filter_type = {
    &ng_parse_struct_type, etf_filter_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_cmdlist etf_cmds[] = {
    {NGM_ETF_COOKIE, NGM_ETF_GET_STATUS, "getstatus", NULL, &etf_stat_type, 0},
    {NGM_ETF_COOKIE, NGM_ETF_SET_FLAG, "setflag", &ng_parse_int32_type, NULL, sizeof(uint32_t)},
    {NGM_ETF_COOKIE, NGM_ETF_SET_FILTER, "setfilter", &etf_filter_type, NULL,
     sizeof(struct ng_etffilter)},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_etf_type = {
    .version = NG_ABI_VERSION,
    .name = NG_ETF_NODE_TYPE,
    .cookie = NGM_ETF_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = etf_constructor,
    .rcvmsg = etf_rcvmsg,
    .shutdown = etf_shutdown,
    .newhook = etf_newhook,
    .rcvdata = etf_rcvdata,
    .disconnect = etf_disconnect,
    .cmdlist = etf_cmds,
};
