/*
 * ref.c - reference counts of nodes and hooks, and hook lookup by name.
 *
 * Node references: 1 for the namespace (dropped when the node finishes),
 * 1 per hook, 1 per queued item / timer / application holder.  Hook
 * references: 1 for its node's hook list, 1 per queued item or application
 * holder.  Whoever drops the last one hands the object to backend->defer;
 * the graph's upcalls (core) free it after the grace period.  tryref fails
 * on a zero count, so an object waiting for its grace period is never
 * resurrected (a plain ref there would defer it a second time).
 */
#include "datapath.h"

void ng_node_ref(struct ng_node *n)
{
    atomic_fetch_add_explicit(&n->refs, 1, memory_order_relaxed);
}

bool ngi_node_tryref(struct ng_node *n)
{
    int r = atomic_load_explicit(&n->refs, memory_order_relaxed);
    while (r > 0)
        if (atomic_compare_exchange_weak_explicit(&n->refs, &r, r + 1, memory_order_acquire,
                                                  memory_order_relaxed))
            return true;
    return false;
}

void ng_node_unref(struct ng_node *n)
{
    if (!n)
        return;
    /* acq_rel: everything done through this reference happens before the
     * free performed by whoever drops the last one. */
    int old = atomic_fetch_sub_explicit(&n->refs, 1, memory_order_acq_rel);
    NGI_ASSERT(old >= 1);
    if (old == 1) {
        struct ng_graph *g = n->g;
        g->bops->defer(g->backend, &n->defer, g->up->node_free);
    }
}

void ng_hook_ref(struct ng_hook *h) { ngi_hook_ref_n(h, 1); }

void ngi_hook_ref_n(struct ng_hook *h, int n)
{
    atomic_fetch_add_explicit(&h->refs, n, memory_order_relaxed);
}

bool ngi_hook_tryref(struct ng_hook *h)
{
    int r = atomic_load_explicit(&h->refs, memory_order_relaxed);
    while (r > 0)
        if (atomic_compare_exchange_weak_explicit(&h->refs, &r, r + 1, memory_order_acquire,
                                                  memory_order_relaxed))
            return true;
    return false;
}

void ng_hook_unref(struct ng_hook *h) { ngi_hook_unref_n(h, 1); }

void ngi_hook_unref_n(struct ng_hook *h, int n)
{
    if (!h || n <= 0)
        return;
    int old = atomic_fetch_sub_explicit(&h->refs, n, memory_order_acq_rel);
    NGI_ASSERT(old >= n); /* never below zero: no reference dropped twice */
    if (old == n) {
        struct ng_graph *g = h->node->g;
        g->bops->defer(g->backend, &h->defer, g->up->hook_free);
    }
}

struct ng_hook *ngi_findhook(struct ng_node *n, const char *name)
{
    if (n->type->findhook)
        return n->type->findhook(n, name);
    for (struct ng_hook *h = atomic_load_explicit(&n->hooks, memory_order_acquire); h;
         h = atomic_load_explicit(&h->next, memory_order_acquire))
        if (strcmp(h->name, name) == 0 &&
            !(atomic_load_explicit(&h->flags, memory_order_relaxed) & HKF_INVALID))
            return h;
    return NULL;
}

/* rwlock baseline: no grace period covers a thread that enters a node with
 * only a node reference (ng_send_fn, messages, their queued items), so such
 * an entry holds finish_wait like a hook does: the type's shutdown method
 * cannot run until it is released.  Fails once the node has finished. */
bool ngi_node_finish_hold(struct ng_node *n)
{
    int v = atomic_load_explicit(&n->finish_wait, memory_order_relaxed);
    while (v > 0)
        if (atomic_compare_exchange_weak_explicit(&n->finish_wait, &v, v + 1, memory_order_acq_rel,
                                                  memory_order_relaxed))
            return true;
    return false;
}
