/*
 * floor.c - the floor: the engine's topologies as plain structs, one
 * indirect call per hop, with the same item alloc/free and sink work as the
 * engine path.
 */
#include "ngbench.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int floor_pass(struct fnode *n, struct ng_item *it)
{
    struct fnode *nx = atomic_load_explicit(&n->next, memory_order_acquire);
    if (__builtin_expect(nx == NULL, 0)) {
        ngb_count_nohook();
        ng_item_free(it);
        return -ENOTCONN;
    }
    int rc = nx->fn(nx, it);
    /* Keep a real call + return per hop (no tail jump), as the engine nests. */
    __asm__ volatile("" ::: "memory");
    return rc;
}

static int floor_fan(struct fnode *n, struct ng_item *it)
{
    for (int i = 0; i < FAN; i++) {
        struct ng_item *c = i == FAN - 1 ? it : ng_item_copy(it);
        if (!c)
            continue;
        struct fnode *o = n->outs[i];
        o->fn(o, c);
    }
    return 0;
}

static int floor_sink(struct fnode *n, struct ng_item *it)
{
    (void)n;
    ngb_sink_work(it);
    return 0;
}

static struct fnode *fnew(int (*fn)(struct fnode *, struct ng_item *), struct fnode ***all,
                          int *nall)
{
    struct fnode *f = aligned_alloc(64, sizeof(struct fnode));
    if (!f) {
        perror("ngbench: aligned_alloc");
        exit(2);
    }
    memset(f, 0, sizeof(*f));
    f->fn = fn;
    (*all)[(*nall)++] = f;
    return f;
}

struct fnode *ngb_floor_build(const struct cfg *c, struct fnode ***all, int *nall)
{
    if (c->scen == S_FANOUT) {
        struct fnode *fan = fnew(floor_fan, all, nall);
        for (int i = 0; i < FAN; i++)
            fan->outs[i] = fnew(floor_sink, all, nall);
        return fan;
    }
    struct fnode *sink = fnew(floor_sink, all, nall), *nx = sink;
    for (int i = 0; i < c->n; i++) {
        struct fnode *p = fnew(floor_pass, all, nall);
        atomic_store(&p->next, nx);
        nx = p;
    }
    return nx;
}
