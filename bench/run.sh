#!/bin/bash
# ghostport benchmarks (issues 8 and 16): `make bench` runs this after building.
#
#   bench/run.sh [--rounds N] [--iters N] [--quick] [--only LIST] [--no-auditd]
#   bench/run.sh --vm [--kernel 6.1|6.12]
#
# Everything is measured against NOTHING attached, on the same loops, in
# interleaved rounds (the machine is noisy: ratios within a round only).
# Sections (--only takes a comma list of them):
#   cost     per round, every variant in random order: none / ghostport
#            cgroup audit / ghostport cgroup enforce / bare hook (allow-only
#            programs on the same hooks: a secondary breakdown); under each:
#            getppid() (what every other process pays per syscall), the
#            bind() call on an unlisted and a listed port, socket+bind+close;
#            TCP and UDP, 1 and 2 threads
#   progcost each BPF program's own cost (kernel.bpf_stats_enabled)
#   anatomy  where a listed bind's time goes (cgroup mode): its steps as
#            cumulative allow-only programs (bench/anatomy.bpf.c), bpf_stats
#   storm    both CPUs binding listed ports, several ring sizes
#   formats  formatter events/s per core, instructions/event (callgrind)
#   footprint daemon RSS, BPF map memory, program sizes, module size
#   scan     the squatter scan over 10 000 sockets (bench/scanbench.c)
#   peers    libbpf-tools bindsnoop (runs only where kprobes work: the VM)
#   auditd   auditd with `-a always,exit -S bind`, in its own rounds, LAST:
#            once the kernel's audit was enabled, every task created after
#            is audited until reboot (all syscalls slower, machine-wide)
# Results: build/bench/results.md, build/bench/results.csv (raw samples in
# build/bench/raw.tsv).  Method: docs/bench.md.
#
# Takes /tmp/gp-host.lock (it runs ghostport on the host) unless the caller
# holds it already (flock /tmp/gp-host.lock bench/run.sh works too).
#
# --vm runs the emulated part instead (fentry/kprobe/cgroup/kmod and
# bindsnoop, in the qemu guest of tests/vm): build/bench/vm-results.md.
#
# Environment: GP_BENCH_ROUNDS (9), GP_BENCH_ITERS (4000 per thread),
# GP_BENCH_STORM_SECS (2), GP_BENCH_AUDITD=0 (same as --no-auditd),
# GP_BENCH_DIR (build/bench: where the results go).
# The whole script is one brace group, read before it runs: editing this
# file during a run (a long one) cannot change what the run executes.
{
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
B=${GP_BENCH_DIR:-$ROOT/build/bench}
GP=$ROOT/build/ghostport
ROUNDS=${GP_BENCH_ROUNDS:-9}
ITERS=${GP_BENCH_ITERS:-4000}
STORM_SECS=${GP_BENCH_STORM_SECS:-2}
GETPPID_N=300000	# getppid() calls per loop (batches of 1000)
ONLY=cost,progcost,anatomy,storm,formats,footprint,scan,peers,auditd
[ "${GP_BENCH_AUDITD:-1}" = 0 ] && ONLY=${ONLY%,auditd}
VM=0
VM_KERNEL=6.12
UNLISTED=40000		# not a ghost port (tcp and udp)
LISTED=686,886		# ghost ports in the default list (tcp and udp)

while [ $# -gt 0 ]; do
	case $1 in
		--rounds) ROUNDS=$2; shift 2;;
		--iters) ITERS=$2; shift 2;;
		--quick) ROUNDS=2; ITERS=2000; STORM_SECS=1; shift;;
		--only) ONLY=$2; shift 2;;
		--no-auditd) ONLY=$(sed 's/\(^\|,\)auditd//' <<< "$ONLY"); shift;;
		--vm) VM=1; shift;;
		--kernel) VM_KERNEL=$2; shift 2;;
		-h|--help) sed -n '2,34p' "$0"; exit 0;;
		*) echo "bench: unknown argument '$1'" >&2; exit 2;;
	esac
done
want() { case ,$ONLY, in *,$1,*) return 0;; esac; return 1; }
log() { echo "bench: [$(date +%T)] $*" >&2; }
kv() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<< "$2" | head -n1; }	# key line -> value

mkdir -p "$B"
TMP=$(mktemp -d /tmp/gp-bench.XXXXXX)
RAW=$B/raw.tsv
NOTES=$B/notes.txt

