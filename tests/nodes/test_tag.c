/*
 * test_tag.c - the "tag" node type (docs/nodes/tag.md) against its
 * documented behaviour: one node tags what leaves a hook, another matches
 * the tag (cookie, id, data) and routes to ifMatch / ifNotMatch, strips
 * it; several tags per item; per-hook statistics; the metadata layout and
 * its helpers byte for byte; rules naming hooks that connect later; every
 * bad input; ASCII round trips; reconfiguration under traffic; shutdown.
 * A sink type "tcap" records each item's hook, data and metadata area.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/nodes/tag.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

#define IPFW_COOKIE 1148380143u /* MTAG_IPFW, the man page's example */

/* ---- the recording sink -------------------------------------------------------- */

#define TCAP_MAX 16
struct tcap {
    int n;
    struct {
        char hook[NG_HOOKSIZ];
        uint32_t len;
        uint8_t data[64];
        uint8_t meta[NG_ITEM_META_SIZE];
    } f[TCAP_MAX];
};

static int tcap_ctor(struct ng_node *node)
{
    struct tcap *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    ng_node_set_private(node, c);
    return 0;
}
static void tcap_shutdown(struct ng_node *node) { free(ng_node_private(node)); }
static int tcap_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct tcap *c = ng_node_private(ng_hook_node(hook));
    if (c->n < TCAP_MAX) {
        snprintf(c->f[c->n].hook, NG_HOOKSIZ, "%s", ng_hook_name(hook));
        c->f[c->n].len = ng_item_len(item);
        memcpy(c->f[c->n].data, ng_item_data(item),
               ng_item_len(item) < 64 ? ng_item_len(item) : 64);
        memcpy(c->f[c->n].meta, ng_item_meta(item), NG_ITEM_META_SIZE);
        c->n++;
    }
    ng_item_free(item);
    return 0;
}
static const struct ng_type tcap_type = {.version = NG_ABI_VERSION,
                                         .name = "tcap",
                                         .constructor = tcap_ctor,
                                         .shutdown = tcap_shutdown,
                                         .rcvdata = tcap_rcvdata};

/* ---- fixture: tag node "tag0", each hook to tcap's "c_<hook>" ------------------ */

struct fx {
    struct ng_graph *g;
    struct ng_node *tag, *cap;
    struct tcap *cp;
};

static void fx_make(struct fx *x, struct ng_graph *g, const char *name, const char *const *hooks)
{
    x->g = g;
    int rc = ng_type_register(g, &ng_tag_type);
    assert_true(rc == 0 || rc == -EEXIST);
    rc = ng_type_register(g, &tcap_type);
    assert_true(rc == 0 || rc == -EEXIST);
    assert_int_equal(ng_node_create(g, "tag", &x->tag), 0);
    assert_int_equal(ng_node_name(x->tag, name), 0);
    assert_int_equal(ng_node_create(g, "tcap", &x->cap), 0);
    x->cp = ng_node_private(x->cap);
    for (int i = 0; hooks && hooks[i]; i++) {
        char peer[NG_HOOKSIZ];
        snprintf(peer, sizeof(peer), "c_%s", hooks[i]);
        assert_int_equal(ng_connect(x->tag, hooks[i], x->cap, peer), 0);
    }
}

static void fx_done(struct fx *x)
{
    struct ng_node *n[2] = {x->tag, x->cap};
    for (int i = 0; i < 2; i++) {
        if (ng_node_is_valid(n[i]))
            assert_int_equal(ng_node_shutdown(n[i]), 0);
        ng_node_unref(n[i]);
    }
}

/* An item of 20 bytes (0x20 + i) carrying the tags in meta (NULL: none). */
static struct ng_item *item_with(struct ng_graph *g, const uint8_t *meta)
{
    struct ng_item *it = ng_item_alloc(g, 20);
    assert_non_null(it);
    for (int i = 0; i < 20; i++)
        ng_item_data(it)[i] = (uint8_t)(0x20 + i);
    if (meta)
        memcpy(ng_item_meta(it), meta, NG_ITEM_META_SIZE);
    return it;
}

static int inject(struct fx *x, const char *hook, const uint8_t *meta)
{
    return ng_inject_data(x->tag, hook, item_with(x->g, meta));
}

static int ascii(struct fx *x, const char *path, const char *text, char **resp)
{
    return ng_send_ascii(x->g, path, text, resp);
}

static const uint8_t no_tags[NG_ITEM_META_SIZE];

