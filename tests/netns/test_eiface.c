/*
 * test_eiface.c - the "eiface" node type (docs/nodes/eiface.md) on a real
 * kernel, inside the test process's own network namespace: the node
 * creates TAP interface ngeth0 (then ngeth1 for a second node), given
 * 192.0.2.1/24; a UDP datagram built in the graph and sent on hook "ether"
 * is received by a UDP socket bound to 192.0.2.1, and a datagram sent by a
 * socket to 192.0.2.2 (a static neighbour) leaves on "ether" as a complete
 * Ethernet/IPv4/UDP frame; the messages, the bad inputs, and the interface
 * is gone after shutdown.  Label netns: skipped without CAP_NET_ADMIN.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"
#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/nodes/eiface.h>
#include <ngraph/parse.h>

static const uint8_t peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t tap_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

static void reg(struct ng_graph *g)
{
    int r = ng_type_register(g, &ng_eiface_type);
    assert_true(r == 0 || r == -EEXIST);
    r = ng_type_register(g, &ngt_sink_type);
    assert_true(r == 0 || r == -EEXIST);
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

/* Ethernet + IPv4 + UDP (checksum 0: none) 192.0.2.2:4000 -> 192.0.2.1:port. */
static uint32_t udp_frame(uint8_t *f, uint16_t port, const char *payload)
{
    size_t pl = strlen(payload);
    memcpy(f, tap_mac, 6);
    memcpy(f + 6, peer_mac, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    const uint8_t src[4] = {192, 0, 2, 2}, dst[4] = {192, 0, 2, 1};
    ngt_ipv4_udp(f + 14, src, 4000, dst, port, (uint32_t)pl);
    memcpy(f + 14 + 28, payload, pl);
    return (uint32_t)(14 + 28 + pl);
}

/* A frame from the TAP: IPv4/UDP to 192.0.2.2 port 4000 with payload arg. */
static int is_reply(const uint8_t *d, uint32_t len, const void *arg)
{
    const char *want = arg;
    size_t pl = strlen(want);
    return len >= 42 + pl && memcmp(d, peer_mac, 6) == 0 && memcmp(d + 6, tap_mac, 6) == 0 &&
           d[12] == 0x08 && d[13] == 0x00 && d[23] == 17 && d[30] == 192 && d[31] == 0 &&
           d[32] == 2 && d[33] == 2 && d[36] == 4000 >> 8 && d[37] == (4000 & 0xff) &&
           memcmp(d + 42, want, pl) == 0;
}

/* The TAP's traffic: graph -> socket and socket -> graph. */
static void test_traffic(void **state)
{
    NGT_NETNS_REQUIRE();
    struct ng_graph *g = *state;
    reg(g);
    struct ng_node *s, *eif;
    assert_int_equal(ng_node_create(g, "nssink", &s), 0);
    assert_int_equal(ng_mkpeer(s, "e", "eiface", "ether", &eif), 0);
    assert_int_equal(ng_node_name(eif, "eif"), 0);
    char *name = NULL;
    assert_int_equal(ng_send_ascii(g, "eif:", "getifname", &name), 0);
    assert_string_equal(name, "\"ngeth0\"");
    free(name);
    ascii_ok(g, "eif:", "set 02:00:00:00:00:01", NULL);
    assert_int_equal(ngt_sh("sysctl -qw net.ipv6.conf.ngeth0.disable_ipv6=1 && "
                            "ip addr add 192.0.2.1/24 dev ngeth0 && ip link set ngeth0 up && "
                            "ip neigh replace 192.0.2.2 lladdr 02:00:00:00:00:02 dev ngeth0 "
                            "nud permanent"),
                     0);
    ascii_ok(g, "eif:", "getifaddrs", "\"192.0.2.1/24\"");
    int u = ngt_netns_socket(NULL, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(u >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(5001)};
    inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
    assert_int_equal(bind(u, (struct sockaddr *)&a, sizeof(a)), 0);
    /* graph -> interface -> socket (retried: the link comes up
     * asynchronously) */
    uint8_t f[256];
    uint32_t fl = udp_frame(f, 5001, "hello from the graph");
    char buf[128];
    ssize_t got = -1;
    for (int i = 0; i < 50 && got < 0; i++) {
        assert_int_equal(ngt_sink_send(s, "e", f, fl), 0);
        struct pollfd p = {.fd = u, .events = POLLIN};
        if (poll(&p, 1, 100) == 1)
            got = recv(u, buf, sizeof(buf), 0);
    }
    assert_int_equal(got, 20);
    assert_memory_equal(buf, "hello from the graph", 20);
    /* socket -> interface -> graph */
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(4000)};
    inet_pton(AF_INET, "192.0.2.2", &to.sin_addr);
    assert_int_equal(sendto(u, "hello to the graph", 18, 0, (struct sockaddr *)&to, sizeof(to)),
                     18);
    assert_int_equal(ngt_sink_wait(s, is_reply, "hello to the graph", 0, 5.0, NULL, 0, NULL), 0);
    char *st = NULL;
    assert_int_equal(ng_send_ascii(g, "eif:", "textstatus", &st), 0);
    assert_non_null(strstr(st, "interface: ngeth0"));
    assert_non_null(strstr(st, "to_if_frames="));
    free(st);
    close(u);
    /* The node outlives its hook; the interface goes with the node. */
    assert_int_equal(ng_rmhook(s, "e"), 0);
    assert_true(ng_node_is_valid(eif));
    assert_true(if_nametoindex("ngeth0") != 0);
    ng_node_shutdown(eif);
    ng_node_unref(eif);
    ng_graph_barrier(g);
    assert_int_equal(if_nametoindex("ngeth0"), 0);
    ng_node_shutdown(s);
    ng_node_unref(s);
}

/* Two nodes: ngeth0 and ngeth1; names are reused after shutdown. */
static void test_names(void **state)
{
    NGT_NETNS_REQUIRE();
    struct ng_graph *g = *state;
    reg(g);
    struct ng_node *a, *b;
    assert_int_equal(ng_node_create(g, "eiface", &a), 0);
    assert_int_equal(ng_node_create(g, "eiface", &b), 0);
    assert_int_equal(ng_node_name(a, "a"), 0);
    assert_int_equal(ng_node_name(b, "b"), 0);
    ascii_ok(g, "a:", "getifname", "\"ngeth0\"");
    ascii_ok(g, "b:", "getifname", "\"ngeth1\"");
    ascii_ok(g, "b:", "getifaddrs", "\"\"");
    /* renamed by the user: getifname follows */
    assert_int_equal(ngt_sh("ip link set ngeth1 name ngtest9"), 0);
    ascii_ok(g, "b:", "getifname", "\"ngtest9\"");
    ng_node_shutdown(a);
    ng_node_unref(a);
    ng_node_shutdown(b);
    ng_node_unref(b);
    ng_graph_barrier(g);
    assert_int_equal(if_nametoindex("ngeth0"), 0);
    assert_int_equal(if_nametoindex("ngtest9"), 0);
    /* a graph destroyed with a live node removes the interface too */
    struct ng_graph *g2 = ngtest_graph();
    reg(g2);
    assert_int_equal(ng_node_create(g2, "eiface", &a), 0);
    ng_node_unref(a);
    assert_true(if_nametoindex("ngeth0") != 0);
    ng_graph_destroy(g2);
    assert_int_equal(if_nametoindex("ngeth0"), 0);
}

/* Bad input of docs/nodes/eiface.md's ERRORS table. */
static void test_errors(void **state)
{
    NGT_NETNS_REQUIRE();
    struct ng_graph *g = *state;
    reg(g);
    struct ng_node *s, *eif;
    assert_int_equal(ng_node_create(g, "nssink", &s), 0);
    assert_int_equal(ng_node_create(g, "eiface", &eif), 0);
    assert_int_equal(ng_node_name(eif, "eif"), 0);
    assert_int_equal(ng_connect(s, "x", eif, "bogus"), -EINVAL);
    assert_int_equal(ng_connect(s, "x", eif, "ether"), 0);
    assert_int_equal(ng_connect(s, "y", eif, "ether"), -EEXIST); /* the name is taken */
    assert_int_equal(ng_send_ascii(g, "eif:", "set 01:00:5e:00:00:01", NULL), -EINVAL);
    struct ng_mesg *m = ng_mesg_alloc(NGM_EIFACE_COOKIE, NGM_EIFACE_SET, 2);
    assert_int_equal(ng_send_msg(g, NULL, "eif:", m, NULL), -EINVAL);
    m = ng_mesg_alloc(NGM_EIFACE_COOKIE, 99, 0);
    assert_int_equal(ng_send_msg(g, NULL, "eif:", m, NULL), -EINVAL);
    uint8_t f[64] = {0};
    assert_int_equal(ngt_sink_send(s, "x", f, 8), -EINVAL); /* runt */
    /* interface down: the kernel refuses (-EIO), counted */
    assert_int_equal(ngt_sink_send(s, "x", f, 64), -EIO);
    char *st = NULL;
    assert_int_equal(ng_send_ascii(g, "eif:", "textstatus", &st), 0);
    assert_non_null(strstr(st, "to_if_drop_runt=1"));
    assert_non_null(strstr(st, "to_if_drop_error=1"));
    free(st);
    ng_node_shutdown(eif);
    ng_node_unref(eif);
    ng_node_shutdown(s);
    ng_node_unref(s);
}

static void roundtrip(const struct ng_mesg *m)
{
    struct ng_mesg *a = NULL, *b = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_eiface_type, m, &a), 0);
    assert_int_equal(ng_mesg_from_ascii(&ng_eiface_type, a, &b, NULL), 0);
    assert_int_equal(b->header.cmd, m->header.cmd);
    assert_int_equal(b->header.arglen, m->header.arglen);
    assert_memory_equal(b->data, m->data, m->header.arglen);
    ng_mesg_free(a);
    ng_mesg_free(b);
}

