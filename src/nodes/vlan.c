/*
 * vlan.c - the "vlan" node type (FreeBSD's ng_vlan(4)): IEEE 802.1Q
 * encapsulation and decapsulation between "downstream", "nomatch" and
 * per-VLAN hooks.  Docs: docs/nodes/vlan.md.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA).  rcvdata reads only atomics:
 *   - vid_hook[4096], downstream, nomatch: hook pointers, written (release
 *     stores) by newhook, disconnect and the filter messages, read (acquire
 *     loads) by rcvdata.  A hook loaded just before disconnect cleared its
 *     slot is still valid memory (the engine frees hooks after a grace
 *     period) and sending on it drops the item with -ENOTCONN, counted.
 *   - each hook's private pointer holds its role and, for a filter hook, the
 *     tag (VID, PCP, CFI) as an integer, never a pointer: nothing to free.
 *   - decap, encap, encap_proto: relaxed atomics (a frame sees the old or
 *     the new value).
 *   Writers: rcvmsg (writer access) and newhook/disconnect (control lock)
 *   may run concurrently with each other, so every filter change (slot and
 *   hook private together) is made under priv->lock; rcvdata never takes it.
 *   addfilter checks ng_hook_is_valid() under the lock: a hook's disconnect
 *   method (which also takes the lock) runs only after the hook was marked
 *   invalid, so a filter can never be left on a removed hook.
 *   The private struct is freed by shutdown, when no method can run.
 *   Counters are per-thread (ng_pcounter), summed when read.  rcvdata_burst
 *   routes each frame as rcvdata does and forwards runs of frames for the
 *   same hook as one burst.
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
#include <ngraph/nodes/vlan.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

/* Hook private values: a role bit, and for a filter hook VH_SET | tag. */
#define VH_TAG_MASK 0xffffu
#define VH_SET ((uintptr_t)1 << 16)
#define VH_DOWN ((uintptr_t)1 << 17)
#define VH_NOMATCH ((uintptr_t)1 << 18)
#define VLAN_NVID (NG_VLAN_VID_MASK + 1)

enum {
    VS_DOWN_IN,     /* frames received on downstream */
    VS_DOWN_OUT,    /* frames sent out of downstream */
    VS_VLAN_OUT,    /* frames sent out of a filter hook (decapsulated) */
    VS_NOMATCH_OUT, /* frames sent out of nomatch */
    VS_ENCAP,       /* frames tagged on their way downstream */
    VS_RUNT,        /* dropped: shorter than an Ethernet header or a cut tag */
    VS_NOFILTER,    /* dropped: arrived on a hook without a filter */
    VS_NETDOWN,     /* dropped: the hook to leave by is not connected */
    VS_NOBUFS,      /* dropped: no room for the tag and no new item */
    VS_COUNT
};
static const char *const vs_names[VS_COUNT] = {"downstream_in", "downstream_out", "vlan_out",
                                               "nomatch_out",   "encapsulated",   "drop_runt",
                                               "drop_nofilter", "drop_netdown",   "drop_nobufs"};

struct vlan_priv {
    _Atomic(struct ng_hook *) downstream;
    _Atomic(struct ng_hook *) nomatch;
    _Atomic uint32_t decap;       /* NGM_VLAN_SET_DECAP value */
    _Atomic uint32_t encap;       /* VLAN_ENCAP_* */
    _Atomic uint32_t encap_proto; /* TPID, host order */
    struct ng_pcounter *st; /* VS_COUNT, per thread */
    pthread_mutex_t lock; /* filter changes (see the header comment) */
    _Atomic(struct ng_hook *) vid_hook[VLAN_NVID];
};

static void vcount(struct vlan_priv *p, int i)
{
    ng_pcounter_add(p->st, (unsigned)i, 1);
}

