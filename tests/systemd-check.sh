#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# cli/systemd/ovpn-cli@.service as make install writes it (the ovpn-cli path
# filled in, here the one just built) passes `systemd-analyze verify`, as a
# template and as an instance. Host-side, seconds; skipped with a message
# where systemd-analyze is missing (the guest and some build hosts).
#
#   tests/systemd-check.sh        (make systemd-check, part of make check)
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
SA=${SYSTEMD_ANALYZE:-$(command -v systemd-analyze || true)}
if [ -z "$SA" ]; then
	echo "systemd-check: SKIP: no systemd-analyze on this host (the unit is not verified)"
	exit 0
fi
[ -x "$TOP/cli/ovpn-cli" ] || { echo "systemd-check: cli/ovpn-cli not built (make cli)" >&2; exit 1; }
D=$(mktemp -d "${TMPDIR:-/tmp}/ovpn-systemd-check.XXXXXX")
trap 'rm -rf "$D"' EXIT
fails=0
for unit in ovpn-cli@.service ovpn-cli@site1.service; do
	sed "s|@SBINDIR@|$TOP/cli|g" "$TOP/cli/systemd/ovpn-cli@.service" >"$D/$unit"
	if ! out=$("$SA" verify "$D/$unit" 2>&1) || [ -n "$out" ]; then
		echo "systemd-check: FAIL: systemd-analyze verify $unit:" >&2
		printf '%s\n' "$out" | sed 's/^/    /' >&2
		fails=$((fails + 1))
	fi
done
grep -q '@SBINDIR@' "$D/ovpn-cli@.service" && { echo "systemd-check: FAIL: @SBINDIR@ left in the unit" >&2; fails=$((fails + 1)); }
for k in 'Type=forking' 'PIDFile=/run/ovpn-cli/%i.pid' 'Restart=on-failure' \
	'ExecStart=.*/ovpn-cli up %i$' 'ExecStop=.*/ovpn-cli down %i$' 'After=network-online.target'; do
	grep -q "^$k" "$D/ovpn-cli@.service" || { echo "systemd-check: FAIL: no '$k' in the unit" >&2; fails=$((fails + 1)); }
done
if [ "$fails" = 0 ]; then
	echo "systemd-check: PASS (ovpn-cli@.service and an instance pass $("$SA" --version | head -n 1 | cut -d' ' -f1-2) verify)"
else
	exit 1
fi
