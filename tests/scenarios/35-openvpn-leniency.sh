#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The key commands are lenient where OpenVPN needs it (it treats any error
# as fatal), on a live one-shot tunnel:
#  - del_key of the empty secondary slot succeeds and changes nothing;
#  - swap_keys with an empty secondary succeeds, and really swaps: a's
#    primary is now empty, so traffic stops; swapping back restores it;
#  - new_key on the occupied primary slot replaces the key: with only a
#    replaced, b cannot decrypt (traffic stops); once b replaces too,
#    traffic flows with the new key;
#  - del_key of an emptied primary and swap_keys with both slots empty
#    succeed as well.
# timeout: 90
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
setup_two_hosts
oneshot_pair
ping_ok "$A" "$B_VPN"

# del_key on an empty slot
cli_ok "$A" "$OVPN_DEV" del_key 0 secondary
log "del_key 0 secondary (empty): exit 0"
ping_ok "$A" "$B_VPN"

# swap_keys with an empty secondary: primary becomes empty
cli_ok "$A" "$OVPN_DEV" swap_keys 0
log "swap_keys 0 (secondary empty): exit 0"
ping_fails "$A" "$B_VPN"
cli_ok "$A" "$OVPN_DEV" swap_keys 0
log "swap_keys 0 again: exit 0"
ping_ok "$A" "$B_VPN"

# new_key on the occupied primary slot replaces the key
cli_ok "$A" genkey "$LOGDIR/new.key"
[ -s "$LOGDIR/new.key" ] || fail "genkey wrote no key"
cli_ok "$A" "$OVPN_DEV" new_key 0 primary 0 aes-256-gcm 0 "$LOGDIR/new.key" --raw-key
log "new_key 0 primary (occupied) on a: exit 0"
ping_fails "$A" "$B_VPN"
cli_ok "$B" "$OVPN_DEV" new_key 0 primary 0 aes-256-gcm 1 "$LOGDIR/new.key" --raw-key
log "new_key 0 primary (occupied) on b: exit 0"
ping_ok "$A" "$B_VPN"
ping_ok "$B" "$A_VPN"

# emptying both slots is allowed too
cli_ok "$A" "$OVPN_DEV" del_key 0 primary
ping_fails "$A" "$B_VPN"
cli_ok "$A" "$OVPN_DEV" del_key 0 primary
cli_ok "$A" "$OVPN_DEV" del_key 0
cli_ok "$A" "$OVPN_DEV" swap_keys 0
log "del_key of an empty primary and swap_keys with both slots empty: exit 0"

# none of this removed the peer
for s in tun-a tun-b; do
	bg_alive "$s" || fail "one-shot $s exited: $(tail -n 3 "$(bg_log "$s")")"
done
peer_still_there "$A" "$OVPN_DEV" 0 || fail "a's peer is gone"
echo "ok: DEL_KEY, SWAP_KEYS and NEW_KEY are lenient and effective"
