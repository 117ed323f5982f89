/*
 * item.c - the control layer's items: running message and function items in
 * a node's context (the data path's run_ctl upcall), releasing their
 * payload when they are freed (ctl_release), and ng_send_fn.
 */
#include "control.h"

int ngi_run_ctl_item(struct ngi_thread *t, struct ng_node *n, struct ng_hook *hook,
                     struct ng_item *it)
{
    if (it->kind == NGI_IK_MSG)
        return ngi_msg_deliver(t, n, hook, it);
    NGI_ASSERT(it->kind == NGI_IK_FN);
    struct ngi_waiter *w = it->u.f.waiter;
    it->flags |= NGI_IF_RUNNING;
    it->u.f.fn(n, hook, it->u.f.arg1, it->u.f.arg2);
    if (w)
        ngi_waiter_ran(w, 0);
    ng_item_free(it);
    return 0;
}

void ngi_ctl_item_release(struct ng_item *it)
{
    ngi_waiter_item_gone(it);
    if (it->kind == NGI_IK_MSG)
        ng_mesg_free(it->u.m.msg);
}

int ng_send_fn(struct ng_node *n, struct ng_hook *hook, ng_item_fn fn, void *arg1, int arg2,
               unsigned flags)
{
    if (!n || !fn || (hook && hook->node != n))
        return -EINVAL;
    struct ng_graph *g = n->g;
    struct ngi_thread *t = ngi_enter(g);
    if (!t)
        return -ENOMEM;
    if ((flags & NG_FN_WAIT) && (t->depth > 1 || t->worker)) {
        ngi_exit(t);
        return -EDEADLK;
    }
    struct ng_item *it = ngi_item_new_ctl(g, NGI_IK_FN);
    if (!it) {
        ngi_exit(t);
        return -ENOMEM;
    }
    struct ngi_waiter w;
    it->u.f.fn = fn;
    it->u.f.arg1 = arg1;
    it->u.f.arg2 = arg2;
    if (flags & NG_FN_WAIT) {
        ngi_waiter_init(&w);
        it->u.f.waiter = &w;
    }
    int rc = ngi_dispatch_item(t, n, hook, it, (flags & NG_FN_WRITER) != 0);
    ngi_exit(t);
    if (flags & NG_FN_WAIT) {
        int wrc = ngi_waiter_wait(&w, NULL);
        if (rc == 0)
            rc = wrc;
    }
    return rc;
}
