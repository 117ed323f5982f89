/*
 * test_ether.c - the "ether" node type (docs/nodes/ether.md) on a real
 * kernel: the test process lives in its own network namespace with veth
 * end "ve0"; the other end "ve1" is in a named namespace "ngt-<pid>-b".
 * Frames injected on "lower" must come out of ve1 byte-identical (read
 * with a raw AF_PACKET socket there) and frames sent on ve1 must arrive on
 * "lower"; the messages (ifname, ifindex, enaddr, promisc, autosrc,
 * multicast, config), fanout over two rings and workers, every bad input
 * and the release of sockets and rings.  Label netns: skipped without
 * CAP_NET_ADMIN.
 *
 * Run twice (tests/netns/tests.cmake): NGT_ETHER_TP unset or "af_packet"
 * forces the AF_PACKET transport; "af_xdp", "af_xdp_drv" or "af_xdp_skb"
 * (ctest: af_xdp_skb) forces AF_XDP (ve0 then has 4 queues, for the
 * multi-ring cases) and adds the transport's own tests
 * (the choice, its report, the fallback, forced errors).  If the kernel
 * refuses AF_XDP on a veth entirely, that run says why and skips.
 */
#include <arpa/inet.h>
#include <linux/capability.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "netns.h"
#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/nodes/ether.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

static char nsb[NGT_NS_NAMESIZ];
static const char *tp = "af_packet"; /* the transport every ether node is forced to */
static int xdp;                      /* tp is af_xdp */
static char xdp_refused[256];        /* af_xdp run: why the kernel refused it ("" if not) */
static int xdp_probed;

/* Force the transport of a new (unattached) ether node. */
static void settp(struct ng_graph *g, struct ng_node *eth)
{
    char path[32], msg[64];
    snprintf(path, sizeof(path), "[%x]:", (unsigned)ng_node_id(eth));
    snprintf(msg, sizeof(msg), "settransport \"%s\"", tp);
    assert_int_equal(ng_send_ascii(g, path, msg, NULL), 0);
}

/* A new ether node on the transport under test (settp), named `name`
 * unless NULL (asserts success). */
static struct ng_node *ether_new(struct ng_graph *g, const char *name)
{
    struct ng_node *eth;
    assert_int_equal(ng_node_create(g, "ether", &eth), 0);
    if (name)
        assert_int_equal(ng_node_name(eth, name), 0);
    settp(g, eth);
    return eth;
}

static void reg(struct ng_graph *g);
static void xdp_probe(struct ng_graph *g);

