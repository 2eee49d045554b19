#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Deleting whole namespaces under traffic: with a ping flood a -> b through
# the tunnel, every process in b (only its one-shot CLI: ICMP needs no
# socket in b) is SIGKILLed, so nothing cleans up, and `ip netns del b` runs
# with the ovpn device and its peer's socket still inside; then the same
# for a. Each namespace must really be dismantled, device included: a
# sentinel veth whose other end lives in the namespace (sent-a, sent-b in
# the initial namespace) disappears within 10 s. No hang, and the harness'
# dmesg scan sees no warning. Nothing but the ovpn device and its socket can
# keep the namespaces alive here (no TCP socket lingering in FIN states).
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

# destroy_ns NS: SIGKILL everything in NS, delete it, wait for the sentinel.
destroy_ns() {
	local n=$1 pid t0 rc
	for pid in $(ip netns pids "$n"); do
		kill -KILL "$pid" 2>/dev/null
	done
	wait_for "[ -z \"\$(ip netns pids $n)\" ]" 5 || fail "processes left in $n: $(ip netns pids "$n")"
	dev_exists "$n" "$OVPN_DEV" || fail "$OVPN_DEV in $n vanished before its namespace was deleted"
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

destroy_ns "$B"
# veth-a went with veth-b; a's CLI keeps running without its remote.
dev_exists "$A" "$A_DEV" && fail "veth-a survived the dismantling of b"
bg_alive tun-a || fail "a's CLI exited when b was deleted: $(tail -n 3 "$(bg_log tun-a)")"
destroy_ns "$A"
echo "ok: namespaces with a live ovpn device are dismantled"
