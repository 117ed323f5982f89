/*
 * entry.h - what the hop (hop.c) needs from node entry (entry.c): the
 * out-of-line halves of a delivery.  Private to src/datapath/.
 */
#ifndef NGI_DATAPATH_ENTRY_H
#define NGI_DATAPATH_ENTRY_H

#include "datapath.h"

/* Data for a hook or node that is invalid or forces writer/queue entry.
 * `link`: the item was sent by the partner hook (else injected); hf: the
 * receiving hook's flags as loaded by the caller.  Consumes it. */
int ngi_data_slow(struct ngi_thread *t, struct ng_hook *hook, struct ng_item *it, uint32_t hf,
                  bool link);
/* A netgraph-mode (non-shared) node: enter as a reader or queue behind the
 * writer.  Consumes it. */
int ngi_data_reader(struct ngi_thread *t, struct ng_hook *hook, struct ng_item *it);
/* An item sent over a cut link: dropped and counted at the sending side, as
 * netgraph does when NG_SEND_DATA finds no peer.  Returns -ENOTCONN. */
int ngi_drop_notconn(struct ng_hook *sender, struct ng_item *it);

/* Bursts (ng_send_data_burst): the same three cases for n items at once,
 * each accounting every item exactly as the single-item functions do. */
int ngi_burst_slow(struct ngi_thread *t, struct ng_hook *hook, struct ng_item **items, unsigned n,
                   uint32_t hf, bool link);
int ngi_burst_reader(struct ngi_thread *t, struct ng_hook *hook, struct ng_item **items,
                     unsigned n);
int ngi_drop_notconn_burst(struct ng_hook *sender, struct ng_item **items, unsigned n);
/* The loop guards (NGI_STACK_LOW, datapath.h; the hop limit, hop.c)
 * refused n items: dropped and counted (NG_DROP_LOOP) at the sending hook,
 * or at the node they were injected into when sender is NULL.  Returns
 * -ELOOP. */
int ngi_drop_loop(struct ng_node *node, struct ng_hook *sender, struct ng_item **items, unsigned n);
/* Without a rcvdata_burst method: rcvdata per item; the first non-zero
 * return value. */
int ngi_burst_each(struct ng_hook *hook, struct ng_item **items, unsigned n);

/* Hand a burst that has been counted and given the node access it needs to
 * the receiving node's type: its rcvdata_burst method if it has one, else
 * rcvdata per item.  Consumes the items. */
static NGI_ALWAYS_INLINE int ngi_deliver_burst(struct ng_hook *hook, struct ng_node *n,
                                               struct ng_item **items, unsigned cnt)
{
    NGI_ASSERT(cnt >= 1 && cnt <= NG_BURST_MAX);
    int (*fn)(struct ng_hook *, struct ng_item **, unsigned) = n->type->rcvdata_burst;
    if (NGI_LIKELY(fn != NULL))
        return fn(hook, items, cnt);
    return ngi_burst_each(hook, items, cnt);
}

#endif
