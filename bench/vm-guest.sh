#!/bin/sh
# gp-min-results: 1
# gp-timeout: 1500
# ghostport benchmarks, emulated part (bench/vm.sh puts this script, with the
# bench binaries appended as base64, into the test VM's guest.d).  Prints
#   BENCH vm=<kernel> round=R variant=V key=value...
# lines on the console, and one PASS/FAIL line for the harness.
# Emulated (qemu TCG): timing is noise-prone even as ratios within a round;
# the kernel's own accounting (bpf_stats, the module's counters) holds.
S=${GP_STAGE:-vm-unknown}/bench
T=/tmp/gp-bench
mkdir -p $T
ROUNDS=${GP_BENCH_VM_ROUNDS:-3}
N=${GP_BENCH_VM_ITERS:-2000}
GP=/gp/bin/ghostport
KO=/gp/ghostport.ko

# The binaries travel in this file, after the __PAYLOAD__ line.
sed '1,/^__PAYLOAD__$/d' "$0" | base64 -d | tar -xzf - -C $T 2>$T/unpack.err || {
	echo "FAIL $S: unpacking the bench binaries failed: $(cat $T/unpack.err)"; exit 0; }
BL=$T/bindloop
FL=$T/floor
export PATH=$T:$PATH

out() { echo "BENCH vm=$GP_KERNEL $*"; }
CHILD=
wait_line() { # file pattern pid
	i=0
	while [ $i -lt 600 ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
stop() { [ -n "$CHILD" ] && kill -INT $CHILD 2>/dev/null && wait $CHILD 2>/dev/null; CHILD=; }

start() { # variant
	# Empty the logs first: the background job truncates them only when it
	# starts, and the previous variant's "ready" would start the loop
	# before this one is attached (it did: whole rounds and storms measured
	# with nothing attached).
	: > $T/v.err; : > $T/gp.out
	case $1 in
	none) return 0;;
	floor-*)
		$FL --mode "${1#floor-}" 2> $T/v.err & CHILD=$!
		wait_line $T/v.err "floor: ready" $CHILD;;
	gp-fentry|gp-kprobe|gp-cgroup)
		$GP run --source "${1#gp-}" --no-pin --format json > $T/gp.out 2> $T/v.err & CHILD=$!
		wait_line $T/v.err "ghostport: ready" $CHILD;;
	gp-lsm)	# fentry audit + LSM enforcement
		$GP run --source fentry --enforce --deny-with lsm --no-pin --format json > $T/gp.out 2> $T/v.err & CHILD=$!
		wait_line $T/v.err "ghostport: ready" $CHILD;;
	gp-kmod)
		[ -d /sys/module/ghostport ] || insmod $KO 2> $T/v.err || return 1
		$GP run --source kmod --no-pin --format json > $T/gp.out 2> $T/v.err & CHILD=$!
		wait_line $T/v.err "ghostport: ready" $CHILD;;
	esac
}
finish() { # variant
	stop
	case $1 in gp-kmod) rmmod ghostport 2>/dev/null;; esac
	return 0
}
kv() { echo " $2" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

# Timing under TCG is emulation: ratios within a round only, and even they
# are noise-prone (the report says so).  The measures that hold are the
# kernel's: bpf_stats per program and the module's counters (below).
VARIANTS="none gp-cgroup gp-fentry gp-kprobe gp-lsm gp-kmod bindsnoop"
[ -f $KO ] || VARIANTS=$(echo $VARIANTS | sed 's/ gp-kmod//')
[ -x $T/bindsnoop ] || VARIANTS=$(echo $VARIANTS | sed 's/ bindsnoop//')
BS="$T/lib/ld-linux-x86-64.so.2 --library-path $T/lib $T/bindsnoop"
r=1
while [ $r -le $ROUNDS ]; do
	for v in $VARIANTS; do
		if [ $v = bindsnoop ]; then
			$BS > $T/bs.out 2> $T/v.err & CHILD=$!
			sleep 5	# it prints nothing when attached: give it time
			kill -0 $CHILD 2>/dev/null || {
				out "round=$r variant=$v unavailable=1 why=\"$(grep -v '^libbpf: ' $T/v.err | tail -n 1 | cut -c1-100); Debian libbpf-tools 0.26 bindsnoop does not load on 6.6+ (inet_sock bit fields moved into inet_flags)\""
				CHILD=; continue; }
		elif ! start $v; then
			out "round=$r variant=$v unavailable=1 why=\"$(tail -n 2 $T/v.err | tr '\n' ' ' | cut -c1-160)\""
			finish $v; continue
		fi
		o=$($BL -g -n 50000)
		out "round=$r variant=$v config=getppid ns=$(kv ns_per_op "$o") cpu_ns=$(kv cpu_ns_per_op "$o")"
		for c in tcp udp; do
			a=; [ $c = udp ] && a=-u
			for k in unlisted listed; do
				p=40000; [ $k = listed ] && p=686
				o=$($BL -t 1 -n $N $a -P $p)
				out "round=$r variant=$v config=$c-$k bind_ns=$(kv bind_ns "$o") bind_p50_ns=$(kv bind_p50_ns "$o") cpu_ns=$(kv cpu_ns_per_op "$o") wall_ns=$(kv ns_per_op "$o")"
			done
		done
		finish $v
	done
	r=$((r + 1))
done

# ---- bpf_stats per program, and the module's counters --------------------------
# run_time_ns/run_cnt of every program over a loop (kernel.bpf_stats_enabled);
# for the module: its counters over the same loops (no run time: kprobes
# have no such accounting).  Lines: BENCH ... prog variant= loop= name= ns= runs= calls=
psnap() { $T/progstats | sed -n 's/^id=[0-9]* type=[0-9]* name=\([^ ]*\) run_time_ns=\([0-9]*\) run_cnt=\([0-9]*\)/\1 \2 \3/p' | sort; }
echo 1 > /proc/sys/kernel/bpf_stats_enabled
loop_of() { # loop kind -> runs it, sets calls
	if [ $1 = getppid ]; then
		$BL -g -n 20000 > /dev/null; calls=20000
	else
		p=40000; [ $1 = listed ] && p=686
		o=$($BL -t 1 -n $N -P $p); calls=$(kv calls "$o")
	fi
}
for v in gp-cgroup gp-fentry gp-kprobe gp-lsm; do
	start $v || { out "prog variant=$v unavailable=1"; finish $v; continue; }
	for k in unlisted listed getppid; do
		psnap > $T/ps.a
		loop_of $k
		psnap > $T/ps.b
		awk 'NR == FNR { t[$1] = $2; c[$1] = $3; next } ($1 in t) { print $1, t[$1], c[$1], $2, $3 }' $T/ps.a $T/ps.b | while read -r name t0 c0 t1 c1; do
			[ $((c1 - c0)) -gt 0 ] || continue
			out "prog variant=$v loop=$k name=$name ns=$((t1 - t0)) runs=$((c1 - c0)) calls=$calls"
		done
	done
	finish $v
done
# The module: its counters per loop.  /dev/ghostport has one opener (the
# reader), so each loop gets a reader session of its own and the counters
# are read between sessions (they survive the reader; deltas).
if [ -f $KO ]; then
	insmod $KO 2>/dev/null
	/gp/bin/gp_kmodctl counters > $T/kc.prev 2>&1
	for k in unlisted listed getppid; do
		: > $T/v.err; : > $T/gp.out	# no stale "ready" (see start)
		$GP run --source kmod --no-pin --format json > $T/gp.out 2> $T/v.err & CHILD=$!
		wait_line $T/v.err "ghostport: ready" $CHILD || { out "kmod loop=$k unavailable=1"; stop; continue; }
		loop_of $k
		stop
		/gp/bin/gp_kmodctl counters > $T/kc.now 2>&1
		out "kmod loop=$k calls=$calls before=\"$(cat $T/kc.prev)\" after=\"$(cat $T/kc.now)\" summary=\"$(grep 'ghostport: summary' $T/v.err | tail -n 1)\""
		cp $T/kc.now $T/kc.prev
	done
	rmmod ghostport 2>/dev/null
fi
echo 0 > /proc/sys/kernel/bpf_stats_enabled

# ---- listed-port storm: ghostport (each audit mode) vs bindsnoop ---------------
storm() { # name
	o=$($BL -t 2 -u -n $N -P 686,886)
	echo "$o"
}
for v in gp-fentry gp-kprobe gp-cgroup gp-kmod; do
	[ $v = gp-kmod ] && [ ! -f $KO ] && continue
	start $v || { out "storm variant=$v unavailable=1"; finish $v; continue; }
	o=$(storm)
	stop
	s=$(grep "ghostport: summary" $T/v.err)
	out "storm variant=$v binds=$(kv calls "$o") rate=$(kv ops_per_s "$o") events=$(kv events "$s") drops=$(kv drops "$s") misses=$(kv misses "$s") delivered=$(grep -c '"comm":"bindloop"' $T/gp.out) log=\"$(grep -v 'ghostport: summary' $T/v.err | tail -n 3 | tr '\n' ' ' | tr -d '"' | cut -c1-300)\""
	finish $v
done
if [ -x $T/bindsnoop ]; then
	# Debian's libbpf-tools bindsnoop, with its own shared libraries.
	BS="$T/lib/ld-linux-x86-64.so.2 --library-path $T/lib $T/bindsnoop"
	$BS > $T/bs.out 2> $T/bs.err & CHILD=$!
	# Its output is block-buffered in a file: give it time to attach.
	sleep 5
	if kill -0 $CHILD 2>/dev/null; then
		o=$(storm)
		sleep 1
		stop
		out "storm variant=bindsnoop binds=$(kv calls "$o") rate=$(kv ops_per_s "$o") reported=$(grep -c bindloop $T/bs.out) lost=$(grep -ih lost $T/bs.out $T/bs.err | awk '{s += $2} END {print s + 0}')"
	else
		out "storm variant=bindsnoop unavailable=1 why=\"$(tail -n 3 $T/bs.err | tr '\n' ' ' | cut -c1-200)\""
		CHILD=
	fi
else
	out "storm variant=bindsnoop unavailable=1 why=\"no bindsnoop binary in the payload\""
fi
echo "PASS $S"
exit 0
__PAYLOAD__
