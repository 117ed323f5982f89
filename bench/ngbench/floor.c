/*
 * floor.c - the floors: the engine's topologies as plain structs, one
 * indirect call per hop (a real call and return: "floor"; a tail jump:
 * "floor-tj"), with the same item alloc/free and sink work as the engine
 * path.
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

/* The tail-jump floor: the same hop, but the call is the function's last
 * act, so the compiler emits a jump (as the engine's hop is one): no
 * return-stack depth, no frame per hop.  The call/return floor above
 * climbs past ~20 hops as the return stack overflows; this one does not. */
static int floor_pass_tj(struct fnode *n, struct ng_item *it)
{
    struct fnode *nx = atomic_load_explicit(&n->next, memory_order_acquire);
    if (__builtin_expect(nx == NULL, 0)) {
        ngb_count_nohook();
        ng_item_free(it);
        return -ENOTCONN;
    }
    return nx->fn(nx, it); /* a sibling call at -O2: jmp */
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
    int (*pass)(struct fnode *, struct ng_item *) =
        c->kind == K_FLOOR_TJ ? floor_pass_tj : floor_pass;
    if (c->scen == S_FANOUT) {
        struct fnode *fan = fnew(floor_fan, all, nall);
        for (int i = 0; i < FAN; i++)
            fan->outs[i] = fnew(floor_sink, all, nall);
        return fan;
    }
    if (c->scen == S_CHAIN) /* layout shift, as the engine's dummy nodes (run.c) */
        for (int i = 0; i < 3 * c->layout_rep; i++)
            (void)fnew(floor_sink, all, nall);
    struct fnode *sink = fnew(floor_sink, all, nall), *nx = sink;
    for (int i = 0; i < c->n; i++) {
        /* Memory layout (see ngb_layout_pad): odd layouts put a cell between
         * the nodes. */
        if (c->scen == S_CHAIN && (c->layout_rep & 1))
            (void)fnew(floor_sink, all, nall);
        struct fnode *p = fnew(pass, all, nall);
        atomic_store(&p->next, nx);
        nx = p;
    }
    return nx;
}
