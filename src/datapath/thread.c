/*
 * thread.c - per-thread state, read-side sections and batches.
 *
 * Per-thread state (struct ngi_thread) exists once per (thread, graph).  It
 * is created lazily by the thread itself on its first call into the graph
 * and found again through a small thread-local cache keyed by the graph's
 * serial number (serials are never reused, so a stale cache slot can never
 * match a new graph).  The state is written only by its thread, except:
 *   - graph->threads (the list of all states) is protected by threads_lock;
 *   - counters are single-writer and read by ng_graph_stats() with relaxed
 *     loads;
 *   - at graph destruction the destroying thread releases every state (the
 *     contract says no other thread may use the graph then).
 * At thread exit a pthread key destructor detaches the thread from every
 * graph that is still alive (found through the process-wide registry).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "datapath.h"

/* ------------------------------------------------------------------------ */
/* Process-wide registry of live graphs (for thread-exit cleanup).          */
/* ------------------------------------------------------------------------ */

struct ngi_reg {
    struct ng_graph *g;
    struct ngi_reg *next;
};

static pthread_mutex_t ng_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ngi_reg *ng_registry;

_Thread_local struct ngi_tls_slot ngi_tls[NGI_TLS_SLOTS] NGI_TLS_IE;
/* ngi_stat_slot 0: the shared slot (atomic adds). */
_Thread_local struct ngi_fast_tls ngi_fast NGI_TLS_IE;
/* ngi_stat_slot again, exported for the inline ng_pcounter adds of
 * <ngraph/runtime.h> (declared there); written with it, by this thread. */
__thread unsigned ngi_pc_slot NGI_TLS_IE;

/* This thread's stack bounds [stack_lo, stack_hi) (0, 0 if unknown). */
static _Thread_local uintptr_t stack_lo, stack_hi;
static _Thread_local bool stack_known;

void ngi_stack_floor_set(void)
{
    if (!stack_known) {
        stack_known = true;
        pthread_attr_t a;
        void *addr;
        size_t size;
        if (pthread_getattr_np(pthread_self(), &a) == 0) {
            if (pthread_attr_getstack(&a, &addr, &size) == 0) {
                stack_lo = (uintptr_t)addr;
                stack_hi = stack_lo + size;
            }
            pthread_attr_destroy(&a);
        }
    }
    uintptr_t sp = ngi_stack_pointer();
    if (sp > stack_lo && sp < stack_hi) {
        uintptr_t room = (stack_hi - stack_lo) / 8;
        room = room < (16u << 10) ? (16u << 10) : room > (1u << 20) ? (1u << 20) : room;
        ngi_stack_floor = stack_lo + room;
    } else {
        ngi_stack_floor = sp > (256u << 10) ? sp - (256u << 10) : 0;
    }
}

/* Exclusive statistics slots 1..NGI_STAT_SLOTS-1, process-wide bitmap. */
static _Atomic uint32_t ng_stat_used;

static void stat_slot_claim(void)
{
    if (ngi_stat_slot != 0)
        return;
    uint32_t used = atomic_load(&ng_stat_used);
    for (unsigned i = 1; i < NGI_STAT_SLOTS; i++) {
        if (used & (1u << i))
            continue;
        if (atomic_compare_exchange_strong(&ng_stat_used, &used, used | (1u << i))) {
            ngi_stat_slot = i;
            ngi_pc_slot = i;
            return;
        }
        i = 0; /* lost a race: rescan with the fresh bitmap */
    }
}

static void stat_slot_release(void)
{
    if (ngi_stat_slot == 0)
        return;
    atomic_fetch_and(&ng_stat_used, ~(1u << ngi_stat_slot));
    ngi_stat_slot = 0;
    ngi_pc_slot = 0;
}

static pthread_key_t ng_exit_key;
static pthread_once_t ng_exit_once = PTHREAD_ONCE_INIT;

