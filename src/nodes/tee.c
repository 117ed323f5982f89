/*
 * tee.c - the "tee" node type (netgraph's ng_tee, docs/nodes/tee.md): a
 * pass-through between "left" and "right" that copies traffic to
 * "right2left" / "left2right", as ng_tee(4) says: data received on right
 * goes out left and right2left, data received on left goes out right and
 * left2right (with only the tap connected, the tap gets the original),
 * data received on right2left goes out right, on left2right out left.
 * Flow-control messages (NGM_FLOW_COOKIE) from left or right are passed
 * on to the other side (ng_forward_msg).  Shutting down with left and
 * right connected splices them together first (close: ng_bypass).
 *
 * Concurrency: rcvdata may run concurrently with itself and with the
 * control-side methods (newhook/disconnect run under the graph control lock).
 * The four hook slots are atomic pointers written only by newhook/disconnect
 * and read by rcvdata; a hook read just before disconnect cleared it is still
 * valid memory (grace period) and sending on it drops with -ENOTCONN.
 * Counters are per-thread (ng_pcounter: no locked instruction and no line
 * shared between senders), summed when read.  The private struct is freed
 * by shutdown, which runs after a grace period.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

enum { TEE_RIGHT, TEE_LEFT, TEE_R2L, TEE_L2R, TEE_NHOOKS };
static const char *const tee_names[TEE_NHOOKS] = {"right", "left", "right2left", "left2right"};

/* A hook's counters in p->st, from TEE_NST * slot: struct ng_tee_hookstat's
 * order (octets before frames, so ng_pcounter_add2 counts a frame once). */
enum { TEE_IN_OCTETS, TEE_IN_FRAMES, TEE_OUT_OCTETS, TEE_OUT_FRAMES, TEE_NST };

struct tee_priv {
    _Atomic(struct ng_hook *) hook[TEE_NHOOKS];
    struct ng_pcounter *st; /* TEE_NST per hook slot */
};

/* Where data arriving on each hook goes, and where its copy goes. */
static const int tee_dest[TEE_NHOOKS] = {TEE_LEFT, TEE_RIGHT, TEE_RIGHT, TEE_LEFT};
static const int tee_dup[TEE_NHOOKS] = {TEE_R2L, TEE_L2R, -1, -1};

/* The hooks data arriving on `from` leaves by: *dup gets a copy, *outp the
 * original (FreeBSD's dest/dup: with the main side unconnected the tap
 * gets the original).  Either may be NULL. */
static void tee_route(struct tee_priv *p, int from, int *dslot, struct ng_hook **dup, int *oslot,
                      struct ng_hook **outp)
{
    int d = tee_dup[from], o = tee_dest[from];
    *dup = d >= 0 ? atomic_load_explicit(&p->hook[d], memory_order_acquire) : NULL;
    *outp = atomic_load_explicit(&p->hook[o], memory_order_acquire);
    if (!*outp && *dup) {
        *outp = *dup;
        o = d;
        *dup = NULL;
    }
    *dslot = d;
    *oslot = o;
}

static int tee_constructor(struct ng_node *node)
{
    struct tee_priv *p = calloc(1, sizeof(*p));
    if (!p || ng_pcounter_create(TEE_NHOOKS * TEE_NST, &p->st) != 0) {
        free(p);
        return -ENOMEM;
    }
    ng_node_set_private(node, p);
    return 0;
}

/* Zero hook slot i's counters (-1: every slot's). */
static void tee_zero(struct tee_priv *p, int i)
{
    if (i < 0)
        (void)ng_pcounter_snapshot(p->st, 0, TEE_NHOOKS * TEE_NST, NULL, true);
    else
        (void)ng_pcounter_snapshot(p->st, (unsigned)i * TEE_NST, TEE_NST, NULL, true);
}

/* Final shutdown: free the state.  A persistent tee revives (netgraph(4)):
 * the node stays valid, so keep the state and clear the statistics. */
static void tee_shutdown(struct ng_node *node)
{
    struct tee_priv *p = ng_node_private(node);
    if (ng_node_is_valid(node)) {
        tee_zero(p, -1);
        return;
    }
    ng_pcounter_destroy(p->st);
    free(p);
    ng_node_set_private(node, NULL);
}

/* ng_tee(4): "If both right and left hooks are present, node removes
 * itself from the chain gently, connecting right and left together." */
static int tee_close(struct ng_node *node)
{
    struct tee_priv *p = ng_node_private(node);
    struct ng_hook *l = atomic_load(&p->hook[TEE_LEFT]), *r = atomic_load(&p->hook[TEE_RIGHT]);
    if (l && r)
        return ng_bypass(l, r);
    return 0;
}

