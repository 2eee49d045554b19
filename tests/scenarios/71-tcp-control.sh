#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# TCP: non-data frames written into the stream by the remote's userspace
# (the one-shot's --send-raw-on-ready, two frames in one write) reach the
# local CLI's recv() as control packets of the right length and opcode,
# while the kernel's own data frames keep flowing both ways.
# timeout: 120
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/tcp.sh"

require_module
require_cli
dmesg_mark
setup_two_hosts
# frame 1: length 7, opcode 7 (0x38, P_CONTROL_HARD_RESET_CLIENT_V2) + 6 bytes
# frame 2: length 3, opcode 5 (0x28, P_ACK_V1) + 2 bytes
TCP_B_OPTS=(--send-raw-on-ready 000738010203040506000328aabb)
tcp_pair
wait_log tun-b '^sent 14 raw bytes' 10

# data before and after the control frames
out=$(nst 30 "$A" /usr/bin/ping -c 5 -i 0.2 -W 2 "$B_VPN" 2>&1) || fail "ping through the tunnel after control frames failed: $out"
assert_match "$out" ' 0% packet loss' "ping loss after the control frames"

wait_log tun-a "^control packet 7 bytes from $B_IP:$PORT opcode 7\$" 10
wait_log tun-a "^control packet 3 bytes from $B_IP:$PORT opcode 5\$" 10
n=$(grep -c '^control packet' "$(bg_log tun-a)")
assert_eq "$n" 2 "control packets reported by a"
grep '^control packet' "$(bg_log tun-a)"

# data still flows in both directions under load
iperf_server iperf-b "$B"
mbps=$(iperf_mbps "$A" "$B_VPN" 3 -R) || fail "iperf3 b -> a after control frames failed"
assert_gt "$mbps" 0 "iperf3 b -> a throughput"
assert_eq "$(grep -c '^control packet' "$(bg_log tun-a)")" 2 "control packets after iperf3 (data leaked to userspace?)"
bg_alive tun-a || fail "a's one-shot exited"
bg_alive tun-b || fail "b's one-shot exited"
grep -q 'deleted reason' "$(bg_log tun-a)" && fail "a's peer was deleted"
dmesg_check_since
echo "ok: control frames reach userspace, data stays in the kernel"
