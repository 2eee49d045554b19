#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Soak (tests/guest/run.sh --soak, make soak / make soak-debug): for
# SOAK_SECONDS (default 300), all at once in one guest:
#
#  - P2P tunnel a <-> b (one-shot CLI): iperf3 TCP a -> b and b -> a, back to
#    back runs of SOAK_CHUNK seconds; its keys rotate every SOAK_ROT seconds
#    (NEW_KEY secondary with the next key id, SWAP_KEYS, DEL_KEY secondary on
#    both ends, alternating AES-256-GCM and ChaCha20-Poly1305);
#  - multi-peer device in s with clients c1..c4: iperf3 c1 -> s, ping c2 -> s;
#    peers 3 and 4 are deleted and added again in turn (server DEL_PEER and
#    NEW_PEER with a fresh key, port and client tunnel, then a ping must get
#    through), and a batch of peers without a client is added and deleted;
#  - links go down and up every SOAK_FLAP seconds, in turn: a's underlay
#    veth, a's ovpn0, c1's underlay veth, s's multi-peer ovpn0;
#  - a third tunnel d1 <-> d2 is created, pinged, and deleted under traffic
#    in a loop (UDP or TCP; by `ip link del`, by SIGTERM of both one-shots, or
#    by DEL_IFACE).
#
# Then: every tunnel still passes traffic, no iperf3 run failed (a run only
# starts while no link is down), no worker saw an error, and after tearing
# everything down the kernel's unreclaimable slab is back within
# SOAK_SLAB_TOL_KB of its baseline, taken after a warm-up round of the same
# load (SOAK_WARMUP seconds) and its teardown, so one-time allocations are
# not counted. With KASAN the freed objects sit in its quarantine, so the
# slab figure is only printed; kmemleak (checked by the harness after the
# run) answers the question there. The harness also scans dmesg and unloads
# the module. Prints the counts as a table.
# timeout: 900
. "${OVPN_LIB:-$(dirname "$0")/../../lib.sh}"
. "$(dirname "$0")/../lib/mp.sh"

SECS=${SOAK_SECONDS:-300}
WARMUP=${SOAK_WARMUP:-20}
CHUNK=${SOAK_CHUNK:-20}	# at least 10
ROT=${SOAK_ROT:-3}
FLAP=${SOAK_FLAP:-6}
CHURN=${SOAK_CHURN:-2}
PHANTOMS=${SOAK_PHANTOMS:-8}
# 512 KiB: the load below does about a thousand peer, key, link and device
# operations in 300 s, so a leak of ~500 bytes per operation or more shows;
# smaller and rarer ones are kmemleak's job on the debug kernel. Between two
# idle moments of the guest the figure moves by tens of KiB (per-CPU slabs).
SLAB_TOL_KB=${SOAK_SLAB_TOL_KB:-512}

require_module
require_cli

W=$LOGDIR/soak
mkdir -p "$W"
STOP=$W/stop
# flap locks: the P2P tunnel's links, the multi-peer device's links
FLAPLOCK_P2P=$W/flap-p2p.lock
FLAPLOCK_MP=$W/flap-mp.lock
ERRORS=$W/errors
: >"$FLAPLOCK_P2P"
: >"$FLAPLOCK_MP"

# ------------------------------------------------------------ bookkeeping

# count NAME [N]: add N (default 1) to counter NAME (a file per counter,
# one line per event: workers are separate processes).
count() { printf '%s\n' "${2:-1}" >>"$W/count.$1"; }
total() { awk '{ s += $1 } END { printf "%d\n", s }' "$W/count.$1" 2>/dev/null || echo 0; }
# err MSG: a worker's failure, reported at the end.
err() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >>"$ERRORS"; log "ERROR: $*"; }
stopping() { [ -e "$STOP" ]; }
# nap SECS: sleep, but return early once the run is stopping.
nap() {
	local end=$(( $(date +%s%N) + ${1%.*} * 1000000000 ))
	while ! stopping && [ "$(date +%s%N)" -lt "$end" ]; do sleep 0.2; done
}

