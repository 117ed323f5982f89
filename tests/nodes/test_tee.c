/*
 * test_tee.c - the tee type against ng_tee(4) (docs/nodes/tee.md): where
 * data from each hook goes, the tap getting the original when the main side
 * is missing, statistics (and a new hook's starting at zero), flow-control
 * messages forwarded with the sender's address, and shutdown splicing left
 * and right together (ng_bypass), also with two tees in a row, a persistent
 * tee, and traffic flowing while it happens (nothing lost uncounted).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ngtest.h"
#include <ngraph/message.h>
#include <ngraph/nodes.h>
#include <ngraph/parse.h>

/* tee with a counter on each of its four hooks (counter hook "in"). */
struct teefix {
    struct ng_node *tee, *cnt[4]; /* right, left, right2left, left2right */
};
static const char *const hooks[4] = {"right", "left", "right2left", "left2right"};

static void teefix_make(struct ng_graph *g, struct teefix *f, unsigned mask)
{
    assert_int_equal(ng_node_create(g, "tee", &f->tee), 0);
    for (int i = 0; i < 4; i++) {
        f->cnt[i] = NULL;
        if (!(mask & (1u << i)))
            continue;
        assert_int_equal(ng_node_create(g, "counter", &f->cnt[i]), 0);
        assert_int_equal(ng_connect(f->tee, hooks[i], f->cnt[i], "in"), 0);
    }
}

static void teefix_release(struct teefix *f)
{
    ng_node_unref(f->tee);
    for (int i = 0; i < 4; i++)
        ng_node_unref(f->cnt[i]);
}

static uint64_t cnt(struct teefix *f, int i)
{
    return f->cnt[i] ? ngtest_counter_get(f->cnt[i]) : 0;
}

static void inject(struct ng_graph *g, struct ng_node *n, const char *hook, uint32_t len)
{
    assert_int_equal(ng_inject_data(n, hook, ngtest_item(g, len, 0x5a)), 0);
}

/* ng_tee(4): right -> left + right2left; left -> right + left2right;
 * right2left -> right; left2right -> left. */
