/*
 * srvtest.h - helpers of the control server tests (tests/server/): a server
 * on a graph in a temporary directory, and a raw wire client (frames built
 * with src/wire/wire.h, sent over real SOCK_SEQPACKET connections).  Every
 * wait is bounded (SRVTEST_WAIT_MS).
 */
#ifndef SRVTEST_H
#define SRVTEST_H

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <ngraph/ngraph.h>
#include <ngraph/server.h>

#include "ngtest.h"
#include "wire/wire.h"

#define SRVTEST_WAIT_MS 5000

struct srvtest {
    char dir[64];
    char path[128];
    struct ng_graph *g;
    struct ng_ctl_server *s;
};

/* A temporary directory, a graph (ngtest_graph) and, with cfg (its path is
 * filled in), a server listening in it. */
static inline void srvtest_start(struct srvtest *t, struct ng_ctl_config *cfg)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->dir, sizeof(t->dir), "/tmp/ngsrv-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof(t->path), "%s/sock/ngraph.sock", t->dir);
    t->g = ngtest_graph();
    if (cfg) {
        cfg->path = t->path;
        assert_int_equal(ng_ctl_listen(t->g, cfg, &t->s), 0);
    }
}

static inline void srvtest_start_default(struct srvtest *t)
{
    struct ng_ctl_config cfg;
    ng_ctl_config_init(&cfg);
    srvtest_start(t, &cfg);
}

static inline void srvtest_stop(struct srvtest *t)
{
    ng_ctl_close(t->s);
    t->s = NULL;
    ng_graph_barrier(t->g);
    ng_graph_destroy(t->g);
    char sub[160];
    snprintf(sub, sizeof(sub), "%s/sock", t->dir);
    unlink(t->path);
    rmdir(sub);
    rmdir(t->dir);
}

static inline int srvtest_connect(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        close(fd);
        return -ENAMETOOLONG;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/* Send one frame; returns 0 or -errno. */
static inline int srvtest_send(int fd, enum ngi_wire_kind kind, const char *addr,
                               const void *payload, uint32_t len)
{
    struct ngi_wire_hdr h;
    struct iovec iov[3];
    int n = ngi_wire_encode(&h, iov, kind, addr, payload, len, 0, 0, 0);
    if (n < 0)
        return n;
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    return sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* Wait up to ms for fd to be readable: 1, or 0 on timeout. */
static inline int srvtest_readable(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, ms) > 0;
}

/* Receive one frame into buf (decoded into *f); returns its length, 0 at
 * EOF, -ETIMEDOUT, or -errno. */
static inline ssize_t srvtest_recv(int fd, void *buf, size_t size, struct ngi_wire_frame *f)
{
    if (!srvtest_readable(fd, SRVTEST_WAIT_MS))
        return -ETIMEDOUT;
    ssize_t n = recv(fd, buf, size, 0);
    if (n < 0)
        return -errno;
    if (n > 0 && f)
        assert_int_equal(ngi_wire_decode(buf, (size_t)n, f), 0);
    return n;
}

/* Receive an ACK; returns its error (positive errno) and *aux. */
static inline int srvtest_ack(int fd, uint32_t *aux)
{
    uint8_t buf[256];
    struct ngi_wire_frame f;
    ssize_t n = srvtest_recv(fd, buf, sizeof(buf), &f);
    assert_true(n > 0);
    assert_int_equal(f.hdr.kind, NGI_WIRE_ACK);
    if (aux)
        *aux = f.hdr.aux;
    return f.hdr.error;
}

/* Whether fd reaches EOF (or a reset) within the wait. */
static inline int srvtest_eof(int fd)
{
    uint8_t buf[256];
    for (int i = 0; i < 1000; i++) {
        if (!srvtest_readable(fd, SRVTEST_WAIT_MS))
            return 0;
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return 1;
    }
    return 0;
}

/* A client: request connection (HELLO name) and optionally the control and
 * data connections.  Returns the node id. */
struct srvtest_client {
    int req, ctl, data;
    ng_id_t id;
};

static inline void srvtest_client_open(struct srvtest *t, struct srvtest_client *c,
                                       const char *name, int ctl, int data)
{
    c->req = srvtest_connect(t->path);
    assert_true(c->req >= 0);
    assert_int_equal(srvtest_send(c->req, NGI_WIRE_HELLO, name, NULL, 0), 0);
    uint32_t aux = 0;
    assert_int_equal(srvtest_ack(c->req, &aux), 0);
    assert_int_not_equal(aux, 0);
    c->id = aux;
    char addr[NGI_WIRE_IDADDR_SIZE];
    ngi_wire_idaddr(addr, c->id);
    c->ctl = c->data = -1;
    if (ctl) {
        c->ctl = srvtest_connect(t->path);
        assert_true(c->ctl >= 0);
        assert_int_equal(srvtest_send(c->ctl, NGI_WIRE_ATTACH_CTL, addr, NULL, 0), 0);
        assert_int_equal(srvtest_ack(c->ctl, &aux), 0);
        assert_int_equal(aux, c->id);
    }
    if (data) {
        c->data = srvtest_connect(t->path);
        assert_true(c->data >= 0);
        assert_int_equal(srvtest_send(c->data, NGI_WIRE_ATTACH_DATA, addr, NULL, 0), 0);
        assert_int_equal(srvtest_ack(c->data, &aux), 0);
        assert_int_equal(aux, c->id);
    }
}

static inline void srvtest_client_close(struct srvtest_client *c)
{
    if (c->req >= 0)
        close(c->req);
    if (c->ctl >= 0)
        close(c->ctl);
    if (c->data >= 0)
        close(c->data);
    c->req = c->ctl = c->data = -1;
}

/* Send a message (header + arglen bytes of arg) to path on c's request
 * connection and return the ACK's error. */
static inline int srvtest_msg(struct srvtest_client *c, const char *path, uint32_t cookie,
                              uint32_t cmd, const void *arg, uint32_t arglen)
{
    struct ng_mesg *m = ng_mesg_alloc(cookie, cmd, arglen);
    assert_non_null(m);
    if (arglen)
        memcpy(m->data, arg, arglen);
    int rc = srvtest_send(c->req, NGI_WIRE_MSG, path, m, (uint32_t)sizeof(m->header) + arglen);
    ng_mesg_free(m);
    assert_int_equal(rc, 0);
    return srvtest_ack(c->req, NULL);
}

/* Wait (bounded) until cond() on t holds. */
static inline int srvtest_until(int (*cond)(struct srvtest *t, void *arg), struct srvtest *t,
                                void *arg)
{
    for (int i = 0; i < SRVTEST_WAIT_MS; i++) {
        if (cond(t, arg))
            return 1;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* Conditions for srvtest_until. */
static inline int srvtest_node_gone(struct srvtest *t, void *arg)
{
    struct ng_node *n;
    if (ng_node_find(t->g, arg, &n) == 0) {
        ng_node_unref(n);
        return 0;
    }
    return 1;
}

static inline int srvtest_no_clients(struct srvtest *t, void *arg)
{
    (void)arg;
    struct ng_ctl_stats st;
    ng_ctl_stats(t->s, &st);
    return st.clients_now == 0;
}

#endif
