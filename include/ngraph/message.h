/*
 * Control messages and addressing, as in netgraph(4).
 *
 * A message is a header followed by `arglen` argument bytes.  Messages are
 * sent to a node named by a path and delivered to its type's rcvmsg method
 * with writer (exclusive) access.  Paths:
 *     "name:"           the node named name
 *     "[1f]:"           the node with hexadecimal id 1f
 *     "name:h1.h2"      from node name, follow hook h1 to its peer node, then
 *                       that node's hook h2 to its peer node
 *     "."  or ".:"      the sending node (only when sent from a node)
 *     "h1.h2"           relative: from the sending node through hooks
 * Generic messages (cookie NGM_GENERIC_COOKIE) are handled by the engine for
 * every node type.
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
    uint8_t version;   /* NG_VERSION */
    uint8_t spare;
    uint16_t spare2;
    uint32_t arglen;   /* bytes of argument data following the header */
    uint32_t cmd;      /* command identifier */
    uint32_t flags;    /* NGF_* */
    uint32_t token;    /* matches a response to its command */
    uint32_t typecookie; /* node type the command belongs to */
    char cmdstr[NG_CMDSTRSIZ]; /* command name, for humans */
};

struct ng_mesg {
    struct ng_mesg_header header;
    char data[]; /* arglen bytes, suitably aligned for the argument structs */
};

/*
 * Allocate a message with `arglen` zeroed argument bytes.  Returns NULL if
 * arglen > NG_MAX_MSG_ARGLEN or memory is exhausted.  Free with ng_mesg_free()
 * unless ownership is passed to a send function.
 */
struct ng_mesg *ng_mesg_alloc(uint32_t cookie, uint32_t cmd, uint32_t arglen);
/* Allocate a response to msg (same cookie, cmd, token; NGF_RESP set). */
struct ng_mesg *ng_mesg_response(const struct ng_mesg *msg, uint32_t arglen);
void ng_mesg_free(struct ng_mesg *msg);

/*
 * Check a message header received from an untrusted source: version, arglen
 * against `len` (total bytes available) and NG_MAX_MSG_ARGLEN.  Returns 0,
 * -EINVAL (bad version/flags), -EMSGSIZE (arglen inconsistent or oversize).
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
 * (flag NGF_RESP) and resp must be NULL.
 *
 * Errors: -EINVAL (malformed path or message, "." without sender), -ENOENT
 * (no such node or hook on the path), -ESHUTDOWN (target shutting down),
 * -EMSGSIZE (oversize arguments), or the target's error.  Must not be called
 * with resp != NULL from inside a node method (it could wait on itself).
 */
int ng_send_msg(struct ng_graph *g, struct ng_node *from, const char *path,
                struct ng_mesg *msg, struct ng_mesg **resp);

/*
 * Send msg to the node on the other side of `hook` (NG_SEND_MSG_HOOK).  The
 * peer receives it with `lasthook` set to its own hook.  Consumes msg.
 * Responses are delivered to hook's node.  Returns 0, -ENOTCONN, or the
 * peer's rcvmsg error.
 */
int ng_send_msg_hook(struct ng_hook *hook, struct ng_mesg *msg);

/*
 * Inside rcvmsg: answer the message carried by item with resp (may be NULL:
 * status only) and error.  Consumes item and resp.  Returns 0, or -ENOENT if
 * the sender has gone (resp freed).
 */
int ng_respond(struct ng_item *item, int error, struct ng_mesg *resp);

/* Resolve a path to a referenced node (and, for hook paths, the last hook
 * traversed, referenced, or NULL).  Errors as ng_send_msg(). */
int ng_path_resolve(struct ng_graph *g, struct ng_node *from, const char *path,
                    struct ng_node **np, struct ng_hook **lasthookp);

/* Validate a node, hook or type name: 0 or -EINVAL. */
int ng_name_check(const char *name, size_t size);

/* ------------------------------------------------------------------------ */
/* Generic messages                                                         */
/* ------------------------------------------------------------------------ */

#define NGM_GENERIC_COOKIE 1137070366u

enum {
    NGM_SHUTDOWN = 1,     /* no args; shut the node down */
    NGM_MKPEER = 2,       /* struct ngm_mkpeer */
    NGM_CONNECT = 3,      /* struct ngm_connect */
    NGM_NAME = 4,         /* struct ngm_name */
    NGM_RMHOOK = 5,       /* struct ngm_rmhook */
    NGM_NODEINFO = 6,     /* no args; response struct nodeinfo */
    NGM_LISTHOOKS = 7,    /* no args; response struct hooklist */
    NGM_LISTNAMES = 8,    /* no args; response struct namelist (named nodes) */
    NGM_LISTNODES = 9,    /* no args; response struct namelist (all nodes) */
    NGM_LISTTYPES = 10,   /* no args; response struct typelist */
    NGM_TEXT_STATUS = 11, /* no args; response: NUL-terminated text */
    NGM_STATS = 12,       /* no args; response struct ng_node_stats (runtime) */
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

#ifdef __cplusplus
}
#endif

#endif
