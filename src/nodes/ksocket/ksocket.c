/*
 * ksocket.c - the "ksocket" node type (FreeBSD's ng_ksocket(4)): a node
 * that is a socket.  Hook "family/type/proto" opens it; BIND, LISTEN,
 * ACCEPT, CONNECT, GETNAME, GETPEERNAME, SETOPT, GETOPT act on it; data
 * read from it leaves on the hook, data arriving on the hook is written
 * to it.  Text forms: parse.c.  Docs: docs/nodes/ksocket.md.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA) for datagram sockets: rcvdata is
 * one sendto() per item, which the kernel serialises; it reads only fd
 * (written before the hook is linked, constant until the final shutdown)
 * and the per-thread counters.  A stream socket's hook is forced to writer
 * mode (ng_hook_force_writer): its bytes must be written in order and an
 * item the socket buffer could not take is kept in sendq, so stream
 * rcvdata is exclusive with the other writers.
 * Writer state (flags, resp/acc addresses, sendq, the fd watch and wev) is
 * touched only in writer context: rcvmsg, the fd watch callback (added
 * without NG_FD_SHARED), stream rcvdata, and ks_fn_rewatch, which the
 * connect method (control lock only, not a writer) runs through
 * ng_send_fn(NG_FN_WRITER).  hook is an atomic pointer set by connect and
 * cleared by disconnect; a hook loaded just before is valid memory (the
 * engine frees hooks after a grace period) and refuses items (-ENOTCONN).
 * embryos (ids of accepted nodes not yet connected) is guarded by elock:
 * the accept path (writer) appends, close (control lock) reads.
 * The watch is removed by the engine before the final shutdown method,
 * which closes fd, frees what sendq holds and the private struct.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes/ksocket.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

#include "ksocket_int.h"

#define KS_BURST 32 /* items read per recvmmsg / per stream callback */
#define KS_ROUNDS 4 /* datagram bursts per callback */

static int ks_constructor(struct ng_node *node)
{
    struct ks_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    if (ng_pcounter_create(KS_NSTAT, &p->st)) {
        free(p);
        return -ENOMEM;
    }
    p->node = node;
    p->fd = -1;
    ng_fdwatch_init(&p->w);
    pthread_mutex_init(&p->elock, NULL);
    ng_node_set_private(node, p);
    return 0;
}

static void ks_sendq_clear(struct ks_priv *p, int count)
{
    while (p->sq_len) {
        struct ng_item *it = p->sendq[p->sq_head];
        p->sq_head = (p->sq_head + 1) % NG_KSOCKET_SENDQ_MAX;
        p->sq_len--;
        if (count) {
            ks_count(p, KS_TX_ERRORS, 1);
            ng_item_drop(it, NG_DROP_NOTCONN);
        } else {
            ng_item_free(it);
        }
    }
    p->sq_head = 0;
}

static void ks_shutdown(struct ng_node *node)
{
    struct ks_priv *p = ng_node_private(node);
    p->wev = 0; /* the engine removed the watch before this method */
    ks_sendq_clear(p, 0);
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
    p->flags = 0;
    atomic_store(&p->hook, NULL);
    if (ng_node_is_valid(node)) /* persistent: revive with no socket */
        return;
    ng_node_set_private(node, NULL);
    ng_pcounter_destroy(p->st);
    pthread_mutex_destroy(&p->elock);
    free(p);
}

/* ---- the fd watch -------------------------------------------------------- */

static void ks_io(struct ng_fdwatch *w, struct ng_node *node, struct ng_hook *hook, int fd,
                  unsigned revents, void *arg);