# ---- build ------------------------------------------------------------------
build() {
	local cflags="-O2 -g -Wall -Wextra -Wno-unused-parameter"
	gcc $cflags -o "$B/bindloop" bench/bindloop.c -lpthread || return 1
	gcc $cflags -o "$B/progstats" bench/progstats.c -lbpf || return 1
	clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
		-Ibpf/vmlinux/x86 -Iinclude -Ibpf -c bench/anatomy.bpf.c -o "$B/anatomy.tmp.o" &&
	bpftool gen object "$B/anatomy.bpf.o" "$B/anatomy.tmp.o" &&
	bpftool gen skeleton "$B/anatomy.bpf.o" name anatomy_bpf > "$B/anatomy.skel.h" &&
	gcc $cflags -I"$B" -o "$B/anatomy" bench/anatomy.c -lbpf -lelf -lz || return 1
	rm -f "$B/anatomy.tmp.o"
	clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
		-Ibpf/vmlinux/x86 -Iinclude -Ibpf -c bench/floor.bpf.c -o "$B/floor.tmp.o" &&
	bpftool gen object "$B/floor.bpf.o" "$B/floor.tmp.o" &&
	bpftool gen skeleton "$B/floor.bpf.o" name floor_bpf > "$B/floor.skel.h" &&
	gcc $cflags -I"$B" -o "$B/floor" bench/floor.c -lbpf -lelf -lz || return 1
	rm -f "$B/floor.tmp.o"
	# The formatter bench links the project's library: if the library's
	# interface moved, the formats section says so instead of failing all.
	if ! gcc -O2 -g -D_GNU_SOURCE -Iinclude -Iuserspace -Ibuild/gen \
		-o "$B/fmtbench" bench/fmtbench.c build/libghostport.a \
		-lbpf -lelf -lz -lyaml -lssl -lcrypto -lpthread -lcap-ng \
		> "$TMP/fmtbench-build.log" 2>&1; then
		rm -f "$B/fmtbench"
		log "fmtbench did not build (see $B/fmtbench-build.log)"
		cp "$TMP/fmtbench-build.log" "$B/fmtbench-build.log"
	fi
	return 0
}

if [ $VM = 1 ]; then
	exec "$ROOT/bench/vm.sh" --kernel "$VM_KERNEL"
fi

if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root (BPF, cgroup attach, auditd)" >&2
	exit 1
fi
[ -x "$GP" ] || { echo "bench: $GP missing: run make first" >&2; exit 1; }

