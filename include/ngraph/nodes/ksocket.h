/*
 * <ngraph/nodes/ksocket.h> - the "ksocket" node type (FreeBSD's
 * ng_ksocket(4)): a node that is a socket.  Cookie, command numbers,
 * structs and ASCII names are FreeBSD's <netgraph/ng_ksocket.h>; the
 * binary struct sockaddr is Linux's (sa_family_t first, no sa_len), and
 * family, option level and option numbers are Linux's (AF_INET6 is 10,
 * SOL_SOCKET 1).  Manual: docs/nodes/ksocket.md.
 *
 * The hook name is "family/type/proto" (names or decimal numbers, as
 * socket(2)): inet/dgram/udp, inet6/stream/tcp, local/stream/0, 2/2/17...
 * Connecting the hook opens the socket; disconnecting it, or shutting the
 * node down, closes it.  Data read from the socket leaves on the hook (a
 * datagram per item; stream bytes in items of at most one buffer); data
 * arriving on the hook is written to the socket.  End of file on a stream
 * is a zero-length item, as FreeBSD's.
 */
#ifndef NGRAPH_NODES_KSOCKET_H
#define NGRAPH_NODES_KSOCKET_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const struct ng_type ng_ksocket_type;

#define NG_KSOCKET_NODE_TYPE "ksocket"
#define NGM_KSOCKET_COOKIE 942710669u

enum {
    NGM_KSOCKET_BIND = 1,    /* struct sockaddr */
    NGM_KSOCKET_LISTEN,      /* int32_t backlog */
    NGM_KSOCKET_ACCEPT,      /* no argument; response struct ng_ksocket_accept */
    NGM_KSOCKET_CONNECT,     /* struct sockaddr; async response int32_t error */
    NGM_KSOCKET_GETNAME,     /* response struct sockaddr */
    NGM_KSOCKET_GETPEERNAME, /* response struct sockaddr */
    NGM_KSOCKET_SETOPT,      /* struct ng_ksocket_sockopt */
    NGM_KSOCKET_GETOPT,      /* struct ng_ksocket_sockopt (value empty); same back */
};

/* NGM_KSOCKET_SETOPT / NGM_KSOCKET_GETOPT: the value is the rest of the
 * message argument (arglen - 8 bytes). */
struct ng_ksocket_sockopt {
    int32_t level; /* second argument of [gs]etsockopt() */
    int32_t name;  /* third argument */
    uint8_t value[];
};
#define NG_KSOCKET_MAX_OPTLEN 1024 /* largest GETOPT answer */

/* NGM_KSOCKET_ACCEPT response (sent when a connection is taken): the new
 * node's id and the peer's address (the rest of the argument). */
struct ng_ksocket_accept {
    uint32_t nodeid;
    struct sockaddr addr; /* variable length: sockaddr_in, sockaddr_in6, ... */
};

/* Largest number of items a stream socket keeps while its send buffer is
 * full; beyond it items are dropped (NG_DROP_QUEUE, tx_qdrops). */
#define NG_KSOCKET_SENDQ_MAX 256u

/*
 * Datagram addresses in the item metadata area (ng_item_meta(), 32 bytes),
 * FreeBSD's NG_KSOCKET_TAG_SOCKADDR tag.  An unconnected inet or inet6
 * datagram socket attaches its sender's address to each item it reads
 * (nodeid: the receiving node).  An item arriving on the hook with magic
 * NG_KSOCKET_META_MAGIC and nodeid 0 (set by whoever made the item) or the
 * node's own id (a reply to what it read) is sent to that address; an
 * address another ksocket node attached is ignored (the item goes to the
 * connected peer), so ksocket -- ksocket relays work.  Without an address
 * the socket must be connected (else the item is dropped: -ENOTCONN).
 */
#define NG_KSOCKET_META_MAGIC 0x4b534b41u /* "KSKA" */
struct ng_ksocket_meta {
    uint32_t magic;    /* NG_KSOCKET_META_MAGIC when an address is present */
    uint32_t nodeid;   /* receiving ksocket node; 0: set by the sender */
    uint16_t family;   /* AF_INET or AF_INET6 */
    uint16_t port;     /* network byte order */
    uint32_t scope_id; /* IPv6 scope id (0 for IPv4) */
    uint8_t addr[16];  /* IPv4: the first 4 bytes (network order); IPv6: all */
};
#ifdef __cplusplus
static_assert(sizeof(struct ng_ksocket_meta) == NG_ITEM_META_SIZE, "ksocket meta layout");
#else
_Static_assert(sizeof(struct ng_ksocket_meta) == NG_ITEM_META_SIZE, "ksocket meta layout");
#endif

#ifdef __cplusplus
}
#endif

#endif
