#!/bin/bash
# ghostport benchmarks (issue 8): `make bench` runs this after building.
#
#   bench/run.sh [--rounds N] [--iters N] [--quick] [--only LIST] [--vm [--kernel 6.1|6.12]]
#
# Sections (--only takes a comma list of them):
#   fast     bind() loop on unlisted ports: none / floor / ghostport cgroup
#            audit / ghostport cgroup enforce / auditd bind rule, interleaved
#            in rounds; TCP and UDP, 1 and 2 threads; socket()+close() too
#   event    the same loop on listed ports under ghostport (audit)
#   progcost each BPF program's own cost (kernel.bpf_stats_enabled)
#   storm    both CPUs binding listed ports, several ring sizes
#   formats  formatter events/s per core, instructions/event (callgrind)
#   footprint daemon RSS, BPF map memory, program sizes, module size
# Results: build/bench/results.md, build/bench/results.csv (raw samples in
# build/bench/raw.tsv).  Method: docs/bench.md.
#
# --vm runs the emulated part instead (fentry/kprobe/LSM/kmod and
# bindsnoop, in the qemu guest of tests/vm): build/bench/vm-results.md.
#
# Environment: GP_BENCH_ROUNDS (7), GP_BENCH_ITERS (4000 per thread),
# GP_BENCH_STORM_SECS (2).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
B=$ROOT/build/bench
GP=$ROOT/build/ghostport
ROUNDS=${GP_BENCH_ROUNDS:-7}
ITERS=${GP_BENCH_ITERS:-4000}
STORM_SECS=${GP_BENCH_STORM_SECS:-2}
ONLY=fast,event,progcost,storm,formats,footprint
VM=0
VM_KERNEL=6.12
UNLISTED=40000		# not a ghost port (tcp and udp)
LISTED=686,886		# ghost ports in the default list (tcp and udp)

while [ $# -gt 0 ]; do
	case $1 in
		--rounds) ROUNDS=$2; shift 2;;
		--iters) ITERS=$2; shift 2;;
		--quick) ROUNDS=2; ITERS=5000; STORM_SECS=1; shift;;
		--only) ONLY=$2; shift 2;;
		--vm) VM=1; shift;;
		--kernel) VM_KERNEL=$2; shift 2;;
		-h|--help) sed -n '2,24p' "$0"; exit 0;;
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
		-lbpf -lelf -lz -lyaml -lssl -lcrypto -lsystemd -lpthread \
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
	"$B/floor" --mode "${1:-cgroup}" 2> "$TMP/floor.err" &
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

variant_start() {
	case $1 in
		none) return 0;;
		floor) floor_start cgroup;;
		gp-audit) gp_start --format json;;
		gp-enforce) gp_start --format json --enforce --deny-with cgroup;;
		auditd) auditd_start;;
	esac
}
variant_stop() {
	case $1 in
		none) ;;
		floor) floor_stop;;
		gp-*) gp_stop;;
		auditd) auditd_stop;;
	esac
}

# bindloop ARGS: runs it, echoes its key=value line
loop() { "$B/bindloop" "$@" 2>> "$TMP/bindloop.err"; }

CONFIGS="tcp-1 tcp-2 udp-1 udp-2"
cfg_args() { # tcp-1 -> bindloop args
	local p=${1%-*} t=${1#*-}
	echo "-t $t $([ "$p" = udp ] && echo -u)"
}
shuffle() { local x; for x in "$@"; do echo "$RANDOM $x"; done | sort -n | cut -d' ' -f2; }

# ---- machine --------------------------------------------------------------------
{
	echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
	echo "nproc=$(nproc)"
	echo "model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
	echo "kernel=$(uname -r)"
	echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "commit=$(git rev-parse --short HEAD 2>/dev/null)"
	echo "rounds=$ROUNDS"
	echo "iters=$ITERS"
} > "$B/machine.txt"
T_START=$(date +%s)

# ---- 1. fast path + 2. event path --------------------------------------------------
if want fast || want event; then
	stats 0
	variants="none floor gp-audit gp-enforce auditd"
	want fast || variants="none gp-audit"
	for r in $(seq "$ROUNDS"); do
		log "round $r/$ROUNDS: $(shuffle $variants | tr '\n' ' ')"
		raw meta all all "$r" foreign_hooks "$(foreign_hooks)"
		for v in $(shuffle $variants); do
			n=$ITERS
			[ $v = auditd ] && n=$((ITERS / 4))
			variant_start $v || { raw fast "$v" all "$r" unavailable 1; continue; }
			dt0=$(daemon_ticks $v); calls_unlisted=0
			for c in $(shuffle $CONFIGS); do
				if want fast; then
					for m in bind socket; do
						out=$(loop $(cfg_args "$c") -n "$n" -P $UNLISTED $([ $m = socket ] && echo -s))
						raw fast "$v" "$c-$m" "$r" ns_per_op "$(kv ns_per_op "$out")"
						raw fast "$v" "$c-$m" "$r" cpu_ns_per_op "$(kv cpu_ns_per_op "$out")"
						raw fast "$v" "$c-$m" "$r" errors "$(kv errors "$out")"
						[ $m = bind ] && calls_unlisted=$((calls_unlisted + $(kv calls "$out")))
					done
				fi
				if want event && [[ $v = none || $v = gp-audit ]]; then
					out=$(loop $(cfg_args "$c") -n "$ITERS" -P $LISTED)
					raw event "$v" "$c-listed" "$r" ns_per_op "$(kv ns_per_op "$out")"
					raw event "$v" "$c-listed" "$r" cpu_ns_per_op "$(kv cpu_ns_per_op "$out")"
					raw event "$v" "$c-listed" "$r" binds "$(kv calls "$out")"
				fi
			done
			if [ $v = auditd ] && [ $calls_unlisted -gt 0 ]; then
				raw fast auditd all "$r" daemon_cpu_ns_per_bind "$(awk -v t=$(( $(daemon_ticks $v) - dt0 )) -v c=$calls_unlisted -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.0f", t * 1e9 / hz / c}')"
			fi
			if [ $v = gp-audit ]; then
				gp_stop
				if want event; then
					ours=$(grep -c '"comm":"bindloop"' "$TMP/gp.out")
					raw event gp-audit total "$r" events "$GPS_EVENTS"
					raw event gp-audit total "$r" drops "$GPS_DROPS"
					raw event gp-audit total "$r" delivered "$GPS_DELIVERED"
					raw event gp-audit total "$r" delivered_bindloop "$ours"
					raw event gp-audit total "$r" undelivered "$GPS_UNDELIVERED"
				fi
			else
				variant_stop $v
			fi
		done
	done
	[ $auditd_ok = 1 ] || note "auditd: not measured (see above)"
