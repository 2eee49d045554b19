#!/bin/sh
# Print the kernel version to build and test against.
#
#   scripts/kver.sh          $KVER if set, else the version Debian's
#                            linux-image-amd64 metapackage depends on (6.1 on
#                            Debian 12)
#   scripts/kver.sh SERIES   the version Debian's linux-image-SERIES-amd64
#                            metapackage depends on, e.g. 6.12 (Debian 12
#                            carries 6.12 beside 6.1); $KVER is not consulted
#
# Never `uname -r` (the build machine's kernel is unrelated) and never the
# newest directory in /lib/modules (a 6.12 or debug kernel installed for other
# checks must not silently become the default, and several 6.12 ABIs can be
# installed at once: the metapackage names the current one).
series=${1:-}
case "$series" in
"")
	if [ -n "$KVER" ]; then
		echo "$KVER"
		exit 0
	fi
	meta=linux-image-amd64 ;;
[0-9]*.[0-9]*) meta=linux-image-$series-amd64 ;;
*) echo "usage: $0 [SERIES, e.g. 6.12]" >&2; exit 2 ;;
esac
dep=$(dpkg-query -W -f='${Depends}' "$meta" 2>/dev/null)
[ -n "$dep" ] || dep=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: //p' | head -n 1)
v=$(printf '%s\n' "$dep" | tr ',' '\n' | sed -n 's/^ *linux-image-\([0-9][^ ]*\).*/\1/p' | head -n 1)
if [ -z "$v" ]; then
	echo "kver.sh: cannot tell the kernel of $meta: install it (scripts/deps.sh${series:+ --kernel $series}) or set KVER" >&2
	exit 1
fi
echo "$v"
