/*
 * test_tcpmss.c - the "tcpmss" node type (docs/nodes/tcpmss.md) against its
 * documented behaviour: an MSS above the limit in a SYN is lowered byte for
 * byte, the packet compared with one built and checksummed from scratch
 * (also with the option at an odd offset, several MSS options, IPv6 with
 * extension headers); everything else passes untouched or is dropped as
 * documented, counted: MSS at or below the limit, non-SYN, SYN without
 * options, non-TCP, fragments, options without MSS, malformed options,
 * truncated headers; FreeBSD's counters, ASCII round trips, bad
 * configurations, bursts, shutdown, a persistent node's revive, and the
 * shared-mode data path against reconfiguration, hook removal and
 * shutdown under traffic.  Packets are injected at the node's
 * hooks and captured by a "gcap" sink connected to all of them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/nodes/tcpmss.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

/* ---- packets, checksums from scratch ----------------------------------------- */

struct pkt {
    uint8_t b[256];
    uint32_t len, l4; /* total length, TCP header offset */
    int v6;
};

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)(p[n - 1] << 8);
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* The TCP checksum of pk computed from nothing but its bytes (RFC 793
 * pseudo-header; RFC 8200 for IPv6), with the checksum field as it is:
 * 0 means the stored checksum is right. */
static uint16_t tcp_sum(const struct pkt *pk)
{
    uint32_t tl = pk->len - pk->l4, s = 0;
    if (pk->v6) {
        s = sum16(pk->b + 8, 32, 0);
        s += tl >> 16;
        s += tl & 0xffff;
        s += 6;
    } else {
        s = sum16(pk->b + 12, 8, 0);
        s += 6;
        s += tl;
    }
    return fold(sum16(pk->b + pk->l4, tl, s));
}

static void tcp_fix_sum(struct pkt *pk)
{
    pk->b[pk->l4 + 16] = pk->b[pk->l4 + 17] = 0;
    uint16_t c = tcp_sum(pk);
    pk->b[pk->l4 + 16] = (uint8_t)(c >> 8);
    pk->b[pk->l4 + 17] = (uint8_t)c;
    assert_int_equal(tcp_sum(pk), 0);
}

/* A TCP segment (flags, options of optlen bytes, 4 payload bytes) at l4. */
static void tcp_hdr(struct pkt *pk, uint8_t flags, const uint8_t *opts, uint32_t optlen)
{
    uint8_t *t = pk->b + pk->l4;
    memset(t, 0, 20);
    t[0] = 0x9c;
    t[1] = 0x40; /* 40000 */
    t[3] = 80;
    t[4] = 1;
    t[5] = 2;
    t[6] = 3;
    t[7] = 4;
    t[12] = (uint8_t)(((20 + optlen) / 4) << 4);
    t[13] = flags;
    t[14] = t[15] = 0xff;
    if (optlen)
        memcpy(t + 20, opts, optlen);
    memcpy(t + 20 + optlen, "data", 4);
    pk->len = pk->l4 + 20 + optlen + 4;
}

static struct pkt syn4(uint8_t flags, const uint8_t *opts, uint32_t optlen)
{
    struct pkt pk;
    memset(&pk, 0, sizeof(pk));
    const uint8_t ip[20] = {0x45, 0, 0,   0, 0xbe, 0xef, 0x40, 0,  64,  6,
                            0,    0, 192, 0, 2,    1,    198,  51, 100, 7};
    memcpy(pk.b, ip, 20);
    pk.l4 = 20;
    tcp_hdr(&pk, flags, opts, optlen);
    pk.b[2] = (uint8_t)(pk.len >> 8);
    pk.b[3] = (uint8_t)pk.len;
    uint16_t c = fold(sum16(pk.b, 20, 0));
    pk.b[10] = (uint8_t)(c >> 8);
    pk.b[11] = (uint8_t)c;
    tcp_fix_sum(&pk);
    return pk;
}

/* IPv6 2001:db8::1 -> 2001:db8::2; ext (extlen bytes, its first byte's
 * next header set to TCP) between the header and TCP, next header nh. */
