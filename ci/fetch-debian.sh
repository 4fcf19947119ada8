#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetch the Debian packages the tests and the demo boot: the current
# linux-image-amd64 kernel and a static busybox. Cached under build/debian/.
# Usage: ci/fetch-debian.sh [BUILD_DIR]
set -euo pipefail

build=${1:-build}
out="$build/debian"
mkdir -p "$out/debs"

if [ -s "$out/vmlinuz" ] && [ -x "$out/busybox" ] && [ -d "$out/headers" ] && [ -x "$out/kexec" ]; then
	exit 0
fi

# apt-get download needs package lists; refresh them once if they are missing.
if ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then
	apt-get update -qq
fi

# linux-image-amd64 is a metapackage; its first dependency is the real image.
image=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
if [ -z "$image" ]; then
	echo "fetch-debian: cannot resolve linux-image-amd64 to a kernel package" >&2
	exit 1
fi

version=${image#linux-image-}
# Headers to build the guest test module: the image's headers and what they need.
headers=$(apt-cache depends "linux-headers-$version" | awk '/Depends: linux-(headers|kbuild)-/ {print $2}')

cd "$out/debs"
# kexec-tools: the stock kdump the benchmark compares against.
for pkg in "$image" busybox-static kexec-tools "linux-headers-$version" $headers; do
	if ! ls "${pkg}"_*.deb >/dev/null 2>&1; then
		# Root downloads directly; no _apt sandbox warning for a build/ path.
		apt-get download -q -o APT::Sandbox::User=root "$pkg"
	fi
done
cd - >/dev/null

rm -rf "$out/root"
mkdir -p "$out/root"
for deb in "$out"/debs/linux-image-*.deb "$out"/debs/busybox-static_*.deb; do
	dpkg-deb -x "$deb" "$out/root"
done

rm -rf "$out/headers"
mkdir -p "$out/headers"
for deb in "$out"/debs/linux-headers-*.deb "$out"/debs/linux-kbuild-*.deb; do
	dpkg-deb -x "$deb" "$out/headers"
done
ln -sfn "$(cd "$out/headers/usr/src/linux-headers-$version" && pwd)" "$out/kbuild"
# Debian's per-flavour Makefile includes the common one by absolute /usr/src path.
sed -i "s|include /usr/src/|include $(cd "$out/headers/usr/src" && pwd)/|" "$out/kbuild/Makefile"

cp "$out"/root/boot/vmlinuz-* "$out/vmlinuz"
cp "$out/root/bin/busybox" "$out/busybox"
rm -rf "$out/kexec-root"
dpkg-deb -x "$out"/debs/kexec-tools_*.deb "$out/kexec-root"
cp "$out/kexec-root/sbin/kexec" "$out/kexec"
basename "$out"/root/boot/vmlinuz-* | sed 's/^vmlinuz-//' > "$out/kernel-version"
echo "fetch-debian: kernel $(cat "$out/kernel-version"), busybox $(dpkg-deb -f "$out"/debs/busybox-static_*.deb Version)"