static void test_ascii_roundtrip(void **state)
{
    (void)state;
    struct ng_mesg *m = ng_mesg_alloc(NGM_EIFACE_COOKIE, NGM_EIFACE_SET, 6);
    memcpy(m->data, tap_mac, 6);
    roundtrip(m);
    ng_mesg_free(m);
    const char *txt[] = {"ngeth0", "192.0.2.1/24 2001:db8::1/64"};
    const uint32_t cmds[] = {NGM_EIFACE_GET_IFNAME, NGM_EIFACE_GET_IFADDRS};
    for (int i = 0; i < 2; i++) {
        struct ng_mesg *q = ng_mesg_alloc(NGM_EIFACE_COOKIE, cmds[i], 0);
        struct ng_mesg *r = ng_mesg_response(q, (uint32_t)strlen(txt[i]) + 1);
        memcpy(r->data, txt[i], strlen(txt[i]) + 1);
        roundtrip(r);
        ng_mesg_free(r);
        ng_mesg_free(q);
    }
}

int main(void)
{
    if (ngt_netns_init() < 0)
        fprintf(stderr, "test_eiface: network namespaces unavailable: tests skip\n");
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_traffic),
        ngtest_unit_test(test_names),
        ngtest_unit_test(test_errors),
        ngtest_unit_test(test_ascii_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
