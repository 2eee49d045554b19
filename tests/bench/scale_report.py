#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Report of the peer-scale benchmark (make bench-scale), on the host.

Reads the output of tests/bench/scale.sh (the guest's "@scale ..." records,
kept by tests/guest/run.sh in <artifacts>/logs/scale.txt) and writes into
--out (build/bench-scale by default):

  results.json  every figure of every module and N, failures, kernel
                reports, kernel, date, git revision, knobs, host load
  table.txt     the table printed on stdout: ours and the reference side by
                side for each N, with the ratio ours/reference, then the
                targets of issue 17
  scale.png     each figure against N, ours and the reference

Exit status: 0 when the guest finished and every step of every module
reported (a step the reference could not do in time is a finding, not a
failure of the benchmark), 1 otherwise, 2 on a usage error.

Usage: scale_report.py --log FILE [--out DIR] [--meta KEY=VALUE ...]
       scale_report.py --json results.json [--out DIR]   (redraw)
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import fmt, git_info, kv, num  # noqa: E402  (the bench's helpers)

MODULES = ["ours", "reference"]

# key, label, unit divisor, decimals, lower is better
FIGURES = [
    ("setup_peers_per_sec", "setup: peers/s (NEW_PEER + NEW_KEY)", 1, 0, False),
    ("mem_idle_slab_bytes_per_peer", "slab per idle peer, bytes", 1, 0, True),
    ("mem_idle_vmalloc_bytes_per_peer", "vmalloc per idle peer, bytes", 1, 0, True),
    ("mem_idle_percpu_bytes_per_peer", "per-CPU per idle peer, bytes", 1, 0, True),
    ("mem_busy_slab_bytes_per_peer", "slab per peer after traffic, bytes", 1, 0, True),
    ("spread_rx_pps", "echo/s spread over all N", 1, 0, False),
    ("spread_rtt_us_p50", "round trip spread, median ms", 1000, 2, True),
    ("one_rx_pps", "echo/s on one peer of N", 1, 0, False),
    ("one_rtt_us_p50", "round trip on one, median ms", 1000, 2, True),
    ("spread_cpu_per_reply_us", "generator CPU per reply spread, us (user+sys)", 1, 1, True),
    ("one_cpu_per_reply_us", "generator CPU per reply on one, us (user+sys)", 1, 1, True),
    ("idle_cpu_pct", "idle CPU with N keepalives, % of 2 CPUs", 1, 2, True),
    ("dump_ms", "GET_PEER dump of N, ms", 1, 0, True),
    ("delete_ms", "DEL_PEER of each: requests (window below), ms", 1, 0, True),
    ("delete_all_ms", "DEL_PEER of each: last notification, ms", 1, 0, True),
    ("expire_all_ms", "N expire at once (3 s timeout): last EXPIRED, ms", 1, 0, True),
    ("linkdel_ms", "ip link del with N peers, ms", 1, 0, True),
    ("linkdel_all_ms", "ip link del: last TEARDOWN, ms", 1, 0, True),
    ("rmmod_ms", "rmmod with N peers, ms", 1, 0, True),
]
# yes/no and counts: shown as text, no ratio
CHECKS = [
    ("reached", "clients reached"),
    ("dump_peers", "peers in the dump (each once: dump_ok)"),
    ("delete_ntf", "DEL_PEER notifications (USERSPACE)"),
    ("expire_ntf", "EXPIRED notifications, 8 MiB listener"),
    ("expire1m_ntf", "EXPIRED notifications, OpenVPN's 1 MiB listener"),
    ("linkdel_ntf", "TEARDOWN notifications, ip link del"),
    ("rmmod_ntf", "TEARDOWN notifications, rmmod"),
]


