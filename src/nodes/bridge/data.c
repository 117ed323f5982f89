/*
 * data.c - the "bridge" node type (FreeBSD's ng_bridge(4)): hooks, the data
 * path, learning, loop detection and aging.  Messages, parse types and the
 * type itself are in msg.c.  Docs: docs/nodes/bridge.md.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA), because nothing in the man
 * page's semantics needs frames serialised: forwarding needs only two
 * lookups in a table that may be read while it changes, and the rare
 * changes (learning, moves, loops, aging) are serialised by a mutex that
 * the forwarding path never takes.  The one-second timer runs with writer
 * access, which in shared mode excludes only messages.  Learning happens
 * on the data path, on whichever thread a frame arrives (FreeBSD posts
 * itself an NGM_BRIDGE_MOVE_HOST message instead, because its rcvdata runs
 * as a reader and may not touch the table).  Who reads, who writes:
 *   - p->tab, the MAC table (table.c, whose header comment has its own
 *     invariants: lock-free lookups, slots never reused within a table,
 *     tables rebuilt and swapped, old ones freed with ng_defer): rcvdata
 *     looks up the destination, and the source when it is not the cached
 *     one, without a lock.  Every change (insert, move, remove, rebuild) is
 *     made under p->lock, by rcvdata when it learns a new host or sees one
 *     move, by the timer (aging), by disconnect (the hosts of a removed
 *     link) and by messages.  A removed host is freed with ng_defer, so a
 *     frame that found it just before keeps valid memory.
 *     Each link mirrors the table pointer (br_link.tab, stored with p->tab
 *     under p->lock by ngi_br_tab_publish, and set by connect), so the
 *     forwarding path finds the table from the receiving link's line; a
 *     retired link keeps an older pointer, which only a frame that loaded
 *     the link before disconnect cleared the hook's private pointer can
 *     use (disconnect clears it before it retires the link), and that
 *     frame's section also began before any later table's ng_defer.
 *   - struct br_host: key immutable; its link is its slot's hook, changed
 *     under p->lock (a move); staleness is zeroed by rcvdata with a relaxed
 *     store when it is not zero already (so a busy host's line is written
 *     once a second, not once a frame) and incremented by the timer with an
 *     atomic add; age is read and written under p->lock only (moves,
 *     the timer, gettable).
 *   - the source cache, br_link.src_cache: the host last learnt on (or
 *     moved to) the link, set and cleared under p->lock only: cleared when
 *     that host moves away or is removed (ngi_br_cache_drop, before its
 *     ng_defer), so while it is set the host is in the table on that link.
 *     rcvdata loads it and compares the frame's source with its key: equal,
 *     the source needs no lookup (only its staleness, on the same line).
 *     A frame racing the host's move or removal sees it before the change,
 *     as if it had come first (the lock-based paths re-check everything).
 *   - struct br_link (a hook's private pointer): p, hook, number and kind
 *     are immutable; loop_count (muted seconds left) is an atomic written under
 *     p->lock; the counters are an ng_pcounter set (per-thread lines).  A
 *     link is created by connect and retired by disconnect, which first
 *     marks it dead and removes its hosts under p->lock (so no host can
 *     point at it afterwards: learning checks `dead` under the same lock),
 *     then hands it to ng_defer: a frame that loaded it or a host pointing
 *     at it finishes with valid memory, and sending on the removed hook
 *     drops the frame, counted (-ENOTCONN).
 *   - p->links, the links to flood to: an immutable array replaced with a
 *     release store under p->lock by connect and disconnect, the old one
 *     freed with ng_defer; rcvdata loads it once per flooded frame.
 *   - p->conf, p->nlinks, p->send_unknown, p->persistent live under
 *     p->lock; rcvdata reads none of them (moves and loops are decided
 *     under the lock, in ngi_bridge_put).
 * Writers never wait for readers (every free is deferred), so p->lock may
 * be taken on the data path; it is taken only when a frame teaches the
 * bridge something (a new or moved host), never on the forwarding path.
 * Everything left is freed by the final shutdown method, once no method of
 * the node can run.
 *
 * Per frame, known unicast from the link's cached source (the fast path,
 * ngi_bridge_rcvdata): the link's line, the cached host's line, one probe
 * of the table (the slot holds the destination's hook), four per-thread
 * counter adds, no allocation, no lock, no shared write.
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_priv.h"

static void br_link_free_cb(struct ng_defer_entry *e)
{
    struct br_link *l = (struct br_link *)(void *)((char *)e - offsetof(struct br_link, de));
    ng_pcounter_destroy(l->st);
    free(l);
}

static void br_set_free_cb(struct ng_defer_entry *e) { free((struct br_linkset *)(void *)e); }

static struct ng_graph *br_graph(struct br_priv *p) { return ng_node_graph(p->node); }

static struct br_tab *br_cur(struct br_priv *p)
{
    return atomic_load_explicit(&p->tab, memory_order_relaxed); /* p->lock held */
}

