/*
 * node.c - nodes, hooks, the node namespace, and topology changes.
 *
 * Invariants enforced here:
 *   - Every topology change holds g->ctl_lock (recursive, so a type's
 *     disconnect method may shut its own node down) and, for the rwlock
 *     baseline, the backend's topology write lock around pointer updates.
 *   - Readers (data path, path lookup) traverse hash chains and hook lists
 *     and load hook->peer inside a read-side section, with acquire loads.
 *     Writers publish with release stores, after the object is fully built.
 *   - Removing a hook: mark both ends HKF_INVALID, clear both peer pointers,
 *     unlink both ends from their nodes' lists, run the disconnect methods,
 *     then drop the list references.  A hook is freed (after a grace period,
 *     through backend->defer) when its reference count reaches zero.
 *   - Node references: 1 for the namespace (dropped when the node finishes),
 *     1 per hook, 1 per queued item / timer / application holder.  The
 *     node's memory goes through backend->defer when the count hits zero.
 *   - A node's type shutdown method runs once (NGF_FINISHED) after the node
 *     is invalid, all its hooks are reclaimed and a grace period has elapsed,
 *     so no thread can still be inside one of its methods.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* ------------------------------------------------------------------------ */
/* Reference counting and reclamation                                       */
/* ------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------ */
/* Object caches (see struct ng_objcache)                                   */
/* ------------------------------------------------------------------------ */

/* Cached objects stay poisoned for AddressSanitizer and valgrind (all but
 * the link word), so a use after "free" is still reported. */
#if defined(__SANITIZE_ADDRESS__)
#define NG_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NG_HAVE_ASAN 1
#endif
#endif
#ifdef NG_HAVE_ASAN
#include <sanitizer/asan_interface.h>
#endif
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define NG_HAVE_VALGRIND 1
#endif
#endif

static void objcache_poison(struct ng_objcache *c, void *o)
{
    char *p = (char *)o + sizeof(void *);
    size_t len = c->size - sizeof(void *);
    (void)p, (void)len;
#ifdef NG_HAVE_ASAN
    ASAN_POISON_MEMORY_REGION(p, len);
#endif
#ifdef NG_HAVE_VALGRIND
    VALGRIND_MAKE_MEM_NOACCESS(p, len);
#endif
}

static void objcache_unpoison(struct ng_objcache *c, void *o)
{
    (void)c, (void)o;
#ifdef NG_HAVE_ASAN
    ASAN_UNPOISON_MEMORY_REGION(o, c->size);
#endif
#ifdef NG_HAVE_VALGRIND
    VALGRIND_MAKE_MEM_UNDEFINED(o, c->size);
#endif
}

void ng_objcache_init(struct ng_objcache *c, size_t size)
{
    pthread_mutex_init(&c->lock, NULL);
    c->head = NULL;
    c->n = 0;
    c->size = size;
}

void ng_objcache_fini(struct ng_objcache *c)
{
    while (c->head) {
        void *o = c->head;
        c->head = *(void **)o;
        objcache_unpoison(c, o);
        free(o);
    }
    c->n = 0;
    pthread_mutex_destroy(&c->lock);
}

/* An object of the cache's kind, or NULL (allocate one yourself). */
static void *objcache_get(struct ng_objcache *c)
{
    pthread_mutex_lock(&c->lock);
    void *o = c->head;
    if (o) {
        c->head = *(void **)o;
        c->n--;
    }
    pthread_mutex_unlock(&c->lock);
    if (o)
        objcache_unpoison(c, o);
    return o;
}

