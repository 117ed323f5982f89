#!/bin/bash
# test_ether_bridge.sh - ether -- bridge -- ether inside one ngraphd
# (docs/nodes/ether.md, EXAMPLE; a shell script: not for clang-format):
# namespaces A and B each hold one end of a veth pair whose other end (va,
# vb) is in namespace M, where ngraphd runs the bridge script.  ICMP (ping)
# and UDP pass both ways, the bridge learns both hosts (gettable), and
# nothing passes after rmhook.  Exit 77 (skip) without root.
# Usage: test_ether_bridge.sh NGRAPHD NGCTL
set -u
NGRAPHD=${1:?ngraphd}
NGCTL=${2:?ngctl}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
ngt_require
command -v ping >/dev/null || { echo "ping missing: skipped"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }

tmp=$(mktemp -d /tmp/ngt-bridge.XXXXXX)
trap 'ngt_cleanup; rm -rf "$tmp"' EXIT
ngt_ns a; A=$NGT_NS
ngt_ns b; B=$NGT_NS
ngt_ns m; M=$NGT_NS
ngt_veth "$A" a0 "$M" va
ngt_veth "$B" b0 "$M" vb
ip -n "$A" addr add 192.0.2.1/24 dev a0
ip -n "$B" addr add 192.0.2.2/24 dev b0

cat > "$tmp/bridge.ngctl" <<'EOS'
mkpeer . ether va lower
mkpeer . ether vb lower
rmhook . va
rmhook . vb
msg va: setpromisc 1
msg va: setautosrc 0
msg vb: setpromisc 1
msg vb: setautosrc 0
mkpeer va: bridge lower link0
name va:lower br
connect br: vb: link1 lower
EOS
sock="$tmp/ng.sock"
ngt_ngraphd "$M" "$tmp/pid" "$NGRAPHD" --socket "$sock" --workers 2 --log "$tmp/log" \
    -f "$tmp/bridge.ngctl" || { cat "$tmp/log" >&2; ngt_fail "ngraphd did not start with the bridge script"; }
ngctl() { "$NGCTL" --socket "$sock" "$@"; }

mac_a=$(ip -n "$A" -o link show a0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
mac_b=$(ip -n "$B" -o link show b0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')

ip netns exec "$A" ping -c 3 -i 0.2 -W 2 192.0.2.2 >/dev/null || ngt_fail "ping A -> B"
ip netns exec "$B" ping -c 3 -i 0.2 -W 2 192.0.2.1 >/dev/null || ngt_fail "ping B -> A"

# UDP both ways: a receiver bound to the destination, 5 s at most.
udp() { # NS_FROM NS_TO DST_IP PORT
    ip netns exec "$2" timeout 10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(5)
d, _ = s.recvfrom(100)
sys.exit(0 if d == b"ngraph-udp" else 1)' "$3" "$4" &
    local rx=$!
    sleep 0.3
    ip netns exec "$1" timeout 10 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(30):
    s.sendto(b"ngraph-udp", (sys.argv[1], int(sys.argv[2])))
    time.sleep(0.1)' "$3" "$4"
    wait "$rx"
}
udp "$A" "$B" 192.0.2.2 5000 || ngt_fail "UDP A -> B"
udp "$B" "$A" 192.0.2.1 5001 || ngt_fail "UDP B -> A"

table=$(ngctl msg br: gettable)
echo "$table"
echo "$table" | grep -q "$mac_a" || ngt_fail "bridge did not learn $mac_a"
echo "$table" | grep -q "$mac_b" || ngt_fail "bridge did not learn $mac_b"
ngctl msg va: textstatus | grep -q 'rx_frames=[1-9]' || ngt_fail "no rx counted on va"

ngctl rmhook br: link1 || ngt_fail "rmhook"
if ip netns exec "$A" ping -c 2 -i 0.2 -W 1 192.0.2.2 >/dev/null 2>&1; then
    ngt_fail "ping passed after rmhook"
fi
echo "ok"
exit 0
