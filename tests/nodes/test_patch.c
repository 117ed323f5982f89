/*
 * test_patch.c - the "patch" node type (docs/nodes/patch.md) against its
 * documented behaviour: every mode at every width applied byte-exactly in
 * network byte order, operations in sequence, short packets passed with
 * the operation skipped, routing (in -> out, reflection, out -> in),
 * relative offsets over Ethernet and 802.1Q headers, checksum
 * recomputation (IPv4 header, UDP, TCP, SCTP, IPv6), statistics, ASCII
 * round trips, every bad configuration, flow messages, shutdown, and
 * configuration swaps racing traffic on a runtime.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/nodes/patch.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

static void fx_make(struct ngtest_fx *x, struct ng_graph *g, const char *const *hooks)
{
    int r = ng_type_register(g, &ng_patch_type);
    assert_true(r == 0 || r == -EEXIST);
    ngtest_fx_make(x, g, "patch", "patch0", hooks);
}

static const char *const both[] = {"in", "out", NULL};

/* SETCONFIG in binary with n operations. */
static int setconfig(struct ngtest_fx *x, uint64_t csum, uint32_t rel,
                     const struct ng_patch_op *ops, uint32_t n)
{
    struct ng_mesg *m =
        ng_mesg_alloc(NGM_PATCH_COOKIE, NGM_PATCH_SETCONFIG, (uint32_t)NG_PATCH_CONF_SIZE(n));
    assert_non_null(m);
    struct ng_patch_config *c = (struct ng_patch_config *)(void *)m->data;
    c->count = n;
    c->csum_flags = csum;
    c->relative_offset = rel;
    if (n)
        memcpy(c->ops, ops, n * sizeof(*ops));
    return ng_send_msg(x->g, NULL, x->path, m, NULL);
}

static struct ng_patch_op op(uint32_t off, uint16_t len, uint16_t mode, uint64_t v)
{
    struct ng_patch_op o;
    memset(&o, 0, sizeof(o));
    o.offset = off;
    o.length = len;
    o.mode = mode;
    o.val.v8 = v;
    return o;
}

static uint64_t status_counter(struct ngtest_fx *x, const char *name)
{
    char *r = NULL;
    assert_int_equal(ngtest_fx_ascii(x, "textstatus", &r), 0);
    assert_non_null(r);
    char key[64];
    snprintf(key, sizeof(key), "%s=", name);
    const char *s = strstr(r, key);
    assert_non_null(s);
    uint64_t v = strtoull(s + strlen(key), NULL, 10);
    free(r);
    return v;
}

static struct ng_patch_stats get_stats(struct ngtest_fx *x, uint32_t cmd)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(x->g, x->path, NGM_PATCH_COOKIE, cmd, &r), 0);
    assert_non_null(r);
    assert_int_equal(r->header.arglen, sizeof(struct ng_patch_stats));
    struct ng_patch_stats st;
    memcpy(&st, r->data, sizeof(st));
    ng_mesg_free(r);
    return st;
}

/* ---- every mode at every width --------------------------------------------- */