static const char *br_nodename(struct br_priv *p, char *buf, size_t len)
{
    const char *n = ng_node_get_name(p->node);
    if (n && *n)
        snprintf(buf, len, "%s", n);
    else
        snprintf(buf, len, "[%x]", (unsigned)ng_node_id(p->node));
    return buf;
}

/* ------------------------------------------------------------------------ */
/* The MAC table (p->lock held for every change)                            */
/* ------------------------------------------------------------------------ */

void ngi_bridge_forget(struct br_priv *p, struct br_link *l)
{
    if (!l) {
        ngi_br_tab_clear(p);
        return;
    }
    struct br_tab *t = br_cur(p);
    for (uint32_t i = 0; i <= t->mask; i++) {
        struct br_slot *s = &t->slot[i];
        if ((atomic_load_explicit(&s->key, memory_order_relaxed) & BR_KEY_LIVE) &&
            atomic_load_explicit(&s->hook, memory_order_relaxed) == l->hook)
            ngi_br_tab_remove(p, s);
    }
    assert(atomic_load_explicit(&l->src_cache, memory_order_relaxed) == NULL);
}

int ngi_bridge_put(struct br_priv *p, struct br_link *l, uint64_t key)
{
    if (l->dead)
        return -ENOTCONN;
    struct br_tab *t = br_cur(p);
    struct br_slot *s = br_tab_find(t, key);
    if (s) {
        struct br_link *cur = br_slot_link(s);
        if (cur == l)
            return 0;
        struct br_host *h = br_tab_host(t, s);
        if (atomic_load_explicit(&h->age, memory_order_relaxed) >= p->conf.minStableAge) {
            atomic_store_explicit(&h->age, 0, memory_order_relaxed);
            ngi_br_cache_drop(p, cur, h);
            atomic_store_explicit(&s->hook, l->hook, memory_order_release);
            atomic_store_explicit(&l->src_cache, h, memory_order_release);
            return 0;
        }
        /* The host jumped again before it was stable: l loops back. */
        if (p->conf.debugLevel >= 2) {
            char nb[NG_NODESIZ + 16];
            fprintf(stderr, "ng_bridge: %s: loopback detected on %s\n",
                    br_nodename(p, nb, sizeof(nb)), ng_hook_name(l->hook));
        }
        atomic_store_explicit(&l->loop_count, p->conf.loopTimeout, memory_order_relaxed);
        ng_pcounter_add(l->st, BS_LOOP_DETECTS, 1);
        ngi_bridge_forget(p, l);
        return -ELOOP;
    }
    struct br_host *h = malloc(sizeof(*h));
    if (!h)
        return -ENOMEM;
    h->key = key;
    atomic_init(&h->age, 0);
    atomic_init(&h->staleness, 0);
    int r = ngi_br_tab_insert(p, key, l, h);
    if (r != 0) {
        free(h); /* never published */
        return r;
    }
    atomic_store_explicit(&l->src_cache, h, memory_order_release);
    return 0;
}

