#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check uapi/linux/ovpn.h (the upstream ovpn family, OpenVPN 2.7's) against
Documentation/netlink/specs/ovpn.yaml, and both against the numbering and
identity OpenVPN 2.7 and the kernel's own <linux/ovpn.h> use.

The same checks as check_uapi.py's for ovpn-dco-v2 (every enum entry,
attribute and command of the spec in the header under its C name and value,
nothing in the header the spec lacks, subsets naming only their parent's
attributes, no dangling references), with upstream's numbers pinned here
too: a change made to the header and the spec together must still fail.

Prints one line per failed check and ends with "N passed, N failed".

usage: check_ovpn_uapi.py [HEADER [SPEC]]   (defaults: the tree's files)
"""

import os
import re
import subprocess
import sys
import tempfile

from check_uapi import TOP, parse_header, run

# Upstream's numbering (Linux 6.16+, include/uapi/linux/ovpn.h), which
# OpenVPN 2.7 carries a copy of: not ours to change. "-" holds the unused 0.
PINNED = {
    "OVPN_CMD_": "- PEER_NEW PEER_SET PEER_GET PEER_DEL PEER_DEL_NTF KEY_NEW KEY_GET "
    "KEY_SWAP KEY_SWAP_NTF KEY_DEL PEER_FLOAT_NTF",
    "OVPN_A_": "- IFINDEX PEER KEYCONF",
    "OVPN_A_PEER_": "- ID REMOTE_IPV4 REMOTE_IPV6 REMOTE_IPV6_SCOPE_ID REMOTE_PORT SOCKET "
    "SOCKET_NETNSID VPN_IPV4 VPN_IPV6 LOCAL_IPV4 LOCAL_IPV6 LOCAL_PORT KEEPALIVE_INTERVAL "
    "KEEPALIVE_TIMEOUT DEL_REASON VPN_RX_BYTES VPN_TX_BYTES VPN_RX_PACKETS VPN_TX_PACKETS "
    "LINK_RX_BYTES LINK_TX_BYTES LINK_RX_PACKETS LINK_TX_PACKETS TX_ID",
    "OVPN_A_KEYCONF_": "- PEER_ID SLOT KEY_ID CIPHER_ALG ENCRYPT_DIR DECRYPT_DIR",
    "OVPN_A_KEYDIR_": "- CIPHER_KEY NONCE_TAIL",
    "OVPN_CIPHER_ALG_": "NONE AES_GCM CHACHA20_POLY1305",
    "OVPN_DEL_PEER_REASON_": "TEARDOWN USERSPACE EXPIRED TRANSPORT_ERROR TRANSPORT_DISCONNECT",
    "OVPN_KEY_SLOT_": "PRIMARY SECONDARY",
}
PINNED_STRINGS = {"OVPN_FAMILY_NAME": "ovpn", "OVPN_FAMILY_VERSION": 1,
                  "OVPN_MCGRP_PEERS": "peers", "OVPN_NONCE_TAIL_SIZE": 8}


def main(argv):
    header = argv[1] if len(argv) > 1 else os.path.join(TOP, "uapi", "linux", "ovpn.h")
    spec = argv[2] if len(argv) > 2 else os.path.join(
        TOP, "Documentation", "netlink", "specs", "ovpn.yaml")
    c = run(header, spec, PINNED, PINNED_STRINGS, "upstream ovpn (OpenVPN 2.7)")
    # The reader above is lenient where YAML is not: a plain scalar holding
    # ": " breaks the kernel's YNL tools (PyYAML), and so do properties
    # the genetlink-c schema does not know.
    with open(spec, encoding="utf-8") as f:
        lines = f.read().split("\n")
    plain = [f"{n}: {line.strip()}" for n, line in enumerate(lines, 1)
             if (m := re.match(r"\s*(?:- )?[\w-]+: (.*)$", line))
             and m.group(1)[:1] not in "\"'>|[" and ": " in m.group(1)]
    c.check(not plain, "spec: plain values with ': ' are not YAML, quote them: " + "; ".join(plain))
    top = [line for line in lines if re.match(r"(version|max-by-define):", line)]
    c.check(not top, f"spec: genetlink-c has no top-level {', '.join(top)}")
    # the last values: TX_ID and PEER_FLOAT_NTF, nothing after them
    with open(header, encoding="utf-8") as f:
        _, enums, _ = parse_header(f.read())
    values = {}
    for v in enums.values():
        values.update(v)
    c.check(values.get("OVPN_A_PEER_MAX") == 24,
            f"OVPN_A_PEER_MAX is {values.get('OVPN_A_PEER_MAX')!r}, upstream's is 24 (TX_ID)")
    c.check(values.get("OVPN_CMD_MAX") == 11,
            f"OVPN_CMD_MAX is {values.get('OVPN_CMD_MAX')!r}, upstream's is 11 (PEER_FLOAT_NTF)")
    # a program written against the kernel's header builds against ours
    prog = ("#include <linux/ovpn.h>\n"
            "int main(void) { return OVPN_CMD_PEER_NEW + OVPN_A_PEER_TX_ID +\n"
            "\tOVPN_A_KEYDIR_NONCE_TAIL + OVPN_KEY_SLOT_SECONDARY +\n"
            "\tOVPN_CIPHER_ALG_CHACHA20_POLY1305 + sizeof(OVPN_FAMILY_NAME) +\n"
            "\tOVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT + OVPN_A_KEYCONF; }\n")
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "t.c")
        with open(src, "w", encoding="utf-8") as f:
            f.write(prog)
        for std in ("-std=gnu89", "-std=gnu11"):
            r = subprocess.run([os.environ.get("CC", "cc"), std, "-Wall", "-Wextra", "-Werror",
                                "-fsyntax-only", "-I", os.path.dirname(os.path.dirname(header)),
                                src], capture_output=True, text=True, check=False)
            c.check(r.returncode == 0, f"the header does not compile ({std}): {r.stderr.strip()}")
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
