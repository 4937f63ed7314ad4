// SPDX-License-Identifier: GPL-2.0
/*
 * gp_kbind.c - a bind made by the kernel itself, seen by `ghostport run`.
 *
 *   gp_kbind up PORT        create vxlan gpvx0 (VNI 42, UDP PORT, local
 *                           127.0.0.1) and set it up: the kernel binds then
 *   gp_kbind down           delete gpvx0
 *   gp_kbind test --ghostport PATH --prefix NAME --source MODE
 *                 [--enforce [--deny-with lsm|cgroup]] [--port N (686)]
 *                 [--expect-available yes|no|any] [--ready-timeout S (90)]
 *                 [--event-timeout S (20)]
 *
 * The kernel bind: a VXLAN device's UDP socket is created by the kernel when
 * the link goes up (vxlan_open -> udp_sock_create4 -> sock_create_kern +
 * kernel_bind -> inet_bind), so its sock has sk_kern_sock set.  ghostport
 * must report it with "kernel":true in every attach mode and must never deny
 * it, whatever the enforcement method.
 *
 * `test`:
 *   1. probe, no ghostport running: create gpvx0 (down), set it up and down
 *      again (the port can be bound here).  Missing vxlan support, or a link
 *      that cannot come up: every case SKIPs with the reason.
 *   2. `ghostport run --no-config --source MODE --ports PORT/udp --format json
 *      [--enforce --no-pin --deny-with M]`, wait for "ghostport: ready".
 *   3. a child ("gp-kbind-up") sets gpvx0 up: the kernel binds PORT/udp.
 *      It must succeed, also under --enforce (case vxlan-up).  Exactly one
 *      event for the port: proto udp, kernel true, verdict "audit" (case
 *      kernel-event).
 *   4. gpvx0 is deleted (case link-delete: the kernel socket is gone, the
 *      port is free again).
 *   5. a child ("gp-kbind-user") binds PORT/udp itself: under --enforce it
 *      fails with EPERM and yields one event with verdict "deny", kernel false,
 *      source the enforcement method; without, it succeeds with one "audit"
 *      event, kernel false (case user-bind: the flag is not always true).
 *   6. SIGINT, ghostport exits 0 (case exit).
 * Case names: <prefix>/{start,vxlan-up,kernel-event,link-delete,user-bind,exit};
 * each is printed exactly once (PASS, FAIL or SKIP).  Every event line that
 * a check is about is printed as a "# " note.  Exit status 1 if anything
 * failed.
 *
 * Raw rtnetlink (no libmnl, no iproute2): static, runs in the busybox guest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
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
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#ifndef IFF_UP
#define IFF_UP 0x1
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define IFNAME		"gpvx0"
#define VNI		42
#define PIN_DIR		"/sys/fs/bpf/ghostport"
#define LOCK_FILE	"/run/ghostport.lock"
#define NSEC		1000000000LL

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

static const char *prefix = "kbind";
static int nfail;

static void result(const char *what, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void result(const char *what, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s/%s", what, prefix, name);
	if (fmt) {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	fflush(stdout);
	if (!strcmp(what, "FAIL"))
		nfail++;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* A check made of several conditions: the first failure is the reason. */
struct chk {
	char why[768];
};

static void cfail(struct chk *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cfail(struct chk *k, const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(k->why);

	if (n && n < sizeof(k->why) - 3) {
		strcat(k->why, "; ");
		n += 2;
	}
	if (n >= sizeof(k->why) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(k->why + n, sizeof(k->why) - n, fmt, ap);
	va_end(ap);
}

static void cdone(const struct chk *k, const char *name)
{
	if (k->why[0])
		result("FAIL", name, "%s", k->why);
	else
		result("PASS", name, NULL);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "success";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EADDRINUSE: return "EADDRINUSE";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	default: return strerror(e);
	}
}

/* ------------------------------------------------------------------ */
/* rtnetlink                                                           */
/* ------------------------------------------------------------------ */

struct nlreq {
	struct nlmsghdr n;
	struct ifinfomsg i;
	char buf[512];
};

static void nl_init(struct nlreq *r, int type, int flags)
{
	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r->n.nlmsg_type = (unsigned short)type;
	r->n.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
	r->i.ifi_family = AF_UNSPEC;
}

static struct rtattr *nl_attr(struct nlreq *r, int type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)&r->n + NLMSG_ALIGN(r->n.nlmsg_len));
	size_t alen = RTA_LENGTH(len);

	if (NLMSG_ALIGN(r->n.nlmsg_len) + RTA_ALIGN(alen) > sizeof(*r)) {
		fprintf(stderr, "gp_kbind: netlink request too long\n");
		exit(2);
	}
	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)alen;
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->n.nlmsg_len = (unsigned)(NLMSG_ALIGN(r->n.nlmsg_len) + RTA_ALIGN(alen));
	return a;
}

