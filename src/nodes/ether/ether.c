/*
 * ether.c - the "ether" node type (FreeBSD's ng_ether(4)) for Linux: a node
 * attached to an existing network interface.  Frames received on the
 * interface leave on hook "lower"; frames arriving on "lower" are sent out
 * of the interface.  Docs: docs/nodes/ether.md.  Files: ether.c (node,
 * hooks, messages), ring.c (attachment, receive, transmit), ether_int.h.
 *
 * Transports: AF_XDP (xdp.c, through libxdp) where the kernel allows it,
 * chosen at attach time, else AF_PACKET (ring.c); NGM_ETHER_SET_TRANSPORT
 * forces one, NGM_ETHER_GET_TRANSPORT and TEXT_STATUS say which is in use
 * and why AF_XDP was not.  AF_PACKET: receive: one SOCK_RAW socket per ring with a
 * TPACKET_V3 block ring (PACKET_RX_RING, mmap'ed); several rings are joined
 * with PACKET_FANOUT (hash) so that each is served by its own runtime
 * worker.  A frame is copied once, from the ring block into a pool item
 * (ng_item_alloc: no malloc per packet), and a ring's frames enter the graph
 * in bursts (ng_send_data_burst).  Transmit: sendmmsg() on a separate
 * socket (bound with protocol 0: it receives nothing) with iovecs pointing
 * into the items, so the only copy is the kernel's
 * into its skb; a PACKET_TX_RING would add a user-space copy into the ring
 * and need a lock shared by every thread transmitting concurrently.
 * AF_XDP: one socket per ring (queue i), a UMEM each; receive copies once,
 * UMEM frame -> pool item; transmit copies once into a UMEM frame, under
 * the socket's txlock (the tx ring has a single producer).  Hooks and
 * messages behave the same on both transports.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA).  Concurrency invariants:
 *   - p->att (the attachment: interface, sockets, rings) is immutable once
 *     published with a release store.  Readers (rcvdata on any thread, the
 *     ring callbacks) load it with acquire inside their read-side section.
 *     Attach, detach and re-configuration are serialised by p->lock (rcvmsg
 *     runs with writer access, the connect method under the control lock:
 *     they can overlap) and replace it: the ring watches are removed
 *     (ng_fdwatch_remove waits for a running callback), the pointer cleared
 *     and the old attachment handed to ng_defer(), whose function closes
 *     the sockets, unmaps the rings and frees it after a grace period, when
 *     no transmitting rcvdata can still use the transmit socket.
 *   - A ring (socket, map, cursor) is touched only by its own watch's
 *     callback (NG_FD_SHARED: reader access; the engine runs at most one
 *     call of a watch at a time), and by attach/detach while no call runs.
 *   - lower: an atomic published by connect and cleared by disconnect
 *     (compare-exchange), both under the control lock and p->lock, which
 *     also steer AF_XDP's frames to the node or to the host stack with it
 *     (xdp.c); autosrc,
 *     promisc, enaddr: atomics written under p->lock; read anywhere.  The
 *     multicast list and the configuration are p->lock's only.
 *   - Counters: ng_pcounter (per-thread slots), read by TEXT_STATUS.
 *   - p itself is freed by shutdown, after the engine removed the watches
 *     and no method can run; the attachment still published is freed there
 *     directly.
 *   Lock order: control lock -> p->lock -> the engine's watch lock; the
 *   node is named (control lock) only after p->lock is released.
 */
#include "ether_int.h"

static const char *const es_names[ES_COUNT] = {
    "rx_frames", "rx_bytes", "rx_drop_nohook",      "rx_drop_nobufs", "rx_drop_trunc", "rx_errors",
    "tx_frames", "tx_bytes", "tx_drop_notattached", "tx_drop_runt",   "tx_drop_error"};

/* Name the node after the interface when it has no name and the name is
 * free (FreeBSD's ether nodes are named so); an invalid or taken name
 * leaves the node unnamed.  Not under p->lock (ng_node_name takes the
 * control lock). */
