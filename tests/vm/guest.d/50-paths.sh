#!/bin/sh
# gp-min-results: 100
# gp-timeout: 900
# Every bind path (issue 13), tests/e2e/gp_paths: TCP, UDP, MPTCP, SMC,
# SCTP bind and bindx, AF_UNSPEC; v4, v6, v4-mapped; bind(2), io_uring,
# the 32-bit socketcall; unprivileged binds; threads.  In audit with each
# attach mode (fentry, kprobe, cgroup, and kmod with /gp/ghostport.ko),
# and under --enforce with each method (lsm, cgroup).  A path the kernel
# lacks or a mode is documented blind to prints SKIP with the reason.
. /gp/lib-common
S=${GP_STAGE:-vm-unknown}/paths
GP=/gp/bin/ghostport
T=/gp/bin/gp_paths
TMO=${GP_PATHS_TIMEOUT:-400}

gp_need_binaries gp_paths "$S" || exit 0

run() { # name args...
	name=$1
	shift
	echo "# paths: $name: $*"
	timeout -s TERM "$TMO" "$T" --ghostport "$GP" --prefix "$S/$name" "$@" \
		> "/tmp/paths-$name.out" 2>&1
	rc=$?
	cat "/tmp/paths-$name.out"
	[ $rc -le 1 ] || echo "FAIL $S/$name/exit: gp_paths exit status $rc"
	gp_need_results "$S/$name" "/tmp/paths-$name.out" gp_paths $rc
	[ -e /sys/fs/bpf/ghostport ] && "$GP" unload >/dev/null 2>&1
	return 0
}

for m in fentry kprobe cgroup; do
	run "audit-$m" --source "$m"
done
for d in lsm cgroup; do
	run "enforce-$d" --source auto --enforce --deny-with "$d"
done
# The kprobe mode next to cgroup enforcement: one report per bind (the
# cgroup hook's denial is not reported again, exempt/kernel binds are not
# turned into denials by a shared stash).
run enforce-cgroup-kprobe --source kprobe --enforce --deny-with cgroup
if [ -f /gp/ghostport.ko ]; then
	[ -d /sys/module/ghostport ] || insmod /gp/ghostport.ko
	run audit-kmod --source kmod
	rmmod ghostport 2>/dev/null
else
	echo "SKIP $S/audit-kmod: no ghostport.ko in the guest"
fi
exit 0
