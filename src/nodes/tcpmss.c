/*
 * tcpmss.c - the "tcpmss" node type (FreeBSD's ng_tcpmss(4)): IP packets
 * received on a hook configured by NGM_TCPMSS_CONFIG leave by its output
 * hook; in TCP SYN segments an MSS option above the hook's maxMSS is
 * lowered to it and the TCP checksum updated incrementally (RFC 1624,
 * eqn. 3, also when the option sits at an odd offset).  IPv4 as FreeBSD
 * does; IPv6 (through hop-by-hop, routing, destination-options, fragment
 * and AH headers) is a libngraph extension.  Unlike FreeBSD, a non-first
 * fragment is passed untouched instead of being read as a TCP header.
 * Docs: docs/nodes/tcpmss.md.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA).  A packet needs only its hook's
 * configuration, published RCU-style; rcvdata takes no lock, allocates
 * nothing and writes only per-thread counters and the packet:
 *   - hook private: a struct tm_hinfo, created by connect (data reaching a
 *     hook before connect has run is dropped, counted) and handed to
 *     ng_defer() by disconnect, so a rcvdata that loaded it before still
 *     finds valid memory.  Its hook pointer and counters never change.
 *   - hinfo->conf: the hook's configuration (output hook, maxMSS), a
 *     struct tm_conf, immutable once published (release store) except for
 *     its output slot, which the output hook's disconnect clears in place
 *     (as FreeBSD forgets the pointer) before that hook's hinfo is
 *     deferred; a new configuration replaces the whole conf, the old one
 *     goes to ng_defer().  A packet thus sees one configuration, whole.
 *   - priv->lock serialises the writers (rcvmsg, connect and disconnect may
 *     run concurrently, see struct ng_type) and guards the hook list;
 *     rcvdata never takes it.
 *   - counters: ng_pcounter sets (per hook: FreeBSD's; per node: drops and
 *     packets passed unexamined), added by rcvdata on any thread.
 * The private struct is freed by the final shutdown, when no method can
 * run; a persistent node's revive only resets its counters.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes/tcpmss.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

enum { HS_OCTETS, HS_PACKETS, HS_SYN, HS_FIXED, HS_COUNT };
enum {
    NS_UNCONF,   /* dropped: hook not configured (or its output hook went) */
    NS_NOTREADY, /* dropped: arrived before the hook's connect ran */
    NS_BAD,      /* dropped (EINVAL): not IPv4/IPv6, bad header lengths */
    NS_NOTTCP,   /* passed: not TCP */
    NS_FRAG,     /* passed: a non-first fragment */
    NS_SHORT,    /* passed: too short to hold the IP and TCP headers */
    NS_IPV6,     /* IPv6 packets examined */
    NS_COUNT
};
static const char *const ns_names[NS_COUNT] = {
    "drop_unconfigured", "drop_notready", "drop_malformed", "passed_nottcp", "passed_fragment",
    "passed_short",      "ipv6"};

struct tm_hinfo;

struct tm_conf {
    struct ng_defer_entry de;
    _Atomic(struct tm_hinfo *) out; /* NULL: unconfigured (or the output went) */
    uint16_t maxmss;
};

struct tm_hinfo {
    struct ng_defer_entry de;
    _Atomic(struct tm_conf *) conf; /* NULL until configured */
    struct ng_pcounter *st;         /* HS_* */
    struct ng_hook *hook;
    struct tm_hinfo *next; /* priv->hooks (lock) */
    bool linked;           /* in priv->hooks (lock) */
};

struct tm_priv {
    pthread_mutex_t lock;
    struct tm_hinfo *hooks; /* connected hooks (lock) */
    struct ng_pcounter *st; /* NS_* */
};

static void conf_free(struct ng_defer_entry *e) { free((char *)e - offsetof(struct tm_conf, de)); }

