/*
 * msg.c - control messages: allocation, sending, delivery and responses
 * (the synchronous sender's waiter is waiter.c).
 *
 * Messages are control-path objects (malloc, mutex-protected waiters); the
 * node they address is entered as a writer through ngi_dispatch_item(), so a
 * message never runs concurrently with another method of a node in netgraph
 * mode, and never blocks the data path: if the node is busy the message is
 * queued behind its pending items.
 */
#include <stdlib.h>

#include "control.h"

/* ------------------------------------------------------------------------ */
/* Delivery                                                                 */
/* ------------------------------------------------------------------------ */

/* Reject arguments shorter than the type's command list requires. */
static int check_cmdlist(const struct ng_type *type, const struct ng_mesg *m)
{
    if (m->header.flags & NGF_RESP)
        return 0; /* min_arglen is about a command's arguments, not its answer */
    if (!type->cmdlist)
        return 0;
    for (const struct ng_cmdlist *c = type->cmdlist; c->name; c++)
        if (c->cookie == m->header.typecookie && c->cmd == m->header.cmd)
            return m->header.arglen < c->min_arglen ? -EINVAL : 0;
    return 0;
}

int ngi_msg_deliver(struct ngi_thread *t, struct ng_node *n, struct ng_hook *lasthook,
                    struct ng_item *it)
{
    if (!t)
        t = ngi_thread_get(n->g); /* attached: we are in its section */
    /* One delivery reports to the waiter: the first, unless its method
     * forwards the item (ng_forward_msg), then the next one's.  A delivery
     * of an item whose waiter was told already (kept, then forwarded
     * later) leaves the waiter alone: it may be gone once the item is. */
    struct ngi_waiter *w = (it->flags & NGI_IF_REPORTED) ? NULL : it->u.m.waiter;
    struct ng_mesg *m = it->u.m.msg;
    int rc;
    it->flags |= NGI_IF_RUNNING;
    if (w)
        it->flags |= NGI_IF_REPORTED;
    if (w && w->applied_only)
        it->u.m.waiter = NULL; /* the method may keep the item: detach first */
    struct ng_item *prev_cur = t->msg_cur;
    t->msg_cur = it;
    if (ngi_generic_owns(n, m)) {
        rc = ngi_generic_msg(n, it, lasthook);
    } else if ((rc = check_cmdlist(n->type, m)) != 0) {
        ng_item_free(it);
    } else if (n->type->rcvmsg) {
        rc = n->type->rcvmsg(n, it, lasthook);
        if (rc > 0)
            rc = -rc;
    } else {
        rc = -EINVAL;
        ng_item_free(it);
    }
    /* ng_forward_msg cleared msg_cur: the item went on, with its waiter
     * (not an applied_only one: that was detached above). */
    bool forwarded = t->msg_cur != it;
    t->msg_cur = prev_cur;
    if (forwarded && w && !w->applied_only)
        w = NULL;
    if (w && w->applied_only)
        ngi_waiter_abandon(w, rc); /* ran, and no item refers to it any more */
    else if (w)
        ngi_waiter_ran(w, rc);
    return rc;
}

int ng_respond(struct ng_item *it, int error, struct ng_mesg *resp)
{
    if (!it || it->kind != NGI_IK_MSG) {
        ng_mesg_free(resp);
        ng_item_free(it);
        return -EINVAL;
    }
    if (resp && resp->header.arglen > ngi_mesg_argcap(resp)) {
        /* A response claiming more than it carries: nobody may read it. */
        ng_mesg_free(resp);
        ng_item_free(it);
        return -EMSGSIZE;
    }
    struct ng_mesg *m = it->u.m.msg;
    if (resp) {
        resp->header.flags |= NGF_RESP;
        resp->header.token = m->header.token;
    }
    int rc = 0;
    struct ngi_waiter *w = it->u.m.waiter;
    if (w) {
        pthread_mutex_lock(&w->lock);
        w->responded = true;
        w->resp_error = error > 0 ? -error : error;
        w->resp = resp;
        pthread_mutex_unlock(&w->lock);
    } else if (it->u.m.retaddr && resp) {
        /* Deliver the response to the sending node's rcvmsg. */
        struct ng_graph *g = it->g;
        struct ngi_thread *t = ngi_enter(g);
        struct ng_node *dst = NULL;
        if (t) {
            ngi_topo_rlock(g);
            dst = ngi_node_lookup_id(g, it->u.m.retaddr);
            if (dst && !ngi_node_tryref(dst))
                dst = NULL;
            ngi_topo_runlock(g);
        }
        struct ng_item *ri = dst ? ngi_item_new_ctl(g, NGI_IK_MSG) : NULL;
        if (ri) {
            ri->u.m.msg = resp;
            /* FreeBSD's NG_RESPOND_MSG sends the response from the node
             * that answered: its id is the response's return address. */
            ri->u.m.retaddr = it->u.m.target;
            ri->u.m.target = dst->id;
            /* Dropped because the sender is shutting down: it has gone. */
            if (ngi_dispatch_item(t, dst, NULL, ri, true) == -ESHUTDOWN)
                rc = -ENOENT;
        } else {
            ng_mesg_free(resp);
            rc = -ENOENT;
        }
        if (dst)
            ng_node_unref(dst);
        if (t)
            ngi_exit(t);
    } else {
        ng_mesg_free(resp);
    }
    ng_item_free(it);
    return rc;
}

