# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Helpers of the multi-peer scenarios (50-59). Source it after tests/lib.sh:
#
#   . "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
#   . "$(dirname "$0")/lib/mp.sh"
#
# It lives in a subdirectory because every tests/scenarios/*.sh runs as a
# scenario.
#
# Topology: a server namespace "s" with one multi-peer device (ovpn0) and
# client namespaces c1, c2, ... each joined to s by its own veth pair and
# underlay subnet, each running the one-shot CLI (a P2P device ovpn0) with
# --peer-id N:
#
#   s: vs<N> 192.168.10<N>.1/24  <->  c<N>: vc 192.168.10<N>.2/24
#      (and fd00:10<N>::1/64 <-> fd00:10<N>::2/64 unless MP_NO_IPV6=1;
#      client N's tunnel runs over IPv6 when MP_UNDERLAY6[N]=1)
#   VPN: server 10.8.0.1/24 (+ fd00:8::1/64), client N 10.8.0.<N+1>/24
#        (+ the IPv6 address MP_VPN6[N], default fd00:8::<N+1>)
#   UDP port 1194 everywhere; client N's key: $LOGDIR/c<N>.key (genkey),
#   direction 0 on the server, 1 on the client.

MP_S=s
MP_DEV=ovpn0
MP_SRV_VPN=10.8.0.1
MP_SRV_VPN6=fd00:8::1
MP_PORT=1194
MP_PEERS_FILE=$LOGDIR/peers
declare -a MP_VPN6=()
declare -a MP_UNDERLAY6=()

mp_cns() { echo "c$1"; }
mp_srv_ip() {
	if [ "${MP_UNDERLAY6[$1]:-0}" = 1 ]; then echo "fd00:10$1::1"; else echo "192.168.10$1.1"; fi
}
mp_cli_ip() {
	if [ "${MP_UNDERLAY6[$1]:-0}" = 1 ]; then echo "fd00:10$1::2"; else echo "192.168.10$1.2"; fi
}
# mp_cli_remote N: client N's transport address as GET_PEER prints it
mp_cli_remote() {
	if [ "${MP_UNDERLAY6[$1]:-0}" = 1 ]; then echo "[$(mp_cli_ip "$1")]:$MP_PORT"; else echo "$(mp_cli_ip "$1"):$MP_PORT"; fi
}
mp_vpn4() { echo "10.8.0.$(($1 + 1))"; }
mp_vpn6() { echo "${MP_VPN6[$1]:-fd00:8::$(($1 + 1))}"; }
mp_key() { echo "$LOGDIR/c$1.key"; }

# mp_ifindex NS DEV: the device's ifindex ("" if it does not exist).
mp_ifindex() {
	ns "$1" cat "/sys/class/net/$2/ifindex" 2>/dev/null
}

# mp_no_ipv6 NS...: devices created from now on in NS get no IPv6 (no
# router solicitations or MLD reports in the tunnels), so drop counters
# only count what a scenario sends.
mp_no_ipv6() {
	local n
	for n in "$@"; do
		ns "$n" /usr/sbin/sysctl -qw net.ipv6.conf.default.disable_ipv6=1 ||
			fail "cannot set net.ipv6.conf.default.disable_ipv6 in $n"
	done
}

# mp_underlay N...: namespace s and clients c<N>, each joined to s by a
# veth pair (vs<N> in s, vc in c<N>). MP_NO_IPV6=1: no IPv6 on any device
# created in them (see mp_no_ipv6).
mp_underlay() {
	local i c s6 c6
	if [[ " ${_NS_CREATED[*]} " != *" $MP_S "* ]]; then
		ns_add "$MP_S"
		[ "${MP_NO_IPV6:-0}" = 1 ] && mp_no_ipv6 "$MP_S"
	fi
	for i in "$@"; do
		c=$(mp_cns "$i")
		ns_add "$c"
		[ "${MP_NO_IPV6:-0}" = 1 ] && mp_no_ipv6 "$c"
		ip link add "vs$i" netns "$MP_S" type veth peer name vc netns "$c" ||
			fail "cannot create the veth pair to $c"
		s6='' c6=''
		if [ "${MP_NO_IPV6:-0}" != 1 ]; then
			s6="fd00:10$i::1/64" c6="fd00:10$i::2/64"
		fi
		link_end "$MP_S" "vs$i" "192.168.10$i.1/24" "$s6"
		link_end "$c" vc "192.168.10$i.2/24" "$c6"
	done
	for i in "$@"; do
		wait_link_up "$MP_S" "vs$i"
		wait_link_up "$(mp_cns "$i")" vc
	done
}

