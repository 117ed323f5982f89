#!/usr/bin/env bash
# ngraphd's tests (docs/ngraphd.md), one case per ctest test:
#   ngraphd_test.sh script|sigterm|sighup|daemon|inuse|access|badopts
# Each starts its own ngraphd on a socket in a temp directory and kills it
# on exit, even on failure (common.sh).
. "$(dirname "$0")/common.sh"

case_script() {
    # -f: the graph the script builds is there once ngraphd serves
    cat >"$T/graph.ngctl" <<'SCRIPT'
mkpeer . hole h in
name h myhole
mkpeer myhole: tee t left
name myhole:t mytee
SCRIPT
    start_ngraphd -f "$T/graph.ngctl"
    ngctl list >"$T/list.out" 2>"$T/list.err" || fail "ngctl list failed"
    grep -q 'Name: myhole .*Type: hole' "$T/list.out" || fail "no myhole in: $(cat "$T/list.out")"
    grep -q 'Name: mytee .*Type: tee' "$T/list.out" || fail "no mytee in: $(cat "$T/list.out")"
    ngctl show mytee: >"$T/show.out" 2>&1 || fail "ngctl show mytee: failed"
    grep -q 'left .*myhole .*hole .*t' "$T/show.out" || fail "mytee not linked: $(cat "$T/show.out")"
    stop_ngraphd

    # a failing script stops ngraphd with an error, leaving nothing behind
    printf 'mkpeer . nosuchtype h in\n' >"$T/bad.ngctl"
    "$NGRAPHD" --backend "$NG_BACKEND" --socket "$SOCK" --pidfile "$T/ngraphd.pid" \
        -f "$T/bad.ngctl" >"$T/bad.log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    wait_rc "$pid" 20
    [[ $RC -eq 1 ]] || fail "failing script: exit $RC, expected 1"
    grep -q 'script .*failed' "$T/bad.log" || fail "failing script not reported"
    [[ ! -e $SOCK && ! -e $T/ngraphd.pid ]] || fail "failing script left the socket or pidfile"
    rm -f "$T/bad.log"

    # a script that does not exist: the same
    "$NGRAPHD" --socket "$SOCK" -f "$T/missing.ngctl" >"$T/missing.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    wait_rc "$pid" 20
    [[ $RC -eq 1 ]] || fail "missing script: exit $RC, expected 1"
    rm -f "$T/missing.log"
}

case_sigterm() {
    # SIGTERM while clients are connected and data flows (nghook -l and an
    # echo node play ping-pong): exit 0, accounting adds up, socket unlinked
    start_ngraphd
    ngctl_script "mkpeer . echo e x" "name e myecho" "mkpeer myecho: hole keep keep" ||
        fail "mkpeer echo, name myecho"
    # their stdin: FIFOs this shell holds open (closed when it exits)
    local i hp=()
    mkfifo "$T/in1" "$T/in2" "$T/in3"
    for i in 1 2; do
        "$NGHOOK" --socket "$SOCK" -l myecho: "x$i" <"$T/in$i" >"$T/flow$i.out" 2>"$T/flow$i.err" &
        hp+=($!)
        PIDS+=($!)
    done
    # a third client that is merely connected
    "$NGCTL" --socket "$SOCK" <"$T/in3" >/dev/null 2>&1 &
    PIDS+=($!)
    exec 3>"$T/in1" 4>"$T/in2" 5>"$T/in3"
    printf 'ping1' >&3
    printf 'ping2' >&4
    wait_for "[[ \$(stat -c %s $T/flow1.out 2>/dev/null || echo 0) -gt 4000 ]]" 10 ||
        fail "no data flowing through the echo node"
    stop_ngraphd
    check_accounting "$LOG"
    ((ACCT_ALLOC > 1000)) || fail "only $ACCT_ALLOC items allocated: no traffic seen"
    grep -q 'SIGTERM\|Terminated' "$LOG" || fail "shutdown not logged"
    # the clients see their node go away and exit with an error
    for i in "${hp[@]}"; do
        wait_rc "$i" 10
        [[ $RC -ne 0 ]] || fail "nghook exited 0 although its node went away"
    done
    grep -q 'went away\|ENOTCONN\|not connected' "$T/flow1.err" ||
        fail "nghook did not report the lost node: $(cat "$T/flow1.err")"
    rm -f "$T"/flow*.err
}

