/*
 * Built-in node types, registered in every graph:
 *
 *   hole  Discards every data item it receives and counts it (per node).
 *         Accepts any hook name.  Messages: NGM_HOLE_GET_STATS (response
 *         struct ng_hole_stats), NGM_HOLE_CLR_STATS.
 *   echo  Sends every data item back out of the hook it arrived on, and
 *         answers every non-generic message with a copy of itself.
 *   tee   Hooks "left", "right", "left2right", "right2left".  Data from
 *         right goes out left, with a copy out right2left; data from left goes
 *         out right, with a copy out left2right.  Data arriving on left2right
 *         goes out right, on right2left goes out left.  The node shuts down
 *         when its last hook is removed.  Messages: NGM_TEE_GET_STATS
 *         (response struct ng_tee_stats), NGM_TEE_CLR_STATS.
 */
#ifndef NGRAPH_NODES_H
#define NGRAPH_NODES_H

#include <stdint.h>

#define NG_HOLE_NODE_TYPE "hole"
#define NGM_HOLE_COOKIE 915433206u
enum { NGM_HOLE_GET_STATS = 1, NGM_HOLE_CLR_STATS = 2 };
struct ng_hole_stats {
    uint64_t frames;
    uint64_t octets;
};

#define NG_ECHO_NODE_TYPE "echo"
#define NGM_ECHO_COOKIE 884298942u

#define NG_TEE_NODE_TYPE "tee"
#define NGM_TEE_COOKIE 916107047u
enum { NGM_TEE_GET_STATS = 1, NGM_TEE_CLR_STATS = 2 };
struct ng_tee_hookstat {
    uint64_t in_frames, in_octets;   /* received on the hook */
    uint64_t out_frames, out_octets; /* sent out of the hook */
};
struct ng_tee_stats {
    struct ng_tee_hookstat right, left, right2left, left2right;
};

#endif