# ------------------------------------------------- device release timing
# Every deletion of the recreate loop is timed (ip link del and DEL_IFACE
# return only once the device's last reference is gone; SIGTERM: until the
# one-shot, which deletes its device, has exited). Where the kernel has
# kprobe events, the steps of the release chain are traced too: a peer's
# last put (queue_rcu_work; it runs for other kernel users too), its
# release work after a grace period (ovpn_peer_free_work), which puts the peer's socket (ovpn_socket_put; the
# last put unhooks it), and the socket's RCU callback
# (ovpn_socket_free_rcu), which drops the device reference
# unregister_netdevice waits for. A deletion slower than DEL_SLOW_MS prints
# the trace of its window, so a slow release names the step that was late.
DEL_SLOW_MS=${SOAK_DEL_SLOW_MS:-3000}
TR=/sys/kernel/tracing
TRACING=0
trace_on() {
	# FUNCTION:REGISTER of the argument that names the object: the rcu_work
	# queue_rcu_work() gets is the one ovpn_peer_free_work() later runs
	local probes="queue_rcu_work:si ovpn_peer_free_work:di ovpn_socket_put:di ovpn_socket_free_rcu:di" p f
	[ -w "$TR/kprobe_events" ] || { log "no kprobe events: the release chain is not traced"; return 0; }
	echo 0 >"$TR/tracing_on"
	: >"$TR/trace"
	echo 4096 >"$TR/buffer_size_kb" 2>/dev/null
	for p in $probes; do
		f=${p%:*}
		echo "p:ovpnsoak/$f $f arg=%${p#*:}:x64" >>"$TR/kprobe_events" ||
			{ log "cannot probe $f: the release chain is not traced"; trace_off; return 0; }
	done
	echo 1 >"$TR/events/ovpnsoak/enable" && echo 1 >"$TR/tracing_on" && TRACING=1
	log "release chain traced (kprobes on: $probes)"
}
trace_off() {
	[ -e "$TR/events/ovpnsoak" ] || return 0
	echo 0 >"$TR/events/ovpnsoak/enable" 2>/dev/null
	sed -n 's/^p:\(ovpnsoak\/[^ ]*\) .*/-:\1/p' "$TR/kprobe_events" 2>/dev/null |
		while read -r l; do echo "$l" >>"$TR/kprobe_events"; done
	TRACING=0
}
trace_mark() { [ "$TRACING" = 1 ] && echo "$*" >"$TR/trace_marker" 2>/dev/null; return 0; }
# chain_stats: from the whole trace, how long each traced step waited: a
# peer's release (queue_rcu_work -> ovpn_peer_free_work of the same work:
# grace period plus workqueue) and a socket's free (its last
# ovpn_socket_put -> ovpn_socket_free_rcu: grace period; the callback runs
# on the CPU that queued it, its argument is the wrapper's rcu_head a few
# bytes into the wrapper). Addresses are compared on their low 32 bits.
chain_stats() {
	[ "$TRACING" = 1 ] || return 0
	awk '
	function h(s,   i, v) {
		s = substr(s, length(s) - 7); v = 0
		for (i = 1; i <= 8; i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	function ms(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
		return sprintf("median %.0f ms, slowest %.0f ms", a[int((n + 1) / 2)] * 1000, a[n] * 1000)
	}
	!/arg=0x/ { next }
	{
		for (i = 1; i <= NF; i++) if ($i ~ /^\[[0-9]+\]$/) cpu = $i
		for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { t = $i + 0; ev = $(i + 1) }
		a = h(substr($NF, 5))
	}
	ev == "queue_rcu_work:" { q[a] = t }
	ev == "ovpn_peer_free_work:" && (a in q) { pn++; pd[pn] = t - q[a]; delete q[a] }
	ev == "ovpn_socket_put:" { k = ++np[cpu]; pa[cpu, k % 16] = a; pt[cpu, k % 16] = t }
	ev == "ovpn_socket_free_rcu:" {
		for (k = np[cpu]; k > np[cpu] - 16 && k > 0; k--)
			if (a - pa[cpu, k % 16] >= 0 && a - pa[cpu, k % 16] < 256) { sn++; sd[sn] = t - pt[cpu, k % 16]; break }
	}
	END {
		printf "%d peer releases (grace period + work): %s; ", pn, pn ? ms(pd, pn) : "-"
		printf "%d socket frees (grace period): %s\n", sn, sn ? ms(sd, sn) : "-"
	}' "$TR/trace"
}

# deltime WHAT CMD...: run CMD (a device deletion), record its duration.
deltime() {
	local what=$1 t0 ms rc
	shift
	trace_mark "soak-del-start $what"
	t0=$(date +%s%N)
	"$@"
	rc=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	trace_mark "soak-del-end $what"
	printf '%s %s\n' "$ms" "$what" >>"$W/del-ms"
	if [ "$ms" -ge "$DEL_SLOW_MS" ]; then
		log "slow device deletion: $what took $ms ms"
		if [ "$TRACING" = 1 ]; then
			awk -v s="soak-del-start $what" -v e="soak-del-end $what" '
				index($0, s) { on = 1 } on && !/^#/ { print "    " $0 } index($0, e) { on = 0 }' \
				"$TR/trace" | tail -n 60 | tee -a "$W/slow-del.txt"
		fi
	fi
	return "$rc"
}

# run NS ARGS...: ovpn-cli in NS; a failure is an error of the run.
# nsenter, not ip netns exec: the CLI needs only the network namespace, and
# the remount of /sys that ip netns exec does costs on a busy TCG guest.
run() {
	local n=$1 out
	shift
	out=$("$TIMEOUT_BIN" -k 2 30 /usr/bin/nsenter --net="/run/netns/$n" "$OVPN_CLI" "$@" 2>&1) ||
		{ err "ovpn-cli $* (in $n): $out"; return 1; }
}

# Background processes of the workers (one-shots, pingers) are plain
# children of the worker: pid files in $W so teardown can find them.
wstart() { # NAME NS CMD...: start CMD in NS, output to $W/NAME.log
	local name=$1 n=$2
	shift 2
	"$IP_BIN" netns exec "$n" "$@" >"$W/$name.log" 2>&1 </dev/null &
	echo $! >"$W/$name.pid"
}
wpid() { cat "$W/$1.pid" 2>/dev/null; }
walive() { local p; p=$(wpid "$1") && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
# wstop NAME [SIG]: signal it and wait up to 10 s; prints nothing, returns
# its exit status (124 if it had to be killed).
wstop() {
	local p rc
	p=$(wpid "$1") || return 0
	[ -n "$p" ] || return 0
	kill -s "${2:-TERM}" "$p" 2>/dev/null
	if ! wait_for "! kill -0 $p" 10 0.05; then
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		rm -f "$W/$1.pid"
		return 124
	fi
	wait "$p"
	rc=$?
	rm -f "$W/$1.pid"
	return "$rc"
}
# wready NAME: wait for the one-shot's "ready" line (60 s: the guest is
# busy with everything else).
wready() {
	local name=$1 end=$(( $(date +%s%N) + 60000000000 ))
	while :; do
		grep -q '^ready ' "$W/$name.log" 2>/dev/null && return 0
		walive "$name" || { err "one-shot $name exited before ready: $(tail -n 3 "$W/$name.log" | tr '\n' ' ')"; return 1; }
		[ "$(date +%s%N)" -lt "$end" ] || { err "one-shot $name not ready within 60 s: $(tail -n 3 "$W/$name.log" | tr '\n' ' ')"; return 1; }
		sleep 0.1
	done
}
# pings NS DST: 3 echo replies within 10 s (a short outage is absorbed).
pings() {
	nst 15 "$1" /usr/bin/ping -c 3 -i 0.3 -w 10 "$2" >/dev/null 2>&1
}

# ------------------------------------------------------------- topology

setup() {
	setup_two_hosts
	oneshot_pair --quiet
	MP_NO_IPV6=1
	mp_underlay 1 2 3 4
	mp_keys 1 2 3 4
	mp_server 1 2 3 4
	# Clients 3 and 4 are the churn worker's children (it restarts them).
	for i in 1 2; do
		mp_client "$i" --quiet
	done
	ns_add d1
	ns_add d2
	ip link add vd netns d1 type veth peer name vd netns d2 || fail "cannot create the veth pair d1 <-> d2"
	ns d1 "$IP_BIN" addr add 192.168.200.1/24 dev vd
	ns d2 "$IP_BIN" addr add 192.168.200.2/24 dev vd
	ns d1 "$IP_BIN" link set vd up
	ns d2 "$IP_BIN" link set vd up
	wait_link_up d1 vd
	wait_link_up d2 vd
	for k in 0 1 2 3 4 5 6 7; do
		rm -f "$W/rot$k.key"
		"$OVPN_CLI" genkey "$W/rot$k.key" || fail "genkey"
	done
	# iperf3 at a lower priority: it would take every cycle of the guest,
	# and the point is the control-plane churn around the traffic.
	bg ips-b "$B" /usr/bin/nice -n 10 /usr/bin/iperf3 -s -p 5201 -i 0
	bg ips-a "$A" /usr/bin/nice -n 10 /usr/bin/iperf3 -s -p 5202 -i 0
	bg ips-s "$MP_S" /usr/bin/nice -n 10 /usr/bin/iperf3 -s -p 5203 -i 0
	wait_for "ns $B /usr/bin/ss -Hltn | grepq ':5201 ' && ns $A /usr/bin/ss -Hltn | grepq ':5202 ' &&
		ns $MP_S /usr/bin/ss -Hltn | grepq ':5203 '" 10 || fail "iperf3 servers not listening"
	mp_ping_ok "$A" "$B_VPN"
	for i in 1 2; do
		mp_ping_ok "c$i" "$MP_SRV_VPN"
	done
}

# ---------------------------------------------------------------- workers

# iperf_loop NAME NS SERVER PORT LOCK [iperf3 options]: back-to-back runs
# of CHUNK seconds; each run's start (connection set-up) and end (results
# exchange) hold the flap lock of its path shared, so its links only go
# down while data flows (TCP rides that out).
iperf_loop() {
	local name=$1 n=$2 srv=$3 port=$4 lock=$5 i=0 rc kb f
	shift 5
	while ! stopping; do
		i=$((i + 1))
		f=$W/iperf-$name-$i.log
		exec 7<"$lock"
		flock -s 7
		# bounded: a run that does not end within a minute past its
		# length means a stalled tunnel
		nst $((CHUNK + 60)) "$n" /usr/bin/nice -n 10 /usr/bin/iperf3 -c "$srv" -p "$port" -t "$CHUNK" -f k -i 5 "$@" >"$f" 2>&1 7<&- &
		local p=$! tries rest
		# until its control and data connections are established: a
		# fixed delay was too short for a niced client on a loaded
		# host, which then connected while a link was down ("Network
		# is unreachable")
		for tries in $(seq 60); do
			[ "$(ns "$n" /usr/bin/ss -Htn state established "dport = :$port" | grep -c .)" -ge 2 ] && break
			kill -0 "$p" 2>/dev/null || break
			sleep 0.5
		done
		exec 7<&-
		# and its end (the results exchange on the control connection,
		# where a TCP backoff after a flap would outlast the bound)
		rest=$((CHUNK - 2 - tries / 2))
		[ "$rest" -gt 0 ] && sleep "$rest"
		exec 7<"$lock"
		flock -s 7
		wait "$p"
		rc=$?
		exec 7<&-
		# "[  5]   0.00-20.00  sec  10.2 MBytes  4168 Kbits/sec  receiver"
		kb=$(awk '/receiver/ { for (i = 2; i <= NF; i++) {
				m = 0
				if ($i == "Bytes") m = 1 / 1024
				if ($i == "KBytes") m = 1
				if ($i == "MBytes") m = 1024
				if ($i == "GBytes") m = 1048576
				if (m) { v = $(i - 1) * m; break }
			} } END { printf "%d\n", v }' "$f")
		count "iperf_runs"
		count "iperf_kb" "$kb"
		count "iperf_kb_$name" "$kb"
		if [ "$rc" != 0 ] || [ "$kb" = 0 ]; then
			count "iperf_fail"
			err "iperf3 $name run $i: exit $rc, $kb KBytes: $(grep -v '^ *$' "$f" | tail -n 8 | tr '\n' '|')"
		else
			rm -f "$f"
		fi
	done
}

# rotate: the P2P tunnel's keys, every ROT seconds.
rotate_loop() {
	local kid=0 cipher
	while ! stopping; do
		nap "$ROT"
		stopping && break
		kid=$(((kid + 1) % 8))
		cipher=aes-256-gcm
		[ $((kid % 2)) = 1 ] && cipher=chacha20-poly1305
		run "$A" "$OVPN_DEV" new_key 0 secondary "$kid" "$cipher" 0 "$W/rot$kid.key" --raw-key &&
			run "$B" "$OVPN_DEV" new_key 0 secondary "$kid" "$cipher" 1 "$W/rot$kid.key" --raw-key &&
			run "$A" "$OVPN_DEV" swap_keys 0 &&
			run "$B" "$OVPN_DEV" swap_keys 0 &&
			run "$A" "$OVPN_DEV" del_key 0 secondary &&
			run "$B" "$OVPN_DEV" del_key 0 secondary || { count rot_fail; continue; }
		count rotations
		echo "$kid $cipher" >"$W/key-now"
	done
}

# flap: one link down for half a second, up again, every FLAP seconds.
flap_loop() {
	local i=0 n dev lock
	while ! stopping; do
		nap "$FLAP"
		stopping && break
		case $((i % 4)) in
		0) n=$A dev=$A_DEV lock=$FLAPLOCK_P2P ;;
		1) n=c1 dev=vc lock=$FLAPLOCK_MP ;;
		2) n=$A dev=$OVPN_DEV lock=$FLAPLOCK_P2P ;;
		3) n=$MP_S dev=$MP_DEV lock=$FLAPLOCK_MP ;;
		esac
		i=$((i + 1))
		exec 6<"$lock"
		flock -x 6
		{
			ns "$n" "$IP_BIN" link set "$dev" down || err "link set $dev down in $n"
			sleep 0.5
			ns "$n" "$IP_BIN" link set "$dev" up || err "link set $dev up in $n"
			wait_for "link_is_up $n $dev" 10 || err "$dev in $n not up again within 10 s"
		} 6<&-
		exec 6<&-
		count flaps
	done
}

