#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the dom0 initramfs for the Xen tests: Debian's static busybox, the Xen
# 4.17 toolstack unpacked by ci/fetch-xen.sh (xl, xenstored, xenconsoled,
# xen-init-dom0, xenstore-*) with the libraries they load, the Xen and
# virtio modules of Debian's kernel, build/xl-kdump, and under /xen the domU's
# kernel, its initrd and the capture initrd.
# Usage: tests/xen/mkdom0.sh BUILD_DIR OUTPUT DOMU_INITRD CAPTURE_INITRD
set -euo pipefail
build=$1
out=$2
domu_initrd=$3
capture_initrd=$4
here=$(cd "$(dirname "$0")" && pwd)
xen=$(cd "$build/xen/root" && pwd)
root="$build/xen/dom0-root"

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,run,xen,lib/modules} \
	"$root"/var/{lib/xen,lib/xenstored,run/xen,run/xenstored,log/xen/console}
cp "$build/debian/busybox" "$root/bin/busybox"

# The toolstack's libraries come from the unpacked packages, not this host.
libpath="$xen/usr/lib/x86_64-linux-gnu:$xen/lib/x86_64-linux-gnu"
copy_with_libs() {
	local bin=$1 dest=$2 lib
	if LD_LIBRARY_PATH=$libpath ldd "$bin" | grep "not found" >/dev/null; then
		echo "mkdom0: $bin needs libraries neither the Xen packages nor this host have:" >&2
		LD_LIBRARY_PATH=$libpath ldd "$bin" | grep "not found" >&2
		exit 1
	fi
	cp "$bin" "$root$dest"
	for lib in $(LD_LIBRARY_PATH=$libpath ldd "$bin" | awk '/=> \// {print $3} /^\t\/lib/ {print $1}'); do
		case "$lib" in
		"$xen"/*) target=/usr/lib/x86_64-linux-gnu/$(basename "$lib") ;;
		*) target=$lib ;;
		esac
		mkdir -p "$root$(dirname "$target")"
		cp -L "$lib" "$root$target"
	done
}
for b in xl xenstored xenconsoled xen-init-dom0; do
	copy_with_libs "$xen/usr/lib/xen-4.17/bin/$b" "/sbin/$b"
done
copy_with_libs "$xen/usr/bin/xenstore" /bin/xenstore
for b in read write ls list rm; do
	ln -sf xenstore "$root/bin/xenstore-$b"
done
copy_with_libs "$build/xl-kdump" /sbin/xl-kdump
copy_with_libs "$(command -v makedumpfile)" /bin/makedumpfile
# glibc dlopens libgcc_s for pthread_cancel and backtraces; xl aborts without it.
gcc_s=$(gcc -print-file-name=libgcc_s.so.1)
cp -L "$gcc_s" "$root/lib/x86_64-linux-gnu/libgcc_s.so.1"
mkdir -p "$root/etc/xen"
cp "$xen/etc/xen/xl.conf" "$root/etc/xen/"
# The domU's dump disk is a dom0 block device: the hotplug script only tells
# blkback which one (Xen's own block script needs bash and more).
mkdir -p "$root/etc/xen/scripts"
cp "$here/block-dev" "$root/etc/xen/scripts/block-dev"
chmod +x "$root/etc/xen/scripts/block-dev"

kmods="$build/debian/root/lib/modules/$(cat "$build/debian/kernel-version")/kernel"
for m in drivers/block/xen-blkback/xen-blkback drivers/xen/xen-evtchn drivers/xen/xen-privcmd drivers/xen/xen-gntdev \
	drivers/xen/xen-gntalloc drivers/xen/xenfs/xenfs \
	drivers/virtio/virtio drivers/virtio/virtio_ring drivers/virtio/virtio_pci_modern_dev \
	drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci drivers/block/virtio_blk; do
	cp "$kmods/$m.ko" "$root/lib/modules/"
done

cp "$build/debian/vmlinuz" "$root/xen/vmlinuz"
cp "$domu_initrd" "$root/xen/domu.cpio.gz"
cp "$capture_initrd" "$root/xen/capture.cpio.gz"
cp "$here/dom0-init" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out"
echo "mkdom0: $out ($(stat -c %s "$out") bytes)"