static void hinfo_free(struct ng_defer_entry *e)
{
    struct tm_hinfo *hi = (struct tm_hinfo *)(void *)((char *)e - offsetof(struct tm_hinfo, de));
    free(atomic_load_explicit(&hi->conf, memory_order_relaxed));
    ng_pcounter_destroy(hi->st);
    free(hi);
}

static int tm_constructor(struct ng_node *node)
{
    struct tm_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    if (ng_pcounter_create(NS_COUNT, &p->st) != 0) {
        free(p);
        return -ENOMEM;
    }
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        ng_pcounter_destroy(p->st);
        free(p);
        return -ENOMEM;
    }
    ng_node_set_private(node, p);
    return 0;
}

static void tm_shutdown(struct ng_node *node)
{
    struct tm_priv *p = ng_node_private(node);
    if (p && ng_node_is_valid(node)) {
        /* A persistent node revives (its hooks, and with them their
         * configurations, are gone): only the node's counters are reset.
         * The private struct stays, a rcvdata that loaded a removed hook
         * may still count into it. */
        (void)ng_pcounter_snapshot(p->st, 0, NS_COUNT, NULL, true);
        return;
    }
    ng_node_set_private(node, NULL);
    if (p) {
        pthread_mutex_destroy(&p->lock);
        ng_pcounter_destroy(p->st);
        free(p);
    }
}

static int tm_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    (void)node;
    (void)name; /* any name */
    ng_hook_set_private(hook, NULL);
    return 0;
}

static int tm_connect(struct ng_hook *hook)
{
    struct tm_priv *p = ng_node_private(ng_hook_node(hook));
    struct tm_hinfo *hi = calloc(1, sizeof(*hi));
    if (!hi)
        return -ENOMEM;
    if (ng_pcounter_create(HS_COUNT, &hi->st) != 0) {
        free(hi);
        return -ENOMEM;
    }
    hi->hook = hook;
    pthread_mutex_lock(&p->lock);
    struct tm_hinfo **tail = &p->hooks; /* in connection order */
    while (*tail)
        tail = &(*tail)->next;
    *tail = hi;
    hi->linked = true;
    ng_hook_set_private(hook, hi);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

static int tm_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct tm_priv *p = ng_node_private(node);
    struct tm_hinfo *hi = ng_hook_private(hook);
    if (hi) {
        pthread_mutex_lock(&p->lock);
        for (struct tm_hinfo **pp = &p->hooks; *pp; pp = &(*pp)->next) {
            if (*pp == hi) {
                *pp = hi->next;
                break;
            }
        }
        hi->linked = false;
        for (struct tm_hinfo *o = p->hooks; o; o = o->next) {
            struct tm_conf *c = atomic_load_explicit(&o->conf, memory_order_relaxed);
            struct tm_hinfo *expect = hi;
            if (c)
                atomic_compare_exchange_strong(&c->out, &expect, NULL);
        }
        pthread_mutex_unlock(&p->lock);
        /* The hook private stays for a rcvdata that loaded it earlier. */
        ng_defer(ng_node_graph(node), &hi->de, hinfo_free);
    }
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

/* ---- data ------------------------------------------------------------------ */

#define TH_SYN 0x02
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MAXSEG 2
#define TCPOLEN_MAXSEG 4

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), one's complement sums. */
static uint16_t csum_adjust(uint16_t hc, uint16_t m, uint16_t m1)
{
    uint32_t s = (uint32_t)(uint16_t)~hc + (uint16_t)~m + m1;
    s = (s & 0xffffu) + (s >> 16);
    s = (s & 0xffffu) + (s >> 16);
    return (uint16_t)~s;
}

/* Write v (big-endian) at tcp + off and update the checksum for it.  The
 * checksum's 16-bit words start at even offsets of the TCP header: at an
 * odd offset the two bytes fall in two words (the bytes beside them are
 * unchanged and cancel out, so they are left out). */
