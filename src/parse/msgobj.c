/*
 * msgobj.c - message objects: allocation, the header check, freeing.  Every
 * struct ng_mesg in the library (the engine's, the parse layer's, an
 * application's) comes from here, so each one carries its real size.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "msgobj.h"

/*
 * Every message the library allocates sits behind a small box that records
 * how many argument bytes were allocated.  The engine checks header.arglen
 * against it before any node sees a message (ngi_mesg_check_alloc), so a
 * sender that raises arglen past its allocation gets an error instead of
 * making nodes read past the buffer.  Messages must therefore come from
 * ng_mesg_alloc()/ng_mesg_response() (they are freed with ng_mesg_free()).
 */
struct mesg_box {
    uint64_t magic;
    size_t argcap; /* argument bytes allocated */
};
#define MESG_MAGIC 0x6e676d7367626f78ull /* "ngmsgbox" */
#define MESG_BOX NGI_ALIGN_UP(sizeof(struct mesg_box), 16)

static struct mesg_box *mesg_box(const struct ng_mesg *m)
{
    struct mesg_box *b = (struct mesg_box *)(void *)((char *)(uintptr_t)m - MESG_BOX);
    NGI_ASSERT(b->magic == MESG_MAGIC); /* not from ng_mesg_alloc: a caller bug */
    return b;
}

struct ng_mesg *ngi_mesg_alloc(uint32_t cookie, uint32_t cmd, size_t arglen, size_t cap)
{
    if (arglen > cap)
        return NULL;
    /* +1: room for the NUL of a text argument that fills arglen. */
    struct mesg_box *b = calloc(1, MESG_BOX + sizeof(struct ng_mesg) + arglen + 1);
    if (!b)
        return NULL;
    b->magic = MESG_MAGIC;
    b->argcap = arglen;
    struct ng_mesg *m = (struct ng_mesg *)(void *)((char *)b + MESG_BOX);
    m->header.version = NG_VERSION;
    m->header.arglen = (uint32_t)arglen;
    m->header.cmd = cmd;
    m->header.typecookie = cookie;
    m->header.flags = NGF_ORIG;
    return m;
}

struct ng_mesg *ng_mesg_alloc(uint32_t cookie, uint32_t cmd, uint32_t arglen)
{
    return ngi_mesg_alloc(cookie, cmd, arglen, NG_MAX_MSG_ARGLEN);
}

static struct ng_mesg *response_alloc(const struct ng_mesg *msg, size_t arglen, size_t cap)
{
    if (!msg)
        return NULL;
    struct ng_mesg *r = ngi_mesg_alloc(msg->header.typecookie, msg->header.cmd, arglen, cap);
    if (!r)
        return NULL;
    r->header.flags = NGF_RESP;
    r->header.token = msg->header.token;
    memcpy(r->header.cmdstr, msg->header.cmdstr, sizeof(r->header.cmdstr));
    return r;
}

/* A response is not an argument received from a sender: node types and the
 * engine alike may answer with up to NG_MAX_RESP_ARGLEN bytes (a bridge's
 * host table, a long listing), the most the control socket and libnetgraph
 * carry. */
struct ng_mesg *ng_mesg_response(const struct ng_mesg *msg, uint32_t arglen)
{
    return response_alloc(msg, arglen, NG_MAX_RESP_ARGLEN);
}

/* The engine's listings (node, hook and type lists): the same limit, with a
 * size_t length. */
struct ng_mesg *ngi_mesg_response_large(const struct ng_mesg *msg, size_t arglen)
{
    return response_alloc(msg, arglen, NG_MAX_RESP_ARGLEN);
}

void ng_mesg_free(struct ng_mesg *msg)
{
    if (msg)
        free(mesg_box(msg));
}

int ngi_mesg_check_alloc(const struct ng_mesg *msg)
{
    size_t cap = mesg_box(msg)->argcap;
    if (msg->header.arglen > cap)
        return -EMSGSIZE;
    return ng_mesg_check(msg, sizeof(msg->header) + cap);
}

int ng_mesg_check(const struct ng_mesg *msg, size_t len)
{
    if (!msg || len < sizeof(msg->header))
        return -EINVAL;
    if (msg->header.version != NG_VERSION || (msg->header.flags & ~NGF_RESP))
        return -EINVAL;
    if (msg->header.arglen > NG_MAX_MSG_ARGLEN || msg->header.arglen > len - sizeof(msg->header))
        return -EMSGSIZE;
    if (strnlen(msg->header.cmdstr, NG_CMDSTRSIZ) == NG_CMDSTRSIZ)
        return -EINVAL;
    return 0;
}
size_t ngi_mesg_argcap(const struct ng_mesg *msg) { return mesg_box(msg)->argcap; }
