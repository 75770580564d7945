#!/usr/bin/env bash
# Cross-builds groovebox for arm64 with toolchains/aarch64-linux-gnu.cmake and
# runs its GoogleTest suites under qemu-aarch64 (the toolchain's
# CMAKE_CROSSCOMPILING_EMULATOR, so binfmt_misc is not needed).
#
#   tests/cross/run_arm64.sh            # full: ctest, one qemu process per case
#   tests/cross/run_arm64.sh --ci       # CI: every binary once (same cases)
#   tests/cross/run_arm64.sh -R REGEX   # full mode; extra arguments go to ctest
#
# Environment: GB_CROSS_BUILD_DIR (default build-arm64), GB_CROSS_JOBS
# (default 2), GB_QEMU_CPU (qemu CPU model at first configure; default
# cortex-a72 = Pi 4, NEON; "max" exercises SVE/SVE2), GB_CROSS_TEST_TIMEOUT
# (seconds per ctest case, or per binary with --ci).
# Exits non-zero if configure, build or any test fails. Needs the packages
# listed in tests/cross/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

build_dir="${GB_CROSS_BUILD_DIR:-build-arm64}"
jobs="${GB_CROSS_JOBS:-2}"
mode=full
if [ "${1:-}" = "--ci" ]; then mode=ci; shift; fi

for tool in aarch64-linux-gnu-g++ qemu-aarch64 cmake ninja; do
  command -v "$tool" >/dev/null || {
    echo "run_arm64: $tool not found; install the packages in tests/cross/README.md" >&2
    exit 2
  }
done
[ -e /usr/lib/aarch64-linux-gnu/cmake/hwy/hwy-config.cmake ] || {
  echo "run_arm64: libhwy-dev:arm64 not installed (dpkg --add-architecture arm64; see tests/cross/README.md)" >&2
  exit 2
}

# EventsCli runs the groovebox binary through popen(), i.e. /bin/sh execs an
# arm64 ELF directly: that only works when binfmt_misc hands it to qemu. The
# test does not prefix the emulator yet (see README.md), so without binfmt
# those cases are skipped here, loudly, instead of failing on "Exec format
# error".
skip_regex='^EventsCli\.'
skip_filter='-EventsCli.*'
if grep -qs '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64; then
  skip_regex='^$'; skip_filter='*'
else
  echo "run_arm64: no binfmt_misc entry for qemu-aarch64: skipping EventsCli.* (it execs the arm64 groovebox via /bin/sh)"
fi

gen=()
[ -f "$build_dir/CMakeCache.txt" ] || gen=(-G Ninja)
start=$(date +%s)
cmake -S . -B "$build_dir" "${gen[@]}" \
  -DCMAKE_TOOLCHAIN_FILE="$PWD/toolchains/aarch64-linux-gnu.cmake" \
  -DCMAKE_BUILD_TYPE=Release \
  -DGB_BUILD_TESTS=ON -DGB_BUILD_BENCH=OFF -DGB_BUILD_FUZZ=OFF
configured=$(date +%s)
cmake --build "$build_dir" -j"$jobs"
built=$(date +%s)

status=0
if [ "$mode" = ci ]; then
  GB_CROSS_JOBS="$jobs" GB_CROSS_GTEST_FILTER="${GB_CROSS_GTEST_FILTER:-$skip_filter}" \
    tests/cross/run_gtest_binaries.sh "$build_dir" || status=$?
else
  ctest --test-dir "$build_dir" -j"$jobs" --output-on-failure \
    --timeout "${GB_CROSS_TEST_TIMEOUT:-900}" -E "$skip_regex" "$@" || status=$?
fi
done_t=$(date +%s)
echo "run_arm64: $mode: configure $((configured - start))s, build $((built - configured))s," \
     "tests $((done_t - built))s, total $((done_t - start))s (exit $status)"
exit "$status"
