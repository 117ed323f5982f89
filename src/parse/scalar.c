/*
 * scalar.c - the predefined leaf types: integers, strings, fixed and sized
 * strings, byte arrays, IPv4 and Ethernet addresses.
 */
#include <stdio.h>
#include <stdlib.h>

#include "text.h"

/* The word token at *off, copied NUL-terminated into w (at most wlen - 1
 * bytes): 0, or -EINVAL with *off at the token. */
static int get_word(const char *s, size_t *off, char *w, size_t wlen)
{
    size_t ts, tl;
    enum ngi_tok k = ngi_tok_next(s, *off, &ts, &tl);
    if (k != NGI_TOK_WORD || tl >= wlen) {
        *off = ts;
        return -EINVAL;
    }
    memcpy(w, s + ts, tl);
    w[tl] = '\0';
    *off = ts + tl;
    return 0;
}

/* The string token at *off, decoded (caller frees *out). */
static int get_string(const char *s, size_t *off, char **out, size_t *outlen)
{
    size_t ts, tl;
    if (ngi_tok_next(s, *off, &ts, &tl) != NGI_TOK_STRING) {
        *off = ts;
        return -EINVAL;
    }
    int rc = ngi_str_decode(s, ts, tl, out, outlen);
    *off = rc ? ts : ts + tl;
    return rc;
}

static int need(size_t datalen, size_t off, size_t n)
{
    return datalen < off || datalen - off < n ? -EMSGSIZE : 0;
}

/* The string-valued types share one parse: a string token, decoded, stored
 * as a NUL-terminated string (STR_NUL), in a zero-filled buffer of `size`
 * bytes (STR_FIXED, NUL included; STR_BYTES, no NUL needed) or after a
 * uint16 length (STR_SIZED). */
enum str_kind { STR_NUL, STR_FIXED, STR_SIZED, STR_BYTES };