static int send_to(struct ngi_thread *t, struct ng_node *from, struct ng_node *n,
                   struct ng_hook *lasthook, struct ng_mesg *msg, struct ngi_waiter *w)
{
    struct ng_item *it = ngi_item_new_ctl(n->g, NGI_IK_MSG);
    if (!it) {
        ng_mesg_free(msg);
        if (w) /* no item will ever complete it: the sender must not wait */
            ngi_waiter_abandon(w, -ENOMEM);
        return -ENOMEM;
    }
    if (msg->header.token == 0)
        msg->header.token = atomic_fetch_add(&n->g->next_token, 1);
    it->u.m.msg = msg;
    it->u.m.retaddr = from ? from->id : 0;
    it->u.m.target = n->id;
    it->u.m.waiter = w;
    return ngi_dispatch_item(t, n, lasthook, it, true);
}

/* A message handed to a send function: its header checked against its
 * real allocation; on failure it is freed (send functions consume it). */
static int mesg_accept(struct ng_mesg *msg)
{
    int rc = ngi_mesg_check_alloc(msg);
    if (rc)
        ng_mesg_free(msg);
    return rc;
}

/* The synchronous forms of sending (mode SEND_RESP: wait for the response;
 * SEND_APPLIED: wait until the method returned) and the plain one. */
enum send_mode { SEND_ASYNC, SEND_RESP, SEND_APPLIED };

static int send_path(struct ng_graph *g, struct ng_node *from, const char *path,
                     struct ng_mesg *msg, struct ng_mesg **resp, enum send_mode mode)
{
    if (resp)
        *resp = NULL;
    if (!g || !path || !msg || (from && from->g != g)) {
        ng_mesg_free(msg);
        return -EINVAL;
    }
    int rc = mesg_accept(msg);
    if (rc)
        return rc;
    struct ngi_thread *t = ngi_enter(g);
    if (!t) {
        ng_mesg_free(msg);
        return -ENOMEM;
    }
    if (mode != SEND_ASYNC && ((mode == SEND_RESP && from) || t->depth > 1 || t->worker)) {
        ngi_exit(t);
        ng_mesg_free(msg);
        return mode == SEND_RESP && from ? -EINVAL : -EDEADLK;
    }
    struct ng_node *n;
    struct ng_hook *lasthook;
    rc = ngi_path_lookup(g, from, path, &n, &lasthook);
    if (rc) {
        ngi_exit(t);
        ng_mesg_free(msg);
        return rc;
    }
    struct ngi_waiter w;
    if (mode != SEND_ASYNC) {
        ngi_waiter_init(&w);
        w.applied_only = mode == SEND_APPLIED;
    }
    rc = send_to(t, from, n, lasthook, msg, mode != SEND_ASYNC ? &w : NULL);
    ng_hook_unref(lasthook);
    ng_node_unref(n);
    ngi_exit(t);
    if (mode != SEND_ASYNC) {
        int wrc = ngi_waiter_wait(&w, resp);
        if (rc == 0 || rc == -ESHUTDOWN)
            rc = wrc;
    }
    return rc;
}

