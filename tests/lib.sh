# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Helpers for the guest scenarios (tests/scenarios/NN-name.sh). Source it first:
#
#   . "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
#
# Environment (set by tests/guest/init.sh; defaults fit the guest layout):
#   OVPN_CLI   the CLI                       (/opt/ovpn/cli/ovpn-cli)
#   KEYS       the keys directory            (/opt/ovpn/keys)
#   TOOLS      tests/tools binaries          (/opt/ovpn/tools)
#   OVPN_KO    the loaded module's file      (/opt/ovpn/ovpn-dco-v2.ko)
#   OVPN_MODULE  ours, or reference (Debian's openvpn-dco-dkms loaded by
#              tests/guest/run.sh --module reference; only the OpenVPN
#              scenarios 60-67 are meant to run with it)
#   LOGDIR     a scratch directory for this scenario's logs
#
# Scenario exit status: 0 pass, 77 skip, anything else fail. `fail` and `skip`
# exit for you; the EXIT trap kills background processes and deletes the
# namespaces this scenario created.
#
# Busybox traps: never call `ip`, `modprobe`... through busybox. Below, every
# tool is called by full path through a shell function, and `ns` uses the real
# `ip netns exec`, which execs the real binaries found first in PATH.

set -o pipefail

# grepq [grep options] PATTERN: `grep -q` for the end of a pipeline. grep -q
# exits at the first match; a producer that writes in several pieces (our
# CLI's stdout is line-buffered, ip and dmesg write in 4 KiB blocks) then
# dies of SIGPIPE, and pipefail fails the whole pipeline although it
# matched. This reads all of its input.
grepq() {
	local n
	n=$(grep -c "$@")
	[ "${n:-0}" -gt 0 ]
}

OVPN_CLI=${OVPN_CLI:-/opt/ovpn/cli/ovpn-cli}
KEYS=${KEYS:-/opt/ovpn/keys}
TOOLS=${TOOLS:-/opt/ovpn/tools}
OVPN_KO=${OVPN_KO:-/opt/ovpn/ovpn-dco-v2.ko}
if [ -z "${LOGDIR:-}" ]; then
	LOGDIR=$(mktemp -d /tmp/ovpn-test.XXXXXX)
fi
mkdir -p "$LOGDIR"

# Full paths (trap 1 and 13): real binaries, never busybox applets.
IP_BIN=${IP_BIN:-/usr/sbin/ip}
ip() { "$IP_BIN" "$@"; }
ping() { /usr/bin/ping "$@"; }
iperf3() { /usr/bin/iperf3 "$@"; }
modprobe() { /usr/sbin/modprobe "$@"; }
TIMEOUT_BIN=/usr/bin/timeout

# The underlay: two hosts a and b joined by one veth pair.
A=a
B=b
A_DEV=veth-a
B_DEV=veth-b
A_IP=192.168.100.1
B_IP=192.168.100.2
A_IP6=fd00:100::1
B_IP6=fd00:100::2
# The tunnel (one-shot CLI defaults used by the scenarios).
A_VPN=10.8.0.1
B_VPN=10.8.0.2
VPN_MASK=255.255.255.0
PORT=1194
OVPN_DEV=ovpn0

_NS_CREATED=()
_BG_NAMES=()
declare -A _BG_PID=()
declare -A _BG_LOG=()

# Under TCG every process a helper starts costs tens to hundreds of
# milliseconds: the helpers below that run often (clocks, polling, parsing)
# use bash builtins instead of date, sleep and awk.

# nap SECS: sleep (fractions allowed) without starting sleep(1): a read
# with a timeout on a FIFO that nobody writes to (mkfifo: the real one or
# busybox's, only ever given a path).
_NAP_FD=
nap() {
	if [ -z "$_NAP_FD" ]; then
		if mkfifo "$LOGDIR/.nap" 2>/dev/null || [ -p "$LOGDIR/.nap" ]; then
			exec {_NAP_FD}<>"$LOGDIR/.nap"
		else
			_NAP_FD=none
		fi
	fi
	if [ "$_NAP_FD" = none ]; then
		/bin/sleep "$1"
	else
		read -r -t "$1" -u "$_NAP_FD" _ || :
	fi
}

