#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Report of the side-by-side benchmark (make bench), on the host.

Reads the output of tests/bench/bench.sh (the guest's "@bench ..." records,
kept by tests/guest/run.sh in <artifacts>/logs/bench.txt) and writes into
--out (build/bench by default):

  results.json  every repeat of every contender, the summaries, the targets,
                kernel, date, git revision, knobs, host load
  table.txt     the table printed on stdout
  bench.png     grouped bars per test, one colour per contender

A contender that failed, or that the guest never finished, is reported as
failed with its reason. Exit status: 0 when every selected contender
finished every run without a kernel report, 1 otherwise (the outputs are
written either way), 2 on a usage error.

Usage: report.py --log FILE [--out DIR] [--meta KEY=VALUE ...]
       report.py --json results.json [--out DIR]   (redraw from a results file)
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

CONTENDERS = ["veth", "ours-cli-aes", "ours-cli-chacha", "ours-ovpn-aes", "ours-ovpn-chacha",
              "ours-tmpl-chacha", "ours-ovpn-tcp-aes", "ours-ovpn-tcp-chacha", "user-aes", "user-chacha",
              "user-tcp-aes", "user-tcp-chacha", "wireguard", "ref-ovpn-aes", "ref-ovpn-chacha",
              "ref-ovpn-tcp-aes", "ref-ovpn-tcp-chacha"]
# What a bare report selects (tests/bench/knobs.sh's BENCH_NAMED_ONLY aside)
DEFAULT_CONTENDERS = [c for c in CONTENDERS if not (c.endswith("-tcp-chacha"))]
TESTS = ["tcp1-up", "tcp1-down", "tcp4-up", "tcp4-down", "udp-up", "lat"]

DESCRIPTION = {
    "veth": "plain veth, no tunnel (the ceiling)",
    "ours-cli-aes": "our module, one-shot CLI, AES-256-GCM",
    "ours-cli-chacha": "our module, one-shot CLI, ChaCha20-Poly1305",
    "ours-ovpn-aes": "our module via OpenVPN 2.6, AES-256-GCM",
    "ours-ovpn-chacha": "our module via OpenVPN 2.6, ChaCha20-Poly1305",
    "ours-tmpl-chacha": "our module via OpenVPN 2.6, ChaCha20-Poly1305 through the crypto API's rfc7539 "
                        "template (chacha_lib=0) instead of the library",
    "user-aes": "OpenVPN 2.6 userspace (--disable-dco), AES-256-GCM",
    "user-chacha": "OpenVPN 2.6 userspace (--disable-dco), ChaCha20-Poly1305",
    "wireguard": "WireGuard (kernel module, wg)",
    "ref-ovpn-aes": "reference openvpn-dco-dkms via OpenVPN 2.6, AES-256-GCM",
    "ref-ovpn-chacha": "reference openvpn-dco-dkms via OpenVPN 2.6, ChaCha20-Poly1305",
    "ours-ovpn-tcp-aes": "our module via OpenVPN 2.6 over TCP transport, AES-256-GCM",
    "ours-ovpn-tcp-chacha": "our module via OpenVPN 2.6 over TCP transport, ChaCha20-Poly1305",
    "user-tcp-aes": "OpenVPN 2.6 userspace (--disable-dco) over TCP transport, AES-256-GCM",
    "user-tcp-chacha": "OpenVPN 2.6 userspace (--disable-dco) over TCP transport, ChaCha20-Poly1305",
    "ref-ovpn-tcp-aes": "reference openvpn-dco-dkms via OpenVPN 2.6 over TCP transport, AES-256-GCM",
    "ref-ovpn-tcp-chacha": "reference openvpn-dco-dkms via OpenVPN 2.6 over TCP transport, ChaCha20-Poly1305",
}

