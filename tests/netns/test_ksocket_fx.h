/*
 * test_ksocket_fx.h - fixture shared by the ksocket tests (test_ksocket.c,
 * test_ksocket_stream.c): a private network namespace (loopback up, plus
 * 192.0.2.1 on lo), a "kssink" node type that records the bytes, items and
 * responses it receives, and helpers to send messages and data.  Header
 * only (static functions), so each test binary stays one source file.
 *
 * Network rules (issue #13): the test process enters a namespace of its
 * own before any thread starts (unshare(CLONE_NEWNET)), touches only the
 * loopback interface there and sends only to 127.0.0.1, ::1 and
 * 192.0.2.1; the namespace goes with the process.  Without CAP_NET_ADMIN
 * every test says so and is skipped.
 */
#ifndef TEST_KSOCKET_FX_H
#define TEST_KSOCKET_FX_H

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes/ksocket.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

#include "ngtest.h"

#define FX_TIMEOUT 10.0 /* seconds any wait may take */

static int fx_netns_ok; /* 1: in our own namespace; 0: skip */

/* Enter a private network namespace and bring lo up (with 192.0.2.1 as a
 * second address).  Call first thing in main(), before any thread. */
static inline void fx_netns_enter(void)
{
    if (unshare(CLONE_NEWNET) != 0) {
        fprintf(stderr, "ksocket tests: no CAP_NET_ADMIN (unshare(CLONE_NEWNET): %s): skipped\n",
                strerror(errno));
        return;
    }
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
    int ok = s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
    ifr.ifr_flags |= IFF_UP;
    ok = ok && ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
    struct sockaddr_in sin = {.sin_family = AF_INET};
    inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo:1");
    memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
    ok = ok && ioctl(s, SIOCSIFADDR, &ifr) == 0;
    if (s >= 0)
        close(s);
    if (!ok) {
        fprintf(stderr, "ksocket tests: cannot set up lo in the namespace (%s): skipped\n",
                strerror(errno));
        return;
    }
    fx_netns_ok = 1;
}

#define FX_REQUIRE_NETNS()                                                                         \
    do {                                                                                           \
        if (!fx_netns_ok)                                                                          \
            skip();                                                                                \
    } while (0)

/* Open sockets of the process (the engine's own epoll and event fds are
 * not sockets, so a graph's event loop does not count). */
static inline int fx_count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));) {
        char p[300], l[64];
        snprintf(p, sizeof(p), "/proc/self/fd/%s", e->d_name);
        ssize_t k = readlink(p, l, sizeof(l) - 1);
        n += k > 7 && strncmp(l, "socket:", 7) == 0;
    }
    closedir(d);
    return n;
}

static inline void fx_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- the sink node type ---------------------------------------------------- */

#define FX_MAXRESP 16
struct fx_resp {
    uint32_t cmd, token, arglen;
    ng_id_t from;
    uint8_t data[256];
};
static struct fx_sink {
    pthread_mutex_t mu;
    uint8_t *buf;
    size_t len, cap;
    unsigned items, zero_items;
    struct ng_ksocket_meta meta; /* of the last item */
    struct fx_resp resp[FX_MAXRESP];
    unsigned nresp;
} S = {.mu = PTHREAD_MUTEX_INITIALIZER};

static inline void fx_sink_reset(void)
{
    pthread_mutex_lock(&S.mu);
    free(S.buf);
    S.buf = NULL;
    S.len = S.cap = 0;
    S.items = S.zero_items = S.nresp = 0;
    memset(&S.meta, 0, sizeof(S.meta));
    pthread_mutex_unlock(&S.mu);
}

static inline int fx_sink_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    (void)hook;
    uint32_t n = ng_item_len(item);
    pthread_mutex_lock(&S.mu);
    if (S.len + n > S.cap) {
        size_t nc = S.cap ? S.cap * 2 : 65536;
        while (nc < S.len + n)
            nc *= 2;
        uint8_t *nb = realloc(S.buf, nc);
        if (nb) {
            S.buf = nb;
            S.cap = nc;
        }
    }
    if (n && S.len + n <= S.cap) {
        memcpy(S.buf + S.len, ng_item_data(item), n);
        S.len += n;
    }
    S.items++;
    S.zero_items += n == 0;
    memcpy(&S.meta, ng_item_meta(item), sizeof(S.meta));
    pthread_mutex_unlock(&S.mu);
    ng_item_free(item);
    return 0;
}

