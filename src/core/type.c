/*
 * type.c - the graph's type registry.  The list is protected by ctl_lock;
 * entries are freed when unregistered (no node of the type left) or with
 * the graph.
 */
#include <stdlib.h>

#include "core.h"

/* ------------------------------------------------------------------------ */

struct ngi_typeent *ngi_type_find_locked(struct ng_graph *g, const char *name)
{
    for (struct ngi_typeent *te = g->types; te; te = te->next)
        if (strcmp(te->type->name, name) == 0)
            return te;
    return NULL;
}

int ng_type_register(struct ng_graph *g, const struct ng_type *type)
{
    if (!g || !type || type->version != NG_ABI_VERSION || !type->name ||
        ng_name_check(type->name, NG_TYPESIZ) != 0)
        return -EINVAL;
    struct ngi_typeent *te = calloc(1, sizeof(*te));
    if (!te)
        return -ENOMEM;
    te->type = type;
    ngi_ctl_lock(g);
    for (struct ngi_typeent *o = g->types; o; o = o->next) {
        if (strcmp(o->type->name, type->name) == 0 || o->type->cookie == type->cookie) {
            ngi_ctl_unlock(g);
            free(te);
            return -EEXIST;
        }
    }
    te->next = g->types;
    g->types = te;
    ngi_ctl_unlock(g);
    return 0;
}

int ng_type_unregister(struct ng_graph *g, const char *name)
{
    if (!g || !name)
        return -EINVAL;
    ngi_ctl_lock(g);
    for (struct ngi_typeent **pp = &g->types; *pp; pp = &(*pp)->next) {
        struct ngi_typeent *te = *pp;
        if (strcmp(te->type->name, name) == 0) {
            if (atomic_load(&te->numnodes) != 0) {
                ngi_ctl_unlock(g);
                return -EBUSY;
            }
            *pp = te->next;
            ngi_ctl_unlock(g);
            free(te);
            return 0;
        }
    }
    ngi_ctl_unlock(g);
    return -ENOENT;
}

void ngi_types_free_all(struct ng_graph *g)
{
    while (g->types) {
        struct ngi_typeent *te = g->types;
        g->types = te->next;
        free(te);
    }
}
