/*
 * <netgraph.h>: libnetgraph, FreeBSD's netgraph(3) user library, for
 * libngraph's control server (ngraphd, or any program calling
 * ng_ctl_listen).  Link with -lnetgraph (pkg-config libnetgraph), which
 * also puts this directory on the include path, so a program written for
 * FreeBSD compiles unchanged.
 *
 * The functions, their arguments, return values and errno are FreeBSD's:
 * -1 with errno on failure.  Sockets are ordinary file descriptors to
 * poll(), select() and close(); NgMkSockNode() connects them to the server
 * at $NGRAPH_SOCKET, else /run/ngraph/ngraph.sock for root, else
 * $XDG_RUNTIME_DIR/ngraph.sock (NgSetSocketPath() overrides).  The node
 * shuts down when both of its sockets are closed.  What differs from
 * FreeBSD:
 *   - a socket node's sends go through a third, hidden connection that the
 *     library keeps per node (so that the synchronous error of a send never
 *     queues behind incoming messages); it is closed by the next
 *     NgMkSockNode() after the node's sockets were closed, or at exit;
 *   - sendto()/write() directly on the sockets are not supported: use
 *     NgSendMsg() and NgSendData();
 *   - NgSendData() waits for the server's verdict on the item (FreeBSD's
 *     sendto() returns once the item was handed to the graph: same errno);
 *   - a message that does not fit NgRecvMsg()'s buffer is discarded whole
 *     with EMSGSIZE (FreeBSD truncates it silently);
 *   - NgAllocRecvMsg() allocates exactly the message's size (FreeBSD:
 *     SO_RCVBUF bytes);
 *   - NgSendAsciiMsg() and NgRecvAsciiMsg() take the conversion's reply by
 *     its token: a message that arrived on the control socket just before
 *     it is discarded and logged (FreeBSD would mistake it for the reply).
 * The full page: docs/libnetgraph.md.
 */
#ifndef LIBNETGRAPH_NETGRAPH_H
#define LIBNETGRAPH_NETGRAPH_H

#include <stddef.h>
#include <sys/types.h>

#include <netgraph/ng_message.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Create a socket node: connect to the server and open a control socket
 * (*csp) and/or a data socket (*dsp) for it; either pointer may be NULL.
 * A non-NULL, non-empty name names the node.
 *   Context:  any thread.
 *   Consumes: nothing.
 *   Returns:  0 with the sockets stored (both pointers NULL: the node is
 *             made and at once shut down again); -1 with errno:
 *             ENOENT/ECONNREFUSED (no server at the socket path, or no
 *             default path: not root, no NGRAPH_SOCKET, no XDG_RUNTIME_DIR),
 *             ENAMETOOLONG (the path does not fit sun_path), EACCES
 *             (refused by the server's credentials check or its cap on
 *             clients), EADDRINUSE or EINVAL (name taken or not valid,
 *             NG_NODESIZ bytes or longer), EPROTO (a malformed answer),
 *             EMFILE, ENOMEM.
 */
int NgMkSockNode(const char *name, int *csp, int *dsp);

/*
 * Name the node at path (NGM_NAME).
 *   Context:  any thread.
 *   Consumes: nothing.
 *   Returns:  0; -1 with errno as NgSendMsg(), or EINVAL (the name does
 *             not fit NG_NODESIZ).
 */
int NgNameNode(int cs, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Send a binary control message (cookie, cmd, args of arglen bytes) to the
 * node at path, from cs's node.  If cmd has NGM_HASREPLY, returns only once
 * the response can be read from cs.
 *   Context:  any thread (calls on one socket are serialised).
 *   Consumes: nothing.
 *   Returns:  the message's token (> 0; a process-wide counter, wrapping
 *             from INT_MAX to 1); -1 with errno: the target's error (e.g.
 *             ENOENT no such node, EINVAL bad arguments), ENOTCONN (the
 *             node was shut down), EMSGSIZE (arglen > NG_MAX_MSG_ARGLEN),
 *             ENAMETOOLONG (path of NG_PATHSIZ bytes or more), EBADF (cs
 *             not the control socket of a NgMkSockNode() node, or closed),
 *             EPROTO (a malformed answer from the server).
 */
int NgSendMsg(int cs, const char *path, int cookie, int cmd, const void *args, size_t arglen);

/*
 * Send a message given in ASCII, "cmdname args..." (the target's type
 * converts it: NGM_ASCII2BINARY).
 *   Context:  any thread.
 *   Consumes: nothing.
 *   Returns:  the token of the binary message; -1 with errno (ENOSYS
 *             unknown command, EINVAL unparsable arguments, or no command
 *             name or one of NG_CMDSTRSIZ bytes or more, ENOMEM, EPROTO (a
 *             malformed reply), or as NgSendMsg()).
 */
