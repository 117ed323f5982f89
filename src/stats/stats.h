/*
 * stats.h - the statistics layer's interface to the layers above it.
 * Private to libngraph.
 */
#ifndef NGI_STATS_STATS_H
#define NGI_STATS_STATS_H

#include <ngraph/runtime.h>

#include "datapath/datapath.h"

/* Fold a hook's data counts into its node's gone_in/out: at unlink
 * (ctl_lock held, final = false) and when it is freed (final = true, after
 * its grace period: no writer left), so node totals survive hook removal. */
void ngi_hook_fold_stats(struct ng_hook *hook, bool final);
/* Sum a node's counters (its hook list kept stable by the caller: ctl_lock,
 * or a read-side section plus the topology read lock). */
void ngi_node_stats_sum(struct ng_node *node, struct ng_node_stats *out);
/* Sum one hook's counters. */
void ngi_hook_stats_sum(struct ng_hook *hook, struct ng_hook_stats *out);

#endif
