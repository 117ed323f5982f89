/*
 * table.c - the bridge's MAC table: an open-addressed hash table keyed by
 * the 48-bit address (a uint64_t), lock-free for readers, written under
 * priv->lock, its memory reclaimed with ng_defer.  Private to the bridge
 * (the generic table of the toolbox, <ngraph/rhash.h> on ck_ht, costs two
 * out-of-line calls and a dependent load of the value per lookup; this one
 * is inline, and a slot holds the host's link itself, so forwarding a
 * frame reads one slot and nothing else).
 *
 * Layout: struct br_tab, then slots of {key, link} (16 bytes, 4 a cache
 * line), then hosts[] parallel to the slots (read only when a frame's
 * source is looked up, by writers, and by the timer).  Linear probing from
 * (key * mul) >> shift, mul a random odd multiplier per table (multiply-
 * shift hashing: the addresses a sender picks do not choose the slots).
 *
 * Invariants (who reads, who writes, what keeps memory alive):
 *   - Writers: every function of this file but create and destroy runs
 *     with priv->lock held, so there is one writer at a time, on any
 *     thread (rcvdata learning, the timer, messages, disconnect).
 *   - Readers: br_tab_find (bridge_priv.h) on any thread, inside a
 *     read-side section of the graph, after an acquire load of priv->tab
 *     or of a link's mirror of it (br_link.tab, ngi_br_tab_publish).
 *   - A slot's key goes EMPTY -> live -> TOMB and never back, within one
 *     table: a removed key leaves a tombstone, a re-inserted key takes a
 *     new empty slot.  So a reader that read key K from a slot reads K's
 *     hook from it (never another key's), and hosts[i] never changes once
 *     slot i's key is published (the writer stores hook and hosts[i], then
 *     the key with a release store; the reader's acquire load of the key
 *     orders its reads of hook and hosts[i] after).  A move stores the new
 *     hook (release): a reader sees the old or the new one.  A slot names
 *     its link by the link's hook (the link is the hook's private pointer):
 *     forwarding needs the hook first, and the link only to count.
 *   - At most 3/4 of the slots are used (live keys + tombstones): an
 *     insert that would pass that rebuilds the table first.  Empty slots
 *     therefore exist in every table, so every probe ends.
 *   - Rebuilding (growth, too many tombstones, shrinking after aging,
 *     clearing) makes a new table with the live entries, publishes it in
 *     priv->tab and every link's mirror with release stores
 *     (ngi_br_tab_publish) and hands the old one to ng_defer: a
 *     reader still inside it sees a frozen, consistent table (no writer
 *     touches it after the store) until its section ends.
 *   - A host (struct br_host) is freed with ng_defer after its slot is
 *     tombstoned (or its table replaced without it); a link is freed with
 *     ng_defer only after every host on it was removed (data.c), and its
 *     hook by the engine after a grace period once removed, so a hook (and
 *     its link) loaded from any slot of any table a reader can still see
 *     is valid memory.  The hook's private pointer is NULL once its
 *     disconnect ran: a reader that raced it finds no link to count on.
 *   - The source cache (br_link.src_cache): set by writers only (a host
 *     learnt on or moved to the link), cleared by writers when that host
 *     moves away or is removed, always before its ng_defer.  So a cached
 *     host is valid memory for any reader that loaded it, and, when the
 *     load happened, it was in the table on that link.  Debug builds check
 *     the invariant at every removal (assert).
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "bridge_priv.h"

/* The largest table: a full one (NG_BRIDGE_MAX_HOSTS live keys) is half
 * full, so it can always drop its tombstones without growing. */
#define BR_TAB_MAX_SLOTS (2u * NG_BRIDGE_MAX_HOSTS)
_Static_assert((NG_BRIDGE_MAX_HOSTS & (NG_BRIDGE_MAX_HOSTS - 1)) == 0, "a power of two");

static void br_host_free_cb(struct ng_defer_entry *e)
{
    free((struct br_host *)(void *)((char *)e - offsetof(struct br_host, de)));
}

