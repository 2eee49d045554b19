#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# OpenVPN 2.6 as a multi-peer server over UDP (--server, --topology subnet,
# --server-ipv6) with our module (MP device), three clients at once (c1 and
# c3 AES-256-GCM, c2 CHACHA20-POLY1305), each with DCO: IPv4 and IPv6 inside
# the tunnel both ways, iperf3, no client-to-client without forwarding on the
# server, and the LAN behind c1 (client-config-dir iroute + --route)
# reachable from the server.
# timeout: 200
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/openvpn.sh"

require_module
require_cli
require_openvpn
pki_init
mp_run udp 3
echo "ok: OpenVPN MP server over UDP with 3 DCO clients"