def parse_log(path):
    info, mods, base, done = {}, {}, {}, False
    for m in MODULES:
        mods[m] = {"status": "not run", "module": {}, "n": {}, "fails": [], "kernel_reports": []}
    lines = []
    if path and os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    for line in lines:
        if not line.startswith("@scale "):
            continue
        w = line.split()
        kind = w[1] if len(w) > 1 else ""
        if kind == "info" and len(w) >= 3:
            info[w[2]] = " ".join(w[3:])
        elif kind == "done":
            done = True
        elif kind == "begin" and len(w) >= 3 and w[2] in mods:
            mods[w[2]]["status"] = "ran"
        elif kind == "module" and len(w) >= 3 and w[2] in mods:
            mods[w[2]]["module"] = kv(w[3:])
        elif kind == "m" and len(w) >= 4:
            if w[2] == "none":
                base.update(kv(w[4:]))
            elif w[2] in mods:
                mods[w[2]]["n"].setdefault(w[3], {}).update(kv(w[4:]))
        elif kind == "slab" and len(w) >= 4 and w[2] in mods:
            mods[w[2]].setdefault("slab", {})[w[3]] = kv(w[4:])
        elif kind == "fail" and len(w) >= 5 and w[2] in mods:
            mods[w[2]]["fails"].append({"n": num(w[3]), "step": w[4], "reason": " ".join(w[5:])})
        elif kind == "dmesg" and len(w) >= 3 and w[2] in mods:
            mods[w[2]]["kernel_reports"].append(line.split(None, 3)[3] if len(w) > 3 else "")
    return info, mods, base, done


def build_results(args):
    meta = dict(m.split("=", 1) for m in args.meta if "=" in m)
    info, mods, base, done = parse_log(args.log)
    ns = sorted({int(n) for m in mods.values() for n in m["n"]} |
                {int(f["n"]) for m in mods.values() for f in m["fails"] if int(f["n"]) > 0})
    knobs = kv(info.get("knobs", "").split())
    return {
        "kernel": info.get("kernel") or meta.get("kver"),
        "date": meta.get("date"),
        "git": git_info(meta.get("git_dir", ".")),
        "guest": {"cpus": info.get("cpus"), "mem_total_kb": info.get("mem_total_kb"),
                  "cmdline": info.get("cmdline"), "qemu": meta.get("qemu"),
                  "slub_debug": meta.get("slub_debug"), "seconds": num(meta.get("guest_seconds", "0")),
                  "finished": meta.get("guest_finished") == "1", "result": meta.get("guest_result"),
                  "qemu_exit": meta.get("qemu_exit")},
        "host_load": {"before": meta.get("host_load_before"), "after": meta.get("host_load_after")},
        "knobs": knobs,
        "srcversion": {"ours": info.get("ours_srcversion") or meta.get("ours_srcversion"),
                       "reference": info.get("ref_srcversion") or meta.get("ref_srcversion")},
        "ns": ns,
        "baseline": base,
        "modules": mods,
        "complete": done,
    }


# Below this many peers the growth of Slab is a page here or there of some
# cache, not the peers: no memory per peer is shown.
MEM_MIN_N = 100


def val(results, mod, n, key):
    if key.startswith("mem_") and int(n) < MEM_MIN_N:
        return None
    v = results["modules"].get(mod, {}).get("n", {}).get(str(n), {}).get(key)
    return v if isinstance(v, (int, float)) else None


def fails_of(results, mod, n):
    return [f for f in results["modules"].get(mod, {}).get("fails", []) if int(f["n"]) == n]


def cell(results, n, key, div, nd):
    o, r = val(results, "ours", n, key), val(results, "reference", n, key)
    fo = fmt(o / div, nd) if o is not None else "-"
    fr = fmt(r / div, nd) if r is not None else "-"
    ratio = f"{o / r:.2f}x" if o is not None and r else "-"
    return f"{fo} / {fr} = {ratio}" if (o is not None or r is not None) else "-"