struct mode_case {
    uint16_t len, mode;
    uint64_t in, value, out;
};
static const struct mode_case mode_cases[] = {
    {1, NG_PATCH_MODE_SET, 0x81, 0x07, 0x07},
    {1, NG_PATCH_MODE_ADD, 0x81, 0x80, 0x01},
    {1, NG_PATCH_MODE_SUB, 0x81, 0x82, 0xff},
    {1, NG_PATCH_MODE_MUL, 0x81, 0x03, 0x83},
    {1, NG_PATCH_MODE_DIV, 0x81, 0x02, 0x40},
    {1, NG_PATCH_MODE_NEG, 0x81, 0x00, 0x7f},
    {1, NG_PATCH_MODE_AND, 0x81, 0x0f, 0x01},
    {1, NG_PATCH_MODE_OR, 0x81, 0x70, 0xf1},
    {1, NG_PATCH_MODE_XOR, 0x81, 0xff, 0x7e},
    {1, NG_PATCH_MODE_SHL, 0x81, 0x01, 0x02},
    {1, NG_PATCH_MODE_SHR, 0x81, 0x07, 0x01},
    {1, NG_PATCH_MODE_SHL, 0x81, 0x08, 0x00},
    {1, NG_PATCH_MODE_ADD, 0x81, 0x1ff, 0x80}, /* value truncated to 0xff */
    {2, NG_PATCH_MODE_SET, 0x1234, 0xabcd, 0xabcd},
    {2, NG_PATCH_MODE_ADD, 0x1234, 0xff00, 0x1134},
    {2, NG_PATCH_MODE_SUB, 0x1234, 0x1235, 0xffff},
    {2, NG_PATCH_MODE_MUL, 0x1234, 0x0100, 0x3400},
    {2, NG_PATCH_MODE_DIV, 0x1234, 0x0010, 0x0123},
    {2, NG_PATCH_MODE_NEG, 0x1234, 0x9999, 0xedcc},
    {2, NG_PATCH_MODE_AND, 0x1234, 0x0ff0, 0x0230},
    {2, NG_PATCH_MODE_OR, 0x1234, 0x8001, 0x9235},
    {2, NG_PATCH_MODE_XOR, 0x1234, 0xffff, 0xedcb},
    {2, NG_PATCH_MODE_SHL, 0x1234, 4, 0x2340},
    {2, NG_PATCH_MODE_SHR, 0x1234, 4, 0x0123},
    {2, NG_PATCH_MODE_SHL, 0x1234, 16, 0x0000},
    {4, NG_PATCH_MODE_SET, 0x12345678, 0xdeadbeef, 0xdeadbeef},
    {4, NG_PATCH_MODE_ADD, 0x12345678, 0xf0000000, 0x02345678},
    {4, NG_PATCH_MODE_SUB, 0x12345678, 0x12345679, 0xffffffff},
    {4, NG_PATCH_MODE_MUL, 0x12345678, 0x10, 0x23456780},
    {4, NG_PATCH_MODE_DIV, 0x12345678, 0x100, 0x00123456},
    {4, NG_PATCH_MODE_NEG, 0x12345678, 0, 0xedcba988},
    {4, NG_PATCH_MODE_AND, 0x12345678, 0xffff0000, 0x12340000},
    {4, NG_PATCH_MODE_OR, 0x12345678, 0x0000ffff, 0x1234ffff},
    {4, NG_PATCH_MODE_XOR, 0x12345678, 0xffffffff, 0xedcba987},
    {4, NG_PATCH_MODE_SHL, 0x12345678, 8, 0x34567800},
    {4, NG_PATCH_MODE_SHR, 0x12345678, 8, 0x00123456},
    {4, NG_PATCH_MODE_SHR, 0x12345678, 32, 0},
    {8, NG_PATCH_MODE_SET, 0x0102030405060708ull, 0x1122334455667788ull, 0x1122334455667788ull},
    {8, NG_PATCH_MODE_ADD, 0x0102030405060708ull, 0xff00000000000000ull, 0x0002030405060708ull},
    {8, NG_PATCH_MODE_SUB, 0x0102030405060708ull, 1, 0x0102030405060707ull},
    {8, NG_PATCH_MODE_MUL, 0x0102030405060708ull, 0x100, 0x0203040506070800ull},
    {8, NG_PATCH_MODE_DIV, 0x0102030405060708ull, 0x100, 0x0001020304050607ull},
    {8, NG_PATCH_MODE_NEG, 0x0102030405060708ull, 0, 0xfefdfcfbfaf9f8f8ull},
    {8, NG_PATCH_MODE_AND, 0x0102030405060708ull, 0xffffffffull, 0x0000000005060708ull},
    {8, NG_PATCH_MODE_OR, 0x0102030405060708ull, 0xf000000000000000ull, 0xf102030405060708ull},
    {8, NG_PATCH_MODE_XOR, 0x0102030405060708ull, ~0ull, 0xfefdfcfbfaf9f8f7ull},
    {8, NG_PATCH_MODE_SHL, 0x0102030405060708ull, 4, 0x1020304050607080ull},
    {8, NG_PATCH_MODE_SHR, 0x0102030405060708ull, 4, 0x0010203040506070ull},
    {8, NG_PATCH_MODE_SHL, 0x0102030405060708ull, 64, 0},
};

static void put_be(uint8_t *d, unsigned len, uint64_t v)
{
    for (unsigned i = len; i-- > 0; v >>= 8)
        d[i] = (uint8_t)v;
}

/* Each case: a 16-byte packet with the field at offset 3 (unaligned); only
 * the field changes, to the expected big-endian value. */
static void test_modes(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    for (size_t i = 0; i < sizeof(mode_cases) / sizeof(mode_cases[0]); i++) {
        const struct mode_case *c = &mode_cases[i];
        struct ng_patch_op o = op(3, c->len, c->mode, c->value);
        assert_int_equal(setconfig(&x, 0, 0, &o, 1), 0);
        uint8_t pkt[16], want[16];
        for (int k = 0; k < 16; k++)
            pkt[k] = (uint8_t)(0xa0 + k);
        put_be(pkt + 3, c->len, c->in);
        memcpy(want, pkt, sizeof(want));
        put_be(want + 3, c->len, c->out);
        x.cp->n = 0;
        assert_int_equal(ngtest_fx_inject(&x, "in", pkt, sizeof(pkt)), 0);
        ngtest_fx_expect(&x, 0, "c_out", want, sizeof(want));
    }
    size_t n = sizeof(mode_cases) / sizeof(mode_cases[0]);
    struct ng_patch_stats st = get_stats(&x, NGM_PATCH_GET_STATS);
    assert_int_equal(st.received, n);
    assert_int_equal(st.patched, n);
    assert_int_equal(st.dropped, 0);
    ngtest_fx_done(&x);
}

/* The man page's examples, with csum_flags=1: the TTL raised by 3, then
 * the TOS changed by two operations in order; the IPv4 header checksum of
 * the classic example header (0xb861) is recomputed. */
static const uint8_t ip_hdr[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                   0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};

