/*
 * test_car.c - the "car" node type (docs/nodes/car.md) against its
 * documented behaviour: per-packet colours of the RFC 2697 and RFC 2698
 * meters (colour-blind and colour-aware), Cisco's RED-like mode and
 * packet counting compared with reference models of the token-bucket
 * arithmetic (rates 0: no refill, so every colour is exact), refill at a
 * configured rate checked against bounds computed from the measured
 * elapsed time, the MARK action's DSCP rewrite byte for byte (IPv4 with its
 * checksum, IPv6, 802.1Q, bare IP), SHAPE mode's queue and RED drops, every
 * bad configuration, ASCII round trips, flow messages and shutdown.
 * Frames go in at the car node's hooks and are captured by a "gcap" sink.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "ngtest.h"

#include <ngraph/message.h>
#include <ngraph/nodes/car.h>
#include <ngraph/parse.h>

static const char *const both[] = {"upper", "lower", NULL};

static void fx_make(struct ngtest_fx *x, struct ng_graph *g, const char *const *hooks)
{
    int rc = ng_type_register(g, &ng_car_type);
    assert_true(rc == 0 || rc == -EEXIST);
    ngtest_fx_make(x, g, "car", "car0", hooks);
}

/* ---- frames ----------------------------------------------------------------- */

