#!/usr/bin/env bash
# cmake --install, checked: every program is installed and runs; the installed configuration
# is valid and names the installed programs (superd -t and each module's -t); every man page
# renders without a warning; superd.service passes systemd-analyze verify; a DESTDIR install
# lays the same files under DESTDIR with paths that leave DESTDIR out; an installed
# configuration is kept by a later install.
#   test_install.sh BUILD_DIR
set -uo pipefail
build=$1
work=$(mktemp -d /tmp/superd-install-test-XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

prefix=$work/prefix
if ! cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1; then
  cat "$work/install.log" >&2
  echo "FAIL: cmake --install $build --prefix $prefix" >&2
  exit 1
fi

# The programs: present, and running.
for p in sbin/superd sbin/superd-dhcpd sbin/superd-ntpd sbin/superd-proxy sbin/superd-vncd bin/superctl; do
  [[ -x $prefix/$p ]] && ok "$p installed" || fail "$p missing"
done
version=$("$prefix/sbin/superd" -version 2>&1) && [[ $version == superd\ * ]] &&
  ok "superd -version: $version" || fail "superd -version: $version"
out=$("$prefix/bin/superctl" -s "$work/no.sock" status 2>&1)
[[ $? -eq 1 && $out == *"cannot connect"* ]] && ok "superctl runs" || fail "superctl: $out"

# The configuration: valid as installed, naming the installed programs and files.
conf=$prefix/etc/superd
for f in superd.conf superd.d hosts.allow hosts.deny dhcpd.conf ntp.conf ntp.keys proxy.conf vnc.ini; do
  [[ -e $conf/$f ]] && ok "etc/superd/$f installed" || fail "etc/superd/$f missing"
  [[ -e $prefix/share/doc/superd/examples/$f ]] || fail "share/doc/superd/examples/$f missing"
done
[[ $(stat -c %a "$conf/ntp.keys") == 600 ]] && ok "ntp.keys is 0600" || fail "ntp.keys mode $(stat -c %a "$conf/ntp.keys")"
if grep -rn -e '\.\./build/' -e '[ =]etc/' -e '[ =:]var/' "$conf" >"$work/left" 2>&1; then
  fail "paths into the checkout left in the installed configuration:"; cat "$work/left" >&2
fi
out=$("$prefix/sbin/superd" -t -f "$conf/superd.conf" 2>&1)
if [[ $? -eq 0 && $out == *"configuration OK"* ]]; then ok "superd -t: configuration OK"; else fail "superd -t:"; echo "$out" >&2; fi
for server in $(sed -n 's/^[[:space:]]*server[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/\1/p' "$conf"/superd.d/*); do
  [[ $server == /bin/* || $server == /usr/* || $server == "$prefix"/sbin/* ]] || fail "server $server is not an installed or system program"
  [[ -x $server ]] || fail "server $server is not executable"
done
check() { # what, then the command
  local what=$1 out
  shift
  if out=$("$@" 2>&1); then ok "$what"; else fail "$what:"; echo "$out" >&2; fi
}
check "superd-dhcpd -t" "$prefix/sbin/superd-dhcpd" -t -cf "$conf/dhcpd.conf"
check "superd-ntpd -t" "$prefix/sbin/superd-ntpd" -t -c "$conf/ntp.conf"
check "superd-proxy -t" "$prefix/sbin/superd-proxy" -t -f "$conf/proxy.conf"
check "superd-vncd -t" "$prefix/sbin/superd-vncd" -t -c "$conf/vnc.ini"

# The man pages: present, and rendered by man without a warning.
for page in superd superctl superd-dhcpd superd-ntpd superd-proxy superd-vncd; do
  file=$prefix/share/man/man8/$page.8
  if [[ ! -f $file ]]; then
    fail "share/man/man8/$page.8 missing"
    continue
  fi
  if ! command -v man >/dev/null; then
    echo "SKIPPED: man is not installed (apt-get install man-db): $page.8 not rendered"
    continue
  fi
  MANWIDTH=80 man --warnings -l "$file" >"$work/page" 2>"$work/warnings"
  if [[ -s $work/warnings ]]; then
    fail "man -l $page.8 warns:"; head -5 "$work/warnings" >&2
  elif ! grep -q "^NAME" "$work/page" || ! grep -q "^       $page - " "$work/page"; then
    fail "man -l $page.8 has no NAME section '$page - …'"
  else
    ok "man -l $page.8 renders ($(wc -l <"$work/page") lines)"
  fi
done
[[ -f $prefix/share/doc/superd/quickstart.md && -f $prefix/share/doc/superd/README.md ]] &&
  ok "docs installed" || fail "share/doc/superd/quickstart.md or README.md missing"

# The unit.
unit=$prefix/lib/systemd/system/superd.service
if [[ ! -f $unit ]]; then
  fail "lib/systemd/system/superd.service missing"
else
  grep -q "^ExecStart=$prefix/sbin/superd -f $conf/superd.conf -dontfork\$" "$unit" &&
    ok "unit's ExecStart names the installed superd" || fail "unit's ExecStart: $(grep ExecStart= "$unit")"
  if command -v systemd-analyze >/dev/null; then
    out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$unit" 2>&1)
    [[ $? -eq 0 && -z $out ]] && ok "systemd-analyze verify superd.service" || { fail "systemd-analyze verify:"; echo "$out" >&2; }
  else
    echo "SKIPPED: systemd-analyze is not installed (no systemd on this machine): unit not verified"
  fi
fi

# An installed configuration is the operator's: a new install keeps it.
echo "# edited by the operator" >>"$conf/superd.conf"
cmake --install "$build" --prefix "$prefix" >"$work/install2.log" 2>&1 || fail "second cmake --install"
grep -q "edited by the operator" "$conf/superd.conf" && ok "a second install keeps an edited superd.conf" ||
  fail "a second install overwrote superd.conf"
grep -q "edited by the operator" "$prefix/share/doc/superd/examples/superd.conf" &&
  fail "the examples are not refreshed"

# DESTDIR: the same files under DESTDIR, with paths that leave DESTDIR out.
dest=$work/dest
DESTDIR=$dest cmake --install "$build" --prefix /usr/local >"$work/install3.log" 2>&1 || fail "DESTDIR install"
[[ -x $dest/usr/local/sbin/superd && -f $dest/usr/local/share/man/man8/superd.8 ]] &&
  ok "DESTDIR install lays the files under DESTDIR" || fail "DESTDIR install: files missing"
grep -q "^ExecStart=/usr/local/sbin/superd -f /usr/local/etc/superd/superd.conf -dontfork\$" \
  "$dest/usr/local/lib/systemd/system/superd.service" && ok "DESTDIR unit names /usr/local" ||
  fail "DESTDIR unit: $(grep ExecStart= "$dest/usr/local/lib/systemd/system/superd.service" 2>&1)"
grep -rq "$dest" "$dest/usr/local/etc/superd" && fail "DESTDIR leaked into the installed configuration"
grep -q "server.*= /usr/local/sbin/superd-dhcpd" "$dest/usr/local/etc/superd/superd.d/dhcpd" &&
  ok "DESTDIR configuration names /usr/local/sbin" || fail "DESTDIR configuration: $(grep server "$dest/usr/local/etc/superd/superd.d/dhcpd")"

if ((failures)); then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "install: all checks passed"
