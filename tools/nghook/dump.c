/*
 * nghook -a: a packet as FreeBSD's nghook prints it, 16 bytes a line:
 * "0000:  68 65 6c 6c 6f 0a ...   hello.", then an empty line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nghook.h"

int ngh_write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int ngh_dump(int fd, const unsigned char *buf, size_t len)
{
    char line[96];
    for (size_t off = 0; off < len; off += 16) {
        size_t n = (size_t)snprintf(line, sizeof(line), "%04zx:  ", off);
        for (size_t k = 0; k < 16; k++) {
            if (off + k < len)
                n += (size_t)snprintf(line + n, sizeof(line) - n, "%02x ", buf[off + k]);
            else
                n += (size_t)snprintf(line + n, sizeof(line) - n, "   ");
        }
        line[n++] = ' ';
        for (size_t k = 0; k < 16; k++)
            line[n++] = off + k < len ? (isprint(buf[off + k]) ? (char)buf[off + k] : '.') : ' ';
        line[n++] = '\n';
        int rc = ngh_write_all(fd, line, n);
        if (rc != 0)
            return rc;
    }
    return ngh_write_all(fd, "\n", 1);
}
