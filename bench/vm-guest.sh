#!/bin/sh
# gp-min-results: 1
# gp-timeout: 1500
# ghostport benchmarks, emulated part (bench/vm.sh puts this script, with the
# bench binaries appended as base64, into the test VM's guest.d).  Prints
#   BENCH vm=<kernel> round=R variant=V key=value...
# lines on the console, and one PASS/FAIL line for the harness.
# Emulated (qemu TCG): only ratios within one round mean anything.
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

VARIANTS="none floor-cgroup gp-cgroup floor-fentry gp-fentry floor-kprobe gp-kprobe floor-fentry,lsm gp-lsm gp-kmod"
[ -f $KO ] || VARIANTS=$(echo $VARIANTS | sed 's/ gp-kmod//')
r=1
while [ $r -le $ROUNDS ]; do
	for v in $VARIANTS; do
		if ! start $v; then
			out "round=$r variant=$v unavailable=1 why=\"$(tail -n 2 $T/v.err | tr '\n' ' ' | cut -c1-160)\""
			finish $v; continue
		fi
		for c in "tcp" "udp"; do
			a=; [ $c = udp ] && a=-u
			o=$($BL -t 1 -n $N $a -P 40000)
			s=$($BL -t 1 -n $N $a -P 40000 -s)
			out "round=$r variant=$v config=$c-1 cpu_ns=$(kv cpu_ns_per_op "$o") wall_ns=$(kv ns_per_op "$o") socket_cpu_ns=$(kv cpu_ns_per_op "$s")"
		done
		finish $v
	done
	r=$((r + 1))
done

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
	out "storm variant=$v binds=$(kv calls "$o") rate=$(kv ops_per_s "$o") events=$(kv events "$s") drops=$(kv drops "$s") misses=$(kv misses "$s") delivered=$(grep -c '"comm":"bindloop"' $T/gp.out)"
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
