/*
 * item.c - data items: pooled allocation and buffer accessors.
 *
 * Allocation scheme (no malloc and no lock per packet once warm):
 *   - Items (header + buffer, one cache-aligned block) are carved from slabs
 *     of up to NGI_MAG * 4 items.  Slab allocation takes pool->grow_lock; it
 *     happens only when every pooled item is in use.  Exactly pool->limit
 *     items are ever carved (the last slab is cut short), so at most that
 *     many are alive at once; allocation beyond fails with NULL (counted as
 *     NG_DROP_NOBUFS).  A thread alone can have all of them alive; free items
 *     cached by other threads (at most 2 * NGI_MAG - 1 each) are out of its
 *     reach until those threads free more or detach.
 *   - Each thread keeps a private cache (struct ngi_thread.cache, owner-only).
 *     When it runs empty the thread pops one magazine (up to NGI_MAG items
 *     linked by pnext, the count in the first item's magn) from pool->full;
 *     when it holds 2 * NGI_MAG items it pushes NGI_MAG back; detaching
 *     returns all of them.  pool->full is a ck_stack popped with
 *     ck_stack_pop_mpmc (generation-counted double-width CAS: ABA-safe);
 *     the magazine's first item carries the stack entry.
 *   - Items are never returned to the system before ng_graph_destroy(), so
 *     a popped stack entry is always valid memory.
 * Message and function items are control-path objects and use malloc.
 */
#include <stdlib.h>

#include "datapath.h"

/* The magazine's stack entry lives in the first item's queue-node space,
 * which is unused while the item is free. */
static inline ck_stack_entry_t *item_sentry(struct ng_item *it)
{
    return (ck_stack_entry_t *)(void *)&it->qnode;
}
static inline struct ng_item *sentry_item(ck_stack_entry_t *e)
{
    return ngi_item_of_qnode((struct ngi_mpsc_node *)(void *)e);
}

_Static_assert(sizeof(struct ngi_mpsc_node) >= sizeof(ck_stack_entry_t), "stack entry fits");

#ifdef NGI_HAVE_TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* Push a magazine of n items headed by head (linked by pnext) on st.
 * ThreadSanitizer cannot see ck_stack's inline-asm CAS: give it the
 * push -> pop happens-before edge for the magazine's contents. */
static inline void mag_push(ck_stack_t *st, struct ng_item *head, unsigned n)
{
    NGI_ASSERT(n >= 1 && n <= NGI_MAG);
    head->magn = (uint16_t)n;
    ck_stack_entry_t *e = item_sentry(head);
#ifdef NGI_HAVE_TSAN
    __tsan_release(e);
#endif
    ck_stack_push_mpmc(st, e);
}

static inline ck_stack_entry_t *mag_pop(ck_stack_t *st)
{
    ck_stack_entry_t *e = ck_stack_pop_mpmc(st);
#ifdef NGI_HAVE_TSAN
    if (e)
        __tsan_acquire(e);
#endif
    return e;
}

static size_t item_stride(const struct ngi_pool *p)
{
    size_t hdr = (sizeof(struct ng_item) + NGI_CACHELINE - 1) & ~(size_t)(NGI_CACHELINE - 1);
    return (hdr + p->bufsize + NGI_CACHELINE - 1) & ~(size_t)(NGI_CACHELINE - 1);
}

int ngi_pool_init(struct ngi_pool *p, const struct ng_graph_config *cfg)
{
    memset(p, 0, sizeof(*p));
    ck_stack_init(&p->full);
    pthread_mutex_init(&p->grow_lock, NULL);
    p->limit = cfg->item_limit;
    p->bufsize = cfg->item_bufsize;
    p->headroom = cfg->item_headroom;
    return 0;
}

void ngi_pool_fini(struct ngi_pool *p)
{
    for (size_t i = 0; i < p->nslabs; i++)
        free(p->slabs[i]);
    free(p->slabs);
    pthread_mutex_destroy(&p->grow_lock);
}

/* Carve a new slab into magazines on pool->full.  Returns false at the limit
 * or on allocation failure. */
