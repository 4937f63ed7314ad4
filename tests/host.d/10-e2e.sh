#!/bin/bash
# tests/host.d/10-e2e.sh - end-to-end bind tests on this host (root needed).
#
# The host kernel cannot do fentry/kprobe (see ../shared/notes/kernels.md),
# so here: the cgroup mode (plain and ASan builds) with the full bind script,
# `--source auto` falling back to cgroup and saying why, and `--all`
# reporting unlisted binds with verdict "none".  Builds nothing: the caller
# runs make (and make asan).  Prints PASS/FAIL/SKIP lines; exits 1 on a FAIL.
set -u
cd "$(dirname "$0")/../.." || exit 1

E2E=${GP_E2E:-build/tests/e2e/gp_e2e}
GP=${GHOSTPORT:-build/ghostport}
GP_ASAN=${GHOSTPORT_ASAN:-build/asan/ghostport}
TMO=${GP_E2E_TIMEOUT:-300}

tmp=$(mktemp -d /tmp/gp-run-host.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
out=$tmp/results

say() { echo "$*" | tee -a "$out"; }

# gp_e2e with a time limit; its result lines go to stdout and $out.
e2e() { # name args...
	local name=$1 rc
	shift
	timeout -k 10 "$TMO" "$E2E" "$@" | tee -a "$out"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ge 124 ]; then
		say "FAIL $name: gp_e2e killed after ${TMO}s or crashed (exit $rc)"
	fi
	return 0
}

if [ "$(id -u)" != 0 ]; then
	say "SKIP host/e2e: needs root to load BPF programs"
	exit 0
fi
for f in "$E2E" "$GP"; do
	if [ ! -x "$f" ]; then
		say "FAIL host/e2e: $f not built (run make first)"
		exit 1
	fi
done

# 1. the whole bind script in cgroup mode, which must work here
e2e host/cgroup run --ghostport "$GP" --source cgroup --prefix host/cgroup \
	--expect-available yes --dump "$tmp/cgroup.jsonl"

# 2. the same under ASan/UBSan, and its events equal to the plain build's
if [ -x "$GP_ASAN" ]; then
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	e2e host/cgroup-asan run --ghostport "$GP_ASAN" --source cgroup \
		--prefix host/cgroup-asan --expect-available yes \
		--dump "$tmp/cgroup-asan.jsonl"
	if [ -s "$tmp/cgroup.jsonl" ] && [ -s "$tmp/cgroup-asan.jsonl" ]; then
		e2e host/compare-asan compare --prefix host/compare-asan \
			"$tmp/cgroup.jsonl" "$tmp/cgroup-asan.jsonl"
	else
		say "FAIL host/compare-asan: a dump is missing"
	fi
else
	say "SKIP host/cgroup-asan: $GP_ASAN not built (make asan)"
fi

# 3. --source auto: must pick cgroup here and say why fentry and kprobe failed
e2e host/auto run --ghostport "$GP" --source auto --expect-source cgroup \
	--prefix host/auto --expect-available yes --stderr-log "$tmp/auto.err" \
	--only v4-tcp,v6-udp-any,unlisted-tcp
if [ ! -s "$tmp/auto.err" ]; then
	say "FAIL host/auto-fallback: no stderr captured from ghostport run --source auto"
else
	# Only what it printed before it was ready counts as the explanation.
	sed '/^ghostport: ready/q' "$tmp/auto.err" >"$tmp/auto.pre"
	why=""
	for m in fentry kprobe; do
		line=$(grep -i "^ghostport: .*\b$m\b" "$tmp/auto.pre" | head -n1)
		if [ -z "$line" ]; then
			why="${why:+$why; }no line explains why $m was not taken"
		elif ! echo "$line" | grep -qiE "$m[^:]*: *[^ ]"; then
			why="${why:+$why; }the $m line gives no reason: $line"
		fi
	done
	if ! grep -q '^ghostport: ready.*cgroup' "$tmp/auto.pre"; then
		why="${why:+$why; }the ready line does not name cgroup: $(grep '^ghostport: ready' "$tmp/auto.pre")"
	fi
	if [ -z "$why" ]; then
		say "PASS host/auto-fallback"
		sed 's/^/# host\/auto: /' "$tmp/auto.pre" | grep -iE 'fentry|kprobe|kmod|ready' | tee -a "$out"
	else
		say "FAIL host/auto-fallback: $why"
	fi
fi

# 4. --all: unlisted binds are reported, verdict "none", listed false
e2e host/cgroup-all run --ghostport "$GP" --source cgroup --all \
	--prefix host/cgroup-all --expect-available yes \
	--only v4-tcp,unlisted-tcp,unlisted-udp-edges,unlisted-v6,tcp-on-udp-only-port,nobody-unlisted

if grep -q '^FAIL ' "$out"; then
	exit 1
fi
exit 0