static void nl_nest_end(struct nlreq *r, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)&r->n + r->n.nlmsg_len - (char *)nest);
}

/*
 * Sends the request, waits for its ack.  Returns 0 or -errno; msg gets the
 * kernel's extended ack text (if any) or the errno's name.
 */
static int nl_talk(struct nlreq *r, char *msg, size_t mlen)
{
	static unsigned seq = 1000;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[8192];
	int fd, one = 1, ret = -EIO;

	snprintf(msg, mlen, "no answer");
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		ret = -errno;
		snprintf(msg, mlen, "netlink socket: %s", strerror(errno));
		return ret;
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	r->n.nlmsg_seq = ++seq;
	if (sendto(fd, &r->n, r->n.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		snprintf(msg, mlen, "netlink send: %s", strerror(errno));
		close(fd);
		return ret;
	}
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t k;
		int len;

		if (poll(&p, 1, 10000) <= 0) {
			snprintf(msg, mlen, "no netlink answer within 10 s");
			ret = -ETIMEDOUT;
			break;
		}
		k = recv(fd, buf, sizeof(buf), 0);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			snprintf(msg, mlen, "netlink recv: %s", strerror(errno));
			break;
		}
		len = (int)k;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			struct nlmsgerr *e;
			size_t off;

			if (h->nlmsg_seq != r->n.nlmsg_seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			e = NLMSG_DATA(h);
			ret = e->error;
			snprintf(msg, mlen, "%s", ret ? errno_name(-ret) : "ok");
			if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
				goto out;
			off = sizeof(*e);
			if (!(h->nlmsg_flags & NLM_F_CAPPED))
				off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
			if (NLMSG_HDRLEN + off >= h->nlmsg_len)
				goto out;
			{
				struct rtattr *a = (struct rtattr *)((char *)e + off);
				int alen = (int)(h->nlmsg_len - NLMSG_HDRLEN - off);

				for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
					if (a->rta_type == NLMSGERR_ATTR_MSG && ret)
						snprintf(msg, mlen, "%s (%.*s)", errno_name(-ret),
							 (int)RTA_PAYLOAD(a), (char *)RTA_DATA(a));
				}
			}
			goto out;
		}
	}
out:
	close(fd);
	return ret;
}

/* ip link add gpvx0 type vxlan id 42 dstport PORT local 127.0.0.1 */
static int link_create(int port, char *msg, size_t mlen)
{
	struct nlreq r;
	struct rtattr *li, *data;
	uint32_t vni = VNI;
	uint16_t nport = htons((uint16_t)port);
	struct in_addr local = { htonl(INADDR_LOOPBACK) };

	nl_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	nl_attr(&r, IFLA_IFNAME, IFNAME, sizeof(IFNAME));
	li = nl_attr(&r, IFLA_LINKINFO, NULL, 0);
	nl_attr(&r, IFLA_INFO_KIND, "vxlan", sizeof("vxlan"));
	data = nl_attr(&r, IFLA_INFO_DATA, NULL, 0);
	nl_attr(&r, IFLA_VXLAN_ID, &vni, sizeof(vni));
	nl_attr(&r, IFLA_VXLAN_PORT, &nport, sizeof(nport));
	nl_attr(&r, IFLA_VXLAN_LOCAL, &local, sizeof(local));
	nl_nest_end(&r, data);
	nl_nest_end(&r, li);
	return nl_talk(&r, msg, mlen);
}

/* ip link set gpvx0 up|down (by name: ifi_index 0 + IFLA_IFNAME) */
static int link_set(bool up, char *msg, size_t mlen)
{
	struct nlreq r;

	nl_init(&r, RTM_NEWLINK, 0);
	r.i.ifi_flags = up ? IFF_UP : 0;
	r.i.ifi_change = IFF_UP;
	nl_attr(&r, IFLA_IFNAME, IFNAME, sizeof(IFNAME));
	return nl_talk(&r, msg, mlen);
}

/* ip link del gpvx0 */
static int link_delete(char *msg, size_t mlen)
{
	struct nlreq r;

	nl_init(&r, RTM_DELLINK, 0);
	nl_attr(&r, IFLA_IFNAME, IFNAME, sizeof(IFNAME));
	return nl_talk(&r, msg, mlen);
}

static bool link_exists(void)
{
	struct stat st;

	return stat("/sys/class/net/" IFNAME, &st) == 0;
}

