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
 *   - counters are relaxed atomics (rcvdata adds, rcvmsg reads).
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
    _Atomic uint64_t in_frames, in_octets, out_frames, out_octets, no_peer, mem_failures;
};

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
    if (!p || !s) {
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

static void hub_add(_Atomic uint64_t *c, uint64_t v)
{
    atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

static int hub_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct hub_priv *p = ng_node_private(ng_hook_node(hook));
    uint32_t used = atomic_load_explicit(&p->used, memory_order_acquire);
    struct hub_slots *s = atomic_load_explicit(&p->slots, memory_order_acquire);
    uint32_t n = used < s->cap ? used : s->cap;
    uint32_t len = ng_item_len(item);
    hub_add(&p->in_frames, 1);
    hub_add(&p->in_octets, len);

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
        hub_add(&p->no_peer, 1);
        ng_item_drop(item, NG_DROP_NOTCONN);
        return 0;
    }
    for (uint32_t i = 0; i < li; i++) {
        struct ng_hook *h = atomic_load_explicit(&s->hook[i], memory_order_acquire);
        if (!h || h == hook)
            continue;
        struct ng_item *c = ng_item_copy(item); /* a failure is counted as NG_DROP_NOBUFS */
        if (!c) {
            hub_add(&p->mem_failures, 1);
            continue;
        }
        if (ng_send_data(h, c) == 0) { /* an error does not stop the others */
            hub_add(&p->out_frames, 1);
            hub_add(&p->out_octets, len);
        }
    }
    int rc = ng_send_data(last, item);
    if (rc == 0) {
        hub_add(&p->out_frames, 1);
        hub_add(&p->out_octets, len);
    }
    return rc;
}

static uint64_t hub_get(_Atomic uint64_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
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
             (unsigned long long)hub_get(&p->in_frames), (unsigned long long)hub_get(&p->in_octets),
             (unsigned long long)hub_get(&p->out_frames),
             (unsigned long long)hub_get(&p->out_octets), (unsigned long long)hub_get(&p->no_peer),
             (unsigned long long)hub_get(&p->mem_failures));
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
