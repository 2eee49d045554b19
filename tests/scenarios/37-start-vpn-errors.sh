#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# START_VPN checks readiness: on a new device without a peer it fails with
# ENOTCONN (107), with a peer but no primary key with ENOKEY (126), each with
# an extack message and leaving the device down; with both it succeeds and
# the device is UP with carrier (LOWER_UP). START_VPN is never required
# (OpenVPN never sends it): b's device, brought up with `ip link set up`
# only, passes traffic.
# timeout: 60
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
require_key sample.key
setup_two_hosts

link_flags() { # NS DEV: the <FLAGS> of ip link show
	ip -n "$1" -o link show dev "$2" | sed -n 's/^[0-9]*: [^<]*<\([^>]*\)>.*/\1/p'
}
assert_down() { # NS DEV WHEN
	local f
	f=$(link_flags "$1" "$2")
	[[ ",$f," == *,UP,* ]] && fail "$2 in $1 is UP $3 (flags $f)"
	return 0
}

cli_ok "$A" new_iface "$OVPN_DEV"
cli_refused "$A" 107 "$OVPN_DEV" start_vpn
log "start_vpn without a peer: ENOTCONN, extack: $CLI_MSG"
assert_down "$A" "$OVPN_DEV" "after a refused start_vpn (no peer)"

cli_ok "$A" "$OVPN_DEV" new_peer 0 "$PORT" "$B_IP" "$PORT"
cli_refused "$A" 126 "$OVPN_DEV" start_vpn
log "start_vpn without a key: ENOKEY, extack: $CLI_MSG"
assert_down "$A" "$OVPN_DEV" "after a refused start_vpn (no key)"

# A secondary key is not enough: the primary slot is what sends.
cli_ok "$A" "$OVPN_DEV" new_key 0 secondary 0 aes-256-gcm 0 "$KEYS/sample.key" --raw-key
cli_refused "$A" 126 "$OVPN_DEV" start_vpn
log "start_vpn with only a secondary key: ENOKEY, extack: $CLI_MSG"
cli_ok "$A" "$OVPN_DEV" del_key 0 secondary

cli_ok "$A" "$OVPN_DEV" new_key 0 primary 0 aes-256-gcm 0 "$KEYS/sample.key" --raw-key
cli_ok "$A" "$OVPN_DEV" start_vpn
[ -z "$CLI_OUT" ] || fail "start_vpn printed something: $CLI_OUT"
wait_link_up "$A" "$OVPN_DEV" 5
f=$(link_flags "$A" "$OVPN_DEV")
log "a $OVPN_DEV after start_vpn: <$f>"
[[ ",$f," == *,UP,* ]] || fail "$OVPN_DEV not UP after start_vpn: <$f>"
[[ ",$f," == *,LOWER_UP,* ]] || fail "$OVPN_DEV has no carrier after start_vpn: <$f>"
ip -n "$A" addr add "$A_VPN/24" dev "$OVPN_DEV" || fail "ip addr add in a"

# b: the same without start_vpn, as OpenVPN does it.
cli_ok "$B" new_iface "$OVPN_DEV"
cli_ok "$B" "$OVPN_DEV" new_peer 0 "$PORT" "$A_IP" "$PORT"
cli_ok "$B" "$OVPN_DEV" new_key 0 primary 0 aes-256-gcm 1 "$KEYS/sample.key" --raw-key
ip -n "$B" addr add "$B_VPN/24" dev "$OVPN_DEV" || fail "ip addr add in b"
ip -n "$B" link set "$OVPN_DEV" up || fail "ip link set up in b"
wait_link_up "$B" "$OVPN_DEV" 5
log "b $OVPN_DEV without start_vpn: <$(link_flags "$B" "$OVPN_DEV")>"
ping_ok "$B" "$A_VPN"
ping_ok "$A" "$B_VPN"

# Once ready, start_vpn again is harmless.
cli_ok "$A" "$OVPN_DEV" start_vpn
ping_ok "$A" "$B_VPN"
echo "ok: start_vpn refuses an unready device and is never required"
