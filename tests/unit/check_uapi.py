#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check uapi/linux/ovpn_dco.h against Documentation/netlink/specs/ovpn-dco.yaml,
against the reference module's own header, and the policies of netlink.c
against the spec.

Every enum entry, attribute and command of the spec must appear in the header
under its C name with the same value, every non-internal entry of those C enums
must appear in the spec, and the family name, version, multicast group and link
kind strings must agree. The spec is also checked for dangling references.

The reference: Debian's openvpn-dco-dkms (the out-of-tree v2 module OpenVPN 2.6
was written against), fetched by scripts/fetch-reference.sh (scripts/deps.sh
runs it). Every entry of every enum the two headers share must have the same
name and number in ours, ours may only add after the reference's last value,
and the identity strings must match. Without the reference header the check
fails: it is never skipped.

The policies: every nla_policy array of drivers/net/ovpn-dco/netlink.c is
matched to the spec's attribute set by its attribute prefix; each entry's type
(u8/u16/u32, big-endian, binary, nest and the nested set) and checks (min, max,
min-len, max-len, exact-len; an enum-typed attribute's max is the enum's last
value) must equal the spec's, every attribute of such a set must have a policy
entry, and the top-level policy must hold exactly the attributes the spec's
operations take in requests.

Prints one line per failed check and ends with "N passed, N failed".

Standard library only: the YAML reader below handles the block subset the spec
uses (mappings, "-" sequences, [a, b] flow lists, quoted and plain scalars,
integers, and | or > block scalars).

usage: check_uapi.py [HEADER [SPEC [NETLINK_C [REFERENCE_HEADER]]]]
(defaults: the tree's files; the reference header is looked for under
build/reference/, or given by $OVPN_REFERENCE_UAPI)
"""

import ast
import glob
import operator
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


def run(header_path, spec_path, pinned=None, pinned_strings=None, who="OpenVPN 2.6"):
    pinned = PINNED if pinned is None else pinned
    pinned_strings = PINNED_STRINGS if pinned_strings is None else pinned_strings
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
    # a "-" holds a place that has no name (attributes and commands count from 1)
    for prefix, names in pinned.items():
        wrong = [f"{prefix}{n}={all_values.get(prefix + n)}"
                 for i, n in enumerate(names.split()) if n != "-" and all_values.get(prefix + n) != i]
        c.check(not wrong, f"{who} numbering broken in the header: {', '.join(wrong)}")
    for name, value in pinned_strings.items():
        c.check(defines.get(name) == value,
                f"{who} identity broken in the header: {name}={defines.get(name)!r}")

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
        if "subset-of" in s:
            parent = sets.get(s["subset-of"])
            if not c.check(parent is not None, f"{label}: subset of unknown set {s['subset-of']!r}"):
                continue
            for a in s["attributes"]:
                c.check(any(p["name"] == a["name"] for p in parent["attributes"]),
                        f"{label}: {a['name']} is not in {s['subset-of']}")
                if "nested-attributes" in a:
                    c.check(a["nested-attributes"] in sets,
                            f"{label}: {a['name']} nests unknown set {a['nested-attributes']!r}")
            continue
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


def find_reference_header():
    env = os.environ.get("OVPN_REFERENCE_UAPI")
    if env:
        return env
    pat = os.path.join(TOP, "build", "reference", "*", "pkg", "usr", "src", "ovpn-dco-*",
                       "include", "uapi", "linux", "ovpn_dco.h")
    found = sorted(glob.glob(pat))
    return found[-1] if found else None


def check_reference(c, header_path, ref_path):
    """Our numbering against the reference module's own header."""
    if not c.check(ref_path and os.path.exists(ref_path),
                   "reference header not found (run scripts/fetch-reference.sh, "
                   "which scripts/deps.sh runs, or set OVPN_REFERENCE_UAPI)"):
        return
    try:
        with open(header_path, encoding="utf-8") as f:
            defines, enums, order = parse_header(f.read())
        with open(ref_path, encoding="utf-8") as f:
            rdefines, renums, rorder = parse_header(f.read())
    except (OSError, ValueError) as e:
        c.check(False, f"reference comparison: cannot read the headers: {e}")
        return
    c.check(len(renums) >= 10, f"reference header {ref_path}: only {len(renums)} enums parsed")
    for name in ("OVPN_NL_NAME", "OVPN_NL_MULTICAST_GROUP_PEERS"):
        c.check(name in rdefines and defines.get(name) == rdefines[name],
                f"reference: {name} is {defines.get(name)!r} here, {rdefines.get(name)!r} there")
    ours_all = {}
    for values in enums.values():
        ours_all.update(values)
    for tag, rvalues in renums.items():
        public = {n: v for n, v in rvalues.items() if not internal(n)}
        if tag not in enums:
            # the reference's unused sets (peer/stats/packet attributes):
            # none of their names may be used here with another number
            wrong = [f"{n}={ours_all[n]} (reference {v})" for n, v in public.items()
                     if n in ours_all and ours_all[n] != v]
            c.check(not wrong, f"reference enum {tag}: reused with other numbers: {', '.join(wrong)}")
            continue
        ours = {n: v for n, v in enums[tag].items() if not internal(n)}
        missing = [n for n in public if n not in ours]
        c.check(not missing, f"reference enum {tag}: missing here: {', '.join(missing)}")
        wrong = [f"{n}={ours[n]} (reference {v})" for n, v in public.items()
                 if n in ours and ours[n] != v]
        c.check(not wrong, f"reference enum {tag}: numbered differently: {', '.join(wrong)}")
        if public:
            last = max(public.values())
            byval = {v: n for n, v in public.items()}
            moved = [f"{n}={v} (reference: {byval[v]})" for n, v in ours.items()
                     if v in byval and byval[v] != n]
            moved += [f"{n}={v}" for n, v in ours.items()
                      if n not in public and v <= last and v not in byval]
            c.check(not moved, f"enum {tag}: additions must come after the reference's last value "
                    f"{last}: {', '.join(moved)}")


