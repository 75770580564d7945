#!/bin/bash
# Build the groovebox appliance root file system (a directory) with
# mmdebstrap, from Debian's mirror only, with the groovebox .deb installed.
# No loop devices, no mounts (mmdebstrap --mode=root chroots into OUTDIR).
#
# Usage: build-rootfs.sh ARCH OUTDIR DEB [rpi]
#   ARCH    amd64 | arm64 (arm64 on x86-64 needs qemu-user-static and a
#           registered binfmt_misc handler: setup-host.sh does both)
#   OUTDIR  must not exist or be empty
#   DEB     the groovebox package for ARCH (image/deb/build-deb.sh)
#   rpi     arm64 only: also install raspi-firmware, whose kernel hooks fill
#           /boot/firmware (GPU firmware, DTBs, kernel, initrd, config.txt,
#           cmdline.txt) for make-rpi-image.sh
# Env: MIRROR, SECMIRROR (default deb.debian.org).
set -euo pipefail
# Debian's own tools first: mmdebstrap runs mmtarfilter (#!/usr/bin/env
# python3) once per package, and a python3 shim earlier in PATH (pyenv) made
# that many times slower here.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
ARCH=${1:?arch}; OUT=${2:?outdir}; DEB=${3:?groovebox .deb}; FLAVOUR=${4:-}
HERE=$(cd "$(dirname "$0")" && pwd)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECMIRROR=${SECMIRROR:-http://deb.debian.org/debian-security}
DEB=$(readlink -f "$DEB"); [ -f "$DEB" ] || { echo "no such .deb: $DEB" >&2; exit 2; }
mkdir -p "$(dirname "$OUT")"   # mmdebstrap wants the parent to exist

case $ARCH in
  # The full kernel, not linux-image-cloud-amd64: the cloud one has no sound
  # drivers at all. amd64 is for the qemu boot test (and x86 mini PCs).
  amd64) KPKG=linux-image-amd64
         IMODS="virtio_pci virtio_blk ext4 crc32c_generic" ;;
  # The kernel Debian boots on the Pi 3/4. The initramfs module list covers
  # qemu virt (virtio), the Pi SD card (sdhci_iproc: Pi 4 emmc2; bcm2835:
  # Pi 3 sdhost) and Pi 4 USB boot. UNVERIFIED on real hardware.
  arm64) KPKG=linux-image-arm64
         IMODS="virtio_pci virtio_mmio virtio_blk ext4 crc32c_generic sdhci_iproc bcm2835 pcie_brcmstb reset_raspberrypi xhci_pci usb_storage uas" ;;
  *) echo "unknown arch $ARCH" >&2; exit 2 ;;
esac
[ "$FLAVOUR" = rpi ] && [ "$ARCH" != arm64 ] && { echo "rpi needs arm64" >&2; exit 2; }

PKGS="systemd-sysv,udev,dbus,kmod,e2fsprogs,fdisk,zstd,busybox,initramfs-tools,$KPKG"
PKGS="$PKGS,iproute2,procps,alsa-utils,samba,avahi-daemon,libnss-mdns,openssh-server"
COMPONENTS=main
HOOKS=()
# The kernel command line of the Pi (the qemu tests pass their own):
# read-only root, CPU governor performance from the start.
if [ "$FLAVOUR" = rpi ]; then
  PKGS="$PKGS,raspi-firmware,dosfstools"
  COMPONENTS="main non-free-firmware"
  # raspi-firmware's settings (a conffile: append after install), then re-run
  # its kernel hook so config.txt/cmdline.txt in /boot/firmware are redone.
  HOOKS+=(--customize-hook='printf "ROOTPART=LABEL=gbx-root\nCONSOLES=\"tty0 ttyS1,115200\"\n" >> "$1/etc/default/raspi-firmware"')
  HOOKS+=(--customize-hook='echo "ro cpufreq.default_governor=performance" > "$1/etc/default/raspi-extra-cmdline"')
  HOOKS+=(--customize-hook='chroot "$1" env DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware')
fi

# initramfs: MODULES=list with the list above. Debian's MODULES=most takes
# ~8 min per mkinitramfs under qemu-user (and runs twice); the list ~40 s.
# conf.d/ and modules.d/ are not conffiles: written before the install.
mmdebstrap --mode=root --variant=apt --architectures="$ARCH" \
  --include="$PKGS" --include="$DEB" \
  --hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount \
  --aptopt='Acquire::Languages "none"' \
  --aptopt='APT::Install-Recommends "false"' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --setup-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d"' \
  --setup-hook='printf "COMPRESS=zstd\nMODULES=list\nFSTYPE=ext4\n" > "$1/etc/initramfs-tools/conf.d/groovebox"' \
  --setup-hook="printf '%s\n' $IMODS > \"\$1/usr/share/initramfs-tools/modules.d/groovebox\"" \
  --customize-hook="sync-in '$HERE/overlay' /" \
  --customize-hook="$HERE/customize-rootfs.sh \"\$1\"" \
  "${HOOKS[@]}" \
  bookworm "$OUT" \
  "deb $MIRROR bookworm $COMPONENTS" \
  "deb $MIRROR bookworm-updates $COMPONENTS" \
  "deb $SECMIRROR bookworm-security $COMPONENTS"
