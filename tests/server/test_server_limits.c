/*
 * test_server_limits.c - the control server against bad and greedy
 * clients: malformed, truncated, oversize and lying frames (ACKed with an
 * error on a request channel, cut off elsewhere), handshake timeouts, a
 * client dying mid-frame, refused credentials (a child as nobody), the
 * connection cap, 1,000 clients at once, fragmented big responses, and a
 * client that does not read while the graph floods it (drops counted, an
 * OVERFLOW report when it reads again, other clients still served).
 */
#include "srvtest.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* Send raw bytes as one record. */
static void send_raw(int fd, const void *p, size_t n)
{
    assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static struct ngi_wire_hdr hdr(uint8_t kind, uint16_t addrlen, uint32_t paylen)
{
    struct ngi_wire_hdr h = {.magic = NGI_WIRE_MAGIC,
                             .version = NGI_WIRE_VERSION,
                             .kind = kind,
                             .addrlen = addrlen,
                             .paylen = paylen};
    return h;
}

/* Requests that cannot be decoded or checked: each ACKed with its error,
 * the channel carries on; then a frame of the wrong kind cuts it off. */
static void test_bad_requests(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    struct srvtest_client c;
    srvtest_client_open(&t, &c, "cli", 1, 0);
    static uint8_t buf[NGI_WIRE_MSG_MAX + 512];
    struct ngi_wire_hdr h;
    int nbad = 0;

    /* shorter than a header */
    memset(buf, 0, 10);
    send_raw(c.req, buf, 10);
    assert_int_equal(srvtest_ack(c.req, NULL), EPROTO), nbad++;
    /* bad magic, version, kind, flags */
    struct ngi_wire_hdr bads[4];
    for (int i = 0; i < 4; i++)
        bads[i] = hdr(NGI_WIRE_MSG, 0, 0);
    bads[0].magic = 0x1234;
    bads[1].version = 9;
    bads[2].kind = 99;
    bads[3].flags = 0x80;
    for (int i = 0; i < 4; i++) {
        send_raw(c.req, &bads[i], sizeof(bads[i]));
        assert_int_equal(srvtest_ack(c.req, NULL), EINVAL), nbad++;
    }
    /* lying lengths: paylen says more than the record has, and less */
    h = hdr(NGI_WIRE_MSG, 0, 100);
    memcpy(buf, &h, sizeof(h));
    send_raw(c.req, buf, sizeof(h) + 10);
    assert_int_equal(srvtest_ack(c.req, NULL), EMSGSIZE), nbad++;
    h = hdr(NGI_WIRE_MSG, 2, 0);
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), ".\0extra", 7);
    send_raw(c.req, buf, sizeof(h) + 7);
    assert_int_equal(srvtest_ack(c.req, NULL), EMSGSIZE), nbad++;
    /* an address without its NUL */
    h = hdr(NGI_WIRE_MSG, 3, 0);
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), "abc", 3);
    send_raw(c.req, buf, sizeof(h) + 3);
    assert_int_equal(srvtest_ack(c.req, NULL), EINVAL), nbad++;
    /* a record larger than any frame */
    h = hdr(NGI_WIRE_MSG, 0, (uint32_t)(sizeof(buf) - sizeof(h)));
    memset(buf, 0, sizeof(buf));
    memcpy(buf, &h, sizeof(h));
    send_raw(c.req, buf, sizeof(buf));
    assert_int_equal(srvtest_ack(c.req, NULL), EMSGSIZE), nbad++;
    /* DATA larger than NGI_WIRE_DATA_MAX */
    h = hdr(NGI_WIRE_DATA, 2, NGI_WIRE_DATA_MAX + 1);
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), "h", 2);
    send_raw(c.req, buf, sizeof(h) + 2 + NGI_WIRE_DATA_MAX + 1);
    assert_int_equal(srvtest_ack(c.req, NULL), EMSGSIZE), nbad++;
    /* MSG payloads that are not messages */
    struct ng_mesg *m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_NODEINFO, 64);
    uint32_t full = (uint32_t)sizeof(m->header) + 64;
    assert_int_equal(srvtest_send(c.req, NGI_WIRE_MSG, ".", m, 8), 0); /* short */
    assert_int_equal(srvtest_ack(c.req, NULL), EINVAL), nbad++;
    m->header.arglen = 1000; /* lies: more than sent */
    assert_int_equal(srvtest_send(c.req, NGI_WIRE_MSG, ".", m, full), 0);
    assert_int_equal(srvtest_ack(c.req, NULL), EMSGSIZE), nbad++;
    m->header.arglen = 10; /* lies: less than sent */
    assert_int_equal(srvtest_send(c.req, NGI_WIRE_MSG, ".", m, full), 0);
    assert_int_equal(srvtest_ack(c.req, NULL), EMSGSIZE), nbad++;
    m->header.arglen = 64;
    m->header.version = 3; /* bad version */
    assert_int_equal(srvtest_send(c.req, NGI_WIRE_MSG, ".", m, full), 0);
    assert_int_equal(srvtest_ack(c.req, NULL), EINVAL), nbad++;
    m->header.version = NG_VERSION;
    memset(m->header.cmdstr, 'x', sizeof(m->header.cmdstr)); /* unterminated */
    assert_int_equal(srvtest_send(c.req, NGI_WIRE_MSG, ".", m, full), 0);
    assert_int_equal(srvtest_ack(c.req, NULL), EINVAL), nbad++;
    m->header.cmdstr[0] = '\0';
    /* a fragment from a client */
    struct iovec iov[3];
    int niov = ngi_wire_encode(&h, iov, NGI_WIRE_MSG, ".", m, full, 0, 0, NGI_WIRE_F_MORE);
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)niov};
    assert_true(sendmsg(c.req, &mh, MSG_NOSIGNAL) > 0);
    assert_int_equal(srvtest_ack(c.req, NULL), EINVAL), nbad++;
    /* an empty path */
    assert_int_equal(srvtest_send(c.req, NGI_WIRE_MSG, NULL, m, full), 0);
    assert_int_equal(srvtest_ack(c.req, NULL), EINVAL);
    ng_mesg_free(m);
    /* still served */
    assert_int_equal(srvtest_msg(&c, ".", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), 0);
    assert_false(srvtest_readable(c.req, 0));
    struct ng_ctl_stats st;
    ng_ctl_stats(t.s, &st);
    assert_int_equal(st.bad_frames, nbad);
    assert_int_equal(st.cut_off, 0);
    /* a second HELLO: cut off, and with it the node (ctl stays, though:
     * the client attached one, so the node lives until it closes) */
    assert_int_equal(srvtest_send(c.req, NGI_WIRE_HELLO, NULL, NULL, 0), 0);
    assert_true(srvtest_eof(c.req));
    ng_ctl_stats(t.s, &st);
    assert_int_equal(st.bad_frames, nbad + 1);
    assert_int_equal(st.cut_off, 1);
    /* anything on a control channel cuts it off; the node goes with it */
    assert_int_equal(srvtest_send(c.ctl, NGI_WIRE_MSG, ".", NULL, 0), 0);
    assert_true(srvtest_eof(c.ctl));
    assert_true(srvtest_until(srvtest_node_gone, &t, "cli:"));
    ng_ctl_stats(t.s, &st);
    assert_int_equal(st.cut_off, 2);
    srvtest_client_close(&c);
    srvtest_stop(&t);
}