static uint16_t csum(const uint8_t *h, unsigned n)
{
    uint32_t s = 0;
    for (unsigned i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* An Ethernet + IPv4 frame of len bytes (len >= 34) with TOS tos and a
 * correct header checksum. */
static uint32_t ip4_frame(uint8_t *f, uint32_t len, uint8_t tos)
{
    static const uint8_t eth[14] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00};
    memset(f, 0xa5, len);
    memcpy(f, eth, 14);
    uint8_t *h = f + 14;
    uint16_t tl = (uint16_t)(len - 14);
    const uint8_t ip[20] = {0x45,        tos,  (uint8_t)(tl >> 8),
                            (uint8_t)tl, 0x12, 0x34,
                            0x40,        0,    64,
                            17,          0,    0,
                            192,         0,    2,
                            1,           198,  51,
                            100,         7};
    memcpy(h, ip, 20);
    uint16_t c = csum(h, 20);
    h[10] = (uint8_t)(c >> 8);
    h[11] = (uint8_t)c;
    return len;
}

/* The colour the MARK action wrote into captured frame i (AF1x or AFnx). */
static int colour_of(struct ngtest_fx *x, int i)
{
    const uint8_t *h = x->cp->f[i].data + 14;
    assert_int_equal(csum(h, 20), 0); /* the checksum still holds */
    unsigned dscp = h[1] >> 2;
    assert_true((dscp & 7) == 2 || (dscp & 7) == 4 || (dscp & 7) == 6);
    return (int)((dscp & 7) / 2 - 1);
}

/* ---- messages --------------------------------------------------------------- */

static int setconf(struct ngtest_fx *x, const struct ng_car_hookconf *down,
                   const struct ng_car_hookconf *up)
{
    struct ng_mesg *m =
        ng_mesg_alloc(NGM_CAR_COOKIE, NGM_CAR_SET_CONF, sizeof(struct ng_car_bulkconf));
    assert_non_null(m);
    struct ng_car_bulkconf *bc = (void *)m->data;
    bc->downstream = *down;
    bc->upstream = up ? *up : *down;
    return ng_send_msg(x->g, NULL, "car0:", m, NULL);
}

static struct ng_car_hookstats getstats(struct ngtest_fx *x, int down, uint32_t cmd)
{
    struct ng_mesg *r = NULL;
    assert_int_equal(ngtest_msg(x->g, "car0:", NGM_CAR_COOKIE, cmd, &r), 0);
    assert_non_null(r);
    assert_int_equal(r->header.arglen, sizeof(struct ng_car_bulkstats));
    const struct ng_car_bulkstats *bs = (const void *)r->data;
    struct ng_car_hookstats s = down ? bs->downstream : bs->upstream;
    ng_mesg_free(r);
    return s;
}

static struct ng_car_hookconf hconf(uint8_t mode, uint64_t cbs, uint64_t ebs, uint64_t cir,
                                    uint64_t pir, uint8_t action, uint8_t opt)
{
    struct ng_car_hookconf h = {
        .cbs = cbs, .ebs = ebs, .cir = cir, .pir = pir, .mode = mode, .opt = opt};
    h.green_action = h.yellow_action = h.red_action = action;
    return h;
}

/* ---- reference models (rates 0: no refill) ---------------------------------- */

enum { G, Y, R };

static int model_srtcm(int64_t *c, int64_t *e, int64_t b, int pre)
{
    if (pre == G && *c >= b) {
        *c -= b;
        return G;
    }
    if (pre != R && *e >= b) {
        *e -= b;
        return Y;
    }
    return R;
}

static int model_trtcm(int64_t *c, int64_t *p, int64_t b, int pre)
{
    if (pre == R || *p < b)
        return R;
    *p -= b;
    if (pre == Y || *c < b)
        return Y;
    *c -= b;
    return G;
}

static int model_red(int64_t *c, int64_t *debt, int64_t ebs, int64_t b)
{
    if (*c >= b) {
        *c -= b;
        return G;
    }
    if (b - (*c - b) <= ebs && *debt + (b - *c) < ebs) {
        *debt += b - *c;
        *c -= b;
        return Y;
    }
    *debt = 0;
    return R;
}

static const uint32_t sizes[16] = {300, 300, 300, 300, 150, 100, 60, 50,
                                   400, 34,  34,  90,  34,  250, 34, 34};

/* Inject the 16 frames (pre-coloured AF1x by pre[], or TOS tos0 when pre
 * is NULL) at upper and compare each captured colour with want[]. */
static void run16(struct ngtest_fx *x, const int *pre, uint8_t tos0, const int *want)
{
    int n[3] = {0};
    for (int i = 0; i < 16; i++) {
        uint8_t f[512];
        uint8_t tos = pre ? (uint8_t)((8 + 2 * (pre[i] + 1)) << 2) : tos0;
        assert_int_equal(ngtest_fx_inject(x, "upper", f, ip4_frame(f, sizes[i], tos)), 0);
        n[want[i]]++;
    }
    assert_int_equal(x->cp->n, 16);
    for (int i = 0; i < 16; i++) {
        assert_string_equal(x->cp->f[i].hook, "c_lower");
        assert_int_equal(colour_of(x, i), want[i]);
    }
    struct ng_car_hookstats s = getstats(x, 1, NGM_CAR_GET_STATS);
    assert_int_equal(s.green_pkts, n[G]);
    assert_int_equal(s.yellow_pkts, n[Y]);
    assert_int_equal(s.red_pkts, n[R]);
    assert_int_equal(s.passed_pkts, 16);
    assert_int_equal(s.droped_pkts, 0);
    assert_int_equal(s.errors, 0);
}

/* ---- tests ------------------------------------------------------------------ */

/* RFC 2697, colour-blind then colour-aware: each packet's colour is the
 * model's. */
static void test_srtcm(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    int want[16];
    int64_t c = 1000, e = 500;
    for (int i = 0; i < 16; i++)
        want[i] = model_srtcm(&c, &e, sizes[i], G);
    assert_true(want[0] == G && want[3] == Y && want[15] == R);
    struct ng_car_hookconf h = hconf(NG_CAR_SINGLE_RATE, 1000, 500, 0, 0, NG_CAR_ACTION_MARK, 0);
    assert_int_equal(setconf(&x, &h, NULL), 0);
    run16(&x, NULL, 0, want);

    /* Colour-aware: a yellow packet never takes green tokens, a red one
     * stays red. */
    const int pre[16] = {G, Y, R, G, Y, G, G, R, G, Y, G, G, Y, G, G, R};
    c = 1000, e = 500;
    for (int i = 0; i < 16; i++)
        want[i] = model_srtcm(&c, &e, sizes[i], pre[i]);
    h.opt = NG_CAR_COLOR_AWARE;
    assert_int_equal(setconf(&x, &h, NULL), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "clrstats", NULL), 0);
    x.cp->n = 0;
    run16(&x, pre, 0, want);
    ngtest_fx_done(&x);
}

