#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A TCP stream closed by its remote (FIN, or RST) while NEW_PEER takes it
# over (tests/tools/tcpstream race: the close is swept across the NEW_PEER
# call, round after round, next to a working peer on a P2P device): either
# NEW_PEER fails with ENOTCONN and an extack message and the working peer
# stays, or the new peer is added and then removed with reason
# TRANSPORT_DISCONNECT, notified. No peer is ever left on a closed stream.
# With the debug build the window is held open 40 ms (test_takeover_delay_ms)
# so that closes land in it and the refusal path is exercised for sure.
# timeout: 240
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"
. "$(dirname "$0")/lib/tcp.sh"

require_module
require_cli
[ -x "$TOOLS/tcpstream" ] || fail "$TOOLS/tcpstream not built (make all)"
dmesg_mark
ns_add "$A"

cli_ok "$A" new_iface ovpn0
out=$(nst 200 "$A" "$TOOLS/tcpstream" race ovpn0 "${OVPN_TCP_RACE_ROUNDS:-400}" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/  tcpstream: /'
printf '%s\n' "$out" | grepq '^not ok' && fail "tcpstream race reported failing steps (exit $rc)"
assert_eq "$rc" 0 "tcpstream race exit status"
nst 5 "$A" "$IP_BIN" link del ovpn0 || fail "ip link del ovpn0: exit $?"

# Under emulation the window between takeover and link is microseconds and
# the sweep rarely lands in it. The debug build can hold NEW_PEER there
# (test_takeover_delay_ms): then closes do land in it, and each such NEW_PEER
# must be refused with "closed before the peer was added", the working peer
# staying.
if [ -n "${OVPN_DEBUG_KO:-}" ] && [ -f "$OVPN_DEBUG_KO" ] && [ "${OVPN_MODULE:-ours}" = ours ]; then
	. "$(dirname "$0")/lib/debugmod.sh"
	trap 'rc=$?; cleanup; normal_module_restore || rc=1; exit $rc' EXIT
	debug_module_load test_takeover_delay_ms=40
	cli_ok "$A" new_iface ovpn0
	out=$(nst 120 "$A" "$TOOLS/tcpstream" race ovpn0 40 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/  tcpstream (40 ms window): /'
	printf '%s\n' "$out" | grepq '^not ok' && fail "tcpstream race with a 40 ms window reported failing steps (exit $rc)"
	assert_eq "$rc" 0 "tcpstream race exit status (40 ms window)"
	[[ "$out" =~ \(([0-9]+)\ in\ the\ takeover\ window\) ]] || fail "tcpstream printed no window count"
	assert_gt "${BASH_REMATCH[1]}" 0 "NEW_PEERs refused for a close inside the takeover window"
	nst 5 "$A" "$IP_BIN" link del ovpn0 || fail "ip link del ovpn0: exit $?"
	normal_module_restore || fail "cannot load the normal build again"
else
	log "no debug build here: the takeover window was only swept, not held open"
fi
dmesg_check_since
echo "ok: no peer on a stream closed during NEW_PEER"