static void eth_autoname(struct eth_priv *p, const char *ifname)
{
    const char *cur = ng_node_get_name(p->node);
    if (!cur || cur[0] == '\0')
        (void)ng_node_name(p->node, ifname);
}

/* ---- node and hooks ------------------------------------------------------ */

static int eth_constructor(struct ng_node *node)
{
    struct eth_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    if (ng_pcounter_create(ES_COUNT, &p->pc) < 0) {
        free(p);
        return -ENOMEM;
    }
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        ng_pcounter_destroy(p->pc);
        free(p);
        return -ENOMEM;
    }
    p->node = node;
    atomic_init(&p->autosrc, 1); /* FreeBSD's default */
    p->cfg.rings = 1;
    p->cfg.block_size = 1u << 16;
    p->cfg.block_count = 16;
    p->cfg_tp = ETH_TP_AUTO;
    ng_node_set_private(node, p);
    return 0;
}

static void eth_shutdown(struct ng_node *node)
{
    struct eth_priv *p = ng_node_private(node);
    /* A persistent node revives (ng_node_set_persistent): its hooks and
     * ring watches are gone; it stays, detached (attach it again), with its
     * state, rather than freeing what the revived node still uses. */
    if (p && ng_node_is_valid(node)) {
        pthread_mutex_lock(&p->lock);
        ngi_eth_detach(p);
        pthread_mutex_unlock(&p->lock);
        return;
    }
    ng_node_set_private(node, NULL);
    if (!p)
        return;
    /* The engine removed the ring watches; nothing runs any more. */
    struct eth_att *a = atomic_load(&p->att);
    if (a)
        ngi_eth_att_release(a);
    pthread_mutex_destroy(&p->lock);
    ng_pcounter_destroy(p->pc);
    free(p);
}

static int eth_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    struct eth_priv *p = ng_node_private(node);
    (void)hook;
    if (strcmp(name, NG_ETHER_HOOK_UPPER) == 0 || strcmp(name, NG_ETHER_HOOK_ORPHAN) == 0)
        return -EOPNOTSUPP;
    if (strcmp(name, NG_ETHER_HOOK_LOWER) != 0 && strcmp(name, NG_ETHER_HOOK_DIVERT) != 0)
        return -EINVAL;
    if (atomic_load(&p->lower))
        return -EISCONN;
    return 0;
}

/* The hook is linked: publish it, and attach to the interface the peer's
 * hook names when the node is not attached yet (`mkpeer . ether eth0
 * lower`).  A failure undoes the connection. */
static int eth_connect(struct ng_hook *hook)
{
    struct eth_priv *p = ng_node_private(ng_hook_node(hook));
    struct ng_hook *peer = ng_hook_peer(hook);
    char ifname[NG_HOOKSIZ];
    int rc = 0, named = 0;
    pthread_mutex_lock(&p->lock);
    if (!atomic_load(&p->att)) {
        if (!peer) {
            rc = -ENOTCONN;
        } else {
            snprintf(ifname, sizeof(ifname), "%s", ng_hook_name(peer));
            rc = ngi_eth_attach(p, ifname);
            named = rc == 0;
        }
    }
    if (rc == 0) {
        atomic_store_explicit(&p->lower, hook, memory_order_release);
        /* AF_XDP: from now on the interface's frames are ours (an
         * attachment made just above, with lower still unset, is not in
         * the map yet) */
        rc = ngi_eth_xdp_steer(atomic_load(&p->att), true);
        if (rc < 0) {
            atomic_store(&p->lower, NULL);
            if (named)
                ngi_eth_detach(p);
            named = 0;
        }
    }
    pthread_mutex_unlock(&p->lock);
    if (named)
        eth_autoname(p, ifname);
    return rc;
}

static int eth_disconnect(struct ng_hook *hook)
{
    struct eth_priv *p = ng_node_private(ng_hook_node(hook));
    struct ng_hook *expect = hook;
    pthread_mutex_lock(&p->lock);
    if (atomic_compare_exchange_strong(&p->lower, &expect, NULL)) {
        /* AF_XDP: the frames go to the host stack again (as FreeBSD's
         * with lower unconnected); best effort: a socket left in the map
         * keeps taking them, counted as rx_drop_nohook */
        struct eth_att *a = atomic_load(&p->att);
        if (a)
            (void)ngi_eth_xdp_steer(a, false);
    }
    pthread_mutex_unlock(&p->lock);
    /* The node stays (as FreeBSD's, which lives as long as its interface). */
    return 0;
}

