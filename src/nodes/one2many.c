/*
 * one2many.c - the "one2many" node type (FreeBSD's ng_one2many(4)): data
 * from "one" goes out the active "manyN" links by the configured transmit
 * algorithm (round-robin, all, failover); data from any "manyN" goes out
 * "one".  A link is active when its hook is connected and enabled: by
 * NGM_ONE2MANY_SET_CONFIG (failAlg manual) or by the NGM_LINK_IS_UP /
 * NGM_LINK_IS_DOWN flow messages arriving on it (failAlg notify).  When the
 * last active link goes the node sends NGM_LINK_IS_DOWN out "one", when the
 * first comes back NGM_LINK_IS_UP.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA).  rcvdata needs only the set of
 * active links and the transmit algorithm, and that set fits one 64-bit
 * word (bit i: many i active), so the snapshot rcvdata reads is published
 * with a single release store and needs no reclamation:
 *   - p->active, p->xmit_alg: written only by o2m_update() under p->lock
 *     (rcvmsg, connect and disconnect may run concurrently, see struct
 *     ng_type), read by rcvdata with acquire / relaxed loads.  A packet
 *     racing a reconfiguration sees the old or the new set; the algorithm
 *     is stored before the set, and either algorithm is valid with either
 *     set.
 *   - link->hook: stored (release) by connect before the link's bit can be
 *     set, cleared by disconnect after its bit was cleared; rcvdata loads it
 *     with acquire.  A hook loaded just before disconnect cleared it is
 *     still valid memory until a grace period after its removal, and
 *     sending on it drops the item (-ENOTCONN).
 *   - p->rr: the round-robin position, advanced per packet from "one" in
 *     round-robin mode with a relaxed load and store, not a locked
 *     read-modify-write: the algorithm's order is global, so this is its one
 *     shared write, and two threads that race on it send two packets to the
 *     same link, as two CPUs racing on FreeBSD's plain nextMany do (the
 *     spread stays even; no packet is lost or misrouted).  o2m_update()
 *     reduces it modulo the number of active links, as FreeBSD does; a
 *     racing data-path store may undo that, harmless since every reader
 *     takes it modulo the active count.
 *   - link counters: a per-thread counter set (ng_pcounter, one line of a
 *     thread's row per link), added by rcvdata with no locked instruction
 *     or shared line, summed and cleared by rcvmsg and connect.
 * rcvdata_burst reads the same state once per burst and sends each link
 * its share of the burst as one vector (round-robin takes n positions
 * with one load and store).
 * The control copy of the configuration (p->conf) and the notification
 * state live under p->lock, which the data path never takes.  Everything is
 * freed by shutdown, which runs after a grace period.
 *
 * Deviation from FreeBSD's code, following its man page: with failAlg
 * manual a newly connected link is down until enabled by setconfig (its
 * enabledLinks bit, cleared when a link disconnects); with failAlg notify
 * it is up until NGM_LINK_IS_DOWN arrives on it.
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
#include <ngraph/nodes/one2many.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

#define O2M_MAX NG_ONE2MANY_MAX_LINKS

/* A link's counters in p->st: O2M_NST of them from l->ctr, in a block of
 * O2M_PER_LINK (one cache line of a thread's row); struct
 * ng_one2many_link_stats' order, octets before packets, so that
 * ng_pcounter_add2 counts a packet with one call. */
enum {
    O2M_RECV_OCTETS,
    O2M_RECV_PACKETS,
    O2M_XMIT_OCTETS,
    O2M_XMIT_PACKETS,
    O2M_MEM_FAILURES,
    O2M_NST
};
#define O2M_PER_LINK 8u
_Static_assert(O2M_NST <= O2M_PER_LINK, "a link's counters fit its block");

struct o2m_link {
    _Atomic(struct ng_hook *) hook; /* the connected hook, NULL if none */
    struct ng_pcounter *st;         /* the node's counter set (p->st) */
    unsigned ctr;                   /* its first counter there */
    int num;                        /* 0..63, NG_ONE2MANY_ONE_LINKNUM for "one" */
};