log() {
	local t=$EPOCHREALTIME
	printf '[%(%H:%M:%S)T.%.3s] %s\n' "${t%.*}" "${t#*.}" "$*"
}

# Print the tail of every background log (called on failure).
dump_bg_logs() {
	local n
	for n in "${_BG_NAMES[@]}"; do
		echo "--- log of background '$n' (pid ${_BG_PID[$n]}), last 40 lines:"
		tail -n 40 "${_BG_LOG[$n]}" 2>/dev/null | sed 's/^/    /'
	done
}

fail() {
	echo "FAIL: $*" >&2
	dump_bg_logs >&2
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# ns NS CMD...: run CMD inside namespace NS (real ip netns exec, real CMD).
ns() {
	local n=$1
	shift
	"$IP_BIN" netns exec "$n" "$@"
}

# nst SECS NS CMD...: same, bounded by a timeout (trap 13: full paths only).
nst() {
	local t=$1 n=$2
	shift 2
	"$TIMEOUT_BIN" -k 2 "$t" "$IP_BIN" netns exec "$n" "$@"
}

# wait_for "<shell condition>" TIMEOUT_SECS [INTERVAL]: poll until the
# condition succeeds; returns 1 on timeout (the caller decides to fail).
# TIMEOUT_SECS is multiplied by the timeout factor (slow_secs): it only
# bounds how long a failure takes to show, never how long a pass takes.
wait_for() {
	local cond=$1 t iv=${3:-0.1}
	t=$(( ${2:-10} * ${OVPN_TIMEOUT_FACTOR:-1} ))
	local end=$(( ${EPOCHREALTIME/./} + t * 1000000 ))
	while :; do
		if eval "$cond" >/dev/null 2>&1; then
			return 0
		fi
		[ "${EPOCHREALTIME/./}" -lt "$end" ] || return 1
		nap "$iv"
	done
}

assert_eq() { # ACTUAL EXPECTED MSG
	[ "$1" = "$2" ] || fail "${3:-assert_eq}: got '$1', expected '$2'"
}

assert_ne() { # ACTUAL UNEXPECTED MSG
	[ "$1" != "$2" ] || fail "${3:-assert_ne}: got '$1'"
}

_is_int() { [[ "$1" =~ ^-?[0-9]+$ ]]; }

assert_ge() { # ACTUAL MIN MSG (integers)
	_is_int "$1" && _is_int "$2" || fail "${3:-assert_ge}: not integers: '$1' '$2'"
	[ "$1" -ge "$2" ] || fail "${3:-assert_ge}: got $1, expected >= $2"
}

assert_gt() { # ACTUAL MIN MSG (integers)
	_is_int "$1" && _is_int "$2" || fail "${3:-assert_gt}: not integers: '$1' '$2'"
	[ "$1" -gt "$2" ] || fail "${3:-assert_gt}: got $1, expected > $2"
}

assert_match() { # STRING ERE MSG
	[[ "$1" =~ $2 ]] || fail "${3:-assert_match}: '$1' does not match /$2/"
}

assert_ok() { # CMD... : must succeed
	local out rc
	out=$("$@" 2>&1) && return 0
	rc=$?
	fail "command failed (rc $rc): $*: $out"
}

assert_fails() { # CMD... : must fail
	local out
	if out=$("$@" 2>&1); then
		fail "command unexpectedly succeeded: $*: $out"
	fi
	return 0
}

# ---------------------------------------------------------------- namespaces

# (ip -n NS: ip enters NS itself, one process instead of ip netns exec's two)
ns_add() {
	ip netns add "$1" || fail "ip netns add $1"
	_NS_CREATED+=("$1")
	"$IP_BIN" -n "$1" link set lo up
}

# link_is_up NS DEV: operstate "up", or "unknown" (devices that do not report
# an operational state, e.g. tun-like ones) with IFF_UP and carrier.
link_is_up() {
	local st
	st=$(ns "$1" cat "/sys/class/net/$2/operstate" "/sys/class/net/$2/carrier" "/sys/class/net/$2/flags" 2>/dev/null)
	# shellcheck disable=SC2086 # split into the three values
	set -- $st
	case "$1" in
	up) return 0 ;;
	unknown) [ "${2:-0}" = 1 ] && [ $(( ${3:-0} & 1 )) = 1 ] ;;
	*) return 1 ;;
	esac
}

