#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The crypto self-test at load.
#  1. The normal build has no test knob (no test_* parameter). Reloaded, it
#     logs "crypto self-tests passed (7 cases, 0 skipped)": RFC 8439's
#     ChaCha20-Poly1305 vectors through the library and the rfc7539
#     template, AES-128/192/256-GCM through gcm(aes).
#  2. The debug build with test_selftest_break=N (one vector's expected
#     output corrupted, N = 1..5) must refuse to load, naming the vector.
# The normal build is loaded again on exit (the harness' rmmod and dmesg
# scan then cover the debug build's teardown too).
# timeout: 120
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/debugmod.sh"

require_debug_module
trap 'rc=$?; cleanup; normal_module_restore || rc=1; exit $rc' EXIT
KAT_CASES=7
KAT_VECTORS=5

# kmsg_since MARK: the kernel log after the line MARK was written with kmark
kmark() { echo "ovpn-test-29: $1" >/dev/kmsg; }
kmsg_since() {
	dmesg | awk -v m="ovpn-test-29: $1" 'index($0, m) { s = NR } { l[NR] = $0 } END { for (i = s + 1; i <= NR; i++) print l[i] }'
}

# --- 1. the normal build: no test knobs; the self-test at load
knobs=$(ls /sys/module/ovpn_dco_v2/parameters/ | tr '\n' ' ')
log "normal build parameters: $knobs"
case " $knobs" in
*" test_"*) fail "the normal build has test parameters: $knobs" ;;
esac
modinfo -F parm "$OVPN_KO" | grep -q '^test_' && fail "the normal build's modinfo lists test parameters"
module_unload
kmark normal
out=$("$TIMEOUT_BIN" -k 5 30 "$INSMOD_BIN" "$OVPN_KO" 2>&1) || fail "insmod $OVPN_KO: $out"
kmsg_since normal | grep 'ovpn-dco:'
kmsg_since normal | grep -q "ovpn-dco: crypto self-tests passed ($KAT_CASES cases, 0 skipped)" ||
	fail "the normal build did not log 'crypto self-tests passed ($KAT_CASES cases, 0 skipped)'"

# --- 2. a corrupted vector: the module must not load
for i in $(seq 1 "$KAT_VECTORS"); do
	module_unload
	kmark "break $i"
	if out=$("$TIMEOUT_BIN" -k 5 30 "$INSMOD_BIN" "$OVPN_DEBUG_KO" test_selftest_break="$i" 2>&1); then
		fail "the debug build loaded with vector $i corrupted"
	fi
	[ -d /sys/module/ovpn_dco_v2 ] && fail "ovpn_dco_v2 is loaded after a failed self-test (vector $i)"
	err=$(kmsg_since "break $i" | grep 'crypto self-test failed')
	echo "  vector $i: insmod: $out"
	echo "    $err"
	assert_match "$err" 'ovpn-dco: crypto self-test failed: .* refusing to load' "pr_err for vector $i"
done

echo "ok: the self-test passes at load and refuses broken vectors"