# The host lock: this runs ghostport on the host (cgroup root attach, pins,
# the run lock).  A caller that holds it already (flock FILE cmd) passed us
# the descriptor: taking it again on a new one would wait for ourselves.
LOCK=/tmp/gp-host.lock
held=0
for f in /proc/$$/fd/*; do [ "$(readlink "$f" 2>/dev/null)" = $LOCK ] && held=1; done
if [ $held = 0 ]; then
	exec 9>> $LOCK
	flock -n 9 || { log "waiting for $LOCK (another host test or bench)"; flock 9; }
fi

build || { echo "bench: building the bench programs failed" >&2; exit 1; }

# ---- state to restore ---------------------------------------------------------
STATS_ORIG=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
CHILD=""		# the pid of a variant we started (ghostport, floor, auditd)
AUDITD_PID=""
cleanup() {
	stop_pid "$CHILD"
	auditd_stop
	sysctl -qw kernel.bpf_stats_enabled="$STATS_ORIG" 2>/dev/null
	rm -rf "$TMP"
}
trap 'cleanup; exit 130' INT TERM
trap cleanup EXIT
stats() { sysctl -qw kernel.bpf_stats_enabled="$1"; }

: > "$RAW"
: > "$NOTES"
note() { echo "$*" >> "$NOTES"; log "note: $*"; }
raw() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RAW"; }	# section variant config round metric value

# Has the kernel's audit been enabled since boot?  Then every task created
# since is audited at syscall entry and exit (until reboot), which slows
# every syscall machine-wide and hides a tool's own syscall tax.  auditd_start
# leaves a marker in /run (a tmpfs: gone at reboot); auditctl -s and the
# kernel log catch the rest.
AUDIT_MARK=/run/gp-bench-audit-enabled
audit_ever() {
	[ -e $AUDIT_MARK ] && [ "$(cat $AUDIT_MARK)" = "$(cat /proc/sys/kernel/random/boot_id)" ] && return 0
	command -v auditctl > /dev/null && auditctl -s 2>/dev/null | grep -q '^enabled [12]' && return 0
	dmesg 2>/dev/null | grep -q 'audit_enabled=1' && return 0
	return 1
}
# ---- variants -------------------------------------------------------------------
CGROOT=/sys/fs/cgroup/unified
[ -d $CGROOT ] && [ "$(stat -fc %T $CGROOT)" = cgroup2fs ] || CGROOT=/sys/fs/cgroup

prog_ids() { bpftool prog show --json 2>/dev/null | jq -r '.[].id' | sort; }	# comm(1) order
# Programs attached to the cgroup root that are not ours (another helper's
# test run): they would add their cost to every variant, "none" included.
foreign_hooks() { bpftool cgroup show "$CGROOT" 2>/dev/null | awk 'NR > 1' | wc -l; }

# Stop a child we started: SIGTERM (a background job of a script starts with
# SIGINT ignored, so a SIGINT sent before its handler is installed is lost),
# then SIGKILL after 15 s; never an unbounded wait.
stop_pid() {
	local p=$1 i
	[ -n "$p" ] || return 0
	kill -TERM "$p" 2>/dev/null
	for i in $(seq 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$p" 2>/dev/null; then
		log "pid $p did not stop on SIGTERM in 15 s: SIGKILL"
		kill -KILL "$p" 2>/dev/null
	fi
	wait "$p" 2>/dev/null
}

GP_IDS=""
# The measured configuration is the command line's, not /etc/ghostport's.
NOCONFIG=""
"$GP" run --help 2>&1 | grep -q -- --no-config && NOCONFIG=--no-config
# ghostport run in the cgroup mode; extra args follow.  Waits for "ready";
# retries while another ghostport run holds the lock.
gp_start() {
	local tries=0 before
	while :; do
		before=$(prog_ids)
		# Empty the logs first: the background job truncates them only
		# when it starts, and a stale "ready" from the previous run would
		# start the loop before this reader is attached.
		: > "$TMP/gp.out"; : > "$TMP/gp.err"
		"$GP" run --source cgroup --no-pin $NOCONFIG "$@" > "$TMP/gp.out" 2> "$TMP/gp.err" &
		CHILD=$!
		local i
		for i in $(seq 1200); do
			grep -q "ghostport: ready" "$TMP/gp.err" && break
			kill -0 "$CHILD" 2>/dev/null || break
			sleep 0.05
		done
		if grep -q "ghostport: ready" "$TMP/gp.err"; then
			if grep -q adopted "$TMP/gp.err"; then
				note "ghostport adopted a pinned instance: its figures are that instance's"
			fi
			GP_IDS=$(comm -13 <(echo "$before") <(prog_ids) | tr '\n' ' ')
			return 0
		fi
		stop_pid "$CHILD"; CHILD=""
		if grep -q "another ghostport run" "$TMP/gp.err" && [ $tries -lt 90 ]; then
			[ $tries = 0 ] && log "another ghostport run is active; waiting for it"
			tries=$((tries + 1)); sleep 2; continue
		fi
		log "ghostport run did not start: $(tr '\n' ' ' < "$TMP/gp.err")"
		return 1
	done
}
# Stops it; leaves the summary's figures in GPS_* and the output in gp.out.
# Reads both summary layouts: one line with delivered=/undelivered=, or a
# summary line plus one "output FMT@DEST delivered= dropped= errors=" line.
gp_stop() {
	stop_pid "$CHILD"; CHILD=""
	local s o
	s=$(grep "ghostport: summary" "$TMP/gp.err" | tail -n1)
	o=$(grep "ghostport: output " "$TMP/gp.err" | tail -n1)
	GPS_EVENTS=$(kv events "$s")
	GPS_DROPS=$(kv drops "$s")
	GPS_MISSES=$(kv misses "$s")
	GPS_DELIVERED=$(kv delivered "$s"); [ -n "$GPS_DELIVERED" ] || GPS_DELIVERED=$(kv delivered "$o")
	GPS_UNDELIVERED=$(kv undelivered "$s")
	if [ -z "$GPS_UNDELIVERED" ]; then
		local d e
		d=$(kv dropped "$o"); e=$(kv errors "$o")
		GPS_UNDELIVERED=$(( ${d:-0} + ${e:-0} ))
	fi
	: "${GPS_EVENTS:=0}" "${GPS_DROPS:=0}" "${GPS_MISSES:=0}" "${GPS_DELIVERED:=0}"
}
floor_start() {
	: > "$TMP/floor.err"
	"$B/floor" --mode "${1:-cgroup}" ${FLOOR_SET:+--cgroup-progs "$FLOOR_SET"} 2> "$TMP/floor.err" &
	CHILD=$!
	local i before
	for i in $(seq 100); do
		grep -q "floor: ready" "$TMP/floor.err" && return 0
		kill -0 "$CHILD" 2>/dev/null || break
		sleep 0.05
	done
	log "floor did not start: $(cat "$TMP/floor.err")"
	stop_pid "$CHILD"; CHILD=""
	return 1
}
floor_stop() { stop_pid "$CHILD"; CHILD=""; }

AUDIT_RULE=(-a always,exit -F arch=b64 -S bind -k gpbench)
auditd_ok=1
auditd_start() {
	command -v auditd > /dev/null || { auditd_ok=0; return 1; }
	mkdir -p "$TMP/audit"
	# A private configuration: the log in our tmp dir, bounded in size.
	cat > "$TMP/audit/auditd.conf" <<-EOF
	local_events = yes
	write_logs = yes
	log_file = $TMP/audit/audit.log
	log_format = ENRICHED
	flush = INCREMENTAL_ASYNC
	freq = 50
	max_log_file = 64
	num_logs = 2
	max_log_file_action = ROTATE
	space_left = 75
	space_left_action = IGNORE
	admin_space_left = 50
	admin_space_left_action = IGNORE
	disk_full_action = IGNORE
	disk_error_action = IGNORE
	EOF
	chmod 600 "$TMP/audit/auditd.conf"
	echo "$(cat /proc/sys/kernel/random/boot_id)" > $AUDIT_MARK
	auditd -n -c "$TMP/audit" > "$TMP/auditd.log" 2>&1 &
	AUDITD_PID=$!
	local i
	for i in $(seq 100); do
		auditctl -s 2>/dev/null | grep -q "^pid $AUDITD_PID" && break
		kill -0 "$AUDITD_PID" 2>/dev/null || break
		sleep 0.05
	done
	if ! auditctl -s 2>/dev/null | grep -q "^pid $AUDITD_PID"; then
		auditd_ok=0
		note "auditd could not run here: $(tr '\n' ' ' < "$TMP/auditd.log" | cut -c1-200)"
		kill "$AUDITD_PID" 2>/dev/null; wait "$AUDITD_PID" 2>/dev/null; AUDITD_PID=""
		return 1
	fi
	# Debian's stock rules file (audit.rules) sets -b 8192; the kernel's
	# default backlog of 64 would make binds wait for kauditd.
	AUDIT_BACKLOG_ORIG=$(auditctl -s | awk '/^backlog_limit/{print $2}')
	auditctl -b 8192 > /dev/null
	auditctl "${AUDIT_RULE[@]}" > /dev/null || { auditd_stop; auditd_ok=0; return 1; }
	return 0
}
auditd_stop() {
	[ -n "$AUDITD_PID" ] || return 0
	auditctl -d always,exit -F arch=b64 -S bind -k gpbench > /dev/null 2>&1
	stop_pid "$AUDITD_PID"
	AUDITD_PID=""
	auditctl -e 0 > /dev/null 2>&1
	[ -n "${AUDIT_BACKLOG_ORIG:-}" ] && auditctl -b "$AUDIT_BACKLOG_ORIG" > /dev/null 2>&1
}
# CPU ticks of the daemons doing a variant's work off the binding threads:
# auditd and kauditd for auditd, the reader for ghostport.
daemon_ticks() {
	local p t=0
	case $1 in
		auditd) for p in $AUDITD_PID $(pgrep -x kauditd); do
				t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0)))
			done;;
		gp-*) t=$(awk '{print $14 + $15}' /proc/$CHILD/stat 2>/dev/null || echo 0);;
	esac
	echo $t
}

get_raw() { # section variant config round metric -> value (0 if none)
	awk -F'\t' -v s="$1" -v v="$2" -v c="$3" -v r="$4" -v m="$5" \
		'$1 == s && $2 == v && $3 == c && $4 == r && $5 == m { x = $6 } END { print x + 0 }' "$RAW"
}
variant_start() {
	case $1 in
		none|none-audited) return 0;;
		floor) floor_start cgroup;;
		gp-audit) gp_start --format json;;
		gp-enforce) gp_start --format json --enforce --deny-with cgroup;;
		auditd) auditd_start;;
	esac
}
variant_stop() {
	case $1 in
		none|none-audited) ;;
		floor) floor_stop;;
		gp-*) gp_stop;;
		auditd) auditd_stop;;
	esac
}

# bindloop ARGS: runs it, echoes its key=value line
loop() { "$B/bindloop" "$@" 2>> "$TMP/bindloop.err"; }

CONFIGS="tcp-1 udp-1 tcp-2 udp-2"
cfg_args() { # tcp-1 -> bindloop args
	local p=${1%-*} t=${1#*-}
	echo "-t $t $([ "$p" = udp ] && echo -u)"
}
shuffle() { local x; for x in "$@"; do echo "$RANDOM $x"; done | sort -n | cut -d' ' -f2; }

# The loops of one variant in one round (random order), as raw rows:
#   cost V getppid R ns|cpu_ns          a cheap syscall, one thread
#   cost V CFG-unlisted|listed R bind_ns|bind_p50_ns|outliers|cpu_ns|wall_ns|binds|errors
#   cost V CFG-socket R cpu_ns          socket+close (no bind)
# bind_ns is the bind() call alone; cpu_ns/wall_ns a socket+bind+close.
# $1 variant, $2 round, $3 iterations per thread, $4 "nolisted" to skip
# the listed port (auditd: its rule does not tell ports apart).
run_loops() {
	local v=$1 r=$2 n=$3 skip=${4:-} out c k port job jobs=""
	jobs="getppid"
	for c in $CONFIGS; do
		jobs="$jobs $c-unlisted $c-socket"
		[ "$skip" = nolisted ] || jobs="$jobs $c-listed"
	done
	for job in $(shuffle $jobs); do
		if [ $job = getppid ]; then
			out=$(loop -g -n $GETPPID_N)
			raw cost "$v" getppid "$r" ns "$(kv ns_per_op "$out")"
			raw cost "$v" getppid "$r" cpu_ns "$(kv cpu_ns_per_op "$out")"
			continue
		fi
		c=${job%-*}; k=${job##*-}
		case $k in
		socket)
			out=$(loop $(cfg_args "$c") -n "$n" -P $UNLISTED -s)
			raw cost "$v" "$job" "$r" cpu_ns "$(kv cpu_ns_per_op "$out")";;
		*)
			port=$UNLISTED; [ $k = listed ] && port=$LISTED
			out=$(loop $(cfg_args "$c") -n "$n" -P $port)
			local m
			for m in bind_ns bind_p50_ns; do
				raw cost "$v" "$job" "$r" $m "$(kv $m "$out")"
			done
			raw cost "$v" "$job" "$r" outliers "$(kv bind_outliers "$out")"
			raw cost "$v" "$job" "$r" cpu_ns "$(kv cpu_ns_per_op "$out")"
			raw cost "$v" "$job" "$r" wall_ns "$(kv ns_per_op "$out")"
			raw cost "$v" "$job" "$r" binds "$(kv calls "$out")"
			raw cost "$v" "$job" "$r" errors "$(kv errors "$out")";;
		esac
	done
}

# ---- machine --------------------------------------------------------------------
AUDIT_BEFORE=0; audit_ever && AUDIT_BEFORE=1
{
	echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
	echo "nproc=$(nproc)"
	echo "model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
	echo "kernel=$(uname -r)"
	echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "commit=$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- bpf userspace include 2>/dev/null || echo +dirty)"
	echo "rounds=$ROUNDS"
	echo "iters=$ITERS"
	echo "audit_before=$AUDIT_BEFORE"
	echo "uptime_s=$(cut -d. -f1 /proc/uptime)"
} > "$B/machine.txt"
[ $AUDIT_BEFORE = 1 ] && note "the kernel's audit was enabled earlier on this boot (auditd ran): every task is audited until reboot, every syscall is slower machine-wide, and a tool's own syscall tax is partly hidden; the syscall figures of this run are not those of a clean boot"
T_START=$(date +%s)

# ---- 1. cost against nothing attached ----------------------------------------------
# The bare hook mirrors the programs the ghostport under test attaches
# (issue 16 changes that set): read it from a short ghostport run.
FLOOR_SET=""
if want cost || want progcost; then
	if gp_start --format json; then
		for id in $GP_IDS; do
			n=$("$B/progstats" | sed -n "s/^id=$id type=[0-9]* name=\([^ ]*\) .*/\1/p")
			n=${n#gp_}; n=${n#cgroup_}
			case ,bind4,bind6,post_bind4,post_bind6,sys_exit_bind,sock_release,sock_create, in
				*,$n,*) FLOOR_SET=$FLOOR_SET${FLOOR_SET:+,}$n;;
				*) note "ghostport attaches $n, which the bare hook has no twin for";;
			esac
		done
		gp_stop
		echo "gp_programs=$FLOOR_SET" >> "$B/machine.txt"
	fi
