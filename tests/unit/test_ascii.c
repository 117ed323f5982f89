/*
 * Messages in their ASCII form through the engine: NGM_ASCII2BINARY and
 * NGM_BINARY2ASCII answered by every node, ng_send_ascii, the built-in
 * types' messages as FreeBSD's (hole per hook, tee getclrstats), and the
 * size rule for engine-built responses (issue #15).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/nodes.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

#include "ngtest.h"

static int ascii(struct ng_graph *g, const char *path, const char *text, const char *want)
{
    char *resp = NULL;
    int rc = ng_send_ascii(g, path, text, want ? &resp : NULL);
    if (rc == 0 && want) {
        if (!resp || strcmp(resp, want) != 0)
            fprintf(stderr, "%s: got '%s'\n     want '%s'\n", text, resp ? resp : "(none)", want);
        assert_non_null(resp);
        assert_string_equal(resp, want);
    }
    free(resp);
    return rc;
}

static void test_send_ascii(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *a;
    assert_int_equal(ng_node_create(g, "hole", &a), 0);
    assert_int_equal(ng_node_name(a, "a"), 0);
    /* ngctl's session: mkpeer, name, status, nodeinfo, listhooks. */
    assert_int_equal(
        ascii(g, "a:", "mkpeer { type=\"tee\" ourhook=\"in\" peerhook=\"right\" }", NULL), 0);
    assert_int_equal(ascii(g, "a:in", "name { name=\"t\" }", NULL), 0);
    char want[256];
    snprintf(want, sizeof(want), "{ name=\"t\" type=\"tee\" id=0x%x hooks=1 }", ng_node_id(a) + 1);
    assert_int_equal(ascii(g, "t:", "nodeinfo", want), 0);
    snprintf(want, sizeof(want),
             "{ nodeinfo={ name=\"a\" type=\"hole\" id=0x%x hooks=1 } linkinfo=[ { ourhook=\"in\" "
             "peerhook=\"right\" nodeinfo={ name=\"t\" type=\"tee\" id=0x%x hooks=1 } } ] }",
             ng_node_id(a), ng_node_id(a) + 1);
    assert_int_equal(ascii(g, "a:", "listhooks", want), 0);
    /* Data through the tee into the hole, then the types' own commands. */
    struct ng_node *src;
    assert_int_equal(ng_node_create(g, "hole", &src), 0);
    struct ng_node *t;
    assert_int_equal(ng_node_find(g, "t:", &t), 0);
    assert_int_equal(ng_connect(src, "out", t, "left"), 0);
    struct ng_hook *h;
    assert_int_equal(ng_hook_find(src, "out", &h), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ng_send_data(h, ngtest_item(g, 100, 1)), 0);
    ng_hook_unref(h);
    assert_int_equal(ascii(g, "a:", "getstats \"in\"", "{ frames=3 octets=300 }"), 0);
    assert_int_equal(ascii(g, "a:", "getclrstats \"in\"", "{ frames=3 octets=300 }"), 0);
    assert_int_equal(ascii(g, "a:", "getstats \"in\"", "{}"), 0);
    assert_int_equal(ascii(g, "a:", "getstats \"nosuch\"", "{}"), -ENOENT);
    assert_int_equal(ascii(g, "t:", "getstats",
                           "{ right={ outOctets=300 outFrames=3 } left={ inOctets=300 inFrames=3 "
                           "} }"),
                     0);
    assert_int_equal(ascii(g, "t:", "clrstats", NULL), 0);
    assert_int_equal(ascii(g, "t:", "getstats", "{}"), 0);
    /* textstatus is the type's; its text comes back as a string. */
    char *st = NULL;
    assert_int_equal(ng_send_ascii(g, "a:", "textstatus", &st), 0);
    assert_non_null(strstr(st, "\"in: frames=0 octets=0\\n"));
    free(st);
    /* Errors: unknown command, bad text, no command. */
    assert_int_equal(ascii(g, "a:", "nosuchcmd", "x"), -ENOSYS);
    assert_int_equal(ascii(g, "a:", "name { nom=\"x\" }", NULL), -ENOENT);
    assert_int_equal(ascii(g, "a:", "nodeinfo extra", NULL), -EINVAL);
    assert_int_equal(ascii(g, "a:", "   ", NULL), -EINVAL);
    assert_int_equal(ascii(g, "nosuch:", "nodeinfo", NULL), -ENOENT);
    /* The engine's own message under libngraph's cookie. */
    char *stats = NULL;
    assert_int_equal(ng_send_ascii(g, "a:", "stats", &stats), 0);
    assert_non_null(strstr(stats, "hook=[ { name=\"in\" items_in=3 } ]"));
    free(stats);
    assert_int_equal(ascii(g, "t:", "shutdown", NULL), 0);
    ng_node_unref(t);
    ng_node_unref(src);
    ng_node_unref(a);
}

