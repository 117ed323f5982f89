/*
 * netns.c - network namespace fixture for the netns tests (netns.h): the
 * process's private namespace, named peer namespaces, veth pairs, sockets
 * in a namespace, cleanup at exit and on signals, and the "nssink" node
 * type.
 */
#include "netns.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ngraph/message.h>

#define NGT_MAX_NS 8

static int ns_ok;
static pid_t ns_owner;                            /* the process that made the namespaces */
static char ns_names[NGT_MAX_NS][NGT_NS_NAMESIZ]; /* named namespaces to delete */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* fork + exec "ip netns del NAME" (async-signal-safe enough for a handler). */
static void ns_delete_one(const char *name)
{
    pid_t c = fork();
    if (c == 0) {
        int dn = open("/dev/null", O_WRONLY);
        if (dn >= 0) {
            dup2(dn, 1);
            dup2(dn, 2);
        }
        execlp("ip", "ip", "netns", "del", name, (char *)NULL);
        _exit(127);
    }
    if (c > 0)
        while (waitpid(c, NULL, 0) < 0 && errno == EINTR)
            ;
}

void ngt_netns_cleanup(void)
{
    if (getpid() != ns_owner)
        return;
    for (int i = 0; i < NGT_MAX_NS; i++) {
        if (ns_names[i][0]) {
            ns_delete_one(ns_names[i]);
            ns_names[i][0] = '\0';
        }
    }
}

static void on_signal(int sig)
{
    ngt_netns_cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Namespaces left by a test process killed with SIGKILL (no handler can
 * run then): "ngt-<pid>-*" whose pid no longer exists. */
static void ns_reap_stale(void)
{
    DIR *d = opendir("/run/netns");
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        int pid = 0;
        if (sscanf(e->d_name, "ngt-%d-", &pid) == 1 && pid > 0 && kill(pid, 0) < 0 &&
            errno == ESRCH)
            ns_delete_one(e->d_name);
    }
    closedir(d);
}

int ngt_netns_init(void)
{
    if (unshare(CLONE_NEWNET) < 0) {
        int e = errno;
        fprintf(stderr,
                "netns: unshare(CLONE_NEWNET): %s: these tests need CAP_NET_ADMIN "
                "(root); skipping\n",
                strerror(e));
        return e == EPERM || e == EACCES ? -EPERM : -e;
    }
    ns_owner = getpid();
    ns_reap_stale();
    atexit(ngt_netns_cleanup);
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGABRT};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigaction(sigs[i], &sa, NULL);
    }
    if (ngt_sh("ip link set lo up") != 0)
        return -EIO;
    ns_ok = 1;
    return 0;
}

int ngt_netns_available(void) { return ns_ok; }

