#!/usr/bin/env bash
# The README's MAIN command: install missing packages, build in Release and
# run the benchmark (build/bench/ngbench, arguments passed through).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

bash "$ROOT/scripts/deps.sh"
cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=Release -DNG_SANITIZE= -DNG_BUILD_BENCH=ON >/dev/null
cmake --build "$ROOT/build" --parallel "$JOBS"

exec "$ROOT/build/bench/ngbench" "$@"
