/*
 * cmds.c - ngctl's command table and dispatcher: splitting a line into
 * words, finding a command by prefix or alias (case-insensitive, as
 * FreeBSD's ngctl), running command files, and the commands help, read,
 * debug and quit.
 */
#include <ctype.h>
#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ngctl.h"

#define MAX_ARGS 512
#define WHITESPACE " \t\r\n\v\f"

static int help_func(int ac, char **av);
static int read_func(int ac, char **av);
static int quit_func(int ac, char **av);
static int debug_func(int ac, char **av);

/* The commands, in FreeBSD's order (help lists them so). */
static const struct ngctl_cmd *const cmds[] = {
    &ngctl_config_cmd,   &ngctl_connect_cmd, &ngctl_debug_cmd,
    &ngctl_dot_cmd,      &ngctl_help_cmd,    &ngctl_list_cmd,
    &ngctl_mkpeer_cmd,   &ngctl_msg_cmd,     &ngctl_name_cmd,
    &ngctl_read_cmd,     &ngctl_rmhook_cmd,  &ngctl_show_cmd,
    &ngctl_shutdown_cmd, &ngctl_status_cmd,  &ngctl_types_cmd,
    &ngctl_write_cmd,    &ngctl_quit_cmd,    NULL};

const struct ngctl_cmd ngctl_read_cmd = {
    read_func, "read <filename>", "Read and execute commands from a file", NULL, {"source", "."}};

const struct ngctl_cmd ngctl_help_cmd = {
    help_func,
    "help [command]",
    "Show command summary or get more help on a specific command",
    NULL,
    {"?"}};

const struct ngctl_cmd ngctl_quit_cmd = {quit_func, "quit", "Exit program", NULL, {"exit"}};

const struct ngctl_cmd ngctl_debug_cmd = {
    debug_func,
    "debug [level]",
    "Get/set debugging verbosity level",
    "Without any argument, this command displays the current"
    " debugging verbosity level. If the argument is ``+'' or ``-''"
    " the debug level is incremented or decremented; otherwise,"
    " it must be an absolute numerical level.",
    {NULL}};

/* s is a prefix of the command's name or of one of its aliases. */
static int match_command(const struct ngctl_cmd *cmd, const char *s)
{
    size_t len = strlen(s);
    if (len <= strcspn(cmd->cmd, WHITESPACE) && strncasecmp(s, cmd->cmd, len) == 0)
        return 1;
    for (int a = 0; a < NGCTL_MAX_ALIAS && cmd->aliases[a]; a++)
        if (strlen(cmd->aliases[a]) >= len && strncasecmp(s, cmd->aliases[a], len) == 0)
            return 1;
    return 0;
}

static const struct ngctl_cmd *find_command(const char *s)
{
    const struct ngctl_cmd *found = NULL;
    for (int k = 0; cmds[k]; k++) {
        if (!match_command(cmds[k], s))
            continue;
        if (found) {
            warnx("\"%s\": ambiguous command", s);
            return NULL;
        }
        found = cmds[k];
    }
    if (!found)
        warnx("\"%s\": unknown command", s);
    return found;
}

int ngctl_do_command(int ac, char **av)
{
    if (ac == 0 || *av[0] == '\0')
        return CMDRTN_OK;
    const struct ngctl_cmd *cmd = find_command(av[0]);
    if (!cmd)
        return CMDRTN_ERROR;
    int rtn = cmd->func(ac, av);
    if (rtn == CMDRTN_USAGE)
        warnx("usage: %s", cmd->cmd);
    return rtn;
}

int ngctl_parse_command(char *line)
{
    char *av[MAX_ARGS];
    char *save = NULL;
    int ac = 0;
    for (char *w = strtok_r(line, WHITESPACE, &save); w; w = strtok_r(NULL, WHITESPACE, &save)) {
        if (ac == MAX_ARGS - 1) {
            warnx("too many arguments (at most %d)", MAX_ARGS - 2);
            return CMDRTN_ERROR;
        }
        av[ac++] = w;
    }
    av[ac] = NULL;
    return ngctl_do_command(ac, av);
}

