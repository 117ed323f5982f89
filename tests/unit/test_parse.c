/*
 * The parse-type library (<ngraph/parse.h>) on its own: exact texts from
 * netgraph(4), ng_parse's own example and the node man pages, each parsed to
 * the expected bytes and unparsed back to the same text; the error codes and
 * offsets of malformed text; layouts against the C structs; and a round-trip
 * property over every command of the generic and built-in lists.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/nodes.h>
#include <ngraph/parse.h>
#include <ngraph/runtime.h>

#include "ngtest.h"

/* Parse text with type, require exactly `size` bytes equal to want, and
 * unparse back to `canon` (the text itself when NULL). */
static void exact(const struct ng_parse_type *t, const char *text, const void *want, size_t size,
                  const char *canon)
{
    uint8_t buf[4096];
    size_t len = sizeof(buf), eo = 99;
    int rc = ng_parse(t, text, &eo, buf, &len);
    if (rc)
        fprintf(stderr, "parse '%s': %d at %zu\n", text, rc, eo);
    assert_int_equal(rc, 0);
    assert_int_equal(len, size);
    assert_memory_equal(buf, want, size);
    char out[4096];
    rc = ng_unparse(t, buf, len, out, sizeof(out));
    assert_int_equal(rc, (int)strlen(out));
    assert_string_equal(out, canon ? canon : text);
}

/* Parse must fail with err at offset off. */
static void bad(const struct ng_parse_type *t, const char *text, int err, size_t off)
{
    uint8_t buf[256];
    size_t len = sizeof(buf), eo = 12345;
    int rc = ng_parse(t, text, &eo, buf, &len);
    if (rc != err || eo != off)
        fprintf(stderr, "'%.40s': got %d at %zu, want %d at %zu\n", text, rc, eo, err, off);
    assert_int_equal(rc, err);
    assert_int_equal(eo, off);
}

static const struct ng_cmdlist *generic(uint32_t cookie, uint32_t cmd)
{
    for (const struct ng_cmdlist *c = ng_generic_cmds; c->name; c++)
        if (c->cookie == cookie && c->cmd == cmd)
            return c;
    fail();
    return NULL;
}

/* The ng_parse.h example: struct { in_addr ip; int16 bar; char label[8];
 * uint8 alen; uint8 ary[alen]; }, bar and ary[1] omitted. */
static int ary_len(const struct ng_parse_type *t, const uint8_t *start, const uint8_t *buf)
{
    (void)t;
    (void)start;
    return buf[-1];
}
static const struct ng_parse_fixedstring_info label_info = {8};
static const struct ng_parse_type label_type = {.supertype = &ng_parse_fixedstring_type,
                                                .info = &label_info};
static const struct ng_parse_array_info ary_info = {&ng_parse_uint8_type, ary_len};
static const struct ng_parse_type ary_type = {.supertype = &ng_parse_array_type, .info = &ary_info};
static const struct ng_parse_struct_field foo_fields[] = {
    {"ip", &ng_parse_ipaddr_type, 0},
    {"bar", &ng_parse_int16_type, 0},
    {"label", &label_type, 0},
    {"alen", &ng_parse_uint8_type, 0},
    {"ary", &ary_type, 0},
    {NULL, NULL, 0},
};
static const struct ng_parse_type foo_type = {.supertype = &ng_parse_struct_type,
                                              .info = foo_fields};

