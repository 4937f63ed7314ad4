#!/usr/bin/env python3
"""bench/vm-report.py BUILD_BENCH_DIR KERNEL [NOTE]: vm-raw.txt -> vm-results.md/.csv.

The guest (bench/vm-guest.sh) prints BENCH lines.  Under qemu TCG (software
emulation) timing is noise-prone even as ratios within a round: the
figures that hold are the kernel's own accounting, bpf_stats per program
and the module's counters.  Timing ratios to "none" (same round) are shown
with that warning.
"""
import csv
import os
import shlex
import statistics
import sys
from collections import defaultdict

D, K = sys.argv[1], sys.argv[2]
NOTE = sys.argv[3] if len(sys.argv) > 3 else ""
rows = []
for line in open(os.path.join(D, "vm-raw.txt"), errors="replace"):
    try:
        toks = shlex.split(line.strip())[1:]
    except ValueError:
        continue
    kv = dict(t.split("=", 1) for t in toks if "=" in t)
    for bare in ("storm", "prog", "kmod"):
        if bare in toks:
            kv["_kind"] = bare
    rows.append(kv)

timing = defaultdict(dict)      # (variant, config, metric) -> {round: value}
unavail = {}
storms, progs, kmod = [], [], []
for r in rows:
    kind = r.get("_kind")
    if kind == "storm":
        storms.append(r)
    elif kind == "prog":
        progs.append(r)
    elif kind == "kmod":
        kmod.append(r)
    elif r.get("unavailable"):
        unavail[r.get("variant")] = r.get("why", "")
    elif "config" in r:
        for m in ("ns", "cpu_ns", "bind_ns", "bind_p50_ns", "wall_ns"):
            try:
                timing[(r["variant"], r["config"], m)][r["round"]] = float(r[m])
            except (KeyError, ValueError):
                pass

NAMES = {"none": "nothing attached", "gp-cgroup": "ghostport cgroup audit",
         "gp-fentry": "ghostport fentry audit", "gp-kprobe": "ghostport kprobe audit",
         "gp-lsm": "ghostport fentry audit + LSM enforce", "gp-kmod": "ghostport.ko (kprobes) + reader",
         "bindsnoop": "libbpf-tools bindsnoop (kprobes, every bind)"}
LOOPS = [("getppid", "ns", "getppid()"), ("tcp-unlisted", "bind_ns", "bind() TCP unlisted"),
         ("udp-unlisted", "bind_ns", "bind() UDP unlisted"), ("tcp-listed", "bind_ns", "bind() TCP listed"),
         ("udp-listed", "bind_ns", "bind() UDP listed")]


def summ(v):
    v = sorted(v)
    return (statistics.median(v), v[0], v[-1], len(v)) if v else None


def fmt(s):
    return "n/a" if not s else "%.2fx [%.2f..%.2f]" % s[:3]


def ratio(a, b):
    return summ([a[r] / b[r] for r in a if r in b and b[r] > 0])


md = ["# ghostport benchmarks in the VM (qemu TCG, Debian %s kernel)" % K, ""]
csvrows = [["section", "variant", "config", "metric", "median", "min", "max", "n"]]

# ---- bpf_stats
md += ["## Per-program cost (bpf_stats) and runs per call", "",
       "Emulated time, so absolute ns are the emulator's; what compares across modes is the "
       "programs' cost per call relative to each other and runs/call (which programs run at all "
       "for an unlisted bind, or a getppid()).", "",
       "| mode | loop | program | ns per run | runs/call |", "|---|---|---|---|---|"]
tot = defaultdict(float)
for p in progs:
    if p.get("unavailable"):
        md.append("| %s | | not measured | | |" % p.get("variant"))
        continue
    try:
        ns, runs, calls = float(p["ns"]), float(p["runs"]), float(p["calls"])
    except (KeyError, ValueError):
        continue
    md.append("| %s | %s | %s | %.0f | %.2f |" % (p["variant"], p["loop"], p["name"], ns / runs, runs / calls))
    tot[(p["variant"], p["loop"])] += ns / calls
    csvrows.append(["vm-prog", p["variant"], p["loop"], p["name"], "%.4g" % (ns / runs), "", "", runs / calls])
md += ["", "| mode | programs' ns per unlisted bind | per listed bind | per getppid() |", "|---|---|---|---|"]
for v in ("gp-cgroup", "gp-fentry", "gp-kprobe", "gp-lsm", "gp-kmod"):
    if any(k[0] == v for k in tot):
        md.append("| %s | %.0f | %.0f | %.0f |" % (v, tot.get((v, "unlisted"), 0), tot.get((v, "listed"), 0),
                                                 tot.get((v, "getppid"), 0)))
        for k in ("unlisted", "listed", "getppid"):
            csvrows.append(["vm-prog", v, k, "ns_per_call", "%.4g" % tot.get((v, k), 0), "", "", 1])
