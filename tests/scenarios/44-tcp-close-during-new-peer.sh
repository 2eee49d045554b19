#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A TCP stream closed by its remote (FIN, or RST) while NEW_PEER takes it
# over (tests/tools/tcpstream race: the close is swept across the NEW_PEER
# call, round after round, next to a working peer on a P2P device): either
# NEW_PEER fails with ENOTCONN and an extack message and the working peer
# stays, or the new peer is added and then removed with reason
# TRANSPORT_DISCONNECT, notified. No peer is ever left on a closed stream.
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
printf '%s\n' "$out" | grep -q '^not ok' && fail "tcpstream race reported failing steps (exit $rc)"
assert_eq "$rc" 0 "tcpstream race exit status"
nst 5 "$A" "$IP_BIN" link del ovpn0 || fail "ip link del ovpn0: exit $?"
dmesg_check_since
echo "ok: no peer on a stream closed during NEW_PEER"
