/*
 * test_fdwatch.c - file descriptor watches (ng_fdwatch_*, docs/fd.md): pipe,
 * eventfd and socketpair readable / writable callbacks without a runtime
 * (the graph's timer thread) and with 1 and 2 workers, modify, remove from
 * inside the callback and from another thread while it fires (never a call
 * after remove returned), node shutdown removing the watch before the
 * type's shutdown method, runtime stop moving watches to the timer thread,
 * busy-poll mode, and bad input.  Runs under every backend (NG_BACKEND).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ngtest.h"
#include <ngraph/runtime.h>

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Wait (bounded: 10 s) until cond holds. */
#define WAIT_FOR(cond)                                                                             \
    do {                                                                                           \
        for (int _i = 0; _i < 10000 && !(cond); _i++)                                              \
            sleep_ms(1);                                                                           \
        assert_true(cond);                                                                         \
    } while (0)

struct ctx {
    struct ng_runtime *rt;
    _Atomic int calls, in_cb, after_remove, removed, worker, self_rc;
    _Atomic unsigned last_rev, revs;
    int drain;          /* read what is readable */
    int remove_self;    /* remove the watch from inside */
    int sleep_odd_us;   /* sleep this long in every other call */
    unsigned modify_to; /* ng_fdwatch_modify(w, this) in the first call */
    struct ng_node *node;
    struct ng_hook *hook;
    _Atomic int bad_ctx;
};

static void ctx_init(struct ctx *c, struct ng_runtime *rt)
{
    memset(c, 0, sizeof(*c));
    c->rt = rt;
    atomic_store(&c->worker, -2);
}

static void cb(struct ng_fdwatch *w, struct ng_node *node, struct ng_hook *hook, int fd,
               unsigned rev, void *arg)
{
    struct ctx *c = arg;
    atomic_store(&c->in_cb, 1);
    if (atomic_load(&c->removed))
        atomic_fetch_add(&c->after_remove, 1);
    if (node != c->node || hook != c->hook)
        atomic_store(&c->bad_ctx, 1);
    int n = atomic_fetch_add(&c->calls, 1);
    atomic_store(&c->last_rev, rev);
    atomic_fetch_or(&c->revs, rev);
    atomic_store(&c->worker, ng_runtime_current_worker(c->rt));
    if (c->drain && (rev & NG_FD_IN)) {
        char buf[64];
        while (read(fd, buf, sizeof(buf)) > 0) {
        }
    }
    if (c->sleep_odd_us && (n & 1)) {
        struct timespec ts = {0, c->sleep_odd_us * 1000L};
        nanosleep(&ts, NULL);
    }
    if (c->modify_to && n == 0)
        assert_int_equal(ng_fdwatch_modify(w, c->modify_to), 0);
    if (c->remove_self)
        atomic_store(&c->self_rc, ng_fdwatch_remove(w));
    atomic_store(&c->in_cb, 0);
}

static struct ng_node *mknode(struct ng_graph *g)
{
    struct ng_node *n;
    assert_int_equal(ng_node_create(g, "counter", &n), 0);
    return n;
}

static struct ng_runtime *start_rt(struct ng_graph *g, unsigned nw)
{
    return nw ? ngtest_runtime(g, nw) : NULL;
}

/* ------------------------------------------------------------------------ */

/* A pipe's read end: a written byte calls back with NG_FD_IN, in the
 * right place (timer thread: no worker; else the chosen worker). */
