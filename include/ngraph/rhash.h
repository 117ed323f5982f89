/*
 * <ngraph/rhash.h> - an RCU hash table for node types' learned state
 * (learnt addresses, a filter's address list): lock-free lookups from any
 * number of threads inside read-side sections, writers serialised by a lock
 * inside the table, memory reclaimed through the graph's grace periods.
 * Part of the node authors' toolbox (src/toolbox/, docs/toolbox.md).
 *
 * Built on Concurrency Kit's ck_ht (SPMC: lock-free readers, one writer at
 * a time), not on liburcu's rculfhash.  ck_ht hands every block it retires
 * (a map replaced by growth or by a reset) to its allocator's free() with a
 * "defer" flag; this table turns that flag into ng_defer(), so the block is
 * freed after a grace period of the graph, whichever backend the graph
 * runs (ck_epoch, qsbr or the rwlock baseline), and a lookup is protected
 * by the very read-side section every node method already runs in.
 * rculfhash would tie its readers to one liburcu flavour: its lookups must
 * run inside rcu_read_lock() of that flavour and its frees wait for that
 * flavour's grace periods, which the threads of a ck_epoch or rwlock graph
 * are not registered with, so the table would be unsafe (or need a second
 * read-side section per frame) on two of the three backends.
 *
 * Keys have a fixed length set at creation.  Keys of 1 to 7 bytes (a MAC
 * address is 6) are stored in the table's slots themselves (ck_ht's direct
 * mode): an insert allocates nothing unless the table grows, and a lookup
 * touches only the table.  Longer keys are copied into a block per entry
 * (ck_ht's byte-string mode), freed after a grace period once removed.
 *
 * Values are the caller's pointers (never NULL): the table stores them and
 * hands them back; it never frees them.  A value removed or replaced may
 * still be in use by a reader that found it just before: free it with
 * ng_defer() (after the call that unlinked it has returned), not at once.
 *
 * Typical use by a shared-mode type: create in the constructor; look up in
 * rcvdata (no lock); insert in rcvdata on a miss (the writer lock, taken
 * only then); age entries from a timer with an iterator; empty the table
 * with ng_rhash_clear() on a persistent node's revive and destroy it in the
 * final shutdown method.
 */
#ifndef NGRAPH_RHASH_H
#define NGRAPH_RHASH_H

#include <stddef.h>
#include <stdint.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest key, in bytes. */
#define NG_RHASH_KEYMAX 1024u

struct ng_rhash; /* opaque */

/*
 * Create a table for keys of keylen bytes in graph g, sized for about
 * size_hint entries (it grows past that as needed: size_hint 0 picks a
 * small table) and holding at most max_entries (0: no limit beyond
 * memory).  Memory the table retires while g's readers may still be
 * inside it is freed through ng_defer(g), so g must outlive every writing
 * call on the table.
 *   Context:  any thread, node methods included (typically a constructor);
 *             allocates; never waits.
 *   Consumes: nothing.
 *   Returns:  0 and *tp; -EINVAL (g or tp NULL, keylen 0 or above
 *             NG_RHASH_KEYMAX, size_hint above max_entries when that is
 *             set); -ENOMEM.
 */
int ng_rhash_create(struct ng_graph *g, size_t keylen, size_t size_hint, size_t max_entries,
                    struct ng_rhash **tp);

/*
 * Free the table and every block it holds, at once.  Values still in it
 * are dropped without being touched: empty the table first
 * (ng_rhash_clear) if they need freeing.  NULL is ignored.
 *   Context:  any thread once no reader can be inside the table and no
 *             other thread uses it (a type: its final shutdown method);
 *             never waits.
 *   Consumes: t.
 *   Returns:  nothing.
 */
void ng_rhash_destroy(struct ng_rhash *t);

/*
 * The value stored for key (keylen bytes, as at creation), or NULL.  Lock
 * free: never takes the writer lock, writes no shared memory, and retries
 * only while a writer recycles a slot on its probe path.  A lookup racing
 * a writer sees the table before or after that writer's change.  The value
 * stays valid for the caller's read-side section even if another thread
 * removes it meanwhile (the remover frees it with ng_defer).
 *   Context:  any thread inside a read-side section of the table's graph
 *             (every node method runs in one; a plain thread brackets its
 *             lookups with ng_batch_begin/ng_batch_end); concurrently with
 *             every call but destroy; never blocks.
 *   Consumes: nothing.
 *   Returns:  the value; NULL if the key is absent (or t or key NULL).
 */
void *ng_rhash_lookup(const struct ng_rhash *t, const void *key);

