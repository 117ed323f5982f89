/*
 * parse.c - the "ksocket" node type's text forms (FreeBSD's ng_ksocket):
 * hook names "family/type/proto", and the parse types of struct sockaddr
 * (inet/192.0.2.1:5000, inet6/[2001:db8::1]:5000, local/"/path", or the
 * generic { len=16 family=2 data=[...] }), struct ng_ksocket_sockopt and
 * struct ng_ksocket_accept.  The binary sockaddr is Linux's (a 16-bit
 * family first); the generic form keeps FreeBSD's fields, len being the
 * whole address's length in bytes.  Pure functions: no graph involved.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include <ngraph/nodes/ksocket.h>

#include "ksocket_int.h"

/* ---- hook names ---------------------------------------------------------- */

struct ks_alias {
    const char *name;
    int value;
    int family; /* protocols: 0 = any IP family */
};

static const struct ks_alias ks_families[] = {
    {"local", AF_UNIX, 0},  {"unix", AF_UNIX, 0}, {"inet", AF_INET, 0},
    {"inet6", AF_INET6, 0}, {NULL, -1, 0},
};
static const struct ks_alias ks_types[] = {
    {"stream", SOCK_STREAM, 0}, {"dgram", SOCK_DGRAM, 0},         {"raw", SOCK_RAW, 0},
    {"rdm", SOCK_RDM, 0},       {"seqpacket", SOCK_SEQPACKET, 0}, {NULL, -1, 0},
};
static const struct ks_alias ks_protos[] = {
    {"ip", IPPROTO_IP, 0},
    {"raw", IPPROTO_IP, 0},
    {"icmp", IPPROTO_ICMP, AF_INET},
    {"icmp6", IPPROTO_ICMPV6, AF_INET6},
    {"igmp", IPPROTO_IGMP, AF_INET},
    {"tcp", IPPROTO_TCP, 0},
    {"udp", IPPROTO_UDP, 0},
    {"gre", IPPROTO_GRE, 0},
    {"esp", IPPROTO_ESP, 0},
    {"ah", IPPROTO_AH, 0},
    {"encap", IPPROTO_IPIP, 0},
    {"sctp", IPPROTO_SCTP, 0},
    {NULL, -1, 0},
};

/* An alias (for protocols: one valid for family) or a decimal number. */
static int ks_lookup(const struct ks_alias *a, const char *s, int family)
{
    if (!*s)
        return -1;
    for (; a->name; a++)
        if (strcmp(a->name, s) == 0 && (a->family == 0 || a->family == family) &&
            (family != AF_UNIX || a->value == 0))
            return a->value;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || errno || v > 0x7fffffff || !isdigit((unsigned char)*s))
        return -1;
    return (int)v;
}

int ngi_ksock_parse_hook(const char *name, int *family, int *type, int *proto)
{
    char buf[NG_HOOKSIZ], *t1, *t2;
    if (!name || strlen(name) >= sizeof(buf))
        return -EINVAL;
    memcpy(buf, name, strlen(name) + 1);
    if (!(t1 = strchr(buf, '/')))
        return -EINVAL;
    *t1++ = '\0';
    if (!(t2 = strchr(t1, '/')))
        return -EINVAL;
    *t2++ = '\0';
    int f = ks_lookup(ks_families, buf, 0), t = ks_lookup(ks_types, t1, 0);
    if (f < 0 || t < 0)
        return -EINVAL;
    int p = ks_lookup(ks_protos, t2, f);
    if (p < 0)
        return -EINVAL;
    *family = f;
    *type = t;
    *proto = p;
    return 0;
}

/* ---- struct sockaddr ----------------------------------------------------- */

/* Bytes of the address a parse produced last on this thread (the wrappers
 * below trim their struct's trailing padding with it). */
static _Thread_local size_t ks_last_len;

