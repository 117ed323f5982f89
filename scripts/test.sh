#!/usr/bin/env bash
# Run every test: the README's TEST command.
#
#   scripts/test.sh           all stages
#   scripts/test.sh --quick   only the Release stage
#
# Stages (each in its own build directory at the repository root):
#   0. layout   scripts/check-layout.sh (include rules between layers, file sizes)
#   1. release  build/       Release, NG_WERROR=ON, full ctest
#   2. asan     build-asan/  ASan+UBSan, full ctest
#   3. tsan     build-tsan/  TSan, ctest -L concurrency
#   4. install  scripts/check-install.sh on build/
#   5. package  scripts/check-package.sh (build-pkg/): the Debian packages built,
#                            installed, the installed ngraphd/ngctl/nghook run,
#                            purged again (root and dpkg only; NG_PACKAGE=0 skips)
#   6. fuzz     build-fuzz/  clang libFuzzer harnesses (tests/fuzz), each run
#                            NG_FUZZ_SECONDS (default 60) from its seed corpus
#   7. memcheck build/       valgrind memcheck of the unit tests (ctest -L unit)
# Missing packages are installed first (scripts/deps.sh).  Exits non-zero on
# the first failure.  Environment: JOBS (build parallelism, default nproc),
# CTEST_JOBS (default 2), CC (compiler), NG_FUZZ_SECONDS (fuzz time per
# harness, 0 skips the stage), NG_MEMCHECK=0 (skip valgrind), NG_PACKAGE=0 (skip packages).  The time of
# every stage is printed at the end (CI budget: 60 minutes on 2 cores).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

QUICK=0
for arg in "$@"; do
    case "$arg" in
        --quick) QUICK=1 ;;
        -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
        *) echo "test.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done

JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
CTEST_JOBS=${CTEST_JOBS:-2}

STAGE_TIMES=()
STAGE_NAME=""
STAGE_START=$SECONDS
banner() {
    stage_end
    STAGE_NAME="$*"
    STAGE_START=$SECONDS
    printf '\n==================================================================\n'
    printf '== %s\n' "$*"
    printf '==================================================================\n'
}
stage_end() {
    [[ -n $STAGE_NAME ]] && STAGE_TIMES+=("$(printf '%5ds  %s' $((SECONDS - STAGE_START)) "$STAGE_NAME")")
    STAGE_NAME=""
}
print_times() {
    stage_end
    printf '\nstage times (total %ds):\n' "$SECONDS"
    printf '  %s\n' "${STAGE_TIMES[@]}"
}
trap print_times EXIT

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

banner "layout: the data path calls nothing above it, node types use the public API"
bash "$ROOT/scripts/check-layout.sh"

banner "stage 1/7: Release build (NG_WERROR=ON) + all tests"
configure_build build -DCMAKE_BUILD_TYPE=Release -DNG_WERROR=ON -DNG_SANITIZE=
run_ctest build
[[ $QUICK -eq 1 ]] && { banner "test.sh --quick: OK"; exit 0; }

# Sanitizer builds keep assertions (no -DNDEBUG) and optimise lightly.
SAN_FLAGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g"
           -DNG_WERROR=OFF -DNG_BUILD_BENCH=OFF)

banner "stage 2/7: AddressSanitizer + UndefinedBehaviorSanitizer + all tests"
configure_build build-asan "${SAN_FLAGS[@]}" "-DNG_SANITIZE=address,undefined"
# The spin model (label model) ran in stage 1: it does not use the library.
run_ctest build-asan -LE model

banner "stage 3/7: ThreadSanitizer + concurrency tests"
configure_build build-tsan "${SAN_FLAGS[@]}" -DNG_SANITIZE=thread
# TSan's shadow mapping fails under high mmap ASLR entropy (newer kernels):
# run without address randomisation when that is permitted.
NORAND=()
if command -v setarch >/dev/null 2>&1 && setarch "$(uname -m)" -R true 2>/dev/null; then
    NORAND=(setarch "$(uname -m)" -R)
fi
(cd "$ROOT/build-tsan" && "${NORAND[@]}" ctest --output-on-failure -j"$CTEST_JOBS" -L concurrency)

banner "stage 4/7: install + out-of-tree consumers (find_package, pkg-config)"
bash "$ROOT/scripts/check-install.sh" "$ROOT/build"

if [[ ${NG_PACKAGE:-1} != 0 && $(id -u) -eq 0 ]] && command -v dpkg >/dev/null 2>&1; then
    banner "stage 5/7: Debian packages (cpack -G DEB), installed, run, purged"
    bash "$ROOT/scripts/check-package.sh" "$ROOT/build-pkg"
else
    banner "stage 5/7: Debian packages skipped (NG_PACKAGE=0, not root, or no dpkg)"
fi

FUZZ_SECONDS=${NG_FUZZ_SECONDS:-60}
if [[ $FUZZ_SECONDS -gt 0 ]] && command -v clang >/dev/null 2>&1; then
    banner "stage 6/7: libFuzzer harnesses, ${FUZZ_SECONDS}s each (clang, ASan+UBSan)"
    CC=clang configure_build build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNG_FUZZ=ON \
        "-DNG_SANITIZE=address,undefined" -DNG_BUILD_TESTS=OFF -DNG_BUILD_BENCH=OFF
    for h in path msg parse wire nodes; do
        # Work on a scratch copy of the seed corpus: the repository's stays small.
        work=$(mktemp -d)
        cp "$ROOT/tests/fuzz/corpus/$h/"* "$work/"
        "$ROOT/build-fuzz/tests/fuzz/fuzz_$h" -max_total_time="$FUZZ_SECONDS" \
            -print_final_stats=1 -artifact_prefix="$ROOT/build-fuzz/crash-$h-" "$work" \
            2>&1 | grep -E '^(#[0-9]+ +DONE|Done|stat::number_of_executed_units|==[0-9]+==ERROR)|SUMMARY' || true
        status=${PIPESTATUS[0]}
        rm -rf "$work"
        [[ $status -eq 0 ]] || { echo "fuzz_$h found a crash (see build-fuzz/crash-$h-*)"; exit 1; }
        echo "fuzz_$h: ${FUZZ_SECONDS}s, no crash"
    done
else
    banner "stage 6/7: fuzzing skipped (NG_FUZZ_SECONDS=0 or no clang)"
fi

if [[ ${NG_MEMCHECK:-1} != 0 ]] && command -v valgrind >/dev/null 2>&1; then
    banner "stage 7/7: valgrind memcheck of the unit tests (build/)"
    # Release binaries of stage 1; memcheck serialises threads, so only the
    # unit label (the concurrency tests run under TSan and ASan instead).
    # tests/valgrind.supp: libbpf's bpf(2) attributes (see the file).
    (cd "$ROOT/build" && ctest --output-on-failure -j"$CTEST_JOBS" -L unit \
        --overwrite MemoryCheckCommand=$(command -v valgrind) \
        --overwrite "MemoryCheckCommandOptions=--error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-possibly-lost=no --track-origins=no --suppressions=$ROOT/tests/valgrind.supp" \
        -T memcheck) | tee "$ROOT/build/memcheck.log"
    if grep -qE 'Defects: [1-9]' "$ROOT/build/memcheck.log"; then
        echo "valgrind memcheck reported defects (build/Testing/Temporary/MemoryChecker.*.log)"
        exit 1
    fi
else
    banner "stage 7/7: valgrind memcheck skipped (NG_MEMCHECK=0 or no valgrind)"
fi

banner "test.sh: all stages passed"
