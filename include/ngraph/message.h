/*
 * Control messages and addressing, as in netgraph(4).
 *
 * A message is a header followed by `arglen` argument bytes.  Messages are
 * sent to a node named by a path and delivered to its type's rcvmsg method
 * with writer access (exclusive with the node's other messages and
 * functions and with its netgraph-mode rcvdata; not with shared-mode rcvdata
 * nor with newhook/connect/disconnect, see struct ng_type).  Paths:
 *     "name:"           the node named name
 *     "[1f]:"           the node with hexadecimal id 1f
 *     "name:h1.h2"      from node name, follow hook h1 to its peer node, then
 *                       that node's hook h2 to its peer node
 *     "."  or ".:"      the sending node (only when sent from a node)
 *     "h1.h2"           relative: from the sending node through hooks
 * Generic messages (cookie NGM_GENERIC_COOKIE) are handled by the engine for
 * every node type, except NGM_TEXT_STATUS and NGM_TEXT_CONFIG, which go to
 * the type's rcvmsg (the engine answers TEXT_STATUS itself only for a type
 * without rcvmsg).  Their ASCII forms and the parse types: <ngraph/parse.h>,
 * docs/messages.md.
 */
#ifndef NGRAPH_MESSAGE_H
#define NGRAPH_MESSAGE_H

#include <stdint.h>
#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NG_VERSION 8 /* message header version */

/* Header flags. */
#define NGF_ORIG 0x00000000u /* the message is an original (command) */
#define NGF_RESP 0x00000001u /* the message is a response */

struct ng_mesg_header {
    uint8_t version; /* NG_VERSION */
    uint8_t spare;
    uint16_t spare2;
    uint32_t arglen;           /* bytes of argument data following the header */
    uint32_t cmd;              /* command identifier */
    uint32_t flags;            /* NGF_* */
    uint32_t token;            /* matches a response to its command */
    uint32_t typecookie;       /* node type the command belongs to */
    char cmdstr[NG_CMDSTRSIZ]; /* command name, for humans */
};

struct ng_mesg {
    struct ng_mesg_header header;
    char data[]; /* arglen bytes, suitably aligned for the argument structs */
};

/*
 * Allocate a message with `arglen` zeroed argument bytes (header version
 * NG_VERSION, flags NGF_ORIG, token 0, cmdstr empty).  Free with
 * ng_mesg_free() unless ownership is passed to a send function.
 *   Context:  any thread (malloc); no graph involved.
 *   Consumes: nothing; the caller owns the message.
 *   Returns:  the message; NULL if arglen > NG_MAX_MSG_ARGLEN or memory is
 *             exhausted.
 */
struct ng_mesg *ng_mesg_alloc(uint32_t cookie, uint32_t cmd, uint32_t arglen);

/*
 * Allocate a response to msg (same cookie, cmd, token and cmdstr; NGF_RESP
 * set) with `arglen` zeroed argument bytes.  A response may be larger than
 * a sender's argument (NG_MAX_MSG_ARGLEN): up to NG_MAX_RESP_ARGLEN (16 MiB),
 * what ng_send_msg() returns, the control socket (in fragments) and
 * libnetgraph's NgRecvMsg() carry, and ng_mesg_to_ascii() converts.  Only
 * NGM_BINARY2ASCII of such a response cannot be asked for: the request
 * carries the binary, which a sender may not make larger than
 * NG_MAX_MSG_ARGLEN (-EMSGSIZE); convert locally with ng_mesg_to_ascii().
 *   Context:  any thread (malloc); typically inside rcvmsg.
 *   Consumes: nothing (msg is only read).
 *   Returns:  the response; NULL if msg is NULL, arglen >
 *             NG_MAX_RESP_ARGLEN or memory is exhausted.
 */
struct ng_mesg *ng_mesg_response(const struct ng_mesg *msg, uint32_t arglen);

/*
 * Free a message the caller owns (not one still carried by an item: free
 * the item).  NULL is ignored.
 *   Context:  any thread.
 *   Consumes: msg.
 *   Returns:  nothing.
 */
