#!/bin/bash
# tests/host.d/20-enforce.sh - `ghostport run --enforce` on this host (issue 5).
#
# This kernel refuses BPF trampolines, so the BPF LSM cannot be loaded: auto
# must pick the cgroup method, and --deny-with lsm must refuse to start
# (gp_enforce --expect-lsm no).  Runs tests/e2e/gp_enforce twice: every
# session with auto, then the deny session with --deny-with cgroup forced.
# Builds nothing (the caller runs make).  Prints PASS/FAIL/SKIP lines.
set -u
cd "$(dirname "$0")/../.." || exit 1

T=${GP_ENFORCE:-build/tests/e2e/gp_enforce}
GP=${GHOSTPORT:-build/ghostport}
TMO=${GP_ENFORCE_TIMEOUT:-600}
P=host/enforce
. tests/host.d/lib/host.sh

need_root "needs root (BPF, binds to ports < 1024)"
need_built build "$T" "$GP"

run_timed "$P" "$TMO" "$T" --ghostport "$GP" --prefix "$P" --expect-lsm no
run_timed "$P-cgroup" "$TMO" "$T" --ghostport "$GP" --prefix "$P-cgroup" \
	--deny-with cgroup --expect-lsm no --only deny
exit 0
