// SPDX-License-Identifier: GPL-2.0
/*
 * gp_e2e.c - end-to-end bind test for `ghostport run`.
 *
 *   gp_e2e run --ghostport PATH --source MODE --prefix NAME [options]
 *   gp_e2e compare --prefix NAME DUMP_A DUMP_B
 *   gp_e2e cases
 *
 * `run` starts the reader with a test port list, waits for its
 * "ghostport: ready" line, then runs a bind script: every case in its own
 * forked child (so pid, tid and comm are its own) which reports back what it
 * did over a pipe and stays alive (so /proc/<pid>/exe still resolves) until
 * the reader has exited.  Each bind is matched to exactly one event (pid, tid,
 * port, proto, family) and every field is checked.  The per-mode knowledge
 * (which binds and which fields a mode can see) is in gp_e2e_modes.h.
 *
 * Results follow docs/hacking.md: PASS/FAIL/SKIP <prefix>/<case>, detail
 * lines start with "# ".  Exit status 1 if anything failed.
 *
 * No shell, no python: this runs in the busybox-only VM guest too.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "gp_e2e_modes.h"

#define GPT_PROG	"gp_e2e"
#define GPT_PREFIX	"e2e"
#include "gp_test.h"

#ifndef IP_FREEBIND
#define IP_FREEBIND 15
#endif
#ifndef IP_TRANSPARENT
#define IP_TRANSPARENT 19
#endif
#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif
#ifndef IPV6_TRANSPARENT
#define IPV6_TRANSPARENT 75
#endif
#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif

/* ------------------------------------------------------------------ */
/* The bind script                                                     */
/* ------------------------------------------------------------------ */

/* Socket options a bind sets; same names as the "opts" key. */
enum {
	O_REUSEADDR = 1 << 0,
	O_REUSEPORT = 1 << 1,
	O_FREEBIND = 1 << 2,
	O_TRANSPARENT = 1 << 3,
	O_NO_PORT = 1 << 4,
};
static const char *const opt_names[] = {
	"reuseaddr", "reuseport", "freebind", "transparent",
	"bind_address_no_port",
};
#define NOPTS 5

#define HI	0x10000		/* port is relative to --ports-base */
#define MAX_BINDS 3

struct bind_spec {
	const char *label;	/* dump key suffix for multi-bind cases */
	int family, type, protocol;
	const char *addr;
	int port;		/* | HI: --ports-base + port */
	unsigned opts;
	const char *device;	/* SO_BINDTODEVICE */
	int v6only;		/* -1: leave alone */
	int addrlen;		/* 0: the right one */
	bool listed;		/* on the test list */
	int want_errno;		/* what the bind should return (0 = success) */
	bool keep_open;		/* keep the socket for the next bind */
};

struct case_spec {
	const char *name;
	const char *comm;	/* raw bytes for PR_SET_NAME; NULL: "gp-" name */
	enum e2e_kind kind;
	bool nobody;		/* run as 65534:65534, no groups */
	bool in_thread;		/* bind from a second thread (tid != pid) */
	int nbinds;
	struct bind_spec b[MAX_BINDS];
};

#define V4S	AF_INET, SOCK_STREAM, 0
#define V4D	AF_INET, SOCK_DGRAM, 0
#define V6S	AF_INET6, SOCK_STREAM, 0
#define V6D	AF_INET6, SOCK_DGRAM, 0

/*
 * The test list is "686,886,1000-1010/udp,<base+6>/tcp" (see test_ports()).
 * A bare port lists every protocol (raw and sctp included).
 */
static const struct case_spec cases[] = {
	{ "v4-tcp", NULL, K_INET, false, false, 1,
	  { { NULL, V4S, "127.0.0.1", 686, 0, NULL, -1, 0, true, 0, false } } },
	{ "v4-udp-any", NULL, K_INET, false, false, 1,
	  { { NULL, V4D, "0.0.0.0", 886, 0, NULL, -1, 0, true, 0, false } } },
	{ "v6-tcp", NULL, K_INET, false, false, 1,
	  { { NULL, V6S, "::1", 686, 0, NULL, -1, 0, true, 0, false } } },
	{ "v6-udp-any", NULL, K_INET, false, false, 1,
	  { { NULL, V6D, "::", 886, 0, NULL, -1, 0, true, 0, false } } },
	{ "v4mapped-tcp", NULL, K_INET, false, false, 1,
	  { { NULL, V6S, "::ffff:127.0.0.1", 886, 0, NULL, 0, 0, true, 0, false } } },
	{ "udp-range-low", NULL, K_INET, false, false, 1,
	  { { NULL, V4D, "127.0.0.1", 1000, 0, NULL, -1, 0, true, 0, false } } },
	{ "udp-range-high", NULL, K_INET, false, false, 1,
	  { { NULL, V4D, "127.0.0.1", 1010, 0, NULL, -1, 0, true, 0, false } } },
	{ "v6-udp-range", NULL, K_INET, false, false, 1,
	  { { NULL, V6D, "::1", 1005, 0, NULL, -1, 0, true, 0, false } } },
	{ "tcp-on-udp-only-port", NULL, K_INET, false, false, 1,
	  { { NULL, V4S, "127.0.0.1", 1005, 0, NULL, -1, 0, false, 0, false } } },
	{ "unlisted-tcp", NULL, K_INET, false, false, 1,
	  { { NULL, V4S, "127.0.0.1", 687, 0, NULL, -1, 0, false, 0, false } } },
	{ "unlisted-udp-edges", NULL, K_INET, false, false, 2,
	  { { "999", V4D, "127.0.0.1", 999, 0, NULL, -1, 0, false, 0, false },
	    { "1011", V4D, "127.0.0.1", 1011, 0, NULL, -1, 0, false, 0, false } } },
	{ "unlisted-v6", NULL, K_INET, false, false, 2,
	  { { "tcp", V6S, "::1", 687, 0, NULL, -1, 0, false, 0, false },
	    { "udp", V6D, "::1", 885, 0, NULL, -1, 0, false, 0, false } } },
	{ "opts-reuse-freebind", NULL, K_INET, false, false, 1,
	  { { NULL, V4S, "192.0.2.1", 686, O_REUSEADDR | O_REUSEPORT | O_FREEBIND,
	      NULL, -1, 0, true, 0, false } } },
	{ "opts-transparent-noport", NULL, K_INET, false, false, 1,
	  { { NULL, V4D, "127.0.0.1", 886, O_TRANSPARENT | O_NO_PORT,
	      NULL, -1, 0, true, 0, false } } },
	{ "opts-v6-freebind", NULL, K_INET, false, false, 1,
	  { { NULL, V6S, "2001:db8::1", 686, O_REUSEADDR | O_FREEBIND,
	      NULL, 1, 0, true, 0, false } } },
	{ "bindtodevice-lo", NULL, K_INET, false, false, 1,
	  { { NULL, V4D, "127.0.0.1", 886, 0, "lo", -1, 0, true, 0, false } } },
	{ "addrinuse", NULL, K_INET, false, false, 2,
	  { { "first", V4S, "127.0.0.1", 686, 0, NULL, -1, 0, true, 0, true },
	    { "second", V4S, "127.0.0.1", 686, 0, NULL, -1, 0, true, EADDRINUSE, false } } },
	{ "hostile-comm", "gp\"\\\n]|=\x01\x1b\x7f\xff%s", K_INET, false, false, 1,
	  { { NULL, V4S, "127.0.0.1", 686, 0, NULL, -1, 0, true, 0, false } } },
	{ "utf8-comm", "gp-\xc3\xa9\xe2\x9c\x93", K_INET, false, false, 1,
	  { { NULL, V4D, "127.0.0.1", 886, 0, NULL, -1, 0, true, 0, false } } },
	{ "utf8-cut-comm", "gp-utf8cut-abc\xc3\xa9", K_INET, false, false, 1,
	  { { NULL, V4D, "127.0.0.1", 886, 0, NULL, -1, 0, true, 0, false } } },
	{ "thread", "gp-thread", K_INET, false, true, 1,
	  { { NULL, V4S, "127.0.0.1", 886, 0, NULL, -1, 0, true, 0, false } } },
	{ "nobody", NULL, K_INET, true, false, 1,
	  { { NULL, V4S, "127.0.0.1", HI | 6, 0, NULL, -1, 0, true, 0, false } } },
	{ "nobody-unlisted", NULL, K_INET, true, false, 1,
	  { { NULL, V4S, "127.0.0.1", HI | 7, 0, NULL, -1, 0, false, 0, false } } },
	{ "nobody-eacces", NULL, K_INET, true, false, 1,
	  { { NULL, V4D, "127.0.0.1", 886, 0, NULL, -1, 0, true, EACCES, false } } },
	{ "sctp", NULL, K_SCTP, false, false, 1,
	  { { NULL, AF_INET, SOCK_STREAM, IPPROTO_SCTP, "127.0.0.1", 686, 0,
	      NULL, -1, 0, true, 0, false } } },
	/* The kernel ignores sin_port on a raw socket; ghostport reports the
	 * port the process asked for, proto "raw", sock_type "raw". */
	{ "raw", NULL, K_RAW, false, false, 1,
	  { { NULL, AF_INET, SOCK_RAW, IPPROTO_UDP, "127.0.0.1", 686, 0,
	      NULL, -1, 0, true, 0, false } } },
	{ "short-sockaddr", NULL, K_SHORT, false, false, 1,
	  { { NULL, V4S, "127.0.0.1", 686, 0, NULL, -1, 8, true, EINVAL, false } } },
};
#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

