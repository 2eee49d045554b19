#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build Debian's reference module (package openvpn-dco-dkms, the out-of-tree
# ovpn-dco-v2.ko OpenVPN 2.6 was written against) for KVER, WITHOUT installing
# the package (guest-testing.md trap 9: dkms autoinstall breaks apt as soon as
# a 6.12 kernel is around; trap 8: a module under /lib/modules/*/updates could
# be picked up by accident). scripts/fetch-reference.sh fetches the .deb with
# `apt-get download` (cached in build/reference/) and unpacks it with
# `dpkg-deb -x`; it is copied to build/reference/<pkgver>-<KVER>/ and built
# there with its own Makefile, the way dkms.conf says (make VER=...
# KERNEL_SRC=... REVISION=<pkgver>).
#
#   scripts/build-reference.sh      prints the path of the built ovpn-dco-v2.ko
#
# KVER (environment): kernel to build for (default scripts/kver.sh).
# Idempotent: a second run reuses the .deb and rebuilds incrementally.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
PKG=openvpn-dco-dkms
DIR=$TOP/build/reference

die() { echo "build-reference.sh: ERROR: $*" >&2; exit 1; }
info() { echo "build-reference.sh: $*" >&2; }

KVER=${KVER:-$("$TOP/scripts/kver.sh")} || die "cannot tell KVER"
KSRC=/lib/modules/$KVER/build
[ -e "$KSRC/Makefile" ] || die "no kernel headers at $KSRC: run scripts/deps.sh (KVER=$KVER)"
for c in apt-get dpkg-deb modinfo make; do
	command -v "$c" >/dev/null || PATH=$PATH:/usr/sbin:/sbin command -v "$c" >/dev/null || die "$c not found"
done
export PATH=$PATH:/usr/sbin:/sbin

# 1. The source: downloaded and unpacked by fetch-reference.sh (shared with
# the unit test), then copied per KVER since the module is built in its tree.
pristine=$("$TOP/scripts/fetch-reference.sh") || die "cannot fetch $PKG"
fetched=${pristine%/pkg/usr/src/*}
pkgver=$(basename "$fetched")
pkgver=${pkgver%-src}

mkdir -p "$DIR"
exec 9>"$DIR/.lock"
flock 9

# 2. A copy per KVER.
tree=$DIR/$pkgver-$KVER
if [ ! -s "$tree/.unpacked" ]; then
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	cp -a "$fetched/pkg" "$tree.tmp/pkg" || die "cannot copy $fetched/pkg"
	cp "$fetched/.unpacked" "$tree.tmp/.unpacked"
	mv "$tree.tmp" "$tree"
fi
src=$(find "$tree/pkg/usr/src" -mindepth 1 -maxdepth 1 -type d -name 'ovpn-dco-*' | head -n 1)
[ -n "$src" ] && [ -f "$src/Makefile" ] && [ -f "$src/dkms.conf" ] ||
	die "no ovpn-dco source with Makefile and dkms.conf under $tree/pkg/usr/src"
# The version dkms passes as REVISION (MODULE_VERSION, what OpenVPN logs as "DCO version").
revision=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$src/dkms.conf")
[ -n "$revision" ] || die "no PACKAGE_VERSION in $src/dkms.conf"

# 3. Build with its own Makefile, as dkms.conf's MAKE line does.
info "building $PKG $pkgver for $KVER in $src"
make -C "$src" VER="$KVER" KERNEL_SRC="$KSRC" REVISION="$revision" >"$tree/build.log" 2>&1 || {
	tail -n 40 "$tree/build.log" >&2
	die "building the reference module failed (log: $tree/build.log)"
}
ko=$src/drivers/net/ovpn-dco/ovpn-dco-v2.ko
[ -f "$ko" ] || die "build succeeded but $ko is missing (log: $tree/build.log)"
vermagic=$(modinfo -F vermagic "$ko" | awk '{print $1}')
[ "$vermagic" = "$KVER" ] || die "$ko is built for '$vermagic', not $KVER"
[ -n "$(modinfo -F srcversion "$ko")" ] || die "$ko has no srcversion (the guest harness identifies modules by it)"
info "built $ko (version $(modinfo -F version "$ko"), srcversion $(modinfo -F srcversion "$ko"))"
echo "$ko"