fi
if want cost; then
	stats 0
	variants="none gp-audit gp-enforce floor"
	for r in $(seq "$ROUNDS"); do
		order=$(shuffle $variants | tr '\n' ' ')
		log "round $r/$ROUNDS: $order"
		raw meta all all "$r" foreign_hooks "$(foreign_hooks)"
		for v in $order; do
			variant_start $v || { raw cost "$v" all "$r" unavailable 1; continue; }
			run_loops "$v" "$r" "$ITERS"
			if [ $v = gp-audit ]; then
				gp_stop
				ours=$(grep -c '"comm":"bindloop"' "$TMP/gp.out")
				raw event gp-audit total "$r" events "$GPS_EVENTS"
				raw event gp-audit total "$r" drops "$GPS_DROPS"
				raw event gp-audit total "$r" delivered "$GPS_DELIVERED"
				raw event gp-audit total "$r" delivered_bindloop "$ours"
				raw event gp-audit total "$r" undelivered "$GPS_UNDELIVERED"
			else
				variant_stop $v
			fi
		done
	done
fi
log "cost done after $(( $(date +%s) - T_START )) s"

# ---- 2. per-program cost ------------------------------------------------------------
# run_time_ns/run_cnt deltas of each program over a loop, with stats on.
prog_stats() { # ids... -> "name run_time_ns run_cnt" lines
	local id
	"$B/progstats" | while read -r line; do
		id=$(kv id "$line")
		case " $* " in *" $id "*) echo "$(kv name "$line") $(kv run_time_ns "$line") $(kv run_cnt "$line")";; esac
	done
}
progcost() { # variant ids...
	local v=$1; shift
	local kind port out binds
	for kind in unlisted listed getppid; do
		port=$UNLISTED; [ $kind = listed ] && port=$LISTED
		prog_stats "$@" > "$TMP/ps.a"
		if [ $kind = getppid ]; then
			out=$(loop -g -n 100000); binds=100000
		else
			out=$(loop -t 1 -n "$ITERS" -P "${port%%,*}")
			binds=$(kv calls "$out")
		fi
		prog_stats "$@" > "$TMP/ps.b"
		join <(sort "$TMP/ps.a") <(sort "$TMP/ps.b") | while read -r name t0 c0 t1 c1; do
			[ $((c1 - c0)) -gt 0 ] || continue
			raw progcost "$v" "$kind" 0 "$name" "$(awk -v t=$((t1 - t0)) -v c=$((c1 - c0)) 'BEGIN{printf "%.1f", t/c}')"
			raw progcost "$v" "$kind" 0 "$name.runs_per_bind" "$(awk -v c=$((c1 - c0)) -v b=$binds 'BEGIN{printf "%.3f", c/b}')"
		done
	done
}
if want progcost; then
	stats 1
	for v in gp-audit gp-enforce floor; do
		variant_start $v || continue
		if [ $v = floor ]; then
			ids=$("$B/progstats" | grep 'name=fl_' | sed 's/^id=\([0-9]*\).*/\1/' | tr '\n' ' ')
			progcost floor $ids
			floor_stop
		else
			progcost $v $GP_IDS
			gp_stop
		fi
	done
	stats 0
