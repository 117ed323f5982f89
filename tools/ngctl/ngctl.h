/*
 * ngctl.h - what the files of ngctl (FreeBSD's ngctl(8) for libngraph, a
 * libnetgraph client) share: the command table entry, the command return
 * codes, the node's two sockets, and the helpers for receiving responses
 * and printing what arrives.
 *
 * ngctl is single-threaded: every function here runs on the main thread,
 * which alone reads and writes the sockets and the pending-message queue.
 */
#ifndef NGCTL_H
#define NGCTL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <netgraph.h>

/* What a command function returns; main() turns it into an exit status
 * (0, 0, EX_USAGE, EX_OSERR) as FreeBSD's ngctl does. */
enum { CMDRTN_OK = 0, CMDRTN_USAGE = 1, CMDRTN_ERROR = 2, CMDRTN_QUIT = 3 };

#define NGCTL_MAX_ALIAS 4

/* One command: its function, "name args" usage, one-line summary, longer
 * help (NULL: none) and aliases (NULL-terminated unless all are used). */
struct ngctl_cmd {
    int (*func)(int ac, char **av);
    const char *cmd;
    const char *desc;
    const char *help;
    const char *aliases[NGCTL_MAX_ALIAS];
};

extern const struct ngctl_cmd ngctl_config_cmd, ngctl_connect_cmd, ngctl_debug_cmd, ngctl_dot_cmd,
    ngctl_help_cmd, ngctl_list_cmd, ngctl_mkpeer_cmd, ngctl_msg_cmd, ngctl_name_cmd, ngctl_read_cmd,
    ngctl_rmhook_cmd, ngctl_show_cmd, ngctl_shutdown_cmd, ngctl_status_cmd, ngctl_types_cmd,
    ngctl_write_cmd, ngctl_quit_cmd;

/* The socket node's control and data sockets (NgMkSockNode in main()). */
extern int ngctl_csock, ngctl_dsock;

/* cmds.c: run one parsed command / one line / a whole file of commands. */
int ngctl_do_command(int ac, char **av);
int ngctl_parse_command(char *line);
int ngctl_read_file(FILE *fp);

/* Time a response to a command with NGM_HASREPLY may take to be readable. */
#define NGCTL_REPLY_MS 10000

/*
 * Receive the response with this token (NGF_RESP set) from the control
 * socket, waiting at most timeout_ms for each message (0: only what is
 * readable now).  Other messages read meanwhile are queued, in order, for
 * ngctl_msg_read().  The response is checked to hold at least minlen
 * argument bytes.
 * Returns 0 with *respp (free() it); -1 with errno (ETIMEDOUT: none in
 * time, EBADMSG: shorter than minlen, ENOMSG: the command was sent to
 * ngctl's own node and came back instead of a response, or
 * NgAllocRecvMsg's).
 */
int ngctl_recv_resp(int token, int timeout_ms, size_t minlen, struct ng_mesg **respp);

/* Whether a message waits in the queue of ngctl_recv_resp(). */
int ngctl_msg_pending(void);

/* Free the queued messages (at exit). */
void ngctl_msg_flush(void);

/*
 * Read the next incoming message (from the queue first, else the control
 * socket) and print it as FreeBSD's ngctl does: `Rec'd response "cmd" (n)
 * from "[id]:":` and `Args:\t<ascii>` or `No arguments`.
 * Returns 0; -1 with errno if the control socket failed (ENOTCONN: the
 * node or the server is gone).
 */
int ngctl_msg_read(void);

/* Receive one data packet from the data socket and print it ("Rec'd data
 * packet on hook ..." and a hex dump).  Returns 0; -1 with errno. */
int ngctl_data_read(void);

/* Print len bytes as FreeBSD's DumpAscii: offset, 16 hex bytes, ASCII. */
void ngctl_dump_ascii(const unsigned char *buf, size_t len);

/* The text of a response's arguments, NUL-terminated within arglen (an
 * empty string if there is none). */
const char *ngctl_resp_text(struct ng_mesg *resp);

#endif
