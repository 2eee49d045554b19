#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Compile uapi/linux/ovpn_dco.h, the CLI and the test tools against a header
set that defines the upstream ovpn driver's IFLA_OVPN_* and enum ovpn_mode in
<linux/if_link.h>, as Linux 6.16 and later do (shadow-6.16/linux/if_link.h),
and against the installed headers.

Checks: the shadow is really in effect; the uapi header compiles in either
include order with either header set and its values are those of 6.16
(IFLA_OVPN_UNSPEC 0, IFLA_OVPN_MODE 1, OVPN_MODE_P2P 0, OVPN_MODE_MP 1);
every CLI source and tests/tools/nlcheck.c compile (syntax only, -Werror)
with the shadow first in the include path; the module builds (in a scratch
copy, for $KVER or scripts/kver.sh's kernel) with the same definitions forced
into every file (shadow-6.16/kernel-if_link.h).
Prints one line per failed check and ends with "N passed, N failed".

usage: check_headers.py [UAPI_DIR]   (default: ../../uapi)
"""

import os
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
SHADOW = os.path.join(HERE, "shadow-6.16")
CC = os.environ.get("CC", "cc")

VALUES = """
_Static_assert(IFLA_OVPN_UNSPEC == 0, "IFLA_OVPN_UNSPEC");
_Static_assert(IFLA_OVPN_MODE == 1, "IFLA_OVPN_MODE");
_Static_assert(IFLA_OVPN_MAX == 1, "IFLA_OVPN_MAX");
_Static_assert(OVPN_MODE_P2P == 0, "OVPN_MODE_P2P");
_Static_assert(OVPN_MODE_MP == 1, "OVPN_MODE_MP");
enum ovpn_mode check_mode_type = OVPN_MODE_MP;
int check_uses(void) { return OVPN_CMD_GET_PEER + (int)check_mode_type; }
"""

UAPI_FIRST = "#include <linux/ovpn_dco.h>\n#include <linux/if_link.h>\n"
IF_LINK_FIRST = "#include <linux/if_link.h>\n#include <linux/ovpn_dco.h>\n"
SHADOW_ONLY = ("#include <linux/if_link.h>\n"
               "_Static_assert(IFLA_OVPN_MODE == 1, \"shadow\");\n"
               "enum ovpn_mode shadow_mode = OVPN_MODE_MP;\n")


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, msg, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {msg}")
            for line in detail.strip().splitlines()[:15]:
                print(f"    {line}")
        return ok


def compile_c(args, source=None):
    cmd = [CC, "-fsyntax-only", "-Wall", "-Wextra", "-Werror"] + args
    if source is not None:
        cmd += ["-x", "c", "-"]
    r = subprocess.run(cmd, input=source, capture_output=True, text=True,
                       check=False)
    return r.returncode == 0, r.stderr


def libnl_cflags():
    r = subprocess.run(["pkg-config", "--cflags", "libnl-genl-3.0"],
                       capture_output=True, text=True, check=False)
    return shlex.split(r.stdout) if r.returncode == 0 else None


def build_module(c, uapi):
    kver = subprocess.run([os.path.join(TOP, "scripts", "kver.sh")], capture_output=True,
                          text=True, check=False).stdout.strip()
    kdir = f"/lib/modules/{kver}/build"
    if not c.check(kver and os.path.exists(os.path.join(kdir, "Makefile")),
                   f"module with 6.16 headers: no kernel headers for {kver!r} (scripts/deps.sh)"):
        return
    with tempfile.TemporaryDirectory(prefix="ovpn-616-") as tmp:
        for d in ("drivers", "include"):
            shutil.copytree(os.path.join(TOP, d), os.path.join(tmp, d),
                            ignore=shutil.ignore_patterns("*.o", "*.cmd", "*.ko", "*.mod*"))
        shutil.copytree(uapi, os.path.join(tmp, "uapi"))
        shutil.copy(os.path.join(TOP, "Kbuild"), tmp)
        # Kbuild reads the version there
        shutil.copy(os.path.join(TOP, "dkms.conf"), tmp)
        r = subprocess.run(["make", "-s", "-j2", "-C", kdir, f"M={tmp}",
                            "KCFLAGS=-include " + os.path.join(SHADOW, "kernel-if_link.h"),
                            "modules"], capture_output=True, text=True, check=False)
        ok = r.returncode == 0 and os.path.exists(os.path.join(tmp, "ovpn-dco-v2.ko"))
        c.check(ok, f"module with 6.16 headers ({kver})",
                "\n".join(x for x in (r.stdout + r.stderr).splitlines() if "error" in x))


def run(uapi):
    c = Checker()
    ok, err = compile_c(["-I", SHADOW], SHADOW_ONLY)
    c.check(ok, "the shadow <linux/if_link.h> does not define the 6.16 ovpn names", err)

    for label, inc in (("6.16 headers", ["-I", SHADOW]), ("installed headers", [])):
        for order, text in (("ovpn_dco.h first", UAPI_FIRST),
                            ("if_link.h first", IF_LINK_FIRST)):
            ok, err = compile_c(inc + ["-I", uapi], text + VALUES)
            c.check(ok, f"uapi header with {label}, {order}", err)

    nl = libnl_cflags()
    if not c.check(nl is not None, "pkg-config --cflags libnl-genl-3.0 failed"):
        return c
    cli = os.path.join(TOP, "cli")
    srcs = sorted(os.path.join(cli, f) for f in os.listdir(cli) if f.endswith(".c"))
    srcs.append(os.path.join(TOP, "tests", "tools", "nlcheck.c"))
    for src in srcs:
        # OVPN_VERSION: what cli/Makefile passes (dkms.conf's version)
        ok, err = compile_c(["-I", SHADOW, "-I", uapi, "-I", os.path.join(TOP, "include"),
                             "-I", cli, '-DOVPN_VERSION="0"'] + nl + [src])
        c.check(ok, f"{os.path.relpath(src, TOP)} with 6.16 headers", err)
    build_module(c, uapi)
    return c


def main():
    uapi = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "uapi")
    c = run(uapi)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
