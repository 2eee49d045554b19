#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# One-shot tunnel a <-> b with --cipher aes-192-gcm (AES-192-GCM): ping (0% loss) and iperf3
# TCP both ways (non-zero Mbit/s) through it, device and peer counters moved
# on both ends; then b alone restarts with aes-256-gcm (same key file) and must
# receive nothing, counting a's packets as dropped: the kernel really uses
# aes-192-gcm.
# timeout: 120
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

require_module
require_cli
cipher_tunnel_checks aes-192-gcm aes-256-gcm
