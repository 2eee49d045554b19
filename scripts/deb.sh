#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the Debian packages (make deb) with Debian's own tooling
# (dpkg-buildpackage, debhelper, dh_dkms), in a staged copy of the tree:
#
#   ovpn-dco-fast-dkms_VERSION_all.deb   the module's sources for DKMS
#   ovpn-cli_VERSION_amd64.deb           the CLI, its man page, unit, completion
#
#   scripts/deb.sh [--version V] [--out DIR]
#
# VERSION is dkms.conf's PACKAGE_VERSION, the project's one version: the
# staged debian/changelog is written from it (a native package: no Debian
# revision), so module, dkms, packages and ovpn-cli --version agree.
# --version V stages the tree with PACKAGE_VERSION=V instead (make deb-check
# builds a lower version this way to test upgrades). --out: where the .deb,
# .changes and .buildinfo go (default build/deb). The copy is of the files git
# knows (tracked, or untracked and not ignored), as they are in the work tree.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "deb: ERROR: $*" >&2; exit 1; }

version='' out=$TOP/build/deb
while [ $# -gt 0 ]; do
	case "$1" in
	--version) version=${2:-}; shift ;;
	--out) out=${2:-}; shift ;;
	*) echo "usage: $0 [--version V] [--out DIR]" >&2; exit 2 ;;
	esac
	shift
done

for c in dpkg-buildpackage dh dh_dkms python3; do
	command -v "$c" >/dev/null || die "$c missing: scripts/deps.sh --deb (or make deb)"
done

name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' "$TOP/dkms.conf")
[ -n "$version" ] || version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$TOP/dkms.conf")
[ -n "$name" ] && [ -n "$version" ] || die "no PACKAGE_NAME/PACKAGE_VERSION in dkms.conf"
src=$(sed -n 's/^Source: *//p' "$TOP/debian/control")
[ "$src" = "$name" ] || die "debian/control's Source ($src) is not dkms.conf's PACKAGE_NAME ($name)"
# dpkg's version syntax, and what dkms accepts in a path
[[ $version =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || die "version '$version' is not a native Debian version"

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$out/.stage-$version
stage=$work/$name-$version
rm -rf "$work"
mkdir -p "$stage"

# The tree as git sees it, with uncommitted edits (a tarball without .git:
# everything but build products).
if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$TOP" ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$TOP/$f" ] && printf '%s\0' "$f"; done |
		tar -C "$TOP" --null -T - -cf - | tar -C "$stage" -xf -
	desc=$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)
	date=$(git -C "$TOP" log -1 --format=%aD 2>/dev/null || date -R)
else
	tar -C "$TOP" --exclude=./build --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
		--exclude=./cli/ovpn-cli -cf - . | tar -C "$stage" -xf -
	desc=unknown date=$(date -R)
fi
sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$version\"/" "$stage/dkms.conf"

maint=$(sed -n 's/^Maintainer: *//p' "$stage/debian/control")
cat >"$stage/debian/changelog" <<EOF
$name ($version) unstable; urgency=medium

  * Built by make deb from the source tree at $desc.

 -- $maint  $date
EOF

echo "deb: building $name $version in $stage"
log=$work/build.log
if ! (cd "$stage" && DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -us -uc -b) >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	die "dpkg-buildpackage failed (log $log)"
fi
arch=$(dpkg --print-architecture)
# build/deb holds one version: apt-get install ./build/deb/*.deb must not
# see an older one beside it
rm -f "$out/${name}-dkms_"*.deb "$out/ovpn-cli_"*.deb "$out/ovpn-cli-dbgsym_"*.deb \
	"$out/${name}_"*.changes "$out/${name}_"*.buildinfo
files=("${name}-dkms_${version}_all.deb" "ovpn-cli_${version}_${arch}.deb"
       "${name}_${version}_${arch}.changes" "${name}_${version}_${arch}.buildinfo")
for f in "${files[@]}"; do
	[ -f "$work/$f" ] || die "dpkg-buildpackage did not make $f (log $log)"
	mv "$work/$f" "$out/"
done
rm -rf "$stage"
echo "deb: $out:"
for f in "${files[@]}"; do echo "    $f"; done