fi
log "progcost done"

# ---- 2b. anatomy of a listed bind -------------------------------------------------
# bench/anatomy.bpf.c: the cgroup mode's listed-port work in cumulative
# stages, each attached alone; bpf_stats per stage (the differences are the
# steps' costs) and the bind() call under each.
if want anatomy; then
	stats 1
	"$B/anatomy" "$B/bindloop" "$(( ROUNDS < 5 ? ROUNDS : 5 ))" "$ITERS" 2> "$TMP/anatomy.err" |
	while read -r line; do
		st=$(kv stage "$line"); r=$(kv round "$line")
		raw anatomy "$st" listed "$r" ns_per_run "$(kv ns_per_run "$line")"
		raw anatomy "$st" listed "$r" bind_ns "$(kv bind_ns "$line")"
	done
	[ -s "$TMP/anatomy.err" ] && note "anatomy: $(head -c 300 "$TMP/anatomy.err")"
	stats 0
fi

# ---- 3. storm ---------------------------------------------------------------------
# Both CPUs bind listed ports (UDP, the cheaper bind: the higher rate) for
# STORM_SECS.  Every bind() call is one event or one drop: checked.
storm_run() { # ring_size rate(0=max) fmt -> raw rows; sets S_DROPS S_RATE
	local ring=$1 rate=$2 fmt=${3:-json} out calls ours foreign ok pid u0 u1
	gp_start --format "$fmt" --ring-size "$ring" || return 1
	pid=$CHILD
	u0=$(awk '{print $14 + $15}' /proc/$pid/stat)
	out=$(loop -t 2 -u -d "$STORM_SECS" -P $LISTED $([ "$rate" != 0 ] && echo "-r $rate"))
	sleep 0.2
	u1=$(awk '{print $14 + $15}' /proc/$pid/stat)
	grep -E '^Vm(RSS|HWM)' /proc/$pid/status > "$TMP/storm.status"
	gp_stop
	calls=$(kv calls "$out")
	if [ "$fmt" = json ]; then
		ours=$(grep -c '"comm":"bindloop"' "$TMP/gp.out")
	else
		ours=$(grep -c 'bindloop' "$TMP/gp.out")
	fi
	foreign=$(( GPS_DELIVERED - ours ))
	ok=0; [ $((GPS_EVENTS + GPS_DROPS + GPS_MISSES)) = $((calls + foreign)) ] && ok=1
	S_DROPS=$GPS_DROPS
	S_RATE=$(kv ops_per_s "$out")
	local cfg="$fmt-$ring-$rate"
	raw storm "$fmt" "$cfg" 0 ring "$ring"
	raw storm "$fmt" "$cfg" 0 target_rate "$rate"
	raw storm "$fmt" "$cfg" 0 rate "$S_RATE"
	raw storm "$fmt" "$cfg" 0 binds "$calls"
	raw storm "$fmt" "$cfg" 0 events "$GPS_EVENTS"
	raw storm "$fmt" "$cfg" 0 drops "$GPS_DROPS"
	raw storm "$fmt" "$cfg" 0 delivered "$GPS_DELIVERED"
	raw storm "$fmt" "$cfg" 0 foreign "$foreign"
	raw storm "$fmt" "$cfg" 0 undelivered "$GPS_UNDELIVERED"
	raw storm "$fmt" "$cfg" 0 balanced "$ok"
	# The reader's CPU per event (ticks of 1/100 s): the whole path,
	# ring read + decode + format + write.
	raw storm "$fmt" "$cfg" 0 reader_cpu_ns_per_event \
		"$(awk -v t=$((u1 - u0)) -v e="$GPS_DELIVERED" -v hz="$(getconf CLK_TCK)" 'BEGIN{ if (e) printf "%.0f", t * 1e9 / hz / e; else print 0 }')"
	raw storm "$fmt" "$cfg" 0 reader_rss_kb "$(awk '/VmRSS/{print $2}' "$TMP/storm.status")"
	raw storm "$fmt" "$cfg" 0 reader_hwm_kb "$(awk '/VmHWM/{print $2}' "$TMP/storm.status")"
	cp "$TMP/gp.err" "$B/storm-last.err"
}
if want storm; then
	for ring in 16384 65536 262144 1048576 4194304; do
		log "storm ring=$ring"
		storm_run $ring 0 json || continue
		full=$S_RATE
		# Drops at full speed: find the highest paced rate without any.
		if [ "${S_DROPS:-0}" -gt 0 ]; then
			for pct in 75 50 25 10; do
				rate=$(( full * pct / 100 ))
				storm_run $ring $rate json || break
				[ "${S_DROPS:-1}" = 0 ] && break
			done
		fi
	done
	# The default ring with text output: the reader's cost per event.
	storm_run 4194304 0 text