static struct pkt syn6(uint8_t nh, const uint8_t *ext, uint32_t extlen, const uint8_t *opts,
                       uint32_t optlen)
{
    struct pkt pk;
    memset(&pk, 0, sizeof(pk));
    pk.v6 = 1;
    pk.b[0] = 0x60;
    pk.b[6] = nh;
    pk.b[7] = 64;
    const uint8_t pfx[4] = {0x20, 0x01, 0x0d, 0xb8};
    memcpy(pk.b + 8, pfx, 4);
    pk.b[23] = 1;
    memcpy(pk.b + 24, pfx, 4);
    pk.b[39] = 2;
    if (extlen)
        memcpy(pk.b + 40, ext, extlen);
    pk.l4 = 40 + extlen;
    tcp_hdr(&pk, 0x02, opts, optlen);
    uint32_t pl = pk.len - 40;
    pk.b[4] = (uint8_t)(pl >> 8);
    pk.b[5] = (uint8_t)pl;
    tcp_fix_sum(&pk);
    return pk;
}

/* pk with the 16-bit value at TCP offset off set to v, checksum rebuilt. */
static struct pkt with16(struct pkt pk, uint32_t off, uint16_t v)
{
    pk.b[pk.l4 + off] = (uint8_t)(v >> 8);
    pk.b[pk.l4 + off + 1] = (uint8_t)v;
    tcp_fix_sum(&pk);
    return pk;
}

static const uint8_t mss1460[] = {2, 4, 0x05, 0xb4};

/* ---- fixture ------------------------------------------------------------------- */

static const char *const std_hooks[] = {"in", "out", NULL};

static void fx_make(struct ngtest_fx *x, struct ng_graph *g, const char *const *hooks)
{
    int r = ng_type_register(g, &ng_tcpmss_type);
    assert_true(r == 0 || r == -EEXIST);
    ngtest_fx_make(x, g, "tcpmss", "mss0", hooks);
}

static void fx_std(struct ngtest_fx *x, struct ng_graph *g, unsigned max)
{
    fx_make(x, g, std_hooks);
    char text[128];
    snprintf(text, sizeof(text), "config { inHook=\"in\" outHook=\"out\" maxMSS=%u }", max);
    assert_int_equal(ngtest_fx_ascii(x, text, NULL), 0);
}

/* Inject pk at "in"; assert it left "out" as want (NULL: as it came). */
static void pass_as(struct ngtest_fx *x, const struct pkt *pk, const struct pkt *want)
{
    int i = x->cp->n;
    assert_int_equal(ngtest_fx_inject(x, "in", pk->b, pk->len), 0);
    assert_int_equal(x->cp->n, i + 1);
    want = want ? want : pk;
    ngtest_fx_expect(x, i, "c_out", want->b, want->len);
}

static struct ng_tcpmss_hookstat stats(struct ngtest_fx *x, const char *hook, uint32_t cmd)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_TCPMSS_COOKIE, cmd, NG_HOOKSIZ);
    snprintf(m->data, NG_HOOKSIZ, "%s", hook);
    struct ng_mesg *r = NULL;
    assert_int_equal(ng_send_msg(x->g, NULL, x->path, m, &r), 0);
    assert_non_null(r);
    assert_int_equal(r->header.arglen, sizeof(struct ng_tcpmss_hookstat));
    struct ng_tcpmss_hookstat s;
    memcpy(&s, r->data, sizeof(s));
    ng_mesg_free(r);
    return s;
}

static uint64_t status_counter(struct ngtest_fx *x, const char *name)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(x->g, x->path, NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &r), 0);
    assert_non_null(r);
    char key[64];
    snprintf(key, sizeof(key), "%s=", name);
    const char *s = strstr(r->data, key);
    assert_non_null(s);
    uint64_t v = strtoull(s + strlen(key), NULL, 10);
    ng_mesg_free(r);
    return v;
}

/* ---- tests ---------------------------------------------------------------------- */

/* An MSS above the limit is lowered; the packet equals one built with the
 * lower MSS and checksummed from scratch.  Also SYN-ACK, an MSS at an odd
 * offset, two MSS options, a first fragment. */
