#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# timeout: 1500
# The peer-scale benchmark, inside the guest (tests/guest/run.sh
# --bench-scale, `make bench-scale`). For each module (ours, then the
# reference: both are ovpn_dco_v2, so one at a time, each loaded by path
# and checked by srcversion) and each N of $BENCH_SCALE_N, a multi-peer
# device in namespace s gets N clients played by tests/tools/scalegen from
# namespace c, and these are measured (Documentation/performance.md,
# section "Peer scale"):
#
#   1. scalegen run: NEW_PEER + NEW_KEY for every client, timed; the
#      kernel's slab, vmalloc and per-CPU memory before and after (idle
#      peers) and after the traffic (busy peers); every client reached;
#      echo traffic spread over all N and on one, in alternating segments:
#      replies per second and round trip, and the generator's own CPU time
#      per reply in each (does it cost more when the replies are spread
#      over N sockets?). Then SET_PEER keepalive 10,120
#      (OpenVPN's server "keepalive 10 60", doubled on the server) on every
#      peer; only now, or the keepalives of the peers silent during the
#      load on one would load the generator. It then holds the clients.
#   2. idle: CPU time of the whole guest over $BENCH_SCALE_IDLE seconds
#      with the N idle peers (their keepalives only), against the same
#      measurement before any device existed.
#   3. GET_PEER dump: every peer exactly once, timed.
#   4. DEL_PEER of every peer, up to 64 requests in flight (scalegen
#      delete --window 64, so that one process's netlink round trips do
#      not hide the module's cost): the requests, and the last DEL_PEER
#      notification (the reference frees peers in a work item).
#   5. N new peers (scalegen setup), then a keepalive 0,3 on all of them:
#      N EXPIRED notifications, to a listener with the CLI's 8 MiB buffer
#      and to one with OpenVPN's 1 MiB (all, or an overrun report).
#   6. N new peers, `ip link del`: its time and the last TEARDOWN.
#   7. N new peers on a new device, `rmmod`: its time; then insmod again.
#
# Every step is bounded; a step that fails or times out is recorded as
# such and the next one goes on (the device is recreated, the module
# reloaded as needed).
#
# Records for the host (tests/bench/scale_report.py), one per line:
#   @scale info KEY VALUE...
#   @scale module MODULE KEY=VALUE...        (loaded: version, srcversion)
#   @scale m MODULE N KEY=VALUE...           (measurements)
#   @scale slab MODULE N CACHE=BYTES...      (slab growth per peer, N >= 1000)
#   @scale fail MODULE N STEP REASON...
#   @scale dmesg MODULE LINE...
#   @scale done
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
. "${OVPN_LIB:-$HERE/../lib.sh}"
# shellcheck source=/dev/null
[ -r "$HERE/bench.conf" ] && . "$HERE/bench.conf"

SCALE_N=${BENCH_SCALE_N:-1 100 1000 10000}
SCALE_MODULES=${BENCH_SCALE_MODULES:-ours reference}
IDLE_SECS=${BENCH_SCALE_IDLE:-10}
LOAD_SECS=${BENCH_SCALE_TIME:-8}
# each load phase in 4 segments, alternating (scalegen --rounds), so that
# an order effect and the drift of the host's load fall on spread and one
# alike
SEG_SECS=$(( (LOAD_SECS + 3) / 4 ))
REF_KO=${BENCH_REF_KO:-/opt/ovpn/ref/ovpn-dco-v2.ko}
RMMOD_BIN=/usr/sbin/rmmod
INSMOD_BIN=/usr/sbin/insmod
SG=$TOOLS/scalegen
S=s
C=c
DEV=ovpn0
S_IP=192.168.200.1
C_IP=192.168.200.2
SRV_VPN=10.64.0.1
VPN_BASE=10.64.1.1
DMESG_RE=${DMESG_RE:-'BUG:|WARNING:|Oops|refcount_t|KASAN|UBSAN|unregister_netdevice: waiting|list_(add|del) corruption|general protection|Kernel panic|soft lockup|rcu.*detected stall|blocked for more than'}

rec() { printf '@scale %s\n' "$*"; }
say() { log "$*"; }
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# m KEY=VALUE...: measurements of the current module and N
m() { rec m "$MOD" "$N" "$@"; }
# sfail STEP REASON...: a step that did not finish
sfail() {
	local step=$1
	shift
	rec fail "$MOD" "$N" "$step" "$*"
	say "$MOD N=$N: $step: $*"
}

