// SPDX-License-Identifier: GPL-2.0
/*
 * gp_paths.c - adversarial end-to-end test: every bind path (issue 13).
 *
 *   gp_paths --ghostport PATH --source MODE [--enforce] [--deny-with M]
 *            [--prefix NAME] [--ready-timeout S] [--only case,case]
 *
 * One `ghostport run --source MODE --format json --ports 686,886,887,888`
 * (with --enforce: `--errno ECONNREFUSED`, an errno no bind path returns
 * by itself).  Each case binds a listed port in a forked child (its own
 * pid) by one path, then the events of that pid are checked:
 *   --enforce  the bind failed with the configured errno (EPERM where the
 *              cgroup method has no bpf_set_retval, < 5.18) and exactly one
 *              "deny" event names it;
 *   audit      exactly one event, with the bind's true result.
 * Paths: TCP, UDP, MPTCP (IPPROTO_MPTCP), SMC (AF_SMC, IPPROTO_SMC),
 * SCTP bind and bindx (SCTP_SOCKOPT_BINDX_ADD), AF_UNSPEC + INADDR_ANY on
 * an AF_INET socket; v4, v6 and v4-mapped; bind(2), io_uring's
 * IORING_OP_BIND and the 32-bit socketcall (int $0x80 from this 64-bit
 * process); an unprivileged bind with net.ipv4.ip_unprivileged_port_start
 * at 0 and at 1024; four threads binding at once (SO_REUSEPORT).
 * A path the kernel lacks, or a mode is documented as blind to (README's
 * coverage table), is a SKIP with the reason.  Results per docs/hacking.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#define GPT_PROG	"gp_paths"
#define GPT_PREFIX	"paths"
#include "gp_test.h"
#include "lib/kver.h"

#ifndef AF_SMC
#define AF_SMC 43
#endif
#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#define GP_IPPROTO_SMC 256
#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif
#define SOL_SCTP_ 132
#define SCTP_SOCKOPT_BINDX_ADD_ 100
#define UNPRIV_FILE "/proc/sys/net/ipv4/ip_unprivileged_port_start"

enum how { H_BIND, H_URING, H_INT80, H_BINDX, H_THREADS, H_LEAK };

struct pcase {
	const char *name;
	int family, type, proto;	/* socket() */
	int afam;			/* sockaddr family: AF_INET/AF_INET6/AF_UNSPEC */
	bool mapped;			/* ::ffff:127.0.0.1 */
	enum how how;
	int unpriv;			/* -1: as root; else ip_unprivileged_port_start, uid 65534 */
	unsigned short port;
	bool sctp;			/* the cgroup hooks never see SCTP */
};

#define NTHREADS 4

