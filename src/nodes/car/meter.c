/*
 * meter.c - the "car" node type's token buckets (RFC 2697, RFC 2698,
 * Cisco's RED-like CAR) updated lock-free, and the DSCP colours of
 * NG_CAR_ACTION_MARK and NG_CAR_COLOR_AWARE.  See car.c for the
 * concurrency invariants and docs/nodes/car.md for the arithmetic.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "car_meter.h"

#define NS NGI_CAR_NS

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

uint64_t ngi_car_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

/* ---- token words ---------------------------------------------------------- */

/* Tokens produced by a rate from t0 until t0 + t: floor(rate * t / (f * 1e9)). */
static uint64_t tclock(uint64_t t, uint64_t rate, uint64_t f)
{
    return (t / NS * rate + t % NS * rate / NS) / f;
}

struct ngi_car_conf *ngi_car_conf_new(const struct ng_car_bulkconf *bc)
{
    struct ngi_car_conf *c = aligned_alloc(64, (sizeof(*c) + 63) & ~(size_t)63);
    if (!c)
        return NULL;
    memset(c, 0, sizeof(*c));
    uint64_t now = ngi_car_now();
    for (int d = 0; d < 2; d++) {
        struct ngi_car_dir *cd = &c->d[d];
        cd->hc = d == 0 ? bc->downstream : bc->upstream;
        cd->f = (cd->hc.opt & NG_CAR_COUNT_PACKETS) ? 1 : 8;
        cd->t0 = now;
        int64_t e = cd->hc.mode == NG_CAR_SINGLE_RATE || cd->hc.mode == NG_CAR_DOUBLE_RATE
                        ? (int64_t)cd->hc.ebs
                        : 0;
        atomic_init(&cd->last, 0);
        atomic_init(&cd->tok, ngi_tk_pack((int64_t)cd->hc.cbs, e));
    }
    return c;
}

void ngi_car_conf_free_deferred(struct ng_defer_entry *e)
{
    free((char *)e - offsetof(struct ngi_car_conf, defer));
}

/* Credit the buckets with the tokens produced since they were last
 * credited (see the header comment). */
void ngi_car_refill(struct ngi_car_dir *cd)
{
    const struct ng_car_hookconf *hc = &cd->hc;
    bool dbl = hc->mode == NG_CAR_DOUBLE_RATE;
    if (hc->cir == 0 && (!dbl || hc->pir == 0))
        return;
    uint64_t now = ngi_car_now();
    uint64_t t = now > cd->t0 ? now - cd->t0 : 0;
    uint64_t last = atomic_load_explicit(&cd->last, memory_order_relaxed);
    if (t <= last)
        return;
    uint64_t dc = tclock(t, hc->cir, cd->f) - tclock(last, hc->cir, cd->f);
    uint64_t dp = dbl ? tclock(t, hc->pir, cd->f) - tclock(last, hc->pir, cd->f) : 0;
    if ((dc == 0 && dp == 0) ||
        !atomic_compare_exchange_strong_explicit(&cd->last, &last, t, memory_order_relaxed,
                                                 memory_order_relaxed))
        return; /* nothing produced yet, or another thread credits this time */
    int64_t ac = (int64_t)(dc > NG_CAR_BURST_MAX * 2 ? NG_CAR_BURST_MAX * 2 : dc);
    int64_t ap = (int64_t)(dp > NG_CAR_BURST_MAX * 2 ? NG_CAR_BURST_MAX * 2 : dp);
    int64_t cbs = (int64_t)hc->cbs, ebs = (int64_t)hc->ebs;
    uint64_t w = atomic_load_explicit(&cd->tok, memory_order_relaxed), nw;
    do {
        int64_t c = ngi_tk_c(w) + ac, e = ngi_tk_e(w);
        if (hc->mode == NG_CAR_SINGLE_RATE && c > cbs)
            e = min64(ebs, e + (c - cbs)); /* the overflow of C fills E */
        else if (dbl)
            e = min64(ebs, e + ap);
        nw = ngi_tk_pack(min64(c, cbs), e);
    } while (!atomic_compare_exchange_weak_explicit(&cd->tok, &w, nw, memory_order_relaxed,
                                                    memory_order_relaxed));
}

/* Colour a packet of b tokens (pre: its colour for colour-aware meters)
 * and take its tokens: SINGLE_RATE, DOUBLE_RATE and RED modes. */