int ngt_sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(cmd))
        return -1;
    pid_t c = fork();
    if (c < 0)
        return -1;
    if (c == 0) {
        dup2(2, 1);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(c, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int ngt_netns_add(const char *tag, char *name)
{
    int slot = -1;
    for (int i = 0; i < NGT_MAX_NS && slot < 0; i++)
        if (!ns_names[i][0])
            slot = i;
    if (slot < 0)
        return -ENOSPC;
    snprintf(name, NGT_NS_NAMESIZ, "ngt-%d-%s", (int)getpid(), tag);
    if (ngt_sh("ip netns add %s", name) != 0)
        return -EIO;
    snprintf(ns_names[slot], NGT_NS_NAMESIZ, "%s", name);
    if (ngt_sh("ip -n %s link set lo up", name) != 0)
        return -EIO;
    return 0;
}

void ngt_netns_del(const char *name)
{
    for (int i = 0; i < NGT_MAX_NS; i++) {
        if (ns_names[i][0] && strcmp(ns_names[i], name) == 0) {
            ns_delete_one(name);
            ns_names[i][0] = '\0';
        }
    }
}

/* Switch the calling thread to namespace ns; *self receives a descriptor
 * of the one it was in (for ns_leave). */
static int ns_enter(const char *ns, int *self)
{
    char path[128];
    snprintf(path, sizeof(path), "/run/netns/%s", ns);
    *self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (*self < 0)
        return -errno;
    int other = open(path, O_RDONLY | O_CLOEXEC);
    int rc = 0;
    if (other < 0 || setns(other, CLONE_NEWNET) < 0)
        rc = -errno;
    if (other >= 0)
        close(other);
    if (rc < 0)
        close(*self);
    return rc;
}

static void ns_leave(int self)
{
    if (setns(self, CLONE_NEWNET) < 0)
        abort(); /* cannot go home: nothing sensible is left to do */
    close(self);
}

int ngt_netns_socket(const char *ns, int domain, int type, int proto)
{
    int self = -1, rc;
    if (ns && (rc = ns_enter(ns, &self)) < 0)
        return rc;
    rc = socket(domain, type, proto);
    if (rc < 0)
        rc = -errno;
    if (ns)
        ns_leave(self);
    return rc;
}

int ngt_veth(const char *a, const char *b, const char *ns_b)
{
    int rc;
    if (ns_b)
        rc = ngt_sh("ip link add %s type veth peer name %s netns %s && "
                    "sysctl -qw net.ipv6.conf.%s.disable_ipv6=1 && "
                    "ip netns exec %s sysctl -qw net.ipv6.conf.%s.disable_ipv6=1 && "
                    "ip link set %s up && ip -n %s link set %s up",
                    a, b, ns_b, a, ns_b, b, a, ns_b, b);
    else
        rc = ngt_sh("ip link add %s type veth peer name %s && "
                    "sysctl -qw net.ipv6.conf.%s.disable_ipv6=1 && "
                    "sysctl -qw net.ipv6.conf.%s.disable_ipv6=1 && "
                    "ip link set %s up && ip link set %s up",
                    a, b, a, b, a, b);
    return rc == 0 ? 0 : -EIO;
}

int ngt_packet_socket(const char *ns, const char *ifname)
{
    int fd =
        ngt_netns_socket(ns, AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (fd < 0)
        return fd;
    /* the index is looked up in the socket's namespace */
    unsigned idx = 0;
    int self = -1;
    if (!ns || ns_enter(ns, &self) == 0) {
        idx = if_nametoindex(ifname);
        if (ns)
            ns_leave(self);
    }
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = (int)idx;
    if (idx == 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
        close(fd);
        return -ENXIO;
    }
    return fd;
}

uint32_t ngt_ipv4_udp(uint8_t *ip, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
                      uint16_t dport, uint32_t payload)
{
    uint32_t tot = 28 + payload;
    memset(ip, 0, 28);
    ip[0] = 0x45; /* version 4, 5 words */
    ip[2] = (uint8_t)(tot >> 8);
    ip[3] = (uint8_t)tot;
    ip[8] = 64; /* TTL */
    ip[9] = 17; /* UDP */
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)ip[i] << 8 | ip[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (uint8_t)(~sum >> 8);
    ip[11] = (uint8_t)~sum;
    uint8_t *u = ip + 20;
    u[0] = (uint8_t)(sport >> 8);
    u[1] = (uint8_t)sport;
    u[2] = (uint8_t)(dport >> 8);
    u[3] = (uint8_t)dport;
    u[4] = (uint8_t)((8 + payload) >> 8);
    u[5] = (uint8_t)(8 + payload);
    return 28;
}

int ngt_recv_frame(int fd, const uint8_t *want, uint32_t len, double timeout_s)
{
    double end = now_s() + timeout_s;
    uint8_t buf[4096];
    for (int guard = 0; guard < 100000; guard++) {
        double left = end - now_s();
        if (left <= 0)
            break;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
            continue;
        ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (r == (ssize_t)len && memcmp(buf, want, len) == 0)
            return 0;
    }
    return -ETIMEDOUT;
}

/* ---- the sink type ---------------------------------------------------------- */

struct sink_frame {
    uint32_t len;
    uint8_t data[NGT_SINK_FRAME];
};
struct sink {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t total;
    unsigned next; /* ring slot for the next frame */
    unsigned n;    /* slots in use */
    struct sink_frame f[NGT_SINK_MAX];
};

static int sink_constructor(struct ng_node *node)
{
    struct sink *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    ng_node_set_private(node, s);
    return 0;
}

static void sink_shutdown(struct ng_node *node)
{
    struct sink *s = ng_node_private(node);
    ng_node_set_private(node, NULL);
    if (s) {
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
        free(s);
    }
}

static int sink_newhook(struct ng_node *node, struct ng_hook *hook, const char *name)
{
    (void)node;
    (void)hook;
    (void)name;
    return 0;
}

static int sink_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct sink *s = ng_node_private(ng_hook_node(hook));
    uint32_t len = ng_item_len(item);
    pthread_mutex_lock(&s->mu);
    struct sink_frame *f = &s->f[s->next];
    f->len = len;
    memcpy(f->data, ng_item_data(item), len < NGT_SINK_FRAME ? len : NGT_SINK_FRAME);
    s->next = (s->next + 1) % NGT_SINK_MAX;
    if (s->n < NGT_SINK_MAX)
        s->n++;
    s->total++;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    ng_item_free(item);
    return 0;
}

const struct ng_type ngt_sink_type = {
    .version = NG_ABI_VERSION,
    .name = "nssink",
    .cookie = 0x6e737331u,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = sink_constructor,
    .shutdown = sink_shutdown,
    .newhook = sink_newhook,
    .rcvdata = sink_rcvdata,
};

int ngt_sink_wait(struct ng_node *sink, int (*match)(const uint8_t *, uint32_t, const void *),
                  const void *arg, uint32_t len, double timeout_s, uint8_t *out, uint32_t out_len,
                  uint32_t *got)
{
    struct sink *s = ng_node_private(sink);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += (time_t)timeout_s;
    dl.tv_nsec += (long)((timeout_s - (double)(time_t)timeout_s) * 1e9);
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    int rc = -ETIMEDOUT;
    pthread_mutex_lock(&s->mu);
    for (int guard = 0; guard < 100000; guard++) {
        for (unsigned i = 0; i < s->n && rc != 0; i++) {
            const struct sink_frame *f = &s->f[i];
            uint32_t fl = f->len < NGT_SINK_FRAME ? f->len : NGT_SINK_FRAME;
            int ok =
                match ? match(f->data, fl, arg) : (f->len == len && memcmp(f->data, arg, len) == 0);
            if (ok) {
                rc = 0;
                if (out) {
                    memcpy(out, f->data, fl < out_len ? fl : out_len);
                    if (got)
                        *got = f->len;
                }
            }
        }
        if (rc == 0 || pthread_cond_timedwait(&s->cv, &s->mu, &dl) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

uint64_t ngt_sink_count(struct ng_node *sink)
{
    struct sink *s = ng_node_private(sink);
    pthread_mutex_lock(&s->mu);
    uint64_t t = s->total;
    pthread_mutex_unlock(&s->mu);
    return t;
}

void ngt_sink_clear(struct ng_node *sink)
{
    struct sink *s = ng_node_private(sink);
    pthread_mutex_lock(&s->mu);
    s->n = 0;
    s->next = 0;
    pthread_mutex_unlock(&s->mu);
}

int ngt_sink_send(struct ng_node *sink, const char *hook, const uint8_t *bytes, uint32_t len)
{
    struct ng_hook *h;
    int rc = ng_hook_find(sink, hook, &h);
    if (rc < 0)
        return rc;
    struct ng_item *it = ng_item_alloc(ng_node_graph(sink), len);
    if (!it) {
        ng_hook_unref(h);
        return -ENOBUFS;
    }
    memcpy(ng_item_data(it), bytes, len);
    rc = ng_send_data(h, it);
    ng_hook_unref(h);
    return rc;
}