static int ports_base = 40680;

static int real_port(int p)
{
	return (p & HI) ? ports_base + (p & 0xffff) : p;
}

static void test_ports(char *buf, size_t len)
{
	snprintf(buf, len, "686,886,1000-1010/udp,%d/tcp", real_port(HI | 6));
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		gpt_oom();
	return p;
}

/* A printable, single-line, quoted form of any bytes (\xNN escapes). */
static void printable(char *out, size_t len, const char *s, size_t n)
{
	size_t o = 0;

	if (len < 8) {
		if (len)
			out[0] = 0;
		return;
	}
	out[o++] = '"';
	for (size_t i = 0; i < n && o + 8 < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			o += (size_t)snprintf(out + o, len - o, "\\%c", ch);
		else if (ch == '\n')
			o += (size_t)snprintf(out + o, len - o, "\\n");
		else if (ch < 0x20 || ch >= 0x7f)
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", ch);
		else
			out[o++] = (char)ch;
	}
	out[o++] = '"';
	out[o] = 0;
}

/* A JSON value as one short line ("missing" for NULL). */
static void jrepr(char *out, size_t len, const json_t *v)
{
	char *d;

	if (!v) {
		snprintf(out, len, "(missing)");
		return;
	}
	d = json_dumps(v, JSON_ENCODE_ANY | JSON_ENSURE_ASCII | JSON_COMPACT);
	snprintf(out, len, "%s", d ? d : "(?)");
	if (strlen(out) > 200)
		strcpy(out + 190, "...");
	free(d);
}

/* ------------------------------------------------------------------ */
/* The child: does a case's binds and reports                          */
/* ------------------------------------------------------------------ */

struct bind_result {
	bool done;			/* bind() was called */
	char skip[160];			/* why not */
	int family, type, protocol;
	char addr[INET6_ADDRSTRLEN];
	int port;
	unsigned opts;
	int ifindex;
	bool v4mapped;
	int ret, err;			/* bind() result and errno */
	long long t0, t1;		/* CLOCK_REALTIME around bind() */
};

struct report {
	bool ok;
	char why[256];
	int pid, tid, ppid;
	unsigned uid, gid;
	unsigned char comm[16];
	size_t comm_len;
	char exe[PATH_MAX];
	bool cgroup_known;
	unsigned long long cgroup_id;
	bool netns_known;
	unsigned long long netns;
	struct bind_result b[MAX_BINDS];
};

/* cgroup v2 id of the calling task: its directory's file handle. */
static bool self_cgroup_id(unsigned long long *id, char *why, size_t wlen)
{
	char line[4096], mnt[PATH_MAX] = "", rel[PATH_MAX] = "", path[PATH_MAX * 2];
	FILE *f;
	struct {
		struct file_handle fh;
		unsigned char buf[64];
	} h;
	int mount_id;
	struct stat st;

	if (!gpt_cgroup2_root(mnt, sizeof(mnt))) {
		snprintf(why, wlen, "no cgroup2 mount in /proc/self/mountinfo");
		return false;
	}
	f = fopen("/proc/self/cgroup", "r");
	if (!f) {
		snprintf(why, wlen, "/proc/self/cgroup: %s", strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(rel, sizeof(rel), "%s", line + 3);
			break;
		}
	}
	fclose(f);
	if (!rel[0]) {
		snprintf(why, wlen, "no cgroup v2 line in /proc/self/cgroup");
		return false;
	}
	snprintf(path, sizeof(path), "%s%s", mnt, strcmp(rel, "/") ? rel : "");
	h.fh.handle_bytes = sizeof(h.buf);
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0) == 0 &&
	    h.fh.handle_bytes >= 8) {
		memcpy(id, h.fh.f_handle, 8);
		return true;
	}
	if (stat(path, &st) == 0) {
		*id = st.st_ino;
		return true;
	}
	snprintf(why, wlen, "%.150s: %s", path, strerror(errno));
	return false;
}

static int setopt(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val));
}

struct child_ctx {
	const struct case_spec *c;
	struct report *r;
};

static void *child_work(void *arg)
{
	struct child_ctx *cx = arg;
	const struct case_spec *c = cx->c;
	struct report *r = cx->r;
	char comm[17] = "";
	char why[200];
	int keep = -1;
	ssize_t n;

	if (c->comm)
		snprintf(comm, sizeof(comm), "%s", c->comm);
	else
		snprintf(comm, sizeof(comm), "gp-%s", c->name);
	if (prctl(PR_SET_NAME, comm, 0, 0, 0)) {
		snprintf(r->why, sizeof(r->why), "PR_SET_NAME: %s", strerror(errno));
		return NULL;
	}
	memset(comm, 0, sizeof(comm));
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	r->comm_len = strnlen(comm, 16);
	memcpy(r->comm, comm, r->comm_len);

	r->pid = getpid();
	r->tid = (int)syscall(SYS_gettid);
	r->ppid = getppid();
	n = readlink("/proc/self/exe", r->exe, sizeof(r->exe) - 1);
	r->exe[n > 0 ? n : 0] = 0;
	r->cgroup_known = self_cgroup_id(&r->cgroup_id, why, sizeof(why));
	{
		struct stat st;

		if (stat("/proc/self/ns/net", &st) == 0) {
			r->netns_known = true;
			r->netns = st.st_ino;
		}
	}

	if (c->nobody) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534)) {
			snprintf(r->why, sizeof(r->why), "dropping to 65534: %s",
				 strerror(errno));
			return NULL;
		}
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	}
	r->uid = getuid();
	r->gid = getgid();

	for (int i = 0; i < c->nbinds; i++) {
		const struct bind_spec *b = &c->b[i];
		struct bind_result *br = &r->b[i];
		union gpt_sockaddr sa;
		socklen_t alen;
		int fd;

		br->family = b->family;
		br->type = b->type;
		br->protocol = b->protocol;
		br->port = real_port(b->port);
		br->opts = b->opts;
		gpt_sockaddr_parse(&sa, &alen, b->family, b->addr, br->port);
		if (b->family == AF_INET) {
			inet_ntop(AF_INET, &sa.in.sin_addr, br->addr, sizeof(br->addr));
		} else {
			inet_ntop(AF_INET6, &sa.in6.sin6_addr, br->addr, sizeof(br->addr));
			br->v4mapped = IN6_IS_ADDR_V4MAPPED(&sa.in6.sin6_addr);
		}
		if (b->addrlen)
			alen = b->addrlen;

		fd = socket(b->family, b->type, b->protocol);
		if (fd < 0) {
			snprintf(br->skip, sizeof(br->skip), "socket(%d, %d, %d): %s",
				 b->family, b->type, b->protocol, strerror(errno));
			if (errno == EPROTONOSUPPORT || errno == ESOCKTNOSUPPORT ||
			    errno == EAFNOSUPPORT)
				continue;	/* a SKIP, not a failure */
			snprintf(r->why, sizeof(r->why), "%s", br->skip);
			return NULL;
		}
#define SETOPT(lvl, nm, v) do { if (setopt(fd, lvl, nm, v)) { \
		snprintf(r->why, sizeof(r->why), "setsockopt(%s): %s", #nm, \
			 strerror(errno)); close(fd); return NULL; } } while (0)
		if (b->opts & O_REUSEADDR)
			SETOPT(SOL_SOCKET, SO_REUSEADDR, 1);
		if (b->opts & O_REUSEPORT)
			SETOPT(SOL_SOCKET, SO_REUSEPORT, 1);
		if (b->opts & O_FREEBIND) {
			if (b->family == AF_INET6)
				SETOPT(SOL_IPV6, IPV6_FREEBIND, 1);
			else
				SETOPT(SOL_IP, IP_FREEBIND, 1);
		}
		if (b->opts & O_TRANSPARENT)
			SETOPT(SOL_IP, IP_TRANSPARENT, 1);
		if (b->opts & O_NO_PORT)
			SETOPT(SOL_IP, IP_BIND_ADDRESS_NO_PORT, 1);
		if (b->v6only >= 0)
			SETOPT(SOL_IPV6, IPV6_V6ONLY, b->v6only);
