#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Persistent tunnels: `ovpn-cli up <name>` from config files on two hosts
# (a: tunnel "hq", b: tunnel "branch"; each host its own run directory),
# `show`, `down`, and restarts with traffic running.
#  1. IPv4 underlay: up both ends (up returns once the device is set up),
#     pings cross; show prints device, daemon, endpoint, latest rx,
#     transfer, key epoch and next rekey.
#  2. A ping flood a -> b runs through 3-5; the underlay is captured from
#     the start to the end of 5.
#  3. down then up of b: the tunnel recovers by itself (a's daemon answers
#     the new end's handshake); the time from `up` to the first reply and
#     the outage are printed.
#  4. kill -9 of a's daemon: the kernel keeps carrying the flood; show says
#     the daemon is not running.
#  5. down + up of a, as systemd's ExecStop/ExecStart on a restart: down
#     says the daemon was not running and deletes the device, up brings it
#     back, the flood recovers (time printed).
#  6. The capture (tests/tools/sesscheck): three sessions, every data packet
#     under exactly one session key, no (key, packet id) pair twice.
#  7. IPv6 underlay: up both ends (the second with --wait), pings cross,
#     show's endpoint is IPv6, down both: no device, no pidfile, no daemon.
# timeout: 180
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

require_module
require_cli
require_key sample.key
setup_two_hosts
quiet_new_devices "$A" "$B"

ETC=$LOGDIR/etc
mkdir -p "$ETC" "$LOGDIR/run-a" "$LOGDIR/run-b"
KEY=$LOGDIR/tunnel.key
cp "$KEYS/sample.key" "$KEY" && chmod 600 "$KEY" || fail "cannot copy the key file"

# conf NAME LOCAL REMOTE ADDRESS PEER [PORT]: write $ETC/NAME.conf
conf() {
	cat >"$ETC/$1.conf" <<-EOF
	# tunnel $1 (scenario 78)
	key = $KEY
	proto = udp
	local = $2
	remote = $3
	address = $4
	peer-address = $5
	keepalive = 1 30   # short interval: latest rx stays fresh
	cipher = aes-256-gcm
	rekey-seconds = 600
	EOF
}