static void test_directions(void **state)
{
    struct ng_graph *g = *state;
    struct teefix f;
    teefix_make(g, &f, 0xf);
    inject(g, f.tee, "right", 10);
    assert_int_equal(cnt(&f, 1), 1); /* left */
    assert_int_equal(cnt(&f, 2), 1); /* right2left */
    assert_int_equal(cnt(&f, 0) + cnt(&f, 3), 0);
    inject(g, f.tee, "left", 20);
    assert_int_equal(cnt(&f, 0), 1); /* right */
    assert_int_equal(cnt(&f, 3), 1); /* left2right */
    inject(g, f.tee, "right2left", 30);
    assert_int_equal(cnt(&f, 0), 2); /* out right */
    assert_int_equal(cnt(&f, 1), 1);
    inject(g, f.tee, "left2right", 40);
    assert_int_equal(cnt(&f, 1), 2); /* out left */
    assert_int_equal(cnt(&f, 0), 2);

    /* Statistics: per hook, in and out. */
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(g, "[0]:", 0, 0, NULL), -EINVAL); /* no such node 0 */
    char path[32];
    snprintf(path, sizeof(path), "[%x]:", ng_node_id(f.tee));
    assert_int_equal(ngtest_msg(g, path, NGM_TEE_COOKIE, NGM_TEE_GET_STATS, &r), 0);
    assert_int_equal(r->header.arglen, sizeof(struct ng_tee_stats));
    const struct ng_tee_stats *st = (const void *)r->data;
    assert_int_equal(st->right.inFrames, 1);
    assert_int_equal(st->right.inOctets, 10);
    assert_int_equal(st->right.outFrames, 2); /* from left and from right2left */
    assert_int_equal(st->right.outOctets, 20 + 30);
    assert_int_equal(st->left.inFrames, 1);
    assert_int_equal(st->left.outFrames, 2);
    assert_int_equal(st->right2left.inFrames, 1);
    assert_int_equal(st->right2left.outFrames, 1); /* the copy of right's */
    assert_int_equal(st->left2right.inFrames, 1);
    assert_int_equal(st->left2right.outOctets, 20);
    ng_mesg_free(r);
    /* getclrstats returns then clears; a re-made hook starts at zero. */
    assert_int_equal(ngtest_msg(g, path, NGM_TEE_COOKIE, NGM_TEE_GETCLR_STATS, &r), 0);
    assert_int_equal(((const struct ng_tee_stats *)(const void *)r->data)->left.inFrames, 1);
    ng_mesg_free(r);
    inject(g, f.tee, "left", 5);
    assert_int_equal(ng_rmhook(f.tee, "left"), 0);
    assert_int_equal(ng_connect(f.tee, "left", f.cnt[1], "in"), 0);
    assert_int_equal(ngtest_msg(g, path, NGM_TEE_COOKIE, NGM_TEE_GET_STATS, &r), 0);
    st = (const void *)r->data;
    assert_int_equal(st->left.inFrames, 0);
    assert_int_equal(st->right.outFrames, 1);
    ng_mesg_free(r);
    assert_int_equal(ngtest_msg(g, path, NGM_TEE_COOKIE, NGM_TEE_CLR_STATS, NULL), 0);
    assert_int_equal(ngtest_msg(g, path, NGM_TEE_COOKIE, 99, NULL), -EINVAL);
    /* ASCII forms. */
    char *text = NULL;
    inject(g, f.tee, "right2left", 3);
    assert_int_equal(ng_send_ascii(g, path, "getstats", &text), 0);
    assert_non_null(strstr(text, "right2left="));
    assert_non_null(strstr(text, "inFrames=1"));
    free(text);
    /* Bad hook names. */
    struct ng_node *h;
    assert_int_equal(ng_node_create(g, "hole", &h), 0);
    assert_int_equal(ng_connect(f.tee, "middle", h, "x"), -EINVAL);
    assert_int_equal(ng_connect(f.tee, "left", h, "x"), -EEXIST);
    ng_node_unref(h);
    teefix_release(&f);
}

/* With only the tap connected, the tap gets the original (FreeBSD's dest). */
static void test_tap_only(void **state)
{
    struct ng_graph *g = *state;
    struct teefix f;
    teefix_make(g, &f, (1u << 0) | (1u << 2)); /* right, right2left */
    struct ng_graph_stats before, after;
    ng_graph_stats(g, &before);
    inject(g, f.tee, "right", 8);
    assert_int_equal(cnt(&f, 2), 1);
    ng_graph_stats(g, &after);
    assert_int_equal(ngtest_drops(&after), ngtest_drops(&before)); /* not dropped */
    /* Data from left2right with no left: dropped and counted. */
    struct teefix f2;
    teefix_make(g, &f2, 1u << 3);
    assert_int_equal(ng_inject_data(f2.tee, "left2right", ngtest_item(g, 8, 0)), -ENOTCONN);
    ng_graph_stats(g, &after);
    assert_int_equal(ngtest_drops(&after), ngtest_drops(&before) + 1);
    teefix_release(&f);
    teefix_release(&f2);
}

/* src(hole) out -> tee left ; tee right -> counter in. */
static void splice_fix(struct ng_graph *g, struct ng_node **src, struct ng_node **tee,
                       struct ng_node **c, struct ng_hook **out)
{
    assert_int_equal(ng_node_create(g, "hole", src), 0);
    assert_int_equal(ng_node_create(g, "tee", tee), 0);
    assert_int_equal(ng_node_create(g, "counter", c), 0);
    assert_int_equal(ng_connect(*src, "out", *tee, "left"), 0);
    assert_int_equal(ng_connect(*tee, "right", *c, "in"), 0);
    assert_int_equal(ng_hook_find(*src, "out", out), 0);
}

