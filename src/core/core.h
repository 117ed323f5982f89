/*
 * core.h - the topology layer's interface: nodes, hooks, the namespace and
 * the type registry, changed under the graph's control lock.  Private to
 * libngraph.
 *
 * Functions named *_locked require ctl_lock (ngi_ctl_lock), asserted in
 * debug builds.  Lookups (ngi_node_lookup_*) need a read-side section
 * instead and return unreferenced pointers valid for that section.
 */
#ifndef NGI_CORE_CORE_H
#define NGI_CORE_CORE_H

#include <ngraph/message.h>

#include "stats/stats.h"

/* namespace.c: ids and names (see there for the concurrency rules). */
int ngi_ns_init(struct ng_graph *g);  /* 0 or -ENOMEM; graph creation */
void ngi_ns_fini(struct ng_graph *g); /* graph destruction, every node unlinked */
/* Lookups: inside a read-side section (valid for it) or under ctl_lock;
 * the node is not referenced. */
struct ng_node *ngi_node_lookup_id(struct ng_graph *g, ng_id_t id);
struct ng_node *ngi_node_lookup_name(struct ng_graph *g, const char *name);
/* ctl_lock held.  publish_id and set_name return 0 or -ENOMEM (nothing
 * changed); set_name requires that no other node holds the name. */
int ngi_ns_publish_id(struct ng_graph *g, struct ng_node *node);
int ngi_ns_set_name(struct ng_graph *g, struct ng_node *node, const char *name);
void ngi_ns_unlink(struct ng_graph *g, struct ng_node *node);
/* Unlink only the node's name (a node that was never published by id). */
void ngi_ns_unlink_name(struct ng_graph *g, struct ng_node *node);

/* type.c */
struct ngi_typeent *ngi_type_find_locked(struct ng_graph *g, const char *name);
/* Free every registration (graph creation failed, or destruction). */
void ngi_types_free_all(struct ng_graph *g);

/* node.c */
int ngi_node_create_locked(struct ng_graph *g, struct ngi_typeent *te, struct ng_node **np);
int ngi_node_name_locked(struct ng_node *node, const char *name);
/* force: shut a persistent node down too (graph destruction). */
int ngi_node_shutdown_locked(struct ng_node *node, bool force);
void ngi_node_nodeinfo(struct ng_node *node, struct nodeinfo *ni);
/* Upcalls (struct ngi_upcalls): the node's memory after its last reference
 * and grace period; one finish_wait hold released. */
void ngi_node_free_cb(struct ngi_defer *d);
void ngi_node_finish_step(struct ng_node *node);

/* hook.c */
int ngi_connect_locked(struct ng_node *n1, const char *h1, struct ng_node *n2, const char *h2);
int ngi_rmhook_locked(struct ng_node *node, const char *name);
/* Cut a connected pair, unlink it, run both disconnect methods, drop the
 * list references. */
void ngi_hook_destroy_locked(struct ng_hook *hook);
/* HKF_NFAST (objects.h): bring hook's mirror of its node's flags up to
 * date (set, then re-check the node; or clear).  Any context that keeps
 * the hook alive. */
void ngi_hook_mirror(struct ng_hook *hook);
/* The same for every hook of node, after one of its flags changed: under
 * ctl_lock or inside a read-side section (the hook list is RCU). */
void ngi_node_mirror(struct ng_node *node);
/* Upcall: a hook's memory after its last reference and grace period. */
void ngi_hook_free_cb(struct ngi_defer *d);
/* Unlink h from its node's hook list (a no-op if it is not in it). */
void ngi_hook_unlink_locked(struct ng_hook *h);
/* Run the disconnect method of x's node for x (or the
 * NG_TYPE_CLOSE_ON_LAST_HOOK default); x is already cut and unlinked. */
void ngi_hook_disconnect_method_locked(struct ng_hook *x);

/* bypass.c */
/* The real peer of h: h->peer, or past ng_bypass relays the hook at the
 * far end (NULL if not connected).  In a read-side section or under
 * ctl_lock; not referenced. */
struct ng_hook *ngi_hook_far(const struct ng_hook *h);
/* Remove h (a real hook whose peer is a relay) together with the relays of
 * its link and the real hook at the far end (ngi_hook_destroy_locked). */
void ngi_relay_destroy_locked(struct ng_hook *h);
int ngi_bypass_locked(struct ng_hook *h1, struct ng_hook *h2);

/* Set or clear a node or hook flag bit (release: the setting thread's
 * earlier writes are visible to whoever sees the bit). */
static inline void ngi_flag_set(_Atomic uint32_t *f, uint32_t bit, int on)
{
    if (on)
        atomic_fetch_or_explicit(f, bit, memory_order_release);
    else
        atomic_fetch_and_explicit(f, ~bit, memory_order_release);
}

/* A public topology call: ngi_topo_begin enters a read-side section of g
 * and takes the control lock (NULL if the thread state cannot be had:
 * -ENOMEM); ngi_topo_end releases both, then lets the backend run callbacks
 * whose grace period has passed (ck_epoch reclaims only when polled; a
 * runtime polls too, but graphs without one must not pile up garbage under
 * churn).  Never waits for readers. */
static inline struct ngi_thread *ngi_topo_begin(struct ng_graph *g)
{
    struct ngi_thread *t = ngi_enter(g);
    if (t)
        ngi_ctl_lock(g);
    return t;
}

static inline void ngi_topo_end(struct ngi_thread *t)
{
    struct ng_graph *g = t->g;
    ngi_ctl_unlock(g);
    ngi_exit(t);
    if (t->depth == 0)
        g->bops->poll(g->backend);
}

#endif
