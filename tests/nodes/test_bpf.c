/*
 * test_bpf.c - the "bpf" node type (docs/nodes/bpf.md) against its
 * documented behaviour: programs from `tcpdump -ddd` and the same
 * expressions compiled by the node (NGM_BPF_SET_EXPR) give the same
 * verdicts over handmade TCP, UDP, ARP, VLAN and IPv6 frames; match /
 * nomatch routing, truncation, destinations that come and go, FreeBSD's
 * counters, ASCII round trips, every bad input, tools/bpf2ngctl's output
 * through the node, bursts, shutdown and a persistent node's revive (the
 * shared-mode data path under changes: test_bpf_race.c).  Frames are
 * injected at the bpf node's hook "a" and captured by a "gcap" sink on
 * its hooks.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/nodes/bpf.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

/* ---- frames ------------------------------------------------------------- */

enum { F_TCP80, F_TCP22, F_UDP53, F_ARP, F_VLAN_UDP, F_IP6_TCP80, F_RUNT, F_COUNT };
struct frame {
    uint8_t b[128];
    uint32_t len;
};
static struct frame frames[F_COUNT];

/* Ethernet frames: 00:11:22:33:44:55 <- 66:77:88:99:aa:bb; IPv4 192.0.2.1 ->
 * 192.0.2.2 (DF), IPv6 2001:db8::1 -> 2001:db8::2; TCP SYNs from port 12345. */
#define ETH "00112233445566778899aabb"
#define IP4(len, proto)                                                                            \
    "45"                                                                                           \
    "00" len "12344000"                                                                            \
    "40" proto "0000"                                                                              \
    "c0000201c0000202"
static const char *const frames_hex[F_COUNT] = {
    [F_TCP80] = ETH "0800" IP4("0028", "06") "3039005000000000000000005002000000000000",
    [F_TCP22] = ETH "0800" IP4("0028", "06") "3039001600000000000000005002000000000000",
    [F_UDP53] = ETH "0800" IP4("001c", "11") "3039003500080000",
    [F_ARP] = "ffffffffffff66778899aabb0806"
              "0001080006040001"
              "66778899aabbc0000201"
              "000000000000c0000202", /* who-has 192.0.2.2 tell 192.0.2.1 */
    [F_VLAN_UDP] = ETH "8100000a0800" IP4("001c", "11") "3039003500080000", /* VLAN 10 */
    [F_IP6_TCP80] = ETH "86dd"
                        "6000000000140640"
                        "20010db8000000000000000000000001"
                        "20010db8000000000000000000000002"
                        "3039005000000000000000005002000000000000",
    [F_RUNT] = "00112233445566778899",
};

static void make_frames(void)
{
    for (int i = 0; i < F_COUNT; i++) {
        const char *h = frames_hex[i];
        frames[i].len = (uint32_t)strlen(h) / 2;
        for (uint32_t j = 0; j < frames[i].len; j++)
            sscanf(h + 2 * j, "%2hhx", &frames[i].b[j]);
    }
}

/* ---- helpers --------------------------------------------------------------- */

static const char *const std_hooks[] = {"a", "m", "n", NULL};

static void fx_make(struct ngtest_fx *x, struct ng_graph *g, const char *const *hooks)
{
    int r = ng_type_register(g, &ng_bpf_type);
    assert_true(r == 0 || r == -EEXIST);
    ngtest_fx_make(x, g, "bpf", "bpf0", hooks);
}

/* Inject frame f at hook "a": 1 left by "m", 0 by "n", -1 dropped. */
static int verdict(struct ngtest_fx *x, const struct frame *f)
{
    x->cp->n = 0;
    assert_int_equal(ngtest_fx_inject(x, "a", f->b, f->len), 0);
    if (x->cp->n == 0)
        return -1;
    assert_int_equal(x->cp->n, 1);
    if (strcmp(x->cp->f[0].hook, "c_m") == 0)
        return 1;
    assert_string_equal(x->cp->f[0].hook, "c_n");
    return 0;
}

static int set_prog(struct ngtest_fx *x, const char *this_hook, const char *ifm, const char *ifn,
                    const struct ng_bpf_insn *insns, int32_t len)
{
    struct ng_mesg *m =
        ng_mesg_alloc(NGM_BPF_COOKIE, NGM_BPF_SET_PROGRAM, (uint32_t)NG_BPF_HOOKPROG_SIZE(len));
    assert_non_null(m);
    struct ng_bpf_hookprog *hp = (void *)m->data;
    snprintf(hp->thisHook, NG_HOOKSIZ, "%s", this_hook);
    snprintf(hp->ifMatch, NG_HOOKSIZ, "%s", ifm);
    snprintf(hp->ifNotMatch, NG_HOOKSIZ, "%s", ifn);
    hp->bpf_prog_len = len;
    memcpy(hp->bpf_prog, insns, (size_t)len * sizeof(*insns));
    return ng_send_msg(x->g, NULL, x->path, m, NULL);
}

/* GET_PROGRAM of hook into *out (caller frees). */
static struct ng_mesg *get_prog(struct ngtest_fx *x, const char *hook)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_BPF_COOKIE, NGM_BPF_GET_PROGRAM, NG_HOOKSIZ);
    snprintf(m->data, NG_HOOKSIZ, "%s", hook);
    struct ng_mesg *r = NULL;
    assert_int_equal(ng_send_msg(x->g, NULL, x->path, m, &r), 0);
    assert_non_null(r);
    return r;
}

