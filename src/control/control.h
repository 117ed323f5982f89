/*
 * control.h - the control layer's internal interface: messages and their
 * delivery, synchronous waiters, paths, generic messages, and the items
 * the data path runs through its run_ctl upcall.  Private to libngraph.
 */
#ifndef NGI_CONTROL_CONTROL_H
#define NGI_CONTROL_CONTROL_H

#include <ngraph/message.h>
#include <ngraph/runtime.h>

#include "core/core.h"
#include "parse/msgobj.h"

/* waiter.c: a synchronous sender waiting for its item (see there). */
struct ngi_waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool ran, gone, responded;
    /* ng_send_msg_applied: the waiter completes when the method returns;
     * it is detached from the item before the method runs, so a response
     * goes to the sending node and an item kept for later never names it. */
    bool applied_only;
    int error;      /* method's return value, or the drop error */
    int resp_error; /* error passed to ng_respond() */
    struct ng_mesg *resp;
};
void ngi_waiter_init(struct ngi_waiter *w);
/* Wait until the item has run (or was dropped) and is gone; returns the
 * response error if the method responded, else its return value. */
int ngi_waiter_wait(struct ngi_waiter *w, struct ng_mesg **resp);
void ngi_waiter_ran(struct ngi_waiter *w, int error);
/* The item carrying w is being freed (ngi_ctl_item_release). */
void ngi_waiter_item_gone(struct ng_item *item);
/* No item was ever made for w: complete it with error at once. */
void ngi_waiter_abandon(struct ngi_waiter *w, int error);

/* msg.c */

/* Run a message item in node's context (writer access held).  Consumes it. */
int ngi_msg_deliver(struct ngi_thread *t, struct ng_node *node, struct ng_hook *lasthook,
                    struct ng_item *item);

/* generic.c: an engine message (NGM_GENERIC_COOKIE or NGM_NGRAPH_COOKIE,
 * not a response, and not a TEXT_STATUS/TEXT_CONFIG the type answers
 * itself: ngi_generic_owns).  Consumes item.  Every response the engine
 * builds is allocated with ngi_mesg_response_large (NG_MAX_RESP_ARGLEN). */
bool ngi_generic_owns(const struct ng_node *node, const struct ng_mesg *msg);
int ngi_generic_msg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook);

/* ascii.c: NGM_ASCII2BINARY / NGM_BINARY2ASCII with node's type's command
 * list (argument length already checked).  Consumes item. */
int ngi_ascii_msg(struct ng_node *node, struct ng_item *item);

/* path.c: resolve inside a read-side section; results referenced. */
int ngi_path_lookup(struct ng_graph *g, struct ng_node *from, const char *path, struct ng_node **np,
                    struct ng_hook **lasthookp);

/* item.c: the data path's upcalls for message and function items. */
int ngi_run_ctl_item(struct ngi_thread *t, struct ng_node *node, struct ng_hook *hook,
                     struct ng_item *item);
void ngi_ctl_item_release(struct ng_item *item);

#endif
