/*
 * msg.c - the "bridge" node type's control messages (FreeBSD's
 * NGM_BRIDGE_* plus TEXT_STATUS), their parse types and the type itself.
 * The data path and the state's invariants are in data.c.
 *
 * Every message runs in rcvmsg (writer access, concurrent with shared-mode
 * rcvdata and with newhook/connect/disconnect) and takes p->lock for the
 * state it reads or changes, so it is serialised with learning on the data
 * path, the timer, and hooks coming and going.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/message.h>
#include <ngraph/parse.h>

#include "bridge_priv.h"

_Static_assert(sizeof(struct ng_bridge_config) == 16, "FreeBSD's layout");
_Static_assert(sizeof(struct ng_bridge_link_stats) == 14 * 8, "FreeBSD's layout");
_Static_assert(sizeof(struct ng_bridge_host) == 6 + 2 + 2 + NG_HOOKSIZ, "FreeBSD's layout");
_Static_assert(sizeof(struct ng_bridge_move_host) == 6 + NG_HOOKSIZ, "FreeBSD's layout");
_Static_assert(sizeof(struct ng_bridge_host_ary) +
                       NG_BRIDGE_TABLE_MAX * sizeof(struct ng_bridge_host) <=
                   NG_MAX_RESP_ARGLEN,
               "the largest table fits a response");

static int br_setconfig(struct br_priv *p, const struct ng_mesg *m)
{
    struct ng_bridge_config c;
    if (m->header.arglen != sizeof(c))
        return -EINVAL;
    memcpy(&c, m->data, sizeof(c));
    if (c.maxStaleness == 0 || c.loopTimeout > NG_BRIDGE_MAX_SECONDS ||
        c.minStableAge > NG_BRIDGE_MAX_SECONDS)
        return -EINVAL;
    pthread_mutex_lock(&p->lock);
    p->conf = c;
    pthread_mutex_unlock(&p->lock);
    return 0;
}

/* Where each BS_* counter goes in struct ng_bridge_link_stats. */
#define BR_FIELD(f) (offsetof(struct ng_bridge_link_stats, f) / sizeof(uint64_t))
static const uint8_t br_stat_field[BS_COUNT] = {
    [BS_RECV_OCTETS] = BR_FIELD(recvOctets),
    [BS_RECV_PACKETS] = BR_FIELD(recvPackets),
    [BS_XMIT_OCTETS] = BR_FIELD(xmitOctets),
    [BS_XMIT_PACKETS] = BR_FIELD(xmitPackets),
    [BS_RECV_MULTICASTS] = BR_FIELD(recvMulticasts),
    [BS_RECV_BROADCASTS] = BR_FIELD(recvBroadcasts),
    [BS_RECV_UNKNOWN] = BR_FIELD(recvUnknown),
    [BS_RECV_RUNTS] = BR_FIELD(recvRunts),
    [BS_RECV_INVALID] = BR_FIELD(recvInvalid),
    [BS_XMIT_MULTICASTS] = BR_FIELD(xmitMulticasts),
    [BS_XMIT_BROADCASTS] = BR_FIELD(xmitBroadcasts),
    [BS_LOOP_DROPS] = BR_FIELD(loopDrops),
    [BS_LOOP_DETECTS] = BR_FIELD(loopDetects),
    [BS_MEMORY_FAILURES] = BR_FIELD(memoryFailures),
};

static void br_read_stats(struct br_link *l, struct ng_bridge_link_stats *st, bool clear)
{
    uint64_t c[BS_COUNT], v[BS_COUNT];
    _Static_assert(sizeof(v) == sizeof(*st), "one counter per field");
    (void)ng_pcounter_snapshot(l->st, 0, BS_COUNT, c, clear);
    for (unsigned i = 0; i < BS_COUNT; i++)
        v[br_stat_field[i]] = c[i];
    if (st)
        memcpy(st, v, sizeof(v));
}

/* GET_STATS / CLR_STATS / GETCLR_STATS: an int32 link number (-N:
 * uplinkN). */
static int br_statmsg(struct br_priv *p, struct ng_item *item)
{
    const struct ng_mesg *m = ng_item_msg(item);
    int32_t num;
    int rc;
    if (m->header.arglen != sizeof(num)) {
        rc = -EINVAL;
        goto out;
    }
    memcpy(&num, m->data, sizeof(num));
    struct ng_mesg *r = NULL;
    if (m->header.cmd != NGM_BRIDGE_CLR_STATS) {
        r = ng_mesg_response(m, sizeof(struct ng_bridge_link_stats));
        if (!r) {
            rc = -ENOMEM;
            goto out;
        }
    }
    pthread_mutex_lock(&p->lock);
    struct br_link *l = num == INT32_MIN ? NULL : ngi_bridge_link_by_num(p, num);
    if (l)
        br_read_stats(l, r ? (struct ng_bridge_link_stats *)(void *)r->data : NULL,
                      m->header.cmd != NGM_BRIDGE_GET_STATS);
    pthread_mutex_unlock(&p->lock);
    if (!l) {
        ng_mesg_free(r);
        rc = -ENOTCONN;
        goto out;
    }
    if (r)
        return ng_respond(item, 0, r);
    rc = 0;
out:
    ng_item_free(item);
    return rc;
}