/* ---- messages ------------------------------------------------------------ */

static int resp_bytes(struct ng_item *item, const void *v, uint32_t len)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), len);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    memcpy(r->data, v, len);
    return ng_respond(item, 0, r);
}

static int resp_i32(struct ng_item *item, int32_t v) { return resp_bytes(item, &v, sizeof(v)); }

static int arg_i32(const struct ng_mesg *m, int32_t *v)
{
    if (m->header.arglen < sizeof(*v))
        return -EINVAL;
    memcpy(v, m->data, sizeof(*v));
    return 0;
}

/* A string argument: NUL-terminated within arglen. */
static int arg_str(const struct ng_mesg *m, const char **s)
{
    if (m->header.arglen == 0 || !memchr(m->data, '\0', m->header.arglen))
        return -EINVAL;
    *s = m->data;
    return 0;
}

static int eth_set_promisc(struct eth_priv *p, int32_t on)
{
    if (on != 0 && on != 1)
        return -EINVAL;
    struct eth_att *a = atomic_load(&p->att);
    if ((uint32_t)on == atomic_load(&p->promisc))
        return 0;
    if (a) {
        int rc = ngi_eth_membership(a, on, PACKET_MR_PROMISC, NULL);
        if (rc < 0)
            return rc;
    }
    atomic_store(&p->promisc, (uint32_t)on);
    return 0;
}

static int eth_set_enaddr(struct eth_priv *p, const struct ng_mesg *m)
{
    if (m->header.arglen < NG_ETHER_ADDR_LEN)
        return -EINVAL;
    struct eth_att *a = atomic_load(&p->att);
    if (!a)
        return -ENOTCONN;
    const uint8_t *mac = (const uint8_t *)m->data;
    if (mac[0] & 1) /* a group address is not an interface's address */
        return -EINVAL;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
    memcpy(ifr.ifr_hwaddr.sa_data, mac, NG_ETHER_ADDR_LEN);
    int rc = ngi_eth_if_ioctl(a->ifname, SIOCSIFHWADDR, &ifr);
    if (rc == 0)
        atomic_store(&p->enaddr, mac_pack(mac));
    return rc;
}

static int eth_multi(struct eth_priv *p, const struct ng_mesg *m, int add)
{
    if (m->header.arglen < NG_ETHER_ADDR_LEN)
        return -EINVAL;
    const uint8_t *mac = (const uint8_t *)m->data;
    if (!(mac[0] & 1))
        return -EINVAL; /* not a multicast address */
    unsigned i = 0;
    while (i < p->nmulti && memcmp(p->multi[i], mac, NG_ETHER_ADDR_LEN) != 0)
        i++;
    struct eth_att *a = atomic_load(&p->att);
    if (add) {
        if (i < p->nmulti)
            return 0;
        if (p->nmulti == ETH_MULTI_MAX)
            return -ENOSPC;
    } else if (i == p->nmulti) {
        return -ENOENT;
    }
    if (a) {
        int rc = ngi_eth_membership(a, add, PACKET_MR_MULTICAST, mac);
        if (rc < 0)
            return rc;
    }
    if (add)
        memcpy(p->multi[p->nmulti++], mac, NG_ETHER_ADDR_LEN);
    else
        memmove(p->multi[i], p->multi[i + 1], (size_t)(--p->nmulti - i) * NG_ETHER_ADDR_LEN);
    return 0;
}

static int cfg_check(const struct ng_ether_config *c)
{
    long pg = sysconf(_SC_PAGESIZE);
    if (c->rings < 1 || c->rings > NG_ETHER_RINGS_MAX || c->block_count < 2 ||
        c->block_count > 1024 || c->block_size < (uint32_t)pg || c->block_size > (1u << 24) ||
        (c->block_size & (c->block_size - 1)) ||
        (uint64_t)c->block_size * c->block_count > (256ull << 20))
        return -EINVAL;
    return 0;
}