static bool pool_grow(struct ng_graph *g)
{
    struct ngi_pool *p = &g->pool;
    bool ok = false;
    pthread_mutex_lock(&p->grow_lock);
    /* Never carve past the limit: the last slab takes what is left. */
    uint64_t total = atomic_load_explicit(&p->total, memory_order_relaxed);
    size_t n = p->limit - total < NGI_MAG * 4 ? (size_t)(p->limit - total) : NGI_MAG * 4;
    if (n == 0)
        goto out;
    if (p->nslabs == p->slabs_cap) {
        size_t cap = p->slabs_cap ? p->slabs_cap * 2 : 16;
        void **s = realloc(p->slabs, cap * sizeof(*s));
        if (!s)
            goto out;
        p->slabs = s;
        p->slabs_cap = cap;
    }
    size_t stride = item_stride(p);
    char *slab = aligned_alloc(NGI_CACHELINE, stride * n);
    if (!slab)
        goto out;
    p->slabs[p->nslabs++] = slab;
    size_t hdr = (sizeof(struct ng_item) + NGI_CACHELINE - 1) & ~(size_t)(NGI_CACHELINE - 1);
    for (size_t first = 0; first < n; first += NGI_MAG) {
        size_t count = n - first < NGI_MAG ? n - first : NGI_MAG;
        struct ng_item *head = NULL;
        for (size_t i = 0; i < count; i++) {
            struct ng_item *it = (struct ng_item *)(void *)(slab + (first + i) * stride);
            memset(it, 0, sizeof(*it));
            it->g = g;
            it->flags = NGI_IF_POOLED;
            it->h.buf = (uint8_t *)it + hdr;
            it->cap = p->bufsize;
            it->pnext = head;
            head = it;
        }
        mag_push(&p->full, head, (unsigned)count);
    }
    atomic_store_explicit(&p->total, total + n, memory_order_relaxed);
    ok = true;
out:
    pthread_mutex_unlock(&p->grow_lock);
    return ok;
}

static struct ng_item *cache_refill(struct ngi_thread *t)
{
    struct ngi_pool *p = &t->g->pool;
    for (;;) {
        ck_stack_entry_t *e = mag_pop(&p->full);
        if (e) {
            t->cache = sentry_item(e);
            t->ncache = t->cache->magn;
            NGI_ASSERT(t->ncache >= 1 && t->ncache <= NGI_MAG);
            return t->cache;
        }
        if (!pool_grow(t->g))
            return NULL;
    }
}

struct ng_item *ng_item_alloc(struct ng_graph *g, uint32_t len)
{
    if (NGI_UNLIKELY(!g))
        return NULL;
    struct ngi_thread *t = ngi_thread_get(g);
    if (NGI_UNLIKELY(!t))
        return NULL;
    if (NGI_UNLIKELY(len > g->pool.bufsize - g->pool.headroom)) {
        ngi_counter_add(&t->drops[NG_DROP_NOBUFS], 1);
        return NULL;
    }
    struct ng_item *it = t->cache;
    if (NGI_UNLIKELY(!it)) {
        it = cache_refill(t);
        if (!it) {
            ngi_counter_add(&t->drops[NG_DROP_NOBUFS], 1);
            return NULL;
        }
    }
    t->cache = it->pnext;
    t->ncache--;
    it->kind = NGI_IK_DATA;
    it->hops = 0;
    it->h.off = g->pool.headroom;
    it->h.len = len;
    it->dnode = NULL;
    it->dhook = NULL;
    memset(it->meta, 0, sizeof(it->meta));
    ngi_counter_add(&t->items_alloc, 1);
    return it;
}

static void cache_put(struct ngi_thread *t, struct ng_item *it)
{
    it->pnext = t->cache;
    t->cache = it;
    if (NGI_UNLIKELY(++t->ncache >= 2 * NGI_MAG)) {
        /* Keep the NGI_MAG most recent (cache-warm) items, return the rest. */
        struct ng_item *last = t->cache;
        for (unsigned i = 1; i < NGI_MAG; i++)
            last = last->pnext;
        struct ng_item *mag = last->pnext;
        last->pnext = NULL;
        t->ncache -= NGI_MAG;
        mag_push(&t->g->pool.full, mag, NGI_MAG);
    }
}