/* Watch what the state asks for (writer context). */
void ngi_ksock_rewatch(struct ks_priv *p)
{
    unsigned want = 0;
    if (p->fd >= 0) {
        if (p->flags & KSF_CONNECTING)
            want |= NG_FD_OUT;
        if (p->flags & KSF_ACCEPTING)
            want |= NG_FD_IN;
        if (atomic_load(&p->hook) && !(p->flags & (KSF_EOFSEEN | KSF_LISTENING)) &&
            (!ks_is_stream(p) || (p->flags & KSF_CONNECTED)))
            want |= NG_FD_IN;
        if (p->sq_len)
            want |= NG_FD_OUT;
    }
    if (want == p->wev)
        return;
    if (!want) {
        ng_fdwatch_remove(&p->w);
        p->wev = 0;
    } else if (!p->wev) {
        ng_fdwatch_init(&p->w);
        if (ng_fdwatch_add(&p->w, p->node, NULL, p->fd, want, ks_io, p) == 0)
            p->wev = want;
    } else if (ng_fdwatch_modify(&p->w, want) == 0) {
        p->wev = want;
    }
}

static void ks_fn_rewatch(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)hook;
    (void)arg1;
    (void)arg2;
    struct ks_priv *p = ng_node_private(node);
    if (p)
        ngi_ksock_rewatch(p);
}

/* Send an asynchronous response (NGF_RESP) to node id, as FreeBSD's
 * NG_SEND_MSG_ID does; discarded when there is nobody to send it to. */
static void ks_send_resp(struct ks_priv *p, ng_id_t to, struct ng_mesg *m)
{
    char path[16];
    if (!to) {
        ng_mesg_free(m);
        return;
    }
    snprintf(path, sizeof(path), "[%x]:", (unsigned)to);
    ng_send_msg(ng_node_graph(p->node), p->node, path, m, NULL);
}

/* ---- receive ------------------------------------------------------------- */

static void ks_meta_set(struct ks_priv *p, struct ng_item *it, const struct sockaddr_storage *ss)
{
    struct ng_ksocket_meta m;
    memset(&m, 0, sizeof(m));
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
        memcpy(m.addr, &sin->sin_addr, 4);
        m.port = sin->sin_port;
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
        memcpy(m.addr, &sin6->sin6_addr, 16);
        m.port = sin6->sin6_port;
        m.scope_id = sin6->sin6_scope_id;
    } else {
        return;
    }
    m.magic = NG_KSOCKET_META_MAGIC;
    m.nodeid = ng_node_id(p->node);
    m.family = ss->ss_family;
    memcpy(ng_item_meta(it), &m, sizeof(m));
}

static void ks_read_dgram(struct ks_priv *p, struct ng_hook *hook)
{
    struct ng_graph *g = ng_node_graph(p->node);
    struct ng_item *it[KS_BURST], *out[KS_BURST];
    struct mmsghdr mm[KS_BURST];
    struct iovec iov[KS_BURST];
    struct sockaddr_storage ss[KS_BURST];
    int named = !(p->flags & KSF_CONNECTED) && (p->family == AF_INET || p->family == AF_INET6);
    for (int round = 0; round < KS_ROUNDS; round++) {
        unsigned n = 0, k = 0;
        while (n < KS_BURST && (it[n] = ng_item_alloc(g, 0)))
            n++;
        if (n == 0) { /* no item: take the datagram out, or it is seen again */
            char c;
            if (recv(p->fd, &c, 1, MSG_DONTWAIT | MSG_TRUNC) >= 0)
                ks_count(p, KS_RX_NOBUFS, 1);
            return;
        }
        memset(mm, 0, sizeof(mm[0]) * n);
        for (unsigned i = 0; i < n; i++) {
            iov[i].iov_base = ng_item_data(it[i]);
            iov[i].iov_len = ng_item_tailroom(it[i]);
            mm[i].msg_hdr.msg_iov = &iov[i];
            mm[i].msg_hdr.msg_iovlen = 1;
            if (named) {
                mm[i].msg_hdr.msg_name = &ss[i];
                mm[i].msg_hdr.msg_namelen = sizeof(ss[i]);
            }
        }
        int r = recvmmsg(p->fd, mm, n, MSG_DONTWAIT, NULL);
        if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            ks_count(p, KS_RX_ERRORS, 1);
        unsigned got = r > 0 ? (unsigned)r : 0;
        for (unsigned i = 0; i < got; i++) {
            if (mm[i].msg_hdr.msg_flags & MSG_TRUNC) {
                ks_count(p, KS_RX_TRUNC, 1);
                ng_item_drop(it[i], NG_DROP_NOBUFS);
                continue;
            }
            ng_item_append(it[i], mm[i].msg_len);
            if (named && mm[i].msg_hdr.msg_namelen)
                ks_meta_set(p, it[i], &ss[i]);
            ks_count(p, KS_RX_BYTES, mm[i].msg_len);
            out[k++] = it[i];
        }
        for (unsigned i = got; i < n; i++)
            ng_item_free(it[i]);
        if (k) {
            ks_count(p, KS_RX_PKTS, k);
            ng_send_data_burst(hook, out, k);
        }
        if (got < n)
            return;
    }
}