static int vlan_constructor(struct ng_node *node)
{
    struct vlan_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    if (ng_pcounter_create(VS_COUNT, &p->st) != 0 || pthread_mutex_init(&p->lock, NULL) != 0) {
        ng_pcounter_destroy(p->st);
        free(p);
        return -ENOMEM;
    }
    atomic_init(&p->encap, VLAN_ENCAP_FROM_FILTER);
    atomic_init(&p->encap_proto, NG_VLAN_ETHERTYPE_VLAN);
    ng_node_set_private(node, p);
    return 0;
}

static void vlan_shutdown(struct ng_node *node)
{
    /* A persistent node revives (ng_node_set_persistent): its hooks are gone
     * (their disconnect methods cleared what referred to them) and it keeps
     * its state; freeing it here would leave the revived node without one. */
    if (ng_node_is_valid(node))
        return;
    struct vlan_priv *p = ng_node_private(node);
    ng_node_set_private(node, NULL);
    if (p) {
        pthread_mutex_destroy(&p->lock);
        ng_pcounter_destroy(p->st);
        free(p);
    }
}

static int vlan_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    struct vlan_priv *p = ng_node_private(node);
    _Atomic(struct ng_hook *) *slot = NULL;
    uintptr_t role = 0;
    if (strcmp(name, NG_VLAN_HOOK_DOWNSTREAM) == 0) {
        slot = &p->downstream;
        role = VH_DOWN;
    } else if (strcmp(name, NG_VLAN_HOOK_NOMATCH) == 0) {
        slot = &p->nomatch;
        role = VH_NOMATCH;
    }
    /* Any other name is a hook a filter may later name. */
    ng_hook_set_private(hook, (void *)role);
    if (slot) {
        if (atomic_load(slot))
            return -EISCONN;
        atomic_store_explicit(slot, hook, memory_order_release);
    }
    return 0;
}

static int vlan_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct vlan_priv *p = ng_node_private(node);
    pthread_mutex_lock(&p->lock);
    uintptr_t hd = (uintptr_t)ng_hook_private(hook);
    struct ng_hook *expect = hook;
    if (hd & VH_DOWN)
        atomic_compare_exchange_strong(&p->downstream, &expect, NULL);
    else if (hd & VH_NOMATCH)
        atomic_compare_exchange_strong(&p->nomatch, &expect, NULL);
    else if (hd & VH_SET)
        atomic_compare_exchange_strong(&p->vid_hook[hd & NG_VLAN_VID_MASK], &expect, NULL);
    ng_hook_set_private(hook, NULL);
    pthread_mutex_unlock(&p->lock);
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

static int vlan_send(struct vlan_priv *p, struct ng_hook *dst, struct ng_item *item, int stat)
{
    int rc = ng_send_data(dst, item);
    if (rc == 0)
        vcount(p, stat);
    return rc;
}

static int vlan_drop(struct vlan_priv *p, struct ng_item *item, int stat, int err)
{
    vcount(p, stat);
    if (err == -ENETDOWN)
        ng_item_drop(item, NG_DROP_NOTCONN);
    else
        ng_item_free(item);
    return err;
}

/* Remove the 4-byte tag after the two MAC addresses. */
static void vlan_decap(struct ng_item *item)
{
    uint8_t *d = ng_item_data(item);
    memmove(d + NG_VLAN_ENCAP_LEN, d, 12);
    ng_item_adj(item, NG_VLAN_ENCAP_LEN);
}

/* Insert TPID `proto` and `tag` after the MAC addresses; *itemp may be
 * replaced by a larger copy when the headroom is short. */
