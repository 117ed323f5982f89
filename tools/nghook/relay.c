/*
 * nghook's relay: what is read from the input goes out of the socket
 * node's hook (NgSendData), what arrives on it goes to the output (raw, or
 * dumped with -a, and back out with -l).  Messages arriving on the control
 * socket are read and discarded so that the server's queue for them never
 * fills.
 *
 * At EOF on a stream input (stdin) nghook keeps reading the hook until it
 * has been quiet for NGH_DRAIN_IDLE_MS (at most NGH_DRAIN_MAX_MS), so that
 * what an echoing peer sends back for the last packets is still written;
 * FreeBSD's nghook exits at once (with status 71, "EOF(stdin)").
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <netgraph.h>

#include "nghook.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fail(const char *what, int err)
{
    if (err == ENOTCONN)
        fprintf(stderr, "nghook: %s: the socket node went away\n", what);
    else
        fprintf(stderr, "nghook: %s: %s\n", what, strerror(err));
    return NGH_EX_OSERR;
}

/* One packet arrived on the hook: write it out (and loop it back).
 * Returns 0 or an exit status; *dropped counts packets the -e program had
 * no room for. */
static int from_hook(const struct ngh_relay *r, unsigned char *buf, size_t len,
                     unsigned long *dropped)
{
    int rc = 0;
    if (r->outfd < 0) {
        /* -e -n: the program does not read the hook */
    } else if (r->ascii) {
        rc = ngh_dump(r->outfd, buf, len);
    } else if (r->seqpacket) {
        /* one packet to the program; it may have exited (EPIPE: its EOF
         * ends the relay).  Never block on it: a program that does not read
         * while it writes to us would stall both directions; what does not
         * fit its socket buffer is dropped and counted, as the kernel's
         * socket would. */
        if (send(r->outfd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
                (*dropped)++;
            else if (errno != EPIPE && errno != ECONNRESET)
                rc = -errno;
        }
    } else {
        rc = ngh_write_all(r->outfd, buf, len);
    }
    if (rc != 0)
        return fail("write(output)", -rc);
    if (r->loop && NgSendData(r->ds, NGH_HOOK, buf, len) < 0)
        return fail("write(hook)", errno);
    return 0;
}

/* Read one packet from the input into buf.  Returns its length, 0 at EOF,
 * -1 to retry, or -2 - exit status. */
static ssize_t from_input(const struct ngh_relay *r, unsigned char *buf)
{
    ssize_t n;
    if (r->seqpacket)
        n = recv(r->infd, buf, NGH_MAX_PACKET, MSG_TRUNC);
    else
        n = read(r->infd, buf, NGH_MAX_PACKET);
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN)
            return -1;
        if (r->seqpacket && errno == ECONNRESET)
            return 0; /* the program exited with packets unread: its end */
        return -2 - fail("read(input)", errno);
    }
    if (n > NGH_MAX_PACKET) {
        fprintf(stderr, "nghook: the program wrote a packet of %zd bytes (at most %d)\n", n,
                NGH_MAX_PACKET);
        return -2 - NGH_EX_OSERR;
    }
    return n;
}

int ngh_relay(const struct ngh_relay *r)
{
    unsigned char *buf = malloc(NGH_MAX_PACKET + 1);
    if (buf == NULL)
        return fail("relay buffer", ENOMEM);
    int in_open = r->infd >= 0, draining = 0, rc = -1;
    unsigned long dropped = 0;
    int64_t drain_start = 0, last_rx = 0;
    while (rc < 0) {
        int timeout = -1;
        if (draining) {
            int64_t t = now_ms(), idle = NGH_DRAIN_IDLE_MS - (t - last_rx),
                    left = NGH_DRAIN_MAX_MS - (t - drain_start);
            if (idle <= 0 || left <= 0) {
                rc = 0;
                break;
            }
            timeout = (int)(idle < left ? idle : left);
        }
        struct pollfd pf[3] = {{.fd = r->ds, .events = POLLIN},
                               {.fd = r->cs, .events = POLLIN},
                               {.fd = in_open ? r->infd : -1, .events = POLLIN}};
        if (poll(pf, 3, timeout) < 0) {
            if (errno == EINTR)
                continue;
            rc = fail("poll", errno);
            break;
        }
        if (pf[0].revents != 0) {
            int n = NgRecvData(r->ds, buf, NGH_MAX_PACKET, NULL);
            if (n < 0 && errno != EAGAIN && errno != EINTR) {
                rc = fail("read(hook)", errno);
                break;
            }
            if (n == 0 && (pf[0].revents & (POLLHUP | POLLERR))) {
                rc = fail("read(hook)", ENOTCONN);
                break;
            }
            if (n >= 0) {
                last_rx = now_ms();
                int st = from_hook(r, buf, (size_t)n, &dropped);
                if (st != 0) {
                    rc = st;
                    break;
                }
            }
        }
        if (pf[1].revents != 0) {
            struct ng_mesg *m = NULL;
            if (NgAllocRecvMsg(r->cs, &m, NULL) < 0 && errno != EAGAIN && errno != EINTR) {
                rc = fail("read(control)", errno);
                break;
            }
            free(m);
        }
        if (in_open && pf[2].revents != 0) {
            ssize_t n = from_input(r, buf);
            if (n < -1) {
                rc = (int)(-2 - n);
            } else if (n == 0) {
                in_open = 0;
                if (r->seqpacket)
                    rc = 0; /* the program closed its end: nobody to drain to */
                draining = 1;
                drain_start = last_rx = now_ms();
            } else if (n > 0 && NgSendData(r->ds, NGH_HOOK, buf, (size_t)n) < 0) {
                rc = fail("write(hook)", errno);
            }
        }
    }
    free(buf);
    if (dropped > 0)
        fprintf(stderr,
                "nghook: %lu packets from the hook dropped: the program did not read them\n",
                dropped);
    return rc;
}
