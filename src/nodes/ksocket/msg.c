/*
 * msg.c - the "ksocket" node type's control messages (FreeBSD's
 * ng_ksocket): BIND, LISTEN, ACCEPT, CONNECT, GETNAME, GETPEERNAME,
 * SETOPT, GETOPT and TEXT_STATUS.  rcvmsg runs with writer access, so it
 * owns the writer state of struct ks_priv (see ksocket.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ngraph/ngraph.h>

#include "ksocket_int.h"

static const char *const ks_names[KS_NSTAT] = {
    "rx_packets",    "rx_bytes", "rx_truncated", "rx_nobufs", "rx_errors",
    "tx_packets",    "tx_bytes", "tx_notconn",   "tx_errors", "tx_queued",
    "tx_queuedrops", "eof",      "accepts"};

static int ks_getname(struct ks_priv *p, struct ng_item *item, int peer)
{
    const struct ng_mesg *m = ng_item_msg(item);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (m->header.arglen != 0)
        return -EINVAL;
    if (p->fd < 0)
        return -ENXIO;
    int rc = peer ? getpeername(p->fd, (struct sockaddr *)&ss, &sl)
                  : getsockname(p->fd, (struct sockaddr *)&ss, &sl);
    if (rc < 0)
        return -errno;
    if (sl > sizeof(ss))
        sl = sizeof(ss);
    struct ng_mesg *r = ng_mesg_response(m, sl);
    if (!r)
        return -ENOMEM;
    memcpy(r->data, &ss, sl);
    ng_respond(item, 0, r);
    return 0;
}

static int ks_getopt(struct ks_priv *p, struct ng_item *item)
{
    const struct ng_mesg *m = ng_item_msg(item);
    struct ng_ksocket_sockopt so;
    uint8_t val[NG_KSOCKET_MAX_OPTLEN];
    socklen_t vl = sizeof(val);
    if (p->fd < 0)
        return -ENXIO;
    memcpy(&so, m->data, sizeof(so));
    if (getsockopt(p->fd, so.level, so.name, val, &vl) < 0)
        return -errno;
    struct ng_mesg *r = ng_mesg_response(m, (uint32_t)(sizeof(so) + vl));
    if (!r)
        return -ENOMEM;
    memcpy(r->data, &so, sizeof(so));
    memcpy(r->data + sizeof(so), val, vl);
    ng_respond(item, 0, r);
    return 0;
}

static int ks_status(struct ks_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r)
        return -ENOMEM;
    char local[160] = "-", peer[160] = "-";
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (p->fd >= 0 && getsockname(p->fd, (struct sockaddr *)&ss, &sl) == 0 && sl >= 2)
        ng_unparse(&ngi_ksock_sockaddr_type, &ss, sl, local, sizeof(local));
    sl = sizeof(ss);
    if (p->fd >= 0 && getpeername(p->fd, (struct sockaddr *)&ss, &sl) == 0 && sl >= 2)
        ng_unparse(&ngi_ksock_sockaddr_type, &ss, sl, peer, sizeof(peer));
    size_t len = 0, cap = NG_TEXTRESPONSE;
    int n = snprintf(
        r->data, cap, "socket: %d/%d/%d %s%s%s%s%s%s\nlocal: %s  peer: %s  sendq: %u\n", p->family,
        p->type, p->proto, p->fd >= 0 ? "open" : "closed",
        atomic_load(&p->cloned) ? " accepted" : "", (p->flags & KSF_LISTENING) ? " listening" : "",
        (p->flags & KSF_CONNECTING) ? " connecting" : "",
        (p->flags & KSF_CONNECTED) ? " connected" : "", (p->flags & KSF_EOFSEEN) ? " eof" : "",
        local, peer, p->sq_len);
    len += n > 0 ? (size_t)n : 0;
    for (unsigned i = 0; i < KS_NSTAT && len < cap; i++) {
        n = snprintf(r->data + len, cap - len, "%s=%llu%s", ks_names[i],
                     (unsigned long long)ng_pcounter_read(p->st, i), i + 1 < KS_NSTAT ? " " : "\n");
        len += n > 0 ? (size_t)n : 0;
    }
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

static int ks_msg(struct ks_priv *p, struct ng_item *item)
{
    const struct ng_mesg *m = ng_item_msg(item);
    const struct sockaddr *sa = (const struct sockaddr *)(const void *)m->data;
    uint32_t al = m->header.arglen;
    int32_t v;
    switch (m->header.cmd) {
    case NGM_KSOCKET_GETNAME:
    case NGM_KSOCKET_GETPEERNAME:
        return ks_getname(p, item, m->header.cmd == NGM_KSOCKET_GETPEERNAME);
    case NGM_KSOCKET_GETOPT:
        return ks_getopt(p, item);
    default:
        break;
    }
    if (p->fd < 0)
        return -ENXIO;
    switch (m->header.cmd) {
    case NGM_KSOCKET_BIND:
        return bind(p->fd, sa, al) < 0 ? -errno : 0;
    case NGM_KSOCKET_LISTEN:
        if (al != sizeof(int32_t))
            return -EINVAL;
        memcpy(&v, m->data, sizeof(v));
        if (listen(p->fd, v) < 0)
            return -errno;
        p->flags |= KSF_LISTENING;
        ngi_ksock_rewatch(p);
        return 0;
    case NGM_KSOCKET_CONNECT:
        if (p->flags & KSF_CONNECTING)
            return -EALREADY;
        if (ks_is_stream(p) && (p->flags & KSF_CONNECTED))
            return -EISCONN; /* Linux would answer 0 once after an async connect */
        if (connect(p->fd, sa, al) == 0) {
            p->flags |= KSF_CONNECTED;
            ngi_ksock_rewatch(p);
            return 0;
        }
        if (errno != EINPROGRESS)
            return -errno;
        p->flags |= KSF_CONNECTING;
        p->resp_addr = ng_item_msg_sender(item);
        p->resp_token = m->header.token;
        ngi_ksock_rewatch(p);
        return -EINPROGRESS;
    case NGM_KSOCKET_SETOPT:
        memcpy(&v, m->data, sizeof(v));
        {
            int32_t name;
            memcpy(&name, m->data + 4, sizeof(name));
            return setsockopt(p->fd, v, name, m->data + 8, al - 8) < 0 ? -errno : 0;
        }
    default:
        return -EINVAL;
    }
}

