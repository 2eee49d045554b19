#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Netlink fuzzing (tests/tools/nlfuzz) at a live multi-peer server: the MP
# device of namespace s with three one-shot clients c1..c3 (peers 1..3),
# client 1 pinging the server throughout. Peer 1 is protected (nothing is
# sent that would rekey, change or delete it, or add a peer with its VPN
# address); peers 2 and 3, the peers nlfuzz adds and every other command are
# fair game. nlfuzz must get an answer to every message, see successes of
# every request command and several distinct errnos. Afterwards: client 1
# still reaches the server and back, its peer did not move, the server
# device deletes within 3 s and the harness finds dmesg clean.
# timeout: 170
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/mp.sh"
. "$(dirname "$0")/lib/fuzz.sh"

[ -x "$TOOLS/nlfuzz" ] || fail "$TOOLS/nlfuzz not built (make all)"
N=$(fuzz_count 20000)
MP_NO_IPV6=1
mp_setup 1 2 3
ns "$MP_S" "$IP_BIN" link set lo up
for i in 1 2 3; do
	mp_ping_ok "c$i" "$MP_SRV_VPN"
done

bg ping-c1 c1 /usr/bin/ping -n -i 0.2 "$MP_SRV_VPN"
t0=$(date +%s)
out=$(nst $((60 + N / 100)) "$MP_S" "$TOOLS/nlfuzz" --seed "$((FUZZ_SEED + 1))" --count "$N" \
	--protect "$MP_DEV:1:$(mp_vpn4 1)" "$MP_DEV" 2>&1)
rc=$?
t1=$(date +%s)
printf '%s\n' "$out" | grep -v '^nlfuzz: no answer' | sed 's/^/  nlfuzz: /'
assert_eq "$rc" 0 "nlfuzz exit status"
log "nlfuzz: $N messages in $((t1 - t0)) s"
nlfuzz_check "$out" 5
bg_stop ping-c1 INT
log "pings from c1 during the fuzzing: $(grep 'packet loss' "$(bg_log ping-c1)")"

bg_alive tun-c1 || fail "client 1's one-shot exited during the fuzzing: $(tail -n 3 "$(bg_log tun-c1)")"
assert_eq "$(mp_srv_peer 1 remote)" "$(mp_cli_ip 1):$MP_PORT" "peer 1 remote after nlfuzz"
assert_eq "$(mp_srv_peer 1 vpn_ipv4)" "$(mp_vpn4 1)" "peer 1 vpn_ipv4 after nlfuzz"
mp_ping_ok c1 "$MP_SRV_VPN"
mp_ping_ok "$MP_S" "$(mp_vpn4 1)"
log "peers left on the server: $(mp_dump_ids "$MP_S" "$MP_DEV" | wc -w)"

fuzz_del_dev "$MP_S" "$MP_DEV"
echo "ok: $N netlink messages fuzzed at an MP server ($(fuzz_field "$out" total ok) accepted), peer 1 intact, device deleted"