case_sighup() {
    # --log FILE; rename it, SIGHUP: a new FILE appears and gets the lines
    start_ngraphd --log "$T/file.log"
    grep -q 'serving' "$T/file.log" || fail "--log file lacks the start line"
    mv "$T/file.log" "$T/file.log.1"
    kill -HUP "$DPID"
    wait_for "[[ -s $T/file.log ]]" 10 || fail "no new log file after SIGHUP"
    grep -q 'log reopened' "$T/file.log" || fail "the new log lacks the reopen line"
    ngctl list >/dev/null || fail "ngctl list after SIGHUP"
    stop_ngraphd
    grep -q 'shutting down' "$T/file.log" || fail "shutdown not in the new log"
    ! grep -q 'shutting down' "$T/file.log.1" || fail "shutdown went to the renamed log"
    grep -q '^[0-9-]*T[0-9:]*Z ngraphd\[[0-9]*\]: info: ' "$T/file.log" ||
        fail "log lines lack the timestamp: $(head -n 2 "$T/file.log")"
    check_accounting "$T/file.log"
    rm -f "$T"/file.log*
}

case_daemon() {
    # -d --pidfile: returns once serving, pidfile names the daemon
    "$NGRAPHD" -d --backend "$NG_BACKEND" --socket "$SOCK" --pidfile "$T/ngraphd.pid" \
        --log "$T/d.log" >"$T/start.log" 2>&1 &
    local starter=$!
    PIDS+=("$starter")
    wait_rc "$starter" 20
    [[ $RC -eq 0 ]] || fail "ngraphd -d exited with $RC"
    [[ -s $T/ngraphd.pid && -S $SOCK ]] || fail "no pidfile or socket after ngraphd -d"
    local pid
    pid=$(cat "$T/ngraphd.pid")
    kill -0 "$pid" 2>/dev/null || fail "pid $pid of the pidfile is not running"
    [[ $pid -ne $starter ]] || fail "ngraphd -d did not fork"
    [[ $(readlink "/proc/$pid/cwd") == / ]] || fail "the daemon's cwd is not /"
    [[ $(ps -o sid= -p "$pid" | tr -d ' ') != $(ps -o sid= -p $$ | tr -d ' ') ]] ||
        fail "the daemon did not setsid"
    ngctl list >/dev/null 2>&1 || fail "ngctl list against the daemon"

    # the pidfile names a live process: a second one refuses to start
    "$NGRAPHD" -d --socket "$T/other.sock" --pidfile "$T/ngraphd.pid" >"$T/second.err" 2>&1 &
    local second=$!
    PIDS+=("$second")
    wait_rc "$second" 20
    [[ $RC -eq 1 ]] || fail "second ngraphd with a live pidfile: exit $RC, expected 1"
    grep -q "is running" "$T/second.err" || fail "second ngraphd: no 'is running' error"
    [[ ! -e $T/other.sock ]] || fail "the refused ngraphd made a socket"
    rm -f "$T/second.err"

    kill -TERM "$pid"
    wait_for "[[ ! -e $T/ngraphd.pid ]]" 20 || fail "the daemon did not remove its pidfile"
    wait_for "! kill -0 $pid 2>/dev/null || grep -q '^State:.Z' /proc/$pid/status" 20 ||
        fail "the daemon did not exit"
    [[ ! -e $SOCK ]] || fail "the daemon left its socket"
    grep -q 'exiting' "$T/d.log" || fail "the daemon's log lacks 'exiting'"
    check_accounting "$T/d.log"

    # a stale pidfile (no such process) does not stop a new start
    echo 999999999 >"$T/ngraphd.pid"
    start_ngraphd
    stop_ngraphd
    rm -f "$T/d.log" "$T/start.log"
}

case_inuse() {
    # a second ngraphd on the socket of a live one refuses (EADDRINUSE)
    start_ngraphd
    "$NGRAPHD" --backend "$NG_BACKEND" --socket "$SOCK" >"$T/second.err" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    wait_rc "$pid" 20
    [[ $RC -eq 1 ]] || fail "second ngraphd: exit $RC, expected 1"
    grep -q 'already listening' "$T/second.err" || fail "second ngraphd: no 'already listening'"
    kill -0 "$DPID" || fail "the first ngraphd died"
    ngctl list >/dev/null || fail "the first ngraphd no longer serves"
    stop_ngraphd
    rm -f "$T/second.err"
}

# as_user UID GID GROUPS CMD...: run CMD with those credentials
as_user() {
    local uid=$1 gid=$2 groups=$3
    shift 3
    if [[ -n $groups ]]; then
        setpriv --reuid="$uid" --regid="$gid" --groups="$groups" "$@"
    else
        setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"
    fi
}

