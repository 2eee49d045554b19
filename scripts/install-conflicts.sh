#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# scripts/install-conflicts.sh DIR [OURS]
#
# Fail if DIR (a /lib/modules/KVER tree, or /lib/modules for every kernel)
# holds an ovpn-dco-v2.ko other than OURS (the path being installed): Debian's
# openvpn-dco-dkms (dkms name ovpn-dco) or our own dkms package
# (ovpn-dco-fast) in updates/dkms/, or another `make install`. Two modules of
# one name leave it to depmod's search order which one modprobe and
# OpenVPN's autoload get.
dir=$1 ours=${2:-}
[ -d "$dir" ] || exit 0
found=$(find "$dir" -name 'ovpn-dco-v2.ko*' 2>/dev/null | while read -r f; do
	case "$f" in "$ours"|"$ours".xz|"$ours".zst|"$ours".gz) ;; *) echo "$f" ;; esac
done)
[ -z "$found" ] && exit 0
echo "another ovpn-dco-v2.ko is installed:" >&2
printf '    %s\n' $found >&2
echo "remove it first (openvpn-dco-dkms: apt-get remove openvpn-dco-dkms; our dkms package:" >&2
echo "make dkms-remove; a make install: make uninstall [KVER=...])" >&2
exit 1
