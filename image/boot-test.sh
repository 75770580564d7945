#!/bin/bash
# Boot test on qemu virt (TCG): boots the appliance file systems with the
# kernel and initrd of the rootfs (no bootloader), the root disk read-only at
# the hypervisor, the data disk read-write, and checks on the serial console:
#   1. udev starts groovebox.service when sound card 0 appears, and it reports
#      playing the default scene on its configured device (plughw:0);
#   2. the guest's self-test (groovebox-boottest.service, pulled in from the
#      kernel command line) passes: real-time audio thread, read-only root,
#      data partition, smbd, avahi, ssh off, volatile journal, no apt timers;
#   3. a new default.ph uploaded from the host through the Samba share is
#      reloaded and swapped in on a cycle boundary;
#   4. after the guest powers itself off, the upload and the state file are on
#      the data disk (read with debugfs, no mount).
# Prints boot-to-first-block time (guest clock, since the kernel started).
#
# Usage: boot-test.sh amd64|arm64 IMGDIR ROOTFS     (qemu virt)
#   IMGDIR has root.ext4 + data.ext4 (make-ext4-images.sh); ROOTFS is the
#   rootfs directory (its boot/vmlinuz-* and boot/initrd.img-* are booted).
#        boot-test.sh rpi3 SD.img                     (qemu raspi3b)
#   The real SD image (make-rpi-image.sh): kernel, initrd, DTB and
#   cmdline.txt from its FAT partition, disk = a copy of the image padded to a
#   power of two (qemu's SD card needs one), so the first boot also grows the
#   data partition. Not checked: the GPU firmware boot path, anything Pi 4.
# Env: EXTRA_APPEND (more kernel command line); SOUND=aloop (default: the
#      kernel's snd-aloop loopback card as card 0, paced by a kernel timer) |
#      dummy (snd-dummy; not in Debian's arm64 kernel) | qemu (an emulated card: intel-hda on amd64, a USB audio
#      device on qemu-xhci for arm64); TIMEOUT (s, default 900); SMBPORT;
#      SCENE=light (default: test/boot-default.ph is written over the data
#      disk's patterns/default.ph before boot: the shipped default scene needs
#      more than an emulated CPU can render in real time) | shipped;
#      WATCHDOG=off (default: systemd.service_watchdogs=0) | on.
set -euo pipefail
# grep -q would exit at the first match and fail the pipe (SIGPIPE, pipefail).
q() { grep "$@" >/dev/null; }
ARCH=${1:?arch}
HERE=$(cd "$(dirname "$0")" && pwd)
TIMEOUT=${TIMEOUT:-900}; SOUND=${SOUND:-aloop}
SMBPORT=${SMBPORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
UPLOAD=$HERE/test/upload.ph
NET=(-netdev user,id=n0,hostfwd=tcp:127.0.0.1:$SMBPORT-:445)
TEST_APPEND="systemd.wants=groovebox-boottest.service gbx.smbwait=120 ${EXTRA_APPEND:-}"
# Service watchdogs off unless WATCHDOG=on: on a loaded 2-core host an
# emulated guest can stall for longer than the unit's WatchdogSec=5, and
# systemd then kills a daemon that is fine (seen here, load 9.5).
[ "${WATCHDOG:-off}" = on ] || TEST_APPEND="$TEST_APPEND systemd.service_watchdogs=0"
case $ARCH in
  amd64|arm64)
    IMG=${2:?imgdir}; ROOTFS=${3:?rootfs}; NAME="$ARCH virt"
    KERNEL=$(ls "$ROOTFS"/boot/vmlinuz-* | head -1)
    INITRD=$(ls "$ROOTFS"/boot/initrd.img-* | head -1)
    LOG=$IMG/console-$ARCH-virt.log
    cp --sparse=always "$IMG/data.ext4" "$IMG/data-test.ext4"   # keep the pristine one
    datafs() { debugfs -R "$1" "$IMG/data-test.ext4" 2>/dev/null; }
    datafs_w() { debugfs -w -f "$1" "$IMG/data-test.ext4" >/dev/null 2>&1; }
    # The root disk is read-only at the hypervisor: nothing may write to it.
    DISKS=(-drive if=none,id=root,file="$IMG/root.ext4",format=raw,readonly=on -device virtio-blk-pci,drive=root
           -drive if=none,id=data,file="$IMG/data-test.ext4",format=raw -device virtio-blk-pci,drive=data)
    NET+=(-device virtio-net-pci,netdev=n0) ;;
  rpi3)
    SD=$(readlink -f "${2:?sd image}"); IMG=${SD%.img}-rpi3-test; NAME="rpi3 (raspi3b)"
    rm -rf "$IMG"; mkdir -p "$IMG"; LOG=$IMG/console.log
    export MTOOLS_SKIP_CHECK=1
    fat=$(( $(sfdisk -d "$SD" | sed -n 's/.*1 : start= *\([0-9]*\),.*/\1/p') * 512 ))
    for f in $(mdir -b -i "$SD@@$fat" :: | grep -E 'vmlinuz-|initrd.img-|bcm2837-rpi-3-b.dtb|cmdline.txt'); do
      mcopy -n -i "$SD@@$fat" "$f" "$IMG/"
    done
    KERNEL=$(ls "$IMG"/vmlinuz-*); INITRD=$(ls "$IMG"/initrd.img-*)
    cp --sparse=always "$SD" "$IMG/sd.img"
    sz=$(stat -c %s "$SD"); p2=1; while [ $p2 -lt $((sz + 256 * 1048576)) ]; do p2=$((p2 * 2)); done
    truncate -s $p2 "$IMG/sd.img"
    datafs() {
      local s; s=$(sfdisk -d "$IMG/sd.img" | sed -n 's/.*3 : start= *\([0-9]*\), *size= *\([0-9]*\).*/\1 \2/p')
      dd if="$IMG/sd.img" of="$IMG/data-part.ext4" bs=512 skip=${s% *} count=${s#* } conv=sparse status=none
      debugfs -R "$1" "$IMG/data-part.ext4" 2>/dev/null; }
    datafs_w() {   # edit the extracted partition, then put it back
      local s; s=$(sfdisk -d "$IMG/sd.img" | sed -n 's/.*3 : start= *\([0-9]*\),.*/\1/p')
      debugfs -w -f "$1" "$IMG/data-part.ext4" >/dev/null 2>&1
      dd if="$IMG/data-part.ext4" of="$IMG/sd.img" bs=512 seek="$s" conv=notrunc,sparse status=none; }
    DISKS=(-drive if=sd,format=raw,file="$IMG/sd.img")
    NET+=(-device usb-net,netdev=n0) ;;
  *) echo "unknown arch $ARCH" >&2; exit 2 ;;