static const struct pcase cases[] = {
	{ "tcp4",          AF_INET,  SOCK_STREAM, 0, AF_INET,   false, H_BIND, -1, 686, false },
	{ "tcp6",          AF_INET6, SOCK_STREAM, 0, AF_INET6,  false, H_BIND, -1, 686, false },
	{ "tcp6-mapped",   AF_INET6, SOCK_STREAM, 0, AF_INET6,  true,  H_BIND, -1, 686, false },
	{ "udp4",          AF_INET,  SOCK_DGRAM,  0, AF_INET,   false, H_BIND, -1, 686, false },
	{ "udp6",          AF_INET6, SOCK_DGRAM,  0, AF_INET6,  false, H_BIND, -1, 686, false },
	{ "udp6-mapped",   AF_INET6, SOCK_DGRAM,  0, AF_INET6,  true,  H_BIND, -1, 686, false },
	{ "unspec-tcp4",   AF_INET,  SOCK_STREAM, 0, AF_UNSPEC, false, H_BIND, -1, 686, false },
	{ "unspec-udp4",   AF_INET,  SOCK_DGRAM,  0, AF_UNSPEC, false, H_BIND, -1, 686, false },
	{ "mptcp4",        AF_INET,  SOCK_STREAM, IPPROTO_MPTCP, AF_INET,  false, H_BIND, -1, 686, false },
	{ "mptcp6",        AF_INET6, SOCK_STREAM, IPPROTO_MPTCP, AF_INET6, false, H_BIND, -1, 686, false },
	{ "mptcp6-mapped", AF_INET6, SOCK_STREAM, IPPROTO_MPTCP, AF_INET6, true,  H_BIND, -1, 686, false },
	{ "smc4",          AF_SMC,   SOCK_STREAM, 0, AF_INET,   false, H_BIND, -1, 686, false },
	{ "smc6",          AF_SMC,   SOCK_STREAM, 1, AF_INET6,  false, H_BIND, -1, 686, false },
	{ "ipproto-smc4",  AF_INET,  SOCK_STREAM, GP_IPPROTO_SMC, AF_INET, false, H_BIND, -1, 686, false },
	{ "sctp4",         AF_INET,  SOCK_SEQPACKET, IPPROTO_SCTP, AF_INET,  false, H_BIND, -1, 686, true },
	{ "sctp6",         AF_INET6, SOCK_SEQPACKET, IPPROTO_SCTP, AF_INET6, false, H_BIND, -1, 686, true },
	{ "sctp-bindx4",   AF_INET,  SOCK_SEQPACKET, IPPROTO_SCTP, AF_INET,  false, H_BINDX, -1, 686, true },
	{ "sctp-bindx6",   AF_INET6, SOCK_SEQPACKET, IPPROTO_SCTP, AF_INET6, false, H_BINDX, -1, 686, true },
	{ "uring-tcp4",    AF_INET,  SOCK_STREAM, 0, AF_INET,   false, H_URING, -1, 886, false },
	{ "uring-tcp6",    AF_INET6, SOCK_STREAM, 0, AF_INET6,  false, H_URING, -1, 886, false },
	{ "uring-mptcp4",  AF_INET,  SOCK_STREAM, IPPROTO_MPTCP, AF_INET, false, H_URING, -1, 886, false },
	{ "int80-tcp4",    AF_INET,  SOCK_STREAM, 0, AF_INET,   false, H_INT80, -1, 887, false },
	{ "int80-udp6",    AF_INET6, SOCK_DGRAM,  0, AF_INET6,  false, H_INT80, -1, 887, false },
	{ "int80-mptcp4",  AF_INET,  SOCK_STREAM, IPPROTO_MPTCP, AF_INET, false, H_INT80, -1, 887, false },
	{ "unpriv0-tcp4",  AF_INET,  SOCK_STREAM, 0, AF_INET,   false, H_BIND, 0, 888, false },
	{ "unpriv1024-tcp4", AF_INET, SOCK_STREAM, 0, AF_INET,  false, H_BIND, 1024, 888, false },
	{ "threads-tcp4",  AF_INET,  SOCK_STREAM, 0, AF_INET,   false, H_THREADS, -1, 686, false },
	/* A failed compat bind never reaches sys_exit_bind (x86 syscall
	 * tracepoints skip compat syscalls): one from an unprivileged user,
	 * then LEAK_N of them from as many threads (distinct tids), then a
	 * plain listed bind that must still be reported. */
	{ "int80-unpriv-tcp4", AF_INET, SOCK_STREAM, 0, AF_INET, false, H_INT80, 1024, 887, false },
	{ "leak-int80",    AF_INET,  SOCK_STREAM, 0, AF_INET,   false, H_LEAK, 1024, 888, false },
	{ "after-leak-tcp4", AF_INET, SOCK_STREAM, 0, AF_INET,  false, H_BIND, -1, 886, false },
};
#define LEAK_N 9000	/* more than the 8192 entries of the old stash */

static const char *gp_path;
static const char *opt_source = "auto";
static const char *opt_deny_with;
static const char *opt_only;
static bool opt_enforce;
static int ready_timeout = 60;
static int want_errno = ECONNREFUSED;

/* What the child saw, sent back over a pipe. */
struct outcome {
	int nbinds;		/* binds made (threads: NTHREADS) */
	int res[NTHREADS];	/* 0 or errno */
	bool skip;
	char why[200];
};