static struct ng_bpf_hookstat get_stats(struct ngtest_fx *x, const char *hook, uint32_t cmd)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_BPF_COOKIE, cmd, NG_HOOKSIZ);
    snprintf(m->data, NG_HOOKSIZ, "%s", hook);
    struct ng_mesg *r = NULL;
    assert_int_equal(ng_send_msg(x->g, NULL, x->path, m, &r), 0);
    assert_non_null(r);
    assert_int_equal(r->header.arglen, sizeof(struct ng_bpf_hookstat));
    struct ng_bpf_hookstat s;
    memcpy(&s, r->data, sizeof(s));
    ng_mesg_free(r);
    return s;
}

static char *status(struct ngtest_fx *x)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(x->g, x->path, NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &r), 0);
    assert_non_null(r);
    char *s = strdup(r->data);
    ng_mesg_free(r);
    return s;
}

static uint64_t status_counter(struct ngtest_fx *x, const char *name)
{
    char *s = status(x), key[64];
    snprintf(key, sizeof(key), "%s=", name);
    const char *p = strstr(s, key);
    assert_non_null(p);
    uint64_t v = strtoull(p + strlen(key), NULL, 10);
    free(s);
    return v;
}

static const char *tcpdump_path(void)
{
    const char *p = getenv("NG_TCPDUMP");
    if (p && *p)
        return p;
    static const char *const cand[] = {"/usr/sbin/tcpdump", "/usr/bin/tcpdump", "/sbin/tcpdump"};
    for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++)
        if (access(cand[i], X_OK) == 0)
            return cand[i];
    return NULL;
}

/* Parse `tcpdump -ddd` text from fp into insns (at most max). */
static int read_ddd(FILE *fp, struct ng_bpf_insn *insns, int max)
{
    int n = -1;
    if (fscanf(fp, "%d", &n) != 1 || n < 1 || n > max)
        return -1;
    for (int i = 0; i < n; i++) {
        unsigned code, jt, jf, k;
        if (fscanf(fp, "%u %u %u %u", &code, &jt, &jf, &k) != 4)
            return -1;
        insns[i] = (struct ng_bpf_insn){(uint16_t)code, (uint8_t)jt, (uint8_t)jf, k};
    }
    return n;
}

/* The program tcpdump compiles for expr (Ethernet, the node's default
 * snap length); the instruction count, or -1. */
static int tcpdump_prog(const char *tcpdump, const char *expr, struct ng_bpf_insn *insns, int max)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "'%s' -y EN10MB -s %d -ddd '%s' 2>/dev/null", tcpdump,
             NG_BPF_SNAPLEN_DEFAULT, expr);
    FILE *fp = popen(cmd, "r");
    assert_non_null(fp);
    int n = read_ddd(fp, insns, max);
    int st = pclose(fp);
    return st == 0 ? n : -1;
}

/* ---- tests ------------------------------------------------------------------- */

static const struct {
    const char *expr;
    int want[F_COUNT]; /* tcp80 tcp22 udp53 arp vlan ip6 runt */
} exprs[] = {
    {"tcp", {1, 1, 0, 0, 0, 1, 0}},
    {"udp port 53", {0, 0, 1, 0, 0, 0, 0}},
    {"arp", {0, 0, 0, 1, 0, 0, 0}},
    {"vlan", {0, 0, 0, 0, 1, 0, 0}},
    {"vlan and udp port 53", {0, 0, 0, 0, 1, 0, 0}},
    {"tcp dst port 80", {1, 0, 0, 0, 0, 1, 0}},
    {"ether broadcast", {0, 0, 0, 1, 0, 0, 0}},
    {"ip6", {0, 0, 0, 0, 0, 1, 0}},
    {"not ip", {0, 0, 0, 1, 1, 1, 0}},
    {"ip host 192.0.2.2 and not tcp port 22", {1, 0, 1, 0, 0, 0, 0}},
};

/* tcpdump's program and the node's own compile of the same expression:
 * identical instructions and identical verdicts, which are the expected
 * ones; tools/bpf2ngctl's line for the expression installs it too. */
