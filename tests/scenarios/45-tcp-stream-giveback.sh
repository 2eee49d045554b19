#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Userspace gets back exactly the TCP stream its remote sent
# (tests/tools/tcpstream giveback, on an MP device), byte for byte, then
# EOF:
# 1. a NEW_PEER that fails after the takeover (duplicate peer id), with two
#    control frames, a data-like frame and half a frame already queued;
# 2. a DEL_PEER with two control frames and half a frame parsed, the remote
#    then sending the rest, a data-like frame (no longer the kernel's) and
#    FIN;
# 3. the same, userspace reading at once after DEL_PEER.
# timeout: 90
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"
. "$(dirname "$0")/lib/tcp.sh"

require_module
require_cli
[ -x "$TOOLS/tcpstream" ] || fail "$TOOLS/tcpstream not built (make all)"
dmesg_mark
ns_add "$A"

cli_ok "$A" new_iface ovpn0 mp
out=$(nst 60 "$A" "$TOOLS/tcpstream" giveback ovpn0 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/  tcpstream: /'
printf '%s\n' "$out" | grep -q '^not ok' && fail "tcpstream giveback reported failing steps (exit $rc)"
assert_eq "$rc" 0 "tcpstream giveback exit status"
assert_match "$(printf '%s\n' "$out" | tail -n 1)" '^4 passed, 0 failed$' "tcpstream summary"
nst 5 "$A" "$IP_BIN" link del ovpn0 || fail "ip link del ovpn0: exit $?"
dmesg_check_since
echo "ok: the control stream comes back whole"