# Wait until DEV in NS is operationally up (trap 6: do not sleep blindly).
wait_link_up() { # NS DEV [TIMEOUT]
	wait_for "link_is_up $1 $2" "${3:-10}" || fail "link $2 in $1 not up after ${3:-10}s: $(ns "$1" "$IP_BIN" -br link show "$2" 2>&1)"
}

# link_end NS DEV CIDR [CIDR6] [MTU]: give DEV in NS its address (and an
# IPv6 one without DAD, and an MTU, when given) and bring it up, in one ip
# process (ip -n NS -batch: the commands on stdin; a blank line is skipped).
link_end() {
	"$IP_BIN" -n "$1" -batch - <<-EOF || fail "cannot set up $2 in $1"
		addr add $3 dev $2
		${4:+addr add $4 dev $2 nodad}
		${5:+link set $2 mtu $5}
		link set $2 up
	EOF
}

# setup_two_hosts [MTU]: namespaces a and b joined by veth-a <-> veth-b,
# 192.168.100.1/24 + fd00:100::1/64 on a, .2 and ::2 on b.
setup_two_hosts() {
	local mtu=${1:-}
	ns_add "$A"
	ns_add "$B"
	ip link add "$A_DEV" netns "$A" type veth peer name "$B_DEV" netns "$B" ||
		fail "cannot create the veth pair"
	link_end "$A" "$A_DEV" "$A_IP/24" "$A_IP6/64" "$mtu"
	link_end "$B" "$B_DEV" "$B_IP/24" "$B_IP6/64" "$mtu"
	wait_link_up "$A" "$A_DEV"
	wait_link_up "$B" "$B_DEV"
}

# dmesg_mark: remember how long dmesg is; dmesg_check_since fails on kernel
# reports that appeared after the mark.
_DMESG_MARK=0
dmesg_mark() { _DMESG_MARK=$(dmesg | wc -l); }
dmesg_check_since() {
	local new
	new=$(dmesg | tail -n +"$((_DMESG_MARK + 1))")
	if printf '%s\n' "$new" | grep -Eq 'BUG:|WARNING:|Oops|refcount_t|KASAN|unregister_netdevice: waiting|list_add corruption|list_del corruption|Poison overwritten'; then
		printf '%s\n' "$new" | tail -n 60 >&2
		fail "kernel report in dmesg"
	fi
}

# ------------------------------------------------------- background processes

# bg NAME NS CMD...: start CMD in NS in the background, output to $LOGDIR/NAME.log.
# NS "-" runs it in the current namespace.
bg() {
	local name=$1 n=$2
	shift 2
	local logf="$LOGDIR/$name.log"
	: >"$logf"
	if [ "$n" = - ]; then
		"$@" >"$logf" 2>&1 </dev/null &
	else
		# ip netns exec execs CMD: $! is CMD's pid.
		"$IP_BIN" netns exec "$n" "$@" >"$logf" 2>&1 </dev/null &
	fi
	_BG_PID[$name]=$!
	_BG_LOG[$name]=$logf
	_BG_NAMES+=("$name")
}

bg_pid() { echo "${_BG_PID[$1]}"; }
bg_log() { echo "${_BG_LOG[$1]}"; }
bg_alive() { _pid_running "${_BG_PID[$1]}"; }

# wait_log NAME ERE TIMEOUT: wait (TIMEOUT times the timeout factor) until the
# log of NAME has a matching line;
# fails at once if the process exits first.
wait_log() {
	local name=$1 re=$2 t
	t=$(( ${3:-10} * ${OVPN_TIMEOUT_FACTOR:-1} ))
	local end=$(( ${EPOCHREALTIME/./} + t * 1000000 ))
	while :; do
		grep -Eq -- "$re" "${_BG_LOG[$name]}" && return 0
		if ! bg_alive "$name"; then
			grep -Eq -- "$re" "${_BG_LOG[$name]}" && return 0
			wait "${_BG_PID[$name]}"
			fail "'$name' exited (status $?) before printing /$re/"
		fi
		[ "${EPOCHREALTIME/./}" -lt "$end" ] || fail "'$name' did not print /$re/ within ${t}s"
		nap 0.1
	done
}