/* ---- tests --------------------------------------------------------------------- */

/* The metadata layout and the helpers, byte for byte. */
static void test_meta_layout(void **state)
{
    (void)state;
    uint8_t m[NG_ITEM_META_SIZE] = {0};
    assert_int_equal(NG_TAG_MAX_LEN, 24);
    assert_int_equal(ng_tag_meta_used(m), 0);
    assert_int_equal(ng_tag_meta_find(m, 1, 1, 0), -ENOENT);
    const uint8_t d3[3] = {0xaa, 0xbb, 0xcc};
    assert_int_equal(ng_tag_meta_add(m, 0x01020304, 0x0506, d3, 3), 0);
    uint8_t want[NG_ITEM_META_SIZE] = {10};
    uint32_t ck = 0x01020304;
    uint16_t id = 0x0506;
    memcpy(want + 1, &ck, 4);
    memcpy(want + 5, &id, 2);
    want[7] = 3;
    memcpy(want + 8, d3, 3);
    assert_memory_equal(m, want, sizeof(m));
    /* A second tag goes in front. */
    assert_int_equal(ng_tag_meta_add(m, IPFW_COOKIE, 412, NULL, 0), 0);
    assert_int_equal(m[0], 17);
    assert_int_equal(ng_tag_meta_find(m, IPFW_COOKIE, 412, 0), 0);
    assert_int_equal(ng_tag_meta_find(m, 0x01020304, 0x0506, 0), 7);
    const uint8_t *d;
    assert_int_equal(ng_tag_meta_data(m, 7, &d), 3);
    assert_memory_equal(d, d3, 3);
    /* Room: 31 - 17 = 14 bytes: a 7-byte tag fits, then a 1-byte one does not. */
    assert_int_equal(ng_tag_meta_add(m, 9, 9, NULL, 0), 0);
    assert_int_equal(ng_tag_meta_add(m, 8, 8, d3, 1), -ENOSPC);
    assert_int_equal(ng_tag_meta_add(m, 8, 8, NULL, 0), 0);
    assert_int_equal(m[0], 31);
    assert_int_equal(ng_tag_meta_add(m, 0, 0, NULL, 0), -EINVAL);
    uint8_t big[25] = {0};
    uint8_t e[NG_ITEM_META_SIZE] = {0};
    assert_int_equal(ng_tag_meta_add(e, 1, 1, big, 25), -EINVAL);
    assert_int_equal(ng_tag_meta_add(e, 1, 1, NULL, 3), -EINVAL);
    assert_int_equal(ng_tag_meta_add(e, 1, 1, big, 24), 0);
    assert_int_equal(e[0], 31);
    /* Deleting the middle record keeps the others exactly. */
    ng_tag_meta_del(m, ng_tag_meta_find(m, IPFW_COOKIE, 412, 0));
    assert_int_equal(m[0], 24);
    assert_int_equal(ng_tag_meta_find(m, IPFW_COOKIE, 412, 0), -ENOENT);
    assert_int_equal(ng_tag_meta_find(m, 8, 8, 0), 0);
    assert_int_equal(ng_tag_meta_find(m, 9, 9, 0), 7);
    assert_int_equal(ng_tag_meta_find(m, 0x01020304, 0x0506, 0), 14);
    for (int i = 25; i < NG_ITEM_META_SIZE; i++)
        assert_int_equal(m[i], 0);
    /* An area that does not parse reads as empty; adding starts afresh. */
    uint8_t bad[NG_ITEM_META_SIZE];
    memset(bad, 0xff, sizeof(bad));
    assert_int_equal(ng_tag_meta_used(bad), 0);
    bad[0] = 9; /* a record claiming 0xff data bytes */
    assert_int_equal(ng_tag_meta_used(bad), 0);
    assert_int_equal(ng_tag_meta_find(bad, 0xffffffffu, 0xffff, 0), -ENOENT);
    assert_int_equal(ng_tag_meta_add(bad, 5, 6, NULL, 0), 0);
    assert_int_equal(bad[0], 7);
    assert_int_equal(ng_tag_meta_find(bad, 5, 6, 0), 0);
}

/* The man page's example turned into a pair of nodes: t1 tags what leaves
 * "out" (ipfw tag 412); t2 sends tagged packets to "yes" (stripped) and
 * the others to "no". */
