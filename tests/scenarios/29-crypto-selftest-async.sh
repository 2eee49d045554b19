#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The crypto self-test at load, and the asynchronous AEAD completion paths
# (which never run in a guest: its AES-GCM completes synchronously).
#  1. The normal build has no test knob (no test_* parameter). Reloaded, it
#     logs "crypto self-tests passed (7 cases, 0 skipped)": RFC 8439's
#     ChaCha20-Poly1305 vectors through the library and the rfc7539
#     template, AES-128/192/256-GCM through gcm(aes).
#  2. The debug build with test_selftest_break=N (one vector's expected
#     output corrupted, N = 1..5) must refuse to load, naming the vector.
#  3. The debug build with test_async_crypto=1 (every AEAD request completed
#     from a worker through the data path's callbacks, ChaCha20-Poly1305
#     through the crypto API, not the library): a UDP AES-256-GCM
#     tunnel: pings, where every packet went through the TX and RX callbacks
#     (debugfs async_tx/async_rx deltas equal the link packet counts, and
#     both ends agree); iperf3 both ways; a tampered held packet dropped, the
#     authentic one accepted, then refused as a replay; a key swap under
#     pings. Then ChaCha20-Poly1305 and TCP tunnels (ping, iperf3 both
#     ways), and `ip link del` under iperf3 traffic with requests in flight.
# The normal build is loaded again on exit (the harness' rmmod and dmesg
# scan then cover the debug build's teardown too).
# timeout: 300
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"
. "$(dirname "$0")/lib/tcp.sh"
. "$(dirname "$0")/lib/debugmod.sh"

require_debug_module
require_cli
[ -x "$UDPSEND" ] || fail "$UDPSEND missing (make -C tests/tools)"
trap 'rc=$?; cleanup; normal_module_restore || rc=1; exit $rc' EXIT
DBGFS=/sys/kernel/debug/ovpn_dco_v2
KAT_CASES=7
KAT_VECTORS=5

# kmsg_since MARK: the kernel log after the line MARK was written with kmark
kmark() { echo "ovpn-test-29: $1" >/dev/kmsg; }
kmsg_since() {
	dmesg | awk -v m="ovpn-test-29: $1" 'index($0, m) { s = NR } { l[NR] = $0 } END { for (i = s + 1; i <= NR; i++) print l[i] }'
}

# --- 1. the normal build: no test knobs; the self-test at load
knobs=$(ls /sys/module/ovpn_dco_v2/parameters/ | tr '\n' ' ')
log "normal build parameters: $knobs"
case " $knobs" in
*" test_"*) fail "the normal build has test parameters: $knobs" ;;
esac
modinfo -F parm "$OVPN_KO" | grepq '^test_' && fail "the normal build's modinfo lists test parameters"
module_unload
kmark normal
out=$("$TIMEOUT_BIN" -k 5 30 "$INSMOD_BIN" "$OVPN_KO" 2>&1) || fail "insmod $OVPN_KO: $out"
kmsg_since normal | grep 'ovpn-dco:'
kmsg_since normal | grepq "ovpn-dco: crypto self-tests passed ($KAT_CASES cases, 0 skipped)" ||
	fail "the normal build did not log 'crypto self-tests passed ($KAT_CASES cases, 0 skipped)'"

# --- 2. a corrupted vector: the module must not load
for i in $(seq 1 "$KAT_VECTORS"); do
	module_unload
	kmark "break $i"
	if out=$("$TIMEOUT_BIN" -k 5 30 "$INSMOD_BIN" "$OVPN_DEBUG_KO" test_selftest_break="$i" 2>&1); then
		fail "the debug build loaded with vector $i corrupted"
	fi
	[ -d /sys/module/ovpn_dco_v2 ] && fail "ovpn_dco_v2 is loaded after a failed self-test (vector $i)"
	err=$(kmsg_since "break $i" | grep 'crypto self-test failed')
	echo "  vector $i: insmod: $out"
	echo "    $err"
	assert_match "$err" 'ovpn-dco: crypto self-test failed: .* refusing to load' "pr_err for vector $i"
done

# --- 3. every request asynchronous
kmark async
debug_module_load test_async_crypto=1
kmsg_since async | grepq "ovpn-dco: crypto self-tests passed ($KAT_CASES cases, 0 skipped)" ||
	fail "the self-test with asynchronous completions did not pass: $(kmsg_since async | grep ovpn-dco)"