static void ks_read_stream(struct ks_priv *p, struct ng_hook *hook)
{
    struct ng_graph *g = ng_node_graph(p->node);
    struct ng_item *out[KS_BURST];
    unsigned k = 0;
    int eof = 0;
    while (k < KS_BURST) {
        struct ng_item *it = ng_item_alloc(g, 0);
        if (!it)
            break;
        uint32_t cap = ng_item_tailroom(it);
        ssize_t n = recv(p->fd, ng_item_data(it), cap, MSG_DONTWAIT);
        if (n > 0) {
            ng_item_append(it, (uint32_t)n);
            ks_count(p, KS_RX_BYTES, (uint64_t)n);
            out[k++] = it;
            if ((uint32_t)n < cap)
                break;
            continue;
        }
        ng_item_free(it);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0)
            ks_count(p, KS_RX_ERRORS, 1);
        eof = 1;
        break;
    }
    if (k) {
        ks_count(p, KS_RX_PKTS, k);
        ng_send_data_burst(hook, out, k);
    }
    if (eof && !(p->flags & KSF_EOFSEEN)) {
        p->flags |= KSF_EOFSEEN;
        ks_count(p, KS_EOF, 1);
        struct ng_item *z = ng_item_alloc(g, 0);
        if (z)
            ng_send_data(hook, z);
    }
}

/* ---- transmit (stream: writer access) ------------------------------------ */

static int ks_enqueue(struct ks_priv *p, struct ng_item *item)
{
    if (p->sq_len >= NG_KSOCKET_SENDQ_MAX) {
        ks_count(p, KS_TX_QDROPS, 1);
        ng_item_drop(item, NG_DROP_QUEUE);
        return -ENOBUFS;
    }
    p->sendq[(p->sq_head + p->sq_len) % NG_KSOCKET_SENDQ_MAX] = item;
    p->sq_len++;
    ks_count(p, KS_TX_QUEUED, 1);
    return 0;
}

