#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Reconnects with DCO (P2P, --ping 1 --ping-restart 5 both sides):
#   UDP: the client exits on SIGTERM (explicit-exit-notify) and starts again;
#        the client is SIGKILLed (no notification) and starts again;
#        the server restarts.
#   TCP: the client exits on SIGTERM and starts again; the server restarts.
# Each time the tunnel must come back (ping both ways) on an ovpn-dco device.
# timeout: 240
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/openvpn.sh"

require_module
require_cli
require_openvpn
pki_init
setup_two_hosts

KA="--ping 1 --ping-restart 5"
N=0

# back SRV CLI WHAT: the tunnel works again.
back() {
	local t0 ms
	t0=$(date +%s%N)
	wait_ping "$B" "$A_VPN" 40 || fail "$3: tunnel not back within 40 s"
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	ping_ok "$B" "$A_VPN" 3
	ping_ok "$A" "$B_VPN" 3
	assert_dco "$1" "$A"
	assert_dco "$2" "$B"
	echo "$3: tunnel back after $ms ms"
}

for proto in udp tcp; do
	log "--- $proto"
	N=$((N + 1)); s=srv$N
	N=$((N + 1)); c=cli$N
	extra=
	[ "$proto" = udp ] && extra="--explicit-exit-notify 1"
	# shellcheck disable=SC2086
	p2p_server "$s" "$proto" AES-256-GCM $KA
	# shellcheck disable=SC2086
	p2p_client "$c" "$proto" AES-256-GCM $KA $extra
	ovpn_wait_up "$s" 40
	ovpn_wait_up "$c" 40
	back "$s" "$c" "$proto first connect"

	# Client SIGTERM, then a new client.
	bg_stop "$c" TERM 10 || fail "$proto client did not exit on SIGTERM (status $?)"
	wait_for "! dev_exists $B $OVPN_TUN" 5 || fail "client tun0 not deleted on exit"
	sleep 1
	grep -hE 'EXIT|remote-exit|Connection reset|Inactivity timeout|SIGUSR1' "$(bg_log "$s")" | tail -n 3 | sed 's/^/  srv: /'
	N=$((N + 1)); c=cli$N
	# shellcheck disable=SC2086
	p2p_client "$c" "$proto" AES-256-GCM $KA $extra
	ovpn_wait_up "$c" 40
	back "$s" "$c" "$proto client restart (SIGTERM)"

	if [ "$proto" = udp ]; then
		# Client SIGKILL: the server learns it only from the kernel's
		# keepalive expiry.
		bg_stop "$c" KILL 5 || true
		wait_for "! dev_exists $B $OVPN_TUN" 5 || ns "$B" "$IP_BIN" link del "$OVPN_TUN"
		N=$((N + 1)); c=cli$N
		# shellcheck disable=SC2086
		p2p_client "$c" "$proto" AES-256-GCM $KA $extra
		ovpn_wait_up "$c" 60
		back "$s" "$c" "$proto client restart (SIGKILL)"
		grep -hE 'Inactivity timeout' "$(bg_log "$s")" | sed 's/^/  srv: /'
	fi

	# Server restart.
	bg_stop "$s" TERM 10 || fail "$proto server did not exit on SIGTERM (status $?)"
	wait_for "! dev_exists $A $OVPN_TUN" 5 || fail "server tun0 not deleted on exit"
	N=$((N + 1)); s=srv$N
	# shellcheck disable=SC2086
	p2p_server "$s" "$proto" AES-256-GCM $KA
	ovpn_wait_up "$s" 60
	back "$s" "$c" "$proto server restart"
	grep -hE 'Inactivity timeout|Connection reset|SIGUSR1' "$(bg_log "$c")" | tail -n 3 | sed 's/^/  cli: /'
	iperf_both "$B" "$A" "$A_VPN" 2
	p2p_stop "$c" "$s"
done
echo "ok: reconnects (client and server restarts) over UDP and TCP"
