/*
 * Parse types: netgraph's ASCII form of message arguments (FreeBSD's
 * ng_parse(4) model, reimplemented).
 *
 * A parse type describes one binary layout and its text form.  It has four
 * methods (parse, unparse, getdefault, getalign); a NULL method is inherited
 * from the supertype, so a new type is usually a predefined one with other
 * `info` (ng_parse_uint32_type is ng_parse_int32_type with unsigned info,
 * ng_parse_hookbuf_type is ng_parse_fixedstring_type with NG_HOOKSIZ).
 *
 * Text format:
 *     struct       { name=value name=value }   fields in any order; an
 *                                               omitted field takes its
 *                                               default; "{}" is all defaults
 *     array        [ v0 v1 5=v5 ]               an element is "index=value"
 *                                               or implicitly previous + 1
 *     string       "C \"escapes\" \t\n\x41\101" (\t \n \r \v \f \" \\,
 *                                               \NNN octal, \xNN hex)
 *     word         123 -7 0x1f 017 1.2.3.4 00:11:22:33:44:55
 * Whitespace separates tokens; a word is any run without whitespace and
 * without { } [ ] = ".  Unparse writes only the fields and elements that
 * differ from their defaults (as FreeBSD's does), so the text of a message
 * is canonical: parse(unparse(b)) == b for every b that unparse accepts and
 * parse produces, and unparse(parse(t)) is the canonical form of t.
 *
 * Errors (negative errno, as the rest of the library): -EINVAL syntax error
 * or a value out of its type's range; -ENOENT unknown field name; -EALREADY
 * a field or array index given twice; -E2BIG an array index past the end or
 * a string longer than its buffer; -ERANGE the output buffer is too small;
 * -EMSGSIZE (unparse) the binary is shorter than its type needs;
 * -EOPNOTSUPP a field without a default was omitted; -ENOMEM.
 */
#ifndef NGRAPH_PARSE_H
#define NGRAPH_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <ngraph/message.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ng_parse_type;

/*
 * Methods.  `start` is the first byte of the whole binary being parsed or
 * unparsed (a variable array finds its length in an earlier field through
 * it); `*off` is the text offset (parse) or the binary offset (unparse).
 *
 * parse: read one value from s at *off (leading whitespace allowed), write
 *   at most *buflen bytes at buf; on success *buflen is the number written
 *   and *off is just past the value; on failure *off is the offending token.
 * unparse: write the text of the value at start + *off (the binary has
 *   datalen bytes in all) at cbuf, NUL-terminated within cbuflen bytes, and
 *   return its length (or a negative errno); *off advances past the value.
 *   start is the library's private copy of the binary: a composite compares
 *   an element with its default by generating the default in place there
 *   and restoring the bytes, so a method must not keep pointers into it.
 * getdefault: write the default value at buf (at most *buflen bytes); on
 *   success *buflen is its size.
 * getalign: the value's alignment in bytes (1, 2, 4 or 8).
 */
typedef int ng_parse_fn(const struct ng_parse_type *type, const char *s, size_t *off,
                        const uint8_t *start, uint8_t *buf, size_t *buflen);
typedef int ng_unparse_fn(const struct ng_parse_type *type, const uint8_t *start, size_t datalen,
                          size_t *off, char *cbuf, size_t cbuflen);
typedef int ng_getdefault_fn(const struct ng_parse_type *type, const uint8_t *start, uint8_t *buf,
                             size_t *buflen);
typedef int ng_getalign_fn(const struct ng_parse_type *type);

struct ng_parse_type {
    const struct ng_parse_type *supertype; /* methods and info inherited from */
    const void *info;                      /* type-specific; NULL: the supertype's */
    const void *private_data;              /* for the type's owner; never read here */
    ng_parse_fn *parse;
    ng_unparse_fn *unparse;
    ng_getdefault_fn *getdefault;
    ng_getalign_fn *getalign;
};

/* Length of a variable array (or byte array): the number of elements,
 * usually read from an earlier field (buf is where the array starts, start
 * the whole binary).  A negative return is an error. */
typedef int ng_parse_getlength_fn(const struct ng_parse_type *type, const uint8_t *start,
                                  const uint8_t *buf);

/* ng_parse_struct_type's info: an array of fields ended by a NULL name. */
struct ng_parse_struct_field {
    const char *name;
    const struct ng_parse_type *type;
    int alignment; /* 0: the type's own */
};

/* ng_parse_fixedarray_type's info. */
struct ng_parse_fixedarray_info {
    const struct ng_parse_type *element_type;
    int length;
};

/* ng_parse_array_type's info. */
struct ng_parse_array_info {
    const struct ng_parse_type *element_type;
    ng_parse_getlength_fn *getlength;
};

/* ng_parse_bytearray_type's info. */
struct ng_parse_bytearray_info {
    ng_parse_getlength_fn *getlength;
};