static void test_clamp(void **state)
{
    struct ngtest_fx x;
    fx_std(&x, *state, 1452);
    struct pkt pk = syn4(0x02, mss1460, 4), want = with16(pk, 22, 1452);
    assert_int_not_equal(memcmp(pk.b, want.b, pk.len), 0);
    pass_as(&x, &pk, &want);
    uint64_t octets = pk.len;
    pk = syn4(0x12, mss1460, 4); /* SYN-ACK */
    want = with16(pk, 22, 1452);
    pass_as(&x, &pk, &want);
    octets += pk.len;
    /* NOP first: the MSS value at TCP offset 23, across two checksum words;
     * window scale and SACK-permitted after it. */
    const uint8_t odd[] = {1, 2, 4, 0x23, 0x28, 3, 3, 7, 4, 2, 0, 0};
    pk = syn4(0x02, odd, sizeof(odd)); /* MSS 9000 */
    want = with16(pk, 23, 1452);
    pass_as(&x, &pk, &want);
    assert_int_equal(tcp_sum(&want), 0);
    octets += pk.len;
    /* Two MSS options: both lowered. */
    const uint8_t two[] = {2, 4, 0x05, 0xb4, 2, 4, 0x06, 0x00};
    pk = syn4(0x02, two, sizeof(two));
    want = with16(with16(pk, 22, 1452), 26, 1452);
    pass_as(&x, &pk, &want);
    octets += pk.len;
    /* A first fragment (MF set, offset 0) holds the header: lowered. */
    pk = syn4(0x02, mss1460, 4);
    pk.b[6] = 0x20;
    want = with16(pk, 22, 1452);
    pass_as(&x, &pk, &want);
    octets += pk.len;
    struct ng_tcpmss_hookstat s = stats(&x, "in", NGM_TCPMSS_GET_STATS);
    assert_int_equal(s.Packets, 5);
    assert_int_equal(s.SYNPkts, 5);
    assert_int_equal(s.FixedPkts, 5);
    assert_int_equal(s.maxMSS, 1452);
    assert_int_equal(s.Octets, octets);
    ngtest_fx_done(&x);
}

/* Left as they are (byte for byte), each counted where documented. */
static void test_untouched(void **state)
{
    struct ngtest_fx x;
    fx_std(&x, *state, 1452);
    const uint8_t m1400[] = {2, 4, 0x05, 0x78}, m1452[] = {2, 4, 0x05, 0xac};
    struct pkt pk = syn4(0x02, m1400, 4);
    pass_as(&x, &pk, NULL); /* below */
    pk = syn4(0x02, m1452, 4);
    pass_as(&x, &pk, NULL); /* equal */
    pk = syn4(0x10, mss1460, 4);
    pass_as(&x, &pk, NULL); /* ACK, not SYN */
    pk = syn4(0x02, NULL, 0);
    pass_as(&x, &pk, NULL); /* SYN without options: not counted as SYN */
    const uint8_t noms[] = {1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0};
    pk = syn4(0x02, noms, sizeof(noms));
    pass_as(&x, &pk, NULL); /* WS, SACK-permitted, timestamps: no MSS */
    struct ng_tcpmss_hookstat s = stats(&x, "in", NGM_TCPMSS_GET_STATS);
    assert_int_equal(s.Packets, 5);
    assert_int_equal(s.SYNPkts, 3);
    assert_int_equal(s.FixedPkts, 0);
    /* Options that end the scan: EOL before the MSS, a zero length, a
     * length past the header; an MSS option of the wrong length. */
    const uint8_t eol[] = {0, 0, 0, 0, 2, 4, 0x05, 0xb4}, zero[] = {3, 0, 0, 0, 2, 4, 0x05, 0xb4},
                  past[] = {3, 9, 0, 0, 2, 4, 0x05, 0xb4}, badlen[] = {2, 3, 0x05, 0xb4};
    const uint8_t *o[] = {eol, zero, past, badlen};
    const uint32_t ol[] = {8, 8, 8, 4};
    for (int i = 0; i < 4; i++) {
        pk = syn4(0x02, o[i], ol[i]);
        pass_as(&x, &pk, NULL);
    }
    /* UDP; a non-first fragment whose payload looks like a SYN with MSS. */
    pk = syn4(0x02, mss1460, 4);
    pk.b[9] = 17;
    pass_as(&x, &pk, NULL);
    assert_int_equal(status_counter(&x, "passed_nottcp"), 1);
    pk = syn4(0x02, mss1460, 4);
    pk.b[6] = 0x00;
    pk.b[7] = 185;
    pass_as(&x, &pk, NULL);
    assert_int_equal(status_counter(&x, "passed_fragment"), 1);
    /* Truncated: shorter than an IPv4 header; the TCP header cut. */
    pk = syn4(0x02, mss1460, 4);
    pk.len = 19;
    pass_as(&x, &pk, NULL);
    pk.len = 20 + 19;
    pass_as(&x, &pk, NULL);
    assert_int_equal(status_counter(&x, "passed_short"), 2);
    /* maxMSS 0: nothing examined, even a malformed packet passes. */
    assert_int_equal(ngtest_fx_ascii(&x, "config { inHook=\"in\" outHook=\"out\" }", NULL), 0);
    pk = syn4(0x02, mss1460, 4);
    pass_as(&x, &pk, NULL);
    pk.b[0] = 0x55;
    pass_as(&x, &pk, NULL);
    s = stats(&x, "in", NGM_TCPMSS_GET_STATS);
    assert_int_equal(s.maxMSS, 0);
    assert_int_equal(s.FixedPkts, 0);
    ngtest_fx_done(&x);
}

