#!/usr/bin/env bash
# Short, bounded fuzz run of the pattern engine (CI): builds the libFuzzer
# targets in their own build dir with clang++ and runs each for a fixed time.
# Exits non-zero if any fuzzer found a crash, sanitizer error, leak, timeout
# or out-of-memory; the reproducer is left under <build>/fuzz-artifacts/.
#
# usage: tests/fuzz/run_short.sh [SECONDS_PER_FUZZER]   (default 60)
# env:   GB_FUZZ_BUILD_DIR (default <repo>/build-fuzz), GB_FUZZ_JOBS (build jobs, 2)
set -euo pipefail

secs="${1:-60}"
if ! [[ "$secs" =~ ^[0-9]+$ ]] || [ "$secs" -lt 1 ]; then
  echo "run_short.sh: SECONDS_PER_FUZZER must be a positive whole number" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${GB_FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs="${GB_FUZZ_JOBS:-2}"

generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
cmake -S "$root" -B "$build" "${generator[@]}" \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DGB_BUILD_FUZZ=ON -DGB_BUILD_TESTS=OFF -DGB_BUILD_BENCH=OFF
cmake --build "$build" -j"$jobs" --target mini_fuzz transform_fuzz ph_fuzz

# UBSan stops at the first report (the targets are built with
# -fno-sanitize-recover) and prints a stack; ASan checks leaks at exit.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"

status=0
for name in mini transform ph; do
  bin="$build/tests/fuzz/${name}_fuzz"
  work="$build/fuzz-corpus/$name"        # new inputs go here, not into the repo
  artifacts="$build/fuzz-artifacts/$name/"
  mkdir -p "$work" "$artifacts"
  echo "== ${name}_fuzz for ${secs}s (corpus $work + tests/fuzz/corpus/$name)"
  # Every past finding is replayed first: it must stay fixed.
  for repro in "$root"/tests/fuzz/regressions/"$name"-*; do
    [ -e "$repro" ] || continue
    if ! "$bin" "$repro" >/dev/null 2>&1; then
      echo "!! ${name}_fuzz: regression $repro is back" >&2
      status=1
    fi
  done
  dict=()
  [ -f "$root/tests/fuzz/$name.dict" ] && dict=(-dict="$root/tests/fuzz/$name.dict")
  if ! "$bin" -max_total_time="$secs" -max_len=4096 -timeout=5 -rss_limit_mb=2048 \
        "${dict[@]}" -artifact_prefix="$artifacts" \
        -print_final_stats=1 "$work" "$root/tests/fuzz/corpus/$name"; then
    echo "!! ${name}_fuzz found a problem; reproducer(s):" >&2
    ls -1 "$artifacts" >&2 || true
    status=1
  fi
done
if [ "$status" -ne 0 ]; then
  echo "run_short.sh: FAILED (replay with: <build>/tests/fuzz/<name>_fuzz <reproducer>)" >&2
else
  echo "run_short.sh: no findings"
fi
exit "$status"
