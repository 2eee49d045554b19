#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The side-by-side benchmark, inside the guest (tests/guest/run.sh --bench,
# `make bench`). Every contender gets the same two namespaces a and b joined
# by the same veth underlay; a runs the iperf3 server (and the OpenVPN P2P
# server), b the client. Each test is repeated; reps are the outer loop so
# that a slow moment of the shared host spreads over all tests.
#
#   bench.sh              every contender of $BENCH_CONTENDERS, each in a
#                         process of its own bounded by a timeout
#   bench.sh --one NAME   one contender (what the loop runs)
#
# Knobs (tests/bench/bench.conf, written by run.sh; defaults for a bare run):
# BENCH_CONTENDERS, BENCH_TESTS (tests/bench/knobs.sh), BENCH_TIME (s per
# iperf3 run), BENCH_REPS, BENCH_UDP_RATE, BENCH_UDP_LEN, BENCH_REF_KO and
# BENCH_REF_SRCVERSION (the reference module), BENCH_OURS_SRCVERSION;
# BENCH_MISROUTE=1 (a check of the harness itself): aim iperf3 at a's
# underlay address instead of its tunnel address, which every run of a tunnel
# contender must then report as failed.
#
# Records for the host (tests/bench/report.py), one per line on stdout:
#   @bench info KEY VALUE...
#   @bench begin CONTENDER
#   @bench setup CONTENDER KEY=VALUE...
#   @bench run CONTENDER TEST REP ok KEY=VALUE...
#   @bench run CONTENDER TEST REP fail REASON...
#   @bench end CONTENDER ok | @bench end CONTENDER fail REASON...
#   @bench dmesg CONTENDER LINE...
#   @bench done
# Every run checks that the traffic crossed the contender's tunnel device:
# the receiver's device counted at least 90% of the bytes iperf3 received,
# and the underlay veth at least as many (encapsulated) bytes.
# timeout: 1800
HERE=$(cd "$(dirname "$0")" && pwd)
. "${OVPN_LIB:-$HERE/../lib.sh}"
. "$HERE/../scenarios/lib/openvpn.sh"
. "$HERE/knobs.sh"
# shellcheck source=/dev/null
[ -r "$HERE/bench.conf" ] && . "$HERE/bench.conf"

BENCH_CONTENDERS=${BENCH_CONTENDERS:-$(bench_select all "$BENCH_ALL_CONTENDERS")}
BENCH_TESTS=${BENCH_TESTS:-$BENCH_ALL_TESTS}
BENCH_TIME=${BENCH_TIME:-3}
BENCH_REPS=${BENCH_REPS:-3}
BENCH_UDP_RATE=${BENCH_UDP_RATE:-50M}
BENCH_UDP_LEN=${BENCH_UDP_LEN:-1200}
BENCH_REF_KO=${BENCH_REF_KO:-/opt/ovpn/ref/ovpn-dco-v2.ko}
WG_PORT=51820
DMESG_RE=${DMESG_RE:-'BUG:|WARNING:|Oops|refcount_t|KASAN|UBSAN|unregister_netdevice: waiting|list_(add|del) corruption|general protection|Kernel panic|soft lockup|rcu.*detected stall|blocked for more than'}

# Records go to the scenario's stdout (fd 5, opened by the loop and inherited
# by each contender's process), whatever a step redirects.
if [ "${1:-}" != --one ] || ! { : >&5; } 2>/dev/null; then
	exec 5>&1
fi
rec() { printf '@bench %s\n' "$*" >&5; }
# say: a progress line in the scenario's output (not a record)
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&5; }

# ---------------------------------------------------------------- counters

# rx_bytes PID DEV: rx bytes of DEV in the namespace of PID, read from
# /proc/PID/net/dev by the shell itself (a process per read costs hundreds
# of ms under TCG).
rx_bytes() {
	local line f
	while read -r line; do
		case "$line" in
		"$2:"*)
			read -r f _ <<<"${line#*:}"
			echo "$f"
			return 0 ;;
		esac
	done <"/proc/$1/net/dev"
	echo 0
}

# ------------------------------------------------------------------ iperf3

