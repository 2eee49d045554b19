#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Forged and damaged data packets are dropped. An authentic packet a -> b that
# b never saw (b drops it at the door with tc while we capture it) is sent
# to b in altered forms: one ciphertext bit, one tag bit, the packet id
# (authenticated data: +5000), the key id (no such key), the peer id (no
# such peer), the last byte cut, cut to 20 bytes (shorter than the header).
# Each is counted once in b's rx_dropped and nothing is authenticated or
# delivered. Then the original itself is accepted and delivered: so the
# forged packet id did not move the replay window (authentication comes
# first), and the drops above were due to the alterations.
# timeout: 90
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

require_module
require_cli
[ -x "$UDPSEND" ] || fail "$UDPSEND missing (make -C tests/tools)"
setup_two_hosts
quiet_new_devices "$A" "$B"
oneshot_pair --quiet --keepalive 0,0
ping_ok "$A" "$B_VPN" 2

held_packets "$A" "$B_VPN" 1
orig=$(printf '%s\n' "$HELD" | head -n 1)
dv2_check "$orig" 48000000 "held packet"
id=$(pktids "$orig")
echo "held packet: id $id, $(( ${#orig} / 2 )) bytes: ${orig:0:56}..."
assert_gt "$id" 2 "held packet's id (after the 2 delivered pings)"

# flip HEX BYTE: HEX with byte BYTE (0-based) xor 0x01
flip() {
	local h=$1 i=$(($2 * 2)) b
	b=$(printf '%02x' $(( 0x${h:$i:2} ^ 1 )))
	echo "${h:0:$i}$b${h:$((i + 2))}"
}

# forged WHAT HEX: b must drop it (rx_dropped +1) and deliver nothing
forged() {
	local what=$1 hex=$2 s0 s1 d0 p0 p k
	s0=$(dev_stats "$B" "$OVPN_DEV")
	d0=$(st "$s0" rx_dropped)
	peer_snap "$B" "$OVPN_DEV" p0
	assert_ok ns "$A" "$UDPSEND" -s "$A_IP" "$B_IP" "$PORT" "$hex"
	wait_stat "$B" "$OVPN_DEV" rx_dropped $((d0 + 1)) ||
		fail "$what: not counted in b's rx_dropped ($d0 -> $(dev_stat "$B" "$OVPN_DEV" rx_dropped))"
	sleep 0.2
	s1=$(dev_stats "$B" "$OVPN_DEV")
	peer_snap "$B" "$OVPN_DEV" p
	assert_eq "$(st "$s1" rx_dropped)" $((d0 + 1)) "$what: b rx_dropped"
	assert_eq "$(st "$s1" rx_packets)" "$(st "$s0" rx_packets)" "$what: b $OVPN_DEV rx_packets"
	for k in vpn_rx_packets link_rx_packets; do
		assert_eq "$(kv_field "$p" $k)" "$(kv_field "$p0" $k)" "$what: b peer $k"
	done
	echo "  dropped: $what"
}

n=$(( ${#orig} / 2 ))
newid=$(printf '%08x' $((id + 5000)))
forged "ciphertext bit flipped (byte 30)" "$(flip "$orig" 30)"
forged "last ciphertext byte flipped" "$(flip "$orig" $((n - 1)))"
forged "tag bit flipped (byte 8)" "$(flip "$orig" 8)"
forged "packet id +5000 (AAD)" "${orig:0:8}$newid${orig:16}"
forged "key id 1 (no such key)" "49${orig:2}"
forged "peer id 000001 (no such peer)" "48000001${orig:8}"
forged "last byte cut" "${orig:0:$(( (n - 1) * 2 ))}"
forged "cut to 20 bytes" "${orig:0:40}"
forged "header only (24 bytes, empty ciphertext)" "${orig:0:48}"

echo "== the original packet"
r0=$(dev_stat "$B" "$OVPN_DEV" rx_packets)
d0=$(dev_stat "$B" "$OVPN_DEV" rx_dropped)
v0=$(peer_field "$B" "$OVPN_DEV" vpn_rx_packets)
assert_ok ns "$A" "$UDPSEND" -s "$A_IP" "$B_IP" "$PORT" "$orig"
wait_stat "$B" "$OVPN_DEV" rx_packets $((r0 + 1)) ||
	fail "the unaltered held packet (id $id) was not delivered after the forged ones: rx_packets $r0, rx_dropped $d0 -> $(dev_stat "$B" "$OVPN_DEV" rx_dropped)"
assert_eq "$(peer_field "$B" "$OVPN_DEV" vpn_rx_packets)" $((v0 + 1)) "b peer vpn_rx_packets after the original"
assert_eq "$(dev_stat "$B" "$OVPN_DEV" rx_dropped)" "$d0" "b rx_dropped after the original"
show_stats "$B" "$OVPN_DEV"
ping_ok "$A" "$B_VPN" 2
echo "ok: forged packets dropped, the original accepted"
