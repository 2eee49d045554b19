#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# MSS clamping (SET_PEER MSS): with --mss 1200 on both one-shots, the SYN of
# an iperf3 connection a -> b leaves a's ovpn0 with the device's MSS (1388)
# and arrives on b's ovpn0 clamped to <= 1200; the SYN-ACK likewise on a's
# side. get_peer shows "mss 1200"; set_peer --mss changes it. Without --mss
# the MSS is the device's (1388) on both sides and get_peer shows no clamp.
# Automatic clamp (module parameter auto_mss, on by default): with a 1500-byte
# tunnel MTU over the 1500-byte veth, as OpenVPN 2.6 configures it and never
# passes an MSS, SYNs are clamped to 1500 - 20 - 8 - 24 - 40 = 1408 in both
# directions and a bulk transfer sends no IP fragment on the underlay; with
# auto_mss=0 the SYNs keep 1460 and the underlay fragments.
# timeout: 240
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/tcp.sh"

require_module
require_cli
dmesg_mark
setup_two_hosts

# syn_mss_run TAG: capture SYNs on both ovpn0 during an iperf3 connection,
# leave "<side> <flags> <mss>" lines in $LOGDIR/TAG.mss
syn_mss_run() {
	local tag=$1 side
	for side in a b; do
		local n=$A
		[ $side = b ] && n=$B
		bg "cap-$tag-$side" "$n" /usr/bin/tcpdump -n -l -U -v -c 4 -i "$OVPN_DEV" \
			'tcp port 5201 and (tcp[tcpflags] & tcp-syn != 0)'
		wait_log "cap-$tag-$side" 'listening on' 10
	done
	nst 20 "$A" /usr/bin/iperf3 -c "$B_VPN" -t 1 -i 0 >"$LOGDIR/iperf-$tag.log" 2>&1 ||
		fail "iperf3 ($tag) failed: $(cat "$LOGDIR/iperf-$tag.log")"
	: >"$LOGDIR/$tag.mss"
	for side in a b; do
		bg_wait "cap-$tag-$side" 5 || bg_stop "cap-$tag-$side" INT 5
		# tcpdump -v: "... Flags [S], ... options [mss 1388,...]"
		grep -o 'Flags \[S\.\?\].*mss [0-9]*' "$(bg_log "cap-$tag-$side")" |
			sed -E "s/^Flags \[(S\.?)\].*mss ([0-9]+)\$/$side \1 \2/" >>"$LOGDIR/$tag.mss"
	done
	echo "$tag: side flags mss"
	sed 's/^/  /' "$LOGDIR/$tag.mss"
}

iperf_server iperf-b "$B"

# 1. --mss 1200
oneshot_pair --mss 1200
assert_eq "$(peer_field "$A" "$OVPN_DEV" mss)" 1200 "a get_peer mss"
assert_eq "$(peer_field "$B" "$OVPN_DEV" mss)" 1200 "b get_peer mss"
syn_mss_run clamp
syn_b=$(awk '$1 == "b" && $2 == "S" { print $3; exit }' "$LOGDIR/clamp.mss")
synack_a=$(awk '$1 == "a" && $2 == "S." { print $3; exit }' "$LOGDIR/clamp.mss")
syn_a=$(awk '$1 == "a" && $2 == "S" { print $3; exit }' "$LOGDIR/clamp.mss")
[ -n "$syn_b" ] || fail "no SYN with an MSS option captured on b's $OVPN_DEV"
[ -n "$synack_a" ] || fail "no SYN-ACK with an MSS option captured on a's $OVPN_DEV"
assert_eq "$syn_a" 1388 "SYN MSS leaving a (before the clamp)"
[ "$syn_b" -le 1200 ] || fail "SYN MSS arriving on b's $OVPN_DEV is $syn_b, expected <= 1200 (not clamped)"
[ "$synack_a" -le 1200 ] || fail "SYN-ACK MSS arriving on a's $OVPN_DEV is $synack_a, expected <= 1200 (not clamped)"