struct o2m_priv {
    _Atomic uint64_t active;   /* bit i: many i connected and enabled */
    _Atomic uint32_t xmit_alg; /* NG_ONE2MANY_XMIT_* */
    _Atomic uint64_t rr;       /* next round-robin position */
    struct ng_pcounter *st;    /* every link's counters, O2M_PER_LINK each */
    struct o2m_link one;
    struct o2m_link many[O2M_MAX];

    pthread_mutex_t lock;           /* conf, cur_up, sent_up, notifying */
    struct ng_one2many_config conf; /* as set/get, enabledLinks normalised to 0/1 */
    bool cur_up;                    /* some link active (after the last update) */
    bool sent_up;                   /* the state last announced out "one" */
    bool notifying;                 /* a thread is sending announcements */
};

static int o2m_constructor(struct ng_node *node)
{
    struct o2m_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    if (ng_pcounter_create((O2M_MAX + 1) * O2M_PER_LINK, &p->st) != 0) {
        free(p);
        return -ENOMEM;
    }
    pthread_mutex_init(&p->lock, NULL);
    p->conf.xmitAlg = NG_ONE2MANY_XMIT_ROUNDROBIN;
    p->conf.failAlg = NG_ONE2MANY_FAIL_MANUAL;
    atomic_store_explicit(&p->xmit_alg, NG_ONE2MANY_XMIT_ROUNDROBIN, memory_order_relaxed);
    p->one.num = NG_ONE2MANY_ONE_LINKNUM;
    p->one.st = p->st;
    p->one.ctr = O2M_MAX * O2M_PER_LINK;
    for (int i = 0; i < O2M_MAX; i++) {
        p->many[i].num = i;
        p->many[i].st = p->st;
        p->many[i].ctr = (unsigned)i * O2M_PER_LINK;
    }
    ng_node_set_private(node, p);
    return 0;
}

static void o2m_shutdown(struct ng_node *node)
{
    /* A persistent node revives (ng_node_set_persistent): its hooks are gone
     * (their disconnect methods cleared what referred to them) and it keeps
     * its state; freeing it here would leave the revived node without one. */
    if (ng_node_is_valid(node))
        return;
    struct o2m_priv *p = ng_node_private(node);
    pthread_mutex_destroy(&p->lock);
    ng_pcounter_destroy(p->st);
    free(p);
    ng_node_set_private(node, NULL);
}

/* Recompute the active set from p->conf and the connected hooks.  Called
 * with p->lock held. */
static void o2m_update(struct o2m_priv *p)
{
    uint64_t mask = 0;
    for (int i = 0; i < O2M_MAX; i++)
        if (p->conf.enabledLinks[i] && atomic_load_explicit(&p->many[i].hook, memory_order_relaxed))
            mask |= UINT64_C(1) << i;
    atomic_store_explicit(&p->xmit_alg, p->conf.xmitAlg, memory_order_relaxed);
    atomic_store_explicit(&p->active, mask, memory_order_release);
    unsigned n = (unsigned)__builtin_popcountll(mask);
    if (n > 0) {
        uint64_t rr = atomic_load_explicit(&p->rr, memory_order_relaxed);
        atomic_store_explicit(&p->rr, rr % n, memory_order_relaxed);
    }
    p->cur_up = mask != 0;
}

/* Announce a change of "some link active" out "one" (NGM_LINK_IS_UP /
 * NGM_LINK_IS_DOWN), called after p->lock was released.  One thread sends
 * at a time and loops until the announced state is the current one, so the
 * last announcement always matches the final state, even when updates race
 * or a peer reacts (inline) by changing our topology. */
