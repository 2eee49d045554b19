#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Module unload and reload:
#  1. two tunnels (ovpn0 and ovpn1) under traffic, devices deleted with
#     ip link del: then `rmmod ovpn_dco_v2` succeeds, insmod loads it again
#     (same srcversion) and a new tunnel passes traffic;
#  2. rmmod while a tunnel is up and carrying traffic succeeds too: it
#     deletes the devices on both ends, each one-shot CLI notices
#     ("peer 0 deleted reason TEARDOWN", exit 3); reloaded, a tunnel works.
# The module is always reloaded on the way out (EXIT trap), since the suite
# goes on with it loaded.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
SRCV=$(cat /sys/module/ovpn_dco_v2/srcversion)
RMMOD=/usr/sbin/rmmod
INSMOD=/usr/sbin/insmod

reload_module() {
	[ -d /sys/module/ovpn_dco_v2 ] && return 0
	"$TIMEOUT_BIN" -k 5 30 "$INSMOD" "$OVPN_KO" && [ -d /sys/module/ovpn_dco_v2 ]
}
trap 'rc=$?; cleanup; if ! reload_module; then echo "FAIL: cannot reload $OVPN_KO" >&2; rc=1; fi; exit $rc' EXIT

do_rmmod() { # WHEN
	local t0 rc out
	t0=$(date +%s%N)
	out=$("$TIMEOUT_BIN" -k 5 30 "$RMMOD" ovpn_dco_v2 2>&1)
	rc=$?
	log "rmmod ($1): exit $rc after $(elapsed_ms "$t0") ms $out"
	[ "$rc" != 124 ] && [ "$rc" != 137 ] || fail "rmmod hung ($1)"
	assert_eq "$rc" 0 "rmmod exit status ($1): $out"
	[ -d /sys/module/ovpn_dco_v2 ] && fail "ovpn_dco_v2 still loaded after rmmod ($1)"
	return 0
}

do_insmod() {
	local out
	out=$("$TIMEOUT_BIN" -k 5 30 "$INSMOD" "$OVPN_KO" 2>&1) || fail "insmod $OVPN_KO: $out"
	assert_eq "$(cat /sys/module/ovpn_dco_v2/srcversion 2>&1)" "$SRCV" "srcversion after reload"
	log "module reloaded"
}

# cli_gone NAME WHY: the one-shot NAME noticed within 5 s: it printed
# "peer <id> deleted reason TEARDOWN" and exited 3.
cli_gone() {
	local s=$1 why=$2 rc
	bg_wait "$s" 5
	rc=$?
	tail -n 2 "$(bg_log "$s")" | sed "s/^/  $s: /"
	[ "$rc" != 124 ] || fail "one-shot $s still runs 5 s after $why"
	assert_eq "$rc" 3 "one-shot $s exit status after $why"
	grep -Eqx 'peer [0-9]+ deleted reason TEARDOWN' "$(bg_log "$s")" ||
		fail "one-shot $s did not print 'peer <id> deleted reason TEARDOWN' after $why"
}

setup_two_hosts
iperf_server srv "$B"

# --- 1. two tunnels under traffic, devices deleted, then rmmod
oneshot_pair
oneshot_start t2-a "$A" udp i4 "$A_IP" 1195 "$B_IP" 1195 10.9.0.1 24 10.9.0.2 "$KEYS/sample.key" 0 \
	--dev ovpn1 --peer-id 1
oneshot_start t2-b "$B" udp i4 "$B_IP" 1195 "$A_IP" 1195 10.9.0.2 24 10.9.0.1 "$KEYS/sample.key" 1 \
	--dev ovpn1 --peer-id 1
traffic_start load "$A" "$B_VPN" 20
t2=$(dev_stat "$A" ovpn1 tx_packets)
bg flood "$A" /usr/bin/ping -q -i 0.01 -c 5000 10.9.0.2
wait_for "[ \$(dev_stat $A ovpn1 tx_packets) -gt $((t2 + 50)) ]" 10 || fail "no traffic through ovpn1"
for n in "$A" "$B"; do
	for d in ovpn0 ovpn1; do
		nst 5 "$n" "$IP_BIN" link del "$d" || fail "ip link del $d in $n under traffic: exit $?"
	done
done
for s in tun-a tun-b t2-a t2-b; do
	cli_gone "$s" "its device was deleted"
done
bg_stop load KILL 2
bg_stop flood KILL 2
do_rmmod "after deleting two devices that carried traffic"
do_insmod
oneshot_pair
ping_ok "$A" "$B_VPN"

# --- 2. rmmod with a live tunnel under traffic
bg_stop srv KILL 2
iperf_server srv2 "$B"
traffic_start load2 "$A" "$B_VPN" 20
do_rmmod "with a live tunnel under traffic"
for n in "$A" "$B"; do
	dev_exists "$n" "$OVPN_DEV" && fail "$OVPN_DEV still exists in $n after rmmod"
done
for s in tun-a tun-b; do
	cli_gone "$s" "rmmod deleted its device"
done
bg_stop load2 KILL 2
do_insmod
oneshot_pair
ping_ok "$A" "$B_VPN"
echo "ok: rmmod and reload"