static int br_gettable(struct br_priv *p, struct ng_item *item)
{
    pthread_mutex_lock(&p->lock); /* writers wait: count and entries agree */
    const struct br_tab *t = atomic_load_explicit(&p->tab, memory_order_relaxed);
    uint32_t n = t->live; /* <= NG_BRIDGE_TABLE_MAX */
    struct ng_mesg *r =
        ng_mesg_response(ng_item_msg(item), (uint32_t)(sizeof(struct ng_bridge_host_ary) +
                                                       n * sizeof(struct ng_bridge_host)));
    if (r) {
        struct ng_bridge_host_ary *ary = (struct ng_bridge_host_ary *)(void *)r->data;
        uint32_t k = 0;
        for (uint32_t i = 0; i <= t->mask && k < n; i++) {
            uint64_t key = atomic_load_explicit(&t->slot[i].key, memory_order_relaxed);
            if (!(key & BR_KEY_LIVE))
                continue;
            const struct br_host *h = t->hosts[i];
            struct ng_bridge_host *o = &ary->hosts[k++];
            uint32_t age = atomic_load_explicit(&h->age, memory_order_relaxed);
            uint32_t st = atomic_load_explicit(&h->staleness, memory_order_relaxed);
            br_key_addr(key, o->addr);
            o->age = (uint16_t)(age > 0xffffu ? 0xffffu : age);
            o->staleness = (uint16_t)(st > 0xffffu ? 0xffffu : st);
            struct ng_hook *hk = atomic_load_explicit(&t->slot[i].hook, memory_order_relaxed);
            snprintf(o->hook, sizeof(o->hook), "%s", ng_hook_name(hk));
        }
        ary->numHosts = k;
    }
    pthread_mutex_unlock(&p->lock);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    return ng_respond(item, 0, r);
}

static int br_movehost(struct br_priv *p, const struct ng_mesg *m, struct ng_hook *lasthook)
{
    struct ng_bridge_move_host mh;
    if (m->header.arglen < sizeof(mh))
        return -EINVAL;
    memcpy(&mh, m->data, sizeof(mh));
    if (memchr(mh.hook, '\0', sizeof(mh.hook)) == NULL || (mh.addr[0] & 1))
        return -EINVAL;
    pthread_mutex_lock(&p->lock);
    struct br_link *l = NULL;
    if (mh.hook[0] == '\0') {
        struct br_link *ll = lasthook ? ng_hook_private(lasthook) : NULL;
        if (ll && !ll->dead)
            l = ll;
    } else {
        l = ngi_bridge_link_by_name(p, mh.hook);
    }
    int rc = l ? ngi_bridge_put(p, l, br_key(mh.addr)) : -ENOENT;
    pthread_mutex_unlock(&p->lock);
    if (l && (rc == -ENOMEM || rc == -ENOSPC))
        ng_pcounter_add(l->st, BS_MEMORY_FAILURES, 1);
    return rc;
}

static void br_reset(struct br_priv *p)
{
    pthread_mutex_lock(&p->lock);
    ngi_bridge_forget(p, NULL);
    struct br_linkset *ls = atomic_load_explicit(&p->links, memory_order_acquire);
    for (unsigned i = 0; i < ls->n; i++) {
        atomic_store_explicit(&ls->l[i]->loop_count, 0, memory_order_relaxed);
        br_read_stats(ls->l[i], NULL, true);
    }
    pthread_mutex_unlock(&p->lock);
}

/* TEXT_STATUS: the configuration and table size, then one line per link
 * (225 to 330 bytes each: 200 to 290 links fit a response; the text of more
 * ends with "...").  */
#define BR_STATUS_SIZE NG_MAX_MSG_ARGLEN
static int br_status(struct br_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), BR_STATUS_SIZE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    char *s = r->data;
    size_t len = 0;