/* How deep read commands may nest (a file that reads itself stops). */
#define READ_DEPTH_MAX 16

int ngctl_read_file(FILE *fp)
{
    static int depth;
    if (depth == READ_DEPTH_MAX) {
        warnx("files read each other more than %d deep", READ_DEPTH_MAX);
        return CMDRTN_ERROR;
    }
    depth++;
    char *line = NULL;
    size_t sz = 0;
    unsigned lineno = 0;
    int rtn = CMDRTN_OK;
    while (getline(&line, &sz, fp) >= 0) {
        lineno++;
        if (*line == '#')
            continue;
        if ((rtn = ngctl_parse_command(line)) != CMDRTN_OK) {
            warnx("line %u: error in file", lineno);
            break;
        }
    }
    if (rtn == CMDRTN_OK && ferror(fp))
        rtn = CMDRTN_ERROR;
    free(line);
    depth--;
    return rtn;
}

static int read_func(int ac, char **av)
{
    if (ac != 2)
        return CMDRTN_USAGE;
    FILE *fp = fopen(av[1], "r");
    if (!fp) {
        warn("%s", av[1]);
        return CMDRTN_ERROR;
    }
    int rtn = ngctl_read_file(fp);
    if (ferror(fp))
        warn("%s", av[1]);
    fclose(fp);
    return rtn;
}

/* Print help text in lines of at most 63 columns, broken at blanks. */
static void print_wrapped(const char *s)
{
    const int maxcol = 63;
    while (*s) {
        while (isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        int len = 0;
        while (s[len] && len < maxcol)
            len++;
        if (s[len]) {
            int b = len;
            while (b > 0 && !isblank((unsigned char)s[b]))
                b--;
            if (b > 0)
                len = b;
        }
        printf("  %.*s\n", len, s);
        s += len;
    }
}

static int help_func(int ac, char **av)
{
    if (ac <= 1) {
        printf("Available commands:\n");
        for (int k = 0; cmds[k]; k++) {
            const char *c = cmds[k]->cmd;
            int n = (int)strcspn(c, WHITESPACE);
            printf("  %.*s%*s %s\n", n, c, n < 10 ? 10 - n : 0, "", cmds[k]->desc);
        }
        return CMDRTN_OK;
    }
    if (ac > 2)
        return CMDRTN_USAGE;
    const struct ngctl_cmd *cmd = find_command(av[1]);
    if (!cmd)
        return CMDRTN_ERROR;
    printf("usage:    %s\n", cmd->cmd);
    if (cmd->aliases[0]) {
        printf("Aliases:  ");
        for (int a = 0; a < NGCTL_MAX_ALIAS && cmd->aliases[a]; a++)
            printf("%s%s", a ? ", " : "", cmd->aliases[a]);
        printf("\n");
    }
    printf("Summary:  %s\n", cmd->desc);
    if (cmd->help) {
        printf("Description:\n");
        print_wrapped(cmd->help);
    }
    return CMDRTN_OK;
}

static int quit_func(int ac, char **av)
{
    (void)av;
    if (ac != 1)
        return CMDRTN_USAGE;
    return CMDRTN_QUIT;
}

static int debug_func(int ac, char **av)
{
    if (ac == 1) {
        printf("Current debug level is %d\n", NgSetDebug(-1));
        return CMDRTN_OK;
    }
    if (ac != 2)
        return CMDRTN_USAGE;
    int level;
    if (strcmp(av[1], "+") == 0) {
        level = NgSetDebug(-1) + 1;
    } else if (strcmp(av[1], "-") == 0) {
        level = NgSetDebug(-1) - 1;
        if (level < 0)
            level = 0;
    } else {
        char *end;
        long v = strtol(av[1], &end, 10);
        if (end == av[1] || *end != '\0' || v < 0 || v > 1000)
            return CMDRTN_USAGE;
        level = (int)v;
    }
    NgSetDebug(level);
    return CMDRTN_OK;
}