int ng_send_msg(struct ng_graph *g, struct ng_node *from, const char *path, struct ng_mesg *msg,
                struct ng_mesg **resp)
{
    return send_path(g, from, path, msg, resp, resp ? SEND_RESP : SEND_ASYNC);
}

int ng_send_msg_applied(struct ng_graph *g, struct ng_node *from, const char *path,
                        struct ng_mesg *msg)
{
    return send_path(g, from, path, msg, NULL, SEND_APPLIED);
}

int ng_send_msg_hook(struct ng_hook *hook, struct ng_mesg *msg)
{
    if (!hook || !msg) {
        ng_mesg_free(msg);
        return -EINVAL;
    }
    int rc = mesg_accept(msg);
    if (rc)
        return rc;
    struct ng_graph *g = hook->node->g;
    struct ngi_thread *t = ngi_enter(g);
    if (!t) {
        ng_mesg_free(msg);
        return -ENOMEM;
    }
    ngi_topo_rlock(g);
    struct ng_hook *peer = ngi_hook_far(hook); /* past bypass relays */
    bool ok = peer && ngi_hook_tryref(peer);
    ngi_topo_runlock(g);
    if (!ok) {
        ngi_exit(t);
        ng_mesg_free(msg);
        return -ENOTCONN;
    }
    rc = send_to(t, hook->node, peer->node, peer, msg, NULL);
    ng_hook_unref(peer);
    ngi_exit(t);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Forwarding (netgraph's NG_FWD_ITEM_HOOK)                                 */
/* ------------------------------------------------------------------------ */

/* Pass message item it on to node dst (referenced by the caller), arriving
 * on lasthook.  The return address, token and waiter stay: the final
 * recipient's response goes to the original sender.  Consumes it. */
static int forward_to(struct ngi_thread *t, struct ng_item *it, struct ng_node *dst,
                      struct ng_hook *lasthook)
{
    if (t->msg_cur == it) {
        /* Forwarded from inside the method its delivery is running: that
         * delivery must not report (nor touch the waiter: the item may be
         * answered and gone before the method returns); the next one does.
         * Not RUNNING: dropped before it reaches the next method, the
         * waiter learns it (-ESHUTDOWN). */
        t->msg_cur = NULL;
        it->flags &= (uint8_t) ~(NGI_IF_RUNNING | NGI_IF_REPORTED);
    }
    it->u.m.target = dst->id;
    return ngi_dispatch_item(t, dst, lasthook, it, true);
}

static bool fwd_item_ok(struct ng_item *it)
{
    return it && it->kind == NGI_IK_MSG && it->u.m.msg && !(it->u.m.msg->header.flags & NGF_RESP);
}

int ng_forward_msg(struct ng_item *it, struct ng_hook *hook)
{
    if (!fwd_item_ok(it) || !hook) {
        ng_item_free(it);
        return -EINVAL;
    }
    struct ng_graph *g = hook->node->g;
    if (it->g != g) {
        ng_item_free(it);
        return -EXDEV;
    }
    struct ngi_thread *t = ngi_enter(g);
    if (!t) {
        ng_item_free(it);
        return -ENOMEM;
    }
    ngi_topo_rlock(g);
    struct ng_hook *peer = ngi_hook_far(hook);
    bool ok = peer && ngi_hook_tryref(peer);
    ngi_topo_runlock(g);
    int rc;
    if (!ok) {
        ng_item_free(it);
        rc = -ENOTCONN;
    } else {
        rc = forward_to(t, it, peer->node, peer);
        ng_hook_unref(peer);
    }
    ngi_exit(t);
    return rc;
}

int ng_forward_msg_id(struct ng_item *it, ng_id_t id)
{
    if (!fwd_item_ok(it) || id == 0) {
        ng_item_free(it);
        return -EINVAL;
    }
    struct ng_graph *g = it->g;
    struct ngi_thread *t = ngi_enter(g);
    if (!t) {
        ng_item_free(it);
        return -ENOMEM;
    }
    ngi_topo_rlock(g);
    struct ng_node *dst = ngi_node_lookup_id(g, id);
    if (dst && !ngi_node_tryref(dst))
        dst = NULL;
    ngi_topo_runlock(g);
    int rc;
    if (!dst) {
        ng_item_free(it);
        rc = -ENOENT;
    } else {
        rc = forward_to(t, it, dst, NULL);
        ng_node_unref(dst);
    }
    ngi_exit(t);
    return rc;
}