static void test_exact_texts(void **state)
{
    (void)state;
    /* ng_parse.h's example; the binary has the C padding. */
    const uint8_t foo[] = {1, 2, 3, 4, 0, 0, 'a', 'b', 'c', '\n', 0, 0, 0, 0, 3, 5, 0, 10, 0, 0};
    exact(&foo_type, "{ ip=1.2.3.4 label=\"abc\\n\" alen=3 ary=[ 5 2=10 ] }", foo, sizeof(foo),
          NULL);
    /* Fields in any order, whitespace free, omitted fields default. */
    exact(&foo_type, "{alen=3 ary=[5 2=10] label=\"abc\\n\" ip=1.2.3.4}", foo, sizeof(foo),
          "{ ip=1.2.3.4 label=\"abc\\n\" alen=3 ary=[ 5 2=10 ] }");

    /* ngctl's mkpeer / connect / name / rmhook arguments (netgraph(4)). */
    struct ngm_mkpeer mk = {0};
    strcpy(mk.type, "tee");
    strcpy(mk.ourhook, "right");
    strcpy(mk.peerhook, "left");
    exact(generic(NGM_GENERIC_COOKIE, NGM_MKPEER)->mesg_type,
          "{ type=\"tee\" ourhook=\"right\" peerhook=\"left\" }", &mk, sizeof(mk), NULL);
    struct ngm_connect cn = {0};
    strcpy(cn.path, "foo:bar");
    strcpy(cn.ourhook, "a");
    exact(generic(NGM_GENERIC_COOKIE, NGM_CONNECT)->mesg_type, "{ path=\"foo:bar\" ourhook=\"a\" }",
          &cn, sizeof(cn), NULL);
    struct ngm_name nm = {0};
    strcpy(nm.name, "mynode");
    exact(generic(NGM_GENERIC_COOKIE, NGM_NAME)->mesg_type, "{ name=\"mynode\" }", &nm, sizeof(nm),
          NULL);
    struct ngm_rmhook rh = {0};
    strcpy(rh.ourhook, "left");
    exact(generic(NGM_GENERIC_COOKIE, NGM_RMHOOK)->mesg_type, "{ hook=\"left\" }", &rh, sizeof(rh),
          NULL);
    /* A generic response: hint32 id, as ngctl shows it. */
    struct nodeinfo ni = {0};
    strcpy(ni.name, "ngctl123");
    strcpy(ni.type, "socket");
    ni.id = 0x1f;
    ni.hooks = 1;
    exact(generic(NGM_GENERIC_COOKIE, NGM_NODEINFO)->resp_type,
          "{ name=\"ngctl123\" type=\"socket\" id=0x1f hooks=1 }", &ni, sizeof(ni), NULL);
    struct {
        uint32_t n;
        struct nodeinfo ni[2];
    } nl = {2, {ni, ni}};
    nl.ni[1].id = 0x20;
    exact(generic(NGM_GENERIC_COOKIE, NGM_LISTNODES)->resp_type,
          "{ numnames=2 nodeinfo=[ { name=\"ngctl123\" type=\"socket\" id=0x1f hooks=1 } { "
          "name=\"ngctl123\" type=\"socket\" id=0x20 hooks=1 } ] }",
          &nl, sizeof(nl), NULL);
    /* Scalars. */
    int8_t i8 = -128;
    exact(&ng_parse_int8_type, "-128", &i8, 1, NULL);
    uint8_t u8 = 255;
    exact(&ng_parse_int8_type, "255", &u8, 1, "-1");
    exact(&ng_parse_hint8_type, "0xff", &u8, 1, NULL);
    uint16_t u16 = 0x1234;
    exact(&ng_parse_uint16_type, "0x1234", &u16, 2, "4660");
    uint32_t u32 = 511;
    exact(&ng_parse_uint32_type, "0777", &u32, 4, "511");
    uint64_t u64 = UINT64_MAX;
    exact(&ng_parse_uint64_type, "18446744073709551615", &u64, 8, NULL);
    int64_t i64 = INT64_MIN;
    exact(&ng_parse_int64_type, "-9223372036854775808", &i64, 8, NULL);
    exact(&ng_parse_hint64_type, "0xffffffffffffffff", &u64, 8, NULL);
    exact(&ng_parse_string_type, "\"a\\t\\\"b\\\\\\001\\x7f\"", "a\t\"b\\\001\x7f", 8,
          "\"a\\t\\\"b\\\\\\x01\\x7f\"");
    const uint8_t sz[] = {3, 0, 'x', 0, 'y'};
    exact(&ng_parse_sizedstring_type, "\"x\\0y\"", sz, sizeof(sz), "\"x\\x00y\"");
    const uint8_t en[] = {0, 0x11, 0xa2, 3, 0x44, 0xff};
    exact(&ng_parse_enaddr_type, "00:11:a2:3:44:FF", en, 6, "00:11:a2:03:44:ff");
    const uint8_t ip[] = {10, 0, 0, 255};
    exact(&ng_parse_ipaddr_type, "10.0.0.255", ip, 4, NULL);
}

