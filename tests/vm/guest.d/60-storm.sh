#!/bin/sh
# gp-min-results: 3
# gp-timeout: 300
# Nothing lost, in every BPF attach mode (issue 16's storm): ghostport runs
# with its default list while gp_stress binds listed UDP ports (686, 886)
# from one thread per CPU for 2 s; when the daemon has stopped (SIGINT, so
# it drains the ring), the kernel's events + drops must equal the binds
# gp_stress made, every event must have become one JSON line, and no probe
# may have missed a bind.  Drops are allowed (the reader is slow under
# TCG): they must be counted, never silent.  The module's storm is in
# 30-kmod.
S=${GP_STAGE:-vm-unknown}/storm
GP=/gp/bin/ghostport
ST=/gp/bin/gp_stress
T=/tmp/gp-storm
mkdir -p $T

for mode in fentry kprobe cgroup; do
	# An empty log first: the job truncates it only when it starts, and a
	# stale ready line would start the storm before the programs attach.
	: > $T/err
	$GP run --source $mode --no-pin --format json > $T/out 2> $T/err &
	pid=$!
	n=0
	while [ $n -lt 600 ] && kill -0 $pid 2>/dev/null && ! grep -q 'ghostport: ready' $T/err; do
		sleep 0.1; n=$((n + 1))
	done
	if ! grep -q 'ghostport: ready' $T/err; then
		kill $pid 2>/dev/null; wait $pid 2>/dev/null
		echo "FAIL $S/$mode: ghostport did not start: $(tail -n 2 $T/err | tr '\n' ' ' | cut -c1-200)"
		continue
	fi
	st=$($ST -t 1 -d 2 -P udp 686,886 2>&1)
	kill -INT $pid; wait $pid
	b=$(echo "$st" | sed -n 's/^binds=\([0-9]*\) .*/\1/p')
	sum=$(grep 'ghostport: summary' $T/err)
	ev=$(echo "$sum" | sed -n 's/.* events=\([0-9]*\).*/\1/p')
	dr=$(echo "$sum" | sed -n 's/.* drops=\([0-9]*\).*/\1/p')
	mi=$(echo "$sum" | sed -n 's/.* misses=\([0-9]*\).*/\1/p')
	js=$(grep -c '"comm":"gp_stress"' $T/out)
	if [ -z "$b" ] || [ -z "$ev" ] || [ -z "$dr" ]; then
		echo "FAIL $S/$mode: no figures (gp_stress: $st; daemon: $(tail -n 2 $T/err | tr '\n' ' ' | cut -c1-200))"
	elif [ $((ev + dr)) = "$b" ] && [ "$js" = "$ev" ] && [ "${mi:-0}" = 0 ]; then
		echo "PASS $S/$mode (binds=$b = events $ev + drops $dr; $js JSON lines)"
	else
		echo "FAIL $S/$mode: binds=$b events=$ev drops=$dr misses=$mi json=$js"
	fi
done
exit 0
