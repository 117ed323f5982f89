#!/bin/sh
# test_bpf2ngctl.sh - tools/bpf2ngctl (docs/nodes/bpf.md): `tcpdump -ddd`
# text becomes exactly the expected ngctl setprogram line; hook names are
# quoted; malformed programs and bad usage fail with their exit status and
# a message; with tcpdump present, an expression gives as many
# instructions as tcpdump prints.  (test_bpf feeds the tool's lines to a
# real node.)  Usage: test_bpf2ngctl.sh path/to/bpf2ngctl
set -u
tool=${1:?usage: test_bpf2ngctl.sh path/to/bpf2ngctl}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_bpf2ngctl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect_status STATUS STDIN-TEXT ARGS...: exit status and a message on stderr.
expect_status() {
    want=$1 input=$2
    shift 2
    printf '%b' "$input" | sh "$tool" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    [ "$got" = "$want" ] || fail "bpf2ngctl $*: exit $got, expected $want"
    if [ "$want" != 0 ] && ! [ -s "$tmp/err" ]; then fail "bpf2ngctl $*: no message"; fi
    if [ "$want" != 0 ] && [ -s "$tmp/out" ]; then fail "bpf2ngctl $*: output on failure"; fi
}

# 1. Exact output for a handmade program, names quoted.
printf '4\n40 0 0 12\n21 0 1 2054\n6 0 0 4294967295\n6 0 0 0\n' >"$tmp/arp.ddd"
want='msg bpf0: setprogram { thisHook="in" ifMatch="arp\"s" ifNotMatch="x\\y" bpf_prog_len=4 bpf_prog=[ { code=40 jt=0 jf=0 k=12 } { code=21 jt=0 jf=1 k=2054 } { code=6 jt=0 jf=0 k=4294967295 } { code=6 jt=0 jf=0 k=0 } ] }'
got=$(sh "$tool" -p bpf0: -t in -m 'arp"s' -n 'x\y' -f "$tmp/arp.ddd") || fail "exact: exit $?"
[ "$got" = "$want" ] || fail "exact: got
$got
expected
$want"
got=$(sh "$tool" -p bpf0: -t in -m 'arp"s' -n 'x\y' -f - <"$tmp/arp.ddd") || fail "stdin: exit $?"
[ "$got" = "$want" ] || fail "stdin: different output"
# Without -m/-n the destinations are empty strings (the node drops).
got=$(sh "$tool" -p b: -t a -f "$tmp/arp.ddd" | cut -c1-60)
[ "$got" = 'msg b: setprogram { thisHook="a" ifMatch="" ifNotMatch="" bp' ] || fail "defaults: $got"

# 2. Malformed programs: exit 1 with a message, no output.
expect_status 1 '' -p b: -t a -f -
expect_status 1 '0\n' -p b: -t a -f -
expect_status 1 '4097\n' -p b: -t a -f -
expect_status 1 '2\n6 0 0 1\n' -p b: -t a -f -
expect_status 1 '1\n6 0 0 1\n6 0 0 1\n' -p b: -t a -f -
expect_status 1 '1\n6 0 1\n' -p b: -t a -f -
expect_status 1 '1\n6 0 x 1\n' -p b: -t a -f -
expect_status 1 '1\n-6 0 0 1\n' -p b: -t a -f -
expect_status 1 '1\n65536 0 0 1\n' -p b: -t a -f -
expect_status 1 '1\n6 256 0 1\n' -p b: -t a -f -
expect_status 1 '1\n6 0 0 4294967296\n' -p b: -t a -f -
expect_status 1 'x\n' -p b: -t a -f -
expect_status 0 '1\n6 0 0 1\n' -p b: -t a -f -
expect_status 1 '' -p b: -t a -f "$tmp/does-not-exist"

# 3. Usage errors: exit 2.
expect_status 2 '' -t a -f -
expect_status 2 '' -p b: -f -
expect_status 2 '' -p b: -t a
expect_status 2 '' -p b: -t a -f - tcp
expect_status 2 '' -p b: -t a -q -f -

# 4. With tcpdump: an expression's program has tcpdump's length; a bad
#    expression fails with tcpdump's message.
tcpdump=${NG_TCPDUMP:-$(command -v tcpdump || true)}
if [ -n "$tcpdump" ]; then
    n=$("$tcpdump" -y EN10MB -s 262144 -ddd 'tcp dst port 80' 2>/dev/null | head -1)
    line=$(TCPDUMP=$tcpdump sh "$tool" -p b: -t a 'tcp' 'dst' 'port' '80') || fail "expression: exit $?"
    case $line in
    *" bpf_prog_len=$n bpf_prog=[ "*) ;;
    *) fail "expression: length $n not in: $line" ;;
    esac
    TCPDUMP=$tcpdump expect_status 1 '' -p b: -t a 'tcp and'
    grep -q 'syntax error' "$tmp/err" || fail "bad expression: no tcpdump message"
else
    echo "tcpdump not found (scripts/deps.sh installs it): expression cases skipped"
fi

[ "$fails" = 0 ] && echo "test_bpf2ngctl: OK"
[ "$fails" = 0 ]
