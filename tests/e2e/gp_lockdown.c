// SPDX-License-Identifier: GPL-2.0
/*
 * gp_lockdown.c - ghostport on a kernel in lockdown=confidentiality
 * (issue 19): the lockdown-safe program set is chosen and said so, every
 * listed bind is reported with what the set can see and null for what it
 * cannot, --enforce denies, and `status` names the program set.
 *
 *   gp_lockdown --ghostport PATH [--prefix NAME] [--ready-timeout S]
 *
 * Cases (PASS/FAIL/SKIP <prefix>/<case>):
 *   mode                  the kernel is in confidentiality (else all SKIP)
 *   audit/ready           `run` starts and says it uses the safe set
 *   audit/<bind>          tcp4, udp4, tcp6, udp6 on listed ports, and a
 *                         failing bind (EADDRINUSE): one event each, every
 *                         field checked, "progset":"lockdown-safe", netns
 *                         and opts null
 *   status/text|json|prometheus   the program set and what it cannot see
 *   enforce/ready, enforce/<bind> --enforce: the binds fail with EPERM and
 *                         each is one "deny" event
 *
 * Needs root; runs in the VM guest booted with lockdown=confidentiality
 * (tests/vm/guest.d/90-lockdown.sh).  Static, no shell.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define GPT_PROG	"gp_lockdown"
#define GPT_PREFIX	"lockdown"
#include "gp_test.h"

static const char *gp_path;
static int ready_timeout = 60;

struct bindreq {
	const char *name;
	int family, type, port;
	const char *addr;	/* as ghostport prints it */
	bool twice;		/* bind a second socket: EADDRINUSE */
};

static const struct bindreq binds[] = {
	{ "tcp4", AF_INET, SOCK_STREAM, 686, "127.0.0.1", false },
	{ "udp4", AF_INET, SOCK_DGRAM, 886, "0.0.0.0", false },
	{ "tcp6", AF_INET6, SOCK_STREAM, 686, "::1", false },
	{ "udp6", AF_INET6, SOCK_DGRAM, 887, "::", false },
	{ "tcp4-inuse", AF_INET, SOCK_STREAM, 886, "127.0.0.1", true },
};
#define NBINDS (sizeof(binds) / sizeof(binds[0]))

struct bres {
	int pid, tid, ppid;
	int err;		/* errno of the bind checked, 0 = it worked */
};

/* One bind in a forked child named "gp_ld_bind"; it reports and then
 * stays (its sockets too) until the pipe closes. */
static pid_t child_bind(const struct bindreq *q, struct bres *r, int *hold)
{
	int rp[2], hp[2];
	pid_t pid;

	if (pipe(rp) || pipe(hp))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		union gpt_sockaddr u;
		socklen_t len;
		struct bres me = { getpid(), (int)syscall(SYS_gettid), getppid(), 0 };
		int fd, fd2;
		char c;

		close(rp[0]);
		close(hp[1]);
		prctl(PR_SET_NAME, "gp_ld_bind");
		len = gpt_sockaddr(&u, q->family, NULL, q->port);
		gpt_sockaddr_parse(&u, &len, q->family, q->addr, q->port);
		fd = socket(q->family, q->type, 0);
		if (fd < 0 || bind(fd, &u.sa, len))
			me.err = errno;
		if (q->twice && !me.err) {
			fd2 = socket(q->family, q->type, 0);
			me.err = fd2 < 0 || !bind(fd2, &u.sa, len) ? EINVAL : errno;
			/* The cgroup mode reports a failed bind at the
			 * socket's release (ret unknown): release it now. */
			if (fd2 >= 0)
				close(fd2);
		}
		gpt_write_all(rp[1], &me, sizeof(me));
		(void)!read(hp[0], &c, 1);
		_exit(0);
	}
	close(rp[1]);
	close(hp[0]);
	if (pid < 0 || gpt_read_full(rp[0], r, sizeof(*r), 10000) != sizeof(*r)) {
		close(rp[0]);
		close(hp[1]);
		return -1;
	}
	close(rp[0]);
	*hold = hp[1];
	return pid;
}

static const char *family_proto(const struct bindreq *q)
{
	return q->type == SOCK_STREAM ? "tcp" : "udp";
}

static void chk_null(struct gpt_chk *k, const json_t *ev, const char *key)
{
	const json_t *v = json_object_get(ev, key);

	if (!v)
		gpt_cfail(k, "no \"%s\"", key);
	else if (!json_is_null(v))
		gpt_cfail(k, "\"%s\" is not null (the safe set cannot see it)", key);
}

static void chk_str(struct gpt_chk *k, const json_t *ev, const char *key, const char *want)
{
	const char *v = gpt_jstr(ev, key);

	if (!v || strcmp(v, want))
		gpt_cfail(k, "%s=%s, want %s", key, v ? v : "(none)", want);
}

