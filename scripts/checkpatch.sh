#!/bin/sh
# checkpatch.pl --strict over the kernel sources, using the script shipped in
# Debian's linux-source-6.1 package (extracted once into build/checkpatch).
# compat.h is the one place allowed to test LINUX_VERSION_CODE; tcp.c keeps
# writable copies of the kernel's TCP proto_ops (filled at run time, so they
# cannot be const).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/build/checkpatch
tarball=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null | head -n 1)
if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
	if [ -z "$tarball" ]; then
		echo "checkpatch.sh: install linux-source-6.1 (make deps)" >&2
		exit 1
	fi
	mkdir -p "$dir"
	tar -xJf "$tarball" -C "$dir" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
fi
cd "$top"
status=0
for f in drivers/net/ovpn-dco/*.[ch] include/ovpn_dco/*.h uapi/linux/ovpn_dco.h; do
	out=$("$dir/scripts/checkpatch.pl" --strict --no-tree --terse --show-types -f "$f" |
	      grep -v '^total:' |
	      grep -v 'compat.h:[0-9]*: WARNING:LINUX_VERSION_CODE:' |
	      grep -v 'tcp.c:[0-9]*: WARNING:CONST_STRUCT: struct proto_ops' || true)
	if [ -n "$out" ]; then
		echo "$out"
		status=1
	fi
done
[ $status -eq 0 ] && echo "checkpatch: clean"
exit $status
