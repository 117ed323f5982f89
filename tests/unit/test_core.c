/* Core engine: nodes, names, hooks, data flow through the built-in types,
 * generic messages.  Runs under every backend (NG_BACKEND). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ngtest.h"

static void test_graph_lifecycle(void **state)
{
    struct ng_graph *g = *state;
    assert_int_equal(ng_graph_backend(g), ngtest_backend());
    struct ng_graph *g2 = ngtest_graph(); /* independent graphs coexist */
    struct ng_node *a, *b;
    assert_int_equal(ng_node_create(g, "hole", &a), 0);
    assert_int_equal(ng_node_create(g2, "hole", &b), 0);
    assert_int_equal(ng_node_name(a, "x"), 0);
    assert_int_equal(ng_node_name(b, "x"), 0); /* separate namespaces */
    ng_node_unref(a);
    ng_node_unref(b);
    ng_graph_destroy(g2);
}

static void test_names_and_ids(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *a, *b, *f;
    assert_int_equal(ng_node_create(g, "hole", &a), 0);
    assert_int_equal(ng_node_create(g, "hole", &b), 0);
    assert_int_not_equal(ng_node_id(a), ng_node_id(b));
    assert_int_equal(ng_node_name(a, "alpha"), 0);
    assert_string_equal(ng_node_get_name(a), "alpha");
    assert_int_equal(ng_node_name(b, "alpha"), -EADDRINUSE);
    assert_string_equal(ng_node_get_name(b), "");
    assert_int_equal(ng_node_name(b, "bad.name"), -EINVAL);
    assert_int_equal(ng_node_name(b, "bad:name"), -EINVAL);
    assert_int_equal(ng_node_name(b, "0123456789012345678901234567890123"), -EINVAL);
    assert_int_equal(ng_node_find(g, "alpha:", &f), 0);
    assert_ptr_equal(f, a);
    ng_node_unref(f);
    char id[32];
    snprintf(id, sizeof(id), "[%x]:", ng_node_id(b));
    assert_int_equal(ng_node_find(g, id, &f), 0);
    assert_ptr_equal(f, b);
    ng_node_unref(f);
    assert_int_equal(ng_node_find(g, "nosuch:", &f), -ENOENT);
    assert_int_equal(ng_node_find(g, "[0]:", &f), -EINVAL);
    /* Renaming frees the old name. */
    assert_int_equal(ng_node_name(a, "beta"), 0);
    assert_int_equal(ng_node_find(g, "alpha", &f), -ENOENT);
    assert_int_equal(ng_node_name(b, "alpha"), 0);
    ng_node_unref(a);
    ng_node_unref(b);
}

static void test_connect_and_data(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *src, *cnt;
    assert_int_equal(ng_node_create(g, "hole", &src), 0);
    assert_int_equal(ng_node_create(g, "counter", &cnt), 0);
    assert_int_equal(ng_connect(src, "out", cnt, "in"), 0);
    assert_int_equal(ng_connect(src, "out", cnt, "in2"), -EEXIST);
    assert_int_equal(ng_connect(src, "self", src, "self2"), -EINVAL);
    assert_int_equal(ng_node_numhooks(src), 1);
    struct ng_hook *h;
    assert_int_equal(ng_hook_find(src, "out", &h), 0);
    assert_true(ng_hook_is_valid(h));
    assert_string_equal(ng_hook_name(ng_hook_peer(h)), "in");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(ng_send_data(h, ngtest_item(g, 64, (uint8_t)i)), 0);
    assert_int_equal(ngtest_counter_get(cnt), 1000);
    assert_int_equal(ng_rmhook(src, "out"), 0);
    assert_false(ng_hook_is_valid(h));
    assert_int_equal(ng_send_data(h, ngtest_item(g, 64, 0)), -ENOTCONN);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(st.drops[NG_DROP_NOTCONN], 1);
    assert_int_equal(st.items_alloc, 1001);
    assert_int_equal(st.items_live, 0);
    ngtest_link_release(h, src, cnt);
}