static void test_set_match_strip(void **state)
{
    struct ng_graph *g = *state;
    struct fx a, b;
    const char *const ha[] = {"in", NULL};
    const char *const hb[] = {"yes", "no", NULL};
    fx_make(&a, g, "t1", ha);
    fx_make(&b, g, "t2", hb);
    assert_int_equal(ng_connect(a.tag, "out", b.tag, "in"), 0);
    assert_int_equal(ascii(&a, "t1:", "sethookin { thisHook=\"in\" ifNotMatch=\"out\" }", NULL), 0);
    assert_int_equal(
        ascii(&a, "t1:", "sethookout { thisHook=\"out\" tag_cookie=1148380143 tag_id=412 }", NULL),
        0);
    assert_int_equal(ascii(&b, "t2:",
                           "sethookin { thisHook=\"in\" ifMatch=\"yes\" ifNotMatch=\"no\" strip=1 "
                           "tag_cookie=1148380143 tag_id=412 }",
                           NULL),
                     0);
    assert_int_equal(inject(&a, "in", NULL), 0);
    assert_int_equal(b.cp->n, 1);
    assert_string_equal(b.cp->f[0].hook, "c_yes");
    assert_memory_equal(b.cp->f[0].meta, no_tags, NG_ITEM_META_SIZE); /* stripped */
    assert_int_equal(b.cp->f[0].data[19], 0x20 + 19);                 /* data untouched */
    /* Untagged, straight into t2's "in": no. */
    assert_int_equal(inject(&b, "in", NULL), 0);
    assert_int_equal(b.cp->n, 2);
    assert_string_equal(b.cp->f[1].hook, "c_no");
    /* Without strip the tag arrives as the layout says. */
    assert_int_equal(ascii(&b, "t2:",
                           "sethookin { thisHook=\"in\" ifMatch=\"yes\" ifNotMatch=\"no\" "
                           "tag_cookie=1148380143 tag_id=412 }",
                           NULL),
                     0);
    assert_int_equal(inject(&a, "in", NULL), 0);
    uint8_t want[NG_ITEM_META_SIZE] = {0};
    assert_int_equal(ng_tag_meta_add(want, IPFW_COOKIE, 412, NULL, 0), 0);
    assert_int_equal(b.cp->n, 3);
    assert_string_equal(b.cp->f[2].hook, "c_yes");
    assert_memory_equal(b.cp->f[2].meta, want, NG_ITEM_META_SIZE);
    fx_done(&a);
    fx_done(&b);
}

/* Data match: the data must be identical (same length), any data when the
 * rule has none; the matching tag may be any of several; strip removes
 * only that one; the outgoing tag goes in front. */
