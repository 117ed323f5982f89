/*
 * server.c - the control server's socket and thread (<ngraph/server.h>):
 * the socket directory and file, the credential check on accept, the epoll
 * loop (listening socket, connections, the wakeup eventfd, handshake
 * deadlines as the epoll timeout), reading records and dispatching them to
 * request.c, and the public ng_ctl_* functions.  Threads: server_int.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "server_int.h"

void ngi_srv_free_conns(struct ng_ctl_server *s);

/* Records read from one request connection per wakeup.  A client waits for
 * each ACK before its next request, so a second read would only return
 * EAGAIN (a wasted syscall on every round trip); a client that does send
 * ahead is read again at once, epoll being level-triggered. */
#define REQ_BURST 1
/* Connections accepted per wakeup. */
#define ACCEPT_BURST 256

void ng_ctl_config_init(struct ng_ctl_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_clients = 4096;
    cfg->client_queue_bytes = 8u << 20;
    cfg->handshake_ms = 5000;
}

int ng_ctl_default_path(char *buf, size_t size)
{
    const char *env = getenv("NGRAPH_SOCKET");
    int n;
    if (env && env[0]) {
        n = snprintf(buf, size, "%s", env);
    } else if (geteuid() == 0) {
        n = snprintf(buf, size, "%s", NG_CTL_SOCKET_ROOT);
    } else {
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        if (!xdg || !xdg[0])
            return -ENOENT;
        n = snprintf(buf, size, "%s/%s", xdg, NG_CTL_SOCKET_USER);
    }
    if (n < 0 || (size_t)n >= size)
        return -ENAMETOOLONG;
    return 0;
}

int ng_ctl_stats(const struct ng_ctl_server *s, struct ng_ctl_stats *st)
{
    if (!s || !st)
        return -EINVAL;
    struct ng_ctl_server *m = (struct ng_ctl_server *)s; /* atomics: loads only */
#define L(f) st->f = atomic_load_explicit(&m->f, memory_order_relaxed)
    L(accepted);
    L(refused_cred);
    L(refused_limit);
    L(handshake_timeouts);
    L(bad_frames);
    L(cut_off);
    L(requests);
    L(msgs_out);
    L(data_out);
    L(msgs_dropped);
    L(data_dropped);
    L(clients_now);
#undef L
    return 0;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------------------ */
/* Socket directory and file                                                */
/* ------------------------------------------------------------------------ */

static int make_dir(const struct ng_ctl_config *cfg, const char *path)
{
    char tmp[sizeof(((struct sockaddr_un *)0)->sun_path)];
    snprintf(tmp, sizeof(tmp), "%s", path);
    const char *dir = dirname(tmp);
    mode_t mode = cfg->group_set ? 0750 : 0700;
    struct stat st;
    if (mkdir(dir, mode) == 0) {
        /* Ours: set exactly what was asked (mkdir applied the umask). */
        if (cfg->group_set && chown(dir, (uid_t)-1, cfg->group) != 0)
            return -errno;
        if (chmod(dir, mode) != 0)
            return -errno;
        return 0;
    }
    if (errno != EEXIST)
        return -errno;
    if (stat(dir, &st) != 0)
        return -errno;
    if (!S_ISDIR(st.st_mode))
        return -ENOTDIR;
    /* Someone else's directory, or one anyone may write to (unless sticky,
     * like /tmp, where nobody can remove our socket): not a safe place. */
    if (st.st_uid != geteuid() && st.st_uid != 0)
        return -EPERM;
    if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
        return -EPERM;
    return 0;
}

/* -EADDRINUSE if a server answers at path; removes a stale socket file. */
static int clear_stale(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISSOCK(st.st_mode))
        return -EADDRINUSE; /* not ours to remove */
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    int rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
    int err = errno;
    close(fd);
    if (rc == 0 || err == EAGAIN)
        return -EADDRINUSE; /* alive (EAGAIN: alive, backlog full) */
    if (err != ECONNREFUSED)
        return -err;
    if (unlink(path) != 0 && errno != ENOENT)
        return -errno;
    return 0;
}

