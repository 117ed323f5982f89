/*
 * request.c - what the control server does with a client's frames, apart
 * from the socket and the thread (server.c): server state without a
 * socket, HELLO (a socket node per client), ATTACH_CTL/ATTACH_DATA, MSG and
 * DATA requests, closing connections with the client lifetime rule, and
 * reaping clients whose node shut down.  The fuzzer (tests/fuzz/fuzz_wire.c)
 * drives these functions directly.  Threads: server_int.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "server_int.h"

void ngi_sock_creating(struct ng_ctl_server *s);

int ngi_srv_new(struct ng_graph *g, const struct ng_ctl_config *cfg, struct ng_ctl_server **sp)
{
    *sp = NULL;
    int rc = ng_socket_type_register(g);
    if (rc != 0)
        return rc;
    struct ng_ctl_server *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->g = g;
    s->cfg = *cfg;
    struct ng_ctl_config def;
    ng_ctl_config_init(&def);
    if (!s->cfg.max_clients)
        s->cfg.max_clients = def.max_clients;
    if (!s->cfg.client_queue_bytes)
        s->cfg.client_queue_bytes = def.client_queue_bytes;
    if (!s->cfg.handshake_ms)
        s->cfg.handshake_ms = def.handshake_ms;
    s->cfg.path = NULL; /* the caller's string: server.c keeps its own copy */
    s->lfd = -1;
    s->spare_fd = -1;
    s->new_tail = &s->new_head;
    atomic_init(&s->stop, false);
    s->rbuf = malloc(NGI_WIRE_MSG_MAX);
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    s->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (!s->rbuf || s->epfd < 0 || s->evfd < 0 || pthread_mutex_init(&s->mu, NULL) != 0) {
        rc = s->rbuf ? -errno : -ENOMEM;
        goto fail;
    }
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = &s->evfd};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->evfd, &e) != 0) {
        rc = -errno;
        pthread_mutex_destroy(&s->mu);
        goto fail;
    }
    *sp = s;
    return 0;
fail:
    if (s->epfd >= 0)
        close(s->epfd);
    if (s->evfd >= 0)
        close(s->evfd);
    free(s->rbuf);
    free(s);
    return rc ? rc : -ENOMEM;
}

void ngi_srv_wake(struct ng_ctl_server *s)
{
    uint64_t one = 1;
    ssize_t n = write(s->evfd, &one, sizeof(one));
    (void)n; /* EAGAIN: the counter is already non-zero, the wakeup is pending */
}

static void list_remove(struct ng_ctl_server *s, struct ngi_client *cl)
{
    if (!cl->listed)
        return;
    if (cl->prev)
        cl->prev->next = cl->next;
    else
        s->clients = cl->next;
    if (cl->next)
        cl->next->prev = cl->prev;
    cl->prev = cl->next = NULL;
    cl->listed = false;
}

int ngi_srv_hello(struct ng_ctl_server *s, const char *name, struct ngi_client **clp)
{
    *clp = NULL;
    if (name[0] && ng_name_check(name, NG_NODESIZ) != 0)
        return -EINVAL;
    struct ng_node *n;
    ngi_sock_creating(s);
    int rc = ng_node_create(s->g, NG_SOCKET_NODE_TYPE, &n);
    ngi_sock_creating(NULL);
    if (rc != 0)
        return rc;
    struct ngi_client *cl = ng_node_private(n);
    if (ng_node_type(n) != &ngi_socket_type || !cl) {
        /* Another type registered under our name: not a client node. */
        ng_node_shutdown(n);
        ng_node_unref(n);
        return -EINVAL;
    }
    /* The constructor gave the server its reference (refs == 2), before
     * anyone could shut the node down: cl stays valid while listed. */
    cl->node = n;
    cl->listed = true;
    cl->next = s->clients;
    if (s->clients)
        s->clients->prev = cl;
    s->clients = cl;
    NGI_STAT_ADD(s, clients_now, 1);
    if (name[0]) {
        rc = ng_node_name(n, name);
        if (rc != 0) {
            /* Reaped (unlisted, unreferenced) when its shutdown method ran. */
            cl->shut = true;
            ng_node_shutdown(n);
            return rc == -EEXIST ? -EADDRINUSE : rc;
        }
    }
    *clp = cl;
    return 0;
}