/*
 * Insert key -> value (value not NULL).  The table may grow: the old map
 * is freed after a grace period.
 *   Context:  any thread, node methods (rcvdata included) and timer
 *             functions too, inside a read-side section or not; takes the
 *             table's writer lock (held for the insert only, or for the
 *             copy into a grown map); never waits for readers.
 *   Consumes: nothing (value stays the caller's; the table refers to it).
 *   Returns:  0; -EINVAL (t, key or value NULL); -EEXIST (key already
 *             present: the table is unchanged); -ENOSPC (max_entries
 *             reached); -ENOMEM.
 */
int ng_rhash_insert(struct ng_rhash *t, const void *key, void *value);

/*
 * Replace the value of an existing key with value (not NULL), in place:
 * a concurrent lookup sees the old value or the new one.  *oldp (if not
 * NULL) receives the old value, which the caller frees with ng_defer.
 *   Context:  as ng_rhash_insert (the writer lock); never allocates.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (t, key or value NULL); -ENOENT (key absent:
 *             nothing inserted).
 */
int ng_rhash_replace(struct ng_rhash *t, const void *key, void *value, void **oldp);

/*
 * Remove key.  *oldp (if not NULL) receives its value, which the caller
 * frees with ng_defer (readers may still hold it).
 *   Context:  as ng_rhash_insert (the writer lock); never allocates.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (t or key NULL); -ENOENT (key absent).
 */
int ng_rhash_remove(struct ng_rhash *t, const void *key, void **oldp);

/*
 * Callback of ng_rhash_clear: called once per entry after the entry was
 * unlinked, with the writer lock held (it must not call a writing function
 * of the same table); typically hands value to ng_defer.
 */
typedef void (*ng_rhash_release_fn)(const void *key, void *value, void *arg);

/*
 * Remove every entry, calling release(key, value, arg) for each (NULL: the
 * values are just dropped), and shrink the table back to its initial size
 * (the old map is freed after a grace period).  Lookups racing it find an
 * entry or not, each one independently.
 *   Context:  as ng_rhash_insert (the writer lock, held throughout).
 *   Consumes: nothing (the values go to release).
 *   Returns:  the number of entries removed; -EINVAL (t NULL); -ENOMEM (the
 *             table is empty but kept its grown size).
 */
int ng_rhash_clear(struct ng_rhash *t, ng_rhash_release_fn release, void *arg);

/*
 * Number of entries (exact when no writer is active, else that of a
 * moment during the call).
 *   Context:  any thread; one atomic load; never blocks.
 *   Consumes: nothing.
 *   Returns:  the count; 0 if t is NULL.
 */
size_t ng_rhash_count(const struct ng_rhash *t);

/*
 * An iteration over every entry, for messages that list the table and for
 * aging.  It holds the table's writer lock from ng_rhash_iter_begin to
 * ng_rhash_iter_end, so the entries it visits are exactly those present
 * (lookups go on meanwhile; writers wait).  Between begin and end the
 * thread may call only ng_rhash_iter_next, ng_rhash_iter_remove,
 * ng_rhash_count and ng_rhash_lookup on this table (any other writing call
 * on it would deadlock).  Fields are private.
 */
struct ng_rhash_iter {
    struct ng_rhash *t;
    struct ng_rhash *prev; /* the thread's writing table before begin */
    uint64_t offset;
    void *cur;            /* the entry last returned by next, or NULL */
    unsigned char key[8]; /* a direct-mode key, unpacked */
};

/*
 * Start an iteration of t (takes the writer lock).
 *   Context:  any thread, node methods included; may block on the writer
 *             lock while another writer works (never for readers).
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (t or it NULL).
 */
int ng_rhash_iter_begin(struct ng_rhash *t, struct ng_rhash_iter *it);

/*
 * Next entry: *keyp (if not NULL) points to its key (valid until the next
 * call on it), *valuep (if not NULL) receives its value.
 *   Context:  the thread that called ng_rhash_iter_begin(it); never blocks.
 *   Consumes: nothing.
 *   Returns:  1 and the entry; 0 when every entry was visited; -EINVAL (it
 *             NULL or not begun).
 */
int ng_rhash_iter_next(struct ng_rhash_iter *it, const void **keyp, void **valuep);

/*
 * Remove the entry the last ng_rhash_iter_next returned (its value is the
 * caller's: free it with ng_defer).  The iteration goes on with the entry
 * after it.
 *   Context:  the iterating thread; never blocks, never allocates.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (it NULL, no current entry, or already removed).
 */
int ng_rhash_iter_remove(struct ng_rhash_iter *it);

/*
 * End an iteration (releases the writer lock).  NULL or an iterator not
 * begun is ignored.
 *   Context:  the iterating thread; never blocks.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
void ng_rhash_iter_end(struct ng_rhash_iter *it);

#ifdef __cplusplus
}
#endif

#endif