static void test_manpage_examples(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    assert_int_equal(ngtest_fx_ascii(&x,
                                     "setconfig { count=1 csum_flags=1 ops=[ { mode=2 value=3 "
                                     "length=1 offset=8 } ] }",
                                     NULL),
                     0);
    uint8_t want[20];
    memcpy(want, ip_hdr, sizeof(want));
    want[8] = 0x43;
    want[10] = 0xb5;
    want[11] = 0x61;
    assert_int_equal(ngtest_fx_inject(&x, "in", ip_hdr, sizeof(ip_hdr)), 0);
    ngtest_fx_expect(&x, 0, "c_out", want, sizeof(want));

    assert_int_equal(ngtest_fx_ascii(&x,
                                     "setconfig { count=2 csum_flags=1 ops=[ { mode=7 value=0xf7 "
                                     "length=1 offset=1 } { mode=8 value=0x02 length=1 offset=1 } "
                                     "] }",
                                     NULL),
                     0);
    memcpy(want, ip_hdr, sizeof(want));
    want[1] = 0x02;
    want[10] = 0xb8;
    want[11] = 0x5f;
    assert_int_equal(ngtest_fx_inject(&x, "in", ip_hdr, sizeof(ip_hdr)), 0);
    ngtest_fx_expect(&x, 1, "c_out", want, sizeof(want));
    char *r = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getconfig", &r), 0);
    assert_string_equal(r, "{ count=2 csum_flags=1 ops=[ { offset=1 length=1 mode=7 value=247 } "
                           "{ offset=1 length=1 mode=8 value=2 } ] }");
    free(r);
    assert_int_equal(status_counter(&x, "csum_fixed"), 2);
    ngtest_fx_done(&x);
}

/* Operations past the end of a packet are skipped, the packet passed on
 * (counted "short"); those that fit still apply. */