# churn_client K: client K's one-shot to the server port its peer has now
# (CHURN_PORT[K], with the same local port), then a ping must pass.
declare -a CHURN_PORT=([3]=$MP_PORT [4]=$MP_PORT)
churn_client() {
	local k=$1 port=${CHURN_PORT[$1]}
	# the server sends keepalives too: the client's only traffic is a
	# ping at the start, and it would expire its peer after 60 s
	run "$MP_S" "$MP_DEV" set_peer "$k" 5 60
	wstart "tun-c$k" "c$k" "$OVPN_CLI" udp i4 "$(mp_cli_ip "$k")" "$port" "$(mp_srv_ip "$k")" "$port" \
		"$(mp_vpn4 "$k")" 24 "$MP_SRV_VPN" "$(mp_key "$k")" 1 --raw-key --peer-id "$k" --quiet
	wready "tun-c$k" || return 1
	if pings "c$k" "$MP_SRV_VPN"; then
		count churn_pings_ok
	else
		count churn_pings_fail
		err "c$k -> $MP_SRV_VPN: no ping through peer $k (server port $port)"
	fi
}

# churn: peers 3 and 4 of the multi-peer device leave and come back in
# turn (new key, new server port, new client tunnel, a ping must pass);
# every other time a batch of PHANTOMS client-less peers comes and goes.
# On stop, both clients must still get through, then end cleanly.
churn_loop() {
	local i=0 k port pf f id added rc
	churn_client 3
	churn_client 4
	while ! stopping; do
		nap "$CHURN"
		stopping && break
		i=$((i + 1))
		k=$((3 + i % 2))
		port=$((2000 + i % 1000))
		run "$MP_S" "$MP_DEV" del_peer "$k" && count peers_deleted
		wstop "tun-c$k" TERM
		rc=$?
		[ "$rc" = 0 ] || err "c$k's one-shot exit status $rc on SIGTERM (expected 0): $(tail -n 3 "$W/tun-c$k.log" | tr '\n' '|')"
		if [ $((i % 2)) = 0 ]; then
			pf=$W/phantoms
			{
				for id in $(seq 100 $((99 + PHANTOMS))); do
					echo "$id 192.168.199.$((id - 99)) 1194 10.8.0.$id"
				done
			} >"$pf"
			if run "$MP_S" "$MP_DEV" new_multi_peer $((port + 1000)) "$pf"; then
				count peers_added "$PHANTOMS"
				for id in $(seq 100 $((99 + PHANTOMS))); do
					run "$MP_S" "$MP_DEV" del_peer "$id" && count peers_deleted
				done
			fi
		fi
		rm -f "$(mp_key "$k")"
		"$OVPN_CLI" genkey "$(mp_key "$k")" || err "genkey"
		f=$W/peer$k
		echo "$k $(mp_cli_ip "$k") $port $(mp_vpn4 "$k")" >"$f"
		added=0
		run "$MP_S" "$MP_DEV" new_multi_peer "$port" "$f" && added=1 && count peers_added
		[ "$added" = 1 ] && run "$MP_S" "$MP_DEV" new_key "$k" primary 0 aes-256-gcm 0 "$(mp_key "$k")" --raw-key
		CHURN_PORT[k]=$port
		churn_client "$k"
	done
	for k in 3 4; do
		pings "c$k" "$MP_SRV_VPN" || err "c$k -> $MP_SRV_VPN: no ping at the end of the run"
		wstop "tun-c$k" TERM
		rc=$?
		[ "$rc" = 0 ] || err "c$k's one-shot exit status $rc on SIGTERM at the end (expected 0): $(tail -n 3 "$W/tun-c$k.log" | tr '\n' '|')"
	done
}

