#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Demo (tests/guest/run.sh --demo, make demo): plain veth TCP throughput
# between two namespaces, then the one-shot CLI tunnel (AES-256-GCM): ping and
# iperf3 both directions; prints a table (lines starting with "@table ", the
# host prints them without the prefix).
# timeout: 240
. "${OVPN_LIB:-$(dirname "$0")/../../lib.sh}"

SECS=${DEMO_SECS:-5}
CIPHER=${DEMO_CIPHER:-aes-256-gcm}

require_module
require_cli
setup_two_hosts

iperf_server srv "$B"
log "veth a -> b, TCP ${SECS}s"
veth=$(iperf_mbps "$A" "$B_IP" "$SECS") || fail "iperf3 over the veth failed"

log "one-shot tunnel ($CIPHER)"
oneshot_pair --cipher "$CIPHER" --quiet
out=$(nst 30 "$A" /usr/bin/ping -c 10 -i 0.2 -W 2 "$B_VPN" 2>&1) || fail "ping through the tunnel failed: $out"
echo "$out" | tail -n 2
rtt=$(printf '%s\n' "$out" | sed -n 's|^rtt min/avg/max/mdev = [^/]*/\([^/]*\)/.*|\1|p')
loss=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9.]*%\) packet loss.*/\1/p')

log "tunnel a -> b, TCP ${SECS}s"
up=$(iperf_mbps "$A" "$B_VPN" "$SECS") || fail "iperf3 a -> b through the tunnel failed"
log "tunnel b -> a, TCP ${SECS}s"
down=$(iperf_mbps "$A" "$B_VPN" "$SECS" -R) || fail "iperf3 b -> a through the tunnel failed"
# The implementation the kernel picks: the highest priority one.
case "$CIPHER" in
aes*) alg='gcm(aes)' ;;
*) alg='rfc7539(chacha20,poly1305)' ;;
esac
cipher_impl=$(awk -v alg="$alg" -F' *: ' '
	$1 == "name" { n = $2 } $1 == "driver" { d = $2 }
	$1 == "priority" && n == alg && $2 + 0 > best { best = $2 + 0; impl = d }
	END { print impl }' /proc/crypto)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
row() { printf '@table %-28s %10s %8s\n' "$1" "$2" "$3"; }
echo "@table "
slub=off
grep -q slub_debug /proc/cmdline && slub=on
echo "@table ovpn-dco demo: kernel $(uname -r), $(nproc) vCPU QEMU/TCG guest, slub_debug $slub"
echo "@table cipher $CIPHER${cipher_impl:+ (kernel implementation $cipher_impl)}, TCP iperf3 ${SECS}s per run"
row "path" "Mbit/s" "ratio"
row "veth a -> b (plain)" "$veth" "1.00"
row "tunnel a -> b" "$up" "$(ratio "$up" "$veth")"
row "tunnel b -> a" "$down" "$(ratio "$down" "$veth")"
printf '@table %-28s %10s\n' "tunnel ping rtt avg (ms)" "${rtt:-?}"
printf '@table %-28s %10s\n' "tunnel ping loss" "${loss:-?}"
echo "@table "

assert_gt "$up" 0 "tunnel a -> b throughput"
assert_gt "$down" 0 "tunnel b -> a throughput"
bg_stop tun-a TERM 10 || fail "one-shot CLI in a: exit status $? on SIGTERM"
bg_stop tun-b TERM 10 || fail "one-shot CLI in b: exit status $? on SIGTERM"
