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
T=$(mktemp -d /tmp/gp-scan.XXXXXX)
trap 'rm -rf "$T"' EXIT

if [ "$(id -u)" != 0 ]; then echo "SKIP host/scan/all: needs root"; exit 0; fi
if [ ! -x "$BIN" ] || [ ! -x "$ROOT/build/ghostport" ]; then
	echo "FAIL host/scan/build: $BIN or build/ghostport not built (make)"
	exit 0
fi
cd "$ROOT" && "$BIN" --ghostport "$ROOT/build/ghostport" --prefix host/scan --dir "$T"
exit 0
