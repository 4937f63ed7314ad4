#!/bin/sh
# gp-boot: integrity lockdown=integrity
# gp-min-results: 8
# gp-timeout: 300
# Issue 19: ghostport on a kernel booted with lockdown=integrity (an extra
# boot of each kernel, tests/vm/run.sh's gp-boot header).  Integrity forbids
# unsigned modules and writes to user memory, not reading the kernel: the
# FULL program sets must be chosen (no degraded fields), audit with the
# whole identity in fentry and kprobe mode, deny with the LSM, and the
# unsigned module must be refused with a clear message.
. /gp/lib-common
S=${GP_STAGE:-vm-unknown}
GP=/gp/bin/ghostport
E2E=/gp/bin/gp_e2e
T=/gp/bin/gp_enforce

mode=$(cat /sys/kernel/security/lockdown 2>&1)
echo "# lockdown: $mode"
case $mode in
	*"[integrity]"*) echo "PASS $S/integrity/mode ($mode)";;
	*) echo "FAIL $S/integrity/mode: the kernel is not in integrity mode: $mode"; exit 0;;
esac
gp_need_binaries gp_e2e "$S/integrity" || exit 0
gp_need_binaries gp_enforce "$S/integrity" || exit 0

# Audit: listed and unlisted v4/v6 binds, every field checked (gp_e2e),
# with the full set's identity (the safe set would leave netns/opts null
# and gp_e2e would fail on them).
for m in fentry kprobe; do
	"$E2E" run --ghostport "$GP" --source $m --prefix "$S/integrity/$m" \
		--only v4-tcp,v4-udp-any,v6-tcp,v4mapped-tcp,unlisted-tcp > /tmp/int-$m.out 2>&1
	rc=$?
	cat /tmp/int-$m.out
	gp_need_results "$S/integrity/$m" /tmp/int-$m.out "gp_e2e run --source $m" $rc
done

# The program set in use is the full one, and status says so.
timeout 60 $GP run --ports 686 > /dev/null 2> /tmp/int-run.err &
pid=$!
i=0
while [ $i -lt 60 ] && kill -0 $pid 2>/dev/null && ! grep -q 'ghostport: ready' /tmp/int-run.err; do
	sleep 1; i=$((i + 1))
done
st=$($GP status --json 2>&1)
kill -INT $pid 2>/dev/null; wait $pid
if echo "$st" | grep -q '"progset": *"full"'; then
	echo "PASS $S/integrity/progset (full)"
else
	echo "FAIL $S/integrity/progset: status does not say the full set: $(echo "$st" | cut -c1-300)"
fi
if grep -qi 'lockdown' /tmp/int-run.err; then
	echo "FAIL $S/integrity/no-degrade-notice: $(grep -i -m1 lockdown /tmp/int-run.err)"
else
	echo "PASS $S/integrity/no-degrade-notice"
fi
$GP unload > /dev/null 2>&1

# Enforcement with the LSM: denied, one deny event each.
"$T" --ghostport "$GP" --prefix "$S/integrity/enforce" --expect-lsm yes \
	--ready-timeout 90 --only deny
rc=$?
[ $rc -le 1 ] || { echo "FAIL $S/integrity/enforce/exit: gp_enforce exit status $rc"; $GP unload > /dev/null 2>&1; }

# The unsigned module is refused before its init runs.
if [ ! -f /gp/ghostport.ko ]; then
	echo "SKIP $S/integrity/kmod-refused: no /gp/ghostport.ko (module not built for this kernel)"
elif insmod /gp/ghostport.ko > /tmp/int-ins.out 2>&1; then
	rmmod ghostport
	echo "FAIL $S/integrity/kmod-refused: insmod of the unsigned module worked under integrity"
elif grep -q 'Operation not permitted\|Key was rejected' /tmp/int-ins.out && [ ! -d /sys/module/ghostport ]; then
	echo "PASS $S/integrity/kmod-refused ($(tr '\n' ' ' < /tmp/int-ins.out))"
else
	echo "FAIL $S/integrity/kmod-refused: $(tr '\n' ' ' < /tmp/int-ins.out)"
fi
exit 0