static int open_listener(struct ng_ctl_server *s, const struct ng_ctl_config *cfg)
{
    int rc = make_dir(cfg, s->path);
    if (rc == 0)
        rc = clear_stale(s->path);
    if (rc != 0)
        return rc;
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    mode_t mode = cfg->group_set ? 0660 : 0600;
    if ((cfg->group_set && chown(s->path, (uid_t)-1, cfg->group) != 0) ||
        chmod(s->path, mode) != 0 || listen(fd, SOMAXCONN) != 0) {
        rc = -errno;
        unlink(s->path);
        close(fd);
        return rc;
    }
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = &s->lfd};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &e) != 0) {
        rc = -errno;
        unlink(s->path);
        close(fd);
        return rc;
    }
    s->lfd = fd;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Accepting                                                                */
/* ------------------------------------------------------------------------ */

static bool cred_allowed(const struct ng_ctl_server *s, const struct ucred *uc)
{
    const struct ng_ctl_config *cfg = &s->cfg;
    if (cfg->n_uids == 0) {
        if (uc->uid == 0 || uc->uid == geteuid())
            return true;
    } else {
        for (unsigned i = 0; i < cfg->n_uids && i < NG_CTL_MAX_IDS; i++)
            if (cfg->uids[i] == uc->uid)
                return true;
    }
    for (unsigned i = 0; i < cfg->n_gids && i < NG_CTL_MAX_IDS; i++)
        if (cfg->gids[i] == uc->gid)
            return true;
    return false;
}

static void accept_some(struct ng_ctl_server *s)
{
    for (int i = 0; i < ACCEPT_BURST; i++) {
        int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                /* Out of descriptors: refuse the oldest waiting connection
                 * (close it unread) rather than spin on the listener. */
                NGI_STAT_ADD(s, refused_limit, 1);
                int spare = s->spare_fd;
                if (spare >= 0) {
                    close(spare);
                    int x = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
                    if (x >= 0)
                        close(x);
                    s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                }
                return;
            }
            return; /* EAGAIN, or a connection that went away meanwhile */
        }
        struct ucred uc;
        socklen_t len = sizeof(uc);
        /* Credentials first: nothing is read from a refused peer. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0 || !cred_allowed(s, &uc)) {
            NGI_STAT_ADD(s, refused_cred, 1);
            close(fd);
            continue;
        }
        if (s->nconns >= s->cfg.max_clients) {
            NGI_STAT_ADD(s, refused_limit, 1);
            close(fd);
            continue;
        }
        struct ngi_conn *c = ngi_conn_new(fd);
        if (!c) {
            NGI_STAT_ADD(s, refused_limit, 1);
            close(fd);
            continue;
        }
        NGI_STAT_ADD(s, accepted, 1);
        s->nconns++;
        c->deadline_ns = now_ns() + (uint64_t)s->cfg.handshake_ms * 1000000u;
        *s->new_tail = c;
        s->new_tail = &c->next_new;
        ngi_conn_events(s, c);
    }
}

/* ------------------------------------------------------------------------ */
/* Reading                                                                  */
/* ------------------------------------------------------------------------ */

/* Read one record into s->rbuf: its length (> NGI_WIRE_MSG_MAX: too big,
 * discarded), 0 at EOF, -EAGAIN, or another negative errno. */
static ssize_t read_record(struct ng_ctl_server *s, struct ngi_conn *c)
{
    for (;;) {
        ssize_t n = recv(c->fd, s->rbuf, NGI_WIRE_MSG_MAX, MSG_DONTWAIT | MSG_TRUNC);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return -errno;
    }
}

/* ACK on a connection the client does not own yet (NEW), then close it;
 * the ACK was written at once (an empty new socket) or is lost with it. */
static void refuse(struct ng_ctl_server *s, struct ngi_conn *c, int err, bool cut)
{
    ngi_conn_ack(s, c, err, 0);
    if (cut)
        NGI_STAT_ADD(s, cut_off, 1);
    ngi_srv_conn_close(s, c);
}

