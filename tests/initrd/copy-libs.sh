# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the test initramfs builders (mkinitrd.sh, mksystemd.sh), which
# set root: copy_with_libs BINARY PATH puts this host's BINARY at PATH in the
# initramfs, with the shared libraries it links at their own paths.
copy_with_libs() {
	# grep reads all of ldd's output (no -q): under pipefail an early exit
	# would fail ldd with SIGPIPE and hide the missing library.
	if ldd "$1" | grep "not found" >/dev/null; then
		echo "$(basename "$0"): $1 needs libraries this host lacks:" >&2
		ldd "$1" | grep "not found" >&2
		exit 1
	fi
	mkdir -p "$root$(dirname "$2")"
	cp "$1" "$root$2"
	for lib in $(ldd "$1" | awk '/=> \// {print $3} /^\t\/lib/ {print $1}'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