static void test_tcpdump_vs_node(void **state)
{
    const char *tcpdump = tcpdump_path();
    if (!tcpdump) {
        print_message("tcpdump not found (scripts/deps.sh installs it): comparison skipped\n");
        skip();
    }
    struct ngtest_fx x;
    fx_make(&x, *state, std_hooks);
    static struct ng_bpf_insn prog[NG_BPF_MAXINSNS];
    const char *tool = getenv("NG_BPF2NGCTL");
    for (size_t e = 0; e < sizeof(exprs) / sizeof(exprs[0]); e++) {
        int n = tcpdump_prog(tcpdump, exprs[e].expr, prog, NG_BPF_MAXINSNS);
        assert_true(n > 0);
        assert_int_equal(set_prog(&x, "a", "m", "n", prog, n), 0);
        int got_dump[F_COUNT], got_node[F_COUNT];
        for (int f = 0; f < F_COUNT; f++)
            got_dump[f] = verdict(&x, &frames[f]);
        char text[256];
        snprintf(text, sizeof(text),
                 "setexpr { thisHook=\"a\" ifMatch=\"m\" ifNotMatch=\"n\" "
                 "expr=\"%s\" }",
                 exprs[e].expr);
        assert_int_equal(ngtest_fx_ascii(&x, text, NULL), 0);
        struct ng_mesg *r = get_prog(&x, "a");
        const struct ng_bpf_hookprog *hp = (const void *)r->data;
        assert_int_equal(hp->bpf_prog_len, n);
        assert_memory_equal(hp->bpf_prog, prog, (size_t)n * sizeof(prog[0]));
        ng_mesg_free(r);
        for (int f = 0; f < F_COUNT; f++) {
            got_node[f] = verdict(&x, &frames[f]);
            assert_int_equal(got_node[f], got_dump[f]);
            if (got_node[f] != exprs[e].want[f])
                fail_msg("%s: frame %d: %d, expected %d", exprs[e].expr, f, got_node[f],
                         exprs[e].want[f]);
        }
        if (tool) { /* bpf2ngctl's ngctl line, sent as ngctl would */
            const struct ng_bpf_insn ret0 = {6, 0, 0, 0}; /* any other program */
            assert_int_equal(set_prog(&x, "a", "", "", &ret0, 1), 0);
            char cmd[512], line[65536];
            snprintf(cmd, sizeof(cmd), "TCPDUMP='%s' '%s' -p bpf0: -t a -m m -n n '%s'", tcpdump,
                     tool, exprs[e].expr);
            FILE *fp = popen(cmd, "r");
            assert_non_null(fp);
            assert_non_null(fgets(line, sizeof(line), fp));
            assert_int_equal(pclose(fp), 0);
            line[strcspn(line, "\n")] = '\0';
            assert_memory_equal(line, "msg bpf0: ", 10);
            assert_int_equal(ngtest_fx_ascii(&x, line + 10, NULL), 0);
            r = get_prog(&x, "a");
            hp = (const void *)r->data;
            assert_int_equal(hp->bpf_prog_len, n);
            assert_memory_equal(hp->bpf_prog, prog, (size_t)n * sizeof(prog[0]));
            assert_string_equal(hp->ifMatch, "m");
            ng_mesg_free(r);
        }
    }
    ngtest_fx_done(&x);
}

/* bpf2ngctl -f: a handmade -ddd text becomes a setprogram the node takes. */
static void test_bpf2ngctl_file(void **state)
{
    const char *tool = getenv("NG_BPF2NGCTL");
    if (!tool) {
        print_message("NG_BPF2NGCTL not set (ctest sets it): skipped\n");
        skip();
    }
    struct ngtest_fx x;
    fx_make(&x, *state, std_hooks);
    char path[] = "/tmp/test_bpf_ddd.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    /* ldh [12]; jeq #0x806 jt 2 jf 3; ret #64; ret #0 */
    const char ddd[] = "4\n40 0 0 12\n21 0 1 2054\n6 0 0 64\n6 0 0 0\n";
    assert_int_equal(write(fd, ddd, sizeof(ddd) - 1), (ssize_t)(sizeof(ddd) - 1));
    close(fd);
    char cmd[512], line[4096] = "";
    snprintf(cmd, sizeof(cmd), "'%s' -p bpf0: -t a -m m -n n -f %s", tool, path);
    FILE *fp = popen(cmd, "r");
    int got = fp && fgets(line, sizeof(line), fp) != NULL;
    int st = fp ? pclose(fp) : -1;
    unlink(path);
    assert_true(got);
    assert_int_equal(st, 0);
    line[strcspn(line, "\n")] = '\0';
    assert_string_equal(line,
                        "msg bpf0: setprogram { thisHook=\"a\" ifMatch=\"m\" ifNotMatch=\"n\" "
                        "bpf_prog_len=4 bpf_prog=[ { code=40 jt=0 jf=0 k=12 } { code=21 "
                        "jt=0 jf=1 k=2054 } { code=6 jt=0 jf=0 k=64 } { code=6 jt=0 jf=0 "
                        "k=0 } ] }");
    assert_int_equal(ngtest_fx_ascii(&x, line + 10, NULL), 0);
    assert_int_equal(verdict(&x, &frames[F_ARP]), 1);
    assert_int_equal(x.cp->f[0].len, frames[F_ARP].len); /* 42 < 64: whole */
    assert_int_equal(verdict(&x, &frames[F_TCP80]), 0);
    char *r = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getprogram \"a\"", &r), 0);
    assert_string_equal(r, "{ thisHook=\"a\" ifMatch=\"m\" ifNotMatch=\"n\" bpf_prog_len=4 "
                           "bpf_prog=[ { code=0x28 k=12 } { code=0x15 jf=1 k=2054 } { code=0x6 "
                           "k=64 } { code=0x6 } ] }");
    free(r);
    ngtest_fx_done(&x);
}

/* Routing: the man page's ASCII example matches everything; ret #0 sends
 * to ifNotMatch; an empty or missing destination drops (counted); a new
 * hook drops all; a destination that connects later is used, and one that
 * goes is dropped again.  Truncation to the program's result. */
