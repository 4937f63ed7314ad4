// SPDX-License-Identifier: GPL-2.0
/*
 * gp_enforce.c - end-to-end test of `ghostport run --enforce` (issue 5).
 *
 *   gp_enforce --ghostport PATH --prefix NAME [--deny-with lsm|cgroup]
 *              [--source MODE] [--expect-lsm yes|no] [--ready-timeout S]
 *
 * Sessions, each with its own `ghostport run` (only one runs at a time):
 *   deny      every family/protocol, errnos EPERM/EADDRINUSE/EACCES,
 *             listed-but-not-denied and unlisted ports, io_uring's
 *             IORING_OP_BIND
 *   exempt    --exempt-uid/-gid/-exe/-cgroup allowed with verdict "exempt",
 *             everyone else still denied
 *   persist   kill -9 keeps the policy, a new run adopts the pins, delivers
 *             what was queued meanwhile and applies its own errno; unload;
 *             SIGTERM with --enforce keeps the policy, without it unpins
 *   switch    `ghostport enforce on|off` on a monitor-mode run while a child
 *             binds in a loop: every bind has its event, no flapping
 *   lsm       --deny-with lsm: refused loudly where no BPF LSM (--expect-lsm
 *             no), deny events with source "lsm" where there is one
 * Every bind is made by a forked child (its own pid and comm); its result
 * comes back over a pipe.  Events are matched by pid and port.
 *
 * Results follow docs/hacking.md: PASS/FAIL/SKIP <prefix>/<case>, detail
 * lines start with "# ".  Exit status 1 if anything failed.  Always ends with
 * `ghostport unload` so later tests start clean.  No shell: this runs in the
 * busybox-only VM guest too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#define GPT_PROG	"gp_enforce"
#define GPT_PREFIX	"enforce"
#include "gp_test.h"

#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif

#define EXEMPT_EXE	"/tmp/gp-exempt-exe"
#define EXEMPT_CG	"gp-enforce-exempt"
#define EXEMPT_UID	65534
#define EXEMPT_GID	65533
#define HIPORT		40686	/* >= 1024: uid 65534 may bind it */

static const char *errno_name(int e)
{
	return gpt_errno_name(e, "(unnamed)");
}

static bool path_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* ------------------------------------------------------------------ */
/* Running ghostport                                                   */
/* ------------------------------------------------------------------ */

static const char *gp_path;
static const char *opt_source = "auto";
static const char *opt_deny_with;
static int expect_lsm = -1;		/* -1: not said */
static int ready_timeout = 30;

static struct gpt_reader *live_reader;	/* for the cleanup on a signal */

/*
 * Starts `ghostport run --source S --format json [--deny-with M] extra...`
 * and waits for its ready line.  On failure, *why says what happened and
 * the reader has exited (it is reaped).
 */
static bool gp_start(struct gpt_reader *rd, const char *const extra[], bool deny_with,
		     char *why, size_t wlen)
{
	char *args[48];
	char cmd[1024] = "";
	int n = 0;

	gpt_reader_init(rd);
	if (!gpt_wait_lock_free(180, why, wlen))
		return false;
	args[n++] = (char *)gp_path;
	args[n++] = "run";
	args[n++] = "--source";
	args[n++] = (char *)opt_source;
	args[n++] = "--format";
	args[n++] = "json";
	if (deny_with && opt_deny_with) {
		args[n++] = "--deny-with";
		args[n++] = (char *)opt_deny_with;
	}
	for (int i = 0; extra[i] && n < 46; i++)
		args[n++] = (char *)extra[i];
	args[n] = NULL;
	for (int i = 1; i < n; i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " %s", args[i]);
	gpt_note("start: ghostport%s", cmd);
	if (gpt_spawn(rd, args)) {
		snprintf(why, wlen, "cannot start %s: %s", gp_path, strerror(errno));
		return false;
	}
	live_reader = rd;
	if (gpt_wait_ready(rd, ready_timeout, why, wlen))
		return true;
	live_reader = NULL;
	gpt_show_stderr(rd);
	return false;
}

/* Signals the reader and reads until it is gone. */
static void gp_stop(struct gpt_reader *rd, int sig)
{
	if (rd->pid <= 0 || rd->exited)
		return;
	kill(rd->pid, sig);
	if (!gpt_reap(rd, 15000)) {
		gpt_note("ghostport (pid %d) still running 15 s after signal %d; SIGKILL",
			 (int)rd->pid, sig);
		kill(rd->pid, SIGKILL);
		gpt_reap(rd, 5000);
	}
	while (gpt_pump(rd, 200))
		;
	if (live_reader == rd)
		live_reader = NULL;
}

static void gp_free(struct gpt_reader *rd)
{
	gpt_reader_free(rd);
	if (live_reader == rd)
		live_reader = NULL;
}

/* Runs `ghostport ARGS...` to completion; its stderr's last line in msg. */
static int gp_cmd(const char *a1, const char *a2, char *msg, size_t mlen)
{
	struct gpt_reader r;
	char *args[4] = { (char *)gp_path, (char *)a1, (char *)a2, NULL };

	if (gpt_spawn(&r, args)) {
		snprintf(msg, mlen, "cannot run %s: %s", gp_path, strerror(errno));
		return -1;
	}
	while (gpt_pump(&r, 20000))
		;
	gpt_reap(&r, 20000);
	snprintf(msg, mlen, "%s", gpt_last_err_line(&r));
	gp_free(&r);
	if (!r.exited)
		return -1;
	return WIFEXITED(r.status) ? WEXITSTATUS(r.status) : 128 + WTERMSIG(r.status);
}

/*
 * `ghostport unload`, but only when no foreign `ghostport run` holds the
 * lock (another test's instance is not ours to stop).
 */
static int gp_unload(char *msg, size_t mlen)
{
	pid_t h = gp_run_lock_holder();

	if (h != 0 && !(live_reader && h == live_reader->pid)) {
		snprintf(msg, mlen, "not unloading: a ghostport run that is not ours (pid %d) is active",
			 (int)h);
		return -1;
	}
	return gp_cmd("unload", NULL, msg, mlen);
}