static socklen_t make_addr(const struct pcase *c, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (c->afam == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(c->port);
		if (c->mapped)
			inet_pton(AF_INET6, "::ffff:127.0.0.1", &s6->sin6_addr);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = c->afam;	/* AF_INET or AF_UNSPEC (INADDR_ANY) */
	s4->sin_port = htons(c->port);
	return sizeof(*s4);
}

/* socketcall(SYS_BIND) through the i386 entry, from this 64-bit process:
 * its arguments must be below 4 GiB. */
static int int80_bind(int fd, const struct sockaddr_storage *ss, socklen_t len,
		      char *why, size_t wlen)
{
	uint32_t *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	long ret;

	if (low == MAP_FAILED) {
		snprintf(why, wlen, "mmap MAP_32BIT: %s", strerror(errno));
		return INT_MIN;
	}
	memcpy(low + 16, ss, len);
	low[0] = (uint32_t)fd;
	low[1] = (uint32_t)(uintptr_t)(low + 16);
	low[2] = len;
	asm volatile("int $0x80"
		     : "=a"(ret)
		     : "a"(102L), "b"(2L), "c"((long)(uintptr_t)low)
		     : "memory", "r8", "r9", "r10", "r11");
	munmap(low, 4096);
	if (ret == -ENOSYS) {
		snprintf(why, wlen, "no 32-bit syscalls here (ia32 emulation off)");
		return INT_MIN;
	}
	return (int)ret;
}

static int new_socket(const struct pcase *c, char *why, size_t wlen)
{
	int fd = socket(c->family, c->type, c->proto), one = 1;

	if (fd < 0) {
		snprintf(why, wlen, "socket(%d, %d, %d): %s (the kernel lacks this path)",
			 c->family, c->type, c->proto, strerror(errno));
		return -1;
	}
	if (c->how == H_THREADS)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	return fd;
}

/* One bind by the case's path: 0 or errno; INT_MIN with why: cannot. */
static int one_bind(const struct pcase *c, char *why, size_t wlen)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(c, &ss);
	int fd = new_socket(c, why, wlen), r;

	if (fd < 0)
		return INT_MIN;
	switch (c->how) {
	case H_URING:
		r = gpt_uring_bind(fd, (struct sockaddr *)&ss, len, why, wlen);
		if (r != INT_MIN)
			r = -r;
		break;
	case H_INT80:
	case H_LEAK:
		r = int80_bind(fd, &ss, len, why, wlen);
		if (r != INT_MIN)
			r = -r;
		break;
	case H_BINDX:
		r = setsockopt(fd, SOL_SCTP_, SCTP_SOCKOPT_BINDX_ADD_, &ss, len) ? errno : 0;
		break;
	default:
		r = bind(fd, (struct sockaddr *)&ss, len) ? errno : 0;
		break;
	}
	/* Keep the socket open until the parent has read the events (a
	 * success must be reported by the bind itself, not the release),
	 * except in a leak: thousands of sockets would pass RLIMIT_NOFILE.
	 * The cgroup mode reports a failed bind at the socket's release:
	 * run_case() lets the child go first then. */
	if (c->how == H_LEAK)
		close(fd);
	return r;
}

struct tharg {
	const struct pcase *c;
	int res;
	char why[200];
	pthread_barrier_t *bar;
};

static void *thread_bind(void *p)
{
	struct tharg *a = p;

	pthread_barrier_wait(a->bar);
	a->res = one_bind(a->c, a->why, sizeof(a->why));
	return NULL;
}

static void *leak_one(void *p)
{
	struct tharg *a = p;

	a->res = one_bind(a->c, a->why, sizeof(a->why));
	return NULL;
}

/* LEAK_N binds, each by a new thread (a new tid); res[0] is their common
 * result, res[1] the number that differed from it. */
static void leak(const struct pcase *c, struct outcome *o)
{
	struct pcase ic = *c;	/* one_bind() by int $0x80, closing the socket */
	for (int i = 0; i < LEAK_N; i++) {
		struct tharg a = { .c = &ic };
		pthread_t t;

		if (pthread_create(&t, NULL, leak_one, &a)) {
			o->skip = true;
			snprintf(o->why, sizeof(o->why), "pthread_create: %s", strerror(errno));
			return;
		}
		pthread_join(t, NULL);
		if (a.res == INT_MIN) {
			o->skip = true;
			snprintf(o->why, sizeof(o->why), "%s", a.why);
			return;
		}
		if (i == 0)
			o->res[0] = a.res;
		else if (a.res != o->res[0])
			o->res[1]++;
	}
	o->nbinds = LEAK_N;
}

