/*
 * bpf.c - the "bpf" node type (FreeBSD's ng_bpf(4)): each hook has a
 * classic BPF program, run by libpcap's bpf_filter() over every frame
 * arriving on the hook; a frame the program matches (non-zero result) is
 * truncated to the result and leaves by the hook named ifMatch, any other
 * by ifNotMatch; an empty or missing destination drops it.  Programs are
 * checked with libpcap's bpf_validate().  libngraph extension:
 * NGM_BPF_SET_EXPR compiles a pcap filter expression with pcap_compile().
 * Docs: docs/nodes/bpf.md.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA).  A frame needs only its hook's
 * program and destinations, published RCU-style, so rcvdata takes no lock,
 * makes no shared write but per-thread counters and allocates nothing:
 *   - hook private: a struct bpf_hinfo, created by connect (a hook that
 *     data reaches before connect has run drops it, counted, as FreeBSD's
 *     default program would) and handed to ng_defer() by disconnect, so a
 *     rcvdata that loaded it before still finds valid memory.  Its hook
 *     pointer and counters never change.
 *   - hinfo->conf: the hook's program, names and destinations, a struct
 *     bpf_conf, immutable once published (release store) except for its
 *     two destination slots; a new program replaces the whole conf (one
 *     atomic exchange) and the old one goes to ng_defer().
 *   - conf->dst[]: atomic pointers to the destination hooks' hinfo, NULL
 *     when no connected hook has that name.  Set at publication, set by
 *     connect when a hook of that name arrives and cleared by disconnect
 *     before its hinfo is deferred, so a destination loaded by a frame is
 *     valid memory until the frame's read-side section ends; sending on a
 *     hook that went meanwhile drops the frame (-ENOTCONN, counted).
 *   - priv->lock serialises every writer (rcvmsg, connect, disconnect may
 *     run concurrently, see struct ng_type) and guards the hinfo list and
 *     the last compile error.  rcvdata never takes it.
 *   - counters: ng_pcounter sets (per hook: FreeBSD's six; per node: the
 *     drops and truncations), added by rcvdata on any thread.
 * pcap_compile: libpcap 1.8 and later document it as thread-safe (1.10 is
 * the dependency); each compile uses its own pcap_open_dead() handle, and
 * compiles are still serialised by one process-wide mutex so that the name
 * lookups libpcap may make (hosts, ports, protocols) never run concurrently
 * whatever libpcap is linked.  A name lookup may block rcvmsg: numeric
 * addresses never do.  The private struct is freed by the final shutdown;
 * a persistent node's revive only resets it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes/bpf.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

_Static_assert(sizeof(struct ng_bpf_insn) == sizeof(struct bpf_insn), "bpf_insn layout");
_Static_assert(offsetof(struct ng_bpf_insn, jt) == offsetof(struct bpf_insn, jt), "jt");
_Static_assert(offsetof(struct ng_bpf_insn, k) == offsetof(struct bpf_insn, k), "k");
_Static_assert(sizeof(struct ng_bpf_hookprog) == 3 * NG_HOOKSIZ + 4, "hookprog layout");

/* Per-hook counters: struct ng_bpf_hookstat's order. */
enum { HS_RECV, HS_RECV_OCT, HS_MATCH, HS_MATCH_OCT, HS_XMIT, HS_XMIT_OCT, HS_COUNT };
/* Per-node counters (TEXT_STATUS). */
enum { NS_NODEST, NS_NOTREADY, NS_TRUNC, NS_COUNT };
static const char *const ns_names[NS_COUNT] = {"drop_nodest", "drop_notready", "truncated"};

struct bpf_hinfo;

struct bpf_conf {
    struct ng_defer_entry de;
    _Atomic(struct bpf_hinfo *) dst[2]; /* [0] ifMatch, [1] ifNotMatch */
    char name[3][NG_HOOKSIZ];           /* thisHook, ifMatch, ifNotMatch */
    int32_t len;
    struct bpf_insn insns[];
};

