#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Keepalive expiry (one-shot pair, --keepalive 1,3): b goes silent abruptly
# (its CLI SIGKILLed, its underlay link cut). a's kernel deletes the peer
# with reason EXPIRED: a's CLI prints "peer 0 deleted reason EXPIRED" and
# exits 3 within ~6 s, listen_mcast in a prints exactly one DEL_PEER for a's
# ifindex (EXPIRED, no second TEARDOWN when the CLI then deletes the
# device), and a's device is gone. b's peer expires too (no CLI needed), and
# the device the killed CLI left behind can be deleted.
# timeout: 60
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
setup_two_hosts
mcast_start mc-a "$A"
oneshot_pair --keepalive 1,3
ifa=$(ifindex_of "$A" "$OVPN_DEV")
assert_match "$ifa" '^[0-9]+$' "ifindex of $OVPN_DEV in a"
grep -q "^ready $OVPN_DEV ifindex $ifa\$" "$(bg_log tun-a)" || fail "a's ready line does not name ifindex $ifa"

# Alive and passing traffic first: the expiry below is caused by the cut.
ping_ok "$A" "$B_VPN"
sleep 2
bg_alive tun-a || fail "a's CLI exited while b was still talking"

# Silence b: the CLI goes without cleaning up, and its kernel peer (which
# keeps sending keepalives on its own) loses the underlay.
kill -KILL "$(bg_pid tun-b)"
bg_wait tun-b 5
ip -n "$B" link set "$B_DEV" down || fail "cannot set $B_DEV down"
t0=$(date +%s%N)
log "b silenced; waiting for a's peer to expire"

bg_wait tun-a 10
rc=$?
ms=$(elapsed_ms "$t0")
log "a's CLI exited with status $rc after $ms ms"
grep -E 'deleted|ovpn-cli' "$(bg_log tun-a)"
[ "$rc" != 124 ] || fail "a's CLI still runs 10 s after b went silent (keepalive timeout 3 s)"
assert_eq "$rc" 3 "a's CLI exit status after its peer expired"
grep -qx 'peer 0 deleted reason EXPIRED' "$(bg_log tun-a)" ||
	fail "a's CLI did not print 'peer 0 deleted reason EXPIRED'"
[ "$ms" -le 6500 ] || fail "expiry took $ms ms after the cut (timeout 3 s, expected <= ~6 s)"

wait_for "! dev_exists $A $OVPN_DEV" 3 || fail "$OVPN_DEV still exists in a after its CLI exited"

wait_log mc-a "^DEL_PEER ifindex $ifa peer_id 0 reason EXPIRED\$" 3
mc=$(grep "ifindex $ifa " "$(bg_log mc-a)")
echo "listen_mcast in a:"
printf '%s\n' "$mc" | sed 's/^/  /'
assert_eq "$(printf '%s\n' "$mc" | grep -c '^DEL_PEER')" 1 "DEL_PEER notifications for a's device"

# b: the killed CLI left its device; its peer expires by itself.
dev_exists "$B" "$OVPN_DEV" || fail "b's device vanished although its CLI was SIGKILLed"
wait_for "! peer_exists $B $OVPN_DEV 0" 8 || fail "b's peer did not expire without traffic: $(get_peer "$B" "$OVPN_DEV" 0 2>&1)"
out=$(get_peer "$B" "$OVPN_DEV" 0 2>&1)
assert_match "$out" '\(errno 2\)' "get_peer on b's expired peer"
nst 10 "$B" "$IP_BIN" link del "$OVPN_DEV" || fail "cannot delete b's leftover $OVPN_DEV"
dev_exists "$B" "$OVPN_DEV" && fail "b's $OVPN_DEV still exists after ip link del"
echo "ok: keepalive expiry notified as EXPIRED"
