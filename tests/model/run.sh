#!/bin/sh
# tests/model/run.sh - model-check entry.pml (biased netgraph-mode node
# entry, queue, drain, hook removal) with spin.
#
# Every check is an exhaustive search (no bitstate, no hash compaction):
#   safety  assertions (mutual exclusion, each item once, FIFO, no use after
#           free, nothing left behind when every thread has finished) and
#           invalid end states (a thread blocked for ever)
#   cycles  non-progress cycles (-DNP, ./pan -l): with no progress label at
#           all, any cycle is reported, so a pass means every execution of
#           the model terminates (no livelock, not even an unfair one)
#   hunt    a bitstate search, only for refutations too large to search
#           exhaustively here (a counterexample it finds is a real one)
# Checks named broken-* run a deliberately broken variant and pass only if
# spin refutes it, with the expected error: evidence the model can fail.
#
# Usage: tests/model/run.sh [-j JOBS] [-x]   (from any directory)
#   -j JOBS  checks run in parallel (default: 2)
#   -x       also the extra checks (variants the implementation may use,
#            larger configurations; see README.md)
# Exit: 0 all passed, 1 a check failed, 77 spin is not installed (CTest
# SKIP_RETURN_CODE).  Environment: CC (default cc), KEEP=1 keeps the work
# directory (spin trails of failures) and prints its path, MODEL_MEMLIM
# the most memory one search may use in MiB (default 3072; a search that
# needs more fails the check instead of exhausting a shared machine).
set -u

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd) || exit 1
model="$here/entry.pml"
jobs=2
extra=0
while [ $# -gt 0 ]; do
    case $1 in
    -j) jobs=$2; shift 2 ;;
    -x) extra=1; shift ;;
    *) echo "usage: $0 [-j JOBS] [-x]" >&2; exit 2 ;;
    esac
done

if ! command -v spin >/dev/null 2>&1; then
    echo "run.sh: SKIP: spin is not installed (Debian: apt-get install spin)"
    exit 77
fi
CC=${CC:-cc}
if ! command -v "$CC" >/dev/null 2>&1; then
    echo "run.sh: no C compiler ($CC) for spin's verifiers" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ngmodel.XXXXXX") || exit 1
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [ "${KEEP:-0}" = 1 ]; then echo "run.sh: kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N 2>/dev/null || date +%s; }

# run_check NAME MODE EXPECT OPT FLAGS: one check in $tmp/NAME; writes
# $tmp/NAME/result (one line) and exits 0 (pass) or 1.
#   MODE    safety | cycles
#   EXPECT  pass, or an extended regex spin's failing output must match
#   OPT     the verifier's -O level (0 for small state spaces: compiling
#           pan.c costs more than searching them)
#   FLAGS   spin -D flags (the configuration and variant, see entry.pml)
run_check() {
    name=$1 mode=$2 expect=$3 opt=$4 flags=$5
    d="$tmp/$name"
    mkdir "$d" && cp "$model" "$d/entry.pml" || return 1
    cd "$d" || return 1
    res() { echo "$1" >result; [ "$2" = 0 ]; }
    # shellcheck disable=SC2086 # FLAGS is a word list
    if ! spin $flags -a entry.pml >spin.log 2>&1; then
        res "FAIL $name: spin -a $flags: $(tail -n 3 spin.log | tr '\n' ' ')" 1
        return
    fi
    case $mode in
    safety) cdef="-DSAFETY -DCOLLAPSE" panf= ;;
    cycles) cdef="-DNP -DCOLLAPSE" panf=-l ;;
    hunt) cdef="-DSAFETY -DBITSTATE" panf=-w31 ;;
    esac
    if [ "$mode" = hunt ] && [ "$expect" = pass ]; then
        res "FAIL $name: a bitstate search cannot show a pass" 1
        return
    fi
    # shellcheck disable=SC2086 # word lists
    if ! $CC -O"$opt" -w $cdef -DMEMLIM="${MODEL_MEMLIM:-3072}" -DVECTORSZ=1024 -o pan pan.c >cc.log 2>&1; then
        res "FAIL $name: $CC pan.c: $(tail -n 3 cc.log | tr '\n' ' ')" 1
        return
    fi
    t0=$(now)
    # shellcheck disable=SC2086 # empty or one word
    ./pan -m20000 $panf >pan.out 2>&1
    t1=$(now)
    secs=$(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')
    errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' pan.out | tail -n 1)
    states=$(awk '/states, stored/ { print $1 }' pan.out | tail -n 1)
    what="$mode $flags: ${states:-?} states, ${secs} s"
    if [ -z "$errors" ] || [ -z "$states" ]; then
        res "FAIL $name: pan did not finish ($what): $(tail -n 3 pan.out | tr '\n' ' ')" 1
    elif grep -Eq 'MEMLIM bound|out of memory' pan.out; then
        res "FAIL $name: the search ran out of memory (MODEL_MEMLIM=${MODEL_MEMLIM:-3072} MiB) ($what)" 1
    elif grep -q 'max search depth too small' pan.out; then
        res "FAIL $name: search truncated (max depth) ($what)" 1
    elif [ "$expect" = pass ]; then
        if [ "$errors" = 0 ]; then
            res "PASS $name ($what)" 0
        else
            res "FAIL $name ($what): $(grep -E 'violated|invalid end state|cycle' pan.out | head -n 1)" 1
            # shellcheck disable=SC2086 # a word list
            spin -t -p $flags entry.pml >trail.txt 2>&1
        fi
    elif [ "$errors" = 0 ]; then
        case $name in
        reach-*) res "FAIL $name: the path was NOT reached: the model no longer explores it ($what)" 1 ;;
        *) res "FAIL $name: the broken variant was NOT refuted ($what)" 1 ;;
        esac
    elif grep -Eq "$expect" pan.out; then
        case $name in
        reach-*) res "PASS $name: reached ($what)" 0 ;;
        *) res "PASS $name: refuted as expected: $(grep -E "$expect" pan.out | head -n 1 | sed 's/^pan:[0-9]*: //; s/ (at depth.*//') ($what)" 0 ;;
        esac
    else
        res "FAIL $name: refuted, but not by /$expect/ ($what): $(grep -E 'violated|invalid end state|cycle' pan.out | head -n 1)" 1
    fi
}