/* RFC 2698, colour-blind and colour-aware. */
static void test_trtcm(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    int want[16];
    int64_t c = 500, p = 1500;
    for (int i = 0; i < 16; i++)
        want[i] = model_trtcm(&c, &p, sizes[i], G);
    assert_true(want[0] == G && want[2] == Y);
    struct ng_car_hookconf h = hconf(NG_CAR_DOUBLE_RATE, 500, 1500, 0, 0, NG_CAR_ACTION_MARK, 0);
    assert_int_equal(setconf(&x, &h, NULL), 0);
    run16(&x, NULL, 0, want);

    const int pre[16] = {Y, G, R, G, G, Y, G, R, G, G, Y, G, G, G, R, G};
    c = 500, p = 1500;
    for (int i = 0; i < 16; i++)
        want[i] = model_trtcm(&c, &p, sizes[i], pre[i]);
    h.opt = NG_CAR_COLOR_AWARE;
    assert_int_equal(setconf(&x, &h, NULL), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "clrstats", NULL), 0);
    x.cp->n = 0;
    run16(&x, pre, 0, want);
    ngtest_fx_done(&x);
}

/* Cisco's RED-like mode: compounded debt, reset by each red packet; and
 * NG_CAR_COUNT_PACKETS: every packet costs one token whatever its size. */
static void test_red_and_packets(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    int want[16];
    int64_t c = 700, debt = 0;
    for (int i = 0; i < 16; i++)
        want[i] = model_red(&c, &debt, 1000, sizes[i]);
    struct ng_car_hookconf h = hconf(NG_CAR_RED, 700, 1000, 0, 0, NG_CAR_ACTION_MARK, 0);
    assert_int_equal(setconf(&x, &h, NULL), 0);
    run16(&x, NULL, 0, want);

    /* FreeBSD's "definitely red": 80 bytes green leave C = 20; a 70-byte
     * packet would leave a deficit of 50, and 70 + 50 > ebs = 100, so it is
     * red although the debt (0 + 50) is below ebs; a 50-byte one (50 + 30
     * <= 100) is yellow. */
    h = hconf(NG_CAR_RED, 100, 100, 0, 0, NG_CAR_ACTION_MARK, 0);
    assert_int_equal(setconf(&x, &h, NULL), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "clrstats", NULL), 0);
    x.cp->n = 0;
    const uint32_t red3[3] = {80, 70, 50};
    const int red3_want[3] = {G, R, Y};
    for (int i = 0; i < 3; i++) {
        uint8_t f[128];
        assert_int_equal(ngtest_fx_inject(&x, "upper", f, ip4_frame(f, red3[i], 0)), 0);
    }
    assert_int_equal(x.cp->n, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(colour_of(&x, i), red3_want[i]);

    for (int i = 0; i < 16; i++)
        want[i] = i < 3 ? G : i < 5 ? Y : R;
    h = hconf(NG_CAR_SINGLE_RATE, 3, 2, 0, 0, NG_CAR_ACTION_MARK, NG_CAR_COUNT_PACKETS);
    assert_int_equal(setconf(&x, &h, NULL), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "clrstats", NULL), 0);
    x.cp->n = 0;
    run16(&x, NULL, 0, want);
    ngtest_fx_done(&x);
}

/* Actions: forward and drop per colour, counted; upstream is metered on
 * its own. */
static void test_actions(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    struct ng_car_hookconf down = hconf(NG_CAR_SINGLE_RATE, 200, 100, 0, 0, 0, 0);
    down.green_action = NG_CAR_ACTION_FORWARD;
    down.yellow_action = NG_CAR_ACTION_DROP;
    down.red_action = NG_CAR_ACTION_FORWARD;
    struct ng_car_hookconf up = hconf(NG_CAR_SINGLE_RATE, 100, 0, 0, 0, NG_CAR_ACTION_FORWARD, 0);
    up.red_action = NG_CAR_ACTION_DROP;
    assert_int_equal(setconf(&x, &down, &up), 0);
    uint8_t f[128];
    for (int i = 0; i < 5; i++) /* G G Y R R */
        assert_int_equal(ngtest_fx_inject(&x, "upper", f, ip4_frame(f, 100, 0)), 0);
    for (int i = 0; i < 3; i++) /* G R R */
        assert_int_equal(ngtest_fx_inject(&x, "lower", f, ip4_frame(f, 100, 0)), 0);
    assert_int_equal(x.cp->n, 5);
    ngtest_fx_expect(&x, 0, "c_lower", f, 100);
    ngtest_fx_expect(&x, 4, "c_upper", f, 100); /* forwarded unchanged */
    struct ng_car_hookstats s = getstats(&x, 1, NGM_CAR_GETCLR_STATS);
    assert_int_equal(s.green_pkts, 2);
    assert_int_equal(s.yellow_pkts, 1);
    assert_int_equal(s.red_pkts, 2);
    assert_int_equal(s.passed_pkts, 4);
    assert_int_equal(s.droped_pkts, 1);
    s = getstats(&x, 0, NGM_CAR_GET_STATS); /* cleared by getclrstats */
    assert_int_equal(s.green_pkts, 0);
    assert_int_equal(s.passed_pkts, 0);
    ngtest_fx_done(&x);
}

