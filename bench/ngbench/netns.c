/*
 * netns.c - the network scenario's namespaces (made once per scenario,
 * deleted at its end, at exit and on SIGINT/SIGTERM/SIGHUP; those of a
 * killed bench are reaped by the next run), its frames, TPACKET_V3 rings
 * and per-CPU busy time.  See net.c for the method.
 */
#include "net.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <math.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ngraph/parse.h>

    const uint8_t ngb_gen_mac[6] = {0x02, 0, 0, 0, 0x0b, 0x01};
const uint8_t ngb_sink_mac[6] = {0x02, 0, 0, 0, 0x0b, 0x02};

/* ------------------------------------------------------------------------ */
/* Namespaces: made once per scenario, deleted at its end, at exit and on    */
/* the usual signals                                                         */
/* ------------------------------------------------------------------------ */

static const char ns_tag[NNS] = {'g', 'd', 's'};
/* Written by the scenario thread before the handlers are installed and
 * cleared by it after they are removed; the handlers only read them. */
char ngb_ns_name[NNS][48];
static int ns_fd[NNS] = {-1, -1, -1};
static pid_t ns_owner;
static struct sigaction old_sa[3];
static const int ns_sigs[3] = {SIGINT, SIGTERM, SIGHUP};

/* fork + exec "ip netns del NAME" (async-signal-safe: used by the handler). */
static void ns_delete(const char *name)
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

static void ns_cleanup(void)
{
    if (getpid() != ns_owner)
        return;
    for (int i = 0; i < NNS; i++)
        if (ngb_ns_name[i][0]) {
            ns_delete(ngb_ns_name[i]);
            ngb_ns_name[i][0] = '\0';
        }
}

static void ns_on_signal(int sig)
{
    ns_cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Namespaces of a bench killed with SIGKILL: ngb-<pid>-* whose pid is gone. */
static void ns_reap_stale(void)
{
    DIR *d = opendir("/run/netns");
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        int pid = 0;
        if (sscanf(e->d_name, "ngb-%d-", &pid) == 1 && pid > 0 && kill(pid, 0) < 0 &&
            errno == ESRCH)
            ns_delete(e->d_name);
    }
    closedir(d);
}

/* Shell command, output to stderr; its exit status, -1 if it did not run. */
int ngb_net_sh(const char *fmt, ...)
{
    char cmd[2048];
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

int ngb_ns_enter(int which) { return setns(ns_fd[which], CLONE_NEWNET) < 0 ? -errno : 0; }

/* Why the scenario cannot run here ("" if it can). */
void ngb_net_why_not(char *why, size_t len)
{
    why[0] = '\0';
    FILE *f = fopen("/proc/self/status", "r");
    unsigned long long cap = 0;
    char line[256];
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "CapEff: %llx", &cap) == 1)
            break;
    if (f)
        fclose(f);
    if (!(cap & (1ull << NET_CAP_NET_ADMIN)))
        snprintf(why, len, "no CAP_NET_ADMIN (run as root to measure veth forwarding)");
    else if (ngb_net_sh("command -v ip >/dev/null 2>&1") != 0)
        snprintf(why, len, "no `ip` command (iproute2)");
}

void ngb_ns_teardown(void)
{
    for (int i = 0; i < NNS; i++)
        if (ns_fd[i] >= 0) {
            close(ns_fd[i]);
            ns_fd[i] = -1;
        }
    ns_cleanup();
    for (int i = 0; i < 3; i++)
        sigaction(ns_sigs[i], &old_sa[i], NULL);
}

/* The namespaces, veth pairs, addresses and the (idle) kernel bridge.
 * 0, or -1 with *why set. */
