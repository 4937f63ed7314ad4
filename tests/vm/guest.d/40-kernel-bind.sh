#!/bin/sh
# gp-min-results: 44
# gp-timeout: 480
# A bind made by the kernel itself (a VXLAN device's UDP socket, bound by
# udp_sock_create -> kernel_bind when the link goes up; vxlan is in
# tests/vm/modules.txt): reported with "kernel":true in every attach mode
# (fentry, kprobe, cgroup, and kmod with /gp/ghostport.ko), never denied
# under --enforce (the BPF LSM and --deny-with cgroup, each with the fentry
# and the cgroup audit source), while a user's bind to the same port is
# denied (and, without --enforce, reported with "kernel":false).
# tests/e2e/gp_kbind.c prints the result lines:
# <stage>/kbind/<run>/{start,vxlan-up,kernel-event,link-delete,user-bind,exit}.
. /gp/lib-common
S=${GP_STAGE:-vm-unknown}/kbind
GP=/gp/bin/ghostport
KB=/gp/bin/gp_kbind
TMO=${GP_KBIND_TIMEOUT:-240}

if [ ! -x "$KB" ]; then
	echo "FAIL $S/binaries: $KB missing (make static did not build tests/e2e/gp_kbind.c)"
	exit 0
fi
if [ ! -x "$GP" ]; then
	echo "FAIL $S/binaries: $GP missing"
	exit 0
fi

# vxlan must have been loaded by /init (tests/vm/modules.txt); without it
# every gp_kbind case SKIPs, so say so here.
if [ -d /sys/module/vxlan ]; then
	echo "PASS $S/vxlan-module"
else
	echo "FAIL $S/vxlan-module: vxlan not loaded (is it in tests/vm/modules.txt? see /gp/manifest: $(sed -n 's/^modules=//p' /gp/manifest 2>/dev/null))"
fi

kb() { # name args...: one gp_kbind test run, under a time limit
	name=$1
	shift
	echo "# kbind: $name: $*"
	# SIGTERM: gp_kbind SIGKILLs its ghostport before it dies
	timeout -s TERM "$TMO" "$KB" test --ghostport "$GP" --prefix "$S/$name" \
		--expect-available yes "$@" > "/tmp/kbind-$name.out" 2>&1
	rc=$?
	cat "/tmp/kbind-$name.out"
	if [ $rc -ge 124 ]; then
		echo "FAIL $S/$name/killed: gp_kbind killed after ${TMO}s or crashed (exit $rc)"
	fi
	gp_need_results "$S/$name" "/tmp/kbind-$name.out" gp_kbind $rc
	# whatever a killed run left behind
	[ -d /sys/class/net/gpvx0 ] && "$KB" down
	[ -e /sys/fs/bpf/ghostport ] && "$GP" unload >/dev/null 2>&1
	return 0
}

for m in fentry kprobe cgroup; do
	kb "audit-$m" --source "$m"
done
for d in lsm cgroup; do
	for m in fentry cgroup; do
		kb "enforce-$d-$m" --source "$m" --enforce --deny-with "$d"
	done
done

if [ ! -f /gp/ghostport.ko ]; then
	echo "SKIP $S/kmod: no ghostport.ko in the guest (module not built for $GP_KERNEL)"
	exit 0
fi
loaded_before=0
[ -d /sys/module/ghostport ] && loaded_before=1
if [ $loaded_before = 1 ]; then
	echo "PASS $S/kmod/insmod (already loaded)"
elif insmod /gp/ghostport.ko 2>/tmp/kbind-insmod.err; then
	echo "PASS $S/kmod/insmod"
else
	echo "FAIL $S/kmod/insmod: $(tr '\n' ' ' < /tmp/kbind-insmod.err)"
	exit 0
fi
# (no enforce runs with --source kmod: ghostport refuses them, "source kmod
# cannot enforce"; the module only audits)
kb audit-kmod --source kmod
if [ $loaded_before = 0 ]; then
	if rmmod ghostport 2>/tmp/kbind-rmmod.err; then
		echo "PASS $S/kmod/rmmod"
	else
		echo "FAIL $S/kmod/rmmod: $(tr '\n' ' ' < /tmp/kbind-rmmod.err)"
	fi
fi
exit 0
