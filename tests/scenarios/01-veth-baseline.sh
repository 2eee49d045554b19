#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The harness itself: two namespaces joined by a veth reach each other over
# IPv4 and IPv6. Does not use the module.
# timeout: 60
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"

setup_two_hosts

out=$(nst 10 "$A" /usr/bin/ping -c 3 -i 0.2 -W 2 "$B_IP" 2>&1) || fail "IPv4 ping a -> b failed: $out"
echo "$out" | tail -n 2
assert_match "$out" ' 0% packet loss' "IPv4 ping loss"

out=$(nst 10 "$B" /usr/bin/ping -6 -c 3 -i 0.2 -W 2 "$A_IP6" 2>&1) || fail "IPv6 ping b -> a failed: $out"
echo "$out" | tail -n 2
assert_match "$out" ' 0% packet loss' "IPv6 ping loss"

assert_ge "$(dev_stat "$A" "$A_DEV" rx_packets)" 6 "veth-a rx_packets"
echo "ok: veth baseline"
