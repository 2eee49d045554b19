#!/bin/sh
# Print the kernel version to build and test against: $KVER if set, else the
# version Debian's linux-image-amd64 metapackage depends on (6.1 on Debian 12).
# Never `uname -r` (the build machine's kernel is unrelated) and never the
# newest directory in /lib/modules (a 6.12 or debug kernel installed for other
# checks must not silently become the default).
if [ -n "$KVER" ]; then
	echo "$KVER"
	exit 0
fi
dep=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null)
[ -n "$dep" ] || dep=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: //p' | head -n 1)
v=$(printf '%s\n' "$dep" | tr ',' '\n' | sed -n 's/^ *linux-image-\([0-9][^ ]*\).*/\1/p' | head -n 1)
if [ -z "$v" ]; then
	echo "kver.sh: cannot tell the default kernel: install linux-image-amd64 (make deps) or set KVER" >&2
	exit 1
fi
echo "$v"
