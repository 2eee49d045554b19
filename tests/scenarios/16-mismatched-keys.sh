#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Keys that do not match deliver nothing: (1) b uses another key file (made
# with ovpn-cli genkey): pings from a get no reply, b's ovpn0 counts every
# one of them in rx_dropped and b's peer authenticated nothing
# (vpn_rx_packets and link_rx_packets stay 0, nothing reaches b's stack);
# (2) the right key file with the same key direction (0) on both ends: the
# same, in both directions. Both ends use --raw-key: this is about the
# kernel dropping what does not authenticate (76 tests the one-shot's own
# handshake with such keys).
# timeout: 90
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

N=5

require_module
require_cli
require_key sample.key
setup_two_hosts
# no IPv6 on ovpn0: its router solicitations would be more packets to drop
quiet_new_devices "$A" "$B"

other=$LOGDIR/other.key
assert_ok "$OVPN_CLI" genkey "$other"
cmp -s "$other" "$KEYS/sample.key" && fail "genkey wrote the sample key"

# expect_nothing_delivered FROM TO TO_VPN: N pings FROM -> TO_VPN all lost,
# TO counts exactly N drops and authenticated nothing.
expect_nothing_delivered() {
	local from=$1 to=$2 dst=$3 d0 p all
	d0=$(dev_stat "$to" "$OVPN_DEV" rx_dropped)
	ping_none "$from" "$dst" $N
	wait_stat "$to" "$OVPN_DEV" rx_dropped $((d0 + N)) ||
		fail "$to: rx_dropped $d0 -> $(dev_stat "$to" "$OVPN_DEV" rx_dropped), expected +$N"
	sleep 0.3
	all=$(dev_stats "$to" "$OVPN_DEV")
	peer_snap "$to" "$OVPN_DEV" p
	echo "    $to $OVPN_DEV: $all"
	echo "    $to peer: $(peer_line "$p")"
	assert_eq "$(st "$all" rx_dropped)" $((d0 + N)) "$to $OVPN_DEV rx_dropped: one per ping"
	assert_eq "$(st "$all" rx_packets)" 0 "$to $OVPN_DEV rx_packets"
	assert_eq "$(kv_field "$p" vpn_rx_packets)" 0 "$to peer vpn_rx_packets"
	assert_eq "$(kv_field "$p" link_rx_packets)" 0 "$to peer link_rx_packets (counted only once authentic)"
	# the sender did send them
	peer_snap "$from" "$OVPN_DEV" p
	assert_ge "$(kv_field "$p" vpn_tx_packets)" $N "$from peer vpn_tx_packets"
}

echo "== b with another key"
tun_start tun-a a "$KEYS/sample.key" 0 --quiet --keepalive 0,0 --raw-key
tun_start tun-b b "$other" 1 --quiet --keepalive 0,0 --raw-key
expect_nothing_delivered "$A" "$B" "$B_VPN"
bg_stop tun-a TERM 10 || fail "one-shot CLI in a: exit status $? on SIGTERM"
bg_stop tun-b TERM 10 || fail "one-shot CLI in b: exit status $? on SIGTERM"
wait_for "! dev_exists $A $OVPN_DEV && ! dev_exists $B $OVPN_DEV" 5 || fail "$OVPN_DEV not deleted"

echo "== same key, both with direction 0"
tun_start tun-a2 a "$KEYS/sample.key" 0 --quiet --keepalive 0,0 --raw-key
tun_start tun-b2 b "$KEYS/sample.key" 0 --quiet --keepalive 0,0 --raw-key
expect_nothing_delivered "$A" "$B" "$B_VPN"
expect_nothing_delivered "$B" "$A" "$A_VPN"
echo "ok: mismatched keys deliver nothing and are counted as drops"
