/*
 * echo.c - the "echo" node type (FreeBSD's ng_echo, docs/nodes/echo.md):
 * data goes back out of the hook it came in on; non-generic messages are
 * answered with a copy of themselves (the sender gets its own message back
 * as the response); a response (NGF_RESP) is freed, never answered: two
 * echoes, given a message sent to one in the other's name, would otherwise
 * bounce the answer between them for ever (FreeBSD's does).  Any
 * hook name is accepted; the node shuts down when its last hook is
 * disconnected (NG_TYPE_CLOSE_ON_LAST_HOOK).  Stateless, so rcvdata runs
 * concurrently (NG_TYPE_CONCURRENT_DATA).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ngraph/ngraph.h>

static int echo_rcvdata(struct ng_hook *hook, struct ng_item *item)
{
    return ng_send_data(hook, item);
}

static int echo_rcvmsg(struct ng_node *node, struct ng_item *item, struct ng_hook *lasthook)
{
    (void)node;
    (void)lasthook;
    const struct ng_mesg *m = ng_item_msg(item);
    if (m->header.flags & NGF_RESP) { /* never answer an answer */
        ng_item_free(item);
        return 0;
    }
    struct ng_mesg *r = ng_mesg_response(m, m->header.arglen);
    if (!r) {
        ng_item_free(item);
        return -ENOMEM;
    }
    memcpy(r->data, m->data, m->header.arglen);
    return ng_respond(item, 0, r);
}

const struct ng_type ng_echo_type = {
    .version = NG_ABI_VERSION,
    .name = NG_ECHO_NODE_TYPE,
    .cookie = NGM_ECHO_COOKIE,
    .flags = NG_TYPE_CONCURRENT_DATA | NG_TYPE_CLOSE_ON_LAST_HOOK,
    .rcvmsg = echo_rcvmsg,
    .rcvdata = echo_rcvdata,
};
