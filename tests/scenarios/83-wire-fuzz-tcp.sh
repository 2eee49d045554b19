#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Wire fuzzing over TCP (tests/tools/wirefuzz tcp): a's one-shot CLI listens
# and wirefuzz, in b, is its TCP peer (it holds the key, so it can also
# speak genuinely). Through the stream a's device owns it sends framed
# random packets, truncated and oversized data frames (up to 65535 bytes),
# other opcodes (the control channel: a's CLI reads them), data frames with
# unknown peer and key ids and bad tags, and genuine ICMP echo requests
# sent twice (the copy a replay). a's rx_dropped must grow by at least the
# number of data frames sent and at most that plus the control frames (a
# full control queue drops too); each genuine request is answered once;
# after the run a genuine request is still answered; nothing but those
# requests reaches a's ovpn0. Then a second connection gets a stream of
# random bytes (garbage length prefixes): a's device must end the peer or
# keep parsing, and delete promptly either way; dmesg stays clean.
# timeout: 170
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"
. "$(dirname "$0")/lib/fuzz.sh"

require_module
require_cli
[ -x "$TOOLS/wirefuzz" ] || fail "$TOOLS/wirefuzz not built (make all)"
require_key sample.key
N=$(fuzz_count 20000)
setup_two_hosts
quiet_new_devices "$A" "$B"

# tcp_a NAME: a's one-shot, listening for one TCP peer
tcp_a() {
	bg "$1" "$A" "$OVPN_CLI" tcp i4 "$A_IP" "$PORT" "$B_IP" "$PORT" \
		"$A_VPN" "$VPN_MASK" "$B_VPN" "$KEYS/sample.key" 0 --raw-key
	wait_log "$1" 'tcp listening on port' 20
}

# 1. framed packets of every class
tcp_a tun-a
rm -f "$LOGDIR/go" "$LOGDIR/done"
bg wf "$B" "$TOOLS/wirefuzz" tcp --to "$A_IP:$PORT" --key "$KEYS/sample.key" --dir 1 \
	--inner "$B_VPN:$A_VPN" --go "$LOGDIR/go" --done "$LOGDIR/done" --seed "$FUZZ_SEED" --count "$N"
