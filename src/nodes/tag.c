/*
 * tag.c - the "tag" node type (FreeBSD's ng_tag(4)): each hook has an
 * incoming rule (a tag to look for: cookie, id, data; the hook for packets
 * that carry it and the hook for those that do not; strip or not) and an
 * outgoing tag added to every packet leaving by it.  Tags live in the
 * item's metadata area (<ngraph/nodes/tag.h>).  Docs: docs/nodes/tag.md.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA).  rcvdata reads only immutable
 * snapshots:
 *   - each connected hook's private pointer is its struct tag_hook (set by
 *     connect with a release store; NULL before: such a hook drops what
 *     arrives, and it is no rule's destination yet: connect sets it
 *     before it points rules at the hook, resolve() skips such hooks),
 *     whose `conf` points to an immutable struct tag_conf: the
 *     incoming rule with the destination hooks resolved to pointers, and
 *     the outgoing tag.  A change publishes a new conf (release store) and
 *     hands the old one to ng_defer().
 *   - writers: rcvmsg (writer access) and connect/disconnect (control
 *     lock) may run at the same time, so every change of the hook list,
 *     of a hook's API structs and of a published conf is made under
 *     p->lock; rcvdata never takes it.  The destination pointers
 *     (conf->match, conf->nonmatch) are the one part of a conf changed in
 *     place (atomics): a destination is resolved under the lock and kept
 *     only if ng_hook_is_valid(); the disconnect method of a removed hook
 *     (which takes the lock after the engine marked the hook invalid)
 *     clears every pointer to it, and connect points the rules that name
 *     a new hook at it.  A packet that loaded a removed hook just before
 *     still has valid memory (freed after a grace period) and sending on
 *     it drops the packet (-ENOTCONN).
 *   - a removed hook's struct tag_hook (its counters, its conf) is freed
 *     with ng_defer() too: rcvdata on it, and senders that found it as a
 *     destination in an old conf, may still be running.
 *   - counters: ng_pcounter per hook (FreeBSD's struct ng_tag_hookstat)
 *     and per node (drops, tags added, stripped, no room).
 * Improvement over FreeBSD (whose man page warns about it): a rule naming
 * a hook that does not exist yet is resolved when that hook connects.
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
#include <ngraph/nodes/tag.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

enum { HS_RFRAMES, HS_ROCTETS, HS_RMFRAMES, HS_RMOCTETS, HS_XFRAMES, HS_XOCTETS, HS_N };
enum { TS_NODEST, TS_TAGGED, TS_STRIPPED, TS_NOROOM, TS_N };
static const char *const ts_names[TS_N] = {"drop_nodest", "tagged", "stripped", "tag_noroom"};

/* What rcvdata reads: immutable once published. */
struct tag_conf {
    struct ng_defer_entry defer;
    /* Resolved ifMatch / ifNotMatch, or NULL: the only fields changed
     * after publication, in place, by connect and disconnect (p->lock). */
    _Atomic(struct ng_hook *) match, nonmatch;
    uint32_t in_cookie, out_cookie;
    uint16_t in_id, out_id;
    uint8_t in_len, out_len, strip;
    uint8_t in_data[NG_TAG_MAX_LEN], out_data[NG_TAG_MAX_LEN];
};

/* A connected hook (its private pointer). */
struct tag_hook {
    struct ng_defer_entry defer;
    struct ng_hook *hook;
    _Atomic(struct tag_conf *) conf;
    struct ng_pcounter *pc; /* HS_N */
    struct tag_hook *next;  /* the node's list (p->lock) */
    /* The API structs as last set (p->lock), data at the end. */
    struct ng_tag_hookin *in;
    struct ng_tag_hookout *out;
};

struct tag_priv {
    pthread_mutex_t lock;
    struct tag_hook *hooks;
    struct ng_pcounter *pc; /* TS_N */
    struct ng_graph *g;
};

/* ---- configuration (p->lock held) ------------------------------------------ */

static void conf_free(struct ng_defer_entry *e) { free(e); }

static void th_free(struct tag_hook *th)
{
    free(atomic_load(&th->conf));
    ng_pcounter_destroy(th->pc);
    free(th->in);
    free(th->out);
    free(th);
}

static void th_free_deferred(struct ng_defer_entry *e) { th_free((struct tag_hook *)(void *)e); }

