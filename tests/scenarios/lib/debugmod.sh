# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# The debug build of our module (make module-debug; run.sh ships it as
# $OVPN_DEBUG_KO): its test parameters (drivers/net/ovpn-dco/debug.h) are
# read-only once loaded, so a scenario reloads the module with them, and
# puts the normal build back on the way out (the suite goes on with it):
#
#   . "$(dirname "$0")/lib/debugmod.sh"
#   require_debug_module
#   trap 'rc=$?; cleanup; normal_module_restore || rc=1; exit $rc' EXIT
#   debug_module_load test_first_pktid=123

RMMOD_BIN=/usr/sbin/rmmod
INSMOD_BIN=/usr/sbin/insmod

require_debug_module() {
	require_module
	[ "${OVPN_MODULE:-ours}" = ours ] || skip "the debug build is ours: not with the reference module"
	[ -n "${OVPN_DEBUG_KO:-}" ] && [ -f "$OVPN_DEBUG_KO" ] ||
		skip "no debug build of the module in this guest (make module-debug; run.sh --debug-ko)"
}

# module_unload: rmmod ovpn_dco_v2 if loaded (it deletes devices left over)
module_unload() {
	local out
	[ -d /sys/module/ovpn_dco_v2 ] || return 0
	out=$("$TIMEOUT_BIN" -k 5 30 "$RMMOD_BIN" ovpn_dco_v2 2>&1) || fail "rmmod ovpn_dco_v2: $out"
	[ ! -d /sys/module/ovpn_dco_v2 ] || fail "ovpn_dco_v2 still loaded after rmmod"
}

# debug_module_load [PARAM=VALUE ...]: the debug build in place of whatever
# is loaded
debug_module_load() {
	local out
	module_unload
	out=$("$TIMEOUT_BIN" -k 5 30 "$INSMOD_BIN" "$OVPN_DEBUG_KO" "$@" 2>&1) ||
		fail "insmod $OVPN_DEBUG_KO $*: $out"
	assert_eq "$(cat /sys/module/ovpn_dco_v2/srcversion 2>&1)" "$OVPN_DEBUG_SRCVERSION" \
		"srcversion of the loaded debug build"
	log "debug build loaded: $*"
}

# normal_module_restore: the normal build loaded again; 1 if it cannot be
# (for EXIT traps: no fail, which would exit from inside the trap)
normal_module_restore() {
	if [ -d /sys/module/ovpn_dco_v2 ]; then
		[ "$(cat /sys/module/ovpn_dco_v2/srcversion)" = "$OVPN_SRCVERSION" ] && return 0
		"$TIMEOUT_BIN" -k 5 30 "$RMMOD_BIN" ovpn_dco_v2 || { echo "FAIL: cannot unload the debug build" >&2; return 1; }
	fi
	if ! "$TIMEOUT_BIN" -k 5 30 "$INSMOD_BIN" "$OVPN_KO" ||
		[ "$(cat /sys/module/ovpn_dco_v2/srcversion 2>/dev/null)" != "$OVPN_SRCVERSION" ]; then
		echo "FAIL: cannot reload the normal build $OVPN_KO" >&2
		return 1
	fi
}
