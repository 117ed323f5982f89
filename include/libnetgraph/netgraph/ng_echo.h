/*
 * <netgraph/ng_echo.h> for programs written against FreeBSD's libnetgraph:
 * the echo node type's name, cookie, commands and structs, which are
 * libngraph's built-in type's own (<ngraph/nodes.h>, FreeBSD's names,
 * numbers and layouts).
 */
#ifndef LIBNETGRAPH_NG_ECHO_H
#define LIBNETGRAPH_NG_ECHO_H

#include <ngraph/nodes.h>

#endif
