/*
 * ascii.c - messages in their ASCII form: the engine's NGM_ASCII2BINARY and
 * NGM_BINARY2ASCII (for every node, with its type's command list, then the
 * generic one, as FreeBSD's), and ng_send_ascii.
 */
#include <stdlib.h>

#include <ngraph/parse.h>

#include "control.h"

/* The message inside a conversion message's argument, if its header is
 * whole and its arglen within the bytes that follow (else NULL). */
static const struct ng_mesg *inner_mesg(const struct ng_mesg *m)
{
    if (m->header.arglen < sizeof(struct ng_mesg_header))
        return NULL;
    const struct ng_mesg *in = (const struct ng_mesg *)(const void *)m->data;
    if (in->header.arglen > m->header.arglen - sizeof(struct ng_mesg_header))
        return NULL;
    return in;
}

int ngi_ascii_msg(struct ng_node *n, struct ng_item *it)
{
    const struct ng_mesg *m = ng_item_msg(it);
    const struct ng_mesg *in = inner_mesg(m);
    if (!in) {
        ng_item_free(it);
        return -EINVAL;
    }
    struct ng_mesg *conv = NULL;
    int rc = m->header.cmd == NGM_ASCII2BINARY ? ng_mesg_from_ascii(n->type, in, &conv, NULL)
                                               : ng_mesg_to_ascii(n->type, in, &conv);
    struct ng_mesg *r = NULL;
    if (rc == 0) {
        size_t len = sizeof(conv->header) + conv->header.arglen;
        r = ngi_mesg_response_large(m, len);
        if (r)
            memcpy(r->data, conv, len);
        else
            rc = -ENOMEM;
    }
    ng_mesg_free(conv);
    if (rc) {
        ng_item_free(it);
        return rc;
    }
    return ng_respond(it, 0, r);
}

/* Split "cmd args" into the command word (in cmd, NG_CMDSTRSIZ bytes) and
 * a pointer to the arguments. */
static int split_cmd(const char *text, char *cmd, const char **args)
{
    while (*text == ' ' || *text == '\t' || *text == '\n')
        text++;
    size_t n = strcspn(text, " \t\n");
    if (n == 0 || n >= NG_CMDSTRSIZ)
        return -EINVAL;
    memcpy(cmd, text, n);
    cmd[n] = '\0';
    *args = text + n;
    return 0;
}

int ng_send_ascii(struct ng_graph *g, const char *path, const char *text, char **resp_text)
{
    if (resp_text)
        *resp_text = NULL;
    if (!g || !path || !text)
        return -EINVAL;
    char cmd[NG_CMDSTRSIZ];
    const char *args;
    int rc = split_cmd(text, cmd, &args);
    if (rc)
        return rc;
    size_t alen = strlen(args) + 1;
    if (alen > NG_MAX_MSG_ARGLEN)
        return -EMSGSIZE;
    /* The conversions use the target's type, as its NGM_ASCII2BINARY and
     * NGM_BINARY2ASCII would (and answers larger than a sender's argument
     * limit convert too). */
    struct ng_node *n;
    if ((rc = ng_path_resolve(g, NULL, path, &n, NULL)) != 0)
        return rc;
    const struct ng_type *type = ng_node_type(n);
    ng_node_unref(n);
    struct ng_mesg *am = ngi_mesg_alloc(0, 0, alen, NG_MAX_RESP_ARGLEN);
    if (!am)
        return -ENOMEM;
    memcpy(am->header.cmdstr, cmd, strlen(cmd) + 1);
    memcpy(am->data, args, alen);
    struct ng_mesg *bin = NULL, *ans = NULL, *txt = NULL;
    rc = ng_mesg_from_ascii(type, am, &bin, NULL);
    ng_mesg_free(am);
    if (rc)
        return rc;
    bin->header.token = 0;
    rc = ng_send_msg(g, NULL, path, bin, resp_text ? &ans : NULL);
    if (rc || !ans) {
        ng_mesg_free(ans);
        return rc;
    }
    rc = ng_mesg_to_ascii(type, ans, &txt);
    ng_mesg_free(ans);
    if (rc)
        return rc;
    *resp_text = malloc(txt->header.arglen);
    if (*resp_text)
        memcpy(*resp_text, txt->data, txt->header.arglen);
    else
        rc = -ENOMEM;
    ng_mesg_free(txt);
    return rc;
}