int NgSendAsciiMsg(int cs, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Send a response to msg (its header with NGF_RESP, args of arglen bytes)
 * to path.
 *   Context:  any thread.
 *   Consumes: nothing.
 *   Returns:  0; -1 with errno as NgSendMsg().
 */
int NgSendReplyMsg(int cs, const char *path, const struct ng_mesg *msg, const void *args,
                   size_t arglen);

/*
 * Receive one message from cs into buf (replen bytes), and the sender's
 * address "[id]:" into path (NG_PATHSIZ bytes) unless path is NULL.  Blocks
 * unless cs is non-blocking.
 *   Context:  any thread.
 *   Consumes: nothing.
 *   Returns:  the message's length; -1 with errno: EMSGSIZE (did not fit:
 *             the message is discarded), EAGAIN, EINTR (a signal before
 *             anything was read), ENOTCONN (the node is gone), EBADF,
 *             EPROTO (the server sent a malformed frame).
 */
int NgRecvMsg(int cs, struct ng_mesg *buf, size_t replen, char *path);

/*
 * As NgRecvMsg(), into a buffer the library allocates (*buf; free() it).
 *   Context:  any thread.
 *   Consumes: nothing.
 *   Returns:  the length; -1 with errno.
 */
int NgAllocRecvMsg(int cs, struct ng_mesg **buf, char *path);

/*
 * Receive a message and convert it to ASCII (NGM_BINARY2ASCII to its
 * sender): buf receives the header (cmdstr = the command's name) and, as
 * data, the NUL-terminated text of its arguments.
 *   Context:  any thread.
 *   Consumes: nothing.
 *   Returns:  the length (header + text); -1 with errno: ERANGE (the ASCII
 *             form does not fit replen: it is discarded), the sender's
 *             error (ENOENT: it has gone; ENOSYS: it does not know the
 *             command), or as NgRecvMsg().
 */
int NgRecvAsciiMsg(int cs, struct ng_mesg *buf, size_t replen, char *path);

/*
 * As NgRecvAsciiMsg(), into a buffer the library allocates (free() it).
 *   Context:  any thread.
 *   Consumes: nothing.
 *   Returns:  the length; -1 with errno.
 */
int NgAllocRecvAsciiMsg(int cs, struct ng_mesg **buf, char *path);

/*
 * Send len bytes out of hook of ds's node.
 *   Context:  any thread.
 *   Consumes: nothing.
 *   Returns:  0; -1 with errno: EHOSTUNREACH (no such hook), ENOTCONN (hook
 *             not connected, or the node is gone), EINVAL (hook name too
 *             long), EMSGSIZE (len over 65536), ENOBUFS (dropped by the
 *             graph), EBADF.
 */
int NgSendData(int ds, const char *hook, const unsigned char *buf, size_t len);

/*
 * Receive one data packet from ds into buf (len bytes) and the hook it
 * arrived on into hook (NG_HOOKSIZ bytes) unless NULL.
 *   Context:  any thread.
 *   Consumes: nothing.
 *   Returns:  the packet's length (a longer packet is truncated to len, as
 *             recvfrom() does, and the length copied returned); -1 with
 *             errno (EAGAIN, EINTR, ENOTCONN, EBADF).
 */
int NgRecvData(int ds, unsigned char *buf, size_t len, char *hook);

/*
 * As NgRecvData(), into a buffer the library allocates (free() it).
 *   Context:  any thread.
 *   Consumes: nothing.
 *   Returns:  the length; -1 with errno.
 */
int NgAllocRecvData(int ds, unsigned char **buf, char *hook);

/*
 * Set the library's debug level (-1: only query).  At 1 and above errors
 * are logged; at 2 every message sent and received is decoded and logged;
 * at 3 and above with a hex dump of its arguments.
 *   Context:  any thread (a process-wide setting).
 *   Consumes: nothing.
 *   Returns:  the previous level.
 */
int NgSetDebug(int level);

/*
 * Set the functions the library logs with: log like warn(3) (called with
 * errno set to the error, which it appends), logx like warnx(3).  NULL
 * restores the default (warn and warnx: stderr).  Each is called with a
 * "%s" format and one finished line.
 *   Context:  any thread (a process-wide setting).
 *   Consumes: nothing.
 *   Returns:  nothing.
 */
void NgSetErrLog(void (*log)(const char *fmt, ...), void (*logx)(const char *fmt, ...));

/*
 * libngraph's extension: the server socket the next NgMkSockNode() calls
 * connect to (NULL: back to the default, see above).
 *   Context:  any thread (a process-wide setting, copied).
 *   Consumes: nothing.
 *   Returns:  0; -1 with errno ENAMETOOLONG.
 */
int NgSetSocketPath(const char *path);

#ifdef __cplusplus
}
#endif

#endif
