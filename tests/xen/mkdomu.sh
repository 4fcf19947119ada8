#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the Xen tests' domU initrd, which is also its capture initrd: Debian's
# static busybox, guest/patterns, makedumpfile with its libraries, and
# tests/xen/domu-init.
# Usage: tests/xen/mkdomu.sh BUILD_DIR OUTPUT
set -euo pipefail
build=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
root="$build/xen/domu-root"

rm -rf "$root"
mkdir -p "$root"/{bin,proc,sys,dev,tmp,lib/modules}
# The vbd frontend: the capture kernel saves the vmcore to the domU's dump disk.
cp "$build/debian/root/lib/modules/$(cat "$build/debian/kernel-version")/kernel/drivers/block/xen-blkfront.ko" \
	"$root/lib/modules/"
cp "$build/debian/busybox" "$root/bin/busybox"
cp "$build/guest/patterns" "$root/bin/"
md=$(command -v makedumpfile)
if ldd "$md" | grep "not found" >/dev/null; then
	echo "mkdomu: makedumpfile needs libraries this host lacks" >&2
	exit 1
fi
cp "$md" "$root/bin/"
for lib in $(ldd "$md" | awk '/=> \// {print $3} /^\t\/lib/ {print $1}'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
cp "$here/domu-init" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -9 > "$out"
echo "mkdomu: $out ($(stat -c %s "$out") bytes)"
