/*
 * libFuzzer harness: path and address parsing (src/path.c, ng_node_find).
 * A small fixed graph (named, unnamed, connected nodes) is built once; every
 * input is tried as an absolute path, a path relative to a node, a node
 * address, a node name and a hook name.  Any result must be consistent: a
 * resolved node is referenced (released here), errors are -EINVAL / -ENOENT.
 * The backend is chosen by the first input byte.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/ngraph.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ng_graph *graphs[NG_BACKEND_COUNT];
static struct ng_node *anchor[NG_BACKEND_COUNT];

static struct ng_graph *setup(enum ng_backend b)
{
    struct ng_graph_config cfg;
    ng_graph_config_init(&cfg);
    cfg.backend = b;
    struct ng_graph *g;
    if (ng_graph_create(&cfg, &g) != 0)
        abort();
    struct ng_node *a, *t, *e, *h;
    if (ng_node_create(g, "hole", &a) || ng_node_create(g, "tee", &t) ||
        ng_node_create(g, "echo", &e) || ng_node_create(g, "hole", &h))
        abort();
    ng_node_name(a, "a");
    ng_node_name(t, "tee0");
    ng_node_name(e, "e-c_ho~1");
    if (ng_connect(a, "out", t, "right") || ng_connect(t, "left", e, "in") ||
        ng_connect(t, "right2left", h, "x"))
        abort();
    anchor[b] = t;
    ng_node_unref(a);
    ng_node_unref(e);
    ng_node_unref(h);
    return g;
}

static void check(int rc)
{
    if (rc != 0 && rc != -EINVAL && rc != -ENOENT)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum ng_backend b = (enum ng_backend)(data[0] % NG_BACKEND_COUNT);
    if (!graphs[b])
        graphs[b] = setup(b);
    struct ng_graph *g = graphs[b];
    char *s = malloc(size);
    if (!s)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0'; /* embedded NULs simply cut the string */

    struct ng_node *n = NULL;
    struct ng_hook *h = NULL;
    int rc = ng_path_resolve(g, NULL, s, &n, &h);
    check(rc);
    if (rc == 0) {
        (void)ng_node_id(n);
        ng_node_unref(n);
        ng_hook_unref(h);
    }
    rc = ng_path_resolve(g, anchor[b], s, &n, &h);
    check(rc);
    if (rc == 0) {
        ng_node_unref(n);
        ng_hook_unref(h);
    }
    rc = ng_node_find(g, s, &n);
    check(rc);
    if (rc == 0)
        ng_node_unref(n);
    rc = ng_hook_find(anchor[b], s, &h);
    check(rc);
    if (rc == 0)
        ng_hook_unref(h);
    rc = ng_name_check(s, NG_NODESIZ);
    if (rc != 0 && rc != -EINVAL)
        abort();
    free(s);
    return 0;
}
