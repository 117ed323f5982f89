/* memory.c - the memory scenario: bytes per node and per hook (malloc accounting). */
#include "ngbench.h"

#include <malloc.h>
#include <stdlib.h>

struct memres ngb_mem_measure(enum ng_backend b)
{
    struct memres m = {0, 0, 0};
    struct ng_graph_config gc;
    struct ng_graph *g;
    ng_graph_config_init(&gc);
    gc.backend = b;
    if (ng_graph_create(&gc, &g) < 0 || ngb_types_register(g) < 0)
        return m;
    enum { K = 4096 };
    struct ng_node **v = calloc(K, sizeof(*v));
    ng_thread_register(g);
    /* Warm the thread state and allocator first. */
    struct ng_node *w0 = NULL;
    ng_node_create(g, "bnull", &w0);
    struct mallinfo2 a = mallinfo2();
    int made = 0;
    for (int i = 0; i < K; i++)
        if (ng_node_create(g, "bnull", &v[i]) == 0)
            made++;
    struct mallinfo2 b2 = mallinfo2();
    int conn = 0;
    for (int i = 0; i + 1 < made; i += 2)
        if (ng_connect(v[i], "a", v[i + 1], "b") == 0)
            conn++;
    struct mallinfo2 c = mallinfo2();
    m.nodes = (uint64_t)made;
    m.node_bytes = made ? (double)(b2.uordblks - a.uordblks) / made : 0;
    m.hook_bytes = conn ? (double)(c.uordblks - b2.uordblks) / (2.0 * conn) : 0;
    for (int i = 0; i < made; i++)
        ng_node_unref(v[i]);
    if (w0)
        ng_node_unref(w0);
    free(v);
    ng_thread_unregister(g);
    ng_graph_destroy(g);
    return m;
}
