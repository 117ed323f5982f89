/*
 * generic.c - the generic control messages every node understands
 * (NGM_GENERIC_COOKIE).  They run in the addressed node's writer context
 * and take the graph's control lock for the topology they read or change.
 */
#include <stdio.h>
#include <stdlib.h>

#include <ngraph/parse.h>

#include "control.h"

/* Copy a fixed-size name field and require NUL termination in it. */
static int arg_name(const char *field, size_t size)
{
    return strnlen(field, size) < size ? 0 : -EINVAL;
}

static struct ng_mesg *resp_alloc(struct ng_item *it, size_t arglen)
{
    return ngi_mesg_response_large(ng_item_msg(it), arglen);
}

static int list_nodes(struct ng_graph *g, struct ng_item *it, bool named_only)
{
    NGI_ASSERT_CTL(g);
    uint32_t count = 0;
    for (struct ng_node *n = g->nodes; n; n = n->all_next)
        if (!named_only || n->name[0])
            count++;
    struct ng_mesg *r =
        resp_alloc(it, sizeof(struct namelist) + (size_t)count * sizeof(struct nodeinfo));
    if (!r) {
        ng_item_free(it);
        return -ENOMEM;
    }
    struct namelist *nl = (struct namelist *)(void *)r->data;
    for (struct ng_node *n = g->nodes; n; n = n->all_next)
        if (!named_only || n->name[0])
            ngi_node_nodeinfo(n, &nl->nodeinfo[nl->numnames++]);
    return ng_respond(it, 0, r);
}

static int text_status(struct ng_node *n, struct ng_item *it)
{
    NGI_ASSERT_CTL(n->g);
    struct ng_mesg *r = resp_alloc(it, NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(it);
        return -ENOMEM;
    }
    struct ngi_qsnap q;
    ngi_node_qsnap(n, &q);
    int len = snprintf(r->data, NG_TEXTRESPONSE,
                       "Name: %s\nType: %s\nID: [%x]\nHooks: %d\nReaders: %u  Writer: %s  "
                       "Queue: %s  Entry: %s\n",
                       n->name[0] ? n->name : "<unnamed>", n->type->name, n->id, n->numhooks,
                       q.readers, q.writer ? "yes" : "no", q.pending ? "pending" : "empty",
                       q.biased ? "biased" : "counted");
    for (struct ng_hook *h = atomic_load(&n->hooks); h && len < NG_TEXTRESPONSE;
         h = atomic_load(&h->next)) {
        struct ng_hook *p = ngi_hook_far(h); /* past bypass relays */
        len += snprintf(r->data + len, (size_t)(NG_TEXTRESPONSE - len), "  %s -> [%x]:%s\n",
                        h->name, p ? p->node->id : 0, p ? p->name : "<none>");
    }
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(it, 0, r);
}

/* NGM_STATS: the node's counters and each hook's.  ctl_lock held. */
static int stats_msg(struct ng_node *n, struct ng_item *it)
{
    NGI_ASSERT_CTL(n->g); /* the hook list is stable */
    uint32_t nh = 0;
    for (struct ng_hook *h = atomic_load(&n->hooks); h; h = atomic_load(&h->next))
        nh++;
    struct ng_mesg *r =
        resp_alloc(it, sizeof(struct ng_node_stats) + (size_t)nh * sizeof(struct ng_hook_stats));
    if (!r) {
        ng_item_free(it);
        return -ENOMEM;
    }
    struct ng_node_stats *st = (struct ng_node_stats *)(void *)r->data;
    ngi_node_stats_sum(n, st);
    uint32_t i = 0;
    for (struct ng_hook *h = atomic_load(&n->hooks); h && i < nh; h = atomic_load(&h->next))
        ngi_hook_stats_sum(h, &st->hook[i++]);
    st->nhooks = i;
    return ng_respond(it, 0, r);
}

bool ngi_generic_owns(const struct ng_node *n, const struct ng_mesg *m)
{
    if (m->header.flags & NGF_RESP)
        return false;
    if (m->header.typecookie == NGM_NGRAPH_COOKIE)
        return true;
    if (m->header.typecookie != NGM_GENERIC_COOKIE)
        return false;
    /* TEXT_STATUS and TEXT_CONFIG are the type's (FreeBSD hands them to
     * rcvmsg); the engine answers them only for a type without one. */
    return !((m->header.cmd == NGM_TEXT_STATUS || m->header.cmd == NGM_TEXT_CONFIG) &&
             n->type->rcvmsg);
}

/* The command's entry in the generic list, and its argument long enough
 * for its struct (nothing is read past arglen).  -EINVAL otherwise. */
static int generic_check(const struct ng_mesg *m)
{
    for (const struct ng_cmdlist *c = ng_generic_cmds; c->name; c++)
        if (c->cookie == m->header.typecookie && c->cmd == m->header.cmd)
            return m->header.arglen < c->min_arglen ? -EINVAL : 0;
    return -EINVAL;
}