static void o2m_notify(struct o2m_priv *p)
{
    pthread_mutex_lock(&p->lock);
    if (p->notifying) {
        pthread_mutex_unlock(&p->lock);
        return;
    }
    p->notifying = true;
    while (p->sent_up != p->cur_up) {
        bool up = p->cur_up;
        p->sent_up = up;
        struct ng_hook *one = atomic_load_explicit(&p->one.hook, memory_order_acquire);
        pthread_mutex_unlock(&p->lock);
        if (one) {
            struct ng_mesg *m =
                ng_mesg_alloc(NGM_FLOW_COOKIE, up ? NGM_LINK_IS_UP : NGM_LINK_IS_DOWN, 0);
            if (m) {
                snprintf(m->header.cmdstr, sizeof(m->header.cmdstr), "%s",
                         up ? "linkisup" : "linkisdown");
                (void)ng_send_msg_hook(one, m); /* a cut link or dying peer: nobody to tell */
            }
        }
        pthread_mutex_lock(&p->lock);
    }
    p->notifying = false;
    pthread_mutex_unlock(&p->lock);
}

/* "one" -> -1, "manyN" (N decimal without leading zero, < 64) -> N, else -2. */
static int o2m_linknum(const char *name)
{
    if (strcmp(name, NG_ONE2MANY_HOOK_ONE) == 0)
        return NG_ONE2MANY_ONE_LINKNUM;
    size_t pl = strlen(NG_ONE2MANY_HOOK_MANY_PREFIX);
    if (strncmp(name, NG_ONE2MANY_HOOK_MANY_PREFIX, pl) != 0)
        return -2;
    const char *s = name + pl;
    if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] != '\0'))
        return -2;
    int n = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -2;
        n = n * 10 + (*s - '0');
        if (n >= O2M_MAX)
            return -2;
    }
    return n;
}

static int o2m_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    struct o2m_priv *p = ng_node_private(node);
    int n = o2m_linknum(name);
    if (n < NG_ONE2MANY_ONE_LINKNUM)
        return -EINVAL;
    struct o2m_link *l = n == NG_ONE2MANY_ONE_LINKNUM ? &p->one : &p->many[n];
    if (atomic_load_explicit(&l->hook, memory_order_relaxed))
        return -EISCONN;
    /* The link is claimed in connect: a hook refused by the other node is
     * discarded without disconnect and must not keep it. */
    ng_hook_set_private(hook, l);
    return 0;
}

static void o2m_stats(struct o2m_link *l, struct ng_one2many_link_stats *st, bool clear);

static int o2m_connect(struct ng_hook *hook)
{
    struct o2m_priv *p = ng_node_private(ng_hook_node(hook));
    struct o2m_link *l = ng_hook_private(hook);
    pthread_mutex_lock(&p->lock);
    o2m_stats(l, NULL, true); /* a new link starts from zero */
    atomic_store_explicit(&l->hook, hook, memory_order_release);
    if (l->num >= 0) {
        if (p->conf.failAlg == NG_ONE2MANY_FAIL_NOTIFY)
            p->conf.enabledLinks[l->num] = 1;
        o2m_update(p);
    }
    pthread_mutex_unlock(&p->lock);
    o2m_notify(p);
    return 0;
}

static int o2m_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct o2m_priv *p = ng_node_private(node);
    struct o2m_link *l = ng_hook_private(hook);
    pthread_mutex_lock(&p->lock);
    struct ng_hook *expect = hook;
    bool mine = atomic_compare_exchange_strong(&l->hook, &expect, NULL);
    if (mine && l->num >= 0) {
        p->conf.enabledLinks[l->num] = 0;
        o2m_update(p);
    }
    pthread_mutex_unlock(&p->lock);
    o2m_notify(p);
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

/* Count n packets of `octets` bytes on l: received (O2M_RECV_OCTETS) or
 * sent (O2M_XMIT_OCTETS). */
static void o2m_count(struct o2m_link *l, unsigned which, uint64_t n, uint64_t octets)
{
    ng_pcounter_add2(l->st, l->ctr + which, octets, n);
}

static void o2m_memfail(struct o2m_link *l) { ng_pcounter_add(l->st, l->ctr + O2M_MEM_FAILURES, 1); }

/* The next n round-robin positions start here (see p->rr above). */
static uint64_t o2m_rr_take(struct o2m_priv *p, unsigned n)
{
    uint64_t rr = atomic_load_explicit(&p->rr, memory_order_relaxed);
    atomic_store_explicit(&p->rr, rr + n, memory_order_relaxed);
    return rr;
}