static void test_short_packets(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    struct ng_patch_op ops[2] = {op(0, 1, NG_PATCH_MODE_SET, 0xee),
                                 op(6, 4, NG_PATCH_MODE_SET, 0x11223344)};
    assert_int_equal(setconfig(&x, 0, 0, ops, 2), 0);
    const uint8_t p10[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const uint8_t w10[10] = {0xee, 2, 3, 4, 5, 6, 0x11, 0x22, 0x33, 0x44};
    const uint8_t w9[9] = {0xee, 2, 3, 4, 5, 6, 7, 8, 9};
    assert_int_equal(ngtest_fx_inject(&x, "in", p10, 10), 0); /* exactly fits */
    ngtest_fx_expect(&x, 0, "c_out", w10, 10);
    assert_int_equal(ngtest_fx_inject(&x, "in", p10, 9), 0); /* second op skipped */
    ngtest_fx_expect(&x, 1, "c_out", w9, 9);
    assert_int_equal(ngtest_fx_inject(&x, "in", p10, 0), 0); /* empty: both skipped */
    assert_int_equal(x.cp->n, 3);
    assert_int_equal(x.cp->f[2].len, 0);
    struct ng_patch_stats st = get_stats(&x, NGM_PATCH_GET_STATS);
    assert_int_equal(st.received, 3);
    assert_int_equal(st.patched, 2);
    assert_int_equal(st.dropped, 0);
    assert_int_equal(status_counter(&x, "short"), 2);
    ngtest_fx_done(&x);
}

/* in -> out patched; out -> in unchanged; without out, packets from in are
 * reflected back out of in; with in gone, packets from out are dropped. */
static void test_routing(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    struct ng_patch_op o = op(0, 1, NG_PATCH_MODE_XOR, 0xff);
    assert_int_equal(setconfig(&x, 0, 0, &o, 1), 0);
    const uint8_t a[4] = {0x0f, 1, 2, 3}, pa[4] = {0xf0, 1, 2, 3};
    assert_int_equal(ngtest_fx_inject(&x, "out", a, 4), 0);
    ngtest_fx_expect(&x, 0, "c_in", a, 4);
    assert_int_equal(ngtest_fx_inject(&x, "in", a, 4), 0);
    ngtest_fx_expect(&x, 1, "c_out", pa, 4);
    assert_int_equal(ng_rmhook(x.node, "out"), 0);
    assert_int_equal(ngtest_fx_inject(&x, "in", a, 4), 0);
    ngtest_fx_expect(&x, 2, "c_in", pa, 4);
    assert_int_equal(ng_connect(x.node, "out", x.cap, "c_out"), 0);
    assert_int_equal(ng_rmhook(x.node, "in"), 0);
    assert_int_equal(ngtest_fx_inject(&x, "out", a, 4), -ENOTCONN);
    assert_int_equal(x.cp->n, 3);
    struct ng_patch_stats st = get_stats(&x, NGM_PATCH_GETCLR_STATS);
    assert_int_equal(st.received, 4);
    assert_int_equal(st.patched, 2);
    assert_int_equal(st.dropped, 1);
    st = get_stats(&x, NGM_PATCH_GET_STATS);
    assert_int_equal(st.received + st.patched + st.dropped, 0);
    /* Other hook names are refused. */
    assert_int_equal(ng_connect(x.node, "input", x.cap, "c_x"), -EINVAL);
    assert_int_equal(ng_connect(x.node, "", x.cap, "c_y"), -EINVAL);
    ngtest_fx_done(&x);
}

/* A burst takes the same way and the same operations as single packets. */
static void test_burst(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    struct ng_patch_op o = op(1, 2, NG_PATCH_MODE_ADD, 0x0101);
    assert_int_equal(setconfig(&x, 0, 0, &o, 1), 0);
    struct ng_item *v[5];
    for (int i = 0; i < 5; i++) {
        v[i] = ng_item_alloc(x.g, 4);
        assert_non_null(v[i]);
        uint8_t *d = ng_item_data(v[i]);
        d[0] = (uint8_t)i;
        d[1] = 0x10;
        d[2] = 0xff;
        d[3] = 0x77;
    }
    assert_int_equal(ng_inject_data_burst(x.node, "in", v, 5), 0);
    for (int i = 0; i < 5; i++) {
        const uint8_t w[4] = {(uint8_t)i, 0x12, 0x00, 0x77};
        ngtest_fx_expect(&x, i, "c_out", w, 4);
    }
    assert_int_equal(ng_rmhook(x.node, "in"), 0);
    for (int i = 0; i < 3; i++)
        v[i] = ngtest_item(x.g, 4, 0);
    assert_int_equal(ng_inject_data_burst(x.node, "out", v, 3), -ENOTCONN);
    struct ng_patch_stats st = get_stats(&x, NGM_PATCH_GET_STATS);
    assert_int_equal(st.received, 8);
    assert_int_equal(st.patched, 5);
    assert_int_equal(st.dropped, 3);
    ngtest_fx_done(&x);
}

/* DLT_EN10MB with relative_offset: offsets count from the IP header,
 * after the Ethernet header and any 802.1Q/802.1ad tags; a frame cut in
 * its link header passes unpatched (counted "runt").  Without
 * relative_offset offsets count from the frame's first byte. */
static void test_relative_offset(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    char *r = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getdlt", &r), 0);
    assert_string_equal(r, "12");
    free(r);
    assert_int_equal(ngtest_fx_ascii(&x, "setdlt 1", NULL), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "getdlt", &r), 0);
    assert_string_equal(r, "1");
    free(r);
    assert_int_equal(ngtest_fx_ascii(&x,
                                     "setconfig { count=1 csum_flags=1 relative_offset=1 ops=[ "
                                     "{ mode=2 value=3 length=1 offset=8 } ] }",
                                     NULL),
                     0);
    uint8_t f[64], w[64];
    const uint8_t eth[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    /* Plain Ethernet. */
    memcpy(f, eth, 12);
    f[12] = 0x08;
    f[13] = 0x00;
    memcpy(f + 14, ip_hdr, 20);
    memcpy(w, f, 34);
    w[14 + 8] = 0x43;
    w[14 + 10] = 0xb5;
    w[14 + 11] = 0x61;
    assert_int_equal(ngtest_fx_inject(&x, "in", f, 34), 0);
    ngtest_fx_expect(&x, 0, "c_out", w, 34);
    /* QinQ: 802.1ad outer tag, 802.1Q inner tag. */
    const uint8_t tags[8] = {0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x00, 0x0a};
    memcpy(f + 12, tags, 8);
    f[20] = 0x08;
    f[21] = 0x00;
    memcpy(f + 22, ip_hdr, 20);
    memcpy(w, f, 42);
    w[22 + 8] = 0x43;
    w[22 + 10] = 0xb5;
    w[22 + 11] = 0x61;
    assert_int_equal(ngtest_fx_inject(&x, "in", f, 42), 0);
    ngtest_fx_expect(&x, 1, "c_out", w, 42);
    /* A cut tag and a runt: unpatched. */
    assert_int_equal(ngtest_fx_inject(&x, "in", f, 15), 0);
    ngtest_fx_expect(&x, 2, "c_out", f, 15);
    assert_int_equal(ngtest_fx_inject(&x, "in", f, 10), 0);
    ngtest_fx_expect(&x, 3, "c_out", f, 10);
    assert_int_equal(status_counter(&x, "runt"), 2);
    /* Absolute offsets on Ethernet: byte 8 of the frame; the checksum is
     * still that of the IP header after the link header. */
    assert_int_equal(ngtest_fx_ascii(&x,
                                     "setconfig { count=1 csum_flags=1 ops=[ "
                                     "{ mode=1 value=0xee length=1 offset=8 } ] }",
                                     NULL),
                     0);
    memcpy(w, f, 42);
    w[8] = 0xee;
    assert_int_equal(ngtest_fx_inject(&x, "in", f, 42), 0);
    ngtest_fx_expect(&x, 4, "c_out", w, 42);
    /* A non-IP ethertype gets no checksum. */
    f[20] = 0x08;
    f[21] = 0x06;
    memcpy(w, f, 42);
    w[8] = 0xee;
    assert_int_equal(ngtest_fx_inject(&x, "in", f, 42), 0);
    ngtest_fx_expect(&x, 5, "c_out", w, 42);
    /* relative_offset is a flag, kept as given (FreeBSD's getconfig
     * returns the configuration it was set). */
    const struct ng_patch_op ttl = op(8, 1, NG_PATCH_MODE_ADD, 1);
    assert_int_equal(setconfig(&x, 0, 7, &ttl, 1), 0);
    char *cfg = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getconfig", &cfg), 0);
    assert_string_equal(cfg, "{ count=1 relative_offset=7 ops=[ { offset=8 length=1 mode=2 "
                             "value=1 } ] }");
    free(cfg);
    ngtest_fx_done(&x);
}

/* ---- checksums -------------------------------------------------------------- */

static uint32_t sum16(const uint8_t *d, size_t len, uint32_t s)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)(d[i] << 8 | d[i + 1]);
    if (len & 1)
        s += (uint32_t)d[len - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return s;
}

