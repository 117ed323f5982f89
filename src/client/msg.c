/*
 * msg.c - libnetgraph's binary control messages: NgSendMsg(),
 * NgSendReplyMsg(), NgNameNode(), NgRecvMsg(), NgAllocRecvMsg(), and the
 * sending and reassembling of messages the ASCII calls (ascii.c) share.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* The largest message the server sends a client: a response of
 * NG_MAX_RESP_ARGLEN argument bytes. */
#define NC_MSG_MAX (sizeof(struct ng_mesg_header) + (size_t)NG_MAX_RESP_ARGLEN)

/* Wait until cs is readable: the response to a NGM_HASREPLY command (the
 * server writes it to the control channel before the ACK, so this normally
 * returns at once; FreeBSD waits without a bound too). */
static int wait_readable(int cs)
{
    for (;;) {
        struct pollfd p = {.fd = cs, .events = POLLIN};
        int r = poll(&p, 1, -1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (p.revents & POLLIN)
            return 0;
        if (p.revents & POLLNVAL)
            return -EBADF;
        return -ENOTCONN; /* POLLHUP / POLLERR without anything to read */
    }
}

int ngi_nc_deliver(struct ngi_nc_node *n, const char *path, const struct ng_mesg_header *hdr,
                   const void *args, size_t arglen)
{
    if (!path || (arglen && !args))
        return -EINVAL;
    if (strlen(path) >= NG_PATHSIZ)
        return -ENAMETOOLONG;
    if (arglen > NG_MAX_MSG_ARGLEN)
        return -EMSGSIZE;
    struct ng_mesg_header h = *hdr;
    h.arglen = (uint32_t)arglen;
    if (ngi_nc_debug() >= 2) {
        struct ng_mesg *m = malloc(sizeof(h) + arglen);
        if (m) {
            m->header = h;
            if (arglen)
                memcpy(m->data, args, arglen);
            ngi_nc_debug_msg("SENDING MESSAGE", path, m, sizeof(h) + arglen);
            free(m);
        }
    }
    int err = ngi_nc_request(n, NGI_WIRE_MSG, path, &h, sizeof(h), args, arglen);
    if (err == 0 && (h.cmd & NGM_HASREPLY) && !(h.flags & NGF_RESP) && n->cs >= 0)
        err = wait_readable(n->cs);
    return err;
}

/* Read the fragments of a message after the first until the last one,
 * copying them to out (NULL: discard) at *offp.  Returns 0 or -errno. */
static int recv_rest(int cs, uint8_t *scratch, uint32_t total, uint8_t *out, size_t *offp)
{
    for (;;) {
        struct ngi_wire_frame f;
        ssize_t r = ngi_nc_recv_frame(cs, scratch, NGI_WIRE_FRAME_MAX, 1, &f);
        if (r < 0)
            return (int)r;
        if (f.hdr.kind != NGI_WIRE_MSG || f.hdr.aux != total || f.paylen > total - *offp)
            return -EPROTO;
        if (out && f.paylen)
            memcpy(out + *offp, f.payload, f.paylen);
        *offp += f.paylen;
        if (!(f.hdr.flags & NGI_WIRE_F_MORE))
            return 0;
    }
}

/* ngi_nc_recv_msg() with n->rx_lock held. */
static int recv_msg_locked(struct ngi_nc_node *n, struct ng_mesg **bufp, size_t size, int alloc,
                           char *path)
{
    if (!n->rx_buf && !(n->rx_buf = malloc(NGI_WIRE_FRAME_MAX)))
        return -ENOMEM;
    uint8_t *scratch = n->rx_buf;
    struct ngi_wire_frame f;
    uint8_t *out = NULL;
    int err = 0;
    ssize_t r = ngi_nc_recv_frame(n->cs, scratch, NGI_WIRE_FRAME_MAX, 0, &f);
    if (r < 0) {
        err = (int)r;
        goto done;
    }
    int more = (f.hdr.flags & NGI_WIRE_F_MORE) != 0;
    uint32_t total = more ? f.hdr.aux : f.paylen;
    if (f.hdr.kind != NGI_WIRE_MSG || (!more && f.hdr.aux != 0 && f.hdr.aux != f.paylen) ||
        f.paylen > total || total > NC_MSG_MAX) {
        err = -EPROTO;
        goto done;
    }
    if (path)
        snprintf(path, NG_PATHSIZ, "%s", f.addr);
    int fits = 1;
    if (alloc) {
        out = malloc(total ? total : 1);
        if (!out) {
            err = -ENOMEM;
            /* still read the rest: the next message must start clean */
            fits = 0;
        }
    } else {
        out = (uint8_t *)*bufp;
        fits = total <= size;
    }
    size_t off = 0;
    if (fits && f.paylen)
        memcpy(out, f.payload, f.paylen);
    off = f.paylen;
    if (more) {
        int e = recv_rest(n->cs, scratch, total, fits ? out : NULL, &off);
        if (e < 0) {
            err = e;
            goto done;
        }
    }
    if (err < 0)
        goto done;
    if (off != total) {
        err = -EPROTO;
        goto done;
    }
    if (!fits) {
        err = -EMSGSIZE;
        goto done;
    }
    const struct ng_mesg *m = (const struct ng_mesg *)out;
    if (total < sizeof(m->header) || m->header.arglen > total - sizeof(m->header)) {
        err = -EPROTO;
        goto done;
    }
    ngi_nc_debug_msg("RECEIVED MESSAGE", f.addr, m, total);
    if (alloc)
        *bufp = (struct ng_mesg *)out;
    out = NULL;
    err = (int)total;
done:
    if (alloc)
        free(out);
    return err;
}

int ngi_nc_recv_msg(struct ngi_nc_node *n, struct ng_mesg **bufp, size_t size, int alloc,
                    char *path)
{
    if (n->cs < 0)
        return -EBADF;
    pthread_mutex_lock(&n->rx_lock);
    int r = recv_msg_locked(n, bufp, size, alloc, path);
    pthread_mutex_unlock(&n->rx_lock);
    return r;
}

/* ------------------------------------------------------------------------ */
/* Public calls                                                             */
/* ------------------------------------------------------------------------ */

static int send_msg(int cs, const char *path, int cookie, int cmd, const void *args, size_t arglen)
{
    struct ngi_nc_node *n = ngi_nc_get(cs, NGI_NC_CTL);
    if (!n)
        return -EBADF;
    struct ng_mesg_header h;
    memset(&h, 0, sizeof(h));
    h.version = NG_VERSION;
    h.cmd = (uint32_t)cmd;
    h.flags = NGF_ORIG;
    h.token = ngi_nc_token();
    h.typecookie = (uint32_t)cookie;
    snprintf(h.cmdstr, sizeof(h.cmdstr), "cmd%d", cmd);
    int err = ngi_nc_deliver(n, path, &h, args, arglen);
    ngi_nc_put(n);
    return err < 0 ? err : (int)h.token;
}

int NgSendMsg(int cs, const char *path, int cookie, int cmd, const void *args, size_t arglen)
{
    int r = send_msg(cs, path, cookie, cmd, args, arglen);
    return r < 0 ? ngi_nc_fail("NgSendMsg", r) : r;
}

int NgSendReplyMsg(int cs, const char *path, const struct ng_mesg *msg, const void *args,
                   size_t arglen)
{
    if (!msg)
        return ngi_nc_fail("NgSendReplyMsg", -EINVAL);
    struct ngi_nc_node *n = ngi_nc_get(cs, NGI_NC_CTL);
    if (!n)
        return ngi_nc_fail("NgSendReplyMsg", -EBADF);
    struct ng_mesg_header h = msg->header;
    h.flags = NGF_RESP;
    int err = ngi_nc_deliver(n, path, &h, args, arglen);
    ngi_nc_put(n);
    return err < 0 ? ngi_nc_fail("NgSendReplyMsg", err) : 0;
}

int NgNameNode(int cs, const char *path, const char *fmt, ...)
{
    struct ngm_name nm;
    memset(&nm, 0, sizeof(nm));
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(nm.name, sizeof(nm.name), fmt, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= sizeof(nm.name))
        return ngi_nc_fail("NgNameNode", -EINVAL);
    int r = send_msg(cs, path, NGM_GENERIC_COOKIE, NGM_NAME, &nm, sizeof(nm));
    return r < 0 ? ngi_nc_fail("NgNameNode", r) : 0;
}

static int recv_public(int cs, struct ng_mesg **bufp, size_t size, int alloc, char *path)
{
    struct ngi_nc_node *n = ngi_nc_get(cs, NGI_NC_CTL);
    if (!n)
        return -EBADF;
    int r = ngi_nc_recv_msg(n, bufp, size, alloc, path);
    ngi_nc_put(n);
    return r;
}

int NgRecvMsg(int cs, struct ng_mesg *buf, size_t replen, char *path)
{
    if (!buf)
        return ngi_nc_fail("NgRecvMsg", -EINVAL);
    int r = recv_public(cs, &buf, replen, 0, path);
    return r < 0 ? ngi_nc_fail("NgRecvMsg", r) : r;
}

int NgAllocRecvMsg(int cs, struct ng_mesg **buf, char *path)
{
    if (!buf)
        return ngi_nc_fail("NgAllocRecvMsg", -EINVAL);
    *buf = NULL;
    int r = recv_public(cs, buf, 0, 1, path);
    return r < 0 ? ngi_nc_fail("NgAllocRecvMsg", r) : r;
}