/* Write item; 1: all of it, 0: some or none (EAGAIN), < 0: error. */
static int ks_write(struct ks_priv *p, struct ng_item *item)
{
    uint32_t len = ng_item_len(item);
    if (len == 0)
        return 1;
    ssize_t n = send(p->fd, ng_item_data(item), len, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
    ks_count(p, KS_TX_BYTES, (uint64_t)n);
    if ((uint32_t)n == len)
        return 1;
    ng_item_adj(item, (uint32_t)n);
    return 0;
}

static void ks_flush(struct ks_priv *p)
{
    while (p->sq_len) {
        struct ng_item *it = p->sendq[p->sq_head];
        int rc = ks_write(p, it);
        if (rc == 0)
            break;
        if (rc < 0) {
            ks_sendq_clear(p, 1);
            break;
        }
        p->sq_head = (p->sq_head + 1) % NG_KSOCKET_SENDQ_MAX;
        p->sq_len--;
        ks_count(p, KS_TX_PKTS, 1);
        ng_item_free(it);
    }
}

static int ks_drop_err(struct ks_priv *p, struct ng_item *item, int err)
{
    if (err == -ENOTCONN || err == -EDESTADDRREQ) {
        ks_count(p, KS_TX_NOTCONN, 1);
        ng_item_drop(item, NG_DROP_NOTCONN);
    } else {
        ks_count(p, KS_TX_ERRORS, 1);
        ng_item_drop(item, err == -ENOBUFS || err == -EAGAIN ? NG_DROP_NOBUFS : NG_DROP_DEAD);
    }
    return err;
}

static int ks_send_stream(struct ks_priv *p, struct ng_item *item)
{
    if (p->sq_len)
        return ks_enqueue(p, item);
    int rc = ks_write(p, item);
    if (rc > 0) {
        ks_count(p, KS_TX_PKTS, 1);
        ng_item_free(item);
        return 0;
    }
    if (rc < 0)
        return ks_drop_err(p, item, rc);
    rc = ks_enqueue(p, item);
    ngi_ksock_rewatch(p);
    return rc;
}

/* A datagram's destination from the item's metadata (see ksocket.h). */
static socklen_t ks_meta_addr(struct ks_priv *p, struct ng_item *item, struct sockaddr_storage *ss)
{
    struct ng_ksocket_meta m;
    memcpy(&m, ng_item_meta(item), sizeof(m));
    if (m.magic != NG_KSOCKET_META_MAGIC || (m.nodeid != 0 && m.nodeid != ng_node_id(p->node)))
        return 0;
    memset(ss, 0, sizeof(*ss));
    if (m.family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = m.port;
        memcpy(&sin->sin_addr, m.addr, 4);
        return sizeof(*sin);
    }
    if (m.family == AF_INET6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = m.port;
        sin6->sin6_scope_id = m.scope_id;
        memcpy(&sin6->sin6_addr, m.addr, 16);
        return sizeof(*sin6);
    }
    return 0;
}

static int ks_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct ks_priv *p = ng_node_private(ng_hook_node(hook));
    if (p->fd < 0)
        return ks_drop_err(p, item, -ENOTCONN);
    if (ks_is_stream(p))
        return ks_send_stream(p, item);
    struct sockaddr_storage ss;
    socklen_t sl = ks_meta_addr(p, item, &ss);
    uint32_t len = ng_item_len(item);
    ssize_t n = sendto(p->fd, ng_item_data(item), len, MSG_DONTWAIT | MSG_NOSIGNAL,
                       sl ? (struct sockaddr *)&ss : NULL, sl);
    if (n < 0) /* no destination: FreeBSD's ENOTCONN */
        return ks_drop_err(p, item, errno == EDESTADDRREQ ? -ENOTCONN : -errno);
    ks_count(p, KS_TX_PKTS, 1);
    ks_count(p, KS_TX_BYTES, (uint64_t)n);
    ng_item_free(item);
    return 0;
}

/* ---- accept and connect -------------------------------------------------- */

static void ks_embryo_add(struct ks_priv *p, ng_id_t id)
{
    pthread_mutex_lock(&p->elock);
    if (p->nembryos == KS_EMBRYOS) { /* prune the ones that got a hook or went */
        unsigned j = 0;
        for (unsigned i = 0; i < p->nembryos; i++) {
            char path[16];
            struct ng_node *n = NULL;
            snprintf(path, sizeof(path), "[%x]:", (unsigned)p->embryos[i]);
            if (ng_node_find(ng_node_graph(p->node), path, &n) == 0) {
                struct ks_priv *q = ng_node_type(n) == &ng_ksocket_type ? ng_node_private(n) : NULL;
                if (q && atomic_load(&q->embryo))
                    p->embryos[j++] = p->embryos[i];
                ng_node_unref(n);
            }
        }
        p->nembryos = j;
    }
    if (p->nembryos < KS_EMBRYOS)
        p->embryos[p->nembryos++] = id;
    pthread_mutex_unlock(&p->elock);
}

/* Take one pending connection: a new node, and the NGM_KSOCKET_ACCEPT
 * response in *out.  -EAGAIN: none pending. */
