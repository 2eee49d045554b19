#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build (once) a debug kernel from Debian's linux-source-6.1 with KASAN,
# lockdep (PROVE_LOCKING, PROVE_RCU), DEBUG_ATOMIC_SLEEP, kmemleak, the netdev
# reference tracker and DEBUG_OBJECTS (Documentation/debug-kernel.config), and
# cache it outside the repository: 57 minutes measured on 2 cores shared
# with guest runs.
#
# Prints the cache directory on success. It holds:
#   src/        the configured, built tree (KDIR for our module)
#   bzImage     the kernel the guest boots
#   modules/    INSTALL_MOD_PATH tree (lib/modules/<release>/...)
#   release     the kernel release string (KVER for the guest)
#   build-seconds  how long the build took
#
# OVPN_CACHE (default ~/.cache/ovpn-dco) chooses where. A stamp made of the
# source package version and the config fragment decides whether a cached
# build is still good.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
TARBALL=/usr/src/linux-source-6.1.tar.xz
FRAG=$TOP/Documentation/debug-kernel.config
CACHE=${OVPN_CACHE:-$HOME/.cache/ovpn-dco}/debug-kernel-6.1
JOBS=${JOBS:-$(nproc)}

log() { echo "build-debug-kernel: $*" >&2; }

[ -r "$TARBALL" ] || { log "$TARBALL missing: apt-get install linux-source-6.1"; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || stat -c %Y "$TARBALL")
# Only the fragment's settings count ("# CONFIG_X is not set" is one), not
# its comments: editing a comment must not cost a rebuild.
stamp="$srcver $(sed -e '/^# CONFIG_/b' -e '/^#/d' -e '/^[[:space:]]*$/d' "$FRAG" | sha256sum | cut -d' ' -f1)"

# One build at a time: a second caller (another make check-debug) waits for
# the first instead of deleting its half-built tree.
mkdir -p "$(dirname "$CACHE")"
exec 9>"$CACHE.lock"
if ! flock -n 9; then
	log "another build of $CACHE is running; waiting for it"
	flock 9
fi

if [ -f "$CACHE/stamp" ] && [ "$(cat "$CACHE/stamp")" = "$stamp" ] &&
   [ -f "$CACHE/bzImage" ] && [ -f "$CACHE/release" ]; then
	echo "$CACHE"
	exit 0
fi

log "building into $CACHE (linux-source-6.1 $srcver, $JOBS jobs); this takes a while"
start=$(date +%s)
rm -rf "$CACHE"
mkdir -p "$CACHE"
tar -C "$CACHE" -xf "$TARBALL"
mv "$CACHE"/linux-source-6.1 "$CACHE/src"
cd "$CACHE/src"
make -s x86_64_defconfig >&2
make -s kvm_guest.config >&2
scripts/kconfig/merge_config.sh -m .config "$FRAG" >&2
make -s olddefconfig >&2
for opt in KASAN PROVE_LOCKING PROVE_RCU DEBUG_KMEMLEAK NET_DEV_REFCNT_TRACKER DEBUG_OBJECTS \
	   DEBUG_OBJECTS_FREE MODULES STREAM_PARSER NET_SCH_INGRESS NET_CLS_U32 NET_ACT_GACT INET_UDP_DIAG; do
	grep -q "^CONFIG_$opt=y" .config || { log "CONFIG_$opt did not survive olddefconfig"; exit 1; }
done
make -j"$JOBS" bzImage modules >"$CACHE/build.log" 2>&1 ||
	{ tail -n 40 "$CACHE/build.log" >&2; log "kernel build failed"; exit 1; }
make -s INSTALL_MOD_PATH="$CACHE/modules" modules_install >&2
cp arch/x86/boot/bzImage "$CACHE/bzImage"
make -s kernelrelease >"$CACHE/release"
echo $(($(date +%s) - start)) >"$CACHE/build-seconds"
echo "$stamp" >"$CACHE/stamp"
log "built $(cat "$CACHE/release") in $(( ($(date +%s) - start) / 60 )) min"
echo "$CACHE"
