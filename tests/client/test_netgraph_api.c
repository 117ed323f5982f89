/*
 * test_netgraph_api.c - libnetgraph's whole API against a live control
 * server, written as a FreeBSD program would be: it includes only
 * <netgraph.h> and libc headers and links only libnetgraph (the
 * "compiles with at most a changed include line" check), and the node
 * type header <netgraph/ng_tee.h> as such a program would.
 *
 *     test_netgraph_api SERVER_EXECUTABLE
 * starts SERVER_EXECUTABLE (tests/client/ngtest_server.c) on a socket in a
 * temporary directory, points NGRAPH_SOCKET at it, runs every case, and
 * stops the server at exit (also on failure; the server also exits when
 * this process dies, on EOF of its stdin pipe).  Exit status 0 = all
 * passed; a failed check prints its line and exits 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2 */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <netgraph.h>
#include <netgraph/ng_tee.h>

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: check failed: %s (errno %d %s)\n", __FILE__, __LINE__, #c,     \
                    errno, strerror(errno));                                                       \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)
/* A call that must fail with errno e. */
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

#define BUFSZ (sizeof(struct ng_mesg) + 8192)

/* ------------------------------------------------------------------------ */
/* The server                                                               */
/* ------------------------------------------------------------------------ */

static pid_t server_pid = -1;
static int server_stdin = -1;
static char tmpdir[64], sockdir[96], sockpath[128];

static void stop_server(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        int st = 0;
        /* bounded: 10 s, then SIGKILL */
        for (int i = 0; i < 1000; i++) {
            if (waitpid(server_pid, &st, WNOHANG) == server_pid) {
                server_pid = -1;
                break;
            }
            usleep(10000);
        }
        if (server_pid > 0) {
            fprintf(stderr, "server did not stop on SIGTERM: killing it\n");
            kill(server_pid, SIGKILL);
            waitpid(server_pid, &st, 0);
            server_pid = -1;
        }
    }
    if (server_stdin >= 0)
        close(server_stdin);
    if (sockpath[0])
        unlink(sockpath);
    if (sockdir[0])
        rmdir(sockdir);
    if (tmpdir[0])
        rmdir(tmpdir);
}

static void start_server(const char *exe)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/ngapiXXXXXX", t && strlen(t) < 40 ? t : "/tmp");
    CHECK(mkdtemp(tmpdir) != NULL);
    snprintf(sockdir, sizeof(sockdir), "%s/ctl", tmpdir);
    snprintf(sockpath, sizeof(sockpath), "%s/ngraph.sock", sockdir);
    atexit(stop_server);
    int in[2], out[2];
    CHECK(pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0);
    server_pid = fork();
    CHECK(server_pid >= 0);
    if (server_pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        execl(exe, exe, sockpath, "2", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    server_stdin = in[1];
    char buf[16] = "";
    size_t got = 0;
    /* bounded: 20 s for "ready\n" */
    for (int i = 0; i < 200 && got < 6; i++) {
        struct pollfd p = {.fd = out[0], .events = POLLIN};
        if (poll(&p, 1, 100) == 1) {
            ssize_t r = read(out[0], buf + got, sizeof(buf) - 1 - got);
            CHECK(r > 0);
            got += (size_t)r;
        }
    }
    close(out[0]);
    CHECK(got >= 6 && strncmp(buf, "ready\n", 6) == 0);
    CHECK(setenv("NGRAPH_SOCKET", sockpath, 1) == 0);
}

/* ------------------------------------------------------------------------ */
/* Log capture                                                              */
/* ------------------------------------------------------------------------ */

static char logbuf[65536];
static size_t loglen;
static int log_errno_seen;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

static void vcapture(int with_errno, const char *fmt, va_list ap)
{
    int e = errno;
    pthread_mutex_lock(&log_mu);
    if (loglen < sizeof(logbuf) - 1) {
        int n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, fmt, ap);
        if (n > 0)
            loglen += (size_t)n < sizeof(logbuf) - loglen ? (size_t)n : sizeof(logbuf) - 1 - loglen;
        if (with_errno) {
            log_errno_seen = e;
            n = snprintf(logbuf + loglen, sizeof(logbuf) - loglen, ": %s", strerror(e));
            if (n > 0 && (size_t)n < sizeof(logbuf) - loglen)
                loglen += (size_t)n;
        }
        if (loglen < sizeof(logbuf) - 1)
            logbuf[loglen++] = '\n';
        logbuf[loglen] = '\0';
    }
    pthread_mutex_unlock(&log_mu);
}

