/*
 * capture.h - a capture sink node type and a one-node fixture for the node
 * type tests (tests/nodes/): a node of the type under test whose hooks are
 * each connected to hook "c_<name>" of one capture node, which records the
 * frames it receives (hook, length, first 256 bytes) and counts the
 * flow-control messages.  Public API only.
 */
#ifndef NGTEST_CAPTURE_H
#define NGTEST_CAPTURE_H

#include <stdint.h>

#include <ngraph/ngraph.h>

#define NGTEST_CAP_MAX 16
struct ngtest_cap_frame {
    char hook[NG_HOOKSIZ];
    uint32_t len;
    uint8_t data[256];
};
/* The capture node's private state (single-threaded use: the tests read it
 * after the frames were delivered). */
struct ngtest_cap {
    int n;    /* frames recorded (at most NGTEST_CAP_MAX; later ones are freed unrecorded) */
    int flow; /* flow-control messages received */
    struct ngtest_cap_frame f[NGTEST_CAP_MAX];
};
/* Type "gcap"; ngtest_fx_make registers it. */
extern const struct ng_type ngtest_cap_type;

struct ngtest_fx {
    struct ng_graph *g;
    struct ng_node *node, *cap; /* the node under test, the capture node (referenced) */
    struct ngtest_cap *cp;      /* the capture node's state */
    char path[NG_NODESIZ + 1];  /* "<name>:" */
};

/* A node of `type` named `name`, each hook of `hooks` (NULL-terminated)
 * connected to a capture node's "c_<hook>" (asserts success). */
void ngtest_fx_make(struct ngtest_fx *x, struct ng_graph *g, const char *type, const char *name,
                    const char *const *hooks);
/* Shut both nodes down (if still valid) and drop the references. */
void ngtest_fx_done(struct ngtest_fx *x);
/* Inject len bytes at the node's hook (ng_inject_data's return value). */
int ngtest_fx_inject(struct ngtest_fx *x, const char *hook, const uint8_t *bytes, uint32_t len);
/* ng_send_ascii to the node. */
int ngtest_fx_ascii(struct ngtest_fx *x, const char *text, char **resp);
/* Assert that frame idx was captured on hook with exactly these bytes. */
void ngtest_fx_expect(struct ngtest_fx *x, int idx, const char *hook, const uint8_t *bytes,
                      uint32_t len);

#endif