/* Send item out of link l, counting it there if it was delivered. */
static int o2m_xmit(struct o2m_link *l, struct ng_item *item, uint32_t len)
{
    struct ng_hook *h = atomic_load_explicit(&l->hook, memory_order_acquire);
    if (!h) {
        ng_item_drop(item, NG_DROP_NOTCONN);
        return -ENOTCONN;
    }
    int rc = ng_send_data(h, item);
    if (rc == 0)
        o2m_count(l, O2M_XMIT_OCTETS, 1, len);
    return rc;
}

static int o2m_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct o2m_priv *p = ng_node_private(ng_hook_node(hook));
    struct o2m_link *src = ng_hook_private(hook);
    uint32_t len = ng_item_len(item);
    o2m_count(src, O2M_RECV_OCTETS, 1, len);
    if (src->num >= 0)
        return o2m_xmit(&p->one, item, len);

    uint64_t mask = atomic_load_explicit(&p->active, memory_order_acquire);
    if (!mask) {
        ng_item_drop(item, NG_DROP_NOTCONN);
        return -ENOTCONN;
    }
    switch (atomic_load_explicit(&p->xmit_alg, memory_order_relaxed)) {
    case NG_ONE2MANY_XMIT_ALL: {
        /* Copies out every active link but the first, the item itself out
         * the first; a copy that cannot be made is counted on its link. */
        uint64_t rest = mask & (mask - 1);
        while (rest) {
            struct o2m_link *l = &p->many[__builtin_ctzll(rest)];
            rest &= rest - 1;
            struct ng_item *c = ng_item_copy(item);
            if (!c) {
                o2m_memfail(l);
                continue;
            }
            (void)o2m_xmit(l, c, len);
        }
        return o2m_xmit(&p->many[__builtin_ctzll(mask)], item, len);
    }
    case NG_ONE2MANY_XMIT_FAILOVER:
        return o2m_xmit(&p->many[__builtin_ctzll(mask)], item, len);
    default: { /* NG_ONE2MANY_XMIT_ROUNDROBIN */
        unsigned n = (unsigned)__builtin_popcountll(mask);
        uint64_t k = o2m_rr_take(p, 1) % n;
        while (k--)
            mask &= mask - 1;
        return o2m_xmit(&p->many[__builtin_ctzll(mask)], item, len);
    }
    }
}

/* Send a vector of n items (octets bytes in all) out of link l. */
static int o2m_xmit_burst(struct o2m_link *l, struct ng_item **v, unsigned n, uint64_t octets)
{
    struct ng_hook *h = atomic_load_explicit(&l->hook, memory_order_acquire);
    if (!h) {
        for (unsigned i = 0; i < n; i++)
            ng_item_drop(v[i], NG_DROP_NOTCONN);
        return -ENOTCONN;
    }
    int rc = ng_send_data_burst(h, v, n);
    if (rc == 0)
        o2m_count(l, O2M_XMIT_OCTETS, n, octets);
    return rc;
}

/* A burst: what n calls of o2m_rcvdata would do, each link getting its
 * items as one vector (in their order).  Round-robin takes n positions at
 * once, so item i goes where the i-th single packet would have gone. */
