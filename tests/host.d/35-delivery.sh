#!/bin/bash
# tests/host.d/35-delivery.sh - delivery you can prove (issue 15), end to end.
#
# Each case starts its own `ghostport run` (cgroup source, unpinned unless
# the case needs a pin) and checks one promise:
#   fail-closed        --enforce with an unresolvable collector starts,
#                      denies, spools, and `status` says why the output is down
#   second-instance    a second `ghostport run` never touches the first's spool
#   symlink-spool      a symlink planted as the spool file is refused, its
#                      target left intact
#   symlink-file       same for a file: output
#   stderr-flood       stdout and stderr on the same stalled pipe (systemd):
#                      the exit summary still arrives, and the stdout output's
#                      final counters add up (nothing left "queued" at exit)
#   tls-close-notify   a TLS collector that closes cleanly after some frames:
#                      nothing written after the close is counted delivered,
#                      every event reaches the next collector
#   tls-reject-cert    a TLS 1.3 collector that rejects our certificate after
#                      the handshake: reported with the reason, backs off,
#                      delivered stays 0, nothing dropped, all spooled
#   tcp-unacked        a TCP collector with a closed receive window killed -9:
#                      what its TCP stack never acknowledged is sent again
#   reload-enforce     SIGHUP keeps a run-time `enforce on`
#   unload-count       `ghostport unload` says how many queued events it discards
#   journal-native     the journal output writes journald's native protocol
#   journal-stalled    a journal socket nobody reads: ghostport keeps reading
#                      events (a file output gets them all), the journal
#                      output queues, spools, drops and counts, and
#                      delivered + spooled + dropped = handed
#   prometheus-down    `status --prometheus` shows a down output's reason
#                      and counters that add up
# Run with the host lock: flock /tmp/gp-host.lock tests/host.d/35-delivery.sh
# Prints PASS/FAIL/SKIP host/delivery/<case> lines.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
GP=${GHOSTPORT:-$ROOT/build/ghostport}
P=host/delivery
ONLY=${GP_DELIVERY_ONLY:-}
. "$ROOT/tests/host.d/lib/host.sh"

need_root "needs root"
need_tools python3 openssl strace
need_built all "$GP"

T=$(mktemp -d /tmp/gp-delivery.XXXXXX) || exit 1
gp_pid=; bg_pids=()
cleanup() {
	[ -n "$gp_pid" ] && kill "$gp_pid" 2>/dev/null && wait "$gp_pid" 2>/dev/null
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	"$GP" unload >/dev/null 2>&1
	[ -n "${GP_KEEP:-}" ] || rm -rf "$T"; [ -n "${GP_KEEP:-}" ] && echo "# kept $T"
}
trap cleanup EXIT
want() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }

# gp_start LOG args...: ghostport run in the background, wait for ready.
gp_start() {
	local log=$1
	shift
	: >"$log"
	"$GP" run --no-config --source cgroup "$@" 2>>"$log" &
	gp_pid=$!
	gp_ready "$log"
}

# binds FIRST LAST [PORT]: TCP binds to 127.0.0.<i>:PORT (default 686), one
# per address; prints how many bind() calls were refused with EPERM.
cat >"$T/binds.py" <<'PY'
import errno, socket, sys
first, last = int(sys.argv[1]), int(sys.argv[2])
port = int(sys.argv[3]) if len(sys.argv) > 3 else 686
denied = 0
for i in range(first, last + 1):
    s = socket.socket()
    try:
        s.bind(("127.%d.%d.%d" % (1 + (i >> 16), i >> 8 & 255, i & 255), port))
    except OSError as e:
        denied += e.errno == errno.EPERM
    s.close()
print(denied)
PY
binds() { python3 "$T/binds.py" "$@"; }

# summary_field LOG SPEC-PREFIX FIELD: a counter of the exit summary's line
# for the output whose spec starts with SPEC-PREFIX.
summary_field() {
	grep "^ghostport: output $2" "$1" | tail -1 |
		sed -n "s/.* $3=\([0-9]*\).*/\1/p"
}