/* Keep o (past its grace period) for reuse, or free it. */
static void objcache_put(struct ng_objcache *c, void *o)
{
    pthread_mutex_lock(&c->lock);
    if (c->n < NG_OBJCACHE_MAX) {
        *(void **)o = c->head;
        objcache_poison(c, o);
        c->head = o;
        c->n++;
        o = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    free(o);
}

static void node_free_cb(struct ng_defer *d)
{
    struct ng_node *n = (struct ng_node *)(void *)((char *)d - offsetof(struct ng_node, defer));
    struct ng_graph *g = n->g;
    atomic_fetch_sub(&g->nnodes, 1);
    objcache_put(&g->node_cache, n);
}

void ng_node_ref(struct ng_node *n)
{
    atomic_fetch_add_explicit(&n->refs, 1, memory_order_relaxed);
}

bool ng_node_tryref(struct ng_node *n)
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
    if (atomic_fetch_sub_explicit(&n->refs, 1, memory_order_acq_rel) == 1) {
        struct ng_graph *g = n->g;
        g->bops->defer(g->backend, &n->defer, node_free_cb);
    }
}

static void node_finish_step(struct ng_node *n);

static void hook_free_cb(struct ng_defer *d)
{
    struct ng_hook *h = (struct ng_hook *)(void *)((char *)d - offsetof(struct ng_hook, defer));
    struct ng_node *n = h->node;
    atomic_fetch_sub(&n->g->nhooks, 1);
    ng_hook_fold_stats(h, true); /* grace period over: no counter writer left */
    /* The partner may still be in use (its own grace period): the block
     * goes with the second hook.  acq_rel: the first hook's last accesses
     * happen before the free. */
    struct ng_hook *first = ng_hook_pair_first(h);
    if (atomic_fetch_sub_explicit(&first->pair_live, 1, memory_order_acq_rel) == 1)
        objcache_put(&n->g->hook_cache, ng_hook_pair_block(h));
    /* The hook no longer exists for any reader: one step closer to running
     * the node's shutdown method (if it is shutting down). */
    node_finish_step(n);
    ng_node_unref(n);
}

void ng_hook_ref(struct ng_hook *h)
{
    ng_hook_ref_n(h, 1);
}

void ng_hook_ref_n(struct ng_hook *h, int n)
{
    atomic_fetch_add_explicit(&h->refs, n, memory_order_relaxed);
}

bool ng_hook_tryref(struct ng_hook *h)
{
    int r = atomic_load_explicit(&h->refs, memory_order_relaxed);
    while (r > 0)
        if (atomic_compare_exchange_weak_explicit(&h->refs, &r, r + 1, memory_order_acquire,
                                                  memory_order_relaxed))
            return true;
    return false;
}

void ng_hook_unref(struct ng_hook *h)
{
    ng_hook_unref_n(h, 1);
}

void ng_hook_unref_n(struct ng_hook *h, int n)
{
    if (!h || n <= 0)
        return;
    if (atomic_fetch_sub_explicit(&h->refs, n, memory_order_acq_rel) == n) {
        struct ng_graph *g = h->node->g;
        g->bops->defer(g->backend, &h->defer, hook_free_cb);
    }
}

/* End of a public topology call: leave the section, then let the backend
 * run callbacks whose grace period has passed (ck_epoch reclaims only when
 * polled; a runtime polls too, but graphs without one must not pile up
 * garbage under churn).  Never waits for readers. */
static void topo_call_done(struct ng_thread *t)
{
    struct ng_graph *g = t->g;
    ng_exit(t);
    if (t->depth == 0)
        g->bops->poll(g->backend);
}

/* ------------------------------------------------------------------------ */
/* Accessors                                                                */
/* ------------------------------------------------------------------------ */

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

static void flag_set(_Atomic uint32_t *f, uint32_t bit, int on)
{
    if (on)
        atomic_fetch_or_explicit(f, bit, memory_order_release);
    else
        atomic_fetch_and_explicit(f, ~bit, memory_order_release);
}

void ng_node_set_persistent(struct ng_node *n, int on) { flag_set(&n->flags, NGF_PERSIST, on); }
void ng_node_force_writer(struct ng_node *n, int on) { flag_set(&n->flags, NGF_FORCE_WRITER, on); }
void ng_node_force_queue(struct ng_node *n, int on) { flag_set(&n->flags, NGF_FORCE_QUEUE, on); }