static int o2m_rcvdata_burst(struct ng_hook *hook, struct ng_item **items, unsigned n)
{
    struct o2m_priv *p = ng_node_private(ng_hook_node(hook));
    struct o2m_link *src = ng_hook_private(hook);
    uint64_t octets = 0;
    for (unsigned i = 0; i < n; i++)
        octets += ng_item_len(items[i]);
    o2m_count(src, O2M_RECV_OCTETS, n, octets);
    if (src->num >= 0)
        return o2m_xmit_burst(&p->one, items, n, octets);

    uint64_t mask = atomic_load_explicit(&p->active, memory_order_acquire);
    if (!mask) {
        for (unsigned i = 0; i < n; i++)
            ng_item_drop(items[i], NG_DROP_NOTCONN);
        return -ENOTCONN;
    }
    struct ng_item *v[NG_BURST_MAX];
    switch (atomic_load_explicit(&p->xmit_alg, memory_order_relaxed)) {
    case NG_ONE2MANY_XMIT_ALL: {
        uint64_t rest = mask & (mask - 1);
        while (rest) {
            struct o2m_link *l = &p->many[__builtin_ctzll(rest)];
            rest &= rest - 1;
            unsigned nc = 0;
            uint64_t coctets = 0;
            for (unsigned i = 0; i < n; i++) {
                struct ng_item *c = ng_item_copy(items[i]);
                if (!c) {
                    o2m_memfail(l);
                    continue;
                }
                v[nc++] = c;
                coctets += ng_item_len(c);
            }
            if (nc)
                (void)o2m_xmit_burst(l, v, nc, coctets);
        }
        return o2m_xmit_burst(&p->many[__builtin_ctzll(mask)], items, n, octets);
    }
    case NG_ONE2MANY_XMIT_FAILOVER:
        return o2m_xmit_burst(&p->many[__builtin_ctzll(mask)], items, n, octets);
    default: { /* NG_ONE2MANY_XMIT_ROUNDROBIN */
        int idx[O2M_MAX];
        unsigned nact = 0;
        for (uint64_t m = mask; m; m &= m - 1)
            idx[nact++] = __builtin_ctzll(m);
        unsigned base =
            (unsigned)(o2m_rr_take(p, n) % nact);
        int rc = 0;
        for (unsigned j = 0; j < nact && j < n; j++) {
            unsigned nv = 0;
            uint64_t voctets = 0;
            for (unsigned i = j; i < n; i += nact) {
                v[nv++] = items[i];
                voctets += ng_item_len(items[i]);
            }
            int r = o2m_xmit_burst(&p->many[idx[(base + j) % nact]], v, nv, voctets);
            if (r && !rc)
                rc = r;
        }
        return rc;
    }
    }
}

static void o2m_stats(struct o2m_link *l, struct ng_one2many_link_stats *st, bool clear)
{
    uint64_t v[O2M_NST];
    (void)ng_pcounter_snapshot(l->st, l->ctr, O2M_NST, v, clear);
    if (st) {
        st->recvOctets = v[0];
        st->recvPackets = v[1];
        st->xmitOctets = v[2];
        st->xmitPackets = v[3];
        st->memoryFailures = v[4];
    }
}

static const char *o2m_xmit_name(uint32_t a)
{
    switch (a) {
    case NG_ONE2MANY_XMIT_ROUNDROBIN:
        return "roundrobin";
    case NG_ONE2MANY_XMIT_ALL:
        return "all";
    default:
        return "failover";
    }
}

/* TEXT_STATUS: the configuration, then every link connected or with
 * non-zero counters. */
#define O2M_STATUS_SIZE 16384
static int o2m_status(struct o2m_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), O2M_STATUS_SIZE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    pthread_mutex_lock(&p->lock);
    struct ng_one2many_config c = p->conf;
    pthread_mutex_unlock(&p->lock);
    uint64_t mask = atomic_load_explicit(&p->active, memory_order_acquire);
    size_t len = 0;
    int n = snprintf(r->data, O2M_STATUS_SIZE, "xmitAlg=%s failAlg=%s activeLinks=%d\n",
                     o2m_xmit_name(c.xmitAlg),
                     c.failAlg == NG_ONE2MANY_FAIL_NOTIFY ? "notify" : "manual",
                     __builtin_popcountll(mask));
    len += n > 0 ? (size_t)n : 0;
    for (int i = -1; i < O2M_MAX && len < O2M_STATUS_SIZE; i++) {
        struct o2m_link *l = i < 0 ? &p->one : &p->many[i];
        struct ng_one2many_link_stats st;
        o2m_stats(l, &st, false);
        bool conn = atomic_load_explicit(&l->hook, memory_order_relaxed) != NULL;
        if (!conn && !st.recvPackets && !st.xmitPackets && !st.memoryFailures)
            continue;
        char name[NG_HOOKSIZ];
        if (i < 0)
            snprintf(name, sizeof(name), "%s", NG_ONE2MANY_HOOK_ONE);
        else
            snprintf(name, sizeof(name), NG_ONE2MANY_HOOK_MANY_FMT, i);
        const char *state = !conn             ? "unconnected"
                            : i < 0           ? "connected"
                            : (mask >> i) & 1 ? "up"
                                              : "down";
        n = snprintf(r->data + len, O2M_STATUS_SIZE - len,
                     "%s: %s recvPackets=%llu recvOctets=%llu xmitPackets=%llu xmitOctets=%llu "
                     "memoryFailures=%llu\n",
                     name, state, (unsigned long long)st.recvPackets,
                     (unsigned long long)st.recvOctets, (unsigned long long)st.xmitPackets,
                     (unsigned long long)st.xmitOctets, (unsigned long long)st.memoryFailures);
        len += n > 0 ? (size_t)n : 0;
    }
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

