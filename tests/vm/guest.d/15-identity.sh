#!/bin/sh
# gp-min-results: 8
# gp-timeout: 600
# Who bound (issue 14), once per attach mode: tests/e2e/gp_ident.c's
# binders (exits at once, audited and denied; memfd; deleted; service and
# container cgroups; a thread; a setuid helper) must each carry the right
# executable, argv, parent, ids and unit.  With /gp/ghostport.ko: kmod too.
. /gp/lib-common
S=${GP_STAGE:-vm-unknown}/identity
GP=/gp/bin/ghostport
T=/gp/bin/gp_ident

gp_need_binaries gp_ident "$S/all" || exit 0
d=/tmp/gp-ident
mkdir -p $d && chmod 755 $d

run_mode() { # mode
	echo "# identity: source $1"
	"$T" run --ghostport "$GP" --source "$1" --prefix "$S/$1" --dir $d > "/tmp/ident-$1.out" 2>&1
	rc=$?
	cat "/tmp/ident-$1.out"
	gp_need_results "$S/$1" "/tmp/ident-$1.out" "gp_ident run --source $1" $rc
}

for m in ${GP_IDENT_MODES:-fentry kprobe cgroup}; do
	run_mode $m
done
if [ -f /gp/ghostport.ko ] && [ -z "${GP_IDENT_MODES:-}" ]; then
	if insmod /gp/ghostport.ko 2>/tmp/ident-insmod.err; then
		run_mode kmod
		rmmod ghostport 2>/dev/null
	else
		echo "FAIL $S/kmod/insmod: $(cat /tmp/ident-insmod.err)"
	fi
else
	echo "SKIP $S/kmod: no ghostport.ko in the guest (module not built for $GP_KERNEL)"
fi
exit 0
