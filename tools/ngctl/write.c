/*
 * write.c - ngctl's data: the write command (aliases w; a packet given as
 * bytes or read from a file, sent out of a hook of ngctl's node with
 * NgSendData) and the printing of packets that arrive on its hooks.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ngctl.h"

/* The largest packet NgSendData() takes. */
#define WRITE_MAX 65536
#define DUMP_BYTES_PER_LINE 16

void ngctl_dump_ascii(const unsigned char *buf, size_t len)
{
    for (size_t count = 0; count < len; count += DUMP_BYTES_PER_LINE) {
        printf("%04zx:  ", count);
        for (size_t k = 0; k < DUMP_BYTES_PER_LINE; k++) {
            if (count + k < len)
                printf("%02x ", buf[count + k]);
            else
                printf("   ");
        }
        printf(" ");
        for (size_t k = 0; k < DUMP_BYTES_PER_LINE; k++) {
            if (count + k < len)
                printf("%c", isprint(buf[count + k]) ? buf[count + k] : '.');
            else
                printf(" ");
        }
        printf("\n");
    }
}

int ngctl_data_read(void)
{
    char hook[NG_HOOKSIZ] = "";
    unsigned char *buf;
    int len = NgAllocRecvData(ngctl_dsock, &buf, hook);
    if (len < 0) {
        warn("reading hook \"%s\"", hook);
        return -1;
    }
    hook[NG_HOOKSIZ - 1] = '\0';
    printf("Rec'd data packet on hook \"%s\":\n", hook);
    ngctl_dump_ascii(buf, (size_t)len);
    fflush(stdout);
    free(buf);
    return 0;
}

/* Read all of fp into buf (at most WRITE_MAX bytes). */
static int read_packet(const char *file, unsigned char *buf, size_t *lenp)
{
    FILE *fp = fopen(file, "r");
    if (!fp) {
        warn("can't read file \"%s\"", file);
        return -1;
    }
    size_t len = fread(buf, 1, WRITE_MAX, fp);
    int rc = 0;
    if (ferror(fp)) {
        warn("can't read file \"%s\"", file);
        rc = -1;
    } else if (len == 0) {
        warnx("file \"%s\" is empty", file);
        rc = -1;
    } else if (len == WRITE_MAX && fgetc(fp) != EOF) {
        warnx("file \"%s\" is larger than a packet (%d bytes)", file, WRITE_MAX);
        rc = -1;
    }
    fclose(fp);
    *lenp = len;
    return rc;
}

/* One byte argument: a number as C writes it (0x41, 0101, 65), -128..255. */
static int parse_byte(const char *s, unsigned char *b)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 0);
    if (end == s || *end != '\0' || errno || v < -128 || v > 255)
        return -1;
    *b = (unsigned char)v;
    return 0;
}

static int write_func(int ac, char **av)
{
    if (ac < 3)
        return CMDRTN_USAGE;
    const char *hook = av[1];
    unsigned char *buf = malloc(WRITE_MAX);
    if (!buf) {
        warn("malloc");
        return CMDRTN_ERROR;
    }
    size_t len = 0;
    int rtn = CMDRTN_OK;
    if (strcmp(av[2], "-f") == 0) {
        if (ac != 4)
            rtn = CMDRTN_USAGE;
        else if (read_packet(av[3], buf, &len) < 0)
            rtn = CMDRTN_ERROR;
    } else if (ac - 2 > WRITE_MAX) {
        warnx("too many bytes (a packet has at most %d)", WRITE_MAX);
        rtn = CMDRTN_ERROR;
    } else {
        for (int i = 2; i < ac; i++) {
            if (parse_byte(av[i], &buf[len++]) < 0) {
                warnx("invalid byte \"%s\"", av[i]);
                rtn = CMDRTN_ERROR;
                break;
            }
        }
    }
    if (rtn == CMDRTN_OK && NgSendData(ngctl_dsock, hook, buf, len) < 0) {
        warn("writing to hook \"%s\"", hook);
        rtn = CMDRTN_ERROR;
    }
    free(buf);
    return rtn;
}

const struct ngctl_cmd ngctl_write_cmd = {
    write_func,
    "write hook < -f file | byte ... >",
    "Send a data packet down the hook named by \"hook\".",
    "The data may be contained in a file, or may be described directly"
    " on the command line by supplying a sequence of bytes.",
    {"w"}};
