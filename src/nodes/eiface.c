/*
 * eiface.c - the "eiface" node type (FreeBSD's ng_eiface(4)) for Linux: a
 * virtual Ethernet interface.  The constructor creates a TAP device on
 * /dev/net/tun named ngeth0, ngeth1, ... (the kernel picks the first free
 * number in the process's network namespace); frames the host sends out of
 * the interface leave on hook "ether", frames arriving on "ether" are
 * received by the host as if from a wire.  The interface disappears when
 * the node shuts down (the descriptor is closed).  Docs:
 * docs/nodes/eiface.md.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA).  Concurrency invariants:
 *   - fd, ifindex: set by the constructor, constant until shutdown closes
 *     the descriptor (when no method can run).  rcvdata on any number of
 *     threads write()s whole frames to it (one write is one frame).
 *   - ether: the hook, written (release) by connect/disconnect under the
 *     control lock, read (acquire) by the read callback.
 *   - The read watch (NG_FD_SHARED: reader access, one call at a time) is
 *     added by the first connect and stays until the engine removes it at
 *     shutdown; it reads at most EIF_RX_BATCH frames per call into pool
 *     items (one copy: the read itself) and sends them as one burst.
 *   - Counters: ng_pcounter; p is freed by shutdown.
 */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ngraph/message.h>
#include <ngraph/ngraph.h>
#include <ngraph/nodes/eiface.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

#define EIF_RX_BATCH 64
#define EIF_FRAME_MAX 1522 /* MTU 1500 + Ethernet header + one 802.1Q tag + slack */
#define EIF_HDR 14

enum {
    EF_OUT_FRAMES, /* interface -> hook */
    EF_OUT_BYTES,
    EF_OUT_NOHOOK, /* dropped: hook not connected */
    EF_OUT_NOBUFS, /* dropped: no item */
    EF_OUT_ERR,    /* read errors (e.g. a frame over EIF_FRAME_MAX) */
    EF_IN_FRAMES,  /* hook -> interface */
    EF_IN_BYTES,
    EF_IN_RUNT, /* dropped: shorter than an Ethernet header */
    EF_IN_ERR,  /* dropped: the kernel refused (interface down, queue full) */
    EF_COUNT
};
static const char *const ef_names[EF_COUNT] = {
    "to_hook_frames", "to_hook_bytes", "to_hook_drop_nohook", "to_hook_drop_nobufs", "read_errors",
    "to_if_frames",   "to_if_bytes",   "to_if_drop_runt",     "to_if_drop_error"};

struct eif_priv {
    int fd;
    int ifindex;
    char ifname0[NG_EIFACE_IFNAMSIZ]; /* the name it was created with */
    _Atomic(struct ng_hook *) ether;
    _Atomic int watching; /* the read watch was added (control lock) */
    struct ng_fdwatch w;
    struct ng_pcounter *pc;
};

static void fcount(struct eif_priv *p, unsigned i, uint64_t v) { ng_pcounter_add(p->pc, i, v); }

/* The interface's current name (it may have been renamed). */
static void eif_name(const struct eif_priv *p, char *buf)
{
    if (!if_indextoname((unsigned)p->ifindex, buf))
        snprintf(buf, NG_EIFACE_IFNAMSIZ, "%s", p->ifname0);
}

static int eif_ioctl(const struct eif_priv *p, unsigned long req, struct ifreq *ifr)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -errno;
    char name[NG_EIFACE_IFNAMSIZ];
    eif_name(p, name);
    snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
    int rc = ioctl(s, req, ifr) < 0 ? -errno : 0;
    close(s);
    return rc;
}

static int eif_constructor(struct ng_node *node)
{
    struct eif_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    int rc = ng_pcounter_create(EF_COUNT, &p->pc);
    if (rc < 0) {
        free(p);
        return rc;
    }
    p->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (p->fd < 0) {
        rc = -errno;
        goto fail;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s%%d", NG_EIFACE_EIFACE_NAME);
    if (ioctl(p->fd, TUNSETIFF, &ifr) < 0) {
        rc = -errno;
        goto fail;
    }
    snprintf(p->ifname0, sizeof(p->ifname0), "%s", ifr.ifr_name);
    p->ifindex = (int)if_nametoindex(p->ifname0);
    if (p->ifindex == 0) {
        rc = -ENXIO;
        goto fail;
    }
    ng_fdwatch_init(&p->w);
    ng_node_set_private(node, p);
    return 0;
fail:
    if (p->fd >= 0)
        close(p->fd);
    ng_pcounter_destroy(p->pc);
    free(p);
    return rc;
}

static void eif_shutdown(struct ng_node *node)
{
    /* A persistent node revives (ng_node_set_persistent): its hooks are gone
     * (their disconnect methods cleared what referred to them) and it keeps
     * its state; freeing it here would leave the revived node without one. */
    if (ng_node_is_valid(node))
        return;
    struct eif_priv *p = ng_node_private(node);
    ng_node_set_private(node, NULL);
    if (!p)
        return;
    close(p->fd); /* the interface goes with it */
    ng_pcounter_destroy(p->pc);
    free(p);
}

static int eif_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    struct eif_priv *p = ng_node_private(node);
    (void)hook;
    if (strcmp(name, NG_EIFACE_HOOK_ETHER) != 0)
        return -EINVAL;
    if (atomic_load(&p->ether))
        return -EISCONN;
    return 0;
}