# collector.py MODE PORT OUTFILE [args]: a test collector on 127.0.0.1.
#   tcp           accept, read RFC 6587 frames, append messages to OUTFILE
#   tcp-stall     accept with a tiny receive buffer and never read
#   tls           TLS server (cert srv.pem), frames to OUTFILE
#   tls-close N   TLS server: after N frames, close_notify, close; exits
#   tls-reject    TLS 1.3 server that requires a client certificate of a
#                 CA the client does not have (rejects after the handshake)
# Writes "conn" lines to OUTFILE.conns, one per accepted connection.
cat >"$T/collector.py" <<'PY'
import os, socket, ssl, sys
mode, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
d = os.path.dirname(os.path.abspath(__file__))
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if mode == "tcp-stall":
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
ls.bind(("127.0.0.1", port))
ls.listen(8)
open(out + ".ready", "w").close()
ctx = None
if mode.startswith("tls"):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(d + "/srv.pem", d + "/srv.key")
    if mode == "tls-reject":
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(d + "/other-ca.pem")
def frames(conn, limit):
    buf, n = b"", 0
    with open(out, "ab") as f:
        while limit is None or n < limit:
            try:
                data = conn.recv(65536)
            except (ssl.SSLError, OSError):
                return n
            if not data:
                return n
            buf += data
            while b" " in buf:
                ln, rest = buf.split(b" ", 1)
                if len(rest) < int(ln):
                    break
                f.write(rest[:int(ln)] + b"\n"); f.flush()
                buf = rest[int(ln):]
                n += 1
    return n
while True:
    c, _ = ls.accept()
    with open(out + ".conns", "a") as f:
        f.write("conn\n")
    if mode == "tcp-stall":
        bg = c          # keep it open, never read
        continue
    if ctx:
        try:
            c = ctx.wrap_socket(c, server_side=True)
        except (ssl.SSLError, OSError) as e:
            with open(out + ".conns", "a") as f:
                f.write("handshake-failed %s\n" % e)
            c.close()
            continue
    if mode == "tls-close":
        frames(c, int(sys.argv[4]))
        c.setblocking(False)
        try:
            c.unwrap()  # close_notify now, without waiting for the reply
        except (ssl.SSLError, OSError):
            pass
        c.close()       # then FIN
        ls.close()
        sys.exit(0)
    frames(c, None)
    c.close()
