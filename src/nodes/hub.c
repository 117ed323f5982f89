/*
 * hub.c - the "hub" node type (FreeBSD's ng_hub(4)): a packet received on
 * any hook goes out every other hook (copies, the original out the last
 * one).  Any hook name is accepted.  NGM_HUB_SET_PERSISTENT keeps the node
 * alive when its last hook goes (it still shuts down on NGM_SHUTDOWN, as
 * FreeBSD's: the engine's persistent flag is not used).
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA).  rcvdata needs the node's hooks,
 * which the public API does not enumerate, so the type keeps them in a slot
 * array read lock-free:
 *   - p->slots (the current array) and p->used (slots [0, used) may hold a
 *     hook) are written only by connect/disconnect, which the graph's
 *     control lock serialises; rcvdata loads both with acquire and scans
 *     min(used, cap) slots.
 *   - a slot is an atomic hook pointer: connect stores it (release) before
 *     raising used, disconnect clears it.  A hook loaded just before it was
 *     cleared stays valid memory until a grace period after its removal
 *     (sending on it drops the item with -ENOTCONN).
 *   - when the array is full connect publishes a copy twice the size; the
 *     old array may still be scanned by rcvdata calls that loaded it, so it
 *     is kept on p->retired and freed by shutdown, after a grace period.
 *     Capacities double, so the retired arrays together are smaller than
 *     the current one: memory stays bounded by twice the most hooks the
 *     node ever had.
 *   - counters are per-thread (ng_pcounter: rcvdata adds with no locked
 *     instruction and no line shared between threads, rcvmsg sums).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes/hub.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

struct hub_slots {
    struct hub_slots *retired_next; /* on p->retired once replaced */
    uint32_t cap;
    _Atomic(struct ng_hook *) hook[];
};

struct hub_priv {
    _Atomic(struct hub_slots *) slots;
    _Atomic uint32_t used;
    struct hub_slots *retired; /* replaced arrays (connect only), freed by shutdown */
    _Atomic bool persistent;
    struct ng_pcounter *st; /* HS_* */
};

enum { HS_IN_FRAMES, HS_IN_OCTETS, HS_OUT_FRAMES, HS_OUT_OCTETS, HS_NO_PEER, HS_MEM_FAILURES, HS_N };

static struct hub_slots *hub_slots_new(uint32_t cap)
{
    struct hub_slots *s = calloc(1, sizeof(*s) + cap * sizeof(s->hook[0]));
    if (s)
        s->cap = cap;
    return s;
}

static int hub_constructor(struct ng_node *node)
{
    struct hub_priv *p = calloc(1, sizeof(*p));
    struct hub_slots *s = hub_slots_new(4);
    if (!p || !s || ng_pcounter_create(HS_N, &p->st) != 0) {
        free(p);
        free(s);
        return -ENOMEM;
    }
    atomic_init(&p->slots, s);
    ng_node_set_private(node, p);
    return 0;
}

static void hub_shutdown(struct ng_node *node)
{
    /* A persistent node revives (ng_node_set_persistent): its hooks are gone
     * (their disconnect methods cleared what referred to them) and it keeps
     * its state; freeing it here would leave the revived node without one. */
    if (ng_node_is_valid(node))
        return;
    struct hub_priv *p = ng_node_private(node);
    while (p->retired) {
        struct hub_slots *s = p->retired;
        p->retired = s->retired_next;
        free(s);
    }
    free(atomic_load(&p->slots));
    ng_pcounter_destroy(p->st);
    free(p);
    ng_node_set_private(node, NULL);
}

/* Take a slot for the hook (hook private: slot index + 1). */
static int hub_connect(struct ng_hook *hook)
{
    struct hub_priv *p = ng_node_private(ng_hook_node(hook));
    struct hub_slots *s = atomic_load_explicit(&p->slots, memory_order_relaxed);
    uint32_t used = atomic_load_explicit(&p->used, memory_order_relaxed);
    uint32_t i = 0;
    while (i < used && atomic_load_explicit(&s->hook[i], memory_order_relaxed))
        i++;
    if (i == s->cap) {
        if (s->cap > UINT32_MAX / 2)
            return -ENOMEM;
        struct hub_slots *n = hub_slots_new(s->cap * 2);
        if (!n)
            return -ENOMEM;
        for (uint32_t j = 0; j < s->cap; j++)
            atomic_init(&n->hook[j], atomic_load_explicit(&s->hook[j], memory_order_relaxed));
        atomic_store_explicit(&p->slots, n, memory_order_release);
        s->retired_next = p->retired;
        p->retired = s;
        s = n;
    }
    atomic_store_explicit(&s->hook[i], hook, memory_order_release);
    if (i == used)
        atomic_store_explicit(&p->used, used + 1, memory_order_release);
    ng_hook_set_private(hook, (void *)(uintptr_t)(i + 1));
    return 0;
}

