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
 *   gp_kmodctl readsem PORT            read() edge cases: O_NONBLOCK on an
 *                                      empty ring (EAGAIN whatever the
 *                                      count), a count too small for the
 *                                      next record (EINVAL, record kept),
 *                                      whole records only; makes 4 udp
 *                                      binds to 127.0.0.1:PORT (listed)
 *   gp_kmodctl bind tcp|udp|tcp6|udp6 ADDR PORT
 *       just bind (the device is not opened), print ok or the error
 *   gp_kmodctl bindcheck tcp|udp|tcp6|udp6 ADDR PORT EXPECT [CGROUP_DIR]
 *       bind ADDR:PORT (SO_REUSEADDR) and check that exactly EXPECT
 *       records (0 or 1; "all": 1 with verdict none, for an unlisted port
 *       under conf all) come back for it, every field compared with what
 *       this process knows about itself, the ABI v2 identity too (creds,
 *       login, parent, and the parts: exe path, parent's exe path, argv,
 *       against /proc).  CGROUP_DIR: the cgroup2 directory this process is
 *       in, to compare cgroup_id with its inode.
 *
 * Records are ABI v2: a 192-byte header and variable parts, gp_event.size
 * bytes in all; every record read is checked (magic, version, size, each
 * part's type, length and padding) and a read() must return whole ones.
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

#define HDR	sizeof(struct gp_event)	/* the fixed header */
#define RBUF	(64 * 1024)		/* bytes per read(), >= GP_RECORD_MAX */

/* One record as read: the header and its parts. */
struct rec {
	union {
		struct gp_event e;
		unsigned char b[GP_RECORD_MAX];
	};
};

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

/*
 * Check one record at p (left bytes from there): its size, or -1 with the
 * reason in why.  The header, then parts of known types, each at most once,
 * within its bound, zero padded, ending exactly at size.
 */
static long rec_check(const unsigned char *p, size_t left, char *why,
		      size_t whylen)
{
	const struct gp_event *e = (const void *)p;
	unsigned int seen = 0;
	size_t off = HDR;

	if (left < HDR) {
		snprintf(why, whylen, "%zu bytes left, less than a header", left);
		return -1;
	}
	if (e->magic != GP_ABI_MAGIC || e->version != GP_ABI_VERSION ||
	    e->hdr_size != HDR) {
		snprintf(why, whylen, "magic %#x version %u hdr_size %u",
			 e->magic, e->version, e->hdr_size);
		return -1;
	}
	if (e->size < HDR || e->size % 8 || e->size > GP_RECORD_MAX ||
	    e->size > left) {
		snprintf(why, whylen, "size %u (%zu bytes left)", e->size, left);
		return -1;
	}
	while (off < e->size) {
		const struct gp_part *pt = (const void *)(p + off);
		size_t max, i;

		if (off + sizeof(*pt) > e->size) {
			snprintf(why, whylen, "part header at %zu past size", off);
			return -1;
		}
		max = pt->type == GP_PART_ARGS ? GP_ARGS_MAX : GP_PATH_MAX;
		if (pt->type < GP_PART_EXE_PATH || pt->type > GP_PART_ARGS ||
		    seen & (1U << pt->type) || pt->len > max || pt->__pad ||
		    off + GP_PART_SIZE(pt->len) > e->size) {
			snprintf(why, whylen, "part at %zu: type %u len %u pad %u",
				 off, pt->type, pt->len, pt->__pad);
			return -1;
		}
		for (i = pt->len; i < GP_PART_ALIGN(pt->len); i++) {
			if (((const unsigned char *)(pt + 1))[i]) {
				snprintf(why, whylen, "part at %zu: padding not zero",
					 off);
				return -1;
			}
		}
		seen |= 1U << pt->type;
		off += GP_PART_SIZE(pt->len);
	}
	return e->size;
}

/*
 * The records in what one read() returned: n bytes, whole records only.
 * Copies up to max into out (out may be NULL); returns how many there were,
 * or -1 (with a message) when the bytes are not whole valid records.
 */
static int rec_split(const unsigned char *buf, size_t n, struct rec *out,
		     int max)
{
	size_t off = 0;
	int count = 0;
	char why[128];
	long sz;

	while (off < n) {
		sz = rec_check(buf + off, n - off, why, sizeof(why));
		if (sz < 0) {
			fprintf(stderr, "gp_kmodctl: read returned %zu bytes, not whole records: record %d at %zu: %s\n",
				n, count, off, why);
			return -1;
		}
		if (out && count < max) {
			memset(&out[count], 0, sizeof(out[count]));
			memcpy(out[count].b, buf + off, (size_t)sz);
		}
		off += (size_t)sz;
		count++;
	}
	return count;
}

/* Part type of record r: its data and length, or NULL. */
static const char *rec_part(const struct rec *r, __u16 type, size_t *len)
{
	size_t off = HDR;

	while (off + sizeof(struct gp_part) <= r->e.size) {
		const struct gp_part *pt = (const void *)(r->b + off);

		if (pt->type == type) {
			*len = pt->len;
			return (const char *)(pt + 1);
		}
		off += GP_PART_SIZE(pt->len);
	}
	*len = 0;
	return NULL;
}

static void print_part(const struct rec *r, __u16 type, const char *name)
{
	size_t len, i;
	const char *d = rec_part(r, type, &len);

	if (!d)
		return;
	printf(" %s=\"", name);
	for (i = 0; i < len; i++)
		putchar(d[i] && isprint((unsigned char)d[i]) ? d[i] : ' ');
	printf("\"");
}

static void print_event(const struct rec *r)
{
	const struct gp_event *e = &r->e;
	char a[INET6_ADDRSTRLEN] = "";
	char comm[GP_COMM_LEN + 1], pcomm[GP_COMM_LEN + 1];

	inet_ntop(e->family == AF_INET ? AF_INET : AF_INET6, e->addr, a,
		  sizeof(a));
	memcpy(comm, e->comm, GP_COMM_LEN);
	comm[GP_COMM_LEN] = 0;
	memcpy(pcomm, e->parent_comm, GP_COMM_LEN);
	pcomm[GP_COMM_LEN] = 0;
	printf("ev magic=%#x version=%u size=%u ts=%llu pid=%u tid=%u ppid=%u "
	       "uid=%u gid=%u netns=%u cgroup=%llu ret=%d ifindex=%u "
	       "family=%u port=%u type=%u proto=%u addr=%s verdict=%u "
	       "source=%u flags=%#x opts=%#x valid=%#x errno=%u exe_ino=%llu "
	       "exe_dev=%#x exe_flags=%#x comm=%s euid=%u egid=%u auid=%u "
	       "sessionid=%u parent_comm=%s parent_exe_ino=%llu "
	       "parent_exe_dev=%#x parent_exe_flags=%#x args_flags=%#x",
	       e->magic, e->version, e->size, (unsigned long long)e->ts_ns,
	       e->pid, e->tid, e->ppid, e->uid, e->gid, e->netns_ino,
	       (unsigned long long)e->cgroup_id, e->ret, e->ifindex, e->family,
	       e->port, e->sock_type, e->protocol, a, e->verdict, e->source,
	       e->flags, e->opts, e->valid, e->deny_errno,
	       (unsigned long long)e->exe_ino, e->exe_dev, e->exe_flags, comm,
	       e->euid, e->egid, e->auid, e->sessionid, pcomm,
	       (unsigned long long)e->parent_exe_ino, e->parent_exe_dev,
	       e->parent_exe_flags, e->args_flags);
	print_part(r, GP_PART_EXE_PATH, "exe");
	print_part(r, GP_PART_PARENT_EXE_PATH, "parent_exe");
	print_part(r, GP_PART_ARGS, "args");
	printf("\n");
}

static unsigned char rbuf[RBUF] __attribute__((aligned(8)));

/*
 * Read up to max records within timeout_ms (poll + read); more that come in
 * the same read() are reported and not kept.
 */
static int read_records(int fd, struct rec *out, int max, int timeout_ms)
{
	long long end = gpt_now_ms() + timeout_ms;
	int n = 0, k;

	while (n < max) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = end - gpt_now_ms();
		ssize_t r;

		if (left < 0)
			break;
		if (poll(&pfd, 1, (int)left) <= 0)
			break;
		r = read(fd, rbuf, sizeof(rbuf));
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			fprintf(stderr, "gp_kmodctl: read: %s\n", strerror(errno));
			return -1;
		}
		k = rec_split(rbuf, (size_t)r, out + n, max - n);
		if (k < 0)
			return -1;
		if (k > max - n) {
			fprintf(stderr, "gp_kmodctl: %d records beyond the %d asked for, not kept\n",
				k - (max - n), max);
			k = max - n;
		}
		n += k;
	}
	return n;
}

