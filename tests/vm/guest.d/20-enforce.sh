#!/bin/sh
# gp-min-results: 40
# gp-timeout: 360
# Enforcement (issue 5) in the guest, where the BPF LSM is active (the harness
# boots with lsm=...,bpf): `--enforce` must pick the LSM, deny events say
# source "lsm", and --deny-with lsm works (gp_enforce --expect-lsm yes).
# Then the deny and exemption sessions again with --deny-with cgroup forced
# (bpf_set_retval on 6.1+: exact errnos there too).
S=${GP_STAGE:-vm-unknown}
GP=/gp/bin/ghostport
T=/gp/bin/gp_enforce

if [ ! -x "$T" ]; then
	echo "SKIP $S/enforce: gp_enforce not in the guest (tests/e2e/gp_enforce.c not built by make static)"
	exit 0
fi
if [ ! -x "$GP" ]; then
	echo "FAIL $S/enforce: /gp/bin/ghostport missing"
	exit 0
fi

"$T" --ghostport "$GP" --prefix "$S/enforce" --expect-lsm yes --ready-timeout 90
rc=$?
[ $rc -le 1 ] || { echo "FAIL $S/enforce/exit: gp_enforce exit status $rc"; "$GP" unload >/dev/null 2>&1; }

"$T" --ghostport "$GP" --prefix "$S/enforce-cgroup" --deny-with cgroup --expect-lsm yes \
	--ready-timeout 90 --only deny,exempt
rc=$?
[ $rc -le 1 ] || { echo "FAIL $S/enforce-cgroup/exit: gp_enforce exit status $rc"; "$GP" unload >/dev/null 2>&1; }
exit 0