static void put16_csum(uint8_t *tcp, uint32_t off, uint16_t v)
{
    uint16_t hc = (uint16_t)(tcp[16] << 8 | tcp[17]);
    uint8_t hi = (uint8_t)(v >> 8), lo = (uint8_t)v;
    if ((off & 1) == 0) {
        hc = csum_adjust(hc, (uint16_t)(tcp[off] << 8 | tcp[off + 1]), v);
    } else {
        hc = csum_adjust(hc, tcp[off], hi); /* low byte of a word */
        hc = csum_adjust(hc, (uint16_t)(tcp[off + 1] << 8), (uint16_t)(lo << 8)); /* high byte */
    }
    tcp[off] = hi;
    tcp[off + 1] = lo;
    tcp[16] = (uint8_t)(hc >> 8);
    tcp[17] = (uint8_t)hc;
}

/* Lower every well-formed MSS option above max; 1 if one was changed.
 * Option parsing stops at EOL and at a malformed length, as FreeBSD's;
 * an MSS option of another length is skipped. */
static int mss_fix(uint8_t *tcp, uint32_t thl, uint16_t max)
{
    int changed = 0;
    uint32_t o = 20, optlen;
    for (; o < thl; o += optlen) {
        if (tcp[o] == TCPOPT_EOL)
            break;
        if (tcp[o] == TCPOPT_NOP) {
            optlen = 1;
            continue;
        }
        if (thl - o < 2 || tcp[o + 1] < 2 || tcp[o + 1] > thl - o)
            break;
        optlen = tcp[o + 1];
        if (tcp[o] != TCPOPT_MAXSEG || optlen != TCPOLEN_MAXSEG)
            continue;
        uint16_t mss = (uint16_t)(tcp[o + 2] << 8 | tcp[o + 3]);
        if (mss > max) {
            put16_csum(tcp, o + 2, max);
            changed = 1;
        }
    }
    return changed;
}

/* Where the TCP header starts in an IPv6 packet, walking the extension
 * headers; 0 when the packet is passed unexamined (counted), -1 malformed. */
static long ip6_tcp_off(struct tm_priv *p, const uint8_t *d, uint32_t len)
{
    uint8_t nh = d[6];
    uint32_t off = 40;
    for (int i = 0; i < 16; i++) {
        uint32_t hl;
        switch (nh) {
        case 6: /* TCP */
            return off;
        case 0:  /* hop-by-hop options */
        case 43: /* routing */
        case 60: /* destination options */
        case 51: /* authentication header */
            if (len - off < 2) {
                ng_pcounter_add(p->st, NS_SHORT, 1);
                return 0;
            }
            hl = nh == 51 ? (uint32_t)(d[off + 1] + 2) * 4 : (uint32_t)(d[off + 1] + 1) * 8;
            break;
        case 44: /* fragment */
            if (len - off < 8) {
                ng_pcounter_add(p->st, NS_SHORT, 1);
                return 0;
            }
            if ((d[off + 2] << 8 | d[off + 3]) & 0xfff8) {
                ng_pcounter_add(p->st, NS_FRAG, 1);
                return 0;
            }
            hl = 8;
            break;
        default: /* no next header, ESP, another protocol */
            ng_pcounter_add(p->st, NS_NOTTCP, 1);
            return 0;
        }
        if (hl > len - off)
            return -1;
        nh = d[off];
        off += hl;
    }
    ng_pcounter_add(p->st, NS_NOTTCP, 1); /* more than 16 extension headers: not examined */
    return 0;
}

/* Examine and fix one packet of a hook clamping to max.  0: pass it on;
 * -EINVAL: malformed (the caller drops it). */