#define ETH_REQUIRE()                                                                              \
    do {                                                                                           \
        NGT_NETNS_REQUIRE();                                                                       \
        if (xdp && !xdp_probed++)                                                                  \
            xdp_probe(*state);                                                                     \
        if (xdp_refused[0]) {                                                                      \
            print_message("af_xdp refused here (%s): skipped\n", xdp_refused);                     \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* The af_xdp run: can this kernel attach an AF_XDP socket to ve0 at all? */
static void xdp_probe(struct ng_graph *g)
{
    reg(g);
    struct ng_node *eth;
    assert_int_equal(ng_node_create(g, "ether", &eth), 0);
    assert_int_equal(ng_node_name(eth, "probe"), 0);
    char *r = NULL;
    int rc = ng_send_ascii(g, "probe:", "settransport \"af_xdp\"", NULL);
    if (rc == 0)
        rc = ng_send_ascii(g, "probe:", "attach \"ve0\"", NULL);
    if (rc != 0) {
        (void)ng_send_ascii(g, "probe:", "gettransport", &r);
        snprintf(xdp_refused, sizeof(xdp_refused), "%s: %s", strerror(-rc), r ? r : "?");
        fprintf(stderr, "test_ether: AF_XDP cannot be verified here: %s\n", xdp_refused);
    }
    free(r);
    ng_node_shutdown(eth);
    ng_node_unref(eth);
    ng_graph_barrier(g);
}

static int group_setup(void **state)
{
    (void)state;
    if (!ngt_netns_available())
        return 0;
    if (ngt_netns_add("b", nsb) != 0)
        return -1;
    if (!xdp)
        return ngt_veth("ve0", "ve1", nsb) != 0 ? -1 : 0;
    /* 4 queues each way: AF_XDP binds one socket per queue (rings=N) */
    if (ngt_sh("ip link add ve0 numtxqueues 4 numrxqueues 4 type veth peer name ve1 "
               "numtxqueues 4 numrxqueues 4 netns %s && "
               "sysctl -qw net.ipv6.conf.ve0.disable_ipv6=1 && "
               "ip netns exec %s sysctl -qw net.ipv6.conf.ve1.disable_ipv6=1 && "
               "ip link set ve0 up && ip -n %s link set ve1 up",
               nsb, nsb, nsb) != 0)
        return -1;
    return 0;
}

static void reg(struct ng_graph *g)
{
    int r = ng_type_register(g, &ng_ether_type);
    assert_true(r == 0 || r == -EEXIST);
    r = ng_type_register(g, &ngt_sink_type);
    assert_true(r == 0 || r == -EEXIST);
}

/* A sink "s" whose hook "ve0" is connected to a new ether node's lower
 * (the mkpeer shorthand: the peer hook names the interface). */
static struct ng_node *make(struct ng_graph *g, struct ng_node **ethp)
{
    reg(g);
    struct ng_node *s;
    assert_int_equal(ng_node_create(g, "nssink", &s), 0);
    assert_int_equal(ng_node_name(s, "s"), 0);
    /* the mkpeer shorthand's path (ng_connect attaches), after settransport */
    *ethp = ether_new(g, NULL);
    assert_int_equal(ng_connect(s, "ve0", *ethp, "lower"), 0);
    return s;
}

static void done(struct ng_node *s, struct ng_node *eth)
{
    if (eth) {
        ng_node_shutdown(eth);
        ng_node_unref(eth);
    }
    ng_node_shutdown(s);
    ng_node_unref(s);
}

static void ascii_ok(struct ng_graph *g, const char *path, const char *text, const char *want)
{
    char *r = NULL;
    assert_int_equal(ng_send_ascii(g, path, text, &r), 0);
    if (want) {
        assert_non_null(r);
        assert_string_equal(r, want);
    }
    free(r);
}

/* A test frame: broadcast, source 02:00:00:00:00:0b, the local
 * experimental ethertype 0x88b5, then a payload tagged with `tag`. */
static uint32_t frame(uint8_t *f, uint8_t tag, uint32_t len)
{
    static const uint8_t hdr[14] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
                                    0,    0,    0,    0,    0x0b, 0x88, 0xb5};
    memcpy(f, hdr, 14);
    for (uint32_t i = 14; i < len; i++)
        f[i] = (uint8_t)(tag + i);
    return len;
}

/* A UDP/IPv4 frame of flow `flow` (192.0.2.1:(40000 + flow) -> 192.0.2.2:9,
 * broadcast destination, no checksum): the kernel spreads different flows
 * over an interface's queues by their hash (a veth pair: the sender's
 * transmit queue is the receiver's receive queue), where frame()'s all
 * hash alike and reach one queue only. */
static uint32_t flow_frame(uint8_t *f, unsigned flow, uint32_t len)
{
    frame(f, (uint8_t)flow, len);
    f[12] = 0x08;
    f[13] = 0x00;
    const uint8_t src[4] = {192, 0, 2, 1}, dst[4] = {192, 0, 2, 2};
    ngt_ipv4_udp(f + 14, src, (uint16_t)(40000 + flow), dst, 9, len - 14 - 28);
    return len;
}

static long status_num(struct ng_graph *g, const char *path, const char *key)
{
    char *r = NULL;
    assert_int_equal(ng_send_ascii(g, path, "textstatus", &r), 0);
    assert_non_null(r);
    char pat[64];
    snprintf(pat, sizeof(pat), "%s=", key);
    const char *at = strstr(r, pat);
    long v = at ? strtol(at + strlen(pat), NULL, 10) : -1;
    free(r);
    return v;
}

/* The sum of the rings' "kernel packets=" (what the kernel queued on the
 * node's AF_PACKET rings, accumulated by each textstatus). */
static long kernel_packets(struct ng_graph *g, const char *path)
{
    char *r = NULL;
    assert_int_equal(ng_send_ascii(g, path, "textstatus", &r), 0);
    long sum = 0;
    for (const char *at = r; (at = strstr(at, "kernel packets=")) != NULL;) {
        at += strlen("kernel packets=");
        sum += strtol(at, NULL, 10);
    }
    free(r);
    return sum;
}

/* The mkpeer shorthand attaches and names the node; the identity messages. */
static void test_attach_identity(void **state)
{
    ETH_REQUIRE();
    struct ng_graph *g = *state;
    struct ng_node *eth, *s = make(g, &eth);
    assert_string_equal(ng_node_get_name(eth), "ve0");
    ascii_ok(g, "ve0:", "getifname", "\"ve0\"");
    char want[32];
    snprintf(want, sizeof(want), "%u", if_nametoindex("ve0"));
    ascii_ok(g, "ve0:", "getifindex", want);
    ascii_ok(g, "ve0:", "getautosrc", "1");
    ascii_ok(g, "ve0:", "getpromisc", "0");
    ascii_ok(g, "ve0:", "getconfig", "{ rings=1 block_size=65536 block_count=16 }");
    char *r = NULL;
    assert_int_equal(ng_send_ascii(g, "ve0:", "textstatus", &r), 0);
    assert_non_null(strstr(r, "interface: ve0"));
    assert_non_null(
        strstr(r, xdp ? "transport: af_xdp" : "transport: af_packet (rx tpacket_v3"));
    assert_non_null(strstr(r, "lower: connected"));
    free(r);
    /* The node outlives its hook (FreeBSD's ether nodes live as long as
     * the interface). */
    assert_int_equal(ng_rmhook(s, "ve0"), 0);
    assert_true(ng_node_is_valid(eth));
    ascii_ok(g, "ve0:", "getifname", "\"ve0\"");
    done(s, eth);
}

/* lower -> wire, byte-identical, with and without autosrc. */
static void test_transmit(void **state)
{
    ETH_REQUIRE();
    struct ng_graph *g = *state;
    struct ng_node *eth, *s = make(g, &eth);
    int fd = ngt_packet_socket(nsb, "ve1");
    assert_true(fd >= 0);
    ascii_ok(g, "ve0:", "setautosrc 0", NULL);
    ascii_ok(g, "ve0:", "getautosrc", "0");
    uint8_t f[1514];
    uint32_t lens[] = {60, 64, 300, 1514};
    for (unsigned i = 0; i < 4; i++) {
        frame(f, (uint8_t)i, lens[i]);
        assert_int_equal(ngt_sink_send(s, "ve0", f, lens[i]), 0);
        assert_int_equal(ngt_recv_frame(fd, f, lens[i], 5.0), 0);
    }
    /* autosrc: the interface's address replaces the source. */
    ascii_ok(g, "ve0:", "setautosrc 1", NULL);
    ascii_ok(g, "ve0:", "setenaddr 02:00:00:00:01:aa", NULL);
    ascii_ok(g, "ve0:", "getenaddr", "02:00:00:00:01:aa");
    assert_int_equal(ngt_sh("ip link show ve0 | grep -q 02:00:00:00:01:aa"), 0);
    frame(f, 9, 100);
    assert_int_equal(ngt_sink_send(s, "ve0", f, 100), 0);
    static const uint8_t src[6] = {0x02, 0, 0, 0, 0x01, 0xaa};
    memcpy(f + 6, src, 6);
    assert_int_equal(ngt_recv_frame(fd, f, 100, 5.0), 0);
    assert_true(status_num(g, "ve0:", "tx_frames") >= 5);
    close(fd);
    done(s, eth);
}

/* wire -> lower, byte-identical, in order. */
static void test_receive(void **state)
{
    ETH_REQUIRE();
    struct ng_graph *g = *state;
    struct ng_node *eth, *s = make(g, &eth);
    int fd = ngt_packet_socket(nsb, "ve1");
    assert_true(fd >= 0);
    uint8_t f[1514];
    uint32_t lens[] = {60, 200, 1514};
    for (unsigned i = 0; i < 3; i++) {
        frame(f, (uint8_t)(0x40 + i), lens[i]);
        assert_int_equal(send(fd, f, lens[i], 0), (ssize_t)lens[i]);
        assert_int_equal(ngt_sink_wait(s, NULL, f, lens[i], 5.0, NULL, 0, NULL), 0);
    }
    assert_true(status_num(g, "ve0:", "rx_frames") >= 3);
    /* The host stack (a tap on ve0 shows what it receives): with AF_XDP it
     * gets no frame while lower is connected (the node takes them) */
    int tap = ngt_packet_socket(NULL, "ve0");
    assert_true(tap >= 0);
    if (xdp) {
        frame(f, 0x76, 80);
        assert_int_equal(send(fd, f, 80, 0), 80);
        assert_int_equal(ngt_sink_wait(s, NULL, f, 80, 5.0, NULL, 0, NULL), 0);
        assert_int_equal(ngt_recv_frame(tap, f, 80, 0.3), -ETIMEDOUT);
    }
    /* Unconnected lower: the frames flow to the host stack, as on FreeBSD;
     * AF_PACKET (a tap itself) also sees them, and counts them dropped */
    assert_int_equal(ng_rmhook(s, "ve0"), 0);
    frame(f, 0x77, 80);
    assert_int_equal(send(fd, f, 80, 0), 80);
    assert_int_equal(ngt_recv_frame(tap, f, 80, 5.0), 0);
    long nohook = -1;
    for (int i = 0; i < 500 && nohook < 1 && !xdp; i++) {
        usleep(10000);
        nohook = status_num(g, "ve0:", "rx_drop_nohook");
    }
    assert_true(xdp ? status_num(g, "ve0:", "rx_drop_nohook") == 0 : nohook >= 1);
    /* Connected again: the node's once more */
    assert_int_equal(ng_connect(s, "ve0", eth, "lower"), 0);
    frame(f, 0x78, 80);
    assert_int_equal(send(fd, f, 80, 0), 80);
    assert_int_equal(ngt_sink_wait(s, NULL, f, 80, 5.0, NULL, 0, NULL), 0);
    close(tap);
    close(fd);
    done(s, eth);
}

/* A UDP datagram sent by the stack of the other namespace: the kernel leaves
 * its checksum to the (virtual) hardware; the frame on lower carries the
 * complete, correct checksum. */
static int is_udp7000(const uint8_t *d, uint32_t len, const void *arg)
{
    (void)arg;
    return len >= 42 + 8 && d[12] == 0x08 && d[13] == 0x00 && d[23] == 17 && d[36] == 0x1b &&
           d[37] == 0x58 && memcmp(d + 42, "checksum", 8) == 0;
}

static void test_rx_checksum(void **state)
{
    ETH_REQUIRE();
    struct ng_graph *g = *state;
    struct ng_node *eth, *s = make(g, &eth);
    assert_int_equal(ngt_sh("ip -n %s addr replace 198.51.100.2/24 dev ve1 && "
                            "ip -n %s neigh replace 198.51.100.1 lladdr 02:00:00:00:00:99 "
                            "dev ve1 nud permanent",
                            nsb, nsb),
                     0);
    int u = ngt_netns_socket(nsb, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(u >= 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(7000)};
    inet_pton(AF_INET, "198.51.100.1", &to.sin_addr);
    assert_int_equal(sendto(u, "checksum", 8, 0, (struct sockaddr *)&to, sizeof(to)), 8);
    uint8_t f[256];
    uint32_t got = 0;
    assert_int_equal(ngt_sink_wait(s, is_udp7000, NULL, 0, 5.0, f, sizeof(f), &got), 0);
    assert_int_equal(got, 50);
    /* verify: the one's complement sum over pseudo-header and datagram is 0xffff */
    uint32_t sum = 0;
    for (int i = 26; i < 34; i += 2) /* addresses */
        sum += (uint32_t)(f[i] << 8 | f[i + 1]);
    sum += 17 + 16;
    for (int i = 34; i < 50; i += 2)
        sum += (uint32_t)(f[i] << 8 | f[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    assert_int_equal(sum, 0xffff);
    close(u);
    done(s, eth);
}

/* Promiscuous mode, the interface address, multicast memberships. */
static void test_promisc_enaddr_multi(void **state)
{
    ETH_REQUIRE();
    struct ng_graph *g = *state;
    struct ng_node *eth, *s = make(g, &eth);
    ascii_ok(g, "ve0:", "setpromisc 1", NULL);
    ascii_ok(g, "ve0:", "getpromisc", "1");
    assert_int_equal(ngt_sh("ip -d link show ve0 | grep -q promiscuity.[1-9]"), 0);
    ascii_ok(g, "ve0:", "setpromisc 0", NULL);
    ascii_ok(g, "ve0:", "getpromisc", "0");
    assert_int_not_equal(ngt_sh("ip -d link show ve0 | grep -q promiscuity.[1-9]"), 0);
    ascii_ok(g, "ve0:", "setenaddr 02:00:00:00:02:bb", NULL);
    ascii_ok(g, "ve0:", "getenaddr", "02:00:00:00:02:bb");
    ascii_ok(g, "ve0:", "addmulti 01:00:5e:00:00:fb", NULL);
    assert_int_equal(ngt_sh("ip maddr show dev ve0 | grep -q 01:00:5e:00:00:fb"), 0);
    ascii_ok(g, "ve0:", "delmulti 01:00:5e:00:00:fb", NULL);
    assert_int_equal(ng_send_ascii(g, "ve0:", "delmulti 01:00:5e:00:00:fb", NULL), -ENOENT);
    /* Promisc set while detached is applied at the next attach; the
     * membership goes with the socket. */
    ascii_ok(g, "ve0:", "setpromisc 1", NULL);
    ascii_ok(g, "ve0:", "detach", NULL);
    ng_graph_barrier(g); /* the sockets close after a grace period */
    assert_int_not_equal(ngt_sh("ip -d link show ve0 | grep -q promiscuity.[1-9]"), 0);
    ascii_ok(g, "ve0:", "getpromisc", "1");
    ascii_ok(g, "ve0:", "attach \"ve0\"", NULL);
    assert_int_equal(ngt_sh("ip -d link show ve0 | grep -q promiscuity.[1-9]"), 0);
    done(s, eth);
    ng_graph_barrier(g);
    assert_int_not_equal(ngt_sh("ip -d link show ve0 | grep -q promiscuity.[1-9]"), 0);
}

/* Two rings joined by PACKET_FANOUT, served by two workers. */
static void test_fanout(void **state)
{
    ETH_REQUIRE();
    struct ng_graph *g = *state;
    reg(g);
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    struct ng_node *s, *eth;
    assert_int_equal(ng_node_create(g, "nssink", &s), 0);
    eth = ether_new(g, "e");
    ascii_ok(g, "e:", "setconfig { rings=2 block_size=65536 block_count=4 }", NULL);
    ascii_ok(g, "e:", "attach \"ve0\"", NULL);
    assert_string_equal(ng_node_get_name(eth), "e"); /* named already: kept */
    assert_int_equal(ng_connect(s, "x", eth, "lower"), 0);
    char *r = NULL;
    assert_int_equal(ng_send_ascii(g, "e:", "textstatus", &r), 0);
    assert_non_null(strstr(r, xdp ? "ring 1: af_xdp fd" : "fanout: hash group"));
    assert_non_null(strstr(r, "ring 1:"));
    free(r);
    int fd = ngt_packet_socket(nsb, "ve1");
    assert_true(fd >= 0);
    uint8_t f[128];
    const int n = 64;
    for (int i = 0; i < n; i++) {
        frame(f, (uint8_t)i, 128);
        f[20] = (uint8_t)i; /* flows differ: the hash spreads them */
        assert_int_equal(send(fd, f, 128, 0), 128);
    }
    for (int i = 0; i < 500 && ngt_sink_count(s) < (uint64_t)n; i++)
        usleep(10000);
    assert_int_equal(ngt_sink_count(s), n);
    /* What the node transmits does not come back on its own rings (a
     * fanout group needs its own ignore-outgoing flag). */
    long rx0 = status_num(g, "e:", "rx_frames");
    long k0 = xdp ? 0 : kernel_packets(g, "e:");
    ascii_ok(g, "e:", "setautosrc 0", NULL); /* byte-identical on the wire */
    for (int i = 0; i < n; i++) {
        frame(f, (uint8_t)i, 128);
        assert_int_equal(ngt_sink_send(s, "x", f, 128), 0);
        assert_int_equal(ngt_recv_frame(fd, f, 128, 5.0), 0);
    }
    usleep(100000);
    assert_int_equal(status_num(g, "e:", "rx_frames"), rx0);
    assert_int_equal(ngt_sink_count(s), n);
    if (!xdp) /* not even queued on the rings by the kernel */
        assert_int_equal(kernel_packets(g, "e:") - k0, 0);
    /* re-configuring while attached re-attaches */
    ascii_ok(g, "e:", "setconfig { rings=1 block_size=8192 block_count=2 }", NULL);
    ascii_ok(g, "e:", "getconfig", "{ rings=1 block_size=8192 block_count=2 }");
    frame(f, 0x55, 128);
    assert_int_equal(send(fd, f, 128, 0), 128);
    assert_int_equal(ngt_sink_wait(s, NULL, f, 128, 5.0, NULL, 0, NULL), 0);
    /* busy-polled rings, then epoll again */
    ascii_ok(g, "e:", "setconfig { rings=2 block_size=8192 block_count=2 busypoll=1 }", NULL);
    frame(f, 0x56, 128);
    assert_int_equal(send(fd, f, 128, 0), 128);
    assert_int_equal(ngt_sink_wait(s, NULL, f, 128, 5.0, NULL, 0, NULL), 0);
    ascii_ok(g, "e:", "setconfig { rings=1 block_size=8192 block_count=2 }", NULL);
    frame(f, 0x57, 128);
    assert_int_equal(send(fd, f, 128, 0), 128);
    assert_int_equal(ngt_sink_wait(s, NULL, f, 128, 5.0, NULL, 0, NULL), 0);
    close(fd);
    done(s, eth);
    ng_runtime_stop(rt);
}

/* Every bad input of docs/nodes/ether.md's ERRORS table. */
static void test_errors(void **state)
{
    ETH_REQUIRE();
    struct ng_graph *g = *state;
    reg(g);
    struct ng_node *s, *eth;
    assert_int_equal(ng_node_create(g, "nssink", &s), 0);
    /* mkpeer naming an interface that does not exist: refused, no node left */
    assert_int_equal(ng_mkpeer(s, "nosuchif0", "ether", "lower", NULL), -ENXIO);
    assert_int_equal(ng_node_numhooks(s), 0);
    eth = ether_new(g, "e");
    assert_int_equal(ng_send_ascii(g, "e:", "attach \"nosuchif0\"", NULL), -ENXIO);
    assert_int_equal(ng_send_ascii(g, "e:", "attach \"abcdefghijklmnopq\"", NULL), -ENAMETOOLONG);
    assert_int_equal(ng_send_ascii(g, "e:", "attach \"\"", NULL), -EINVAL);
    /* not attached */
    assert_int_equal(ng_send_ascii(g, "e:", "getifname", NULL), -ENOTCONN);
    assert_int_equal(ng_send_ascii(g, "e:", "getifindex", NULL), -ENOTCONN);
    assert_int_equal(ng_send_ascii(g, "e:", "getenaddr", NULL), -ENOTCONN);
    assert_int_equal(ng_send_ascii(g, "e:", "setenaddr 02:00:00:00:00:01", NULL), -ENOTCONN);
    assert_int_equal(ng_send_ascii(g, "e:", "detach", NULL), -ENOTCONN);
    /* hooks */
    assert_int_equal(ng_connect(s, "u", eth, "upper"), -EOPNOTSUPP);
    assert_int_equal(ng_connect(s, "o", eth, "orphans"), -EOPNOTSUPP);
    assert_int_equal(ng_connect(s, "b", eth, "bogus"), -EINVAL);
    /* lower on an unattached node whose peer hook is not an interface */
    assert_int_equal(ng_connect(s, "link0", eth, "lower"), -ENXIO);
    /* bad values */
    assert_int_equal(ng_send_ascii(g, "e:", "setpromisc 2", NULL), -EINVAL);
    assert_int_equal(ng_send_ascii(g, "e:", "setautosrc -1", NULL), -EINVAL);
    assert_int_equal(ng_send_ascii(g, "e:", "addmulti 02:00:00:00:00:01", NULL), -EINVAL);
    assert_int_equal(ng_send_ascii(g, "e:", "setconfig { rings=0 }", NULL), -EINVAL);
    assert_int_equal(
        ng_send_ascii(g, "e:", "setconfig { rings=65 block_size=65536 block_count=4 }", NULL),
        -EINVAL);
    assert_int_equal(
        ng_send_ascii(g, "e:", "setconfig { rings=1 block_size=5000 block_count=4 }", NULL),
        -EINVAL);
    assert_int_equal(
        ng_send_ascii(g, "e:", "setconfig { rings=1 block_size=65536 block_count=1 }", NULL),
        -EINVAL);
    /* short binary arguments */
    const uint32_t cmds[] = {NGM_ETHER_SET_PROMISC, NGM_ETHER_SET_AUTOSRC, NGM_ETHER_SET_ENADDR,
                             NGM_ETHER_ADD_MULTI,   NGM_ETHER_SET_CONFIG,  NGM_ETHER_ATTACH};
    for (unsigned i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        struct ng_mesg *m = ng_mesg_alloc(NGM_ETHER_COOKIE, cmds[i], 0);
        assert_non_null(m);
        assert_int_equal(ng_send_msg(g, NULL, "e:", m, NULL), -EINVAL);
    }
    struct ng_mesg *m = ng_mesg_alloc(NGM_ETHER_COOKIE, NGM_ETHER_ATTACH, 3);
    memcpy(m->data, "ve0", 3); /* not NUL-terminated */
    assert_int_equal(ng_send_msg(g, NULL, "e:", m, NULL), -EINVAL);
    m = ng_mesg_alloc(NGM_ETHER_COOKIE, 77, 0);
    assert_int_equal(ng_send_msg(g, NULL, "e:", m, NULL), -EINVAL);
    /* data while not attached: dropped, counted */
    assert_int_equal(ng_send_ascii(g, "e:", "attach \"ve0\"", NULL), 0);
    assert_int_equal(ng_connect(s, "x", eth, "lower"), 0);
    assert_int_equal(ng_send_ascii(g, "e:", "attach \"ve0\"", NULL), -EISCONN);
    assert_int_equal(ng_connect(s, "y", eth, "divert"), -EISCONN);
    uint8_t f[64];
    frame(f, 1, 64);
    assert_int_equal(ngt_sink_send(s, "x", f, 10), -EINVAL); /* runt */
    assert_int_equal(status_num(g, "e:", "tx_drop_runt"), 1);
    assert_int_equal(ngt_sink_send(s, "x", f, 64), 0);
    ascii_ok(g, "e:", "detach", NULL);
    assert_int_equal(ngt_sink_send(s, "x", f, 64), -ENETDOWN);
    assert_int_equal(status_num(g, "e:", "tx_drop_notattached"), 1);
    /* too long for the wire (MTU 1500): refused by the kernel, counted */
    ascii_ok(g, "e:", "attach \"ve0\"", NULL);
    uint8_t big[1900];
    frame(big, 3, sizeof(big));
    assert_int_equal(ngt_sink_send(s, "x", big, sizeof(big)), -EMSGSIZE);
    assert_int_equal(status_num(g, "e:", "tx_drop_error"), 1);
    done(s, eth);
}

/* The interface goes away while attached: the ring reports the error
 * (rx_errors), transmission fails and is counted, detach still works. */
static void test_interface_gone(void **state)
{
    ETH_REQUIRE();
    struct ng_graph *g = *state;
    reg(g);
    assert_int_equal(ngt_veth("vx0", "vx1", NULL), 0);
    struct ng_node *s, *eth;
    assert_int_equal(ng_node_create(g, "nssink", &s), 0);
    eth = ether_new(g, NULL);
    assert_int_equal(ng_connect(s, "vx0", eth, "lower"), 0);
    assert_int_equal(ngt_sh("ip link del vx0"), 0);
    /* AF_PACKET reports the error on the ring socket; an AF_XDP socket's
     * poll reports nothing once the kernel unbinds it (docs/nodes/ether.md) */
    long errs = -1;
    for (int i = 0; !xdp && i < 500 && errs < 1; i++) {
        usleep(10000);
        errs = status_num(g, "vx0:", "rx_errors");
    }
    assert_true(xdp || errs >= 1);
    uint8_t f[64];
    frame(f, 2, 64);
    assert_true(ngt_sink_send(s, "vx0", f, 64) < 0);
    assert_int_equal(status_num(g, "vx0:", "tx_drop_error"), 1);
    ascii_ok(g, "vx0:", "detach", NULL);
    assert_int_equal(ng_send_ascii(g, "vx0:", "attach \"vx0\"", NULL), -ENXIO);
    done(s, eth);
}

/* Transmitting threads and received traffic race attach, detach and
 * re-configuration (each replaces the attachment; the old one is freed
 * after a grace period while rcvdata may still be using it).  Bounded:
 * 40 changes, the senders stop when they end. */
struct txrace {
    struct ng_graph *g;
    struct ng_node *s;
    _Atomic int stop;
    _Atomic uint64_t sent;
};

static void *tx_thread(void *arg)
{
    struct txrace *t = arg;
    ng_thread_register(t->g);
    uint8_t f[128];
    frame(f, 7, sizeof(f));
    for (int i = 0; i < 2000000 && !atomic_load(&t->stop); i++) {
        (void)ngt_sink_send(t->s, "ve0", f, sizeof(f));
        atomic_fetch_add(&t->sent, 1);
        if ((i & 63) == 0)
            usleep(100);
    }
    ng_thread_unregister(t->g);
    return NULL;
}

/* What the node says when a frame after the race did not arrive. */
static void race_lost(struct ng_graph *g, struct ng_node *s, const char *what, int i)
{
    char *st = NULL;
    (void)ng_send_ascii(g, "ve0:", "textstatus", &st);
    print_message("reconfig race: %s %d after the race lost (sink has %llu); status:\n%s\n", what,
                  i, (unsigned long long)ngt_sink_count(s), st ? st : "?");
    free(st);
    (void)ngt_sh("ip -s link show ve0 >&2; ip -n %s -s link show ve1 >&2", nsb);
}

static void test_reconfig_race(void **state)
{
    ETH_REQUIRE();
    struct ng_graph *g = *state;
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    struct ng_node *eth, *s = make(g, &eth);
    int fd = ngt_packet_socket(nsb, "ve1");
    assert_true(fd >= 0);
    struct txrace t = {.g = g, .s = s};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, tx_thread, &t), 0);
    uint8_t f[100];
    frame(f, 0x31, sizeof(f));
    const char *cmds[] = {"setconfig { rings=2 block_size=65536 block_count=4 }", "detach",
                          "attach \"ve0\"",
                          "setconfig { rings=1 block_size=65536 block_count=4 busypoll=1 }",
                          "setconfig { rings=1 block_size=65536 block_count=16 }"};
    int bad = 0, badi = -1;
    for (int i = 0; i < 40 && bad == 0; i++) {
        bad = ng_send_ascii(g, "ve0:", cmds[i % 5], NULL);
        badi = i;
        (void)send(fd, f, sizeof(f), 0); /* traffic into the rings meanwhile */
    }
    /* the senders stop before any assertion (they use the graph) */
    atomic_store(&t.stop, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    if (bad) {
        char *why = NULL;
        (void)ng_send_ascii(g, "ve0:", "gettransport", &why);
        print_message("reconfig race: \"%s\" (step %d): %s: %s\n", cmds[badi % 5], badi,
                      strerror(-bad), why ? why : "?");
        free(why);
    }
    assert_int_equal(bad, 0);
    assert_true(atomic_load(&t.sent) > 0);
    /* Still working afterwards, both ways, once the old attachments'
     * sockets are released (a grace period: docs/nodes/ether.md, frames
     * arriving while they are still open may be missed by the new rings). */
    ng_graph_barrier(g);
    frame(f, 0x32, sizeof(f));
    /* Known bug (docs/nodes/ether.md BUGS, both transports, a few runs in
     * a hundred under a loaded parallel ctest): the last attachment's
     * socket receives nothing from the kernel (its PACKET_STATISTICS stay
     * 0) although earlier ones did.  Up to 3 tries; then the diagnostics
     * are printed, the node re-attached once, and receive must work. */
    int rc = -1;
    for (int i = 0; i < 4 && rc != 0; i++) {
        if (i == 3) {
            print_message("reconfig race: KNOWN BUG (ether.md BUGS): re-attaching\n");
            ascii_ok(g, "ve0:", "detach", NULL);
            ascii_ok(g, "ve0:", "attach \"ve0\"", NULL);
        }
        assert_int_equal(send(fd, f, sizeof(f), 0), (ssize_t)sizeof(f));
        rc = ngt_sink_wait(s, NULL, f, sizeof(f), 2.0, NULL, 0, NULL);
        if (rc != 0)
            race_lost(g, s, "frame", i);
    }
    assert_int_equal(rc, 0);
    /* every receive queue works (AF_XDP: one socket each): 8 flows */
    for (unsigned fl = 0; fl < 8; fl++) {
        flow_frame(f, fl, sizeof(f));
        assert_int_equal(send(fd, f, sizeof(f), 0), (ssize_t)sizeof(f));
        rc = ngt_sink_wait(s, NULL, f, sizeof(f), 5.0, NULL, 0, NULL);
        if (rc != 0)
            race_lost(g, s, "flow", (int)fl);
        assert_int_equal(rc, 0);
    }
    frame(f, 0x33, sizeof(f));
    ascii_ok(g, "ve0:", "setautosrc 0", NULL);
    uint8_t junk[2048]; /* the senders' frames filled fd's buffer: drain it */
    for (int i = 0; i < 1000000 && recv(fd, junk, sizeof(junk), MSG_DONTWAIT) > 0; i++)
        ;
    assert_int_equal(ngt_sink_send(s, "ve0", f, sizeof(f)), 0);
    assert_int_equal(ngt_recv_frame(fd, f, sizeof(f), 5.0), 0);
    close(fd);
    done(s, eth);
    ng_runtime_stop(rt);
}

/* The transport in use and why (gettransport, textstatus), the fallback
 * of "auto", forced transports that cannot work, a program already on
 * the interface, a missing program object. */
static void tp_expect(struct ng_graph *g, const char *path, const char *req, const char *active,
                      const char *reason_part)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_ETHER_COOKIE, NGM_ETHER_GET_TRANSPORT, 0);
    struct ng_mesg *resp = NULL;
    assert_non_null(m);
    assert_int_equal(ng_send_msg(g, NULL, path, m, &resp), 0);
    assert_non_null(resp);
    assert_int_equal(resp->header.arglen, sizeof(struct ng_ether_transport));
    struct ng_ether_transport t;
    memcpy(&t, resp->data, sizeof(t));
    ng_mesg_free(resp);
    assert_string_equal(t.requested, req);
    assert_string_equal(t.active, active);
    if (strcmp(active, "af_xdp") == 0)
        assert_true(strcmp(t.mode, "drv zerocopy") == 0 || strcmp(t.mode, "drv copy") == 0 ||
                    strcmp(t.mode, "skb copy") == 0);
    else
        assert_string_equal(t.mode, "");
    if (reason_part) {
        if (!strstr(t.reason, reason_part))
            print_message("reason \"%s\" lacks \"%s\"\n", t.reason, reason_part);
        assert_non_null(strstr(t.reason, reason_part));
    } else {
        assert_string_equal(t.reason, "");
    }
}

static void test_transport(void **state)
{
    ETH_REQUIRE();
    struct ng_graph *g = *state;
    reg(g);
    struct ng_node *e1, *e2;
    assert_int_equal(ng_node_create(g, "ether", &e1), 0);
    assert_int_equal(ng_node_name(e1, "t1"), 0);
    tp_expect(g, "t1:", "auto", "none", NULL);
    assert_int_equal(ng_send_ascii(g, "t1:", "settransport \"bogus\"", NULL), -EINVAL);
    assert_int_equal(ng_send_ascii(g, "t1:", "settransport \"\"", NULL), -EINVAL);
    struct ng_mesg *m = ng_mesg_alloc(NGM_ETHER_COOKIE, NGM_ETHER_SET_TRANSPORT, 3);
    memcpy(m->data, "af_", 3); /* no NUL */
    assert_int_equal(ng_send_msg(g, NULL, "t1:", m, NULL), -EINVAL);
    m = ng_mesg_alloc(NGM_ETHER_COOKIE, NGM_ETHER_SET_TRANSPORT, 0);
    assert_int_equal(ng_send_msg(g, NULL, "t1:", m, NULL), -EINVAL);
    /* forced, then switched while attached (re-attaches) */
    settp(g, e1);
    ascii_ok(g, "t1:", "attach \"ve0\"", NULL);
    tp_expect(g, "t1:", tp, xdp ? "af_xdp" : tp, xdp ? NULL : "af_packet requested");
    char *r = NULL;
    assert_int_equal(ng_send_ascii(g, "t1:", "gettransport", &r), 0);
    assert_non_null(strstr(r, xdp ? "active=\"af_xdp\"" : "active=\"af_packet\""));
    free(r);
    if (xdp) {
        /* the program is on the interface while attached, and only then */
        assert_int_equal(ngt_sh("ip link show ve0 | grep -q 'xdp'"), 0);
        ascii_ok(g, "t1:", "settransport \"af_packet\"", NULL);
        tp_expect(g, "t1:", "af_packet", "af_packet", "af_packet requested");
        assert_int_not_equal(ngt_sh("ip link show ve0 | grep -q 'xdp'"), 0);
        /* auto takes AF_XDP only with zero-copy, which a veth does not
         * offer: AF_PACKET, and the reason says so */
        ascii_ok(g, "t1:", "settransport \"auto\"", NULL);
        tp_expect(g, "t1:", "auto", "af_packet", "auto: af_xdp zero-copy only; driver zero-copy: ");
        assert_int_not_equal(ngt_sh("ip link show ve0 | grep -q 'xdp'"), 0); /* none left */
        /* driver mode forced: the copy mode a veth gives */
        ascii_ok(g, "t1:", "settransport \"af_xdp_drv\"", NULL);
        tp_expect(g, "t1:", "af_xdp_drv", "af_xdp", NULL);
        assert_int_equal(ng_send_ascii(g, "t1:", "gettransport", &r), 0);
        print_message("af_xdp_drv on veth: %s\n", r); /* which mode this kernel gives */
        assert_non_null(strstr(r, "mode=\"drv copy\""));
        free(r);
        assert_int_equal(ng_send_ascii(g, "t1:", "textstatus", &r), 0);
        assert_non_null(strstr(r, "transport: af_xdp drv copy (requested af_xdp_drv;"));
        assert_non_null(strstr(r, "ring 0: af_xdp fd"));
        free(r);
        /* a second node on the same interface: the queue and the program
         * are taken; auto falls back, forced AF_XDP is refused */
        assert_int_equal(ng_node_create(g, "ether", &e2), 0);
        assert_int_equal(ng_node_name(e2, "t2"), 0);
        ascii_ok(g, "t2:", "attach \"ve0\"", NULL);
        tp_expect(g, "t2:", "auto", "af_packet", "attach");
        assert_int_equal(ng_send_ascii(g, "t2:", "gettransport", &r), 0);
        print_message("a second node: %s\n", r);
        free(r);
        assert_int_equal(ng_send_ascii(g, "t2:", "textstatus", &r), 0);
        assert_non_null(strstr(r, "transport: af_packet (rx tpacket_v3 ring, tx sendmmsg; "
                                  "requested auto; "));
        free(r);
        ascii_ok(g, "t2:", "detach", NULL);
        ascii_ok(g, "t2:", "settransport \"af_xdp\"", NULL);
        int rc = ng_send_ascii(g, "t2:", "attach \"ve0\"", NULL);
        assert_true(rc == -EBUSY || rc == -EEXIST);
        tp_expect(g, "t2:", "af_xdp", "none", "attach");
        assert_int_equal(ng_send_ascii(g, "t2:", "textstatus", &r), 0);
        assert_non_null(strstr(r, "interface: none (not attached)  transport: requested af_xdp; "
                                  "last refusal: "));
        free(r);
        ng_node_shutdown(e2);
        ng_node_unref(e2);
        ascii_ok(g, "t1:", "detach", NULL);
        assert_int_not_equal(ngt_sh("ip link show ve0 | grep -q 'xdp'"), 0);
        /* more rings than the interface has queues (4): queue 4 refused */
        ascii_ok(g, "t1:", "setconfig { rings=5 block_size=65536 block_count=4 }", NULL);
        ascii_ok(g, "t1:", "settransport \"af_xdp\"", NULL);
        assert_int_equal(ng_send_ascii(g, "t1:", "attach \"ve0\"", NULL), -EINVAL);
        tp_expect(g, "t1:", "af_xdp", "none", "queue 4");
        ascii_ok(g, "t1:", "settransport \"auto\"", NULL);
        ascii_ok(g, "t1:", "attach \"ve0\"", NULL);
        tp_expect(g, "t1:", "auto", "af_packet", "zero-copy");
        /* forced AF_XDP while attached and refused: back to the old one */
        assert_int_equal(ng_send_ascii(g, "t1:", "settransport \"af_xdp_drv\"", NULL), -EINVAL);
        tp_expect(g, "t1:", "auto", "af_packet", "queue 4");
        ascii_ok(g, "t1:", "detach", NULL);
        ascii_ok(g, "t1:", "setconfig { rings=1 block_size=65536 block_count=4 }", NULL);
        /* generic mode forced */
        ascii_ok(g, "t1:", "settransport \"af_xdp_skb\"", NULL);
        ascii_ok(g, "t1:", "attach \"ve0\"", NULL);
        assert_int_equal(ng_send_ascii(g, "t1:", "textstatus", &r), 0);
        assert_non_null(strstr(r, "transport: af_xdp skb copy"));
        /* UMEM frames by the MTU: 2048 bytes at 1500 (128 of them in the
         * ring's 256 KiB), 4096 above 1766 (64) */
        assert_non_null(strstr(r, "umem 128+128 x 2048 "));
        free(r);
        ascii_ok(g, "t1:", "detach", NULL);
        assert_int_equal(ngt_sh("ip link set ve0 mtu 3000"), 0);
        ascii_ok(g, "t1:", "attach \"ve0\"", NULL);
        assert_int_equal(ng_send_ascii(g, "t1:", "textstatus", &r), 0);
        assert_non_null(strstr(r, "umem 64+64 x 4096 "));
        free(r);
        ascii_ok(g, "t1:", "detach", NULL);
        assert_int_equal(ngt_sh("ip link set ve0 mtu 1500"), 0);
        /* no program object: libxdp looks in LIBXDP_OBJECT_PATH */
        assert_int_equal(setenv("LIBXDP_OBJECT_PATH", "/nonexistent-ngt", 1), 0);
        ascii_ok(g, "t1:", "settransport \"auto\"", NULL);
        ascii_ok(g, "t1:", "attach \"ve0\"", NULL);
        tp_expect(g, "t1:", "auto", "af_packet", "xsk_def_xdp_prog.o");
        ascii_ok(g, "t1:", "detach", NULL);
        ascii_ok(g, "t1:", "settransport \"af_xdp\"", NULL);
        assert_int_equal(ng_send_ascii(g, "t1:", "attach \"ve0\"", NULL), -ENOENT);
        assert_int_equal(unsetenv("LIBXDP_OBJECT_PATH"), 0);
    } else {
        /* auto on a veth (no zero-copy): AF_PACKET, and it says why */
        ascii_ok(g, "t1:", "detach", NULL);
        ascii_ok(g, "t1:", "settransport \"auto\"", NULL);
        ascii_ok(g, "t1:", "setconfig { rings=2 block_size=65536 block_count=4 }", NULL);
        ascii_ok(g, "t1:", "attach \"ve0\"", NULL);
        assert_int_equal(ng_send_ascii(g, "t1:", "gettransport", &r), 0);
        /* (a build without libxdp: "af_xdp: not built") */
        assert_true(strstr(r, "zero-copy only") != NULL || strstr(r, "af_xdp: not built") != NULL);
        assert_non_null(strstr(r, "active=\"af_packet\""));
        free(r);
    }
    ng_node_shutdown(e1);
    ng_node_unref(e1);
}

/* The calling thread's effective capabilities without CAP_BPF, CAP_PERFMON,
 * CAP_NET_ADMIN and CAP_SYS_ADMIN (drop; drop 2: CAP_NET_RAW too), or back
 * to its permitted set (drop 0).  Raw capset: the kernel's credentials are
 * per thread, and only this thread's change.  0 or -errno. */
static int caps_drop(int drop)
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) < 0)
        return -errno;
    const int caps[] = {CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN, CAP_SYS_ADMIN};
    for (int k = 0; k < 2; k++)
        d[k].effective = d[k].permitted;
    for (size_t i = 0; drop && i < sizeof(caps) / sizeof(caps[0]); i++)
        d[caps[i] / 32].effective &= ~(1u << (caps[i] % 32));
    if (drop == 2)
        d[CAP_NET_RAW / 32].effective &= ~(1u << (CAP_NET_RAW % 32));
    return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