static struct ng_graph *registry_find_locked(uint64_t serial)
{
    for (struct ngi_reg *r = ng_registry; r; r = r->next)
        if (r->g->serial == serial)
            return r->g;
    return NULL;
}

/* Unlink t from its graph and free it.  `self`: called by t's own thread
 * (backend detach) rather than by the destroying thread (backend release). */
/* Claim a released announcement block of g, or push a new one. */
static struct ngi_ann *ann_claim(struct ng_graph *g)
{
    for (struct ngi_ann *a = atomic_load_explicit(&g->anns, memory_order_acquire); a; a = a->next) {
        bool f = false;
        if (!atomic_load_explicit(&a->used, memory_order_relaxed) &&
            atomic_compare_exchange_strong(&a->used, &f, true))
            return a;
    }
    struct ngi_ann *a = aligned_alloc(64, sizeof(*a));
    if (!a)
        return NULL;
    memset(a, 0, sizeof(*a));
    atomic_init(&a->used, true);
    struct ngi_ann *head = atomic_load_explicit(&g->anns, memory_order_relaxed);
    do
        a->next = head;
    while (!atomic_compare_exchange_weak_explicit(&g->anns, &head, a, memory_order_release,
                                                  memory_order_relaxed));
    return a;
}

/* Give a block back: its stack is empty (the thread is outside every
 * section of g), so every slot is NULL for scanners already. */
static void ann_release(struct ngi_ann *a)
{
    NGI_ASSERT(a->top == 0);
    for (unsigned i = 0; i < NGI_ANN_SLOTS; i++)
        NGI_ASSERT(atomic_load_explicit(&a->slot[i], memory_order_relaxed) == NULL);
    atomic_store_explicit(&a->used, false, memory_order_release);
}

static void thread_state_free(struct ngi_thread *t, bool self)
{
    struct ng_graph *g = t->g;
    pthread_mutex_lock(&g->threads_lock);
    for (struct ngi_thread **pp = &g->threads; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    g->gone_alloc += ngi_counter_get(&t->items_alloc);
    g->gone_free += ngi_counter_get(&t->items_free);
    for (int i = 0; i < NG_DROP_REASONS; i++)
        g->gone_drops[i] += ngi_counter_get(&t->drops[i]);
    pthread_mutex_unlock(&g->threads_lock);
    ngi_thread_cache_flush(t);
    ann_release(t->ann);
    if (self)
        g->bops->thread_detach(g->backend, t->bt);
    else
        g->bops->thread_release(g->backend, t->bt);
    free(t);
}

static void ng_thread_exit_cb(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&ng_registry_lock);
    for (int i = 0; i < NGI_TLS_SLOTS; i++) {
        if (ngi_tls[i].serial == 0)
            continue;
        struct ng_graph *g = registry_find_locked(ngi_tls[i].serial);
        if (g && ngi_tls[i].t->depth == 0)
            thread_state_free(ngi_tls[i].t, true);
        ngi_tls[i].serial = 0;
        ngi_tls[i].t = NULL;
    }
    pthread_mutex_unlock(&ng_registry_lock);
    stat_slot_release();
}

static void ng_exit_key_init(void) { (void)pthread_key_create(&ng_exit_key, ng_thread_exit_cb); }

struct ngi_thread *ngi_thread_get_slow(struct ng_graph *g)
{
    uint64_t serial = g->serial;
    /* Known graph in another slot: move it to slot 0 (most recently used). */
    for (int i = 1; i < NGI_TLS_SLOTS; i++) {
        if (ngi_tls[i].serial == serial) {
            struct ngi_tls_slot tmp = ngi_tls[0];
            ngi_tls[0] = ngi_tls[i];
            ngi_tls[i] = tmp;
            return ngi_tls[0].t;
        }
    }

