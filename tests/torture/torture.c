/*
 * torture.c - randomised topology torture for libngraph (issue #5 item 1).
 *
 * Traffic workers (plain pthreads, ng_thread_register + ng_send_data /
 * ng_inject_data) push items through a random graph of "tort" nodes while
 * two control threads perform random topology operations: create, mkpeer,
 * connect, rmhook, shutdown, name, generic and type messages, ng_send_fn,
 * force-writer / force-queue toggles, barriers, and timer arm / cancel.
 *
 * Reproducibility: every control thread draws its operations and their
 * arguments from its own splitmix64 stream derived from the seed, and every
 * draw is made whatever the outcome of earlier operations, so the same seed
 * yields the same schedule of operations (the outcomes depend on timing).
 * The seed is printed at start, with a digest of each thread's first 1000
 * operations at the end: re-running with --seed S prints the same digests.
 *
 * Invariants, checked continuously (every 20 ms by the main thread, and at
 * every method entry) and at the end:
 *   - items: delivered + dropped (by reason) never exceeds sent; at the end
 *     sent == items_alloc == delivered + dropped, items_live == 0;
 *   - no method of a tort node (rcvdata, rcvmsg, newhook, connect,
 *     disconnect, ng_send_fn callbacks, timer callbacks) is entered after its
 *     type shutdown method returned: the private state carries a magic and a
 *     "shut" flag, and after shutdown it is poisoned for ASan (and kept in a
 *     graveyard until the end, so a late call is caught without ASan too);
 *   - after shutting every node down and a barrier: ng_graph_stats() reports
 *     0 nodes and 0 hooks (every node and hook reference dropped and the
 *     memory reclaimed), and every constructed tort node had its shutdown
 *     method run exactly once.
 *
 * Timers need the worker runtime (include/ngraph/runtime.h).  They are used
 * only when the library provides ng_runtime_start() and ng_timer_arm(): the
 * check is made at link time through weak references (see TORTURE_TIMERS),
 * so this file builds against a library whose runtime is still a stub.
 *
 * Built as a library (interface in torture.h, PRNG and clock from
 * tests/support); used by tests/torture/test_torture_short.c (ctest, ~5 s per
 * backend, label "concurrency"), which takes --seconds N --seed S --workers W.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ngraph/ngraph.h>
#include <ngraph/runtime.h>

#include "ngtest.h"
#include "torture.h"

#if defined(__SANITIZE_ADDRESS__)
#define TORTURE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TORTURE_ASAN 1
#endif
#endif
#ifdef TORTURE_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* ------------------------------------------------------------------------ */
/* Timers: compile-time switch + link-time detection                        */
/* ------------------------------------------------------------------------ */
/*
 * TORTURE_TIMERS (default 1) compiles the timer operations in.  Whether the
 * library implements them is decided at link time: these weak references
 * resolve to NULL while src/runtime.c is a stub without them.  Build with
 * -DTORTURE_TIMERS=0 to leave timers out entirely.
 */
#ifndef TORTURE_TIMERS
#define TORTURE_TIMERS 1
#endif
#if TORTURE_TIMERS
#pragma weak ng_runtime_start
#pragma weak ng_runtime_config_init
#pragma weak ng_timer_init
#pragma weak ng_timer_arm
#pragma weak ng_timer_cancel
static int timers_linked(void)
{
    return ng_runtime_start != NULL && ng_runtime_config_init != NULL && ng_timer_init != NULL &&
           ng_timer_arm != NULL && ng_timer_cancel != NULL;
}
#else
static int timers_linked(void) { return 0; }
#endif

/* ------------------------------------------------------------------------ */
/* Limits, global counters                                                  */
/* ------------------------------------------------------------------------ */

#define NSLOTS 16             /* nodes are named t0..t15 */
#define NHOOKS TORTURE_NHOOKS /* hook indices 0..3: h0..h3 on tort nodes */
#define NCTL 2                /* control threads */
#define MAXWORKERS 16

struct padded {
    _Atomic uint64_t n;
    char pad[56];
};

static struct {
    struct padded sent[MAXWORKERS]; /* per worker, published before the send */
    struct padded delivered[8];     /* striped by item */
    _Atomic uint64_t ctor, dtor, violations, fn_calls, timer_fires, msgs;
    _Atomic int timers_on;
} T;

#define VIOLATION(...)                                                                             \
    do {                                                                                           \
        atomic_fetch_add(&T.violations, 1);                                                        \
        fprintf(stderr, "torture: VIOLATION: " __VA_ARGS__);                                       \
        fputc('\n', stderr);                                                                       \
        abort();                                                                                   \
    } while (0)

