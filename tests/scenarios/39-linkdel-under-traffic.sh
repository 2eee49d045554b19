#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Deleting the device under traffic: with iperf3 running a -> b through the
# tunnel, `ip -n a link del ovpn0` completes within 5 s (a leaked
# reference would hang it; the harness' dmesg scan catches
# "unregister_netdevice: waiting"), a's one-shot CLI notices at once
# ("peer 0 deleted reason TEARDOWN", exit 3), b's side survives (CLI, device
# and peer), and a fresh tunnel then passes traffic.
# timeout: 90
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
setup_two_hosts
oneshot_pair
iperf_server srv "$B"
traffic_start load "$A" "$B_VPN" 10
sleep 1

t0=$(date +%s%N)
nst 5 "$A" "$IP_BIN" link del "$OVPN_DEV"
rc=$?
ms=$(elapsed_ms "$t0")
log "ip link del under traffic: exit $rc after $ms ms"
[ "$rc" != 124 ] && [ "$rc" != 137 ] || fail "ip link del $OVPN_DEV hung under traffic (> 5 s)"
assert_eq "$rc" 0 "ip link del exit status"
dev_exists "$A" "$OVPN_DEV" && fail "$OVPN_DEV still exists in a after ip link del"

bg_wait tun-a 5
rc=$?
tail -n 3 "$(bg_log tun-a)" | sed 's/^/  tun-a: /'
[ "$rc" != 124 ] || fail "a's CLI did not notice its device's deletion within 5 s"
assert_eq "$rc" 3 "a's CLI exit status after its device was deleted"
grep -qx 'peer 0 deleted reason TEARDOWN' "$(bg_log tun-a)" ||
	fail "a's CLI did not print 'peer 0 deleted reason TEARDOWN'"

# The iperf3 client loses its route; it must not matter to b.
bg_stop load TERM 5
bg_alive tun-b || fail "b's CLI exited when a's device was deleted"
dev_exists "$B" "$OVPN_DEV" || fail "b's device vanished"
peer_still_there "$B" "$OVPN_DEV" 0 || fail "b's peer vanished"

# Rebuild (b too: a fresh a restarts its packet ids, which b's replay
# window would refuse).
bg_stop tun-b TERM 10
assert_eq "$?" 0 "b's CLI exit status on SIGTERM"
wait_for "! dev_exists $B $OVPN_DEV" 5 || fail "b's device still exists after SIGTERM"
oneshot_pair
ping_ok "$A" "$B_VPN"
echo "ok: link deletion under traffic"