# recreate: the d1 <-> d2 tunnel is made, pinged and deleted under traffic.
# d1's device goes by ip link del, SIGTERM of its one-shot or DEL_IFACE in
# turn; every fourth tunnel runs over TCP (so each way meets both). d2's
# one-shot is stopped by SIGTERM (exit 0), except that over TCP the closed
# connection may have ended it first (exit 3, TRANSPORT_DISCONNECT/ERROR).
recreate_loop() {
	local i=0 port proto rc how
	while ! stopping; do
		i=$((i + 1))
		port=$((3000 + i % 1000))
		proto=udp
		[ $((i % 4)) = 0 ] && proto=tcp
		wstart d1 d1 "$OVPN_CLI" "$proto" i4 192.168.200.1 "$port" 192.168.200.2 "$port" \
			10.9.0.1 24 10.9.0.2 "$KEYS/sample.key" 0 --dev ovpnd --quiet
		wstart d2 d2 "$OVPN_CLI" "$proto" i4 192.168.200.2 "$port" 192.168.200.1 "$port" \
			10.9.0.2 24 10.9.0.1 "$KEYS/sample.key" 1 --dev ovpnd --quiet
		if wready d1 && wready d2; then
			count devices_created 2
			if pings d1 10.9.0.2; then
				count recreate_pings_ok
			else
				count recreate_pings_fail
				err "d1 -> 10.9.0.2 ($proto, port $port): no ping through the new tunnel"
			fi
			wstart d-ping d1 /usr/bin/ping -q -i 0.02 10.9.0.2
			sleep 1
		fi
		case $((i % 3)) in
		0) how="ip link del"
		   deltime "$i-$proto-linkdel" nst 30 d1 "$IP_BIN" link del ovpnd || err "ip link del ovpnd in d1 (iteration $i) failed"
		   wait_for "! walive d1" 10 || err "d1's one-shot still runs 10 s after its device was deleted"
		   wstop d1 TERM
		   rc=$?
		   [ "$rc" = 3 ] || err "d1's one-shot exit status $rc after ip link del (expected 3)" ;;
		1) how="SIGTERM"
		   deltime "$i-$proto-sigterm" wstop d1 TERM || err "d1's one-shot exit status $? on SIGTERM" ;;
		2) how="del_iface"
		   deltime "$i-$proto-deliface" run d1 del_iface ovpnd
		   wait_for "! walive d1" 10 || err "d1's one-shot still runs 10 s after del_iface"
		   wstop d1 TERM
		   rc=$?
		   [ "$rc" = 3 ] || err "d1's one-shot exit status $rc after del_iface (expected 3)" ;;
		esac
		wstop d-ping INT
		wstop d2 TERM
		rc=$?
		if [ "$proto" = tcp ] && [ "$rc" = 3 ]; then
			grep -Eq '^peer 0 deleted reason TRANSPORT_(DISCONNECT|ERROR)$' "$W/d2.log" ||
				err "d2's one-shot exit status 3 without a transport reason (iteration $i, tcp, $how): $(tail -n 3 "$W/d2.log" | tr '\n' '|')"
		elif [ "$rc" != 0 ]; then
			err "d2's one-shot exit status $rc on SIGTERM (iteration $i, $proto, $how): $(tail -n 3 "$W/d2.log" | tr '\n' '|')"
		fi
		count devices_deleted 2
		wait_for "! ns d1 $IP_BIN link show ovpnd && ! ns d2 $IP_BIN link show ovpnd" 10 ||
			err "ovpnd still exists 10 s after iteration $i ($how)"
		nap 1
	done
}

