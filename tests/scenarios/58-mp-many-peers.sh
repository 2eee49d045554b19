#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Many peers on one multi-peer device: one new_multi_peer adds 300 peers
# (one socket; remotes and VPN addresses all different). The GET_PEER dump
# spans several netlink messages and must list every peer exactly once;
# single GET_PEERs find peers by id; a duplicate in the middle of a second
# file stops it there; deleting the device notifies 300 TEARDOWN deletions
# and does not hang. Besides a listener with the CLI's 8 MiB buffer (which
# must see them all), one asks for OpenVPN 2.6's 1 MiB (dco_linux.c:
# nl_socket_set_buffer_size(1 MiB), a plain SO_RCVBUF capped by rmem_max)
# and one for the smallest buffer there is: each must see every DEL_PEER or
# report the overrun (ENOBUFS: "notifications lost"), never silently miss
# some; the kernel logs at most one summary line for the teardown.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/mp.sh"

require_module
require_cli
N=300
MP_NO_IPV6=1
mp_underlay 1
mcast_start mc "$MP_S"
mcast_start mc-ovpn "$MP_S" --rcvbuf 1048576
mcast_start mc-tiny "$MP_S" --rcvbuf 1
dmesg_lines=$(dmesg | wc -l)
out=$(cli "$MP_S" new_iface "$MP_DEV" mp 2>&1) || fail "new_iface: $out"
ifidx=$(mp_ifindex "$MP_S" "$MP_DEV")
f=$LOGDIR/peers-many
for i in $(seq 1 $N); do
	echo "$i 192.168.101.$((i % 250 + 2)) $((2000 + i)) 10.9.$((i / 250)).$((i % 250 + 1))"
done >"$f"
t0=$(date +%s%N)
out=$(cli "$MP_S" "$MP_DEV" new_multi_peer "$MP_PORT" "$f" 2>&1) || fail "new_multi_peer with $N peers: $out"
log "new_multi_peer of $N peers took $(( ($(date +%s%N) - t0) / 1000000 )) ms"

dump=$(get_peer "$MP_S" "$MP_DEV") || fail "get_peer dump: $(printf '%s\n' "$dump" | tail -n 3)"
ids=$(printf '%s\n' "$dump" | awk '$1 == "peer_id" { print $2 }' | sort -n)
assert_eq "$(printf '%s\n' "$ids" | grep -c .)" "$N" "peers in the dump"
assert_eq "$(printf '%s\n' "$ids" | uniq | grep -c .)" "$N" "distinct peers in the dump"
assert_eq "$(printf '%s\n' "$ids" | head -n 1)-$(printf '%s\n' "$ids" | tail -n 1)" "1-$N" "first and last id in the dump"
assert_eq "$(printf '%s\n' "$dump" | awk '$1 == "remote"' | sort -u | grep -c .)" "$N" "distinct remotes in the dump"

for i in 1 77 250 251 $N; do
	assert_eq "$(mp_srv_peer "$i" remote)" "192.168.101.$((i % 250 + 2)):$((2000 + i))" "peer $i remote"
	assert_eq "$(mp_srv_peer "$i" vpn_ipv4)" "10.9.$((i / 250)).$((i % 250 + 1))" "peer $i vpn_ipv4"
done

# A second file: two new peers, then a duplicate, then one more.
printf '%s\n' "1001 192.168.101.2 5001 10.9.9.1" "1002 192.168.101.2 5002 10.9.9.2" \
	"150 192.168.101.2 5003 10.9.9.3" "1003 192.168.101.2 5004 10.9.9.4" >"$f.2"
mp_cli_refused "$MP_S" 17 "$MP_DEV" new_multi_peer 1195 "$f.2"
assert_match "$MP_OUT" "peers-many.2:3: peer 150 not added \(2 added before it\)" "where new_multi_peer stopped"
assert_eq "$(get_peer "$MP_S" "$MP_DEV" | grep -c '^peer_id ')" $((N + 2)) "peers after the second file"
mp_cli_refused "$MP_S" 2 "$MP_DEV" get_peer 1003

t0=$(date +%s%N)
out=$(nst 30 "$MP_S" "$IP_BIN" link del "$MP_DEV" 2>&1) || fail "ip link del with $((N + 2)) peers: $out"
log "ip link del with $((N + 2)) peers took $(( ($(date +%s%N) - t0) / 1000000 )) ms"
want=$((N + 2))
count_td() { grep -c "^DEL_PEER ifindex $ifidx peer_id [0-9]* reason TEARDOWN$" "$(bg_log mc)"; }
# (listen_mcast's receive buffer holds thousands of them)
wait_for "[ \$(count_td) -ge $want ]" 10 ||
	fail "$(count_td) TEARDOWN notifications, expected $want: $(grep -v '^DEL_PEER' "$(bg_log mc)" | tail -n 5)"
assert_eq "$(count_td)" "$want" "TEARDOWN notifications"
assert_eq "$(awk '$1 == "DEL_PEER" { print $5 }' "$(bg_log mc)" | sort | uniq -d | grep -c .)" 0 "peers notified twice"
# the small listeners: everything, or an overrun they were told about
sleep 1
for l in mc-ovpn mc-tiny; do
	got=$(grep -c "^DEL_PEER ifindex $ifidx peer_id [0-9]* reason TEARDOWN$" "$(bg_log "$l")")
	lost=$(grep -c 'notifications lost' "$(bg_log "$l")")
	log "$l: $(grep -m1 'receive buffer' "$(bg_log "$l")" | sed 's/^ovpn-cli: listen_mcast: //'): $got of $want TEARDOWN notifications, $lost overrun reports"
	[ "$got" = "$want" ] || [ "$lost" -gt 0 ] ||
		fail "$l got $got of $want DEL_PEER notifications and was not told of the loss"
	bg_alive "$l" || fail "$l exited: $(tail -n 3 "$(bg_log "$l")")"
done
warns=$(dmesg | tail -n +"$((dmesg_lines + 1))" | grep -c -e 'DEL_PEER notifications' -e 'did not reach every listener')
assert_ge 1 "$warns" "kernel log lines about lost DEL_PEER notifications"
wait_for "! ns $MP_S /usr/bin/ss -Huan | grepq ." 5 ||
	fail "sockets still bound in s after the device went away: $(ns "$MP_S" /usr/bin/ss -Huan)"
echo "ok: $N peers on one device"
