# Shared by the ngraphd and nghook tests (tests/tools/daemon.cmake): a temp
# directory, an ngraphd on a socket in it, bounded waits, and cleanup of
# both (every process started is killed on exit, even on failure).
#
# Environment (set by ctest): NGRAPHD, NGCTL, NGHOOK (the executables),
# NG_BACKEND (the backend ngraphd runs on).
set -u
NG_BACKEND=${NG_BACKEND:-ck_epoch}
T=$(mktemp -d "${TMPDIR:-/tmp}/ngd-test.XXXXXX")
SOCK=$T/run/ngraph.sock
LOG=$T/ngraphd.log
PIDS=()
DPID=

MAINPID=$BASHPID

cleanup() {
    # subshells (pipelines, the watchdogs) may run the EXIT trap too: only
    # the test's own shell cleans up
    [[ $BASHPID == "$MAINPID" ]] || return 0
    local p
    for p in "${PIDS[@]}"; do
        kill -9 "$p" 2>/dev/null
    done
    # a daemonized ngraphd is not our child: its pidfile names it
    if [[ -f $T/ngraphd.pid ]]; then
        p=$(cat "$T/ngraphd.pid" 2>/dev/null)
        [[ -n $p ]] && kill -9 "$p" 2>/dev/null
    fi
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    local f
    for f in "$T"/*.log "$T"/*.err; do
        [[ -f $f ]] && sed "s|^|  ${f##*/}: |" "$f" >&2
    done
    exit 1
}

# wait_for TEST SECONDS: poll the bash test expression every 50 ms.
wait_for() {
    local n=$(($2 * 20))
    while ! eval "$1"; do
        ((n-- > 0)) || return 1
        sleep 0.05
    done
}

# wait_rc PID SECONDS: wait for our child PID; its status in RC (a failure
# if it had to be killed).  Polls: bash reaps exited children on SIGCHLD.
wait_rc() {
    local pid=$1 n=$(($2 * 20)) killed=0
    while kill -0 "$pid" 2>/dev/null; do
        if ((n-- <= 0)); then
            kill -9 "$pid" 2>/dev/null
            killed=1
            break
        fi
        sleep 0.05
    done
    wait "$pid" 2>/dev/null
    RC=$?
    [[ $killed -eq 0 ]] || fail "pid $pid did not exit within $2 s"
}

# start_ngraphd [ARGS...]: ngraphd in the foreground (our child, DPID) on
# $SOCK, its output in $LOG; returns once its pidfile says it serves.
start_ngraphd() {
    "$NGRAPHD" --backend "$NG_BACKEND" --workers 2 --socket "$SOCK" --pidfile "$T/ngraphd.pid" \
        "$@" >>"$LOG" 2>&1 &
    DPID=$!
    PIDS+=("$DPID")
    wait_for "[[ \$(cat $T/ngraphd.pid 2>/dev/null) == $DPID ]] || ! kill -0 $DPID 2>/dev/null" 20
    [[ $(cat "$T/ngraphd.pid" 2>/dev/null) == "$DPID" ]] || fail "ngraphd did not start"
}

# stop_ngraphd: SIGTERM, expect exit 0 within 20 s and the socket gone.
stop_ngraphd() {
    kill -TERM "$DPID"
    wait_rc "$DPID" 20
    [[ $RC -eq 0 ]] || fail "ngraphd exited with $RC after SIGTERM"
    [[ ! -e $SOCK ]] || fail "socket $SOCK left behind"
    [[ ! -e $T/ngraphd.pid ]] || fail "pidfile left behind"
}

ngctl() { "$NGCTL" --socket "$SOCK" "$@"; }

# ngctl_script LINE...: run the lines in one ngctl (nodes made with mkpeer
# from a client stay only if named or linked before it exits).
ngctl_script() {
    printf '%s\n' "$@" >"$T/script.ngctl"
    "$NGCTL" --socket "$SOCK" -f "$T/script.ngctl"
}

# check_accounting FILE: the final accounting line adds up and saw items.
check_accounting() {
    local line
    line=$(grep -E 'accounting: [0-9]+ items allocated' "$1" | tail -n 1)
    [[ -n $line ]] || fail "no accounting line in $1"
    if [[ ! $line =~ accounting:\ ([0-9]+)\ items\ allocated\ =\ ([0-9]+)\ delivered\ \+\ ([0-9]+)\ dropped\ \(notconn\ ([0-9]+),\ dead\ ([0-9]+),\ nobufs\ ([0-9]+),\ queue\ ([0-9]+),\ loop\ ([0-9]+)\)\ \+\ ([0-9]+)\ live ]]; then
        fail "accounting line not understood: $line"
    fi
    local m=("${BASH_REMATCH[@]}")
    ((m[1] == m[2] + m[3] + m[9])) || fail "accounting does not add up: $line"
    ((m[3] == m[4] + m[5] + m[6] + m[7] + m[8])) || fail "drops do not add up: $line"
    ((m[9] == 0)) || fail "items still live at exit: $line"
    ACCT_ALLOC=${m[1]}
}
