#!/usr/bin/env bash
# Run every test: the README's TEST command.
#
#   scripts/test.sh           all stages
#   scripts/test.sh --quick   only the Release stage
#
# Stages (each in its own build directory at the repository root):
#   1. release  build/       Release, NG_WERROR=ON, full ctest
#   2. asan     build-asan/  ASan+UBSan, full ctest
#   3. tsan     build-tsan/  TSan, ctest -L concurrency
#   4. install  scripts/check-install.sh on build/
# Missing packages are installed first (scripts/deps.sh).  Exits non-zero on
# the first failure.  Environment: JOBS (build parallelism, default nproc),
# CTEST_JOBS (default 2), CC (compiler).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

QUICK=0
for arg in "$@"; do
    case "$arg" in
        --quick) QUICK=1 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "test.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done

JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
CTEST_JOBS=${CTEST_JOBS:-2}

banner() {
    printf '\n==================================================================\n'
    printf '== %s\n' "$*"
    printf '==================================================================\n'
}

configure_build() { # dir, cmake args...
    local dir=$1; shift
    cmake -S "$ROOT" -B "$ROOT/$dir" "$@"
    cmake --build "$ROOT/$dir" --parallel "$JOBS"
}

run_ctest() { # dir, ctest args...
    local dir=$1; shift
    (cd "$ROOT/$dir" && ctest --output-on-failure -j"$CTEST_JOBS" "$@")
}

banner "deps: checking required packages"
bash "$ROOT/scripts/deps.sh"

banner "stage 1/4: Release build (NG_WERROR=ON) + all tests"
configure_build build -DCMAKE_BUILD_TYPE=Release -DNG_WERROR=ON -DNG_SANITIZE=
run_ctest build
[[ $QUICK -eq 1 ]] && { banner "test.sh --quick: OK"; exit 0; }

# Sanitizer builds keep assertions (no -DNDEBUG) and optimise lightly.
SAN_FLAGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g"
           -DNG_WERROR=OFF -DNG_BUILD_BENCH=OFF)

banner "stage 2/4: AddressSanitizer + UndefinedBehaviorSanitizer + all tests"
configure_build build-asan "${SAN_FLAGS[@]}" "-DNG_SANITIZE=address,undefined"
run_ctest build-asan

banner "stage 3/4: ThreadSanitizer + concurrency tests"
configure_build build-tsan "${SAN_FLAGS[@]}" -DNG_SANITIZE=thread
# TSan's shadow mapping fails under high mmap ASLR entropy (newer kernels):
# run without address randomisation when that is permitted.
NORAND=()
if command -v setarch >/dev/null 2>&1 && setarch "$(uname -m)" -R true 2>/dev/null; then
    NORAND=(setarch "$(uname -m)" -R)
fi
if (cd "$ROOT/build-tsan" && ctest -N -L concurrency | grep -q 'Total Tests: 0'); then
    echo "no tests labelled 'concurrency' yet"
else
    (cd "$ROOT/build-tsan" && "${NORAND[@]}" ctest --output-on-failure -j"$CTEST_JOBS" -L concurrency)
fi

banner "stage 4/4: install + out-of-tree consumers (find_package, pkg-config)"
bash "$ROOT/scripts/check-install.sh" "$ROOT/build"

banner "test.sh: all stages passed"