/* The frame's source key was seen on l where the table says otherwise (a
 * new host, or one on another link): learn it.  0 to forward the frame,
 * -ELOOP to drop it.  Out of line: the forwarding path never comes here. */
static __attribute__((noinline, cold)) int br_learn(struct br_priv *p, struct br_link *l,
                                                    uint64_t key)
{
    pthread_mutex_lock(&p->lock);
    int r = ngi_bridge_put(p, l, key);
    pthread_mutex_unlock(&p->lock);
    if (r == -ENOMEM || r == -ENOSPC)
        ng_pcounter_add(l->st, BS_MEMORY_FAILURES, 1);
    return r == -ELOOP ? -ELOOP : 0;
}

/* ------------------------------------------------------------------------ */
/* The one-second timer: aging and unmuting                                 */
/* ------------------------------------------------------------------------ */

static void br_tick(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)hook;
    (void)arg2;
    struct br_priv *p = arg1;
    pthread_mutex_lock(&p->lock);
    uint32_t max_stale = p->conf.maxStaleness;
    struct br_tab *t = br_cur(p);
    for (uint32_t i = 0; i <= t->mask; i++) {
        struct br_slot *sl = &t->slot[i];
        if (!(atomic_load_explicit(&sl->key, memory_order_relaxed) & BR_KEY_LIVE))
            continue;
        struct br_host *h = t->hosts[i];
        uint32_t s = atomic_fetch_add_explicit(&h->staleness, 1, memory_order_relaxed) + 1;
        if (s >= max_stale) {
            ngi_br_tab_remove(p, sl);
            continue;
        }
        uint32_t a = atomic_load_explicit(&h->age, memory_order_relaxed);
        if (a < 0xffffu)
            atomic_store_explicit(&h->age, a + 1, memory_order_relaxed);
    }
    ngi_br_tab_shrink(p); /* after mass aging: a small table again */
    struct br_linkset *ls = atomic_load_explicit(&p->links, memory_order_acquire);
    for (unsigned i = 0; i < ls->n; i++) {
        struct br_link *l = ls->l[i];
        uint32_t lc = atomic_load_explicit(&l->loop_count, memory_order_relaxed);
        if (!lc)
            continue;
        atomic_store_explicit(&l->loop_count, lc - 1, memory_order_relaxed);
        if (lc == 1 && p->conf.debugLevel >= 2) {
            char nb[NG_NODESIZ + 16];
            fprintf(stderr, "ng_bridge: %s: restoring looped back %s\n",
                    br_nodename(p, nb, sizeof(nb)), ng_hook_name(l->hook));
        }
    }
    pthread_mutex_unlock(&p->lock);
    /* -ESHUTDOWN once the node goes: the timer ends with it. */
    (void)ng_timer_arm(&p->timer, node, NULL, BR_TICK_NS, br_tick, p, 0);
}

/* ------------------------------------------------------------------------ */
/* Lifecycle and hooks                                                      */
/* ------------------------------------------------------------------------ */

static void br_defaults(struct br_priv *p)
{
    p->conf.debugLevel = NG_BRIDGE_DEFAULT_DEBUG;
    p->conf.loopTimeout = NG_BRIDGE_DEFAULT_LOOP_TIMEOUT;
    p->conf.maxStaleness = NG_BRIDGE_DEFAULT_MAX_STALENESS;
    p->conf.minStableAge = NG_BRIDGE_DEFAULT_MIN_STABLE_AGE;
    p->send_unknown = true;
    p->persistent = false;
}