/* A destination by name: a valid, connected hook of the node, or NULL. */
static struct ng_hook *resolve(struct ng_node *node, const char *name)
{
    struct ng_hook *h;
    if (!name[0] || ng_hook_find(node, name, &h) != 0)
        return NULL;
    /* A hook whose connect has not run yet (linked, no private pointer)
     * is not a destination yet: its connect, which takes p->lock after
     * us, points the rules naming it at it. */
    struct ng_hook *r = ng_hook_is_valid(h) && ng_hook_private(h) ? h : NULL;
    ng_hook_unref(h); /* still linked: its disconnect clears what we keep */
    return r;
}

/* Build and publish th's conf from its API structs. */
static int republish(struct tag_priv *p, struct tag_hook *th)
{
    struct tag_conf *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    struct ng_node *node = ng_hook_node(th->hook);
    const struct ng_tag_hookin *in = th->in;
    const struct ng_tag_hookout *out = th->out;
    atomic_init(&c->match, resolve(node, in->ifMatch));
    atomic_init(&c->nonmatch, resolve(node, in->ifNotMatch));
    c->in_cookie = in->tag_cookie;
    c->in_id = in->tag_id;
    c->in_len = (uint8_t)in->tag_len;
    c->strip = in->strip;
    memcpy(c->in_data, in->tag_data, in->tag_len);
    c->out_cookie = out->tag_cookie;
    c->out_id = out->tag_id;
    c->out_len = (uint8_t)out->tag_len;
    memcpy(c->out_data, out->tag_data, out->tag_len);
    struct tag_conf *old = atomic_exchange_explicit(&th->conf, c, memory_order_acq_rel);
    if (old && ng_defer(p->g, &old->defer, conf_free) != 0)
        free(old); /* cannot happen: every argument is set */
    return 0;
}

/* ---- data path ------------------------------------------------------------- */

static void hcount(struct tag_hook *th, int i, uint64_t v)
{
    ng_pcounter_add(th->pc, (unsigned)i, v);
}

/* Whether the tag at off carries the rule's data (any data when the rule
 * has none). */
static bool data_match(const void *meta, int off, const struct tag_conf *c)
{
    const uint8_t *d;
    unsigned len = ng_tag_meta_data(meta, off, &d);
    return c->in_len == 0 || (len == c->in_len && memcmp(d, c->in_data, len) == 0);
}

static int tag_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct tag_priv *p = ng_node_private(ng_hook_node(hook));
    struct tag_hook *th = ng_hook_private(hook);
    if (!th) { /* connect has not finished: no rule yet */
        ng_pcounter_add(p->pc, TS_NODEST, 1);
        ng_item_drop(item, NG_DROP_NOTCONN);
        return 0;
    }
    const struct tag_conf *c = atomic_load_explicit(&th->conf, memory_order_acquire);
    uint32_t len = ng_item_len(item);
    hcount(th, HS_RFRAMES, 1);
    hcount(th, HS_ROCTETS, len);
    void *meta = ng_item_meta(item);
    int off = -ENOENT;
    if (c->in_cookie || c->in_id) { /* all zeroes: FreeBSD's "never matches" */
        off = ng_tag_meta_find(meta, c->in_cookie, c->in_id, 0);
        while (off >= 0 && !data_match(meta, off, c))
            off = ng_tag_meta_find(meta, c->in_cookie, c->in_id,
                                   (unsigned)off + NG_TAG_META_HDR +
                                       ng_tag_meta_data(meta, off, NULL));
    }
    struct ng_hook *dest = atomic_load_explicit(&c->nonmatch, memory_order_acquire);
    if (off >= 0) {
        hcount(th, HS_RMFRAMES, 1);
        hcount(th, HS_RMOCTETS, len);
        if (c->strip) {
            ng_tag_meta_del(meta, off);
            ng_pcounter_add(p->pc, TS_STRIPPED, 1);
        }
        dest = atomic_load_explicit(&c->match, memory_order_acquire);
    }
    if (!dest) {
        ng_pcounter_add(p->pc, TS_NODEST, 1);
        ng_item_drop(item, NG_DROP_NOTCONN);
        return 0;
    }
    struct tag_hook *dth = ng_hook_private(dest);
    if (dth) {
        const struct tag_conf *dc = atomic_load_explicit(&dth->conf, memory_order_acquire);
        hcount(dth, HS_XFRAMES, 1);
        hcount(dth, HS_XOCTETS, len);
        if (dc->out_cookie || dc->out_id) {
            /* No room: FreeBSD's failed m_tag_alloc, the packet goes untagged. */
            if (ng_tag_meta_add(meta, dc->out_cookie, dc->out_id, dc->out_data, dc->out_len) == 0)
                ng_pcounter_add(p->pc, TS_TAGGED, 1);
            else
                ng_pcounter_add(p->pc, TS_NOROOM, 1);
        }
    }
    return ng_send_data(dest, item);
}

