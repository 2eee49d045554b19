#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Peer scale at the size the suite affords: 2,000 UDP clients of one
# multi-peer device, all played by tests/tools/scalegen from namespace c
# (own port, peer id and random keys each; it also sets the server's peers
# and keys up over netlink from inside namespace s, as a daemon would).
#  1. every client reaches the server: each gets an ICMP echo reply through
#     the tunnel; traffic spread over all 2,000 and concentrated on one
#     loses nothing, and nothing the clients get fails authentication;
#  2. the GET_PEER dump lists every peer exactly once, each with its own
#     transport address and counters that add up to what the clients sent;
#  3. negative: a client with keys the server does not have gets no reply,
#     and the server counts each of its packets as dropped; a peer id in
#     use is refused (EEXIST); DEL_PEER with 64 requests in flight tells a
#     peer deleted from two already gone;
#  4. a dump that races with changes: between its parts, peers not listed
#     yet and peers listed are deleted and new ones added where the dump
#     stands; every peer that stayed is listed exactly once, none twice
#     (scalegen then puts the 2,000 back);
#  5. mass expiry: a 3 s keepalive timeout on all 2,000 silent peers (none
#     expires before it), 2,000 DEL_PEER EXPIRED notifications, each peer
#     once, to a listener with the CLI's buffer and, paced, to one with
#     OpenVPN's 1 MiB, which must not overrun;
#  6. 2,000 peers again: `ip link del` is prompt, notifies 2,000 TEARDOWNs;
#     and 2,000 more on a new device: `rmmod` is prompt, then the module
#     loads again;
#  7. the upstream family: 200 clients of a device of kind ovpn reach it
#     too, and closing the server's socket (scalegen exits) removes them.
# scalegen's numbers (setup rate, pps, rtt) go to the log.
# timeout: 240
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/mp.sh"
. "$(dirname "$0")/lib/debugmod.sh"

require_module
require_cli
SG=$TOOLS/scalegen
[ -x "$SG" ] || fail "$SG not built (make -C tests/tools)"
# section 5 unloads the module: the suite goes on with it loaded again
trap 'rc=$?; cleanup; normal_module_restore || rc=1; exit $rc' EXIT

N=2000
S=s
C=c
DEV=ovpn0
S_IP=192.168.200.1
C_IP=192.168.200.2
SRV_VPN=10.64.0.1
VPN_BASE=10.64.1.1	# client i (0-based): 10.64.1.1 + i, peer id 1 + i

ms_since() { echo $(( (${EPOCHREALTIME/./} - ${1/./}) / 1000 )); }

# sg NAME ARGS...: scalegen ARGS in c, against $DEV in s; its output in
# $LOGDIR/NAME.out and in SG_OUT, its exit status in SG_RC
sg() {
	local name=$1
	shift
	nst "$(slow_secs 120)" "$C" "$SG" "$@" --server-netns "$S" >"$LOGDIR/$name.out" 2>&1
	SG_RC=$?
	SG_OUT=$(cat "$LOGDIR/$name.out")
	sed "s/^/  $name: /" "$LOGDIR/$name.out"
}
sgv() { kv_field "$SG_OUT" "$1"; }

# sg_clients NAME DEV N [ARGS...]: scalegen run of N clients of DEV
sg_clients() {
	local name=$1 dev=$2 n=$3
	shift 3
	sg "$name" run --iface "$dev" --clients "$n" --server "$S_IP" --client-ip "$C_IP" \
		--vpn-dst "$SRV_VPN" "$@"
}

# new_mp_dev DEV [KIND]: an MP device in s with $SRV_VPN/16, up
new_mp_dev() {
	local out
	out=$(cli "$S" new_iface "$1" mp ${2:+--kind "$2"} 2>&1) || fail "new_iface $1: $out"
	"$IP_BIN" -n "$S" -batch - <<-EOF || fail "cannot set up $1"
		addr add $SRV_VPN/16 dev $1
		link set $1 up
	EOF
	wait_link_up "$S" "$1"
}

# count_ntf LISTENER IFINDEX REASON: DEL_PEER notifications of that device
count_ntf() {
	grep -c "^DEL_PEER ifindex $2 peer_id [0-9]* reason $3\$" "$(bg_log "$1")"
}

# klost: kernel log lines about DEL_PEER notifications that did not reach
# every listener
klost() {
	dmesg | grep -c -e 'did not reach every listener' -e 'DEL_PEER notifications not sent'
}

