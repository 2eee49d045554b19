#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install every Debian package the build, the unit tests, the guest tests and
# the demo need (Debian 12, run as root, no stdin needed).
#
#   scripts/deps.sh               apt-get update + install everything (idempotent)
#   scripts/deps.sh --if-missing  do nothing unless dpkg-query says a package is missing
#
# KVER (environment) selects the kernel; default: the one linux-image-amd64
# depends on (scripts/kver.sh). Its image and headers are installed explicitly,
# since linux-headers-amd64 alone follows the metapackage, not KVER.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive

if_missing=0
case "${1:-}" in
--if-missing) if_missing=1 ;;
"") ;;
-h|--help) sed -n '3,12p' "$0"; exit 0 ;;
*) echo "usage: $0 [--if-missing]" >&2; exit 2 ;;
esac

# Build: module + CLI (+ sparse for `make sparse`).
PKGS=(build-essential gcc make pkg-config libnl-3-dev libnl-genl-3-dev libmbedtls-dev sparse python3)
# make fuzz-unit: libFuzzer harnesses (clang 14 brings libFuzzer and the sanitizers)
PKGS+=(clang)
# Kernel to build against and to boot in the guest (KVER-specific ones added below).
PKGS+=(linux-image-amd64 linux-headers-amd64)
# Guest harness on the host: QEMU, initramfs tools, depmod/modinfo.
PKGS+=(qemu-system-x86 busybox-static cpio gzip kmod coreutils)
# Userspace copied into the guest (tests/guest/run.sh copies these binaries).
PKGS+=(bash coreutils grep sed mawk findutils procps util-linux mount iproute2 iputils-ping
       iperf3 tcpdump openvpn openssl ethtool kmod)

# Wait for a concurrent apt/dpkg (another job on the machine) instead of failing.
LOCK_OPTS=(-o DPkg::Lock::Timeout=600)
APT_OPTS=(-y -q "${LOCK_OPTS[@]}" -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

missing() {
	local p st
	for p in "$@"; do
		st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
		case "$st" in
		ii*) ;;
		*) printf '%s\n' "$p" ;;
		esac
	done
}

apt_install() {
	$SUDO apt-get install "${APT_OPTS[@]}" --no-install-recommends "$@" </dev/null
}

updated=0
apt_update() {
	[ "$updated" = 1 ] && return 0
	$SUDO apt-get update -q "${LOCK_OPTS[@]}" </dev/null
	updated=1
}

# 1. Generic packages (this also installs linux-image-amd64, which tells us KVER).
if [ "$if_missing" = 1 ]; then
	mapfile -t need < <(missing "${PKGS[@]}")
else
	need=("${PKGS[@]}")
fi
if [ "${#need[@]}" -gt 0 ]; then
	echo "deps.sh: installing: ${need[*]}"
	apt_update
	apt_install "${need[@]}"
fi

# 2. The image and headers of exactly KVER.
KVER=$("$TOP/scripts/kver.sh")
KPKGS=("linux-image-$KVER" "linux-headers-$KVER")
if [ "$if_missing" = 1 ]; then
	mapfile -t need < <(missing "${KPKGS[@]}")
else
	need=("${KPKGS[@]}")
fi
if [ "${#need[@]}" -gt 0 ]; then
	echo "deps.sh: installing kernel $KVER: ${need[*]}"
	apt_update
	apt_install "${need[@]}"
fi

# 3. Sanity: what the harness needs must now be there.
err=0
for f in "/boot/vmlinuz-$KVER" "/lib/modules/$KVER/kernel" "/lib/modules/$KVER/build/Makefile"; do
	[ -e "$f" ] || { echo "deps.sh: missing $f after install" >&2; err=1; }
done
for c in qemu-system-x86_64 cpio gzip depmod modinfo busybox ip ping iperf3 tcpdump openvpn bash; do
	PATH=$PATH:/usr/sbin:/sbin command -v "$c" >/dev/null || { echo "deps.sh: missing command $c" >&2; err=1; }
done
[ "$err" = 0 ] || exit 1
[ "$if_missing" = 1 ] || echo "deps.sh: all dependencies installed (KVER=$KVER)"
exit 0