static void test_shutdown_splices(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *src, *tee, *c;
    struct ng_hook *out;
    splice_fix(g, &src, &tee, &c, &out);
    assert_int_equal(ng_node_name(tee, "t"), 0);
    assert_int_equal(ng_send_data(out, ngtest_item(g, 4, 0)), 0);
    assert_int_equal(ngtest_counter_get(c), 1);
    /* A tap does not prevent the splice. */
    struct ng_node *tap;
    assert_int_equal(ng_node_create(g, "counter", &tap), 0);
    assert_int_equal(ng_connect(tee, "left2right", tap, "in"), 0);
    assert_int_equal(ngtest_msg(g, "t:", NGM_GENERIC_COOKIE, NGM_SHUTDOWN, NULL), 0);
    struct ng_node *f;
    assert_int_equal(ng_node_find(g, "t:", &f), -ENOENT);
    /* src and c are neighbours now: same hook objects, data flows. */
    assert_int_equal(ng_send_data(out, ngtest_item(g, 4, 0)), 0);
    assert_int_equal(ngtest_counter_get(c), 2);
    assert_int_equal(ngtest_counter_get(tap), 0);
    struct ng_hook *peer = ng_hook_peer(out);
    assert_non_null(peer);
    assert_ptr_equal(ng_hook_node(peer), c);
    assert_string_equal(ng_hook_name(peer), "in");
    assert_int_equal(ng_node_numhooks(src), 1);
    assert_int_equal(ng_node_numhooks(c), 1);
    assert_int_equal(ng_node_numhooks(tap), 0);
    /* The generic messages and paths see the real peer. */
    assert_int_equal(ng_node_name(c, "c"), 0);
    assert_int_equal(ng_node_name(src, "s"), 0);
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(g, "s:", NGM_GENERIC_COOKIE, NGM_LISTHOOKS, &r), 0);
    const struct hooklist *hl = (const void *)r->data;
    assert_int_equal(hl->nodeinfo.hooks, 1);
    assert_string_equal(hl->link[0].peerhook, "in");
    assert_int_equal(hl->link[0].nodeinfo.id, ng_node_id(c));
    ng_mesg_free(r);
    struct ng_node *viapath;
    struct ng_hook *lasthook;
    assert_int_equal(ng_path_resolve(g, NULL, "s:out", &viapath, &lasthook), 0);
    assert_ptr_equal(viapath, c);
    ng_node_unref(viapath);
    ng_hook_unref(lasthook);
    /* Removing the link at one end removes it at the other. */
    assert_int_equal(ng_rmhook(c, "in"), 0);
    assert_int_equal(ng_node_numhooks(c), 0);
    assert_false(ng_hook_is_valid(out));
    assert_int_equal(ng_send_data(out, ngtest_item(g, 4, 0)), -ENOTCONN);
    ng_hook_unref(out);
    assert_int_equal(ng_graph_barrier(g), 0);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(st.hooks, 0);
    ng_node_unref(src);
    ng_node_unref(tee);
    ng_node_unref(c);
    ng_node_unref(tap);
}