# all_or_overrun LISTENER IFINDEX REASON WANT: a listener got every
# notification of this burst or was told (since the last call) it lost
# some. (The kernel lines are only logged: netlink tells the sender of an
# overrun only for listeners that set NETLINK_BROADCAST_ERROR, and neither
# OpenVPN nor listen_mcast does.)
declare -A LOST_SEEN=()
KLOST_SEEN=$(klost)
all_or_overrun() {
	local got lost k
	got=$(count_ntf "$1" "$2" "$3")
	lost=$(grep -c 'notifications lost' "$(bg_log "$1")")
	lost=$((lost - ${LOST_SEEN[$1]:-0}))
	LOST_SEEN[$1]=$((${LOST_SEEN[$1]:-0} + lost))
	k=$(klost)
	log "$1: $got of $4 $3 notifications, $lost overrun reports; $((k - KLOST_SEEN)) kernel log lines about it"
	[ "$got" = "$4" ] || [ "$lost" -gt 0 ] ||
		fail "$1 got $got of $4 $3 notifications and was not told of the loss"
	KLOST_SEEN=$k
	bg_alive "$1" || fail "$1 exited: $(tail -n 3 "$(bg_log "$1")")"
}

ns_add "$S"
ns_add "$C"
mp_no_ipv6 "$S" "$C"
ip link add vs netns "$S" type veth peer name vc netns "$C" || fail "cannot create the veth pair"
link_end "$S" vs "$S_IP/24"
link_end "$C" vc "$C_IP/24"
wait_link_up "$S" vs
wait_link_up "$C" vc
mcast_start mc "$S"
mcast_start mc-ovpn "$S" --rcvbuf 1048576
new_mp_dev "$DEV"
ifidx=$(ifindex_of "$S" "$DEV")

# --- 1. 2,000 clients: setup, every one reached, load spread and on one
t0=$EPOCHREALTIME
sg_clients run "$DEV" "$N" --vpn-base "$VPN_BASE" --reach 60 --load both --duration "$(slow_secs 3)"
log "scalegen run of $N clients: exit $SG_RC after $(ms_since "$t0") ms"
assert_eq "$SG_RC" 0 "scalegen exit status"
assert_eq "$(sgv setup_peers)" "$N" "peers set up"
assert_eq "$(sgv reached)" "$N" "clients that got an echo reply (unreached: $(sgv unreached_peer_ids))"
assert_eq "$(sgv spread_clients_replied)" "$N" "clients replied to with traffic spread over all"
assert_eq "$(sgv one_clients_replied)" 1 "clients replied to with traffic on one"
for k in reach spread one; do
	assert_gt "$(sgv ${k}_rx_packets)" 0 "$k: echo replies"
	assert_eq "$(sgv ${k}_tx_errors)" 0 "$k: send errors"
	assert_eq "$(sgv ${k}_lost)" 0 "$k: requests without a reply"
done
for k in rx_auth_fail rx_bad rx_other; do
	assert_eq "$(sgv $k)" 0 "scalegen $k (replies that failed authentication or checks)"
done
sent=$(( $(sgv reach_tx_packets) + $(sgv spread_tx_packets) + $(sgv one_tx_packets) ))
one_tx=$(sgv one_tx_packets)
assert_eq "$(dev_stat "$S" "$DEV" rx_dropped)" 0 "server $DEV rx_dropped"
assert_eq "$(dev_stat "$S" "$DEV" rx_missed_errors)" 0 "server $DEV rx_missed_errors"
assert_eq "$(dev_stat "$S" "$DEV" rx_packets)" "$sent" "server $DEV rx_packets (every request scalegen sent)"

# --- 2. the dump: every peer once, its own remote, counters that add up
t0=$EPOCHREALTIME
get_peer "$S" "$DEV" >"$LOGDIR/dump" 2>&1 || fail "get_peer dump: $(tail -n 3 "$LOGDIR/dump")"
log "GET_PEER dump of $N peers: $(ms_since "$t0") ms"
ids=$(awk '$1 == "peer_id" { print $2 }' "$LOGDIR/dump" | sort -n)
assert_eq "$(printf '%s\n' "$ids" | grep -c .)" "$N" "peers in the dump"
assert_eq "$(printf '%s\n' "$ids" | uniq | grep -c .)" "$N" "distinct peers in the dump"
assert_eq "$(printf '%s\n' "$ids" | head -n 1)-$(printf '%s\n' "$ids" | tail -n 1)" "1-$N" "first and last id in the dump"
# per peer: "id remote vpn_ipv4 vpn_rx_packets vpn_tx_packets"
awk '$1 == "peer_id" { id = $2 } $1 == "remote" { r[id] = $2 } $1 == "vpn_ipv4" { v[id] = $2 }
	$1 == "vpn_rx_packets" { rx[id] = $2 } $1 == "vpn_tx_packets" { tx[id] = $2 }
	END { for (i in r) print i, r[i], v[i], rx[i] + 0, tx[i] + 0 }' "$LOGDIR/dump" | sort -n >"$LOGDIR/peers"