static void count_delivered(struct ng_item *it)
{
    unsigned s = (unsigned)(((uintptr_t)it >> 6) & 7);
    atomic_fetch_add_explicit(&T.delivered[s].n, 1, memory_order_relaxed);
}

static uint64_t delivered_total(void)
{
    uint64_t d = 0;
    for (int i = 0; i < 8; i++)
        d += atomic_load(&T.delivered[i].n);
    return d;
}

/* ------------------------------------------------------------------------ */
/* The torture node types                                                   */
/* ------------------------------------------------------------------------ */

#define TPRIV_MAGIC 0x70727456u /* "Vtrp" */
#define TORT_COOKIE 0x7e57f00du
#define TORT_PING 1

struct tpriv {
    uint32_t magic;
    _Atomic int shut;
    _Atomic uint64_t entries;
#if TORTURE_TIMERS
    struct ng_timer timer;
#endif
    struct tpriv *grave_next;
};

static pthread_mutex_t grave_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tpriv *graveyard;

static struct tpriv *enter(struct ng_node *node, const char *what)
{
    struct tpriv *p = ng_node_private(node);
    if (!p)
        VIOLATION("%s on node [%x] without private state", what, ng_node_id(node));
    /* Under ASan a late call faults right here (the memory is poisoned). */
    if (p->magic != TPRIV_MAGIC || atomic_load(&p->shut))
        VIOLATION("%s on node [%x] after its shutdown method returned", what, ng_node_id(node));
    atomic_fetch_add_explicit(&p->entries, 1, memory_order_relaxed);
    return p;
}

static int tort_ctor(struct ng_node *node)
{
    struct tpriv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->magic = TPRIV_MAGIC;
#if TORTURE_TIMERS
    if (atomic_load(&T.timers_on))
        ng_timer_init(&p->timer);
#endif
    ng_node_set_private(node, p);
    atomic_fetch_add(&T.ctor, 1);
    return 0;
}

static void tort_shutdown(struct ng_node *node)
{
    struct tpriv *p = enter(node, "shutdown");
    atomic_store(&p->shut, 1);
    p->magic = 0xdeadbeefu;
    pthread_mutex_lock(&grave_lock);
    p->grave_next = graveyard;
    graveyard = p;
    pthread_mutex_unlock(&grave_lock);
    POISON(p, sizeof(*p));
    atomic_fetch_add(&T.dtor, 1);
}

static void graveyard_free(void)
{
    pthread_mutex_lock(&grave_lock);
    while (graveyard) {
        struct tpriv *p = graveyard;
        UNPOISON(p, sizeof(*p));
        graveyard = p->grave_next;
        free(p);
    }
    pthread_mutex_unlock(&grave_lock);
}

/* Item metadata: [0] time to live (hops), [1] PRNG state for routing. */
static int tort_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct ng_node *node = ng_hook_node(hook);
    enter(node, "rcvdata");
    uint64_t *meta = ng_item_meta(item);
    if (meta[0] == 0) {
        count_delivered(item);
        ng_item_free(item);
        return 0;
    }
    meta[0]--;
    char name[8];
    snprintf(name, sizeof(name), "h%u", (unsigned)(ngtest_splitmix(&meta[1]) % NHOOKS));
    struct ng_hook *out;
    if (ng_hook_find(node, name, &out) != 0) {
        count_delivered(item); /* sunk here: no such hook */
        ng_item_free(item);
        return 0;
    }
    int rc = ng_send_data(out, item); /* failures are counted by the engine */
    ng_hook_unref(out);
    return rc;
}

static int tort_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    enter(node, "rcvmsg");
    struct ng_mesg *m = ng_item_msg(item);
    if (m->header.typecookie == TORT_COOKIE && m->header.cmd == TORT_PING &&
        !(m->header.flags & NGF_RESP)) {
        struct ng_mesg *r = ng_mesg_response(m, sizeof(uint32_t));
        if (!r) {
            ng_item_free(item);
            return -ENOMEM;
        }
        uint32_t id = ng_node_id(node);
        memcpy(r->data, &id, sizeof(id));
        return ng_respond(item, 0, r);
    }
    ng_item_free(item);
    return -EINVAL;
}

static int tort_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    (void)hook;
    (void)name;
    enter(node, "newhook");
    return 0;
}

static int tort_connect(struct ng_hook *hook)
{
    enter(ng_hook_node(hook), "connect");
    return 0;
}

static int tort_disconnect(struct ng_hook *hook)
{
    enter(ng_hook_node(hook), "disconnect");
    return 0;
}

static const struct ng_cmdlist tort_cmds[] = {
    {TORT_COOKIE, TORT_PING, "ping", NULL, NULL, 0},
    {0, 0, NULL, NULL, NULL, 0},
};

