#!/bin/sh
# gp-min-results: 1
# gp-timeout: 900
# A reproduction, not part of the suite: the kernel crash that the module's
# busy-unload stress (30-kmod stress-unload*) ran into, made WITHOUT
# ghostport.  It enables and disables the kernel's own tracefs kretprobes
# (or plain kprobes) on inet_bind and inet6_bind while gp_stress binds on
# every CPU, N times (the
# kernel command line's gp.toggles=N, default 400; gp.probe=p for plain
# kprobes), and reports whether the
# kernel log stayed clean.  Seen here under qemu TCG: Debian 6.1 oopsed
# ("RIP: 0010:0x0" from __sys_bind, EFLAGS 0x46) after 50-60 toggles and
# 5.10 ("instruction fetch" at NULL from inet_bind+0) after 70-80, with no
# module loaded; 6.1 with plain kprobes (gp.probe=p) after 35.  Run it with (docs/kmod.md, "Loading and unloading while
# binds run"):
#   GP_VM_NO_KMOD=1 GP_VM_EXTRA_GUEST_D=tests/vm/repro \
#   GP_VM_ONLY='95-kprobe-toggle*' tests/vm/run.sh --kernel 6.1
S=${GP_STAGE:-vm-unknown}/repro
STRESS=/gp/bin/gp_stress
P=686,886,5000,5001,5002,5003
T=/sys/kernel/tracing
N=$(sed -n 's/.*gp\.toggles=\([0-9]*\).*/\1/p' /proc/cmdline)
N=${N:-400}
# gp.probe=p: plain kprobes instead of kretprobes (which part is to blame)
K=$(sed -n 's/.*gp\.probe=\([pr]\).*/\1/p' /proc/cmdline)
K=${K:-r}

[ -d $T/events ] || mount -t tracefs none $T 2>/dev/null
if [ ! -w $T/kprobe_events ]; then
	echo "SKIP $S/kprobe-toggle: no $T/kprobe_events"
	exit 0
fi
dmesg -n 8
base=$(dmesg | wc -l)
bad() { dmesg | tail -n +$((base + 1)) | grep -qE 'BUG:|Oops|RIP:|soft lockup|general protection'; }

$STRESS -t 2 -d 100000 -6 $P > /dev/null 2>&1 &
spid=$!
i=1
while [ $i -le "$N" ] && ! bad; do
	echo "$K:gp_r4 inet_bind" >> $T/kprobe_events
	echo "$K:gp_r6 inet6_bind" >> $T/kprobe_events
	echo 1 > $T/events/kprobes/gp_r4/enable
	echo 1 > $T/events/kprobes/gp_r6/enable
	sleep 0.3
	echo 0 > $T/events/kprobes/gp_r4/enable
	echo 0 > $T/events/kprobes/gp_r6/enable
	echo '-:gp_r4' >> $T/kprobe_events
	echo '-:gp_r6' >> $T/kprobe_events
	echo > $T/trace
	[ $((i % 10)) = 0 ] && echo "# toggles: $i"
	i=$((i + 1))
done
kill $spid 2>/dev/null; wait $spid 2>/dev/null
if bad; then
	echo "FAIL $S/kprobe-toggle: the kernel broke after $i toggles of $K: probes, no ghostport loaded"
	dmesg | tail -n +$((base + 1)) | grep -E 'BUG:|RIP:|Call Trace|Modules linked' | head -n 8 | sed 's/^/# /'
else
	echo "PASS $S/kprobe-toggle ($N toggles of $K: probes while binding, kernel log clean)"
fi
exit 0
