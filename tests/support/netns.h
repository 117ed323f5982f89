/*
 * netns.h - network namespace fixture for the tests with real kernels
 * (tests/netns/, ctest label netns): a private network namespace for the
 * test process, named namespaces "ngt-<pid>-<tag>" for the other ends,
 * veth pairs, shell commands, sockets opened in a given namespace, and a
 * thread-safe sink node type that records the frames it receives.
 * Everything created is torn down at exit, on failure (atexit) and on
 * SIGINT, SIGTERM, SIGHUP and SIGABRT (namespaces left by a test killed
 * with SIGKILL are deleted by the next ngt_netns_init()).  Addresses used by the tests come
 * from the documentation ranges only (192.0.2.0/24, 198.51.100.0/24,
 * 2001:db8::/32); the machine's own interfaces are never touched: the
 * process works inside its own namespace from ngt_netns_init() on.
 */
#ifndef NGTEST_NETNS_H
#define NGTEST_NETNS_H

#include <stddef.h>
#include <stdint.h>

#include <ngraph/ngraph.h>

#define NGT_NS_NAMESIZ 48

/*
 * Move the process into a new, private network namespace (unshare) with
 * its loopback up, and install the cleanup handlers.  Call it first in
 * main(), before any thread exists (threads started later inherit the
 * namespace).  Returns 0; -EPERM when the process lacks CAP_NET_ADMIN (the
 * tests then skip: ngt_netns_available() is 0 and the reason is printed);
 * -errno otherwise.
 */
int ngt_netns_init(void);
/* Non-zero when ngt_netns_init() succeeded. */
int ngt_netns_available(void);
/* In a cmocka test: skip() with a message when namespaces are unavailable. */
#define NGT_NETNS_REQUIRE()                                                                        \
    do {                                                                                           \
        if (!ngt_netns_available()) {                                                              \
            print_message("netns: no CAP_NET_ADMIN (run as root): skipped\n");                     \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* Create the named namespace "ngt-<pid>-<tag>" (name in name[NGT_NS_NAMESIZ]),
 * loopback up, registered for deletion.  Returns 0 or -errno. */
int ngt_netns_add(const char *tag, char *name);
/* Delete a namespace made by ngt_netns_add now (and unregister it). */
void ngt_netns_del(const char *name);
/* Run a shell command (printf-style), stdout and stderr to stderr; returns
 * its exit status (0 = success), -1 if it could not run. */
int ngt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A socket created in namespace ns (NULL: the process's own).  -errno. */
int ngt_netns_socket(const char *ns, int domain, int type, int proto);
/* A veth pair: `a` in the process's namespace, `b` in namespace ns_b (NULL:
 * here too), both up, IPv6 off on both (no stray router solicitations).
 * Returns 0 or -EIO. */
int ngt_veth(const char *a, const char *b, const char *ns_b);
/* An AF_PACKET raw socket bound to ifname in ns (NULL: here), ETH_P_ALL,
 * non-blocking. -errno. */
int ngt_packet_socket(const char *ns, const char *ifname);
/* Receive on fd until a frame equal to want[len] arrives or timeout_s
 * passes (bounded: poll with the remaining time).  0, or -ETIMEDOUT. */
int ngt_recv_frame(int fd, const uint8_t *want, uint32_t len, double timeout_s);
/* Write an IPv4 header (no options, TTL 64, its checksum set) and a UDP
 * header (checksum 0: none) at ip, from src:sport to dst:dport, for `payload`
 * bytes that follow (not written).  Returns 28, the bytes written. */
uint32_t ngt_ipv4_udp(uint8_t *ip, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
                      uint16_t dport, uint32_t payload);
/* Tear everything down now (also run at exit). */
void ngt_netns_cleanup(void);

/* ---- the sink node type "nssink" ------------------------------------------
 * Any hook; shared mode; records the last NGT_SINK_MAX frames it received
 * (length and up to NGT_SINK_FRAME bytes each) under a mutex, so tests can
 * wait for frames delivered by worker or watch threads. */
#define NGT_SINK_MAX 128
#define NGT_SINK_FRAME 2048
extern const struct ng_type ngt_sink_type;
/* Wait until the sink node has received a frame for which match(data, len,
 * arg) is non-zero (or, match NULL, a frame equal to arg[len]) or timeout_s
 * passed; copies it to out (out_len bytes max, *got its length) when out is
 * not NULL.  0 or -ETIMEDOUT. */
int ngt_sink_wait(struct ng_node *sink, int (*match)(const uint8_t *, uint32_t, const void *),
                  const void *arg, uint32_t len, double timeout_s, uint8_t *out, uint32_t out_len,
                  uint32_t *got);
/* Frames received so far. */
uint64_t ngt_sink_count(struct ng_node *sink);
/* Forget every recorded frame. */
void ngt_sink_clear(struct ng_node *sink);
/* Send len bytes out of the sink's hook `hook` (ng_send_data's result). */
int ngt_sink_send(struct ng_node *sink, const char *hook, const uint8_t *bytes, uint32_t len);

#endif
