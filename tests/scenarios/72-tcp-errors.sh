#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# TCP transport failures, each notified by DEL_PEER (listen_mcast) and by the
# one-shot (exit 3, "peer 0 deleted reason ..."), without kernel reports:
# 1. a length-0 frame from a plain (userspace) remote socket: TRANSPORT_ERROR;
# 2. that remote closing its socket: TRANSPORT_DISCONNECT;
# 3. a one-shot remote stopped by SIGTERM (its device deleted, its socket
#    handed back and closed): TRANSPORT_DISCONNECT;
# 4. a one-shot remote writing a length-0 frame into its kernel-owned socket
#    (--send-raw-on-ready 0000): either its send() fails or the frame reaches
#    a (TRANSPORT_ERROR) - it must not be swallowed while send() succeeds.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/tcp.sh"

require_module
require_cli
dmesg_mark
setup_two_hosts

# expect_a_deleted REASON MCAST: a's peer deleted with REASON, seen by both
expect_a_deleted() {
	local reason=$1 mc=$2
	wait_log "$mc" "^DEL_PEER ifindex $ifa peer_id 0 reason $reason\$" 10
	bg_wait tun-a 10
	assert_eq "$?" 3 "a's one-shot exit status after $reason"
	grep -q "^peer 0 deleted reason $reason\$" "$(bg_log tun-a)" ||
		fail "a's one-shot did not report $reason: $(tail -n 5 "$(bg_log tun-a)")"
	assert_eq "$(grep -c '^DEL_PEER' "$(bg_log "$mc")")" 1 "DEL_PEER notifications in a"
	grep DEL_PEER "$(bg_log "$mc")"
	bg_stop "$mc"
	wait_for "! dev_exists $A $OVPN_DEV" 5 || fail "a's device left behind"
	dmesg_check_since
}

# 1. length-0 frame
mcast_start mc1 "$A"
tcp_a_with_raw_remote raw1 '\x00\x00'
ifa=$(awk '$1 == "ready" { print $4; exit }' "$(bg_log tun-a)")
expect_a_deleted TRANSPORT_ERROR mc1
bg_stop raw1

# 2. the remote closes its socket
mcast_start mc2 "$A"
tcp_a_with_raw_remote raw2 ''
ifa=$(awk '$1 == "ready" { print $4; exit }' "$(bg_log tun-a)")
sleep 1
bg_alive tun-a || fail "a's one-shot exited before the remote closed: $(tail -n 5 "$(bg_log tun-a)")"
bg_stop raw2
expect_a_deleted TRANSPORT_DISCONNECT mc2

# 3. a one-shot remote goes away
mcast_start mc3 "$A"
TCP_B_OPTS=()
tcp_pair
ifa=$(awk '$1 == "ready" { print $4; exit }' "$(bg_log tun-a)")
out=$(nst 30 "$A" /usr/bin/ping -c 3 -i 0.2 -W 2 "$B_VPN" 2>&1) || fail "ping before the close failed: $out"
bg_stop tun-b TERM 10
assert_eq "$?" 0 "b's exit status on SIGTERM"
expect_a_deleted TRANSPORT_DISCONNECT mc3

# 4. a length-0 frame written by userspace into a kernel-owned stream
mcast_start mc4 "$A"
TCP_B_OPTS=(--send-raw-on-ready 0000)
tcp_pair
ifa=$(awk '$1 == "ready" { print $4; exit }' "$(bg_log tun-a)")
wait_log tun-b '^(sent 2 raw bytes|sending raw bytes failed)' 10
grep -E '^(sent|sending)' "$(bg_log tun-b)"
if grep -q '^sent 2 raw bytes' "$(bg_log tun-b)"; then
	# send() said the 2 bytes went out: a must see the length-0 frame
	wait_for "grep -q 'reason TRANSPORT_ERROR' '$(bg_log mc4)'" 5 ||
		fail "b's send() of a length-0 frame returned 2 (success) but the frame never reached a (swallowed by b's kernel)"
	expect_a_deleted TRANSPORT_ERROR mc4
fi
dmesg_check_since
echo "ok: TRANSPORT_ERROR and TRANSPORT_DISCONNECT"