/* Bad first frames: ACKed with the error, then closed. */
static void test_bad_first_frames(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    struct {
        struct ngi_wire_hdr h;
        size_t len;
        int err;
    } cases[] = {
        {hdr(NGI_WIRE_HELLO, 0, 0), 7, EPROTO},
        {hdr(NGI_WIRE_ACK, 0, 0), sizeof(struct ngi_wire_hdr), EINVAL},
        {hdr(NGI_WIRE_MSG, 0, 0), sizeof(struct ngi_wire_hdr), EINVAL},
        {hdr(NGI_WIRE_DATA, 0, 0), sizeof(struct ngi_wire_hdr), EINVAL},
        {hdr(NGI_WIRE_HELLO, 0, 4), sizeof(struct ngi_wire_hdr), EMSGSIZE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int fd = srvtest_connect(t.path);
        assert_true(fd >= 0);
        send_raw(fd, &cases[i].h, cases[i].len);
        assert_int_equal(srvtest_ack(fd, NULL), cases[i].err);
        assert_true(srvtest_eof(fd));
        close(fd);
    }
    struct ng_ctl_stats st;
    ng_ctl_stats(t.s, &st);
    assert_int_equal(st.bad_frames, 5);
    assert_int_equal(st.cut_off, 5);
    assert_int_equal(st.clients_now, 0);
    srvtest_stop(&t);
}

/* A connection that says nothing is closed at the deadline; one that says
 * HELLO in time is not. */
static void test_handshake_timeout(void **state)
{
    (void)state;
    struct srvtest t;
    struct ng_ctl_config cfg;
    ng_ctl_config_init(&cfg);
    cfg.handshake_ms = 100;
    srvtest_start(&t, &cfg);
    int mute = srvtest_connect(t.path);
    assert_true(mute >= 0);
    struct srvtest_client c;
    srvtest_client_open(&t, &c, "ok", 1, 0);
    double t0 = ngtest_now_s();
    assert_true(srvtest_eof(mute));
    assert_true(ngtest_now_s() - t0 < 3.0);
    close(mute);
    usleep(200000);
    assert_int_equal(srvtest_msg(&c, ".", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), 0);
    struct ng_ctl_stats st;
    ng_ctl_stats(t.s, &st);
    assert_int_equal(st.handshake_timeouts, 1);
    srvtest_client_close(&c);
    srvtest_stop(&t);
}

static uint32_t count_nodes(struct srvtest_client *c)
{
    assert_int_equal(srvtest_msg(c, ".", NGM_GENERIC_COOKIE, NGM_LISTNODES, NULL, 0), 0);
    static uint8_t buf[NGI_WIRE_FRAME_MAX];
    struct ngi_wire_frame f;
    assert_true(srvtest_recv(c->ctl, buf, sizeof(buf), &f) > 0);
    assert_int_equal(f.hdr.flags, 0);
    struct namelist nl;
    memcpy(&nl, f.payload + sizeof(struct ng_mesg_header), sizeof(nl));
    return nl.numnames;
}

/* A client that dies after half a frame leaves nothing behind. */
static void test_half_frame(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    struct srvtest_client b, c;
    srvtest_client_open(&t, &b, "b", 1, 0);
    assert_int_equal(count_nodes(&b), 1);
    srvtest_client_open(&t, &c, "half", 1, 1);
    assert_int_equal(count_nodes(&b), 2);
    struct ngi_wire_hdr h = hdr(NGI_WIRE_MSG, 0, 1000);
    send_raw(c.req, &h, 12); /* a record cut short */
    srvtest_client_close(&c);
    assert_true(srvtest_until(srvtest_node_gone, &t, "half:"));
    assert_int_equal(count_nodes(&b), 1);
    srvtest_client_close(&b);
    srvtest_stop(&t);
}

/* Credentials: a process running as nobody can reach the socket (group
 * permissions) but is refused before anything is read. */
static void test_credentials(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        skip(); /* needs root to become nobody */
        return;
    }
    struct srvtest t;
    srvtest_start(&t, NULL);
    assert_int_equal(chmod(t.dir, 0755), 0);
    struct ng_ctl_config cfg;
    ng_ctl_config_init(&cfg);
    cfg.path = t.path;
    cfg.group_set = 1;
    cfg.group = 65534;
    assert_int_equal(ng_ctl_listen(t.g, &cfg, &t.s), 0);
    struct stat st;
    assert_int_equal(stat(t.path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0660);
    assert_int_equal(st.st_gid, 65534);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0)
            _exit(2);
        int fd = srvtest_connect(t.path);
        if (fd < 0)
            _exit(3);
        /* the server closes it unread: EOF (or a reset) on the first read */
        struct ngi_wire_hdr h = hdr(NGI_WIRE_HELLO, 0, 0);
        (void)send(fd, &h, sizeof(h), MSG_NOSIGNAL);
        char b[64];
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, SRVTEST_WAIT_MS) != 1)
            _exit(4);
        ssize_t n = recv(fd, b, sizeof(b), 0);
        _exit(n == 0 || (n < 0 && errno == ECONNRESET) ? 0 : 5);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    struct ng_ctl_stats cs;
    ng_ctl_stats(t.s, &cs);
    assert_int_equal(cs.refused_cred, 1);
    assert_int_equal(cs.accepted, 0);
    assert_int_equal(cs.clients_now, 0);
    /* allowed by gid */
    ng_ctl_close(t.s);
    cfg.gids[0] = 65534;
    cfg.n_gids = 1;
    assert_int_equal(ng_ctl_listen(t.g, &cfg, &t.s), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0)
            _exit(2);
        int fd = srvtest_connect(t.path);
        struct ngi_wire_hdr h = hdr(NGI_WIRE_HELLO, 0, 0);
        if (fd < 0 || send(fd, &h, sizeof(h), MSG_NOSIGNAL) != sizeof(h))
            _exit(3);
        struct ngi_wire_hdr a;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, SRVTEST_WAIT_MS) != 1 || recv(fd, &a, sizeof(a), 0) != sizeof(a))
            _exit(4);
        _exit(a.kind == NGI_WIRE_ACK && a.error == 0 && a.aux != 0 ? 0 : 5);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    ng_ctl_stats(t.s, &cs);
    assert_int_equal(cs.accepted, 1);
    srvtest_stop(&t);
}