const char *ng_hook_name(const struct ng_hook *h) { return h->name; }
struct ng_node *ng_hook_node(const struct ng_hook *h) { return h->node; }
struct ng_hook *ng_hook_peer(const struct ng_hook *h)
{
    return atomic_load_explicit(&((struct ng_hook *)h)->peer, memory_order_acquire);
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
void ng_hook_force_writer(struct ng_hook *h, int on) { flag_set(&h->flags, HKF_FORCE_WRITER, on); }
void ng_hook_force_queue(struct ng_hook *h, int on) { flag_set(&h->flags, HKF_FORCE_QUEUE, on); }

/* ------------------------------------------------------------------------ */
/* Namespace                                                                */
/* ------------------------------------------------------------------------ */

static unsigned name_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    while (*s)
        h = (h ^ (uint8_t)*s++) * 16777619u;
    return h % NG_HASH_SIZE;
}

/* Chains are singly linked through id_next / name_next; they are declared
 * as plain pointers in struct ng_node but always accessed through these
 * atomic views (release on publish, acquire on traversal). */
#define NEXTP(p) ((_Atomic(struct ng_node *) *)(void *)(p))

struct ng_node *ng_node_lookup_id(struct ng_graph *g, ng_id_t id)
{
    struct ng_node *n = atomic_load_explicit(&g->id_hash[id % NG_HASH_SIZE], memory_order_acquire);
    for (; n; n = atomic_load_explicit(NEXTP(&n->id_next), memory_order_acquire))
        if (n->id == id)
            return n;
    return NULL;
}

/* A node's name may be rewritten (rename) while a lock-less reader that
 * loaded the node before it was unlinked from its old chain still compares
 * it: both sides access the bytes atomically (relaxed).  Such a reader sees
 * the old name, the new one, or a mix of both, always NUL-terminated within
 * NG_NODESIZ; a match is then a lookup racing with the rename. */
static bool name_eq(const struct ng_node *n, const char *name)
{
    const _Atomic char *p = (const _Atomic char *)(const void *)n->name;
    for (size_t i = 0; i < NG_NODESIZ; i++) {
        char c = atomic_load_explicit(&p[i], memory_order_relaxed);
        if (c != name[i])
            return false;
        if (c == '\0')
            return true;
    }
    return false;
}

struct ng_node *ng_node_lookup_name(struct ng_graph *g, const char *name)
{
    struct ng_node *n = atomic_load_explicit(&g->name_hash[name_hash(name)], memory_order_acquire);
    for (; n; n = atomic_load_explicit(NEXTP(&n->name_next), memory_order_acquire))
        if (name_eq(n, name))
            return n;
    return NULL;
}