/* Read (O_NONBLOCK fd) until EAGAIN: the number of records, or -1. */
static long long drain(int fd)
{
	long long total = 0;
	ssize_t r;
	int k;

	while ((r = read(fd, rbuf, sizeof(rbuf))) > 0) {
		k = rec_split(rbuf, (size_t)r, NULL, 0);
		if (k < 0)
			return -1;
		total += k;
	}
	if (r < 0 && errno != EAGAIN) {
		fprintf(stderr, "gp_kmodctl: read: %s\n", strerror(errno));
		return -1;
	}
	return total;
}

/* One ioctl on a fresh open of the device: 0, or 1 (said why). */
static int dev_ioctl(unsigned long req, void *arg, const char *what)
{
	int fd = dev_open(0), ret;

	if (fd < 0)
		return 1;
	ret = xioctl(fd, req, arg, what) ? 1 : 0;
	close(fd);
	return ret;
}

static int cmd_version(void)
{
	struct gp_kmod_version v;

	memset(&v, 0, sizeof(v));
	if (dev_ioctl(GP_IOC_GET_VERSION, &v, "GP_IOC_GET_VERSION"))
		return 1;
	printf("magic=%#x api=%u abi=%u record_size=%u ring_records=%u nr_ports=%u version=%.*s\n",
	       v.magic, v.api_version, v.abi_version, v.record_size,
	       v.ring_records, v.nr_ports, GP_KMOD_VERSION_LEN, v.version);
	return v.magic == GP_KMOD_MAGIC && v.api_version == GP_KMOD_API_VERSION &&
	       v.abi_version == GP_ABI_VERSION && v.record_size == HDR &&
	       v.nr_ports == GP_NR_PORTS ? 0 : 1;
}

