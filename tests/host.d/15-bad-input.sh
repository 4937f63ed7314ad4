#!/bin/bash
# tests/host.d/15-bad-input.sh - ghostport on bad input: every case must end with a
# clear one-line "ghostport: ..." error and a non-zero exit (2 for usage,
# 1 at run time), never a crash (exit >= 128), a hang or a silent success.
# Also: list, version and the help texts work.  One result line per check.
# Needs root for the run-time cases (not root, no BTF, BPF refused, no
# cgroup v2); usage errors are checked whoever runs it.
set -u
cd "$(dirname "$0")/../.." || exit 1

GP=${GHOSTPORT:-build/ghostport}
S=host/bad-input
TMO=20
nfail=0

tmp=$(mktemp -d /tmp/gp-bad-input.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"

pass() { echo "PASS $S/$1"; }
fail() { echo "FAIL $S/$1: $2"; nfail=$((nfail + 1)); }
skip() { echo "SKIP $S/$1: $2"; }

# One line, printable, for a result message.
oneline() { tr '\n\t' '  ' | tr -c '[:print:]' '?' | cut -c1-200; }

# run NAME cmd...: runs with a time limit; sets rc, $tmp/NAME.out/.err
run() {
	local name=$1
	shift
	timeout -k 5 "$TMO" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
	rc=$?
}

# expect_err NAME WANT_RC REGEX [--runtime] -- cmd...
#   usage errors (WANT_RC 2): exactly one stderr line, "ghostport: ..."
#   run-time errors (WANT_RC 1): every stderr line "ghostport: ..."; the
#   last one is the error (earlier ones may explain a fallback)
#   REGEX (grep -Ei) must match the error line: it names the cause.
expect_err() {
	local name=$1 want=$2 re=$3 last nlines bad
	shift 4
	run "$name" "$@"
	last=$(grep -v '^$' "$tmp/$name.err" | tail -n1)
	nlines=$(grep -vc '^$' "$tmp/$name.err")
	bad=$(grep -v '^$' "$tmp/$name.err" | grep -v '^ghostport: ' | head -n1)
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		fail "$name" "hung: killed after ${TMO}s; stderr: $(oneline <"$tmp/$name.err")"
	elif echo "$last" | grep -q '^ghostport: another ghostport run is active'; then
		# Single-instance lock held by someone else: the check was not made.
		skip "$name" "could not check: $(echo "$last" | oneline)"
	elif [ "$rc" -ge 128 ]; then
		fail "$name" "crashed: exit $rc (signal $((rc - 128))); stderr: $(tail -n3 "$tmp/$name.err" | oneline)"
	elif [ "$rc" = 0 ]; then
		fail "$name" "exit 0 (silent success); stderr: $(oneline <"$tmp/$name.err")"
	elif [ "$nlines" = 0 ]; then
		fail "$name" "exit $rc with nothing on stderr"
	elif [ -n "$bad" ]; then
		fail "$name" "stderr line without \"ghostport: \": $(echo "$bad" | oneline)"
	elif [ "$want" = 2 ] && [ "$nlines" != 1 ]; then
		fail "$name" "$nlines stderr lines, want one: $(oneline <"$tmp/$name.err")"
	elif grep -q '^ghostport: ready' "$tmp/$name.err"; then
		fail "$name" "it got ready before failing: $(oneline <"$tmp/$name.err")"
	elif [ "$rc" != "$want" ]; then
		fail "$name" "exit $rc, want $want; stderr: $(echo "$last" | oneline)"
	elif ! echo "$last" | grep -Eqi -- "$re"; then
		fail "$name" "message does not name the cause (/$re/): $(echo "$last" | oneline)"
	elif [ -s "$tmp/$name.out" ]; then
		fail "$name" "printed on stdout: $(head -c 200 "$tmp/$name.out" | oneline)"
	else
		pass "$name"
		echo "# $S/$name: exit $rc: $(echo "$last" | oneline)"
	fi
}

# expect_ok NAME REGEX -- cmd...: exit 0, stdout matching REGEX (grep -Ei)
expect_ok() {
	local name=$1 re=$2
	shift 3
	run "$name" "$@"
	if [ "$rc" != 0 ]; then
		fail "$name" "exit $rc, want 0; stderr: $(tail -n2 "$tmp/$name.err" | oneline)"
	elif ! grep -Eqi -- "$re" "$tmp/$name.out"; then
		fail "$name" "stdout lacks /$re/: $(head -c 200 "$tmp/$name.out" | oneline)"
	else
		pass "$name"
	fi
}

if [ ! -x "$GP" ]; then
	echo "FAIL $S/build: $GP not built (run make first)"
	exit 1
fi

# ---- usage errors: exit 2, one line -------------------------------------
R="$GP run --format json"
expect_err ports-70000   2 '70000|range|65535'      -- $R --ports 70000
expect_err ports-reverse 2 '10-5|range|revers|order' -- $R --ports 10-5
expect_err ports-abc     2 'abc'                    -- $R --ports abc
expect_err ports-empty   2 'empty|port'             -- $R --ports ''
expect_err ports-proto   2 'xyz'                    -- $R --ports 686/xyz
expect_err ports-comma   2 'empty|686,,886|port'    -- $R --ports 686,,886
expect_err format-xml    2 'xml'                    -- $GP run --format xml
expect_err source-bogus  2 'bogus'                  -- $R --source bogus
expect_err option-bogus  2 'bogus'                  -- $R --bogus-option
expect_err command-bogus 2 'bogus'                  -- $GP bogus-command

# ---- run-time errors: exit 1 --------------------------------------------
if [ "$(id -u)" != 0 ]; then
	for n in not-root no-btf no-cgroup2 bpf-refused-fentry bpf-refused-kprobe; do
		skip "$n" "needs root (to drop privileges or load BPF)"
	done
else
	# not root: a copy anybody can execute, run as nobody
	cp "$GP" "$tmp/ghostport" && chmod 755 "$tmp/ghostport"
	if command -v setpriv >/dev/null; then
		expect_err not-root 1 'capabilit|permission|root|CAP_|privilege' -- \
			setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$tmp/ghostport" run --format json --source cgroup
		expect_err not-root-auto 1 'capabilit|permission|root|CAP_|privilege' -- \
			setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$tmp/ghostport" run --format json
	else
		skip not-root "setpriv not installed"
	fi
	expect_err no-btf 1 'btf|/nonexistent' -- \
		$R --source cgroup --btf /nonexistent
	expect_err no-cgroup2 1 'cgroup|/nonexistent' -- \
		$R --source cgroup --cgroup /nonexistent
	# a directory that exists but is not cgroup v2
	expect_err not-cgroup2 1 'cgroup' -- \
		$R --source cgroup --cgroup "$tmp"
	# BPF refused: this host's kernel refuses trampolines and has no
	# kprobes (../shared/notes/kernels.md); where they work, SKIP.
	for m in fentry kprobe; do
		run "probe-$m" $R --source "$m"
		if grep -q '^ghostport: ready' "$tmp/probe-$m.err"; then
			skip "bpf-refused-$m" "$m works on this kernel"
			continue
		fi
		expect_err "bpf-refused-$m" 1 "$m" -- $R --source "$m"
	done
fi

# ---- commands that must work ----------------------------------------------
expect_ok list        '^.*\b686\b.*hcp-wismar'  -- $GP list
if grep -Eq '\b886\b.*iclcnet-locate' "$tmp/list.out" 2>/dev/null; then
	pass list-886
else
	fail list-886 "ghostport list lacks 886 iclcnet-locate"
fi
expect_ok version     '^ghostport [0-9]+\.[0-9]+' -- $GP version
expect_ok help        '\brun\b.*|usage'         -- $GP --help
expect_ok run-help    '--ports'                 -- $GP run --help
expect_ok list-help   'usage|list'              -- $GP list --help
for h in help run-help list-help; do
	if [ -s "$tmp/$h.err" ]; then
		echo "# $S/$h: also wrote to stderr: $(head -c 120 "$tmp/$h.err" | oneline)"
	fi
done

[ "$nfail" = 0 ]
