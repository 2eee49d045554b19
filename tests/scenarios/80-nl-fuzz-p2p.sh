#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Netlink fuzzing (tests/tools/nlfuzz) in namespace a while its one-shot
# tunnel to b carries pings: random and mutated requests of every command
# at the live P2P device (its peer protected: nothing that would replace,
# rekey or delete it is sent), at a spare P2P device and at an MP device
# with four peers and keys, with fds of every kind. nlfuzz must get an
# answer to every message, see successes of every request command and
# several distinct errnos. Afterwards: the tunnel still carries ping and
# iperf3 and its peer did not move, every device deletes within 3 s (more with bigger counts), no
# ovpn device is left and the harness finds dmesg clean.
# timeout: 170
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"
. "$(dirname "$0")/lib/fuzz.sh"

require_module
require_cli
[ -x "$TOOLS/nlfuzz" ] || fail "$TOOLS/nlfuzz not built (make all)"
N=$(fuzz_count 20000)
setup_two_hosts
ns "$A" "$IP_BIN" link set lo up
oneshot_pair
ping_ok "$A" "$B_VPN" 5
pid=$(peer_field "$A" "$OVPN_DEV" peer_id)
assert_eq "$pid" 0 "a's peer id"

# The spare devices: a P2P one and an MP one with four peers and keys.
cli "$A" new_iface fz0 p2p >/dev/null || fail "new_iface fz0"
cli "$A" new_iface fz1 mp >/dev/null || fail "new_iface fz1"
printf '%s\n' "1 $B_IP 2001 10.9.0.2" "2 $B_IP 2002 10.9.0.3" "3 127.0.0.1 2003 10.9.0.4" \
	"4 $B_IP 2004 -" >"$LOGDIR/peers"
out=$(cli "$A" fz1 new_multi_peer 1300 "$LOGDIR/peers" 2>&1) || fail "new_multi_peer: $out"
for i in 1 2 3 4; do
	out=$(cli "$A" fz1 new_key "$i" primary 0 aes-256-gcm 0 "$KEYS/sample.key" --raw-key 2>&1) || fail "new_key $i: $out"
done
ns "$A" "$IP_BIN" link set fz1 up

bg ping-ab "$A" /usr/bin/ping -n -i 0.2 "$B_VPN"
t0=$(date +%s)
out=$(nst $((60 + N / 100)) "$A" "$TOOLS/nlfuzz" --seed "$FUZZ_SEED" --count "$N" \
	--protect-p2p "$OVPN_DEV:$pid" "$OVPN_DEV" fz0 fz1 2>&1)
rc=$?
t1=$(date +%s)
printf '%s\n' "$out" | grep -v '^nlfuzz: no answer' | sed 's/^/  nlfuzz: /'
assert_eq "$rc" 0 "nlfuzz exit status"
log "nlfuzz: $N messages in $((t1 - t0)) s"
nlfuzz_check "$out" 5
assert_gt "$(fuzz_field "$out" fd tcp-connected)" 0 "NEW_PEER messages with a connected TCP socket"

# The live tunnel survived, untouched.
for s in tun-a tun-b; do
	bg_alive "$s" || fail "one-shot $s exited during the fuzzing: $(tail -n 3 "$(bg_log "$s")")"
done
bg_stop ping-ab INT
log "pings during the fuzzing: $(grep 'packet loss' "$(bg_log ping-ab)")"
pa=$(get_peer "$A" "$OVPN_DEV" "$pid") || fail "get_peer in a after nlfuzz: $pa"
assert_eq "$(kv_field "$pa" remote)" "$B_IP:$PORT" "a's peer remote after nlfuzz"
ping_ok "$A" "$B_VPN" 5
ping_ok "$B" "$A_VPN" 5
iperf_server ipf "$B"
mbps=$(iperf_mbps "$A" "$B_VPN" 3) || fail "iperf3 through the tunnel after nlfuzz failed"
assert_gt "$mbps" 0 "iperf3 a -> b after nlfuzz (Mbit/s)"
bg_stop ipf

# Every device goes promptly; the one-shots delete theirs on SIGTERM.
log "peers left on fz1: $(get_peer "$A" fz1 2>/dev/null | grep -c '^peer_id')"
fuzz_del_dev "$A" fz0
fuzz_del_dev "$A" fz1
bg_stop tun-a TERM 10 || fail "a's one-shot did not exit on SIGTERM"
bg_stop tun-b TERM 10 || fail "b's one-shot did not exit on SIGTERM"
wait_for "! dev_exists $A $OVPN_DEV && ! dev_exists $B $OVPN_DEV" 5 || fail "an ovpn0 was left behind"
left=$(ns "$A" "$IP_BIN" -o link show type ovpn-dco 2>/dev/null)
assert_eq "$left" "" "ovpn-dco devices left in a"
echo "ok: $N netlink messages fuzzed ($(fuzz_field "$out" total ok) accepted), tunnel intact, devices deleted"