#undef SETOPT
		if (b->device) {
			if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, b->device,
				       strlen(b->device) + 1)) {
				snprintf(r->why, sizeof(r->why), "SO_BINDTODEVICE: %s",
					 strerror(errno));
				close(fd);
				return NULL;
			}
			br->ifindex = (int)if_nametoindex(b->device);
		}

		/* The options as the kernel holds them (what ghostport reads):
		 * e.g. raw sockets come with sk_reuse already set. */
		{
			static const struct { unsigned o; int lvl, nm, lvl6, nm6; } g[] = {
				{ O_REUSEADDR, SOL_SOCKET, SO_REUSEADDR, SOL_SOCKET, SO_REUSEADDR },
				{ O_REUSEPORT, SOL_SOCKET, SO_REUSEPORT, SOL_SOCKET, SO_REUSEPORT },
				{ O_FREEBIND, SOL_IP, IP_FREEBIND, SOL_IPV6, IPV6_FREEBIND },
				{ O_TRANSPARENT, SOL_IP, IP_TRANSPARENT, SOL_IPV6, IPV6_TRANSPARENT },
				{ O_NO_PORT, SOL_IP, IP_BIND_ADDRESS_NO_PORT, SOL_IP, IP_BIND_ADDRESS_NO_PORT },
			};
			unsigned kopts = 0;

			for (size_t k = 0; k < sizeof(g) / sizeof(g[0]); k++) {
				int val = 0;
				socklen_t vl = sizeof(val);
				bool v6 = b->family == AF_INET6;

				if (getsockopt(fd, v6 ? g[k].lvl6 : g[k].lvl,
					       v6 ? g[k].nm6 : g[k].nm, &val, &vl))
					kopts |= b->opts & g[k].o; /* unreadable: as set */
				else if (val)
					kopts |= g[k].o;
			}
			if ((kopts & b->opts) != b->opts) {
				snprintf(r->why, sizeof(r->why),
					 "options set 0x%x, kernel reports 0x%x", b->opts, kopts);
				close(fd);
				return NULL;
			}
			br->opts = kopts;
		}

		br->t0 = gpt_clock_ns(CLOCK_REALTIME);
		br->ret = bind(fd, &sa.sa, alen);
		br->err = br->ret ? errno : 0;
		br->t1 = gpt_clock_ns(CLOCK_REALTIME);
		br->done = true;
		if (br->ret)
			br->ret = -br->err;
		if (keep >= 0) {
			close(keep);
			keep = -1;
		}
		if (b->keep_open)
			keep = fd;
		else
			close(fd);
	}
	if (keep >= 0)
		close(keep);
	r->ok = true;
	return NULL;
}

static void close_fds_except(int a, int b)
{
	long max = sysconf(_SC_OPEN_MAX);

	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++)
		if (fd != a && fd != b)
			close(fd);
}

struct child {
	pid_t pid;
	int release_w;
	struct report r;
	bool have_report;
};

