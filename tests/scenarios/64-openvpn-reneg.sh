#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# TLS renegotiation under traffic with DCO (P2P, --reneg-sec 4 both sides),
# over UDP and over TCP: a ping every 0.2 s runs across at least two
# renegotiations (NEW_KEY secondary, SWAP_KEYS, DEL_KEY each time); at most a
# handful of packets may be lost and OpenVPN must log no "dco update keys
# error". On UDP the underlay shows the key id in the data packets advance.
# timeout: 170
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/openvpn.sh"

require_module
require_cli
require_openvpn
pki_init
setup_two_hosts

COUNT=70	# 14 s of pings: 3 or 4 renegotiations, 2 needed
MAXLOSS=5

for proto in udp tcp; do
	log "--- renegotiation over $proto"
	s=srv-$proto c=cli-$proto
	p2p_server "$s" "$proto" AES-256-GCM --reneg-sec 4
	p2p_client "$c" "$proto" AES-256-GCM --reneg-sec 4
	ovpn_wait_up "$s" 40
	ovpn_wait_up "$c" 40
	assert_dco "$s" "$A"
	assert_dco "$c" "$B"
	wait_ping "$B" "$A_VPN" 10 || fail "no ping through the tunnel"
	hs0=$(( $(ovpn_count "$s" 'Control Channel: ') + $(ovpn_count "$c" 'Control Channel: ') ))
	if [ "$proto" = udp ]; then
		# Byte 0 of every data packet a -> b: opcode 9 << 3 | key id.
		bg "cap-$proto" "$B" /usr/bin/tcpdump -n -l -U -x -i "$B_DEV" "udp and src port $PORT and greater 100"
		wait_log "cap-$proto" 'listening on' 10
	fi
	out=$(nst $((COUNT / 5 + 20)) "$B" /usr/bin/ping -c "$COUNT" -i 0.2 -W 2 "$A_VPN" 2>&1)
	echo "$out" | tail -n 2
	hs1=$(( $(ovpn_count "$s" 'Control Channel: ') + $(ovpn_count "$c" 'Control Channel: ') ))
	grep -h 'TLS: soft reset' "$(bg_log "$s")" "$(bg_log "$c")" | sed 's/^/  /'
	# Each handshake logs one "Control Channel:" line on each side.
	renegs=$(( (hs1 - hs0) / 2 ))
	echo "renegotiations during the pings: $renegs"
	assert_ge "$renegs" 2 "renegotiations during $COUNT pings over $proto"
	rcvd=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	assert_ge "${rcvd:-0}" $((COUNT - MAXLOSS)) "pings answered across renegotiations over $proto (of $COUNT)"
	for n in "$s" "$c"; do
		grep -q 'dco update keys error' "$(bg_log "$n")" && fail "$n: dco update keys error"
		ovpn_no_errors "$n"
		bg_alive "$n" || fail "$n exited"
	done
	if [ "$proto" = udp ]; then
		bg_stop "cap-$proto" INT 5 || true
		kids=$(awk '$1 == "0x0010:" { print substr($8, 1, 2) }' "$(bg_log "cap-$proto")" | uniq | tr '\n' ' ')
		echo "data packet byte 0 sequence a -> b: $kids"
		nk=$(awk '$1 == "0x0010:" { print substr($8, 1, 2) }' "$(bg_log "cap-$proto")" | sort -u | grep -c '^4[89a-f]')
		assert_ge "$nk" 3 "distinct key ids in P_DATA_V2 packets a -> b"
	fi
	# Traffic still flows the other way on the newest key. The
	# renegotiations go on every 4 s, so one of these pings may meet the
	# next key swap, where the main check above allows MAXLOSS: one loss
	# here, not more.
	out=$(nst 20 "$A" /usr/bin/ping -c 5 -i 0.3 -W 2 "$B_VPN" 2>&1)
	echo "$out" | tail -n 2
	rcvd=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	assert_ge "${rcvd:-0}" 4 "pings a -> b after the renegotiations over $proto (of 5)"
	assert_peer_stats "$A"
	p2p_stop "$c" "$s"
done
echo "ok: renegotiation under traffic, UDP and TCP"