/* The generic form parses into FreeBSD's layout (len, family, data). */
static int ks_gen_data_len(const struct ng_parse_type *type, const uint8_t *start,
                           const uint8_t *buf)
{
    (void)type;
    (void)start;
    unsigned len = buf[-2];
    return len < 2 ? 0 : (int)len - 2;
}
static const struct ng_parse_bytearray_info ks_gen_data_info = {ks_gen_data_len};
static const struct ng_parse_type ks_gen_data_type = {
    &ng_parse_bytearray_type, &ks_gen_data_info, NULL, NULL, NULL, NULL, NULL};
static const struct ng_parse_struct_field ks_gen_fields[] = {
    {"len", &ng_parse_uint8_type, 0},
    {"family", &ng_parse_uint8_type, 0},
    {"data", &ks_gen_data_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type ks_gen_type = {
    &ng_parse_struct_type, ks_gen_fields, NULL, NULL, NULL, NULL, NULL};

static int ks_parse_generic(const char *s, size_t *off, uint8_t *buf, size_t *buflen)
{
    uint8_t scratch[258];
    size_t sl = sizeof(scratch);
    ng_parse_fn *fn = ng_parse_method_parse(&ng_parse_struct_type);
    int rc = fn(&ks_gen_type, s, off, scratch, scratch, &sl);
    if (rc)
        return rc;
    size_t len = scratch[0] < 2 ? 2 : scratch[0];
    if (*buflen < len)
        return -ERANGE;
    uint16_t fam = scratch[1];
    memcpy(buf, &fam, sizeof(fam));
    memcpy(buf + 2, scratch + 2, len - 2);
    *buflen = len;
    return 0;
}

/* Decimal number of at most max at s + *off. */
static int ks_number(const char *s, size_t *off, unsigned long max, unsigned long *v)
{
    char *end;
    if (!isdigit((unsigned char)s[*off]))
        return -EINVAL;
    errno = 0;
    *v = strtoul(s + *off, &end, 10);
    if (errno || *v > max)
        return -EINVAL;
    *off = (size_t)(end - s);
    return 0;
}

/* The end of a word (whitespace, a brace or bracket, or the end). */
static size_t ks_word_end(const char *s, size_t o)
{
    while (s[o] && !isspace((unsigned char)s[o]) && !strchr("{}=\"", s[o]))
        o++;
    return o;
}

static int ks_parse_inet(const char *s, size_t *off, uint8_t *buf, size_t *buflen)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    uint8_t *a = (uint8_t *)&sin.sin_addr;
    for (int i = 0; i < 4; i++) {
        unsigned long v;
        if (ks_number(s, off, 255, &v))
            return -EINVAL;
        a[i] = (uint8_t)v;
        if (i < 3 && s[(*off)++] != '.')
            return -EINVAL;
    }
    if (s[*off] == ':') {
        unsigned long v;
        (*off)++;
        if (ks_number(s, off, 65535, &v))
            return -EINVAL;
        sin.sin_port = htons((uint16_t)v);
    }
    if (ks_word_end(s, *off) != *off)
        return -EINVAL;
    if (*buflen < sizeof(sin))
        return -ERANGE;
    memcpy(buf, &sin, sizeof(sin));
    *buflen = sizeof(sin);
    return 0;
}

static int ks_parse_inet6(const char *s, size_t *off, uint8_t *buf, size_t *buflen)
{
    struct sockaddr_in6 sin6;
    memset(&sin6, 0, sizeof(sin6));
    sin6.sin6_family = AF_INET6;
    char text[INET6_ADDRSTRLEN + 16];
    size_t o = *off, e;
    int bracket = s[o] == '[';
    if (bracket) {
        const char *close = strchr(s + o, ']');
        if (!close)
            return -EINVAL;
        e = (size_t)(close - s);
        o++;
    } else {
        e = ks_word_end(s, o);
    }
    if (e - o == 0 || e - o >= sizeof(text))
        return -EINVAL;
    memcpy(text, s + o, e - o);
    text[e - o] = '\0';
    char *pct = strchr(text, '%');
    if (pct) {
        char *end;
        *pct++ = '\0';
        errno = 0;
        unsigned long sc = strtoul(pct, &end, 10);
        if (!isdigit((unsigned char)*pct) || *end || errno || sc > 0xffffffffu)
            return -EINVAL;
        sin6.sin6_scope_id = (uint32_t)sc;
    }
    if (inet_pton(AF_INET6, text, &sin6.sin6_addr) != 1)
        return -EINVAL;
    *off = bracket ? e + 1 : e;
    if (bracket && s[*off] == ':') {
        unsigned long v;
        (*off)++;
        if (ks_number(s, off, 65535, &v))
            return -EINVAL;
        sin6.sin6_port = htons((uint16_t)v);
    }
    if (ks_word_end(s, *off) != *off)
        return -EINVAL;
    if (*buflen < sizeof(sin6))
        return -ERANGE;
    memcpy(buf, &sin6, sizeof(sin6));
    *buflen = sizeof(sin6);
    return 0;
}

static int ks_parse_local(const char *s, size_t *off, uint8_t *buf, size_t *buflen)
{
    char path[512];
    size_t pl = sizeof(path);
    struct sockaddr_un sun;
    ng_parse_fn *fn = ng_parse_method_parse(&ng_parse_string_type);
    if (s[*off] != '"')
        return -EINVAL;
    int rc = fn(&ng_parse_string_type, s, off, (const uint8_t *)path, (uint8_t *)path, &pl);
    if (rc)
        return rc == -ERANGE ? -E2BIG : rc;
    size_t n = strnlen(path, pl);
    if (n >= sizeof(sun.sun_path))
        return -E2BIG;
    size_t len = offsetof(struct sockaddr_un, sun_path) + n + 1;
    if (*buflen < len)
        return -ERANGE;
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, path, n);
    memcpy(buf, &sun, len);
    *buflen = len;
    return 0;
}