static int tm_process(struct tm_priv *p, struct tm_hinfo *hi, uint16_t max, struct ng_item *item)
{
    uint8_t *d = ng_item_data(item);
    uint32_t len = ng_item_len(item);
    ng_pcounter_add(hi->st, HS_OCTETS, len);
    ng_pcounter_add(hi->st, HS_PACKETS, 1);
    if (max == 0)
        return 0;
    if (len < 20) {
        ng_pcounter_add(p->st, NS_SHORT, 1);
        return 0;
    }
    uint32_t l4;
    if (d[0] >> 4 == 4) {
        l4 = (uint32_t)(d[0] & 0x0f) * 4;
        if (l4 < 20 || l4 > len)
            return -EINVAL;
        if (d[9] != 6) {
            ng_pcounter_add(p->st, NS_NOTTCP, 1);
            return 0;
        }
        if (((d[6] & 0x1f) << 8 | d[7]) != 0) {
            ng_pcounter_add(p->st, NS_FRAG, 1);
            return 0;
        }
    } else if (d[0] >> 4 == 6) {
        ng_pcounter_add(p->st, NS_IPV6, 1);
        if (len < 40) {
            ng_pcounter_add(p->st, NS_SHORT, 1);
            return 0;
        }
        long o = ip6_tcp_off(p, d, len);
        if (o <= 0)
            return o < 0 ? -EINVAL : 0;
        l4 = (uint32_t)o;
    } else {
        return -EINVAL;
    }
    if (len - l4 < 20) {
        ng_pcounter_add(p->st, NS_SHORT, 1);
        return 0;
    }
    uint8_t *tcp = d + l4;
    uint32_t thl = (uint32_t)(tcp[12] >> 4) * 4;
    if (thl < 20 || thl > len - l4)
        return -EINVAL;
    if (!(tcp[13] & TH_SYN) || thl == 20)
        return 0;
    ng_pcounter_add(hi->st, HS_SYN, 1);
    if (mss_fix(tcp, thl, max))
        ng_pcounter_add(hi->st, HS_FIXED, 1);
    return 0;
}

/* The hook's state and current output, or NULL: the n items dropped and
 * counted. */
static struct tm_hinfo *tm_out(struct tm_priv *p, struct ng_hook *hook, struct ng_item **items,
                               unsigned n, struct tm_hinfo **hip, uint16_t *max)
{
    struct tm_hinfo *hi = ng_hook_private(hook);
    const struct tm_conf *c = hi ? atomic_load_explicit(&hi->conf, memory_order_acquire) : NULL;
    struct tm_hinfo *out = c ? atomic_load_explicit(&c->out, memory_order_acquire) : NULL;
    if (!out) {
        ng_pcounter_add(p->st, hi ? NS_UNCONF : NS_NOTREADY, n);
        for (unsigned i = 0; i < n; i++)
            ng_item_drop(items[i], NG_DROP_NOTCONN);
        return NULL;
    }
    *hip = hi;
    *max = c->maxmss;
    return out;
}

static int tm_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct tm_priv *p = ng_node_private(ng_hook_node(hook));
    struct tm_hinfo *hi;
    uint16_t max;
    struct tm_hinfo *out = tm_out(p, hook, &item, 1, &hi, &max);
    if (!out)
        return 0;
    if (tm_process(p, hi, max, item) != 0) {
        ng_pcounter_add(p->st, NS_BAD, 1);
        ng_item_free(item);
        return -EINVAL;
    }
    return ng_send_data(out->hook, item);
}

/* A burst: one configuration for all of it, the packets that pass sent on
 * as one burst.  Returns the first error. */
static int tm_rcvdata_burst(struct ng_hook *hook, struct ng_item **items, unsigned n)
{
    struct tm_priv *p = ng_node_private(ng_hook_node(hook));
    struct tm_hinfo *hi;
    uint16_t max;
    struct tm_hinfo *out = tm_out(p, hook, items, n, &hi, &max);
    if (!out)
        return 0;
    int first = 0;
    unsigned k = 0;
    for (unsigned i = 0; i < n; i++) {
        if (tm_process(p, hi, max, items[i]) != 0) {
            ng_pcounter_add(p->st, NS_BAD, 1);
            ng_item_free(items[i]);
            first = first ? first : -EINVAL;
        } else {
            items[k++] = items[i];
        }
    }
    int rc = k ? ng_send_data_burst(out->hook, items, k) : 0;
    return first ? first : rc;
}

/* ---- messages --------------------------------------------------------------- */