static inline int fx_sink_rcvmsg(struct ng_node *node, struct ng_item *item,
                                 struct ng_hook *lasthook)
{
    (void)node;
    (void)lasthook;
    const struct ng_mesg *m = ng_item_msg(item);
    pthread_mutex_lock(&S.mu);
    if ((m->header.flags & NGF_RESP) && S.nresp < FX_MAXRESP) {
        struct fx_resp *r = &S.resp[S.nresp++];
        r->cmd = m->header.cmd;
        r->token = m->header.token;
        r->arglen = m->header.arglen;
        r->from = ng_item_msg_sender(item);
        memcpy(r->data, m->data, m->header.arglen < 256 ? m->header.arglen : 256);
    }
    pthread_mutex_unlock(&S.mu);
    ng_item_free(item);
    return 0;
}

static const struct ng_type fx_sink_type = {
    .version = NG_ABI_VERSION,
    .name = "kssink",
    .cookie = 0x6b73736bu,
    .rcvmsg = fx_sink_rcvmsg,
    .rcvdata = fx_sink_rcvdata,
};

/* Wait until the sink holds at least n bytes. */
static inline int fx_wait_bytes(size_t n)
{
    double end = ngtest_now_s() + FX_TIMEOUT;
    for (;;) {
        pthread_mutex_lock(&S.mu);
        size_t have = S.len;
        pthread_mutex_unlock(&S.mu);
        if (have >= n)
            return 1;
        if (ngtest_now_s() > end)
            return 0;
        fx_sleep_ms(1);
    }
}

/* Wait for the i-th response to reach the sink; copy it to *out. */
static inline int fx_wait_resp(unsigned i, struct fx_resp *out)
{
    double end = ngtest_now_s() + FX_TIMEOUT;
    for (;;) {
        pthread_mutex_lock(&S.mu);
        int have = S.nresp > i;
        if (have)
            *out = S.resp[i];
        pthread_mutex_unlock(&S.mu);
        if (have)
            return 1;
        if (ngtest_now_s() > end)
            return 0;
        fx_sleep_ms(1);
    }
}

static inline int fx_wait_zero(unsigned n)
{
    double end = ngtest_now_s() + FX_TIMEOUT;
    for (;;) {
        pthread_mutex_lock(&S.mu);
        unsigned z = S.zero_items;
        pthread_mutex_unlock(&S.mu);
        if (z >= n)
            return 1;
        if (ngtest_now_s() > end)
            return 0;
        fx_sleep_ms(1);
    }
}

/* ---- graph helpers ----------------------------------------------------------- */

/* Register ksocket and the sink in g; make the sink node "sink". */
static inline struct ng_node *fx_setup(struct ng_graph *g)
{
    int r = ng_type_register(g, &ng_ksocket_type);
    assert_true(r == 0 || r == -EEXIST);
    r = ng_type_register(g, &fx_sink_type);
    assert_true(r == 0 || r == -EEXIST);
    fx_sink_reset();
    struct ng_node *sink;
    assert_int_equal(ng_node_create(g, "kssink", &sink), 0);
    assert_int_equal(ng_node_name(sink, "sink"), 0);
    return sink;
}

/* A ksocket named name whose hook ks_hook is joined to the sink's sinkhook. */
static inline struct ng_node *fx_ks(struct ng_node *sink, const char *sinkhook, const char *ks_hook,
                                    const char *name)
{
    struct ng_node *n;
    assert_int_equal(ng_mkpeer(sink, sinkhook, NG_KSOCKET_NODE_TYPE, ks_hook, &n), 0);
    assert_int_equal(ng_node_name(n, name), 0);
    return n;
}

/* Send a ksocket message from node `from` (NULL: the application). */
static inline int fx_msg(struct ng_graph *g, struct ng_node *from, const char *path, uint32_t cmd,
                         const void *arg, uint32_t len)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_KSOCKET_COOKIE, cmd, len);
    assert_non_null(m);
    if (len)
        memcpy(m->data, arg, len);
    return ng_send_msg(g, from, path, m, NULL);
}

/* The same, waiting for the answer (caller frees *resp). */
static inline int fx_msg_sync(struct ng_graph *g, const char *path, uint32_t cmd, const void *arg,
                              uint32_t len, struct ng_mesg **resp)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_KSOCKET_COOKIE, cmd, len);
    assert_non_null(m);
    if (len)
        memcpy(m->data, arg, len);
    *resp = NULL;
    return ng_send_msg(g, NULL, path, m, resp);
}

