# lib.sh - network namespace fixture for the shell tests of tests/netns/
# (sourced; a shell script: not for clang-format): named namespaces
# "ngt-<pid>-<tag>", veth pairs between them, addresses from the
# documentation ranges only, and a cleanup that runs on EXIT, INT and TERM
# (namespaces deleted, processes started with ngt_bg killed by their pid).
# Never touches the machine's own interfaces: every interface it makes
# lives in one of its namespaces.
#
#   ngt_require            exit 77 (skip) without root / ip / namespaces
#   ngt_ns TAG             create namespace ngt-$$-TAG, lo up; its name in $NGT_NS
#   ngt_veth NSA A NSB B   veth A in NSA <-> B in NSB, both up, IPv6 off
#   ngt_bg CMD...          run CMD in the background, killed at cleanup
#   ngt_fail MSG           print MSG and exit 1 (cleanup runs)

NGT_NS_LIST=""
NGT_PIDS=""

ngt_cleanup() {
    for p in $NGT_PIDS; do
        kill "$p" 2>/dev/null
    done
    for p in $NGT_PIDS; do
        # bounded wait: 50 x 0.1 s, then SIGKILL
        for _ in $(seq 1 50); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$p" 2>/dev/null
    done
    NGT_PIDS=""
    for n in $NGT_NS_LIST; do
        ip netns del "$n" 2>/dev/null
    done
    NGT_NS_LIST=""
}
trap 'ngt_cleanup' EXIT
trap 'ngt_cleanup; exit 130' INT
trap 'ngt_cleanup; exit 143' TERM

ngt_require() {
    if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null 2>&1; then
        echo "netns: needs root (CAP_NET_ADMIN) and iproute2: skipped" >&2
        exit 77
    fi
    if ! ip netns add "ngt-$$-probe" 2>/dev/null; then
        echo "netns: cannot create network namespaces: skipped" >&2
        exit 77
    fi
    ip netns del "ngt-$$-probe"
}

ngt_ns() {
    NGT_NS="ngt-$$-$1"
    ip netns add "$NGT_NS" || ngt_fail "ip netns add $NGT_NS"
    NGT_NS_LIST="$NGT_NS_LIST $NGT_NS"
    ip -n "$NGT_NS" link set lo up
}

ngt_veth() {
    local nsa=$1 a=$2 nsb=$3 b=$4
    ip -n "$nsa" link add "$a" type veth peer name "$b" netns "$nsb" || ngt_fail "veth $a/$b"
    ip netns exec "$nsa" sysctl -qw "net.ipv6.conf.$a.disable_ipv6=1"
    ip netns exec "$nsb" sysctl -qw "net.ipv6.conf.$b.disable_ipv6=1"
    ip -n "$nsa" link set "$a" up
    ip -n "$nsb" link set "$b" up
}

ngt_bg() {
    "$@" &
    NGT_PIDS="$NGT_PIDS $!"
}

# ngt_ngraphd NS PIDFILE ngraphd-args...: start ngraphd in namespace NS in
# the background (killed by ngt_cleanup) and wait up to 10 s for its pidfile
# (it writes it once its script has run); 1 if it exited or never wrote it.
ngt_ngraphd() {
    local ns=$1 pidfile=$2
    shift 2
    ngt_bg ip netns exec "$ns" "$@" --pidfile "$pidfile"
    local pid=${NGT_PIDS##* }
    for _ in $(seq 1 100); do
        [ -s "$pidfile" ] && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

ngt_fail() {
    echo "FAIL: $*" >&2
    exit 1
}
