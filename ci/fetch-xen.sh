#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetch Xen 4.17 and its toolstack from Debian 12 for the Xen tests: the
# hypervisor, xl, xenstored, xenconsoled and the libraries they load, unpacked
# (not installed) under build/xen/root. The gunzipped hypervisor, which QEMU's
# Multiboot v1 loader needs, is build/xen/xen.
# Usage: ci/fetch-xen.sh [BUILD_DIR]
set -euo pipefail

build=${1:-build}
out="$build/xen"

if [ -s "$out/xen" ] && [ -x "$out/root/usr/lib/xen-4.17/bin/xl" ]; then
	exit 0
fi
mkdir -p "$out/debs"

pkgs=(xen-hypervisor-4.17-amd64 xen-utils-4.17 xen-utils-common xenstore-utils
      libxenmisc4.17 libxenstore4 libxengnttab1 libxenevtchn1 libxenforeignmemory1
      libxendevicemodel1 libxencall1 libxentoollog1 libxentoolcore1 libxenhypfs1
      libyajl2)

if ! apt-cache show xen-hypervisor-4.17-amd64 >/dev/null 2>&1; then
	apt-get update -qq
fi

cd "$out/debs"
for pkg in "${pkgs[@]}"; do
	if ! ls "${pkg}"_*.deb >/dev/null 2>&1; then
		apt-get download -q -o APT::Sandbox::User=root "$pkg"
	fi
done
cd - >/dev/null

rm -rf "$out/root"
mkdir -p "$out/root"
for deb in "$out"/debs/*.deb; do
	dpkg-deb -x "$deb" "$out/root"
done

gz=$(ls "$out"/root/boot/xen-4.17*-amd64.gz 2>/dev/null | head -n1)
if [ -z "$gz" ]; then
	echo "fetch-xen: no xen-*.gz in xen-hypervisor-4.17-amd64" >&2
	exit 1
fi
zcat "$gz" > "$out/xen"
echo "fetch-xen: $(basename "$gz" .gz), $(dpkg-deb -f "$out"/debs/xen-utils-4.17_*.deb Version)"
