#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Float under unmodified OpenVPN 2.6 with our module as DCO: P2P TLS over UDP,
# server in a (fixed --lport), client in b (--nobind: its socket is bound to
# 0.0.0.0, so its source address follows routing). While b pings a through
# the tunnel, b's underlay address changes from 192.168.100.2 to
# 192.168.100.12. The kernel of a follows b on its own: the pings resume,
# listen_mcast in a prints "FLOAT_PEER ifindex <tun0> peer_id N remote
# 192.168.100.12:<b's port>", GET_PEER on a's tun0 shows the new remote, b's
# traffic reaches a from the new address only, and neither OpenVPN restarted
# the session (one TLS handshake, "Initialization Sequence Completed" once).
# timeout: 120
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/openvpn.sh"

B_NEW=192.168.100.12
CIPHER=AES-256-GCM

# session_counts NAME: "<Initialization Sequence Completed> <Peer Connection Initiated> <TLS handshakes>"
session_counts() {
	echo "$(ovpn_count "$1" 'Initialization Sequence Completed') $(ovpn_count "$1" 'Peer Connection Initiated') $(ovpn_count "$1" 'Control Channel: TLS')"
}

require_module
require_cli
require_openvpn
pki_init
setup_two_hosts
# the new address is added second: it must survive the old one's removal
ns "$B" /usr/sbin/sysctl -qw "net.ipv4.conf.$B_DEV.promote_secondaries=1" ||
	fail "promote_secondaries on $B_DEV"
mcast_start mc-a "$A"

p2p_server srv udp "$CIPHER"
p2p_client cli udp "$CIPHER"
ovpn_wait_up srv 40
ovpn_wait_up cli 40
assert_dco srv "$A"
assert_dco cli "$B"
aifidx=$(ns "$A" cat "/sys/class/net/$OVPN_TUN/ifindex") || fail "no ifindex of $OVPN_TUN in $A"

