#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Test dkms.conf the way a Debian host uses it, without touching the host's
# dkms or module trees: `dkms add`, `build`, `install`, then `uninstall` and
# `remove`, with --sourcetree, --dkmstree and --installtree pointing at
# scratch directories under build/dkms/ (and --no-depmod: depmod would
# rewrite the host's /lib/modules/KVER/modules.dep). The module dkms
# installed (compressed like the kernel's own: .ko.xz on 6.12) is then booted
# in the guest and a few scenarios run with it.
#
#   scripts/dkms-check.sh [--no-guest] [KVER ...]     default: scripts/kver.sh
#   --no-guest   dkms steps only (no QEMU run)
#
# DKMS_SCENARIOS (environment): scenario globs for the guest run (default
# below: UDP and TCP tunnels, module reload by path, OpenVPN 2.6 on it).
# Artifacts: build/dkms/ (trees, logs) and build/guest-dkms-KVER/.
# Ends with one line `dkms-check: N kernel(s) passed, N failed`.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
export PATH=$PATH:/usr/sbin:/sbin
die() { echo "dkms-check: ERROR: $*" >&2; exit 1; }
info() { echo "dkms-check: $*" >&2; }

command -v dkms >/dev/null || die "dkms not installed: scripts/deps.sh --dkms"
[ "$(id -u)" = 0 ] || die "dkms wants root (it checks), even on scratch trees"

GUEST=1
if [ "${1:-}" = --no-guest ]; then
	GUEST=0
	shift
fi
KVERS=("$@")
[ "${#KVERS[@]}" -gt 0 ] || KVERS=("$("$TOP/scripts/kver.sh")")
read -r -a SCN <<<"${DKMS_SCENARIOS:-02-oneshot-ping 70-tcp-oneshot 42-rmmod-reload 60-openvpn-p2p-udp}"

conf=$TOP/dkms.conf
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' "$conf")
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$conf")
[ -n "$name" ] && [ -n "$version" ] || die "no PACKAGE_NAME/PACKAGE_VERSION in $conf"
[ "$name" != ovpn-dco ] || die "dkms name ovpn-dco is Debian's openvpn-dco-dkms: ours must differ"
# The module's MODULE_VERSION comes from PACKAGE_VERSION (Kbuild): checked
# below with modinfo on what dkms built.

W=$TOP/build/dkms
SRC=$W/src DT=$W/dkms IT=$W/modules
mkdir -p "$W"
exec 9>"$W/.lock"
flock -n 9 || die "another dkms-check holds $W"
rm -rf "$SRC" "$DT" "$IT"
mkdir -p "$SRC" "$DT" "$IT"
# Sign with a throwaway key in the scratch tree, never /var/lib/dkms/mok.key
# (dkms 3 generates one there on first use).
export mok_signing_key=$W/mok.key mok_certificate=$W/mok.pub
D=(dkms --sourcetree "$SRC" --dkmstree "$DT" --installtree "$IT")

# dkms add: the sources as `make dkms-add` stages them.
make -s -C "$TOP" dkms-source DESTDIR="$W/stage" >/dev/null
mv "$W/stage/usr/src/$name-$version" "$SRC/"
rm -rf "$W/stage"
"${D[@]}" add -m "$name" -v "$version" >"$W/add.log" 2>&1 || { cat "$W/add.log"; die "dkms add failed"; }
info "dkms add $name/$version: ok"

passed=0 failed=0
for kver in "${KVERS[@]}"; do
	log=$W/$kver.log
	: >"$log"
	fail() { info "FAIL $kver: $*"; failed=$((failed + 1)); }
	[ -e "/lib/modules/$kver/build/Makefile" ] || { fail "no headers for $kver (scripts/deps.sh)"; continue; }
	t0=$(date +%s)
	if ! "${D[@]}" build -m "$name" -v "$version" -k "$kver" >>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		find "$DT/$name/$version" -name make.log -exec tail -n 30 {} + >&2 2>/dev/null || true
		fail "dkms build (log $log)"
		continue
	fi
	mkdir -p "$IT/$kver"
	if ! "${D[@]}" install --no-depmod -m "$name" -v "$version" -k "$kver" >>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		fail "dkms install (log $log)"
		continue
	fi
	mapfile -t kos < <(find "$IT/$kver" -name 'ovpn-dco-v2.ko*')
	if [ "${#kos[@]}" != 1 ]; then
		fail "dkms install left ${#kos[@]} ovpn-dco-v2.ko* in $IT/$kver: ${kos[*]}"
		continue
	fi
	ko=${kos[0]}
	case "$ko" in
	"$IT/$kver/updates/dkms/ovpn-dco-v2.ko"*) ;;
	*) fail "installed as $ko, not under updates/dkms/"; continue ;;
	esac
	st=$("${D[@]}" status -m "$name" -v "$version" -k "$kver" 2>&1)
	case "$st" in
	*": installed"*) ;;
	*) fail "dkms status says '$st', not installed"; continue ;;
	esac
	vm=$(modinfo -F vermagic "$ko" | awk '{print $1}')
	mv=$(modinfo -F version "$ko")
	if [ "$vm" != "$kver" ] || [ "$mv" != "$version" ]; then
		fail "$ko: vermagic '$vm', version '$mv' (want $kver, $version)"
		continue
	fi
	info "$kver: dkms build + install in $(($(date +%s) - t0)) s: $ko ($(du -k "$ko" | cut -f1) KiB, srcversion $(modinfo -F srcversion "$ko"))"

	# The installed file itself goes to the guest, loaded by path.
	keep=$W/$kver/$(basename "$ko")
	mkdir -p "$W/$kver"
	cp "$ko" "$keep"
	if [ "$GUEST" = 0 ]; then
		info "$kver: guest run skipped (--no-guest)"
	elif info "$kver: guest run of ${SCN[*]} with the dkms module" &&
		! OVPN_GUEST_OUT=$TOP/build/guest-dkms-$kver KVER=$kver \
			"$TOP/tests/guest/run.sh" --ko "$keep" "${SCN[@]}"; then
		fail "guest run with the dkms-built module (artifacts build/guest-dkms-$kver)"
		continue
	fi

	if ! "${D[@]}" uninstall --no-depmod -m "$name" -v "$version" -k "$kver" >>"$log" 2>&1; then
		fail "dkms uninstall (log $log)"
		continue
	fi
	if find "$IT/$kver" -name 'ovpn-dco-v2.ko*' | grep -q .; then
		fail "dkms uninstall left $(find "$IT/$kver" -name 'ovpn-dco-v2.ko*')"
		continue
	fi
	info "PASS $kver"
	passed=$((passed + 1))
done

if "${D[@]}" remove -m "$name" -v "$version" --all >>"$W/add.log" 2>&1 &&
	[ ! -e "$DT/$name/$version" ]; then
	info "dkms remove --all: ok"
else
	info "FAIL dkms remove --all (log $W/add.log)"
	failed=$((failed + 1))
fi
echo "dkms-check: $passed kernel(s) passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
