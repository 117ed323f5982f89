/*
 * msgobj.h - message objects (msgobj.c): the one allocator of struct
 * ng_mesg, shared by the parse layer and the control layer above it.
 * Private to libngraph.
 */
#ifndef NGI_PARSE_MSGOBJ_H
#define NGI_PARSE_MSGOBJ_H

#include <stddef.h>
#include <stdint.h>

#include <ngraph/message.h>

#include "lib/compiler.h"

/* A zeroed message with arglen argument bytes (at most cap), header set as
 * ng_mesg_alloc() sets it; NULL if arglen > cap or out of memory. */
struct ng_mesg *ngi_mesg_alloc(uint32_t cookie, uint32_t cmd, size_t arglen, size_t cap);
/* A response of up to NG_MAX_RESP_ARGLEN bytes (engine-built listings and
 * conversions). */
struct ng_mesg *ngi_mesg_response_large(const struct ng_mesg *msg, size_t arglen);
/* Argument bytes allocated for msg (header.arglen may claim more). */
size_t ngi_mesg_argcap(const struct ng_mesg *msg);
/* ng_mesg_check against msg's real allocation: -EMSGSIZE if header.arglen
 * claims more argument bytes than were allocated. */
int ngi_mesg_check_alloc(const struct ng_mesg *msg);

#endif
