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
P=host/paths
. tests/host.d/lib/host.sh

need_root "needs root (BPF, sysctls, binds to ports < 1024)"
need_built build "$T" "$GP"

run() { # name args...
	local name=$1
	shift
	run_timed "$P/$name/killed" "$TMO" "$T" --ghostport "$GP" \
		--prefix "$P/$name" "$@"
}

run audit-cgroup --source cgroup
run enforce-cgroup --source cgroup --enforce --deny-with cgroup
