#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check uapi/linux/ovpn_dco.h against Documentation/netlink/specs/ovpn-dco.yaml.

Every enum entry, attribute and command of the spec must appear in the header
under its C name with the same value, every non-internal entry of those C enums
must appear in the spec, and the family name, version, multicast group and link
kind strings must agree. The spec is also checked for dangling references.
Prints one line per failed check and ends with "N passed, N failed".

Standard library only: the YAML reader below handles the block subset the spec
uses (mappings, "-" sequences, [a, b] flow lists, quoted and plain scalars,
integers, and | or > block scalars).

usage: check_uapi.py [HEADER [SPEC]]
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))


class YamlError(Exception):
    pass


def _scalar(text, lineno):
    text = text.strip()
    if not text:
        return None
    if text[0] in "\"'":
        q = text[0]
        if len(text) < 2 or text[-1] != q:
            raise YamlError(f"line {lineno}: unterminated string")
        body = text[1:-1]
        return body.replace("''", "'") if q == "'" else body.replace('\\"', '"')
    if text.startswith("["):
        if not text.endswith("]"):
            raise YamlError(f"line {lineno}: unterminated flow list")
        inner = text[1:-1].strip()
        return [_scalar(x, lineno) for x in inner.split(",")] if inner else []
    if text in ("true", "false"):
        return text == "true"
    if text in ("null", "~"):
        return None
    if re.fullmatch(r"-?(0x[0-9a-fA-F]+|[0-9]+)", text):
        return int(text, 0)
    return text


def _strip_comment(text):
    # a comment starts at "#" at the start or after blank, outside quotes
    quote = None
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i]
    return text


class _Reader:
    def __init__(self, text):
        self.raw = text.split("\n")
        self.lines = []  # (indent, content, lineno) of meaningful lines
        for n, line in enumerate(self.raw, 1):
            if "\t" in line[: len(line) - len(line.lstrip())]:
                raise YamlError(f"line {n}: tab in indentation")
            body = _strip_comment(line).rstrip()
            if not body.strip():
                continue
            if n == 1 and body.startswith("%YAML") or body.strip() == "---":
                continue
            self.lines.append((len(body) - len(body.lstrip()), body.strip(), n))
        self.pos = 0

    def peek(self):
        return self.lines[self.pos] if self.pos < len(self.lines) else None

    def block_scalar(self, style, parent_indent, after_lineno):
        # raw lines after after_lineno, indented deeper than the parent
        out, n = [], after_lineno
        while n < len(self.raw):
            line = self.raw[n]
            if line.strip() and len(line) - len(line.lstrip()) <= parent_indent:
                break
            out.append(line)
            n += 1
        while out and not out[-1].strip():
            out.pop()
        indent = min((len(x) - len(x.lstrip()) for x in out if x.strip()), default=0)
        out = [x[indent:] for x in out]
        while self.peek() and self.peek()[2] <= after_lineno + len(out):
            self.pos += 1
        if style.startswith("|"):
            text = "\n".join(out)
        else:
            text = " ".join(x.strip() for x in out if x.strip())
        return text if style.endswith("-") else text + "\n"

    def value_after_key(self, rest, indent, lineno):
        if rest in ("|", "|-", ">", ">-"):
            return self.block_scalar(rest, indent, lineno)
        if rest:
            return _scalar(rest, lineno)
        nxt = self.peek()
        if nxt and (nxt[0] > indent or (nxt[0] == indent and nxt[1].startswith("-"))):
            return self.node(nxt[0])
        return None

    def node(self, indent):
        first = self.peek()
        if first[1] == "-" or first[1].startswith("- "):
            return self.sequence(indent)
        return self.mapping(indent)

    def sequence(self, indent):
        items = []
        while True:
            cur = self.peek()
            if not cur or cur[0] != indent or not (cur[1] == "-" or cur[1].startswith("- ")):
                return items
            self.pos += 1
            rest = cur[1][1:].strip()
            if not rest:
                nxt = self.peek()
                items.append(self.node(nxt[0]) if nxt and nxt[0] > indent else None)
            elif re.match(r"^[^\s\"'\[][^:]*:(\s|$)", rest):
                # "- key: value" opens a mapping at the column of the key
                col = indent + (len(cur[1]) - len(rest))
                self.pos -= 1
                self.lines[self.pos] = (col, rest, cur[2])
                items.append(self.mapping(col))
            else:
                items.append(_scalar(rest, cur[2]))

    def mapping(self, indent):
        out = {}
        while True:
            cur = self.peek()
            if not cur or cur[0] < indent:
                return out
            if cur[0] > indent:
                raise YamlError(f"line {cur[2]}: unexpected indentation")
            if cur[1].startswith("- ") or cur[1] == "-":
                return out
            m = re.match(r"^([^\s:][^:]*?):(?:\s+(.*))?$", cur[1])
            if not m:
                raise YamlError(f"line {cur[2]}: expected 'key: value'")
            key, rest = m.group(1), (m.group(2) or "").strip()
            if key in out:
                raise YamlError(f"line {cur[2]}: duplicate key {key!r}")
            self.pos += 1
            out[key] = self.value_after_key(rest, indent, cur[2])


