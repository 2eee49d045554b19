#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Float in P2P mode: a one-shot tunnel a <-> b where a's socket is bound to
# 0.0.0.0 and a's underlay address changes mid-session from 192.168.100.1 to
# 192.168.100.11 while a keeps pinging b. Traffic resumes; b's kernel follows
# a to its new address (FLOAT_PEER notification, seen by listen_mcast as
# "FLOAT_PEER ifindex <b> peer_id 0 remote 192.168.100.11:1194" and by b's
# one-shot as "peer 0 floated to 192.168.100.11:1194"); b's GET_PEER shows
# the new remote; exactly one float is notified; b now sends to the new
# address only.
# timeout: 120
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/mp.sh"

require_module
require_cli
require_key sample.key
A_NEW=192.168.100.11
setup_two_hosts
# the new address is added second: it must survive the old one's removal
ns "$A" /usr/sbin/sysctl -qw "net.ipv4.conf.$A_DEV.promote_secondaries=1" ||
	fail "promote_secondaries on $A_DEV"
mcast_start mc-b "$B"

oneshot_start tun-a "$A" udp i4 0.0.0.0 "$PORT" "$B_IP" "$PORT" \
	"$A_VPN" "$VPN_MASK" "$B_VPN" "$KEYS/sample.key" 0 --quiet
oneshot_start tun-b "$B" udp i4 "$B_IP" "$PORT" "$A_IP" "$PORT" \
	"$B_VPN" "$VPN_MASK" "$A_VPN" "$KEYS/sample.key" 1 --quiet
bifidx=$(mp_ifindex "$B" "$OVPN_DEV")

mp_ping_ok "$A" "$B_VPN"
assert_eq "$(peer_field "$B" "$OVPN_DEV" remote)" "$A_IP:$PORT" "b's peer remote before the move"
if grep -q FLOAT_PEER "$(bg_log mc-b)"; then
	fail "FLOAT_PEER before any move: $(cat "$(bg_log mc-b)")"
fi

# Keep pinging while a's address changes.
bg pinger "$A" /usr/bin/ping -i 0.2 -W 1 -w 25 -c 100 "$B_VPN"
sleep 1
ns "$A" "$IP_BIN" addr add "$A_NEW/24" dev "$A_DEV" || fail "addr add $A_NEW"
ns "$A" "$IP_BIN" addr del "$A_IP/24" dev "$A_DEV" || fail "addr del $A_IP"
ns "$A" "$IP_BIN" -4 -br addr show dev "$A_DEV" | sed 's/^/  a: /'
t_move=$(date +%s%N)

# b follows a.
wait_log mc-b "^FLOAT_PEER ifindex $bifidx peer_id 0 remote $A_NEW:$PORT\$" 10
log "b's FLOAT_PEER after $(( ($(date +%s%N) - t_move) / 1000000 )) ms"
wait_log tun-b "^peer 0 floated to $A_NEW:$PORT\$" 5
assert_eq "$(peer_field "$B" "$OVPN_DEV" remote)" "$A_NEW:$PORT" "b's peer remote after the move"

# Traffic resumes: fresh pings all answered.
mp_ping_ok "$A" "$B_VPN"
mp_ping_ok "$B" "$A_VPN"
bg_stop pinger INT 5
echo "pinger during the move: $(grep 'packets transmitted' "$(bg_log pinger)")"

# b now sends to the new address only.
bg cap "$A" /usr/bin/tcpdump -n -l -U -c 3 -i "$A_DEV" "udp and src host $B_IP"
wait_log cap 'listening on' 10
mp_ping_ok "$B" "$A_VPN"
bg_wait cap 10 || true
caps=$(grep -E '^[0-9:.]+ IP ' "$(bg_log cap)")
echo "$caps" | sed 's/^/  a sees: /'
[ -n "$caps" ] || fail "no packet from b captured on a"
if printf '%s\n' "$caps" | grep -vq "> $A_NEW\.$PORT:"; then
	fail "b still sends elsewhere than $A_NEW:$PORT: $caps"
fi

# One move, one notification (no flapping back and forth).
sleep 1
assert_eq "$(grep -c '^FLOAT_PEER' "$(bg_log mc-b)")" 1 "FLOAT_PEER notifications on b"
assert_eq "$(grep -c 'floated to' "$(bg_log tun-b)")" 1 "'floated to' lines of b's one-shot"
if grep -q 'floated to' "$(bg_log tun-a)"; then
	fail "a's peer floated although b did not move: $(grep 'floated' "$(bg_log tun-a)")"
fi

bg_stop tun-a TERM 10
assert_eq "$?" 0 "one-shot exit status on SIGTERM (a)"
bg_stop tun-b TERM 10
assert_eq "$?" 0 "one-shot exit status on SIGTERM (b)"
echo "ok: P2P float"
