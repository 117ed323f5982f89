/*
 * nghook's internal interface (tools/nghook/): the relay loops (relay.c)
 * and the -a dump (dump.c), called from main.c.  nghook is single-threaded.
 */
#ifndef NGHOOK_H
#define NGHOOK_H

#include <stddef.h>
#include <sys/types.h>

/* Exit statuses (sysexits): a command line error, any other failure. */
#define NGH_EX_USAGE 64
#define NGH_EX_OSERR 71

/* The hook of nghook's own socket node (FreeBSD's NG_SOCK_HOOK_NAME). */
#define NGH_HOOK "hook"

/* Largest packet relayed (the server's limit on NgSendData). */
#define NGH_MAX_PACKET 65536

/* After stdin's EOF, echoes are still read until none came for this long
 * (ms), and for at most NGH_DRAIN_MAX_MS in all. */
#define NGH_DRAIN_IDLE_MS 250
#define NGH_DRAIN_MAX_MS 3000

struct ngh_relay {
    int cs, ds;    /* the socket node's control and data sockets */
    int infd;      /* read and sent out of the hook; -1 with -n */
    int outfd;     /* what arrives on the hook is written here */
    int ascii;     /* -a: hex dump instead of the raw bytes */
    int loop;      /* -l: what arrives is also sent back out */
    int seqpacket; /* infd/outfd is -e's socketpair: packets, not a stream */
};

/*
 * Relay until infd's EOF (then drain echoes, see above), or the node goes
 * away.  Errors are printed on stderr.
 *   Returns:  0 (EOF on infd); NGH_EX_OSERR (an error, or the node went
 *             away).
 */
int ngh_relay(const struct ngh_relay *r);

/* Write buf as FreeBSD's nghook -a does: lines of "%04x:  ", 16 bytes in
 * hex, then as characters ('.' if not printable), and one empty line after
 * the packet.  Returns 0 or -errno of write(). */
int ngh_dump(int fd, const unsigned char *buf, size_t len);
/* write() all of buf, retrying short writes.  Returns 0 or -errno. */
int ngh_write_all(int fd, const void *buf, size_t n);

#endif
