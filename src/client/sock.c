/*
 * sock.c - libnetgraph's connections to the control server: the socket
 * path (NgSetSocketPath), NgMkSockNode(), the process-wide table of the
 * socket nodes made here (user fd -> request connection), requests and
 * their ACKs, and receiving one frame (docs/protocol.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <netgraph/ng_socket.h>

#include "client.h"

/* ------------------------------------------------------------------------ */
/* The socket path                                                          */
/* ------------------------------------------------------------------------ */

/* NgSetSocketPath()'s path ("" = the default): written and read under
 * path_lock, copied out by every NgMkSockNode(). */
static pthread_mutex_t path_lock = PTHREAD_MUTEX_INITIALIZER;
static char path_set[sizeof(((struct sockaddr_un *)0)->sun_path)];

int NgSetSocketPath(const char *path)
{
    if (path && strlen(path) >= sizeof(path_set))
        return ngi_nc_fail("NgSetSocketPath", -ENAMETOOLONG);
    pthread_mutex_lock(&path_lock);
    snprintf(path_set, sizeof(path_set), "%s", path ? path : "");
    pthread_mutex_unlock(&path_lock);
    return 0;
}

/* The path NgMkSockNode() connects to, into sun (sun_path). */
static int sock_path(struct sockaddr_un *sun)
{
    char *p = sun->sun_path;
    size_t size = sizeof(sun->sun_path);
    int n;
    pthread_mutex_lock(&path_lock);
    n = snprintf(p, size, "%s", path_set);
    pthread_mutex_unlock(&path_lock);
    if (n > 0)
        return 0;
    const char *env = getenv("NGRAPH_SOCKET");
    if (env && *env) {
        n = snprintf(p, size, "%s", env);
    } else if (geteuid() == 0) {
        n = snprintf(p, size, "%s", NG_CTL_SOCKET_ROOT);
    } else {
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        if (!xdg || !*xdg)
            return -ENOENT;
        n = snprintf(p, size, "%s/%s", xdg, NG_CTL_SOCKET_USER);
    }
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* ------------------------------------------------------------------------ */
/* The node table                                                           */
/* ------------------------------------------------------------------------ */

/*
 * Every node NgMkSockNode() made and not yet reaped.  table_lock protects
 * table, table_len, table_cap and every node's cs/ds/refs fields (see
 * struct ngi_nc_node); it is never held across I/O on a connection.
 */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ngi_nc_node **table;
static size_t table_len, table_cap;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

/* Is fd still the open file recorded as (dev, ino)? */
static int same_file(int fd, dev_t dev, ino_t ino)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return 0;
    return st.st_dev == dev && st.st_ino == ino;
}

static void node_free(struct ngi_nc_node *n)
{
    close(n->req);
    pthread_mutex_destroy(&n->req_lock);
    pthread_mutex_destroy(&n->rx_lock);
    free(n->rx_buf);
    free(n);
}

/* Close the request connections of nodes whose user sockets are all gone
 * and which nobody uses now.  all: at exit, every unused node.  Caller
 * holds table_lock. */
static void reap_locked(int all)
{
    size_t j = 0;
    for (size_t i = 0; i < table_len; i++) {
        struct ngi_nc_node *n = table[i];
        int live = n->refs > 0 || (!all && (same_file(n->cs, n->cs_dev, n->cs_ino) ||
                                            same_file(n->ds, n->ds_dev, n->ds_ino)));
        if (live)
            table[j++] = n;
        else
            node_free(n);
    }
    table_len = j;
}

static void at_exit(void)
{
    pthread_mutex_lock(&table_lock);
    reap_locked(1);
    if (table_len == 0) {
        free(table);
        table = NULL;
        table_cap = 0;
    }
    pthread_mutex_unlock(&table_lock);
}

static void register_exit(void) { atexit(at_exit); }

static int table_add(struct ngi_nc_node *n)
{
    pthread_once(&exit_once, register_exit);
    pthread_mutex_lock(&table_lock);
    reap_locked(0);
    if (table_len == table_cap) {
        size_t cap = table_cap ? table_cap * 2 : 16;
        struct ngi_nc_node **t = realloc(table, cap * sizeof(*t));
        if (!t) {
            pthread_mutex_unlock(&table_lock);
            return -ENOMEM;
        }
        table = t;
        table_cap = cap;
    }
    table[table_len++] = n;
    pthread_mutex_unlock(&table_lock);
    return 0;
}