static void test_data_match(void **state)
{
    struct fx x;
    const char *const hooks[] = {"in", "m", "n", NULL};
    fx_make(&x, *state, "tag0", hooks);
    assert_int_equal(ascii(&x, "tag0:",
                           "sethookin { thisHook=\"in\" ifMatch=\"m\" ifNotMatch=\"n\" strip=1 "
                           "tag_cookie=7 tag_id=1 tag_len=2 tag_data=[ 1 2 ] }",
                           NULL),
                     0);
    assert_int_equal(ascii(&x, "tag0:",
                           "sethookout { thisHook=\"m\" tag_cookie=9 tag_id=2 tag_len=2 "
                           "tag_data=[ 0xee 0xff ] }",
                           NULL),
                     0);
    const uint8_t d12[2] = {1, 2}, d13[2] = {1, 3}, ef[2] = {0xee, 0xff};
    uint8_t m[NG_ITEM_META_SIZE] = {0};
    assert_int_equal(ng_tag_meta_add(m, 7, 1, d13, 2), 0); /* other data */
    assert_int_equal(inject(&x, "in", m), 0);
    assert_int_equal(ng_tag_meta_add(m, 7, 1, d12, 1), 0); /* shorter */
    assert_int_equal(inject(&x, "in", m), 0);
    /* [ {1} ][ {1,2} ][ {1,3} ] (newest first): the middle one matches;
     * strip leaves [ {1} ][ {1,3} ], then the out tag goes in front. */
    memset(m, 0, sizeof(m));
    assert_int_equal(ng_tag_meta_add(m, 7, 1, d13, 2), 0);
    assert_int_equal(ng_tag_meta_add(m, 7, 1, d12, 2), 0);
    assert_int_equal(ng_tag_meta_add(m, 7, 1, d12, 1), 0);
    assert_int_equal(m[0], 26);
    assert_int_equal(inject(&x, "in", m), 0);
    uint8_t want[NG_ITEM_META_SIZE] = {0};
    assert_int_equal(ng_tag_meta_add(want, 7, 1, d13, 2), 0);
    assert_int_equal(ng_tag_meta_add(want, 7, 1, d12, 1), 0);
    assert_int_equal(ng_tag_meta_add(want, 9, 2, ef, 2), 0);
    assert_int_equal(x.cp->n, 3);
    assert_string_equal(x.cp->f[0].hook, "c_n");
    assert_string_equal(x.cp->f[1].hook, "c_n");
    assert_string_equal(x.cp->f[2].hook, "c_m");
    assert_memory_equal(x.cp->f[2].meta, want, NG_ITEM_META_SIZE);
    const uint8_t d4x[4] = {1, 2, 3, 5};
    /* A rule without data matches any data of that cookie and id. */
    assert_int_equal(
        ascii(&x, "tag0:",
              "sethookin { thisHook=\"in\" ifMatch=\"m\" ifNotMatch=\"n\" tag_cookie=7 tag_id=1 }",
              NULL),
        0);
    memset(m, 0, sizeof(m));
    assert_int_equal(ng_tag_meta_add(m, 7, 1, d4x, 4), 0);
    assert_int_equal(inject(&x, "in", m), 0);
    assert_string_equal(x.cp->f[3].hook, "c_m");
    /* Another cookie or id: no match. */
    memset(m, 0, sizeof(m));
    assert_int_equal(ng_tag_meta_add(m, 7, 2, NULL, 0), 0);
    assert_int_equal(ng_tag_meta_add(m, 8, 1, NULL, 0), 0);
    assert_int_equal(inject(&x, "in", m), 0);
    assert_string_equal(x.cp->f[4].hook, "c_n");
    /* A longer tag that starts with the rule's data does not match (the
     * length must be tag_len too: FreeBSD compares the prefix only). */
    assert_int_equal(ascii(&x, "tag0:",
                           "sethookin { thisHook=\"in\" ifMatch=\"m\" ifNotMatch=\"n\" "
                           "tag_cookie=7 tag_id=1 tag_len=2 tag_data=[ 1 2 ] }",
                           NULL),
                     0);
    memset(m, 0, sizeof(m));
    assert_int_equal(ng_tag_meta_add(m, 7, 1, d4x, 3), 0); /* { 1 2 3 } */
    assert_int_equal(inject(&x, "in", m), 0);
    assert_int_equal(x.cp->n, 6);
    assert_string_equal(x.cp->f[5].hook, "c_n");
    fx_done(&x);
}