/* Refill at cir: the second burst finds exactly the tokens produced since
 * the first, within bounds computed from the measured times. */
static void test_refill(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    /* 8000 bit/s = 1000 bytes/s = one 100-byte packet per 100 ms. */
    struct ng_car_hookconf h =
        hconf(NG_CAR_SINGLE_RATE, 1000, 0, 8000, 0, NG_CAR_ACTION_FORWARD, 0);
    h.red_action = NG_CAR_ACTION_DROP;
    uint8_t f[128];
    ip4_frame(f, 100, 0);
    double t0 = ngtest_now_s();
    assert_int_equal(setconf(&x, &h, NULL), 0);
    for (int i = 0; i < 10; i++)
        ngtest_fx_inject(&x, "upper", f, 100);
    double t1 = ngtest_now_s();
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL);
    double t2 = ngtest_now_s();
    for (int i = 0; i < 10; i++)
        ngtest_fx_inject(&x, "upper", f, 100);
    double t3 = ngtest_now_s();
    struct ng_car_hookstats s = getstats(&x, 1, NGM_CAR_GET_STATS);
    /* At least the tokens of the gap t1..t2, at most those of t0..t3. */
    uint64_t lo = 10 + (uint64_t)((t2 - t1) * 10.0);
    uint64_t hi = 10 + (uint64_t)((t3 - t0) * 10.0) + 1;
    print_message("green %llu in [%llu, %llu]\n", (unsigned long long)s.green_pkts,
                  (unsigned long long)lo, (unsigned long long)hi);
    assert_true(s.green_pkts >= (lo < 20 ? lo : 20) && s.green_pkts <= hi);
    assert_int_equal(s.yellow_pkts, 0);
    assert_int_equal(s.green_pkts + s.red_pkts, 20);
    assert_int_equal(s.droped_pkts, s.red_pkts);
    ngtest_fx_done(&x);
}

/* MARK rewrites the DSCP byte-exactly: ECN kept, IPv4 checksum updated,
 * the AF class kept, IPv6 flow label kept, 802.1Q and bare IP frames. */