void ng_mesg_free(struct ng_mesg *msg);

/*
 * Check a message header received from an untrusted source: version, flags,
 * cmdstr termination, arglen against `len` (total bytes available) and
 * NG_MAX_MSG_ARGLEN.
 *   Context:  any thread; pure function.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (msg NULL, len smaller than the header, version
 *             not NG_VERSION, a flag other than NGF_RESP, cmdstr without a
 *             NUL); -EMSGSIZE (arglen > NG_MAX_MSG_ARGLEN or more than the
 *             len - header bytes available).
 */
int ng_mesg_check(const struct ng_mesg *msg, size_t len);

/*
 * Send msg to the node addressed by `path`, relative to `from` (NULL for an
 * application thread, which then cannot use "." or relative paths).
 * Consumes msg in every case.  The message's token is set by the engine if 0.
 *
 * If resp is NULL the call returns once the target's rcvmsg has run (or the
 * message was queued behind a busy node): 0 or rcvmsg's error; any response
 * is freed.  If resp is not NULL the call waits for the response whose token
 * matches: *resp receives it (caller frees it; may be NULL if the node
 * answered with no message) and the return value is the node's error.
 * If `from` is a node, a response is instead delivered to from's rcvmsg
 * (flag NGF_RESP) and resp must be NULL.  The header is checked with
 * ng_mesg_check() against the message's real allocation first: msg must
 * come from ng_mesg_alloc() or ng_mesg_response(), and a header.arglen
 * raised past the bytes allocated is refused (-EMSGSIZE) before any node
 * reads the argument.
 *   Context:  any thread.  resp == NULL: node methods, batches and workers
 *             too; never waits (the target runs on this thread if it can be
 *             entered now, else the message is queued).  resp != NULL:
 *             only an application thread (from NULL) outside every
 *             read-side section of g (not in a node method, a batch or on a
 *             worker, where it could wait on itself); blocks until the
 *             target answered or the message was dropped.  No graph lock
 *             (generic messages take the control lock when they run).
 *   Consumes: msg (always, also on failure).
 *   Returns:  0 (resp NULL: rcvmsg ran and returned 0, or the message was
 *             queued); -EINVAL (g, path or msg NULL, from of another graph,
 *             a bad header, malformed path, "." or relative path without
 *             from, resp != NULL with from); -EMSGSIZE (arglen >
 *             NG_MAX_MSG_ARGLEN, or more than was allocated); -ENOMEM (no
 *             per-thread state, no memory
 *             for the item); -EDEADLK (resp != NULL inside a read-side
 *             section); -ENOENT (no such node, or a hook on the path missing
 *             or unconnected); -ESHUTDOWN (target shutting down; with resp,
 *             also: dropped while queued); or the target's error: rcvmsg's
 *             return value, the error passed to ng_respond() (resp != NULL,
 *             see struct ng_type's rcvmsg), or a generic message's error
 *             (-EINVAL for arguments shorter than the command's struct or
 *             an unterminated name in them, and unknown commands; -ENOSYS
 *             for NGM_ASCII2BINARY / NGM_BINARY2ASCII of an unknown command;
 *             -ENOMEM when the response cannot be allocated or would
 *             exceed NG_MAX_RESP_ARGLEN, the one limit on every response
 *             the engine builds; else the error of the
 *             topology call it performs: ng_mkpeer, ng_connect, ng_node_name,
 *             ng_rmhook, ng_node_shutdown, ng_path_resolve).
 */
int ng_send_msg(struct ng_graph *g, struct ng_node *from, const char *path, struct ng_mesg *msg,
                struct ng_mesg **resp);