# ---------------------------------------------------------------- phases

WORKERS=()
start_workers() {
	rm -f "$STOP"
	iperf_loop ab "$A" "$B_VPN" 5201 "$FLAPLOCK_P2P" &
	WORKERS+=($!)
	iperf_loop ba "$B" "$A_VPN" 5202 "$FLAPLOCK_P2P" &
	WORKERS+=($!)
	iperf_loop c1s c1 "$MP_SRV_VPN" 5203 "$FLAPLOCK_MP" -b 20M &
	WORKERS+=($!)
	rotate_loop &
	WORKERS+=($!)
	flap_loop &
	WORKERS+=($!)
	churn_loop &
	WORKERS+=($!)
	recreate_loop &
	WORKERS+=($!)
	bg pc2 c2 /usr/bin/ping -q -i 0.2 "$MP_SRV_VPN"
}

stop_workers() {
	local p
	touch "$STOP"
	for p in "${WORKERS[@]}"; do
		wait_for "! kill -0 $p" $((CHUNK + 60)) 0.2 || { err "worker $p did not stop"; kill -KILL "$p"; }
		wait "$p" 2>/dev/null
	done
	WORKERS=()
	bg_stop pc2 INT 5
}

# Everything down: one-shots by SIGTERM (they delete their devices), the
# multi-peer device by ip link del, then the namespaces.
teardown() {
	local n rc
	for n in tun-a tun-b tun-c1 tun-c2; do
		bg_stop "$n" TERM 10
		rc=$?
		[ "$rc" = 0 ] || err "$n exit status $rc on SIGTERM"
	done
	nst 15 "$MP_S" "$IP_BIN" link del "$MP_DEV" || err "ip link del $MP_DEV in $MP_S"
	cleanup
	_NS_CREATED=() _BG_NAMES=()
	trap 'rc=$?; trace_off; cleanup; exit $rc' EXIT
	wait_for "[ -z \"\$($IP_BIN netns list)\" ]" 10 || err "namespaces left: $($IP_BIN netns list)"
}

