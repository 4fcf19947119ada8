#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# An NFS server and client for the NFS dump target tests (tests/integration/
# nfsd.py): Debian's NFS-Ganesha (a user-space NFSv4 server; this machine's
# kernel has no nfsd) with its VFS backend and libraries, and nfs-common's
# mount.nfs, which parachute-mkinitrd packs into the capture initramfs. All
# unpacked under BUILD/nfsd/root, never installed: nothing starts at boot and
# no system account is added. BUILD/nfsd/ganesha.nfsd runs the server.
set -euo pipefail
BUILD=${1:?usage: ci/fetch-nfsd.sh BUILD}
out=$BUILD/nfsd
if [ -x "$out/ganesha.nfsd" ]; then
	exit 0
fi
"$(dirname "$0")"/unpack-debs.sh "$out" nfs-ganesha nfs-ganesha-vfs libntirpc4.3 liburcu8 libnfsidmap1 libwbclient0 nfs-common
root=$(cd "$out/root" && pwd)
lib=$root/usr/lib/x86_64-linux-gnu
# libnfsidmap loads its nsswitch plugin by name first: the unpacked one.
cat > "$out/ganesha.nfsd" <<SH
#!/bin/sh
# Debian's NFS-Ganesha from $root, with its libraries and FSALs.
LD_LIBRARY_PATH=$lib:$root/lib/x86_64-linux-gnu:$root/usr/lib/ganesha:$lib/libnfsidmap exec $root/usr/bin/ganesha.nfsd "\$@"
SH
chmod +x "$out/ganesha.nfsd"
echo "fetch-nfsd: $(dpkg-deb -f "$out"/debs/nfs-ganesha_*.deb Package Version | tr '\n' ' ')" \
	"$(dpkg-deb -f "$out"/debs/nfs-common_*.deb Package Version | tr '\n' ' ')"