# mp_keys N...: one fresh key per client.
mp_keys() {
	local i
	for i in "$@"; do
		rm -f "$(mp_key "$i")"
		"$OVPN_CLI" genkey "$(mp_key "$i")" || fail "genkey for c$i"
	done
}

# mp_peers_file N...: the server's peers file for clients N (with their
# IPv6 VPN addresses when MP_WITH_V6=1).
mp_peers_file() {
	local i
	{
		echo "# <peer-id> <remote-ip> <remote-port> <vpn-ipv4|-> [<vpn-ipv6>]"
		for i in "$@"; do
			if [ "${MP_WITH_V6:-0}" = 1 ]; then
				echo "$i $(mp_cli_ip "$i") $MP_PORT $(mp_vpn4 "$i") $(mp_vpn6 "$i")"
			else
				echo "$i $(mp_cli_ip "$i") $MP_PORT $(mp_vpn4 "$i")"
			fi
		done
	} >"$MP_PEERS_FILE"
}

# mp_server N...: the MP device in s with one peer per client (one
# new_multi_peer with options MP_SRV_OPTS, one new_key each), 10.8.0.1/24
# (and fd00:8::1/64 when MP_WITH_V6=1), link up.
mp_server() {
	local i out
	out=$(cli "$MP_S" new_iface "$MP_DEV" mp 2>&1) || fail "new_iface $MP_DEV mp: $out"
	mp_peers_file "$@"
	out=$(cli "$MP_S" "$MP_DEV" new_multi_peer "$MP_PORT" "$MP_PEERS_FILE" ${MP_SRV_OPTS:-} 2>&1) ||
		fail "new_multi_peer: $out ($(cat "$MP_PEERS_FILE"))"
	for i in "$@"; do
		out=$(cli "$MP_S" "$MP_DEV" new_key "$i" primary 0 aes-256-gcm 0 "$(mp_key "$i")" --raw-key 2>&1) ||
			fail "new_key for peer $i: $out"
	done
	ns "$MP_S" "$IP_BIN" addr add "$MP_SRV_VPN/24" dev "$MP_DEV" || fail "addr add on $MP_DEV"
	if [ "${MP_WITH_V6:-0}" = 1 ]; then
		ns "$MP_S" "$IP_BIN" -6 addr add "$MP_SRV_VPN6/64" dev "$MP_DEV" nodad ||
			fail "addr add $MP_SRV_VPN6 on $MP_DEV"
	fi
	ns "$MP_S" "$IP_BIN" link set "$MP_DEV" up || fail "link set $MP_DEV up"
	wait_for "ns $MP_S $IP_BIN -o link show $MP_DEV | grepq '[<,]UP[,>]'" 5 ||
		fail "$MP_DEV not up in $MP_S"
}

# mp_client N [one-shot options...]: client N's one-shot tunnel to the
# server (background name tun-c<N>), IPv6 VPN address too when MP_WITH_V6=1;
# --raw-key: the server's keys are installed with new_key, there is no
# handshake on an MP device;
# bound to 0.0.0.0 instead of its underlay address when MP_CLI_ANY=1.
# The server's peers send no keepalives: the client's 60 s expiry (the CLI's
# default) is stretched by the timeout factor so a slow kernel's scenario
# does not outlast it. Later options (a caller's --keepalive) win.
mp_client() {
	local i=$1 v6=() lip fam=i4
	shift
	[ "${MP_WITH_V6:-0}" = 1 ] && v6=(--vpn-ip6 "$(mp_vpn6 "$i")/64")
	lip=$(mp_cli_ip "$i")
	[ "${MP_CLI_ANY:-0}" = 1 ] && lip=0.0.0.0
	if [ "${MP_UNDERLAY6[$i]:-0}" = 1 ]; then
		fam=i6
		[ "${MP_CLI_ANY:-0}" = 1 ] && lip=::
	fi
	oneshot_start "tun-c$i" "$(mp_cns "$i")" udp "$fam" "$lip" "$MP_PORT" \
		"$(mp_srv_ip "$i")" "$MP_PORT" "$(mp_vpn4 "$i")" 24 "$MP_SRV_VPN" \
		"$(mp_key "$i")" 1 --raw-key --peer-id "$i" --keepalive 5,"$(slow_secs 60)" "${v6[@]}" "$@"
}