static void test_tee_echo(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *src, *tee, *left, *copy;
    assert_int_equal(ng_node_create(g, "hole", &src), 0);
    assert_int_equal(ng_mkpeer(src, "out", "tee", "right", &tee), 0);
    assert_int_equal(ng_mkpeer(tee, "left", "counter", "in", &left), 0);
    assert_int_equal(ng_mkpeer(tee, "right2left", "counter", "in", &copy), 0);
    assert_int_equal(ng_mkpeer(tee, "bogus", "counter", "in", NULL), -EINVAL);
    struct ng_hook *h;
    assert_int_equal(ng_hook_find(src, "out", &h), 0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(ng_send_data(h, ngtest_item(g, 100, 1)), 0);
    assert_int_equal(ngtest_counter_get(left), 10);
    assert_int_equal(ngtest_counter_get(copy), 10);

    struct ng_mesg *resp = NULL;
    assert_int_equal(ng_node_name(tee, "t"), 0);
    assert_int_equal(ngtest_msg(g, "t:", NGM_TEE_COOKIE, NGM_TEE_GET_STATS, &resp), 0);
    assert_non_null(resp);
    const struct ng_tee_stats *ts = (const void *)resp->data;
    /* FreeBSD's ng_tee_hookstat: inOctets, inFrames, outOctets, outFrames. */
    assert_int_equal(ts->right.inFrames, 10);
    assert_int_equal(ts->right.inOctets, 1000);
    assert_int_equal(ts->left.outFrames, 10);
    assert_int_equal(ts->right2left.outFrames, 10);
    assert_int_equal(ts->left.outOctets, 1000);
    assert_int_equal(ts->left2right.outFrames, 0);
    ng_mesg_free(resp);
    /* getclrstats answers the counters and clears them. */
    assert_int_equal(ngtest_msg(g, "t:", NGM_TEE_COOKIE, NGM_TEE_GETCLR_STATS, &resp), 0);
    assert_int_equal(((const struct ng_tee_stats *)(const void *)resp->data)->left.outFrames, 10);
    ng_mesg_free(resp);
    assert_int_equal(ngtest_msg(g, "t:", NGM_TEE_COOKIE, NGM_TEE_GET_STATS, &resp), 0);
    assert_int_equal(((const struct ng_tee_stats *)(const void *)resp->data)->left.outFrames, 0);
    ng_mesg_free(resp);
    ng_hook_unref(h);

    /* echo: data returns to the sender's hook. */
    struct ng_node *e, *c2;
    assert_int_equal(ng_node_create(g, "counter", &c2), 0);
    assert_int_equal(ng_mkpeer(c2, "x", "echo", "y", &e), 0);
    struct ng_hook *hx;
    assert_int_equal(ng_hook_find(c2, "x", &hx), 0);
    assert_int_equal(ng_send_data(hx, ngtest_item(g, 10, 2)), 0);
    assert_int_equal(ngtest_counter_get(c2), 1);
    ng_hook_unref(hx);
    /* echo answers a message with itself. */
    assert_int_equal(ng_node_name(e, "echo0"), 0);
    struct ng_mesg *m = ng_mesg_alloc(NGM_ECHO_COOKIE, 42, 5);
    memcpy(m->data, "hello", 5);
    assert_int_equal(ng_send_msg(g, NULL, "echo0:", m, &resp), 0);
    assert_non_null(resp);
    assert_true(resp->header.flags & NGF_RESP);
    assert_int_equal(resp->header.cmd, 42);
    assert_memory_equal(resp->data, "hello", 5);
    ng_mesg_free(resp);

    ng_node_unref(e);
    ng_node_unref(c2);
    ng_node_unref(src);
    ng_node_unref(tee);
    ng_node_unref(left);
    ng_node_unref(copy);
}

static void test_generic_messages(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *a;
    assert_int_equal(ng_node_create(g, "hole", &a), 0);
    assert_int_equal(ng_node_name(a, "a"), 0);

    struct ng_mesg *m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_MKPEER, sizeof(struct ngm_mkpeer));
    struct ngm_mkpeer *mk = (void *)m->data;
    strcpy(mk->type, "tee");
    strcpy(mk->ourhook, "t");
    strcpy(mk->peerhook, "left");
    assert_int_equal(ng_send_msg(g, NULL, "a:", m, NULL), 0);

    m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_NAME, sizeof(struct ngm_name));
    strcpy(((struct ngm_name *)(void *)m->data)->name, "tee0");
    assert_int_equal(ng_send_msg(g, NULL, "a:t", m, NULL), 0);

    struct ng_mesg *resp;
    assert_int_equal(ngtest_msg(g, "tee0:", NGM_GENERIC_COOKIE, NGM_NODEINFO, &resp), 0);
    const struct nodeinfo *ni = (const void *)resp->data;
    assert_string_equal(ni->name, "tee0");
    assert_string_equal(ni->type, "tee");
    assert_int_equal(ni->hooks, 1);
    ng_mesg_free(resp);

    assert_int_equal(ngtest_msg(g, "a:", NGM_GENERIC_COOKIE, NGM_LISTHOOKS, &resp), 0);
    const struct hooklist *hl = (const void *)resp->data;
    assert_int_equal(hl->nodeinfo.hooks, 1);
    assert_string_equal(hl->link[0].ourhook, "t");
    assert_string_equal(hl->link[0].peerhook, "left");
    assert_string_equal(hl->link[0].nodeinfo.name, "tee0");
    ng_mesg_free(resp);

    assert_int_equal(ngtest_msg(g, "a:", NGM_GENERIC_COOKIE, NGM_LISTNODES, &resp), 0);
    assert_int_equal(((const struct namelist *)(const void *)resp->data)->numnames, 2);
    ng_mesg_free(resp);
    assert_int_equal(ngtest_msg(g, "a:", NGM_GENERIC_COOKIE, NGM_LISTNAMES, &resp), 0);
    assert_int_equal(((const struct namelist *)(const void *)resp->data)->numnames, 2);
    ng_mesg_free(resp);
    assert_int_equal(ngtest_msg(g, "a:", NGM_GENERIC_COOKIE, NGM_LISTTYPES, &resp), 0);
    const struct typelist *tl = (const void *)resp->data;
    /* The standard types (ngraph/nodes.h) + counter and pass: every one of
     * them listed once, whatever the number of standard types. */
    static const char *const expect[] = {"hole", "echo", "tee",     "one2many", "hub",
                                         "vlan", "bpf",  "counter", "pass"};
    for (size_t e = 0; e < sizeof(expect) / sizeof(expect[0]); e++) {
        int seen = 0;
        for (uint32_t i = 0; i < tl->numtypes; i++)
            seen += strcmp(tl->typeinfo[i].type_name, expect[e]) == 0;
        assert_int_equal(seen, 1);
    }
    {
        struct ng_graph *bare;
        struct ng_graph_config bc;
        ng_graph_config_init(&bc);
        bc.backend = ngtest_backend();
        assert_int_equal(ng_graph_create(&bc, &bare), 0);
        struct ng_node *bn;
        assert_int_equal(ng_node_create(bare, "hole", &bn), 0);
        assert_int_equal(ng_node_name(bn, "bare"), 0);
        struct ng_mesg *br = NULL;
        assert_int_equal(ngtest_msg(bare, "bare:", NGM_GENERIC_COOKIE, NGM_LISTTYPES, &br), 0);
        assert_int_equal(tl->numtypes,
                         ((const struct typelist *)(const void *)br->data)->numtypes + 2);
        ng_mesg_free(br);
        ng_node_unref(bn);
        ng_graph_destroy(bare);
    }
    ng_mesg_free(resp);
    /* TEXT_STATUS is the type's (FreeBSD): tee reports its hooks' counters. */
    assert_int_equal(ngtest_msg(g, "tee0:", NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &resp), 0);
    assert_non_null(strstr(resp->data, "left: connected inOctets=0"));
    assert_null(strstr(resp->data, "Type: tee"));
    ng_mesg_free(resp);
    /* The engine answers only for a type without rcvmsg ("pass"). */
    struct ng_node *pn;
    assert_int_equal(ng_node_create(g, "pass", &pn), 0);
    assert_int_equal(ng_node_name(pn, "p"), 0);
    assert_int_equal(ngtest_msg(g, "p:", NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &resp), 0);
    assert_non_null(strstr(resp->data, "Type: pass"));
    ng_mesg_free(resp);
    assert_int_equal(ngtest_msg(g, "p:", NGM_GENERIC_COOKIE, NGM_TEXT_CONFIG, &resp), -EINVAL);
    assert_int_equal(ngtest_msg(g, "tee0:", NGM_GENERIC_COOKIE, NGM_TEXT_CONFIG, &resp), -EINVAL);
    assert_int_equal(ng_node_shutdown(pn), 0);
    ng_node_unref(pn);

    /* connect a hole by path, then rmhook. */
    struct ng_node *b;
    assert_int_equal(ng_node_create(g, "hole", &b), 0);
    assert_int_equal(ng_node_name(b, "b"), 0);
    m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_CONNECT, sizeof(struct ngm_connect));
    struct ngm_connect *cn = (void *)m->data;
    strcpy(cn->path, "b:");
    strcpy(cn->ourhook, "right");
    strcpy(cn->peerhook, "fromtee");
    assert_int_equal(ng_send_msg(g, NULL, "tee0:", m, NULL), 0);
    assert_int_equal(ng_node_numhooks(b), 1);
    m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_RMHOOK, sizeof(struct ngm_rmhook));
    strcpy(((struct ngm_rmhook *)(void *)m->data)->ourhook, "fromtee");
    assert_int_equal(ng_send_msg(g, NULL, "b:", m, NULL), 0);
    assert_int_equal(ng_node_numhooks(b), 0);

    /* shutdown by message; the name goes away at once. */
    assert_int_equal(ngtest_msg(g, "tee0:", NGM_GENERIC_COOKIE, NGM_SHUTDOWN, NULL), 0);
    struct ng_node *f;
    assert_int_equal(ng_node_find(g, "tee0:", &f), -ENOENT);
    assert_int_equal(ng_node_numhooks(a), 0);
    assert_int_equal(ngtest_msg(g, "tee0:", NGM_GENERIC_COOKIE, NGM_SHUTDOWN, NULL), -ENOENT);
    /* a is a hole: it shut itself down with its last hook (ng_hole(4)). */
    assert_int_equal(ng_node_shutdown(a), -ESHUTDOWN);
    ng_node_unref(a);
    ng_node_unref(b);
}

