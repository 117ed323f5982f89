/*
 * mesg.c - whole messages to and from their ASCII form with a node type's
 * command list, then the generic one (NGM_BINARY2ASCII / NGM_ASCII2BINARY
 * and ng_send_ascii are built on these).
 */
#include <stdlib.h>

#include "msgobj.h"
#include "text.h"

/* First text buffer for a conversion; doubled up to NG_MAX_RESP_ARGLEN. */
#define TEXT_START 1024u

static const struct ng_cmdlist *by_cmd(const struct ng_cmdlist *l, uint32_t cookie, uint32_t cmd)
{
    for (; l && l->name; l++)
        if (l->cookie == cookie && l->cmd == cmd)
            return l;
    return NULL;
}

static const struct ng_cmdlist *by_name(const struct ng_cmdlist *l, const char *name)
{
    for (; l && l->name; l++)
        if (strcmp(l->name, name) == 0)
            return l;
    return NULL;
}

static struct ng_mesg *mesg_new(const struct ng_mesg_header *h, size_t arglen)
{
    struct ng_mesg *m = ngi_mesg_alloc(h->typecookie, h->cmd, arglen, NG_MAX_RESP_ARGLEN);
    if (!m)
        return NULL;
    m->header = *h;
    m->header.arglen = (uint32_t)arglen;
    return m;
}

int ng_mesg_to_ascii(const struct ng_type *type, const struct ng_mesg *msg, struct ng_mesg **out)
{
    if (out)
        *out = NULL;
    if (!msg || !out)
        return -EINVAL;
    const struct ng_cmdlist *c =
        by_cmd(type ? type->cmdlist : NULL, msg->header.typecookie, msg->header.cmd);
    if (!c)
        c = by_cmd(ng_generic_cmds, msg->header.typecookie, msg->header.cmd);
    if (!c)
        return -ENOSYS;
    const struct ng_parse_type *pt = (msg->header.flags & NGF_RESP) ? c->resp_type : c->mesg_type;
    char *text = NULL;
    int len = 0;
    if (pt) {
        for (size_t cap = TEXT_START;; cap *= 2) {
            char *t = realloc(text, cap);
            if (!t) {
                free(text);
                return -ENOMEM;
            }
            text = t;
            len = ng_unparse(pt, msg->data, msg->header.arglen, text, cap);
            if (len != -ERANGE)
                break;
            if (cap * 2 > NG_MAX_RESP_ARGLEN) {
                len = -ENOMEM;
                break;
            }
        }
        if (len < 0) {
            free(text);
            return len;
        }
    }
    struct ng_mesg *r = mesg_new(&msg->header, (size_t)len + 1);
    if (!r) {
        free(text);
        return -ENOMEM;
    }
    memset(r->header.cmdstr, 0, sizeof(r->header.cmdstr));
    strncpy(r->header.cmdstr, c->name, sizeof(r->header.cmdstr) - 1);
    if (text)
        memcpy(r->data, text, (size_t)len + 1);
    free(text);
    *out = r;
    return 0;
}

int ng_mesg_from_ascii(const struct ng_type *type, const struct ng_mesg *msg, struct ng_mesg **out,
                       size_t *erroff)
{
    if (out)
        *out = NULL;
    if (erroff)
        *erroff = 0;
    if (!msg || !out || strnlen(msg->header.cmdstr, NG_CMDSTRSIZ) == NG_CMDSTRSIZ)
        return -EINVAL;
    const struct ng_cmdlist *c = by_name(type ? type->cmdlist : NULL, msg->header.cmdstr);
    if (!c)
        c = by_name(ng_generic_cmds, msg->header.cmdstr);
    if (!c)
        return -ENOSYS;
    const struct ng_parse_type *pt = (msg->header.flags & NGF_RESP) ? c->resp_type : c->mesg_type;
    /* The text: up to its NUL, or all arglen bytes. */
    size_t tlen = strnlen(msg->data, msg->header.arglen);
    char *text = malloc(tlen + 1);
    if (!text)
        return -ENOMEM;
    memcpy(text, msg->data, tlen);
    text[tlen] = '\0';
    size_t blen = 0, ts, tl;
    uint8_t *bin = NULL;
    int rc = 0;
    if (pt) {
        /* A sender's message is bounded by NG_MAX_MSG_ARGLEN; a response (a
         * type's table, say) may be as large as NG_MAX_RESP_ARGLEN.  The
         * buffer's untouched pages cost nothing. */
        blen = (msg->header.flags & NGF_RESP) ? NG_MAX_RESP_ARGLEN : NG_MAX_MSG_ARGLEN;
        bin = malloc(blen);
        rc = bin ? ng_parse(pt, text, erroff, bin, &blen) : -ENOMEM;
    } else if (ngi_tok_next(text, 0, &ts, &tl) != NGI_TOK_EOF) {
        rc = -EINVAL; /* the command takes no argument */
        if (erroff)
            *erroff = ts;
    }
    free(text);
    struct ng_mesg *r = rc ? NULL : mesg_new(&msg->header, blen);
    if (!rc && !r)
        rc = -ENOMEM;
    if (r) {
        r->header.typecookie = c->cookie;
        r->header.cmd = c->cmd;
        memset(r->header.cmdstr, 0, sizeof(r->header.cmdstr));
        strncpy(r->header.cmdstr, c->name, sizeof(r->header.cmdstr) - 1);
        if (blen)
            memcpy(r->data, bin, blen);
    }
    free(bin);
    *out = r;
    return rc;
}
