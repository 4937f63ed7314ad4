# shellcheck shell=bash
# tests/host.d/lib/host.sh - what the host stage's scripts share (bash).
#
# A script sets P, the prefix of its result lines (host/<name>), and
# sources this file:
#
#   P=host/relp
#   . "$(dirname "$0")/lib/host.sh"
#
# It lives below host.d/ so that run-all.sh, which runs host.d/*.sh, does
# not run it.  Result lines per docs/hacking.md.

pass() { echo "PASS $P/$1"; }
fail() { echo "FAIL $P/$1: $2"; }
skip() { echo "SKIP $P/$1: $2"; }

# need_root WHY: unless root, "SKIP $P/all: WHY" and end the script.
need_root() {
	[ "$(id -u)" = 0 ] && return 0
	skip all "$1"
	exit 0
}

# need_tools TOOL...: "SKIP $P/all: TOOL not installed" and end the script
# unless every TOOL is on PATH.
need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null ||
			{ skip all "$t not installed"; exit 0; }
	done
}

# need_built NAME FILE...: "FAIL $P/NAME: FILE not built (run make first)"
# and end the script unless every FILE is an executable (the host stage
# builds nothing itself).
need_built() {
	local name=$1 f
	shift
	for f in "$@"; do
		[ -x "$f" ] ||
			{ fail "$name" "$f not built (run make first)"; exit 0; }
	done
}

# free_port: a TCP port on 127.0.0.1 nobody listens on now.
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# pki DIR CA_NAME: a throw-away CA (ca.pem, ca.key) named CA_NAME, a server
# certificate for localhost and 127.0.0.1 (srv.pem, srv.key) and a client
# certificate (cli.pem, cli.key) it signed, in DIR; openssl's chatter in
# DIR/pki.log.  On failure "FAIL $P/pki: ..." and status 1.
pki() {
	(
		cd "$1" &&
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key \
			-out ca.pem -days 1 -subj "/CN=$2" &&
		openssl req -newkey rsa:2048 -nodes -keyout srv.key \
			-out srv.csr -subj /CN=localhost &&
		printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >srv.ext &&
		openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key \
			-CAcreateserial -out srv.pem -days 1 -extfile srv.ext &&
		openssl req -newkey rsa:2048 -nodes -keyout cli.key \
			-out cli.csr -subj /CN=ghostport-client &&
		openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key \
			-CAcreateserial -out cli.pem -days 1
	) >"$1/pki.log" 2>&1 && return 0
	fail pki "openssl failed: $(tail -1 "$1/pki.log")"
	return 1
}

# wait_run_lock: wait up to a minute for /run/ghostport.lock (another
# ghostport run holds it while it runs); if it is still held then,
# "SKIP $P/all: ..." and end the script.
wait_run_lock() {
	local _
	for _ in $(seq 1 30); do
		flock -n /run/ghostport.lock true 2>/dev/null && return 0
		sleep 2
	done
	flock -n /run/ghostport.lock true 2>/dev/null && return 0
	skip all "another ghostport run holds /run/ghostport.lock"
	exit 0
}

# run_timed NAME TMO cmd...: run a test program with a time limit of TMO
# seconds.  If it was killed or crashed (status >= 124): "FAIL NAME: ..."
# and `ghostport unload` ($GP), since it could not clean up, so that later
# tests start clean.  Always status 0: its own result lines say the rest.
run_timed() {
	local name=$1 tmo=$2 rc
	shift 2
	timeout -k 10 "$tmo" "$@"
	rc=$?
	if [ "$rc" -ge 124 ]; then
		echo "FAIL $name: $(basename "$1") killed after ${tmo}s or crashed (exit $rc)"
		"$GP" unload >/dev/null 2>&1
	fi
	return 0
}

# gp_ready LOG: wait up to 15 s for the ready line of the `ghostport run`
# in the background whose pid is $gp_pid and whose stderr goes to LOG.
# If it does not come (or the run ended): kill it, clear gp_pid, status 1.
gp_ready() {
	local _
	for _ in $(seq 150); do
		grep -q '^ghostport: ready' "$1" && return 0
		kill -0 "$gp_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$gp_pid" 2>/dev/null
	wait "$gp_pid" 2>/dev/null; gp_pid=
	return 1
}

# gp_stop [SIGNAL]: stop the run $gp_pid (SIGTERM by default), SIGKILL
# after 10 s; clears gp_pid.
gp_stop() {
	local _
	[ -n "$gp_pid" ] || return 0
	kill -"${1:-TERM}" "$gp_pid"
	for _ in $(seq 100); do kill -0 "$gp_pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$gp_pid" 2>/dev/null
	wait "$gp_pid" 2>/dev/null; gp_pid=
}
