/*
 * ngraphd's process plumbing: the pidfile, daemonizing (double fork with a
 * pipe back to the original process, which exits only once the daemon
 * serves or failed), and running the start-up script through ngctl.
 *
 * Main thread only (see ngraphd.h).  ngd_daemonize() runs before any thread
 * exists (ngraphd forks before it creates the graph), so the children are
 * complete copies.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ngraphd.h"

int ngd_pidfile_check(const char *path, pid_t *pid)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return errno == ENOENT ? 0 : -errno;
    long v = 0;
    int n = fscanf(f, "%ld", &v);
    fclose(f);
    if (n != 1 || v <= 0 || v > INT_MAX)
        return 0; /* garbage: stale */
    if (kill((pid_t)v, 0) == 0 || errno == EPERM) {
        *pid = (pid_t)v;
        return -EEXIST;
    }
    return 0;
}

int ngd_pidfile_write(const char *path)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof(tmp))
        return -ENAMETOOLONG;
    /* written beside it and renamed: a reader sees no file or a whole pid */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
    int rc = 0;
    if (write(fd, buf, (size_t)n) != n)
        rc = errno ? -errno : -EIO;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -errno;
    if (rc != 0)
        unlink(tmp);
    return rc;
}

void ngd_pidfile_remove(const char *path)
{
    pid_t pid = 0;
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return;
    long v = 0;
    if (fscanf(f, "%ld", &v) == 1)
        pid = (pid_t)v;
    fclose(f);
    if (pid == getpid())
        unlink(path);
}

/* The write end of the pipe to the waiting original process (-1: none).
 * Main thread only. */
static int ngd_ready_fd = -1;

int ngd_daemonize(void)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return -errno;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        return -e;
    }
    if (pid > 0) {
        /* the original process: wait for the intermediate one, then for the
         * daemon's verdict */
        close(p[1]);
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        unsigned char code = 1;
        ssize_t n;
        while ((n = read(p[0], &code, 1)) < 0 && errno == EINTR)
            ;
        if (n != 1)
            code = 1;
        _exit(code);
    }
    close(p[0]);
    if (setsid() < 0) {
        fprintf(stderr, "ngraphd: setsid: %s\n", strerror(errno));
        _exit(1);
    }
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "ngraphd: fork: %s\n", strerror(errno));
        _exit(1);
    }
    if (pid > 0)
        _exit(0); /* the session leader goes: the daemon can't get a tty */
    if (chdir("/") != 0) {
        fprintf(stderr, "ngraphd: chdir /: %s\n", strerror(errno));
        _exit(1);
    }
    int fd = open("/dev/null", O_RDWR);
    if (fd < 0) {
        fprintf(stderr, "ngraphd: /dev/null: %s\n", strerror(errno));
        _exit(1);
    }
    /* stderr stays until start-up is over: errors before then still reach
     * the terminal (ngd_daemon_ready() detaches it) */
    dup2(fd, 0);
    dup2(fd, 1);
    if (fd > 2)
        close(fd);
    ngd_ready_fd = p[1];
    return 0;
}

int ngd_daemon_starting(void) { return ngd_ready_fd >= 0; }

void ngd_daemon_ready(int status)
{
    if (ngd_ready_fd < 0)
        return;
    if (status == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, 2);
            if (fd != 2)
                close(fd);
        }
    }
    unsigned char code = (unsigned char)(status > 255 || status < 0 ? 1 : status);
    ssize_t w = write(ngd_ready_fd, &code, 1);
    (void)w;
    close(ngd_ready_fd);
    ngd_ready_fd = -1;
}

/* dir/name if it is an executable file, else NULL. */
static char *exe_in(const char *dir, size_t dirlen, const char *name)
{
    size_t len = dirlen + strlen(name) + 2;
    char *p = malloc(len);
    if (p == NULL)
        return NULL;
    snprintf(p, len, "%.*s/%s", (int)dirlen, dir, name);
    struct stat st;
    if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
        return p;
    free(p);
    return NULL;
}

/* ngctl beside our own executable, else the first in PATH; NULL if none.
 * Found before fork(): the child of a threaded process only execs. */
static char *find_ngctl(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        char *p = slash ? exe_in(self, (size_t)(slash - self), "ngctl") : NULL;
        if (p != NULL)
            return p;
    }
    const char *path = getenv("PATH");
    if (path == NULL)
        path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    while (*path != '\0') {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        char *p = len > 0 ? exe_in(path, len, "ngctl") : NULL;
        if (p != NULL)
            return p;
        path += len + (end != NULL);
    }
    return NULL;
}

int ngd_run_script(const char *socket, const char *script, int out_fd)
{
    char *ngctl = find_ngctl();
    if (ngctl == NULL) {
        ngd_log(NGD_ERR, "script %s: no ngctl beside ngraphd nor in PATH", script);
        return -ECHILD;
    }
    ngd_log(NGD_DEBUG, "running %s --socket %s -f %s", ngctl, socket, script);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        free(ngctl);
        return -e;
    }
    if (pid == 0) {
        /* the child: async-signal-safe calls only until exec (ngraphd has
         * threads by now) */
        int null = open("/dev/null", O_RDWR);
        if (null >= 0)
            dup2(null, 0);
        int out = out_fd >= 0 ? out_fd : null;
        if (out >= 0) {
            dup2(out, 1);
            dup2(out, 2);
        }
        struct sigaction dfl = {.sa_handler = SIG_DFL};
        sigaction(SIGPIPE, &dfl, NULL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        char *argv[] = {(char *)"ngctl", (char *)"--socket", (char *)socket,
                        (char *)"-f",    (char *)script,     NULL};
        execv(ngctl, argv);
        static const char msg[] = "ngraphd: cannot exec ngctl\n";
        ssize_t w = write(2, msg, sizeof(msg) - 1);
        (void)w;
        _exit(127);
    }
    free(ngctl);
    int st;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR)
            return -errno;
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (WIFEXITED(st))
        ngd_log(NGD_ERR, "script %s: ngctl exited with status %d", script, WEXITSTATUS(st));
    else
        ngd_log(NGD_ERR, "script %s: ngctl killed by signal %d", script, WTERMSIG(st));
    return -ECHILD;
}