# iperf_parse FILE: from iperf3's last "receiver" line (-f m), print
# "mbps=R bytes=B" and for UDP " jitter_ms=J lost=L total=T loss_pct=P";
# returns 1 without such a line.
iperf_parse() {
	awk '
	/receiver[ \t]*$/ { line = $0 }
	END {
		if (line == "")
			exit 1
		n = split(line, f, " ")
		b = -1
		for (i = 2; i <= n; i++) {
			if (b < 0 && f[i] ~ /^[KMGT]?Bytes$/) {
				m = 1
				if (f[i] ~ /^K/) m = 1024
				if (f[i] ~ /^M/) m = 1048576
				if (f[i] ~ /^G/) m = 1073741824
				if (f[i] ~ /^T/) m = 1099511627776
				b = f[i - 1] * m
			}
			if (f[i] == "Mbits/sec")
				r = f[i - 1]
			if (f[i] == "ms")
				j = f[i - 1]
			if (f[i] ~ /^[0-9]+\/[0-9]+$/) {
				split(f[i], lt, "/")
				lost = lt[1]
				tot = lt[2]
			}
		}
		if (r == "" || b < 0)
			exit 1
		printf "mbps=%s bytes=%d", r, b
		if (tot != "")
			printf " jitter_ms=%s lost=%d total=%d loss_pct=%.3f", j, lost, tot, (tot > 0 ? 100 * lost / tot : 100)
		printf "\n"
	}' "$1"
}

# ping_parse FILE: "rtt_med=.. rtt_avg=.. rtt_min=.. rtt_max=.. ping_tx=N
# ping_rx=N" from ping's per-reply lines and summary.
ping_parse() {
	local tx rx
	tx=$(sed -n 's/^\([0-9][0-9]*\) packets transmitted.*/\1/p' "$1")
	rx=$(grep -c ' time=' "$1")
	sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' "$1" | sort -n | awk -v tx="${tx:-0}" -v rx="$rx" '
		{ v[NR] = $1; s += $1 }
		END {
			if (NR == 0) { printf "ping_tx=%d ping_rx=0\n", tx; exit }
			med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "rtt_med=%.3f rtt_avg=%.3f rtt_min=%.3f rtt_max=%.3f ping_tx=%d ping_rx=%d\n",
				med, s / NR, v[1], v[NR], tx, rx
		}'
}

_RUN_N=0
# measure TEST REP WITH_PING: one iperf3 run b -> a's tunnel address (and,
# WITH_PING=1, ping during it); emits the run record(s). Returns 1 if the run
# failed.
measure() {
	local test=$1 rep=$2 with_ping=$3 dir=up args=() rpid rtun rul t0 u0 t1 u1 res='' bytes out pout ipid rc reason='' p T0
	case "$test" in
	tcp1-up | lat) ;;
	tcp1-down) args=(-R); dir=down ;;
	tcp4-up) args=(-P 4) ;;
	tcp4-down) args=(-P 4 -R); dir=down ;;
	udp-up) args=(-u -b "$BENCH_UDP_RATE" -l "$BENCH_UDP_LEN") ;;
	*) fail "unknown test $test" ;;
	esac
	if [ "$dir" = up ]; then
		rpid=$ANCHOR_A rtun=$TUN_A rul=$A_DEV
	else
		rpid=$ANCHOR_B rtun=$TUN_B rul=$B_DEV
	fi
	_RUN_N=$((_RUN_N + 1))
	out=$LOGDIR/iperf-$_RUN_N-$test-$rep.log
	pout=$LOGDIR/ping-$_RUN_N-$rep.log
	T0=$(date +%s%N)
	t0=$(rx_bytes "$rpid" "$rtun")
	u0=$(rx_bytes "$rpid" "$rul")
	nst $((BENCH_TIME + 30)) "$B" /usr/bin/iperf3 -c "$TARGET" -t "$BENCH_TIME" -f m -i 0 \
		--connect-timeout 5000 "${args[@]}" >"$out" 2>&1 &
	ipid=$!
	if [ "$with_ping" = 1 ]; then
		# from 0.5 s in to 0.5 s before the end: the load is on throughout
		sleep 0.5
		p=$(( (BENCH_TIME - 1) * 10 ))
		[ "$p" -ge 5 ] || p=5
		nst $((BENCH_TIME + 10)) "$B" /usr/bin/ping -n -i 0.1 -c "$p" -W 1 -w "$BENCH_TIME" "$TARGET" >"$pout" 2>&1
	fi
	wait "$ipid"
	rc=$?
	t1=$(rx_bytes "$rpid" "$rtun")
	u1=$(rx_bytes "$rpid" "$rul")
	sed "s/^/    $test #$rep: /" "$out"
	if [ "$rc" != 0 ]; then
		reason="iperf3 exited with status $rc: $(grep -m 1 -i 'error' "$out" || tail -n 1 "$out")"
	elif ! res=$(iperf_parse "$out"); then
		reason="no receiver line in iperf3's output: $(tail -n 1 "$out")"
	else
		bytes=${res#*bytes=}
		bytes=${bytes%% *}
		if [ "$bytes" -le 0 ]; then
			reason="iperf3 received no data"
		elif [ $(( (t1 - t0) * 10 )) -lt $((bytes * 9)) ]; then
			reason="$rtun received $((t1 - t0)) bytes for $bytes bytes of iperf3 data: the traffic did not cross the tunnel"
		elif [ "$rul" != "$rtun" ] && [ $((u1 - u0)) -lt $((t1 - t0)) ]; then
			reason="the underlay $rul received $((u1 - u0)) bytes, less than the tunnel's $((t1 - t0)): the traffic did not cross the underlay"
		fi
	fi
	say "$NAME $test #$rep: ${res:-failed} ($(( ($(date +%s%N) - T0) / 1000000 )) ms)"
	if [ -z "$reason" ]; then
		[ "$test" = lat ] || rec run "$NAME" "$test" "$rep" ok "$res" tun_rx=$((t1 - t0)) ul_rx=$((u1 - u0))
	else
		rec run "$NAME" "$test" "$rep" fail "$reason"
		[ "$with_ping" = 1 ] && [ "$test" != lat ] && rec run "$NAME" lat "$rep" fail "the iperf3 load failed: $reason"
		return 1
	fi
	if [ "$with_ping" = 1 ]; then
		sed "s/^/    ping #$rep: /" "$pout" | tail -n 3
		p=$(ping_parse "$pout")
		case "$p" in
		*ping_rx=0*) rec run "$NAME" lat "$rep" fail "no ping reply under load: $(tail -n 2 "$pout" | tr '\n' ' ')" ;;
		*)
			res=${res#mbps=}
			rec run "$NAME" lat "$rep" ok "$p" load_mbps="${res%% *}" ;;
		esac
	fi
	return 0
}