static void test_routing(void **state)
{
    struct ngtest_fx x;
    const char *const hooks[] = {"a", "b", "n", NULL};
    fx_make(&x, *state, hooks);
    const struct frame *f = &frames[F_UDP53];
    /* A new hook drops everything (FreeBSD's default program). */
    x.cp->n = 0;
    assert_int_equal(ngtest_fx_inject(&x, "a", f->b, f->len), 0);
    assert_int_equal(ngtest_fx_inject(&x, "b", f->b, f->len), 0);
    assert_int_equal(x.cp->n, 0);
    assert_int_equal(status_counter(&x, "drop_nodest"), 2);
    char *r = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getprogram \"b\"", &r), 0);
    assert_string_equal(r, "{ thisHook=\"b\" bpf_prog_len=1 bpf_prog=[ { code=0x6 } ] }");
    free(r);
    assert_int_equal(ngtest_fx_ascii(&x,
                                     "setprogram { thisHook=\"a\" ifMatch=\"b\" bpf_prog_len=1 "
                                     "bpf_prog=[ { code=6 k=8192 } ] }",
                                     NULL),
                     0);
    assert_int_equal(ngtest_fx_inject(&x, "a", f->b, f->len), 0);
    ngtest_fx_expect(&x, 0, "c_b", f->b, f->len);
    /* ret #0: ifNotMatch. */
    assert_int_equal(ngtest_fx_ascii(&x,
                                     "setprogram { thisHook=\"a\" ifMatch=\"b\" ifNotMatch="
                                     "\"n\" bpf_prog_len=1 bpf_prog=[ { code=6 } ] }",
                                     NULL),
                     0);
    assert_int_equal(ngtest_fx_inject(&x, "a", f->b, f->len), 0);
    ngtest_fx_expect(&x, 1, "c_n", f->b, f->len);
    /* ret #20: truncated to 20 bytes, out of "b". */
    assert_int_equal(ngtest_fx_ascii(&x,
                                     "setprogram { thisHook=\"a\" ifMatch=\"b\" bpf_prog_len=1 "
                                     "bpf_prog=[ { code=6 k=20 } ] }",
                                     NULL),
                     0);
    assert_int_equal(ngtest_fx_inject(&x, "a", f->b, f->len), 0);
    ngtest_fx_expect(&x, 2, "c_b", f->b, 20);
    assert_int_equal(status_counter(&x, "truncated"), 1);
    /* A destination that does not exist yet, then connects, then goes. */
    assert_int_equal(ngtest_fx_ascii(&x,
                                     "setprogram { thisHook=\"a\" ifMatch=\"late\" "
                                     "bpf_prog_len=1 bpf_prog=[ { code=6 k=8192 } ] }",
                                     NULL),
                     0);
    assert_int_equal(ngtest_fx_inject(&x, "a", f->b, f->len), 0);
    assert_int_equal(x.cp->n, 3);
    assert_int_equal(status_counter(&x, "drop_nodest"), 3);
    char *t = status(&x);
    assert_non_null(strstr(t, "a: insns=1 match=\"late\"(unconnected) nomatch=\"\"(drop) "));
    free(t);
    assert_int_equal(ng_connect(x.node, "late", x.cap, "c_late"), 0);
    assert_int_equal(ngtest_fx_inject(&x, "a", f->b, f->len), 0);
    ngtest_fx_expect(&x, 3, "c_late", f->b, f->len);
    assert_int_equal(ng_rmhook(x.node, "late"), 0);
    assert_int_equal(ngtest_fx_inject(&x, "a", f->b, f->len), 0);
    assert_int_equal(x.cp->n, 4);
    assert_int_equal(status_counter(&x, "drop_nodest"), 4);
    /* A hook may send to itself. */
    assert_int_equal(ngtest_fx_ascii(&x,
                                     "setprogram { thisHook=\"a\" ifMatch=\"a\" bpf_prog_len=1 "
                                     "bpf_prog=[ { code=6 k=8192 } ] }",
                                     NULL),
                     0);
    assert_int_equal(ngtest_fx_inject(&x, "a", f->b, f->len), 0);
    ngtest_fx_expect(&x, 4, "c_a", f->b, f->len);
    struct ng_graph_stats st;
    ng_graph_stats(x.g, &st);
    assert_int_equal(st.drops[NG_DROP_NOTCONN], 4);
    ngtest_fx_done(&x);
}

/* FreeBSD's counters: received and matched on the receiving hook (octets
 * before truncation), transmitted on the destination hook (after). */