# set_peer --mss changes it
assert_ok cli "$A" "$OVPN_DEV" set_peer 0 5 60 --mss 1000
assert_eq "$(peer_field "$A" "$OVPN_DEV" mss)" 1000 "a get_peer mss after set_peer --mss 1000"
assert_ok cli "$A" "$OVPN_DEV" set_peer 0 5 60
assert_eq "$(peer_field "$A" "$OVPN_DEV" mss)" 1000 "set_peer without --mss keeps the MSS clamp"

bg_stop tun-a TERM 10
bg_stop tun-b TERM 10
wait_for "! dev_exists $A $OVPN_DEV && ! dev_exists $B $OVPN_DEV" 5 || fail "devices left behind"

# 2. without --mss
oneshot_pair
m=$(peer_field "$A" "$OVPN_DEV" mss)
[ "$m" = "?" ] || [ "$m" = 0 ] || fail "get_peer mss without --mss: $m"
syn_mss_run noclamp
syn_b=$(awk '$1 == "b" && $2 == "S" { print $3; exit }' "$LOGDIR/noclamp.mss")
synack_a=$(awk '$1 == "a" && $2 == "S." { print $3; exit }' "$LOGDIR/noclamp.mss")
assert_eq "$syn_b" 1388 "SYN MSS on b without a clamp"
assert_eq "$synack_a" 1388 "SYN-ACK MSS on a without a clamp"
bg_stop tun-a TERM 10
bg_stop tun-b TERM 10
wait_for "! dev_exists $A $OVPN_DEV && ! dev_exists $B $OVPN_DEV" 5 || fail "devices left behind"

# frags_during_bulk: IPv4 fragments a creates during a 2 s transfer a -> b
frags_during_bulk() {
	ns "$A" /usr/bin/nstat -n >/dev/null
	nst 30 "$A" /usr/bin/iperf3 -c "$B_VPN" -t 2 -i 0 >>"$LOGDIR/iperf-bulk.log" 2>&1 ||
		fail "bulk iperf3 failed: $(tail -n 5 "$LOGDIR/iperf-bulk.log")"
	ns "$A" /usr/bin/nstat -a IpFragCreates | awk '$1 == "IpFragCreates" { n = $2 } END { print n + 0 }'
}

# 3. the automatic clamp, tunnel MTU 1500
auto=/sys/module/ovpn_dco_v2/parameters/auto_mss
[ -w "$auto" ] || fail "no module parameter $auto"
assert_eq "$(cat "$auto")" Y "auto_mss default"
oneshot_pair --mtu 1500
syn_mss_run auto
syn_a=$(awk '$1 == "a" && $2 == "S" { print $3; exit }' "$LOGDIR/auto.mss")
syn_b=$(awk '$1 == "b" && $2 == "S" { print $3; exit }' "$LOGDIR/auto.mss")
synack_b=$(awk '$1 == "b" && $2 == "S." { print $3; exit }' "$LOGDIR/auto.mss")
synack_a=$(awk '$1 == "a" && $2 == "S." { print $3; exit }' "$LOGDIR/auto.mss")
assert_eq "$syn_a" 1460 "SYN MSS leaving a (MTU 1500, before the clamp)"
assert_eq "$synack_b" 1460 "SYN-ACK MSS leaving b (before the clamp)"
assert_eq "$syn_b" 1408 "SYN MSS arriving on b, clamped to the path MTU"
assert_eq "$synack_a" 1408 "SYN-ACK MSS arriving on a, clamped to the path MTU"
frags=$(frags_during_bulk)
assert_eq "$frags" 0 "IP fragments on the underlay during a bulk transfer with the automatic clamp"

# 4. auto_mss=0: no clamp, the underlay fragments full-size packets
echo 0 >"$auto"
syn_mss_run noauto
echo 1 >"$auto"
syn_b=$(awk '$1 == "b" && $2 == "S" { print $3; exit }' "$LOGDIR/noauto.mss")
assert_eq "$syn_b" 1460 "SYN MSS arriving on b with auto_mss=0"
echo 0 >"$auto"
frags=$(frags_during_bulk)
echo 1 >"$auto"
assert_gt "$frags" 100 "IP fragments during a bulk transfer with auto_mss=0 (the test would not see a missing clamp)"
dmesg_check_since
echo "ok: MSS clamp"