int ngi_generic_msg(struct ng_node *n, struct ng_item *it, struct ng_hook *lasthook)
{
    (void)lasthook;
    struct ng_graph *g = n->g;
    struct ng_mesg *m = ng_item_msg(it);
    const void *arg = m->data;
    int rc;

    if (m->header.typecookie == NGM_NGRAPH_COOKIE) { /* NGM_STATS only */
        if ((rc = generic_check(m)) != 0) {
            ng_item_free(it);
            return rc;
        }
        ngi_ctl_lock(g);
        rc = stats_msg(n, it);
        ngi_ctl_unlock(g);
        return rc;
    }
    if ((rc = generic_check(m)) != 0) {
        ng_item_free(it);
        return rc;
    }
    ngi_ctl_lock(g);
    switch (m->header.cmd) {
    case NGM_SHUTDOWN:
        rc = ngi_node_shutdown_locked(n, false);
        break;
    case NGM_MKPEER: {
        const struct ngm_mkpeer *a = arg;
        if (arg_name(a->type, NG_TYPESIZ) || arg_name(a->ourhook, NG_HOOKSIZ) ||
            arg_name(a->peerhook, NG_HOOKSIZ)) {
            rc = -EINVAL;
            break;
        }
        rc = ng_mkpeer(n, a->ourhook, a->type, a->peerhook, NULL);
        break;
    }
    case NGM_CONNECT: {
        const struct ngm_connect *a = arg;
        if (arg_name(a->path, NG_PATHSIZ) || arg_name(a->ourhook, NG_HOOKSIZ) ||
            arg_name(a->peerhook, NG_HOOKSIZ)) {
            rc = -EINVAL;
            break;
        }
        struct ng_node *peer;
        rc = ng_path_resolve(g, n, a->path, &peer, NULL);
        if (rc == 0) {
            rc = ngi_connect_locked(n, a->ourhook, peer, a->peerhook);
            ng_node_unref(peer);
        }
        break;
    }
    case NGM_NAME: {
        const struct ngm_name *a = arg;
        rc = arg_name(a->name, NG_NODESIZ) ? -EINVAL : ngi_node_name_locked(n, a->name);
        break;
    }
    case NGM_RMHOOK: {
        const struct ngm_rmhook *a = arg;
        rc = arg_name(a->ourhook, NG_HOOKSIZ) ? -EINVAL : ngi_rmhook_locked(n, a->ourhook);
        break;
    }
    case NGM_NODEINFO: {
        struct ng_mesg *r = resp_alloc(it, sizeof(struct nodeinfo));
        if (!r) {
            rc = -ENOMEM;
            break;
        }
        ngi_node_nodeinfo(n, (struct nodeinfo *)(void *)r->data);
        ngi_ctl_unlock(g);
        return ng_respond(it, 0, r);
    }
    case NGM_LISTHOOKS: {
        struct ng_mesg *r =
            resp_alloc(it, sizeof(struct hooklist) + (size_t)n->numhooks * sizeof(struct linkinfo));
        if (!r) {
            rc = -ENOMEM;
            break;
        }
        struct hooklist *hl = (struct hooklist *)(void *)r->data;
        ngi_node_nodeinfo(n, &hl->nodeinfo);
        uint32_t i = 0;
        for (struct ng_hook *h = atomic_load(&n->hooks); h && i < (uint32_t)n->numhooks;
             h = atomic_load(&h->next)) {
            struct ng_hook *p = ngi_hook_far(h); /* past bypass relays */
            strcpy(hl->link[i].ourhook, h->name);
            if (p) {
                strcpy(hl->link[i].peerhook, p->name);
                ngi_node_nodeinfo(p->node, &hl->link[i].nodeinfo);
            }
            i++;
        }
        hl->nodeinfo.hooks = i;
        ngi_ctl_unlock(g);
        return ng_respond(it, 0, r);
    }
    case NGM_LISTNAMES:
    case NGM_LISTNODES:
        rc = list_nodes(g, it, m->header.cmd == NGM_LISTNAMES);
        ngi_ctl_unlock(g);
        return rc;
    case NGM_LISTTYPES: {
        uint32_t count = 0;
        for (struct ngi_typeent *te = g->types; te; te = te->next)
            count++;
        struct ng_mesg *r =
            resp_alloc(it, sizeof(struct typelist) + (size_t)count * sizeof(struct typeinfo));
        if (!r) {
            rc = -ENOMEM;
            break;
        }
        struct typelist *tl = (struct typelist *)(void *)r->data;
        for (struct ngi_typeent *te = g->types; te; te = te->next) {
            strcpy(tl->typeinfo[tl->numtypes].type_name, te->type->name);
            tl->typeinfo[tl->numtypes++].numnodes = atomic_load(&te->numnodes);
        }
        ngi_ctl_unlock(g);
        return ng_respond(it, 0, r);
    }
    case NGM_TEXT_STATUS: /* only for a type without rcvmsg */
        rc = text_status(n, it);
        ngi_ctl_unlock(g);
        return rc;
    case NGM_TEXT_CONFIG: /* a type without rcvmsg has no configuration */
        rc = -EINVAL;
        break;
    case NGM_ASCII2BINARY:
    case NGM_BINARY2ASCII:
        ngi_ctl_unlock(g);
        return ngi_ascii_msg(n, it);
    default:
        rc = -EINVAL;
        break;
    }
    ngi_ctl_unlock(g);
    ng_item_free(it);
    return rc;
}