static void chain_insert(_Atomic(struct ng_node *) *bucket, struct ng_node **nextp, struct ng_node *n)
{
    atomic_store_explicit(NEXTP(nextp), atomic_load_explicit(bucket, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(bucket, n, memory_order_release);
}

/* Unlink n from a chain; `off` is the offset of the link field. */
static void chain_remove(_Atomic(struct ng_node *) *bucket, struct ng_node *n, size_t off)
{
    _Atomic(struct ng_node *) *pp = bucket;
    for (struct ng_node *c = atomic_load_explicit(pp, memory_order_relaxed); c;
         c = atomic_load_explicit(pp, memory_order_relaxed)) {
        _Atomic(struct ng_node *) *cnext = NEXTP((char *)c + off);
        if (c == n) {
            /* n keeps its own next pointer, so a reader standing on n can
             * still walk on until the grace period ends. */
            atomic_store_explicit(pp, atomic_load_explicit(cnext, memory_order_relaxed),
                                  memory_order_release);
            return;
        }
        pp = cnext;
    }
}

int ng_name_check(const char *name, size_t size)
{
    if (!name || !*name)
        return -EINVAL;
    size_t len = strnlen(name, size);
    if (len >= size)
        return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c <= ' ' || c >= 0x7f || c == '.' || c == ':' || c == '[' || c == ']')
            return -EINVAL;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Nodes                                                                    */
/* ------------------------------------------------------------------------ */

int ng_node_create_locked(struct ng_graph *g, struct ng_typeent *te, struct ng_node **np)
{
    struct ng_node *n = objcache_get(&g->node_cache);
    if (!n)
        n = aligned_alloc(NG_CACHELINE,
                          (sizeof(*n) + NG_CACHELINE - 1) & ~(size_t)(NG_CACHELINE - 1));
    if (!n)
        return -ENOMEM;
    memset(n, 0, sizeof(*n));
    n->type = te->type;
    n->tent = te;
    n->g = g;
    atomic_init(&n->refs, 1); /* the namespace reference */
    atomic_init(&n->finish_wait, 1);
    atomic_init(&n->flags, (te->type->flags & NG_TYPE_CONCURRENT_DATA) ? NGF_SHARED : 0);
    mpsc_init(&n->queue);
    /* Pick an unused id (ids wrap after 2^32 - 1 nodes). */
    do {
        n->id = g->next_id++;
        if (g->next_id == 0)
            g->next_id = 1;
    } while (ng_node_lookup_id(g, n->id));

    if (te->type->constructor) {
        int rc = te->type->constructor(n);
        if (rc) {
            objcache_put(&g->node_cache, n); /* never published */
            return rc > 0 ? -rc : rc;
        }
    }
    n->all_next = g->nodes;
    if (g->nodes)
        g->nodes->all_prev = n;
    g->nodes = n;
    chain_insert(&g->id_hash[n->id % NG_HASH_SIZE], &n->id_next, n);
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
    struct ng_thread *t = ng_enter(g);
    if (!t)
        return -ENOMEM;
    pthread_mutex_lock(&g->ctl_lock);
    struct ng_typeent *te = ng_type_find_locked(g, type);
    struct ng_node *n = NULL;
    int rc = te ? ng_node_create_locked(g, te, &n) : -ENOENT;
    if (rc == 0 && np) {
        ng_node_ref(n);
        *np = n;
    }
    pthread_mutex_unlock(&g->ctl_lock);
    topo_call_done(t);
    return rc;
}

int ng_node_name_locked(struct ng_node *n, const char *name)
{
    struct ng_graph *g = n->g;
    int rc = ng_name_check(name, NG_NODESIZ);
    if (rc)
        return rc;
    if (!ng_node_is_valid(n))
        return -ESHUTDOWN;
    /* "[hex]" is reserved for ids, and a name that parses as such is
     * rejected by ng_name_check already ('[' is invalid). */
    struct ng_node *o = ng_node_lookup_name(g, name);
    if (o == n)
        return 0;
    if (o)
        return -EEXIST;
    if (n->name[0])
        chain_remove(&g->name_hash[name_hash(n->name)], n, offsetof(struct ng_node, name_next));
    /* The name buffer is rewritten while unlinked from the name hash, but a
     * reader that found n before the unlink may still compare it: atomic
     * byte stores (see name_eq). */
    _Atomic char *dst = (_Atomic char *)(void *)n->name;
    size_t len = strlen(name);
    for (size_t i = 0; i <= len; i++)
        atomic_store_explicit(&dst[i], name[i], memory_order_relaxed);
    chain_insert(&g->name_hash[name_hash(n->name)], &n->name_next, n);
    return 0;
}

int ng_node_name(struct ng_node *n, const char *name)
{
    if (!n || !name)
        return -EINVAL;
    struct ng_graph *g = n->g;
    pthread_mutex_lock(&g->ctl_lock);
    int rc = ng_node_name_locked(n, name);
    pthread_mutex_unlock(&g->ctl_lock);
    return rc;
}

int ng_node_find(struct ng_graph *g, const char *addr, struct ng_node **np)
{
    if (!g || !addr || !np)
        return -EINVAL;
    *np = NULL;
    /* Accept "name", "name:", "[id]", "[id]:" only: no hook path. */
    size_t len = strnlen(addr, NG_NODESIZ + 1);
    if (len > 0 && addr[len - 1] == ':')
        len--;
    if (len == 0 || len >= NG_NODESIZ)
        return -EINVAL;
    char buf[NG_NODESIZ + 1];
    memcpy(buf, addr, len);
    buf[len] = ':';
    buf[len + 1] = '\0';
    if (memchr(buf, '.', len) || memchr(buf, ':', len))
        return -EINVAL;
    struct ng_thread *t = ng_enter(g);
    if (!t)
        return -ENOMEM;
    int rc = ng_path_lookup(g, NULL, buf, np, NULL);
    ng_exit(t);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Hooks                                                                    */
/* ------------------------------------------------------------------------ */

struct ng_hook *ng_findhook(struct ng_node *n, const char *name)
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

int ng_hook_find(struct ng_node *n, const char *name, struct ng_hook **hp)
{
    if (!n || !name || !hp)
        return -EINVAL;
    *hp = NULL;
    if (ng_name_check(name, NG_HOOKSIZ))
        return -EINVAL;
    struct ng_thread *t = ng_enter(n->g);
    if (!t)
        return -ENOMEM;
    ng_topo_rlock(n->g);
    struct ng_hook *h = ng_findhook(n, name);
    int rc = (h && ng_hook_tryref(h)) ? 0 : -ENOENT;
    ng_topo_runlock(n->g);
    ng_exit(t);
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
    h->rcvdata = n->type->rcvdata ? n->type->rcvdata : ng_rcvdata_unsupported;
    h->gserial = n->g->serial;
    atomic_init(&h->refs, 1); /* the node's list reference */
    strcpy(h->name, name);
}

/* Both hooks of a link in one block (see NG_HOOK_STRIDE); *h2 is the
 * partner of *h1.  Freed with free() on the block while unpublished. */
static int hook_pair_alloc(struct ng_node *n1, const char *name1, struct ng_node *n2,
                           const char *name2, struct ng_hook **h1, struct ng_hook **h2)
{
    void *blk = objcache_get(&n1->g->hook_cache);
    /* posix_memalign: C11 aligned_alloc wants the size to be a multiple of
     * the alignment, and NG_HOOK_BLOCK (1.5 KB) is not one of 1 KB. */
    if (!blk && posix_memalign(&blk, NG_HOOK_PAIR, NG_HOOK_BLOCK) != 0)
        blk = NULL;
    if (!blk)
        return -ENOMEM;
    memset(blk, 0, NG_HOOK_BLOCK);
    /* Cache colouring: offset the pair inside its slots by a varying number
     * of cache lines (see NG_HOOK_STRIDE). */
    static _Atomic unsigned colour;
    unsigned ncol = (NG_HOOK_STRIDE - (unsigned)sizeof(struct ng_hook)) / 64 + 1;
    size_t off = (size_t)(atomic_fetch_add_explicit(&colour, 1, memory_order_relaxed) % ncol) * 64;
    *h1 = (struct ng_hook *)(void *)((char *)blk + off);
    *h2 = ng_hook_partner(*h1);
    hook_init(*h1, n1, name1);
    hook_init(*h2, n2, name2);
    atomic_init(&(*h1)->pair_live, 2);
    return 0;
}

static void hook_unlink_locked(struct ng_hook *h)
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
static void hook_destroy_locked(struct ng_hook *h)
{
    struct ng_graph *g = h->node->g;
    struct ng_hook *peer = atomic_load_explicit(&h->peer, memory_order_relaxed);

    ng_topo_wlock(g);
    atomic_fetch_or_explicit(&h->flags, HKF_INVALID, memory_order_release);
    atomic_store_explicit(&h->peer, NULL, memory_order_release);
    hook_unlink_locked(h);
    if (peer) {
        atomic_fetch_or_explicit(&peer->flags, HKF_INVALID, memory_order_release);
        atomic_store_explicit(&peer->peer, NULL, memory_order_release);
        hook_unlink_locked(peer);
    }
    ng_topo_wunlock(g);
    ng_hook_fold_stats(h, false);
    if (peer)
        ng_hook_fold_stats(peer, false);

    struct ng_hook *pair[2] = {h, peer};
    for (int i = 0; i < 2; i++) {
        struct ng_hook *x = pair[i];
        if (!x)
            continue;
        struct ng_node *xn = x->node;
        /* The node must survive its disconnect method even if that drops
         * the last hook reference or shuts the node down. */
        ng_node_ref(xn);
        if (xn->type->disconnect)
            xn->type->disconnect(x);
        else if ((xn->type->flags & NG_TYPE_CLOSE_ON_LAST_HOOK) && xn->numhooks == 0 &&
                 ng_node_is_valid(xn))
            ng_node_shutdown_locked(xn, false);
        ng_hook_unref(x);
        ng_node_unref(xn);
    }
}

int ng_connect_locked(struct ng_node *n1, const char *name1, struct ng_node *n2,
                      const char *name2)
{
    struct ng_graph *g = n1->g;
    if (ng_name_check(name1, NG_HOOKSIZ) || ng_name_check(name2, NG_HOOKSIZ))
        return -EINVAL;
    if (n1 == n2)
        return -EINVAL;
    if (n2->g != g)
        return -EXDEV;
    if (!ng_node_is_valid(n1) || !ng_node_is_valid(n2))
        return -ESHUTDOWN;
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
    if (n2->type->newhook && (rc = n2->type->newhook(n2, h2, name2)) != 0)
        goto refuse;

    ng_node_ref(n1);
    ng_node_ref(n2);
    atomic_fetch_add(&n1->finish_wait, 1);
    atomic_fetch_add(&n2->finish_wait, 1);
    atomic_fetch_add(&g->nhooks, 2);
    ng_topo_wlock(g);
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
    ng_topo_wunlock(g);

    if (n1->type->connect && (rc = n1->type->connect(h1)) != 0)
        goto undo;
    if (n2->type->connect && (rc = n2->type->connect(h2)) != 0)
        goto undo;
    return 0;
undo:
    hook_destroy_locked(h1);
    return rc > 0 ? -rc : rc;
refuse:
    objcache_put(&g->hook_cache, ng_hook_pair_block(h1)); /* never published */
    return rc > 0 ? -rc : rc;
}

int ng_connect(struct ng_node *n1, const char *name1, struct ng_node *n2, const char *name2)
{
    if (!n1 || !n2 || !name1 || !name2)
        return -EINVAL;
    struct ng_graph *g = n1->g;
    struct ng_thread *t = ng_enter(g);
    if (!t)
        return -ENOMEM;
    pthread_mutex_lock(&g->ctl_lock);
    int rc = ng_connect_locked(n1, name1, n2, name2);
    pthread_mutex_unlock(&g->ctl_lock);
    topo_call_done(t);
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
    struct ng_thread *t = ng_enter(g);
    if (!t)
        return -ENOMEM;
    pthread_mutex_lock(&g->ctl_lock);
    int rc;
    struct ng_typeent *te = ng_type_find_locked(g, type);
    struct ng_node *nn = NULL;
    if (!te)
        rc = -ENOENT;
    else if (!ng_node_is_valid(n))
        rc = -ESHUTDOWN;
    else if (hook_name_taken(n, ourhook))
        rc = -EEXIST;
    else if ((rc = ng_node_create_locked(g, te, &nn)) == 0) {
        rc = ng_connect_locked(n, ourhook, nn, peerhook);
        if (rc)
            ng_node_shutdown_locked(nn, true);
        else if (newp) {
            ng_node_ref(nn);
            *newp = nn;
        }
    }
    pthread_mutex_unlock(&g->ctl_lock);
    topo_call_done(t);
    return rc;
}

int ng_rmhook_locked(struct ng_node *n, const char *name)
{
    if (ng_name_check(name, NG_HOOKSIZ))
        return -EINVAL;
    struct ng_hook *h = ng_findhook(n, name);
    if (!h)
        return -ENOENT;
    hook_destroy_locked(h);
    return 0;
}

int ng_rmhook(struct ng_node *n, const char *name)
{
    if (!n || !name)
        return -EINVAL;
    struct ng_graph *g = n->g;
    struct ng_thread *t = ng_enter(g);
    if (!t)
        return -ENOMEM;
    pthread_mutex_lock(&g->ctl_lock);
    int rc = ng_rmhook_locked(n, name);
    pthread_mutex_unlock(&g->ctl_lock);
    topo_call_done(t);
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
    pthread_mutex_lock(&g->ctl_lock);
    atomic_fetch_or(&n->flags, NGF_FINISHED);
    if (n->type->shutdown)
        n->type->shutdown(n);
    atomic_fetch_sub(&n->tent->numnodes, 1);
    pthread_mutex_unlock(&g->ctl_lock);
    ng_node_unref(n); /* the namespace reference */
}

/* finish_wait starts at 1 (the "alive" token, removed by the grace-period
 * callback queued at shutdown) and counts +1 per hook from creation until
 * the hook is reclaimed.  It can reach zero only after shutdown. */
static void node_finish_step(struct ng_node *n)
{
    if (atomic_fetch_sub_explicit(&n->finish_wait, 1, memory_order_acq_rel) == 1)
        node_finish(n);
}

/* rwlock baseline: no grace period covers a thread that enters a node with
 * only a node reference (ng_send_fn, messages, their queued items), so such
 * an entry holds finish_wait like a hook does: the type's shutdown method
 * cannot run until it is released.  Fails once the node has finished. */
bool ng_node_finish_hold(struct ng_node *n)
{
    int v = atomic_load_explicit(&n->finish_wait, memory_order_relaxed);
    while (v > 0)
        if (atomic_compare_exchange_weak_explicit(&n->finish_wait, &v, v + 1,
                                                  memory_order_acq_rel, memory_order_relaxed))
            return true;
    return false;
}

void ng_node_finish_release(struct ng_node *n)
{
    node_finish_step(n);
}

static void node_gp_cb(struct ng_defer *d)
{
    struct ng_node *n = (struct ng_node *)(void *)((char *)d - offsetof(struct ng_node, defer));
    node_finish_step(n);
}

int ng_node_shutdown_locked(struct ng_node *n, bool force)
{
    struct ng_graph *g = n->g;
    uint32_t f = atomic_load(&n->flags);
    if (f & NGF_INVALID)
        return -ESHUTDOWN;
    bool persist = (f & NGF_PERSIST) && !force;

    ng_node_ref(n); /* keep n while hooks (each holding a node ref) go */
    if (!persist)
        atomic_fetch_or(&n->flags, NGF_INVALID);
    struct ng_hook *h;
    while ((h = atomic_load_explicit(&n->hooks, memory_order_relaxed)) != NULL)
        hook_destroy_locked(h);
    ng_timers_cancel_node(n);
    ng_node_flush_queue(n);
    if (!persist) {
        if (n->name[0])
            chain_remove(&g->name_hash[name_hash(n->name)], n,
                         offsetof(struct ng_node, name_next));
        chain_remove(&g->id_hash[n->id % NG_HASH_SIZE], n, offsetof(struct ng_node, id_next));
        if (n->all_prev)
            n->all_prev->all_next = n->all_next;
        else
            g->nodes = n->all_next;
        if (n->all_next)
            n->all_next->all_prev = n->all_prev;
        n->all_next = n->all_prev = NULL;
        g->bops->defer(g->backend, &n->defer, node_gp_cb);
    }
    ng_node_unref(n);
    return 0;
}

int ng_node_shutdown(struct ng_node *n)
{
    if (!n)
        return -EINVAL;
    struct ng_graph *g = n->g;
    struct ng_thread *t = ng_enter(g);
    if (!t)
        return -ENOMEM;
    pthread_mutex_lock(&g->ctl_lock);
    int rc = ng_node_shutdown_locked(n, false);
    pthread_mutex_unlock(&g->ctl_lock);
    topo_call_done(t);
    return rc;
}

void ng_node_nodeinfo(struct ng_node *n, struct nodeinfo *ni)
{
    memset(ni, 0, sizeof(*ni));
    strcpy(ni->name, n->name);
    strcpy(ni->type, n->type->name);
    ni->id = n->id;
    ni->hooks = (uint32_t)n->numhooks;
}