struct bpf_hinfo {
    struct ng_defer_entry de;
    _Atomic(struct bpf_conf *) conf;
    struct ng_pcounter *st; /* HS_* */
    struct ng_hook *hook;
    struct bpf_hinfo *next; /* priv->hooks (lock) */
    bool linked;            /* in priv->hooks (lock) */
};

struct bpf_priv {
    pthread_mutex_t lock;
    struct bpf_hinfo *hooks;             /* connected hooks (lock) */
    struct ng_pcounter *st;              /* NS_* */
    uint64_t compiles;                   /* successful NGM_BPF_SET_EXPR (lock) */
    char lasterr[PCAP_ERRBUF_SIZE + 16]; /* last compile error (lock) */
};

static pthread_mutex_t bpf_compile_lock = PTHREAD_MUTEX_INITIALIZER;

/* FreeBSD's default program: match nothing. */
static const struct bpf_insn bpf_default_insn = BPF_STMT(BPF_RET + BPF_K, 0);

static void conf_free(struct ng_defer_entry *e) { free((char *)e - offsetof(struct bpf_conf, de)); }

static void hinfo_free(struct ng_defer_entry *e)
{
    struct bpf_hinfo *hi = (struct bpf_hinfo *)(void *)((char *)e - offsetof(struct bpf_hinfo, de));
    free(atomic_load_explicit(&hi->conf, memory_order_relaxed));
    ng_pcounter_destroy(hi->st);
    free(hi);
}

static int bpf_constructor(struct ng_node *node)
{
    struct bpf_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    if (ng_pcounter_create(NS_COUNT, &p->st) != 0) {
        free(p);
        return -ENOMEM;
    }
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        ng_pcounter_destroy(p->st);
        free(p);
        return -ENOMEM;
    }
    ng_node_set_private(node, p);
    return 0;
}

static void bpf_shutdown(struct ng_node *node)
{
    struct bpf_priv *p = ng_node_private(node);
    if (p && ng_node_is_valid(node)) {
        /* A persistent node revives (its hooks, and with them their
         * programs, are gone): back to a new node's state.  The private
         * struct stays, a rcvdata that loaded a removed hook may still
         * count into it. */
        pthread_mutex_lock(&p->lock);
        p->compiles = 0;
        p->lasterr[0] = '\0';
        (void)ng_pcounter_snapshot(p->st, 0, NS_COUNT, NULL, true);
        pthread_mutex_unlock(&p->lock);
        return;
    }
    ng_node_set_private(node, NULL);
    if (p) {
        pthread_mutex_destroy(&p->lock);
        ng_pcounter_destroy(p->st);
        free(p);
    }
}

/* The connected hook named name (lock held); NULL for "" or none. */
static struct bpf_hinfo *bpf_lookup(struct bpf_priv *p, const char *name)
{
    if (!name[0])
        return NULL;
    for (struct bpf_hinfo *hi = p->hooks; hi; hi = hi->next)
        if (strcmp(ng_hook_name(hi->hook), name) == 0)
            return hi;
    return NULL;
}

/* A new conf for hi: names, program; destinations resolved (lock held). */
static struct bpf_conf *conf_make(struct bpf_priv *p, const char *this_hook, const char *ifmatch,
                                  const char *ifnotmatch, const struct bpf_insn *insns, int32_t len)
{
    struct bpf_conf *c = calloc(1, sizeof(*c) + (size_t)len * sizeof(struct bpf_insn));
    if (!c)
        return NULL;
    snprintf(c->name[0], NG_HOOKSIZ, "%s", this_hook);
    snprintf(c->name[1], NG_HOOKSIZ, "%s", ifmatch);
    snprintf(c->name[2], NG_HOOKSIZ, "%s", ifnotmatch);
    c->len = len;
    memcpy(c->insns, insns, (size_t)len * sizeof(struct bpf_insn));
    atomic_init(&c->dst[0], bpf_lookup(p, c->name[1]));
    atomic_init(&c->dst[1], bpf_lookup(p, c->name[2]));
    return c;
}