# The checks, one a line: NAME;MODE;EXPECT;OPT;FLAGS (see entry.pml for the
# switches).  Configurations: NR readers x RITEMS data items, NW writers x
# WITEMS messages (defaults 2, 1, 1, 1); INIT_BIAS=0: a node not armed yet.
MUTEX='assertion violated \(\(win==0\)&&\(rin==0\)\)'
LOST='assertion violated \(\(q_len\(queue\)==0\)&&\(held==255\)\)'
FIFO='assertion violated \(\(snap& ~\(started\)\)==0\)'
UAF='assertion violated +!\(hfreed\)'
OWNER='assertion violated \(\(it==255\)\|\|\(q&16\)\)'
I2='-DNR=1 -DRITEMS=2 -DWITEMS=2'
I2U='-DNR=1 -DRITEMS=2 -DWITEMS=2 -DINIT_BIAS=0'
RM='-DNR=1 -DRITEMS=2 -DREMOVE'
# reach-N: the path PROBE=N of entry.pml is taken (spin must reach it)
probes() {
    for p in "1 $I2 biased-run" "2 $I2 retract" "3 $I2 counted-run" "4 $I2 owner-runs-reader" \
        "6 $I2 revoke" "7 $I2 scan-sees-slot" "8 $I2 scan-sees-stale-slot" "9 $I2 park-retake" \
        "10 $I2 leave-notify-kicks" "11 $I2 enqueue-kicks" "12 $I2 counted-leave-kicks" \
        "13 $I2U writer-leave-kicks" "14 $I2 retract-notify-kicks" "15 $I2 d0-retake" \
        "16 $I2 d0-newq-retry" "17 $I2U direct-writer" "18 $I2U writer-leave-rearms" \
        "20 $RM owner-drops-cut-hook" "21 $RM tryref-fails" "22 $RM hop-drops-cut-hook" \
        "24 $I2 r1-revoke-finds-reader" "26 $I2 r1-revoke-enters"; do
        # shellcheck disable=SC2086 # word list
        set -- $p
        pn=$1
        tag=$(eval echo "\${$#}")
        fl=$(echo "$p" | sed "s/^$pn //; s/ $tag\$//")
        echo "reach-$pn-$tag;safety;assertion violated.*\\($pn==$pn\\);0;$fl -DPROBE=$pn"
    done
}
checks() {
    cat <<EOF
base;safety;pass;1;-DNR=2 -DNW=1
base-unarmed;safety;pass;0;-DNR=2 -DNW=1 -DINIT_BIAS=0
writers2;safety;pass;1;-DNR=1 -DNW=2
writers2-unarmed;safety;pass;0;-DNR=1 -DNW=2 -DINIT_BIAS=0
items2;safety;pass;0;-DNR=1 -DRITEMS=2 -DWITEMS=2
remove;safety;pass;0;-DNR=1 -DRITEMS=2 -DNW=1 -DREMOVE
worker;safety;pass;1;-DNR=1 -DRITEMS=2 -DWITEMS=2 -DWORKER
worker-unarmed;safety;pass;0;-DNR=2 -DNW=1 -DINIT_BIAS=0 -DWORKER
cycles-items2;cycles;pass;0;-DNR=1 -DRITEMS=2 -DWITEMS=2
cycles-remove;cycles;pass;0;-DNR=1 -DRITEMS=2 -DNW=1 -DREMOVE
broken-spec-d0;safety;$FIFO;0;-DNR=1 -DRITEMS=2 -DSPEC_D0 -DFIFO_PER_THREAD
broken-no-membarrier;safety;$MUTEX;0;-DNR=1 -DRITEMS=2 -DBROKEN_NO_MEMBARRIER
broken-no-notify-fence;safety;$LOST;0;-DNR=1 -DRITEMS=2 -DBROKEN_NO_NOTIFY_FENCE
broken-no-l3;safety;$LOST;0;-DNR=1 -DRITEMS=2 -DBROKEN_NO_L3
broken-no-park-retake;safety;$LOST;0;-DNR=1 -DRITEMS=2 -DBROKEN_NO_PARK_RETAKE
broken-no-grace;safety;$UAF;0;-DNR=1 -DRITEMS=2 -DREMOVE -DBROKEN_NO_GRACE
broken-plain-ref;safety;$UAF|assertion violated \(hrefs==0\);0;-DNR=1 -DRITEMS=2 -DREMOVE -DBROKEN_PLAIN_REF
broken-spin-park;cycles;non-progress cycle;0;-DNR=1 -DRITEMS=2 -DBROKEN_SPIN_PARK
broken-spec-kick;safety;$OWNER;0;$I2 -DSPEC_KICK -DNO_R1
broken-r1-no-scan;safety;$MUTEX;0;$I2 -DBROKEN_R1_NO_SCAN
no-r1;safety;pass;0;$I2 -DNO_R1
EOF
    probes
    [ "$extra" = 1 ] && cat <<EOF
x-no-retract-notify;safety;pass;1;-DNR=2 -DNW=1 -DNO_RETRACT_NOTIFY
x-no-retract-notify-w2;safety;pass;1;-DNR=1 -DNW=2 -DNO_RETRACT_NOTIFY
x-cycles-base;cycles;pass;1;-DNR=2 -DNW=1
x-remove-2r;safety;pass;1;-DNR=2 -DNW=1 -DREMOVE
x-readers2-items2;safety;pass;1;-DNR=2 -DRITEMS=2 -DINIT_BIAS=0
x-writer-items2;safety;pass;1;-DNR=2 -DNW=1 -DWITEMS=2
x-spec-kick-mutex;hunt;$MUTEX;2;-DNR=1 -DRITEMS=2 -DNW=2 -DWITEMS=2 -DSPEC_KICK -DNO_OWNER_PENDING_CHECK -DNO_R1
x-unreached-5;safety;pass;0;$I2U -DPROBE=5
x-unreached-23;safety;pass;1;-DNR=1 -DNW=2 -DPROBE=23
x-remove-worker;safety;pass;1;-DNR=1 -DRITEMS=2 -DREMOVE -DWORKER
x-writers2-worker;safety;pass;1;-DNR=1 -DNW=2 -DWORKER
x-w1-once;safety;pass;1;-DNR=2 -DNW=1 -DW1_ONCE
x-w1-once-w2;safety;pass;1;-DNR=1 -DNW=2 -DW1_ONCE
EOF
    return 0
}

