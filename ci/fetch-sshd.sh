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
"$(dirname "$0")"/unpack-debs.sh "$out" openssh-server libwrap0
root=$(cd "$out/root" && pwd)
cat > "$out/sshd" <<SH
#!/bin/sh
# Debian's sshd from $root, with its libwrap.
LD_LIBRARY_PATH=$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu exec $root/usr/sbin/sshd "\$@"
SH
chmod +x "$out/sshd"
echo "fetch-sshd: $(dpkg-deb -f "$out"/debs/openssh-server_*.deb Package Version | tr '\n' ' ')"
