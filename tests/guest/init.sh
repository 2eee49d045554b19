#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the test guest (installed by tests/guest/run.sh). Loads OUR module
# (or, with run.sh --module reference, Debian's reference one) by path, runs the scenarios listed in /opt/ovpn/config, reports on the
# results channel (/dev/ttyS1, every line prefixed with $PFX), powers off.
#
# Results protocol (one line each, after the prefix):
#   BOOT <kernel release>              guest is up
#   MODULE OK <srcversion> | MODULE FAIL <why>
#   BEGIN <name>                       scenario started
#   OUT <name> <line>                  scenario output (live)
#   DMESG <name> <line>                a dmesg report found after the scenario
#   RESULT <name> PASS|FAIL|SKIP <rc> <ms>
#   NOTE <text>                        information for the host
#   RMMOD OK | RMMOD FAIL <why>
#   DONE
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/opt/busybox
export HOME=/root TERM=dumb LANG=C LC_ALL=C
umask 022

BB=/bin/busybox
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm /tmp /run /run/netns /var/run /sys/kernel/debug
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /run/netns
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
hostname ovpn-guest 2>/dev/null

# shellcheck source=/dev/null
. /opt/ovpn/config
PFX=${PFX:-@@OVPNT@@}

if [ -c /dev/ttyS1 ]; then
	exec 3>/dev/ttyS1
else
	exec 3>/dev/console
fi
exec 1>/dev/console 2>&1 </dev/null

out() { printf '%s %s\n' "$PFX" "$*" >&3; }
say() { printf '>>> %s\n' "$*"; }

