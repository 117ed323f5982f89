/*
 * hook.c - hooks: connect, mkpeer, rmhook, and the hook-pair blocks.
 *
 * Invariants enforced here:
 *   - Readers (data path, path lookup) traverse hook lists and load
 *     hook->peer inside a read-side section, with acquire loads.  Writers
 *     hold ctl_lock (asserted) and publish with release stores, after the
 *     object is fully built.
 *   - Removing a hook: mark both ends HKF_INVALID, clear both peer pointers,
 *     unlink both ends from their nodes' lists, run the disconnect methods,
 *     then drop the list references.  A hook is freed (after a grace period,
 *     through backend->defer) when its reference count reaches zero; the
 *     pair's block goes with the second of its two hooks.
 */
#include <stdlib.h>

#include "core.h"

void ngi_hook_free_cb(struct ngi_defer *d)
{
    struct ng_hook *h = (struct ng_hook *)(void *)((char *)d - offsetof(struct ng_hook, defer));
    struct ng_node *n = h->node;
    atomic_fetch_sub(&n->g->nhooks, 1);
    ngi_hook_fold_stats(h, true); /* grace period over: no counter writer left */
    /* The partner may still be in use (its own grace period): the block
     * goes with the second hook.  acq_rel: the first hook's last accesses
     * happen before the free. */
    struct ng_hook *first = ngi_hook_pair_first(h);
    if (atomic_fetch_sub_explicit(&first->pair_live, 1, memory_order_acq_rel) == 1)
        ngi_objcache_put(&n->g->hook_cache, ngi_hook_pair_block(h));
    /* The hook no longer exists for any reader: one step closer to running
     * the node's shutdown method (if it is shutting down). */
    ngi_node_finish_step(n);
    ng_node_unref(n);
}

const char *ng_hook_name(const struct ng_hook *h) { return h->name; }
struct ng_node *ng_hook_node(const struct ng_hook *h) { return h->node; }
struct ng_hook *ng_hook_peer(const struct ng_hook *h)
{
    return ngi_hook_far(h); /* through bypassed relays to the real peer */
}
void ng_hook_set_private(struct ng_hook *h, void *priv)
{
    __atomic_store_n(&h->priv, priv, __ATOMIC_RELEASE); /* see ng_hook_private() */
}
int ng_hook_is_valid(const struct ng_hook *h)
{
    return !(atomic_load_explicit(&((struct ng_hook *)h)->flags, memory_order_acquire) &
             HKF_INVALID) &&
           ng_hook_peer(h) != NULL;
}
static bool node_fast(uint32_t f) { return (f & NGF_SHARED) && !(f & NGF_DATA_SLOW); }

void ngi_hook_mirror(struct ng_hook *h)
{
    struct ng_node *n = h->node;
    /* Set, then re-check: a flag set after the first load is seen by the
     * second (seq_cst), or its setter's walk (ngi_node_mirror, after the
     * flag) clears the bit after us. */
    if (node_fast(atomic_load_explicit(&n->flags, memory_order_seq_cst))) {
        atomic_fetch_or_explicit(&h->flags, HKF_NFAST, memory_order_seq_cst);
        if (node_fast(atomic_load_explicit(&n->flags, memory_order_seq_cst)))
            return;
    }
    atomic_fetch_and_explicit(&h->flags, ~HKF_NFAST, memory_order_seq_cst);
}

void ngi_node_mirror(struct ng_node *n)
{
    for (struct ng_hook *h = atomic_load_explicit(&n->hooks, memory_order_acquire); h;
         h = atomic_load_explicit(&h->next, memory_order_acquire))
        ngi_hook_mirror(h);
}

/* A forced hook takes its node off the biased entry scheme for good
 * (NGF_NOBIAS, datapath/entry.c): its data enters as writer or through the
 * queue, and would otherwise revoke the bias item after item. */