#define BR_PUT(...)                                                                                \
    do {                                                                                           \
        if (len < BR_STATUS_SIZE) {                                                                \
            int n_ = snprintf(s + len, BR_STATUS_SIZE - len, __VA_ARGS__);                         \
            len += n_ > 0 ? (size_t)n_ : 0;                                                        \
        }                                                                                          \
    } while (0)
    pthread_mutex_lock(&p->lock);
    struct ng_bridge_config c = p->conf;
    struct br_linkset *ls = atomic_load_explicit(&p->links, memory_order_acquire);
    BR_PUT("hosts=%u links=%u persistent=%d unknown=%s\n",
           atomic_load_explicit(&p->tab, memory_order_relaxed)->live, p->nlinks,
           p->persistent ? 1 : 0, p->send_unknown ? "all" : "uplinks");
    BR_PUT("debugLevel=%u loopTimeout=%u maxStaleness=%u minStableAge=%u\n", c.debugLevel,
           c.loopTimeout, c.maxStaleness, c.minStableAge);
    BR_PUT("local=%llu nowhere=%llu nolink=%llu\n",
           (unsigned long long)ng_pcounter_read(p->nst, BN_LOCAL),
           (unsigned long long)ng_pcounter_read(p->nst, BN_NOWHERE),
           (unsigned long long)ng_pcounter_read(p->nst, BN_NOLINK));
    for (unsigned i = 0; i < ls->n; i++) {
        struct br_link *l = ls->l[i];
        struct ng_bridge_link_stats st;
        br_read_stats(l, &st, false);
        BR_PUT("%s: %s muted=%u recvPackets=%llu recvOctets=%llu recvMulticast=%llu "
               "recvBroadcast=%llu recvUnknown=%llu recvRunts=%llu recvInvalid=%llu "
               "xmitPackets=%llu xmitOctets=%llu xmitMulticasts=%llu xmitBroadcasts=%llu "
               "loopDrops=%llu loopDetects=%llu memoryFailures=%llu\n",
               ng_hook_name(l->hook), l->uplink ? "uplink" : "link",
               atomic_load_explicit(&l->loop_count, memory_order_relaxed),
               (unsigned long long)st.recvPackets, (unsigned long long)st.recvOctets,
               (unsigned long long)st.recvMulticasts, (unsigned long long)st.recvBroadcasts,
               (unsigned long long)st.recvUnknown, (unsigned long long)st.recvRunts,
               (unsigned long long)st.recvInvalid, (unsigned long long)st.xmitPackets,
               (unsigned long long)st.xmitOctets, (unsigned long long)st.xmitMulticasts,
               (unsigned long long)st.xmitBroadcasts, (unsigned long long)st.loopDrops,
               (unsigned long long)st.loopDetects, (unsigned long long)st.memoryFailures);
    }
    pthread_mutex_unlock(&p->lock);
#undef BR_PUT
    if (len >= BR_STATUS_SIZE - 1)
        memcpy(s + BR_STATUS_SIZE - 5, "...\n", 5);
    r->header.arglen = (uint32_t)strlen(s) + 1;
    return ng_respond(item, 0, r);
}

