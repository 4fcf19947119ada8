#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The guest kernel's vmlinux with debug info, from Debian's linux-image-*-dbg
# package, for the debuggers the tests run on vmcores (crash, drgn), and the
# debug info of the modules a crash may stop in (pvpanic): about 860 MB to
# download and 630 MB unpacked, so it is cached outside the work tree, in
# $PARACHUTE_CACHE (default ~/.cache/parachute; a CI job keeps that directory
# between runs), and linked as BUILD/debian/vmlinux-dbg and
# BUILD/debian/modules-dbg/. Needs BUILD/debian/kernel-version and the version
# fetch-debian.sh pinned (BUILD/debian/kernel-package-version).
# Usage: ci/fetch-debug-vmlinux.sh [BUILD_DIR]
set -euo pipefail

build=${1:-build}
version=$(cat "$build/debian/kernel-version")
pkgver=$(cat "$build/debian/kernel-package-version" 2>/dev/null || true)
cache=${PARACHUTE_CACHE:-$HOME/.cache/parachute}
vmlinux="$cache/vmlinux-$version"
mods="$cache/modules-$version"
moddir="./usr/lib/debug/lib/modules/$version/kernel/drivers/misc/pvpanic"
mkdir -p "$cache"

if [ ! -s "$vmlinux" ] || [ ! -s "$mods/pvpanic.ko" ] || [ ! -s "$mods/pvpanic-mmio.ko" ]; then
	pkg="linux-image-$version-dbg"
	if ! ls "$cache/${pkg}"_*.deb >/dev/null 2>&1; then
		(cd "$cache" && apt-get download -q -o APT::Sandbox::User=root "$pkg${pkgver:+=$pkgver}")
	fi
	deb=$(ls "$cache/${pkg}"_*.deb | sort -V | tail -n1)
	# Only these three files, and only as far into the archive as they lie:
	# tar stops once it has each (--occurrence), which ends the decompression
	# of the rest (the other modules' debug info, most of the 860 MB). dpkg-deb
	# then dies of the closed pipe, which is expected; tar's status is what counts.
	rm -rf "$cache/extract"
	mkdir -p "$cache/extract" "$mods"
	set +o pipefail
	dpkg-deb --fsys-tarfile "$deb" 2>/dev/null | tar -x -C "$cache/extract" --occurrence=1 \
		"./usr/lib/debug/boot/vmlinux-$version" "$moddir/pvpanic.ko" "$moddir/pvpanic-mmio.ko"
	status=("${PIPESTATUS[@]}")
	set -o pipefail
	if [ "${status[1]}" -ne 0 ]; then
		echo "fetch-debug-vmlinux: $deb: tar could not extract the vmlinux and pvpanic modules" >&2
		exit 1
	fi
	# Complete files only, moved into place last: a run cut short re-extracts.
	mv "$cache/extract/$moddir"/*.ko "$mods/"
	mv "$cache/extract/usr/lib/debug/boot/vmlinux-$version" "$vmlinux"
	rm -rf "$cache/extract" "$deb"
fi
ln -sfn "$vmlinux" "$build/debian/vmlinux-dbg"
ln -sfn "$mods" "$build/debian/modules-dbg"
echo "fetch-debug-vmlinux: $vmlinux ($(du -m "$vmlinux" | cut -f1) MB), $(ls "$mods" | wc -l) modules"