static void test_mark_bytes(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    /* Everything red (no packet fits cbs 1 or ebs 1), red marked. */
    struct ng_car_hookconf h = hconf(NG_CAR_SINGLE_RATE, 1, 1, 0, 0, NG_CAR_ACTION_MARK, 0);
    assert_int_equal(setconf(&x, &h, NULL), 0);
    uint8_t f[128], w[128];
    /* DSCP 0, ECN 01 -> AF13 (14): TOS 0x39. */
    assert_int_equal(ngtest_fx_inject(&x, "upper", f, ip4_frame(f, 60, 0x01)), 0);
    ngtest_fx_expect(&x, 0, "c_lower", w, ip4_frame(w, 60, 0x39));
    /* AF31 (26), ECN 11 -> AF33 (30): TOS 0x7b. */
    assert_int_equal(ngtest_fx_inject(&x, "upper", f, ip4_frame(f, 60, 0x6b)), 0);
    ngtest_fx_expect(&x, 1, "c_lower", w, ip4_frame(w, 60, 0x7b));
    /* IPv6, EF (46) ECN 01, flow label 0x12345 -> AF13: TC 0x39. */
    static const uint8_t v6[14 + 40 + 4] = {2, 0,    0,    0,    0,    1,    2,    0, 0, 0,  0,
                                            2, 0x86, 0xdd, 0x6b, 0x91, 0x23, 0x45, 0, 4, 17, 64};
    memcpy(f, v6, sizeof(v6));
    memcpy(w, v6, sizeof(v6));
    w[14] = 0x63;
    w[15] = 0x91;
    assert_int_equal(ngtest_fx_inject(&x, "upper", f, sizeof(v6)), 0);
    ngtest_fx_expect(&x, 2, "c_lower", w, sizeof(v6));
    /* 802.1Q-tagged IPv4. */
    uint8_t t[132], tw[132];
    ip4_frame(f, 60, 0x00);
    ip4_frame(w, 60, 0x38);
    memcpy(t, f, 12);
    memcpy(tw, w, 12);
    const uint8_t tag[4] = {0x81, 0x00, 0x00, 0x0a};
    memcpy(t + 12, tag, 4);
    memcpy(tw + 12, tag, 4);
    memcpy(t + 16, f + 12, 48);
    memcpy(tw + 16, w + 12, 48);
    assert_int_equal(ngtest_fx_inject(&x, "upper", t, 64), 0);
    ngtest_fx_expect(&x, 3, "c_lower", tw, 64);
    /* Bare IPv4 with NG_CAR_RAW_IP, upstream. */
    h.opt = NG_CAR_RAW_IP;
    assert_int_equal(setconf(&x, &h, NULL), 0);
    assert_int_equal(ngtest_fx_inject(&x, "lower", f + 14, 46), 0);
    ngtest_fx_expect(&x, 4, "c_upper", w + 14, 46);
    assert_int_equal(getstats(&x, 0, NGM_CAR_GET_STATS).errors, 0);
    /* Not IP (an Ethernet frame in raw mode, ARP, a cut or bad IPv4
     * header, a runt): forwarded unchanged, counted as errors. */
    assert_int_equal(ngtest_fx_inject(&x, "lower", f, 60), 0);
    ngtest_fx_expect(&x, 5, "c_upper", f, 60);
    h.opt = 0;
    assert_int_equal(setconf(&x, &h, NULL), 0);
    f[12] = 0x08, f[13] = 0x06;
    assert_int_equal(ngtest_fx_inject(&x, "upper", f, 60), 0);
    ngtest_fx_expect(&x, 6, "c_lower", f, 60);
    ip4_frame(f, 60, 0);
    f[14] = 0x44; /* IHL 4 */
    assert_int_equal(ngtest_fx_inject(&x, "upper", f, 60), 0);
    ngtest_fx_expect(&x, 7, "c_lower", f, 60);
    ip4_frame(f, 60, 0);
    assert_int_equal(ngtest_fx_inject(&x, "upper", f, 30), 0);
    ngtest_fx_expect(&x, 8, "c_lower", f, 30);
    assert_int_equal(ngtest_fx_inject(&x, "upper", f, 10), 0);
    ngtest_fx_expect(&x, 9, "c_lower", f, 10);
    assert_int_equal(getstats(&x, 1, NGM_CAR_GET_STATS).errors, 4);
    assert_int_equal(getstats(&x, 0, NGM_CAR_GET_STATS).errors, 1);
    ngtest_fx_done(&x);
}

/* COLOR_AWARE: a frame without a readable IPv4/IPv6 header (ARP, a
 * header cut short, a runt) is pre-coloured green; an AFx3 frame is red
 * (no tokens taken). */
static void test_colour_aware_not_ip(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    struct ng_car_hookconf h =
        hconf(NG_CAR_SINGLE_RATE, 100, 100, 0, 0, NG_CAR_ACTION_FORWARD, NG_CAR_COLOR_AWARE);
    assert_int_equal(setconf(&x, &h, NULL), 0);
    uint8_t f[64];
    ip4_frame(f, 60, 0);
    f[12] = 0x08, f[13] = 0x06; /* ARP: 60 tokens, green */
    assert_int_equal(ngtest_fx_inject(&x, "upper", f, 60), 0);
    ip4_frame(f, 60, (8 + 6) << 2); /* AF13, cut inside its IPv4 header: green */
    assert_int_equal(ngtest_fx_inject(&x, "upper", f, 20), 0);
    assert_int_equal(ngtest_fx_inject(&x, "upper", f, 10), 0); /* runt: green (C = 10 left) */
    ip4_frame(f, 40, (8 + 6) << 2); /* a whole AF13 frame: red, C untouched */
    assert_int_equal(ngtest_fx_inject(&x, "upper", f, 40), 0);
    assert_int_equal(ngtest_fx_inject(&x, "upper", f, 40), 0); /* again red */
    assert_int_equal(x.cp->n, 5);
    struct ng_car_hookstats s = getstats(&x, 1, NGM_CAR_GET_STATS);
    assert_int_equal(s.green_pkts, 3);
    assert_int_equal(s.yellow_pkts, 0);
    assert_int_equal(s.red_pkts, 2);
    assert_int_equal(s.errors, 0);
    ngtest_fx_done(&x);
}