static void on_signal(int sig)
{
	char msg[256];

	if (live_reader && live_reader->pid > 0)
		kill(live_reader->pid, SIGKILL);
	gp_cmd("unload", NULL, msg, sizeof(msg));
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ------------------------------------------------------------------ */
/* Binds, made by children                                             */
/* ------------------------------------------------------------------ */

struct bindreq {
	const char *name;	/* case name */
	int family, type, protocol;
	const char *addr;
	int port;
	bool uring;		/* IORING_OP_BIND instead of bind(2) */
	int uid, gid;		/* -1: stay root */
	const char *cgroup;	/* move into this cgroup dir first */
	const char *exec;	/* exec this binary to bind */
	const char *comm;	/* PR_SET_NAME (NULL: "gpe-" + a counter) */
};

struct bres {
	bool done;		/* the bind was attempted */
	char skip[200];		/* why not */
	int pid;
	char comm[16];
	unsigned uid, gid;
	char addr[INET6_ADDRSTRLEN];
	bool v4mapped;
	int ret, err;
};

/* The bind itself, in the calling process. */
static void do_bind(const struct bindreq *q, struct bres *r)
{
	union gpt_sockaddr sa;
	socklen_t len;
	int fd;

	r->pid = getpid();
	r->uid = getuid();
	r->gid = getgid();
	prctl(PR_GET_NAME, r->comm, 0, 0, 0);
	gpt_sockaddr_parse(&sa, &len, q->family, q->addr, q->port);
	if (q->family != AF_INET)
		r->v4mapped = IN6_IS_ADDR_V4MAPPED(&sa.in6.sin6_addr);
	snprintf(r->addr, sizeof(r->addr), "%s", q->addr);
	fd = socket(q->family, q->type, q->protocol);
	if (fd < 0) {
		snprintf(r->skip, sizeof(r->skip), "socket(%s, %s%s): %s",
			 q->family == AF_INET ? "AF_INET" : "AF_INET6",
			 q->type == SOCK_STREAM ? "SOCK_STREAM" : "SOCK_DGRAM",
			 q->protocol == IPPROTO_SCTP ? ", IPPROTO_SCTP" : "",
			 strerror(errno));
		return;
	}
	if (q->family == AF_INET6 && r->v4mapped) {
		int off = 0;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	}
	if (q->uring) {
		int res = gpt_uring_bind(fd, &sa.sa, len, r->skip, sizeof(r->skip));

		if (res == INT_MIN) {
			close(fd);
			return;
		}
		r->ret = res < 0 ? -1 : 0;
		r->err = res < 0 ? -res : 0;
	} else {
		r->ret = bind(fd, &sa.sa, len);
		r->err = r->ret ? errno : 0;
	}
	r->done = true;
	close(fd);
}

/* In the forked child: become what q says, then bind (or exec to bind). */
static void child_setup_and_bind(const struct bindreq *q, struct bres *r, int wfd)
{
	char comm[16];

	if (q->comm)
		snprintf(comm, sizeof(comm), "%s", q->comm);
	else
		snprintf(comm, sizeof(comm), "gpe-%d", (int)getpid() % 100000);
	prctl(PR_SET_NAME, comm, 0, 0, 0);
	if (q->cgroup) {
		char path[PATH_MAX];
		int fd;

		snprintf(path, sizeof(path), "%s/cgroup.procs", q->cgroup);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || dprintf(fd, "%d\n", (int)getpid()) < 0) {
			snprintf(r->skip, sizeof(r->skip), "moving into %.120s: %s", path,
				 strerror(errno));
			if (fd >= 0)
				close(fd);
			return;
		}
		close(fd);
	}
	if (q->gid >= 0) {
		if (setgroups(0, NULL) || setresgid((gid_t)q->gid, (gid_t)q->gid, (gid_t)q->gid)) {
			snprintf(r->skip, sizeof(r->skip), "setresgid(%d): %s", q->gid,
				 strerror(errno));
			return;
		}
	}
	if (q->uid >= 0) {
		if (setresuid((uid_t)q->uid, (uid_t)q->uid, (uid_t)q->uid)) {
			snprintf(r->skip, sizeof(r->skip), "setresuid(%d): %s", q->uid,
				 strerror(errno));
			return;
		}
	}
	if (q->exec) {
		char fdarg[16], fam[8], type[8], proto[8], port[8];
		char *argv[] = { (char *)q->exec, "--bind-child", fdarg, fam, type,
				 proto, (char *)q->addr, port, NULL };

		snprintf(fdarg, sizeof(fdarg), "%d", wfd);
		snprintf(fam, sizeof(fam), "%d", q->family);
		snprintf(type, sizeof(type), "%d", q->type);
		snprintf(proto, sizeof(proto), "%d", q->protocol);
		snprintf(port, sizeof(port), "%d", q->port);
		if (fcntl(wfd, F_SETFD, 0) == 0)
			execv(q->exec, argv);
		snprintf(r->skip, sizeof(r->skip), "exec %s: %s", q->exec, strerror(errno));
		return;
	}
	do_bind(q, r);
}

/* `gp_enforce --bind-child FD FAMILY TYPE PROTO ADDR PORT` (after exec). */
static int bind_child_main(int argc, char **argv)
{
	struct bindreq q;
	struct bres r;
	int fd;

	if (argc != 8)
		return 2;
	memset(&q, 0, sizeof(q));
	memset(&r, 0, sizeof(r));
	fd = atoi(argv[2]);
	q.family = atoi(argv[3]);
	q.type = atoi(argv[4]);
	q.protocol = atoi(argv[5]);
	q.addr = argv[6];
	q.port = atoi(argv[7]);
	q.uid = q.gid = -1;
	do_bind(&q, &r);
	gpt_write_all(fd, &r, sizeof(r));
	return 0;
}

/* Forks a child that binds; waits for its report. */
static void child_bind(const struct bindreq *q, struct bres *r)
{
	int fd;
	pid_t pid;
	size_t got;
	int st;

	memset(r, 0, sizeof(*r));
	pid = gpt_fork_piped(&fd, r->skip, sizeof(r->skip));
	if (pid < 0)
		return;
	if (pid == 0) {
		static struct bres cr;

		signal(SIGPIPE, SIG_IGN);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		memset(&cr, 0, sizeof(cr));
		child_setup_and_bind(q, &cr, fd);
		gpt_write_all(fd, &cr, sizeof(cr));
		_exit(0);
	}
	got = gpt_read_full(fd, r, sizeof(*r), 10000);
	close(fd);
	waitpid(pid, &st, 0);
	if (got != sizeof(*r)) {
		memset(r, 0, sizeof(*r));
		snprintf(r->skip, sizeof(r->skip), "child sent %zu of %zu report bytes",
			 got, sizeof(*r));
		r->pid = pid;
	}
}

/* ------------------------------------------------------------------ */
/* Expectations and events                                             */
/* ------------------------------------------------------------------ */

enum want { W_DENY, W_AUDIT, W_EXEMPT, W_NONE };

struct check {
	struct bindreq q;
	struct bres r;
	enum want want;
	int want_errno;		/* W_DENY */
	bool skip_if_unsupported;	/* socket() failing is a SKIP, not a FAIL */
};

static const char *proto_name(const struct bindreq *q)
{
	if (q->protocol == IPPROTO_SCTP)
		return "sctp";
	return q->type == SOCK_DGRAM ? "udp" : "tcp";
}

/* Events (stdout objects) for pid and port; n returned, first max in out. */
static int events_for(struct gpt_reader *rd, int pid, int port, json_t **out, int max)
{
	int n = 0;

	for (size_t i = 0; i < rd->o.n; i++) {
		json_t *j = gpt_line_json(&rd->o, i);

		if (!j || gpt_jint(j, "pid", -1) != pid || gpt_jint(j, "port", -1) != port)
			continue;
		if (n < max)
			out[n] = j;
		n++;
	}
	return n;
}

/* Pumps until every check that wants an event has one (or timeout), then grace. */
static void settle(struct gpt_reader *rd, struct check *c, int nc, int timeout_ms, int grace_ms)
{
	long long end = gpt_now_ns() + (long long)timeout_ms * 1000000;

	for (;;) {
		bool all = true;
		json_t *e[1];

		for (int i = 0; i < nc && all; i++)
			if (c[i].r.done && c[i].want != W_NONE &&
			    events_for(rd, c[i].r.pid, c[i].q.port, e, 1) < 1)
				all = false;
		if (all || gpt_now_ns() >= end)
			break;
		if (!gpt_pump(rd, 50))
			break;
	}
	gpt_pump_for(rd, grace_ms);
}

static void chk_str(struct gpt_chk *k, const json_t *ev, const char *key, const char *want)
{
	const char *got = gpt_jstr(ev, key);

	if (!got || strcmp(got, want))
		gpt_cfail(k, "%s: got %s%s%s, want \"%s\"", key, got ? "\"" : "",
			  got ? got : "(missing/not a string)", got ? "\"" : "", want);
}

static void chk_int(struct gpt_chk *k, const json_t *ev, const char *key, long long want)
{
	const json_t *v = json_object_get(ev, key);

	if (!json_is_integer(v) || json_integer_value(v) != want) {
		char *d = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;

		gpt_cfail(k, "%s: got %s, want %lld", key, d ? d : "(missing)", want);
		free(d);
	}
}

/*
 * The bind's outcome and its events against the expectation.  deny_src:
 * the "source" a deny event must have; audit_src: an exempt/audit event's.
 */