int ngi_ksock_accept(struct ks_priv *p, struct ng_mesg **out)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int cfd = accept4(p->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0)
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    struct ng_node *n2;
    struct ng_mesg *m = ng_mesg_alloc(NGM_KSOCKET_COOKIE, NGM_KSOCKET_ACCEPT,
                                      (uint32_t)(offsetof(struct ng_ksocket_accept, addr) + sl));
    int rc = m ? ng_node_create(ng_node_graph(p->node), NG_KSOCKET_NODE_TYPE, &n2) : -ENOMEM;
    if (rc) {
        ng_mesg_free(m);
        close(cfd);
        return rc;
    }
    struct ks_priv *q = ng_node_private(n2);
    q->fd = cfd;
    q->family = p->family;
    q->type = p->type;
    q->proto = p->proto;
    q->flags = KSF_CONNECTED;
    atomic_store(&q->cloned, 1);
    atomic_store(&q->embryo, 1);
    ng_id_t id = ng_node_id(n2);
    ng_node_unref(n2);
    ks_embryo_add(p, id);
    ks_count(p, KS_ACCEPTS, 1);
    m->header.flags |= NGF_RESP;
    snprintf(m->header.cmdstr, sizeof(m->header.cmdstr), "accept");
    memcpy(m->data, &id, sizeof(id));
    memcpy(m->data + offsetof(struct ng_ksocket_accept, addr), &ss, sl);
    *out = m;
    return 0;
}

static void ks_connect_done(struct ks_priv *p)
{
    int err = 0;
    socklen_t el = sizeof(err);
    if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
        err = errno;
    p->flags &= ~KSF_CONNECTING;
    if (err == 0)
        p->flags |= KSF_CONNECTED;
    struct ng_mesg *m = ng_mesg_alloc(NGM_KSOCKET_COOKIE, NGM_KSOCKET_CONNECT, sizeof(int32_t));
    if (!m)
        return;
    int32_t e = err;
    m->header.flags |= NGF_RESP;
    m->header.token = p->resp_token;
    snprintf(m->header.cmdstr, sizeof(m->header.cmdstr), "connect");
    memcpy(m->data, &e, sizeof(e));
    ks_send_resp(p, p->resp_addr, m);
}

static void ks_io(struct ng_fdwatch *w, struct ng_node *node, struct ng_hook *hook, int fd,
                  unsigned revents, void *arg)
{
    (void)w;
    (void)node;
    (void)hook;
    (void)fd;
    struct ks_priv *p = arg;
    if ((p->flags & KSF_CONNECTING) && (revents & (NG_FD_OUT | NG_FD_ERR | NG_FD_HUP)))
        ks_connect_done(p);
    if ((p->flags & KSF_ACCEPTING) && (revents & (NG_FD_IN | NG_FD_ERR))) {
        struct ng_mesg *m = NULL;
        int rc = ngi_ksock_accept(p, &m);
        if (rc != -EAGAIN)
            p->flags &= ~KSF_ACCEPTING;
        if (rc == 0) {
            m->header.token = p->acc_token;
            ks_send_resp(p, p->acc_addr, m);
        }
    }
    if (p->sq_len && (revents & (NG_FD_OUT | NG_FD_ERR | NG_FD_HUP)))
        ks_flush(p);
    struct ng_hook *h = atomic_load(&p->hook);
    if (h && (p->wev & NG_FD_IN) && !(p->flags & (KSF_LISTENING | KSF_EOFSEEN)) &&
        (revents & (NG_FD_IN | NG_FD_ERR | NG_FD_HUP))) {
        if (ks_is_stream(p))
            ks_read_stream(p, h);
        else
            ks_read_dgram(p, h);
    }
    ngi_ksock_rewatch(p);
}

/* ---- hooks ---------------------------------------------------------------- */