/*
 * Send msg from node `from` (the return address; NULL for none) to the node
 * addressed by `path`, and wait until the target has applied it: its rcvmsg
 * (or the engine, for a generic message) has returned, or the message was
 * dropped.  This is what FreeBSD's ng_socket does for a control socket's
 * sendto(): the method's error is the sender's.  Responses are not
 * returned: they go to from's rcvmsg as for an asynchronous send (during
 * this call when the target answers at once, or later when it keeps the
 * item), and are discarded when from is NULL.  "." and relative paths start
 * at from.
 *   Context:  an application thread outside every read-side section of g
 *             (not in a node method, a batch or on a worker); blocks until
 *             the target's method has returned or the message was dropped.
 *             No graph lock.
 *   Consumes: msg (always, also on failure).
 *   Returns:  0 (the method returned 0); the errors of ng_send_msg() with
 *             resp NULL, except that -EDEADLK means a read-side section or
 *             a worker thread, and -ESHUTDOWN also covers a message dropped
 *             while queued; or the method's return value.
 */
int ng_send_msg_applied(struct ng_graph *g, struct ng_node *from, const char *path,
                        struct ng_mesg *msg);

/*
 * Send msg to the node on the other side of `hook` (NG_SEND_MSG_HOOK).  The
 * peer receives it with `lasthook` set to its own hook (it runs on this
 * thread if it can be entered now, else the message is queued).  Responses
 * are delivered to hook's node's rcvmsg.  There is no synchronous form.
 *   Context:  any thread holding a reference on hook (or in a method of its
 *             node), node methods, batches and workers included; no graph
 *             lock (rwlock: the topology read lock around the peer lookup);
 *             never waits.
 *   Consumes: msg (always, also on failure).
 *   Returns:  0 (ran, or queued); -EINVAL (hook or msg NULL, a bad header);
 *             -EMSGSIZE (arglen > NG_MAX_MSG_ARGLEN, or more than was
 *             allocated); -ENOMEM (no per-thread state, no memory for the
 *             item); -ENOTCONN (hook not
 *             connected); -ESHUTDOWN (the peer node is shutting down); or
 *             the peer's error (rcvmsg's return value or a generic
 *             message's error, as ng_send_msg) when it ran on this thread.
 */
int ng_send_msg_hook(struct ng_hook *hook, struct ng_mesg *msg);

/*
 * Pass a received message item on, unanswered, to the node on the other
 * side of `hook` (netgraph's NG_FWD_ITEM_HOOK): that node's rcvmsg gets the
 * same item with lasthook set to its own hook.  The item keeps its return
 * address, token and synchronous waiter, so the final recipient's response
 * (ng_respond) goes to the ORIGINAL sender, and a synchronous sender's
 * ng_send_msg() returns what the final recipient answered or returned.
 * Typical use: a type passes flow-control messages (NGM_FLOW_COOKIE) it
 * does not handle on towards the other side, as tee does (see
 * docs/messages.md: the flow-control convention).  Responses (NGF_RESP)
 * cannot be forwarded.  The item may be one the node kept to forward later.
 *   Context:  the item's owner: typically inside rcvmsg; any thread, node
 *             methods, batches and workers included; no graph lock
 *             (rwlock: the topology read lock around the peer lookup);
 *             never waits.  The next node's rcvmsg runs on this thread if
 *             it can be entered now, else the item is queued.
 *   Consumes: item (always, also on failure).
 *   Returns:  0 (ran, or queued); -EINVAL (item NULL, not a message item,
 *             a response; hook NULL); -EXDEV (hook of another graph);
 *             -ENOMEM (no per-thread state); -ENOTCONN (hook not
 *             connected); -ESHUTDOWN (the peer node is shutting down); or
 *             the next rcvmsg's return value when it ran on this thread.
 */
int ng_forward_msg(struct ng_item *item, struct ng_hook *hook);

/*
 * Pass a received message item on to the node with id `id`, as
 * ng_forward_msg() (lasthook NULL there).
 *   Context:  as ng_forward_msg().
 *   Consumes: item (always, also on failure).
 *   Returns:  0; -EINVAL (item NULL, not a message item, a response; id
 *             0); -ENOMEM; -ENOENT (no node with that id); -ESHUTDOWN; or
 *             the next rcvmsg's return value when it ran on this thread.
 */