/* Runs case c in a child; fills ch->r from its report. */
static void run_case(const struct case_spec *c, struct child *ch, int timeout_ms)
{
	int rep[2], rel[2];
	size_t got;

	memset(ch, 0, sizeof(*ch));
	ch->pid = -1;
	ch->release_w = -1;
	if (pipe2(rep, O_CLOEXEC) || pipe2(rel, O_CLOEXEC)) {
		snprintf(ch->r.why, sizeof(ch->r.why), "pipe: %s", strerror(errno));
		return;
	}
	fflush(NULL);
	ch->pid = fork();
	if (ch->pid < 0) {
		snprintf(ch->r.why, sizeof(ch->r.why), "fork: %s", strerror(errno));
		close(rep[0]); close(rep[1]); close(rel[0]); close(rel[1]);
		return;
	}
	if (ch->pid == 0) {
		static struct report r;
		struct child_ctx cx = { c, &r };
		char buf;

		close_fds_except(rep[1], rel[0]);
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_IGN);
		memset(&r, 0, sizeof(r));
		if (c->in_thread) {
			pthread_t t;
			int e = pthread_create(&t, NULL, child_work, &cx);

			if (e)
				snprintf(r.why, sizeof(r.why), "pthread_create: %s",
					 strerror(e));
			else
				pthread_join(t, NULL);
		} else {
			child_work(&cx);
		}
		gpt_write_all(rep[1], &r, sizeof(r));
		close(rep[1]);
		/* Stay alive (exe, pid) until the parent closes the pipe. */
		while (read(rel[0], &buf, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(rep[1]);
	close(rel[0]);
	ch->release_w = rel[1];
	got = gpt_read_full(rep[0], &ch->r, sizeof(ch->r), timeout_ms);
	close(rep[0]);
	if (got == sizeof(ch->r)) {
		ch->have_report = true;
	} else {
		memset(&ch->r, 0, sizeof(ch->r));
		snprintf(ch->r.why, sizeof(ch->r.why),
			 "child sent %zu of %zu report bytes", got, sizeof(ch->r));
	}
}

static void release_child(struct child *ch)
{
	int st;

	if (ch->release_w >= 0)
		close(ch->release_w);
	ch->release_w = -1;
	if (ch->pid > 0)
		waitpid(ch->pid, &st, 0);
	ch->pid = -1;
}

/* ------------------------------------------------------------------ */
/* The reader process                                                  */
/* ------------------------------------------------------------------ */

static void write_stderr_log(const struct gpt_reader *rd, const char *path)
{
	FILE *f = path ? fopen(path, "w") : NULL;

	if (!f)
		return;
	for (size_t i = 0; i < rd->e.n; i++)
		fprintf(f, "%s\n", rd->e.v[i]);
	fclose(f);
}

/* How many "ghostport: ready" lines it printed (one, or it is wrong). */
static size_t ready_lines(const struct gpt_reader *rd)
{
	size_t c = 0;

	for (size_t i = 0; i < rd->e.n; i++)
		if (!strncmp(rd->e.v[i], "ghostport: ready", 16))
			c++;
	return c;
}

/* ------------------------------------------------------------------ */
/* Events and matching                                                 */
/* ------------------------------------------------------------------ */

struct event {
	json_t *j;		/* NULL if the line is not a JSON object */
	const char *line;
	bool used;
	long long pid, tid, port;
	const char *proto, *family;
};

struct expect {			/* one bind */
	int ci, bi;		/* case, bind */
	const struct bind_result *br;
	const struct report *r;
	bool want_event;	/* listed (or --all) and the mode sees it */
	bool unseen;		/* listed, but the mode cannot see the kind */
	const char *proto, *family;
	struct event *ev;	/* matched */
	char key[96];		/* dump key */
};

static const char *proto_of(const struct bind_result *b)
{
	if (b->type == SOCK_RAW)
		return "raw";
	if (b->protocol == IPPROTO_SCTP)
		return "sctp";
	return b->type == SOCK_DGRAM ? "udp" : "tcp";
}

static const char *sock_type_of(int t)
{
	switch (t) {
	case SOCK_STREAM: return "stream";
	case SOCK_DGRAM: return "dgram";
	case SOCK_RAW: return "raw";
	case SOCK_SEQPACKET: return "seqpacket";
	}
	return "?";
}

static bool key_match(const struct expect *x, const struct event *e)
{
	return e->j && !e->used && e->pid == x->r->pid && e->tid == x->r->tid &&
	       e->port == x->br->port && e->proto && e->family &&
	       !strcmp(e->proto, x->proto) && !strcmp(e->family, x->family);
}

/* IANA names for the test ports: *exact means null is not acceptable. */
static const char *want_service(int port, const char *proto, bool *exact)
{
	bool ip = !strcmp(proto, "tcp") || !strcmp(proto, "udp");

	*exact = ip;
	if (port == 686)
		return "hcp-wismar";
	if (port == 886)
		return "iclcnet-locate";
	*exact = false;
	if (port == 687)
		return "asipregistry";
	if (port == 1000)
		return "cadlock2";
	if (port == 1010)
		return "surf";
	if (port == 999)
		return "*";	/* two IANA names: garcon/applix/puprouter */
	*exact = ip;	/* no IANA name at all: must be null */
	return NULL;
}

/* ---- field checks ---- */

struct chk {
	int nfail;
	char first[600];
	char more[4096];
};

static void cfail(struct chk *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void cfail(struct chk *c, const char *fmt, ...)
{
	char buf[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!c->nfail++) {
		snprintf(c->first, sizeof(c->first), "%s", buf);
	} else {
		size_t l = strlen(c->more);

		snprintf(c->more + l, sizeof(c->more) - l, "%s%s",
			 l ? "\n" : "", buf);
	}
}

static void chk_int(struct chk *c, const json_t *ev, const char *k,
		    long long want, bool may_null)
{
	const json_t *v = json_object_get(ev, k);
	char g[256];

	if (v && json_is_null(v) && may_null)
		return;
	if (json_is_integer(v) && json_integer_value(v) == want)
		return;
	jrepr(g, sizeof(g), v);
	cfail(c, "field %s: got %s, want %lld", k, g, want);
}

static void chk_null(struct chk *c, const json_t *ev, const char *k)
{
	const json_t *v = json_object_get(ev, k);
	char g[256];

	if (v && json_is_null(v))
		return;
	jrepr(g, sizeof(g), v);
	cfail(c, "field %s: got %s, want null", k, g);
}

/* want == NULL: null wanted. */
static void chk_strn(struct chk *c, const json_t *ev, const char *k,
		     const char *want, size_t wlen, bool may_null)
{
	const json_t *v = json_object_get(ev, k);
	char g[256], w[256];

	if (v && json_is_null(v) && (may_null || !want))
		return;
	if (want && json_is_string(v) && json_string_length(v) == wlen &&
	    !memcmp(json_string_value(v), want, wlen))
		return;
	jrepr(g, sizeof(g), v);
	if (want)
		printable(w, sizeof(w), want, wlen);
	else
		snprintf(w, sizeof(w), "null");
	cfail(c, "field %s: got %s, want %s", k, g, w);
}

static void chk_str(struct chk *c, const json_t *ev, const char *k,
		    const char *want, bool may_null)
{
	chk_strn(c, ev, k, want, want ? strlen(want) : 0, may_null);
}

static void chk_bool(struct chk *c, const json_t *ev, const char *k, bool want)
{
	const json_t *v = json_object_get(ev, k);
	char g[256];

	if (json_is_boolean(v) && json_boolean_value(v) == want)
		return;
	jrepr(g, sizeof(g), v);
	cfail(c, "field %s: got %s, want %s", k, g, want ? "true" : "false");
}

/* Decoded comm: invalid UTF-8 bytes each become U+FFFD. */
static size_t utf8_decode_like_reader(const unsigned char *s, size_t n,
				      char *out, bool *valid)
{
	size_t o = 0, i = 0;

	*valid = true;
	while (i < n) {
		unsigned char ch = s[i];
		size_t len = ch < 0x80 ? 1 : (ch >= 0xc2 && ch <= 0xdf) ? 2 :
			     (ch >= 0xe0 && ch <= 0xef) ? 3 :
			     (ch >= 0xf0 && ch <= 0xf4) ? 4 : 0;
		bool ok = len && i + len <= n;

		for (size_t k = 1; ok && k < len; k++)
			ok = (s[i + k] & 0xc0) == 0x80;
		if (ok && len == 3 && ((ch == 0xe0 && s[i + 1] < 0xa0) ||
				       (ch == 0xed && s[i + 1] >= 0xa0)))
			ok = false;
		if (ok && len == 4 && ((ch == 0xf0 && s[i + 1] < 0x90) ||
				       (ch == 0xf4 && s[i + 1] >= 0x90)))
			ok = false;
		if (ok) {
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			*valid = false;
		}
	}
	out[o] = 0;
	return o;
}

static bool parse_rfc3339(const char *s, long long *ns)
{
	struct tm tm;
	long long frac = 0;

	if (!s || strlen(s) != 30 || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' ||
	    s[29] != 'Z')
		return false;
	for (int i = 20; i < 29; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		frac = frac * 10 + (s[i] - '0');
	}
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*ns = (long long)timegm(&tm) * GPT_NSEC + frac;
	return true;
}

static const char *const all_keys[] = {
	"time", "pid", "tid", "ppid", "uid", "gid", "comm", "exe", "family",
	"proto", "sock_type", "addr", "v4mapped", "port", "service", "ret",
	"errno", "verdict", "source", "cgroup_id", "netns", "ifindex", "opts",
	"kernel", "listed",
};

static bool all_flag;		/* --all: unlisted binds are reported too */
static int time_slack_ms = 2000;

static void check_event(struct chk *c, const struct expect *x,
			const struct e2e_mode *m, const char *mode_name)
{
	const json_t *ev = x->ev->j;
	const struct bind_result *b = x->br;
	const struct report *r = x->r;
	const struct case_spec *cs = &cases[x->ci];
	const struct bind_spec *bs = &cs->b[x->bi];
	char dec[64];
	bool valid, exact;
	const char *svc;
	long long t;
	const json_t *v;

	for (size_t i = 0; i < sizeof(all_keys) / sizeof(all_keys[0]); i++)
		if (!json_object_get(ev, all_keys[i]))
			cfail(c, "field %s: missing", all_keys[i]);

	/* time: RFC 3339, 9 digits, UTC, close to when bind() ran */
	if (!parse_rfc3339(gpt_jstr(ev, "time"), &t)) {
		char g[256];

		jrepr(g, sizeof(g), json_object_get(ev, "time"));
		cfail(c, "field time: got %s, want RFC 3339 UTC with 9 fractional digits", g);
	} else if (t < b->t0 - time_slack_ms * 1000000LL ||
		   t > b->t1 + time_slack_ms * 1000000LL) {
		cfail(c, "field time: got %s, off by %+.3f s from the bind's wall clock",
		      gpt_jstr(ev, "time"),
		      (double)(t - (t < b->t0 ? b->t0 : b->t1)) / GPT_NSEC);
	}
	chk_int(c, ev, "pid", r->pid, false);
	chk_int(c, ev, "tid", r->tid, false);
	chk_int(c, ev, "ppid", r->ppid, e2e_may_null(m, "ppid"));
	chk_int(c, ev, "uid", r->uid, false);
	chk_int(c, ev, "gid", r->gid, false);

	utf8_decode_like_reader(r->comm, r->comm_len, dec, &valid);
	chk_str(c, ev, "comm", dec, false);
	v = json_object_get(ev, "comm_hex");
	if (!valid || v) {
		char hex[40], *g = NULL;
		const char *s = json_string_value(v);

		for (size_t i = 0; i < r->comm_len; i++)
			sprintf(hex + 2 * i, "%02x", r->comm[i]);
		hex[2 * r->comm_len] = 0;
		if (!s || strcasecmp(s, hex)) {
			char gr[256];

			jrepr(gr, sizeof(gr), v);
			g = gr;
			cfail(c, "field comm_hex: got %s, want \"%s\"", g, hex);
		}
	}
	chk_str(c, ev, "exe", r->exe[0] ? r->exe : NULL, e2e_may_null(m, "exe"));

	chk_str(c, ev, "family", x->family, false);
	chk_str(c, ev, "proto", x->proto, false);
	chk_str(c, ev, "sock_type", sock_type_of(b->type), e2e_may_null(m, "sock_type"));
	chk_str(c, ev, "addr", b->addr, false);
	chk_bool(c, ev, "v4mapped", b->v4mapped);
	chk_int(c, ev, "port", b->port, false);

	svc = want_service(b->port, x->proto, &exact);
	v = json_object_get(ev, "service");
	if (svc && !strcmp(svc, "*")) {
		if (!json_is_null(v) && !json_is_string(v))
			chk_str(c, ev, "service", "(a name or null)", false);
	} else {
		chk_str(c, ev, "service", svc, !exact);
	}

	chk_int(c, ev, "ret", b->ret, e2e_may_null(m, "ret"));
	v = json_object_get(ev, "ret");
	/* An unknown result must be a failure, and say so: never a success
	 * turned into a null. */
	if (json_is_null(v) && e2e_may_null(m, "ret")) {
		if (b->ret == 0)
			chk_int(c, ev, "ret", 0, false);
		chk_str(c, ev, "ret_unknown", "failed", false);
	}
	if (b->ret < 0 && json_is_integer(v))
		chk_str(c, ev, "errno", gpt_errno_name(-b->ret, "(unnamed)"), false);
	else
		chk_null(c, ev, "errno");

	chk_str(c, ev, "verdict", bs->listed ? "audit" : "none", false);
	chk_str(c, ev, "source", mode_name, false);
	if (r->cgroup_known)
		chk_int(c, ev, "cgroup_id", (long long)r->cgroup_id,
			e2e_may_null(m, "cgroup_id"));
	if (r->netns_known)
		chk_int(c, ev, "netns", (long long)r->netns, e2e_may_null(m, "netns"));
	chk_int(c, ev, "ifindex", b->ifindex, e2e_may_null(m, "ifindex"));

	v = json_object_get(ev, "opts");
	if (!(json_is_null(v) && e2e_may_null(m, "opts"))) {
		unsigned got = 0;
		bool bad = !json_is_array(v);
		size_t i;
		json_t *it;

		json_array_foreach(v, i, it) {
			int k;

			for (k = 0; k < NOPTS; k++)
				if (json_is_string(it) &&
				    !strcmp(json_string_value(it), opt_names[k]))
					break;
			if (k == NOPTS || (got & (1U << k)))
				bad = true;
			else
				got |= 1U << k;
		}
		if (bad || got != b->opts) {
			char g[256], w[256] = "[";

			for (int k = 0; k < NOPTS; k++)
				if (b->opts & (1U << k))
					snprintf(w + strlen(w), sizeof(w) - strlen(w),
						 "%s\"%s\"", w[1] ? "," : "", opt_names[k]);
			strcat(w, "]");
			jrepr(g, sizeof(g), v);
			cfail(c, "field opts: got %s, want %s", g, w);
		}
	}
	chk_bool(c, ev, "kernel", false);
	chk_bool(c, ev, "listed", bs->listed);
	v = json_object_get(ev, "count");
	if (v) {
		char g[64];

		jrepr(g, sizeof(g), v);
		cfail(c, "field count: got %s, want absent (one bind, one event)", g);
	}
}

/* ------------------------------------------------------------------ */
/* run                                                                 */
/* ------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr,
"usage: gp_e2e run --ghostport PATH --source MODE --prefix NAME [options]\n"
"         --dump FILE            normalized events per case, for compare\n"
"         --ports-base N         high test ports are N+6 (listed), N+7 (default 40680)\n"
"         --expect-available yes|no|auto  (auto: SKIP when the mode is unavailable)\n"
"         --expect-source MODE   with --source auto: the mode it must pick\n"
"         --all                  run the reader with --all (unlisted: verdict none)\n"
"         --stderr-log FILE      copy the reader's stderr there\n"
"         --ready-timeout S (60) --event-timeout S (20) --time-slack-ms MS (2000)\n"
"         --only CASE[,CASE..]   run only these cases\n"
"       gp_e2e compare --prefix NAME DUMP_A DUMP_B\n"
"       gp_e2e cases\n");
	exit(2);
}

static bool case_selected(const char *only, const char *name)
{
	const char *p = only;
	size_t n = strlen(name);

	if (!only)
		return true;
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == n && !strncmp(p, name, n))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

static void dump_key(char *out, size_t len, int ci, int bi)
{
	if (cases[ci].nbinds > 1)
		snprintf(out, len, "%s/%s", cases[ci].name, cases[ci].b[bi].label);
	else
		snprintf(out, len, "%s", cases[ci].name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_run(int argc, char **argv)
{
	const char *ghostport = NULL, *source = NULL, *dump = NULL;
	const char *expect_avail = "auto", *expect_source = NULL;
	const char *stderr_log = NULL, *only = NULL;
	int ready_to = 60, event_to = 20;
	char ports[128], why[512];
	struct gpt_reader rd;
	struct child *kids;
	struct expect *xs;
	struct event *evs;
	size_t nx = 0, nev = 0;
	const struct e2e_mode *m;
	const char *mode_name;
	size_t nready;
	long long deadline;
	bool bad_json = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

#define OPT(name, dst) if (!strcmp(a, name)) { if (!v) usage(); dst = v; i++; continue; }
		OPT("--ghostport", ghostport);
		OPT("--source", source);
		OPT("--prefix", gpt_prefix);
		OPT("--dump", dump);
		OPT("--expect-available", expect_avail);
		OPT("--expect-source", expect_source);
		OPT("--stderr-log", stderr_log);
		OPT("--only", only);
#undef OPT
		if (!strcmp(a, "--all")) {
			all_flag = true;
			continue;
		}
		if (v && !strcmp(a, "--ports-base")) {
			ports_base = atoi(v);
			i++;
			continue;
		}
		if (v && !strcmp(a, "--ready-timeout")) {
			ready_to = atoi(v);
			i++;
			continue;
		}
		if (v && !strcmp(a, "--event-timeout")) {
			event_to = atoi(v);
			i++;
			continue;
		}
		if (v && !strcmp(a, "--time-slack-ms")) {
			time_slack_ms = atoi(v);
			i++;
			continue;
		}
		usage();
	}
	if (!ghostport || !source || ports_base < 1024 || ports_base > 65500 ||
	    (strcmp(expect_avail, "yes") && strcmp(expect_avail, "no") &&
	     strcmp(expect_avail, "auto")))
		usage();
	if (only) {	/* every name in --only must be a case */
		char *copy = strdup(only), *p, *save = NULL;

		for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			int ci;

			for (ci = 0; ci < NCASES && strcmp(cases[ci].name, p); ci++)
				;
			if (ci == NCASES) {
				fprintf(stderr, "gp_e2e: --only: no case \"%s\" (gp_e2e cases)\n", p);
				exit(2);
			}
		}
		free(copy);
	}
	signal(SIGPIPE, SIG_IGN);
	test_ports(ports, sizeof(ports));

	{
		char *args[16];
		int n = 0;

		args[n++] = (char *)ghostport;
		args[n++] = "run";
		args[n++] = "--source";
		args[n++] = (char *)source;
		args[n++] = "--ports";
		args[n++] = ports;
		args[n++] = "--format";
		args[n++] = "json";
		if (all_flag)
			args[n++] = "--all";
		args[n] = NULL;
		gpt_note("%s: %s run --source %s --ports %s --format json%s", gpt_prefix,
			 ghostport, source, ports, all_flag ? " --all" : "");
		/* (a reader still running after 180 s: ghostport run says so) */
		gpt_wait_lock_free(180, why, sizeof(why));
		if (gpt_spawn(&rd, args)) {
			gpt_result("FAIL", "start", "cannot start %s: %s", ghostport,
				   strerror(errno));
			return 1;
		}
	}

	/* 1. wait for "ghostport: ready" */
	if (!gpt_wait_ready(&rd, ready_to, why, sizeof(why))) {
		const char *last = gpt_last_err_line(&rd);

		write_stderr_log(&rd, stderr_log);
		if (gpt_unavailable(&rd, source) && strcmp(expect_avail, "yes")) {
			for (int ci = 0; ci < NCASES; ci++)
				if (case_selected(only, cases[ci].name))
					gpt_result("SKIP", cases[ci].name,
						   "mode %s unavailable here", source);
			gpt_result("SKIP", "start", "mode %s unavailable: %s", source, last);
		} else {
			gpt_result("FAIL", "start", "%s", why);
			for (int ci = 0; ci < NCASES; ci++)
				if (case_selected(only, cases[ci].name))
					gpt_result("SKIP", cases[ci].name,
						   "not run: ghostport did not start");
		}
		if (dump) {
			FILE *f = fopen(dump, "w");

			if (f) {
				json_t *meta = json_pack("{s:{s:s,s:s,s:s}}", "meta",
					"mode", source, "status", "unavailable",
					"why", last);

				json_dumpf(meta, f, JSON_COMPACT | JSON_SORT_KEYS);
				fputc('\n', f);
				json_decref(meta);
				fclose(f);
			}
		}
		return gpt_nfail ? 1 : 0;
	}
	if (!strcmp(expect_avail, "no"))
		gpt_note("%s: mode %s started although --expect-available no", gpt_prefix, source);
	gpt_result("PASS", "start", NULL);

	/* 2. the bind script */
	kids = xcalloc(NCASES, sizeof(*kids));
	xs = xcalloc(NCASES * MAX_BINDS, sizeof(*xs));
	for (int ci = 0; ci < NCASES; ci++) {
		kids[ci].pid = -1;
		kids[ci].release_w = -1;
		if (!case_selected(only, cases[ci].name))
			continue;
		run_case(&cases[ci], &kids[ci], 10000);
		gpt_pump(&rd, 0);
	}

	/* mode: as forced, or as "auto" picked it (from the ready line) */
	mode_name = source;
	if (!strcmp(source, "auto")) {
		for (size_t i = 0; i < rd.e.n; i++) {
			const char *p = strstr(rd.e.v[i], "ghostport: ready source=");

			if (p) {
				static char picked[32];

				sscanf(p + 24, "%31[a-z]", picked);
				mode_name = picked;
			}
		}
		if (expect_source && strcmp(expect_source, mode_name))
			gpt_result("FAIL", "auto-source", "auto picked \"%s\", want \"%s\"",
				   mode_name, expect_source);
		else
			gpt_result("PASS", "auto-source", NULL);
	}
	m = e2e_mode_find(mode_name);
	if (!m) {
		gpt_note("%s: mode \"%s\" is not in gp_e2e_modes.h; expecting everything",
			 gpt_prefix, mode_name);
		m = &e2e_modes[0];
	}

	for (int ci = 0; ci < NCASES; ci++) {
		if (!kids[ci].have_report)
			continue;
		for (int bi = 0; bi < cases[ci].nbinds; bi++) {
			struct expect *x = &xs[nx];
			const struct bind_result *b = &kids[ci].r.b[bi];

			if (!b->done)
				continue;
			x->ci = ci;
			x->bi = bi;
			x->br = b;
			x->r = &kids[ci].r;
			x->proto = proto_of(b);
			x->family = b->family == AF_INET ? "ipv4" : "ipv6";
			x->unseen = !m->sees[cases[ci].kind];
			x->want_event = (cases[ci].b[bi].listed || all_flag) &&
					!x->unseen;
			dump_key(x->key, sizeof(x->key), ci, bi);
			nx++;
		}
	}

	/* 3. wait for every expected event (or the deadline), then stop.
	 * A cheap pre-check by tid; the real matching comes later. */
	{
		long long *tids = NULL;
		size_t ntids = 0, parsed = 0;

		deadline = gpt_now_ns() + event_to * GPT_NSEC;
		for (;;) {
			size_t have = 0, want = 0;

			gpt_pump(&rd, 100);
			if (rd.o.n > parsed) {
				tids = realloc(tids, rd.o.n * sizeof(*tids));
				if (!tids)
					exit(2);
				for (; parsed < rd.o.n; parsed++) {
					json_t *j = json_loads(rd.o.v[parsed], 0, NULL);

					tids[ntids++] = gpt_jint(j, "tid", -1);
					json_decref(j);
				}
			}
			for (size_t i = 0; i < nx; i++) {
				if (!xs[i].want_event)
					continue;
				want++;
				for (size_t k = 0; k < ntids; k++) {
					if (tids[k] == xs[i].r->tid) {
						have++;
						break;
					}
				}
			}
			if (have >= want || gpt_now_ns() > deadline ||
			    rd.out < 0)
				break;
		}
		free(tids);
	}
	kill(rd.pid, SIGINT);
	deadline = gpt_now_ns() + 30 * GPT_NSEC;
	while ((rd.out >= 0 || rd.err >= 0) && gpt_now_ns() < deadline)
		gpt_pump(&rd, 200);
	if (rd.out >= 0 || rd.err >= 0 || !gpt_reaped(&rd, false)) {
		for (int i = 0; i < 50 && !gpt_reaped(&rd, false); i++)
			usleep(100000);
		if (!rd.exited) {
			gpt_result("FAIL", "exit", "ghostport still running 35 s after SIGINT; killed");
			kill(rd.pid, SIGKILL);
			gpt_reaped(&rd, true);
		}
	}
	while (gpt_pump(&rd, 100))
		;
	if (rd.exited && !(WIFEXITED(rd.status) && WEXITSTATUS(rd.status) == 0)) {
		gpt_result("FAIL", "exit", "%s %d after SIGINT (want exit 0); stderr: %s",
			   WIFEXITED(rd.status) ? "exit status" : "killed by signal",
			   WIFEXITED(rd.status) ? WEXITSTATUS(rd.status) : WTERMSIG(rd.status),
			   gpt_last_err_line(&rd));
	} else if (rd.exited) {
		gpt_result("PASS", "exit", NULL);
	}
	/* The reader is gone: the children may go too. */
	for (int ci = 0; ci < NCASES; ci++)
		release_child(&kids[ci]);

	write_stderr_log(&rd, stderr_log);

	/* stderr protocol: one ready line, a summary with drops=0 */
	{
		const char *summary = NULL;
		char bad[300] = "";

		nready = ready_lines(&rd);
		for (size_t i = 0; i < rd.e.n; i++) {
			const char *l = rd.e.v[i];

			if (!strncmp(l, "ghostport: summary", 18))
				summary = l;
			else if (l[0] && strncmp(l, "ghostport: ", 11) && !bad[0])
				printable(bad, sizeof(bad), l, strlen(l));
		}
		if (nready != 1)
			gpt_result("FAIL", "stderr", "%zu \"ghostport: ready\" lines, want 1", nready);
		else if (bad[0])
			gpt_result("FAIL", "stderr", "line without \"ghostport: \": %s", bad);
		else
			gpt_result("PASS", "stderr", NULL);
		if (!summary) {
			gpt_result("FAIL", "summary", "no \"ghostport: summary\" line on stderr");
		} else {
			const char *d = strstr(summary, " drops=");
			const char *e = strstr(summary, " events=");

			gpt_note("%s: %s", gpt_prefix, summary);
			if (!d || !e)
				gpt_result("FAIL", "summary", "no events=/drops= in: %s", summary);
			else if (strtoull(d + 7, NULL, 10) != 0)
				gpt_result("FAIL", "summary", "drops=%llu, want 0",
					   strtoull(d + 7, NULL, 10));
			else
				gpt_result("PASS", "summary", NULL);
		}
	}

	/* every stdout line a JSON object */
	evs = xcalloc(rd.o.n, sizeof(*evs));
	for (size_t i = 0; i < rd.o.n; i++) {
		json_error_t jerr;
		struct event *e = &evs[nev++];

		e->line = rd.o.v[i];
		e->j = json_loads(rd.o.v[i], 0, &jerr);
		if (!json_is_object(e->j)) {
			char p[300];

			printable(p, sizeof(p), rd.o.v[i], strlen(rd.o.v[i]));
			if (!bad_json)
				gpt_result("FAIL", "json-lines", "line %zu is not a JSON object (%s): %s",
					   i + 1, e->j ? "not an object" : jerr.text, p);
			bad_json = true;
			json_decref(e->j);
			e->j = NULL;
			continue;
		}
		e->pid = gpt_jint(e->j, "pid", -1);
		e->tid = gpt_jint(e->j, "tid", -1);
		e->port = gpt_jint(e->j, "port", -1);
		e->proto = gpt_jstr(e->j, "proto");
		e->family = gpt_jstr(e->j, "family");
	}
	if (!bad_json)
		gpt_result("PASS", "json-lines", NULL);
	gpt_note("%s: %zu event lines", gpt_prefix, nev);

	/* 4. match: exactly one event per bind, preferring the same ret */
	for (size_t i = 0; i < nx; i++) {
		struct expect *x = &xs[i];
		struct event *first = NULL;

		for (size_t k = 0; k < nev; k++) {
			if (!key_match(x, &evs[k]))
				continue;
			if (!first)
				first = &evs[k];
			if (gpt_jint(evs[k].j, "ret", 1) == x->br->ret) {
				first = &evs[k];
				break;
			}
		}
		if (first) {
			first->used = true;
			x->ev = first;
		}
	}

	/* per case results */
	for (int ci = 0; ci < NCASES; ci++) {
		const struct case_spec *cs = &cases[ci];
		struct chk c;
		char skip[300] = "";
		int nchecked = 0;

		if (!case_selected(only, cs->name))
			continue;
		memset(&c, 0, sizeof(c));
		if (!kids[ci].have_report || !kids[ci].r.ok) {
			gpt_result("FAIL", cs->name, "setup: %s", kids[ci].r.why);
			continue;
		}
		for (int bi = 0; bi < cs->nbinds; bi++) {
			const struct bind_result *b = &kids[ci].r.b[bi];
			const struct bind_spec *bs = &cs->b[bi];
			struct expect *x = NULL;
			char key[96], kp[100];

			dump_key(key, sizeof(key), ci, bi);
			/* multi-bind cases say which bind a message is about */
			snprintf(kp, sizeof(kp), "%s%s", cs->nbinds > 1 ? key : "",
				 cs->nbinds > 1 ? ": " : "");
			if (!b->done) {
				snprintf(skip, sizeof(skip), "%s", b->skip);
				continue;
			}
			for (size_t i = 0; i < nx; i++)
				if (xs[i].ci == ci && xs[i].bi == bi)
					x = &xs[i];
			if (b->ret != -bs->want_errno) {
				cfail(&c, "setup: %sbind() returned %d (%s), the case wants %d",
				      kp, b->ret, b->ret ? strerror(-b->ret) : "ok",
				      -bs->want_errno);
			}
			if (!x)
				continue;
			if (x->unseen) {
				if (x->ev)
					cfail(&c, "%sgp_e2e_modes.h says %s does not see %s binds, but an event came: update the table",
					      kp, m->name, e2e_kind_name[cs->kind]);
				else
					snprintf(skip, sizeof(skip), "%s does not see it: %s",
						 m->name, e2e_kind_why[cs->kind]);
				continue;
			}
			if (!x->want_event) {
				if (x->ev) {
					char g[300];

					jrepr(g, sizeof(g), x->ev->j);
					cfail(&c, "%sevent for an unlisted bind: %s", kp, g);
				} else {
					nchecked++;
				}
				continue;
			}
			if (!x->ev) {
				cfail(&c, "%sno event (pid %d tid %d %s/%s port %d)", kp,
				      x->r->pid, x->r->tid, x->family, x->proto, b->port);
				continue;
			}
			{
				struct chk one;

				memset(&one, 0, sizeof(one));
				check_event(&one, x, m, mode_name);
				if (one.nfail) {
					cfail(&c, "%s%s", kp, one.first);
					if (one.more[0])
						cfail(&c, "%s", one.more);
				}
			}
			nchecked++;
		}
		if (c.nfail) {
			char *p, *save = NULL;

			gpt_result("FAIL", cs->name, "%s", c.first);
			for (p = strtok_r(c.more, "\n", &save); p; p = strtok_r(NULL, "\n", &save))
				gpt_note("%s/%s: %s", gpt_prefix, cs->name, p);
		} else if (!nchecked) {
			gpt_result("SKIP", cs->name, "%s", skip[0] ? skip : "nothing checked");
		} else {
			gpt_result("PASS", cs->name, NULL);
		}
	}

	/* leftovers: duplicates of a bind, or events nobody asked for */
	{
		size_t ndup = 0, nunexp = 0, nforeign = 0;
		char first_dup[400] = "", first_unexp[400] = "";

		for (size_t k = 0; k < nev; k++) {
			struct event *e = &evs[k];
			bool ours = false, dup = false;

			if (!e->j || e->used)
				continue;
			for (int ci = 0; ci < NCASES; ci++)
				if (kids[ci].have_report && kids[ci].r.pid == e->pid)
					ours = true;
			if (!ours) {
				nforeign++;
				continue;
			}
			for (size_t i = 0; i < nx; i++) {
				if (xs[i].ev && xs[i].r->tid == e->tid &&
				    xs[i].br->port == e->port && e->proto &&
				    !strcmp(e->proto, xs[i].proto))
					dup = true;
			}
			if (dup) {
				if (!ndup++)
					printable(first_dup, sizeof(first_dup), e->line, strlen(e->line));
			} else {
				if (!nunexp++)
					printable(first_unexp, sizeof(first_unexp), e->line, strlen(e->line));
			}
		}
		if (ndup)
			gpt_result("FAIL", "duplicates", "%zu extra events for binds already matched; first: %s",
				   ndup, first_dup);
		else
			gpt_result("PASS", "duplicates", NULL);
		if (nunexp)
			gpt_result("FAIL", "unexpected-events", "%zu events from test processes match no expected bind; first: %s",
				   nunexp, first_unexp);
		else
			gpt_result("PASS", "unexpected-events", NULL);
		if (nforeign)
			gpt_note("%s: %zu events from other processes ignored", gpt_prefix, nforeign);
	}

	/* 5. the dump */
	if (dump) {
		FILE *f = fopen(dump, "w");
		char **out = xcalloc(nx + 1, sizeof(char *));
		size_t nout = 0;

		if (!f) {
			gpt_result("FAIL", "dump", "%s: %s", dump, strerror(errno));
		} else {
			json_t *meta = json_pack("{s:{s:s,s:s,s:i}}", "meta",
				"mode", mode_name, "status", "ran", "ports_base", ports_base);
			char *s = json_dumps(meta, JSON_COMPACT | JSON_SORT_KEYS);

			fprintf(f, "%s\n", s);
			free(s);
			json_decref(meta);
			for (size_t i = 0; i < nx; i++) {
				struct expect *x = &xs[i];
				json_t *o;

				if (!cases[x->ci].b[x->bi].listed && !all_flag)
					continue;
				o = json_pack("{s:s,s:s,s:s}", "case", x->key, "mode",
					      mode_name, "kind", e2e_kind_name[cases[x->ci].kind]);
				if (x->unseen) {
					json_object_set_new(o, "unseen", json_string(e2e_kind_why[cases[x->ci].kind]));
				} else if (!x->ev) {
					json_object_set_new(o, "missing", json_true());
				} else {
					json_t *e = json_deep_copy(x->ev->j);
					static const char *const drop[] = {
						"time", "pid", "tid", "ppid", "cgroup_id",
						"netns", "source",
						/* checked per mode by run: a mode that
						 * cannot see a failure's errno says why */
						"ret_unknown" };

					json_t *args = json_object_get(e, "args");

					for (size_t d = 0; d < sizeof(drop) / sizeof(drop[0]); d++)
						json_object_del(e, drop[d]);
					/* The binders are forks of this program: their argv is
					 * this run's command line (mode, paths), so only
					 * argv[0] must agree between runs and modes. */
					if (json_is_array(args) && json_array_size(args) > 1) {
						json_t *a0 = json_array();

						json_array_append(a0, json_array_get(args, 0));
						json_object_set_new(e, "args", a0);
					}
					json_object_set_new(o, "event", e);
				}
				out[nout++] = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
				json_decref(o);
			}
			/* binds the environment could not make (e.g. no sctp) */
			for (int ci = 0; ci < NCASES; ci++) {
				if (!kids[ci].have_report)
					continue;
				for (int bi = 0; bi < cases[ci].nbinds; bi++) {
					char key[96];
					json_t *o;

					if (kids[ci].r.b[bi].done || !kids[ci].r.b[bi].skip[0] ||
					    !cases[ci].b[bi].listed)
						continue;
					dump_key(key, sizeof(key), ci, bi);
					o = json_pack("{s:s,s:s,s:s}", "case", key, "mode",
						      mode_name, "skipped", kids[ci].r.b[bi].skip);
					out[nout++] = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
					json_decref(o);
				}
			}
			qsort(out, nout, sizeof(char *), cmp_str);
			for (size_t i = 0; i < nout; i++) {
				fprintf(f, "%s\n", out[i]);
				free(out[i]);
			}
			fclose(f);
		}
		free(out);
	}

	for (size_t k = 0; k < nev; k++)
		json_decref(evs[k].j);
	free(evs);
	free(xs);
	free(kids);
	printf("# %s: %d passed, %d failed, %d skipped\n", gpt_prefix, gpt_npass, gpt_nfail, gpt_nskip);
	return gpt_nfail ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* compare                                                             */
/* ------------------------------------------------------------------ */

struct dump {
	const char *path;
	json_t *meta;		/* the meta object */
	json_t *byk;		/* case key -> line object */
	const char *mode;
};

static bool load_dump(struct dump *d, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	d->path = path;
	d->byk = json_object();
	if (!f) {
		gpt_result("FAIL", "load", "%s: %s", path, strerror(errno));
		return false;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		json_error_t err;
		json_t *o = json_loads(line, 0, &err);
		const char *k;

		if (!json_is_object(o)) {
			gpt_result("FAIL", "load", "%s: bad line: %s", path, err.text);
			json_decref(o);
			continue;
		}
		if (json_object_get(o, "meta")) {
			d->meta = json_incref(json_object_get(o, "meta"));
			json_decref(o);
			continue;
		}
		k = gpt_jstr(o, "case");
		if (k)
			json_object_set(d->byk, k, o);
		json_decref(o);
	}
	free(line);
	fclose(f);
	d->mode = d->meta ? gpt_jstr(d->meta, "mode") : NULL;
	if (!d->mode) {
		gpt_result("FAIL", "load", "%s: no meta line with the mode", path);
		return false;
	}
	return true;
}

static int cmd_compare(int argc, char **argv)
{
	const char *pa = NULL, *pb = NULL;
	struct dump da, db;
	const struct e2e_mode *ma, *mb;

	memset(&da, 0, sizeof(da));
	memset(&db, 0, sizeof(db));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--prefix") && i + 1 < argc)
			gpt_prefix = argv[++i];
		else if (!pa)
			pa = argv[i];
		else if (!pb)
			pb = argv[i];
		else
			usage();
	}
	if (!pa || !pb)
		usage();
	if (!load_dump(&da, pa) | !load_dump(&db, pb))
		return 1;
	ma = e2e_mode_find(da.mode);
	mb = e2e_mode_find(db.mode);
	if (strcmp(gpt_jstr(da.meta, "status") ? gpt_jstr(da.meta, "status") : "", "ran") ||
	    strcmp(gpt_jstr(db.meta, "status") ? gpt_jstr(db.meta, "status") : "", "ran")) {
		for (int ci = 0; ci < NCASES; ci++)
			gpt_result("SKIP", cases[ci].name, "%s did not run (%s: %s, %s: %s)",
				   strcmp(gpt_jstr(da.meta, "status"), "ran") ? da.mode : db.mode,
				   da.mode, gpt_jstr(da.meta, "status"), db.mode, gpt_jstr(db.meta, "status"));
		return 0;
	}

	for (int ci = 0; ci < NCASES; ci++) {
		const struct case_spec *cs = &cases[ci];
		struct chk c;
		char skip[400] = "";
		int ncmp = 0;

		memset(&c, 0, sizeof(c));
		for (int bi = 0; bi < cs->nbinds; bi++) {
			char key[96], kp[100];
			json_t *la, *lb, *ea, *eb;
			const char *f;
			json_t *v;
			json_t *keys;

			if (!cs->b[bi].listed)
				continue;	/* no event, nothing to compare */
			dump_key(key, sizeof(key), ci, bi);
			snprintf(kp, sizeof(kp), "%s%s", cs->nbinds > 1 ? key : "",
				 cs->nbinds > 1 ? ": " : "");
			la = json_object_get(da.byk, key);
			lb = json_object_get(db.byk, key);
			if (json_object_get(la, "skipped") || json_object_get(lb, "skipped")) {
				snprintf(skip, sizeof(skip), "%snot run: %s", kp,
					 gpt_jstr(la, "skipped") ? gpt_jstr(la, "skipped") : gpt_jstr(lb, "skipped"));
				continue;
			}
			if (!la || !lb) {
				if (!la && !lb)
					snprintf(skip, sizeof(skip), "%sin neither dump", kp);
				else
					cfail(&c, "%smissing in %s (%s)", kp,
					      la ? db.path : da.path, la ? db.mode : da.mode);
				continue;
			}
			if (json_object_get(la, "unseen") || json_object_get(lb, "unseen")) {
				const char *who = json_object_get(la, "unseen") ? da.mode : db.mode;

				snprintf(skip, sizeof(skip), "%smode %s does not see it: %s",
					 kp, who, e2e_kind_why[cs->kind]);
				continue;
			}
			ea = json_object_get(la, "event");
			eb = json_object_get(lb, "event");
			if (!ea || !eb) {
				cfail(&c, "%sno event in %s (%s)", kp,
				      ea ? db.mode : da.mode, ea ? db.path : da.path);
				continue;
			}
			ncmp++;
			keys = json_object();
			json_object_foreach(ea, f, v)
				json_object_set(keys, f, json_null());
			json_object_foreach(eb, f, v)
				json_object_set(keys, f, json_null());
			json_object_foreach(keys, f, v) {
				json_t *va = json_object_get(ea, f);
				json_t *vb = json_object_get(eb, f);
				char ga[256], gb[256];

				if (va && vb && json_equal(va, vb))
					continue;
				if (va && vb && json_is_null(va) != json_is_null(vb)) {
					const struct e2e_mode *nm = json_is_null(va) ? ma : mb;
					const char *nn = json_is_null(va) ? da.mode : db.mode;

					if (e2e_may_null(nm, f)) {
						gpt_note("%s/%s: field %s unknown in mode %s", gpt_prefix,
							 key, f, nn);
						continue;
					}
				}
				jrepr(ga, sizeof(ga), va);
				jrepr(gb, sizeof(gb), vb);
				cfail(&c, "%sfield %s: %s %s, %s %s", kp, f, da.mode, ga,
				      db.mode, gb);
			}
			json_decref(keys);
		}
		if (c.nfail) {
			char *p, *save = NULL;

			gpt_result("FAIL", cs->name, "%s", c.first);
			for (p = strtok_r(c.more, "\n", &save); p; p = strtok_r(NULL, "\n", &save))
				gpt_note("%s/%s: %s", gpt_prefix, cs->name, p);
		} else if (ncmp) {
			gpt_result("PASS", cs->name, NULL);
		} else if (skip[0]) {
			gpt_result("SKIP", cs->name, "%s", skip);
		}
		/* unlisted-only cases: nothing to compare, no line */
	}
	json_decref(da.meta);
	json_decref(db.meta);
	json_decref(da.byk);
	json_decref(db.byk);
	return gpt_nfail ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compare"))
		return cmd_compare(argc - 1, argv + 1);
	if (!strcmp(argv[1], "cases")) {
		char ports[128];

		test_ports(ports, sizeof(ports));
		printf("ports: %s\n", ports);
		for (int ci = 0; ci < NCASES; ci++) {
			char comm[64];

			printable(comm, sizeof(comm), cases[ci].comm ? cases[ci].comm : "",
				  cases[ci].comm ? strlen(cases[ci].comm) : 0);
			printf("%-26s kind=%-5s binds=%d%s%s%s\n", cases[ci].name,
			       e2e_kind_name[cases[ci].kind], cases[ci].nbinds,
			       cases[ci].nobody ? " uid=65534" : "",
			       cases[ci].in_thread ? " thread" : "",
			       cases[ci].comm ? " comm=" : "");
			if (cases[ci].comm)
				printf("%28s%s\n", "", comm);
		}
		return 0;
	}
	usage();
	return 2;
}