/* Two tees in a row, both shut down: the relays chain. */
static void test_two_tees(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *src, *t1, *t2, *c;
    assert_int_equal(ng_node_create(g, "hole", &src), 0);
    assert_int_equal(ng_node_create(g, "tee", &t1), 0);
    assert_int_equal(ng_node_create(g, "tee", &t2), 0);
    assert_int_equal(ng_node_create(g, "counter", &c), 0);
    assert_int_equal(ng_connect(src, "out", t1, "left"), 0);
    assert_int_equal(ng_connect(t1, "right", t2, "left"), 0);
    assert_int_equal(ng_connect(t2, "right", c, "in"), 0);
    struct ng_hook *out;
    assert_int_equal(ng_hook_find(src, "out", &out), 0);
    assert_int_equal(ng_node_shutdown(t1), 0);
    assert_int_equal(ng_node_shutdown(t2), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ng_send_data(out, ngtest_item(g, 4, 0)), 0);
    assert_int_equal(ngtest_counter_get(c), 3);
    assert_ptr_equal(ng_hook_node(ng_hook_peer(out)), c);
    /* Counter sends back: reaches src (a hole, counts it). */
    struct ng_hook *in;
    assert_int_equal(ng_hook_find(c, "in", &in), 0);
    assert_int_equal(ng_send_data(in, ngtest_item(g, 4, 0)), 0);
    struct ng_mesg *m = ng_mesg_alloc(NGM_HOLE_COOKIE, NGM_HOLE_GET_STATS, NG_HOOKSIZ);
    strcpy(m->data, "out");
    assert_int_equal(ng_node_name(src, "src"), 0);
    struct ng_mesg *r = NULL;
    assert_int_equal(ng_send_msg(g, NULL, "src:", m, &r), 0);
    assert_int_equal(((const struct ng_hole_hookstat *)(const void *)r->data)->frames, 1);
    ng_mesg_free(r);
    ng_hook_unref(in);
    /* Shutting the far end down removes the whole chain. */
    assert_int_equal(ng_node_shutdown(c), 0);
    assert_false(ng_hook_is_valid(out));
    ng_hook_unref(out);
    assert_int_equal(ng_graph_barrier(g), 0);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(st.hooks, 0);
    ng_node_unref(src);
    ng_node_unref(t1);
    ng_node_unref(t2);
    ng_node_unref(c);
}

/* A persistent tee revives: same name, no hooks, zero counters, neighbours
 * spliced. */
static void test_persistent(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *src, *tee, *c;
    struct ng_hook *out;
    splice_fix(g, &src, &tee, &c, &out);
    ng_node_set_persistent(tee, 1);
    assert_int_equal(ng_node_name(tee, "pt"), 0);
    assert_int_equal(ng_send_data(out, ngtest_item(g, 4, 0)), 0);
    assert_int_equal(ng_node_shutdown(tee), 0);
    assert_true(ng_node_is_valid(tee));
    assert_int_equal(ng_node_numhooks(tee), 0);
    assert_int_equal(ng_send_data(out, ngtest_item(g, 4, 0)), 0);
    assert_int_equal(ngtest_counter_get(c), 2);
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(g, "pt:", NGM_TEE_COOKIE, NGM_TEE_GET_STATS, &r), 0);
    assert_int_equal(((const struct ng_tee_stats *)(const void *)r->data)->left.inFrames, 0);
    ng_mesg_free(r);
    /* Usable again. */
    struct ng_node *c2;
    assert_int_equal(ng_node_create(g, "counter", &c2), 0);
    assert_int_equal(ng_connect(tee, "left2right", c2, "in"), 0);
    assert_int_equal(ng_inject_data(tee, "left2right", ngtest_item(g, 4, 0)), -ENOTCONN);
    ng_hook_unref(out);
    ng_node_unref(src);
    ng_node_unref(tee);
    ng_node_unref(c);
    ng_node_unref(c2);
}

/* A probe type for flow-control messages: records what it got. */
static struct {
    _Atomic int got, resp;
    ng_id_t sender;
    char lasthook[NG_HOOKSIZ];
} probe;

static int probe_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)node;
    struct ng_mesg *m = ng_item_msg(item);
    if (m->header.flags & NGF_RESP) {
        probe.sender = ng_item_msg_sender(item);
        atomic_fetch_add(&probe.resp, 1);
        ng_item_free(item);
        return 0;
    }
    probe.sender = ng_item_msg_sender(item);
    snprintf(probe.lasthook, sizeof(probe.lasthook), "%s", lasthook ? ng_hook_name(lasthook) : "");
    atomic_fetch_add(&probe.got, 1);
    struct ng_mesg *r = ng_mesg_response(m, 4);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    memcpy(r->data, "ack", 4);
    return ng_respond(item, 0, r);
}