static bool terminated(const char *s, size_t n) { return memchr(s, '\0', n) != NULL; }

/* The connected hook named name: its hinfo (lock held), or NULL. */
static struct tm_hinfo *tm_lookup(struct tm_priv *p, const char *name)
{
    for (struct tm_hinfo *hi = p->hooks; hi; hi = hi->next)
        if (strcmp(ng_hook_name(hi->hook), name) == 0)
            return hi;
    return NULL;
}

static int tm_config(struct ng_node *node, struct tm_priv *p, const struct ng_mesg *m)
{
    if (m->header.arglen != sizeof(struct ng_tcpmss_config))
        return -EINVAL;
    struct ng_tcpmss_config cf;
    memcpy(&cf, m->data, sizeof(cf));
    if (!terminated(cf.inHook, NG_HOOKSIZ) || !terminated(cf.outHook, NG_HOOKSIZ))
        return -EINVAL;
    struct tm_conf *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    c->maxmss = cf.maxMSS;
    int rc = 0;
    pthread_mutex_lock(&p->lock);
    struct tm_hinfo *in = tm_lookup(p, cf.inHook), *out = tm_lookup(p, cf.outHook);
    if (!in || !out) {
        rc = -ENOENT;
    } else {
        atomic_init(&c->out, out);
        struct tm_conf *old = atomic_exchange_explicit(&in->conf, c, memory_order_acq_rel);
        if (old)
            ng_defer(ng_node_graph(node), &old->de, conf_free);
        c = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    free(c);
    return rc;
}

static int tm_stats(struct tm_priv *p, struct ng_item *item, uint32_t cmd)
{
    const struct ng_mesg *m = ng_item_msg(item);
    if (m->header.arglen != NG_HOOKSIZ || !terminated(m->data, NG_HOOKSIZ)) {
        ng_item_free(item);
        return -EINVAL;
    }
    struct ng_mesg *r = NULL;
    if (cmd != NGM_TCPMSS_CLR_STATS &&
        !(r = ng_mesg_response(m, sizeof(struct ng_tcpmss_hookstat)))) {
        ng_item_free(item);
        return -ENOMEM;
    }
    uint64_t v[HS_COUNT];
    uint16_t max = 0;
    pthread_mutex_lock(&p->lock);
    struct tm_hinfo *hi = tm_lookup(p, m->data);
    if (hi) {
        const struct tm_conf *c = atomic_load_explicit(&hi->conf, memory_order_relaxed);
        max = c ? c->maxmss : 0;
        (void)ng_pcounter_snapshot(hi->st, 0, HS_COUNT, v, cmd != NGM_TCPMSS_GET_STATS);
    }
    pthread_mutex_unlock(&p->lock);
    if (!hi) {
        ng_mesg_free(r);
        ng_item_free(item);
        return -ENOENT;
    }
    if (!r) {
        ng_item_free(item);
        return 0;
    }
    struct ng_tcpmss_hookstat *s = (void *)r->data;
    s->Octets = v[HS_OCTETS];
    s->Packets = v[HS_PACKETS];
    s->maxMSS = max;
    s->SYNPkts = v[HS_SYN];
    s->FixedPkts = v[HS_FIXED];
    return ng_respond(item, 0, r);
}

static int tm_status(struct tm_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    size_t len = 0, cap = NG_TEXTRESPONSE;
    char *b = r->data;
#define ADD(...)                                                                                   \
    do {                                                                                           \
        if (len < cap) {                                                                           \
            int n_ = snprintf(b + len, cap - len, __VA_ARGS__);                                    \
            len += n_ > 0 ? (size_t)n_ : 0;                                                        \
        }                                                                                          \
    } while (0)
    pthread_mutex_lock(&p->lock);
    for (struct tm_hinfo *hi = p->hooks; hi; hi = hi->next) {
        const struct tm_conf *c = atomic_load_explicit(&hi->conf, memory_order_relaxed);
        const struct tm_hinfo *out = c ? atomic_load(&c->out) : NULL;
        ADD("%s: out=%s maxMSS=%u Octets=%llu Packets=%llu SYNPkts=%llu FixedPkts=%llu\n",
            ng_hook_name(hi->hook), out ? ng_hook_name(out->hook) : "(none)",
            c ? (unsigned)c->maxmss : 0u, (unsigned long long)ng_pcounter_read(hi->st, HS_OCTETS),
            (unsigned long long)ng_pcounter_read(hi->st, HS_PACKETS),
            (unsigned long long)ng_pcounter_read(hi->st, HS_SYN),
            (unsigned long long)ng_pcounter_read(hi->st, HS_FIXED));
    }
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < NS_COUNT; i++)
        ADD("%s=%llu%s", ns_names[i], (unsigned long long)ng_pcounter_read(p->st, (unsigned)i),
            i + 1 < NS_COUNT ? " " : "\n");
#undef ADD
    b[cap - 1] = '\0';
    r->header.arglen = (uint32_t)strlen(b) + 1;
    return ng_respond(item, 0, r);
}