/* Malformed headers are dropped with EINVAL, counted (FreeBSD's checks). */
static void test_malformed(void **state)
{
    struct ngtest_fx x;
    fx_std(&x, *state, 536);
    struct pkt good = syn4(0x02, mss1460, 4), pk = good;
    pk.b[0] = 0x55; /* IP version 5 */
    assert_int_equal(ngtest_fx_inject(&x, "in", pk.b, pk.len), -EINVAL);
    pk = good;
    pk.b[0] = 0x44; /* header length 16 */
    assert_int_equal(ngtest_fx_inject(&x, "in", pk.b, pk.len), -EINVAL);
    pk = good;
    pk.b[0] = 0x4f; /* header length 60 > 48 bytes */
    assert_int_equal(ngtest_fx_inject(&x, "in", pk.b, 48), -EINVAL);
    pk = good;
    pk.b[20 + 12] = 0x40; /* data offset 16 bytes */
    assert_int_equal(ngtest_fx_inject(&x, "in", pk.b, pk.len), -EINVAL);
    pk = good;
    pk.b[20 + 12] = 0xf0; /* options cut: 60-byte header, 28 bytes there */
    assert_int_equal(ngtest_fx_inject(&x, "in", pk.b, pk.len), -EINVAL);
    assert_int_equal(x.cp->n, 0);
    assert_int_equal(status_counter(&x, "drop_malformed"), 5);
    /* The packets were received: counted as such. */
    struct ng_tcpmss_hookstat s = stats(&x, "in", NGM_TCPMSS_GET_STATS);
    assert_int_equal(s.Packets, 5);
    struct pkt want = with16(good, 22, 536);
    pass_as(&x, &good, &want);
    ngtest_fx_done(&x);
}

/* IPv6 (a libngraph extension): lowered directly after the header and
 * behind a hop-by-hop header; a non-first fragment passes; a cut
 * extension header is malformed. */
static void test_ipv6(void **state)
{
    struct ngtest_fx x;
    fx_std(&x, *state, 1220);
    const uint8_t m1440[] = {2, 4, 0x05, 0xa0};
    struct pkt pk = syn6(6, NULL, 0, m1440, 4), want = with16(pk, 22, 1220);
    pass_as(&x, &pk, &want);
    const uint8_t hbh[8] = {6, 0, 1, 4, 0, 0, 0, 0}; /* next TCP, PadN */
    pk = syn6(0, hbh, 8, m1440, 4);
    want = with16(pk, 22, 1220);
    pass_as(&x, &pk, &want);
    const uint8_t frag0[8] = {6, 0, 0x00, 0x01, 0, 0, 0, 9}; /* offset 0, M */
    pk = syn6(44, frag0, 8, m1440, 4);
    want = with16(pk, 22, 1220);
    pass_as(&x, &pk, &want);
    const uint8_t frag[8] = {6, 0, 0x05, 0x00, 0, 0, 0, 9}; /* offset 160 */
    pk = syn6(44, frag, 8, m1440, 4);
    pass_as(&x, &pk, NULL);
    pk = syn6(17, NULL, 0, m1440, 4); /* UDP */
    pass_as(&x, &pk, NULL);
    const uint8_t longhbh[8] = {6, 200, 1, 4, 0, 0, 0, 0}; /* 1608 bytes claimed */
    pk = syn6(0, longhbh, 8, m1440, 4);
    assert_int_equal(ngtest_fx_inject(&x, "in", pk.b, pk.len), -EINVAL);
    pk.len = 41;
    pass_as(&x, &pk, NULL); /* an extension header cut by the end: passed */
    pk.len = 39;
    pass_as(&x, &pk, NULL); /* shorter than the IPv6 header */
    /* Behind an authentication header: its length in 4-byte units - 2. */
    const uint8_t ah[24] = {6, 4, 0, 0, 0, 0, 0x10, 0x01, 0, 0, 0, 1};
    pk = syn6(51, ah, 24, m1440, 4);
    want = with16(pk, 22, 1220);
    pass_as(&x, &pk, &want);
    assert_int_equal(status_counter(&x, "ipv6"), 9);
    assert_int_equal(status_counter(&x, "passed_short"), 2);
    struct ng_tcpmss_hookstat s = stats(&x, "in", NGM_TCPMSS_GET_STATS);
    assert_int_equal(s.FixedPkts, 4);
    assert_int_equal(s.SYNPkts, 4);
    ngtest_fx_done(&x);
}