# mp_setup N...: underlay, keys, server, and one client per N.
mp_setup() {
	local i
	require_module
	require_cli
	mp_underlay "$@"
	mp_keys "$@"
	mp_server "$@"
	for i in "$@"; do
		mp_client "$i"
	done
}

# mp_peer NS DEV ID FIELD: one GET_PEER field of peer ID ("?" if absent).
mp_peer() {
	local out
	out=$(get_peer "$1" "$2" "$3" 2>&1) || { echo "?"; return 1; }
	kv_field "$out" "$4"
}

# mp_srv_peer ID FIELD: the same on the server.
mp_srv_peer() {
	mp_peer "$MP_S" "$MP_DEV" "$1" "$2"
}

# mp_dump_ids NS DEV: the peer ids of a GET_PEER dump, sorted, on one line.
mp_dump_ids() {
	get_peer "$1" "$2" | awk '$1 == "peer_id" { print $2 }' | sort -n | tr '\n' ' ' | sed 's/ $//'
}

# mp_ping_ok NS DST [ping options]: 3 echo replies within 8 s.
mp_ping_ok() {
	local n=$1 dst=$2 out
	shift 2
	out=$(nst 15 "$n" /usr/bin/ping -c 3 -i 0.3 -w 8 "$@" "$dst" 2>&1) ||
		fail "ping $* $dst from $n failed: $(printf '%s\n' "$out" | tail -n 2)"
	log "ping $* $dst from $n: $(printf '%s\n' "$out" | grep 'packets transmitted')"
}

# mp_ping_fails NS DST [ping options]: no echo reply at all to 3 requests.
mp_ping_fails() {
	local n=$1 dst=$2 out
	shift 2
	if out=$(nst 15 "$n" /usr/bin/ping -c 3 -i 0.3 -W 1 "$@" "$dst" 2>&1); then
		fail "ping $* $dst from $n unexpectedly got replies: $(printf '%s\n' "$out" | tail -n 2)"
	fi
	[[ "$out" =~ \ 0\ received ]] ||
		fail "ping $* $dst from $n: expected no reply at all: $(printf '%s\n' "$out" | tail -n 2)"
	log "ping $* $dst from $n fails as expected: $(printf '%s\n' "$out" | grep 'packets transmitted')"
}

# mp_cli_refused NS ERRNO ARGS...: `ovpn-cli ARGS` in NS must exit 1 and
# print "(errno ERRNO): <message>" with a real extack message. Sets MP_OUT.
MP_OUT=""
mp_cli_refused() {
	local n=$1 want=$2 rc line msg
	shift 2
	MP_OUT=$(cli "$n" "$@" 2>&1)
	rc=$?
	echo "  \$ ovpn-cli $* -> exit $rc: $MP_OUT"
	[ "$rc" = 1 ] || fail "ovpn-cli $*: exit status $rc, expected 1 (output: $MP_OUT)"
	line=$(printf '%s\n' "$MP_OUT" | grep -m1 -E '\(errno [0-9]+\): ') ||
		fail "ovpn-cli $*: no '(errno N): message' line in: $MP_OUT"
	[[ "$line" =~ \(errno\ ([0-9]+)\):\ (.*)$ ]] || fail "cannot parse: $line"
	[ "${BASH_REMATCH[1]}" = "$want" ] ||
		fail "ovpn-cli $*: errno ${BASH_REMATCH[1]}, expected $want: $line"
	msg=${BASH_REMATCH[2]}
	[ -n "$msg" ] && [ "$msg" != "no extack message" ] ||
		fail "ovpn-cli $*: the kernel gave no extack message: $line"
}

# mp_show_peers: the server's GET_PEER dump, indented (for the log).
mp_show_peers() {
	get_peer "$MP_S" "$MP_DEV" 2>&1 | sed 's/^/  s: /'
}