/* Frames the host sent out of the interface: up to EIF_RX_BATCH per call,
 * read straight into pool items, one burst. */
static void eif_read(struct ng_fdwatch *w, struct ng_node *node, struct ng_hook *hook, int fd,
                     unsigned revents, void *arg)
{
    (void)w;
    (void)hook;
    (void)revents;
    struct eif_priv *p = arg;
    struct ng_graph *g = ng_node_graph(node);
    struct ng_hook *ether = atomic_load_explicit(&p->ether, memory_order_acquire);
    struct ng_item *items[EIF_RX_BATCH];
    unsigned n = 0;
    uint64_t bytes = 0;
    uint8_t scratch[EIF_FRAME_MAX];
    for (unsigned k = 0; k < EIF_RX_BATCH; k++) {
        struct ng_item *it = ether ? ng_item_alloc(g, EIF_FRAME_MAX) : NULL;
        uint8_t *buf = it ? ng_item_data(it) : scratch;
        ssize_t r = read(fd, buf, EIF_FRAME_MAX);
        if (r <= 0) {
            ng_item_free(it);
            if (r < 0 && errno != EAGAIN && errno != EINTR)
                fcount(p, EF_OUT_ERR, 1);
            if (r < 0 && errno != EAGAIN)
                continue; /* the bad frame is gone; go on */
            break;
        }
        if (!ether) {
            fcount(p, EF_OUT_NOHOOK, 1);
        } else if (!it) {
            fcount(p, EF_OUT_NOBUFS, 1);
        } else {
            ng_item_trim(it, (uint32_t)r);
            items[n++] = it;
            bytes += (uint64_t)r;
        }
    }
    if (n) {
        fcount(p, EF_OUT_FRAMES, n);
        fcount(p, EF_OUT_BYTES, bytes);
        (void)ng_send_data_burst(ether, items, n); /* drops counted by the engine */
    }
}

static int eif_connect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct eif_priv *p = ng_node_private(node);
    atomic_store_explicit(&p->ether, hook, memory_order_release);
    if (!atomic_load(&p->watching)) {
        int rc = ng_fdwatch_add(&p->w, node, NULL, p->fd, NG_FD_IN | NG_FD_SHARED, eif_read, p);
        if (rc < 0) {
            atomic_store(&p->ether, NULL);
            return rc;
        }
        atomic_store(&p->watching, 1);
    }
    return 0;
}

static int eif_disconnect(struct ng_hook *hook)
{
    struct eif_priv *p = ng_node_private(ng_hook_node(hook));
    struct ng_hook *expect = hook;
    atomic_compare_exchange_strong(&p->ether, &expect, NULL);
    return 0; /* the node and its interface stay until shut down */
}

static int eif_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct eif_priv *p = ng_node_private(ng_hook_node(hook));
    uint32_t len = ng_item_len(item);
    if (len < EIF_HDR) {
        fcount(p, EF_IN_RUNT, 1);
        ng_item_free(item);
        return -EINVAL;
    }
    ssize_t r = write(p->fd, ng_item_data(item), len);
    int rc = 0;
    if (r == (ssize_t)len) {
        fcount(p, EF_IN_FRAMES, 1);
        fcount(p, EF_IN_BYTES, len);
    } else {
        rc = r < 0 ? -errno : -EIO;
        fcount(p, EF_IN_ERR, 1);
    }
    ng_item_free(item);
    return rc;
}

/* ---- messages ------------------------------------------------------------ */

static int eif_respond_str(struct ng_item *item, const char *s)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), (uint32_t)strlen(s) + 1);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    memcpy(r->data, s, strlen(s) + 1);
    return ng_respond(item, 0, r);
}

/* The interface's IPv4 and IPv6 addresses as "addr/prefixlen" words
 * separated by spaces (FreeBSD answers a list of sockaddrs with no ASCII
 * form; this is the text equivalent). */
