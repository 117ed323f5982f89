/*
 * node.c - nodes: creation, naming, shutdown and its deferred finish.
 *
 * Invariants enforced here (NGI_ASSERT_CTL marks the functions that need
 * the control lock):
 *   - Every topology change holds g->ctl_lock (recursive, so a type's
 *     disconnect method may shut its own node down) and, for the rwlock
 *     baseline, the backend's topology write lock around pointer updates.
 *   - A node's type shutdown method runs once (NGF_FINISHED) after the node
 *     is invalid, all its hooks are reclaimed and a grace period has
 *     elapsed, so no thread can still be inside one of its methods.
 *   - The node's memory goes through backend->defer when its last reference
 *     is dropped (datapath/ref.c) and is recycled here (node_cache).
 */
#include <stdlib.h>

#include "core.h"

void ngi_node_free_cb(struct ngi_defer *d)
{
    struct ng_node *n = (struct ng_node *)(void *)((char *)d - offsetof(struct ng_node, defer));
    struct ng_graph *g = n->g;
    atomic_fetch_sub(&g->nnodes, 1);
    ngi_objcache_put(&g->node_cache, n);
}

ng_id_t ng_node_id(const struct ng_node *n) { return n->id; }
const char *ng_node_get_name(const struct ng_node *n) { return n->name; }
const struct ng_type *ng_node_type(const struct ng_node *n) { return n->type; }
struct ng_graph *ng_node_graph(const struct ng_node *n) { return n->g; }
void ng_node_set_private(struct ng_node *n, void *priv)
{
    __atomic_store_n(&n->priv, priv, __ATOMIC_RELEASE); /* see ng_node_private() */
}
int ng_node_numhooks(const struct ng_node *n) { return n->numhooks; }

int ng_node_is_valid(const struct ng_node *n)
{
    return !(atomic_load_explicit(&n->flags, memory_order_acquire) & NGF_INVALID);
}

void ng_node_set_persistent(struct ng_node *n, int on) { ngi_flag_set(&n->flags, NGF_PERSIST, on); }
/* A forcing flag changed: the hooks' mirrors of it (HKF_NFAST) follow,
 * walked inside a read-side section (the list is RCU; the caller may be a
 * node method, so no lock), or under the control lock when this thread
 * cannot get a section (no memory for its state: it is not in one).
 * Clearing a forcing flag also makes the node eligible for the biased
 * entry scheme again: arm it now (the first forced item revoked it). */
static void forcing_changed(struct ng_node *n, int on)
{
    struct ngi_thread *t = ngi_enter(n->g);
    if (t) {
        ngi_node_mirror(n);
        ngi_exit(t);
    } else {
        ngi_ctl_lock(n->g);
        ngi_node_mirror(n);
        ngi_ctl_unlock(n->g);
    }
    if (!on)
        ngi_entry_bias_arm(n);
}
void ng_node_force_writer(struct ng_node *n, int on)
{
    ngi_flag_set(&n->flags, NGF_FORCE_WRITER, on);
    forcing_changed(n, on);
}
void ng_node_force_queue(struct ng_node *n, int on)
{
    ngi_flag_set(&n->flags, NGF_FORCE_QUEUE, on);
    forcing_changed(n, on);
}

/* A node whose creation failed after its constructor ran.  The constructor
 * may have named it (as netgraph's do: ng_eiface names its node), so a
 * lock-less lookup may have found it, and even referenced it: unlink the
 * name and let the node go the way every node goes, through its last
 * reference and a grace period (node_free_cb, which takes nnodes back). */
static void node_unmake(struct ng_graph *g, struct ng_node *n)
{
    NGI_ASSERT(atomic_load(&n->flags) & NGF_CONSTRUCTING);
    atomic_fetch_or(&n->flags, NGF_INVALID);
    ngi_ns_unlink_name(g, n);
    atomic_fetch_add(&g->nnodes, 1);
    ng_node_unref(n); /* the namespace reference */
}

