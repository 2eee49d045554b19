#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# KEY_SWAP_NTF of the upstream "ovpn" family (what makes OpenVPN 2.7
# renegotiate), with the debug build's test_first_pktid (lib/debugmod.sh):
# P2P devices of kind ovpn driven by ovpn-cli, keys starting at
# 0xF0000000 - 50. After ~50 packets a listener of the "ovpn" family gets
# "KEY_SWAP_NTF ifindex <dev> peer_id 4 key_id 5" while the key keeps
# sending (no loss), and a listener of ovpn-dco-v2 gets nothing. A new key
# swapped in stops the notifications.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"
. "$(dirname "$0")/lib/debugmod.sh"

require_debug_module
require_cli
require_key sample.key
trap 'rc=$?; cleanup; normal_module_restore || rc=1; exit $rc' EXIT
dmesg_mark
setup_two_hosts
for n in "$A" "$B"; do
	ns "$n" /usr/sbin/sysctl -qw net.ipv6.conf.default.disable_ipv6=1 || fail "disable_ipv6 in $n"
done
debug_module_load test_first_pktid=$((0xF0000000 - 50))

mcast_start mc-a "$A" --family ovpn
mcast_start mc-v2 "$A"
side() { # NS LOCAL_VPN REMOTE_IP DIRECTION
	cli_ok "$1" new_iface "$OVPN_DEV" p2p --kind ovpn
	cli_ok "$1" "$OVPN_DEV" new_peer 4 "$PORT" "$3" "$PORT"
	cli_ok "$1" "$OVPN_DEV" new_key 4 primary 5 aes-128-gcm "$4" "$KEYS/sample.key" --raw-key
	link_end "$1" "$OVPN_DEV" "$2/24"
	wait_link_up "$1" "$OVPN_DEV"
}
side "$A" "$A_VPN" "$B_IP" 0
side "$B" "$B_VPN" "$A_IP" 1
ifa=$(ifindex_of "$A" "$OVPN_DEV")

out=$(nst 30 "$A" /usr/bin/ping -c 30 -i 0.05 -W 2 "$B_VPN" 2>&1) || fail "first 30 pings failed: $out"
sleep 0.5
grepq KEY_SWAP_NTF "$(bg_log mc-a)" && fail "KEY_SWAP_NTF after only ~30 packets: $(cat "$(bg_log mc-a)")"
out=$(nst 30 "$A" /usr/bin/ping -c 40 -i 0.05 -W 2 "$B_VPN" 2>&1) || fail "next 40 pings failed: $out"
assert_match "$out" ' 0% packet loss' "pings past 0xF0000000 (the key must keep sending)"
wait_log mc-a "^KEY_SWAP_NTF ifindex $ifa peer_id 4 key_id 5\$" 5
grepq . "$(bg_log mc-v2)" && fail "the ovpn-dco-v2 listener saw: $(cat "$(bg_log mc-v2)")"

# a new primary key (as a daemon installs after renegotiating): no more
cli_ok "$A" "$OVPN_DEV" new_key 4 secondary 6 aes-128-gcm 0 "$KEYS/sample.key" --raw-key
cli_ok "$B" "$OVPN_DEV" new_key 4 secondary 6 aes-128-gcm 1 "$KEYS/sample.key" --raw-key
cli_ok "$A" "$OVPN_DEV" swap_keys 4
cli_ok "$B" "$OVPN_DEV" swap_keys 4
cli_ok "$A" "$OVPN_DEV" del_key 4 secondary
sleep 1.2
n0=$(grep -c '^KEY_SWAP_NTF' "$(bg_log mc-a)")
# the new key starts at the same test id: 40 packets stay below the mark
out=$(nst 30 "$A" /usr/bin/ping -c 20 -i 0.05 -W 2 "$B_VPN" 2>&1) || fail "pings with the new key failed: $out"
sleep 1.2
assert_eq "$(grep -c '^KEY_SWAP_NTF' "$(bg_log mc-a)")" "$n0" "KEY_SWAP_NTF after the old key was retired"
cli_ok "$A" del_iface "$OVPN_DEV"
cli_ok "$B" del_iface "$OVPN_DEV"
dmesg_check_since
echo "ok: KEY_SWAP_NTF for the ovpn family"
