#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Peer ids on a multi-peer device: NEW_PEER with an id already there is
# refused with EEXIST and an extack message (by new_peer and, mid-file, by
# new_multi_peer, whose earlier peers stay) and the existing peer is left
# alone; a refused peer's socket is released. DEL_PEER of one peer leaves
# the others working and is notified as USERSPACE. Deleting the device with
# three peers notifies three TEARDOWN deletions, does not hang and releases
# the sockets.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/mp.sh"

require_module
require_cli
MP_NO_IPV6=1
mp_underlay 1 2 3
mp_keys 1 2 3
mcast_start mc "$MP_S"
mp_server 1 2 3
for i in 1 2 3; do
	mp_client "$i"
done
ifidx=$(mp_ifindex "$MP_S" "$MP_DEV")
[ -n "$ifidx" ] || fail "no ifindex for $MP_DEV"
for i in 1 2 3; do
	mp_ping_ok "c$i" "$MP_SRV_VPN"
done

udp_bound() { # PORT: a UDP socket in s is bound to PORT
	ns "$MP_S" /usr/bin/ss -Huan "sport = :$1" | grepq .
}

# 1. new_peer with id 2, already there: EEXIST; peer 2 unchanged.
mp_cli_refused "$MP_S" 17 "$MP_DEV" new_peer 2 1195 192.168.102.99 1194 10.8.0.9
assert_eq "$(mp_srv_peer 2 remote)" "$(mp_cli_ip 2):$MP_PORT" "peer 2 remote after the refused duplicate"
assert_eq "$(mp_srv_peer 2 vpn_ipv4)" "$(mp_vpn4 2)" "peer 2 vpn_ipv4 after the refused duplicate"
mp_ping_ok c2 "$MP_SRV_VPN"
mp_ping_ok "$MP_S" "$(mp_vpn4 2)"
# the refused peer's socket went back to userspace, which closed it
wait_for "! udp_bound 1195" 5 || fail "port 1195 still bound in s after the refused NEW_PEER: $(ns "$MP_S" /usr/bin/ss -Huan)"

# 2. new_multi_peer: a new id 7, then the existing id 3: the first is
#    added, the second refused, the tool says where it stopped.
dupf=$LOGDIR/peers-dup
printf '# new, then a duplicate\n7 192.168.103.7 1194 10.8.0.8\n\n3 192.168.103.3 1194 10.8.0.44\n' >"$dupf"
mp_cli_refused "$MP_S" 17 "$MP_DEV" new_multi_peer 1196 "$dupf"
assert_match "$MP_OUT" "new_multi_peer: .*peers-dup:4: peer 3 not added \(1 added before it\)" "new_multi_peer's report of where it stopped"
assert_eq "$(mp_dump_ids "$MP_S" "$MP_DEV")" "1 2 3 7" "peer ids after the partial new_multi_peer"
assert_eq "$(mp_srv_peer 3 remote)" "$(mp_cli_ip 3):$MP_PORT" "peer 3 remote after the refused duplicate"
assert_eq "$(mp_srv_peer 3 vpn_ipv4)" "$(mp_vpn4 3)" "peer 3 vpn_ipv4 after the refused duplicate"
assert_eq "$(mp_srv_peer 7 remote)" "192.168.103.7:$MP_PORT" "peer 7 remote"
assert_eq "$(mp_srv_peer 7 local_port)" 1196 "peer 7 local_port"
mp_ping_ok c3 "$MP_SRV_VPN"
udp_bound 1196 || fail "peer 7's socket (port 1196) not held by the kernel"
# no peer was removed so far
if grep -q '^DEL_PEER' "$(bg_log mc)"; then
	fail "DEL_PEER notified for a refused NEW_PEER: $(cat "$(bg_log mc)")"
fi

# 3. DEL_PEER of peer 2: notified as USERSPACE; 1 and 3 still work.
out=$(cli "$MP_S" "$MP_DEV" del_peer 2 2>&1) || fail "del_peer 2: $out"
wait_for "grep -q '^DEL_PEER ifindex $ifidx peer_id 2 reason USERSPACE$' $(bg_log mc)" 5 ||
	fail "no 'DEL_PEER ifindex $ifidx peer_id 2 reason USERSPACE' notification: $(cat "$(bg_log mc)")"
assert_eq "$(mp_dump_ids "$MP_S" "$MP_DEV")" "1 3 7" "peer ids after del_peer 2"
mp_cli_refused "$MP_S" 2 "$MP_DEV" get_peer 2
mp_ping_ok c1 "$MP_SRV_VPN"
mp_ping_ok c3 "$MP_SRV_VPN"
mp_ping_ok "$MP_S" "$(mp_vpn4 1)"
mp_ping_ok "$MP_S" "$(mp_vpn4 3)"
mp_ping_fails c2 "$MP_SRV_VPN"
mp_ping_fails "$MP_S" "$(mp_vpn4 2)"
# the socket stays: peers 1 and 3 still use it
udp_bound "$MP_PORT" || fail "the shared socket (port $MP_PORT) went away with peer 2"

# 4. Delete the device with peers 1, 3 and 7: three TEARDOWN notifications.
t0=$(date +%s%N)
out=$(nst 15 "$MP_S" "$IP_BIN" link del "$MP_DEV" 2>&1) || fail "ip link del $MP_DEV (3 peers): $out"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
log "ip link del $MP_DEV with 3 peers took $ms ms"
assert_ge 5000 "$ms" "ip link del duration (ms)"
teardown_ids() {
	awk -v i="$ifidx" '$1 == "DEL_PEER" && $3 == i && $7 == "TEARDOWN" { print $5 }' "$(bg_log mc)" |
		sort -n | tr '\n' ' ' | sed 's/ $//'
}
wait_for "[ \"\$(teardown_ids)\" = '1 3 7' ]" 5 ||
	fail "TEARDOWN notifications for peers '$(teardown_ids)', expected '1 3 7': $(cat "$(bg_log mc)")"
echo "listen_mcast in s:"
sed 's/^/  /' "$(bg_log mc)"
assert_eq "$(grep -c '^DEL_PEER' "$(bg_log mc)")" 4 "DEL_PEER notifications in all (1 USERSPACE + 3 TEARDOWN)"
wait_for "! udp_bound $MP_PORT && ! udp_bound 1196" 5 ||
	fail "sockets still bound in s after the device went away: $(ns "$MP_S" /usr/bin/ss -Huan)"

for i in 1 2 3; do
	bg_stop "tun-c$i" TERM 10
	assert_eq "$?" 0 "one-shot exit status on SIGTERM (c$i)"
done
echo "ok: duplicate ids refused, del_peer and device deletion notified"