static void br_free_priv(struct br_priv *p)
{
    /* No reader is left: the hosts and the table go at once. */
    ngi_br_tab_destroy(atomic_load_explicit(&p->tab, memory_order_relaxed), true);
    /* Every link was retired by its disconnect, except dead ones a failed
     * br_relink left in the set. */
    struct br_linkset *ls = atomic_load_explicit(&p->links, memory_order_relaxed);
    for (unsigned i = 0; ls && i < ls->n; i++)
        br_link_free_cb(&ls->l[i]->de);
    free(ls);
    ng_pcounter_destroy(p->nst);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* Zeroed memory for an object whose hot fields share a cache line. */
static void *br_zalloc_line(size_t size)
{
    size = (size + 63) / 64 * 64;
    void *m = aligned_alloc(64, size);
    if (m)
        memset(m, 0, size);
    return m;
}

int ngi_bridge_constructor(struct ng_node *node)
{
    struct br_priv *p = br_zalloc_line(sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->node = node;
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        free(p);
        return -ENOMEM;
    }
    br_defaults(p);
    ng_timer_init(&p->timer);
    struct br_linkset *ls = calloc(1, sizeof(*ls));
    atomic_init(&p->links, ls);
    struct br_tab *t = NULL;
    int r = -ENOMEM;
    if (!ls || ng_pcounter_create(BN_COUNT, &p->nst) != 0 || ngi_br_tab_create(BR_TAB_MIN, &t) != 0)
        goto fail;
    atomic_init(&p->tab, t);
    ng_node_set_private(node, p);
    r = ng_timer_arm(&p->timer, node, NULL, BR_TICK_NS, br_tick, p, 0);
    if (r == 0)
        return 0;
    ng_node_set_private(node, NULL);
fail:
    br_free_priv(p);
    return r;
}

void ngi_bridge_shutdown(struct ng_node *node)
{
    struct br_priv *p = ng_node_private(node);
    if (!p)
        return;
    if (ng_node_is_valid(node)) {
        /* Revived (made persistent with ng_node_set_persistent): it lost its
         * hooks and its timer; start afresh, as a new node would. */
        pthread_mutex_lock(&p->lock);
        ngi_bridge_forget(p, NULL);
        br_defaults(p);
        (void)ng_pcounter_snapshot(p->nst, 0, BN_COUNT, NULL, true);
        pthread_mutex_unlock(&p->lock);
        (void)ng_timer_arm(&p->timer, node, NULL, BR_TICK_NS, br_tick, p, 0);
        return;
    }
    ng_node_set_private(node, NULL);
    br_free_priv(p);
}

/* "linkN" -> N, "uplinkN" -> -N (N decimal, no leading zero, uplink N >= 1,
 * at most INT32_MAX); anything else -> 0 with *ok false. */
static int32_t br_linknum(const char *name, bool *ok)
{
    *ok = false;
    bool up = strncmp(name, NG_BRIDGE_HOOK_UPLINK_PREFIX, 6) == 0;
    const char *s = name + (up ? 6 : 4);
    if (!up && strncmp(name, NG_BRIDGE_HOOK_LINK_PREFIX, 4) != 0)
        return 0;
    if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] != '\0'))
        return 0;
    int64_t n = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        n = n * 10 + (*s - '0');
        if (n > INT32_MAX)
            return 0;
    }
    if (up && n == 0)
        return 0;
    *ok = true;
    return up ? (int32_t)-n : (int32_t)n;
}

int ngi_bridge_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    (void)node;
    (void)hook;
    bool ok;
    (void)br_linknum(name, &ok);
    /* The link itself is made by connect: a hook the peer refuses is
     * discarded without disconnect and must not leave one behind. */
    return ok ? 0 : -EINVAL;
}

/* Publish a copy of the link set without its dead links and with `add`
 * added, then retire the dead links (ng_defer: a frame may still be
 * flooding to them).  On -ENOMEM nothing changes: a dead link then stays
 * in the set (flooding to it drops the copy, -ENOTCONN) until the next
 * change, or the final shutdown.  p->lock held. */