# slab_kb: unreclaimable slab (kmalloc and friends) after dropping caches.
slab_kb() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '$1 == "SUnreclaim:" { print $2 }' /proc/meminfo
}
# slab_settle: the figure once two readings 2 s apart agree within 64 KiB
# (namespaces and devices are freed by work items after RCU grace periods).
slab_settle() {
	local a b t=0
	a=$(slab_kb)
	while [ "$t" -lt 30 ]; do
		sleep 2
		t=$((t + 2))
		b=$(slab_kb)
		[ $((a - b)) -le 64 ] && [ $((b - a)) -le 64 ] && break
		a=$b
	done
	echo "$b"
}
slabinfo_snap() { # FILE: name and active objects of every cache
	awk 'NR > 2 { print $1, $2 }' /proc/slabinfo | sort >"$1"
}

# KASAN's boot message may have left the log ring by now: ask the symbols.
kasan=0
grep -q ' kasan_report$' /proc/kallsyms && kasan=1

trap 'rc=$?; trace_off; cleanup; exit $rc' EXIT
trace_on

# Warm-up: the same load, briefly, and its teardown.
log "warm-up: ${WARMUP}s of the full load"
setup
start_workers
sleep "$WARMUP"
stop_workers
teardown
if [ -s "$ERRORS" ]; then
	fail "errors during the warm-up: $(cat "$ERRORS")"
