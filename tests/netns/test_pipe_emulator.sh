#!/bin/bash
# test_pipe_emulator.sh - a netem-like emulator in front of a TAP interface
# (docs/examples.md; a shell script: not for clang-format): in namespace M,
# ngraphd runs eiface (TAP ngeth0, 192.0.2.1) -- pipe -- ether on veth end vb,
# whose peer b0 (192.0.2.2) is in namespace B.  The pipe delays each
# direction by 50 ms: ping's round trip through it is at least 100 ms and
# under 1 s, and one setcfg later (no delay) it is back under 50 ms.  Exit 77
# (skip) without root.
# Usage: test_pipe_emulator.sh NGRAPHD NGCTL
set -u
NGRAPHD=${1:?ngraphd}
NGCTL=${2:?ngctl}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
ngt_require
command -v ping >/dev/null || { echo "ping missing: skipped"; exit 77; }

tmp=$(mktemp -d /tmp/ngt-emu.XXXXXX)
trap 'ngt_cleanup; rm -rf "$tmp"' EXIT
ngt_ns b; B=$NGT_NS
ngt_ns m; M=$NGT_NS
ngt_veth "$B" b0 "$M" vb
ip -n "$B" addr add 192.0.2.2/24 dev b0

cat > "$tmp/emulator.ngctl" <<'EOS'
mkpeer . eiface e ether
name .:e tap
rmhook . e
mkpeer tap: pipe ether upper
name tap:ether emu
mkpeer . ether vb lower
rmhook . vb
msg vb: setpromisc 1
msg vb: setautosrc 0
connect emu: vb: lower lower
msg emu: setcfg { delay=50000 }
EOS
sock="$tmp/ng.sock"
ngt_ngraphd "$M" "$tmp/pid" "$NGRAPHD" --socket "$sock" --workers 2 --log "$tmp/log" \
    -f "$tmp/emulator.ngctl" || { cat "$tmp/log" >&2; ngt_fail "ngraphd did not start with the emulator script"; }
ngctl() { "$NGCTL" --socket "$sock" "$@"; }
ip -n "$M" addr add 192.0.2.1/24 dev ngeth0 || ngt_fail "no ngeth0 in the namespace"
ip -n "$M" link set ngeth0 up

# ping's summary line: rtt min/avg/max/mdev = a/b/c/d ms
rtt_min() { sed -n 's|.*= \([0-9.]*\)/.*|\1|p'; }
out=$(ip netns exec "$M" ping -c 4 -i 0.3 -W 3 192.0.2.2) || ngt_fail "ping through the emulator"
min=$(echo "$out" | rtt_min)
echo "with 50 ms each way: rtt min $min ms"
awk -v m="$min" 'BEGIN { exit !(m >= 99 && m < 1000) }' || ngt_fail "rtt $min ms, expected 100..1000"
ngctl msg emu: getstats | grep -q 'FwdFrames=[1-9]' || ngt_fail "pipe counted nothing"

ngctl msg emu: setcfg "{ delay=-1 }" || ngt_fail "setcfg"
out=$(ip netns exec "$M" ping -c 4 -i 0.3 -W 3 192.0.2.2) || ngt_fail "ping without delay"
min=$(echo "$out" | rtt_min)
echo "without delay: rtt min $min ms"
awk -v m="$min" 'BEGIN { exit !(m < 50) }' || ngt_fail "rtt $min ms without delay"
echo "ok"
exit 0
