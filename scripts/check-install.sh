#!/usr/bin/env bash
# Check that an installed libngraph can be consumed out of tree: install the
# build in BUILD_DIR (default build/) into a temporary prefix, configure
# examples/ against it with find_package(ngraph) and pkg-config, build the
# demo three ways (shared via CMake, static via CMake, shared via pkg-config)
# and run each once per backend; build examples/lsnodes.c against the
# installed libnetgraph (pkg-config) and run it against the installed ngraphd.
#
#   scripts/check-install.sh [BUILD_DIR]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build}
[[ "$BUILD" = /* ]] || BUILD=$PWD/$BUILD
if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
    echo "check-install.sh: $BUILD is not a configured build directory" >&2
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ngraph-install.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
PREFIX=$TMP/prefix

cmake --build "$BUILD" --parallel "$(nproc 2>/dev/null || echo 2)"
cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null

pcdir=$(dirname "$(find "$PREFIX" -name ngraph.pc -print -quit)")
libdir=$(dirname "$(find "$PREFIX" -name 'libngraph.so*' -print -quit)")
export PKG_CONFIG_PATH="$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
echo "installed into $PREFIX (libdir $libdir); pkg-config: $(pkg-config --modversion ngraph) $(pkg-config --libs ngraph)"

cmake -S "$ROOT/examples" -B "$TMP/examples" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
cmake --build "$TMP/examples" --parallel "$(nproc 2>/dev/null || echo 2)"

# The backends: the build's one list (NG_BACKENDS in CMakeLists.txt).
backends=$(sed -n 's/^NG_BACKENDS:[A-Z]*=//p' "$BUILD/CMakeCache.txt" | tr ';' ' ')
[[ -n $backends ]] || { echo "check-install.sh: no NG_BACKENDS in $BUILD/CMakeCache.txt" >&2; exit 1; }
for exe in demo_cmake demo_cmake_static demo_pkgconfig; do
    for backend in $backends; do
        echo "--- $exe $backend"
        "$TMP/examples/$exe" "$backend" 16
    done
done
# The shared-library demos must resolve libngraph from the install prefix;
# the static one must not need it at all.
if command -v ldd >/dev/null 2>&1; then
    if ! ldd "$TMP/examples/demo_cmake" | grep -F "$PREFIX" >/dev/null; then
        echo "check-install.sh: demo_cmake does not use $PREFIX's libngraph" >&2
        exit 1
    fi
    if ldd "$TMP/examples/demo_cmake_static" | grep -q 'libngraph\.so'; then
        echo "check-install.sh: demo_cmake_static links libngraph.so" >&2
        exit 1
    fi
fi
# libnetgraph: a FreeBSD-style client (examples/lsnodes.c, pkg-config
# libnetgraph) against the installed ngraphd, on a socket in TMP.
ngraphd=$(find "$PREFIX" -name ngraphd -type f -print -quit)
[[ -x $ngraphd ]] || { echo "check-install.sh: no installed ngraphd" >&2; exit 1; }
export NGRAPH_SOCKET=$TMP/run/ngraph.sock
LD_LIBRARY_PATH="$libdir" "$ngraphd" --workers 1 --pidfile "$TMP/ngraphd.pid" -d
trap 'kill "$(cat "$TMP/ngraphd.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$TMP"' EXIT
out=$("$TMP/examples/lsnodes")
echo "--- lsnodes: $out"
grep -q ' socket 0$' <<<"$out" || { echo "check-install.sh: lsnodes did not list its own node" >&2; exit 1; }
if command -v ldd >/dev/null 2>&1 && ! ldd "$TMP/examples/lsnodes" | grep -F "$PREFIX" | grep -q libnetgraph; then
    echo "check-install.sh: lsnodes does not use $PREFIX's libnetgraph" >&2
    exit 1
fi
echo "check-install.sh: OK"
