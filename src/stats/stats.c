/*
 * stats.c - statistics: the data path's per-slot counters summed on read.
 *
 * Writers: the data path counts in per-thread slots (objects.h, "Statistics
 * slots"), per-thread counters live in struct ngi_thread.  Readers here sum
 * them with relaxed loads: a snapshot, exact once the graph is quiet.  The
 * only stores made here are the fold totals (ngi_hook_fold_stats), by the
 * control path.
 */
#include <string.h>

#include "stats.h"

/* A hook's totals.  The data path counts a hop once, at the receiver
 * (struct ngi_hcnt): what left h is what h counted as not delivered plus
 * what its partner counted in, less what was injected there. */
static void hook_counts(struct ng_hook *h, uint64_t *in, uint64_t *out, uint64_t *drops)
{
    uint64_t i = 0, o = 0, d = 0, pin = 0, pinj = 0;
    struct ng_hook *p = ngi_hook_partner(h);
    for (int s = 0; s < NGI_STAT_SLOTS; s++) {
        struct ngi_hcnt *c = ngi_hook_cnt(h, (unsigned)s), *pc = ngi_hook_cnt(p, (unsigned)s);
        i += atomic_load_explicit(&c->in, memory_order_relaxed);
        o += atomic_load_explicit(&c->out, memory_order_relaxed);
        d += atomic_load_explicit(&c->drops, memory_order_relaxed);
        /* A snapshot (exact once the graph is quiet): in - inj is
         * clamped below, a concurrent injection may be half seen. */
        pinj += atomic_load_explicit(&pc->inj, memory_order_relaxed);
        pin += atomic_load_explicit(&pc->in, memory_order_relaxed);
    }
    o += pin > pinj ? pin - pinj : 0;
    *in = i;
    *out = o;
    if (drops)
        *drops = d;
}

void ngi_hook_fold_stats(struct ng_hook *h, bool final)
{
    /* At unlink (ctl_lock) senders still inside a section may count on the
     * hook; what they add is folded by the final call, after the grace
     * period, when nobody writes the counters any more.  The node is alive:
     * the hook holds a reference on it until it is freed. */
    uint64_t in, out;
    hook_counts(h, &in, &out, NULL);
    struct ng_node *n = h->node;
    uint64_t fin = atomic_load_explicit(&h->folded_in, memory_order_relaxed);
    uint64_t fout = atomic_load_explicit(&h->folded_out, memory_order_relaxed);
    atomic_fetch_add_explicit(&n->gone_in, in - fin, memory_order_relaxed);
    atomic_fetch_add_explicit(&n->gone_out, out - fout, memory_order_relaxed);
    if (!final) {
        atomic_store_explicit(&h->folded_in, in, memory_order_relaxed);
        atomic_store_explicit(&h->folded_out, out, memory_order_relaxed);
    }
}

/* Node counters.  items_in/out are the sums over the node's hooks (the
 * caller keeps the hook list stable: ctl_lock, or a read-side section plus
 * the topology read lock) plus what removed hooks carried.  A hook being
 * removed concurrently may be counted twice or not at all for an instant. */
void ngi_node_stats_sum(struct ng_node *n, struct ng_node_stats *out)
{
    memset(out, 0, sizeof(*out));
    out->id = n->id;
    uint64_t deq = 0;
    for (int s = 0; s < NGI_STAT_SLOTS; s++) {
        struct ngi_nstat *c = &n->stats[s];
        out->queued += atomic_load_explicit(&c->queued, memory_order_relaxed);
        deq += atomic_load_explicit(&c->dequeued, memory_order_relaxed);
        for (int r = 0; r < NG_DROP_REASONS; r++)
            out->drops[r] += atomic_load_explicit(&c->drops[r], memory_order_relaxed);
    }
    out->queue_depth = out->queued > deq ? out->queued - deq : 0;
    out->items_in = atomic_load_explicit(&n->gone_in, memory_order_relaxed);
    out->items_out = atomic_load_explicit(&n->gone_out, memory_order_relaxed);
    for (struct ng_hook *h = atomic_load_explicit(&n->hooks, memory_order_acquire); h;
         h = atomic_load_explicit(&h->next, memory_order_acquire)) {
        /* A hook unlinked but still reachable by this traversal has been
         * folded already: count only what it gained since. */
        uint64_t fin = atomic_load_explicit(&h->folded_in, memory_order_relaxed);
        uint64_t fout = atomic_load_explicit(&h->folded_out, memory_order_relaxed);
        uint64_t in, o;
        hook_counts(h, &in, &o, NULL);
        out->items_in += in > fin ? in - fin : 0;
        out->items_out += o > fout ? o - fout : 0;
    }
}

void ngi_hook_stats_sum(struct ng_hook *h, struct ng_hook_stats *out)
{
    memset(out, 0, sizeof(*out));
    memcpy(out->name, h->name, sizeof(out->name));
    hook_counts(h, &out->items_in, &out->items_out, &out->drops);
}

int ng_node_stats(struct ng_node *n, struct ng_node_stats *out)
{
    if (!n || !out)
        return -EINVAL;
    struct ngi_thread *t = ngi_enter(n->g);
    if (!t)
        return -ENOMEM;
    ngi_topo_rlock(n->g);
    ngi_node_stats_sum(n, out);
    ngi_topo_runlock(n->g);
    ngi_exit(t);
    return 0;
}

int ng_hook_stats(struct ng_hook *h, struct ng_hook_stats *out)
{
    if (!h || !out)
        return -EINVAL;
    ngi_hook_stats_sum(h, out);
    return 0;
}

void ng_graph_stats(struct ng_graph *g, struct ng_graph_stats *st)
{
    memset(st, 0, sizeof(*st));
    pthread_mutex_lock(&g->threads_lock);
    st->items_alloc = g->gone_alloc;
    st->items_free = g->gone_free;
    for (int i = 0; i < NG_DROP_REASONS; i++)
        st->drops[i] = g->gone_drops[i];
    for (struct ngi_thread *t = g->threads; t; t = t->next) {
        st->items_alloc += ngi_counter_get(&t->items_alloc);
        st->items_free += ngi_counter_get(&t->items_free);
        for (int i = 0; i < NG_DROP_REASONS; i++)
            st->drops[i] += ngi_counter_get(&t->drops[i]);
    }
    pthread_mutex_unlock(&g->threads_lock);
    st->items_live = st->items_alloc - st->items_free;
    st->nodes = atomic_load(&g->nnodes);
    st->hooks = atomic_load(&g->nhooks);
    st->defer_pending = g->bops->pending ? g->bops->pending(g->backend) : 0;
}
