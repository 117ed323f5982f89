/*
 * hole.c - the "hole" node type (FreeBSD's ng_hole, docs/nodes/hole.md): a
 * sink that frees every item and counts it per hook; any hook name; the
 * node shuts down when its last hook is disconnected.
 *
 * rcvdata may run on many threads at once (NG_TYPE_CONCURRENT_DATA): it
 * finds its hook's counters through the hook's private pointer (set by
 * connect; data that arrives before, while the link is being made, is freed
 * uncounted) and adds to them with relaxed atomics: not ng_pcounter, whose
 * per-thread rows cost a few hundred bytes per set, here per hook (the
 * benchmark's 100k-node graphs are of holes: +47 MB), for a sink that
 * mostly counts on one thread.  The counters live in slots owned by the node
 * (freed by shutdown, after a grace period, when no rcvdata can still run),
 * not by the hook: a removed hook's slot is marked free and reused by the
 * next new hook, so an rcvdata that was still running on the removed hook
 * when it was cut may add its item to the new hook's counters.  The slot
 * list is changed by connect/disconnect and read by rcvmsg, which may run
 * concurrently (see struct ng_type): it has its own mutex, never taken on
 * the data path.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes.h>
#include <ngraph/parse.h>

struct hole_slot {
    _Atomic uint64_t frames, octets;
    struct hole_slot *next;
    bool used;
    char name[NG_HOOKSIZ];
};

struct hole_priv {
    pthread_mutex_t lock; /* the slot list, names and used flags */
    struct hole_slot *slots;
};

static int hole_constructor(struct ng_node *node)
{
    struct hole_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    pthread_mutex_init(&p->lock, NULL);
    ng_node_set_private(node, p);
    return 0;
}

static void hole_shutdown(struct ng_node *node)
{
    struct hole_priv *p = ng_node_private(node);
    if (ng_node_is_valid(node))
        return; /* a persistent hole revives: its (unused) slots stay */
    while (p->slots) {
        struct hole_slot *s = p->slots;
        p->slots = s->next;
        free(s);
    }
    pthread_mutex_destroy(&p->lock);
    free(p);
    ng_node_set_private(node, NULL);
}

/* The hook's slot is taken when the link is complete (connect), not in
 * newhook: a hook refused by the other node is discarded without a
 * disconnect call, and would keep its slot for ever. */
static int hole_connect(struct ng_hook *hook)
{
    struct hole_priv *p = ng_node_private(ng_hook_node(hook));
    const char *name = ng_hook_name(hook);
    pthread_mutex_lock(&p->lock);
    struct hole_slot *s = p->slots;
    while (s && s->used)
        s = s->next;
    if (!s) {
        s = calloc(1, sizeof(*s));
        if (!s) {
            pthread_mutex_unlock(&p->lock);
            return -ENOMEM;
        }
        s->next = p->slots;
        p->slots = s;
    }
    s->used = true;
    atomic_store_explicit(&s->frames, 0, memory_order_relaxed);
    atomic_store_explicit(&s->octets, 0, memory_order_relaxed);
    snprintf(s->name, sizeof(s->name), "%s", name);
    pthread_mutex_unlock(&p->lock);
    ng_hook_set_private(hook, s);
    return 0;
}