static const struct ng_type probe_type = {
    .version = NG_ABI_VERSION,
    .name = "flowprobe",
    .cookie = 0x7e57f10u,
    .rcvmsg = probe_rcvmsg,
};

static void test_flow_forwarded(void **state)
{
    struct ng_graph *g = *state;
    memset(&probe, 0, sizeof(probe));
    assert_int_equal(ng_type_register(g, &probe_type), 0);
    struct ng_node *a, *tee, *b;
    assert_int_equal(ng_node_create(g, "flowprobe", &a), 0);
    assert_int_equal(ng_node_create(g, "tee", &tee), 0);
    assert_int_equal(ng_node_create(g, "flowprobe", &b), 0);
    assert_int_equal(ng_node_name(a, "pa"), 0);
    assert_int_equal(ng_node_name(tee, "ft"), 0);
    assert_int_equal(ng_connect(a, "x", tee, "left"), 0);
    assert_int_equal(ng_connect(tee, "right", b, "y"), 0);
    /* From node a out of its hook: tee forwards it to b, which answers a. */
    struct ng_hook *x;
    assert_int_equal(ng_hook_find(a, "x", &x), 0);
    assert_int_equal(ng_send_msg_hook(x, ng_mesg_alloc(NGM_FLOW_COOKIE, NGM_LINK_IS_UP, 0)), 0);
    assert_int_equal(atomic_load(&probe.got), 1);
    assert_string_equal(probe.lasthook, "y");
    assert_int_equal(atomic_load(&probe.resp), 1);
    assert_int_equal(probe.sender, ng_node_id(b)); /* the response came from b, to a */
    /* A synchronous sender addressing the tee through a's hook: the answer
     * of the final recipient comes back to it. */
    struct ng_mesg *r = NULL;
    assert_int_equal(
        ng_send_msg(g, NULL, "pa:x", ng_mesg_alloc(NGM_FLOW_COOKIE, NGM_LINK_IS_DOWN, 0), &r), 0);
    assert_non_null(r);
    assert_string_equal(r->data, "ack");
    assert_int_equal(r->header.cmd, NGM_LINK_IS_DOWN);
    ng_mesg_free(r);
    assert_int_equal(atomic_load(&probe.got), 2);
    /* Addressed to the tee itself (no hook): accepted, not forwarded. */
    assert_int_equal(ngtest_msg(g, "ft:", NGM_FLOW_COOKIE, NGM_LINK_IS_UP, NULL), 0);
    assert_int_equal(atomic_load(&probe.got), 2);
    ng_hook_unref(x);
    ng_node_unref(a);
    ng_node_unref(tee);
    ng_node_unref(b);
}

/* ng_bypass's bad input. */
static void test_bypass_badinput(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *src, *tee, *c;
    struct ng_hook *out, *l, *rt;
    splice_fix(g, &src, &tee, &c, &out);
    assert_int_equal(ng_hook_find(tee, "left", &l), 0);
    assert_int_equal(ng_hook_find(tee, "right", &rt), 0);
    assert_int_equal(ng_bypass(NULL, rt), -EINVAL);
    assert_int_equal(ng_bypass(l, NULL), -EINVAL);
    assert_int_equal(ng_bypass(l, l), -EINVAL);
    assert_int_equal(ng_bypass(l, out), -EINVAL); /* hooks of two nodes */
    assert_int_equal(ng_bypass(l, rt), 0);
    assert_int_equal(ng_bypass(l, rt), -ENOTCONN); /* already bypassed */
    assert_int_equal(ng_node_numhooks(tee), 0);
    assert_true(ng_node_is_valid(tee) == 0); /* tee shut down with its last hook */
    assert_int_equal(ng_send_data(out, ngtest_item(g, 4, 0)), 0);
    assert_int_equal(ngtest_counter_get(c), 1);
    ng_hook_unref(l);
    ng_hook_unref(rt);
    ng_hook_unref(out);
    ng_node_unref(src);
    ng_node_unref(tee);
    ng_node_unref(c);
}