/* Per-hook statistics (FreeBSD's NG_TAG_DEBUG counters). */
static void test_stats(void **state)
{
    struct fx x;
    const char *const hooks[] = {"in", "m", "n", NULL};
    fx_make(&x, *state, "tag0", hooks);
    assert_int_equal(
        ascii(&x, "tag0:",
              "sethookin { thisHook=\"in\" ifMatch=\"m\" ifNotMatch=\"n\" tag_cookie=7 tag_id=1 }",
              NULL),
        0);
    uint8_t m[NG_ITEM_META_SIZE] = {0};
    assert_int_equal(ng_tag_meta_add(m, 7, 1, NULL, 0), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(inject(&x, "in", m), 0);
    assert_int_equal(inject(&x, "in", NULL), 0);
    char *r = NULL;
    assert_int_equal(ascii(&x, "tag0:", "getstats \"in\"", &r), 0);
    assert_string_equal(r, "{ recvFrames=4 recvOctets=80 recvMatchFrames=3 recvMatchOctets=60 }");
    free(r);
    assert_int_equal(ascii(&x, "tag0:", "getclrstats \"m\"", &r), 0);
    assert_string_equal(r, "{ xmitFrames=3 xmitOctets=60 }");
    free(r);
    assert_int_equal(ascii(&x, "tag0:", "getstats \"m\"", &r), 0);
    assert_string_equal(r, "{}");
    free(r);
    assert_int_equal(ascii(&x, "tag0:", "clrstats \"in\"", NULL), 0);
    struct ng_mesg *msg = ng_mesg_alloc(NGM_TAG_COOKIE, NGM_TAG_GET_STATS, NG_HOOKSIZ);
    snprintf(msg->data, NG_HOOKSIZ, "n");
    struct ng_mesg *resp = NULL;
    assert_int_equal(ng_send_msg(x.g, NULL, "tag0:", msg, &resp), 0);
    assert_int_equal(resp->header.arglen, sizeof(struct ng_tag_hookstat));
    const struct ng_tag_hookstat *hs = (const void *)resp->data;
    assert_int_equal(hs->xmitFrames, 1);
    assert_int_equal(hs->xmitOctets, 20);
    ng_mesg_free(resp);
    assert_int_equal(ascii(&x, "tag0:", "getstats \"in\"", &r), 0);
    assert_string_equal(r, "{}");
    free(r);
    struct ng_mesg *st = NULL;
    assert_int_equal(ngtest_msg(x.g, "tag0:", NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &st), 0);
    assert_non_null(strstr(st->data, "drop_nodest=0 tagged=0"));
    assert_non_null(strstr(st->data, "in: in 7:1/0 match=\"m\" nomatch=\"n\""));
    ng_mesg_free(st);
    fx_done(&x);
}

/* Defaults drop everything; rules may name hooks that connect later; a
 * removed destination drops; no room for a tag: sent untagged. */
static void test_routing_edges(void **state)
{
    struct ng_graph *g = *state;
    struct fx x;
    const char *const hooks[] = {"in", "out", NULL};
    fx_make(&x, g, "tag0", hooks);
    struct ng_graph_stats st0, st1;
    ng_graph_stats(g, &st0);
    assert_int_equal(inject(&x, "in", NULL), 0); /* new hook: dropped */
    assert_int_equal(x.cp->n, 0);
    assert_int_equal(ascii(&x, "tag0:", "sethookin { thisHook=\"in\" ifNotMatch=\"later\" }", NULL),
                     0);
    assert_int_equal(inject(&x, "in", NULL), 0);
    assert_int_equal(x.cp->n, 0);
    assert_int_equal(ng_connect(x.tag, "later", x.cap, "c_later"), 0);
    assert_int_equal(inject(&x, "in", NULL), 0);
    assert_int_equal(x.cp->n, 1);
    assert_string_equal(x.cp->f[0].hook, "c_later");
    assert_int_equal(ng_rmhook(x.tag, "later"), 0);
    assert_int_equal(inject(&x, "in", NULL), 0);
    assert_int_equal(x.cp->n, 1);
    ng_graph_stats(g, &st1);
    assert_int_equal(st1.drops[NG_DROP_NOTCONN] - st0.drops[NG_DROP_NOTCONN], 3);
    /* Tag list full: forwarded without the new tag, counted. */
    assert_int_equal(ascii(&x, "tag0:", "sethookin { thisHook=\"in\" ifNotMatch=\"out\" }", NULL),
                     0);
    assert_int_equal(
        ascii(&x, "tag0:",
              "sethookout { thisHook=\"out\" tag_cookie=5 tag_id=5 tag_len=1 tag_data=[ 9 ] }",
              NULL),
        0);
    uint8_t m[NG_ITEM_META_SIZE] = {0};
    uint8_t big[24] = {0};
    assert_int_equal(ng_tag_meta_add(m, 1, 1, big, 20), 0); /* 27 of 31 bytes */
    assert_int_equal(inject(&x, "in", m), 0);
    assert_int_equal(x.cp->n, 2);
    assert_memory_equal(x.cp->f[1].meta, m, NG_ITEM_META_SIZE);
    struct ng_mesg *st = NULL;
    assert_int_equal(ngtest_msg(g, "tag0:", NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &st), 0);
    assert_non_null(strstr(st->data, "drop_nodest=3 tagged=0 stripped=0 tag_noroom=1"));
    ng_mesg_free(st);
    fx_done(&x);
}

static int bin(struct fx *x, uint32_t cmd, const void *arg, uint32_t len)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_TAG_COOKIE, cmd, len);
    assert_non_null(m);
    if (len)
        memcpy(m->data, arg, len);
    return ng_send_msg(x->g, NULL, "tag0:", m, NULL);
}