/* Publish c as hi's program (lock held); the old one is freed after a
 * grace period. */
static void conf_publish(struct ng_node *node, struct bpf_hinfo *hi, struct bpf_conf *c)
{
    struct bpf_conf *old = atomic_exchange_explicit(&hi->conf, c, memory_order_acq_rel);
    if (old)
        ng_defer(ng_node_graph(node), &old->de, conf_free);
}

static int bpf_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    (void)node;
    (void)name; /* any name */
    ng_hook_set_private(hook, NULL);
    return 0;
}

/* The hook's state, with FreeBSD's default program (drop everything); it
 * becomes the destination of every program naming it. */
static int bpf_connect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct bpf_priv *p = ng_node_private(node);
    struct bpf_hinfo *hi = calloc(1, sizeof(*hi));
    if (!hi)
        return -ENOMEM;
    if (ng_pcounter_create(HS_COUNT, &hi->st) != 0) {
        free(hi);
        return -ENOMEM;
    }
    hi->hook = hook;
    pthread_mutex_lock(&p->lock);
    struct bpf_conf *c = conf_make(p, ng_hook_name(hook), "", "", &bpf_default_insn, 1);
    if (!c) {
        pthread_mutex_unlock(&p->lock);
        ng_pcounter_destroy(hi->st);
        free(hi);
        return -ENOMEM;
    }
    atomic_init(&hi->conf, c);
    for (struct bpf_hinfo *o = p->hooks; o; o = o->next) {
        struct bpf_conf *oc = atomic_load_explicit(&o->conf, memory_order_relaxed);
        for (int k = 0; k < 2; k++)
            if (strcmp(oc->name[1 + k], ng_hook_name(hook)) == 0)
                atomic_store_explicit(&oc->dst[k], hi, memory_order_release);
    }
    struct bpf_hinfo **tail = &p->hooks; /* in connection order */
    while (*tail)
        tail = &(*tail)->next;
    *tail = hi;
    hi->linked = true;
    ng_hook_set_private(hook, hi);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

static int bpf_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct bpf_priv *p = ng_node_private(node);
    struct bpf_hinfo *hi = ng_hook_private(hook);
    if (hi) {
        pthread_mutex_lock(&p->lock);
        for (struct bpf_hinfo **pp = &p->hooks; *pp; pp = &(*pp)->next) {
            if (*pp == hi) {
                *pp = hi->next;
                break;
            }
        }
        hi->linked = false;
        for (struct bpf_hinfo *o = p->hooks; o; o = o->next) {
            struct bpf_conf *oc = atomic_load_explicit(&o->conf, memory_order_relaxed);
            for (int k = 0; k < 2; k++) {
                struct bpf_hinfo *expect = hi;
                atomic_compare_exchange_strong(&oc->dst[k], &expect, NULL);
            }
        }
        pthread_mutex_unlock(&p->lock);
        /* The hook private stays: a rcvdata that loaded the hook still
         * reads it until the grace period ends. */
        ng_defer(ng_node_graph(node), &hi->de, hinfo_free);
    }
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

/* ---- data ----------------------------------------------------------------- */

/* Run hook's program over item (truncated on a match); the destination's
 * hinfo, or NULL: item dropped and counted. */