static int cmd_set_ports(const char *list)
{
	struct gp_kmod_rules r;
	__u32 *rules = calloc(GP_NR_PORTS, sizeof(*rules));
	int ret = 1;

	if (!rules)
		return 1;
	if (parse_ports(list, rules)) {
		fprintf(stderr, "gp_kmodctl: bad port list \"%s\"\n", list);
		goto out;
	}
	r.rules = (__u64)(unsigned long)rules;
	r.nr = GP_NR_PORTS;
	r.flags = 0;
	ret = dev_ioctl(GP_IOC_SET_RULES, &r, "GP_IOC_SET_RULES");
out:
	free(rules);
	return ret;
}

static int cmd_get_ports(void)
{
	struct gp_kmod_rules r;
	__u32 *rules = calloc(GP_NR_PORTS, sizeof(*rules));
	int ret = 1, p, first = 1;

	if (!rules)
		return 1;
	r.rules = (__u64)(unsigned long)rules;
	r.nr = GP_NR_PORTS;
	r.flags = 0;
	if (!dev_ioctl(GP_IOC_GET_RULES, &r, "GP_IOC_GET_RULES")) {
		for (p = 0; p < GP_NR_PORTS; p++) {
			if (!rules[p])
				continue;
			printf("%s%d/%#x", first ? "" : ",", p, rules[p]);
			first = 0;
		}
		printf("\n");
		ret = 0;
	}
	free(rules);
	return ret;
}

static int cmd_conf(const char *what, const char *wakeup)
{
	struct gp_conf c = { 0 };

	if (!strcmp(what, "all"))
		c.flags = GP_CONF_ALL;
	else if (strcmp(what, "none"))
		return 2;
	if (wakeup)
		c.wakeup_bytes = (__u32)strtoul(wakeup, NULL, 0);
	else
		c.wakeup_bytes = 64 * GP_KMOD_RING_REC_BYTES;
	return dev_ioctl(GP_IOC_SET_CONF, &c, "GP_IOC_SET_CONF");
}