/* Apply a new configuration or transport (p->lock held): at once by
 * re-attaching when attached; on failure the old one is restored (and if
 * even that fails the node is left detached: TEXT_STATUS says so). */
static int eth_reconfigure(struct eth_priv *p, const struct ng_ether_config *c, int tp)
{
    struct ng_ether_config old = p->cfg;
    int oldtp = p->cfg_tp;
    p->cfg = *c;
    p->cfg_tp = tp;
    struct eth_att *a = atomic_load(&p->att);
    if (!a)
        return 0;
    char ifname[NG_ETHER_IFNAMSIZ];
    memcpy(ifname, a->ifname, sizeof(ifname));
    ngi_eth_detach(p);
    int rc = ngi_eth_attach(p, ifname);
    if (rc < 0) {
        char why[ETH_WHY_LEN];
        memcpy(why, p->why, sizeof(why)); /* the refusal, kept for GET_TRANSPORT */
        p->cfg = old;
        p->cfg_tp = oldtp;
        (void)ngi_eth_attach(p, ifname);
        memcpy(p->why, why, sizeof(why));
    }
    return rc;
}

static int eth_set_config(struct eth_priv *p, const struct ng_mesg *m)
{
    if (m->header.arglen < sizeof(struct ng_ether_config))
        return -EINVAL;
    struct ng_ether_config c;
    memcpy(&c, m->data, sizeof(c));
    int rc = cfg_check(&c);
    if (rc < 0)
        return rc;
    return eth_reconfigure(p, &c, p->cfg_tp);
}

static int eth_set_transport(struct eth_priv *p, const struct ng_mesg *m)
{
    const char *s;
    int rc = arg_str(m, &s);
    if (rc < 0)
        return rc;
    int tp = 0;
    while (tp < ETH_TP_COUNT && strcmp(ngi_eth_tp_names[tp], s) != 0)
        tp++;
    if (tp == ETH_TP_COUNT)
        return -EINVAL;
    return eth_reconfigure(p, &p->cfg, tp);
}

static int eth_get_transport(struct eth_priv *p, struct ng_item *item)
{
    struct ng_ether_transport t;
    memset(&t, 0, sizeof(t));
    pthread_mutex_lock(&p->lock);
    struct eth_att *a = atomic_load(&p->att);
    snprintf(t.requested, sizeof(t.requested), "%s", ngi_eth_tp_names[p->cfg_tp]);
    snprintf(t.active, sizeof(t.active), "%s",
             !a ? "none" : a->tp == ETH_TP_XDP ? "af_xdp" : "af_packet");
    if (a && a->tp == ETH_TP_XDP)
        snprintf(t.mode, sizeof(t.mode), "%s", a->xdpmode);
    snprintf(t.reason, sizeof(t.reason), "%s", p->why);
    pthread_mutex_unlock(&p->lock);
    return resp_bytes(item, &t, sizeof(t));
}

