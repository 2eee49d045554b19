#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# TX packet id exhaustion, with the debug build's load-time parameter
# test_first_pktid (lib/debugmod.sh; the normal build is loaded again on
# exit: other scenarios share the loaded module):
# 1. keys starting at 0xF0000000 - 50: after ~50 packets the kernel sends
#    SWAP_KEYS_NEEDED for key 0 (listen_mcast and the one-shot see it),
#    then at most once a second while the key keeps sending;
# 2. keys starting at 0xFFFFFFFF - 20: after 20 packets a stops sending
#    (tx_dropped grows), and the wire never shows a packet id twice nor one
#    that wrapped to 0/1.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/tcp.sh"
. "$(dirname "$0")/lib/debugmod.sh"

PARAM=/sys/module/ovpn_dco_v2/parameters/test_first_pktid
require_debug_module
require_cli
trap 'rc=$?; cleanup; normal_module_restore || rc=1; exit $rc' EXIT
# a test knob, never in the product: only the debug build has it
[ ! -e "$PARAM" ] || fail "the normal build has $PARAM (mode $(stat -c %a "$PARAM"))"
dmesg_mark
setup_two_hosts
# no IPv6 in the tunnels: no router solicitations or MLD reports eating ids
for n in "$A" "$B"; do
	ns "$n" /usr/sbin/sysctl -qw net.ipv6.conf.default.disable_ipv6=1 || fail "disable_ipv6 in $n"
done

# 1. the notification
debug_module_load test_first_pktid=$((0xF0000000 - 50))
assert_eq "$(cat "$PARAM")" $((0xF0000000 - 50)) "test_first_pktid"
mcast_start mc-a "$A"
# --raw-key: one key that is never replaced (with session keys the one-shot
# re-keys on the first notification, scenario 77)
oneshot_pair --keepalive 0,0 --raw-key
ifa=$(ifindex_of "$A" "$OVPN_DEV")
out=$(nst 30 "$A" /usr/bin/ping -c 30 -i 0.05 -W 2 "$B_VPN" 2>&1) || fail "first 30 pings failed: $out"
sleep 0.5
if grep -q SWAP_KEYS_NEEDED "$(bg_log mc-a)"; then
	fail "SWAP_KEYS_NEEDED after only ~30 packets: $(cat "$(bg_log mc-a)")"
fi
out=$(nst 30 "$A" /usr/bin/ping -c 40 -i 0.05 -W 2 "$B_VPN" 2>&1) || fail "next 40 pings failed: $out"
assert_match "$out" ' 0% packet loss' "pings past 0xF0000000 (the key must keep sending)"
wait_log mc-a "^SWAP_KEYS_NEEDED ifindex $ifa peer_id 0 key_id 0\$" 5
wait_log tun-a '^key 0 of peer 0 needs a swap$' 5
grep SWAP_KEYS_NEEDED "$(bg_log mc-a)"
# repeated while the key sends, at most once a second (scenario 48): 40
# pings 50 ms apart leave room for the first and up to two reminders
nsk=$(grep -c "^SWAP_KEYS_NEEDED ifindex $ifa " "$(bg_log mc-a)")
assert_ge "$nsk" 1 "SWAP_KEYS_NEEDED notifications for a's device"
assert_ge 3 "$nsk" "SWAP_KEYS_NEEDED notifications for a's device in ~2 s"
bg_stop tun-a TERM 10
bg_stop tun-b TERM 10
bg_stop mc-a
wait_for "! dev_exists $A $OVPN_DEV && ! dev_exists $B $OVPN_DEV" 5 || fail "devices left behind"

# 2. the end of the space
FIRST=$((0xFFFFFFFF - 20))
debug_module_load test_first_pktid=$FIRST
oneshot_pair --keepalive 0,0 --raw-key
drop0=$(dev_stat "$A" "$OVPN_DEV" tx_dropped)
bg cap "$B" /usr/bin/tcpdump -n -l -U -x -i "$B_DEV" "udp and src host $A_IP and dst port $PORT"
wait_log cap 'listening on' 10
nst 30 "$A" /usr/bin/ping -c 40 -i 0.05 -W 1 "$B_VPN" >"$LOGDIR/ping2.log" 2>&1
tail -n 2 "$LOGDIR/ping2.log"
sleep 1
bg_stop cap INT 5
drop1=$(dev_stat "$A" "$OVPN_DEV" tx_dropped)
log "a tx_dropped $drop0 -> $drop1"
# packet ids: UDP payload bytes 4..7 (after opcode/key and the peer id), i.e.
# from the IP header bytes 32..35: groups 1 and 2 of line 0x0020
awk '$1 == "0x0020:" { print $2 $3 }' "$(bg_log cap)" >"$LOGDIR/ids"
n=$(wc -l <"$LOGDIR/ids")
log "a sent $n data packets; ids: $(head -n 3 "$LOGDIR/ids" | tr '\n' ' ')... $(tail -n 2 "$LOGDIR/ids" | tr '\n' ' ')"
assert_gt "$n" 0 "data packets captured"
dups=$(sort "$LOGDIR/ids" | uniq -d | wc -l)
assert_eq "$dups" 0 "repeated packet ids on the wire"
low=$(awk -v f="$FIRST" '{ v = 0; for (i = 1; i <= 8; i++) v = v * 16 + index("0123456789abcdef", substr($1, i, 1)) - 1; if (v <= f) n++ } END { print n + 0 }' "$LOGDIR/ids")
assert_eq "$low" 0 "packet ids at or below test_first_pktid (wrapped)"
[ "$n" -le 21 ] || fail "a sent $n packets with keys starting at 0xFFFFFFFF - 20 (at most 20 ids left)"
assert_ge "$n" 19 "packets sent before the ids ran out"
assert_gt "$drop1" "$drop0" "a tx_dropped after the ids ran out"
dmesg_check_since
echo "ok: SWAP_KEYS_NEEDED and no packet id reuse"