static int cmd_counters(void)
{
	struct gp_kmod_counters c;

	if (dev_ioctl(GP_IOC_GET_COUNTERS, &c, "GP_IOC_GET_COUNTERS"))
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
	int ret = 1;
	unsigned int i;

	if (!counts)
		return 1;
	pc.counts = (__u64)(unsigned long)counts;
	pc.first = first;
	pc.nr = nr;
	if (!dev_ioctl(GP_IOC_GET_PORT_COUNTS, &pc, "GP_IOC_GET_PORT_COUNTS")) {
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
	free(counts);
	return ret;
}

static int cmd_drain(void)
{
	int fd = dev_open(O_NONBLOCK);
	long long n;

	if (fd < 0)
		return 1;
	n = drain(fd);
	close(fd);
	if (n < 0)
		return 1;
	printf("records=%lld\n", n);
	return 0;
}

static int cmd_read(int max, int timeout_ms)
{
	struct rec *buf = calloc((size_t)max, sizeof(*buf));
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
	unsigned long long total = 0;
	pthread_t th;
	int fd, i, k, ret = 0, have_thread = 0;
	long long left;
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
		r = read(fd, rbuf, sizeof(rbuf));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "gp_kmodctl: read: %s\n", strerror(errno));
			ret = 1;
			break;
		}
		k = rec_split(rbuf, (size_t)r, NULL, 0);
		if (k < 0) {
			ret = 1;
			break;
		}
		total += (unsigned long long)k;
	}
	got_signal = 1;
	if (have_thread)
		pthread_join(th, NULL);
	/* Whatever is still queued belongs to this run too. */
	fcntl(fd, F_SETFL, O_NONBLOCK);
	left = drain(fd);
	if (left < 0)
		ret = 1;
	else
		total += (unsigned long long)left;
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

/* read() of count bytes must fail with errno want; 1 (and why) if not. */
static int want_err(int fd, size_t count, int want, const char *when)
{
	ssize_t r = read(fd, rbuf, count);

	if (r == -1 && errno == want)
		return 0;
	printf("%s: read(%zu) gave %zd (%s), want %s\n", when, count, r,
	       r < 0 ? strerror(errno) : "data", strerror(want));
	if (r > 0)
		printf("  (%d records consumed)\n",
		       rec_split(rbuf, (size_t)r, NULL, 0));
	return 1;
}

/* read() of count bytes must return exactly want_bytes of whole records. */
static int want_bytes(int fd, size_t count, size_t want, int want_recs,
		      const char *when)
{
	ssize_t r = read(fd, rbuf, count);
	int k;

	if (r < 0) {
		printf("%s: read(%zu): %s, want %zu bytes\n", when, count,
		       strerror(errno), want);
		return 1;
	}
	k = rec_split(rbuf, (size_t)r, NULL, 0);
	if ((size_t)r != want || k != want_recs) {
		printf("%s: read(%zu) gave %zd bytes, %d records, want %zu bytes, %d records\n",
		       when, count, r, k, want, want_recs);
		return 1;
	}
	return 0;
}

