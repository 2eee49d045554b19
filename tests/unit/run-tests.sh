#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run each unit test program named on the command line (build/<name>, or a
# python script run with $PYTHON), print its output, and close with one line
# "N passed, N failed" summing every program's own closing line. A program
# that was not built, exits non-zero with no failure counted, or does not end
# its standard output with such a line counts as one more failure.

BUILD=${BUILD:-build}
PYTHON=${PYTHON:-python3}
passed=0
failed=0

for name in "$@"; do
	out="$BUILD/$name.out"
	err="$BUILD/$name.err"
	mkdir -p "$BUILD"
	echo "== $name"
	case "$name" in
	*.py)
		"$PYTHON" "./$name" >"$out" 2>"$err"
		rc=$?
		;;
	*)
		if [ ! -x "$BUILD/$name" ]; then
			echo "$name: did not build"
			failed=$((failed + 1))
			continue
		fi
		"./$BUILD/$name" >"$out" 2>"$err"
		rc=$?
		;;
	esac
	cat "$out" "$err"

	last=$(tail -n 1 "$out")
	p=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1/p')
	f=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\2/p')
	if [ -z "$p" ]; then
		echo "$name: no closing 'N passed, N failed' line (exit status $rc)"
		failed=$((failed + 1))
		continue
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$name: exit status $rc with no failed check"
		failed=$((failed + 1))
	fi
done

for name in $SKIPPED; do
	echo "== $name: skipped (test_keyfile.c or cli/keyfile.c missing)"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
