#!/usr/bin/env python3
"""bench/report.py BUILD_BENCH_DIR: raw.tsv -> results.md + results.csv.

Every timing figure is a ratio to a reference taken in the same round
(interleaved variants), summarised over rounds as median [min..max].
See docs/bench.md for the method.
"""
import csv
import os
import statistics
import sys
from collections import defaultdict

D = sys.argv[1]
raw = defaultdict(dict)          # (section, variant, config, metric) -> {round: value}
for line in open(os.path.join(D, "raw.tsv")):
    parts = line.rstrip("\n").split("\t")
    if len(parts) != 6:
        continue
    sec, var, cfg, rnd, metric, val = parts
    try:
        v = float(val)
    except ValueError:
        continue
    raw[(sec, var, cfg, metric)][rnd] = v

machine = {}
for line in open(os.path.join(D, "machine.txt")):
    k, _, v = line.rstrip("\n").partition("=")
    machine[k] = v
notes = [l.rstrip("\n") for l in open(os.path.join(D, "notes.txt"))] \
    if os.path.exists(os.path.join(D, "notes.txt")) else []

CONFIGS = ["tcp-1", "tcp-2", "udp-1", "udp-2"]
CFG_NAME = {"tcp-1": "TCP, 1 thread", "tcp-2": "TCP, 2 threads",
            "udp-1": "UDP, 1 thread", "udp-2": "UDP, 2 threads"}
VARIANTS = ["none", "floor", "gp-audit", "gp-enforce", "auditd"]
VAR_NAME = {"none": "nothing attached", "floor": "bare hook (allow-only cgroup programs)",
            "gp-audit": "ghostport cgroup audit", "gp-enforce": "ghostport cgroup enforce",
            "auditd": "auditd `-S bind` rule"}

csv_rows = []


def summ(vals):
    vals = sorted(vals)
    if not vals:
        return None
    return (statistics.median(vals), vals[0], vals[-1], len(vals))


def fmt(s, digits=2, pct=False):
    if s is None:
        return "n/a"
    m, lo, hi, n = s
    if pct:
        return "%+.1f%% [%+.1f..%+.1f]" % ((m - 1) * 100, (lo - 1) * 100, (hi - 1) * 100)
    return "%.*f [%.*f..%.*f]" % (digits, m, digits, lo, digits, hi)


def add_csv(section, variant, config, metric, s, unit=""):
    if s is None:
        return
    m, lo, hi, n = s
    csv_rows.append([section, variant, config, metric, "%.4g" % m, "%.4g" % lo,
                     "%.4g" % hi, n, unit])


def get(sec, var, cfg, metric):
    return raw.get((sec, var, cfg, metric), {})


# Timing metric: the loop threads' CPU time per iteration (robust against
# other jobs preempting the loop); GP_BENCH_METRIC=ns_per_op for wall clock.
METRIC = os.environ.get("GP_BENCH_METRIC", "cpu_ns_per_op")


def ns(var, cfg, mode, sec="fast"):
    return get(sec, var, cfg + "-" + mode, METRIC)


def ratio_rounds(a, b):
    """per-round a/b for rounds both have."""
    return [a[r] / b[r] for r in a if r in b and b[r] > 0]


def share(var, cfg, mode="bind", sec="fast"):
    """per-round bind share: (socket+bind+close) - (socket+close)."""
    b = ns(var, cfg, mode, sec) if sec == "fast" else get("event", var, cfg + "-listed", METRIC)
    s = ns(var, cfg, "socket")
    return {r: b[r] - s[r] for r in b if r in s}


md = []
w = md.append
w("# ghostport benchmarks")
w("")
w("Date %s, commit %s. Machine: %s CPUs, %s, kernel %s (Firecracker microVM). "
  "Load average %s at start, %s at the end (other jobs share this machine). "
  "%s rounds, %s binds per thread per loop; %s s in all." % (
      machine.get("date"), machine.get("commit"), machine.get("nproc"),
      machine.get("model"), machine.get("kernel"), machine.get("loadavg_start"),
      machine.get("loadavg_end"), machine.get("rounds"), machine.get("iters"),
      machine.get("seconds")))
