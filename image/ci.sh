#!/bin/bash
# What CI runs for the image: builds the groovebox .deb, the appliance rootfs
# and its ext4 file systems for amd64 and arm64 (the arm64 one is the
# Raspberry Pi rootfs, raspi-firmware included), and boot-tests each on qemu
# virt (TCG). With --pi it also assembles the Raspberry Pi SD image and
# boot-tests it on qemu's raspi3b. Root, Debian 12; only Debian's mirror.
#
# Usage: image/ci.sh [--pi] [WORKDIR]     (WORKDIR default image/out/ci)
# The .deb files: GB_DEB_AMD64 / GB_DEB_ARM64 if set, else built with
# image/deb/build-deb.sh (incremental in build-deb-ARCH/: cheap when
# image/deb/ci.sh, which also installs the build and cross-build packages,
# ran before in the same checkout).
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
PI=""; [ "${1:-}" = --pi ] && { PI=1; shift; }
HERE=$(cd "$(dirname "$0")" && pwd)
WD=${1:-$HERE/out/ci}
mkdir -p "$WD"; WD=$(cd "$WD" && pwd)
t0=$(date +%s)
t() { local s; s=$(date +%s); "$@"; echo "TIMING $(( $(date +%s) - s )) s: $(basename "$1") ${*:2}" | sed "s|$WD/||g" | cut -c1-120; }

t "$HERE/setup-host.sh" arm64
for arch in amd64 arm64; do
  var=GB_DEB_${arch^^}
  if [ -n "${!var:-}" ]; then deb=${!var}
  else
    s=$(date +%s); deb=$("$HERE/deb/build-deb.sh" "$arch" "$WD/deb" 2>"$WD/build-deb-$arch.log") ||
      { tail -20 "$WD/build-deb-$arch.log"; exit 1; }
    echo "TIMING $(( $(date +%s) - s )) s: build-deb.sh $arch -> $(basename "$deb")"
  fi
  flavour=""; [ "$arch" = arm64 ] && flavour=rpi
  rm -rf "$WD/rootfs-$arch" "$WD/img-$arch"
  t "$HERE/build-rootfs.sh" "$arch" "$WD/rootfs-$arch" "$deb" $flavour
  t "$HERE/make-ext4-images.sh" "$WD/rootfs-$arch" "$WD/img-$arch"
  t "$HERE/boot-test.sh" "$arch" "$WD/img-$arch" "$WD/rootfs-$arch"
done
if [ -n "$PI" ]; then
  t "$HERE/make-rpi-image.sh" "$WD/rootfs-arm64" "$WD/groovebox-rpi.img"
  t "$HERE/boot-test.sh" rpi3 "$WD/groovebox-rpi.img"
fi
echo "image/ci.sh: ALL PASSED in $(( $(date +%s) - t0 )) s"