fi
rm -f "$W"/count.* "$W"/iperf-*.log "$W/del-ms" "$W/slow-del.txt"
[ "$TRACING" = 1 ] && : >"$TR/trace"
base=$(slab_settle)
slabinfo_snap "$W/slab-before"
log "baseline: SUnreclaim $base kB"

# The run.
setup
log "soak: ${SECS}s"
t0=$(date +%s)
start_workers
next=$((t0 + 30))
while [ "$(date +%s)" -lt $((t0 + SECS)) ]; do
	sleep 1
	if [ "$(date +%s)" -ge "$next" ]; then
		next=$((next + 30))
		log "t=$(( $(date +%s) - t0 ))s: iperf3 runs $(total iperf_runs) ($(( $(total iperf_kb) / 1024 )) MiB), rotations $(total rotations), peers +$(total peers_added)/-$(total peers_deleted), flaps $(total flaps), devices $(total devices_created), errors $(grep -c . "$ERRORS" 2>/dev/null || echo 0)"
	fi
done
stop_workers
dur=$(( $(date +%s) - t0 ))

# No lost tunnel: every one still passes traffic.
log "after the run: traffic through every tunnel"
mp_ping_ok "$A" "$B_VPN"
mp_ping_ok "$B" "$A_VPN"
for i in 1 2; do
	mp_ping_ok "c$i" "$MP_SRV_VPN"
	mp_ping_ok "$MP_S" "$(mp_vpn4 "$i")"
