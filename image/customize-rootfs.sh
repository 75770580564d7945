#!/bin/bash
# mmdebstrap customize hook of build-rootfs.sh: turn the installed system into
# the appliance. ROOT is the rootfs directory; runs on the host, chroot for
# commands of the target (under qemu-user for arm64).
set -euo pipefail
ROOT=${1:?rootfs}
inroot() { chroot "$ROOT" "$@"; }

# The package must have given us its pieces.
for f in /usr/bin/groovebox /etc/groovebox/groovebox.toml /etc/groovebox/smb-groovebox.conf; do
  [ -e "$ROOT$f" ] || { echo "customize: the groovebox package has no $f" >&2; exit 1; }
done
inroot getent passwd groovebox >/dev/null || { echo "customize: no groovebox user" >&2; exit 1; }

# Audio device: ALSA card 0, which /etc/modprobe.d/groovebox-alsa.conf keeps
# for USB audio; plughw converts rate/format if the card needs it.
sed -i 's/^device = "[^"]*"/device = "plughw:0"/' "$ROOT/etc/groovebox/groovebox.toml"
grep -q '^device = "plughw:0"' "$ROOT/etc/groovebox/groovebox.toml" || { echo "customize: could not set the device" >&2; exit 1; }
inroot groovebox check-config /etc/groovebox/groovebox.toml >/dev/null 2>&1 || inroot groovebox check-config /etc/groovebox/groovebox.toml

# Started by udev when the sound card appears (90-groovebox.rules), not by
# multi-user.target.
inroot systemctl disable groovebox.service
inroot systemctl enable systemd-networkd.service groovebox-governor.service groovebox-grow-data.service groovebox-ssh.service
# SSH off by default (on with a file "ssh" on the boot partition); no host keys
# in the image: ssh.service makes them on the data partition on first use.
inroot systemctl disable ssh.service
rm -f "$ROOT"/etc/ssh/ssh_host_*
# No apt timers, no periodic jobs writing to a read-only root, no NetBIOS or
# AD domain controller.
inroot systemctl mask apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
  e2scrub_all.timer e2scrub_reap.service man-db.timer nmbd.service samba-ad-dc.service
# Mount units we do not need: fewer mounts early in boot (see /etc/fstab).
inroot systemctl mask dev-hugepages.mount dev-mqueue.mount sys-kernel-debug.mount \
  sys-kernel-tracing.mount sys-kernel-config.mount sys-fs-fuse-connections.mount \
  proc-sys-fs-binfmt_misc.automount
# Read-only root: state that would go to /var/lib/systemd is not needed (the
# kernel seeds its own RNG; no rfkill state to keep).
# Nothing of ours needs the network to be "online" (smbd listens on every
# address as links come up); waiting for it only delays boot, and fails it
# when no cable is plugged in.
inroot systemctl mask systemd-networkd-wait-online.service
# No logins to manage on an appliance (its StateDirectory would need a
# writable /var/lib/systemd).
inroot systemctl mask systemd-random-seed.service systemd-rfkill.service systemd-rfkill.socket systemd-logind.service
# Writable directories the system expects, as symlinks into /run (tmpfs):
# fewer mounts than a tmpfs each. tmpfiles.d/groovebox-ro.conf makes them.
for d in log:/run/log lib/samba:/run/var-lib-samba cache/samba:/run/var-cache-samba; do
  rm -rf "$ROOT/var/${d%%:*}"; ln -s "${d#*:}" "$ROOT/var/${d%%:*}"
done
echo groovebox > "$ROOT/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 groovebox\n::1 localhost ip6-localhost ip6-loopback\n' > "$ROOT/etc/hosts"
# Empty machine-id: systemd makes a transient one in /run on the read-only root.
: > "$ROOT/etc/machine-id"
rm -f "$ROOT/var/lib/dbus/machine-id"
# The data partition is built from /var/lib/groovebox (make-ext4-images.sh):
# the package's patterns/ and samples/. Make sure it has the default scene.
mkdir -p "$ROOT/var/lib/groovebox/patterns" "$ROOT/var/lib/groovebox/samples"
if ! ls "$ROOT"/var/lib/groovebox/patterns/*.ph >/dev/null 2>&1; then
  src=$(ls "$ROOT"/usr/share/groovebox/*/default.ph "$ROOT"/usr/share/groovebox/default.ph 2>/dev/null | head -1 || true)
  [ -n "$src" ] || { echo "customize: no default scene in the package" >&2; exit 1; }
  cp "$src" "$ROOT/var/lib/groovebox/patterns/default.ph"
fi
inroot chown -R groovebox:groovebox /var/lib/groovebox
echo "customize: groovebox $(inroot dpkg-query -W -f '${Version}' groovebox) installed; patterns: $(ls "$ROOT"/var/lib/groovebox/patterns | paste -sd' ')"
