/*
 * stdtypes.c - the torture's standard node types (torture --types std).
 *
 * With --types std the random topology mixes the torture's own "tort" and
 * "tortw" nodes with the standard types registered in each graph (those of
 * tests/support/stdtypes.h that std_mixed() takes, below, and why not all).
 * A standard type only accepts its own hook names, so a hook is drawn as an
 * index 0..TORTURE_NHOOKS-1 and named through the table of the type of the
 * node it is on: "h<i>" for tort nodes and types that take any name,
 * "in"/"out"/"mixed" for split, and so on.
 * The control threads also send standard nodes messages of their own type
 * cookie with random command numbers and random argument bytes (arguments
 * short, absurd or malformed as often as well-formed), which each type must
 * refuse or apply without crashing or losing an item while traffic flows.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <ngraph/message.h>
#include <ngraph/nodes.h>

#include "ngtest.h"
#include "stdtypes.h"
#include "torture.h"

/*
 * The built-in types of tests/support/stdtypes.h this mode mixes in: all
 * but those that copy items (tee's taps, hub, one2many's "all", bridge
 * flooding: a random topology soon joins them in a loop, and a loop that
 * copies grows without bound, a broadcast storm no engine can make finite;
 * their own tests cover them) and pcap (random messages would open files).
 * Loops of the others carry one item round and round until the engine's
 * loop guards drop it (NG_DROP_LOOP), which the torture exercises on
 * purpose.  Types whose messages can make them create items (a pipe told to
 * duplicate, a source told to start) get no random messages.
 */
_Static_assert(TORTURE_NHOOKS == NGT_NHOOKS, "one hook index range");

static bool std_mixed(const struct ngt_stdtype *t)
{
    return !(t->flags & (NGT_COPIES | NGT_FILES));
}

static const struct ngt_stdtype *std_find(const char *name)
{
    for (size_t i = 0; i < NGT_NSTDTYPES; i++)
        if (std_mixed(&ngt_stdtypes[i]) && strcmp(ngt_stdtypes[i].name, name) == 0)
            return &ngt_stdtypes[i];
    return NULL;
}

unsigned torture_std_count(void)
{
    unsigned n = 0;
    for (size_t i = 0; i < NGT_NSTDTYPES; i++)
        n += std_mixed(&ngt_stdtypes[i]);
    return n;
}

const char *torture_std_name(unsigned i)
{
    i %= torture_std_count();
    for (size_t k = 0;; k++)
        if (std_mixed(&ngt_stdtypes[k]) && i-- == 0)
            return ngt_stdtypes[k].name;
}

void torture_hook_name(const struct ng_node *node, const char *type, unsigned idx, char *buf,
                       size_t n)
{
    if (!type)
        type = node ? ng_node_type(node)->name : "tort";
    const struct ngt_stdtype *t = std_find(type);
    idx %= TORTURE_NHOOKS;
    if (t)
        snprintf(buf, n, "%s", t->hooks[idx]);
    else
        snprintf(buf, n, "h%u", idx);
}

struct ng_mesg *torture_std_msg(const struct ng_node *node, const uint64_t *a)
{
    const struct ng_type *ty = ng_node_type(node);
    const struct ngt_stdtype *t = std_find(ty->name);
    if (!t || (t->flags & (NGT_GENERATES | NGT_DUPLICATES)))
        return NULL;
    /* Command numbers 1..24 cover every standard type's commands and a few
     * it does not have; arguments 0..96 bytes: empty, short, exact or long. */
    uint32_t cmd = 1 + (uint32_t)(a[0] % 24);
    uint32_t len = (uint32_t)(a[1] % 97);
    struct ng_mesg *m = ng_mesg_alloc(ty->cookie, cmd, len);
    if (!m)
        return NULL;
    uint64_t rng = a[2];
    for (uint32_t i = 0; i < len; i++) {
        /* Half the bytes small (plausible lengths, counts, hook indices),
         * the rest anything; hook names drawn from the type's table. */
        uint64_t r = ngtest_splitmix(&rng);
        m->data[i] = (uint8_t)((r & 1) ? (r >> 8) % 8 : r >> 16);
    }
    if (len >= NG_HOOKSIZ && a[3] % 2) {
        char h[NG_HOOKSIZ];
        torture_hook_name(node, NULL, (unsigned)a[4], h, sizeof(h));
        memcpy(m->data, h, strlen(h) + 1);
    }
    return m;
}
