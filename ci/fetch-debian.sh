#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetch the Debian packages the tests and the demo boot: the kernel that
# linux-image-amd64 resolves to, pinned to the newest version whose
# linux-image-*-dbg package is published too (the debuggers the tests run
# need its vmlinux: ci/fetch-debug-vmlinux.sh), its headers, and a static
# busybox. Cached under build/debian/; BUILD/debian/kernel-package-version
# names the pinned version.
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

# linux-image-amd64 is a metapackage; each of its versions the lists hold
# (the security archive's, the point release's) depends on one kernel package
# at one version. The newest of those whose -dbg package has that version
# too: a new kernel's -dbg package can lag behind it by days.
image= version=
for meta in $(apt-cache madison linux-image-amd64 | awk '{print $3}' | sort -urV); do
	dep=$(apt-cache show "linux-image-amd64=$meta" |
		sed -n 's/^Depends: \(linux-image-[^ ,]*\) (= \([^)]*\)).*/\1 \2/p' | head -n1)
	[ -n "$dep" ] || continue
	if apt-cache madison "${dep% *}-dbg" | awk '{print $3}' | grep -qxF "${dep#* }"; then
		image=${dep% *} version=${dep#* }
		break
	fi
	echo "fetch-debian: ${dep% *} ${dep#* } has no ${dep% *}-dbg ${dep#* } yet; trying an older kernel" >&2
done
if [ -z "$image" ]; then
	echo "fetch-debian: no linux-image-amd64 version whose kernel has a -dbg package of its version" >&2
	exit 1
fi

abi=${image#linux-image-}
# Headers to build the guest test module: the image's headers and what they need.
headers=$(apt-cache show "linux-headers-$abi=$version" |
	sed -n 's/^Depends: //p' | head -n1 | tr ',' '\n' | awk '/linux-(headers|kbuild)-/ {print $1}')

fetch() {	# package [version]: into debs/, unless it is there already
	local pkg=$1 ver=${2:-}
	if ! ls "${pkg}_${ver:-*}_"*.deb >/dev/null 2>&1; then
		# Root downloads directly; no _apt sandbox warning for a build/ path.
		apt-get download -q -o APT::Sandbox::User=root "$pkg${ver:+=$ver}"
	fi
}
cd "$out/debs"
fetch "$image" "$version"
fetch "linux-headers-$abi" "$version"
for pkg in $headers; do
	case "$pkg" in
	linux-headers-*) fetch "$pkg" "$version" ;;
	*) fetch "$pkg" ;;	# linux-kbuild-6.1: any version at least the kernel's
	esac
done
# kexec-tools: the stock kdump the benchmark compares against.
fetch busybox-static
fetch kexec-tools
cd - >/dev/null

rm -rf "$out/root"
mkdir -p "$out/root"
# The pinned version's packages only: debs/ may keep an older kernel's too.
for deb in "$out/debs/${image}_${version}_"*.deb "$out"/debs/busybox-static_*.deb; do
	dpkg-deb -x "$deb" "$out/root"
done

rm -rf "$out/headers"
mkdir -p "$out/headers"
for pkg in "linux-headers-$abi" $headers; do
	deb=$(ls "$out/debs/${pkg}_"*.deb | sort -V | tail -n1)
	case "$pkg" in linux-headers-*) deb=$(ls "$out/debs/${pkg}_${version}_"*.deb) ;; esac
	dpkg-deb -x "$deb" "$out/headers"
done
ln -sfn "$(cd "$out/headers/usr/src/linux-headers-$abi" && pwd)" "$out/kbuild"
# Debian's per-flavour Makefile includes the common one by absolute /usr/src path.
sed -i "s|include /usr/src/|include $(cd "$out/headers/usr/src" && pwd)/|" "$out/kbuild/Makefile"

cp "$out"/root/boot/vmlinuz-* "$out/vmlinuz"
cp "$out/root/bin/busybox" "$out/busybox"
rm -rf "$out/kexec-root"
dpkg-deb -x "$out"/debs/kexec-tools_*.deb "$out/kexec-root"
cp "$out/kexec-root/sbin/kexec" "$out/kexec"
basename "$out"/root/boot/vmlinuz-* | sed 's/^vmlinuz-//' > "$out/kernel-version"
echo "$version" > "$out/kernel-package-version"
echo "fetch-debian: kernel $(cat "$out/kernel-version") ($version), busybox $(dpkg-deb -f "$out"/debs/busybox-static_*.deb Version)"