static int tm_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct tm_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    int rc = -EINVAL;
    if (m->header.flags & NGF_RESP) {
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS)
        return tm_status(p, item);
    if (m->header.typecookie == NGM_TCPMSS_COOKIE) {
        switch (m->header.cmd) {
        case NGM_TCPMSS_GET_STATS:
        case NGM_TCPMSS_CLR_STATS:
        case NGM_TCPMSS_GETCLR_STATS:
            return tm_stats(p, item, m->header.cmd);
        case NGM_TCPMSS_CONFIG:
            rc = tm_config(node, p, m);
            break;
        default:
            break;
        }
    }
    ng_item_free(item);
    return rc;
}

/* ---- parse types -------------------------------------------------------------- */

static const struct ng_parse_struct_field tm_hookstat_fields[] = {
    {"Octets", &ng_parse_uint64_type, 0},    {"Packets", &ng_parse_uint64_type, 0},
    {"maxMSS", &ng_parse_uint16_type, 0},    {"SYNPkts", &ng_parse_uint64_type, 0},
    {"FixedPkts", &ng_parse_uint64_type, 0}, {NULL, NULL, 0},
};
static const struct ng_parse_type tm_hookstat_type = {
    &ng_parse_struct_type, tm_hookstat_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field tm_config_fields[] = {
    {"inHook", &ng_parse_hookbuf_type, 0},
    {"outHook", &ng_parse_hookbuf_type, 0},
    {"maxMSS", &ng_parse_uint16_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type tm_config_type = {
    &ng_parse_struct_type, tm_config_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_cmdlist tm_cmds[] = {
    {NGM_TCPMSS_COOKIE, NGM_TCPMSS_GET_STATS, "getstats", &ng_parse_hookbuf_type, &tm_hookstat_type,
     NG_HOOKSIZ},
    {NGM_TCPMSS_COOKIE, NGM_TCPMSS_CLR_STATS, "clrstats", &ng_parse_hookbuf_type, NULL, NG_HOOKSIZ},
    {NGM_TCPMSS_COOKIE, NGM_TCPMSS_GETCLR_STATS, "getclrstats", &ng_parse_hookbuf_type,
     &tm_hookstat_type, NG_HOOKSIZ},
    {NGM_TCPMSS_COOKIE, NGM_TCPMSS_CONFIG, "config", &tm_config_type, NULL,
     sizeof(struct ng_tcpmss_config)},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_tcpmss_type = {
    .version = NG_ABI_VERSION,
    .name = NG_TCPMSS_NODE_TYPE,
    .cookie = NGM_TCPMSS_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = tm_constructor,
    .rcvmsg = tm_rcvmsg,
    .shutdown = tm_shutdown,
    .newhook = tm_newhook,
    .connect = tm_connect,
    .rcvdata = tm_rcvdata,
    .disconnect = tm_disconnect,
    .cmdlist = tm_cmds,
    .rcvdata_burst = tm_rcvdata_burst,
};
