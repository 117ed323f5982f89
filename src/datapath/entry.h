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

#endif