static int eth_status(struct eth_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    size_t cap = NG_TEXTRESPONSE, len = 0;
    int n;
    pthread_mutex_lock(&p->lock);
    struct eth_att *a = atomic_load(&p->att);
    uint8_t mac[NG_ETHER_ADDR_LEN];
    mac_unpack(atomic_load(&p->enaddr), mac);
    char fan[32] = "none";
    if (a && a->fanout)
        snprintf(fan, sizeof(fan), "hash group %u", a->fanout);
    if (a && a->tp == ETH_TP_XDP)
        n = snprintf(r->data, cap,
                     "interface: %s (index %d)  enaddr: %02x:%02x:%02x:%02x:%02x:%02x\n"
                     "transport: af_xdp %s (requested %s; rx umem, tx ring)  rings: %u "
                     "(sockets: one per receive queue, %u)  busypoll: %u\n",
                     a->ifname, a->ifindex, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
                     a->xdpmode, ngi_eth_tp_names[p->cfg_tp], a->cfg.rings, a->nrings,
                     a->cfg.busypoll);
    else if (a)
        n = snprintf(r->data, cap,
                     "interface: %s (index %d)  enaddr: %02x:%02x:%02x:%02x:%02x:%02x\n"
                     "transport: af_packet (rx tpacket_v3 ring, tx sendmmsg; requested %s; %s)  "
                     "rings: %u x %u blocks x %u bytes  fanout: %s  busypoll: %u\n",
                     a->ifname, a->ifindex, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
                     ngi_eth_tp_names[p->cfg_tp], p->why, a->nrings, a->cfg.block_count,
                     a->cfg.block_size, fan, a->cfg.busypoll);
    else
        n = snprintf(r->data, cap, "interface: none (not attached)  transport: requested %s%s%s\n",
                     ngi_eth_tp_names[p->cfg_tp], p->why[0] ? "; last refusal: " : "", p->why);
    len += n > 0 ? (size_t)n : 0;
    n = snprintf(r->data + len, cap - len, "lower: %s  promisc: %u  autosrc: %u  multicast: %u\n",
                 atomic_load(&p->lower) ? "connected" : "unconnected",
                 (unsigned)atomic_load(&p->promisc), (unsigned)atomic_load(&p->autosrc), p->nmulti);
    len += n > 0 ? (size_t)n : 0;
    /* the counters before the per-ring lines, which are cut first when
     * there are many */
    for (unsigned i = 0; i < ES_COUNT && len < cap; i++) {
        n = snprintf(r->data + len, cap - len, "%s=%llu%s", es_names[i],
                     (unsigned long long)ng_pcounter_read(p->pc, i), i + 1 < ES_COUNT ? " " : "\n");
        len += n > 0 ? (size_t)n : 0;
    }
    for (unsigned i = 0; a && a->tp == ETH_TP_XDP && i < a->nrings && len < cap; i++)
        len += (size_t)ngi_eth_xdp_ring_status(&a->ring[i], i, r->data + len, cap - len);
    for (unsigned i = 0; a && a->tp == ETH_TP_PACKET && i < a->nrings && len < cap; i++) {
        const struct eth_ring *rg = &a->ring[i];
        unsigned cur = (unsigned)atomic_load_explicit(&rg->cur, memory_order_relaxed);
        /* the block the callback looks at next: handed over ("ready") or
         * still the kernel's ("filling") */
        const struct tpacket_block_desc *bd =
            (const struct tpacket_block_desc *)(const void *)(rg->map + (size_t)cur * rg->bsize);
        int ready =
            (__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) != 0;
        struct tpacket_stats_v3 ks;
        socklen_t kl = sizeof(ks);
        memset(&ks, 0, sizeof(ks));
        if (getsockopt(rg->fd, SOL_PACKET, PACKET_STATISTICS, &ks, &kl) == 0) {
            struct eth_ring *w = &a->ring[i]; /* the sums: p->lock's */
            w->kpackets += ks.tp_packets;
            w->kdrops += ks.tp_drops;
            w->kfreeze += ks.tp_freeze_q_cnt;
        }
        n = snprintf(r->data + len, cap - len,
                     "ring %u: fd %d worker %d next block %u (%s) kernel packets=%llu "
                     "drops=%llu freezes=%llu\n",
                     i, rg->fd, ng_fdwatch_worker(&rg->w), cur, ready ? "ready" : "filling",
                     (unsigned long long)rg->kpackets, (unsigned long long)rg->kdrops,
                     (unsigned long long)rg->kfreeze);
        len += n > 0 ? (size_t)n : 0;
    }
    pthread_mutex_unlock(&p->lock);
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

/* Messages that need the attachment's identity. */
static int eth_ident(struct eth_priv *p, struct ng_item *item, uint32_t cmd)
{
    struct eth_att *a = atomic_load(&p->att);
    if (!a) {
        ng_item_free(item);
        return -ENOTCONN;
    }
    if (cmd == NGM_ETHER_GET_IFNAME)
        return resp_bytes(item, a->ifname, (uint32_t)strlen(a->ifname) + 1);
    if (cmd == NGM_ETHER_GET_IFINDEX)
        return resp_i32(item, a->ifindex);
    uint8_t mac[NG_ETHER_ADDR_LEN];
    int rc = ngi_eth_if_get_enaddr(a->ifname, mac);
    if (rc < 0) {
        ng_item_free(item);
        return rc;
    }
    atomic_store(&p->enaddr, mac_pack(mac));
    return resp_bytes(item, mac, NG_ETHER_ADDR_LEN);
}

static int eth_locked_cmd(struct eth_priv *p, const struct ng_mesg *m, char *named)
{
    int32_t v;
    const char *s;
    int rc;
    switch (m->header.cmd) {
    case NGM_ETHER_SET_ENADDR:
        return eth_set_enaddr(p, m);
    case NGM_ETHER_SET_PROMISC:
        return (rc = arg_i32(m, &v)) < 0 ? rc : eth_set_promisc(p, v);
    case NGM_ETHER_SET_AUTOSRC:
        if ((rc = arg_i32(m, &v)) < 0)
            return rc;
        if (v != 0 && v != 1)
            return -EINVAL;
        atomic_store(&p->autosrc, (uint32_t)v);
        return 0;
    case NGM_ETHER_ADD_MULTI:
        return eth_multi(p, m, 1);
    case NGM_ETHER_DEL_MULTI:
        return eth_multi(p, m, 0);
    case NGM_ETHER_ATTACH:
        if ((rc = arg_str(m, &s)) < 0)
            return rc;
        rc = ngi_eth_attach(p, s);
        if (rc == 0)
            snprintf(named, NG_ETHER_IFNAMSIZ, "%s", s);
        return rc;
    case NGM_ETHER_DETACH:
        if (!atomic_load(&p->att))
            return -ENOTCONN;
        ngi_eth_detach(p);
        return 0;
    case NGM_ETHER_SET_CONFIG:
        return eth_set_config(p, m);
    case NGM_ETHER_SET_TRANSPORT:
        return eth_set_transport(p, m);
    default:
        return -EINVAL;
    }
}

static int eth_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct eth_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    if (m->header.flags & NGF_RESP) {
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS)
        return eth_status(p, item);
    if (m->header.typecookie != NGM_ETHER_COOKIE) {
        ng_item_free(item);
        return -EINVAL;
    }
    uint32_t cmd = m->header.cmd;
    int rc;
    switch (cmd) {
    case NGM_ETHER_GET_IFNAME:
    case NGM_ETHER_GET_IFINDEX:
    case NGM_ETHER_GET_ENADDR:
        pthread_mutex_lock(&p->lock);
        rc = eth_ident(p, item, cmd);
        pthread_mutex_unlock(&p->lock);
        return rc;
    case NGM_ETHER_GET_PROMISC:
        return resp_i32(item, (int32_t)atomic_load(&p->promisc));
    case NGM_ETHER_GET_AUTOSRC:
        return resp_i32(item, (int32_t)atomic_load(&p->autosrc));
    case NGM_ETHER_GET_TRANSPORT:
        return eth_get_transport(p, item);
    case NGM_ETHER_GET_CONFIG: {
        pthread_mutex_lock(&p->lock);
        struct ng_ether_config c = p->cfg;
        pthread_mutex_unlock(&p->lock);
        return resp_bytes(item, &c, sizeof(c));
    }
    default:
        break;
    }
    char named[NG_ETHER_IFNAMSIZ] = "";
    pthread_mutex_lock(&p->lock);
    rc = eth_locked_cmd(p, m, named);
    pthread_mutex_unlock(&p->lock);
    if (named[0])
        eth_autoname(p, named);
    ng_item_free(item);
    return rc;
}