void ng_hook_force_writer(struct ng_hook *h, int on)
{
    if (on)
        atomic_fetch_or(&h->node->flags, NGF_NOBIAS);
    ngi_flag_set(&h->flags, HKF_FORCE_WRITER, on);
}
void ng_hook_force_queue(struct ng_hook *h, int on)
{
    if (on)
        atomic_fetch_or(&h->node->flags, NGF_NOBIAS);
    ngi_flag_set(&h->flags, HKF_FORCE_QUEUE, on);
}

/* ------------------------------------------------------------------------ */

int ng_hook_find(struct ng_node *n, const char *name, struct ng_hook **hp)
{
    if (!n || !name || !hp)
        return -EINVAL;
    *hp = NULL;
    if (ng_name_check(name, NG_HOOKSIZ))
        return -EINVAL;
    struct ngi_thread *t = ngi_enter(n->g);
    if (!t)
        return -ENOMEM;
    ngi_topo_rlock(n->g);
    struct ng_hook *h = ngi_findhook(n, name);
    int rc = (h && ngi_hook_tryref(h)) ? 0 : -ENOENT;
    ngi_topo_runlock(n->g);
    ngi_exit(t);
    if (rc == 0)
        *hp = h;
    return rc;
}

/* Is a hook of this name present (valid or still being removed)? */
static bool hook_name_taken(struct ng_node *n, const char *name)
{
    for (struct ng_hook *h = atomic_load_explicit(&n->hooks, memory_order_relaxed); h;
         h = atomic_load_explicit(&h->next, memory_order_relaxed))
        if (strcmp(h->name, name) == 0)
            return true;
    return false;
}

static void hook_init(struct ng_hook *h, struct ng_node *n, const char *name)
{
    h->node = n;
    h->rcvdata = n->type->rcvdata ? n->type->rcvdata : ngi_rcvdata_unsupported;
    h->gserial = n->g->serial;
    atomic_init(&h->refs, 1); /* the node's list reference */
    /* Born cut: until both newhook methods have accepted the pair, data a
     * node sends out of its new hook is dropped at the sender, as
     * netgraph's dead hook does (the partner is found by address, so
     * without this it would reach a node still deciding). */
    atomic_init(&h->flags, HKF_INVALID);
    strcpy(h->name, name);
}

/* Both hooks of a link in one block (see NGI_HOOK_STRIDE); *h2 is the
 * partner of *h1.  Freed with free() on the block while unpublished. */
static int hook_pair_alloc(struct ng_node *n1, const char *name1, struct ng_node *n2,
                           const char *name2, struct ng_hook **h1, struct ng_hook **h2)
{
    void *blk = ngi_objcache_get(&n1->g->hook_cache);
    /* posix_memalign: C11 aligned_alloc wants the size to be a multiple of
     * the alignment, and NGI_HOOK_BLOCK (about 1.8 KB) is not one of 1 KB. */
    if (!blk && posix_memalign(&blk, NGI_HOOK_PAIR, NGI_HOOK_BLOCK) != 0)
        blk = NULL;
    if (!blk)
        return -ENOMEM;
    memset(blk, 0, NGI_HOOK_BLOCK);
    /* Cache colouring: offset the pair inside its slots by a varying number
     * of cache lines (see NGI_HOOK_STRIDE). */
    static _Atomic unsigned colour;
    unsigned ncol = (unsigned)NGI_HOOK_COLOURS;
    size_t off = (size_t)(atomic_fetch_add_explicit(&colour, 1, memory_order_relaxed) % ncol) * 64;
    *h1 = (struct ng_hook *)(void *)((char *)blk + off);
    *h2 = ngi_hook_partner(*h1);
    hook_init(*h1, n1, name1);
    hook_init(*h2, n2, name2);
    atomic_init(&(*h1)->pair_live, 2);
    return 0;
}

