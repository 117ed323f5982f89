/*
 * test_server.c - the control server's basic path over real sockets: HELLO
 * and ATTACH with their errors, MSG requests (the response precedes the
 * ACK; errors of bad paths, unknown commands and queued targets), DATA both
 * ways through an echo node, the client lifetime rules, NGM_SHUTDOWN of the
 * socket node, NOLINGER, ng_ctl_close with clients connected, stale and
 * live sockets, and the config/path helpers.
 */
#include "srvtest.h"

#include <fcntl.h>

#include <ngraph/runtime.h>

static void test_hello_attach(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    struct srvtest_client c;
    srvtest_client_open(&t, &c, "cli", 1, 1);
    struct ng_node *n;
    assert_int_equal(ng_node_find(t.g, "cli:", &n), 0);
    assert_int_equal(ng_node_id(n), c.id);
    assert_string_equal(ng_node_type(n)->name, NG_SOCKET_NODE_TYPE);
    ng_node_unref(n);

    char addr[NGI_WIRE_IDADDR_SIZE];
    ngi_wire_idaddr(addr, c.id);
    struct {
        enum ngi_wire_kind kind;
        const char *addr;
        int err;
    } cases[] = {
        {NGI_WIRE_ATTACH_CTL, addr, EADDRINUSE},    /* has one already */
        {NGI_WIRE_ATTACH_DATA, "cli:", EADDRINUSE}, /* the same */
        {NGI_WIRE_ATTACH_CTL, "nosuch:", ENOENT},
        {NGI_WIRE_ATTACH_DATA, "bad..path", EINVAL},
        {NGI_WIRE_HELLO, "cli", EADDRINUSE}, /* name taken */
        {NGI_WIRE_HELLO, "a.b", EINVAL},     /* bad name */
    };
    struct ng_node *e;
    assert_int_equal(ng_node_create(t.g, "echo", &e), 0);
    assert_int_equal(ng_node_name(e, "e"), 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int fd = srvtest_connect(t.path);
        assert_true(fd >= 0);
        assert_int_equal(srvtest_send(fd, cases[i].kind, cases[i].addr, NULL, 0), 0);
        assert_int_equal(srvtest_ack(fd, NULL), cases[i].err);
        assert_true(srvtest_eof(fd)); /* a refused first frame closes it */
        close(fd);
    }
    /* Not a socket node. */
    int fd = srvtest_connect(t.path);
    assert_int_equal(srvtest_send(fd, NGI_WIRE_ATTACH_CTL, "e:", NULL, 0), 0);
    assert_int_equal(srvtest_ack(fd, NULL), EINVAL);
    close(fd);
    ng_node_unref(e);

    /* An unnamed client gets an id only. */
    struct srvtest_client c2;
    srvtest_client_open(&t, &c2, NULL, 0, 0);
    assert_int_not_equal(c2.id, c.id);
    srvtest_client_close(&c2);
    srvtest_client_close(&c);
    assert_true(srvtest_until(srvtest_no_clients, &t, NULL));
    assert_true(srvtest_node_gone(&t, "cli:"));
    srvtest_stop(&t);
}

/* NODEINFO to ".": the response is on the control connection when the ACK
 * arrives (a zero-timeout poll sees it). */
