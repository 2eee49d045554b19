#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# One-shot CLI tunnel a <-> b over TCP/IPv4 (a listens, b connects): ping and
# iperf3 both ways through it, device and peer counters moved, and the
# underlay carries TCP segments whose payload is a 2-byte big-endian length
# (the rest of the segment) followed by P_DATA_V2 (0x48).
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/tcp.sh"

require_module
require_cli
dmesg_mark
setup_two_hosts
tcp_pair
grep -E '^(ready|ovpn0: tcp)' "$(bg_log tun-a)" "$(bg_log tun-b)"

tx0=$(dev_stat "$A" "$OVPN_DEV" tx_packets)
rx0=$(dev_stat "$A" "$OVPN_DEV" rx_packets)

# Capture a -> b TCP segments on the underlay while pinging.
bg cap "$B" /usr/bin/tcpdump -n -l -U -x -c 20 -i "$B_DEV" \
	"tcp and src host $A_IP and src port $PORT and (((ip[2:2] - ((ip[0]&0xf)<<2)) - ((tcp[12]&0xf0)>>2)) != 0)"
wait_log cap 'listening on' 10

out=$(nst 30 "$A" /usr/bin/ping -c 10 -i 0.2 -W 2 "$B_VPN" 2>&1) || fail "ping $B_VPN through the TCP tunnel failed: $out"
echo "$out" | tail -n 2
assert_match "$out" ' 0% packet loss' "ping loss through the TCP tunnel"
out=$(nst 30 "$B" /usr/bin/ping -c 5 -i 0.2 -W 2 "$A_VPN" 2>&1) || fail "ping $A_VPN (b -> a) failed: $out"
assert_match "$out" ' 0% packet loss' "ping loss b -> a"

assert_ge "$(dev_stat "$A" "$OVPN_DEV" tx_packets)" $((tx0 + 10)) "a $OVPN_DEV tx_packets"
assert_ge "$(dev_stat "$A" "$OVPN_DEV" rx_packets)" $((rx0 + 10)) "a $OVPN_DEV rx_packets"

bg_wait cap 10 || true
tcp_payload_heads "$(bg_log cap)" >"$LOGDIR/heads"
echo "a -> b payload heads (payload-length first-3-bytes):"
sed 's/^/  /' "$LOGDIR/heads" | head -n 20
[ -s "$LOGDIR/heads" ] || fail "no TCP payload captured on the underlay: $(tail -n 20 "$(bg_log cap)")"
# A ping (84 bytes) is one data frame per segment: 2 + 24 + 84 + 16... the
# prefix must equal the payload length minus 2 and byte 2 must be 0x48.
good=$(awk '{ l = 0; h = substr($2, 1, 4); for (i = 1; i <= 4; i++) l = l * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1;
	if (l == $1 - 2 && substr($2, 5, 2) == "48") n++ } END { print n + 0 }' "$LOGDIR/heads")
assert_ge "$good" 5 "segments made of one frame <len = payload - 2><0x48 ...>"
bad=$(awk 'substr($2, 5, 2) != "48"' "$LOGDIR/heads" | wc -l)
assert_eq "$bad" 0 "segments starting with something else than a P_DATA_V2 frame"

# iperf3 both ways. Each end's IP layer takes every packet its device
# decrypted: none malformed (a frame deep in a large TCP receive buffer once
# reached it with its header offset wrapped past 64 KiB).
ha=$(ip_bad "$A") hb=$(ip_bad "$B")
iperf_server iperf-b "$B"
mbps=$(iperf_mbps "$A" "$B_VPN" 5) || fail "iperf3 a -> b over TCP failed"
log "iperf3 a -> b: $mbps Mbit/s"
assert_gt "$mbps" 0 "iperf3 a -> b throughput"
mbps=$(iperf_mbps "$A" "$B_VPN" 5 -R) || fail "iperf3 b -> a (-R) over TCP failed"
log "iperf3 b -> a: $mbps Mbit/s"
assert_gt "$mbps" 0 "iperf3 b -> a throughput"
assert_eq "$(ip_bad "$A")" "$ha" "a's IP layer: decrypted packets refused as malformed (Ip InHdrErrors)"
assert_eq "$(ip_bad "$B")" "$hb" "b's IP layer: decrypted packets refused as malformed (Ip InHdrErrors)"

pa=$(get_peer "$A" "$OVPN_DEV") || fail "get_peer in a failed: $pa"
echo "$pa" | sed 's/^/  /'
assert_eq "$(kv_field "$pa" remote)" "$B_IP:$PORT" "a's peer remote (from the TCP socket)"
for k in vpn_tx_packets vpn_rx_packets link_tx_packets link_rx_packets; do
	assert_ge "$(kv_field "$pa" $k)" 1000 "a peer $k after iperf3"
done
assert_gt "$(kv_field "$pa" link_rx_bytes)" "$(kv_field "$pa" vpn_rx_bytes)" "link_rx_bytes > vpn_rx_bytes"
pb=$(get_peer "$B" "$OVPN_DEV") || fail "get_peer in b failed: $pb"
assert_eq "$(kv_field "$pb" remote)" "$A_IP:$PORT" "b's peer remote"
for k in vpn_tx_packets vpn_rx_packets; do
	assert_ge "$(kv_field "$pb" $k)" 1000 "b peer $k after iperf3"
done
# No data packet may have reached userspace.
if grep -q '^control packet' "$(bg_log tun-a)" "$(bg_log tun-b)"; then
	grep '^control packet' "$(bg_log tun-a)" "$(bg_log tun-b)" | head
	fail "data traffic reached the CLI as control packets"
fi

bg_stop tun-b TERM 10
assert_eq "$?" 0 "b exit status on SIGTERM"
wait_for "! dev_exists $B $OVPN_DEV" 5 || fail "$OVPN_DEV still exists in b"
bg_stop tun-a TERM 10
rc=$?
[ "$rc" = 0 ] || [ "$rc" = 3 ] || fail "a exit status $rc after b left"
wait_for "! dev_exists $A $OVPN_DEV" 5 || fail "$OVPN_DEV still exists in a"
dmesg_check_since
echo "ok: TCP one-shot ping + iperf3"
