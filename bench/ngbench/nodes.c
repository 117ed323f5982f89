/*
 * nodes.c - per-thread counters, and the bench's node types.
 *
 * pass: hooks "in" and "out"; forwards what arrives on "in" out of "out".
 * The in hook's private pointer IS the out hook (or NULL), so rcvdata is one
 * load and a send: the netgraph idiom of keeping the forwarding target in
 * hook private data.  The connect and disconnect methods (which run under
 * the graph's control lock and may overlap rcvdata) re-point it with the
 * engine's release store; the node private data (bpriv) remembers both
 * hooks for them.  A hook read just before disconnect stays valid memory
 * until a grace period (with every backend: the rwlock baseline also
 * reclaims through an embedded ck_epoch, docs/design.md section 4), so the
 * node needs no reference of its own, and sending on it drops the item with
 * -ENOTCONN (counted by the engine).  Data arriving on "out" finds a NULL
 * private pointer and is dropped (counted as "no hook").
 * fan: hooks "in", "o0".."o3"; 3 copies + the original, one per out hook;
 * every hook's private pointer is the node's private data, which caches the
 * out hooks (atomic pointers).
 * pass and sink also have a rcvdata_burst method (the chain's burst rows):
 * pass forwards the vector unchanged, sink works through it.
 * sink: ngb_sink_work() on every item.  null: accepts any hook, no data
 * (memory scenario).  Each type exists in "netgraph" and "shared"
 * (NG_TYPE_CONCURRENT_DATA) mode.
 */
#include "ngbench.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Per-thread counters (single writer each: no shared cache line)           */
/* ------------------------------------------------------------------------ */

_Thread_local struct tslot *ngb_tl_slot;

/*
 * Data-path state of this file, reached from the engine's callbacks (no
 * context argument; see ngb_tl_slot in ngbench.h):
 *   slotless    items counted by threads without a slot (none in practice:
 *               a thread draining a node queue is always a worker, a runtime
 *               worker or the control thread);
 *   rt, rt_slots  the runtime scenario's sinks run on the engine's worker
 *               threads, which the bench does not create.  The first item a
 *               runtime worker delivers binds the thread to the slot of its
 *               worker index (ng_runtime_current_worker) and publishes the
 *               thread's CPU clock, so the bench can measure the worker's
 *               CPU time from outside.  rt_slots[] is written before rt
 *               (release).
 */
static _Atomic uint64_t slotless_delivered, slotless_nohook;
static _Atomic(struct ng_runtime *) rt_cur;
static struct tslot *rt_slots[MAXW];

__attribute__((noinline, cold)) struct tslot *ngb_rt_bind_slot(void)
{
    struct ng_runtime *rt = atomic_load_explicit(&rt_cur, memory_order_acquire);
    if (!rt)
        return NULL;
    int i = ng_runtime_current_worker(rt);
    if (i < 0 || i >= MAXW || !rt_slots[i])
        return NULL;
    struct tslot *s = rt_slots[i];
    if (pthread_getcpuclockid(pthread_self(), &s->clk) == 0)
        atomic_store_explicit(&s->clk_ok, 1, memory_order_release);
    ngb_tl_slot = s; /* the thread exits with the runtime, before the slot is reused */
    return s;
}

__attribute__((noinline, cold)) void ngb_slotless_delivered(void)
{
    atomic_fetch_add(&slotless_delivered, 1);
}

__attribute__((noinline, cold)) void ngb_slotless_nohook(void)
{
    atomic_fetch_add(&slotless_nohook, 1);
}

void ngb_slotless_take(uint64_t *delivered, uint64_t *nohook)
{
    *delivered = atomic_exchange(&slotless_delivered, 0);
    *nohook = atomic_exchange(&slotless_nohook, 0);
}

void ngb_rt_publish(struct ng_runtime *rt, struct tslot *const *slots, int n)
{
    for (int i = 0; i < n && i < MAXW; i++)
        rt_slots[i] = slots[i];
    atomic_store_explicit(&rt_cur, rt, memory_order_release);
}

void ngb_rt_retract(int n)
{
    atomic_store_explicit(&rt_cur, NULL, memory_order_release);
    for (int i = 0; i < n && i < MAXW; i++)
        rt_slots[i] = NULL;
}

/* ------------------------------------------------------------------------ */
/* Bench node types                                                         */
/* ------------------------------------------------------------------------ */

struct bpriv {
    _Atomic(struct ng_hook *) out[FAN];
    struct ng_hook *in; /* pass: the connected in hook (control path only) */
};

static int b_ctor(struct ng_node *n)
{
    struct bpriv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    ng_node_set_private(n, p);
    return 0;
}

static void b_shutdown(struct ng_node *n)
{
    free(ng_node_private(n));
    ng_node_set_private(n, NULL);
}

static int out_index(const char *name)
{
    if (strcmp(name, "out") == 0)
        return 0;
    if (name[0] == 'o' && name[1] >= '0' && name[1] < '0' + FAN && name[2] == '\0')
        return name[1] - '0';
    return -1;
}

static int b_newhook(struct ng_node *n, struct ng_hook *h, const char *name)
{
    if (strcmp(name, "in") != 0 && out_index(name) < 0)
        return -EINVAL;
    ng_hook_set_private(h, ng_node_private(n));
    return 0;
}

static int b_connect(struct ng_hook *h)
{
    int i = out_index(ng_hook_name(h));
    if (i >= 0) {
        struct bpriv *p = ng_hook_private(h);
        atomic_store_explicit(&p->out[i], h, memory_order_release);
    }
    return 0;
}

