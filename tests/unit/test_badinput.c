/*
 * Bad-input table (issue #5 item 3, issue #2 "bad input gets a clear error").
 *
 * Every row of the table below feeds one malformed or invalid input to the
 * public API or the message layer and states the exact negative errno it must
 * return.  Around every row the graph is snapshotted through the message
 * layer itself (NGM_LISTNODES, then NGM_LISTHOOKS on every node: ids, names,
 * types, hooks and their peers) and the two snapshots must be identical, as
 * must the node / hook counters of ng_graph_stats().
 *
 * docs/reliability.md reproduces the table; regenerate it with
 *     NG_BADINPUT_TABLE=1 build/tests/test_badinput
 * (prints the rows as Markdown).  Runs under every backend (NG_BACKEND).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ngraph/nodes.h>
#include <ngraph/parse.h>

#include "ngtest.h"

#include <ngraph/runtime.h>

/* ------------------------------------------------------------------------ */
/* Graph snapshot through NGM_LISTNODES + NGM_LISTHOOKS                     */
/* ------------------------------------------------------------------------ */

struct snap {
    char *text;
    size_t len, cap;
};

static void snap_add(struct snap *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void snap_add(struct snap *s, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(s->text + s->len, s->cap - s->len, fmt, ap);
        va_end(ap);
        assert_true(n >= 0);
        if ((size_t)n < s->cap - s->len) {
            s->len += (size_t)n;
            return;
        }
        s->cap = s->cap * 2 + (size_t)n + 256;
        s->text = realloc(s->text, s->cap);
        assert_non_null(s->text);
    }
}

static int cmp_nodeinfo(const void *a, const void *b)
{
    const struct nodeinfo *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_linkinfo(const void *a, const void *b)
{
    const struct linkinfo *x = a, *y = b;
    return strcmp(x->ourhook, y->ourhook);
}

/*
 * Canonical text of the whole graph, sorted by node id and hook name, taken
 * with generic messages addressed to `anchor` (any live node).  The caller
 * frees the result.
 */
static char *graph_snapshot(struct ng_graph *g, const char *anchor)
{
    struct snap s = {0};
    s.cap = 1024;
    s.text = malloc(s.cap);
    assert_non_null(s.text);
    s.text[0] = '\0';

    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(g, anchor, NGM_GENERIC_COOKIE, NGM_LISTNODES, &r), 0);
    assert_non_null(r);
    struct namelist *nl = (struct namelist *)(void *)r->data;
    assert_true(r->header.arglen >= sizeof(*nl) + nl->numnames * sizeof(struct nodeinfo));
    qsort(nl->nodeinfo, nl->numnames, sizeof(struct nodeinfo), cmp_nodeinfo);
    for (uint32_t i = 0; i < nl->numnames; i++) {
        const struct nodeinfo *ni = &nl->nodeinfo[i];
        snap_add(&s, "[%x] name=%s type=%s hooks=%u\n", ni->id, ni->name, ni->type, ni->hooks);
        char path[32];
        snprintf(path, sizeof(path), "[%x]:", ni->id);
        struct ng_mesg *hr = NULL;
        assert_int_equal(ngtest_msg(g, path, NGM_GENERIC_COOKIE, NGM_LISTHOOKS, &hr), 0);
        assert_non_null(hr);
        struct hooklist *hl = (struct hooklist *)(void *)hr->data;
        assert_int_equal(hl->nodeinfo.id, ni->id);
        assert_int_equal(hl->nodeinfo.hooks, ni->hooks);
        qsort(hl->link, hl->nodeinfo.hooks, sizeof(struct linkinfo), cmp_linkinfo);
        for (uint32_t j = 0; j < hl->nodeinfo.hooks; j++)
            snap_add(&s, "  %s -> [%x]%s:%s\n", hl->link[j].ourhook, hl->link[j].nodeinfo.id,
                     hl->link[j].nodeinfo.name, hl->link[j].peerhook);
        ng_mesg_free(hr);
    }
    ng_mesg_free(r);
    return s.text;
}

/* ------------------------------------------------------------------------ */
/* Fixture                                                                  */
/* ------------------------------------------------------------------------ */

/* A type with a command list requiring 8 argument bytes for cmd 1. */
#define STRICT_COOKIE 0x7e57bad1u
static const struct ng_cmdlist strict_cmds[] = {
    {STRICT_COOKIE, 1, "set", NULL, NULL, 8},
    {0, 0, NULL, NULL, NULL, 0},
};
static int strict_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)node;
    (void)lasthook;
    ng_item_free(item);
    return 0;
}
static const struct ng_type strict_type = {
    .version = NG_ABI_VERSION,
    .name = "strict",
    .cookie = STRICT_COOKIE,
    .rcvmsg = strict_rcvmsg,
    .cmdlist = strict_cmds,
};

/*
 * Graph used by every row:
 *     a (hole)  out <-> in  b (counter)
 *     c (echo), unconnected
 *     s (strict), unconnected
 *     dead: a hole that has been shut down (the test keeps a reference)
 *     g2: a second graph holding node "other"
 */
struct fx {
    struct ng_graph *g, *g2;
    struct ng_node *a, *b, *c, *s, *dead, *other;
    struct ng_hook *aout;  /* a's hook "out", referenced */
    struct ng_hook *stale; /* a removed hook, referenced */
    ng_id_t dead_id;
};

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->g = ngtest_graph();
    f->g2 = ngtest_graph();
    assert_int_equal(ng_type_register(f->g, &strict_type), 0);
    assert_int_equal(ng_node_create(f->g, "hole", &f->a), 0);
    assert_int_equal(ng_node_create(f->g, "counter", &f->b), 0);
    assert_int_equal(ng_node_create(f->g, "echo", &f->c), 0);
    assert_int_equal(ng_node_create(f->g, "strict", &f->s), 0);
    assert_int_equal(ng_node_create(f->g, "hole", &f->dead), 0);
    assert_int_equal(ng_node_create(f->g2, "hole", &f->other), 0);
    assert_int_equal(ng_node_name(f->a, "a"), 0);
    assert_int_equal(ng_node_name(f->b, "b"), 0);
    assert_int_equal(ng_node_name(f->c, "c"), 0);
    assert_int_equal(ng_node_name(f->s, "s"), 0);
    assert_int_equal(ng_node_name(f->dead, "dead"), 0);
    assert_int_equal(ng_node_name(f->other, "other"), 0);
    assert_int_equal(ng_connect(f->a, "out", f->b, "in"), 0);
    assert_int_equal(ng_hook_find(f->a, "out", &f->aout), 0);
    /* A stale hook: connected, looked up, then removed. */
    /* c (echo) would shut down with its last hook (ng_echo(4)): keep it. */
    ng_node_set_persistent(f->c, 1);
    assert_int_equal(ng_connect(f->dead, "gone", f->c, "gone"), 0);
    assert_int_equal(ng_hook_find(f->c, "gone", &f->stale), 0);
    f->dead_id = ng_node_id(f->dead);
    assert_int_equal(ng_rmhook(f->c, "gone"), 0);
    /* dead (hole) shut itself down with its last hook (ng_hole(4)). */
    assert_int_equal(ng_node_shutdown(f->dead), -ESHUTDOWN);
    ng_graph_barrier(f->g);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    ng_hook_unref(f->aout);
    ng_hook_unref(f->stale);
    ng_node_unref(f->a);
    ng_node_unref(f->b);
    ng_node_unref(f->c);
    ng_node_unref(f->s);
    ng_node_unref(f->dead);
    ng_node_unref(f->other);
    ng_graph_destroy(f->g2);
    ng_graph_destroy(f->g);
    free(f);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Helpers for rows                                                         */
