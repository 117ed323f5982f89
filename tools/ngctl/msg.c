/*
 * msg.c - ngctl's control messages: receiving responses by token (other
 * messages that arrive meanwhile wait in a queue), printing incoming
 * messages in ASCII (NGM_BINARY2ASCII to their sender, as FreeBSD's
 * MsgRead), and the commands msg, status and config.
 *
 * The queue is touched by the main thread only (ngctl has no other): no
 * lock.  Its entries are owned by the queue until ngctl_msg_read() takes
 * one (and frees it) or ngctl_msg_flush() frees them all.
 */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "ngctl.h"

/* At most this many unrelated messages wait for ngctl_msg_read(); more
 * are dropped with a warning (a flood while one command waits). */
#define PENDING_MAX 1024

struct pending {
    struct pending *next;
    struct ng_mesg *msg;
    char path[NG_PATHSIZ];
};

static struct pending *pend_head, *pend_tail;
static unsigned pend_count;

int ngctl_msg_pending(void) { return pend_head != NULL; }

void ngctl_msg_flush(void)
{
    while (pend_head) {
        struct pending *p = pend_head;
        pend_head = p->next;
        free(p->msg);
        free(p);
    }
    pend_tail = NULL;
    pend_count = 0;
}

static void pend_push(struct ng_mesg *m, const char *path)
{
    struct pending *p = pend_count < PENDING_MAX ? malloc(sizeof(*p)) : NULL;
    if (!p) {
        warnx("dropped message \"%.*s\" from \"%s\": too many waiting", NG_CMDSTRSIZ,
              m->header.cmdstr, path);
        free(m);
        return;
    }
    p->next = NULL;
    p->msg = m;
    snprintf(p->path, sizeof(p->path), "%s", path);
    if (pend_tail)
        pend_tail->next = p;
    else
        pend_head = p;
    pend_tail = p;
    pend_count++;
}

static struct ng_mesg *pend_pop(char *path)
{
    struct pending *p = pend_head;
    if (!p)
        return NULL;
    pend_head = p->next;
    if (!pend_head)
        pend_tail = NULL;
    pend_count--;
    struct ng_mesg *m = p->msg;
    memcpy(path, p->path, NG_PATHSIZ);
    free(p);
    return m;
}

/* Receive one message, checked (header complete, arglen within what came)
 * and with a NUL after its arguments, so that text arguments are strings. */
static int recv_one(struct ng_mesg **mp, char *path)
{
    struct ng_mesg *m;
    int len = NgAllocRecvMsg(ngctl_csock, &m, path);
    if (len < 0)
        return -1;
    if ((size_t)len < sizeof(*m) || m->header.arglen > (size_t)len - sizeof(*m)) {
        free(m);
        errno = EBADMSG;
        return -1;
    }
    struct ng_mesg *m2 = realloc(m, sizeof(*m) + m->header.arglen + 1);
    if (!m2) {
        free(m);
        errno = ENOMEM;
        return -1;
    }
    m2->data[m2->header.arglen] = '\0';
    m2->header.cmdstr[NG_CMDSTRSIZ - 1] = '\0';
    path[NG_PATHSIZ - 1] = '\0';
    *mp = m2;
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll() the control socket for up to timeout_ms: 1 readable, 0 not. */
static int wait_readable(int timeout_ms)
{
    struct pollfd pfd = {.fd = ngctl_csock, .events = POLLIN};
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - now_ms();
        int r = poll(&pfd, 1, left > 0 ? (int)left : 0);
        if (r >= 0)
            return r > 0;
        if (errno != EINTR)
            return -1;
    }
}

/* "[id]:" of ngctl's own node (asked once), or "" while being asked or if
 * it could not be learnt. */