static void evaluate(struct gpt_reader *rd, struct check *c, const char *deny_src,
		     const char *audit_src)
{
	struct gpt_chk k = { 0 };
	json_t *ev[4];
	int n;
	const struct bres *r = &c->r;
	/*
	 * Before 5.18 (no bpf_set_retval) the cgroup method can only answer
	 * EPERM; ghostport says so at start and reports EPERM.  Check that
	 * truthful fallback, and report the errno case itself as a SKIP.
	 */
	bool eperm_only = c->want == W_DENY && c->want_errno != EPERM &&
			  !strcmp(deny_src, "cgroup") &&
			  gpt_err_find(rd, "no bpf_set_retval");
	int want_errno = eperm_only ? EPERM : c->want_errno;

	if (!r->done) {
		if (c->skip_if_unsupported && strstr(r->skip, "socket(") &&
		    (strstr(r->skip, "not supported") || strstr(r->skip, "not available")))
			gpt_result("SKIP", c->q.name, "this kernel has no %s (%s)",
				   c->q.protocol == IPPROTO_SCTP ? "SCTP" : "such socket", r->skip);
		else if (c->q.uring && strstr(r->skip, "IORING_OP_BIND"))
			gpt_result("SKIP", c->q.name, "%s", r->skip);
		else
			gpt_result("FAIL", c->q.name, "bind not attempted: %s", r->skip);
		return;
	}
	if (c->want == W_DENY && c->q.protocol == IPPROTO_SCTP && r->ret == 0 &&
	    !strcmp(deny_src, "cgroup")) {
		/* A limit of the method, not of ghostport: say so, don't fail. */
		n = events_for(rd, r->pid, c->q.port, ev, 4);
		gpt_result("SKIP", c->q.name,
			   "the cgroup method cannot deny SCTP (SCTP's bind runs no cgroup bind "
			   "hook; only the LSM method covers it): bind allowed, %d event(s)%s%s",
			   n, n ? ", verdict " : "", n && gpt_jstr(ev[0], "verdict") ?
			   gpt_jstr(ev[0], "verdict") : "");
		return;
	}
	if (c->want == W_DENY) {
		if (r->ret == 0)
			gpt_cfail(&k, "bind succeeded, want %s", errno_name(want_errno));
		else if (r->err != want_errno)
			gpt_cfail(&k, "bind failed with %s, want %s", errno_name(r->err),
				  errno_name(want_errno));
	} else if (r->ret) {
		gpt_cfail(&k, "bind failed with %s, want success", errno_name(r->err));
	}
	n = events_for(rd, r->pid, c->q.port, ev, 4);
	if (c->want == W_NONE) {
		if (n)
			gpt_cfail(&k, "%d event(s) for an unlisted port, want none (first: verdict \"%s\")",
				  n, gpt_jstr(ev[0], "verdict") ? gpt_jstr(ev[0], "verdict") : "?");
		gpt_cdone(&k, c->q.name);
		return;
	}
	if (n != 1) {
		gpt_cfail(&k, "%d events for pid %d port %d, want exactly 1", n, r->pid,
			  c->q.port);
		if (n == 0) {
			gpt_cdone(&k, c->q.name);
			return;
		}
	}
	/* the first event, field by field */
	{
		const json_t *e = ev[0];
		char want_comm[17];
		const char *fam = c->q.family == AF_INET ? "ipv4" : "ipv6";

		snprintf(want_comm, sizeof(want_comm), "%s", r->comm);
		chk_int(&k, e, "pid", r->pid);
		chk_int(&k, e, "uid", r->uid);
		chk_int(&k, e, "gid", r->gid);
		chk_str(&k, e, "comm", want_comm);
		chk_int(&k, e, "port", c->q.port);
		chk_str(&k, e, "proto", proto_name(&c->q));
		chk_str(&k, e, "family", fam);
		chk_str(&k, e, "addr", r->addr);
		if (!json_is_boolean(json_object_get(e, "v4mapped")) ||
		    json_is_true(json_object_get(e, "v4mapped")) != r->v4mapped)
			gpt_cfail(&k, "v4mapped: want %s", r->v4mapped ? "true" : "false");
		if (json_object_get(e, "count"))
			gpt_cfail(&k, "count: present (%lld), want absent (one bind, one event)",
				  gpt_jint(e, "count", -1));
		if (c->want == W_DENY) {
			chk_str(&k, e, "verdict", "deny");
			chk_str(&k, e, "deny_errno", errno_name(want_errno));
			chk_int(&k, e, "ret", -want_errno);
			if (json_object_get(e, "errno") && !json_is_null(json_object_get(e, "errno")))
				chk_str(&k, e, "errno", errno_name(want_errno));
			chk_str(&k, e, "source", deny_src);
		} else {
			chk_str(&k, e, "verdict", c->want == W_EXEMPT ? "exempt" : "audit");
			chk_int(&k, e, "ret", 0);
			if (json_object_get(e, "deny_errno"))
				gpt_cfail(&k, "deny_errno: present, want absent (allowed bind)");
			chk_str(&k, e, "source", audit_src);
		}
	}
	if (eperm_only && !k.len) {
		gpt_result("SKIP", c->q.name,
			   "this kernel has no bpf_set_retval (Linux 5.18): the cgroup method "
			   "answers EPERM, not %s (checked: EPERM and one deny event saying so)",
			   errno_name(c->want_errno));
		return;
	}
	gpt_cdone(&k, c->q.name);
}

static void run_checks(struct gpt_reader *rd, struct check *c, int nc,
		       const char *deny_src, const char *audit_src)
{
	for (int i = 0; i < nc; i++) {
		child_bind(&c[i].q, &c[i].r);
		gpt_pump(rd, 0);
	}
	settle(rd, c, nc, 5000, 500);
	for (int i = 0; i < nc; i++)
		evaluate(rd, &c[i], deny_src, audit_src);
}

/* A plain bind from a child, no reader: returns 0 or the errno. */
static int quick_bind(int port, char *why, size_t wlen)
{
	struct bindreq q = { "quick", AF_INET, SOCK_STREAM, 0, "127.0.0.1", port,
			     false, -1, -1, NULL, NULL, "gpe-quick" };
	struct bres r;

	child_bind(&q, &r);
	if (!r.done) {
		snprintf(why, wlen, "%s", r.skip);
		return -1;
	}
	return r.ret ? r.err : 0;
}

/* ------------------------------------------------------------------ */
/* Sessions                                                            */
/* ------------------------------------------------------------------ */

static char deny_src[32];	/* what deny events' "source" must be */
static bool clean_start(const char *name)
{
	char msg[512];

	if (!gpt_wait_lock_free(180, msg, sizeof(msg))) {
		gpt_result("SKIP", name, "%s", msg);
		return false;
	}
	if (path_exists(GPT_PIN_DIR)) {
		gpt_note("%s exists before the test (left by an earlier run); ghostport unload", GPT_PIN_DIR);
		if (gp_unload(msg, sizeof(msg)))
			gpt_note("unload: %s", msg);
	}
	return true;
}

#define CK(nm, fam, ty, pr, ad, pt, wt, er, uring) \
	{ { nm, fam, ty, pr, ad, pt, uring, -1, -1, NULL, NULL, NULL }, { 0 }, wt, er, true }