w("")
w("Figures are median [min..max] over rounds of ratios taken within one round, from the "
  "loop threads' CPU time (%s; wall-clock figures are in raw.tsv). " % METRIC +
  "\"per bind\" = one socket()+bind()+close() iteration; \"bind share\" = that minus "
  "a socket()+close() loop timed in the same round (the bind() call alone). "
  "Method: docs/bench.md.")
w("")

targets = []   # (target, measured, verdict, why)

# ---------------------------------------------------------------- fast path
fast_ok = any(k[0] == "fast" for k in raw)
fh = get("meta", "all", "all", "foreign_hooks")
foreign_rounds = sum(1 for v in fh.values() if v > 0)
if fast_ok:
    w("## 1. Fast path: unlisted port (%d)" % 40000)
    w("")
    w("Time per bind relative to nothing attached (same round), and the bind() call's own share.")
    w("")
    w("| variant | config | per bind vs none | bind share vs none | vs bare hook (per bind) | CPU ns per bind | wall clock: per bind vs none |")
    w("|---|---|---|---|---|---|---|")
    for v in VARIANTS:
        for c in CONFIGS:
            b = ns(v, c, "bind")
            if not b:
                continue
            r_it = summ(ratio_rounds(b, ns("none", c, "bind")))
            r_sh = summ(ratio_rounds(share(v, c), share("none", c)))
            r_fl = summ(ratio_rounds(b, ns("floor", c, "bind"))) if v not in ("none", "floor") else None
            med = summ(list(b.values()))
            wall = summ(ratio_rounds(get("fast", v, c + "-bind", "ns_per_op"), get("fast", "none", c + "-bind", "ns_per_op")))
            w("| %s | %s | %s | %s | %s | %.0f | %s |" % (
                VAR_NAME[v], CFG_NAME[c], fmt(r_it, pct=True) if v != "none" else "1",
                fmt(r_sh, pct=True) if v != "none" else "1",
                fmt(r_fl, pct=True) if r_fl else "", med[0], fmt(wall) if v != "none" else "1"))
            add_csv("fast", v, c, "wall_per_bind_vs_none", wall, "ratio")
            add_csv("fast", v, c, "per_bind_vs_none", r_it, "ratio")
            add_csv("fast", v, c, "bind_share_vs_none", r_sh, "ratio")
            add_csv("fast", v, c, "per_bind_vs_floor", r_fl, "ratio")
            add_csv("fast", v, c, "ns_per_bind", med, "ns")
            add_csv("fast", v, c, "ns_socket_close", summ(list(ns(v, c, "socket").values())), "ns")
    dc = summ(list(get("fast", "auditd", "all", "daemon_cpu_ns_per_bind").values()))
    if dc:
        w("")
        w("auditd's work off the binding thread (auditd + kauditd CPU time per bind, ticks of 10 ms "
          "over a round's auditd session): %.0f ns [%.0f..%.0f]." % dc[:3])
        add_csv("fast", "auditd", "all", "daemon_cpu_ns_per_bind", dc, "ns")
    if get("fast", "auditd", "all", "unavailable"):
        w("| %s | all | not measured: auditd did not start (notes) | | | |" % VAR_NAME["auditd"])
    w("")
    if foreign_rounds:
        w("Rounds that started with another program attached to the cgroup root (another job's "
          "test run): %d of %d; they weigh on every variant of that round alike." % (foreign_rounds, len(fh)))
        w("")

# ---------------------------------------------------------------- prog cost
pc_rows = [(k, v) for k, v in raw.items() if k[0] == "progcost"]
per_bind = {}
if pc_rows:
    w("## Per-program cost (kernel.bpf_stats_enabled, run_time_ns / run_cnt)")
    w("")
    w("One thread, TCP. \"runs/bind\" is run_cnt per bind() call; the cost per bind "
      "is the sum of ns x runs/bind. Includes the stats' own clock reads (about the floor "
      "programs' figure).")
    w("")
    w("| variant | port | program | ns per run | runs/bind |")
    w("|---|---|---|---|---|")
    for var in ("floor", "gp-audit", "gp-enforce"):
        for kind in ("unlisted", "listed"):
            tot = 0.0
            names = sorted(set(k[3] for k, _ in pc_rows if k[1] == var and k[2] == kind
                               and not k[3].endswith(".runs_per_bind")))
            for n in names:
                t = get("progcost", var, kind, n).get("0")
                rpb = get("progcost", var, kind, n + ".runs_per_bind").get("0", 0)
                tot += t * rpb
                w("| %s | %s | %s | %.0f | %.2f |" % (var, kind, n, t, rpb))
                add_csv("progcost", var, kind, n, (t, t, t, 1), "ns/run")
            if names:
                per_bind[(var, kind)] = tot
                w("| %s | %s | **per bind** | **%.0f** | |" % (var, kind, tot))
                add_csv("progcost", var, kind, "ns_per_bind", (tot, tot, tot, 1), "ns")
    w("")

