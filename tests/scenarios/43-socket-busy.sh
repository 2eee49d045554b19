#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# One UDP socket, two devices (tests/tools/sockbusy): NEW_PEER with a socket
# that already serves another ovpn-dco device fails with EBUSY and an extack
# message; the peers of one device share it (a P2P replacement with the same
# socket); once its last peer is deleted it can serve the other device. The
# devices, whose peers hold the socket after the tool exits, then delete
# cleanly.
# timeout: 60
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
[ -x "$TOOLS/sockbusy" ] || fail "$TOOLS/sockbusy not built (make all)"
ns_add "$A"

cli_ok "$A" new_iface ovpn0
cli_ok "$A" new_iface ovpn1
out=$(nst 20 "$A" "$TOOLS/sockbusy" ovpn0 ovpn1 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/  sockbusy: /'
printf '%s\n' "$out" | grepq '^not ok' && fail "sockbusy reported failing steps (exit $rc)"
assert_eq "$rc" 0 "sockbusy exit status"
assert_match "$(printf '%s\n' "$out" | tail -n 1)" '^7 passed, 0 failed$' "sockbusy summary"

# The kernel kept the socket for ovpn1's peer 0; ovpn0 has none left.
assert_eq "$(peer_field "$A" ovpn1 peer_id)" 0 "ovpn1's peer"
out=$(get_peer "$A" ovpn0 2>&1)
printf '%s\n' "$out" | grepq '^peer_id' && fail "ovpn0 still lists a peer: $out"
for d in ovpn0 ovpn1; do
	nst 5 "$A" "$IP_BIN" link del "$d" || fail "ip link del $d: exit $?"
	dev_exists "$A" "$d" && fail "$d still exists"
done
echo "ok: a socket serves one device at a time"