/* A byte array of 4 bytes: array or string constant. */
static int four(const struct ng_parse_type *t, const uint8_t *start, const uint8_t *buf)
{
    (void)t;
    (void)start;
    (void)buf;
    return 4;
}
static const struct ng_parse_bytearray_info four_info = {four};
static const struct ng_parse_type four_type = {.supertype = &ng_parse_bytearray_type,
                                               .info = &four_info};

static void test_bytearray_and_mesg(void **state)
{
    (void)state;
    const uint8_t b[] = {'a', 'b', 0, 0};
    exact(&four_type, "\"ab\"", b, 4, "[ 0x61 0x62 ]");
    const uint8_t c[] = {1, 0, 3, 0};
    exact(&four_type, "[ 0x1 2=0x3 ]", c, 4, NULL);
    bad(&four_type, "\"abcde\"", -E2BIG, 0);
    bad(&four_type, "[ 1 2 3 4 5 ]", -E2BIG, 10);
    /* A whole struct ng_mesg (the BINARY2ASCII argument). */
    struct {
        struct ng_mesg_header h;
        char data[4];
    } m = {{0}, {0}};
    m.h.version = NG_VERSION;
    m.h.arglen = 3;
    m.h.cmd = NGM_NODEINFO;
    m.h.token = 7;
    m.h.typecookie = NGM_GENERIC_COOKIE;
    strcpy(m.h.cmdstr, "nodeinfo");
    memcpy(m.data, "hi", 3);
    exact(&ng_parse_ng_mesg_type,
          "{ version=8 arglen=3 cmd=805306374 token=7 typecookie=1137070366 cmdstr=\"nodeinfo\" "
          "data=[ 0x68 0x69 ] }",
          &m, sizeof(m), NULL);
}