/* Every bad message gets its errno and changes nothing. */
static void test_bad_input(void **state)
{
    struct fx x;
    const char *const hooks[] = {"in", NULL};
    fx_make(&x, *state, "tag0", hooks);
    assert_int_equal(ascii(&x, "tag0:", "sethookin { thisHook=\"nosuch\" }", NULL), -ENOENT);
    assert_int_equal(ascii(&x, "tag0:", "sethookout { thisHook=\"nosuch\" }", NULL), -ENOENT);
    assert_int_equal(ascii(&x, "tag0:", "gethookin \"nosuch\"", NULL), -ENOENT);
    assert_int_equal(ascii(&x, "tag0:", "gethookout \"nosuch\"", NULL), -ENOENT);
    assert_int_equal(ascii(&x, "tag0:", "getstats \"nosuch\"", NULL), -ENOENT);
    assert_int_equal(ascii(&x, "tag0:", "clrstats \"nosuch\"", NULL), -ENOENT);
    assert_int_equal(ascii(&x, "tag0:", "getclrstats \"nosuch\"", NULL), -ENOENT);
    /* A tag longer than the metadata area can hold. */
    assert_int_equal(
        ascii(&x, "tag0:", "sethookin { thisHook=\"in\" tag_cookie=1 tag_len=25 }", NULL), -EINVAL);
    assert_int_equal(
        ascii(&x, "tag0:", "sethookout { thisHook=\"in\" tag_cookie=1 tag_len=25 }", NULL),
        -EINVAL);
    /* Binary: short, tag_len not matching arglen, unterminated names, empty name. */
    uint8_t buf[NG_TAG_HOOKIN_SIZE(8)] = {0};
    struct ng_tag_hookin *hi = (void *)buf;
    snprintf(hi->thisHook, NG_HOOKSIZ, "in");
    hi->tag_len = 4;
    assert_int_equal(bin(&x, NGM_TAG_SET_HOOKIN, buf, 20), -EINVAL);
    assert_int_equal(bin(&x, NGM_TAG_SET_HOOKIN, buf, (uint32_t)NG_TAG_HOOKIN_SIZE(8)), -EINVAL);
    hi->tag_len = 8;
    memset(hi->ifMatch, 'x', NG_HOOKSIZ);
    assert_int_equal(bin(&x, NGM_TAG_SET_HOOKIN, buf, (uint32_t)NG_TAG_HOOKIN_SIZE(8)), -EINVAL);
    memset(hi->ifMatch, 0, NG_HOOKSIZ);
    memset(hi->thisHook, 'x', NG_HOOKSIZ);
    assert_int_equal(bin(&x, NGM_TAG_SET_HOOKIN, buf, (uint32_t)NG_TAG_HOOKIN_SIZE(8)), -EINVAL);
    uint8_t obuf[NG_TAG_HOOKOUT_SIZE(2)] = {0};
    struct ng_tag_hookout *ho = (void *)obuf;
    snprintf(ho->thisHook, NG_HOOKSIZ, "in");
    ho->tag_len = 3;
    assert_int_equal(bin(&x, NGM_TAG_SET_HOOKOUT, obuf, (uint32_t)sizeof(obuf)), -EINVAL);
    assert_int_equal(bin(&x, NGM_TAG_SET_HOOKOUT, obuf, 8), -EINVAL);
    assert_int_equal(bin(&x, NGM_TAG_GET_HOOKIN, NULL, 0), -EINVAL);
    assert_int_equal(bin(&x, NGM_TAG_GET_STATS, NULL, 0), -EINVAL);
    assert_int_equal(bin(&x, 99, NULL, 0), -EINVAL);
    struct ng_mesg *m = ng_mesg_alloc(12345, 1, 0);
    assert_int_equal(ng_send_msg(x.g, NULL, "tag0:", m, NULL), -EINVAL);
    /* A hook name without its NUL within arglen is cut there. */
    assert_int_equal(bin(&x, NGM_TAG_GET_HOOKIN, "in", 2), -ENOENT); /* "i" */
    assert_int_equal(bin(&x, NGM_TAG_GET_HOOKIN, "in", 3), 0);
    /* Nothing changed. */
    char *r = NULL;
    assert_int_equal(ascii(&x, "tag0:", "gethookin \"in\"", &r), 0);
    assert_string_equal(r, "{ thisHook=\"in\" }");
    free(r);
    fx_done(&x);
}

/* ASCII forms of every message and response, both ways. */
static void roundtrip(const struct ng_mesg *m)
{
    struct ng_mesg *a = NULL, *b = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_tag_type, m, &a), 0);
    assert_int_equal(ng_mesg_from_ascii(&ng_tag_type, a, &b, NULL), 0);
    assert_int_equal(b->header.typecookie, m->header.typecookie);
    assert_int_equal(b->header.cmd, m->header.cmd);
    assert_int_equal(b->header.arglen, m->header.arglen);
    assert_memory_equal(b->data, m->data, m->header.arglen);
    ng_mesg_free(a);
    ng_mesg_free(b);
}