static const char *own_path(void)
{
    static char path[NG_PATHSIZ];
    static int state; /* 0 not asked, 1 being asked, 2 done */
    if (state != 0)
        return path;
    state = 1;
    struct ng_mesg *r;
    int tok = NgSendMsg(ngctl_csock, ".", NGM_GENERIC_COOKIE, NGM_NODEINFO, NULL, 0);
    if (tok >= 0 && ngctl_recv_resp(tok, NGCTL_REPLY_MS, sizeof(struct nodeinfo), &r) == 0) {
        snprintf(path, sizeof(path), "[%x]:", (unsigned)((struct nodeinfo *)(void *)r->data)->id);
        free(r);
    }
    state = 2;
    return path;
}

int ngctl_recv_resp(int token, int timeout_ms, size_t minlen, struct ng_mesg **respp)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - now_ms();
        int r = wait_readable(left > 0 ? (int)left : 0);
        if (r < 0)
            return -1;
        if (r == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        struct ng_mesg *m;
        char path[NG_PATHSIZ];
        if (recv_one(&m, path) < 0)
            return -1;
        if ((m->header.flags & NGF_RESP) && m->header.token == (uint32_t)token) {
            if (m->header.arglen < minlen) {
                free(m);
                errno = EBADMSG;
                return -1;
            }
            *respp = m;
            return 0;
        }
        /* The command itself, sent to ngctl's own node ("status ."): the
         * socket node hands it to us, so no response will come. */
        if (!(m->header.flags & NGF_RESP) && m->header.token == (uint32_t)token &&
            strcmp(path, own_path()) == 0) {
            free(m);
            errno = ENOMSG;
            return -1;
        }
        pend_push(m, path);
    }
}

const char *ngctl_resp_text(struct ng_mesg *resp) { return resp->data; }

int ngctl_msg_read(void)
{
    char path[NG_PATHSIZ];
    struct ng_mesg *m = pend_pop(path);
    if (!m && recv_one(&m, path) < 0) {
        int e = errno;
        warn("recv incoming message");
        /* A message too large or malformed is lost, the socket is fine. */
        return e == EMSGSIZE || e == EBADMSG || e == ENOMEM ? 0 : -1;
    }
    const char *kind = (m->header.flags & NGF_RESP) ? "response" : "command";

    /* Ask the originating node for the message in ASCII. */
    struct ng_mesg *m2 = NULL;
    int tok = NgSendMsg(ngctl_csock, path, NGM_GENERIC_COOKIE, NGM_BINARY2ASCII, m,
                        sizeof(*m) + m->header.arglen);
    if (tok < 0 && errno == EMSGSIZE)
        /* NGM_BINARY2ASCII's argument is bounded by what a sender may send
         * (NG_MAX_MSG_ARGLEN): a larger answer (a big table) stays binary. */
        warnx("%s of %u bytes too large to convert to ASCII: shown in hex", kind,
              (unsigned)m->header.arglen);
    if (tok < 0 || ngctl_recv_resp(tok, NGCTL_REPLY_MS, sizeof(struct ng_mesg), &m2) < 0) {
        printf("Rec'd %s %u from \"%s\":\n", kind, (unsigned)m->header.cmd, path);
        if (m->header.arglen == 0)
            printf("No arguments\n");
        else
            ngctl_dump_ascii((const unsigned char *)m->data, m->header.arglen);
        free(m);
        fflush(stdout);
        return 0;
    }
    free(m);
    struct ng_mesg *ascii = (struct ng_mesg *)(void *)m2->data;
    ascii->header.cmdstr[NG_CMDSTRSIZ - 1] = '\0';
    printf("Rec'd %s \"%s\" (%u) from \"%s\":\n",
           (ascii->header.flags & NGF_RESP) ? "response" : "command", ascii->header.cmdstr,
           (unsigned)ascii->header.cmd, path);
    /* m2 ends with a NUL (recv_one), so ascii->data is a string. */
    if (m2->header.arglen > sizeof(*ascii) && ascii->data[0] != '\0')
        printf("Args:\t%s\n", ascii->data);
    else
        printf("No arguments\n");
    free(m2);
    fflush(stdout);
    return 0;
}

/* av[from..ac-1] joined, each word preceded by lead (" ") except the
 * first when first_bare; NULL (with a warning) if out of memory. */
