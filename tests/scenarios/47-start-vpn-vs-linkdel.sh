#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# START_VPN racing `ip link del` (B2): two nlcheck --start-vpn-loop processes
# send START_VPN to whatever device is called ovpn0, as fast as they can,
# while the scenario creates an MP device (no readiness check, so every
# START_VPN gets to the RTNL part) and deletes it again, many times. A
# START_VPN that looked the device up before the deletion and got RTNL after
# it must be refused (ENODEV, "the interface is being deleted"), not bring a
# dead device up: that leaves references unregistration waits for ("waiting
# for ovpn0 to become free", caught by the harness' dmesg scan with
# netdev_unregister_timeout_secs=1) and WARNs. Every `ip link del` completes
# within 15 s, and every START_VPN answer is success or ENODEV with an
# extack message.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
[ -x "$TOOLS/nlcheck" ] || fail "$TOOLS/nlcheck not built (make all)"
ns_add "$A"

# the race is hit in most rounds (a refusal "being deleted" is counted);
# before the fix the first round already hung
ROUNDS=${ROUNDS:-10}
# the loops outlive the rounds; they are stopped below
bg race1 "$A" "$TOOLS/nlcheck" --start-vpn-loop "$OVPN_DEV" 600
bg race2 "$A" "$TOOLS/nlcheck" --start-vpn-loop "$OVPN_DEV" 600

slowest=0
for i in $(seq 1 "$ROUNDS"); do
	cli_ok "$A" new_iface "$OVPN_DEV" mp
	# let the loops find it and bring it up
	sleep 0.0$((RANDOM % 10))
	t0=$(date +%s%N)
	# slow under emulation with two loops hammering RTNL, but a leaked
	# reference hangs it for good
	nst 15 "$A" "$IP_BIN" link del "$OVPN_DEV"
	rc=$?
	ms=$(elapsed_ms "$t0")
	[ "$ms" -gt "$slowest" ] && slowest=$ms
	[ "$rc" != 124 ] && [ "$rc" != 137 ] ||
		fail "round $i: ip link del $OVPN_DEV hung (> 15 s) while START_VPN raced it"
	assert_eq "$rc" 0 "round $i: ip link del exit status"
	dev_exists "$A" "$OVPN_DEV" && fail "round $i: $OVPN_DEV still exists after ip link del"
done
log "$ROUNDS rounds, slowest ip link del: $slowest ms"

total_ok=0
for r in race1 race2; do
	bg_alive "$r" || fail "$r exited early: $(tail -n 3 "$(bg_log "$r")")"
	bg_stop "$r" TERM 10
	rc=$?
	summary=$(grep -h '^start_vpn: [0-9]* sent' "$(bg_log "$r")")
	log "$r: $summary (exit $rc)"
	grep -h 'unexpected answer' "$(bg_log "$r")" &&
		fail "$r: a START_VPN answer was neither success nor ENODEV with extack"
	assert_eq "$rc" 0 "$r exit status"
	[[ "$summary" =~ ([0-9]+)\ ok ]] || fail "$r printed no summary"
	total_ok=$((total_ok + BASH_REMATCH[1]))
done
# the loops must really have reached the devices, not only missed them
assert_gt "$total_ok" 0 "START_VPNs that brought a device up"
echo "ok: START_VPN racing ip link del: $ROUNDS deletions completed"
