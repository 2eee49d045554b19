#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make deb-check: the Debian packages as a user gets them, without touching
# this machine's package, dkms or module state.
#
#   1. make deb: the packages of this tree's version V, and of a lower
#      version P from the same tree (the upgrade's starting point);
#   2. lintian on V: no error or warning (overrides carry their reasons);
#   3. both manual pages render with groff warnings on, and ovpn-dco-v2(4)
#      lists exactly the parameters modinfo shows (checked in step 4);
#   4. in a throwaway root (an overlay of / in a private mount namespace,
#      written to a tmpfs, entered with chroot: the real kernel headers,
#      compilers, dkms and dpkg database, and nothing reaches the host):
#      openvpn-dco-dkms unpacked, then dpkg -i P must replace it;
#      dpkg -i P with the last kernel's headers hidden, dkms must have built
#      and installed P for the others; those headers appear and the kernel's
#      dkms hook runs, dkms must build P for it (a new kernel: AUTOINSTALL);
#      the upgrade runs with uname -r saying that kernel: our postinst must
#      build for the others, which dkms's own postinst skips;
#      apt-get install ./build/deb/*.deb (the README's command) upgrades to V:
#      the same for V, and nothing of P left;
#      ovpn-cli --version, modinfo version, files, modes, man pages;
#      dpkg --purge: no file, directory, dkms entry or module left, judged by
#      what the overlay's upper layer still holds beyond dpkg's own records;
#   5. with DEB_CHECK_GUEST=1 (not in make check: make dkms-check boots
#      dkms-built modules already), a guest run of DEB_CHECK_SCENARIOS
#      (default 02-*) with each kernel's module as dkms built it from the
#      package, under flock /tmp/guest.lock.
#
# Kernels: every kernel with headers in /lib/modules; make deb-check installs
# Debian 12's two series (6.1 and 6.12) first. Artifacts: build/deb/ (the
# packages), build/deb/check/ (logs, the modules dkms built).
# Ends with `deb-check: N passed, N failed`.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
export PATH=$PATH:/usr/sbin:/sbin
export LC_ALL=C.UTF-8
OUT=$TOP/build/deb/check

