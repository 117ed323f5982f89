/*
 * bridge_priv.h - the bridge node type's private state, shared by its two
 * files: data.c (hooks, the data path, learning, aging) and msg.c (control
 * messages, parse types, the type itself).  See data.c's header comment
 * for the concurrency invariants.
 */
#ifndef NGI_BRIDGE_PRIV_H
#define NGI_BRIDGE_PRIV_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes/bridge.h>
#include <ngraph/runtime.h>

#define BR_ETHER_HDR 14u
#define BR_TICK_NS 1000000000ull /* FreeBSD's one-second timer */

/* Per-link counters (ng_pcounter indexes).  The four every forwarded frame
 * counts come first, so they share a cache line of a thread's row (a frame
 * touches one line of each link's counters); br_stat_field maps them to
 * struct ng_bridge_link_stats order. */
enum {
    BS_RECV_OCTETS, /* octets before packets: ng_pcounter_add2 adds both */
    BS_RECV_PACKETS,
    BS_XMIT_OCTETS,
    BS_XMIT_PACKETS,
    BS_RECV_MULTICASTS,
    BS_RECV_BROADCASTS,
    BS_RECV_UNKNOWN,
    BS_RECV_RUNTS,
    BS_RECV_INVALID,
    BS_XMIT_MULTICASTS,
    BS_XMIT_BROADCASTS,
    BS_LOOP_DROPS,
    BS_LOOP_DETECTS,
    BS_MEMORY_FAILURES,
    BS_COUNT
};

/* Node counters of frames the bridge consumed without sending them on
 * (TEXT_STATUS). */
enum {
    BN_LOCAL,   /* destination on the link the frame came from (FreeBSD: silently freed) */
    BN_NOWHERE, /* nothing to flood to (no other eligible link) */
    BN_NOLINK,  /* arrived on a hook not (or no longer) set up as a link */
    BN_COUNT
};

struct br_priv;
struct br_host;

/* One link (a connected hook); its hook's private pointer.  The fields
 * rcvdata reads for every frame come first, on one cache line. */
struct br_link {
    struct br_priv *p;           /* immutable: the bridge (no ng_hook_node call per frame) */
    struct ng_hook *hook;        /* immutable */
    struct ng_pcounter *st;      /* BS_* counters */
    /* p->tab, mirrored (ngi_br_tab_publish stores both under p->lock):
     * the forwarding path reaches the table from this line, not through
     * p's. */
    _Atomic(struct br_tab *) tab;
    /* The last host learnt on or moved to this link (or NULL): while set,
     * it is in the table on this link (see data.c, "the source cache"). */
    _Atomic(struct br_host *) src_cache;
    _Atomic uint32_t loop_count; /* seconds the link stays muted (0: not muted) */
    int32_t num;                 /* linkN: N; uplinkN: -N */
    bool uplink;                 /* no learning from it; always gets unknowns */
    bool send_unknown;           /* gets frames for unknown destinations */
    bool dead;                   /* disconnected (priv->lock) */
    struct ng_defer_entry de;    /* freed after a grace period once disconnected */
};

/* The links rcvdata floods to: an immutable array, replaced (release
 * store) under priv->lock and freed after a grace period. */
struct br_linkset {
    struct ng_defer_entry de;
    unsigned n;
    struct br_link *l[];
};

/* A learned host, the MAC table's value; its link is in its table slot. */
struct br_host {
    uint64_t key;               /* immutable: br_key() of the address */
    _Atomic uint32_t staleness; /* seconds since last heard (timer adds, rcvdata zeroes) */
    _Atomic uint32_t age;       /* seconds since created or moved (priv->lock) */
    struct ng_defer_entry de;   /* freed after a grace period once removed */
};

/* ------------------------------------------------------------------------ */
/* The MAC table (table.c; invariants in its header comment)                */
/* ------------------------------------------------------------------------ */

/* Slot keys: 0 (empty), 1 (a tombstone), or a live key: the 48-bit address
 * with bit 63 set (br_key), so no live key is 0 or 1. */
#define BR_KEY_EMPTY 0ull
#define BR_KEY_TOMB 1ull
#define BR_KEY_LIVE (1ull << 63)
#define BR_TAB_MIN 128u /* slots of the smallest table */

/* A slot goes EMPTY -> live key -> TOMB and never back within one table:
 * a reader that saw a key reads that key's hook, whatever it races. */
struct br_slot {
    _Atomic uint64_t key;
    /* The host's link, by its hook (what forwarding needs first; the link
     * is the hook's private pointer); a move stores another one. */
    _Atomic(struct ng_hook *) hook;
};

struct br_tab {
    uint64_t mul;     /* the hash: (key * mul) >> shift, mul odd, random */
    unsigned shift;   /* 64 - log2(slots) */
    uint32_t mask;    /* slots - 1 */
    uint32_t used;    /* live keys + tombstones (writers) */
    uint32_t live;    /* live keys (writers; read under priv->lock) */
    struct br_host **hosts; /* [slots], parallel to slot: set before the key is published */
    struct ng_defer_entry de;
    alignas(64) struct br_slot slot[]; /* 4 a cache line, none across two */
};

/* The key of a 6-byte address.  Byte loads, not one wide load: a frame's
 * header is often written just before (by the sender, or a node that
 * rewrote an address), and a load spanning several stores cannot take its
 * data from them (store forwarding) but waits until they reach the cache. */