/* "tort": concurrent rcvdata (shared mode); "tortw": the same methods under
 * netgraph's reader/writer discipline. */
#define TORT_TYPE(tname, tcookie, tflags)                                                          \
    {                                                                                              \
        .version = NG_ABI_VERSION, .name = tname, .cookie = tcookie, .flags = tflags,              \
        .constructor = tort_ctor, .rcvmsg = tort_rcvmsg, .shutdown = tort_shutdown,                \
        .newhook = tort_newhook, .connect = tort_connect, .rcvdata = tort_rcvdata,                 \
        .disconnect = tort_disconnect, .cmdlist = tort_cmds,                                       \
    }
static const struct ng_type tort_type = TORT_TYPE("tort", TORT_COOKIE, NG_TYPE_CONCURRENT_DATA);
static const struct ng_type tortw_type = TORT_TYPE("tortw", TORT_COOKIE + 1, 0);

static const char *const tort_types[] = {"tort", "tortw"};
static _Atomic int std_on; /* --types std: the standard types join the mix */

/* A type for a new node: tort or tortw, or with --types std one of the
 * standard types half of the time. */
static const char *draw_type(uint64_t r)
{
    if (atomic_load_explicit(&std_on, memory_order_relaxed) && (r >> 32) % 2)
        return torture_std_name((unsigned)(r >> 40) % torture_std_count());
    return tort_types[r % 2];
}

/* ng_send_fn callbacks; arg2: 0 plain, 1 arm the node's timer, 2 cancel it. */
#if TORTURE_TIMERS
static void timer_cb(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)hook;
    (void)arg1;
    (void)arg2;
    enter(node, "timer");
    atomic_fetch_add(&T.timer_fires, 1);
}
#endif

static void fn_cb(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)hook;
    const struct ng_type *ty = ng_node_type(node);
    if (ty != &tort_type && ty != &tortw_type) { /* a standard node: just count */
        atomic_fetch_add(&T.fn_calls, 1);
        return;
    }
    struct tpriv *p = enter(node, "ng_send_fn callback");
    atomic_fetch_add(&T.fn_calls, 1);
#if TORTURE_TIMERS
    /* Timer operations run as writer on the node: serialised per timer. */
    if (atomic_load(&T.timers_on)) {
        uint64_t delay = (uint64_t)(uintptr_t)arg1;
        if (arg2 == 1)
            (void)ng_timer_arm(&p->timer, node, NULL, delay, timer_cb, NULL, 0);
        else if (arg2 == 2)
            (void)ng_timer_cancel(&p->timer);
    }
#else
    (void)p;
    (void)arg1;
    (void)arg2;
#endif
}

/* ------------------------------------------------------------------------ */
/* Traffic workers                                                          */
/* ------------------------------------------------------------------------ */

struct torture {
    struct torture_opts o;
    struct ng_graph *g;
    _Atomic int stop_traffic, stop_ctl;
    _Atomic unsigned next_worker;
    uint64_t ops[NCTL][16], ok[NCTL][16], digest[NCTL], nops[NCTL];
};

static void slot_name(char *buf, size_t n, unsigned i) { snprintf(buf, n, "t%u", i % NSLOTS); }