static int vlan_encap(struct ng_hook *hook, struct ng_item **itemp, uint16_t proto, uint16_t tag)
{
    struct ng_item *item = *itemp;
    uint8_t *d = ng_item_prepend(item, NG_VLAN_ENCAP_LEN);
    if (d) {
        memmove(d, d + NG_VLAN_ENCAP_LEN, 12);
    } else {
        uint32_t len = ng_item_len(item);
        struct ng_item *n =
            ng_item_alloc(ng_node_graph(ng_hook_node(hook)), len + NG_VLAN_ENCAP_LEN);
        if (!n)
            return -ENOBUFS; /* counted as NG_DROP_NOBUFS by the allocation */
        d = ng_item_data(n);
        const uint8_t *s = ng_item_data(item);
        memcpy(d, s, 12);
        memcpy(d + 16, s + 12, len - 12);
        memcpy(ng_item_meta(n), ng_item_meta(item), NG_ITEM_META_SIZE);
        ng_item_free(item);
        *itemp = n;
    }
    d[12] = (uint8_t)(proto >> 8);
    d[13] = (uint8_t)proto;
    d[14] = (uint8_t)(tag >> 8);
    d[15] = (uint8_t)tag;
    return 0;
}

/* Where a frame from downstream goes (the frame decapsulated as needed);
 * NULL: dropped, counted, *err set. */
static struct ng_hook *vlan_from_downstream(struct vlan_priv *p, struct ng_item *item, int *stat,
                                            int *err)
{
    const uint8_t *d = ng_item_data(item);
    uint32_t len = ng_item_len(item);
    uint16_t et = (uint16_t)(d[12] << 8 | d[13]);
    struct ng_hook *nomatch = atomic_load_explicit(&p->nomatch, memory_order_acquire);
    vcount(p, VS_DOWN_IN);
    *stat = VS_NOMATCH_OUT;
    if (et != (uint16_t)atomic_load_explicit(&p->encap_proto, memory_order_relaxed)) {
        if (!nomatch)
            *err = vlan_drop(p, item, VS_NETDOWN, -ENETDOWN);
        return nomatch;
    }
    if (len < NG_VLAN_ETHER_HDR_LEN + NG_VLAN_ENCAP_LEN) {
        *err = vlan_drop(p, item, VS_RUNT, -EINVAL);
        return NULL;
    }
    uint16_t vid = (uint16_t)((d[14] << 8 | d[15]) & NG_VLAN_VID_MASK);
    struct ng_hook *vh = atomic_load_explicit(&p->vid_hook[vid], memory_order_acquire);
    if (vh) { /* a filter: always decapsulated */
        vlan_decap(item);
        *stat = VS_VLAN_OUT;
        return vh;
    }
    if (!nomatch) {
        *err = vlan_drop(p, item, VS_NETDOWN, -ENETDOWN);
        return NULL;
    }
    /* FreeBSD moves the tag out of band here; items have no such field,
     * so with decap on the frame leaves untagged and the tag is gone. */
    if (atomic_load_explicit(&p->decap, memory_order_relaxed))
        vlan_decap(item);
    return nomatch;
}

/* Where a frame arriving on hook goes, the frame made ready (*itemp may be
 * replaced by a copy with room for the tag); NULL: dropped, counted, *err
 * set.  *stat is the counter of a successful send. */
static struct ng_hook *vlan_route(struct vlan_priv *p, struct ng_hook *hook, struct ng_item **itemp,
                                  int *stat, int *err)
{
    uintptr_t hd = (uintptr_t)ng_hook_private(hook);
    if (ng_item_len(*itemp) < NG_VLAN_ETHER_HDR_LEN) {
        *err = vlan_drop(p, *itemp, VS_RUNT, -EINVAL);
        return NULL;
    }
    if (hd & VH_DOWN)
        return vlan_from_downstream(p, *itemp, stat, err);
    *stat = VS_DOWN_OUT;
    struct ng_hook *down = atomic_load_explicit(&p->downstream, memory_order_acquire);
    if (!down) {
        *err = vlan_drop(p, *itemp, VS_NETDOWN, -ENETDOWN);
        return NULL;
    }
    if (hd & VH_NOMATCH) /* nomatch: passed unmodified (no out-of-band tags here) */
        return down;
    if (!(hd & VH_SET)) {
        *err = vlan_drop(p, *itemp, VS_NOFILTER, -EOPNOTSUPP);
        return NULL;
    }
    /* FROM_FILTER off: FreeBSD sets an out-of-band tag; the bytes leave as
     * they came. */
    if (!(atomic_load_explicit(&p->encap, memory_order_relaxed) & VLAN_ENCAP_FROM_FILTER))
        return down;
    uint16_t proto = (uint16_t)atomic_load_explicit(&p->encap_proto, memory_order_relaxed);
    int rc = vlan_encap(hook, itemp, proto, (uint16_t)(hd & VH_TAG_MASK));
    if (rc < 0) {
        *err = vlan_drop(p, *itemp, VS_NOBUFS, rc);
        return NULL;
    }
    vcount(p, VS_ENCAP);
    return down;
}