static void test_msg_response_before_ack(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    struct srvtest_client c;
    srvtest_client_open(&t, &c, "cli", 1, 0);
    for (int i = 0; i < 50; i++) {
        assert_int_equal(srvtest_msg(&c, ".", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), 0);
        assert_true(srvtest_readable(c.ctl, 0));
        uint8_t buf[1024];
        struct ngi_wire_frame f;
        assert_true(srvtest_recv(c.ctl, buf, sizeof(buf), &f) > 0);
        assert_int_equal(f.hdr.kind, NGI_WIRE_MSG);
        char addr[NGI_WIRE_IDADDR_SIZE];
        ngi_wire_idaddr(addr, c.id);
        assert_string_equal(f.addr, addr); /* from itself */
        assert_int_equal(f.hdr.aux, f.paylen);
        struct ng_mesg m;
        assert_true(f.paylen >= sizeof(m.header) + sizeof(struct nodeinfo));
        memcpy(&m, f.payload, sizeof(m.header));
        assert_true(m.header.flags & NGF_RESP);
        assert_int_equal(m.header.cmd, NGM_NODEINFO);
        struct nodeinfo ni;
        memcpy(&ni, f.payload + sizeof(m.header), sizeof(ni));
        assert_string_equal(ni.name, "cli");
        assert_string_equal(ni.type, NG_SOCKET_NODE_TYPE);
        assert_int_equal(ni.id, c.id);
    }
    /* Errors come back synchronously. */
    assert_int_equal(srvtest_msg(&c, "nosuch:", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), ENOENT);
    assert_int_equal(srvtest_msg(&c, ".", NGM_GENERIC_COOKIE, 999, NULL, 0), EINVAL);
    assert_false(srvtest_readable(c.ctl, 0));
    /* A message of another type to the socket node goes to its client. */
    assert_int_equal(srvtest_msg(&c, ".", 12345, 1, NULL, 0), 0);
    assert_true(srvtest_readable(c.ctl, 0));
    uint8_t buf[256];
    struct ngi_wire_frame f;
    assert_true(srvtest_recv(c.ctl, buf, sizeof(buf), &f) > 0);
    struct ng_mesg_header h;
    memcpy(&h, f.payload, sizeof(h));
    assert_int_equal(h.typecookie, 12345);
    assert_false(h.flags & NGF_RESP);
    struct ng_ctl_stats st;
    ng_ctl_stats(t.s, &st);
    assert_int_equal(st.requests, 53);
    assert_int_equal(st.msgs_out, 51);
    srvtest_client_close(&c);
    srvtest_stop(&t);
}

/* A target that is always queued (a runtime drains it): the error and the
 * response still come before the ACK. */
static void test_msg_queued_target(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    struct ng_runtime *rt = ngtest_runtime(t.g, 1);
    struct ng_node *e;
    assert_int_equal(ng_node_create(t.g, "echo", &e), 0);
    assert_int_equal(ng_node_name(e, "e"), 0);
    ng_node_force_queue(e, 1);
    struct srvtest_client c;
    srvtest_client_open(&t, &c, NULL, 1, 0);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(srvtest_msg(&c, "e:", NGM_GENERIC_COOKIE, 999, NULL, 0), EINVAL);
        uint32_t arg = 0xabc0u + (uint32_t)i;
        assert_int_equal(srvtest_msg(&c, "e:", NGM_ECHO_COOKIE, 7, &arg, sizeof(arg)), 0);
        assert_true(srvtest_readable(c.ctl, 0));
        uint8_t buf[1024];
        struct ngi_wire_frame f;
        assert_true(srvtest_recv(c.ctl, buf, sizeof(buf), &f) > 0);
        char addr[NGI_WIRE_IDADDR_SIZE];
        ngi_wire_idaddr(addr, ng_node_id(e));
        assert_string_equal(f.addr, addr);
        struct ng_mesg_header h;
        assert_int_equal(f.paylen, sizeof(h) + sizeof(arg));
        memcpy(&h, f.payload, sizeof(h));
        uint32_t back;
        memcpy(&back, f.payload + sizeof(h), sizeof(back));
        assert_int_equal(back, arg);
    }
    srvtest_client_close(&c);
    ng_node_unref(e);
    assert_true(srvtest_until(srvtest_no_clients, &t, NULL));
    ng_runtime_stop(rt);
    srvtest_stop(&t);
}

