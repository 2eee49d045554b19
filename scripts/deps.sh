#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install every Debian package the build, the unit tests, the guest tests and
# the demo need (Debian 12, run as root, no stdin needed), and fetch the
# reference module's source the unit tests compare with (never installed).
#
#   scripts/deps.sh               apt-get update + install everything (idempotent)
#   scripts/deps.sh --if-missing  do nothing unless dpkg-query says a package is missing
#   scripts/deps.sh --bench [--if-missing]
#                                 also what only `make bench` needs (wireguard-tools
#                                 for the guest, python3-matplotlib for the chart)
#   scripts/deps.sh --debug-kernel  also what building the debug kernel needs
#                                 (make check-debug: linux-source-6.1, bison...)
#   --kernel SERIES               also Debian's linux-image-SERIES-amd64 and
#                                 linux-headers-SERIES-amd64 metapackages (e.g. 6.12),
#                                 and the kernel they depend on instead of KVER
#   --dkms                        also dkms (make dkms-check)
#   --deb                         also what make deb / deb-check need (debhelper,
#                                 dh-dkms, lintian, dkms, man-db, groff)
#
# KVER (environment) selects the kernel; default: the one linux-image-amd64
# depends on (scripts/kver.sh). Its image and headers are installed explicitly,
# since linux-headers-amd64 alone follows the metapackage, not KVER.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive

if_missing=0 bench=0 debug_kernel=0 series='' dkms=0 deb=0
while [ $# -gt 0 ]; do
	case "$1" in
	--if-missing) if_missing=1 ;;
	--bench) bench=1 ;;
	--debug-kernel) debug_kernel=1 ;;
	--kernel) series=${2:-}; shift ;;
	--kernel=*) series=${1#*=} ;;
	--dkms) dkms=1 ;;
	--deb) deb=1 ;;
	-h|--help) sed -n '3,24p' "$0"; exit 0 ;;
	*) echo "usage: $0 [--if-missing] [--bench] [--debug-kernel] [--kernel SERIES] [--dkms] [--deb]" >&2; exit 2 ;;
	esac
	shift
done
case "$series" in
""|[0-9]*.[0-9]*) ;;
*) echo "deps.sh: --kernel takes a series like 6.12, not '$series'" >&2; exit 2 ;;
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
# Only for `make bench` (not installed by `make check`): WireGuard's wg, copied
# into the guest; matplotlib for the chart (Debian's python3, /usr/bin/python3).
BENCH_PKGS=(wireguard-tools python3-matplotlib)
[ "$bench" = 0 ] || PKGS+=("${BENCH_PKGS[@]}")
# The debug kernel (scripts/build-debug-kernel.sh): its source and build tools.
[ "$debug_kernel" = 0 ] || PKGS+=(linux-source-6.1 bc bison flex libelf-dev libssl-dev xz-utils)
# A second kernel series (make check-6.12): its metapackages name its current
# ABI, as linux-image-amd64 does for the default one.
[ -z "$series" ] || PKGS+=("linux-image-$series-amd64" "linux-headers-$series-amd64")
# make dkms-check: dkms itself (only ever run on scratch trees there; xz for
# the modules it compresses like the kernel's own).
[ "$dkms" = 0 ] || PKGS+=(dkms xz-utils)
# make deb / deb-check (scripts/deb.sh, tests/deb-check.sh): Debian's packaging
# tools (dh_dkms is its own package in Debian 12), lintian, and man/groff to
# render the manual pages; dkms builds the module when the package installs.
[ "$deb" = 0 ] || PKGS+=(debhelper dh-dkms dpkg-dev lintian dkms xz-utils man-db groff-base)

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
if [ -n "$series" ]; then
	KVER=$("$TOP/scripts/kver.sh" "$series")
else
	KVER=$("$TOP/scripts/kver.sh")
fi
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
cmds=(qemu-system-x86_64 cpio gzip depmod modinfo busybox ip ping iperf3 tcpdump openvpn bash)
[ "$dkms" = 0 ] || cmds+=(dkms xz)
[ "$deb" = 0 ] || cmds+=(dkms xz dpkg-buildpackage dh dh_dkms lintian man groff)
for c in "${cmds[@]}"; do
	PATH=$PATH:/usr/sbin:/sbin command -v "$c" >/dev/null || { echo "deps.sh: missing command $c" >&2; err=1; }
done
if [ "$bench" = 1 ]; then
	command -v wg >/dev/null || { echo "deps.sh: missing command wg" >&2; err=1; }
	/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || { echo "deps.sh: /usr/bin/python3 cannot import matplotlib" >&2; err=1; }
fi
[ "$err" = 0 ] || exit 1

# 4. The reference module's source (downloaded and unpacked, never installed):
# tests/unit/check_uapi.py compares our numbering with its uapi header and
# fails without it.
"$TOP/scripts/fetch-reference.sh" >/dev/null || { echo "deps.sh: cannot fetch the reference module's source" >&2; exit 1; }
[ "$if_missing" = 1 ] || echo "deps.sh: all dependencies installed (KVER=$KVER)"
exit 0