/* 1 + 2: families, protocols, errnos, unlisted, io_uring. */
static void session_deny(void)
{
	static const char *const extra[] = {
		"--ports", "686,886,887,888", "--enforce", "--errno", "EACCES",
		"--deny", "686:EPERM,886:EADDRINUSE,887", NULL,
	};
	static struct check c[] = {
		CK("deny-v4-tcp-EPERM", AF_INET, SOCK_STREAM, 0, "127.0.0.1", 686, W_DENY, EPERM, false),
		CK("deny-v4-tcp-EADDRINUSE", AF_INET, SOCK_STREAM, 0, "127.0.0.1", 886, W_DENY, EADDRINUSE, false),
		CK("deny-v4-tcp-EACCES", AF_INET, SOCK_STREAM, 0, "127.0.0.1", 887, W_DENY, EACCES, false),
		CK("deny-v4-udp-EPERM", AF_INET, SOCK_DGRAM, 0, "0.0.0.0", 686, W_DENY, EPERM, false),
		CK("deny-v4-udp-EADDRINUSE", AF_INET, SOCK_DGRAM, 0, "127.0.0.1", 886, W_DENY, EADDRINUSE, false),
		CK("deny-v4-udp-EACCES", AF_INET, SOCK_DGRAM, 0, "127.0.0.1", 887, W_DENY, EACCES, false),
		CK("deny-v6-tcp-EPERM", AF_INET6, SOCK_STREAM, 0, "::1", 686, W_DENY, EPERM, false),
		CK("deny-v6-tcp-EADDRINUSE", AF_INET6, SOCK_STREAM, 0, "::", 886, W_DENY, EADDRINUSE, false),
		CK("deny-v6-tcp-EACCES", AF_INET6, SOCK_STREAM, 0, "::1", 887, W_DENY, EACCES, false),
		CK("deny-v6-udp-EPERM", AF_INET6, SOCK_DGRAM, 0, "::1", 686, W_DENY, EPERM, false),
		CK("deny-v6-udp-EADDRINUSE", AF_INET6, SOCK_DGRAM, 0, "::1", 886, W_DENY, EADDRINUSE, false),
		CK("deny-v6-udp-EACCES", AF_INET6, SOCK_DGRAM, 0, "::", 887, W_DENY, EACCES, false),
		CK("deny-v4mapped-tcp-EPERM", AF_INET6, SOCK_STREAM, 0, "::ffff:127.0.0.1", 686, W_DENY, EPERM, false),
		CK("deny-v4mapped-tcp-EADDRINUSE", AF_INET6, SOCK_STREAM, 0, "::ffff:127.0.0.1", 886, W_DENY, EADDRINUSE, false),
		CK("deny-v4mapped-tcp-EACCES", AF_INET6, SOCK_STREAM, 0, "::ffff:127.0.0.1", 887, W_DENY, EACCES, false),
		CK("deny-sctp-EPERM", AF_INET, SOCK_STREAM, IPPROTO_SCTP, "127.0.0.1", 686, W_DENY, EPERM, false),
		CK("deny-sctp-EADDRINUSE", AF_INET, SOCK_STREAM, IPPROTO_SCTP, "127.0.0.1", 886, W_DENY, EADDRINUSE, false),
		CK("deny-sctp-EACCES", AF_INET, SOCK_STREAM, IPPROTO_SCTP, "127.0.0.1", 887, W_DENY, EACCES, false),
		CK("deny-sctp-v6-EPERM", AF_INET6, SOCK_STREAM, IPPROTO_SCTP, "::1", 686, W_DENY, EPERM, false),
		/* listed, not denied: allowed, reported */
		CK("audit-v4-tcp", AF_INET, SOCK_STREAM, 0, "127.0.0.1", 888, W_AUDIT, 0, false),
		CK("audit-v4-udp", AF_INET, SOCK_DGRAM, 0, "127.0.0.1", 888, W_AUDIT, 0, false),
		CK("audit-v6-tcp", AF_INET6, SOCK_STREAM, 0, "::1", 888, W_AUDIT, 0, false),
		CK("audit-v6-udp", AF_INET6, SOCK_DGRAM, 0, "::1", 888, W_AUDIT, 0, false),
		/* unlisted: untouched, silent */
		CK("unlisted-v4-tcp", AF_INET, SOCK_STREAM, 0, "127.0.0.1", 687, W_NONE, 0, false),
		CK("unlisted-v4-udp", AF_INET, SOCK_DGRAM, 0, "127.0.0.1", 687, W_NONE, 0, false),
		CK("unlisted-v6-tcp", AF_INET6, SOCK_STREAM, 0, "::1", 687, W_NONE, 0, false),
		CK("unlisted-v6-udp", AF_INET6, SOCK_DGRAM, 0, "::1", 687, W_NONE, 0, false),
		CK("unlisted-v4mapped-tcp", AF_INET6, SOCK_STREAM, 0, "::ffff:127.0.0.1", 687, W_NONE, 0, false),
		CK("unlisted-sctp", AF_INET, SOCK_STREAM, IPPROTO_SCTP, "127.0.0.1", 687, W_NONE, 0, false),
		/* io_uring IORING_OP_BIND */
		CK("uring-deny-v4-tcp-EPERM", AF_INET, SOCK_STREAM, 0, "127.0.0.1", 686, W_DENY, EPERM, true),
		CK("uring-deny-v6-udp-EADDRINUSE", AF_INET6, SOCK_DGRAM, 0, "::1", 886, W_DENY, EADDRINUSE, true),
		CK("uring-deny-v4-udp-EACCES", AF_INET, SOCK_DGRAM, 0, "127.0.0.1", 887, W_DENY, EACCES, true),
		CK("uring-unlisted-v4-tcp", AF_INET, SOCK_STREAM, 0, "127.0.0.1", 687, W_NONE, 0, true),
	};
	int nc = (int)(sizeof(c) / sizeof(c[0]));
	struct gpt_reader rd;
	char why[1024], msg[512];
	const char *l;
	struct gpt_chk k = { 0 };

	if (!clean_start("deny/start"))
		goto skip_all;
	if (!gp_start(&rd, extra, true, why, sizeof(why))) {
		gpt_result("FAIL", "deny/start", "%s", why);
		gp_free(&rd);
		gp_unload(msg, sizeof(msg));
		goto skip_all;
	}
	gpt_result("PASS", "deny/start", NULL);

	/* which method: forced, or auto's choice (LSM where usable) */
	l = gpt_err_find(&rd, "ghostport: enforcing with ");
	if (!l)
		gpt_cfail(&k, "no \"ghostport: enforcing with ...\" line on stderr");
	if (!rd.ready_enforce[0])
		gpt_cfail(&k, "ready line has no enforce=: %s", gpt_err_find(&rd, "ghostport: ready"));
	else if (l && !strstr(l, rd.ready_enforce))
		gpt_cfail(&k, "\"%s\" disagrees with the ready line's enforce=%s", l, rd.ready_enforce);
	if (opt_deny_with && strcmp(rd.ready_enforce, opt_deny_with))
		gpt_cfail(&k, "--deny-with %s, but enforce=%s", opt_deny_with, rd.ready_enforce);
	if (!opt_deny_with && expect_lsm >= 0 &&
	    strcmp(rd.ready_enforce, expect_lsm ? "lsm" : "cgroup"))
		gpt_cfail(&k, "auto picked enforce=%s, want %s (BPF LSM %s here)", rd.ready_enforce,
			  expect_lsm ? "lsm" : "cgroup", expect_lsm ? "usable" : "not usable");
	if ((l = gpt_err_find(&rd, "ghostport: enforcement via ")))
		gpt_note("%s", l);
	gpt_cdone(&k, "deny/method");
	snprintf(deny_src, sizeof(deny_src), "%s", rd.ready_enforce[0] ? rd.ready_enforce :
		 (opt_deny_with ? opt_deny_with : "cgroup"));
	gpt_note("deny events must say source \"%s\"; audit/exempt events \"%s\"", deny_src,
		 rd.ready_source);

	run_checks(&rd, c, nc, deny_src, rd.ready_source);
	gp_stop(&rd, SIGTERM);
	gp_free(&rd);
	if (gp_unload(msg, sizeof(msg)))
		gpt_note("unload: %s", msg);
	return;
skip_all:
	gpt_result("SKIP", "deny/method", "ghostport did not start");
	for (int i = 0; i < nc; i++)
		gpt_result("SKIP", c[i].q.name, "ghostport did not start");
}