static void child(const struct pcase *c, int wfd)
{
	struct outcome o;

	memset(&o, 0, sizeof(o));
	if (c->unpriv >= 0 && (setgid(65534) || setuid(65534))) {
		o.skip = true;
		snprintf(o.why, sizeof(o.why), "setuid(65534): %s", strerror(errno));
	} else if (c->how == H_LEAK) {
		leak(c, &o);
	} else if (c->how == H_THREADS) {
		pthread_t t[NTHREADS];
		struct tharg a[NTHREADS];
		pthread_barrier_t bar;

		pthread_barrier_init(&bar, NULL, NTHREADS);
		for (int i = 0; i < NTHREADS; i++) {
			memset(&a[i], 0, sizeof(a[i]));
			a[i].c = c;
			a[i].bar = &bar;
			pthread_create(&t[i], NULL, thread_bind, &a[i]);
		}
		for (int i = 0; i < NTHREADS; i++) {
			pthread_join(t[i], NULL);
			o.res[i] = a[i].res;
			if (a[i].res == INT_MIN) {
				o.skip = true;
				snprintf(o.why, sizeof(o.why), "%s", a[i].why);
			}
		}
		o.nbinds = NTHREADS;
	} else {
		o.res[0] = one_bind(c, o.why, sizeof(o.why));
		o.skip = o.res[0] == INT_MIN;
		o.nbinds = 1;
	}
	if (!gpt_write_all(wfd, &o, sizeof(o)))
		_exit(2);
	/* Hold the sockets until the parent says done (it closes the pipe). */
	char b;
	while (read(wfd, &b, 1) > 0)
		;
	_exit(0);
}