/* ------------------------------------------------------------------------ */

static int find_rc(struct ng_graph *g, const char *addr)
{
    struct ng_node *n = NULL;
    int rc = ng_node_find(g, addr, &n);
    if (rc == 0)
        ng_node_unref(n);
    return rc;
}

static int resolve_rc(struct ng_graph *g, struct ng_node *from, const char *path)
{
    struct ng_node *n = NULL;
    struct ng_hook *h = NULL;
    int rc = ng_path_resolve(g, from, path, &n, &h);
    if (rc == 0) {
        ng_node_unref(n);
        ng_hook_unref(h);
    }
    return rc;
}

static int msg_rc(struct ng_graph *g, const char *path, struct ng_mesg *m)
{
    struct ng_mesg *resp = NULL;
    int rc = ng_send_msg(g, NULL, path, m, &resp);
    ng_mesg_free(resp);
    return rc;
}

static struct ng_mesg *gmsg(uint32_t cmd, uint32_t arglen)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_GENERIC_COOKIE, cmd, arglen);
    assert_non_null(m);
    return m;
}

static char longname[NG_NODESIZ + 8]; /* NG_NODESIZ printable characters */
static char longpath[NG_PATHSIZ + 8]; /* NG_PATHSIZ characters: "a:" + hooks */

static void fill_long(void)
{
    memset(longname, 'x', NG_NODESIZ);
    longname[NG_NODESIZ] = '\0';
    memset(longpath, 0, sizeof(longpath));
    strcpy(longpath, "a:");
    while (strlen(longpath) + 4 <= NG_PATHSIZ)
        strcat(longpath, "out.");
    while (strlen(longpath) < NG_PATHSIZ)
        strcat(longpath, "o");
}

static void fn_never(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)node;
    (void)hook;
    (void)arg2;
    (*(int *)arg1)++;
}

/* ------------------------------------------------------------------------ */
/* The rows                                                                 */
/* ------------------------------------------------------------------------ */

#define F struct fx *f
#define ROW(name, ...)                                                                             \
    static int name(F)                                                                             \
    {                                                                                              \
        (void)f;                                                                                   \
        __VA_ARGS__                                                                                \
    }

/* Paths and addresses */
ROW(r_find_empty, return find_rc(f->g, "");)
ROW(r_find_dot, return find_rc(f->g, "a.b:");)
ROW(r_find_hookpath, return find_rc(f->g, "a:out");)
ROW(r_find_long, return find_rc(f->g, longname);)
ROW(r_find_id0, return find_rc(f->g, "[0]:");)
ROW(r_find_id9, return find_rc(f->g, "[123456789]:");)
ROW(r_find_idhex, return find_rc(f->g, "[xyz]:");)
ROW(r_find_unterminated_id, return find_rc(f->g, "[1f:");)
ROW(r_find_nosuch, return find_rc(f->g, "nosuch:");)
ROW(r_find_null, return ng_node_find(f->g, NULL, NULL);)
ROW(r_path_2colon, return resolve_rc(f->g, NULL, "a::");)
ROW(r_path_emptyhook, return resolve_rc(f->g, NULL, "a:out..in");)
ROW(r_path_trailingdot, return resolve_rc(f->g, NULL, "a:out.");)
ROW(r_path_colon, return resolve_rc(f->g, NULL, ":");)
ROW(r_path_self_nosender, return resolve_rc(f->g, NULL, ".");)
ROW(r_path_rel_nosender, return resolve_rc(f->g, NULL, "out");)
ROW(r_path_long, return resolve_rc(f->g, NULL, longpath);)
ROW(r_path_badchar, return resolve_rc(f->g, NULL, "a:o\tut");)
ROW(r_path_nohook, return resolve_rc(f->g, NULL, "a:nosuch");)
ROW(r_path_unconnected, return resolve_rc(f->g, NULL, "a:out.nosuch");)
ROW(r_path_deadid, {
    char p[32];
    snprintf(p, sizeof(p), "[%x]:", f->dead_id);
    return resolve_rc(f->g, NULL, p);
})
ROW(r_path_null, return ng_path_resolve(f->g, NULL, NULL, NULL, NULL);)

/* Names */
ROW(r_name_dup, return ng_node_name(f->c, "b");)
ROW(r_name_space, return ng_node_name(f->c, "bad name");)
ROW(r_name_ctrl, return ng_node_name(f->c, "bad\x01");)
ROW(r_name_high, return ng_node_name(f->c, "caf\xc3\xa9");)
ROW(r_name_colon, return ng_node_name(f->c, "x:");)
ROW(r_name_bracket, return ng_node_name(f->c, "[1]");)
ROW(r_name_long, return ng_node_name(f->c, longname);)
ROW(r_name_empty, return ng_node_name(f->c, "");)
ROW(r_name_null, return ng_node_name(f->c, NULL);)
ROW(r_name_nullnode, return ng_node_name(NULL, "x");)
ROW(r_name_dead, return ng_node_name(f->dead, "zombie");)

/* Types and nodes */
ROW(r_create_unknown, return ng_node_create(f->g, "nosuchtype", NULL);)
ROW(r_create_null, return ng_node_create(f->g, NULL, NULL);)
ROW(r_type_dup, return ng_type_register(f->g, &ngtest_counter_type);)
ROW(r_type_dupcookie, {
    static const struct ng_type t = {
        .version = NG_ABI_VERSION, .name = "fresh", .cookie = STRICT_COOKIE};
    return ng_type_register(f->g, &t);
})
ROW(r_type_badversion, {
    static const struct ng_type t = {.version = 99, .name = "v99", .cookie = 0x7e5799};
    return ng_type_register(f->g, &t);
})
ROW(r_type_badname, {
    static const struct ng_type t = {.version = NG_ABI_VERSION, .name = "a.b", .cookie = 0x7e5798};
    return ng_type_register(f->g, &t);
})
ROW(r_type_unreg_busy, return ng_type_unregister(f->g, "hole");)
ROW(r_type_unreg_unknown, return ng_type_unregister(f->g, "nosuchtype");)