static void readable(struct ng_graph *g, unsigned nw)
{
    struct ng_runtime *rt = start_rt(g, nw);
    struct ng_node *n = mknode(g);
    int p[2];
    assert_int_equal(pipe2(p, O_NONBLOCK), 0);
    struct ctx c;
    ctx_init(&c, rt);
    c.node = n;
    c.drain = 1;
    struct ng_fdwatch w;
    ng_fdwatch_init(&w);
    assert_int_equal(ng_fdwatch_worker(&w), -ENOENT);
    if (nw > 1)
        assert_int_equal(ng_fdwatch_set_worker(&w, 1), 0);
    assert_int_equal(ng_fdwatch_add(&w, n, NULL, p[0], NG_FD_IN, cb, &c), 0);
    assert_int_equal(ng_fdwatch_set_worker(&w, 0), -EBUSY);
    assert_int_equal(ng_fdwatch_worker(&w), nw == 0 ? -1 : nw > 1 ? 1 : 0);
    sleep_ms(5);
    assert_int_equal(atomic_load(&c.calls), 0); /* nothing to read yet */
    for (int round = 1; round <= 3; round++) {
        assert_int_equal(write(p[1], "x", 1), 1);
        WAIT_FOR(atomic_load(&c.calls) >= round && !atomic_load(&c.in_cb));
        assert_true(atomic_load(&c.last_rev) & NG_FD_IN);
        assert_int_equal(atomic_load(&c.worker), nw == 0 ? -1 : nw > 1 ? 1 : 0);
    }
    sleep_ms(5);
    assert_int_equal(atomic_load(&c.calls), 3); /* drained: level-triggered, no more */
    assert_int_equal(atomic_load(&c.bad_ctx), 0);
    assert_int_equal(ng_fdwatch_remove(&w), 0);
    assert_int_equal(ng_fdwatch_remove(&w), -ENOENT);
    assert_int_equal(write(p[1], "y", 1), 1);
    sleep_ms(5);
    assert_int_equal(atomic_load(&c.calls), 3);
    close(p[0]);
    close(p[1]);
    ng_node_unref(n);
    ng_runtime_stop(rt);
}

static void test_readable(void **state)
{
    for (unsigned nw = 0; nw <= 2; nw++)
        readable(*state, nw);
}

/* A pipe's write end is writable at once: NG_FD_OUT; the callback removes
 * its own watch (returns 0 at once) and is never called again. */
static void writable_remove_self(struct ng_graph *g, unsigned nw)
{
    struct ng_runtime *rt = start_rt(g, nw);
    struct ng_node *n = mknode(g);
    int p[2];
    assert_int_equal(pipe2(p, O_NONBLOCK), 0);
    struct ctx c;
    ctx_init(&c, rt);
    c.node = n;
    c.remove_self = 1;
    atomic_store(&c.self_rc, 99);
    struct ng_fdwatch *w = malloc(sizeof(*w)); /* freed right after: ASan sees a late touch */
    assert_non_null(w);
    ng_fdwatch_init(w);
    assert_int_equal(ng_fdwatch_add(w, n, NULL, p[1], NG_FD_OUT, cb, &c), 0);
    WAIT_FOR(atomic_load(&c.self_rc) != 99 && !atomic_load(&c.in_cb));
    assert_int_equal(atomic_load(&c.self_rc), 0);
    assert_true(atomic_load(&c.last_rev) & NG_FD_OUT);
    assert_int_equal(ng_fdwatch_remove(w), -ENOENT);
    free(w);
    sleep_ms(10);
    assert_int_equal(atomic_load(&c.calls), 1);
    close(p[0]);
    close(p[1]);
    ng_node_unref(n);
    ng_runtime_stop(rt);
}

static void test_writable_remove_self(void **state)
{
    for (unsigned nw = 0; nw <= 2; nw++)
        writable_remove_self(*state, nw);
}

/* modify: IN only on a socketpair end (writable, not readable): nothing;
 * switched to IN|OUT: an OUT call, whose callback switches back to IN. */
