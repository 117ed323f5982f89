/*
 * data.c - libnetgraph's data packets: NgSendData() (a DATA request on the
 * node's request connection, answered with the graph's verdict),
 * NgRecvData() and NgAllocRecvData() (one DATA frame from the data
 * socket).
 */
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define NC_DATA_FRAME_MAX (sizeof(struct ngi_wire_hdr) + NGI_WIRE_ADDR_MAX + NGI_WIRE_DATA_MAX)

static int send_data(int ds, const char *hook, const unsigned char *buf, size_t len)
{
    if (!hook || (len && !buf))
        return -EINVAL;
    if (strlen(hook) >= NG_HOOKSIZ)
        return -EINVAL;
    if (len > NGI_WIRE_DATA_MAX)
        return -EMSGSIZE;
    struct ngi_nc_node *n = ngi_nc_get(ds, NGI_NC_DATA);
    if (!n)
        return -EBADF;
    ngi_nc_debug_data("SENDING DATA on hook", hook, buf, len);
    int err = ngi_nc_request(n, NGI_WIRE_DATA, hook, buf, len, NULL, 0);
    ngi_nc_put(n);
    return err;
}

int NgSendData(int ds, const char *hook, const unsigned char *buf, size_t len)
{
    int err = send_data(ds, hook, buf, len);
    return err < 0 ? ngi_nc_fail("NgSendData", err) : 0;
}

/* The receive buffer of the calling thread (NC_DATA_FRAME_MAX bytes): made
 * on its first NgRecvData, freed when the thread exits (the key's
 * destructor), so a receive costs no allocation.  Several threads may read
 * one data socket at once, each into its own. */
static pthread_key_t rx_key;
static pthread_once_t rx_once = PTHREAD_ONCE_INIT;
static int rx_key_ok;
static void rx_key_make(void) { rx_key_ok = pthread_key_create(&rx_key, free) == 0; }

static uint8_t *rx_buffer(void)
{
    pthread_once(&rx_once, rx_key_make);
    if (!rx_key_ok)
        return NULL;
    uint8_t *b = pthread_getspecific(rx_key);
    if (!b && (b = malloc(NC_DATA_FRAME_MAX)) && pthread_setspecific(rx_key, b) != 0) {
        free(b);
        b = NULL;
    }
    return b;
}

/* Receive one packet: into buf (len bytes, truncated) or, if alloc, into
 * a malloc'ed *bufp of its size. */
static int recv_data(int ds, unsigned char **bufp, size_t len, int alloc, char *hook)
{
    struct ngi_nc_node *n = ngi_nc_get(ds, NGI_NC_DATA);
    if (!n)
        return -EBADF;
    uint8_t *scratch = rx_buffer();
    int r = scratch ? 0 : -ENOMEM;
    struct ngi_wire_frame f;
    if (r == 0) {
        ssize_t got = ngi_nc_recv_frame(n->ds, scratch, NC_DATA_FRAME_MAX, 0, &f);
        if (got < 0)
            r = (int)got;
        else if (f.hdr.kind != NGI_WIRE_DATA)
            r = -EPROTO;
    }
    ngi_nc_put(n);
    if (r == 0) {
        size_t copy = f.paylen;
        if (alloc) {
            *bufp = malloc(copy ? copy : 1);
            if (!*bufp)
                r = -ENOMEM;
        } else if (copy > len) {
            copy = len; /* as recvfrom() truncates a datagram */
        }
        if (r == 0) {
            if (copy)
                memcpy(*bufp, f.payload, copy);
            if (hook)
                snprintf(hook, NG_HOOKSIZ, "%s", f.addr);
            ngi_nc_debug_data("RECEIVED DATA on hook", f.addr, f.payload, f.paylen);
            r = (int)copy;
        }
    }
    return r;
}

int NgRecvData(int ds, unsigned char *buf, size_t len, char *hook)
{
    if (!buf && len)
        return ngi_nc_fail("NgRecvData", -EINVAL);
    int r = recv_data(ds, &buf, len, 0, hook);
    return r < 0 ? ngi_nc_fail("NgRecvData", r) : r;
}

int NgAllocRecvData(int ds, unsigned char **buf, char *hook)
{
    if (!buf)
        return ngi_nc_fail("NgAllocRecvData", -EINVAL);
    *buf = NULL;
    int r = recv_data(ds, buf, 0, 1, hook);
    return r < 0 ? ngi_nc_fail("NgAllocRecvData", r) : r;
}