/* More connections than max_clients: the extra ones are closed unread. */
static void test_max_clients(void **state)
{
    (void)state;
    struct srvtest t;
    struct ng_ctl_config cfg;
    ng_ctl_config_init(&cfg);
    cfg.max_clients = 2;
    srvtest_start(&t, &cfg);
    struct srvtest_client c;
    srvtest_client_open(&t, &c, "a", 1, 0); /* two connections */
    int fd = srvtest_connect(t.path);
    assert_true(fd >= 0);
    assert_true(srvtest_eof(fd));
    close(fd);
    struct ng_ctl_stats st;
    ng_ctl_stats(t.s, &st);
    assert_int_equal(st.refused_limit, 1);
    assert_int_equal(srvtest_msg(&c, ".", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), 0);
    srvtest_client_close(&c);
    srvtest_stop(&t);
}

#define MANY 1000

/* 1,000 clients connect at once and are all served. */
static void test_many_clients(void **state)
{
    (void)state;
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur < 3 * MANY) {
        rl.rlim_cur = rl.rlim_max < 4 * MANY ? rl.rlim_max : 4 * MANY;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < 2 * MANY + 64) {
        skip(); /* the hard limit does not allow both ends */
        return;
    }
    struct srvtest t;
    srvtest_start_default(&t);
    static int fds[MANY];
    double t0 = ngtest_now_s();
    for (int i = 0; i < MANY; i++) {
        fds[i] = srvtest_connect(t.path);
        assert_true(fds[i] >= 0);
    }
    for (int i = 0; i < MANY; i++)
        assert_int_equal(srvtest_send(fds[i], NGI_WIRE_HELLO, NULL, NULL, 0), 0);
    for (int i = 0; i < MANY; i++) {
        uint32_t id = 0;
        assert_int_equal(srvtest_ack(fds[i], &id), 0);
        assert_int_not_equal(id, 0);
    }
    struct ng_ctl_stats st;
    ng_ctl_stats(t.s, &st);
    assert_int_equal(st.clients_now, MANY);
    struct ng_mesg *m = ng_mesg_alloc(NGM_GENERIC_COOKIE, NGM_NODEINFO, 0);
    for (int i = 0; i < MANY; i++)
        assert_int_equal(srvtest_send(fds[i], NGI_WIRE_MSG, ".", m, sizeof(m->header)), 0);
    ng_mesg_free(m);
    for (int i = 0; i < MANY; i++)
        assert_int_equal(srvtest_ack(fds[i], NULL), 0);
    for (int i = 0; i < MANY; i++)
        close(fds[i]);
    assert_true(srvtest_until(srvtest_no_clients, &t, NULL));
    assert_true(ngtest_now_s() - t0 < 10.0);
    srvtest_stop(&t);
}

