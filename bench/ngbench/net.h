/*
 * net.h - private to the network scenario's files: net.c (rows, runs,
 * results, the method in its header comment), netns.c (namespaces,
 * frames, TPACKET_V3 rings, CPU time), netdut.c (the generator, sink and
 * tunnel threads and the devices under test).
 */
#ifndef NGB_NET_H
#define NGB_NET_H

#include "ngbench.h"

#include <linux/if_packet.h>
#include <sys/socket.h>

#define NET_FLOWS 64
#define NET_BATCH 64                         /* frames per sendmmsg (generator, loop) */
#define NET_TBURST 32                        /* datagrams per burst (tunnel rows) */
#define NET_MAXFRAMES (500ull * 1000 * 1000) /* generator bound per run */
#define NET_PORT 5555
#define NET_CAP_NET_ADMIN 12

/* The namespaces: generator, device under test, sink (netns.c). */
enum { NS_G, NS_D, NS_S, NNS };
extern char ngb_ns_name[NNS][48];
/* The generator's frames: from ngb_gen_mac to ngb_sink_mac. */
extern const uint8_t ngb_gen_mac[6], ngb_sink_mac[6];

/* A TPACKET_V3 receive ring: the ether node's parameters (64 KiB blocks,
 * a partly filled block handed over after 1 ms). */
struct pring {
    int fd;
    uint8_t *map;
    size_t len;
    unsigned bsize, bcount, next;
};

struct net_run {
    const struct ngb_net_row *row;
    int gen_cpu;
    _Atomic int stop;
    _Atomic uint64_t offered;   /* single writer: the sending thread */
    _Atomic uint64_t delivered; /* tunnel rows: the receiving side */
    _Atomic int err;            /* first negative errno of a thread */
    uint64_t deadline;          /* ns: every thread stops by then */
    double rate;                /* generator: frames per second, 0 = as fast as it can */
    /* tunnel: graph A and the hook frames are injected on */
    struct ng_graph *ga;
    struct ng_hook *inj;
    int udp_fd; /* plain tunnel: the receiver's socket */
};

/* The sink: hands s0's ring back to the kernel until told to stop (the
 * count is the kernel's, read by the scenario thread). */
struct net_sink {
    pthread_t tid;
    int cpu;
    struct pring ring;
    _Atomic int state; /* 0 starting, 1 ready, < 0 failed (-errno) */
    _Atomic int stop;
};

/* The plain AF_PACKET loop: one thread per ring. */
struct afp_thr {
    pthread_t tid;
    int cpu;
    struct net_run *run;
    struct pring ring;
    int txfd, txidx;
};

struct dut {
    struct ng_graph *g, *gb;
    struct afp_thr afp[MAXW];
    int nafp;
    bool bridged;
    _Atomic uint64_t tun_count;
    struct ng_node *tun_cnt; /* graph B's counting node (referenced) */
};

/* netns.c */
/* Shell command, output to stderr; its exit status, -1 if it did not run. */
int ngb_net_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Why the scenario cannot run here ("" if it can). */
void ngb_net_why_not(char *why, size_t len);
/* The namespaces, veth pairs, addresses and the idle kernel bridge, with
 * the cleanup handlers; 0, or -1 with *why set (ngb_ns_teardown undoes
 * what was made either way). */
int ngb_ns_setup(char *why, size_t len);
void ngb_ns_teardown(void);
/* The calling thread into namespace NS_*: 0 or -errno. */
int ngb_ns_enter(int which);
void ngb_net_frame(uint8_t *f, unsigned len, unsigned flow);
int ngb_pring_open(struct pring *r, const char *ifname, int proto, unsigned bsize, unsigned bcount,
                   int fanout);
void ngb_pring_close(struct pring *r);
struct tpacket_block_desc *ngb_pring_block(struct pring *r);
void ngb_pring_release(struct pring *r, struct tpacket_block_desc *bd);
void ngb_pring_wait(struct pring *r, int ms);
void ngb_cpu_jiffies(int n, uint64_t *busy, uint64_t *total);

/* netdut.c: thread bodies (arg: struct net_run, or struct net_sink,
 * struct afp_thr), the sink's count, the devices under test. */
void *ngb_gen_main(void *arg);
void *ngb_sink_main(void *arg);
uint64_t ngb_sink_take(struct net_sink *k, uint64_t *drops);
void ngb_sink_announce(struct net_sink *k);
void *ngb_afp_main(void *arg);
void *ngb_tun_graph_main(void *arg);
void *ngb_tun_send_main(void *arg);
void *ngb_tun_recv_main(void *arg);
int ngb_dut_ether(struct dut *d, int W, int gen_cpu);
int ngb_dut_afp(struct dut *d, struct net_run *r, int W);
int ngb_dut_tunnel_graph(struct dut *d, struct net_run *r);
int ngb_dut_tunnel_plain(struct net_run *r);
void ngb_dut_down(struct dut *d, struct net_run *r);
void ngb_ether_dump(struct ng_graph *g);

#endif