struct noperm {
    struct ng_graph *g;
    int forced, forced_after, auto_rc;
    char forced_why[128], auto_why[256];
};

/* On a thread of its own without the capabilities XDP needs (the af_xdp
 * run) or without CAP_NET_RAW too (the af_packet run): the forced transport
 * is refused with -EPERM; in the af_xdp run auto then falls back to
 * AF_PACKET and says why. */
static void *noperm_main(void *arg)
{
    struct noperm *x = arg;
    if (caps_drop(xdp ? 1 : 2) != 0) {
        x->forced = 1; /* not an errno: the test fails on it */
        return NULL;
    }
    x->forced = ng_send_ascii(x->g, "np:", "attach \"ve0\"", NULL);
    char *r = NULL;
    if (ng_send_ascii(x->g, "np:", "gettransport", &r) == 0)
        snprintf(x->forced_why, sizeof(x->forced_why), "%s", r);
    free(r);
    if (xdp && ng_send_ascii(x->g, "np:", "settransport \"auto\"", NULL) == 0)
        x->auto_rc = ng_send_ascii(x->g, "np:", "attach \"ve0\"", NULL);
    r = NULL;
    if (ng_send_ascii(x->g, "np:", "gettransport", &r) == 0)
        snprintf(x->auto_why, sizeof(x->auto_why), "%s", r);
    free(r);
    (void)ng_send_ascii(x->g, "np:", "detach", NULL);
    x->forced_after = caps_drop(0);
    ng_thread_unregister(x->g);
    return NULL;
}