/* Hooks and topology */
ROW(r_connect_taken, return ng_connect(f->a, "out", f->c, "x");)
ROW(r_connect_double, return ng_connect(f->a, "out", f->b, "in");)
ROW(r_connect_self, return ng_connect(f->c, "x", f->c, "y");)
ROW(r_connect_badhook, return ng_connect(f->c, "bad.hook", f->s, "y");)
ROW(r_connect_longhook, return ng_connect(f->c, longname, f->s, "y");)
ROW(r_connect_emptyhook, return ng_connect(f->c, "", f->s, "y");)
ROW(r_connect_dead, return ng_connect(f->c, "x", f->dead, "y");)
ROW(r_connect_xgraph, return ng_connect(f->c, "x", f->other, "y");)
ROW(r_connect_null, return ng_connect(f->c, "x", NULL, "y");)
ROW(r_mkpeer_unknown, return ng_mkpeer(f->c, "x", "nosuchtype", "y", NULL);)
ROW(r_mkpeer_taken, return ng_mkpeer(f->a, "out", "hole", "y", NULL);)
ROW(r_mkpeer_dead, return ng_mkpeer(f->dead, "x", "hole", "y", NULL);)
ROW(r_mkpeer_badhook, return ng_mkpeer(f->c, "x", "hole", "y:z", NULL);)
ROW(r_rmhook_nosuch, return ng_rmhook(f->c, "nosuch");)
ROW(r_rmhook_bad, return ng_rmhook(f->c, "bad:name");)
ROW(r_hookfind_bad, {
    struct ng_hook *h;
    return ng_hook_find(f->a, "o[ut", &h);
})
ROW(r_hookfind_nosuch, {
    struct ng_hook *h;
    return ng_hook_find(f->a, "nosuch", &h);
})
ROW(r_shutdown_double, return ng_node_shutdown(f->dead);)
ROW(r_shutdown_null, return ng_node_shutdown(NULL);)

/* Data path */
ROW(r_send_stale, return ng_send_data(f->stale, ngtest_item(f->g, 8, 0));)
ROW(r_send_nullhook, return ng_send_data(NULL, ngtest_item(f->g, 8, 0));)
ROW(r_send_nullitem, return ng_send_data(f->aout, NULL);)
ROW(r_inject_nosuch, return ng_inject_data(f->c, "nosuch", ngtest_item(f->g, 8, 0));)
ROW(r_item_oversize, {
    struct ng_item *it = ng_item_alloc(f->g, 1u << 20);
    if (it) {
        ng_item_free(it);
        return 0;
    }
    return -ENOBUFS;
})
ROW(r_item_limit, {
    /* item_limit 100 used to allow no item at all (blocks of 256). */
    struct ng_graph_config cfg;
    ngtest_graph_config(&cfg);
    cfg.item_limit = 100;
    struct ng_graph *g;
    assert_int_equal(ng_graph_create(&cfg, &g), 0);
    struct ng_item *it[101];
    int got = 0;
    while (got < 101 && (it[got] = ng_item_alloc(g, 8)) != NULL)
        got++;
    for (int i = 0; i < got; i++)
        ng_item_free(it[i]);
    ng_graph_destroy(g);
    return got == 100 ? -ENOBUFS : -ERANGE; /* ERANGE: the limit was not exact */
})
ROW(r_timer_stalehook, {
    /* Timers work without a runtime now; a removed hook is refused. */
    struct ng_timer tm;
    ng_timer_init(&tm);
    return ng_timer_arm(&tm, f->c, f->stale, 1000, fn_never, NULL, 0);
})
ROW(r_timer_far, {
    /* delay UINT64_MAX used to wrap the deadline and fire at once. */
    struct ng_runtime *rt = ngtest_runtime(f->g, 1);
    int ran = 0;
    struct ng_timer tm;
    ng_timer_init(&tm);
    int rc = ng_timer_arm(&tm, f->a, NULL, UINT64_MAX, fn_never, &ran, 0);
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    if (rc == 0 && (!ng_timer_pending(&tm) || ran))
        rc = -ETIME; /* fired */
    ng_timer_cancel(&tm);
    ng_runtime_stop(rt);
    return rc;
})
ROW(r_fn_dead, {
    int ran = 0;
    int rc = ng_send_fn(f->dead, NULL, fn_never, &ran, 0, NG_FN_WAIT);
    assert_int_equal(ran, 0);
    return rc;
})
ROW(r_fn_null, return ng_send_fn(f->c, NULL, NULL, NULL, 0, 0);)
ROW(r_fn_foreignhook, {
    int ran = 0;
    int rc = ng_send_fn(f->c, f->aout, fn_never, &ran, 0, NG_FN_WAIT);
    assert_int_equal(ran, 0);
    return rc;
})

