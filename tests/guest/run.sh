#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest test harness: build an initramfs (busybox + real tools + the kernel
# modules of KVER + our module, CLI, keys and scenarios), boot Debian's kernel
# in QEMU (TCG) once, run the scenarios inside, report.
#
# usage: tests/guest/run.sh [options] [scenario-name-glob ...]
#   --demo          run only the demo (tests/scenarios/demo/demo.sh)
#   --bench         run only the benchmark (tests/bench/bench.sh, make bench):
#                   knobs BENCH_CONTENDERS, BENCH_TESTS, BENCH_TIME, BENCH_REPS,
#                   BENCH_UDP_RATE, BENCH_UDP_LEN, BENCH_OURS_PARAMS (module
#                   parameters of ours, e.g. 'auto_mss=0'), BENCH_NAPI_THREADED
#                   (0/1: our devices' /sys/class/net/*/threaded; default: as
#                   the module sets it) from the
#                   environment; ours is
#                   loaded at boot, the reference (built by
#                   scripts/build-reference.sh if a ref-* contender is chosen)
#                   replaces it in the same boot. Artifacts in build/bench/guest,
#                   results (results.json, bench.png, table.txt) in build/bench
#                   ($BENCH_OUT) by tests/bench/report.py.
#   --bench-scale   run only the peer-scale benchmark (tests/bench/scale.sh,
#                   make bench-scale): ours and the reference (built as for
#                   --bench; left out with a note where it does not build)
#                   one after the other, N = BENCH_SCALE_N peers (default
#                   '1 100 1000 10000'); knobs BENCH_SCALE_MODULES (default
#                   'ours reference'), BENCH_SCALE_IDLE (s of idle CPU
#                   measured, 10), BENCH_SCALE_TIME (s per load phase, in 4
#                   alternating segments, 8),
#                   BENCH_SCALE_NAPI_THREADED (0/1: ours' devices' threaded
#                   NAPI; default: as the module sets it).
#                   Guest memory 2048 MB unless --mem. Results (table.txt,
#                   results.json, scale.png) in build/bench-scale
#                   ($BENCH_OUT) by tests/bench/scale_report.py.
#   --soak          run only the soak test (tests/scenarios/soak/soak.sh;
#                   SOAK_SECONDS in the environment sets its length, default
#                   300; its timeout follows)
#   --kver KVER     kernel to boot (default: $KVER, else scripts/kver.sh)
#   --kernel IMAGE  boot this kernel image instead of /boot/vmlinuz-KVER (a
#                   debug kernel: scripts/build-debug-kernel.sh); KVER must
#                   then be its release
#   --moddir DIR    take the guest's kernel modules from DIR/lib/modules/KVER
#                   (an INSTALL_MOD_PATH tree) instead of /lib/modules/KVER
#   --timeout-factor N
#                   multiply every scenario timeout by N (integer; a KASAN +
#                   lockdep kernel under TCG runs several times slower)
#   --keep          keep the staged trees (build/guest/project, base-KVER/root)
#   --no-module     do not load ovpn-dco-v2.ko (harness checks only; scenarios
#                   that need the module skip)
#   --module ours|reference
#                   which ovpn-dco-v2.ko the guest loads (default: $OVPN_MODULE,
#                   else ours = ./ovpn-dco-v2.ko). reference = Debian's
#                   openvpn-dco-dkms, built by scripts/build-reference.sh (or
#                   $OVPN_REFERENCE_KO): the same module name, loaded by path,
#                   its own srcversion checked; scenarios see OVPN_MODULE.
#                   Artifacts then default to build/guest-reference/.
#   --ko PATH       our module from PATH instead of ./ovpn-dco-v2.ko (default:
#                   $OVPN_KO_PATH), e.g. a per-kernel build
#                   (build/kbuild/KVER/) or one built and installed by dkms;
#                   still checked against KVER and by its own srcversion
#   --debug-ko PATH the debug build of our module (make module-debug; default:
#                   $OVPN_DEBUG_KO_PATH), shipped as /opt/ovpn/debug/ for the
#                   scenarios that reload it with test parameters (29, 74;
#                   they skip without it). Not with --module reference.
#   --timeout SECS  per-scenario timeout (default 120; a scenario can say
#                   "# timeout: N" in its first lines)
#   --mem MB        guest memory (default 1024)   --smp N  guest CPUs (default 2)
#   --no-slub-debug boot without slub_debug=FZPU (the default with --demo:
#                   it measures; --slub-debug turns it back on)
#   --append ARGS   extra kernel command line arguments
#
# Environment: OVPN_XTRACE=1 runs each scenario under bash -x with a
# timestamp on every traced line (PS4 '+ $EPOCHREALTIME'), to see where a
# scenario's seconds go. OVPN_FUZZ_COUNT (and OVPN_FUZZ_SEED) reach the scenarios as
# the same variables (the fuzzing scenarios 80-89 take their counts from
# them; `make fuzz`); OVPN_TIMEOUT_FACTOR multiplies every scenario's timeout.
#   -v, --verbose   print every scenario's output, not only the failing ones
#
# Globs match scenario names without .sh, e.g. '02*' or '*iperf*'.
# Output: one `PASS|FAIL|SKIP name` line per scenario, then `N passed, N failed,
# N skipped`. Exit status 0 only if nothing failed, the module loaded and
# unloaded, the guest finished and at least one scenario passed.
# Artifacts in build/guest/ (or $OVPN_GUEST_OUT; build/guest/run.XXXXXX when another
# run holds it): serial.log (console), results.log (raw results channel),
# qemu.log, logs/<scenario>.txt.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
# OVPN_GUEST_OUT: artifacts directory (default build/guest); give concurrent
# runs from one worktree different ones.
PFX=@@OVPNT@@
export PATH=$PATH:/usr/sbin:/sbin

