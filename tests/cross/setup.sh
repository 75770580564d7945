#!/usr/bin/env bash
# Installs what the arm64 cross build and its tests under qemu need (Debian
# packages only, only those missing), and registers qemu-aarch64 with
# binfmt_misc so the tests that exec the arm64 groovebox themselves
# (EventsCli, DaemonTest, ConfigDefaultTomlLoads) run too.
#   tests/cross/setup.sh            # arm64
# Root or sudo. See README.md here for why each package is there.
set -euo pipefail
cd "$(dirname "$0")/../.."
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
./.ci/setup
dpkg --print-foreign-architectures | grep -qx arm64 || $SUDO dpkg --add-architecture arm64
pkgs=(g++-aarch64-linux-gnu qemu-user qemu-user-static python3 nlohmann-json3-dev
      libhwy-dev:arm64 libasound2-dev:arm64 libgpiod-dev:arm64 libsndfile1-dev:arm64
      libsamplerate0-dev:arm64 libtomlplusplus-dev:arm64 libgtest-dev:arm64 libgmock-dev:arm64)
.ci/install-missing "${pkgs[@]}"
# In a container PID 1 is not systemd, so nothing registers binfmt_misc by
# itself: mount it and write the rule qemu-user-static ships.
if [ "$(uname -m)" != aarch64 ] && [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  mountpoint -q /proc/sys/fs/binfmt_misc || $SUDO mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || true
  if [ -w /proc/sys/fs/binfmt_misc/register ] || [ -n "$SUDO" ]; then
    $SUDO sh -c 'cat /usr/lib/binfmt.d/qemu-aarch64.conf > /proc/sys/fs/binfmt_misc/register' || true
  fi
fi
if grep -qs '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64; then
  echo "tests/cross/setup.sh: binfmt_misc qemu-aarch64 enabled"
else
  echo "tests/cross/setup.sh: no binfmt_misc for qemu-aarch64 here: run_arm64.sh will name the tests it leaves out"
fi
