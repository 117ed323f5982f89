/*
 * Built-in node types, registered in every graph:
 *
 *   hole  Discards every data item it receives and counts it per hook.
 *         Accepts any hook name.  Messages (argument: the hook's name, a
 *         NUL-terminated string; -ENOENT for a hook it does not have):
 *         NGM_HOLE_GET_STATS (response struct ng_hole_hookstat),
 *         NGM_HOLE_CLR_STATS, NGM_HOLE_GETCLR_STATS (both at once);
 *         NGM_TEXT_STATUS (every hook's counters as text).  Shuts down
 *         when its last hook is disconnected.
 *   echo  Sends every data item back out of the hook it arrived on, and
 *         answers every non-generic message with a copy of itself.
 *         Accepts any hook name; shuts down when its last hook is
 *         disconnected.
 *   tee   Hooks "left", "right", "left2right", "right2left" (ng_tee(4)).
 *         Data from right goes out left, with a copy out right2left; data
 *         from left goes out right, with a copy out left2right (with only
 *         the tap connected, the tap gets it).  Data arriving on right2left
 *         goes out right, on left2right goes out left.  Flow-control
 *         messages (NGM_FLOW_COOKIE) from left or right are forwarded to
 *         the other side.  Shutting down with both left and right connected
 *         first connects them to each other (ng_bypass); the node also
 *         shuts down when its last hook is removed.  Messages:
 *         NGM_TEE_GET_STATS (response struct ng_tee_stats),
 *         NGM_TEE_CLR_STATS, NGM_TEE_GETCLR_STATS (both at once),
 *         NGM_TEXT_STATUS.  A new hook's counters start at zero.
 * Cookies, numbers and structs are FreeBSD's (ng_hole.h, ng_tee.h, ng_echo.h);
 * the ASCII forms are in docs/messages.md.
 *
 * Also registered in every graph, each with its own header under
 * <ngraph/nodes/> (included below) and manual in docs/nodes/:
 *   one2many  one "one" hook to many "manyN" links: round-robin, all or
 *             failover transmission, link up/down (ng_one2many(4))
 *   hub       every packet to every other hook (ng_hub(4))
 *   split     "in" and "out" joined into "mixed" (ng_split(4))
 *   ether_echo  Ethernet frames sent back with their addresses swapped
 *   vlan      802.1Q tagging and demux by VLAN id (ng_vlan(4))
 *   etf       demux and filter by ethertype (ng_etf(4))
 *   macfilter  demux by Ethernet address (FreeBSD's ng_macfilter)
 *   bridge    learning Ethernet switch: MAC table, aging, loop detection,
 *             uplinks (ng_bridge(4))
 *   tag       route by, strip and set tags in the item metadata (ng_tag(4))
 *   car       committed access rate: RFC 2697/2698 meters, RED, shaping
 *             (ng_car(4))
 *   pipe      network emulator: bandwidth, delay, BER, duplication,
 *             queues (ng_pipe(4))
 *   source    packet generator (ng_source(4))
 *   patch     arithmetic on packet fields, checksums (ng_patch(4))
 *   bpf       classic BPF programs per hook, libpcap (ng_bpf(4))
 *   tcpmss    TCP MSS clamping (ng_tcpmss(4))
 * and the packet I/O types, which join a graph to Linux networking:
 *   ether     an existing interface, AF_PACKET TPACKET_V3 rings (ng_ether(4))
 *   eiface    a TAP interface ngethN of the host (ng_eiface(4))
 *   ksocket   a socket as a node: UDP, TCP, local (ng_ksocket(4))
 *   pcap      capture files in and out, through libpcap (libngraph's own)
 */
#ifndef NGRAPH_NODES_H
#define NGRAPH_NODES_H

#include <stdint.h>

#include <ngraph/ngraph.h>

/* The built-in types (registered by ng_graph_create; their cmdlist is the
 * command list with parse types). */
extern const struct ng_type ng_hole_type, ng_echo_type, ng_tee_type;

#include <ngraph/nodes/bpf.h>
#include <ngraph/nodes/bridge.h>
#include <ngraph/nodes/car.h>
#include <ngraph/nodes/eiface.h>
#include <ngraph/nodes/ether.h>
#include <ngraph/nodes/ether_echo.h>
#include <ngraph/nodes/etf.h>
#include <ngraph/nodes/hub.h>
#include <ngraph/nodes/ksocket.h>
#include <ngraph/nodes/macfilter.h>
#include <ngraph/nodes/one2many.h>
#include <ngraph/nodes/patch.h>
#include <ngraph/nodes/pcap.h>
#include <ngraph/nodes/pipe.h>
#include <ngraph/nodes/source.h>
#include <ngraph/nodes/split.h>
#include <ngraph/nodes/tag.h>
#include <ngraph/nodes/tcpmss.h>
#include <ngraph/nodes/vlan.h>

#define NG_HOLE_NODE_TYPE "hole"
#define NGM_HOLE_COOKIE 915433206u
enum { NGM_HOLE_GET_STATS = 1, NGM_HOLE_CLR_STATS = 2, NGM_HOLE_GETCLR_STATS = 3 };
struct ng_hole_hookstat {
    uint64_t frames;
    uint64_t octets;
};

#define NG_ECHO_NODE_TYPE "echo"
#define NGM_ECHO_COOKIE 884298942u

#define NG_TEE_NODE_TYPE "tee"
#define NGM_TEE_COOKIE 916107047u
#define NG_TEE_HOOK_RIGHT "right"
#define NG_TEE_HOOK_LEFT "left"
#define NG_TEE_HOOK_RIGHT2LEFT "right2left"
#define NG_TEE_HOOK_LEFT2RIGHT "left2right"
enum { NGM_TEE_GET_STATS = 1, NGM_TEE_CLR_STATS = 2, NGM_TEE_GETCLR_STATS = 3 };
struct ng_tee_hookstat {
    uint64_t inOctets; /* received on the hook */
    uint64_t inFrames;
    uint64_t outOctets; /* sent out of the hook */
    uint64_t outFrames;
};
struct ng_tee_stats {
    struct ng_tee_hookstat right, left, right2left, left2right;
};

#endif
