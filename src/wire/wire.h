/*
 * wire.h - the frames of libngraph's control socket (docs/protocol.md).
 *
 * A client of the control server (src/server/) talks to it over AF_UNIX
 * SOCK_SEQPACKET connections; every record is one frame:
 *
 *     struct ngi_wire_hdr | address (addrlen bytes, NUL included) | payload
 *
 * in host byte order (both ends are on one machine).  Which channel a
 * connection is, is fixed by its first frame:
 *     HELLO        request channel: creates the client's socket node
 *     ATTACH_CTL   control channel of that node (messages to the client)
 *     ATTACH_DATA  data channel of that node (data to the client)
 * Requests (MSG, DATA) go on the request channel and are answered there by
 * an ACK carrying the error; what the graph sends the client arrives on the
 * control and data channels, which the client only reads, so an ACK never
 * queues behind an asynchronous message (and poll() on the user's sockets
 * means what it says).  Shared by libngraph and libnetgraph; internal names
 * (ngi_wire_).
 */
#ifndef NGI_WIRE_WIRE_H
#define NGI_WIRE_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <ngraph/ngraph.h>

#define NGI_WIRE_MAGIC 0x474eu /* "NG" */
#define NGI_WIRE_VERSION 1

enum ngi_wire_kind {
    NGI_WIRE_HELLO = 1,       /* C->S, first on a request channel: addr = node name or "" */
    NGI_WIRE_ATTACH_CTL = 2,  /* C->S, first on a control channel: addr = "[id]:" */
    NGI_WIRE_ATTACH_DATA = 3, /* C->S, first on a data channel: addr = node path */
    NGI_WIRE_ACK = 4,         /* S->C: error = 0 or a positive errno; aux: see below */
    NGI_WIRE_MSG = 5,         /* C->S: addr = path; S->C: addr = sender "[id]:"; payload: ng_mesg */
    NGI_WIRE_DATA = 6,        /* both ways: addr = hook name; payload: the item's bytes */
    NGI_WIRE_KIND_MAX = NGI_WIRE_DATA,
};

/* Frame flags. */
#define NGI_WIRE_F_MORE 0x1u /* S->C MSG: the payload continues in the next frame */

/*
 * aux: HELLO's and ATTACH_*'s ACK: the socket node's id.  MSG S->C: the
 * whole message's length in bytes (the sum of its fragments' payloads).
 * DATA S->C: 0.  Otherwise 0.
 */
struct ngi_wire_hdr {
    uint16_t magic;   /* NGI_WIRE_MAGIC */
    uint8_t version;  /* NGI_WIRE_VERSION */
    uint8_t kind;     /* enum ngi_wire_kind */
    uint16_t addrlen; /* address bytes after the header, its NUL included; 0: none */
    uint16_t flags;   /* NGI_WIRE_F_* */
    int32_t error;    /* ACK: 0 or a positive errno; else 0 */
    uint32_t aux;
    uint32_t paylen; /* payload bytes after the address */
};
_Static_assert(sizeof(struct ngi_wire_hdr) == 20, "wire header layout");

/* Limits.  A client's frame carries at most a message of NG_MAX_MSG_ARGLEN
 * argument bytes or NGI_WIRE_DATA_MAX data bytes; the server fragments a
 * larger message it sends (a big LISTNODES response) into frames of at most
 * NGI_WIRE_FRAG payload bytes. */
#define NGI_WIRE_ADDR_MAX NG_PATHSIZ /* addrlen, NUL included */
#define NGI_WIRE_DATA_MAX 65536u
#define NGI_WIRE_FRAG 65536u
#define NGI_WIRE_MSG_MAX (sizeof(struct ngi_wire_hdr) + NGI_WIRE_ADDR_MAX + 64u + NG_MAX_MSG_ARGLEN)
#define NGI_WIRE_FRAME_MAX                                                                         \
    (sizeof(struct ngi_wire_hdr) + NGI_WIRE_ADDR_MAX +                                             \
     (NGI_WIRE_FRAG > 64u + NG_MAX_MSG_ARGLEN ? NGI_WIRE_FRAG : 64u + NG_MAX_MSG_ARGLEN))

/* A decoded frame: pointers into the record it was decoded from. */
struct ngi_wire_frame {
    struct ngi_wire_hdr hdr;
    const char *addr; /* NUL-terminated; "" when addrlen is 0 */
    const uint8_t *payload;
    uint32_t paylen;
};

/*
 * Decode one record of len bytes.  Checks the magic, version, kind, flags,
 * that addrlen and paylen add up to exactly len, that the address is
 * NUL-terminated at its last byte and holds no other NUL, and the per-kind
 * limits (address <= NGI_WIRE_ADDR_MAX, DATA payload <= NGI_WIRE_DATA_MAX,
 * MSG payload <= NGI_WIRE_FRAME_MAX, no payload on the other kinds).  It does not
 * look inside a message: the server checks that with ng_mesg_check().
 * Returns 0; -EINVAL (bad magic, version, kind, flags or address);
 * -EPROTO (record shorter than the header); -EMSGSIZE (lengths that do not
 * add up to len, or over a limit).
 */
int ngi_wire_decode(const void *buf, size_t len, struct ngi_wire_frame *f);

/*
 * Fill hdr and iov[0..2] (header, address, payload) for sendmsg(); addr may
 * be NULL (no address).  Returns the number of iovecs used (1..3), or
 * -EMSGSIZE if the address or payload is too long for the kind.
 */
int ngi_wire_encode(struct ngi_wire_hdr *hdr, struct iovec iov[3], enum ngi_wire_kind kind,
                    const char *addr, const void *payload, uint32_t paylen, int32_t error,
                    uint32_t aux, uint16_t flags);

/* Format "[%x]:" for a node id into buf (at least NGI_WIRE_IDADDR_SIZE). */
#define NGI_WIRE_IDADDR_SIZE 16
void ngi_wire_idaddr(char *buf, ng_id_t id);

#endif