static void *worker_main(void *arg)
{
    struct torture *tt = arg;
    unsigned id = atomic_fetch_add(&tt->next_worker, 1);
    uint64_t rng = tt->o.seed ^ (0xa5a5a5a5ull * (id + 101));
    if (ng_thread_register(tt->g) != 0)
        VIOLATION("ng_thread_register failed");
    uint64_t sent = 0;
    while (!atomic_load_explicit(&tt->stop_traffic, memory_order_relaxed)) {
        char name[8], hname[NG_HOOKSIZ];
        slot_name(name, sizeof(name), (unsigned)ngtest_splitmix(&rng));
        unsigned hidx = (unsigned)(ngtest_splitmix(&rng) % NHOOKS);
        struct ng_node *n;
        if (ng_node_find(tt->g, name, &n) != 0)
            continue;
        torture_hook_name(n, NULL, hidx, hname, sizeof(hname));
        bool inject = ngtest_splitmix(&rng) % 4 == 0;
        struct ng_hook *h = NULL;
        if (!inject && ng_hook_find(n, hname, &h) != 0) {
            ng_node_unref(n);
            continue;
        }
        for (int i = 0; i < 64; i++) {
            struct ng_item *it = ng_item_alloc(tt->g, 32 + (uint32_t)(i % 4) * 100);
            if (!it)
                break;
            uint64_t *meta = ng_item_meta(it);
            meta[0] = ngtest_splitmix(&rng) % 6;
            meta[1] = ngtest_splitmix(&rng);
            sent++;
            atomic_store_explicit(&T.sent[id].n, sent, memory_order_seq_cst);
            if (inject)
                (void)ng_inject_data(n, hname, it);
            else
                (void)ng_send_data(h, it);
        }
        ng_hook_unref(h);
        ng_node_unref(n);
    }
    ng_thread_unregister(tt->g);
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Control threads                                                          */
/* ------------------------------------------------------------------------ */

enum {
    OP_CREATE,
    OP_MKPEER,
    OP_CONNECT,
    OP_RMHOOK,
    OP_SHUTDOWN,
    OP_NAME,
    OP_MSG,
    OP_SENDFN,
    OP_FORCE,
    OP_TIMER_ARM,
    OP_TIMER_CANCEL,
    OP_BARRIER,
    OP_COUNT
};
static const char *const op_names[OP_COUNT] = {
    "create", "mkpeer",  "connect", "rmhook",    "shutdown",     "name",
    "msg",    "send_fn", "force",   "timer_arm", "timer_cancel", "barrier",
};
static unsigned op_weight[OP_COUNT] = {6, 8, 12, 10, 4, 4, 12, 10, 4, 4, 3, 1};

/* NG_TORTURE_EXCLUDE="name,msg": give those operations weight 0 (for
 * bisecting a failure; changes the schedule, so the digests differ). */
static void apply_exclude(void)
{
    const char *e = getenv("NG_TORTURE_EXCLUDE");
    if (!e)
        return;
    for (int i = 0; i < OP_COUNT; i++) {
        const char *p = strstr(e, op_names[i]);
        size_t l = strlen(op_names[i]);
        if (p && (p == e || p[-1] == ',') && (p[l] == '\0' || p[l] == ',')) {
            op_weight[i] = 0;
            printf("torture: operation %s excluded\n", op_names[i]);
        }
    }
}

struct ctl_args {
    struct torture *tt;
    unsigned idx;
};

static int find_slot(struct ng_graph *g, unsigned slot, struct ng_node **np)
{
    char name[8];
    slot_name(name, sizeof(name), slot);
    return ng_node_find(g, name, np);
}

/* Name a fresh node, or shut it down if the name is taken. */
static int name_or_kill(struct ng_node *nn, unsigned slot)
{
    char name[8];
    slot_name(name, sizeof(name), slot);
    int rc = ng_node_name(nn, name);
    if (rc != 0)
        (void)ng_node_shutdown(nn);
    return rc;
}

/* Name hook index idx of the node in slot (or "h<idx>" if the slot is empty). */
static void slot_hook_name(struct ng_graph *g, unsigned slot, unsigned idx, char *buf, size_t n)
{
    struct ng_node *node = NULL;
    char name[8];
    slot_name(name, sizeof(name), slot);
    if (ng_node_find(g, name, &node) != 0)
        node = NULL;
    torture_hook_name(node, node ? NULL : "tort", idx, buf, n);
    if (node)
        ng_node_unref(node);
}

static int do_msg(struct torture *tt, const uint64_t *a)
{
    char path[64], hook[NG_HOOKSIZ];
    bool std = atomic_load_explicit(&std_on, memory_order_relaxed);
    unsigned kind = (unsigned)(a[0] % (std ? 12 : 10));
    unsigned slot = (unsigned)(a[2] % NSLOTS);
    if (a[1] % 3 == 0) {
        slot_hook_name(tt->g, slot, (unsigned)(a[3] % NHOOKS), hook, sizeof(hook));
        snprintf(path, sizeof(path), "t%u:%s", slot, hook);
    } else {
        snprintf(path, sizeof(path), "t%u:", slot);
    }
    struct ng_mesg *m = NULL;
    bool want_resp = true;
    switch (kind) {
    case 0:
        m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_NODEINFO, 0);
        break;
    case 1:
        m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_LISTHOOKS, 0);
        break;
    case 2:
        m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, 0);
        break;
    case 3:
        m = ng_mesg_alloc(TORT_COOKIE, TORT_PING, 0);
        break;
    case 4:
        m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_LISTNODES, 0);
        break;
    case 5: {
        m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_RMHOOK, sizeof(struct ngm_rmhook));
        if (m)
            slot_hook_name(tt->g, slot, (unsigned)(a[4] % NHOOKS),
                           ((struct ngm_rmhook *)(void *)m->data)->ourhook, NG_HOOKSIZ);
        break;
    }
    case 6: {
        m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_MKPEER, sizeof(struct ngm_mkpeer));
        if (m) {
            struct ngm_mkpeer *mp = (struct ngm_mkpeer *)(void *)m->data;
            snprintf(mp->type, NG_TYPESIZ, "%s", draw_type(a[4]));
            slot_hook_name(tt->g, slot, (unsigned)(a[5] % NHOOKS), mp->ourhook, NG_HOOKSIZ);
            torture_hook_name(NULL, mp->type, (unsigned)(a[6] % NHOOKS), mp->peerhook, NG_HOOKSIZ);
        }
        break;
    }
    case 7: {
        m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_CONNECT, sizeof(struct ngm_connect));
        if (m) {
            struct ngm_connect *c = (struct ngm_connect *)(void *)m->data;
            unsigned peer = (unsigned)(a[4] % NSLOTS);
            snprintf(c->path, NG_PATHSIZ, "t%u:", peer);
            slot_hook_name(tt->g, slot, (unsigned)(a[5] % NHOOKS), c->ourhook, NG_HOOKSIZ);
            slot_hook_name(tt->g, peer, (unsigned)(a[6] % NHOOKS), c->peerhook, NG_HOOKSIZ);
        }
        break;
    }
    case 8: {
        m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_NAME, sizeof(struct ngm_name));
        if (m)
            snprintf(((struct ngm_name *)(void *)m->data)->name, NG_NODESIZ, "t%u",
                     (unsigned)(a[4] % NSLOTS));
        break;
    }
    case 9:
        m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_SHUTDOWN, 0);
        want_resp = a[5] % 2;
        break;
    default: { /* 10, 11 (--types std): the node's own type messages, random */
        struct ng_node *n;
        char name[8];
        slot_name(name, sizeof(name), slot);
        if (ng_node_find(tt->g, name, &n) != 0)
            return -ENOENT;
        m = torture_std_msg(n, &a[4]);
        ng_node_unref(n);
        if (!m)
            return -ENOENT; /* a tort node */
        snprintf(path, sizeof(path), "t%u:", slot);
        break;
    }
    }
    if (!m)
        return -ENOMEM;
    atomic_fetch_add(&T.msgs, 1);
    struct ng_mesg *resp = NULL;
    int rc = ng_send_msg(tt->g, NULL, path, m, want_resp ? &resp : NULL);
    ng_mesg_free(resp);
    return rc;
}