static int parse_strlike(const char *s, size_t *off, enum str_kind k, size_t size, uint8_t *buf,
                         size_t *buflen)
{
    size_t ts, tl, n;
    char *str;
    ngi_tok_next(s, *off, &ts, &tl);
    int rc = get_string(s, off, &str, &n);
    if (rc)
        return rc;
    size_t out = k == STR_NUL ? n + 1 : k == STR_SIZED ? n + 2 : size;
    if ((k == STR_NUL || k == STR_FIXED) && strlen(str) != n)
        rc = -EINVAL; /* an embedded NUL would not survive a round trip */
    else if ((k == STR_FIXED && n >= size) || (k == STR_BYTES && n > size) ||
             (k == STR_SIZED && n > UINT16_MAX))
        rc = -E2BIG;
    else if (*buflen < out)
        rc = -ERANGE;
    if (rc) {
        *off = ts;
    } else {
        uint16_t len16 = (uint16_t)n;
        memset(buf, 0, out);
        if (k == STR_SIZED)
            memcpy(buf, &len16, 2);
        memcpy(buf + (k == STR_SIZED ? 2 : 0), str, n);
        *buflen = out;
    }
    free(str);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Integers                                                                 */
/* ------------------------------------------------------------------------ */

struct int_info {
    uint8_t size;
    char fmt; /* 'd' signed, 'u' unsigned, 'x' hex */
};

static const struct int_info *int_info(const struct ng_parse_type *t) { return ng_parse_info(t); }

static int int_parse(const struct ng_parse_type *type, const char *s, size_t *off,
                     const uint8_t *start, uint8_t *buf, size_t *buflen)
{
    (void)start;
    const struct int_info *ii = int_info(type);
    size_t tok = *off, ts, tl;
    char w[72], *end;
    ngi_tok_next(s, tok, &ts, &tl);
    int rc = get_word(s, off, w, sizeof(w));
    if (rc)
        return rc;
    if (*buflen < ii->size) {
        *off = ts;
        return -ERANGE;
    }
    errno = 0;
    uint64_t u;
    bool neg = w[0] == '-';
    if (neg) {
        long long v = strtoll(w, &end, 0);
        u = (uint64_t)v;
        /* int8/16 take -2^(n-1) .. 2^n - 1, as FreeBSD's; so do 32 and 64 */
        if (ii->size < 8 && v < -(1ll << (ii->size * 8 - 1)))
            errno = ERANGE;
    } else {
        u = strtoull(w, &end, 0);
        if (ii->size < 8 && u >> (ii->size * 8))
            errno = ERANGE;
    }
    if (errno || end == w || *end || (!neg && w[0] == '+')) {
        *off = ts;
        return -EINVAL;
    }
    uint8_t v8 = (uint8_t)u;
    uint16_t v16 = (uint16_t)u;
    uint32_t v32 = (uint32_t)u;
    memcpy(buf,
           ii->size == 1   ? (void *)&v8
           : ii->size == 2 ? (void *)&v16
           : ii->size == 4 ? (void *)&v32
                           : (void *)&u,
           ii->size);
    *buflen = ii->size;
    return 0;
}

static int int_unparse(const struct ng_parse_type *type, const uint8_t *start, size_t datalen,
                       size_t *off, char *cbuf, size_t cbuflen)
{
    const struct int_info *ii = int_info(type);
    int rc = need(datalen, *off, ii->size);
    if (rc)
        return rc;
    uint64_t u = 0;
    int64_t v = 0;
    const uint8_t *p = start + *off;
    switch (ii->size) {
    case 1:
        u = p[0];
        v = (int8_t)p[0];
        break;
    case 2: {
        uint16_t x;
        memcpy(&x, p, 2);
        u = x;
        v = (int16_t)x;
        break;
    }
    case 4: {
        uint32_t x;
        memcpy(&x, p, 4);
        u = x;
        v = (int32_t)x;
        break;
    }
    default:
        memcpy(&u, p, 8);
        v = (int64_t)u;
        break;
    }
    *off += ii->size;
    if (ii->fmt == 'd')
        return ngi_out(cbuf, cbuflen, "%lld", (long long)v);
    return ngi_out(cbuf, cbuflen, ii->fmt == 'u' ? "%llu" : "0x%llx", (unsigned long long)u);
}

static int zero_default(size_t n, uint8_t *buf, size_t *buflen)
{
    if (*buflen < n)
        return -ERANGE;
    memset(buf, 0, n);
    *buflen = n;
    return 0;
}

static int int_default(const struct ng_parse_type *type, const uint8_t *start, uint8_t *buf,
                       size_t *buflen)
{
    (void)start;
    return zero_default(int_info(type)->size, buf, buflen);
}

static int int_align(const struct ng_parse_type *type) { return int_info(type)->size; }

#define INT_TYPES(bits, bytes)                                                                     \
    static const struct int_info d##bits = {bytes, 'd'}, u##bits = {bytes, 'u'},                   \
                                 x##bits = {bytes, 'x'};                                           \
    const struct ng_parse_type ng_parse_int##bits##_type = {                                       \
        NULL, &d##bits, NULL, int_parse, int_unparse, int_default, int_align};                     \
    const struct ng_parse_type ng_parse_uint##bits##_type = {                                      \
        &ng_parse_int##bits##_type, &u##bits, NULL, NULL, NULL, NULL, NULL};                       \
    const struct ng_parse_type ng_parse_hint##bits##_type = {                                      \
        &ng_parse_int##bits##_type, &x##bits, NULL, NULL, NULL, NULL, NULL};
INT_TYPES(8, 1)
INT_TYPES(16, 2)
INT_TYPES(32, 4)
INT_TYPES(64, 8)
#undef INT_TYPES

/* ------------------------------------------------------------------------ */
/* Strings                                                                  */
/* ------------------------------------------------------------------------ */

static int string_parse(const struct ng_parse_type *type, const char *s, size_t *off,
                        const uint8_t *start, uint8_t *buf, size_t *buflen)
{
    (void)type;
    (void)start;
    return parse_strlike(s, off, STR_NUL, 0, buf, buflen);
}

static int string_unparse(const struct ng_parse_type *type, const uint8_t *start, size_t datalen,
                          size_t *off, char *cbuf, size_t cbuflen)
{
    (void)type;
    if (*off > datalen)
        return -EMSGSIZE;
    const uint8_t *p = start + *off, *nul = memchr(p, 0, datalen - *off);
    if (!nul)
        return -EMSGSIZE;
    *off += (size_t)(nul - p) + 1;
    return ngi_str_encode(p, (size_t)(nul - p), cbuf, cbuflen);
}

static int string_default(const struct ng_parse_type *type, const uint8_t *start, uint8_t *buf,
                          size_t *buflen)
{
    (void)type;
    (void)start;
    return zero_default(1, buf, buflen);
}

const struct ng_parse_type ng_parse_string_type = {
    NULL, NULL, NULL, string_parse, string_unparse, string_default, NULL};

static size_t fixed_size(const struct ng_parse_type *type)
{
    const struct ng_parse_fixedstring_info *fi = ng_parse_info(type);
    return fi && fi->bufsize > 0 ? (size_t)fi->bufsize : 1;
}

static int fixed_parse(const struct ng_parse_type *type, const char *s, size_t *off,
                       const uint8_t *start, uint8_t *buf, size_t *buflen)
{
    (void)start;
    return parse_strlike(s, off, STR_FIXED, fixed_size(type), buf, buflen);
}

static int fixed_unparse(const struct ng_parse_type *type, const uint8_t *start, size_t datalen,
                         size_t *off, char *cbuf, size_t cbuflen)
{
    size_t size = fixed_size(type);
    int rc = need(datalen, *off, size);
    if (rc)
        return rc;
    const uint8_t *p = start + *off;
    *off += size;
    return ngi_str_encode(p, strnlen((const char *)p, size), cbuf, cbuflen);
}

static int fixed_default(const struct ng_parse_type *type, const uint8_t *start, uint8_t *buf,
                         size_t *buflen)
{
    (void)start;
    return zero_default(fixed_size(type), buf, buflen);
}

const struct ng_parse_type ng_parse_fixedstring_type = {
    NULL, NULL, NULL, fixed_parse, fixed_unparse, fixed_default, NULL};

#define FIXED_BUF(name, size)                                                                      \
    static const struct ng_parse_fixedstring_info name##_info = {size};                            \
    const struct ng_parse_type ng_parse_##name##_type = {                                          \
        &ng_parse_fixedstring_type, &name##_info, NULL, NULL, NULL, NULL, NULL};
FIXED_BUF(nodebuf, NG_NODESIZ)
FIXED_BUF(hookbuf, NG_HOOKSIZ)
FIXED_BUF(typebuf, NG_TYPESIZ)
FIXED_BUF(pathbuf, NG_PATHSIZ)
FIXED_BUF(cmdbuf, NG_CMDSTRSIZ)
#undef FIXED_BUF

static int sized_parse(const struct ng_parse_type *type, const char *s, size_t *off,
                       const uint8_t *start, uint8_t *buf, size_t *buflen)
{
    (void)type;
    (void)start;
    return parse_strlike(s, off, STR_SIZED, 0, buf, buflen);
}

static int sized_unparse(const struct ng_parse_type *type, const uint8_t *start, size_t datalen,
                         size_t *off, char *cbuf, size_t cbuflen)
{
    (void)type;
    uint16_t len;
    int rc = need(datalen, *off, 2);
    if (rc)
        return rc;
    memcpy(&len, start + *off, 2);
    if ((rc = need(datalen, *off + 2, len)) != 0)
        return rc;
    const uint8_t *p = start + *off + 2;
    *off += 2u + len;
    return ngi_str_encode(p, len, cbuf, cbuflen);
}

static int sized_default(const struct ng_parse_type *type, const uint8_t *start, uint8_t *buf,
                         size_t *buflen)
{
    (void)type;
    (void)start;
    return zero_default(2, buf, buflen);
}

static int align2(const struct ng_parse_type *type)
{
    (void)type;
    return 2;
}

const struct ng_parse_type ng_parse_sizedstring_type = {
    NULL, NULL, NULL, sized_parse, sized_unparse, sized_default, align2};

/* ------------------------------------------------------------------------ */
/* Byte arrays: a fixed array of hint8 whose length comes from info         */
/* ------------------------------------------------------------------------ */

/* The array view of a byte array of n bytes (on the caller's stack). */
static void bytes_view(struct ng_parse_type *t, struct ng_parse_fixedarray_info *fi, int n)
{
    fi->element_type = &ng_parse_hint8_type;
    fi->length = n;
    memset(t, 0, sizeof(*t));
    t->supertype = &ng_parse_fixedarray_type;
    t->info = fi;
}

static int bytes_len(const struct ng_parse_type *type, const uint8_t *start, const uint8_t *buf)
{
    const struct ng_parse_bytearray_info *bi = ng_parse_info(type);
    return bi && bi->getlength ? bi->getlength(type, start, buf) : -EINVAL;
}

static int bytes_parse(const struct ng_parse_type *type, const char *s, size_t *off,
                       const uint8_t *start, uint8_t *buf, size_t *buflen)
{
    int n = bytes_len(type, start, buf);
    size_t ts, tl;
    if (n < 0)
        return -EINVAL;
    if (ngi_tok_next(s, *off, &ts, &tl) == NGI_TOK_STRING)
        return parse_strlike(s, off, STR_BYTES, (size_t)n, buf, buflen);
    struct ng_parse_type t;
    struct ng_parse_fixedarray_info fi;
    bytes_view(&t, &fi, n);
    return ngi_comp_parse(&t, s, off, start, buf, buflen);
}

static int bytes_unparse(const struct ng_parse_type *type, const uint8_t *start, size_t datalen,
                         size_t *off, char *cbuf, size_t cbuflen)
{
    int n = *off <= datalen ? bytes_len(type, start, start + *off) : -EMSGSIZE;
    if (n < 0)
        return n == -EMSGSIZE ? n : -EINVAL;
    struct ng_parse_type t;
    struct ng_parse_fixedarray_info fi;
    bytes_view(&t, &fi, n);
    return ngi_comp_unparse(&t, start, datalen, off, cbuf, cbuflen);
}

static int bytes_default(const struct ng_parse_type *type, const uint8_t *start, uint8_t *buf,
                         size_t *buflen)
{
    int n = bytes_len(type, start, buf);
    return n < 0 ? -EINVAL : zero_default((size_t)n, buf, buflen);
}

const struct ng_parse_type ng_parse_bytearray_type = {
    NULL, NULL, NULL, bytes_parse, bytes_unparse, bytes_default, NULL};

/* ------------------------------------------------------------------------ */
/* Addresses                                                                */
/* ------------------------------------------------------------------------ */

/* Split w into `n` numbers separated by `sep`, each of 1..maxdig digits of
 * `base` and at most 255. */
static int split_bytes(const char *w, char sep, int base, int maxdig, uint8_t *out, int n)
{
    for (int i = 0; i < n; i++) {
        int v = 0, d = 0;
        while (d < maxdig + 1 && *w && *w != sep) {
            int x = (*w >= '0' && *w <= '9') ? *w - '0'
                    : base == 16 && ((*w | 0x20) >= 'a' && (*w | 0x20) <= 'f')
                        ? (*w | 0x20) - 'a' + 10
                        : -1;
            if (x < 0)
                return -EINVAL;
            v = v * base + x;
            d++;
            w++;
        }
        if (d == 0 || d > maxdig || v > 255)
            return -EINVAL;
        out[i] = (uint8_t)v;
        if (i < n - 1 && *w++ != sep)
            return -EINVAL;
    }
    return *w ? -EINVAL : 0;
}

static int addr_parse(const char *s, size_t *off, uint8_t *buf, size_t *buflen, bool ip)
{
    size_t ts, tl, n = ip ? 4 : 6;
    char w[32];
    ngi_tok_next(s, *off, &ts, &tl);
    int rc = get_word(s, off, w, sizeof(w));
    if (rc)
        return rc;
    uint8_t a[6];
    rc = ip ? split_bytes(w, '.', 10, 3, a, 4) : split_bytes(w, ':', 16, 2, a, 6);
    if (rc == 0 && *buflen < n)
        rc = -ERANGE;
    if (rc) {
        *off = ts;
        return rc;
    }
    memcpy(buf, a, n);
    *buflen = n;
    return 0;
}

static int ip_parse(const struct ng_parse_type *type, const char *s, size_t *off,
                    const uint8_t *start, uint8_t *buf, size_t *buflen)
{
    (void)type;
    (void)start;
    return addr_parse(s, off, buf, buflen, true);
}

static int ip_unparse(const struct ng_parse_type *type, const uint8_t *start, size_t datalen,
                      size_t *off, char *cbuf, size_t cbuflen)
{
    (void)type;
    int rc = need(datalen, *off, 4);
    if (rc)
        return rc;
    const uint8_t *p = start + *off;
    *off += 4;
    return ngi_out(cbuf, cbuflen, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
}

static int ip_default(const struct ng_parse_type *type, const uint8_t *start, uint8_t *buf,
                      size_t *buflen)
{
    (void)type;
    (void)start;
    return zero_default(4, buf, buflen);
}

static int align4(const struct ng_parse_type *type)
{
    (void)type;
    return 4;
}

const struct ng_parse_type ng_parse_ipaddr_type = {NULL,       NULL,       NULL,  ip_parse,
                                                   ip_unparse, ip_default, align4};

static int en_parse(const struct ng_parse_type *type, const char *s, size_t *off,
                    const uint8_t *start, uint8_t *buf, size_t *buflen)
{
    (void)type;
    (void)start;
    return addr_parse(s, off, buf, buflen, false);
}

static int en_unparse(const struct ng_parse_type *type, const uint8_t *start, size_t datalen,
                      size_t *off, char *cbuf, size_t cbuflen)
{
    (void)type;
    int rc = need(datalen, *off, 6);
    if (rc)
        return rc;
    const uint8_t *p = start + *off;
    *off += 6;
    return ngi_out(cbuf, cbuflen, "%02x:%02x:%02x:%02x:%02x:%02x", p[0], p[1], p[2], p[3], p[4],
                   p[5]);
}

/* No getdefault: an Ethernet address must be given (FreeBSD's rule). */
const struct ng_parse_type ng_parse_enaddr_type = {NULL,       NULL, NULL, en_parse,
                                                   en_unparse, NULL, NULL};