/* ---- node and hooks --------------------------------------------------------- */

static int tag_constructor(struct ng_node *node)
{
    struct tag_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    if (ng_pcounter_create(TS_N, &p->pc) != 0) {
        free(p);
        return -ENOMEM;
    }
    pthread_mutex_init(&p->lock, NULL);
    p->g = ng_node_graph(node);
    ng_node_set_private(node, p);
    return 0;
}

static void tag_shutdown(struct ng_node *node)
{
    struct tag_priv *p = ng_node_private(node);
    if (!p)
        return;
    if (ng_node_is_valid(node)) { /* a persistent node revives: counters cleared */
        (void)ng_pcounter_snapshot(p->pc, 0, TS_N, NULL, true);
        return;
    }
    ng_node_set_private(node, NULL);
    while (p->hooks) { /* normally none: disconnect took them */
        struct tag_hook *th = p->hooks;
        p->hooks = th->next;
        th_free(th);
    }
    ng_pcounter_destroy(p->pc);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* Point the rules of the node's other hooks that name `name` at hook
 * (connect) or, hook NULL, clear those that point at `gone` (disconnect).
 * p->lock held. */
static void retarget(struct tag_priv *p, const char *name, struct ng_hook *hook,
                     struct ng_hook *gone)
{
    for (struct tag_hook *o = p->hooks; o; o = o->next) {
        struct tag_conf *c = atomic_load_explicit(&o->conf, memory_order_relaxed);
        if (hook) {
            if (strcmp(o->in->ifMatch, name) == 0)
                atomic_store_explicit(&c->match, hook, memory_order_release);
            if (strcmp(o->in->ifNotMatch, name) == 0)
                atomic_store_explicit(&c->nonmatch, hook, memory_order_release);
        } else {
            struct ng_hook *expect = gone;
            atomic_compare_exchange_strong(&c->match, &expect, NULL);
            expect = gone;
            atomic_compare_exchange_strong(&c->nonmatch, &expect, NULL);
        }
    }
}

/* The hook's state is built by connect (a hook refused after newhook gets
 * no disconnect call, so newhook allocates nothing). */
static int tag_connect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct tag_priv *p = ng_node_private(node);
    struct tag_hook *th = calloc(1, sizeof(*th));
    if (!th)
        return -ENOMEM;
    th->hook = hook;
    th->in = calloc(1, sizeof(*th->in));
    th->out = calloc(1, sizeof(*th->out));
    if (!th->in || !th->out || ng_pcounter_create(HS_N, &th->pc) != 0) {
        th_free(th);
        return -ENOMEM;
    }
    snprintf(th->in->thisHook, NG_HOOKSIZ, "%s", ng_hook_name(hook));
    snprintf(th->out->thisHook, NG_HOOKSIZ, "%s", ng_hook_name(hook));
    pthread_mutex_lock(&p->lock);
    int rc = republish(p, th);
    if (rc == 0) {
        /* The private pointer first (release): a packet that finds this
         * hook as its destination then also finds its outgoing tag and
         * counters.  Then rules set before this hook existed reach it. */
        ng_hook_set_private(hook, th);
        retarget(p, ng_hook_name(hook), hook, NULL);
        th->next = p->hooks;
        p->hooks = th;
    }
    pthread_mutex_unlock(&p->lock);
    if (rc != 0)
        th_free(th);
    return rc;
}

