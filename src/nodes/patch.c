/*
 * patch.c - the "patch" node type (FreeBSD's ng_patch(4)): the operations
 * of a configuration (set, add, sub, mul, div, neg, and, or, xor, shl, shr
 * on 1, 2, 4 or 8-byte big-endian fields) applied in order to every packet
 * received on "in", which then leaves by "out" (or back out of "in" when
 * "out" is not connected); packets from "out" go to "in" unchanged.  With
 * checksum flags the IPv4 header, TCP, UDP and SCTP checksums are
 * recomputed afterwards (FreeBSD leaves that to its IP stack; a graph has
 * none).  Docs: docs/nodes/patch.md.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA).  Nothing rcvdata reads is ever
 * written in place:
 *   - p->conf: the configuration (operations, checksum flags, relative
 *     offset and the DLT), an immutable block.  rcvmsg (writer access, so
 *     one message at a time) builds a new block, publishes it with a
 *     release store and hands the old one to ng_defer(): it is freed once
 *     no rcvdata that loaded it can still run.  rcvdata loads it once per
 *     packet (acquire), so a packet sees one whole configuration.  Never
 *     NULL between constructor and shutdown.
 *   - p->in, p->out: hook pointers stored (release) by newhook and cleared
 *     by disconnect (both under the control lock); rcvdata loads them
 *     (acquire).  A hook loaded just before disconnect cleared it is still
 *     valid memory (hooks are freed after a grace period) and sending on it
 *     drops the packet, counted by the engine.
 *   - counters: ng_pcounter (per-thread lines, summed on read).
 *   - each hook's private pointer holds its role (an integer, set in
 *     newhook before the hook is published).
 *   The private struct, the last configuration and the counters are freed
 *   by the final shutdown, when no method can run.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes/patch.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

#define PH_IN ((uintptr_t)1)
#define PH_OUT ((uintptr_t)2)

enum {
    PS_RECEIVED, /* packets received on either hook */
    PS_PATCHED,  /* packets at least one operation was applied to */
    PS_DROPPED,  /* packets from "out" with "in" unconnected */
    PS_SHORT,    /* packets too short for at least one operation (skipped) */
    PS_RUNT,     /* relative offset: link header cut short (passed unpatched) */
    PS_CSUM,     /* checksums recomputed */
    PS_COUNT
};
static const char *const ps_names[PS_COUNT] = {"received", "patched", "dropped",
                                               "short",    "runt",    "csum_fixed"};

/* An immutable configuration (see the header comment). */
struct patch_conf {
    struct ng_defer_entry defer; /* first: the block is freed through it */
    uint64_t csum_flags;
    uint32_t relative; /* as set (getconfig); non-zero: offsets after the link header */
    uint8_t dlt;
    uint32_t count;
    struct ng_patch_op ops[];
};

struct patch_priv {
    _Atomic(struct ng_hook *) in;
    _Atomic(struct ng_hook *) out;
    _Atomic(struct patch_conf *) conf;
    struct ng_pcounter *pc;
    struct ng_graph *g;
};

static struct patch_conf *conf_alloc(uint32_t count)
{
    return calloc(1, sizeof(struct patch_conf) + (size_t)count * sizeof(struct ng_patch_op));
}

static void conf_free_deferred(struct ng_defer_entry *e) { free(e); }

/* Publish c (release) and retire the previous configuration. */
static void conf_publish(struct patch_priv *p, struct patch_conf *c)
{
    struct patch_conf *old = atomic_exchange_explicit(&p->conf, c, memory_order_acq_rel);
    if (old && ng_defer(p->g, &old->defer, conf_free_deferred) != 0)
        free(old); /* unreachable: g, entry and fn are never NULL here */
}

static int patch_constructor(struct ng_node *node)
{
    struct patch_priv *p = calloc(1, sizeof(*p));
    struct patch_conf *c = conf_alloc(0);
    if (!p || !c || ng_pcounter_create(PS_COUNT, &p->pc) != 0) {
        free(p);
        free(c);
        return -ENOMEM;
    }
    c->dlt = NG_PATCH_DLT_RAW;
    p->g = ng_node_graph(node);
    atomic_init(&p->conf, c);
    ng_node_set_private(node, p);
    return 0;
}

