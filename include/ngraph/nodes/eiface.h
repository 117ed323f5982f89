/*
 * eiface.h - the "eiface" node type (FreeBSD's ng_eiface(4)): a virtual
 * Ethernet interface, on Linux a TAP device (/dev/net/tun) named ngeth0,
 * ngeth1, ..., whose frames appear on hook "ether".  Docs:
 * docs/nodes/eiface.md.
 *
 * Cookie, hook name, command numbers and ASCII names are FreeBSD's
 * (sys/netgraph/ng_eiface.h).
 */
#ifndef NGRAPH_NODES_EIFACE_H
#define NGRAPH_NODES_EIFACE_H

#include <stdint.h>

#include <ngraph/ngraph.h>

#define NG_EIFACE_NODE_TYPE "eiface"
#define NGM_EIFACE_COOKIE 948105892u
#define NG_EIFACE_EIFACE_NAME "ngeth" /* interface base name */
#define NG_EIFACE_HOOK_ETHER "ether"

#define NG_EIFACE_IFNAMSIZ 16 /* Linux IFNAMSIZ */
#define NG_EIFACE_ADDR_LEN 6

enum {
    NGM_EIFACE_GET_IFNAME = 1, /* response: the interface name (string) */
    NGM_EIFACE_GET_IFADDRS,    /* response: the addresses, text (see the manual) */
    NGM_EIFACE_SET,            /* argument: 6-byte Ethernet address */
};

extern const struct ng_type ng_eiface_type;

#endif