/* Unconfigured hooks drop (counted, as FreeBSD: no error); the man page's
 * in == out configuration; a removed output unconfigures; stats clear. */
static void test_config_routing(void **state)
{
    struct ngtest_fx x;
    const char *const hooks[] = {"in", "out", "qqq", NULL};
    fx_make(&x, *state, hooks);
    struct pkt pk = syn4(0x02, mss1460, 4), want = with16(pk, 22, 1452);
    assert_int_equal(ngtest_fx_inject(&x, "in", pk.b, pk.len), 0);
    assert_int_equal(ngtest_fx_inject(&x, "out", pk.b, pk.len), 0);
    assert_int_equal(x.cp->n, 0);
    assert_int_equal(status_counter(&x, "drop_unconfigured"), 2);
    assert_int_equal(
        ngtest_fx_ascii(&x, "config { inHook=\"qqq\" outHook=\"qqq\" maxMSS=1452 }", NULL), 0);
    assert_int_equal(ngtest_fx_inject(&x, "qqq", pk.b, pk.len), 0);
    ngtest_fx_expect(&x, 0, "c_qqq", want.b, want.len);
    /* Reconfiguring replaces; "out" to "in" direction independently. */
    assert_int_equal(
        ngtest_fx_ascii(&x, "config { inHook=\"out\" outHook=\"in\" maxMSS=1000 }", NULL), 0);
    assert_int_equal(ngtest_fx_inject(&x, "out", pk.b, pk.len), 0);
    want = with16(pk, 22, 1000);
    ngtest_fx_expect(&x, 1, "c_in", want.b, want.len);
    char *r = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getstats \"qqq\"", &r), 0);
    assert_string_equal(r, "{ Octets=48 Packets=1 maxMSS=1452 SYNPkts=1 FixedPkts=1 }");
    free(r);
    assert_int_equal(ngtest_fx_ascii(&x, "getclrstats \"qqq\"", &r), 0);
    assert_string_equal(r, "{ Octets=48 Packets=1 maxMSS=1452 SYNPkts=1 FixedPkts=1 }");
    free(r);
    assert_int_equal(ngtest_fx_ascii(&x, "getstats \"qqq\"", &r), 0);
    assert_string_equal(r, "{ maxMSS=1452 }");
    free(r);
    assert_int_equal(ngtest_fx_ascii(&x, "clrstats \"out\"", NULL), 0);
    assert_int_equal(stats(&x, "out", NGM_TCPMSS_GET_STATS).Packets, 0);
    /* The output hook goes: "out" is unconfigured, even when "in" is back. */
    assert_int_equal(ng_rmhook(x.node, "in"), 0);
    assert_int_equal(ngtest_fx_inject(&x, "out", pk.b, pk.len), 0);
    assert_int_equal(x.cp->n, 2);
    assert_int_equal(ng_connect(x.node, "in", x.cap, "c_in"), 0);
    assert_int_equal(ngtest_fx_inject(&x, "out", pk.b, pk.len), 0);
    assert_int_equal(x.cp->n, 2);
    assert_int_equal(status_counter(&x, "drop_unconfigured"), 4);
    struct ng_graph_stats st;
    ng_graph_stats(x.g, &st);
    assert_int_equal(st.drops[NG_DROP_NOTCONN], 4);
    ngtest_fx_done(&x);
}

