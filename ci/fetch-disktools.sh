#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Debian's LVM and md RAID tools for the dump target tests on LVM and md
# (test_install.py): lvm2, mdadm and the libraries they link that a build
# machine may lack, unpacked under BUILD/disktools/root, never installed (no
# lvm2 or mdadm service, nothing under /etc on the host). The LVM test makes
# a volume group on a loop device with lvm (this machine's kernel has no
# device-mapper: metadata only, --driverloaded n); the md test's guest makes
# its array with mdadm (the kernel here has no md either); parachute-mkinitrd
# packs them into the capture initramfs.
set -euo pipefail
BUILD=${1:?usage: ci/fetch-disktools.sh BUILD}
out=$BUILD/disktools
if [ -x "$out/root/sbin/lvm" ] && [ -x "$out/root/sbin/mdadm" ]; then
	exit 0
fi
"$(dirname "$0")"/unpack-debs.sh "$out" lvm2 dmsetup libdevmapper1.02.1 libdevmapper-event1.02.1 \
	libaio1 libedit2 mdadm
echo "fetch-disktools: $(dpkg-deb -f "$out"/debs/lvm2_*.deb Package Version | tr '\n' ' ')" \
	"$(dpkg-deb -f "$out"/debs/mdadm_*.deb Package Version | tr '\n' ' ')"
