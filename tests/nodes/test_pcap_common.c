/*
 * test_pcap_common.c - helpers shared by test_pcap.c and test_pcap_timing.c
 * (included by both, not compiled on its own): a temporary directory per
 * test (removed by the teardown, also after a failed assertion), capture
 * files written with libpcap, whole-file reads, and a reader -> writer pair
 * of pcap nodes ("r" out -> "w" in).
 */
#include <dirent.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/nodes/pcap.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

static char pc_dir[64]; /* this test's temporary directory */

static inline int pc_setup(void **state)
{
    snprintf(pc_dir, sizeof(pc_dir), "/tmp/ngpcapXXXXXX");
    if (!mkdtemp(pc_dir))
        return -1;
    return ngtest_setup(state);
}

static inline int pc_teardown(void **state)
{
    DIR *d = opendir(pc_dir);
    if (d) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof(p), "%s/%s", pc_dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(pc_dir);
    return ngtest_teardown(state);
}

#define pc_test(f) cmocka_unit_test_setup_teardown(f, pc_setup, pc_teardown)

/* pc_dir/name in buf. */
static inline const char *pc_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", pc_dir, name);
    return buf;
}

/* Frame i of a test file: Ethernet, `len` bytes, a recognisable pattern. */
static inline void pc_frame(uint8_t *f, uint32_t len, int i)
{
    static const uint8_t hdr[14] = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00};
    for (uint32_t j = 0; j < len; j++)
        f[j] = j < 14 ? hdr[j] : (uint8_t)(i * 31 + j * 7);
    if (len > 5)
        f[5] = (uint8_t)i;
}

/* Write a capture file of n Ethernet frames of sizes len[i], the first at
 * t0 = 1700000000.000001 s, each gap_us after the previous. */
static inline void pc_write_file(const char *path, const uint32_t *len, int n, uint32_t gap_us)
{
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    assert_non_null(dead);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    assert_non_null(d);
    static uint8_t f[9000];
    uint64_t us = 1;
    for (int i = 0; i < n; i++) {
        assert_true(len[i] <= sizeof(f));
        pc_frame(f, len[i], i);
        struct pcap_pkthdr h;
        h.ts.tv_sec = (time_t)(1700000000 + us / 1000000);
        h.ts.tv_usec = (suseconds_t)(us % 1000000);
        h.caplen = h.len = len[i];
        pcap_dump((u_char *)d, &h, f);
        us += gap_us;
    }
    pcap_dump_close(d);
    pcap_close(dead);
}

/* The whole file (malloc'ed, *n its size). */
static inline uint8_t *pc_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static const size_t cap = 1 << 22;
    uint8_t *b = malloc(cap);
    assert_non_null(b);
    *n = fread(b, 1, cap, f);
    fclose(f);
    return b;
}

/* ng_send_ascii to path, expecting rc. */
static inline void pc_ascii(struct ng_graph *g, const char *path, const char *text, int rc)
{
    char *resp = NULL;
    int r = ng_send_ascii(g, path, text, &resp);
    if (r != rc)
        fprintf(stderr, "%s %s: %d, expected %d\n", path, text, r, rc);
    assert_int_equal(r, rc);
    free(resp);
}

static inline void pc_stats(struct ng_graph *g, const char *path, struct ng_pcap_stats *s)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(g, path, NGM_PCAP_COOKIE, NGM_PCAP_GET_STATS, &r), 0);
    assert_non_null(r);
    assert_int_equal(r->header.arglen, sizeof(*s));
    memcpy(s, r->data, sizeof(*s));
    ng_mesg_free(r);
}

static inline void pc_config(struct ng_graph *g, const char *path, struct ng_pcap_config *c)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(g, path, NGM_PCAP_COOKIE, NGM_PCAP_GET_CONFIG, &r), 0);
    assert_non_null(r);
    assert_int_equal(r->header.arglen, sizeof(*c));
    memcpy(c, r->data, sizeof(*c));
    ng_mesg_free(r);
}

/* Reader "r" (out) -> writer "w" (in).  *rp, *wp: referenced. */
static inline void pc_pair(struct ng_graph *g, struct ng_node **rp, struct ng_node **wp)
{
    int rc = ng_type_register(g, &ng_pcap_type);
    assert_true(rc == 0 || rc == -EEXIST);
    assert_int_equal(ng_node_create(g, "pcap", rp), 0);
    assert_int_equal(ng_node_create(g, "pcap", wp), 0);
    assert_int_equal(ng_node_name(*rp, "r"), 0);
    assert_int_equal(ng_node_name(*wp, "w"), 0);
    assert_int_equal(ng_connect(*rp, "out", *wp, "in"), 0);
}

static inline void pc_pair_done(struct ng_node *r, struct ng_node *w)
{
    if (ng_node_is_valid(r))
        ng_node_shutdown(r);
    if (ng_node_is_valid(w))
        ng_node_shutdown(w);
    ng_node_unref(r);
    ng_node_unref(w);
}

/* Play `in` through r -> w into `out`: set the pace, start, wait (bounded:
 * 20 s) until r stopped by itself; returns the seconds it took. */
static inline double pc_play(struct ng_graph *g, const char *in, const char *out, const char *pace)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "setoutput { path=\"%s\" snaplen=65535 }", out);
    pc_ascii(g, "w:", cmd, 0);
    snprintf(cmd, sizeof(cmd), "setinput { path=\"%s\" }", in);
    pc_ascii(g, "r:", cmd, 0);
    pc_ascii(g, "r:", pace, 0);
    double t0 = ngtest_now_s();
    pc_ascii(g, "r:", "start", 0);
    struct ng_pcap_config c;
    for (int i = 0; i < 20000; i++) {
        pc_config(g, "r:", &c);
        if (!c.running)
            break;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    double t = ngtest_now_s() - t0;
    assert_int_equal(c.running, 0);
    return t;
}
