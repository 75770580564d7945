#!/bin/bash
# Host setup for building and boot-testing the image (Debian 12, root):
# installs the Debian packages it needs (only those missing), and with
# "arm64" registers qemu-aarch64 with binfmt_misc so mmdebstrap can run an
# arm64 chroot. In a container PID 1 is not systemd, so systemd-binfmt and
# binfmt-support do nothing: mount binfmt_misc and write the rule that
# qemu-user-static ships. Its F flag makes the kernel open the interpreter
# now, so it works inside chroots without copying qemu into them.
# Usage: setup-host.sh [arm64]
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
pkgs=(mmdebstrap qemu-user-static qemu-system-x86 qemu-system-arm e2fsprogs
      dosfstools mtools fdisk smbclient bc zstd python3 ca-certificates)
"$(dirname "$0")/../.ci/install-missing" "${pkgs[@]}"
if [ "${1:-}" = arm64 ] && [ "$(uname -m)" != aarch64 ]; then
  mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || cat /usr/lib/binfmt.d/qemu-aarch64.conf > /proc/sys/fs/binfmt_misc/register
  grep -q '^flags: .*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 ||
    { echo "setup-host: qemu-aarch64 is registered without the F flag" >&2; exit 1; }
  echo "setup-host: binfmt_misc qemu-aarch64 $(head -1 /proc/sys/fs/binfmt_misc/qemu-aarch64)"
fi
