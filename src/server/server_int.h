/*
 * server_int.h - private structures of the control server (src/server/):
 * the server, its connections, the client object behind every socket node,
 * and the functions the files of this folder share (ngi_srv_*, ngi_conn_*,
 * ngi_client_*, ngi_sock_*).  Protocol: docs/protocol.md.
 *
 * Threads and ownership (the invariants every file relies on):
 *
 *  - The server thread owns the listening socket, the epoll set and every
 *    struct ngi_conn: it alone creates, closes and frees connections, and
 *    it alone reads from them.  Other threads (workers, application
 *    threads running a socket node's rcvmsg/rcvdata) only write to the
 *    control and data connections of a client, and only under that
 *    client's mutex, through the client's ctl/data pointers; the server
 *    thread detaches a connection from its client under the same mutex
 *    before it closes the descriptor, so no producer ever writes to a
 *    closed (or reused) descriptor.
 *  - Output: every attached connection has a FIFO of whole records
 *    (struct ngi_rec), guarded by the client mutex.  A producer that finds
 *    the FIFO empty tries a non-blocking sendmsg() at once; what does not
 *    go is queued and the connection's epoll mask gains EPOLLOUT (epoll_ctl
 *    under the client mutex, so the mask and the FIFO agree), and the
 *    server thread flushes it when it becomes writable.  Nothing ever
 *    blocks on a client.
 *  - struct ngi_client is reference counted: one reference belongs to the
 *    socket node (its private pointer, dropped by the type's shutdown
 *    method, which the engine runs once no method of the node can still be
 *    running, so rcvmsg/rcvdata always find the client alive), one to the
 *    server while the client is on its list (dropped when the server has
 *    seen the node's shutdown and closed the client's connections).  The
 *    last reference frees it.
 *  - srv->mu guards only srv->dead (clients whose node has shut down, for
 *    the server thread to close); it is never held with a client mutex.
 */
#ifndef NGI_SERVER_INT_H
#define NGI_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ngraph/ngraph.h>
#include <ngraph/server.h>

#include "wire/wire.h"

/* What a queued record counts as when it is sent or dropped. */
enum ngi_rec_kind {
    NGI_REC_OTHER = 0, /* an ACK, or a fragment but the last of a message */
    NGI_REC_MSG,       /* the last (or only) frame of a message */
    NGI_REC_DATA,      /* a data item */
};

/* One whole frame waiting to be sent. */
struct ngi_rec {
    struct ngi_rec *next;
    uint32_t len;
    uint8_t kind; /* enum ngi_rec_kind */
    uint8_t data[];
};

enum ngi_role {
    NGI_ROLE_NEW = 0, /* no first frame yet */
    NGI_ROLE_REQ,
    NGI_ROLE_CTL,
    NGI_ROLE_DATA,
};

struct ngi_client;

struct ngi_conn {
    int fd;
    enum ngi_role role;         /* server thread only */
    struct ngi_client *cl;      /* set (server thread) before the conn is attached */
    uint64_t deadline_ns;       /* NEW: handshake deadline (CLOCK_MONOTONIC) */
    struct ngi_conn *next_new;  /* server thread: FIFO of NEW connections */
    struct ngi_conn *next_free; /* server thread: closed, freed after the epoll batch */
    bool closed;                /* server thread: closed, events for it are stale */
    bool want_in;               /* whether EPOLLIN is wanted (request backpressure) */
    /* Guarded by cl->mu once attached (server thread only before): */
    struct ngi_rec *qhead, **qtail;
    size_t qbytes;
    uint32_t events; /* the epoll mask registered now */
    bool broken;     /* a send failed for good: output dropped */
    bool registered; /* in the epoll set */
};

struct ngi_client {
    pthread_mutex_t mu;
    atomic_int refs;
    atomic_bool nolinger; /* NGM_SOCK_CMD_NOLINGER seen */
    ng_id_t id;           /* set by the constructor */
    /* Guarded by mu: */
    struct ng_ctl_server *srv; /* NULL: a socket node no server owns */
    struct ngi_conn *req, *ctl, *data;
    bool dead;                   /* the node has shut down */
    uint64_t ovf_msgs, ovf_data; /* dropped since the last OVERFLOW report */
    /* Server thread only: */
    struct ng_node *node; /* the server's reference (NULL once dropped) */
    bool had_chan;        /* a control or data channel was attached */
    bool shut;            /* ng_node_shutdown() called (or it shut down) */
    bool listed;          /* on srv's client list */
    struct ngi_client *prev, *next;
    /* Guarded by srv->mu: */
    struct ngi_client *dead_next;
    bool on_dead;
};

