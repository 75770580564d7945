#!/usr/bin/env bash
# The systemd unit passes `systemd-analyze verify`. The unit names
# /usr/bin/groovebox; here it is checked against the freshly built binary
# (the only difference is the ExecStart path). Usage: verify_unit.sh UNIT BINARY
set -euo pipefail
unit="$1"; bin="$2"
if ! command -v systemd-analyze >/dev/null; then
  echo "systemd-analyze not installed: skipping"; exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sed "s|/usr/bin/groovebox|$bin|" "$unit" > "$tmp/groovebox.service"
out=$(systemd-analyze verify "$tmp/groovebox.service" 2>&1 || true)
# Lines about other units on this machine are not ours.
ours=$(printf '%s\n' "$out" | grep -F "groovebox.service" || true)
if [ -n "$ours" ]; then printf '%s\n' "$ours"; echo "FAIL: the unit has problems"; exit 1; fi
echo "groovebox.service verifies clean"