static void cap_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vcapture(1, fmt, ap);
    va_end(ap);
}

static void cap_logx(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vcapture(0, fmt, ap);
    va_end(ap);
}

static void log_reset(void)
{
    pthread_mutex_lock(&log_mu);
    loglen = 0;
    logbuf[0] = '\0';
    log_errno_seen = 0;
    pthread_mutex_unlock(&log_mu);
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

/* NODEINFO of path, sent from cs; the response checked and returned. */
static struct nodeinfo nodeinfo(int cs, const char *path)
{
    int tok = NgSendMsg(cs, path, NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0);
    CHECK(tok > 0);
    union {
        struct ng_mesg m;
        char b[BUFSZ];
    } u;
    char from[NG_PATHSIZ];
    int len = NgRecvMsg(cs, &u.m, sizeof(u), from);
    CHECK(len == (int)(sizeof(struct ng_mesg) + sizeof(struct nodeinfo)));
    CHECK(u.m.header.flags & NGF_RESP);
    CHECK(u.m.header.token == (uint32_t)tok);
    CHECK(u.m.header.cmd == (uint32_t)NGM_NODEINFO);
    struct nodeinfo ni;
    memcpy(&ni, u.m.data, sizeof(ni));
    char want[32];
    snprintf(want, sizeof(want), "[%x]:", (unsigned)ni.id);
    CHECK(strcmp(from, want) == 0);
    return ni;
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    CHECK(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the directory's own fd */
}

static void set_nonblock(int fd, int on)
{
    int fl = fcntl(fd, F_GETFL);
    CHECK(fl >= 0);
    CHECK(fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK) == 0);
}

static void mkpeer(int cs, const char *path, const char *type, const char *ours, const char *peers)
{
    struct ngm_mkpeer mp;
    memset(&mp, 0, sizeof(mp));
    snprintf(mp.type, sizeof(mp.type), "%s", type);
    snprintf(mp.ourhook, sizeof(mp.ourhook), "%s", ours);
    snprintf(mp.peerhook, sizeof(mp.peerhook), "%s", peers);
    CHECK(NgSendMsg(cs, path, NGM_GENERIC_COOKIE, NGM_MKPEER, &mp, sizeof(mp)) > 0);
}

/* ------------------------------------------------------------------------ */
/* Cases                                                                    */
/* ------------------------------------------------------------------------ */

static int cs, ds;         /* node "apitest" */
static struct nodeinfo me; /* its nodeinfo */

static void test_mksocknode(void)
{
    CHECK(NgMkSockNode("apitest", &cs, &ds) == 0);
    me = nodeinfo(cs, ".");
    CHECK(strcmp(me.name, "apitest") == 0);
    CHECK(strcmp(me.type, "socket") == 0);
    CHECK(me.hooks == 0);
    struct nodeinfo byname = nodeinfo(cs, "apitest:");
    CHECK(byname.id == me.id);

    /* unnamed, and each socket alone */
    int c2, d2;
    CHECK(NgMkSockNode(NULL, &c2, &d2) == 0);
    struct nodeinfo ni = nodeinfo(c2, ".");
    CHECK(ni.name[0] == '\0' && ni.id != me.id);
    int c3;
    CHECK(NgMkSockNode("", &c3, NULL) == 0);
    ni = nodeinfo(c3, ".");
    CHECK(ni.name[0] == '\0');
    int d3;
    CHECK(NgMkSockNode("onlydata", NULL, &d3) == 0);
    CHECK(nodeinfo(cs, "onlydata:").id > 0);
    CHECK(NgMkSockNode("nosockets", NULL, NULL) == 0);
    close(c2);
    close(d2);
    close(c3);
    close(d3);

    /* bad names, taken names, no server, a path too long */
    int x, y;
    CHECK_ERR(NgMkSockNode("apitest", &x, &y), EADDRINUSE);
    CHECK_ERR(NgMkSockNode("a.b", &x, &y), EINVAL);
    CHECK_ERR(NgMkSockNode("a_name_that_is_much_too_long_for_a_node", &x, &y), EINVAL);
    char longpath[200];
    memset(longpath, 'p', sizeof(longpath) - 1);
    longpath[sizeof(longpath) - 1] = '\0';
    CHECK_ERR(NgSetSocketPath(longpath), ENAMETOOLONG);
    CHECK(NgSetSocketPath("/nonexistent-ngraph-dir/ngraph.sock") == 0);
    CHECK_ERR(NgMkSockNode(NULL, &x, &y), ENOENT);
    CHECK(NgSetSocketPath(NULL) == 0);
    CHECK(NgMkSockNode(NULL, &x, NULL) == 0);
    close(x);
}

static void test_binary_msgs(void)
{
    /* LISTNODES: the reply is allocated to size */
    int tok = NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, NGM_LISTNODES, NULL, 0);
    CHECK(tok > 0);
    struct ng_mesg *m = NULL;
    char from[NG_PATHSIZ];
    int len = NgAllocRecvMsg(cs, &m, from);
    CHECK(len > 0 && m != NULL);
    CHECK(m->header.token == (uint32_t)tok && (m->header.flags & NGF_RESP));
    struct namelist *nl = (struct namelist *)m->data;
    CHECK(len == (int)(sizeof(*m) + sizeof(*nl) + nl->numnames * sizeof(struct nodeinfo)));
    int found = 0;
    for (uint32_t i = 0; i < nl->numnames; i++)
        found += strcmp(nl->nodeinfo[i].name, "apitest") == 0;
    CHECK(found == 1);
    free(m);

    /* tokens: one more per message */
    int t1 = NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, NGM_LISTHOOKS, NULL, 0);
    CHECK(t1 > 0);
    CHECK(NgAllocRecvMsg(cs, &m, NULL) > 0);
    free(m);
    int t2 = NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, NGM_LISTHOOKS, NULL, 0);
    CHECK(t2 == t1 + 1);
    CHECK(NgAllocRecvMsg(cs, &m, NULL) > 0);
    free(m);

    /* MKPEER an echo node, CONNECT a second node to us */
    mkpeer(cs, ".", "echo", "e", "in");
    CHECK(nodeinfo(cs, ".").hooks == 1);
    int c2, d2;
    CHECK(NgMkSockNode("second", &c2, &d2) == 0);
    struct ngm_connect cn;
    memset(&cn, 0, sizeof(cn));
    snprintf(cn.path, sizeof(cn.path), "apitest:");
    snprintf(cn.ourhook, sizeof(cn.ourhook), "x");
    snprintf(cn.peerhook, sizeof(cn.peerhook), "y");
    CHECK(NgSendMsg(c2, ".", NGM_GENERIC_COOKIE, NGM_CONNECT, &cn, sizeof(cn)) > 0);
    CHECK(nodeinfo(cs, ".").hooks == 2);
    const unsigned char pkt[] = "across";
    CHECK(NgSendData(d2, "x", pkt, sizeof(pkt)) == 0);
    unsigned char buf[256];
    char hook[NG_HOOKSIZ];
    CHECK(NgRecvData(ds, buf, sizeof(buf), hook) == (int)sizeof(pkt));
    CHECK(strcmp(hook, "y") == 0 && memcmp(buf, pkt, sizeof(pkt)) == 0);

    /* NgSendReplyMsg: a response with the original's header */
    struct ng_mesg orig;
    memset(&orig, 0, sizeof(orig));
    orig.header.version = NG_VERSION;
    orig.header.typecookie = 12345;
    orig.header.cmd = 99;
    orig.header.token = 777;
    snprintf(orig.header.cmdstr, sizeof(orig.header.cmdstr), "mycmd");
    CHECK(NgSendReplyMsg(c2, "apitest:", &orig, "ok", 3) == 0);
    union {
        struct ng_mesg m;
        char b[BUFSZ];
    } u;
    len = NgRecvMsg(cs, &u.m, sizeof(u), from);
    CHECK(len == (int)(sizeof(struct ng_mesg) + 3));
    CHECK(u.m.header.flags == NGF_RESP && u.m.header.token == 777 && u.m.header.cmd == 99);
    CHECK(u.m.header.typecookie == 12345 && strcmp(u.m.header.cmdstr, "mycmd") == 0);
    CHECK(strcmp(u.m.data, "ok") == 0);
    struct nodeinfo ni2 = nodeinfo(c2, ".");
    char want[32];
    snprintf(want, sizeof(want), "[%x]:", (unsigned)ni2.id);
    CHECK(strcmp(from, want) == 0);

    /* NgNameNode */
    CHECK(NgNameNode(cs, "second:", "renamed%d", 2) == 0);
    CHECK(nodeinfo(cs, "renamed2:").id == ni2.id);
    CHECK_ERR(NgNameNode(cs, "renamed2:", "%s", "a_name_that_is_much_too_long_for_a_node"), EINVAL);
    close(c2);
    close(d2);
}