DEMO=0 BENCH=0 SCALE=0 SOAK=0 KEEP=0 LOAD_MODULE=1 VERBOSE=0 SLUB= APPEND= KERNEL= MODDIR= TFACTOR=${OVPN_TIMEOUT_FACTOR:-1}
MODULE=${OVPN_MODULE:-ours}
KO_PATH=${OVPN_KO_PATH:-}
DEBUG_KO=${OVPN_DEBUG_KO_PATH:-}
DEFAULT_TMO=120 MEM= SMP=2 SETTLE=${OVPN_SETTLE:-1.5}
GLOBS=()
while [ $# -gt 0 ]; do
	case "$1" in
	--demo) DEMO=1 ;;
	--bench) BENCH=1 ;;
	--bench-scale) SCALE=1 ;;
	--soak) SOAK=1 ;;
	--kernel) KERNEL=$2; shift ;;
	--moddir) MODDIR=$2; shift ;;
	--timeout-factor) TFACTOR=$2; shift ;;
	--kver) KVER=$2; shift ;;
	--kver=*) KVER=${1#*=} ;;
	--keep) KEEP=1 ;;
	--no-module) LOAD_MODULE=0 ;;
	--module) MODULE=$2; shift ;;
	--module=*) MODULE=${1#*=} ;;
	--ko) KO_PATH=$2; shift ;;
	--ko=*) KO_PATH=${1#*=} ;;
	--debug-ko) DEBUG_KO=$2; shift ;;
	--debug-ko=*) DEBUG_KO=${1#*=} ;;
	--timeout) DEFAULT_TMO=$2; shift ;;
	--mem) MEM=$2; shift ;;
	--smp) SMP=$2; shift ;;
	--no-slub-debug) SLUB=off ;;
	--slub-debug) SLUB=on ;;
	--append) APPEND=$2; shift ;;
	-v|--verbose) VERBOSE=1 ;;
	-h|--help) awk 'NR > 2 && !/^#/ { exit } NR > 2' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) GLOBS+=("$1") ;;
	esac
	shift
done

# slub_debug (red zones, poisoning) catches memory bugs but slows every
# allocation: on for the suite, off for the demo and the benchmark unless asked.
case "$SLUB" in
on) SLUB=slub_debug=FZPU ;;
off) SLUB= ;;
*) if [ "$DEMO$BENCH$SCALE" != 000 ]; then SLUB=; else SLUB=slub_debug=FZPU; fi ;;
esac
# thousands of peers of the reference take a few hundred MB
if [ -z "$MEM" ]; then
	if [ "$SCALE" = 1 ]; then MEM=2048; else MEM=1024; fi
fi

