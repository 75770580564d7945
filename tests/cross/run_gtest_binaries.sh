#!/usr/bin/env bash
# Runs every GoogleTest binary that a cross build registered with ctest ONCE,
# under the toolchain's emulator, instead of once per test case as ctest does.
# Same cases, same working directories; far fewer qemu start-ups, and suite
# fixtures (the shared sample library, the built-in kits) are built once per
# binary instead of once per case. This is what `run_arm64.sh --ci` uses.
#
#   tests/cross/run_gtest_binaries.sh BUILD_DIR [SUBDIR]
#
# SUBDIR limits the run to binaries registered under BUILD_DIR/SUBDIR (e.g.
# tests/dsp). Environment: GB_CROSS_JOBS (parallel binaries, default 2),
# GB_CROSS_GTEST_FILTER (passed as --gtest_filter, default all),
# GB_CROSS_TEST_TIMEOUT (per binary, seconds, default 1800).
# Prints each binary's wall time, the output of failing ones, and a closing
# "N passed, N failed, N skipped" line counting test cases (gtest cases plus
# the plain ctest tests); exits non-zero on any failure.
set -euo pipefail

build_dir="${1:?usage: run_gtest_binaries.sh BUILD_DIR [SUBDIR]}"
subdir="${2:-}"
jobs="${GB_CROSS_JOBS:-2}"
filter="${GB_CROSS_GTEST_FILTER:-*}"
timeout_s="${GB_CROSS_TEST_TIMEOUT:-1800}"
build_dir="$(cd "$build_dir" && pwd)"

emu=$(sed -n 's/^GB_CROSS_EMULATOR:INTERNAL=//p' "$build_dir/CMakeCache.txt")
[ -n "$emu" ] || { echo "run_gtest_binaries: no GB_CROSS_EMULATOR in $build_dir (not a cross build?)" >&2; exit 2; }
export GB_RUN_EMU="$emu" GB_RUN_FILTER="$filter" GB_RUN_TIMEOUT="$timeout_s"

# From ctest's listing: "G<TAB>binary<TAB>working directory" for each distinct
# gtest binary, and "N<TAB>name" for every test that is not a gtest case
# (plain add_test commands); those still run through ctest below.
listing=$(ctest --test-dir "$build_dir/$subdir" -N -V | awk '
  /^[0-9]+: Test command: / {
    bin = ""
    if (match($0, /"[^"]*" "--gtest_filter=/)) bin = substr($0, RSTART + 1, RLENGTH - 19)
    next }
  /^[0-9]+: Working Directory: / { sub(/^[0-9]+: Working Directory: /, ""); wd = $0; next }
  /^ *Test +#[0-9]+: / {
    name = $0; sub(/^ *Test +#[0-9]+: /, "", name)
    if (bin != "") print "G\t" bin "\t" wd; else print "N\t" name
    bin = "" }
' | sort -u)
list=$(printf '%s\n' "$listing" | sed -n 's/^G\t//p')
others=$(printf '%s\n' "$listing" | sed -n 's/^N\t//p')
[ -n "$list" ] || { echo "run_gtest_binaries: no gtest binaries registered under $build_dir/$subdir" >&2; exit 2; }

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
export GB_RUN_LOGS="$logs"

run_one() {
  local bin="${1%%$'\t'*}" wd="${1#*$'\t'}" name t0 rc=0
  name=$(basename "$bin")
  IFS=';' read -r -a emu_argv <<<"$GB_RUN_EMU"
  t0=$(date +%s)
  (cd "$wd" && timeout "$GB_RUN_TIMEOUT" "${emu_argv[@]}" "$bin" \
      --gtest_filter="$GB_RUN_FILTER" --gtest_brief=1) >"$GB_RUN_LOGS/$name.log" 2>&1 || rc=$?
  echo "$rc $(( $(date +%s) - t0 ))" >"$GB_RUN_LOGS/$name.rc"
  printf '%-32s %s (%ss)\n' "$name" "$([ "$rc" -eq 0 ] && echo ok || echo "FAILED rc=$rc")" \
    "$(( $(date +%s) - t0 ))"
}
export -f run_one

printf '%s\n' "$list" | xargs -d '\n' -P "$jobs" -I{} bash -c 'run_one "$1"' _ {}

passed=0 failed=0 skipped=0 bad=0
for rcf in "$logs"/*.rc; do
  name=$(basename "$rcf" .rc)
  read -r rc _ <"$rcf"
  log="$logs/$name.log"
  p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\{0,1\}\..*/\1/p' "$log" | tail -1)
  f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\{0,1\}, listed below.*/\1/p' "$log" | tail -1)
  k=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) tests\{0,1\}[,.].*/\1/p' "$log" | tail -1)
  passed=$((passed + ${p:-0}))
  skipped=$((skipped + ${k:-0}))
  failed=$((failed + ${f:-0}))
  if [ "$rc" -ne 0 ]; then
    bad=1
    # A crash or timeout leaves no gtest summary: count the binary as one failure.
    [ -n "$f" ] || failed=$((failed + 1))
    echo "---- $name (exit $rc) ----"
    tail -n 60 "$log"
  fi
done
# Tests that are not gtest cases (scripts, the groovebox CLI): through ctest,
# which prefixes the emulator for target executables itself.
if [ -n "$others" ]; then
  regex="^($(printf '%s\n' "$others" | sed 's/[][\.*^$+?(){}|]/\\&/g' | paste -sd'|'))\$"
  ctest_log="$logs/ctest-others.log"
  if ctest --test-dir "$build_dir/$subdir" -j"$jobs" --output-on-failure \
       --timeout "$timeout_s" -R "$regex" >"$ctest_log" 2>&1; then :; else bad=1; tail -n 80 "$ctest_log"; fi
  n_all=$(sed -n 's/.* tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\)$/\1 \2/p' "$ctest_log" | tail -1)
  if [ -n "$n_all" ]; then
    read -r nf nt <<<"$n_all"
    ns=$(grep -c '\*\*\*Skipped\|Not Run' "$ctest_log" || true)
    passed=$((passed + nt - nf - ns)); failed=$((failed + nf)); skipped=$((skipped + ns))
  fi
  grep -E 'Passed|Failed|Not Run|\*\*\*Skipped' "$ctest_log" | sed 's/  *\.\.\.*/ /' || true
fi
echo "$(basename "$build_dir"): $passed passed, $failed failed, $skipped skipped"
exit "$bad"