# ---- netlink.c policies against the spec

SIZEOF = {"struct sockaddr_in": 16, "struct sockaddr_in6": 28, "struct in_addr": 4,
          "struct in6_addr": 16, "u8": 1, "u16": 2, "u32": 4, "u64": 8, "__be32": 4}
NLA_TYPES = {"NLA_U8": ("u8", None), "NLA_U16": ("u16", None), "NLA_U32": ("u32", None),
             "NLA_U64": ("u64", None), "NLA_BE16": ("u16", "big-endian"),
             "NLA_BE32": ("u32", "big-endian"), "NLA_BINARY": ("binary", None),
             "NLA_NESTED": ("nest", None), "NLA_FLAG": ("flag", None),
             "NLA_NUL_STRING": ("string", None), "NLA_STRING": ("string", None),
             "NLA_S32": ("s32", None), "NLA_UINT": ("uint", None)}
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.FloorDiv: operator.floordiv, ast.LShift: operator.lshift}


def c_eval(expr, names):
    """An integer C constant expression of numbers, sizeof() and known names."""
    def sz(m):
        key = " ".join(m.group(1).split())
        if key not in SIZEOF:
            raise ValueError(f"sizeof({key}) unknown")
        return str(SIZEOF[key])
    e = re.sub(r"sizeof\s*\(\s*([^)]*?)\s*\)", sz, expr)
    e = re.sub(r"\b(0x[0-9a-fA-F]+|[0-9]+)[uUlL]*\b", lambda m: str(int(m.group(1), 0)), e)

    def ident(m):
        n = m.group(0)
        if n not in names:
            raise ValueError(f"unknown name {n} in {expr.strip()!r}")
        return f"({names[n]})"
    for _ in range(10):
        e2 = re.sub(r"\b[A-Za-z_]\w*\b", ident, e)
        if e2 == e:
            break
        e = e2
    e = e.replace("/", "//")

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        raise ValueError(f"cannot evaluate {expr.strip()!r}")
    return ev(ast.parse(e.strip(), mode="eval"))


