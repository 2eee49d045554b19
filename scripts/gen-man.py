#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Generate the manual pages from the sources they describe, so they cannot drift.

  scripts/gen-man.py cli OVPN_CLI OUT       ovpn-cli(8): Documentation/man/ovpn-cli.8.in
                                            with `OVPN_CLI --help` as its COMMANDS and
                                            `OVPN_CLI --version` as its version
  scripts/gen-man.py module TOP OUT         ovpn-dco-v2(4): Documentation/man/ovpn-dco-v2.4.in
                                            with the module parameters of TOP's sources
                                            (the objects Kbuild builds into the product,
                                            so the debug build's test aids stay out) and
                                            dkms.conf's PACKAGE_VERSION

The date in .TH is SOURCE_DATE_EPOCH's (dpkg-buildpackage sets it from
debian/changelog), else today's. tests/deb-check.sh renders both pages with
groff warnings on and compares the parameters with modinfo of the built module.
"""
import datetime
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAN_SRC = os.path.join(TOP, "Documentation", "man")


def esc(text):
    """Plain text to roff: backslashes, dashes (Debian renders \\- as ASCII -), leading dots."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def th_date():
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        d = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    else:
        d = datetime.datetime.now(datetime.timezone.utc)
    return d.strftime("%Y-%m-%d")


def fill(template, out, values):
    with open(os.path.join(MAN_SRC, template)) as f:
        text = f.read()
    # the template's own comment lines about generation stay; placeholders go
    for key, value in values.items():
        text = text.replace("@%s@" % key, value)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        sys.exit("gen-man: %s: unknown placeholders %s" % (template, " ".join(sorted(set(left)))))
    with open(out, "w") as f:
        f.write(text)


# ---------------------------------------------------------------- ovpn-cli(8)

def usage_to_roff(lines):
    """The --help text (main.c's usage()) as roff.

    Its layout: a command at indent 2 starting with "ovpn-cli" (continued at
    indent 9 or more), its description at indent 6, options at indent 6
    starting with "-", their description after two spaces or at the column
    of the next line (continued deeper), other text at indent 0 or 2.
    Anything else is kept as filled text, so a new shape in usage() still
    shows, just plainer.
    """
    out = [".nh", ".ad l"]  # command lines: no hyphenation, ragged right
    state = None          # None, "cmd" (synopsis), "desc", "opt", "text"
    in_rs = False
    synopsis = []

    def flush_synopsis():
        if synopsis:
            out.append(".PP")
            out.append('.B "%s"' % esc(" ".join(synopsis)).replace('"', "\\(dq"))
            synopsis.clear()

    def close_rs():
        nonlocal in_rs
        if in_rs:
            out.append(".RE")
            in_rs = False

    def open_rs():
        nonlocal in_rs
        if not in_rs:
            out.append(".RS")
            in_rs = True

    lines = [l.rstrip() for l in lines]
    for i, line in enumerate(lines):
        if line.strip() in ("Usage:", ""):
            continue
        indent = len(line) - len(line.lstrip(" "))
        body = re.sub(r"\s{2,}", " ", line.strip())
        if indent == 2 and line.strip().startswith("ovpn-cli"):
            flush_synopsis()
            close_rs()
            synopsis.append(body)
            state = "cmd"
            continue
        if state == "cmd" and indent >= 9:
            synopsis.append(body)
            continue
        flush_synopsis()
        opt = None
        if indent == 6 and line.strip().startswith("-"):
            m = re.match(r"^ {6}(-\S.*?) {2,}(\S.*)$", line)
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            col = len(nxt) - len(nxt.lstrip(" "))
            if m:
                opt = (m.group(1), m.group(2))
            elif col > 8 and len(line) > col and line[col - 1] == " " and line[col] != " ":
                opt = (line[6:col].strip(), line[col:])
        if opt:
            open_rs()
            out.append(".TP")
            out.append('.B "%s"' % esc(opt[0]).replace('"', "\\(dq"))
            out.append(esc(opt[1].strip()))
            state = "opt"
            continue
        if state == "opt" and indent > 6:
            out.append(esc(body))
            continue
        if indent >= 6 and state in ("cmd", "desc", "opt"):
            open_rs()
            if state == "opt":
                out.append(".PP")
            out.append(esc(body))
            state = "desc"
            continue
        # general text (indent 0 or 2, or anything unexpected)
        close_rs()
        if state != "text":
            out.append(".PP")
        out.append(esc(body))
        state = "text"
    flush_synopsis()
    close_rs()
    out += [".ad", ".hy"]
    return "\n".join(out)


