/*
 * libFuzzer harness: message decoding (src/msg.c ng_mesg_check, and the
 * generic message argument decoding in src/generic.c).
 * Input: byte 0 selects the backend and the target node, the rest is a raw
 * message (header + arguments).  If ng_mesg_check() accepts it, a copy is
 * sent to a node of a small graph, synchronously (waiting for any response).
 * Topology-changing messages are allowed (mkpeer, connect, name, rmhook,
 * shutdown): the graph is rebuilt whenever its nodes are gone.  To keep the
 * graph bounded, nodes are capped: past 64 the graph is rebuilt.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/ngraph.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ng_graph *graphs[NG_BACKEND_COUNT];

static struct ng_graph *build(enum ng_backend b)
{
    struct ng_graph_config cfg;
    ng_graph_config_init(&cfg);
    cfg.backend = b;
    struct ng_graph *g;
    if (ng_graph_create(&cfg, &g) != 0)
        abort();
    struct ng_node *a, *t, *e;
    if (ng_node_create(g, "hole", &a) || ng_node_create(g, "tee", &t) ||
        ng_node_create(g, "echo", &e))
        abort();
    ng_node_name(a, "a");
    ng_node_name(t, "t");
    ng_node_name(e, "e");
    ng_connect(a, "out", t, "right");
    ng_connect(t, "left", e, "in");
    ng_node_unref(a);
    ng_node_unref(t);
    ng_node_unref(e);
    return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum ng_backend b = (enum ng_backend)(data[0] % NG_BACKEND_COUNT);
    static const char *const paths[] = {"a:", "t:", "e:", "a:out", "t:left", "[1]:", "[2]:"};
    const char *path = paths[(data[0] / NG_BACKEND_COUNT) % 7];
    data++;
    size--;

    /* ng_mesg_check on the raw bytes, suitably aligned. */
    struct ng_mesg *raw = malloc(size ? size : 1);
    if (!raw)
        return 0;
    memcpy(raw, data, size);
    int rc = ng_mesg_check(raw, size);
    if (rc != 0 && rc != -EINVAL && rc != -EMSGSIZE)
        abort();
    if (rc != 0) {
        free(raw);
        return 0;
    }
    /* Valid: send a copy in a properly allocated message. */
    uint32_t arglen = raw->header.arglen;
    struct ng_mesg *m = ng_mesg_alloc(raw->header.typecookie, raw->header.cmd, arglen);
    if (!m) {
        free(raw);
        return 0;
    }
    memcpy(m, raw, sizeof(m->header) + arglen);
    free(raw);

    if (!graphs[b])
        graphs[b] = build(b);
    struct ng_graph *g = graphs[b];
    struct ng_mesg *resp = NULL;
    (void)ng_send_msg(g, NULL, path, m, &resp);
    ng_mesg_free(resp);

    /* Rebuild when the graph was taken apart or grew too much. */
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    struct ng_node *n;
    int alive = ng_node_find(g, "a:", &n) == 0;
    if (alive)
        ng_node_unref(n);
    if (!alive || st.nodes > 64 || st.items_live != 0) {
        if (st.items_live != 0)
            abort(); /* messages never leave data items behind */
        ng_graph_destroy(g);
        graphs[b] = build(b);
    }
    return 0;
}
