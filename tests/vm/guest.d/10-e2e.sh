#!/bin/sh
# gp-min-results: 1
# gp-timeout: 420
# End-to-end bind test once per attach mode, and every mode's events compared
# field for field with fentry's (tests/e2e/gp_e2e.c prints the result lines).
# With /gp/ghostport.ko: the same for the kernel module.
. /gp/lib-common
S=${GP_STAGE:-vm-unknown}
GP=/gp/bin/ghostport
E2E=/gp/bin/gp_e2e

gp_need_binaries gp_e2e "$S/e2e" || exit 0

run_mode() { # mode
	echo "# e2e: source $1"
	"$E2E" run --ghostport "$GP" --source "$1" --prefix "$S/$1" --dump "/tmp/ev-$1.jsonl" \
		> "/tmp/e2e-$1.out" 2>&1
	rc=$?
	cat "/tmp/e2e-$1.out"
	[ $rc = 0 ] || echo "# gp_e2e run --source $1: exit $rc"
	gp_need_results "$S/$1" "/tmp/e2e-$1.out" "gp_e2e run --source $1" $rc
}
compare() { # mode
	if [ ! -s /tmp/ev-fentry.jsonl ] || [ ! -s "/tmp/ev-$1.jsonl" ]; then
		echo "FAIL $S/compare-$1-fentry: no events to compare (fentry or $1 run produced none)"
		return
	fi
	"$E2E" compare --prefix "$S/compare-$1-fentry" /tmp/ev-fentry.jsonl "/tmp/ev-$1.jsonl"
}

for m in fentry kprobe cgroup; do
	run_mode $m
done
compare kprobe
compare cgroup

if [ -f /gp/ghostport.ko ]; then
	if insmod /gp/ghostport.ko 2>/tmp/insmod.err; then
		echo "PASS $S/e2e-kmod/insmod"
		run_mode kmod
		compare kmod
		if rmmod ghostport 2>/tmp/rmmod.err; then
			echo "PASS $S/e2e-kmod/rmmod"
		else
			echo "FAIL $S/e2e-kmod/rmmod: $(cat /tmp/rmmod.err)"
		fi
	else
		echo "FAIL $S/e2e-kmod/insmod: $(cat /tmp/insmod.err)"
	fi
else
	echo "SKIP $S/e2e-kmod/insmod: no ghostport.ko in the guest (module not built for $GP_KERNEL)"
fi
exit 0