# ocli a|b ARGS...: the CLI on host a or b with its run directory
ocli() {
	local side=$1 n=$A
	shift
	[ "$side" = b ] && n=$B
	OVPN_CLI_CONFDIR=$ETC OVPN_CLI_RUNDIR=$LOGDIR/run-$side nst 40 "$n" "$OVPN_CLI" "$@"
}
daemon_logs() {
	local f
	for f in "$LOGDIR"/run-*/*.log; do
		[ -f "$f" ] && { echo "--- $f"; tail -n 15 "$f"; }
	done
}
pid_of() { sed -n 1p "$LOGDIR/run-$1/$2.pid" 2>/dev/null; }

conf hq "$A_IP:$PORT" "$B_IP:$PORT" "$A_VPN/24" "$B_VPN"
conf branch "$B_IP:$PORT" "$A_IP:$PORT" "$B_VPN/24" "$A_VPN"

echo "== 1. IPv4 underlay: up both ends"
# from the start: sesscheck needs the handshakes to derive the keys
cap_start wire "$B" "$B_DEV" udp port "$PORT"
out=$(ocli a up hq 2>&1) || fail "up hq: $out"
echo "    $out"
assert_match "$out" "^hq: device hq up, daemon pid [0-9]+$" "up's line"
out=$(ocli b up branch 2>&1) || fail "up branch: $out"
echo "    $out"
dev_exists "$A" hq || fail "no device hq after up"
[ -f "$LOGDIR/run-a/hq.pid" ] || fail "no pidfile after up"
wait_for "grep -q '^ready ' '$LOGDIR/run-a/hq.log' && grep -q '^ready ' '$LOGDIR/run-b/branch.log'" 20 ||
	fail "no handshake between the daemons: $(daemon_logs)"
ping_ok "$A" "$B_VPN" 3
ping_ok "$B" "$A_VPN" 3

show=$(ocli a show 2>&1) || fail "show: $show"
SHOW1=$show
printf '%s\n' "$show" | sed 's/^/    show: /'
assert_match "$show" "^tunnel: hq" "show: tunnel"
assert_match "$show" "
  device: hq \(ifindex [0-9]+\)" "show: device"
assert_match "$show" "
  daemon: pid $(pid_of a hq)
" "show: daemon"
assert_match "$show" "
  endpoint: $B_IP:$PORT
" "show: endpoint"
assert_match "$show" "
  latest rx: " "show: latest rx"
assert_match "$show" "
  transfer: [0-9]+ B received \([1-9][0-9]* packets\), [0-9]+ B sent \([1-9][0-9]* packets\)" "show: transfer"
assert_match "$show" "
  key epoch: " "show: key epoch"
assert_match "$show" "
  next rekey: " "show: next rekey"
# with the module's epoch keys the config's rekey-seconds reached the kernel
case "$show" in
*"key epoch: tx"*)
	assert_match "$show" "next rekey: in (5[0-9][0-9]|600) s or after [0-9]+ packets" "show: rekey-seconds 600 in the kernel" ;;
esac
# the named form prints the same tunnel; an unknown name is an error
out=$(ocli a show hq 2>&1) || fail "show hq: $out"
assert_match "$out" "^tunnel: hq" "show hq"
assert_fails ocli a show nosuch

echo "== 2. a flood a -> b"
bg flood "$A" /usr/bin/ping -i 0.02 -D -W 1 "$B_VPN"
wait_log flood 'bytes from' 10

# first_reply_after T: the timestamp of the first flood reply after T
first_reply_after() {
	awk -v t="$1" -F'[][]' '/bytes from/ && $2 + 0 > t + 0 { print $2; exit }' "$(bg_log flood)"
}
last_reply_before() {
	awk -v t="$1" -F'[][]' '/bytes from/ && $2 + 0 < t + 0 { v = $2 } END { print v }' "$(bg_log flood)"
}
# recover WHAT T_UP: wait for the flood to get replies after T_UP, print
# the time from T_UP and the outage (last reply before T_DOWN to the first
# after T_UP)
recover() {
	local what=$1 tdown=$2 tup=$3 first last
	wait_for "[ -n \"\$(first_reply_after $tup)\" ]" 15 0.2 ||
		fail "$what: no traffic within 15 s of up: $(daemon_logs)"
	first=$(first_reply_after "$tup")
	last=$(last_reply_before "$tdown")
	awk -v w="$what" -v f="$first" -v u="$tup" -v l="$last" 'BEGIN {
		printf "    recovery after %s: %.2f s from up to the first reply, outage %.2f s\n", w, f - u, f - l }'
	RECOVERY+=("$what $(awk -v f="$first" -v u="$tup" 'BEGIN { printf "%.2f", f - u }')")
	awk -v f="$first" -v u="$tup" 'BEGIN { exit !(f - u < 10) }' || fail "$what: recovery took 10 s or more"
}
RECOVERY=()

echo "== 3. down and up of b under the flood"
nap 1
tdown=$EPOCHREALTIME
out=$(ocli b down branch 2>&1) || fail "down branch: $out"
dev_exists "$B" branch && fail "device branch still there after down"
[ -e "$LOGDIR/run-b/branch.pid" ] && fail "pidfile of branch still there after down"
nap 1
tup=$EPOCHREALTIME
out=$(ocli b up branch 2>&1) || fail "up branch again: $out"
recover "down+up of b" "$tdown" "$tup"

echo "== 4. kill -9 of a's daemon"
pa=$(pid_of a hq)
[ -n "$pa" ] || fail "no pid in hq's pidfile"
ifa=$(ifindex_of "$A" hq)
kill -KILL "$pa" || fail "cannot kill $pa"
wait_for "! _pid_running $pa" 5 0.05 || fail "daemon $pa still alive after SIGKILL"
tkill=$EPOCHREALTIME
nap 3
n=$(awk -v t="$tkill" -F'[][]' '/bytes from/ && $2 + 0 > t + 0' "$(bg_log flood)" | wc -l)
log "flood replies in the 3 s after the daemon was killed: $n"
assert_ge "$n" 20 "flood replies with a's daemon killed (the kernel carries the tunnel alone)"
assert_eq "$(ifindex_of "$A" hq)" "$ifa" "hq's device after its daemon was killed"
show=$(ocli a show hq 2>&1)
printf '%s\n' "$show" | grep -E 'daemon|device' | sed 's/^/    show: /'
assert_match "$show" "daemon: not running" "show: a killed daemon"

echo "== 5. down + up of a, as systemd restarts a unit"
tdown=$EPOCHREALTIME
out=$(ocli a down hq 2>&1) || fail "down hq after kill -9: $out"
echo "    $out"
assert_match "$out" "was not running" "down says the daemon was gone"
dev_exists "$A" hq && fail "device hq still there after down"
[ -e "$LOGDIR/run-a/hq.pid" ] && fail "pidfile of hq still there after down"
tup=$EPOCHREALTIME
out=$(ocli a up hq 2>&1) || fail "up hq again: $out"
recover "kill -9 then down+up of a" "$tdown" "$tup"
ping_ok "$B" "$A_VPN" 3

bg_stop flood INT 5 >/dev/null
cap_stop wire

echo "== 6. the capture: no (key, packet id) twice"
# From the headers alone: no (source, key id, packet id) twice. Byte 0
# (opcode, key id) is at IP offset 28, the packet id at 32: 4 bytes, or 8
# in the epoch format (the module's epoch keys, when show reports epochs).
pidhex='$2 $3' pidlen=4
case "$SHOW1" in *"key epoch: tx"*) pidhex='$2 $3 $4 $5' pidlen=8 ;; esac
"$TCPDUMP_BIN" -r "$(cap_file wire)" -n -x udp 2>/dev/null | awk '
	/^[0-9]/ { src = $3; b0 = "" }
	$1 == "0x0010:" { b0 = substr($8, 1, 2) }
	$1 == "0x0020:" && b0 ~ /^4[89a-f]$/ { print src, b0, '"$pidhex"' }' >"$LOGDIR/hdrs.txt"
nhdr=$(wc -l <"$LOGDIR/hdrs.txt")
log "data packets on the wire: $nhdr (packet ids of $pidlen bytes)"
dups=$(sort "$LOGDIR/hdrs.txt" | uniq -d | head -n 5)
[ -z "$dups" ] || fail "(source, key id, packet id) repeated on the wire: $dups"
assert_ge "$nhdr" 200 "data packets captured"
# From the keys: sesscheck derives every session's keys from the captured
# handshakes and the key file, and finds the one key of each data packet
pcap_pkts "$(cap_file wire)" >"$LOGDIR/wire.txt"
[ -x "$TOOLS/sesscheck" ] || fail "$TOOLS/sesscheck not built (make all)"
awk '$7 != "-" { print $5, $7 }' "$LOGDIR/wire.txt" |
	"$TOOLS/sesscheck" "$KEY" >"$LOGDIR/sesscheck.txt"
rc=$?
sed 's/^/    sesscheck: /' "$LOGDIR/sesscheck.txt" | tail -n 6
assert_eq "$rc" 0 "sesscheck: every data packet under exactly one session key, no (key, nonce) twice"
assert_eq "$(grep -c '^session ' "$LOGDIR/sesscheck.txt")" 3 "sessions in the capture (the start, b's and a's restarts)"

out=$(ocli a down hq 2>&1) || fail "down hq: $out"
out=$(ocli b down branch 2>&1) || fail "down branch: $out"

echo "== 7. IPv6 underlay"
conf hq6 "[$A_IP6]:1195" "[$B_IP6]:1195" "10.9.0.1/24" "10.9.0.2"
conf branch6 "[$B_IP6]:1195" "[$A_IP6]:1195" "10.9.0.2/24" "10.9.0.1"
out=$(ocli a up hq6 2>&1) || fail "up hq6: $out"
out=$(ocli b up branch6 --wait 20 2>&1) || fail "up branch6 --wait: $out $(daemon_logs)"
echo "    $out"
assert_match "$out" "session key installed" "up --wait's line"
ping_ok "$A" 10.9.0.2 3
show=$(ocli b show branch6 2>&1) || fail "show branch6: $show"
printf '%s\n' "$show" | grep endpoint | sed 's/^/    show: /'
assert_match "$show" "endpoint: \[$A_IP6\]:1195" "show: IPv6 endpoint"
pa=$(pid_of a hq6)
pb=$(pid_of b branch6)
ocli a down hq6 >/dev/null || fail "down hq6"
ocli b down branch6 >/dev/null || fail "down branch6"
for p in "$pa" "$pb"; do
	kill -0 "$p" 2>/dev/null && fail "daemon $p still runs after down"
done
dev_exists "$A" hq6 && fail "device hq6 left after down"
dev_exists "$B" branch6 && fail "device branch6 left after down"
left=$(ls "$LOGDIR/run-a" "$LOGDIR/run-b" | grep '\.pid$')
[ -z "$left" ] || fail "pidfiles left after down: $left"
out=$(ocli a down hq6 2>&1) && fail "down of a tunnel already down succeeded: $out"
assert_match "$out" "is not up" "down of a tunnel already down"

echo "recovery times: ${RECOVERY[*]}"
echo "ok: persistent tunnels come up from config files, recover from restarts and a killed daemon, reuse no nonce"