/* An IPv4 packet of `l4len` bytes of protocol proto (checksum wrong). */
static size_t ipv4_pkt(uint8_t *p, uint8_t proto, size_t l4len)
{
    memcpy(p, ip_hdr, 20);
    size_t tot = 20 + l4len;
    p[2] = (uint8_t)(tot >> 8);
    p[3] = (uint8_t)tot;
    p[6] = 0;
    p[9] = proto;
    for (size_t i = 0; i < l4len; i++)
        p[20 + i] = (uint8_t)(i * 7 + 1);
    if (proto == 17) {
        p[24] = (uint8_t)(l4len >> 8);
        p[25] = (uint8_t)l4len;
    }
    return tot;
}

/* One's-complement verification: header and pseudo-header sum to 0xffff. */
static void assert_l4_valid_v4(const uint8_t *p, size_t tot)
{
    size_t l4 = tot - 20;
    uint32_t ph = sum16(p + 12, 8, 0) + p[9] + (uint32_t)l4;
    assert_int_equal(sum16(p + 20, l4, ph), 0xffff);
    assert_int_equal(sum16(p, 20, 0), 0xffff);
}

/* Bitwise CRC32c, checked against the standard check value below. */
static uint32_t crc32c_ref(const uint8_t *d, size_t len)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < len; i++) {
        c ^= d[i];
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
    }
    return ~c;
}

static void test_checksums(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    /* TTL decrement with every IPv4 flag: IP header, UDP, TCP recomputed. */
    assert_int_equal(ngtest_fx_ascii(&x,
                                     "setconfig { count=1 csum_flags=0xf ops=[ "
                                     "{ mode=3 value=1 length=1 offset=8 } ] }",
                                     NULL),
                     0);
    uint8_t p[128];
    const uint8_t protos[2] = {17, 6};
    for (int i = 0; i < 2; i++) {
        size_t tot = ipv4_pkt(p, protos[i], 41); /* odd length */
        assert_int_equal(ngtest_fx_inject(&x, "in", p, (uint32_t)tot), 0);
        assert_int_equal(x.cp->f[i].len, tot);
        assert_int_equal(x.cp->f[i].data[8], 0x3f);
        assert_l4_valid_v4(x.cp->f[i].data, tot);
    }
    /* UDP over IPv4 without a checksum (0) keeps none. */
    size_t tot = ipv4_pkt(p, 17, 16);
    p[26] = p[27] = 0;
    assert_int_equal(ngtest_fx_inject(&x, "in", p, (uint32_t)tot), 0);
    assert_int_equal(x.cp->f[2].data[26], 0);
    assert_int_equal(x.cp->f[2].data[27], 0);
    assert_int_equal(sum16(x.cp->f[2].data, 20, 0), 0xffff);
    /* SCTP: CRC32c over the packet with the field zeroed, least significant
     * byte first. */
    const uint8_t check[9] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    assert_int_equal(crc32c_ref(check, 9), 0xe3069283u);
    tot = ipv4_pkt(p, 132, 28);
    assert_int_equal(ngtest_fx_inject(&x, "in", p, (uint32_t)tot), 0);
    uint8_t got[64];
    memcpy(got, x.cp->f[3].data + 20, 28);
    uint32_t stored = (uint32_t)got[8] | (uint32_t)got[9] << 8 | (uint32_t)got[10] << 16 |
                      (uint32_t)got[11] << 24;
    memset(got + 8, 0, 4);
    assert_int_equal(stored, crc32c_ref(got, 28));
    /* A fragment: header checksum only; a truncated packet: the same. */
    tot = ipv4_pkt(p, 17, 16);
    p[6] = 0x20; /* MF */
    p[26] = p[27] = 0x55;
    assert_int_equal(ngtest_fx_inject(&x, "in", p, (uint32_t)tot), 0);
    assert_int_equal(x.cp->f[4].data[26], 0x55);
    assert_int_equal(sum16(x.cp->f[4].data, 20, 0), 0xffff);
    tot = ipv4_pkt(p, 17, 16);
    p[26] = p[27] = 0x55;
    assert_int_equal(ngtest_fx_inject(&x, "in", p, (uint32_t)tot - 1), 0);
    assert_int_equal(x.cp->f[5].data[26], 0x55);
    /* Only the header flag: L4 untouched. */
    assert_int_equal(ngtest_fx_ascii(&x, "setconfig { count=0 csum_flags=1 }", NULL), 0);
    tot = ipv4_pkt(p, 6, 20);
    p[36] = p[37] = 0x55;
    assert_int_equal(ngtest_fx_inject(&x, "in", p, (uint32_t)tot), 0);
    assert_int_equal(x.cp->f[6].data[36], 0x55);
    assert_int_equal(sum16(x.cp->f[6].data, 20, 0), 0xffff);
    /* IPv6 UDP with the IPv6 flags; IPv4 flags do not apply to IPv6. */
    uint8_t v6[40 + 24];
    memset(v6, 0, sizeof(v6));
    v6[0] = 0x60;
    v6[5] = 24;
    v6[6] = 17;
    v6[7] = 64;
    for (int i = 8; i < 40; i++)
        v6[i] = (uint8_t)(0x20 + i);
    v6[44] = 0;
    v6[45] = 24;
    v6[46] = v6[47] = 0x55;
    assert_int_equal(ngtest_fx_ascii(&x, "setconfig { count=0 csum_flags=0xf }", NULL), 0);
    assert_int_equal(ngtest_fx_inject(&x, "in", v6, sizeof(v6)), 0);
    assert_int_equal(x.cp->f[7].data[46], 0x55);
    assert_int_equal(ngtest_fx_ascii(&x, "setconfig { count=0 csum_flags=0x200 }", NULL), 0);
    assert_int_equal(ngtest_fx_inject(&x, "in", v6, sizeof(v6)), 0);
    uint32_t ph = sum16(v6 + 8, 32, 0) + 17 + 24;
    assert_int_equal(sum16(x.cp->f[8].data + 40, 24, ph), 0xffff);
    /* Unknown flag bits are dropped by setconfig. */
    assert_int_equal(ngtest_fx_ascii(&x, "setconfig { count=0 csum_flags=0xffffffff }", NULL), 0);
    char *r = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getconfig", &r), 0);
    assert_string_equal(r, "{ csum_flags=3599 }");
    free(r);
    ngtest_fx_done(&x);
}