/* Message layer */
ROW(r_msg_unknown_generic, return msg_rc(f->g, "c:", gmsg(999, 0));)
ROW(r_msg_unknown_cookie, {
    struct ng_mesg *m = ng_mesg_alloc(0x0badc0deu, 1, 0);
    return msg_rc(f->g, "a:", m);
})
ROW(r_msg_notype_rcvmsg, {
    struct ng_mesg *m = ng_mesg_alloc(0x0badc0deu, 1, 0);
    return msg_rc(f->g, "b:", m);
})
ROW(r_msg_cmdlist_short, {
    struct ng_mesg *m = ng_mesg_alloc(STRICT_COOKIE, 1, 4);
    return msg_rc(f->g, "s:", m);
})
ROW(r_msg_resp_unknown_token, {
    struct ng_mesg *m = gmsg(NGM_NODEINFO, 0);
    m->header.flags = NGF_RESP;
    m->header.token = 0xdeadbeefu;
    return msg_rc(f->g, "a:", m);
})
ROW(r_msg_name_short, {
    struct ng_mesg *m = gmsg(NGM_NAME, 4);
    memcpy(m->data, "zz", 3);
    return msg_rc(f->g, "c:", m);
})
ROW(r_msg_name_unterminated, {
    struct ng_mesg *m = gmsg(NGM_NAME, sizeof(struct ngm_name));
    memset(m->data, 'q', sizeof(struct ngm_name));
    return msg_rc(f->g, "c:", m);
})
ROW(r_msg_name_dup, {
    struct ng_mesg *m = gmsg(NGM_NAME, sizeof(struct ngm_name));
    strcpy(((struct ngm_name *)(void *)m->data)->name, "a");
    return msg_rc(f->g, "c:", m);
})
ROW(r_msg_mkpeer_short, return msg_rc(f->g, "c:", gmsg(NGM_MKPEER, sizeof(struct ngm_mkpeer) - 1));)
ROW(r_msg_mkpeer_unknown, {
    struct ng_mesg *m = gmsg(NGM_MKPEER, sizeof(struct ngm_mkpeer));
    struct ngm_mkpeer *a = (void *)m->data;
    strcpy(a->type, "nosuchtype");
    strcpy(a->ourhook, "x");
    strcpy(a->peerhook, "y");
    return msg_rc(f->g, "c:", m);
})
ROW(r_msg_connect_nopath, {
    struct ng_mesg *m = gmsg(NGM_CONNECT, sizeof(struct ngm_connect));
    struct ngm_connect *a = (void *)m->data;
    strcpy(a->path, "nosuch:");
    strcpy(a->ourhook, "x");
    strcpy(a->peerhook, "y");
    return msg_rc(f->g, "c:", m);
})
ROW(r_msg_connect_self, {
    struct ng_mesg *m = gmsg(NGM_CONNECT, sizeof(struct ngm_connect));
    struct ngm_connect *a = (void *)m->data;
    strcpy(a->path, ".");
    strcpy(a->ourhook, "x");
    strcpy(a->peerhook, "y");
    return msg_rc(f->g, "c:", m);
})
ROW(r_msg_connect_double, {
    struct ng_mesg *m = gmsg(NGM_CONNECT, sizeof(struct ngm_connect));
    struct ngm_connect *a = (void *)m->data;
    strcpy(a->path, "b:");
    strcpy(a->ourhook, "out");
    strcpy(a->peerhook, "in");
    return msg_rc(f->g, "a:", m);
})
ROW(r_msg_rmhook_nosuch, {
    struct ng_mesg *m = gmsg(NGM_RMHOOK, sizeof(struct ngm_rmhook));
    strcpy(((struct ngm_rmhook *)(void *)m->data)->ourhook, "nosuch");
    return msg_rc(f->g, "c:", m);
})
ROW(r_msg_dead, {
    char p[32];
    snprintf(p, sizeof(p), "[%x]:", f->dead_id);
    return msg_rc(f->g, p, gmsg(NGM_NODEINFO, 0));
})
ROW(r_msg_oversize, {
    struct ng_mesg *m = gmsg(NGM_NODEINFO, 0);
    m->header.arglen = NG_MAX_MSG_ARGLEN + 1; /* lies: nothing behind it */
    return msg_rc(f->g, "c:", m);
})
ROW(r_msg_arglen_forged, {
    /* NGM_NAME allocated with 4 argument bytes, arglen raised to the struct:
     * the generic reader used to read past the buffer (ASan). */
    struct ng_mesg *m = gmsg(NGM_NAME, 4);
    m->header.arglen = sizeof(struct ngm_name);
    return msg_rc(f->g, "c:", m);
})
ROW(r_msghook_arglen_forged, {
    struct ng_mesg *m = ng_mesg_alloc(NGM_ECHO_COOKIE, 1, 0);
    assert_non_null(m);
    m->header.arglen = 64;
    return ng_send_msg_hook(f->aout, m);
})
ROW(r_msg_alloc_oversize, {
    struct ng_mesg *m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_NODEINFO, NG_MAX_MSG_ARGLEN + 1);
    if (m) {
        ng_mesg_free(m);
        return 0;
    }
    return -EMSGSIZE;
})
ROW(r_msg_badversion, {
    struct ng_mesg *m = gmsg(NGM_NODEINFO, 0);
    m->header.version = NG_VERSION + 1;
    return msg_rc(f->g, "c:", m);
})
ROW(r_msg_badflags, {
    struct ng_mesg *m = gmsg(NGM_NODEINFO, 0);
    m->header.flags = 0x80;
    return msg_rc(f->g, "c:", m);
})
ROW(r_msg_cmdstr, {
    struct ng_mesg *m = gmsg(NGM_NODEINFO, 0);
    memset(m->header.cmdstr, 'c', NG_CMDSTRSIZ);
    return msg_rc(f->g, "c:", m);
})
ROW(r_msg_nullpath, return msg_rc(f->g, NULL, gmsg(NGM_NODEINFO, 0));)
ROW(r_msg_nullmsg, return msg_rc(f->g, "c:", NULL);)
ROW(r_msg_resp_from_node, {
    struct ng_mesg *resp = NULL;
    return ng_send_msg(f->g, f->a, "c:", gmsg(NGM_NODEINFO, 0), &resp);
})
ROW(r_msg_xgraph_from, return ng_send_msg(f->g, f->other, "c:", gmsg(NGM_NODEINFO, 0), NULL);)
ROW(r_msghook_stale, return ng_send_msg_hook(f->stale, gmsg(NGM_NODEINFO, 0));)
ROW(r_check_short, {
    struct ng_mesg_header h;
    memset(&h, 0, sizeof(h));
    return ng_mesg_check((const struct ng_mesg *)(void *)&h, sizeof(h) - 1);
})
ROW(r_check_truncated, {
    struct ng_mesg *m = gmsg(NGM_NAME, sizeof(struct ngm_name));
    int rc = ng_mesg_check(m, sizeof(m->header) + sizeof(struct ngm_name) - 1);
    ng_mesg_free(m);
    return rc;
})
ROW(r_respond_notmsg, return ng_respond(ngtest_item(f->g, 8, 0), 0, NULL);)

/* Issue #15 (a): every generic handler checks its argument's length and
 * termination before reading it. */
ROW(r_msg_mkpeer_type_unterminated, {
    struct ng_mesg *m = gmsg(NGM_MKPEER, sizeof(struct ngm_mkpeer));
    struct ngm_mkpeer *a = (void *)m->data;
    memset(a->type, 't', sizeof(a->type));
    strcpy(a->ourhook, "x");
    strcpy(a->peerhook, "y");
    return msg_rc(f->g, "c:", m);
})
ROW(r_msg_connect_short,
    return msg_rc(f->g, "c:", gmsg(NGM_CONNECT, sizeof(struct ngm_connect) - 1));)
ROW(r_msg_rmhook_short, return msg_rc(f->g, "a:", gmsg(NGM_RMHOOK, 3));)

/* Conversion messages (NGM_ASCII2BINARY / NGM_BINARY2ASCII). */
static struct ng_mesg *conv_msg(uint32_t cmd, const char *cmdstr, uint32_t flags, const void *data,
                                uint32_t len, uint32_t inner_arglen)
{
    struct ng_mesg *m = gmsg(cmd, (uint32_t)sizeof(struct ng_mesg_header) + len);
    struct ng_mesg *in = (struct ng_mesg *)(void *)m->data;
    in->header.version = NG_VERSION;
    in->header.flags = flags;
    in->header.arglen = inner_arglen;
    strcpy(in->header.cmdstr, cmdstr);
    memcpy(in->data, data, len);
    return m;
}
static struct ng_mesg *b2a_msg(uint32_t cookie, uint32_t cmd, uint32_t flags, uint32_t len)
{
    uint8_t zero[8] = {0};
    struct ng_mesg *m = conv_msg(NGM_BINARY2ASCII, "", flags, zero, len, len);
    struct ng_mesg *in = (struct ng_mesg *)(void *)m->data;
    in->header.typecookie = cookie;
    in->header.cmd = cmd;
    return m;
}
ROW(r_a2b_short,
    return msg_rc(f->g, "a:", gmsg(NGM_ASCII2BINARY, sizeof(struct ng_mesg_header) - 1));)
ROW(r_a2b_lying_arglen,
    return msg_rc(f->g, "a:", conv_msg(NGM_ASCII2BINARY, "name", 0, "{}", 3, 4));)
