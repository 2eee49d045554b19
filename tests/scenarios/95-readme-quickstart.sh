#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The README's quick starts, run as the README shows them, so they cannot rot:
# the code blocks are read from the README itself at run time.
# 1. "a static-key tunnel between two hosts": the underlay gets the README's
#    addresses (192.168.1.1 on a, .2 on b); each namespace has its own
#    /etc/ovpn-cli (ip netns exec binds /etc/netns/NS/ovpn-cli there) and
#    its own run directory (OVPN_CLI_RUNDIR). The key block runs on a and
#    the key file is copied to b; the config block is a's file, and b's is
#    made from it as the README says (local and remote swapped, 10.8.0.2/24).
#    The commands block runs line by line on a, then on b: every line must
#    succeed, show must name the device, the ping must be answered, and after
#    down no device is left. Then the one-command form on a (b's line made
#    the same way) carries a ping. systemctl's line is checked on the host by
#    `make systemd-check` (the guest has no systemd).
# 2. "OpenVPN 2.6": OpenVPN 2.6 with server.conf and client.conf (the options
#    scenario 60 passes on the command line, written as config files) runs
#    the block's commands: the device is of kind ovpn-dco, get_peer answers.
# The OpenVPN 2.7 block needs OpenVPN 2.7, which Debian 12 does not ship; its
# kind `ovpn` path is scenario 85's.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"
. "$(dirname "$0")/lib/openvpn.sh"

README=${OVPN_README:-/opt/ovpn/README.md}
require_module
require_cli
require_openvpn
[ -r "$README" ] || fail "no README at $README"
PATH="$(dirname "$OVPN_CLI"):/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
export PATH
# ip netns exec binds /etc/netns/NS/ovpn-cli onto an existing /etc/ovpn-cli
ETC_MADE=
[ -d /etc/ovpn-cli ] || { mkdir -p /etc/ovpn-cli && ETC_MADE=1; }
trap 'rc=$?; rm -rf "/etc/netns/$A" "/etc/netns/$B"; [ -z "$ETC_MADE" ] || rmdir /etc/ovpn-cli; cleanup; exit $rc' EXIT
setup_two_hosts
quiet_new_devices "$A" "$B"

# block SECTION N: the Nth indented code block of README section SECTION
block() {
	awk -v sec="$1" -v want="$2" '
		/^## / { insec = (substr($0, 4) == sec); inb = 0; next }
		!insec { next }
		/^    / { if (!inb) { nb++; inb = 1 } if (nb == want) print substr($0, 5); next }
		{ inb = 0 }' "$README"
}
# on NS CMD: a README command in NS, with NS's run directory
on() { OVPN_CLI_RUNDIR=$LOGDIR/run-$1 ns "$1" sh -c "$2"; }

S='Quick start: a static-key tunnel between two hosts'
K=$(block "$S" 1) C=$(block "$S" 2) U=$(block "$S" 3) O=$(block "$S" 4)
for b in K C U O; do
	[ -n "${!b}" ] || fail "README section '$S': code block $b missing"
done

echo "== 1. static-key tunnel, as the README shows it"
ip -n "$A" addr add 192.168.1.1/24 dev "$A_DEV" || fail "underlay address on a"
ip -n "$B" addr add 192.168.1.2/24 dev "$B_DEV" || fail "underlay address on b"
mkdir -p "/etc/netns/$A/ovpn-cli" "/etc/netns/$B/ovpn-cli" "$LOGDIR/run-$A" "$LOGDIR/run-$B"
chmod 700 "/etc/netns/$A/ovpn-cli" "/etc/netns/$B/ovpn-cli"
while IFS= read -r line; do
	log "a\$ $line"
	out=$(on "$A" "$line" 2>&1) || fail "README line failed on a: $line: $out"
done <<<"$K"
key=$(sed -n 's/^key = //p' <<<"$C")
[ -n "$key" ] || fail "the config block names no key file: $C"
cp -p "/etc/netns/$A${key#/etc}" "/etc/netns/$B${key#/etc}" || fail "cannot copy the key to b"
conf=$(sed -n 's/^ovpn-cli up \([^ ]*\).*/\1/p' <<<"$U" | head -n 1)
[ -n "$conf" ] || fail "the commands block has no 'ovpn-cli up NAME'"
printf '%s\n' "$C" >"/etc/netns/$A/ovpn-cli/$conf.conf"
awk '$1 == "local" { l = $3 } $1 == "remote" { r = $3 } { a[NR] = $0 }
	END { for (i = 1; i <= NR; i++) { s = a[i]
		if (s ~ /^local /) sub(l, r, s); else if (s ~ /^remote /) sub(r, l, s)
		sub(/10\.8\.0\.1\/24/, "10.8.0.2/24", s); print s } }' <<<"$C" >"/etc/netns/$B/ovpn-cli/$conf.conf"
