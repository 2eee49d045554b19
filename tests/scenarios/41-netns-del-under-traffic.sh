#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Deleting whole namespaces under traffic, with a ping flood a -> b through
# the tunnel. b: its one-shot CLI is stopped as a supervisor would (SIGTERM:
# it deletes its device) and `ip netns del b` runs at once. a: its CLI is
# SIGKILLed, so nothing cleans up: the device and its peer stay (the kernel
# holds the peer's socket, as OpenVPN expects: userspace may exit after
# NEW_PEER) and, being held, the socket keeps the namespace alive, so the
# documented remedy is to delete the device before the namespace. Either
# way each namespace must really be dismantled, device included: a sentinel
# veth whose other end lives in the namespace (sent-a, sent-b in the
# initial namespace) disappears within 10 s. No hang, and the harness' dmesg
# scan sees no warning.
# timeout: 90
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
setup_two_hosts
for n in "$A" "$B"; do
	ip link add "sent-$n" type veth peer name sentinel netns "$n" || fail "cannot create the sentinel veth for $n"
done
oneshot_pair
t0=$(dev_stat "$B" "$OVPN_DEV" rx_packets)
bg flood "$A" /usr/bin/ping -q -i 0.002 -s 1000 "$B_VPN"
wait_for "[ \$(dev_stat $B $OVPN_DEV rx_packets) -gt $((t0 + 200)) ]" 10 ||
	fail "no ping flood through the tunnel: b rx_packets $t0 -> $(dev_stat "$B" "$OVPN_DEV" rx_packets)"
log "traffic flowing: b $OVPN_DEV rx_packets $t0 -> $(dev_stat "$B" "$OVPN_DEV" rx_packets)"

# destroy_ns NS SIGNAL: send SIGNAL to everything in NS; after SIGKILL the
# orphaned device is deleted by hand; then delete NS and wait for the
# sentinel.
destroy_ns() {
	local n=$1 sig=$2 pid t0 rc
	for pid in $(ip netns pids "$n"); do
		kill -"$sig" "$pid" 2>/dev/null
	done
	wait_for "[ -z \"\$(ip netns pids $n)\" ]" 5 || fail "processes left in $n: $(ip netns pids "$n")"
	if [ "$sig" = KILL ]; then
		dev_exists "$n" "$OVPN_DEV" || fail "$OVPN_DEV in $n vanished although nothing deleted it"
		peer_field "$n" "$OVPN_DEV" peer_id >/dev/null || fail "the orphaned device in $n lost its peer"
		"$TIMEOUT_BIN" 10 "$IP_BIN" -n "$n" link del "$OVPN_DEV" || fail "ip link del of the orphaned $OVPN_DEV in $n"
	else
		wait_for "! dev_exists $n $OVPN_DEV" 5 || fail "$OVPN_DEV in $n still there after its CLI got SIG$sig"
	fi
	t0=$(date +%s%N)
	"$TIMEOUT_BIN" -k 2 10 "$IP_BIN" netns del "$n"
	rc=$?
	[ "$rc" = 0 ] || fail "ip netns del $n: exit $rc"
	if ! wait_for "! ip link show dev sent-$n" 10; then
		echo "devices in /sys/devices/virtual/net: $(ls /sys/devices/virtual/net 2>&1 | tr '\n' ' ')"
		echo "ovpn_dco_v2 refcnt: $(cat /sys/module/ovpn_dco_v2/refcnt 2>&1)"
		fail "namespace $n was not dismantled within 10 s of ip netns del (sentinel sent-$n still exists): something (the ovpn device's peer holding its socket?) pins it"
	fi
	log "namespace $n dismantled $(elapsed_ms "$t0") ms after ip netns del"
}

destroy_ns "$B" TERM
# veth-a went with veth-b; a's CLI keeps running without its remote.
dev_exists "$A" "$A_DEV" && fail "veth-a survived the dismantling of b"
bg_alive tun-a || fail "a's CLI exited when b was deleted: $(tail -n 3 "$(bg_log tun-a)")"
destroy_ns "$A" KILL
echo "ok: namespaces of a stopped tunnel, or of an orphaned one once its device is deleted, are dismantled"