static int ks_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    struct ks_priv *p = ng_node_private(node);
    if (ng_node_numhooks(node) > 0 || atomic_load(&p->hook))
        return -EISCONN;
    if (!atomic_load(&p->cloned)) {
        int f, t, pr;
        if (ngi_ksock_parse_hook(name, &f, &t, &pr))
            return -EINVAL;
        int fd = socket(f, t | SOCK_NONBLOCK | SOCK_CLOEXEC, pr);
        if (fd < 0)
            return -errno;
        if (p->fd >= 0) /* left by a hook that was refused after newhook */
            close(p->fd);
        p->fd = fd;
        p->family = f;
        p->type = t;
        p->proto = pr;
    }
    if (ks_is_stream(p))
        ng_hook_force_writer(hook, 1);
    return 0;
}

static int ks_connect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct ks_priv *p = ng_node_private(node);
    atomic_store(&p->hook, hook);
    atomic_store(&p->embryo, 0);
    return ng_send_fn(node, NULL, ks_fn_rewatch, NULL, 0, NG_FN_WRITER);
}

static int ks_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct ks_priv *p = ng_node_private(node);
    atomic_store(&p->hook, NULL);
    if (ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

/* Accepted nodes without a hook go with their parent (ng_ksocket(4)). */
static int ks_close(struct ng_node *node)
{
    struct ks_priv *p = ng_node_private(node);
    ng_id_t ids[KS_EMBRYOS];
    pthread_mutex_lock(&p->elock);
    unsigned n = p->nembryos;
    memcpy(ids, p->embryos, n * sizeof(ids[0]));
    p->nembryos = 0;
    pthread_mutex_unlock(&p->elock);
    for (unsigned i = 0; i < n; i++) {
        char path[16];
        struct ng_node *c = NULL;
        snprintf(path, sizeof(path), "[%x]:", (unsigned)ids[i]);
        if (ng_node_find(ng_node_graph(node), path, &c))
            continue;
        struct ks_priv *q = ng_node_type(c) == &ng_ksocket_type ? ng_node_private(c) : NULL;
        if (q && atomic_load(&q->embryo))
            ng_node_shutdown(c);
        ng_node_unref(c);
    }
    return 0;
}

static const struct ng_cmdlist ks_cmds[] = {
    {NGM_KSOCKET_COOKIE, NGM_KSOCKET_BIND, "bind", &ngi_ksock_sockaddr_type, NULL, 2},
    {NGM_KSOCKET_COOKIE, NGM_KSOCKET_LISTEN, "listen", &ng_parse_int32_type, NULL, sizeof(int32_t)},
    {NGM_KSOCKET_COOKIE, NGM_KSOCKET_ACCEPT, "accept", NULL, &ngi_ksock_accept_type, 0},
    {NGM_KSOCKET_COOKIE, NGM_KSOCKET_CONNECT, "connect", &ngi_ksock_sockaddr_type, NULL, 2},
    {NGM_KSOCKET_COOKIE, NGM_KSOCKET_GETNAME, "getname", NULL, &ngi_ksock_sockaddr_type, 0},
    {NGM_KSOCKET_COOKIE, NGM_KSOCKET_GETPEERNAME, "getpeername", NULL, &ngi_ksock_sockaddr_type, 0},
    {NGM_KSOCKET_COOKIE, NGM_KSOCKET_SETOPT, "setopt", &ngi_ksock_sockopt_type, NULL, 8},
    {NGM_KSOCKET_COOKIE, NGM_KSOCKET_GETOPT, "getopt", &ngi_ksock_sockopt_type,
     &ngi_ksock_sockopt_type, 8},
    {0, 0, NULL, NULL, NULL, 0},
};

const struct ng_type ng_ksocket_type = {
    .version = NG_ABI_VERSION,
    .name = NG_KSOCKET_NODE_TYPE,
    .cookie = NGM_KSOCKET_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = ks_constructor,
    .rcvmsg = ngi_ksock_rcvmsg,
    .shutdown = ks_shutdown,
    .newhook = ks_newhook,
    .connect = ks_connect,
    .rcvdata = ks_rcvdata,
    .disconnect = ks_disconnect,
    .cmdlist = ks_cmds,
    .close = ks_close,
};
