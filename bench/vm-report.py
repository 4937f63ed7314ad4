#!/usr/bin/env python3
"""bench/vm-report.py BUILD_BENCH_DIR KERNEL [NOTE]: vm-raw.txt -> vm-results.md/.csv.

The guest (bench/vm-guest.sh) prints BENCH lines; every timing here is a
ratio to "none" in the same round (the guest is emulated: absolute times mean
nothing).  CPU time of the loop thread is the metric, as on the host.
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
    if "storm" in toks:
        kv["storm"] = "1"
    rows.append(kv)

fast = defaultdict(dict)        # (variant, config) -> {round: (cpu, socket_cpu)}
unavail = {}
storms = []
for r in rows:
    if r.get("storm"):
        storms.append(r)
    elif r.get("unavailable"):
        unavail[r.get("variant")] = r.get("why", "")
    elif "cpu_ns" in r:
        try:
            fast[(r["variant"], r["config"])][r["round"]] = (float(r["cpu_ns"]), float(r["socket_cpu_ns"]))
        except (KeyError, ValueError):
            pass

NAMES = {"none": "nothing attached", "floor-cgroup": "bare hook: cgroup",
         "gp-cgroup": "ghostport cgroup audit", "floor-fentry": "bare hook: fexit",
         "gp-fentry": "ghostport fentry audit", "floor-kprobe": "bare hook: kprobe+kretprobe",
         "gp-kprobe": "ghostport kprobe audit", "floor-fentry,lsm": "bare hook: fexit + LSM",
         "gp-lsm": "ghostport fentry audit + LSM enforce", "gp-kmod": "ghostport.ko (kprobes) + reader"}
FLOOR = {"gp-cgroup": "floor-cgroup", "gp-fentry": "floor-fentry", "gp-kprobe": "floor-kprobe",
         "gp-lsm": "floor-fentry,lsm", "gp-kmod": "floor-kprobe"}


def summ(v):
    v = sorted(v)
    return (statistics.median(v), v[0], v[-1], len(v)) if v else None


def pct(s):
    return "n/a" if not s else "%+.1f%% [%+.1f..%+.1f]" % tuple((x - 1) * 100 for x in s[:3])


md = ["# ghostport benchmarks in the VM (emulated: qemu TCG, Debian %s kernel)" % K, "",
      "Ratios only: per bind = the loop thread's CPU time per socket()+bind()+close() on an unlisted "
      "port, relative to nothing attached in the same round; median [min..max] over rounds.", "",
      "| variant | config | per bind vs none | vs its bare hook | bind share vs none |",
      "|---|---|---|---|---|"]
csvrows = [["section", "variant", "config", "metric", "median", "min", "max", "n"]]
for v in NAMES:
    for c in ("tcp-1", "udp-1"):
        d = fast.get((v, c))
        if not d:
            continue
        none = fast.get(("none", c), {})
        vs_none = summ([d[r][0] / none[r][0] for r in d if r in none])
        fl = fast.get((FLOOR.get(v, ""), c), {})
        vs_floor = summ([d[r][0] / fl[r][0] for r in d if r in fl]) if v in FLOOR else None
        sh = summ([(d[r][0] - d[r][1]) / (none[r][0] - none[r][1]) for r in d
                   if r in none and none[r][0] - none[r][1] > 0])
        md.append("| %s | %s | %s | %s | %s |" % (NAMES[v], c, "1" if v == "none" else pct(vs_none),
                                                 pct(vs_floor) if vs_floor else "", "1" if v == "none" else pct(sh)))
        for name, s in (("per_bind_vs_none", vs_none), ("per_bind_vs_floor", vs_floor), ("bind_share_vs_none", sh)):
            if s:
                csvrows.append(["vm-fast", v, c, name] + ["%.4g" % x for x in s[:3]] + [s[3]])
for v, why in unavail.items():
    md.append("| %s | | not measured: %s | | |" % (NAMES.get(v, v), why))
md += ["", "## Listed-port storm (2 threads, UDP, ports 686 and 886)", "",
       "| tool | binds made | binds/s (emulated) | reported | lost/dropped | note |", "|---|---|---|---|---|---|"]
for s in storms:
    v = s.get("variant")
    if s.get("unavailable"):
        md.append("| %s | | | | | not measured: %s |" % (v, s.get("why", "") or NOTE))
        continue
    if v == "bindsnoop":
        md.append("| bindsnoop (Debian libbpf-tools 0.26) | %s | %s | %s | %s | perf buffer; reports every bind, no port filter |" % (
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