static int run_op(struct torture *tt, unsigned op, const uint64_t *a)
{
    struct ng_graph *g = tt->g;
    struct ng_node *n = NULL, *n2 = NULL, *nn = NULL;
    char h1[NG_HOOKSIZ], h2[NG_HOOKSIZ];
    unsigned i1 = (unsigned)(a[1] % NHOOKS), i2 = (unsigned)(a[2] % NHOOKS);
    unsigned s1 = (unsigned)(a[3] % NSLOTS), s2 = (unsigned)(a[4] % NSLOTS);
    const char *type = draw_type(a[5]);
    /* Hook names follow the type of the node they are on. */
    slot_hook_name(g, s1, i1, h1, sizeof(h1));
    slot_hook_name(g, s2, i2, h2, sizeof(h2));
    int rc;
    switch (op) {
    case OP_CREATE:
        if ((rc = ng_node_create(g, type, &nn)) == 0) {
            rc = name_or_kill(nn, s1);
            ng_node_unref(nn);
        }
        return rc;
    case OP_MKPEER:
        if ((rc = find_slot(g, s1, &n)) != 0)
            return rc;
        torture_hook_name(NULL, type, i2, h2, sizeof(h2));
        if ((rc = ng_mkpeer(n, h1, type, h2, &nn)) == 0) {
            rc = name_or_kill(nn, s2);
            ng_node_unref(nn);
        }
        ng_node_unref(n);
        return rc;
    case OP_CONNECT:
        if ((rc = find_slot(g, s1, &n)) != 0)
            return rc;
        if ((rc = find_slot(g, s2, &n2)) == 0) {
            rc = ng_connect(n, h1, n2, h2);
            ng_node_unref(n2);
        }
        ng_node_unref(n);
        return rc;
    case OP_RMHOOK:
        if ((rc = find_slot(g, s1, &n)) != 0)
            return rc;
        rc = ng_rmhook(n, h1);
        ng_node_unref(n);
        return rc;
    case OP_SHUTDOWN:
        if ((rc = find_slot(g, s1, &n)) != 0)
            return rc;
        rc = ng_node_shutdown(n);
        ng_node_unref(n);
        return rc;
    case OP_NAME:
        if ((rc = find_slot(g, s1, &n)) != 0)
            return rc;
        {
            char name[8];
            slot_name(name, sizeof(name), s2);
            rc = ng_node_name(n, name);
        }
        ng_node_unref(n);
        return rc;
    case OP_MSG:
        return do_msg(tt, &a[6]);
    case OP_SENDFN:
    case OP_TIMER_ARM:
    case OP_TIMER_CANCEL: {
        if ((rc = find_slot(g, s1, &n)) != 0)
            return rc;
        unsigned flags = (unsigned)(a[5] >> 8) & (NG_FN_WRITER | NG_FN_WAIT);
        int what = op == OP_TIMER_ARM ? 1 : op == OP_TIMER_CANCEL ? 2 : 0;
        if (what) {
            if (!atomic_load(&T.timers_on)) {
                ng_node_unref(n);
                return -ENOSYS;
            }
            flags |= NG_FN_WRITER;
        }
        void *delay = (void *)(uintptr_t)(a[6] % 2000000); /* up to 2 ms */
        rc = ng_send_fn(n, NULL, fn_cb, delay, what, flags);
        ng_node_unref(n);
        return rc;
    }
    case OP_FORCE:
        if ((rc = find_slot(g, s1, &n)) != 0)
            return rc;
        switch (a[6] % 4) {
        case 0:
            ng_node_force_writer(n, (int)(a[7] % 2));
            break;
        case 1:
            ng_node_force_queue(n, (int)(a[7] % 2));
            break;
        default: {
            struct ng_hook *h;
            if ((rc = ng_hook_find(n, h1, &h)) == 0) {
                if (a[6] % 4 == 2)
                    ng_hook_force_queue(h, (int)(a[7] % 2));
                else
                    ng_hook_force_writer(h, (int)(a[7] % 2));
                ng_hook_unref(h);
            }
        }
        }
        ng_node_unref(n);
        return rc > 0 ? 0 : rc;
    case OP_BARRIER:
        ng_graph_barrier(g);
        return 0;
    }
    return -EINVAL;
}