static int eif_ifaddrs(struct eif_priv *p, struct ng_item *item)
{
    struct ifaddrs *ifa;
    if (getifaddrs(&ifa) < 0) {
        int e = -errno;
        ng_item_free(item);
        return e;
    }
    char name[NG_EIFACE_IFNAMSIZ], out[NG_TEXTRESPONSE] = "";
    eif_name(p, name);
    size_t len = 0;
    for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
        if (!i->ifa_addr || strcmp(i->ifa_name, name) != 0)
            continue;
        int fam = i->ifa_addr->sa_family;
        if (fam != AF_INET && fam != AF_INET6)
            continue;
        const void *a =
            fam == AF_INET ? (const void *)&((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr
                           : (const void *)&((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
        unsigned plen = 0;
        if (i->ifa_netmask) {
            const uint8_t *m =
                fam == AF_INET
                    ? (const uint8_t *)&((struct sockaddr_in *)(void *)i->ifa_netmask)->sin_addr
                    : (const uint8_t *)&((struct sockaddr_in6 *)(void *)i->ifa_netmask)->sin6_addr;
            for (int b = 0; b < (fam == AF_INET ? 4 : 16); b++)
                plen += (unsigned)__builtin_popcount(m[b]);
        }
        char txt[INET6_ADDRSTRLEN];
        if (!inet_ntop(fam, a, txt, sizeof(txt)))
            continue;
        int n = snprintf(out + len, sizeof(out) - len, "%s%s/%u", len ? " " : "", txt, plen);
        if (n < 0 || (size_t)n >= sizeof(out) - len)
            break;
        len += (size_t)n;
    }
    freeifaddrs(ifa);
    return eif_respond_str(item, out);
}

static int eif_set(struct eif_priv *p, const struct ng_mesg *m)
{
    if (m->header.arglen < NG_EIFACE_ADDR_LEN)
        return -EINVAL;
    const uint8_t *mac = (const uint8_t *)m->data;
    if (mac[0] & 1)
        return -EINVAL; /* a group address */
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
    memcpy(ifr.ifr_hwaddr.sa_data, mac, NG_EIFACE_ADDR_LEN);
    return eif_ioctl(p, SIOCSIFHWADDR, &ifr);
}

static int eif_status(struct eif_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    char name[NG_EIFACE_IFNAMSIZ];
    eif_name(p, name);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    uint8_t mac[6] = {0};
    if (eif_ioctl(p, SIOCGIFHWADDR, &ifr) == 0)
        memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
    memset(&ifr, 0, sizeof(ifr));
    int up = eif_ioctl(p, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
    size_t cap = NG_TEXTRESPONSE, len = 0;
    int n = snprintf(r->data, cap,
                     "interface: %s (index %d, tap)  enaddr: %02x:%02x:%02x:%02x:%02x:%02x  %s\n"
                     "ether: %s\n",
                     name, p->ifindex, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
                     up ? "up" : "down", atomic_load(&p->ether) ? "connected" : "unconnected");
    len += n > 0 ? (size_t)n : 0;
    for (unsigned i = 0; i < EF_COUNT && len < cap; i++) {
        n = snprintf(r->data + len, cap - len, "%s=%llu%s", ef_names[i],
                     (unsigned long long)ng_pcounter_read(p->pc, i), i + 1 < EF_COUNT ? " " : "\n");
        len += n > 0 ? (size_t)n : 0;
    }
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

static int eif_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct eif_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    int rc = -EINVAL;
    if (m->header.flags & NGF_RESP) {
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS)
        return eif_status(p, item);
    if (m->header.typecookie == NGM_EIFACE_COOKIE) {
        switch (m->header.cmd) {
        case NGM_EIFACE_GET_IFNAME: {
            char name[NG_EIFACE_IFNAMSIZ];
            eif_name(p, name);
            return eif_respond_str(item, name);
        }
        case NGM_EIFACE_GET_IFADDRS:
            return eif_ifaddrs(p, item);
        case NGM_EIFACE_SET:
            rc = eif_set(p, m);
            break;
        default:
            break;
        }
    }
    ng_item_free(item);
    return rc;
}

static const struct ng_cmdlist eif_cmds[] = {
    {NGM_EIFACE_COOKIE, NGM_EIFACE_GET_IFNAME, "getifname", NULL, &ng_parse_string_type, 0},
    {NGM_EIFACE_COOKIE, NGM_EIFACE_GET_IFADDRS, "getifaddrs", NULL, &ng_parse_string_type, 0},
    {NGM_EIFACE_COOKIE, NGM_EIFACE_SET, "set", &ng_parse_enaddr_type, NULL, NG_EIFACE_ADDR_LEN},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_eiface_type = {
    .version = NG_ABI_VERSION,
    .name = NG_EIFACE_NODE_TYPE,
    .cookie = NGM_EIFACE_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = eif_constructor,
    .rcvmsg = eif_rcvmsg,
    .shutdown = eif_shutdown,
    .newhook = eif_newhook,
    .connect = eif_connect,
    .rcvdata = eif_rcvdata,
    .disconnect = eif_disconnect,
    .cmdlist = eif_cmds,
};