/* A response larger than NGI_WIRE_FRAG arrives in fragments. */
static void test_fragments(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    enum { N = 1200 }; /* 1200 nodeinfos: about 86 KiB */
    static struct ng_node *nodes[N];
    for (int i = 0; i < N; i++) {
        assert_int_equal(ng_node_create(t.g, "hole", &nodes[i]), 0);
        char name[NG_NODESIZ];
        snprintf(name, sizeof(name), "n%d", i);
        assert_int_equal(ng_node_name(nodes[i], name), 0);
    }
    struct srvtest_client c;
    srvtest_client_open(&t, &c, "cli", 1, 0);
    assert_int_equal(srvtest_msg(&c, ".", NGM_GENERIC_COOKIE, NGM_LISTNAMES, NULL, 0), 0);
    static uint8_t buf[NGI_WIRE_FRAME_MAX], msg[256 * 1024];
    size_t got = 0;
    uint32_t total = 0;
    int frames = 0;
    for (;;) {
        struct ngi_wire_frame f;
        assert_true(srvtest_recv(c.ctl, buf, sizeof(buf), &f) > 0);
        frames++;
        assert_true(f.paylen <= NGI_WIRE_FRAG);
        if (frames == 1)
            total = f.hdr.aux;
        assert_int_equal(f.hdr.aux, total);
        assert_true(got + f.paylen <= sizeof(msg));
        memcpy(msg + got, f.payload, f.paylen);
        got += f.paylen;
        if (!(f.hdr.flags & NGI_WIRE_F_MORE))
            break;
    }
    assert_true(frames >= 2);
    assert_int_equal(got, total);
    struct ng_mesg_header h;
    memcpy(&h, msg, sizeof(h));
    assert_int_equal(sizeof(h) + h.arglen, total);
    struct namelist nl;
    memcpy(&nl, msg + sizeof(h), sizeof(nl));
    assert_int_equal(nl.numnames, N + 1);
    for (int i = 0; i < N; i++) {
        ng_node_shutdown(nodes[i]);
        ng_node_unref(nodes[i]);
    }
    srvtest_client_close(&c);
    srvtest_stop(&t);
}

