#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the guest initrd: Debian's static busybox, the guest test programs
# and parachutectl, the parachute test module, and tests/initrd/init with its
# helper (tcdrain).
# Usage: tests/initrd/mkinitrd.sh BUILD_DIR OUTPUT [kdump]
# With "kdump", for the benchmark's stock-kdump side: also Debian's kexec, the
# kernel and the plain initrd under /boot, for kexec -p inside the guest.
set -euo pipefail
build=$1
out=$2
variant=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
root="$build/initrd-root"

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,lib/modules}
cp "$build/debian/busybox" "$root/bin/busybox"
cp "$build/guest/hvinfo" "$build/guest/memprobe" "$build/guest/patterns" "$build/guest/spin" \
	"$build/guest/edu" "$build/guest/parachutectl" "$build/guest/hcfuzz3" \
	"$build/initrd-bin/tcdrain" "$root/bin/"
cp "$build/module/parachute.ko" "$build/hcfuzz/hcfuzz.ko" "$build/hostile/hostile.ko" "$root/lib/modules/"
# For the capture kernel: virtio-blk (QEMU) or IDE (Bochs) for the dump disk, makedumpfile and the
# shared libraries it links (from Debian's makedumpfile package on this host).
kmods="$build/debian/root/lib/modules/$(cat "$build/debian/kernel-version")/kernel"
for m in drivers/virtio/virtio drivers/virtio/virtio_ring drivers/virtio/virtio_pci_modern_dev \
	drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci drivers/block/virtio_blk \
	drivers/misc/pvpanic/pvpanic drivers/misc/pvpanic/pvpanic-mmio \
	drivers/scsi/scsi_common drivers/scsi/scsi_mod drivers/ata/libata drivers/ata/ata_piix \
	crypto/crct10dif_common lib/crc-t10dif lib/crc64 lib/crc64-rocksoft block/t10-pi \
	drivers/scsi/sd_mod; do
	cp "$kmods/$m.ko" "$root/lib/modules/"
done
. "$here/copy-libs.sh"
copy_with_libs "$(command -v makedumpfile)" /bin/makedumpfile
# makedumpfile --num-threads ends its threads with pthread_exit(), for which
# glibc loads libgcc_s at run time (no ldd line names it): without it, abort.
libgcc=$(ldconfig -p | awk '/libgcc_s\.so\.1 .*x86-64/ && !f {print $NF; f = 1}')  # all read: no SIGPIPE under pipefail
[ -n "$libgcc" ] || { echo "mkinitrd: no libgcc_s.so.1 on this host" >&2; exit 1; }
mkdir -p "$root$(dirname "$libgcc")"
cp -L "$libgcc" "$root$libgcc"
if [ "$variant" = kdump ]; then
	copy_with_libs "$build/debian/kexec" /bin/kexec
	mkdir -p "$root/boot"
	cp "$build/debian/vmlinuz" "$root/boot/vmlinuz"
	cp "$build/initrd.cpio.gz" "$root/boot/initrd.cpio.gz"
fi
cp "$here/init" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -9 > "$out"
echo "initrd: $out ($(stat -c %s "$out") bytes)"