def load_yaml(text):
    r = _Reader(text)
    if not r.peek():
        return None
    doc = r.node(r.peek()[0])
    if r.peek():
        raise YamlError(f"line {r.peek()[2]}: content after the document")
    return doc


def parse_header(text):
    """Return ({define: value}, {enum name: {entry: value}}, {enum name: [entries]})."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    defines = {}
    for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+(.+?)[ \t]*$", text, flags=re.M):
        val = m.group(2)
        if val.startswith('"') and val.endswith('"'):
            defines[m.group(1)] = val[1:-1]
        elif re.fullmatch(r"0x[0-9a-fA-F]+|[0-9]+", val):
            defines[m.group(1)] = int(val, 0)
    enums, order = {}, {}
    for m in re.finditer(r"\benum\s+(\w+)\s*\{(.*?)\}\s*;", text, flags=re.S):
        values, names, nxt = {}, [], 0
        for item in m.group(2).split(","):
            item = item.strip()
            if not item:
                continue
            name, _, expr = item.partition("=")
            name = name.strip()
            if expr.strip():
                nxt = _eval(expr, values, defines)
            values[name] = nxt
            names.append(name)
            nxt += 1
        enums[m.group(1)] = values
        order[m.group(1)] = names
    return defines, enums, order


def _eval(expr, values, defines):
    total, sign = 0, 1
    for tok in re.findall(r"0x[0-9a-fA-F]+|\w+|[+-]|\S", expr):
        if tok == "+":
            sign = 1
        elif tok == "-":
            sign = -1
        elif re.fullmatch(r"0x[0-9a-fA-F]+|[0-9]+", tok):
            total += sign * int(tok, 0)
        elif tok in values:
            total += sign * values[tok]
        elif tok in defines and isinstance(defines[tok], int):
            total += sign * defines[tok]
        else:
            raise ValueError(f"cannot evaluate {expr.strip()!r}")
    return total


# The numbering unmodified OpenVPN 2.6 depends on (the out-of-tree ovpn-dco v2
# module's). It may only grow at the end, so it is pinned here as well: a
# change made to the header and the spec together must still fail.
PINNED = {
    "OVPN_CMD_": "UNSPEC NEW_PEER SET_PEER DEL_PEER NEW_KEY SWAP_KEYS DEL_KEY GET_PEER",
    "OVPN_CIPHER_ALG_": "NONE AES_GCM CHACHA20_POLY1305",
    "OVPN_DEL_PEER_REASON_": "TEARDOWN USERSPACE EXPIRED TRANSPORT_ERROR TRANSPORT_DISCONNECT",
    "OVPN_KEY_SLOT_": "PRIMARY SECONDARY",
    "OVPN_ATTR_": "UNSPEC IFINDEX NEW_PEER SET_PEER DEL_PEER NEW_KEY SWAP_KEYS DEL_KEY GET_PEER",
    "OVPN_KEY_DIR_ATTR_": "UNSPEC CIPHER_KEY NONCE_TAIL",
    "OVPN_NEW_KEY_ATTR_": "UNSPEC PEER_ID KEY_SLOT KEY_ID CIPHER_ALG ENCRYPT_KEY DECRYPT_KEY",
    "OVPN_DEL_KEY_ATTR_": "UNSPEC PEER_ID KEY_SLOT",
    "OVPN_SWAP_KEYS_ATTR_": "UNSPEC PEER_ID",
    "OVPN_NEW_PEER_ATTR_": "UNSPEC PEER_ID SOCKADDR_REMOTE SOCKET IPV4 IPV6 LOCAL_IP",
    "OVPN_SET_PEER_ATTR_": "UNSPEC PEER_ID KEEPALIVE_INTERVAL KEEPALIVE_TIMEOUT",
    "OVPN_DEL_PEER_ATTR_": "UNSPEC REASON PEER_ID",
    "OVPN_GET_PEER_ATTR_": "UNSPEC PEER_ID",
    "OVPN_GET_PEER_RESP_ATTR_": "UNSPEC PEER_ID SOCKADDR_REMOTE IPV4 IPV6 LOCAL_IP LOCAL_PORT "
    "KEEPALIVE_INTERVAL KEEPALIVE_TIMEOUT VPN_RX_BYTES VPN_TX_BYTES VPN_RX_PACKETS VPN_TX_PACKETS "
    "LINK_RX_BYTES LINK_TX_BYTES LINK_RX_PACKETS LINK_TX_PACKETS",
    "OVPN_MODE_": "P2P MP",
    "IFLA_OVPN_": "UNSPEC MODE",
}
PINNED_STRINGS = {"OVPN_NL_NAME": "ovpn-dco-v2", "OVPN_NL_VERSION": 1,
                  "OVPN_NL_MULTICAST_GROUP_PEERS": "peers", "OVPN_LINK_KIND": "ovpn-dco"}


def c_name(prefix, name):
    return (prefix + name).upper().replace("-", "_")


def internal(name):
    return name.startswith("__") or name.endswith("_MAX")


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, msg):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {msg}")
        return ok

    def enum_matches(self, label, cenum, entries, enums, order):
        """entries: [(yaml name, C name, value)]"""
        if not self.check(cenum in enums, f"{label}: no 'enum {cenum}' in the header"):
            return
        values = enums[cenum]
        for yname, cname, value in entries:
            if cname not in values:
                self.check(False, f"{label}: {yname}: {cname} missing from enum {cenum}")
            else:
                self.check(values[cname] == value,
                           f"{label}: {cname} is {values[cname]} in the header, {value} in the spec")
        listed = {c for _, c, _ in entries}
        extra = [n for n in order[cenum] if not internal(n) and n not in listed]
        self.check(not extra, f"{label}: enum {cenum} has entries the spec lacks: {', '.join(extra)}")


def run(header_path, spec_path):
    c = Checker()
    try:
        with open(spec_path, encoding="utf-8") as f:
            spec = load_yaml(f.read())
        with open(header_path, encoding="utf-8") as f:
            defines, enums, order = parse_header(f.read())
    except (OSError, YamlError, ValueError) as e:
        c.check(False, f"cannot read the inputs: {e}")
        return c

    all_values = {}
    for values in enums.values():
        all_values.update(values)
    for prefix, names in PINNED.items():
        wrong = [f"{prefix}{n}={all_values.get(prefix + n)}"
                 for i, n in enumerate(names.split()) if all_values.get(prefix + n) != i]
        c.check(not wrong, f"OpenVPN 2.6 numbering broken in the header: {', '.join(wrong)}")
    for name, value in PINNED_STRINGS.items():
        c.check(defines.get(name) == value,
                f"OpenVPN 2.6 identity broken in the header: {name}={defines.get(name)!r}")

    def cdefine(key):
        return c_name("", spec.get(key, "")) if spec.get(key) else None

    # identity strings
    fam = cdefine("c-family-name")
    c.check(fam and defines.get(fam) == spec.get("name"),
            f"family name: header {fam}={defines.get(fam)!r}, spec name {spec.get('name')!r}")
    ver = cdefine("c-version-name")
    c.check(ver and defines.get(ver) == spec.get("version", 1),
            f"family version: header {ver}={defines.get(ver)!r}, spec {spec.get('version', 1)!r}")
    groups = (spec.get("mcast-groups") or {}).get("list") or []
    c.check(len(groups) == 1, f"expected one multicast group, spec has {len(groups)}")
    for g in groups:
        d = c_name("", g.get("c-define-name", "ovpn-nl-multicast-group-" + g["name"]))
        c.check(defines.get(d) == g["name"],
                f"multicast group {g['name']!r}: header {d}={defines.get(d)!r}")

    defs = {d["name"]: d for d in spec.get("definitions") or []}
    sets = {s["name"]: s for s in spec.get("attribute-sets") or []}

    for d in defs.values():
        label = f"definition {d['name']}"
        if d["type"] == "const":
            cname = c_name(d.get("name-prefix", "ovpn-"), d["name"])
            c.check(defines.get(cname) == d.get("value"),
                    f"{label}: header {cname}={defines.get(cname)!r}, spec {d.get('value')!r}")
        elif d["type"] == "enum":
            entries, nxt = [], int(d.get("value-start", 0))
            for e in d["entries"]:
                e = e if isinstance(e, dict) else {"name": e}
                nxt = e.get("value", nxt)
                entries.append((e["name"], c_name(d["name-prefix"], e["name"]), nxt))
                nxt += 1
            c.enum_matches(label, d["enum-name"], entries, enums, order)

    for s in sets.values():
        label = f"attribute set {s['name']}"
        entries, nxt = [], 1
        for a in s["attributes"]:
            nxt = a.get("value", nxt)
            entries.append((a["name"], c_name(s["name-prefix"], a["name"]), nxt))
            nxt += 1
            if a.get("type") == "nest":
                c.check(a.get("nested-attributes") in sets,
                        f"{label}: {a['name']} nests unknown set {a.get('nested-attributes')!r}")
            if "enum" in a:
                c.check(a["enum"] in defs, f"{label}: {a['name']} uses unknown enum {a['enum']!r}")
        c.enum_matches(label, s["enum-name"], entries, enums, order)
        values = enums.get(s["enum-name"], {})
        last = max(v for _, _, v in entries)
        for key, want in (("attr-max-name", last), ("attr-cnt-name", last + 1)):
            if key in s:
                n = c_name("", s[key])
                c.check(values.get(n) == want,
                        f"{label}: {n} is {values.get(n)!r} in the header, expected {want}")

    ops = spec.get("operations") or {}
    entries, nxt = [], 1
    for op in ops.get("list") or []:
        nxt = op.get("value", nxt)
        entries.append((op["name"], c_name(ops["name-prefix"], op["name"]), nxt))
        nxt += 1
        aset = sets.get(op.get("attribute-set"))
        for part in ("do", "dump"):
            for kind in ("request", "reply"):
                names = ((op.get(part) or {}).get(kind) or {}).get("attributes") or []
                for n in names:
                    c.check(aset and any(a["name"] == n for a in aset["attributes"]),
                            f"operation {op['name']} {part} {kind}: unknown attribute {n!r}")
        for n in (op.get("event") or {}).get("attributes") or []:
            c.check(aset and any(a["name"] == n for a in aset["attributes"]),
                    f"operation {op['name']} event: unknown attribute {n!r}")
        if "mcgrp" in op:
            c.check(any(g["name"] == op["mcgrp"] for g in groups),
                    f"operation {op['name']}: unknown multicast group {op['mcgrp']!r}")
    c.enum_matches("operations", ops.get("enum-name", ""), entries, enums, order)
    return c


def main(argv):
    header = argv[1] if len(argv) > 1 else os.path.join(TOP, "uapi", "linux", "ovpn_dco.h")
    spec = argv[2] if len(argv) > 2 else os.path.join(
        TOP, "Documentation", "netlink", "specs", "ovpn-dco.yaml")
    c = run(header, spec)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