static int hole_disconnect(struct ng_hook *hook)
{
    struct hole_priv *p = ng_node_private(ng_hook_node(hook));
    struct hole_slot *s = ng_hook_private(hook);
    if (s) {
        pthread_mutex_lock(&p->lock);
        s->used = false;
        pthread_mutex_unlock(&p->lock);
    }
    /* ng_hole(4): the node shuts down when all hooks have been
     * disconnected (a hook that never got connected, refused by the other
     * node, does not count: s is NULL for it). */
    struct ng_node *node = ng_hook_node(hook);
    if (s && ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

static int hole_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct hole_slot *s = ng_hook_private(hook);
    if (s) { /* NULL: data that beat connect (not counted) */
        atomic_fetch_add_explicit(&s->frames, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&s->octets, ng_item_len(item), memory_order_relaxed);
    }
    ng_item_free(item);
    return 0;
}

/* TEXT_STATUS: one line per hook. */
static int hole_status(struct hole_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    size_t len = 0;
    pthread_mutex_lock(&p->lock);
    for (struct hole_slot *s = p->slots; s && len < NG_TEXTRESPONSE; s = s->next) {
        if (!s->used)
            continue;
        int n =
            snprintf(r->data + len, NG_TEXTRESPONSE - len, "%s: frames=%llu octets=%llu\n", s->name,
                     (unsigned long long)atomic_load_explicit(&s->frames, memory_order_relaxed),
                     (unsigned long long)atomic_load_explicit(&s->octets, memory_order_relaxed));
        len += n > 0 ? (size_t)n : 0;
    }
    pthread_mutex_unlock(&p->lock);
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

/* GET / CLR / GETCLR_STATS on the hook named by the argument. */
static int hole_stats(struct hole_priv *p, struct ng_item *item, uint32_t cmd)
{
    const struct ng_mesg *m = ng_item_msg(item);
    if (m->header.arglen == 0 || !memchr(m->data, 0, m->header.arglen)) {
        ng_item_free(item);
        return -EINVAL;
    }
    struct ng_mesg *r = NULL;
    if (cmd != NGM_HOLE_CLR_STATS && !(r = ng_mesg_response(m, sizeof(struct ng_hole_hookstat)))) {
        ng_item_free(item);
        return -ENOMEM;
    }
    int rc = -ENOENT;
    pthread_mutex_lock(&p->lock);
    for (struct hole_slot *s = p->slots; s; s = s->next) {
        if (!s->used || strcmp(s->name, m->data) != 0)
            continue;
        struct ng_hole_hookstat st;
        if (cmd == NGM_HOLE_GET_STATS) {
            st.frames = atomic_load_explicit(&s->frames, memory_order_relaxed);
            st.octets = atomic_load_explicit(&s->octets, memory_order_relaxed);
        } else {
            st.frames = atomic_exchange_explicit(&s->frames, 0, memory_order_relaxed);
            st.octets = atomic_exchange_explicit(&s->octets, 0, memory_order_relaxed);
        }
        if (r)
            memcpy(r->data, &st, sizeof(st));
        rc = 0;
        break;
    }
    pthread_mutex_unlock(&p->lock);
    if (rc) {
        ng_mesg_free(r);
        ng_item_free(item);
        return rc;
    }
    if (!r) {
        ng_item_free(item);
        return 0;
    }
    return ng_respond(item, 0, r);
}

static int hole_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct hole_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS)
        return hole_status(p, item);
    if (m->header.typecookie == NGM_HOLE_COOKIE && !(m->header.flags & NGF_RESP) &&
        (m->header.cmd == NGM_HOLE_GET_STATS || m->header.cmd == NGM_HOLE_CLR_STATS ||
         m->header.cmd == NGM_HOLE_GETCLR_STATS))
        return hole_stats(p, item, m->header.cmd);
    ng_item_free(item);
    return -EINVAL;
}

static const struct ng_parse_struct_field hole_hookstat_fields[] = {
    {"frames", &ng_parse_uint64_type, 0},
    {"octets", &ng_parse_uint64_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type hole_hookstat_type = {
    &ng_parse_struct_type, hole_hookstat_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_cmdlist hole_cmds[] = {
    {NGM_HOLE_COOKIE, NGM_HOLE_GET_STATS, "getstats", &ng_parse_string_type, &hole_hookstat_type,
     1},
    {NGM_HOLE_COOKIE, NGM_HOLE_CLR_STATS, "clrstats", &ng_parse_string_type, NULL, 1},
    {NGM_HOLE_COOKIE, NGM_HOLE_GETCLR_STATS, "getclrstats", &ng_parse_string_type,
     &hole_hookstat_type, 1},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_hole_type = {
    .version = NG_ABI_VERSION,
    .name = NG_HOLE_NODE_TYPE,
    .cookie = NGM_HOLE_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = hole_constructor,
    .rcvmsg = hole_rcvmsg,
    .shutdown = hole_shutdown,
    .connect = hole_connect,
    .rcvdata = hole_rcvdata,
    .disconnect = hole_disconnect,
    .cmdlist = hole_cmds,
};