fi
log "fast/event done after $(( $(date +%s) - T_START )) s"

# ---- 3. per-program cost ------------------------------------------------------------
# run_time_ns/run_cnt deltas of each program over a loop, with stats on.
prog_stats() { # ids... -> "name run_time_ns run_cnt" lines
	local id
	for id in "$@"; do
		bpftool prog show id "$id" --json 2>/dev/null |
			jq -r '"\(.name) \(.run_time_ns // 0) \(.run_cnt // 0)"'
	done
}
progcost() { # variant ids...
	local v=$1; shift
	local kind port out a b
	for kind in unlisted listed; do
		port=$UNLISTED; [ $kind = listed ] && port=$LISTED
		prog_stats "$@" > "$TMP/ps.a"
		out=$(loop -t 1 -n "$ITERS" -P "${port%%,*}")
		prog_stats "$@" > "$TMP/ps.b"
		binds=$(kv calls "$out")
		join <(sort "$TMP/ps.a") <(sort "$TMP/ps.b") | while read -r name t0 c0 t1 c1; do
			[ $((c1 - c0)) -gt 0 ] || continue
			raw progcost "$v" "$kind" 0 "$name" "$(awk -v t=$((t1 - t0)) -v c=$((c1 - c0)) 'BEGIN{printf "%.1f", t/c}')"
			raw progcost "$v" "$kind" 0 "$name.runs_per_bind" "$(awk -v c=$((c1 - c0)) -v b=$binds 'BEGIN{printf "%.3f", c/b}')"
		done
	done
}
if want progcost; then
	stats 1
	floor_start cgroup && {
		ids=$(bpftool prog show --json | jq -r '.[] | select(.name | startswith("fl_")) | .id')
		progcost floor $ids
		floor_stop
	}
	for v in gp-audit gp-enforce; do
		variant_start $v || continue
		progcost $v $GP_IDS
		gp_stop
	done
	stats 0
fi

# ---- 4. storm ---------------------------------------------------------------------
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
log "progcost done"
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
# ---- 5. formats -----------------------------------------------------------------
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

# ---- 6. footprint ------------------------------------------------------------------
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

# ---- scan (issue 18): squatter scan over 10 000 sockets, 5 on ghost ports ----
if want scan || [ "$ONLY" = fast,event,progcost,storm,formats,footprint ]; then
	if ${CC:-cc} -std=gnu11 -O2 -D_GNU_SOURCE -Iinclude -Iuserspace -Ibuild/gen -o "$B/scanbench" \
		bench/scanbench.c build/libghostport.a -lbpf -lelf -lz -lyaml -lssl -lcrypto \
		-lcap-ng -lsystemd -lpthread 2> "$B/scanbench-build.log" &&
		line=$("$B/scanbench" -n 10000 -r 15 --all-netns); then
		log "$line"; note "$line"
		for k in ms_median ms_min ms_max diag_ms owners_ms; do raw scan all-netns 10000 1 "$k" "$(kv "$k" "$line")"; done
	else
		note "scan: bench/scanbench.c did not build or run (build/bench/scanbench-build.log)"
	fi
fi

echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$B/machine.txt"
echo "seconds=$(( $(date +%s) - T_START ))" >> "$B/machine.txt"
python3 "$ROOT/bench/report.py" "$B" || exit 1
log "results: $B/results.md and $B/results.csv ($(( $(date +%s) - T_START )) s)"