/* SHAPE: green while the committed bucket lasts, then queued (yellow) with
 * FreeBSD's RED rule (length 99, threshold 8) dropping the excess (red).
 * At 1 byte/s nothing is released during the test; rmhook purges the
 * queue (counted as dropped). */
static void test_shape_queue(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    struct ng_car_hookconf h = hconf(NG_CAR_SHAPE, 200, 0, 8, 0, NG_CAR_ACTION_FORWARD, 0);
    assert_int_equal(setconf(&x, &h, NULL), 0);
    int n[3] = {0}, len = 0, red = 0;
    for (int i = 0; i < 60; i++) {
        uint8_t f[128];
        assert_int_equal(ngtest_fx_inject(&x, "upper", f, ip4_frame(f, 100, 0)), 0);
        if (i < 2) {
            n[G]++;
        } else if (len >= NG_CAR_QUEUE_LEN || red + len >= NG_CAR_QUEUE_LEN + 1) {
            n[R]++;
            red = 0;
        } else {
            n[Y]++;
            if (len > NG_CAR_QUEUE_MIN_TH)
                red += len - NG_CAR_QUEUE_MIN_TH;
            len++;
        }
    }
    assert_true(n[R] > 0 && len > NG_CAR_QUEUE_MIN_TH);
    assert_int_equal(x.cp->n, 2);
    struct ng_car_hookstats s = getstats(&x, 1, NGM_CAR_GET_STATS);
    assert_int_equal(s.green_pkts, n[G]);
    assert_int_equal(s.yellow_pkts, n[Y]);
    assert_int_equal(s.red_pkts, n[R]);
    assert_int_equal(s.passed_pkts, 2);
    assert_int_equal(s.droped_pkts, n[R]);
    char *st = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getclrstats", &st), 0);
    free(st);
    assert_int_equal(ng_rmhook(x.node, "lower"), 0);
    s = getstats(&x, 1, NGM_CAR_GET_STATS);
    assert_int_equal(s.droped_pkts, (uint64_t)len);
    ngtest_fx_done(&x);
}