static void test_stats(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, std_hooks);
    /* ldb [23] (IPv4 protocol); jeq #6 -> ret #30 : ret #0 */
    const struct ng_bpf_insn prog[] = {
        {0x30, 0, 0, 23}, {0x15, 0, 1, 6}, {0x06, 0, 0, 30}, {0x06, 0, 0, 0}};
    assert_int_equal(set_prog(&x, "a", "m", "n", prog, 4), 0);
    assert_int_equal(verdict(&x, &frames[F_TCP80]), 1);
    assert_int_equal(x.cp->f[0].len, 30);
    assert_int_equal(verdict(&x, &frames[F_TCP22]), 1);
    assert_int_equal(verdict(&x, &frames[F_UDP53]), 0);
    assert_int_equal(x.cp->f[0].len, frames[F_UDP53].len);
    uint64_t in = frames[F_TCP80].len + frames[F_TCP22].len + frames[F_UDP53].len;
    struct ng_bpf_hookstat s = get_stats(&x, "a", NGM_BPF_GET_STATS);
    assert_int_equal(s.recvFrames, 3);
    assert_int_equal(s.recvOctets, in);
    assert_int_equal(s.recvMatchFrames, 2);
    assert_int_equal(s.recvMatchOctets, frames[F_TCP80].len + frames[F_TCP22].len);
    assert_int_equal(s.xmitFrames, 0);
    s = get_stats(&x, "m", NGM_BPF_GET_STATS);
    assert_int_equal(s.recvFrames, 0);
    assert_int_equal(s.xmitFrames, 2);
    assert_int_equal(s.xmitOctets, 60);
    char *r = NULL, want[256];
    assert_int_equal(ngtest_fx_ascii(&x, "getstats \"n\"", &r), 0);
    snprintf(want, sizeof(want), "{ xmitFrames=1 xmitOctets=%u }", frames[F_UDP53].len);
    assert_string_equal(r, want);
    free(r);
    /* getclrstats returns, then clears; clrstats clears. */
    s = get_stats(&x, "m", NGM_BPF_GETCLR_STATS);
    assert_int_equal(s.xmitFrames, 2);
    s = get_stats(&x, "m", NGM_BPF_GET_STATS);
    assert_int_equal(s.xmitFrames, 0);
    assert_int_equal(s.xmitOctets, 0);
    assert_int_equal(ngtest_fx_ascii(&x, "clrstats \"a\"", NULL), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "getstats \"a\"", &r), 0);
    assert_string_equal(r, "{}");
    free(r);
    char *t = status(&x);
    assert_non_null(strstr(t, "a: insns=4 match=\"m\" nomatch=\"n\" recv=0 matched=0 xmit=0\n"));
    assert_non_null(strstr(t, "truncated=2"));
    free(t);
    ngtest_fx_done(&x);
}

static int bin_msg(struct ngtest_fx *x, uint32_t cmd, const void *arg, uint32_t len)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_BPF_COOKIE, cmd, len);
    assert_non_null(m);
    if (len)
        memcpy(m->data, arg, len);
    return ng_send_msg(x->g, NULL, x->path, m, NULL);
}

