#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# What a user sees when the CLI or the kernel refuses a request: kernel
# refusals exit 1 with "(errno N): <extack>" and a real message (cipher
# none: 22 naming the cipher; new_peer with a regular file as socket: 88
# ENOTSOCK; --ifindex 9999: 19 ENODEV; lo: 22 "not an ovpn-dco device"; an
# unknown peer: 2), local failures (a too short key file, an unknown device
# name) exit 1 with a clear message and create nothing, usage errors exit 2.
# None of it disturbs the live tunnel.
# timeout: 60
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
setup_two_hosts
oneshot_pair
K=$KEYS/sample.key

# local_failure NS WHAT ARGS...: exit 1, "ovpn-cli: WHAT: <message>" with no
# kernel errno (the request never reached the kernel).
local_failure() {
	local n=$1 what=$2 rc line
	shift 2
	CLI_OUT=$(cli "$n" "$@" 2>&1)
	rc=$?
	echo "  \$ ovpn-cli $* -> exit $rc: $CLI_OUT"
	assert_eq "$rc" 1 "exit status of ovpn-cli $*"
	line=$(printf '%s\n' "$CLI_OUT" | grep -m1 "^ovpn-cli: $what: ") ||
		fail "ovpn-cli $*: no 'ovpn-cli: $what: <message>' line: $CLI_OUT"
	[ -n "${line#"ovpn-cli: $what: "}" ] || fail "ovpn-cli $*: empty message"
	[[ "$line" == *"(errno "* ]] && fail "ovpn-cli $*: a local failure reported as a kernel errno: $line"
	return 0
}

# Kernel refusals
cli_refused "$A" 22 "$OVPN_DEV" new_key 0 secondary 1 none 0 "$K" --raw-key
assert_match "$CLI_MSG" '[Cc]ipher|CIPHER' "extack of cipher none"
cli_refused "$A" 88 "$OVPN_DEV" new_peer 1 1195 "$B_IP" 1195 --fd-file /etc/hosts
cli_refused "$A" 19 "$OVPN_DEV" get_peer --ifindex 9999
cli_refused "$A" 19 anything new_key 0 secondary 1 aes-256-gcm 0 "$K" --raw-key --ifindex 9999
cli_refused "$A" 22 lo get_peer
assert_match "$CLI_MSG" 'not an ovpn-dco device' "extack for lo"
cli_refused "$A" 2 "$OVPN_DEV" set_peer 7 1 2
cli_refused "$A" 2 "$OVPN_DEV" get_peer 7

# A key file too short to hold the 72 bytes of key material
printf '%s\n' "$(head -c 48 /dev/urandom | base64 -w0)" >"$LOGDIR/short.key"
local_failure "$A" new_key "$OVPN_DEV" new_key 0 secondary 1 aes-256-gcm 0 "$LOGDIR/short.key" --raw-key
: >"$LOGDIR/empty.key"
local_failure "$A" new_key "$OVPN_DEV" new_key 0 secondary 1 aes-256-gcm 0 "$LOGDIR/empty.key" --raw-key
local_failure "$A" new_key "$OVPN_DEV" new_key 0 secondary 1 aes-256-gcm 0 "$LOGDIR/missing.key" --raw-key
# The one-shot form refuses it before creating anything.
local_failure "$A" key_file udp i4 "$A_IP" 1196 "$B_IP" 1196 10.9.0.1 24 10.9.0.2 \
	"$LOGDIR/short.key" 0 --dev ovpn9
dev_exists "$A" ovpn9 && fail "a one-shot with a bad key file left ovpn9 behind"

# An unknown device name
local_failure "$A" get_peer nosuchdev get_peer

# Usage errors: exit 2 and a hint
out=$(cli "$A" "$OVPN_DEV" new_key 0 tertiary 0 aes-256-gcm 0 "$K" --raw-key 2>&1)
rc=$?
echo "  \$ ovpn-cli $OVPN_DEV new_key 0 tertiary ... -> exit $rc: $out"
assert_eq "$rc" 2 "exit status of a usage error"
assert_match "$out" "Try 'ovpn-cli --help'" "usage error hint"

# The tunnel was not disturbed.
for s in tun-a tun-b; do
	bg_alive "$s" || fail "one-shot $s exited: $(tail -n 3 "$(bg_log "$s")")"
done
assert_eq "$(peer_field "$A" "$OVPN_DEV" peer_id)" 0 "a's peer after the refusals"
ping_ok "$A" "$B_VPN"
echo "ok: refusals are explained"
