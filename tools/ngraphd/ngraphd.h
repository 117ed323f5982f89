/*
 * ngraphd's internal interface (tools/ngraphd/): the options (main.c,
 * opts.c), logging (log.c) and the process plumbing (proc.c: daemonizing,
 * the pidfile, running the start-up script through ngctl).
 *
 * ngraphd is single-threaded in everything declared here: only the main
 * thread logs, parses options and handles signals (they are blocked in
 * every thread and read from a signalfd by the main loop), so none of this
 * state needs a lock.  The graph's worker threads and the server's thread
 * are libngraph's and never call into these files.
 */
#ifndef NGRAPHD_H
#define NGRAPHD_H

#include <stddef.h>
#include <sys/types.h>

#include <ngraph/ngraph.h>
#include <ngraph/server.h>

/* Exit status of a command line error (sysexits' EX_USAGE). */
#define NGD_EX_USAGE 64
/* Exit status when memory runs out while parsing (EX_OSERR). */
#define NGD_EX_OSERR 71

#define NGD_MAX_CPUS 1024

/* Item defaults: every DATA packet a client may send (65536 bytes, the wire
 * protocol's limit) fits one item; 65536 of them at most (4 GiB). */
#define NGD_ITEM_SIZE 65536u
#define NGD_ITEMS 65536u
#define NGD_ITEM_HEADROOM 64u

struct ngd_opts {
    enum ng_backend backend;
    unsigned workers;   /* 0: one per CPU (of --cpus when given) */
    unsigned item_size; /* data bytes an item holds (--item-size) */
    unsigned items;     /* items alive at once at most (--items) */
    int cpus[NGD_MAX_CPUS];
    unsigned ncpus;
    char *socket; /* absolute or as given (made absolute with -d) */
    char *group;  /* --group NAME or NULL */
    gid_t gid;    /* its gid when group != NULL */
    uid_t uids[NG_CTL_MAX_IDS];
    unsigned nuids;
    char *script;   /* -f FILE or NULL */
    int daemonize;  /* -d */
    char *pidfile;  /* --pidfile FILE or NULL */
    int use_syslog; /* --syslog */
    char *logfile;  /* --log FILE or NULL */
    int verbose;    /* -v count */
};

/*
 * Parse the command line into *o (all strings allocated; ngd_opts_free).
 *   Returns:  0 (run); 1 (--help or --version was printed: exit 0);
 *             NGD_EX_USAGE (the error was printed to stderr); NGD_EX_OSERR
 *             (no memory).
 */
int ngd_opts_parse(int argc, char **argv, struct ngd_opts *o);
/* Make the path options absolute (before chdir("/") of -d).  Returns 0 or
 * -errno (getcwd, -ENOMEM). */
int ngd_opts_absolute(struct ngd_opts *o);
void ngd_opts_free(struct ngd_opts *o);

/* Logging: to stderr (default), syslog or a file. */
enum ngd_level { NGD_ERR, NGD_WARN, NGD_INFO, NGD_DEBUG };
/* Start logging; file may be NULL.  Returns 0 or -errno (the file cannot
 * be opened). */
int ngd_log_open(int use_syslog, const char *file, int verbose);
/* Reopen the log file (SIGHUP; logrotate renamed it).  Returns 0; 1 (no
 * log file); -errno (the old file stays in use). */
int ngd_log_reopen(void);
/* The file descriptor log lines go to (stderr or the file), -1 for syslog:
 * what the start-up script's output is sent to. */
int ngd_log_fd(void);
void ngd_log_close(void);
void ngd_log(enum ngd_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Refuse a pidfile naming a live process.
 *   Returns:  0 (no file, or a stale one); -EEXIST (a live process: its
 *             pid in *pid); -errno reading it.
 */
int ngd_pidfile_check(const char *path, pid_t *pid);
/* Write our pid to path.  Returns 0 or -errno. */
int ngd_pidfile_write(const char *path);
/* Remove path if it still names us. */
void ngd_pidfile_remove(const char *path);

/*
 * Become a daemon: fork, setsid, fork, chdir("/"), fds 0-2 to /dev/null.
 * The original process stays until ngd_daemon_ready() is called in the
 * daemon and exits with the status given there (or 1 if the daemon dies
 * first), so that `ngraphd -d` returns once it serves, or fails with the
 * daemon's error.
 *   Returns:  0 in the daemon; -errno (fork/pipe/setsid failed; nothing
 *             forked is left behind).  Never returns in the other processes.
 */
int ngd_daemonize(void);
/* Report start-up's outcome to the waiting parent (no-op without -d or
 * after the first call): 0 = serving, else the exit status. */
void ngd_daemon_ready(int status);
/* Non-zero between ngd_daemonize() and ngd_daemon_ready(): stderr is still
 * the terminal's (the log also copies errors there). */
int ngd_daemon_starting(void);

/*
 * Run `ngctl --socket SOCKET -f SCRIPT` (ngctl from ngraphd's directory,
 * else from PATH), its output to out_fd (-1: /dev/null), and wait for it.
 *   Returns:  0 (exit status 0); -ECHILD (it failed: non-zero status or a
 *             signal, logged); -errno (fork failed).
 */
int ngd_run_script(const char *socket, const char *script, int out_fd);

#endif
