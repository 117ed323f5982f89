/*
 * socknode.c - the "socket" node type (FreeBSD's ng_socket): the graph's
 * side of a control server client.  Messages it receives (but its own
 * NGM_SOCKET_COOKIE commands) go to the client's control connection, data
 * arriving on any of its hooks to the client's data connection.  Its
 * private data is the struct ngi_client (server_int.h: lifetime, locking).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

/* Set by ngi_srv_hello() around ng_node_create() on the server thread: the
 * server the node being constructed belongs to.  Other socket nodes (made
 * by NGM_MKPEER, say) belong to no server and drop what they receive. */
static _Thread_local struct ng_ctl_server *creating_srv;

void ngi_sock_creating(struct ng_ctl_server *s);
void ngi_sock_creating(struct ng_ctl_server *s) { creating_srv = s; }

void ngi_client_ref(struct ngi_client *cl) { atomic_fetch_add(&cl->refs, 1); }

void ngi_client_unref(struct ngi_client *cl)
{
    if (atomic_fetch_sub(&cl->refs, 1) != 1)
        return;
    /* Last reference: the node has shut down and the server let go, so no
     * connection is attached and nothing can reach the client any more. */
    pthread_mutex_destroy(&cl->mu);
    free(cl);
}

static int sock_constructor(struct ng_node *node)
{
    struct ngi_client *cl = calloc(1, sizeof(*cl));
    if (!cl)
        return -ENOMEM;
    if (pthread_mutex_init(&cl->mu, NULL) != 0) {
        free(cl);
        return -ENOMEM;
    }
    cl->id = ng_node_id(node);
    cl->srv = creating_srv;
    /* The node's reference, and the server's when it has one (taken here,
     * before anyone can shut the node down, so the server's pointer can
     * never outlive the client). */
    atomic_init(&cl->refs, cl->srv ? 2 : 1);
    atomic_init(&cl->nolinger, false);
    ng_node_set_private(node, cl);
    return 0;
}

/* Shutdown begins (any thread): tell our server, whose thread waits for the
 * grace period that runs sock_shutdown (gc_check in server.c). */
static int sock_close(struct ng_node *node)
{
    struct ngi_client *cl = ng_node_private(node);
    if (!cl)
        return 0;
    pthread_mutex_lock(&cl->mu);
    struct ng_ctl_server *s = cl->srv;
    if (s) {
        atomic_store(&s->gc_pending, true);
        ngi_srv_wake(s);
    }
    pthread_mutex_unlock(&cl->mu);
    return 0;
}

static void sock_shutdown(struct ng_node *node)
{
    struct ngi_client *cl = ng_node_private(node);
    if (!cl)
        return;
    pthread_mutex_lock(&cl->mu);
    cl->dead = true;
    struct ng_ctl_server *s = cl->srv;
    pthread_mutex_unlock(&cl->mu);
    if (s) {
        /* The server's reference keeps cl alive on the dead list until the
         * server thread (or ngi_srv_free) has closed its connections. */
        pthread_mutex_lock(&s->mu);
        if (!cl->on_dead) {
            cl->on_dead = true;
            cl->dead_next = s->dead;
            s->dead = cl;
        }
        pthread_mutex_unlock(&s->mu);
        ngi_srv_wake(s);
    }
    ng_node_set_private(node, NULL);
    ngi_client_unref(cl);
}

static int sock_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    (void)node;
    (void)hook;
    (void)name; /* any hook name */
    return 0;
}

static int sock_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    struct ngi_client *cl = ng_node_private(node);
    if (cl && atomic_load(&cl->nolinger) && ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

static int sock_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct ngi_client *cl = ng_node_private(node);
    struct ng_mesg *m = ng_item_msg(item);
    if (m->header.typecookie == NGM_SOCKET_COOKIE && !(m->header.flags & NGF_RESP)) {
        int rc = 0;
        switch (m->header.cmd) {
        case NGM_SOCK_CMD_NOLINGER:
            /* Takes effect when the last hook goes (sock_disconnect). */
            atomic_store(&cl->nolinger, true);
            break;
        case NGM_SOCK_CMD_LINGER:
            atomic_store(&cl->nolinger, false);
            break;
        default:
            rc = -EINVAL;
            break;
        }
        ng_item_free(item);
        return rc;
    }
    char addr[NGI_WIRE_IDADDR_SIZE];
    uint32_t len = (uint32_t)sizeof(m->header) + m->header.arglen;
    pthread_mutex_lock(&cl->mu);
    /* The sender: for a response, the node that answered (the engine
     * records it as FreeBSD's NG_RESPOND_MSG does). */
    ng_id_t from = ng_item_msg_sender(item);
    ngi_wire_idaddr(addr, from);
    struct ng_ctl_server *s = cl->srv;
    if (s) {
        int rc = -ENOTCONN;
        if (!cl->dead && cl->ctl)
            rc = ngi_conn_put_msg(s, cl->ctl, addr, m, len);
        if (rc != 0) {
            NGI_STAT_ADD(s, msgs_dropped, 1);
            if (rc == -ENOBUFS)
                cl->ovf_msgs++;
        }
    }
    pthread_mutex_unlock(&cl->mu);
    ng_item_free(item);
    return 0;
}

static int sock_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct ngi_client *cl = ng_node_private(ng_hook_node(hook));
    uint32_t len = ng_item_len(item);
    int rc = -ENOTCONN;
    enum ng_drop_reason why = NG_DROP_DEAD;
    pthread_mutex_lock(&cl->mu);
    struct ng_ctl_server *s = cl->srv;
    if (s && !cl->dead && cl->data) {
        struct ngi_wire_hdr h;
        struct iovec iov[3];
        int niov = ngi_wire_encode(&h, iov, NGI_WIRE_DATA, ng_hook_name(hook), ng_item_data(item),
                                   len, 0, 0, 0);
        rc = niov < 0 ? niov : ngi_conn_put(s, cl->data, iov, niov, NGI_REC_DATA, true);
        why = NG_DROP_QUEUE;
        if (rc == -ENOBUFS)
            cl->ovf_data++;
    }
    if (rc != 0 && s)
        NGI_STAT_ADD(s, data_dropped, 1);
    pthread_mutex_unlock(&cl->mu);
    if (rc == 0) {
        ng_item_free(item);
        return 0;
    }
    ng_item_drop(item, why);
    /* No data connection: black-holed, as FreeBSD's; a full queue is the
     * client's problem, reported to it (OVERFLOW), not the sender's. */
    return rc == -EMSGSIZE ? rc : 0;
}

const struct ng_type ngi_socket_type = {
    .version = NG_ABI_VERSION,
    .name = NG_SOCKET_NODE_TYPE,
    .cookie = NGM_SOCKET_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = sock_constructor,
    .rcvmsg = sock_rcvmsg,
    .shutdown = sock_shutdown,
    .close = sock_close,
    .newhook = sock_newhook,
    .disconnect = sock_disconnect,
    .rcvdata = sock_rcvdata,
};

int ng_socket_type_register(struct ng_graph *g)
{
    if (!g)
        return -EINVAL;
    int rc = ng_type_register(g, &ngi_socket_type);
    return rc == -EEXIST ? 0 : rc;
}