static int bin_msg(struct ngtest_fx *x, uint32_t cmd, const void *arg, uint32_t len)
{
    struct ng_mesg *m = ng_mesg_alloc(NGM_TCPMSS_COOKIE, cmd, len);
    assert_non_null(m);
    if (len)
        memcpy(m->data, arg, len);
    return ng_send_msg(x->g, NULL, x->path, m, NULL);
}

/* Bad configurations and arguments: their errno, nothing changed. */
static void test_bad_config(void **state)
{
    struct ngtest_fx x;
    fx_std(&x, *state, 1452);
    assert_int_equal(
        ngtest_fx_ascii(&x, "config { inHook=\"nosuch\" outHook=\"out\" maxMSS=1 }", NULL),
        -ENOENT);
    assert_int_equal(
        ngtest_fx_ascii(&x, "config { inHook=\"in\" outHook=\"nosuch\" maxMSS=1 }", NULL), -ENOENT);
    assert_int_equal(ngtest_fx_ascii(&x, "config { maxMSS=1 }", NULL), -ENOENT);
    assert_int_equal(ngtest_fx_ascii(&x, "config { inHook=\"in\" maxMSS=65536 }", NULL), -EINVAL);
    struct ng_tcpmss_config cf = {.maxMSS = 1};
    snprintf(cf.inHook, NG_HOOKSIZ, "in");
    snprintf(cf.outHook, NG_HOOKSIZ, "out");
    assert_int_equal(bin_msg(&x, NGM_TCPMSS_CONFIG, &cf, sizeof(cf) - 2), -EINVAL);
    memset(cf.outHook, 'o', NG_HOOKSIZ);
    assert_int_equal(bin_msg(&x, NGM_TCPMSS_CONFIG, &cf, sizeof(cf)), -EINVAL);
    char name[NG_HOOKSIZ + 8];
    memset(name, 0, sizeof(name));
    snprintf(name, sizeof(name), "in");
    assert_int_equal(bin_msg(&x, NGM_TCPMSS_GET_STATS, name, 3), -EINVAL);
    assert_int_equal(bin_msg(&x, NGM_TCPMSS_GETCLR_STATS, name, NG_HOOKSIZ + 8), -EINVAL);
    memset(name, 'i', sizeof(name));
    assert_int_equal(bin_msg(&x, NGM_TCPMSS_CLR_STATS, name, NG_HOOKSIZ), -EINVAL);
    assert_int_equal(ngtest_fx_ascii(&x, "getstats \"nosuch\"", NULL), -ENOENT);
    assert_int_equal(ngtest_fx_ascii(&x, "clrstats \"nosuch\"", NULL), -ENOENT);
    assert_int_equal(ngtest_fx_ascii(&x, "getclrstats \"\"", NULL), -ENOENT);
    assert_int_equal(bin_msg(&x, 99, NULL, 0), -EINVAL);
    struct ng_mesg *m = ng_mesg_alloc(12345, 1, 0);
    assert_int_equal(ng_send_msg(x.g, NULL, x.path, m, NULL), -EINVAL);
    assert_int_equal(stats(&x, "in", NGM_TCPMSS_GET_STATS).maxMSS, 1452);
    struct pkt pk = syn4(0x02, mss1460, 4), want = with16(pk, 22, 1452);
    pass_as(&x, &pk, &want);
    ngtest_fx_done(&x);
}