static bool copy_file(const char *from, const char *to, char *why, size_t wlen)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	char buf[65536];
	ssize_t n;

	if (in < 0) {
		snprintf(why, wlen, "open %s: %s", from, strerror(errno));
		return false;
	}
	unlink(to);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0) {
		snprintf(why, wlen, "create %s: %s", to, strerror(errno));
		close(in);
		return false;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (!gpt_write_all(out, buf, (size_t)n)) {
			snprintf(why, wlen, "write %s: %s", to, strerror(errno));
			close(in);
			close(out);
			return false;
		}
	close(in);
	if (close(out)) {
		snprintf(why, wlen, "close %s: %s", to, strerror(errno));
		return false;
	}
	return true;
}

static void rmdir_retry(const char *p)
{
	for (int i = 0; i < 50; i++) {
		if (!rmdir(p) || errno == ENOENT)
			return;
		gpt_sleep_ms(100);
	}
	gpt_note("could not remove %s: %s", p, strerror(errno));
}

/* 3: exemptions. */
static void session_exempt(void)
{
	char cgroot[PATH_MAX], cgdir[PATH_MAX + 64], hiport[16];
	char cgwhy[512] = "", exewhy[512] = "", why[1024], msg[512];
	bool have_cg = false, have_exe;
	const char *extra[24];
	int n = 0;
	struct gpt_reader rd;
	struct check c[] = {
		{ { "exempt-uid", AF_INET, SOCK_STREAM, 0, "127.0.0.1", HIPORT, false,
		    EXEMPT_UID, EXEMPT_UID, NULL, NULL, NULL }, { 0 }, W_EXEMPT, 0, false },
		{ { "exempt-uid-v6-udp", AF_INET6, SOCK_DGRAM, 0, "::1", HIPORT, false,
		    EXEMPT_UID, EXEMPT_UID, NULL, NULL, NULL }, { 0 }, W_EXEMPT, 0, false },
		{ { "exempt-gid", AF_INET, SOCK_DGRAM, 0, "127.0.0.1", 686, false,
		    -1, EXEMPT_GID, NULL, NULL, NULL }, { 0 }, W_EXEMPT, 0, false },
		{ { "exempt-exe", AF_INET, SOCK_STREAM, 0, "127.0.0.1", 686, false,
		    -1, -1, NULL, EXEMPT_EXE, NULL }, { 0 }, W_EXEMPT, 0, false },
		{ { "exempt-cgroup", AF_INET6, SOCK_STREAM, 0, "::1", 686, false,
		    -1, -1, cgdir, NULL, NULL }, { 0 }, W_EXEMPT, 0, false },
		/* everyone else: denied */
		{ { "exempt-other-uid-denied", AF_INET, SOCK_STREAM, 0, "127.0.0.1", HIPORT,
		    false, 65533, 65533, NULL, NULL, NULL }, { 0 }, W_DENY, EPERM, false },
		{ { "exempt-root-denied", AF_INET, SOCK_STREAM, 0, "127.0.0.1", 686, false,
		    -1, -1, NULL, NULL, NULL }, { 0 }, W_DENY, EPERM, false },
		/* same comm as the exempt binary, other inode: denied */
		{ { "exempt-exe-comm-not-enough", AF_INET, SOCK_STREAM, 0, "127.0.0.1", 686,
		    false, -1, -1, NULL, NULL, "gp-exempt-exe" }, { 0 }, W_DENY, EPERM, false },
	};
	int nc = (int)(sizeof(c) / sizeof(c[0]));

	snprintf(hiport, sizeof(hiport), "686,%d", HIPORT);
	have_exe = copy_file("/proc/self/exe", EXEMPT_EXE, exewhy, sizeof(exewhy));
	if (!gpt_cgroup2_root(cgroot, sizeof(cgroot))) {
		snprintf(cgwhy, sizeof(cgwhy), "no cgroup2 mount in /proc/self/mountinfo");
	} else {
		snprintf(cgdir, sizeof(cgdir), "%s/%s", cgroot, EXEMPT_CG);
		if (mkdir(cgdir, 0755) && errno != EEXIST)
			snprintf(cgwhy, sizeof(cgwhy), "mkdir %.400s: %s", cgdir, strerror(errno));
		else
			have_cg = true;
	}
	extra[n++] = "--ports";
	extra[n++] = hiport;
	extra[n++] = "--enforce";
	extra[n++] = "--exempt-uid";
	extra[n++] = "65534";
	extra[n++] = "--exempt-gid";
	extra[n++] = "65533";
	if (have_exe) {
		extra[n++] = "--exempt-exe";
		extra[n++] = EXEMPT_EXE;
	}
	if (have_cg) {
		extra[n++] = "--exempt-cgroup";
		extra[n++] = cgdir;
	}
	extra[n] = NULL;
	/*
	 * gid 65533 is exempt, so the "other uid" case runs as uid 65533 with
	 * gid 65532.
	 */
	c[5].q.gid = 65532;

	if (!clean_start("exempt/start"))
		goto skip_all;
	if (!gp_start(&rd, extra, true, why, sizeof(why))) {
		gpt_result("FAIL", "exempt/start", "%s", why);
		gp_free(&rd);
		gp_unload(msg, sizeof(msg));
		goto skip_all;
	}
	gpt_result("PASS", "exempt/start", NULL);
	for (int i = 0; i < nc; i++) {
		if (c[i].q.exec && !have_exe) {
			gpt_result("SKIP", c[i].q.name, "cannot copy the test binary: %s", exewhy);
			c[i].r.done = false;
			continue;
		}
		if (c[i].q.cgroup && !have_cg) {
			gpt_result("SKIP", c[i].q.name, "cannot create a cgroup: %s", cgwhy);
			continue;
		}
		child_bind(&c[i].q, &c[i].r);
		if (!c[i].r.done && c[i].q.cgroup) {
			gpt_result("SKIP", c[i].q.name, "%s", c[i].r.skip);
			c[i].q.name = NULL;
		}
		gpt_pump(&rd, 0);
	}
	settle(&rd, c, nc, 5000, 500);
	for (int i = 0; i < nc; i++) {
		if (!c[i].q.name || (c[i].q.exec && !have_exe) || (c[i].q.cgroup && !have_cg))
			continue;
		evaluate(&rd, &c[i], deny_src[0] ? deny_src : rd.ready_enforce, rd.ready_source);
	}
	gp_stop(&rd, SIGTERM);
	gp_free(&rd);
	if (gp_unload(msg, sizeof(msg)))
		gpt_note("unload: %s", msg);
	if (have_cg)
		rmdir_retry(cgdir);
	unlink(EXEMPT_EXE);
	return;
skip_all:
	for (int i = 0; i < nc; i++)
		gpt_result("SKIP", c[i].q.name, "ghostport did not start");
	if (have_cg)
		rmdir_retry(cgdir);
	unlink(EXEMPT_EXE);
}

/* One child bind of 127.0.0.1:port/tcp, checked against want (0 = allowed). */
static void single(struct gpt_reader *rd, const char *name, int port, enum want w,
		   int want_errno, struct check *out)
{
	struct check c = CK(name, AF_INET, SOCK_STREAM, 0, "127.0.0.1", port, w, want_errno, false);

	child_bind(&c.q, &c.r);
	if (rd) {
		settle(rd, &c, 1, 5000, 300);
		evaluate(rd, &c, deny_src[0] ? deny_src : rd->ready_enforce, rd->ready_source);
	}
	if (out)
		*out = c;
}

