/*
 * text.c - tokens, string escapes and the public entry points of the parse
 * library (method lookup, ng_parse, ng_unparse, ng_parse_default).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "text.h"

/* ------------------------------------------------------------------------ */
/* Tokens                                                                   */
/* ------------------------------------------------------------------------ */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_word(char c) { return c && !is_space(c) && !strchr("{}[]=\"", c); }

enum ngi_tok ngi_tok_next(const char *s, size_t off, size_t *tstart, size_t *tlen)
{
    while (is_space(s[off]))
        off++;
    *tstart = off;
    *tlen = 1;
    switch (s[off]) {
    case '\0':
        *tlen = 0;
        return NGI_TOK_EOF;
    case '{':
        return NGI_TOK_LBRACE;
    case '}':
        return NGI_TOK_RBRACE;
    case '[':
        return NGI_TOK_LBRACKET;
    case ']':
        return NGI_TOK_RBRACKET;
    case '=':
        return NGI_TOK_EQUAL;
    case '"': {
        size_t i = off + 1;
        while (s[i] && s[i] != '"')
            i += (s[i] == '\\' && s[i + 1]) ? 2 : 1;
        if (!s[i])
            return NGI_TOK_ERROR;
        *tlen = i + 1 - off;
        return NGI_TOK_STRING;
    }
    default: {
        size_t i = off;
        while (is_word(s[i]))
            i++;
        *tlen = i - off;
        return NGI_TOK_WORD;
    }
    }
}

int ngi_skip_value(const char *s, size_t *off)
{
    size_t depth = 0, ts, tl;
    size_t o = *off;
    do {
        enum ngi_tok k = ngi_tok_next(s, o, &ts, &tl);
        switch (k) {
        case NGI_TOK_LBRACE:
        case NGI_TOK_LBRACKET:
            depth++;
            break;
        case NGI_TOK_RBRACE:
        case NGI_TOK_RBRACKET:
            if (depth == 0) {
                *off = ts;
                return -EINVAL;
            }
            depth--;
            break;
        case NGI_TOK_EQUAL:
            if (depth == 0) {
                *off = ts;
                return -EINVAL;
            }
            break;
        case NGI_TOK_EOF:
        case NGI_TOK_ERROR:
            *off = ts;
            return -EINVAL;
        default:
            break;
        }
        o = ts + tl;
    } while (depth > 0);
    *off = o;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Strings                                                                  */
/* ------------------------------------------------------------------------ */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int ngi_str_decode(const char *s, size_t tstart, size_t tlen, char **out, size_t *outlen)
{
    const char *p = s + tstart + 1, *end = s + tstart + tlen - 1; /* inside the quotes */
    char *d = malloc((size_t)(end - p) + 1), *o = d;
    if (!d)
        return -ENOMEM;
    while (p < end) {
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        p++;
        const char *simple = strchr("tnrvf\"\\", *p);
        if (*p && simple) {
            static const char val[] = "\t\n\r\v\f\"\\";
            *o++ = val[simple - "tnrvf\"\\"];
            p++;
        } else if (*p >= '0' && *p <= '7') {
            int v = 0;
            for (int i = 0; i < 3 && p < end && *p >= '0' && *p <= '7'; i++)
                v = v * 8 + (*p++ - '0');
            if (v > 0xff)
                goto bad;
            *o++ = (char)v;
        } else if (*p == 'x' && p + 1 < end && hexval(p[1]) >= 0) {
            int v = 0;
            p++;
            for (int i = 0; i < 2 && p < end && hexval(*p) >= 0; i++)
                v = v * 16 + hexval(*p++);
            *o++ = (char)v;
        } else {
            goto bad;
        }
    }
    *o = '\0';
    *out = d;
    *outlen = (size_t)(o - d);
    return 0;
bad:
    free(d);
    return -EINVAL;
}

int ngi_str_encode(const uint8_t *p, size_t n, char *cbuf, size_t cbuflen)
{
    size_t len = 0;
#define PUT(c)                                                                                     \
    do {                                                                                           \
        if (len + 1 >= cbuflen)                                                                    \
            return -ERANGE;                                                                        \
        cbuf[len++] = (c);                                                                         \
    } while (0)
    PUT('"');
    for (size_t i = 0; i < n; i++) {
        static const char esc[] = "\t\n\r\v\f\"\\", name[] = "tnrvf\"\\";
        const char *e = p[i] ? strchr(esc, p[i]) : NULL;
        if (e) {
            PUT('\\');
            PUT(name[e - esc]);
        } else if (p[i] < 0x20 || p[i] > 0x7e) {
            static const char hx[] = "0123456789abcdef";
            PUT('\\');
            PUT('x');
            PUT(hx[p[i] >> 4]);
            PUT(hx[p[i] & 15]);
        } else {
            PUT((char)p[i]);
        }
    }
    PUT('"');
#undef PUT
    cbuf[len] = '\0';
    return (int)len;
}

int ngi_out(char *cbuf, size_t cbuflen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cbuf, cbuflen, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cbuflen) {
        if (cbuflen)
            cbuf[0] = '\0';
        return -ERANGE;
    }
    return n;
}