/* Listings are built by the engine and may exceed the 64 KiB cap that applies
 * to arguments received from senders. */
static void test_large_listing(void **state)
{
    struct ng_graph *g = *state;
    enum { N = 3000 }; /* 3000 * sizeof(struct nodeinfo) > NG_MAX_MSG_ARGLEN */
    char name[NG_NODESIZ];
    for (int i = 0; i < N; i++) {
        struct ng_node *n;
        assert_int_equal(ng_node_create(g, "hole", &n), 0);
        snprintf(name, sizeof(name), "n%d", i);
        assert_int_equal(ng_node_name(n, name), 0);
        ng_node_unref(n);
    }
    struct ng_mesg *resp;
    assert_int_equal(ngtest_msg(g, "n0:", NGM_GENERIC_COOKIE, NGM_LISTNODES, &resp), 0);
    assert_true(resp->header.arglen > NG_MAX_MSG_ARGLEN);
    const struct namelist *nl = (const void *)resp->data;
    assert_int_equal(nl->numnames, N);
    ng_mesg_free(resp);
    assert_int_equal(ngtest_msg(g, "n0:", NGM_GENERIC_COOKIE, NGM_LISTNAMES, &resp), 0);
    assert_int_equal(((const struct namelist *)(const void *)resp->data)->numnames, N);
    ng_mesg_free(resp);
}

