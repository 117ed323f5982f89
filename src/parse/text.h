/*
 * text.h - the parse library's internal interface: tokens, string escapes,
 * output appending and method lookup.  Private to libngraph.
 */
#ifndef NGI_PARSE_TEXT_H
#define NGI_PARSE_TEXT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <ngraph/parse.h>

enum ngi_tok {
    NGI_TOK_LBRACE,
    NGI_TOK_RBRACE,
    NGI_TOK_LBRACKET,
    NGI_TOK_RBRACKET,
    NGI_TOK_EQUAL,
    NGI_TOK_STRING, /* "...", quotes included in its length */
    NGI_TOK_WORD,
    NGI_TOK_EOF,
    NGI_TOK_ERROR, /* an unterminated string */
};

/* The token at or after s + off (whitespace skipped): its kind, its offset
 * in *tstart and its length in *tlen. */
enum ngi_tok ngi_tok_next(const char *s, size_t off, size_t *tstart, size_t *tlen);

/* Skip one value (a token, or a balanced {...} / [...] group, iteratively)
 * starting at *off; on success *off is just past it.  -EINVAL at the
 * offending token (in *off) for a close, '=', EOF or unbalanced group. */
int ngi_skip_value(const char *s, size_t *off);

/* Decode the string token at s + tstart (tlen bytes, quotes included) into
 * a malloc'd buffer (*out, NUL-terminated, *outlen bytes without it).
 * -EINVAL for a bad escape, -ENOMEM. */
int ngi_str_decode(const char *s, size_t tstart, size_t tlen, char **out, size_t *outlen);

/* Write the quoted, escaped form of n bytes at cbuf (cbuflen bytes in all,
 * NUL-terminated).  Returns its length, or -ERANGE. */
int ngi_str_encode(const uint8_t *p, size_t n, char *cbuf, size_t cbuflen);

/* snprintf at cbuf: its length, or -ERANGE if it does not fit. */
int ngi_out(char *cbuf, size_t cbuflen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Inherited methods (never NULL for a type built on a predefined one). */
ng_getalign_fn *ngi_parse_method_align(const struct ng_parse_type *type);

/* Composite helpers for the byte array (composite.c). */
int ngi_comp_parse(const struct ng_parse_type *type, const char *s, size_t *off,
                   const uint8_t *start, uint8_t *buf, size_t *buflen);
int ngi_comp_unparse(const struct ng_parse_type *type, const uint8_t *start, size_t datalen,
                     size_t *off, char *cbuf, size_t cbuflen);
int ngi_comp_default(const struct ng_parse_type *type, const uint8_t *start, uint8_t *buf,
                     size_t *buflen);

#endif
