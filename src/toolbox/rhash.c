/*
 * rhash.c - the RCU hash table of <ngraph/rhash.h>: Concurrency Kit's ck_ht
 * (SPMC) with a writer mutex and the graph's grace periods behind ck_ht's
 * deferred frees.  Public API only (a toolbox file, like a node type).
 *
 * Who reads, who writes, what protects the memory:
 *   - Readers (ng_rhash_lookup) call ck_ht_get_spmc from inside a read-side
 *     section of the table's graph: it loads the current map with one
 *     acquire load and retries a probe that raced the reuse of a slot
 *     (ck_ht's deletion counter), so it returns a value that was stored for
 *     that key at some moment during the call, or NULL.
 *   - Writers (insert, replace, remove, clear, iterations) hold t->lock,
 *     which makes them ck_ht's single writer.  Any thread may write,
 *     including shared-mode rcvdata on several workers at once; a writer
 *     never waits for readers (frees are deferred).
 *   - Maps: ck_ht allocates a new map when it grows or is reset, publishes
 *     it with a release store and frees the old one with defer = true.
 *     ck_malloc's callbacks carry no context pointer, so every block this
 *     file hands to ck_ht starts with a header (struct rh_block) recording
 *     the graph it belongs to and holding its ng_defer entry: free() finds
 *     the graph in the block itself and needs no global state.  Only
 *     malloc() has to learn the graph from somewhere: each writing call
 *     names its table in a thread-local (rh_owner, saved and restored, so a
 *     callback that writes another table nests correctly) while it holds
 *     the lock, and ck_ht allocates only inside those calls.
 *   - Keys of 1..7 bytes live in the slots (direct mode): packed into a
 *     word with bit 63 set, so a key is never ck_ht's EMPTY (0) nor its
 *     TOMBSTONE (~0).  Longer keys are copied into a struct rh_key per
 *     entry (byte-string mode); once the entry is unlinked the block is
 *     freed through ng_defer, since a reader may still be comparing it.
 *   - Values are the caller's and never freed here.
 * Hashes: direct keys are mixed with a bijective 64-bit finaliser of
 * (key ^ seed), so two keys never share a full hash; byte strings use
 * ck_ht's seeded MurmurHash64A.  The seed is random per table.
 */
#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <ck_ht.h>

#include <ngraph/ngraph.h>
#include <ngraph/rhash.h>

#if defined(__SANITIZE_THREAD__)
#define RH_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RH_TSAN 1
#endif
#endif
#ifdef RH_TSAN
#include <sanitizer/tsan_interface.h>
/* ck_ht's loads and stores are inline assembly in an uninstrumented
 * library, so TSan sees neither its release stores nor its acquire loads:
 *   - tell it that storing a value publishes what the writer wrote into it
 *     (RH_PUBLISH before the insert, RH_SEEN after a lookup found it);
 *   - a lookup in byte-string mode compares the published key copies with
 *     memcmp (an intercepted call) inside ck_ht: those reads are ordered by
 *     ck_ht's own publication, which TSan cannot see, so they are ignored
 *     (RH_READS_BEGIN/END around the probe only).  Writers compare keys
 *     under the table's mutex, which TSan does see. */
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
#define RH_PUBLISH(v) __tsan_release(v)
#define RH_SEEN(v) __tsan_acquire(v)
#define RH_READS_BEGIN() AnnotateIgnoreReadsBegin(__FILE__, __LINE__)
#define RH_READS_END() AnnotateIgnoreReadsEnd(__FILE__, __LINE__)
#else
#define RH_PUBLISH(v) ((void)(v))
#define RH_SEEN(v) ((void)(v))
#define RH_READS_BEGIN() ((void)0)
#define RH_READS_END() ((void)0)
#endif

#define RH_DIRECT_MAX 7u              /* longest key kept in the slot */
#define RH_MIN_SIZE 16u               /* initial capacity floor, entries */
#define RH_HINT_MAX ((size_t)1 << 28) /* ck_ht sizes its maps in 32 bits */