/* ng_parse_fixedstring_type's info: the buffer size, NUL included. */
struct ng_parse_fixedstring_info {
    int bufsize;
};

/* Integers, host byte order.  int8/int16 accept -128..255 / -32768..65535
 * (either signedness, as FreeBSD's), int32 and int64 their signed or
 * unsigned range; text is C's (base 8, 10 or 16).  Unparse: signed decimal,
 * unsigned decimal, or hex (0x...).  Default 0. */
extern const struct ng_parse_type ng_parse_int8_type, ng_parse_uint8_type, ng_parse_hint8_type;
extern const struct ng_parse_type ng_parse_int16_type, ng_parse_uint16_type, ng_parse_hint16_type;
extern const struct ng_parse_type ng_parse_int32_type, ng_parse_uint32_type, ng_parse_hint32_type;
extern const struct ng_parse_type ng_parse_int64_type, ng_parse_uint64_type, ng_parse_hint64_type;
/* A NUL-terminated string of any length; default "". */
extern const struct ng_parse_type ng_parse_string_type;
/* A zero-filled buffer of info->bufsize bytes holding a string (-E2BIG if
 * it does not fit); default all zero.  The buffers of netgraph names: */
extern const struct ng_parse_type ng_parse_fixedstring_type;
extern const struct ng_parse_type ng_parse_nodebuf_type; /* NG_NODESIZ */
extern const struct ng_parse_type ng_parse_hookbuf_type; /* NG_HOOKSIZ */
extern const struct ng_parse_type ng_parse_typebuf_type; /* NG_TYPESIZ */
extern const struct ng_parse_type ng_parse_pathbuf_type; /* NG_PATHSIZ */
extern const struct ng_parse_type ng_parse_cmdbuf_type;  /* NG_CMDSTRSIZ */
/* uint16 length followed by that many bytes (no NUL); text a string;
 * default length 0; alignment 2. */
extern const struct ng_parse_type ng_parse_sizedstring_type;
/* info is a struct ng_parse_bytearray_info: getlength() bytes.  Parse accepts an array
 * of bytes ([ 0x1 2=0x3 ]) or a string constant (zero-filled, -E2BIG if
 * longer); unparse writes the array form.  Default all zero. */
extern const struct ng_parse_type ng_parse_bytearray_type;
/* IPv4 address (4 bytes, network order) as a.b.c.d; default 0.0.0.0;
 * alignment 4.  Ethernet address (6 bytes) as xx:xx:xx:xx:xx:xx; no
 * default (-EOPNOTSUPP if omitted, as FreeBSD's). */
extern const struct ng_parse_type ng_parse_ipaddr_type;
extern const struct ng_parse_type ng_parse_enaddr_type;
/* Composites: info as above.  A struct is laid out as C lays it out
 * (each field at its alignment, the size a multiple of the largest). */
extern const struct ng_parse_type ng_parse_struct_type;
extern const struct ng_parse_type ng_parse_fixedarray_type;
extern const struct ng_parse_type ng_parse_array_type;
/* A whole struct ng_mesg: the header fields (version, spare, spare2, arglen,
 * cmd, flags, token, typecookie, cmdstr) and data, a byte array of
 * header.arglen bytes. */
extern const struct ng_parse_type ng_parse_ng_mesg_type;

/* Largest nesting of composites that parse and unparse follow (deeper text
 * is a syntax error, -EINVAL). */
#define NG_PARSE_MAX_DEPTH 64

/*
 * Parse `text` (all of it: trailing text other than whitespace is -EINVAL)
 * as a value of `type` into buf (capacity *buflen bytes).
 *   Context:  any thread; pure (malloc for scratch only); no graph involved.
 *   Consumes: nothing.
 *   Returns:  0, *buflen set to the bytes written; -EINVAL (an argument
 *             NULL, syntax error, empty text, trailing text, a number or
 *             address out of range, nesting deeper than NG_PARSE_MAX_DEPTH);
 *             -ENOENT (unknown field); -EALREADY (field or index twice);
 *             -E2BIG (index past the end, string too long); -ERANGE (buf too
 *             small); -EOPNOTSUPP (omitted field without default); -ENOMEM.
 *             On failure *erroff (if not NULL) is the text offset of the
 *             offending token, and buf's contents are undefined.
 */
int ng_parse(const struct ng_parse_type *type, const char *text, size_t *erroff, void *buf,
             size_t *buflen);

/*
 * Write the canonical text of the value of `type` in data (datalen bytes)
 * to cbuf (cbuflen bytes, always NUL-terminated when cbuflen > 0).
 *   Context:  any thread; pure (malloc for scratch only).
 *   Consumes: nothing.
 *   Returns:  the length of the text (without the NUL); -EINVAL (an
 *             argument NULL, or a value the type cannot print); -EMSGSIZE
 *             (datalen shorter than the type needs); -ERANGE (cbuf too
 *             small); -ENOMEM.
 */
int ng_unparse(const struct ng_parse_type *type, const void *data, size_t datalen, char *cbuf,
               size_t cbuflen);

