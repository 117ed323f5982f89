/*
 * libFuzzer harness: the parse-type library (<ngraph/parse.h>).
 * Input: byte 0 picks a command of the generic or built-in lists (and
 * whether its argument or response type), the rest is text.  The text is
 * parsed; if that succeeds, the binary is unparsed, the text re-parsed and
 * unparsed again: the two binaries and the two texts must agree (parse
 * output is canonical, and so is its text).  The same bytes are also unparsed as a binary
 * of that type (any bytes: errors allowed, no crash, no overread).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/nodes.h>
#include <ngraph/parse.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct ng_parse_type *pick(uint8_t sel)
{
    static const struct ng_parse_type *types[64];
    static size_t n;
    if (n == 0) {
        const struct ng_cmdlist *lists[] = {ng_generic_cmds, ng_hole_type.cmdlist,
                                            ng_tee_type.cmdlist};
        for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
            for (const struct ng_cmdlist *c = lists[l]; c->name; c++) {
                if (c->mesg_type && n < 64)
                    types[n++] = c->mesg_type;
                if (c->resp_type && n < 64)
                    types[n++] = c->resp_type;
            }
        static const struct ng_parse_type *scalars[] = {
            &ng_parse_int8_type,   &ng_parse_hint16_type,      &ng_parse_int64_type,
            &ng_parse_ipaddr_type, &ng_parse_enaddr_type,      &ng_parse_sizedstring_type,
            &ng_parse_string_type, &ng_parse_ng_mesg_type,
        };
        for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]) && n < 64; i++)
            types[n++] = scalars[i];
    }
    return types[sel % n];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 8192)
        return 0;
    const struct ng_parse_type *t = pick(data[0]);
    char *text = malloc(size);
    uint8_t *b1 = malloc(NG_MAX_MSG_ARGLEN), *b2 = malloc(NG_MAX_MSG_ARGLEN);
    size_t tcap = 1u << 20;
    char *t1 = malloc(tcap), *t2 = malloc(tcap);
    if (!text || !b1 || !b2 || !t1 || !t2)
        abort();
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    size_t l1 = NG_MAX_MSG_ARGLEN, eo = 0;
    if (ng_parse(t, text, &eo, b1, &l1) == 0) {
        if (ng_unparse(t, b1, l1, t1, tcap) < 0)
            abort(); /* what parse produced must print */
        size_t l2 = NG_MAX_MSG_ARGLEN;
        if (ng_parse(t, t1, &eo, b2, &l2) != 0)
            abort(); /* and its text parse back */
        if (ng_unparse(t, b2, l2, t2, tcap) < 0 || strcmp(t1, t2) != 0)
            abort(); /* canonical text is stable */
        if (l2 != l1 || memcmp(b1, b2, l2) != 0)
            abort(); /* text -> binary -> text -> binary is the same binary */
    } else if (eo > strlen(text)) {
        abort(); /* the error offset lies inside the text */
    }
    /* The raw bytes as a binary of the type. */
    (void)ng_unparse(t, data + 1, size - 1, t1, tcap);
    free(text);
    free(b1);
    free(b2);
    free(t1);
    free(t2);
    return 0;
}
