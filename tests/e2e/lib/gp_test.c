// SPDX-License-Identifier: GPL-2.0
/*
 * gp_test.c - the library every end-to-end test program links
 * (tests/e2e/lib/gp_test.h says what is in it).  Plain libc, jansson and
 * nothing else, so the programs link statically for the VM guest.
 */
#include "gp_test.h"

int gpt_npass, gpt_nfail, gpt_nskip;

void gpt_result(const char *what, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s/%s", what, gpt_prefix, name);
	if (fmt) {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	fflush(stdout);
	if (!strcmp(what, "PASS"))
		gpt_npass++;
	else if (!strcmp(what, "FAIL"))
		gpt_nfail++;
	else
		gpt_nskip++;
}

void gpt_note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void gpt_cfail(struct gpt_chk *c, const char *fmt, ...)
{
	va_list ap;

	if (c->len >= sizeof(c->why) - 8)
		return;
	if (c->len)
		c->len += (size_t)snprintf(c->why + c->len, sizeof(c->why) - c->len, "; ");
	va_start(ap, fmt);
	c->len += (size_t)vsnprintf(c->why + c->len, sizeof(c->why) - c->len, fmt, ap);
	va_end(ap);
	if (c->len >= sizeof(c->why))
		c->len = sizeof(c->why) - 1;
}

void gpt_cdone(struct gpt_chk *c, const char *name)
{
	if (c->len)
		gpt_result("FAIL", name, "%s", c->why);
	else
		gpt_result("PASS", name, NULL);
	memset(c, 0, sizeof(*c));
}

const char *gpt_errno_name(int e, const char *unknown)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EACCES, "EACCES" },
		{ EFAULT, "EFAULT" }, { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" },
		{ EINVAL, "EINVAL" }, { ENOSYS, "ENOSYS" },
		{ EPROTONOSUPPORT, "EPROTONOSUPPORT" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ EAFNOSUPPORT, "EAFNOSUPPORT" }, { EADDRINUSE, "EADDRINUSE" },
		{ EADDRNOTAVAIL, "EADDRNOTAVAIL" }, { ECONNREFUSED, "ECONNREFUSED" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	return unknown;
}

long long gpt_clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * GPT_NSEC + ts.tv_nsec;
}

long long gpt_now_ns(void)
{
	return gpt_clock_ns(CLOCK_MONOTONIC);
}

long long gpt_now_ms(void)
{
	return gpt_now_ns() / 1000000;
}

void gpt_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void gpt_oom(void)
{
	fprintf(stderr, "%s: out of memory\n", gpt_prog);
	exit(2);
}

void *gpt_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		gpt_oom();
	return p;
}

bool gpt_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

size_t gpt_read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	long long end = gpt_now_ns() + (long long)timeout_ms * 1000000;
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { fd, POLLIN, 0 };
		long long left = (end - gpt_now_ns()) / 1000000;
		ssize_t n;
		int r;

		if (left <= 0)
			break;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