static void test_data(void)
{
    /* through the echo node on hook "e" */
    const unsigned char hello[] = "hello";
    CHECK(NgSendData(ds, "e", hello, 5) == 0);
    unsigned char buf[2048];
    char hook[NG_HOOKSIZ];
    CHECK(NgRecvData(ds, buf, sizeof(buf), hook) == 5);
    CHECK(strcmp(hook, "e") == 0 && memcmp(buf, hello, 5) == 0);
    /* truncated as recvfrom() does */
    CHECK(NgSendData(ds, "e", (const unsigned char *)"0123456789", 10) == 0);
    CHECK(NgRecvData(ds, buf, 4, NULL) == 4 && memcmp(buf, "0123", 4) == 0);
    /* allocated, big, and empty */
    static unsigned char big[65536];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (unsigned char)(i * 7);
    CHECK(NgSendData(ds, "e", big, sizeof(big)) == 0);
    unsigned char *p = NULL;
    CHECK(NgAllocRecvData(ds, &p, hook) == (int)sizeof(big));
    CHECK(memcmp(p, big, sizeof(big)) == 0 && strcmp(hook, "e") == 0);
    free(p);
    CHECK(NgSendData(ds, "e", NULL, 0) == 0);
    CHECK(NgAllocRecvData(ds, &p, hook) == 0);
    free(p);
}

