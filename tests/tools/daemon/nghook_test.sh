#!/usr/bin/env bash
# nghook's tests (docs/nghook.md), one case per ctest test:
#   nghook_test.sh echo|ascii|exec|badinput
# Each starts its own ngraphd with an echo node "myecho" (common.sh kills
# it and every nghook on exit, even on failure).
. "$(dirname "$0")/common.sh"

start_echo() {
    start_ngraphd
    # The hole on "keep" keeps the echo alive between clients (an echo shuts
    # down when its last hook goes, as ng_echo(4) says).
    ngctl_script "mkpeer . echo e x" "name e myecho" "mkpeer myecho: hole keep keep" ||
        fail "mkpeer echo, name myecho"
}

# nghook_run SECONDS ARGS...: nghook on $SOCK with stdin from $T/in and
# stdout to $T/out, bounded in time; status in RC.
nghook_run() {
    local secs=$1
    shift
    "$NGHOOK" --socket "$SOCK" "$@" <"$T/in" >"$T/out" 2>"$T/nghook.err" &
    local pid=$!
    PIDS+=("$pid")
    wait_rc "$pid" "$secs"
}

case_echo() {
    start_echo
    # bytes through the echo node come back unchanged: text, binary, NULs
    printf 'hello\0world\n\377\001' >"$T/in"
    nghook_run 10 myecho: x
    [[ $RC -eq 0 ]] || fail "nghook exited $RC"
    cmp -s "$T/in" "$T/out" || fail "echoed bytes differ: $(od -c "$T/out" | head -n 3)"
    # several packets (a pipe's reads), in order
    head -c 300000 /dev/urandom >"$T/in"
    nghook_run 20 myecho: y
    [[ $RC -eq 0 ]] || fail "nghook (300 kB) exited $RC"
    cmp -s "$T/in" "$T/out" || fail "300 kB through the echo node came back different"
    # -sS: read from fd 1, write to fd 0
    printf 'swapped\n' >"$T/in"
    "$NGHOOK" --socket "$SOCK" -sS myecho: z 1<"$T/in" 0>"$T/out" 2>"$T/nghook.err" &
    local pid=$!
    PIDS+=("$pid")
    wait_rc "$pid" 10
    [[ $RC -eq 0 ]] || fail "nghook -sS exited $RC"
    cmp -s "$T/in" "$T/out" || fail "nghook -sS: $(cat "$T/out")"
    # -n: nothing read; -m: messages sent to path after connecting (a tee
    # answers getstats; an unknown command fails the start)
    ngctl_script "mkpeer myecho: tee t2 left" "name myecho:t2 mytee" || fail "mkpeer tee"
    : >"$T/in"
    nghook_run 10 -m getstats mytee: right
    [[ $RC -eq 0 ]] || fail "nghook -m getstats exited $RC"
    nghook_run 10 -m nosuchcmd mytee: right2left
    [[ $RC -eq 71 ]] || fail "nghook -m nosuchcmd: exit $RC, expected 71"
    grep -q "sending message 'nosuchcmd'" "$T/nghook.err" || fail "bad -m not reported"
    stop_ngraphd
    rm -f "$T/nghook.err"
}

case_ascii() {
    start_echo
    printf 'Hello, netgraph!\n\000\001\177abc' >"$T/in"
    nghook_run 10 -a myecho: x
    [[ $RC -eq 0 ]] || fail "nghook -a exited $RC"
    # FreeBSD's format: offset, 16 bytes in hex, the characters, empty line
    {
        printf '0000:  %-48s %-16s\n' "48 65 6c 6c 6f 2c 20 6e 65 74 67 72 61 70 68 21 " \
            "Hello, netgraph!"
        printf '0010:  %-48s %-16s\n' "0a 00 01 7f 61 62 63 " "....abc"
        printf '\n'
    } >"$T/want"
    cmp -s "$T/want" "$T/out" || fail "nghook -a output:
$(cat -A "$T/out")
expected:
$(cat -A "$T/want")"
    stop_ngraphd
}