/* NGM_ASCII2BINARY / NGM_BINARY2ASCII as messages, answered by the target. */
static void test_conversion_messages(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *a;
    assert_int_equal(ng_node_create(g, "hole", &a), 0);
    assert_int_equal(ng_node_name(a, "a"), 0);
    const char *args = "\"in\"";
    size_t alen = strlen(args) + 1;
    struct ng_mesg *m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_ASCII2BINARY,
                                      (uint32_t)(sizeof(struct ng_mesg) + alen));
    struct ng_mesg *in = (struct ng_mesg *)(void *)m->data;
    strcpy(in->header.cmdstr, "getstats"); /* hole's list first */
    in->header.arglen = (uint32_t)alen;
    memcpy(in->data, args, alen);
    struct ng_mesg *r = NULL;
    assert_int_equal(ng_send_msg(g, NULL, "a:", m, &r), 0);
    const struct ng_mesg *bin = (const struct ng_mesg *)(const void *)r->data;
    assert_int_equal(bin->header.typecookie, NGM_HOLE_COOKIE);
    assert_int_equal(bin->header.cmd, NGM_HOLE_GET_STATS);
    assert_int_equal(bin->header.arglen, 3);
    assert_string_equal(bin->data, "in");
    /* ... and back. */
    m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_BINARY2ASCII,
                      (uint32_t)(sizeof(struct ng_mesg) + bin->header.arglen));
    memcpy(m->data, bin, sizeof(struct ng_mesg) + bin->header.arglen);
    ng_mesg_free(r);
    assert_int_equal(ng_send_msg(g, NULL, "a:", m, &r), 0);
    const struct ng_mesg *txt = (const struct ng_mesg *)(const void *)r->data;
    assert_string_equal(txt->header.cmdstr, "getstats");
    assert_string_equal(txt->data, "\"in\"");
    ng_mesg_free(r);
    /* A generic command found through the generic list on any node. */
    m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_ASCII2BINARY, (uint32_t)sizeof(struct ng_mesg) + 20);
    in = (struct ng_mesg *)(void *)m->data;
    strcpy(in->header.cmdstr, "name");
    in->header.arglen = 20;
    strcpy(in->data, "{ name=\"zz\" }");
    assert_int_equal(ng_send_msg(g, NULL, "a:", m, &r), 0);
    bin = (const struct ng_mesg *)(const void *)r->data;
    assert_int_equal(bin->header.cmd, NGM_NAME);
    assert_int_equal(bin->header.arglen, sizeof(struct ngm_name));
    assert_string_equal(((const struct ngm_name *)(const void *)bin->data)->name, "zz");
    ng_mesg_free(r);
    ng_node_unref(a);
}

/* Issue #15 (b): NGM_STATS is sized like every engine-built response (up to
 * NG_MAX_RESP_ARGLEN), past the 1,169 hooks NG_MAX_MSG_ARGLEN holds. */
static void test_stats_many_hooks(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *a, *b;
    assert_int_equal(ng_node_create(g, "hole", &a), 0);
    assert_int_equal(ng_node_create(g, "hole", &b), 0);
    assert_int_equal(ng_node_name(a, "many"), 0);
    enum { NH = 2000 };
    assert_true(sizeof(struct ng_node_stats) + NH * sizeof(struct ng_hook_stats) >
                NG_MAX_MSG_ARGLEN);
    for (int i = 0; i < NH; i++) {
        char n[16];
        snprintf(n, sizeof(n), "h%d", i);
        assert_int_equal(ng_connect(a, n, b, n), 0);
    }
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(g, "many:", NGM_NGRAPH_COOKIE, NGM_STATS, &r), 0);
    const struct ng_node_stats *st = (const void *)r->data;
    assert_int_equal(st->nhooks, NH);
    assert_int_equal(r->header.arglen,
                     sizeof(struct ng_node_stats) + NH * sizeof(struct ng_hook_stats));
    ng_mesg_free(r);
    assert_int_equal(ngtest_msg(g, "many:", NGM_GENERIC_COOKIE, NGM_LISTHOOKS, &r), 0);
    assert_int_equal(((const struct hooklist *)(const void *)r->data)->nodeinfo.hooks, NH);
    ng_mesg_free(r);
    /* ... and its ASCII form, every hook in it. */
    char *text = NULL;
    assert_int_equal(ng_send_ascii(g, "many:", "stats", &text), 0);
    assert_true(strlen(text) > NH * strlen(" { name=\"h0\" }"));
    assert_non_null(strstr(text, "{ name=\"h1999\" }"));
    free(text);
    assert_int_equal(ng_node_shutdown(a), 0);
    /* b went with its last hook (ng_hole(4) / ng_echo(4)). */
    assert_int_equal(ng_node_shutdown(b), -ESHUTDOWN);
    ng_node_unref(a);
    ng_node_unref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_send_ascii),
        ngtest_unit_test(test_conversion_messages),
        ngtest_unit_test(test_stats_many_hooks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
