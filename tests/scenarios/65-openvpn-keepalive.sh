#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Keepalive with DCO (P2P UDP, --ping 1 --ping-restart 4 both sides): the
# kernel keeps the idle tunnel alive (no restart in 8 s of silence), then the
# client's underlay is cut: our module must expire the peer and notify
# (DEL_PEER reason EXPIRED) so that the server's OpenVPN logs its
# ping-restart ("Inactivity timeout") within about 6 s. With the underlay
# back, the tunnel comes back.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/openvpn.sh"

require_module
require_cli
require_openvpn
pki_init
setup_two_hosts

KA="--ping 1 --ping-restart 4"
# shellcheck disable=SC2086
p2p_server srv udp AES-256-GCM $KA
# shellcheck disable=SC2086
p2p_client cli udp AES-256-GCM $KA
ovpn_wait_up srv 40
ovpn_wait_up cli 40
assert_dco srv "$A"
assert_dco cli "$B"
ping_ok "$B" "$A_VPN" 3

# Idle: the keepalive packets of the kernel keep both sides up.
sleep 8
for n in srv cli; do
	[ "$(ovpn_count "$n" 'Inactivity timeout')" = 0 ] ||
		fail "$n restarted although the peer was alive: $(grep -h 'Inactivity timeout' "$(bg_log "$n")")"
done
ping_ok "$B" "$A_VPN" 3
p=$(ovpn_get_peer "$A" "$OVPN_TUN") || fail "get_peer: $p"
echo "server peer keepalive: $(kv_field "$p" keepalive_interval)/$(kv_field "$p" keepalive_timeout)"

# Cut the client's underlay.
ns "$B" "$IP_BIN" link set "$B_DEV" down
t0=$(date +%s%N)
wait_for "[ \$(ovpn_count srv 'Inactivity timeout') -ge 1 ]" 12 0.1 ||
	fail "server OpenVPN logged no ping-restart within 12 s of cutting the underlay"
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
grep -hE 'Inactivity timeout|expired|CMD_DEL_PEER|dco_do_read' "$(bg_log srv)" | sed 's/^/  srv: /'
echo "server ping-restart $ms ms after the cut"
assert_ge 8000 "$ms" "ms from the underlay cut to the server's ping-restart"
dmesg | tail -n 5 | sed 's/^/  dmesg: /'

# Restore: the tunnel comes back (both sides restarted, the client redials).
ns "$B" "$IP_BIN" link set "$B_DEV" up
wait_link_up "$B" "$B_DEV"
wait_ping "$B" "$A_VPN" 40 || fail "tunnel not back within 40 s after restoring the underlay"
ping_ok "$B" "$A_VPN" 3
ping_ok "$A" "$B_VPN" 3
assert_dco srv "$A"
assert_dco cli "$B"
echo "ok: keepalive expiry drives OpenVPN's ping-restart; tunnel back"