static int b_disconnect(struct ng_hook *h)
{
    int i = out_index(ng_hook_name(h));
    if (i >= 0) {
        struct bpriv *p = ng_hook_private(h);
        struct ng_hook *exp = h;
        (void)atomic_compare_exchange_strong(&p->out[i], &exp, NULL);
    }
    return 0;
}

static int pass_newhook(struct ng_node *n, struct ng_hook *h, const char *name)
{
    struct bpriv *p = ng_node_private(n);
    if (strcmp(name, "in") == 0)
        ng_hook_set_private(h, atomic_load_explicit(&p->out[0], memory_order_relaxed));
    else if (strcmp(name, "out") != 0)
        return -EINVAL;
    return 0;
}

static int pass_connect(struct ng_hook *h)
{
    struct bpriv *p = ng_node_private(ng_hook_node(h));
    if (strcmp(ng_hook_name(h), "in") == 0) {
        p->in = h;
    } else {
        atomic_store_explicit(&p->out[0], h, memory_order_relaxed);
        if (p->in)
            ng_hook_set_private(p->in, h);
    }
    return 0;
}

static int pass_disconnect(struct ng_hook *h)
{
    struct bpriv *p = ng_node_private(ng_hook_node(h));
    if (strcmp(ng_hook_name(h), "in") == 0) {
        if (p->in == h)
            p->in = NULL;
    } else if (atomic_load_explicit(&p->out[0], memory_order_relaxed) == h) {
        atomic_store_explicit(&p->out[0], NULL, memory_order_relaxed);
        if (p->in)
            ng_hook_set_private(p->in, NULL);
    }
    return 0;
}

static int pass_rcvdata(struct ng_hook *h, struct ng_item *it)
{
    struct ng_hook *o = ng_hook_private(h); /* "in": the out hook; "out": NULL */
    if (__builtin_expect(o == NULL, 0)) {
        ngb_count_nohook();
        ng_item_free(it);
        return -ENOTCONN;
    }
    return ng_send_data(o, it);
}

/* The burst forwarder: the same one load, the vector passed on as it came
 * (no per-item work on the hop, like DPDK's pass node moving its stream). */
static int pass_rcvdata_burst(struct ng_hook *h, struct ng_item **items, unsigned n)
{
    struct ng_hook *o = ng_hook_private(h);
    if (__builtin_expect(o == NULL, 0)) {
        for (unsigned i = 0; i < n; i++) {
            ngb_count_nohook();
            ng_item_free(items[i]);
        }
        return -ENOTCONN;
    }
    return ng_send_data_burst(o, items, n);
}

static int fan_rcvdata(struct ng_hook *h, struct ng_item *it)
{
    struct bpriv *p = ng_hook_private(h);
    for (int i = 0; i < FAN; i++) {
        struct ng_item *c = i == FAN - 1 ? it : ng_item_copy(it);
        if (!c)
            continue; /* counted by the engine as an allocation drop */
        struct ng_hook *o = atomic_load_explicit(&p->out[i], memory_order_acquire);
        if (!o) {
            ngb_count_nohook();
            ng_item_free(c);
            continue;
        }
        ng_send_data(o, c);
    }
    return 0;
}

static int sink_rcvdata(struct ng_hook *h, struct ng_item *it)
{
    (void)h;
    ngb_sink_work(it);
    return 0;
}

static int sink_rcvdata_burst(struct ng_hook *h, struct ng_item **items, unsigned n)
{
    (void)h;
    for (unsigned i = 0; i < n; i++)
        ngb_sink_work(items[i]);
    return 0;
}

static int null_newhook(struct ng_node *n, struct ng_hook *h, const char *name)
{
    (void)n, (void)h, (void)name;
    return 0;
}

/* Type k (T_*) of mode m, named nm; every type but T_NULL keeps a bpriv. */
#define BTYPE(m, k, nm, newhook_fn, connect_fn, disconnect_fn, rcvdata_fn, burst_fn)               \
    {                                                                                              \
        .version = NG_ABI_VERSION, .name = nm, .cookie = 0x6e676200u + (uint32_t)((m)*4 + (k)),    \
        .flags = (m) ? NG_TYPE_CONCURRENT_DATA : 0, .constructor = (k) == T_NULL ? NULL : b_ctor,  \
        .shutdown = (k) == T_NULL ? NULL : b_shutdown, .newhook = newhook_fn,                      \
        .connect = connect_fn, .disconnect = disconnect_fn, .rcvdata = rcvdata_fn,                 \
        .rcvdata_burst = burst_fn,                                                                 \
    }
#define BTYPES(m, suffix)                                                                          \
    {                                                                                              \
        BTYPE(m, T_PASS, "bpass" suffix, pass_newhook, pass_connect, pass_disconnect,              \
              pass_rcvdata, pass_rcvdata_burst),                                                   \
            BTYPE(m, T_FAN, "bfan" suffix, b_newhook, b_connect, b_disconnect, fan_rcvdata, NULL), \
            BTYPE(m, T_SINK, "bsink" suffix, b_newhook, b_connect, b_disconnect, sink_rcvdata,     \
                  sink_rcvdata_burst),                                                             \
            BTYPE(m, T_NULL, "bnull" suffix, null_newhook, NULL, NULL, NULL, NULL),                \
    }
static const struct ng_type btypes[2][4] = {BTYPES(0, ""), BTYPES(1, "_sh")};

const char *ngb_type_name(int m, int k) { return btypes[m][k].name; }

int ngb_types_register(struct ng_graph *g)
{
    for (int m = 0; m < 2; m++)
        for (int k = 0; k < 4; k++) {
            int rc = ng_type_register(g, &btypes[m][k]);
            if (rc < 0)
                return rc;
        }
    return 0;
}