die() { echo "run.sh: ERROR: $*" >&2; exit 1; }
info() { echo "run.sh: $*" >&2; }
case "$MODULE" in
ours|reference) ;;
*) die "--module must be 'ours' or 'reference', not '$MODULE'" ;;
esac
if [ "$BENCH" = 1 ]; then
	[ "$DEMO" = 0 ] || die "--bench and --demo exclude each other"
	[ "$MODULE" = ours ] || die "--bench loads ours at boot and swaps in the reference itself: no --module reference"
	[ "$LOAD_MODULE" = 1 ] || die "--bench needs the module (no --no-module)"
	# shellcheck source=../bench/knobs.sh
	. "$TOP/tests/bench/knobs.sh"
	B_CONT=$(bench_select "${BENCH_CONTENDERS:-all}" "$BENCH_ALL_CONTENDERS") || die "BENCH_CONTENDERS: see above"
	B_TESTS=$(bench_select "${BENCH_TESTS:-all}" "$BENCH_ALL_TESTS") || die "BENCH_TESTS: see above"
	B_TIME=${BENCH_TIME:-3} B_REPS=${BENCH_REPS:-3}
	B_UDP_RATE=${BENCH_UDP_RATE:-50M} B_UDP_LEN=${BENCH_UDP_LEN:-1200}
	[[ "$B_TIME" =~ ^[1-9][0-9]*$ ]] || die "BENCH_TIME must be whole seconds >= 1, not '$B_TIME'"
	[[ "$B_REPS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPS must be >= 1, not '$B_REPS'"
	[[ "$B_UDP_RATE" =~ ^[0-9]+[KMG]?$ ]] || die "BENCH_UDP_RATE must be an iperf3 rate such as 50M, not '$B_UDP_RATE'"
	[[ "${BENCH_OURS_PARAMS:-}" =~ ^([a-z_]+=[0-9A-Za-z]+( |$))*$ ]] || die "BENCH_OURS_PARAMS must be 'param=value ...', not '$BENCH_OURS_PARAMS'"
	[[ "${BENCH_NAPI_THREADED:-}" =~ ^[01]?$ ]] || die "BENCH_NAPI_THREADED must be 0, 1 or empty (the module's default)"
	[[ "$B_UDP_LEN" =~ ^[0-9]+$ ]] || die "BENCH_UDP_LEN must be bytes, not '$B_UDP_LEN'"
fi
if [ "$SCALE" = 1 ]; then
	[ "$DEMO$BENCH$SOAK" = 000 ] || die "--bench-scale excludes --demo, --bench and --soak"
	[ "$MODULE" = ours ] || die "--bench-scale loads ours at boot and swaps in the reference itself: no --module reference"
	[ "$LOAD_MODULE" = 1 ] || die "--bench-scale needs the module (no --no-module)"
	S_N=${BENCH_SCALE_N:-1 100 1000 10000} S_MODS=${BENCH_SCALE_MODULES:-ours reference}
	S_IDLE=${BENCH_SCALE_IDLE:-10} S_TIME=${BENCH_SCALE_TIME:-8}
	[[ "$S_N" =~ ^[1-9][0-9]*( [1-9][0-9]*)*$ ]] || die "BENCH_SCALE_N must be peer counts (1 to 45000) separated by spaces, not '$S_N'"
	for n in $S_N; do [ "$n" -le 45000 ] || die "BENCH_SCALE_N: $n peers is more than 45000 (one client port each, from 20000)"; done
	[[ " $S_MODS " =~ ^(\ (ours|reference))+\ $ ]] || die "BENCH_SCALE_MODULES must be 'ours', 'reference' or both, not '$S_MODS'"
	[[ "$S_IDLE" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SCALE_IDLE must be whole seconds >= 1, not '$S_IDLE'"
	[[ "$S_TIME" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SCALE_TIME must be whole seconds >= 1, not '$S_TIME'"
	[[ "${BENCH_SCALE_NAPI_THREADED:-}" =~ ^[01]?$ ]] || die "BENCH_SCALE_NAPI_THREADED must be 0, 1 or empty (the module's default)"
fi
# The base initramfs cache (module-independent) stays in build/guest unless
# OVPN_GUEST_OUT is given; a reference run keeps its artifacts apart.
BASE_OUT=${OVPN_GUEST_OUT:-$TOP/build/guest}
if [ "$MODULE" = reference ]; then
	OUT=${OVPN_GUEST_OUT:-$TOP/build/guest-reference}
elif [ "$BENCH" = 1 ]; then
	OUT=${OVPN_GUEST_OUT:-$TOP/build/bench/guest}
elif [ "$SCALE" = 1 ]; then
	OUT=${OVPN_GUEST_OUT:-$TOP/build/bench-scale/guest}
else
	OUT=$BASE_OUT
fi

[[ "$TFACTOR" =~ ^[1-9][0-9]*$ ]] || die "--timeout-factor must be a positive integer, not '$TFACTOR'"
[ "$DEMO$SOAK" != 11 ] || die "--demo and --soak exclude each other"
KVER=${KVER:-$("$TOP/scripts/kver.sh")} || die "cannot tell KVER"
KERNEL=${KERNEL:-/boot/vmlinuz-$KVER}
MODSRC=$MODDIR/lib/modules/$KVER
KO=${KO_PATH:-$TOP/ovpn-dco-v2.ko}
WHOSE="ours"
if [ "$MODULE" = reference ] && [ -n "$KO_PATH" ]; then
	die "--ko gives our module's path; the reference one comes from \$OVPN_REFERENCE_KO"
fi
if [ "$MODULE" = reference ] && [ "$LOAD_MODULE" = 1 ]; then
	if [ -n "${OVPN_REFERENCE_KO:-}" ]; then
		KO=$OVPN_REFERENCE_KO
	else
		KO=$(KVER=$KVER "$TOP/scripts/build-reference.sh") || die "cannot build the reference module (scripts/build-reference.sh)"
	fi
	WHOSE="the reference (openvpn-dco-dkms)"
	info "loading the REFERENCE module $KO (version $(modinfo -F version "$KO" 2>/dev/null))"
fi

for c in qemu-system-x86_64 cpio gzip depmod modinfo ldd busybox timeout flock; do
	command -v "$c" >/dev/null || die "$c not found: run scripts/deps.sh"
done
[ -r "$KERNEL" ] || die "kernel $KERNEL not found or not readable: run scripts/deps.sh (KVER=$KVER)"
[ -d "$MODSRC/kernel" ] || die "no module tree $MODSRC/kernel: install linux-image-$KVER${MODDIR:+ (or check --moddir)}"

SRCVERSION= KO_DEPENDS=
# The guest keeps the file's name: dkms compresses the module like the
# kernel's own (ovpn-dco-v2.ko.xz on 6.12); kmod's insmod reads either.
KO_NAME=$(basename "$KO")
case "$KO_NAME" in
ovpn-dco-v2.ko|ovpn-dco-v2.ko.xz|ovpn-dco-v2.ko.zst|ovpn-dco-v2.ko.gz) ;;
*) [ "$LOAD_MODULE" = 0 ] || die "$KO: the module file must be ovpn-dco-v2.ko (OpenVPN and the guest load it by that name)" ;;
esac
if [ "$LOAD_MODULE" = 1 ]; then
	[ -f "$KO" ] || die "module $KO not found: build it first ('make' or 'make module'; for --module reference: scripts/build-reference.sh), or pass --no-module to test the harness only"
	vermagic=$(modinfo -F vermagic "$KO" 2>/dev/null | awk '{print $1}')
	[ "$vermagic" = "$KVER" ] || die "$KO is built for '$vermagic', not for KVER=$KVER: rebuild with 'make KVER=$KVER'"
	SRCVERSION=$(modinfo -F srcversion "$KO")
	[ -n "$SRCVERSION" ] || die "$KO has no srcversion: the module must declare MODULE_VERSION (the guest checks /sys/module/ovpn_dco_v2/srcversion to be sure it tests the intended build)"
	KO_DEPENDS=$(modinfo -F depends "$KO" | tr ',' ' ')
fi
DEBUG_SRCVERSION=
if [ -n "$DEBUG_KO" ] && { [ "$MODULE" != ours ] || [ "$LOAD_MODULE" = 0 ]; }; then
	DEBUG_KO=	# a test aid of ours: not beside the reference
fi
if [ -n "$DEBUG_KO" ]; then
	[ -f "$DEBUG_KO" ] || die "debug module $DEBUG_KO not found: make module-debug"
	[ "$(basename "$DEBUG_KO")" = ovpn-dco-v2.ko ] || die "$DEBUG_KO: the debug module file must be ovpn-dco-v2.ko"
	[ "$(modinfo -F vermagic "$DEBUG_KO" 2>/dev/null | awk '{print $1}')" = "$KVER" ] ||
		die "$DEBUG_KO is not built for KVER=$KVER: make module-debug KVER=$KVER"
	case "$(modinfo -F version "$DEBUG_KO")" in
	*+debug) ;;
	*) die "$DEBUG_KO is not a debug build (its version lacks +debug)" ;;
	esac
	DEBUG_SRCVERSION=$(modinfo -F srcversion "$DEBUG_KO")
	[ "$DEBUG_SRCVERSION" != "$SRCVERSION" ] || die "$DEBUG_KO has the srcversion of $KO: not the debug build"
fi
REF_KO='' REF_SRCVERSION=''
if [ "$BENCH" = 1 ] && [[ " $B_CONT " == *" ref-"* ]]; then
	if [ -n "${OVPN_REFERENCE_KO:-}" ]; then
		REF_KO=$OVPN_REFERENCE_KO
	else
		REF_KO=$(KVER=$KVER "$TOP/scripts/build-reference.sh") || die "cannot build the reference module (scripts/build-reference.sh)"
	fi
	[ "$(modinfo -F vermagic "$REF_KO" 2>/dev/null | awk '{print $1}')" = "$KVER" ] || die "$REF_KO is not built for $KVER"
	REF_SRCVERSION=$(modinfo -F srcversion "$REF_KO")
	[ -n "$REF_SRCVERSION" ] || die "$REF_KO has no srcversion"
	[ "$REF_SRCVERSION" != "$SRCVERSION" ] || die "the reference $REF_KO has our srcversion: it is not the reference"
	info "bench: the reference module $REF_KO (version $(modinfo -F version "$REF_KO")) replaces ours for the ref-* contenders"
fi
if [ "$SCALE" = 1 ] && [[ " $S_MODS " == *" reference "* ]]; then
	# 6.12: the reference does not build (guest-testing.md trap 9); ours
	# is measured alone and the table says why
	if [ -n "${OVPN_REFERENCE_KO:-}" ]; then
		REF_KO=$OVPN_REFERENCE_KO
	else
		REF_KO=$(KVER=$KVER "$TOP/scripts/build-reference.sh") ||
			{ info "bench-scale: the reference module does not build for $KVER: measuring ours alone"; REF_KO=; }
	fi
	if [ -n "$REF_KO" ]; then
		[ "$(modinfo -F vermagic "$REF_KO" 2>/dev/null | awk '{print $1}')" = "$KVER" ] || die "$REF_KO is not built for $KVER"
		REF_SRCVERSION=$(modinfo -F srcversion "$REF_KO")
		[ -n "$REF_SRCVERSION" ] || die "$REF_KO has no srcversion"
		[ "$REF_SRCVERSION" != "$SRCVERSION" ] || die "the reference $REF_KO has our srcversion: it is not the reference"
	fi
fi

# ---------------------------------------------------------------- scenarios
SCN_DIR=$TOP/tests/scenarios
SCN_REL=()
if [ "$DEMO" = 1 ]; then
	[ -f "$SCN_DIR/demo/demo.sh" ] || die "no demo: $SCN_DIR/demo/demo.sh missing"
	SCN_REL=(demo/demo.sh)
elif [ "$BENCH" = 1 ]; then
	# The guest copies tests/bench beside tests/scenarios.
	[ -f "$TOP/tests/bench/bench.sh" ] || die "no benchmark: tests/bench/bench.sh missing"
	SCN_REL=(../bench/bench.sh)
elif [ "$SCALE" = 1 ]; then
	[ -f "$TOP/tests/bench/scale.sh" ] || die "no scale benchmark: tests/bench/scale.sh missing"
	SCN_REL=(../bench/scale.sh)
elif [ "$SOAK" = 1 ]; then
	[ -f "$SCN_DIR/soak/soak.sh" ] || die "no soak test: $SCN_DIR/soak/soak.sh missing"
	SCN_REL=(soak/soak.sh)
else
	for f in "$SCN_DIR"/*.sh; do
		[ -e "$f" ] || continue
		b=$(basename "$f" .sh)
		case "$b" in demo*) continue ;; esac
		if [ "${#GLOBS[@]}" -gt 0 ]; then
			m=0
			for g in "${GLOBS[@]}"; do
				# shellcheck disable=SC2053
				[[ "$b" == $g ]] && m=1
			done
			[ "$m" = 1 ] || continue
		fi
		SCN_REL+=("$(basename "$f")")
	done
fi
[ "${#SCN_REL[@]}" -gt 0 ] || die "no scenario selected (globs: ${GLOBS[*]:-none}) in $SCN_DIR"

SCENARIOS= NAMES=() TOTAL_TMO=0
for r in "${SCN_REL[@]}"; do
	[ -x "$SCN_DIR/$r" ] || info "warning: $r is not executable (runs anyway with bash)"
	t=$(sed -n '1,30s/^# *timeout: *\([0-9][0-9]*\).*/\1/p' "$SCN_DIR/$r" | head -n 1)
	t=${t:-$DEFAULT_TMO}
	t=$((t * TFACTOR))
	# The soak's own timeout covers set-up, teardown and the slab wait;
	# its run and warm-up (wall-clock seconds) come on top.
	[ "$r" != soak/soak.sh ] || t=$((t + ${SOAK_SECONDS:-300} + ${SOAK_WARMUP:-20}))
	if [ "$BENCH" = 1 ]; then
		# bench.sh bounds each contender (setup + runs) itself; this is the sum.
		t=$(( $(wc -w <<<"$B_CONT") * (150 + B_REPS * $(wc -w <<<"$B_TESTS") * (B_TIME + 25) + 30) + 60 ))
	fi
	SCENARIOS+="$r:$t "
	NAMES+=("$(basename "$r" .sh)")
	TOTAL_TMO=$((TOTAL_TMO + t + 15))
done
BOUND=${OVPN_GUEST_TIMEOUT:-$((120 * TFACTOR + TOTAL_TMO))}

# ---------------------------------------------------------------- initramfs
# Two concatenated cpio archives (the kernel unpacks both): a base (tools,
# libraries, busybox, kernel modules), cached in build/guest/base-KVER while
# its inputs do not change, and the project (our module, CLI, tools, keys,
# scenarios, /init, config), rebuilt every run.
mkdir -p "$OUT"
# Several people share one work tree: a second concurrent run gets its own
# artifact directory instead of clobbering the first one's.
exec 9>"$OUT/.run.lock"
if flock -n 9; then
	RUN=$OUT
else
	RUN=$(mktemp -d "$OUT/run.XXXXXX")
	info "another guest run holds $OUT: this run's artifacts go to $RUN"
fi
rm -rf "$RUN/logs"
mkdir -p "$RUN/logs"
T0=$(date +%s%N)

# Files are registered first and copied in a few batched cp calls (one
# process per file made the build take half a minute).
declare -A FILES=()	# destination path in ROOT -> source path
declare -A LINKS=()	# symlink path in ROOT -> target
BINS=()			# files whose libraries come along (one batched ldd)
# canon PATH: PATH with its directory resolved on the host (/lib/x/y -> /usr/lib/x/y).
canon() { local d; d=$(cd "$(dirname "$1")" && pwd -P); echo "$d/$(basename "$1")"; }
# put SRC [DST]: copy SRC (dereferenced) to ROOT/DST; DST defaults to SRC's
# canonical path and must have the same basename.
put() { FILES[${2:-$(canon "$1")}]=$1; }
put_libs() { BINS+=("$1"); }
# put_bin PATH: the real file at its resolved path, PATH as a symlink to it, its libraries.
put_bin() {
	local p=$1 real
	real=$(readlink -f "$p")
	put "$real" "$real"
	[ "$real" = "$p" ] || LINKS[$p]=$real
	BINS+=("$real")
}
flush_files() {
	local dst l d
	local -A bydir=()
	if [ "${#BINS[@]}" -gt 0 ]; then
		for l in $(ldd "${BINS[@]}" 2>/dev/null | awk '/^\t/ && /=> \// { print $3 } /^\t\// { print $1 }' | sort -u); do
			put "$l"
		done
		BINS=()
	fi
	for dst in "${!FILES[@]}"; do
		[ "$(basename "$dst")" = "$(basename "${FILES[$dst]}")" ] || die "internal: put ${FILES[$dst]} -> $dst renames"
		bydir[$(dirname "$dst")]+="${FILES[$dst]}"$'\n'
	done
	for d in "${!bydir[@]}"; do
		mkdir -p "$ROOT$d"
		printf '%s' "${bydir[$d]}" | xargs -d '\n' cp -L --preserve=mode -t "$ROOT$d"
	done
	FILES=()
	for l in "${!LINKS[@]}"; do
		if [ ! -e "$ROOT$l" ] && [ ! -L "$ROOT$l" ]; then
			mkdir -p "$ROOT$(dirname "$l")"
			ln -s "${LINKS[$l]}" "$ROOT$l"
		fi
	done
	LINKS=()
}
mkcpio() { # DIR OUT
	(cd "$1" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$2.tmp"
	mv "$2.tmp" "$2"
}

# Real tools (first in the guest PATH; busybox only fills the gaps, from
# /opt/busybox at the end of PATH, so no applet shadows a real tool: trap 1).
REQUIRED=(bash ip ss tc ping iperf3 tcpdump openvpn kmod busybox
	cat cp mv rm ln ls mkdir rmdir touch chmod chown echo printf sleep timeout date head tail wc sort uniq
	cut tr tee seq basename dirname readlink realpath env id stat mktemp dd true false test expr nproc
	uname sync du df od base64 sha256sum md5sum split comm paste nohup yes
	grep egrep sed awk mawk find xargs ps pgrep pkill kill sysctl free dmesg mount umount setsid
	nsenter unshare taskset flock nstat nice)
OPTIONAL=(ethtool bridge strace gawk openssl perf wg)
TOOLS_FOUND=()
if ! mapfile -t TOOLS_FOUND < <(type -P "${REQUIRED[@]}") || [ "${#TOOLS_FOUND[@]}" != "${#REQUIRED[@]}" ]; then
	for c in "${REQUIRED[@]}"; do
		type -P "$c" >/dev/null || die "host tool '$c' missing: run scripts/deps.sh"
	done
fi
mapfile -t -O "${#TOOLS_FOUND[@]}" TOOLS_FOUND < <(type -P "${OPTIONAL[@]}" || true)

BASE=$BASE_OUT/base-$KVER
mkdir -p "$BASE_OUT"
exec 8>"$BASE_OUT/.base.lock"
flock 8
BASE_KEY=$( {
	echo "$KVER $KO_DEPENDS"
	sed -n '/^# -* initramfs$/,/^# -* project$/p' "$0"
	stat -L -c '%n %s %Y' "${TOOLS_FOUND[@]}" "$MODSRC/modules.order" "$MODSRC/kernel"
} | sha256sum | cut -c1-16)
if [ "$(cat "$BASE/key" 2>/dev/null)" != "$BASE_KEY" ] || [ ! -s "$BASE/base.cpio.gz" ]; then
	info "building the base initramfs for $KVER (cached in $BASE)"
	rm -rf "$BASE"
	ROOT=$BASE/root
	mkdir -p "$ROOT"/usr/{bin,sbin,lib,lib64}
	for d in bin sbin lib lib64; do ln -s "usr/$d" "$ROOT/$d"; done
	mkdir -p "$ROOT"/{dev,proc,sys,tmp,run,root,etc,opt/busybox,opt/ovpn,var}
	ln -s /run "$ROOT/var/run"
	for p in "${TOOLS_FOUND[@]}"; do put_bin "$p"; done
	# kmod personalities (/sbin/modprobe is what the kernel calls: trap 3).
	for c in modprobe insmod rmmod lsmod modinfo depmod; do
		ln -sf /usr/bin/kmod "$ROOT/usr/sbin/$c"
	done
	ln -sf bash "$ROOT/usr/bin/sh"
	flush_files
	bb=$(readlink -f "$(type -P busybox)")
	[ "$bb" = /usr/bin/busybox ] || ln -sf "$bb" "$ROOT/usr/bin/busybox"
	for a in $(busybox --list); do
		case "$a" in busybox|sh|ash|init|linuxrc) continue ;; esac
		[ -e "$ROOT/usr/bin/$a" ] || [ -e "$ROOT/usr/sbin/$a" ] || ln -s /bin/busybox "$ROOT/opt/busybox/$a"
	done

	# /etc
	printf '%s\n' 'root:x:0:0:root:/root:/bin/bash' \
		'tcpdump:x:104:109::/nonexistent:/usr/sbin/nologin' \
		'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >"$ROOT/etc/passwd"
	printf '%s\n' 'root:x:0:' 'tcpdump:x:109:' 'nogroup:x:65534:' >"$ROOT/etc/group"
	printf '127.0.0.1 localhost\n::1 localhost\n192.168.100.1 a\n192.168.100.2 b\n' >"$ROOT/etc/hosts"
	printf 'passwd: files\ngroup: files\nhosts: files\nservices: files\nprotocols: files\n' >"$ROOT/etc/nsswitch.conf"
	for f in /etc/protocols /etc/services; do [ -f "$f" ] && cp "$f" "$ROOT/etc/"; done
	: >"$ROOT/etc/fstab"

	# Kernel modules: the directories the tests use plus the dependency
	# closure. Only kernel/ is copied: never updates/ or extra/ (trap 8, a
	# reference ovpn-dco-v2.ko could hide there).
	declare -A MODIDX=()
	while IFS= read -r f; do
		b=${f##*/}
		b=${b%%.ko*}
		MODIDX[${b//-/_}]=$f
	done < <(find "$MODSRC/kernel" -name '*.ko*')
	MOD_WANT=()
	for d in crypto arch/x86/crypto lib/crypto net/ipv4 net/ipv6 net/core net/sched net/bridge net/802 net/llc \
		drivers/net/wireguard; do
		[ -d "$MODSRC/kernel/$d" ] || continue
		while IFS= read -r f; do MOD_WANT+=("$f"); done < <(find "$MODSRC/kernel/$d" -name '*.ko*')
	done
	for m in veth tun dummy ifb macvlan ipvlan udp_tunnel ip6_udp_tunnel $KO_DEPENDS; do
		m=${m//-/_}
		[ -n "${MODIDX[$m]:-}" ] && MOD_WANT+=("${MODIDX[$m]}")
	done
	declare -A MODHAVE=()
	pending=("${MOD_WANT[@]}")
	while [ "${#pending[@]}" -gt 0 ]; do
		next=()
		for f in "${pending[@]}"; do
			[ -n "${MODHAVE[$f]:-}" ] && continue
			MODHAVE[$f]=1
			next+=("$f")
		done
		[ "${#next[@]}" -gt 0 ] || break
		pending=()
		for dep in $(modinfo -F depends "${next[@]}" 2>/dev/null | tr ',' ' '); do
			dep=${dep//-/_}
			f=${MODIDX[$dep]:-}
			if [ -z "$f" ]; then
				info "warning: module dependency $dep not found in $MODSRC/kernel"
				continue
			fi
			[ -n "${MODHAVE[$f]:-}" ] || pending+=("$f")
		done
	done
	mkdir -p "$ROOT/lib/modules/$KVER"
	for f in "${!MODHAVE[@]}"; do echo "${f#"$MODSRC"/}"; done |
		(cd "$MODSRC" && xargs -d '\n' cp --parents -t "$ROOT/lib/modules/$KVER/")
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$MODSRC/$f" ] && cp "$MODSRC/$f" "$ROOT/lib/modules/$KVER/"
	done
	depmod -b "$ROOT" "$KVER" || die "depmod -b $ROOT $KVER failed"
	if find "$ROOT/lib/modules" -name 'ovpn*' | grep -q .; then
		die "an ovpn module slipped into the guest module tree: $(find "$ROOT/lib/modules" -name 'ovpn*')"
	fi
	mkcpio "$ROOT" "$BASE/base.cpio.gz"
	echo "$BASE_KEY" >"$BASE/key"
	[ "$KEEP" = 1 ] || rm -rf "$ROOT"
fi
cp "$BASE/base.cpio.gz" "$RUN/base.cpio.gz.tmp"	# private copy: a later rebuild may replace it
exec 8>&-

# ---------------------------------------------------------------- project
# Only real directories here, no top-level symlinks (the base has /lib ->
# usr/lib etc.; libraries go to their canonical /usr/lib/... paths).
ROOT=$RUN/project
rm -rf "$ROOT"
mkdir -p "$ROOT"
P=/opt/ovpn
if [ "$LOAD_MODULE" = 1 ]; then
	put "$KO" "$P/$KO_NAME"
fi
[ -z "$DEBUG_KO" ] || put "$DEBUG_KO" "$P/debug/ovpn-dco-v2.ko"
if [ -x "$TOP/cli/ovpn-cli" ]; then
	put "$TOP/cli/ovpn-cli" "$P/cli/ovpn-cli"
	put_libs "$TOP/cli/ovpn-cli"
else
	info "warning: cli/ovpn-cli not built: scenarios that use it will fail"
fi
mkdir -p "$ROOT$P/tools"
if [ -d "$TOP/tests/tools" ]; then
	for f in "$TOP"/tests/tools/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		put "$f" "$P/tools/$(basename "$f")"
		[ "$(head -c 4 "$f")" = $'\x7fELF' ] && put_libs "$f"
	done
fi
flush_files
mkdir -p "$ROOT$P/keys" "$ROOT$P/tests"
[ -d "$TOP/keys" ] && cp -a "$TOP/keys/." "$ROOT$P/keys/"
cp "$TOP/tests/lib.sh" "$ROOT$P/tests/lib.sh"
# scenario 95 runs the README's quick starts as the README shows them
cp "$TOP/README.md" "$ROOT$P/README.md"
cp -a "$SCN_DIR" "$ROOT$P/tests/scenarios"
if [ "$BENCH$SCALE" != 00 ]; then
	cp -a "$TOP/tests/bench" "$ROOT$P/tests/bench"
	rm -f "$ROOT$P/tests/bench/"*.py
	if [ -n "$REF_KO" ]; then
		mkdir -p "$ROOT$P/ref"
		cp "$REF_KO" "$ROOT$P/ref/ovpn-dco-v2.ko"
	fi
fi
if [ "$SCALE" = 1 ]; then
	{
		echo "BENCH_SCALE_N='$S_N'"
		echo "BENCH_SCALE_MODULES='$S_MODS'"
		echo "BENCH_SCALE_IDLE=$S_IDLE"
		echo "BENCH_SCALE_TIME=$S_TIME"
		echo "BENCH_SCALE_NAPI_THREADED=${BENCH_SCALE_NAPI_THREADED:-}"
		echo "BENCH_REF_KO=$P/ref/ovpn-dco-v2.ko"
		echo "BENCH_REF_SRCVERSION='$REF_SRCVERSION'"
	} >"$ROOT$P/tests/bench/bench.conf"
fi
if [ "$BENCH" = 1 ]; then
	{
		echo "BENCH_CONTENDERS='$B_CONT'"
		echo "BENCH_TESTS='$B_TESTS'"
		echo "BENCH_TIME=$B_TIME"
		echo "BENCH_REPS=$B_REPS"
		echo "BENCH_UDP_RATE=$B_UDP_RATE"
		echo "BENCH_UDP_LEN=$B_UDP_LEN"
		echo "BENCH_MISROUTE=${BENCH_MISROUTE:-0}"
		echo "BENCH_OURS_PARAMS='${BENCH_OURS_PARAMS:-}'"
		echo "BENCH_NAPI_THREADED=${BENCH_NAPI_THREADED:-}"
		echo "BENCH_OURS_SRCVERSION='$SRCVERSION'"
		echo "BENCH_REF_KO=$P/ref/ovpn-dco-v2.ko"
		echo "BENCH_REF_SRCVERSION='$REF_SRCVERSION'"
	} >"$ROOT$P/tests/bench/bench.conf"
fi
cp "$TOP/tests/guest/init.sh" "$ROOT/init"
chmod 755 "$ROOT/init"

PRELOAD="udp_tunnel ip6_udp_tunnel $KO_DEPENDS"
RUN_MODE=suite
[ "$DEMO" = 1 ] && RUN_MODE=demo
[ "$BENCH" = 1 ] && RUN_MODE=bench
[ "$SCALE" = 1 ] && RUN_MODE=bench-scale
[ "$SOAK" = 1 ] && RUN_MODE=soak
{
	echo "MODE=$RUN_MODE"
	echo "PFX='$PFX'"
	echo "LOAD_MODULE=$LOAD_MODULE"
	echo "OVPN_KO=$P/$KO_NAME"
	echo "OVPN_MODULE=$MODULE"
	echo "WHOSE='$WHOSE'"
	echo "SRCVERSION='$SRCVERSION'"
	echo "DEBUG_KO=${DEBUG_KO:+$P/debug/ovpn-dco-v2.ko}"
	echo "DEBUG_SRCVERSION='$DEBUG_SRCVERSION'"
	echo "PRELOAD_MODULES='$(echo $PRELOAD)'"
	echo "SCENARIOS='$SCENARIOS'"
	echo "SETTLE=$SETTLE"
	echo "XTRACE='${OVPN_XTRACE:-}'"
	echo "export OVPN_TIMEOUT_FACTOR=$TFACTOR"
	# Knobs of the soak test, passed through when set on the host.
	for v in SOAK_SECONDS SOAK_WARMUP SOAK_SLAB_TOL_KB SOAK_DEL_SLOW_MS; do
		[ -z "${!v:-}" ] || echo "export $v=${!v}"
	done
	echo "FUZZ_COUNT='${OVPN_FUZZ_COUNT:-}'"
	echo "FUZZ_SEED='${OVPN_FUZZ_SEED:-}'"
} >"$ROOT$P/config"

INITRD=$RUN/initramfs.cpio.gz
mkcpio "$ROOT" "$RUN/project.cpio.gz"
cat "$RUN/base.cpio.gz.tmp" "$RUN/project.cpio.gz" >"$INITRD"
rm -f "$RUN/base.cpio.gz.tmp"
[ "$KEEP" = 1 ] || rm -rf "$ROOT"
T1=$(date +%s%N)
info "initramfs $(du -h "$INITRD" | cut -f1) built in $(( (T1 - T0) / 1000000 )) ms; booting $KVER (bound ${BOUND}s, ${#NAMES[@]} scenario(s))"

# --------------------------------------------------------------------- boot
SERIAL=$RUN/serial.log RESULTS=$RUN/results.log
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
DATE0=$(date -u +%Y-%m-%dT%H:%M:%SZ)
: >"$SERIAL"
: >"$RESULTS"
set +e
timeout -k 10 "$BOUND" qemu-system-x86_64 -m "$MEM" -smp "$SMP" -cpu max -nographic -no-reboot -nic none \
	-kernel "$KERNEL" -initrd "$INITRD" \
	-append "console=ttyS0 panic=-1 oops=panic $SLUB log_buf_len=4M net.ifnames=0 $APPEND" \
	-serial mon:stdio -serial "file:$RESULTS" \
	</dev/null >"$SERIAL" 2>"$RUN/qemu.log"
QRC=$?
set -e
T2=$(date +%s%N)
info "guest ran $(( (T2 - T1) / 1000000 )) ms (qemu exit $QRC)"

# --------------------------------------------------------------------- report
clean_tail() { # FILE N [MARKER]: last N lines (after the last MARKER line if
	# given), without \r and escape sequences
	tr -d '\r' <"$1" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' |
		awk -v m="${3:-}" '{ l[NR] = $0 } m != "" && index($0, m) { s = NR - 1 } END { for (i = s + 1; i <= NR; i++) print l[i] }' |
		tail -n "$2" | sed 's/^/    | /'
}

declare -A RES=() OUTS=() DMSG=() BEGUN=()
BOOTED=0 DONE=0 MODLINE= RMMOD= NOTES=() CUR=
while IFS= read -r line; do
	case "$line" in
	"BOOT "*) BOOTED=1 ;;
	"MODULE "*) MODLINE=${line#MODULE } ;;
	"MODULE-DMESG "*) DMSG[module-load]+="${line#MODULE-DMESG }"$'\n' ;;
	"BEGIN "*) CUR=${line#BEGIN }; BEGUN[$CUR]=1 ;;
	"OUT "*)
		rest=${line#OUT }
		n=${rest%% *}
		l=${rest#"$n"}
		OUTS[$n]+="${l# }"$'\n' ;;
	"DMESG "*)
		rest=${line#DMESG }
		n=${rest%% *}
		l=${rest#"$n"}
		DMSG[$n]+="${l# }"$'\n' ;;
	"RESULT "*)
		read -r _ n r rc ms <<<"$line"
		RES[$n]="$r $rc $ms" ;;
	"RMMOD "*) RMMOD=${line#RMMOD } ;;
	"NOTE "*) NOTES+=("${line#NOTE }") ;;
	DONE) DONE=1 ;;
	esac
done < <(tr -d '\r' <"$RESULTS" | sed -n "s/^.*$PFX //p")

for n in "${!OUTS[@]}"; do printf '%s' "${OUTS[$n]}" >"$RUN/logs/$n.txt"; done

PASSED=0 FAILED=0 SKIPPED=0
indent() { sed 's/^/    /'; }
# The benchmark's records are for tests/bench/report.py, not for people.
scn_out() { printf '%s' "${OUTS[$1]:-}" | grep -v '^@\(bench\|scale\) ' || true; }
table() { # the @table lines of a scenario's output, without the prefix
	printf '%s' "${OUTS[$1]:-}" | sed -n 's/^@table \{0,1\}//p'
}
for n in "${!NOTES[@]}"; do info "guest: ${NOTES[$n]}"; done
[ -z "$MODLINE" ] || info "guest: module $MODLINE"

if [ "$BOOTED" != 1 ]; then
	echo "FAIL guest"
	echo "    the guest did not reach /init (qemu exit $QRC); serial log tail:"
	clean_tail "$SERIAL" 40
	sed 's/^/    qemu: /' "$RUN/qemu.log" | tail -n 10
	FAILED=$((FAILED + 1))
fi
if [ "$LOAD_MODULE" = 1 ] && [ "$BOOTED" = 1 ]; then
	case "$MODLINE" in
	OK*) [ -z "${DMSG[module-load]:-}" ] || {
		echo "FAIL module-load"
		echo "    dmesg reports while loading the module:"
		printf '%s' "${DMSG[module-load]}" | indent
		FAILED=$((FAILED + 1)); } ;;
	*)
		echo "FAIL module-load"
		echo "    ${MODLINE:-no module report from the guest}"
		printf '%s' "${DMSG[module-load]:-}" | indent
		FAILED=$((FAILED + 1)) ;;
	esac
fi

for n in "${NAMES[@]}"; do
	if [ -n "${RES[$n]:-}" ]; then
		read -r r rc ms <<<"${RES[$n]}"
		echo "$r $n"
		if [ "$r" = FAIL ]; then
			FAILED=$((FAILED + 1))
			echo "    exit status $rc after ${ms} ms; output:"
			scn_out "$n" | indent
			if [ -n "${DMSG[$n]:-}" ]; then
				echo "    dmesg reports:"
				printf '%s' "${DMSG[$n]}" | indent
			fi
		else
			[ "$r" = PASS ] && PASSED=$((PASSED + 1)) || SKIPPED=$((SKIPPED + 1))
			if [ "$VERBOSE" = 1 ]; then
				echo "    (${ms} ms)"
				printf '%s' "${OUTS[$n]:-}" | indent
			elif [ "$r" = SKIP ]; then
				printf '%s' "${OUTS[$n]:-}" | grep '^SKIP' | indent
			fi
		fi
		table "$n"
	elif [ -n "${BEGUN[$n]:-}" ]; then
		echo "FAIL $n"
		FAILED=$((FAILED + 1))
		echo "    the guest died or hung during this scenario (qemu exit $QRC$([ "$QRC" = 124 ] && echo ": boot bound ${BOUND}s reached")); output:"
		scn_out "$n" | indent
		echo "    serial log since the scenario began:"
		clean_tail "$SERIAL" 80 "ovpn-test: begin $n "
	else
		echo "FAIL $n"
		echo "    not run"
		FAILED=$((FAILED + 1))
	fi
done

if [ "$BOOTED" = 1 ] && [ -n "${DMSG[teardown]:-}" ]; then
	echo "FAIL teardown"
	echo "    dmesg reports after the last scenario (device/namespace teardown, rmmod):"
	printf '%s' "${DMSG[teardown]}" | indent
	FAILED=$((FAILED + 1))
fi
if [ "$BOOTED" = 1 ] && [ "$DONE" != 1 ]; then
	echo "FAIL guest"
	echo "    the guest did not finish (qemu exit $QRC$([ "$QRC" = 124 ] && echo ": boot bound ${BOUND}s reached")): module unload not checked"
	if [ "$FAILED" = 0 ]; then
		echo "    serial log tail:"
		clean_tail "$SERIAL" 40
	fi
	FAILED=$((FAILED + 1))
elif [ "$LOAD_MODULE" = 1 ] && [ "${MODLINE%% *}" = OK ] && [ "$RMMOD" != OK ]; then
	echo "FAIL rmmod"
	echo "    ${RMMOD:-no rmmod report}"
	FAILED=$((FAILED + 1))
fi

if [ "$BENCH" = 1 ]; then
	# The table, results.json and bench.png, whatever happened above: a
	# contender the guest did not finish is reported as failed.
	BRC=0
	/usr/bin/python3 "$TOP/tests/bench/report.py" --log "$RUN/logs/bench.txt" --out "${BENCH_OUT:-$TOP/build/bench}" \
		--meta kver="$KVER" --meta date="$DATE0" --meta qemu="-smp $SMP -cpu max -m $MEM" \
		--meta slub_debug="$([ -n "$SLUB" ] && echo on || echo off)" \
		--meta guest_finished="$DONE" --meta guest_result="${RES[bench]:-none}" --meta qemu_exit="$QRC" \
		--meta guest_seconds="$(( (T2 - T1) / 1000000000 ))" \
		--meta host_load_before="$LOAD0" --meta host_load_after="$(cut -d' ' -f1-3 /proc/loadavg)" \
		--meta ours_srcversion="$SRCVERSION" --meta ref_srcversion="$REF_SRCVERSION" \
		--meta ref_ko="$REF_KO" --meta contenders="$B_CONT" --meta tests="$B_TESTS" \
		--meta git_dir="$TOP" || BRC=$?
	[ "$BRC" = 0 ] || FAILED=$((FAILED + 1))
fi
if [ "$SCALE" = 1 ]; then
	BRC=0
	/usr/bin/python3 "$TOP/tests/bench/scale_report.py" --log "$RUN/logs/scale.txt" \
		--out "${BENCH_OUT:-$TOP/build/bench-scale}" \
		--meta kver="$KVER" --meta date="$DATE0" --meta qemu="-smp $SMP -cpu max -m $MEM" \
		--meta slub_debug="$([ -n "$SLUB" ] && echo on || echo off)" \
		--meta guest_finished="$DONE" --meta guest_result="${RES[scale]:-none}" --meta qemu_exit="$QRC" \
		--meta guest_seconds="$(( (T2 - T1) / 1000000000 ))" \
		--meta host_load_before="$LOAD0" --meta host_load_after="$(cut -d' ' -f1-3 /proc/loadavg)" \
		--meta ours_srcversion="$SRCVERSION" --meta ref_srcversion="$REF_SRCVERSION" \
		--meta ref_ko="$REF_KO" --meta git_dir="$TOP" || BRC=$?
	[ "$BRC" = 0 ] || FAILED=$((FAILED + 1))
fi
summary="$PASSED passed, $FAILED failed"
[ "$SKIPPED" = 0 ] || summary+=", $SKIPPED skipped"
echo "$summary"
if [ "$FAILED" -gt 0 ]; then
	exit 1
fi
if [ "$PASSED" = 0 ]; then
	echo "run.sh: no scenario passed (zero executed)" >&2
	exit 1
fi
exit 0
