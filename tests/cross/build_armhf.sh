#!/usr/bin/env bash
# Cross-builds the whole groovebox tree for armhf with
# toolchains/arm-linux-gnueabihf.cmake, then runs the dsp/ test suites under
# qemu-arm (through the toolchain's CMAKE_CROSSCOMPILING_EMULATOR, no binfmt).
#
#   tests/cross/build_armhf.sh            # build everything, run dsp tests
#   tests/cross/build_armhf.sh --neon     # same with GB_ARMHF_NEON=ON
#   tests/cross/build_armhf.sh --all      # run every test, not only dsp
#   tests/cross/build_armhf.sh --no-test  # build only
#
# Environment: GB_CROSS_BUILD_DIR (default build-armhf, build-armhf-neon with
# --neon), GB_CROSS_JOBS (default 2), GB_CROSS_TEST_TIMEOUT (default 900).
# Exits non-zero if configure, build or any test that ran fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

neon=OFF
tests=dsp
for arg in "$@"; do
  case "$arg" in
    --neon) neon=ON ;;
    --all) tests=all ;;
    --no-test) tests=none ;;
    *) echo "build_armhf: unknown argument $arg" >&2; exit 2 ;;
  esac
done
default_dir=build-armhf
[ "$neon" = ON ] && default_dir=build-armhf-neon
build_dir="${GB_CROSS_BUILD_DIR:-$default_dir}"
jobs="${GB_CROSS_JOBS:-2}"
timeout="${GB_CROSS_TEST_TIMEOUT:-900}"

for tool in arm-linux-gnueabihf-g++ qemu-arm cmake ninja; do
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
# Tests stay on even with --no-test: the test programs are part of "the whole
# tree" and must compile for armhf too. gtest_discover_tests runs each test
# binary under qemu-arm at build time to list its cases.
cmake -S . -B "$build_dir" "${gen[@]}" \
  -DCMAKE_TOOLCHAIN_FILE="$PWD/toolchains/arm-linux-gnueabihf.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DGB_ARMHF_NEON="$neon" \
  -DGB_BUILD_TESTS=ON -DGB_BUILD_BENCH=ON -DGB_BUILD_FUZZ=OFF
configured=$(date +%s)
cmake --build "$build_dir" -j"$jobs"
built=$(date +%s)

status=0
case "$tests" in
  dsp) ctest --test-dir "$build_dir/tests/dsp" -j"$jobs" --output-on-failure \
         --timeout "$timeout" || status=$? ;;
  all) ctest --test-dir "$build_dir" -j"$jobs" --output-on-failure \
         --timeout "$timeout" || status=$? ;;
  none) ;;
esac
done_t=$(date +%s)
echo "build_armhf: GB_ARMHF_NEON=$neon configure $((configured - start))s," \
     "build $((built - configured))s, ctest($tests) $((done_t - built))s," \
     "total $((done_t - start))s (exit $status)"
exit "$status"