static int read_file_int(const char *p)
{
	FILE *f = fopen(p, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static bool write_file_int(const char *p, int v)
{
	FILE *f = fopen(p, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%d\n", v) > 0;
	return (fclose(f) == 0) && ok;
}

/* Does the mode see this path at all (README coverage table)? */
static const char *blind(const struct pcase *c)
{
	bool cg_audit = !strcmp(opt_source, "cgroup");
	bool cg_deny = opt_enforce && opt_deny_with && !strcmp(opt_deny_with, "cgroup");

	if (c->sctp && (cg_audit || cg_deny))
		return "the cgroup sock_addr hooks never run for SCTP (sctp_bind is called "
		       "before them); README coverage table";
	if (c->how == H_BINDX && !opt_enforce && !strcmp(opt_source, "kmod"))
		return "bindx goes through sctp_do_bind only, no module probe there yet "
		       "(README coverage table)";
	return NULL;
}

/* Every event also goes to this file: a file output never drops, so the
 * leak case can count there what a slow pipe reader may have missed
 * (ghostport drops, and counts, stdout lines a stalled reader cannot take). */
static char events_file[64];

static int file_events(pid_t pid, unsigned short port)
{
	char pidk[32], portk[32], line[8192];
	FILE *f = fopen(events_file, "r");
	int n = 0;

	if (!f)
		return -1;
	snprintf(pidk, sizeof(pidk), "\"pid\":%d,", (int)pid);
	snprintf(portk, sizeof(portk), "\"port\":%u,", port);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, pidk) && strstr(line, portk) &&
		    !strstr(line, "\"source\":\"scan\""))
			n++;
	fclose(f);
	return n;
}

static json_t *events_of(struct gpt_reader *rd, pid_t pid, unsigned short port, int *n,
			 json_t **evs, int max)
{
	*n = 0;
	for (size_t i = 0; i < rd->o.n; i++) {
		json_t *o = gpt_line_json(&rd->o, i);

		if (!o || gpt_jint(o, "pid", -1) != pid || gpt_jint(o, "port", -1) != port)
			continue;
		if (*n < max)
			evs[*n] = o;
		(*n)++;
	}
	return *n ? evs[0] : NULL;
}

/*
 * Read the reader until want events of (pid, port) are in, at most
 * GP_WAIT_MS, then GP_QUIET_MS more for any extra one: a second record of
 * the same bind is made in the same syscall, so it reaches the ring with
 * the first and the reader (50 ms poll) prints them together.  A case that
 * sees fewer events than it wants, or wants none, waits all of GP_WAIT_MS.
 */
#define GP_WAIT_MS	1200
#define GP_QUIET_MS	300

static void pump_events(struct gpt_reader *rd, pid_t pid, unsigned short port,
			int want)
{
	long long end = gpt_now_ms() + GP_WAIT_MS;
	json_t *dummy[1];
	int have = 0;

	if (want <= 0) {	/* any event is wrong: give it the whole time */
		gpt_pump_for(rd, GP_WAIT_MS);
		return;
	}
	while (gpt_now_ms() < end) {
		gpt_pump_for(rd, 50);
		events_of(rd, pid, port, &have, dummy, 1);
		if (have >= want)
			break;
	}
	if (have >= want)
		gpt_pump_for(rd, GP_QUIET_MS);
}

static void check_case(struct gpt_reader *rd, const struct pcase *c, pid_t pid,
		       const struct outcome *o)
{
	char name[128];
	struct gpt_chk k = { 0 };
	json_t *evs[LEAK_N];
	int n, expect_errno = want_errno;
	bool cg_method = opt_deny_with && !strcmp(opt_deny_with, "cgroup");

	snprintf(name, sizeof(name), "%s", c->name);
	if (cg_method && !gp_kernel_at_least(5, 18))
		expect_errno = EPERM;	/* no bpf_set_retval: the kernel says EPERM */
	events_of(rd, pid, c->port, &n, evs, LEAK_N);
	if (n > LEAK_N)
		n = LEAK_N;
	if (c->how == H_LEAK && o->res[1])
		gpt_cfail(&k, "%d of %d binds had another result than the first (%s)",
			  o->res[1], o->nbinds, gpt_errno_name(o->res[0], "?"));
	for (int b = 0; b < o->nbinds && b < NTHREADS && c->how != H_LEAK; b++) {
		int r = o->res[b];

		if (opt_enforce) {
			if (r != expect_errno)
				gpt_cfail(&k, "bind %d returned %s, not the configured %s", b,
					  r ? gpt_errno_name(r, "?") : "success",
					  gpt_errno_name(expect_errno, "?"));
		}
	}
	if (n != o->nbinds && c->how == H_LEAK && n < o->nbinds) {
		int nf = file_events(pid, c->port);

		/* the pipe reader fell behind: the file output has them all */
		if (nf != o->nbinds)
			gpt_cfail(&k, "%d event(s) for pid %d port %u in the file output (%d read from stdout), want exactly %d",
				  nf, pid, c->port, n, o->nbinds);
		else
			gpt_note("%s: %d of %d events read from stdout (the rest dropped there, counted), all %d in the file output",
				 c->name, n, o->nbinds, nf);
	} else if (n != o->nbinds) {
		gpt_cfail(&k, "%d event(s) for pid %d port %u, want exactly %d", n, pid,
			  c->port, o->nbinds);
	}
	for (int i = 0; i < n && i < o->nbinds; i++) {
		const char *v = gpt_jstr(evs[i], "verdict");
		json_t *ret = json_object_get(evs[i], "ret");
		const char *en = gpt_jstr(evs[i], "errno");

		if (opt_enforce) {
			const char *de = gpt_jstr(evs[i], "deny_errno");

			if (!v || strcmp(v, "deny"))
				gpt_cfail(&k, "event %d verdict %s, want deny (kernel=%s)", i,
					  v ? v : "(none)",
					  json_is_true(json_object_get(evs[i], "kernel")) ? "true" : "false");
			else if (!de || strcmp(de, gpt_errno_name(expect_errno, "?")))
				gpt_cfail(&k, "deny_errno %s, want %s", de ? de : "null",
					  gpt_errno_name(expect_errno, "?"));
			continue;
		}
		if (!v || strcmp(v, "audit"))
			gpt_cfail(&k, "event %d verdict %s, want audit", i, v ? v : "(none)");
		/* Threads: any order; compare multisets by counting below. */
		if (o->nbinds > 1)
			continue;
		/* bindx is seen at its check (security_sctp_bind_connect),
		 * before sctp_do_bind: a bind that passed has ret null. */
		if (c->how == H_BINDX && json_is_null(ret))
			continue;
		if (o->res[0] == 0) {
			if (!json_is_integer(ret) || json_integer_value(ret) != 0)
				gpt_cfail(&k, "bind succeeded, event ret %s",
					  json_is_null(ret) ? "null" : "non-zero");
		} else if (json_is_null(ret)) {
			const char *why = gpt_jstr(evs[i], "ret_unknown");

			/* The cgroup mode cannot see an errno after its hook: a
			 * null ret is true only with the reason "failed". */
			if (!why || strcmp(why, "failed"))
				gpt_cfail(&k, "bind failed with %s, event ret null without "
					  "ret_unknown \"failed\"", gpt_errno_name(o->res[0], "?"));
		} else if (!en || strcmp(en, gpt_errno_name(o->res[0], "?"))) {
			gpt_cfail(&k, "bind failed with %s, event errno %s",
				  gpt_errno_name(o->res[0], "?"), en ? en : "null");
		}
	}
	gpt_cdone(&k, name);
}

static void run_case(struct gpt_reader *rd, const struct pcase *c)
{
	int sv[2], old_unpriv = -1;
	struct outcome o;
	const char *b = blind(c);
	pid_t pid;

	if (opt_only && !strstr(opt_only, c->name))	/* --only a,b: names in it */
		return;
	if (b) {
		gpt_result("SKIP", c->name, "%s", b);
		return;
	}
	if (c->unpriv >= 0) {
		old_unpriv = read_file_int(UNPRIV_FILE);
		if (old_unpriv < 0 || !write_file_int(UNPRIV_FILE, c->unpriv)) {
			gpt_result("SKIP", c->name, "cannot set %s", UNPRIV_FILE);
			return;
		}
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		gpt_result("FAIL", c->name, "socketpair: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		child(c, sv[1]);
	}
	close(sv[1]);
	memset(&o, 0, sizeof(o));
	/* Read the reader meanwhile: its stdout is a pipe that must not
	 * fill up (it drops lines it cannot write). */
	for (long long end = gpt_now_ms() + 240000; gpt_now_ms() < end;) {
		struct pollfd pf = { .fd = sv[0], .events = POLLIN };

		if (poll(&pf, 1, 0) > 0)
			break;
		gpt_pump(rd, 50);
	}
	if (gpt_read_full(sv[0], &o, sizeof(o), 5000) != sizeof(o)) {
		gpt_result("FAIL", c->name, "the binding child sent no result");
	} else if (o.skip) {
		gpt_result("SKIP", c->name, "%s", o.why);
	} else {
		bool failed = false;

		for (int i = 0; i < o.nbinds && i < NTHREADS; i++)
			failed |= o.res[i] != 0;
		/* The cgroup mode sees no errno after its hook: a failed
		 * bind's event comes when its socket goes (or binds again). */
		if (failed && !strcmp(opt_source, "cgroup")) {
			close(sv[0]);
			sv[0] = -1;
			waitpid(pid, NULL, 0);
			pid = -pid;
		}
		/* the reader's batching bounds the delay; a leak's thousands
		 * of records take the reader longer: wait for them (up to a
		 * minute), then for anything more than expected */
		pump_events(rd, pid < 0 ? -pid : pid, c->port, o.nbinds);
		for (long long end = gpt_now_ms() + 60000;
		     c->how == H_LEAK && gpt_now_ms() < end;) {
			json_t *dummy[1];
			int have;

			events_of(rd, pid < 0 ? -pid : pid, c->port, &have, dummy, 1);
			if (have >= o.nbinds)
				break;
			gpt_pump_for(rd, 500);
		}
		if (c->how == H_LEAK)
			gpt_pump_for(rd, 1200);
		check_case(rd, c, pid < 0 ? -pid : pid, &o);
	}
	if (sv[0] >= 0)
		close(sv[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (old_unpriv >= 0)
		write_file_int(UNPRIV_FILE, old_unpriv);
}

int main(int argc, char **argv)
{
	struct gpt_reader rd;
	char why[512], errname[32], file_output[96];
	char *args[32];
	int n = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--ghostport") && v)
			gp_path = argv[++i];
		else if (!strcmp(a, "--source") && v)
			opt_source = argv[++i];
		else if (!strcmp(a, "--deny-with") && v)
			opt_deny_with = argv[++i];
		else if (!strcmp(a, "--prefix") && v)
			gpt_prefix = argv[++i];
		else if (!strcmp(a, "--only") && v)
			opt_only = argv[++i];
		else if (!strcmp(a, "--ready-timeout") && v)
			ready_timeout = atoi(argv[++i]);
		else if (!strcmp(a, "--enforce"))
			opt_enforce = true;
		else {
			fprintf(stderr, "usage: gp_paths --ghostport PATH --source MODE [--enforce] "
				"[--deny-with M] [--prefix P] [--only a,b] [--ready-timeout S]\n");
			return 2;
		}
	}
	if (!gp_path) {
		gpt_result("FAIL", "args", "--ghostport PATH is required");
		return 1;
	}
	if (getuid() != 0) {
		gpt_result("SKIP", "all", "needs root (loads BPF, sets sysctls)");
		return 0;
	}
	args[n++] = (char *)gp_path;
	args[n++] = "run";
	args[n++] = "--source";
	args[n++] = (char *)opt_source;
	snprintf(events_file, sizeof(events_file), "/tmp/gp-paths-%d.jsonl", (int)getpid());
	unlink(events_file);
	snprintf(file_output, sizeof(file_output), "json@file:%s", events_file);
	args[n++] = "--output";
	args[n++] = "json@-";
	args[n++] = "--output";
	args[n++] = file_output;
	args[n++] = "--ports";
	args[n++] = "686,886,887,888";
	if (opt_enforce) {
		snprintf(errname, sizeof(errname), "%s", gpt_errno_name(want_errno, "?"));
		args[n++] = "--enforce";
		args[n++] = "--errno";
		args[n++] = errname;
		if (opt_deny_with) {
			args[n++] = "--deny-with";
			args[n++] = (char *)opt_deny_with;
		}
	}
	args[n] = NULL;
	gpt_reader_init(&rd);
	if (!gpt_wait_lock_free(180, why, sizeof(why))) {
		gpt_result("FAIL", "start", "%s", why);
		return 1;
	}
	if (gpt_spawn(&rd, args)) {
		gpt_result("FAIL", "start", "cannot start %s: %s", gp_path, strerror(errno));
		return 1;
	}
	/* The leak case's thousands of records come faster than this
	 * process parses them on a busy 2-CPU host: room for them in the
	 * pipe, not lines the reader must drop (it counts them "dropped"). */
	fcntl(rd.out, F_SETPIPE_SZ, 1 << 20);
	if (!gpt_wait_ready(&rd, ready_timeout, why, sizeof(why))) {
		if (gpt_unavailable(&rd, opt_source))
			gpt_result("SKIP", "start", "%s", why);
		else
			gpt_result("FAIL", "start", "%s", why);
		gpt_reader_free(&rd);
		return gpt_nfail ? 1 : 0;
	}
	gpt_result("PASS", "start", "source=%s enforce=%s", rd.ready_source, rd.ready_enforce);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&rd, &cases[i]);
	kill(rd.pid, SIGTERM);
	while (gpt_pump(&rd, 1000))
		;
	gpt_reap(&rd, 10000);
	if (!rd.exited)
		kill(rd.pid, SIGKILL);
	for (size_t i = 0; i < rd.e.n; i++)	/* its counters: drops, misses */
		if (strstr(rd.e.v[i], "summary") || strstr(rd.e.v[i], "output "))
			gpt_note("%s", rd.e.v[i]);
	gpt_reader_free(&rd);
	unlink(events_file);
	{
		pid_t p = fork();

		if (p == 0) {
			execl(gp_path, gp_path, "unload", (char *)NULL);
			_exit(127);
		}
		if (p > 0)
			waitpid(p, NULL, 0);
	}
	return gpt_nfail ? 1 : 0;
}
