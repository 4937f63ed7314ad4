#!/bin/bash
# Adopting a pinned instance checks that it is this build's (issue 13):
# an enforcing daemon is killed (its pins stay), the program identity in
# its pinned state is changed as another build's would differ, and the
# next `ghostport run` must refuse with one line telling to run
# `ghostport unload`, leave the pins alone, and `unload` must clear them.
# The same daemon restarted over its own pins (unchanged) adopts them.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GP=$ROOT/build/ghostport
P=host/adopt
T=$(mktemp -d /tmp/gp-adopt.XXXXXX)
PIN=/sys/fs/bpf/ghostport
pid=

. "$ROOT/tests/host.d/lib/host.sh"
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	"$GP" unload >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

need_root "needs root"
command -v bpftool >/dev/null || { skip all "bpftool missing"; exit 0; }
command -v python3 >/dev/null || { skip all "python3 missing"; exit 0; }
wait_run_lock
"$GP" unload >/dev/null 2>&1

start() { # log: an enforcing cgroup daemon, pinned; 0 when ready
	"$GP" run --no-config --source cgroup --enforce --ports 686 \
		--format json >/dev/null 2>"$1" &
	pid=$!
	for _ in $(seq 1 150); do
		grep -q '^ghostport: ready' "$1" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}
kill9() { kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=; }

if ! start "$T/a.log"; then
	fail start "did not start: $(tail -1 "$T/a.log")"
	exit 0
fi
kill9
if ! start "$T/b.log"; then
	fail adopt-own "restart over its own pins failed: $(tail -1 "$T/b.log")"
elif grep -q 'adopted the pinned instance' "$T/b.log"; then
	pass adopt-own
else
	fail adopt-own "started without adopting the pins"
fi
kill9

bss=$(ls "$PIN" | grep -m1 '^map-.*bss$')
if [ -z "$bss" ]; then
	fail pinned-state "no pinned .bss under $PIN"
	exit 0
fi
# Flip one byte of gp_pin_version (found by name in the BTF-formatted dump,
# then by value in the raw bytes) as another build's identity would be.
if ! bpftool -j map dump pinned "$PIN/$bss" >"$T/dump.json" 2>"$T/dump.err" ||
   ! python3 - "$T/dump.json" >"$T/update.args" <<'PYEOF'
import json, struct, sys
d = json.load(open(sys.argv[1]))[0]
raw = bytes(int(x, 16) for x in d["value"])
ver = None
for sec in d["formatted"]["value"].values():
    for var in sec:
        if "gp_pin_version" in var:
            ver = var["gp_pin_version"]
if not ver:
    sys.exit("gp_pin_version not set")
needle = struct.pack("<Q", ver)
i = raw.find(needle)
if i < 0 or raw.find(needle, i + 1) >= 0:
    sys.exit("gp_pin_version not found once in the raw value")
b = bytearray(raw)
b[i] ^= 0x01
print("key 0 0 0 0 value " + " ".join("0x%02x" % x for x in b))
PYEOF
then
	fail pinned-state "cannot rewrite $bss: $(head -c 300 "$T/dump.err") $(tail -1 "$T/update.args" 2>/dev/null)"
	exit 0
fi
# shellcheck disable=SC2046
if ! bpftool map update pinned "$PIN/$bss" $(cat "$T/update.args") 2>"$T/upd.err"; then
	fail pinned-state "bpftool map update: $(head -c 300 "$T/upd.err")"
	exit 0
fi
npins=$(ls "$PIN" | wc -l)

if start "$T/c.log"; then
	fail refuse-other-build "adopted another build's instance"
	kill9
else
	n=$(grep -c "ghostport unload" "$T/c.log")
	if grep -q "another ghostport build" "$T/c.log" && [ "$n" -ge 1 ]; then
		pass refuse-other-build
	else
		fail refuse-other-build "stderr: $(tr '\n' ' ' <"$T/c.log" | head -c 400)"
	fi
	# auto prints the one reason; other lines would be other modes failing
	if [ "$(grep -c '^ghostport: ' "$T/c.log")" -le 2 ]; then
		pass refuse-one-line
	else
		fail refuse-one-line "$(grep -c '^ghostport: ' "$T/c.log") lines: $(tr '\n' ' ' <"$T/c.log" | head -c 400)"
	fi
fi
pid=
if [ "$(ls "$PIN" 2>/dev/null | wc -l)" = "$npins" ]; then
	pass pins-untouched
else
	fail pins-untouched "$npins pins before, $(ls "$PIN" 2>/dev/null | wc -l) after the refusal"
fi
"$GP" unload >"$T/u.out" 2>&1
if [ ! -e "$PIN" ] || [ -z "$(ls "$PIN")" ]; then
	pass unload-clears
else
	fail unload-clears "left: $(ls "$PIN" | tr '\n' ' ')"
fi
exit 0