static int hub_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct hub_priv *p = ng_node_private(node);
    uintptr_t slot = (uintptr_t)ng_hook_private(hook);
    if (slot) { /* 0: connect never ran (the other node's connect failed) */
        struct hub_slots *s = atomic_load_explicit(&p->slots, memory_order_relaxed);
        struct ng_hook *expect = hook;
        atomic_compare_exchange_strong(&s->hook[slot - 1], &expect, NULL);
        ng_hook_set_private(hook, NULL);
    }
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node) &&
        !atomic_load_explicit(&p->persistent, memory_order_relaxed))
        ng_node_shutdown(node);
    return 0;
}

/* One frame of len bytes in (HS_IN_FRAMES) or out (HS_OUT_FRAMES). */
static void hub_count(struct hub_priv *p, unsigned which, uint32_t len)
{
    ng_pcounter_add2(p->st, which, 1, len);
}

static int hub_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct hub_priv *p = ng_node_private(ng_hook_node(hook));
    uint32_t used = atomic_load_explicit(&p->used, memory_order_acquire);
    struct hub_slots *s = atomic_load_explicit(&p->slots, memory_order_acquire);
    uint32_t n = used < s->cap ? used : s->cap;
    uint32_t len = ng_item_len(item);
    hub_count(p, HS_IN_FRAMES, len);

    /* The last other hook gets the item itself, the others copies. */
    struct ng_hook *last = NULL;
    uint32_t li = n;
    while (li > 0) {
        struct ng_hook *h = atomic_load_explicit(&s->hook[--li], memory_order_acquire);
        if (h && h != hook) {
            last = h;
            break;
        }
    }
    if (!last) { /* no other hook: nowhere to go (FreeBSD: freed, no error) */
        ng_pcounter_add(p->st, HS_NO_PEER, 1);
        ng_item_drop(item, NG_DROP_NOTCONN);
        return 0;
    }
    for (uint32_t i = 0; i < li; i++) {
        struct ng_hook *h = atomic_load_explicit(&s->hook[i], memory_order_acquire);
        if (!h || h == hook)
            continue;
        struct ng_item *c = ng_item_copy(item); /* a failure is counted as NG_DROP_NOBUFS */
        if (!c) {
            ng_pcounter_add(p->st, HS_MEM_FAILURES, 1);
            continue;
        }
        if (ng_send_data(h, c) == 0) /* an error does not stop the others */
            hub_count(p, HS_OUT_FRAMES, len);
    }
    int rc = ng_send_data(last, item);
    if (rc == 0)
        hub_count(p, HS_OUT_FRAMES, len);
    return rc;
}

static unsigned long long hub_get(struct hub_priv *p, unsigned i)
{
    return (unsigned long long)ng_pcounter_read(p->st, i);
}

static int hub_status(struct ng_node *node, struct hub_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    snprintf(r->data, NG_TEXTRESPONSE,
             "hooks=%d persistent=%d\ninFrames=%llu inOctets=%llu outFrames=%llu outOctets=%llu\n"
             "noPeer=%llu memoryFailures=%llu\n",
             ng_node_numhooks(node), atomic_load(&p->persistent) ? 1 : 0,
             hub_get(p, HS_IN_FRAMES), hub_get(p, HS_IN_OCTETS), hub_get(p, HS_OUT_FRAMES),
             hub_get(p, HS_OUT_OCTETS), hub_get(p, HS_NO_PEER), hub_get(p, HS_MEM_FAILURES));
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

static int hub_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct hub_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    int rc = -EINVAL;
    if (m->header.flags & NGF_RESP) {
        rc = 0;
    } else if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS) {
        return hub_status(node, p, item);
    } else if (m->header.typecookie == NGM_HUB_COOKIE && m->header.cmd == NGM_HUB_SET_PERSISTENT) {
        atomic_store_explicit(&p->persistent, true, memory_order_relaxed);
        rc = 0;
    }
    ng_item_free(item);
    return rc;
}

static const struct ng_cmdlist hub_cmds[] = {
    {NGM_HUB_COOKIE, NGM_HUB_SET_PERSISTENT, "setpersistent", NULL, NULL, 0},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_hub_type = {
    .version = NG_ABI_VERSION,
    .name = NG_HUB_NODE_TYPE,
    .cookie = NGM_HUB_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = hub_constructor,
    .rcvmsg = hub_rcvmsg,
    .shutdown = hub_shutdown,
    .connect = hub_connect,
    .rcvdata = hub_rcvdata,
    .disconnect = hub_disconnect,
    .cmdlist = hub_cmds,
};
