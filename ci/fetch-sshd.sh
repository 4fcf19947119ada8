#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Debian's OpenSSH server for the SSH dump target tests (tests/integration/
# sshd.py): openssh-server and libwrap0 (which sshd links and a build machine
# may lack), unpacked under BUILD/sshd/root, never installed: nothing starts
# at boot and no system account is added. BUILD/sshd/sshd runs it.
set -euo pipefail
BUILD=${1:?usage: ci/fetch-sshd.sh BUILD}
out=$BUILD/sshd
if [ -x "$out/sshd" ]; then
	exit 0
fi
mkdir -p "$out/debs"
[ -n "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v lock)" ] || apt-get update -qq
cd "$out/debs"
for pkg in openssh-server libwrap0; do
	ls "${pkg}_"*.deb >/dev/null 2>&1 ||
		apt-get download -q -o APT::Sandbox::User=root "$pkg"
done
cd - >/dev/null
rm -rf "$out/root"
for deb in "$out"/debs/*.deb; do
	dpkg-deb -x "$deb" "$out/root"
done
root=$(cd "$out/root" && pwd)
cat > "$out/sshd" <<SH
#!/bin/sh
# Debian's sshd from $root, with its libwrap.
LD_LIBRARY_PATH=$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu exec $root/usr/sbin/sshd "\$@"
SH
chmod +x "$out/sshd"
echo "fetch-sshd: $(dpkg-deb -f "$out"/debs/openssh-server_*.deb Package Version | tr '\n' ' ')"
