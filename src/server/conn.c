/*
 * conn.c - output of the control server's connections: the bounded FIFO of
 * whole records per connection, the non-blocking send that bypasses it
 * when it is empty, its flush on EPOLLOUT, ACK and fragmented MSG frames,
 * and the OVERFLOW report.  Locking: server_int.h (every function here runs
 * under the connection's client mutex once the connection is attached).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "server_int.h"

struct ngi_conn *ngi_conn_new(int fd)
{
    struct ngi_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->fd = fd;
    c->role = NGI_ROLE_NEW;
    c->qtail = &c->qhead;
    return c;
}

static void count_sent(struct ng_ctl_server *s, enum ngi_rec_kind kind)
{
    if (kind == NGI_REC_MSG)
        NGI_STAT_ADD(s, msgs_out, 1);
    else if (kind == NGI_REC_DATA)
        NGI_STAT_ADD(s, data_out, 1);
}

static void count_dropped(struct ng_ctl_server *s, enum ngi_rec_kind kind)
{
    if (kind == NGI_REC_MSG)
        NGI_STAT_ADD(s, msgs_dropped, 1);
    else if (kind == NGI_REC_DATA)
        NGI_STAT_ADD(s, data_dropped, 1);
}

void ngi_conn_events(struct ng_ctl_server *s, struct ngi_conn *c)
{
    /* A request connection is not read while an ACK waits (backpressure:
     * a client that does not read its ACKs stops being served, nothing
     * piles up); the other roles are always read, to see EOF or a frame
     * that cuts them off. */
    uint32_t ev = EPOLLRDHUP;
    if (c->role != NGI_ROLE_REQ || !c->qhead)
        ev |= EPOLLIN;
    if (c->qhead && !c->broken)
        ev |= EPOLLOUT;
    if (c->registered && ev == c->events)
        return;
    struct epoll_event e = {.events = ev, .data.ptr = c};
    if (!c->registered) {
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, c->fd, &e) == 0)
            c->registered = true;
    } else {
        (void)epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &e);
    }
    c->events = ev;
}

static int send_iov(int fd, const struct iovec *iov, int niov)
{
    struct msghdr mh = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)niov};
    for (;;) {
        ssize_t n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0)
            return 0;
        if (errno != EINTR)
            return -errno;
    }
}