fi

log "storm done"
# ---- 4. formats -----------------------------------------------------------------
if want formats && [ -x "$B/fmtbench" ]; then
	for r in 1 2 3; do
		"$B/fmtbench" -n 300000 | while read -r line; do
			f=$(kv format "$line")
			case $line in *unsupported*) raw formats "$f" all 0 unsupported 1; continue;; esac
			raw formats "$f" all "$r" events_per_s "$(kv events_per_s "$line")"
			raw formats "$f" all "$r" ns_per_event "$(kv ns_per_event "$line")"
			raw formats "$f" all "$r" bytes "$(kv bytes "$line")"
		done
	done
	if command -v valgrind > /dev/null; then
		for f in $("$B/fmtbench" -n 1 | grep -v unsupported | sed -n 's/format=\([^ ]*\).*/\1/p'); do
			i1=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$B/fmtbench" -n 200 "$f" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
			i2=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$B/fmtbench" -n 2200 "$f" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
			[ -n "$i1" ] && [ -n "$i2" ] && raw formats "$f" all 0 instr_per_event $(( (i2 - i1) / 2000 ))
		done
	else
		note "valgrind missing: no instructions/event"
	fi
elif want formats; then
	note "formats: bench/fmtbench.c did not build against build/libghostport.a (build/bench/fmtbench-build.log)"