pid_t gpt_fork_piped(int *fd, char *why, size_t wlen)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC)) {
		snprintf(why, wlen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(why, wlen, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[pid == 0 ? 0 : 1]);
	*fd = p[pid == 0 ? 1 : 0];
	return pid;
}

socklen_t gpt_sockaddr(union gpt_sockaddr *u, int family, const void *addr,
				     int port)
{
	memset(u, 0, sizeof(*u));
	if (family == AF_INET6) {
		u->in6.sin6_family = AF_INET6;
		u->in6.sin6_port = htons((uint16_t)port);
		if (addr)
			memcpy(&u->in6.sin6_addr, addr, sizeof(u->in6.sin6_addr));
		return sizeof(u->in6);
	}
	u->in.sin_family = AF_INET;
	u->in.sin_port = htons((uint16_t)port);
	if (addr)
		memcpy(&u->in.sin_addr, addr, sizeof(u->in.sin_addr));
	return sizeof(u->in);
}

int gpt_sockaddr_parse(union gpt_sockaddr *u, socklen_t *len, int family,
				     const char *text, int port)
{
	void *a;

	*len = gpt_sockaddr(u, family, NULL, port);
	a = family == AF_INET6 ? (void *)&u->in6.sin6_addr : (void *)&u->in.sin_addr;
	return inet_pton(family == AF_INET6 ? AF_INET6 : AF_INET, text, a) == 1 ? 0 : -1;
}

json_t *gpt_json_object(const char *line)
{
	json_t *j = json_loads(line, 0, NULL);

	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

long long gpt_jint(const json_t *o, const char *k, long long dflt)
{
	const json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

const char *gpt_jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

void gpt_lines_push(struct gpt_lines *l, const char *s, size_t n)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = gpt_xrealloc(l->v, l->cap * sizeof(*l->v));
		l->j = gpt_xrealloc(l->j, l->cap * sizeof(*l->j));
		l->parsed = gpt_xrealloc(l->parsed, l->cap * sizeof(*l->parsed));
	}
	l->v[l->n] = gpt_xrealloc(NULL, n + 1);
	memcpy(l->v[l->n], s, n);
	l->v[l->n][n] = 0;
	l->j[l->n] = NULL;
	l->parsed[l->n] = false;
	l->n++;
}

void gpt_lines_feed(struct gpt_lines *l, const char *buf, size_t n)
{
	l->part = gpt_xrealloc(l->part, l->plen + n + 1);
	memcpy(l->part + l->plen, buf, n);
	l->plen += n;
	for (;;) {
		char *nl = memchr(l->part, '\n', l->plen);
		size_t len;

		if (!nl)
			break;
		len = (size_t)(nl - l->part);
		gpt_lines_push(l, l->part, len);
		memmove(l->part, nl + 1, l->plen - len - 1);
		l->plen -= len + 1;
	}
}

void gpt_lines_flush(struct gpt_lines *l)
{
	if (l->plen) {
		gpt_lines_push(l, l->part, l->plen);
		l->plen = 0;
	}
}

void gpt_lines_free(struct gpt_lines *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i]);
		if (l->j[i])
			json_decref(l->j[i]);
	}
	free(l->v);
	free(l->j);
	free(l->parsed);
	free(l->part);
	memset(l, 0, sizeof(*l));
}

json_t *gpt_line_json(struct gpt_lines *l, size_t i)
{
	if (!l->parsed[i]) {
		l->j[i] = gpt_json_object(l->v[i]);
		l->parsed[i] = true;
	}
	return l->j[i];
}

void gpt_reader_init(struct gpt_reader *rd)
{
	memset(rd, 0, sizeof(*rd));
	rd->out = rd->err = -1;
	rd->pid = -1;
}

int gpt_spawn(struct gpt_reader *rd, char *const argv[])
{
	int po[2], pe[2], e;

	gpt_reader_init(rd);
	if (pipe2(po, O_CLOEXEC))
		return -1;
	/*
	 * ghostport never blocks on its stdout: lines a slow reader cannot
	 * take are dropped (and counted).  A test reads while it binds, on a
	 * busy or emulated CPU, and an event line with identity is ~1 KB:
	 * give the pipe room for a few thousand of them.
	 */
	if (fcntl(po[0], F_SETPIPE_SZ, 8 << 20) < 0)
		fcntl(po[0], F_SETPIPE_SZ, 1 << 20);
	if (pipe2(pe, O_CLOEXEC)) {
		e = errno;
		close(po[0]);
		close(po[1]);
		errno = e;
		return -1;
	}
	fflush(NULL);
	rd->pid = fork();
	if (rd->pid < 0) {
		e = errno;
		close(po[0]);
		close(po[1]);
		close(pe[0]);
		close(pe[1]);
		errno = e;
		return -1;
	}
	if (rd->pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		dup2(devnull, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		dprintf(2, "%s: exec %s: %s\n", gpt_prog, argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	rd->out = po[0];
	rd->err = pe[0];
	return 0;
}

bool gpt_pump(struct gpt_reader *rd, int ms)
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
				gpt_lines_flush(&rd->o);
			} else {
				rd->err = -1;
				gpt_lines_flush(&rd->e);
			}
		} else {
			gpt_lines_feed(is_out ? &rd->o : &rd->e, buf, (size_t)k);
		}
	}
	return true;
}

void gpt_pump_for(struct gpt_reader *rd, int ms)
{
	long long end = gpt_now_ns() + (long long)ms * 1000000;

	while (gpt_now_ns() < end) {
		long long left = (end - gpt_now_ns()) / 1000000;

		if (!gpt_pump(rd, (int)(left > 0 ? left : 0))) {
			gpt_sleep_ms((int)(left > 0 ? left : 0));
			break;
		}
	}
}

