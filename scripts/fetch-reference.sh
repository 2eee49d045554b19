#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetch and unpack the source of Debian's reference module (package
# openvpn-dco-dkms: the out-of-tree ovpn-dco v2 module OpenVPN 2.6 was written
# against) WITHOUT installing it: `apt-get download` (cached in
# build/reference/) and `dpkg-deb -x` into build/reference/<pkgver>-src/.
# Used by build-reference.sh (which builds it) and by the unit test
# tests/unit/check_uapi.py (which compares our numbering with its uapi header);
# scripts/deps.sh runs it so that the unit test never lacks it.
#
#   scripts/fetch-reference.sh      prints the source directory (with
#                                   Makefile, dkms.conf, include/uapi/...)
#
# Idempotent: a second run reuses the .deb and the unpacked tree.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
PKG=openvpn-dco-dkms
DIR=$TOP/build/reference

die() { echo "fetch-reference.sh: ERROR: $*" >&2; exit 1; }
info() { echo "fetch-reference.sh: $*" >&2; }

export PATH=$PATH:/usr/sbin:/sbin
for c in apt-get dpkg-deb flock; do
	command -v "$c" >/dev/null || die "$c not found"
done

mkdir -p "$DIR"
exec 9>"$DIR/.fetch-lock"
flock 9

# 1. The .deb (cached: whichever version is there; delete build/reference to refresh).
deb=$(find "$DIR" -maxdepth 1 -name "${PKG}_*.deb" | sort | tail -n 1)
if [ -z "$deb" ]; then
	info "downloading $PKG (apt-get download; the package is NOT installed)"
	if ! (cd "$DIR" && apt-get download -q "$PKG" </dev/null >&2); then
		info "apt-get download failed: refreshing the package lists once"
		apt-get update -q -o DPkg::Lock::Timeout=600 </dev/null >&2 || die "apt-get update failed"
		(cd "$DIR" && apt-get download -q "$PKG" </dev/null >&2) || die "apt-get download $PKG failed"
	fi
	deb=$(find "$DIR" -maxdepth 1 -name "${PKG}_*.deb" | sort | tail -n 1)
	[ -n "$deb" ] || die "apt-get download $PKG left no .deb in $DIR"
fi
pkgver=$(dpkg-deb -f "$deb" Version) || die "$deb is not a valid .deb"

# 2. Unpack once; build-reference.sh copies the tree per kernel.
tree=$DIR/$pkgver-src
if [ ! -s "$tree/.unpacked" ]; then
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	dpkg-deb -x "$deb" "$tree.tmp/pkg" || die "dpkg-deb -x $deb failed"
	echo "$deb" >"$tree.tmp/.unpacked"
	mv "$tree.tmp" "$tree"
fi
src=$(find "$tree/pkg/usr/src" -mindepth 1 -maxdepth 1 -type d -name 'ovpn-dco-*' | head -n 1)
[ -n "$src" ] && [ -f "$src/Makefile" ] && [ -f "$src/dkms.conf" ] ||
	die "no ovpn-dco source with Makefile and dkms.conf under $tree/pkg/usr/src"
echo "$src"
