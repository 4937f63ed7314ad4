#!/bin/bash
# Squatters already there (issue 18): tests/e2e/gp_scan against the host.
#
# gp_scan starts squatters before any ghostport (TCP, UDP, IPv6, another
# netns, two holders, a socket passed on by an exited opener, a port only a
# reload lists), then checks `ghostport scan --json` without a daemon, the
# daemon's report before its ready line, `scan` against the daemon (no
# repeats, --all, gone), the reload, --close-existing under enforcement
# (closed; exempt left open) and a forced SOCK_DESTROY failure.
# Run it under the host lock: flock /tmp/gp-host.lock tests/host.d/55-scan.sh
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$ROOT/build/tests/e2e/gp_scan
P=host/scan
. "$ROOT/tests/host.d/lib/host.sh"

need_root "needs root"
need_built build "$BIN" "$ROOT/build/ghostport"
T=$(mktemp -d /tmp/gp-scan.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$ROOT" && "$BIN" --ghostport "$ROOT/build/ghostport" --prefix "$P" --dir "$T"
exit 0
