/*
 * ether_echo.h - the "ether_echo" node type (FreeBSD's ng_ether_echo(4)):
 * sends every Ethernet frame back out the hook it came in on with its
 * source and destination addresses swapped, and reflects non-generic
 * control messages to their sender.  Cookie as FreeBSD's
 * (<netgraph/ng_ether_echo.h>); docs/nodes/ether_echo.md describes it.
 */
#ifndef NGRAPH_NODES_ETHER_ECHO_H
#define NGRAPH_NODES_ETHER_ECHO_H

#include <ngraph/ngraph.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const struct ng_type ng_ether_echo_type;

#define NG_ETHER_ECHO_NODE_TYPE "ether_echo"
#define NGM_ETHER_ECHO_COOKIE 1230155201u

/* Frames shorter than an Ethernet header (dst, src, ethertype) are runts:
 * dropped, counted, and refused with -EINVAL. */
#define NG_ETHER_ECHO_MIN_FRAME 14

#ifdef __cplusplus
}
#endif

#endif