struct ng_ctl_server {
    struct ng_graph *g;
    struct ng_ctl_config cfg;
    char path[108];
    int lfd;        /* listening socket, -1 when none */
    int epfd;       /* epoll set */
    int evfd;       /* eventfd: wakes the server thread */
    int spare_fd;   /* /dev/null, given up to accept (and refuse) at EMFILE */
    dev_t sock_dev; /* the socket file we bound, unlinked on close if */
    ino_t sock_ino; /* it is still that one */
    pthread_t thread;
    atomic_bool stop;
    /* Set by the socket type's close method (any thread: a node of ours
     * began shutting down), cleared by the server thread's gc_check. */
    atomic_bool gc_pending;
    /* Server thread only: */
    struct ngi_client *clients; /* doubly linked */
    struct ngi_conn *new_head, **new_tail;
    struct ngi_conn *free_list;
    unsigned nconns;
    uint8_t *rbuf; /* receive buffer, NGI_WIRE_MSG_MAX bytes */
    /* Guarded by mu: */
    pthread_mutex_t mu;
    struct ngi_client *dead;
    /* Counters (relaxed atomics, any thread). */
    _Atomic uint64_t accepted, refused_cred, refused_limit, handshake_timeouts, bad_frames, cut_off,
        requests, msgs_out, data_out, msgs_dropped, data_dropped, clients_now;
};

#define NGI_STAT_ADD(s, f, n) atomic_fetch_add_explicit(&(s)->f, (n), memory_order_relaxed)

/* ---- socknode.c: the "socket" node type ---- */
extern const struct ng_type ngi_socket_type;
/* Take / drop a reference on a client; the last drop frees it. */
void ngi_client_ref(struct ngi_client *cl);
void ngi_client_unref(struct ngi_client *cl);

/* ---- conn.c: output queues ---- */
/* Allocate a connection for fd (role NEW, nothing queued). */
struct ngi_conn *ngi_conn_new(int fd);
/* Queue (or send at once) one frame on c; under cl->mu (or, for a
 * connection no producer can see, on the server thread).  With bounded,
 * a frame that does not fit the queue bound (unless the queue is empty) is
 * refused with -ENOBUFS.  Returns 0, -ENOBUFS, -EPIPE (connection broken),
 * -ENOMEM. */
int ngi_conn_put(struct ng_ctl_server *s, struct ngi_conn *c, const struct iovec *iov, int niov,
                 enum ngi_rec_kind kind, bool bounded);
/* Queue frames of one message (fragmented) on c, all or none. */
int ngi_conn_put_msg(struct ng_ctl_server *s, struct ngi_conn *c, const char *addr, const void *msg,
                     uint32_t len);
/* Send what is queued on c until EAGAIN; update the epoll mask.  Under
 * cl->mu.  Returns 0 (all sent or waiting for EPOLLOUT), -EPIPE (broken). */
int ngi_conn_flush(struct ng_ctl_server *s, struct ngi_conn *c);
/* Set c's epoll mask from want_in and its queue (registers it the first
 * time).  Under cl->mu once attached. */
void ngi_conn_events(struct ng_ctl_server *s, struct ngi_conn *c);
/* Drop everything queued on c (counted as dropped). */
void ngi_conn_drop_queue(struct ng_ctl_server *s, struct ngi_conn *c);
/* Queue an ACK on c. */
int ngi_conn_ack(struct ng_ctl_server *s, struct ngi_conn *c, int err, uint32_t aux);
/* After output went out on one of cl's connections: queue the OVERFLOW
 * report on its control connection if drops are pending and it has room.
 * Under cl->mu. */
void ngi_client_report_overflow(struct ngi_client *cl);

/* ---- server.c / request.c ---- */
/* Allocate a server for g without socket or thread (epoll and eventfd
 * only): ng_ctl_listen builds on it, the fuzzer uses it as is. */
int ngi_srv_new(struct ng_graph *g, const struct ng_ctl_config *cfg, struct ng_ctl_server **sp);
/* Free a server whose thread is not running: closes every connection,
 * shuts the socket nodes down and waits for their shutdown methods. */
void ngi_srv_free(struct ng_ctl_server *s);
/* HELLO: create a socket node (named name unless "") owned by s; on
 * success *clp is on s's list.  Returns 0 or a negative errno (the node is
 * then gone): -EADDRINUSE (name taken), -EINVAL (bad name), -ENOMEM... */
int ngi_srv_hello(struct ng_ctl_server *s, const char *name, struct ngi_client **clp);
/* Attach connection c to the client of the socket node at addr as role
 * (CTL or DATA; REQ: to cl directly, addr ignored, cl given).  Queues the
 * ACK itself on success.  Returns 0 or the negative errno to ACK. */
int ngi_srv_attach(struct ng_ctl_server *s, struct ngi_conn *c, enum ngi_role role,
                   const char *addr, struct ngi_client *cl);
/* Handle one decoded request frame (MSG or DATA) of cl; returns 0 or the
 * negative errno its ACK carries.  Flushes cl's control output first. */
int ngi_srv_request(struct ng_ctl_server *s, struct ngi_client *cl, const struct ngi_wire_frame *f);
/* Close connection c (detached from its client first) and apply the
 * client's lifetime rule.  Server thread (or the fuzzer, single-threaded). */
void ngi_srv_conn_close(struct ng_ctl_server *s, struct ngi_conn *c);
/* Close every connection of clients whose node has shut down. */
void ngi_srv_reap_dead(struct ng_ctl_server *s);
/* Wake the server thread. */
void ngi_srv_wake(struct ng_ctl_server *s);

#endif