static void test_ascii(void)
{
    /* name the second node from ASCII, mkpeer a tee, an echo beyond it */
    int c2;
    CHECK(NgMkSockNode(NULL, &c2, NULL) == 0);
    CHECK(NgSendAsciiMsg(c2, ".", "name { name=\"asciinamed\" }") > 0);
    CHECK(strcmp(nodeinfo(cs, "asciinamed:").type, "socket") == 0);
    CHECK(NgSendAsciiMsg(cs, ".", "mkpeer { type=\"tee\" ourhook=\"t\" peerhook=\"left\" }") > 0);
    CHECK(NgNameNode(cs, "apitest:t", "apitee") == 0);
    CHECK(NgSendAsciiMsg(
              cs, "apitee:", "mkpeer { type=\"echo\" ourhook=\"right\" peerhook=\"x\" }") > 0);
    /* one packet around: t -> tee left -> right -> echo -> right -> left -> t */
    CHECK(NgSendData(ds, "t", (const unsigned char *)"abc", 3) == 0);
    unsigned char buf[64];
    char hook[NG_HOOKSIZ];
    CHECK(NgRecvData(ds, buf, sizeof(buf), hook) == 3 && strcmp(hook, "t") == 0);

    /* getstats: the binary reply, shown in ASCII */
    int tok = NgSendAsciiMsg(cs, "apitee:", "getstats");
    CHECK(tok > 0);
    union {
        struct ng_mesg m;
        char b[BUFSZ];
    } u;
    char from[NG_PATHSIZ];
    int len = NgRecvAsciiMsg(cs, &u.m, sizeof(u), from);
    CHECK(len == (int)(sizeof(struct ng_mesg) + u.m.header.arglen));
    CHECK(u.m.header.token == (uint32_t)tok && (u.m.header.flags & NGF_RESP));
    CHECK(strcmp(u.m.header.cmdstr, "getstats") == 0);
    CHECK(strstr(u.m.data, "inFrames=1") != NULL);
    struct nodeinfo tee = nodeinfo(cs, "apitee:");
    char want[32];
    snprintf(want, sizeof(want), "[%x]:", (unsigned)tee.id);
    CHECK(strcmp(from, want) == 0);

    /* the same in binary, with <netgraph/ng_tee.h>'s struct */
    tok = NgSendMsg(cs, "apitee:", NGM_TEE_COOKIE, NGM_TEE_GET_STATS, NULL, 0);
    CHECK(tok > 0);
    len = NgRecvMsg(cs, &u.m, sizeof(u), NULL);
    CHECK(len == (int)(sizeof(struct ng_mesg) + sizeof(struct ng_tee_stats)));
    CHECK(u.m.header.token == (uint32_t)tok);
    struct ng_tee_stats ts;
    memcpy(&ts, u.m.data, sizeof(ts));
    CHECK(ts.left.inFrames == 1 && ts.left.inOctets == 3 && ts.right.outFrames == 1);

    /* allocated; and a too small buffer */
    tok = NgSendAsciiMsg(cs, "apitee:", "  getstats  ");
    CHECK(tok > 0);
    struct ng_mesg *m = NULL;
    len = NgAllocRecvAsciiMsg(cs, &m, NULL);
    CHECK(len > 0 && m && m->header.token == (uint32_t)tok);
    CHECK(strstr(m->data, "left=") != NULL);
    free(m);
    CHECK(NgSendAsciiMsg(cs, "apitee:", "getstats") > 0);
    CHECK_ERR(NgRecvAsciiMsg(cs, &u.m, sizeof(struct ng_mesg) + 4, NULL), ERANGE);

    /* bad input */
    CHECK_ERR(NgSendAsciiMsg(cs, "apitee:", "frobnicate"), ENOSYS);
    CHECK_ERR(NgSendAsciiMsg(cs, ".", "mkpeer { type=\"tee\" ourhook= }"), EINVAL);
    CHECK_ERR(NgSendAsciiMsg(cs, ".", "   "), EINVAL);
    CHECK_ERR(NgSendAsciiMsg(cs, ".", "a_command_name_that_is_far_too_long x"), EINVAL);
    CHECK_ERR(NgSendAsciiMsg(cs, "nosuch:", "getstats"), ENOENT);
    CHECK(nodeinfo(cs, ".").id == me.id); /* nothing left unread on cs */
    close(c2);
}