/* A client that does not read while the graph floods it: what does not fit
 * is dropped and counted, another client is served meanwhile, and when it
 * reads again it gets the rest and an OVERFLOW report; everything adds up. */
static void test_flood(void **state)
{
    (void)state;
    struct srvtest t;
    struct ng_ctl_config cfg;
    ng_ctl_config_init(&cfg);
    cfg.client_queue_bytes = 64 * 1024;
    srvtest_start(&t, &cfg);
    struct srvtest_client a, b;
    srvtest_client_open(&t, &a, "a", 1, 1);
    srvtest_client_open(&t, &b, "b", 1, 0);
    struct ng_node *src, *an;
    assert_int_equal(ng_node_create(t.g, "hole", &src), 0);
    assert_int_equal(ng_node_find(t.g, "a:", &an), 0);
    assert_int_equal(ng_connect(src, "out", an, "h"), 0);
    struct ng_hook *out;
    assert_int_equal(ng_hook_find(src, "out", &out), 0);
    enum { ITEMS = 2000, MSGS = 2000 };
    for (int i = 0; i < ITEMS; i++)
        assert_int_equal(ng_send_data(out, ngtest_item(t.g, 1000, (uint8_t)i)), 0);
    for (int i = 0; i < MSGS; i++) {
        struct ng_mesg *m = ng_mesg_alloc(12345, 1, 500);
        assert_int_equal(ng_send_msg(t.g, NULL, "a:", m, NULL), 0);
    }
    /* b is served while a's queues are full */
    assert_int_equal(srvtest_msg(&b, ".", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), 0);
    struct ng_ctl_stats st;
    ng_ctl_stats(t.s, &st);
    assert_true(st.data_dropped > 0);
    assert_true(st.msgs_dropped > 0);
    /* a reads everything */
    static uint8_t buf[NGI_WIRE_FRAME_MAX];
    uint64_t data_got = 0, msgs_got = 0, ovf_msgs = 0, ovf_data = 0;
    /* Until everything is accounted for (or nothing came for the wait). */
    for (int round = 0, idle = 0; round < 100000 && idle < SRVTEST_WAIT_MS / 100; round++) {
        struct pollfd p[2] = {{.fd = a.data, .events = POLLIN}, {.fd = a.ctl, .events = POLLIN}};
        if (poll(p, 2, 100) <= 0) {
            ng_ctl_stats(t.s, &st);
            if (data_got == st.data_out && st.data_out + st.data_dropped == ITEMS &&
                msgs_got + ovf_msgs == MSGS && ovf_data == st.data_dropped)
                break;
            idle++;
            continue;
        }
        idle = 0;
        struct ngi_wire_frame f;
        if (p[0].revents & POLLIN) {
            assert_true(srvtest_recv(a.data, buf, sizeof(buf), &f) > 0);
            assert_int_equal(f.paylen, 1000);
            data_got++;
        }
        if (p[1].revents & POLLIN) {
            assert_true(srvtest_recv(a.ctl, buf, sizeof(buf), &f) > 0);
            struct ng_mesg_header h;
            memcpy(&h, f.payload, sizeof(h));
            if (h.typecookie == NGM_SOCKET_COOKIE && h.cmd == NGM_SOCK_CMD_OVERFLOW) {
                struct ngm_sock_overflow o;
                memcpy(&o, f.payload + sizeof(h), sizeof(o));
                ovf_msgs += o.msgs_dropped;
                ovf_data += o.data_dropped;
            } else {
                assert_int_equal(h.typecookie, 12345);
                msgs_got++;
            }
        }
    }
    ng_ctl_stats(t.s, &st);
    assert_int_equal(data_got, st.data_out);
    assert_int_equal(st.data_out + st.data_dropped, ITEMS);
    assert_int_equal(ovf_data, st.data_dropped);
    /* b's NODEINFO response and the OVERFLOW reports are messages too */
    assert_true(ovf_msgs > 0);
    assert_int_equal(ovf_msgs, st.msgs_dropped);
    assert_int_equal(msgs_got + ovf_msgs, MSGS);
    ng_hook_unref(out);
    ng_node_unref(an);
    ng_node_shutdown(src);
    ng_node_unref(src);
    srvtest_client_close(&a);
    srvtest_client_close(&b);
    assert_true(srvtest_until(srvtest_no_clients, &t, NULL));
    struct ng_graph_stats gs;
    ng_graph_barrier(t.g);
    ng_graph_stats(t.g, &gs);
    assert_int_equal(gs.items_live, 0);
    srvtest_stop(&t);
}

