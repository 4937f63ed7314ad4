#!/bin/bash
# tests/host.d/40-systemd.sh - packaging checks on the host: the systemd
# unit verifies (with ExecStart pointed at the built binary), the packaged
# config is valid, a broken one is refused with FILE:LINE:COL, and the man
# pages render without warnings.
#
# Result lines per docs/hacking.md: PASS/FAIL/SKIP host/systemd/<name>.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${GHOSTPORT:-$ROOT/build/ghostport}
P=host/systemd
tmp=$(mktemp -d /tmp/gp-systemd-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

. "$ROOT/tests/host.d/lib/host.sh"
# The first lines of a log as one-line context.
brief() { tr '\n' ' ' <"$1" | cut -c1-300; }

# ---- the unit ------------------------------------------------------------
mkdir -p "$tmp/unit" "$tmp/man/man8" "$tmp/man/man5"
cp "$ROOT/docs/man/ghostport.8" "$tmp/man/man8/"
cp "$ROOT/docs/man/ghostport.conf.5" "$tmp/man/man5/"
if ! command -v systemd-analyze >/dev/null; then
	skip verify "systemd-analyze not installed (apt-get install systemd)"
elif [ ! -x "$BIN" ]; then
	fail verify "$BIN not built"
else
	sed "s#/usr/local/sbin/ghostport#$BIN#g" "$ROOT/packaging/ghostport.service" \
		>"$tmp/unit/ghostport.service"
	# MANPATH: Documentation=man:... must resolve to our pages.
	if MANPATH="$tmp/man" SYSTEMD_LOG_LEVEL=notice \
		systemd-analyze verify "$tmp/unit/ghostport.service" >"$tmp/verify.log" 2>&1 &&
		! grep -q . "$tmp/verify.log"; then
		pass verify
	else
		fail verify "$(brief "$tmp/verify.log")"
	fi
fi

# ---- the packaged config ---------------------------------------------------
if [ ! -x "$BIN" ]; then
	fail check-config "$BIN not built"
else
	out=$("$BIN" check-config "$ROOT/packaging/ghostport.conf" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && [[ $out == *": OK ("*"digest "* ]]; then
		pass check-config
	else
		fail check-config "exit $rc: ${out:0:300}"
	fi
	printf 'enforce: yes\nrules:\n  - ports: "70000"\n' >"$tmp/bad.conf"
	out=$("$BIN" check-config "$tmp/bad.conf" 2>&1)
	rc=$?
	if [ $rc -eq 1 ] &&
		grep -q "^$tmp/bad.conf:1:10: enforce: expected true or false" <<<"$out" &&
		grep -q "^$tmp/bad.conf:3:12: rules\[0\]: bad port list item" <<<"$out"; then
		pass check-config-errors
	else
		fail check-config-errors "exit $rc: ${out:0:300}"
	fi
fi

# ---- man pages ------------------------------------------------------------
if ! command -v groff >/dev/null; then
	skip man "groff not installed (apt-get install groff-base)"
else
	for m in ghostport.8 ghostport.conf.5; do
		if ! LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$ROOT/docs/man/$m" \
			>"$tmp/groff.log" 2>&1 || grep -q . "$tmp/groff.log"; then
			fail "man/$m" "groff: $(brief "$tmp/groff.log")"
		elif command -v man >/dev/null &&
			! MANWIDTH=80 man -l "$ROOT/docs/man/$m" >"$tmp/man.txt" 2>"$tmp/man.log"; then
			fail "man/$m" "man -l: $(brief "$tmp/man.log")"
		else
			pass "man/$m"
		fi
	done
fi
exit 0