static void test_errors(void)
{
    CHECK_ERR(NgSendMsg(cs, "nosuch:", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), ENOENT);
    CHECK_ERR(NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, 4242, NULL, 0), EINVAL);
    static char big[NG_MAX_MSG_ARGLEN + 1];
    CHECK_ERR(NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, NGM_NAME, big, sizeof(big)), EMSGSIZE);
    char longpath[NG_PATHSIZ + 8];
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[sizeof(longpath) - 1] = '\0';
    CHECK_ERR(NgSendMsg(cs, longpath, NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), ENAMETOOLONG);
    CHECK_ERR(NgSendData(ds, "nohook", (const unsigned char *)"x", 1), EHOSTUNREACH);
    CHECK_ERR(
        NgSendData(ds, "a_hook_name_that_is_much_too_long_here", (const unsigned char *)"x", 1),
        EINVAL);
    static unsigned char huge[65537];
    CHECK_ERR(NgSendData(ds, "e", huge, sizeof(huge)), EMSGSIZE);
    /* the wrong socket of a node, and files that are no node's */
    CHECK_ERR(NgSendMsg(ds, ".", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), EBADF);
    CHECK_ERR(NgSendData(cs, "e", (const unsigned char *)"x", 1), EBADF);
    CHECK_ERR(NgSendMsg(-1, ".", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), EBADF);
    CHECK_ERR(NgSendMsg(0, ".", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), EBADF);
    union {
        struct ng_mesg m;
        char b[BUFSZ];
    } u;
    CHECK_ERR(NgRecvMsg(ds, &u.m, sizeof(u), NULL), EBADF);
    unsigned char b[8];
    CHECK_ERR(NgRecvData(cs, b, sizeof(b), NULL), EBADF);

    /* a closed socket whose fd number was reused */
    int c2, d2;
    CHECK(NgMkSockNode(NULL, &c2, &d2) == 0);
    close(c2);
    int other = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    CHECK(other >= 0);
    int reuse = dup2(other, c2); /* the same number, another file */
    CHECK(reuse == c2);
    close(other);
    CHECK_ERR(NgSendMsg(reuse, ".", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), EBADF);
    close(reuse);
    close(d2);

    /* non-blocking sockets */
    set_nonblock(cs, 1);
    set_nonblock(ds, 1);
    CHECK_ERR(NgRecvMsg(cs, &u.m, sizeof(u), NULL), EAGAIN);
    struct ng_mesg *m = NULL;
    CHECK_ERR(NgAllocRecvMsg(cs, &m, NULL), EAGAIN);
    CHECK_ERR(NgRecvData(ds, b, sizeof(b), NULL), EAGAIN);
    unsigned char *p = NULL;
    CHECK_ERR(NgAllocRecvData(ds, &p, NULL), EAGAIN);
    /* a reply is readable as soon as NgSendMsg returns */
    CHECK(NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0) > 0);
    CHECK(NgRecvMsg(cs, &u.m, sizeof(u), NULL) > 0);
    set_nonblock(cs, 0);
    set_nonblock(ds, 0);

    /* too small a buffer: that message is discarded, the next one is whole */
    CHECK(NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0) > 0);
    CHECK_ERR(NgRecvMsg(cs, &u.m, sizeof(struct ng_mesg) + 4, NULL), EMSGSIZE);
    CHECK(nodeinfo(cs, ".").id == me.id);

    /* ENOTCONN once the node is shut down */
    int c3, d3;
    CHECK(NgMkSockNode("doomed", &c3, &d3) == 0);
    struct nodeinfo ni = nodeinfo(c3, ".");
    char path[32];
    snprintf(path, sizeof(path), "[%x]:", (unsigned)ni.id);
    CHECK(NgSendMsg(cs, path, NGM_GENERIC_COOKIE, NGM_SHUTDOWN, NULL, 0) > 0);
    /* bounded: the server closes the node's connections within 10 s */
    struct pollfd pc = {.fd = c3, .events = POLLIN};
    if (poll(&pc, 1, 10000) != 1) {
        fprintf(stderr, "the server did not close the connections of a shut-down node\n");
        exit(1);
    }
    CHECK_ERR(NgRecvMsg(c3, &u.m, sizeof(u), NULL), ENOTCONN);
    CHECK_ERR(NgRecvData(d3, b, sizeof(b), NULL), ENOTCONN);
    CHECK_ERR(NgSendMsg(c3, ".", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), ENOTCONN);
    CHECK_ERR(NgSendData(d3, "h", (const unsigned char *)"x", 1), ENOTCONN);
    CHECK_ERR(NgSendMsg(cs, "doomed:", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), ENOENT);
    close(c3);
    close(d3);
}