/* Every bad input gets its errno and changes nothing. */
static void test_bad_input(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, std_hooks);
    const char *good = "setprogram { thisHook=\"a\" ifMatch=\"m\" ifNotMatch=\"n\" bpf_prog_len=1 "
                       "bpf_prog=[ { code=6 k=99 } ] }";
    assert_int_equal(ngtest_fx_ascii(&x, good, NULL), 0);
    /* Empty program; programs that fail bpf_validate (no return at the
     * end, a jump past the end, division by a constant zero, an unknown
     * opcode) or that it accepts but bpf_filter cannot run; bpf_prog_len
     * larger than the instructions given. */
    const char *bad[] = {
        "setprogram { thisHook=\"a\" bpf_prog_len=0 }",
        "setprogram { thisHook=\"a\" bpf_prog_len=1 bpf_prog=[ { code=0x28 k=12 } ] }",
        "setprogram { thisHook=\"a\" bpf_prog_len=2 bpf_prog=[ { code=0x15 jt=5 } { code=6 } ] }",
        "setprogram { thisHook=\"a\" bpf_prog_len=2 bpf_prog=[ { code=0x34 } { code=6 } ] }",
        "setprogram { thisHook=\"a\" bpf_prog_len=1 bpf_prog=[ { code=0xffff } ] }",
        "setprogram { thisHook=\"a\" bpf_prog_len=2 bpf_prog=[ { code=0x02 k=16 } { code=6 } ] }",
        "setprogram { thisHook=\"a\" bpf_prog_len=3 bpf_prog=[ { code=6 k=1 } ] }",
        "setprogram { thisHook=\"a\" bpf_prog_len=-1 }",
        "setprogram { thisHook=\"a\" bpf_prog_len=5000 }",
        /* bpf_validate accepts these, bpf_filter would abort(): a halfword
         * immediate load, a return with a stray bit, a word load by index
         * into X. */
        "setprogram { thisHook=\"a\" bpf_prog_len=2 bpf_prog=[ { code=0x08 } { code=6 } ] }",
        "setprogram { thisHook=\"a\" bpf_prog_len=1 bpf_prog=[ { code=0x0e k=1 } ] }",
        "setprogram { thisHook=\"a\" bpf_prog_len=2 bpf_prog=[ { code=0x41 } { code=6 } ] }",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (ngtest_fx_ascii(&x, bad[i], NULL) != -EINVAL)
            fail_msg("not EINVAL: %s", bad[i]);
    /* Binary: bpf_prog_len larger than the data, negative, argument shorter
     * than the struct, unterminated names. */
    uint8_t buf[NG_BPF_HOOKPROG_SIZE(2)];
    memset(buf, 0, sizeof(buf));
    struct ng_bpf_hookprog *hp = (void *)buf;
    snprintf(hp->thisHook, NG_HOOKSIZ, "a");
    hp->bpf_prog[0] = (struct ng_bpf_insn){6, 0, 0, 1};
    hp->bpf_prog_len = 3;
    assert_int_equal(bin_msg(&x, NGM_BPF_SET_PROGRAM, buf, NG_BPF_HOOKPROG_SIZE(1)), -EINVAL);
    hp->bpf_prog_len = -1;
    assert_int_equal(bin_msg(&x, NGM_BPF_SET_PROGRAM, buf, NG_BPF_HOOKPROG_SIZE(1)), -EINVAL);
    hp->bpf_prog_len = 1;
    assert_int_equal(bin_msg(&x, NGM_BPF_SET_PROGRAM, buf, 50), -EINVAL);
    assert_int_equal(bin_msg(&x, NGM_BPF_SET_PROGRAM, buf, NG_BPF_HOOKPROG_SIZE(2)), -EINVAL);
    memset(hp->ifMatch, 'x', NG_HOOKSIZ);
    assert_int_equal(bin_msg(&x, NGM_BPF_SET_PROGRAM, buf, NG_BPF_HOOKPROG_SIZE(1)), -EINVAL);
    memset(hp->ifMatch, 0, NG_HOOKSIZ);
    memset(hp->thisHook, 'a', NG_HOOKSIZ);
    assert_int_equal(bin_msg(&x, NGM_BPF_SET_PROGRAM, buf, NG_BPF_HOOKPROG_SIZE(1)), -EINVAL);
    /* Unknown hooks. */
    assert_int_equal(ngtest_fx_ascii(&x,
                                     "setprogram { thisHook=\"zz\" bpf_prog_len=1 bpf_prog=[ "
                                     "{ code=6 } ] }",
                                     NULL),
                     -ENOENT);
    assert_int_equal(
        ngtest_fx_ascii(&x, "setprogram { bpf_prog_len=1 bpf_prog=[ { code=6 } ] }", NULL),
        -ENOENT);
    assert_int_equal(ngtest_fx_ascii(&x, "getprogram \"zz\"", NULL), -ENOENT);
    assert_int_equal(ngtest_fx_ascii(&x, "getstats \"zz\"", NULL), -ENOENT);
    assert_int_equal(ngtest_fx_ascii(&x, "clrstats \"\"", NULL), -ENOENT);
    assert_int_equal(ngtest_fx_ascii(&x, "getclrstats \"zz\"", NULL), -ENOENT);
    /* Hook-name arguments: empty, unterminated. */
    assert_int_equal(bin_msg(&x, NGM_BPF_GET_PROGRAM, NULL, 0), -EINVAL);
    assert_int_equal(bin_msg(&x, NGM_BPF_GET_STATS, NULL, 0), -EINVAL);
    char name[NG_HOOKSIZ];
    memset(name, 'a', sizeof(name));
    assert_int_equal(bin_msg(&x, NGM_BPF_GET_PROGRAM, name, sizeof(name)), -EINVAL);
    assert_int_equal(bin_msg(&x, NGM_BPF_GETCLR_STATS, name, sizeof(name)), -EINVAL);
    /* A bad expression: EINVAL, libpcap's text in the response and in
     * the status. */
    assert_int_equal(ngtest_fx_ascii(&x, "setexpr { thisHook=\"a\" expr=\"tcp and\" }", NULL),
                     -EINVAL);
    const char *bexpr = "tcp port 99999";
    size_t off = offsetof(struct ng_bpf_hookexpr, expr);
    struct ng_mesg *m =
        ng_mesg_alloc(NGM_BPF_COOKIE, NGM_BPF_SET_EXPR, (uint32_t)(off + strlen(bexpr) + 1));
    struct ng_bpf_hookexpr *he = (void *)m->data;
    snprintf(he->thisHook, NG_HOOKSIZ, "a");
    memcpy(he->expr, bexpr, strlen(bexpr) + 1);
    struct ng_mesg *resp = NULL;
    assert_int_equal(ng_send_msg(x.g, NULL, x.path, m, &resp), -EINVAL);
    assert_non_null(resp);
    assert_non_null(strstr(resp->data, "99999")); /* "illegal port number 99999 > 65535" */
    ng_mesg_free(resp);
    char *t = status(&x);
    assert_non_null(strstr(t, "last compile error: "));
    assert_non_null(strstr(t, "99999"));
    free(t);
    /* Other bad setexpr arguments. */
    assert_int_equal(
        ngtest_fx_ascii(&x, "setexpr { thisHook=\"a\" snaplen=-1 expr=\"tcp\" }", NULL), -EINVAL);
    assert_int_equal(
        ngtest_fx_ascii(&x, "setexpr { thisHook=\"a\" linktype=-5 expr=\"tcp\" }", NULL), -EINVAL);
    assert_int_equal(
        ngtest_fx_ascii(&x, "setexpr { thisHook=\"a\" linktype=99999 expr=\"tcp\" }", NULL),
        -EINVAL);
    assert_int_equal(ngtest_fx_ascii(&x, "setexpr { thisHook=\"zz\" expr=\"tcp\" }", NULL),
                     -ENOENT);
    memset(buf, 'x', sizeof(buf)); /* expr without its NUL */
    assert_int_equal(bin_msg(&x, NGM_BPF_SET_EXPR, buf, (uint32_t)off + 4), -EINVAL);
    assert_int_equal(bin_msg(&x, NGM_BPF_SET_EXPR, buf, (uint32_t)off), -EINVAL);
    /* Unknown command and cookie. */
    assert_int_equal(bin_msg(&x, 99, NULL, 0), -EINVAL);
    m = ng_mesg_alloc(12345, 1, 0);
    assert_int_equal(ng_send_msg(x.g, NULL, x.path, m, NULL), -EINVAL);
    /* Nothing changed. */
    char *r = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getprogram \"a\"", &r), 0);
    assert_string_equal(r, "{ thisHook=\"a\" ifMatch=\"m\" ifNotMatch=\"n\" bpf_prog_len=1 "
                           "bpf_prog=[ { code=0x6 k=99 } ] }");
    free(r);
    /* An empty frame and a runt are filtered like any other (loads past
     * the end fail: no match). */
    assert_int_equal(ngtest_fx_ascii(&x,
                                     "setexpr { thisHook=\"a\" ifMatch=\"m\" ifNotMatch=\"n\" "
                                     "expr=\"ip\" }",
                                     NULL),
                     0);
    assert_int_equal(verdict(&x, &frames[F_RUNT]), 0);
    x.cp->n = 0;
    assert_int_equal(ngtest_fx_inject(&x, "a", frames[0].b, 0), 0);
    assert_int_equal(x.cp->n, 1);
    assert_string_equal(x.cp->f[0].hook, "c_n");
    ngtest_fx_done(&x);
}