static void br_tab_free_cb(struct ng_defer_entry *e)
{
    free((struct br_tab *)(void *)((char *)e - offsetof(struct br_tab, de)));
}

static uint64_t br_mul(const void *salt)
{
    uint64_t s = 0;
    if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s)) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        s = ((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uintptr_t)salt) *
            0x9e3779b97f4a7c15ull;
    }
    return s | 1u;
}

/* Slots for n live keys: a power of two, at least 2n (half full after a
 * rebuild), at least BR_TAB_MIN. */
static uint32_t br_slots_for(uint32_t n)
{
    uint32_t s = BR_TAB_MIN;
    while (s < 2 * n && s < BR_TAB_MAX_SLOTS)
        s *= 2;
    return s;
}

int ngi_br_tab_create(uint32_t slots, struct br_tab **tp)
{
    *tp = NULL;
    if (slots < BR_TAB_MIN)
        slots = BR_TAB_MIN;
    size_t sz = sizeof(struct br_tab) + (size_t)slots * sizeof(struct br_slot);
    /* the slots start on a cache line, so 4 of them share each line */
    struct br_tab *t = aligned_alloc(64, (sz + (size_t)slots * sizeof(struct br_host *) + 63) /
                                             64 * 64);
    if (!t)
        return -ENOMEM;
    memset(t, 0, sz);
    t->hosts = (struct br_host **)(void *)((char *)t + sz);
    t->mul = br_mul(t);
    t->mask = slots - 1;
    t->shift = (unsigned)(64 - __builtin_ctz(slots));
    *tp = t;
    return 0;
}

void ngi_br_tab_destroy(struct br_tab *t, bool free_hosts)
{
    if (!t)
        return;
    for (uint32_t i = 0; free_hosts && i <= t->mask; i++) {
        uint64_t k = atomic_load_explicit(&t->slot[i].key, memory_order_relaxed);
        if (k & BR_KEY_LIVE)
            free(t->hosts[i]);
    }
    free(t);
}

void ngi_br_cache_drop(struct br_priv *p, struct br_link *l, struct br_host *h)
{
    if (atomic_load_explicit(&l->src_cache, memory_order_relaxed) == h)
        atomic_store_explicit(&l->src_cache, NULL, memory_order_release);
#ifndef NDEBUG
    /* Only h's own link may cache it: no other link of the set does. */
    struct br_linkset *ls = atomic_load_explicit(&p->links, memory_order_relaxed);
    for (unsigned i = 0; i < ls->n; i++)
        assert(atomic_load_explicit(&ls->l[i]->src_cache, memory_order_relaxed) != h);
#else
    (void)p;
#endif
}

static struct br_tab *br_cur(struct br_priv *p)
{
    return atomic_load_explicit(&p->tab, memory_order_relaxed); /* writers only */
}

void ngi_br_tab_publish(struct br_priv *p, struct br_tab *t)
{
    atomic_store_explicit(&p->tab, t, memory_order_release);
    /* Links out of the set (retired) keep the old pointer: a frame still
     * on one loaded the link before its disconnect, so its section began
     * before the old table's ng_defer, which the caller makes after this. */
    struct br_linkset *ls = atomic_load_explicit(&p->links, memory_order_relaxed);
    for (unsigned i = 0; i < ls->n; i++)
        atomic_store_explicit(&ls->l[i]->tab, t, memory_order_release);
}

/* Put key at its first empty slot of t (absent from t; room left). */
static void br_tab_place(struct br_tab *t, uint64_t key, struct ng_hook *hook, struct br_host *h)
{
    uint32_t i = (uint32_t)((key * t->mul) >> t->shift);
    while (atomic_load_explicit(&t->slot[i].key, memory_order_relaxed) != BR_KEY_EMPTY)
        i = (i + 1) & t->mask;
    t->hosts[i] = h;
    atomic_store_explicit(&t->slot[i].hook, hook, memory_order_relaxed);
    atomic_store_explicit(&t->slot[i].key, key, memory_order_release); /* publishes both */
    t->used++;
    t->live++;
}

