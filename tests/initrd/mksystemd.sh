#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A guest initramfs whose init is this machine's systemd (Debian's), for the
# test of the installed parachute.service under a real systemd
# (test_install.py): systemd, journald, systemctl and journalctl with their
# libraries, the basic targets' units (none of their .wants: only what the
# test pulls in runs), parachute.service and /etc/default/parachute as
# installed, enabled as dh_installsystemd enables it, the guest module where
# modprobe finds it, parachutectl, sysctl, and a test unit (systemd-test)
# that reports what systemctl and the journal say, then crashes the guest the
# first time and powers it off the next.
# Usage: tests/initrd/mksystemd.sh BUILD_DIR OUTPUT
set -euo pipefail
build=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
root="$build/systemd-root"
version=$(cat "$build/debian/kernel-version")

rm -rf "$root"
mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{proc,sys,dev,run,tmp,var,root,etc/default}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
. "$here/copy-libs.sh"
for f in /lib/systemd/systemd /lib/systemd/systemd-journald /lib/systemd/systemd-shutdown \
	/lib/systemd/systemd-modules-load /bin/systemctl /bin/journalctl /sbin/sysctl /bin/kmod; do
	[ -x "$f" ] || { echo "mksystemd: $f missing (install systemd, procps, kmod)" >&2; exit 1; }
	copy_with_libs "$(readlink -f "$f")" "$f"
done
ln -s systemd "$root/lib/systemd/init"
ln -s /lib/systemd/systemd "$root/init"
ln -s /bin/kmod "$root/sbin/modprobe"
cp "$build/debian/busybox" "$root/bin/busybox"
for a in sh sed grep cat echo sleep; do ln -s busybox "$root/bin/$a"; done
cp "$build/guest/parachutectl" "$root/usr/sbin/parachutectl"
mkdir -p "$root/lib/modules/$version/extra"
cp "$build/module/parachute.ko" "$root/lib/modules/$version/extra/"
# QEMU's pvpanic, loaded as udev would (there is no udev here) by
# systemd-modules-load: how the hv hears of the guest's panic.
cp -r "$build/debian/root/lib/modules/$version/kernel/drivers/misc/pvpanic" \
	"$root/lib/modules/$version/extra/"
mkdir -p "$root/etc/modules-load.d"
echo pvpanic-mmio >"$root/etc/modules-load.d/pvpanic.conf"
cp "$build/debian/root/lib/modules/$version"/modules.{order,builtin,builtin.modinfo} \
	"$root/lib/modules/$version/"
depmod -b "$root" "$version"

# The units of the basic boot, without the .wants that pull in udev, getty...
mkdir -p "$root/lib/systemd/system"
for u in default.target multi-user.target basic.target sysinit.target local-fs.target \
	local-fs-pre.target sockets.target timers.target paths.target slices.target swap.target \
	shutdown.target umount.target final.target poweroff.target \
	systemd-poweroff.service emergency.target rescue.target \
	systemd-journald.service systemd-journald.socket systemd-journald-dev-log.socket \
	systemd-modules-load.service; do
	cp -P "/lib/systemd/system/$u" "$root/lib/systemd/system/"
done
[ -L "$root/lib/systemd/system/default.target" ] &&
	ln -sfn multi-user.target "$root/lib/systemd/system/default.target"
mkdir -p "$root"/etc/systemd/system/{sockets.target.wants,sysinit.target.wants,multi-user.target.wants}
for s in systemd-journald.socket systemd-journald-dev-log.socket; do
	ln -s "/lib/systemd/system/$s" "$root/etc/systemd/system/sockets.target.wants/$s"
done
for s in systemd-journald.service systemd-modules-load.service; do
	ln -s "/lib/systemd/system/$s" "$root/etc/systemd/system/sysinit.target.wants/$s"
done

# parachute as the package installs and enables it.
cp "$top/guest/parachute.service" "$root/lib/systemd/system/parachute.service"
ln -s /lib/systemd/system/parachute.service \
	"$root/etc/systemd/system/multi-user.target.wants/parachute.service"
cp "$top/guest/default/parachute" "$root/etc/default/parachute"

# The test's unit, after parachute.service, on the serial console.
cat > "$root/etc/systemd/system/systemd-test.service" <<'UNIT'
[Unit]
Description=what systemctl and the journal say of parachute.service
After=parachute.service

[Service]
Type=oneshot
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
ExecStart=/bin/sh /usr/bin/systemd-test
UNIT
ln -s /etc/systemd/system/systemd-test.service \
	"$root/etc/systemd/system/multi-user.target.wants/systemd-test.service"
cat > "$root/usr/bin/systemd-test" <<'SH'
#!/bin/sh
# Each line "SDT: ...": what an operator would read after a boot.
token=$(sed -n 's/.*pc\.token=\([0-9a-f]*\).*/\1/p' /proc/cmdline)
echo "parachute-token: $token" >/dev/kmsg
echo "SDT: panic_on_oops=$(cat /proc/sys/kernel/panic_on_oops)"
systemctl status parachute.service --no-pager -l -n 0 | sed 's/^/SDT: status: /'
journalctl -u parachute.service --no-pager -o cat | sed 's/^/SDT: journal: /'
if parachutectl history --last 2>&1 | grep -q "no record"; then
	echo "SDT: crashing"
	echo c >/proc/sysrq-trigger
fi
echo "SDT: powering off"
systemctl poweroff
SH
chmod +x "$root/usr/bin/systemd-test"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nsystemd-journal:x:101:\n' >"$root/etc/group"
printf 'ID=debian\nNAME="parachute systemd test"\n' >"$root/etc/os-release"
: >"$root/etc/machine-id"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
echo "mksystemd: $out ($(du -sh "$root" | cut -f1) unpacked)"