/* DATA out of a hook into an echo node, back on the data connection. */
static void test_data_echo(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    struct srvtest_client c;
    srvtest_client_open(&t, &c, "cli", 1, 1);
    struct ngm_mkpeer mp = {.type = "echo", .ourhook = "h", .peerhook = "in"};
    assert_int_equal(srvtest_msg(&c, ".", NGM_GENERIC_COOKIE, NGM_MKPEER, &mp, sizeof(mp)), 0);
    uint8_t pay[1500];
    for (int i = 0; i < 100; i++) {
        memset(pay, i, sizeof(pay));
        uint32_t len = 1 + (uint32_t)i * 13;
        assert_int_equal(srvtest_send(c.req, NGI_WIRE_DATA, "h", pay, len), 0);
        assert_int_equal(srvtest_ack(c.req, NULL), 0);
        uint8_t buf[2048];
        struct ngi_wire_frame f;
        assert_true(srvtest_recv(c.data, buf, sizeof(buf), &f) > 0);
        assert_int_equal(f.hdr.kind, NGI_WIRE_DATA);
        assert_string_equal(f.addr, "h");
        assert_int_equal(f.paylen, len);
        assert_memory_equal(f.payload, pay, len);
    }
    assert_int_equal(srvtest_send(c.req, NGI_WIRE_DATA, "nohook", pay, 10), 0);
    assert_int_equal(srvtest_ack(c.req, NULL), EHOSTUNREACH);
    assert_int_equal(srvtest_send(c.req, NGI_WIRE_DATA, "", pay, 10), 0);
    assert_int_equal(srvtest_ack(c.req, NULL), EHOSTUNREACH);
    /* A hook that exists but is not connected cannot be made on a socket
     * node (hooks come in pairs), so ENOTCONN needs one being removed:
     * covered by the engine's tests.  Data with no data connection: */
    close(c.data);
    c.data = -1;
    /* Closing the data connection alone keeps the node (ctl is open). */
    assert_int_equal(srvtest_msg(&c, ".", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), 0);
    struct ng_ctl_stats st0, st1;
    ng_ctl_stats(t.s, &st0);
    assert_int_equal(srvtest_send(c.req, NGI_WIRE_DATA, "h", pay, 10), 0);
    assert_int_equal(srvtest_ack(c.req, NULL), 0); /* sent; the echo's return is dropped */
    ng_ctl_stats(t.s, &st1);
    assert_int_equal(st1.data_dropped, st0.data_dropped + 1);
    assert_int_equal(st1.data_out, 100);
    srvtest_client_close(&c);
    assert_true(srvtest_until(srvtest_node_gone, &t, "cli:"));
    srvtest_stop(&t);
}

/* The node lives as long as the channels the client attached. */
static void test_lifetime(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    struct srvtest_client c;
    /* request only: closing it ends the node */
    srvtest_client_open(&t, &c, "a", 0, 0);
    close(c.req);
    c.req = -1;
    assert_true(srvtest_until(srvtest_node_gone, &t, "a:"));
    /* ctl + data: closing the request connection keeps it */
    srvtest_client_open(&t, &c, "b", 1, 1);
    close(c.req);
    c.req = -1;
    usleep(50000);
    assert_false(srvtest_node_gone(&t, "b:"));
    close(c.ctl);
    c.ctl = -1;
    usleep(50000);
    assert_false(srvtest_node_gone(&t, "b:"));
    close(c.data);
    c.data = -1;
    assert_true(srvtest_until(srvtest_node_gone, &t, "b:"));
    assert_true(srvtest_until(srvtest_no_clients, &t, NULL));
    srvtest_stop(&t);
}

/* NGM_SHUTDOWN of the socket node (from itself or another client) closes
 * its connections. */
static void test_shutdown_closes(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    struct srvtest_client a, b;
    srvtest_client_open(&t, &a, "a", 1, 1);
    srvtest_client_open(&t, &b, "b", 1, 1);
    assert_int_equal(srvtest_msg(&b, "a:", NGM_GENERIC_COOKIE, NGM_SHUTDOWN, NULL, 0), 0);
    assert_true(srvtest_eof(a.req));
    assert_true(srvtest_eof(a.ctl));
    assert_true(srvtest_eof(a.data));
    /* From itself: the ACK may or may not make it before the close. */
    assert_int_equal(srvtest_send(b.req, NGI_WIRE_MSG, ".", NULL, 0), 0);
    uint32_t aux;
    assert_int_equal(srvtest_ack(b.req, &aux), EINVAL); /* no payload: not a message */
    struct ng_mesg *m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_SHUTDOWN, 0);
    assert_int_equal(srvtest_send(b.req, NGI_WIRE_MSG, ".", m, sizeof(m->header)), 0);
    ng_mesg_free(m);
    assert_true(srvtest_eof(b.ctl));
    assert_true(srvtest_eof(b.data));
    srvtest_client_close(&a);
    srvtest_client_close(&b);
    assert_true(srvtest_until(srvtest_no_clients, &t, NULL));
    srvtest_stop(&t);
}

