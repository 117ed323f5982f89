/*
 * namespace.c - the node namespace: ids and names in two resizable
 * lock-less hash sets (Concurrency Kit's ck_hs, single writer, many
 * readers).
 *
 * Who reads, who writes, what protects the memory:
 *   - Writers (node creation, naming, shutdown) hold ctl_lock: ck_hs's one
 *     writer.  Readers (path lookup, ng_node_find, response delivery) call
 *     ngi_node_lookup_* inside a read-side section of the graph and never
 *     wait: a lookup racing a resize reads the old table or the new one
 *     (ck_hs publishes a grown table with one store and retries a probe
 *     that raced a deletion).
 *   - Tables store immutable keys (struct ngi_nskey): the id key embedded
 *     in its node, a name key in a name entry allocated per name.  A rename
 *     publishes a new entry and removes the old one, so a reader never
 *     compares bytes that are being rewritten.
 *   - A table that ck_hs replaces (grow) and a removed name entry may still
 *     be read by a lookup that started before: both are freed through the
 *     graph's backend (backend->defer), after a grace period.  A node found
 *     by a lookup stays valid for the caller's section: it is removed from
 *     the tables before its own grace period starts.
 * ck_hs's allocator callbacks carry no context, so the writer names the
 * graph whose backend defers the frees in a thread-local (ns_owner) for the
 * duration of each writing call.
 */
#include <stdalign.h>
#include <stdlib.h>

#include <ck_hs.h>

#include "core.h"

#ifdef NGI_HAVE_TSAN
#include <sanitizer/tsan_interface.h>
#endif

struct ngi_ns {
    ck_hs_t ids;   /* struct ngi_nskey in struct ng_node.id_key */
    ck_hs_t names; /* struct ngi_nskey in struct ngi_nsname */
};

/* A node's name as the name table holds it (immutable once published). */
struct ngi_nsname {
    struct ngi_nskey key;
    struct ng_node *node;
    struct ngi_defer defer;
    char buf[NG_NODESIZ];
};

/* Initial capacity: small graphs stay small; ck_hs doubles as needed. */
#define NS_INITIAL 64

/* ------------------------------------------------------------------------ */
/* Allocation through the graph's grace periods                             */
/* ------------------------------------------------------------------------ */

/* The graph whose table is being written by this thread (ctl_lock held, or
 * graph creation and destruction). */
static _Thread_local struct ng_graph *ns_owner;

/* Every block ck_hs allocates carries its deferred-free record. */
struct ns_block {
    struct ngi_defer defer;
    alignas(max_align_t) unsigned char data[];
};

static void *ns_malloc(size_t size)
{
    struct ns_block *b = malloc(sizeof(*b) + size);
    return b ? b->data : NULL;
}

static void ns_block_free_cb(struct ngi_defer *d)
{
    free(ngi_container_of(d, struct ns_block, defer));
}

/* defer: readers may still be inside the block (a replaced table). */
static void ns_free(void *p, size_t size, bool defer)
{
    (void)size;
    if (!p)
        return;
    struct ns_block *b =
        (struct ns_block *)(void *)((unsigned char *)p - offsetof(struct ns_block, data));
    if (!defer) {
        free(b);
        return;
    }
    struct ng_graph *g = ns_owner;
    NGI_ASSERT(g != NULL);
    g->bops->defer(g->backend, &b->defer, ns_block_free_cb);
}

static void *ns_realloc(void *p, size_t old, size_t size, bool defer)
{
    void *n = ns_malloc(size);
    if (!n)
        return NULL;
    if (p) {
        memcpy(n, p, old < size ? old : size);
        ns_free(p, old, defer);
    }
    return n;
}

static struct ck_malloc ns_allocator = {
    .malloc = ns_malloc,
    .realloc = ns_realloc,
    .free = ns_free,
};

/* Bracket every call that may write a table of g. */
static inline void ns_begin(struct ng_graph *g)
{
    NGI_ASSERT(ns_owner == NULL);
    ns_owner = g;
}
static inline void ns_end(void) { ns_owner = NULL; }