/* Out of descriptors on accept: the waiting connection is refused (closed)
 * with the spare descriptor; the server carries on afterwards. */
static void test_emfile(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    struct rlimit old, rl;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    int low = open("/dev/null", O_RDONLY);
    assert_true(low >= 0);
    close(low);
    rl = old;
    rl.rlim_cur = (rlim_t)low + 1; /* exactly one more descriptor */
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
    int fd = srvtest_connect(t.path); /* takes it: the server's accept cannot */
    int eof = fd >= 0 && srvtest_eof(fd);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
    assert_true(fd >= 0);
    assert_true(eof);
    close(fd);
    struct ng_ctl_stats st;
    ng_ctl_stats(t.s, &st);
    assert_true(st.refused_limit >= 1);
    struct srvtest_client c;
    srvtest_client_open(&t, &c, "after", 0, 0);
    srvtest_client_close(&c);
    srvtest_stop(&t);
}

/* A client that sends requests without reading its ACKs is not read any
 * further once they back up; nothing is lost, others are served. */
static void test_ack_backpressure(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    struct srvtest_client a, b;
    srvtest_client_open(&t, &a, "a", 0, 0);
    srvtest_client_open(&t, &b, "b", 0, 0);
    struct ng_mesg *m = ng_mesg_alloc(NGM_SOCKET_COOKIE, NGM_SOCK_CMD_LINGER, 0);
    struct ngi_wire_hdr h;
    struct iovec iov[3];
    int niov = ngi_wire_encode(&h, iov, NGI_WIRE_MSG, ".", m, sizeof(m->header), 0, 0, 0);
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)niov};
    int sent = 0, eagain = 0;
    for (int i = 0; i < 200000 && eagain < 50; i++) {
        if (sendmsg(a.req, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) > 0) {
            sent++;
            eagain = 0;
        } else {
            assert_int_equal(errno, EAGAIN);
            eagain++;
            usleep(1000);
        }
    }
    ng_mesg_free(m);
    assert_int_equal(eagain, 50); /* the server stopped reading a */
    assert_int_equal(srvtest_msg(&b, ".", NGM_SOCKET_COOKIE, NGM_SOCK_CMD_LINGER, NULL, 0), 0);
    /* a reads every ACK */
    for (int i = 0; i < sent; i++)
        assert_int_equal(srvtest_ack(a.req, NULL), 0);
    struct ng_ctl_stats st;
    ng_ctl_stats(t.s, &st);
    assert_int_equal(st.requests, (uint64_t)sent + 1);
    srvtest_client_close(&a);
    srvtest_client_close(&b);
    srvtest_stop(&t);
}

