#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# One-shot CLI tunnel a <-> b: iperf3 TCP through it in both directions
# (2 s each), non-zero throughput, counters consistent. The device polls its
# receive queue in a kernel thread by default, on 6.1 and 6.12 alike
# (threaded NAPI, module parameter threaded_napi): sysfs says so and the
# threads exist; then the same traffic with a's device switched back to
# softirq polling.
# timeout: 120
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"

require_module
require_cli
setup_two_hosts
oneshot_pair --quiet

out=$(nst 20 "$A" /usr/bin/ping -c 2 -i 0.2 -W 2 "$B_VPN" 2>&1) || fail "ping through the tunnel failed: $out"

# the default, on every kernel
P=/sys/module/ovpn_dco_v2/parameters/threaded_napi
assert_eq "$(cat "$P" 2>/dev/null)" Y "threaded_napi default on $(uname -r)"
for n in "$A" "$B"; do
	assert_eq "$(ns "$n" cat "/sys/class/net/$OVPN_DEV/threaded")" 1 "$n $OVPN_DEV threaded"
done
nt=$(pgrep -c "^napi/$OVPN_DEV-") || nt=0
assert_ge "$nt" 2 "napi/$OVPN_DEV-* kernel threads (one per device)"

iperf_server srv "$B"
up=$(iperf_mbps "$A" "$B_VPN" 2) || fail "iperf3 a -> b through the tunnel failed"
down=$(iperf_mbps "$A" "$B_VPN" 2 -R) || fail "iperf3 b -> a (reverse) through the tunnel failed"
echo "tunnel a -> b: $up Mbit/s, b -> a: $down Mbit/s"
assert_gt "$up" 0 "a -> b throughput (Mbit/s)"
assert_gt "$down" 0 "b -> a throughput (Mbit/s)"

# At least a few MB went each way, on the device and on the peer.
assert_gt "$(dev_stat "$A" "$OVPN_DEV" tx_bytes)" 1000000 "a $OVPN_DEV tx_bytes"
assert_gt "$(dev_stat "$A" "$OVPN_DEV" rx_bytes)" 1000000 "a $OVPN_DEV rx_bytes"
pa=$(get_peer "$A" "$OVPN_DEV") || fail "get_peer failed: $pa"
assert_gt "$(kv_field "$pa" vpn_tx_bytes)" 1000000 "a peer vpn_tx_bytes"
assert_gt "$(kv_field "$pa" vpn_rx_bytes)" 1000000 "a peer vpn_rx_bytes"
assert_eq "$(dev_stat "$A" "$OVPN_DEV" rx_errors)" 0 "a $OVPN_DEV rx_errors"
assert_eq "$(dev_stat "$B" "$OVPN_DEV" rx_errors)" 0 "b $OVPN_DEV rx_errors"

# the administrator's switch: a's device polled in softirq again
ns "$A" /bin/sh -c "echo 0 >/sys/class/net/$OVPN_DEV/threaded" || fail "cannot switch a's $OVPN_DEV to softirq polling"
assert_eq "$(ns "$A" cat "/sys/class/net/$OVPN_DEV/threaded")" 0 "a $OVPN_DEV threaded after the switch"
up=$(iperf_mbps "$A" "$B_VPN" 2) || fail "iperf3 a -> b failed with a polled in softirq"
down=$(iperf_mbps "$A" "$B_VPN" 2 -R) || fail "iperf3 b -> a failed with a polled in softirq"
echo "a polled in softirq: a -> b $up Mbit/s, b -> a $down Mbit/s"
assert_gt "$up" 0 "a -> b throughput with a polled in softirq (Mbit/s)"
assert_gt "$down" 0 "b -> a throughput with a polled in softirq (Mbit/s)"

bg_stop tun-a TERM 10 || fail "one-shot CLI in a: exit status $? on SIGTERM"
bg_stop tun-b TERM 10 || fail "one-shot CLI in b: exit status $? on SIGTERM"
echo "ok: one-shot iperf"
