/*
 * client.h - libnetgraph's private declarations (src/client/): the table of
 * socket nodes this process made, the request channel, receiving frames,
 * and the debug/error log.  Names are ngi_nc_ (netgraph client).
 */
#ifndef NGI_CLIENT_CLIENT_H
#define NGI_CLIENT_CLIENT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <netgraph.h>

#include "wire/wire.h"

/* Which of a node's user sockets a call wants. */
enum ngi_nc_role {
    NGI_NC_CTL = 1,  /* the control socket (*csp of NgMkSockNode) */
    NGI_NC_DATA = 2, /* the data socket (*dsp) */
};

/*
 * One socket node made by NgMkSockNode().
 *
 * Invariants:
 *   - req, id and the mutexes are set before the node is published in the
 *     table and never change until it is freed.
 *   - cs, ds and their (dev, ino) are written only before publication; -1
 *     for a socket that was not asked for.  Read under the table mutex
 *     (lookup and reaping).
 *   - refs counts the callers using the node now; written only under the
 *     table mutex.  The node is freed (req closed) only under the table
 *     mutex with refs == 0 and both user sockets gone (closed, or their fd
 *     numbers reused for other files), by ngi_nc_reap() or at exit.
 *   - req_lock serialises one request frame with its ACK on req (several
 *     threads may use one node); rx_lock keeps the fragments of one message
 *     read from cs together when several threads receive on it.
 */
struct ngi_nc_node {
    int req; /* the request connection: the library's own */
    ng_id_t id;
    int cs, ds; /* the user's sockets, -1 if not made */
    dev_t cs_dev, ds_dev;
    ino_t cs_ino, ds_ino;
    unsigned refs; /* table mutex */
    pthread_mutex_t req_lock;
    pthread_mutex_t rx_lock;
    /* Receive buffer of the control socket (NGI_WIRE_FRAME_MAX bytes, made
     * on first use), guarded by rx_lock, freed with the node. */
    uint8_t *rx_buf;
};

/* Find the node whose user socket of `role` is fd (the same open file as
 * when it was made) and take a reference.  Returns the node; NULL with
 * errno EBADF. */
struct ngi_nc_node *ngi_nc_get(int fd, enum ngi_nc_role role);
/* Drop the reference of ngi_nc_get(). */
void ngi_nc_put(struct ngi_nc_node *n);

/*
 * Send one request frame (MSG or DATA; payload in up to two pieces) on n's
 * request connection and wait for its ACK.  Returns 0, or -errno: the
 * ACK's error, -ENOTCONN (the server closed the connection: node gone),
 * -EPROTO (not an ACK), or the error of sendmsg/recv.
 */
int ngi_nc_request(struct ngi_nc_node *n, enum ngi_wire_kind kind, const char *addr, const void *p1,
                   size_t l1, const void *p2, size_t l2);

/*
 * Receive one record from fd into buf (size bytes).  Blocks unless fd is
 * non-blocking, or `wait` is set (then it polls for the record and retries
 * after a signal: used for ACKs and the fragments after the first).
 * Returns the record's length; -EAGAIN, -EINTR (only without wait),
 * -ENOTCONN (EOF or reset), -EPROTO (the record did not fit buf, or does
 * not decode), or another -errno.  On success *f is the decoded frame.
 */
ssize_t ngi_nc_recv_frame(int fd, void *buf, size_t size, int wait, struct ngi_wire_frame *f);

/* A fresh message token: 1..INT_MAX, wrapping to 1, never 0. */
uint32_t ngi_nc_token(void);

/* Send a message (header hdr, args of arglen bytes) from n to path.
 * If hdr->cmd has NGM_HASREPLY and the node has a control socket, waits
 * until cs is readable.  Returns 0 or -errno (debug-logged). */
int ngi_nc_deliver(struct ngi_nc_node *n, const char *path, const struct ng_mesg_header *hdr,
                   const void *args, size_t arglen);

/* Receive one message from cs of n (fragments reassembled) into *bufp: a
 * buffer of *sizep bytes when alloc is 0 (EMSGSIZE if it does not fit: the
 * message is read and discarded), else one malloc'ed to its size.  Sender
 * into path (NG_PATHSIZ) unless NULL.  Returns the length or -errno. */
int ngi_nc_recv_msg(struct ngi_nc_node *n, struct ng_mesg **bufp, size_t size, int alloc,
                    char *path);

/* Debug level (NgSetDebug) and logging. */
int ngi_nc_debug(void);
/* warn(3)-style: the message, then ": " and strerror(err) (err > 0). */
void ngi_nc_log(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* warnx(3)-style. */
void ngi_nc_logx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* At debug level >= 2: log a message's header (and at >= 3 a hex dump of
 * its arguments); what says "SENDING" or "RECEIVED", path the peer. */
void ngi_nc_debug_msg(const char *what, const char *path, const struct ng_mesg *m, size_t len);
/* At debug level >= 2: log a data packet (hex dump at >= 3). */
void ngi_nc_debug_data(const char *what, const char *hook, const void *buf, size_t len);

/* Fail a public call: log at level >= 1, set errno = -err, return -1. */
int ngi_nc_fail(const char *fn, int err);

#endif