struct ng_rhash {
    ck_ht_t ht;
    struct ng_graph *g;
    pthread_mutex_t lock; /* ck_ht's single writer */
    _Atomic size_t count; /* entries (written under lock) */
    size_t keylen;
    size_t max;     /* 0: no limit */
    size_t initial; /* capacity to shrink back to on clear */
    uint64_t seed;
    bool direct;
};

/* ------------------------------------------------------------------------ */
/* ck_ht's allocator: blocks that know their graph                           */
/* ------------------------------------------------------------------------ */

struct rh_block {
    struct ng_defer_entry de;
    struct ng_graph *g;
    alignas(max_align_t) unsigned char data[];
};

/* The table whose writer lock this thread holds (see the header comment). */
static _Thread_local struct ng_rhash *rh_owner;

static void *rh_malloc(size_t size)
{
    struct ng_rhash *t = rh_owner;
    if (!t)
        return NULL; /* ck_ht allocates only inside writing calls */
    struct rh_block *b = malloc(sizeof(*b) + size);
    if (!b)
        return NULL;
    b->g = t->g;
    return b->data;
}

static struct rh_block *rh_block_of(void *p)
{
    return (struct rh_block *)(void *)((unsigned char *)p - offsetof(struct rh_block, data));
}

static void rh_block_free_cb(struct ng_defer_entry *e) { free((struct rh_block *)(void *)e); }

/* defer: readers may still be inside the block (a map replaced by growth). */
static void rh_free(void *p, size_t size, bool defer)
{
    (void)size;
    if (!p)
        return;
    struct rh_block *b = rh_block_of(p);
    if (!defer || ng_defer(b->g, &b->de, rh_block_free_cb) != 0)
        free(b);
}

static void *rh_realloc(void *p, size_t old, size_t size, bool defer)
{
    void *n = rh_malloc(size);
    if (n && p) {
        memcpy(n, p, old < size ? old : size);
        rh_free(p, old, defer);
    }
    return n;
}

static struct ck_malloc rh_allocator = {
    .malloc = rh_malloc,
    .realloc = rh_realloc,
    .free = rh_free,
};

/* Take the writer lock and name the table for rh_malloc; returns the
 * previous owner for rh_unlock. */
static struct ng_rhash *rh_lock(struct ng_rhash *t)
{
    pthread_mutex_lock(&t->lock);
    struct ng_rhash *prev = rh_owner;
    rh_owner = t;
    return prev;
}

static void rh_unlock(struct ng_rhash *t, struct ng_rhash *prev)
{
    rh_owner = prev;
    pthread_mutex_unlock(&t->lock);
}

/* ------------------------------------------------------------------------ */
/* Keys                                                                     */
/* ------------------------------------------------------------------------ */

/* A byte-string key, immutable once published. */
struct rh_key {
    struct ng_defer_entry de;
    alignas(max_align_t) unsigned char key[];
};

static void rh_key_free_cb(struct ng_defer_entry *e) { free((struct rh_key *)(void *)e); }

static struct rh_key *rh_key_of(const void *k)
{
    return (struct rh_key *)(void *)((unsigned char *)(uintptr_t)k - offsetof(struct rh_key, key));
}

static void rh_key_retire(struct ng_rhash *t, const void *k)
{
    struct rh_key *rk = rh_key_of(k);
    if (ng_defer(t->g, &rk->de, rh_key_free_cb) != 0)
        free(rk);
}

static uintptr_t rh_pack(const struct ng_rhash *t, const void *key)
{
    const unsigned char *b = key;
    uint64_t k = (uint64_t)1 << 63;
    for (size_t i = 0; i < t->keylen; i++)
        k |= (uint64_t)b[i] << (8 * i);
    return (uintptr_t)k;
}

static void rh_unpack(const struct ng_rhash *t, uintptr_t k, unsigned char *out)
{
    for (size_t i = 0; i < t->keylen; i++)
        out[i] = (unsigned char)((uint64_t)k >> (8 * i));
}