static struct bpf_hinfo *bpf_classify(struct bpf_priv *p, struct ng_hook *hook,
                                      struct ng_item *item)
{
    struct bpf_hinfo *hi = ng_hook_private(hook);
    if (!hi) {
        ng_pcounter_add(p->st, NS_NOTREADY, 1);
        ng_item_drop(item, NG_DROP_NOTCONN);
        return NULL;
    }
    const struct bpf_conf *c = atomic_load_explicit(&hi->conf, memory_order_acquire);
    uint32_t len = ng_item_len(item);
    ng_pcounter_add(hi->st, HS_RECV, 1);
    ng_pcounter_add(hi->st, HS_RECV_OCT, len);
    u_int r = bpf_filter(c->insns, ng_item_data(item), len, len);
    int k = 1;
    if (r > 0) {
        ng_pcounter_add(hi->st, HS_MATCH, 1);
        ng_pcounter_add(hi->st, HS_MATCH_OCT, len);
        if (r < len) {
            ng_item_trim(item, r);
            ng_pcounter_add(p->st, NS_TRUNC, 1);
        }
        k = 0;
    }
    struct bpf_hinfo *d = atomic_load_explicit(&c->dst[k], memory_order_acquire);
    if (!d) {
        ng_pcounter_add(p->st, NS_NODEST, 1);
        ng_item_drop(item, NG_DROP_NOTCONN);
        return NULL;
    }
    ng_pcounter_add(d->st, HS_XMIT, 1);
    ng_pcounter_add(d->st, HS_XMIT_OCT, ng_item_len(item));
    return d;
}

static int bpf_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct bpf_priv *p = ng_node_private(ng_hook_node(hook));
    struct bpf_hinfo *d = bpf_classify(p, hook, item);
    return d ? ng_send_data(d->hook, item) : 0;
}

/* A burst: each frame classified as by rcvdata, runs of frames for the same
 * destination forwarded as one burst.  Returns the first error. */
static int bpf_rcvdata_burst(struct ng_hook *hook, struct ng_item **items, unsigned n)
{
    struct bpf_priv *p = ng_node_private(ng_hook_node(hook));
    struct bpf_hinfo *run = NULL;
    int first = 0;
    unsigned k = 0; /* items[0..k) are the pending run, all for run */
    for (unsigned i = 0; i <= n; i++) {
        struct bpf_hinfo *d = NULL;
        struct ng_item *it = NULL;
        if (i < n) {
            it = items[i];
            d = bpf_classify(p, hook, it);
        }
        if (k && (i == n || (d && d != run))) {
            int rc = ng_send_data_burst(run->hook, items, k);
            if (rc && !first)
                first = rc;
            k = 0;
        }
        if (d) { /* k <= i: the slot is free */
            items[k++] = it;
            run = d;
        }
    }
    return first;
}

/* ---- messages ------------------------------------------------------------- */

static bool terminated(const char *s, size_t n) { return memchr(s, '\0', n) != NULL; }

/* The connected hook named by a message's name argument, referenced; its
 * hinfo in *hip.  -EINVAL (empty or unterminated), -ENOENT. */
static int bpf_find(struct ng_node *node, const struct ng_mesg *m, const char *name,
                    struct ng_hook **hp, struct bpf_hinfo **hip)
{
    (void)m;
    struct bpf_priv *p = ng_node_private(node);
    int rc = ng_hook_find(node, name, hp);
    if (rc < 0)
        return rc == -EINVAL ? -ENOENT : rc;
    pthread_mutex_lock(&p->lock);
    struct bpf_hinfo *hi = ng_hook_private(*hp);
    bool ok = hi && hi->linked;
    pthread_mutex_unlock(&p->lock);
    if (!ok) {
        ng_hook_unref(*hp);
        *hp = NULL;
        return -ENOENT;
    }
    *hip = hi;
    return 0;
}

/*
 * libpcap's bpf_validate() checks an instruction's class, mode and jumps,
 * not its exact opcode, and bpf_filter() calls abort() on an opcode it has
 * no case for (BPF_LD|BPF_H|BPF_IMM, a BPF_RET with stray bits, ...; 52k of
 * the 64k codes validate and then abort).  So a program is also checked
 * against the opcodes bpf_filter() executes (libpcap 1.10's switch, which
 * is classic BPF's instruction set: tcpdump never emits anything else).
 */
