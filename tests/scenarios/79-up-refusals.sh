#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# What `ovpn-cli up` and `down` refuse: each a clear message on stderr,
# exit status 1, and nothing left behind (no device, no pidfile, no daemon
# in the namespace).
#  1. config files: an unknown key, a missing mandatory key, a bad value
#     (the message names the file and the line)
#  2. key files: readable by others (0644) or the group (0640), missing, a
#     directory, too short, not base64
#  3. a device of that name already exists: refused, that device untouched
#  4. a second up of a running tunnel: refused, the running one untouched
#     (same daemon, same device); the key is in no argv, environment or log
#  5. down of an unknown tunnel
#  6. up --wait against an end with another key file: no handshake, up fails
#     and tears its tunnel down; the other end's log says why
# timeout: 120
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

require_module
require_cli
require_key sample.key
setup_two_hosts
quiet_new_devices "$A" "$B"

ETC=$LOGDIR/etc
RUN=$LOGDIR/run
mkdir -p "$ETC"
KEY=$LOGDIR/tunnel.key
cp "$KEYS/sample.key" "$KEY" && chmod 600 "$KEY" || fail "cannot copy the key file"

# conf NAME KEYFILE [EXTRA LINE]: $ETC/NAME.conf for host a
conf() {
	printf '%s\n' "# $1" "key = $2" "local = $A_IP:$PORT" "remote = $B_IP:$PORT" \
		"address = $A_VPN/24" ${3:+"$3"} >"$ETC/$1.conf"
}
ocli() {
	local n=$1
	shift
	OVPN_CLI_CONFDIR=$ETC OVPN_CLI_RUNDIR=$RUN nst 30 "$n" "$OVPN_CLI" "$@"
}

# clean NAME WHAT: no device NAME, no pidfile, no process in a
clean() {
	dev_exists "$A" "$1" && fail "$2: device $1 left behind"
	[ -e "$RUN/$1.pid" ] && fail "$2: pidfile $RUN/$1.pid left behind"
	local pids
	pids=$("$IP_BIN" netns pids "$A" | tr '\n' ' ')
	[ -z "$pids" ] || fail "$2: processes left in $A: $pids ($(ps -o pid,args 2>/dev/null | head -n 20))"
}

# refused WHAT ERE NAME ARGS...: the CLI (args) must exit 1 with a message
# matching ERE on stderr and leave nothing behind for tunnel NAME
refused() {
	local what=$1 re=$2 name=$3 out rc
	shift 3
	out=$(ocli "$A" "$@" 2>&1)
	rc=$?
	echo "    $what: $out"
	assert_eq "$rc" 1 "$what: exit status"
	assert_match "$out" "$re" "$what: message"
	clean "$name" "$what"
}

echo "== 1. config files"
conf t1 "$KEY" "colour = blue"
refused "unknown key" "t1\.conf:6: unknown key 'colour'" t1 up t1
printf '%s\n' "key = $KEY" "local = $A_IP:$PORT" "address = $A_VPN/24" >"$ETC/t2.conf"
refused "missing remote" "t2\.conf: missing 'remote'" t2 up t2
conf t3 "$KEY" "mtu = lots"
refused "bad mtu" "t3\.conf:6: mtu must be 68\.\.65535, not 'lots'" t3 up t3
conf t4 "$KEY" "keepalive = 10"
refused "bad keepalive" "t4\.conf:6: keepalive must be INTERVAL TIMEOUT" t4 up t4
# a path works as well as a name, and names the same file in messages
refused "unknown key, by path" "t1\.conf:6: unknown key 'colour'" t1 up "$ETC/t1.conf"
refused "no such config" "nosuch\.conf: No such file or directory" nosuch up nosuch

echo "== 2. key files"
cp "$KEY" "$LOGDIR/open.key"
chmod 644 "$LOGDIR/open.key"
conf k1 "$LOGDIR/open.key"
refused "key file 0644" "key file $LOGDIR/open.key is accessible by others \(mode 0644\); run chmod 600 $LOGDIR/open.key" k1 up k1
chmod 640 "$LOGDIR/open.key"
refused "key file 0640" "is accessible by others \(mode 0640\); run chmod 600" k1 up k1
conf k2 "$LOGDIR/missing.key"
refused "missing key file" "key file $LOGDIR/missing.key: No such file or directory" k2 up k2
conf k3 "$LOGDIR"
refused "key file is a directory" "is not a regular file" k3 up k3
head -c 60 "$KEY" >"$LOGDIR/short.key"
chmod 600 "$LOGDIR/short.key"
conf k4 "$LOGDIR/short.key"
refused "short key file" "key file $LOGDIR/short.key: " k4 up k4
printf '%s\n' '-----BEGIN OpenVPN Static key V1-----' 0123456789abcdef0123456789abcdef \
	'-----END OpenVPN Static key V1-----' >"$LOGDIR/hex.key"
