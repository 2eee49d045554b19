#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A bulk transfer each way at once over OpenVPN 2.6's TCP transport with our
# module, while the control channel renegotiates (--reneg-sec 4 both sides,
# NEW_KEY secondary, SWAP_KEYS and DEL_KEY each time, its packets passed
# through the same stream): every byte of both transfers arrives, in order
# (bulkcheck checks each one against its position), at least two
# renegotiations happen during them, no frame is counted missed for a full
# receive queue (a TCP stream must push back instead), and OpenVPN logs no
# DCO error.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/openvpn.sh"

require_module
require_cli
require_openvpn
pki_init
setup_two_hosts

SECS=$(slow_secs 12)	# 3 renegotiations at 4 s, 2 needed
MIN_BYTES=$((256 * 1024))

p2p_server srv tcp AES-256-GCM --reneg-sec 4
p2p_client cli tcp AES-256-GCM --reneg-sec 4
ovpn_wait_up srv 40
ovpn_wait_up cli 40
assert_dco srv "$A"
assert_dco cli "$B"
wait_ping "$B" "$A_VPN" 10 || fail "no ping through the tunnel"

bg rx-a "$A" "$TOOLS/bulkcheck" recv "$A_VPN" 6001 101 --wait 30
bg rx-b "$B" "$TOOLS/bulkcheck" recv "$B_VPN" 6002 202 --wait 30
wait_log rx-a listening 10
wait_log rx-b listening 10

hs0=$(( $(ovpn_count srv 'Control Channel: ') + $(ovpn_count cli 'Control Channel: ') ))
bg tx-b "$B" "$TOOLS/bulkcheck" send "$A_VPN" 6001 "$SECS" 101
bg tx-a "$A" "$TOOLS/bulkcheck" send "$B_VPN" 6002 "$SECS" 202
for s in tx-a tx-b rx-a rx-b; do
	bg_wait "$s" $((SECS + 60)) || fail "$s failed (exit $?): $(tail -n 3 "$(bg_log "$s")")"
done
hs1=$(( $(ovpn_count srv 'Control Channel: ') + $(ovpn_count cli 'Control Channel: ') ))

for d in a b; do
	r=$([ $d = a ] && echo b || echo a)
	sent=$(sed -n 's/^sent \([0-9]*\) bytes.*/\1/p' "$(bg_log "tx-$r")")
	got=$(sed -n 's/^received \([0-9]*\) bytes.*/\1/p' "$(bg_log "rx-$d")")
	echo "$r -> $d: $(cat "$(bg_log "tx-$r")"); $(cat "$(bg_log "rx-$d")" | tail -n 1)"
	assert_eq "${got:-none}" "${sent:-?}" "bytes $r -> $d received, checked in order"
	assert_ge "${got:-0}" "$MIN_BYTES" "bytes $r -> $d"
done

# Each handshake logs one "Control Channel:" line on each side.
renegs=$(( (hs1 - hs0) / 2 ))
echo "renegotiations during the transfers: $renegs"
assert_ge "$renegs" 2 "renegotiations during the transfers"

for n in "$A" "$B"; do
	assert_eq "$(dev_stat "$n" "$OVPN_TUN" rx_missed_errors)" 0 \
		"$n $OVPN_TUN rx_missed_errors (a TCP stream pushes back, it is never dropped)"
done
for n in srv cli; do
	ovpn_no_errors "$n"
	bg_alive "$n" || fail "$n exited"
done
ping_ok "$A" "$B_VPN" 3
assert_peer_stats "$A"
p2p_stop cli srv
echo "ok: both transfers intact across $renegs renegotiations over TCP"