static int vlan_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct vlan_priv *p = ng_node_private(ng_hook_node(hook));
    int stat = 0, err = 0;
    struct ng_hook *dst = vlan_route(p, hook, &item, &stat, &err);
    return dst ? vlan_send(p, dst, item, stat) : err;
}

/* A burst: each frame routed as by vlan_rcvdata, runs of frames for the
 * same hook forwarded as one burst.  Returns the first error. */
static int vlan_rcvdata_burst(struct ng_hook *hook, struct ng_item **items, unsigned n)
{
    struct vlan_priv *p = ng_node_private(ng_hook_node(hook));
    struct ng_hook *run_dst = NULL;
    int run_stat = 0, first = 0;
    unsigned k = 0; /* items[0..k) are the pending run, all for run_dst */
    for (unsigned i = 0; i <= n; i++) {
        struct ng_hook *dst = NULL;
        int stat = 0, err = 0;
        struct ng_item *it = NULL;
        if (i < n) {
            it = items[i];
            dst = vlan_route(p, hook, &it, &stat, &err);
            if (!dst && !first)
                first = err;
        }
        if (k && (i == n || (dst && dst != run_dst))) {
            int rc = ng_send_data_burst(run_dst, items, k);
            if (rc == 0)
                ng_pcounter_add(p->st, (unsigned)run_stat, k);
            else if (!first)
                first = rc;
            k = 0;
        }
        if (dst) { /* k <= i: the slot is free */
            items[k++] = it;
            run_dst = dst;
            run_stat = stat;
        }
    }
    return first;
}

/* ---- messages ---------------------------------------------------------- */

static bool name_ok(const char *s) { return memchr(s, '\0', NG_HOOKSIZ) != NULL; }

static int vlan_addfilter(struct ng_node *node, struct vlan_priv *p, const struct ng_mesg *m)
{
    if (m->header.arglen != sizeof(struct ng_vlan_filter))
        return -EINVAL;
    struct ng_vlan_filter vf;
    memcpy(&vf, m->data, sizeof(vf));
    if (vf.vid == 0 && vf.vlan != 0)
        vf.vid = vf.vlan;
    else if (vf.vid != 0 && vf.vlan != 0 && vf.vid != vf.vlan)
        return -EINVAL;
    if ((vf.vid & ~NG_VLAN_VID_MASK) || vf.vid == NG_VLAN_VID_RESERVED || (vf.pcp & ~7u) ||
        (vf.cfi & ~1u) || !name_ok(vf.hook_name))
        return -EINVAL;
    struct ng_hook *h;
    int rc = ng_hook_find(node, vf.hook_name, &h);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&p->lock);
    uintptr_t hd = (uintptr_t)ng_hook_private(h);
    if (!ng_hook_is_valid(h))
        rc = -ENOENT;
    else if (hd & (VH_DOWN | VH_NOMATCH))
        rc = -EINVAL;
    else if ((hd & VH_SET) || atomic_load(&p->vid_hook[vf.vid]))
        rc = -EEXIST;
    else {
        ng_hook_set_private(h, (void *)(VH_SET | NG_VLAN_MAKETAG(vf.vid, vf.pcp, vf.cfi)));
        atomic_store_explicit(&p->vid_hook[vf.vid], h, memory_order_release);
    }
    pthread_mutex_unlock(&p->lock);
    ng_hook_unref(h);
    return rc;
}