static int br_relink(struct br_priv *p, struct br_link *add)
{
    struct br_linkset *old = atomic_load_explicit(&p->links, memory_order_relaxed);
    unsigned n = old->n + (add ? 1 : 0);
    struct br_linkset *ns = malloc(sizeof(*ns) + n * sizeof(ns->l[0]));
    if (!ns)
        return -ENOMEM;
    unsigned k = 0;
    for (unsigned i = 0; i < old->n; i++)
        if (!old->l[i]->dead)
            ns->l[k++] = old->l[i];
    if (add)
        ns->l[k++] = add;
    ns->n = k;
    atomic_store_explicit(&p->links, ns, memory_order_release);
    for (unsigned i = 0; i < old->n; i++) {
        struct br_link *l = old->l[i];
        if (l->dead && ng_defer(br_graph(p), &l->de, br_link_free_cb) != 0)
            br_link_free_cb(&l->de);
    }
    if (ng_defer(br_graph(p), &old->de, br_set_free_cb) != 0)
        free(old);
    return 0;
}

int ngi_bridge_connect(struct ng_hook *hook)
{
    struct br_priv *p = ng_node_private(ng_hook_node(hook));
    bool ok;
    int32_t num = br_linknum(ng_hook_name(hook), &ok);
    struct br_link *l = br_zalloc_line(sizeof(*l));
    if (!l)
        return -ENOMEM;
    if (ng_pcounter_create(BS_COUNT, &l->st) != 0) {
        free(l);
        return -ENOMEM;
    }
    l->p = p;
    l->hook = hook;
    atomic_init(&l->src_cache, NULL);
    l->num = num;
    l->uplink = num < 0;
    atomic_init(&l->loop_count, 0);
    pthread_mutex_lock(&p->lock);
    atomic_init(&l->tab, br_cur(p)); /* published with l, by br_relink and set_private */
    if (p->nlinks == 0)
        p->send_unknown = !l->uplink; /* the first hook decides (ng_bridge(4)) */
    l->send_unknown = l->uplink || p->send_unknown;
    int r = br_relink(p, l);
    if (r == 0) {
        p->nlinks++;
        ng_hook_set_private(hook, l);
    }
    pthread_mutex_unlock(&p->lock);
    if (r != 0) {
        ng_pcounter_destroy(l->st);
        free(l);
    }
    return r;
}

int ngi_bridge_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct br_priv *p = ng_node_private(node);
    struct br_link *l = ng_hook_private(hook);
    pthread_mutex_lock(&p->lock);
    if (l) {
        l->dead = true; /* learning skips it from now on */
        ngi_bridge_forget(p, l); /* (finds l through the hook's private pointer) */
        /* Unreachable before it is retired: a frame that still reaches
         * this hook (one queued on it before an ng_bypass, say) and
         * loads the pointer afterwards finds no link; one that loaded l
         * before is inside a section that l's ng_defer waits for. */
        ng_hook_set_private(hook, NULL);
        (void)br_relink(p, NULL); /* retires l, or leaves it for later */
        p->nlinks--;
    }
    bool persistent = p->persistent;
    pthread_mutex_unlock(&p->lock);
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node) && !persistent)
        ng_node_shutdown(node);
    return 0;
}

struct br_link *ngi_bridge_link_by_num(struct br_priv *p, int32_t num)
{
    struct br_linkset *ls = atomic_load_explicit(&p->links, memory_order_acquire);
    for (unsigned i = 0; i < ls->n; i++)
        if (!ls->l[i]->dead && ls->l[i]->num == num)
            return ls->l[i];
    return NULL;
}

