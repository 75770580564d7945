#!/usr/bin/env bash
# Build the groovebox Debian package for one architecture.
#
#   image/deb/build-deb.sh ARCH OUTDIR      ARCH = amd64 | arm64
#
# Configures a lean Release build in build-deb-ARCH/ at the repository root
# (tests, benchmarks and fuzzers off; arm64 through
# toolchains/aarch64-linux-gnu.cmake), builds only `groovebox`, runs cpack, and
# leaves exactly OUTDIR/groovebox_<version>_<ARCH>.deb (an older package of
# that architecture in OUTDIR is replaced). Its path is the only line on
# stdout; the build's output goes to stderr.
# Needs what .ci/setup installs, plus for arm64 the cross compiler and the
# arm64 multiarch -dev packages of tests/cross/README.md (image/deb/ci.sh
# installs both). GB_JOBS sets the build's parallelism (default 2).
set -euo pipefail
usage() { echo "usage: $0 amd64|arm64 OUTDIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
arch=$1; outdir=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
bdir="$root/build-deb-$arch"

toolchain=()
case "$arch" in
  amd64) [ "$(dpkg --print-architecture)" = amd64 ] || { echo "build-deb: amd64 only builds natively on amd64" >&2; exit 2; } ;;
  arm64) toolchain=(-DCMAKE_TOOLCHAIN_FILE="$root/toolchains/aarch64-linux-gnu.cmake") ;;
  *) usage ;;
esac
for tool in cmake ninja cpack dpkg-shlibdeps fakeroot; do
  command -v "$tool" >/dev/null || { echo "build-deb: $tool missing (image/deb/ci.sh installs it)" >&2; exit 1; }
done

cmake -S "$root" -B "$bdir" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DGB_BUILD_TESTS=OFF -DGB_BUILD_BENCH=OFF -DGB_BUILD_FUZZ=OFF \
  -DGB_DEFAULT_SCENE_PATH=/usr/share/groovebox/default.ph \
  -DGB_DEB_ARCH="$arch" \
  "${toolchain[@]}" >&2
cmake --build "$bdir" -j"${GB_JOBS:-2}" --target groovebox >&2

# dpkg-shlibdeps (run by cpack) resolves libraries and symbols files for
# DEB_HOST_ARCH: for arm64 it then reads the arm64 multiarch libraries with
# aarch64-linux-gnu-objdump.
rm -rf "$bdir/_deb"
(cd "$bdir" && DEB_HOST_ARCH="$arch" cpack -G DEB -B "$bdir/_deb" >&2)
shopt -s nullglob
debs=("$bdir"/_deb/groovebox_*_"$arch".deb)
[ ${#debs[@]} -eq 1 ] || { echo "build-deb: expected one groovebox_*_$arch.deb, cpack made: $(ls "$bdir/_deb")" >&2; exit 1; }
mkdir -p "$outdir"
rm -f "$outdir"/groovebox_*_"$arch".deb
cp "${debs[0]}" "$outdir/"
out="$(cd "$outdir" && pwd)/$(basename "${debs[0]}")"
echo "$out"