static void *ctl_main(void *arg)
{
    struct ctl_args *ca = arg;
    struct torture *tt = ca->tt;
    unsigned idx = ca->idx;
    uint64_t rng = tt->o.seed ^ (0x9e3779b97f4a7c15ull * (idx + 1));
    uint64_t digest = 14695981039346656037ull; /* FNV-1a over the schedule */
    unsigned total_w = 0;
    for (int i = 0; i < OP_COUNT; i++)
        total_w += op_weight[i];
    if (ng_thread_register(tt->g) != 0)
        VIOLATION("ng_thread_register failed");
    while (!atomic_load_explicit(&tt->stop_ctl, memory_order_relaxed)) {
        /* Every draw is unconditional: the schedule depends on the seed only. */
        uint64_t a[16];
        for (int i = 0; i < 16; i++)
            a[i] = ngtest_splitmix(&rng);
        unsigned w = (unsigned)(a[0] % total_w), op = 0;
        while (w >= op_weight[op])
            w -= op_weight[op++];
        if (tt->nops[idx] < 1000) {
            digest = (digest ^ op) * 1099511628211ull;
            digest = (digest ^ a[1]) * 1099511628211ull;
        }
        int rc = run_op(tt, op, a);
        if (tt->o.verbose)
            printf("ctl%u #%" PRIu64 " %s -> %d\n", idx, tt->nops[idx], op_names[op], rc);
        tt->ops[idx][op]++;
        if (rc == 0)
            tt->ok[idx][op]++;
        tt->nops[idx]++;
    }
    tt->digest[idx] = digest;
    ng_thread_unregister(tt->g);
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Checks and the driver                                                    */
/* ------------------------------------------------------------------------ */

static uint64_t sent_total(unsigned nworkers)
{
    uint64_t s = 0;
    for (unsigned i = 0; i < nworkers; i++)
        s += atomic_load(&T.sent[i].n);
    return s;
}

static uint64_t drops_counted(const struct ng_graph_stats *st)
{
    /* NOBUFS counts failed allocations: items that never existed. */
    uint64_t d = 0;
    for (int i = 0; i < NG_DROP_REASONS; i++)
        if (i != NG_DROP_NOBUFS)
            d += st->drops[i];
    return d;
}

static void check_accounting_live(struct torture *tt)
{
    /* Read what has been accounted first, then what has been sent.  With
     * the standard types some items are copies (made by the types) and some
     * end inside a type (hole, filters): the bound is what was allocated. */
    uint64_t done = delivered_total();
    struct ng_graph_stats st;
    ng_graph_stats(tt->g, &st);
    done += drops_counted(&st);
    uint64_t sent;
    if (tt->o.std_types) {
        ng_graph_stats(tt->g, &st); /* again: allocations after the accounting */
        sent = st.items_alloc;
    } else {
        sent = sent_total(tt->o.workers);
    }
    if (done > sent)
        VIOLATION("accounted %" PRIu64 " items but only %" PRIu64 " %s", done, sent,
                  tt->o.std_types ? "allocated" : "sent");
}

/* Shut every node down, including unnamed ones created by NGM_MKPEER.
 * Ids are assigned sequentially from 1, so probing every id up to the number
 * of nodes ever created finds them all, without relying on NGM_LISTNODES,
 * one of the operations under test. */
static void shutdown_all(struct ng_graph *g)
{
    /* Probe ids until every live node was found (the control threads have
     * stopped: nothing new appears); standard nodes have ids too, so the
     * tort constructor count alone is no bound. */
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    uint64_t left = st.nodes, misses = 0;
    /* Ids are handed out in order: 100k ids in a row with no node are past
     * the last one (st.nodes may still count nodes whose shutdown is
     * finishing, which no id finds). */
    for (uint64_t id = 1; left > 0 && misses < 100000; id++) {
        char addr[32];
        struct ng_node *n;
        snprintf(addr, sizeof(addr), "[%" PRIx64 "]:", id);
        if (ng_node_find(g, addr, &n) == 0) {
            (void)ng_node_shutdown(n);
            ng_node_unref(n);
            left--;
            misses = 0;
        } else {
            misses++;
        }
    }
    ng_graph_barrier(g);
    ng_graph_barrier(g);
}

/* Returns 0 on success; prints a summary line per backend. */
int torture_run(const struct torture_opts *o)
{
    memset(&T, 0, sizeof(T));
    struct torture *tt = calloc(1, sizeof(*tt));
    if (!tt)
        return -ENOMEM;
    tt->o = *o;
    if (tt->o.workers == 0)
        tt->o.workers = 2;
    if (tt->o.workers > MAXWORKERS)
        tt->o.workers = MAXWORKERS;
    printf("torture: backend %s seed %" PRIu64 " duration %.1f s workers %u control %d "
           "(re-run: --seed %" PRIu64 ")\n",
           ng_backend_name(o->backend), o->seed, o->seconds, tt->o.workers, NCTL, o->seed);
    fflush(stdout);

    apply_exclude();
    struct ng_graph_config cfg;
    ng_graph_config_init(&cfg);
    cfg.backend = o->backend;
    cfg.item_bufsize = 1024;
    if (ng_graph_create(&cfg, &tt->g) != 0)
        VIOLATION("ng_graph_create failed");
    if (ng_type_register(tt->g, &tort_type) || ng_type_register(tt->g, &tortw_type))
        VIOLATION("ng_type_register failed");
    atomic_store(&std_on, tt->o.std_types);
    if (tt->o.std_types) {
        printf("torture: standard types in the mix:");
        for (unsigned i = 0; i < torture_std_count(); i++)
            printf(" %s", torture_std_name(i));
        printf("\n");
    }

    struct ng_runtime *rt = NULL;
#if TORTURE_TIMERS
    if (timers_linked() && !o->no_runtime) {
        struct ng_runtime_config rc;
        ng_runtime_config_init(&rc);
        rc.nworkers = 2;
        rc.pin = 0;
        if (ng_runtime_start(tt->g, &rc, &rt) == 0)
            atomic_store(&T.timers_on, 1);
        else
            rt = NULL;
    }
#endif
    printf("torture: timers %s\n", atomic_load(&T.timers_on) ? "on (runtime started, 2 workers)"
                                   : o->no_runtime
                                       ? "off (--no-runtime)"
                                       : "off (library has no ng_timer_arm/ng_runtime_start yet)");

    /* Seed topology: a chain t0 - t1 - ... - t7. */
    for (unsigned i = 0; i < 8; i++) {
        struct ng_node *n;
        if (ng_node_create(tt->g, tort_types[i % 2], &n) != 0 || name_or_kill(n, i) != 0)
            VIOLATION("seed topology");
        ng_node_unref(n);
        if (i > 0) {
            struct ng_node *a, *b;
            find_slot(tt->g, i - 1, &a);
            find_slot(tt->g, i, &b);
            if (ng_connect(a, "h0", b, "h1") != 0)
                VIOLATION("seed connect");
            ng_node_unref(a);
            ng_node_unref(b);
        }
    }

    pthread_t wth[MAXWORKERS], cth[NCTL];
    struct ctl_args ca[NCTL];
    for (unsigned i = 0; i < tt->o.workers; i++)
        if (pthread_create(&wth[i], NULL, worker_main, tt) != 0)
            VIOLATION("pthread_create");
    for (unsigned i = 0; i < NCTL; i++) {
        ca[i].tt = tt;
        ca[i].idx = i;
        if (pthread_create(&cth[i], NULL, ctl_main, &ca[i]) != 0)
            VIOLATION("pthread_create");
    }
    double t0 = ngtest_now_s(), end = t0 + o->seconds;
    uint64_t checks = 0;
    while (ngtest_now_s() < end) {
        usleep(20000);
        check_accounting_live(tt);
        checks++;
    }
    atomic_store(&tt->stop_ctl, 1);
    for (unsigned i = 0; i < NCTL; i++)
        pthread_join(cth[i], NULL);
    atomic_store(&tt->stop_traffic, 1);
    for (unsigned i = 0; i < tt->o.workers; i++)
        pthread_join(wth[i], NULL);
    double elapsed = ngtest_now_s() - t0;

    /* End: everything shut down, reclaimed and accounted. */
    shutdown_all(tt->g);
#if TORTURE_TIMERS
    if (rt) {
        ng_runtime_stop(rt);
        ng_graph_barrier(tt->g);
    }
#endif
    struct ng_graph_stats st;
    ng_graph_stats(tt->g, &st);
    uint64_t sent = sent_total(tt->o.workers), del = delivered_total(), drops = drops_counted(&st);
    int fail = 0;
    if (tt->o.std_types) {
        /* Copies and items consumed by the standard types: exact per-item
         * accounting is the plain mode's; here nothing may be accounted
         * twice and nothing may be left alive (checked below). */
        if (st.items_alloc < sent || del + drops > st.items_alloc) {
            fprintf(stderr,
                    "torture: allocated %" PRIu64 ", sent %" PRIu64 ", delivered %" PRIu64
                    " + dropped %" PRIu64 "\n",
                    st.items_alloc, sent, del, drops);
            fail = 1;
        }
    } else if (st.items_alloc != sent) {
        fprintf(stderr, "torture: items_alloc %" PRIu64 " != sent %" PRIu64 "\n", st.items_alloc,
                sent);
        fail = 1;
    }
    if (!tt->o.std_types && sent != del + drops) {
        fprintf(stderr,
                "torture: sent %" PRIu64 " != delivered %" PRIu64 " + dropped %" PRIu64 "\n", sent,
                del, drops);
        fail = 1;
    }
    if (st.items_live != 0 || st.nodes != 0 || st.hooks != 0) {
        fprintf(stderr,
                "torture: leaked: items_live %" PRIu64 " nodes %" PRIu64 " hooks %" PRIu64 "\n",
                st.items_live, st.nodes, st.hooks);
        fail = 1;
    }
    ng_graph_destroy(tt->g);
    if (atomic_load(&T.ctor) != atomic_load(&T.dtor)) {
        fprintf(stderr, "torture: %" PRIu64 " tort nodes constructed, %" PRIu64 " shut down\n",
                atomic_load(&T.ctor), atomic_load(&T.dtor));
        fail = 1;
    }
    graveyard_free();

    uint64_t ops = 0, ok = 0;
    for (unsigned c = 0; c < NCTL; c++)
        for (int i = 0; i < OP_COUNT; i++) {
            ops += tt->ops[c][i];
            ok += tt->ok[c][i];
        }
    printf("torture: %-8s %.1f s: %" PRIu64 " control ops (%" PRIu64 " succeeded), %" PRIu64
           " items sent = %" PRIu64 " delivered + %" PRIu64 " dropped (notconn %" PRIu64
           " dead %" PRIu64 " queue %" PRIu64 " loop %" PRIu64 "), %" PRIu64
           " tort nodes created, %" PRIu64 " fn calls, %" PRIu64 " timer fires, %" PRIu64
           " live checks: %s\n",
           ng_backend_name(o->backend), elapsed, ops, ok, sent, del, drops,
           st.drops[NG_DROP_NOTCONN], st.drops[NG_DROP_DEAD], st.drops[NG_DROP_QUEUE],
           st.drops[NG_DROP_LOOP], atomic_load(&T.ctor), atomic_load(&T.fn_calls),
           atomic_load(&T.timer_fires), checks, fail ? "FAILED" : "ok");
    printf("torture: per op (tried/ok):");
    for (int i = 0; i < OP_COUNT; i++) {
        uint64_t a = 0, b = 0;
        for (unsigned c = 0; c < NCTL; c++) {
            a += tt->ops[c][i];
            b += tt->ok[c][i];
        }
        printf(" %s %" PRIu64 "/%" PRIu64, op_names[i], a, b);
    }
    printf("\n");
    for (unsigned c = 0; c < NCTL; c++)
        printf("torture: ctl%u schedule digest (first %" PRIu64 " ops) %016" PRIx64 "\n", c,
               tt->nops[c] < 1000 ? tt->nops[c] : 1000, tt->digest[c]);
    fflush(stdout);
    free(tt);
    return fail ? -1 : 0;
}
