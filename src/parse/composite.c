/*
 * composite.c - structs, fixed arrays and variable arrays: one routine
 * each for parse, unparse and default, over "element i" of the three.
 *
 * Parse is two passes.  The first walks the text once, matching each
 * "name=" (struct) or "[index=]" (array) to its element and skipping the
 * value (balanced, iteratively); the second lays the elements out in their
 * declared order, each at its alignment, from its text or its default, so a
 * variable array's length can be read from an earlier field already
 * written.  Unparse writes an element only when its bytes differ from its
 * default, generated in place over the (private) copy and restored.
 */
#include <stdlib.h>

#include "text.h"

enum comp_kind { COMP_STRUCT, COMP_FIXED, COMP_ARRAY };

struct comp {
    enum comp_kind kind;
    const struct ng_parse_struct_field *fields;
    const struct ng_parse_type *etype; /* arrays */
    size_t n;
};

/* Nesting of composite methods on this thread (recursive types). */
static _Thread_local int comp_depth;

static int comp_get(const struct ng_parse_type *type, const uint8_t *start, const uint8_t *buf,
                    struct comp *c)
{
    const void *info = ng_parse_info(type);
    if (!info)
        return -EINVAL;
    const struct ng_parse_type *t = type;
    while (t->supertype && t != &ng_parse_struct_type && t != &ng_parse_fixedarray_type &&
           t != &ng_parse_array_type)
        t = t->supertype;
    memset(c, 0, sizeof(*c));
    if (t == &ng_parse_struct_type) {
        c->kind = COMP_STRUCT;
        c->fields = info;
        while (c->fields[c->n].name)
            c->n++;
    } else if (t == &ng_parse_fixedarray_type) {
        const struct ng_parse_fixedarray_info *fi = info;
        if (fi->length < 0)
            return -EINVAL;
        c->kind = COMP_FIXED;
        c->etype = fi->element_type;
        c->n = (size_t)fi->length;
    } else if (t == &ng_parse_array_type) {
        const struct ng_parse_array_info *ai = info;
        int n = ai->getlength ? ai->getlength(type, start, buf) : -1;
        if (n < 0)
            return -EINVAL;
        c->kind = COMP_ARRAY;
        c->etype = ai->element_type;
        c->n = (size_t)n;
    } else {
        return -EINVAL;
    }
    return 0;
}

static const struct ng_parse_type *elem_type(const struct comp *c, size_t i)
{
    return c->kind == COMP_STRUCT ? c->fields[i].type : c->etype;
}

static size_t elem_align(const struct comp *c, size_t i)
{
    int a = c->kind == COMP_STRUCT && c->fields[i].alignment > 0
                ? c->fields[i].alignment
                : ng_parse_alignment(elem_type(c, i));
    return a > 0 ? (size_t)a : 1;
}

static size_t comp_align(const struct comp *c)
{
    size_t a = 1;
    if (c->kind != COMP_STRUCT) {
        int e = ng_parse_alignment(c->etype);
        return e > 0 ? (size_t)e : 1;
    }
    for (size_t i = 0; i < c->n; i++)
        if (elem_align(c, i) > a)
            a = elem_align(c, i);
    return a;
}

/* Zero-pad *pos up to a multiple of align (within cap). */
static int pad_to(uint8_t *buf, size_t *pos, size_t cap, size_t align)
{
    while (*pos % align) {
        if (*pos >= cap)
            return -ERANGE;
        buf[(*pos)++] = 0;
    }
    return 0;
}

/*
 * Lay out the elements (second pass).  rec[i] is element i's text offset or
 * SIZE_MAX for its default (rec NULL: all defaults).  On failure *erroff is
 * the offending text offset (dflt_off when a default failed).
 */
static int comp_fill(const struct comp *c, const char *s, const size_t *rec, size_t dflt_off,
                     const uint8_t *start, uint8_t *buf, size_t *buflen, size_t *erroff)
{
    size_t pos = 0, cap = *buflen;
    for (size_t i = 0; i < c->n; i++) {
        const struct ng_parse_type *et = elem_type(c, i);
        int rc = pad_to(buf, &pos, cap, elem_align(c, i));
        size_t sub = cap - pos;
        if (rc == 0 && rec && rec[i] != SIZE_MAX) {
            size_t o = rec[i];
            ng_parse_fn *fn = ng_parse_method_parse(et);
            rc = fn ? fn(et, s, &o, start, buf + pos, &sub) : -EINVAL;
            *erroff = o;
        } else if (rc == 0) {
            ng_getdefault_fn *fn = ng_parse_method_default(et);
            rc = fn ? fn(et, start, buf + pos, &sub) : -EOPNOTSUPP;
            *erroff = dflt_off;
        } else {
            *erroff = dflt_off;
        }
        if (rc)
            return rc;
        pos += sub;
    }
    int rc = pad_to(buf, &pos, cap, comp_align(c));
    if (rc) {
        *erroff = dflt_off;
        return rc;
    }
    *buflen = pos;
    return 0;
}

