/*
 * wire.c - encoding and decoding of control socket frames (wire.h).
 *
 * The decoder is the first code to see a client's bytes: it trusts nothing
 * (tests/fuzz/fuzz_wire.c feeds it arbitrary records).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wire.h"

int ngi_wire_decode(const void *buf, size_t len, struct ngi_wire_frame *f)
{
    if (len < sizeof(struct ngi_wire_hdr))
        return -EPROTO;
    memcpy(&f->hdr, buf, sizeof(f->hdr));
    const struct ngi_wire_hdr *h = &f->hdr;
    if (h->magic != NGI_WIRE_MAGIC || h->version != NGI_WIRE_VERSION)
        return -EINVAL;
    if (h->kind < NGI_WIRE_HELLO || h->kind > NGI_WIRE_KIND_MAX)
        return -EINVAL;
    if (h->flags & ~NGI_WIRE_F_MORE)
        return -EINVAL;
    if ((h->flags & NGI_WIRE_F_MORE) && h->kind != NGI_WIRE_MSG)
        return -EINVAL;
    if (h->addrlen > NGI_WIRE_ADDR_MAX)
        return -EMSGSIZE;
    /* Both fields are bounded (16 and 32 bits), so the sum cannot wrap a size_t. */
    if ((size_t)h->addrlen + h->paylen != len - sizeof(*h))
        return -EMSGSIZE;
    const char *a = (const char *)buf + sizeof(*h);
    if (h->addrlen) {
        if (a[h->addrlen - 1] != '\0' || memchr(a, '\0', h->addrlen) != a + h->addrlen - 1)
            return -EINVAL;
        f->addr = a;
    } else {
        f->addr = "";
    }
    f->payload = (const uint8_t *)a + h->addrlen;
    f->paylen = h->paylen;
    switch (h->kind) {
    case NGI_WIRE_DATA:
        if (h->paylen > NGI_WIRE_DATA_MAX)
            return -EMSGSIZE;
        break;
    case NGI_WIRE_MSG:
        /* The message inside is the receiver's to check (ng_mesg_check). */
        if (h->paylen > NGI_WIRE_FRAME_MAX)
            return -EMSGSIZE;
        break;
    case NGI_WIRE_ACK:
    case NGI_WIRE_HELLO:
    case NGI_WIRE_ATTACH_CTL:
    case NGI_WIRE_ATTACH_DATA:
        if (h->paylen)
            return -EMSGSIZE;
        break;
    }
    return 0;
}

int ngi_wire_encode(struct ngi_wire_hdr *hdr, struct iovec iov[3], enum ngi_wire_kind kind,
                    const char *addr, const void *payload, uint32_t paylen, int32_t error,
                    uint32_t aux, uint16_t flags)
{
    size_t alen = addr ? strlen(addr) + 1 : 0;
    if (alen > NGI_WIRE_ADDR_MAX)
        return -EMSGSIZE;
    if (kind == NGI_WIRE_DATA && paylen > NGI_WIRE_DATA_MAX)
        return -EMSGSIZE;
    if (kind == NGI_WIRE_MSG && paylen > NGI_WIRE_FRAME_MAX)
        return -EMSGSIZE;
    memset(hdr, 0, sizeof(*hdr));
    hdr->magic = NGI_WIRE_MAGIC;
    hdr->version = NGI_WIRE_VERSION;
    hdr->kind = (uint8_t)kind;
    hdr->addrlen = (uint16_t)alen;
    hdr->flags = flags;
    hdr->error = error;
    hdr->aux = aux;
    hdr->paylen = paylen;
    int n = 0;
    iov[n].iov_base = hdr;
    iov[n++].iov_len = sizeof(*hdr);
    if (alen) {
        iov[n].iov_base = (void *)addr;
        iov[n++].iov_len = alen;
    }
    if (paylen) {
        iov[n].iov_base = (void *)payload;
        iov[n++].iov_len = paylen;
    }
    return n;
}

void ngi_wire_idaddr(char *buf, ng_id_t id) { snprintf(buf, NGI_WIRE_IDADDR_SIZE, "[%x]:", (unsigned)id); }
