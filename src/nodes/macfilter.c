/*
 * macfilter.c - the "macfilter" node type (FreeBSD's ng_macfilter(4)):
 * frames from "ether" leave by the upper hook their source MAC address is
 * directed to, else by "default" (hookid 0); frames from any upper hook go
 * out of "ether".  Per-MAC packet and byte counters.  Docs:
 * docs/nodes/macfilter.md.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA).  rcvdata takes no access and runs
 * concurrently with everything, rcvmsg and topology methods included; it
 * does one lock-free lookup in an RCU hash table (<ngraph/rhash.h>) and
 * touches only atomics.  Invariants:
 *   - p->tab: MAC (6 bytes) -> struct mf_entry.  Looked up by rcvdata with
 *     no lock (inside its read-side section).  Changed only under p->lock
 *     (by rcvmsg's direct, directi and reset, and by disconnect), which
 *     also takes the table's own writer lock.  An entry is never freed
 *     while a reader may hold it: whoever unlinks it (remove, clear, the
 *     disconnect's iterator) hands it to ng_defer.  The final shutdown
 *     method frees what is left at once (no reader is left).
 *   - e->hookid: _Atomic, stored under p->lock with release order: direct
 *     of a known address changes it in place (its counters stay);
 *     disconnect of its hook stores MF_GONE before it unlinks the entry and
 *     before it clears the hook's slot.  rcvdata loads hookid, then the
 *     slot, then hookid again: the same id means the slot's hook is the
 *     one the address is directed to (a slot reused by newhook after a
 *     disconnect is stored after MF_GONE, so the second load sees MF_GONE,
 *     or the id moved on); it retries a few times, then uses "default".
 *   - e's counters: atomics, one set per entry, not ng_pcounter slots: a
 *     table holds up to NG_MACFILTER_MACS_MAX entries and a per-thread
 *     slot per entry would multiply that memory by the threads; two
 *     threads hit the same line only for frames of the same address.
 *     getclrmacs reads and clears each counter with one exchange, so no
 *     frame is lost between the two.
 *   - p->upper[] and p->ether: atomic hook pointers, stored with release
 *     order by newhook and disconnect (control lock, plus p->lock), loaded
 *     by rcvdata with acquire order.  A hook loaded just before disconnect
 *     cleared it is still valid memory (grace period) and sending on it
 *     drops the item with -ENOTCONN, counted.
 *   - p->st: node counters, per thread (ng_pcounter), summed when read.
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
#include <ngraph/rhash.h>
#include <ngraph/runtime.h>

#define MF_HDR_LEN 14u
#define MF_ETHER ((uintptr_t)1)                  /* hook private of "ether" */
#define MF_UPPER(id) ((uintptr_t)(id) << 2 | 2u) /* of an upper hook */
#define MF_IS_UPPER(v) (((v)&3u) == 2u)
#define MF_ID(v) ((unsigned)((v) >> 2))
#define MF_GONE 0xffffu /* hookid of an entry its hook's disconnect unlinked */
#define MF_TRIES 4      /* rcvdata's attempts to see an entry's hook stable */

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
    struct ng_defer_entry de; /* freed after a grace period once unlinked */
    uint8_t ether[NG_MACFILTER_ETHER_ADDR_LEN];
    _Atomic uint16_t hookid;
    _Atomic uint64_t packets_in, bytes_in, packets_out, bytes_out;
};

struct mf_priv {
    struct ng_node *node;
    struct ng_rhash *tab; /* MAC -> struct mf_entry (see above) */
    _Atomic(struct ng_hook *) ether;
    struct ng_pcounter *st; /* MS_COUNT, per thread */
    pthread_mutex_t lock; /* every change of tab and of the hook slots */
    _Atomic(struct ng_hook *) upper[NG_MACFILTER_UPPER_NUM];
};

static void mcount(struct mf_priv *p, int i)
{
    ng_pcounter_add(p->st, (unsigned)i, 1);
}

static void mf_entry_free_cb(struct ng_defer_entry *de) { free((struct mf_entry *)(void *)de); }

/* Free an unlinked entry after a grace period. */
static void mf_retire(struct mf_priv *p, struct mf_entry *e)
{
    if (ng_defer(ng_node_graph(p->node), &e->de, mf_entry_free_cb) != 0)
        free(e); /* not reached: the graph is alive while the node is */
}

static void mf_release(const void *key, void *value, void *arg)
{
    (void)key;
    mf_retire(arg, value);
}