static int field_index(const struct comp *c, const char *s, size_t ts, size_t tl, size_t *idx)
{
    for (size_t i = 0; i < c->n; i++)
        if (strlen(c->fields[i].name) == tl && memcmp(c->fields[i].name, s + ts, tl) == 0) {
            *idx = i;
            return 0;
        }
    return -ENOENT;
}

static int array_index(const char *s, size_t ts, size_t tl, size_t *idx)
{
    char w[24], *end;
    if (tl >= sizeof(w) || s[ts] == '-' || s[ts] == '+')
        return -EINVAL;
    memcpy(w, s + ts, tl);
    w[tl] = '\0';
    errno = 0;
    unsigned long long v = strtoull(w, &end, 0);
    if (errno || end == w || *end)
        return -EINVAL;
    *idx = (size_t)v;
    return 0;
}

/* First pass: record each element's text offset in rec; *off ends past the
 * closing token. */
static int comp_scan(const struct comp *c, const char *s, size_t *off, size_t *rec)
{
    size_t ts, tl, next = 0;
    enum ngi_tok open = ngi_tok_next(s, *off, &ts, &tl);
    enum ngi_tok close = c->kind == COMP_STRUCT ? NGI_TOK_RBRACE : NGI_TOK_RBRACKET;
    if (open != (c->kind == COMP_STRUCT ? NGI_TOK_LBRACE : NGI_TOK_LBRACKET)) {
        *off = ts;
        return -EINVAL;
    }
    size_t o = ts + tl;
    for (;;) {
        size_t es, el, idx, vs, vl;
        enum ngi_tok k = ngi_tok_next(s, o, &es, &el);
        if (k == close) {
            *off = es + el;
            return 0;
        }
        bool named = k == NGI_TOK_WORD && ngi_tok_next(s, es + el, &vs, &vl) == NGI_TOK_EQUAL;
        int rc = 0;
        if (c->kind == COMP_STRUCT) {
            rc = k != NGI_TOK_WORD || !named ? -EINVAL : field_index(c, s, es, el, &idx);
        } else if (named) {
            rc = array_index(s, es, el, &idx);
        } else {
            idx = next;
        }
        if (rc == 0 && idx >= c->n)
            rc = -E2BIG;
        if (rc == 0 && rec[idx] != SIZE_MAX)
            rc = -EALREADY;
        if (rc) {
            *off = es;
            return rc;
        }
        size_t v = named ? vs + vl : es;
        rec[idx] = v;
        next = idx + 1;
        if ((rc = ngi_skip_value(s, &v)) != 0) {
            *off = v;
            return rc;
        }
        o = v;
    }
}

int ngi_comp_parse(const struct ng_parse_type *type, const char *s, size_t *off,
                   const uint8_t *start, uint8_t *buf, size_t *buflen)
{
    struct comp c;
    size_t ts, tl;
    ngi_tok_next(s, *off, &ts, &tl);
    int rc = comp_get(type, start, buf, &c);
    if (rc) {
        *off = ts;
        return rc;
    }
    /* Every element takes at least one byte: a count beyond the space left
     * cannot fit (and bounds the offset table). */
    if (c.n > *buflen) {
        *off = ts;
        return -ERANGE;
    }
    if (comp_depth >= NG_PARSE_MAX_DEPTH) {
        *off = ts;
        return -EINVAL;
    }
    size_t *rec = malloc((c.n ? c.n : 1) * sizeof(*rec));
    if (!rec)
        return -ENOMEM;
    for (size_t i = 0; i < c.n; i++)
        rec[i] = SIZE_MAX;
    comp_depth++;
    size_t end = *off;
    rc = comp_scan(&c, s, &end, rec);
    if (rc == 0) {
        size_t eo = ts;
        rc = comp_fill(&c, s, rec, ts, start, buf, buflen, &eo);
        *off = rc ? eo : end;
    } else {
        *off = end;
    }
    comp_depth--;
    free(rec);
    return rc;
}

int ngi_comp_default(const struct ng_parse_type *type, const uint8_t *start, uint8_t *buf,
                     size_t *buflen)
{
    struct comp c;
    size_t eo = 0;
    int rc = comp_get(type, start, buf, &c);
    if (rc)
        return rc;
    if (c.n > *buflen)
        return -ERANGE;
    if (comp_depth >= NG_PARSE_MAX_DEPTH)
        return -EINVAL;
    comp_depth++;
    rc = comp_fill(&c, NULL, NULL, 0, start, buf, buflen, &eo);
    comp_depth--;
    return rc;
}

/* Is the element at start[o0..o1) equal to its default?  start is the
 * private copy ng_unparse made: the default is generated in place and the
 * bytes put back. */