[ -r "$DBGFS/async_tx" ] || fail "$DBGFS/async_tx missing (debugfs)"
async() { cat "$DBGFS/async_$1"; }

setup_two_hosts
quiet_new_devices "$A" "$B"
oneshot_pair --quiet --keepalive 0,0
head -n 1 "$(bg_log tun-a)"
peer_snap "$A" "$OVPN_DEV" pa0
peer_snap "$B" "$OVPN_DEV" pb0
t0=$(async tx) r0=$(async rx)
ping_ok "$A" "$B_VPN" 5 -s 1000
ping_ok "$B" "$A_VPN" 5
sleep 0.3
peer_snap "$A" "$OVPN_DEV" pa
peer_snap "$B" "$OVPN_DEV" pb
dt=$(( $(async tx) - t0 )) dr=$(( $(async rx) - r0 ))
d() { echo $(( $(kv_field "$1" "$3") - $(kv_field "$2" "$3") )); }
atx=$(d "$pa" "$pa0" link_tx_packets) btx=$(d "$pb" "$pb0" link_tx_packets)
arx=$(d "$pa" "$pa0" link_rx_packets) brx=$(d "$pb" "$pb0" link_rx_packets)
echo "  20 pings: async completions tx +$dt rx +$dr; link packets a tx +$atx rx +$arx, b tx +$btx rx +$brx"
assert_eq "$atx" 10 "a link_tx_packets for 10 pings out and replies"
assert_eq "$dt" $((atx + btx)) "TX async completions (every packet of both ends)"
assert_eq "$dr" $((arx + brx)) "RX async completions (every packet of both ends)"
assert_eq "$brx" "$atx" "b link_rx_packets = a link_tx_packets"
assert_eq "$arx" "$btx" "a link_rx_packets = b link_tx_packets"
assert_eq "$(d "$pb" "$pb0" vpn_rx_packets)" "$(d "$pa" "$pa0" vpn_tx_packets)" "b vpn_rx_packets = a vpn_tx_packets"

iperf_server srv "$B"
iperf_both "$A" "$B_VPN" 2
show_peer "$A" "$OVPN_DEV"
show_peer "$B" "$OVPN_DEV"
assert_eq "$(dev_stat "$A" "$OVPN_DEV" rx_errors)" 0 "a rx_errors"