static int o2m_setconfig(struct o2m_priv *p, const struct ng_mesg *m)
{
    struct ng_one2many_config c;
    if (m->header.arglen != sizeof(c))
        return -EINVAL;
    memcpy(&c, m->data, sizeof(c));
    if (c.xmitAlg != NG_ONE2MANY_XMIT_ROUNDROBIN && c.xmitAlg != NG_ONE2MANY_XMIT_ALL &&
        c.xmitAlg != NG_ONE2MANY_XMIT_FAILOVER)
        return -EINVAL;
    if (c.failAlg != NG_ONE2MANY_FAIL_MANUAL && c.failAlg != NG_ONE2MANY_FAIL_NOTIFY)
        return -EINVAL;
    for (int i = 0; i < O2M_MAX; i++)
        c.enabledLinks[i] = c.enabledLinks[i] != 0;
    pthread_mutex_lock(&p->lock);
    p->conf = c;
    o2m_update(p);
    pthread_mutex_unlock(&p->lock);
    o2m_notify(p);
    return 0;
}

/* GET / CLR / GETCLR_STATS: the argument is an int32_t link number. */
static int o2m_statmsg(struct o2m_priv *p, struct ng_item *item)
{
    const struct ng_mesg *m = ng_item_msg(item);
    int32_t num;
    if (m->header.arglen != sizeof(num)) {
        ng_item_free(item);
        return -EINVAL;
    }
    memcpy(&num, m->data, sizeof(num));
    if (num != NG_ONE2MANY_ONE_LINKNUM && (num < 0 || num >= O2M_MAX)) {
        ng_item_free(item);
        return -EINVAL;
    }
    struct o2m_link *l = num < 0 ? &p->one : &p->many[num];
    if (m->header.cmd == NGM_ONE2MANY_CLR_STATS) {
        o2m_stats(l, NULL, true);
        ng_item_free(item);
        return 0;
    }
    struct ng_mesg *r = ng_mesg_response(m, sizeof(struct ng_one2many_link_stats));
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    o2m_stats(l, (struct ng_one2many_link_stats *)(void *)r->data,
              m->header.cmd == NGM_ONE2MANY_GETCLR_STATS);
    return ng_respond(item, 0, r);
}

/* A flow message from a link: with failAlg notify, LINK_IS_UP / _DOWN on a
 * many hook enable / disable that link.  Anything else is ignored. */
static int o2m_flow(struct o2m_priv *p, const struct ng_mesg *m, struct ng_hook *lasthook)
{
    if (!lasthook || (m->header.cmd != NGM_LINK_IS_UP && m->header.cmd != NGM_LINK_IS_DOWN))
        return 0;
    struct o2m_link *l = ng_hook_private(lasthook);
    if (!l || l->num < 0)
        return 0;
    pthread_mutex_lock(&p->lock);
    bool notify = p->conf.failAlg == NG_ONE2MANY_FAIL_NOTIFY;
    if (notify) {
        p->conf.enabledLinks[l->num] = m->header.cmd == NGM_LINK_IS_UP;
        o2m_update(p);
    }
    pthread_mutex_unlock(&p->lock);
    if (notify)
        o2m_notify(p);
    return 0;
}