static void roundtrip(const struct ng_mesg *m)
{
    struct ng_mesg *a = NULL, *b = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_tcpmss_type, m, &a), 0);
    assert_int_equal(ng_mesg_from_ascii(&ng_tcpmss_type, a, &b, NULL), 0);
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
    struct ng_tcpmss_config cf = {.maxMSS = 1452};
    snprintf(cf.inHook, NG_HOOKSIZ, "qqq");
    snprintf(cf.outHook, NG_HOOKSIZ, "out");
    struct ng_mesg *m = ng_mesg_alloc(NGM_TCPMSS_COOKIE, NGM_TCPMSS_CONFIG, sizeof(cf));
    memcpy(m->data, &cf, sizeof(cf));
    roundtrip(m);
    struct ng_mesg *a = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_tcpmss_type, m, &a), 0);
    assert_string_equal(a->header.cmdstr, "config");
    assert_string_equal(a->data, "{ inHook=\"qqq\" outHook=\"out\" maxMSS=1452 }");
    ng_mesg_free(a);
    ng_mesg_free(m);
    for (uint32_t cmd = NGM_TCPMSS_GET_STATS; cmd <= NGM_TCPMSS_GETCLR_STATS; cmd++) {
        m = ng_mesg_alloc(NGM_TCPMSS_COOKIE, cmd, NG_HOOKSIZ);
        snprintf(m->data, NG_HOOKSIZ, "in");
        roundtrip(m);
        ng_mesg_free(m);
        if (cmd == NGM_TCPMSS_CLR_STATS)
            continue;
        m = ng_mesg_alloc(NGM_TCPMSS_COOKIE, cmd, sizeof(struct ng_tcpmss_hookstat));
        m->header.flags = NGF_RESP;
        struct ng_tcpmss_hookstat s;
        memset(&s, 0, sizeof(s)); /* padding after maxMSS: zero, as parsed */
        s.Octets = 1;
        s.Packets = 2;
        s.maxMSS = 65535;
        s.SYNPkts = 4;
        s.FixedPkts = UINT64_MAX;
        memcpy(m->data, &s, sizeof(s));
        roundtrip(m);
        ng_mesg_free(m);
    }
}

/* A burst: one configuration for it, the malformed packet dropped, the
 * rest out in order; unconfigured, all dropped. */
static void test_burst(void **state)
{
    struct ngtest_fx x;
    fx_std(&x, *state, 1452);
    struct pkt p[4] = {syn4(0x02, mss1460, 4), syn4(0x10, NULL, 0), syn4(0x02, mss1460, 4),
                       syn4(0x02, NULL, 0)};
    p[2].b[0] = 0x75; /* IP version 7: malformed */
    struct ng_item *v[4];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 4; i++) {
            v[i] = ng_item_alloc(x.g, p[i].len);
            assert_non_null(v[i]);
            memcpy(ng_item_data(v[i]), p[i].b, p[i].len);
        }
        if (round == 0) {
            assert_int_equal(ng_inject_data_burst(x.node, "in", v, 4), -EINVAL);
        } else {
            assert_int_equal(ng_inject_data_burst(x.node, "out", v, 4), 0);
        }
    }
    assert_int_equal(x.cp->n, 3);
    struct pkt want = with16(p[0], 22, 1452);
    ngtest_fx_expect(&x, 0, "c_out", want.b, want.len);
    ngtest_fx_expect(&x, 1, "c_out", p[1].b, p[1].len);
    ngtest_fx_expect(&x, 2, "c_out", p[3].b, p[3].len);
    assert_int_equal(status_counter(&x, "drop_unconfigured"), 4);
    assert_int_equal(status_counter(&x, "drop_malformed"), 1);
    ngtest_fx_done(&x);
}

/* The node shuts down when its last hook goes. */
static void test_shutdown(void **state)
{
    struct ngtest_fx x;
    fx_std(&x, *state, 1452);
    assert_int_equal(ng_rmhook(x.node, "out"), 0);
    assert_true(ng_node_is_valid(x.node));
    assert_int_equal(ng_rmhook(x.node, "in"), 0);
    assert_false(ng_node_is_valid(x.node));
    ngtest_fx_done(&x);
}

/* A persistent node revives (netgraph(4)): its hooks go, it stays valid
 * and works as a new node (its shutdown method must not free it). */
static void test_revive(void **state)
{
    struct ngtest_fx x;
    fx_std(&x, *state, 1452);
    struct pkt pk = syn4(0x02, mss1460, 4), bad = pk;
    bad.b[0] = 0x75;
    assert_int_equal(ngtest_fx_inject(&x, "in", bad.b, bad.len), -EINVAL);
    assert_int_equal(status_counter(&x, "drop_malformed"), 1);
    ng_node_set_persistent(x.node, 1);
    assert_int_equal(ng_node_shutdown(x.node), 0);
    assert_true(ng_node_is_valid(x.node));
    assert_int_equal(ng_node_numhooks(x.node), 0);
    assert_int_equal(ng_graph_barrier(x.g), 0);
    assert_int_equal(ng_connect(x.node, "in", x.cap, "c_in"), 0);
    assert_int_equal(ng_connect(x.node, "out", x.cap, "c_out"), 0);
    assert_int_equal(status_counter(&x, "drop_malformed"), 0);
    x.cp->n = 0;
    assert_int_equal(ngtest_fx_inject(&x, "in", pk.b, pk.len), 0); /* unconfigured again */
    assert_int_equal(x.cp->n, 0);
    assert_int_equal(status_counter(&x, "drop_unconfigured"), 1);
    assert_int_equal(
        ngtest_fx_ascii(&x, "config { inHook=\"in\" outHook=\"out\" maxMSS=1452 }", NULL), 0);
    struct pkt want = with16(pk, 22, 1452);
    pass_as(&x, &pk, &want);
    ng_node_set_persistent(x.node, 0);
    ngtest_fx_done(&x);
}