# ---------------------------------------------------------------- event path
ev_ok = any(k[0] == "event" for k in raw)
if ev_ok:
    w("## 2. Event path: listed ports (686, 886), ghostport cgroup audit, JSON reader")
    w("")
    w("| config | listed vs unlisted (per bind) | listed vs unlisted (bind share) | listed under ghostport vs none (per bind) | ns per listed bind |")
    w("|---|---|---|---|---|")
    share_ratios_all = []
    for c in CONFIGS:
        lb = get("event", "gp-audit", c + "-listed", METRIC)
        if not lb:
            continue
        ub = ns("gp-audit", c, "bind")
        r_it = summ(ratio_rounds(lb, ub))
        ls = {r: lb[r] - ns("gp-audit", c, "socket").get(r, 0) for r in lb if r in ns("gp-audit", c, "socket")}
        r_sh = summ(ratio_rounds(ls, share("gp-audit", c)))
        r_none = summ(ratio_rounds(lb, get("event", "none", c + "-listed", METRIC)))
        if r_sh:
            share_ratios_all.append((c, r_sh))
        w("| %s | %s | %s | %s | %.0f |" % (CFG_NAME[c], fmt(r_it), fmt(r_sh), fmt(r_none),
                                            summ(list(lb.values()))[0]))
        add_csv("event", "gp-audit", c, "listed_vs_unlisted_per_bind", r_it, "ratio")
        add_csv("event", "gp-audit", c, "listed_vs_unlisted_bind_share", r_sh, "ratio")
        add_csv("event", "gp-audit", c, "listed_vs_none_per_bind", r_none, "ratio")
    evs = get("event", "gp-audit", "total", "events")
    drops = get("event", "gp-audit", "total", "drops")
    deliv = get("event", "gp-audit", "total", "delivered_bindloop")
    binds_per_round = defaultdict(float)
    for c in CONFIGS:
        for r, v in get("event", "gp-audit", c + "-listed", "binds").items():
            binds_per_round[r] += v
    w("")
    for r in sorted(evs, key=int):
        w("Round %s: %d listed binds made, %d events (kernel count), %d delivered as JSON lines "
          "from the loop, %d drops." % (r, binds_per_round.get(r, 0), evs[r], deliv.get(r, 0),
                                       drops.get(r, 0)))
    w("")

# ---------------------------------------------------------------- storm
storm_cfgs = sorted(set(k[2] for k in raw if k[0] == "storm"),
                    key=lambda c: (c.split("-")[0], int(c.split("-")[1]), -int(c.split("-")[2]) if c.split("-")[2] != "0" else -10**12))