int ngi_bridge_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    struct br_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    int rc = -EINVAL;
    if (m->header.flags & NGF_RESP) {
        rc = 0;
    } else if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS) {
        return br_status(p, item);
    } else if (m->header.typecookie == NGM_BRIDGE_COOKIE) {
        switch (m->header.cmd) {
        case NGM_BRIDGE_SET_CONFIG:
            rc = br_setconfig(p, m);
            break;
        case NGM_BRIDGE_GET_CONFIG: {
            struct ng_mesg *r = ng_mesg_response(m, sizeof(struct ng_bridge_config));
            if (!r) {
                rc = -ENOMEM;
                break;
            }
            pthread_mutex_lock(&p->lock);
            memcpy(r->data, &p->conf, sizeof(p->conf));
            pthread_mutex_unlock(&p->lock);
            return ng_respond(item, 0, r);
        }
        case NGM_BRIDGE_RESET:
            br_reset(p);
            rc = 0;
            break;
        case NGM_BRIDGE_GET_STATS:
        case NGM_BRIDGE_CLR_STATS:
        case NGM_BRIDGE_GETCLR_STATS:
            return br_statmsg(p, item);
        case NGM_BRIDGE_GET_TABLE:
            return br_gettable(p, item);
        case NGM_BRIDGE_SET_PERSISTENT:
            pthread_mutex_lock(&p->lock);
            p->persistent = true;
            pthread_mutex_unlock(&p->lock);
            rc = 0;
            break;
        case NGM_BRIDGE_MOVE_HOST:
            rc = br_movehost(p, m, lasthook);
            break;
        default:
            break;
        }
    }
    ng_item_free(item);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Parse types (FreeBSD's ASCII field names)                                */
/* ------------------------------------------------------------------------ */

static const struct ng_parse_struct_field br_config_fields[] = {
    {"debugLevel", &ng_parse_uint8_type, 0},
    {"loopTimeout", &ng_parse_uint32_type, 0},
    {"maxStaleness", &ng_parse_uint32_type, 0},
    {"minStableAge", &ng_parse_uint32_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type br_config_type = {
    &ng_parse_struct_type, br_config_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field br_stats_fields[] = {
    {"recvOctets", &ng_parse_uint64_type, 0},
    {"recvPackets", &ng_parse_uint64_type, 0},
    {"recvMulticast", &ng_parse_uint64_type, 0},
    {"recvBroadcast", &ng_parse_uint64_type, 0},
    {"recvUnknown", &ng_parse_uint64_type, 0},
    {"recvRunts", &ng_parse_uint64_type, 0},
    {"recvInvalid", &ng_parse_uint64_type, 0},
    {"xmitOctets", &ng_parse_uint64_type, 0},
    {"xmitPackets", &ng_parse_uint64_type, 0},
    {"xmitMulticasts", &ng_parse_uint64_type, 0},
    {"xmitBroadcasts", &ng_parse_uint64_type, 0},
    {"loopDrops", &ng_parse_uint64_type, 0},
    {"loopDetects", &ng_parse_uint64_type, 0},
    {"memoryFailures", &ng_parse_uint64_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type br_stats_type = {
    &ng_parse_struct_type, br_stats_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field br_host_fields[] = {
    {"addr", &ng_parse_enaddr_type, 0},
    {"age", &ng_parse_uint16_type, 0},
    {"staleness", &ng_parse_uint16_type, 0},
    {"hook", &ng_parse_hookbuf_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type br_host_type = {
    &ng_parse_struct_type, br_host_fields, NULL, NULL, NULL, NULL, NULL};
static int br_hosts_len(const struct ng_parse_type *type, const uint8_t *start, const uint8_t *buf)
{
    (void)type;
    (void)start;
    uint32_t n;
    memcpy(&n, buf - offsetof(struct ng_bridge_host_ary, hosts), sizeof(n));
    return n > NG_BRIDGE_MAX_HOSTS ? -EINVAL : (int)n;
}
static const struct ng_parse_array_info br_hosts_info = {&br_host_type, br_hosts_len};
static const struct ng_parse_type br_hosts_type = {
    &ng_parse_array_type, &br_hosts_info, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field br_host_ary_fields[] = {
    {"numHosts", &ng_parse_uint32_type, 0},
    {"hosts", &br_hosts_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type br_host_ary_type = {
    &ng_parse_struct_type, br_host_ary_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field br_move_host_fields[] = {
    {"addr", &ng_parse_enaddr_type, 0},
    {"hook", &ng_parse_hookbuf_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type br_move_host_type = {
    &ng_parse_struct_type, br_move_host_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_cmdlist br_cmds[] = {
    {NGM_BRIDGE_COOKIE, NGM_BRIDGE_SET_CONFIG, "setconfig", &br_config_type, NULL,
     sizeof(struct ng_bridge_config)},
    {NGM_BRIDGE_COOKIE, NGM_BRIDGE_GET_CONFIG, "getconfig", NULL, &br_config_type, 0},
    {NGM_BRIDGE_COOKIE, NGM_BRIDGE_RESET, "reset", NULL, NULL, 0},
    {NGM_BRIDGE_COOKIE, NGM_BRIDGE_GET_STATS, "getstats", &ng_parse_int32_type, &br_stats_type,
     sizeof(int32_t)},
    {NGM_BRIDGE_COOKIE, NGM_BRIDGE_CLR_STATS, "clrstats", &ng_parse_int32_type, NULL,
     sizeof(int32_t)},
    {NGM_BRIDGE_COOKIE, NGM_BRIDGE_GETCLR_STATS, "getclrstats", &ng_parse_int32_type,
     &br_stats_type, sizeof(int32_t)},
    {NGM_BRIDGE_COOKIE, NGM_BRIDGE_GET_TABLE, "gettable", NULL, &br_host_ary_type, 0},
    {NGM_BRIDGE_COOKIE, NGM_BRIDGE_SET_PERSISTENT, "setpersistent", NULL, NULL, 0},
    {NGM_BRIDGE_COOKIE, NGM_BRIDGE_MOVE_HOST, "movehost", &br_move_host_type, NULL,
     sizeof(struct ng_bridge_move_host)},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_bridge_type = {
    .version = NG_ABI_VERSION,
    .name = NG_BRIDGE_NODE_TYPE,
    .cookie = NGM_BRIDGE_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = ngi_bridge_constructor,
    .rcvmsg = ngi_bridge_rcvmsg,
    .shutdown = ngi_bridge_shutdown,
    .newhook = ngi_bridge_newhook,
    .connect = ngi_bridge_connect,
    .rcvdata = ngi_bridge_rcvdata,
    .disconnect = ngi_bridge_disconnect,
    .cmdlist = br_cmds,
    .rcvdata_burst = ngi_bridge_rcvdata_burst,
};
