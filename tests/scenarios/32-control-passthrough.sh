#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Control packets stay on the socket for userspace while the tunnel runs:
# datagrams sent from b to a's port 1194 that are not P_DATA_V2 (opcode 7
# HARD_RESET_CLIENT_V2, 4 CONTROL_V1, 6 DATA_V1) are reported by a's one-shot
# CLI as "control packet <len> bytes from 192.168.100.2:<port> opcode <N>"
# with their exact length, while a truncated P_DATA_V2 (0x48 + 3 bytes) is
# dropped by the kernel (rx_dropped grows) and never reaches userspace. The
# tunnel keeps working.
# timeout: 60
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
setup_two_hosts
oneshot_pair
ping_ok "$A" "$B_VPN"

drop0=$(dev_stat "$A" "$OVPN_DEV" rx_dropped)
logf=$(bg_log tun-a)
ctl_before=$(grep -c '^control packet' "$logf")

sid='\x11\x22\x33\x44\x55\x66\x77\x88'
# 1 opcode/key byte + 8 session id + 1 ack count (0) + 4 packet id = 14
hard_reset="\\x38${sid}\\x00\\x00\\x00\\x00\\x01"
# the same header + 12 bytes of TLS payload = 26
control_v1="\\x20${sid}\\x00\\x00\\x00\\x00\\x02\\x16\\x03\\x01\\x00\\x07\\x01\\x02\\x03\\x04\\x05\\x06\\x07"
# P_DATA_V1 (opcode 6, key 0) + 20 bytes = 21: not ours, userspace's
data_v1='\x30\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15'
# P_DATA_V2, key 0, peer 0, nothing after the 4-byte header: truncated
trunc='\x48\x00\x00\x00'

# The truncated packet goes first: if it reached userspace, its line would
# come before the others'.
port=$(udp_send "$B" "$A_IP" "$PORT" "$trunc" "$hard_reset" "$control_v1" "$data_v1") ||
	fail "cannot send UDP datagrams from b"
assert_match "$port" '^[0-9]+$' "source port of the test datagrams"
log "sent 4 datagrams from $B_IP:$port"

wait_log tun-a "^control packet 21 bytes from $B_IP:$port opcode 6\$" 5
lines=$(grep '^control packet' "$logf" | tail -n +$((ctl_before + 1)))
echo "a's CLI reported:"
printf '%s\n' "$lines" | sed 's/^/  /'
expected="control packet 14 bytes from $B_IP:$port opcode 7
control packet 26 bytes from $B_IP:$port opcode 4
control packet 21 bytes from $B_IP:$port opcode 6"
assert_eq "$lines" "$expected" "control packets reported by a's CLI (the truncated data packet must not be one)"

wait_for "[ \$(dev_stat $A $OVPN_DEV rx_dropped) -gt $drop0 ]" 3 ||
	fail "rx_dropped of $OVPN_DEV in a did not grow for the truncated data packet ($drop0 -> $(dev_stat "$A" "$OVPN_DEV" rx_dropped))"
log "rx_dropped $drop0 -> $(dev_stat "$A" "$OVPN_DEV" rx_dropped)"

# A second sender (another port) is reported separately; the data path is
# unaffected.
port2=$(udp_send "$B" "$A_IP" "$PORT" "$hard_reset") || fail "cannot send from b"
wait_log tun-a "^control packet 14 bytes from $B_IP:$port2 opcode 7\$" 5
ping_ok "$A" "$B_VPN"
ping_ok "$B" "$A_VPN"
bg_alive tun-a || fail "a's CLI exited"
bg_alive tun-b || fail "b's CLI exited"
echo "ok: control packets reach userspace, a truncated data packet is dropped"