wait_log tun-a '^ready ' 30
cap_start inner "$A" "$OVPN_DEV" -Q in
d0=$(dev_stat "$A" "$OVPN_DEV" rx_dropped)
r0=$(dev_stat "$A" "$OVPN_DEV" rx_packets)
h0=$(ip_bad "$A") ie0=$(snmp "$A" Icmp InEchos) oe0=$(snmp "$A" Icmp OutErrors)
touch "$LOGDIR/go"
# wirefuzz holds the connection after its summary until told: a's device
# and its counters live as long as the connection
wait_log wf '^total sent' $((60 + N / 200))
sleep 0.5
d1=$(dev_stat "$A" "$OVPN_DEV" rx_dropped)
r1=$(dev_stat "$A" "$OVPN_DEV" rx_packets)
txd=$(dev_stat "$A" "$OVPN_DEV" tx_dropped)
h1=$(ip_bad "$A") ie1=$(snmp "$A" Icmp InEchos) oe1=$(snmp "$A" Icmp OutErrors)
bg_alive tun-a || fail "a's one-shot exited during the fuzzing: $(tail -n 3 "$(bg_log tun-a)")"
cap_stop inner
touch "$LOGDIR/done"
bg_wait wf 10
rc=$?
out=$(cat "$(bg_log wf)")
printf '%s\n' "$out" | sed 's/^/  wirefuzz: /'
assert_eq "$rc" 0 "wirefuzz tcp exit status"
assert_match "$out" 'tunnel ok replies [1-9]' "a genuine request answered after the fuzzing"
data=$(fuzz_field "$out" total data)
control=$(fuzz_field "$out" total control)
genuine=$(fuzz_field "$out" class replay sent)
genuine=$((genuine / 2))
replies=$(fuzz_field "$out" echo-replies)
dropped=$((d1 - d0))
oerr=$((oe1 - oe0))
log "data frames $data, control frames $control, a's rx_dropped +$dropped; genuine requests $genuine, replies $replies (a's tx_dropped $txd, ICMP replies a could not send $oerr)"
assert_gt "$data" $((N / 2)) "data frames among the $N fuzzed"
assert_ge "$dropped" "$data" "a's rx_dropped growth against the data frames"
assert_ge $((data + control + 10)) "$dropped" "a's rx_dropped growth at most data + control frames"
assert_gt "$genuine" 0 "genuine requests sent"
# Every genuine request reached a's ICMP, whole (the last one is the
# after-fuzzing check): none refused by its IP layer as malformed.
assert_eq "$((h1 - h0))" 0 "a's IP layer: decrypted packets refused as malformed (Ip InHdrErrors)"
assert_eq "$((ie1 - ie0))" "$((genuine + 1))" "echo requests reaching a's ICMP"
# A reply can still be lost: to a's bounded TCP queue (tx_dropped), or
# before it, when the replies waiting in that queue fill the ICMP socket's
# send buffer (Icmp OutErrors). Nothing else loses one, and none is
# duplicated.
# (All replies, the late ones and the after-fuzzing check's included.)
allrep=$(fuzz_field "$out" total replies)
assert_ge "$((allrep + txd + oerr))" "$((genuine + 1))" "echo replies (+ a's tx_dropped + Icmp OutErrors) to the genuine requests"
assert_ge "$((genuine + 1))" "$allrep" "echo replies at most one per genuine request"
# Only the genuine requests entered a's ovpn0, each once: its rx_packets
# counts them exactly; the capture (which may lose packets under load,
# never invent them) shows nothing else.
assert_eq "$((r1 - r0))" "$((genuine + 1))" "a's $OVPN_DEV rx_packets growth (genuine requests, copies refused)"
inner_all=$(pcap_count "$(cap_file inner)")
inner_ping=$(pcap_count "$(cap_file inner)" icmp and src "$B_VPN" and dst "$A_VPN")
log "packets captured in on a's $OVPN_DEV: $inner_all, of them genuine requests: $inner_ping (capture lost $(cap_kernel_drops inner))"
assert_eq "$((inner_all - inner_ping))" 0 "packets in on a's $OVPN_DEV that are not genuine requests"
# wirefuzz closed the connection: a's peer goes (TRANSPORT_DISCONNECT), and
# with it the one-shot and its device
bg_wait tun-a 10
log "a's one-shot: $(grep 'deleted' "$(bg_log tun-a)")"
wait_for "! dev_exists $A $OVPN_DEV" 5 || fail "a's $OVPN_DEV left behind"

# 2. a stream of random bytes
tcp_a tun-a2
rm -f "$LOGDIR/go"
bg wf2 "$B" "$TOOLS/wirefuzz" tcp --to "$A_IP:$PORT" --key "$KEYS/sample.key" --dir 1 \
	--inner "$B_VPN:$A_VPN" --go "$LOGDIR/go" --seed "$((FUZZ_SEED + 1))" --count 200 \
	--garbage "$((N * 20))"
wait_log tun-a2 '^ready ' 30
touch "$LOGDIR/go"
bg_wait wf2 $((60 + N / 200))
rc=$?
sed 's/^/  wirefuzz garbage: /' "$(bg_log wf2)"
assert_eq "$rc" 0 "wirefuzz tcp --garbage exit status"
grep -E 'deleted|exit' "$(bg_log tun-a2)" | sed 's/^/  a: /'
if bg_alive tun-a2; then
	log "a's peer survived the garbage stream"
	bg_stop tun-a2 TERM 10 || fail "a's one-shot did not exit on SIGTERM"
else
	bg_wait tun-a2 5
	log "a's one-shot ended after the garbage stream (status $?): $(grep 'deleted' "$(bg_log tun-a2)")"
fi
wait_for "! dev_exists $A $OVPN_DEV" 5 || fail "a's $OVPN_DEV left behind after the garbage stream"
echo "ok: $N frames and $((N * 20)) random bytes fuzzed over TCP; $data data frames dropped and counted"