static void test_errors(void **state)
{
    (void)state;
    const struct ng_parse_type *mkpeer = generic(NGM_GENERIC_COOKIE, NGM_MKPEER)->mesg_type;
    bad(mkpeer, "{ type=\"tee\" ", -EINVAL, 13);             /* unbalanced brace: EOF */
    bad(mkpeer, "{ kind=\"tee\" }", -ENOENT, 2);             /* unknown field */
    bad(mkpeer, "{ type=\"a\" type=\"b\" }", -EALREADY, 11); /* field twice */
    bad(mkpeer, "{ type=\"0123456789012345678901234567890123\" }", -E2BIG, 7);
    bad(mkpeer, "{ type=\"tee\" } x", -EINVAL, 15); /* trailing garbage */
    bad(mkpeer, "", -EINVAL, 0);                    /* empty input */
    bad(mkpeer, "   ", -EINVAL, 3);
    bad(mkpeer, "{ type=tee }", -EINVAL, 7);      /* a word where a string goes */
    bad(mkpeer, "{ type=\"tee }", -EINVAL, 7);    /* unterminated string */
    bad(mkpeer, "{ type=\"t\\q\" }", -EINVAL, 7); /* bad escape */
    bad(mkpeer, "{ type }", -EINVAL, 2);          /* name without = */
    bad(mkpeer, "{ type=\"a\" ]", -EINVAL, 11);   /* wrong close */
    bad(mkpeer, "{ type=] }", -EINVAL, 7);        /* close as a value */
    bad(&ng_parse_int8_type, "256", -EINVAL, 0);  /* out of range */
    bad(&ng_parse_int8_type, "-129", -EINVAL, 0);
    bad(&ng_parse_int16_type, "65536", -EINVAL, 0);
    bad(&ng_parse_uint32_type, "4294967296", -EINVAL, 0);
    bad(&ng_parse_uint64_type, "18446744073709551616", -EINVAL, 0);
    bad(&ng_parse_int32_type, "12abc", -EINVAL, 0);
    bad(&ng_parse_int32_type, " \"1\"", -EINVAL, 1);
    bad(&ng_parse_ipaddr_type, "1.2.3.256", -EINVAL, 0); /* bad addresses */
    bad(&ng_parse_ipaddr_type, "1.2.3", -EINVAL, 0);
    bad(&ng_parse_ipaddr_type, "1.2.3.4.5", -EINVAL, 0);
    bad(&ng_parse_enaddr_type, "00:11:22:33:44", -EINVAL, 0);
    bad(&ng_parse_enaddr_type, "00:11:22:33:44:5g", -EINVAL, 0);
    bad(&foo_type, "{ alen=2 ary=[ 1 2 3 ] }", -E2BIG, 19); /* index past the end */
    bad(&foo_type, "{ alen=2 ary=[ 5=1 ] }", -E2BIG, 15);
    bad(&foo_type, "{ alen=2 ary=[ 1=1 1=2 ] }", -EALREADY, 19);
    /* An Ethernet address has no default (FreeBSD): omitting it fails. */
    static const struct ng_parse_struct_field en_fields[] = {{"mac", &ng_parse_enaddr_type, 0},
                                                             {NULL, NULL, 0}};
    static const struct ng_parse_type en_type = {.supertype = &ng_parse_struct_type,
                                                 .info = en_fields};
    bad(&en_type, " {}", -EOPNOTSUPP, 1);
    /* 64 KiB of nesting: refused without recursion (the first element of a
     * struct must be a name). */
    size_t n = 65536;
    char *deep = malloc(2 * n + 1);
    assert_non_null(deep);
    memset(deep, '{', n);
    memset(deep + n, '}', n);
    deep[2 * n] = '\0';
    bad(mkpeer, deep, -EINVAL, 1);
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    bad(&four_type, deep, -EINVAL, 1); /* element 0 is "[[...": not a byte */
    free(deep);
    /* Output too small; binary too short. */
    uint8_t small[8];
    size_t len = sizeof(small);
    assert_int_equal(ng_parse(mkpeer, "{}", NULL, small, &len), -ERANGE);
    char out[16];
    struct ngm_mkpeer mk = {0};
    strcpy(mk.type, "tee");
    assert_int_equal(ng_unparse(mkpeer, &mk, sizeof(mk), out, sizeof(out)), -ERANGE);
    char big[256];
    assert_int_equal(ng_unparse(mkpeer, &mk, sizeof(mk) - 1, big, sizeof(big)), -EMSGSIZE);
    assert_string_equal(big, "");
    uint32_t huge = 1000000; /* a count the data does not have */
    assert_int_equal(ng_unparse(generic(NGM_GENERIC_COOKIE, NGM_LISTNODES)->resp_type, &huge,
                                sizeof(huge), big, sizeof(big)),
                     -EMSGSIZE);
    assert_int_equal(ng_parse(NULL, "", NULL, small, &len), -EINVAL);
    assert_int_equal(ng_unparse(mkpeer, NULL, 4, out, sizeof(out)), -EINVAL);
}

/* Layouts: each generic struct's default has the C struct's size. */
static void test_layouts(void **state)
{
    (void)state;
    static const struct {
        uint32_t cookie, cmd;
        int resp;
        size_t size;
    } want[] = {
        {NGM_GENERIC_COOKIE, NGM_MKPEER, 0, sizeof(struct ngm_mkpeer)},
        {NGM_GENERIC_COOKIE, NGM_CONNECT, 0, sizeof(struct ngm_connect)},
        {NGM_GENERIC_COOKIE, NGM_NAME, 0, sizeof(struct ngm_name)},
        {NGM_GENERIC_COOKIE, NGM_RMHOOK, 0, sizeof(struct ngm_rmhook)},
        {NGM_GENERIC_COOKIE, NGM_NODEINFO, 1, sizeof(struct nodeinfo)},
        {NGM_GENERIC_COOKIE, NGM_LISTHOOKS, 1, sizeof(struct hooklist)},
        {NGM_GENERIC_COOKIE, NGM_LISTNODES, 1, sizeof(struct namelist)},
        {NGM_GENERIC_COOKIE, NGM_LISTTYPES, 1, sizeof(struct typelist)},
        {NGM_GENERIC_COOKIE, NGM_ASCII2BINARY, 0, sizeof(struct ng_mesg)},
        {NGM_NGRAPH_COOKIE, NGM_STATS, 1, sizeof(struct ng_node_stats)},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const struct ng_cmdlist *c = generic(want[i].cookie, want[i].cmd);
        uint8_t buf[1024];
        size_t len = sizeof(buf);
        assert_int_equal(ng_parse_default(want[i].resp ? c->resp_type : c->mesg_type, buf, &len),
                         0);
        assert_int_equal(len, want[i].size);
    }
    /* FreeBSD's values. */
    assert_int_equal(NGM_NODEINFO, 0x30000006);
    assert_int_equal(NGM_BINARY2ASCII, 0x3000000c);
    assert_int_equal(NGM_ASCII2BINARY, 0x3000000d);
    assert_int_equal(NGM_TEXT_CONFIG, 14);
    assert_int_equal(NGM_GET_BANDWIDTH, 0x1000002c);
    assert_int_not_equal(NGM_NGRAPH_COOKIE, NGM_GENERIC_COOKIE);
    assert_int_not_equal(NGM_NGRAPH_COOKIE, NGM_FLOW_COOKIE);
}