assert_eq "$(awk '{ print $2 }' "$LOGDIR/peers" | sort -u | grep -c .)" "$N" "distinct remotes in the dump"
assert_eq "$(awk -v ip="$C_IP" '$2 != ip ":" (19999 + $1) || $3 != "10.64." (1 + int($1 / 256)) "." ($1 % 256)' "$LOGDIR/peers" |
	grep -c .)" 0 "peers whose remote or VPN address is not their client's"
assert_eq "$(awk '$4 < 1 || $5 < 1' "$LOGDIR/peers" | grep -c .)" 0 "peers without packets both ways"
assert_eq "$(awk '{ s += $4 } END { print s }' "$LOGDIR/peers")" "$sent" "sum of the peers' vpn_rx_packets"
assert_ge "$(awk '$1 == 1 { print $4 }' "$LOGDIR/peers")" "$one_tx" "peer 1's vpn_rx_packets (the load on one)"
assert_ge "$(snmp "$S" Icmp OutEchoReps)" "$sent" "server's echo replies"

# --- 3. negative: wrong keys; a peer id in use
drop0=$(dev_stat "$S" "$DEV" rx_dropped)
bad=$((N + 1000))	# the wrong-key client's peer id
sg_clients wrong "$DEV" 1 --peer-id-base "$bad" --server-port 1195 --client-port-base 40000 \
	--vpn-base 10.64.200.1 --wrong-key --reach 3 --load none
assert_eq "$SG_RC" 0 "scalegen --wrong-key exit status"
assert_eq "$(sgv setup_peers)" 1 "wrong-key client set up"
assert_eq "$(sgv reached)" 0 "wrong-key client reached"
assert_eq "$(sgv unreached_peer_ids)" "$bad" "the unreached peer"
wtx=$(sgv reach_tx_packets)
assert_ge "$wtx" 2 "wrong-key requests sent (one per round)"
assert_eq "$(sgv reach_rx_packets)" 0 "replies to the wrong-key client"
assert_eq "$(dev_stat "$S" "$DEV" rx_dropped)" $((drop0 + wtx)) "server $DEV rx_dropped after $wtx wrong-key packets"
assert_eq "$(mp_peer "$S" "$DEV" "$bad" link_rx_packets)" 0 "wrong-key peer's link_rx_packets"
assert_eq "$(mp_peer "$S" "$DEV" "$bad" vpn_rx_packets)" 0 "wrong-key peer's vpn_rx_packets"
# the ids around it are free: one deleted, two ENOENT, matched by sequence
sg delwin delete --window 64 --iface "$DEV" --clients 3 --peer-id-base $((bad - 1))
assert_eq "$SG_RC" 0 "scalegen delete --window 64 exit status"
assert_eq "$(sgv delete_window)" 64 "DEL_PEER requests in flight at most"
assert_eq "$(sgv deleted)" 1 "peers deleted (the wrong-key peer)"
assert_eq "$(sgv already_gone)" 2 "DEL_PEER of ids not in use (ENOENT)"

sg_clients dup "$DEV" 1 --peer-id-base "$N" --server-port 1196 --client-port-base 40001 \
	--vpn-base 10.64.201.1 --reach 1 --load none
assert_eq "$SG_RC" 1 "scalegen exit status with a peer id in use"
assert_match "$SG_OUT" "NEW_PEER of peer $N:" "scalegen names the refused peer"
assert_match "$SG_OUT" "\(errno 17\)" "NEW_PEER of an id in use: EEXIST"
assert_eq "$(sgv setup_peers)" 0 "peers set up with an id in use"
assert_eq "$(get_peer "$S" "$DEV" | grep -c '^peer_id ')" "$N" "peers after the refusals"

# --- 4. a dump racing with deletes and adds (on another socket, between
# its parts, where a resume by position would skip or repeat a peer)
sg race dump --race --iface "$DEV" --clients "$N" --server "$S_IP" --server-port 1197 \
	--client-ip "$C_IP" --vpn-base "$VPN_BASE"
log "dump racing with changes: $(sgv race_parts) parts, $(sgv race_interleavings) with changes after them," \
	"$(sgv race_deleted) deleted, $(sgv race_added) added, $(sgv race_ms) ms"
