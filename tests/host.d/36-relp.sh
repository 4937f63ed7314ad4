#!/bin/bash
# tests/host.d/36-relp.sh - relp:// and relp+tls:// against Debian's rsyslog
# with imrelp (package rsyslog-relp): at least once, end to end.
#
#   relp-basic         every event of a few binds arrives, delivered = handed
#   relp-kill9-storm   a storm of listed binds; the collector is killed -9
#                      in the middle and restarted: every event arrives
#                      (duplicates allowed), they are counted in `resent`,
#                      and delivered + spooled + dropped = handed
#   relp-restart       the collector down, binds, ghostport stopped (events
#                      wait in the spool), collector back, ghostport started
#                      again: every event arrives
#   relp-tls           the same over imrelp tls="on" with a client
#                      certificate (x509/certvalid)
# Run with the host lock: flock /tmp/gp-host.lock tests/host.d/36-relp.sh
# Prints PASS/FAIL/SKIP host/relp/<case> lines.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
GP=${GHOSTPORT:-$ROOT/build/ghostport}
P=host/relp
. "$ROOT/tests/host.d/lib/host.sh"

need_root "needs root"
need_tools rsyslogd python3 openssl ss
ls /usr/lib/*/rsyslog/imrelp.so >/dev/null 2>&1 ||
	{ skip all "rsyslog-relp (imrelp) not installed"; exit 0; }
need_built all "$GP"

T=$(mktemp -d /tmp/gp-relp.XXXXXX) || exit 1
gp_pid=; rs_pid=
cleanup() {
	[ -n "$gp_pid" ] && kill "$gp_pid" 2>/dev/null && wait "$gp_pid" 2>/dev/null
	[ -n "$rs_pid" ] && kill -9 "$rs_pid" 2>/dev/null && wait "$rs_pid" 2>/dev/null
	"$GP" unload >/dev/null 2>&1
	[ -n "${GP_KEEP:-}" ] || rm -rf "$T"; [ -n "${GP_KEEP:-}" ] && echo "# kept $T"
}
trap cleanup EXIT

port=$(free_port); tport=$(free_port)

pki "$T" gp-relp-ca || exit 0

# rsyslog: imrelp on $port (plain) and $tport (TLS), raw messages to files.
cat >"$T/rs.conf" <<CONF
global(workDirectory="$T" maxMessageSize="64k")
module(load="imrelp")
template(name="raw" type="string" string="%rawmsg%\n")
input(type="imrelp" address="127.0.0.1" port="$port" ruleset="plain")
input(type="imrelp" address="127.0.0.1" port="$tport" ruleset="tls"
      tls="on" tls.cacert="$T/ca.pem" tls.mycert="$T/srv.pem"
      tls.myprivkey="$T/srv.key" tls.authmode="certvalid")
ruleset(name="plain") { action(type="omfile" file="$T/relp.log" template="raw") }
ruleset(name="tls") { action(type="omfile" file="$T/relp-tls.log" template="raw") }
CONF
rs_start() {
	rsyslogd -n -f "$T/rs.conf" -i "$T/rs.pid" >>"$T/rs.out" 2>&1 &
	rs_pid=$!
	for _ in $(seq 50); do
		ss -ltn | grep -q ":$port " && return 0
		sleep 0.1
	done
	return 1
}
rs_kill9() {
	[ -n "$rs_pid" ] || return 0
	kill -9 "$rs_pid"; wait "$rs_pid" 2>/dev/null; rs_pid=
	rm -f "$T/rs.pid"
}
if ! rs_start; then
	fail rsyslog "rsyslogd with imrelp did not start: $(tail -2 "$T/rs.out" | tr '\n' ' ')"
	exit 0
fi

gp_start() { # LOG args...
	local log=$1
	shift
	: >"$log"
	"$GP" run --no-config --no-pin --source cgroup --ports 686 "$@" \
		>/dev/null 2>>"$log" &
	gp_pid=$!
	gp_ready "$log"
}
summary_field() { # LOG SPEC FIELD
	grep "^ghostport: output $2 " "$1" | tail -1 |
		sed -n "s/.* $3=\([0-9]*\).*/\1/p"
}

# binds FIRST LAST: TCP binds to 127.x.y.z:686, one distinct address each
cat >"$T/binds.py" <<'PY'
import socket, sys
for i in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
    s = socket.socket()
    try:
        s.bind(("127.%d.%d.%d" % (1 + (i >> 16), i >> 8 & 255, i & 255), 686))
    except OSError:
        pass
    s.close()
PY
binds() { python3 "$T/binds.py" "$@"; }
# addrs FILE FIRST LAST: how many of the addresses of binds FIRST..LAST
# the collector has; dups FILE: messages received more than once
cat >"$T/addrs.py" <<'PY'
import re, sys
want = set("127.%d.%d.%d" % (1 + (i >> 16), i >> 8 & 255, i & 255)
           for i in range(int(sys.argv[2]), int(sys.argv[3]) + 1))
seen = set()
try:
    for line in open(sys.argv[1], errors="replace"):
        m = re.search(r'"addr":"([^"]*)"', line)
        if m:
            seen.add(m.group(1))
except FileNotFoundError:
    pass