static bool bpf_opcode_ok(uint16_t code)
{
    static const uint16_t ok[] = {
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0c, 0x14, 0x15, 0x16, 0x1c,
        0x1d, 0x20, 0x24, 0x25, 0x28, 0x2c, 0x2d, 0x30, 0x34, 0x35, 0x3c, 0x3d, 0x40,
        0x44, 0x45, 0x48, 0x4c, 0x4d, 0x50, 0x54, 0x5c, 0x60, 0x61, 0x64, 0x6c, 0x74,
        0x7c, 0x80, 0x81, 0x84, 0x87, 0x94, 0x9c, 0xa4, 0xac, 0xb1,
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (ok[i] == code)
            return true;
    return false;
}

static bool bpf_program_ok(const struct bpf_insn *insns, int32_t len)
{
    if (len < 1 || len > NG_BPF_MAXINSNS || !bpf_validate(insns, len))
        return false;
    for (int32_t i = 0; i < len; i++)
        if (!bpf_opcode_ok(insns[i].code))
            return false;
    return true;
}

/* Validate and install a program on the hook named this_hook. */
static int bpf_install(struct ng_node *node, const char *names[3], const struct bpf_insn *insns,
                       int32_t len)
{
    struct bpf_priv *p = ng_node_private(node);
    for (int i = 0; i < 3; i++)
        if (!terminated(names[i], NG_HOOKSIZ))
            return -EINVAL;
    if (!bpf_program_ok(insns, len))
        return -EINVAL;
    struct ng_hook *h;
    struct bpf_hinfo *hi;
    int rc = ng_hook_find(node, names[0], &h);
    if (rc < 0)
        return -ENOENT;
    pthread_mutex_lock(&p->lock);
    hi = ng_hook_private(h);
    if (!hi || !hi->linked) {
        rc = -ENOENT;
    } else {
        struct bpf_conf *c = conf_make(p, names[0], names[1], names[2], insns, len);
        if (c)
            conf_publish(node, hi, c);
        else
            rc = -ENOMEM;
    }
    pthread_mutex_unlock(&p->lock);
    ng_hook_unref(h);
    return rc;
}

static int bpf_setprogram(struct ng_node *node, const struct ng_mesg *m)
{
    const struct ng_bpf_hookprog *hp = (const void *)m->data;
    if (m->header.arglen < sizeof(*hp) || hp->bpf_prog_len < 0 ||
        hp->bpf_prog_len > NG_BPF_MAXINSNS ||
        m->header.arglen != NG_BPF_HOOKPROG_SIZE(hp->bpf_prog_len))
        return -EINVAL;
    const char *names[3] = {hp->thisHook, hp->ifMatch, hp->ifNotMatch};
    return bpf_install(node, names, (const struct bpf_insn *)(const void *)hp->bpf_prog,
                       hp->bpf_prog_len);
}

/* Respond to item with a copy of text (NUL included) and error. */
static int respond_text(struct ng_item *item, int error, const char *text)
{
    size_t n = strlen(text) + 1;
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), (uint32_t)n);
    if (r)
        memcpy(r->data, text, n);
    int rc = ng_respond(item, error, r);
    return error ? error : rc;
}