/* ------------------------------------------------------------------ */
/* Children: the kernel bind (link up) and the user bind               */
/* ------------------------------------------------------------------ */

struct cres {
	pid_t pid;
	int err;		/* 0 or the errno */
	char why[256];		/* netlink's message, or what failed */
	bool done;		/* the child reported back */
};

enum job { J_UP, J_PROBE, J_USER_BIND };

/* Runs the job in a forked child named comm (its own pid and comm). */
static void child_run(enum job job, int port, const char *comm, struct cres *res)
{
	int pfd[2];
	pid_t pid;
	ssize_t k;

	memset(res, 0, sizeof(*res));
	res->pid = -1;
	if (pipe2(pfd, O_CLOEXEC)) {
		snprintf(res->why, sizeof(res->why), "pipe: %s", strerror(errno));
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(res->why, sizeof(res->why), "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	if (pid == 0) {
		struct cres c = { 0 };

		close(pfd[0]);
		signal(SIGINT, SIG_DFL);
		prctl(PR_SET_NAME, comm, 0, 0, 0);
		c.pid = getpid();
		c.done = true;
		if (job == J_UP) {
			c.err = -link_set(true, c.why, sizeof(c.why));
		} else if (job == J_PROBE) {
			c.err = -link_set(true, c.why, sizeof(c.why));
			if (!c.err && (c.err = -link_set(false, c.why, sizeof(c.why))))
				c.err = -c.err;	/* down failed: negative */
		} else {
			struct sockaddr_in a = { .sin_family = AF_INET,
						 .sin_port = htons((uint16_t)port),
						 .sin_addr = { htonl(INADDR_LOOPBACK) } };
			int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

			if (fd < 0) {
				c.err = errno;
				snprintf(c.why, sizeof(c.why), "socket: %s", strerror(errno));
			} else if (bind(fd, (struct sockaddr *)&a, sizeof(a))) {
				c.err = errno;
				snprintf(c.why, sizeof(c.why), "bind: %s", errno_name(errno));
			} else {
				snprintf(c.why, sizeof(c.why), "bind: ok");
			}
			if (fd >= 0)
				close(fd);
		}
		if (write(pfd[1], &c, sizeof(c)) != sizeof(c))
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	do
		k = read(pfd[0], res, sizeof(*res));
	while (k < 0 && errno == EINTR);
	close(pfd[0]);
	if (k != sizeof(*res)) {
		memset(res, 0, sizeof(*res));
		snprintf(res->why, sizeof(res->why), "the child (%s) did not report back", comm);
	}
	res->pid = pid;
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* ------------------------------------------------------------------ */
/* The reader: ghostport run, its stdout and stderr as lines           */
/* ------------------------------------------------------------------ */

struct lines {
	char **v;
	size_t n, cap;
	char *part;
	size_t plen, pcap;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "gp_kbind: out of memory\n");
		exit(2);
	}
	return p;
}

static void lines_push(struct lines *l, const char *s, size_t len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n] = xrealloc(NULL, len + 1);
	memcpy(l->v[l->n], s, len);
	l->v[l->n][len] = 0;
	l->n++;
}

static void lines_feed(struct lines *l, const char *buf, size_t n)
{
	if (l->plen + n > l->pcap) {
		l->pcap = (l->plen + n) * 2;
		l->part = xrealloc(l->part, l->pcap);
	}
	memcpy(l->part + l->plen, buf, n);
	l->plen += n;
	for (;;) {
		char *nl = memchr(l->part, '\n', l->plen);
		size_t len;

		if (!nl)
			break;
		len = (size_t)(nl - l->part);
		lines_push(l, l->part, len);
		memmove(l->part, nl + 1, l->plen - len - 1);
		l->plen -= len + 1;
	}
}

static void lines_flush(struct lines *l)
{
	if (l->plen) {
		lines_push(l, l->part, l->plen);
		l->plen = 0;
	}
}

struct reader {
	pid_t pid;
	int out, err;		/* -1 at EOF */
	struct lines o, e;
	int status;
	bool exited;
};

static struct reader *live_reader;

