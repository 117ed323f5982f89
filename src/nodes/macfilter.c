/*
 * macfilter.c - the "macfilter" node type (FreeBSD's ng_macfilter(4)):
 * frames from "ether" leave by the upper hook their source MAC address is
 * directed to, else by "default" (hookid 0); frames from any upper hook go
 * out of "ether".  Per-MAC packet and byte counters.  Docs:
 * docs/nodes/macfilter.md.
 *
 * Mode: netgraph reader/writer (no NG_TYPE_CONCURRENT_DATA), on purpose.
 * The MAC table is a sorted array that grows, shrinks and moves with the
 * "direct" messages, and the public API has no way to free memory after a
 * grace period; reader/writer exclusion gives one for free: rcvdata runs as
 * a reader (concurrently with other rcvdata, one CAS per entry), and every
 * function that changes the table is a writer (rcvmsg and the purge
 * function below), which the engine runs only while no rcvdata is inside
 * the node.  So:
 *   - p->table: read by rcvdata (reader access), changed in place, resized
 *     and freed only by writers.  The per-entry counters are atomics because
 *     readers run concurrently with each other.
 *   - p->upper[]: fixed array of atomic hook pointers, written by newhook and
 *     disconnect (control lock, concurrent with readers and writers) with
 *     release stores, read by rcvdata with acquire loads.  A hook loaded just
 *     before disconnect cleared it is still valid memory (grace period) and
 *     sending on it drops the item with -ENOTCONN, counted.
 *   - disconnect cannot edit the table (it is no writer), so it clears the
 *     slot, marks the hookid stale (not reused by newhook) and queues the
 *     writer function mf_purge (ng_send_fn NG_FN_WRITER), which removes the
 *     hookid's entries; rcvmsg purges first too, so messages never see stale
 *     entries.  Until then rcvdata sends frames of such an entry to
 *     "default", which is what the removed entry means.
 *   - p->lock serialises newhook, disconnect and the writers' use of the
 *     slots and stale marks; rcvdata never takes it.
 * Everything is freed by shutdown, once no method can run.
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
#include <ngraph/nodes/macfilter.h>
#include <ngraph/parse.h>

#define MF_HDR_LEN 14u
#define MF_ETHER ((uintptr_t)1)                  /* hook private of "ether" */
#define MF_UPPER(id) ((uintptr_t)(id) << 2 | 2u) /* of an upper hook */
#define MF_IS_UPPER(v) (((v)&3u) == 2u)
#define MF_ID(v) ((unsigned)((v) >> 2))
#define MF_GROW 128u

enum {
    MS_ETHER_IN,    /* frames received on ether */
    MS_DEFAULT_OUT, /* sent out of default */
    MS_UPPER_OUT,   /* sent out of another upper hook */
    MS_ETHER_OUT,   /* sent out of ether */
    MS_RUNT,        /* dropped: shorter than an Ethernet header */
    MS_NOTCONN,     /* dropped: the hook to leave by is not connected */
    MS_COUNT
};
static const char *const ms_names[MS_COUNT] = {"ether_in",  "default_out", "upper_out",
                                               "ether_out", "drop_runt",   "drop_notconn"};

struct mf_entry {
    uint8_t ether[NG_MACFILTER_ETHER_ADDR_LEN];
    uint16_t hookid;
    _Atomic uint64_t packets_in, bytes_in, packets_out, bytes_out;
};

struct mf_table {
    uint32_t n, cap;
    struct mf_entry e[];
};

struct mf_priv {
    _Atomic(struct ng_hook *) ether;
    _Atomic(struct mf_table *) table; /* writers only change it (see above) */
    _Atomic uint64_t st[MS_COUNT];
    pthread_mutex_t lock;
    unsigned nstale;                       /* hookids marked stale (lock) */
    uint8_t stale[NG_MACFILTER_UPPER_NUM]; /* lock */
    _Atomic(struct ng_hook *) upper[NG_MACFILTER_UPPER_NUM];
};

static void mcount(struct mf_priv *p, int i)
{
    atomic_fetch_add_explicit(&p->st[i], 1, memory_order_relaxed);
}