ROW(r_a2b_unknown, return msg_rc(f->g, "a:", conv_msg(NGM_ASCII2BINARY, "nosuch", 0, "", 1, 1));)
ROW(r_a2b_syntax,
    return msg_rc(f->g, "a:", conv_msg(NGM_ASCII2BINARY, "name", 0, "{ name=", 8, 8));)
ROW(r_b2a_short, return msg_rc(f->g, "a:", b2a_msg(NGM_GENERIC_COOKIE, NGM_NODEINFO, NGF_RESP, 4));)
ROW(r_b2a_lying_arglen, {
    struct ng_mesg *m = b2a_msg(NGM_GENERIC_COOKIE, NGM_NODEINFO, NGF_RESP, 4);
    ((struct ng_mesg *)(void *)m->data)->header.arglen = 5;
    return msg_rc(f->g, "a:", m);
})
ROW(r_b2a_unknown, return msg_rc(f->g, "a:", b2a_msg(0x0badc0deu, 1, 0, 0));)
ROW(r_b2a_other_type,
    return msg_rc(f->g, "c:", b2a_msg(NGM_HOLE_COOKIE, NGM_HOLE_GET_STATS, 0, 3));)

/* hole's per-hook statistics. */
static struct ng_mesg *hole_msg(uint32_t cmd, const char *arg, uint32_t len)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_HOLE_COOKIE, cmd, len);
    assert_non_null(m);
    memcpy(m->data, arg, len);
    return m;
}
ROW(r_hole_nohook, return msg_rc(f->g, "a:", hole_msg(NGM_HOLE_GET_STATS, "nosuch", 7));)
ROW(r_hole_clr_nohook, return msg_rc(f->g, "a:", hole_msg(NGM_HOLE_CLR_STATS, "nosuch", 7));)
ROW(r_hole_unterminated, return msg_rc(f->g, "a:", hole_msg(NGM_HOLE_GET_STATS, "out", 3));)
ROW(r_hole_noarg, return msg_rc(f->g, "a:", hole_msg(NGM_HOLE_GETCLR_STATS, "", 0));)

/* ASCII messages: the text is refused before anything is sent. */
static int ascii_rc(struct ng_graph *g, const char *path, const char *text)
{
    char *resp = NULL;
    int rc = ng_send_ascii(g, path, text, &resp);
    free(resp);
    return rc;
}
ROW(r_ascii_unbalanced, return ascii_rc(f->g, "c:", "mkpeer { type=\"hole\" ourhook=\"x\" ");)
ROW(r_ascii_unknown_field, return ascii_rc(f->g, "c:", "mkpeer { kind=\"hole\" }");)
ROW(r_ascii_field_twice, return ascii_rc(f->g, "c:", "name { name=\"q\" name=\"r\" }");)
ROW(r_ascii_string_long,
    return ascii_rc(f->g, "c:", "name { name=\"0123456789012345678901234567890123\" }");)
ROW(r_ascii_number_range, return ascii_rc(f->g, "c:", "binary2ascii { version=256 }");)
ROW(r_ascii_index_big, return ascii_rc(f->g, "c:", "binary2ascii { arglen=2 data=[ 1 2 3 ] }");)
ROW(r_ascii_trailing, return ascii_rc(f->g, "c:", "name { name=\"q\" } }");)
ROW(r_ascii_noargs_given, return ascii_rc(f->g, "c:", "nodeinfo 1");)
ROW(r_ascii_empty, return ascii_rc(f->g, "c:", "");)
ROW(r_ascii_empty_args, return ascii_rc(f->g, "c:", "mkpeer");)
ROW(r_ascii_unknown_cmd, return ascii_rc(f->g, "c:", "getstats \"in\"");)
ROW(r_ascii_long_cmd, return ascii_rc(f->g, "c:", "nodeinfo0123456789012345678901234");)
static int ascii_nested(struct fx *f, size_t n)
{
    char *t = malloc(2 * n + 8);
    assert_non_null(t);
    strcpy(t, "mkpeer ");
    memset(t + 7, '{', n);
    memset(t + 7 + n, '}', n);
    t[7 + 2 * n] = '\0';
    int rc = ascii_rc(f->g, "c:", t);
    free(t);
    return rc;
}
/* " " + 2n braces + NUL fill the 64 KiB argument limit exactly. */
ROW(r_ascii_nesting, return ascii_nested(f, (NG_MAX_MSG_ARGLEN - 2) / 2);)
ROW(r_ascii_too_long, return ascii_nested(f, NG_MAX_MSG_ARGLEN / 2);)
ROW(r_ascii_mkpeer_unknown_type,
    return ascii_rc(f->g, "c:", "mkpeer { type=\"nosuchtype\" ourhook=\"x\" peerhook=\"y\" }");)
ROW(r_parse_bad_ipaddr, {
    uint8_t b[4];
    size_t len = sizeof(b);
    return ng_parse(&ng_parse_ipaddr_type, "10.0.0.256", NULL, b, &len);
})
ROW(r_parse_bad_enaddr, {
    uint8_t b[6];
    size_t len = sizeof(b);
    return ng_parse(&ng_parse_enaddr_type, "00:11:22:33:44:gg", NULL, b, &len);
})

/* Graphs and backends */
ROW(r_backend_parse, {
    enum ng_backend b;
    return ng_backend_parse("nosuch", &b);
})
ROW(r_graph_badbackend, {
    struct ng_graph_config cfg;
    struct ng_graph *g2 = NULL;
    ng_graph_config_init(&cfg);
    cfg.backend = (enum ng_backend)7;
    int rc = ng_graph_create(&cfg, &g2);
    if (rc == 0)
        ng_graph_destroy(g2);
    return rc;
})
ROW(r_graph_badheadroom, {
    struct ng_graph_config cfg;
    struct ng_graph *g2 = NULL;
    ng_graph_config_init(&cfg);
    cfg.item_bufsize = 256;
    cfg.item_headroom = 256;
    int rc = ng_graph_create(&cfg, &g2);
    if (rc == 0)
        ng_graph_destroy(g2);
    return rc;
})

/* Batches and per-thread counters */
ROW(r_quiescent_nobatch, return ng_batch_quiescent(f->g);)
ROW(r_quiescent_nested, {
    ng_batch_begin(f->g);
    ng_batch_begin(f->g);
    int rc = ng_batch_quiescent(f->g);
    ng_batch_end(f->g);
    ng_batch_end(f->g);
    return rc;
})
ROW(r_batch_end_nobatch, return ng_batch_end(f->g);)
ROW(r_pcounter_range, {
    struct ng_pcounter *pc;
    uint64_t v[4];
    int rc = ng_pcounter_create(4, &pc);
    if (rc == 0)
        rc = ng_pcounter_snapshot(pc, 2, 3, v, false);
    ng_pcounter_destroy(pc);
    return rc;
})
ROW(r_pcounter_noout, {
    struct ng_pcounter *pc;
    int rc = ng_pcounter_create(4, &pc);
    if (rc == 0)
        rc = ng_pcounter_snapshot(pc, 0, 4, NULL, false);
    ng_pcounter_destroy(pc);
    return rc;
})
ROW(r_pcounter_zero, {
    struct ng_pcounter *pc = NULL;
    return ng_pcounter_create(0, &pc);
})