esac
case $ARCH in
  amd64) QEMU=(qemu-system-x86_64 -M q35 -cpu max -m 1024 -smp 2 -serial stdio); CON=ttyS0
         QSOUND=(-audiodev none,id=snd0 -device intel-hda -device hda-duplex,audiodev=snd0); QIDX=snd_hda_intel.index=0 ;;
  arm64) QEMU=(qemu-system-aarch64 -M virt -cpu cortex-a72 -m 1024 -smp 2 -serial stdio); CON=ttyAMA0
         QSOUND=(-audiodev none,id=snd0 -device qemu-xhci -device usb-audio,audiodev=snd0); QIDX=snd_usb_audio.index=0 ;;
  rpi3)  QEMU=(qemu-system-aarch64 -M raspi3b -serial null -serial stdio -dtb "$IMG/bcm2837-rpi-3-b.dtb")
         QSOUND=(-audiodev none,id=snd0 -device usb-audio,audiodev=snd0); QIDX=snd_usb_audio.index=0 ;;
esac
if [ "$ARCH" = rpi3 ]; then APPEND="$(cat "$IMG/cmdline.txt") panic=-1 $TEST_APPEND"   # the card's own command line
else APPEND="root=LABEL=gbx-root ro console=$CON panic=-1 net.ifnames=0 $TEST_APPEND"; fi
case $SOUND in
  # snd-aloop: the kernel's loopback card, whose playback side is paced by a
  # kernel timer (Debian's arm64 kernel has no snd-dummy); made card 0.
  aloop) APPEND="$APPEND modules-load=snd_aloop snd_aloop.index=0 snd_aloop.pcm_substreams=1"; QSOUND=() ;;
  dummy) APPEND="$APPEND modules-load=snd_dummy snd_dummy.index=0"; QSOUND=() ;;
  qemu)  APPEND="$APPEND $QIDX" ;;
  *) echo "SOUND=aloop|dummy|qemu" >&2; exit 2 ;;
