#!/usr/bin/env bash
# Cross-builds groovebox for armhf with toolchains/arm-linux-gnueabihf.cmake
# (the whole tree: libraries, groovebox, tests, benchmarks), then runs the
# dsp/ test suites under qemu-arm through the toolchain's
# CMAKE_CROSSCOMPILING_EMULATOR (no binfmt needed), one qemu per test binary
# (tests/cross/batch_ctest.py).
#
#   tests/cross/build_armhf.sh             # whole tree, then dsp tests
#   tests/cross/build_armhf.sh --dsp-only  # build and test only tests/dsp
#   tests/cross/build_armhf.sh --neon      # GB_ARMHF_NEON=ON (see the toolchain)
#   tests/cross/build_armhf.sh --all       # run every test, not only dsp
#   tests/cross/build_armhf.sh --no-test   # build only
#
# Environment: GB_CROSS_BUILD_DIR (default build-armhf, build-armhf-neon with
# --neon), GB_CROSS_JOBS (default 2), GB_CROSS_TEST_TIMEOUT (default 1800).
# Exits non-zero if configure, build or any test that ran fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

neon=OFF
tests=dsp
target=all
for arg in "$@"; do
  case "$arg" in
    --neon) neon=ON ;;
    --all) tests=all ;;
    --no-test) tests=none ;;
    --dsp-only) target=tests/dsp/all ;;
    *) echo "build_armhf: unknown argument $arg" >&2; exit 2 ;;
  esac
done
default_dir=build-armhf
[ "$neon" = ON ] && default_dir=build-armhf-neon
build_dir="${GB_CROSS_BUILD_DIR:-$default_dir}"
jobs="${GB_CROSS_JOBS:-2}"
timeout="${GB_CROSS_TEST_TIMEOUT:-1800}"

for tool in arm-linux-gnueabihf-g++ qemu-arm cmake ninja python3; do
  command -v "$tool" >/dev/null || {
    echo "build_armhf: $tool not found; install the packages in tests/cross/README.md" >&2
    exit 2
  }
done
[ -e /usr/lib/arm-linux-gnueabihf/cmake/hwy/hwy-config.cmake ] || {
  echo "build_armhf: libhwy-dev:armhf not installed (dpkg --add-architecture armhf; see tests/cross/README.md)" >&2
  exit 2
}

gen=()
[ -f "$build_dir/CMakeCache.txt" ] || gen=(-G Ninja)
start=$(date +%s)
# Tests and benchmarks stay on: they are part of "the whole tree" and must
# compile for armhf too. gtest_discover_tests runs each test binary under
# qemu-arm at build time to list its cases.
cmake -S . -B "$build_dir" "${gen[@]}" \
  -DCMAKE_TOOLCHAIN_FILE="$PWD/toolchains/arm-linux-gnueabihf.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DGB_ARMHF_NEON="$neon" \
  -DGB_BUILD_TESTS=ON -DGB_BUILD_BENCH=ON -DGB_BUILD_FUZZ=OFF
configured=$(date +%s)
cmake --build "$build_dir" -j"$jobs" --target "$target"
built=$(date +%s)

status=0
case "$tests" in
  dsp) python3 tests/cross/batch_ctest.py "$build_dir/tests/dsp" -j "$jobs" --name armhf-dsp \
         --timeout "$timeout" || status=$? ;;
  all) python3 tests/cross/batch_ctest.py "$build_dir" -j "$jobs" --name armhf \
         --timeout "$timeout" -- -LE soak || status=$? ;;
  none) ;;
esac
done_t=$(date +%s)
echo "build_armhf: GB_ARMHF_NEON=$neon target $target: configure $((configured - start))s," \
     "build $((built - configured))s, tests($tests) $((done_t - built))s," \
     "total $((done_t - start))s (exit $status)"
exit "$status"
