// SPDX-License-Identifier: GPL-2.0
/*
 * gp_scan.c - squatters already there (issue 18): sockets on listed ports
 * opened BEFORE ghostport starts are found, with their holders, in every
 * network namespace, and under --close-existing closed (or left alone when
 * exempt, or reported as still open when the kernel refuses).
 *
 *   gp_scan --ghostport PATH [--prefix P] [--dir DIR]
 *
 * Squatters (children of this program, started first):
 *   tcp4  0.0.0.0:886 listening        udp4 127.0.0.1:886 bound
 *   tcp6  [::]:686 listening (v6only)  tcp  :27 inside a new netns
 *   tcp   :29 held by two processes (opened, then fork)
 *   tcp   :5 whose opener passed it over SCM_RIGHTS and exited
 *   tcp   :18 not listed at start, added by a reload
 *   tcp   :1021 (root: closed), :1022 (uid 65534, exempt: left open)
 *   tcp   :1023 (a forced SOCK_DESTROY failure: stays open)
 * Cases: standalone `ghostport scan --json`; `ghostport run` reporting them
 * before its ready line; `ghostport scan --json` against the daemon (no
 * repeats), with --all (repeats), after a squatter exited (gone); a reload
 * adding 18; `run --enforce --close-existing` with an exempt uid; a forced
 * failure (GHOSTPORT_TEST_DESTROY_ERRNO): verdict "open", a "stayed open"
 * line.  Needs root (ports < 1024,
 * unshare, the BPF programs of ghostport run).
 */
#define GPT_PROG "gp_scan"
#include "gp_test.h"

#include <sched.h>
#include <sys/un.h>

#define NOBODY 65534

static const char *gp = "build/ghostport";
static char dir[256] = "/tmp";
static pid_t kids[32];
static int nkids;

static void keep(pid_t p)
{
	if (p > 0 && nkids < (int)(sizeof(kids) / sizeof(kids[0])))
		kids[nkids++] = p;
}

static void kill_kids(void)
{
	for (int i = 0; i < nkids; i++)
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
	nkids = 0;
}

