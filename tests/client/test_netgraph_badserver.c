/*
 * test_netgraph_badserver.c - libnetgraph against fake servers that
 * misbehave: every malformed or unexpected frame a server could send gets
 * a clear error (EACCES, EPROTO, ENOTCONN) and leaves the library usable.
 * Like test_netgraph_api it includes only <netgraph.h> and libc and links
 * only libnetgraph; the frames are written by hand here from
 * docs/protocol.md (struct frame_hdr mirrors src/wire/wire.h).
 *
 *     test_netgraph_badserver
 * Exit status 0 = all passed; a failed check prints its line and exits 1.
 * Everything is bounded (poll timeouts, alarm) and the temporary directory
 * is removed at exit.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <netgraph.h>

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: check failed: %s (errno %d %s)\n", __FILE__, __LINE__, #c,     \
                    errno, strerror(errno));                                                       \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)
#define CHECK_ERR(call, e)                                                                         \
    do {                                                                                           \
        errno = 0;                                                                                 \
        int r_ = (call);                                                                           \
        if (r_ != -1 || errno != (e)) {                                                            \
            fprintf(stderr, "%s:%d: %s: returned %d errno %d (%s), wanted -1 errno %d (%s)\n",     \
                    __FILE__, __LINE__, #call, r_, errno, strerror(errno), e, strerror(e));        \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

/* The frame header of docs/protocol.md. */
struct frame_hdr {
    uint16_t magic;
    uint8_t version;
    uint8_t kind;
    uint16_t addrlen;
    uint16_t flags;
    int32_t error;
    uint32_t aux;
    uint32_t paylen;
};
enum { K_HELLO = 1, K_ATTACH_CTL, K_ATTACH_DATA, K_ACK, K_MSG, K_DATA };
#define F_MORE 1u

static char tmpdir[64], sockpath[128];

static void cleanup(void)
{
    if (sockpath[0])
        unlink(sockpath);
    if (tmpdir[0])
        rmdir(tmpdir);
}

/* Send one frame; addr may be NULL; paylen_claim is what the header says
 * (normally paylen). */
static void send_frame(int fd, int kind, const char *addr, const void *pay, size_t paylen,
                       uint16_t flags, int32_t error, uint32_t aux)
{
    struct frame_hdr h = {.magic = 0x474e,
                          .version = 1,
                          .kind = (uint8_t)kind,
                          .flags = flags,
                          .error = error,
                          .aux = aux,
                          .paylen = (uint32_t)paylen};
    h.addrlen = addr ? (uint16_t)(strlen(addr) + 1) : 0;
    struct iovec iov[3] = {{&h, sizeof(h)}, {(void *)addr, h.addrlen}, {(void *)pay, paylen}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 3};
    CHECK(sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)(sizeof(h) + h.addrlen + paylen));
}

/* Read one record (bounded: 10 s); returns its kind, 0 on EOF/timeout. */
static int read_frame(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 10000) != 1)
        return 0;
    unsigned char buf[70000];
    ssize_t r = read(fd, buf, sizeof(buf));
    if (r < (ssize_t)sizeof(struct frame_hdr))
        return 0;
    return ((struct frame_hdr *)buf)->kind;
}

