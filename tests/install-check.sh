#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make install` and `make uninstall` into a scratch DESTDIR (never the live
# system): every file lands where the README says, the module is the one
# built for KVER, the installed uapi header compiles on its own, the
# installed CLI runs, and uninstall leaves no file behind.
#
#   tests/install-check.sh        (make install-check; KVER/MODDIR as for make)
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
export PATH=$PATH:/usr/sbin:/sbin
KVER=${KVER:-$("$TOP/scripts/kver.sh")}
D=$(mktemp -d "${TMPDIR:-/tmp}/ovpn-install-check.XXXXXX")
trap 'rm -rf "$D"' EXIT
fails=0
fail() { echo "install-check: FAIL: $*" >&2; fails=$((fails + 1)); }

# Only this test's variables: KVER/KDIR/MODDIR come through the environment
# or make's command line as for any target.
make -s -C "$TOP" install DESTDIR="$D/root" PREFIX=/usr/local >"$D/install.log" 2>&1 ||
	{ cat "$D/install.log" >&2; echo "install-check: make install failed" >&2; exit 1; }

ko=$D/root/lib/modules/$KVER/updates/ovpn-dco-v2.ko
hdr=$D/root/usr/local/include/linux/ovpn_dco.h
hdr2=$D/root/usr/local/include/linux/ovpn.h
cli=$D/root/usr/local/sbin/ovpn-cli
unit=$D/root/usr/local/lib/systemd/system/ovpn-cli@.service
for f in "$ko" "$hdr" "$hdr2" "$cli" "$unit"; do
	[ -f "$f" ] || fail "make install did not create ${f#"$D/root"}"
done
grep -q "depmod not run" "$D/install.log" || fail "make install with DESTDIR should skip depmod and say so"
if [ -f "$ko" ]; then
	vm=$(modinfo -F vermagic "$ko" | awk '{print $1}')
	[ "$vm" = "$KVER" ] || fail "installed module is for '$vm', not $KVER"
	[ "$(modinfo -F version "$ko")" = "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$TOP/dkms.conf")" ] ||
		fail "installed module has version '$(modinfo -F version "$ko")'"
	[ "$(stat -c %a "$ko")" = 644 ] || fail "module mode $(stat -c %a "$ko"), want 644"
fi
if [ -f "$hdr" ]; then
	printf '#include <linux/ovpn_dco.h>\nint main(void) { return OVPN_CMD_NEW_PEER == 0; }\n' >"$D/t.c"
	cc -Wall -Wextra -Werror -I"$D/root/usr/local/include" -o "$D/t" "$D/t.c" 2>"$D/cc.log" ||
		{ cat "$D/cc.log" >&2; fail "a program including the installed <linux/ovpn_dco.h> does not build"; }
fi
if [ -f "$hdr2" ]; then
	printf '#include <linux/ovpn.h>\nint main(void) { return OVPN_CMD_PEER_NEW == 0; }\n' >"$D/t2.c"
	cc -Wall -Wextra -Werror -I"$D/root/usr/local/include" -o "$D/t2" "$D/t2.c" 2>"$D/cc2.log" ||
		{ cat "$D/cc2.log" >&2; fail "a program including the installed <linux/ovpn.h> does not build"; }
fi
if [ -x "$cli" ]; then
	out=$("$cli" --help 2>&1) || fail "installed ovpn-cli --help exits $?: $out"
	case "$out" in
	Usage:*) ;;
	*) fail "installed ovpn-cli --help printed no usage: $out" ;;
	esac
else
	fail "installed ovpn-cli is not executable"
fi
if [ -f "$unit" ]; then
	grep -q '^ExecStart=/usr/local/sbin/ovpn-cli up %i$' "$unit" ||
		fail "the installed unit does not start /usr/local/sbin/ovpn-cli: $(grep ^ExecStart "$unit")"
	[ "$(stat -c %a "$unit")" = 644 ] || fail "unit mode $(stat -c %a "$unit"), want 644"
fi
left=$(find "$D/root" -type f | sed "s|^$D/root||" | sort)
want=$(printf '%s\n' "/lib/modules/$KVER/updates/ovpn-dco-v2.ko" /usr/local/include/linux/ovpn_dco.h \
	/usr/local/include/linux/ovpn.h /usr/local/sbin/ovpn-cli /usr/local/lib/systemd/system/ovpn-cli@.service | sort)
[ "$left" = "$want" ] || fail "make install created other files than expected: $(comm -3 <(echo "$left") <(echo "$want") | tr '\n' ' ')"

# Installing over our own copy is an upgrade; beside another ovpn-dco-v2.ko
# (openvpn-dco-dkms's, in updates/dkms/) it must refuse.
make -s -C "$TOP" install DESTDIR="$D/root" PREFIX=/usr/local >"$D/install2.log" 2>&1 ||
	{ cat "$D/install2.log" >&2; fail "a second make install over our own module failed"; }
other=$D/root/lib/modules/$KVER/updates/dkms/ovpn-dco-v2.ko
mkdir -p "$(dirname "$other")"
: >"$other"
if make -s -C "$TOP" install DESTDIR="$D/root" PREFIX=/usr/local >"$D/install3.log" 2>&1; then
	fail "make install did not refuse beside another ovpn-dco-v2.ko (${other#"$D/root"})"
elif ! grep -q "another ovpn-dco-v2.ko is installed" "$D/install3.log"; then
	cat "$D/install3.log" >&2
	fail "make install failed beside another ovpn-dco-v2.ko, but not saying why"
fi
rm -f "$other"
rmdir "$(dirname "$other")"

make -s -C "$TOP" uninstall DESTDIR="$D/root" PREFIX=/usr/local >"$D/uninstall.log" 2>&1 ||
	{ cat "$D/uninstall.log" >&2; fail "make uninstall failed"; }
left=$(find "$D/root" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"

if [ "$fails" = 0 ]; then
	echo "install-check: PASS (KVER=$KVER: module, uapi header, ovpn-cli installed under DESTDIR, reinstalled," \
		"refused beside another ovpn-dco-v2.ko, removed)"
else
	echo "install-check: $fails failure(s)"
	exit 1
fi