/* Shared-mode data path against reconfiguration and hook removal: two
 * workers run SYNs (single and in bursts) while this thread changes
 * maxMSS, removes and reconnects "out" and "in", and at last shuts the
 * node down under traffic.  Every packet is counted by the sink or as a
 * drop: none is lost (ASan/TSan: no freed state is touched). */
static void test_concurrent_changes(void **state)
{
    struct ng_graph *g = *state;
    int rc = ng_type_register(g, &ng_tcpmss_type);
    assert_true(rc == 0 || rc == -EEXIST);
    struct ng_node *t, *cnt;
    assert_int_equal(ng_node_create(g, "tcpmss", &t), 0);
    assert_int_equal(ng_node_name(t, "mss0"), 0);
    assert_int_equal(ng_node_create(g, "counter", &cnt), 0);
    assert_int_equal(ng_connect(t, "in", cnt, "i"), 0);
    assert_int_equal(ng_connect(t, "out", cnt, "o"), 0);
    struct ng_hook *in;
    assert_int_equal(ng_hook_find(cnt, "i", &in), 0);
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    struct pkt pk = syn4(0x02, mss1460, 4);
    uint64_t sent = 0;
    double end = ngtest_now_s() + 10.0;
    for (int round = 0; round <= 150 && ngtest_now_s() < end; round++) {
        struct ng_item *v[32];
        for (int i = 0; i < 64; i++) {
            struct ng_item *it = ng_item_alloc(g, pk.len);
            assert_non_null(it);
            memcpy(ng_item_data(it), pk.b, pk.len);
            if (i < 32)
                assert_int_equal(ng_runtime_submit(rt, i & 1, in, it), 0);
            else
                v[i - 32] = it;
            sent++;
        }
        assert_int_equal(ng_runtime_submit_burst(rt, round & 1, in, v, 32), 0);
        if (round == 150)
            break;            /* the last packets meet the shutdown */
        if (round % 8 == 3) { /* the input hook: its state goes, a new one comes */
            assert_int_equal(ng_rmhook(t, "in"), 0);
            assert_int_equal(ng_connect(t, "in", cnt, "i"), 0);
            ng_hook_unref(in);
            assert_int_equal(ng_hook_find(cnt, "i", &in), 0);
        }
        char text[96];
        snprintf(text, sizeof(text), "config { inHook=\"in\" outHook=\"out\" maxMSS=%d }",
                 1000 + round);
        assert_int_equal(ng_send_ascii(g, "mss0:", text, NULL), 0);
        if (round % 8 == 7) {
            assert_int_equal(ng_rmhook(t, "out"), 0);
            assert_int_equal(ng_connect(t, "out", cnt, "o"), 0);
        }
    }
    assert_int_equal(ng_node_shutdown(t), 0);
    ng_runtime_stop(rt);
    ng_hook_unref(in);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(ngtest_counter_get(cnt) + ngtest_drops(&st), sent);
    if (ng_node_is_valid(cnt))
        assert_int_equal(ng_node_shutdown(cnt), 0);
    ng_node_unref(t);
    ng_node_unref(cnt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_clamp),
        ngtest_unit_test(test_untouched),
        ngtest_unit_test(test_malformed),
        ngtest_unit_test(test_ipv6),
        ngtest_unit_test(test_config_routing),
        ngtest_unit_test(test_bad_config),
        ngtest_unit_test(test_ascii_roundtrip),
        ngtest_unit_test(test_burst),
        ngtest_unit_test(test_shutdown),
        ngtest_unit_test(test_revive),
        ngtest_unit_test(test_concurrent_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