static int mf_constructor(struct ng_node *node)
{
    struct mf_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    int rc = ng_rhash_create(ng_node_graph(node), NG_MACFILTER_ETHER_ADDR_LEN, 64,
                             NG_MACFILTER_MACS_MAX, &p->tab);
    if (rc) {
        free(p);
        return rc;
    }
    if (ng_pcounter_create(MS_COUNT, &p->st) != 0 || pthread_mutex_init(&p->lock, NULL) != 0) {
        ng_pcounter_destroy(p->st);
        ng_rhash_destroy(p->tab);
        free(p);
        return -ENOMEM;
    }
    p->node = node;
    ng_node_set_private(node, p);
    return 0;
}

static void mf_shutdown(struct ng_node *node)
{
    /* A persistent node revives (ng_node_set_persistent): its hooks are gone
     * (their disconnect methods cleared what referred to them) and it keeps
     * its state; freeing it here would leave the revived node without one. */
    if (ng_node_is_valid(node))
        return;
    struct mf_priv *p = ng_node_private(node);
    ng_node_set_private(node, NULL);
    if (!p)
        return;
    /* No reader is left: free the entries at once, then the table. */
    struct ng_rhash_iter it;
    void *v;
    if (ng_rhash_iter_begin(p->tab, &it) == 0) {
        while (ng_rhash_iter_next(&it, NULL, &v) == 1)
            free(v);
        ng_rhash_iter_end(&it);
    }
    ng_rhash_destroy(p->tab);
    pthread_mutex_destroy(&p->lock);
    ng_pcounter_destroy(p->st);
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
                if (!atomic_load(&p->upper[id]))
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

/* Unlink every entry directed to hookid id (p->lock held): marked MF_GONE
 * first, freed after a grace period. */
static void mf_forget(struct mf_priv *p, unsigned id)
{
    struct ng_rhash_iter it;
    void *v;
    if (ng_rhash_iter_begin(p->tab, &it) != 0)
        return;
    while (ng_rhash_iter_next(&it, NULL, &v) == 1) {
        struct mf_entry *e = v;
        if (atomic_load_explicit(&e->hookid, memory_order_relaxed) != id)
            continue;
        atomic_store_explicit(&e->hookid, MF_GONE, memory_order_release);
        if (ng_rhash_iter_remove(&it) == 0)
            mf_retire(p, e);
    }
    ng_rhash_iter_end(&it);
}

static int mf_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct mf_priv *p = ng_node_private(node);
    uintptr_t v = (uintptr_t)ng_hook_private(hook);
    pthread_mutex_lock(&p->lock);
    struct ng_hook *expect = hook;
    if (v == MF_ETHER) {
        atomic_compare_exchange_strong(&p->ether, &expect, NULL);
    } else if (MF_IS_UPPER(v) && MF_ID(v) < NG_MACFILTER_UPPER_NUM &&
               atomic_load(&p->upper[MF_ID(v)]) == hook) {
        if (MF_ID(v) != NG_MACFILTER_HOOK_DEFAULT_ID)
            mf_forget(p, MF_ID(v)); /* before the slot can be reused */
        atomic_store_explicit(&p->upper[MF_ID(v)], NULL, memory_order_release);
    }
    pthread_mutex_unlock(&p->lock);
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

/* The upper hook entry e is directed to (its id in *idp), or default's
 * (NULL if not connected) when its hook went or it kept moving. */
static struct ng_hook *mf_upper_of(struct mf_priv *p, struct mf_entry *e, unsigned *idp)
{
    for (int i = 0; e && i < MF_TRIES; i++) {
        unsigned id = atomic_load_explicit(&e->hookid, memory_order_acquire);
        if (id >= NG_MACFILTER_UPPER_NUM)
            break; /* MF_GONE */
        struct ng_hook *h = atomic_load_explicit(&p->upper[id], memory_order_acquire);
        if (atomic_load_explicit(&e->hookid, memory_order_acquire) != id)
            continue;
        if (!h)
            break;
        *idp = id;
        return h;
    }
    *idp = NG_MACFILTER_HOOK_DEFAULT_ID;
    return atomic_load_explicit(&p->upper[NG_MACFILTER_HOOK_DEFAULT_ID], memory_order_acquire);
}

/* Shared mode: no access; p->tab looked up lock-free. */
static int mf_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct mf_priv *p = ng_node_private(ng_hook_node(hook));
    uint32_t len = ng_item_len(item);
    if (len < MF_HDR_LEN)
        return mf_drop(p, item, MS_RUNT, -EINVAL);
    const uint8_t *d = ng_item_data(item);
    uint64_t bytes = len - MF_HDR_LEN;
    struct ng_hook *out;
    int stat;
    if ((uintptr_t)ng_hook_private(hook) == MF_ETHER) {
        mcount(p, MS_ETHER_IN);
        struct mf_entry *e = ng_rhash_lookup(p->tab, d + NG_MACFILTER_ETHER_ADDR_LEN); /* src */
        if (e) {
            atomic_fetch_add_explicit(&e->packets_in, 1, memory_order_relaxed);
            atomic_fetch_add_explicit(&e->bytes_in, bytes, memory_order_relaxed);
        }
        unsigned id;
        out = mf_upper_of(p, e, &id);
        stat = id == NG_MACFILTER_HOOK_DEFAULT_ID ? MS_DEFAULT_OUT : MS_UPPER_OUT;
    } else {
        struct mf_entry *e = ng_rhash_lookup(p->tab, d); /* destination address */
        if (e) {
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

/* ---- messages (rcvmsg, p->lock held) ------------------------------------- */

/* Direct mac to hookid id (connected); id 0 (default) removes its entry. */
static int mf_change(struct mf_priv *p, const uint8_t *mac, unsigned id)
{
    struct mf_entry *e = ng_rhash_lookup(p->tab, mac);
    if (e) {
        if (id != NG_MACFILTER_HOOK_DEFAULT_ID) {
            atomic_store_explicit(&e->hookid, (uint16_t)id, memory_order_release);
            return 0;
        }
        if (ng_rhash_remove(p->tab, mac, NULL) == 0)
            mf_retire(p, e);
        return 0;
    }
    if (id == NG_MACFILTER_HOOK_DEFAULT_ID)
        return 0; /* not present, nothing to remove */
    e = calloc(1, sizeof(*e));
    if (!e)
        return -ENOMEM;
    memcpy(e->ether, mac, NG_MACFILTER_ETHER_ADDR_LEN);
    atomic_init(&e->hookid, (uint16_t)id);
    int rc = ng_rhash_insert(p->tab, mac, e);
    if (rc)
        free(e); /* never published */
    return rc;
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

static uint64_t mf_take(_Atomic uint64_t *c, bool clear)
{
    return clear ? atomic_exchange_explicit(c, 0, memory_order_relaxed)
                 : atomic_load_explicit(c, memory_order_relaxed);
}

static int mf_mac_cmp(const void *a, const void *b)
{
    return memcmp(((const struct ngm_macfilter_mac *)a)->ether,
                  ((const struct ngm_macfilter_mac *)b)->ether, NG_MACFILTER_ETHER_ADDR_LEN);
}

/* Every entry, sorted by address (FreeBSD's table is a sorted array);
 * clear: its counters read and zeroed (clrmacs: no response, r NULL). */
static int mf_getmacs(struct mf_priv *p, const struct ng_mesg *m, bool clear, struct ng_mesg **rp)
{
    struct ng_rhash_iter it;
    if (ng_rhash_iter_begin(p->tab, &it) != 0)
        return -EINVAL;
    size_t n = ng_rhash_count(p->tab); /* writers wait: count and entries agree */
    struct ng_mesg *r = NULL;
    if (rp) {
        r = ng_mesg_response(m, (uint32_t)(sizeof(struct ngm_macfilter_macs) +
                                           n * sizeof(struct ngm_macfilter_mac)));
        if (!r) {
            ng_rhash_iter_end(&it);
            return -ENOMEM;
        }
    }
    struct ngm_macfilter_macs *out = r ? (struct ngm_macfilter_macs *)(void *)r->data : NULL;
    uint32_t i = 0;
    void *v;
    while (i < n && ng_rhash_iter_next(&it, NULL, &v) == 1) {
        struct mf_entry *e = v;
        uint64_t c[4] = {mf_take(&e->packets_in, clear), mf_take(&e->bytes_in, clear),
                         mf_take(&e->packets_out, clear), mf_take(&e->bytes_out, clear)};
        if (!out)
            continue;
        struct ngm_macfilter_mac *o = &out->macs[i++];
        memcpy(o->ether, e->ether, sizeof(o->ether));
        o->hookid = atomic_load_explicit(&e->hookid, memory_order_relaxed);
        o->packets_in = c[0];
        o->bytes_in = c[1];
        o->packets_out = c[2];
        o->bytes_out = c[3];
    }
    ng_rhash_iter_end(&it);
    if (out) {
        out->n = i;
        qsort(out->macs, i, sizeof(out->macs[0]), mf_mac_cmp);
        *rp = r;
    }
    return 0;
}

static int mf_gethooks(struct mf_priv *p, const struct ng_mesg *m, struct ng_mesg **rp)
{
    uint32_t *cnt = calloc(NG_MACFILTER_UPPER_NUM, sizeof(*cnt));
    if (!cnt)
        return -ENOMEM;
    struct ng_rhash_iter it;
    void *v;
    if (ng_rhash_iter_begin(p->tab, &it) == 0) {
        while (ng_rhash_iter_next(&it, NULL, &v) == 1) {
            unsigned id =
                atomic_load_explicit(&((struct mf_entry *)v)->hookid, memory_order_relaxed);
            if (id < NG_MACFILTER_UPPER_NUM)
                cnt[id]++;
        }
        ng_rhash_iter_end(&it);
    }
    uint32_t n = 0;
    for (unsigned id = 0; id < NG_MACFILTER_UPPER_NUM; id++)
        n += atomic_load(&p->upper[id]) != NULL;
    struct ng_mesg *r = ng_mesg_response(
        m, (uint32_t)(sizeof(struct ngm_macfilter_hooks) + n * sizeof(struct ngm_macfilter_hook)));
    if (!r) {
        free(cnt);
        return -ENOMEM;
    }
    struct ngm_macfilter_hooks *out = (struct ngm_macfilter_hooks *)(void *)r->data;
    for (unsigned id = 0; id < NG_MACFILTER_UPPER_NUM && out->n < n; id++) {
        struct ng_hook *h = atomic_load(&p->upper[id]);
        if (!h)
            continue;
        struct ngm_macfilter_hook *o = &out->hooks[out->n++];
        snprintf(o->hookname, sizeof(o->hookname), "%s", ng_hook_name(h));
        o->hookid = (uint16_t)id;
        o->maccnt = cnt[id];
    }
    free(cnt);
    *rp = r;
    return 0;
}

static struct ng_mesg *mf_status(struct mf_priv *p, const struct ng_mesg *m)
{
    struct ng_mesg *r = ng_mesg_response(m, NG_TEXTRESPONSE);
    if (!r)
        return NULL;
    unsigned nup = 0;
    for (unsigned id = 0; id < NG_MACFILTER_UPPER_NUM; id++)
        nup += atomic_load(&p->upper[id]) != NULL;
    size_t len = 0, cap = NG_TEXTRESPONSE;
    int n = snprintf(r->data, cap, "ether: %s  default: %s  upper hooks: %u  macs: %u\n",
                     atomic_load(&p->ether) ? "connected" : "unconnected",
                     atomic_load(&p->upper[0]) ? "connected" : "unconnected", nup,
                     (unsigned)ng_rhash_count(p->tab));
    len += n > 0 ? (size_t)n : 0;
    for (int i = 0; i < MS_COUNT && len < cap; i++) {
        n = snprintf(r->data + len, cap - len, "%s=%llu%s", ms_names[i],
                     (unsigned long long)ng_pcounter_read(p->st, (unsigned)i), i + 1 < MS_COUNT ? " " : "\n");
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
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS) {
        r = mf_status(p, m);
        rc = r ? 0 : -ENOMEM;
    } else if (m->header.typecookie == NGM_MACFILTER_COOKIE) {
        switch (m->header.cmd) {
        case NGM_MACFILTER_RESET:
            /* >= 0 entries removed, or -ENOMEM: empty but still grown */
            (void)ng_rhash_clear(p->tab, mf_release, p);
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
            rc = mf_getmacs(p, m, m->header.cmd == NGM_MACFILTER_GETCLR_MACS, &r);
            break;
        case NGM_MACFILTER_CLR_MACS:
            rc = mf_getmacs(p, m, true, NULL);
            break;
        case NGM_MACFILTER_GET_HOOKS:
            rc = mf_gethooks(p, m, &r);
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
    .flags = NG_TYPE_CONCURRENT_DATA,
    .cookie = NGM_MACFILTER_COOKIE,
    .constructor = mf_constructor,
    .rcvmsg = mf_rcvmsg,
    .shutdown = mf_shutdown,
    .newhook = mf_newhook,
    .rcvdata = mf_rcvdata,
    .disconnect = mf_disconnect,
    .cmdlist = mf_cmds,
};
