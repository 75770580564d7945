#!/usr/bin/env bash
# What CI runs for the Debian package (issue #5):
#   image/deb/ci.sh [OUTDIR]           (root, or sudo; OUTDIR default build-deb-out)
# 1. installs what is missing (Debian packages only, idempotent, like .ci/setup):
#    the build dependencies via .ci/setup, the arm64 cross toolchain and arm64
#    multiarch -dev packages (tests/cross/README.md), dpkg-dev, fakeroot, mmdebstrap;
# 2. builds groovebox_<version>_amd64.deb and _arm64.deb with build-deb.sh;
# 3. lints both: control fields (Package, Version, Architecture, Depends from
#    dpkg-shlibdeps), maintainer scripts and conffiles, the file list, and the
#    ELF machine of the packaged binary;
# 4. installs the amd64 one into a fresh chroot: test-deb-chroot.sh.
# Prints each step's time.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/image/deb"
outdir=${1:-"$root/build-deb-out"}
cd "$root"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
step_t0=$(date +%s)
step() { local now; now=$(date +%s); echo "== [$((now - step_t0)) s] $*"; }
t_all=$(date +%s)

step "setup"
./.ci/setup
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
fi
pkgs=(dpkg-dev fakeroot file mmdebstrap g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
      libhwy-dev:arm64 libasound2-dev:arm64 libgpiod-dev:arm64 libsndfile1-dev:arm64
      libsamplerate0-dev:arm64 libtomlplusplus-dev:arm64 nlohmann-json3-dev)
.ci/install-missing "${pkgs[@]}"

version=$(sed -n 's/^project(groovebox VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
declare -A deb
for arch in amd64 arm64; do
  step "build-deb.sh $arch"
  deb[$arch]=$("$here/build-deb.sh" "$arch" "$outdir")
  echo "built ${deb[$arch]}"
done

fails=0
lint() {  # lint ARCH DEB
  local arch=$1 f=$2 ok=1 tmp machine want dep ctrl contents files
  t() { local what=$1; shift; if "$@" >/dev/null 2>&1; then echo "PASS: $arch: $what"; else echo "FAIL: $arch: $what"; ok=0; fi; }
  has_line() { printf '%s\n' "$1" | grep -qx -- "$2"; }
  t "file name groovebox_${version}_${arch}.deb" test "$(basename "$f")" = "groovebox_${version}_${arch}.deb"
  t "Package: groovebox" test "$(dpkg-deb -f "$f" Package)" = groovebox
  t "Version: $version (project version)" test "$(dpkg-deb -f "$f" Version)" = "$version"
  t "Architecture: $arch" test "$(dpkg-deb -f "$f" Architecture)" = "$arch"
  dep=$(dpkg-deb -f "$f" Depends | tr ',' '\n' | sed 's/^ *//; s/[ (].*//')
  echo "      Depends: $(dpkg-deb -f "$f" Depends)"
  for d in libc6 libstdc++6 libasound2 libsndfile1 libsamplerate0 libgpiod2 adduser systemd init-system-helpers; do
    t "Depends on $d" has_line "$dep" "$d"
  done
  ctrl=$(dpkg-deb --ctrl-tarfile "$f" | tar -tv | awk '{print $1, $6}')
  for s in postinst prerm postrm; do
    t "maintainer script $s (0755)" has_line "$ctrl" "-rwxr-xr-x ./$s"
  done
  t "conffiles: /etc/groovebox/{groovebox.toml,smb-groovebox.conf}" test \
    "$(dpkg-deb --ctrl-tarfile "$f" | tar -xO ./conffiles | sort | tr '\n' ' ')" = \
    "/etc/groovebox/groovebox.toml /etc/groovebox/smb-groovebox.conf "
  contents=$(dpkg-deb --contents "$f")
  files=$(printf '%s\n' "$contents" | awk '{print $6}')
  for p in ./usr/bin/groovebox ./etc/groovebox/groovebox.toml ./etc/groovebox/smb-groovebox.conf \
           ./lib/systemd/system/groovebox.service ./usr/share/groovebox/default.ph \
           ./lib/udev/rules.d/60-groovebox-gpio.rules ./usr/share/doc/groovebox/copyright; do
    t "contains $p" has_line "$files" "$p"
  done
  t "ships nothing under /var/lib/groovebox (postinst makes it)" test -z "$(printf '%s\n' "$files" | grep '^\./var/lib/groovebox')"
  t "/usr/bin/groovebox root/root 0755" has_line "$(printf '%s\n' "$contents" | awk '{print $1, $2, $6}')" "-rwxr-xr-x root/root ./usr/bin/groovebox"
  # ELF e_machine (bytes 18-19, little endian): 62 x86-64, 183 AArch64.
  tmp=$(mktemp); dpkg-deb --fsys-tarfile "$f" | tar -xO ./usr/bin/groovebox > "$tmp"
  machine=$(od -An -tu2 -j18 -N2 "$tmp" | tr -d ' ')
  case $arch in amd64) want=62 ;; arm64) want=183 ;; esac
  t "binary ELF machine $machine, want $want ($(file -b "$tmp" | cut -d, -f1-2))" test "$machine" = "$want"
  rm -f "$tmp"
  [ $ok = 1 ] || fails=$((fails + 1))
}
for arch in amd64 arm64; do
  step "lint ${deb[$arch]}"
  lint "$arch" "${deb[$arch]}"
done

step "test-deb-chroot.sh ${deb[amd64]}"
$SUDO "$here/test-deb-chroot.sh" "${deb[amd64]}" || fails=$((fails + 1))

step "done in $(( $(date +%s) - t_all )) s: $([ $fails = 0 ] && echo PASS || echo "FAIL ($fails failed)")"
[ $fails = 0 ]