static void modify(struct ng_graph *g, unsigned nw)
{
    struct ng_runtime *rt = start_rt(g, nw);
    struct ng_node *n = mknode(g);
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    struct ctx c;
    ctx_init(&c, rt);
    c.node = n;
    c.drain = 1;
    c.modify_to = NG_FD_IN;
    struct ng_fdwatch w;
    ng_fdwatch_init(&w);
    assert_int_equal(ng_fdwatch_add(&w, n, NULL, sv[0], NG_FD_IN | NG_FD_SHARED, cb, &c), 0);
    sleep_ms(5);
    assert_int_equal(atomic_load(&c.calls), 0);
    assert_int_equal(ng_fdwatch_modify(&w, NG_FD_IN | NG_FD_OUT), 0);
    WAIT_FOR(atomic_load(&c.calls) >= 1 && !atomic_load(&c.in_cb));
    assert_true(atomic_load(&c.last_rev) & NG_FD_OUT);
    sleep_ms(5);
    assert_int_equal(atomic_load(&c.calls), 1); /* back to IN only */
    assert_int_equal(write(sv[1], "ab", 2), 2);
    WAIT_FOR(atomic_load(&c.calls) >= 2 && !atomic_load(&c.in_cb));
    assert_int_equal(atomic_load(&c.last_rev) & (NG_FD_IN | NG_FD_OUT), NG_FD_IN);
    /* The flags cannot change; leaving them out is fine. */
    assert_int_equal(ng_fdwatch_modify(&w, NG_FD_IN), 0);
    assert_int_equal(ng_fdwatch_modify(&w, NG_FD_IN | NG_FD_SHARED), 0);
    assert_int_equal(ng_fdwatch_modify(&w, NG_FD_IN | NG_FD_BUSYPOLL), -EINVAL);
    assert_int_equal(ng_fdwatch_modify(&w, 0), -EINVAL);
    assert_int_equal(ng_fdwatch_modify(&w, NG_FD_ERR), -EINVAL);
    /* The peer closes: NG_FD_HUP. */
    close(sv[1]);
    WAIT_FOR((atomic_load(&c.revs) & NG_FD_HUP) != 0);
    assert_int_equal(ng_fdwatch_remove(&w), 0);
    assert_int_equal(ng_fdwatch_modify(&w, NG_FD_IN), -ENOENT);
    close(sv[0]);
    ng_node_unref(n);
    ng_runtime_stop(rt);
}

static void test_modify(void **state)
{
    for (unsigned nw = 0; nw <= 2; nw++)
        modify(*state, nw);
}

/* An eventfd that stays readable fires continuously; remove from this
 * thread while calls run (some of them sleeping) must wait for a running
 * call and leave none after it returned. */
static void remove_while_firing(struct ng_graph *g, unsigned nw, unsigned flags)
{
    struct ng_runtime *rt = start_rt(g, nw);
    struct ng_node *n = mknode(g);
    int efd = eventfd(1, EFD_NONBLOCK);
    assert_true(efd >= 0);
    struct ctx c;
    ctx_init(&c, rt);
    c.node = n;
    c.sleep_odd_us = 300;
    for (int round = 0; round < 20; round++) {
        struct ng_fdwatch w;
        ng_fdwatch_init(&w);
        int base = atomic_load(&c.calls);
        assert_int_equal(ng_fdwatch_add(&w, n, NULL, efd, NG_FD_IN | flags, cb, &c), 0);
        WAIT_FOR(atomic_load(&c.calls) >= base + 1 + round % 3);
        assert_int_equal(ng_fdwatch_remove(&w), 0);
        atomic_store(&c.removed, 1);
        assert_int_equal(atomic_load(&c.in_cb), 0); /* not running */
        sleep_ms(1);
        assert_int_equal(atomic_load(&c.after_remove), 0);
        atomic_store(&c.removed, 0);
    }
    close(efd);
    ng_node_unref(n);
    ng_runtime_stop(rt);
}

static void test_remove_while_firing(void **state)
{
    for (unsigned nw = 0; nw <= 2; nw++) {
        remove_while_firing(*state, nw, 0);
        remove_while_firing(*state, nw, NG_FD_SHARED);
    }
}

/* Busy-poll: fn called over and over with NG_FD_POLL, also for a fd epoll
 * refuses (a regular file); remove stops it. */
static void busypoll(struct ng_graph *g, unsigned nw)
{
    struct ng_runtime *rt = start_rt(g, nw);
    struct ng_node *n = mknode(g);
    char path[] = "/tmp/ngfdwXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    struct ctx c;
    ctx_init(&c, rt);
    c.node = n;
    struct ng_fdwatch w;
    ng_fdwatch_init(&w);
    assert_int_equal(ng_fdwatch_add(&w, n, NULL, fd, NG_FD_IN, cb, &c), -EPERM);
    assert_int_equal(ng_fdwatch_add(&w, n, NULL, fd, NG_FD_IN | NG_FD_BUSYPOLL, cb, &c), 0);
    WAIT_FOR(atomic_load(&c.calls) >= 200);
    assert_int_equal(atomic_load(&c.revs), NG_FD_POLL);
    assert_int_equal(ng_fdwatch_remove(&w), 0);
    atomic_store(&c.removed, 1);
    sleep_ms(5);
    assert_int_equal(atomic_load(&c.after_remove), 0);
    close(fd);
    ng_node_unref(n);
    ng_runtime_stop(rt);
}