def _split_args(text):
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        depth += ch in "({"
        depth -= ch in ")}"
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def parse_policies(text, names):
    """{policy name: {attr C name: (type, byte_order, checks, nested policy)}}"""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+(.+?)[ \t]*$", text, flags=re.M):
        try:
            names.setdefault(m.group(1), c_eval(m.group(2), names))
        except ValueError:
            pass
    ranges = {}
    for m in re.finditer(r"struct\s+netlink_range_validation\s+(\w+)\s*=\s*\{(.*?)\}\s*;",
                         text, flags=re.S):
        r = {}
        for f in _split_args(m.group(2)):
            k, _, v = f.partition("=")
            r[k.strip().lstrip(".")] = c_eval(v, names)
        ranges[m.group(1)] = r
    policies = {}
    for m in re.finditer(r"struct\s+nla_policy\s+(\w+)\s*\[[^\]]*\]\s*=\s*\{(.*?)\n\}\s*;",
                         text, flags=re.S):
        entries = {}
        for item in re.finditer(r"\[\s*(\w+)\s*\]\s*=\s*(.*?)(?=,\s*\[|,?\s*$)",
                                m.group(2), flags=re.S):
            entries[item.group(1)] = _policy_entry(" ".join(item.group(2).split()),
                                                   names, ranges)
        policies[m.group(1)] = entries
    return policies


def _policy_entry(expr, names, ranges):
    def typ(t):
        if t not in NLA_TYPES:
            raise ValueError(f"policy type {t} not handled")
        return NLA_TYPES[t]
    m = re.fullmatch(r"\{(.*)\}", expr)
    if m:
        fields = {}
        for f in _split_args(m.group(1)):
            k, _, v = f.partition("=")
            fields[k.strip().lstrip(".")] = v.strip()
        t, bo = typ(fields.pop("type"))
        checks = {}
        if "len" in fields:
            checks["max-len" if t == "binary" else "len"] = c_eval(fields.pop("len"), names)
        if fields:
            raise ValueError(f"policy fields not handled: {expr}")
        return (t, bo, checks, None)
    m = re.fullmatch(r"(NLA_POLICY_\w+)\s*\((.*)\)", expr)
    if not m:
        raise ValueError(f"policy entry not understood: {expr}")
    macro, args = m.group(1), _split_args(m.group(2))
    if macro == "NLA_POLICY_NESTED":
        return ("nest", None, {}, args[0])
    if macro in ("NLA_POLICY_EXACT_LEN", "NLA_POLICY_MIN_LEN", "NLA_POLICY_MAX_LEN"):
        key = {"NLA_POLICY_EXACT_LEN": "exact-len", "NLA_POLICY_MIN_LEN": "min-len",
               "NLA_POLICY_MAX_LEN": "max-len"}[macro]
        return ("binary", None, {key: c_eval(args[0], names)}, None)
    t, bo = typ(args[0])
    if macro == "NLA_POLICY_MAX":
        return (t, bo, {"max": c_eval(args[1], names)}, None)
    if macro == "NLA_POLICY_MIN":
        return (t, bo, {"min": c_eval(args[1], names)}, None)
    if macro == "NLA_POLICY_RANGE":
        return (t, bo, {"min": c_eval(args[1], names), "max": c_eval(args[2], names)}, None)
    if macro == "NLA_POLICY_FULL_RANGE":
        r = ranges.get(args[1].lstrip("&").strip())
        if r is None:
            raise ValueError(f"range {args[1]} not found")
        checks = {"max": r["max"]} if "max" in r else {}
        if r.get("min"):
            checks["min"] = r["min"]
        return (t, bo, checks, None)
    raise ValueError(f"policy macro {macro} not handled")