SHORT = {
    "veth": "plain veth (ceiling)",
    "ours-cli-aes": "ours, CLI, AES-GCM", "ours-cli-chacha": "ours, CLI, ChaCha",
    "ours-ovpn-aes": "ours + OpenVPN, AES-GCM", "ours-ovpn-chacha": "ours + OpenVPN, ChaCha",
    "ours-tmpl-chacha": "ours + OpenVPN, ChaCha (template)",
    "user-aes": "OpenVPN userspace, AES-GCM", "user-chacha": "OpenVPN userspace, ChaCha",
    "wireguard": "WireGuard",
    "ref-ovpn-aes": "reference + OpenVPN, AES-GCM", "ref-ovpn-chacha": "reference + OpenVPN, ChaCha",
    "ours-ovpn-tcp-aes": "ours + OpenVPN, TCP, AES-GCM", "ours-ovpn-tcp-chacha": "ours + OpenVPN, TCP, ChaCha",
    "user-tcp-aes": "OpenVPN userspace, TCP, AES-GCM", "user-tcp-chacha": "OpenVPN userspace, TCP, ChaCha",
    "ref-ovpn-tcp-aes": "reference + OpenVPN, TCP, AES-GCM",
    "ref-ovpn-tcp-chacha": "reference + OpenVPN, TCP, ChaCha",
}

COLOURS = {
    "veth": "#9e9e9e",
    "ours-cli-aes": "#9ecae1", "ours-cli-chacha": "#6baed6",
    "ours-ovpn-aes": "#2171b5", "ours-ovpn-chacha": "#08306b", "ours-tmpl-chacha": "#4a6fa5",
    "user-aes": "#74c476", "user-chacha": "#238b45",
    "wireguard": "#8e44ad",
    "ref-ovpn-aes": "#fd8d3c", "ref-ovpn-chacha": "#d94801",
    "ours-ovpn-tcp-aes": "#17becf", "ours-ovpn-tcp-chacha": "#0e7c86",
    "user-tcp-aes": "#bcbd22", "user-tcp-chacha": "#7f7f12",
    "ref-ovpn-tcp-aes": "#e377c2", "ref-ovpn-tcp-chacha": "#a2327f",
}

# What "ours" means for each contender's ratio: our module via OpenVPN with
# the same cipher (over TCP transport: ours over TCP transport); WireGuard
# (ChaCha20-Poly1305) against the ChaCha one, the veth ceiling against the
# AES one.
OURS_FOR = {
    "veth": "ours-ovpn-aes",
    "ours-cli-aes": "ours-ovpn-aes", "ours-cli-chacha": "ours-ovpn-chacha",
    "ours-ovpn-aes": "ours-ovpn-aes", "ours-ovpn-chacha": "ours-ovpn-chacha",
    "ours-tmpl-chacha": "ours-ovpn-chacha",
    "user-aes": "ours-ovpn-aes", "user-chacha": "ours-ovpn-chacha",
    "wireguard": "ours-ovpn-chacha",
    "ref-ovpn-aes": "ours-ovpn-aes", "ref-ovpn-chacha": "ours-ovpn-chacha",
    "ours-ovpn-tcp-aes": "ours-ovpn-tcp-aes", "ours-ovpn-tcp-chacha": "ours-ovpn-tcp-chacha",
    "user-tcp-aes": "ours-ovpn-tcp-aes", "user-tcp-chacha": "ours-ovpn-tcp-chacha",
    "ref-ovpn-tcp-aes": "ours-ovpn-tcp-aes", "ref-ovpn-tcp-chacha": "ours-ovpn-tcp-chacha",
}

# The metric of each test that the ratios and the chart use (and whether
# lower is better), then the other metrics summarised.
MAIN_METRIC = {"tcp1-up": "mbps", "tcp1-down": "mbps", "tcp4-up": "mbps", "tcp4-down": "mbps",
               "udp-up": "mbps", "lat": "rtt_med"}
