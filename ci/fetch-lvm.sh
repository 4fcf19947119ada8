#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Debian's LVM tools for the LVM dump target test (test_install.py): lvm2 and
# the libraries it links that a build machine may lack, unpacked under
# BUILD/lvm/root, never installed (no lvm2 service, no /etc/lvm on the
# host). The test makes a volume group on a loop device with them (this
# machine's kernel has no device-mapper: metadata only, --driverloaded n) and
# parachute-mkinitrd packs BUILD/lvm/root/sbin/lvm into the capture initramfs.
set -euo pipefail
BUILD=${1:?usage: ci/fetch-lvm.sh BUILD}
out=$BUILD/lvm
if [ -x "$out/root/sbin/lvm" ]; then
	exit 0
fi
"$(dirname "$0")"/unpack-debs.sh "$out" lvm2 dmsetup libdevmapper1.02.1 libdevmapper-event1.02.1 \
	libaio1 libedit2
echo "fetch-lvm: $(dpkg-deb -f "$out"/debs/lvm2_*.deb Package Version | tr '\n' ' ')"