# ------------------------------------------------------------ in the root
if [ "${1:-}" = --in-root ]; then
	# Runs chrooted in the overlay: env DEB_DIR PREV_DIR V P NAME KVERS.
	export DEBIAN_FRONTEND=noninteractive
	passed=0 failed=0
	ok() { echo "deb-check:   ok: $*"; passed=$((passed + 1)); }
	bad() { echo "deb-check:   FAIL: $*" >&2; failed=$((failed + 1)); }
	arch=$(dpkg --print-architecture)
	debs() { echo "$1/$NAME-dkms_$2_all.deb $1/ovpn-cli_$2_$arch.deb"; }

	# a version is in place: dkms built and installed it for these kernels
	installed_as() { # VERSION KVER...
		local v=$1 k st ko
		shift
		[ "$(dpkg-query -W -f='${Version}' "$NAME-dkms" ovpn-cli 2>/dev/null | tr '\n' ' ')" = "$v$v" ] &&
			ok "dpkg: $NAME-dkms and ovpn-cli $v installed" ||
			bad "dpkg: not both packages at $v: $(dpkg-query -W "$NAME-dkms" ovpn-cli 2>&1 | tr '\n' ' ')"
		for k in "$@"; do
			# (dkms status also prints readelf's complaints on stderr)
			st=$(dkms status -m "$NAME" -k "$k" 2>/dev/null)
			case "$st" in
			"$NAME/$v, $k, "*": installed"*) ;;
			*) bad "dkms status for $k: '$st', want $NAME/$v installed"; continue ;;
			esac
			ko=$(find "/lib/modules/$k/updates/dkms" -name 'ovpn-dco-v2.ko*' 2>/dev/null)
			if [ "$(printf '%s\n' "$ko" | grep -c .)" != 1 ]; then
				bad "$k: want one ovpn-dco-v2.ko* in updates/dkms, found '${ko//$'\n'/ }'"
				continue
			fi
			if [ "$(modinfo -F version "$ko")" != "$v" ] ||
			   [ "$(modinfo -F vermagic "$ko" | awk '{print $1}')" != "$k" ]; then
				bad "$ko: version '$(modinfo -F version "$ko")', vermagic '$(modinfo -F vermagic "$ko")'"
				continue
			fi
			# modprobe finds it by name (depmod ran) and by OpenVPN's aliases
			if ! modprobe -S "$k" -n -v ovpn-dco-v2 2>&1 | grep -q "updates/dkms/ovpn-dco-v2.ko" ||
			   ! modprobe -S "$k" -R net-pf-16-proto-16-family-ovpn-dco-v2 >/dev/null 2>&1; then
				bad "$k: modprobe does not resolve ovpn-dco-v2 or its family alias to the dkms module"
				continue
			fi
			ok "dkms: $NAME/$v built and installed for $k ($ko)"
		done
		if [ "$(ovpn-cli --version 2>&1)" = "ovpn-cli $v" ]; then
			ok "ovpn-cli --version: ovpn-cli $v"
		else
			bad "ovpn-cli --version says '$(ovpn-cli --version 2>&1)', want 'ovpn-cli $v'"
		fi
	}

	# The last kernel plays a new one: its headers are hidden while P
	# installs, then "installed" (put back, and the hook linux-headers-*
	# runs), and dkms must build P for it by itself (AUTOINSTALL).
	read -r -a kv <<<"$KVERS"
	newk=''
	[ "${#kv[@]}" -lt 2 ] || { newk=${kv[-1]}; unset 'kv[-1]'; }
	[ -z "$newk" ] || mv "/lib/modules/$newk/build" "/lib/modules/$newk/.build-hidden"

	# Debian's openvpn-dco-dkms is there first (unpacked only: its dkms
	# build is not what is tested), and ours replaces it: Conflicts+Replaces
	# let dpkg remove it in the same step. (scripts/deps.sh downloads it to
	# build/reference/ for the unit tests.)
	ref=$(ls "$TOP"/build/reference/openvpn-dco-dkms_*_all.deb 2>/dev/null | tail -n 1)
	if [ -n "$ref" ]; then
		dpkg --unpack "$ref" >"$OUT/reference.log" 2>&1 ||
			bad "dpkg --unpack $ref (build/deb/check/reference.log)"
	else
		echo "deb-check:   (no build/reference/openvpn-dco-dkms_*.deb: replacing it is not tested)"
	fi

	echo "deb-check: install $P (the previous version)${newk:+, headers of $newk hidden}"
	# shellcheck disable=SC2046
	if dpkg -i $(debs "$PREV_DIR" "$P") >"$OUT/install-$P.log" 2>&1; then
		ok "dpkg -i $P"
		installed_as "$P" "${kv[@]}"
	else
		bad "dpkg -i $P failed (build/deb/check/install-$P.log)"
		tail -n 30 "$OUT/install-$P.log" >&2
	fi
	if [ -n "$ref" ]; then
		st=$(dpkg-query -W -f='${db:Status-Abbrev}' openvpn-dco-dkms 2>/dev/null || true)
		case "$st" in
		ii*|iU*|iF*|iH*) bad "openvpn-dco-dkms is still installed ($st) beside $NAME-dkms" ;;
		*) if ls -d /usr/src/ovpn-dco-[0-9]* >/dev/null 2>&1; then
			bad "openvpn-dco-dkms's sources stayed: $(ls -d /usr/src/ovpn-dco-[0-9]*)"
		   else
			ok "$NAME-dkms replaced openvpn-dco-dkms (removed by dpkg in the same step)"
		   fi ;;
		esac
	fi
	if [ -n "$newk" ]; then
		mv "/lib/modules/$newk/.build-hidden" "/lib/modules/$newk/build"
		# ("added" only: no line names the kernel)
		case "$(dkms status -m "$NAME" -k "$newk" 2>/dev/null)" in
		*"$newk"*) bad "dkms built for $newk although its headers were hidden" ;;
		esac
		echo "deb-check: new kernel $newk: its headers appear, /etc/kernel/header_postinst.d/dkms runs"
		/etc/kernel/header_postinst.d/dkms "$newk" >"$OUT/newkernel.log" 2>&1 ||
			bad "the dkms kernel hook failed (build/deb/check/newkernel.log)"
		installed_as "$P" "$newk"
	fi

	# The upgrade runs as on a host that booted the newest kernel: dkms's
	# common.postinst then builds for that one only, and our postinst must
	# build for the others. uname -r says so (bound over uname itself: dpkg
	# gives maintainer scripts a PATH of its own).
	if [ -n "$newk" ]; then
		cp /usr/bin/uname /usr/local/bin/deb-check-uname.real
		printf '#!/bin/sh\n[ "$*" = -r ] && echo %s && exit 0\nexec /usr/local/bin/deb-check-uname.real "$@"\n' \
			"$newk" >/usr/local/bin/deb-check-uname
		chmod 755 /usr/local/bin/deb-check-uname
		mount --bind /usr/local/bin/deb-check-uname /usr/bin/uname
		# (seen by a shell as dpkg's maintainer scripts run it)
		seen=$(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin sh -c 'uname -r')
		[ "$seen" = "$newk" ] ||
			echo "deb-check:   (uname -r still says '$seen' to a shell: dkms's postinst builds for every kernel then)"
	fi
	echo "deb-check: upgrade to $V${newk:+, running kernel $newk}"
	# as the README says it (its Depends are all installed here, so nothing
	# is downloaded)
	if (cd "$DEB_DIR/../.." && apt-get install -y -q ./build/deb/*.deb) \
		>"$OUT/install-$V.log" 2>&1; then
		ok "apt-get install ./build/deb/*.deb ($V over $P)"
		# shellcheck disable=SC2086
		installed_as "$V" $KVERS
		dkms status -m "$NAME" >"$OUT/dkms-status.txt" 2>/dev/null
		# dkms's common.postinst says "Building for K..." (the running and
		# the newest kernel; every kernel when uname -r names none
		# installed); ours must build for each kernel that list leaves out.
		# (apt's progress lines end in CR)
		tr -d '\r' <"$OUT/install-$V.log" >"$OUT/install-$V.txt"
		dkms_built=$(sed -n '/^Building for architecture/d; s/^Building for //p' "$OUT/install-$V.txt" |
			     sed 's/,/ /g; s/ and / /g' | tail -n 1)
		[ -z "$newk" ] || echo "deb-check:   dkms's own postinst built for: ${dkms_built:-?}"
		for k in "${kv[@]}"; do
			[ -n "$newk" ] || break
			if grep -qxF "$NAME-dkms: building the module for kernel $k" "$OUT/install-$V.txt"; then
				ok "postinst built for $k beside the running $newk"
			elif [[ " $dkms_built " == *" $k "* ]]; then
				ok "dkms's postinst built for $k itself (ours had nothing left to build)"
			else
				bad "neither postinst built for $k (build/deb/check/install-$V.log)"
			fi
		done
	else
		bad "apt-get install of $V failed (build/deb/check/install-$V.log)"
		tail -n 30 "$OUT/install-$V.log" >&2
	fi
	if [ -n "$newk" ]; then
		umount /usr/bin/uname
		rm -f /usr/local/bin/deb-check-uname /usr/local/bin/deb-check-uname.real
	fi
	if [ -e "/usr/src/$NAME-$P" ] || [ -e "/var/lib/dkms/$NAME/$P" ]; then
		bad "the upgrade left $P behind: $(ls -d "/usr/src/$NAME-$P" "/var/lib/dkms/$NAME/$P" 2>/dev/null)"
	else
		ok "upgrade: nothing of $P left in /usr/src or the dkms tree"
	fi

	# what the packages installed
	[ "$(stat -c '%a %U' /etc/ovpn-cli 2>&1)" = "700 root" ] &&
		ok "/etc/ovpn-cli: 0700 root" || bad "/etc/ovpn-cli: $(stat -c '%a %U' /etc/ovpn-cli 2>&1)"
	for f in /lib/systemd/system/ovpn-cli@.service /usr/share/bash-completion/completions/ovpn-cli; do
		[ -f "$f" ] && ok "$f installed" || bad "$f missing"
	done
	grep -q '^ExecStart=/usr/sbin/ovpn-cli up %i$' /lib/systemd/system/ovpn-cli@.service &&
		ok "unit: ExecStart=/usr/sbin/ovpn-cli up %i" || bad "unit ExecStart: $(grep ExecStart= /lib/systemd/system/ovpn-cli@.service)"
	if bash -c '. /usr/share/bash-completion/bash_completion 2>/dev/null || _init_completion() { :; }
		. /usr/share/bash-completion/completions/ovpn-cli && complete -p ovpn-cli' >/dev/null 2>&1; then
		ok "bash completion loads"
	else
		bad "bash completion does not load"
	fi
	for page in ovpn-cli.8 ovpn-dco-v2.4; do
		name=${page%.*} sect=${page##*.}
		if [ "$(man -w "$sect" "$name" 2>/dev/null)" = "/usr/share/man/man$sect/$page.gz" ] &&
		   err=$(MANWIDTH=80 man "$sect" "$name" 2>&1 >/dev/null) && [ -z "$err" ]; then
			ok "man $sect $name renders"
		else
			bad "man $sect $name: '$(man -w "$sect" "$name" 2>&1)' $err"
		fi
	done
	# each kernel's module, kept for the guest run; ovpn-dco-v2(4)'s
	# parameters are modinfo's (of the first), and it names every alias
	for k in $KVERS; do
		ko=$(find "/lib/modules/$k/updates/dkms" -name 'ovpn-dco-v2.ko*' 2>/dev/null | head -n 1)
		[ -n "$ko" ] || continue
		mkdir -p "$OUT/ko/$k"
		cp "$ko" "$OUT/ko/$k/"
	done
	for k in $KVERS; do
		ko=$(find "/lib/modules/$k/updates/dkms" -name 'ovpn-dco-v2.ko*' 2>/dev/null | head -n 1)
		[ -n "$ko" ] || continue
		want=$(modinfo -F parm "$ko" | cut -d: -f1 | sort | tr '\n' ' ')
		have=$(man 4 ovpn-dco-v2 2>/dev/null | sed -n '/^PARAMETERS/,/^[A-Z]/p' |
			sed -n 's/^       \([a-z_0-9]*\) (.*)$/\1/p' | sort | tr '\n' ' ')
		[ "$want" = "$have" ] && ok "ovpn-dco-v2(4) parameters = modinfo's on $k: $want" ||
			bad "ovpn-dco-v2(4) lists '$have', modinfo of $k's module '$want'"
		miss=''
		for a in $(modinfo -F alias "$ko"); do
			man 4 ovpn-dco-v2 2>/dev/null | grep -q -- "$a" || miss+=" $a"
		done
		[ -z "$miss" ] && ok "ovpn-dco-v2(4) names every alias" || bad "ovpn-dco-v2(4) lacks the aliases$miss"
		break
	done

	echo "deb-check: purge"
	if dpkg --purge "$NAME-dkms" ovpn-cli >"$OUT/purge.log" 2>&1; then
		ok "dpkg --purge"
	else
		bad "dpkg --purge failed (build/deb/check/purge.log)"
		tail -n 30 "$OUT/purge.log" >&2
	fi
	left=$(ls -d "/usr/src/$NAME"-* "/var/lib/dkms/$NAME" /etc/ovpn-cli /usr/sbin/ovpn-cli 2>/dev/null || true)
	left+=$(find /lib/modules -name 'ovpn-dco-v2.ko*' 2>/dev/null)
	[ -z "$left" ] && ok "purge: no sources, dkms tree, modules, /etc/ovpn-cli or binary left" ||
		bad "purge left: ${left//$'\n'/ }"
	[ -z "$(dkms status -m "$NAME" 2>/dev/null)" ] && ok "purge: dkms status empty" ||
		bad "purge: dkms status says '$(dkms status -m "$NAME" 2>/dev/null)'"
	echo "$passed $failed" >"$OUT/root.result"
	exit 0
fi

# --------------------------------------- in the private mount namespace
if [ "${1:-}" = --ns ]; then
	# Build the throwaway root, run --in-root in it, then judge what the
	# overlay's upper layer holds after the purge. Every mount here dies
	# with the namespace.
	R=$OUT/root
	mkdir -p "$R"
	mount -t tmpfs -o size=8g deb-check "$R"
	mkdir -p "$R/upper" "$R/work" "$R/merged"
	mount -t overlay deb-check -o "lowerdir=/,upperdir=$R/upper,workdir=$R/work" "$R/merged"
	M=$R/merged
	mount -t proc proc "$M/proc"
	mount --rbind /dev "$M/dev"
	mount --rbind /sys "$M/sys"
	# nothing of the host's runtime (systemd, sockets) is seen inside
	mount -t tmpfs tmpfs "$M/run"
	mount -t tmpfs tmpfs "$M/tmp"
	# this tree as it is on the host, wherever it is (a clone under /tmp
	# too), read-only, and the one way out: logs and the modules dkms built
	mkdir -p "$M$TOP"
	mount --bind "$TOP" "$M$TOP"
	mount -o remount,bind,ro "$M$TOP"
	mount --bind "$OUT" "$M$OUT"
	chroot "$M" "$(realpath "$0")" --in-root || echo "0 1" >"$OUT/root.result"

	# Left behind: any file that is not in the host's tree or differs from it,
	# any directory the host lacks, any deletion of a host file (a whiteout),
	# except dpkg's own records, logs and caches, the man-db index, depmod's
	# indexes and dkms's signing key (/var/lib/dkms/mok.*: created on first
	# use, shared by every dkms module). The paths whose mounts hid them from
	# the overlay (proc, dev, sys, run, tmp, this tree) are not in it.
	leftover=$OUT/leftover.txt
	: >"$leftover"
	(cd "$R/upper" && find . -mindepth 1 | sed 's|^\./||' | sort) | while read -r p; do
		case "$p" in
		var/lib/dpkg|var/lib/dpkg/*|var/log|var/log/*|var/cache|var/cache/*) continue ;;
		var/lib/dkms|var/lib/dkms/mok.key|var/lib/dkms/mok.pub) continue ;;
		usr/lib/modules/*/modules.*) continue ;;
		esac
		u=$R/upper/$p
		if [ -c "$u" ] && [ "$(stat -c '%t%T' "$u")" = 00 ]; then
			echo "deleted from the host's tree: /$p" >>"$leftover"
		elif [ -d "$u" ] && [ ! -L "$u" ]; then
			[ -d "/$p" ] || echo "directory left: /$p" >>"$leftover"
		elif [ ! -e "/$p" ] && [ ! -L "/$p" ]; then
			echo "file left: /$p" >>"$leftover"
		elif [ -L "$u" ] || [ -L "/$p" ]; then
			[ "$(readlink "$u")" = "$(readlink "/$p")" ] || echo "symlink changed: /$p" >>"$leftover"
		elif ! cmp -s "$u" "/$p"; then
			echo "file changed: /$p" >>"$leftover"
		fi
	done
	# /var/lib/dkms itself is dkms's: it may stay, empty of our name
	exit 0