static void test_no_permission(void **state)
{
    ETH_REQUIRE();
    struct ng_graph *g = *state;
    reg(g);
    struct ng_node *e = ether_new(g, "np");
    struct noperm x = {.g = g};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, noperm_main, &x), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    print_message("without %s: forced %d (%s); auto %d (%s)\n",
                  xdp ? "CAP_BPF, CAP_NET_ADMIN" : "CAP_NET_RAW", x.forced, x.forced_why, x.auto_rc,
                  x.auto_why);
    assert_int_equal(x.forced, -EPERM);
    assert_non_null(strstr(x.forced_why, "active=\"none\""));
    if (xdp) {
        assert_int_equal(x.auto_rc, 0);
        assert_non_null(strstr(x.auto_why, "active=\"af_packet\""));
        assert_non_null(strstr(x.auto_why, "ermitted")); /* the reason names EPERM */
    }
    assert_int_equal(x.forced_after, 0);
    /* with the capabilities (this thread), the forced transport works again */
    settp(g, e);
    ascii_ok(g, "np:", "attach \"ve0\"", NULL);
    ascii_ok(g, "np:", "detach", NULL);
    ng_node_shutdown(e);
    ng_node_unref(e);
}

static void roundtrip(const struct ng_mesg *m)
{
    struct ng_mesg *a = NULL, *b = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_ether_type, m, &a), 0);
    assert_int_equal(ng_mesg_from_ascii(&ng_ether_type, a, &b, NULL), 0);
    assert_int_equal(b->header.typecookie, m->header.typecookie);
    assert_int_equal(b->header.cmd, m->header.cmd);
    assert_int_equal(b->header.arglen, m->header.arglen);
    assert_memory_equal(b->data, m->data, m->header.arglen);
    ng_mesg_free(a);
    ng_mesg_free(b);
}

