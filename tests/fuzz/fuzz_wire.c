/*
 * libFuzzer harness: the control socket's frames (src/wire/wire.c
 * ngi_wire_decode) and the server's request handling (src/server/request.c
 * ngi_srv_request, ngi_srv_hello), the code that sees a client's bytes.
 * Input: byte 0 selects the backend, the rest is one record.  A decoded MSG
 * or DATA frame is handled as the server thread would, for a client whose
 * socket node lives in a small graph and whose three connections are
 * socketpairs (drained after every input); its ACK is queued as the server
 * would.  A HELLO creates (and at once shuts down) another client.  The
 * client and graph are rebuilt when the client's node has gone (NGM_SHUTDOWN
 * of "."), and the whole graph when it holds more than 64 nodes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ngraph/ngraph.h>
#include <ngraph/server.h>

#include "server/server_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct world {
    struct ng_graph *g;
    struct ng_ctl_server *s;
    struct ngi_client *cl;
    struct ngi_conn *conn[3]; /* req, ctl, data */
    int peer[3];              /* the client's ends */
};

static struct world worlds[NG_BACKEND_COUNT];

void ngi_srv_free_conns(struct ng_ctl_server *s); /* request.c */

static void client_new(struct world *w)
{
    if (ngi_srv_hello(w->s, "cli", &w->cl) != 0)
        abort();
    static const enum ngi_role roles[3] = {NGI_ROLE_REQ, NGI_ROLE_CTL, NGI_ROLE_DATA};
    char addr[NGI_WIRE_IDADDR_SIZE];
    ngi_wire_idaddr(addr, w->cl->id);
    for (int i = 0; i < 3; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
            abort();
        w->conn[i] = ngi_conn_new(sv[0]);
        if (!w->conn[i])
            abort();
        w->peer[i] = sv[1];
        w->s->nconns++;
        if (ngi_srv_attach(w->s, w->conn[i], roles[i], addr, i == 0 ? w->cl : NULL) != 0)
            abort();
    }
}

static void client_gone(struct world *w)
{
    /* The node has begun shutting down: once its shutdown method ran, the
     * reaper closes its connections. */
    ng_graph_barrier(w->g);
    ngi_srv_reap_dead(w->s);
    for (int i = 0; i < 3; i++)
        close(w->peer[i]);
    ngi_srv_free_conns(w->s);
    w->cl = NULL;
}

static void build(struct world *w, enum ng_backend b)
{
    struct ng_graph_config cfg;
    ng_graph_config_init(&cfg);
    cfg.backend = b;
    if (ng_graph_create(&cfg, &w->g) != 0)
        abort();
    struct ng_ctl_config sc;
    ng_ctl_config_init(&sc);
    sc.client_queue_bytes = 256 * 1024;
    if (ngi_srv_new(w->g, &sc, &w->s) != 0)
        abort();
    struct ng_node *e;
    if (ng_node_create(w->g, "echo", &e) != 0 || ng_node_name(e, "e") != 0)
        abort();
    client_new(w);
    struct ng_node *n;
    if (ng_node_find(w->g, "cli:", &n) != 0 || ng_connect(n, "h", e, "in") != 0)
        abort();
    ng_node_unref(n);
    ng_node_unref(e);
}

static void destroy(struct world *w)
{
    for (int i = 0; i < 3; i++)
        close(w->peer[i]);
    ngi_srv_free(w->s);
    ng_graph_destroy(w->g);
    memset(w, 0, sizeof(*w));
}

static void drain(struct world *w)
{
    static uint8_t buf[NGI_WIRE_FRAME_MAX];
    for (int round = 0; round < 64; round++) {
        int any = 0;
        for (int i = 0; i < 3; i++) {
            ssize_t n;
            while ((n = recv(w->peer[i], buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
                struct ngi_wire_frame f;
                /* what the server sends must always decode */
                if (ngi_wire_decode(buf, (size_t)n, &f) != 0)
                    abort();
                any = 1;
            }
        }
        pthread_mutex_lock(&w->cl->mu);
        for (int i = 0; i < 3; i++)
            if (w->conn[i]->qhead)
                ngi_conn_flush(w->s, w->conn[i]);
        pthread_mutex_unlock(&w->cl->mu);
        if (!any)
            break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum ng_backend b = (enum ng_backend)(data[0] % NG_BACKEND_COUNT);
    data++;
    size--;
    struct world *w = &worlds[b];
    if (!w->g)
        build(w, b);

    /* The record as the server's buffer would hold it. */
    uint8_t *rec = malloc(size ? size : 1);
    if (!rec)
        return 0;
    memcpy(rec, data, size);
    struct ngi_wire_frame f;
    int rc = ngi_wire_decode(rec, size, &f);
    if (rc == 0 && (f.hdr.kind == NGI_WIRE_MSG || f.hdr.kind == NGI_WIRE_DATA)) {
        rc = ngi_srv_request(w->s, w->cl, &f);
        pthread_mutex_lock(&w->cl->mu);
        if (w->cl->req)
            ngi_conn_ack(w->s, w->conn[0], rc, 0);
        pthread_mutex_unlock(&w->cl->mu);
    } else if (rc == 0 && f.hdr.kind == NGI_WIRE_HELLO) {
        struct ngi_client *c2;
        if (ngi_srv_hello(w->s, f.addr, &c2) == 0)
            ng_node_shutdown(c2->node);
        ng_graph_barrier(w->g);
        ngi_srv_reap_dead(w->s);
    }
    free(rec);
    if (w->cl && ng_node_is_valid(w->cl->node))
        drain(w);
    else
        client_gone(w);
    struct ng_graph_stats st;
    ng_graph_stats(w->g, &st);
    if (!w->cl || st.nodes > 64) {
        if (w->cl)
            destroy(w);
        else {
            ngi_srv_free(w->s);
            ng_graph_destroy(w->g);
            memset(w, 0, sizeof(*w));
        }
        build(w, b);
    }
    return 0;
}