static inline uint64_t rh_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The hash of key and an entry naming it (key set, value empty). */
static void rh_entry_for(const struct ng_rhash *t, const void *key, ck_ht_hash_t *h,
                         ck_ht_entry_t *e)
{
    memset(e, 0, sizeof(*e));
    if (t->direct) {
        uintptr_t k = rh_pack(t, key);
        h->value = rh_mix((uint64_t)k ^ t->seed);
        ck_ht_entry_key_set_direct(e, k);
    } else {
        ck_ht_hash(h, (ck_ht_t *)(uintptr_t)&t->ht, key, (uint16_t)t->keylen);
        ck_ht_entry_key_set(e, key, (uint16_t)t->keylen);
    }
}

static void *rh_entry_value(const struct ng_rhash *t, ck_ht_entry_t *e)
{
    return t->direct ? (void *)ck_ht_entry_value_direct(e) : ck_ht_entry_value(e);
}

static void rh_entry_set(const struct ng_rhash *t, ck_ht_entry_t *e, ck_ht_hash_t h, uintptr_t dkey,
                         const void *skey, void *value)
{
    if (t->direct)
        ck_ht_entry_set_direct(e, h, dkey, (uintptr_t)value);
    else
        ck_ht_entry_set(e, h, skey, (uint16_t)t->keylen, value);
}

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                */
/* ------------------------------------------------------------------------ */

static uint64_t rh_seed(const void *salt)
{
    uint64_t s = 0;
    if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s)) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        s = rh_mix((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uintptr_t)salt);
    }
    return s;
}

