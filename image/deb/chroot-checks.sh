#!/bin/bash
# Runs INSIDE the fresh Debian 12 chroot that test-deb-chroot.sh builds, as
# root: installs the package with apt (Depends come from the mirror), checks
# what it installed, plays the default scene as the groovebox user, then
# removes and purges it and checks the user's files survived.
#   chroot-checks.sh DEB      exit status = number of failed checks (max 100)
set -u
deb=$1
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
P=/var/lib/groovebox/patterns
S=/var/lib/groovebox/samples
UNIT=/lib/systemd/system/groovebox.service
WANTS=/etc/systemd/system/multi-user.target.wants/groovebox.service
fails=0; n=0
log=$(mktemp)
t0=$(date +%s)
phase() { echo "== [+$(( $(date +%s) - t0 )) s in the chroot] $*"; }

# check NAME CMD...: runs CMD, prints PASS/FAIL with CMD's output on failure;
# checkv also shows the output on success.
check() {
  local name=$1; shift
  n=$((n + 1))
  if "$@" >"$log" 2>&1; then
    echo "PASS: $name"
    [ "${verbose:-0}" = 1 ] && tail -n 12 "$log" | sed 's/^/      /'
  else
    echo "FAIL: $name"
    tail -n 25 "$log" | sed 's/^/      /'
    fails=$((fails + 1))
  fi
}
checkv() { verbose=1 check "$@"; }
owned_by_groovebox() { [ "$(stat -c %U:%G "$1")" = groovebox:groovebox ] || { stat -c '%n %U:%G' "$1"; return 1; }; }
in_group() { id -nG groovebox | tr ' ' '\n' | grep -qx "$1" || { id groovebox; return 1; }; }
conffile() { dpkg-query -W -f='${Conffiles}\n' groovebox | awk '{print $1}' | grep -qx "$1" || { dpkg-query -W -f='${Conffiles}\n' groovebox; return 1; }; }
system_user() {
  local uid home shell
  IFS=: read -r _ _ uid _ _ home shell < <(getent passwd groovebox) || return 1
  echo "uid=$uid home=$home shell=$shell"
  [ "$uid" -lt 1000 ] && [ "$home" = /var/lib/groovebox ] && [ "$shell" = /usr/sbin/nologin ]
}
verify_unit() {
  # Like tests/config/verify_unit.sh: only lines about our unit count.
  local out; out=$(systemd-analyze verify "$UNIT" 2>&1); local rc=$?
  echo "$out"
  ! printf '%s\n' "$out" | grep -qF groovebox.service && [ $rc -eq 0 ]
}
enabled() {
  [ "$(readlink "$WANTS")" = "$UNIT" ] || { ls -l "$WANTS"; return 1; }
  [ "$(systemctl is-enabled groovebox.service)" = enabled ]
}
not_enabled() {
  local st; st=$(systemctl is-enabled groovebox.service 2>&1); echo "is-enabled: $st"
  [ "$st" != enabled ]
}
no_unit_links() { ! ls -l "$WANTS" /etc/systemd/system/groovebox.service 2>/dev/null | grep .; }
plays_default_scene() {
  # The unit's RuntimeDirectory= makes /run/groovebox; here by hand.
  install -d -o groovebox -g groovebox /run/groovebox
  local err=/tmp/run.err wav=/tmp/played.wav
  rm -f "$wav"
  runuser -u groovebox -- /usr/bin/groovebox run --config /etc/groovebox/groovebox.toml \
    --seconds 3 --no-status-line --record "$wav" 2>"$err"
  local rc=$?
  cat "$err"
  [ $rc -eq 0 ] || { echo "exit status $rc"; return 1; }
  grep -q "playing default.ph" "$err" || { echo "did not play default.ph from $P"; return 1; }
  # Something was heard: a WAV longer than its header with non-zero samples.
  local size nz; size=$(stat -c %s "$wav"); nz=$(tail -c +1025 "$wav" | tr -d '\000' | wc -c)
  echo "recorded $size bytes, $nz non-zero bytes after the first 1 KiB"
  [ "$size" -gt 100000 ] && [ "$nz" -gt 1000 ]
}