METRICS = {"tcp1-up": ["mbps"], "tcp1-down": ["mbps"], "tcp4-up": ["mbps"], "tcp4-down": ["mbps"],
           "udp-up": ["mbps", "loss_pct", "jitter_ms"], "lat": ["rtt_med", "rtt_avg", "load_mbps"]}


def title_of(test, knobs):
    rate = knobs.get("udp_rate", "50M")
    ln = knobs.get("udp_len", "1200")
    return {
        "tcp1-up": "TCP, 1 stream, up (b -> a), Mbit/s",
        "tcp1-down": "TCP, 1 stream, down (a -> b, iperf3 -R), Mbit/s",
        "tcp4-up": "TCP, 4 streams (-P 4), up, Mbit/s",
        "tcp4-down": "TCP, 4 streams (-P 4), down (-R), Mbit/s",
        "udp-up": f"UDP at {rate}bit/s offered, {ln}-byte datagrams, up: received Mbit/s, loss, jitter",
        "lat": "latency under load: ping b -> a's tunnel address during a 1-stream TCP upload, rtt ms",
    }[test]


def num(v):
    try:
        f = float(v)
    except ValueError:
        return v
    return int(f) if f.is_integer() and "." not in v and "e" not in v.lower() else f


def kv(words):
    out = {}
    for w in words:
        if "=" in w:
            k, v = w.split("=", 1)
            out[k] = num(v)
    return out


def parse_log(path, selected):
    """The records of bench.sh's output, by contender."""
    info, cons, done = {}, {}, False
    for c in selected:
        cons[c] = {"description": DESCRIPTION.get(c, c), "status": "not run", "reason": None,
                   "setup": {}, "runs": [], "kernel_reports": []}
    lines = []
    if path and os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    for line in lines:
        if not line.startswith("@bench "):
            continue
        w = line.split()
        kind = w[1] if len(w) > 1 else ""
        if kind == "info" and len(w) >= 3:
            info[w[2]] = " ".join(w[3:])
            continue
        if kind == "done":
            done = True
            continue
        if len(w) < 3:
            continue
        c = cons.setdefault(w[2], {"description": DESCRIPTION.get(w[2], w[2]), "status": "not run",
                                   "reason": None, "setup": {}, "runs": [], "kernel_reports": []})
        if kind == "begin":
            c["status"] = "running"
        elif kind == "setup":
            c["setup"] = kv(w[3:])
        elif kind == "run" and len(w) >= 6:
            r = {"test": w[3], "rep": num(w[4]), "ok": w[5] == "ok"}
            if r["ok"]:
                r.update(kv(w[6:]))
            else:
                r["reason"] = " ".join(w[6:])
            c["runs"].append(r)
        elif kind == "end" and len(w) >= 4:
            c["status"] = "ok" if w[3] == "ok" else "failed"
            if w[3] != "ok":
                c["reason"] = " ".join(w[4:]) or "failed"
        elif kind == "dmesg":
            c["kernel_reports"].append(line.split(None, 3)[3] if len(w) > 3 else "")
    return info, cons, done


def summarise(runs, test):
    ok = [r for r in runs if r["test"] == test and r["ok"]]
    bad = [r for r in runs if r["test"] == test and not r["ok"]]
    s = {"n": len(ok), "failed": len(bad)}
    for m in METRICS[test]:
        vals = [r[m] for r in ok if isinstance(r.get(m), (int, float))]
        if vals:
            s[m] = {"median": statistics.median(vals), "min": min(vals), "max": max(vals)}
    return s


