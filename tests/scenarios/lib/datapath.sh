# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Helpers shared by the data-path scenarios (tests/scenarios/1x-, 2x-*.sh).
# Source it after tests/lib.sh:
#
#   . "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
#   . "$(dirname "$0")/lib/datapath.sh"
#
# Lives in a subdirectory: files directly in tests/scenarios/*.sh are run as
# scenarios.

TCPDUMP_BIN=/usr/bin/tcpdump
TC_BIN=/usr/sbin/tc
UDPSEND=${UDPSEND:-$TOOLS/udpsend}

# ------------------------------------------------------------------- ping

# ping_run NS DST COUNT [ping options]: ping DST from NS (interval 0.2 s,
# 2 s wait per reply unless overridden), print its whole output; the status
# is ping's (non-zero when a reply was missing).
ping_run() {
	local n=$1 dst=$2 c=$3
	shift 3
	nst $((c + 20)) "$n" /usr/bin/ping -c "$c" -i 0.2 -W 2 "$@" "$dst" 2>&1
}

# ping_ok NS DST COUNT [ping options]: COUNT pings must all be answered.
ping_ok() {
	local out
	out=$(ping_run "$@") || fail "ping $2 from $1 failed: $(printf '%s' "$out" | tail -n 3)"
	assert_match "$out" " $3 received, 0% packet loss" "ping $2 from $1"
	printf '%s\n' "$out" | grep -E 'packets transmitted|rtt' | sed 's/^/    /'
}

# ping_received "<ping output>": the number of replies received.
ping_received() {
	[[ "$1" =~ [[:space:]]([0-9]+)\ received ]] && echo "${BASH_REMATCH[1]}"
	return 0
}

# ping_none NS DST COUNT [ping options]: COUNT pings must all go unanswered
# (100% loss). Short wait per reply.
ping_none() {
	local n=$1 dst=$2 c=$3 out
	shift 3
	out=$(nst $((c + 20)) "$n" /usr/bin/ping -c "$c" -i 0.2 -W 1 "$@" "$dst" 2>&1)
	assert_eq "$(ping_received "$out")" 0 "replies to pings that must not get through ($n -> $dst): $(printf '%s' "$out" | tail -n 2)"
	assert_match "$out" "$c packets transmitted" "ping $dst from $n sent all its packets"
}

# ----------------------------------------------------------------- iperf3

# iperf_both NS SERVER_IP SECS [iperf3 options]: TCP both ways (the server
# must run); both must be non-zero. Sets UP and DOWN (Mbit/s). Do not call it
# in $(...): a failure must end the scenario, not a subshell.
iperf_both() {
	local n=$1 srv=$2 secs=$3
	shift 3
	UP=$(iperf_mbps "$n" "$srv" "$secs" "$@") || fail "iperf3 $n -> $srv failed"
	DOWN=$(iperf_mbps "$n" "$srv" "$secs" -R "$@") || fail "iperf3 $srv -> $n (reverse) failed"
	echo "iperf3 TCP $n -> $srv: $UP Mbit/s, reverse: $DOWN Mbit/s"
	assert_gt "$UP" 0 "iperf3 $n -> $srv throughput (Mbit/s)"
	assert_gt "$DOWN" 0 "iperf3 $srv -> $n throughput (Mbit/s)"
}

# ---------------------------------------------------------------- capture

# cap_start NAME NS DEV [FILTER...]: tcpdump on DEV in NS into
# $LOGDIR/NAME.pcap (whole packets, written as they come, as root so the
# scratch directory is writable), wait until it listens.
cap_start() {
	local name=$1 n=$2 dev=$3
	shift 3
	bg "$name" "$n" "$TCPDUMP_BIN" -n -U --immediate-mode -B 8192 -Z root -s 0 -i "$dev" -w "$LOGDIR/$name.pcap" "$@"
	wait_log "$name" 'listening on' 10
}