/* ---- messages --------------------------------------------------------------- */

static void roundtrip(const struct ng_mesg *m)
{
    struct ng_mesg *a = NULL, *b = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_patch_type, m, &a), 0);
    assert_int_equal(ng_mesg_from_ascii(&ng_patch_type, a, &b, NULL), 0);
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
    uint32_t len = (uint32_t)NG_PATCH_CONF_SIZE(3);
    for (int resp = 0; resp < 2; resp++) {
        struct ng_mesg *m =
            ng_mesg_alloc(NGM_PATCH_COOKIE, resp ? NGM_PATCH_GETCONFIG : NGM_PATCH_SETCONFIG, len);
        if (resp)
            m->header.flags = NGF_RESP;
        struct ng_patch_config *c = (struct ng_patch_config *)(void *)m->data;
        c->count = 3;
        c->csum_flags = NG_PATCH_CSUM_IP | NG_PATCH_CSUM_TCP_IPV6;
        c->relative_offset = 1;
        c->ops[0] = op(8, 1, NG_PATCH_MODE_ADD, 3);
        c->ops[1] = op(0xfffffff0u, 8, NG_PATCH_MODE_XOR, ~0ull);
        c->ops[2] = op(2, 2, NG_PATCH_MODE_NEG, 0);
        roundtrip(m);
        ng_mesg_free(m);
    }
    struct ng_mesg *m = ng_mesg_alloc(NGM_PATCH_COOKIE, NGM_PATCH_GET_STATS, 24);
    m->header.flags = NGF_RESP;
    struct ng_patch_stats st = {5, 4, 1};
    memcpy(m->data, &st, sizeof(st));
    roundtrip(m);
    struct ng_mesg *a = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_patch_type, m, &a), 0);
    assert_string_equal(a->data, "{ Received=5 Patched=4 Dropped=1 }");
    ng_mesg_free(a);
    m->header.cmd = NGM_PATCH_GETCLR_STATS;
    roundtrip(m);
    ng_mesg_free(m);
    m = ng_mesg_alloc(NGM_PATCH_COOKIE, NGM_PATCH_SETDLT, 1);
    m->data[0] = 1;
    roundtrip(m);
    m->header.cmd = NGM_PATCH_GETDLT;
    m->header.flags = NGF_RESP;
    roundtrip(m);
    ng_mesg_free(m);
    const uint32_t noarg[] = {NGM_PATCH_GETCONFIG, NGM_PATCH_GET_STATS, NGM_PATCH_CLR_STATS,
                              NGM_PATCH_GETCLR_STATS, NGM_PATCH_GETDLT};
    for (size_t i = 0; i < sizeof(noarg) / sizeof(noarg[0]); i++) {
        m = ng_mesg_alloc(NGM_PATCH_COOKIE, noarg[i], 0);
        roundtrip(m);
        ng_mesg_free(m);
    }
}

