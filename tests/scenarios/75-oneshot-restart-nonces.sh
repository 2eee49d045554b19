#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Restarts of the one-shot CLI never repeat a (key, nonce) pair. A UDP
# tunnel a <-> b with traffic, then b restarts twice and a once (SIGTERM,
# start again, as a supervisor would), with a capture of the underlay the
# whole time. After each restart: the surviving end re-keys without losing
# its device (a new "session key" line, same ifindex), and ping works.
# Then, on the wire (tests/tools/sesscheck): every data packet authenticates
# under exactly one session key derived from the captured handshakes, no
# (key, packet id) pair twice, each end its own key; and no data packet
# repeats (source, key id, packet id),
# which a CLI that installs the key file again on each run (packet ids from
# 1 under key id 0) fails at the first restart; each end printed a different
# session key id for every handshake, and the key ids on the wire follow
# the key ids the CLIs printed, so every key id on the wire names one
# session key, and within one key the kernel never repeats a packet id.
# OVPN75_RAW=1 runs the same with --raw-key (today's behaviour for
# interop): the wire check must then fail (a demonstration, not a test).
# timeout: 240
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

require_module
require_cli
require_key sample.key
setup_two_hosts
quiet_new_devices "$A" "$B"

RAW=()
[ "${OVPN75_RAW:-0}" = 1 ] && RAW=(--raw-key)

cap_start wire "$B" "$B_DEV" udp port "$PORT"

start_a() {
	oneshot_start "$1" "$A" udp i4 "$A_IP" "$PORT" "$B_IP" "$PORT" \
		"$A_VPN" "$VPN_MASK" "$B_VPN" "$KEYS/sample.key" 0 --quiet "${RAW[@]}"
}
start_b() {
	oneshot_start "$1" "$B" udp i4 "$B_IP" "$PORT" "$A_IP" "$PORT" \
		"$B_VPN" "$VPN_MASK" "$A_VPN" "$KEYS/sample.key" 1 --quiet "${RAW[@]}"
}
# sessions NAME: session keys NAME installed so far
sessions() { grep -c '^session key ' "$(bg_log "$1")"; }

