/*
 * graph.c - graph objects, the type registry, per-thread state and read-side
 * sections.
 *
 * Per-thread state (struct ng_thread) exists once per (thread, graph).  It is
 * created lazily by the thread itself on its first call into the graph and
 * found again through a small thread-local cache keyed by the graph's serial
 * number (serials are never reused, so a stale cache slot can never match a
 * new graph).  The state is written only by its thread, except:
 *   - graph->threads (the list of all states) is protected by threads_lock;
 *   - counters are single-writer and read by ng_graph_stats() with relaxed
 *     loads;
 *   - at graph destruction the destroying thread releases every state (the
 *     contract says no other thread may use the graph then).
 * At thread exit a pthread key destructor detaches the thread from every
 * graph that is still alive (found through the process-wide registry).
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* ------------------------------------------------------------------------ */
/* Process-wide registry of live graphs (for thread-exit cleanup).          */
/* ------------------------------------------------------------------------ */

struct ng_reg {
    struct ng_graph *g;
    struct ng_reg *next;
};

static pthread_mutex_t ng_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ng_reg *ng_registry;
static _Atomic uint64_t ng_next_serial = 1;

_Thread_local struct ng_tls_slot ng_tls[NG_TLS_SLOTS] NG_TLS_IE;
_Thread_local unsigned ng_stat_slot NG_TLS_IE; /* 0: shared slot (atomic adds) */
_Thread_local uint64_t ng_fast_serial NG_TLS_IE;

/* Exclusive statistics slots 1..NG_STAT_SLOTS-1, process-wide bitmap. */
static _Atomic uint32_t ng_stat_used;

static void stat_slot_claim(void)
{
    if (ng_stat_slot != 0)
        return;
    uint32_t used = atomic_load(&ng_stat_used);
    for (unsigned i = 1; i < NG_STAT_SLOTS; i++) {
        if (used & (1u << i))
            continue;
        if (atomic_compare_exchange_strong(&ng_stat_used, &used, used | (1u << i))) {
            ng_stat_slot = i;
            return;
        }
        i = 0; /* lost a race: rescan with the fresh bitmap */
    }
}

static void stat_slot_release(void)
{
    if (ng_stat_slot == 0)
        return;
    atomic_fetch_and(&ng_stat_used, ~(1u << ng_stat_slot));
    ng_stat_slot = 0;
}

static pthread_key_t ng_exit_key;
static pthread_once_t ng_exit_once = PTHREAD_ONCE_INIT;

static struct ng_graph *registry_find_locked(uint64_t serial)
{
    for (struct ng_reg *r = ng_registry; r; r = r->next)
        if (r->g->serial == serial)
            return r->g;
    return NULL;
}

/* Unlink t from its graph and free it.  `self`: called by t's own thread
 * (backend detach) rather than by the destroying thread (backend release). */
