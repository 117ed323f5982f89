/*
 * test_ksocket_stream.c - the ksocket node type (ng_ksocket(4)), streams,
 * in a private network namespace: LISTEN + ACCEPT (a new node per
 * connection, announced by the NGM_KSOCKET_ACCEPT response; accepted nodes
 * without a hook go with their listener), non-blocking CONNECT and its
 * completion response, 1 MB each way in order, backpressure (a full socket
 * buffer keeps items, a full sendq drops and counts them), a peer closing
 * mid-stream (a zero-length item, as FreeBSD's), a refused connect, and
 * local/stream.  Datagrams and messages: test_ksocket.c.
 */
#include <stdatomic.h>

#include "test_ksocket_fx.h"

#define MB (1u << 20)

struct reader {
    int fd;
    size_t want;
    atomic_size_t got;
    atomic_int bad;
    pthread_t t;
};

/* Read r->want bytes of fx_pat() from r->fd (bounded by FX_TIMEOUT). */
static void *reader_main(void *arg)
{
    struct reader *r = arg;
    static _Thread_local uint8_t buf[65536];
    double end = ngtest_now_s() + FX_TIMEOUT;
    size_t got = 0;
    while (got < r->want && ngtest_now_s() < end) {
        ssize_t n = recv(r->fd, buf, sizeof(buf), 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] != fx_pat(got + (size_t)i))
                atomic_store(&r->bad, 1);
        got += (size_t)n;
        atomic_store(&r->got, got);
    }
    return NULL;
}

/* 1 MB from the graph out of the sink's hook to plain socket fd, in
 * 1400-byte items, keeping at most 256 KB in flight. */
static void graph_to_plain(struct ng_node *sink, const char *hook, int fd)
{
    struct reader r = {.fd = fd, .want = MB};
    assert_int_equal(pthread_create(&r.t, NULL, reader_main, &r), 0);
    static uint8_t b[1400];
    double end = ngtest_now_s() + FX_TIMEOUT;
    for (size_t off = 0; off < MB && ngtest_now_s() < end;) {
        if (off - atomic_load(&r.got) > 256 * 1024) {
            fx_sleep_ms(1);
            continue;
        }
        uint32_t n = MB - off < sizeof(b) ? (uint32_t)(MB - off) : (uint32_t)sizeof(b);
        for (uint32_t i = 0; i < n; i++)
            b[i] = fx_pat(off + i);
        assert_int_equal(fx_send(sink, hook, b, n, NULL), 0);
        off += n;
    }
    pthread_join(r.t, NULL);
    assert_int_equal(atomic_load(&r.got), MB);
    assert_int_equal(atomic_load(&r.bad), 0);
}

/* 1 MB from plain socket fd into the graph; the sink must hold it all. */
static void plain_to_graph(int fd)
{
    fx_sink_reset();
    static uint8_t b[65536];
    for (size_t off = 0; off < MB; off += sizeof(b)) {
        for (size_t i = 0; i < sizeof(b); i++)
            b[i] = fx_pat(off + i);
        assert_int_equal(send(fd, b, sizeof(b), MSG_NOSIGNAL), (ssize_t)sizeof(b));
    }
    assert_true(fx_wait_bytes(MB));
    pthread_mutex_lock(&S.mu);
    size_t bad = SIZE_MAX;
    for (size_t i = 0; i < MB && bad == SIZE_MAX; i++)
        if (S.buf[i] != fx_pat(i))
            bad = i;
    size_t len = S.len;
    pthread_mutex_unlock(&S.mu);
    assert_int_equal(len, MB);
    assert_int_equal(bad, SIZE_MAX);
}