# ------------------------------------------------------------ contenders

# module_is ours|reference: the loaded ovpn_dco_v2 is that build.
module_is() {
	local want got
	[ "$1" = ours ] && want=${BENCH_OURS_SRCVERSION:-} || want=${BENCH_REF_SRCVERSION:-}
	got=$(cat /sys/module/ovpn_dco_v2/srcversion 2>/dev/null)
	[ -n "$want" ] && [ "$got" = "$want" ]
}

require_loaded() {
	module_is "$1" || fail "the loaded ovpn_dco_v2 is not $1's build (srcversion '$(cat /sys/module/ovpn_dco_v2/srcversion 2>/dev/null)')"
}

# crypto_impl ALG: the driver the kernel picks for ALG (highest priority).
crypto_impl() {
	awk -v alg="$1" -F' *: ' '
		$1 == "name" { n = $2 } $1 == "driver" { d = $2 }
		$1 == "priority" && n == alg && $2 + 0 > best { best = $2 + 0; impl = d }
		END { print (impl == "" ? "?" : impl) }' /proc/crypto
}

setup_ovpn() { # CIPHER dco|userspace udp|tcp
	local c=$1 mode=$2 proto=$3 extra=
	pki_init
	[ "$mode" = userspace ] && { need_tun; extra=--disable-dco; }
	# shellcheck disable=SC2086
	p2p_server srv "$proto" "$c" $extra
	# shellcheck disable=SC2086
	p2p_client cli "$proto" "$c" $extra
	ovpn_wait_up srv 60
	ovpn_wait_up cli 60
	grep -q "Data Channel: cipher '$c'" "$(bg_log cli)" ||
		fail "the client did not negotiate $c: $(grep 'Data Channel' "$(bg_log cli)")"
	if [ "$mode" = userspace ]; then
		assert_no_dco srv "$A"
		assert_no_dco cli "$B"
	else
		assert_dco srv "$A"
		assert_dco cli "$B"
	fi
	TUN_A=$OVPN_TUN TUN_B=$OVPN_TUN TARGET=$A_VPN
}