static void patch_shutdown(struct ng_node *node)
{
    struct patch_priv *p = ng_node_private(node);
    if (!p)
        return;
    if (ng_node_is_valid(node)) { /* a persistent node revives: back to defaults */
        struct patch_conf *c = conf_alloc(0);
        if (c) {
            c->dlt = NG_PATCH_DLT_RAW;
            conf_publish(p, c);
        }
        return;
    }
    ng_node_set_private(node, NULL);
    free(atomic_load(&p->conf));
    ng_pcounter_destroy(p->pc);
    free(p);
}

static int patch_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    struct patch_priv *p = ng_node_private(node);
    _Atomic(struct ng_hook *) *slot;
    uintptr_t role;
    if (strcmp(name, NG_PATCH_HOOK_IN) == 0) {
        slot = &p->in;
        role = PH_IN;
    } else if (strcmp(name, NG_PATCH_HOOK_OUT) == 0) {
        slot = &p->out;
        role = PH_OUT;
    } else {
        return -EINVAL;
    }
    ng_hook_set_private(hook, (void *)role);
    atomic_store_explicit(slot, hook, memory_order_release);
    return 0;
}

static int patch_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct patch_priv *p = ng_node_private(node);
    struct ng_hook *expect = hook;
    if ((uintptr_t)ng_hook_private(hook) == PH_IN)
        atomic_compare_exchange_strong(&p->in, &expect, NULL);
    else
        atomic_compare_exchange_strong(&p->out, &expect, NULL);
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

/* ---- the operations ------------------------------------------------------ */

static uint64_t load_be(const uint8_t *d, unsigned len)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < len; i++)
        v = v << 8 | d[i];
    return v;
}

static void store_be(uint8_t *d, unsigned len, uint64_t v)
{
    for (unsigned i = len; i-- > 0; v >>= 8)
        d[i] = (uint8_t)v;
}

static uint64_t width_mask(unsigned len) { return len == 8 ? ~0ull : (1ull << (8 * len)) - 1; }

/* One operation on the field value x (len bytes wide); v was truncated to
 * the width and is not 0 for DIV (setconfig checks both). */
static uint64_t apply_op(uint16_t mode, unsigned len, uint64_t x, uint64_t v)
{
    unsigned bits = 8 * len;
    switch (mode) {
    case NG_PATCH_MODE_SET:
        x = v;
        break;
    case NG_PATCH_MODE_ADD:
        x += v;
        break;
    case NG_PATCH_MODE_SUB:
        x -= v;
        break;
    case NG_PATCH_MODE_MUL:
        x *= v;
        break;
    case NG_PATCH_MODE_DIV:
        x /= v;
        break;
    case NG_PATCH_MODE_NEG: /* two's complement of the signed field */
        x = 0 - x;
        break;
    case NG_PATCH_MODE_AND:
        x &= v;
        break;
    case NG_PATCH_MODE_OR:
        x |= v;
        break;
    case NG_PATCH_MODE_XOR:
        x ^= v;
        break;
    case NG_PATCH_MODE_SHL: /* every bit shifted out: 0 */
        x = v >= bits ? 0 : x << v;
        break;
    case NG_PATCH_MODE_SHR:
        x = v >= bits ? 0 : x >> v;
        break;
    default:
        break;
    }
    return x & width_mask(len);
}

/* Length of the Ethernet header and its 802.1Q / 802.1ad tags, and the
 * ethertype after them in *etype; 0 if the frame is cut inside them. */
static uint32_t ether_hlen(const uint8_t *d, uint32_t len, uint16_t *etype)
{
    if (len < 14)
        return 0;
    uint32_t off = 14;
    uint16_t et = (uint16_t)(d[12] << 8 | d[13]);
    while (et == 0x8100 || et == 0x88a8 || et == 0x9100) {
        if (len < off + 4)
            return 0;
        et = (uint16_t)(d[off + 2] << 8 | d[off + 3]);
        off += 4;
    }
    *etype = et;
    return off;
}

/* ---- checksums ------------------------------------------------------------ */

static uint32_t sum16(const uint8_t *d, uint32_t len, uint32_t s)
{
    for (uint32_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)(d[i] << 8 | d[i + 1]);
    if (len & 1)
        s += (uint32_t)d[len - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static uint32_t crc32c(const uint8_t *d, uint32_t len)
{
    uint32_t c = 0xffffffffu;
    for (uint32_t i = 0; i < len; i++) {
        c ^= d[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1u)));
    }
    return ~c;
}