assert_eq "$(sgv race_missing)" 0 "peers never deleted that the racing dump missed ($(sgv race_missing_ids))"
assert_eq "$(sgv race_duplicates)" 0 "peers the racing dump listed twice ($(sgv race_duplicate_ids))"
assert_eq "$(sgv race_ok)" yes "racing dump: each peer that stayed listed once, none twice"
assert_eq "$SG_RC" 0 "scalegen dump --race exit status"
assert_ge "$(sgv race_interleavings)" 10 "parts of the dump after which peers were deleted and added"
assert_gt "$(sgv race_deleted)" 0 "peers deleted during the dump"
assert_gt "$(sgv race_deleted_listed)" 0 "peers deleted during the dump after it listed them"
assert_gt "$(sgv race_added)" 0 "peers added during the dump"
assert_eq "$(sgv race_restored)" "$(sgv race_deleted)" "deleted peers added again after the dump"
assert_eq "$(sgv race_removed)" "$(sgv race_added)" "added peers deleted after the dump"
assert_eq "$(sgv race_gone_ids)" - "peers missing after the race"
assert_eq "$(get_peer "$S" "$DEV" | grep -c '^peer_id ')" "$N" "peers after the racing dump"
# each deletion of the race notified USERSPACE (and a restored peer expires below)
race_ntf=$(( $(sgv race_deleted) + $(sgv race_removed) ))

# --- 5. mass expiry
# The module removes expired peers at expire_rate a second after a burst of
# 256, so that a daemon's socket is not overrun. Its default (1000) is for
# real CPUs; here every reader runs some 50 times slower (a debug kernel
# slower still), so is the pace.
EXPIRE_RATE_P=/sys/module/ovpn_dco_v2/parameters/expire_rate
assert_eq "$(cat "$EXPIRE_RATE_P")" 1000 "expire_rate default"
rate=$((200 / ${OVPN_TIMEOUT_FACTOR:-1}))
[ "$rate" -ge 10 ] || rate=10
echo "$rate" >"$EXPIRE_RATE_P" || fail "cannot set expire_rate"
t0=$EPOCHREALTIME
sg keepalive keepalive 0,3 --iface "$DEV" --clients "$N"
assert_eq "$SG_RC" 0 "scalegen keepalive exit status"
assert_eq "$(sgv keepalive_peers)" "$N" "peers given a keepalive timeout"
kms=$(ms_since "$t0")
early=$(count_ntf mc "$ifidx" EXPIRED)
# (a peer may expire 3 s after its own SET_PEER, the first one's included)
if [ "$kms" -lt 2500 ]; then
	assert_eq "$early" 0 "peers expired $kms ms after the first SET_PEER of a 3 s timeout"
fi
wait_for "[ \$(count_ntf mc $ifidx EXPIRED) -ge $N ]" 30 ||
	fail "$(count_ntf mc "$ifidx" EXPIRED) EXPIRED notifications, expected $N: $(grep -v '^DEL_PEER' "$(bg_log mc)" | tail -n 5)"
ems=$(ms_since "$t0")
log "$N peers expired $ems ms after the first SET_PEER (3 s timeout; $kms ms to set them all)"
# paced: 256 at once, then one every 1000/rate ms (8.7 s for the other
# 1,744 at 200 a second)
assert_ge "$ems" $((3000 + (N - 256) * 1000 / rate * 9 / 10)) "ms until every peer expired, paced at $rate a second"
assert_eq "$(count_ntf mc "$ifidx" EXPIRED)" "$N" "EXPIRED notifications"
assert_eq "$(awk -v i="$ifidx" '$1 == "DEL_PEER" && $3 == i && $7 == "EXPIRED" { print $5 }' "$(bg_log mc)" |
	sort | uniq -d | grep -c .)" 0 "peers notified EXPIRED twice"
assert_eq "$(count_ntf mc "$ifidx" USERSPACE)" $((1 + race_ntf)) \
	"USERSPACE notifications (the wrong-key peer, the racing dump's $race_ntf)"
# the expiries are paced (module parameter expire_rate): a listener with
# OpenVPN's buffer, which exits when its socket overruns, gets every one
wait_for "[ \$(count_ntf mc-ovpn $ifidx EXPIRED) -ge $N ]" 10 ||
	fail "OpenVPN's 1 MiB listener: $(count_ntf mc-ovpn "$ifidx" EXPIRED) of $N EXPIRED notifications"
assert_eq "$(grep -c 'notifications lost' "$(bg_log mc-ovpn)")" "${LOST_SEEN[mc-ovpn]:-0}" \
	"overruns of OpenVPN's 1 MiB listener during the mass expiry"
