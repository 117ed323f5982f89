/*
 * backend.c - map the public enum ng_backend value to a backend ops table.
 *
 * Concurrency: the tables are immutable, statically initialised constants;
 * any thread may call ng_backend_lookup() at any time.
 */
#include "backend.h"

#include <ngraph/ngraph.h>

const struct ng_backend_ops *
ng_backend_lookup(int kind)
{
    switch (kind) {
    case NG_BACKEND_CK_EPOCH:
        return &ng_backend_ck_epoch_ops;
    case NG_BACKEND_QSBR:
        return &ng_backend_qsbr_ops;
    case NG_BACKEND_RWLOCK:
        return &ng_backend_rwlock_ops;
    default:
        return NULL;
    }
}