int ngb_ns_setup(char *why, size_t len)
{
    static bool atexit_done;
    ns_owner = getpid();
    ns_reap_stale();
    if (!atexit_done) {
        atexit(ns_cleanup);
        atexit_done = true;
    }
    for (int i = 0; i < 3; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = ns_on_signal;
        sigaction(ns_sigs[i], &sa, &old_sa[i]);
        if (old_sa[i].sa_handler == SIG_IGN) /* e.g. SIGINT of a background job */
            sigaction(ns_sigs[i], &old_sa[i], NULL);
    }
    for (int i = 0; i < NNS; i++) {
        char nm[48];
        snprintf(nm, sizeof(nm), "ngb-%d-%c", (int)getpid(), ns_tag[i]);
        if (ngb_net_sh("ip netns add %s", nm) != 0) {
            snprintf(why, len, "ip netns add %s failed", nm);
            return -1;
        }
        memcpy(ngb_ns_name[i], nm, sizeof(nm));
        /* IPv6 off (no router solicitations on the measured links);
         * a kernel without IPv6 has nothing to turn off. */
        ngb_net_sh("ip netns exec %s sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
                   "net.ipv6.conf.default.disable_ipv6=1 2>/dev/null; ip -n %s link set lo up",
                   nm, nm);
        char path[96];
        snprintf(path, sizeof(path), "/run/netns/%s", nm);
        ns_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
        if (ns_fd[i] < 0) {
            snprintf(why, len, "open %s: %s", path, strerror(errno));
            return -1;
        }
    }
    const char *g = ngb_ns_name[NS_G], *d = ngb_ns_name[NS_D], *s = ngb_ns_name[NS_S];
    if (ngb_net_sh(
            "ip link add g0 netns %s type veth peer name d0 netns %s && "
            "ip link add d1 netns %s type veth peer name s0 netns %s && "
            "ip link add t0 netns %s address 02:00:00:00:0c:01 type veth "
            "peer name t1 netns %s address 02:00:00:00:0c:02 && "
            "ip -n %s link set g0 up && ip -n %s link set d0 up && ip -n %s link set d1 up && "
            "ip -n %s link set s0 up && ip -n %s link set t0 mtu 1600 up && "
            "ip -n %s link set t1 mtu 1600 up && "
            "ip -n %s addr add 192.0.2.1/24 dev t0 && ip -n %s addr add 192.0.2.2/24 dev t1 && "
            "ip -n %s neigh replace 192.0.2.2 lladdr 02:00:00:00:0c:02 dev t0 nud permanent && "
            "ip -n %s neigh replace 192.0.2.1 lladdr 02:00:00:00:0c:01 dev t1 nud permanent && "
            "ip -n %s link add ngbbr type bridge stp_state 0 forward_delay 0 "
            "mcast_snooping 0 && ip -n %s link set ngbbr up",
            g, d, d, s, g, s, g, d, d, s, g, s, g, s, g, s, d, d) != 0) {
        snprintf(why, len, "could not create the veth pairs and the bridge in %s", d);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Frames, rings, CPU time                                                  */
/* ------------------------------------------------------------------------ */

static uint16_t ip_csum(const uint8_t *h)
{
    uint32_t s = 0;
    for (int i = 0; i < 20; i += 2)
        s += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* Frame of len bytes (>= 42) of flow `flow`: IPv4/UDP, UDP checksum 0. */
void ngb_net_frame(uint8_t *f, unsigned len, unsigned flow)
{
    memset(f, 0, len);
    memcpy(f, ngb_sink_mac, 6);
    memcpy(f + 6, ngb_gen_mac, 6);
    f[12] = 0x08;
    uint8_t *ip = f + 14;
    unsigned tot = len - 14, ul = tot - 20;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(tot >> 8), ip[3] = (uint8_t)tot;
    ip[8] = 64, ip[9] = 17;
    const uint8_t src[4] = {192, 0, 2, 1}, dst[4] = {198, 51, 100, 2};
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    uint16_t c = ip_csum(ip);
    ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
    uint8_t *u = ip + 20;
    unsigned sp = 1024 + flow;
    u[0] = (uint8_t)(sp >> 8), u[1] = (uint8_t)sp;
    u[3] = 9; /* discard */
    u[4] = (uint8_t)(ul >> 8), u[5] = (uint8_t)ul;
    memcpy(u + 8, "ngbench", len - 42 < 7 ? len - 42 : 7);
}

void ngb_pring_close(struct pring *r)
{
    if (r->map)
        munmap(r->map, r->len);
    if (r->fd >= 0)
        close(r->fd);
    r->map = NULL;
    r->fd = -1;
}

/* In the calling thread's namespace; fanout: group id, 0 for none. */
int ngb_pring_open(struct pring *r, const char *ifname, int proto, unsigned bsize, unsigned bcount,
                   int fanout)
{
    memset(r, 0, sizeof(*r));
    r->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (r->fd < 0)
        return -errno;
    int v = TPACKET_V3, rc = 0;
    struct tpacket_req3 req;
    memset(&req, 0, sizeof(req));
    req.tp_block_size = bsize;
    req.tp_block_nr = bcount;
    req.tp_frame_size = TPACKET_ALIGNMENT << 7;
    req.tp_frame_nr = (bsize / req.tp_frame_size) * bcount;
    req.tp_retire_blk_tov = 1;
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons((uint16_t)proto);
    sll.sll_ifindex = (int)if_nametoindex(ifname);
    if (sll.sll_ifindex == 0 || setsockopt(r->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) < 0 ||
        setsockopt(r->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
        rc = -errno;
    if (rc == 0) {
        r->len = (size_t)bsize * bcount;
        void *m = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, 0);
        if (m == MAP_FAILED)
            rc = -errno;
        else
            r->map = m;
    }
    r->bsize = bsize;
    r->bcount = bcount;
    if (rc == 0 && bind(r->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
        rc = -errno;
    v = (int)((unsigned)fanout | (PACKET_FANOUT_HASH << 16));
    if (rc == 0 && fanout && setsockopt(r->fd, SOL_PACKET, PACKET_FANOUT, &v, sizeof(v)) < 0)
        rc = -errno;
    if (rc)
        ngb_pring_close(r);
    return rc;
}

/* The next block, if the kernel has handed it over (else NULL). */
struct tpacket_block_desc *ngb_pring_block(struct pring *r)
{
    struct tpacket_block_desc *bd = (void *)(r->map + (size_t)r->next * r->bsize);
    if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
        return NULL;
    return bd;
}

void ngb_pring_release(struct pring *r, struct tpacket_block_desc *bd)
{
    __atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    r->next = (r->next + 1) % r->bcount;
}

void ngb_pring_wait(struct pring *r, int ms)
{
    struct pollfd p = {.fd = r->fd, .events = POLLIN | POLLERR};
    (void)poll(&p, 1, ms);
}

/* Busy and total jiffies of CPUs [0, n) (/proc/stat). */
void ngb_cpu_jiffies(int n, uint64_t *busy, uint64_t *total)
{
    *busy = *total = 0;
    FILE *f = fopen("/proc/stat", "r");
    char line[512];
    while (f && fgets(line, sizeof(line), f)) {
        int cpu;
        unsigned long long v[8] = {0};
        if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0], &v[1], &v[2],
                   &v[3], &v[4], &v[5], &v[6], &v[7]) < 5 ||
            cpu < 0 || cpu >= n)
            continue;
        uint64_t t = 0;
        for (int k = 0; k < 8; k++)
            t += v[k];
        *total += t;
        *busy += t - v[3] - v[4]; /* minus idle and iowait */
    }
    if (f)
        fclose(f);
}