def targets(results):
    """Issue 17's targets, as far as this run measured them."""
    out = []
    ns = results["ns"]
    if not ns:
        return out
    big, small = max(ns), min(ns)
    o_big, o_one = val(results, "ours", big, "spread_rx_pps"), val(results, "ours", small, "spread_rx_pps")
    if o_big is not None and o_one:
        r = o_big / o_one
        out.append((f"throughput spread over {big:,} peers >= 90% of that with {small}", r >= 0.9,
                    f"{o_big:.0f} / {o_one:.0f} echo/s = {r:.0%}"))

    def mem(mod):
        parts = [val(results, mod, big, k) for k in
                 ("mem_idle_slab_bytes_per_peer", "mem_idle_vmalloc_bytes_per_peer",
                  "mem_idle_percpu_bytes_per_peer")]
        return None if parts[0] is None else sum(p for p in parts if p is not None)
    mo, mr = mem("ours"), mem("reference")
    if mo is not None and mr:
        out.append((f"memory per idle peer (slab+vmalloc+per-CPU, N={big:,}) <= 1/4 of the reference's",
                    mo <= mr / 4, f"{mo:.0f} / {mr:.0f} bytes = {mo / mr:.2f}x"))
    for key, what, lower in (("setup_peers_per_sec", "setup", False), ("delete_all_ms", "DEL_PEER of all", True),
                             ("linkdel_all_ms", "ip link del (last TEARDOWN)", True),
                             ("rmmod_ms", "rmmod", True)):
        o, r = val(results, "ours", big, key), val(results, "reference", big, key)
        if o is not None and r:
            ok = o < r if lower else o > r
            out.append((f"{what} of {big:,} peers faster than the reference", ok, f"{o:.0f} / {r:.0f} = {o / r:.2f}x"))
        elif o is not None:
            fl = [f"{f['step']}: {f['reason']}" for f in fails_of(results, "reference", big)]
            out.append((f"{what} of {big:,} peers faster than the reference", None,
                        "reference not measured" + (f" ({fl[0]})" if fl else "")))
    for mod in MODULES:
        for n in ns:
            for k in ("expire_ntf", "expire1m_ntf"):
                got, ov = val(results, mod, n, k), val(results, mod, n, k + "_overruns")
                if got is None:
                    continue
                if got != n and not ov:
                    out.append((f"{mod}, N={n:,}: every EXPIRED notification or an overrun report ({k})", False,
                                f"{got} of {n} and no overrun report"))
    lost = [t for t in out if "overrun report" in t[0]]
    if not lost:
        out.append(("no notification lost without an overrun report (every module, N, listener)", True, ""))
    return out


def table(results):
    L = []
    g = results["git"]
    ns = results["ns"]
    L.append(f"ovpn-dco peer-scale benchmark: kernel {results['kernel']}, {results['guest'].get('cpus') or '?'} vCPU "
             f"({results['guest'].get('qemu') or 'QEMU/TCG'}), {results['date']}, git {g.get('describe') or '?'}")
    L.append(f"ours {results['srcversion']['ours']}, reference {results['srcversion']['reference']}; "
             f"host load {results['host_load']['before']} -> {results['host_load']['after']}; "
             f"guest {results['guest']['seconds']} s")
    b = results.get("baseline", {})
    if b:
        L.append(f"idle guest before any device: {b.get('base_cpu_pct', '?')}% CPU "
                 f"({b.get('base_softirq_pct', '?')}% softirq)")
    k = results.get("knobs", {})
    if k:
        L.append("knobs: " + "; ".join(f"{a}={b}" for a, b in k.items())
                 + ("" if k.get("napi_threaded", "default") == "default" else " (NOT the module's default NAPI mode)"))
    wins = sorted({val(results, m, n, "delete_window") for m in MODULES for n in ns} - {None})
    if wins:
        L.append("DEL_PEER of each: up to " + " or ".join(f"{w:.0f}" for w in wins)
                 + " requests in flight (scalegen delete --window)")
    elif any(val(results, m, n, "delete_ms") is not None for m in MODULES for n in ns):
        L.append("DEL_PEER of each: one request at a time (a run before scalegen delete --window)")
    L.append("cells: ours / reference = ours/reference, measured in this one boot")
    L.append("")
    head = "| figure | " + " | ".join(f"N={n:,}" for n in ns) + " |"
    L.append(head)
    L.append("| --- |" + " --- |" * len(ns))
    for key, label, div, nd, lower in FIGURES:
        if not any(val(results, m, n, key) is not None for m in MODULES for n in ns):
            continue
        L.append(f"| {label}{' (lower is better)' if lower else ''} | "
                 + " | ".join(cell(results, n, key, div, nd) for n in ns) + " |")
    for key, label in CHECKS:
        if not any(val(results, m, n, key) is not None for m in MODULES for n in ns):
            continue
        cells = []
        for n in ns:
            parts = []
            for m in MODULES:
                v = val(results, m, n, key)
                s = "-" if v is None else f"{v:,}"
                ov = val(results, m, n, key + "_overruns")
                if ov:
                    s += f" ({ov} overrun{'s' if ov != 1 else ''})"
                if key == "dump_peers" and v is not None:
                    ok = results["modules"][m]["n"][str(n)].get("dump_ok")
                    s += "" if ok == "yes" else " (NOT each once)"
                parts.append(s)
            cells.append(" / ".join(parts))
        L.append(f"| {label} | " + " | ".join(cells) + " |")
    L.append("")
    for m in MODULES:
        mod = results["modules"][m]
        ver = mod["module"].get("version")
        if mod["status"] == "not run":
            L.append(f"{m}: not run")
        else:
            L.append(f"{m}: version {ver or '?'}, srcversion {mod['module'].get('srcversion', '?')}")
        for n, caches in sorted(mod.get("slab", {}).items(), key=lambda x: int(x[0])):
            L.append(f"  slab caches grown per peer at N={int(n):,} (bytes): "
                     + ", ".join(f"{c} {b}" for c, b in caches.items()))
        for f in mod["fails"]:
            L.append(f"  {m}, N={f['n']}: {f['step']}: {f['reason']}")
        for r in mod["kernel_reports"][:10]:
            L.append(f"  {m}: kernel report: {r}")
    if not results["complete"]:
        L.append("the guest did not finish the benchmark: figures missing above were not measured")
    L.append("")
    L.append("issue 17 targets:")
    for what, ok, detail in targets(results):
        mark = "n/a " if ok is None else ("PASS" if ok else "MISS")
        L.append(f"  {mark} {what}{': ' + detail if detail else ''}")
    return "\n".join(L) + "\n"