/* A message larger than one frame (NGI_WIRE_FRAG, 64 KiB): LISTNODES of
 * 1000 hole nodes (72 bytes each) arrives in fragments. */
static void test_fragments(void)
{
    int c2;
    CHECK(NgMkSockNode("many", &c2, NULL) == 0);
    for (int i = 0; i < 1000; i++) {
        char h[16];
        snprintf(h, sizeof(h), "h%d", i);
        mkpeer(c2, ".", "hole", h, "in");
    }
    CHECK(NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, NGM_LISTNODES, NULL, 0) > 0);
    struct ng_mesg *m = NULL;
    int len = NgAllocRecvMsg(cs, &m, NULL);
    CHECK(len > 70000 && m);
    struct namelist *nl = (struct namelist *)m->data;
    CHECK(nl->numnames > 1000);
    CHECK(len == (int)(sizeof(*m) + sizeof(*nl) + nl->numnames * sizeof(struct nodeinfo)));
    uint32_t holes = 0;
    for (uint32_t i = 0; i < nl->numnames; i++)
        holes += strcmp(nl->nodeinfo[i].type, "hole") == 0;
    CHECK(holes == 1000);
    /* into a big enough buffer, then one too small: discarded whole */
    size_t size = (size_t)len + 4096;
    struct ng_mesg *b = malloc(size);
    CHECK(b);
    CHECK(NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, NGM_LISTNODES, NULL, 0) > 0);
    CHECK(NgRecvMsg(cs, b, size, NULL) == len);
    CHECK(memcmp(b->data, m->data, (size_t)len - sizeof(*m)) == 0);
    CHECK(NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, NGM_LISTNODES, NULL, 0) > 0);
    CHECK_ERR(NgRecvMsg(cs, b, 65536, NULL), EMSGSIZE);
    CHECK(nodeinfo(cs, ".").id == me.id);
    free(b);
    free(m);
    close(c2); /* its node shuts down, and its hooks with it */
}