int ngi_conn_put(struct ng_ctl_server *s, struct ngi_conn *c, const struct iovec *iov, int niov,
                 enum ngi_rec_kind kind, bool bounded)
{
    if (c->broken)
        return -EPIPE;
    size_t total = 0;
    for (int i = 0; i < niov; i++)
        total += iov[i].iov_len;
    if (!c->qhead) {
        int rc = send_iov(c->fd, iov, niov);
        if (rc == 0) {
            count_sent(s, kind);
            return 0;
        }
        if (rc == -EMSGSIZE || rc == -ENOBUFS || rc == -ENOMEM)
            return rc; /* this record cannot go; the connection is fine */
        if (rc != -EAGAIN) {
            c->broken = true;
            return -EPIPE;
        }
    } else if (bounded && c->qbytes + total > s->cfg.client_queue_bytes) {
        return -ENOBUFS;
    }
    struct ngi_rec *r = malloc(sizeof(*r) + total);
    if (!r)
        return -ENOMEM;
    r->next = NULL;
    r->len = (uint32_t)total;
    r->kind = (uint8_t)kind;
    size_t off = 0;
    for (int i = 0; i < niov; i++) {
        memcpy(r->data + off, iov[i].iov_base, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    *c->qtail = r;
    c->qtail = &r->next;
    c->qbytes += total;
    ngi_conn_events(s, c);
    return 0;
}

int ngi_conn_put_msg(struct ng_ctl_server *s, struct ngi_conn *c, const char *addr, const void *msg,
                     uint32_t len)
{
    if (c->broken)
        return -EPIPE;
    uint32_t nfrag = len ? (len + NGI_WIRE_FRAG - 1) / NGI_WIRE_FRAG : 1;
    size_t total = (size_t)len + (size_t)nfrag * (sizeof(struct ngi_wire_hdr) + strlen(addr) + 1);
    if (c->qhead && c->qbytes + total > s->cfg.client_queue_bytes)
        return -ENOBUFS;
    /* Admitted whole: the fragments go (or queue) one after the other, and
     * nothing else can come between them (the client mutex is held). */
    const uint8_t *p = msg;
    for (uint32_t i = 0; i < nfrag; i++) {
        uint32_t off = i * NGI_WIRE_FRAG;
        uint32_t n = len - off > NGI_WIRE_FRAG ? NGI_WIRE_FRAG : len - off;
        bool last = i + 1 == nfrag;
        struct ngi_wire_hdr h;
        struct iovec iov[3];
        int niov = ngi_wire_encode(&h, iov, NGI_WIRE_MSG, addr, p + off, n, 0, len,
                                   last ? 0 : NGI_WIRE_F_MORE);
        if (niov < 0)
            return niov;
        int rc = ngi_conn_put(s, c, iov, niov, last ? NGI_REC_MSG : NGI_REC_OTHER, false);
        if (rc != 0) {
            if (i > 0) {
                /* Part of it went: the client would see a message cut
                 * short, so this connection cannot carry on. */
                c->broken = true;
                ngi_conn_drop_queue(s, c);
                return -EPIPE;
            }
            return rc;
        }
    }
    return 0;
}

void ngi_conn_drop_queue(struct ng_ctl_server *s, struct ngi_conn *c)
{
    struct ngi_rec *r = c->qhead;
    while (r) {
        struct ngi_rec *next = r->next;
        count_dropped(s, (enum ngi_rec_kind)r->kind);
        free(r);
        r = next;
    }
    c->qhead = NULL;
    c->qtail = &c->qhead;
    c->qbytes = 0;
}

int ngi_conn_flush(struct ng_ctl_server *s, struct ngi_conn *c)
{
    bool sent = false;
    while (c->qhead && !c->broken) {
        struct ngi_rec *r = c->qhead;
        struct iovec iov = {.iov_base = r->data, .iov_len = r->len};
        int rc = send_iov(c->fd, &iov, 1);
        if (rc == -EAGAIN)
            break;
        if (rc == 0) {
            count_sent(s, (enum ngi_rec_kind)r->kind);
            sent = true;
        } else if (rc != -EMSGSIZE && rc != -ENOBUFS && rc != -ENOMEM) {
            c->broken = true;
            break;
        } else {
            count_dropped(s, (enum ngi_rec_kind)r->kind);
        }
        c->qhead = r->next;
        if (!c->qhead)
            c->qtail = &c->qhead;
        c->qbytes -= r->len;
        free(r);
    }
    if (c->broken)
        ngi_conn_drop_queue(s, c);
    ngi_conn_events(s, c);
    if (sent && c->cl)
        ngi_client_report_overflow(c->cl);
    return c->broken ? -EPIPE : 0;
}

int ngi_conn_ack(struct ng_ctl_server *s, struct ngi_conn *c, int err, uint32_t aux)
{
    struct ngi_wire_hdr h;
    struct iovec iov[3];
    int niov = ngi_wire_encode(&h, iov, NGI_WIRE_ACK, NULL, NULL, 0, err < 0 ? -err : err, aux, 0);
    if (niov < 0)
        return niov;
    return ngi_conn_put(s, c, iov, niov, NGI_REC_OTHER, false);
}

void ngi_client_report_overflow(struct ngi_client *cl)
{
    struct ngi_conn *c = cl->ctl;
    struct ng_ctl_server *s = cl->srv;
    if (!s || !c || c->broken || (cl->ovf_msgs == 0 && cl->ovf_data == 0))
        return;
    struct {
        struct ng_mesg_header h;
        struct ngm_sock_overflow o;
    } m;
    memset(&m, 0, sizeof(m));
    m.h.version = NG_VERSION;
    m.h.arglen = sizeof(m.o);
    m.h.cmd = NGM_SOCK_CMD_OVERFLOW;
    m.h.typecookie = NGM_SOCKET_COOKIE;
    strcpy(m.h.cmdstr, "overflow");
    m.o.msgs_dropped = cl->ovf_msgs;
    m.o.data_dropped = cl->ovf_data;
    char addr[NGI_WIRE_IDADDR_SIZE];
    ngi_wire_idaddr(addr, cl->id);
    /* Bounded like any message: no room yet, the next flush tries again. */
    if (ngi_conn_put_msg(s, c, addr, &m, sizeof(m)) == 0) {
        cl->ovf_msgs = 0;
        cl->ovf_data = 0;
    }
}