static void thread_state_free(struct ng_thread *t, bool self)
{
    struct ng_graph *g = t->g;
    pthread_mutex_lock(&g->threads_lock);
    for (struct ng_thread **pp = &g->threads; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    g->gone_alloc += ng_counter_get(&t->items_alloc);
    g->gone_free += ng_counter_get(&t->items_free);
    for (int i = 0; i < NG_DROP_REASONS; i++)
        g->gone_drops[i] += ng_counter_get(&t->drops[i]);
    pthread_mutex_unlock(&g->threads_lock);
    ng_thread_cache_flush(t);
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
    for (int i = 0; i < NG_TLS_SLOTS; i++) {
        if (ng_tls[i].serial == 0)
            continue;
        struct ng_graph *g = registry_find_locked(ng_tls[i].serial);
        if (g && ng_tls[i].t->depth == 0)
            thread_state_free(ng_tls[i].t, true);
        ng_tls[i].serial = 0;
        ng_tls[i].t = NULL;
    }
    pthread_mutex_unlock(&ng_registry_lock);
    stat_slot_release();
}

static void ng_exit_key_init(void)
{
    (void)pthread_key_create(&ng_exit_key, ng_thread_exit_cb);
}

struct ng_thread *ng_thread_get_slow(struct ng_graph *g)
{
    uint64_t serial = g->serial;
    /* Known graph in another slot: move it to slot 0 (most recently used). */
    for (int i = 1; i < NG_TLS_SLOTS; i++) {
        if (ng_tls[i].serial == serial) {
            struct ng_tls_slot tmp = ng_tls[0];
            ng_tls[0] = ng_tls[i];
            ng_tls[i] = tmp;
            return ng_tls[0].t;
        }
    }

    /* Slow path: first call of this thread into g. */
    int slot = -1;
    for (int i = 0; i < NG_TLS_SLOTS; i++) {
        if (ng_tls[i].serial == 0) {
            slot = i;
            break;
        }
    }
    if (slot < 0) {
        /* Too many graphs used by one thread: recycle a slot whose graph is
         * gone, else fail. */
        pthread_mutex_lock(&ng_registry_lock);
        for (int i = 0; i < NG_TLS_SLOTS && slot < 0; i++)
            if (!registry_find_locked(ng_tls[i].serial))
                slot = i;
        pthread_mutex_unlock(&ng_registry_lock);
        if (slot < 0)
            return NULL;
    }
    struct ng_thread *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->g = g;
    t->external = true;
    if (g->bops->thread_attach(g->backend, &t->bt) != 0) {
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
    ng_tls[slot].t = t;
    ng_tls[slot].serial = serial;
    return t;
}

int ng_thread_register(struct ng_graph *g)
{
    if (!g)
        return -EINVAL;
    return ng_thread_get(g) ? 0 : -ENOMEM;
}

void ng_thread_unregister(struct ng_graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < NG_TLS_SLOTS; i++) {
        if (ng_tls[i].serial == g->serial) {
            struct ng_thread *t = ng_tls[i].t;
            if (t->depth != 0 || t->worker)
                return; /* inside a section or a worker: refuse silently */
            ng_tls[i].serial = 0;
            ng_tls[i].t = NULL;
            thread_state_free(t, true);
            return;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Backends                                                                 */
/* ------------------------------------------------------------------------ */

static const char *const ng_backend_names[NG_BACKEND_COUNT] = {"ck_epoch", "qsbr", "rwlock"};

const char *ng_backend_name(enum ng_backend b)
{
    return (unsigned)b < NG_BACKEND_COUNT ? ng_backend_names[b] : NULL;
}

int ng_backend_parse(const char *name, enum ng_backend *out)
{
    if (!name || !out)
        return -EINVAL;
    for (int i = 0; i < NG_BACKEND_COUNT; i++) {
        if (strcmp(name, ng_backend_names[i]) == 0) {
            *out = (enum ng_backend)i;
            return 0;
        }
    }
    return -EINVAL;
}

/* ------------------------------------------------------------------------ */
/* Graph                                                                    */
/* ------------------------------------------------------------------------ */

void ng_graph_config_init(struct ng_graph_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->backend = NG_BACKEND_CK_EPOCH;
    cfg->item_bufsize = 2048;
    cfg->item_headroom = 64;
    cfg->item_limit = 1u << 20;
}

int ng_graph_create(const struct ng_graph_config *ucfg, struct ng_graph **gp)
{
    struct ng_graph_config cfg;
    if (!gp)
        return -EINVAL;
    *gp = NULL;
    ng_graph_config_init(&cfg);
    if (ucfg) {
        cfg.backend = ucfg->backend;
        if (ucfg->item_bufsize)
            cfg.item_bufsize = ucfg->item_bufsize;
        if (ucfg->item_headroom)
            cfg.item_headroom = ucfg->item_headroom;
        if (ucfg->item_limit)
            cfg.item_limit = ucfg->item_limit;
    }
    if (cfg.item_headroom >= cfg.item_bufsize || cfg.item_bufsize > (1u << 24))
        return -EINVAL;
    const struct ng_backend_ops *ops = ng_backend_lookup((int)cfg.backend);
    if (!ops)
        return -EINVAL;

    struct ng_graph *g = calloc(1, sizeof(*g));
    if (!g)
        return -ENOMEM;
    g->bops = ops;
    g->locked = (ops->flags & NG_BF_TOPOLOGY_LOCK) != 0;
    g->kind = cfg.backend;
    g->serial = atomic_fetch_add(&ng_next_serial, 1);
    g->next_id = 1;
    atomic_init(&g->next_token, 1);
    /* Recursive: node methods called under it (disconnect, rcvmsg) may
     * change the topology themselves, as netgraph allows. */
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&g->ctl_lock, &ma);
    pthread_mutexattr_destroy(&ma);
    pthread_mutex_init(&g->threads_lock, NULL);
    ng_objcache_init(&g->hook_cache, NG_HOOK_BLOCK);
    ng_objcache_init(&g->node_cache, sizeof(struct ng_node));
    int rc = ng_pool_init(&g->pool, &cfg);
    if (rc)
        goto fail_pool;
    rc = ops->create(&g->backend);
    if (rc)
        goto fail_backend;

    struct ng_reg *r = malloc(sizeof(*r));
    if (!r) {
        rc = -ENOMEM;
        goto fail_reg;
    }
    const struct ng_type *builtin[] = {&ng_hole_type, &ng_echo_type, &ng_tee_type};
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
        rc = ng_type_register(g, builtin[i]);
        if (rc) {
            free(r);
            goto fail_reg;
        }
    }
    r->g = g;
    pthread_mutex_lock(&ng_registry_lock);
    r->next = ng_registry;
    ng_registry = r;
    pthread_mutex_unlock(&ng_registry_lock);
    *gp = g;
    return 0;

fail_reg:
    while (g->types) {
        struct ng_typeent *te = g->types;
        g->types = te->next;
        free(te);
    }
    ops->destroy(g->backend);
fail_backend:
    ng_pool_fini(&g->pool);
fail_pool:
    ng_objcache_fini(&g->hook_cache);
    ng_objcache_fini(&g->node_cache);
    pthread_mutex_destroy(&g->ctl_lock);
    pthread_mutex_destroy(&g->threads_lock);
    free(g);
    return rc;
}

enum ng_backend ng_graph_backend(const struct ng_graph *g)
{
    return g->kind;
}

/* Is this thread inside a read-side section of any graph?  (qsbr's domain
 * is process-wide, so a section of another graph blocks our grace period
 * just the same; for ck_epoch and rwlock it is merely conservative.) */
static bool thread_in_section(void)
{
    for (int i = 0; i < NG_TLS_SLOTS; i++)
        if (ng_tls[i].serial != 0 && ng_tls[i].t->depth != 0)
            return true;
    return false;
}

int ng_graph_barrier(struct ng_graph *g)
{
    if (!g)
        return -EINVAL;
    if (thread_in_section())
        return -EDEADLK;
    g->bops->barrier(g->backend);
    return 0;
}

int ng_batch_begin(struct ng_graph *g)
{
    if (!g)
        return -EINVAL;
    return ng_enter(g) ? 0 : -ENOMEM;
}

int ng_batch_end(struct ng_graph *g)
{
    if (!g)
        return -EINVAL;
    /* Only a batch can leave this thread in a section between API calls,
     * so depth > 0 here means an open batch of g. */
    struct ng_thread *t = ng_thread_get(g);
    if (!t || t->depth == 0)
        return -EINVAL;
    ng_exit(t);
    /* ck_epoch reclaims only when polled; every 16th batch is enough and
     * keeps the poll's shared try-lock off the injection loop. */
    if (t->depth == 0 && (++t->nbatch & 15) == 0)
        g->bops->poll(g->backend);
    return 0;
}

void ng_graph_destroy(struct ng_graph *g)
{
    if (!g)
        return;
    if (g->runtime)
        ng_runtime_stop(g->runtime);

    /* Shut every node down, persistent ones included.  Shutdown may create
     * nothing new (the graph is ours alone now), so one pass suffices. */
    struct ng_thread *t = ng_enter(g);
    pthread_mutex_lock(&g->ctl_lock);
    g->destroying = true;
    while (g->nodes) {
        struct ng_node *n = g->nodes;
        /* Already-invalid nodes are unlinked from g->nodes by shutdown, so
         * every node here is still alive. */
        ng_node_shutdown_locked(n, true);
    }
    pthread_mutex_unlock(&g->ctl_lock);
    if (t)
        ng_exit(t);

    /* Wait for deferred finishes and frees: each round may defer more
     * (a node's finish drops the hooks' node references...). */
    for (int round = 0; round < 8; round++) {
        g->bops->barrier(g->backend);
        if (atomic_load(&g->nnodes) == 0 && atomic_load(&g->nhooks) == 0)
            break;
    }
    if (atomic_load(&g->nnodes) || atomic_load(&g->nhooks))
        fprintf(stderr, "libngraph: graph destroyed with %llu node(s) and %llu hook(s) still "
                        "referenced by the application\n",
                (unsigned long long)atomic_load(&g->nnodes),
                (unsigned long long)atomic_load(&g->nhooks));

    pthread_mutex_lock(&ng_registry_lock);
    for (struct ng_reg **pp = &ng_registry; *pp; pp = &(*pp)->next) {
        if ((*pp)->g == g) {
            struct ng_reg *r = *pp;
            *pp = r->next;
            free(r);
            break;
        }
    }
    pthread_mutex_unlock(&ng_registry_lock);

    /* Release every thread state: our own with detach, others with release. */
    for (int i = 0; i < NG_TLS_SLOTS; i++) {
        if (ng_tls[i].serial == g->serial) {
            struct ng_thread *self = ng_tls[i].t;
            ng_tls[i].serial = 0;
            ng_tls[i].t = NULL;
            thread_state_free(self, true);
        }
    }
    while (g->threads)
        thread_state_free(g->threads, false);

    g->bops->barrier(g->backend);
    g->bops->destroy(g->backend);
    ng_pool_fini(&g->pool);
    ng_objcache_fini(&g->hook_cache); /* after the last reclamation callback */
    ng_objcache_fini(&g->node_cache);
    while (g->types) {
        struct ng_typeent *te = g->types;
        g->types = te->next;
        free(te);
    }
    pthread_mutex_destroy(&g->ctl_lock);
    pthread_mutex_destroy(&g->threads_lock);
    free(g);
}

void ng_count_drop(struct ng_graph *g, enum ng_drop_reason r)
{
    struct ng_thread *t = ng_thread_get(g);
    if (t)
        ng_counter_add(&t->drops[r], 1);
}

void ng_graph_stats(struct ng_graph *g, struct ng_graph_stats *st)
{
    memset(st, 0, sizeof(*st));
    pthread_mutex_lock(&g->threads_lock);
    st->items_alloc = g->gone_alloc;
    st->items_free = g->gone_free;
    for (int i = 0; i < NG_DROP_REASONS; i++)
        st->drops[i] = g->gone_drops[i];
    for (struct ng_thread *t = g->threads; t; t = t->next) {
        st->items_alloc += ng_counter_get(&t->items_alloc);
        st->items_free += ng_counter_get(&t->items_free);
        for (int i = 0; i < NG_DROP_REASONS; i++)
            st->drops[i] += ng_counter_get(&t->drops[i]);
    }
    pthread_mutex_unlock(&g->threads_lock);
    st->items_live = st->items_alloc - st->items_free;
    st->nodes = atomic_load(&g->nnodes);
    st->hooks = atomic_load(&g->nhooks);
    st->defer_pending = g->bops->pending ? g->bops->pending(g->backend) : 0;
}

/* ------------------------------------------------------------------------ */
/* Type registry (ctl_lock)                                                 */
/* ------------------------------------------------------------------------ */

struct ng_typeent *ng_type_find_locked(struct ng_graph *g, const char *name)
{
    for (struct ng_typeent *te = g->types; te; te = te->next)
        if (strcmp(te->type->name, name) == 0)
            return te;
    return NULL;
}

int ng_type_register(struct ng_graph *g, const struct ng_type *type)
{
    if (!g || !type || type->version != NG_ABI_VERSION || !type->name ||
        ng_name_check(type->name, NG_TYPESIZ) != 0)
        return -EINVAL;
    struct ng_typeent *te = calloc(1, sizeof(*te));
    if (!te)
        return -ENOMEM;
    te->type = type;
    pthread_mutex_lock(&g->ctl_lock);
    for (struct ng_typeent *o = g->types; o; o = o->next) {
        if (strcmp(o->type->name, type->name) == 0 || o->type->cookie == type->cookie) {
            pthread_mutex_unlock(&g->ctl_lock);
            free(te);
            return -EEXIST;
        }
    }
    te->next = g->types;
    g->types = te;
    pthread_mutex_unlock(&g->ctl_lock);
    return 0;
}

int ng_type_unregister(struct ng_graph *g, const char *name)
{
    if (!g || !name)
        return -EINVAL;
    pthread_mutex_lock(&g->ctl_lock);
    for (struct ng_typeent **pp = &g->types; *pp; pp = &(*pp)->next) {
        struct ng_typeent *te = *pp;
        if (strcmp(te->type->name, name) == 0) {
            if (atomic_load(&te->numnodes) != 0) {
                pthread_mutex_unlock(&g->ctl_lock);
                return -EBUSY;
            }
            *pp = te->next;
            pthread_mutex_unlock(&g->ctl_lock);
            free(te);
            return 0;
        }
    }
    pthread_mutex_unlock(&g->ctl_lock);
    return -ENOENT;
}