static int ks_accept_msg(struct ks_priv *p, struct ng_item *item)
{
    const struct ng_mesg *m = ng_item_msg(item);
    if (m->header.arglen != 0)
        return -EINVAL;
    if (p->fd < 0)
        return -ENXIO;
    if (!(p->flags & KSF_LISTENING))
        return -EINVAL;
    if (p->flags & KSF_ACCEPTING)
        return -EALREADY;
    struct ng_mesg *r = NULL;
    int rc = ngi_ksock_accept(p, &r);
    if (rc == 0) { /* a connection was waiting: it is the answer */
        r->header.token = m->header.token;
        ng_respond(item, 0, r);
        return 0;
    }
    if (rc != -EAGAIN)
        return rc;
    p->flags |= KSF_ACCEPTING;
    p->acc_addr = ng_item_msg_sender(item);
    p->acc_token = m->header.token;
    ngi_ksock_rewatch(p);
    ng_respond(item, 0, NULL); /* the connection is announced later */
    return 0;
}

int ngi_ksock_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct ks_priv *p = ng_node_private(node);
    const struct ng_mesg *m = ng_item_msg(item);
    int rc = -EINVAL;
    if (m->header.flags & NGF_RESP) {
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS)
        return ks_status(p, item);
    if (m->header.typecookie == NGM_KSOCKET_COOKIE) {
        uint32_t cmd = m->header.cmd; /* m goes with the item once answered */
        rc = cmd == NGM_KSOCKET_ACCEPT ? ks_accept_msg(p, item) : ks_msg(p, item);
        /* These answer (and consume the item) exactly when they return 0. */
        if (rc == 0 && (cmd == NGM_KSOCKET_ACCEPT || cmd == NGM_KSOCKET_GETNAME ||
                        cmd == NGM_KSOCKET_GETPEERNAME || cmd == NGM_KSOCKET_GETOPT))
            return 0;
    }
    ng_item_free(item);
    return rc;
}