    /* Slow path: first call of this thread into g. */
    int slot = -1;
    for (int i = 0; i < NGI_TLS_SLOTS; i++) {
        if (ngi_tls[i].serial == 0) {
            slot = i;
            break;
        }
    }
    if (slot < 0) {
        /* Too many graphs used by one thread: recycle a slot whose graph is
         * gone, else fail. */
        pthread_mutex_lock(&ng_registry_lock);
        for (int i = 0; i < NGI_TLS_SLOTS && slot < 0; i++)
            if (!registry_find_locked(ngi_tls[i].serial))
                slot = i;
        pthread_mutex_unlock(&ng_registry_lock);
        if (slot < 0)
            return NULL;
    }
    struct ngi_thread *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->g = g;
    t->external = true;
    t->ann = ann_claim(g);
    if (!t->ann) {
        free(t);
        return NULL;
    }
    if (g->bops->thread_attach(g->backend, &t->bt) != 0) {
        ann_release(t->ann);
        free(t);
        return NULL;
    }
    pthread_mutex_lock(&g->threads_lock);
    t->next = g->threads;
    g->threads = t;
    pthread_mutex_unlock(&g->threads_lock);
    pthread_once(&ng_exit_once, ng_exit_key_init);
    pthread_setspecific(ng_exit_key, (void *)1);
    stat_slot_claim();
    ngi_tls[slot].t = t;
    ngi_tls[slot].serial = serial;
    return t;
}

int ng_thread_register(struct ng_graph *g)
{
    if (!g)
        return -EINVAL;
    return ngi_thread_get(g) ? 0 : -ENOMEM;
}