static int tee_slot(const char *name)
{
    for (int i = 0; i < TEE_NHOOKS; i++)
        if (strcmp(name, tee_names[i]) == 0)
            return i;
    return -1;
}

static int tee_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    struct tee_priv *p = ng_node_private(node);
    int i = tee_slot(name);
    if (i < 0)
        return -EINVAL;
    if (atomic_load(&p->hook[i]))
        return -EISCONN;
    tee_zero(p, i); /* a new hook starts with zero counters, as FreeBSD's */
    ng_hook_set_private(hook, (void *)(intptr_t)i);
    atomic_store_explicit(&p->hook[i], hook, memory_order_release);
    return 0;
}

static int tee_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct tee_priv *p = ng_node_private(node);
    int i = (int)(intptr_t)ng_hook_private(hook);
    struct ng_hook *expect = hook;
    atomic_compare_exchange_strong(&p->hook[i], &expect, NULL);
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

/* Count frames (octets bytes in all) in or out of hook slot i. */
static void count_n(struct tee_priv *p, int i, bool in, uint64_t frames, uint64_t octets)
{
    ng_pcounter_add2(p->st, (unsigned)i * TEE_NST + (in ? TEE_IN_OCTETS : TEE_OUT_OCTETS), octets,
                     frames);
}

static void count(struct tee_priv *p, int i, bool in, uint32_t len) { count_n(p, i, in, 1, len); }

static int tee_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct tee_priv *p = ng_node_private(ng_hook_node(hook));
    int from = (int)(intptr_t)ng_hook_private(hook);
    uint32_t len = ng_item_len(item);
    count(p, from, true, len);

    int d, o;
    struct ng_hook *dup, *out;
    tee_route(p, from, &d, &dup, &o, &out);
    if (dup) {
        /* A copy that cannot be had is already counted as an allocation
         * drop (NG_DROP_NOBUFS) by ng_item_copy. */
        struct ng_item *copy = ng_item_copy(item);
        if (copy && ng_send_data(dup, copy) == 0)
            count(p, d, false, len);
    }
    if (!out) {
        ng_item_drop(item, NG_DROP_NOTCONN);
        return -ENOTCONN;
    }
    int rc = ng_send_data(out, item);
    if (rc == 0)
        count(p, o, false, len);
    return rc;
}

/* A burst: what n calls of tee_rcvdata would do, with the counters moved
 * once and the items (and their copies) forwarded as bursts. */
static int tee_rcvdata_burst(struct ng_hook *hook, struct ng_item **items, unsigned n)
{
    struct tee_priv *p = ng_node_private(ng_hook_node(hook));
    int from = (int)(intptr_t)ng_hook_private(hook);
    uint64_t octets = 0;
    for (unsigned i = 0; i < n; i++)
        octets += ng_item_len(items[i]);
    count_n(p, from, true, n, octets);

    int d, o;
    struct ng_hook *dup, *out;
    tee_route(p, from, &d, &dup, &o, &out);
    if (dup) {
        struct ng_item *copies[NG_BURST_MAX];
        unsigned nc = 0;
        uint64_t coctets = 0;
        for (unsigned i = 0; i < n; i++) {
            struct ng_item *c = ng_item_copy(items[i]); /* a failure is counted there */
            if (c) {
                copies[nc++] = c;
                coctets += ng_item_len(c);
            }
        }
        if (nc && ng_send_data_burst(dup, copies, nc) == 0)
            count_n(p, d, false, nc, coctets);
    }
    if (!out) {
        for (unsigned i = 0; i < n; i++)
            ng_item_drop(items[i], NG_DROP_NOTCONN);
        return -ENOTCONN;
    }
    int rc = ng_send_data_burst(out, items, n);
    if (rc == 0)
        count_n(p, o, false, n, octets);
    return rc;
}

/* Read (and with clear, zero) one hook's counters. */
static void tee_fill(struct ng_tee_hookstat *o, struct tee_priv *p, int i, bool clear)
{
    uint64_t v[TEE_NST];
    (void)ng_pcounter_snapshot(p->st, (unsigned)i * TEE_NST, TEE_NST, v, clear);
    o->inOctets = v[0];
    o->inFrames = v[1];
    o->outOctets = v[2];
    o->outFrames = v[3];
}

/* struct ng_tee_stats is right, left, right2left, left2right: slot order. */
static void tee_snapshot(struct tee_priv *p, struct ng_tee_stats *st, bool clear)
{
    struct ng_tee_hookstat *dst[TEE_NHOOKS] = {&st->right, &st->left, &st->right2left,
                                               &st->left2right};
    for (int i = 0; i < TEE_NHOOKS; i++)
        tee_fill(dst[i], p, i, clear);
}

