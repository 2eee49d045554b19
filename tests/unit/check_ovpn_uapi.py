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

The module's policies (drivers/net/ovpn-dco/netlink-ovpn.c) are held to the
spec as well: each attribute set a request names has a policy of the same
name (ovpn_genl_<set>_policy) with the spec's attributes, types, byte
orders and checks, each command's top level (ovpn_genl_<cmd>_nl_policy)
holds exactly its request's attributes and nests the set the spec names,
and the operation table binds every request command to its own policy.

usage: check_ovpn_uapi.py [HEADER [SPEC [NETLINK_C]]]   (defaults: the tree's files)
"""

import os
import re
import subprocess
import sys
import tempfile

from check_uapi import TOP, c_name, load_yaml, parse_header, parse_policies, run

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


def _ident(name):
    return name.replace("-", "_")


def check_policies(c, header, spec_path, netlink_c):
    """netlink-ovpn.c's policies and operation table against the spec."""
    with open(spec_path, encoding="utf-8") as f:
        spec = load_yaml(f.read())
    with open(header, encoding="utf-8") as f:
        defines, enums, _ = parse_header(f.read())
    names = {k: v for k, v in defines.items() if isinstance(v, int)}
    for values in enums.values():
        names.update(values)
    with open(netlink_c, encoding="utf-8") as f:
        text = re.sub(r"\\\n", " ", f.read())
    # 6.1 lacks NLA_UINT: compat.h says it by length there
    policies = parse_policies(text.replace("OVPN_POLICY_UINT", "{ .type = NLA_UINT }"), names)
    consts = {d["name"]: d.get("value") for d in spec.get("definitions") or []
              if d.get("type") == "const"}
    enum_max = {d["name"]: len(d.get("entries") or []) - 1 + int(d.get("value-start", 0))
                for d in spec.get("definitions") or [] if d.get("type") == "enum"}
    sets = {s["name"]: s for s in spec.get("attribute-sets") or []}

    def full(set_name, attr):
        s = sets[set_name]
        parent = sets[s["subset-of"]] if "subset-of" in s else s
        a = dict(next(x for x in parent["attributes"] if x["name"] == attr["name"]))
        a.update({k: v for k, v in attr.items() if k != "name"})
        return parent, a

    def want_checks(a):
        w = {k: consts.get(v, v) if isinstance(v, str) else v
             for k, v in (a.get("checks") or {}).items()}
        if "enum" in a and "max" not in w:
            w["max"] = enum_max[a["enum"]]
        return w

    def check_set(pname, set_name, only=None):
        entries = policies.get(pname)
        if not c.check(entries is not None, f"netlink-ovpn.c: no policy {pname} for set {set_name}"):
            return
        attrs = [full(set_name, a) for a in sets[set_name]["attributes"]]
        attrs = [(p, a) for p, a in attrs if only is None or a["name"] in only]
        want = {c_name(p["name-prefix"], a["name"]): a for p, a in attrs}
        c.check(set(entries) == set(want), f"policy {pname}: holds {sorted(set(entries) - set(want))} "
                f"beyond set {set_name}, lacks {sorted(set(want) - set(entries))}")
        for cname, (t, bo, checks, nested) in entries.items():
            a = want.get(cname)
            if a is None:
                continue
            label = f"policy {pname}: {cname}"
            c.check(a.get("type") == t, f"{label}: type {t}, the spec's {a.get('type')}")
            c.check(a.get("byte-order") == bo, f"{label}: byte order {bo}, the spec's {a.get('byte-order')}")
            c.check(checks == want_checks(a), f"{label}: checks {checks}, the spec's {want_checks(a)}")
            if t == "nest":
                target = f"ovpn_genl_{_ident(a['nested-attributes'])}_policy"
                c.check(nested == target, f"{label}: nests {nested}, the spec's {target}")
                if nested == target:
                    check_set(target, a["nested-attributes"])

    ops = (spec.get("operations") or {}).get("list") or []
    table = dict(re.findall(r"OVPN_GENL_OP\(\s*(OVPN_CMD_\w+)\s*,\s*\w+\s*,\s*(\w+)", text))
    for m in re.finditer(r"\.cmd\s*=\s*(OVPN_CMD_\w+)\s*,(.*?)\}", text, flags=re.S):
        pm = re.search(r"\.policy\s*=\s*(\w+)", m.group(2))
        if pm:
            table[m.group(1)] = pm.group(1)
    requests = 0
    for op in ops:
        req = ((op.get("do") or {}).get("request") or {}).get("attributes")
        cmd = c_name("ovpn-cmd-", op["name"])
        if not req:
            c.check(cmd not in table, f"ops: {cmd} is a notification, but the module takes it as a request")
            continue
        requests += 1
        top = f"ovpn_genl_{_ident(op['name'])}_nl_policy"
        c.check(table.get(cmd) == top, f"ops: {cmd} validated by {table.get(cmd)}, want {top}")
        check_set(top, op["attribute-set"], only=set(req))
    c.check(requests == 8 and len(table) == 8, f"ops: {len(table)} request commands in the module, "
            f"{requests} in the spec, want 8")


def main(argv):
    header = argv[1] if len(argv) > 1 else os.path.join(TOP, "uapi", "linux", "ovpn.h")
    spec = argv[2] if len(argv) > 2 else os.path.join(
        TOP, "Documentation", "netlink", "specs", "ovpn.yaml")
    netlink_c = argv[3] if len(argv) > 3 else os.path.join(
        TOP, "drivers", "net", "ovpn-dco", "netlink-ovpn.c")
    c = run(header, spec, PINNED, PINNED_STRINGS, "upstream ovpn (OpenVPN 2.7)")
    try:
        check_policies(c, header, spec, netlink_c)
    except (OSError, ValueError, KeyError, StopIteration) as e:
        c.check(False, f"policies: cannot read the inputs: {e!r}")
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