static void on_first(struct ng_ctl_server *s, struct ngi_conn *c)
{
    ssize_t n = read_record(s, c);
    if (n == -EAGAIN)
        return;
    if (n <= 0) {
        ngi_srv_conn_close(s, c); /* gone before saying anything */
        return;
    }
    struct ngi_wire_frame f;
    int rc = (size_t)n > NGI_WIRE_MSG_MAX ? -EMSGSIZE : ngi_wire_decode(s->rbuf, (size_t)n, &f);
    if (rc != 0) {
        NGI_STAT_ADD(s, bad_frames, 1);
        refuse(s, c, rc, true);
        return;
    }
    switch (f.hdr.kind) {
    case NGI_WIRE_HELLO: {
        struct ngi_client *cl;
        rc = ngi_srv_hello(s, f.addr, &cl);
        if (rc == 0) {
            rc = ngi_srv_attach(s, c, NGI_ROLE_REQ, NULL, cl);
            if (rc != 0) {
                /* No connection holds it: it goes at once. */
                cl->shut = true;
                ng_node_shutdown(cl->node);
            }
        }
        break;
    }
    case NGI_WIRE_ATTACH_CTL:
        rc = ngi_srv_attach(s, c, NGI_ROLE_CTL, f.addr, NULL);
        break;
    case NGI_WIRE_ATTACH_DATA:
        rc = ngi_srv_attach(s, c, NGI_ROLE_DATA, f.addr, NULL);
        break;
    default:
        NGI_STAT_ADD(s, bad_frames, 1);
        refuse(s, c, -EINVAL, true);
        return;
    }
    if (rc != 0)
        refuse(s, c, rc, false);
}

static void on_request(struct ng_ctl_server *s, struct ngi_conn *c)
{
    struct ngi_client *cl = c->cl;
    for (int i = 0; i < REQ_BURST && !c->closed; i++) {
        pthread_mutex_lock(&cl->mu);
        bool waiting = c->qhead != NULL;
        pthread_mutex_unlock(&cl->mu);
        if (waiting)
            return; /* its last ACK has not gone: read no more (backpressure) */
        ssize_t n = read_record(s, c);
        if (n == -EAGAIN)
            return;
        if (n <= 0) {
            ngi_srv_conn_close(s, c);
            return;
        }
        struct ngi_wire_frame f;
        int rc = (size_t)n > NGI_WIRE_MSG_MAX ? -EMSGSIZE : ngi_wire_decode(s->rbuf, (size_t)n, &f);
        if (rc == 0 && f.hdr.kind != NGI_WIRE_MSG && f.hdr.kind != NGI_WIRE_DATA) {
            /* A second HELLO, an ATTACH or an ACK: not this channel's. */
            NGI_STAT_ADD(s, bad_frames, 1);
            NGI_STAT_ADD(s, cut_off, 1);
            ngi_srv_conn_close(s, c);
            return;
        }
        if (rc != 0)
            NGI_STAT_ADD(s, bad_frames, 1);
        else
            rc = ngi_srv_request(s, cl, &f);
        pthread_mutex_lock(&cl->mu);
        int arc = c->closed ? -EPIPE : ngi_conn_ack(s, c, rc, 0);
        pthread_mutex_unlock(&cl->mu);
        if (arc != 0 && !c->closed) {
            ngi_srv_conn_close(s, c);
            return;
        }
    }
}