fi

# ---- 5. footprint ------------------------------------------------------------------
if want footprint; then
	if gp_start --format json; then
		pid=$CHILD
		sleep 0.3
		raw footprint gp-audit idle 0 rss_kb "$(awk '/VmRSS/{print $2}' /proc/$pid/status)"
		raw footprint gp-audit idle 0 pss_kb "$(awk '/^Pss:/{print $2}' /proc/$pid/smaps_rollup 2>/dev/null)"
		maps=""
		for id in $GP_IDS; do
			bpftool prog show id "$id" --json | jq -r '"\(.name) \(.bytes_xlated) \(.bytes_jited)"' |
			while read -r name x j; do
				raw footprint prog "$name" 0 bytes_xlated "$x"
				raw footprint prog "$name" 0 bytes_jited "$j"
			done
			maps="$maps $(bpftool prog show id "$id" --json | jq -r '.map_ids[]?' | tr '\n' ' ')"
		done
		for m in $(tr ' ' '\n' <<< "$maps" | sort -un); do
			bpftool map show id "$m" --json | jq -r '"\(.name) \(.bytes_memlock // 0) \(.type)"' |
			while read -r name mem type; do
				raw footprint map "$name" 0 bytes_memlock "$mem"
			done
		done
		gp_stop
	fi
	for ko in build/kmod/*/kmod/ghostport.ko build/vm/kmod/*/kmod/ghostport.ko; do
		[ -f "$ko" ] || continue
		raw footprint kmod "$(basename "$(dirname "$(dirname "$ko")")")" 0 file_bytes "$(stat -c %s "$ko")"
		raw footprint kmod "$(basename "$(dirname "$(dirname "$ko")")")" 0 text_data_bss \
			"$(size "$ko" | awk 'NR == 2 {print $1 + $2 + $3}')"
	done
fi

# ---- 6. scan (issue 18): squatter scan over 10 000 sockets, 5 on ghost ports
if want scan; then
	if ${CC:-cc} -std=gnu11 -O2 -D_GNU_SOURCE -Iinclude -Iuserspace -Ibuild/gen -o "$B/scanbench" \
		bench/scanbench.c build/libghostport.a -lbpf -lelf -lz -lyaml -lssl -lcrypto \
		-lcap-ng -lpthread 2> "$B/scanbench-build.log" &&
		line=$("$B/scanbench" -n 10000 -r 15 --all-netns); then
		log "$line"; note "$line"
		for k in ms_median ms_min ms_max diag_ms owners_ms; do raw scan all-netns 10000 1 "$k" "$(kv "$k" "$line")"; done
	else
		note "scan: bench/scanbench.c did not build or run (build/bench/scanbench-build.log)"
	fi