static int ks_sa_parse(const struct ng_parse_type *type, const char *s, size_t *off,
                       const uint8_t *start, uint8_t *buf, size_t *buflen)
{
    (void)type;
    (void)start;
    while (isspace((unsigned char)s[*off]))
        (*off)++;
    int rc;
    if (s[*off] == '{') {
        rc = ks_parse_generic(s, off, buf, buflen);
    } else {
        size_t o = *off;
        char fam[16];
        while (isalnum((unsigned char)s[o]))
            o++;
        if (s[o] != '/' || o - *off >= sizeof(fam))
            return -EINVAL;
        memcpy(fam, s + *off, o - *off);
        fam[o - *off] = '\0';
        int f = ks_lookup(ks_families, fam, 0);
        o++;
        if (f == AF_INET)
            rc = ks_parse_inet(s, &o, buf, buflen);
        else if (f == AF_INET6)
            rc = ks_parse_inet6(s, &o, buf, buflen);
        else if (f == AF_UNIX)
            rc = ks_parse_local(s, &o, buf, buflen);
        else
            rc = -EINVAL;
        if (rc == 0)
            *off = o;
    }
    if (rc == 0)
        ks_last_len = *buflen;
    return rc;
}

/* Append the text t (NUL-terminated) at cbuf + *len. */
static int ks_put(char *cbuf, size_t cbuflen, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int ks_put(char *cbuf, size_t cbuflen, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cbuf + *len, cbuflen - *len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cbuflen - *len)
        return -ERANGE;
    *len += (size_t)n;
    return 0;
}