static void test_busypoll(void **state)
{
    for (unsigned nw = 0; nw <= 2; nw++)
        busypoll(*state, nw);
}

/* Two workers: watches without a worker choice go round robin. */
static void test_round_robin(void **state)
{
    struct ng_graph *g = *state;
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    struct ng_node *n = mknode(g);
    int p[4][2];
    struct ng_fdwatch w[4];
    struct ctx c;
    ctx_init(&c, rt);
    c.node = n;
    int seen[2] = {0, 0};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pipe2(p[i], O_NONBLOCK), 0);
        ng_fdwatch_init(&w[i]);
        assert_int_equal(ng_fdwatch_add(&w[i], n, NULL, p[i][0], NG_FD_IN, cb, &c), 0);
        int b = ng_fdwatch_worker(&w[i]);
        assert_true(b == 0 || b == 1);
        seen[b]++;
    }
    assert_int_equal(seen[0], 2);
    assert_int_equal(seen[1], 2);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(ng_fdwatch_remove(&w[i]), 0);
        close(p[i][0]);
        close(p[i][1]);
    }
    ng_node_unref(n);
    ng_runtime_stop(rt);
}

/* ng_runtime_stop moves the workers' watches to the timer thread. */
static void test_runtime_stop_moves(void **state)
{
    struct ng_graph *g = *state;
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    struct ng_node *n = mknode(g);
    int p[2];
    assert_int_equal(pipe2(p, O_NONBLOCK), 0);
    struct ctx c;
    ctx_init(&c, rt);
    c.node = n;
    c.drain = 1;
    struct ng_fdwatch w, wb;
    ng_fdwatch_init(&w);
    ng_fdwatch_init(&wb);
    assert_int_equal(ng_fdwatch_set_worker(&w, 1), 0);
    assert_int_equal(ng_fdwatch_add(&w, n, NULL, p[0], NG_FD_IN, cb, &c), 0);
    assert_int_equal(ng_fdwatch_worker(&w), 1);
    struct ctx cb2;
    ctx_init(&cb2, NULL);
    cb2.node = n;
    assert_int_equal(ng_fdwatch_add(&wb, n, NULL, p[1], NG_FD_OUT | NG_FD_BUSYPOLL, cb, &cb2), 0);
    WAIT_FOR(atomic_load(&cb2.calls) > 10);
    ng_runtime_stop(rt); /* returns although a busy-poll watch was on a worker */
    c.rt = NULL;
    assert_int_equal(ng_fdwatch_worker(&w), -1);
    assert_int_equal(ng_fdwatch_worker(&wb), -1);
    int before = atomic_load(&cb2.calls);
    WAIT_FOR(atomic_load(&cb2.calls) > before + 10); /* still polled */
    assert_int_equal(write(p[1], "z", 1), 1);
    WAIT_FOR(atomic_load(&c.calls) >= 1);
    assert_int_equal(atomic_load(&c.worker), -1);
    assert_int_equal(ng_fdwatch_remove(&w), 0);
    assert_int_equal(ng_fdwatch_remove(&wb), 0);
    close(p[0]);
    close(p[1]);
    ng_node_unref(n);
}

/* Node context: a watch's call takes writer access by default, so it never
 * overlaps a writer function on the node; with NG_FD_SHARED it takes
 * reader access and runs alongside a reader function (but still not
 * alongside a writer).  The fd stays readable throughout (the calls queue
 * behind the writer: parked, then served again). */
static _Atomic int ovl_bad, ovl_seen;
struct ovl {
    struct ctx *c;
    _Atomic int in_fn;
};

