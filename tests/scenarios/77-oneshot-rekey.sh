#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The one-shot tunnel re-keys by itself before its packet ids run out, with
# the debug build's test_first_pktid (lib/debugmod.sh; the normal build is
# loaded again on exit):
# 1. keys starting at 0xF0000000 - 300, so every key asks for a swap
#    (SWAP_KEYS_NEEDED) after a few hundred packets: rounds of counted fast
#    pings both ways, and iperf3 both ways in one of them, until both ends
#    installed at least 3 keys after the first. Every ping answered; each
#    end printed "re-key: key <k> is running out of packet ids, starting a
#    new handshake" for the handshakes it started and one "(role X, re-key)"
#    line per new key, the same sessions at both ends; no packet refused on
#    receive (the devices' rx_dropped: authentication, replay, unknown key)
#    and every data packet one end sent authenticated at the other (GET_PEER
#    link counters).
# 2. keys starting at 0xFFFFFFFF - 1500 (74: a key stops after 1500
#    packets): each end sends 2000 packets at 100/s, more than any one key
#    can carry, every one answered, none refused for want of packet ids
#    (tx_dropped), each end sent under several keys.
# The capture of both parts: no (source, key id, packet id) twice among all
# data packets (key ids do not come round within a part, and the parts'
# packet ids differ); and (tests/tools/sesscheck) every data packet of up to
# 400 bytes (pings, TCP ACKs: decrypting and parsing full-size segments
# takes minutes under emulation) authenticates under exactly one session key
# derived from the captured handshakes, no (key, packet id) pair twice, no
# key used by both ends.
# timeout: 200
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"
. "$(dirname "$0")/lib/tcp.sh"
. "$(dirname "$0")/lib/debugmod.sh"

require_debug_module
require_cli
require_key sample.key
[ -x "$TOOLS/sesscheck" ] || fail "$TOOLS/sesscheck not built (make all)"
trap 'rc=$?; cleanup; normal_module_restore || rc=1; exit $rc' EXIT
dmesg_mark
setup_two_hosts
quiet_new_devices "$A" "$B"

REKEY_RE='^re-key: key [0-7] is running out of packet ids, starting a new handshake$'
# rekeys NAME: keys NAME installed after its first one
rekeys() { grep -Ec '^session key [0-9a-f]{16} installed, key-id [0-7] \(role [AB], re-key\)$' "$(bg_log "$1")"; }
started() { grep -Ec "$REKEY_RE" "$(bg_log "$1")"; }
cap_start wire "$B" "$B_DEV" udp port "$PORT"

echo "== 1. keys from 0xF0000000 - 300: re-keys under traffic"
debug_module_load test_first_pktid=$((0xF0000000 - 300))
oneshot_pair --quiet --keepalive 0,0
oneshot_wait_ready tun-a && oneshot_wait_ready tun-b || fail "no session key: $(cat "$(bg_log tun-a)" "$(bg_log tun-b)")"
iperf_server srv "$B"
t0=$SECONDS round=0 sent=0
while :; do
	round=$((round + 1))
	ping_bg pa$round "$A" "$B_VPN" 400 0.005
	ping_bg pb$round "$B" "$A_VPN" 400 0.005
	if [ $round = 2 ]; then
		# TCP both ways across a key switch (one every ~5 s)
		r0=$(rekeys tun-a)
		iperf_both "$A" "$B_VPN" 4 -b 4M
		log "re-keys during iperf3: $(($(rekeys tun-a) - r0))"
		assert_ge $(($(rekeys tun-a) - r0)) 1 "key switches while iperf3 ran (8 s)"
	fi
	ping_done pa$round 400
	ping_done pb$round 400
	sent=$((sent + 400))
	ra=$(rekeys tun-a) rb=$(rekeys tun-b)
	[ "$ra" -ge 3 ] && [ "$rb" -ge 3 ] && [ $round -ge 2 ] && break
	[ $round -lt 20 ] || fail "only $ra/$rb re-keys after $round rounds: $(cat "$(bg_log tun-a)")"