/* The L4 checksum of the segment l4[0..l4len) of protocol proto, with the
 * pseudo-header sum ph.  Returns 1 if a checksum was written. */
static int l4_csum(uint8_t *l4, uint32_t l4len, uint8_t proto, uint32_t ph, uint64_t flags,
                   uint64_t tcp, uint64_t udp, uint64_t sctp)
{
    uint32_t at;
    if (proto == 6 && (flags & tcp) && l4len >= 20)
        at = 16;
    else if (proto == 17 && (flags & udp) && l4len >= 8)
        at = 6;
    else if (proto == 132 && (flags & sctp) && l4len >= 12) {
        memset(l4 + 8, 0, 4);
        uint32_t c = crc32c(l4, l4len); /* stored least significant byte first */
        for (int i = 0; i < 4; i++)
            l4[8 + i] = (uint8_t)(c >> (8 * i));
        return 1;
    } else
        return 0;
    if (proto == 17 && tcp == NG_PATCH_CSUM_TCP && l4[6] == 0 && l4[7] == 0)
        return 0; /* UDP over IPv4 without a checksum stays without one */
    l4[at] = l4[at + 1] = 0;
    uint16_t c = fold(sum16(l4, l4len, ph + proto + l4len));
    if (proto == 17 && c == 0)
        c = 0xffff;
    l4[at] = (uint8_t)(c >> 8);
    l4[at + 1] = (uint8_t)c;
    return 1;
}

/* Recompute what c->csum_flags asks for in the IP packet at d[0..len). */
static int fix_csums(uint8_t *d, uint32_t len, uint64_t flags)
{
    int n = 0;
    if (len >= 20 && (d[0] >> 4) == 4) {
        uint32_t ihl = (uint32_t)(d[0] & 15) * 4, tot = (uint32_t)(d[2] << 8 | d[3]);
        if (ihl < 20 || ihl > len)
            return 0;
        if (flags & NG_PATCH_CSUM_IP) {
            d[10] = d[11] = 0;
            uint16_t c = fold(sum16(d, ihl, 0));
            d[10] = (uint8_t)(c >> 8);
            d[11] = (uint8_t)c;
            n++;
        }
        bool frag = (d[6] & 0x3f) != 0 || d[7] != 0; /* MF or an offset */
        if (!frag && tot >= ihl && tot <= len)
            n += l4_csum(d + ihl, tot - ihl, d[9], sum16(d + 12, 8, 0), flags, NG_PATCH_CSUM_TCP,
                         NG_PATCH_CSUM_UDP, NG_PATCH_CSUM_SCTP);
    } else if (len >= 40 && (d[0] >> 4) == 6) {
        uint32_t pl = (uint32_t)(d[4] << 8 | d[5]);
        if (40 + pl <= len) /* extension headers are not followed */
            n += l4_csum(d + 40, pl, d[6], sum16(d + 8, 32, 0), flags, NG_PATCH_CSUM_TCP_IPV6,
                         NG_PATCH_CSUM_UDP_IPV6, NG_PATCH_CSUM_SCTP_IPV6);
    }
    return n;
}

/* Apply c to the packet in item. */
static void patch_item(struct patch_priv *p, const struct patch_conf *c, struct ng_item *item)
{
    uint8_t *d = ng_item_data(item);
    uint32_t len = ng_item_len(item), l3 = 0;
    uint16_t etype = 0x0800;
    bool ip = true;
    if (c->dlt == NG_PATCH_DLT_EN10MB) {
        l3 = ether_hlen(d, len, &etype);
        ip = l3 != 0 && (etype == 0x0800 || etype == 0x86dd);
        if (l3 == 0 && c->relative) { /* FreeBSD passes it on unpatched */
            ng_pcounter_add(p->pc, PS_RUNT, 1);
            return;
        }
    }
    uint64_t base = c->relative ? l3 : 0;
    bool patched = false, skipped = false;
    for (uint32_t i = 0; i < c->count; i++) {
        const struct ng_patch_op *op = &c->ops[i];
        uint64_t at = base + op->offset;
        if (at + op->length > len) {
            skipped = true;
            continue;
        }
        uint64_t x = op->mode == NG_PATCH_MODE_SET ? 0 : load_be(d + at, op->length);
        store_be(d + at, op->length, apply_op(op->mode, op->length, x, op->val.v8));
        patched = true;
    }
    if (patched)
        ng_pcounter_add(p->pc, PS_PATCHED, 1);
    if (skipped)
        ng_pcounter_add(p->pc, PS_SHORT, 1);
    if (c->csum_flags && ip) {
        int n = fix_csums(d + l3, len - l3, c->csum_flags);
        if (n)
            ng_pcounter_add(p->pc, PS_CSUM, (uint64_t)n);
    }
}