/* ------------------------------------------------------------------------ */
/* Inherited methods                                                        */
/* ------------------------------------------------------------------------ */

#define METHOD(fn, field, ftype)                                                                   \
    ftype *fn(const struct ng_parse_type *type)                                                    \
    {                                                                                              \
        for (int i = 0; type && i < NG_PARSE_MAX_DEPTH; type = type->supertype, i++)               \
            if (type->field)                                                                       \
                return type->field;                                                                \
        return NULL;                                                                               \
    }
METHOD(ng_parse_method_parse, parse, ng_parse_fn)
METHOD(ng_parse_method_unparse, unparse, ng_unparse_fn)
METHOD(ng_parse_method_default, getdefault, ng_getdefault_fn)
METHOD(ngi_parse_method_align, getalign, ng_getalign_fn)
#undef METHOD

const void *ng_parse_info(const struct ng_parse_type *type)
{
    for (int i = 0; type && i < NG_PARSE_MAX_DEPTH; type = type->supertype, i++)
        if (type->info)
            return type->info;
    return NULL;
}

int ng_parse_alignment(const struct ng_parse_type *type)
{
    if (!type)
        return -EINVAL;
    ng_getalign_fn *fn = ngi_parse_method_align(type);
    return fn ? fn(type) : 1;
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                             */
/* ------------------------------------------------------------------------ */

int ng_parse(const struct ng_parse_type *type, const char *text, size_t *erroff, void *buf,
             size_t *buflen)
{
    size_t off = 0, ts, tl;
    if (erroff)
        *erroff = 0;
    if (!type || !text || !buf || !buflen)
        return -EINVAL;
    ng_parse_fn *fn = ng_parse_method_parse(type);
    if (!fn)
        return -EINVAL;
    int rc = fn(type, text, &off, buf, buf, buflen);
    if (rc == 0 && ngi_tok_next(text, off, &ts, &tl) != NGI_TOK_EOF) {
        off = ts; /* trailing text */
        rc = -EINVAL;
    }
    if (rc && erroff)
        *erroff = off;
    return rc;
}

int ng_unparse(const struct ng_parse_type *type, const void *data, size_t datalen, char *cbuf,
               size_t cbuflen)
{
    if (!type || (!data && datalen) || !cbuf || cbuflen == 0)
        return -EINVAL;
    cbuf[0] = '\0';
    ng_unparse_fn *fn = ng_parse_method_unparse(type);
    if (!fn)
        return -EINVAL;
    /* Methods get a private copy: comparing a value with its default
     * generates the default in place (composite.c) and restores it. */
    uint8_t *copy = malloc(datalen ? datalen : 1);
    if (!copy)
        return -ENOMEM;
    if (datalen)
        memcpy(copy, data, datalen);
    size_t off = 0;
    int rc = fn(type, copy, datalen, &off, cbuf, cbuflen);
    free(copy);
    if (rc < 0)
        cbuf[0] = '\0';
    return rc;
}

int ng_parse_default(const struct ng_parse_type *type, void *buf, size_t *buflen)
{
    if (!type || !buf || !buflen)
        return -EINVAL;
    ng_getdefault_fn *fn = ng_parse_method_default(type);
    if (!fn)
        return -EOPNOTSUPP;
    return fn(type, buf, buf, buflen);
}
