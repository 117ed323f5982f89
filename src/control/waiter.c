/*
 * waiter.c - a synchronous sender waiting for its message or function item.
 *
 * The waiter lives on the sender's stack.  It completes when both the
 * method has returned (or the item was dropped before reaching it) and the
 * item is gone; only then may the sender return, so nobody touches the
 * waiter afterwards.  Control path only: protected by its own mutex.
 */
#include "control.h"

void ngi_waiter_init(struct ngi_waiter *w)
{
    memset(w, 0, sizeof(*w));
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
}

static void waiter_update(struct ngi_waiter *w, bool ran, int error, bool gone)
{
    pthread_mutex_lock(&w->lock);
    if (ran) {
        w->ran = true;
        w->error = error;
    }
    if (gone)
        w->gone = true;
    if (w->ran && w->gone)
        pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

void ngi_waiter_ran(struct ngi_waiter *w, int error) { waiter_update(w, true, error, false); }

void ngi_waiter_item_gone(struct ng_item *it)
{
    struct ngi_waiter **wp = it->kind == NGI_IK_MSG ? &it->u.m.waiter : &it->u.f.waiter;
    struct ngi_waiter *w = *wp;
    if (!w)
        return;
    *wp = NULL;
    /* Dropped before its method ran: that is the outcome. */
    bool ran_now = !(it->flags & NGI_IF_RUNNING);
    waiter_update(w, ran_now, -ESHUTDOWN, true);
}

int ngi_waiter_wait(struct ngi_waiter *w, struct ng_mesg **resp)
{
    pthread_mutex_lock(&w->lock);
    while (!(w->ran && w->gone))
        pthread_cond_wait(&w->cond, &w->lock);
    pthread_mutex_unlock(&w->lock);
    int rc = w->responded ? w->resp_error : w->error;
    if (resp)
        *resp = w->resp;
    else
        ng_mesg_free(w->resp);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    return rc;
}

void ngi_waiter_abandon(struct ngi_waiter *w, int error) { waiter_update(w, true, error, true); }
