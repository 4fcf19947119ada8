#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Debian packages for a test server or tool, downloaded from the machine's
# package registry into DIR/debs (kept: a second run downloads nothing) and
# unpacked under DIR/root, never installed: no maintainer script runs,
# nothing starts at boot, no system account is added.
set -euo pipefail
out=${1:?usage: ci/unpack-debs.sh DIR PACKAGE...}
shift
mkdir -p "$out/debs"
[ -n "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v lock)" ] || apt-get update -qq
cd "$out/debs"
for pkg in "$@"; do
	ls "${pkg}_"*.deb >/dev/null 2>&1 ||
		apt-get download -q -o APT::Sandbox::User=root "$pkg"
done
cd - >/dev/null
rm -rf "$out/root"
for deb in "$out"/debs/*.deb; do
	dpkg-deb -x "$deb" "$out/root"
done