static void test_ascii(void **state)
{
    struct fx x;
    const char *const hooks[] = {"th1", NULL};
    fx_make(&x, *state, "ngdc", hooks);
    /* The man page's example. */
    assert_int_equal(ascii(&x, "ngdc:", "sethookin { thisHook=\"th1\" ifNotMatch=\"th1\" }", NULL),
                     0);
    assert_int_equal(
        ascii(&x, "ngdc:", "sethookout { thisHook=\"th1\" tag_cookie=1148380143 tag_id=412 }",
              NULL),
        0);
    char *r = NULL;
    assert_int_equal(ascii(&x, "ngdc:", "gethookin \"th1\"", &r), 0);
    assert_string_equal(r, "{ thisHook=\"th1\" ifNotMatch=\"th1\" }");
    free(r);
    assert_int_equal(ascii(&x, "ngdc:", "gethookout \"th1\"", &r), 0);
    assert_string_equal(r, "{ thisHook=\"th1\" tag_cookie=1148380143 tag_id=412 }");
    free(r);
    /* Data is echoed back: the packet returns out th1 with the tag. */
    assert_int_equal(inject(&x, "th1", NULL), 0);
    assert_int_equal(x.cp->n, 1);
    assert_int_equal(ng_tag_meta_find(x.cp->f[0].meta, IPFW_COOKIE, 412, 0), 0);
    assert_int_equal(ascii(&x, "ngdc:",
                           "sethookin { thisHook=\"th1\" strip=1 tag_cookie=3 tag_id=4 tag_len=3 "
                           "tag_data=[ 1 2 3 ] }",
                           NULL),
                     0);
    assert_int_equal(ascii(&x, "ngdc:", "gethookin \"th1\"", &r), 0);
    assert_string_equal(
        r, "{ thisHook=\"th1\" strip=1 tag_cookie=3 tag_id=4 tag_len=3 tag_data=[ 0x1 0x2 0x3 ] }");
    free(r);

    uint8_t buf[NG_TAG_HOOKIN_SIZE(5) + 3] = {0}; /* padded to 4, as ASCII parses it */
    struct ng_tag_hookin *hi = (void *)buf;
    snprintf(hi->thisHook, NG_HOOKSIZ, "a");
    snprintf(hi->ifMatch, NG_HOOKSIZ, "b");
    snprintf(hi->ifNotMatch, NG_HOOKSIZ, "c");
    hi->strip = 1;
    hi->tag_cookie = 0xdeadbeef;
    hi->tag_id = 7;
    hi->tag_len = 5;
    memcpy(hi->tag_data, "\x01\x02\x03\x04\xff", 5);
    const uint32_t incmd[2] = {NGM_TAG_SET_HOOKIN, NGM_TAG_GET_HOOKIN};
    for (int i = 0; i < 2; i++) {
        struct ng_mesg *m = ng_mesg_alloc(NGM_TAG_COOKIE, incmd[i], sizeof(buf));
        memcpy(m->data, buf, sizeof(buf));
        m->header.flags = i ? NGF_RESP : 0;
        roundtrip(m);
        ng_mesg_free(m);
    }
    uint8_t obuf[NG_TAG_HOOKOUT_SIZE(2) + 2] = {0};
    struct ng_tag_hookout *ho = (void *)obuf;
    snprintf(ho->thisHook, NG_HOOKSIZ, "a");
    ho->tag_cookie = 1;
    ho->tag_id = 2;
    ho->tag_len = 2;
    ho->tag_data[0] = 0x80;
    const uint32_t outcmd[2] = {NGM_TAG_SET_HOOKOUT, NGM_TAG_GET_HOOKOUT};
    for (int i = 0; i < 2; i++) {
        struct ng_mesg *m = ng_mesg_alloc(NGM_TAG_COOKIE, outcmd[i], sizeof(obuf));
        memcpy(m->data, obuf, sizeof(obuf));
        m->header.flags = i ? NGF_RESP : 0;
        roundtrip(m);
        ng_mesg_free(m);
    }
    const uint32_t named[5] = {NGM_TAG_GET_HOOKIN, NGM_TAG_GET_HOOKOUT, NGM_TAG_GET_STATS,
                               NGM_TAG_CLR_STATS, NGM_TAG_GETCLR_STATS};
    for (int i = 0; i < 5; i++) {
        struct ng_mesg *m = ng_mesg_alloc(NGM_TAG_COOKIE, named[i], NG_HOOKSIZ);
        snprintf(m->data, NG_HOOKSIZ, "th1");
        roundtrip(m);
        ng_mesg_free(m);
    }
    struct ng_mesg *m =
        ng_mesg_alloc(NGM_TAG_COOKIE, NGM_TAG_GET_STATS, sizeof(struct ng_tag_hookstat));
    m->header.flags = NGF_RESP;
    uint64_t *v = (void *)m->data;
    for (int i = 0; i < 6; i++)
        v[i] = (uint64_t)i * 77777u + 3;
    roundtrip(m);
    m->header.cmd = NGM_TAG_GETCLR_STATS;
    roundtrip(m);
    ng_mesg_free(m);
    fx_done(&x);
}