md.append("")
if kmod:
    md += ["## The module's counters per call", "", "| loop | calls | events | drops | misses (kprobe nmissed) | wake-ups |",
           "|---|---|---|---|---|---|"]
    def kvs(t):
        return dict(x.split("=", 1) for x in (t or "").split() if "=" in x)
    for k in kmod:
        if k.get("unavailable"):
            md.append("| %s | not measured: %s | | | | |" % (k.get("loop"), k.get("why", "")))
            continue
        a, b = kvs(k.get("before")), kvs(k.get("after"))
        d = {}
        for m in ("events", "drops", "misses", "wakeups"):
            try:
                x, y = int(a.get(m, 0)), int(b.get(m, 0))
                d[m] = y - x if y >= x else y      # counters reset by the reader
            except ValueError:
                d[m] = None
        md.append("| %s | %s | %s | %s | %s | %s |" % (k.get("loop"), k.get("calls"), d["events"], d["drops"],
                                                   d["misses"], d["wakeups"]))
        for m in ("events", "drops", "misses", "wakeups"):
            csvrows.append(["vm-kmod", "gp-kmod", k.get("loop"), m, d[m], "", "", k.get("calls")])
    md.append("")

# ---- timing
md += ["## Timing ratios to nothing attached (emulated: treat as indicative only)", "",
       "qemu TCG translates guest code; the cost of a hook relative to a syscall is not the "
       "hardware's, and other jobs on the host slow the emulator unevenly. Median [min..max] over "
       "rounds of the per-round ratio.", "",
       "| variant | %s | listed/unlisted TCP |" % " | ".join(x[2] for x in LOOPS),
       "|---|%s---|" % ("---|" * len(LOOPS))]
for v in NAMES:
    if v == "none" or not any(k[0] == v for k in timing):
        continue
    cells = []
    for cfg, m, _ in LOOPS:
        s = ratio(timing.get((v, cfg, m), {}), timing.get(("none", cfg, m), {}))
        cells.append(fmt(s))
        if s:
            csvrows.append(["vm-timing", v, cfg, "vs_none"] + ["%.4g" % x for x in s[:3]] + [s[3]])
    lu = ratio(timing.get((v, "tcp-listed", "bind_ns"), {}), timing.get((v, "tcp-unlisted", "bind_ns"), {}))
    md.append("| %s | %s | %s |" % (NAMES[v], " | ".join(cells), fmt(lu)))
n = {cfg: summ(list(timing.get(("none", cfg, m), {}).values())) for cfg, m, _ in LOOPS}
md.append("| nothing attached (emulated ns, median) | %s | |" % " | ".join(
    "%.0f" % n[c][0] if n.get(c) else "n/a" for c, _, _ in LOOPS))
for v, why in unavail.items():
    md.append("")
    md.append("%s: not measured: %s" % (NAMES.get(v, v), why))
md += ["", "## Listed-port storm (2 threads, UDP, ports 686 and 886)", "",
       "| tool | binds made | binds/s (emulated) | reported | lost/dropped | note |", "|---|---|---|---|---|---|"]
for s in storms:
    v = s.get("variant")
    if s.get("unavailable"):
        md.append("| %s | | | | | not measured: %s |" % (v, s.get("why", "") or NOTE))
        continue
    if v == "bindsnoop":
        md.append("| bindsnoop (Debian libbpf-tools) | %s | %s | %s | %s | perf buffer; reports every bind, no port filter |" % (
            s.get("binds"), s.get("rate"), s.get("reported"), s.get("lost")))
    else:
        ok = ""
        try:
            ok = "events+drops = binds" if int(s["events"]) + int(s["drops"]) + int(s.get("misses") or 0) == int(s["binds"]) \
                else "events+drops %d != binds %s" % (int(s["events"]) + int(s["drops"]), s["binds"])
        except (KeyError, ValueError):
            pass
        md.append("| %s | %s | %s | %s | %s | %s |" % (NAMES.get(v, v), s.get("binds"), s.get("rate"),
                                                     s.get("delivered"), s.get("drops"), ok))
    csvrows.append(["vm-storm", v, "", "binds", s.get("binds"), "", "", 1])
    csvrows.append(["vm-storm", v, "", "reported", s.get("reported") or s.get("delivered"), "", "", 1])
    csvrows.append(["vm-storm", v, "", "lost", s.get("lost") or s.get("drops"), "", "", 1])
if NOTE:
    md += ["", "Note: " + NOTE]
open(os.path.join(D, "vm-results.md"), "w").write("\n".join(md) + "\n")
with open(os.path.join(D, "vm-results.csv"), "w", newline="") as f:
    csv.writer(f).writerows(csvrows)
print("\n".join(md))
