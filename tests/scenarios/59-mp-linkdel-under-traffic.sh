#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Deleting a multi-peer device under load: c1 and c2 push iperf3 traffic to
# the server, c3 pings it, and meanwhile the server's device is deleted.
# `ip link del` returns promptly, every peer is notified once as TEARDOWN,
# the shared socket is released, and a new MP device with the same peers on
# the same port works afterwards (fresh keys and client tunnels).
# timeout: 180
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/mp.sh"

MP_NO_IPV6=1
mp_setup 1 2 3
mcast_start mc "$MP_S"
ifidx=$(mp_ifindex "$MP_S" "$MP_DEV")

bg ips1 "$MP_S" /usr/bin/iperf3 -s -p 5201 -i 0
bg ips2 "$MP_S" /usr/bin/iperf3 -s -p 5202 -i 0
wait_for "ns $MP_S /usr/bin/ss -Hltn | grepq ':5201 ' && ns $MP_S /usr/bin/ss -Hltn | grepq ':5202 '" 10 ||
	fail "iperf3 servers not listening in $MP_S"
r0=$(mp_srv_peer 1 vpn_rx_bytes)
bg ipc1 c1 /usr/bin/iperf3 -c "$MP_SRV_VPN" -p 5201 -t 30 -i 1
bg ipc2 c2 /usr/bin/iperf3 -c "$MP_SRV_VPN" -p 5202 -t 30 -i 1
bg pc3 c3 /usr/bin/ping -i 0.05 "$MP_SRV_VPN"
wait_for "[ \$(mp_srv_peer 1 vpn_rx_bytes) -gt $((r0 + 2000000)) ]" 20 ||
	fail "no iperf3 traffic from c1: vpn_rx_bytes $r0 -> $(mp_srv_peer 1 vpn_rx_bytes)"
log "traffic flowing: peer 1 vpn_rx_bytes $r0 -> $(mp_srv_peer 1 vpn_rx_bytes)"
sleep 1

t0=$(date +%s%N)
out=$(nst 15 "$MP_S" "$IP_BIN" link del "$MP_DEV" 2>&1) || fail "ip link del $MP_DEV under traffic: $out"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
log "ip link del under traffic took $ms ms"
assert_ge 10000 "$ms" "ip link del duration (ms)"
td_ids() {
	awk -v i="$ifidx" '$1 == "DEL_PEER" && $3 == i && $7 == "TEARDOWN" { print $5 }' "$(bg_log mc)" |
		sort -n | tr '\n' ' ' | sed 's/ $//'
}
wait_for "[ \"\$(td_ids)\" = '1 2 3' ]" 5 ||
	fail "TEARDOWN notifications for '$(td_ids)', expected '1 2 3': $(cat "$(bg_log mc)")"
assert_eq "$(grep -c '^DEL_PEER' "$(bg_log mc)")" 3 "DEL_PEER notifications"
wait_for "! ns $MP_S /usr/bin/ss -Huan 'sport = :$MP_PORT' | grepq ." 5 ||
	fail "port $MP_PORT still bound in s: $(ns "$MP_S" /usr/bin/ss -Huan)"
bg_stop ipc1 INT 10
bg_stop ipc2 INT 10
bg_stop pc3 INT 5

# A new device on the same port with the same peers, fresh keys and tunnels.
for i in 1 2 3; do
	bg_stop "tun-c$i" TERM 10
	assert_eq "$?" 0 "one-shot exit status on SIGTERM (c$i)"
done
mp_keys 1 2 3
mp_server 1 2 3
for i in 1 2 3; do
	mp_client "$i"
done
for i in 1 2 3; do
	mp_ping_ok "c$i" "$MP_SRV_VPN"
	mp_ping_ok "$MP_S" "$(mp_vpn4 "$i")"
done
for i in 1 2 3; do
	bg_stop "tun-c$i" TERM 10
	assert_eq "$?" 0 "one-shot exit status on SIGTERM (c$i)"
done
out=$(nst 15 "$MP_S" "$IP_BIN" link del "$MP_DEV" 2>&1) || fail "ip link del $MP_DEV in s: $out"
echo "ok: multi-peer device deleted under traffic"