/* Every bad configuration: its errno, and the configuration unchanged. */
static void test_bad_config(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    struct ng_patch_op good = op(1, 2, NG_PATCH_MODE_SET, 7);
    assert_int_equal(setconfig(&x, 0, 0, &good, 1), 0);
    struct ng_patch_op bad[] = {
        op(0, 3, NG_PATCH_MODE_SET, 1),
        op(0, 0, NG_PATCH_MODE_SET, 1),
        op(0, 16, NG_PATCH_MODE_SET, 1),
        op(0, 1, 0, 1),
        op(0, 1, 12, 1),
        op(0, 4, NG_PATCH_MODE_DIV, 0),
        op(0, 1, NG_PATCH_MODE_DIV, 0x100),
        op(0, 2, NG_PATCH_MODE_DIV, 0x10000),
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ng_patch_op two[2] = {good, bad[i]};
        assert_int_equal(setconfig(&x, 0, 0, two, 2), -EINVAL);
    }
    /* count not matching the operations given, both ways; short argument. */
    struct ng_mesg *m =
        ng_mesg_alloc(NGM_PATCH_COOKIE, NGM_PATCH_SETCONFIG, (uint32_t)NG_PATCH_CONF_SIZE(1));
    ((struct ng_patch_config *)(void *)m->data)->count = 2;
    assert_int_equal(ng_send_msg(x.g, NULL, x.path, m, NULL), -EINVAL);
    m = ng_mesg_alloc(NGM_PATCH_COOKIE, NGM_PATCH_SETCONFIG, (uint32_t)NG_PATCH_CONF_SIZE(2));
    ((struct ng_patch_config *)(void *)m->data)->count = 1;
    ((struct ng_patch_config *)(void *)m->data)->ops[0] = good;
    assert_int_equal(ng_send_msg(x.g, NULL, x.path, m, NULL), -EINVAL);
    m = ng_mesg_alloc(NGM_PATCH_COOKIE, NGM_PATCH_SETCONFIG, 8);
    assert_int_equal(ng_send_msg(x.g, NULL, x.path, m, NULL), -EINVAL);
    m = ng_mesg_alloc(NGM_PATCH_COOKIE, NGM_PATCH_SETCONFIG, (uint32_t)NG_PATCH_CONF_SIZE(0));
    ((struct ng_patch_config *)(void *)m->data)->count = 0xffffffffu;
    assert_int_equal(ng_send_msg(x.g, NULL, x.path, m, NULL), -EINVAL);
    /* The ASCII forms of the same mistakes. */
    assert_int_equal(ngtest_fx_ascii(&x, "setconfig { count=1 ops=[ { length=3 mode=1 } ] }", NULL),
                     -EINVAL);
    assert_int_equal(ngtest_fx_ascii(&x, "setconfig { count=1 ops=[ { length=1 mode=5 } ] }", NULL),
                     -EINVAL);
    assert_int_equal(ngtest_fx_ascii(&x, "setconfig { count=2 ops=[ { length=1 mode=1 } ] }", NULL),
                     -EINVAL);
    assert_int_equal(
        ngtest_fx_ascii(&x, "setconfig { count=1 ops=[ { length=1 mode=99 } ] }", NULL), -EINVAL);
    assert_int_equal(ngtest_fx_ascii(&x, "setconfig { nosuch=1 }", NULL), -ENOENT);
    /* DLT. */
    assert_int_equal(ngtest_fx_ascii(&x, "setdlt 5", NULL), -EINVAL);
    assert_int_equal(ngtest_fx_ascii(&x, "setdlt 0", NULL), -EINVAL);
    m = ng_mesg_alloc(NGM_PATCH_COOKIE, NGM_PATCH_SETDLT, 4);
    m->data[0] = 1;
    assert_int_equal(ng_send_msg(x.g, NULL, x.path, m, NULL), -EINVAL);
    m = ng_mesg_alloc(NGM_PATCH_COOKIE, NGM_PATCH_SETDLT, 0);
    assert_int_equal(ng_send_msg(x.g, NULL, x.path, m, NULL), -EINVAL);
    /* Unknown command and cookie. */
    m = ng_mesg_alloc(NGM_PATCH_COOKIE, 99, 0);
    assert_int_equal(ng_send_msg(x.g, NULL, x.path, m, NULL), -EINVAL);
    m = ng_mesg_alloc(12345, 1, 0);
    assert_int_equal(ng_send_msg(x.g, NULL, x.path, m, NULL), -EINVAL);
    char *r = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getconfig", &r), 0);
    assert_string_equal(r, "{ count=1 ops=[ { offset=1 length=2 mode=1 value=7 } ] }");
    free(r);
    assert_int_equal(ngtest_fx_ascii(&x, "getdlt", &r), 0);
    assert_string_equal(r, "12");
    free(r);
    /* The default: no operations. */
    assert_int_equal(setconfig(&x, 0, 0, NULL, 0), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "getconfig", &r), 0);
    assert_string_equal(r, "{}");
    free(r);
    ngtest_fx_done(&x);
}

/* Flow messages follow the data (in -> out, out -> in); the node shuts
 * down with its last hook. */