static inline uint64_t br_key(const uint8_t *a)
{
    uint64_t k = BR_KEY_LIVE;
    for (int i = 0; i < 6; i++)
        k |= (uint64_t)a[i] << (8 * i);
    return k;
}

/* The same key from one 8-byte load of a (6 address bytes and 2 more the
 * caller may read): fewer instructions where waiting for the stores does
 * not hold up what follows (a comparison whose branch is predicted). */
static inline uint64_t br_key_wide(const uint8_t *a)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t k;
    __builtin_memcpy(&k, a, 8);
    return (k & 0xffffffffffffull) | BR_KEY_LIVE;
#else
    return br_key(a);
#endif
}

static inline void br_key_addr(uint64_t key, uint8_t *a)
{
    for (int i = 0; i < 6; i++)
        a[i] = (uint8_t)(key >> (8 * i));
}

/* The slot holding key in t, or NULL.  Lock-free (any thread inside a
 * read-side section of the graph, or a writer under priv->lock): acquire
 * loads of the keys on the probe path, which ends at an empty slot (a
 * table never has more than 3/4 of its slots used). */
static inline struct br_slot *br_tab_find(const struct br_tab *t, uint64_t key)
{
    uint32_t i = (uint32_t)((key * t->mul) >> t->shift);
    for (;;) {
        const struct br_slot *s = &t->slot[i];
        uint64_t k = atomic_load_explicit(&s->key, memory_order_acquire);
        if (k == key)
            return (struct br_slot *)(uintptr_t)s;
        if (k == BR_KEY_EMPTY)
            return NULL;
        i = (i + 1) & t->mask;
    }
}

static inline struct br_host *br_tab_host(const struct br_tab *t, const struct br_slot *s)
{
    return t->hosts[s - t->slot];
}

/* The link of a slot (a writer, under priv->lock: every hook in the table
 * is a connected link's). */
static inline struct br_link *br_slot_link(const struct br_slot *s)
{
    return ng_hook_private(atomic_load_explicit(&s->hook, memory_order_relaxed));
}

struct br_priv {
    struct ng_node *node;
    _Atomic(struct br_tab *) tab;       /* the MAC table, never NULL */
    _Atomic(struct br_linkset *) links; /* never NULL */
    struct ng_pcounter *nst;            /* BN_* counters */
    struct ng_timer timer;

    /* Written by writers only: kept off the line rcvdata reads. */
    alignas(64) pthread_mutex_t lock; /* everything below, and every change of tab */
    struct ng_bridge_config conf;
    unsigned nlinks;   /* connected links */
    bool send_unknown; /* links created now get unknowns (the first hook was a link) */
    bool persistent;   /* NGM_BRIDGE_SET_PERSISTENT */
};

/* table.c (priv->lock held for all but create and destroy) */
/* Make t the current table: p->tab and every link's mirror (release). */
void ngi_br_tab_publish(struct br_priv *p, struct br_tab *t);
/* An empty table of at least BR_TAB_MIN slots, *tp; 0 or -ENOMEM. */
int ngi_br_tab_create(uint32_t slots, struct br_tab **tp);
/* Free t and, if free_hosts, every host in it, at once (no reader left). */
void ngi_br_tab_destroy(struct br_tab *t, bool free_hosts);
/* Insert key on l with host h (key absent): 0, -ENOSPC (NG_BRIDGE_MAX_HOSTS
 * hosts), -ENOMEM (the table had to grow and could not). */
int ngi_br_tab_insert(struct br_priv *p, uint64_t key, struct br_link *l, struct br_host *h);
/* Remove slot s of the current table: its host goes to ng_defer, and out
 * of its link's source cache. */
void ngi_br_tab_remove(struct br_priv *p, struct br_slot *s);
/* Rebuild the table smaller if it is mostly empty (after aging). */
void ngi_br_tab_shrink(struct br_priv *p);
/* Remove every host (a fresh table is published, the old one deferred). */
void ngi_br_tab_clear(struct br_priv *p);
/* h leaves link l (removed, or moved away): out of l's source cache. */
void ngi_br_cache_drop(struct br_priv *p, struct br_link *l, struct br_host *h);

/* data.c */
int ngi_bridge_constructor(struct ng_node *node);
void ngi_bridge_shutdown(struct ng_node *node);
int ngi_bridge_newhook(struct ng_node *node, struct ng_hook *hook, const char *name);
int ngi_bridge_connect(struct ng_hook *hook);
int ngi_bridge_disconnect(struct ng_hook *hook);
int ngi_bridge_rcvdata(struct ng_hook *hook, struct ng_item *item);
int ngi_bridge_rcvdata_burst(struct ng_hook *hook, struct ng_item **items, unsigned n);
/* Put addr on link l (NGM_BRIDGE_MOVE_HOST, learning): 0, -ELOOP (l is
 * now muted), -EINVAL (dead link), -ENOMEM, -ENOSPC.  priv->lock held. */
int ngi_bridge_put(struct br_priv *p, struct br_link *l, uint64_t key);
/* Forget every host (l NULL) or those on l.  priv->lock held. */
void ngi_bridge_forget(struct br_priv *p, struct br_link *l);
/* The connected link numbered num, or named name (priv->lock held). */
struct br_link *ngi_bridge_link_by_num(struct br_priv *p, int32_t num);
struct br_link *ngi_bridge_link_by_name(struct br_priv *p, const char *name);

/* msg.c */
int ngi_bridge_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook);

#endif