struct br_link *ngi_bridge_link_by_name(struct br_priv *p, const char *name)
{
    struct br_linkset *ls = atomic_load_explicit(&p->links, memory_order_acquire);
    for (unsigned i = 0; i < ls->n; i++)
        if (!ls->l[i]->dead && strcmp(ng_hook_name(ls->l[i]->hook), name) == 0)
            return ls->l[i];
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* The data path                                                            */
/* ------------------------------------------------------------------------ */

enum { BR_UNICAST = 0, BR_MULTICAST = 1, BR_BROADCAST = 2 };

static void br_count_xmit(struct br_link *d, int cast, uint64_t n, uint64_t octets)
{
    ng_pcounter_add(d->st, BS_XMIT_PACKETS, n);
    ng_pcounter_add(d->st, BS_XMIT_OCTETS, octets);
    if (cast == BR_MULTICAST)
        ng_pcounter_add(d->st, BS_XMIT_MULTICASTS, n);
    else if (cast == BR_BROADCAST)
        ng_pcounter_add(d->st, BS_XMIT_BROADCASTS, n);
}

/* Counted before it is sent, whatever the peer then does with it (as
 * FreeBSD's NG_FWD_NEW_DATA after its counter adds). */
static int br_xmit(struct br_link *d, struct ng_item *item, int cast, uint32_t len)
{
    br_count_xmit(d, cast, 1, len);
    return ng_send_data(d->hook, item);
}

/* Unknown unicast, multicast and broadcast: a copy out of every other
 * eligible link, the frame itself out of the first (as FreeBSD). */
static int br_flood(struct br_priv *p, struct br_link *in, struct ng_item *item, int cast,
                    uint32_t len)
{
    struct br_linkset *ls = atomic_load_explicit(&p->links, memory_order_acquire);
    struct br_link *first = NULL;
    int err = 0;
    for (unsigned i = 0; i < ls->n; i++) {
        struct br_link *d = ls->l[i];
        if (d == in || (cast == BR_UNICAST && !d->send_unknown))
            continue;
        if (!first) {
            first = d;
            continue;
        }
        struct ng_item *c = ng_item_copy(item);
        if (!c) {
            ng_pcounter_add(in->st, BS_MEMORY_FAILURES, 1);
            err = -ENOBUFS;
            break; /* do not try again and again */
        }
        int rc = br_xmit(d, c, cast, len);
        if (rc)
            err = rc;
    }
    if (!first) {
        ng_pcounter_add(p->nst, BN_NOWHERE, 1);
        ng_item_free(item);
        return err;
    }
    int rc = br_xmit(first, item, cast, len);
    return rc ? rc : err;
}

/* What to do with a frame: consumed (*rc its result), or forwarded out of
 * *dst (known unicast), or flooded (*dst NULL).  Counts the reception. */
enum { BR_DONE, BR_FORWARD, BR_FLOOD };

/* Drop a frame the checks refused: counted in in's counter `which`. */
static __attribute__((noinline, cold)) int br_refuse(struct br_link *in, struct ng_item *item,
                                                     unsigned which, int err, int *rc)
{
    ng_pcounter_add(in->st, which, 1);
    ng_item_free(item);
    *rc = err;
    return BR_DONE;
}

/* The source, when it is not in's cached host: looked up, its staleness
 * restarted, learnt (a new host, not from an uplink) or moved under the
 * lock.  0, or -ELOOP (drop the frame). */
static __attribute__((noinline)) int br_source(struct br_priv *p, struct br_link *in, uint64_t key)
{
    struct br_tab *t = atomic_load_explicit(&p->tab, memory_order_acquire);
    struct br_slot *s = br_tab_find(t, key);
    if (!s)
        return in->uplink ? 0 : br_learn(p, in, key); /* a new host: cannot loop */
    struct br_host *h = br_tab_host(t, s);
    if (atomic_load_explicit(&h->staleness, memory_order_relaxed) != 0)
        atomic_store_explicit(&h->staleness, 0, memory_order_relaxed);
    if (atomic_load_explicit(&s->hook, memory_order_acquire) != in->hook)
        return br_learn(p, in, key);
    return 0;
}

/* The general path, every step of ng_bridge(4) in its order: the checks,
 * the counts, the source (the link's cached host, else the table, else
 * learning), then the destination. */
static inline int br_classify(struct br_link *in, struct ng_item *item, uint32_t len, int *cast,
                              struct br_link **dst, int *rc)
{
    if (__builtin_expect(len < BR_ETHER_HDR, 0))
        return br_refuse(in, item, BS_RECV_RUNTS, -EINVAL, rc);
    const uint8_t *eh = ng_item_data(item);
    if (__builtin_expect(eh[6] & 1, 0)) /* a group source */
        return br_refuse(in, item, BS_RECV_INVALID, -EINVAL, rc);
    if (__builtin_expect(atomic_load_explicit(&in->loop_count, memory_order_relaxed) != 0, 0))
        return br_refuse(in, item, BS_LOOP_DROPS, -ELOOP, rc);
    uint64_t dkey = br_key(eh), skey = br_key(eh + 6);
    ng_pcounter_add(in->st, BS_RECV_PACKETS, 1);
    ng_pcounter_add(in->st, BS_RECV_OCTETS, len);
    *cast = BR_UNICAST;
    if (__builtin_expect(eh[0] & 1, 0)) {
        *cast = dkey == (0xffffffffffffull | BR_KEY_LIVE) ? BR_BROADCAST : BR_MULTICAST;
        ng_pcounter_add(in->st, *cast == BR_BROADCAST ? BS_RECV_BROADCASTS : BS_RECV_MULTICASTS, 1);
    }
    /* The source: in's cached host (the line of one host, often in cache),
     * else the table. */
    struct br_priv *p = in->p;
    struct br_host *c = atomic_load_explicit(&in->src_cache, memory_order_acquire);
    if (__builtin_expect(c != NULL && c->key == skey, 1)) {
        if (__builtin_expect(atomic_load_explicit(&c->staleness, memory_order_relaxed) != 0, 0))
            atomic_store_explicit(&c->staleness, 0, memory_order_relaxed);
    } else if (br_source(p, in, skey) == -ELOOP) {
        return br_refuse(in, item, BS_LOOP_DROPS, -ELOOP, rc);
    }
    if (*cast == BR_UNICAST) {
        const struct br_tab *t = atomic_load_explicit(&p->tab, memory_order_acquire);
        const struct br_slot *d = br_tab_find(t, dkey);
        /* (no link: its disconnect ran after its hosts went, the host is
         * gone) */
        struct br_link *dl =
            d ? ng_hook_private(atomic_load_explicit(&d->hook, memory_order_acquire)) : NULL;
        if (__builtin_expect(dl != NULL, 1)) {
            if (__builtin_expect(dl == in, 0)) {
                ng_pcounter_add(p->nst, BN_LOCAL, 1);
                ng_item_free(item);
                *rc = 0;
                return BR_DONE;
            }
            *dst = dl;
            return BR_FORWARD;
        }
        ng_pcounter_add(in->st, BS_RECV_UNKNOWN, 1);
    }
    *dst = NULL;
    return BR_FLOOD;
}

static __attribute__((noinline, cold)) int br_nolink(struct ng_hook *hook, struct ng_item *item)
{
    /* connect has not run yet, or it failed */
    struct br_priv *p = ng_node_private(ng_hook_node(hook));
    if (p)
        ng_pcounter_add(p->nst, BN_NOLINK, 1);
    ng_item_drop(item, NG_DROP_NOTCONN);
    return -ENOTCONN;
}

/* Any frame, every case, in ng_bridge(4)'s order. */
static __attribute__((noinline)) int br_rcvdata_any(struct br_link *in, struct ng_item *item,
                                                    uint32_t len)
{
    struct br_link *dst = NULL;
    int rc = 0, cast = BR_UNICAST;
    switch (br_classify(in, item, len, &cast, &dst, &rc)) {
    case BR_FORWARD:
        return br_xmit(dst, item, cast, len);
    case BR_FLOOD:
        return br_flood(in->p, in, item, cast, len);
    default:
        return rc;
    }
}

/*
 * The fast path: known unicast from in's cached source host (heard within
 * the last tick) to a host on another link, on an unmuted link.  It only
 * reads until it knows the frame is such a one; anything else goes to
 * br_rcvdata_any, which starts over, so every case keeps its order of
 * checks and counts.  Per frame: the hook's private pointer, the link's
 * line, the cached host's line, the table's header and one slot (its key
 * and the destination's link), the destination link's line; four
 * per-thread counter adds; no shared write, no lock.
 */
int ngi_bridge_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct br_link *in = ng_hook_private(hook);
    if (__builtin_expect(!in, 0))
        return br_nolink(hook, item);
    uint32_t len = ng_item_len(item);
    if (__builtin_expect(len < BR_ETHER_HDR, 0))
        return br_rcvdata_any(in, item, len);
    const uint8_t *eh = ng_item_data(item);
    const struct br_host *c = atomic_load_explicit(&in->src_cache, memory_order_acquire);
    /* group source or destination, muted link, source not the cached
     * host or not heard since the last tick */
    if (__builtin_expect(((eh[0] | eh[6]) & 1) != 0 || c == NULL ||
                             atomic_load_explicit(&in->loop_count, memory_order_relaxed) != 0 ||
                             c->key != br_key_wide(eh + 6) || /* 14 bytes at least */
                             atomic_load_explicit(&c->staleness, memory_order_relaxed) != 0,
                         0))
        return br_rcvdata_any(in, item, len);
    const struct br_tab *t = atomic_load_explicit(&in->tab, memory_order_acquire);
    const struct br_slot *d = br_tab_find(t, br_key(eh));
    struct ng_hook *out = d ? atomic_load_explicit(&d->hook, memory_order_acquire) : in->hook;
    if (__builtin_expect(out == in->hook, 0)) /* unknown, or local */
        return br_rcvdata_any(in, item, len);
    ng_pcounter_add2(in->st, BS_RECV_OCTETS, len, 1); /* octets, packets */
    /* The destination link counts the frame before it is sent, as
     * FreeBSD's does, so the send is a tail call.  (NULL: the hook was
     * disconnected meanwhile and has no counters left; the send drops the
     * frame, counted by the engine.) */
    struct br_link *dl = ng_hook_private(out);
    if (__builtin_expect(dl != NULL, 1))
        ng_pcounter_add2(dl->st, BS_XMIT_OCTETS, len, 1); /* octets, packets */
    return ng_send_data(out, item);
}