static int plain_connect(const struct sockaddr_storage *to)
{
    int fd = socket(to->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    socklen_t l = to->ss_family == AF_UNIX ? (socklen_t)sizeof(struct sockaddr_un) : fx_salen(to);
    assert_int_equal(connect(fd, (const struct sockaddr *)to, l), 0);
    return fd;
}

/* CONNECT from the sink: 0 at once, or -EINPROGRESS and the completion
 * response (resp index i).  The error the connect ended with. */
static int ks_connect_to(struct ng_graph *g, struct ng_node *sink, const char *path,
                         const struct sockaddr_storage *to, unsigned i)
{
    int rc = fx_msg(g, sink, path, NGM_KSOCKET_CONNECT, to, fx_salen(to));
    if (rc != -EINPROGRESS)
        return rc;
    struct fx_resp r = {0};
    assert_true(fx_wait_resp(i, &r));
    assert_int_equal(r.cmd, NGM_KSOCKET_CONNECT);
    assert_int_equal(r.arglen, sizeof(int32_t));
    int32_t e;
    memcpy(&e, r.data, sizeof(e));
    return -e;
}

/* ---- listen + accept ----------------------------------------------------- */

static void t_tcp_accept(void **state)
{
    FX_REQUIRE_NETNS();
    struct ng_graph *g = *state;
    int fds = fx_count_fds();
    struct ng_node *sink = fx_setup(g);
    struct ng_node *lis = fx_ks(sink, "lis", "inet/stream/tcp", "lis");
    assert_int_equal(fx_bind(g, "lis:", "inet/127.0.0.1:0"), 0);
    int32_t backlog = 8;
    assert_int_equal(fx_msg(g, NULL, "lis:", NGM_KSOCKET_LISTEN, &backlog, 4), 0);
    struct sockaddr_storage la, ca;
    assert_int_equal(fx_name(g, "lis:", 0, &la), 0);
    /* No connection yet: nothing now, the response comes with it. */
    assert_int_equal(fx_msg(g, sink, "lis:", NGM_KSOCKET_ACCEPT, NULL, 0), 0);
    assert_int_equal(fx_msg(g, sink, "lis:", NGM_KSOCKET_ACCEPT, NULL, 0), -EALREADY);
    int cfd = plain_connect(&la);
    struct fx_resp r = {0};
    assert_true(fx_wait_resp(0, &r));
    assert_int_equal(r.cmd, NGM_KSOCKET_ACCEPT);
    assert_int_equal(r.arglen,
                     offsetof(struct ng_ksocket_accept, addr) + sizeof(struct sockaddr_in));
    socklen_t cl = sizeof(ca);
    assert_int_equal(getsockname(cfd, (struct sockaddr *)&ca, &cl), 0);
    assert_memory_equal(r.data + offsetof(struct ng_ksocket_accept, addr), &ca, cl);
    uint32_t id;
    memcpy(&id, r.data, sizeof(id));
    char path[32];
    snprintf(path, sizeof(path), "[%x]:", id);
    struct ng_node *conn;
    assert_int_equal(ng_node_find(g, path, &conn), 0);
    assert_ptr_equal(ng_node_type(conn), &ng_ksocket_type);
    /* The accepted node takes a hook of any name. */
    assert_int_equal(ng_connect(sink, "conn", conn, "anything"), 0);
    plain_to_graph(cfd);
    graph_to_plain(sink, "conn", cfd);
    assert_int_equal(fx_stat(g, path, "rx_bytes"), MB);
    assert_int_equal(fx_stat(g, path, "tx_bytes"), MB);
    /* The peer closes mid-stream: a zero-length item, counted as eof. */
    assert_int_equal(send(cfd, "tail", 4, 0), 4);
    close(cfd);
    assert_true(fx_wait_zero(1));
    assert_int_equal(fx_stat(g, path, "eof"), 1);
    pthread_mutex_lock(&S.mu);
    assert_memory_equal(S.buf + MB, "tail", 4);
    pthread_mutex_unlock(&S.mu);
    /* Writing to the closed connection fails sooner or later, counted. */
    double end = ngtest_now_s() + FX_TIMEOUT;
    while (fx_stat(g, path, "tx_errors") == 0 && ngtest_now_s() < end) {
        fx_send(sink, "conn", "x", 1, NULL);
        fx_sleep_ms(5);
    }
    assert_true(fx_stat(g, path, "tx_errors") > 0);
    /* A connection already waiting is the ACCEPT's own answer. */
    int c2 = plain_connect(&la);
    fx_sleep_ms(20);
    struct ng_mesg *m = NULL;
    assert_int_equal(fx_msg_sync(g, "lis:", NGM_KSOCKET_ACCEPT, NULL, 0, &m), 0);
    assert_non_null(m);
    assert_int_equal(m->header.arglen, r.arglen);
    memcpy(&id, m->data, sizeof(id));
    ng_mesg_free(m);
    char text[64];
    snprintf(text, sizeof(text), "[%x]:", id);
    struct ng_node *embryo;
    assert_int_equal(ng_node_find(g, text, &embryo), 0);
    ng_node_unref(embryo);
    assert_int_equal(fx_stat(g, "lis:", "accepts"), 2);
    /* The listener goes: its unhooked child goes with it, the hooked one stays. */
    assert_int_equal(ng_node_shutdown(lis), 0);
    ng_node_unref(lis);
    assert_int_equal(ng_graph_barrier(g), 0);
    assert_int_equal(ng_node_find(g, text, &embryo), -ENOENT);
    assert_int_not_equal(ng_node_is_valid(conn), 0);
    close(c2);
    ng_node_unref(conn);
    ng_node_shutdown(sink);
    ng_node_unref(sink);
    assert_int_equal(ng_graph_barrier(g), 0);
    assert_int_equal(fx_count_fds(), fds);
}

/* ---- connect -------------------------------------------------------------------- */

static void t_tcp_connect(void **state)
{
    FX_REQUIRE_NETNS();
    struct ng_graph *g = *state;
    int fds = fx_count_fds();
    struct ng_node *sink = fx_setup(g);
    struct sockaddr_storage sa, tmp;
    int lfd = fx_plain(AF_INET6, SOCK_STREAM, "inet6/[::1]", &sa);
    assert_int_equal(listen(lfd, 4), 0);
    struct ng_node *c = fx_ks(sink, "c", "inet6/stream/tcp", "c");
    assert_int_equal(fx_name(g, "c:", 1, &tmp), -ENOTCONN);
    assert_int_equal(ks_connect_to(g, sink, "c:", &sa, 0), 0);
    int sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    assert_true(sfd >= 0);
    struct timeval tv = {2, 0};
    setsockopt(sfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    assert_int_equal(fx_name(g, "c:", 1, &tmp), 0);
    assert_memory_equal(&tmp, &sa, sizeof(struct sockaddr_in6));
    char text[96];
    assert_true(ng_unparse(fx_ptype("getname", 1), &sa, sizeof(struct sockaddr_in6), text,
                           sizeof(text)) > 0);
    char *t = NULL;
    assert_int_equal(ng_send_ascii(g, "c:", "getpeername", &t), 0);
    assert_string_equal(t, text);
    free(t);
    /* Connecting again: the kernel's EISCONN. */
    assert_int_equal(fx_msg(g, sink, "c:", NGM_KSOCKET_CONNECT, &sa, fx_salen(&sa)), -EISCONN);
    plain_to_graph(sfd);
    graph_to_plain(sink, "c", sfd);
    /* Refused: the error comes back (at once or in the response). */
    struct sockaddr_storage dead;
    int dfd = fx_plain(AF_INET, SOCK_STREAM, "inet/127.0.0.1", &dead);
    close(dfd);
    struct ng_node *r = fx_ks(sink, "r", "inet/stream/tcp", "r");
    pthread_mutex_lock(&S.mu);
    unsigned nr = S.nresp;
    pthread_mutex_unlock(&S.mu);
    assert_int_equal(ks_connect_to(g, sink, "r:", &dead, nr), -ECONNREFUSED);
    assert_int_equal(fx_name(g, "r:", 1, &tmp), -ENOTCONN);
    close(sfd);
    close(lfd);
    ng_node_unref(c);
    ng_node_unref(r);
    ng_node_shutdown(sink);
    ng_node_unref(sink);
    assert_int_equal(ng_graph_barrier(g), 0);
    assert_int_equal(fx_count_fds(), fds);
}

/* ---- backpressure -------------------------------------------------------------- */

static void t_backpressure(void **state)
{
    FX_REQUIRE_NETNS();
    struct ng_graph *g = *state;
    int fds = fx_count_fds();
    struct ng_node *sink = fx_setup(g);
    struct sockaddr_storage sa;
    int lfd = fx_plain(AF_INET, SOCK_STREAM, "inet/192.0.2.1", &sa);
    int small = 4096;
    setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    assert_int_equal(listen(lfd, 4), 0);
    struct ng_node *c = fx_ks(sink, "c", "inet/stream/tcp", "c");
    assert_int_equal(
        ng_send_ascii(g, "c:", "setopt { level=1 name=7 value=[ 0x0 0x10 0x0 0x0 ] }", NULL), 0);
    assert_int_equal(ks_connect_to(g, sink, "c:", &sa, 0), 0);
    int sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    assert_true(sfd >= 0);
    /* Nobody reads: the socket buffers fill, then sendq, then drops.  Each
     * item starts with its index, so the stream read back shows which
     * items were kept (the callback may make room between drops). */
    enum { N = 1200, LEN = 1400 };
    static uint8_t b[LEN];
    unsigned refused = 0;
    for (unsigned k = 0; k < N; k++) {
        memcpy(b, &k, sizeof(k));
        for (unsigned i = sizeof(k); i < LEN; i++)
            b[i] = fx_pat((size_t)k * LEN + i);
        int rc = fx_send(sink, "c", b, LEN, NULL);
        assert_true(rc == 0 || rc == -ENOBUFS);
        refused += rc != 0;
    }
    unsigned long long qd = fx_stat(g, "c:", "tx_queuedrops");
    assert_true(qd > 0);
    assert_true(refused <= qd); /* an item queued at the busy node is refused later */
    assert_true(fx_stat(g, "c:", "tx_queued") > 0);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_true(st.drops[NG_DROP_QUEUE] >= qd);
    /* What was kept arrives, whole items in order: N - qd of them. */
    size_t want = (size_t)(N - qd) * LEN, got = 0;
    uint8_t *rb = malloc(want + 1);
    assert_non_null(rb);
    struct timeval tv = {2, 0};
    setsockopt(sfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    double rend = ngtest_now_s() + FX_TIMEOUT;
    while (got < want && ngtest_now_s() < rend) {
        ssize_t n = recv(sfd, rb + got, want + 1 - got, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    unsigned bad = 0, last = 0;
    for (size_t off = 0; off + LEN <= got; off += LEN) {
        unsigned k;
        memcpy(&k, rb + off, sizeof(k));
        bad += k >= N || (off && k <= last);
        for (unsigned i = sizeof(k); i < LEN && k < N; i++)
            bad += rb[off + i] != fx_pat((size_t)k * LEN + i);
        last = k;
    }
    free(rb);
    assert_int_equal(got, want);
    assert_int_equal(bad, 0);
    double end = ngtest_now_s() + FX_TIMEOUT;
    while (fx_stat(g, "c:", "tx_packets") != N - qd && ngtest_now_s() < end)
        fx_sleep_ms(1);
    assert_int_equal(fx_stat(g, "c:", "tx_packets"), N - qd);
    close(sfd);
    close(lfd);
    ng_node_unref(c);
    ng_node_shutdown(sink);
    ng_node_unref(sink);
    assert_int_equal(ng_graph_barrier(g), 0);
    assert_int_equal(fx_count_fds(), fds);
}

/* ---- local/stream ---------------------------------------------------------------- */

static char fx_dir[64];
static void t_local_stream(void **state)
{
    FX_REQUIRE_NETNS();
    struct ng_graph *g = *state;
    int fds = fx_count_fds();
    snprintf(fx_dir, sizeof(fx_dir), "/tmp/ksock-XXXXXX");
    assert_non_null(mkdtemp(fx_dir));
    char text[200];
    snprintf(text, sizeof(text), "bind local/\"%s/lis\"", fx_dir);
    struct ng_node *sink = fx_setup(g);
    struct ng_node *lis = fx_ks(sink, "lis", "local/stream/0", "lis");
    assert_int_equal(ng_send_ascii(g, "lis:", text, NULL), 0);
    assert_int_equal(ng_send_ascii(g, "lis:", "listen 2", NULL), 0);
    struct sockaddr_storage la;
    assert_int_equal(fx_name(g, "lis:", 0, &la), 0);
    int cfd = plain_connect(&la);
    char *resp = NULL;
    assert_int_equal(ng_send_ascii(g, "lis:", "accept", &resp), 0);
    unsigned id = 0;
    assert_int_equal(sscanf(resp, "{ nodeid=0x%x", &id), 1);
    free(resp);
    char path[32];
    snprintf(path, sizeof(path), "[%x]:", id);
    struct ng_node *conn;
    assert_int_equal(ng_node_find(g, path, &conn), 0);
    assert_int_equal(ng_connect(sink, "conn", conn, "data"), 0);
    assert_int_equal(send(cfd, "over local", 10, 0), 10);
    assert_true(fx_wait_bytes(10));
    assert_memory_equal(S.buf, "over local", 10);
    assert_int_equal(fx_send(sink, "conn", "and back", 8, NULL), 0);
    char rb[16];
    assert_int_equal(recv(cfd, rb, sizeof(rb), 0), 8);
    assert_memory_equal(rb, "and back", 8);
    shutdown(cfd, SHUT_WR);
    assert_true(fx_wait_zero(1));
    close(cfd);
    ng_node_unref(conn);
    ng_node_unref(lis);
    ng_node_shutdown(sink);
    ng_node_unref(sink);
    assert_int_equal(ng_graph_barrier(g), 0);
    snprintf(text, sizeof(text), "%s/lis", fx_dir);
    unlink(text);
    rmdir(fx_dir);
    fx_dir[0] = '\0';
    assert_int_equal(fx_count_fds(), fds);
}

/* ---- with a runtime: the watches are served by workers ---------------------- */

static void t_runtime(void **state)
{
    FX_REQUIRE_NETNS();
    struct ng_graph *g = *state;
    int fds = fx_count_fds();
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    struct ng_node *sink = fx_setup(g);
    struct sockaddr_storage sa;
    int lfd = fx_plain(AF_INET, SOCK_STREAM, "inet/127.0.0.1", &sa);
    assert_int_equal(listen(lfd, 4), 0);
    struct ng_node *c = fx_ks(sink, "c", "inet/stream/tcp", "c");
    assert_int_equal(ks_connect_to(g, sink, "c:", &sa, 0), 0);
    int sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    assert_true(sfd >= 0);
    struct timeval tv = {2, 0};
    setsockopt(sfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    plain_to_graph(sfd);
    graph_to_plain(sink, "c", sfd);
    close(sfd);
    assert_true(fx_wait_zero(1));
    /* UDP both ways while a worker reads the same socket. */
    struct ng_node *u = fx_ks(sink, "u", "inet/dgram/udp", "u");
    assert_int_equal(fx_bind(g, "u:", "inet/127.0.0.1:0"), 0);
    struct sockaddr_storage ua, pa;
    assert_int_equal(fx_name(g, "u:", 0, &ua), 0);
    int pfd = fx_plain(AF_INET, SOCK_DGRAM, "inet/127.0.0.1", &pa);
    assert_int_equal(fx_msg(g, NULL, "u:", NGM_KSOCKET_CONNECT, &pa, fx_salen(&pa)), 0);
    fx_sink_reset();
    uint8_t b[512], rb[1024];
    for (unsigned k = 0; k < 200; k++) {
        memset(b, (int)k, sizeof(b));
        assert_int_equal(sendto(pfd, b, sizeof(b), 0, (struct sockaddr *)&ua, fx_salen(&ua)),
                         (ssize_t)sizeof(b));
        /* One at a time: a descheduled worker must not let the kernel drop
         * datagrams for a full receive buffer (UDP is lossy). */
        assert_true(fx_wait_bytes((k + 1) * sizeof(b)));
        assert_int_equal(fx_send(sink, "u", b, sizeof(b), NULL), 0);
        assert_int_equal(recv(pfd, rb, sizeof(rb), 0), (ssize_t)sizeof(b));
        assert_memory_equal(rb, b, sizeof(b));
    }
    if (!fx_wait_bytes(200 * sizeof(b))) {
        char *t = NULL;
        ng_send_ascii(g, "u:", "textstatus", &t);
        fail_msg("got %zu bytes; %s", S.len, t ? t : "");
    }
    for (size_t i = 0; i < 200 * sizeof(b); i++)
        if (S.buf[i] != (uint8_t)(i / sizeof(b)))
            fail_msg("datagram %zu out of order", i / sizeof(b));
    close(pfd);
    close(lfd);
    ng_node_unref(c);
    ng_node_unref(u);
    ng_node_shutdown(sink);
    ng_node_unref(sink);
    ng_runtime_stop(rt);
    assert_int_equal(ng_graph_barrier(g), 0);
    assert_int_equal(fx_count_fds(), fds);
}

static int fx_group_teardown(void **state)
{
    (void)state;
    fx_sink_reset();
    if (fx_dir[0]) {
        char p[200];
        snprintf(p, sizeof(p), "%s/lis", fx_dir);
        unlink(p);
        rmdir(fx_dir);
    }
    return 0;
}

int main(void)
{
    fx_netns_enter();
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(t_tcp_accept),   ngtest_unit_test(t_tcp_connect),
        ngtest_unit_test(t_backpressure), ngtest_unit_test(t_local_stream),
        ngtest_unit_test(t_runtime),
    };
    return cmocka_run_group_tests(tests, NULL, fx_group_teardown);
}
