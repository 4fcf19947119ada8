#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the guest initrd: Debian's static busybox, the guest test programs,
# the parachute test module, and tests/initrd/init.
# Usage: tests/initrd/mkinitrd.sh BUILD_DIR OUTPUT
set -euo pipefail
build=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
root="$build/initrd-root"

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,lib/modules}
cp "$build/debian/busybox" "$root/bin/busybox"
cp "$build/guest/hvinfo" "$build/guest/memprobe" "$root/bin/"
cp "$build/module/parachute.ko" "$root/lib/modules/"
cp "$here/init" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -9 > "$out"
echo "initrd: $out ($(stat -c %s "$out") bytes)"
