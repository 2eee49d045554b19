#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Wire interop with OpenVPN's own userspace data channel: one side uses our
# module (DCO), the other --disable-dco (tun device, OpenVPN's crypto), for
# UDP and TCP and both ciphers, with DCO alternately on the server and the
# client: ping and iperf3 both ways.
# timeout: 220
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/openvpn.sh"

require_module
require_cli
require_openvpn
pki_init
need_tun
setup_two_hosts

i=0
for proto in udp tcp; do
	for cipher in $OVPN_CIPHERS; do
		i=$((i + 1))
		if [ $((i % 2)) = 1 ]; then
			mode=--no-dco-client
			sopt= copt=--disable-dco
		else
			mode=--no-dco-server
			sopt=--disable-dco copt=
		fi
		log "--- $proto $cipher ${mode#--}"
		s=srv$i c=cli$i
		# shellcheck disable=SC2086
		p2p_server "$s" "$proto" "$cipher" $sopt
		# shellcheck disable=SC2086
		p2p_client "$c" "$proto" "$cipher" $copt
		ovpn_wait_up "$s" 40
		ovpn_wait_up "$c" 40
		grep -q "Data Channel: cipher '$cipher'" "$(bg_log "$c")" ||
			fail "client did not negotiate $cipher"
		p2p_check "$s" "$c" "$mode"
		p2p_stop "$c" "$s"
	done
done
echo "ok: DCO <-> userspace data channel, UDP and TCP, both ciphers"