esac
# The light boot scene replaces the shipped default.ph on the test's data
# disk (same owner), unless SCENE=shipped.
if [ "${SCENE:-light}" = light ]; then
  own=$(datafs 'stat /patterns/default.ph' | sed -n 's/.*User: *\([0-9]*\) *Group: *\([0-9]*\).*/\1 \2/p')
  printf 'cd /patterns\nrm default.ph\nwrite %s default.ph\nsif default.ph uid %s\nsif default.ph gid %s\n' \
    "$HERE/test/boot-default.ph" ${own% *} ${own#* } > "$IMG/debugfs.cmd"
  datafs_w "$IMG/debugfs.cmd"
  datafs 'cat /patterns/default.ph' | q boottest-default || { echo "could not put the boot scene on the data disk" >&2; exit 1; }
fi
# The scene playing before the upload sets the cycle length.
cps=$(datafs 'cat /patterns/default.ph' | sed -n 's/^cps: *\([0-9.]*\).*/\1/p' | head -1)

start=$(date +%s.%N)
elapsed() { printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)"; }
timeout --foreground "$TIMEOUT" "${QEMU[@]}" -accel tcg -nographic -no-reboot -monitor none \
  -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND" \
  "${DISKS[@]}" "${NET[@]}" "${QSOUND[@]}" \
  </dev/null >"$LOG" 2>&1 &
QPID=$!
fails=(); playing=""; uploaded=""; swapped=""
con() { tr -d '\r' < "$LOG"; }
# The daemon's own lines (journal+console writes them as "[t] groovebox[PID]: ...").
gb() { con | sed -n 's/^.*groovebox\[[0-9]*\]: \(groovebox: \)/\1/p'; }
while kill -0 $QPID 2>/dev/null; do
  if [ -z "$playing" ] && gb | q '^groovebox: playing '; then
    playing=$(elapsed); echo "[$playing s] $(gb | grep -m1 '^groovebox: playing ')  /  $(gb | grep -m1 -E '^groovebox: (ALSA|clock) ')"
  fi
  if [ -z "$uploaded" ] && con | q 'BOOTTEST: READY-FOR-SMB'; then
    uploaded=$(elapsed)
    if smbclient -p "$SMBPORT" //127.0.0.1/patterns -N -c "put $UPLOAD default.ph" >"$IMG/smbclient.log" 2>&1; then
      echo "[$uploaded s] uploaded test/upload.ph as default.ph through the Samba share"
    else uploaded=failed; fails+=("smbclient upload failed: $(tail -2 "$IMG/smbclient.log" | paste -sd' ')"); fi
  fi
  if [ -z "$swapped" ] && [ -n "$uploaded" ] && gb | q 'swapped in at frame'; then
    swapped=$(elapsed); echo "[$swapped s] $(gb | grep 'swapped in at frame' | tail -1)"
  fi
  sleep 0.5
done
rc=0; wait $QPID || rc=$?
echo "[$(elapsed) s] qemu exited ($rc)"; [ $rc -eq 124 ] && fails+=("timeout after ${TIMEOUT}s")
con | grep -a 'BOOTTEST' | sed 's/^/  /'

# Checks on what the console said.
dev=$(gb | grep -m1 -E '^groovebox: (ALSA|clock) ' || true)
case $dev in "groovebox: ALSA plughw:0, "*) ;; *) fails+=("not playing on its configured device plughw:0: '$dev'") ;; esac
gb | q '^groovebox: playing default.ph' || fails+=("no 'groovebox: playing default.ph'")
[ "$(gb | grep -c '^groovebox: playing ')" -le 1 ] || fails+=("the daemon started more than once (restarted)")
rate=$(echo "$dev" | sed -n 's/.*, \([0-9]*\) Hz,.*/\1/p')
swap=$(gb | grep 'swapped in at frame' | tail -1 || true)
frame=$(echo "$swap" | sed -n 's/.*swapped in at frame \([0-9]*\).*/\1/p')
if [ -z "$frame" ]; then fails+=("no reload reported after the upload")
elif [ -n "$rate" ] && [ -n "$cps" ]; then
  cyc=$(python3 -c "import sys; from fractions import Fraction as F; print(F($frame) * F('$cps') / $rate)")
  if [ "${cyc#*/}" = "$cyc" ]; then echo "swap on a cycle boundary: frame $frame = cycle $cyc at $rate Hz, $cps cps"
  else fails+=("swap at frame $frame is not on a cycle boundary (cycle $cyc)"); fi
fi
con | q 'BOOTTEST: RESULT PASS' || fails+=("guest self-test did not pass")
# Persistence: after power-off, on the data disk.
if cmp -s <(datafs 'cat /patterns/default.ph') "$UPLOAD"; then
  echo "persisted: patterns/default.ph on the data disk is the uploaded scene"
else fails+=("the upload is not on the data disk"); fi
st=$(datafs 'cat /state' | head -c 200 | paste -sd' ')
echo "$st" | q 'default.ph' && echo "persisted: state file: $st" || fails+=("no last-chosen scene in the data disk's state file ('$st')")
fb=$(con | sed -n 's/.*BOOTTEST: boot-to-first-block=\([0-9.]*\)s.*/\1/p' | head -1)
echo "TIMES $NAME ($SOUND sound): boot-to-first-block ${fb:-?} s (guest); playing seen after ${playing:-?} s, whole test $(elapsed) s (host wall clock)"
if [ ${#fails[@]} -gt 0 ]; then
  printf 'FAIL: %s\n' "${fails[@]}"; echo "console log: $LOG"; exit 1
fi
echo "PASS: $NAME boot test"