# sgv FILE KEY: a value of scalegen's output ("" if absent)
sgv() {
	local k v _r
	while read -r k v _r; do
		[ "$k" = "$2" ] && { echo "$v"; return 0; }
	done <"$1"
	return 1
}

# sgm FILE KEY...: record scalegen's KEYs (those present) as measurements
sgm() {
	local f=$1 k v out=()
	shift
	for k in "$@"; do
		v=$(sgv "$f" "$k")
		[ -n "$v" ] && out+=("$k=$v")
	done
	[ "${#out[@]}" = 0 ] || m "${out[@]}"
}

# cpu_busy: "busy total" jiffies of all CPUs, and softirq apart
cpu_read() {
	local _c u n s i w q sq st _r
	read -r _c u n s i w q sq st _r </proc/stat
	echo "$((u + n + s + q + sq + st)) $((u + n + s + i + w + q + sq + st)) $sq"
}

# idle_cpu PREFIX: the guest's CPU use over IDLE_SECS, as "PREFIX_cpu_pct"
# (of all CPUs) and "PREFIX_softirq_pct"
idle_cpu() {
	local b0 t0 s0 b1 t1 s1
	read -r b0 t0 s0 <<<"$(cpu_read)"
	nap "$IDLE_SECS"
	read -r b1 t1 s1 <<<"$(cpu_read)"
	[ "$t1" -gt "$t0" ] || return 1
	echo "$1_cpu_pct=$(awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.2f", 100 * b / t }')" \
		"$1_softirq_pct=$(awk -v b=$((s1 - s0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.2f", 100 * b / t }')"
}

# sg NAME SECS ARGS...: scalegen ARGS in c against $DEV in s, bounded;
# output in $LOGDIR/$MOD-$N-NAME.out (path in SG_F), status in SG_RC
sg() {
	local name=$1 t=$2
	shift 2
	SG_F=$LOGDIR/$MOD-$N-$name.out
	nst "$t" "$C" "$SG" "$@" --server-netns "$S" >"$SG_F" 2>&1
	SG_RC=$?
	sed "s/^/    $name: /" "$SG_F"
}

# listen NAME SECS [ARGS]: a scalegen listener for the N peers of $DEV in
# the background, once it has joined the group
listen() {
	local name=$1 t=$2
	shift 2
	bg "$MOD-$N-$name" "$C" "$SG" listen --server-netns "$S" --iface "$DEV" --clients "$N" \
		--timeout "$t" "$@"
	wait_for "grep -q '^listening' '$(bg_log "$MOD-$N-$name")'" 10 0.05 ||
		{ sfail "$name" "the listener did not start: $(tail -n 2 "$(bg_log "$MOD-$N-$name")")"; return 1; }
}

# listen_end NAME SECS T0_MS PREFIX: wait for the listener, record what it
# got: PREFIX_ntf (peers notified), PREFIX_ntf_dups, PREFIX_ntf_overruns,
# PREFIX_all_ms (last notification after T0_MS)
listen_end() {
	local name=$MOD-$N-$1 f last
	bg_wait "$name" "$2" >/dev/null 2>&1 || bg_stop "$name" TERM 5 >/dev/null 2>&1
	f=$(bg_log "$name")
	sed "s/^/    $1: /" "$f"
	last=$(sgv "$f" ntf_last_ms)
	m "$4_ntf=$(sgv "$f" ntf_peers)" "$4_ntf_dups=$(sgv "$f" ntf_duplicates)" \
		"$4_ntf_overruns=$(sgv "$f" ntf_overruns)"
	if [ "$(sgv "$f" ntf_missing)" = 0 ] && [ -n "$last" ] && [ "$last" != 0 ]; then
		m "$4_all_ms=$((last - $3))"
	fi
}

# module_load ours|reference: insmod by path, check the srcversion
module_load() {
	local ko sv err got
	if [ "$1" = ours ]; then ko=$OVPN_KO sv=$OVPN_SRCVERSION; else ko=$REF_KO sv=${BENCH_REF_SRCVERSION:-}; fi
	if [ ! -d /sys/module/ovpn_dco_v2 ]; then
		[ -f "$ko" ] || { echo "$ko is not in the guest"; return 1; }
		err=$("$TIMEOUT_BIN" -k 5 60 "$INSMOD_BIN" "$ko" 2>&1) || { echo "insmod $ko: $err"; return 1; }
	fi
	got=$(cat /sys/module/ovpn_dco_v2/srcversion 2>/dev/null)
	if [ -z "$sv" ] || [ "$got" != "$sv" ]; then
		echo "loaded srcversion '$got' is not $1's ('$sv')"
		return 1
	fi
}

