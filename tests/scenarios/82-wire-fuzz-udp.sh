#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Wire fuzzing over UDP (tests/tools/wirefuzz) at a's one-shot tunnel while
# b pings a through it: from b's address (another port), class by class,
# random datagrams, truncated and oversized data packets, other opcodes,
# unknown peer ids, unknown key ids, valid headers with bad tags, and
# replays of genuine packets captured on b's veth (as sent, or with one bit
# flipped). For each class, a's rx_dropped plus rx_missed_errors (a full
# receive queue) grows by exactly the number of data packets sent (1% slack
# for the underlay); a's peer counts no more authentic packets than b sent;
# nothing but b's pings reaches a's ovpn0;
# afterwards the peer has not floated to the fuzzer's port, ping and iperf3
# cross the tunnel, and the harness finds dmesg clean.
# timeout: 170
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"
. "$(dirname "$0")/lib/fuzz.sh"

require_module
require_cli
[ -x "$TOOLS/wirefuzz" ] || fail "$TOOLS/wirefuzz not built (make all)"
N=$(fuzz_count 24000)
CLASSES=(random truncated oversized opcode peer keyid badtag replay)
PER=$((N / ${#CLASSES[@]}))
setup_two_hosts
quiet_new_devices "$A" "$B"
# no keepalives: b's pings are the only packets b sends (see the baseline)
oneshot_pair --keepalive 0,0
ping_ok "$A" "$B_VPN" 3
pid=$(peer_field "$A" "$OVPN_DEV" peer_id)

# Counters compared across the two ends: read while nothing flows, the
# sender's first (at the end, the receiver's first): a packet sent between
# two reads is then counted by b, never by a alone. (A debug-kernel run
# failed by one when a keepalive of b's fell between a's and b's reads.)
tb0=$(dev_stat "$B" "$OVPN_DEV" tx_packets)
ra0=$(dev_stat "$A" "$OVPN_DEV" rx_packets)
pb0=$(get_peer "$B" "$OVPN_DEV") || fail "get_peer in b: $pb0"
pa0=$(get_peer "$A" "$OVPN_DEV" "$pid") || fail "get_peer in a: $pa0"
cap_start inner "$A" "$OVPN_DEV" -Q in
bg ping-ba "$B" /usr/bin/ping -n -i 0.1 "$A_VPN"
sleep 1
total=0 total_data=0
for c in "${CLASSES[@]}"; do
	cap=()
	[ "$c" = replay ] && cap=(--capture "$B_DEV")
	# a packet is refused (rx_dropped) or, if the receive queue was full,
	# never looked at (rx_missed_errors): either way dropped and counted
	d0=$(( $(dev_stat "$A" "$OVPN_DEV" rx_dropped) + $(dev_stat "$A" "$OVPN_DEV" rx_missed_errors) ))
	out=$(nst $((30 + PER / 100)) "$B" "$TOOLS/wirefuzz" udp --to "$A_IP:$PORT" --from "$B_IP:40000" \
		--peer-id "$pid" --class "$c" --seed "$FUZZ_SEED" --count "$PER" "${cap[@]}" 2>&1)
	rc=$?
	# the last drops may still be in softirq
	sleep 0.5
	m1=$(dev_stat "$A" "$OVPN_DEV" rx_missed_errors)
	d1=$(( $(dev_stat "$A" "$OVPN_DEV" rx_dropped) + m1 ))
	printf '%s\n' "$out" | sed "s/^/  wirefuzz $c: /"
	assert_eq "$rc" 0 "wirefuzz --class $c exit status"
	data=$(fuzz_field "$out" class "$c" data)
	sent=$(fuzz_field "$out" total sent)
	total=$((total + sent))
	total_data=$((total_data + data))
	dropped=$((d1 - d0))
	log "class $c: sent $sent, data packets $data, a's rx_dropped + rx_missed_errors +$dropped (missed so far $m1)"
	assert_ge "$dropped" $((data - data / 100 - 2)) "a's rx_dropped growth for class $c ($data data packets)"
	assert_ge $((data + 10)) "$dropped" "a's rx_dropped growth for class $c at most its data packets"
	if [ "$c" = replay ]; then
		assert_gt "$(fuzz_field "$out" captured genuine)" 0 "genuine packets captured for the replays"
	fi
done
assert_gt "$total_data" $((N / 2)) "data packets among the $total fuzzed"
bg_stop ping-ba INT
log "pings b -> a during the fuzzing: $(grep 'packet loss' "$(bg_log ping-ba)")"
cap_stop inner
sleep 0.5
ra1=$(dev_stat "$A" "$OVPN_DEV" rx_packets)
tb1=$(dev_stat "$B" "$OVPN_DEV" tx_packets)

# a counts no more authentic packets from b than b sent.
pa1=$(get_peer "$A" "$OVPN_DEV" "$pid") || fail "get_peer in a: $pa1"
pb1=$(get_peer "$B" "$OVPN_DEV") || fail "get_peer in b: $pb1"
arx=$(( $(kv_field "$pa1" link_rx_packets) - $(kv_field "$pa0" link_rx_packets) ))
btx=$(( $(kv_field "$pb1" link_tx_packets) - $(kv_field "$pb0" link_tx_packets) ))
log "a's peer link_rx_packets +$arx, b's link_tx_packets +$btx"
assert_ge "$btx" "$arx" "b's link_tx_packets growth against a's authentic link_rx_packets"
assert_eq "$(kv_field "$pa1" remote)" "$B_IP:$PORT" "a's peer remote after the fuzzing (no float)"

# Nothing but b's echo requests entered a's ovpn0: it received no more
# packets than b's ovpn0 sent, and the capture (which may lose packets
# under load, never invent them) shows nothing else.
log "a's $OVPN_DEV rx_packets +$((ra1 - ra0)), b's $OVPN_DEV tx_packets +$((tb1 - tb0))"
assert_ge "$((tb1 - tb0))" "$((ra1 - ra0))" "b's $OVPN_DEV tx_packets growth against a's rx_packets growth"
assert_gt "$((ra1 - ra0))" 0 "a's $OVPN_DEV rx_packets growth (b's pings)"
inner_all=$(pcap_count "$(cap_file inner)")
inner_ping=$(pcap_count "$(cap_file inner)" icmp and src "$B_VPN" and dst "$A_VPN")
log "packets captured in on a's $OVPN_DEV: $inner_all, of them b's pings: $inner_ping (capture lost $(cap_kernel_drops inner))"
assert_eq "$((inner_all - inner_ping))" 0 "packets in on a's $OVPN_DEV that are not b's pings"

ping_ok "$A" "$B_VPN" 5
ping_ok "$B" "$A_VPN" 5
iperf_server ipf "$B"
mbps=$(iperf_mbps "$A" "$B_VPN" 3) || fail "iperf3 through the tunnel after the fuzzing failed"
assert_gt "$mbps" 0 "iperf3 a -> b after the fuzzing (Mbit/s)"
echo "ok: $total datagrams fuzzed ($total_data data packets, all dropped and counted), tunnel intact"