/* Binary search: the entry's index (found: 1) or the insertion point. */
static int mf_find(const struct mf_table *t, const uint8_t *mac, uint32_t *at)
{
    uint32_t lo = 0, hi = t ? t->n : 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int d = memcmp(mac, t->e[mid].ether, NG_MACFILTER_ETHER_ADDR_LEN);
        if (d == 0) {
            *at = mid;
            return 1;
        }
        if (d > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *at = lo;
    return 0;
}

static int mf_constructor(struct ng_node *node)
{
    struct mf_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        free(p);
        return -ENOMEM;
    }
    ng_node_set_private(node, p);
    return 0;
}

static void mf_shutdown(struct ng_node *node)
{
    struct mf_priv *p = ng_node_private(node);
    ng_node_set_private(node, NULL);
    if (!p)
        return;
    free(atomic_load(&p->table));
    pthread_mutex_destroy(&p->lock);
    free(p);
}

static int mf_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    struct mf_priv *p = ng_node_private(node);
    int rc = 0;
    pthread_mutex_lock(&p->lock);
    if (strcmp(name, NG_MACFILTER_HOOK_ETHER) == 0) {
        if (atomic_load(&p->ether))
            rc = -EISCONN;
        else {
            ng_hook_set_private(hook, (void *)MF_ETHER);
            atomic_store_explicit(&p->ether, hook, memory_order_release);
        }
    } else {
        unsigned id = NG_MACFILTER_HOOK_DEFAULT_ID;
        if (strcmp(name, NG_MACFILTER_HOOK_DEFAULT) != 0) {
            for (id = 1; id < NG_MACFILTER_UPPER_NUM; id++)
                if (!atomic_load(&p->upper[id]) && !p->stale[id])
                    break;
        }
        if (id >= NG_MACFILTER_UPPER_NUM)
            rc = -ENOSPC;
        else if (atomic_load(&p->upper[id]))
            rc = -EISCONN;
        else {
            ng_hook_set_private(hook, (void *)MF_UPPER(id));
            atomic_store_explicit(&p->upper[id], hook, memory_order_release);
        }
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

/* Remove the entries of stale hookids (writer access; p->lock held). */
static void mf_purge_locked(struct mf_priv *p)
{
    if (p->nstale == 0)
        return;
    struct mf_table *t = atomic_load(&p->table);
    uint32_t j = 0;
    for (uint32_t i = 0; t && i < t->n; i++) {
        if (t->e[i].hookid < NG_MACFILTER_UPPER_NUM && p->stale[t->e[i].hookid])
            continue;
        if (i != j)
            memcpy(&t->e[j], &t->e[i], sizeof(t->e[0]));
        j++;
    }
    if (t)
        t->n = j;
    memset(p->stale, 0, sizeof(p->stale));
    p->nstale = 0;
}

static void mf_purge(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)hook;
    (void)arg1;
    (void)arg2;
    struct mf_priv *p = ng_node_private(node);
    pthread_mutex_lock(&p->lock);
    mf_purge_locked(p);
    pthread_mutex_unlock(&p->lock);
}

static int mf_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct mf_priv *p = ng_node_private(node);
    uintptr_t v = (uintptr_t)ng_hook_private(hook);
    bool purge = false;
    pthread_mutex_lock(&p->lock);
    struct ng_hook *expect = hook;
    if (v == MF_ETHER) {
        atomic_compare_exchange_strong(&p->ether, &expect, NULL);
    } else if (MF_IS_UPPER(v) && MF_ID(v) < NG_MACFILTER_UPPER_NUM &&
               atomic_compare_exchange_strong(&p->upper[MF_ID(v)], &expect, NULL) &&
               MF_ID(v) != NG_MACFILTER_HOOK_DEFAULT_ID) {
        p->stale[MF_ID(v)] = 1;
        p->nstale++;
        purge = true;
    }
    pthread_mutex_unlock(&p->lock);
    /* Not run if the node is going away (shutdown frees the table) or on
     * -ENOMEM (the next message purges). */
    if (purge && ng_node_is_valid(node))
        ng_send_fn(node, NULL, mf_purge, NULL, 0, NG_FN_WRITER);
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

