/*
 * hub.h - the "hub" node type (FreeBSD's ng_hub(4)): every packet received
 * on a hook is sent out every other hook.  Cookie and command numbers are
 * FreeBSD's (<netgraph/ng_hub.h>); docs/nodes/hub.md describes the type.
 */
#ifndef NGRAPH_NODES_HUB_H
#define NGRAPH_NODES_HUB_H

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const struct ng_type ng_hub_type;

#define NG_HUB_NODE_TYPE "hub"
#define NGM_HUB_COOKIE 1082189597u

enum {
    NGM_HUB_SET_PERSISTENT = 1, /* no argument: do not shut down when the last hook goes */
};

#ifdef __cplusplus
}
#endif

#endif
