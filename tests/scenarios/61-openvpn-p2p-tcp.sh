#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Debian's OpenVPN 2.6 in P2P TLS mode over TCP (server in a, client in b)
# with our module as its data channel offload, once with AES-256-GCM and once
# with CHACHA20-POLY1305: OpenVPN reports DCO, the devices are ovpn-dco, ping
# and iperf3 cross both ways and the device and GET_PEER counters move.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/openvpn.sh"

require_module
require_cli
require_openvpn
pki_init
setup_two_hosts

for cipher in $OVPN_CIPHERS; do
	log "--- TCP P2P, $cipher"
	p2p_server "srv-$cipher" tcp "$cipher"
	p2p_client "cli-$cipher" tcp "$cipher"
	ovpn_wait_up "srv-$cipher" 40
	ovpn_wait_up "cli-$cipher" 40
	grep -h -E 'Data Channel: cipher|DCO version|DCO device' "$(bg_log "srv-$cipher")" | sed 's/^/  srv: /'
	grep -q "Data Channel: cipher '$cipher'" "$(bg_log "cli-$cipher")" ||
		fail "client did not negotiate $cipher: $(grep 'Data Channel' "$(bg_log "cli-$cipher")")"
	p2p_check "srv-$cipher" "cli-$cipher"
	p2p_stop "cli-$cipher" "srv-$cipher"
done
echo "ok: OpenVPN P2P TCP with DCO, both ciphers"