setup_wireguard() {
	local ka kb pa pb
	modprobe wireguard || fail "modprobe wireguard failed"
	command -v wg >/dev/null || fail "wg (wireguard-tools) is not in the guest: install it on the host (scripts/deps.sh --bench)"
	ka=$(wg genkey) || fail "wg genkey failed"
	kb=$(wg genkey) || fail "wg genkey failed"
	pa=$(wg pubkey <<<"$ka") || fail "wg pubkey failed"
	pb=$(wg pubkey <<<"$kb") || fail "wg pubkey failed"
	printf '%s\n' "$ka" >"$LOGDIR/wg-a.key"
	printf '%s\n' "$kb" >"$LOGDIR/wg-b.key"
	ns "$A" "$IP_BIN" link add wg0 type wireguard || fail "cannot create wg0 in a"
	ns "$B" "$IP_BIN" link add wg0 type wireguard || fail "cannot create wg0 in b"
	ns "$A" /usr/bin/wg set wg0 listen-port "$WG_PORT" private-key "$LOGDIR/wg-a.key" \
		peer "$pb" allowed-ips "$B_VPN/32" endpoint "$B_IP:$WG_PORT" || fail "wg set in a"
	ns "$B" /usr/bin/wg set wg0 listen-port "$WG_PORT" private-key "$LOGDIR/wg-b.key" \
		peer "$pa" allowed-ips "$A_VPN/32" endpoint "$A_IP:$WG_PORT" || fail "wg set in b"
	ns "$A" "$IP_BIN" addr add "$A_VPN/24" dev wg0
	ns "$B" "$IP_BIN" addr add "$B_VPN/24" dev wg0
	ns "$A" "$IP_BIN" link set wg0 up
	ns "$B" "$IP_BIN" link set wg0 up
	TUN_A=wg0 TUN_B=wg0 TARGET=$A_VPN
}

