/*
 * ksocket_int.h - what the two files of the "ksocket" node type share:
 * the private state (see ksocket.c's header comment), the parse types of struct sockaddr, struct ng_ksocket_sockopt and
 * struct ng_ksocket_accept (parse.c), the hook-name parser and the
 * message handlers (msg.c).
 */
#ifndef NGI_KSOCKET_INT_H
#define NGI_KSOCKET_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include <ngraph/nodes/ksocket.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

#define KS_EMBRYOS 64 /* embryo ids kept before pruning */

enum {
    KS_RX_PKTS,    /* items sent out of the hook */
    KS_RX_BYTES,   /* bytes in them */
    KS_RX_TRUNC,   /* dropped: datagram larger than an item */
    KS_RX_NOBUFS,  /* dropped: no item to read into */
    KS_RX_ERRORS,  /* recv errors (ECONNREFUSED, ECONNRESET...) */
    KS_TX_PKTS,    /* items written to the socket */
    KS_TX_BYTES,   /* bytes written */
    KS_TX_NOTCONN, /* dropped: no destination (not connected, no address) */
    KS_TX_ERRORS,  /* dropped: send failed */
    KS_TX_QUEUED,  /* stream items that had to wait for the socket buffer */
    KS_TX_QDROPS,  /* dropped: sendq full */
    KS_EOF,        /* end of file seen (zero-length item sent) */
    KS_ACCEPTS,    /* connections accepted (nodes made) */
    KS_NSTAT
};
#define KSF_CONNECTING 0x1u
#define KSF_ACCEPTING 0x2u
#define KSF_EOFSEEN 0x4u
#define KSF_LISTENING 0x8u
#define KSF_CONNECTED 0x10u

struct ks_priv {
    struct ng_node *node;
    /* Set by newhook (or by the listener for an accepted node) before the
     * hook is linked; atomics because a message may read them meanwhile. */
    atomic_int fd; /* -1 until a hook opens it; closed by shutdown */
    atomic_int family, type, proto;
    _Atomic(struct ng_hook *) hook;
    struct ng_pcounter *st;
    atomic_int cloned, embryo;
    /* writer state */
    struct ng_fdwatch w;
    unsigned wev; /* events watched, 0: not added */
    unsigned flags;
    ng_id_t resp_addr, acc_addr;
    uint32_t resp_token, acc_token;
    struct ng_item *sendq[NG_KSOCKET_SENDQ_MAX];
    unsigned sq_head, sq_len;
    /* accepted nodes without a hook yet */
    pthread_mutex_t elock;
    ng_id_t embryos[KS_EMBRYOS];
    unsigned nembryos;
};

/* Counters: per-thread (ng_pcounter), added on any thread. */
static inline void ks_count(struct ks_priv *p, unsigned i, uint64_t v)
{
    ng_pcounter_add(p->st, i, v);
}

static inline int ks_is_stream(const struct ks_priv *p) { return p->type == SOCK_STREAM; }

/* ksocket.c: watch what the state asks for (writer context). */
void ngi_ksock_rewatch(struct ks_priv *p);
/* ksocket.c: take one pending connection: a new node, and the
 * NGM_KSOCKET_ACCEPT response in *out.  -EAGAIN: none pending. */
int ngi_ksock_accept(struct ks_priv *p, struct ng_mesg **out);
/* msg.c: the type's rcvmsg. */
int ngi_ksock_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook);

/* struct sockaddr in FreeBSD's ASCII forms (inet/1.2.3.4:5, inet6/[::1]:5,
 * local/"/path", { len=.. family=.. data=[..] }); no default. */
extern const struct ng_parse_type ngi_ksock_sockaddr_type;
/* struct ng_ksocket_sockopt: { level=.. name=.. value=[ .. ] } */
extern const struct ng_parse_type ngi_ksock_sockopt_type;
/* struct ng_ksocket_accept: { nodeid=0x.. addr=inet/.. } */
extern const struct ng_parse_type ngi_ksock_accept_type;

/* Split a hook name "family/type/proto" (aliases or decimal numbers).
 * Returns 0 or -EINVAL. */
int ngi_ksock_parse_hook(const char *name, int *family, int *type, int *proto);

#endif