void ngi_hook_unlink_locked(struct ng_hook *h)
{
    struct ng_node *n = h->node;
    _Atomic(struct ng_hook *) *pp = &n->hooks;
    for (struct ng_hook *c = atomic_load_explicit(pp, memory_order_relaxed); c;
         c = atomic_load_explicit(pp, memory_order_relaxed)) {
        if (c == h) {
            atomic_store_explicit(pp, atomic_load_explicit(&h->next, memory_order_relaxed),
                                  memory_order_release);
            n->numhooks--;
            return;
        }
        pp = &c->next;
    }
}

/* Cut a connected pair from the data path and unlink it; run both
 * disconnect methods; drop the list references.  ctl_lock held. */
void ngi_hook_destroy_locked(struct ng_hook *h)
{
    NGI_ASSERT_CTL(h->node->g);
    struct ng_graph *g = h->node->g;
    struct ng_hook *peer = atomic_load_explicit(&h->peer, memory_order_relaxed);
    if (peer && (atomic_load_explicit(&peer->flags, memory_order_relaxed) & HKF_RELAY)) {
        ngi_relay_destroy_locked(h); /* a link through bypassed hooks (bypass.c) */
        return;
    }

    ngi_topo_wlock(g);
    atomic_fetch_or_explicit(&h->flags, HKF_INVALID, memory_order_release);
    atomic_store_explicit(&h->peer, NULL, memory_order_release);
    ngi_hook_unlink_locked(h);
    if (peer) {
        atomic_fetch_or_explicit(&peer->flags, HKF_INVALID, memory_order_release);
        atomic_store_explicit(&peer->peer, NULL, memory_order_release);
        ngi_hook_unlink_locked(peer);
    }
    ngi_topo_wunlock(g);
    ngi_hook_fold_stats(h, false);
    if (peer)
        ngi_hook_fold_stats(peer, false);

    struct ng_hook *pair[2] = {h, peer};
    for (int i = 0; i < 2; i++) {
        struct ng_hook *x = pair[i];
        if (!x)
            continue;
        ngi_hook_disconnect_method_locked(x);
        ng_hook_unref(x);
    }
}

void ngi_hook_disconnect_method_locked(struct ng_hook *x)
{
    struct ng_node *xn = x->node;
    /* The node must survive its disconnect method even if that drops
     * the last hook reference or shuts the node down. */
    ng_node_ref(xn);
    if (xn->type->disconnect)
        xn->type->disconnect(x);
    else if ((xn->type->flags & NG_TYPE_CLOSE_ON_LAST_HOOK) && xn->numhooks == 0 &&
             ng_node_is_valid(xn))
        ngi_node_shutdown_locked(xn, false);
    ng_node_unref(xn);
}

/* The block of a pair that was never linked (refused by a newhook), after
 * its grace period.  It came from the hook cache or posix_memalign: both
 * malloc-family, so free() takes it back. */
static void pair_block_free_cb(struct ngi_defer *d)
{
    free(ngi_hook_pair_block(ngi_container_of(d, struct ng_hook, defer)));
}