/* ------------------------------------------------------------------------ */
/* Round trip: random canonical binary -> ASCII -> binary is the identity   */
/* ------------------------------------------------------------------------ */

static uint64_t seed = 0x5eed;

static uint64_t rnd(void) { return ngtest_splitmix(&seed); }

static bool is_kind(const struct ng_parse_type *t, const struct ng_parse_type *base)
{
    for (; t; t = t->supertype)
        if (t == base)
            return true;
    return false;
}

static bool same_parse(const struct ng_parse_type *t, const struct ng_parse_type *base)
{
    return ng_parse_method_parse(t) == ng_parse_method_parse(base);
}

/* Write a random value of type t at buf + *pos (canonical: strings
 * zero-filled, padding zero); false if it does not fit or a count came out
 * too large for this sample. */
static bool gen(const struct ng_parse_type *t, uint8_t *start, size_t *pos, size_t cap)
{
    uint8_t *p = start + *pos;
    size_t left = cap - *pos;
    if (is_kind(t, &ng_parse_struct_type) || is_kind(t, &ng_parse_fixedarray_type) ||
        is_kind(t, &ng_parse_array_type)) {
        const void *info = ng_parse_info(t);
        size_t n;
        const struct ng_parse_struct_field *f = NULL;
        const struct ng_parse_type *et = NULL;
        if (is_kind(t, &ng_parse_struct_type)) {
            f = info;
            for (n = 0; f[n].name; n++)
                ;
        } else if (is_kind(t, &ng_parse_fixedarray_type)) {
            et = ((const struct ng_parse_fixedarray_info *)info)->element_type;
            n = (size_t)((const struct ng_parse_fixedarray_info *)info)->length;
        } else {
            const struct ng_parse_array_info *ai = info;
            et = ai->element_type;
            int len = ai->getlength(t, start, p);
            if (len < 0 || len > 6)
                return false;
            n = (size_t)len;
        }
        for (size_t i = 0; i < n; i++) {
            const struct ng_parse_type *e = f ? f[i].type : et;
            size_t a = (size_t)ng_parse_alignment(e);
            while (*pos % a) {
                if (*pos >= cap)
                    return false;
                start[(*pos)++] = 0;
            }
            if (!gen(e, start, pos, cap))
                return false;
        }
        size_t a = (size_t)ng_parse_alignment(t);
        while (*pos % a) {
            if (*pos >= cap)
                return false;
            start[(*pos)++] = 0;
        }
        return true;
    }
    size_t n;
    if (same_parse(t, &ng_parse_int8_type) || same_parse(t, &ng_parse_int16_type) ||
        same_parse(t, &ng_parse_int32_type) || same_parse(t, &ng_parse_int64_type)) {
        n = (size_t)ng_parse_alignment(t);
        uint64_t v = rnd() & 1 ? rnd() % 4 : rnd(); /* small half the time (counts) */
        if (n > left)
            return false;
        memcpy(p, &v, n); /* little-endian host: the low bytes */
    } else if (same_parse(t, &ng_parse_string_type) || same_parse(t, &ng_parse_fixedstring_type)) {
        const struct ng_parse_fixedstring_info *fi = ng_parse_info(t);
        size_t size = fi ? (size_t)fi->bufsize : 1 + rnd() % 12;
        size_t len = rnd() % size;
        n = fi ? size : len + 1; /* a plain string is exactly its bytes and NUL */
        if (n > left)
            return false;
        memset(p, 0, n);
        for (size_t i = 0; i < len; i++)
            p[i] = (uint8_t)(1 + rnd() % 255);
    } else if (same_parse(t, &ng_parse_sizedstring_type)) {
        uint16_t len = (uint16_t)(rnd() % 9);
        n = 2u + len;
        if (n > left)
            return false;
        memcpy(p, &len, 2);
        for (size_t i = 0; i < len; i++)
            p[2 + i] = (uint8_t)rnd();
    } else if (same_parse(t, &ng_parse_bytearray_type)) {
        int len =
            ((const struct ng_parse_bytearray_info *)ng_parse_info(t))->getlength(t, start, p);
        if (len < 0 || len > 16)
            return false;
        n = (size_t)len;
        if (n > left)
            return false;
        for (size_t i = 0; i < n; i++)
            p[i] = (uint8_t)rnd();
    } else if (same_parse(t, &ng_parse_ipaddr_type) || same_parse(t, &ng_parse_enaddr_type)) {
        n = same_parse(t, &ng_parse_ipaddr_type) ? 4 : 6;
        if (n > left)
            return false;
        for (size_t i = 0; i < n; i++)
            p[i] = (uint8_t)rnd();
    } else {
        fail_msg("no generator for a parse type");
        return false;
    }
    *pos += n;
    return true;
}