# restart OLD NEW SIDE SURVIVOR: stop OLD, start NEW on SIDE, wait until the
# survivor re-keyed with it and both pass traffic
restart() {
	local old=$1 new=$2 side=$3 surv=$4 n0 ifs0 sn
	n0=$(sessions "$surv")
	if [ "$side" = a ]; then sn=$B; else sn=$A; fi
	ifs0=$(ifindex_of "$sn" "$OVPN_DEV")
	bg_stop "$old" TERM 10 || fail "$old: exit status $? on SIGTERM"
	"start_$side" "$new"
	_ONESHOT_PENDING=()
	if [ ${#RAW[@]} = 0 ]; then
		oneshot_wait_ready "$new" || fail "$new: no session key: $(cat "$(bg_log "$new")")"
		wait_for "[ \$(sessions $surv) -gt $n0 ]" 10 ||
			fail "$surv did not re-key after $old restarted: $(cat "$(bg_log "$surv")")"
		grep '^session key ' "$(bg_log "$surv")" | tail -n 1 | sed "s/^/    $surv: /"
		grep '^session key ' "$(bg_log "$new")" | sed "s/^/    $new: /"
	fi
	assert_eq "$(ifindex_of "$sn" "$OVPN_DEV")" "$ifs0" "the survivor's device (ifindex) after the restart"
	if [ ${#RAW[@]} = 0 ]; then
		ping_ok "$A" "$B_VPN" 5
		ping_ok "$B" "$A_VPN" 5
	else
		# with the file's keys the survivor's replay window refuses the
		# restarted end's packet ids from 1: traffic, not recovery
		ping_run "$A" "$B_VPN" 5 >/dev/null
		ping_run "$B" "$A_VPN" 5 >/dev/null
	fi
}

start_a tun-a
start_b tun-b
ping_ok "$A" "$B_VPN" 5
ping_ok "$B" "$A_VPN" 5
restart tun-b tun-b2 b tun-a
restart tun-b2 tun-b3 b tun-a
restart tun-a tun-a2 a tun-b3
cap_stop wire

# --- the wire: which key authenticated each data packet. sesscheck derives
# every session's keys from the handshakes in the capture and the key file,
# finds for each data packet the one key that authenticates it, and counts
# (key, packet id) pairs seen twice and keys used by both ends.
pcap_pkts "$(cap_file wire)" >"$LOGDIR/wire.txt"
[ -x "$TOOLS/sesscheck" ] || fail "$TOOLS/sesscheck not built (make all)"
awk '$7 != "-" { print $5, $7 }' "$LOGDIR/wire.txt" |
	"$TOOLS/sesscheck" "$KEYS/sample.key" >"$LOGDIR/sesscheck.txt"
rc=$?
sed 's/^/    sesscheck: /' "$LOGDIR/sesscheck.txt" | tail -n 12
assert_eq "$rc" 0 "sesscheck: every data packet under exactly one session key, no (key, nonce) twice, no key shared by both ends"
nsess=$(grep -c '^session ' "$LOGDIR/sesscheck.txt")
assert_eq "$nsess" 4 "sessions found in the capture (the start and three restarts)"
# each session carried traffic both ways, each direction under its own key
awk '/^session / && ($6 == 0 || $9 == 0 || $7 == $10) { bad = 1 } END { exit bad }' "$LOGDIR/sesscheck.txt" ||
	fail "a session without traffic in a direction, or one source for both keys"

# --- the same from the header alone: data packets (opcode 9), by source
awk '$7 ~ /^4[89a-f]/ { print $5, index("89abcdef", substr($7, 2, 1)) - 1, substr($7, 9, 8) }' \
	"$LOGDIR/wire.txt" >"$LOGDIR/data.txt"
ndata=$(wc -l <"$LOGDIR/data.txt")
log "data packets on the wire: $ndata"
assert_ge "$ndata" 40 "data packets captured"
dups=$(sort "$LOGDIR/data.txt" | uniq -d)
[ -z "$dups" ] || fail "(source, key id, packet id) repeated on the wire, so a nonce was reused under one key id:
$(printf '%s\n' "$dups" | head -n 10)"
log "no (source, key id, packet id) repeats"

[ ${#RAW[@]} = 0 ] || { echo "ok: (raw) no repeats"; exit 0; }

# --- the session keys each end printed: all different per end, and one
# per handshake (4 handshakes: the start and three restarts)
cat "$(bg_log tun-a)" "$(bg_log tun-a2)" | grep '^session key ' >"$LOGDIR/keys-a.txt"
cat "$(bg_log tun-b)" "$(bg_log tun-b2)" "$(bg_log tun-b3)" | grep '^session key ' >"$LOGDIR/keys-b.txt"
sed 's/^/    a: /' "$LOGDIR/keys-a.txt"
sed 's/^/    b: /' "$LOGDIR/keys-b.txt"
for s in a b; do
	assert_eq "$(wc -l <"$LOGDIR/keys-$s.txt")" 4 "session keys installed by $s"
	assert_eq "$(awk '{ print $3 }' "$LOGDIR/keys-$s.txt" | sort -u | wc -l)" 4 "distinct session key ids of $s"
done
# both ends installed the same sessions, in the same order
assert_eq "$(awk '{ print $3, $6 }' "$LOGDIR/keys-a.txt" | sort | tr '\n' ' ')" \
	"$(awk '{ print $3, $6 }' "$LOGDIR/keys-b.txt" | sort | tr '\n' ' ')" "sessions of a and b"
# the key ids a sent with on the wire are those of its sessions, in order
kids=$(awk '{ sub(/,/, "", $6); print $6 }' "$LOGDIR/keys-a.txt" | tr -d '\n')
for src in "$A_IP.$PORT" "$B_IP.$PORT"; do
	seen=$(awk -v s="$src" '$1 == s { print $2 }' "$LOGDIR/data.txt" | uniq | tr -d '\n')
	log "key ids on the wire from $src: $seen (sessions: $kids)"
	assert_eq "$seen" "$kids" "key ids on the wire from $src follow the sessions"
done
echo "ok: restarts of the one-shot CLI never repeat a (key, nonce) pair"