sed 's/^/    b.conf: /' "/etc/netns/$B/ovpn-cli/$conf.conf"
grepq '^local = 192.168.1.2:1194$' <"/etc/netns/$B/ovpn-cli/$conf.conf" || fail "b's config was not derived"
while IFS= read -r line; do
	case $line in
	ping*) # the handshake completes in the background after up
		wait_for "ns $A ping -c 1 -W 1 10.8.0.2 >/dev/null" 15 ||
			fail "no handshake within 15 s: $(cat "$LOGDIR/run-$A"/*.log 2>/dev/null)" ;;
	esac
	for n in "$A" "$B"; do
		log "$n\$ $line"
		out=$(on "$n" "$line" 2>&1) || fail "README line failed on $n: $line: $out"
		printf '%s\n' "$out" | sed 's/^/    /'
		case $line in
		*" show "*) grepq "$conf" <<<"$out" || fail "show on $n does not name $conf: $out" ;;
		ping*) grepq ' 0% packet loss' <<<"$out" || fail "README ping lost packets on $n: $out" ;;
		esac
	done
done <<<"$U"
for n in "$A" "$B"; do
	ns "$n" "$IP_BIN" link show "$conf" >/dev/null 2>&1 && fail "$conf still exists in $n after down"
done

log "a\$ $O"
bg os-a "$A" sh -c "$O"
ob=$(sed 's/192\.168\.1\.1 1194 192\.168\.1\.2/192.168.1.2 1194 192.168.1.1/; s/10\.8\.0\.1 \(255[^ ]*\) 10\.8\.0\.2/10.8.0.2 \1 10.8.0.1/; s/ 0$/ 1/' <<<"$O")
log "b\$ $ob"
bg os-b "$B" sh -c "$ob"
oneshot_wait_ready os-a && oneshot_wait_ready os-b || fail "one-shot not ready: $(cat "$(bg_log os-a)" "$(bg_log os-b)")"
ns "$A" ping -c 3 -W 2 10.8.0.2 | grepq ' 0% packet loss' || fail "no ping through the one-command tunnel"
bg_stop os-a TERM 10 || fail "one-shot a: exit status $?"
bg_stop os-b TERM 10 || fail "one-shot b: exit status $?"

echo "== 2. OpenVPN 2.6, as the README shows it"
S26='Quick start: OpenVPN 2.6'
R26=$(block "$S26" 1)
[ -n "$R26" ] || fail "README section '$S26': no code block"
run26=$(head -n 1 <<<"$R26")
grepq -- '--config server.conf' <<<"$run26" || fail "the OpenVPN 2.6 block starts with '$run26'"
pki_init
mkdir -p "$LOGDIR/srv" "$LOGDIR/cli"
# write_conf FILE OPTIONS...: an openvpn config file of command-line options
write_conf() {
	local f=$1
	shift
	printf '%s\n' "$*" | sed 's/ --/\n/g; s/^--//' >"$f"
}
# shellcheck disable=SC2046
write_conf "$LOGDIR/srv/server.conf" $(ovpn_common server) --dev "$OVPN_TUN" --proto udp --lport "$PORT" \
	--tls-server --dh none --ifconfig "$A_VPN" "$B_VPN" --data-ciphers AES-256-GCM
# shellcheck disable=SC2046
write_conf "$LOGDIR/cli/client.conf" $(ovpn_common client) --dev "$OVPN_TUN" --proto udp --remote "$A_IP" "$PORT" \
	--nobind --tls-client --remote-cert-tls server --ifconfig "$B_VPN" "$A_VPN" --data-ciphers AES-256-GCM
bg srv "$A" sh -c "cd '$LOGDIR/srv' && exec $run26"
bg cli "$B" sh -c "cd '$LOGDIR/cli' && exec ${run26/server.conf/client.conf}"
ovpn_wait_up srv 40
ovpn_wait_up cli 40
grepq 'DCO device tun0 opened' <"$(bg_log srv)" || fail "the server did not log 'DCO device tun0 opened'"
ping_ok "$B" "$A_VPN"
tail -n +2 <<<"$R26" | while IFS= read -r line; do
	log "a\$ $line"
	out=$(ns "$A" sh -c "$line" 2>&1) || fail "README line failed: $line: $out"
	printf '%s\n' "$out" | sed 's/^/    /'
	case $line in
	*"link show"*) grepq 'ovpn-dco' <<<"$out" || fail "tun0 is not of kind ovpn-dco: $out" ;;
	*get_peer*) grepq 'vpn_rx_bytes' <<<"$out" || fail "get_peer shows no counters: $out" ;;
	esac
done || exit 1
bg_stop cli TERM 10
bg_stop srv TERM 10
echo "ok: the README's static-key tunnel (config files, up, show, ping, down, one command) and its OpenVPN 2.6 commands work as shown"