static int udp_bind_lo(int port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons((unsigned short)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int s = socket(AF_INET, SOCK_DGRAM, 0), one = 1, r;

	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	r = bind(s, (struct sockaddr *)&sin, sizeof(sin));
	close(s);
	return r;
}

/*
 * The read() rules of docs/kmod.md, on a listed udp port: empty ring
 * first (EAGAIN, whatever the count), then with records queued: a count
 * below the next record is EINVAL and keeps it, a count for one and a half
 * records returns exactly one.
 */
static int cmd_readsem(int port)
{
	const struct gp_event *e = (const void *)rbuf;
	int fd = dev_open(O_NONBLOCK), bad = 0, i;
	size_t sz;
	ssize_t r;

	if (fd < 0)
		return 1;
	if (drain(fd) < 0)
		bad = 1;
	bad |= want_err(fd, 1, EAGAIN, "empty");
	bad |= want_err(fd, HDR - 1, EAGAIN, "empty");
	bad |= want_err(fd, GP_RECORD_MAX, EAGAIN, "empty");
	bad |= want_err(fd, RBUF, EAGAIN, "empty");

	/* Two records of the same size (same task, same identity). */
	for (i = 0; i < 2; i++)
		if (udp_bind_lo(port))
			printf("bind udp 127.0.0.1:%d: %s\n", port,
			       strerror(errno));
	bad |= want_err(fd, 1, EINVAL, "2 queued");
	bad |= want_err(fd, HDR - 1, EINVAL, "2 queued");
	r = read(fd, rbuf, RBUF);
	if (r < 0 || rec_split(rbuf, (size_t)r, NULL, 0) != 2 ||
	    (size_t)r != 2 * (size_t)e->size) {
		printf("2 queued: read(%d) gave %zd (%s), want 2 records of one size\n",
		       RBUF, r, r < 0 ? strerror(errno) : "bytes");
		close(fd);
		return 1;
	}
	sz = e->size;
	printf("record size %zu\n", sz);
	bad |= want_err(fd, RBUF, EAGAIN, "drained");

	for (i = 0; i < 2; i++)
		udp_bind_lo(port);
	bad |= want_err(fd, sz - 8, EINVAL, "2 queued, count size-8");
	bad |= want_bytes(fd, 2 * sz - 8, sz, 1, "2 queued, count 2*size-8");
	bad |= want_err(fd, sz - 8, EINVAL, "1 queued, count size-8");
	bad |= want_bytes(fd, sz, sz, 1, "1 queued, count size");
	bad |= want_err(fd, sz, EAGAIN, "drained");
	close(fd);
	if (!bad)
		printf("empty nonblocking read EAGAIN at any count, short read EINVAL keeping the record, whole records only\n");
	return bad;
}

/* /proc file f as bytes (at most cap); its length, -1 if unreadable. */
static ssize_t slurp(const char *f, char *buf, size_t cap)
{
	int fd = open(f, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, cap);
	close(fd);
	return n;
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

/* Part type of r must hold wlen bytes wantd. */
static void want_part(const struct rec *r, __u16 type, const char *name,
		      const char *wantd, size_t wlen)
{
	size_t len;
	const char *d = rec_part(r, type, &len);

	want(d != NULL, "no %s part", name);
	if (d)
		want(len == wlen && !memcmp(d, wantd, wlen),
		     "%s part \"%.*s\" (%zu bytes) want \"%.*s\" (%zu bytes)",
		     name, (int)len, d, len, (int)wlen, wantd, wlen);
}

/* The ABI v2 identity of mine, against /proc; says what it compared. */
static void check_identity(const struct rec *r)
{
	size_t elen = 0, plen = 0, alen = 0;
	const struct gp_event *e = &r->e;
	char path[64], buf[PATH_MAX], cmd[4096];
	__u16 valid = GP_VF_CREDS | GP_VF_PARENT | GP_VF_PARENT_EXE |
		      GP_VF_ARGS;
	struct stat st;
	ssize_t n;

	want(e->euid == geteuid() && e->egid == getegid(),
	     "euid/egid %u/%u want %u/%u", e->euid, e->egid, geteuid(),
	     getegid());
	/* Login ids: when the kernel has audit (then /proc has them). */
	n = slurp("/proc/self/loginuid", buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = 0;
		valid |= GP_VF_LOGIN;
		want(e->auid == (__u32)strtoul(buf, NULL, 10), "auid %u want %s",
		     e->auid, buf);
		n = slurp("/proc/self/sessionid", buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = 0;
			want(e->sessionid == (__u32)strtoul(buf, NULL, 10),
			     "sessionid %u want %s", e->sessionid, buf);
		}
	}
	want((e->valid & ~0xffU) == valid, "v2 valid bits %#x want %#x",
	     e->valid & ~0xffU, valid);

	/* The executable: path sent (exe_gen 0 sends it every time). */
	want(e->exe_flags == 0, "exe_flags %#x", e->exe_flags);
	n = readlink("/proc/self/exe", buf, sizeof(buf));
	if (n > 0)
		want_part(r, GP_PART_EXE_PATH, "exe", buf, (size_t)n);

	/* argv as /proc/self/cmdline, its first GP_ARGS_MAX bytes. */
	n = slurp("/proc/self/cmdline", cmd, sizeof(cmd));
	if (n > 0) {
		want(e->args_flags == (n > GP_ARGS_MAX ? GP_AF_TRUNCATED : 0),
		     "args_flags %#x (cmdline %zd bytes)", e->args_flags, n);
		want_part(r, GP_PART_ARGS, "args", cmd,
			  n > GP_ARGS_MAX ? GP_ARGS_MAX : (size_t)n);
	}

	/* The parent: comm, executable's inode and path. */
	snprintf(path, sizeof(path), "/proc/%d/comm", getppid());
	n = slurp(path, buf, sizeof(buf));
	if (n > 0) {
		if (buf[n - 1] == '\n')
			n--;
		want((size_t)n <= GP_COMM_LEN &&
		     !memcmp(e->parent_comm, buf, (size_t)n) &&
		     (n == GP_COMM_LEN || !e->parent_comm[n]),
		     "parent_comm \"%.16s\" want \"%.*s\"", e->parent_comm,
		     (int)n, buf);
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", getppid());
	if (!stat(path, &st))
		want(e->parent_exe_ino == st.st_ino &&
		     (e->parent_exe_dev >> 20) == major(st.st_dev) &&
		     (e->parent_exe_dev & 0xfffff) == minor(st.st_dev),
		     "parent_exe %llu/%#x want %llu/%u:%u",
		     (unsigned long long)e->parent_exe_ino, e->parent_exe_dev,
		     (unsigned long long)st.st_ino, major(st.st_dev),
		     minor(st.st_dev));
	want(e->parent_exe_flags == 0, "parent_exe_flags %#x",
	     e->parent_exe_flags);
	n = readlink(path, buf, sizeof(buf));
	if (n > 0)
		want_part(r, GP_PART_PARENT_EXE_PATH, "parent_exe", buf,
			  (size_t)n);
	rec_part(r, GP_PART_EXE_PATH, &elen);
	rec_part(r, GP_PART_PARENT_EXE_PATH, &plen);
	rec_part(r, GP_PART_ARGS, &alen);
	printf("identity: size %u, exe path %zu bytes, parent exe path %zu bytes, argv %zu bytes%s\n",
	       e->size, elen, plen, alen,
	       e->valid & GP_VF_LOGIN ? ", login ids" : "");
}

static int cmd_bindcheck(const char *proto, const char *addr, int port,
			 const char *expect_s, const char *cgdir)
{
	int all = !strcmp(expect_s, "all");
	int expect = all ? 1 : atoi(expect_s);
	int v6 = !strcmp(proto, "tcp6") || !strcmp(proto, "udp6");
	int udp = !strcmp(proto, "udp") || !strcmp(proto, "udp6");
	union gpt_sockaddr sa;
	static struct rec buf[64];
	struct rec *minerec = NULL;
	struct gp_event *mine = NULL;
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
		if (buf[i].e.tid == (__u32)tid && buf[i].e.port == port) {
			count++;
			minerec = &buf[i];
			mine = &buf[i].e;
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
	want(mine->size > HDR, "size %u: no parts", mine->size);
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
	want((mine->valid & 0xffU) == (GP_VF_RET | GP_VF_PPID | GP_VF_NETNS |
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
	check_identity(minerec);
	printf("fields: %s\n", mismatches ? "MISMATCH" : "all as expected");
	return mismatches ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: gp_kmodctl version | set-ports LIST | get-ports | "
		"conf all|none [WAKEUP] | counters | port-counts [FIRST NR] | "
		"reset | drain | read N TIMEOUT_MS | reader [LIST...] | busy | "
		"readsem PORT | bind PROTO ADDR PORT | "
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
		return dev_ioctl(GP_IOC_RESET, NULL, "GP_IOC_RESET");
	if (!strcmp(cmd, "drain"))
		return cmd_drain();
	if (!strcmp(cmd, "read") && argc == 4)
		return cmd_read(atoi(argv[2]) > 0 ? atoi(argv[2]) : 1,
				atoi(argv[3]));
	if (!strcmp(cmd, "reader"))
		return cmd_reader(argc - 2, argv + 2);
	if (!strcmp(cmd, "busy"))
		return cmd_busy();
	if (!strcmp(cmd, "readsem") && argc == 3)
		return cmd_readsem(atoi(argv[2]));
	if (!strcmp(cmd, "bind") && argc == 5)
		return cmd_bind(argv[2], argv[3], atoi(argv[4]));
	if (!strcmp(cmd, "bindcheck") && (argc == 6 || argc == 7))
		return cmd_bindcheck(argv[2], argv[3], atoi(argv[4]), argv[5],
				     argc == 7 ? argv[6] : NULL);
	usage();
	return 2;
}