static char *join_args(int ac, char **av, int from, int first_bare)
{
    size_t len = 1;
    for (int i = from; i < ac; i++)
        len += strlen(av[i]) + 1;
    char *buf = malloc(len);
    if (!buf) {
        warn("malloc");
        return NULL;
    }
    size_t off = 0;
    buf[0] = '\0';
    for (int i = from; i < ac; i++) {
        if (!(first_bare && i == from))
            buf[off++] = ' ';
        size_t l = strlen(av[i]);
        memcpy(buf + off, av[i], l + 1);
        off += l;
    }
    return buf;
}

static int msg_func(int ac, char **av)
{
    if (ac < 3)
        return CMDRTN_USAGE;
    char *args = join_args(ac, av, 3, 0);
    if (!args)
        return CMDRTN_ERROR;
    if (NgSendAsciiMsg(ngctl_csock, av[1], "%s%s", av[2], args) < 0) {
        free(args);
        warn("send msg");
        return CMDRTN_ERROR;
    }
    free(args);
    /* A response sent at once is readable now (docs/protocol.md). */
    for (int n = 0; n < PENDING_MAX; n++) {
        if (!ngctl_msg_pending()) {
            int r = wait_readable(0);
            if (r < 0)
                err(EX_OSERR, "poll");
            if (r == 0)
                break;
        }
        if (ngctl_msg_read() < 0)
            return CMDRTN_ERROR;
    }
    return CMDRTN_OK;
}

const struct ngctl_cmd ngctl_msg_cmd = {
    msg_func,
    "msg path command [args ... ]",
    "Send a netgraph control message to the node at \"path\"",
    "The msg command constructs a netgraph control message from the"
    " command name and ASCII arguments (if any) and sends that message"
    " to the node.  It does this by first asking the node to convert"
    " the ASCII message into binary format, and resending the result.",
    {"cmd"}};

/* status and config: a text request; EINVAL (or no response) means the
 * node has none. */
static int text_query(const char *path, int cmd, const char *args, int timeout_ms, const char *what)
{
    int tok =
        NgSendMsg(ngctl_csock, path, NGM_GENERIC_COOKIE, cmd, args, args ? strlen(args) + 1 : 0);
    struct ng_mesg *resp = NULL;
    if (tok < 0) {
        if (errno != EINVAL) {
            warn("send msg");
            return CMDRTN_ERROR;
        }
    } else if (ngctl_recv_resp(tok, timeout_ms, 0, &resp) < 0) {
        if (errno == ENOTCONN || errno == EBADF) {
            warn("recv msg");
            return CMDRTN_ERROR;
        }
        resp = NULL;
    }
    if (!resp) {
        printf("No %s available for \"%s\"\n", what, path);
    } else {
        printf("%c%s for \"%s\":\n%s\n", what[0] - 'a' + 'A', what + 1, path,
               ngctl_resp_text(resp));
        free(resp);
    }
    return CMDRTN_OK;
}

static int status_func(int ac, char **av)
{
    if (ac != 2)
        return CMDRTN_USAGE;
    return text_query(av[1], NGM_TEXT_STATUS, NULL, NGCTL_REPLY_MS, "status");
}

const struct ngctl_cmd ngctl_status_cmd = {
    status_func,
    "status <path>",
    "Get human readable status information from the node at <path>",
    NULL,
    {NULL}};

static int config_func(int ac, char **av)
{
    if (ac < 2)
        return CMDRTN_USAGE;
    char *args = NULL;
    if (ac > 2 && !(args = join_args(ac, av, 2, 1)))
        return CMDRTN_ERROR;
    /* NGM_TEXT_CONFIG has no NGM_HASREPLY: a response is readable when
     * NgSendMsg() returns, or there is none. */
    int rtn = text_query(av[1], NGM_TEXT_CONFIG, args, 0, "config");
    free(args);
    return rtn;
}

const struct ngctl_cmd ngctl_config_cmd = {config_func,
                                           "config <path> [arguments]",
                                           "get or set configuration of node at <path>",
                                           NULL,
                                           {NULL}};
