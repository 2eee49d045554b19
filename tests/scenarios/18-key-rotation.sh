#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Key rotation by hand under continuous traffic (ping every 50 ms for 8 s):
# new_key 0 secondary 1 (a new key file) on both ends, swap_keys on both,
# del_key secondary on both. Traffic goes on (at most 5% of the pings lost,
# a handful of drops); the wire shows key id 0 (0x48) before and key id 1
# (0x49) after, the new key's packet ids starting again at 1; after the old
# key is deleted a new ping still works, with key id 1 only.
# timeout: 120
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

# 8 s of pings at 20/s must outlast the rotation: a slower kernel (the debug
# one runs ovpn-cli in seconds) gets proportionally more of them
COUNT=$((20 * $(slow_secs 8)))

require_module
require_cli
setup_two_hosts
oneshot_pair --quiet --keepalive 0,0
newkey=$LOGDIR/new.key
assert_ok "$OVPN_CLI" genkey "$newkey"
ping_ok "$A" "$B_VPN" 2

da0=$(dev_stat "$A" "$OVPN_DEV" rx_dropped)
db0=$(dev_stat "$B" "$OVPN_DEV" rx_dropped)
cap_start wire "$B" "$B_DEV" udp port "$PORT"
bg pinger "$A" /usr/bin/ping -c $COUNT -i 0.05 -W 1 -w "$(slow_secs 30)" "$B_VPN"
sleep 1.5

step() { # NS CLI-ARGS...
	local n=$1
	shift
	log "$n: ovpn-cli $OVPN_DEV $*"
	assert_ok cli "$n" "$OVPN_DEV" "$@"
}
step "$A" new_key 0 secondary 1 aes-256-gcm 0 "$newkey" --raw-key
step "$B" new_key 0 secondary 1 aes-256-gcm 1 "$newkey" --raw-key
sleep 1
step "$A" swap_keys 0
sleep 0.5
step "$B" swap_keys 0
sleep 1
step "$A" del_key 0 secondary
step "$B" del_key 0 secondary

bg_wait pinger 40 >/dev/null
out=$(cat "$(bg_log pinger)")
printf '%s\n' "$out" | grep -E 'packets transmitted|rtt' | sed 's/^/    /'
got=$(ping_received "$out")
assert_ge "${got:-0}" $((COUNT * 95 / 100)) "pings answered during the rotation (of $COUNT)"

# after the old key is gone: new traffic, new key only
ping_ok "$A" "$B_VPN" 3
cap_stop wire
da=$(( $(dev_stat "$A" "$OVPN_DEV" rx_dropped) - da0 ))
db=$(( $(dev_stat "$B" "$OVPN_DEV" rx_dropped) - db0 ))
echo "rx_dropped during the rotation: a +$da, b +$db"
assert_ge 5 "$da" "a rx_dropped during the rotation (at most a handful)"
assert_ge 5 "$db" "b rx_dropped during the rotation (at most a handful)"

pkts=$(pcap_pkts "$(cap_file wire)")
for d in "$A_IP.$PORT $B_IP.$PORT" "$B_IP.$PORT $A_IP.$PORT"; do
	set -- $d
	hdrs=$(printf '%s\n' "$pkts" | awk -v s="$1" -v t="$2" '$5 == s && $6 == t && $7 != "-" { print substr($7, 1, 16) }')
	n=$(printf '%s\n' "$hdrs" | grep -c .)
	n0=$(printf '%s\n' "$hdrs" | grep -c '^48000000')
	n1=$(printf '%s\n' "$hdrs" | grep -c '^49000000')
	# key id changes once (a few neighbours may swap at the switch)
	changes=$(printf '%s\n' "$hdrs" | awk '{ k = substr($0, 1, 2) } NR > 1 && k != prev { n++ } { prev = k } END { print n + 0 }')
	first1=$(printf '%s\n' "$hdrs" | grep -m 1 '^49000000')
	echo "  $1 -> $2: $n packets, $n0 with key id 0, $n1 with key id 1, key id changed $changes time(s), first key-1 header $first1"
	assert_eq $((n0 + n1)) "$n" "$1 -> $2: packets with a header other than 48000000/49000000"
	assert_ge "$n0" 20 "$1 -> $2: packets with key id 0 (before the swap)"
	assert_ge "$n1" 20 "$1 -> $2: packets with key id 1 (after the swap)"
	assert_match "$(printf '%s\n' "$hdrs" | head -n 1)" '^48' "$1 -> $2: first packet's key id"
	assert_ge 3 "$changes" "$1 -> $2: key id changes in capture order"
	# the new key's first packet ids: 1 (or 2 if two were swapped)
	assert_match "$first1" '^49000000000000(01|02)$' "$1 -> $2: packet id of the first key-1 packet"
	# the last 3 (the ping after del_key) all use key 1
	last=$(printf '%s\n' "$hdrs" | tail -n 3 | cut -c1-2 | sort -u | tr '\n' ' ')
	assert_eq "$last" "49 " "$1 -> $2: key ids of the packets after del_key"
done

# only key 1 is left: a packet with key id 0 has nowhere to go
show_peer "$A" "$OVPN_DEV"
echo "ok: key rotation under traffic"