def check_policies(c, header_path, spec_path, netlink_path):
    try:
        with open(spec_path, encoding="utf-8") as f:
            spec = load_yaml(f.read())
        with open(header_path, encoding="utf-8") as f:
            defines, enums, _ = parse_header(f.read())
        names = {k: v for k, v in defines.items() if isinstance(v, int)}
        for values in enums.values():
            names.update(values)
        for extra in (glob.glob(os.path.join(TOP, "include", "ovpn_dco", "*.h")) +
                      glob.glob(os.path.join(TOP, "drivers", "net", "ovpn-dco", "*.h"))):
            with open(extra, encoding="utf-8") as f:
                text = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
            for m in re.finditer(r"^#define[ \t]+(\w+)[ \t]+([^\n\\]+)$", text, flags=re.M):
                try:
                    names.setdefault(m.group(1), c_eval(m.group(2), names))
                except (ValueError, SyntaxError):
                    pass
        with open(netlink_path, encoding="utf-8") as f:
            policies = parse_policies(f.read(), names)
    except (OSError, YamlError, ValueError, KeyError) as e:
        c.check(False, f"policies: cannot read the inputs: {e}")
        return
    c.check(len(policies) >= 5, f"policies: only {len(policies)} nla_policy arrays found in {netlink_path}")
    sets = {s["name"]: s for s in spec.get("attribute-sets") or []}
    defs = {d["name"]: d for d in spec.get("definitions") or []}
    prefixes = {c_name(s["name-prefix"], ""): s for s in sets.values()}
    pol_set = {}
    for pname, entries in policies.items():
        matches = [p for p in prefixes if entries and all(a.startswith(p) for a in entries)]
        if not c.check(matches, f"policy {pname}: no attribute set of the spec has its prefix"):
            continue
        pol_set[pname] = prefixes[max(matches, key=len)]

    def enum_last(name):
        d = defs.get(name)
        vals, nxt = [], int((d or {}).get("value-start", 0))
        for e in (d or {}).get("entries") or []:
            e = e if isinstance(e, dict) else {"name": e}
            nxt = e.get("value", nxt)
            vals.append(nxt)
            nxt += 1
        return max(vals) if vals else None

    requests = set()
    for op in (spec.get("operations") or {}).get("list") or []:
        for part in ("do", "dump"):
            requests.update(((op.get(part) or {}).get("request") or {}).get("attributes") or [])

    for pname, s in pol_set.items():
        entries = policies[pname]
        by_c = {c_name(s["name-prefix"], a["name"]): a for a in s["attributes"]}
        top = s["name"] == "ovpn"
        for cname, (t, bo, checks, nested) in entries.items():
            a = by_c.get(cname)
            if not c.check(a is not None, f"policy {pname}: {cname} is not in spec set {s['name']}"):
                continue
            label = f"policy {pname}: {cname}"
            c.check(a.get("type") == t, f"{label}: type {t} in netlink.c, {a.get('type')} in the spec")
            c.check(a.get("byte-order") == bo,
                    f"{label}: byte order {bo} in netlink.c, {a.get('byte-order')} in the spec")
            want = dict(a.get("checks") or {})
            if "enum" in a and "max" not in want:
                want["max"] = enum_last(a["enum"])
            c.check(checks == want, f"{label}: checks {checks} in netlink.c, {want} in the spec")
            if t == "nest":
                nset = pol_set.get(nested)
                allowed = {a.get("nested-attributes")}
                if top and a["name"] == "get-peer":
                    # the request carries the get-peer set (doc of the attribute)
                    allowed.add("get-peer")
                c.check(nset is not None and nset["name"] in allowed,
                        f"{label}: nests {nset['name'] if nset else nested} in netlink.c, "
                        f"{a.get('nested-attributes')} in the spec")
        if top:
            want = {c_name(s["name-prefix"], n) for n in requests}
            c.check(set(entries) == want,
                    f"policy {pname}: holds {sorted(set(entries) - want)} beyond the requests' "
                    f"attributes, lacks {sorted(want - set(entries))}")
        else:
            lacking = [n for n, a in by_c.items() if a.get("type") != "unused" and n not in entries]
            c.check(not lacking, f"policy {pname}: spec set {s['name']} has attributes the policy "
                    f"lacks: {', '.join(lacking)}")


def main(argv):
    header = argv[1] if len(argv) > 1 else os.path.join(TOP, "uapi", "linux", "ovpn_dco.h")
    spec = argv[2] if len(argv) > 2 else os.path.join(
        TOP, "Documentation", "netlink", "specs", "ovpn-dco.yaml")
    netlink_c = argv[3] if len(argv) > 3 else os.path.join(
        TOP, "drivers", "net", "ovpn-dco", "netlink.c")
    ref = argv[4] if len(argv) > 4 else find_reference_header()
    c = run(header, spec)
    check_reference(c, header, ref)
    check_policies(c, header, spec, netlink_c)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