static int mf_drop(struct mf_priv *p, struct ng_item *item, int stat, int err)
{
    mcount(p, stat);
    if (err == -ENOTCONN)
        ng_item_drop(item, NG_DROP_NOTCONN);
    else
        ng_item_free(item);
    return err;
}

/* Reader access: p->table is stable for the whole call. */
static int mf_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct mf_priv *p = ng_node_private(ng_hook_node(hook));
    uint32_t len = ng_item_len(item);
    if (len < MF_HDR_LEN)
        return mf_drop(p, item, MS_RUNT, -EINVAL);
    const uint8_t *d = ng_item_data(item);
    struct mf_table *t = atomic_load_explicit(&p->table, memory_order_acquire);
    uint64_t bytes = len - MF_HDR_LEN;
    uint32_t at;
    struct ng_hook *out;
    int stat;
    if ((uintptr_t)ng_hook_private(hook) == MF_ETHER) {
        mcount(p, MS_ETHER_IN);
        unsigned id = NG_MACFILTER_HOOK_DEFAULT_ID;
        if (mf_find(t, d + NG_MACFILTER_ETHER_ADDR_LEN, &at)) { /* source address */
            struct mf_entry *e = &t->e[at];
            atomic_fetch_add_explicit(&e->packets_in, 1, memory_order_relaxed);
            atomic_fetch_add_explicit(&e->bytes_in, bytes, memory_order_relaxed);
            id = e->hookid;
        }
        out = id < NG_MACFILTER_UPPER_NUM
                  ? atomic_load_explicit(&p->upper[id], memory_order_acquire)
                  : NULL;
        if (!out && id != NG_MACFILTER_HOOK_DEFAULT_ID) { /* its hook went: entry removed */
            id = NG_MACFILTER_HOOK_DEFAULT_ID;
            out = atomic_load_explicit(&p->upper[id], memory_order_acquire);
        }
        stat = id == NG_MACFILTER_HOOK_DEFAULT_ID ? MS_DEFAULT_OUT : MS_UPPER_OUT;
    } else {
        if (mf_find(t, d, &at)) { /* destination address */
            struct mf_entry *e = &t->e[at];
            atomic_fetch_add_explicit(&e->packets_out, 1, memory_order_relaxed);
            atomic_fetch_add_explicit(&e->bytes_out, bytes, memory_order_relaxed);
        }
        out = atomic_load_explicit(&p->ether, memory_order_acquire);
        stat = MS_ETHER_OUT;
    }
    if (!out)
        return mf_drop(p, item, MS_NOTCONN, -ENOTCONN);
    int rc = ng_send_data(out, item);
    if (rc == 0)
        mcount(p, stat);
    return rc;
}

/* ---- messages (writer access, p->lock held) ----------------------------- */

static int mf_change(struct mf_priv *p, const uint8_t *mac, unsigned id)
{
    struct mf_table *t = atomic_load(&p->table);
    uint32_t at;
    if (mf_find(t, mac, &at)) {
        if (id != NG_MACFILTER_HOOK_DEFAULT_ID) {
            t->e[at].hookid = (uint16_t)id;
            return 0;
        }
        memmove(&t->e[at], &t->e[at + 1], (t->n - at - 1) * sizeof(t->e[0]));
        t->n--;
        return 0;
    }
    if (id == NG_MACFILTER_HOOK_DEFAULT_ID)
        return 0; /* not present, nothing to remove */
    uint32_t n = t ? t->n : 0;
    if (n >= NG_MACFILTER_MACS_MAX)
        return -ENOSPC;
    if (!t || t->n == t->cap) {
        uint32_t cap = (t ? t->cap : 0) + MF_GROW;
        if (cap > NG_MACFILTER_MACS_MAX)
            cap = NG_MACFILTER_MACS_MAX;
        struct mf_table *nt = realloc(t, sizeof(*nt) + cap * sizeof(nt->e[0]));
        if (!nt)
            return -ENOMEM;
        nt->n = n;
        nt->cap = cap;
        t = nt;
        atomic_store_explicit(&p->table, t, memory_order_release);
    }
    memmove(&t->e[at + 1], &t->e[at], (t->n - at) * sizeof(t->e[0]));
    struct mf_entry *e = &t->e[at];
    memset(e, 0, sizeof(*e));
    memcpy(e->ether, mac, NG_MACFILTER_ETHER_ADDR_LEN);
    e->hookid = (uint16_t)id;
    t->n++;
    return 0;
}