case_exec() {
    start_echo
    # -e: the program's stdout goes out of the hook, what comes back is its
    # stdin; nghook ends when the program does, with its status
    : >"$T/in"
    nghook_run 10 -e myecho: x sh -c "printf ping; head -c 4 >'$T/got'; printf pong; head -c 4 >>'$T/got'; exit 3"
    [[ $RC -eq 3 ]] || fail "nghook -e: exit $RC, expected the program's 3"
    [[ $(cat "$T/got") == pingpong ]] || fail "nghook -e round trip: '$(cat "$T/got")'"
    # an echoing program: it sends back every packet it gets (and keeps a
    # copy), the echo node returns it ... 50 round trips, then it stops
    nghook_run 10 -e myecho: y sh -c "printf x; i=0; while [ \$i -lt 50 ]; do head -c 1 | tee -a '$T/got2'; i=\$((i+1)); done"
    [[ $RC -eq 0 ]] || fail "nghook -e (50 round trips): exit $RC"
    [[ $(cat "$T/got2") == $(printf 'x%.0s' {1..50}) ]] ||
        fail "nghook -e (50 round trips): got '$(cat "$T/got2")'"
    # -n -e: the program's output goes out, nothing comes back to it
    nghook_run 10 -n -e myecho: z sh -c "printf data; read -r line; echo \"read:\$line\" >'$T/got3'"
    [[ $RC -eq 0 ]] || fail "nghook -n -e: exit $RC"
    [[ $(cat "$T/got3") == read: ]] || fail "nghook -n -e gave the program input: $(cat "$T/got3")"
    # a program that writes but never reads: what it has no room for is
    # dropped and reported, and nothing stalls
    nghook_run 20 -e myecho: u sh -c "head -c 4000000 /dev/zero; sleep 0.5"
    [[ $RC -eq 0 ]] || fail "nghook -e (program not reading): exit $RC"
    grep -q 'packets from the hook dropped: the program did not read them' "$T/nghook.err" ||
        fail "nghook -e: drops not reported: $(cat "$T/nghook.err")"
    # a program that cannot be run
    nghook_run 10 -e myecho: w "$T/no-such-program"
    [[ $RC -eq 127 ]] || fail "nghook -e missing program: exit $RC, expected 127"
    stop_ngraphd
    rm -f "$T/nghook.err"
}

case_badinput() {
    : >"$T/in"
    local args
    # command line errors: exit 64 and usage
    while IFS= read -r args; do
        eval "set -- $args"
        "$NGHOOK" --socket "$SOCK" "$@" <"$T/in" >"$T/out" 2>"$T/err"
        RC=$?
        [[ $RC -eq 64 ]] || fail "nghook $args: exit $RC, expected 64"
        grep -q '^usage: nghook' "$T/err" || fail "nghook $args: no usage message"
    done <<'ARGS'

a: b c
-x a:
-e a: b
-e -a a: b cat
-e -l a: b cat
-e -s a: b cat
-m
"" hook
a: ""
"$(printf 'p%.0s' {1..600})":
a: "$(printf 'h%.0s' {1..40})"
ARGS
    # no server: can't get sockets
    "$NGHOOK" --socket "$T/nobody.sock" a: <"$T/in" >"$T/out" 2>"$T/err"
    RC=$?
    [[ $RC -eq 71 ]] || fail "nghook without a server: exit $RC, expected 71"
    grep -q "can't get sockets" "$T/err" || fail "no server: $(cat "$T/err")"
    start_echo
    # no such node, no such hook on a tee
    nghook_run 10 nosuchnode: x
    [[ $RC -eq 71 ]] || fail "nghook nosuchnode: exit $RC, expected 71"
    grep -q "can't connect to nosuchnode:" "$T/nghook.err" || fail "nosuchnode not reported"
    ngctl mkpeer myecho: tee t left || fail "mkpeer tee"
    nghook_run 10 myecho:t nosuchhook
    [[ $RC -eq 71 ]] || fail "nghook to a tee's bad hook: exit $RC, expected 71"
    # the node goes away under nghook: an error, not a hang
    mkfifo "$T/fifo"
    "$NGHOOK" --socket "$SOCK" myecho: v <"$T/fifo" >"$T/out" 2>"$T/nghook.err" &
    local pid=$!
    PIDS+=("$pid")
    exec 3>"$T/fifo" # stdin stays open as long as this shell holds it
    wait_for "ngctl show myecho: 2>/dev/null | grep -q '^  v '" 10 || fail "nghook did not connect"
    # the peer goes: nghook's node lingers without its hook (as on FreeBSD);
    # then the server goes: nghook's sockets close and it fails
    ngctl shutdown myecho: || fail "shutdown myecho:"
    kill -0 "$pid" || fail "nghook died when its peer node went"
    stop_ngraphd
    wait_rc "$pid" 10
    [[ $RC -eq 71 ]] || fail "nghook whose server went away: exit $RC, expected 71"
    rm -f "$T/err" "$T/nghook.err"
}

case "${1:-}" in
echo | ascii | exec | badinput) "case_$1" ;;
*) fail "unknown case '${1:-}'" ;;
esac
echo "nghook $1 ($NG_BACKEND): OK"
