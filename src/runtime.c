/*
 * runtime.c - worker runtime hooks used by the engine.  Without a running
 * runtime, node queues are drained inline by the thread that owns DRAIN and
 * there are no timers to cancel.
 */
#include "internal.h"

bool ng_runtime_schedule(struct ng_graph *g, struct ng_node *node)
{
    (void)node;
    return g->runtime != NULL && false;
}

void ng_timers_cancel_node(struct ng_node *node)
{
    (void)node;
}

void ng_runtime_stop(struct ng_runtime *rt)
{
    (void)rt;
}