static void chk_int(struct gpt_chk *k, const json_t *ev, const char *key, long long want)
{
	long long v = gpt_jint(ev, key, -999999);

	if (v != want)
		gpt_cfail(k, "%s=%lld, want %lld", key, v, want);
}

/* The events of the reader's stdout for pid and port. */
static int events_for(struct gpt_reader *rd, int pid, int port, json_t **out, int max)
{
	int n = 0;

	for (size_t i = 0; i < rd->o.n; i++) {
		json_t *j = gpt_line_json(&rd->o, i);

		if (j && gpt_jint(j, "pid", -1) == pid && gpt_jint(j, "port", -1) == port &&
		    n < max)
			out[n++] = j;
	}
	return n;
}

static void check_event(const char *sess, const struct bindreq *q, const struct bres *r,
			struct gpt_reader *rd, bool enforce)
{
	char name[64];
	struct gpt_chk k = { 0 };
	json_t *ev[4];
	int n, want_err = enforce ? EPERM : (q->twice ? EADDRINUSE : 0);
	long long ppid;

	snprintf(name, sizeof(name), "%s/%s", sess, q->name);
	if (r->err != want_err)
		gpt_cfail(&k, "bind: %s, want %s", r->err ? strerror(r->err) : "ok",
			  want_err ? strerror(want_err) : "ok");
	n = events_for(rd, r->pid, q->port, ev, 4);
	/* Audited, the in-use case is two binds: the first works, the
	 * second fails; check the failed one. */
	if (!enforce && q->twice && n == 2 && gpt_jint(ev[0], "ret", 0) == 0)
		ev[0] = ev[1];
	if (n != (!enforce && q->twice ? 2 : 1)) {
		gpt_cfail(&k, "%d events for pid %d port %d, want %d", n, r->pid,
			  q->port, !enforce && q->twice ? 2 : 1);
		gpt_cdone(&k, name);
		return;
	}
	chk_int(&k, ev[0], "tid", r->tid);
	chk_int(&k, ev[0], "uid", (long long)getuid());
	chk_int(&k, ev[0], "gid", (long long)getgid());
	chk_str(&k, ev[0], "comm", "gp_ld_bind");
	chk_str(&k, ev[0], "proto", family_proto(q));
	chk_str(&k, ev[0], "family", q->family == AF_INET ? "ipv4" : "ipv6");
	chk_str(&k, ev[0], "addr", q->addr);
	chk_str(&k, ev[0], "progset", "lockdown-safe");
	if (!json_is_integer(json_object_get(ev[0], "cgroup_id")))
		gpt_cfail(&k, "cgroup_id is not a number");
	chk_null(&k, ev[0], "opts");
	/* The cgroup set has no namespace; fentry's safe set reads it. */
	if (!strcmp(gpt_jstr(ev[0], "source") ? gpt_jstr(ev[0], "source") : "", "cgroup"))
		chk_null(&k, ev[0], "netns");
	/* Parent: known where bpf_get_current_task_btf exists (5.11+). */
	ppid = gpt_jint(ev[0], "ppid", -1);
	if (!json_is_null(json_object_get(ev[0], "ppid")) && ppid != r->ppid)
		gpt_cfail(&k, "ppid=%lld, want %d or null", ppid, r->ppid);
	if (enforce) {
		chk_str(&k, ev[0], "verdict", "deny");
		chk_str(&k, ev[0], "deny_errno", "EPERM");
	} else {
		chk_str(&k, ev[0], "verdict", "audit");
		/* The cgroup mode settles a failed bind at the socket's
		 * release, where the error is no longer known: null. */
		if (want_err && json_is_null(json_object_get(ev[0], "ret")) &&
		    !strcmp(gpt_jstr(ev[0], "source") ? gpt_jstr(ev[0], "source") : "", "cgroup"))
			;
		else
			chk_int(&k, ev[0], "ret", want_err ? -want_err : 0);
	}
	gpt_cdone(&k, name);
}

static int run_cmd(const char *a1, const char *a2, struct gpt_reader *out)
{
	char *argv[] = { (char *)gp_path, (char *)a1, (char *)a2, NULL };

	if (gpt_spawn(out, argv))
		return -1;
	gpt_reap(out, 20000);
	while (gpt_pump(out, 200))
		;
	return out->exited && WIFEXITED(out->status) ? WEXITSTATUS(out->status) : -1;
}

static bool out_has(const struct gpt_reader *rd, const char *needle)
{
	for (size_t i = 0; i < rd->o.n; i++)
		if (strstr(rd->o.v[i], needle))
			return true;
	return false;
}