echo "run.sh: spin $(spin -V 2>/dev/null | sed 's/Spin Version //; s/ --.*//'), $CC, $jobs jobs, model $model"
start=$(now)
# Run the checks in $jobs lanes (check k in lane k mod $jobs), each lane
# one after the other; the table is read on fd 3 so that the checks' own
# stdin stays free.
checks >"$tmp/list"
n=$(wc -l <"$tmp/list" | tr -d " ")
lane=0
while [ "$lane" -lt "$jobs" ]; do
    (
        k=0
        while IFS=';' read -r name mode expect opt flags <&3; do
            if [ $((k % jobs)) = "$lane" ]; then
                (run_check "$name" "$mode" "$expect" "$opt" "$flags")
            fi
            k=$((k + 1))
        done 3<"$tmp/list"
    ) &
    lane=$((lane + 1))
done
wait

fail=0
while IFS=';' read -r name _ <&3; do
    if [ -f "$tmp/$name/result" ]; then
        r=$(cat "$tmp/$name/result")
    else
        r="FAIL $name: no result"
    fi
    echo "$r"
    case $r in
    PASS*) ;;
    *)
        fail=1
        [ -f "$tmp/$name/trail.txt" ] && KEEP=1
        ;;
    esac
done 3<"$tmp/list"
end=$(now)
total=$(echo "$start $end" | awk '{ printf "%.1f", $2 - $1 }')
if [ "$fail" = 0 ]; then
    echo "run.sh: all $n checks passed in $total s"
    exit 0
fi
echo "run.sh: FAILED (see above; $total s)"
exit 1
