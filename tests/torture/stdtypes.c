/*
 * stdtypes.c - the torture's standard node types (torture --types std).
 *
 * With --types std the random topology mixes the torture's own "tort" and
 * "tortw" nodes with the standard types registered in each graph (see
 * types[] below for which, and why not all).  A standard type only accepts its own hook names,
 * so a hook is drawn as an index 0..NHOOKS-1 and named through the table of
 * the type of the node it is on: "h<i>" for tort nodes and types that take
 * any name, "in"/"out"/"mixed" for split, and so on.
 * The control threads also send standard nodes messages of their own type
 * cookie with random command numbers and random argument bytes (arguments
 * short, absurd or malformed as often as well-formed), which each type must
 * refuse or apply without crashing or losing an item while traffic flows.
 */
#include <stdio.h>
#include <string.h>

#include <ngraph/message.h>
#include <ngraph/nodes.h>

#include "ngtest.h"
#include "torture.h"

struct std_type {
    const char *name;
    const char *hooks[TORTURE_NHOOKS]; /* NULL: "h<i>" (the type takes any name) */
    int fuzz;                          /* random messages of the type's own cookie */
};

/*
 * The types every graph has built in, with hook names they accept.  Types
 * that copy items (tee's taps, hub, one2many's "all", bridge flooding) are
 * left out: a random topology soon joins them in a loop, and a loop that
 * copies grows without bound (a broadcast storm, which no engine can make
 * finite); their own tests cover them.  Loops of the types below carry one
 * item round and round until the engine's stack guard drops it
 * (NG_DROP_LOOP), which the torture exercises on purpose.
 */
static const struct std_type types[] = {
    {"hole", {NULL}, 1},
    {"echo", {NULL}, 1},
    {"split", {"in", "out", "mixed", "mixed"}, 1},
    {"ether_echo", {NULL}, 1},
    {"vlan", {"downstream", "nomatch", "v1", "v2"}, 1},
    {"etf", {"downstream", "nomatch", "ipv4", "arp"}, 1},
    {"macfilter", {"ether", "default", "m1", "m2"}, 1},
    {"tag", {NULL}, 1},
    {"bpf", {NULL}, 1},
    {"tcpmss", {NULL}, 1},
    {"patch", {"in", "out", "in", "out"}, 1},
    {"car", {"upper", "lower", "upper", "lower"}, 1},
    /* No random messages: a pipe told to duplicate, or a source told to
     * start, would make items of its own in a loop. */
    {"pipe", {"upper", "lower", "upper", "lower"}, 0},
    {"source", {"input", "output", "input", "output"}, 0},
};
#define NSTD (sizeof(types) / sizeof(types[0]))

static const struct std_type *std_find(const char *name)
{
    for (size_t i = 0; i < NSTD; i++)
        if (strcmp(types[i].name, name) == 0)
            return &types[i];
    return NULL;
}

unsigned torture_std_count(void) { return (unsigned)NSTD; }

const char *torture_std_name(unsigned i) { return types[i % NSTD].name; }

void torture_hook_name(const struct ng_node *node, const char *type, unsigned idx, char *buf,
                       size_t n)
{
    if (!type)
        type = node ? ng_node_type(node)->name : "tort";
    const struct std_type *t = std_find(type);
    idx %= TORTURE_NHOOKS;
    if (t && t->hooks[idx])
        snprintf(buf, n, "%s", t->hooks[idx]);
    else
        snprintf(buf, n, "h%u", idx);
}

struct ng_mesg *torture_std_msg(const struct ng_node *node, const uint64_t *a)
{
    const struct ng_type *ty = ng_node_type(node);
    const struct std_type *t = std_find(ty->name);
    if (!t || !t->fuzz)
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