/* Every invalid configuration is refused with EINVAL and changes nothing. */
static void test_bad_config(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    const struct ng_car_hookconf ok = hconf(NG_CAR_SINGLE_RATE, 100, 100, 1000, 0, 1, 0);
    struct ng_car_hookconf bad[16];
    int nb = 0;
    bad[nb] = ok, bad[nb].cbs = 0, bad[nb++].ebs = 0;                    /* burst 0 */
    bad[nb] = ok, bad[nb++].mode = 4;                                    /* unknown mode */
    bad[nb] = ok, bad[nb].mode = NG_CAR_SHAPE, bad[nb++].cir = 0;        /* rate 0 */
    bad[nb] = ok, bad[nb].mode = NG_CAR_DOUBLE_RATE, bad[nb++].pir = 10; /* pir < cir */
    bad[nb] = ok, bad[nb].mode = NG_CAR_DOUBLE_RATE, bad[nb].pir = 2000, bad[nb++].cbs = 0;
    bad[nb] = ok, bad[nb++].green_action = 0;
    bad[nb] = ok, bad[nb++].red_action = NG_CAR_ACTION_SET_TOS;
    bad[nb] = ok, bad[nb++].opt = 0x10;
    bad[nb] = ok, bad[nb++].cir = NG_CAR_RATE_MAX + 1;
    bad[nb] = ok, bad[nb++].pir = NG_CAR_RATE_MAX + 1;
    bad[nb] = ok, bad[nb++].ebs = NG_CAR_BURST_MAX + 1;
    bad[nb] = ok, bad[nb].mode = NG_CAR_RED, bad[nb++].opt = NG_CAR_COLOR_AWARE;
    for (int i = 0; i < nb; i++) {
        assert_int_equal(setconf(&x, &bad[i], &ok), -EINVAL);
        assert_int_equal(setconf(&x, &ok, &bad[i]), -EINVAL);
    }
    /* Short and long arguments, unknown commands. */
    struct ng_mesg *m = ng_mesg_alloc(NGM_CAR_COOKIE, NGM_CAR_SET_CONF, 10);
    assert_int_equal(ng_send_msg(x.g, NULL, "car0:", m, NULL), -EINVAL);
    m = ng_mesg_alloc(NGM_CAR_COOKIE, NGM_CAR_SET_CONF, sizeof(struct ng_car_bulkconf) + 1);
    assert_int_equal(ng_send_msg(x.g, NULL, "car0:", m, NULL), -EINVAL);
    m = ng_mesg_alloc(NGM_CAR_COOKIE, 99, 0);
    assert_int_equal(ng_send_msg(x.g, NULL, "car0:", m, NULL), -EINVAL);
    m = ng_mesg_alloc(12345, 1, 0);
    assert_int_equal(ng_send_msg(x.g, NULL, "car0:", m, NULL), -EINVAL);
    /* Nothing changed: FreeBSD's defaults. */
    char *r = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getconf", &r), 0);
    assert_string_equal(r, "{ upstream={ cbs=8192 ebs=8192 cir=10240 greenAction=1 yellowAction=1 "
                           "redAction=2 } downstream={ cbs=8192 ebs=8192 cir=10240 greenAction=1 "
                           "yellowAction=1 redAction=2 } }");
    free(r);
    /* Hooks other than upper and lower are refused. */
    assert_int_equal(ng_connect(x.node, "middle", x.cap, "c_middle"), -EINVAL);
    ngtest_fx_done(&x);
}

/* Frames with nowhere to go: dropped and counted. */
static void test_not_connected(void **state)
{
    struct ngtest_fx x;
    const char *const upper_only[] = {"upper", NULL};
    fx_make(&x, *state, upper_only);
    uint8_t f[64];
    assert_int_equal(ngtest_fx_inject(&x, "upper", f, ip4_frame(f, 60, 0)), -ENOTCONN);
    struct ng_car_hookstats s = getstats(&x, 1, NGM_CAR_GET_STATS);
    assert_int_equal(s.errors, 1);
    assert_int_equal(s.passed_pkts, 0);
    assert_int_equal(ngtest_fx_inject(&x, "lower", f, 60), -ENOENT);
    ngtest_fx_done(&x);
}

/* ASCII forms convert both ways exactly; the man page's example works. */
static void roundtrip(const struct ng_mesg *m)
{
    struct ng_mesg *a = NULL, *b = NULL;
    assert_int_equal(ng_mesg_to_ascii(&ng_car_type, m, &a), 0);
    assert_int_equal(ng_mesg_from_ascii(&ng_car_type, a, &b, NULL), 0);
    assert_int_equal(b->header.typecookie, m->header.typecookie);
    assert_int_equal(b->header.cmd, m->header.cmd);
    assert_int_equal(b->header.arglen, m->header.arglen);
    assert_memory_equal(b->data, m->data, m->header.arglen);
    ng_mesg_free(a);
    ng_mesg_free(b);
}