/* The parse type of a ksocket command's argument (or response). */
static inline const struct ng_parse_type *fx_ptype(const char *cmd, int resp)
{
    for (const struct ng_cmdlist *c = ng_ksocket_type.cmdlist; c->name; c++)
        if (strcmp(c->name, cmd) == 0)
            return resp ? c->resp_type : c->mesg_type;
    fail_msg("no command %s", cmd);
    return NULL;
}

/* Parse a sockaddr text with the type's own parse type. */
static inline socklen_t fx_sa(const char *text, struct sockaddr_storage *ss)
{
    size_t len = sizeof(*ss);
    memset(ss, 0, sizeof(*ss));
    int rc = ng_parse(fx_ptype("bind", 0), text, NULL, ss, &len);
    assert_int_equal(rc, 0);
    return (socklen_t)len;
}

/* Bind node path to the address text; 0 or the error. */
static inline int fx_bind(struct ng_graph *g, const char *path, const char *text)
{
    struct sockaddr_storage ss;
    socklen_t sl = fx_sa(text, &ss);
    return fx_msg(g, NULL, path, NGM_KSOCKET_BIND, &ss, sl);
}

/* GETNAME (peer 0) or GETPEERNAME (1) of path into *ss; 0 or the error. */
static inline int fx_name(struct ng_graph *g, const char *path, int peer,
                          struct sockaddr_storage *ss)
{
    struct ng_mesg *r;
    int rc =
        fx_msg_sync(g, path, peer ? NGM_KSOCKET_GETPEERNAME : NGM_KSOCKET_GETNAME, NULL, 0, &r);
    if (rc == 0) {
        assert_non_null(r);
        assert_true(r->header.arglen <= sizeof(*ss));
        memset(ss, 0, sizeof(*ss));
        memcpy(ss, r->data, r->header.arglen);
    }
    ng_mesg_free(r);
    return rc;
}

/* Send len bytes out of the sink's hook (with meta if not NULL). */
static inline int fx_send(struct ng_node *sink, const char *hook, const void *data, uint32_t len,
                          const struct ng_ksocket_meta *meta)
{
    struct ng_hook *h;
    assert_int_equal(ng_hook_find(sink, hook, &h), 0);
    struct ng_item *it = ng_item_alloc(ng_node_graph(sink), len);
    assert_non_null(it);
    memcpy(ng_item_data(it), data, len);
    if (meta)
        memcpy(ng_item_meta(it), meta, sizeof(*meta));
    int rc = ng_send_data(h, it);
    ng_hook_unref(h);
    return rc;
}

/* A plain socket of the test, bound to text's address (port 0: any). */
static inline int fx_plain(int family, int type, const char *text, struct sockaddr_storage *bound)
{
    struct sockaddr_storage ss;
    socklen_t sl = fx_sa(text, &ss);
    int fd = socket(family, type | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    assert_int_equal(bind(fd, (struct sockaddr *)&ss, sl), 0);
    socklen_t bl = sizeof(*bound);
    assert_int_equal(getsockname(fd, (struct sockaddr *)bound, &bl), 0);
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

static inline socklen_t fx_salen(const struct sockaddr_storage *ss)
{
    return ss->ss_family == AF_INET6  ? sizeof(struct sockaddr_in6)
           : ss->ss_family == AF_INET ? sizeof(struct sockaddr_in)
                                      : sizeof(struct sockaddr_un);
}

static inline uint16_t fx_port(const struct sockaddr_storage *ss)
{
    return ss->ss_family == AF_INET6 ? ntohs(((const struct sockaddr_in6 *)ss)->sin6_port)
                                     : ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static inline uint8_t fx_pat(size_t off)
{
    return (uint8_t)(off ^ (off >> 8) ^ (off >> 16) ^ 0x5a);
}

/* TEXT_STATUS of path; the value of counter `name` in it. */
static inline unsigned long long fx_stat(struct ng_graph *g, const char *path, const char *name)
{
    char *text = NULL;
    assert_int_equal(ng_send_ascii(g, path, "textstatus", &text), 0);
    assert_non_null(text);
    char key[64];
    snprintf(key, sizeof(key), "%s=", name);
    const char *p = strstr(text, key);
    unsigned long long v = p ? strtoull(p + strlen(key), NULL, 10) : ~0ull;
    free(text);
    return v;
}

#endif