struct ngi_nc_node *ngi_nc_get(int fd, enum ngi_nc_role role)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        errno = EBADF;
        return NULL;
    }
    struct ngi_nc_node *found = NULL;
    pthread_mutex_lock(&table_lock);
    for (size_t i = 0; i < table_len && !found; i++) {
        struct ngi_nc_node *n = table[i];
        if (role == NGI_NC_CTL && n->cs == fd && n->cs_dev == st.st_dev && n->cs_ino == st.st_ino)
            found = n;
        if (role == NGI_NC_DATA && n->ds == fd && n->ds_dev == st.st_dev && n->ds_ino == st.st_ino)
            found = n;
    }
    if (found)
        found->refs++;
    pthread_mutex_unlock(&table_lock);
    if (!found)
        errno = EBADF;
    return found;
}

void ngi_nc_put(struct ngi_nc_node *n)
{
    pthread_mutex_lock(&table_lock);
    n->refs--;
    pthread_mutex_unlock(&table_lock);
}

/* ------------------------------------------------------------------------ */
/* Frames                                                                   */
/* ------------------------------------------------------------------------ */

static int send_frame(int fd, enum ngi_wire_kind kind, const char *addr, const void *p1, size_t l1,
                      const void *p2, size_t l2)
{
    struct ngi_wire_hdr hdr;
    struct iovec iov[4];
    if (l1 + l2 > UINT32_MAX)
        return -EMSGSIZE;
    int n = ngi_wire_encode(&hdr, iov, kind, addr, p1, (uint32_t)(l1 + l2), 0, 0, 0);
    if (n < 0)
        return n;
    if (l1 + l2) {
        /* encode put the payload last: split it into its two pieces */
        n--;
        if (l1) {
            iov[n].iov_base = (void *)p1;
            iov[n++].iov_len = l1;
        }
        if (l2) {
            iov[n].iov_base = (void *)p2;
            iov[n++].iov_len = l2;
        }
    }
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    for (;;) {
        ssize_t r = sendmsg(fd, &mh, MSG_NOSIGNAL);
        if (r >= 0)
            return 0;
        if (errno == EINTR)
            continue;
        if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
            return -ENOTCONN;
        return -errno;
    }
}

ssize_t ngi_nc_recv_frame(int fd, void *buf, size_t size, int wait, struct ngi_wire_frame *f)
{
    for (;;) {
        struct iovec iov = {.iov_base = buf, .iov_len = size};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        ssize_t r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
        if (r < 0) {
            /* Before anything was read, a signal interrupts the caller as
             * FreeBSD's recvfrom() does; in mid-message it must not. */
            if (errno == EINTR && !wait)
                return -EINTR;
            if (errno == EINTR)
                continue;
            if (wait && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                if (poll(&p, 1, -1) < 0 && errno != EINTR)
                    return -errno;
                continue;
            }
            if (errno == ECONNRESET || errno == ENOTCONN || errno == EPIPE)
                return -ENOTCONN;
            return -errno;
        }
        if (r == 0)
            return -ENOTCONN; /* SEQPACKET: the server closed the connection */
        if (mh.msg_flags & MSG_TRUNC)
            return -EPROTO;
        if (ngi_wire_decode(buf, (size_t)r, f) < 0)
            return -EPROTO;
        return r;
    }
}

/* Wait for the ACK of the request (or first frame) just sent on fd. */
static int recv_ack(int fd, uint32_t *auxp)
{
    unsigned char buf[sizeof(struct ngi_wire_hdr) + NGI_WIRE_ADDR_MAX];
    struct ngi_wire_frame f;
    ssize_t r = ngi_nc_recv_frame(fd, buf, sizeof(buf), 1, &f);
    if (r < 0)
        return (int)r;
    if (f.hdr.kind != NGI_WIRE_ACK || f.hdr.error < 0 || f.hdr.error > 4095)
        return -EPROTO;
    if (auxp)
        *auxp = f.hdr.aux;
    return -f.hdr.error;
}

int ngi_nc_request(struct ngi_nc_node *n, enum ngi_wire_kind kind, const char *addr, const void *p1,
                   size_t l1, const void *p2, size_t l2)
{
    pthread_mutex_lock(&n->req_lock);
    int err = send_frame(n->req, kind, addr, p1, l1, p2, l2);
    if (err == 0)
        err = recv_ack(n->req, NULL);
    pthread_mutex_unlock(&n->req_lock);
    return err;
}