static void test_debug(void)
{
    CHECK(NgSetDebug(-1) == 0);
    NgSetErrLog(cap_log, cap_logx);
    log_reset();
    CHECK(NgSetDebug(1) == 0);
    CHECK_ERR(NgSendMsg(cs, "nosuch:", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), ENOENT);
    CHECK(strstr(logbuf, "NgSendMsg") != NULL && log_errno_seen == ENOENT);
    log_reset();
    CHECK(NgSetDebug(2) == 1);
    nodeinfo(cs, ".");
    CHECK(strstr(logbuf, "SENDING MESSAGE") && strstr(logbuf, "RECEIVED MESSAGE"));
    CHECK(strstr(logbuf, "nodeinfo") != NULL && strstr(logbuf, "0000:") == NULL);
    log_reset();
    CHECK(NgSetDebug(3) == 2);
    nodeinfo(cs, ".");
    CHECK(strstr(logbuf, "0000:") != NULL); /* the response's args, dumped */
    CHECK(NgSendData(ds, "e", (const unsigned char *)"dbg", 3) == 0);
    unsigned char buf[8];
    CHECK(NgRecvData(ds, buf, sizeof(buf), NULL) == 3);
    CHECK(strstr(logbuf, "SENDING DATA") && strstr(logbuf, "RECEIVED DATA"));
    CHECK(NgSetDebug(0) == 3);
    log_reset();
    CHECK_ERR(NgSendMsg(cs, "nosuch:", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0), ENOENT);
    CHECK(loglen == 0);
    NgSetErrLog(NULL, NULL);
    CHECK(NgSetDebug(-1) == 0);
}

