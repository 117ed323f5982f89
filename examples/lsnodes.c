/*
 * lsnodes.c - a program written as for FreeBSD's libnetgraph: it includes
 * <netgraph.h> only, makes a socket node, asks "." for the list of nodes
 * (NGM_LISTNODES) and prints one line per node.  Built out of tree against
 * an installed libnetgraph with pkg-config (scripts/check-install.sh runs it
 * against the installed ngraphd).
 *
 *   lsnodes            uses $NGRAPH_SOCKET or the default socket
 *   exit status        0, or 1 with the error on stderr
 */
#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <netgraph.h>

int main(void)
{
    int cs;
    if (NgMkSockNode(NULL, &cs, NULL) < 0)
        err(1, "NgMkSockNode");
    if (NgSendMsg(cs, ".", NGM_GENERIC_COOKIE, NGM_LISTNODES, NULL, 0) < 0)
        err(1, "NgSendMsg(LISTNODES)");
    struct ng_mesg *resp;
    if (NgAllocRecvMsg(cs, &resp, NULL) < 0)
        err(1, "NgAllocRecvMsg");
    const struct namelist *nl = (const struct namelist *)resp->data;
    for (uint32_t i = 0; i < nl->numnames; i++) {
        const struct nodeinfo *ni = &nl->nodeinfo[i];
        printf("[%x]: %s %s %u\n", (unsigned)ni->id, ni->name[0] ? ni->name : "<unnamed>",
               ni->type, (unsigned)ni->hooks);
    }
    free(resp);
    close(cs);
    return 0;
}
