/*
 * graph.c - graph lifecycle: configuration, creation and destruction.  The
 * composition root: it wires the layers below together (the backend, the
 * item pool, the upcalls the data path calls, the built-in node types).
 */
#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <ngraph/nodes.h>

#include "control.h"

/* The built-in node types (src/nodes/). */

static _Atomic uint64_t ng_next_serial = 1;

/* What the data path calls above itself (see struct ngi_upcalls). */
static const struct ngi_upcalls ngi_engine_upcalls = {
    .run_ctl = ngi_run_ctl_item,
    .ctl_release = ngi_ctl_item_release,
    .hook_free = ngi_hook_free_cb,
    .node_free = ngi_node_free_cb,
    .node_finish_step = ngi_node_finish_step,
};

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
        cfg.entry = ucfg->entry;
    }
    if (cfg.item_headroom >= cfg.item_bufsize || cfg.item_bufsize > (1u << 24))
        return -EINVAL;
    const struct ngi_backend_ops *ops = ngi_backend_lookup((int)cfg.backend);
    if (!ops || (unsigned)cfg.entry > NG_ENTRY_CAS)
        return -EINVAL;
    bool locked = (ops->flags & NGI_BF_TOPOLOGY_LOCK) != 0;
    bool bias = false;
    if (cfg.entry == NG_ENTRY_BIASED) {
        if (!ngi_entry_bias_available())
            return -EOPNOTSUPP;
        bias = true;
    } else if (cfg.entry == NG_ENTRY_AUTO) {
        /* The rwlock baseline keeps FreeBSD's CAS entry unless asked. */
        bias = !locked && ngi_entry_bias_available();
    }

    struct ng_graph *g = calloc(1, sizeof(*g));
    if (!g)
        return -ENOMEM;
    g->bops = ops;
    g->locked = locked;
    g->bias = bias;
    g->kind = cfg.backend;
    g->serial = atomic_fetch_add(&ng_next_serial, 1);
    g->up = &ngi_engine_upcalls;
    g->next_id = 1;
    atomic_init(&g->next_token, 1);
    /* Recursive: see ngi_ctl_lock. */
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&g->ctl_lock, &ma);
    pthread_mutexattr_destroy(&ma);
    pthread_mutex_init(&g->threads_lock, NULL);
    ngi_objcache_init(&g->hook_cache, NGI_HOOK_BLOCK);
    ngi_objcache_init(&g->node_cache, sizeof(struct ng_node));
    int rc = ngi_pool_init(&g->pool, &cfg);
    if (rc)
        goto fail_pool;
    rc = ops->create(&g->backend);
    if (rc)
        goto fail_backend;
    if ((rc = ngi_ns_init(g)) != 0)
        goto fail_reg;

    /* The standard types (<ngraph/nodes.h>, docs/nodes/README.md). */
    const struct ng_type *builtin[] = {
        &ng_hole_type,  &ng_echo_type,      &ng_tee_type,        &ng_one2many_type,
        &ng_hub_type,   &ng_split_type,     &ng_ether_echo_type, &ng_vlan_type,
        &ng_etf_type,   &ng_macfilter_type, &ng_tag_type,        &ng_car_type,
        &ng_bpf_type,   &ng_tcpmss_type,    &ng_source_type,     &ng_patch_type,
        &ng_pipe_type,  &ng_ksocket_type,   &ng_pcap_type,       &ng_bridge_type,
        &ng_ether_type, &ng_eiface_type,
    };
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
        if ((rc = ng_type_register(g, builtin[i])) != 0)
            goto fail_reg;
    if ((rc = ngi_registry_add(g)) != 0)
        goto fail_reg;
    *gp = g;
    return 0;

fail_reg:
    ngi_types_free_all(g);
    ngi_ns_fini(g);
    ngi_threads_release_all(g);
    ops->barrier(g->backend);
    ops->destroy(g->backend);
fail_backend:
    ngi_pool_fini(&g->pool);
fail_pool:
    ngi_objcache_fini(&g->hook_cache);
    ngi_objcache_fini(&g->node_cache);
    pthread_mutex_destroy(&g->ctl_lock);
    pthread_mutex_destroy(&g->threads_lock);
    free(g);
    return rc;
}

enum ng_backend ng_graph_backend(const struct ng_graph *g) { return g->kind; }

enum ng_entry_scheme ng_graph_entry_scheme(const struct ng_graph *g)
{
    return g->bias ? NG_ENTRY_BIASED : NG_ENTRY_CAS;
}

void ng_graph_destroy(struct ng_graph *g)
{
    if (!g)
        return;
    struct ng_runtime *rt = atomic_load_explicit(&g->runtime, memory_order_acquire);
    if (rt)
        ngi_runtime_ops_of(rt)->stop(rt);
    /* Timers: no new ones from here on (arming fails with -ENXIO), then
     * the timer thread is joined and what is still armed is cancelled. */
    atomic_store_explicit(&g->tclosed, true, memory_order_seq_cst);
    struct ngi_tbase *tb = atomic_exchange_explicit(&g->tbase, NULL, memory_order_acq_rel);
    if (tb)
        ngi_timer_ops_of(tb)->fini(tb);

    /* Shut every node down, persistent ones included.  Shutdown may create
     * nothing new (the graph is ours alone now), so one pass suffices. */
    struct ngi_thread *t = ngi_enter(g);
    ngi_ctl_lock(g);
    g->destroying = true;
    while (g->nodes) {
        struct ng_node *n = g->nodes;
        /* Already-invalid nodes are unlinked from g->nodes by shutdown, so
         * every node here is still alive. */
        ngi_node_shutdown_locked(n, true);
    }
    ngi_ctl_unlock(g);
    if (t)
        ngi_exit(t);

    /* Wait for deferred finishes and frees: each round may defer more
     * (a node's finish drops the hooks' node references...). */
    for (int round = 0; round < 8; round++) {
        g->bops->barrier(g->backend);
        if (atomic_load(&g->nnodes) == 0 && atomic_load(&g->nhooks) == 0)
            break;
    }
    if (atomic_load(&g->nnodes) || atomic_load(&g->nhooks))
        fprintf(stderr,
                "libngraph: graph destroyed with %llu node(s) and %llu hook(s) still "
                "referenced by the application\n",
                (unsigned long long)atomic_load(&g->nnodes),
                (unsigned long long)atomic_load(&g->nhooks));

    ngi_registry_remove(g);
    ngi_threads_release_all(g);
    ngi_ns_fini(g);

    g->bops->barrier(g->backend);
    g->bops->destroy(g->backend);
    ngi_pool_fini(&g->pool);
    ngi_objcache_fini(&g->hook_cache); /* after the last reclamation callback */
    ngi_objcache_fini(&g->node_cache);
    ngi_types_free_all(g);
    pthread_mutex_destroy(&g->ctl_lock);
    pthread_mutex_destroy(&g->threads_lock);
    free(g);
#ifdef __GLIBC__
    /* A large graph's nodes and hooks came from the heap; one allocation
     * the application made after them keeps glibc from trimming its top,
     * so hand the free pages back explicitly (measured: 100k nodes left
     * 107 MiB resident without this, 4 MiB with it). */
    malloc_trim(0);
#endif
}