static int mf_direct(struct mf_priv *p, const struct ng_mesg *m)
{
    if (m->header.arglen != sizeof(struct ngm_macfilter_direct))
        return -EINVAL;
    struct ngm_macfilter_direct md;
    memcpy(&md, m->data, sizeof(md));
    if (!memchr(md.hookname, '\0', sizeof(md.hookname)))
        return -EINVAL;
    for (unsigned id = 0; id < NG_MACFILTER_UPPER_NUM; id++) {
        struct ng_hook *h = atomic_load(&p->upper[id]);
        if (h && strcmp(ng_hook_name(h), md.hookname) == 0)
            return mf_change(p, md.ether, id);
    }
    return -ENOENT;
}

static int mf_direct_hookid(struct mf_priv *p, const struct ng_mesg *m)
{
    if (m->header.arglen != sizeof(struct ngm_macfilter_direct_hookid))
        return -EINVAL;
    struct ngm_macfilter_direct_hookid mdi;
    memcpy(&mdi, m->data, sizeof(mdi));
    if (mdi.hookid >= NG_MACFILTER_UPPER_NUM || !atomic_load(&p->upper[mdi.hookid]))
        return -EINVAL;
    return mf_change(p, mdi.ether, mdi.hookid);
}

static void mf_clear(struct mf_entry *e)
{
    atomic_store_explicit(&e->packets_in, 0, memory_order_relaxed);
    atomic_store_explicit(&e->bytes_in, 0, memory_order_relaxed);
    atomic_store_explicit(&e->packets_out, 0, memory_order_relaxed);
    atomic_store_explicit(&e->bytes_out, 0, memory_order_relaxed);
}

static struct ng_mesg *mf_getmacs(struct mf_priv *p, const struct ng_mesg *m, bool clear)
{
    struct mf_table *t = atomic_load(&p->table);
    uint32_t n = t ? t->n : 0;
    struct ng_mesg *r = ng_mesg_response(
        m, (uint32_t)(sizeof(struct ngm_macfilter_macs) + n * sizeof(struct ngm_macfilter_mac)));
    if (!r)
        return NULL;
    struct ngm_macfilter_macs *out = (struct ngm_macfilter_macs *)(void *)r->data;
    out->n = n;
    for (uint32_t i = 0; i < n; i++) {
        struct mf_entry *e = &t->e[i];
        struct ngm_macfilter_mac *o = &out->macs[i];
        memcpy(o->ether, e->ether, sizeof(o->ether));
        o->hookid = e->hookid;
        o->packets_in = atomic_load(&e->packets_in);
        o->bytes_in = atomic_load(&e->bytes_in);
        o->packets_out = atomic_load(&e->packets_out);
        o->bytes_out = atomic_load(&e->bytes_out);
        if (clear)
            mf_clear(e);
    }
    return r;
}

static uint32_t mf_maccnt(const struct mf_table *t, unsigned id)
{
    uint32_t c = 0;
    for (uint32_t i = 0; t && i < t->n; i++)
        c += t->e[i].hookid == id;
    return c;
}

static struct ng_mesg *mf_gethooks(struct mf_priv *p, const struct ng_mesg *m)
{
    uint32_t n = 0;
    for (unsigned id = 0; id < NG_MACFILTER_UPPER_NUM; id++)
        n += atomic_load(&p->upper[id]) != NULL;
    struct ng_mesg *r = ng_mesg_response(
        m, (uint32_t)(sizeof(struct ngm_macfilter_hooks) + n * sizeof(struct ngm_macfilter_hook)));
    if (!r)
        return NULL;
    struct ngm_macfilter_hooks *out = (struct ngm_macfilter_hooks *)(void *)r->data;
    struct mf_table *t = atomic_load(&p->table);
    for (unsigned id = 0; id < NG_MACFILTER_UPPER_NUM && out->n < n; id++) {
        struct ng_hook *h = atomic_load(&p->upper[id]);
        if (!h)
            continue;
        struct ngm_macfilter_hook *o = &out->hooks[out->n++];
        snprintf(o->hookname, sizeof(o->hookname), "%s", ng_hook_name(h));
        o->hookid = (uint16_t)id;
        o->maccnt = mf_maccnt(t, id);
    }
    return r;
}