def chart(results, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("scale_report.py: python3-matplotlib missing (scripts/deps.sh --bench): no chart", file=sys.stderr)
        return False
    ns = results["ns"]
    figs = [f for f in FIGURES if any(val(results, m, n, f[0]) is not None for m in MODULES for n in ns)]
    if not figs:
        return False
    cols = 4
    rows = (len(figs) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(16, 3.4 * rows + 0.8), dpi=100, squeeze=False)
    g = results["git"]
    fig.suptitle(f"ovpn-dco peer scale: kernel {results['kernel']}, QEMU/TCG {results['guest'].get('qemu')}, "
                 f"git {g.get('describe') or '?'}, {results['date']}\n"
                 "ours (blue) and the reference openvpn-dco-dkms (orange) against the number of peers N "
                 "(emulated CPU: compare the lines, not with other machines)", fontsize=10)
    style = {"ours": ("#2171b5", "o"), "reference": ("#d94801", "s")}
    for i, (key, label, div, _nd, lower) in enumerate(figs):
        ax = axes[i // cols][i % cols]
        for m in MODULES:
            pts = [(n, val(results, m, n, key)) for n in ns if val(results, m, n, key) is not None]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] / div for p in pts], marker=style[m][1], color=style[m][0],
                        label=m)
        ax.set_xscale("log")
        ys = [val(results, m, n, key) for m in MODULES for n in ns if val(results, m, n, key) is not None]
        if ys and min(ys) > 0 and max(ys) / min(ys) > 30:
            ax.set_yscale("log")
        ax.set_title(label + (" (lower is better)" if lower else ""), fontsize=8)
        ax.set_xticks(ns)
        ax.set_xticklabels([f"{n:,}" for n in ns], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(True, alpha=0.3)
        if i == 0:
            ax.legend(fontsize=7)
    for j in range(len(figs), rows * cols):
        axes[j // cols][j % cols].axis("off")
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(path)
    plt.close(fig)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log", help="scale.sh output (the guest's logs/scale.txt)")
    ap.add_argument("--json", help="redraw table and chart from an existing results.json")
    ap.add_argument("--out", default="build/bench-scale")
    ap.add_argument("--meta", action="append", default=[], help="KEY=VALUE about the run (repeatable)")
    args = ap.parse_args()
    if not args.log and not args.json:
        ap.error("--log or --json is required")
    os.makedirs(args.out, exist_ok=True)
    if args.json:
        with open(args.json, encoding="utf-8") as f:
            results = json.load(f)
    else:
        results = build_results(args)
        tmp = os.path.join(args.out, "results.json.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)
            f.write("\n")
        os.replace(tmp, os.path.join(args.out, "results.json"))
    text = table(results)
    with open(os.path.join(args.out, "table.txt"), "w", encoding="utf-8") as f:
        f.write(text)
    sys.stdout.write(text)
    png = os.path.join(args.out, "scale.png")
    drew = chart(results, png)
    print(f"\nresults: {os.path.join(args.out, 'results.json')}, {os.path.join(args.out, 'table.txt')}"
          + (f", {png}" if drew else " (no chart)"))
    bad = not results["complete"] or any(r for m in results["modules"].values() for r in m["kernel_reports"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
