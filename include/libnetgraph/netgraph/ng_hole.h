/*
 * <netgraph/ng_hole.h> for programs written against FreeBSD's libnetgraph:
 * the hole node type's name, cookie, commands and structs, which are
 * libngraph's built-in type's own (<ngraph/nodes.h>, FreeBSD's names,
 * numbers and layouts).
 */
#ifndef LIBNETGRAPH_NG_HOLE_H
#define LIBNETGRAPH_NG_HOLE_H

#include <ngraph/nodes.h>

#endif