bool gpt_reaped(struct gpt_reader *rd, bool block)
{
	if (!rd->exited && waitpid(rd->pid, &rd->status, block ? 0 : WNOHANG) == rd->pid)
		rd->exited = true;
	return rd->exited;
}

bool gpt_reap(struct gpt_reader *rd, int ms)
{
	long long end = gpt_now_ns() + (long long)ms * 1000000;

	while (!rd->exited) {
		pid_t w = waitpid(rd->pid, &rd->status, WNOHANG);

		if (w == rd->pid) {
			rd->exited = true;
			break;
		}
		if (w < 0 && errno != EINTR)
			break;
		if (gpt_now_ns() >= end)
			break;
		if (!gpt_pump(rd, 50))
			gpt_sleep_ms(50);
	}
	return rd->exited;
}

const char *gpt_err_find(const struct gpt_reader *rd, const char *needle)
{
	for (size_t i = 0; i < rd->e.n; i++)
		if (strstr(rd->e.v[i], needle))
			return rd->e.v[i];
	return NULL;
}

const char *gpt_last_err_line(const struct gpt_reader *rd)
{
	for (size_t i = rd->e.n; i > 0; i--)
		if (rd->e.v[i - 1][0])
			return rd->e.v[i - 1];
	return "(no message)";
}

void gpt_show_stderr(const struct gpt_reader *rd)
{
	for (size_t i = 0; i < rd->e.n; i++)
		gpt_note("  stderr: %s", rd->e.v[i]);
}

void gpt_reader_free(struct gpt_reader *rd)
{
	if (rd->out >= 0)
		close(rd->out);
	if (rd->err >= 0)
		close(rd->err);
	rd->out = rd->err = -1;
	gpt_lines_free(&rd->o);
	gpt_lines_free(&rd->e);
}

bool gpt_wait_ready(struct gpt_reader *rd, int timeout_s, char *why, size_t wlen)
{
	long long end = gpt_now_ns() + (long long)timeout_s * GPT_NSEC;
	const char *r, *p;

	while (!(r = gpt_err_find(rd, "ghostport: ready")) && gpt_now_ns() < end)
		if (!gpt_pump(rd, 100))
			break;
	if (r) {
		rd->ready = true;
		if ((p = strstr(r, "source=")))
			sscanf(p + 7, "%31[a-z0-9]", rd->ready_source);
		if ((p = strstr(r, "enforce=")))
			sscanf(p + 8, "%31[a-z0-9]", rd->ready_enforce);
		return true;
	}
	if (rd->out < 0 && rd->err < 0)		/* it has exited, or is about to */
		gpt_reap(rd, 5000);
	if (!rd->exited) {
		kill(rd->pid, SIGKILL);
		while (gpt_pump(rd, 1000))
			;
		gpt_reap(rd, 5000);
		snprintf(why, wlen, "no \"ghostport: ready\" within %d s; stderr: %s",
			 timeout_s, gpt_last_err_line(rd));
	} else {
		while (gpt_pump(rd, 200))
			;
		snprintf(why, wlen, "exited (%s %d) before ready: %s",
			 WIFEXITED(rd->status) ? "status" : "signal",
			 WIFEXITED(rd->status) ? WEXITSTATUS(rd->status) :
			 WTERMSIG(rd->status), gpt_last_err_line(rd));
	}
	return false;
}

bool gpt_unavailable(const struct gpt_reader *rd, const char *source)
{
	const char *last = gpt_last_err_line(rd);
	char srcpfx[64];

	snprintf(srcpfx, sizeof(srcpfx), "ghostport: source %s", source);
	return rd->exited && WIFEXITED(rd->status) && WEXITSTATUS(rd->status) == 1 &&
	       (!strncmp(last, srcpfx, strlen(srcpfx)) ||
		!strncmp(last, "ghostport: --deny-with", 22) ||
		strstr(last, "unavailable") || strstr(last, "no attach mode works"));
}

bool gpt_wait_lock_free(int s, char *why, size_t wlen)
{
	long long end = gpt_now_ns() + (long long)s * GPT_NSEC;
	pid_t h;
	bool said = false;

	while ((h = gp_run_lock_holder()) != 0) {
		if (!said) {
			gpt_note("another ghostport run (pid %d) holds %s; waiting up to %d s",
				 (int)h, GP_LOCK_FILE, s);
			said = true;
		}
		if (gpt_now_ns() >= end) {
			snprintf(why, wlen, "another ghostport run (pid %d) held %s for %d s",
				 (int)h, GP_LOCK_FILE, s);
			return false;
		}
		gpt_sleep_ms(200);
	}
	return true;
}