static void test_flow_and_shutdown(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    struct ng_hook *cin, *cout;
    assert_int_equal(ng_hook_find(x.cap, "c_in", &cin), 0);
    assert_int_equal(ng_hook_find(x.cap, "c_out", &cout), 0);
    assert_int_equal(ng_send_msg_hook(cin, ng_mesg_alloc(NGM_FLOW_COOKIE, NGM_LINK_IS_UP, 0)), 0);
    assert_int_equal(x.cp->flow, 1);
    assert_int_equal(ng_send_msg_hook(cout, ng_mesg_alloc(NGM_FLOW_COOKIE, NGM_LINK_IS_DOWN, 0)),
                     0);
    assert_int_equal(x.cp->flow, 2);
    ng_hook_unref(cin);
    ng_hook_unref(cout);
    assert_int_equal(ng_rmhook(x.node, "in"), 0);
    assert_true(ng_node_is_valid(x.node));
    assert_int_equal(ng_rmhook(x.node, "out"), 0);
    assert_false(ng_node_is_valid(x.node));
    ngtest_fx_done(&x);
}

/* ---- configuration swaps racing traffic ---------------------------------- */

/* A sink that checks every packet saw one whole configuration: bytes 0
 * and 9 both patched by the same one (values A or B). */
static _Atomic uint64_t chk_good, chk_bad;
static int chk_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    (void)hook;
    const uint8_t *d = ng_item_data(item);
    if ((d[0] == 0xaa && d[9] == 0xaa) || (d[0] == 0xbb && d[9] == 0xbb))
        atomic_fetch_add(&chk_good, 1);
    else
        atomic_fetch_add(&chk_bad, 1);
    ng_item_free(item);
    return 0;
}
static const struct ng_type chk_type = {
    .version = NG_ABI_VERSION,
    .name = "patchchk",
    .flags = NG_TYPE_CONCURRENT_DATA,
    .rcvdata = chk_rcvdata,
};

static void test_swap_under_traffic(void **state)
{
    struct ng_graph *g = *state;
    int r = ng_type_register(g, &ng_patch_type);
    assert_true(r == 0 || r == -EEXIST);
    assert_int_equal(ng_type_register(g, &chk_type), 0);
    atomic_store(&chk_good, 0);
    atomic_store(&chk_bad, 0);
    struct ng_node *src, *pn, *chk;
    assert_int_equal(ng_node_create(g, "hole", &src), 0);
    assert_int_equal(ng_node_create(g, "patch", &pn), 0);
    assert_int_equal(ng_node_name(pn, "patch0"), 0);
    assert_int_equal(ng_node_create(g, "patchchk", &chk), 0);
    assert_int_equal(ng_connect(src, "out", pn, "in"), 0);
    assert_int_equal(ng_connect(pn, "out", chk, "in"), 0);
    struct ng_hook *h;
    assert_int_equal(ng_hook_find(src, "out", &h), 0);
    assert_int_equal(ng_send_ascii(g, "patch0:",
                                   "setconfig { count=2 ops=[ { offset=0 length=1 mode=1 "
                                   "value=0xaa } { offset=9 length=1 mode=1 value=0xaa } ] }",
                                   NULL),
                     0);
    struct ng_runtime *rt = ngtest_runtime(g, 2);
    const unsigned total = 20000;
    unsigned sent = 0;
    double t0 = ngtest_now_s();
    for (unsigned round = 0; sent < total && ngtest_now_s() - t0 < 10; round++) {
        for (int k = 0; k < 100; k++, sent++)
            assert_int_equal(ng_runtime_submit(rt, -1, h, ngtest_item(g, 16, 0)), 0);
        const char *v = (round & 1) ? "0xbb" : "0xaa";
        char text[200];
        snprintf(text, sizeof(text),
                 "setconfig { count=2 ops=[ { offset=0 length=1 mode=1 value=%s } "
                 "{ offset=9 length=1 mode=1 value=%s } ] }",
                 v, v);
        assert_int_equal(ng_send_ascii(g, "patch0:", text, NULL), 0);
    }
    ng_runtime_stop(rt);
    ng_hook_unref(h);
    assert_int_equal(atomic_load(&chk_bad), 0);
    struct ng_graph_stats st;
    ng_graph_stats(g, &st);
    assert_int_equal(atomic_load(&chk_good) + ngtest_drops(&st), sent);
    assert_int_equal(ng_node_shutdown(pn), 0);
    if (ng_node_is_valid(src))
        assert_int_equal(ng_node_shutdown(src), 0);
    if (ng_node_is_valid(chk))
        assert_int_equal(ng_node_shutdown(chk), 0);
    ng_node_unref(src);
    ng_node_unref(pn);
    ng_node_unref(chk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_modes),
        ngtest_unit_test(test_manpage_examples),
        ngtest_unit_test(test_short_packets),
        ngtest_unit_test(test_routing),
        ngtest_unit_test(test_burst),
        ngtest_unit_test(test_relative_offset),
        ngtest_unit_test(test_checksums),
        ngtest_unit_test(test_ascii_roundtrip),
        ngtest_unit_test(test_bad_config),
        ngtest_unit_test(test_flow_and_shutdown),
        ngtest_unit_test(test_swap_under_traffic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
