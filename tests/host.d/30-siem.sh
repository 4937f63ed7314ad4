#!/bin/bash
# tests/host.d/30-siem.sh - SIEM streaming end to end against Debian's rsyslog.
#
# Starts rsyslogd (its own config, in a temp dir, not the system's) on
# loopback with a plain TCP input (octet counting) and a TLS input (gtls,
# x509/certvalid: the client must present a certificate of our throw-away
# CA), each writing the raw messages it receives to a file.  Then one
# `ghostport run` streams RFC 5424 over TLS, CEF over TCP, JSON to a file
# and text to stdout at once, and real binds to listed ports are checked
# in every destination: every event, every field, in order; a collector
# outage (rsyslog stopped, binds made, rsyslog restarted) loses nothing;
# hostile process names give well-formed records everywhere.
# Prints PASS/FAIL/SKIP host/siem/<name> lines.
set -u
cd "$(dirname "$0")/../.." || exit 1

GP=${GHOSTPORT:-build/ghostport}
P=host/siem
. tests/host.d/lib/host.sh

need_root "needs root"
need_tools rsyslogd openssl python3
[ -e /usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so ] || ls /usr/lib/*/rsyslog/lmnsd_gtls.so >/dev/null 2>&1 ||
	{ echo "SKIP $P/all: rsyslog-gnutls not installed"; exit 0; }
need_built all "$GP"
if ! "$GP" run --help 2>&1 | grep -q -- '--output'; then
	echo "SKIP $P/all: this ghostport run has no --output yet"
	exit 0
fi

tmp=$(mktemp -d /tmp/gp-siem.XXXXXX) || exit 1
rs_pid=; gp_pid=
cleanup() {
	[ -n "$gp_pid" ] && kill "$gp_pid" 2>/dev/null && wait "$gp_pid" 2>/dev/null
	[ -s "$tmp/rs.pid" ] && kill "$(cat "$tmp/rs.pid")" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# ---- throw-away PKI ---------------------------------------------------
pki "$tmp" ghostport-test-ca || exit 1

tcp_port=$(free_port); tls_port=$(free_port)

cat >"$tmp/rs.conf" <<CONF
global(workDirectory="$tmp" maxMessageSize="64k"
       defaultNetstreamDriverCAFile="$tmp/ca.pem"
       defaultNetstreamDriverCertFile="$tmp/srv.pem"
       defaultNetstreamDriverKeyFile="$tmp/srv.key")
module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1"
       StreamDriver.AuthMode="x509/certvalid")
template(name="raw" type="string" string="%rawmsg%\n")
input(type="imtcp" address="127.0.0.1" port="$tls_port" ruleset="tls")
input(type="imtcp" address="127.0.0.1" port="$tcp_port" ruleset="plain"
      StreamDriver.Name="ptcp" StreamDriver.Mode="0" StreamDriver.AuthMode="anon")
ruleset(name="tls") { action(type="omfile" file="$tmp/tls.log" template="raw") }
ruleset(name="plain") { action(type="omfile" file="$tmp/tcp.log" template="raw") }
CONF

rs_start() {
	rsyslogd -f "$tmp/rs.conf" -i "$tmp/rs.pid" >>"$tmp/rs.out" 2>&1 || return 1
	for _ in $(seq 50); do
		ss -ltn | grep -q ":$tls_port " && ss -ltn | grep -q ":$tcp_port " && return 0
		sleep 0.1
	done
	return 1
}
rs_stop() {
	local pid; pid=$(cat "$tmp/rs.pid" 2>/dev/null) || return 0
	kill "$pid"; for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	rm -f "$tmp/rs.pid"
}
if ! rs_start; then
	echo "FAIL $P/rsyslog: rsyslogd did not start: $(tail -2 "$tmp/rs.out" | tr '\n' ' ')"; exit 1
fi
echo "PASS $P/rsyslog-started"

# ---- ghostport run with four outputs ------------------------------------
gp_start() {
	"$GP" run --no-config --no-pin --source cgroup --ports 686,886 \
		--output "syslog@tls://127.0.0.1:$tls_port" \
		--output "cef@tcp://127.0.0.1:$tcp_port" \
		--output "json@file:$tmp/events.jsonl" \
		--output "text@-" \
		--tls-ca "$tmp/ca.pem" --tls-cert "$tmp/cli.pem" --tls-key "$tmp/cli.key" \
		--spool-dir "$tmp/spool" >"$tmp/stdout.txt" 2>"$tmp/stderr.txt" &
	gp_pid=$!
	for _ in $(seq 100); do
		grep -q "ready" "$tmp/stderr.txt" && return 0
		kill -0 "$gp_pid" 2>/dev/null || break
		sleep 0.1
	done
	wait "$gp_pid" 2>/dev/null; gp_pid=
	return 1
}
# Another test's ghostport holds the instance lock: wait for it a while.
for _ in $(seq 30); do
	gp_start && break
	grep -q "another ghostport run is active" "$tmp/stderr.txt" || break
	sleep 2
done
if [ -z "$gp_pid" ]; then
	if grep -q "another ghostport run is active" "$tmp/stderr.txt"; then
		echo "SKIP $P/all: another ghostport run held the instance lock for 60 s"
	else
		echo "FAIL $P/run: ghostport did not get ready: $(tail -3 "$tmp/stderr.txt" | tr '\n' ' ')"
	fi
	exit 0
fi

# binds: N to 127.0.0.<i>:686 (tcp) and :886 (udp); the address orders them
bind_batch() { # first last [comm-hex]
	python3 - "$@" <<'PY'
import ctypes, socket, sys
first, last = int(sys.argv[1]), int(sys.argv[2])
if len(sys.argv) > 3:
    ctypes.CDLL(None).prctl(15, bytes.fromhex(sys.argv[3]), 0, 0, 0)  # PR_SET_NAME
for i in range(first, last + 1):
    for port, kind in ((686, socket.SOCK_STREAM), (886, socket.SOCK_DGRAM)):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind(("127.0.0.%d" % i, port))
        except OSError:
            pass
        s.close()
PY
}

# check.py DEST-KIND FILE EXPECTED-ADDR-LIST [comm-hex]: every event, in order, fields right
cat >"$tmp/check.py" <<'PY'
import json, re, sys, socket
kind, path, want = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
hexcomm = sys.argv[4] if len(sys.argv) > 4 else None
host = socket.gethostname()
try:
    mid = open("/etc/machine-id").read().strip()
except OSError:
    mid = None
lines = open(path, "rb").read().split(b"\n")[:-1]

def sd_parse(s):
    # RFC 5424: <PRI>1 TS HOST APP PROCID MSGID SD MSG
    m = re.match(rb'<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) ', s)
    assert m, "bad header: %r" % s[:80]
    pri, ts, hst, app, procid, msgid = m.groups()
    i = m.end(); params = {}
    assert s[i:i+1] == b"[", "no SD"
    j = s.index(b" ", i); sdid = s[i+1:j]; i = j
    while s[i:i+1] == b" ":
        k = s.index(b'="', i); name = s[i+1:k].decode(); i = k + 2; v = bytearray()
        while s[i:i+1] != b'"':
            if s[i:i+1] == b"\\" and s[i+1:i+2] in (b'"', b"\\", b"]"):
                v += s[i+1:i+2]; i += 2
                continue
            assert s[i:i+1] != b"]", "unescaped ]"
            v += s[i:i+1]; i += 1
        params[name] = v.decode("utf-8"); i += 1
    assert s[i:i+1] == b"]"
    return dict(pri=int(pri), host=hst.decode(), app=app.decode(), msgid=msgid.decode(),
                sdid=sdid.decode(), p=params, msg=s[i+2:])

def cef_parse(s):
    s = s.decode("utf-8")
    k = s.index("CEF:0|"); s = s[k:]
    hdr, i = [], 0
    for _ in range(7):
        v = ""
        while s[i] != "|":
            if s[i] == "\\": i += 1
            v += s[i]; i += 1
        hdr.append(v); i += 1
    ext, keys = s[i:], {}
    ms = list(re.finditer(r'(?:^| )([A-Za-z0-9_]+)=', ext))
    ms = [m for m in ms if (m.end() - 2 < 0 or ext[m.end() - 2] != "\\")]
    for n, m in enumerate(ms):
        end = ms[n + 1].start() if n + 1 < len(ms) else len(ext)
        raw = ext[m.end():end]; v = ""; j = 0
        while j < len(raw):
            if raw[j] == "\\":
                j += 1; v += {"n": "\n", "r": "\r"}.get(raw[j], raw[j])
            else:
                assert raw[j] != "=", "unescaped = in %s" % m.group(1)
                v += raw[j]
            j += 1
        keys[m.group(1)] = v
    return hdr, keys

got = []
for ln in lines:
    if kind == "json":
        j = json.loads(ln)
        assert j["host"] == host and (mid is None or j["machine_id"] == mid)
        assert j["verdict"] == "audit" and j["listed"] is True
        if hexcomm: assert j["comm_hex"] == hexcomm, j.get("comm_hex")
        got.append((j["addr"], j["port"], j["proto"]))
    elif kind == "syslog":
        r = sd_parse(ln)
        assert r["app"] == "ghostport" and r["host"] == host and r["sdid"] == "bind@32473"
        assert r["msgid"] == "BIND_AUDIT" and r["pri"] == 4 * 8 + 5
        p = r["p"]
        assert p["verdict"] == "audit" and p["listed"] == "true"
        if mid: assert p["machine_id"] == mid
        if hexcomm: assert p["comm_hex"] == hexcomm, p
        assert all(0x20 <= c < 0x7f for c in r["msg"]), r["msg"]
        got.append((p["addr"], int(p["port"]), p["proto"]))
    elif kind == "cef":
        hdr, k = cef_parse(ln)
        assert hdr[:3] == ["CEF:0", "ghostport", "ghostport"] and hdr[4] == "bind-audit"
        assert k["dvchost"] == host and k["act"] == "audit"
        if mid: assert k["deviceExternalId"] == mid
        if hexcomm: assert k["ghostportCommHex"] == hexcomm, k
        got.append((k["dst"], int(k["dpt"]), k["proto"].lower()))
    elif kind == "text":
        assert ln.count(b"\r") == 0
        f = ln.split()
        a, port = f[7].decode().rsplit(":", 1)
        got.append((a, int(port), f[6].decode()))
exp = []
for a in want:
    exp += [(a, 686, "tcp"), (a, 886, "udp")]
if got != exp:
    print("got %d, expected %d; first difference at %s" % (len(got), len(exp),
          next((i for i, (x, y) in enumerate(zip(got, exp)) if x != y), min(len(got), len(exp)))))
    sys.exit(1)
PY

addrs() { seq -s, -f "127.0.0.%g" "$1" "$2"; }
wait_lines() { # file count
	for _ in $(seq 400); do
		[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
check() { # name kind file addrs [hex]
	local name=$1 out
	shift
	if out=$(python3 "$tmp/check.py" "$@" 2>&1); then
		echo "PASS $P/$name"
	else
		echo "FAIL $P/$name: $(echo "$out" | tail -1)"
	fi
}
# wait for the outputs to connect before the first batch (not required:
# records wait in the queue; this only keeps the first check quick)
sleep 1

# 1. normal binds, all four outputs
N=20
bind_batch 1 $N
wait_lines "$tmp/tls.log" $((2 * N)); wait_lines "$tmp/tcp.log" $((2 * N))
wait_lines "$tmp/events.jsonl" $((2 * N))
check tls-syslog syslog "$tmp/tls.log" "$(addrs 1 $N)"
check tcp-cef cef "$tmp/tcp.log" "$(addrs 1 $N)"
check file-json json "$tmp/events.jsonl" "$(addrs 1 $N)"
grep -v '^TIME ' "$tmp/stdout.txt" >"$tmp/text.txt"
check stdout-text text "$tmp/text.txt" "$(addrs 1 $N)"

# 2. collector outage: stop rsyslog, bind, restart: nothing lost, in order
rs_stop
sleep 1
bind_batch $((N + 1)) $((2 * N))
sleep 2
if rs_start; then
	# backoff is at most a few seconds after a short outage
	wait_lines "$tmp/tls.log" $((4 * N)); wait_lines "$tmp/tcp.log" $((4 * N))
	check outage-tls-syslog syslog "$tmp/tls.log" "$(addrs 1 $((2 * N)))"
	check outage-tcp-cef cef "$tmp/tcp.log" "$(addrs 1 $((2 * N)))"
else
	echo "FAIL $P/outage: rsyslogd did not restart"
fi

# 3. hostile process name: '"', '\', ']', '|', '=', newline, CR, 0x01, 0xff
HEX=22275c5d7c3d0a0d01ff61
base_tls=$(wc -l <"$tmp/tls.log"); base_tcp=$(wc -l <"$tmp/tcp.log")
base_json=$(wc -l <"$tmp/events.jsonl"); base_txt=$(grep -vc '^TIME ' "$tmp/stdout.txt")
bind_batch 200 201 "$HEX"
wait_lines "$tmp/tls.log" $((base_tls + 4)); wait_lines "$tmp/tcp.log" $((base_tcp + 4))
wait_lines "$tmp/events.jsonl" $((base_json + 4))
sleep 0.3
tail -n +$((base_tls + 1)) "$tmp/tls.log" >"$tmp/h.tls"
tail -n +$((base_tcp + 1)) "$tmp/tcp.log" >"$tmp/h.tcp"
tail -n +$((base_json + 1)) "$tmp/events.jsonl" >"$tmp/h.json"
grep -v '^TIME ' "$tmp/stdout.txt" | tail -n +$((base_txt + 1)) >"$tmp/h.txt"
check hostile-tls-syslog syslog "$tmp/h.tls" "$(addrs 200 201)" "$HEX"
check hostile-tcp-cef cef "$tmp/h.tcp" "$(addrs 200 201)" "$HEX"
check hostile-file-json json "$tmp/h.json" "$(addrs 200 201)" "$HEX"
check hostile-stdout-text text "$tmp/h.txt" "$(addrs 200 201)"

# 4. clean stop: nothing left in the spool
kill -INT "$gp_pid"; wait "$gp_pid"; rc=$?; gp_pid=
if [ "$rc" -eq 0 ] && [ -z "$(find "$tmp/spool" -name '*.spool' -size +0 2>/dev/null)" ]; then
	echo "PASS $P/clean-exit"
else
	echo "FAIL $P/clean-exit: exit $rc, spool: $(ls "$tmp/spool" 2>/dev/null | tr '\n' ' ')"
fi
exit 0