/* A type that refuses every hook. */
static int refuse_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    (void)node, (void)hook, (void)name;
    return -EINVAL;
}

static const struct ng_type refuser_type = {
    .version = NG_ABI_VERSION,
    .name = "refuser",
    .cookie = 0x52454655u,
    .newhook = refuse_newhook,
};

/* A connect refused by the second node's newhook runs the first node's
 * disconnect on the hook it had accepted: tee, which caches its hooks in
 * newhook, must not keep a pointer to the recycled hook (it used to answer
 * the next connect of that hook name with -EISCONN and send through the
 * stale pointer). */
static void test_refused_connect_releases_accepted_hook(void **state)
{
    struct ng_graph *g = *state;
    assert_int_equal(ng_type_register(g, &refuser_type), 0);
    struct ng_node *tee, *r, *h1, *h2;
    assert_int_equal(ng_node_create(g, "tee", &tee), 0);
    assert_int_equal(ng_node_create(g, "refuser", &r), 0);
    assert_int_equal(ng_node_create(g, "hole", &h1), 0);
    assert_int_equal(ng_node_create(g, "hole", &h2), 0);
    assert_int_equal(ng_connect(tee, "right", h1, "in"), 0);
    assert_int_equal(ng_connect(tee, "left", r, "x"), -EINVAL);
    assert_true(ng_node_is_valid(tee));
    assert_int_equal(ng_node_numhooks(tee), 1);
    assert_int_equal(ng_connect(tee, "left", h2, "in"), 0);
    /* Data from right leaves by left: the hook tee holds now is the live one. */
    struct ng_hook *in;
    assert_int_equal(ng_hook_find(h1, "in", &in), 0);
    assert_int_equal(ng_send_data(in, ngtest_item(g, 32, 7)), 0);
    ng_hook_unref(in);
    /* A path relative to a node of another graph is refused. */
    struct ng_graph *g2 = ngtest_graph();
    struct ng_node *other, *found;
    assert_int_equal(ng_node_create(g2, "hole", &other), 0);
    assert_int_equal(ng_path_resolve(g, other, ".", &found, NULL), -EINVAL);
    ng_node_unref(other);
    ng_graph_destroy(g2);
    struct ng_node *nodes[] = {tee, r, h1, h2};
    for (size_t i = 0; i < 4; i++) {
        if (ng_node_is_valid(nodes[i]))
            assert_int_equal(ng_node_shutdown(nodes[i]), 0);
        ng_node_unref(nodes[i]);
    }
}