static void test_ascii(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    assert_int_equal(
        ngtest_fx_ascii(&x,
                        "setconf { downstream={ cir=20000000 cbs=2500000 ebs=2500000 greenAction=1 "
                        "yellowAction=1 redAction=2 mode=2 } upstream={ cir=5000 cbs=100 ebs=100 "
                        "greenAction=1 yellowAction=1 redAction=2 mode=2 opt=2 } }",
                        NULL),
        0);
    char *r = NULL;
    assert_int_equal(ngtest_fx_ascii(&x, "getconf", &r), 0);
    assert_string_equal(r, "{ upstream={ cbs=100 ebs=100 cir=5000 greenAction=1 yellowAction=1 "
                           "redAction=2 mode=2 opt=2 } downstream={ cbs=2500000 ebs=2500000 "
                           "cir=20000000 greenAction=1 yellowAction=1 redAction=2 mode=2 } }");
    free(r);
    uint8_t f[64];
    assert_int_equal(ngtest_fx_inject(&x, "upper", f, ip4_frame(f, 60, 0)), 0);
    assert_int_equal(ngtest_fx_ascii(&x, "getstats", &r), 0);
    assert_string_equal(r, "{ downstream={ passed=1 green=1 } }");
    free(r);
    assert_int_equal(ngtest_fx_ascii(&x, "getclrstats", &r), 0);
    assert_string_equal(r, "{ downstream={ passed=1 green=1 } }");
    free(r);
    assert_int_equal(ngtest_fx_ascii(&x, "getstats", &r), 0);
    assert_string_equal(r, "{}");
    free(r);
    assert_int_equal(ngtest_fx_ascii(&x, "clrstats", NULL), 0);

    struct ng_mesg *m =
        ng_mesg_alloc(NGM_CAR_COOKIE, NGM_CAR_SET_CONF, sizeof(struct ng_car_bulkconf));
    struct ng_car_bulkconf *bc = (void *)m->data;
    bc->upstream = hconf(NG_CAR_DOUBLE_RATE, 1, 2, 3, 4, 3, 0x83);
    bc->downstream = hconf(NG_CAR_SHAPE, 5, 6, 7, 8, 2, 0);
    roundtrip(m);
    m->header.cmd = NGM_CAR_GET_CONF;
    m->header.flags = NGF_RESP;
    roundtrip(m);
    ng_mesg_free(m);
    m = ng_mesg_alloc(NGM_CAR_COOKIE, NGM_CAR_GET_STATS, sizeof(struct ng_car_bulkstats));
    m->header.flags = NGF_RESP;
    uint64_t *v = (void *)m->data;
    for (int i = 0; i < 12; i++)
        v[i] = (uint64_t)i * 1000003u + 1;
    roundtrip(m);
    m->header.cmd = NGM_CAR_GETCLR_STATS;
    roundtrip(m);
    ng_mesg_free(m);
    const uint32_t noarg[] = {NGM_CAR_GET_STATS, NGM_CAR_CLR_STATS, NGM_CAR_GETCLR_STATS,
                              NGM_CAR_GET_CONF};
    for (int i = 0; i < 4; i++) {
        m = ng_mesg_alloc(NGM_CAR_COOKIE, noarg[i], 0);
        roundtrip(m);
        ng_mesg_free(m);
    }
    assert_int_equal(ngtest_fx_ascii(&x, "getstatus", NULL), -ENOSYS);
    struct ng_mesg *st = NULL;
    assert_int_equal(ngtest_msg(x.g, "car0:", NGM_GENERIC_COOKIE, NGM_TEXT_STATUS, &st), 0);
    assert_non_null(strstr(st->data, "downstream (upper -> lower): red"));
    assert_non_null(strstr(st->data, "passed=0 droped=0"));
    ng_mesg_free(st);
    ngtest_fx_done(&x);
}

/* Flow messages pass the way data goes; the node shuts down with its last
 * hook. */
static void test_flow_and_shutdown(void **state)
{
    struct ngtest_fx x;
    fx_make(&x, *state, both);
    struct ng_hook *ch;
    assert_int_equal(ng_hook_find(x.cap, "c_upper", &ch), 0);
    assert_int_equal(ng_send_msg_hook(ch, ng_mesg_alloc(NGM_FLOW_COOKIE, NGM_LINK_IS_UP, 0)), 0);
    ng_hook_unref(ch);
    assert_int_equal(x.cp->flow, 1);
    assert_int_equal(ng_rmhook(x.node, "upper"), 0);
    assert_true(ng_node_is_valid(x.node));
    assert_int_equal(ng_rmhook(x.node, "lower"), 0);
    assert_false(ng_node_is_valid(x.node));
    ngtest_fx_done(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ngtest_unit_test(test_srtcm),
        ngtest_unit_test(test_trtcm),
        ngtest_unit_test(test_red_and_packets),
        ngtest_unit_test(test_actions),
        ngtest_unit_test(test_refill),
        ngtest_unit_test(test_mark_bytes),
        ngtest_unit_test(test_colour_aware_not_ip),
        ngtest_unit_test(test_shape_queue),
        ngtest_unit_test(test_bad_config),
        ngtest_unit_test(test_not_connected),
        ngtest_unit_test(test_ascii),
        ngtest_unit_test(test_flow_and_shutdown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