/* Remove hook h's filter (p->lock held). */
static int vlan_unfilter(struct vlan_priv *p, struct ng_hook *h)
{
    uintptr_t hd = (uintptr_t)ng_hook_private(h);
    if (!(hd & VH_SET))
        return -ENOENT;
    struct ng_hook *expect = h;
    atomic_compare_exchange_strong(&p->vid_hook[hd & NG_VLAN_VID_MASK], &expect, NULL);
    ng_hook_set_private(h, NULL);
    return 0;
}

static int vlan_delfilter(struct ng_node *node, struct vlan_priv *p, const struct ng_mesg *m)
{
    if (m->header.arglen != NG_HOOKSIZ || !name_ok(m->data))
        return -EINVAL;
    struct ng_hook *h;
    int rc = ng_hook_find(node, m->data, &h);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&p->lock);
    rc = vlan_unfilter(p, h);
    pthread_mutex_unlock(&p->lock);
    ng_hook_unref(h);
    return rc;
}

static int vlan_delvid(struct vlan_priv *p, const struct ng_mesg *m)
{
    if (m->header.arglen != sizeof(uint16_t))
        return -EINVAL;
    uint16_t vid;
    memcpy(&vid, m->data, sizeof(vid));
    if (vid & ~NG_VLAN_VID_MASK)
        return -EINVAL;
    pthread_mutex_lock(&p->lock);
    /* The slot's hook is valid memory: we are in a read-side section and
     * its disconnect (which clears the slot) waits for the lock. */
    struct ng_hook *h = atomic_load(&p->vid_hook[vid]);
    int rc = h ? vlan_unfilter(p, h) : -ENOENT;
    pthread_mutex_unlock(&p->lock);
    return rc;
}

static int vlan_gettable(struct vlan_priv *p, struct ng_item *item)
{
    pthread_mutex_lock(&p->lock);
    uint32_t n = 0;
    for (unsigned i = 0; i < VLAN_NVID; i++)
        n += atomic_load(&p->vid_hook[i]) != NULL;
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), sizeof(struct ng_vlan_table) +
                                                                n * sizeof(struct ng_vlan_filter));
    if (!r) {
        pthread_mutex_unlock(&p->lock);
        ng_item_free(item);
        return -ENOMEM;
    }
    struct ng_vlan_table *t = (struct ng_vlan_table *)(void *)r->data;
    for (unsigned i = 0; i < VLAN_NVID && t->n < n; i++) {
        struct ng_hook *h = atomic_load(&p->vid_hook[i]);
        if (!h)
            continue;
        uintptr_t hd = (uintptr_t)ng_hook_private(h);
        struct ng_vlan_filter *f = &t->filter[t->n++];
        snprintf(f->hook_name, sizeof(f->hook_name), "%s", ng_hook_name(h));
        f->vlan = f->vid = (uint16_t)i;
        f->pcp = (uint8_t)((hd >> 13) & 7u);
        f->cfi = (uint8_t)((hd >> 12) & 1u);
    }
    pthread_mutex_unlock(&p->lock);
    return ng_respond(item, 0, r);
}

static int vlan_get32(struct ng_item *item, uint32_t v, uint32_t size)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), size);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    if (size == sizeof(uint16_t)) {
        uint16_t s = (uint16_t)v;
        memcpy(r->data, &s, sizeof(s));
    } else {
        memcpy(r->data, &v, sizeof(v));
    }
    return ng_respond(item, 0, r);
}

static int vlan_set(_Atomic uint32_t *dst, const struct ng_mesg *m, uint32_t size)
{
    if (m->header.arglen != size)
        return -EINVAL;
    uint32_t v = 0;
    if (size == sizeof(uint16_t)) {
        uint16_t s;
        memcpy(&s, m->data, sizeof(s));
        v = s;
    } else {
        memcpy(&v, m->data, sizeof(v));
    }
    atomic_store_explicit(dst, v, memory_order_relaxed);
    return 0;
}

