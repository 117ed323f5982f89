#!/usr/bin/env bash
# Install the Debian/Ubuntu packages libngraph needs to build, test and
# benchmark, if any is missing.  Idempotent and silent when all are present.
# Needs root for installing (uses sudo when not root and sudo exists).
set -euo pipefail

PKGS=(build-essential cmake pkg-config libck-dev liburcu-dev libcmocka-dev
      clang gnuplot-nox valgrind)

missing=()
for p in "${PKGS[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps.sh: missing packages (${missing[*]}) and no apt-get; install them manually" >&2
    exit 1
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        echo "deps.sh: missing packages (${missing[*]}); run as root or install sudo" >&2
        exit 1
    fi
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