static int tag_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct tag_priv *p = ng_node_private(node);
    pthread_mutex_lock(&p->lock);
    struct tag_hook *th = ng_hook_private(hook), **pp = &p->hooks;
    while (*pp && *pp != th)
        pp = &(*pp)->next;
    if (th && *pp == th)
        *pp = th->next;
    retarget(p, NULL, NULL, hook);
    pthread_mutex_unlock(&p->lock);
    if (th && ng_defer(p->g, &th->defer, th_free_deferred) != 0)
        th_free(th); /* cannot happen: every argument is set */
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

/* ---- messages ------------------------------------------------------------- */

static bool name_ok(const char *s) { return memchr(s, '\0', NG_HOOKSIZ) != NULL; }

/* The argument of SET_HOOKIN/OUT is the struct and tag_len data bytes;
 * its ASCII form parses to that padded to the struct's alignment (4), so
 * both lengths are accepted. */
static bool arglen_ok(uint32_t arglen, size_t want)
{
    return arglen == want || arglen == ((want + 3) & ~(size_t)3);
}

/* The connected hook named by a message's hook-name argument (FreeBSD: a
 * string, terminated within arglen). p->lock held. */
static int find_th(struct tag_priv *p, const struct ng_mesg *m, const char *name,
                   struct tag_hook **thp)
{
    char buf[NG_HOOKSIZ];
    if (!name) {
        if (m->header.arglen == 0)
            return -EINVAL;
        size_t n = m->header.arglen < NG_HOOKSIZ ? m->header.arglen : NG_HOOKSIZ;
        memcpy(buf, m->data, n);
        buf[n - 1] = '\0';
        name = buf;
    }
    for (struct tag_hook *th = p->hooks; th; th = th->next)
        if (strcmp(ng_hook_name(th->hook), name) == 0) {
            *thp = th;
            return 0;
        }
    return -ENOENT;
}

