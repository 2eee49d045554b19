#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The one-shot CLI's session keys, what a user can get wrong:
#  1. the same key-direction digit (0) on both ends: the tunnel works and
#     the ends take roles A and B from the endpoint order, so each encrypts
#     with its own derived key and nonce tail (with the file's keys both
#     would encrypt with the same half from packet id 1; test_session checks
#     that the two directions' keys and tails differ). Both print the same
#     session id, which is not key material. 1b: the same with 0.0.0.0 as
#     the local address of both ends (ordered by the route's source address).
#  2. a wrong key file on b: both ends say the handshake failed
#     authentication, neither installs a key or says ready, the devices stay
#     down and not one data packet crosses the underlay.
#  3. --raw-key prints its warning about nonce reuse.
#  4. new_key without --raw-key is a usage error (exit 2) that says why.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

require_module
require_cli
require_key sample.key
setup_two_hosts
quiet_new_devices "$A" "$B"

echo "== 1. the same digit on both ends"
tun_start tun-a a "$KEYS/sample.key" 0 --quiet --keepalive 0,0
tun_start tun-b b "$KEYS/sample.key" 0 --quiet --keepalive 0,0
oneshot_wait_ready tun-a || fail "a: no session key with digit 0 on both ends: $(cat "$(bg_log tun-a)")"
oneshot_wait_ready tun-b || fail "b: no session key with digit 0 on both ends: $(cat "$(bg_log tun-b)")"
grep '^session key ' "$(bg_log tun-a)" | sed 's/^/    a: /'
grep '^session key ' "$(bg_log tun-b)" | sed 's/^/    b: /'
grep -q '^session key [0-9a-f]\{16\} installed, key-id 0 (role A, first)$' "$(bg_log tun-a)" ||
	fail "a ($A_IP, the lower endpoint) is not role A: $(cat "$(bg_log tun-a)")"
grep -q '^session key [0-9a-f]\{16\} installed, key-id 0 (role B, first)$' "$(bg_log tun-b)" ||
	fail "b is not role B: $(cat "$(bg_log tun-b)")"
ida=$(awk '/^session key / { print $3 }' "$(bg_log tun-a)")
idb=$(awk '/^session key / { print $3 }' "$(bg_log tun-b)")
assert_eq "$ida" "$idb" "the session id both ends printed"
# the printed id is no key material: it is not in the key file's bytes
kf=$(grep -v '^#' "$KEYS/sample.key" | base64 -d 2>/dev/null | od -An -tx1 | tr -d ' \n')
case "$kf" in *"$ida"*) fail "the session id $ida is part of the key file" ;; esac
ping_ok "$A" "$B_VPN" 5
ping_ok "$B" "$A_VPN" 5
bg_stop tun-a TERM 10 || fail "tun-a: exit status $? on SIGTERM"
bg_stop tun-b TERM 10 || fail "tun-b: exit status $? on SIGTERM"
wait_for "! dev_exists $A $OVPN_DEV && ! dev_exists $B $OVPN_DEV" 5 || fail "$OVPN_DEV not deleted"

echo "== 1b. a wildcard local address (0.0.0.0) on both ends"
# each end orders the endpoints with the source address its route to the
# other gives, which is what the other end sees: not 0.0.0.0 at both
oneshot_start tun-a1 "$A" udp i4 0.0.0.0 "$PORT" "$B_IP" "$PORT" \
	"$A_VPN" "$VPN_MASK" "$B_VPN" "$KEYS/sample.key" 0 --quiet --keepalive 0,0
oneshot_start tun-b1 "$B" udp i4 0.0.0.0 "$PORT" "$A_IP" "$PORT" \
	"$B_VPN" "$VPN_MASK" "$A_VPN" "$KEYS/sample.key" 1 --quiet --keepalive 0,0
for s in tun-a1 tun-b1; do
	oneshot_wait_ready "$s" || fail "$s: no session key with wildcard local addresses: $(cat "$(bg_log "$s")")"
done
grep -q 'claims our role' "$(bg_log tun-a1)" "$(bg_log tun-b1)" &&
	fail "a role conflict with wildcard local addresses: $(cat "$(bg_log tun-a1)" "$(bg_log tun-b1)")"
grep -q '(role A, first)$' "$(bg_log tun-a1)" || fail "a is not role A with 0.0.0.0: $(cat "$(bg_log tun-a1)")"
grep -q '(role B, first)$' "$(bg_log tun-b1)" || fail "b is not role B with 0.0.0.0: $(cat "$(bg_log tun-b1)")"
ping_ok "$A" "$B_VPN" 3
bg_stop tun-a1 TERM 10 || fail "tun-a1: exit status $? on SIGTERM"
bg_stop tun-b1 TERM 10 || fail "tun-b1: exit status $? on SIGTERM"
wait_for "! dev_exists $A $OVPN_DEV && ! dev_exists $B $OVPN_DEV" 5 || fail "$OVPN_DEV not deleted"

