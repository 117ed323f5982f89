#!/usr/bin/env bash
# Install the Debian/Ubuntu packages libngraph needs to build, test and
# benchmark, if any is missing.  Idempotent and silent when all are present.
# Needs root for installing (uses sudo when not root and sudo exists).
#
# libdpdk-dev is for the benchmark's optional DPDK rte_graph baseline
# (bench/dpdk_graph.c, rows of ngbench's chain scenario; CI builds it with
# -Werror).  From a machine with the other packages it pulls in ~220 packages,
# ~27 MB of downloads, ~165 MB on disk (Debian 12).  It is optional: where the
# archive has no candidate for it (an architecture DPDK does not support),
# it is skipped with a note and ngbench prints "DPDK: skipped".
set -euo pipefail

PKGS=(build-essential cmake pkg-config libck-dev liburcu-dev libcmocka-dev libpcap-dev tcpdump
      libxdp-dev libbpf-dev
      iproute2 iputils-ping spin
      clang gnuplot-nox valgrind libedit-dev graphviz tmux python3 dpkg-dev file)
OPTIONAL=(libdpdk-dev)

is_installed() {
    local status
    status=$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)
    [[ "$status" == "installed" ]]
}

missing=()
for p in "${PKGS[@]}"; do
    is_installed "$p" || missing+=("$p")
done
missing_opt=()
for p in "${OPTIONAL[@]}"; do
    is_installed "$p" || missing_opt+=("$p")
done
[[ ${#missing[@]} -eq 0 && ${#missing_opt[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    if [[ ${#missing[@]} -eq 0 ]]; then
        echo "deps.sh: optional packages missing (${missing_opt[*]}) and no apt-get; skipped" >&2
        exit 0
    fi
    echo "deps.sh: missing packages (${missing[*]} ${missing_opt[*]}) and no apt-get; install them manually" >&2
    exit 1
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        echo "deps.sh: missing packages (${missing[*]} ${missing_opt[*]}); run as root or install sudo" >&2
        [[ ${#missing[@]} -eq 0 ]] && exit 0 # only optional ones: build without them
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
# Optional packages: only those the archive has a candidate for.
for p in "${missing_opt[@]}"; do
    cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/{print $2; exit}')
    if [[ -n "$cand" && "$cand" != "(none)" ]]; then
        missing+=("$p")
    else
        echo "deps.sh: optional package $p not available here; skipped"
    fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "deps.sh: installing ${missing[*]}"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
