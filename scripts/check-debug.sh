#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check-debug / make soak-debug: the guest suite (or the soak) on a debug
# kernel (KASAN, lockdep, PROVE_RCU, DEBUG_ATOMIC_SLEEP, kmemleak, netdev
# refcount tracker, DEBUG_OBJECTS).
#
#   scripts/check-debug.sh [--soak] [run.sh options and scenario globs]
#
# 1. scripts/build-debug-kernel.sh builds the kernel once and caches it
#    (OVPN_CACHE, default ~/.cache/ovpn-dco; CI should keep that directory
#    between runs).
# 2. Our module is built against that tree in a scratch copy of its sources
#    (build/debug-module), so the objects of the usual build against Debian's
#    headers are left alone; the CLI and test tools are the usual ones.
# 3. tests/guest/run.sh boots the debug kernel with its own module tree, 3 GiB
#    of memory (KASAN's shadow) and scenario timeouts times
#    OVPN_DEBUG_TIMEOUT_FACTOR (default 4: KASAN and lockdep under TCG). The
#    harness fails a scenario on any report in dmesg (KASAN, lockdep, RCU,
#    ODEBUG, sleeping in atomic, refcount, ...) and, after the last one, on
#    any kmemleak suspect allocated through our module.
#
# Artifacts in build/guest-debug/ (OVPN_GUEST_OUT overrides). Prints how long
# the kernel and the run took.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
log() { echo "check-debug: $*" >&2; }

t0=$(date +%s)
CACHE=$("$TOP/scripts/build-debug-kernel.sh")
t1=$(date +%s)
KREL=$(cat "$CACHE/release")
log "debug kernel $KREL ready in $((t1 - t0)) s ($CACHE)"
[ -f "$CACHE/build-seconds" ] && log "(its build took $(cat "$CACHE/build-seconds") s)"

# Sources only: objects of the Debian-headers build must not come along.
MODB=$TOP/build/debug-module
rm -rf "$MODB"
mkdir -p "$MODB"
(cd "$TOP" && find dkms.conf Kbuild drivers include uapi -type f \( -name dkms.conf -o -name Kbuild -o -name '*.[ch]' \) -print0 |
	xargs -0 cp --parents -t "$MODB")
make -s -C "$CACHE/src" M="$MODB" W=1 modules >&2
KO=$MODB/ovpn-dco-v2.ko
[ -f "$KO" ] || { log "no $KO after the build"; exit 1; }
# The module's own debug build (test aids, make module-debug) for this
# kernel too: scenarios 29 and 74 load it.
MODD=$TOP/build/debug-module-ovpn-debug
rm -rf "$MODD"
mkdir -p "$MODD"
(cd "$TOP" && find dkms.conf Kbuild drivers include uapi -type f \( -name dkms.conf -o -name Kbuild -o -name '*.[ch]' \) -print0 |
	xargs -0 cp --parents -t "$MODD")
make -s -C "$CACHE/src" M="$MODD" OVPN_DEBUG=1 W=1 modules >&2
DEBUG_KO=$MODD/ovpn-dco-v2.ko
[ -f "$DEBUG_KO" ] || { log "no $DEBUG_KO after the build"; exit 1; }
make -s -C "$TOP" cli tools >&2

export OVPN_GUEST_OUT=${OVPN_GUEST_OUT:-$TOP/build/guest-debug}
t2=$(date +%s)
set +e
KVER=$KREL "$TOP/tests/guest/run.sh" --kernel "$CACHE/bzImage" --moddir "$CACHE/modules" --ko "$KO" \
	--debug-ko "$DEBUG_KO" --mem 3072 --timeout-factor "${OVPN_DEBUG_TIMEOUT_FACTOR:-4}" --no-slub-debug "$@"
rc=$?
set -e
log "guest run on the debug kernel took $(( $(date +%s) - t2 )) s (exit $rc)"
exit "$rc"