static void ovl_fn(struct ng_node *node, struct ng_hook *hook, void *arg1, int arg2)
{
    (void)node;
    (void)hook;
    struct ovl *o = arg1;
    atomic_store(&o->in_fn, 1);
    for (int i = 0; i < 40; i++) { /* about 4 ms */
        if (atomic_load(&o->c->in_cb))
            atomic_fetch_add(arg2 ? &ovl_seen : &ovl_bad, 1);
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
    atomic_store(&o->in_fn, 0);
}

static void ovl_cb(struct ng_fdwatch *w, struct ng_node *node, struct ng_hook *hook, int fd,
                   unsigned rev, void *arg)
{
    struct ovl *o = arg;
    cb(w, node, hook, fd, rev, o->c);
    atomic_store(&o->c->in_cb, 1);
    struct timespec ts = {0, 200000};
    nanosleep(&ts, NULL);
    atomic_store(&o->c->in_cb, 0);
}

static void node_context(struct ng_graph *g, unsigned nw, unsigned flags)
{
    struct ng_runtime *rt = start_rt(g, nw);
    struct ng_node *n = mknode(g);
    int efd = eventfd(1, EFD_NONBLOCK);
    assert_true(efd >= 0);
    struct ctx c;
    ctx_init(&c, rt);
    c.node = n;
    struct ovl o = {.c = &c};
    struct ng_fdwatch w;
    ng_fdwatch_init(&w);
    assert_int_equal(ng_fdwatch_add(&w, n, NULL, efd, NG_FD_IN | flags, ovl_cb, &o), 0);
    atomic_store(&ovl_bad, 0);
    atomic_store(&ovl_seen, 0);
    for (int i = 0; i < 10; i++) {
        /* a writer: never together with a call */
        assert_int_equal(ng_send_fn(n, NULL, ovl_fn, &o, 0, NG_FN_WRITER | NG_FN_WAIT), 0);
        int before = atomic_load(&c.calls);
        WAIT_FOR(atomic_load(&c.calls) > before); /* served again afterwards */
        /* a reader: together with a shared call (counted, not required) */
        assert_int_equal(ng_send_fn(n, NULL, ovl_fn, &o, flags ? 1 : 0, NG_FN_WAIT), 0);
    }
    assert_int_equal(atomic_load(&ovl_bad), 0);
    assert_int_equal(ng_fdwatch_remove(&w), 0);
    close(efd);
    ng_node_unref(n);
    ng_runtime_stop(rt);
}

static void test_node_context(void **state)
{
    for (unsigned nw = 0; nw <= 2; nw += 2) {
        node_context(*state, nw, 0);
        node_context(*state, nw, NG_FD_SHARED);
    }
}

/* ------------------------------------------------------------------------ */
/* Node shutdown: a type with a watch in its private state                  */
/* ------------------------------------------------------------------------ */

struct fdt_priv {
    struct ng_fdwatch w;
    int fd;
    struct ctx *c;
};
static _Atomic int fdt_shutdown_removed; /* remove() said -ENOENT in shutdown */
static _Atomic int fdt_shutdowns;

static int fdt_constructor(struct ng_node *node)
{
    struct fdt_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    ng_fdwatch_init(&p->w);
    p->fd = -1;
    ng_node_set_private(node, p);
    return 0;
}

static void fdt_shutdown(struct ng_node *node)
{
    struct fdt_priv *p = ng_node_private(node);
    if (ng_fdwatch_remove(&p->w) == -ENOENT && ng_fdwatch_worker(&p->w) == -ENOENT)
        atomic_fetch_add(&fdt_shutdown_removed, 1);
    if (p->fd >= 0)
        close(p->fd); /* the watch is gone: safe */
    free(p);
    atomic_fetch_add(&fdt_shutdowns, 1);
}

static const struct ng_type fdt_type = {
    .version = NG_ABI_VERSION,
    .name = "fdwtest",
    .constructor = fdt_constructor,
    .shutdown = fdt_shutdown,
};

static void shutdown_removes(struct ng_graph *g, unsigned nw)
{
    int r = ng_type_register(g, &fdt_type);
    assert_true(r == 0 || r == -EEXIST);
    struct ng_runtime *rt = start_rt(g, nw);
    struct ng_node *n;
    assert_int_equal(ng_node_create(g, "fdwtest", &n), 0);
    struct fdt_priv *p = ng_node_private(n);
    struct ctx c;
    ctx_init(&c, rt);
    c.node = n;
    c.sleep_odd_us = 200;
    p->fd = eventfd(1, EFD_NONBLOCK); /* always readable: fires continuously */
    assert_true(p->fd >= 0);
    assert_int_equal(ng_fdwatch_add(&p->w, n, NULL, p->fd, NG_FD_IN, cb, &c), 0);
    WAIT_FOR(atomic_load(&c.calls) >= 3);
    int before = atomic_load(&fdt_shutdowns);
    assert_int_equal(ng_node_shutdown(n), 0);
    ng_node_unref(n);
    assert_int_equal(ng_graph_barrier(g), 0);
    WAIT_FOR(atomic_load(&fdt_shutdowns) == before + 1);
    assert_int_equal(atomic_load(&fdt_shutdown_removed), before + 1);
    int calls = atomic_load(&c.calls);
    sleep_ms(5);
    assert_int_equal(atomic_load(&c.calls), calls);
    ng_runtime_stop(rt);
}

static void test_shutdown_removes(void **state)
{
    for (unsigned nw = 0; nw <= 2; nw++)
        shutdown_removes(*state, nw);
}

/* A watch with a hook: fn gets it; once the hook is removed the watch goes
 * with it at the next event (fn not called). */
static void test_hook_removed(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *n = mknode(g), *peer = mknode(g);
    assert_int_equal(ng_connect(n, "a", peer, "b"), 0);
    struct ng_hook *h;
    assert_int_equal(ng_hook_find(n, "a", &h), 0);
    int p[2];
    assert_int_equal(pipe2(p, O_NONBLOCK), 0);
    struct ctx c;
    ctx_init(&c, NULL);
    c.node = n;
    c.hook = h;
    c.drain = 1;
    struct ng_fdwatch w;
    ng_fdwatch_init(&w);
    assert_int_equal(ng_fdwatch_add(&w, n, h, p[0], NG_FD_IN, cb, &c), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    WAIT_FOR(atomic_load(&c.calls) == 1 && !atomic_load(&c.in_cb));
    assert_int_equal(atomic_load(&c.bad_ctx), 0);
    assert_int_equal(ng_rmhook(n, "a"), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    WAIT_FOR(ng_fdwatch_worker(&w) == -ENOENT);
    assert_int_equal(atomic_load(&c.calls), 1);
    assert_int_equal(ng_fdwatch_remove(&w), -ENOENT);
    ng_hook_unref(h);
    close(p[0]);
    close(p[1]);
    ng_node_unref(n);
    ng_node_unref(peer);
}

/* Graph destruction with watches still added removes them (no reference
 * left: the teardown would report the nodes). */
static void test_destroy_with_watches(void **state)
{
    (void)state;
    struct ng_graph *g = ngtest_graph();
    struct ng_runtime *rt = ngtest_runtime(g, 1);
    (void)rt;
    struct ng_node *n = mknode(g);
    int p[2];
    assert_int_equal(pipe2(p, O_NONBLOCK), 0);
    struct ctx c;
    ctx_init(&c, NULL);
    c.node = n;
    struct ng_fdwatch w1, w2, w3;
    ng_fdwatch_init(&w1);
    ng_fdwatch_init(&w2);
    ng_fdwatch_init(&w3);
    assert_int_equal(ng_fdwatch_add(&w1, n, NULL, p[0], NG_FD_IN, cb, &c), 0);
    assert_int_equal(ng_fdwatch_add(&w2, n, NULL, p[1], NG_FD_OUT | NG_FD_BUSYPOLL, cb, &c), 0);
    ng_node_unref(n);
    ng_graph_destroy(g); /* runtime stopped, watches removed */
    close(p[0]);
    close(p[1]);
    (void)w3;
}

/* ------------------------------------------------------------------------ */
/* Bad input                                                                */
/* ------------------------------------------------------------------------ */

static void test_bad_input(void **state)
{
    struct ng_graph *g = *state;
    struct ng_node *n = mknode(g), *other = mknode(g);
    assert_int_equal(ng_connect(other, "x", n, "y"), 0);
    struct ng_hook *ho;
    assert_int_equal(ng_hook_find(other, "x", &ho), 0);
    int p[2];
    assert_int_equal(pipe2(p, O_NONBLOCK), 0);
    struct ctx c;
    ctx_init(&c, NULL);
    c.node = n;
    struct ng_fdwatch w;
    ng_fdwatch_init(&w);
    /* NULLs, events, hooks */
    assert_int_equal(ng_fdwatch_add(NULL, n, NULL, p[0], NG_FD_IN, cb, &c), -EINVAL);
    assert_int_equal(ng_fdwatch_add(&w, NULL, NULL, p[0], NG_FD_IN, cb, &c), -EINVAL);
    assert_int_equal(ng_fdwatch_add(&w, n, NULL, p[0], NG_FD_IN, NULL, &c), -EINVAL);
    assert_int_equal(ng_fdwatch_add(&w, n, NULL, p[0], 0, cb, &c), -EINVAL);
    assert_int_equal(ng_fdwatch_add(&w, n, NULL, p[0], NG_FD_SHARED, cb, &c), -EINVAL);
    assert_int_equal(ng_fdwatch_add(&w, n, NULL, p[0], NG_FD_IN | 0x8000u, cb, &c), -EINVAL);
    assert_int_equal(ng_fdwatch_add(&w, n, ho, p[0], NG_FD_IN, cb, &c), -EINVAL);
    /* fds */
    assert_int_equal(ng_fdwatch_add(&w, n, NULL, -1, NG_FD_IN, cb, &c), -EBADF);
    int q[2];
    assert_int_equal(pipe(q), 0);
    close(q[0]);
    close(q[1]);
    assert_int_equal(ng_fdwatch_add(&w, n, NULL, q[0], NG_FD_IN, cb, &c), -EBADF);
    assert_int_equal(ng_fdwatch_add(&w, n, NULL, q[0], NG_FD_IN | NG_FD_BUSYPOLL, cb, &c), -EBADF);
    /* remove / modify of a watch never added; NULL */
    assert_int_equal(ng_fdwatch_remove(&w), -ENOENT);
    assert_int_equal(ng_fdwatch_modify(&w, NG_FD_IN), -ENOENT);
    assert_int_equal(ng_fdwatch_remove(NULL), -EINVAL);
    assert_int_equal(ng_fdwatch_modify(NULL, NG_FD_IN), -EINVAL);
    assert_int_equal(ng_fdwatch_worker(NULL), -EINVAL);
    assert_int_equal(ng_fdwatch_set_worker(NULL, 0), -EINVAL);
    ng_fdwatch_init(NULL);
    /* double add, same fd twice on one loop */
    assert_int_equal(ng_fdwatch_add(&w, n, NULL, p[0], NG_FD_IN, cb, &c), 0);
    assert_int_equal(ng_fdwatch_add(&w, n, NULL, p[1], NG_FD_OUT, cb, &c), -EBUSY);
    struct ng_fdwatch w2;
    ng_fdwatch_init(&w2);
    assert_int_equal(ng_fdwatch_add(&w2, n, NULL, p[0], NG_FD_IN, cb, &c), -EEXIST);
    assert_int_equal(ng_fdwatch_remove(&w2), -ENOENT);
    assert_int_equal(ng_fdwatch_remove(&w), 0);
    assert_int_equal(ng_fdwatch_remove(&w), -ENOENT);
    /* re-added after a remove: fine */
    assert_int_equal(ng_fdwatch_add(&w, n, NULL, p[0], NG_FD_IN, cb, &c), 0);
    assert_int_equal(ng_fdwatch_remove(&w), 0);
    /* a node shutting down */
    struct ng_node *dead = mknode(g);
    assert_int_equal(ng_node_shutdown(dead), 0);
    assert_int_equal(ng_fdwatch_add(&w, dead, NULL, p[0], NG_FD_IN, cb, &c), -ESHUTDOWN);
    ng_node_unref(dead);
    /* a hook being removed */
    struct ng_hook *hy;
    assert_int_equal(ng_hook_find(n, "y", &hy), 0);
    assert_int_equal(ng_rmhook(n, "y"), 0);
    assert_int_equal(ng_fdwatch_add(&w, n, hy, p[0], NG_FD_IN, cb, &c), -ENOTCONN);
    ng_hook_unref(hy);
    ng_hook_unref(ho);
    close(p[0]);
    close(p[1]);
    ng_node_unref(n);
    ng_node_unref(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_readable),
        ngtest_unit_test(test_writable_remove_self),
        ngtest_unit_test(test_modify),
        ngtest_unit_test(test_remove_while_firing),
        ngtest_unit_test(test_busypoll),
        ngtest_unit_test(test_round_robin),
        ngtest_unit_test(test_runtime_stop_moves),
        ngtest_unit_test(test_node_context),
        ngtest_unit_test(test_shutdown_removes),
        ngtest_unit_test(test_hook_removed),
        cmocka_unit_test(test_destroy_with_watches),
        ngtest_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
