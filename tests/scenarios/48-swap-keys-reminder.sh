#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# SWAP_KEYS_NEEDED is repeated, not sent once: the module is reloaded as its
# debug build with test_first_pktid (a load-time test aid, lib/debugmod.sh)
# so that new keys start 10 ids below 0xF0000000. A ping crosses that mark while only the one-shot CLIs
# listen (a prints "key 0 of peer 0 needs a swap"); a listener started only
# afterwards, which missed that first notification (as a daemon whose socket
# was full or whose allocation failed would), still gets SWAP_KEYS_NEEDED for
# a's key 0 while a keeps sending, about once a second and never more than
# one per second; the kernel log says "running out of packet ids" once per
# key, not per reminder. The normal build is loaded again at the end.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"
. "$(dirname "$0")/lib/debugmod.sh"
require_debug_module
require_cli
trap 'rc=$?; cleanup; normal_module_restore || rc=1; exit $rc' EXIT

debug_module_load test_first_pktid=$((0xF0000000 - 10))
mark=$(dmesg | wc -l)
setup_two_hosts
# no IPv6 in the tunnels: nothing but the pings uses packet ids
for n in "$A" "$B"; do
	ns "$n" /usr/sbin/sysctl -qw net.ipv6.conf.default.disable_ipv6=1 || fail "disable_ipv6 in $n"
done
# --raw-key: key 0 stays primary (with session keys the one-shot re-keys on
# the first notification, scenario 77, and key 0 stops sending)
oneshot_pair --keepalive 0,0 --raw-key
ifa=$(ifindex_of "$A" "$OVPN_DEV")

# past the mark, with nobody but the one-shots listening
out=$(nst 30 "$A" /usr/bin/ping -c 15 -i 0.05 -W 2 "$B_VPN" 2>&1) || fail "first pings failed: $out"
wait_log tun-a '^key 0 of peer 0 needs a swap$' 5

# a listener that missed it
mcast_start mc-a "$A"
secs=4
t0=$(date +%s%N)
out=$(nst 30 "$A" /usr/bin/ping -c $((secs * 10)) -i 0.1 -W 2 "$B_VPN" 2>&1) || fail "pings after the mark failed: $out"
assert_match "$out" ' 0% packet loss' "pings past 0xF0000000 (the key must keep sending)"
ms=$(elapsed_ms "$t0")
sleep 0.5
bg_stop mc-a
n=$(grep -c "^SWAP_KEYS_NEEDED ifindex $ifa peer_id 0 key_id 0\$" "$(bg_log mc-a)")
log "late listener: $n SWAP_KEYS_NEEDED for a's key 0 in $ms ms of traffic"
grep SWAP_KEYS_NEEDED "$(bg_log mc-a)" | head -n 8 | sed 's/^/  mc-a: /'
assert_ge "$n" 1 "reminders a listener started after the first notification got"
# once a second at most: the reminder is rate-limited per key
assert_ge $((ms / 1000 + 1)) "$n" "reminders in $ms ms (at most one per second)"

logged=$(dmesg | tail -n +"$((mark + 1))" | grep -c 'key 0 is running out of packet ids')
log "kernel log lines about running out: $logged"
# one per device (a and b both send)
[ "$logged" -le 2 ] || fail "'running out of packet ids' logged $logged times (once per key expected)"
echo "ok: SWAP_KEYS_NEEDED is repeated for a listener that missed the first"
