#!/bin/bash
# Turn a rootfs directory into the two ext4 file systems of the appliance,
# without mounting anything (mkfs.ext4 -d copies files, owners, modes, xattrs):
#   OUT/root.ext4  label gbx-root: the system, mounted read-only; its
#                  /var/lib/groovebox and /boot/firmware are empty mount points
#   OUT/data.ext4  label gbx-data: what the rootfs had in /var/lib/groovebox
#                  (patterns/ with the default scene, samples/), mounted
#                  read-write at /var/lib/groovebox
# Usage: make-ext4-images.sh ROOTFS OUTDIR [DATA_MB]   (DATA_MB default 128;
#        the first boot on a card grows it to the end of the card)
set -euo pipefail
ROOTFS=$(readlink -f "${1:?rootfs dir}"); OUT=${2:?outdir}; DATA_MB=${3:-128}
mkdir -p "$OUT"
aside=$(mktemp -d "$OUT/.aside.XXXX")
# Move the data partition's contents (and the Pi's FAT contents, which
# make-rpi-image.sh takes from the rootfs) aside while mkfs reads the tree,
# and always put them back.
restore() {
  [ -d "$aside/data" ] && { rmdir "$ROOTFS/var/lib/groovebox"; mv "$aside/data" "$ROOTFS/var/lib/groovebox"; }
  [ -d "$aside/fw" ] && { rmdir "$ROOTFS/boot/firmware"; mv "$aside/fw" "$ROOTFS/boot/firmware"; }
  rmdir "$aside"
}
trap restore EXIT
mv "$ROOTFS/var/lib/groovebox" "$aside/data"
mkdir -m 0755 "$ROOTFS/var/lib/groovebox"
if [ -d "$ROOTFS/boot/firmware" ]; then
  mv "$ROOTFS/boot/firmware" "$aside/fw"; mkdir -m 0755 "$ROOTFS/boot/firmware"
fi
# Root: used space + 10% + 48 MiB (ext4 metadata, journal); no reserved blocks
# (nothing writes to it).
used_mb=$(du -sxm "$ROOTFS" | cut -f1)
size_mb=$(( used_mb * 110 / 100 + 48 ))
rm -f "$OUT/root.ext4" "$OUT/data.ext4"
mkfs.ext4 -q -L gbx-root -b 4096 -m 0 -d "$ROOTFS" \
  -E lazy_itable_init=0,lazy_journal_init=0 "$OUT/root.ext4" "${size_mb}M"
# Data: 4 KiB blocks (mke2fs would pick 1 KiB for a small file system, bad
# once it is grown to the size of the card), 1% reserved.
mkfs.ext4 -q -L gbx-data -b 4096 -m 1 -T default -d "$aside/data" \
  -E lazy_itable_init=0,lazy_journal_init=0 "$OUT/data.ext4" "${DATA_MB}M"
trap - EXIT; restore
echo "root.ext4: ${size_mb} MiB (rootfs ${used_mb} MiB); data.ext4: ${DATA_MB} MiB: $(debugfs -R 'ls /patterns' "$OUT/data.ext4" 2>/dev/null | tr -s ' \n' ' ')"