static void test_ascii_roundtrip(void **state)
{
    (void)state;
    const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    const int32_t one = 1;
    const struct ng_ether_config c = {2, 65536, 8, 1};
    const struct ng_ether_transport tpr = {"auto", "af_packet", "", "generic attach: Busy"};
    const struct {
        uint32_t cmd;
        const void *arg;
        uint32_t len;
    } cases[] = {
        {NGM_ETHER_SET_ENADDR, mac, 6},        {NGM_ETHER_SET_PROMISC, &one, 4},
        {NGM_ETHER_SET_AUTOSRC, &one, 4},      {NGM_ETHER_ADD_MULTI, mac, 6},
        {NGM_ETHER_DEL_MULTI, mac, 6},         {NGM_ETHER_ATTACH, "ve0", 4},
        {NGM_ETHER_SET_CONFIG, &c, sizeof(c)}, {NGM_ETHER_DETACH, NULL, 0},
        {NGM_ETHER_SET_TRANSPORT, "af_xdp", 7},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ng_mesg *m = ng_mesg_alloc(NGM_ETHER_COOKIE, cases[i].cmd, cases[i].len);
        if (cases[i].len)
            memcpy(m->data, cases[i].arg, cases[i].len);
        roundtrip(m);
        ng_mesg_free(m);
    }
    /* responses */
    const struct {
        uint32_t cmd;
        const void *arg;
        uint32_t len;
    } resp[] = {
        {NGM_ETHER_GET_IFNAME, "ve0", 4}, {NGM_ETHER_GET_IFINDEX, &one, 4},
        {NGM_ETHER_GET_ENADDR, mac, 6},   {NGM_ETHER_GET_PROMISC, &one, 4},
        {NGM_ETHER_GET_AUTOSRC, &one, 4}, {NGM_ETHER_GET_CONFIG, &c, sizeof(c)},
        {NGM_ETHER_GET_TRANSPORT, &tpr, sizeof(tpr)},
    };
    for (unsigned i = 0; i < sizeof(resp) / sizeof(resp[0]); i++) {
        struct ng_mesg *q = ng_mesg_alloc(NGM_ETHER_COOKIE, resp[i].cmd, 0);
        struct ng_mesg *m = ng_mesg_response(q, resp[i].len);
        memcpy(m->data, resp[i].arg, resp[i].len);
        roundtrip(m);
        ng_mesg_free(m);
        ng_mesg_free(q);
    }
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL && n < 100000;)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static int count_packet_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int n = 0;
    for (int i = 0; f && i < 1000000 && fgets(line, sizeof(line), f); i++)
        n += strstr(line, "socket:") != NULL || strstr(line, "packet") != NULL;
    if (f)
        fclose(f);
    return n;
}

