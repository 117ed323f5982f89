/*
 * split.h - the "split" node type (FreeBSD's ng_split(4)): separates a
 * bidirectional stream ("mixed") into an incoming ("in") and an outgoing
 * ("out") one.  Cookie and hook names are FreeBSD's (<netgraph/ng_split.h>);
 * docs/nodes/split.md describes the type.
 */
#ifndef NGRAPH_NODES_SPLIT_H
#define NGRAPH_NODES_SPLIT_H

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const struct ng_type ng_split_type;

#define NG_SPLIT_NODE_TYPE "split"
#define NGM_SPLIT_COOKIE 949409402u

#define NG_SPLIT_HOOK_MIXED "mixed" /* both directions: received here goes out "out" */
#define NG_SPLIT_HOOK_OUT "out"     /* sending side: received here is illegal (dropped) */
#define NG_SPLIT_HOOK_IN "in"       /* receiving side: received here goes out "mixed" */

#ifdef __cplusplus
}
#endif

#endif