static int tee_status(struct tee_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    struct ng_tee_stats st;
    tee_snapshot(p, &st, false);
    const struct ng_tee_hookstat *hs[TEE_NHOOKS] = {&st.right, &st.left, &st.right2left,
                                                    &st.left2right};
    size_t len = 0;
    for (int i = 0; i < TEE_NHOOKS; i++) {
        int n =
            snprintf(r->data + len, NG_TEXTRESPONSE - len,
                     "%s: %s inOctets=%llu inFrames=%llu outOctets=%llu outFrames=%llu\n",
                     tee_names[i], atomic_load(&p->hook[i]) ? "connected" : "unconnected",
                     (unsigned long long)hs[i]->inOctets, (unsigned long long)hs[i]->inFrames,
                     (unsigned long long)hs[i]->outOctets, (unsigned long long)hs[i]->outFrames);
        len += n > 0 ? (size_t)n : 0;
    }
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

/* Flow-control messages (ng_tee.c's NGM_FLOW_COOKIE case): from left or
 * right they go on where that side's data goes (the other side, or its tap
 * when the other side is unconnected), keeping the sender's address; from
 * elsewhere they are accepted and dropped. */
static int tee_flow(struct tee_priv *p, struct ng_item *item, struct ng_hook *lasthook)
{
    int from = lasthook ? (int)(intptr_t)ng_hook_private(lasthook) : -1;
    if ((from == TEE_LEFT || from == TEE_RIGHT) && atomic_load(&p->hook[from]) == lasthook) {
        int d, o;
        struct ng_hook *dup, *out;
        tee_route(p, from, &d, &dup, &o, &out);
        if (out)
            return ng_forward_msg(item, out);
    }
    ng_item_free(item);
    return 0;
}

static int tee_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    struct tee_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS)
        return tee_status(p, item);
    if (m->header.typecookie == NGM_FLOW_COOKIE && !(m->header.flags & NGF_RESP))
        return tee_flow(p, item, lasthook);
    if (m->header.typecookie != NGM_TEE_COOKIE || (m->header.flags & NGF_RESP)) {
        ng_item_free(item);
        return -EINVAL;
    }
    switch (m->header.cmd) {
    case NGM_TEE_GET_STATS:
    case NGM_TEE_GETCLR_STATS: {
        struct ng_mesg *r = ng_mesg_response(m, sizeof(struct ng_tee_stats));
        if (!r) {
            ng_item_free(item);
            return -ENOMEM;
        }
        tee_snapshot(p, (struct ng_tee_stats *)(void *)r->data,
                     m->header.cmd == NGM_TEE_GETCLR_STATS);
        return ng_respond(item, 0, r);
    }
    case NGM_TEE_CLR_STATS: {
        struct ng_tee_stats st;
        tee_snapshot(p, &st, true);
        ng_item_free(item);
        return 0;
    }
    default:
        ng_item_free(item);
        return -EINVAL;
    }
}

static const struct ng_parse_struct_field tee_hookstat_fields[] = {
    {"inOctets", &ng_parse_uint64_type, 0},
    {"inFrames", &ng_parse_uint64_type, 0},
    {"outOctets", &ng_parse_uint64_type, 0},
    {"outFrames", &ng_parse_uint64_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type tee_hookstat_type = {
    &ng_parse_struct_type, tee_hookstat_fields, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field tee_stats_fields[] = {
    {"right", &tee_hookstat_type, 0},
    {"left", &tee_hookstat_type, 0},
    {"right2left", &tee_hookstat_type, 0},
    {"left2right", &tee_hookstat_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type tee_stats_type = {
    &ng_parse_struct_type, tee_stats_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_cmdlist tee_cmds[] = {
    {NGM_TEE_COOKIE, NGM_TEE_GET_STATS, "getstats", NULL, &tee_stats_type, 0},
    {NGM_TEE_COOKIE, NGM_TEE_CLR_STATS, "clrstats", NULL, NULL, 0},
    {NGM_TEE_COOKIE, NGM_TEE_GETCLR_STATS, "getclrstats", NULL, &tee_stats_type, 0},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_tee_type = {
    .version = NG_ABI_VERSION,
    .name = NG_TEE_NODE_TYPE,
    .cookie = NGM_TEE_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = tee_constructor,
    .rcvmsg = tee_rcvmsg,
    .shutdown = tee_shutdown,
    .newhook = tee_newhook,
    .rcvdata = tee_rcvdata,
    .disconnect = tee_disconnect,
    .cmdlist = tee_cmds,
    .rcvdata_burst = tee_rcvdata_burst,
    .close = tee_close,
};
