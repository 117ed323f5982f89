/*
 * ascii.c - libnetgraph's ASCII control messages: NgSendAsciiMsg() (the
 * target converts the text: NGM_ASCII2BINARY) and NgRecvAsciiMsg() /
 * NgAllocRecvAsciiMsg() (the sender converts what it sent:
 * NGM_BINARY2ASCII).
 *
 * Each conversion is a round trip on the node's control socket: its reply
 * is the next message there with the request's token.  A message with
 * another token that arrived before the reply (an asynchronous message
 * already queued when the request was sent) cannot be put back; it is
 * discarded and logged with the error logger.  FreeBSD's library has the
 * same race and takes the next message as the reply whatever it is.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* Wait for the response with token on n's control socket (*replyp:
 * malloc'ed).  Returns its length or -errno. */
static int recv_reply(struct ngi_nc_node *n, uint32_t token, struct ng_mesg **replyp)
{
    for (;;) {
        struct ng_mesg *m = NULL;
        char from[NG_PATHSIZ];
        int r = ngi_nc_recv_msg(n, &m, 0, 1, from);
        if (r < 0)
            return r;
        if ((m->header.flags & NGF_RESP) && m->header.token == token) {
            *replyp = m;
            return r;
        }
        ngi_nc_logx("libnetgraph: discarded message \"%s\" (cmd %u, token %u) from \"%s\" "
                    "that arrived before the reply to token %u",
                    m->header.cmdstr, m->header.cmd, m->header.token, from, token);
        free(m);
    }
}

/* The message inside a conversion's reply, checked to fit it. */
static struct ng_mesg *inner_msg(struct ng_mesg *reply)
{
    struct ng_mesg *in = (struct ng_mesg *)reply->data;
    if (reply->header.arglen < sizeof(in->header) ||
        in->header.arglen > reply->header.arglen - sizeof(in->header))
        return NULL;
    return in;
}

/* Send the generic conversion command cmd with arg (arglen bytes) from n
 * to path and read its reply. */
static int convert(struct ngi_nc_node *n, const char *path, uint32_t cmd, const void *arg,
                   size_t arglen, struct ng_mesg **replyp)
{
    struct ng_mesg_header h;
    memset(&h, 0, sizeof(h));
    h.version = NG_VERSION;
    h.cmd = cmd;
    h.flags = NGF_ORIG;
    h.token = ngi_nc_token();
    h.typecookie = NGM_GENERIC_COOKIE;
    snprintf(h.cmdstr, sizeof(h.cmdstr), "%s",
             cmd == NGM_ASCII2BINARY ? "ascii2binary" : "binary2ascii");
    int err = ngi_nc_deliver(n, path, &h, arg, arglen);
    if (err < 0)
        return err;
    return recv_reply(n, h.token, replyp);
}

static int send_ascii(struct ngi_nc_node *n, const char *path, char *text)
{
    char *cmd = text;
    while (isspace((unsigned char)*cmd))
        cmd++;
    char *args = cmd;
    while (*args && !isspace((unsigned char)*args))
        args++;
    size_t cmdlen = (size_t)(args - cmd);
    if (cmdlen == 0 || cmdlen >= NG_CMDSTRSIZ)
        return -EINVAL;
    if (*args)
        *args++ = '\0';
    while (isspace((unsigned char)*args))
        args++;
    size_t alen = strlen(args) + 1;
    if (sizeof(struct ng_mesg_header) + alen > NG_MAX_MSG_ARGLEN)
        return -EMSGSIZE;
    struct ng_mesg *a = calloc(1, sizeof(*a) + alen);
    if (!a)
        return -ENOMEM;
    a->header.version = NG_VERSION;
    a->header.arglen = (uint32_t)alen;
    snprintf(a->header.cmdstr, sizeof(a->header.cmdstr), "%s", cmd);
    memcpy(a->data, args, alen);
    struct ng_mesg *reply = NULL;
    int err = convert(n, path, NGM_ASCII2BINARY, a, sizeof(*a) + alen, &reply);
    free(a);
    if (err < 0)
        return err;
    struct ng_mesg *bin = inner_msg(reply);
    if (!bin) {
        free(reply);
        return -EPROTO;
    }
    bin->header.token = ngi_nc_token();
    bin->header.version = NG_VERSION;
    err = ngi_nc_deliver(n, path, &bin->header, bin->data, bin->header.arglen);
    uint32_t token = bin->header.token;
    free(reply);
    return err < 0 ? err : (int)token;
}

int NgSendAsciiMsg(int cs, const char *path, const char *fmt, ...)
{
    char *text = NULL;
    va_list ap;
    va_start(ap, fmt);
    int len = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (len < 0)
        return ngi_nc_fail("NgSendAsciiMsg", -ENOMEM);
    struct ngi_nc_node *n = ngi_nc_get(cs, NGI_NC_CTL);
    int r = n ? send_ascii(n, path, text) : -EBADF;
    if (n)
        ngi_nc_put(n);
    free(text);
    return r < 0 ? ngi_nc_fail("NgSendAsciiMsg", r) : r;
}

/* Receive a message on n and convert it with its sender; the ASCII form
 * into *bufp (size bytes, ERANGE if too small) or a malloc'ed buffer. */
static int recv_ascii(struct ngi_nc_node *n, struct ng_mesg **bufp, size_t size, int alloc,
                      char *path)
{
    struct ng_mesg *m = NULL;
    char from[NG_PATHSIZ];
    int len = ngi_nc_recv_msg(n, &m, 0, 1, from);
    if (len < 0)
        return len;
    if (path)
        snprintf(path, NG_PATHSIZ, "%s", from);
    struct ng_mesg *reply = NULL;
    int err = convert(n, from, NGM_BINARY2ASCII, m, (size_t)len, &reply);
    free(m);
    if (err < 0)
        return err;
    err = 0;
    struct ng_mesg *a = inner_msg(reply);
    if (!a) {
        free(reply);
        return -EPROTO;
    }
    size_t alen = sizeof(*a) + a->header.arglen;
    if (alloc) {
        *bufp = malloc(alen);
        if (!*bufp)
            err = -ENOMEM;
    } else if (alen > size) {
        err = -ERANGE;
    }
    if (err == 0)
        memcpy(*bufp, a, alen);
    free(reply);
    return err < 0 ? err : (int)alen;
}

int NgRecvAsciiMsg(int cs, struct ng_mesg *buf, size_t replen, char *path)
{
    if (!buf)
        return ngi_nc_fail("NgRecvAsciiMsg", -EINVAL);
    struct ngi_nc_node *n = ngi_nc_get(cs, NGI_NC_CTL);
    int r = n ? recv_ascii(n, &buf, replen, 0, path) : -EBADF;
    if (n)
        ngi_nc_put(n);
    return r < 0 ? ngi_nc_fail("NgRecvAsciiMsg", r) : r;
}

int NgAllocRecvAsciiMsg(int cs, struct ng_mesg **buf, char *path)
{
    if (!buf)
        return ngi_nc_fail("NgAllocRecvAsciiMsg", -EINVAL);
    *buf = NULL;
    struct ngi_nc_node *n = ngi_nc_get(cs, NGI_NC_CTL);
    int r = n ? recv_ascii(n, buf, 0, 1, path) : -EBADF;
    if (n)
        ngi_nc_put(n);
    return r < 0 ? ngi_nc_fail("NgAllocRecvAsciiMsg", r) : r;
}
