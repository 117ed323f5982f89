#!/usr/bin/env bash
# Side-by-side benchmark of two builds of libngraph on this machine: an older
# commit and the working tree, run alternately (old, new, old, new, ...) so
# that both see the same weather on a shared VM.
#
#   scripts/bench-compare.sh [--rev REV] [--rounds K] [--out DIR] [--bench old|own]
#                            [-- NGBENCH ARGS]
#
#   --rev REV     the older commit (default: a3e75be, main before the layer
#                 refactor of issue #9)
#   --rounds K    alternations (default 4: each build runs K times)
#   --out DIR     where the runs' results go (default bench-compare/)
#   --bench old   (default) both engines run REV's benchmark source, so only
#                 the engine differs; own: each side runs its own benchmark
#   NGBENCH ARGS  passed to every run (default: the chain, churn and scale
#                 scenarios, 3 repetitions, no DPDK rows, no plots)
#
# Prints, for every configuration both builds ran, the median over rounds of
# each run's median figure (chain: ns/hop and x floor; churn: delivered vs
# no churn; scale: items/s scaling vs 1 worker), the new/old ratio, and the
# machine's other load during each run (the contention indicator).  Needs
# python3 for the summary.  A benchmark, not a test: it reports.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REV=a3e75be
ROUNDS=4
OUT=$ROOT/bench-compare
ARGS=(--scenario chain,churn,scale --reps 3 --no-dpdk --no-plot)
BENCH=old
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rev) REV=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --) shift; ARGS=("$@"); break ;;
        --bench) BENCH=$2; shift 2 ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "bench-compare.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
command -v python3 >/dev/null || { echo "bench-compare.sh: needs python3" >&2; exit 1; }
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

bash "$ROOT/scripts/deps.sh"
OLD_SRC=$(mktemp -d "${TMPDIR:-/tmp}/ngraph-old.XXXXXX")
NEW_SRC=$(mktemp -d "${TMPDIR:-/tmp}/ngraph-new.XXXXXX")
cleanup() {
    git -C "$ROOT" worktree remove --force "$OLD_SRC" >/dev/null 2>&1 || rm -rf "$OLD_SRC"
    rm -rf "$NEW_SRC"
}
trap cleanup EXIT
git -C "$ROOT" worktree add --detach -q "$OLD_SRC" "$REV"
# The new side: the working tree as it is (tracked and untracked files),
# with REV's benchmark in place of its own unless --bench own.
(cd "$ROOT" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$NEW_SRC")
if [[ $BENCH == old ]]; then
    rm -rf "$NEW_SRC/bench"
    cp -r "$OLD_SRC/bench" "$NEW_SRC/bench"
fi
build() { # src dir
    cmake -S "$1" -B "$2" -DCMAKE_BUILD_TYPE=Release -DNG_SANITIZE= -DNG_BUILD_TESTS=OFF \
          -DNG_BUILD_BENCH=ON >/dev/null
    cmake --build "$2" --parallel "$JOBS" >/dev/null
}
build "$OLD_SRC" "$OUT/build-old"
build "$NEW_SRC" "$OUT/build-new"
OLD_REV=$(git -C "$OLD_SRC" rev-parse --short HEAD)
NEW_REV=$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD || echo "+changes")

for ((i = 1; i <= ROUNDS; i++)); do
    for side in old new; do
        echo "round $i/$ROUNDS: $side" >&2
        rm -rf "$OUT/$side-$i"
        "$OUT/build-$side/bench/ngbench" "${ARGS[@]}" --out "$OUT/$side-$i" >"$OUT/$side-$i.log" 2>&1
    done
done

python3 - "$OUT" "$ROUNDS" "$OLD_REV" "$NEW_REV" "$BENCH" <<'EOF'
import json, statistics, sys
out, rounds, old_rev, new_rev, bench = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
figures = {  # scenario -> (label, json field)
    "chain": [("ns/hop", "ns_per_hop"), ("x floor/hop", "hop_ratio_to_floor")],
    "churn": [("vs no churn", "ratio_vs_no_churn")],
    "scale": [("vs 1 worker", "scaling_vs_1_worker"), ("wall vs 1 worker", "wall_scaling_vs_1_worker")],
}
def key(r):
    return (r["scenario"], r["impl"], r["mode"], r["chain_len"], r["workers"], r["layout"],
            r["churn_target_per_s"])
runs = {"old": [], "new": []}
load = {"old": [], "new": []}
machine = date = None
for side in runs:
    for i in range(1, rounds + 1):
        d = json.load(open(f"{out}/{side}-{i}/results.json"))
        runs[side].append({key(r): r for r in d["results"]})
        load[side].append(d["machine"].get("other_load"))
        machine, date = d["machine"]["cpu"], d["date"]
print(f"== side by side: old {old_rev} vs new {new_rev} ({'both with the old benchmark' if bench == 'old' else 'each with its own benchmark'}), "
      f"{rounds} alternating rounds, {machine}, {date} ==")
print("other load (share of CPU time used outside the benchmark) per round:")
for side in runs:
    print(f"  {side}: " + " ".join("-" if x is None else f"{x:.3f}" for x in load[side]))
print(f"{'scenario':8} {'impl':9} {'mode':9} {'N':>3} {'W':>2} {'layout':8} {'rate':>6} "
      f"{'figure':17} {'old':>9} {'new':>9} {'new/old':>8}")
for k in runs["old"][0]:
    scen = k[0]
    if scen not in figures or k[1] in ("base", "dpdk", "dpdk_base"):
        continue
    if not all(k in r for r in runs["new"]):
        continue
    for label, field in figures[scen]:
        vals = {}
        for side in runs:
            v = [r[k].get(field, {}).get("median") for r in runs[side]]
            v = [x for x in v if x is not None]
            vals[side] = statistics.median(v) if v else None
        if vals["old"] is None or vals["new"] is None:
            continue
        ratio = vals["new"] / vals["old"] if vals["old"] else float("nan")
        print(f"{scen:8} {k[1]:9} {k[2]:9} {k[3]:>3} {k[4]:>2} {k[5]:8} {k[6]:>6.0f} "
              f"{label:17} {vals['old']:9.3f} {vals['new']:9.3f} {ratio:8.3f}")
EOF
