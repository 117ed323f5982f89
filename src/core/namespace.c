/*
 * namespace.c - the node namespace: ids and names, looked up lock-lessly.
 *
 * Writers (create, name, shutdown) hold ctl_lock and publish with release
 * stores; readers (path lookup, the data path's callers) traverse the hash
 * chains inside a read-side section with acquire loads.  An unlinked node
 * keeps its own next pointer, so a reader standing on it can walk on until
 * the grace period ends.
 */
#include "core.h"

/* ------------------------------------------------------------------------ */

static unsigned name_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    while (*s)
        h = (h ^ (uint8_t)*s++) * 16777619u;
    return h % NGI_HASH_SIZE;
}

/* Chains are singly linked through id_next / name_next; they are declared
 * as plain pointers in struct ng_node but always accessed through these
 * atomic views (release on publish, acquire on traversal). */
#define NEXTP(p) ((_Atomic(struct ng_node *) *)(void *)(p))

struct ng_node *ngi_node_lookup_id(struct ng_graph *g, ng_id_t id)
{
    struct ng_node *n = atomic_load_explicit(&g->id_hash[id % NGI_HASH_SIZE], memory_order_acquire);
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

struct ng_node *ngi_node_lookup_name(struct ng_graph *g, const char *name)
{
    struct ng_node *n = atomic_load_explicit(&g->name_hash[name_hash(name)], memory_order_acquire);
    for (; n; n = atomic_load_explicit(NEXTP(&n->name_next), memory_order_acquire))
        if (name_eq(n, name))
            return n;
    return NULL;
}

static void chain_insert(_Atomic(struct ng_node *) *bucket, struct ng_node **nextp,
                         struct ng_node *n)
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

void ngi_ns_publish_id(struct ng_graph *g, struct ng_node *n)
{
    NGI_ASSERT_CTL(g);
    chain_insert(&g->id_hash[n->id % NGI_HASH_SIZE], &n->id_next, n);
}

void ngi_ns_set_name(struct ng_graph *g, struct ng_node *n, const char *name)
{
    NGI_ASSERT_CTL(g);
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
}

void ngi_ns_unlink(struct ng_graph *g, struct ng_node *n)
{
    NGI_ASSERT_CTL(g);
    if (n->name[0])
        chain_remove(&g->name_hash[name_hash(n->name)], n, offsetof(struct ng_node, name_next));
    chain_remove(&g->id_hash[n->id % NGI_HASH_SIZE], n, offsetof(struct ng_node, id_next));
}