/* ------------------------------------------------------------------------ */
/* NgMkSockNode                                                             */
/* ------------------------------------------------------------------------ */

/*
 * Open one connection to the server and send its first frame; wait for the
 * ACK.  A connection closed before the first ACK was refused by the
 * server's credentials check (or cap on clients): EACCES.
 */
static int open_channel(const struct sockaddr_un *sun, enum ngi_wire_kind kind, const char *addr,
                        int *fdp, uint32_t *idp)
{
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int err = 0;
    while (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) < 0) {
        if (errno != EINTR) {
            err = -errno;
            break;
        }
    }
    if (err == 0)
        err = send_frame(fd, kind, addr, NULL, 0, NULL, 0);
    if (err == 0)
        err = recv_ack(fd, idp);
    if (err == -ENOTCONN)
        err = -EACCES;
    if (err < 0) {
        close(fd);
        return err;
    }
    *fdp = fd;
    return 0;
}

static int record_file(int fd, dev_t *dev, ino_t *ino)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -errno;
    *dev = st.st_dev;
    *ino = st.st_ino;
    return 0;
}

static int mk_sock_node(const char *name, int *csp, int *dsp)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int err = sock_path(&sun);
    if (err < 0)
        return err;
    if (name && *name && strlen(name) >= NG_NODESIZ)
        return -EINVAL;
    struct ngi_nc_node *n = calloc(1, sizeof(*n));
    if (!n)
        return -ENOMEM;
    n->req = n->cs = n->ds = -1;
    if (pthread_mutex_init(&n->req_lock, NULL) != 0) {
        free(n);
        return -ENOMEM;
    }
    if (pthread_mutex_init(&n->rx_lock, NULL) != 0) {
        pthread_mutex_destroy(&n->req_lock);
        free(n);
        return -ENOMEM;
    }
    err = open_channel(&sun, NGI_WIRE_HELLO, name && *name ? name : NULL, &n->req, &n->id);
    char idaddr[NGI_WIRE_IDADDR_SIZE];
    ngi_wire_idaddr(idaddr, n->id);
    if (err == 0 && csp)
        err = open_channel(&sun, NGI_WIRE_ATTACH_CTL, idaddr, &n->cs, NULL);
    if (err == 0 && csp)
        err = record_file(n->cs, &n->cs_dev, &n->cs_ino);
    if (err == 0 && dsp)
        err = open_channel(&sun, NGI_WIRE_ATTACH_DATA, idaddr, &n->ds, NULL);
    if (err == 0 && dsp)
        err = record_file(n->ds, &n->ds_dev, &n->ds_ino);
    if (err == 0 && (csp || dsp))
        err = table_add(n);
    if (err < 0 || (!csp && !dsp)) {
        /* Closing every connection shuts the node down (if it was made). */
        if (n->cs >= 0)
            close(n->cs);
        if (n->ds >= 0)
            close(n->ds);
        if (n->req >= 0)
            close(n->req);
        pthread_mutex_destroy(&n->req_lock);
        pthread_mutex_destroy(&n->rx_lock);
        free(n);
        return err;
    }
    if (csp)
        *csp = n->cs;
    if (dsp)
        *dsp = n->ds;
    if (ngi_nc_debug() >= 2)
        ngi_nc_logx("NgMkSockNode: node [%x]: named \"%s\", cs %d, ds %d", (unsigned)n->id,
                    name ? name : "", n->cs, n->ds);
    return 0;
}

int NgMkSockNode(const char *name, int *csp, int *dsp)
{
    int err = mk_sock_node(name, csp, dsp);
    return err < 0 ? ngi_nc_fail("NgMkSockNode", err) : 0;
}

/* ------------------------------------------------------------------------ */
/* Tokens                                                                   */
/* ------------------------------------------------------------------------ */

/* The process-wide message token counter: the next token to hand out, in
 * 1..INT_MAX (a CAS moves it on, so concurrent callers get distinct ones). */
static _Atomic uint32_t next_token = 1;

uint32_t ngi_nc_token(void)
{
    uint32_t t = atomic_load_explicit(&next_token, memory_order_relaxed);
    uint32_t nt;
    do {
        nt = t >= INT_MAX ? 1 : t + 1;
    } while (!atomic_compare_exchange_weak_explicit(&next_token, &t, nt, memory_order_relaxed,
                                                    memory_order_relaxed));
    return t;
}
