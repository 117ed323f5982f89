#!/usr/bin/env bash
# Check the layering rules that the compiler cannot (docs/design.md, "Layers"):
#   1. src/datapath/ includes no header of a layer above it (core, control,
#      stats, runtime, nodes): the data path calls nothing above it.
#   2. src/lib/ includes nothing of the engine; src/backend/ nothing above it;
#      src/parse/ (pure parse types) nothing but src/lib/; src/wire/ (the
#      control socket's frames) nothing but src/lib/; src/server/ (control
#      server, socket node type) only src/wire/ and src/lib/ besides the
#      public headers; src/client/ (libnetgraph) only src/wire/ and src/lib/.
#   3. src/nodes/, src/toolbox/ and tools/ include public headers
#      (<ngraph/*.h>, <netgraph.h>), system headers and their own folder's
#      headers only: node types, their toolbox and tools are written against
#      the public API.
#   4. No source file in src/, bench/ or tools/ is longer than 800 lines.
#   5. Every public function in include/ngraph/ and include/libnetgraph/ follows a comment ending with
#      the Context:, Consumes: and Returns: lines (functions declared one
#      after the other may share one).
#   6. docs/reliability.md's node-types bad-input table matches the node
#      manuals' ERRORS sections (scripts/node-errors.py).
# Prints every violation and exits 1 if there is one.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fail=0
violation() { echo "check-layout: $*" >&2; fail=1; }

# Quoted includes of a file, resolved to the folder they name ("lib/x.h" or a
# sibling "x.h").
includes() { sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$1"; }

check_below() { # folder, allowed folders...
    local dir=$1; shift
    local f inc top ok a
    for f in src/"$dir"/*.[ch]; do
        while read -r inc; do
            [[ -n $inc ]] || continue
            if [[ $inc == */* ]]; then top=${inc%%/*}; else top=$dir; fi
            ok=0
            for a in "$dir" "$@"; do [[ $top == "$a" ]] && ok=1; done
            [[ $ok == 1 ]] || violation "$f includes \"$inc\" (src/$dir may use: $dir $*)"
        done < <(includes "$f")
    done
}
check_below lib
check_below backend lib
check_below datapath lib backend
check_below parse lib
check_below wire lib
check_below server wire lib
check_below client wire lib

for f in src/nodes/*.c; do
    if grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f"; then
        violation "$f includes a private header (node types use <ngraph/*.h> only)"
    fi
done
# A large type's folder (src/nodes/<type>/) and the toolbox may include their
# own headers (same folder), nothing of the engine.
while read -r f; do
    while read -r inc; do
        [[ $inc == */* || $inc == ..* ]] && violation "$f includes \"$inc\" (node types and the toolbox use public headers only)"
    done < <(includes "$f")
done < <(find src/nodes -mindepth 2 -name '*.[ch]'; find src/toolbox -name '*.[ch]' 2>/dev/null | sort)
# Tools may include their own headers (same folder), nothing of src/.
while read -r f; do
    while read -r inc; do
        [[ $inc == */* || $inc == ..* ]] && violation "$f includes \"$inc\" (tools use public headers only)"
    done < <(includes "$f")
done < <(find tools -name '*.[ch]' | sort)

while read -r f; do
    n=$(wc -l < "$f")
    (( n <= 800 )) || violation "$f has $n lines (at most 800)"
done < <(find src bench tools -name '*.[ch]' | sort)

doc_awk='
/^\/\*/ { incomment = 1; comment = "" }
incomment { comment = comment $0 "\n"; if ($0 ~ /\*\//) { incomment = 0
    have = (comment ~ /Context:/ && comment ~ /Consumes:/ && comment ~ /Returns:/) }; next }
/^[[:space:]]*$/ || /^[[:space:]]/ || /^#/ || /^typedef / { next }
/^(static inline |extern )?[A-Za-z_][A-Za-z0-9_ *]*[ *](ng|Ng)[A-Za-z0-9_]*\(/ {
    if (!have) { printf "%s:%d: %s\n", FILENAME, FNR, $0; bad = 1 }; next }
{ have = 0 }
END { exit bad }'
if ! awk "$doc_awk" include/ngraph/*.h include/libnetgraph/*.h >&2; then
    violation "public functions above lack the Context/Consumes/Returns lines"
fi

# 6. The node types' bad-input table in docs/reliability.md is the one
#    their manuals' ERRORS sections give.
if ! python3 scripts/node-errors.py --check docs/reliability.md >/dev/null 2>&1; then
    violation "docs/reliability.md: node-types bad-input table stale (run scripts/node-errors.py --update docs/reliability.md)"
fi

[[ $fail == 0 ]] && echo "check-layout: OK (layers, node types on the public API, files <= 800 lines, API docs, bad-input table)"
exit $fail
