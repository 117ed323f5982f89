/*
 * libFuzzer harness: the node types' parsers.  Every standard type that
 * touches nothing outside the process (no interface, socket, file or packet
 * generator: those are tested in tests/netns/ and tests/nodes/) gets one
 * node, each of its hooks joined to a sink; the input then drives one node:
 *   byte 0   the node (index into types[]);
 *   byte 1   what: 0 a binary message of the node's own cookie (command =
 *            byte 2, argument = the rest), 1 a frame injected at one of its
 *            hooks (hook = byte 2, frame = the rest), 2 an ASCII message
 *            (the rest, as "cmd args" text, NUL-terminated here), 3 the same
 *            frame as a burst of two;
 * so message argument decoding, ASCII parse types, frame parsing (runts,
 * tags cut in half, IP headers with absurd lengths, BPF programs that fail
 * validation, patch offsets past the end) and the configurations they leave
 * behind are all exercised, on the ck_epoch backend.  Crashes, sanitizer
 * reports and leaks (the graph is destroyed every 512 inputs and at exit,
 * with every item accounted for) are the findings.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes.h>
#include <ngraph/parse.h>

#include "stdtypes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The types of tests/support/stdtypes.h that stay inside the process
 * whatever a message says: not source (START sends for ever) or pcap (files);
 * types[] is filled in that order when the graph is first built. */
static const struct ngt_stdtype *types[NGT_NSTDTYPES];
static size_t ntypes;

static void types_pick(void)
{
    for (size_t i = 0; i < NGT_NSTDTYPES; i++)
        if (!(ngt_stdtypes[i].flags & (NGT_GENERATES | NGT_FILES)))
            types[ntypes++] = &ngt_stdtypes[i];
}

/* The sink every hook is joined to: frees what it gets. */
static int sink_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    (void)hook;
    ng_item_free(item);
    return 0;
}
static int sink_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)node;
    (void)lasthook;
    ng_item_free(item);
    return 0;
}
static const struct ng_type sink_type = {
    .version = NG_ABI_VERSION,
    .name = "fsink",
    .cookie = 0x7e57f5a1u,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .rcvdata = sink_rcvdata,
    .rcvmsg = sink_rcvmsg,
};

static struct ng_graph *g;
static struct ng_node *nodes[NGT_NSTDTYPES];
static unsigned inputs;

static void teardown(void)
{
    for (size_t i = 0; i < ntypes; i++)
        if (nodes[i]) {
            ng_node_unref(nodes[i]);
            nodes[i] = NULL;
        }
    if (g) {
        ng_graph_destroy(g);
        g = NULL;
    }
}

static void build(void)
{
    if (!ntypes)
        types_pick();
    struct ng_graph_config cfg;
    ng_graph_config_init(&cfg);
    cfg.backend = NG_BACKEND_CK_EPOCH;
    cfg.item_limit = 4096; /* a duplicating pipe must run out, not grow */
    int rc;
    if ((rc = ng_graph_create(&cfg, &g)) != 0 || (rc = ng_type_register(g, &sink_type)) != 0) {
        fprintf(stderr, "fuzz_nodes: graph: %s\n", strerror(-rc));
        abort();
    }
    for (size_t i = 0; i < ntypes; i++) {
        if ((rc = ng_node_create(g, types[i]->name, &nodes[i])) != 0) {
            fprintf(stderr, "fuzz_nodes: node %s: %s\n", types[i]->name, strerror(-rc));
            abort();
        }
        ng_node_set_persistent(nodes[i], 1); /* stays, whatever the input removes */
        for (int h = 0; h < NGT_NHOOKS; h++) {
            struct ng_node *s;
            if (ng_mkpeer(nodes[i], types[i]->hooks[h], "fsink", "in", &s) == 0)
                ng_node_unref(s); /* a name listed twice fails the second time */
        }
    }
    static int registered;
    if (!registered++)
        atexit(teardown);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    if (!g)
        build();
    size_t ti = data[0] % ntypes;
    struct ng_node *n = nodes[ti];
    unsigned what = data[1] % 4, sel = data[2];
    data += 3;
    size -= 3;
    char path[32];
    snprintf(path, sizeof(path), "[%x]:", ng_node_id(n));
    if (what == 0) {
        if (size > 4096)
            size = 4096;
        struct ng_mesg *m = ng_mesg_alloc(ng_node_type(n)->cookie, sel, (uint32_t)size);
        if (m) {
            memcpy(m->data, data, size);
            struct ng_mesg *resp = NULL;
            (void)ng_send_msg(g, NULL, path, m, &resp);
            ng_mesg_free(resp);
        }
    } else if (what == 2) {
        char *text = malloc(size + 1);
        if (text) {
            memcpy(text, data, size);
            text[size] = '\0';
            char *resp = NULL;
            (void)ng_send_ascii(g, path, text, &resp);
            free(resp);
            free(text);
        }
    } else {
        const char *hook = types[ti]->hooks[sel % NGT_NHOOKS];
        uint32_t len = size > 2048 ? 2048 : (uint32_t)size;
        struct ng_item *it[2] = {ng_item_alloc(g, len), what == 3 ? ng_item_alloc(g, len) : NULL};
        for (int k = 0; k < 2; k++)
            if (it[k])
                memcpy(ng_item_data(it[k]), data, len);
        if (what == 1 && it[0])
            (void)ng_inject_data(n, hook, it[0]);
        else if (it[0] && it[1])
            (void)ng_inject_data_burst(n, hook, it, 2);
        else {
            ng_item_free(it[0]);
            ng_item_free(it[1]);
        }
    }
    /* A fresh graph now and then, so the state inputs leave behind stays
     * small; everything the old one held must be accounted for. */
    if (++inputs % 512 == 0) {
        for (size_t i = 0; i < ntypes; i++)
            ng_node_set_persistent(nodes[i], 0);
        struct ng_graph *old = g;
        for (size_t i = 0; i < ntypes; i++) {
            ng_node_unref(nodes[i]);
            nodes[i] = NULL;
        }
        g = NULL;
        ng_graph_destroy(old);
        build();
    }
    return 0;
}