static void on_signal(int sig)
{
	if (live_reader && live_reader->pid > 0 && !live_reader->exited)
		kill(live_reader->pid, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int spawn_reader(struct reader *rd, char *const argv[])
{
	int po[2], pe[2];

	memset(rd, 0, sizeof(*rd));
	rd->out = rd->err = -1;
	if (pipe2(po, O_CLOEXEC))
		return -1;
	if (pipe2(pe, O_CLOEXEC)) {
		close(po[0]);
		close(po[1]);
		return -1;
	}
	fflush(NULL);
	rd->pid = fork();
	if (rd->pid < 0)
		return -1;
	if (rd->pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		dup2(devnull, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		dprintf(2, "gp_kbind: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	rd->out = po[0];
	rd->err = pe[0];
	live_reader = rd;
	return 0;
}

/* Reads what is there, waiting up to ms.  Returns false when both ended. */
static bool pump(struct reader *rd, int ms)
{
	struct pollfd p[2];
	int n = 0;
	char buf[65536];

	if (rd->out >= 0)
		p[n++] = (struct pollfd){ rd->out, POLLIN, 0 };
	if (rd->err >= 0)
		p[n++] = (struct pollfd){ rd->err, POLLIN, 0 };
	if (!n)
		return false;
	if (poll(p, (nfds_t)n, ms) <= 0)
		return true;
	for (int i = 0; i < n; i++) {
		ssize_t k;
		bool is_out = p[i].fd == rd->out;

		if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		k = read(p[i].fd, buf, sizeof(buf));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			close(p[i].fd);
			if (is_out) {
				rd->out = -1;
				lines_flush(&rd->o);
			} else {
				rd->err = -1;
				lines_flush(&rd->e);
			}
		} else {
			lines_feed(is_out ? &rd->o : &rd->e, buf, (size_t)k);
		}
	}
	return true;
}

static bool reap(struct reader *rd, int ms)
{
	long long end = now_ns() + (long long)ms * 1000000LL;

	while (!rd->exited) {
		pid_t w = waitpid(rd->pid, &rd->status, WNOHANG);

		if (w == rd->pid) {
			rd->exited = true;
			break;
		}
		if (w < 0 && errno != EINTR)
			break;
		if (now_ns() >= end)
			break;
		if (!pump(rd, 50))
			sleep_ms(50);
	}
	if (rd->exited && live_reader == rd)
		live_reader = NULL;
	return rd->exited;
}

static const char *err_find(const struct reader *rd, const char *what)
{
	for (size_t i = 0; i < rd->e.n; i++)
		if (!strncmp(rd->e.v[i], what, strlen(what)))
			return rd->e.v[i];
	return NULL;
}

static const char *last_err_line(const struct reader *rd)
{
	for (size_t i = rd->e.n; i > 0; i--)
		if (rd->e.v[i - 1][0])
			return rd->e.v[i - 1];
	return "(no message)";
}

static void show_stderr(const struct reader *rd)
{
	for (size_t i = 0; i < rd->e.n; i++)
		note("  stderr: %s", rd->e.v[i]);
}

static void reader_free(struct reader *rd)
{
	if (rd->out >= 0)
		close(rd->out);
	if (rd->err >= 0)
		close(rd->err);
	for (size_t i = 0; i < rd->o.n; i++)
		free(rd->o.v[i]);
	for (size_t i = 0; i < rd->e.n; i++)
		free(rd->e.v[i]);
	free(rd->o.v);
	free(rd->e.v);
	free(rd->o.part);
	free(rd->e.part);
	memset(rd, 0, sizeof(*rd));
	rd->out = rd->err = -1;
}

/* Runs `ghostport unload` to completion. */
static void gp_unload(const char *gp)
{
	struct reader r;
	char *args[] = { (char *)gp, "unload", NULL };

	if (spawn_reader(&r, args)) {
		note("cannot run %s unload: %s", gp, strerror(errno));
		return;
	}
	while (pump(&r, 20000))
		;
	reap(&r, 20000);
	note("ghostport unload: %s", last_err_line(&r));
	reader_free(&r);
}

/* Who holds the run lock: 0 nobody, else its pid (-1 unknown). */
static pid_t lock_holder(void)
{
	int fd = open(LOCK_FILE, O_RDONLY | O_CLOEXEC);
	char buf[32];
	ssize_t n;
	pid_t pid;

	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);
		return 0;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	pid = (pid_t)strtol(buf, NULL, 10);
	return pid > 0 ? pid : -1;
}

static bool wait_lock_free(int s, char *why, size_t wlen)
{
	long long end = now_ns() + (long long)s * NSEC;
	pid_t h;
	bool said = false;

	while ((h = lock_holder()) != 0) {
		if (!said) {
			note("another ghostport run (pid %d) holds %s; waiting up to %d s",
			     (int)h, LOCK_FILE, s);
			said = true;
		}
		if (now_ns() >= end) {
			snprintf(why, wlen, "another ghostport run (pid %d) held %s for %d s",
				 (int)h, LOCK_FILE, s);
			return false;
		}
		sleep_ms(200);
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

static json_t *ev_parse(const char *line)
{
	json_t *j = json_loads(line, 0, NULL);

	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

static long long jint(const json_t *o, const char *k, long long dflt)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

static const char *jstr(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Stdout lines [from, to) that are events for port and not from pid
 * skip_pid; their indices in idx. */
static int events_for_port(const struct reader *rd, size_t from, size_t to, int port,
			   pid_t skip_pid, size_t *idx, int max)
{
	int n = 0;

	for (size_t i = from; i < to && i < rd->o.n; i++) {
		json_t *j = ev_parse(rd->o.v[i]);

		if (j && jint(j, "port", -1) == port && jint(j, "pid", -1) != skip_pid) {
			if (n < max)
				idx[n] = i;
			n++;
		}
		json_decref(j);
	}
	return n;
}

/* Waits until at least want events for port arrived after line from (or
 * timeout), then settle_ms more for stragglers. */
static void wait_events(struct reader *rd, size_t from, int port, pid_t skip_pid,
			int want, int timeout_s, int settle_ms)
{
	long long end = now_ns() + (long long)timeout_s * NSEC;
	size_t idx[1];

	while (now_ns() < end) {
		if (events_for_port(rd, from, rd->o.n, port, skip_pid, idx, 1) >= want)
			break;
		if (!pump(rd, 100))
			break;
	}
	end = now_ns() + (long long)settle_ms * 1000000LL;
	while (now_ns() < end && pump(rd, 50))
		;
}

static void chk_field_str(struct chk *k, const json_t *e, const char *key, const char *want)
{
	const char *v = jstr(e, key);

	if (!v || strcmp(v, want))
		cfail(k, "%s: %s%s%s, want \"%s\"", key, v ? "\"" : "", v ? v : "absent",
		      v ? "\"" : "", want);
}

static void chk_field_bool(struct chk *k, const json_t *e, const char *key, bool want)
{
	json_t *v = json_object_get(e, key);

	if (!json_is_boolean(v))
		cfail(k, "%s: %s, want %s", key, v ? "not a boolean" : "absent",
		      want ? "true" : "false");
	else if (json_is_true(v) != want)
		cfail(k, "%s: %s, want %s", key, want ? "false" : "true", want ? "true" : "false");
}

/* ------------------------------------------------------------------ */
/* test                                                                */
/* ------------------------------------------------------------------ */

static const char *const case_names[] = {
	"start", "vxlan-up", "kernel-event", "link-delete", "user-bind", "exit",
};
#define NCASE_NAMES ((int)(sizeof(case_names) / sizeof(case_names[0])))

/* SKIPs (or FAILs) every case not yet reported, from index first on. */
static void rest(int first, const char *what, const char *why)
{
	for (int i = first; i < NCASE_NAMES; i++)
		result(what, case_names[i], "%s", why);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: gp_kbind up PORT          create vxlan " IFNAME " on UDP PORT and set it up\n"
"       gp_kbind down             delete " IFNAME "\n"
"       gp_kbind test --ghostport PATH --prefix NAME --source MODE\n"
"                [--enforce [--deny-with lsm|cgroup]] [--port N (686)]\n"
"                [--expect-available yes|no|any (any)]\n"
"                [--ready-timeout S (90)] [--event-timeout S (20)]\n");
}

static int cmd_test(int argc, char **argv)
{
	const char *gp = NULL, *source = NULL, *deny_with = NULL, *expect_avail = "any";
	bool enforce = false;
	int port = 686, ready_to = 90, event_to = 20;
	char msg[512], why[768], ports[32], ready_src[32] = "", ready_enf[32] = "";
	struct reader rd;
	struct cres probe, up, ub;
	struct chk kx = { "" };
	int e;
	size_t phase2;
	char *args[24];
	char cmd[512] = "";
	int n = 0;
	long long end;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--enforce")) {
			enforce = true;
			continue;
		}
		if (!v) {
			usage(stderr);
			return 2;
		}
		if (!strcmp(a, "--ghostport"))
			gp = v;
		else if (!strcmp(a, "--prefix"))
			prefix = v;
		else if (!strcmp(a, "--source"))
			source = v;
		else if (!strcmp(a, "--deny-with"))
			deny_with = v;
		else if (!strcmp(a, "--port"))
			port = atoi(v);
		else if (!strcmp(a, "--expect-available"))
			expect_avail = v;
		else if (!strcmp(a, "--ready-timeout"))
			ready_to = atoi(v);
		else if (!strcmp(a, "--event-timeout"))
			event_to = atoi(v);
		else {
			usage(stderr);
			return 2;
		}
		i++;
	}
	if (!gp || !source || port <= 0 || port > 65535 || (deny_with && !enforce)) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	/* 1. the probe, before ghostport runs */
	if (link_exists()) {
		note("%s exists (left by an earlier run); deleting it", IFNAME);
		if ((e = link_delete(msg, sizeof(msg))))
			note("delete %s: %s", IFNAME, msg);
	}
	if ((e = link_create(port, msg, sizeof(msg)))) {
		snprintf(why, sizeof(why), "cannot create a vxlan link (%s: vxlan id %d dstport %d "
			 "local 127.0.0.1): %s%s", IFNAME, VNI, port, msg,
			 e == -EOPNOTSUPP ? " (no vxlan in this kernel: module not loaded?)" : "");
		rest(0, "SKIP", why);
		return 0;
	}
	/* (no other ghostport run should see the probe's bind) */
	if (!wait_lock_free(180, why, sizeof(why))) {
		link_delete(msg, sizeof(msg));
		rest(0, "SKIP", why);
		return 0;
	}
	/* up and down in a child ("gp-kbind-probe"): a source that buffers
	 * records while no reader runs (kmod) delivers this bind later, and
	 * its pid tells it from the bind under test */
	child_run(J_PROBE, port, "gp-kbind-probe", &probe);
	if (!probe.done || probe.err > 0) {
		snprintf(why, sizeof(why), "vxlan link %s cannot be set up on UDP %d even without "
			 "ghostport: %s", IFNAME, port, probe.why);
		link_delete(msg, sizeof(msg));
		rest(0, "SKIP", why);
		return 0;
	}
	if (probe.err < 0) {
		snprintf(why, sizeof(why), "vxlan link %s cannot be set down again: %s", IFNAME,
			 probe.why);
		link_delete(msg, sizeof(msg));
		rest(0, "FAIL", why);
		return 1;
	}
	note("%s: probe: vxlan %s created, set up and down without ghostport (pid %d)", prefix,
	     IFNAME, (int)probe.pid);

	/* 2. ghostport run */
	if (enforce && access(PIN_DIR, F_OK) == 0) {
		note("%s exists before the test (left by an earlier run); ghostport unload", PIN_DIR);
		gp_unload(gp);
	}
	snprintf(ports, sizeof(ports), "%d/udp", port);
	args[n++] = (char *)gp;
	args[n++] = "run";
	args[n++] = "--no-config";
	args[n++] = "--source";
	args[n++] = (char *)source;
	args[n++] = "--ports";
	args[n++] = ports;
	args[n++] = "--format";
	args[n++] = "json";
	if (enforce) {
		args[n++] = "--enforce";
		args[n++] = "--no-pin";
		if (deny_with) {
			args[n++] = "--deny-with";
			args[n++] = (char *)deny_with;
		}
	}
	args[n] = NULL;
	for (int i = 1; i < n; i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " %s", args[i]);
	note("%s: ghostport%s", prefix, cmd);
	if (spawn_reader(&rd, args)) {
		snprintf(why, sizeof(why), "cannot start %s: %s", gp, strerror(errno));
		link_delete(msg, sizeof(msg));
		result("FAIL", "start", "%s", why);
		rest(1, "SKIP", "not run: ghostport did not start");
		return 1;
	}
	end = now_ns() + (long long)ready_to * NSEC;
	while (!err_find(&rd, "ghostport: ready") && now_ns() < end)
		if (!pump(&rd, 100))
			break;
	if (!err_find(&rd, "ghostport: ready")) {
		char srcpfx[64];
		const char *last;
		bool unavailable;

		if (!reap(&rd, 2000)) {
			kill(rd.pid, SIGKILL);
			reap(&rd, 5000);
			snprintf(why, sizeof(why), "no \"ghostport: ready\" within %d s; stderr: %s",
				 ready_to, last_err_line(&rd));
		} else {
			while (pump(&rd, 200))
				;
			snprintf(why, sizeof(why), "exited (%s %d) before ready: %s",
				 WIFEXITED(rd.status) ? "status" : "signal",
				 WIFEXITED(rd.status) ? WEXITSTATUS(rd.status) :
				 WTERMSIG(rd.status), last_err_line(&rd));
		}
		link_delete(msg, sizeof(msg));
		last = last_err_line(&rd);
		snprintf(srcpfx, sizeof(srcpfx), "ghostport: source %s", source);
		unavailable = rd.exited && WIFEXITED(rd.status) && WEXITSTATUS(rd.status) == 1 &&
			      (!strncmp(last, srcpfx, strlen(srcpfx)) ||
			       !strncmp(last, "ghostport: --deny-with", 22) ||
			       strstr(last, "unavailable") || strstr(last, "no attach mode works"));
		if (unavailable && strcmp(expect_avail, "yes")) {
			snprintf(why, sizeof(why), "unavailable here: %s", last);
			rest(0, "SKIP", why);
		} else {
			show_stderr(&rd);
			result("FAIL", "start", "%s", why);
			rest(1, "SKIP", "not run: ghostport did not start");
		}
		reader_free(&rd);
		return nfail ? 1 : 0;
	}
	{
		const char *r = err_find(&rd, "ghostport: ready"), *p;

		if ((p = strstr(r, "source=")))
			sscanf(p + 7, "%31[a-z0-9]", ready_src);
		if ((p = strstr(r, "enforce=")))
			sscanf(p + 8, "%31[a-z0-9]", ready_enf);
		note("%s: %s", prefix, r);
	}
	if (!strcmp(expect_avail, "no"))
		note("%s: mode %s started although --expect-available no", prefix, source);
	{
		struct chk k = { "" };

		if (strcmp(ready_src, source) && strcmp(source, "auto"))
			cfail(&k, "ready line says source=%s, asked for %s", ready_src, source);
		if (enforce && !ready_enf[0])
			cfail(&k, "--enforce but the ready line says no enforce=");
		if (enforce && deny_with && strcmp(ready_enf, deny_with))
			cfail(&k, "ready line says enforce=%s, asked for --deny-with %s",
			      ready_enf, deny_with);
		if (!enforce && ready_enf[0])
			cfail(&k, "not enforcing but the ready line says enforce=%s", ready_enf);
		cdone(&k, "start");
	}

	/* 3. the kernel bind */
	pump(&rd, 0);
	child_run(J_UP, port, "gp-kbind-up", &up);
	{
		struct chk k = { "" };

		if (!up.done)
			cfail(&k, "%s", up.why);
		else if (up.err)
			cfail(&k, "setting vxlan %s up (the kernel's bind of UDP %d) failed under "
			      "ghostport%s: %s (it worked without ghostport)", IFNAME, port,
			      enforce ? " --enforce" : "", up.why);
		else
			note("%s: %s up by pid %d (gp-kbind-up): kernel bound UDP %d", prefix,
			     IFNAME, (int)up.pid, port);
		cdone(&k, "vxlan-up");
	}
	wait_events(&rd, 0, port, probe.pid, 1, up.done && !up.err ? event_to : 3, 1000);
	phase2 = rd.o.n;

	/* 4. delete the device: the kernel's socket goes */
	{
		struct chk k = { "" };

		if ((e = link_delete(msg, sizeof(msg))))
			cfail(&k, "ip link del %s: %s", IFNAME, msg);
		else if (link_exists())
			cfail(&k, "%s still in /sys/class/net after delete", IFNAME);
		cdone(&k, "link-delete");
	}

	/* 5. the user bind */
	pump(&rd, 0);
	child_run(J_USER_BIND, port, "gp-kbind-user", &ub);
	wait_events(&rd, phase2, port, probe.pid, 1, event_to, 1000);

	/* 6. stop (its result after the events') */
	kill(rd.pid, SIGINT);
	if (!reap(&rd, 30000)) {
		kill(rd.pid, SIGKILL);
		reap(&rd, 5000);
		cfail(&kx, "ghostport still running 30 s after SIGINT; killed");
	} else {
		while (pump(&rd, 200))
			;
		if (!WIFEXITED(rd.status) || WEXITSTATUS(rd.status))
			cfail(&kx, "%s %d after SIGINT (want exit 0); stderr: %s",
			      WIFEXITED(rd.status) ? "exit" : "signal",
			      WIFEXITED(rd.status) ? WEXITSTATUS(rd.status) : WTERMSIG(rd.status),
			      last_err_line(&rd));
	}
	for (size_t i = 0; i < rd.e.n; i++)
		if (strstr(rd.e.v[i], "drop") || strstr(rd.e.v[i], "summary"))
			note("%s: %s", prefix, rd.e.v[i]);

	/* the kernel's event(s): every event for the port before the user bind,
	 * and later ones not from the user bind's child */
	{
		struct chk k = { "" };
		size_t idx[16], uidx[16];
		int nk = 0, nu = 0;

		for (size_t i = 0; i < rd.o.n; i++) {
			json_t *j = ev_parse(rd.o.v[i]);

			if (!j && rd.o.v[i][0])
				note("%s: not a JSON object on stdout: %s", prefix, rd.o.v[i]);
			if (j && jint(j, "port", -1) == port && probe.done &&
			    jint(j, "pid", -1) == probe.pid) {
				note("%s: the probe's bind (before ghostport started, pid %d) "
				     "reported: %s", prefix, (int)probe.pid, rd.o.v[i]);
			} else if (j && jint(j, "port", -1) == port) {
				if (i >= phase2 && ub.done && jint(j, "pid", -1) == ub.pid) {
					if (nu < 16)
						uidx[nu] = i;
					nu++;
				} else {
					if (nk < 16)
						idx[nk] = i;
					nk++;
				}
			}
			json_decref(j);
		}
		for (int i = 0; i < nk && i < 16; i++)
			note("%s: kernel-bind event%s: %s", prefix,
			     idx[i] >= phase2 ? " (after the link was deleted)" : "",
			     rd.o.v[idx[i]]);
		for (int i = 0; i < nu && i < 16; i++)
			note("%s: user-bind event: %s", prefix, rd.o.v[uidx[i]]);

		if (!up.done || up.err) {
			if (nk)
				cfail(&k, "the link did not come up, yet %d event(s) for port %d", nk, port);
			else
				cfail(&k, "no kernel bind to report: the link did not come up");
		} else if (nk != 1) {
			cfail(&k, "%d events for UDP %d from the kernel's bind, want exactly 1", nk, port);
		}
		if (nk >= 1) {
			json_t *j = ev_parse(rd.o.v[idx[0]]);

			if (jint(j, "port", -1) != port)
				cfail(&k, "port: %lld, want %d", jint(j, "port", -1), port);
			chk_field_str(&k, j, "proto", "udp");
			chk_field_bool(&k, j, "kernel", true);
			chk_field_str(&k, j, "verdict", "audit");
			if (jint(j, "pid", -1) != up.pid)
				note("%s: kernel-bind event pid %lld, the process that set the link "
				     "up was %d", prefix, jint(j, "pid", -1), (int)up.pid);
			json_decref(j);
		}
		cdone(&k, "kernel-event");

		/* the user's own bind */
		k.why[0] = 0;
		if (!ub.done) {
			cfail(&k, "%s", ub.why);
		} else {
			if (enforce && ub.err != EPERM)
				cfail(&k, "user bind of UDP %d: %s, want EPERM (denied)", port,
				      errno_name(ub.err));
			if (!enforce && ub.err)
				cfail(&k, "user bind of UDP %d: %s, want success (audit only)", port,
				      errno_name(ub.err));
			if (nu != 1)
				cfail(&k, "%d events for pid %d port %d, want exactly 1", nu,
				      (int)ub.pid, port);
			if (nu >= 1) {
				json_t *j = ev_parse(rd.o.v[uidx[0]]);

				chk_field_str(&k, j, "proto", "udp");
				chk_field_bool(&k, j, "kernel", false);
				chk_field_str(&k, j, "verdict", enforce ? "deny" : "audit");
				chk_field_str(&k, j, "comm", "gp-kbind-user");
				if (enforce && ready_enf[0])
					chk_field_str(&k, j, "source", ready_enf);
				json_decref(j);
			}
		}
		cdone(&k, "user-bind");
	}
	cdone(&kx, "exit");

	if (link_exists()) {
		note("%s still there at the end; deleting it", IFNAME);
		link_delete(msg, sizeof(msg));
	}
	if (enforce && access(PIN_DIR, F_OK) == 0) {
		note("%s exists after a --no-pin run; ghostport unload", PIN_DIR);
		gp_unload(gp);
	}
	reader_free(&rd);
	return nfail ? 1 : 0;
}

int main(int argc, char **argv)
{
	char msg[512];
	int e;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "up")) {
		int port = argc >= 3 ? atoi(argv[2]) : 0;

		if (port <= 0 || port > 65535) {
			usage(stderr);
			return 2;
		}
		if ((e = link_create(port, msg, sizeof(msg)))) {
			fprintf(stderr, "gp_kbind: create vxlan %s: %s\n", IFNAME, msg);
			return 1;
		}
		if ((e = link_set(true, msg, sizeof(msg)))) {
			fprintf(stderr, "gp_kbind: set %s up: %s\n", IFNAME, msg);
			link_delete(msg, sizeof(msg));
			return 1;
		}
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "down")) {
		if ((e = link_delete(msg, sizeof(msg)))) {
			fprintf(stderr, "gp_kbind: delete %s: %s\n", IFNAME, msg);
			return 1;
		}
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "test"))
		return cmd_test(argc - 2, argv + 2);
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
