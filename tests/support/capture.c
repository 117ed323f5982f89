/*
 * capture.c - the capture sink node type and the one-node fixture of
 * capture.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ngraph/message.h>
#include <ngraph/parse.h>

#include "capture.h"

static int cap_constructor(struct ng_node *node)
{
    struct ngtest_cap *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    ng_node_set_private(node, p);
    return 0;
}

static void cap_shutdown(struct ng_node *node) { free(ng_node_private(node)); }

static int cap_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct ngtest_cap *p = ng_node_private(ng_hook_node(hook));
    if (p->n < NGTEST_CAP_MAX) {
        struct ngtest_cap_frame *f = &p->f[p->n++];
        snprintf(f->hook, sizeof(f->hook), "%s", ng_hook_name(hook));
        f->len = ng_item_len(item);
        memcpy(f->data, ng_item_data(item), f->len < sizeof(f->data) ? f->len : sizeof(f->data));
    }
    ng_item_free(item);
    return 0;
}

static int cap_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct ngtest_cap *p = ng_node_private(node);
    if (ng_item_msg(item)->header.typecookie == NGM_FLOW_COOKIE)
        p->flow++;
    ng_item_free(item);
    return 0;
}

const struct ng_type ngtest_cap_type = {
    .version = NG_ABI_VERSION,
    .name = "gcap",
    .constructor = cap_constructor,
    .shutdown = cap_shutdown,
    .rcvdata = cap_rcvdata,
    .rcvmsg = cap_rcvmsg,
};

void ngtest_fx_make(struct ngtest_fx *x, struct ng_graph *g, const char *type, const char *name,
                    const char *const *hooks)
{
    x->g = g;
    int rc = ng_type_register(g, &ngtest_cap_type);
    assert_true(rc == 0 || rc == -EEXIST);
    assert_int_equal(ng_node_create(g, type, &x->node), 0);
    assert_int_equal(ng_node_name(x->node, name), 0);
    snprintf(x->path, sizeof(x->path), "%s:", name);
    assert_int_equal(ng_node_create(g, "gcap", &x->cap), 0);
    x->cp = ng_node_private(x->cap);
    for (int i = 0; hooks[i]; i++) {
        char peer[NG_HOOKSIZ];
        snprintf(peer, sizeof(peer), "c_%s", hooks[i]);
        assert_int_equal(ng_connect(x->node, hooks[i], x->cap, peer), 0);
    }
}

void ngtest_fx_done(struct ngtest_fx *x)
{
    if (ng_node_is_valid(x->node))
        assert_int_equal(ng_node_shutdown(x->node), 0);
    if (ng_node_is_valid(x->cap))
        assert_int_equal(ng_node_shutdown(x->cap), 0);
    ng_node_unref(x->node);
    ng_node_unref(x->cap);
}

int ngtest_fx_inject(struct ngtest_fx *x, const char *hook, const uint8_t *bytes, uint32_t len)
{
    struct ng_item *it = ng_item_alloc(x->g, len);
    assert_non_null(it);
    memcpy(ng_item_data(it), bytes, len);
    return ng_inject_data(x->node, hook, it);
}

int ngtest_fx_ascii(struct ngtest_fx *x, const char *text, char **resp)
{
    return ng_send_ascii(x->g, x->path, text, resp);
}

void ngtest_fx_expect(struct ngtest_fx *x, int idx, const char *hook, const uint8_t *bytes,
                      uint32_t len)
{
    assert_true(x->cp->n > idx);
    assert_string_equal(x->cp->f[idx].hook, hook);
    assert_int_equal(x->cp->f[idx].len, len);
    assert_memory_equal(x->cp->f[idx].data, bytes, len);
}