void ng_thread_unregister(struct ng_graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < NGI_TLS_SLOTS; i++) {
        if (ngi_tls[i].serial == g->serial) {
            struct ngi_thread *t = ngi_tls[i].t;
            if (t->depth != 0 || t->worker)
                return; /* inside a section or a worker: refuse silently */
            ngi_tls[i].serial = 0;
            ngi_tls[i].t = NULL;
            thread_state_free(t, true);
            return;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Graph registry and graph destruction                                     */
/* ------------------------------------------------------------------------ */

int ngi_registry_add(struct ng_graph *g)
{
    struct ngi_reg *r = malloc(sizeof(*r));
    if (!r)
        return -ENOMEM;
    r->g = g;
    pthread_mutex_lock(&ng_registry_lock);
    r->next = ng_registry;
    ng_registry = r;
    pthread_mutex_unlock(&ng_registry_lock);
    return 0;
}

void ngi_registry_remove(struct ng_graph *g)
{
    pthread_mutex_lock(&ng_registry_lock);
    for (struct ngi_reg **pp = &ng_registry; *pp; pp = &(*pp)->next) {
        if ((*pp)->g == g) {
            struct ngi_reg *r = *pp;
            *pp = r->next;
            free(r);
            break;
        }
    }
    pthread_mutex_unlock(&ng_registry_lock);
}

void ngi_threads_release_all(struct ng_graph *g)
{
    /* Our own state with detach (we are its thread), others with release. */
    for (int i = 0; i < NGI_TLS_SLOTS; i++) {
        if (ngi_tls[i].serial == g->serial) {
            struct ngi_thread *self = ngi_tls[i].t;
            ngi_tls[i].serial = 0;
            ngi_tls[i].t = NULL;
            thread_state_free(self, true);
        }
    }
    while (g->threads)
        thread_state_free(g->threads, false);
    /* No thread uses g any more: the announcement blocks go too. */
    struct ngi_ann *a = atomic_exchange(&g->anns, NULL);
    while (a) {
        struct ngi_ann *next = a->next;
        free(a);
        a = next;
    }
}

/* ------------------------------------------------------------------------ */
/* Sections, barriers and batches                                           */
/* ------------------------------------------------------------------------ */

/* Is this thread inside a read-side section of any graph?  (qsbr's domain
 * is process-wide, so a section of another graph blocks our grace period
 * just the same; for ck_epoch and rwlock it is merely conservative.) */
bool ngi_thread_in_section(void)
{
    for (int i = 0; i < NGI_TLS_SLOTS; i++)
        if (ngi_tls[i].serial != 0 && ngi_tls[i].t->depth != 0)
            return true;
    return false;
}

int ng_graph_barrier(struct ng_graph *g)
{
    if (!g)
        return -EINVAL;
    if (ngi_thread_in_section())
        return -EDEADLK;
    g->bops->barrier(g->backend);
    return 0;
}

/* ng_defer: the public entry is the backend's struct ngi_defer followed by
 * the type's callback.  The backend owns the ngi_defer part from defer()
 * until it calls defer_trampoline, which hands the entry back to the type. */
struct defer_pub {
    struct ngi_defer d;
    ng_defer_fn fn;
};
static_assert(sizeof(struct defer_pub) <= sizeof(struct ng_defer_entry),
              "struct ng_defer_entry too small for the backend's entry");
static_assert(_Alignof(struct defer_pub) <= _Alignof(struct ng_defer_entry),
              "struct ng_defer_entry under-aligned");

static void defer_trampoline(struct ngi_defer *d)
{
    struct defer_pub *p = (struct defer_pub *)d;
    p->fn((struct ng_defer_entry *)p);
}

int ng_defer(struct ng_graph *g, struct ng_defer_entry *e, ng_defer_fn fn)
{
    if (!g || !e || !fn)
        return -EINVAL;
    struct defer_pub *p = (struct defer_pub *)e;
    p->fn = fn;
    g->bops->defer(g->backend, &p->d, defer_trampoline);
    return 0;
}

int ng_batch_begin(struct ng_graph *g)
{
    if (!g)
        return -EINVAL;
    struct ngi_thread *t = ngi_enter(g);
    if (!t)
        return -ENOMEM;
    t->batches++;
    return 0;
}

/* After the outermost batch ended, or a quiescent state inside one: ck_epoch
 * reclaims only when polled; every 16th is enough and keeps the poll's
 * shared try-lock off the injection loop. */
static void batch_poll(struct ng_graph *g, struct ngi_thread *t)
{
    if ((++t->nbatch & 15) == 0)
        g->bops->poll(g->backend);
}

int ng_batch_end(struct ng_graph *g)
{
    if (!g)
        return -EINVAL;
    /* A batch of g open on this thread: its section is open too (depth
     * counts it).  What cannot be told apart is a node method run inside
     * the batch by a fast-path hop (no per-thread write): the API says
     * never to call this there. */
    struct ngi_thread *t = ngi_thread_get(g);
    if (!t || t->batches == 0 || t->depth == 0)
        return -EINVAL;
    t->batches--;
    ngi_exit(t);
    if (t->depth == 0)
        batch_poll(g, t);
    return 0;
}

int ng_batch_quiescent(struct ng_graph *g)
{
    if (!g)
        return -EINVAL;
    struct ngi_thread *t = ngi_thread_get(g);
    if (!t || t->batches == 0 || t->depth == 0 || t->worker)
        return -EINVAL;
    /* More than the batch's own section: nested batches, or a node method
     * entered by a slow-path hop (ng_send_data outside the fast path) or
     * as a netgraph-mode reader; each may still use what it read.  (A
     * method that a fast-path hop ran inside the batch leaves no trace:
     * the API forbids the call there.) */
    if (t->batches > 1 || t->depth > 1 || t->ann->top != 0)
        return -EBUSY;
    if (!g->bops->quiescent(t->bt))
        return -EBUSY; /* qsbr: another graph's section is open on this thread */
    batch_poll(g, t);
    return 0;
}

void ng_count_drop(struct ng_graph *g, enum ng_drop_reason r)
{
    if (!g || (unsigned)r >= NG_DROP_REASONS)
        return;
    struct ngi_thread *t = ngi_thread_get(g);
    if (t)
        ngi_counter_add(&t->drops[r], 1);
}
