// SPDX-License-Identifier: GPL-2.0
/*
 * gp_kmodctl - drive /dev/ghostport (ghostport.ko) from tests.
 *
 *   gp_kmodctl version                 GP_IOC_GET_VERSION
 *   gp_kmodctl set-ports LIST          replace the blocklist ("" = empty)
 *   gp_kmodctl get-ports               listed ports as "port/protobits"
 *   gp_kmodctl conf all|none [WAKEUP_BYTES]
 *   gp_kmodctl counters                events= drops= misses= ...
 *   gp_kmodctl port-counts [FIRST NR]  non-zero per-port counts
 *   gp_kmodctl reset                   zero the counters
 *   gp_kmodctl drain                   read what is queued (O_NONBLOCK)
 *   gp_kmodctl read N TIMEOUT_MS       print up to N records
 *   gp_kmodctl reader [LIST...]        read (blocking) until SIGTERM/SIGINT,
 *                                      meanwhile (with LISTs) a thread
 *                                      replaces the blocklist with each
 *                                      LIST in turn every 5 ms; at the end
 *                                      drain, then print records= and the
 *                                      counters
 *   gp_kmodctl busy                    a second open must fail with EBUSY
 *   gp_kmodctl readsem                 read() edge cases: short count,
 *                                      O_NONBLOCK on an empty ring
 *   gp_kmodctl bind tcp|udp|tcp6|udp6 ADDR PORT
 *       just bind (the device is not opened), print ok or the error
 *   gp_kmodctl bindcheck tcp|udp|tcp6|udp6 ADDR PORT EXPECT [CGROUP_DIR]
 *       bind ADDR:PORT (SO_REUSEADDR) and check that exactly EXPECT
 *       records (0 or 1; "all": 1 with verdict none, for an unlisted port
 *       under conf all) come back for it, every field compared with what
 *       this process knows about itself.  CGROUP_DIR: the cgroup2 directory
 *       this process is in, to compare cgroup_id with its inode.
 *
 * Every command holds the device open only while it runs (one reader at a
 * time).  Exit status 0 when the command did what it says, 1 otherwise.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>
#include "ghostport_abi.h"
#include "ghostport_kmod.h"

#define GPT_PROG	"gp_kmodctl"
#include "gp_test.h"

#define REC sizeof(struct gp_event)

static int dev_open(int flags)
{
	int fd = open(GP_KMOD_DEVICE, O_RDONLY | O_CLOEXEC | flags);

	if (fd < 0)
		fprintf(stderr, "gp_kmodctl: open %s: %s\n", GP_KMOD_DEVICE,
			strerror(errno));
	return fd;
}

static int xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	if (ioctl(fd, req, arg) < 0) {
		fprintf(stderr, "gp_kmodctl: %s: %s\n", what, strerror(errno));
		return -1;
	}
	return 0;
}

/* Same syntax as the module's ports= and userspace/policy/portlist.h. */
static int parse_ports(const char *s, __u32 *rules)
{
	const char *p = s;

	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return 0;
	for (;;) {
		unsigned long lo, hi, port;
		__u32 bits = 0;
		char *end;

		while (isspace((unsigned char)*p))
			p++;
		if (!isdigit((unsigned char)*p) || *p == '0')
			return -1;
		lo = strtoul(p, &end, 10);
		p = end;
		hi = lo;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p) || *p == '0')
				return -1;
			hi = strtoul(p, &end, 10);
			p = end;
		}
		if (lo < 1 || hi > 65535 || hi < lo)
			return -1;
		if (*p == '/') {
			do {
				size_t n = 0;

				p++;
				while (isalpha((unsigned char)p[n]))
					n++;
				if (n == 3 && !strncasecmp(p, "tcp", 3))
					bits |= GP_PROTO_TCP;
				else if (n == 3 && !strncasecmp(p, "udp", 3))
					bits |= GP_PROTO_UDP;
				else if (n == 4 && !strncasecmp(p, "sctp", 4))
					bits |= GP_PROTO_SCTP;
				else if ((n == 5 && !strncasecmp(p, "other", 5)) ||
					 (n == 3 && !strncasecmp(p, "raw", 3)))
					bits |= GP_PROTO_OTHER;
				else if (n == 3 && !strncasecmp(p, "all", 3))
					bits |= GP_PROTO_ALL;
				else
					return -1;
				p += n;
			} while (*p == '+');
		} else {
			bits = GP_PROTO_ALL;
		}
		while (isspace((unsigned char)*p))
			p++;
		for (port = lo; port <= hi; port++)
			rules[port] |= GP_RULE_AUDIT(bits);
		if (!*p)
			return 0;
		if (*p != ',')
			return -1;
		p++;
	}
}

