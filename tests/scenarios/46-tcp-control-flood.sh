#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Unbounded or unchecked TCP input (tests/tools/tcpstream):
# 1. an unauthenticated remote floods a P2P peer's stream with 8 MB of
#    control frames while userspace does not read: the stream pushes back
#    (the remote's writes stop being accepted after a bound set by the
#    socket buffers, 1.5 MB here: what the kernel holds for userspace is
#    bounded), and userspace then reads every frame in order;
# 2. NEW_PEER with sockets of protocol number 6 that are not TCP/IP sockets
#    (AF_PACKET, NETLINK_XFRM, raw IP): EOPNOTSUPP with an extack message.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"
. "$(dirname "$0")/lib/tcp.sh"

require_module
require_cli
[ -x "$TOOLS/tcpstream" ] || fail "$TOOLS/tcpstream not built (make all)"
dmesg_mark
ns_add "$A"

slab_kb() { awk '$1 == "Slab:" { print $2 }' /proc/meminfo; }

cli_ok "$A" new_iface ovpn0
slab0=$(slab_kb)
out=$(nst 120 "$A" "$TOOLS/tcpstream" flood ovpn0 8000 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/  tcpstream: /'
printf '%s\n' "$out" | grepq '^not ok' && fail "tcpstream flood reported failing steps (exit $rc)"
assert_eq "$rc" 0 "tcpstream flood exit status"
assert_match "$(printf '%s\n' "$out" | tail -n 1)" '^2 passed, 0 failed$' "tcpstream flood summary"

out=$(nst 20 "$A" "$TOOLS/tcpstream" badsock ovpn0 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/  tcpstream: /'
printf '%s\n' "$out" | grepq '^not ok' && fail "tcpstream badsock reported failing steps (exit $rc)"
assert_eq "$rc" 0 "tcpstream badsock exit status"
assert_match "$(printf '%s\n' "$out" | tail -n 1)" '^3 passed, 0 failed$' "tcpstream badsock summary"
echo "slab: ${slab0} kB before, $(slab_kb) kB after"
nst 5 "$A" "$IP_BIN" link del ovpn0 || fail "ip link del ovpn0: exit $?"
dmesg_check_since
echo "ok: control floods push back, foreign sockets are refused"