static int o2m_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    struct o2m_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    int rc = -EINVAL;
    if (m->header.flags & NGF_RESP) {
        rc = 0; /* answers to our announcements: nothing to do */
    } else if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS) {
        return o2m_status(p, item);
    } else if (m->header.typecookie == NGM_FLOW_COOKIE) {
        rc = o2m_flow(p, m, lasthook);
    } else if (m->header.typecookie == NGM_ONE2MANY_COOKIE) {
        switch (m->header.cmd) {
        case NGM_ONE2MANY_SET_CONFIG:
            rc = o2m_setconfig(p, m);
            break;
        case NGM_ONE2MANY_GET_CONFIG: {
            struct ng_mesg *r = ng_mesg_response(m, sizeof(struct ng_one2many_config));
            if (!r) {
                rc = -ENOMEM;
                break;
            }
            pthread_mutex_lock(&p->lock);
            memcpy(r->data, &p->conf, sizeof(p->conf));
            pthread_mutex_unlock(&p->lock);
            return ng_respond(item, 0, r);
        }
        case NGM_ONE2MANY_GET_STATS:
        case NGM_ONE2MANY_CLR_STATS:
        case NGM_ONE2MANY_GETCLR_STATS:
            return o2m_statmsg(p, item);
        default:
            break;
        }
    }
    ng_item_free(item);
    return rc;
}

static const struct ng_parse_fixedarray_info o2m_links_info = {&ng_parse_uint8_type, O2M_MAX};
static const struct ng_parse_type o2m_links_type = {
    &ng_parse_fixedarray_type, &o2m_links_info, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field o2m_config_fields[] = {
    {"xmitAlg", &ng_parse_uint32_type, 0},
    {"failAlg", &ng_parse_uint32_type, 0},
    {"enabledLinks", &o2m_links_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type o2m_config_type = {
    &ng_parse_struct_type, o2m_config_fields, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field o2m_stats_fields[] = {
    {"recvOctets", &ng_parse_uint64_type, 0},     {"recvPackets", &ng_parse_uint64_type, 0},
    {"xmitOctets", &ng_parse_uint64_type, 0},     {"xmitPackets", &ng_parse_uint64_type, 0},
    {"memoryFailures", &ng_parse_uint64_type, 0}, {NULL, NULL, 0},
};
static const struct ng_parse_type o2m_stats_type = {
    &ng_parse_struct_type, o2m_stats_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_cmdlist o2m_cmds[] = {
    {NGM_ONE2MANY_COOKIE, NGM_ONE2MANY_SET_CONFIG, "setconfig", &o2m_config_type, NULL,
     sizeof(struct ng_one2many_config)},
    {NGM_ONE2MANY_COOKIE, NGM_ONE2MANY_GET_CONFIG, "getconfig", NULL, &o2m_config_type, 0},
    {NGM_ONE2MANY_COOKIE, NGM_ONE2MANY_GET_STATS, "getstats", &ng_parse_int32_type, &o2m_stats_type,
     sizeof(int32_t)},
    {NGM_ONE2MANY_COOKIE, NGM_ONE2MANY_CLR_STATS, "clrstats", &ng_parse_int32_type, NULL,
     sizeof(int32_t)},
    {NGM_ONE2MANY_COOKIE, NGM_ONE2MANY_GETCLR_STATS, "getclrstats", &ng_parse_int32_type,
     &o2m_stats_type, sizeof(int32_t)},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_one2many_type = {
    .version = NG_ABI_VERSION,
    .name = NG_ONE2MANY_NODE_TYPE,
    .cookie = NGM_ONE2MANY_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = o2m_constructor,
    .rcvmsg = o2m_rcvmsg,
    .shutdown = o2m_shutdown,
    .newhook = o2m_newhook,
    .connect = o2m_connect,
    .rcvdata = o2m_rcvdata,
    .disconnect = o2m_disconnect,
    .cmdlist = o2m_cmds,
    .rcvdata_burst = o2m_rcvdata_burst,
};