# module_unload [SECS]: rmmod; prints how long it took in ms
module_unload() {
	local t0 err
	[ -d /sys/module/ovpn_dco_v2 ] || { echo 0; return 0; }
	t0=$(now_ms)
	err=$("$TIMEOUT_BIN" -k 5 "${1:-60}" "$RMMOD_BIN" ovpn_dco_v2 2>&1)
	if [ -d /sys/module/ovpn_dco_v2 ]; then
		echo "rmmod: ${err:-still loaded}" >&2
		return 1
	fi
	echo $(($(now_ms) - t0))
}

new_dev() {
	local out
	dev_exists "$S" "$DEV" && nst 120 "$S" "$IP_BIN" link del "$DEV" >/dev/null 2>&1
	out=$(cli "$S" new_iface "$DEV" mp 2>&1) || { echo "new_iface: $out"; return 1; }
	"$IP_BIN" -n "$S" -batch - <<-EOF || { echo "cannot set $DEV up"; return 1; }
		addr add $SRV_VPN/16 dev $DEV
		link set $DEV up
	EOF
	wait_link_up "$S" "$DEV" || { echo "$DEV not up"; return 1; }
	# an experiment: our receive queues' NAPI threaded or not (the
	# reference has no such queues; its per-peer NAPI follows the device)
	if [ -n "${BENCH_SCALE_NAPI_THREADED:-}" ] && [ "$MOD" = ours ]; then
		ns "$S" /bin/sh -c "echo $BENCH_SCALE_NAPI_THREADED >/sys/class/net/$DEV/threaded" ||
			{ echo "cannot set $DEV's threaded NAPI to $BENCH_SCALE_NAPI_THREADED"; return 1; }
	fi
}

# slab_snap FILE: bytes of active objects per slab cache
slab_snap() {
	awk 'NR > 2 { print $1, $2 * $4 }' /proc/slabinfo >"$1" 2>/dev/null
}

# slab_growth FILE: from N = 1000 on, the caches that grew most since
# slab_snap FILE, in bytes per peer (what a peer is made of)
slab_growth() {
	local out
	[ "$N" -ge 1000 ] || return 0
	slab_snap "$1.after"
	out=$(awk -v n="$N" 'NR == FNR { b[$1] = $2; next }
		{ d = ($2 - b[$1]) / n; if (d >= 16) printf "%s=%.0f\n", $1, d }' "$1" "$1.after" |
		sort -t= -k2 -rn | head -n 8 | tr '\n' ' ')
	# shellcheck disable=SC2086 # one word per cache
	[ -z "$out" ] || rec slab "$MOD" "$N" $out
}

# secs for N peers at RATE per second, at least MIN
bound() { echo $(( $2 + $1 / $3 )); }

# setup_only NAME PORT: N peers (scalegen setup: no clients) on a new device,
# the server's socket on PORT (a socket of an earlier step may still be
# held by peers the reference has not freed yet); 0 if all were set up
setup_only() {
	local out
	if ! out=$(new_dev); then
		sfail "$1" "$out"
		return 1
	fi
	sg "$1" "$(bound "$N" 30 50)" setup --iface "$DEV" --clients "$N" --server "$S_IP" \
		--server-port "$2" --client-ip "$C_IP" --vpn-base "$VPN_BASE"
	[ "$SG_RC" = 0 ] && [ "$(sgv "$SG_F" setup_peers)" = "$N" ] && return 0
	sfail "$1" "scalegen setup: exit $SG_RC, $(sgv "$SG_F" setup_peers) of $N peers: $(grep '^scalegen' "$SG_F" | tail -n 1)"
	return 1
}

# ------------------------------------------------------------ one N, one module