static void roundtrip(const struct ng_mesg *m)
{
    struct ng_mesg *a = NULL, *b = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_bpf_type, m, &a), 0);
    assert_int_equal(ng_mesg_from_ascii(&ng_bpf_type, a, &b, NULL), 0);
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
    const struct ng_bpf_insn prog[] = {
        {0x28, 0, 0, 12}, {0x15, 0, 1, 0x806}, {0x06, 0, 0, 0xffffffffu}, {0x06, 0, 0, 0}};
    for (uint32_t resp = 0; resp < 2; resp++) { /* SET_PROGRAM arg, GET_PROGRAM response */
        struct ng_mesg *m =
            ng_mesg_alloc(NGM_BPF_COOKIE, resp ? NGM_BPF_GET_PROGRAM : NGM_BPF_SET_PROGRAM,
                          (uint32_t)NG_BPF_HOOKPROG_SIZE(4));
        struct ng_bpf_hookprog *hp = (void *)m->data;
        snprintf(hp->thisHook, NG_HOOKSIZ, "in");
        snprintf(hp->ifMatch, NG_HOOKSIZ, "yes");
        snprintf(hp->ifNotMatch, NG_HOOKSIZ, "no");
        hp->bpf_prog_len = 4;
        memcpy(hp->bpf_prog, prog, sizeof(prog));
        m->header.flags = resp ? NGF_RESP : 0;
        roundtrip(m);
        ng_mesg_free(m);
    }
    const uint32_t namecmds[] = {NGM_BPF_GET_PROGRAM, NGM_BPF_GET_STATS, NGM_BPF_CLR_STATS,
                                 NGM_BPF_GETCLR_STATS};
    for (size_t i = 0; i < 4; i++) {
        struct ng_mesg *m = ng_mesg_alloc(NGM_BPF_COOKIE, namecmds[i], NG_HOOKSIZ);
        snprintf(m->data, NG_HOOKSIZ, "hook%zu", i);
        roundtrip(m);
        ng_mesg_free(m);
    }
    for (uint32_t cmd = NGM_BPF_GET_STATS; cmd <= NGM_BPF_GETCLR_STATS; cmd += 2) {
        struct ng_mesg *m = ng_mesg_alloc(NGM_BPF_COOKIE, cmd, sizeof(struct ng_bpf_hookstat));
        m->header.flags = NGF_RESP;
        struct ng_bpf_hookstat s = {1, 2, 3, 4, 5, UINT64_MAX};
        memcpy(m->data, &s, sizeof(s));
        roundtrip(m);
        ng_mesg_free(m);
    }
    const char *expr = "vlan and \"quoted\" \\ text";
    size_t off = offsetof(struct ng_bpf_hookexpr, expr);
    /* The parsed struct's size is a multiple of its alignment (4). */
    uint32_t elen = (uint32_t)((off + strlen(expr) + 1 + 3) / 4 * 4);
    struct ng_mesg *m = ng_mesg_alloc(NGM_BPF_COOKIE, NGM_BPF_SET_EXPR, elen);
    struct ng_bpf_hookexpr *he = (void *)m->data;
    snprintf(he->thisHook, NG_HOOKSIZ, "a");
    snprintf(he->ifNotMatch, NG_HOOKSIZ, "n");
    he->snaplen = 96;
    he->linktype = 12;
    memcpy(he->expr, expr, strlen(expr) + 1);
    roundtrip(m);
    m->header.flags = NGF_RESP; /* the response: an error text */
    m->header.arglen = 12;
    memcpy(m->data, "syntax error", 12);
    m->data[11] = '\0';
    roundtrip(m);
    ng_mesg_free(m);
    /* The text form of a setprogram is FreeBSD's. */
    m = ng_mesg_alloc(NGM_BPF_COOKIE, NGM_BPF_SET_PROGRAM, (uint32_t)NG_BPF_HOOKPROG_SIZE(1));
    struct ng_bpf_hookprog *hp = (void *)m->data;
    snprintf(hp->thisHook, NG_HOOKSIZ, "a");
    snprintf(hp->ifMatch, NG_HOOKSIZ, "b");
    hp->bpf_prog_len = 1;
    hp->bpf_prog[0] = (struct ng_bpf_insn){6, 0, 0, 8192};
    struct ng_mesg *a = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_bpf_type, m, &a), 0);
    assert_string_equal(a->header.cmdstr, "setprogram");
    assert_string_equal(a->data, "{ thisHook=\"a\" ifMatch=\"b\" bpf_prog_len=1 bpf_prog=[ { "
                                 "code=0x6 k=8192 } ] }");
    ng_mesg_free(a);
    ng_mesg_free(m);
}

