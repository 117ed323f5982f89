/*
 * <netgraph/ng_message.h> for programs written against FreeBSD's
 * libnetgraph: the message header, generic commands and their structs,
 * which are libngraph's own (<ngraph/message.h>, same names, numbers and
 * layouts as FreeBSD's), plus the older FreeBSD spellings still found in
 * such programs.
 */
#ifndef LIBNETGRAPH_NG_MESSAGE_H
#define LIBNETGRAPH_NG_MESSAGE_H

#include <ngraph/message.h>

/* Name lengths without the NUL (FreeBSD before 8.0, still used in ports). */
#define NG_TYPELEN (NG_TYPESIZ - 1)
#define NG_HOOKLEN (NG_HOOKSIZ - 1)
#define NG_NODELEN (NG_NODESIZ - 1)
#define NG_PATHLEN (NG_PATHSIZ - 1)
#define NG_CMDSTRLEN (NG_CMDSTRSIZ - 1)

#endif
