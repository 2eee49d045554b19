#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The module's epoch keys (one-shot --epoch): the kernel moves each direction
# to the next key by itself, with no loss and no nonce twice, and keeps
# doing so with no process left. The debug build's test_first_pktid starts
# every epoch's counter at 0xFFFFFFFF - 1500, so an epoch carries 750
# packets before TX moves on (epoch.h: half of what is left):
# 1. counted fast pings both ways and iperf3 both ways: every ping answered,
#    a sent at least 4 epochs of packets, nothing refused on receive
#    (rx_dropped: authentication, replay, unknown epoch), nothing dropped on
#    send for want of packet ids (tx_dropped), and every packet one end sent
#    authenticated at the other (GET_PEER link counters).
# 2. both one-shot processes killed (SIGKILL: no teardown): the devices and
#    their sockets stay in the kernel, and 1,000 more pings each way cross
#    with the epochs still advancing (the first data packet of part 2 onward
#    carries epochs that no process ever saw).
# 3. (run first) refusals: --epoch with --raw-key, with kind ovpn, and
#    --rekey-packets 0 are usage errors that leave no device behind.
# 4. ChaCha20-Poly1305 epoch keys, through the library and (test_async_crypto)
#    through the crypto API with asynchronous completions: 800 pings each
#    way across epochs, counters as in 1.
# 5. by time: --rekey-seconds 1 and no test_first_pktid: after 5 s of pings
#    a's TX epoch (GET_PEER epoch_tx) is at least 4, b's RX epoch follows.
# The capture of parts 1 and 2: no (source, key id, 64-bit packet id) twice,
# and (tests/tools/sesscheck, which derives the epoch keys in userspace from
# the captured handshake, independently of the module) every data packet up
# to 400 bytes authenticates under exactly one epoch key of the session, none
# twice, and both directions used at least 5 epochs.
# timeout: 200
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"
. "$(dirname "$0")/lib/debugmod.sh"

require_debug_module
require_cli
require_key sample.key
[ -x "$TOOLS/sesscheck" ] || fail "$TOOLS/sesscheck not built (make all)"
del_devs() {
	ns "$A" "$IP_BIN" link del "$OVPN_DEV" 2>/dev/null
	ns "$B" "$IP_BIN" link del "$OVPN_DEV" 2>/dev/null
}
trap 'rc=$?; del_devs; cleanup; normal_module_restore || rc=1; exit $rc' EXIT
dmesg_mark
setup_two_hosts
quiet_new_devices "$A" "$B"

echo "== 3. refusals"
out=$(ns "$A" "$OVPN_CLI" udp i4 "$A_IP" "$PORT" "$B_IP" "$PORT" "$A_VPN" "$VPN_MASK" "$B_VPN" "$KEYS/sample.key" 0 --epoch --raw-key 2>&1)
assert_eq "$?" 2 "exit status of --epoch --raw-key"
grepq -- '--epoch and --raw-key' <<<"$out" || fail "no clear message for --epoch --raw-key: $out"
out=$(ns "$A" "$OVPN_CLI" udp i4 "$A_IP" "$PORT" "$B_IP" "$PORT" "$A_VPN" "$VPN_MASK" "$B_VPN" "$KEYS/sample.key" 0 --epoch --kind ovpn 2>&1)
assert_eq "$?" 2 "exit status of --epoch --kind ovpn"
grepq 'epoch keys need a device of kind ovpn-dco' <<<"$out" || fail "no clear message for --epoch --kind ovpn: $out"
out=$(ns "$A" "$OVPN_CLI" udp i4 "$A_IP" "$PORT" "$B_IP" "$PORT" "$A_VPN" "$VPN_MASK" "$B_VPN" "$KEYS/sample.key" 0 --epoch --rekey-packets 0 2>&1)
assert_eq "$?" 2 "exit status of --rekey-packets 0"
ns "$A" "$IP_BIN" link show "$OVPN_DEV" >/dev/null 2>&1 && fail "a refused one-shot left $OVPN_DEV behind"

cap_start wire "$B" "$B_DEV" udp port "$PORT"

echo "== 1. epochs under traffic"
debug_module_load test_first_pktid=$((0xFFFFFFFF - 1500))
oneshot_pair --quiet --keepalive 0,0 --epoch
oneshot_wait_ready tun-a && oneshot_wait_ready tun-b || fail "no session key: $(cat "$(bg_log tun-a)" "$(bg_log tun-b)")"
iperf_server srv "$B"
t0=$SECONDS
ping_bg pa1 "$A" "$B_VPN" 1000 0.005
ping_bg pb1 "$B" "$A_VPN" 1000 0.005
iperf_both "$A" "$B_VPN" 3 -b 4M
ping_done pa1 1000
ping_done pb1 1000
log "part 1: 1000 pings each way and iperf3 both ways, all answered, $((SECONDS - t0)) s"
check_counters "part 1"
P1_A_TX=$A_TX P1_B_TX=$B_TX
assert_gt "$A_TX" $((4 * 750)) "packets a sent in part 1 (4 epochs carry 3000)"
bg_stop srv

echo "== 2. no process left: the kernel keeps moving to new keys"
bg_stop tun-a KILL 10
bg_stop tun-b KILL 10
ns "$A" "$IP_BIN" link show "$OVPN_DEV" >/dev/null || fail "a's device went with its process"
ns "$B" "$IP_BIN" link show "$OVPN_DEV" >/dev/null || fail "b's device went with its process"
t0=$SECONDS
ping_bg pa2 "$A" "$B_VPN" 1000 0.005
ping_bg pb2 "$B" "$A_VPN" 1000 0.005
ping_done pa2 1000
ping_done pb2 1000
log "part 2: 1000 pings each way with no process, all answered, $((SECONDS - t0)) s"
check_counters "part 2"
SENT=$((A_TX + B_TX))
cap_stop wire
del_devs