static struct ng_mesg *mf_status(struct mf_priv *p, const struct ng_mesg *m)
{
    struct ng_mesg *r = ng_mesg_response(m, NG_TEXTRESPONSE);
    if (!r)
        return NULL;
    unsigned nup = 0;
    for (unsigned id = 0; id < NG_MACFILTER_UPPER_NUM; id++)
        nup += atomic_load(&p->upper[id]) != NULL;
    struct mf_table *t = atomic_load(&p->table);
    size_t len = 0, cap = NG_TEXTRESPONSE;
    int n = snprintf(r->data, cap, "ether: %s  default: %s  upper hooks: %u  macs: %u\n",
                     atomic_load(&p->ether) ? "connected" : "unconnected",
                     atomic_load(&p->upper[0]) ? "connected" : "unconnected", nup,
                     t ? (unsigned)t->n : 0u);
    len += n > 0 ? (size_t)n : 0;
    for (int i = 0; i < MS_COUNT && len < cap; i++) {
        n = snprintf(r->data + len, cap - len, "%s=%llu%s", ms_names[i],
                     (unsigned long long)atomic_load(&p->st[i]), i + 1 < MS_COUNT ? " " : "\n");
        len += n > 0 ? (size_t)n : 0;
    }
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return r;
}

static int mf_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct mf_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    struct ng_mesg *r = NULL;
    int rc = -EINVAL;
    if (m->header.flags & NGF_RESP) {
        ng_item_free(item);
        return 0;
    }
    /* The response is sent after the lock is dropped: delivering it may run
     * the sender's rcvmsg on this thread, which may remove one of our hooks
     * (our disconnect takes the lock). */
    pthread_mutex_lock(&p->lock);
    mf_purge_locked(p);
    struct mf_table *t = atomic_load(&p->table);
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS) {
        r = mf_status(p, m);
        rc = r ? 0 : -ENOMEM;
    } else if (m->header.typecookie == NGM_MACFILTER_COOKIE) {
        switch (m->header.cmd) {
        case NGM_MACFILTER_RESET:
            if (t)
                t->n = 0;
            rc = 0;
            break;
        case NGM_MACFILTER_DIRECT:
            rc = mf_direct(p, m);
            break;
        case NGM_MACFILTER_DIRECT_HOOKID:
            rc = mf_direct_hookid(p, m);
            break;
        case NGM_MACFILTER_GET_MACS:
        case NGM_MACFILTER_GETCLR_MACS:
            r = mf_getmacs(p, m, m->header.cmd == NGM_MACFILTER_GETCLR_MACS);
            rc = r ? 0 : -ENOMEM;
            break;
        case NGM_MACFILTER_CLR_MACS:
            for (uint32_t i = 0; t && i < t->n; i++)
                mf_clear(&t->e[i]);
            rc = 0;
            break;
        case NGM_MACFILTER_GET_HOOKS:
            r = mf_gethooks(p, m);
            rc = r ? 0 : -ENOMEM;
            break;
        default:
            break;
        }
    }
    pthread_mutex_unlock(&p->lock);
    if (r)
        return ng_respond(item, 0, r);
    ng_item_free(item);
    return rc;
}

/* ---- parse types --------------------------------------------------------- */