/* Replace the table by one of `slots` slots holding its live entries. */
static int br_tab_rebuild(struct br_priv *p, uint32_t slots)
{
    struct br_tab *old = br_cur(p), *t;
    if (ngi_br_tab_create(slots, &t) != 0)
        return -ENOMEM;
    for (uint32_t i = 0; i <= old->mask; i++) {
        uint64_t k = atomic_load_explicit(&old->slot[i].key, memory_order_relaxed);
        if (k & BR_KEY_LIVE)
            br_tab_place(t, k, atomic_load_explicit(&old->slot[i].hook, memory_order_relaxed),
                         old->hosts[i]);
    }
    assert(t->live == old->live);
    ngi_br_tab_publish(p, t);
    if (ng_defer(ng_node_graph(p->node), &old->de, br_tab_free_cb) != 0)
        free(old); /* not reached: the graph is alive */
    return 0;
}

int ngi_br_tab_insert(struct br_priv *p, uint64_t key, struct br_link *l, struct br_host *h)
{
    struct br_tab *t = br_cur(p);
    assert(br_tab_find(t, key) == NULL);
    if (t->live >= NG_BRIDGE_MAX_HOSTS)
        return -ENOSPC;
    uint32_t slots = t->mask + 1;
    if (t->used + 1 > slots - slots / 4) {
        /* Grow if the live keys fill half of it, else just drop the
         * tombstones. */
        if (br_tab_rebuild(p, br_slots_for(t->live + 1)) != 0)
            return -ENOMEM;
        t = br_cur(p);
    }
    br_tab_place(t, key, l->hook, h);
    return 0;
}

void ngi_br_tab_remove(struct br_priv *p, struct br_slot *s)
{
    struct br_tab *t = br_cur(p);
    struct br_host *h = br_tab_host(t, s);
    struct br_link *l = br_slot_link(s);
    assert(h->key == atomic_load_explicit(&s->key, memory_order_relaxed)); /* a live slot of t */
    atomic_store_explicit(&s->key, BR_KEY_TOMB, memory_order_release);
    t->live--;
    ngi_br_cache_drop(p, l, h);
    if (ng_defer(ng_node_graph(p->node), &h->de, br_host_free_cb) != 0)
        free(h); /* not reached: the graph is alive */
}

void ngi_br_tab_shrink(struct br_priv *p)
{
    struct br_tab *t = br_cur(p);
    uint32_t slots = t->mask + 1;
    if (slots > BR_TAB_MIN && (uint64_t)t->live * 8 < slots)
        (void)br_tab_rebuild(p, br_slots_for(t->live)); /* -ENOMEM: stays big */
}

void ngi_br_tab_clear(struct br_priv *p)
{
    struct br_tab *old = br_cur(p), *t;
    if (ngi_br_tab_create(BR_TAB_MIN, &t) != 0) {
        /* No memory for a fresh table: tombstone every slot instead. */
        for (uint32_t i = 0; i <= old->mask; i++)
            if (atomic_load_explicit(&old->slot[i].key, memory_order_relaxed) & BR_KEY_LIVE)
                ngi_br_tab_remove(p, &old->slot[i]);
        return;
    }
    ngi_br_tab_publish(p, t);
    struct ng_graph *g = ng_node_graph(p->node);
    for (uint32_t i = 0; i <= old->mask; i++) {
        if (!(atomic_load_explicit(&old->slot[i].key, memory_order_relaxed) & BR_KEY_LIVE))
            continue;
        struct br_host *h = old->hosts[i];
        ngi_br_cache_drop(p, br_slot_link(&old->slot[i]), h);
        if (ng_defer(g, &h->de, br_host_free_cb) != 0)
            free(h);
    }
    if (ng_defer(g, &old->de, br_tab_free_cb) != 0)
        free(old);
}