static void new_unlink(struct ng_ctl_server *s, struct ngi_conn *c)
{
    struct ngi_conn **pp = &s->new_head;
    struct ngi_conn *prev = NULL;
    while (*pp && *pp != c) {
        prev = *pp;
        pp = &(*pp)->next_new;
    }
    if (!*pp)
        return;
    *pp = c->next_new;
    if (s->new_tail == &c->next_new)
        s->new_tail = prev ? &prev->next_new : &s->new_head;
    c->next_new = NULL;
}

static struct ngi_client *find_client(struct ng_ctl_server *s, struct ng_node *n)
{
    for (struct ngi_client *cl = s->clients; cl; cl = cl->next)
        if (cl->node == n)
            return cl;
    return NULL;
}

int ngi_srv_attach(struct ng_ctl_server *s, struct ngi_conn *c, enum ngi_role role,
                   const char *addr, struct ngi_client *cl)
{
    struct ng_node *n = NULL;
    if (role != NGI_ROLE_REQ) {
        int rc = ng_path_resolve(s->g, NULL, addr, &n, NULL);
        if (rc != 0)
            return rc;
        if (ng_node_type(n) != &ngi_socket_type) {
            ng_node_unref(n);
            return -EINVAL;
        }
        /* Looked up in our own list, not through the node's private
         * pointer: a listed client is kept alive by our reference. */
        cl = find_client(s, n);
        ng_node_unref(n);
        if (!cl)
            return -EINVAL; /* a socket node that is not a client of ours */
    }
    int rc = 0;
    pthread_mutex_lock(&cl->mu);
    struct ngi_conn **slot = role == NGI_ROLE_REQ   ? &cl->req
                             : role == NGI_ROLE_CTL ? &cl->ctl
                                                    : &cl->data;
    if (cl->dead || cl->shut)
        rc = -ENOENT;
    else if (*slot)
        rc = -EADDRINUSE;
    if (rc == 0) {
        c->cl = cl;
        c->role = role;
        new_unlink(s, c);
        /* The ACK goes first: producers see the connection only once the
         * slot is set, below, under the same mutex. */
        rc = ngi_conn_ack(s, c, 0, cl->id);
        if (rc == 0) {
            *slot = c;
            if (role != NGI_ROLE_REQ)
                cl->had_chan = true;
            ngi_conn_events(s, c);
        } else {
            c->cl = NULL;
        }
    }
    pthread_mutex_unlock(&cl->mu);
    return rc;
}

static int do_msg(struct ng_ctl_server *s, struct ngi_client *cl, const struct ngi_wire_frame *f)
{
    struct ng_mesg_header h;
    if (f->paylen < sizeof(h)) {
        NGI_STAT_ADD(s, bad_frames, 1);
        return -EINVAL;
    }
    memcpy(&h, f->payload, sizeof(h));
    if (f->paylen - sizeof(h) > NG_MAX_MSG_ARGLEN) {
        NGI_STAT_ADD(s, bad_frames, 1);
        return -EMSGSIZE;
    }
    struct ng_mesg *m = ng_mesg_alloc(0, 0, (uint32_t)(f->paylen - sizeof(h)));
    if (!m)
        return -ENOMEM;
    /* Copied whole into an allocation of exactly its size, so the engine's
     * check against the real allocation sees what the client sent. */
    memcpy(m, f->payload, f->paylen);
    int rc = ng_mesg_check(m, f->paylen);
    if (rc == 0 && sizeof(h) + m->header.arglen != f->paylen)
        rc = -EMSGSIZE; /* a header that lies about its length */
    if (rc != 0) {
        ng_mesg_free(m);
        NGI_STAT_ADD(s, bad_frames, 1);
        return rc;
    }
    return ng_send_msg_applied(s->g, cl->node, f->addr, m);
}

static int do_data(struct ng_ctl_server *s, struct ngi_client *cl, const struct ngi_wire_frame *f)
{
    struct ng_hook *h;
    int rc = ng_hook_find(cl->node, f->addr, &h);
    if (rc == -ENOENT || (rc == -EINVAL && !f->addr[0]))
        return -EHOSTUNREACH;
    if (rc != 0)
        return rc;
    struct ng_item *item = ng_item_alloc(s->g, f->paylen);
    if (!item) {
        ng_hook_unref(h);
        return -ENOBUFS; /* counted by the graph (NG_DROP_NOBUFS) */
    }
    if (f->paylen)
        memcpy(ng_item_data(item), f->payload, f->paylen);
    rc = ng_send_data(h, item);
    ng_hook_unref(h);
    return rc;
}