/* NOLINGER: the node goes with its last hook. */
static void test_nolinger(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    struct srvtest_client c;
    srvtest_client_open(&t, &c, "cli", 1, 1);
    struct ngm_mkpeer mp = {.type = "echo", .ourhook = "h", .peerhook = "in"};
    assert_int_equal(srvtest_msg(&c, ".", NGM_GENERIC_COOKIE, NGM_MKPEER, &mp, sizeof(mp)), 0);
    assert_int_equal(srvtest_msg(&c, ".", NGM_SOCKET_COOKIE, NGM_SOCK_CMD_LINGER, NULL, 0), 0);
    assert_int_equal(srvtest_msg(&c, ".", NGM_SOCKET_COOKIE, NGM_SOCK_CMD_NOLINGER, NULL, 0), 0);
    assert_int_equal(srvtest_msg(&c, ".", NGM_SOCKET_COOKIE, 77, NULL, 0), EINVAL);
    struct ngm_rmhook rh = {.ourhook = "h"};
    assert_int_equal(srvtest_msg(&c, ".", NGM_GENERIC_COOKIE, NGM_RMHOOK, &rh, sizeof(rh)), 0);
    assert_true(srvtest_eof(c.ctl));
    assert_true(srvtest_until(srvtest_node_gone, &t, "cli:"));
    srvtest_client_close(&c);
    srvtest_stop(&t);
}

/* ng_ctl_close with clients connected: their connections end, nodes go. */
static void test_close_with_clients(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    struct srvtest_client c[8];
    for (int i = 0; i < 8; i++)
        srvtest_client_open(&t, &c[i], NULL, i & 1, i & 2);
    int half = srvtest_connect(t.path); /* no first frame yet */
    assert_true(half >= 0);
    ng_ctl_close(t.s);
    t.s = NULL;
    for (int i = 0; i < 8; i++) {
        assert_true(srvtest_eof(c[i].req));
        srvtest_client_close(&c[i]);
    }
    assert_true(srvtest_eof(half));
    close(half);
    struct ng_graph_stats gs;
    ng_graph_barrier(t.g);
    ng_graph_stats(t.g, &gs);
    assert_int_equal(gs.nodes, 0);
    struct stat st;
    assert_int_not_equal(stat(t.path, &st), 0); /* unlinked */
    srvtest_stop(&t);
}