PY
col_start() { # mode port out [args]: background collector, wait until listening
	rm -f "$3.ready"
	python3 "$T/collector.py" "$@" 2>>"$T/collector.err" &
	bg_pids+=($!)
	col_pid=$!
	for _ in $(seq 50); do [ -e "$3.ready" ] && return 0; sleep 0.1; done
	return 1
}
wait_lines() { # file count [tenths]
	for _ in $(seq "${3:-100}"); do
		[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# distinct_addrs FILE: number of distinct "addr" values among JSON messages
distinct_addrs() {
	grep -o '"addr":"[^"]*"' "$1" 2>/dev/null | sort -u | wc -l
}

# ca.pem signs our certificates; other-ca.pem, which signs nothing, is the
# CA a collector that rejects our certificate trusts.
pki "$T" gp-delivery-ca || exit 0
if ! openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/other-ca.key" \
	-out "$T/other-ca.pem" -days 1 -subj /CN=gp-other-ca \
	>>"$T/pki.log" 2>&1; then
	fail pki "openssl failed: $(tail -1 "$T/pki.log")"; exit 0
fi
TLSARGS=(--tls-ca "$T/ca.pem" --tls-cert "$T/cli.pem" --tls-key "$T/cli.key")

# ---- fail closed: an unresolvable collector does not stop enforcement ----
if want fail-closed; then
	spec="syslog@tcp://siem.invalid:6514"
	if gp_start "$T/fc.log" --no-pin --enforce --ports 686 --output "$spec" \
		--spool-dir "$T/fc-spool" >/dev/null; then
		denied=$(binds 1 20)
		sleep 0.5
		"$GP" status >"$T/fc.status" 2>&1
		gp_stop
		[ "$denied" = 20 ] && pass fail-closed-denies ||
			fail fail-closed-denies "$denied of 20 binds denied"
		if grep -qi 'resolve' "$T/fc.status"; then
			pass fail-closed-status-why
		else
			fail fail-closed-status-why "status does not say why: $(grep -i siem "$T/fc.status" | head -1)"
		fi
		sp=$(summary_field "$T/fc.log" "$spec" spooled)
		[ "${sp:-0}" -ge 20 ] && pass fail-closed-spools ||
			fail fail-closed-spools "spooled=${sp:-?}, want >= 20"
	else
		fail fail-closed-denies "did not start: $(tail -1 "$T/fc.log")"
	fi
fi

# ---- a second instance leaves the first's spool alone --------------------
if want second-instance; then
	port=$(free_port)
	spec="json@tcp://127.0.0.1:$port"
	if gp_start "$T/si.log" --no-pin --ports 686 --output "$spec" \
		--spool-dir "$T/si-spool" >/dev/null; then
		binds 1 20 >/dev/null
		sleep 1
		strace -f -qq -e trace=%file -o "$T/si.strace" \
			"$GP" run --no-config --no-pin --source cgroup --ports 686 \
			--output "$spec" --spool-dir "$T/si-spool" >/dev/null 2>"$T/si2.log"
		rc=$?
		gp_stop
		if [ "$rc" != 0 ] && grep -q 'another ghostport run is active' "$T/si2.log"; then
			if grep -v execve "$T/si.strace" | grep -q "si-spool"; then
				fail second-instance "the refused second run touched the first's spool: $(grep -v execve "$T/si.strace" | grep si-spool | head -1)"
			else
				pass second-instance
			fi
		else
			fail second-instance "second run: exit $rc, $(tail -1 "$T/si2.log")"
		fi
		sp=$(summary_field "$T/si.log" "$spec" spooled)
		[ "${sp:-0}" = 20 ] && pass second-instance-first-spool ||
			fail second-instance-first-spool "first run spooled=${sp:-?}, want 20"
	else
		fail second-instance "did not start: $(tail -1 "$T/si.log")"
	fi
fi

# ---- symlinks planted as the spool file or a file output -----------------
if want symlink; then
	port=$(free_port)
	spec="json@tcp://127.0.0.1:$port"
	mkdir -m 0700 "$T/sl-spool"
	seq 1 1000 >"$T/victim"; sum=$(md5sum <"$T/victim")
	ln -s "$T/victim" "$T/sl-spool/json_tcp___127.0.0.1_$port.spool"
	if gp_start "$T/sl.log" --no-pin --ports 686 --output "$spec" \
		--spool-dir "$T/sl-spool" >/dev/null; then
		binds 1 5 >/dev/null
		sleep 1
		gp_stop
	fi
	[ "$(md5sum <"$T/victim")" = "$sum" ] && pass symlink-spool-intact ||
		fail symlink-spool-intact "the symlink's target was changed ($(wc -c <"$T/victim") bytes)"
	grep -qi 'symbolic link\|symlink' "$T/sl.log" && pass symlink-spool-error ||
		fail symlink-spool-error "no clear error: $(tail -1 "$T/sl.log")"

	seq 1 1000 >"$T/victim2"; sum=$(md5sum <"$T/victim2")
	mkdir -m 0700 "$T/sl-out"
	ln -s "$T/victim2" "$T/sl-out/events.jsonl"
	if gp_start "$T/sf.log" --no-pin --ports 686 \
		--output "json@file:$T/sl-out/events.jsonl" >/dev/null; then
		binds 1 5 >/dev/null
		sleep 0.5
		gp_stop
	fi
	[ "$(md5sum <"$T/victim2")" = "$sum" ] && pass symlink-file-intact ||
		fail symlink-file-intact "the symlink's target was written to"
	grep -qi 'symbolic link\|symlink' "$T/sf.log" && pass symlink-file-error ||
		fail symlink-file-error "no clear error: $(tail -1 "$T/sf.log")"
fi

# ---- stdout and stderr on one stalled pipe (systemd's journal stream) -----
if want stderr-flood; then
	mkfifo "$T/fifo"
	# reads until the ready line, stalls until $T/go exists, then reads all
	python3 - "$T/fifo" "$T/go" "$T/flood.out" <<'PY' &
import os, sys, time
f = open(sys.argv[1], "rb", buffering=0)
out = open(sys.argv[3], "wb")
buf = b""
while b"ghostport: ready" not in buf:
    d = f.read(4096)
    if not d: break
    buf += d
out.write(buf); out.flush()
open(sys.argv[3] + ".ready", "w").close()
while not os.path.exists(sys.argv[2]):
    time.sleep(0.05)
while True:
    d = f.read(65536)
    if not d: break
    out.write(d)
PY
	rd_pid=$!
	bg_pids+=($rd_pid)
	"$GP" run --no-config --no-pin --source cgroup --ports 686 --format json \
		>"$T/fifo" 2>&1 &
	gp_pid=$!
	for _ in $(seq 150); do [ -e "$T/flood.out.ready" ] && break; sleep 0.1; done
	if [ -e "$T/flood.out.ready" ]; then
		# a storm keeps stdout's pipe full to the last byte while the
		# daemon logs a reload and its exit summary on stderr
		binds 1 200000 >/dev/null &
		storm=$!
		sleep 1
		kill -HUP "$gp_pid"
		sleep 0.3
		kill -TERM "$gp_pid"
		sleep 0.2
		kill "$storm" 2>/dev/null; wait "$storm" 2>/dev/null
		sleep 3			# the exit flush (2 s bound) and summary
		touch "$T/go"
		for _ in $(seq 100); do kill -0 "$gp_pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$gp_pid" 2>/dev/null; wait "$gp_pid" 2>/dev/null; gp_pid=
		wait "$rd_pid" 2>/dev/null
		if grep -aq '^ghostport: summary' "$T/flood.out" &&
			grep -aq '^ghostport: output json@- ' "$T/flood.out" &&
			grep -aq '^ghostport: reloaded' "$T/flood.out"; then
			pass stderr-flood-intact
		else
			fail stderr-flood-intact "lost in the stdout flood:$(grep -aq '^ghostport: reloaded' "$T/flood.out" || echo ' reload line')$(grep -aq '^ghostport: summary' "$T/flood.out" || echo ' exit summary')$(grep -aq '^ghostport: output json@- ' "$T/flood.out" || echo ' output counters')"
		fi
		recs=$(sed -n 's/^ghostport: summary.* records=\([0-9]*\).*/\1/p' "$T/flood.out")
		d=$(summary_field "$T/flood.out" "json@-" delivered)
		q=$(summary_field "$T/flood.out" "json@-" spooled)
		x=$(summary_field "$T/flood.out" "json@-" dropped)
		if [ -n "$recs" ] && [ -n "$d" ] && [ "$q" = 0 ] && [ $((d + x)) = "$recs" ]; then
			pass exit-summary-after-close
		else
			fail exit-summary-after-close "records=${recs:-?} delivered=${d:-?} queued=${q:-?} dropped=${x:-?} (want queued 0 and delivered+dropped=records)"
		fi
	else
		fail stderr-flood-intact "no ready line"
		gp_stop KILL
	fi
fi

# ---- a TLS collector that closes cleanly (close_notify, then FIN) ----------
if want tls-close-notify; then
	port=$(free_port)
	spec="json@tls://127.0.0.1:$port"
	col_start tls-close "$port" "$T/cn1.out" 5
	if gp_start "$T/cn.log" --no-pin --ports 686 --output "$spec" "${TLSARGS[@]}" \
		--spool-dir "$T/cn-spool" >/dev/null; then
		binds 1 5 >/dev/null
		wait_lines "$T/cn1.out" 5 50
		sleep 0.5		# the collector has said goodbye
		binds 6 25 >/dev/null
		sleep 1
		col_start tls "$port" "$T/cn2.out"
		for _ in $(seq 150); do
			[ "$(cat "$T/cn1.out" "$T/cn2.out" 2>/dev/null | distinct_addrs /dev/stdin)" -ge 25 ] && break
			sleep 0.1
		done
		gp_stop
		got=$(cat "$T/cn1.out" "$T/cn2.out" 2>/dev/null | distinct_addrs /dev/stdin)
		[ "$got" = 25 ] && pass tls-close-notify ||
			fail tls-close-notify "$got of 25 events reached a collector"
		d=$(summary_field "$T/cn.log" "$spec" delivered)
		q=$(summary_field "$T/cn.log" "$spec" spooled)
		x=$(summary_field "$T/cn.log" "$spec" dropped)
		[ $((d + q + x)) = 25 ] && pass tls-close-notify-counters ||
			fail tls-close-notify-counters "delivered=$d queued=$q dropped=$x, want a sum of 25"
	else
		fail tls-close-notify "did not start: $(tail -1 "$T/cn.log")"
	fi
fi

# ---- a TLS 1.3 collector that rejects our certificate ----------------------
if want tls-reject-cert; then
	port=$(free_port)
	spec="json@tls://127.0.0.1:$port"
	col_start tls-reject "$port" "$T/rj.out"
	if gp_start "$T/rj.log" --no-pin --ports 686 --output "$spec" "${TLSARGS[@]}" \
		--spool-dir "$T/rj-spool" >/dev/null; then
		binds 1 20 >/dev/null
		sleep 4
		gp_stop
		d=$(summary_field "$T/rj.log" "$spec" delivered)
		q=$(summary_field "$T/rj.log" "$spec" spooled)
		x=$(summary_field "$T/rj.log" "$spec" dropped)
		[ "$d" = 0 ] && [ "$x" = 0 ] && [ "$q" = 20 ] && pass tls-reject-cert-nothing-drained ||
			fail tls-reject-cert-nothing-drained "delivered=$d queued=$q dropped=$x, want 0/20/0"
		grep -qi 'unknown ca\|certificate' "$T/rj.log" && pass tls-reject-cert-reason ||
			fail tls-reject-cert-reason "no reason on stderr: $(grep "$spec" "$T/rj.log" | head -1)"
		conns=$(grep -c conn "$T/rj.out.conns" 2>/dev/null)
		[ "${conns:-0}" -le 5 ] && pass tls-reject-cert-backoff ||
			fail tls-reject-cert-backoff "$conns connections in about 4 s (no backoff)"
	else
		fail tls-reject-cert-nothing-drained "did not start: $(tail -1 "$T/rj.log")"
	fi
fi

# ---- TCP: what the collector's stack never acknowledged is sent again -----
if want tcp-unacked; then
	port=$(free_port)
	spec="json@tcp://127.0.0.1:$port"
	N=400
	col_start tcp-stall "$port" "$T/ua1.out"
	stall=$col_pid
	if gp_start "$T/ua.log" --no-pin --ports 686 --output "$spec" \
		--spool-dir "$T/ua-spool" >/dev/null; then
		binds 1 $N >/dev/null
		sleep 1
		# bytes the stalled collector's kernel took (acknowledged, then lost)
		rq=$(ss -tnH state established "( sport = :$port )" | awk '{s+=$1} END {print s+0}')
		kill -9 "$stall"; wait "$stall" 2>/dev/null
		col_start tcp "$port" "$T/ua2.out"
		for _ in $(seq 200); do
			[ "$(distinct_addrs "$T/ua2.out")" -ge $((N - 20)) ] && break
			sleep 0.1
		done
		sleep 0.5
		gp_stop
		got=$(distinct_addrs "$T/ua2.out")
		# a JSON frame here is over 500 bytes: rq bytes hold at most rq/500+1
		lost_ok=$((rq / 500 + 1))
		if [ $((N - got)) -le "$lost_ok" ]; then
			pass tcp-unacked-resent
			echo "# $P: $got of $N events after the kill; the dead collector's kernel held $rq bytes"
		else
			fail tcp-unacked-resent "$got of $N events after the kill (at most $lost_ok were in the dead collector's receive buffer)"
		fi
		d=$(summary_field "$T/ua.log" "$spec" delivered)
		q=$(summary_field "$T/ua.log" "$spec" spooled)
		x=$(summary_field "$T/ua.log" "$spec" dropped)
		[ $((d + q + x)) = $N ] && pass tcp-unacked-counters ||
			fail tcp-unacked-counters "delivered=$d queued=$q dropped=$x, want a sum of $N"
	else
		fail tcp-unacked-resent "did not start: $(tail -1 "$T/ua.log")"
	fi
fi

# ---- reload keeps a run-time `enforce on` -----------------------------------
if want reload-enforce; then
	if gp_start "$T/re.log" --no-pin --ports 686 --format json >/dev/null; then
		kill -USR1 "$gp_pid"
		sleep 0.5
		before=$(binds 1 1)
		kill -HUP "$gp_pid"
		sleep 0.5
		after=$(binds 2 2)
		"$GP" status >"$T/re.status" 2>&1
		gp_stop
		if [ "$before" = 1 ] && [ "$after" = 1 ]; then
			pass reload-keeps-enforce
		else
			fail reload-keeps-enforce "denied before reload: $before, after: $after"
		fi
	else
		fail reload-keeps-enforce "did not start: $(tail -1 "$T/re.log")"
	fi
fi

# ---- the journal output: native protocol, and a journald that never reads ----
# fakejournal.py PATH read|stall: a datagram socket at PATH; "read" parses
# every entry (NAME=value lines, or NAME LF le64 length value LF) and appends
# "MESSAGE|GHOSTPORT_PORT|GHOSTPORT_COMM" to PATH.out; "stall" never reads.
cat >"$T/fakejournal.py" <<'PY'
import os, socket, struct, sys, time
path, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
open(path + ".ready", "w").close()
if mode == "stall":
    while not os.path.exists(path + ".stop"):
        time.sleep(0.1)
    sys.exit(0)
out = open(path + ".out", "a")
while True:
    d = s.recv(1 << 20)
    f, i = {}, 0
    while i < len(d):
        nl = d.index(b"\n", i)
        line = d[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1); i = nl + 1
        else:
            k = line; n = struct.unpack("<Q", d[nl + 1:nl + 9])[0]
            v = d[nl + 9:nl + 9 + n]; i = nl + 9 + n + 1
        f[k.decode()] = v.decode("utf-8", "replace")
    out.write("%s|%s|%s\n" % (f.get("MESSAGE", ""), f.get("GHOSTPORT_PORT", ""),
                               f.get("GHOSTPORT_COMM", ""))); out.flush()
PY
fj_start() { # path mode
	rm -f "$1" "$1.ready" "$1.stop"
	python3 "$T/fakejournal.py" "$1" "$2" 2>>"$T/fakejournal.err" &
	bg_pids+=($!)
	for _ in $(seq 50); do [ -e "$1.ready" ] && return 0; sleep 0.1; done
	return 1
}
if want journal; then
	fj_start "$T/jn.sock" read
	spec="json@journal:$T/jn.sock"
	if gp_start "$T/jn.log" --no-pin --ports 686 --output "$spec" \
		--spool-dir "$T/jn-spool" >/dev/null; then
		binds 1 10 >/dev/null
		wait_lines "$T/jn.sock.out" 10 50
		gp_stop
		n=$(grep -c '"port":686.*|686|python3' "$T/jn.sock.out" 2>/dev/null)
		[ "${n:-0}" = 10 ] && pass journal-native ||
			fail journal-native "${n:-0} of 10 entries with MESSAGE, GHOSTPORT_PORT, GHOSTPORT_COMM: $(head -c 300 "$T/jn.sock.out" 2>/dev/null)"
	else
		fail journal-native "did not start: $(tail -1 "$T/jn.log")"
	fi

	fj_start "$T/js.sock" stall
	spec="json@journal:$T/js.sock"
	N=3000
	if gp_start "$T/js.log" --no-pin --ports 686 --output "$spec" \
		--output "json@file:$T/js.jsonl" --spool-dir "$T/js-spool" \
		--spool-max 65536 >/dev/null; then
		binds 1 $N >/dev/null
		sleep 1
		timeout 5 "$GP" status >"$T/js.status" 2>&1; src=$?
		gp_stop
		touch "$T/js.sock.stop"
		got=$(distinct_addrs "$T/js.jsonl")
		h=$(summary_field "$T/js.log" "$spec" handed)
		d=$(summary_field "$T/js.log" "$spec" delivered)
		q=$(summary_field "$T/js.log" "$spec" spooled)
		x=$(summary_field "$T/js.log" "$spec" dropped)
		echo "# $P: stalled journal: handed=$h delivered=$d spooled=$q dropped=$x; file output got $got"
		[ "$got" = $N ] && [ "$src" = 0 ] && pass journal-stalled-keeps-reading ||
			fail journal-stalled-keeps-reading "file output got $got of $N, status exit $src"
		[ "${x:-0}" -gt 0 ] && [ "$h" = $N ] && [ $((d + q + x)) = "$h" ] &&
			pass journal-stalled-counted ||
			fail journal-stalled-counted "handed=$h delivered=$d spooled=$q dropped=$x"
	else
		fail journal-stalled-keeps-reading "did not start: $(tail -1 "$T/js.log")"
	fi
fi

# ---- Prometheus: why an output is down, counters that add up -----------------
if want prometheus; then
	spec="json@tcp://siem.invalid:6514"
	if gp_start "$T/pm.log" --no-pin --ports 686 --output "$spec" \
		--spool-dir "$T/pm-spool" >/dev/null; then
		binds 1 7 >/dev/null
		sleep 0.5
		"$GP" status --prometheus >"$T/pm.prom" 2>&1
		gp_stop
		m() { sed -n "s/^$1{output=\"json@tcp:\/\/siem.invalid:6514\"} //p" "$T/pm.prom"; }
		h=$(m ghostport_output_handed_total); d=$(m ghostport_output_delivered_total)
		q=$(m ghostport_output_spooled); x=$(m ghostport_output_dropped_total)
		if grep -q '^ghostport_output_down_info{output="json@tcp://siem.invalid:6514",reason="cannot resolve' "$T/pm.prom" &&
			grep -q '^ghostport_output_up{output="json@tcp://siem.invalid:6514"} 0' "$T/pm.prom" &&
			grep -q '^ghostport_output_resent_total{' "$T/pm.prom"; then
			pass prometheus-down-reason
		else
			fail prometheus-down-reason "$(grep '^ghostport_output_\(up\|down\)' "$T/pm.prom" | tr '\n' ' ')"
		fi
		[ "$h" = 7 ] && [ $((d + q + x)) = 7 ] && pass prometheus-counters-add-up ||
			fail prometheus-counters-add-up "handed=$h delivered=$d spooled=$q dropped=$x"
	else
		fail prometheus-down-reason "did not start: $(tail -1 "$T/pm.log")"
	fi
fi

# ---- unload says how many queued events it discards ------------------------
if want unload-count; then
	# pinned and enforcing: the policy (and its ring) outlives the daemon
	if gp_start "$T/ul.log" --enforce --ports 686 --format json >/dev/null; then
		gp_stop
		binds 1 30 >/dev/null		# into the pinned ring, nobody reads
		"$GP" unload >"$T/ul.out" 2>&1
		if grep -q '30 .*discard\|discard.* 30 ' "$T/ul.out"; then
			pass unload-counts-discarded
		else
			fail unload-counts-discarded "unload said: $(tr '\n' ' ' <"$T/ul.out")"
		fi
	else
		fail unload-counts-discarded "did not start: $(tail -1 "$T/ul.log")"
	fi
fi
exit 0