/* A burst: each frame as rcvdata would take it; runs of consecutive frames
 * for the same known destination leave as one burst (a flood first sends
 * the pending run, so each link sees the frames in their order). */
int ngi_bridge_rcvdata_burst(struct ng_hook *hook, struct ng_item **items, unsigned n)
{
    int rc = 0;
    struct br_link *in = ng_hook_private(hook);
    if (!in) {
        for (unsigned i = 0; i < n; i++)
            rc = br_nolink(hook, items[i]);
        return rc;
    }
    struct br_priv *p = in->p;
    struct br_link *run = NULL;
    unsigned nrun = 0;
    uint64_t octets = 0;
    int err = 0;
    for (unsigned i = 0; i <= n; i++) {
        int cast = BR_UNICAST, what = BR_DONE, r = 0;
        struct br_link *dst = NULL;
        uint32_t len = 0;
        if (i < n) {
            len = ng_item_len(items[i]);
            what = br_classify(in, items[i], len, &cast, &dst, &r);
            if (what == BR_DONE) {
                if (r && !err)
                    err = r;
                continue;
            }
        }
        if (nrun && (i == n || what != BR_FORWARD || dst != run)) {
            /* items[0..nrun) were compacted to the front of the vector */
            br_count_xmit(run, BR_UNICAST, nrun, octets);
            r = ng_send_data_burst(run->hook, items, nrun);
            if (r && !err)
                err = r;
            nrun = 0;
            octets = 0;
        }
        if (i == n)
            break;
        if (what == BR_FORWARD) {
            run = dst;
            items[nrun++] = items[i];
            octets += len;
        } else {
            r = br_flood(p, in, items[i], cast, len);
            if (r && !err)
                err = r;
        }
    }
    return err;
}