if storm_cfgs:
    w("## 3. Storm: both CPUs binding listed UDP ports (686, 886)")
    w("")
    w("| format | ring | paced to (binds/s) | achieved binds/s | binds | events | drops | events+drops = binds | reader CPU ns/event | reader RSS |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for c in storm_cfgs:
        g = lambda m: get("storm", c.split("-")[0], c, m).get("0", 0)
        w("| %s | %d KiB | %s | %.0f | %d | %d | %d | %s | %.0f | %d KiB |" % (
            c.split("-")[0], g("ring") / 1024, "max" if g("target_rate") == 0 else "%d" % g("target_rate"),
            g("rate"), g("binds"), g("events"), g("drops"),
            "yes" if g("balanced") else "**NO** (foreign %d)" % g("foreign"),
            g("reader_cpu_ns_per_event"), g("reader_rss_kb")))
        for m in ("rate", "binds", "events", "drops", "balanced", "reader_cpu_ns_per_event", "reader_rss_kb"):
            add_csv("storm", c.split("-")[0], c, m, (g(m), g(m), g(m), 1))
    w("")
    # highest zero-drop rate per ring size (json)
    w("Highest rate with zero drops, per ring size (json reader):")
    w("")
    w("| ring | highest zero-drop rate measured (binds/s) |")
    w("|---|---|")
    rings = sorted(set(int(c.split("-")[1]) for c in storm_cfgs if c.startswith("json")))
    for ring in rings:
        best = None
        for c in storm_cfgs:
            f, rg, tr = c.split("-")
            if f != "json" or int(rg) != ring:
                continue
            g = lambda m: get("storm", f, c, m).get("0", 0)
            if g("drops") == 0 and (best is None or g("rate") > best[0]):
                best = (g("rate"), tr == "0")
        w("| %d KiB | %s |" % (ring / 1024, "none without drops" if best is None else
                               "%.0f%s" % (best[0], " (full speed: no drops at all)" if best[1] else "")))
        add_csv("storm", "json", str(ring), "zero_drop_rate", (best[0], best[0], best[0], 1) if best else None)
    w("")

# ---------------------------------------------------------------- formats
fm = sorted(set(k[1] for k in raw if k[0] == "formats"))
if fm:
    w("## 4. Formats (one core, bench/fmtbench.c: one fixed record formatted N times)")
    w("")
    w("| format | events/s per core | ns/event | instructions/event (callgrind) | bytes/line |")
    w("|---|---|---|---|---|")
    for f in fm:
        if get("formats", f, "all", "unsupported"):
            w("| %s | not in this build | | | |" % f)
            continue
        eps = summ(list(get("formats", f, "all", "events_per_s").values()))
        nse = summ(list(get("formats", f, "all", "ns_per_event").values()))
        ipe = get("formats", f, "all", "instr_per_event").get("0")
        by = get("formats", f, "all", "bytes")
        w("| %s | %s | %.0f | %s | %d |" % (
            f, "%.2fM [%.2f..%.2f]" % (eps[0] / 1e6, eps[1] / 1e6, eps[2] / 1e6) if eps else "n/a",
            nse[0] if nse else 0, "%d" % ipe if ipe else "n/a", list(by.values())[0] if by else 0))
        add_csv("formats", f, "all", "events_per_s", eps, "1/s")
        add_csv("formats", f, "all", "ns_per_event", nse, "ns")
        if ipe:
            add_csv("formats", f, "all", "instr_per_event", (ipe, ipe, ipe, 1), "instructions")
    w("")

# ---------------------------------------------------------------- footprint
fp = [(k, v) for k, v in raw.items() if k[0] == "footprint"]
if fp:
    w("## 5. Footprint (ghostport run --source cgroup, default list and ring)")
    w("")
    g = lambda var, cfg, m: get("footprint", var, cfg, m).get("0")
    rss = g("gp-audit", "idle", "rss_kb")
    w("- Daemon RSS idle: %s KiB (PSS %s KiB)%s." % (
        "%d" % rss if rss else "n/a", "%d" % g("gp-audit", "idle", "pss_kb") if g("gp-audit", "idle", "pss_kb") else "n/a",
        "; after the storm at the default ring: %d KiB" % get("storm", "json", "json-4194304-0", "reader_rss_kb").get("0", 0)
        if get("storm", "json", "json-4194304-0", "reader_rss_kb") else ""))
    maps = sorted(set(k[2] for k, _ in fp if k[1] == "map"))
    tot = 0
    parts = []
    for m in maps:
        b = g("map", m, "bytes_memlock") or 0
        tot += b
        parts.append("%s %d KiB" % (m, b / 1024))
        add_csv("footprint", "map", m, "bytes_memlock", (b, b, b, 1), "bytes")
    if maps:
        w("- BPF map memory (bytes_memlock): %.1f MiB in all: %s." % (tot / 1048576, ", ".join(parts)))
    progs = sorted(set(k[2] for k, _ in fp if k[1] == "prog"))
    if progs:
        w("- Programs (xlated / jited bytes): " + ", ".join(
            "%s %d / %d" % (p, g("prog", p, "bytes_xlated") or 0, g("prog", p, "bytes_jited") or 0) for p in progs) + ".")
        for p in progs:
            add_csv("footprint", "prog", p, "bytes_xlated", (g("prog", p, "bytes_xlated"),) * 3 + (1,), "bytes")
            add_csv("footprint", "prog", p, "bytes_jited", (g("prog", p, "bytes_jited"),) * 3 + (1,), "bytes")
    kms = sorted(set(k[2] for k, _ in fp if k[1] == "kmod"))
    if kms:
        w("- Kernel module: " + ", ".join("%s: %d bytes file, %d bytes text+data+bss" % (
            k, g("kmod", k, "file_bytes"), g("kmod", k, "text_data_bss")) for k in kms) + ".")
    else:
        w("- Kernel module: not built in this tree (this kernel has no module support; "
          "`make kmod` against a Debian kernel's headers, or run the VM tests first).")
    w("")

# ---------------------------------------------------------------- targets
def t_row(target, measured, met, why=""):
    targets.append((target, measured, "met" if met else ("**missed**" if met is not None else "not measured"), why))
    csv_rows.append(["target", target, "", "", measured, "", "", "", "met" if met else ("missed" if met is not None else "not measured")])


if fast_ok:
    # 1. unlisted within 2% of the floor: timing (noisy) and program cost (exact)
    rs = [summ(ratio_rounds(ns(v, c, "bind"), ns("floor", c, "bind")))
          for v in ("gp-audit", "gp-enforce") for c in CONFIGS if ns(v, c, "bind")]
    rs = [r for r in rs if r]
    tim = "timing, per bind vs bare hook: medians %s..%s (spread of single rounds %s..%s)" % (
        "%+.1f%%" % ((min(r[0] for r in rs) - 1) * 100), "%+.1f%%" % ((max(r[0] for r in rs) - 1) * 100),
        "%+.1f%%" % ((min(r[1] for r in rs) - 1) * 100), "%+.1f%%" % ((max(r[2] for r in rs) - 1) * 100)) if rs else "timing n/a"
    bind_ns = summ(list(share("floor", "tcp-1").values()))
    if bind_ns and bind_ns[0] <= 0:
        bind_ns = None
    extra = []
    met = None
    for v in ("gp-audit", "gp-enforce"):
        if (v, "unlisted") in per_bind and ("floor", "unlisted") in per_bind and bind_ns:
            d = per_bind[(v, "unlisted")] - per_bind[("floor", "unlisted")]
            full = summ(list(ns("floor", "tcp-1", "bind").values()))[0]
            pct = d / bind_ns[0] * 100
            extra.append("%s: programs +%.0f ns per bind over the bare hook's = %.1f%% of bind() (%.0f ns), %.1f%% of the loop's %.0f ns" % (
                v, d, pct, bind_ns[0], d / full * 100, full))
            met = (met is not False) and pct <= 2.0
    t_row("Unlisted binds within 2% of the bare hook", "; ".join(extra + [tim]), met,
          "" if met else "ghostport's programs do ~60-110 ns more than allow-only ones per unlisted bind (port lookup, "
          "config reads, the post_bind/exit checks); that is over 2% of the bind() call alone but about 1% of "
          "a socket+bind+close; timing cannot resolve 2% on this machine (see the spread)")
    # 2. auditd
    a = [summ(ratio_rounds(share("auditd", c), share("none", c))) for c in CONFIGS]
    ai = [summ(ratio_rounds(ns("auditd", c, "bind"), ns("none", c, "bind"))) for c in CONFIGS]
    aw = [summ(ratio_rounds(get("fast", "auditd", c + "-bind", "ns_per_op"), get("fast", "none", c + "-bind", "ns_per_op"))) for c in CONFIGS]
    gw = [summ(ratio_rounds(get("fast", "gp-audit", c + "-bind", "ns_per_op"), get("fast", "none", c + "-bind", "ns_per_op"))) for c in CONFIGS]
    g = [summ(ratio_rounds(ns("gp-audit", c, "bind"), ns("none", c, "bind"))) for c in CONFIGS]
    if any(a):
        t_row("auditd bind rule as the baseline to beat",
              "CPU of the binding thread vs none (%s): auditd bind() call %s x, per bind %s x; ghostport audit per bind %s x. "
              "Wall clock per bind: auditd %s x, ghostport audit %s x" % (
                  "/".join(c for c, x in zip(CONFIGS, a) if x),
                  "/".join("%.1f" % x[0] for x in a if x), "/".join("%.2f" % x[0] for x in ai if x),
                  "/".join("%.2f" % x[0] for x in g if x),
                  "/".join("%.2f" % x[0] for x in aw if x), "/".join("%.2f" % x[0] for x in gw if x)),
              all(x and y and x[0] < y[0] for x, y in zip(g, ai)),
              "auditd also spends its logging on other CPUs (auditd + kauditd, section 1); ghostport reports only listed ports")
    else:
        t_row("auditd bind rule as the baseline to beat", "auditd not measured", None,
              "; ".join(n for n in notes if "auditd" in n) or "auditd missing")

if ev_ok:
    worst = max((r[0] for _, r in share_ratios_all), default=None)
    its = [summ(ratio_rounds(get("event", "gp-audit", c + "-listed", METRIC), ns("gp-audit", c, "bind"))) for c in CONFIGS]
    its = [x for x in its if x]
    if worst is not None:
        t_row("Listed bind <= 1.5x unlisted",
              "bind share: worst config median %.2fx (%s); per bind: %s" % (
                  worst, ", ".join("%s %.2f" % (c, r[0]) for c, r in share_ratios_all),
                  "/".join("%.2f" % x[0] for x in its)),
              worst <= 1.5,
              "" if worst <= 1.5 else "building the 128-byte record (task, socket reads) and the ring buffer reserve/submit cost more than the bind() itself on this machine")

if storm_cfgs:
    d = get("storm", "json", "json-4194304-0", "drops").get("0")
    bal = all(get("storm", c.split("-")[0], c, "balanced").get("0", 0) == 1 for c in storm_cfgs)
    rate = get("storm", "json", "json-4194304-0", "rate").get("0", 0)
    if d is not None:
        t_row("Storm: zero drops at the default ring (4 MiB), both CPUs",
              "%d drops at %.0f binds/s; events+drops = binds in %s" % (d, rate, "every run" if bal else "NOT every run"),
              d == 0 and bal, "" if d == 0 else
              "both CPUs bind, so the reader gets a share of a CPU; it costs about %.0f us of CPU per event "
              "(it stats /proc/PID/exe for each event to name the executable: ~2 syscalls at ~3 us here), "
              "and the 4 MiB ring (about 30k records) fills in under a second at this rate; see the highest zero-drop rate"
              % ((get("storm", "json", "json-4194304-0", "reader_cpu_ns_per_event").get("0") or 0) / 1000))

if fm:
    eps = summ(list(get("formats", "json", "all", "events_per_s").values()))
    rdr = get("storm", "json", "json-4194304-0", "reader_cpu_ns_per_event").get("0")
    if eps:
        t_row(">= 1M events/s per core for json",
              "formatter %.2fM/s [%.2f..%.2f]%s" % (eps[0] / 1e6, eps[1] / 1e6, eps[2] / 1e6,
                                                  "; whole reader (ring+decode+format+write, storm) %.2fM/s" % (1e3 / rdr) if rdr else ""),
              eps[0] >= 1e6,
              "" if eps[0] >= 1e6 else "formatter below 1M/s on this core (see instructions/event, which does not depend on the machine's load)")

out = ["# ghostport benchmarks", "", md[2], "", "## Targets", "",
       "| target | measured | verdict | why |", "|---|---|---|---|"]
for t in targets:
    out.append("| %s | %s | %s | %s |" % t)
out.append("")
out += md[3:]
if notes:
    out += ["## Notes from the run", ""] + ["- " + n for n in notes] + [""]
open(os.path.join(D, "results.md"), "w").write("\n".join(out) + "\n")
with open(os.path.join(D, "results.csv"), "w", newline="") as f:
    wr = csv.writer(f)
    wr.writerow(["section", "variant", "config", "metric", "median", "min", "max", "n", "unit"])
    wr.writerows(csv_rows)
print("\n".join(out))
