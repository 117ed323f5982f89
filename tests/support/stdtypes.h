/*
 * stdtypes.h - the built-in node types as the tests that walk all of them
 * see them: a hook name each type accepts for every index 0..3, and what
 * each one does that a test mixing them must know about.  Used by the
 * torture's standard-type mode (tests/torture/stdtypes.c), the node-types
 * fuzzer (tests/fuzz/fuzz_nodes.c) and the revive test
 * (tests/nodes/test_revive.c); each takes the types whose flags it can
 * live with.  Header only (the fuzzer links no test support library).
 * ether, eiface and ksocket are not listed: they touch the machine's
 * network and are tested in tests/netns/.
 */
#ifndef NGTEST_STDTYPES_H
#define NGTEST_STDTYPES_H

#include <stddef.h>

#define NGT_NHOOKS 4

/* What a type does beyond forwarding what it receives: */
#define NGT_COPIES 0x1u     /* copies items (taps, flooding, "all"): a loop of it is a storm */
#define NGT_GENERATES 0x2u  /* a message makes it send items of its own, for ever (source) */
#define NGT_DUPLICATES 0x4u /* a message makes it duplicate what it forwards (pipe) */
#define NGT_FILES 0x8u      /* a message makes it open files (pcap) */

struct ngt_stdtype {
    const char *name;
    const char *hooks[NGT_NHOOKS]; /* names the type accepts, by index */
    unsigned flags;                /* NGT_* */
};

/* In this order: the fuzzer's corpus names types by index in the list it
 * takes (everything but NGT_GENERATES and NGT_FILES). */
static const struct ngt_stdtype ngt_stdtypes[] = {
    {"hole", {"h0", "h1", "h2", "h3"}, 0},
    {"echo", {"h0", "h1", "h2", "h3"}, 0},
    {"tee", {"left", "right", "left2right", "right2left"}, NGT_COPIES},
    {"one2many", {"one", "many0", "many1", "many2"}, NGT_COPIES},
    {"hub", {"h0", "h1", "h2", "h3"}, NGT_COPIES},
    {"split", {"in", "out", "mixed", "mixed"}, 0},
    {"ether_echo", {"h0", "h1", "h2", "h3"}, 0},
    {"vlan", {"downstream", "nomatch", "v10", "v20"}, 0},
    {"etf", {"downstream", "nomatch", "ipv4", "arp"}, 0},
    {"macfilter", {"ether", "default", "m1", "m2"}, 0},
    {"bridge", {"link0", "link1", "link2", "uplink0"}, NGT_COPIES},
    {"tag", {"h0", "h1", "h2", "h3"}, 0},
    {"car", {"upper", "lower", "upper", "lower"}, 0},
    {"pipe", {"upper", "lower", "upper", "lower"}, NGT_DUPLICATES},
    {"patch", {"in", "out", "in", "out"}, 0},
    {"bpf", {"h0", "h1", "h2", "h3"}, 0},
    {"tcpmss", {"h0", "h1", "h2", "h3"}, 0},
    {"source", {"input", "output", "input", "output"}, NGT_GENERATES},
    {"pcap", {"in", "out", "in", "out"}, NGT_FILES},
};
#define NGT_NSTDTYPES (sizeof(ngt_stdtypes) / sizeof(ngt_stdtypes[0]))

#endif