/* A bound (and, for stream, listening) socket; -1 with errno. */
static int squat_fd(int family, int type, int port, const char *addr)
{
	union gpt_sockaddr u;
	socklen_t len;
	int one = 1, fd = socket(family, type, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (gpt_sockaddr_parse(&u, &len, family, addr, (uint16_t)port) ||
	    bind(fd, &u.sa, len) || (type == SOCK_STREAM && listen(fd, 8))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Tell the parent msg (NUL included), then hold everything until killed. */
static __attribute__((noreturn)) void hold(int wfd, const char *msg)
{
	if (write(wfd, msg, strlen(msg) + 1) < 0)
		_exit(1);
	close(wfd);
	for (;;)
		pause();
}

/* The first NUL-terminated message on rfd (5 s at most). */
static void read_msg(int rfd, char *buf, size_t len)
{
	size_t n = 0;
	long long end = gpt_now_ms() + 5000;

	buf[0] = 0;
	while (n < len - 1 && gpt_now_ms() < end) {
		struct pollfd p = { .fd = rfd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 200) <= 0)
			continue;
		r = read(rfd, buf + n, 1);
		if (r <= 0 || buf[n] == 0)
			break;
		n++;
	}
	buf[n] = 0;
	close(rfd);
}

enum kind {
	K_TRIO,		/* tcp4 0.0.0.0:886, udp4 127.0.0.1:886, tcp6 [::]:686 */
	K_PLAIN,	/* tcp4 0.0.0.0:port */
	K_NETNS,	/* the same in a new network namespace */
	K_FORK,		/* the same, then fork: two holders */
	K_PASS,		/* opened, passed over SCM_RIGHTS, opener exits */
	K_NOBODY,	/* opened as root, then uid 65534 */
};

static void child(enum kind k, int port, int wfd)
{
	char msg[160];
	int fd;

	if (k == K_NETNS && unshare(CLONE_NEWNET)) {
		snprintf(msg, sizeof(msg), "unshare(CLONE_NEWNET): %s",
			 strerror(errno));
		hold(wfd, msg);
	}
	if (k == K_TRIO) {
		if (squat_fd(AF_INET, SOCK_STREAM, 886, "0.0.0.0") < 0 ||
		    squat_fd(AF_INET, SOCK_DGRAM, 886, "127.0.0.1") < 0 ||
		    squat_fd(AF_INET6, SOCK_STREAM, 686, "::") < 0) {
			snprintf(msg, sizeof(msg), "bind 886/686: %s",
				 strerror(errno));
			hold(wfd, msg);
		}
		snprintf(msg, sizeof(msg), "ok %d", (int)getpid());
		hold(wfd, msg);
	}
	fd = squat_fd(AF_INET, SOCK_STREAM, port, "0.0.0.0");
	if (fd < 0) {
		snprintf(msg, sizeof(msg), "bind %d: %s", port, strerror(errno));
		hold(wfd, msg);
	}
	if (k == K_NOBODY && setresuid(NOBODY, NOBODY, NOBODY)) {
		snprintf(msg, sizeof(msg), "setresuid: %s", strerror(errno));
		hold(wfd, msg);
	}
	if (k == K_FORK) {
		pid_t c = fork();

		if (c == 0)
			for (;;)
				pause();
		snprintf(msg, sizeof(msg), "ok %d %d", (int)getpid(), (int)c);
		hold(wfd, msg);
	}
	if (k == K_PASS) {
		int sv[2];
		pid_t c;
		char cbuf[CMSG_SPACE(sizeof(int))], b = 'x';
		struct iovec io = { .iov_base = &b, .iov_len = 1 };
		struct msghdr mh = { .msg_iov = &io, .msg_iovlen = 1,
				     .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm;

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			hold(wfd, "socketpair failed");
		c = fork();
		if (c == 0) {
			close(sv[0]);
			close(fd);	/* only what it receives */
			if (recvmsg(sv[1], &mh, 0) != 1)
				hold(wfd, "recvmsg failed");
			snprintf(msg, sizeof(msg), "ok %d", (int)getpid());
			hold(wfd, msg);
		}
		memset(cbuf, 0, sizeof(cbuf));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		if (c < 0 || sendmsg(sv[0], &mh, 0) != 1)
			hold(wfd, "sendmsg failed");
		_exit(0);	/* the opener is gone; the receiver answers */
	}
	snprintf(msg, sizeof(msg), "ok %d", (int)getpid());
	hold(wfd, msg);
}

/* One squatter; the holders' pids in h[0] (and h[1]).  false and why. */
static bool squat(enum kind k, int port, pid_t h[2], char *why, size_t wlen)
{
	char msg[160];
	int rfd, a = 0, b = 0;
	pid_t pid = gpt_fork_piped(&rfd, why, wlen);

	if (pid < 0)
		return false;
	if (pid == 0)
		child(k, port, rfd);
	read_msg(rfd, msg, sizeof(msg));
	if (k == K_PASS)
		waitpid(pid, NULL, 0);	/* the opener exited */
	else
		keep(pid);
	if (sscanf(msg, "ok %d %d", &a, &b) < 1) {
		snprintf(why, wlen, "squatter on %d: %s", port,
			 msg[0] ? msg : "no answer");
		return false;
	}
	h[0] = a;
	h[1] = b;
	if (k == K_PASS)
		keep(a);
	if (k == K_FORK)
		keep(b);
	return true;
}

/* ------------------------------------------------------------------ */

/* Run ghostport ARGS... to the end (bounded); its lines in rd. */
static bool run_gp(struct gpt_reader *rd, char *const argv[], int secs,
		   char *why, size_t wlen)
{
	if (gpt_spawn(rd, argv)) {
		snprintf(why, wlen, "spawn: %s", strerror(errno));
		return false;
	}
	if (!gpt_reap(rd, secs * 1000)) {
		kill(rd->pid, SIGKILL);
		gpt_reap(rd, 5000);
		snprintf(why, wlen, "did not finish within %d s", secs);
		return false;
	}
	while (gpt_pump(rd, 100))
		;
	gpt_lines_flush(&rd->o);
	gpt_lines_flush(&rd->e);
	return true;
}

/* The scan event (source scan) for port/proto with verdict v, or NULL. */
static json_t *find_ev(struct gpt_lines *l, size_t from, int port,
		       const char *proto, const char *verdict)
{
	for (size_t i = from; i < l->n; i++) {
		json_t *o = gpt_line_json(l, i);
		const char *s, *v, *p;

		if (!o)
			continue;
		s = gpt_jstr(o, "source");
		v = gpt_jstr(o, "verdict");
		p = gpt_jstr(o, "proto");
		if (s && !strcmp(s, "scan") && v && !strcmp(v, verdict) &&
		    p && !strcmp(p, proto) && gpt_jint(o, "port", -1) == port)
			return o;
	}
	return NULL;
}

static size_t count_scan(struct gpt_lines *l, size_t from, const char *verdict)
{
	size_t n = 0;

	for (size_t i = from; i < l->n; i++) {
		json_t *o = gpt_line_json(l, i);
		const char *s = o ? gpt_jstr(o, "source") : NULL;
		const char *v = o ? gpt_jstr(o, "verdict") : NULL;

		n += s && !strcmp(s, "scan") && v && !strcmp(v, verdict);
	}
	return n;
}

/* Does the event's holder list name pid? */
static bool held_by(json_t *o, pid_t pid)
{
	json_t *sc = json_object_get(o, "scan"), *h, *x;
	size_t i;

	h = sc ? json_object_get(sc, "holders") : NULL;
	json_array_foreach(h, i, x)
		if (gpt_jint(x, "pid", -1) == pid)
			return true;
	return false;
}

static size_t n_holders(json_t *o)
{
	json_t *sc = json_object_get(o, "scan");

	return json_array_size(sc ? json_object_get(sc, "holders") : NULL);
}

static const char *scan_str(json_t *o, const char *k)
{
	json_t *sc = json_object_get(o, "scan");

	return sc ? gpt_jstr(sc, k) : NULL;
}

static bool can_connect(int port)
{
	union gpt_sockaddr u;
	socklen_t len;
	int fd = socket(AF_INET, SOCK_STREAM, 0), r;

	gpt_sockaddr_parse(&u, &len, AF_INET, "127.0.0.1", (uint16_t)port);
	r = connect(fd, &u.sa, len);
	close(fd);
	return r == 0;
}

static void write_conf(const char *path, const char *ports, bool deny,
		       bool exempt_nobody)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return;
	fprintf(f, "include_builtin: false\nfold_window: 0\nrules:\n"
		   "  - ports: \"%s\"\n    action: %s\n", ports,
		deny ? "deny" : "audit");
	if (exempt_nobody)
		fprintf(f, "exempt:\n  uids: [%d]\n", NOBODY);
	fclose(f);
}

/* The squatters of the first part and where they are. */
static pid_t p_a, p_ns, p_fork1, p_fork2, p_pass, p_18;

/* The present event for port/proto, held by pid; NULL after saying in c
 * what was wrong. */
static json_t *present_held(struct gpt_chk *c, struct gpt_lines *l,
			    size_t from, int port, const char *proto, pid_t pid)
{
	json_t *o = find_ev(l, from, port, proto, "present");

	if (!o)
		gpt_cfail(c, "no present event for %s %d", proto, port);
	else if (!held_by(o, pid))
		gpt_cfail(c, "%s %d not held by pid %d", proto, port, (int)pid);
	else
		return o;
	return NULL;
}

/* The checks every full report must pass (standalone or daemon start). */
static void check_inventory(const char *stage, struct gpt_lines *l, size_t from)
{
	char name[96];
	struct gpt_chk c = { 0 };
	json_t *o;

	snprintf(name, sizeof(name), "%s/tcp4-listener", stage);
	o = present_held(&c, l, from, 886, "tcp", p_a);
	if (o && (!scan_str(o, "state") || strcmp(scan_str(o, "state"), "listen")))
		gpt_cfail(&c, "state %s, not listen", scan_str(o, "state"));
	gpt_cdone(&c, name);

	snprintf(name, sizeof(name), "%s/udp4-bound", stage);
	present_held(&c, l, from, 886, "udp", p_a);
	gpt_cdone(&c, name);

	snprintf(name, sizeof(name), "%s/tcp6-listener", stage);
	o = present_held(&c, l, from, 686, "tcp", p_a);
	if (o && (!gpt_jstr(o, "family") || strcmp(gpt_jstr(o, "family"), "ipv6")))
		gpt_cfail(&c, "family %s", gpt_jstr(o, "family"));
	gpt_cdone(&c, name);

	snprintf(name, sizeof(name), "%s/other-netns", stage);
	o = present_held(&c, l, from, 27, "tcp", p_ns);
	if (o && scan_str(o, "netns_name") &&
	    !strcmp(scan_str(o, "netns_name"), "host"))
		gpt_cfail(&c, "reported in the host namespace");
	gpt_cdone(&c, name);

	snprintf(name, sizeof(name), "%s/two-holders", stage);
	o = present_held(&c, l, from, 29, "tcp", p_fork1);
	if (o && (!held_by(o, p_fork2) || n_holders(o) != 2))
		gpt_cfail(&c, "holders %zu, want pids %d and %d", n_holders(o),
			  (int)p_fork1, (int)p_fork2);
	gpt_cdone(&c, name);

	snprintf(name, sizeof(name), "%s/passed-on", stage);
	o = present_held(&c, l, from, 5, "tcp", p_pass);
	if (o && n_holders(o) != 1)
		gpt_cfail(&c, "tcp 5 not held by the receiver %d alone",
			  (int)p_pass);
	gpt_cdone(&c, name);
}

static pid_t start_daemon(struct gpt_reader *rd, const char *conf,
			  const char *extra1, const char *extra2, char *why,
			  size_t wlen)
{
	char *argv[12];
	int n = 0;

	argv[n++] = (char *)gp;
	argv[n++] = "run";
	argv[n++] = "--config";
	argv[n++] = (char *)conf;
	argv[n++] = "--no-pin";
	argv[n++] = "--format";
	argv[n++] = "json";
	if (extra1)
		argv[n++] = (char *)extra1;
	if (extra2)
		argv[n++] = (char *)extra2;
	argv[n] = NULL;
	if (!gpt_wait_lock_free(120, why, wlen))
		return -1;
	if (gpt_spawn(rd, argv)) {
		snprintf(why, wlen, "spawn: %s", strerror(errno));
		return -1;
	}
	if (!gpt_wait_ready(rd, 60, why, wlen))
		return -1;
	return rd->pid;
}

static void stop_daemon(struct gpt_reader *rd)
{
	kill(rd->pid, SIGTERM);
	gpt_reap(rd, 10000);
	if (!rd->exited) {
		kill(rd->pid, SIGKILL);
		gpt_reap(rd, 5000);
	}
	while (gpt_pump(rd, 100))
		;
	gpt_lines_flush(&rd->o);
	gpt_lines_flush(&rd->e);
}

/* ghostport scan --json ARGS (standalone or against the daemon): up to
 * four, NULL for none; env: one NAME=VALUE or NULL. */
static bool scan_cmd(struct gpt_reader *rd, const char *env, const char *a1,
		     const char *a2, const char *a3, const char *a4, char *why,
		     size_t wlen)
{
	const char *args[] = { a1, a2, a3, a4 };
	char *argv[9];
	int n = 0;
	bool ok;

	argv[n++] = (char *)gp;
	argv[n++] = "scan";
	argv[n++] = "--json";
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		if (args[i])
			argv[n++] = (char *)args[i];
	argv[n] = NULL;
	if (env)
		putenv((char *)env);
	ok = run_gp(rd, argv, 60, why, wlen);
	if (env)
		unsetenv("GHOSTPORT_TEST_DESTROY_ERRNO");
	return ok;
}

int main(int argc, char **argv)
{
	char why[512], c1[300], c2[300], c3[300], c4[300];
	struct gpt_reader rd, d;
	struct gpt_chk c = { 0 };
	pid_t h[2], p_close, p_exempt, p_fail;
	size_t mark;
	json_t *o;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ghostport") && i + 1 < argc)
			gp = argv[++i];
		else if (!strcmp(argv[i], "--prefix") && i + 1 < argc)
			gpt_prefix = argv[++i];
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			snprintf(dir, sizeof(dir), "%s", argv[++i]);
		else {
			fprintf(stderr, "usage: gp_scan --ghostport PATH [--prefix P] [--dir D]\n");
			return 2;
		}
	}
	if (geteuid()) {
		gpt_result("SKIP", "all", "needs root");
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	gpt_reader_init(&rd);
	gpt_reader_init(&d);
	snprintf(c1, sizeof(c1), "%s/gp-scan-1.conf", dir);
	snprintf(c2, sizeof(c2), "%s/gp-scan-2.conf", dir);
	snprintf(c3, sizeof(c3), "%s/gp-scan-3.conf", dir);
	snprintf(c4, sizeof(c4), "%s/gp-scan-4.conf", dir);
	write_conf(c1, "886,686,27,29,5", false, false);
	write_conf(c2, "886,686,27,29,5,18", false, false);
	write_conf(c3, "1021,1022", true, true);
	write_conf(c4, "1023", true, false);

	/* ---- the squatters, before any ghostport ---- */
	if (!squat(K_TRIO, 886, h, why, sizeof(why)) ||
	    (p_a = h[0], !squat(K_FORK, 29, h, why, sizeof(why))) ||
	    (p_fork1 = h[0], p_fork2 = h[1],
	     !squat(K_PASS, 5, h, why, sizeof(why))) ||
	    (p_pass = h[0], !squat(K_PLAIN, 18, h, why, sizeof(why)))) {
		gpt_result("FAIL", "setup", "%s", why);
		goto out;
	}
	p_18 = h[0];
	if (!squat(K_NETNS, 27, h, why, sizeof(why))) {
		gpt_result("FAIL", "setup-netns", "%s", why);
		p_ns = -1;
	} else {
		p_ns = h[0];
	}
	gpt_note("squatters: trio %d, fork %d+%d, passed to %d, netns %d, port 18 %d",
		 (int)p_a, (int)p_fork1, (int)p_fork2, (int)p_pass, (int)p_ns,
		 (int)p_18);

	/* ---- 1. no daemon: ghostport scan --json ---- */
	if (!gpt_wait_lock_free(120, why, sizeof(why))) {
		gpt_result("SKIP", "all", "%s", why);
		goto out;
	}
	if (!scan_cmd(&rd, NULL, "--config", c1, NULL, NULL, why, sizeof(why)) ||
	    !WIFEXITED(rd.status) || WEXITSTATUS(rd.status) != 0) {
		gpt_result("FAIL", "standalone/run", "%s",
			   why[0] ? why : gpt_last_err_line(&rd));
		gpt_show_stderr(&rd);
	} else {
		gpt_result("PASS", "standalone/run", NULL);
		check_inventory("standalone", &rd.o, 0);
		if (count_scan(&rd.o, 0, "present") != 6)
			gpt_result("FAIL", "standalone/count",
				   "%zu present events, want 6",
				   count_scan(&rd.o, 0, "present"));
		else
			gpt_result("PASS", "standalone/count", NULL);
		if (!gpt_err_find(&rd, "ghostport: scan:"))
			gpt_result("FAIL", "standalone/summary", "no \"ghostport: scan:\" line");
		else
			gpt_result("PASS", "standalone/summary", NULL);
	}
	gpt_reader_free(&rd);

	/* ---- 2. the daemon reports them before its ready line ---- */
	if (start_daemon(&d, c1, NULL, NULL, why, sizeof(why)) < 0) {
		gpt_result("FAIL", "daemon/start", "%s", why);
		goto out;
	}
	gpt_pump_for(&d, 300);
	check_inventory("daemon-start", &d.o, 0);

	/* 2b. scan against the daemon: nothing new; --all repeats */
	mark = d.o.n;
	if (!scan_cmd(&rd, NULL, NULL, NULL, NULL, NULL, why, sizeof(why)))
		gpt_cfail(&c, "scan: %s", why);
	else if (count_scan(&rd.o, 0, "present"))
		gpt_cfail(&c, "%zu present events repeated without --all",
			  count_scan(&rd.o, 0, "present"));
	else if (!gpt_err_find(&rd, "ghostport: scan:"))
		gpt_cfail(&c, "no summary line: %s", gpt_last_err_line(&rd));
	gpt_cdone(&c, "daemon-scan/no-repeat");
	gpt_reader_free(&rd);
	if (!scan_cmd(&rd, NULL, "--all", NULL, NULL, NULL, why, sizeof(why)))
		gpt_cfail(&c, "scan --all: %s", why);
	else if (count_scan(&rd.o, 0, "present") != 6)
		gpt_cfail(&c, "%zu present events with --all, want 6",
			  count_scan(&rd.o, 0, "present"));
	gpt_cdone(&c, "daemon-scan/all");
	gpt_reader_free(&rd);
	gpt_pump_for(&d, 300);
	if (count_scan(&d.o, mark, "present") != 6)
		gpt_result("FAIL", "daemon-scan/all-in-outputs",
			   "%zu present events in the daemon's output, want 6",
			   count_scan(&d.o, mark, "present"));
	else
		gpt_result("PASS", "daemon-scan/all-in-outputs", NULL);

	/* 2c. the passed-on squatter exits: the next scan says gone */
	kill(p_pass, SIGKILL);
	gpt_sleep_ms(200);
	mark = d.o.n;
	if (!scan_cmd(&rd, NULL, NULL, NULL, NULL, NULL, why, sizeof(why)))
		gpt_cfail(&c, "scan: %s", why);
	else if (!find_ev(&rd.o, 0, 5, "tcp", "gone"))
		gpt_cfail(&c, "no gone event for tcp 5 in the answer");
	gpt_reader_free(&rd);
	gpt_pump_for(&d, 300);
	if (!find_ev(&d.o, mark, 5, "tcp", "gone"))
		gpt_cfail(&c, "no gone event for tcp 5 in the daemon's output");
	gpt_cdone(&c, "daemon-scan/gone");

	/* 2d. a reload adds 18, which p_18 already holds */
	rename(c2, c1);
	mark = d.o.n;
	{
		char *ra[] = { (char *)gp, "reload", NULL };

		if (!run_gp(&rd, ra, 30, why, sizeof(why)) ||
		    !WIFEXITED(rd.status) || WEXITSTATUS(rd.status))
			gpt_cfail(&c, "reload: %s", why[0] ? why : gpt_last_err_line(&rd));
		gpt_reader_free(&rd);
	}
	for (int i = 0; i < 30 && !find_ev(&d.o, mark, 18, "tcp", "present"); i++)
		gpt_pump_for(&d, 100);
	o = find_ev(&d.o, mark, 18, "tcp", "present");
	if (!o || !held_by(o, p_18))
		gpt_cfail(&c, "no present event for tcp 18 held by %d after the reload",
			  (int)p_18);
	else if (count_scan(&d.o, mark, "present") != 1)
		gpt_cfail(&c, "%zu present events after the reload, want only 18's",
			  count_scan(&d.o, mark, "present"));
	gpt_cdone(&c, "reload-adds-port");
	stop_daemon(&d);
	gpt_reader_free(&d);

	/* ---- 3. --enforce --close-existing, one exempt owner ---- */
	if (!squat(K_PLAIN, 1021, h, why, sizeof(why)) ||
	    (p_close = h[0], !squat(K_NOBODY, 1022, h, why, sizeof(why))) ||
	    (p_exempt = h[0], !squat(K_PLAIN, 1023, h, why, sizeof(why)))) {
		gpt_result("FAIL", "close/setup", "%s", why);
		goto out;
	}
	p_fail = h[0];
	if (start_daemon(&d, c3, "--enforce", "--close-existing", why,
			 sizeof(why)) < 0) {
		gpt_result("FAIL", "close/start", "%s", why);
	} else {
		gpt_pump_for(&d, 300);
		o = find_ev(&d.o, 0, 1021, "tcp", "closed");
		if (!o || !held_by(o, p_close))
			gpt_cfail(&c, "no closed event for tcp 1021 held by %d",
				  (int)p_close);
		if (can_connect(1021))
			gpt_cfail(&c, "a client still connects to 1021");
		gpt_cdone(&c, "close/listener-closed");
		o = find_ev(&d.o, 0, 1022, "tcp", "present");
		if (!o || !held_by(o, p_exempt))
			gpt_cfail(&c, "no present event for tcp 1022 held by %d",
				  (int)p_exempt);
		else if (!scan_str(o, "close") || strcmp(scan_str(o, "close"), "exempt"))
			gpt_cfail(&c, "close %s, want exempt", scan_str(o, "close"));
		if (!can_connect(1022))
			gpt_cfail(&c, "the exempt listener on 1022 was closed");
		gpt_cdone(&c, "close/exempt-left-open");
		stop_daemon(&d);
	}
	gpt_reader_free(&d);

	/* ---- 4. SOCK_DESTROY fails: a clear line, an event, still open ---- */
	if (!scan_cmd(&rd, "GHOSTPORT_TEST_DESTROY_ERRNO=EOPNOTSUPP",
		       "--close-existing", "--enforce", "--config", c4, why,
		       sizeof(why)))
		gpt_cfail(&c, "scan: %s", why);
	o = find_ev(&rd.o, 0, 1023, "tcp", "open");
	if (!o || !held_by(o, p_fail))
		gpt_cfail(&c, "no \"open\" (stayed open) event for tcp 1023");
	else if (!scan_str(o, "close") || strcmp(scan_str(o, "close"), "failed") ||
		 !scan_str(o, "close_error"))
		gpt_cfail(&c, "close %s (%s), want failed with a reason",
			  scan_str(o, "close"), scan_str(o, "close_error"));
	if (!gpt_err_find(&rd, "stayed open"))
		gpt_cfail(&c, "no \"stayed open\" line on stderr");
	if (!can_connect(1023))
		gpt_cfail(&c, "1023 was closed anyway");
	gpt_cdone(&c, "close/forced-failure");
	gpt_reader_free(&rd);
out:
	kill_kids();
	printf("# gp_scan: %d passed, %d failed, %d skipped\n", gpt_npass,
	       gpt_nfail, gpt_nskip);
	return gpt_nfail ? 1 : 0;
}