void ngi_thread_cache_flush(struct ngi_thread *t)
{
    /* Everything goes back to the shared stack, the last magazine partial,
     * so no free item stays out of reach once its thread is gone. */
    struct ngi_pool *p = &t->g->pool;
    while (t->cache) {
        struct ng_item *head = t->cache, *last = head;
        unsigned count = 1;
        while (count < NGI_MAG && last->pnext) {
            last = last->pnext;
            count++;
        }
        t->cache = last->pnext;
        last->pnext = NULL;
        mag_push(&p->full, head, count);
    }
    t->ncache = 0;
}

struct ng_item *ngi_item_new_ctl(struct ng_graph *g, enum ngi_item_kind kind)
{
    struct ng_item *it = calloc(1, sizeof(*it));
    if (!it)
        return NULL;
    it->g = g;
    it->kind = (uint8_t)kind;
    return it;
}

void ng_item_free(struct ng_item *it)
{
    if (!it)
        return;
    if (it->kind != NGI_IK_DATA)
        it->g->up->ctl_release(it); /* control owns the payload (message, waiter) */
    if (!(it->flags & NGI_IF_POOLED)) {
        free(it);
        return;
    }
    struct ngi_thread *t = ngi_thread_get(it->g);
    if (NGI_UNLIKELY(!t))
        return; /* out of memory for thread state: item stays in its slab */
    ngi_counter_add(&t->items_free, 1);
    cache_put(t, it);
}

void ng_item_drop(struct ng_item *it, enum ng_drop_reason r)
{
    if (it->kind == NGI_IK_DATA)
        ng_count_drop(it->g, r);
    ng_item_free(it);
}

struct ng_item *ng_item_copy(const struct ng_item *src)
{
    if (!src || src->kind != NGI_IK_DATA)
        return NULL;
    struct ng_item *it = ng_item_alloc(src->g, 0);
    if (!it)
        return NULL;
    it->h.off = src->h.off;
    it->h.len = src->h.len;
    memcpy(it->h.buf + it->h.off, src->h.buf + src->h.off, src->h.len);
    memcpy(it->meta, src->meta, sizeof(it->meta));
    it->hops = src->hops; /* a copy goes on from where its original is */
    return it;
}

/* The exported copies of the inline accessors (C99 inline: this TU
 * emits the external definitions). */
extern inline uint8_t *ng_item_data(struct ng_item *item);
extern inline uint32_t ng_item_len(const struct ng_item *item);
uint32_t ng_item_headroom(const struct ng_item *it) { return it->h.off; }
uint32_t ng_item_tailroom(const struct ng_item *it) { return it->cap - it->h.off - it->h.len; }
uint8_t *ng_item_prepend(struct ng_item *it, uint32_t n)
{
    if (it->kind != NGI_IK_DATA || n > it->h.off)
        return NULL;
    it->h.off -= n;
    it->h.len += n;
    return it->h.buf + it->h.off;
}
uint8_t *ng_item_append(struct ng_item *it, uint32_t n)
{
    if (it->kind != NGI_IK_DATA || n > ng_item_tailroom(it))
        return NULL;
    uint8_t *p = it->h.buf + it->h.off + it->h.len;
    it->h.len += n;
    return p;
}
int ng_item_adj(struct ng_item *it, uint32_t n)
{
    if (it->kind != NGI_IK_DATA || n > it->h.len)
        return -EINVAL;
    it->h.off += n;
    it->h.len -= n;
    return 0;
}
int ng_item_trim(struct ng_item *it, uint32_t len)
{
    if (it->kind != NGI_IK_DATA || len > it->h.len)
        return -EINVAL;
    it->h.len = len;
    return 0;
}
void *ng_item_meta(struct ng_item *it) { return it->meta; }
int ng_item_is_msg(const struct ng_item *it) { return it->kind == NGI_IK_MSG; }
struct ng_mesg *ng_item_msg(struct ng_item *it)
{
    return it->kind == NGI_IK_MSG ? it->u.m.msg : NULL;
}
ng_id_t ng_item_msg_sender(const struct ng_item *it)
{
    return it->kind == NGI_IK_MSG ? it->u.m.retaddr : 0;
}