one_n() {
	local t0 ms out f rc run=$MOD-$N-run
	say "=== $MOD, N=$N"
	if ! out=$(new_dev); then
		sfail device "$out"
		return 1
	fi

	# 1. setup, memory, traffic; the clients then stay (hold)
	bg "$run" "$C" "$SG" run --server-netns "$S" --iface "$DEV" --clients "$N" --server "$S_IP" \
		--client-ip "$C_IP" --vpn-base "$VPN_BASE" --vpn-dst "$SRV_VPN" --expire 10,120 \
		--reach 60 --load both --rounds 4 --duration "$SEG_SECS" --hold
	f=$(bg_log "$run")
	if ! wait_for "grep -q '^holding' '$f' || ! kill -0 $(bg_pid "$run")" "$(bound "$N" 150 40)" 0.2 ||
		! grep -q '^holding' "$f"; then
		sed "s/^/    run: /" "$f"
		sfail run "scalegen run did not finish: $(grep '^scalegen' "$f" | tail -n 1)"
		bg_stop "$run" KILL 5 >/dev/null 2>&1
	else
		sed "s/^/    run: /" "$f"
		sgm "$f" setup_peers setup_ms setup_peers_per_sec \
			mem_idle_slab_bytes_per_peer mem_idle_vmalloc_bytes_per_peer mem_idle_percpu_bytes_per_peer \
			mem_busy_slab_bytes_per_peer mem_busy_vmalloc_bytes_per_peer mem_busy_percpu_bytes_per_peer \
			reached unreached reach_ms \
			spread_rx_pps spread_lost spread_clients_replied spread_rtt_us_p50 spread_rtt_us_p99 spread_rtt_us_avg \
			one_rx_pps one_lost one_rtt_us_p50 one_rtt_us_p99 one_rtt_us_avg rx_auth_fail rx_bad rx_keepalive \
			spread_cpu_user_ms spread_cpu_sys_ms spread_cpu_per_reply_us \
			one_cpu_user_ms one_cpu_sys_ms one_cpu_per_reply_us

		# 2. idle CPU with N peers and their keepalives
		if out=$(idle_cpu idle); then
			# shellcheck disable=SC2086
			m $out
		fi

		# 3. the dump
		sg dump "$(bound "$N" 30 200)" dump --iface "$DEV" --clients "$N"
		sgm "$SG_F" dump_ms dump_peers dump_missing dump_duplicates dump_entries dump_ok
		[ "$SG_RC" = 0 ] || sfail dump "scalegen dump: exit $SG_RC: $(grep '^scalegen' "$SG_F" | tail -n 1)"

		# 4. DEL_PEER of each, 64 in flight
		if listen del "$(bound "$N" 30 20)"; then
			t0=$(now_ms)
			sg delete "$(bound "$N" 30 50)" delete --iface "$DEV" --clients "$N" --window 64
			sgm "$SG_F" delete_ms delete_peers_per_sec deleted delete_window
			[ "$SG_RC" = 0 ] || sfail delete "scalegen delete: exit $SG_RC: $(grep '^scalegen' "$SG_F" | tail -n 1)"
			# from the first request (not the tool's start), when known
			t0=$(sgv "$SG_F" delete_started_ms || echo "$t0")
			listen_end del "$(bound "$N" 30 20)" "${t0:-0}" delete
		fi
		bg_stop "$run" TERM 20 >/dev/null 2>&1
	fi

	# 5. mass expiry (its setup also says which slab caches the peers use)
	slab_snap "$LOGDIR/slab0"
	if setup_only expire-setup 1195; then
		slab_growth "$LOGDIR/slab0"
		listen expire "$(bound "$N" 40 50)" &&
			listen expire-1m "$(bound "$N" 40 50)" --rcvbuf 1048576
		t0=$(now_ms)
		sg keepalive "$(bound "$N" 30 50)" keepalive 0,3 --iface "$DEV" --clients "$N"
		sgm "$SG_F" keepalive_ms
		t0=$(sgv "$SG_F" keepalive_started_ms || echo "$t0")
		listen_end expire "$(bound "$N" 40 50)" "$t0" expire
		listen_end expire-1m 10 "$t0" expire1m
		# what is left expires, or goes with the device below
	fi

	# 6. ip link del with N peers
	if setup_only linkdel-setup 1196; then
		if listen linkdel "$(bound "$N" 30 20)"; then
			t0=$(now_ms)
			out=$(nst "$(bound "$N" 60 50)" "$S" "$IP_BIN" link del "$DEV" 2>&1)
			rc=$?
			ms=$(($(now_ms) - t0))
			if [ "$rc" = 0 ]; then m "linkdel_ms=$ms"; else sfail linkdel "ip link del: exit $rc after $ms ms: $out"; fi
			listen_end linkdel "$(bound "$N" 30 20)" "$t0" linkdel
		fi
	fi

	# 7. rmmod with N peers on a new device
	if setup_only rmmod-setup 1197; then
		listen rmmod "$(bound "$N" 30 20)"
		t0=$(now_ms)
		if ms=$(module_unload "$(bound "$N" 60 50)" 2>"$LOGDIR/rmmod.err"); then
			m "rmmod_ms=$ms"
		else
			sfail rmmod "$(cat "$LOGDIR/rmmod.err") after $(($(now_ms) - t0)) ms"
		fi
		listen_end rmmod 10 "$t0" rmmod
	fi
	module_unload 120 >/dev/null 2>&1
	if ! out=$(module_load "$MOD"); then
		sfail reload "$out"
		return 2
	fi
	return 0
}