/* Sockets are closed and rings unmapped by detach, shutdown and a graph
 * destroyed with an attached node. */
static void test_release(void **state)
{
    ETH_REQUIRE();
    struct ng_graph *g = *state;
    reg(g);
    struct ng_node *eth = ether_new(g, "e");
    /* the first watch starts the graph's timer thread (its own fds) */
    ascii_ok(g, "e:", "attach \"ve0\"", NULL);
    ascii_ok(g, "e:", "detach", NULL);
    ng_graph_barrier(g);
    int fds0 = count_fds(), maps0 = count_packet_maps();
    ascii_ok(g, "e:", "setconfig { rings=3 block_size=65536 block_count=4 }", NULL);
    ascii_ok(g, "e:", "attach \"ve0\"", NULL);
    assert_true(count_fds() >= fds0 + 3);
    assert_true(count_packet_maps() >= maps0 + 3);
    ascii_ok(g, "e:", "detach", NULL);
    ng_graph_barrier(g); /* the deferred release */
    assert_int_equal(count_fds(), fds0);
    assert_int_equal(count_packet_maps(), maps0);
    ascii_ok(g, "e:", "attach \"ve0\"", NULL);
    ng_node_shutdown(eth);
    ng_node_unref(eth);
    ng_graph_barrier(g);
    assert_int_equal(count_fds(), fds0);
    assert_int_equal(count_packet_maps(), maps0);
    /* a whole graph destroyed with an attached node (and its timer thread) */
    ngtest_teardown(state);
    assert_int_equal(ngtest_setup(state), 0);
    fds0 = count_fds();
    struct ng_graph *g2 = ngtest_graph();
    reg(g2);
    assert_int_equal(ng_node_create(g2, "ether", &eth), 0);
    assert_int_equal(ng_node_name(eth, "e2"), 0);
    settp(g2, eth);
    ng_node_unref(eth);
    ascii_ok(g2, "e2:", "attach \"ve0\"", NULL);
    ng_graph_destroy(g2);
    assert_int_equal(count_fds(), fds0);
    assert_int_equal(count_packet_maps(), maps0);
}

int main(void)
{
    const char *e = getenv("NGT_ETHER_TP");
    if (e && e[0])
        tp = e;
    xdp = strncmp(tp, "af_xdp", 6) == 0;
    fprintf(stderr, "test_ether: transport %s\n", tp);
    if (ngt_netns_init() < 0)
        fprintf(stderr, "test_ether: network namespaces unavailable: tests skip\n");
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_attach_identity),
        ngtest_unit_test(test_transmit),
        ngtest_unit_test(test_receive),
        ngtest_unit_test(test_rx_checksum),
        ngtest_unit_test(test_promisc_enaddr_multi),
        ngtest_unit_test(test_fanout),
        ngtest_unit_test(test_errors),
        ngtest_unit_test(test_interface_gone),
        ngtest_unit_test(test_reconfig_race),
        ngtest_unit_test(test_ascii_roundtrip),
        ngtest_unit_test(test_transport),
        ngtest_unit_test(test_no_permission),
        ngtest_unit_test(test_release),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
