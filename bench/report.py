#!/usr/bin/env python3
"""bench/report.py BUILD_BENCH_DIR: raw.tsv -> results.md + results.csv.

Every timing figure is a ratio to NOTHING attached, taken in the same round
(variants interleaved in random order), summarised over rounds as
median [min..max].  See docs/bench.md for the method.
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

CONFIGS = ["tcp-1", "udp-1", "tcp-2", "udp-2"]
CFG_NAME = {"tcp-1": "TCP, 1 thread", "tcp-2": "TCP, 2 threads",
            "udp-1": "UDP, 1 thread", "udp-2": "UDP, 2 threads"}
VARIANTS = ["gp-audit", "gp-enforce", "floor"]
VAR_NAME = {"none": "nothing attached", "floor": "bare hook",
            "gp-audit": "ghostport cgroup audit", "gp-enforce": "ghostport cgroup enforce",
            "auditd": "auditd `-S bind` rule", "none-audited": "nothing attached, after auditd"}

csv_rows = []


def summ(vals):
    vals = sorted(vals)
    if not vals:
        return None
    return (statistics.median(vals), vals[0], vals[-1], len(vals))


def fmt(s, digits=2):
    if s is None:
        return "n/a"
    m, lo, hi, n = s
    return "%.*fx [%.*f..%.*f]" % (digits, m, digits, lo, digits, hi)


def add_csv(section, variant, config, metric, s, unit=""):
    if s is None:
        return
    m, lo, hi, n = s
    csv_rows.append([section, variant, config, metric, "%.4g" % m, "%.4g" % lo,
                     "%.4g" % hi, n, unit])


def get(sec, var, cfg, metric):
    return raw.get((sec, var, cfg, metric), {})


def ratio_rounds(a, b):
    """per-round a/b for rounds both have."""
    return [a[r] / b[r] for r in a if r in b and b[r] > 0]


def c_get(var, job, metric):
    return get("cost", var, job, metric)


def vs_none(var, job, metric, ref="none"):
    return summ(ratio_rounds(c_get(var, job, metric), c_get(ref, job, metric)))


def med(var, job, metric):
    s = summ(list(c_get(var, job, metric).values()))
    return s[0] if s else None


md = []
w = md.append
w("# ghostport benchmarks")
w("")
w("Date %s, commit %s. Machine: %s CPUs, %s, kernel %s (Firecracker microVM), up %s s at start. "
  "Load average %s at start, %s at the end (other jobs share this machine). "
  "%s rounds, %s binds per thread per loop; %s s in all. "
  "The kernel's audit %s before this run started." % (
      machine.get("date"), machine.get("commit"), machine.get("nproc"),
      machine.get("model"), machine.get("kernel"), machine.get("uptime_s"),
      machine.get("loadavg_start"), machine.get("loadavg_end"), machine.get("rounds"),
      machine.get("iters"), machine.get("seconds"),
      "**had been enabled on this boot (every task audited: syscall figures are not a clean boot's)**"
      if machine.get("audit_before") == "1" else "had never been enabled on this boot"))
w("")
w("Every figure is a ratio to **nothing attached**, on the same loop, in the same round "
  "(variants started in random order each round); median [min..max] over rounds. "
  "getppid = a cheap syscall in another process (what every process of the machine pays per "
  "syscall while the tool runs); bind() = the bind() call alone, timed per call (mean, calls "
  "over 50 us left out as preempted); socket+bind+close = the whole iteration, from the loop "
  "threads' CPU time. Method: docs/bench.md.")
w("")

targets = []   # (target, measured, verdict, why)
# ---------------------------------------------------------------- 1. cost
cost_ok = any(k[0] == "cost" and k[1] == "none" for k in raw)
fh = get("meta", "all", "all", "foreign_hooks")
foreign_rounds = sum(1 for v in fh.values() if v > 0)
ROWS = [("getppid", "getppid", "ns", "getppid() (another process)")]
for c in CONFIGS:
    ROWS.append((c + "-unlisted", c + "-unlisted", "bind_ns", "bind(), unlisted port, " + CFG_NAME[c]))
for c in CONFIGS:
    ROWS.append((c + "-listed", c + "-listed", "bind_ns", "bind(), listed port, " + CFG_NAME[c]))
for c in CONFIGS:
    ROWS.append((c + "-sbc", c + "-unlisted", "cpu_ns", "socket+bind+close, unlisted, " + CFG_NAME[c]))
if cost_ok:
    w("## 1. Cost against nothing attached")
    w("")
    w("| loop | nothing attached (ns) | %s |" % " | ".join(VAR_NAME[v] for v in VARIANTS))
    w("|---|---|%s" % ("---|" * len(VARIANTS)))
    for key, job, metric, name in ROWS:
        n = med("none", job, metric)
        if n is None:
            continue
        cells = []
        for v in VARIANTS:
            s = vs_none(v, job, metric)
            cells.append(fmt(s))
            add_csv("cost", v, key, "vs_none", s, "ratio")
        add_csv("cost", "none", key, "ns", summ(list(c_get("none", job, metric).values())), "ns")
        for v in VARIANTS:
            add_csv("cost", v, key, "ns", summ(list(c_get(v, job, metric).values())), "ns")
        w("| %s | %.0f | %s |" % (name, n, " | ".join(cells)))
    w("")
    w("The bare hook (allow-only programs on the same hooks, the same syscall tracepoint "
      "included: bench/floor.bpf.c) is a secondary breakdown: what the attach points cost "
      "before ghostport does any work. Median-of-calls figures (bind_p50_ns), wall-clock "
      "iterations and the bind() share by subtraction are in results.csv and raw.tsv.")
    w("")
    for c in CONFIGS:
        for k in ("unlisted", "listed"):
            for v in ["none"] + VARIANTS:
                add_csv("cost", v, c + "-" + k, "p50_vs_none",
                        vs_none(v, c + "-" + k, "bind_p50_ns") if v != "none" else None, "ratio")
                o = summ(list(c_get(v, c + "-" + k, "outliers").values()))
                add_csv("cost", v, c + "-" + k, "outliers", o, "calls")
    if foreign_rounds:
        w("Rounds that started with another program attached to the cgroup root (another job's "
          "test run): %d of %d; they weigh on every variant of that round alike." % (foreign_rounds, len(fh)))
        w("")

    # ------------------------------------------------------------ listed vs unlisted
    w("## 2. Listed vs unlisted bind() (same variant, same round)")
    w("")
    w("| variant | %s |" % " | ".join(CFG_NAME[c] for c in CONFIGS))
    w("|---|%s" % ("---|" * len(CONFIGS)))
    lvu = {}
    for v in ["none"] + VARIANTS:
        cells = []
        for c in CONFIGS:
            s = summ(ratio_rounds(c_get(v, c + "-listed", "bind_ns"), c_get(v, c + "-unlisted", "bind_ns")))
            lvu[(v, c)] = s
            cells.append(fmt(s))
            add_csv("listed", v, c, "listed_vs_unlisted", s, "ratio")
        w("| %s | %s |" % (VAR_NAME[v], " | ".join(cells)))
    w("")
    w("ghostport cgroup enforce denies the listed binds (EPERM): its listed figure is a refused bind.")
    w("")
    evs = get("event", "gp-audit", "total", "events")
    drops = get("event", "gp-audit", "total", "drops")
    deliv = get("event", "gp-audit", "total", "delivered_bindloop")
    binds_per_round = defaultdict(float)
    for c in CONFIGS:
        for r, v in c_get("gp-audit", c + "-listed", "binds").items():
            binds_per_round[r] += v
    for r in sorted(evs, key=int):
        w("Round %s (ghostport audit): %d listed binds made, %d events (kernel count), %d delivered "
          "as JSON lines from the loop, %d drops." % (r, binds_per_round.get(r, 0), evs[r],
                                                       deliv.get(r, 0), drops.get(r, 0)))
    w("")

# ---------------------------------------------------------------- prog cost
pc_rows = [(k, v) for k, v in raw.items() if k[0] == "progcost"]
per_bind = {}
if pc_rows:
    w("## 3. Per-program cost (kernel.bpf_stats_enabled, run_time_ns / run_cnt)")
    w("")
    w("One thread, TCP, port 40000 (unlisted) or 686 (listed), and a getppid() loop. "
      "\"runs/call\" is run_cnt per bind() (or getppid()) call; the cost per call is the sum of "
      "ns x runs/call. Includes the stats' own clock reads (about 20-40 ns a run). "
      "A syscall tracepoint's tax on other syscalls is not a program run: it shows in the "
      "getppid() timing of section 1, not here.")
    w("")
    w("| variant | loop | program | ns per run | runs/call |")
    w("|---|---|---|---|---|")
    for var in ("gp-audit", "gp-enforce", "floor"):
        for kind in ("unlisted", "listed", "getppid"):
            tot = 0.0
            names = sorted(set(k[3] for k, _ in pc_rows if k[1] == var and k[2] == kind
                               and not k[3].endswith(".runs_per_bind")))
            for n in names:
                t = get("progcost", var, kind, n).get("0")
                rpb = get("progcost", var, kind, n + ".runs_per_bind").get("0", 0)
                tot += t * rpb
                w("| %s | %s | %s | %.0f | %.2f |" % (var, kind, n, t, rpb))
                add_csv("progcost", var, kind, n, (t, t, t, 1), "ns/run")
            per_bind[(var, kind)] = tot
            if names:
                w("| %s | %s | **per call** | **%.0f** | |" % (var, kind, tot))
            elif kind == "getppid":
                w("| %s | getppid | (no program runs) | 0 | 0 |" % var)
            add_csv("progcost", var, kind, "ns_per_call", (tot, tot, tot, 1), "ns")
    w("")

# ---------------------------------------------------------------- anatomy
STAGES = [("an0_lookup", "port lookup (the unlisted fast path)"),
          ("an1_scratch", "+ scratch record zeroed (128 B)"),
          ("an2_helpers", "+ pid/tid, uid/gid, cgroup id, comm, boot time (helpers)"),
          ("an3_task", "+ task reads: parent, flags, exe inode/dev (probe reads)"),
          ("an4_sock", "+ socket reads: type, protocol, ifindex, netns, options"),
          ("an5_stash", "+ stash by tid in a hash map, lookup, delete"),
          ("an6_ring", "+ ring buffer reserve, copy, query, submit"),
          ("ring_only", "port lookup + scratch + ring submit only")]
an_ok = any(k[0] == "anatomy" for k in raw)
if an_ok:
    w("## 3b. Anatomy of a listed bind (cgroup mode, bench/anatomy.bpf.c)")
    w("")
    w("ghostport's cgroup/bind4 + post_bind4 work for a listed port, rebuilt as cumulative "
      "allow-only stages, each attached alone to the cgroup root (random order per round, with "
      "nothing attached among them); TCP, 1 thread, port 686. ns per run from bpf_stats (each "
      "includes the stats' clock reads, so the step column is the sharper figure); bind() "
      "relative to nothing attached in the same round.")
    w("")
    w("| stage | ns per run (bpf_stats) | step | bind() vs none |")
    w("|---|---|---|---|")
    prev = None
    for st, name in STAGES:
        t = summ(list(get("anatomy", st, "listed", "ns_per_run").values()))
        if not t:
            continue
        b = summ(ratio_rounds(get("anatomy", st, "listed", "bind_ns"), get("anatomy", "none", "listed", "bind_ns")))
        step = "" if prev is None or st == "ring_only" else "%+.0f" % (t[0] - prev)
        w("| %s: %s | %.0f [%.0f..%.0f] | %s | %s |" % (st, name, t[0], t[1], t[2], step, fmt(b)))
        add_csv("anatomy", st, "listed", "ns_per_run", t, "ns")
        add_csv("anatomy", st, "listed", "bind_vs_none", b, "ratio")
        if st != "ring_only":
            prev = t[0]
    w("")

# ---------------------------------------------------------------- auditd
ad = c_get("auditd", "getppid", "ns")
if ad or get("cost", "auditd", "all", "unavailable"):
    w("## 4. Peer: auditd `-a always,exit -F arch=b64 -S bind` (run last)")
    w("")
    w("Once auditd has enabled the kernel's audit, every task created afterwards is audited at "
      "every syscall until reboot. So auditd ran in rounds of its own at the end of the run, "
      "interleaved with \"nothing attached, after auditd\" (whose new tasks are audited too); "
      "the last column compares with the clean \"nothing attached\" of section 1 (medians of "
      "different rounds: a coarser figure).")
    w("")
    w("| loop | auditd vs nothing attached after auditd (same rounds) | auditd vs clean nothing attached (medians) | nothing attached after auditd vs clean (medians) |")
    w("|---|---|---|---|")
    for key, job, metric, name in ROWS:
        if "listed" in key and "unlisted" not in key:
            continue
        a = vs_none("auditd", job, metric, ref="none-audited")
        if a is None:
            continue
        am, nm, nam = med("auditd", job, metric), med("none", job, metric), med("none-audited", job, metric)
        w("| %s | %s | %s | %s |" % (name, fmt(a), "%.2fx" % (am / nm) if nm else "n/a",
                                     "%.2fx" % (nam / nm) if nm else "n/a"))
        add_csv("auditd", "auditd", key, "vs_none_audited", a, "ratio")
        if nm:
            add_csv("auditd", "auditd", key, "vs_clean_none_medians", (am / nm,) * 3 + (1,), "ratio")
            add_csv("auditd", "none-audited", key, "vs_clean_none_medians", (nam / nm,) * 3 + (1,), "ratio")
    dc = summ(list(get("cost", "auditd", "all", "daemon_cpu_ns_per_bind").values()))
    if dc:
        w("")
        w("auditd's work off the binding thread (auditd + kauditd CPU time per bind, 10 ms ticks "
          "over a round's auditd session): %.0f ns [%.0f..%.0f]." % dc[:3])
        add_csv("auditd", "auditd", "all", "daemon_cpu_ns_per_bind", dc, "ns")
    w("")
# ---------------------------------------------------------------- storm
storm_cfgs = sorted(set(k[2] for k in raw if k[0] == "storm"),
                    key=lambda c: (c.split("-")[0], int(c.split("-")[1]), -int(c.split("-")[2]) if c.split("-")[2] != "0" else -10**12))
if storm_cfgs:
    w("## 5. Storm: both CPUs binding listed UDP ports (686, 886)")
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
    w("## 6. Formats (one core, bench/fmtbench.c: one fixed record formatted N times)")
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
    w("## 7. Footprint (ghostport run --source cgroup, default list and ring)")
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
    v = "met" if met else ("**missed**" if met is not None else "not measured")
    targets.append((target, measured, v, why))
    csv_rows.append(["target", target, "", "", measured, "", "", "", v.strip("*")])


def pct_over(x, limit):
    return "by %.2fx (%.2fx for %.2fx)" % (x - limit, x, limit)


GP = ("gp-audit", "gp-enforce")
progs = {}
for (sec, var, kind, name), _ in raw.items():
    if sec == "progcost" and not name.endswith(".runs_per_bind"):
        progs.setdefault(var, set()).add(name)
tp = sorted(n for n in progs.get("gp-audit", set()) | progs.get("gp-enforce", set())
            if "sys_exit" in n or "sys_enter" in n)

if cost_ok:
    # (a) the syscall tax
    g = {v: vs_none(v, "getppid", "ns") for v in GP}
    fl = vs_none("floor", "getppid", "ns")
    worst = max((s[0] for s in g.values() if s), default=None)
    if worst is not None:
        if worst <= 1.01:
            why = ""
        elif tp:
            why = ("a syscall tracepoint program is attached (%s): while any syscall tracepoint is "
                   "attached every task's every syscall takes the slow path; the bare hook, which "
                   "attaches the same tracepoint with a program that does nothing, costs %s. "
                   "getppid() none %.0f ns, ghostport audit %.0f ns" % (
                       ", ".join(tp), fmt(fl), med("none", "getppid", "ns"), med("gp-audit", "getppid", "ns")))
        else:
            why = ("no syscall tracepoint attached (bpf_stats lists none); the getppid() loop is "
                   "%.0f ns vs %.0f: see the spread" % (med("gp-audit", "getppid", "ns"), med("none", "getppid", "ns")))
        t_row("cheap syscall (getppid) with ghostport running <= 1.01x of none (cgroup mode)",
              "audit %s, enforce %s" % (fmt(g["gp-audit"]), fmt(g["gp-enforce"])),
              worst <= 1.01, ("missed " + pct_over(worst, 1.01) + ": " + why) if why else "")
    # (b) unlisted bind
    rows = [(v, c, vs_none(v, c + "-unlisted", "bind_ns")) for v in GP for c in CONFIGS]
    rows = [x for x in rows if x[2]]
    if rows:
        v0, c0, s0 = max(rows, key=lambda x: x[2][0])
        added = (med("gp-audit", "tcp-1-unlisted", "bind_ns") or 0) - (med("none", "tcp-1-unlisted", "bind_ns") or 0)
        pb = per_bind.get(("gp-audit", "unlisted"))
        why = ""
        if s0[0] > 1.05:
            why = "missed %s. " % pct_over(s0[0], 1.05)
            if pb is not None:
                why += ("An unlisted TCP bind() takes %.0f ns more than with nothing attached (1 thread); "
                        "ghostport's programs run %.0f ns of it (bpf_stats: %s)" % (
                            added, pb, ", ".join("%s %.0f" % (n, get("progcost", "gp-audit", "unlisted", n).get("0", 0))
                                                 for n in sorted(progs.get("gp-audit", ())) if get("progcost", "gp-audit", "unlisted", n))))
                if tp:
                    why += "; the rest is the attach points' dispatch and the syscall tracepoint's slow syscall entry/exit (the bare hook alone costs %s)" % fmt(vs_none("floor", "tcp-1-unlisted", "bind_ns"))
        t_row("unlisted bind() <= 1.05x of none (cgroup mode)",
              "worst: %s %s %s; all: %s" % (VAR_NAME[v0], CFG_NAME[c0], fmt(s0),
                                           ", ".join("%s %s %.2f" % ("audit" if v == "gp-audit" else "enforce", c, s[0]) for v, c, s in rows)),
              s0[0] <= 1.05, why)
    t_row("unlisted bind() <= 1.02x of none (fentry mode)", "this host refuses trampolines (fentry): "
          "see the VM part, build/bench/vm-results.md (`bench/run.sh --vm`)", None,
          "no fentry on this kernel")
    # (c) listed vs unlisted
    rows = [(c, lvu.get(("gp-audit", c))) for c in CONFIGS]
    rows = [x for x in rows if x[1]]
    if rows:
        c0, s0 = max(rows, key=lambda x: x[1][0])
        why = ""
        if s0[0] > 1.5:
            add = (med("gp-audit", "tcp-1-listed", "bind_ns") or 0) - (med("gp-audit", "tcp-1-unlisted", "bind_ns") or 0)
            pl, pu = per_bind.get(("gp-audit", "listed")), per_bind.get(("gp-audit", "unlisted"))
            why = "missed %s. " % pct_over(s0[0], 1.5)
            if pl is not None and pu is not None:
                parts = []
                for n in sorted(progs.get("gp-audit", ())):
                    a = get("progcost", "gp-audit", "listed", n).get("0", 0) * get("progcost", "gp-audit", "listed", n + ".runs_per_bind").get("0", 0)
                    b = get("progcost", "gp-audit", "unlisted", n).get("0", 0) * get("progcost", "gp-audit", "unlisted", n + ".runs_per_bind").get("0", 0)
                    if a - b > 5:
                        parts.append("%s +%.0f ns" % (n, a - b))
                why += ("A listed TCP bind() takes %.0f ns more than an unlisted one under ghostport (1 thread); "
                        "the programs account for +%.0f ns of it (bpf_stats: %s); the rest is outside "
                        "the programs (wake-ups, the reader)" % (add, pl - pu, ", ".join(parts)))
                steps = []
                prev = None
                for st, name in STAGES[:7]:
                    t = summ(list(get("anatomy", st, "listed", "ns_per_run").values()))
                    if t and prev is not None:
                        steps.append("%s %+.0f" % (name.lstrip("+ ").split(":")[0].split(" (")[0], t[0] - prev))
                    if t:
                        prev = t[0]
                if steps:
                    why += ". Section 3b, ns per step: " + "; ".join(steps)
        t_row("listed bind() <= 1.5x unlisted (ghostport cgroup audit)",
              "worst %s %s; all: %s" % (CFG_NAME[c0], fmt(s0), ", ".join("%s %.2f" % (c, s[0]) for c, s in rows)),
              s0[0] <= 1.5, why)
    # (d) socket+bind+close, for the record
    sb = [(c, vs_none("gp-audit", c + "-unlisted", "cpu_ns")) for c in CONFIGS]
    sb = [x for x in sb if x[1]]
    if sb:
        csv_rows.append(["info", "socket+bind+close unlisted, audit vs none", "", "",
                         " ".join("%s %.3f" % (c, s[0]) for c, s in sb), "", "", "", ""])

if storm_cfgs:
    d = get("storm", "json", "json-4194304-0", "drops").get("0")
    bal = all(get("storm", c.split("-")[0], c, "balanced").get("0", 0) == 1 for c in storm_cfgs)
    rate = get("storm", "json", "json-4194304-0", "rate").get("0", 0)
    if d is not None:
        rc = get("storm", "json", "json-4194304-0", "reader_cpu_ns_per_event").get("0") or 0
        t_row("storm: events + drops = binds exactly, 0 drops at full speed on both CPUs (default 4 MiB ring)",
              "%d drops at %.0f binds/s; events+drops = binds in %s" % (d, rate, "every run" if bal else "NOT every run"),
              d == 0 and bal, "" if (d == 0 and bal) else
              "the reader costs %.1f us of CPU per event (storm, json) and gets a share of two busy CPUs; "
              "see the highest zero-drop rate per ring size" % (rc / 1000))

if fm:
    eps = summ(list(get("formats", "json", "all", "events_per_s").values()))
    rdr = get("storm", "json", "json-4194304-0", "reader_cpu_ns_per_event").get("0")
    if eps:
        t_row(">= 1M events/s per core for json (formatter)",
              "formatter %.2fM/s [%.2f..%.2f]%s" % (eps[0] / 1e6, eps[1] / 1e6, eps[2] / 1e6,
                                                  "; whole reader (ring+decode+format+write, storm) %.2fM/s" % (1e3 / rdr) if rdr else ""),
              eps[0] >= 1e6,
              "" if eps[0] >= 1e6 else "formatter below 1M/s on this core (see instructions/event, which does not depend on the machine's load)")

if ad:
    a = vs_none("auditd", "tcp-1-unlisted", "bind_ns", ref="none-audited")
    gp = vs_none("gp-audit", "tcp-1-unlisted", "bind_ns")
    t_row("peer: auditd bind rule (for comparison)",
          "TCP bind(), 1 thread: auditd %s of none-after-auditd; ghostport audit %s of none; "
          "getppid after auditd ran: %.2fx of the clean run's" % (
              fmt(a), fmt(gp), (med("none-audited", "getppid", "ns") or 0) / (med("none", "getppid", "ns") or 1)),
          None if a is None else (gp is not None and gp[0] < a[0]),
          "auditd audits every bind and, once run, every syscall of every new task until reboot")
bsn = [n for n in notes if "bindsnoop" in n]
if bsn:
    targets.append(("peer: libbpf-tools bindsnoop", bsn[0], "not measured here", "see the VM part"))

out = ["# ghostport benchmarks", "", md[2], "", md[4], "", "## Targets (issue 16)", "",
       "| target | measured | verdict | why |", "|---|---|---|---|"]
for t in targets:
    out.append("| %s | %s | %s | %s |" % t)
out.append("")
out += md[5:]
if notes:
    out += ["## Notes from the run", ""] + ["- " + n for n in notes] + [""]
open(os.path.join(D, "results.md"), "w").write("\n".join(out) + "\n")
with open(os.path.join(D, "results.csv"), "w", newline="") as f:
    wr = csv.writer(f)
    wr.writerow(["section", "variant", "config", "metric", "median", "min", "max", "n", "unit"])
    wr.writerows(csv_rows)
print("\n".join(out))