# tampered, authentic, replayed: a's packets b has never seen
held_packets "$A" "$B_VPN" 2
pkt=$(printf '%s\n' "$HELD" | head -n 1)
bad=${pkt:0:$((${#pkt} - 2))}$(printf '%02x' $(( 0x${pkt: -2} ^ 1 )))
sendb() { # WHAT HEX DROPPED_DELTA VPN_RX_DELTA
	local d0 v0 r0
	d0=$(dev_stat "$B" "$OVPN_DEV" rx_dropped)
	v0=$(peer_field "$B" "$OVPN_DEV" vpn_rx_packets)
	r0=$(async rx)
	assert_ok ns "$A" "$UDPSEND" -s "$A_IP" "$B_IP" "$PORT" "$2"
	wait_for "[ \$(( \$(async rx) - $r0 )) -ge 1 ]" 5 || fail "$1: no RX async completion"
	wait_stat "$B" "$OVPN_DEV" rx_dropped $((d0 + $3)) || fail "$1: b rx_dropped did not grow by $3"
	sleep 0.3
	assert_eq "$(dev_stat "$B" "$OVPN_DEV" rx_dropped)" $((d0 + $3)) "$1: b rx_dropped"
	assert_eq "$(peer_field "$B" "$OVPN_DEV" vpn_rx_packets)" $((v0 + $4)) "$1: b vpn_rx_packets"
	echo "  $1: b rx_dropped +$3, vpn_rx_packets +$4"
}
sendb "tampered (last ciphertext byte flipped)" "$bad" 1 0
sendb "authentic" "$pkt" 0 1
sendb "replayed" "$pkt" 1 0

# key swap under pings
newkey=$LOGDIR/new.key
assert_ok "$OVPN_CLI" genkey "$newkey"
bg pinger "$A" /usr/bin/ping -c 60 -i 0.05 -W 1 "$B_VPN"
sleep 0.5
assert_ok cli "$A" "$OVPN_DEV" new_key 0 secondary 1 aes-256-gcm 0 "$newkey" --raw-key
assert_ok cli "$B" "$OVPN_DEV" new_key 0 secondary 1 aes-256-gcm 1 "$newkey" --raw-key
assert_ok cli "$A" "$OVPN_DEV" swap_keys 0
assert_ok cli "$B" "$OVPN_DEV" swap_keys 0
bg_wait pinger 30 >/dev/null
got=$(ping_received "$(cat "$(bg_log pinger)")")
echo "  key swap under pings: ${got:-0} of 60 answered"
assert_ge "${got:-0}" 54 "pings answered across the key swap"
cap_start wire "$B" "$B_DEV" udp and src host "$A_IP" and dst port "$PORT"
ping_ok "$A" "$B_VPN" 3
cap_stop wire
hdr=$(pcap_pkts "$(cap_file wire)" | awk '$7 != "-" { print substr($7, 1, 2) }' | sort -u | tr '\n' ' ')
assert_eq "$hdr" "49 " "key id on the wire after the swap (P_DATA_V2, key 1)"
bg_stop tun-a TERM 10
bg_stop tun-b TERM 10
bg_stop srv KILL 2
wait_for "! dev_exists $A $OVPN_DEV && ! dev_exists $B $OVPN_DEV" 5 || fail "devices left behind"

# ChaCha20-Poly1305 through the rfc7539 template, asynchronously
t0=$(async tx) r0=$(async rx)
oneshot_pair --quiet --keepalive 0,0 --cipher chacha20-poly1305
ping_ok "$A" "$B_VPN" 3
iperf_server srv "$B"
iperf_both "$A" "$B_VPN" 2
echo "  chacha20-poly1305: async completions tx +$(( $(async tx) - t0 )) rx +$(( $(async rx) - r0 ))"
assert_gt $(( $(async tx) - t0 )) 100 "TX async completions with ChaCha20-Poly1305"
assert_gt $(( $(async rx) - r0 )) 100 "RX async completions with ChaCha20-Poly1305"
bg_stop tun-a TERM 10
bg_stop tun-b TERM 10
wait_for "! dev_exists $A $OVPN_DEV && ! dev_exists $B $OVPN_DEV" 5 || fail "devices left behind"

# TCP transport
t0=$(async tx) r0=$(async rx)
tcp_pair
ping_ok "$A" "$B_VPN" 3
iperf_both "$A" "$B_VPN" 2
echo "  tcp: async completions tx +$(( $(async tx) - t0 )) rx +$(( $(async rx) - r0 ))"
assert_gt $(( $(async tx) - t0 )) 100 "TX async completions over TCP"
assert_gt $(( $(async rx) - r0 )) 100 "RX async completions over TCP"
bg_stop tun-a TERM 10
bg_stop tun-b TERM 10
wait_for "! dev_exists $A $OVPN_DEV && ! dev_exists $B $OVPN_DEV" 5 || fail "devices left behind"

# device deletion under traffic, requests in flight
oneshot_pair --quiet --keepalive 0,0
bg load "$A" /usr/bin/iperf3 -c "$B_VPN" -t 20 -i 1 --forceflush
bg flood "$B" /usr/bin/ping -q -i 0.01 -c 3000 -s 1200 "$A_VPN"
wait_for "[ \$(dev_stat $A $OVPN_DEV tx_bytes) -gt 1000000 ]" 15 || fail "no traffic through a's $OVPN_DEV"
t0=$(date +%s%N)
nst 5 "$A" "$IP_BIN" link del "$OVPN_DEV"
rc=$?
log "ip link del under traffic: exit $rc after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
[ "$rc" != 124 ] && [ "$rc" != 137 ] || fail "ip link del $OVPN_DEV hung under async traffic (> 5 s)"
assert_eq "$rc" 0 "ip link del exit status"
bg_wait tun-a 5
assert_eq "$?" 3 "a's CLI exit status after its device was deleted"
bg_stop load KILL 2
bg_stop flood KILL 2
nst 5 "$B" "$IP_BIN" link del "$OVPN_DEV" || fail "ip link del in b"
echo "  async completions in all: tx $(async tx), rx $(async rx)"
assert_gt "$(async tx)" 0 "TX async completions"
assert_gt "$(async rx)" 0 "RX async completions"
echo "ok: self-test at load refuses broken vectors; data path through async completions"