poweroff_now() {
	out "DONE"
	# Closing the serial port waits for its output to drain.
	exec 3>&-
	sync
	sleep 0.3
	"$BB" poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 10
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

out "BOOT $(uname -r)"
say "guest up, kernel $(uname -r), $(nproc) cpus, mode $MODE"

sysctl -qw net.core.netdev_unregister_timeout_secs=1 || out "NOTE cannot set netdev_unregister_timeout_secs"
sysctl -qw kernel.panic_on_warn=0

# Under QEMU TCG, keep socket timestamps (netstamp_needed_key) on for the
# whole boot. Every ping a scenario runs turns them on and off, and the
# kernel patches that static branch (a temporary int3, then the jmp) at the
# top of netif_rx_internal(), __netif_receive_skb_core() and
# netif_receive_skb_list_internal(). 6.12 guests under TCG have oopsed on
# that int3, and a 6.1 guest (2026-12-07, two guests side by side) locked
# up with both CPUs trapping at it in our NAPI threads (soft lockup, RCU
# stall): the emulator's fault, not one a scenario should fail on. One
# socket holding SO_TIMESTAMP (ping's) keeps the branch patched in.
# performance.md section 8 has the history.
ip link set lo up
/usr/bin/ping -q -i 600 127.0.0.1 >/dev/null 2>&1 &
# Kernel messages to the console (serial.log) stay on at the default level:
# they explain a crash. The results channel is separate.

# Kernel reports that fail a scenario, judged by pattern, not by log level
# (trap 12: the taint message for our unsigned module matches none).
DMESG_RE='BUG:|BUG [^ ]+ \(|kernel BUG|WARNING:|Oops|refcount_t|KASAN|UBSAN|unregister_netdevice: waiting|list_add corruption|list_del corruption|Poison overwritten|Redzone overwritten|Object padding overwritten|Padding overwritten|[Ss]lab.*corrupt|corrupt.*[Ss]lab|general protection|Kernel panic|soft lockup|hard LOCKUP|rcu.*detected stall|blocked for more than|double free|use-after-free|stack-protector|stack guard page'
# Debug kernels (make check-debug): lockdep, PROVE_RCU, DEBUG_ATOMIC_SLEEP,
# DEBUG_OBJECTS and the netdev reference tracker. Most of their reports also
# carry WARNING: or BUG:, but not all (ODEBUG alone, ref_tracker's list).
DMESG_RE+='|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage'
DMESG_RE+='|Invalid wait context|bad unlock balance|held lock freed|lock held when returning to user space'
DMESG_RE+='|sleeping function called from invalid context|scheduling while atomic|ODEBUG|ref_tracker:'
# The benchmark (tests/bench/bench.sh) judges each contender by the same patterns.
export DMESG_RE

# dmesg_since MARKER: kernel log after the last line containing MARKER (the
# whole log if the marker was lost in a ring buffer wrap).
dmesg_since() {
	local m=$1
	dmesg 2>/dev/null | awk -v m="$m" '
		{ line[NR] = $0; if (index($0, m)) start = NR }
		END { for (i = start + 1; i <= NR; i++) print line[i] }'
}

# report_dmesg NAME MARKER: print hits as DMESG lines; returns 1 if any.
report_dmesg() {
	local name=$1 m=$2 hits
	hits=$(dmesg_since "$m" | grep -E "$DMESG_RE")
	[ -z "$hits" ] && return 0
	# Context: the 30 lines after the first hit.
	dmesg_since "$m" | awk -v re="$DMESG_RE" 'hit && n < 30 { print; n++; next } $0 ~ re { print; hit = 1 }' |
		while IFS= read -r l; do out "DMESG $name $l"; done
	return 1
}

kmsg_mark() { echo "ovpn-test: $*" >/dev/kmsg; }

# kmemleak (debug kernels): scan twice (an object whose contents changed
# between scans is not reported; the second scan settles those) and print
# every reported leak whose allocation backtrace runs through our module:
# by name while it is loaded, as an unresolved module address
# ([<ffffffffc...>] 0xffffffffc...) once it is gone, into $KMEMLEAK_OURS.
# Sets KMEMLEAK_ALL and KMEMLEAK_N to the numbers of reported objects, in
# all and ours.
KMEMLEAK=/sys/kernel/debug/kmemleak
KMEMLEAK_OURS=/tmp/kmemleak-ovpn.txt
KMEMLEAK_ALL=0 KMEMLEAK_N=0
kmemleak_ovpn() {
	: >"$KMEMLEAK_OURS"
	[ -w "$KMEMLEAK" ] || return 0
	timeout 900 sh -c "echo scan >$KMEMLEAK" 2>/dev/null
	sleep 1
	timeout 900 sh -c "echo scan >$KMEMLEAK" 2>/dev/null
	KMEMLEAK_ALL=$(grep -c '^unreferenced object' "$KMEMLEAK")
	awk '
		function flush() { if (hit) printf "%s", blk; blk = ""; hit = 0 }
		/^unreferenced object/ { flush() }
		{ blk = blk $0 "\n" }
		/^ +\[</ && (/ovpn/ || /\] 0xffffffffc[0-9a-f]+$/) { hit = 1 }
		END { flush() }' "$KMEMLEAK" >"$KMEMLEAK_OURS"
	KMEMLEAK_N=$(grep -c '^unreferenced object' "$KMEMLEAK_OURS")
}

# Delete every namespace (killing what runs in it) and every device of the
# initial namespace except lo.
clean_env() {
	local n pid d
	for n in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		for pid in $(ip netns pids "$n" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		timeout 10 ip netns del "$n" || out "NOTE cannot delete netns $n"
	done
	for d in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//'); do
		[ "$d" = lo ] && continue
		timeout 10 ip link del "$d" 2>/dev/null
	done
}

# --------------------------------------------------------------- module load
# What udev does on a real host at boot: load the modules matching the CPU's
# features (aesni_intel, ghash_clmulni_intel, the x86 ChaCha/Poly1305...).
# Without them gcm(aes) falls back to aes-generic.
for f in /sys/devices/system/cpu/modalias /sys/devices/system/cpu/cpu0/modalias; do
	[ -r "$f" ] && modprobe -a -q "$(cat "$f")" 2>/dev/null
done
modprobe -a -q aesni_intel ghash_clmulni_intel chacha_x86_64 poly1305_x86_64 2>/dev/null
modprobe -a $PRELOAD_MODULES || out "NOTE modprobe of [$PRELOAD_MODULES] failed"

# Leak suspects from boot are not ours: report only what appears later.
if [ -w "$KMEMLEAK" ]; then
	t0=$(now_ms)
	echo scan >"$KMEMLEAK" && echo clear >"$KMEMLEAK"
	out "NOTE kmemleak on: boot scan and clear took $(( $(now_ms) - t0 )) ms"
fi

MODULE_OK=0
if [ "$LOAD_MODULE" = 1 ]; then
	kmsg_mark "insmod"
	if [ -d /sys/module/ovpn_dco_v2 ]; then
		out "MODULE FAIL ovpn_dco_v2 is already loaded before insmod (autoloaded from the module tree?)"
	elif ! err=$(insmod "$OVPN_KO" 2>&1); then
		out "MODULE FAIL insmod $OVPN_KO: $err"
		dmesg_since "ovpn-test: insmod" | tail -n 30 | while IFS= read -r l; do out "MODULE-DMESG $l"; done
	elif [ ! -d /sys/module/ovpn_dco_v2 ]; then
		out "MODULE FAIL insmod succeeded but /sys/module/ovpn_dco_v2 does not exist"
	else
		got=$(cat /sys/module/ovpn_dco_v2/srcversion 2>/dev/null)
		if [ -z "$got" ]; then
			out "MODULE FAIL /sys/module/ovpn_dco_v2/srcversion missing: the module must declare MODULE_VERSION"
		elif [ "$got" != "$SRCVERSION" ]; then
			out "MODULE FAIL loaded srcversion $got is not ${WHOSE:-ours} ($SRCVERSION)"
		else
			MODULE_OK=1
			out "MODULE OK $got version=$(cat /sys/module/ovpn_dco_v2/version 2>/dev/null) module=${OVPN_MODULE:-ours}"
		fi
	fi
	if [ "$MODULE_OK" != 1 ]; then
		poweroff_now
	fi
	if hits=$(dmesg_since "ovpn-test: insmod" | grep -E "$DMESG_RE"); then
		printf '%s\n' "$hits" | while IFS= read -r l; do out "DMESG module-load $l"; done
	fi
else
	out "NOTE module not loaded (--no-module)"
fi

# ------------------------------------------------------------------ scenarios
export OVPN_CLI=/opt/ovpn/cli/ovpn-cli
export KEYS=/opt/ovpn/keys
export TOOLS=/opt/ovpn/tools
export OVPN_KO
# our module's srcversion, and its debug build (run.sh --debug-ko) if shipped:
# scenarios that load the debug build put the normal one back
export OVPN_SRCVERSION=$SRCVERSION
export OVPN_DEBUG_KO=${DEBUG_KO:-} OVPN_DEBUG_SRCVERSION=${DEBUG_SRCVERSION:-}
export OVPN_LIB=/opt/ovpn/tests/lib.sh
export OVPN_MODE=$MODE
# Which ovpn_dco_v2 is loaded: ours, or reference (Debian's openvpn-dco-dkms;
# scenarios relax only assertions on documented reference defects).
export OVPN_MODULE=${OVPN_MODULE:-ours}
# counts and seed of the fuzzing scenarios (run.sh passes them from the host)
[ -n "${FUZZ_COUNT:-}" ] && export OVPN_FUZZ_COUNT=$FUZZ_COUNT
[ -n "${FUZZ_SEED:-}" ] && export OVPN_FUZZ_SEED=$FUZZ_SEED

# SCENARIOS: "relpath:timeout" words, relative to /opt/ovpn/tests/scenarios.
for entry in $SCENARIOS; do
	rel=${entry%:*}
	tmo=${entry##*:}
	name=$(basename "$rel" .sh)
	script=/opt/ovpn/tests/scenarios/$rel
	export LOGDIR=/tmp/logs/$name
	mkdir -p "$LOGDIR"
	log=$LOGDIR/output.txt
	: >"$log"

	clean_env
	marker="ovpn-test: begin $name $(now_ms)"
	kmsg_mark "${marker#ovpn-test: }"
	out "BEGIN $name"
	say "scenario $name (timeout ${tmo}s)"
	t0=$(now_ms)
	if [ -n "${XTRACE:-}" ]; then
		# bash takes no PS4 from the environment when run as root
		# shellcheck disable=SC2016 # expanded by the traced shell
		(cd "$(dirname "$script")" && exec timeout -k 5 "$tmo" /bin/bash -c 'PS4="+ \$EPOCHREALTIME "; set -x; . "$0"' "$script") >"$log" 2>&1 </dev/null &
	else
		(cd "$(dirname "$script")" && exec timeout -k 5 "$tmo" /bin/bash "$script") >"$log" 2>&1 </dev/null &
	fi
	spid=$!
	tail -n +1 -s 0.2 -f --pid="$spid" "$log" 2>/dev/null | while IFS= read -r l; do out "OUT $name $l"; done
	wait "$spid"
	rc=$?
	t1=$(now_ms)
	# timeout ran the scenario in its own process group: kill stragglers.
	kill -KILL -- -"$spid" 2>/dev/null
	clean_env
	sleep "$SETTLE"
	case "$rc" in
	0) res=PASS ;;
	77) res=SKIP ;;
	124|137) res=FAIL; out "OUT $name *** timed out after ${tmo}s ***" ;;
	*) res=FAIL ;;
	esac
	if ! report_dmesg "$name" "$marker"; then
		res=FAIL
	fi
	out "RESULT $name $res $rc $((t1 - t0))"
	say "scenario $name: $res (rc $rc, $((t1 - t0)) ms)"
