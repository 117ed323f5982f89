#!/bin/bash
# test_ksocket_tunnel.sh - an Ethernet-over-UDP tunnel between two ngraphd
# instances (docs/nodes/ksocket.md, EXAMPLE; a shell script: not for
# clang-format).  Namespaces A and B are joined by a veth pair (the
# underlay, 192.0.2.1 and 192.0.2.2); in each, ngraphd runs a script that
# joins an eiface (ngeth0) to a ksocket inet/dgram/udp bound to its own
# underlay address and connected to the other's.  The TAP interfaces get
# 198.51.100.1 and .2 (the overlay): ping and UDP pass both ways through
# the tunnel, a UDP payload arrives byte-identical, both ksockets count
# the frames, and nothing passes once one ksocket is shut down.  Exit 77
# (skip) without root.
# Usage: test_ksocket_tunnel.sh NGRAPHD NGCTL
set -u
NGRAPHD=${1:?ngraphd}
NGCTL=${2:?ngctl}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
ngt_require
command -v ping >/dev/null || { echo "ping missing: skipped"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }
[ -c /dev/net/tun ] || { echo "/dev/net/tun missing: skipped"; exit 77; }

tmp=$(mktemp -d /tmp/ngt-kstun.XXXXXX)
trap 'ngt_cleanup; rm -rf "$tmp"' EXIT
ngt_ns a; A=$NGT_NS
ngt_ns b; B=$NGT_NS
ngt_veth "$A" u0 "$B" u1
ip -n "$A" addr add 192.0.2.1/24 dev u0
ip -n "$B" addr add 192.0.2.2/24 dev u1

# tunnel.ngctl MAC LOCAL PEER: the script of one end.
script() {
    cat <<EOS
mkpeer . eiface e ether
name .:e eif
rmhook . e
msg eif: set $1
mkpeer eif: ksocket ether inet/dgram/udp
name eif:ether tun
msg tun: bind inet/$2:4789
msg tun: connect inet/$3:4789
EOS
}
script 02:00:00:00:00:0a 192.0.2.1 192.0.2.2 > "$tmp/a.ngctl"
script 02:00:00:00:00:0b 192.0.2.2 192.0.2.1 > "$tmp/b.ngctl"

start() { # NS TAG
    ngt_ngraphd "$1" "$tmp/$2.pid" "$NGRAPHD" --socket "$tmp/$2.sock" --workers 2 \
        --log "$tmp/$2.log" -f "$tmp/$2.ngctl"
}
if ! start "$A" a || ! start "$B" b; then
    cat "$tmp"/*.log >&2
    ngt_fail "ngraphd did not start with the tunnel script"
fi
ngctl() { local s=$1; shift; "$NGCTL" --socket "$tmp/$s.sock" "$@"; }

ip -n "$A" addr add 198.51.100.1/24 dev ngeth0
ip -n "$B" addr add 198.51.100.2/24 dev ngeth0
ip -n "$A" link set ngeth0 up
ip -n "$B" link set ngeth0 up

ip netns exec "$A" ping -c 3 -i 0.2 -W 2 198.51.100.2 >/dev/null || ngt_fail "ping A -> B"
ip netns exec "$B" ping -c 3 -i 0.2 -W 2 198.51.100.1 >/dev/null || ngt_fail "ping B -> A"

# UDP through the tunnel both ways: a 1200-byte payload, checked byte for byte.
udp() { # NS_FROM NS_TO DST_IP PORT
    ip netns exec "$2" timeout 10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(5)
d, _ = s.recvfrom(2000)
sys.exit(0 if d == bytes((i * 7 + 3) & 255 for i in range(1200)) else 1)' "$3" "$4" &
    local rx=$!
    sleep 0.3
    ip netns exec "$1" timeout 10 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
p = bytes((i * 7 + 3) & 255 for i in range(1200))
for _ in range(20):
    s.sendto(p, (sys.argv[1], int(sys.argv[2])))
    time.sleep(0.1)' "$3" "$4"
    wait "$rx"
}
udp "$A" "$B" 198.51.100.2 5000 || ngt_fail "UDP A -> B"
udp "$B" "$A" 198.51.100.1 5001 || ngt_fail "UDP B -> A"

for s in a b; do
    st=$(ngctl $s msg tun: textstatus)
    echo "$st"
    echo "$st" | grep -q 'rx_packets=[1-9]' || ngt_fail "$s: no frame received by tun"
    echo "$st" | grep -q 'tx_packets=[1-9]' || ngt_fail "$s: no frame sent by tun"
done
ngctl a msg tun: getpeername | grep -q 'inet/192.0.2.2:4789' || ngt_fail "getpeername"

ngctl b shutdown tun: || ngt_fail "shutdown"
if ip netns exec "$A" ping -c 2 -i 0.2 -W 1 198.51.100.2 >/dev/null 2>&1; then
    ngt_fail "ping passed after the tunnel went"
fi
echo "ok"
exit 0
