/*
 * main.c - ngctl, FreeBSD's ngctl(8) for libngraph: the options, the
 * socket node, and the three ways of running commands: one command from
 * the command line, a command file (-f), or interactive mode.
 *
 * Interactive mode (stdin and stdout terminals) edits lines with libedit
 * (prompt "+ ", emacs keys, history) and prints asynchronous messages and
 * data packets as they arrive, also while a line is being typed.  It is
 * single-threaded: libedit reads its characters through getc_fn(), which
 * poll()s stdin together with the control and data sockets; what arrives
 * on a socket is printed there (on a line of its own) and libedit then
 * redraws the prompt and the line being edited (EL_REFRESH).  So only the
 * main thread ever touches the sockets, stdout and libedit: no lock.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <histedit.h>
#include <locale.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>
#include <wchar.h>

#include "ngctl.h"

#define PROMPT "+ "

int ngctl_csock = -1, ngctl_dsock = -1;

/* Set by getc_fn when a socket failed (the node or the server is gone):
 * el_gets() then sees end of input and interactive mode ends in error. */
static int sockets_lost;

static void usage(const char *msg)
{
    if (msg)
        warnx("%s", msg);
    fprintf(stderr, "usage: ngctl [-d] [-f filename] [-n nodename] [--socket path] "
                    "[command [argument ...]]\n");
    exit(EX_USAGE);
}

/* Print what waits on the sockets now.  Returns 0; -1 if a socket failed. */
static int drain_sockets(void)
{
    for (;;) {
        struct pollfd p[2] = {{.fd = ngctl_csock, .events = POLLIN},
                              {.fd = ngctl_dsock, .events = POLLIN}};
        int pending = ngctl_msg_pending();
        int r = pending ? 0 : poll(p, 2, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            warn("poll");
            return -1;
        }
        if (!pending && r == 0)
            return 0;
        if ((pending || p[0].revents) && ngctl_msg_read() < 0)
            return -1;
        if (!pending && p[1].revents && ngctl_data_read() < 0)
            return -1;
    }
}

static char *prompt_fn(EditLine *el)
{
    (void)el;
    return (char *)PROMPT;
}

/* libedit's character reader: one character from stdin, printing what
 * arrives on the sockets in the meantime. */
static int getc_fn(EditLine *el, wchar_t *wc)
{
    mbstate_t st;
    memset(&st, 0, sizeof(st));
    for (;;) {
        struct pollfd p[3] = {{.fd = STDIN_FILENO, .events = POLLIN},
                              {.fd = ngctl_csock, .events = POLLIN},
                              {.fd = ngctl_dsock, .events = POLLIN}};
        int pending = ngctl_msg_pending();
        int r = poll(p, 3, pending ? 0 : -1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (pending || p[1].revents || p[2].revents) {
            /* Off the line being edited, print, and have libedit redraw
             * the prompt and the line below. */
            printf("\n");
            if (drain_sockets() < 0) {
                sockets_lost = 1;
                fflush(stdout);
                return 0;
            }
            fflush(stdout);
            el_set(el, EL_REFRESH);
            continue;
        }
        if (!p[0].revents)
            continue;
        char c;
        ssize_t n = read(STDIN_FILENO, &c, 1);
        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return -1;
        }
        size_t k = mbrtowc(wc, &c, 1, &st);
        if (k == (size_t)-2)
            continue; /* more bytes of a multibyte character */
        if (k == (size_t)-1) {
            memset(&st, 0, sizeof(st));
            *wc = (wchar_t)(unsigned char)c;
        }
        return 1;
    }
}

static int do_interactive(void)
{
    setlocale(LC_CTYPE, "");
    ngctl_help_cmd.func(0, NULL);
    EditLine *el = el_init("ngctl", stdin, stdout, stderr);
    History *hist = history_init();
    if (!el || !hist) {
        warnx("cannot initialise line editing");
        if (el)
            el_end(el);
        if (hist)
            history_end(hist);
        return CMDRTN_ERROR;
    }
    HistEvent ev;
    history(hist, &ev, H_SETSIZE, 100);
    history(hist, &ev, H_SETUNIQUE, 1);
    el_set(el, EL_EDITOR, "emacs");
    el_set(el, EL_PROMPT, prompt_fn);
    el_set(el, EL_SIGNAL, 1);
    el_set(el, EL_HIST, history, hist);
    el_set(el, EL_GETCFN, getc_fn);
    el_source(el, NULL);

    int rtn = CMDRTN_QUIT;
    for (;;) {
        if (drain_sockets() < 0) {
            sockets_lost = 1;
            break;
        }
        fflush(stdout);
        int count;
        const char *line = el_gets(el, &count);
        if (!line || count <= 0) {
            printf("\n");
            break;
        }
        char *copy = strdup(line);
        if (!copy) {
            warn("strdup");
            rtn = CMDRTN_ERROR;
            break;
        }
        if (copy[strspn(copy, " \t\r\n")] != '\0')
            history(hist, &ev, H_ENTER, line);
        int r = ngctl_parse_command(copy);
        free(copy);
        fflush(stdout);
        if (r == CMDRTN_QUIT)
            break;
    }
    if (sockets_lost) {
        warnx("lost the connection to the node");
        rtn = CMDRTN_ERROR;
    }
    history_end(hist);
    el_end(el);
    return rtn;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"socket", required_argument, NULL, 's'},
                                             {NULL, 0, NULL, 0}};
    char name[NG_NODESIZ];
    FILE *fp = NULL;
    int interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    int ch;

    /* Line by line, so that output and errors keep their order when they
     * go to the same file. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    snprintf(name, sizeof(name), "ngctl%d", (int)getpid());
    /* getopt's messages start with argv[0]: say "ngctl", as err() does. */
    if (argc > 0)
        argv[0] = program_invocation_short_name;
    /* "+": stop at the first operand, so that a command's own flags
     * (list -l) are left to it. */
    while ((ch = getopt_long(argc, argv, "+df:n:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            NgSetDebug(NgSetDebug(-1) + 1);
            break;
        case 'f':
            if (fp && fp != stdin)
                fclose(fp);
            if (strcmp(optarg, "-") == 0)
                fp = stdin;
            else if (!(fp = fopen(optarg, "r")))
                err(EX_NOINPUT, "%s", optarg);
            break;
        case 'n':
            if (strlen(optarg) >= sizeof(name))
                errx(EX_USAGE, "node name \"%s\" is too long (at most %zu characters)", optarg,
                     sizeof(name) - 1);
            snprintf(name, sizeof(name), "%s", optarg);
            break;
        case 's':
            if (NgSetSocketPath(optarg) < 0)
                err(EX_USAGE, "--socket %s", optarg);
            break;
        default:
            usage(NULL);
        }
    }
    argc -= optind;
    argv += optind;
    if (argc == 0 && !fp && !interactive)
        usage("no command specified");

    if (NgMkSockNode(name, &ngctl_csock, &ngctl_dsock) < 0)
        err(EX_OSERR, "can't create node");

    int rtn;
    if (argc > 0)
        rtn = ngctl_do_command(argc, argv);
    else if (fp)
        rtn = ngctl_read_file(fp);
    else
        rtn = do_interactive();
    fflush(stdout);

    if (fp && fp != stdin)
        fclose(fp);
    ngctl_msg_flush();
    close(ngctl_csock);
    close(ngctl_dsock);
    switch (rtn) {
    case CMDRTN_OK:
    case CMDRTN_QUIT:
        return 0;
    case CMDRTN_USAGE:
        return EX_USAGE;
    default:
        return EX_OSERR;
    }
}