int ng_rhash_create(struct ng_graph *g, size_t keylen, size_t size_hint, size_t max_entries,
                    struct ng_rhash **tp)
{
    if (tp)
        *tp = NULL;
    if (!g || !tp || keylen == 0 || keylen > NG_RHASH_KEYMAX || size_hint > RH_HINT_MAX ||
        (max_entries && size_hint > max_entries))
        return -EINVAL;
    struct ng_rhash *t = calloc(1, sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->g = g;
    t->keylen = keylen;
    t->max = max_entries;
    t->direct = keylen <= RH_DIRECT_MAX;
    t->seed = rh_seed(t);
    t->initial = size_hint * 2 < RH_MIN_SIZE ? RH_MIN_SIZE : size_hint * 2;
    atomic_init(&t->count, 0);
    if (pthread_mutex_init(&t->lock, NULL) != 0) {
        free(t);
        return -ENOMEM;
    }
    unsigned mode = (t->direct ? CK_HT_MODE_DIRECT : CK_HT_MODE_BYTESTRING) | CK_HT_WORKLOAD_DELETE;
    struct ng_rhash *prev = rh_lock(t);
    bool ok = ck_ht_init(&t->ht, mode, NULL, &rh_allocator, t->initial, t->seed);
    rh_unlock(t, prev);
    if (!ok) {
        pthread_mutex_destroy(&t->lock);
        free(t);
        return -ENOMEM;
    }
    *tp = t;
    return 0;
}

void ng_rhash_destroy(struct ng_rhash *t)
{
    if (!t)
        return;
    if (!t->direct) {
        ck_ht_iterator_t it = CK_HT_ITERATOR_INITIALIZER;
        ck_ht_entry_t *e;
        while (ck_ht_next(&t->ht, &it, &e))
            free(rh_key_of(ck_ht_entry_key(e)));
    }
    ck_ht_destroy(&t->ht);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

/* ------------------------------------------------------------------------ */
/* Readers                                                                  */
/* ------------------------------------------------------------------------ */

void *ng_rhash_lookup(const struct ng_rhash *t, const void *key)
{
    if (!t || !key)
        return NULL;
    ck_ht_hash_t h;
    ck_ht_entry_t e;
    rh_entry_for(t, key, &h, &e);
    if (!t->direct)
        RH_READS_BEGIN();
    bool found = ck_ht_get_spmc((ck_ht_t *)(uintptr_t)&t->ht, h, &e);
    if (!t->direct)
        RH_READS_END();
    if (!found)
        return NULL;
    void *v = rh_entry_value(t, &e);
    RH_SEEN(v);
    return v;
}

size_t ng_rhash_count(const struct ng_rhash *t)
{
    return t ? atomic_load_explicit(&t->count, memory_order_relaxed) : 0;
}

/* ------------------------------------------------------------------------ */
/* Writers                                                                  */
/* ------------------------------------------------------------------------ */

static void rh_count_add(struct ng_rhash *t, long d)
{
    size_t n = atomic_load_explicit(&t->count, memory_order_relaxed);
    atomic_store_explicit(&t->count, n + (size_t)d, memory_order_relaxed);
}

int ng_rhash_insert(struct ng_rhash *t, const void *key, void *value)
{
    if (!t || !key || !value)
        return -EINVAL;
    ck_ht_hash_t h;
    ck_ht_entry_t e;
    int r = 0;
    struct ng_rhash *prev = rh_lock(t);
    rh_entry_for(t, key, &h, &e);
    if (ck_ht_get_spmc(&t->ht, h, &e)) {
        r = -EEXIST;
        goto out;
    }
    if (t->max && atomic_load_explicit(&t->count, memory_order_relaxed) >= t->max) {
        r = -ENOSPC;
        goto out;
    }
    struct rh_key *rk = NULL;
    if (!t->direct) {
        rk = malloc(sizeof(*rk) + t->keylen);
        if (!rk) {
            r = -ENOMEM;
            goto out;
        }
        memcpy(rk->key, key, t->keylen);
    }
    rh_entry_set(t, &e, h, t->direct ? rh_pack(t, key) : 0, rk ? rk->key : NULL, value);
    RH_PUBLISH(value);
    if (!ck_ht_put_spmc(&t->ht, h, &e)) {
        free(rk); /* never published */
        r = -ENOMEM;
        goto out;
    }
    rh_count_add(t, 1);
out:
    rh_unlock(t, prev);
    return r;
}

int ng_rhash_replace(struct ng_rhash *t, const void *key, void *value, void **oldp)
{
    if (!t || !key || !value)
        return -EINVAL;
    ck_ht_hash_t h;
    ck_ht_entry_t e;
    int r = 0;
    struct ng_rhash *prev = rh_lock(t);
    rh_entry_for(t, key, &h, &e);
    if (!ck_ht_get_spmc(&t->ht, h, &e)) {
        r = -ENOENT;
        goto out;
    }
    void *old = rh_entry_value(t, &e);
    /* Keep the published key (byte-string mode: the same block). */
    rh_entry_set(t, &e, h, t->direct ? ck_ht_entry_key_direct(&e) : 0,
                 t->direct ? NULL : ck_ht_entry_key(&e), value);
    RH_PUBLISH(value);
    if (!ck_ht_set_spmc(&t->ht, h, &e)) {
        r = -ENOMEM; /* not reached: an existing key needs no room */
        goto out;
    }
    if (oldp)
        *oldp = old;
out:
    rh_unlock(t, prev);
    return r;
}

/* Unlink the entry for (h, e); retires its key block.  Lock held. */
static bool rh_unlink(struct ng_rhash *t, ck_ht_hash_t h, ck_ht_entry_t *e, void **oldp)
{
    if (!ck_ht_remove_spmc(&t->ht, h, e))
        return false;
    if (oldp)
        *oldp = rh_entry_value(t, e);
    if (!t->direct)
        rh_key_retire(t, ck_ht_entry_key(e));
    rh_count_add(t, -1);
    return true;
}

int ng_rhash_remove(struct ng_rhash *t, const void *key, void **oldp)
{
    if (!t || !key)
        return -EINVAL;
    ck_ht_hash_t h;
    ck_ht_entry_t e;
    struct ng_rhash *prev = rh_lock(t);
    rh_entry_for(t, key, &h, &e);
    bool ok = rh_unlink(t, h, &e, oldp);
    rh_unlock(t, prev);
    return ok ? 0 : -ENOENT;
}

/* ------------------------------------------------------------------------ */
/* Iteration and clearing                                                   */
/* ------------------------------------------------------------------------ */

/* The next live entry at or after *offset of the current map (lock held). */
static ck_ht_entry_t *rh_next(struct ng_rhash *t, uint64_t *offset)
{
    ck_ht_iterator_t ci = {.current = NULL, .offset = *offset};
    ck_ht_entry_t *e = NULL;
    bool ok = ck_ht_next(&t->ht, &ci, &e);
    *offset = ci.offset;
    return ok ? e : NULL;
}

/* The key of a slot, as the caller's bytes (direct: unpacked into buf). */
static const void *rh_slot_key(struct ng_rhash *t, ck_ht_entry_t *e, unsigned char *buf)
{
    if (!t->direct)
        return ck_ht_entry_key(e);
    rh_unpack(t, ck_ht_entry_key_direct(e), buf);
    return buf;
}

int ng_rhash_iter_begin(struct ng_rhash *t, struct ng_rhash_iter *it)
{
    if (!t || !it)
        return -EINVAL;
    memset(it, 0, sizeof(*it));
    it->prev = rh_lock(t);
    it->t = t;
    return 0;
}

int ng_rhash_iter_next(struct ng_rhash_iter *it, const void **keyp, void **valuep)
{
    if (!it || !it->t)
        return -EINVAL;
    struct ng_rhash *t = it->t;
    ck_ht_entry_t *e = rh_next(t, &it->offset);
    it->cur = e;
    if (!e)
        return 0;
    if (keyp)
        *keyp = rh_slot_key(t, e, it->key);
    if (valuep)
        *valuep = rh_entry_value(t, e);
    return 1;
}

int ng_rhash_iter_remove(struct ng_rhash_iter *it)
{
    if (!it || !it->t || !it->cur)
        return -EINVAL;
    struct ng_rhash *t = it->t;
    ck_ht_entry_t *slot = it->cur;
    it->cur = NULL;
    if (slot->key == CK_HT_KEY_EMPTY || slot->key == CK_HT_KEY_TOMBSTONE)
        return -EINVAL;
    unsigned char buf[8];
    ck_ht_hash_t h;
    ck_ht_entry_t e;
    rh_entry_for(t, rh_slot_key(t, slot, buf), &h, &e);
    return rh_unlink(t, h, &e, NULL) ? 0 : -EINVAL;
}

void ng_rhash_iter_end(struct ng_rhash_iter *it)
{
    if (!it || !it->t)
        return;
    struct ng_rhash *t = it->t;
    it->t = NULL;
    it->cur = NULL;
    rh_unlock(t, it->prev);
}

int ng_rhash_clear(struct ng_rhash *t, ng_rhash_release_fn release, void *arg)
{
    if (!t)
        return -EINVAL;
    int n = 0;
    uint64_t off = 0;
    unsigned char buf[8];
    struct ng_rhash *prev = rh_lock(t);
    ck_ht_entry_t *slot;
    while ((slot = rh_next(t, &off)) != NULL) {
        ck_ht_hash_t h;
        ck_ht_entry_t e;
        const void *k = rh_slot_key(t, slot, buf);
        rh_entry_for(t, k, &h, &e);
        void *v = NULL;
        if (!rh_unlink(t, h, &e, &v))
            continue;
        /* The key block (byte strings) is retired but readable until the
         * grace period: release may still look at k. */
        if (release)
            release(k, v, arg);
        if (n < INT32_MAX)
            n++;
    }
    bool ok = ck_ht_reset_size_spmc(&t->ht, t->initial);
    rh_unlock(t, prev);
    return ok ? n : -ENOMEM;
}