static int tag_sethookin(struct tag_priv *p, const struct ng_mesg *m)
{
    const struct ng_tag_hookin *hp = (const void *)m->data;
    if (m->header.arglen < sizeof(*hp) ||
        !arglen_ok(m->header.arglen, NG_TAG_HOOKIN_SIZE(hp->tag_len)) ||
        hp->tag_len > NG_TAG_MAX_LEN || !name_ok(hp->thisHook) || !name_ok(hp->ifMatch) ||
        !name_ok(hp->ifNotMatch))
        return -EINVAL;
    pthread_mutex_lock(&p->lock);
    struct tag_hook *th;
    int rc = find_th(p, m, hp->thisHook, &th);
    size_t size = NG_TAG_HOOKIN_SIZE(hp->tag_len);
    struct ng_tag_hookin *in = rc == 0 ? malloc(size) : NULL;
    if (rc == 0 && !in)
        rc = -ENOMEM;
    if (rc == 0) {
        memcpy(in, hp, size);
        struct ng_tag_hookin *old = th->in;
        th->in = in;
        rc = republish(p, th);
        if (rc == 0) {
            free(old);
        } else {
            th->in = old;
            free(in);
        }
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

static int tag_sethookout(struct tag_priv *p, const struct ng_mesg *m)
{
    const struct ng_tag_hookout *hp = (const void *)m->data;
    if (m->header.arglen < sizeof(*hp) ||
        !arglen_ok(m->header.arglen, NG_TAG_HOOKOUT_SIZE(hp->tag_len)) ||
        hp->tag_len > NG_TAG_MAX_LEN || !name_ok(hp->thisHook))
        return -EINVAL;
    pthread_mutex_lock(&p->lock);
    struct tag_hook *th;
    int rc = find_th(p, m, hp->thisHook, &th);
    size_t size = NG_TAG_HOOKOUT_SIZE(hp->tag_len);
    struct ng_tag_hookout *out = rc == 0 ? malloc(size) : NULL;
    if (rc == 0 && !out)
        rc = -ENOMEM;
    if (rc == 0) {
        memcpy(out, hp, size);
        struct ng_tag_hookout *old = th->out;
        th->out = out;
        rc = republish(p, th);
        if (rc == 0) {
            free(old);
        } else {
            th->out = old;
            free(out);
        }
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

/* GET_HOOKIN, GET_HOOKOUT, GET_STATS, CLR_STATS, GETCLR_STATS. */
static int tag_get(struct tag_priv *p, struct ng_item *item)
{
    const struct ng_mesg *m = ng_item_msg(item);
    uint32_t cmd = m->header.cmd;
    pthread_mutex_lock(&p->lock);
    struct tag_hook *th;
    int rc = find_th(p, m, NULL, &th);
    struct ng_mesg *r = NULL;
    if (rc == 0 && cmd == NGM_TAG_GET_HOOKIN) {
        size_t n = NG_TAG_HOOKIN_SIZE(th->in->tag_len); /* padded as ASCII parses it */
        if ((r = ng_mesg_response(m, (uint32_t)((n + 3) & ~(size_t)3))))
            memcpy(r->data, th->in, n);
    } else if (rc == 0 && cmd == NGM_TAG_GET_HOOKOUT) {
        size_t n = NG_TAG_HOOKOUT_SIZE(th->out->tag_len);
        if ((r = ng_mesg_response(m, (uint32_t)((n + 3) & ~(size_t)3))))
            memcpy(r->data, th->out, n);
    } else if (rc == 0) {
        uint64_t v[HS_N];
        (void)ng_pcounter_snapshot(th->pc, 0, HS_N, v, cmd != NGM_TAG_GET_STATS);
        if (cmd != NGM_TAG_CLR_STATS && (r = ng_mesg_response(m, sizeof(struct ng_tag_hookstat))))
            memcpy(r->data, v, sizeof(v));
    }
    pthread_mutex_unlock(&p->lock);
    if (rc == 0 && !r && cmd != NGM_TAG_CLR_STATS)
        rc = -ENOMEM;
    if (rc != 0 || !r) {
        ng_item_free(item);
        return rc;
    }
    return ng_respond(item, 0, r);
}

static int tag_status(struct tag_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    size_t len = 0, cap = NG_TEXTRESPONSE;
    int n;
    for (int i = 0; i < TS_N && len < cap; i++) {
        n = snprintf(r->data + len, cap - len, "%s=%llu%s", ts_names[i],
                     (unsigned long long)ng_pcounter_read(p->pc, (unsigned)i),
                     i + 1 < TS_N ? " " : "\n");
        len += n > 0 ? (size_t)n : 0;
    }
    pthread_mutex_lock(&p->lock);
    for (struct tag_hook *th = p->hooks; th && len < cap; th = th->next) {
        const struct ng_tag_hookin *in = th->in;
        const struct ng_tag_hookout *out = th->out;
        n = snprintf(r->data + len, cap - len,
                     "%s: in %u:%u/%u%s match=\"%s\" nomatch=\"%s\" out %u:%u/%u "
                     "recv=%llu match=%llu xmit=%llu\n",
                     in->thisHook, (unsigned)in->tag_cookie, (unsigned)in->tag_id,
                     (unsigned)in->tag_len, in->strip ? " strip" : "", in->ifMatch, in->ifNotMatch,
                     (unsigned)out->tag_cookie, (unsigned)out->tag_id, (unsigned)out->tag_len,
                     (unsigned long long)ng_pcounter_read(th->pc, HS_RFRAMES),
                     (unsigned long long)ng_pcounter_read(th->pc, HS_RMFRAMES),
                     (unsigned long long)ng_pcounter_read(th->pc, HS_XFRAMES));
        len += n > 0 ? (size_t)n : 0;
    }
    pthread_mutex_unlock(&p->lock);
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

static int tag_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct tag_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    int rc = -EINVAL;
    if (m->header.flags & NGF_RESP) {
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS)
        return tag_status(p, item);
    if (m->header.typecookie == NGM_TAG_COOKIE) {
        switch (m->header.cmd) {
        case NGM_TAG_SET_HOOKIN:
            rc = tag_sethookin(p, m);
            break;
        case NGM_TAG_SET_HOOKOUT:
            rc = tag_sethookout(p, m);
            break;
        case NGM_TAG_GET_HOOKIN:
        case NGM_TAG_GET_HOOKOUT:
        case NGM_TAG_GET_STATS:
        case NGM_TAG_CLR_STATS:
        case NGM_TAG_GETCLR_STATS:
            return tag_get(p, item);
        default:
            break;
        }
    }
    ng_item_free(item);
    return rc;
}

/* ---- parse types ------------------------------------------------------------ */

static int hookin_len(const struct ng_parse_type *type, const uint8_t *start, const uint8_t *buf)
{
    (void)type;
    (void)start;
    uint16_t n;
    memcpy(&n,
           buf - offsetof(struct ng_tag_hookin, tag_data) + offsetof(struct ng_tag_hookin, tag_len),
           sizeof(n));
    return n;
}
static int hookout_len(const struct ng_parse_type *type, const uint8_t *start, const uint8_t *buf)
{
    (void)type;
    (void)start;
    uint16_t n;
    memcpy(&n,
           buf - offsetof(struct ng_tag_hookout, tag_data) +
               offsetof(struct ng_tag_hookout, tag_len),
           sizeof(n));
    return n;
}
static const struct ng_parse_bytearray_info hookin_data_info = {hookin_len};
static const struct ng_parse_type hookin_data_type = {
    &ng_parse_bytearray_type, &hookin_data_info, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_bytearray_info hookout_data_info = {hookout_len};
static const struct ng_parse_type hookout_data_type = {
    &ng_parse_bytearray_type, &hookout_data_info, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field hookin_fields[] = {
    {"thisHook", &ng_parse_hookbuf_type, 0},
    {"ifMatch", &ng_parse_hookbuf_type, 0},
    {"ifNotMatch", &ng_parse_hookbuf_type, 0},
    {"strip", &ng_parse_uint8_type, 0},
    {"tag_cookie", &ng_parse_uint32_type, 0},
    {"tag_id", &ng_parse_uint16_type, 0},
    {"tag_len", &ng_parse_uint16_type, 0},
    {"tag_data", &hookin_data_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type hookin_type = {
    &ng_parse_struct_type, hookin_fields, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field hookout_fields[] = {
    {"thisHook", &ng_parse_hookbuf_type, 0}, {"tag_cookie", &ng_parse_uint32_type, 0},
    {"tag_id", &ng_parse_uint16_type, 0},    {"tag_len", &ng_parse_uint16_type, 0},
    {"tag_data", &hookout_data_type, 0},     {NULL, NULL, 0},
};
static const struct ng_parse_type hookout_type = {
    &ng_parse_struct_type, hookout_fields, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field hookstat_fields[] = {
    {"recvFrames", &ng_parse_uint64_type, 0},
    {"recvOctets", &ng_parse_uint64_type, 0},
    {"recvMatchFrames", &ng_parse_uint64_type, 0},
    {"recvMatchOctets", &ng_parse_uint64_type, 0},
    {"xmitFrames", &ng_parse_uint64_type, 0},
    {"xmitOctets", &ng_parse_uint64_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type hookstat_type = {
    &ng_parse_struct_type, hookstat_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_cmdlist tag_cmds[] = {
    {NGM_TAG_COOKIE, NGM_TAG_SET_HOOKIN, "sethookin", &hookin_type, NULL,
     sizeof(struct ng_tag_hookin)},
    {NGM_TAG_COOKIE, NGM_TAG_GET_HOOKIN, "gethookin", &ng_parse_hookbuf_type, &hookin_type, 1},
    {NGM_TAG_COOKIE, NGM_TAG_SET_HOOKOUT, "sethookout", &hookout_type, NULL,
     sizeof(struct ng_tag_hookout)},
    {NGM_TAG_COOKIE, NGM_TAG_GET_HOOKOUT, "gethookout", &ng_parse_hookbuf_type, &hookout_type, 1},
    {NGM_TAG_COOKIE, NGM_TAG_GET_STATS, "getstats", &ng_parse_hookbuf_type, &hookstat_type, 1},
    {NGM_TAG_COOKIE, NGM_TAG_CLR_STATS, "clrstats", &ng_parse_hookbuf_type, NULL, 1},
    {NGM_TAG_COOKIE, NGM_TAG_GETCLR_STATS, "getclrstats", &ng_parse_hookbuf_type, &hookstat_type,
     1},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_tag_type = {
    .version = NG_ABI_VERSION,
    .name = NG_TAG_NODE_TYPE,
    .cookie = NGM_TAG_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = tag_constructor,
    .rcvmsg = tag_rcvmsg,
    .shutdown = tag_shutdown,
    .connect = tag_connect,
    .rcvdata = tag_rcvdata,
    .disconnect = tag_disconnect,
    .cmdlist = tag_cmds,
};
