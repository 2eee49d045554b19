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
# 3. the same, userspace reading at once after DEL_PEER;
# 4. a thread blocked in recv() across DEL_PEER, then waiting as a plain
#    TCP reader inside the module's operations: rmmod is refused while it
#    waits ("in use"; unloading would leave it to return into freed module
#    text), and it then gets the bytes written after.
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
printf '%s\n' "$out" | grepq '^not ok' && fail "tcpstream giveback reported failing steps (exit $rc)"
assert_eq "$rc" 0 "tcpstream giveback exit status"
assert_match "$(printf '%s\n' "$out" | tail -n 1)" '^4 passed, 0 failed$' "tcpstream summary"

# 4. no unload under a blocked reader
go=$LOGDIR/45-go
rm -f "$go"
trap 'rc=$?; touch "$go"; cleanup; [ -d /sys/module/ovpn_dco_v2 ] || "$TIMEOUT_BIN" -k 5 30 /usr/sbin/insmod "$OVPN_KO" || rc=1; exit $rc' EXIT
bg blocked "$A" "$TOOLS/tcpstream" blockedread ovpn0 "$go"
wait_log blocked '^blocked$' 20
out=$("$TIMEOUT_BIN" -k 5 30 /usr/sbin/rmmod ovpn_dco_v2 2>&1)
rc=$?
echo "rmmod under a blocked reader: exit $rc: $out"
[ -d /sys/module/ovpn_dco_v2 ] || fail "rmmod unloaded the module under a reader blocked in its operations"
[ "$rc" != 0 ] || fail "rmmod succeeded under a blocked reader"
touch "$go"
bg_wait blocked 20
rc=$?
sed 's/^/  tcpstream: /' "$(bg_log blocked)"
assert_eq "$rc" 0 "tcpstream blockedread exit status"
grep -q '^ok the reader blocked' "$(bg_log blocked)" || fail "the blocked reader did not get its bytes"
nst 5 "$A" "$IP_BIN" link del ovpn0 || fail "ip link del ovpn0: exit $?"
dmesg_check_since
echo "ok: the control stream comes back whole"