# cap_stop NAME: stop the capture (it flushes), print its summary.
cap_stop() {
	# a moment for the last packets to reach the socket
	sleep 0.3
	bg_stop "$1" INT 10 >/dev/null
	grep -E 'packets (captured|received by filter|dropped by kernel)' "$(bg_log "$1")" | sed "s/^/    $1: /"
	return 0
}

cap_file() { echo "$LOGDIR/$1.pcap"; }

# cap_kernel_drops NAME: packets the capture lost (tcpdump's own count).
cap_kernel_drops() {
	local v
	v=$(sed -n 's/^\([0-9][0-9]*\) packets dropped by kernel.*/\1/p' "$(bg_log "$1")" | head -n 1)
	echo "${v:-0}"
}

# pcap_pkts FILE [FILTER...]: one line per IP packet of a capture:
#   <ipver> <iplen> <frag> <proto> <src> <dst> <udp-payload-hex>
# iplen is the whole IP packet in bytes; frag 1 if it is an IP fragment
# (IPv4 MF or offset, IPv6 fragment header); src/dst as tcpdump prints them
# (addr.port); the payload is "-" when the packet is not UDP or not the first
# fragment. Hex is lower case, no spaces.
pcap_pkts() {
	local f=$1
	shift
	"$TCPDUMP_BIN" -r "$f" -n -x "$@" 2>/dev/null | awk '
	function hv(s,   i, v) {
		v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	function emit(   ver, ihl, len, proto, fo, frag, off, pl) {
		if (h == "")
			return
		ver = substr(h, 1, 1)
		frag = 0
		off = -1
		if (ver == "4") {
			ihl = hv(substr(h, 2, 1)) * 4
			len = hv(substr(h, 5, 4))
			proto = hv(substr(h, 19, 2))
			fo = hv(substr(h, 13, 4))
			if (int(fo / 8192) % 2 == 1 || fo % 8192 != 0)
				frag = 1
			if (proto == 17 && fo % 8192 == 0)
				off = ihl + 8
		} else if (ver == "6") {
			len = hv(substr(h, 9, 4)) + 40
			proto = hv(substr(h, 13, 2))
			if (proto == 44) {
				frag = 1
				proto = hv(substr(h, 81, 2))
				if (proto == 17 && int(hv(substr(h, 85, 4)) / 8) == 0)
					off = 40 + 8 + 8
			} else if (proto == 17)
				off = 40 + 8
		} else {
			len = length(h) / 2
			proto = -1
		}
		pl = "-"
		if (off >= 0 && length(h) > off * 2)
			pl = substr(h, off * 2 + 1)
		print ver, len, frag, proto, (src == "" ? "-" : src), (dst == "" ? "-" : dst), pl
		h = ""
	}
	/^[0-9]/ {
		emit()
		src = ""; dst = ""
		for (i = 2; i < NF; i++)
			if ($(i + 1) == ">") { src = $i; dst = $(i + 2); sub(/:$/, "", dst); break }
		next
	}
	/^[ \t]+0x[0-9a-f]+:/ {
		for (i = 2; i <= NF; i++)
			h = h $i
		next
	}
	END { emit() }'
}

# pcap_count FILE [FILTER...]: number of packets matching FILTER.
pcap_count() {
	local f=$1
	shift
	"$TCPDUMP_BIN" -r "$f" -n "$@" 2>/dev/null | grep -c .
}

# pcap_has FILE STRING: does the capture contain STRING (raw bytes)?
pcap_has() {
	LC_ALL=C grep -a -q -F -- "$2" "$1"
}

# dv2_check "<payload hex lines>" FIRST4 WHAT: every payload begins with the
# 4 bytes FIRST4 (hex, e.g. 48000000 = P_DATA_V2, key id 0, peer id 0) and is
# at least 24 bytes. Sets DV2_N to the number of payloads. Not in $(...).
dv2_check() {
	local lines=$1 want=$2 bad
	bad=$(printf '%s\n' "$lines" | awk -v w="$want" 'NF && (substr($0, 1, 8) != w || length($0) < 48) { print; n++ } n >= 3 { exit }')
	[ -z "$bad" ] || fail "${3:-underlay}: payloads that do not start with $want (or shorter than 24 bytes): $(printf '%s' "$bad" | cut -c1-64 | tr '\n' ' ')"
	DV2_N=$(printf '%s\n' "$lines" | grep -c .)
}

# pktids "<payload hex lines>": the packet id (bytes 4..7) of each, decimal,
# one per line, in capture order.
pktids() {
	printf '%s\n' "$1" | awk '
	function hv(s,   i, v) {
		v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	NF { print hv(substr($0, 9, 8)) }'
}

# ----------------------------------------------------------------- tc drop

# drop_tunnel_in NS DEV PORT: drop UDP datagrams to PORT arriving on DEV
# (tc ingress, after packet capture taps: tcpdump on DEV still sees them).
# A kernel without the clsact qdisc (the debug kernel of make check-debug:
# CONFIG_NET_SCH_INGRESS selects NET_INGRESS, which changes struct
# net_device, so adding it means rebuilding that kernel whole) skips.
drop_tunnel_in() {
	local out
	out=$(ns "$1" "$TC_BIN" qdisc add dev "$2" clsact 2>&1) || {
		[[ "$out" == *"kind is unknown"* ]] && skip "this kernel has no clsact qdisc: $out"
		fail "tc clsact on $2 in $1: $out"
	}
	ns "$1" "$TC_BIN" filter add dev "$2" ingress protocol ip prio 1 u32 \
		match ip protocol 17 0xff match ip dport "$3" 0xffff action drop ||
		fail "tc ingress drop filter on $2 in $1"
}

undrop_tunnel_in() { # NS DEV
	ns "$1" "$TC_BIN" qdisc del dev "$2" clsact || fail "removing tc clsact from $2 in $1"
}

# held_packets NS_FROM DST_VPN COUNT: send COUNT pings from NS_FROM to DST_VPN
# while b drops the tunnel's datagrams at its door; sets HELD to the captured
# UDP payloads a -> b (hex, one per line): authentic data packets that b has
# never seen. The b side is $B with $B_DEV, tunnel port $PORT. Not in $(...).
_HELD_N=0
held_packets() {
	local from=$1 dst=$2 c=$3 name
	_HELD_N=$((_HELD_N + 1))
	name=held$_HELD_N
	drop_tunnel_in "$B" "$B_DEV" "$PORT"
	cap_start "$name" "$B" "$B_DEV" udp and dst port "$PORT" and src host "$A_IP"
	ping_none "$from" "$dst" "$c"
	cap_stop "$name"
	undrop_tunnel_in "$B" "$B_DEV"
	HELD=$(pcap_pkts "$(cap_file "$name")" | awk '$7 != "-" { print $7 }')
	printf '%s\n' "$HELD" >"$LOGDIR/$name.hex"
	[ -n "$HELD" ] || fail "no packet a -> b captured while b dropped them"
}

# --------------------------------------------------------------- counters

# peer_snap NS DEV VAR: store get_peer output in VAR (fails the scenario if
# GET_PEER fails).
peer_snap() {
	local out
	out=$(get_peer "$1" "$2") || fail "get_peer in $1 on $2 failed: $out"
	printf -v "$3" '%s' "$out"
}

# wait_stat NS DEV COUNTER MIN [TIMEOUT]: wait until a device counter
# reaches MIN (packets are processed in softirq: give them a moment).
wait_stat() {
	wait_for "[ \"\$(dev_stat $1 $2 $3)\" -ge $4 ]" "${5:-5}" 0.05
}

# ---------------------------------------------------------------- tunnels

# tun_start NAME a|b KEYFILE DIRECTION [options]: one end of the standard
# IPv4 tunnel (as oneshot_pair) with its own key file, direction and options.
tun_start() {
	local name=$1 side=$2 key=$3 dir=$4
	shift 4
	require_cli
	[ -r "$key" ] || fail "key file $key missing"
	if [ "$side" = a ]; then
		oneshot_start "$name" "$A" udp i4 "$A_IP" "$PORT" "$B_IP" "$PORT" \
			"$A_VPN" "$VPN_MASK" "$B_VPN" "$key" "$dir" "$@"
	else
		oneshot_start "$name" "$B" udp i4 "$B_IP" "$PORT" "$A_IP" "$PORT" \
			"$B_VPN" "$VPN_MASK" "$A_VPN" "$key" "$dir" "$@"
	fi
}

# quiet_new_devices NS...: devices created from now on in NS get no IPv6
# (net.ipv6.conf.default.disable_ipv6). Otherwise ovpn0 gets a random
# link-local address when it comes up and sends router solicitations through
# the tunnel (at up, then every 4, 8, 16... s): traffic a scenario that
# counts packets exactly must not see. The veth keeps its IPv6.
quiet_new_devices() {
	local n
	for n in "$@"; do
		ns "$n" /usr/sbin/sysctl -qw net.ipv6.conf.default.disable_ipv6=1 ||
			fail "cannot set net.ipv6.conf.default.disable_ipv6 in $n"
	done
}

# dev_stats NS DEV: every counter of DEV (/sys/class/net/DEV/statistics, as
# ip -s link) on one line, "name=value name=value ..."; one process in NS
# instead of one per counter (each costs a few hundred ms under TCG).
# shellcheck disable=SC2016 # expanded by the inner shell
dev_stats() {
	ns "$1" /bin/bash -c 'cd "/sys/class/net/$1/statistics" || exit 1
		for f in *; do read -r v <"$f"; printf "%s=%s " "$f" "$v"; done; echo' _ "$2" 2>/dev/null
}

# st "<dev_stats line>" NAME: one counter of a dev_stats line ("?" if absent).
st() {
	local r=" $1 "
	case "$r" in *" $2="*) ;; *) echo "?"; return ;; esac
	r=${r#* "$2"=}
	echo "${r%% *}"
}

# show_stats NS DEV: the main device counters on one line (for the log).
show_stats() {
	local all c line=
	all=$(dev_stats "$1" "$2")
	for c in rx_packets rx_bytes rx_dropped rx_missed_errors rx_errors tx_packets tx_bytes tx_dropped tx_errors; do
		line+="$c=$(st "$all" $c) "
	done
	echo "    $1 $2: $line"
}

# show_peer NS DEV: the packet counters of GET_PEER on one line (for the log).
show_peer() {
	local out
	out=$(get_peer "$1" "$2" 2>&1) || { echo "    $1 $2 get_peer failed: $out"; return 0; }
	echo "    $1 $2 peer: $(printf '%s\n' "$out" | awk '/_packets|_bytes/ { printf "%s=%s ", $1, $2 }')"
}

# ----------------------------------------------------------------- ciphers

# cipher_tunnel_checks CIPHER OTHER: the scenario of 10-12. A tunnel with
# --cipher CIPHER: the CLI names it, ping (0% loss), iperf3 TCP both ways
# (non-zero), counters moved on both ends and both layers. Then b alone
# restarts with OTHER (same key file): nothing may get through and b counts
# the drops, which proves the kernel really encrypts with CIPHER and not with
# some default.
cipher_tunnel_checks() {
	local c=$1 other=$2 pa pb sa sb k d0 v0 ha hb
	setup_two_hosts
	quiet_new_devices "$A" "$B"
	oneshot_pair --quiet --keepalive 0,0 --cipher "$c"
	grep -q " cipher $c vpn " "$(bg_log tun-a)" || fail "the CLI does not report cipher $c: $(head -n 1 "$(bg_log tun-a)")"
	head -n 1 "$(bg_log tun-a)"

	ha=$(ip_bad "$A") hb=$(ip_bad "$B")
	ping_ok "$A" "$B_VPN" 5 -s 1000
	iperf_server srv "$B"
	iperf_both "$A" "$B_VPN" 2
	assert_eq "$(ip_bad "$A")" "$ha" "a's IP layer: decrypted packets refused as malformed (Ip InHdrErrors)"
	assert_eq "$(ip_bad "$B")" "$hb" "b's IP layer: decrypted packets refused as malformed (Ip InHdrErrors)"

	sa=$(dev_stats "$A" "$OVPN_DEV")
	sb=$(dev_stats "$B" "$OVPN_DEV")
	echo "    a $OVPN_DEV: $sa"
	echo "    b $OVPN_DEV: $sb"
	for k in tx_bytes rx_bytes; do
		assert_gt "$(st "$sa" $k)" 1000000 "a $OVPN_DEV $k after iperf3 both ways"
		assert_gt "$(st "$sb" $k)" 1000000 "b $OVPN_DEV $k after iperf3 both ways"
	done
	assert_eq "$(st "$sa" rx_errors)" 0 "a $OVPN_DEV rx_errors"
	assert_eq "$(st "$sb" rx_errors)" 0 "b $OVPN_DEV rx_errors"
	peer_snap "$A" "$OVPN_DEV" pa
	peer_snap "$B" "$OVPN_DEV" pb
	echo "    a peer: $(printf '%s\n' "$pa" | awk '/_packets|_bytes/ { printf "%s=%s ", $1, $2 }')"
	echo "    b peer: $(printf '%s\n' "$pb" | awk '/_packets|_bytes/ { printf "%s=%s ", $1, $2 }')"
	for k in vpn_tx_bytes vpn_rx_bytes link_tx_bytes link_rx_bytes; do
		assert_gt "$(kv_field "$pa" $k)" 1000000 "a peer $k"
		assert_gt "$(kv_field "$pb" $k)" 1000000 "b peer $k"
	done
	for k in vpn_tx_packets vpn_rx_packets link_tx_packets link_rx_packets; do
		assert_gt "$(kv_field "$pa" $k)" 500 "a peer $k"
		assert_gt "$(kv_field "$pb" $k)" 500 "b peer $k"
	done
	# Every packet that reached the decryptor authenticated (a cipher bug
	# that hits some packets, e.g. multi-fragment ones, is counted in
	# rx_dropped), and nearly all that one end sent arrived at the other: a
	# few may be lost on a busy veth, and on a starved host some overflow
	# the receive queue before decryption (rx_missed_errors, counted apart)
	assert_eq "$(st "$sa" rx_dropped)" 0 "a $OVPN_DEV rx_dropped (packets refused: authentication, replay)"
	assert_eq "$(st "$sb" rx_dropped)" 0 "b $OVPN_DEV rx_dropped (packets refused: authentication, replay)"
	assert_ge $(( ($(kv_field "$pb" link_rx_packets) + $(st "$sb" rx_missed_errors)) * 100 )) \
		$(( $(kv_field "$pa" link_tx_packets) * 99 )) "b link_rx_packets + rx_missed_errors >= 99% of a link_tx_packets"
	assert_ge $(( ($(kv_field "$pa" link_rx_packets) + $(st "$sa" rx_missed_errors)) * 100 )) \
		$(( $(kv_field "$pb" link_tx_packets) * 99 )) "a link_rx_packets + rx_missed_errors >= 99% of b link_tx_packets"

	# b with another cipher: a's packets no longer authenticate at b.
	bg_stop tun-b TERM 10 || fail "one-shot CLI in b: exit status $? on SIGTERM"
	wait_for "! dev_exists $B $OVPN_DEV" 5 || fail "$OVPN_DEV still in b after SIGTERM"
	tun_start tun-b2 b "$KEYS/sample.key" 1 --quiet --keepalive 0,0 --cipher "$other" --raw-key
	d0=$(dev_stat "$B" "$OVPN_DEV" rx_dropped)
	ping_none "$A" "$B_VPN" 4
	wait_stat "$B" "$OVPN_DEV" rx_dropped $((d0 + 4)) ||
		fail "b ($other) did not count a's $c packets as dropped: rx_dropped $d0 -> $(dev_stat "$B" "$OVPN_DEV" rx_dropped)"
	v0=$(peer_field "$B" "$OVPN_DEV" vpn_rx_packets)
	assert_eq "$v0" 0 "b ($other) vpn_rx_packets from a peer using $c"
	sb=$(dev_stats "$B" "$OVPN_DEV")
	echo "    b $OVPN_DEV ($other): $sb"
	assert_eq "$(st "$sb" rx_packets)" 0 "b ($other) $OVPN_DEV rx_packets"
	echo "ok: $c tunnel carries traffic; a $other receiver rejects it"
}

# peer_line "<get_peer output>": its packet and byte counters on one line.
peer_line() {
	printf '%s\n' "$1" | awk '/_packets|_bytes/ { printf "%s=%s ", $1, $2 }'
}

# ---------------------------------------------------------------- counted traffic

# ping_bg NAME NS DST COUNT INTERVAL: a counted ping in the background
ping_bg() { bg "$1" "$2" /usr/bin/ping -c "$4" -i "$5" -W 2 "$3"; }
# ping_done NAME COUNT: it ended, every request answered
ping_done() {
	bg_wait "$1" 120 || fail "ping $1: exit status $?: $(tail -n 3 "$(bg_log "$1")")"
	grep -q " $2 received, 0% packet loss" "$(bg_log "$1")" ||
		fail "ping $1 lost packets: $(tail -n 3 "$(bg_log "$1")")"
}
# check_counters WHAT: on the one-shot pair's devices ($OVPN_DEV in a and b):
# nothing refused on receive, each end took every data packet the other sent
# (for tunnels without keepalives). Sets A_TX and B_TX (link_tx_packets). A packet dropped
# unread because the receive queue was full (rx_missed_errors: load, not a
# bad packet) is counted apart.
check_counters() {
	local pa pb a_tx a_rx b_tx b_rx d a_miss b_miss
	sleep 1
	peer_snap "$A" "$OVPN_DEV" pa
	peer_snap "$B" "$OVPN_DEV" pb
	a_tx=$(kv_field "$pa" link_tx_packets) a_rx=$(kv_field "$pa" link_rx_packets)
	b_tx=$(kv_field "$pb" link_tx_packets) b_rx=$(kv_field "$pb" link_rx_packets)
	log "$1: a link tx $a_tx rx $a_rx vpn tx $(kv_field "$pa" vpn_tx_packets) rx $(kv_field "$pa" vpn_rx_packets);" \
		"b link tx $b_tx rx $b_rx vpn tx $(kv_field "$pb" vpn_tx_packets) rx $(kv_field "$pb" vpn_rx_packets)"
	for n in "$A" "$B"; do
		for c in rx_dropped rx_errors tx_dropped; do
			d=$(dev_stat "$n" "$OVPN_DEV" "$c")
			assert_eq "$d" 0 "$1: $c of $OVPN_DEV in $n"
		done
	done
	a_miss=$(dev_stat "$A" "$OVPN_DEV" rx_missed_errors) b_miss=$(dev_stat "$B" "$OVPN_DEV" rx_missed_errors)
	[ "$a_miss$b_miss" = 00 ] || log "$1: rx_missed_errors (receive queue full) a $a_miss b $b_miss"
	assert_eq "$((b_rx + b_miss))" "$a_tx" "$1: data packets b authenticated (link_rx_packets) = packets a sent (link_tx_packets)"
	assert_eq "$((a_rx + a_miss))" "$b_tx" "$1: data packets a authenticated (link_rx_packets) = packets b sent (link_tx_packets)"
	A_TX=$a_tx B_TX=$b_tx
}