static const struct ng_parse_struct_field mf_direct_fields[] = {
    {"ether", &ng_parse_enaddr_type, 0},
    {"hookname", &ng_parse_hookbuf_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type mf_direct_type = {
    &ng_parse_struct_type, mf_direct_fields, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field mf_direct_ndx_fields[] = {
    {"ether", &ng_parse_enaddr_type, 0},
    {"hookid", &ng_parse_uint16_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type mf_direct_hookid_type = {
    &ng_parse_struct_type, mf_direct_ndx_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field mf_mac_fields[] = {
    {"ether", &ng_parse_enaddr_type, 0},
    {"hookid", &ng_parse_uint16_type, 0},
    {"packets_in", &ng_parse_uint64_type, 0},
    {"bytes_in", &ng_parse_uint64_type, 0},
    {"packets_out", &ng_parse_uint64_type, 0},
    {"bytes_out", &ng_parse_uint64_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type mf_mac_type = {
    &ng_parse_struct_type, mf_mac_fields, NULL, NULL, NULL, NULL, NULL};
static int mf_macs_len(const struct ng_parse_type *type, const uint8_t *start, const uint8_t *buf)
{
    (void)type;
    (void)start;
    uint32_t n;
    memcpy(&n, buf - offsetof(struct ngm_macfilter_macs, macs), sizeof(n));
    return n > NG_MACFILTER_MACS_MAX ? -EINVAL : (int)n;
}
static const struct ng_parse_array_info mf_macs_array_info = {&mf_mac_type, mf_macs_len};
static const struct ng_parse_type mf_macs_array_type = {
    &ng_parse_array_type, &mf_macs_array_info, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field mf_macs_fields[] = {
    {"n", &ng_parse_uint32_type, 0},
    {"macs", &mf_macs_array_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type mf_macs_type = {
    &ng_parse_struct_type, mf_macs_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field mf_hook_fields[] = {
    {"hookname", &ng_parse_hookbuf_type, 0},
    {"hookid", &ng_parse_uint16_type, 0},
    {"maccnt", &ng_parse_uint32_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type mf_hook_type = {
    &ng_parse_struct_type, mf_hook_fields, NULL, NULL, NULL, NULL, NULL};
static int mf_hooks_len(const struct ng_parse_type *type, const uint8_t *start, const uint8_t *buf)
{
    (void)type;
    (void)start;
    uint32_t n;
    memcpy(&n, buf - offsetof(struct ngm_macfilter_hooks, hooks), sizeof(n));
    return n > NG_MACFILTER_UPPER_NUM ? -EINVAL : (int)n;
}
static const struct ng_parse_array_info mf_hooks_array_info = {&mf_hook_type, mf_hooks_len};
static const struct ng_parse_type mf_hooks_array_type = {
    &ng_parse_array_type, &mf_hooks_array_info, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field mf_hooks_fields[] = {
    {"n", &ng_parse_uint32_type, 0},
    {"hooks", &mf_hooks_array_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type mf_hooks_type = {
    &ng_parse_struct_type, mf_hooks_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_cmdlist mf_cmds[] = {
    {NGM_MACFILTER_COOKIE, NGM_MACFILTER_RESET, "reset", NULL, NULL, 0},
    {NGM_MACFILTER_COOKIE, NGM_MACFILTER_DIRECT, "direct", &mf_direct_type, NULL,
     sizeof(struct ngm_macfilter_direct)},
    {NGM_MACFILTER_COOKIE, NGM_MACFILTER_DIRECT_HOOKID, "directi", &mf_direct_hookid_type, NULL,
     sizeof(struct ngm_macfilter_direct_hookid)},
    {NGM_MACFILTER_COOKIE, NGM_MACFILTER_GET_MACS, "getmacs", NULL, &mf_macs_type, 0},
    {NGM_MACFILTER_COOKIE, NGM_MACFILTER_GETCLR_MACS, "getclrmacs", NULL, &mf_macs_type, 0},
    {NGM_MACFILTER_COOKIE, NGM_MACFILTER_CLR_MACS, "clrmacs", NULL, NULL, 0},
    {NGM_MACFILTER_COOKIE, NGM_MACFILTER_GET_HOOKS, "gethooks", NULL, &mf_hooks_type, 0},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_macfilter_type = {
    .version = NG_ABI_VERSION,
    .name = NG_MACFILTER_NODE_TYPE,
    .cookie = NGM_MACFILTER_COOKIE,
    .constructor = mf_constructor,
    .rcvmsg = mf_rcvmsg,
    .shutdown = mf_shutdown,
    .newhook = mf_newhook,
    .rcvdata = mf_rcvdata,
    .disconnect = mf_disconnect,
    .cmdlist = mf_cmds,
};