/* Traffic through the tee while it is shut down: every item sent is either
 * counted by the counter or counted as a drop. */
struct sender {
    struct ng_graph *g;
    struct ng_hook *out;
    _Atomic int stop;
    _Atomic uint64_t sent;
};

static void *send_loop(void *arg)
{
    struct sender *s = arg;
    for (int i = 0; i < 2000000 && !atomic_load(&s->stop); i++) {
        struct ng_item *it = ng_item_alloc(s->g, 16);
        if (!it)
            continue;
        (void)ng_send_data(s->out, it);
        atomic_fetch_add(&s->sent, 1);
    }
    ng_thread_unregister(s->g);
    return NULL;
}

static void test_splice_under_traffic(void **state)
{
    struct ng_graph *g = *state;
    for (int round = 0; round < 4; round++) {
        struct ng_node *src, *tee, *c;
        struct ng_hook *out;
        splice_fix(g, &src, &tee, &c, &out);
        struct ng_graph_stats before;
        ng_graph_stats(g, &before);
        struct sender s = {.g = g, .out = out};
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, send_loop, &s), 0);
        /* Bounded waits: traffic before the splice and after it, however
         * loaded the machine is (at most 2 s each). */
        struct timespec ts = {0, 1000 * 1000};
        for (int i = 0; i < 2000 && atomic_load(&s.sent) < 300; i++)
            nanosleep(&ts, NULL);
        assert_int_equal(ng_node_shutdown(tee), 0);
        uint64_t at = atomic_load(&s.sent);
        for (int i = 0; i < 2000 && atomic_load(&s.sent) < at + 300; i++)
            nanosleep(&ts, NULL);
        atomic_store(&s.stop, 1);
        pthread_join(th, NULL);
        assert_int_equal(ng_graph_barrier(g), 0);
        struct ng_graph_stats after;
        ng_graph_stats(g, &after);
        uint64_t drops = ngtest_drops(&after) - ngtest_drops(&before);
        assert_int_equal(ngtest_counter_get(c) + drops, atomic_load(&s.sent));
        assert_true(ngtest_counter_get(c) > 0);
        ng_hook_unref(out);
        ng_node_shutdown(c);
        ng_node_unref(src);
        ng_node_unref(tee);
        ng_node_unref(c);
    }
}

/* docs/nodes/tee.md ERRORS: the rows the tests above do not reach.  A
 * copy for a tap that cannot be allocated (a graph whose item limit is
 * reached) is counted and the original still goes on; messages of another
 * cookie, responses and unknown ASCII commands; a flow message from a tap;
 * and the shut-down node. */
