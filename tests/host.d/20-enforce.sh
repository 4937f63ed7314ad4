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
S=host/enforce

if [ "$(id -u)" != 0 ]; then
	echo "SKIP $S/all: needs root (BPF, binds to ports < 1024)"
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
	timeout -k 10 "$TMO" "$T" --ghostport "$GP" "$@"
	rc=$?
	if [ "$rc" -ge 124 ]; then
		echo "FAIL $name: gp_enforce killed after ${TMO}s or crashed (exit $rc)"
		# it could not clean up: do it here, so later tests start clean
		"$GP" unload >/dev/null 2>&1
	fi
}

run "$S" --prefix "$S" --expect-lsm no
run "$S-cgroup" --prefix "$S-cgroup" --deny-with cgroup --expect-lsm no --only deny
exit 0
