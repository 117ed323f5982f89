/*
 * ether_echo.c - the "ether_echo" node type (FreeBSD's ng_ether_echo(4)):
 * every frame goes back out the hook it arrived on with its Ethernet
 * destination and source addresses swapped; every non-generic control
 * message is reflected to its sender as the response (same cookie, command
 * and arguments).  Any hook name is accepted; the node shuts down when its
 * last hook goes.  Frames shorter than an Ethernet header
 * (NG_ETHER_ECHO_MIN_FRAME bytes: FreeBSD's m_pullup fails on them) are
 * freed, counted as runts and refused with -EINVAL.  TEXT_STATUS reports
 * the counters.
 *
 * Mode: shared (NG_TYPE_CONCURRENT_DATA).  The only state is counters,
 * per thread (ng_pcounter), added by rcvdata and summed by rcvmsg; the
 * private struct is freed by shutdown, after a grace period.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/ngraph.h>
#include <ngraph/nodes/ether_echo.h>
#include <ngraph/runtime.h>

enum { EE_FRAMES, EE_OCTETS, EE_RUNTS, EE_FAILED, EE_N };

struct ee_priv {
    struct ng_pcounter *st; /* EE_N, per thread */
};

static int ee_constructor(struct ng_node *node)
{
    struct ee_priv *p = calloc(1, sizeof(*p));
    if (!p || ng_pcounter_create(EE_N, &p->st) != 0) {
        free(p);
        return -ENOMEM;
    }
    ng_node_set_private(node, p);
    return 0;
}

static void ee_shutdown(struct ng_node *node)
{
    /* A persistent node revives (ng_node_set_persistent) with its state:
     * freeing it here would leave the revived node without one. */
    if (ng_node_is_valid(node))
        return;
    struct ee_priv *p = ng_node_private(node);
    ng_pcounter_destroy(p->st);
    free(p);
    ng_node_set_private(node, NULL);
}

static int ee_disconnect(struct ng_hook *hook)
{
    struct ng_node *node = ng_hook_node(hook);
    if (ng_node_numhooks(node) == 0 && ng_node_is_valid(node))
        ng_node_shutdown(node);
    return 0;
}

static int ee_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    struct ee_priv *p = ng_node_private(ng_hook_node(hook));
    uint32_t len = ng_item_len(item);
    if (len < NG_ETHER_ECHO_MIN_FRAME) {
        ng_pcounter_add(p->st, EE_RUNTS, 1);
        ng_item_free(item);
        return -EINVAL;
    }
    uint8_t *d = ng_item_data(item), tmp[6];
    memcpy(tmp, d, 6);
    memcpy(d, d + 6, 6);
    memcpy(d + 6, tmp, 6);
    int rc = ng_send_data(hook, item);
    if (rc == 0)
        ng_pcounter_add2(p->st, EE_FRAMES, 1, len);
    else
        ng_pcounter_add(p->st, EE_FAILED, 1);
    return rc;
}

static int ee_status(struct ee_priv *p, struct ng_item *item)
{
    struct ng_mesg *r = ng_mesg_response(ng_item_msg(item), NG_TEXTRESPONSE);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    snprintf(r->data, NG_TEXTRESPONSE,
             "echoedFrames=%llu echoedOctets=%llu runts=%llu failed=%llu\n",
             (unsigned long long)ng_pcounter_read(p->st, EE_FRAMES),
             (unsigned long long)ng_pcounter_read(p->st, EE_OCTETS),
             (unsigned long long)ng_pcounter_read(p->st, EE_RUNTS),
             (unsigned long long)ng_pcounter_read(p->st, EE_FAILED));
    r->header.arglen = (uint32_t)strlen(r->data) + 1;
    return ng_respond(item, 0, r);
}

static int ee_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)lasthook;
    const struct ng_mesg *m = ng_item_msg(item);
    if (m->header.flags & NGF_RESP) { /* never answer an answer: two echoes would loop */
        ng_item_free(item);
        return 0;
    }
    if (m->header.typecookie == NGM_GENERIC_COOKIE && m->header.cmd == NGM_TEXT_STATUS)
        return ee_status(ng_node_private(node), item);
    struct ng_mesg *r = ng_mesg_response(m, m->header.arglen);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    memcpy(r->data, m->data, m->header.arglen);
    return ng_respond(item, 0, r);
}

const struct ng_type ng_ether_echo_type = {
    .version = NG_ABI_VERSION,
    .name = NG_ETHER_ECHO_NODE_TYPE,
    .cookie = NGM_ETHER_ECHO_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA,
    .constructor = ee_constructor,
    .rcvmsg = ee_rcvmsg,
    .shutdown = ee_shutdown,
    .rcvdata = ee_rcvdata,
    .disconnect = ee_disconnect,
};