int ngi_node_create_locked(struct ng_graph *g, struct ngi_typeent *te, struct ng_node **np)
{
    NGI_ASSERT_CTL(g);
    struct ng_node *n = ngi_objcache_get(&g->node_cache);
    if (!n)
        n = aligned_alloc(NGI_CACHELINE,
                          (sizeof(*n) + NGI_CACHELINE - 1) & ~(size_t)(NGI_CACHELINE - 1));
    if (!n)
        return -ENOMEM;
    memset(n, 0, sizeof(*n));
    n->type = te->type;
    n->tent = te;
    n->g = g;
    atomic_init(&n->refs, 1); /* the namespace reference */
    atomic_init(&n->finish_wait, 1);
    atomic_init(&n->flags,
                NGF_CONSTRUCTING | ((te->type->flags & NG_TYPE_CONCURRENT_DATA) ? NGF_SHARED : 0));
    ngi_mpsc_init(&n->queue);
    /* Pick an unused id (ids wrap after 2^32 - 1 nodes). */
    do {
        n->id = g->next_id++;
        if (g->next_id == 0)
            g->next_id = 1;
    } while (ngi_node_lookup_id(g, n->id));

    if (te->type->constructor) {
        int rc = te->type->constructor(n);
        if (rc) {
            node_unmake(g, n);
            return rc > 0 ? -rc : rc;
        }
    }
    if (ngi_ns_publish_id(g, n) != 0) {
        /* Undo the constructor as a shutdown would. */
        if (te->type->shutdown)
            te->type->shutdown(n);
        node_unmake(g, n);
        return -ENOMEM;
    }
    ngi_flag_set(&n->flags, NGF_CONSTRUCTING, 0);
    ngi_entry_bias_arm(n); /* after the constructor's forcing flags */
    n->all_next = g->nodes;
    if (g->nodes)
        g->nodes->all_prev = n;
    g->nodes = n;
    atomic_fetch_add(&te->numnodes, 1);
    atomic_fetch_add(&g->nnodes, 1);
    *np = n;
    return 0;
}

int ng_node_create(struct ng_graph *g, const char *type, struct ng_node **np)
{
    if (!g || !type)
        return -EINVAL;
    if (np)
        *np = NULL;
    struct ngi_thread *t = ngi_topo_begin(g);
    if (!t)
        return -ENOMEM;
    struct ngi_typeent *te = ngi_type_find_locked(g, type);
    struct ng_node *n = NULL;
    int rc = te ? ngi_node_create_locked(g, te, &n) : -ENOENT;
    if (rc == 0 && np) {
        ng_node_ref(n);
        *np = n;
    }
    ngi_topo_end(t);
    return rc;
}

int ngi_node_name_locked(struct ng_node *n, const char *name)
{
    struct ng_graph *g = n->g;
    NGI_ASSERT_CTL(g);
    int rc = ng_name_check(name, NG_NODESIZ);
    if (rc)
        return rc;
    if (!ng_node_is_valid(n))
        return -ESHUTDOWN;
    /* "[hex]" is reserved for ids, and a name that parses as such is
     * rejected by ng_name_check already ('[' is invalid). */
    struct ng_node *o = ngi_node_lookup_name(g, name);
    if (o == n)
        return 0;
    if (o)
        return -EADDRINUSE; /* FreeBSD ng_name_node: the name is an address in use */
    return ngi_ns_set_name(g, n, name);
}