one() {
	NAME=$1
	local cipher t rep t0 fails=0 info='' tests=() with_ping proto=udp
	case "$NAME" in
	*-aes) cipher=AES-256-GCM ;;
	*-chacha) cipher=CHACHA20-POLY1305 ;;
	esac
	# OpenVPN over TCP transport
	case "$NAME" in
	*-tcp-*) proto=tcp ;;
	esac
	t0=$(date +%s%N)
	setup_two_hosts
	bg anchor-a "$A" /usr/bin/sleep 100000
	bg anchor-b "$B" /usr/bin/sleep 100000
	ANCHOR_A=$(bg_pid anchor-a) ANCHOR_B=$(bg_pid anchor-b)
	case "$NAME" in
	veth)
		TUN_A=$A_DEV TUN_B=$B_DEV TARGET=$A_IP ;;
	ours-cli-*)
		require_module
		require_loaded ours
		oneshot_pair --quiet --cipher "${cipher,,}"
		TUN_A=$OVPN_DEV TUN_B=$OVPN_DEV TARGET=$A_VPN ;;
	ours-ovpn-*)
		require_module
		require_loaded ours
		setup_ovpn "$cipher" dco "$proto" ;;
	ours-tmpl-*)
		# ours via OpenVPN, ChaCha20-Poly1305 through the crypto API's
		# rfc7539 template instead of the library: the module reads
		# chacha_lib when OpenVPN installs the keys
		require_module
		require_loaded ours
		echo 0 >/sys/module/ovpn_dco_v2/parameters/chacha_lib || fail "cannot set chacha_lib=0"
		setup_ovpn "$cipher" dco "$proto"
		echo 1 >/sys/module/ovpn_dco_v2/parameters/chacha_lib ;;
	ref-ovpn-*)
		require_module
		require_loaded reference
		setup_ovpn "$cipher" dco "$proto" ;;
	user-*)
		setup_ovpn "$cipher" userspace "$proto" ;;
	wireguard)
		setup_wireguard ;;
	*) fail "unknown contender $NAME" ;;
	esac
	wait_for "kill -0 $ANCHOR_A && kill -0 $ANCHOR_B" 1 || fail "namespace anchors died"
	case "$NAME" in
	ours-*)
		# empty: the module's default (threaded_napi)
		if [ -n "${BENCH_NAPI_THREADED:-}" ]; then
			ns "$A" /bin/sh -c "echo $BENCH_NAPI_THREADED >/sys/class/net/$TUN_A/threaded" || fail "cannot set $TUN_A's threaded NAPI to $BENCH_NAPI_THREADED"
			ns "$B" /bin/sh -c "echo $BENCH_NAPI_THREADED >/sys/class/net/$TUN_B/threaded" || fail "cannot set $TUN_B's threaded NAPI to $BENCH_NAPI_THREADED"
		fi ;;
	esac
	[ "${BENCH_MISROUTE:-0}" = 1 ] && TARGET=$A_IP
	wait_ping "$B" "$TARGET" 30 || fail "no ping b -> $TARGET through $TUN_B within 30s"
	nst 10 "$B" /usr/bin/ping -n -c 5 -i 0.1 -W 1 "$TARGET" >"$LOGDIR/ping-idle.log" 2>&1
	info="setup_ms=$(( ($(date +%s%N) - t0) / 1000000 )) dev=$TUN_A target=$TARGET $(ping_parse "$LOGDIR/ping-idle.log" | sed 's/rtt_/idle_rtt_/g; s/ping_/idle_ping_/g')"
	case "$NAME" in
	ours-* | ref-*)
		info+=" module=$(tr ' ' _ </sys/module/ovpn_dco_v2/version 2>/dev/null)"
		info+=" srcversion=$(cat /sys/module/ovpn_dco_v2/srcversion 2>/dev/null)"
		if [ "$cipher" = AES-256-GCM ]; then
			info+=" crypto=$(crypto_impl 'gcm(aes)')"
		elif [ "$NAME" = ours-ovpn-chacha ] || [ "$NAME" = ours-ovpn-tcp-chacha ] || [ "$NAME" = ours-cli-chacha ]; then
			info+=" crypto=library"
		else
			info+=" crypto=$(crypto_impl 'rfc7539(chacha20,poly1305)')"
		fi ;;
	esac
	info+=" mtu=$(ns "$B" cat "/sys/class/net/$TUN_B/mtu") transport=$proto"
	rec setup "$NAME" "$info"
	say "$NAME: up after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	IPERF_SRV=iperf0
	iperf_server "$IPERF_SRV" "$A"

	# lat rides on tcp1-up when both run (a single-stream upload with ping
	# beside it: the ping's few packets do not move the throughput).
	read -r -a tests <<<"$BENCH_TESTS"
	for rep in $(seq 1 "$BENCH_REPS"); do
		for t in "${tests[@]}"; do
			with_ping=0
			case "$t" in
			lat) [[ " $BENCH_TESTS " == *" tcp1-up "* ]] && continue; with_ping=1 ;;
			tcp1-up) [[ " $BENCH_TESTS " == *" lat "* ]] && with_ping=1 ;;
			esac
			if measure "$t" "$rep" "$with_ping"; then
				fails=0
				continue
			fi
			fails=$((fails + 1))
			[ "$fails" -lt 2 ] || fail "two runs in a row failed (the last: $t #$rep), giving up"
			# iperf3's server can stay stuck after a failed run
			bg_stop "$IPERF_SRV" TERM 5 >/dev/null 2>&1
			IPERF_SRV=iperf$_RUN_N
			iperf_server "$IPERF_SRV" "$A"
		done
	done
	# the tunnel is still up after the load
	nst 10 "$B" /usr/bin/ping -n -c 2 -i 0.2 -W 2 "$TARGET" >/dev/null 2>&1 ||
		fail "the tunnel no longer answers ping after the runs"
}

if [ "${1:-}" = --one ]; then
	one "$2"
	exit 0
fi

# ------------------------------------------------------------------ the loop