/* ck_hs publishes a key with inline-assembly stores ThreadSanitizer cannot
 * see: give it the writer -> reader edge per key (published before the put,
 * seen when a lookup compares it), which covers everything written before
 * the key was published (the node, the name entry). */
#ifdef NGI_HAVE_TSAN
#define NS_PUBLISH(k) __tsan_release((void *)(k))
#define NS_SEEN(k) __tsan_acquire((void *)(k))
#else
#define NS_PUBLISH(k) ((void)(k))
#define NS_SEEN(k) ((void)(k))
#endif

/* ------------------------------------------------------------------------ */
/* Hashing                                                                  */
/* ------------------------------------------------------------------------ */

static unsigned long mix64(uint64_t x, unsigned long seed)
{
    x ^= seed; /* splitmix64 finaliser */
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return (unsigned long)(x ^ (x >> 31));
}

static unsigned long id_hash(const void *k, unsigned long seed)
{
    return mix64(((const struct ngi_nskey *)k)->id, seed);
}

static bool id_eq(const void *a, const void *b)
{
    NS_SEEN(a);
    return ((const struct ngi_nskey *)a)->id == ((const struct ngi_nskey *)b)->id;
}

static unsigned long name_hash(const void *k, unsigned long seed)
{
    uint64_t h = 14695981039346656037ull; /* FNV-1a, then mixed */
    for (const char *s = ((const struct ngi_nskey *)k)->name; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return mix64(h, seed);
}

static bool name_eq(const void *a, const void *b)
{
    NS_SEEN(a);
    return strcmp(((const struct ngi_nskey *)a)->name, ((const struct ngi_nskey *)b)->name) == 0;
}

/* ------------------------------------------------------------------------ */
/* Tables                                                                   */
/* ------------------------------------------------------------------------ */

int ngi_ns_init(struct ng_graph *g)
{
    struct ngi_ns *ns = calloc(1, sizeof(*ns));
    if (!ns)
        return -ENOMEM;
    const unsigned mode = CK_HS_MODE_OBJECT | CK_HS_MODE_SPMC | CK_HS_MODE_DELETE;
    unsigned long seed = (unsigned long)mix64(g->serial, 0x9e3779b97f4a7c15ull);
    ns_begin(g);
    bool ok = ck_hs_init(&ns->ids, mode, id_hash, id_eq, &ns_allocator, NS_INITIAL, seed);
    if (ok && !ck_hs_init(&ns->names, mode, name_hash, name_eq, &ns_allocator, NS_INITIAL, seed)) {
        ck_hs_destroy(&ns->ids);
        ok = false;
    }
    ns_end();
    if (!ok) {
        free(ns);
        return -ENOMEM;
    }
    g->ns = ns;
    return 0;
}

void ngi_ns_fini(struct ng_graph *g)
{
    if (!g->ns)
        return;
    /* Graph destruction: no reader is left, every node was unlinked. */
    ns_begin(g);
    ck_hs_destroy(&g->ns->ids);
    ck_hs_destroy(&g->ns->names);
    ns_end();
    free(g->ns);
    g->ns = NULL;
}

struct ng_node *ngi_node_lookup_id(struct ng_graph *g, ng_id_t id)
{
    /* A section keeps a table being replaced alive; the writer lock keeps
     * the current one from being replaced at all. */
    NGI_ASSERT(ngi_in_section(g) || ngi_ctl_held(g));
    struct ngi_nskey k = {.id = id};
    const struct ngi_nskey *e = ck_hs_get(&g->ns->ids, id_hash(&k, g->ns->ids.seed), &k);
    if (e)
        NS_SEEN(e);
    return e ? ngi_container_of(e, struct ng_node, id_key) : NULL;
}

struct ng_node *ngi_node_lookup_name(struct ng_graph *g, const char *name)
{
    /* A section keeps a table being replaced alive; the writer lock keeps
     * the current one from being replaced at all. */
    NGI_ASSERT(ngi_in_section(g) || ngi_ctl_held(g));
    struct ngi_nskey k = {.name = name};
    const struct ngi_nskey *e = ck_hs_get(&g->ns->names, name_hash(&k, g->ns->names.seed), &k);
    if (e)
        NS_SEEN(e);
    return e ? ngi_container_of(e, struct ngi_nsname, key)->node : NULL;
}

int ngi_ns_publish_id(struct ng_graph *g, struct ng_node *n)
{
    NGI_ASSERT_CTL(g);
    n->id_key.id = n->id;
    n->id_key.name = NULL;
    NS_PUBLISH(&n->id_key);
    ns_begin(g);
    bool ok = ck_hs_put(&g->ns->ids, id_hash(&n->id_key, g->ns->ids.seed), &n->id_key);
    ns_end();
    return ok ? 0 : -ENOMEM;
}

static void nsname_free_cb(struct ngi_defer *d)
{
    free(ngi_container_of(d, struct ngi_nsname, defer));
}

/* Remove n's name entry; it is freed after a grace period. */
static void name_unlink(struct ng_graph *g, struct ng_node *n)
{
    struct ngi_nsname *e = n->name_ent;
    if (!e)
        return;
    void *gone = ck_hs_remove(&g->ns->names, name_hash(&e->key, g->ns->names.seed), &e->key);
    NGI_ASSERT(gone == &e->key);
    (void)gone;
    n->name_ent = NULL;
    g->bops->defer(g->backend, &e->defer, nsname_free_cb);
}

/* The node's own copy (ng_node_get_name, listings) may be read by threads
 * holding a reference while it changes: atomic byte stores, always
 * NUL-terminated within NG_NODESIZ. */
static void name_store(struct ng_node *n, const char *name)
{
    _Atomic char *dst = (_Atomic char *)(void *)n->name;
    size_t len = strlen(name);
    for (size_t i = 0; i <= len; i++)
        atomic_store_explicit(&dst[i], name[i], memory_order_relaxed);
}

int ngi_ns_set_name(struct ng_graph *g, struct ng_node *n, const char *name)
{
    NGI_ASSERT_CTL(g);
    struct ngi_nsname *e = malloc(sizeof(*e));
    if (!e)
        return -ENOMEM;
    size_t len = strlen(name);
    NGI_ASSERT(len < NG_NODESIZ);
    memcpy(e->buf, name, len + 1);
    e->key.id = 0;
    e->key.name = e->buf;
    e->node = n;
    /* The node carries its new name before the name finds it, so a lookup
     * by the new name never sees the old one. */
    char old[NG_NODESIZ];
    memcpy(old, n->name, sizeof(old));
    name_store(n, name);
    NS_PUBLISH(&e->key);
    ns_begin(g);
    if (!ck_hs_put(&g->ns->names, name_hash(&e->key, g->ns->names.seed), &e->key)) {
        ns_end();
        name_store(n, old);
        free(e);
        return -ENOMEM; /* the caller checked that the name is free */
    }
    name_unlink(g, n);
    n->name_ent = e;
    ns_end();
    return 0;
}

void ngi_ns_unlink_name(struct ng_graph *g, struct ng_node *n)
{
    NGI_ASSERT_CTL(g);
    ns_begin(g);
    name_unlink(g, n);
    ns_end();
}

void ngi_ns_unlink(struct ng_graph *g, struct ng_node *n)
{
    NGI_ASSERT_CTL(g);
    ns_begin(g);
    name_unlink(g, n);
    void *gone = ck_hs_remove(&g->ns->ids, id_hash(&n->id_key, g->ns->ids.seed), &n->id_key);
    NGI_ASSERT(gone == &n->id_key);
    (void)gone;
    ns_end();
}

/* ------------------------------------------------------------------------ */
/* Names                                                                    */
/* ------------------------------------------------------------------------ */

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
