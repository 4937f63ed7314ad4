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
P=host/identity
. tests/host.d/lib/host.sh

need_root "needs root (BPF, cgroups, a setuid copy)"
need_built build "$T" "$GP"
# The setuid copy needs a directory without nosuid, writable by root.
d=$(mktemp -d /tmp/gp-ident.XXXXXX)
chmod 755 "$d"
trap 'rm -rf "$d"' EXIT
run_timed "$P/cgroup" 300 "$T" run --ghostport "$GP" --source cgroup \
	--prefix "$P/cgroup" --dir "$d"
exit 0
