/*
 * backend.c - the one table of reclamation backends.
 *
 * Every list of backends in the library derives from ngi_backends[]: the
 * public names (ng_backend_name, ng_backend_parse) are each table's `name`,
 * and ng_graph_create() finds the ops through ngi_backend_lookup().  Adding
 * a backend: one file implementing struct ngi_backend_ops, one enum value
 * in <ngraph/ngraph.h>, one line here (and the build's NG_BACKENDS list,
 * which runs the tests on it).
 * Concurrency: the tables are immutable constants; any thread, any time.
 */
#include "backend.h"

#include <errno.h>
#include <string.h>

#include <ngraph/ngraph.h>

static const struct ngi_backend_ops *const ngi_backends[NG_BACKEND_COUNT] = {
    [NG_BACKEND_CK_EPOCH] = &ngi_backend_ck_epoch_ops,
    [NG_BACKEND_QSBR] = &ngi_backend_qsbr_ops,
    [NG_BACKEND_RWLOCK] = &ngi_backend_rwlock_ops,
};

const struct ngi_backend_ops *ngi_backend_lookup(int kind)
{
    return (unsigned)kind < NG_BACKEND_COUNT ? ngi_backends[kind] : NULL;
}

const char *ng_backend_name(enum ng_backend b)
{
    const struct ngi_backend_ops *ops = ngi_backend_lookup((int)b);
    return ops ? ops->name : NULL;
}

int ng_backend_parse(const char *name, enum ng_backend *out)
{
    if (!name || !out)
        return -EINVAL;
    for (int i = 0; i < NG_BACKEND_COUNT; i++) {
        if (strcmp(name, ngi_backends[i]->name) == 0) {
            *out = (enum ng_backend)i;
            return 0;
        }
    }
    return -EINVAL;
}
