#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A multi-peer server (namespace s, one MP device, one new_multi_peer for
# three peers, one key each) and three one-shot clients c1 c2 c3 (peer ids
# 1 2 3), each on its own veth pair and underlay subnet. Every client pings
# the server; the server pings every client and only that client's peer and
# device counters move (TX picks the peer by the route's nexthop); the dump
# lists the three peers with moving counters; iperf3 from two clients at
# once works and moves only their peers.
# timeout: 180
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/mp.sh"

# no IPv6 on the tunnels: nothing but our traffic moves the counters
MP_NO_IPV6=1
mp_setup 1 2 3
mp_show_peers

assert_eq "$(mp_dump_ids "$MP_S" "$MP_DEV")" "1 2 3" "peer ids in the server's GET_PEER dump"
for i in 1 2 3; do
	assert_eq "$(mp_srv_peer "$i" remote)" "$(mp_cli_ip "$i"):$MP_PORT" "peer $i remote"
	assert_eq "$(mp_srv_peer "$i" vpn_ipv4)" "$(mp_vpn4 "$i")" "peer $i vpn_ipv4"
	assert_eq "$(mp_srv_peer "$i" local_port)" "$MP_PORT" "peer $i local_port"
done

# Every client reaches the server.
for i in 1 2 3; do
	mp_ping_ok "c$i" "$MP_SRV_VPN"
done

# The server reaches every client, and the packets go to that client only.
for i in 1 2 3; do
	declare -A tx0=() rx0=() crx0=()
	# one GET_PEER per peer for both counters
	for j in 1 2 3; do
		p=$(get_peer "$MP_S" "$MP_DEV" "$j" 2>&1) || p=
		tx0[$j]=$(kv_field "$p" vpn_tx_packets)
		rx0[$j]=$(kv_field "$p" vpn_rx_packets)
		crx0[$j]=$(dev_stat "c$j" "$OVPN_DEV" rx_packets)
	done
	mp_ping_ok "$MP_S" "$(mp_vpn4 "$i")"
	for j in 1 2 3; do
		p=$(get_peer "$MP_S" "$MP_DEV" "$j" 2>&1) || p=
		tx=$(kv_field "$p" vpn_tx_packets)
		rx=$(kv_field "$p" vpn_rx_packets)
		crx=$(dev_stat "c$j" "$OVPN_DEV" rx_packets)
		if [ "$j" = "$i" ]; then
			assert_ge "$tx" $((tx0[$j] + 3)) "server peer $j vpn_tx_packets while pinging $(mp_vpn4 "$i")"
			assert_ge "$rx" $((rx0[$j] + 3)) "server peer $j vpn_rx_packets (echo replies)"
			assert_ge "$crx" $((crx0[$j] + 3)) "c$j $OVPN_DEV rx_packets"
		else
			assert_eq "$tx" "${tx0[$j]}" "server peer $j vpn_tx_packets while pinging client $i"
			assert_eq "$rx" "${rx0[$j]}" "server peer $j vpn_rx_packets while pinging client $i"
			assert_eq "$crx" "${crx0[$j]}" "c$j $OVPN_DEV rx_packets while the server pings client $i"
		fi
	done
	log "server -> client $i: only peer $i moved"
done

# Per-peer counters of the dump all moved.
dump=$(get_peer "$MP_S" "$MP_DEV") || fail "get_peer dump: $dump"
for i in 1 2 3; do
	blk=$(printf '%s\n' "$dump" | awk -v id="$i" '$1 == "peer_id" { on = ($2 == id) } on')
	for k in vpn_tx_packets vpn_rx_packets link_tx_packets link_rx_packets; do
		assert_ge "$(kv_field "$blk" $k)" 6 "dump: peer $i $k"
	done
	assert_gt "$(kv_field "$blk" link_tx_bytes)" "$(kv_field "$blk" vpn_tx_bytes)" "dump: peer $i link_tx_bytes > vpn_tx_bytes"
done

# iperf3 from c1 and c2 at the same time (one server instance each).
bg ips1 "$MP_S" /usr/bin/iperf3 -s -p 5201 -i 0
bg ips2 "$MP_S" /usr/bin/iperf3 -s -p 5202 -i 0
wait_for "ns $MP_S /usr/bin/ss -Hltn | grepq ':5201 ' && ns $MP_S /usr/bin/ss -Hltn | grepq ':5202 '" 10 ||
	fail "iperf3 servers not listening in $MP_S"
l3tx0=$(mp_srv_peer 3 link_tx_bytes)
l1rx0=$(mp_srv_peer 1 vpn_rx_bytes)
l2rx0=$(mp_srv_peer 2 vpn_rx_bytes)
t=$(slow_secs 5)
nst $((35 + t)) c1 /usr/bin/iperf3 -c "$MP_SRV_VPN" -p 5201 -t "$t" -f m -i 0 >"$LOGDIR/iperf-c1.log" 2>&1 &
p1=$!
nst $((35 + t)) c2 /usr/bin/iperf3 -c "$MP_SRV_VPN" -p 5202 -t "$t" -f m -i 0 >"$LOGDIR/iperf-c2.log" 2>&1 &
p2=$!
wait "$p1"
r1=$?
wait "$p2"
r2=$?
sed 's/^/    iperf3 c1: /' "$LOGDIR/iperf-c1.log"
sed 's/^/    iperf3 c2: /' "$LOGDIR/iperf-c2.log"
[ "$r1" = 0 ] || fail "iperf3 from c1 failed (rc $r1)"
[ "$r2" = 0 ] || fail "iperf3 from c2 failed (rc $r2)"
mbps() { awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1) } END { printf "%d\n", v + 0.5 }' "$1"; }
m1=$(mbps "$LOGDIR/iperf-c1.log")
m2=$(mbps "$LOGDIR/iperf-c2.log")
log "concurrent iperf3: c1 $m1 Mbit/s, c2 $m2 Mbit/s"
assert_ge "$m1" 1 "c1 iperf3 Mbit/s"
assert_ge "$m2" 1 "c2 iperf3 Mbit/s"
assert_gt "$(mp_srv_peer 1 vpn_rx_bytes)" $((l1rx0 + 1000000)) "server peer 1 vpn_rx_bytes after iperf3"
assert_gt "$(mp_srv_peer 2 vpn_rx_bytes)" $((l2rx0 + 1000000)) "server peer 2 vpn_rx_bytes after iperf3"
# c3 was idle: at most a few keepalives went its way
assert_ge $((l3tx0 + 10000)) "$(mp_srv_peer 3 link_tx_bytes)" "server peer 3 link_tx_bytes stayed small"

# Still three peers, still answering.
mp_show_peers
assert_eq "$(mp_dump_ids "$MP_S" "$MP_DEV")" "1 2 3" "peer ids after the traffic"
for i in 1 2 3; do
	mp_ping_ok "c$i" "$MP_SRV_VPN"
done

for i in 1 2 3; do
	bg_stop "tun-c$i" TERM 10
	assert_eq "$?" 0 "one-shot exit status on SIGTERM (c$i)"
done
out=$(nst 15 "$MP_S" "$IP_BIN" link del "$MP_DEV" 2>&1) || fail "ip link del $MP_DEV in s: $out"
echo "ok: multi-peer server with three clients"
