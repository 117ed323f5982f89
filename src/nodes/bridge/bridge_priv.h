/*
 * bridge_priv.h - the bridge node type's private state, shared by its two
 * files: data.c (hooks, the data path, learning, aging) and msg.c (control
 * messages, parse types, the type itself).  See data.c's header comment
 * for the concurrency invariants.
 */
#ifndef NGI_BRIDGE_PRIV_H
#define NGI_BRIDGE_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes/bridge.h>
#include <ngraph/rhash.h>
#include <ngraph/runtime.h>

#define BR_ETHER_HDR 14u
#define BR_TICK_NS 1000000000ull /* FreeBSD's one-second timer */

/* Per-link counters (ng_pcounter indexes), in struct ng_bridge_link_stats
 * order. */
enum {
    BS_RECV_OCTETS,
    BS_RECV_PACKETS,
    BS_RECV_MULTICASTS,
    BS_RECV_BROADCASTS,
    BS_RECV_UNKNOWN,
    BS_RECV_RUNTS,
    BS_RECV_INVALID,
    BS_XMIT_OCTETS,
    BS_XMIT_PACKETS,
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

/* One link (a connected hook); its hook's private pointer. */
struct br_link {
    struct ng_defer_entry de;    /* freed after a grace period once disconnected */
    struct ng_hook *hook;        /* immutable */
    struct ng_pcounter *st;      /* BS_* counters */
    _Atomic uint32_t loop_count; /* seconds the link stays muted (0: not muted) */
    int32_t num;                 /* linkN: N; uplinkN: -N */
    bool uplink;                 /* no learning from it; always gets unknowns */
    bool send_unknown;           /* gets frames for unknown destinations */
    bool dead;                   /* disconnected (priv->lock) */
};

/* The links rcvdata floods to: an immutable array, replaced (release
 * store) under priv->lock and freed after a grace period. */
struct br_linkset {
    struct ng_defer_entry de;
    unsigned n;
    struct br_link *l[];
};

/* A learned host: the MAC table's value. */
struct br_host {
    struct ng_defer_entry de; /* freed after a grace period once removed */
    uint8_t addr[6];          /* immutable */
    _Atomic(struct br_link *) link;
    _Atomic uint32_t age;       /* seconds since created or moved (timer, moves) */
    _Atomic uint32_t staleness; /* seconds since last heard (timer adds, rcvdata zeroes) */
};

struct br_priv {
    struct ng_node *node;
    struct ng_rhash *tab;               /* MAC -> struct br_host */
    _Atomic(struct br_linkset *) links; /* never NULL */
    struct ng_pcounter *nst;            /* BN_* counters */
    struct ng_timer timer;

    pthread_mutex_t lock; /* everything below, and every change of tab */
    struct ng_bridge_config conf;
    unsigned nlinks;   /* connected links */
    bool send_unknown; /* links created now get unknowns (the first hook was a link) */
    bool persistent;   /* NGM_BRIDGE_SET_PERSISTENT */
};

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
int ngi_bridge_put(struct br_priv *p, struct br_link *l, const uint8_t *addr);
/* Forget every host (l NULL) or those on l.  priv->lock held. */
void ngi_bridge_forget(struct br_priv *p, struct br_link *l);
/* The connected link numbered num, or named name (priv->lock held). */
struct br_link *ngi_bridge_link_by_num(struct br_priv *p, int32_t num);
struct br_link *ngi_bridge_link_by_name(struct br_priv *p, const char *name);

/* msg.c */
int ngi_bridge_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook);

#endif