wait_ping "$B" "$A_VPN" 10 || fail "no ping $B -> $A_VPN through the tunnel within 10s"
ping_ok "$B" "$A_VPN" 3
remote0=$(peer_field "$A" "$OVPN_TUN" remote)
case "$remote0" in
"$B_IP":[0-9]*) ;;
*) fail "a's peer remote before the move is '$remote0', expected $B_IP:<port>" ;;
esac
bport=${remote0##*:}
log "a's peer before the move: $remote0 (b's port $bport)"
if grep -q FLOAT_PEER "$(bg_log mc-a)"; then
	fail "FLOAT_PEER before any move: $(cat "$(bg_log mc-a)")"
fi
read -r srv_isc0 srv_pci0 srv_tls0 <<<"$(session_counts srv)"
read -r cli_isc0 cli_pci0 cli_tls0 <<<"$(session_counts cli)"
assert_eq "$srv_isc0" 1 "server 'Initialization Sequence Completed' lines before the move"
assert_eq "$cli_isc0" 1 "client 'Initialization Sequence Completed' lines before the move"

# Keep pinging b -> a while b's underlay address changes.
bg pinger "$B" /usr/bin/ping -i 0.2 -W 1 -w 20 -c 80 "$A_VPN"
sleep 1
ns "$B" "$IP_BIN" addr add "$B_NEW/24" dev "$B_DEV" || fail "addr add $B_NEW"
ns "$B" "$IP_BIN" addr del "$B_IP/24" dev "$B_DEV" || fail "addr del $B_IP"
ns "$B" "$IP_BIN" -4 -br addr show dev "$B_DEV" | sed 's/^/  b: /'
t_move=$(date +%s%N)

# a's kernel follows b.
if ! wait_for "grep -Eq '^FLOAT_PEER ifindex $aifidx peer_id [0-9]+ remote $B_NEW:$bport\$' $(bg_log mc-a)" 10; then
	echo "--- no FLOAT_PEER within 10 s; diagnostics:"
	get_peer "$A" "$OVPN_TUN" 2>&1 | sed 's/^/  a get_peer: /'
	get_peer "$B" "$OVPN_TUN" 2>&1 | sed 's/^/  b get_peer: /'
	nst 5 "$B" /usr/bin/ss -uanp 2>&1 | sed 's/^/  b ss: /'
	grep -E 'Incoming packet rejected|float|Unexpected|TLS' "$(bg_log srv)" | tail -n 10 | sed 's/^/  srv: /'
	dmesg | tail -n 20 | sed 's/^/  dmesg: /'
	fail "listen_mcast in a did not print 'FLOAT_PEER ifindex $aifidx peer_id N remote $B_NEW:$bport' within 10 s: $(cat "$(bg_log mc-a)")"
fi
log "a's FLOAT_PEER after $(( ($(date +%s%N) - t_move) / 1000000 )) ms: $(grep '^FLOAT_PEER' "$(bg_log mc-a)")"
assert_eq "$(peer_field "$A" "$OVPN_TUN" remote)" "$B_NEW:$bport" "a's peer remote after the move"

# Traffic resumes within a few seconds, both ways.
wait_ping "$B" "$A_VPN" 5 || fail "no ping $B -> $A_VPN through the tunnel within 5 s of the float"
log "pings through the tunnel resumed $(( ($(date +%s%N) - t_move) / 1000000 )) ms after the move"
ping_ok "$B" "$A_VPN" 5
ping_ok "$A" "$B_VPN" 5
bg_stop pinger INT 5 || true
echo "pinger during the move: $(grep 'packets transmitted' "$(bg_log pinger)")"

# b's packets now reach a from the new address only.
bg cap "$A" /usr/bin/tcpdump -n -l -U -c 3 -i "$A_DEV" "udp and dst port $PORT"
wait_log cap 'listening on' 10
ping_ok "$B" "$A_VPN" 3
bg_wait cap 10 || true
caps=$(grep -E '^[0-9:.]+ IP ' "$(bg_log cap)")
printf '%s\n' "$caps" | sed 's/^/  a sees: /'
[ -n "$caps" ] || fail "no packet from b captured on a"
if printf '%s\n' "$caps" | grep -vq "IP $B_NEW\.$bport > "; then
	fail "b's packets do not all come from $B_NEW:$bport: $caps"
fi

# The kernel handled it: one notification, no new session on either side.
sleep 2
assert_eq "$(grep -c '^FLOAT_PEER' "$(bg_log mc-a)")" 1 "FLOAT_PEER notifications in a"
read -r srv_isc srv_pci srv_tls <<<"$(session_counts srv)"
read -r cli_isc cli_pci cli_tls <<<"$(session_counts cli)"
grep -hE 'Peer Connection Initiated|Initialization Sequence Completed|Control Channel: TLS|SIGUSR1|Restart pause|Incoming packet rejected|TLS Error' \
	"$(bg_log srv)" | sed 's/^/  srv: /'
assert_eq "$srv_isc" 1 "server 'Initialization Sequence Completed' lines"
assert_eq "$srv_pci" "$srv_pci0" "server 'Peer Connection Initiated' lines (new TLS session?)"
assert_eq "$srv_tls" "$srv_tls0" "server TLS handshakes ('Control Channel: TLS' lines)"
assert_eq "$cli_isc" 1 "client 'Initialization Sequence Completed' lines"
assert_eq "$cli_tls" "$cli_tls0" "client TLS handshakes ('Control Channel: TLS' lines)"
assert_eq "$cli_pci" "$cli_pci0" "client 'Peer Connection Initiated' lines (new TLS session?)"
if grep -E 'SIGUSR1|Restart pause|Inactivity timeout' "$(bg_log srv)" "$(bg_log cli)"; then
	fail "an OpenVPN restarted"
fi
assert_peer_stats "$A"
ovpn_no_errors srv
ovpn_no_errors cli

p2p_stop cli srv
echo "ok: OpenVPN P2P UDP float handled by the kernel"