int ng_forward_msg_id(struct ng_item *item, ng_id_t id);

/*
 * Inside rcvmsg: answer the message carried by item with resp (may be NULL:
 * status only) and error.  A synchronous sender gets resp and error; a
 * sending node gets resp delivered to its rcvmsg (error is not passed on,
 * nothing is sent if resp is NULL); for an application sender with resp ==
 * NULL both are discarded.  The item may also be kept and answered later
 * from any thread (a synchronous sender waits until then).
 *   Context:  the item's owner: rcvmsg, or any thread later; never waits
 *             (delivering to a sending node may run its rcvmsg on this
 *             thread, or queue it).
 *   Consumes: item and resp (always, also on failure).
 *   Returns:  0; -EINVAL (item NULL or not a message item: item and resp
 *             freed); -EMSGSIZE (resp's header.arglen exceeds what was
 *             allocated for it: both freed, nothing delivered); -ENOENT (the
 *             sending node has gone, or no per-thread state or memory to
 *             deliver to it: resp freed).
 */
int ng_respond(struct ng_item *item, int error, struct ng_mesg *resp);

/*
 * Resolve a path to a referenced node in *np (NULL on failure) and, if
 * lasthookp is not NULL, the target's hook the path arrived through in
 * *lasthookp (referenced; NULL for a path without hooks).  from is the node
 * relative paths and "." start from (NULL for none; a node of another graph
 * is refused).
 *   Context:  any thread, node methods included; no lock (rwlock: the
 *             topology read lock); never waits.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (g, path or np NULL, from of another graph,
 *             malformed path, "." or a relative path with from NULL);
 *             -ENOMEM (no per-thread state);
 *             -ENOENT (no such node, a hook on the path missing or
 *             unconnected, or the node being freed).
 */
int ng_path_resolve(struct ng_graph *g, struct ng_node *from, const char *path, struct ng_node **np,
                    struct ng_hook **lasthookp);

/*
 * Validate a node, hook or type name against a buffer of `size` bytes
 * (NG_NODESIZ, NG_HOOKSIZ, NG_TYPESIZ).
 *   Context:  any thread; pure function.
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (name NULL or empty, size - 1 bytes or longer, or
 *             a byte outside printable ASCII or one of '.', ':', '[', ']'
 *             and space).
 */
int ng_name_check(const char *name, size_t size);

/* ------------------------------------------------------------------------ */
/* Generic messages                                                         */
/* ------------------------------------------------------------------------ */

/* Values, flags and layouts as FreeBSD's <netgraph/ng_message.h>. */
#define NGM_GENERIC_COOKIE 1137070366u

/* ORed into a command: it does not change anything / it always answers
 * (clients wait for a response only when NGM_HASREPLY is set). */
#define NGM_READONLY 0x10000000u
#define NGM_HASREPLY 0x20000000u

enum {
    NGM_SHUTDOWN = 1, /* no args; shut the node down */
    NGM_MKPEER = 2,   /* struct ngm_mkpeer */
    NGM_CONNECT = 3,  /* struct ngm_connect */
    NGM_NAME = 4,     /* struct ngm_name */
    NGM_RMHOOK = 5,   /* struct ngm_rmhook */
    /* no args; response struct nodeinfo */
    NGM_NODEINFO = 6 | NGM_READONLY | NGM_HASREPLY,
    /* no args; response struct hooklist */
    NGM_LISTHOOKS = 7 | NGM_READONLY | NGM_HASREPLY,
    /* no args; response struct namelist (named nodes) */
    NGM_LISTNAMES = 8 | NGM_READONLY | NGM_HASREPLY,
    /* no args; response struct namelist (all nodes) */
    NGM_LISTNODES = 9 | NGM_READONLY | NGM_HASREPLY,
    /* no args; response struct typelist */
    NGM_LISTTYPES = 10 | NGM_READONLY | NGM_HASREPLY,
    /* no args; response: NUL-terminated text (the type's rcvmsg answers) */
    NGM_TEXT_STATUS = 11 | NGM_READONLY | NGM_HASREPLY,
    /* arg: a whole struct ng_mesg; response: it in ASCII form */
    NGM_BINARY2ASCII = 12 | NGM_READONLY | NGM_HASREPLY,
    /* arg: a struct ng_mesg in ASCII form; response: it in binary */
    NGM_ASCII2BINARY = 13 | NGM_READONLY | NGM_HASREPLY,
    /* optional arg: text to set; response: text (the type's rcvmsg) */
    NGM_TEXT_CONFIG = 14,
};