def gen_cli(cli, out):
    usage = subprocess.run([cli, "--help"], check=True, capture_output=True, text=True).stdout
    version = subprocess.run([cli, "--version"], check=True, capture_output=True, text=True).stdout.split()
    if len(version) != 2 or version[0] != "ovpn-cli":
        sys.exit("gen-man: %s --version printed %r, not 'ovpn-cli VERSION'" % (cli, " ".join(version)))
    fill("ovpn-cli.8.in", out, {
        "DATE": th_date(),
        "VERSION": version[1],
        "USAGE": usage_to_roff(usage.splitlines()),
    })


# ------------------------------------------------------------- ovpn-dco-v2(4)

def product_sources(top):
    """The .c files of the product module: Kbuild's first ovpn-dco-v2-y list
    (the debug build adds its objects later, under ifeq OVPN_DEBUG)."""
    with open(os.path.join(top, "Kbuild")) as f:
        kbuild = f.read()
    m = re.search(r"^ovpn-dco-v2-y\s*:=((?:.*\\\n)*.*)$", kbuild, re.M)
    if not m:
        sys.exit("gen-man: no 'ovpn-dco-v2-y :=' list in Kbuild")
    objs = re.findall(r"(\S+)\.o\b", m.group(1))
    return [os.path.join(top, o + ".c") for o in objs]


def c_strings(text):
    """The concatenation of the C string literals in text."""
    s = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', text))
    return s.replace('\\"', '"').replace("\\n", " ").replace("\\\\", "\\")


def module_params(top):
    """[(name, type, perm, description)] in source order."""
    params = []
    for path in product_sources(top):
        with open(path) as f:
            src = f.read()
        descs = {}
        for m in re.finditer(r'MODULE_PARM_DESC\(\s*(\w+)\s*,((?:\s*"(?:[^"\\]|\\.)*")+)\s*\)', src):
            descs[m.group(1)] = c_strings(m.group(2))
        for m in re.finditer(r"module_param(?:_named)?\(\s*(\w+)\s*,(.*?)\);", src, re.S):
            args = [a.strip() for a in m.group(2).split(",")]
            # module_param(name, type, perm) or module_param_named(name, var, type, perm)
            ptype, perm = args[-2], args[-1]
            name = m.group(1)
            if name not in descs:
                sys.exit("gen-man: %s: parameter %s has no MODULE_PARM_DESC" % (path, name))
            params.append((name, ptype, perm, descs[name]))
    return params


def gen_module(top, out):
    version = None
    with open(os.path.join(top, "dkms.conf")) as f:
        for line in f:
            m = re.match(r'^PACKAGE_VERSION="(.*)"$', line)
            if m:
                version = m.group(1)
    if not version:
        sys.exit("gen-man: no PACKAGE_VERSION in dkms.conf")
    params = module_params(top)
    if not params:
        sys.exit("gen-man: no module parameters found: has the source layout changed?")
    roff, synopsis = [], []
    for name, ptype, perm, desc in params:
        value = "0|1" if ptype in ("bool", "invbool") else ptype.upper()
        synopsis.append(".RB [ %s=\\fI%s\\fR ]" % (esc(name), esc(value)))
        mode = int(perm, 8) if re.match(r"^0[0-7]+$", perm) else 0
        where = ("writable at run time in" if mode & 0o200 else "readable in")
        roff += [".TP",
                 ".BR %s \" (%s)\"" % (esc(name), esc(ptype)),
                 esc(desc[0].upper() + desc[1:] + ("" if desc.endswith(".") else ".")),
                 "Set at load time (modprobe option or /etc/modprobe.d), %s" % where,
                 ".IR /sys/module/ovpn_dco_v2/parameters/%s ." % esc(name)]
    fill("ovpn-dco-v2.4.in", out, {
        "DATE": th_date(),
        "VERSION": version,
        "SYNOPSIS_PARAMETERS": "\n".join(synopsis),
        "PARAMETERS": "\n".join(roff),
    })


def main(argv):
    if len(argv) != 4 or argv[1] not in ("cli", "module"):
        sys.exit(__doc__)
    if argv[1] == "cli":
        gen_cli(argv[2], argv[3])
    else:
        gen_module(argv[2], argv[3])


if __name__ == "__main__":
    main(sys.argv)