/* Reconfiguration and hook removal under traffic from two workers: every
 * packet is counted by the sink or as a drop; nothing dangles (ASan). */
static void test_concurrent_changes(void **state)
{
    struct ng_graph *g = *state;
    int rc = ng_type_register(g, &ng_tag_type);
    assert_true(rc == 0 || rc == -EEXIST);
    struct ng_node *t, *cnt;
    assert_int_equal(ng_node_create(g, "tag", &t), 0);
    assert_int_equal(ng_node_name(t, "tag0"), 0);
    assert_int_equal(ng_node_create(g, "counter", &cnt), 0);
    assert_int_equal(ng_connect(t, "in", cnt, "i"), 0);
    assert_int_equal(ng_connect(t, "a", cnt, "a"), 0);
    assert_int_equal(ng_connect(t, "b", cnt, "b"), 0);
    struct ng_hook *in;
    assert_int_equal(ng_hook_find(cnt, "i", &in), 0);
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    uint64_t sent = 0;
    double end = ngtest_now_s() + 5.0;
    for (int round = 0; round < 200 && ngtest_now_s() < end; round++) {
        for (int i = 0; i < 32; i++, sent++)
            assert_int_equal(ng_runtime_submit(rt, i & 1, in, ngtest_item(g, 64, 0)), 0);
        const char *cfg[] = {
            "sethookin { thisHook=\"in\" ifMatch=\"a\" ifNotMatch=\"b\" tag_cookie=1 tag_id=1 }",
            "sethookout { thisHook=\"b\" tag_cookie=2 tag_id=2 tag_len=1 tag_data=[ 5 ] }",
            "sethookin { thisHook=\"in\" ifNotMatch=\"a\" }", "sethookout { thisHook=\"a\" }"};
        assert_int_equal(ng_send_ascii(g, "tag0:", cfg[round % 4], NULL), 0);
        if (round % 8 == 7) {
            assert_int_equal(ng_rmhook(t, round & 8 ? "a" : "b"), 0);
            assert_int_equal(ng_connect(t, round & 8 ? "a" : "b", cnt, round & 8 ? "a" : "b"), 0);
        }
    }
    ng_runtime_stop(rt);
    ng_hook_unref(in);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(ngtest_counter_get(cnt) + ngtest_drops(&st), sent);
    assert_int_equal(ng_node_shutdown(t), 0);
    if (ng_node_is_valid(cnt))
        assert_int_equal(ng_node_shutdown(cnt), 0);
    ng_node_unref(t);
    ng_node_unref(cnt);
}

/* The node shuts down with its last hook. */
static void test_shutdown(void **state)
{
    struct fx x;
    const char *const hooks[] = {"a", "b", NULL};
    fx_make(&x, *state, "tag0", hooks);
    assert_int_equal(ascii(&x, "tag0:", "sethookin { thisHook=\"a\" ifNotMatch=\"b\" }", NULL), 0);
    assert_int_equal(ng_rmhook(x.tag, "b"), 0);
    assert_true(ng_node_is_valid(x.tag));
    assert_int_equal(inject(&x, "a", NULL), 0); /* its destination went: dropped */
    assert_int_equal(ng_rmhook(x.tag, "a"), 0);
    assert_false(ng_node_is_valid(x.tag));
    fx_done(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_meta_layout),   ngtest_unit_test(test_set_match_strip),
        ngtest_unit_test(test_data_match),    ngtest_unit_test(test_stats),
        ngtest_unit_test(test_routing_edges), ngtest_unit_test(test_bad_input),
        ngtest_unit_test(test_ascii),         ngtest_unit_test(test_concurrent_changes),
        ngtest_unit_test(test_shutdown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
