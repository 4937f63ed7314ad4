#!/bin/bash
# tests/host.d/25-identity.sh - who bound (issue 14) on this host: the
# binders of tests/e2e/gp_ident.c (exits at once, memfd, deleted, service
# and container cgroups, a thread, a setuid helper, a denied bind) with
# `ghostport run --source cgroup`, the one mode this kernel has.
# Run under `flock /tmp/gp-host.lock`.  Builds nothing (make first).
set -u
cd "$(dirname "$0")/../.." || exit 1

T=${GP_IDENT:-build/tests/e2e/gp_ident}
GP=${GHOSTPORT:-build/ghostport}
S=host/identity

if [ "$(id -u)" != 0 ]; then
	echo "SKIP $S/all: needs root (BPF, cgroups, a setuid copy)"
	exit 0
fi
for f in "$T" "$GP"; do
	if [ ! -x "$f" ]; then
		echo "FAIL $S/build: $f not built (run make first)"
		exit 0
	fi
done
# The setuid copy needs a directory without nosuid, writable by root.
d=$(mktemp -d /tmp/gp-ident.XXXXXX)
chmod 755 "$d"
trap 'rm -rf "$d"' EXIT
timeout -k 10 300 "$T" run --ghostport "$GP" --source cgroup --prefix "$S/cgroup" --dir "$d"
rc=$?
if [ "$rc" -ge 124 ]; then
	echo "FAIL $S/cgroup: gp_ident killed after 300 s or crashed (exit $rc)"
	"$GP" unload >/dev/null 2>&1
fi
exit 0