struct row {
    const char *area;
    const char *input;
    int expect;
    const char *errname;
    int (*fn)(struct fx *);
};

#define R(area, input, err, fn)                                                                    \
    {                                                                                              \
        area, input, -err, #err, fn                                                                \
    }

static const struct row rows[] = {
    R("path", "ng_node_find(\"\")", EINVAL, r_find_empty),
    R("path", "ng_node_find(\"a.b:\") (dot in node name)", EINVAL, r_find_dot),
    R("path", "ng_node_find(\"a:out\") (hook path where a node address is expected)", EINVAL,
      r_find_hookpath),
    R("path", "ng_node_find(<NG_NODESIZ chars>) (over-long name)", EINVAL, r_find_long),
    R("path", "ng_node_find(\"[0]:\") (id 0 is never assigned)", EINVAL, r_find_id0),
    R("path", "ng_node_find(\"[123456789]:\") (9 hex digits)", EINVAL, r_find_id9),
    R("path", "ng_node_find(\"[xyz]:\") (non-hex id)", EINVAL, r_find_idhex),
    R("path", "ng_node_find(\"[1f:\") (unterminated id)", EINVAL, r_find_unterminated_id),
    R("path", "ng_node_find(\"nosuch:\") (unknown node)", ENOENT, r_find_nosuch),
    R("path", "ng_node_find(g, NULL, NULL)", EINVAL, r_find_null),
    R("path", "ng_path_resolve(\"a::\") (two colons)", EINVAL, r_path_2colon),
    R("path", "ng_path_resolve(\"a:out..in\") (empty hook name)", EINVAL, r_path_emptyhook),
    R("path", "ng_path_resolve(\"a:out.\") (trailing dot)", EINVAL, r_path_trailingdot),
    R("path", "ng_path_resolve(\":\") (empty node part)", EINVAL, r_path_colon),
    R("path", "ng_path_resolve(\".\") with no sending node", EINVAL, r_path_self_nosender),
    R("path", "ng_path_resolve(\"out\") relative, no sending node", EINVAL, r_path_rel_nosender),
    R("path", "ng_path_resolve(<NG_PATHSIZ chars>) (over-long path)", EINVAL, r_path_long),
    R("path", "ng_path_resolve(\"a:o\\tut\") (control char in hook)", EINVAL, r_path_badchar),
    R("path", "ng_path_resolve(\"a:nosuch\") (unknown hook)", ENOENT, r_path_nohook),
    R("path", "ng_path_resolve(\"a:out.nosuch\") (unknown hook after a hop)", ENOENT,
      r_path_unconnected),
    R("path", "ng_path_resolve(\"[id]:\") of a shut-down node", ENOENT, r_path_deadid),
    R("path", "ng_path_resolve(g, NULL, NULL, NULL, NULL)", EINVAL, r_path_null),
    R("name", "ng_node_name(c, \"b\") (duplicate node name)", EADDRINUSE, r_name_dup),
    R("name", "ng_node_name(\"bad name\") (space)", EINVAL, r_name_space),
    R("name", "ng_node_name(\"bad\\x01\") (control character)", EINVAL, r_name_ctrl),
    R("name", "ng_node_name(\"caf\\xc3\\xa9\") (non-ASCII)", EINVAL, r_name_high),
    R("name", "ng_node_name(\"x:\") (colon)", EINVAL, r_name_colon),
    R("name", "ng_node_name(\"[1]\") (id syntax)", EINVAL, r_name_bracket),
    R("name", "ng_node_name(<NG_NODESIZ chars>) (over-long)", EINVAL, r_name_long),
    R("name", "ng_node_name(\"\") (empty)", EINVAL, r_name_empty),
    R("name", "ng_node_name(c, NULL)", EINVAL, r_name_null),
    R("name", "ng_node_name(NULL, \"x\")", EINVAL, r_name_nullnode),
    R("name", "ng_node_name() on a shut-down node", ESHUTDOWN, r_name_dead),
    R("type", "ng_node_create(\"nosuchtype\") (unknown type)", ENOENT, r_create_unknown),
    R("type", "ng_node_create(g, NULL)", EINVAL, r_create_null),
    R("type", "ng_type_register() of a registered name", EEXIST, r_type_dup),
    R("type", "ng_type_register() of a registered cookie", EEXIST, r_type_dupcookie),
    R("type", "ng_type_register() with version 99", EINVAL, r_type_badversion),
    R("type", "ng_type_register() with name \"a.b\"", EINVAL, r_type_badname),
    R("type", "ng_type_unregister(\"hole\") while hole nodes exist", EBUSY, r_type_unreg_busy),
    R("type", "ng_type_unregister(\"nosuchtype\")", ENOENT, r_type_unreg_unknown),
    R("hook", "ng_connect(a, \"out\", c, \"x\") (hook name taken)", EEXIST, r_connect_taken),
    R("hook", "ng_connect(a, \"out\", b, \"in\") (already connected pair)", EEXIST,
      r_connect_double),
    R("hook", "ng_connect(c, \"x\", c, \"y\") (hook to own node)", EINVAL, r_connect_self),
    R("hook", "ng_connect(\"bad.hook\") (invalid hook name)", EINVAL, r_connect_badhook),
    R("hook", "ng_connect(<NG_NODESIZ chars> hook name)", EINVAL, r_connect_longhook),
    R("hook", "ng_connect(\"\") (empty hook name)", EINVAL, r_connect_emptyhook),
    R("hook", "ng_connect() to a shut-down node", ESHUTDOWN, r_connect_dead),
    R("hook", "ng_connect() to a node of another graph", EXDEV, r_connect_xgraph),
    R("hook", "ng_connect(c, \"x\", NULL, \"y\")", EINVAL, r_connect_null),
    R("hook", "ng_mkpeer(type \"nosuchtype\")", ENOENT, r_mkpeer_unknown),
    R("hook", "ng_mkpeer(a, \"out\", ...) (our hook taken)", EEXIST, r_mkpeer_taken),
    R("hook", "ng_mkpeer() on a shut-down node", ESHUTDOWN, r_mkpeer_dead),
    R("hook", "ng_mkpeer(peerhook \"y:z\")", EINVAL, r_mkpeer_badhook),
    R("hook", "ng_rmhook(\"nosuch\")", ENOENT, r_rmhook_nosuch),
    R("hook", "ng_rmhook(\"bad:name\")", EINVAL, r_rmhook_bad),
    R("hook", "ng_hook_find(\"o[ut\")", EINVAL, r_hookfind_bad),
    R("hook", "ng_hook_find(\"nosuch\")", ENOENT, r_hookfind_nosuch),
    R("node", "ng_node_shutdown() twice (double shutdown)", ESHUTDOWN, r_shutdown_double),
    R("node", "ng_node_shutdown(NULL)", EINVAL, r_shutdown_null),
    R("data", "ng_send_data() on a removed hook (item dropped, counted)", ENOTCONN, r_send_stale),
    R("data", "ng_send_data(NULL, item) (item freed)", EINVAL, r_send_nullhook),
    R("data", "ng_send_data(hook, NULL)", EINVAL, r_send_nullitem),
    R("data", "ng_inject_data(c, \"nosuch\") (item dropped, counted)", ENOENT, r_inject_nosuch),
    R("data", "ng_item_alloc(1 MiB) beyond the buffer size: NULL, counted", ENOBUFS,
      r_item_oversize),
    R("data", "ng_item_alloc() past item_limit 100: exactly 100 items, then NULL, counted", ENOBUFS,
      r_item_limit),
    R("timer", "ng_timer_arm() with a removed hook", ENOTCONN, r_timer_stalehook),
    R("timer", "ng_timer_arm(delay UINT64_MAX): saturates, stays pending, never fires", 0,
      r_timer_far),
    R("data", "ng_send_fn(NG_FN_WAIT) to a shut-down node (fn not run)", ESHUTDOWN, r_fn_dead),
    R("data", "ng_send_fn(fn NULL)", EINVAL, r_fn_null),
    R("data", "ng_send_fn() with a hook of another node (fn not run)", EINVAL, r_fn_foreignhook),
    R("msg", "generic message with unknown command 999", EINVAL, r_msg_unknown_generic),
    R("msg", "message with an unknown type cookie", EINVAL, r_msg_unknown_cookie),
    R("msg", "non-generic message to a type without rcvmsg", EINVAL, r_msg_notype_rcvmsg),
    R("msg", "arguments shorter than the cmdlist's min_arglen", EINVAL, r_msg_cmdlist_short),
    R("msg", "response (NGF_RESP) with an unknown token", EINVAL, r_msg_resp_unknown_token),
    R("msg", "NGM_NAME with truncated arguments (4 bytes)", EINVAL, r_msg_name_short),
    R("msg", "NGM_NAME with an unterminated name field", EINVAL, r_msg_name_unterminated),
    R("msg", "NGM_NAME with a taken name", EADDRINUSE, r_msg_name_dup),
    R("msg", "NGM_MKPEER with truncated arguments", EINVAL, r_msg_mkpeer_short),
    R("msg", "NGM_MKPEER of an unknown type", ENOENT, r_msg_mkpeer_unknown),
    R("msg", "NGM_CONNECT to an unknown path", ENOENT, r_msg_connect_nopath),
    R("msg", "NGM_CONNECT to \".\" (hook to self)", EINVAL, r_msg_connect_self),
    R("msg", "NGM_CONNECT of an already connected pair", EEXIST, r_msg_connect_double),
    R("msg", "NGM_RMHOOK of an unknown hook", ENOENT, r_msg_rmhook_nosuch),
    R("msg", "NGM_MKPEER whose type field has no NUL in its 32 bytes", EINVAL,
      r_msg_mkpeer_type_unterminated),
    R("msg", "NGM_CONNECT with truncated arguments", EINVAL, r_msg_connect_short),
    R("msg", "NGM_RMHOOK with 3 argument bytes", EINVAL, r_msg_rmhook_short),
    R("ascii", "NGM_ASCII2BINARY shorter than a message header", EINVAL, r_a2b_short),
    R("ascii", "NGM_ASCII2BINARY whose inner arglen passes its argument", EINVAL,
      r_a2b_lying_arglen),
    R("ascii", "NGM_ASCII2BINARY of an unknown command name", ENOSYS, r_a2b_unknown),
    R("ascii", "NGM_ASCII2BINARY with malformed text", EINVAL, r_a2b_syntax),
    R("ascii", "NGM_BINARY2ASCII of a nodeinfo response 4 bytes long", EMSGSIZE, r_b2a_short),
    R("ascii", "NGM_BINARY2ASCII whose inner arglen passes its argument", EINVAL,
      r_b2a_lying_arglen),
    R("ascii", "NGM_BINARY2ASCII of an unknown command", ENOSYS, r_b2a_unknown),
    R("ascii", "NGM_BINARY2ASCII of a hole command sent to an echo node", ENOSYS, r_b2a_other_type),
    R("msg", "NGM_HOLE_GET_STATS of an unknown hook", ENOENT, r_hole_nohook),
    R("msg", "NGM_HOLE_CLR_STATS of an unknown hook", ENOENT, r_hole_clr_nohook),
    R("msg", "NGM_HOLE_GET_STATS with an unterminated hook name", EINVAL, r_hole_unterminated),
    R("msg", "NGM_HOLE_GETCLR_STATS without argument", EINVAL, r_hole_noarg),
    R("ascii", "ng_send_ascii(\"mkpeer { type=... \") (unbalanced braces)", EINVAL,
      r_ascii_unbalanced),
    R("ascii", "ng_send_ascii(\"mkpeer { kind=... }\") (unknown field)", ENOENT,
      r_ascii_unknown_field),
    R("ascii", "ng_send_ascii(\"name { name=.. name=.. }\") (field twice)", EALREADY,
      r_ascii_field_twice),
    R("ascii", "ng_send_ascii(name of 34 characters) (string too long)", E2BIG,
      r_ascii_string_long),
    R("ascii", "ng_send_ascii(\"binary2ascii { version=256 }\") (number out of range)", EINVAL,
      r_ascii_number_range),
    R("ascii", "ng_send_ascii(\"... data=[ 1 2 3 ]\" with arglen=2) (array index too large)", E2BIG,
      r_ascii_index_big),
    R("ascii", "ng_send_ascii(\"name { ... } }\") (trailing garbage)", EINVAL, r_ascii_trailing),
    R("ascii", "ng_send_ascii(\"nodeinfo 1\") (argument to a command without one)", EINVAL,
      r_ascii_noargs_given),
    R("ascii", "ng_send_ascii(\"\") (empty input)", EINVAL, r_ascii_empty),
    R("ascii", "ng_send_ascii(\"mkpeer\") (empty arguments)", EINVAL, r_ascii_empty_args),
    R("ascii", "ng_send_ascii(\"getstats\") to an echo node (unknown command)", ENOSYS,
      r_ascii_unknown_cmd),
    R("ascii", "ng_send_ascii(command word of 34 characters)", EINVAL, r_ascii_long_cmd),
    R("ascii", "ng_send_ascii(\"mkpeer \" + 64 KiB of nesting, 32 Ki levels)", EINVAL,
      r_ascii_nesting),
    R("ascii", "ng_send_ascii() with arguments over NG_MAX_MSG_ARGLEN", EMSGSIZE, r_ascii_too_long),
    R("ascii", "ng_send_ascii(\"mkpeer { type=\"nosuchtype\" ... }\")", ENOENT,
      r_ascii_mkpeer_unknown_type),
    R("ascii", "ng_parse(ipaddr, \"10.0.0.256\") (bad address)", EINVAL, r_parse_bad_ipaddr),
    R("ascii", "ng_parse(enaddr, \"00:11:22:33:44:gg\") (bad address)", EINVAL, r_parse_bad_enaddr),
    R("msg", "message to the id of a shut-down node", ENOENT, r_msg_dead),
    R("msg", "header arglen NG_MAX_MSG_ARGLEN+1 (oversize)", EMSGSIZE, r_msg_oversize),
    R("msg", "ng_mesg_alloc(NG_MAX_MSG_ARGLEN+1): NULL", EMSGSIZE, r_msg_alloc_oversize),
    R("msg", "NGM_NAME allocated with 4 bytes, header arglen raised past the allocation", EMSGSIZE,
      r_msg_arglen_forged),
    R("msg", "ng_send_msg_hook() with header arglen raised past the allocation", EMSGSIZE,
      r_msghook_arglen_forged),
    R("msg", "header version NG_VERSION+1", EINVAL, r_msg_badversion),
    R("msg", "header flags 0x80 (unknown flag)", EINVAL, r_msg_badflags),
    R("msg", "cmdstr without NUL", EINVAL, r_msg_cmdstr),
    R("msg", "ng_send_msg(path NULL)", EINVAL, r_msg_nullpath),
    R("msg", "ng_send_msg(msg NULL)", EINVAL, r_msg_nullmsg),
    R("msg", "ng_send_msg(from node, resp != NULL)", EINVAL, r_msg_resp_from_node),
    R("msg", "ng_send_msg(from a node of another graph)", EINVAL, r_msg_xgraph_from),
    R("msg", "ng_send_msg_hook() on a removed hook", ENOTCONN, r_msghook_stale),
    R("msg", "ng_mesg_check(len < header)", EINVAL, r_check_short),
    R("msg", "ng_mesg_check(arglen > bytes available) (truncated)", EMSGSIZE, r_check_truncated),
    R("msg", "ng_respond() with a data item", EINVAL, r_respond_notmsg),
    R("graph", "ng_backend_parse(\"nosuch\")", EINVAL, r_backend_parse),
    R("graph", "ng_graph_create(backend 7)", EINVAL, r_graph_badbackend),
    R("graph", "ng_graph_create(headroom >= bufsize)", EINVAL, r_graph_badheadroom),
    R("batch", "ng_batch_quiescent() with no batch open", EINVAL, r_quiescent_nobatch),
    R("batch", "ng_batch_quiescent() inside nested batches", EBUSY, r_quiescent_nested),
    R("batch", "ng_batch_end() with no batch open", EINVAL, r_batch_end_nobatch),
    R("counter", "ng_pcounter_snapshot(first 2, n 3) of a 4-counter set", EINVAL, r_pcounter_range),
    R("counter", "ng_pcounter_snapshot(out NULL, clear false)", EINVAL, r_pcounter_noout),
    R("counter", "ng_pcounter_create(0 counters)", EINVAL, r_pcounter_zero),
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* Which rows may legitimately change drop counters (the item is counted). */
static void test_bad_inputs(void **state)
{
    struct fx *f = *state;
    fill_long();
    int failed = 0;
    for (size_t i = 0; i < NROWS; i++) {
        const struct row *r = &rows[i];
        struct ng_graph_stats st0, st1;
        char *before = graph_snapshot(f->g, "a:");
        ng_graph_stats(f->g, &st0);
        int rc = r->fn(f);
        ng_graph_barrier(f->g);
        ng_graph_stats(f->g, &st1);
        char *after = graph_snapshot(f->g, "a:");
        if (rc != r->expect) {
            fprintf(stderr, "row %zu [%s] %s: got %d (%s), expected %d (-%s)\n", i, r->area,
                    r->input, rc, rc < 0 ? strerror(-rc) : "ok", r->expect, r->errname);
            failed++;
        }
        if (strcmp(before, after) != 0) {
            fprintf(stderr, "row %zu [%s] %s: graph changed\n--- before\n%s--- after\n%s", i,
                    r->area, r->input, before, after);
            failed++;
        }
        if (st0.nodes != st1.nodes || st0.hooks != st1.hooks || st1.items_live != st0.items_live) {
            fprintf(stderr,
                    "row %zu %s: counters changed: nodes %llu->%llu hooks %llu->%llu "
                    "items_live %llu->%llu\n",
                    i, r->input, (unsigned long long)st0.nodes, (unsigned long long)st1.nodes,
                    (unsigned long long)st0.hooks, (unsigned long long)st1.hooks,
                    (unsigned long long)st0.items_live, (unsigned long long)st1.items_live);
            failed++;
        }
        free(before);
        free(after);
    }
    if (getenv("NG_BADINPUT_TABLE")) {
        printf("| # | area | bad input | returns |\n|---|---|---|---|\n");
        for (size_t i = 0; i < NROWS; i++)
            printf("| %zu | %s | `%s` | `%s%s` |\n", i + 1, rows[i].area, rows[i].input,
                   rows[i].expect ? "-" : "", rows[i].errname);
    }
    fprintf(stderr, "bad-input table: %zu rows, %d failure(s)\n", NROWS, failed);
    assert_int_equal(failed, 0);
    assert_true(NROWS >= 30);
}

/* The stale / dead objects really are what the rows assume, and a valid
 * request still works after the whole table ran (nothing got wedged). */
static void test_graph_still_usable(void **state)
{
    struct fx *f = *state;
    assert_false(ng_node_is_valid(f->dead));
    assert_false(ng_hook_is_valid(f->stale));
    uint64_t before = ngtest_counter_get(f->b);
    assert_int_equal(ng_send_data(f->aout, ngtest_item(f->g, 16, 1)), 0);
    assert_int_equal(ngtest_counter_get(f->b), before + 1);
    struct ng_mesg *m = gmsg(NGM_NAME, sizeof(struct ngm_name));
    strcpy(((struct ngm_name *)(void *)m->data)->name, "c2");
    assert_int_equal(msg_rc(f->g, "c:", m), 0);
    m = gmsg(NGM_NAME, sizeof(struct ngm_name));
    strcpy(((struct ngm_name *)(void *)m->data)->name, "c");
    assert_int_equal(msg_rc(f->g, "c2:", m), 0);
    /* The snapshot does see changes (guards against a vacuous comparison). */
    char *s0 = graph_snapshot(f->g, "a:");
    assert_int_equal(ng_connect(f->c, "x", f->s, "y"), 0);
    char *s1 = graph_snapshot(f->g, "a:");
    assert_string_not_equal(s0, s1);
    assert_int_equal(ng_rmhook(f->c, "x"), 0);
    ng_graph_barrier(f->g);
    char *s2 = graph_snapshot(f->g, "a:");
    assert_string_equal(s0, s2);
    free(s0);
    free(s1);
    free(s2);
    struct ng_graph_stats st;
    ng_graph_barrier(f->g);
    ng_graph_stats(f->g, &st);
    assert_int_equal(st.items_live, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_graph_still_usable),
    };
    return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