done
up=$(iperf_mbps "$A" "$B_VPN" 3 -p 5201) || err "final iperf3 a -> b failed"
down=$(iperf_mbps "$B" "$A_VPN" 3 -p 5202) || err "final iperf3 b -> a failed"
log "final iperf3: a -> b $up Mbit/s, b -> a $down Mbit/s"
[ "${up:-0}" -gt 0 ] && [ "${down:-0}" -gt 0 ] || err "no throughput at the end: a -> b $up, b -> a $down Mbit/s"
keynow=$(cat "$W/key-now" 2>/dev/null)
get_peer "$A" "$OVPN_DEV" 0 2>&1 | sed 's/^/  a: /'

teardown
after=$(slab_settle)
slabinfo_snap "$W/slab-after"
delta=$((after - base))
log "SUnreclaim: baseline $base kB, after teardown $after kB, delta $delta kB (tolerance $SLAB_TOL_KB kB$([ "$kasan" = 1 ] && echo ', not enforced: KASAN quarantine'))"
# vmap_area usually leads: vmalloc'd thread stacks of the thousands of
# processes the load forks are unmapped lazily, in batches of tens of MiB.
echo "caches that grew most (active objects, before -> after):"
awk 'FNR == NR { b[$1] = $2; next } $2 > b[$1] + 0 { print $2 - b[$1], $1, b[$1] + 0, $2 }' \
	"$W/slab-before" "$W/slab-after" | sort -rn | head -n 8 |
	awk '{ printf "    %-28s %8d -> %8d (+%d)\n", $2, $3, $4, $1 }'

runs=$(total iperf_runs)
fails=$(total iperf_fail)
mib=$(( $(total iperf_kb) / 1024 ))
echo "@table soak: $dur s (SOAK_SECONDS=$SECS, warm-up ${WARMUP}s)"
echo "@table   iperf3: $runs runs of ${CHUNK}s, $fails failed; $mib MiB moved (a->b $(( $(total iperf_kb_ab) / 1024 )), b->a $(( $(total iperf_kb_ba) / 1024 )), c1->s $(( $(total iperf_kb_c1s) / 1024 ))); final a->b $up, b->a $down Mbit/s"
echo "@table   key rotations: $(total rotations) (last key id ${keynow:-none}), failed $(total rot_fail)"
echo "@table   peers added: $(total peers_added), deleted: $(total peers_deleted); pings through re-added peers $(total churn_pings_ok) ok, $(total churn_pings_fail) failed"
echo "@table   link flaps: $(total flaps)"
echo "@table   devices created: $(total devices_created), deleted: $(total devices_deleted); pings through new tunnels $(total recreate_pings_ok) ok, $(total recreate_pings_fail) failed"
dels=$(grep -c . "$W/del-ms" 2>/dev/null || echo 0)
delstat=$(sort -n "$W/del-ms" 2>/dev/null | awk '{ v[NR] = $1; w[NR] = $2 } END {
	if (NR) printf "median %d ms, slowest %d ms (%s)", v[int((NR + 1) / 2)], v[NR], w[NR] }')
slowdels=$(awk -v l="$DEL_SLOW_MS" '$1 >= l' "$W/del-ms" 2>/dev/null | grep -c .)
echo "@table   device deletions timed: $dels, $delstat; $slowdels slower than $DEL_SLOW_MS ms$([ "$TRACING" = 1 ] && echo ' (release chain traced)')"
[ "$TRACING" = 1 ] && echo "@table   release chain: $(chain_stats)"
echo "@table   slab (SUnreclaim): $base kB before, $after kB after, delta $delta kB (tolerance $SLAB_TOL_KB kB$([ "$kasan" = 1 ] && echo ', KASAN: kmemleak decides'))"

if [ -s "$ERRORS" ]; then
	echo "errors during the soak:"
	sed 's/^/  /' "$ERRORS"
	fail "$(grep -c . "$ERRORS") error(s) during the soak"
fi
[ "$fails" = 0 ] || fail "$fails iperf3 run(s) failed"
[ "$runs" -gt 0 ] || fail "no iperf3 run"
[ "$(total rotations)" -gt 0 ] || fail "no key rotation"
[ "$(total peers_added)" -gt 0 ] || fail "no peer added"
[ "$(total flaps)" -gt 0 ] || fail "no link flap"
[ "$(total devices_created)" -gt 0 ] || fail "no device created"
if [ "$kasan" = 0 ] && [ "$delta" -gt "$SLAB_TOL_KB" ]; then
	fail "unreclaimable slab grew by $delta kB (> $SLAB_TOL_KB kB) over the soak"
fi
echo "ok: soak"