static void check_status(void)
{
	struct gpt_reader s;
	struct gpt_chk k = { 0 };
	json_t *j;

	if (run_cmd("status", NULL, &s) != 0 || !out_has(&s, "programs:    lockdown-safe"))
		gpt_cfail(&k, "no \"programs:    lockdown-safe\" line");
	gpt_reader_free(&s);
	gpt_cdone(&k, "status/text");

	if (run_cmd("status", "--json", &s) != 0 || s.o.n < 1 ||
	    !(j = gpt_line_json(&s.o, 0))) {
		gpt_cfail(&k, "no JSON status");
	} else {
		chk_str(&k, j, "progset", "lockdown-safe");
		if (!gpt_jstr(j, "unseen") || !strstr(gpt_jstr(j, "unseen"), "opts"))
			gpt_cfail(&k, "unseen=%s, want a list with opts",
				  gpt_jstr(j, "unseen") ? gpt_jstr(j, "unseen") : "(none)");
	}
	gpt_reader_free(&s);
	gpt_cdone(&k, "status/json");

	if (run_cmd("status", "--prometheus", &s) != 0 ||
	    !out_has(&s, "ghostport_program_set{set=\"lockdown-safe\",unseen=\""))
		gpt_cfail(&k, "no ghostport_program_set{set=\"lockdown-safe\",...} metric");
	gpt_reader_free(&s);
	gpt_cdone(&k, "status/prometheus");
}

static void session(const char *sess, bool enforce)
{
	char *argv[] = { (char *)gp_path, "run", "--format", "json", "--ports", "686,886,887",
			 enforce ? "--enforce" : NULL, NULL };
	struct gpt_reader rd;
	struct bres res[NBINDS];
	pid_t kids[NBINDS];
	int hold[NBINDS];
	char why[512], name[64];
	struct gpt_chk k = { 0 };
	size_t i;

	snprintf(name, sizeof(name), "%s/ready", sess);
	if (gpt_spawn(&rd, argv)) {
		gpt_result("FAIL", name, "cannot start %s: %s", gp_path, strerror(errno));
		return;
	}
	if (!gpt_wait_ready(&rd, ready_timeout, why, sizeof(why))) {
		gpt_show_stderr(&rd);
		gpt_result("FAIL", name, "%s", why);
		gpt_reader_free(&rd);
		return;
	}
	if (!gpt_err_find(&rd, "lockdown-safe program set"))
		gpt_cfail(&k, "stderr does not say it uses the lockdown-safe program set");
	if (enforce && !rd.ready_enforce[0])
		gpt_cfail(&k, "ready line without enforce=");
	gpt_note("%s: source=%s enforce=%s", sess, rd.ready_source,
		 rd.ready_enforce[0] ? rd.ready_enforce : "-");
	gpt_cdone(&k, name);

	for (i = 0; i < NBINDS; i++) {
		hold[i] = -1;
		memset(&res[i], 0, sizeof(res[i]));
		kids[i] = child_bind(&binds[i], &res[i], &hold[i]);
	}
	gpt_pump_for(&rd, 1500);
	if (!enforce)
		check_status();
	kill(rd.pid, SIGINT);
	gpt_reap(&rd, 15000);
	while (gpt_pump(&rd, 200))
		;
	for (i = 0; i < NBINDS; i++) {
		if (kids[i] < 0) {
			snprintf(name, sizeof(name), "%s/%s", sess, binds[i].name);
			gpt_result("FAIL", name, "the bind child failed");
			continue;
		}
		check_event(sess, &binds[i], &res[i], &rd, enforce);
	}
	/* Each child holds the pipes of those forked before it: close all,
	 * then reap (the last exits first and lets the others go). */
	for (i = 0; i < NBINDS; i++)
		if (hold[i] >= 0)
			close(hold[i]);
	for (i = 0; i < NBINDS; i++)
		if (kids[i] > 0)
			waitpid(kids[i], NULL, 0);
	if (gpt_nfail)
		gpt_show_stderr(&rd);
	gpt_reader_free(&rd);
}

static const char *lockdown_mode(char *buf, size_t len)
{
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

int main(int argc, char **argv)
{
	char mode[128];
	struct gpt_reader u;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ghostport") && i + 1 < argc)
			gp_path = argv[++i];
		else if (!strcmp(argv[i], "--prefix") && i + 1 < argc)
			gpt_prefix = argv[++i];
		else if (!strcmp(argv[i], "--ready-timeout") && i + 1 < argc)
			ready_timeout = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: gp_lockdown --ghostport PATH [--prefix NAME] [--ready-timeout S]\n");
			return 2;
		}
	}
	if (!gp_path) {
		fprintf(stderr, "gp_lockdown: --ghostport PATH is required\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!strstr(lockdown_mode(mode, sizeof(mode)), "[confidentiality]")) {
		gpt_result("SKIP", "mode", "kernel not in lockdown=confidentiality (%s)",
			   mode[0] ? mode : "no /sys/kernel/security/lockdown");
		return 0;
	}
	gpt_result("PASS", "mode", NULL);
	session("audit", false);
	session("enforce", true);
	/* --enforce keeps the policy pinned: remove it. */
	run_cmd("unload", NULL, &u);
	gpt_reader_free(&u);
	return gpt_nfail ? 1 : 0;
}