def median_of(results, c, test):
    s = results["contenders"].get(c, {}).get("summary", {}).get(test, {})
    m = s.get(MAIN_METRIC[test])
    return m["median"] if m else None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def git_info(top):
    def git(*args):
        try:
            return subprocess.run(["git", "-C", top, *args], capture_output=True, text=True,
                                  check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None
    rev = git("rev-parse", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return {"revision": rev, "describe": git("describe", "--always", "--dirty"),
            "branch": git("rev-parse", "--abbrev-ref", "HEAD"), "dirty": bool(dirty) if rev else None}


def targets(results):
    """The issue's targets, PASS/MISS/n/a, from the medians of this run."""
    out = []

    def have(c, test):
        return median_of(results, c, test)

    def check(name, pairs, limit, lower_better=False):
        parts, verdicts = [], []
        for label, a, b, test in pairs:
            va, vb = have(a, test), have(b, test)
            if va is None or vb is None:
                miss = [x for x, v in ((a, va), (b, vb)) if v is None]
                parts.append(f"{label} n/a (no result for {', '.join(miss)})")
                verdicts.append("n/a")
                continue
            if lower_better:
                ok = va <= vb * limit
                parts.append(f"{label} {va:.2f} vs {vb:.2f} ms")
            else:
                ok = vb > 0 and va / vb >= limit
                parts.append(f"{label} {va / vb:.2f}x" if vb > 0 else f"{label} inf")
            verdicts.append("PASS" if ok else "MISS")
        verdict = "MISS" if "MISS" in verdicts else "n/a" if "n/a" in verdicts else "PASS"
        detail = ", ".join(parts)
        if all(v == "n/a" for v in verdicts):
            missing = sorted({x for _, a, b, t in pairs for x in (a, b) if have(x, t) is None})
            detail = "no result for " + ", ".join(missing)
        out.append({"target": name, "result": verdict, "detail": detail})

    for cip in ("aes", "chacha"):
        ours, ref = f"ours-ovpn-{cip}", f"ref-ovpn-{cip}"
        for streams, tests in (("1 stream", ("tcp1-up", "tcp1-down")), ("4 streams", ("tcp4-up", "tcp4-down"))):
            check(f"{ours} >= 1.25 x {ref}, {streams}",
                  [(t.split("-")[1], ours, ref, t) for t in tests], 1.25)
    for cip in ("aes", "chacha"):
        ours, user = f"ours-ovpn-{cip}", f"user-{cip}"
        if user in results["contenders"] or cip == "aes":
            check(f"{ours} >= 3 x {user} (OpenVPN in userspace)",
                  [(t, ours, user, t) for t in ("tcp1-up", "tcp1-down", "tcp4-up", "tcp4-down")], 3.0)
    check("ours-ovpn-chacha >= wireguard",
          [(t, "ours-ovpn-chacha", "wireguard", t) for t in ("tcp1-up", "tcp1-down", "tcp4-up", "tcp4-down")], 1.0)
    for cip in ("aes", "chacha"):
        check(f"latency under load: ours-ovpn-{cip} <= ref-ovpn-{cip}",
              [("rtt median", f"ours-ovpn-{cip}", f"ref-ovpn-{cip}", "lat")], 1.0, lower_better=True)
    # Issue 20, OpenVPN over TCP transport: at least userspace OpenVPN over
    # TCP and at least twice the reference over TCP, every TCP test; ChaCha
    # only when one of its TCP contenders ran (they run when named).
    tcp_tests = ("tcp1-up", "tcp1-down", "tcp4-up", "tcp4-down")
    for cip in ("aes", "chacha"):
        ours, user, ref = f"ours-ovpn-tcp-{cip}", f"user-tcp-{cip}", f"ref-ovpn-tcp-{cip}"
        if cip == "aes" or any(c in results["contenders"] for c in (ours, user, ref)):
            check(f"{ours} >= {user} (TCP transport, OpenVPN in userspace)",
                  [(t, ours, user, t) for t in tcp_tests], 1.0)
            check(f"{ours} >= 2 x {ref} (TCP transport)",
                  [(t, ours, ref, t) for t in tcp_tests], 2.0)
    return out


def build_results(args):
    meta = dict(m.split("=", 1) for m in args.meta)
    selected = meta.get("contenders", "").split() or DEFAULT_CONTENDERS
    info, cons, done = parse_log(args.log, selected)
    tests = meta.get("tests", "").split() or TESTS
    knobs = kv(info.get("knobs", "").split())
    for k in ("contenders", "tests"):
        if isinstance(knobs.get(k), str):
            knobs[k] = knobs[k].split(",")
    guest_finished = meta.get("guest_finished") == "1"
    for name, c in cons.items():
        if c["status"] == "running":
            c["status"] = "failed"
            c["reason"] = ("the guest died or hung during this contender (qemu exit "
                           f"{meta.get('qemu_exit', '?')}; see the serial log)")
        elif c["status"] == "not run":
            c["status"] = "failed"
            c["reason"] = ("not run: the guest stopped before it" if not guest_finished or not done
                           else "not run")
        c["summary"] = {t: summarise(c["runs"], t) for t in tests}
        empty = [t for t in tests if not c["summary"][t]["n"] and not c["summary"][t]["failed"]]
        if c["status"] == "ok" and empty:
            c["status"] = "failed"
            c["reason"] = "finished without a result for " + ", ".join(empty)
    results = {
        "schema": 1,
        "date": meta.get("date"),
        "git": git_info(meta.get("git_dir", ".")),
        "kernel": info.get("kernel", meta.get("kver")),
        "guest": {"qemu": meta.get("qemu"), "cpus": num(info["cpus"]) if "cpus" in info else None,
                  "cpu_model": info.get("cpu_model"), "cmdline": info.get("cmdline"),
                  "slub_debug": meta.get("slub_debug"), "finished": guest_finished,
                  "bench_result": meta.get("guest_result"), "qemu_exit": meta.get("qemu_exit"),
                  "seconds": num(meta["guest_seconds"]) if "guest_seconds" in meta else None},
        "host": {"load_before": meta.get("host_load_before"), "load_after": meta.get("host_load_after"),
                 "nproc": os.cpu_count()},
        "software": {"openvpn": info.get("openvpn"), "iperf3": info.get("iperf3"),
                     "ours_srcversion": meta.get("ours_srcversion") or info.get("ours_srcversion"),
                     "ref_srcversion": meta.get("ref_srcversion") or info.get("ref_srcversion"),
                     "ref_ko": meta.get("ref_ko") or None},
        "knobs": knobs,
        "tests": tests,
        "ratio_basis": OURS_FOR,
        "contenders": cons,
        "complete": done,
    }
    for name, c in cons.items():
        c["ratio_to_ours"], c["ratio_to_veth"] = {}, {}
        for t in tests:
            m = median_of(results, name, t)
            c["ratio_to_ours"][t] = ratio(m, median_of(results, OURS_FOR.get(name, ""), t))
            c["ratio_to_veth"][t] = ratio(m, median_of(results, "veth", t))
    results["targets"] = targets(results)
    return results


# ------------------------------------------------------------------- table

def fmt(v, nd=1):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.{nd}f}"


def spread(m, nd=1):
    if not m:
        return "-"
    return f"{fmt(m['median'], nd)} ({fmt(m['min'], nd)}-{fmt(m['max'], nd)})"


def fmt_ratio(r):
    return "-" if r is None else f"{r:.2f}"


def table(results):
    L = []
    knobs = results["knobs"]
    g = results["git"]
    L.append(f"ovpn-dco benchmark: kernel {results['kernel']}, {results['guest'].get('cpus') or '?'} vCPU "
             f"QEMU/TCG ({results['guest'].get('qemu')}), slub_debug {results['guest'].get('slub_debug')}; "
             f"git {g.get('describe') or '?'}; {results['date']}")
    L.append(f"iperf3 {knobs.get('time', '?')} s per run, {knobs.get('reps', '?')} repeats: median (min-max). "
             "x ours = contender / our module via OpenVPN 2.6 with the same cipher")
    L.append("(WireGuard: / ours-ovpn-chacha; veth: / ours-ovpn-aes); x veth = contender / plain veth. "
             f"Host load average before/after: {results['host']['load_before']} / {results['host']['load_after']}")
    if knobs.get("ours_params") or knobs.get("napi_threaded") not in (None, "default"):
        L.append(f"EXPERIMENT: our module ran with parameters '{knobs.get('ours_params') or '-'}', "
                 f"NAPI threaded {knobs.get('napi_threaded')} (not the defaults)")
    secs = results["guest"].get("seconds")
    L.append("Absolute figures are those of an emulated CPU on a shared host: compare ratios within one run."
             + (f" Guest run: {secs // 60} min {secs % 60} s." if isinstance(secs, int) else ""))
    names = [c for c in CONTENDERS if c in results["contenders"]] + \
        [c for c in results["contenders"] if c not in CONTENDERS]
    w = max([len(n) for n in names] + [10])
    for t in results["tests"]:
        L.append("")
        L.append(title_of(t, knobs))
        if t == "udp-up":
            L.append(f"  {'contender':<{w}}  {'Mbit/s median (min-max)':<24} {'loss %':<22} {'jitter ms':<20} "
                     f"{'x ours':>6} {'x veth':>6}")
        elif t == "lat":
            L.append(f"  {'contender':<{w}}  {'rtt median (min-max)':<24} {'rtt avg':>8} {'load Mbit/s':>11} "
                     f"{'x ours':>6} {'x veth':>6}")
        else:
            L.append(f"  {'contender':<{w}}  {'median (min-max)':<24} {'x ours':>6} {'x veth':>6}")
        for n in names:
            c = results["contenders"][n]
            s = c["summary"].get(t, {})
            mm = s.get(MAIN_METRIC[t])
            if not mm:
                why = next((r.get("reason") for r in c["runs"] if r["test"] == t and not r["ok"]),
                           c["reason"] or "no result")
                L.append(f"  {n:<{w}}  FAIL: {why}")
                continue
            note = f"  [{s['failed']} of {s['n'] + s['failed']} runs failed]" if s.get("failed") else ""
            ro, rv = fmt_ratio(c["ratio_to_ours"].get(t)), fmt_ratio(c["ratio_to_veth"].get(t))
            if t == "udp-up":
                L.append(f"  {n:<{w}}  {spread(mm):<24} {spread(s.get('loss_pct'), 2):<22} "
                         f"{spread(s.get('jitter_ms'), 3):<20} {ro:>6} {rv:>6}{note}")
            elif t == "lat":
                avg = s.get("rtt_avg", {}).get("median")
                load = s.get("load_mbps", {}).get("median")
                L.append(f"  {n:<{w}}  {spread(mm, 2):<24} {fmt(avg, 2):>8} {fmt(load):>11} "
                         f"{ro:>6} {rv:>6}{note}")
            else:
                L.append(f"  {n:<{w}}  {spread(mm):<24} {ro:>6} {rv:>6}{note}")
    transport = [(f"ours-ovpn-tcp-{c}", f"ours-ovpn-{c}") for c in ("aes", "chacha")]
    transport = [(a, b) for a, b in transport if a in results["contenders"] and b in results["contenders"]]
    if transport:
        L.append("")
        L.append("TCP transport / UDP transport (ours via OpenVPN, same cipher):")
        for a, b in transport:
            parts = [f"{t} {fmt_ratio(ratio(median_of(results, a, t), median_of(results, b, t)))}"
                     for t in results["tests"] if MAIN_METRIC[t] == "mbps"]
            L.append(f"  {a} / {b}: " + ", ".join(parts))
    L.append("")
    L.append("targets (UDP transport: issue 4; TCP transport: issue 20; medians of this run):")
    for tg in results["targets"]:
        L.append(f"  {tg['result']:<4}  {tg['target']}: {tg['detail']}")
    problems = []
    for n in names:
        c = results["contenders"][n]
        if c["status"] != "ok":
            problems.append(f"  {n}: FAILED: {c['reason']}")
        for r in c["runs"]:
            if not r["ok"]:
                problems.append(f"  {n} {r['test']} #{r['rep']}: {r['reason']}")
        for k in c["kernel_reports"]:
            problems.append(f"  {n}: kernel: {k}")
    if not results["complete"]:
        problems.append("  the guest did not finish the benchmark "
                        f"(result {results['guest'].get('bench_result')}, qemu exit {results['guest'].get('qemu_exit')})")
    if problems:
        L.append("")
        L.append("failures:")
        L.extend(problems)
    return "\n".join(L) + "\n"


# ------------------------------------------------------------------- chart

def chart(results, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.patches import Patch
    except ImportError:
        print("report.py: python3-matplotlib missing (scripts/deps.sh --bench): no chart", file=sys.stderr)
        return False
    names = [c for c in CONTENDERS if c in results["contenders"]]
    tests = results["tests"]
    tput = [t for t in tests if t.startswith("tcp")]
    others = [t for t in ("udp-up", "lat") if t in tests]
    g = results["git"]
    fig = plt.figure(figsize=(14, 9.5 if others else 6.5), dpi=100)
    gs = fig.add_gridspec(2 if others else 1, max(1, len(others)), height_ratios=[1.25, 1] if others else [1])
    fig.suptitle(f"ovpn-dco benchmark: kernel {results['kernel']}, QEMU/TCG {results['guest'].get('qemu')}, "
                 f"{results['knobs'].get('time', '?')} s x {results['knobs'].get('reps', '?')} runs, "
                 f"median with min-max\ngit {g.get('describe') or '?'}, {results['date']} "
                 "(emulated CPU: compare bars within this chart, not with other machines)", fontsize=10)

    def panel(ax, groups, metric_of, ylabel, title, label_of=lambda t: t, veth_clip=True):
        bars = [n for n in names if n != "veth" or not veth_clip]
        width = 0.8 / max(1, len(bars) + (1 if veth_clip and "veth" in names else 0))
        tops = []
        for t in groups:
            for n in bars:
                m = results["contenders"][n]["summary"].get(t, {}).get(metric_of(t))
                if m:
                    tops.append(m["max"])
        ymax = max(tops) * 1.25 if tops else 1.0
        veth_vals = {}
        if veth_clip and "veth" in names:
            for t in groups:
                m = results["contenders"]["veth"]["summary"].get(t, {}).get(metric_of(t))
                if m:
                    veth_vals[t] = m["median"]
            if not tops and veth_vals:
                ymax = max(veth_vals.values()) * 1.1
        order = (["veth"] if veth_clip and "veth" in names else []) + bars
        for i, n in enumerate(order):
            xs, hs, lo, hi, fails = [], [], [], [], []
            for j, t in enumerate(groups):
                x = j + (i - (len(order) - 1) / 2) * width
                m = results["contenders"][n]["summary"].get(t, {}).get(metric_of(t))
                if not m:
                    fails.append(x)
                    continue
                h = m["median"]
                if n == "veth" and veth_clip and h > ymax:
                    ax.bar(x, ymax, width, color=COLOURS.get(n, "grey"), hatch="//", edgecolor="white")
                    ax.text(x, ymax * 0.98, f"veth {h:.0f} \u2191", rotation=90, ha="center", va="top",
                            fontsize=7, color="black")
                    continue
                xs.append(x)
                hs.append(h)
                lo.append(h - m["min"])
                hi.append(m["max"] - h)
            ax.bar(xs, hs, width, yerr=[lo, hi] if xs else None, capsize=2,
                   color=COLOURS.get(n, "grey"), label=n, error_kw={"elinewidth": 0.8},
                   hatch="//" if n == "veth" else None, edgecolor="white" if n == "veth" else None)
            for x, h, e in zip(xs, hs, hi):
                ax.text(x, min(h + e, ymax) + ymax * 0.01, fmt(h, 1 if h >= 1 else 2), rotation=90,
                        ha="center", va="bottom", fontsize=6.5)
            for x in fails:
                ax.text(x, ymax * 0.01, "FAIL", rotation=90, ha="center", va="bottom", fontsize=7, color="red")
        if len(groups) == 1:
            # one group: name each bar
            ax.set_xticks([(i - (len(order) - 1) / 2) * width for i in range(len(order))])
            ax.set_xticklabels(order, rotation=35, ha="right", fontsize=7)
        else:
            ax.set_xticks(range(len(groups)))
            ax.set_xticklabels([label_of(t) for t in groups])
        ax.set_xlim(-0.5, len(groups) - 0.5)
        ax.set_ylim(0, ymax)
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", alpha=0.3)

    if tput:
        ax = fig.add_subplot(gs[0, :])
        labels = {"tcp1-up": "TCP 1 stream\nup (b\u2192a)", "tcp1-down": "TCP 1 stream\ndown (a\u2192b)",
                  "tcp4-up": "TCP 4 streams\nup", "tcp4-down": "TCP 4 streams\ndown"}
        panel(ax, tput, lambda t: "mbps", "Mbit/s (higher is better)", "iperf3 TCP throughput through the tunnel",
              label_of=lambda t: labels[t])
    for k, t in enumerate(others):
        ax = fig.add_subplot(gs[1 if tput else 0, k])
        if t == "udp-up":
            panel(ax, [t], lambda _: "loss_pct", "loss % (lower is better)",
                  f"UDP at {results['knobs'].get('udp_rate', '?')}bit/s offered: datagrams lost",
                  label_of=lambda _: "", veth_clip=False)
        else:
            panel(ax, [t], lambda _: "rtt_med", "ping rtt, ms (lower is better)",
                  "latency under load (ping during TCP 1-stream upload)", label_of=lambda _: "", veth_clip=False)
    handles = [Patch(facecolor=COLOURS.get(n, "grey"), hatch="//" if n == "veth" else None,
                     edgecolor="white" if n == "veth" else None,
                     label=f"{n}: {SHORT.get(n, n)}") for n in names]
    if handles:
        fig.legend(handles=handles, loc="lower center", ncol=min(4, len(handles)), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 0.93))
    fig.savefig(path)
    plt.close(fig)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log", help="bench.sh output (the guest's logs/bench.txt)")
    ap.add_argument("--json", help="redraw table and chart from an existing results.json")
    ap.add_argument("--out", default="build/bench")
    ap.add_argument("--meta", action="append", default=[], help="KEY=VALUE about the run (repeatable)")
    args = ap.parse_args()
    if not args.log and not args.json:
        ap.error("--log or --json is required")
    os.makedirs(args.out, exist_ok=True)
    if args.json:
        with open(args.json, encoding="utf-8") as f:
            results = json.load(f)
        results["targets"] = targets(results)
    else:
        results = build_results(args)
        with open(os.path.join(args.out, "results.json.tmp"), "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1, sort_keys=False)
            f.write("\n")
        os.replace(os.path.join(args.out, "results.json.tmp"), os.path.join(args.out, "results.json"))
    text = table(results)
    with open(os.path.join(args.out, "table.txt"), "w", encoding="utf-8") as f:
        f.write(text)
    sys.stdout.write(text)
    png = os.path.join(args.out, "bench.png")
    drew = chart(results, png)
    print(f"\nresults: {os.path.join(args.out, 'results.json')}, {os.path.join(args.out, 'table.txt')}"
          + (f", {png}" if drew else " (no chart)"))
    bad = not results["complete"] or any(
        c["status"] != "ok" or c["kernel_reports"] or any(not r["ok"] for r in c["runs"])
        for c in results["contenders"].values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