static int bpf_setexpr(struct ng_node *node, struct ng_item *item)
{
    struct bpf_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    const struct ng_bpf_hookexpr *he = (const void *)m->data;
    size_t off = offsetof(struct ng_bpf_hookexpr, expr);
    if (m->header.arglen <= off || !terminated(he->expr, m->header.arglen - off) ||
        he->snaplen < 0 || he->linktype < 0) {
        ng_item_free(item);
        return -EINVAL;
    }
    int snaplen = he->snaplen ? he->snaplen : NG_BPF_SNAPLEN_DEFAULT;
    int linktype = he->linktype ? he->linktype : NG_BPF_DLT_EN10MB;
    char err[PCAP_ERRBUF_SIZE + 16] = "";
    struct bpf_program fp = {0, NULL};
    pthread_mutex_lock(&bpf_compile_lock);
    pcap_t *pd = pcap_open_dead(linktype, snaplen);
    if (!pd) {
        pthread_mutex_unlock(&bpf_compile_lock);
        ng_item_free(item);
        return -ENOMEM;
    }
    if (pcap_compile(pd, &fp, he->expr, 1, PCAP_NETMASK_UNKNOWN) != 0)
        snprintf(err, sizeof(err), "%s", pcap_geterr(pd));
    pcap_close(pd);
    pthread_mutex_unlock(&bpf_compile_lock);
    int rc = 0;
    if (!err[0]) {
        const char *names[3] = {he->thisHook, he->ifMatch, he->ifNotMatch};
        if (fp.bf_len > NG_BPF_MAXINSNS)
            snprintf(err, sizeof(err), "program too long (%u instructions)", fp.bf_len);
        else if ((rc = bpf_install(node, names, fp.bf_insns, (int32_t)fp.bf_len)) == 0) {
            pthread_mutex_lock(&p->lock);
            p->compiles++;
            pthread_mutex_unlock(&p->lock);
        }
        pcap_freecode(&fp);
    }
    if (err[0]) {
        pthread_mutex_lock(&p->lock);
        snprintf(p->lasterr, sizeof(p->lasterr), "%s", err);
        pthread_mutex_unlock(&p->lock);
        return respond_text(item, -EINVAL, err);
    }
    ng_item_free(item);
    return rc;
}

static int bpf_getprogram(struct ng_node *node, struct ng_item *item)
{
    const struct ng_mesg *m = ng_item_msg(item);
    struct ng_hook *h;
    struct bpf_hinfo *hi;
    int rc = -EINVAL;
    if (m->header.arglen == 0 || !terminated(m->data, m->header.arglen) ||
        (rc = bpf_find(node, m, m->data, &h, &hi)) != 0) {
        ng_item_free(item);
        return rc;
    }
    /* In rcvmsg (a read-side section): the conf stays valid memory. */
    const struct bpf_conf *c = atomic_load_explicit(&hi->conf, memory_order_acquire);
    ng_hook_unref(h);
    struct ng_mesg *r = ng_mesg_response(m, (uint32_t)NG_BPF_HOOKPROG_SIZE(c->len));
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    struct ng_bpf_hookprog *hp = (void *)r->data;
    memcpy(hp->thisHook, c->name[0], NG_HOOKSIZ);
    memcpy(hp->ifMatch, c->name[1], NG_HOOKSIZ);
    memcpy(hp->ifNotMatch, c->name[2], NG_HOOKSIZ);
    hp->bpf_prog_len = c->len;
    memcpy(hp->bpf_prog, c->insns, (size_t)c->len * sizeof(struct bpf_insn));
    return ng_respond(item, 0, r);
}

static int bpf_stats(struct ng_node *node, struct ng_item *item, uint32_t cmd)
{
    const struct ng_mesg *m = ng_item_msg(item);
    struct ng_hook *h;
    struct bpf_hinfo *hi;
    int rc = -EINVAL;
    if (m->header.arglen == 0 || !terminated(m->data, m->header.arglen) ||
        (rc = bpf_find(node, m, m->data, &h, &hi)) != 0) {
        ng_item_free(item);
        return rc;
    }
    struct ng_mesg *r = NULL;
    if (cmd != NGM_BPF_CLR_STATS) {
        r = ng_mesg_response(m, sizeof(struct ng_bpf_hookstat));
        if (!r) {
            ng_hook_unref(h);
            ng_item_free(item);
            return -ENOMEM;
        }
    }
    uint64_t v[HS_COUNT];
    (void)ng_pcounter_snapshot(hi->st, 0, HS_COUNT, v, cmd != NGM_BPF_GET_STATS);
    ng_hook_unref(h);
    if (!r) {
        ng_item_free(item);
        return 0;
    }
    struct ng_bpf_hookstat *s = (void *)r->data;
    s->recvFrames = v[HS_RECV];
    s->recvOctets = v[HS_RECV_OCT];
    s->recvMatchFrames = v[HS_MATCH];
    s->recvMatchOctets = v[HS_MATCH_OCT];
    s->xmitFrames = v[HS_XMIT];
    s->xmitOctets = v[HS_XMIT_OCT];
    return ng_respond(item, 0, r);
}