bool gpt_cgroup2_root(char *out, size_t len)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	bool ok = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");
		char mp[PATH_MAX];

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1) {
			snprintf(out, len, "%s", mp);
			ok = true;
			break;
		}
	}
	fclose(f);
	return ok;
}

int gpt_uring_bind(int sfd, const struct sockaddr *sa, socklen_t len,
		   char *skip, size_t slen)
{
	struct io_uring_params p;
	int rfd, res = 0;
	void *sq = MAP_FAILED, *cq = MAP_FAILED, *sqes = MAP_FAILED;
	size_t sqsz, cqsz, sqesz;
	struct {
		struct io_uring_probe p;
		struct io_uring_probe_op ops[256];
	} probe;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	unsigned tail, idx;
	long r;

	memset(&p, 0, sizeof(p));
	rfd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (rfd < 0) {
		snprintf(skip, slen, "io_uring_setup: %s (io_uring disabled?)", strerror(errno));
		return INT_MIN;
	}
	memset(&probe, 0, sizeof(probe));
	if (syscall(__NR_io_uring_register, rfd, IORING_REGISTER_PROBE, &probe, 256) < 0) {
		snprintf(skip, slen, "IORING_REGISTER_PROBE: %s", strerror(errno));
		res = INT_MIN;
		goto out;
	}
	if (probe.p.last_op < IORING_OP_BIND ||
	    !(probe.ops[IORING_OP_BIND].flags & IO_URING_OP_SUPPORTED)) {
		struct utsname u;

		uname(&u);
		snprintf(skip, slen,
			 "kernel %s has no IORING_OP_BIND (opcode %d, Linux >= 6.11; last op %u)",
			 u.release, IORING_OP_BIND, probe.p.last_op);
		res = INT_MIN;
		goto out;
	}
	sqsz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cqsz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	sqesz = p.sq_entries * sizeof(struct io_uring_sqe);
	sq = mmap(NULL, sqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  rfd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, cqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  rfd, IORING_OFF_CQ_RING);
	sqes = mmap(NULL, sqesz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		    rfd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) {
		snprintf(skip, slen, "mmap of the io_uring rings: %s", strerror(errno));
		res = INT_MIN;
		goto out;
	}
	sq_tail = (unsigned *)((char *)sq + p.sq_off.tail);
	sq_mask = (unsigned *)((char *)sq + p.sq_off.ring_mask);
	sq_array = (unsigned *)((char *)sq + p.sq_off.array);
	cq_head = (unsigned *)((char *)cq + p.cq_off.head);
	cq_tail = (unsigned *)((char *)cq + p.cq_off.tail);
	cq_mask = (unsigned *)((char *)cq + p.cq_off.ring_mask);

	tail = *sq_tail;
	idx = tail & *sq_mask;
	sqe = &((struct io_uring_sqe *)sqes)[idx];
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_BIND;
	sqe->fd = sfd;
	sqe->addr = (unsigned long)sa;
	sqe->addr2 = len;	/* io_bind_prep: addr_len in addr2 */
	sqe->user_data = 0x6770;
	sq_array[idx] = idx;
	__atomic_store_n(sq_tail, tail + 1, __ATOMIC_RELEASE);
	r = syscall(__NR_io_uring_enter, rfd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0);
	if (r < 0) {
		snprintf(skip, slen, "io_uring_enter: %s", strerror(errno));
		res = INT_MIN;
		goto out;
	}
	if (__atomic_load_n(cq_tail, __ATOMIC_ACQUIRE) == *cq_head) {
		snprintf(skip, slen, "io_uring_enter returned with no completion");
		res = INT_MIN;
		goto out;
	}
	cqe = &((struct io_uring_cqe *)((char *)cq + p.cq_off.cqes))[*cq_head & *cq_mask];
	res = cqe->res;
	__atomic_store_n(cq_head, *cq_head + 1, __ATOMIC_RELEASE);
out:
	if (sq != MAP_FAILED)
		munmap(sq, sqsz);
	if (cq != MAP_FAILED)
		munmap(cq, cqsz);
	if (sqes != MAP_FAILED)
		munmap(sqes, sqesz);
	close(rfd);
	return res;
}