/* A burst is filtered frame by frame, in order, runs sent as bursts. */
static void test_burst(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, std_hooks);
    assert_int_equal(ngtest_fx_ascii(&x,
                                     "setexpr { thisHook=\"a\" ifMatch=\"m\" ifNotMatch=\"n\" "
                                     "expr=\"tcp\" }",
                                     NULL),
                     0);
    const int order[] = {F_TCP80, F_TCP22, F_UDP53, F_IP6_TCP80, F_ARP, F_ARP, F_TCP80};
    const char *want[] = {"c_m", "c_m", "c_n", "c_m", "c_n", "c_n", "c_m"};
    struct ng_item *v[7];
    for (int i = 0; i < 7; i++) {
        const struct frame *f = &frames[order[i]];
        v[i] = ng_item_alloc(x.g, f->len);
        assert_non_null(v[i]);
        memcpy(ng_item_data(v[i]), f->b, f->len);
    }
    assert_int_equal(ng_inject_data_burst(x.node, "a", v, 7), 0);
    assert_int_equal(x.cp->n, 7);
    for (int i = 0; i < 7; i++)
        ngtest_fx_expect(&x, i, want[i], frames[order[i]].b, frames[order[i]].len);
    struct ng_bpf_hookstat s = get_stats(&x, "a", NGM_BPF_GET_STATS);
    assert_int_equal(s.recvFrames, 7);
    assert_int_equal(s.recvMatchFrames, 4);
    /* Without a destination for non-matches: dropped, the rest delivered. */
    assert_int_equal(
        ngtest_fx_ascii(&x, "setexpr { thisHook=\"a\" ifMatch=\"m\" expr=\"tcp\" }", NULL), 0);
    x.cp->n = 0;
    for (int i = 0; i < 7; i++) {
        const struct frame *f = &frames[order[i]];
        v[i] = ng_item_alloc(x.g, f->len);
        memcpy(ng_item_data(v[i]), f->b, f->len);
    }
    assert_int_equal(ng_inject_data_burst(x.node, "a", v, 7), 0);
    assert_int_equal(x.cp->n, 4);
    assert_int_equal(status_counter(&x, "drop_nodest"), 3);
    ngtest_fx_done(&x);
}

/* The node shuts down when its last hook goes, and on NGM_SHUTDOWN. */
static void test_shutdown(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, std_hooks);
    assert_int_equal(
        ngtest_fx_ascii(&x, "setexpr { thisHook=\"a\" ifMatch=\"m\" expr=\"ip\" }", NULL), 0);
    assert_int_equal(ng_rmhook(x.node, "m"), 0);
    assert_int_equal(ng_rmhook(x.node, "a"), 0);
    assert_true(ng_node_is_valid(x.node));
    assert_int_equal(ng_rmhook(x.node, "n"), 0);
    assert_false(ng_node_is_valid(x.node));
    ngtest_fx_done(&x);
    fx_make(&x, *state, std_hooks);
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(x.g, "bpf0:", NGM_GENERIC_COOKIE, NGM_SHUTDOWN, &r), 0);
    ng_mesg_free(r);
    assert_false(ng_node_is_valid(x.node));
    ngtest_fx_done(&x);
}

/* A persistent node revives (netgraph(4)): its hooks go, it stays valid
 * and works as a new node (its shutdown method must not free it). */
static void test_revive(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, std_hooks);
    assert_int_equal(ngtest_fx_ascii(&x, "setexpr { thisHook=\"a\" expr=\"ip or\" }", NULL),
                     -EINVAL);
    assert_int_equal(verdict(&x, &frames[F_TCP80]), -1);
    assert_int_equal(status_counter(&x, "drop_nodest"), 1);
    ng_node_set_persistent(x.node, 1);
    assert_int_equal(ng_node_shutdown(x.node), 0);
    assert_true(ng_node_is_valid(x.node));
    assert_int_equal(ng_node_numhooks(x.node), 0);
    assert_int_equal(ng_graph_barrier(x.g), 0);
    for (int i = 0; std_hooks[i]; i++) {
        char c[NG_HOOKSIZ];
        snprintf(c, sizeof(c), "c_%s", std_hooks[i]);
        assert_int_equal(ng_connect(x.node, std_hooks[i], x.cap, c), 0);
    }
    char *s = status(&x);
    assert_null(strstr(s, "last compile error"));
    assert_non_null(strstr(s, "hooks: 3  compiled expressions: 0\n"));
    free(s);
    assert_int_equal(status_counter(&x, "drop_nodest"), 0);
    assert_int_equal(verdict(&x, &frames[F_TCP80]), -1); /* the default program */
    assert_int_equal(
        ngtest_fx_ascii(
            &x, "setexpr { thisHook=\"a\" ifMatch=\"m\" ifNotMatch=\"n\" expr=\"tcp\" }", NULL),
        0);
    assert_int_equal(verdict(&x, &frames[F_TCP80]), 1);
    assert_int_equal(verdict(&x, &frames[F_UDP53]), 0);
    ng_node_set_persistent(x.node, 0);
    ngtest_fx_done(&x);
}

int main(void)
{
    make_frames();
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_tcpdump_vs_node), ngtest_unit_test(test_bpf2ngctl_file),
        ngtest_unit_test(test_routing),         ngtest_unit_test(test_stats),
        ngtest_unit_test(test_bad_input),       ngtest_unit_test(test_ascii_roundtrip),
        ngtest_unit_test(test_burst),           ngtest_unit_test(test_shutdown),
        ngtest_unit_test(test_revive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