/* A live server at the path is refused; a stale socket file replaced. */
static void test_stale_and_live(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    struct ng_ctl_config cfg;
    ng_ctl_config_init(&cfg);
    cfg.path = t.path;
    struct ng_ctl_server *s2 = (struct ng_ctl_server *)&cfg;
    assert_int_equal(ng_ctl_listen(t.g, &cfg, &s2), -EADDRINUSE);
    assert_null(s2);
    ng_ctl_close(t.s);
    t.s = NULL;
    /* a stale socket: bound, never listened on */
    int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    assert_true(strlen(t.path) < sizeof(sa.sun_path));
    memcpy(sa.sun_path, t.path, strlen(t.path) + 1);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    close(fd);
    assert_int_equal(ng_ctl_listen(t.g, &cfg, &t.s), 0);
    struct srvtest_client c;
    srvtest_client_open(&t, &c, "x", 0, 0);
    srvtest_client_close(&c);
    ng_ctl_close(t.s);
    t.s = NULL;
    /* a file that is not a socket is not ours to remove */
    fd = open(t.path, O_CREAT | O_WRONLY, 0600);
    close(fd);
    assert_int_equal(ng_ctl_listen(t.g, &cfg, &t.s), -EADDRINUSE);
    unlink(t.path);
    /* bad arguments */
    assert_int_equal(ng_ctl_listen(NULL, &cfg, &s2), -EINVAL);
    assert_int_equal(ng_ctl_listen(t.g, NULL, &s2), -EINVAL);
    assert_int_equal(ng_ctl_listen(t.g, &cfg, NULL), -EINVAL);
    cfg.path = "";
    assert_int_equal(ng_ctl_listen(t.g, &cfg, &s2), -EINVAL);
    char longp[200];
    memset(longp, 'a', sizeof(longp) - 1);
    longp[sizeof(longp) - 1] = '\0';
    cfg.path = longp;
    assert_int_equal(ng_ctl_listen(t.g, &cfg, &s2), -EINVAL);
    /* a world-writable directory (not sticky) is refused */
    char wdir[160], wpath[180];
    snprintf(wdir, sizeof(wdir), "%s/w", t.dir);
    assert_int_equal(mkdir(wdir, 0700), 0);
    assert_int_equal(chmod(wdir, 0777), 0);
    snprintf(wpath, sizeof(wpath), "%s/s", wdir);
    cfg.path = wpath;
    assert_int_equal(ng_ctl_listen(t.g, &cfg, &s2), -EPERM);
    if (geteuid() == 0) {
        /* someone else's directory is refused too */
        assert_int_equal(chmod(wdir, 0700), 0);
        assert_int_equal(chown(wdir, 65534, 65534), 0);
        assert_int_equal(ng_ctl_listen(t.g, &cfg, &s2), -EPERM);
    }
    rmdir(wdir);
    assert_int_equal(ng_ctl_stats(NULL, NULL), -EINVAL);
    ng_ctl_close(NULL);
    srvtest_stop(&t);
}

static void test_config_and_path(void **state)
{
    (void)state;
    struct ng_ctl_config cfg;
    ng_ctl_config_init(&cfg);
    assert_null(cfg.path);
    assert_int_equal(cfg.max_clients, 4096);
    assert_int_equal(cfg.client_queue_bytes, 8u << 20);
    assert_int_equal(cfg.handshake_ms, 5000);
    char buf[256];
    setenv("NGRAPH_SOCKET", "/x/y.sock", 1);
    assert_int_equal(ng_ctl_default_path(buf, sizeof(buf)), 0);
    assert_string_equal(buf, "/x/y.sock");
    assert_int_equal(ng_ctl_default_path(buf, 4), -ENAMETOOLONG);
    unsetenv("NGRAPH_SOCKET");
    if (geteuid() == 0) {
        assert_int_equal(ng_ctl_default_path(buf, sizeof(buf)), 0);
        assert_string_equal(buf, NG_CTL_SOCKET_ROOT);
    } else {
        setenv("XDG_RUNTIME_DIR", "/run/user/1", 1);
        assert_int_equal(ng_ctl_default_path(buf, sizeof(buf)), 0);
        assert_string_equal(buf, "/run/user/1/" NG_CTL_SOCKET_USER);
        unsetenv("XDG_RUNTIME_DIR");
        assert_int_equal(ng_ctl_default_path(buf, sizeof(buf)), -ENOENT);
    }
    struct ng_graph *g = ngtest_graph();
    assert_int_equal(ng_socket_type_register(g), 0);
    assert_int_equal(ng_socket_type_register(g), 0);
    assert_int_equal(ng_socket_type_register(NULL), -EINVAL);
    ng_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_attach),      cmocka_unit_test(test_msg_response_before_ack),
        cmocka_unit_test(test_msg_queued_target), cmocka_unit_test(test_data_echo),
        cmocka_unit_test(test_lifetime),          cmocka_unit_test(test_shutdown_closes),
        cmocka_unit_test(test_nolinger),          cmocka_unit_test(test_close_with_clients),
        cmocka_unit_test(test_stale_and_live),    cmocka_unit_test(test_config_and_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
