# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Helpers of the scenarios that run the real OpenVPN daemon (60-69): Debian's
# unmodified openvpn (2.6) in namespaces, with our module as its DCO. Source
# it after tests/lib.sh:
#
#   . "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
#   . "$(dirname "$0")/lib/openvpn.sh"
#
# (A subdirectory, because every tests/scenarios/*.sh runs as a scenario.)
#
# PKI: a throwaway ECDSA P-256 CA, a server certificate (CN server) and
# client certificates (CN client, c1..c4), made with openssl once per guest
# boot in $OVPN_PKI and reused by later scenarios.
#
# Daemons run in the foreground as background jobs of lib.sh (`bg`), their
# output (--verb 4) in $LOGDIR/<name>.log; `fail` prints the tails.

OPENVPN_BIN=${OPENVPN_BIN:-/usr/sbin/openvpn}
OPENSSL_BIN=${OPENSSL_BIN:-/usr/bin/openssl}
OVPN_PKI=${OVPN_PKI:-/tmp/ovpn-pki}
OVPN_TUN=tun0
OVPN_CIPHERS="AES-256-GCM CHACHA20-POLY1305"

require_openvpn() {
	[ -x "$OPENVPN_BIN" ] || fail "$OPENVPN_BIN missing in the guest (harness binary list)"
	[ -x "$OPENSSL_BIN" ] || fail "$OPENSSL_BIN missing in the guest (harness binary list)"
}

# ----------------------------------------------------------------------- PKI

