/*
 * path.c - netgraph addresses: "name:", "[id]:", "name:h1.h2", ".", "h1.h2".
 *
 * Resolution runs inside the caller's read-side section and only follows
 * release-published pointers (hash chains, hook lists, hook->peer); with the
 * rwlock baseline it holds the topology read lock.  The result is pinned
 * with references (ngi_node_tryref / ngi_hook_tryref), so it stays valid after
 * the section ends.
 */
#include <stdlib.h>

#include "control.h"

static int parse_id(const char *s, size_t len, ng_id_t *id)
{
    /* "[hex]" with 1..8 hex digits */
    if (len < 3 || s[0] != '[' || s[len - 1] != ']' || len - 2 > 8)
        return -EINVAL;
    uint32_t v = 0;
    for (size_t i = 1; i < len - 1; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return -EINVAL;
        v = (v << 4) | d;
    }
    if (v == 0)
        return -EINVAL;
    *id = v;
    return 0;
}

/* Check the syntax of a whole path without looking anything up. */
static int path_split(const char *path, const char **nodepart, size_t *nodelen,
                      const char **hookpart)
{
    size_t len = strnlen(path, NG_PATHSIZ);
    if (len == 0 || len >= NG_PATHSIZ)
        return -EINVAL;
    const char *colon = strchr(path, ':');
    if (colon) {
        if (strchr(colon + 1, ':'))
            return -EINVAL;
        *nodepart = path;
        *nodelen = (size_t)(colon - path);
        *hookpart = colon + 1;
        if (*nodelen == 0)
            return -EINVAL;
    } else if (strcmp(path, ".") == 0) {
        *nodepart = path;
        *nodelen = 1;
        *hookpart = "";
    } else {
        *nodepart = NULL; /* relative to the sender */
        *nodelen = 0;
        *hookpart = path;
    }
    /* Hook part: empty, or names separated by single dots. */
    const char *h = *hookpart;
    if (*h) {
        for (const char *c = h;;) {
            const char *dot = strchr(c, '.');
            size_t hl = dot ? (size_t)(dot - c) : strlen(c);
            if (hl == 0 || hl >= NG_HOOKSIZ)
                return -EINVAL;
            char name[NG_HOOKSIZ];
            memcpy(name, c, hl);
            name[hl] = '\0';
            if (ng_name_check(name, NG_HOOKSIZ))
                return -EINVAL;
            if (!dot)
                break;
            c = dot + 1;
        }
    }
    return 0;
}

int ngi_path_lookup(struct ng_graph *g, struct ng_node *from, const char *path, struct ng_node **np,
                    struct ng_hook **lasthookp)
{
    *np = NULL;
    if (lasthookp)
        *lasthookp = NULL;
    const char *nodepart, *hookpart;
    size_t nodelen;
    int rc = path_split(path, &nodepart, &nodelen, &hookpart);
    if (rc)
        return rc;

    struct ng_node *n = NULL;
    ngi_topo_rlock(g);
    if (!nodepart || (nodelen == 1 && nodepart[0] == '.')) {
        if (!from) {
            rc = -EINVAL;
            goto out;
        }
        n = from;
    } else if (nodepart[0] == '[') {
        ng_id_t id;
        if ((rc = parse_id(nodepart, nodelen, &id)) != 0)
            goto out;
        n = ngi_node_lookup_id(g, id);
    } else {
        char name[NG_NODESIZ];
        if (nodelen >= NG_NODESIZ) {
            rc = -EINVAL;
            goto out;
        }
        memcpy(name, nodepart, nodelen);
        name[nodelen] = '\0';
        if ((rc = ng_name_check(name, NG_NODESIZ)) != 0)
            goto out;
        n = ngi_node_lookup_name(g, name);
    }
    if (!n) {
        rc = -ENOENT;
        goto out;
    }
    struct ng_hook *last = NULL;
    for (const char *c = hookpart; *c;) {
        const char *dot = strchr(c, '.');
        size_t hl = dot ? (size_t)(dot - c) : strlen(c);
        char name[NG_HOOKSIZ];
        memcpy(name, c, hl);
        name[hl] = '\0';
        struct ng_hook *h = ngi_findhook(n, name);
        struct ng_hook *peer = h ? ngi_hook_far(h) : NULL; /* past bypass relays */
        if (!peer) {
            rc = -ENOENT;
            goto out;
        }
        last = peer;
        n = peer->node;
        c = dot ? dot + 1 : c + hl;
    }
    if (!ngi_node_tryref(n)) {
        rc = -ENOENT;
        goto out;
    }
    if (lasthookp && last) {
        if (ngi_hook_tryref(last))
            *lasthookp = last;
    }
    *np = n;
    rc = 0;
out:
    ngi_topo_runlock(g);
    return rc;
}

int ng_path_resolve(struct ng_graph *g, struct ng_node *from, const char *path, struct ng_node **np,
                    struct ng_hook **lasthookp)
{
    if (!g || !path || !np || (from && from->g != g))
        return -EINVAL; /* a node of another graph: its relative paths mean nothing here */
    struct ngi_thread *t = ngi_enter(g);
    if (!t)
        return -ENOMEM;
    int rc = ngi_path_lookup(g, from, path, np, lasthookp);
    ngi_exit(t);
    return rc;
}

int ng_node_find(struct ng_graph *g, const char *addr, struct ng_node **np)
{
    if (!g || !addr || !np)
        return -EINVAL;
    *np = NULL;
    /* Accept "name", "name:", "[id]", "[id]:" only: no hook path. */
    size_t len = strnlen(addr, NG_NODESIZ + 1);
    if (len > 0 && addr[len - 1] == ':')
        len--;
    if (len == 0 || len >= NG_NODESIZ)
        return -EINVAL;
    char buf[NG_NODESIZ + 1];
    memcpy(buf, addr, len);
    buf[len] = ':';
    buf[len + 1] = '\0';
    if (memchr(buf, '.', len) || memchr(buf, ':', len))
        return -EINVAL;
    struct ngi_thread *t = ngi_enter(g);
    if (!t)
        return -ENOMEM;
    int rc = ngi_path_lookup(g, NULL, buf, np, NULL);
    ngi_exit(t);
    return rc;
}
