#!/usr/bin/env bash
# Build the Debian packages (cmake/packaging.cmake: libngraph0, libngraph-dev,
# ngraph-tools) with `cpack -G DEB`, install them with dpkg (missing
# dependencies from apt), check the installed files, run the installed
# /usr/sbin/ngraphd on a temporary socket and talk to it with the installed
# ngctl and nghook, build a program against the installed headers and
# pkg-config file, then purge the packages and every dependency the install
# pulled in: the machine is left as it was (also on failure).
#
#   scripts/check-package.sh [BUILD_DIR]      (root, Debian; default build-pkg/)
#
# BUILD_DIR is configured here (Release, prefix /usr, no tests or
# benchmark); NG_PKG_CMAKE_ARGS adds cmake arguments.  Refuses to run when
# one of the packages is already installed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build-pkg}
[[ "$BUILD" = /* ]] || BUILD=$PWD/$BUILD
PKGS=(ngraph-tools libngraph-dev libngraph0)
say() { echo "check-package.sh: $*"; }
die() { echo "check-package.sh: FAIL: $*" >&2; exit 1; }

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "must run as root (or with sudo available)"
    SUDO=(sudo)
fi
command -v dpkg >/dev/null 2>&1 || die "not a Debian system (no dpkg)"

installed() { dpkg-query -W -f='${db:Status-Status}\n' "$1" 2>/dev/null | grep -qx installed; }
for p in "${PKGS[@]}"; do
    if dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qvx 'not-installed'; then
        die "$p is already installed (or half-installed): remove it first, this check purges it"
    fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ngraph-pkg.XXXXXX")
DPID=
INSTALLED_ANY=0
DONE=0
dpkg-query -W -f='${db:Status-Status} ${Package}\n' | awk '$1 != "not-installed" {print $2}' |
    sort >"$TMP/before"

cleanup() {
    local rc=$?
    set +e
    if [[ -n $DPID ]] && kill -0 "$DPID" 2>/dev/null; then
        kill -9 "$DPID"
        wait "$DPID" 2>/dev/null
    fi
    if [[ $INSTALLED_ANY -eq 1 ]]; then
        # ours and whatever apt pulled in for them, nothing else
        dpkg-query -W -f='${db:Status-Status} ${Package}\n' |
            awk '$1 != "not-installed" {print $2}' | sort >"$TMP/after"
        mapfile -t extra < <(comm -13 "$TMP/before" "$TMP/after" | grep -vxF -f <(printf '%s\n' "${PKGS[@]}"))
        "${SUDO[@]}" dpkg --purge "${PKGS[@]}" >"$TMP/purge.log" 2>&1 ||
            { cat "$TMP/purge.log" >&2; rc=1; }
        if [[ ${#extra[@]} -gt 0 ]]; then
            say "purging the dependencies the install pulled in: ${extra[*]}"
            "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${extra[@]}" \
                >>"$TMP/purge.log" 2>&1 || { cat "$TMP/purge.log" >&2; rc=1; }
        fi
        for p in "${PKGS[@]}"; do
            if dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qvx 'not-installed'; then
                echo "check-package.sh: FAIL: $p still installed after purge" >&2
                rc=1
            fi
        done
        [[ ! -e /usr/sbin/ngraphd ]] || { echo "check-package.sh: FAIL: /usr/sbin/ngraphd left" >&2; rc=1; }
    fi
    rm -rf "$TMP"
    [[ $rc -ne 0 || $DONE -ne 1 ]] || say "OK"
    exit "$rc"
}
trap cleanup EXIT

say "configuring and building $BUILD"
# shellcheck disable=SC2086
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DNG_BUILD_TESTS=OFF -DNG_BUILD_BENCH=OFF ${NG_PKG_CMAKE_ARGS:-} >"$TMP/cmake.log" 2>&1 ||
    { cat "$TMP/cmake.log" >&2; die "cmake failed"; }
if grep -q 'packaging: no install() rule' "$TMP/cmake.log"; then
    grep -A3 'packaging:' "$TMP/cmake.log" >&2
    die "the packages are not configured (install components missing)"
fi
[[ -f $BUILD/CPackConfig.cmake ]] || die "no CPackConfig.cmake: is cmake/packaging.cmake included?"
cmake --build "$BUILD" --parallel "$(nproc 2>/dev/null || echo 2)" >"$TMP/build.log" 2>&1 ||
    { tail -n 40 "$TMP/build.log" >&2; die "build failed"; }

say "cpack -G DEB"
rm -rf "$BUILD/packages"
(cd "$BUILD" && cpack -G DEB -B "$BUILD/packages") >"$TMP/cpack.log" 2>&1 ||
    { cat "$TMP/cpack.log" >&2; die "cpack failed"; }
declare -A DEB
for p in "${PKGS[@]}"; do
    DEB[$p]=$(find "$BUILD/packages" -maxdepth 1 -name "${p}_*.deb" -print -quit)
    [[ -n ${DEB[$p]} ]] || die "no ${p}_*.deb in $BUILD/packages"
    say "$(basename "${DEB[$p]}"): $(dpkg-deb -f "${DEB[$p]}" Depends)"
done

# contents: each file in its package
# (the path is field 6 of `dpkg-deb -c`; a symlink's target follows it)
files() { dpkg-deb -c "${DEB[$1]}" | awk '{print $6}'; }
has() { files "$1" | grep -qE "$2" || die "$1 lacks $2"; }
lacks() { ! files "$1" | grep -qE "$2" || die "$1 has $2"; }
has libngraph0 '/libngraph\.so\.0$'
has libngraph0 '/libngraph\.so\.0\.[0-9.]+$'
has libngraph0 '/libnetgraph\.so\.0$'
lacks libngraph0 '\.so$|\.a$|\.h$'
has libngraph-dev '/include/ngraph/ngraph\.h$'
has libngraph-dev '/include/ngraph/server\.h$'
has libngraph-dev '/netgraph\.h$'
has libngraph-dev '/libngraph\.a$'
has libngraph-dev '/libngraph\.so$'
has libngraph-dev '/libnetgraph\.so$'
has libngraph-dev '/pkgconfig/ngraph\.pc$'
has libngraph-dev '/cmake/ngraph/ngraphConfig\.cmake$'
lacks libngraph-dev '\.so\.0'
has ngraph-tools '^\./usr/sbin/ngraphd$'
has ngraph-tools '^\./usr/sbin/ngctl$'
has ngraph-tools '^\./usr/sbin/nghook$'
has ngraph-tools '/lib/systemd/system/ngraphd\.service$'
dpkg-deb -f "${DEB[ngraph-tools]}" Depends | grep -q 'libngraph0 (= ' ||
    die "ngraph-tools does not depend on this libngraph0"
dpkg-deb -f "${DEB[libngraph-dev]}" Depends | grep -q 'libngraph0 (= ' ||
    die "libngraph-dev does not depend on this libngraph0"
dpkg-deb -f "${DEB[libngraph0]}" Depends | grep -q 'libc6' ||
    die "libngraph0's Depends lack libc6 (dpkg-shlibdeps not run?)"
dpkg-deb -I "${DEB[libngraph0]}" shlibs >/dev/null 2>&1 || die "libngraph0 has no shlibs file"
dpkg-deb --fsys-tarfile "${DEB[ngraph-tools]}" | tar -xO ./usr/lib/systemd/system/ngraphd.service |
    grep -q '^ExecStart=/usr/sbin/ngraphd ' || die "the unit's ExecStart is not /usr/sbin/ngraphd"

say "installing"
INSTALLED_ANY=1
if ! "${SUDO[@]}" dpkg -i "${DEB[@]}" >"$TMP/dpkg.log" 2>&1; then
    say "dpkg -i needs dependencies: apt-get -f install"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -f install -y -q >>"$TMP/dpkg.log" 2>&1 ||
        { cat "$TMP/dpkg.log" >&2; die "installing the packages failed"; }
fi
for p in "${PKGS[@]}"; do
    installed "$p" || { cat "$TMP/dpkg.log" >&2; die "$p is not installed"; }
done

say "running /usr/sbin/ngraphd"
SOCK=$TMP/run/ngraph.sock
printf 'mkpeer . echo e x\nname e pkgecho\nmkpeer pkgecho: hole keep keep\n' >"$TMP/graph.ngctl"  # the hole keeps the echo alive
/usr/sbin/ngraphd --socket "$SOCK" --pidfile "$TMP/ngraphd.pid" --workers 2 \
    -f "$TMP/graph.ngctl" >"$TMP/ngraphd.log" 2>&1 &
DPID=$!
for _ in $(seq 200); do
    [[ -s $TMP/ngraphd.pid ]] || ! kill -0 "$DPID" 2>/dev/null && break
    sleep 0.05
done
[[ -s $TMP/ngraphd.pid ]] || { cat "$TMP/ngraphd.log" >&2; die "the installed ngraphd did not start"; }
/usr/sbin/ngctl --socket "$SOCK" list >"$TMP/list.out" 2>&1 ||
    { cat "$TMP/list.out" >&2; die "the installed ngctl list failed"; }
grep -q 'Name: pkgecho .*Type: echo' "$TMP/list.out" ||
    { cat "$TMP/list.out" >&2; die "ngctl list does not show the script's node"; }
printf 'through the package\n' | timeout 10 /usr/sbin/nghook --socket "$SOCK" pkgecho: y >"$TMP/hook.out" ||
    die "the installed nghook failed"
[[ $(cat "$TMP/hook.out") == "through the package" ]] || die "nghook got '$(cat "$TMP/hook.out")'"
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
DPID=
[[ $rc -eq 0 ]] || { cat "$TMP/ngraphd.log" >&2; die "ngraphd exited with $rc after SIGTERM"; }
grep -q 'accounting: ' "$TMP/ngraphd.log" || die "ngraphd logged no accounting"
[[ ! -e $SOCK ]] || die "ngraphd left its socket"

say "building against libngraph-dev"
if command -v cc >/dev/null 2>&1 && pkg-config --exists ngraph 2>/dev/null; then
    # shellcheck disable=SC2046
    cc -o "$TMP/demo" "$ROOT/examples/demo.c" $(pkg-config --cflags --libs ngraph) ||
        die "examples/demo.c does not build with pkg-config ngraph"
    "$TMP/demo" ck_epoch 4 >/dev/null || die "the demo built against the package failed"
    ldd "$TMP/demo" | grep -q '/libngraph\.so\.0 ' || die "the demo does not use the installed libngraph"
else
    die "no cc or no pkg-config ngraph after installing libngraph-dev"
fi

say "purging"
DONE=1
exit 0