/* Flow-control messages, passed along the graph between nodes; the engine
 * does not handle them (FreeBSD's NGM_FLOW_COOKIE set). */
#define NGM_FLOW_COOKIE 851672669u
enum {
    NGM_LINK_IS_UP = 32,        /* upstream: carrier found */
    NGM_LINK_IS_DOWN = 33,      /* upstream: carrier lost */
    NGM_HIGH_WATER_PASSED = 34, /* struct ngm_queue_state */
    NGM_LOW_WATER_PASSED = 35,  /* struct ngm_queue_state */
    NGM_SYNC_QUEUE_STATE = 36,  /* struct ngm_queue_state */
    NGM_DROP_LINK = 41,         /* downstream: drop DTR etc. */
    NGM_RAISE_LINK = 42,
    NGM_FLUSH_QUEUE = 43,
    NGM_GET_BANDWIDTH = 44 | NGM_READONLY, /* response struct ngm_bandwidth */
    NGM_SET_XMIT_Q_LIMITS = 45,            /* struct ngm_queue_state */
    NGM_GET_XMIT_Q_LIMITS = 46 | NGM_READONLY,
    NGM_MICROMANAGE = 47,
    NGM_SET_FLOW_MANAGER = 48, /* struct flow_manager */
};

/* libngraph's own engine messages, answered for every node (no FreeBSD
 * equivalent; the cookie is "ngrp" and collides with none of FreeBSD's). */
#define NGM_NGRAPH_COOKIE 0x6e677270u
enum {
    /* no args; response struct ng_node_stats + hooks (<ngraph/runtime.h>) */
    NGM_STATS = 1 | NGM_READONLY | NGM_HASREPLY,
};

struct ngm_mkpeer {
    char type[NG_TYPESIZ];
    char ourhook[NG_HOOKSIZ];
    char peerhook[NG_HOOKSIZ];
};

struct ngm_connect {
    char path[NG_PATHSIZ];
    char ourhook[NG_HOOKSIZ];
    char peerhook[NG_HOOKSIZ];
};

struct ngm_name {
    char name[NG_NODESIZ];
};

struct ngm_rmhook {
    char ourhook[NG_HOOKSIZ];
};

struct nodeinfo {
    char name[NG_NODESIZ];
    char type[NG_TYPESIZ];
    ng_id_t id;
    uint32_t hooks;
};

struct linkinfo {
    char ourhook[NG_HOOKSIZ];
    char peerhook[NG_HOOKSIZ];
    struct nodeinfo nodeinfo; /* the peer node */
};

struct hooklist {
    struct nodeinfo nodeinfo; /* this node */
    struct linkinfo link[];   /* nodeinfo.hooks entries */
};

struct namelist {
    uint32_t numnames;
    struct nodeinfo nodeinfo[];
};

struct typeinfo {
    char type_name[NG_TYPESIZ];
    uint32_t numnodes;
};

struct typelist {
    uint32_t numtypes;
    struct typeinfo typeinfo[];
};

struct ngm_bandwidth {
    uint64_t nominal_in;
    uint64_t seen_in;
    uint64_t nominal_out;
    uint64_t seen_out;
};

struct ngm_queue_state {
    unsigned int queue_priority;
    unsigned int max_queuelen_bytes;
    unsigned int max_queuelen_packets;
    unsigned int low_watermark;
    unsigned int high_watermark;
    unsigned int current;
};

struct flow_manager {
    ng_id_t id;
};

#ifdef __cplusplus
}
#endif

#endif