static int bpf_status(struct bpf_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    size_t len = 0, cap = NG_TEXTRESPONSE;
    char *b = r->data;
#define ADD(...)                                                                                   \
    do {                                                                                           \
        if (len < cap) {                                                                           \
            int n_ = snprintf(b + len, cap - len, __VA_ARGS__);                                    \
            len += n_ > 0 ? (size_t)n_ : 0;                                                        \
        }                                                                                          \
    } while (0)
    pthread_mutex_lock(&p->lock);
    unsigned nh = 0;
    for (struct bpf_hinfo *hi = p->hooks; hi; hi = hi->next)
        nh++;
    ADD("hooks: %u  compiled expressions: %llu\n", nh, (unsigned long long)p->compiles);
    for (struct bpf_hinfo *hi = p->hooks; hi; hi = hi->next) {
        const struct bpf_conf *c = atomic_load_explicit(&hi->conf, memory_order_relaxed);
        const char *st[2];
        for (int k = 0; k < 2; k++)
            st[k] = !c->name[1 + k][0] ? "(drop)" : atomic_load(&c->dst[k]) ? "" : "(unconnected)";
        ADD("%s: insns=%d match=\"%s\"%s nomatch=\"%s\"%s recv=%llu matched=%llu xmit=%llu\n",
            c->name[0], (int)c->len, c->name[1], st[0], c->name[2], st[1],
            (unsigned long long)ng_pcounter_read(hi->st, HS_RECV),
            (unsigned long long)ng_pcounter_read(hi->st, HS_MATCH),
            (unsigned long long)ng_pcounter_read(hi->st, HS_XMIT));
    }
    for (int i = 0; i < NS_COUNT; i++)
        ADD("%s=%llu%s", ns_names[i], (unsigned long long)ng_pcounter_read(p->st, (unsigned)i),
            i + 1 < NS_COUNT ? " " : "\n");
    if (p->lasterr[0])
        ADD("last compile error: %s\n", p->lasterr);
    pthread_mutex_unlock(&p->lock);
#undef ADD
    b[cap - 1] = '\0';
    r->header.arglen = (uint32_t)strlen(b) + 1;
    return ng_respond(item, 0, r);
}

static int bpf_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct bpf_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    int rc = -EINVAL;
    if (m->header.flags & NGF_RESP) {
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS)
        return bpf_status(p, item);
    if (m->header.typecookie == NGM_BPF_COOKIE) {
        switch (m->header.cmd) {
        case NGM_BPF_SET_PROGRAM:
            rc = bpf_setprogram(node, m);
            break;
        case NGM_BPF_GET_PROGRAM:
            return bpf_getprogram(node, item);
        case NGM_BPF_GET_STATS:
        case NGM_BPF_CLR_STATS:
        case NGM_BPF_GETCLR_STATS:
            return bpf_stats(node, item, m->header.cmd);
        case NGM_BPF_SET_EXPR:
            return bpf_setexpr(node, item);
        default:
            break;
        }
    }
    ng_item_free(item);
    return rc;
}

/* ---- parse types ------------------------------------------------------------ */

