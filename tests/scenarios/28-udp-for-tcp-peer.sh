#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A UDP data packet for a TCP peer is dropped and counted (review B1): an MP
# device in s has c1's peer 1 on a UDP socket (0.0.0.0:1194) and c2's peer 2
# on a TCP connection (tests/tools/tcppeer accepts it on 192.168.102.1:1194
# and hands it over; c2 runs the one-shot CLI over TCP). An authentic data
# packet of peer 2 (dataforge, c2's key, a packet id far ahead of the
# stream's) sent over UDP to the UDP socket must be dropped and counted
# (rx_dropped + 1), with no answer, no change of peer 2's vpn_rx_packets,
# and the TCP tunnel (and the UDP one) must keep working both ways: had the
# packet been decrypted, its packet id would also have moved peer 2's
# replay window past every id the stream still has to send.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/mp.sh"

DATAFORGE=$TOOLS/dataforge
TCPPEER=$TOOLS/tcppeer
for t in "$DATAFORGE" "$TCPPEER"; do
	[ -x "$t" ] || fail "$t missing (make -C tests/tools)"
done
require_module
require_cli
mp_underlay 1 2
# no IPv6 on the tunnel devices: no router solicitation through the
# tunnels may move the drop counter
mp_no_ipv6 "$MP_S" c1 c2
mp_keys 1 2
mp_server 1
mp_client 1 --quiet

# peer 2: a TCP connection from c2, taken over by the server's device
bg tcppeer "$MP_S" "$TCPPEER" "$MP_DEV" 2 "$(mp_vpn4 2)" "$(mp_srv_ip 2)" "$MP_PORT"
wait_log tcppeer '^tcppeer listening' 10
oneshot_start tun-c2 c2 tcp i4 "$(mp_cli_ip 2)" 0 "$(mp_srv_ip 2)" "$MP_PORT" \
	"$(mp_vpn4 2)" 24 "$MP_SRV_VPN" "$(mp_key 2)" 1 --peer-id 2 \
	--keepalive 5,"$(slow_secs 60)" --tcp-connect --quiet --raw-key
bg_wait tcppeer 20 || fail "tcppeer failed: $(cat "$(bg_log tcppeer)")"
sed "s/^/  /" "$(bg_log tcppeer)"
out=$(cli "$MP_S" "$MP_DEV" new_key 2 primary 0 aes-256-gcm 0 "$(mp_key 2)" --raw-key 2>&1) ||
	fail "new_key for peer 2: $out"
mp_show_peers

for i in 1 2; do
	mp_ping_ok "c$i" "$MP_SRV_VPN"
	mp_ping_ok "$MP_S" "$(mp_vpn4 "$i")"
done

echo "== peer 2's authentic packet over UDP to the UDP socket"
d0=$(dev_stat "$MP_S" "$MP_DEV" rx_dropped)
v0=$(mp_srv_peer 2 vpn_rx_packets)
out=$(nst 15 c2 "$DATAFORGE" "$(mp_key 2)" 1 "$(mp_cli_ip 2)" 5555 \
	"$(mp_srv_ip 2)" "$MP_PORT" 2 100000 "$(mp_vpn4 2)" "$MP_SRV_VPN" --wait 2 2>&1)
echo "$out" | sed 's/^/  /'
wait_for "[ \"\$(dev_stat $MP_S $MP_DEV rx_dropped)\" -gt $d0 ]" 3 0.1 ||
	fail "the UDP packet for the TCP peer was not counted in rx_dropped (still $d0)"
sleep 0.5
assert_eq "$(dev_stat "$MP_S" "$MP_DEV" rx_dropped)" $((d0 + 1)) "rx_dropped"
assert_eq "$(mp_srv_peer 2 vpn_rx_packets)" "$v0" "peer 2 vpn_rx_packets"
assert_match "$out" "no reply" "no answer over UDP"

for i in 2 1; do
	mp_ping_ok "c$i" "$MP_SRV_VPN"
	mp_ping_ok "$MP_S" "$(mp_vpn4 "$i")"
done

for i in 1 2; do
	bg_stop "tun-c$i" TERM 10
done
out=$(nst 15 "$MP_S" "$IP_BIN" link del "$MP_DEV" 2>&1) || fail "ip link del $MP_DEV in s: $out"
echo "ok: a UDP data packet for a TCP peer is dropped and counted"