# ------------------------------------------------------------------- the run

rec info kernel "$(uname -r)"
rec info cpus "$(nproc)"
rec info mem_total_kb "$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)"
rec info cmdline "$(cat /proc/cmdline)"
rec info knobs "n=${SCALE_N// /,} modules=${SCALE_MODULES// /,} idle_secs=$IDLE_SECS load_secs=$LOAD_SECS napi_threaded=${BENCH_SCALE_NAPI_THREADED:-default}"
rec info ours_srcversion "${OVPN_SRCVERSION:-?}"
rec info ref_srcversion "${BENCH_REF_SRCVERSION:-?}"
[ -x "$SG" ] || fail "$SG not built (make -C tests/tools)"

ns_add "$S"
ns_add "$C"
for n in "$S" "$C"; do
	ns "$n" /usr/sbin/sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
ip link add vs netns "$S" type veth peer name vc netns "$C" || fail "cannot create the veth pair"
link_end "$S" vs "$S_IP/24"
link_end "$C" vc "$C_IP/24"
wait_link_up "$S" vs
wait_link_up "$C" vc
# room for every client's socket and the server's
ulimit -n 65536 2>/dev/null
# The guest reports a device not freed after 1 s (init.sh, for the suite's
# leaks). The reference frees each peer, and its reference to the device,
# in a work item: with hundreds of peers its devices take seconds to go,
# which is its teardown time measured here, not a leak. The kernel's
# default, 10 s, is what would be reported on a real host.
/usr/sbin/sysctl -qw net.core.netdev_unregister_timeout_secs=10

MOD=none N=0
if out=$(idle_cpu base); then
	# shellcheck disable=SC2086
	rec m none 0 $out
fi

for MOD in $SCALE_MODULES; do
	N=0
	rec begin "$MOD"
	if [ "$MOD" = reference ] && [ -z "${BENCH_REF_SRCVERSION:-}" ]; then
		rec fail reference 0 load "the reference module is not in the guest (it does not build for $(uname -r))"
		continue
	fi
	module_unload 120 >/dev/null 2>&1
	if ! out=$(module_load "$MOD"); then
		rec fail "$MOD" 0 load "$out"
		continue
	fi
	rec module "$MOD" "version=$(tr ' ' _ </sys/module/ovpn_dco_v2/version)" \
		"srcversion=$(cat /sys/module/ovpn_dco_v2/srcversion)"
	mark="bench-scale: begin $MOD $(date +%s%N)"
	echo "$mark" >/dev/kmsg
	for N in $SCALE_N; do
		T0=$(now_ms)
		one_n
		rc=$?
		m "total_ms=$(($(now_ms) - T0))"
		# kernel reports so far in this module's runs
		dmesg | awk -v m="$mark" 'index($0, m) { s = 1; next } s' | grep -E "$DMESG_RE" | head -n 5 |
			while IFS= read -r l; do rec dmesg "$MOD" "$l"; done
		mark="bench-scale: after $MOD $N $(date +%s%N)"
		echo "$mark" >/dev/kmsg
		[ "$rc" = 2 ] && break
	done
done
module_unload 120 >/dev/null 2>&1
# leave our module loaded, as the harness expects to unload it
module_load ours >/dev/null 2>&1 || true
/usr/sbin/sysctl -qw net.core.netdev_unregister_timeout_secs=1
rec "done"
exit 0