fi

# --------------------------------------------------------------- on the host
fails=0 passes=0
fail() { echo "deb-check: FAIL: $*" >&2; fails=$((fails + 1)); }
pass() { echo "deb-check:   ok: $*"; passes=$((passes + 1)); }
skip() { echo "deb-check: SKIPPED: $*"; echo "deb-check: 0 passed, 0 failed, 1 skipped"; exit 0; }

[ "$(id -u)" = 0 ] || skip "needs root (mount namespaces, overlayfs, chroot, dkms); run make deb-check as root"
command -v unshare >/dev/null || skip "no unshare (util-linux)"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
grep -qw overlay /proc/filesystems || skip "this kernel has no overlayfs: the throwaway root cannot be made"
unshare -m sh -c 'mount -t tmpfs t /mnt' 2>/dev/null ||
	skip "cannot mount in a private mount namespace here (container without CAP_SYS_ADMIN?)"

mapfile -t KV < <(for d in /lib/modules/*/build/include; do
	[ -d "$d" ] && d=${d#/lib/modules/} && echo "${d%/build/include}"; done)
[ "${#KV[@]}" -gt 0 ] || { fail "no kernel headers installed (scripts/deps.sh)"; exit 1; }
KVERS="${KV[*]}"

NAME=$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' "$TOP/dkms.conf")
V=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$TOP/dkms.conf")
# the previous version: this one's last number less one, or a ~ pre-release
P=${DEB_CHECK_PREV:-}
if [ -z "$P" ]; then
	last=${V##*.}
	if [[ $last =~ ^[0-9]+$ ]] && [ "$last" -gt 0 ]; then
		P=${V%.*}.$((last - 1))
	else
		P=$V~prev
	fi
fi
dpkg --compare-versions "$P" lt "$V" || { fail "previous version $P is not lower than $V"; exit 1; }

exec 9>"$TOP/build/.deb-check.lock"
flock -n 9 || { fail "another deb-check runs in this tree"; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT"
t0=$(date +%s)

echo "deb-check: packages of $V and $P (kernels: $KVERS)"
"$TOP/scripts/deb.sh" >"$OUT/deb-$V.log" 2>&1 || { cat "$OUT/deb-$V.log" >&2; fail "make deb ($V)"; exit 1; }
"$TOP/scripts/deb.sh" --version "$P" --out "$OUT/prev" >"$OUT/deb-$P.log" 2>&1 ||
	{ cat "$OUT/deb-$P.log" >&2; fail "make deb ($P)"; exit 1; }
DEB_DIR=$TOP/build/deb
echo "deb-check: built in $(($(date +%s) - t0)) s"

arch=$(dpkg --print-architecture)
# one run shows the overrides too (with --show-overrides, --fail-on would
# count them): the verdict is its E: and W: lines
lintian --fail-on none --display-info --info --show-overrides "$DEB_DIR/${NAME}_${V}_${arch}.changes" \
	>"$OUT/lintian.txt" 2>&1 || true
if ! grep -q '^[EW]: ' "$OUT/lintian.txt" && ! grep -qi '^internal error\|^lintian: ' "$OUT/lintian.txt"; then
	pass "lintian (no error or warning; $(grep -c '^O:' "$OUT/lintian.txt") overrides, each with its reason)"
else
	cat "$OUT/lintian.txt" >&2
	fail "lintian"
fi

# The pages as packaged render without a groff warning.
x=$OUT/extract
mkdir -p "$x"
dpkg-deb -x "$DEB_DIR/${NAME}-dkms_${V}_all.deb" "$x"
dpkg-deb -x "$DEB_DIR/ovpn-cli_${V}_${arch}.deb" "$x"
for p in "$x/usr/share/man/man8/ovpn-cli.8.gz" "$x/usr/share/man/man4/ovpn-dco-v2.4.gz"; do
	if [ ! -f "$p" ]; then
		fail "no ${p#"$x"} in the packages"
	elif err=$(zcat "$p" | groff -man -Tutf8 -ww -z 2>&1) && [ -z "$err" ]; then
		pass "${p#"$x"} renders without warnings"
	else
		fail "${p#"$x"}: $err"
	fi
done
zcat "$x/usr/share/man/man8/ovpn-cli.8.gz" | grep -q "^\.TH .*\"ovpn-cli $V\"" ||
	fail "ovpn-cli(8) does not carry version $V"

t1=$(date +%s)
echo "deb-check: install, upgrade and purge in a throwaway root"
DEB_DIR=$DEB_DIR PREV_DIR=$OUT/prev V=$V P=$P NAME=$NAME KVERS=$KVERS \
	unshare -m --propagation private "$0" --ns || fail "the throwaway root failed"
read -r rp rf <"$OUT/root.result" 2>/dev/null || { rp=0 rf=1; }
[ "$rf" = 0 ] || fail "$rf check(s) in the throwaway root"
if [ -s "$OUT/leftover.txt" ]; then
	cat "$OUT/leftover.txt" >&2
	fail "the purge left $(wc -l <"$OUT/leftover.txt") thing(s) behind (build/deb/check/leftover.txt)"
else
	pass "after the purge the throwaway root holds nothing of ours"
fi
echo "deb-check: throwaway root: $(($(date +%s) - t1)) s"

if [ "${DEB_CHECK_GUEST:-0}" = 1 ]; then
	read -r -a scn <<<"${DEB_CHECK_SCENARIOS:-02-*}"
	for k in $KVERS; do
		ko=$(ls "$OUT/ko/$k"/ovpn-dco-v2.ko* 2>/dev/null | head -n 1)
		[ -n "$ko" ] || { fail "no dkms-built module of $k to boot"; continue; }
		echo "deb-check: guest run of ${scn[*]} on $k with $ko"
		if flock /tmp/guest.lock env KVER="$k" OVPN_GUEST_OUT="$TOP/build/guest-deb-$k" \
			"$TOP/tests/guest/run.sh" --ko "$ko" "${scn[@]}"; then
			pass "guest run on $k"
		else
			fail "guest run with the package's module on $k (build/guest-deb-$k)"
		fi
	done
fi

echo "deb-check: $(($(date +%s) - t0)) s in all"
echo "deb-check: $((rp + passes)) passed, $fails failed"
[ "$fails" = 0 ]