/* Where a packet arriving on hook goes after patching; NULL: dropped. */
static struct ng_hook *patch_route(struct patch_priv *p, struct ng_hook *hook, struct ng_item *item)
{
    ng_pcounter_add(p->pc, PS_RECEIVED, 1);
    if ((uintptr_t)ng_hook_private(hook) == PH_IN) {
        patch_item(p, atomic_load_explicit(&p->conf, memory_order_acquire), item);
        struct ng_hook *out = atomic_load_explicit(&p->out, memory_order_acquire);
        return out ? out : hook; /* reflected when "out" is not connected */
    }
    return atomic_load_explicit(&p->in, memory_order_acquire);
}

static int patch_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct patch_priv *p = ng_node_private(ng_hook_node(hook));
    struct ng_hook *dst = patch_route(p, hook, item);
    if (!dst) {
        ng_pcounter_add(p->pc, PS_DROPPED, 1);
        ng_item_drop(item, NG_DROP_NOTCONN);
        return -ENOTCONN;
    }
    return ng_send_data(dst, item);
}

/* A burst: every packet arrives on the same hook and takes the same way. */
static int patch_rcvdata_burst(struct ng_hook *hook, struct ng_item **items, unsigned n)
{
    struct patch_priv *p = ng_node_private(ng_hook_node(hook));
    struct ng_hook *dst = NULL;
    for (unsigned i = 0; i < n; i++)
        dst = patch_route(p, hook, items[i]);
    if (!dst) {
        ng_pcounter_add(p->pc, PS_DROPPED, n);
        for (unsigned i = 0; i < n; i++)
            ng_item_drop(items[i], NG_DROP_NOTCONN);
        return -ENOTCONN;
    }
    return ng_send_data_burst(dst, items, n);
}

/* ---- messages ------------------------------------------------------------- */

static int respond(struct ng_item *item, const void *data, uint32_t len)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), len);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    memcpy(r->data, data, len);
    return ng_respond(item, 0, r);
}

static int patch_setconfig(struct patch_priv *p, const struct ng_mesg *m)
{
    struct ng_patch_config hdr;
    if (m->header.arglen < sizeof(hdr))
        return -EINVAL;
    memcpy(&hdr, m->data, sizeof(hdr));
    if (hdr.count > NG_PATCH_MAX_OPS || m->header.arglen != NG_PATCH_CONF_SIZE(hdr.count))
        return -EINVAL;
    struct patch_conf *c = conf_alloc(hdr.count);
    if (!c)
        return -ENOMEM;
    memcpy(c->ops, m->data + offsetof(struct ng_patch_config, ops),
           (size_t)hdr.count * sizeof(struct ng_patch_op));
    for (uint32_t i = 0; i < hdr.count; i++) {
        struct ng_patch_op *op = &c->ops[i];
        if ((op->length != 1 && op->length != 2 && op->length != 4 && op->length != 8) ||
            op->mode < NG_PATCH_MODE_SET || op->mode > NG_PATCH_MODE_SHR) {
            free(c);
            return -EINVAL;
        }
        op->val.v8 &= width_mask(op->length); /* FreeBSD keeps the field's width */
        if (op->mode == NG_PATCH_MODE_DIV && op->val.v8 == 0) {
            free(c);
            return -EINVAL;
        }
    }
    struct patch_conf *cur = atomic_load_explicit(&p->conf, memory_order_relaxed);
    c->count = hdr.count;
    c->csum_flags = hdr.csum_flags & (NG_PATCH_CSUM_IPV4 | NG_PATCH_CSUM_IPV6);
    c->relative = hdr.relative_offset; /* non-zero: relative; kept for getconfig */
    c->dlt = cur->dlt;
    conf_publish(p, c);
    return 0;
}