_pki_cnf() {
	cat <<'EOF'
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_server ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
[ v3_client ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
EOF
}

# _pki_cert NAME EXT: key + certificate NAME signed by the CA.
_pki_cert() {
	local d=$1 name=$2 ext=$3
	"$OPENSSL_BIN" req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-config "$d/openssl.cnf" -subj "/CN=$name" \
		-keyout "$d/$name.key" -out "$d/$name.csr" &&
	"$OPENSSL_BIN" x509 -req -in "$d/$name.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
		-CAcreateserial -days 3 -extfile "$d/openssl.cnf" -extensions "$ext" \
		-out "$d/$name.crt"
}

# pki_init: make the PKI once per boot (under a lock: scenarios run one at a
# time, but keep it safe).
pki_init() {
	local d=$OVPN_PKI
	[ -s "$d/done" ] && return 0
	mkdir -p "$d"
	(
		/usr/bin/flock 9
		[ -s "$d/done" ] && exit 0
		_pki_cnf >"$d/openssl.cnf"
		"$OPENSSL_BIN" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-config "$d/openssl.cnf" -extensions v3_ca -subj "/CN=ovpn-test-ca" -days 3 \
			-keyout "$d/ca.key" -out "$d/ca.crt" || exit 1
		_pki_cert "$d" server v3_server || exit 1
		for c in client c1 c2 c3 c4; do
			_pki_cert "$d" "$c" v3_client || exit 1
		done
		echo ok >"$d/done"
	) 9>"$d/.lock" >"$LOGDIR/pki.log" 2>&1 || fail "PKI generation failed: $(tail -n 20 "$LOGDIR/pki.log")"
}

# ------------------------------------------------------------------- daemon

# ovpn_common CN: the options every instance gets (TLS with certificate CN,
# short timeouts, logs).
ovpn_common() {
	local cn=$1
	echo --ca "$OVPN_PKI/ca.crt" --cert "$OVPN_PKI/$cn.crt" --key "$OVPN_PKI/$cn.key" \
		--verb 4 --hand-window 20 --connect-retry 1 1 --connect-timeout 5 \
		--tls-timeout 1 --mute-replay-warnings
}

# ovpn_start NAME NS CN OPTIONS...: start openvpn in NS with the common
# options + OPTIONS (paths in OPTIONS must not contain spaces).
ovpn_start() {
	local name=$1 n=$2 cn=$3
	shift 3
	# shellcheck disable=SC2046
	bg "$name" "$n" "$OPENVPN_BIN" $(ovpn_common "$cn") "$@"
}

# ovpn_wait_up NAME [TIMEOUT]: wait for "Initialization Sequence Completed".
ovpn_wait_up() {
	wait_log "$1" 'Initialization Sequence Completed' "${2:-30}"
}

# ovpn_count NAME ERE: how many lines of NAME's log match.
ovpn_count() {
	grep -Ec -- "$2" "$(bg_log "$1")"
}

# ovpn_wait_count NAME ERE N TIMEOUT: wait until NAME's log has >= N matching lines.
ovpn_wait_count() {
	wait_for "[ \$(ovpn_count $1 '$2') -ge $3 ]" "$4"
}

# ovpn_no_errors NAME: the log has no DCO errors or fatal lines.
ovpn_no_errors() {
	local l
	l=$(grep -E 'dco update keys error|Cannot (add|set|open|create).*DCO|Impossible to install key material in DCO|DCO: cannot|received bogus|ovpn-dco: (invalid|no |Received message without)|Exiting due to fatal error|ERROR: Failed to apply DCO|netlink reports' "$(bg_log "$1")" |
		grep -v 'dco_del_peer: netlink reports object not found')
	[ -z "$l" ] || fail "$1 logged DCO errors: $l"
}

# assert_dco NAME NS [DEV]: OpenVPN NAME uses our module as its data channel:
# it printed the module's version and "DCO device DEV opened", never that it
# disabled DCO, and DEV in NS is of kind ovpn-dco.
assert_dco() {
	local name=$1 n=$2 dev=${3:-$OVPN_TUN} logf ver det
	logf=$(bg_log "$name")
	ver=$(cat /sys/module/ovpn_dco_v2/version 2>/dev/null)
	grep -q "DCO version: $ver" "$logf" || fail "$name: log lacks 'DCO version: $ver': $(grep -i 'dco version' "$logf")"
	grep -q "DCO device $dev opened" "$logf" || fail "$name: log lacks 'DCO device $dev opened'"
	if grep -Ei 'disabling data channel offload|--disable-dco|non-DCO|Kernel support for ovpn-dco missing' "$logf"; then
		fail "$name: OpenVPN disabled DCO"
	fi
	det=$(ns "$n" "$IP_BIN" -d link show dev "$dev" 2>&1) || fail "$name: no device $dev in $n: $det"
	[[ "$det" == *ovpn-dco* ]] || fail "$name: $dev in $n is not of kind ovpn-dco: $det"
	ovpn_no_errors "$name"
}

# assert_no_dco NAME NS [DEV]: NAME runs OpenVPN's userspace data channel
# (--disable-dco) on a tun device.
assert_no_dco() {
	local name=$1 n=$2 dev=${3:-$OVPN_TUN} det
	grep -q "DCO device $dev opened" "$(bg_log "$name")" && fail "$name: uses DCO, expected --disable-dco"
	det=$(ns "$n" "$IP_BIN" -d link show dev "$dev" 2>&1) || fail "$name: no device $dev in $n: $det"
	[[ "$det" == *ovpn-dco* ]] && fail "$name: $dev in $n is ovpn-dco, expected tun: $det"
	[[ "$det" == *" tun "* ]] || fail "$name: $dev in $n is not a tun device: $det"
	return 0
}

# need_tun: the userspace data channel opens /dev/net/tun.
need_tun() {
	modprobe tun 2>/dev/null
	[ -c /dev/net/tun ] || { mkdir -p /dev/net && mknod /dev/net/tun c 10 200; } ||
		fail "no /dev/net/tun"
}

# ------------------------------------------------------------------ traffic

# ping_ok NS DST [COUNT]: ping through the tunnel, no loss allowed.
ping_ok() {
	local n=$1 dst=$2 c=${3:-3} out
	out=$(nst $((c + 15)) "$n" /usr/bin/ping -c "$c" -i 0.2 -W 2 "$dst" 2>&1) ||
		fail "ping $dst from $n failed: $out"
	[[ "$out" == *" 0% packet loss"* ]] || fail "ping $dst from $n lost packets: $out"
	echo "ping $n -> $dst: $(echo "$out" | tail -n 1)"
}

# ping_fails NS DST: no answer at all.
ping_fails() {
	local out
	if out=$(nst 10 "$1" /usr/bin/ping -c 2 -i 0.3 -W 1 "$2" 2>&1); then
		fail "ping $2 from $1 unexpectedly works: $out"
	fi
	echo "ping $1 -> $2 fails as expected"
}

# wait_ping NS DST TIMEOUT: until one ping succeeds.
wait_ping() {
	wait_for "nst 3 $1 /usr/bin/ping -c 1 -W 1 $2" "$3" 0.2
}

# iperf_both CLIENT_NS SERVER_NS SERVER_IP [SECS]: iperf3 both directions
# through the tunnel; each must move data. Prints the rates.
_IPERF_SRV=0
iperf_both() {
	local cn=$1 sn=$2 ip=$3 secs=${4:-2} up down
	_IPERF_SRV=$((_IPERF_SRV + 1))
	iperf_server "iperf-$_IPERF_SRV" "$sn"
	up=$(iperf_mbps "$cn" "$ip" "$secs") || fail "iperf3 $cn -> $ip failed"
	down=$(iperf_mbps "$cn" "$ip" "$secs" -R) || fail "iperf3 $ip -> $cn (-R) failed"
	echo "iperf3 $cn -> $ip: $up Mbit/s, reverse: $down Mbit/s"
	assert_gt "$up" 0 "iperf3 $cn -> $ip rate"
	assert_gt "$down" 0 "iperf3 $ip -> $cn rate"
	bg_stop "iperf-$_IPERF_SRV" TERM 5 || true
}

# counters NS [DEV]: "rx_packets tx_packets" of the tunnel device.
counters() {
	echo "$(dev_stat "$1" "${2:-$OVPN_TUN}" rx_packets) $(dev_stat "$1" "${2:-$OVPN_TUN}" tx_packets)"
}

# assert_moved "RX0 TX0" NS MIN [DEV]: both counters grew by at least MIN.
assert_moved() {
	local rx0 tx0 rx tx
	read -r rx0 tx0 <<<"$1"
	read -r rx tx <<<"$(counters "$2" "${4:-$OVPN_TUN}")"
	assert_ge "$rx" $((rx0 + $3)) "$2 ${4:-$OVPN_TUN} rx_packets"
	assert_ge "$tx" $((tx0 + $3)) "$2 ${4:-$OVPN_TUN} tx_packets"
}

# ovpn_get_peer NS [DEV]: `get_peer` on OpenVPN's device (a dump: every peer).
#
# With OVPN_MODULE=reference (Debian's openvpn-dco-dkms, tests/guest/run.sh
# --module reference) a dump of a P2P-mode device (every OpenVPN client and
# the P2P server) returns no peer at all: the reference's dumpit walks only
# the MP hash table (peers.by_id), while a P2P device keeps its one peer in
# ovpn->peer. OpenVPN itself never dumps (it asks by peer id), so for the
# reference only we ask by id: each peer id this scenario's OpenVPN logs
# mention ("peer-id N", "peer-id: N") is tried until the module answers.
# Our module must answer the dump (unchanged).
ovpn_get_peer() {
	local n=$1 dev=${2:-$OVPN_TUN} p id
	p=$(get_peer "$n" "$dev" 2>&1) || { printf '%s\n' "$p"; return 1; }
	if [ "${OVPN_MODULE:-ours}" != reference ] || grepq '^peer_id ' <<<"$p"; then
		printf '%s\n' "$p"
		return 0
	fi
	for id in $(cat "$LOGDIR"/*.log 2>/dev/null | grep -oE 'peer-id:? [0-9]+' | awk '{ print $NF }' | sort -un); do
		if p=$(get_peer "$n" "$dev" "$id" 2>/dev/null) && grep -q '^peer_id ' <<<"$p"; then
			echo "note: reference module: dump on P2P $dev in $n is empty; peer id $id answered" >&2
			printf '%s\n' "$p"
			return 0
		fi
	done
	echo "reference module: no peer in the dump on $dev in $n, and no logged peer id answered" >&2
	return 1
}

# assert_peer_stats NS [DEV] [PEER_ID]: GET_PEER through our CLI on
# OpenVPN's device answers with moving VPN and LINK counters.
assert_peer_stats() {
	local n=$1 dev=${2:-$OVPN_TUN} id=${3:-} p k
	if [ -n "$id" ]; then
		p=$(get_peer "$n" "$dev" "$id" 2>&1) || fail "get_peer on $dev in $n failed: $p"
	else
		p=$(ovpn_get_peer "$n" "$dev" 2>&1) || fail "get_peer on $dev in $n failed: $p"
	fi
	for k in vpn_rx_packets vpn_tx_packets link_rx_packets link_tx_packets; do
		assert_gt "$(kv_field "$p" $k)" 0 "$n $dev peer ${id:-} $k"
	done
	echo "get_peer $n $dev ${id:-}: $(printf '%s\n' "$p" | awk '$1 ~ /^(peer_id|remote|vpn_rx_packets|vpn_tx_packets|link_rx_packets|link_tx_packets)$/ { printf "%s=%s ", $1, $2 }')"
}

# ------------------------------------------------------------- topologies

# P2P pair: server in a (10.8.0.1), client in b (10.8.0.2).
# p2p_server NAME PROTO CIPHER [OPTIONS...]  (PROTO udp|tcp)
p2p_server() {
	local name=$1 proto=$2 cipher=$3
	shift 3
	local p=udp
	[ "$proto" = tcp ] && p=tcp-server
	ovpn_start "$name" "$A" server --dev "$OVPN_TUN" --proto "$p" --lport "$PORT" \
		--tls-server --dh none --ifconfig "$A_VPN" "$B_VPN" \
		--data-ciphers "$cipher" "$@"
}

# p2p_client NAME PROTO CIPHER [OPTIONS...]
p2p_client() {
	local name=$1 proto=$2 cipher=$3
	shift 3
	local p=udp
	[ "$proto" = tcp ] && p=tcp-client
	ovpn_start "$name" "$B" client --dev "$OVPN_TUN" --proto "$p" --remote "$A_IP" "$PORT" \
		--nobind --tls-client --remote-cert-tls server --ifconfig "$B_VPN" "$A_VPN" \
		--data-ciphers "$cipher" "$@"
}

# p2p_check SERVER_NAME CLIENT_NAME [--no-dco-server|--no-dco-client]:
# DCO on both (or one) side(s), ping and iperf3 both ways, counters moved.
p2p_check() {
	local s=$1 c=$2 mode=${3:-} ca cb
	case "$mode" in
	--no-dco-server) assert_no_dco "$s" "$A"; assert_dco "$c" "$B" ;;
	--no-dco-client) assert_dco "$s" "$A"; assert_no_dco "$c" "$B" ;;
	*) assert_dco "$s" "$A"; assert_dco "$c" "$B" ;;
	esac
	ca=$(counters "$A")
	cb=$(counters "$B")
	wait_ping "$B" "$A_VPN" 10 || fail "no ping $B -> $A_VPN through the tunnel within 10s"
	ping_ok "$B" "$A_VPN" 5
	ping_ok "$A" "$B_VPN" 5
	iperf_both "$B" "$A" "$A_VPN" 2
	assert_moved "$ca" "$A" 10
	assert_moved "$cb" "$B" 10
	[ "$mode" = --no-dco-server ] || assert_peer_stats "$A"
	[ "$mode" = --no-dco-client ] || assert_peer_stats "$B"
	ovpn_no_errors "$s"
	ovpn_no_errors "$c"
}

# p2p_stop NAMES...: SIGTERM each daemon, wait for its device to go. The
# first one stopped makes the other restart (connection reset); OpenVPN can
# lose a SIGTERM that lands in that restart (seen on 6.12: the daemon went
# on listening), so a daemon still there after 5 s gets a second one.
p2p_stop() {
	local n pid
	for n in "$@"; do
		pid=$(bg_pid "$n")
		kill -TERM "$pid" 2>/dev/null
		if ! wait_for "! _pid_running $pid" 5 0.05; then
			echo "note: $n still running 5 s after SIGTERM: sending it again"
		fi
		bg_stop "$n" TERM 10 || echo "note: $n exit status $?"
	done
	wait_for "! dev_exists $A $OVPN_TUN && ! dev_exists $B $OVPN_TUN" 10 ||
		fail "$OVPN_TUN still exists after the daemons exited"
}

# ------------------------------------------------------ multi-peer server
#
# Server namespace s (OpenVPN --server, MP device tun0: 10.8.0.1/24 +
# fd00:8::1/64), client namespaces c1..cN, each joined to s by its own veth
# pair: s vs<N> 192.168.10<N>.1/24 <-> c<N> vc 192.168.10<N>.2/24. Client N
# (certificate CN c<N>) gets 10.8.0.1<N> and fd00:8::1<N> from its
# client-config-dir file; c1 also owns the LAN 10.20.0.0/24 (iroute, device
# lan0 10.20.0.1/24 in c1).

SRV_NS=s
SRV_VPN=10.8.0.1
SRV_VPN6=fd00:8::1
LAN_NET=10.20.0.0
LAN_IP=10.20.0.1
cli_ns() { echo "c$1"; }
cli_srv_ip() { echo "192.168.10$1.1"; }
cli_vpn4() { echo "10.8.0.1$1"; }
cli_vpn6() { echo "fd00:8::1$1"; }

# mp_topology N: namespaces s, c1..cN, veths, c1's LAN.
mp_topology() {
	local n=$1 i c
	ns_add "$SRV_NS"
	ns "$SRV_NS" /usr/sbin/sysctl -qw net.ipv4.ip_forward=0
	for i in $(seq 1 "$n"); do
		c=$(cli_ns "$i")
		ns_add "$c"
		ip link add "vs$i" netns "$SRV_NS" type veth peer name vc netns "$c" ||
			fail "cannot create veth for $c"
		link_end "$SRV_NS" "vs$i" "192.168.10$i.1/24"
		link_end "$c" vc "192.168.10$i.2/24"
	done
	for i in $(seq 1 "$n"); do
		wait_link_up "$SRV_NS" "vs$i"
		wait_link_up "$(cli_ns "$i")" vc
	done
	lan_dev c1 lan0 "$LAN_IP/24"
	mkdir -p "$LOGDIR/ccd"
	for i in $(seq 1 "$n"); do
		{
			echo "ifconfig-push $(cli_vpn4 "$i") 255.255.255.0"
			echo "ifconfig-ipv6-push $(cli_vpn6 "$i")/64 $SRV_VPN6"
			[ "$i" = 1 ] && echo "iroute $LAN_NET 255.255.255.0"
		} >"$LOGDIR/ccd/c$i"
	done
}

# mp_server NAME PROTO [OPTIONS...]: the MP server in s (PROTO udp|tcp).
mp_server() {
	local name=$1 proto=$2 p=udp
	shift 2
	[ "$proto" = tcp ] && p=tcp-server
	ovpn_start "$name" "$SRV_NS" server --dev "$OVPN_TUN" --proto "$p" --port "$PORT" \
		--server 10.8.0.0 255.255.255.0 --topology subnet --server-ipv6 fd00:8::/64 \
		--dh none --client-config-dir "$LOGDIR/ccd" --route "$LAN_NET" 255.255.255.0 \
		--keepalive 2 10 --data-ciphers AES-256-GCM:CHACHA20-POLY1305 "$@"
}

# mp_client NAME N PROTO CIPHER [OPTIONS...]: client N in c<N>.
mp_client() {
	local name=$1 i=$2 proto=$3 cipher=$4 p=udp
	shift 4
	[ "$proto" = tcp ] && p=tcp-client
	ovpn_start "$name" "$(cli_ns "$i")" "c$i" --client --dev "$OVPN_TUN" --proto "$p" \
		--remote "$(cli_srv_ip "$i")" "$PORT" --nobind --remote-cert-tls server \
		--data-ciphers "$cipher" "$@"
}

# mp_peer_count NS: peers GET_PEER (dump) reports on tun0 in NS.
mp_peer_count() {
	get_peer "$1" "$OVPN_TUN" 2>/dev/null | grep -c '^peer_id '
}

# mp_checks PROTO N: the server and N clients are up: DCO everywhere,
# addresses, IPv4 + IPv6 both ways, iperf3, client-to-client, iroute, counters.
mp_checks() {
	local proto=$1 n=$2 i c s0 peers
	assert_dco srv "$SRV_NS"
	for i in $(seq 1 "$n"); do
		assert_dco "cli$i" "$(cli_ns "$i")"
	done
	s0=$(counters "$SRV_NS")
	for i in $(seq 1 "$n"); do
		c=$(cli_ns "$i")
		ns "$c" "$IP_BIN" -br addr show dev "$OVPN_TUN" | sed 's/^/  /'
		wait_ping "$c" "$SRV_VPN" 10 || fail "no ping $c -> $SRV_VPN within 10s"
		ping_ok "$c" "$SRV_VPN" 3
		ping_ok "$c" "$SRV_VPN6" 3
		ping_ok "$SRV_NS" "$(cli_vpn4 "$i")" 3
		ping_ok "$SRV_NS" "$(cli_vpn6 "$i")" 3
	done
	peers=$(mp_peer_count "$SRV_NS")
	assert_eq "$peers" "$n" "peers on the server's MP device (GET_PEER dump)"
	get_peer "$SRV_NS" "$OVPN_TUN" | awk '$1 == "peer_id" || $1 == "remote" || $1 == "vpn_rx_packets" || $1 == "link_tx_bytes" { printf "%s=%s ", $1, $2 } $1 == "link_tx_bytes" { print "" }' | sed 's/^/  server peer: /'
	for i in $(seq 1 "$n"); do
		assert_peer_stats "$(cli_ns "$i")"
	done

	# iperf3 both ways: client 1 over IPv4, client 2 over IPv6.
	iperf_both c1 "$SRV_NS" "$SRV_VPN" 2
	iperf_both c2 "$SRV_NS" "$SRV_VPN6" 2
	assert_moved "$s0" "$SRV_NS" 50

	# Client-to-client is off: OpenVPN with DCO hands a packet from c1 to
	# c2 to the server's kernel, which does not forward it (ip_forward=0).
	ping_fails c1 "$(cli_vpn4 2)"
	# With forwarding on, the server's kernel routes between clients
	# through the MP device (what DCO makes of inter-client traffic).
	ns "$SRV_NS" /usr/sbin/sysctl -qw net.ipv4.ip_forward=1
	ns "$SRV_NS" /usr/sbin/sysctl -qw net.ipv4.conf.all.send_redirects=0
	ns "$SRV_NS" /usr/sbin/sysctl -qw "net.ipv4.conf.$OVPN_TUN.send_redirects=0"
	ping_ok c1 "$(cli_vpn4 2)" 3
	ns "$SRV_NS" /usr/sbin/sysctl -qw net.ipv4.ip_forward=0
	ping_fails c1 "$(cli_vpn4 2)"

	# iroute: the LAN behind c1 is reachable from the server.
	ns "$SRV_NS" "$IP_BIN" route show | sed 's/^/  server route: /'
	grep -hiE 'iroute|sitnl|net_route|10\.20\.' "$(bg_log srv)" | sed 's/^/  srv: /'
	if ! nst 10 "$SRV_NS" /usr/bin/ping -c 3 -i 0.2 -W 2 "$LAN_IP" >/dev/null 2>&1; then
		iroute_diag
		fail "the server cannot reach $LAN_IP behind c1 (iroute)"
	fi
	ping_ok "$SRV_NS" "$LAN_IP" 3
	# ... and from another client only with forwarding (off here).
	ping_fails c2 "$LAN_IP"

	ovpn_no_errors srv
	for i in $(seq 1 "$n"); do
		ovpn_no_errors "cli$i"
	done
	grep -E 'MULTI.*(reject|incompatible)' "$(bg_log srv)" && fail "server rejected a client"
	return 0
}

# iroute_diag: where a ping from the server to the LAN behind c1 gets lost.
iroute_diag() {
	local st
	st() { printf '%s ' "$1:"; for k in rx_packets tx_packets rx_dropped tx_dropped rx_errors tx_errors; do printf '%s=%s ' "$k" "$(dev_stat "$1" "$OVPN_TUN" "$k")"; done; echo; }
	echo "--- iroute diagnostics"
	st "$SRV_NS"; st c1
	bg diag-cap-c1 c1 /usr/bin/tcpdump -n -l -U -i "$OVPN_TUN" icmp
	bg diag-cap-s "$SRV_NS" /usr/bin/tcpdump -n -l -U -i "$OVPN_TUN" icmp
	wait_log diag-cap-c1 'listening on' 10
	wait_log diag-cap-s 'listening on' 10
	nst 10 "$SRV_NS" /usr/bin/ping -c 2 -i 0.3 -W 1 "$LAN_IP" 2>&1 | tail -n 2
	nst 10 c1 /usr/bin/ping -c 2 -i 0.3 -W 1 -I "$LAN_IP" "$SRV_VPN" 2>&1 | tail -n 2
	sleep 1
	st "$SRV_NS"; st c1
	bg_stop diag-cap-c1 INT 3; bg_stop diag-cap-s INT 3
	sed 's/^/  c1 tun0: /' "$(bg_log diag-cap-c1)"
	sed 's/^/  s tun0: /' "$(bg_log diag-cap-s)"
	ns c1 "$IP_BIN" route show | sed 's/^/  c1 route: /'
	ns c1 /usr/sbin/sysctl net.ipv4.conf.all.rp_filter "net.ipv4.conf.$OVPN_TUN.rp_filter" | sed 's/^/  c1: /'
	get_peer "$SRV_NS" "$OVPN_TUN" | sed 's/^/  s get_peer: /'
	dmesg | tail -n 10 | sed 's/^/  dmesg: /'
	ns "$SRV_NS" "$IP_BIN" route get "$LAN_IP" | sed 's/^/  s route get: /'
	echo "s tx_dropped before: $(dev_stat "$SRV_NS" "$OVPN_TUN" tx_dropped)"
	nst 10 "$SRV_NS" /usr/bin/ping -c 2 -i 0.3 -W 1 "$LAN_IP" 2>&1 | tail -n 2
	echo "s tx_dropped after: $(dev_stat "$SRV_NS" "$OVPN_TUN" tx_dropped)"
	ns "$SRV_NS" "$IP_BIN" route del "$LAN_NET/24" via 10.8.0.2 metric 200 && echo "deleted the metric-200 route via 10.8.0.2"
	ns "$SRV_NS" "$IP_BIN" route get "$LAN_IP" | sed 's/^/  s route get: /'
	nst 10 "$SRV_NS" /usr/bin/ping -c 2 -i 0.3 -W 1 "$LAN_IP" 2>&1 | tail -n 2
	echo "s tx_dropped after: $(dev_stat "$SRV_NS" "$OVPN_TUN" tx_dropped)"
}

# mp_run PROTO N: topology, server, N clients (ciphers alternate), checks.
mp_run() {
	local proto=$1 n=$2 i cipher
	mp_topology "$n"
	mp_server srv "$proto"
	wait_log srv 'Initialization Sequence Completed' 30
	for i in $(seq 1 "$n"); do
		cipher=AES-256-GCM
		[ $((i % 2)) = 0 ] && cipher=CHACHA20-POLY1305
		mp_client "cli$i" "$i" "$proto" "$cipher"
	done
	for i in $(seq 1 "$n"); do
		ovpn_wait_up "cli$i" 60
	done
	grep -hE 'DCO version|DCO device|MULTI_sva|primary virtual IP' "$(bg_log srv)" | sed 's/^/  srv: /'
	mp_checks "$proto" "$n"
}
