/*
 * The control server: a graph served over an AF_UNIX socket, as FreeBSD's
 * ng_socket(4) serves the kernel's graph to processes.
 *
 * ng_ctl_listen() binds a SOCK_SEQPACKET socket and serves it on a thread of
 * its own.  Every client that connects (libnetgraph's NgMkSockNode(),
 * <netgraph.h>; the tools ngctl and nghook) becomes a node of type "socket"
 * (NG_SOCKET_NODE_TYPE), named as the client asked or known as "[id]:".
 * The client sends control messages addressed by path with that node as the
 * sender and learns each one's error synchronously (the target's rcvmsg
 * has run when the answer comes); responses and other messages sent to the
 * node come back to the client, as does data arriving on the node's hooks,
 * which the client may connect anywhere in the graph and send data out of.
 * The node shuts down when the client closes its sockets (or dies); a
 * shutdown of the node (NGM_SHUTDOWN from anyone) closes them.
 *
 * Security: the socket is created in a directory of mode 0700 (0750 and the
 * configured group with `group`), and every connecting process's
 * credentials (SO_PEERCRED) are checked against the allowed uids and gids
 * before a byte is read: by default root and the server's own uid.  An
 * allowed client may message any node (as root may on FreeBSD) but has
 * bounded resources: a bounded output queue (overflow dropped, counted and
 * reported to it by a message, see NGM_SOCK_CMD_OVERFLOW), a handshake
 * deadline, and a cap on clients.  Frames: docs/protocol.md.
 */
#ifndef NGRAPH_SERVER_H
#define NGRAPH_SERVER_H