static void print_event(const struct gp_event *e)
{
	char a[INET6_ADDRSTRLEN] = "";
	char comm[GP_COMM_LEN + 1];

	inet_ntop(e->family == AF_INET ? AF_INET : AF_INET6, e->addr, a,
		  sizeof(a));
	memcpy(comm, e->comm, GP_COMM_LEN);
	comm[GP_COMM_LEN] = 0;
	printf("ev magic=%#x version=%u size=%u ts=%llu pid=%u tid=%u ppid=%u "
	       "uid=%u gid=%u netns=%u cgroup=%llu ret=%d ifindex=%u "
	       "family=%u port=%u type=%u proto=%u addr=%s verdict=%u "
	       "source=%u flags=%#x opts=%#x valid=%#x errno=%u exe_ino=%llu "
	       "exe_dev=%#x comm=%s\n",
	       e->magic, e->version, e->size, (unsigned long long)e->ts_ns,
	       e->pid, e->tid, e->ppid, e->uid, e->gid, e->netns_ino,
	       (unsigned long long)e->cgroup_id, e->ret, e->ifindex, e->family,
	       e->port, e->sock_type, e->protocol, a, e->verdict, e->source,
	       e->flags, e->opts, e->valid, e->deny_errno,
	       (unsigned long long)e->exe_ino, e->exe_dev, comm);
}

/* Read up to max records within timeout_ms (poll + read). */
static int read_records(int fd, struct gp_event *out, int max, int timeout_ms)
{
	long long end = gpt_now_ms() + timeout_ms;
	int n = 0;

	while (n < max) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = end - gpt_now_ms();
		ssize_t r;

		if (left < 0)
			break;
		if (poll(&pfd, 1, (int)left) <= 0)
			break;
		r = read(fd, out + n, (size_t)(max - n) * REC);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			fprintf(stderr, "gp_kmodctl: read: %s\n", strerror(errno));
			return -1;
		}
		if (r % REC) {
			fprintf(stderr, "gp_kmodctl: read returned %zd bytes, not whole records\n",
				r);
			return -1;
		}
		n += (int)(r / REC);
	}
	return n;
}

static int drain(int fd)
{
	struct gp_event buf[64];
	long long total = 0;
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		total += r / (ssize_t)REC;
	if (r < 0 && errno != EAGAIN) {
		fprintf(stderr, "gp_kmodctl: read: %s\n", strerror(errno));
		return -1;
	}
	return (int)total;
}

static int cmd_version(void)
{
	struct gp_kmod_version v;
	int fd = dev_open(0), ok;

	if (fd < 0)
		return 1;
	memset(&v, 0, sizeof(v));
	ok = !xioctl(fd, GP_IOC_GET_VERSION, &v, "GP_IOC_GET_VERSION");
	close(fd);
	if (!ok)
		return 1;
	printf("magic=%#x api=%u abi=%u record_size=%u ring_records=%u nr_ports=%u version=%.*s\n",
	       v.magic, v.api_version, v.abi_version, v.record_size,
	       v.ring_records, v.nr_ports, GP_KMOD_VERSION_LEN, v.version);
	return v.magic == GP_KMOD_MAGIC && v.api_version == GP_KMOD_API_VERSION &&
	       v.abi_version == GP_ABI_VERSION && v.record_size == REC &&
	       v.nr_ports == GP_NR_PORTS ? 0 : 1;
}