/* One command's type: many random binaries through text and back. */
static void round_trip(const char *name, const struct ng_parse_type *t)
{
    static uint8_t bin[8192], bin2[NG_MAX_MSG_ARGLEN];
    static char text[65536], text2[65536];
    int done = 0;
    for (int tries = 0; tries < 2000 && done < 200; tries++) {
        size_t len = 0;
        memset(bin, 0, sizeof(bin));
        if (!gen(t, bin, &len, sizeof(bin)))
            continue;
        int tl = ng_unparse(t, bin, len, text, sizeof(text));
        if (tl < 0)
            fprintf(stderr, "%s: unparse %d\n", name, tl);
        assert_true(tl >= 0);
        size_t len2 = sizeof(bin2), eo;
        int rc = ng_parse(t, text, &eo, bin2, &len2);
        if (rc || len2 != len || memcmp(bin, bin2, len) != 0)
            fprintf(stderr, "%s: '%s' -> %d at %zu, %zu vs %zu bytes\n", name, text, rc, eo, len2,
                    len);
        assert_int_equal(rc, 0);
        assert_int_equal(len2, len);
        assert_memory_equal(bin, bin2, len); /* binary -> ASCII -> binary */
        assert_true(ng_unparse(t, bin2, len2, text2, sizeof(text2)) >= 0);
        assert_string_equal(text, text2); /* ASCII -> binary -> ASCII: canonical */
        done++;
    }
    if (done < 20)
        fprintf(stderr, "%s: only %d samples\n", name, done);
    assert_true(done >= 20);
}

static void list_round_trip(const struct ng_cmdlist *l, int *count)
{
    for (; l && l->name; l++) {
        if (l->mesg_type)
            round_trip(l->name, l->mesg_type);
        if (l->resp_type)
            round_trip(l->name, l->resp_type);
        (*count)++;
    }
}

static void test_round_trip(void **state)
{
    (void)state;
    int count = 0;
    list_round_trip(ng_generic_cmds, &count);
    list_round_trip(ng_hole_type.cmdlist, &count);
    list_round_trip(ng_tee_type.cmdlist, &count);
    list_round_trip(ng_echo_type.cmdlist, &count);
    assert_int_equal(count, 15 + 3 + 3);
    round_trip("foo", &foo_type);
    round_trip("bytes", &four_type);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_texts), cmocka_unit_test(test_bytearray_and_mesg),
        cmocka_unit_test(test_errors),      cmocka_unit_test(test_layouts),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