static int patch_getconfig(struct patch_priv *p, struct ng_item *item)
{
    const struct patch_conf *c = atomic_load_explicit(&p->conf, memory_order_relaxed);
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), (uint32_t)NG_PATCH_CONF_SIZE(c->count));
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    struct ng_patch_config hdr;
    memset(&hdr, 0, sizeof(hdr));
    hdr.count = c->count;
    hdr.csum_flags = c->csum_flags;
    hdr.relative_offset = c->relative;
    memcpy(r->data, &hdr, sizeof(hdr));
    memcpy(r->data + offsetof(struct ng_patch_config, ops), c->ops,
           (size_t)c->count * sizeof(struct ng_patch_op));
    return ng_respond(item, 0, r);
}

static int patch_setdlt(struct patch_priv *p, const struct ng_mesg *m)
{
    if (m->header.arglen != sizeof(uint8_t))
        return -EINVAL;
    uint8_t dlt = (uint8_t)m->data[0];
    if (dlt != NG_PATCH_DLT_RAW && dlt != NG_PATCH_DLT_EN10MB)
        return -EINVAL;
    const struct patch_conf *cur = atomic_load_explicit(&p->conf, memory_order_relaxed);
    struct patch_conf *c = conf_alloc(cur->count);
    if (!c)
        return -ENOMEM;
    c->csum_flags = cur->csum_flags;
    c->relative = cur->relative;
    c->count = cur->count;
    memcpy(c->ops, cur->ops, (size_t)cur->count * sizeof(struct ng_patch_op));
    c->dlt = dlt;
    conf_publish(p, c);
    return 0;
}

static int patch_stats(struct patch_priv *p, struct ng_item *item, uint32_t cmd)
{
    struct ng_patch_stats st;
    bool clr = cmd != NGM_PATCH_GET_STATS;
    uint64_t v[PS_COUNT]; /* FreeBSD's three, then ours (cleared with them) */
    (void)ng_pcounter_snapshot(p->pc, 0, clr ? PS_COUNT : PS_SHORT, v, clr);
    st.received = v[PS_RECEIVED];
    st.patched = v[PS_PATCHED];
    st.dropped = v[PS_DROPPED];
    if (cmd == NGM_PATCH_CLR_STATS) {
        ng_item_free(item);
        return 0;
    }
    return respond(item, &st, sizeof(st));
}

static int patch_status(struct patch_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    const struct patch_conf *c = atomic_load_explicit(&p->conf, memory_order_relaxed);
    size_t cap = NG_TEXTRESPONSE;
    int n = snprintf(r->data, cap,
                     "in: %s  out: %s  dlt: %u (%s)\n"
                     "ops: %u  csum_flags: 0x%llx  relative_offset: %u\n",
                     atomic_load(&p->in) ? "connected" : "unconnected",
                     atomic_load(&p->out) ? "connected" : "unconnected", (unsigned)c->dlt,
                     c->dlt == NG_PATCH_DLT_EN10MB ? "ethernet" : "raw", (unsigned)c->count,
                     (unsigned long long)c->csum_flags, (unsigned)c->relative);
    size_t len = n > 0 ? (size_t)n : 0;
    for (int i = 0; i < PS_COUNT && len < cap; i++) {
        n = snprintf(r->data + len, cap - len, "%s=%llu%s", ps_names[i],
                     (unsigned long long)ng_pcounter_read(p->pc, (unsigned)i),
                     i + 1 < PS_COUNT ? " " : "\n");
        len += n > 0 ? (size_t)n : 0;
    }
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

static int patch_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    struct patch_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    int rc = -EINVAL;
    if (m->header.flags & NGF_RESP) {
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS)
        return patch_status(p, item);
    if (m->header.typecookie == NGM_FLOW_COOKIE) {
        /* Along the data path: in -> out, out -> in (docs/messages.md). */
        uintptr_t role = lasthook ? (uintptr_t)ng_hook_private(lasthook) : 0;
        struct ng_hook *to = role == PH_IN    ? atomic_load(&p->out)
                             : role == PH_OUT ? atomic_load(&p->in)
                                              : NULL;
        if (to)
            return ng_forward_msg(item, to);
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_PATCH_COOKIE) {
        switch (m->header.cmd) {
        case NGM_PATCH_SETCONFIG:
            rc = patch_setconfig(p, m);
            break;
        case NGM_PATCH_GETCONFIG:
            return patch_getconfig(p, item);
        case NGM_PATCH_GET_STATS:
        case NGM_PATCH_CLR_STATS:
        case NGM_PATCH_GETCLR_STATS:
            return patch_stats(p, item, m->header.cmd);
        case NGM_PATCH_GETDLT: {
            uint8_t dlt = atomic_load_explicit(&p->conf, memory_order_relaxed)->dlt;
            return respond(item, &dlt, sizeof(dlt));
        }
        case NGM_PATCH_SETDLT:
            rc = patch_setdlt(p, m);
            break;
        default:
            break;
        }
    }
    ng_item_free(item);
    return rc;
}