all_or_overrun mc-ovpn "$ifidx" EXPIRED "$N"
echo 1000 >"$EXPIRE_RATE_P" || fail "cannot restore expire_rate"
wait_for "[ \$(get_peer $S $DEV | grep -c '^peer_id ') = 0 ]" 10 ||
	fail "peers left after the expiry: $(get_peer "$S" "$DEV" | grep -c '^peer_id ')"

# --- 6. teardown with 2,000 peers: ip link del, then rmmod
wait_for "! ns $S /usr/bin/ss -Huan | grepq ." 10 ||
	fail "sockets still bound in s after every peer went away: $(ns "$S" /usr/bin/ss -Huan)"
sg_clients setup "$DEV" "$N" --vpn-base "$VPN_BASE" --load none
assert_eq "$SG_RC" 0 "scalegen setup exit status"
assert_eq "$(sgv setup_peers)" "$N" "peers set up again"
t0=$EPOCHREALTIME
out=$(nst 30 "$S" "$IP_BIN" link del "$DEV" 2>&1) || fail "ip link del with $N peers: exit $? $out"
ms=$(ms_since "$t0")
log "ip link del with $N peers: $ms ms"
[ "$ms" -lt $((1000 * $(slow_secs 10))) ] || fail "ip link del with $N peers took $ms ms"
wait_for "[ \$(count_ntf mc $ifidx TEARDOWN) -ge $N ]" 10 ||
	fail "$(count_ntf mc "$ifidx" TEARDOWN) TEARDOWN notifications, expected $N"
assert_eq "$(count_ntf mc "$ifidx" TEARDOWN)" "$N" "TEARDOWN notifications"
all_or_overrun mc-ovpn "$ifidx" TEARDOWN "$N"

new_mp_dev ovpn1
idx1=$(ifindex_of "$S" ovpn1)
sg_clients setup2 ovpn1 "$N" --vpn-base "$VPN_BASE" --load none
assert_eq "$(sgv setup_peers)" "$N" "peers set up on ovpn1"
t0=$EPOCHREALTIME
out=$("$TIMEOUT_BIN" -k 5 30 "$RMMOD_BIN" ovpn_dco_v2 2>&1)
rc=$?
ms=$(ms_since "$t0")
log "rmmod with $N peers: exit $rc after $ms ms $out"
assert_eq "$rc" 0 "rmmod exit status with $N peers"
[ -d /sys/module/ovpn_dco_v2 ] && fail "ovpn_dco_v2 still loaded after rmmod"
[ "$ms" -lt $((1000 * $(slow_secs 15))) ] || fail "rmmod with $N peers took $ms ms"
normal_module_restore || fail "the module does not load again after rmmod"
dev_exists "$S" ovpn1 && fail "ovpn1 still exists after rmmod"
wait_for "[ \$(count_ntf mc $idx1 TEARDOWN) -ge $N ]" 10 ||
	fail "$(count_ntf mc "$idx1" TEARDOWN) TEARDOWN notifications from rmmod, expected $N"
assert_eq "$(count_ntf mc "$idx1" TEARDOWN)" "$N" "TEARDOWN notifications from rmmod"
all_or_overrun mc-ovpn "$idx1" TEARDOWN "$N"

# --- 7. the upstream family: 200 clients; they go with the server's socket
mcast_start mc-u "$S" --family ovpn
new_mp_dev ovpnu0 ovpn
uidx=$(ifindex_of "$S" ovpnu0)
sg_clients upstream ovpnu0 200 --vpn-base "$VPN_BASE" --server-port 1300 --client-port-base 30000 \
	--reach 30 --load spread --duration 1
assert_eq "$SG_RC" 0 "scalegen exit status on kind ovpn"
assert_eq "$(sgv family)" ovpn "family scalegen chose for kind ovpn"
assert_eq "$(sgv reached)" 200 "clients of kind ovpn reached"
assert_eq "$(sgv spread_lost)" 0 "kind ovpn: requests without a reply"
assert_eq "$(sgv rx_auth_fail)" 0 "kind ovpn: replies that failed authentication"
wait_for "[ \$(grep -c '^PEER_DEL_NTF ifindex $uidx ' $(bg_log mc-u)) -ge 200 ]" 10 ||
	fail "$(grep -c "^PEER_DEL_NTF ifindex $uidx " "$(bg_log mc-u)") PEER_DEL_NTF after the server's socket closed, expected 200"
log "kind ovpn: $(awk '$1 == "PEER_DEL_NTF" { print $NF }' "$(bg_log mc-u)" | sort | uniq -c | tr '\n' ' ')"
out=$(nst 30 "$S" "$IP_BIN" link del ovpnu0 2>&1) || fail "ip link del ovpnu0: $out"
echo "ok: $N peers reached, dumped, expired and torn down"