kill_leftovers() {
	local n pid
	for n in $("$IP_BIN" netns list 2>/dev/null | awk '{print $1}'); do
		for pid in $("$IP_BIN" netns pids "$n" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		"$TIMEOUT_BIN" 10 "$IP_BIN" netns del "$n" 2>/dev/null
	done
}

# use_reference: swap our module for the reference (once); prints why not.
SWAPPED=
use_reference() {
	local err
	[ "$SWAPPED" = ok ] && return 0
	[ -n "$SWAPPED" ] && { echo "$SWAPPED"; return 1; }
	SWAPPED="cannot load the reference module"
	if [ -z "${BENCH_REF_SRCVERSION:-}" ] || [ ! -f "$BENCH_REF_KO" ]; then
		SWAPPED="the reference module is not in the guest ($BENCH_REF_KO)"
	else
		for _ in 1 2 3 4 5; do
			[ -d /sys/module/ovpn_dco_v2 ] || break
			err=$("$TIMEOUT_BIN" 30 /usr/sbin/rmmod ovpn_dco_v2 2>&1) && break
			sleep 1
		done
		if [ -d /sys/module/ovpn_dco_v2 ]; then
			SWAPPED="rmmod of our module failed: $err"
		elif ! err=$(/usr/sbin/insmod "$BENCH_REF_KO" 2>&1); then
			SWAPPED="insmod $BENCH_REF_KO failed: $err"
		elif ! module_is reference; then
			SWAPPED="the loaded module's srcversion $(cat /sys/module/ovpn_dco_v2/srcversion 2>/dev/null) is not the reference's ($BENCH_REF_SRCVERSION)"
		else
			SWAPPED=ok
			echo "reference module loaded: version $(cat /sys/module/ovpn_dco_v2/version), srcversion $BENCH_REF_SRCVERSION"
			return 0
		fi
	fi
	echo "$SWAPPED"
	return 1
}

# contender_tmo: a generous bound for one contender (setup + every run).
contender_tmo() {
	local n
	n=$(wc -w <<<"$BENCH_TESTS")
	echo $((150 + BENCH_REPS * n * (BENCH_TIME + 25)))
}

rec info kernel "$(uname -r)"
rec info cpus "$(nproc)"
rec info cpu_model "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
rec info cmdline "$(cat /proc/cmdline)"
rec info openvpn "$("$OPENVPN_BIN" --version 2>/dev/null | head -n 1)"
rec info iperf3 "$(/usr/bin/iperf3 --version 2>/dev/null | head -n 1)"
rec info knobs "contenders=${BENCH_CONTENDERS// /,} tests=${BENCH_TESTS// /,} time=$BENCH_TIME reps=$BENCH_REPS udp_rate=$BENCH_UDP_RATE udp_len=$BENCH_UDP_LEN ours_params=${BENCH_OURS_PARAMS:+${BENCH_OURS_PARAMS// /,}} napi_threaded=${BENCH_NAPI_THREADED:-default}"
rec info ours_srcversion "${BENCH_OURS_SRCVERSION:-?}"
rec info ref_srcversion "${BENCH_REF_SRCVERSION:-?}"
log "bench: contenders: $BENCH_CONTENDERS; tests: $BENCH_TESTS; ${BENCH_TIME}s x $BENCH_REPS"
# experiments: our module's parameters for the whole run (ours is loaded
# at boot; the reference replaces it later and does not have them)
for kv in ${BENCH_OURS_PARAMS:-}; do
	echo "${kv#*=}" >"/sys/module/ovpn_dco_v2/parameters/${kv%%=*}" || fail "cannot set ovpn_dco_v2 $kv"
	log "bench: ovpn_dco_v2 $kv"
done

for c in $BENCH_CONTENDERS; do
	d=$LOGDIR/$c
	mkdir -p "$d"
	kill_leftovers
	rec begin "$c"
	log "=== $c"
	case "$c" in
	ref-*)
		if ! why=$(use_reference); then
			rec end "$c" fail "$why"
			continue
		fi
		echo "$why" ;;
	esac
	mark="bench: begin $c $(date +%s%N)"
	echo "$mark" >/dev/kmsg
	t0=$(date +%s)
	LOGDIR=$d "$TIMEOUT_BIN" -k 10 "$(contender_tmo)" /bin/bash "$0" --one "$c" >"$d/out.log" 2>&1
	rc=$?
	kill_leftovers
	log "$c: exit status $rc after $(($(date +%s) - t0))s"
	if [ "$rc" = 0 ]; then
		rec end "$c" ok
	else
		why=$(sed -n 's/^FAIL: //p; s/^SKIP: /skipped: /p' "$d/out.log" | tail -n 1)
		case "$rc" in
		124 | 137) why="timed out after $(contender_tmo)s${why:+: $why}" ;;
		esac
		rec end "$c" fail "${why:-exit status $rc}"
		echo "--- $c: the last 60 lines of its log:"
		tail -n 60 "$d/out.log" | sed 's/^/    /'
	fi
	# kernel reports during this contender (also fail the bench scenario)
	dmesg | awk -v m="$mark" 'index($0, m) { s = 1; next } s' | grep -E "$DMESG_RE" | head -n 5 |
		while IFS= read -r l; do rec dmesg "$c" "$l"; done
done
kill_leftovers
rec "done"
exit 0