int ngi_car_meter(struct ngi_car_dir *cd, int64_t b, int pre)
{
    const struct ng_car_hookconf *hc = &cd->hc;
    int64_t ebs = (int64_t)hc->ebs;
    uint64_t w = atomic_load_explicit(&cd->tok, memory_order_relaxed), nw;
    int col;
    do {
        int64_t c = ngi_tk_c(w), e = ngi_tk_e(w);
        switch (hc->mode) {
        case NG_CAR_SINGLE_RATE: /* RFC 2697 */
            if (pre == NGI_COL_GREEN && c >= b)
                col = NGI_COL_GREEN, c -= b;
            else if (pre != NGI_COL_RED && e >= b)
                col = NGI_COL_YELLOW, e -= b;
            else
                return NGI_COL_RED;
            break;
        case NG_CAR_DOUBLE_RATE: /* RFC 2698: e is the peak bucket */
            if (pre == NGI_COL_RED || e < b)
                return NGI_COL_RED;
            if (pre == NGI_COL_YELLOW || c < b)
                col = NGI_COL_YELLOW, e -= b;
            else
                col = NGI_COL_GREEN, c -= b, e -= b;
            break;
        default: /* RED: e is Cisco's compounded debt */
            if (c >= b) {
                col = NGI_COL_GREEN, c -= b;
            } else if (b - (c - b) <= ebs && e + (b - c) < ebs) {
                /* (FreeBSD's first test: a packet whose cost plus the
                 * deficit it leaves passes ebs is red whatever the debt.) */
                col = NGI_COL_YELLOW, e += b - c, c -= b;
            } else {
                col = NGI_COL_RED, e = 0;
            }
            break;
        }
        nw = ngi_tk_pack(c, e);
    } while (!atomic_compare_exchange_weak_explicit(&cd->tok, &w, nw, memory_order_relaxed,
                                                    memory_order_relaxed));
    return col;
}

/* ---- DSCP (NG_CAR_ACTION_MARK, NG_CAR_COLOR_AWARE) ------------------------- */

/* Offset of the IPv4/IPv6 header in the frame and its version (4, 6);
 * -1 if the frame carries neither (or is cut short). */
static int ip_find(const uint8_t *d, uint32_t len, bool raw, int *ver)
{
    uint32_t off = 0;
    unsigned et = 0;
    if (!raw) {
        if (len < 14)
            return -1;
        et = (unsigned)d[12] << 8 | d[13];
        off = 14;
        for (int tags = 0; tags < 2 && (et == 0x8100 || et == 0x88a8); tags++) {
            if (len < off + 4)
                return -1;
            et = (unsigned)d[off + 2] << 8 | d[off + 3];
            off += 4;
        }
    }
    if (len <= off)
        return -1;
    unsigned v = d[off] >> 4;
    if ((raw && v == 4) || et == 0x0800) {
        if (v != 4 || (d[off] & 0x0f) < 5 || len < off + (d[off] & 0x0fu) * 4)
            return -1;
        *ver = 4;
    } else if ((raw && v == 6) || et == 0x86dd) {
        if (v != 6 || len < off + 40)
            return -1;
        *ver = 6;
    } else {
        return -1;
    }
    return (int)off;
}

static unsigned ip_dscp(const uint8_t *h, int ver)
{
    return ver == 4 ? h[1] >> 2 : (unsigned)(((h[0] & 0x0f) << 4 | h[1] >> 4) >> 2);
}

/* The AF class of a DSCP (1..4), 0 if it is not an AF codepoint. */
static unsigned af_class(unsigned dscp)
{
    unsigned cls = dscp >> 3, prec = dscp & 7;
    return cls >= 1 && cls <= 4 && (prec == 2 || prec == 4 || prec == 6) ? cls : 0;
}

/* A packet's colour as its DSCP says (colour-aware meters). */
int ngi_car_precolour(struct ng_item *item, bool raw)
{
    int ver;
    const uint8_t *d = ng_item_data(item);
    int off = ip_find(d, ng_item_len(item), raw, &ver);
    if (off < 0)
        return NGI_COL_GREEN;
    unsigned dscp = ip_dscp(d + off, ver);
    return af_class(dscp) ? (int)((dscp & 7) / 2 - 1) : NGI_COL_GREEN;
}

/* Write colour col into the packet's DSCP as AF drop precedence (IPv4:
 * header checksum updated incrementally, RFC 1624).  false: not IP. */
bool ngi_car_mark(struct ng_item *item, int col, bool raw)
{
    int ver;
    uint8_t *d = ng_item_data(item);
    int off = ip_find(d, ng_item_len(item), raw, &ver);
    if (off < 0)
        return false;
    uint8_t *h = d + off;
    unsigned old = ip_dscp(h, ver), cls = af_class(old);
    unsigned dscp = NG_CAR_DSCP_AF(cls ? cls : 1u, (unsigned)col + 1);
    if (ver == 4) {
        uint16_t m = (uint16_t)(h[0] << 8 | h[1]);
        h[1] = (uint8_t)(dscp << 2 | (h[1] & 3u));
        uint16_t m2 = (uint16_t)(h[0] << 8 | h[1]);
        uint32_t sum = (uint16_t) ~(h[10] << 8 | h[11]);
        sum += (uint16_t)~m + m2;
        sum = (sum & 0xffff) + (sum >> 16);
        sum = (sum & 0xffff) + (sum >> 16);
        uint16_t hc = (uint16_t)~sum;
        h[10] = (uint8_t)(hc >> 8);
        h[11] = (uint8_t)hc;
    } else {
        unsigned tc = dscp << 2 | ((h[1] >> 4) & 3u);
        h[0] = (uint8_t)(0x60 | tc >> 4);
        h[1] = (uint8_t)((tc & 0x0f) << 4 | (h[1] & 0x0f));
    }
    return true;
}
