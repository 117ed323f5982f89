/*
 * debug.c - libnetgraph's debug level and loggers: NgSetDebug(),
 * NgSetErrLog(), the error log of failed calls (level >= 1), and the
 * decoding of the messages and data sent and received for the debug log
 * (level >= 2; hex dumps at >= 3).
 */
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <netgraph/ng_socket.h>

#include "client.h"

/* The debug level: any thread reads and writes it (relaxed: a setting). */
static _Atomic int debug_level;

/* The loggers: written by NgSetErrLog(), read by every log line, both
 * under log_lock (a pair that changes together). */
typedef void (*nc_logfn)(const char *fmt, ...);
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static nc_logfn log_fn = warn;
static nc_logfn logx_fn = warnx;

int NgSetDebug(int level)
{
    if (level < 0)
        return atomic_load_explicit(&debug_level, memory_order_relaxed);
    return atomic_exchange_explicit(&debug_level, level, memory_order_relaxed);
}

void NgSetErrLog(void (*log)(const char *fmt, ...), void (*logx)(const char *fmt, ...))
{
    pthread_mutex_lock(&log_lock);
    log_fn = log ? log : warn;
    logx_fn = logx ? logx : warnx;
    pthread_mutex_unlock(&log_lock);
}

int ngi_nc_debug(void) { return atomic_load_explicit(&debug_level, memory_order_relaxed); }

static void emit(int with_errno, int err, const char *fmt, va_list ap)
{
    char line[1024];
    vsnprintf(line, sizeof(line), fmt, ap);
    pthread_mutex_lock(&log_lock);
    nc_logfn fn = with_errno ? log_fn : logx_fn;
    pthread_mutex_unlock(&log_lock);
    int saved = errno;
    errno = err;
    fn("%s", line);
    errno = saved;
}

void ngi_nc_log(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(1, err, fmt, ap);
    va_end(ap);
}

void ngi_nc_logx(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(0, errno, fmt, ap);
    va_end(ap);
}

int ngi_nc_fail(const char *fn, int err)
{
    if (ngi_nc_debug() >= 1)
        ngi_nc_log(-err, "%s", fn);
    errno = -err;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Decoding for the debug log                                               */
/* ------------------------------------------------------------------------ */

static const char *cookie_name(uint32_t cookie)
{
    switch (cookie) {
    case NGM_GENERIC_COOKIE:
        return "generic";
    case NGM_SOCKET_COOKIE:
        return "socket";
    case NGM_NGRAPH_COOKIE:
        return "ngraph";
    case NGM_FLOW_COOKIE:
        return "flow";
    case NGM_ECHO_COOKIE:
        return "echo";
    case NGM_TEE_COOKIE:
        return "tee";
    case NGM_HOLE_COOKIE:
        return "hole";
    }
    return "?";
}

static const char *const generic_cmds[] = {
    [NGM_SHUTDOWN] = "shutdown",
    [NGM_MKPEER] = "mkpeer",
    [NGM_CONNECT] = "connect",
    [NGM_NAME] = "name",
    [NGM_RMHOOK] = "rmhook",
    [NGM_NODEINFO & 0xffff] = "nodeinfo",
    [NGM_LISTHOOKS & 0xffff] = "listhooks",
    [NGM_LISTNAMES & 0xffff] = "listnames",
    [NGM_LISTNODES & 0xffff] = "listnodes",
    [NGM_LISTTYPES & 0xffff] = "listtypes",
    [NGM_TEXT_STATUS & 0xffff] = "textstatus",
    [NGM_BINARY2ASCII & 0xffff] = "binary2ascii",
    [NGM_ASCII2BINARY & 0xffff] = "ascii2binary",
    [NGM_TEXT_CONFIG] = "textconfig",
};

static const char *cmd_name(uint32_t cookie, uint32_t cmd)
{
    uint32_t base = cmd & ~(NGM_READONLY | NGM_HASREPLY);
    if (cookie == NGM_GENERIC_COOKIE && base < sizeof(generic_cmds) / sizeof(generic_cmds[0]) &&
        generic_cmds[base])
        return generic_cmds[base];
    if (cookie == NGM_SOCKET_COOKIE) {
        if (base == NGM_SOCK_CMD_NOLINGER)
            return "nolinger";
        if (base == NGM_SOCK_CMD_LINGER)
            return "linger";
        if (base == NGM_SOCK_CMD_OVERFLOW)
            return "overflow";
    }
    return "?";
}

/* Hex dump of buf, 16 bytes a line with their printable characters. */
static void dump_bytes(const void *buf, size_t len)
{
    const unsigned char *p = buf;
    for (size_t off = 0; off < len; off += 16) {
        char hex[16 * 3 + 1] = "", chr[17] = "";
        size_t n = len - off < 16 ? len - off : 16;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = p[off + i];
            snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", c);
            chr[i] = c >= 0x20 && c < 0x7f ? (char)c : '.';
            chr[i + 1] = '\0';
        }
        ngi_nc_logx("  %04zx:  %-48s %s", off, hex, chr);
    }
}

void ngi_nc_debug_msg(const char *what, const char *path, const struct ng_mesg *m, size_t len)
{
    int level = ngi_nc_debug();
    if (level < 2)
        return;
    const struct ng_mesg_header *h = &m->header;
    ngi_nc_logx("%s %s \"%s\":", what, (h->flags & NGF_RESP) ? "(response)" : "(command)", path);
    ngi_nc_logx("  vers   %u", (unsigned)h->version);
    ngi_nc_logx("  arglen %u", (unsigned)h->arglen);
    ngi_nc_logx("  flags  0x%x", (unsigned)h->flags);
    ngi_nc_logx("  token  %u", (unsigned)h->token);
    ngi_nc_logx("  cookie %s (%u)", cookie_name(h->typecookie), (unsigned)h->typecookie);
    ngi_nc_logx("  cmd    %s (%u) \"%.*s\"", cmd_name(h->typecookie, h->cmd), (unsigned)h->cmd,
                (int)sizeof(h->cmdstr), h->cmdstr);
    if (level >= 3) {
        size_t n = len - sizeof(*h);
        if (n > h->arglen)
            n = h->arglen;
        ngi_nc_logx("  args (%zu bytes)", n);
        dump_bytes(m->data, n);
    }
}

void ngi_nc_debug_data(const char *what, const char *hook, const void *buf, size_t len)
{
    int level = ngi_nc_debug();
    if (level < 2)
        return;
    ngi_nc_logx("%s \"%s\": %zu bytes", what, hook, len);
    if (level >= 3)
        dump_bytes(buf, len);
}