int ngi_srv_request(struct ng_ctl_server *s, struct ngi_client *cl, const struct ngi_wire_frame *f)
{
    int rc;
    if (f->hdr.kind == NGI_WIRE_MSG && !(f->hdr.flags & NGI_WIRE_F_MORE))
        rc = do_msg(s, cl, f);
    else if (f->hdr.kind == NGI_WIRE_DATA)
        rc = do_data(s, cl, f);
    else {
        NGI_STAT_ADD(s, bad_frames, 1);
        return -EINVAL; /* a fragment (clients may not send them) or not a request */
    }
    NGI_STAT_ADD(s, requests, 1);
    /* What the target answered at once precedes the ACK on the wire (as
     * far as the control connection is writable: nothing waits for it). */
    pthread_mutex_lock(&cl->mu);
    if (cl->ctl && cl->ctl->qhead)
        ngi_conn_flush(s, cl->ctl);
    pthread_mutex_unlock(&cl->mu);
    return rc;
}

void ngi_srv_conn_close(struct ng_ctl_server *s, struct ngi_conn *c)
{
    if (c->closed)
        return;
    struct ngi_client *cl = c->cl;
    bool last = false;
    if (cl) {
        pthread_mutex_lock(&cl->mu);
        if (cl->req == c)
            cl->req = NULL;
        if (cl->ctl == c)
            cl->ctl = NULL;
        if (cl->data == c)
            cl->data = NULL;
        ngi_conn_drop_queue(s, c);
        /* Lifetime: the node goes with the channels the client attached,
         * or with its request connection if it attached none. */
        last = !cl->ctl && !cl->data && (cl->had_chan || !cl->req);
        pthread_mutex_unlock(&cl->mu);
    } else {
        new_unlink(s, c);
        ngi_conn_drop_queue(s, c);
    }
    if (c->registered)
        (void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    c->closed = true;
    c->next_free = s->free_list;
    s->free_list = c;
    s->nconns--;
    if (last && !cl->shut) {
        cl->shut = true;
        ng_node_shutdown(cl->node); /* reaped when its shutdown method ran */
    }
}

void ngi_srv_reap_dead(struct ng_ctl_server *s)
{
    pthread_mutex_lock(&s->mu);
    struct ngi_client *cl = s->dead;
    s->dead = NULL;
    pthread_mutex_unlock(&s->mu);
    while (cl) {
        struct ngi_client *next = cl->dead_next;
        cl->shut = true;
        struct ngi_conn *cs[3] = {cl->req, cl->ctl, cl->data};
        for (int i = 0; i < 3; i++)
            if (cs[i])
                ngi_srv_conn_close(s, cs[i]);
        list_remove(s, cl);
        ng_node_unref(cl->node);
        cl->node = NULL;
        NGI_STAT_ADD(s, clients_now, (uint64_t)-1);
        ngi_client_unref(cl); /* the server's reference */
        cl = next;
    }
}

void ngi_srv_free_conns(struct ng_ctl_server *s);
void ngi_srv_free_conns(struct ng_ctl_server *s)
{
    while (s->free_list) {
        struct ngi_conn *c = s->free_list;
        s->free_list = c->next_free;
        free(c);
    }
}

void ngi_srv_free(struct ng_ctl_server *s)
{
    if (!s)
        return;
    while (s->new_head)
        ngi_srv_conn_close(s, s->new_head);
    for (struct ngi_client *cl = s->clients; cl; cl = cl->next) {
        bool was_shut = cl->shut;
        cl->shut = true; /* closing its connections must not shut it twice */
        struct ngi_conn *cs[3] = {cl->req, cl->ctl, cl->data};
        for (int i = 0; i < 3; i++)
            if (cs[i])
                ngi_srv_conn_close(s, cs[i]);
        if (!was_shut)
            ng_node_shutdown(cl->node);
    }
    /* Every socket node of ours has begun shutting down: once their
     * shutdown methods have run, all of them are on the dead list. */
    ng_graph_barrier(s->g);
    ngi_srv_reap_dead(s);
    /* A node that did not go (made persistent by someone): let go of it;
     * its client forgets the server, which is about to be freed. */
    while (s->clients) {
        struct ngi_client *cl = s->clients;
        list_remove(s, cl);
        pthread_mutex_lock(&cl->mu);
        cl->srv = NULL;
        pthread_mutex_unlock(&cl->mu);
        ng_node_unref(cl->node);
        cl->node = NULL;
        ngi_client_unref(cl);
    }
    ngi_srv_free_conns(s);
    close(s->epfd);
    close(s->evfd);
    pthread_mutex_destroy(&s->mu);
    free(s->rbuf);
    free(s);
}