done

# ------------------------------------------------------------------- teardown
clean_env
kmsg_mark "teardown"
LEAKS=
if [ "$LOAD_MODULE" = 1 ]; then
	sleep "$SETTLE"
	# Every device is gone: what our module allocated should be freed.
	if [ -w "$KMEMLEAK" ]; then
		t0=$(now_ms)
		kmemleak_ovpn
		LEAKS=$(cat "$KMEMLEAK_OURS")
		out "NOTE kmemleak before rmmod: $KMEMLEAK_ALL suspect(s) in all, $KMEMLEAK_N through ovpn_dco_v2 ($(( $(now_ms) - t0 )) ms)"
	fi
	if err=$(timeout 30 rmmod ovpn_dco_v2 2>&1) && [ ! -d /sys/module/ovpn_dco_v2 ]; then
		out "RMMOD OK"
	else
		out "RMMOD FAIL rmmod ovpn_dco_v2: ${err:-still loaded} (refcnt $(cat /sys/module/ovpn_dco_v2/refcnt 2>/dev/null))"
	fi
	# After the unload, also what only the module's own data still pointed to.
	if [ -w "$KMEMLEAK" ] && [ -z "$LEAKS" ]; then
		t0=$(now_ms)
		kmemleak_ovpn
		LEAKS=$(cat "$KMEMLEAK_OURS")
		out "NOTE kmemleak after rmmod: $KMEMLEAK_ALL suspect(s) in all, $KMEMLEAK_N through ovpn_dco_v2 ($(( $(now_ms) - t0 )) ms)"
	fi
fi
sleep 0.5
report_dmesg teardown "ovpn-test: teardown"
if [ -n "$LEAKS" ]; then
	out "DMESG teardown kmemleak: memory allocated through ovpn_dco_v2 was never freed:"
	printf '%s\n' "$LEAKS" | head -n 200 | while IFS= read -r l; do out "DMESG teardown $l"; done
fi
poweroff_now
