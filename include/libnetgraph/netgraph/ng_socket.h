/*
 * <netgraph/ng_socket.h> for programs written against FreeBSD's
 * libnetgraph: the socket node's type name, cookie and commands
 * (<ngraph/server.h>), the socket kinds and struct sockaddr_ng.
 *
 * There is no PF_NETGRAPH on Linux (its number, 32, is AF_IUCV there):
 * sockets are made by NgMkSockNode() only, and sockaddr_ng exists so that
 * code filling one compiles; the library does not accept it anywhere.
 */
#ifndef LIBNETGRAPH_NG_SOCKET_H
#define LIBNETGRAPH_NG_SOCKET_H

#include <ngraph/server.h>

#define NG_DATA 1
#define NG_CONTROL 2

struct sockaddr_ng {
    unsigned char sg_len;    /* total length */
    unsigned char sg_family; /* FreeBSD's AF_NETGRAPH */
    char sg_data[14];        /* path, actually longer */
};

#endif