/* ---- parse types --------------------------------------------------------- */

static const struct ng_parse_struct_field eth_config_fields[] = {
    {"rings", &ng_parse_uint32_type, 0},
    {"block_size", &ng_parse_uint32_type, 0},
    {"block_count", &ng_parse_uint32_type, 0},
    {"busypoll", &ng_parse_uint32_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type eth_config_type = {
    &ng_parse_struct_type, eth_config_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_parse_fixedstring_info eth_tp_info = {NG_ETHER_TPSIZ};
static const struct ng_parse_type eth_tp_type = {
    &ng_parse_fixedstring_type, &eth_tp_info, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_fixedstring_info eth_reason_info = {NG_ETHER_TP_REASONSIZ};
static const struct ng_parse_type eth_reason_type = {
    &ng_parse_fixedstring_type, &eth_reason_info, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field eth_transport_fields[] = {
    {"requested", &eth_tp_type, 0},
    {"active", &eth_tp_type, 0},
    {"mode", &eth_tp_type, 0},
    {"reason", &eth_reason_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type eth_transport_type = {
    &ng_parse_struct_type, eth_transport_fields, NULL, NULL, NULL, NULL, NULL};

static const struct ng_cmdlist eth_cmds[] = {
    {NGM_ETHER_COOKIE, NGM_ETHER_GET_IFNAME, "getifname", NULL, &ng_parse_string_type, 0},
    {NGM_ETHER_COOKIE, NGM_ETHER_GET_IFINDEX, "getifindex", NULL, &ng_parse_int32_type, 0},
    {NGM_ETHER_COOKIE, NGM_ETHER_GET_ENADDR, "getenaddr", NULL, &ng_parse_enaddr_type, 0},
    {NGM_ETHER_COOKIE, NGM_ETHER_SET_ENADDR, "setenaddr", &ng_parse_enaddr_type, NULL,
     NG_ETHER_ADDR_LEN},
    {NGM_ETHER_COOKIE, NGM_ETHER_GET_PROMISC, "getpromisc", NULL, &ng_parse_int32_type, 0},
    {NGM_ETHER_COOKIE, NGM_ETHER_SET_PROMISC, "setpromisc", &ng_parse_int32_type, NULL,
     sizeof(int32_t)},
    {NGM_ETHER_COOKIE, NGM_ETHER_GET_AUTOSRC, "getautosrc", NULL, &ng_parse_int32_type, 0},
    {NGM_ETHER_COOKIE, NGM_ETHER_SET_AUTOSRC, "setautosrc", &ng_parse_int32_type, NULL,
     sizeof(int32_t)},
    {NGM_ETHER_COOKIE, NGM_ETHER_ADD_MULTI, "addmulti", &ng_parse_enaddr_type, NULL,
     NG_ETHER_ADDR_LEN},
    {NGM_ETHER_COOKIE, NGM_ETHER_DEL_MULTI, "delmulti", &ng_parse_enaddr_type, NULL,
     NG_ETHER_ADDR_LEN},
    {NGM_ETHER_COOKIE, NGM_ETHER_ATTACH, "attach", &ng_parse_string_type, NULL, 1},
    {NGM_ETHER_COOKIE, NGM_ETHER_DETACH, "detach", NULL, NULL, 0},
    {NGM_ETHER_COOKIE, NGM_ETHER_GET_CONFIG, "getconfig", NULL, &eth_config_type, 0},
    {NGM_ETHER_COOKIE, NGM_ETHER_SET_CONFIG, "setconfig", &eth_config_type, NULL,
     sizeof(struct ng_ether_config)},
    {NGM_ETHER_COOKIE, NGM_ETHER_GET_TRANSPORT, "gettransport", NULL, &eth_transport_type, 0},
    {NGM_ETHER_COOKIE, NGM_ETHER_SET_TRANSPORT, "settransport", &ng_parse_string_type, NULL, 1},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_ether_type = {
    .version = NG_ABI_VERSION,
    .name = NG_ETHER_NODE_TYPE,
    .cookie = NGM_ETHER_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = eth_constructor,
    .rcvmsg = eth_rcvmsg,
    .shutdown = eth_shutdown,
    .newhook = eth_newhook,
    .connect = eth_connect,
    .rcvdata = ngi_eth_rcvdata,
    .disconnect = eth_disconnect,
    .cmdlist = eth_cmds,
    .rcvdata_burst = ngi_eth_rcvdata_burst,
};