int ng_node_name(struct ng_node *n, const char *name)
{
    if (!n || !name)
        return -EINVAL;
    struct ng_graph *g = n->g;
    ngi_ctl_lock(g);
    int rc = ngi_node_name_locked(n, name);
    ngi_ctl_unlock(g);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Shutdown                                                                 */
/* ------------------------------------------------------------------------ */

/* Run the type's shutdown method and release the namespace reference.  Runs
 * when finish_wait reaches zero: the node is invalid, every hook it had is
 * reclaimed and a grace period has passed since it became invalid. */
static void node_finish(struct ng_node *n)
{
    struct ng_graph *g = n->g;
    ngi_ctl_lock(g);
    atomic_fetch_or(&n->flags, NGF_FINISHED);
    if (n->type->shutdown)
        n->type->shutdown(n);
    atomic_fetch_sub(&n->tent->numnodes, 1);
    ngi_ctl_unlock(g);
    ng_node_unref(n); /* the namespace reference */
}

/* finish_wait starts at 1 (the "alive" token, removed by the grace-period
 * callback queued at shutdown) and counts +1 per hook from creation until
 * the hook is reclaimed.  It can reach zero only after shutdown. */
void ngi_node_finish_step(struct ng_node *n)
{
    if (atomic_fetch_sub_explicit(&n->finish_wait, 1, memory_order_acq_rel) == 1)
        node_finish(n);
}

static void node_gp_cb(struct ngi_defer *d)
{
    struct ng_node *n = (struct ng_node *)(void *)((char *)d - offsetof(struct ng_node, defer));
    ngi_node_finish_step(n);
}

int ngi_node_shutdown_locked(struct ng_node *n, bool force)
{
    struct ng_graph *g = n->g;
    NGI_ASSERT_CTL(g);
    uint32_t f = atomic_load(&n->flags);
    if (f & (NGF_INVALID | NGF_CLOSING))
        return -ESHUTDOWN;
    bool persist = (f & NGF_PERSIST) && !force;

    ng_node_ref(n); /* keep n while hooks (each holding a node ref) go */
    /* CLOSING: a shutdown of this node is in progress on this thread (the
     * methods below may ask for another one: -ESHUTDOWN).  A persistent
     * node clears it again when it revives. */
    atomic_fetch_or(&n->flags, persist ? NGF_CLOSING : (NGF_INVALID | NGF_CLOSING));
    ngi_node_mirror(n); /* invalid: data must load the node's flags again */
    /* netgraph's close method: shutdown has begun, the hooks are still
     * there (tee splices its neighbours together here, ng_bypass). */
    if (n->type->close) {
        int crc = n->type->close(n);
        (void)crc; /* as netgraph's: the shutdown goes on regardless */
    }
    struct ng_hook *h;
    while ((h = atomic_load_explicit(&n->hooks, memory_order_relaxed)) != NULL)
        ngi_hook_destroy_locked(h);
    struct ngi_tbase *tb = atomic_load_explicit(&g->tbase, memory_order_acquire);
    if (tb)
        ngi_timer_ops_of(tb)->cancel_node(tb, n);
    ngi_node_flush_queue(n);
    if (!persist) {
        ngi_ns_unlink(g, n);
        if (n->all_prev)
            n->all_prev->all_next = n->all_next;
        else
            g->nodes = n->all_next;
        if (n->all_next)
            n->all_next->all_prev = n->all_prev;
        n->all_next = n->all_prev = NULL;
        g->bops->defer(g->backend, &n->defer, node_gp_cb);
    } else {
        /* netgraph(4): a persistent node's shutdown method is called as
         * for any node, and the node then "revives": it stays valid, with
         * its name and id, and no hooks.  The method sees it valid and must
         * reset its state rather than free it (see struct ng_type). */
        if (n->type->shutdown)
            n->type->shutdown(n);
        atomic_fetch_and(&n->flags, ~NGF_CLOSING);
    }
    ng_node_unref(n);
    return 0;
}

int ng_node_shutdown(struct ng_node *n)
{
    if (!n)
        return -EINVAL;
    struct ng_graph *g = n->g;
    struct ngi_thread *t = ngi_topo_begin(g);
    if (!t)
        return -ENOMEM;
    int rc = ngi_node_shutdown_locked(n, false);
    ngi_topo_end(t);
    return rc;
}

void ngi_node_nodeinfo(struct ng_node *n, struct nodeinfo *ni)
{
    memset(ni, 0, sizeof(*ni));
    strcpy(ni->name, n->name);
    strcpy(ni->type, n->type->name);
    ni->id = n->id;
    ni->hooks = (uint32_t)n->numhooks;
}