/*
 * Write the default value of `type` to buf (capacity *buflen).
 *   Context:  any thread; pure.
 *   Consumes: nothing.
 *   Returns:  0, *buflen set to its size; -EINVAL (an argument NULL);
 *             -ERANGE (buf too small); -EOPNOTSUPP (the type has none).
 */
int ng_parse_default(const struct ng_parse_type *type, void *buf, size_t *buflen);

/*
 * The alignment of `type` (inherited method).
 *   Context:  any thread; pure.
 *   Consumes: nothing.
 *   Returns:  1, 2, 4 or 8; -EINVAL (type NULL).
 */
int ng_parse_alignment(const struct ng_parse_type *type);

/*
 * Find a type's method, walking up the supertype chain (for types that
 * extend a predefined one and call its method).  The info a method should
 * use is ng_parse_info(type).
 *   Context:  any thread; pure.
 *   Consumes: nothing.
 *   Returns:  the method, or NULL if no type on the chain has one.
 */
ng_parse_fn *ng_parse_method_parse(const struct ng_parse_type *type);
ng_unparse_fn *ng_parse_method_unparse(const struct ng_parse_type *type);
ng_getdefault_fn *ng_parse_method_default(const struct ng_parse_type *type);

/*
 * The info of `type`: its own, else the nearest supertype's.
 *   Context:  any thread; pure.
 *   Consumes: nothing.
 *   Returns:  the info pointer, or NULL if none on the chain has one.
 */
const void *ng_parse_info(const struct ng_parse_type *type);

/*
 * Convert a message to its ASCII form with the command list of the node
 * type `type` (NULL: the generic list only), as NGM_BINARY2ASCII does:
 * the command is looked up by (cookie, cmd) in the type's list, then in the
 * generic list; its argument (or, for a response, its response) type
 * unparses the data.  *out receives a new message (free with
 * ng_mesg_free): msg's header with cmdstr the command's name and the text
 * as data (arglen = its length + 1).
 *   Context:  any thread; pure (malloc).
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (an argument NULL); -ENOSYS (no such command);
 *             -EMSGSIZE (the data is shorter than its type); -ENOMEM (also:
 *             the text would exceed NG_MAX_RESP_ARGLEN).
 */
int ng_mesg_to_ascii(const struct ng_type *type, const struct ng_mesg *msg, struct ng_mesg **out);

/*
 * The opposite of ng_mesg_to_ascii (NGM_ASCII2BINARY): msg's cmdstr names
 * the command (looked up in the type's list, then the generic list), its
 * data is the argument text (NUL-terminated within arglen, or arglen bytes
 * of text), parsed with the command's argument type (response type if msg
 * has NGF_RESP).  *out receives the binary message (cookie and cmd from the
 * command list, the other header fields from msg).
 *   Context:  any thread; pure (malloc).
 *   Consumes: nothing.
 *   Returns:  0; -ENOSYS (no command by that name); the ng_parse() errors,
 *             with *erroff (if not NULL) the offset in the text; -ERANGE
 *             also when the binary would exceed NG_MAX_MSG_ARGLEN
 *             (NG_MAX_RESP_ARGLEN for a response).
 */
int ng_mesg_from_ascii(const struct ng_type *type, const struct ng_mesg *msg, struct ng_mesg **out,
                       size_t *erroff);

/*
 * Send an ASCII message, as ngctl's `msg` command: `text` is "cmd args..."
 * (cmd a command name of the target's type or a generic one, args its
 * argument text, possibly empty).  The text is converted with the target
 * node's type's command list, then the generic one (what its NGM_ASCII2BINARY
 * would do), the binary message sent to it, and, if it answers and resp_text
 * is not NULL, the answer converted back the same way (NGM_BINARY2ASCII;
 * done here, so answers beyond a sender's NG_MAX_MSG_ARGLEN convert too).  *resp_text receives the answer's argument text
 * (malloc'd, free() it; "" for an answer without arguments), or NULL if the
 * node sent no answer.
 *   Context:  an application thread outside every read-side section of g
 *             (it waits for the answers, as ng_send_msg with resp).
 *   Consumes: nothing.
 *   Returns:  0; -EINVAL (g, path or text NULL, no command word, command
 *             word of NG_CMDSTRSIZ bytes or more, and the parse errors);
 *             -EMSGSIZE (argument text over NG_MAX_MSG_ARGLEN bytes);
 *             -ENOSYS (unknown command); any error of ng_send_msg and of
 *             the command itself.
 */
int ng_send_ascii(struct ng_graph *g, const char *path, const char *text, char **resp_text);

/* The generic command list (NGM_GENERIC_COOKIE and the engine's own
 * NGM_NGRAPH_COOKIE commands) with their parse types, ended by a NULL name. */
extern const struct ng_cmdlist ng_generic_cmds[];

#ifdef __cplusplus
}
#endif

#endif