static int cmd_set_ports(const char *list)
{
	struct gp_kmod_rules r;
	__u32 *rules = calloc(GP_NR_PORTS, sizeof(*rules));
	int fd, ret = 1;

	if (!rules)
		return 1;
	if (parse_ports(list, rules)) {
		fprintf(stderr, "gp_kmodctl: bad port list \"%s\"\n", list);
		goto out;
	}
	fd = dev_open(0);
	if (fd < 0)
		goto out;
	r.rules = (__u64)(unsigned long)rules;
	r.nr = GP_NR_PORTS;
	r.flags = 0;
	if (!xioctl(fd, GP_IOC_SET_RULES, &r, "GP_IOC_SET_RULES"))
		ret = 0;
	close(fd);
out:
	free(rules);
	return ret;
}

static int cmd_get_ports(void)
{
	struct gp_kmod_rules r;
	__u32 *rules = calloc(GP_NR_PORTS, sizeof(*rules));
	int fd, ret = 1, p, first = 1;

	if (!rules)
		return 1;
	fd = dev_open(0);
	if (fd < 0)
		goto out;
	r.rules = (__u64)(unsigned long)rules;
	r.nr = GP_NR_PORTS;
	r.flags = 0;
	if (!xioctl(fd, GP_IOC_GET_RULES, &r, "GP_IOC_GET_RULES")) {
		for (p = 0; p < GP_NR_PORTS; p++) {
			if (!rules[p])
				continue;
			printf("%s%d/%#x", first ? "" : ",", p, rules[p]);
			first = 0;
		}
		printf("\n");
		ret = 0;
	}
	close(fd);
out:
	free(rules);
	return ret;
}

static int cmd_conf(const char *what, const char *wakeup)
{
	struct gp_conf c = { 0 };
	int fd, ret;

	if (!strcmp(what, "all"))
		c.flags = GP_CONF_ALL;
	else if (strcmp(what, "none"))
		return 2;
	if (wakeup)
		c.wakeup_bytes = (__u32)strtoul(wakeup, NULL, 0);
	else
		c.wakeup_bytes = 64 * REC;
	fd = dev_open(0);
	if (fd < 0)
		return 1;
	ret = xioctl(fd, GP_IOC_SET_CONF, &c, "GP_IOC_SET_CONF") ? 1 : 0;
	close(fd);
	return ret;
}

static int cmd_counters(void)
{
	struct gp_kmod_counters c;
	int fd = dev_open(0), ok;

	if (fd < 0)
		return 1;
	ok = !xioctl(fd, GP_IOC_GET_COUNTERS, &c, "GP_IOC_GET_COUNTERS");
	close(fd);
	if (!ok)
		return 1;
	printf("events=%llu drops=%llu misses=%llu ring_used=%llu ring_size=%llu rule_updates=%llu wakeups=%llu\n",
	       (unsigned long long)c.events, (unsigned long long)c.drops,
	       (unsigned long long)c.misses, (unsigned long long)c.ring_used,
	       (unsigned long long)c.ring_size,
	       (unsigned long long)c.rule_updates,
	       (unsigned long long)c.wakeups);
	return 0;
}

static int cmd_port_counts(unsigned int first, unsigned int nr)
{
	struct gp_kmod_port_counts pc;
	__u64 *counts = calloc(nr ? nr : 1, sizeof(*counts));
	unsigned long long sum = 0;
	int fd, ret = 1;
	unsigned int i;

	if (!counts)
		return 1;
	fd = dev_open(0);
	if (fd < 0)
		goto out;
	pc.counts = (__u64)(unsigned long)counts;
	pc.first = first;
	pc.nr = nr;
	if (!xioctl(fd, GP_IOC_GET_PORT_COUNTS, &pc, "GP_IOC_GET_PORT_COUNTS")) {
		for (i = 0; i < nr; i++) {
			if (!counts[i])
				continue;
			printf("port %u: %llu\n", first + i,
			       (unsigned long long)counts[i]);
			sum += counts[i];
		}
		printf("sum=%llu\n", sum);
		ret = 0;
	}
	close(fd);
out:
	free(counts);
	return ret;
}

