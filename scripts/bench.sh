#!/usr/bin/env bash
# The README's MAIN command: install missing packages, build in Release and
# run the benchmark (build/bench/ngbench, arguments passed through).  Until
# the benchmark exists, runs the demo graph (ngdemo) on every backend.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

bash "$ROOT/scripts/deps.sh"
cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=Release -DNG_SANITIZE= -DNG_BUILD_BENCH=ON >/dev/null
cmake --build "$ROOT/build" --parallel "$JOBS"

if [[ -x "$ROOT/build/bench/ngbench" ]]; then
    exec "$ROOT/build/bench/ngbench" "$@"
fi

echo "bench.sh: build/bench/ngbench not built yet; running the demo graph instead"
for backend in ck_epoch qsbr rwlock; do
    echo "=== ngdemo $backend"
    "$ROOT/build/ngdemo" "$backend" 100000
done