done
log "part 1: $round rounds, $sent pings each way, all answered, $((SECONDS - t0)) s; re-keys a $ra b $rb"
check_counters "part 1"
grep -E '^(session key|re-key:)' "$(bg_log tun-a)" | sed 's/^/    a: /'
grep -E '^(session key|re-key:)' "$(bg_log tun-b)" | sed 's/^/    b: /'
# a handshake for the next key at most once per key, by one end or both
assert_ge $(($(started tun-a) + $(started tun-b))) "$ra" "re-key handshakes started (a + b) for $ra re-keys"
assert_ge "$ra" 3 "re-keys of a"
# same_sessions: both ends installed the same sessions (id, key id) in the
# same order, each once; a handshake may still be under way once the
# traffic stopped (a re-key waits for the old key's deletion): one end may
# be one session ahead
same_sessions() {
	local sa sb
	sa=$(awk '/^session key /{ print $3, $6 }' "$(bg_log tun-a)")
	sb=$(awk '/^session key /{ print $3, $6 }' "$(bg_log tun-b)")
	[ "$(printf '%s\n' "$sa" | sort -u | wc -l)" = "$(printf '%s\n' "$sa" | wc -l)" ] ||
		fail "a installed a session twice: $sa"
	if [ ${#sa} -gt ${#sb} ]; then local x=$sa; sa=$sb; sb=$x; fi
	[ "${sb#"$sa"}" != "$sb" ] && [ "$(printf '%s\n' "${sb#"$sa"}" | grep -c .)" -le 1 ] ||
		fail "a and b installed different sessions: a: $(grep '^session key ' "$(bg_log tun-a)")
b: $(grep '^session key ' "$(bg_log tun-b)")"
	NKEYS=$(grep -c '^session key ' "$(bg_log tun-a)")
	[ "$(grep -c '^session key ' "$(bg_log tun-b)")" -le "$NKEYS" ] || NKEYS=$(grep -c '^session key ' "$(bg_log tun-b)")
}
same_sessions
nsa=$NKEYS
# consecutive keys never share a key id (the old one is still installed)
awk '/^session key /{ sub(/,/, "", $6); if (p != "" && p == $6) exit 1; p = $6 }' "$(bg_log tun-a)" ||
	fail "two consecutive sessions with the same key id"
# the reminders are still printed as before
grep -Eq '^key [0-7] of peer 0 needs a swap$' "$(bg_log tun-a)" || fail "a did not print 'key <k> of peer 0 needs a swap'"
grep -c '^ready ' "$(bg_log tun-a)" | grep -qx 1 || fail "a printed ready more than once"
bg_stop tun-a TERM 10 || fail "tun-a: exit status $? on SIGTERM"
bg_stop tun-b TERM 10 || fail "tun-b: exit status $? on SIGTERM"
bg_stop srv
P1_KEYS=$nsa P1_SENT=$sent P1_A_TX=$A_TX P1_B_TX=$B_TX

echo "== 2. keys from 0xFFFFFFFF - 1500: more packets than one key can send"
LEFT=1500
debug_module_load test_first_pktid=$((0xFFFFFFFF - LEFT))
oneshot_pair --quiet --keepalive 0,0
oneshot_wait_ready tun-a && oneshot_wait_ready tun-b || fail "no session key: $(cat "$(bg_log tun-a)" "$(bg_log tun-b)")"
t0=$SECONDS
ping_bg p2 "$A" "$B_VPN" 2000 0.01
ping_done p2 2000
log "part 2: 2000 pings a -> b at 100/s, all answered, $((SECONDS - t0)) s; re-keys a $(rekeys tun-a) b $(rekeys tun-b)"
check_counters "part 2"
assert_gt "$A_TX" "$LEFT" "packets a sent (one key carries at most $LEFT)"
assert_gt "$B_TX" "$LEFT" "packets b sent (one key carries at most $LEFT)"
assert_ge "$(rekeys tun-a)" 2 "re-keys of a in part 2"
same_sessions
P2_KEYS=$NKEYS
bg_stop tun-a TERM 10 || fail "tun-a: exit status $? on SIGTERM"
bg_stop tun-b TERM 10 || fail "tun-b: exit status $? on SIGTERM"
cap_stop wire

echo "== the wire: one session key per packet, no (key, nonce) twice"
t0=$SECONDS
# every data packet's header: byte 0 (opcode, key id) at IP offset 28, the
# packet id at 32..35 (IPv4, no options)
"$TCPDUMP_BIN" -r "$(cap_file wire)" -n -x udp 2>/dev/null | awk '
	/^[0-9]/ { src = $3; b0 = "" }
	$1 == "0x0010:" { b0 = substr($8, 1, 2) }
	$1 == "0x0020:" && b0 ~ /^4[89a-f]$/ { print src, b0, $2 $3 }' >"$LOGDIR/hdrs.txt"
nhdr=$(wc -l <"$LOGDIR/hdrs.txt")
dups=$(sort "$LOGDIR/hdrs.txt" | uniq -d | head -n 5)
log "data packets on the wire: $nhdr ($((SECONDS - t0)) s)"
[ -z "$dups" ] || fail "(source, key id, packet id) repeated on the wire: $dups"
pcap_pkts "$(cap_file wire)" less 400 | awk '$7 != "-" { print $5, $7 }' >"$LOGDIR/wire.txt"
t0=$SECONDS
"$TOOLS/sesscheck" "$KEYS/sample.key" <"$LOGDIR/wire.txt" >"$LOGDIR/sesscheck.txt"
rc=$?
grep -v '^session ' "$LOGDIR/sesscheck.txt" | head -n 10 | sed 's/^/    sesscheck: /'
grep '^session ' "$LOGDIR/sesscheck.txt" | sed 's/^/    sesscheck: /'
log "sesscheck took $((SECONDS - t0)) s"
assert_eq "$rc" 0 "sesscheck: every data packet under exactly one session key, no (key, nonce) twice, no key shared by both ends"
# a handshake cut short by the end of a part may add one
assert_ge "$(grep -c '^session ' "$LOGDIR/sesscheck.txt")" $((P1_KEYS + P2_KEYS)) "sessions in the capture (installed: $P1_KEYS + $P2_KEYS)"
ndata=$(sed -n 's/^data \([0-9]*\) .*/\1/p' "$LOGDIR/sesscheck.txt")
# the capture may miss packets under load (tcpdump drops), never invent them
assert_ge $((P1_A_TX + P1_B_TX + A_TX + B_TX)) "$nhdr" "data packets captured vs sent"
assert_gt "$ndata" $((2 * LEFT)) "data packets checked by sesscheck"
# no key ran out on the way (the kernel says so when one refuses to send)
assert_eq "$(dmesg | tail -n +"$((_DMESG_MARK + 1))" | grep -c 'packet id space exhausted')" 0 "kernel lines 'packet id space exhausted'"
dmesg_check_since
echo "ok: the one-shot re-keys by itself: $((P1_KEYS + P2_KEYS - 2)) key switches, $P1_SENT + 2000 pings answered, $nhdr data packets ($ndata checked by key), no nonce twice"