static int cmd_simple(unsigned long req, const char *what)
{
	int fd = dev_open(0), ret;

	if (fd < 0)
		return 1;
	ret = xioctl(fd, req, NULL, what) ? 1 : 0;
	close(fd);
	return ret;
}

static int cmd_drain(void)
{
	int fd = dev_open(O_NONBLOCK), n;

	if (fd < 0)
		return 1;
	n = drain(fd);
	close(fd);
	if (n < 0)
		return 1;
	printf("records=%d\n", n);
	return 0;
}

static int cmd_read(int max, int timeout_ms)
{
	struct gp_event *buf = calloc((size_t)max, REC);
	int fd, n, i;

	if (!buf)
		return 1;
	fd = dev_open(O_NONBLOCK);
	if (fd < 0) {
		free(buf);
		return 1;
	}
	n = read_records(fd, buf, max, timeout_ms);
	close(fd);
	for (i = 0; i < n; i++)
		print_event(&buf[i]);
	free(buf);
	return n < 0;
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

struct churn {
	int fd;
	int nlists;
	__u32 **lists;
	unsigned long long updates;
	int failed;
};

static void *churn_main(void *arg)
{
	struct churn *c = arg;
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	int i = 0;

	while (!got_signal) {
		struct gp_kmod_rules r = {
			.rules = (__u64)(unsigned long)c->lists[i % c->nlists],
			.nr = GP_NR_PORTS,
		};

		if (ioctl(c->fd, GP_IOC_SET_RULES, &r)) {
			c->failed = errno;
			break;
		}
		c->updates++;
		i++;
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/*
 * Blocking reader: the stress test's consumer.  Like the real reader it
 * holds the one open file and changes the list through it.
 */
static int cmd_reader(int nlists, char **lists)
{
	struct churn ch = { .nlists = nlists };
	struct gp_kmod_counters c;
	struct sigaction sa;
	struct gp_event buf[256];
	unsigned long long total = 0;
	pthread_t th;
	int fd, i, ret = 0, have_thread = 0;
	ssize_t r;

	ch.lists = calloc((size_t)(nlists ? nlists : 1), sizeof(*ch.lists));
	if (!ch.lists)
		return 1;
	for (i = 0; i < nlists; i++) {
		ch.lists[i] = calloc(GP_NR_PORTS, sizeof(__u32));
		if (!ch.lists[i] || parse_ports(lists[i], ch.lists[i])) {
			fprintf(stderr, "gp_kmodctl: bad port list \"%s\"\n",
				lists[i]);
			return 2;
		}
	}
	fd = dev_open(0);
	if (fd < 0)
		return 1;
	ch.fd = fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: read() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (nlists && !pthread_create(&th, NULL, churn_main, &ch))
		have_thread = 1;
	printf("reader: open\n");
	while (!got_signal) {
		r = read(fd, buf, sizeof(buf));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "gp_kmodctl: read: %s\n", strerror(errno));
			ret = 1;
			break;
		}
		if (r % REC) {
			fprintf(stderr, "gp_kmodctl: partial record\n");
			ret = 1;
			break;
		}
		total += (unsigned long long)r / REC;
	}
	got_signal = 1;
	if (have_thread)
		pthread_join(th, NULL);
	/* Whatever is still queued belongs to this run too. */
	fcntl(fd, F_SETFL, O_NONBLOCK);
	r = drain(fd);
	if (r > 0)
		total += (unsigned long long)r;
	memset(&c, 0, sizeof(c));
	if (xioctl(fd, GP_IOC_GET_COUNTERS, &c, "GP_IOC_GET_COUNTERS"))
		ret = 1;
	close(fd);
	if (ch.failed) {
		fprintf(stderr, "gp_kmodctl: GP_IOC_SET_RULES: %s\n",
			strerror(ch.failed));
		ret = 1;
	}
	printf("records=%llu events=%llu drops=%llu misses=%llu updates=%llu\n",
	       total, (unsigned long long)c.events,
	       (unsigned long long)c.drops, (unsigned long long)c.misses,
	       ch.updates);
	for (i = 0; i < nlists; i++)
		free(ch.lists[i]);
	free(ch.lists);
	return ret;
}

static int cmd_busy(void)
{
	int a = dev_open(0), b, err;

	if (a < 0)
		return 1;
	b = open(GP_KMOD_DEVICE, O_RDONLY | O_CLOEXEC);
	err = errno;
	if (b >= 0) {
		printf("second open succeeded\n");
		close(b);
		close(a);
		return 1;
	}
	close(a);
	printf("second open: %s\n", strerror(err));
	if (err != EBUSY)
		return 1;
	/* Released: open again works. */
	a = dev_open(0);
	if (a < 0)
		return 1;
	close(a);
	printf("reopen after close: ok\n");
	return 0;
}

static int cmd_readsem(void)
{
	struct gp_event buf[2];
	int fd = dev_open(O_NONBLOCK), bad = 0;
	ssize_t r;

	if (fd < 0)
		return 1;
	drain(fd);
	r = read(fd, buf, REC - 1);
	if (r != -1 || errno != EINVAL) {
		printf("read(%zu) gave %zd (%s), want EINVAL\n", REC - 1, r,
		       r < 0 ? strerror(errno) : "data");
		bad = 1;
	}
	r = read(fd, buf, sizeof(buf));
	if (r != -1 || errno != EAGAIN) {
		printf("read on empty O_NONBLOCK gave %zd (%s), want EAGAIN\n",
		       r, r < 0 ? strerror(errno) : "data");
		bad = 1;
	}
	close(fd);
	if (!bad)
		printf("short read EINVAL, empty nonblocking read EAGAIN\n");
	return bad;
}

/* ---- bind, bindcheck -------------------------------------------------- */

static int make_sockaddr(const char *proto, const char *addr, int port,
			 union gpt_sockaddr *sa, socklen_t *slen)
{
	int v6 = !strcmp(proto, "tcp6") || !strcmp(proto, "udp6");

	return gpt_sockaddr_parse(sa, slen, v6 ? AF_INET6 : AF_INET, addr, port);
}

static int cmd_bind(const char *proto, const char *addr, int port)
{
	int v6 = !strcmp(proto, "tcp6") || !strcmp(proto, "udp6");
	int udp = !strcmp(proto, "udp") || !strcmp(proto, "udp6");
	union gpt_sockaddr sa;
	socklen_t slen;
	int s, r;

	if (make_sockaddr(proto, addr, port, &sa, &slen))
		return 2;
	s = socket(v6 ? AF_INET6 : AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (s < 0) {
		perror("gp_kmodctl: socket");
		return 1;
	}
	r = bind(s, &sa.sa, slen);
	printf("bind %s [%s]:%d: %s\n", proto, addr, port,
	       r ? strerror(errno) : "ok");
	close(s);
	return r ? 1 : 0;
}

static int mismatches;

static void want(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void want(int cond, const char *fmt, ...)
{
	va_list ap;

	if (cond)
		return;
	mismatches++;
	printf("mismatch: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static int cmd_bindcheck(const char *proto, const char *addr, int port,
			 const char *expect_s, const char *cgdir)
{
	int all = !strcmp(expect_s, "all");
	int expect = all ? 1 : atoi(expect_s);
	int v6 = !strcmp(proto, "tcp6") || !strcmp(proto, "udp6");
	int udp = !strcmp(proto, "udp") || !strcmp(proto, "udp6");
	union gpt_sockaddr sa;
	struct gp_event buf[64], *mine = NULL;
	unsigned char want_addr[16] = { 0 };
	char comm[GP_COMM_LEN] = { 0 };
	struct stat st_ns, st_exe, st_cg;
	int fd, s, one = 1, n, i, count = 0, bret, berr;
	socklen_t slen;
	pid_t tid = (pid_t)syscall(SYS_gettid);

	if (make_sockaddr(proto, addr, port, &sa, &slen))
		return 2;
	if (v6)
		memcpy(want_addr, &sa.in6.sin6_addr, 16);
	else
		memcpy(want_addr, &sa.in.sin_addr, 4);

	fd = dev_open(O_NONBLOCK);
	if (fd < 0)
		return 1;
	drain(fd);

	s = socket(v6 ? AF_INET6 : AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (s < 0) {
		perror("gp_kmodctl: socket");
		close(fd);
		return 1;
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	bret = bind(s, &sa.sa, slen);
	berr = errno;
	close(s);
	printf("bind %s [%s]:%d: %s\n", proto, addr, port,
	       bret ? strerror(berr) : "ok");

	/* Wake-ups are batched (<= 50 ms): wait long enough for stragglers. */
	n = read_records(fd, buf, 64, expect ? 1000 : 300);
	if (n > 0 && n < 64 && expect)
		n += read_records(fd, buf + n, 64 - n, 200);
	close(fd);
	if (n < 0)
		return 1;
	for (i = 0; i < n; i++) {
		if (buf[i].tid == (__u32)tid && buf[i].port == port) {
			count++;
			mine = &buf[i];
			print_event(&buf[i]);
		}
	}
	printf("records for this bind: %d (of %d read), expected %d\n", count,
	       n, expect);
	if (count != expect)
		return 1;
	if (!mine)
		return 0;

	prctl(PR_GET_NAME, comm);
	want(mine->magic == GP_ABI_MAGIC, "magic %#x", mine->magic);
	want(mine->version == GP_ABI_VERSION, "version %u", mine->version);
	want(mine->size == REC, "size %u", mine->size);
	want(mine->pid == (__u32)getpid(), "pid %u want %d", mine->pid, getpid());
	want(mine->ppid == (__u32)getppid(), "ppid %u want %d", mine->ppid,
	     getppid());
	want(mine->uid == getuid(), "uid %u", mine->uid);
	want(mine->gid == getgid(), "gid %u", mine->gid);
	if (!stat("/proc/self/ns/net", &st_ns))
		want(mine->netns_ino == st_ns.st_ino, "netns %u want %llu",
		     mine->netns_ino, (unsigned long long)st_ns.st_ino);
	if (cgdir && *cgdir && !stat(cgdir, &st_cg))
		want(mine->cgroup_id == st_cg.st_ino, "cgroup_id %llu want %llu",
		     (unsigned long long)mine->cgroup_id,
		     (unsigned long long)st_cg.st_ino);
	want(mine->ret == (bret ? -berr : 0), "ret %d want %d", mine->ret,
	     bret ? -berr : 0);
	want(mine->ifindex == 0, "ifindex %u", mine->ifindex);
	want(mine->family == (v6 ? AF_INET6 : AF_INET), "family %u",
	     mine->family);
	want(mine->sock_type == (udp ? SOCK_DGRAM : SOCK_STREAM), "type %u",
	     mine->sock_type);
	want(mine->protocol == (udp ? IPPROTO_UDP : IPPROTO_TCP), "protocol %u",
	     mine->protocol);
	want(!memcmp(mine->addr, want_addr, 16), "addr differs");
	want(mine->verdict == (all ? GP_VERDICT_NONE : GP_VERDICT_AUDIT),
	     "verdict %u", mine->verdict);
	want(mine->source == GP_SRC_KMOD, "source %u", mine->source);
	want(mine->flags == ((all ? 0 : GP_EF_LISTED) |
			     (v6 && !memcmp(want_addr,
					    "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) ?
			      GP_EF_V4MAPPED : 0)),
	     "flags %#x", mine->flags);
	want(mine->opts == GP_OPT_REUSEADDR, "opts %#x", mine->opts);
	want(mine->valid == (GP_VF_RET | GP_VF_PPID | GP_VF_NETNS |
			     GP_VF_IFINDEX | GP_VF_OPTS | GP_VF_EXE |
			     GP_VF_CGROUP | GP_VF_TYPE),
	     "valid %#x", mine->valid);
	want(mine->deny_errno == 0, "deny_errno %u", mine->deny_errno);
	if (!stat("/proc/self/exe", &st_exe)) {
		want(mine->exe_ino == st_exe.st_ino, "exe_ino %llu want %llu",
		     (unsigned long long)mine->exe_ino,
		     (unsigned long long)st_exe.st_ino);
		want((mine->exe_dev >> 20) == major(st_exe.st_dev) &&
		     (mine->exe_dev & 0xfffff) == minor(st_exe.st_dev),
		     "exe_dev %#x want %u:%u", mine->exe_dev,
		     major(st_exe.st_dev), minor(st_exe.st_dev));
	}
	want(!memcmp(mine->comm, comm, GP_COMM_LEN), "comm \"%.16s\" want \"%s\"",
	     mine->comm, comm);
	want(mine->__pad0 == 0 && !mine->__reserved[0] && !mine->__reserved[1] &&
	     !mine->ret_why && !memcmp(mine->__pad1, "\0\0\0\0\0\0\0", 7),
	     "padding not zero");
	want(mine->ts_ns > 0, "ts_ns 0");
	printf("fields: %s\n", mismatches ? "MISMATCH" : "all as expected");
	return mismatches ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: gp_kmodctl version | set-ports LIST | get-ports | "
		"conf all|none [WAKEUP] | counters | port-counts [FIRST NR] | "
		"reset | drain | read N TIMEOUT_MS | reader [LIST...] | busy | "
		"readsem | bind PROTO ADDR PORT | "
		"bindcheck tcp|udp|tcp6|udp6 ADDR PORT EXPECT [CGROUP_DIR]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2)
		usage();
	cmd = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "version"))
		return cmd_version();
	if (!strcmp(cmd, "set-ports") && argc == 3)
		return cmd_set_ports(argv[2]);
	if (!strcmp(cmd, "get-ports"))
		return cmd_get_ports();
	if (!strcmp(cmd, "conf") && (argc == 3 || argc == 4))
		return cmd_conf(argv[2], argc == 4 ? argv[3] : NULL);
	if (!strcmp(cmd, "counters"))
		return cmd_counters();
	if (!strcmp(cmd, "port-counts") && argc == 2)
		return cmd_port_counts(0, GP_NR_PORTS);
	if (!strcmp(cmd, "port-counts") && argc == 4)
		return cmd_port_counts((unsigned int)atoi(argv[2]),
				       (unsigned int)atoi(argv[3]));
	if (!strcmp(cmd, "reset"))
		return cmd_simple(GP_IOC_RESET, "GP_IOC_RESET");
	if (!strcmp(cmd, "drain"))
		return cmd_drain();
	if (!strcmp(cmd, "read") && argc == 4)
		return cmd_read(atoi(argv[2]) > 0 ? atoi(argv[2]) : 1,
				atoi(argv[3]));
	if (!strcmp(cmd, "reader"))
		return cmd_reader(argc - 2, argv + 2);
	if (!strcmp(cmd, "busy"))
		return cmd_busy();
	if (!strcmp(cmd, "readsem"))
		return cmd_readsem();
	if (!strcmp(cmd, "bind") && argc == 5)
		return cmd_bind(argv[2], argv[3], atoi(argv[4]));
	if (!strcmp(cmd, "bindcheck") && (argc == 6 || argc == 7))
		return cmd_bindcheck(argv[2], argv[3], atoi(argv[4]), argv[5],
				     argc == 7 ? argv[6] : NULL);
	usage();
	return 2;
}