/* Socket nodes no client owns, and clients without channels: what is sent
 * to them is dropped and counted; they cannot be attached. */
static void test_orphans(void **state)
{
    (void)state;
    struct srvtest t;
    srvtest_start_default(&t);
    struct ng_node *o, *h;
    assert_int_equal(ng_node_create(t.g, NG_SOCKET_NODE_TYPE, &o), 0);
    assert_int_equal(ng_node_name(o, "orphan"), 0);
    int fd = srvtest_connect(t.path);
    assert_int_equal(srvtest_send(fd, NGI_WIRE_ATTACH_CTL, "orphan:", NULL, 0), 0);
    assert_int_equal(srvtest_ack(fd, NULL), EINVAL);
    close(fd);
    assert_int_equal(ng_node_create(t.g, "hole", &h), 0);
    assert_int_equal(ng_connect(h, "out", o, "in"), 0);
    struct ng_hook *out;
    assert_int_equal(ng_hook_find(h, "out", &out), 0);
    assert_int_equal(ng_send_data(out, ngtest_item(t.g, 10, 1)), 0);
    assert_int_equal(ng_send_msg(t.g, NULL, "orphan:", ng_mesg_alloc(12345, 1, 0), NULL), 0);
    /* a client with a request channel only */
    struct srvtest_client c;
    srvtest_client_open(&t, &c, "c", 0, 0);
    struct ng_node *cn;
    assert_int_equal(ng_node_find(t.g, "c:", &cn), 0);
    assert_int_equal(ng_connect(h, "out2", cn, "in"), 0);
    struct ng_hook *out2;
    assert_int_equal(ng_hook_find(h, "out2", &out2), 0);
    struct ng_ctl_stats st0, st1;
    ng_ctl_stats(t.s, &st0);
    assert_int_equal(ng_send_data(out2, ngtest_item(t.g, 10, 1)), 0); /* black hole */
    assert_int_equal(ng_send_msg(t.g, NULL, "c:", ng_mesg_alloc(12345, 1, 0), NULL), 0);
    ng_ctl_stats(t.s, &st1);
    assert_int_equal(st1.data_dropped, st0.data_dropped + 1);
    assert_int_equal(st1.msgs_dropped, st0.msgs_dropped + 1);
    struct ng_graph_stats gs;
    ng_graph_stats(t.g, &gs);
    assert_true(gs.drops[NG_DROP_DEAD] >= 2);
    ng_hook_unref(out);
    ng_hook_unref(out2);
    ng_node_unref(cn);
    ng_node_shutdown(o);
    ng_node_unref(o);
    ng_node_shutdown(h);
    ng_node_unref(h);
    srvtest_client_close(&c);
    srvtest_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_bad_first_frames),
        cmocka_unit_test(test_handshake_timeout),
        cmocka_unit_test(test_half_frame),
        cmocka_unit_test(test_credentials),
        cmocka_unit_test(test_max_clients),
        cmocka_unit_test(test_many_clients),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_flood),
        cmocka_unit_test(test_emfile),
        cmocka_unit_test(test_ack_backpressure),
        cmocka_unit_test(test_orphans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
