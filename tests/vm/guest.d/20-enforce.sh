#!/bin/sh
# gp-min-results: 40
# gp-timeout: 360
# Enforcement (issue 5) in the guest, where the BPF LSM is active (the harness
# boots with lsm=...,bpf): `--enforce` must pick the LSM, deny events say
# source "lsm", and --deny-with lsm works (gp_enforce --expect-lsm yes).
# Then the deny and exemption sessions again with --deny-with cgroup forced
# (bpf_set_retval on 6.1+: exact errnos there too).
. /gp/lib-common
S=${GP_STAGE:-vm-unknown}
GP=/gp/bin/ghostport
T=/gp/bin/gp_enforce

gp_need_binaries gp_enforce "$S/enforce" || exit 0

enforce() { # name args...: one gp_enforce run; a crash is a FAIL, cleaned up after
	name=$1
	shift
	"$T" --ghostport "$GP" --prefix "$S/$name" "$@"
	rc=$?
	[ $rc -le 1 ] || { echo "FAIL $S/$name/exit: gp_enforce exit status $rc"; "$GP" unload >/dev/null 2>&1; }
}

enforce enforce --expect-lsm yes --ready-timeout 90
enforce enforce-cgroup --deny-with cgroup --expect-lsm yes --ready-timeout 90 --only deny,exempt
exit 0