case_access() {
    # --group and --allow-uid: modes of the socket directory and socket, and
    # who may connect (other users need root to switch to them)
    if [[ $(id -u) -ne 0 ]] || ! command -v setpriv >/dev/null ||
        ! as_user 65534 65534 "" test -x "$NGCTL"; then
        echo "SKIP: needs root, setpriv and the build readable by uid 65534"
        exit 77
    fi
    chmod 0711 "$T"
    # default: 0700 directory, 0600 socket; another user cannot connect
    start_ngraphd
    [[ $(stat -c %a "$T/run") == 700 && $(stat -c %a "$SOCK") == 600 ]] ||
        fail "default modes: $(stat -c '%a %U:%G' "$T/run" "$SOCK")"
    ! as_user 65534 65534 "" "$NGCTL" --socket "$SOCK" list >/dev/null 2>&1 ||
        fail "uid 65534 connected to a 0700 socket directory"
    stop_ngraphd
    # --group 65534: 0750/0660 of that group; a client of that primary gid
    # connects, one with it only as a supplementary group (uid 1, gid 1:
    # reaches the socket, refused by the server's credentials check) not ...
    SOCK=$T/run-group/ngraph.sock # (an existing directory keeps its mode)
    start_ngraphd --group 65534
    [[ $(stat -c '%a %g' "$T/run-group") == "750 65534" && $(stat -c '%a %g' "$SOCK") == "660 65534" ]] ||
        fail "--group modes: $(stat -c '%a %U:%G' "$T/run-group" "$SOCK")"
    as_user 65534 65534 "" "$NGCTL" --socket "$SOCK" list >"$T/out" 2>&1 ||
        fail "gid 65534 refused with --group 65534: $(cat "$T/out")"
    ! as_user 1 1 65534 "$NGCTL" --socket "$SOCK" list >"$T/out" 2>&1 ||
        fail "uid 1 gid 1 accepted with --group 65534"
    stop_ngraphd
    # ... unless its uid is allowed
    start_ngraphd --group 65534 --allow-uid 1
    as_user 1 1 65534 "$NGCTL" --socket "$SOCK" list >"$T/out" 2>&1 ||
        fail "uid 1 refused with --allow-uid 1: $(cat "$T/out")"
    ngctl list >/dev/null || fail "root refused with --allow-uid 1"
    stop_ngraphd
    rm -f "$T/out"
}

case_badopts() {
    # every command line error: exit 64 and a usage message
    local args
    while IFS= read -r args; do
        eval "set -- $args"
        "$NGRAPHD" "$@" --socket "$SOCK" >"$T/out" 2>"$T/err"
        RC=$?
        [[ $RC -eq 64 ]] || fail "ngraphd $args: exit $RC, expected 64"
        grep -q '^usage: ngraphd' "$T/err" || fail "ngraphd $args: no usage message"
        [[ ! -e $SOCK ]] || fail "ngraphd $args made a socket"
    done <<'ARGS'
--backend nope
--backend
--workers 0
--workers x
--workers 5000
--workers -1
--item-size 0
--item-size 16777153
--items 0
--items 4294967296
--cpus 3-1
--cpus a
--cpus 1,
--cpus 99999
--bogus
-x
extra
--syslog --log "$T/l"
--group no_such_group_ngd
--allow-uid no_such_user_ngd
-f ""
--log ""
--pidfile ""
--socket ""
--socket "$(printf 'x%.0s' {1..120})"
ARGS
    "$NGRAPHD" --allow-uid 1 --allow-uid 2 --allow-uid 3 --allow-uid 4 --allow-uid 5 \
        --allow-uid 6 --allow-uid 7 --allow-uid 8 --allow-uid 9 --allow-uid 10 --allow-uid 11 \
        --allow-uid 12 --allow-uid 13 --allow-uid 14 --allow-uid 15 --socket "$SOCK" 2>"$T/err"
    [[ $? -eq 64 ]] || fail "15 --allow-uid accepted"
    "$NGRAPHD" --help >"$T/out" 2>&1 || fail "--help failed"
    grep -q '^usage: ngraphd' "$T/out" || fail "--help prints no usage"
    "$NGRAPHD" --version >"$T/out" 2>&1 || fail "--version failed"
    grep -q '^ngraphd (libngraph) [0-9]' "$T/out" || fail "--version: $(cat "$T/out")"
    # a log file that cannot be opened
    "$NGRAPHD" --socket "$SOCK" --log "$T/no/such/dir/log" 2>"$T/err"
    [[ $? -eq 1 ]] || fail "unopenable --log accepted"
    rm -f "$T/out" "$T/err"
}

case "${1:-}" in
script | sigterm | sighup | daemon | inuse | access | badopts) "case_$1" ;;
*) fail "unknown case '${1:-}'" ;;
esac
echo "ngraphd $1 ($NG_BACKEND): OK"
