#!/usr/bin/env bash
# Install test of the groovebox package in a fresh, minimal Debian 12 chroot.
#
#   image/deb/test-deb-chroot.sh DEB        (as root)
#
# mmdebstrap builds a bookworm chroot (variant apt: essential packages + apt)
# from Debian's mirror into a temporary directory; inside it, in mmdebstrap's
# customize hooks (which mount /dev, /proc and /sys for us), chroot-checks.sh
# installs DEB with apt-get so its Depends come from the mirror, checks user,
# files, conffiles and unit, plays the default scene as the groovebox user on
# the silent clock, then removes and purges the package. Each check prints
# PASS or FAIL; the exit status is non-zero on any failure. Nothing is cached;
# the chroot is deleted at the end (GB_KEEP_CHROOT=1 keeps it).
# MIRROR / SECMIRROR override the mirrors. DEB's architecture must run here
# (amd64 on amd64; arm64 only with a qemu-aarch64 binfmt handler).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 groovebox_VERSION_ARCH.deb" >&2; exit 2; }
deb=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$deb" ] || { echo "test-deb-chroot: no such file $1" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "test-deb-chroot: needs root (mmdebstrap --mode=root)" >&2; exit 2; }
command -v mmdebstrap >/dev/null || { echo "test-deb-chroot: apt-get install mmdebstrap" >&2; exit 2; }
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECMIRROR=${SECMIRROR:-http://deb.debian.org/debian-security}
arch=$(dpkg-deb -f "$deb" Architecture)
name=$(basename "$deb")

t0=$(date +%s.%N); t0s=${t0%.*}
work=$(mktemp -d "${TMPDIR:-/tmp}/gb-deb-chroot.XXXXXX")
cleanup() { if [ "${GB_KEEP_CHROOT:-0}" = 1 ]; then echo "chroot kept in $work/root"; else rm -rf "$work"; fi; }
trap cleanup EXIT

echo "== mmdebstrap bookworm ($arch, variant apt) into $work/root, then the checks inside"
mmdebstrap --mode=root --variant=apt --architectures="$arch" --quiet \
  --dpkgopt=force-unsafe-io \
  --aptopt='Acquire::Languages "none"' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --customize-hook="echo \"== [+\$(( \$(date +%s) - $t0s )) s] base chroot ready\"" \
  --customize-hook="copy-in '$deb' '$here/chroot-checks.sh' /root" \
  --customize-hook="chroot \"\$1\" /bin/bash /root/chroot-checks.sh '/root/$name'; echo \$? > \"\$1/root/checks.rc\"" \
  bookworm "$work/root" \
  "deb $MIRROR bookworm main" \
  "deb $MIRROR bookworm-updates main" \
  "deb $SECMIRROR bookworm-security main"

rc=$(cat "$work/root/root/checks.rc" 2>/dev/null || echo 99)
t1=$(date +%s.%N)
printf 'test-deb-chroot: %s in %.0f s (chroot build, install, checks, remove, purge)\n' \
  "$([ "$rc" = 0 ] && echo PASS || echo "FAIL ($rc failed checks)")" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')"
[ "$rc" = 0 ]