/* 4: persistence, adoption, unload. */
static void session_persist(void)
{
	static const char *const a_args[] = { "--ports", "686", "--enforce", NULL };
	static const char *const b_args[] = {
		"--ports", "686", "--enforce", "--errno", "EADDRINUSE", NULL,
	};
	static const char *const mon_args[] = { "--ports", "686", NULL };
	struct gpt_reader a, b;
	struct check dead;
	char why[1024], msg[512];
	struct gpt_chk k = { 0 };
	int e;

	if (!clean_start("persist/start"))
		return;
	if (!gp_start(&a, a_args, true, why, sizeof(why))) {
		gpt_result("FAIL", "persist/start", "%s", why);
		gp_free(&a);
		gp_unload(msg, sizeof(msg));
		return;
	}
	gpt_result("PASS", "persist/start", NULL);
	single(&a, "persist/denied-default-EPERM", 686, W_DENY, EPERM, NULL);

	/* kill -9: the policy stays */
	kill(a.pid, SIGKILL);
	gpt_reap(&a, 10000);
	gp_free(&a);
	live_reader = NULL;
	if (!path_exists(GPT_PIN_DIR))
		gpt_cfail(&k, "%s gone after kill -9", GPT_PIN_DIR);
	single(NULL, "persist/kill9", 686, W_DENY, EPERM, &dead);
	if (!dead.r.done)
		gpt_cfail(&k, "bind not attempted: %s", dead.r.skip);
	else if (!dead.r.ret)
		gpt_cfail(&k, "bind allowed after kill -9 of the daemon, want EPERM");
	else if (dead.r.err != EPERM)
		gpt_cfail(&k, "bind failed with %s after kill -9, want EPERM", errno_name(dead.r.err));
	gpt_cdone(&k, "persist/kill9-still-denied");

	/* a new run adopts the pins and delivers what was queued */
	if (!gp_start(&b, b_args, true, why, sizeof(why))) {
		gpt_result("FAIL", "persist/restart", "%s", why);
		gp_free(&b);
		gp_unload(msg, sizeof(msg));
		return;
	}
	gpt_result("PASS", "persist/restart", NULL);
	if (!gpt_err_find(&b, "ghostport: adopted the pinned instance")) {
		gpt_cfail(&k, "no \"ghostport: adopted the pinned instance\" on stderr");
		gpt_show_stderr(&b);
	}
	gpt_cdone(&k, "persist/adopted");
	if (dead.r.done && dead.r.ret) {
		/* the event was made while no daemon ran: the ring kept it */
		settle(&b, &dead, 1, 5000, 300);
		dead.q.name = "persist/queued-event-delivered";
		evaluate(&b, &dead, deny_src[0] ? deny_src : b.ready_enforce, b.ready_source);
	} else {
		gpt_result("SKIP", "persist/queued-event-delivered", "no denied bind while the daemon was dead");
	}
	/* its own policy (errno), one program not two (one event) */
	single(&b, "persist/adopted-applies-new-errno", 686, W_DENY, EADDRINUSE, NULL);

	/* unload: daemon stops, pins go, binds allowed */
	e = gp_unload(msg, sizeof(msg));
	if (e)
		gpt_cfail(&k, "ghostport unload: exit %d: %s", e, msg);
	if (!gpt_reap(&b, 15000))
		gpt_cfail(&k, "the running ghostport (pid %d) did not exit on unload", (int)b.pid);
	if (path_exists(GPT_PIN_DIR))
		gpt_cfail(&k, "%s still there after unload", GPT_PIN_DIR);
	e = quick_bind(686, why, sizeof(why));
	if (e)
		gpt_cfail(&k, "bind after unload: %s", e < 0 ? why : errno_name(e));
	gpt_cdone(&k, "persist/unload-allows");
	if (!b.exited) {
		kill(b.pid, SIGKILL);
		gpt_reap(&b, 5000);
	}
	gp_free(&b);
	live_reader = NULL;

	/* SIGTERM with --enforce: the policy stays pinned, and says so */
	if (!gp_start(&a, a_args, true, why, sizeof(why))) {
		gpt_result("FAIL", "persist/sigterm-keeps-policy", "start: %s", why);
		gp_free(&a);
		gp_unload(msg, sizeof(msg));
	} else {
		if (gpt_err_find(&a, "adopted"))
			gpt_cfail(&k, "adopted something after unload: %s", gpt_err_find(&a, "adopted"));
		gp_stop(&a, SIGTERM);
		if (!WIFEXITED(a.status) || WEXITSTATUS(a.status))
			gpt_cfail(&k, "exit status %d on SIGTERM, want 0", a.status);
		if (!gpt_err_find(&a, GPT_PIN_DIR) && !gpt_err_find(&a, "stays"))
			gpt_cfail(&k, "stderr does not say the policy stays pinned (last line: %s)",
				  gpt_last_err_line(&a));
		if (!path_exists(GPT_PIN_DIR))
			gpt_cfail(&k, "%s gone after SIGTERM of an enforcing run", GPT_PIN_DIR);
		e = quick_bind(686, why, sizeof(why));
		if (e != EPERM)
			gpt_cfail(&k, "bind after SIGTERM: %s, want EPERM",
				  e < 0 ? why : e ? errno_name(e) : "allowed");
		gpt_cdone(&k, "persist/sigterm-keeps-policy");
		gp_free(&a);
		e = gp_unload(msg, sizeof(msg));
		if (e)
			gpt_cfail(&k, "ghostport unload (no daemon): exit %d: %s", e, msg);
		if (path_exists(GPT_PIN_DIR))
			gpt_cfail(&k, "%s still there after unload", GPT_PIN_DIR);
		e = quick_bind(686, why, sizeof(why));
		if (e)
			gpt_cfail(&k, "bind after unload: %s", e < 0 ? why : errno_name(e));
		gpt_cdone(&k, "persist/unload-without-daemon");
	}

	/* SIGTERM without --enforce: unpinned */
	if (!gp_start(&a, mon_args, false, why, sizeof(why))) {
		gpt_result("FAIL", "persist/sigterm-monitor-unpins", "start: %s", why);
		gp_free(&a);
		gp_unload(msg, sizeof(msg));
		return;
	}
	gp_stop(&a, SIGTERM);
	if (!WIFEXITED(a.status) || WEXITSTATUS(a.status))
		gpt_cfail(&k, "exit status %d on SIGTERM, want 0", a.status);
	if (path_exists(GPT_PIN_DIR))
		gpt_cfail(&k, "%s still there after SIGTERM of a monitor-mode run", GPT_PIN_DIR);
	gpt_cdone(&k, "persist/sigterm-monitor-unpins");
	gp_free(&a);
	if (path_exists(GPT_PIN_DIR))
		gp_unload(msg, sizeof(msg));
}

/* 5: `ghostport enforce on|off` under a bind loop. */
struct loopbuf {
	volatile int stop;
	volatile int n;
	int pid;
	char comm[16];
	unsigned char out[60000];	/* 0 allowed, else errno */
};

static void looper(struct loopbuf *lb, int port)
{
	union gpt_sockaddr sa;
	socklen_t len;

	gpt_sockaddr_parse(&sa, &len, AF_INET, "127.0.0.1", port);
	prctl(PR_SET_NAME, "gpe-looper", 0, 0, 0);
	lb->pid = getpid();
	prctl(PR_GET_NAME, lb->comm, 0, 0, 0);
	while (!lb->stop && lb->n < (int)sizeof(lb->out)) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int r;

		if (fd < 0)
			break;
		r = bind(fd, &sa.sa, len);
		lb->out[lb->n] = (unsigned char)(r ? (errno ? errno : 255) : 0);
		__atomic_add_fetch(&lb->n, 1, __ATOMIC_RELEASE);
		close(fd);
		gpt_sleep_ms(1);
	}
	_exit(0);
}

/* Waits until the loop made `more` binds with outcome class `denied`. */
static bool wait_loop(struct gpt_reader *rd, struct loopbuf *lb, bool denied, int more, int ms)
{
	long long end = gpt_now_ns() + (long long)ms * 1000000;
	int seen = 0, from = lb->n;

	while (gpt_now_ns() < end) {
		int n = __atomic_load_n(&lb->n, __ATOMIC_ACQUIRE);

		for (; from < n; from++) {
			if ((lb->out[from] != 0) == denied)
				seen++;
		}
		if (seen >= more)
			return true;
		gpt_pump(rd, 5);
	}
	return false;
}