phase "install: apt-get install $deb"
installed_new() {
  local before; before=$(grep -c ' install ' /var/log/dpkg.log)
  apt-get install -y --no-install-recommends "$deb" || return 1
  echo "packages installed with it: $(( $(grep -c ' install ' /var/log/dpkg.log) - before - 1 ))"
}
checkv "apt-get install ./$(basename "$deb") (Depends from the mirror)" installed_new
checkv "package installed" sh -c "dpkg-query -W -f='\${Status} \${Version} \${Architecture}\n' groovebox | tee /dev/stderr | grep -q '^install ok installed'"
checkv "system user groovebox (uid < 1000, home, nologin)" system_user
check "groovebox is in group audio" in_group audio
check "groovebox is in group gpio" in_group gpio
for f in /usr/bin/groovebox "$UNIT" /etc/groovebox/groovebox.toml /etc/groovebox/smb-groovebox.conf \
         /usr/share/groovebox/default.ph /lib/udev/rules.d/60-groovebox-gpio.rules /usr/share/doc/groovebox/copyright; do
  check "file $f" test -f "$f"
done
check "/usr/bin/groovebox executable" test -x /usr/bin/groovebox
check "conffile /etc/groovebox/groovebox.toml" conffile /etc/groovebox/groovebox.toml
check "conffile /etc/groovebox/smb-groovebox.conf" conffile /etc/groovebox/smb-groovebox.conf
for d in /var/lib/groovebox "$P" "$S"; do
  check "dir $d owned by groovebox" owned_by_groovebox "$d"
done
check "default scene copied to $P/default.ph" owned_by_groovebox "$P/default.ph"
checkv "systemd-analyze verify $UNIT" verify_unit
check "service enabled (multi-user.target.wants symlink)" enabled
checkv "groovebox check-config /etc/groovebox/groovebox.toml" /usr/bin/groovebox check-config /etc/groovebox/groovebox.toml
checkv "groovebox run --seconds 3 as user groovebox plays $P/default.ph (silent clock)" plays_default_scene

phase "the user's files, then apt-get remove"
printf 'bpm: 100\no1: s "bd*4"\n' > "$P/mine.ph"
mkdir -p "$S/kick" && head -c 4096 /dev/zero > "$S/kick/0.wav"
chown -R groovebox:groovebox "$P/mine.ph" "$S/kick"
check "apt-get remove groovebox" apt-get remove -y groovebox
check "binary removed" test ! -e /usr/bin/groovebox
check "remove keeps $P/mine.ph" test -f "$P/mine.ph"
check "remove keeps $P/default.ph" test -f "$P/default.ph"
check "remove keeps $S/kick/0.wav" test -f "$S/kick/0.wav"
check "remove keeps the conffile /etc/groovebox/groovebox.toml" test -f /etc/groovebox/groovebox.toml
checkv "service no longer enabled after remove" not_enabled

phase "apt-get purge"
check "apt-get purge groovebox" apt-get purge -y groovebox
check "package gone from dpkg" sh -c "! dpkg-query -W -f='\${Status}\n' groovebox 2>/dev/null | grep -q installed"
check "purge keeps $P/mine.ph" test -f "$P/mine.ph"
check "purge keeps $P/default.ph" test -f "$P/default.ph"
check "purge keeps $S/kick/0.wav" test -f "$S/kick/0.wav"
check "purge removes /etc/groovebox/groovebox.toml" test ! -e /etc/groovebox/groovebox.toml
check "purge leaves no unit symlinks or masks" no_unit_links

phase "reinstall over the kept patterns"
check "apt-get install again" apt-get install -y --no-install-recommends "$deb"
check "reinstall keeps $P/mine.ph" test -f "$P/mine.ph"
check "service enabled again" enabled

phase "checks: $((n - fails))/$n passed"
rm -f "$log"
[ $fails -le 100 ] || fails=100
exit $fails