# other_cipher NAME OPTIONS...: ChaCha20-Poly1305 epoch keys with the
# module loaded with OPTIONS: 800 pings each way across epochs, counters
other_cipher() {
	local what=$1
	shift
	debug_module_load test_first_pktid=$((0xFFFFFFFF - 1500)) "$@"
	oneshot_pair --quiet --keepalive 0,0 --epoch --cipher chacha20-poly1305
	oneshot_wait_ready tun-a && oneshot_wait_ready tun-b || fail "$what: no session key"
	ping_bg pa-$what "$A" "$B_VPN" 800 0.005
	ping_bg pb-$what "$B" "$A_VPN" 800 0.005
	ping_done pa-$what 800
	ping_done pb-$what 800
	check_counters "$what"
	assert_gt "$A_TX" 1500 "$what: packets a sent (two epochs at least)"
	bg_stop tun-a TERM 10 || fail "tun-a: exit status $? on SIGTERM"
	bg_stop tun-b TERM 10 || fail "tun-b: exit status $? on SIGTERM"
}
echo "== 4. ChaCha20-Poly1305 epochs: the library, then asynchronous crypto API completions"
other_cipher chacha-lib
other_cipher chacha-async test_async_crypto=1

echo "== 5. by time: --rekey-seconds 1, no packet limit in reach"
debug_module_load
oneshot_pair --quiet --keepalive 0,0 --epoch --rekey-seconds 1
oneshot_wait_ready tun-a && oneshot_wait_ready tun-b || fail "by time: no session key"
ping_bg pa-time "$A" "$B_VPN" 500 0.01
ping_done pa-time 500
check_counters "by time"
peer_snap "$A" "$OVPN_DEV" pa
peer_snap "$B" "$OVPN_DEV" pb
log "by time: a $(grep -E '^\s*epoch' <<<"$pa" | tr -s ' \n' ' ')"
assert_ge "$(kv_field "$pa" epoch_tx)" 4 "a's TX epoch after 5 s of pings at 1 s per epoch"
assert_ge "$(kv_field "$pb" epoch_rx)" 4 "b's RX epoch (follows a's TX)"
left=$(kv_field "$pa" epoch_rekey_secs)
[ "$left" -le 1 ] 2>/dev/null || fail "seconds left in a's TX epoch: $left, expected 0 or 1"
[ "$(kv_field "$pa" last_rx_msecs)" != "?" ] || fail "get_peer shows no last_rx_msecs: $pa"
bg_stop tun-a TERM 10 || fail "tun-a: exit status $? on SIGTERM"
bg_stop tun-b TERM 10 || fail "tun-b: exit status $? on SIGTERM"

echo "== the wire: one epoch key per packet, no (key, nonce) twice"
# byte 0 (opcode, key id) at IP offset 28, the 64-bit packet id at 32..39
"$TCPDUMP_BIN" -r "$(cap_file wire)" -n -x udp 2>/dev/null | awk '
	/^[0-9]/ { src = $3; b0 = "" }
	$1 == "0x0010:" { b0 = substr($8, 1, 2) }
	$1 == "0x0020:" && b0 ~ /^4[89a-f]$/ { print src, b0, $2 $3 $4 $5 }' >"$LOGDIR/hdrs.txt"
nhdr=$(wc -l <"$LOGDIR/hdrs.txt")
dups=$(sort "$LOGDIR/hdrs.txt" | uniq -d | head -n 5)
log "data packets on the wire: $nhdr"
[ -z "$dups" ] || fail "(source, key id, packet id) repeated on the wire: $dups"
assert_ge "$SENT" "$nhdr" "data packets captured vs sent (parts 1 and 2)"
pcap_pkts "$(cap_file wire)" less 400 | awk '$7 != "-" { print $5, $7 }' >"$LOGDIR/wire.txt"
t0=$SECONDS
"$TOOLS/sesscheck" "$KEYS/sample.key" <"$LOGDIR/wire.txt" >"$LOGDIR/sesscheck.txt"
rc=$?
grep -v '^session ' "$LOGDIR/sesscheck.txt" | head -n 10 | sed 's/^/    sesscheck: /'
log "sesscheck took $((SECONDS - t0)) s"
assert_eq "$rc" 0 "sesscheck: every data packet under exactly one epoch key, no (key, nonce) twice"
ea=$(awk '/^epochs / { print $4 }' "$LOGDIR/sesscheck.txt")
eb=$(awk '/^epochs / { print $7 }' "$LOGDIR/sesscheck.txt")
assert_ge "${ea:-0}" 5 "epochs A used (sesscheck)"
assert_ge "${eb:-0}" 5 "epochs B used (sesscheck)"
ndata=$(sed -n 's/^data \([0-9]*\) .*/\1/p' "$LOGDIR/sesscheck.txt")
assert_gt "$ndata" 5000 "data packets checked by sesscheck"
dmesg_check_since
echo "ok: epoch keys: a $ea and b $eb epochs on the wire, $((2 * 2000)) pings answered ($((2 * 1000)) with no process), $nhdr data packets ($ndata checked by key), no nonce twice"
