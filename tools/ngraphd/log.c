/*
 * ngraphd's log: lines to stderr (default), to syslog (--syslog, or -d
 * without --log) or appended to a file (--log; SIGHUP reopens it so that
 * logrotate can rename it away).
 *
 * Only the main thread calls these functions (signals are handled by its
 * loop, not in handlers), so the state below has no lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ngraphd.h"

static struct {
    int fd;      /* where lines go: 2, the file, or -1 for syslog */
    char *path;  /* the --log file, NULL otherwise */
    int verbose; /* NGD_INFO shown always, NGD_DEBUG with -v */
} ngd_lg = {2, NULL, 0};

static int open_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    return fd < 0 ? -errno : fd;
}

int ngd_log_open(int use_syslog, const char *file, int verbose)
{
    ngd_lg.verbose = verbose;
    if (file != NULL) {
        int fd = open_file(file);
        if (fd < 0)
            return fd;
        ngd_lg.path = strdup(file);
        if (ngd_lg.path == NULL) {
            close(fd);
            return -ENOMEM;
        }
        ngd_lg.fd = fd;
    } else if (use_syslog) {
        openlog("ngraphd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
        ngd_lg.fd = -1;
    }
    return 0;
}

int ngd_log_reopen(void)
{
    if (ngd_lg.path == NULL)
        return 1;
    int fd = open_file(ngd_lg.path);
    if (fd < 0)
        return fd;
    close(ngd_lg.fd);
    ngd_lg.fd = fd;
    return 0;
}

int ngd_log_fd(void) { return ngd_lg.fd; }

void ngd_log_close(void)
{
    if (ngd_lg.path != NULL) {
        close(ngd_lg.fd);
        free(ngd_lg.path);
        ngd_lg.path = NULL;
    } else if (ngd_lg.fd < 0) {
        closelog();
    }
    ngd_lg.fd = 2;
}

void ngd_log(enum ngd_level lvl, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    static const int prios[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
    if (lvl == NGD_DEBUG && ngd_lg.verbose < 1)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (lvl == NGD_ERR && ngd_lg.fd != 2 && ngd_daemon_starting())
        fprintf(stderr, "ngraphd: %s\n", msg);
    if (ngd_lg.fd < 0) {
        syslog(prios[lvl], "%s", msg);
        return;
    }
    char stamp[32] = "";
    if (ngd_lg.path != NULL) {
        /* a file gets a timestamp; stderr goes to a terminal or journald */
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ ", &tm);
    }
    char line[1200];
    int n = snprintf(line, sizeof(line), "%sngraphd[%ld]: %s: %s\n", stamp, (long)getpid(),
                     names[lvl], msg);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(line))
        n = sizeof(line) - 1;
    /* one write per line: whole lines even if the file is shared */
    ssize_t w = write(ngd_lg.fd, line, (size_t)n);
    (void)w;
}