static void test_bad_input_rest(void **state)
{
    struct ng_graph *g = *state;
    struct ng_graph_config cfg;
    ngtest_graph_config(&cfg);
    cfg.item_limit = 1;
    struct ng_graph *g1 = ngtest_graph_create(&cfg);
    struct teefix f;
    teefix_make(g1, &f, (1u << 0) | (1u << 1) | (1u << 3)); /* right, left, left2right */
    struct ng_graph_stats before, after;
    ng_graph_stats(g1, &before);
    assert_int_equal(ng_inject_data(f.tee, "left", ngtest_item(g1, 8, 0)), 0);
    assert_int_equal(cnt(&f, 0), 1); /* the original went right */
    assert_int_equal(cnt(&f, 3), 0); /* no copy */
    ng_graph_stats(g1, &after);
    assert_int_equal(after.drops[NG_DROP_NOBUFS], before.drops[NG_DROP_NOBUFS] + 1);
    assert_int_equal(after.items_live, 0);
    struct ng_mesg *r = NULL;
    char path[NG_NODESIZ];
    snprintf(path, sizeof(path), "[%x]:", (unsigned)ng_node_id(f.tee));
    assert_int_equal(ngtest_msg(g1, path, NGM_TEE_COOKIE, NGM_TEE_GET_STATS, &r), 0);
    const struct ng_tee_stats *st = (const void *)r->data;
    assert_int_equal(st->left.inFrames, 1);
    assert_int_equal(st->right.outFrames, 1);
    assert_int_equal(st->left2right.outFrames, 0);
    ng_mesg_free(r);
    teefix_release(&f);
    ng_graph_destroy(g1);

    teefix_make(g, &f, 0xf);
    snprintf(path, sizeof(path), "[%x]:", (unsigned)ng_node_id(f.tee));
    assert_int_equal(ngtest_msg(g, path, 12345, NGM_TEE_GET_STATS, NULL), -EINVAL);
    struct ng_mesg *m = ng_mesg_alloc(NGM_TEE_COOKIE, NGM_TEE_GET_STATS, 0);
    m->header.flags |= NGF_RESP;
    assert_int_equal(ng_send_msg(g, NULL, path, m, NULL), -EINVAL);
    assert_int_equal(ng_send_ascii(g, path, "nosuch", NULL), -ENOSYS);
    /* A flow message arriving on a tap: accepted, not forwarded. */
    struct ng_hook *tap;
    assert_int_equal(ng_hook_find(f.cnt[2], "in", &tap), 0);
    assert_int_equal(ng_send_msg_hook(tap, ng_mesg_alloc(NGM_FLOW_COOKIE, NGM_LINK_IS_UP, 0)), 0);
    ng_hook_unref(tap);
    ng_graph_stats(g, &before);
    assert_int_equal(ng_inject_data(f.tee, "middle", ngtest_item(g, 8, 0)), -ENOENT);
    ng_graph_stats(g, &after);
    assert_int_equal(after.drops[NG_DROP_NOTCONN], before.drops[NG_DROP_NOTCONN] + 1);
    /* Shut down: its id is gone, it takes no hook and no data. */
    assert_int_equal(ng_node_shutdown(f.tee), 0);
    assert_int_equal(ngtest_msg(g, path, NGM_TEE_COOKIE, NGM_TEE_GET_STATS, NULL), -ENOENT);
    assert_int_equal(ng_connect(f.cnt[0], "again", f.tee, "right"), -ESHUTDOWN);
    ng_graph_stats(g, &before);
    assert_int_equal(ng_inject_data(f.tee, "right", ngtest_item(g, 8, 0)), -ENOENT);
    ng_graph_stats(g, &after);
    assert_int_equal(after.drops[NG_DROP_NOTCONN], before.drops[NG_DROP_NOTCONN] + 1);
    for (int i = 0; i < 4; i++)
        assert_int_equal(cnt(&f, i), 0);
    teefix_release(&f);
}

/* A connect the other node refuses (split has no hook "bogus") when the hook
 * would have been the node's only one: its disconnect method sees the
 * refused hook go and the node shuts down, as FreeBSD's does
 * (docs/nodes/tee.md ERRORS). */
static void test_refused_connect(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *lone, *peer;
    assert_int_equal(ng_node_create(g, "tee", &lone), 0);
    assert_int_equal(ng_node_create(g, "split", &peer), 0);
    assert_int_equal(ng_connect(lone, "left", peer, "bogus"), -EINVAL);
    assert_false(ng_node_is_valid(lone));
    assert_true(ng_node_is_valid(peer));
    assert_int_equal(ng_node_shutdown(peer), 0);
    ng_node_unref(lone);
    ng_node_unref(peer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_directions),       ngtest_unit_test(test_tap_only),
        ngtest_unit_test(test_shutdown_splices), ngtest_unit_test(test_two_tees),
        ngtest_unit_test(test_persistent),       ngtest_unit_test(test_flow_forwarded),
        ngtest_unit_test(test_bypass_badinput),  ngtest_unit_test(test_splice_under_traffic),
        ngtest_unit_test(test_bad_input_rest),   ngtest_unit_test(test_refused_connect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