static int ks_sa_unparse(const struct ng_parse_type *type, const uint8_t *start, size_t datalen,
                         size_t *off, char *cbuf, size_t cbuflen)
{
    (void)type;
    if (*off > datalen || datalen - *off < 2)
        return -EMSGSIZE;
    if (cbuflen == 0)
        return -ERANGE;
    const uint8_t *p = start + *off;
    size_t rem = datalen - *off, len = 0;
    uint16_t fam;
    memcpy(&fam, p, sizeof(fam));
    int rc;
    if (fam == AF_INET && rem >= sizeof(struct sockaddr_in)) {
        struct sockaddr_in sin;
        memcpy(&sin, p, sizeof(sin));
        const uint8_t *a = (const uint8_t *)&sin.sin_addr;
        rc = ks_put(cbuf, cbuflen, &len, "inet/%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
        if (rc == 0 && sin.sin_port)
            rc = ks_put(cbuf, cbuflen, &len, ":%u", (unsigned)ntohs(sin.sin_port));
        *off += sizeof(sin);
    } else if (fam == AF_INET6 && rem >= sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 sin6;
        char t[INET6_ADDRSTRLEN];
        memcpy(&sin6, p, sizeof(sin6));
        inet_ntop(AF_INET6, &sin6.sin6_addr, t, sizeof(t));
        rc = ks_put(cbuf, cbuflen, &len, "inet6/[%s", t);
        if (rc == 0 && sin6.sin6_scope_id)
            rc = ks_put(cbuf, cbuflen, &len, "%%%u", (unsigned)sin6.sin6_scope_id);
        if (rc == 0)
            rc = ks_put(cbuf, cbuflen, &len, "]");
        if (rc == 0 && sin6.sin6_port)
            rc = ks_put(cbuf, cbuflen, &len, ":%u", (unsigned)ntohs(sin6.sin6_port));
        *off += sizeof(sin6);
    } else if (fam == AF_UNIX) {
        char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
        size_t n = rem - 2 < sizeof(path) - 1 ? rem - 2 : sizeof(path) - 1;
        memcpy(path, p + 2, n);
        path[n] = '\0';
        rc = ks_put(cbuf, cbuflen, &len, "local/");
        if (rc == 0) {
            int r = ng_unparse(&ng_parse_string_type, path, strlen(path) + 1, cbuf + len,
                               cbuflen - len);
            rc = r < 0 ? r : 0;
            len += r > 0 ? (size_t)r : 0;
        }
        *off = datalen;
    } else {
        /* Generic: FreeBSD's { len family data } over a scratch copy. */
        uint8_t scratch[256];
        size_t n = rem > 255 ? 255 : rem;
        if (fam > 255)
            return -EINVAL;
        scratch[0] = (uint8_t)n;
        scratch[1] = (uint8_t)fam;
        memcpy(scratch + 2, p + 2, n - 2);
        size_t o = 0;
        ng_unparse_fn *fn = ng_parse_method_unparse(&ng_parse_struct_type);
        int r = fn(&ks_gen_type, scratch, n, &o, cbuf, cbuflen);
        if (r < 0)
            return r;
        *off = datalen;
        return r;
    }
    return rc < 0 ? rc : (int)len;
}

static int ks_sa_align(const struct ng_parse_type *type)
{
    (void)type;
    return 2; /* C's alignment of struct sockaddr */
}

const struct ng_parse_type ngi_ksock_sockaddr_type = {NULL,          NULL, NULL,       ks_sa_parse,
                                                      ks_sa_unparse, NULL, ks_sa_align};

/* ---- struct ng_ksocket_sockopt --------------------------------------------- */

/* The value: every byte written out ([ 0x1 0x0 0x0 0x0 ]), so its length
 * survives the round trip; parse takes elements "v" or "index=v". */
static int ks_val_parse(const struct ng_parse_type *type, const char *s, size_t *off,
                        const uint8_t *start, uint8_t *buf, size_t *buflen)
{
    (void)type;
    (void)start;
    size_t o = *off, n = 0, next = 0;
    while (isspace((unsigned char)s[o]))
        o++;
    if (s[o++] != '[') {
        *off = o - 1;
        return -EINVAL;
    }
    for (;;) {
        while (isspace((unsigned char)s[o]))
            o++;
        if (s[o] == ']')
            break;
        char *end;
        errno = 0;
        unsigned long v = strtoul(s + o, &end, 0);
        if (end == s + o || errno) {
            *off = o;
            return -EINVAL;
        }
        size_t vo = (size_t)(end - s);
        if (s[vo] == '=') {
            if (v >= NG_KSOCKET_MAX_OPTLEN) {
                *off = o;
                return -E2BIG;
            }
            next = v;
            o = vo + 1;
            errno = 0;
            v = strtoul(s + o, &end, 0);
            if (end == s + o || errno) {
                *off = o;
                return -EINVAL;
            }
            vo = (size_t)(end - s);
        }
        if (v > 255 || (s[vo] && !isspace((unsigned char)s[vo]) && s[vo] != ']')) {
            *off = o;
            return -EINVAL;
        }
        if (next >= NG_KSOCKET_MAX_OPTLEN) {
            *off = o;
            return -E2BIG;
        }
        if (next >= *buflen)
            return -ERANGE;
        while (n < next)
            buf[n++] = 0;
        buf[next++] = (uint8_t)v;
        if (next > n)
            n = next;
        o = vo;
    }
    *off = o + 1;
    *buflen = n;
    ks_last_len = n;
    return 0;
}

static int ks_val_unparse(const struct ng_parse_type *type, const uint8_t *start, size_t datalen,
                          size_t *off, char *cbuf, size_t cbuflen)
{
    (void)type;
    size_t len = 0;
    if (*off > datalen)
        return -EMSGSIZE;
    if (cbuflen == 0)
        return -ERANGE;
    int rc = ks_put(cbuf, cbuflen, &len, "[");
    for (size_t i = *off; rc == 0 && i < datalen; i++)
        rc = ks_put(cbuf, cbuflen, &len, " 0x%x", start[i]);
    if (rc == 0)
        rc = ks_put(cbuf, cbuflen, &len, " ]");
    if (rc)
        return rc;
    *off = datalen;
    return (int)len;
}

static int ks_val_default(const struct ng_parse_type *type, const uint8_t *start, uint8_t *buf,
                          size_t *buflen)
{
    (void)type;
    (void)start;
    (void)buf;
    *buflen = 0;
    ks_last_len = 0;
    return 0;
}

static int ks_align1(const struct ng_parse_type *type)
{
    (void)type;
    return 1;
}

static const struct ng_parse_type ks_val_type = {
    NULL, NULL, NULL, ks_val_parse, ks_val_unparse, ks_val_default, ks_align1};

static const struct ng_parse_struct_field ks_sockopt_fields[] = {
    {"level", &ng_parse_int32_type, 0},
    {"name", &ng_parse_int32_type, 0},
    {"value", &ks_val_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type ks_sockopt_struct = {
    &ng_parse_struct_type, ks_sockopt_fields, NULL, NULL, NULL, NULL, NULL};

/* Parse a struct whose last field has variable length (value, addr) and
 * drop the padding the struct layout adds after it. */
static int ks_trimmed_parse(const struct ng_parse_type *st, size_t head, const char *s, size_t *off,
                            const uint8_t *start, uint8_t *buf, size_t *buflen)
{
    ng_parse_fn *fn = ng_parse_method_parse(&ng_parse_struct_type);
    ks_last_len = 0;
    int rc = fn(st, s, off, start, buf, buflen);
    if (rc == 0)
        *buflen = head + ks_last_len;
    return rc;
}

static int ks_sockopt_parse(const struct ng_parse_type *type, const char *s, size_t *off,
                            const uint8_t *start, uint8_t *buf, size_t *buflen)
{
    (void)type;
    return ks_trimmed_parse(&ks_sockopt_struct, offsetof(struct ng_ksocket_sockopt, value), s, off,
                            start, buf, buflen);
}

static int ks_sockopt_unparse(const struct ng_parse_type *type, const uint8_t *start,
                              size_t datalen, size_t *off, char *cbuf, size_t cbuflen)
{
    (void)type;
    ng_unparse_fn *fn = ng_parse_method_unparse(&ng_parse_struct_type);
    return fn(&ks_sockopt_struct, start, datalen, off, cbuf, cbuflen);
}

static int ks_sockopt_default(const struct ng_parse_type *type, const uint8_t *start, uint8_t *buf,
                              size_t *buflen)
{
    (void)type;
    (void)start;
    if (*buflen < 8)
        return -ERANGE;
    memset(buf, 0, 8);
    *buflen = 8;
    return 0;
}

static int ks_align4(const struct ng_parse_type *type)
{
    (void)type;
    return 4;
}

const struct ng_parse_type ngi_ksock_sockopt_type = {
    NULL, NULL, NULL, ks_sockopt_parse, ks_sockopt_unparse, ks_sockopt_default, ks_align4};

/* ---- struct ng_ksocket_accept ---------------------------------------------- */

static const struct ng_parse_struct_field ks_accept_fields[] = {
    {"nodeid", &ng_parse_hint32_type, 0},
    {"addr", &ngi_ksock_sockaddr_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type ks_accept_struct = {
    &ng_parse_struct_type, ks_accept_fields, NULL, NULL, NULL, NULL, NULL};

/* By hand: the struct parser's first pass would take an inet6 address's
 * brackets for an array.  Fields in any order; addr has no default. */
static int ks_accept_parse(const struct ng_parse_type *type, const char *s, size_t *off,
                           const uint8_t *start, uint8_t *buf, size_t *buflen)
{
    (void)type;
    uint8_t sa[sizeof(struct sockaddr_storage)];
    size_t o = *off, sal = 0;
    uint32_t id = 0;
    int have_id = 0, have_sa = 0, rc = 0;
    while (isspace((unsigned char)s[o]))
        o++;
    if (s[o] != '{') {
        *off = o;
        return -EINVAL;
    }
    o++;
    for (;;) {
        while (isspace((unsigned char)s[o]))
            o++;
        if (s[o] == '}') {
            o++;
            break;
        }
        size_t n0 = o;
        while (isalpha((unsigned char)s[o]))
            o++;
        size_t nl = o - n0;
        if (nl == 0 || s[o] != '=') {
            rc = -EINVAL;
            break;
        }
        o++;
        if (nl == 6 && strncmp(s + n0, "nodeid", 6) == 0) {
            size_t l = sizeof(id);
            ng_parse_fn *fn = ng_parse_method_parse(&ng_parse_hint32_type);
            rc =
                have_id++ ? -EALREADY : fn(&ng_parse_hint32_type, s, &o, start, (uint8_t *)&id, &l);
        } else if (nl == 4 && strncmp(s + n0, "addr", 4) == 0) {
            sal = sizeof(sa);
            rc = have_sa++ ? -EALREADY
                           : ks_sa_parse(&ngi_ksock_sockaddr_type, s, &o, start, sa, &sal);
        } else {
            o = n0;
            rc = -ENOENT;
        }
        if (rc)
            break;
    }
    if (rc == 0 && !have_sa)
        rc = -EOPNOTSUPP;
    size_t head = offsetof(struct ng_ksocket_accept, addr);
    if (rc == 0 && *buflen < head + sal)
        rc = -ERANGE;
    *off = o;
    if (rc)
        return rc;
    memcpy(buf, &id, sizeof(id));
    memcpy(buf + head, sa, sal);
    *buflen = head + sal;
    return 0;
}

static int ks_accept_unparse(const struct ng_parse_type *type, const uint8_t *start, size_t datalen,
                             size_t *off, char *cbuf, size_t cbuflen)
{
    (void)type;
    ng_unparse_fn *fn = ng_parse_method_unparse(&ng_parse_struct_type);
    return fn(&ks_accept_struct, start, datalen, off, cbuf, cbuflen);
}

const struct ng_parse_type ngi_ksock_accept_type = {
    NULL, NULL, NULL, ks_accept_parse, ks_accept_unparse, NULL, ks_align4};