static void on_conn(struct ng_ctl_server *s, struct ngi_conn *c, uint32_t ev)
{
    if (c->closed)
        return;
    if ((ev & EPOLLOUT) && c->cl) {
        pthread_mutex_lock(&c->cl->mu);
        int rc = ngi_conn_flush(s, c);
        pthread_mutex_unlock(&c->cl->mu);
        if (rc != 0) {
            ngi_srv_conn_close(s, c);
            return;
        }
    }
    if (!(ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
        return;
    switch (c->role) {
    case NGI_ROLE_NEW:
        on_first(s, c);
        break;
    case NGI_ROLE_REQ:
        on_request(s, c);
        if (!c->closed && (ev & (EPOLLHUP | EPOLLERR)))
            ngi_srv_conn_close(s, c);
        break;
    case NGI_ROLE_CTL:
    case NGI_ROLE_DATA: {
        ssize_t n = read_record(s, c);
        if (n == -EAGAIN && !(ev & (EPOLLHUP | EPOLLERR)))
            break;
        if (n > 0) {
            /* These channels only carry the server's frames. */
            NGI_STAT_ADD(s, bad_frames, 1);
            NGI_STAT_ADD(s, cut_off, 1);
        }
        ngi_srv_conn_close(s, c);
        break;
    }
    }
}

static int expire_handshakes(struct ng_ctl_server *s)
{
    uint64_t now = now_ns();
    while (s->new_head && s->new_head->deadline_ns <= now) {
        NGI_STAT_ADD(s, handshake_timeouts, 1);
        ngi_srv_conn_close(s, s->new_head);
    }
    if (!s->new_head)
        return -1;
    uint64_t ms = (s->new_head->deadline_ns - now + 999999u) / 1000000u;
    return ms > 60000 ? 60000 : (int)ms;
}

/* The engine runs a shut-down node's shutdown method only once a grace
 * period has passed and someone polls for it (a runtime worker, a later
 * API call); an idle server would wait forever for sock_shutdown to report
 * a client's node gone.  So when one of our nodes has begun shutting down
 * (the socket type's close method set gc_pending and woke us, whoever shut
 * it down: a request, our own ng_node_shutdown, another thread's
 * NGM_SHUTDOWN), wait for the grace period here (short: no thread stays in
 * a read-side section long), which runs the shutdown method and puts the
 * client on the dead list.  Nothing is scanned and nothing polled. */
static void gc_check(struct ng_ctl_server *s)
{
    if (atomic_exchange(&s->gc_pending, false))
        ng_graph_barrier(s->g);
}

static void *server_main(void *arg)
{
    struct ng_ctl_server *s = arg;
    ng_thread_register(s->g);
    struct epoll_event evs[64];
    while (!atomic_load(&s->stop)) {
        int timeout = expire_handshakes(s);
        int n = epoll_wait(s->epfd, evs, 64, timeout);
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;
            if (p == &s->lfd) {
                accept_some(s);
            } else if (p == &s->evfd) {
                uint64_t v;
                ssize_t r = read(s->evfd, &v, sizeof(v));
                (void)r;
            } else {
                on_conn(s, p, evs[i].events);
            }
        }
        gc_check(s);
        ngi_srv_reap_dead(s);
        /* Events of this batch may name connections closed in it: they
         * are freed only now. */
        ngi_srv_free_conns(s);
    }
    ng_thread_unregister(s->g);
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Public                                                                   */
/* ------------------------------------------------------------------------ */

int ng_ctl_listen(struct ng_graph *g, const struct ng_ctl_config *cfg, struct ng_ctl_server **sp)
{
    if (sp)
        *sp = NULL;
    if (!g || !cfg || !sp || !cfg->path || !cfg->path[0])
        return -EINVAL;
    struct ng_ctl_server *s;
    if (strlen(cfg->path) >= sizeof(s->path))
        return -EINVAL;
    int rc = ngi_srv_new(g, cfg, &s);
    if (rc != 0)
        return rc;
    snprintf(s->path, sizeof(s->path), "%s", cfg->path);
    s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    rc = open_listener(s, cfg);
    if (rc == 0) {
        struct stat st;
        if (stat(s->path, &st) == 0) {
            s->sock_dev = st.st_dev;
            s->sock_ino = st.st_ino;
        }
        rc = -pthread_create(&s->thread, NULL, server_main, s);
        if (rc != 0) {
            unlink(s->path);
            close(s->lfd);
            s->lfd = -1;
        }
    }
    if (rc != 0) {
        if (s->spare_fd >= 0)
            close(s->spare_fd);
        ngi_srv_free(s);
        return rc;
    }
    *sp = s;
    return 0;
}

void ng_ctl_close(struct ng_ctl_server *s)
{
    if (!s)
        return;
    atomic_store(&s->stop, true);
    ngi_srv_wake(s);
    pthread_join(s->thread, NULL);
    /* Remove the socket file only if it is still ours. */
    struct stat st;
    if (stat(s->path, &st) == 0 && st.st_dev == s->sock_dev && st.st_ino == s->sock_ino)
        unlink(s->path);
    (void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->lfd, NULL);
    close(s->lfd);
    s->lfd = -1;
    if (s->spare_fd >= 0)
        close(s->spare_fd);
    ngi_srv_free(s);
}