#include <stdint.h>
#include <sys/types.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The client's node type (FreeBSD's ng_socket): any hook name; data
 * arriving on a hook goes to the client's data socket (dropped, counted as
 * NG_DROP_DEAD, when it has none); messages to the client's control socket.
 * Messages it answers itself (cookie NGM_SOCKET_COOKIE, FreeBSD's numbers):
 *   NGM_SOCK_CMD_NOLINGER  shut the node down when its last hook goes
 *   NGM_SOCK_CMD_LINGER    (default) keep it
 * and it sends its client NGM_SOCK_CMD_OVERFLOW (struct ngm_sock_overflow)
 * after dropping messages or data the client did not read in time. */
#define NG_SOCKET_NODE_TYPE "socket"
#define NGM_SOCKET_COOKIE 851601233u
enum {
    NGM_SOCK_CMD_NOLINGER = 1,
    NGM_SOCK_CMD_LINGER = 2,
    /* libngraph's: the server -> its client, no FreeBSD equivalent */
    NGM_SOCK_CMD_OVERFLOW = 0x100,
};
struct ngm_sock_overflow {
    uint64_t msgs_dropped; /* since the last report */
    uint64_t data_dropped;
};

/* Default socket paths (NGRAPH_SOCKET overrides both, in ngraphd and in
 * libnetgraph): root's, and a user's under $XDG_RUNTIME_DIR. */
#define NG_CTL_SOCKET_ROOT "/run/ngraph/ngraph.sock"
#define NG_CTL_SOCKET_USER "ngraph.sock"

#define NG_CTL_MAX_IDS 16

struct ng_ctl_config {
    const char *path; /* socket path; its directory is created if missing */
    int group_set;    /* 0: directory 0700, socket 0600; else 0750/0660 and group */
    gid_t group;      /* owner group of the directory and socket when group_set */
    unsigned n_uids;  /* allowed uids (0 entries: root and the server's euid) */
    uid_t uids[NG_CTL_MAX_IDS];
    unsigned n_gids; /* allowed primary gids of clients, in addition to the uids */
    gid_t gids[NG_CTL_MAX_IDS];
    unsigned max_clients; /* connections at once (default 4096; 0: default); more are refused */
    size_t client_queue_bytes; /* output queue bound of each control and data connection
                                  (default 8 MiB; 0: default) */
    unsigned handshake_ms;     /* a connection's first frame must arrive by then (default 5000;
                                  0: default) */
};

/* Counters of a server (monotonic but clients_now). */
struct ng_ctl_stats {
    uint64_t accepted;           /* connections accepted (credentials allowed) */
    uint64_t refused_cred;       /* refused: uid/gid not allowed */
    uint64_t refused_limit;      /* refused: max_clients reached */
    uint64_t handshake_timeouts; /* cut off: no first frame in time */
    uint64_t bad_frames;         /* frames refused with an error (then cut off if unrecoverable) */
    uint64_t cut_off;            /* connections the server closed because of the client */
    uint64_t requests;           /* MSG and DATA requests that reached the graph */
    uint64_t msgs_out;           /* messages written to clients (a fragmented one once) */
    uint64_t data_out;           /* data items written to clients */
    uint64_t msgs_dropped;       /* messages dropped: queue full, no control socket, closed */
    uint64_t data_dropped;       /* data items dropped: queue full, no data socket, closed */
    uint64_t clients_now;        /* socket nodes alive now */
};

struct ng_ctl_server;

/*
 * Fill cfg with the defaults (path NULL: must be set).
 *   Context:  any thread; pure function.
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
void ng_ctl_config_init(struct ng_ctl_config *cfg);

/*
 * The default socket path: $NGRAPH_SOCKET if set and not empty, else
 * NG_CTL_SOCKET_ROOT for euid 0, else $XDG_RUNTIME_DIR/NG_CTL_SOCKET_USER.
 *   Context:  any thread (reads the environment).
 *   Consumes: nothing.
 *   Returns:  0 with the path in buf; -ENAMETOOLONG (does not fit size);
 *             -ENOENT (not root, no NGRAPH_SOCKET and no XDG_RUNTIME_DIR).
 */
int ng_ctl_default_path(char *buf, size_t size);

/*
 * Register the "socket" node type with g (ng_ctl_listen does it too).
 *   Context:  any thread; takes the control lock.
 *   Consumes: nothing.
 *   Returns:  0 (also if already registered); -EINVAL (g NULL); -ENOMEM.
 */
int ng_socket_type_register(struct ng_graph *g);

/*
 * Serve g on a new socket at cfg->path (an existing socket file there is
 * replaced only if nobody answers on it) from a new thread.
 *   Context:  an application thread; not inside a read-side section.
 *   Consumes: nothing (cfg is copied).
 *   Returns:  0 with the server in *sp; -EINVAL (NULL argument, path empty
 *             or longer than sun_path); -EADDRINUSE (a live server answers
 *             there, or a file that is not a socket is in the way);
 *             -EPERM (an existing directory owned by another user, or
 *             writable by others and not sticky); -EACCES/-EPERM (directory
 *             or socket cannot be made with the right owner and mode);
 *             -ENOTDIR; -ENOMEM; another negative errno of
 *             mkdir/socket/bind/listen/pthread_create.  The server thread
 *             waits in ng_send_msg_applied() while a request's target is
 *             busy (docs/protocol.md); it never waits for a client.
 */
int ng_ctl_listen(struct ng_graph *g, const struct ng_ctl_config *cfg, struct ng_ctl_server **sp);

/*
 * Stop serving: closes the listening socket (and unlinks it) and every
 * client connection, shuts their socket nodes down and joins the thread.
 * Data in flight to clients is dropped and counted.  NULL is ignored.
 *   Context:  an application thread, not a node method or worker; before
 *             ng_graph_destroy of the graph.
 *   Consumes: s.
 *   Returns:  nothing.
 */
void ng_ctl_close(struct ng_ctl_server *s);

/*
 * Read the server's counters.
 *   Context:  any thread.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (NULL argument).
 */
int ng_ctl_stats(const struct ng_ctl_server *s, struct ng_ctl_stats *st);

#ifdef __cplusplus
}
#endif

#endif
