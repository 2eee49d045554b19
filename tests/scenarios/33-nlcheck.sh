#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Malformed and invalid netlink requests (tests/tools/nlcheck) against a live
# device whose peer 0 has a primary key: every case is refused with the
# documented errno and an extack message (nlcheck exits 0 and prints
# "N passed, 0 failed"), and afterwards the tunnel is untouched: both
# one-shot CLIs still run and ping crosses it. The harness' dmesg scan
# catches any kernel warning the bad requests provoke.
# timeout: 90
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
[ -x "$TOOLS/nlcheck" ] || fail "$TOOLS/nlcheck not built (make all)"
setup_two_hosts
oneshot_pair
ping_ok "$A" "$B_VPN"

out=$(nst 60 "$A" "$TOOLS/nlcheck" "$OVPN_DEV" 0 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/  nlcheck: /'
printf '%s\n' "$out" | grep '^not ok' && fail "nlcheck reported failing cases (exit $rc)"
assert_eq "$rc" 0 "nlcheck exit status"
summary=$(printf '%s\n' "$out" | tail -n 1)
assert_match "$summary" '^[0-9]+ passed, 0 failed$' "nlcheck summary"
[[ "$summary" =~ ^([0-9]+)\ passed ]] && assert_gt "${BASH_REMATCH[1]}" 10 "number of nlcheck cases that ran"

# Nothing the bad requests did may have disturbed the tunnel.
for s in tun-a tun-b; do
	bg_alive "$s" || fail "one-shot $s exited during nlcheck: $(tail -n 3 "$(bg_log "$s")")"
done
grep -E 'deleted|^control' "$(bg_log tun-a)" && fail "a's CLI saw a peer deletion or a control packet during nlcheck"
pa=$(get_peer "$A" "$OVPN_DEV" 0) || fail "get_peer in a after nlcheck: $pa"
assert_eq "$(kv_field "$pa" peer_id)" 0 "a's peer id after nlcheck"
assert_eq "$(kv_field "$pa" remote)" "$B_IP:$PORT" "a's peer remote after nlcheck"
ping_ok "$A" "$B_VPN"
ping_ok "$B" "$A_VPN"
echo "ok: nlcheck passed and the tunnel survived it"