/* Constructors may name their node (netgraph's eiface does); one that
 * then fails leaves no name behind, and none may add hooks. */
static int ctor_fail_rc;
static int namer_ctor(struct ng_node *node)
{
    assert_int_equal(ng_node_name(node, "ghost"), 0);
    struct ng_node *other;
    assert_int_equal(ng_node_find(ng_node_graph(node), "anchor:", &other), 0);
    assert_int_equal(ng_connect(node, "a", other, "b"), -EBUSY);
    ng_node_unref(other);
    return ctor_fail_rc;
}

static const struct ng_type namer_type = {
    .version = NG_ABI_VERSION,
    .name = "namer",
    .cookie = 0x4e414d45u,
    .constructor = namer_ctor,
};

static void test_constructor_names_then_fails(void **state)
{
    struct ng_graph *g = *state;
    assert_int_equal(ng_type_register(g, &namer_type), 0);
    struct ng_node *anchor, *n, *f;
    assert_int_equal(ng_node_create(g, "hole", &anchor), 0);
    assert_int_equal(ng_node_name(anchor, "anchor"), 0);
    ctor_fail_rc = -ENOMEM;
    assert_int_equal(ng_node_create(g, "namer", &n), -ENOMEM);
    assert_int_equal(ng_node_find(g, "ghost:", &f), -ENOENT); /* used to find a freed node */
    assert_int_equal(ng_graph_barrier(g), 0);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(st.nodes, 1);
    ctor_fail_rc = 0;
    assert_int_equal(ng_node_create(g, "namer", &n), 0);
    assert_int_equal(ng_node_find(g, "ghost:", &f), 0);
    assert_ptr_equal(f, n);
    ng_node_unref(f);
    assert_int_equal(ng_connect(n, "a", anchor, "b"), 0); /* constructed: hooks welcome */
    assert_int_equal(ng_node_shutdown(n), 0);
    /* anchor (a hole) went with its last hook (ng_hole(4)). */
    assert_int_equal(ng_node_shutdown(anchor), -ESHUTDOWN);
    ng_node_unref(n);
    ng_node_unref(anchor);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_graph_lifecycle),
        ngtest_unit_test(test_names_and_ids),
        ngtest_unit_test(test_connect_and_data),
        ngtest_unit_test(test_tee_echo),
        ngtest_unit_test(test_generic_messages),
        ngtest_unit_test(test_large_listing),
        ngtest_unit_test(test_refused_connect_releases_accepted_hook),
        ngtest_unit_test(test_constructor_names_then_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