print(len(want & seen))
PY
addrs() { python3 "$T/addrs.py" "$@"; }
dups() { [ -f "$1" ] && grep -o '"addr":"[^"]*"' "$1" | sort | uniq -d | wc -l || echo 0; }
wait_addrs() { # FILE FIRST LAST TENTHS
	local want=$(($3 - $2 + 1))
	for _ in $(seq "$4"); do
		[ "$(addrs "$1" "$2" "$3")" -ge "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

spec="json@relp://127.0.0.1:$port"
SP=(--spool-dir "$T/spool")

# ---- basic -------------------------------------------------------------------
if gp_start "$T/b.log" --output "$spec" "${SP[@]}"; then
	binds 1 50
	wait_addrs "$T/relp.log" 1 50 100
	gp_stop
	got=$(addrs "$T/relp.log" 1 50)
	d=$(summary_field "$T/b.log" "$spec" delivered)
	h=$(summary_field "$T/b.log" "$spec" handed)
	[ "$got" = 50 ] && [ "$d" = 50 ] && [ "$h" = 50 ] && pass relp-basic ||
		fail relp-basic "$got of 50 arrived; handed=$h delivered=$d"
else
	fail relp-basic "did not start: $(tail -1 "$T/b.log")"
fi

# ---- storm, collector killed -9 mid-storm, restarted --------------------------
N=3000
: >"$T/relp.log"
if gp_start "$T/k.log" --output "$spec" "${SP[@]}"; then
	binds 1001 $((1000 + N)) &
	storm=$!
	for _ in $(seq 100); do	# until the collector has some of the storm
		[ "$(grep -c addr "$T/relp.log" 2>/dev/null)" -ge 200 ] && break
		sleep 0.05
	done
	before=$(grep -c addr "$T/relp.log" 2>/dev/null)
	rs_kill9
	sleep 1
	rs_start || fail relp-kill9-storm "rsyslogd did not restart"
	wait "$storm"
	wait_addrs "$T/relp.log" 1001 $((1000 + N)) 300
	sleep 0.5
	gp_stop
	got=$(addrs "$T/relp.log" 1001 $((1000 + N)))
	dup=$(dups "$T/relp.log")
	h=$(summary_field "$T/k.log" "$spec" handed)
	d=$(summary_field "$T/k.log" "$spec" delivered)
	q=$(summary_field "$T/k.log" "$spec" spooled)
	x=$(summary_field "$T/k.log" "$spec" dropped)
	r=$(summary_field "$T/k.log" "$spec" resent)
	echo "# $P: killed after $before messages; $got of $N arrived, $dup twice; handed=$h delivered=$d spooled=$q dropped=$x resent=$r"
	[ "$got" = $N ] && pass relp-kill9-storm ||
		fail relp-kill9-storm "$got of $N events arrived"
	[ -n "$h" ] && [ $((d + q + x)) = "$h" ] && [ "$h" -ge $N ] &&
		pass relp-kill9-counters ||
		fail relp-kill9-counters "handed=$h delivered=$d spooled=$q dropped=$x"
	# every duplicate the collector has was a resend ghostport counted
	[ -n "$r" ] && [ "$dup" -le "$r" ] && pass relp-kill9-resent-counted ||
		fail relp-kill9-resent-counted "$dup duplicates at the collector, resent=$r"
else
	fail relp-kill9-storm "did not start: $(tail -1 "$T/k.log")"
fi

# ---- across a ghostport restart: the spool ------------------------------------
: >"$T/relp.log"
rs_kill9
if gp_start "$T/r1.log" --output "$spec" "${SP[@]}"; then
	binds 5001 5300
	sleep 1
	gp_stop
	q=$(summary_field "$T/r1.log" "$spec" spooled)
	rs_start || fail relp-restart "rsyslogd did not restart"
	if gp_start "$T/r2.log" --output "$spec" "${SP[@]}"; then
		binds 5301 5400
		wait_addrs "$T/relp.log" 5001 5400 200
		gp_stop
		got=$(addrs "$T/relp.log" 5001 5400)
		[ "$q" = 300 ] && [ "$got" = 400 ] && pass relp-restart ||
			fail relp-restart "first run spooled=$q (want 300), $got of 400 arrived after the restart"
	else
		fail relp-restart "second run did not start: $(tail -1 "$T/r2.log")"
	fi
else
	fail relp-restart "did not start: $(tail -1 "$T/r1.log")"
fi

# ---- RELP over TLS ---------------------------------------------------------------
tspec="json@relp+tls://127.0.0.1:$tport"
if ! ss -ltn | grep -q ":$tport "; then
	skip relp-tls "imrelp did not listen with tls=\"on\": $(grep -i tls "$T/rs.out" | tail -1)"
elif gp_start "$T/t.log" --output "$tspec" "${SP[@]}" --tls-ca "$T/ca.pem" \
	--tls-cert "$T/cli.pem" --tls-key "$T/cli.key"; then
	binds 7001 7100
	wait_addrs "$T/relp-tls.log" 7001 7100 100
	gp_stop
	got=$(addrs "$T/relp-tls.log" 7001 7100)
	d=$(summary_field "$T/t.log" "$tspec" delivered)
	if [ "$got" = 100 ] && [ "$d" = 100 ]; then
		pass relp-tls
	elif grep -qi 'tls\|gnutls\|openssl' "$T/rs.out" && [ "$got" = 0 ]; then
		skip relp-tls "rsyslog's imrelp TLS did not work here: $(grep -i 'tls' "$T/rs.out" | tail -1)"
	else
		fail relp-tls "$got of 100 arrived, delivered=$d; $(grep "$tspec" "$T/t.log" | tail -1)"
	fi
else
	fail relp-tls "did not start: $(tail -1 "$T/t.log")"
fi
exit 0