fi

# ---- 7. peers: libbpf-tools bindsnoop ---------------------------------------------------
# Debian's libbpf-tools (bcc's CO-RE tools).  Its bindsnoop uses kprobes on
# inet_bind/inet6_bind, which this host kernel cannot attach (no
# CONFIG_KPROBES), and its CO-RE reads of the inet_sock bit fields (moved
# into inet_flags in 6.6) fail to relocate on 6.6+: it is tried, and why
# it could not run is recorded.  The VM part (--vm) runs it on 6.1/6.12.
if want peers; then
	BS=$B/deb/usr/sbin/bindsnoop
	if [ ! -x "$BS" ]; then
		mkdir -p "$B/deb"
		( cd "$B/deb" && apt-get download libbpf-tools > /dev/null 2>&1 && dpkg -x libbpf-tools_*.deb . )
	fi
	if [ -x "$BS" ]; then
		"$BS" > "$TMP/bs.out" 2> "$TMP/bs.err" & CHILD=$!
		sleep 3
		if kill -0 "$CHILD" 2>/dev/null; then
			stop_pid "$CHILD"; CHILD=""
			note "bindsnoop runs on this host: not measured yet by the host part (see --vm)"
		else
			wait "$CHILD" 2>/dev/null; CHILD=""
			why=$(grep -v '^libbpf: ' "$TMP/bs.err" | tail -n1)
			"$BS" --verbose > /dev/null 2> "$TMP/bs.v" & p=$!; sleep 3; stop_pid $p
			poisoned=$(grep -c 'substituting insn .* w/ invalid insn' "$TMP/bs.v")
			kp=no; grep -q 'CONFIG_KPROBES=y' /boot/config-"$(uname -r)" 2>/dev/null && kp=yes
			[ -e /sys/kernel/tracing/kprobe_events ] || [ -e /sys/kernel/debug/tracing/kprobe_events ] && kp=yes
			note "peer bindsnoop (Debian libbpf-tools): cannot run on this host: '$why'; $poisoned CO-RE relocations of inet_sock fields failed (6.6+ moved them into inet_flags), and kprobes here: $kp. Measured in the VM (bench/run.sh --vm) instead"
			raw peers bindsnoop host 0 unavailable 1
		fi
	else
		note "peer bindsnoop: apt-get download libbpf-tools failed"
	fi
fi

# ---- 8. auditd, LAST ---------------------------------------------------------------------
# Once auditd has enabled the kernel's audit, every task created afterwards
# is audited at every syscall until reboot: so auditd gets its own rounds at
# the end, against "none" measured in the same rounds (those tasks are
# audited too: "none-audited"); the report also compares it with the clean
# "none" of section 1.
if want auditd; then
	command -v auditd > /dev/null || note "auditd missing (apt-get install auditd; make bench installs it): not measured"
	if command -v auditd > /dev/null; then
		note "auditd ran in this run (section 8, last): every task created since is audited until reboot; syscall figures of later runs on this boot are slower machine-wide"
		AR=$(( ROUNDS < 5 ? ROUNDS : 5 ))
		for r in $(seq $AR); do
			order=$(shuffle none-audited auditd | tr '\n' ' ')
			log "auditd round $r/$AR: $order"
			for v in $order; do
				variant_start $v || { raw cost "$v" all "$r" unavailable 1; continue; }
				dt0=$(daemon_ticks $v)
				run_loops "$v" "$r" $((ITERS / 4)) nolisted
				if [ $v = auditd ]; then
					binds=0
					for c in $CONFIGS; do binds=$((binds + $(get_raw cost auditd "$c-unlisted" "$r" binds))); done
					[ $binds -gt 0 ] && raw cost auditd all "$r" daemon_cpu_ns_per_bind "$(awk -v t=$(( $(daemon_ticks $v) - dt0 )) -v c=$binds -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.0f", t * 1e9 / hz / c}')"
				fi
				variant_stop $v
			done
		done
		[ $auditd_ok = 1 ] || note "auditd: not measured (see above)"
	fi
fi

echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$B/machine.txt"
echo "seconds=$(( $(date +%s) - T_START ))" >> "$B/machine.txt"
python3 "$ROOT/bench/report.py" "$B" > /dev/null || exit 1
stamp=$(date -u +%Y%m%dT%H%MZ)
cp "$B/results.md" "$B/results-$stamp.md"; cp "$B/results.csv" "$B/results-$stamp.csv"
cat "$B/results.md"
log "results: $B/results.md and $B/results.csv (copies: results-$stamp.*) ($(( $(date +%s) - T_START )) s)"
exit 0
}
