#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# What the underlay carries is ciphertext: while pinging with a known payload
# (ping -p 5a, 1000 bytes) and sending a TCP stream of a known pattern
# (iperf3 --repeating-payload, both ways), the tunnel device capture shows
# both patterns (so the capture method would see them) and the underlay
# capture shows neither, anywhere; every underlay UDP payload is a P_DATA_V2
# header (0x48 = opcode 9 key 0, peer id 000000) with unique, increasing
# packet ids per direction, none is an IP fragment or longer than 1500.
# timeout: 120
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

# 16 bytes of 0x5a, and iperf3's repeating payload ("0123456789" repeated)
PING_PAT=ZZZZZZZZZZZZZZZZ
TCP_PAT=01234567890123456789

require_module
require_cli
setup_two_hosts
oneshot_pair --quiet --keepalive 0,0
iperf_server srv "$B"

cap_start wire "$B" "$B_DEV" udp port "$PORT"
cap_start inner "$B" "$OVPN_DEV"

ping_ok "$A" "$B_VPN" 5 -p 5a -s 1000
for dir in "" -R; do
	out=$(nst 30 "$A" /usr/bin/iperf3 -c "$B_VPN" -n 1M --repeating-payload -f m $dir 2>&1) ||
		fail "iperf3 $dir --repeating-payload -n 1M failed: $(printf '%s' "$out" | tail -n 3)"
	printf '%s\n' "$out" | grep -E 'receiver' | sed "s/^/    iperf3 $dir: /"
done
cap_stop inner
cap_stop wire

wire=$(cap_file wire)
inner=$(cap_file inner)
echo "captures: wire $(stat -c %s "$wire") bytes, $OVPN_DEV $(stat -c %s "$inner") bytes"

# The capture method sees the patterns where they are in clear ...
pcap_has "$inner" "$PING_PAT" || fail "the ping pattern (16 x 0x5a) is not in the $OVPN_DEV capture: the check below would prove nothing"
pcap_has "$inner" "$TCP_PAT" || fail "iperf3's repeating payload is not in the $OVPN_DEV capture: the check below would prove nothing"
# ... and nowhere on the wire.
! pcap_has "$wire" "$PING_PAT" || fail "the ping payload pattern (16 x 0x5a) is visible on the underlay"
! pcap_has "$wire" "$TCP_PAT" || fail "iperf3's payload pattern is visible on the underlay"

pkts=$(pcap_pkts "$wire")
total=$(printf '%s\n' "$pkts" | grep -c .)
echo "underlay packets: $total (tcpdump lost $(cap_kernel_drops wire))"
assert_gt "$total" 700 "underlay packets for 2 MB of TCP plus pings"
bad=$(printf '%s\n' "$pkts" | awk '$1 != 4 || $3 != 0 || $4 != 17 || $2 > 1500' | head -n 3)
[ -z "$bad" ] || fail "underlay packets that are not unfragmented IPv4 UDP of at most 1500 bytes: $bad"
# the pings: 1028-byte inner packets, 1028 + 24 + 8 + 20 = 1080 on the wire
assert_ge "$(printf '%s\n' "$pkts" | awk '$2 == 1080' | grep -c .)" 10 "1080-byte underlay packets (5 pings and 5 replies)"

for d in "$A_IP.$PORT $B_IP.$PORT" "$B_IP.$PORT $A_IP.$PORT"; do
	set -- $d
	pl=$(printf '%s\n' "$pkts" | awk -v s="$1" -v t="$2" '$5 == s && $6 == t { print $7 }')
	dv2_check "$pl" 48000000 "$1 -> $2"
	ids=$(pktids "$pl")
	dups=$(printf '%s\n' "$ids" | sort -n | uniq -d | head -n 3)
	[ -z "$dups" ] || fail "$1 -> $2: packet ids used twice (AEAD nonce reuse): $dups"
	# capture order roughly follows the id order: crypto completing out of
	# order (asynchronously, on the other CPU) may swap neighbours, more of
	# them on a loaded emulated machine; what must never happen is a
	# repeated id (checked above)
	inv=$(printf '%s\n' "$ids" | awk 'NR > 1 && $1 < prev { n++ } { prev = $1 } END { print n + 0 }')
	first=$(printf '%s\n' "$ids" | head -n 1)
	last=$(printf '%s\n' "$ids" | sort -n | tail -n 1)
	echo "  $1 -> $2: $DV2_N packets, ids $first..$last, $inv out of order"
	assert_ge "$DV2_N" 300 "$1 -> $2 data packets"
	assert_ge $((DV2_N / 20)) "$inv" "$1 -> $2: ids out of capture order (at most 5%)"
	# ids are consecutive: nothing sent with an id was lost before the wire
	assert_ge $((last - first + 1)) "$DV2_N" "$1 -> $2: id span"
	assert_ge $((DV2_N + DV2_N / 100 + $(cap_kernel_drops wire))) $((last - first + 1)) "$1 -> $2: ids skipped"
done
echo "ok: only P_DATA_V2 ciphertext on the wire"
