#!/bin/bash
# Hot reload under a bind storm, and status while running (issue 7).
#
# A daemon runs from a settings file listing 686 and 886.  A storm binds
# 686 (listed before and after every reload) as fast as it can while the
# file is rewritten and reloaded several times (SIGHUP and `ghostport
# reload`), once with a broken file.  Checks: every bind to 686 gives
# exactly one event (nothing missed during a switch), the broken file is
# refused and the running policy kept, `ghostport status` answers in text,
# JSON and Prometheus while the daemon runs, and ports added by a reload
# are watched afterwards.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GP=$ROOT/build/ghostport
P=host/reload
T=$(mktemp -d /tmp/gp-reload.XXXXXX)
pid=

. "$ROOT/tests/host.d/lib/host.sh"
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

need_root "needs root"
PY=$(command -v python3) || { skip all "python3 missing"; exit 0; }

# Another ghostport run holds the lock: wait a bit, then skip honestly.
wait_run_lock

conf() { # ports...
	{
		echo "include_builtin: false"
		echo "fold_window: 0"
		echo "rules:"
		echo "  - ports: \"$1\""
		echo "    action: audit"
	} >"$T/conf.new"
	mv "$T/conf.new" "$T/ghostport.conf"
}

conf "686,886"
# Another ghostport run (a parallel test) may win the lock: retry a while.
for _ in $(seq 1 20); do
	"$GP" run --config "$T/ghostport.conf" --no-pin --format json \
		>"$T/events.jsonl" 2>"$T/stderr" &
	pid=$!
	for _ in $(seq 1 200); do
		grep -q '^ghostport: ready' "$T/stderr" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^ghostport: ready' "$T/stderr" && break
	wait "$pid" 2>/dev/null
	pid=
	grep -q 'another ghostport run is active' "$T/stderr" || break
	sleep 3
done
if ! grep -q '^ghostport: ready' "$T/stderr"; then
	if grep -q 'another ghostport run is active' "$T/stderr"; then
		skip all "another ghostport run kept /run/ghostport.lock"
		exit 0
	fi
	fail start "daemon did not become ready: $(tail -1 "$T/stderr")"
	exit 1
fi
pass start

# status while running, in every rendering
if "$GP" status >"$T/st.txt" 2>&1 && grep -q 'attach:' "$T/st.txt"; then
	pass status-text
else
	fail status-text "$(head -1 "$T/st.txt")"
fi
if "$GP" status --json >"$T/st.json" 2>&1 &&
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d' "$T/st.json"; then
	pass status-json
else
	fail status-json "$(head -1 "$T/st.json")"
fi
if "$GP" status --prometheus >"$T/st.prom" 2>&1 &&
	grep -q '^ghostport_events_total' "$T/st.prom"; then
	pass status-prometheus
else
	fail status-prometheus "$(head -1 "$T/st.prom")"
fi

# The storm: bind 686/tcp on 127.0.0.1 until told to stop; print the count.
cat >"$T/storm.py" <<'EOF'
import os, socket, sys
stop = sys.argv[1]
n = 0
while not os.path.exists(stop):
    s = socket.socket()
    s.bind(("127.0.0.1", 686))
    s.close()
    n += 1
print(n)
EOF
"$PY" "$T/storm.py" "$T/stop" >"$T/storm.count" &
storm=$!
sleep 0.5
ok_reloads=0
for i in 1 2 3 4; do
	case $i in
		1) conf "686,886,887"; kill -HUP "$pid";;
		2) conf "686"; "$GP" reload >"$T/reload.out" 2>&1 && ok_reloads=$((ok_reloads + 1));;
		3) printf 'rules: [ {ports: "686"\n' >"$T/ghostport.conf"
		   if "$GP" reload >"$T/reload.bad" 2>&1; then
			fail reload-bad-refused "a broken file was accepted"
		   else
			pass reload-bad-refused
		   fi;;
		4) conf "686,886,888"; kill -HUP "$pid";;
	esac
	sleep 0.5
done
touch "$T/stop"
wait "$storm"
binds=$(cat "$T/storm.count")
[ "$ok_reloads" = 1 ] && pass reload-command || fail reload-command "$(cat "$T/reload.out")"

# After the last reload 888 is listed: a bind to it must be reported.
"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 888))'
sleep 0.5
kill -INT "$pid"
wait "$pid"
pid=

# bind events only: a reload that adds ports also scans, and a scan reports
# the storm's sockets that happen to be bound at that moment (source "scan")
events=$(grep '"port":686,' "$T/events.jsonl" | grep -vc '"source":"scan"')
drops=$(sed -n 's/.* drops=\([0-9]*\).*/\1/p' "$T/stderr" | tail -1)
if [ "$binds" -gt 0 ] && [ "$events" = "$binds" ] && [ "${drops:-x}" = 0 ]; then
	pass storm-nothing-missed
	echo "# $P: $binds binds to 686 during 4 reloads, $events events, 0 drops"
else
	fail storm-nothing-missed "binds=$binds events=$events drops=${drops:-?}"
fi
if grep -q '"port":888,' "$T/events.jsonl"; then
	pass reload-adds-port
else
	fail reload-adds-port "no event for 888 after the reload that listed it"
fi
if grep -q 'reload refused, running policy kept' "$T/stderr"; then
	pass reload-bad-logged
else
	fail reload-bad-logged "no refusal in the daemon's log"
fi
n=$(grep -c '^ghostport: reloaded' "$T/stderr")
[ "$n" = 3 ] && pass reloads-applied || fail reloads-applied "$n reloads applied, want 3"