echo "== 2. a wrong key file on b"
other=$LOGDIR/other.key
assert_ok "$OVPN_CLI" genkey "$other"
cap_start wire "$B" "$B_DEV" udp port "$PORT"
# no handshake can complete: do not let tun_start wait for one
tun_start tun-a2 a "$KEYS/sample.key" 0 --quiet --keepalive 1,30
_ONESHOT_PENDING=()
tun_start tun-b2 b "$other" 1 --quiet --keepalive 1,30
_ONESHOT_PENDING=()
for s in tun-a2 tun-b2; do
	wait_log "$s" 'handshake from .* failed authentication \(not our key file\?\)' 10
	grep -m1 'failed authentication' "$(bg_log "$s")" | sed "s/^/    $s: /"
done
# HELLOs are retransmitted once a second: give them a few rounds
sleep 3
# the device is down (no key, no START_VPN): ping has no route at all
nst 10 "$A" /usr/bin/ping -c 2 -i 0.2 -W 1 "$B_VPN" >/dev/null 2>&1 && fail "a ping crossed without keys"
cap_stop wire
for s in tun-a2 tun-b2; do
	bg_alive "$s" || fail "$s exited: $(tail -n 3 "$(bg_log "$s")")"
	grep -q '^session key \|^ready ' "$(bg_log "$s")" && fail "$s installed a key with a wrong key file: $(cat "$(bg_log "$s")")"
done
for n in "$A" "$B"; do
	peer_snap "$n" "$OVPN_DEV" p
	echo "    $n peer: $(peer_line "$p")"
	assert_eq "$(kv_field "$p" link_tx_packets)" 0 "$n peer link_tx_packets (no key: nothing encrypted)"
	ns "$n" "$IP_BIN" -o link show "$OVPN_DEV" | grepq '[<,]UP[,>]' && fail "$OVPN_DEV is up in $n without a key"
done
pcap_pkts "$(cap_file wire)" >"$LOGDIR/wire.txt"
nhs=$(awk '$7 ~ /^f8/' "$LOGDIR/wire.txt" | wc -l)
ndata=$(awk '$7 ~ /^4[89a-f]/' "$LOGDIR/wire.txt" | wc -l)
log "underlay: $nhs handshake messages, $ndata data packets"
assert_ge "$nhs" 4 "handshake messages on the wire (retransmitted)"
assert_eq "$ndata" 0 "data packets on the wire with a wrong key file"
bg_stop tun-a2 TERM 10 || fail "tun-a2: exit status $? on SIGTERM"
bg_stop tun-b2 TERM 10 || fail "tun-b2: exit status $? on SIGTERM"
wait_for "! dev_exists $A $OVPN_DEV && ! dev_exists $B $OVPN_DEV" 5 || fail "$OVPN_DEV not deleted"

echo "== 3. --raw-key warns"
tun_start tun-a3 a "$KEYS/sample.key" 0 --quiet --keepalive 0,0 --raw-key
tun_start tun-b3 b "$KEYS/sample.key" 1 --quiet --keepalive 0,0 --raw-key
for s in tun-a3 tun-b3; do
	grep -q 'warning: --raw-key installs the key file as it is' "$(bg_log "$s")" ||
		fail "$s: no --raw-key warning: $(cat "$(bg_log "$s")")"
	grep -q 'repeat after each restart' "$(bg_log "$s")" || fail "$s: the warning does not say what it risks"
	grep -q '^session key ' "$(bg_log "$s")" && fail "$s: a session key with --raw-key"
done
grep 'warning' "$(bg_log tun-a3)" | sed 's/^/    /'
ping_ok "$A" "$B_VPN" 3

echo "== 4. new_key needs --raw-key"
out=$(cli "$A" "$OVPN_DEV" new_key 0 secondary 1 aes-256-gcm 0 "$KEYS/sample.key" 2>&1)
rc=$?
echo "  \$ ovpn-cli $OVPN_DEV new_key 0 secondary 1 aes-256-gcm 0 sample.key -> exit $rc: $out"
assert_eq "$rc" 2 "new_key without --raw-key: exit status"
assert_match "$out" 'add --raw-key' "new_key without --raw-key: message"
assert_match "$out" 'repeats \(key, nonce\) pairs' "new_key without --raw-key: why"
out=$(cli "$A" "$OVPN_DEV" new_key 0 secondary 1 aes-256-gcm 0 "$KEYS/sample.key" --raw-key 2>&1) ||
	fail "new_key --raw-key: $out"
assert_match "$out" 'warning: --raw-key' "new_key --raw-key warns"
echo "ok: session-key mistakes are caught, --raw-key warns"
