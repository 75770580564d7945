#!/bin/bash
# Assemble the Raspberry Pi SD-card image from an arm64 rootfs built with
# `build-rootfs.sh arm64 DIR DEB rpi`, without loop devices or mounts:
#   p1 FAT32 (0x0c) RASPIFIRM -> /boot/firmware (mkfs.vfat -C + mtools mcopy)
#   p2 ext4  gbx-root         -> /               read-only
#   p3 ext4  gbx-data         -> /var/lib/groovebox (patterns, samples, state;
#                                grown to the end of the card at first boot)
# Partition images are laid into one file with sfdisk + dd conv=notrunc.
# Usage: make-rpi-image.sh ROOTFS OUT.img
set -euo pipefail
ROOTFS=$(readlink -f "${1:?rootfs}"); OUT=${2:?out.img}
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d "$(dirname "$OUT")/.rpiimg.XXXX"); trap 'rm -rf "$W"' EXIT
BOOT_MB=256 DATA_MB=128 ALIGN_MB=4
export MTOOLS_SKIP_CHECK=1

# 1. FAT boot partition: what raspi-firmware's kernel hooks put in
#    /boot/firmware (start4.elf, fixup4.dat, bcm27*.dtb, vmlinuz, initrd,
#    config.txt, cmdline.txt).
FW="$ROOTFS/boot/firmware"
[ -f "$FW/config.txt" ] || { echo "no $FW/config.txt: not an rpi rootfs (build-rootfs.sh ... rpi)" >&2; exit 1; }
grep -q 'root=LABEL=gbx-root' "$FW/cmdline.txt" || { echo "cmdline.txt lacks root=LABEL=gbx-root" >&2; exit 1; }
mkfs.vfat -F 32 -n RASPIFIRM -C "$W/boot.vfat" $((BOOT_MB * 1024)) >/dev/null
mcopy -i "$W/boot.vfat" -s -p -m "$FW"/* ::/

# 2. Root and data file systems; the FAT is mounted read-only at /boot/firmware.
"$HERE/make-ext4-images.sh" "$ROOTFS" "$W" "$DATA_MB"
{ cat "$ROOTFS/etc/fstab"; echo "LABEL=RASPIFIRM  /boot/firmware       vfat   ro,nofail,umask=0022  0 2"; } > "$W/fstab"
debugfs -w -R "rm /etc/fstab" "$W/root.ext4" >/dev/null 2>&1
debugfs -w -R "write $W/fstab /etc/fstab" "$W/root.ext4" >/dev/null 2>&1
debugfs -R 'cat /etc/fstab' "$W/root.ext4" 2>/dev/null | grep -q RASPIFIRM || { echo "fstab patch failed" >&2; exit 1; }

# 3. Partition table, then the partitions copied in (sizes in MiB).
root_mb=$(( ($(stat -c %s "$W/root.ext4") + 1048575) / 1048576 ))
p1=$ALIGN_MB; p2=$((p1 + BOOT_MB)); p3=$((p2 + root_mb)); end=$((p3 + DATA_MB))
rm -f "$OUT"; truncate -s "${end}M" "$OUT"
sfdisk --quiet "$OUT" <<SF
label: dos
unit: sectors
start=$((p1*2048)), size=$((BOOT_MB*2048)), type=c, bootable
start=$((p2*2048)), size=$((root_mb*2048)), type=83
start=$((p3*2048)), size=$((DATA_MB*2048)), type=83
SF
dd if="$W/boot.vfat" of="$OUT" bs=1M seek=$p1 conv=notrunc,sparse status=none
dd if="$W/root.ext4" of="$OUT" bs=1M seek=$p2 conv=notrunc,sparse status=none
dd if="$W/data.ext4" of="$OUT" bs=1M seek=$p3 conv=notrunc,sparse status=none
sfdisk -l "$OUT" | sed -n '/Device/,$p'
echo "$OUT: ${end} MiB"