int ngi_connect_locked(struct ng_node *n1, const char *name1, struct ng_node *n2, const char *name2)
{
    struct ng_graph *g = n1->g;
    NGI_ASSERT_CTL(g);
    if (ng_name_check(name1, NG_HOOKSIZ) || ng_name_check(name2, NG_HOOKSIZ))
        return -EINVAL;
    if (n1 == n2)
        return -EINVAL;
    if (n2->g != g)
        return -EXDEV;
    if (!ng_node_is_valid(n1) || !ng_node_is_valid(n2))
        return -ESHUTDOWN;
    /* No hooks before a constructor returned: a creation that fails then
     * has nothing but the node itself to undo (core/node.c). */
    if ((atomic_load_explicit(&n1->flags, memory_order_acquire) |
         atomic_load_explicit(&n2->flags, memory_order_acquire)) &
        NGF_CONSTRUCTING)
        return -EBUSY;
    if (hook_name_taken(n1, name1) || hook_name_taken(n2, name2))
        return -EEXIST;

    struct ng_hook *h1, *h2;
    if (hook_pair_alloc(n1, name1, n2, name2, &h1, &h2) != 0)
        return -ENOMEM;
    int rc = 0;
    /* newhook methods see the hook before it is linked anywhere: refusing
     * leaves the graph unchanged. */
    if (n1->type->newhook && (rc = n1->type->newhook(n1, h1, name1)) != 0)
        goto refuse;
    if (n2->type->newhook && (rc = n2->type->newhook(n2, h2, name2)) != 0) {
        /* n1 accepted h1 and may have kept it (tee caches its hooks): as in
         * netgraph, the hook it saw goes through its disconnect method. */
        if (n1->type->disconnect) {
            ng_node_ref(n1);
            n1->type->disconnect(h1);
            ng_node_unref(n1);
        }
        goto refuse;
    }

    /* Both accepted: the pair carries data from now on. */
    ngi_flag_set(&h1->flags, HKF_INVALID, 0);
    ngi_flag_set(&h2->flags, HKF_INVALID, 0);
    ng_node_ref(n1);
    ng_node_ref(n2);
    atomic_fetch_add(&n1->finish_wait, 1);
    atomic_fetch_add(&n2->finish_wait, 1);
    atomic_fetch_add(&g->nhooks, 2);
    ngi_topo_wlock(g);
    /* Peers first, then publication in the lists: a reader that finds a hook
     * sees its peer set. */
    atomic_store_explicit(&h1->peer, h2, memory_order_relaxed);
    atomic_store_explicit(&h2->peer, h1, memory_order_relaxed);
    atomic_store_explicit(&h1->next, atomic_load_explicit(&n1->hooks, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(&n1->hooks, h1, memory_order_release);
    n1->numhooks++;
    atomic_store_explicit(&h2->next, atomic_load_explicit(&n2->hooks, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(&n2->hooks, h2, memory_order_release);
    n2->numhooks++;
    ngi_topo_wunlock(g);
    /* In the lists: a flag change from now on walks them (ngi_node_mirror). */
    ngi_hook_mirror(h1);
    ngi_hook_mirror(h2);

    if (n1->type->connect && (rc = n1->type->connect(h1)) != 0)
        goto undo;
    if (n2->type->connect && (rc = n2->type->connect(h2)) != 0)
        goto undo;
    return 0;
undo:
    ngi_hook_destroy_locked(h1);
    return rc > 0 ? -rc : rc;
refuse:
    /* Never linked, but a newhook method has seen the hooks and a data
     * method of its node may still be sending through one (tee sends out
     * of the hooks it caches).  The pair is still cut from data (born
     * HKF_INVALID, see hook_init): free the block only after a grace period,
     * like any hook. */
    NGI_ASSERT((atomic_load(&h1->flags) & atomic_load(&h2->flags)) & HKF_INVALID);
    g->bops->defer(g->backend, &h1->defer, pair_block_free_cb);
    return rc > 0 ? -rc : rc;
}

int ng_connect(struct ng_node *n1, const char *name1, struct ng_node *n2, const char *name2)
{
    if (!n1 || !n2 || !name1 || !name2)
        return -EINVAL;
    struct ng_graph *g = n1->g;
    struct ngi_thread *t = ngi_topo_begin(g);
    if (!t)
        return -ENOMEM;
    int rc = ngi_connect_locked(n1, name1, n2, name2);
    ngi_topo_end(t);
    return rc;
}

int ng_mkpeer(struct ng_node *n, const char *ourhook, const char *type, const char *peerhook,
              struct ng_node **newp)
{
    if (!n || !ourhook || !type || !peerhook)
        return -EINVAL;
    if (newp)
        *newp = NULL;
    struct ng_graph *g = n->g;
    if (ng_name_check(ourhook, NG_HOOKSIZ) || ng_name_check(peerhook, NG_HOOKSIZ))
        return -EINVAL;
    struct ngi_thread *t = ngi_topo_begin(g);
    if (!t)
        return -ENOMEM;
    int rc;
    struct ngi_typeent *te = ngi_type_find_locked(g, type);
    struct ng_node *nn = NULL;
    if (!te)
        rc = -ENOENT;
    else if (!ng_node_is_valid(n))
        rc = -ESHUTDOWN;
    else if (hook_name_taken(n, ourhook))
        rc = -EEXIST;
    else if ((rc = ngi_node_create_locked(g, te, &nn)) == 0) {
        rc = ngi_connect_locked(n, ourhook, nn, peerhook);
        if (rc)
            ngi_node_shutdown_locked(nn, true);
        else if (newp) {
            ng_node_ref(nn);
            *newp = nn;
        }
    }
    ngi_topo_end(t);
    return rc;
}

int ngi_rmhook_locked(struct ng_node *n, const char *name)
{
    NGI_ASSERT_CTL(n->g);
    if (ng_name_check(name, NG_HOOKSIZ))
        return -EINVAL;
    struct ng_hook *h = ngi_findhook(n, name);
    if (!h)
        return -ENOENT;
    ngi_hook_destroy_locked(h);
    return 0;
}

int ng_rmhook(struct ng_node *n, const char *name)
{
    if (!n || !name)
        return -EINVAL;
    struct ng_graph *g = n->g;
    struct ngi_thread *t = ngi_topo_begin(g);
    if (!t)
        return -ENOMEM;
    int rc = ngi_rmhook_locked(n, name);
    ngi_topo_end(t);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* ng_bypass: splicing a node's two neighbours together                     */
/* ------------------------------------------------------------------------ */

/*
 * Hooks cannot be re-paired: the data path finds a hook's peer as its
 * partner in the pair block (objects.h), by address.  So ng_bypass(h1, h2)
 * keeps the peers' hooks p1 and p2 exactly as they are (their nodes' methods
 * do not run, their types' cached hook pointers stay good) and turns h1 and
 * h2 into relays: HKF_RELAY with h1->relay = h2 and h2->relay = h1.  Data
 * arriving on h1 is sent on out of h2 (so to p2) by the data path's slow
 * path, without entering h1's node, and the other way round.  The switch is
 * one flag store per hook: an item either entered the node before it (the
 * old path: the node's rcvdata forwards it, normally out of h2 as well) or
 * sees the flag (the new path).  An item inside the node's rcvdata when
 * the node's disconnect methods for h1 and h2 have run may find the node's
 * own route gone: it is then dropped and counted by the node, as any item
 * sent to a removed hook.
 *
 * Invariants:
 *   - A relay is unlinked from its node's list (the node no longer has the
 *     hook: numhooks, findhook, listhooks), but keeps its list reference, its
 *     node reference and its finish_wait hold until the link through it is
 *     removed: ngi_relay_destroy_locked, run when either real end is removed
 *     (ngi_hook_destroy_locked sees a relay peer).  The node's shutdown
 *     method therefore runs after that.
 *   - relay and HKF_RELAY are written once, under ctl_lock (and the rwlock
 *     baseline's topology write lock); HKF_RELAY is never cleared, the
 *     relay is cut (HKF_INVALID, peer NULL) when the link goes.
 *   - Chains (a relay's peer is itself a relay: two bypassed nodes in a
 *     row) are followed by ngi_hook_far and ngi_relay_destroy_locked.
 */

static bool hook_is_relay(const struct ng_hook *h)
{
    return atomic_load_explicit(&((struct ng_hook *)h)->flags, memory_order_acquire) & HKF_RELAY;
}

struct ng_hook *ngi_hook_far(const struct ng_hook *h)
{
    struct ng_hook *p = atomic_load_explicit(&((struct ng_hook *)h)->peer, memory_order_acquire);
    /* Bounded: each step passes one relay pair, and relays are hooks. */
    for (uint64_t i = 0; p && hook_is_relay(p) && i <= UINT32_MAX; i++) {
        struct ng_hook *r = atomic_load_explicit(&p->relay, memory_order_acquire);
        p = r ? atomic_load_explicit(&r->peer, memory_order_acquire) : NULL;
    }
    return p;
}

/* Cut one hook from data: invalid, no peer, out of its node's list. */
static void hook_cut_locked(struct ng_hook *x)
{
    atomic_fetch_or_explicit(&x->flags, HKF_INVALID, memory_order_release);
    atomic_store_explicit(&x->peer, NULL, memory_order_release);
    ngi_hook_unlink_locked(x);
}

void ngi_relay_destroy_locked(struct ng_hook *h)
{
    struct ng_graph *g = h->node->g;
    NGI_ASSERT_CTL(g);
    ngi_topo_wlock(g);
    struct ng_hook *x = atomic_load_explicit(&h->peer, memory_order_relaxed);
    hook_cut_locked(h);
    struct ng_hook *relays = NULL; /* chained through ->relay once cut */
    while (x && hook_is_relay(x)) {
        struct ng_hook *mate = atomic_load_explicit(&x->relay, memory_order_relaxed);
        struct ng_hook *next = atomic_load_explicit(&mate->peer, memory_order_relaxed);
        hook_cut_locked(x);
        hook_cut_locked(mate);
        /* Collected for the reference drop below (->relay stays: a data
         * path thread that saw HKF_RELAY before the cut may still follow
         * it, to a cut hook that drops and counts). */
        x->gone_next = mate;
        mate->gone_next = relays;
        relays = x;
        x = next;
    }
    struct ng_hook *far = x;
    if (far)
        hook_cut_locked(far);
    ngi_topo_wunlock(g);
    ngi_hook_fold_stats(h, false);
    if (far)
        ngi_hook_fold_stats(far, false);
    ngi_hook_disconnect_method_locked(h);
    ng_hook_unref(h);
    if (far) {
        ngi_hook_disconnect_method_locked(far);
        ng_hook_unref(far);
    }
    while (relays) {
        struct ng_hook *mate = relays->gone_next;
        struct ng_hook *next = mate->gone_next;
        ng_hook_unref(relays); /* the list references a relay kept */
        ng_hook_unref(mate);
        relays = next;
    }
}

int ngi_bypass_locked(struct ng_hook *h1, struct ng_hook *h2)
{
    struct ng_node *n = h1->node;
    struct ng_graph *g = n->g;
    NGI_ASSERT_CTL(g);
    if (h1 == h2 || h2->node != n)
        return -EINVAL;
    if (!ng_hook_is_valid(h1) || !ng_hook_is_valid(h2) || hook_is_relay(h1) || hook_is_relay(h2))
        return -ENOTCONN;
    ngi_topo_wlock(g);
    atomic_store_explicit(&h1->relay, h2, memory_order_release);
    atomic_store_explicit(&h2->relay, h1, memory_order_release);
    atomic_fetch_or_explicit(&h1->flags, HKF_RELAY, memory_order_release);
    atomic_fetch_or_explicit(&h2->flags, HKF_RELAY, memory_order_release);
    ngi_hook_unlink_locked(h1);
    ngi_hook_unlink_locked(h2);
    ngi_topo_wunlock(g);
    ngi_hook_fold_stats(h1, false);
    ngi_hook_fold_stats(h2, false);
    /* As netgraph's ng_bypass: the node's disconnect method runs for both
     * (the peers' do not: their hooks stay connected, to each other now). */
    ng_node_ref(n);
    ngi_hook_disconnect_method_locked(h1);
    ngi_hook_disconnect_method_locked(h2);
    ng_node_unref(n);
    return 0;
}

int ng_bypass(struct ng_hook *h1, struct ng_hook *h2)
{
    if (!h1 || !h2)
        return -EINVAL;
    struct ng_graph *g = h1->node->g;
    struct ngi_thread *t = ngi_topo_begin(g);
    if (!t)
        return -ENOMEM;
    int rc = ngi_bypass_locked(h1, h2);
    ngi_topo_end(t);
    return rc;
}