static int vlan_status(struct vlan_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    unsigned nf = 0;
    for (unsigned i = 0; i < VLAN_NVID; i++)
        nf += atomic_load_explicit(&p->vid_hook[i], memory_order_relaxed) != NULL;
    size_t len = 0, cap = NG_TEXTRESPONSE;
    int n = snprintf(r->data, cap,
                     "downstream: %s  nomatch: %s  filters: %u\n"
                     "decap: %u  encap: 0x%x  encap_proto: 0x%04x\n",
                     atomic_load(&p->downstream) ? "connected" : "unconnected",
                     atomic_load(&p->nomatch) ? "connected" : "unconnected", nf,
                     (unsigned)atomic_load(&p->decap), (unsigned)atomic_load(&p->encap),
                     (unsigned)atomic_load(&p->encap_proto));
    len += n > 0 ? (size_t)n : 0;
    for (int i = 0; i < VS_COUNT && len < cap; i++) {
        n = snprintf(r->data + len, cap - len, "%s=%llu%s", vs_names[i],
                     (unsigned long long)ng_pcounter_read(p->st, (unsigned)i), i + 1 < VS_COUNT ? " " : "\n");
        len += n > 0 ? (size_t)n : 0;
    }
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

/* Flow-control messages from downstream go to every filter hook.  No lock:
 * delivering may run the peer's rcvmsg on this thread, which may remove one
 * of our hooks (our disconnect takes the lock); a slot's hook is valid
 * memory here (read-side section) and a removed one refuses the copy. */
static void vlan_flow(struct vlan_priv *p, const struct ng_mesg *m, struct ng_hook *lasthook)
{
    if (!lasthook || lasthook != atomic_load(&p->downstream))
        return;
    for (unsigned i = 0; i < VLAN_NVID; i++) {
        struct ng_hook *h = atomic_load_explicit(&p->vid_hook[i], memory_order_acquire);
        if (!h)
            continue;
        struct ng_mesg *c = ng_mesg_alloc(m->header.typecookie, m->header.cmd, m->header.arglen);
        if (!c)
            continue;
        memcpy(c->header.cmdstr, m->header.cmdstr, sizeof(c->header.cmdstr));
        memcpy(c->data, m->data, m->header.arglen);
        ng_send_msg_hook(h, c);
    }
}

static int vlan_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    struct vlan_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    int rc = -EINVAL;
    if (m->header.flags & NGF_RESP) {
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS)
        return vlan_status(p, item);
    if (m->header.typecookie == NGM_FLOW_COOKIE) {
        vlan_flow(p, m, lasthook);
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_VLAN_COOKIE) {
        switch (m->header.cmd) {
        case NGM_VLAN_ADD_FILTER:
            rc = vlan_addfilter(node, p, m);
            break;
        case NGM_VLAN_DEL_FILTER:
            rc = vlan_delfilter(node, p, m);
            break;
        case NGM_VLAN_DEL_VID_FLT:
            rc = vlan_delvid(p, m);
            break;
        case NGM_VLAN_GET_TABLE:
            return vlan_gettable(p, item);
        case NGM_VLAN_GET_DECAP:
            return vlan_get32(item, atomic_load(&p->decap), sizeof(uint32_t));
        case NGM_VLAN_GET_ENCAP:
            return vlan_get32(item, atomic_load(&p->encap), sizeof(uint32_t));
        case NGM_VLAN_GET_ENCAP_PROTO:
            return vlan_get32(item, atomic_load(&p->encap_proto), sizeof(uint16_t));
        case NGM_VLAN_SET_DECAP:
            rc = vlan_set(&p->decap, m, sizeof(uint32_t));
            break;
        case NGM_VLAN_SET_ENCAP:
            rc = vlan_set(&p->encap, m, sizeof(uint32_t));
            break;
        case NGM_VLAN_SET_ENCAP_PROTO:
            rc = vlan_set(&p->encap_proto, m, sizeof(uint16_t));
            break;
        default:
            break;
        }
    }
    ng_item_free(item);
    return rc;
}

