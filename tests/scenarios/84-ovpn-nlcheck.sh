#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The upstream "ovpn" generic netlink family against live devices of kind
# ovpn (tests/tools/nlcheck-ovpn): a P2P device made by iproute2 (no
# INFO_DATA: P2P), an MP device made by ovpn-cli, and an ovpn-dco device
# whose ifindex the family must refuse. Every malformed or invalid request
# is refused with its exact errno and an extack message, valid ones succeed
# with the replies upstream's contract describes (PEER_GET's attributes,
# KEY_GET without key material, a 300-peer dump), and the devices still
# answer at the end (nlcheck-ovpn exits 0, "N passed, 0 failed"). Then the
# devices delete, and dmesg holds no kernel report.
# timeout: 180
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"

require_module
require_cli
[ -x "$TOOLS/nlcheck-ovpn" ] || fail "$TOOLS/nlcheck-ovpn not built (make all)"
dmesg_lines=$(dmesg | wc -l)

P2P=ovp0 MP=ovm0 DCO=dco0
ns_add "$A"
ip -n "$A" link add "$P2P" type ovpn || fail "ip link add $P2P type ovpn"
out=$(cli "$A" new_iface "$MP" mp --kind ovpn 2>&1) || fail "new_iface $MP mp --kind ovpn: $out"
ip -n "$A" link add "$DCO" type ovpn-dco || fail "ip link add $DCO type ovpn-dco"
kind_ovpn=$(ip -n "$A" -o link show type ovpn | awk -F': ' '{ print $2 }' | sort | tr '\n' ' ')
assert_eq "$kind_ovpn" "$MP $P2P " "devices of kind ovpn"
kind_dco=$(ip -n "$A" -o link show type ovpn-dco | awk -F': ' '{ print $2 }' | tr '\n' ' ')
assert_eq "$kind_dco" "$DCO " "devices of kind ovpn-dco"

out=$(NLCHECK_VERBOSE=1 nst 150 "$A" "$TOOLS/nlcheck-ovpn" "$P2P" "$MP" "$DCO" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/  nlcheck-ovpn: /'
printf '%s\n' "$out" | grep '^not ok' && fail "nlcheck-ovpn reported failing cases (exit $rc)"
assert_eq "$rc" 0 "nlcheck-ovpn exit status"
summary=$(printf '%s\n' "$out" | tail -n 1)
assert_match "$summary" '^[0-9]+ passed, 0 failed$' "nlcheck-ovpn summary"
[[ "$summary" =~ ^([0-9]+)\ passed ]] && assert_gt "${BASH_REMATCH[1]}" 150 "number of nlcheck-ovpn cases that ran"

# What nlcheck-ovpn left once its sockets closed, for the log only: whether
# peers go with their socket's fd is another scenario's business.
for d in "$P2P" "$MP"; do
	log "$d: $(cli "$A" "$d" get_peer 2>&1 | grep -c 'peer_id') peer(s) left after nlcheck-ovpn exited"
done

for d in "$P2P" "$MP" "$DCO"; do
	ip -n "$A" link del "$d" || fail "ip link del $d"
	! dev_exists "$A" "$d" || fail "$d still exists after ip link del"
done

re=${DMESG_RE:-'BUG:|WARNING:|Oops|refcount_t|KASAN|UBSAN|unregister_netdevice: waiting|list_add corruption|list_del corruption|Poison overwritten'}
new=$(dmesg | tail -n +"$((dmesg_lines + 1))")
if printf '%s\n' "$new" | grepq -E "$re"; then
	printf '%s\n' "$new" | tail -n 60 >&2
	fail "kernel report in dmesg during nlcheck-ovpn"
fi
echo "ok: nlcheck-ovpn passed, the devices deleted, dmesg clean"