chmod 600 "$LOGDIR/hex.key"
conf k5 "$LOGDIR/hex.key"
refused "hex static key" "key file $LOGDIR/hex.key: " k5 up k5

echo "== 3. the device exists already"
conf d1 "$KEY"
cli "$A" new_iface d1 || fail "new_iface d1"
ifd=$(ifindex_of "$A" d1)
out=$(ocli "$A" up d1 2>&1)
rc=$?
echo "    device exists: $out"
assert_eq "$rc" 1 "device exists: exit status"
assert_match "$out" "device d1 already exists" "device exists: message"
assert_eq "$(ifindex_of "$A" d1)" "$ifd" "the existing device d1"
[ -e "$RUN/d1.pid" ] && fail "device exists: pidfile left behind"
cli "$A" del_iface d1 || fail "del_iface d1"
clean d1 "device exists"

echo "== 4. a second up of a running tunnel"
conf run "$KEY"
out=$(ocli "$A" up run 2>&1) || fail "up run: $out"
pid=$(sed -n 1p "$RUN/run.pid")
ifr=$(ifindex_of "$A" run)
[ -n "$ifr" ] || fail "no device run after up"
refused_out=$(ocli "$A" up run 2>&1)
rc=$?
echo "    second up: $refused_out"
assert_eq "$rc" 1 "second up: exit status"
assert_match "$refused_out" "tunnel run is already up \(daemon pid $pid, device run\)" "second up: message"
kill -0 "$pid" || fail "second up: the running daemon $pid is gone"
assert_eq "$(sed -n 1p "$RUN/run.pid")" "$pid" "second up: the pidfile's pid"
assert_eq "$(ifindex_of "$A" run)" "$ifr" "second up: the running tunnel's device"
# no key material where other users can look: argv, environment, log
k64=$(grep -v '^#' "$KEY" | tr -d '\n' | cut -c 1-24)
for f in cmdline environ; do
	grep -qF "$k64" "/proc/$pid/$f" && fail "the key is in the daemon's $f"
done
grep -qF "$k64" "$RUN/run.log" && fail "the key is in the daemon's log"
tr '\0' ' ' <"/proc/$pid/cmdline" | sed 's/^/    daemon argv: /'
echo
out=$(ocli "$A" down run 2>&1) || fail "down run: $out"
kill -0 "$pid" 2>/dev/null && fail "daemon $pid alive after down"
clean run "down"

echo "== 5. down of a tunnel that is not up"
refused "down unknown" "tunnel nosuch is not up" nosuch down nosuch
refused "down bad name" "is not a tunnel name" x down '.x'

echo "== 6. up --wait against another key file"
other=$LOGDIR/other.key
assert_ok "$OVPN_CLI" genkey "$other"
conf w "$KEY"
printf '%s\n' "key = $other" "local = $B_IP:$PORT" "remote = $A_IP:$PORT" \
	"address = $B_VPN/24" >"$ETC/wb.conf"
OVPN_CLI_CONFDIR=$ETC OVPN_CLI_RUNDIR=$LOGDIR/run-b nst 30 "$B" "$OVPN_CLI" up wb >/dev/null ||
	fail "up wb on b"
t0=$EPOCHREALTIME
refused "up --wait, other key" "tunnel w: no handshake with $B_IP within 4 s .*tearing it down" w up w --wait 4
awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "    up --wait 4 failed after %.1f s\n", b - a }'
grep -q 'failed authentication' "$LOGDIR/run-b/wb.log" ||
	fail "b's log does not say the handshake failed authentication: $(cat "$LOGDIR/run-b/wb.log")"
grep 'failed authentication' "$LOGDIR/run-b/wb.log" | head -n 1 | sed 's/^/    b: /'
OVPN_CLI_CONFDIR=$ETC OVPN_CLI_RUNDIR=$LOGDIR/run-b nst 30 "$B" "$OVPN_CLI" down wb || fail "down wb on b"

echo "ok: up and down refuse what they must, and leave nothing behind"