static int listen_on(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    CHECK(fd >= 0);
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    CHECK(strlen(path) < sizeof(sun.sun_path));
    memcpy(sun.sun_path, path, strlen(path) + 1);
    unlink(path);
    CHECK(bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
    CHECK(listen(fd, 8) == 0);
    return fd;
}

static int accept_one(int lfd)
{
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    if (poll(&p, 1, 10000) != 1)
        return -1;
    return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

/* ------------------------------------------------------------------------ */
/* Refusals during NgMkSockNode                                             */
/* ------------------------------------------------------------------------ */

struct refuse {
    int lfd;
    int mode; /* 0: close at once; 1: answer garbage; 2: a MSG, not an ACK; 3: ACK EADDRINUSE */
};

static void *refuse_server(void *arg)
{
    struct refuse *f = arg;
    int c = accept_one(f->lfd);
    if (c < 0)
        return NULL;
    if (f->mode > 0 && read_frame(c) == K_HELLO) {
        if (f->mode == 1 && write(c, "garbage!", 8) != 8)
            fprintf(stderr, "refuse server: write failed\n");
        if (f->mode == 2)
            send_frame(c, K_MSG, "[1]:", "12345678", 8, 0, 0, 8);
        if (f->mode == 3)
            send_frame(c, K_ACK, NULL, NULL, 0, 0, EADDRINUSE, 0);
    }
    close(c);
    return NULL;
}

static void test_refusals(void)
{
    static const int want[] = {EACCES, EPROTO, EPROTO, EADDRINUSE};
    for (int mode = 0; mode < 4; mode++) {
        struct refuse f = {.lfd = listen_on(sockpath), .mode = mode};
        pthread_t t;
        CHECK(pthread_create(&t, NULL, refuse_server, &f) == 0);
        int x, y;
        CHECK_ERR(NgMkSockNode("fake", &x, &y), want[mode]);
        CHECK(pthread_join(t, NULL) == 0);
        close(f.lfd);
    }
}

/* ------------------------------------------------------------------------ */
/* Bad frames after the handshake                                           */
/* ------------------------------------------------------------------------ */

/* A message: header (56 bytes) + arglen bytes, in buf. */
static size_t make_msg(unsigned char *buf, uint32_t arglen, uint32_t claim)
{
    struct ng_mesg m;
    memset(&m, 0, sizeof(m));
    m.header.version = NG_VERSION;
    m.header.arglen = claim;
    m.header.cmd = 7;
    m.header.token = 42;
    m.header.typecookie = 1;
    snprintf(m.header.cmdstr, sizeof(m.header.cmdstr), "seven");
    memcpy(buf, &m, sizeof(m));
    memset(buf + sizeof(m), 'a', arglen);
    return sizeof(m) + arglen;
}

static void *bad_server(void *arg)
{
    int lfd = *(int *)arg;
    int req = accept_one(lfd);
    CHECK(req >= 0 && read_frame(req) == K_HELLO);
    send_frame(req, K_ACK, NULL, NULL, 0, 0, 0, 7);
    int ctl = accept_one(lfd);
    CHECK(ctl >= 0 && read_frame(ctl) == K_ATTACH_CTL);
    send_frame(ctl, K_ACK, NULL, NULL, 0, 0, 0, 7);
    int data = accept_one(lfd);
    CHECK(data >= 0 && read_frame(data) == K_ATTACH_DATA);
    send_frame(data, K_ACK, NULL, NULL, 0, 0, 0, 7);

    unsigned char m[256];
    size_t len;
    /* control channel, one case per NgRecvMsg of the test */
    send_frame(ctl, K_DATA, "hook", "xx", 2, 0, 0, 0); /* 1: not a message */
    len = make_msg(m, 8, 8);                           /* 2: fragments disagree on the total */
    send_frame(ctl, K_MSG, "[1]:", m, 30, F_MORE, 0, (uint32_t)len);
    send_frame(ctl, K_MSG, "[1]:", m + 30, len - 30, 0, 0, (uint32_t)len + 1);
    send_frame(ctl, K_MSG, "[1]:", m, 10, 0, 0, 10); /* 3: shorter than a header */
    len = make_msg(m, 8, 100);                       /* 4: arglen over the payload */
    send_frame(ctl, K_MSG, "[1]:", m, len, 0, 0, (uint32_t)len);
    CHECK(write(ctl, "short", 5) == 5); /* 5: not a frame */
    len = make_msg(m, 8, 8);            /* 6: good, in two fragments */
    send_frame(ctl, K_MSG, "[1]:", m, 30, F_MORE, 0, (uint32_t)len);
    send_frame(ctl, K_MSG, "[1]:", m + 30, len - 30, 0, 0, (uint32_t)len);
    send_frame(ctl, K_MSG, "[1]:", m, len, 0, 0, (uint32_t)len); /* 7: good, one frame */
    /* data channel */
    send_frame(data, K_MSG, "[1]:", m, len, 0, 0, (uint32_t)len); /* 1: not data */
    send_frame(data, K_DATA, "h", "data", 4, 0, 0, 0);            /* 2: good */
    /* request channel: three requests, three bad answers, one good */
    CHECK(read_frame(req) == K_MSG);
    send_frame(req, K_MSG, "[1]:", m, len, 0, 0, (uint32_t)len); /* not an ACK */
    CHECK(read_frame(req) == K_MSG);
    send_frame(req, K_ACK, NULL, NULL, 0, 0, 100000, 0); /* no errno */
    CHECK(read_frame(req) == K_DATA);
    send_frame(req, K_ACK, NULL, NULL, 0, 0, ENOBUFS, 0); /* the graph's error */
    CHECK(read_frame(req) == K_MSG);
    send_frame(req, K_ACK, NULL, NULL, 0, 0, 0, 0);
    /* then the server goes */
    close(ctl);
    close(data);
    close(req);
    return NULL;
}

static void test_bad_frames(void)
{
    int lfd = listen_on(sockpath);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, bad_server, &lfd) == 0);
    int cs, ds;
    CHECK(NgMkSockNode("fake", &cs, &ds) == 0);
    union {
        struct ng_mesg m;
        char b[4096];
    } u;
    char from[NG_PATHSIZ];
    for (int i = 1; i <= 5; i++)
        CHECK_ERR(NgRecvMsg(cs, &u.m, sizeof(u), from), EPROTO);
    CHECK(NgRecvMsg(cs, &u.m, sizeof(u), from) == (int)sizeof(struct ng_mesg) + 8);
    CHECK(u.m.header.token == 42 && strcmp(u.m.header.cmdstr, "seven") == 0);
    CHECK(strcmp(from, "[1]:") == 0);
    struct ng_mesg *m = NULL;
    CHECK(NgAllocRecvMsg(cs, &m, NULL) == (int)sizeof(struct ng_mesg) + 8);
    CHECK(m->data[7] == 'a');
    free(m);
    unsigned char buf[16];
    char hook[NG_HOOKSIZ];
    CHECK_ERR(NgRecvData(ds, buf, sizeof(buf), hook), EPROTO);
    CHECK(NgRecvData(ds, buf, sizeof(buf), hook) == 4 && strcmp(hook, "h") == 0);
    CHECK_ERR(NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, NGM_SHUTDOWN, NULL, 0), EPROTO);
    CHECK_ERR(NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, NGM_SHUTDOWN, NULL, 0), EPROTO);
    CHECK_ERR(NgSendData(ds, "h", buf, 1), ENOBUFS);
    CHECK(NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, NGM_SHUTDOWN, NULL, 0) > 0);
    CHECK(pthread_join(t, NULL) == 0);
    /* the server has gone */
    CHECK_ERR(NgRecvMsg(cs, &u.m, sizeof(u), NULL), ENOTCONN);
    CHECK_ERR(NgRecvData(ds, buf, sizeof(buf), NULL), ENOTCONN);
    CHECK_ERR(NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, NGM_SHUTDOWN, NULL, 0), ENOTCONN);
    close(cs);
    close(ds);
    close(lfd);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "test_netgraph_badserver: timed out or stopped\n";
    if (write(2, msg, sizeof(msg) - 1) < 0) {
        /* nothing more to do about it */
    }
    unlink(sockpath);
    rmdir(tmpdir);
    _exit(1);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGALRM, on_alarm);
    signal(SIGTERM, on_alarm);
    signal(SIGINT, on_alarm);
    alarm(50);
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/ngbadXXXXXX", t && strlen(t) < 40 ? t : "/tmp");
    CHECK(mkdtemp(tmpdir) != NULL);
    snprintf(sockpath, sizeof(sockpath), "%s/fake.sock", tmpdir);
    atexit(cleanup);
    CHECK(NgSetSocketPath(sockpath) == 0);
    test_refusals();
    printf("ok 1 - refusals\n");
    test_bad_frames();
    printf("ok 2 - bad frames\n");
    return 0;
}
