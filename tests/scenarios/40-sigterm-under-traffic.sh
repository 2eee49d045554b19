#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Stopping the CLIs under traffic: with iperf3 running a -> b, SIGTERM to
# a's one-shot CLI makes it delete its device and exit 0 within 5 s; SIGKILL
# to b's CLI leaves b's device and peer in place (the kernel holds the
# socket), and `ip link del` then removes it within 5 s and frees the port:
# a new tunnel on the same port passes traffic.
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
bg_stop tun-a TERM 5
rc=$?
log "a's CLI exited with status $rc $(elapsed_ms "$t0") ms after SIGTERM"
[ "$rc" != 124 ] || fail "a's CLI did not exit within 5 s of SIGTERM under traffic"
assert_eq "$rc" 0 "a's CLI exit status on SIGTERM"
dev_exists "$A" "$OVPN_DEV" && fail "$OVPN_DEV still exists in a after its CLI exited"

bg_stop load TERM 5
kill -KILL "$(bg_pid tun-b)"
bg_wait tun-b 5
dev_exists "$B" "$OVPN_DEV" || fail "b's device vanished when its CLI was SIGKILLed"
peer_still_there "$B" "$OVPN_DEV" 0 || fail "b's peer vanished when its CLI was SIGKILLed"
ns "$B" /usr/bin/ss -Huln "sport = :$PORT" | grepq . || fail "b's socket (port $PORT) is gone although the peer holds it"

t0=$(date +%s%N)
nst 5 "$B" "$IP_BIN" link del "$OVPN_DEV"
rc=$?
log "ip link del in b: exit $rc after $(elapsed_ms "$t0") ms"
[ "$rc" != 124 ] && [ "$rc" != 137 ] || fail "ip link del $OVPN_DEV in b hung (> 5 s)"
assert_eq "$rc" 0 "ip link del exit status in b"
dev_exists "$B" "$OVPN_DEV" && fail "$OVPN_DEV still exists in b"
wait_for "! ns $B /usr/bin/ss -Huln 'sport = :$PORT' | grepq ." 3 ||
	fail "b's port $PORT still bound after its device was deleted"

oneshot_pair
ping_ok "$A" "$B_VPN"
echo "ok: SIGTERM and SIGKILL under traffic"
