#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The guest kernel's vmlinux with debug info, from Debian's linux-image-*-dbg
# package, for the debuggers the tests run on vmcores (crash, drgn), and the
# debug info of the modules a crash may stop in (pvpanic): about 860 MB to
# download and 630 MB unpacked, so it is cached outside the work tree, in
# $PARACHUTE_CACHE (default ~/.cache/parachute), and linked as
# BUILD/debian/vmlinux-dbg and BUILD/debian/modules-dbg/. Needs
# BUILD/debian/kernel-version (fetch-debian.sh).
# Usage: ci/fetch-debug-vmlinux.sh [BUILD_DIR]
set -euo pipefail

build=${1:-build}
version=$(cat "$build/debian/kernel-version")
cache=${PARACHUTE_CACHE:-$HOME/.cache/parachute}
vmlinux="$cache/vmlinux-$version"
mods="$cache/modules-$version"
moddir="./usr/lib/debug/lib/modules/$version/kernel/drivers/misc/pvpanic"
mkdir -p "$cache"

if [ ! -s "$vmlinux" ] || [ ! -s "$mods/pvpanic.ko" ]; then
	pkg="linux-image-$version-dbg"
	if ! ls "$cache/${pkg}"_*.deb >/dev/null 2>&1; then
		(cd "$cache" && apt-get download -q -o APT::Sandbox::User=root "$pkg")
	fi
	# Only these: the package holds every module's debug info besides.
	rm -rf "$cache/extract"
	mkdir -p "$cache/extract" "$mods"
	dpkg-deb --fsys-tarfile "$cache/${pkg}"_*.deb | tar -x -C "$cache/extract" \
		"./usr/lib/debug/boot/vmlinux-$version" "$moddir/pvpanic.ko" "$moddir/pvpanic-mmio.ko"
	mv "$cache/extract/$moddir"/*.ko "$mods/"
	mv "$cache/extract/usr/lib/debug/boot/vmlinux-$version" "$vmlinux"
	rm -rf "$cache/extract" "$cache/${pkg}"_*.deb
fi
ln -sfn "$vmlinux" "$build/debian/vmlinux-dbg"
ln -sfn "$mods" "$build/debian/modules-dbg"
echo "fetch-debug-vmlinux: $vmlinux ($(du -m "$vmlinux" | cut -f1) MB), $(ls "$mods" | wc -l) modules"
