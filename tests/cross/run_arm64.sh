#!/usr/bin/env bash
# Cross-builds groovebox for arm64 with toolchains/aarch64-linux-gnu.cmake and
# runs its GoogleTest suites under qemu-aarch64 (the toolchain's
# CMAKE_CROSSCOMPILING_EMULATOR, so binfmt_misc is not needed).
#
#   tests/cross/run_arm64.sh            # full: plain ctest, one qemu per case
#   tests/cross/run_arm64.sh --ci       # CI: one qemu per test binary, no soak
#   tests/cross/run_arm64.sh -R REGEX   # extra arguments select tests (ctest)
#
# --ci runs the same cases through tests/cross/batch_ctest.py (each binary's
# cases in one process, their ctest properties kept) and leaves out the
# "soak" label, as the host suite's quick run does.
#
# Environment: GB_CROSS_BUILD_DIR (default build-arm64), GB_CROSS_JOBS
# (default 2), GB_QEMU_CPU (qemu CPU model at first configure; default
# cortex-a72 = Pi 4, NEON; "max" exercises SVE/SVE2), GB_CROSS_TEST_TIMEOUT
# (seconds for a test without its own TIMEOUT; default 900, 1800 with --ci).
# Exits non-zero if configure, build or any test fails. Needs the packages
# listed in tests/cross/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

build_dir="${GB_CROSS_BUILD_DIR:-build-arm64}"
jobs="${GB_CROSS_JOBS:-2}"
mode=full
if [ "${1:-}" = "--ci" ]; then mode=ci; shift; fi

for tool in aarch64-linux-gnu-g++ qemu-aarch64 cmake ninja python3; do
  command -v "$tool" >/dev/null || {
    echo "run_arm64: $tool not found; install the packages in tests/cross/README.md" >&2
    exit 2
  }
done
[ -e /usr/lib/aarch64-linux-gnu/cmake/hwy/hwy-config.cmake ] || {
  echo "run_arm64: libhwy-dev:arm64 not installed (dpkg --add-architecture arm64; see tests/cross/README.md)" >&2
  exit 2
}

# Tests this machine cannot run for arm64, left out loudly rather than failed:
# - EventsCli, DaemonTest, DaemonRt and RtProbe start a program themselves (popen,
#   posix_spawn), so the kernel is asked to exec an arm64 ELF directly: that
#   works only where binfmt_misc hands it to qemu (the tests do not prefix the
#   emulator; see README.md). ConfigDefaultTomlLoads likewise: its add_test
#   names $<TARGET_FILE:groovebox>, and CMake adds the emulator only to a
#   COMMAND that is the bare target name.
# - AlsaJackTest, AudioRtAllocJack and DaemonOnJack play through ALSA's jack plugin, which
#   the arm64 alsa-lib loads from libasound2-plugins:arm64; that package drags
#   in arm64 ffmpeg, PulseAudio and GTK libraries, so CI does not install it.
skip=()
if ! grep -qs '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64; then
  skip+=("${GB_CROSS_NEEDS_BINFMT:-EventsCli\.|DaemonTest\.|DaemonRt\.|RtProbe\.|ConfigDefaultTomlLoads\$}")
  echo "run_arm64: no binfmt_misc entry for qemu-aarch64: leaving out ${skip[-1]} (they exec the arm64 groovebox directly)"
fi
if [ ! -e /usr/lib/aarch64-linux-gnu/alsa-lib/libasound_module_pcm_jack.so ]; then
  skip+=("${GB_CROSS_NEEDS_ALSA_JACK:-AlsaJackTest\.|AudioRtAllocJack\.|DaemonOnJack\.}")
  echo "run_arm64: no arm64 ALSA jack plugin (libasound2-plugins:arm64): leaving out ${skip[-1]}"
fi
select=()
if [ ${#skip[@]} -gt 0 ]; then
  select=(-E "^($(IFS='|'; echo "${skip[*]}"))")
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
  python3 tests/cross/batch_ctest.py "$build_dir" -j "$jobs" --name arm64 \
    --timeout "${GB_CROSS_TEST_TIMEOUT:-1800}" -- "${select[@]}" -LE soak "$@" || status=$?
else
  ctest --test-dir "$build_dir" -j"$jobs" --output-on-failure \
    --timeout "${GB_CROSS_TEST_TIMEOUT:-900}" "${select[@]}" "$@" || status=$?
fi
done_t=$(date +%s)
echo "run_arm64: $mode: configure $((configured - start))s, build $((built - configured))s," \
     "tests $((done_t - built))s, total $((done_t - start))s (exit $status)"
exit "$status"