static bool is_default(const struct ng_parse_type *et, const uint8_t *start, size_t o0, size_t o1)
{
    ng_getdefault_fn *fn = ng_parse_method_default(et);
    if (!fn)
        return false;
    uint8_t stackbuf[256], *save = stackbuf;
    size_t len = o1 - o0, dl = len;
    if (len > sizeof(stackbuf) && !(save = malloc(len)))
        return false;
    uint8_t *p = (uint8_t *)(uintptr_t)(start + o0);
    memcpy(save, p, len);
    bool eq = fn(et, start, p, &dl) == 0 && dl == len && memcmp(p, save, len) == 0;
    memcpy(p, save, len);
    if (save != stackbuf)
        free(save);
    return eq;
}

int ngi_comp_unparse(const struct ng_parse_type *type, const uint8_t *start, size_t datalen,
                     size_t *off, char *cbuf, size_t cbuflen)
{
    struct comp c;
    if (*off > datalen)
        return -EMSGSIZE;
    int rc = comp_get(type, start, start + *off, &c);
    if (rc)
        return rc;
    if (c.n > datalen - *off) /* every element takes at least one byte */
        return -EMSGSIZE;
    if (comp_depth >= NG_PARSE_MAX_DEPTH)
        return -EINVAL;
    bool is_struct = c.kind == COMP_STRUCT;
    size_t pos = 0, o = *off;
    bool any = false;
    size_t last = SIZE_MAX; /* array: index of the last element written */
    if ((rc = ngi_out(cbuf, cbuflen, "%c", is_struct ? '{' : '[')) < 0)
        return rc;
    pos = (size_t)rc;
    comp_depth++;
    for (size_t i = 0; i < c.n && rc >= 0; i++) {
        const struct ng_parse_type *et = elem_type(&c, i);
        size_t a = elem_align(&c, i);
        o = (o + a - 1) / a * a;
        if (o > datalen) {
            rc = -EMSGSIZE;
            break;
        }
        int pl = is_struct       ? ngi_out(cbuf + pos, cbuflen - pos, " %s=", c.fields[i].name)
                 : i == last + 1 ? ngi_out(cbuf + pos, cbuflen - pos, " ")
                                 : ngi_out(cbuf + pos, cbuflen - pos, " %zu=", i);
        if (pl < 0) {
            rc = pl;
            break;
        }
        size_t o0 = o;
        ng_unparse_fn *fn = ng_parse_method_unparse(et);
        rc = fn ? fn(et, start, datalen, &o, cbuf + pos + (size_t)pl, cbuflen - pos - (size_t)pl)
                : -EINVAL;
        if (rc < 0)
            break;
        if (is_default(et, start, o0, o)) {
            cbuf[pos] = '\0';
        } else {
            pos += (size_t)pl + (size_t)rc;
            any = true;
            last = i;
        }
    }
    comp_depth--;
    if (rc < 0) {
        cbuf[0] = '\0';
        return rc;
    }
    /* Trailing padding, as far as the binary has it (a message's data may
     * end right after its last field). */
    size_t a = comp_align(&c);
    size_t padded = (o + a - 1) / a * a;
    *off = padded <= datalen ? padded : datalen;
    rc = ngi_out(cbuf + pos, cbuflen - pos, any ? " %c" : "%c", is_struct ? '}' : ']');
    if (rc < 0) {
        cbuf[0] = '\0';
        return rc;
    }
    return (int)(pos + (size_t)rc);
}

static int comp_align_m(const struct ng_parse_type *type)
{
    const void *info = ng_parse_info(type);
    if (!info)
        return 1;
    struct comp c;
    /* Alignment does not depend on a variable array's length. */
    const struct ng_parse_type *t = type;
    while (t->supertype && t != &ng_parse_struct_type && t != &ng_parse_fixedarray_type &&
           t != &ng_parse_array_type)
        t = t->supertype;
    if (t == &ng_parse_struct_type) {
        memset(&c, 0, sizeof(c));
        c.kind = COMP_STRUCT;
        c.fields = info;
        while (c.fields[c.n].name)
            c.n++;
    } else {
        c.kind = COMP_FIXED;
        c.etype = t == &ng_parse_fixedarray_type
                      ? ((const struct ng_parse_fixedarray_info *)info)->element_type
                      : ((const struct ng_parse_array_info *)info)->element_type;
        c.n = 0;
    }
    if (comp_depth >= NG_PARSE_MAX_DEPTH)
        return 1;
    comp_depth++;
    size_t a = comp_align(&c);
    comp_depth--;
    return (int)a;
}

const struct ng_parse_type ng_parse_struct_type = {
    NULL, NULL, NULL, ngi_comp_parse, ngi_comp_unparse, ngi_comp_default, comp_align_m};
const struct ng_parse_type ng_parse_fixedarray_type = {
    NULL, NULL, NULL, ngi_comp_parse, ngi_comp_unparse, ngi_comp_default, comp_align_m};
const struct ng_parse_type ng_parse_array_type = {
    NULL, NULL, NULL, ngi_comp_parse, ngi_comp_unparse, ngi_comp_default, comp_align_m};
