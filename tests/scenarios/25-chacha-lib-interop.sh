#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# ChaCha20-Poly1305 has two implementations in the module: the ChaCha and
# Poly1305 library (chacha_lib=1, the default) and the crypto API's rfc7539
# template (chacha_lib=0); the parameter is read when a key is installed.
# a's keys are installed with the library, b's with the template, so every
# packet is sealed by one and opened by the other. Pings with 0 to 72 bytes
# of payload (texts of every length modulo 16 and 64, Poly1305's and
# ChaCha's block sizes), 127-129, 1000 and 1400 bytes, and iperf3 TCP both
# ways (GSO segments in page fragments: texts split over several
# scatterlist pieces) must all get through with nothing dropped on either
# end; then both ends are restarted with the library and the same must
# hold. The wire must not carry the plaintext (a known ping pattern).
# timeout: 240
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

require_module
require_cli
P=/sys/module/ovpn_dco_v2/parameters/chacha_lib
[ -w "$P" ] || fail "no writable module parameter $P"
ORIG=$(cat "$P")
restore() {
	echo "$ORIG" >"$P"
	[ -w "${DD:-}" ] && echo 'module ovpn_dco_v2 -p' >"$DD" 2>/dev/null
	return 0
}
trap 'rc=$?; restore; cleanup; exit $rc' EXIT

# check_both LABEL: all the traffic, no drop, no authentication failure.
check_both() {
	local label=$1 s out lost=0 da db
	da=$(dev_stat "$A" "$OVPN_DEV" rx_dropped)
	db=$(dev_stat "$B" "$OVPN_DEV" rx_dropped)
	# one shell in a runs every ping (each ping's own exit status: 0 once
	# its reply came) and names the sizes without a reply: a namespace
	# switch and a timeout process per ping cost more than the ping
	# shellcheck disable=SC2016 # expanded by the inner shell
	out=$(nst 200 "$A" /bin/bash -c 'for s in $(seq 0 72) 127 128 129 1000 1400; do
			/usr/bin/ping -c 1 -W 2 -s "$s" -p a5 "$1" >/dev/null 2>&1 || echo "$s"
		done; echo end' _ "$B_VPN")
	[[ "$out" == *end ]] || fail "$label: the ping loop in a did not finish: $out"
	for s in ${out%end}; do
		lost=$((lost + 1))
		echo "    $label: no reply to a ${s}-byte ping"
	done
	assert_eq "$lost" 0 "$label: pings of 0..72, 127..129, 1000 and 1400 bytes without a reply"
	iperf_both "$A" "$B_VPN" 2
	echo "    $label: iperf3 a -> b $UP Mbit/s, b -> a $DOWN Mbit/s"
	# a full receive queue (rx_missed_errors) is load, not a bad packet:
	# shown, not failed; a packet that fails to open is an rx_dropped
	echo "    $label: rx_missed_errors a $(dev_stat "$A" "$OVPN_DEV" rx_missed_errors), b $(dev_stat "$B" "$OVPN_DEV" rx_missed_errors)"
	if [ "$(dev_stat "$A" "$OVPN_DEV" rx_dropped)" != "$da" ] ||
		[ "$(dev_stat "$B" "$OVPN_DEV" rx_dropped)" != "$db" ]; then
		echo "    $label: why packets were dropped (the module's debug messages):"
		dmesg | grep -E "$OVPN_DEV: (peer|data|truncated|dropping)" | tail -n 20 | sed 's/^/      /'
	fi
	assert_eq "$(dev_stat "$A" "$OVPN_DEV" rx_dropped)" "$da" "$label: a rx_dropped"
	assert_eq "$(dev_stat "$B" "$OVPN_DEV" rx_dropped)" "$db" "$label: b rx_dropped"
	assert_eq "$(dev_stat "$A" "$OVPN_DEV" rx_errors)" 0 "$label: a rx_errors"
	assert_eq "$(dev_stat "$B" "$OVPN_DEV" rx_errors)" 0 "$label: b rx_errors"
}

setup_two_hosts
quiet_new_devices "$A" "$B"
# a drop is explained by the module's (ratelimited) debug messages
DD=/sys/kernel/debug/dynamic_debug/control
[ -w "$DD" ] && echo 'module ovpn_dco_v2 +p' >"$DD" 2>/dev/null
iperf_server srv "$B"

# Which implementation a key really got: every transform of the template
# holds a reference on its rfc7539 instance (/proc/crypto refcnt); a library
# key holds none. Without this the scenario would pass with the parameter
# ignored (template on both ends).
tmpl_refs() {
	awk '$1 == "name" { n = $3 } $1 == "refcnt" && n == "rfc7539(chacha20,poly1305)" { s += $3 }
		END { print s + 0 }' /proc/crypto
}
r0=$(tmpl_refs)
echo 1 >"$P"
tun_start tun-a a "$KEYS/sample.key" 0 --quiet --keepalive 0,0 --cipher chacha20-poly1305
r1=$(tmpl_refs)
assert_eq "$r1" "$r0" "rfc7539 template references after a's library key"
echo 0 >"$P"
tun_start tun-b b "$KEYS/sample.key" 1 --quiet --keepalive 0,0 --cipher chacha20-poly1305
r2=$(tmpl_refs)
assert_ge "$r2" $((r1 + 2)) "rfc7539 template references after b's template key (encrypt and decrypt)"
echo "    rfc7539 template references: $r0 before, $r1 with a's library key, $r2 with b's template key"
check_both "library (a) <-> template (b)"

# both ends again (a restarted end alone would start its packet ids over,
# and the other's replay window would rightly refuse them)
for t in a b; do
	bg_stop "tun-$t" TERM 10 || fail "one-shot CLI in $t: exit status $? on SIGTERM"
done
wait_for "! dev_exists $A $OVPN_DEV && ! dev_exists $B $OVPN_DEV" 5 || fail "$OVPN_DEV still there after SIGTERM"
echo 1 >"$P"
tun_start tun-a2 a "$KEYS/sample.key" 0 --quiet --keepalive 0,0 --cipher chacha20-poly1305
tun_start tun-b2 b "$KEYS/sample.key" 1 --quiet --keepalive 0,0 --cipher chacha20-poly1305
check_both "library (a) <-> library (b)"

# the library's ciphertext hides the text (with a control: the pattern is
# in the clear on the tunnel device)
cap_start wire "$B" "$B_DEV" udp port "$PORT"
cap_start inner "$B" "$OVPN_DEV"
ping_ok "$A" "$B_VPN" 5 -p 5a -s 1000
cap_stop inner
cap_stop wire
pcap_has "$(cap_file inner)" ZZZZZZZZZZZZZZZZ || fail "the ping pattern (16 x 0x5a) is not in the $OVPN_DEV capture: the check below would prove nothing"
! pcap_has "$(cap_file wire)" ZZZZZZZZZZZZZZZZ || fail "the ping pattern (16 x 0x5a) is visible on the underlay"
echo "ok: ChaCha20-Poly1305 library and template interoperate"
