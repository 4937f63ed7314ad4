#!/bin/sh
# gp-boot: lockdown lockdown=confidentiality
# gp-min-results: 19
# gp-timeout: 300
# Issue 19: ghostport on a kernel booted with lockdown=confidentiality (an
# extra boot of each kernel, tests/vm/run.sh's gp-boot header): the
# lockdown-safe program set audits and denies every listed bind
# (gp_lockdown), --deny-with lsm either works or refuses to start (never
# fails open), and the unsigned module is refused with a clear message.
. /gp/lib-common
S=${GP_STAGE:-vm-unknown}
GP=/gp/bin/ghostport
K=${GP_KERNEL:-unknown}

echo "# lockdown: $(cat /sys/kernel/security/lockdown 2>&1)"
gp_need_binaries gp_lockdown "$S/lockdown" || exit 0

/gp/bin/gp_lockdown --ghostport $GP --prefix "$S/lockdown" --ready-timeout 90
rc=$?
[ $rc -le 1 ] || echo "FAIL $S/lockdown/exit: gp_lockdown exit status $rc"
$GP unload > /dev/null 2>&1

# --deny-with lsm: the safe LSM needs bpf_rdonly_cast (6.2+) to read an
# IPv6 address; older kernels must refuse to start, in one line.
timeout 60 $GP run --ports 686 --enforce --deny-with lsm --no-pin > /tmp/ld-lsm.out 2> /tmp/ld-lsm.err &
pid=$!
i=0
while [ $i -lt 60 ] && kill -0 $pid 2>/dev/null && ! grep -q 'ghostport: ready' /tmp/ld-lsm.err; do
	sleep 1; i=$((i + 1))
done
if grep -q 'ghostport: ready.*enforce=lsm' /tmp/ld-lsm.err; then
	kill -INT $pid; wait $pid
	case $K in
		5.10|6.1) echo "FAIL $S/lockdown/deny-with-lsm: the LSM loaded on $K (no bpf_rdonly_cast expected)";;
		*) echo "PASS $S/lockdown/deny-with-lsm (loads: safe LSM)";;
	esac
else
	wait $pid
	rc=$?
	n=$(grep -c . /tmp/ld-lsm.err)
	last=$(tail -n 1 /tmp/ld-lsm.err)
	case $K in
		5.10|6.1)
			if [ $rc = 1 ] && [ "$n" -le 2 ] && echo "$last" | grep -q '^ghostport: --deny-with lsm: '; then
				echo "PASS $S/lockdown/deny-with-lsm (refused: $last)"
			else
				echo "FAIL $S/lockdown/deny-with-lsm: exit $rc, $n stderr lines, last: $last"
			fi;;
		*) echo "FAIL $S/lockdown/deny-with-lsm: not ready with enforce=lsm (exit $rc: $last)";;
	esac
fi
$GP unload > /dev/null 2>&1

# The module: unsigned, so the kernel refuses it, loudly, before its init.
if [ ! -f /gp/ghostport.ko ]; then
	echo "SKIP $S/lockdown/kmod-refused: no /gp/ghostport.ko (module not built for this kernel)"
	echo "SKIP $S/lockdown/kmod-source: no /gp/ghostport.ko (module not built for this kernel)"
else
	base=$(dmesg | wc -l)
	if insmod /gp/ghostport.ko > /tmp/ld-ins.out 2>&1; then
		rmmod ghostport
		echo "FAIL $S/lockdown/kmod-refused: insmod of the unsigned module worked under lockdown"
	elif grep -q 'Operation not permitted' /tmp/ld-ins.out && [ ! -d /sys/module/ghostport ]; then
		# The kernel's own line ("Lockdown: insmod: unsigned module
		# loading is restricted") is rate-limited with the other lockdown
		# lines: shown when there, not required.
		msg=$(dmesg | tail -n +$((base + 1)) | grep -m1 'Lockdown: insmod')
		echo "PASS $S/lockdown/kmod-refused ($(tr '\n' ' ' < /tmp/ld-ins.out)${msg:+; kernel: ${msg#*] }})"
	else
		echo "FAIL $S/lockdown/kmod-refused: $(tr '\n' ' ' < /tmp/ld-ins.out)"
	fi
	out=$($GP run --source kmod --no-pin 2>&1 < /dev/null)
	if [ $? = 1 ] && echo "$out" | grep -q 'source kmod'; then
		echo "PASS $S/lockdown/kmod-source ($(echo "$out" | tail -n 1))"
	else
		echo "FAIL $S/lockdown/kmod-source: $out"
	fi
fi
exit 0