static const struct ng_parse_struct_field bpf_insn_fields[] = {
    {"code", &ng_parse_hint16_type, 0},
    {"jt", &ng_parse_uint8_type, 0},
    {"jf", &ng_parse_uint8_type, 0},
    {"k", &ng_parse_uint32_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type bpf_insn_type = {
    &ng_parse_struct_type, bpf_insn_fields, NULL, NULL, NULL, NULL, NULL};

static int bpf_prog_getlength(const struct ng_parse_type *type, const uint8_t *start,
                              const uint8_t *buf)
{
    (void)type;
    (void)start;
    int32_t n;
    const uint8_t *hp = buf - offsetof(struct ng_bpf_hookprog, bpf_prog);
    memcpy(&n, hp + offsetof(struct ng_bpf_hookprog, bpf_prog_len), sizeof(n));
    return n < 0 || n > NG_BPF_MAXINSNS ? -EINVAL : (int)n;
}
static const struct ng_parse_array_info bpf_prog_array_info = {&bpf_insn_type, bpf_prog_getlength};
static const struct ng_parse_type bpf_prog_array_type = {
    &ng_parse_array_type, &bpf_prog_array_info, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field bpf_hookprog_fields[] = {
    {"thisHook", &ng_parse_hookbuf_type, 0},   {"ifMatch", &ng_parse_hookbuf_type, 0},
    {"ifNotMatch", &ng_parse_hookbuf_type, 0}, {"bpf_prog_len", &ng_parse_int32_type, 0},
    {"bpf_prog", &bpf_prog_array_type, 0},     {NULL, NULL, 0},
};
static const struct ng_parse_type bpf_hookprog_type = {
    &ng_parse_struct_type, bpf_hookprog_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field bpf_hookstat_fields[] = {
    {"recvFrames", &ng_parse_uint64_type, 0},
    {"recvOctets", &ng_parse_uint64_type, 0},
    {"recvMatchFrames", &ng_parse_uint64_type, 0},
    {"recvMatchOctets", &ng_parse_uint64_type, 0},
    {"xmitFrames", &ng_parse_uint64_type, 0},
    {"xmitOctets", &ng_parse_uint64_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type bpf_hookstat_type = {
    &ng_parse_struct_type, bpf_hookstat_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field bpf_hookexpr_fields[] = {
    {"thisHook", &ng_parse_hookbuf_type, 0},
    {"ifMatch", &ng_parse_hookbuf_type, 0},
    {"ifNotMatch", &ng_parse_hookbuf_type, 0},
    {"snaplen", &ng_parse_int32_type, 0},
    {"linktype", &ng_parse_int32_type, 0},
    {"expr", &ng_parse_string_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type bpf_hookexpr_type = {
    &ng_parse_struct_type, bpf_hookexpr_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_cmdlist bpf_cmds[] = {
    {NGM_BPF_COOKIE, NGM_BPF_SET_PROGRAM, "setprogram", &bpf_hookprog_type, NULL,
     sizeof(struct ng_bpf_hookprog)},
    {NGM_BPF_COOKIE, NGM_BPF_GET_PROGRAM, "getprogram", &ng_parse_hookbuf_type, &bpf_hookprog_type,
     1},
    {NGM_BPF_COOKIE, NGM_BPF_GET_STATS, "getstats", &ng_parse_hookbuf_type, &bpf_hookstat_type, 1},
    {NGM_BPF_COOKIE, NGM_BPF_CLR_STATS, "clrstats", &ng_parse_hookbuf_type, NULL, 1},
    {NGM_BPF_COOKIE, NGM_BPF_GETCLR_STATS, "getclrstats", &ng_parse_hookbuf_type,
     &bpf_hookstat_type, 1},
    {NGM_BPF_COOKIE, NGM_BPF_SET_EXPR, "setexpr", &bpf_hookexpr_type, &ng_parse_string_type,
     offsetof(struct ng_bpf_hookexpr, expr) + 1},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_bpf_type = {
    .version = NG_ABI_VERSION,
    .name = NG_BPF_NODE_TYPE,
    .cookie = NGM_BPF_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = bpf_constructor,
    .rcvmsg = bpf_rcvmsg,
    .shutdown = bpf_shutdown,
    .newhook = bpf_newhook,
    .connect = bpf_connect,
    .rcvdata = bpf_rcvdata,
    .disconnect = bpf_disconnect,
    .cmdlist = bpf_cmds,
    .rcvdata_burst = bpf_rcvdata_burst,
};