/* Closed nodes' request connections are closed by the next NgMkSockNode. */
static void test_reap(void)
{
    int c2, d2;
    CHECK(NgMkSockNode(NULL, &c2, &d2) == 0); /* also reaps the nodes closed so far */
    int base = count_fds();
    close(c2);
    close(d2);
    CHECK(count_fds() == base - 2); /* its request connection stays open */
    CHECK(NgMkSockNode(NULL, &c2, &d2) == 0);
    CHECK(count_fds() == base); /* closed by this call: 3 new, 1 gone */
    close(c2);
    close(d2);
}

/* Several threads on one node, and one node each. */
#define NTHREADS 4
#define NROUNDS 200
static void *shared_node_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < NROUNDS; i++) {
        errno = 0;
        if (NgSendMsg(cs, "nosuch:", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0) != -1 ||
            errno != ENOENT)
            return "NgSendMsg";
        errno = 0;
        if (NgSendData(ds, "nohook", (const unsigned char *)"x", 1) != -1 || errno != EHOSTUNREACH)
            return "NgSendData";
    }
    return NULL;
}

static void *own_node_thread(void *arg)
{
    (void)arg;
    int c;
    if (NgMkSockNode(NULL, &c, NULL) != 0)
        return "NgMkSockNode";
    const char *err = NULL;
    for (int i = 0; i < NROUNDS && !err; i++) {
        int tok = NgSendMsg(c, ".", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0);
        struct ng_mesg *m = NULL;
        if (tok <= 0 || NgAllocRecvMsg(c, &m, NULL) <= 0 || m->header.token != (uint32_t)tok)
            err = "round trip";
        free(m);
    }
    close(c);
    return (void *)err;
}

static void test_threads(void)
{
    pthread_t t[2 * NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        CHECK(pthread_create(&t[i], NULL, shared_node_thread, NULL) == 0);
        CHECK(pthread_create(&t[NTHREADS + i], NULL, own_node_thread, NULL) == 0);
    }
    for (int i = 0; i < 2 * NTHREADS; i++) {
        void *r = NULL;
        CHECK(pthread_join(t[i], &r) == 0);
        if (r)
            fprintf(stderr, "thread %d: %s failed\n", i, (const char *)r);
        CHECK(r == NULL);
    }
}

/* A case that hangs (SIGALRM), or the test is stopped (SIGTERM, SIGINT):
 * stop the server, clean up and fail (only async-signal-safe calls). */
static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "test_netgraph_api: timed out or stopped\n";
    if (write(2, msg, sizeof(msg) - 1) < 0) {
        /* nothing more to do about it */
    }
    if (server_pid > 0) {
        kill(server_pid, SIGKILL);
        waitpid(server_pid, NULL, 0);
    }
    unlink(sockpath);
    rmdir(sockdir);
    rmdir(tmpdir);
    _exit(1);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_netgraph_api SERVER_EXECUTABLE\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGALRM, on_alarm);
    signal(SIGTERM, on_alarm);
    signal(SIGINT, on_alarm);
    alarm(50);
    start_server(argv[1]);
    struct {
        const char *name;
        void (*fn)(void);
    } cases[] = {
        {"mksocknode", test_mksocknode},
        {"binary_msgs", test_binary_msgs},
        {"data", test_data},
        {"ascii", test_ascii},
        {"errors", test_errors},
        {"fragments", test_fragments},
        {"debug", test_debug},
        {"reap", test_reap},
        {"threads", test_threads},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cases[i].fn();
        printf("ok %zu - %s\n", i + 1, cases[i].name);
    }
    close(cs);
    close(ds);
    return 0;
}