# _pid_running PID: the process exists and has not exited. A child that
# exited but is not reaped yet (a zombie, state Z) answers kill -0 as if it
# were running; once, in a guest sharing the host with another, a sender
# that had printed its last line and exited kept kill -0 answering for over
# a minute (scenario 69): read the state instead.
_pid_running() {
	local st
	kill -0 "$1" 2>/dev/null || return 1
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ] && [ "${st%% *}" != X ]
}

# _pid_diag PID: one line on what PID is doing (for a timeout's message)
_pid_diag() {
	local st wchan
	st=$(cat "/proc/$1/stat" 2>/dev/null) || { echo "pid $1 gone"; return; }
	st=${st##*) }
	wchan=$(cat "/proc/$1/wchan" 2>/dev/null)
	echo "pid $1 state ${st%% *} wchan ${wchan:-?}"
}

# bg_stop NAME [SIGNAL] [TIMEOUT]: signal NAME, wait for it; prints nothing,
# returns its exit status (124 if it did not exit in time: then SIGKILLed).
bg_stop() {
	local name=$1 sig=${2:-TERM} t=${3:-10} pid=${_BG_PID[$1]}
	kill -s "$sig" "$pid" 2>/dev/null
	if ! wait_for "! _pid_running $pid" "$t" 0.05; then
		log "bg_stop $name: $(_pid_diag "$pid")"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 124
	fi
	wait "$pid"
}

# bg_wait NAME [TIMEOUT]: wait for NAME to exit by itself; returns its status (124: timeout).
bg_wait() {
	local name=$1 t=${2:-10} pid=${_BG_PID[$1]}
	if ! wait_for "! _pid_running $pid" "$t" 0.05; then
		log "bg_wait $name: $(_pid_diag "$pid")"
		return 124
	fi
	wait "$pid"
}

# lan_dev NS DEV CIDR: a local LAN address on DEV in NS (one end of a veth
# pair whose other end stays in NS, both up: works on kernels without the
# dummy driver, like the debug one).
lan_dev() {
	ns "$1" "$IP_BIN" link add "$2" type veth peer name "${2}p" || fail "cannot create $2 in $1"
	ns "$1" "$IP_BIN" addr add "$3" dev "$2" || fail "addr add $3 on $2 in $1"
	ns "$1" "$IP_BIN" link set "${2}p" up || fail "link set ${2}p up in $1"
	ns "$1" "$IP_BIN" link set "$2" up || fail "link set $2 up in $1"
}

# ifindex_of NS DEV: the device's ifindex ("" if it does not exist).
ifindex_of() {
	ns "$1" cat "/sys/class/net/$2/ifindex" 2>/dev/null
}

# _nl_subscribed NS PID: PID owns a generic netlink socket (protocol 16) that
# joined a multicast group (/proc/net/netlink shows groups 0..31; libnl's
# first socket of a process has portid = pid).
_nl_subscribed() {
	ns "$1" awk -v pid="$2" '$2 == 16 && $4 != "00000000" && ($3 % 4194304) == pid { f = 1 } END { exit !f }' \
		/proc/net/netlink
}

# mcast_start NAME NS [ARGS...]: `ovpn-cli listen_mcast [ARGS]` in NS in the
# background (log: bg_log NAME); returns once it has joined the "peers" group.
mcast_start() {
	local name=$1 n=$2 pid
	bg "$name" "$n" "$OVPN_CLI" listen_mcast "${@:3}"
	pid=$(bg_pid "$name")
	if ! wait_for "_nl_subscribed $n $pid" 5; then
		bg_alive "$name" || fail "listen_mcast ($name) exited: $(cat "$(bg_log "$name")")"
		# The group id may be above 31 (not shown): give it a moment.
		log "note: cannot see listen_mcast's membership in /proc/net/netlink; waiting 1 s"
		sleep 1
	fi
}

# ------------------------------------------------------------------ counters

# dev_stat NS DEV COUNTER: /sys/class/net/DEV/statistics/COUNTER inside NS
# (the same numbers as `ip -s link`), e.g. rx_packets, tx_bytes, rx_errors.
dev_stat() {
	ns "$1" cat "/sys/class/net/$2/statistics/$3" 2>/dev/null || echo "?"
}

# snmp NS PROTO FIELD: a counter of NS's /proc/net/snmp, e.g. snmp a Ip
# InHdrErrors, snmp a Icmp OutEchoReps ("?" if there is none such).
snmp() {
	ns "$1" awk -v p="$2:" -v f="$3" '
		$1 == p && !h { for (i = 2; i <= NF; i++) n[i] = $i; h = 1; next }
		$1 == p && h { for (i = 2; i <= NF; i++) if (n[i] == f) { print $i; found = 1 } }
		END { if (!found) print "?" }' /proc/net/snmp
}

# ip_bad NS: packets NS's IPv4 layer refused as malformed (InHdrErrors:
# bad header fields or header checksum). A tunnel that hands the stack a
# packet it decrypted correctly but framed wrongly shows here, and nowhere
# else.
ip_bad() { snmp "$1" Ip InHdrErrors; }

dev_exists() { # NS DEV
	ns "$1" "$IP_BIN" link show dev "$2" >/dev/null 2>&1
}

# ---------------------------------------------------------------------- CLI

require_module() {
	[ -d /sys/module/ovpn_dco_v2 ] || skip "module ovpn_dco_v2 not loaded (run without --no-module)"
}

require_cli() {
	[ -x "$OVPN_CLI" ] || fail "CLI not built: $OVPN_CLI missing (run make)"
}

require_key() {
	[ -r "$KEYS/${1:-sample.key}" ] || fail "key file $KEYS/${1:-sample.key} missing"
}

# cli NS ARGS...: run the CLI in NS (bounded).
cli() {
	local n=$1
	shift
	nst 20 "$n" "$OVPN_CLI" "$@"
}

# get_peer NS DEV [PEER_ID]: print the raw `get_peer` output.
get_peer() {
	cli "$1" "$2" get_peer ${3:+"$3"}
}

# peer_field NS DEV FIELD [PEER_ID]: one value of the first peer block
# (`key value` lines), e.g. vpn_rx_packets. Prints "?" when absent.
peer_field() {
	local out
	out=$(get_peer "$1" "$2" ${4:+"$4"} 2>&1) || { echo "?"; return 1; }
	kv_field "$out" "$3"
}

# kv_field "<get_peer output>" FIELD: same from text already captured (the
# second word of the first line whose first word is FIELD).
kv_field() {
	local k v _r
	while read -r k v _r; do
		if [ "$k" = "$2" ]; then
			echo "$v"
			return 0
		fi
	done <<<"$1"
	echo "?"
}

# oneshot_start NAME NS ARGS...: start the one-shot CLI (`ovpn-cli udp ...`)
# in the background and wait until it is set up. With --raw-key that is its
# `ready` line. Otherwise `ready` only comes once the two ends' handshake
# installed a session key, which needs the other end: the first end of a
# pair is waited for up to its "session keys: handshake" line and remembered;
# starting the next end then waits (without failing: scenarios assert on
# what follows) until both print `ready`.
_ONESHOT_PENDING=()
oneshot_start() {
	local name=$1 n=$2 a p
	shift 2
	bg "$name" "$n" "$OVPN_CLI" "$@"
	for a in "$@"; do
		if [ "$a" = --raw-key ]; then
			wait_log "$name" '^ready ' 20
			return
		fi
	done
	wait_log "$name" '^(ready |[^ ]+: session keys: handshake )' 20
	if [ "${#_ONESHOT_PENDING[@]}" = 0 ]; then
		_ONESHOT_PENDING=("$name")
		return
	fi
	for p in "${_ONESHOT_PENDING[@]}" "$name"; do
		oneshot_wait_ready "$p" ||
			log "'$p' printed no ready line (no session key) within 20 s"
	done
	_ONESHOT_PENDING=()
}

# oneshot_wait_ready NAME [SECS]: wait until the one-shot CLI NAME printed
# `ready` (a session key is installed); 1 on timeout, no failure.
oneshot_wait_ready() {
	wait_for "grep -q '^ready ' '${_BG_LOG[$1]}'" "${2:-20}"
}

# oneshot_pair [OPTIONS...]: the standard IPv4 tunnel between a and b
# (a = 10.8.0.1 direction 0, b = 10.8.0.2 direction 1, sample.key), with
# extra one-shot OPTIONS for both. Background names: tun-a, tun-b.
oneshot_pair() {
	require_cli
	require_key sample.key
	oneshot_start tun-a "$A" udp i4 "$A_IP" "$PORT" "$B_IP" "$PORT" \
		"$A_VPN" "$VPN_MASK" "$B_VPN" "$KEYS/sample.key" 0 "$@"
	oneshot_start tun-b "$B" udp i4 "$B_IP" "$PORT" "$A_IP" "$PORT" \
		"$B_VPN" "$VPN_MASK" "$A_VPN" "$KEYS/sample.key" 1 "$@"
}

# ---------------------------------------------------------------- iperf3

# iperf_server NAME NS: start `iperf3 -s` in NS and wait until it listens.
iperf_server() {
	bg "$1" "$2" /usr/bin/iperf3 -s -i 0
	wait_for "ns $2 /usr/bin/ss -Hltn 'sport = :5201' | grepq 5201" 10 ||
		fail "iperf3 server in $2 not listening"
}

# slow_secs N: N seconds of traffic, times OVPN_TIMEOUT_FACTOR (run.sh
# --timeout-factor; 4 on the debug kernel): a kernel that many times slower
# gets the time to move the volume the scenarios' counters expect. wait_for,
# wait_log and what is built on them (bg_wait, bg_stop, wait_link_up) scale
# their timeouts already: do not pass them a slow_secs value.
slow_secs() { echo $(($1 * ${OVPN_TIMEOUT_FACTOR:-1})); }

# iperf_mbps NS SERVER_IP SECS [iperf3 options]: run a client, print the
# receiver's Mbit/s (integer, 0 if none). Output kept in $LOGDIR.
_IPERF_N=0
iperf_mbps() {
	local n=$1 srv=$2 secs
	secs=$(slow_secs "$3")
	shift 3
	_IPERF_N=$((_IPERF_N + 1))
	local out="$LOGDIR/iperf-client-$_IPERF_N.log"
	nst $((secs + 20)) "$n" /usr/bin/iperf3 -c "$srv" -t "$secs" -f m -i 0 "$@" >"$out" 2>&1
	local rc=$?
	sed 's/^/    iperf3: /' "$out" >&2
	[ "$rc" = 0 ] || { echo 0; return 1; }
	# whole Mbit/s, but a rate below 1 that moved data is 1, not 0 (the
	# debug kernel runs TCP-in-TCP tunnels at well under 1 Mbit/s)
	awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1) } END { v += 0; printf "%d\n", (v > 0 && v < 1) ? 1 : v + 0.5 }' "$out"
}

# ---------------------------------------------------------------- cleanup

cleanup() {
	local n pid
	trap - EXIT
	for n in "${_BG_NAMES[@]}"; do
		pid=${_BG_PID[$n]}
		kill -TERM "$pid" 2>/dev/null
	done
	for n in "${_BG_NAMES[@]}"; do
		pid=${_BG_PID[$n]}
		wait_for "! _pid_running $pid" 3 0.05 || kill -KILL "$pid" 2>/dev/null
	done
	for n in "${_NS_CREATED[@]}"; do
		for pid in $("$IP_BIN" netns pids "$n" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		"$TIMEOUT_BIN" 10 "$IP_BIN" netns del "$n" 2>/dev/null
	done
}

trap 'rc=$?; cleanup; exit $rc' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