/* ---- parse types --------------------------------------------------------- */

static const struct ng_parse_struct_field vlan_filter_fields[] = {
    {"hook", &ng_parse_hookbuf_type, 0}, {"vlan", &ng_parse_uint16_type, 0},
    {"vid", &ng_parse_uint16_type, 0},   {"pcp", &ng_parse_uint8_type, 0},
    {"cfi", &ng_parse_uint8_type, 0},    {NULL, NULL, 0},
};
static const struct ng_parse_type vlan_filter_type = {
    &ng_parse_struct_type, vlan_filter_fields, NULL, NULL, NULL, NULL, NULL};

static int vlan_table_len(const struct ng_parse_type *type, const uint8_t *start,
                          const uint8_t *buf)
{
    (void)type;
    (void)start;
    uint32_t n;
    memcpy(&n, buf - offsetof(struct ng_vlan_table, filter), sizeof(n));
    return n > VLAN_NVID ? -EINVAL : (int)n;
}
static const struct ng_parse_array_info vlan_table_array_info = {&vlan_filter_type, vlan_table_len};
static const struct ng_parse_type vlan_table_array_type = {
    &ng_parse_array_type, &vlan_table_array_info, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field vlan_table_fields[] = {
    {"n", &ng_parse_uint32_type, 0},
    {"filter", &vlan_table_array_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type vlan_table_type = {
    &ng_parse_struct_type, vlan_table_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_cmdlist vlan_cmds[] = {
    {NGM_VLAN_COOKIE, NGM_VLAN_ADD_FILTER, "addfilter", &vlan_filter_type, NULL,
     sizeof(struct ng_vlan_filter)},
    {NGM_VLAN_COOKIE, NGM_VLAN_DEL_FILTER, "delfilter", &ng_parse_hookbuf_type, NULL, NG_HOOKSIZ},
    {NGM_VLAN_COOKIE, NGM_VLAN_GET_TABLE, "gettable", NULL, &vlan_table_type, 0},
    {NGM_VLAN_COOKIE, NGM_VLAN_DEL_VID_FLT, "delvidflt", &ng_parse_uint16_type, NULL,
     sizeof(uint16_t)},
    {NGM_VLAN_COOKIE, NGM_VLAN_GET_DECAP, "getdecap", NULL, &ng_parse_hint32_type, 0},
    {NGM_VLAN_COOKIE, NGM_VLAN_SET_DECAP, "setdecap", &ng_parse_hint32_type, NULL,
     sizeof(uint32_t)},
    {NGM_VLAN_COOKIE, NGM_VLAN_GET_ENCAP, "getencap", NULL, &ng_parse_hint32_type, 0},
    {NGM_VLAN_COOKIE, NGM_VLAN_SET_ENCAP, "setencap", &ng_parse_hint32_type, NULL,
     sizeof(uint32_t)},
    {NGM_VLAN_COOKIE, NGM_VLAN_GET_ENCAP_PROTO, "getencapproto", NULL, &ng_parse_hint16_type, 0},
    {NGM_VLAN_COOKIE, NGM_VLAN_SET_ENCAP_PROTO, "setencapproto", &ng_parse_hint16_type, NULL,
     sizeof(uint16_t)},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_vlan_type = {
    .version = NG_ABI_VERSION,
    .name = NG_VLAN_NODE_TYPE,
    .cookie = NGM_VLAN_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = vlan_constructor,
    .rcvmsg = vlan_rcvmsg,
    .shutdown = vlan_shutdown,
    .newhook = vlan_newhook,
    .rcvdata = vlan_rcvdata,
    .disconnect = vlan_disconnect,
    .cmdlist = vlan_cmds,
    .rcvdata_burst = vlan_rcvdata_burst,
};
