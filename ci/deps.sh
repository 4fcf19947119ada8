#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Install what building and testing parachute needs on Debian 12 (bookworm).
# Idempotent; uses sudo when not run as root.
set -euo pipefail

# python3-drgn and crash read the vmcores; libxenmisc4.17 is what Debian's kexec
# (the stock kdump the tests compare against) links; ovmf and grub-efi-amd64-bin
# boot the UEFI tests; libvirtd (without libvirt-daemon-system: nothing starts
# at boot) runs the libvirt test; debhelper and lintian build and judge the
# Debian packages; libxen-dev, liblzma-dev and pkg-config build xl-kdump
# (tools/xl-kdump/), and with libvirt-dev and libjson-c-dev virt-kdump
# (tools/virt-kdump/); clang and libclang-rt-14-dev (libFuzzer) build the fuzz
# targets (make fuzz, tests/fuzz/); pytest with xdist (two guests at a time)
# and pytest-timeout runs the integration tests (tests/integration/); git
# lists the tracked files the package test builds from (test_install.py);
# openssh-client is the ssh the capture initramfs sends dumps with, and
# util-linux's unshare and nsenter run the test's sshd (test_netdump.py);
# systemd is the init of the guest that runs parachute.service (test_systemd.py).
pkgs=(build-essential make gcc libc6-dev libcmocka-dev python3 cpio gzip xz-utils git
      python3-pytest python3-pytest-xdist python3-pytest-timeout
      clang libclang-rt-14-dev
      qemu-system-x86 kmod grub-pc-bin grub-efi-amd64-bin grub-common ovmf xorriso mtools
      makedumpfile crash python3-drgn
      libxenmisc4.17 libxen-dev liblzma-dev pkg-config libvirt-dev libjson-c-dev
      bochs bochs-term bochsbios vgabios procps e2fsprogs openssh-client util-linux systemd
      libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
      debhelper lintian)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all present"
	exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "deps: installed ${missing[*]}"
