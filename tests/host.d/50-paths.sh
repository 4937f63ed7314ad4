#!/bin/bash
# tests/host.d/50-paths.sh - every bind path, audited and enforced (issue 13).
#
# tests/e2e/gp_paths on this host: the cgroup mode in audit, and --enforce
# with the cgroup method (the only ones this kernel can run: no trampolines,
# no kprobes).  Paths this kernel lacks (SMC, SCTP: no modules here) SKIP.
# Builds nothing (the caller runs make).  Prints PASS/FAIL/SKIP lines.
set -u
cd "$(dirname "$0")/../.." || exit 1

T=${GP_PATHS:-build/tests/e2e/gp_paths}
GP=${GHOSTPORT:-build/ghostport}
TMO=${GP_PATHS_TIMEOUT:-600}
S=host/paths

if [ "$(id -u)" != 0 ]; then
	echo "SKIP $S/all: needs root (BPF, sysctls, binds to ports < 1024)"
	exit 0
fi
for f in "$T" "$GP"; do
	if [ ! -x "$f" ]; then
		echo "FAIL $S/build: $f not built (run make first)"
		exit 0
	fi
done

run() { # name args...
	local name=$1 rc
	shift
	timeout -s TERM "$TMO" "$T" --ghostport "$GP" --prefix "$S/$name" "$@"
	rc=$?
	if [ $rc -ge 124 ]; then
		echo "FAIL $S/$name/killed: gp_paths killed after ${TMO}s or crashed (exit $rc)"
		"$GP" unload >/dev/null 2>&1
	fi
	return 0
}

run audit-cgroup --source cgroup
run enforce-cgroup --source cgroup --enforce --deny-with cgroup