/* ---- parse types ------------------------------------------------------------ */

static const struct ng_parse_struct_field patch_op_fields[] = {
    {"offset", &ng_parse_uint32_type, 0},
    {"length", &ng_parse_uint16_type, 0},
    {"mode", &ng_parse_uint16_type, 0},
    {"value", &ng_parse_uint64_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type patch_op_type = {
    &ng_parse_struct_type, patch_op_fields, NULL, NULL, NULL, NULL, NULL};

static int patch_ops_len(const struct ng_parse_type *type, const uint8_t *start, const uint8_t *buf)
{
    (void)type;
    (void)start;
    uint32_t n;
    memcpy(&n, buf - offsetof(struct ng_patch_config, ops), sizeof(n));
    return n > NG_PATCH_MAX_OPS ? -EINVAL : (int)n;
}
static const struct ng_parse_array_info patch_ops_info = {&patch_op_type, patch_ops_len};
static const struct ng_parse_type patch_ops_type = {
    &ng_parse_array_type, &patch_ops_info, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field patch_config_fields[] = {
    {"count", &ng_parse_uint32_type, 0},
    {"csum_flags", &ng_parse_uint64_type, 0},
    {"relative_offset", &ng_parse_uint32_type, 0},
    {"ops", &patch_ops_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type patch_config_type = {
    &ng_parse_struct_type, patch_config_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_struct_field patch_stats_fields[] = {
    {"Received", &ng_parse_uint64_type, 0},
    {"Patched", &ng_parse_uint64_type, 0},
    {"Dropped", &ng_parse_uint64_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type patch_stats_type = {
    &ng_parse_struct_type, patch_stats_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_cmdlist patch_cmds[] = {
    {NGM_PATCH_COOKIE, NGM_PATCH_GETDLT, "getdlt", NULL, &ng_parse_uint8_type, 0},
    {NGM_PATCH_COOKIE, NGM_PATCH_SETDLT, "setdlt", &ng_parse_uint8_type, NULL, sizeof(uint8_t)},
    {NGM_PATCH_COOKIE, NGM_PATCH_GETCONFIG, "getconfig", NULL, &patch_config_type, 0},
    {NGM_PATCH_COOKIE, NGM_PATCH_SETCONFIG, "setconfig", &patch_config_type, NULL,
     sizeof(struct ng_patch_config)},
    {NGM_PATCH_COOKIE, NGM_PATCH_GET_STATS, "getstats", NULL, &patch_stats_type, 0},
    {NGM_PATCH_COOKIE, NGM_PATCH_CLR_STATS, "clrstats", NULL, NULL, 0},
    {NGM_PATCH_COOKIE, NGM_PATCH_GETCLR_STATS, "getclrstats", NULL, &patch_stats_type, 0},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_patch_type = {
    .version = NG_ABI_VERSION,
    .name = NG_PATCH_NODE_TYPE,
    .cookie = NGM_PATCH_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = patch_constructor,
    .rcvmsg = patch_rcvmsg,
    .shutdown = patch_shutdown,
    .newhook = patch_newhook,
    .rcvdata = patch_rcvdata,
    .disconnect = patch_disconnect,
    .cmdlist = patch_cmds,
    .rcvdata_burst = patch_rcvdata_burst,
};