/*
 * start_denied false: a monitor-mode run (no --enforce; --deny needs it, so
 * `enforce on` denies every listed port), loop allowed -> on -> denied ->
 * off -> allowed.  true: an enforcing run with --deny 686 of 686,886,
 * denied -> off -> allowed -> on -> denied, and 886 still allowed after.
 */
static void session_switch(const char *nm, bool start_denied)
{
	static const char *const mon_args[] = { "--ports", "686", NULL };
	static const char *const enf_args[] = {
		"--ports", "686,886", "--enforce", "--deny", "686", NULL,
	};
	const char *first = start_denied ? "off" : "on";
	const char *second = start_denied ? "on" : "off";
	struct gpt_reader rd;
	struct loopbuf *lb;
	pid_t pid;
	char why[1024], msg[512], msg1[512], name[96], want_src[32];
	struct gpt_chk k = { 0 };
	int e, st, n;
	int changes = 0, audits = 0, denies = 0, allowed = 0, denied = 0;
	long long evcount = 0;
	size_t bi = 0;
	bool ok0, ok1, ok2;
	const char *l;

#define NAME(s) (snprintf(name, sizeof(name), "%s/%s", nm, s), name)
	if (!clean_start(NAME("start")))
		return;
	if (!gp_start(&rd, start_denied ? enf_args : mon_args, start_denied, why, sizeof(why))) {
		gpt_result("FAIL", NAME("start"), "%s", why);
		gp_free(&rd);
		gp_unload(msg, sizeof(msg));
		return;
	}
	gpt_result("PASS", NAME("start"), NULL);
	lb = mmap(NULL, sizeof(*lb), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (lb == MAP_FAILED) {
		gpt_result("FAIL", NAME("setup"), "mmap: %s", strerror(errno));
		goto out;
	}
	memset(lb, 0, sizeof(*lb));
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		looper(lb, 686);

	ok0 = wait_loop(&rd, lb, start_denied, 30, 10000);
	e = gp_cmd("enforce", first, msg, sizeof(msg));
	if (e)
		gpt_cfail(&k, "ghostport enforce %s: exit %d: %s", first, e, msg);
	snprintf(msg1, sizeof(msg1), "%s", msg);
	/* Switching on may load the deny programs now: under emulation (the
	 * test VM's TCG) verifying them takes seconds, not milliseconds. */
	ok1 = wait_loop(&rd, lb, !start_denied, 30, 60000);
	e = gp_cmd("enforce", second, msg, sizeof(msg));
	if (e)
		gpt_cfail(&k, "ghostport enforce %s: exit %d: %s", second, e, msg);
	ok2 = wait_loop(&rd, lb, start_denied, 30, 60000);
	lb->stop = 1;
	waitpid(pid, &st, 0);
	n = lb->n;
	gpt_cdone(&k, NAME("commands"));

	/* one switch each way: no flapping, every denial EPERM */
	for (int i = 0; i < n; i++) {
		bool d = lb->out[i] != 0;

		if (d && lb->out[i] != EPERM && k.len < 600)
			gpt_cfail(&k, "bind #%d failed with %s, want EPERM", i, errno_name(lb->out[i]));
		if (i && d != (lb->out[i - 1] != 0))
			changes++;
		d ? denied++ : allowed++;
	}
	gpt_note("%s: %d binds by pid %d: %d allowed, %d denied, %d changes", nm, n, lb->pid,
		 allowed, denied, changes);
	if (!ok0 || !n || (lb->out[0] != 0) != start_denied)
		gpt_result("FAIL", NAME(start_denied ? "enforcing-denies" : "monitor-allows"),
			   "the first binds were %s", start_denied ? "not denied" : "not allowed");
	else
		gpt_result("PASS", NAME(start_denied ? "enforcing-denies" : "monitor-allows"), NULL);
	if (!ok1) {
		gpt_pump_for(&rd, 200);
		gpt_result("FAIL", NAME(start_denied ? "off-allows" : "on-denies"),
			   "binds not %s within 60 s of `ghostport enforce %s` (enforce: %s; daemon pid %d: %s)",
			   start_denied ? "allowed" : "denied", first, msg1, (int)rd.pid,
			   gpt_last_err_line(&rd) ? gpt_last_err_line(&rd) : "(no stderr)");
		gpt_show_stderr(&rd);
	}
	else
		gpt_result("PASS", NAME(start_denied ? "off-allows" : "on-denies"), NULL);
	if (!ok2)
		gpt_result("FAIL", NAME(start_denied ? "on-denies" : "off-allows"),
			   "binds not %s within 60 s of `ghostport enforce %s`",
			   start_denied ? "denied" : "allowed", second);
	else
		gpt_result("PASS", NAME(start_denied ? "on-denies" : "off-allows"), NULL);
	if (changes != 2)
		gpt_cfail(&k, "allowed/denied changed %d times, want 2", changes);
	gpt_cdone(&k, NAME("no-flapping"));

	/* which method the switch used: the run's, or the one it announced */
	snprintf(want_src, sizeof(want_src), "%s", rd.ready_enforce[0] ? rd.ready_enforce :
		 deny_src[0] ? deny_src : "cgroup");
	gpt_pump_for(&rd, 200);
	if ((l = gpt_err_find(&rd, "ghostport: enforcement on via ")))
		snprintf(want_src, sizeof(want_src), "%s", l + strlen("ghostport: enforcement on via "));
	else if (!start_denied)
		gpt_note("%s: no \"ghostport: enforcement on via ...\" line on stderr", nm);
	if (deny_src[0] && strcmp(want_src, deny_src))
		gpt_note("%s: the switch enforces with %s, the --enforce runs with %s", nm,
			 want_src, deny_src);

	/* every bind has exactly one event, in order, verdict as the outcome */
	{
		long long end = gpt_now_ns() + 10 * GPT_NSEC;

		for (;;) {
			long long c = 0;

			for (size_t i = 0; i < rd.o.n; i++) {
				json_t *j = gpt_line_json(&rd.o, i);

				if (j && gpt_jint(j, "pid", -1) == lb->pid && gpt_jint(j, "port", -1) == 686)
					c += gpt_jint(j, "count", 1);
			}
			if (c >= n || gpt_now_ns() >= end)
				break;
			gpt_pump(&rd, 50);
		}
		gpt_pump_for(&rd, 300);
	}
	for (size_t i = 0; i < rd.o.n; i++) {
		json_t *j = gpt_line_json(&rd.o, i);
		const char *v, *src;
		long long cnt;

		if (!j || gpt_jint(j, "pid", -1) != lb->pid || gpt_jint(j, "port", -1) != 686)
			continue;
		v = gpt_jstr(j, "verdict");
		src = gpt_jstr(j, "source");
		cnt = gpt_jint(j, "count", 1);
		for (long long m = 0; m < cnt; m++, bi++) {
			bool want_deny;

			if (bi >= (size_t)n)
				continue;
			want_deny = lb->out[bi] != 0;
			if ((!v || strcmp(v, want_deny ? "deny" : "audit")) && k.len < 600)
				gpt_cfail(&k, "bind #%zu (%s) has event verdict \"%s\"", bi,
					  want_deny ? "denied" : "allowed", v ? v : "?");
		}
		if (v && !strcmp(v, "deny")) {
			denies += (int)cnt;
			if ((!src || strcmp(src, want_src)) && k.len < 600)
				gpt_cfail(&k, "deny event source \"%s\", want \"%s\"",
					  src ? src : "?", want_src);
			if ((!gpt_jstr(j, "deny_errno") || strcmp(gpt_jstr(j, "deny_errno"), "EPERM")) &&
			    k.len < 600)
				gpt_cfail(&k, "deny_errno \"%s\", want \"EPERM\"",
					  gpt_jstr(j, "deny_errno") ? gpt_jstr(j, "deny_errno") : "?");
		} else {
			audits += (int)cnt;
		}
		evcount += cnt;
	}
	if (evcount != n)
		gpt_cfail(&k, "%lld events for %d binds (%d audit for %d allowed, %d deny for %d denied)",
			  evcount, n, audits, allowed, denies, denied);
	gpt_cdone(&k, NAME("every-bind-one-event"));
	munmap(lb, sizeof(*lb));
	if (start_denied) {
		/* --deny narrowed the policy to 686: 886 stays allowed after `on` */
		struct check c886 = CK("", AF_INET, SOCK_STREAM, 0, "127.0.0.1", 886,
				       W_AUDIT, 0, false);

		c886.q.name = NAME("deny-list-kept");
		child_bind(&c886.q, &c886.r);
		settle(&rd, &c886, 1, 5000, 300);
		evaluate(&rd, &c886, want_src, rd.ready_source);
	}
out:
	gp_stop(&rd, SIGTERM);
	gp_free(&rd);
	if (gp_unload(msg, sizeof(msg)))
		gpt_note("unload: %s", msg);
#undef NAME
}

/* 6: --deny-with lsm: refused where no BPF LSM, works (source "lsm") where there is. */
static void session_lsm(void)
{
	static const char *const args[] = {
		"--ports", "686", "--enforce", "--deny-with", "lsm", NULL,
	};
	struct gpt_reader rd;
	char why[1024], msg[512];
	struct gpt_chk k = { 0 };
	bool started;
	int e;

	if (expect_lsm < 0) {
		gpt_result("SKIP", "lsm/forced", "--expect-lsm not given: whether the BPF LSM is usable here is unknown");
		return;
	}
	if (!clean_start("lsm/forced"))
		return;
	started = gp_start(&rd, args, false, why, sizeof(why));
	if (expect_lsm) {
		if (!started) {
			gpt_result("FAIL", "lsm/forced-start", "%s", why);
			gpt_result("SKIP", "lsm/forced-deny", "ghostport did not start");
		} else {
			gpt_result("PASS", "lsm/forced-start", NULL);
			if (strcmp(rd.ready_enforce, "lsm"))
				gpt_result("FAIL", "lsm/forced-method", "enforce=%s, want lsm", rd.ready_enforce);
			else
				gpt_result("PASS", "lsm/forced-method", NULL);
			{
				char save[32];

				snprintf(save, sizeof(save), "%s", deny_src);
				snprintf(deny_src, sizeof(deny_src), "lsm");
				single(&rd, "lsm/forced-deny", 686, W_DENY, EPERM, NULL);
				snprintf(deny_src, sizeof(deny_src), "%s", save);
			}
			gp_stop(&rd, SIGTERM);
		}
		gp_free(&rd);
		gp_unload(msg, sizeof(msg));
		return;
	}
	/* no usable BPF LSM: must refuse to start, leave nothing behind */
	if (started) {
		gpt_cfail(&k, "started (%s) although the BPF LSM is not usable here",
			  gpt_err_find(&rd, "ghostport: ready"));
		gp_stop(&rd, SIGTERM);
	} else {
		if (!rd.exited)
			gpt_cfail(&k, "did not exit: %s", why);
		else if (!WIFEXITED(rd.status) || !WEXITSTATUS(rd.status))
			gpt_cfail(&k, "exit status 0 without starting, want non-zero");
		if (gpt_err_find(&rd, "ghostport: ready"))
			gpt_cfail(&k, "printed a ready line");
	}
	if (path_exists(GPT_PIN_DIR))
		gpt_cfail(&k, "%s exists after the refused start", GPT_PIN_DIR);
	e = quick_bind(686, why, sizeof(why));
	if (e)
		gpt_cfail(&k, "bind after the refused start: %s", e < 0 ? why : errno_name(e));
	gpt_cdone(&k, "lsm/forced-refused");
	if (!started && rd.exited) {
		/* "fails loudly": one error line, and it names the LSM as the reason */
		size_t lines = 0;
		const char *last = gpt_last_err_line(&rd);

		for (size_t i = 0; i < rd.e.n; i++)
			if (rd.e.v[i][0])
				lines++;
		if (lines != 1)
			gpt_cfail(&k, "%zu stderr lines, want one error line", lines);
		if (!strstr(last, "lsm") && !strstr(last, "LSM"))
			gpt_cfail(&k, "the final error line does not name the BPF LSM: \"%s\"", last);
		gpt_cdone(&k, "lsm/forced-refused-message");
	} else {
		gpt_result("SKIP", "lsm/forced-refused-message", "it did not refuse");
	}
	gp_free(&rd);
	if (path_exists(GPT_PIN_DIR))
		gp_unload(msg, sizeof(msg));
}

/* 7: nothing left behind. */
static void final_cleanup(void)
{
	char msg[512], why[256];
	struct gpt_chk k = { 0 };
	int e;

	e = gp_unload(msg, sizeof(msg));
	if (e)
		gpt_cfail(&k, "ghostport unload: exit %d: %s", e, msg);
	if (path_exists(GPT_PIN_DIR))
		gpt_cfail(&k, "%s still there", GPT_PIN_DIR);
	e = quick_bind(686, why, sizeof(why));
	if (e)
		gpt_cfail(&k, "bind 127.0.0.1:686 after unload: %s", e < 0 ? why : errno_name(e));
	gpt_cdone(&k, "cleanup");
}

/* ------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr,
		"usage: gp_enforce --ghostport PATH --prefix NAME [--deny-with lsm|cgroup]\n"
		"                  [--source MODE] [--expect-lsm yes|no] [--ready-timeout S]\n"
		"                  [--only deny,exempt,persist,switch,lsm]\n");
	exit(2);
}

static bool selected(const char *only, const char *s)
{
	const char *p;
	size_t l = strlen(s);

	if (!only)
		return true;
	for (p = only; (p = strstr(p, s)); p += l)
		if ((p == only || p[-1] == ',') && (p[l] == 0 || p[l] == ','))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	const char *only = NULL;

	if (argc > 1 && !strcmp(argv[1], "--bind-child"))
		return bind_child_main(argc, argv);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			usage();
		if (!strcmp(a, "--ghostport"))
			gp_path = v;
		else if (!strcmp(a, "--prefix"))
			gpt_prefix = v;
		else if (!strcmp(a, "--deny-with"))
			opt_deny_with = v;
		else if (!strcmp(a, "--source"))
			opt_source = v;
		else if (!strcmp(a, "--expect-lsm"))
			expect_lsm = !strcmp(v, "yes") ? 1 : !strcmp(v, "no") ? 0 : -2;
		else if (!strcmp(a, "--ready-timeout"))
			ready_timeout = atoi(v);
		else if (!strcmp(a, "--only"))
			only = v;
		else
			usage();
		i++;
	}
	if (!gp_path || expect_lsm == -2 || ready_timeout <= 0 ||
	    (opt_deny_with && strcmp(opt_deny_with, "lsm") && strcmp(opt_deny_with, "cgroup")))
		usage();
	if (geteuid() != 0) {
		gpt_result("SKIP", "all", "needs root (BPF, bind to ports < 1024, setresuid)");
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	if (selected(only, "deny"))
		session_deny();
	if (selected(only, "exempt"))
		session_exempt();
	if (selected(only, "persist"))
		session_persist();
	if (selected(only, "switch")) {
		session_switch("switch-from-monitor", false);
		session_switch("switch-from-enforce", true);
	}
	if (selected(only, "lsm"))
		session_lsm();
	final_cleanup();
	gpt_note("%d passed, %d failed, %d skipped", gpt_npass, gpt_nfail, gpt_nskip);
	return gpt_nfail ? 1 : 0;
}
