// SPDX-License-Identifier: GPL-2.0
/*
 * test_output.c - --output specs, the file sink (append, reopen) and a
 * tcp:// output against a collector that is down and then comes back:
 * everything spooled is delivered in order, what the bound could not keep
 * is counted and reported by a notice in the gap, and a spool left at close
 * is delivered by the next open.  The collector is a plain socket here;
 * tests/host.d/30-siem.sh does the same against rsyslog.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <jansson.h>

#include "output/output.h"
#include "fixture_tmpdir.h"

static void make_record(struct gp_record *r, unsigned seq)
{
	memset(r, 0, sizeof(*r));
	r->ev.pid = 4242;
	r->ev.tid = seq;		/* the sequence number travels here */
	r->ev.family = AF_INET;
	r->ev.port = 686;
	r->ev.protocol = IPPROTO_TCP;
	r->ev.verdict = GP_VERDICT_AUDIT;
	memcpy(r->ev.comm, "nc", 2);
	strcpy(r->addr, "127.0.0.1");
	clock_gettime(CLOCK_REALTIME, &r->wall);
	r->hostname = "h";
}

static void expect_error(const char *spec, const char *needle)
{
	struct gp_output_env env = { .spool_dir = tmpdir };
	char err[512] = "";
	struct gp_output *o = gp_output_open(spec, &env, err, sizeof(err));

	if (o)
		fail_msg("%s: opened, expected an error", spec);
	if (!strstr(err, needle))
		fail_msg("%s: error \"%s\" lacks \"%s\"", spec, err, needle);
	assert_null(strchr(err, '\n'));
}

static void test_spec_errors(void **state)
{
	(void)state;
	expect_error("json", "expected FORMAT@DEST");
	expect_error("xml@-", "unknown format \"xml\"");
	expect_error("@-", "unknown format");
	expect_error("json@ftp://h:1", "unknown destination");
	expect_error("json@", "unknown destination");
	expect_error("json@file:", "missing path");
	expect_error("json@unix:", "missing path");
	expect_error("json@tcp://:514", "host");
	expect_error("json@tcp://h", "HOST:PORT");
	expect_error("json@tcp://h:0", "bad port");
	expect_error("json@tcp://h:65536", "bad port");
	expect_error("json@tcp://h:abc", "bad port");
	expect_error("json@udp://h:", "bad port");
	expect_error("json@tcp://::1:514", "brackets");
	expect_error("json@tls://[::1:514", "[IPV6]:PORT");
	expect_error("json@file:/nonexistent-dir/x", "cannot open");
	expect_error("json@journalx", "unknown destination");
	expect_error("json@relp://h", "HOST:PORT");
}

static void test_spec_ok(void **state)
{
	static const char *const ok[] = {
		"text@-", "json@-", "ecs@file:/dev/null", "cef@udp://127.0.0.1:9",
		"syslog@tcp://[::1]:9", "ocsf@tls://localhost:9",
		"syslog@unix:/nonexistent/log",
		"json@tcp://no-such-host.invalid:514",	/* starts down */
	};
	struct gp_output_env env = { .spool_dir = tmpdir };
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct gp_output *o = gp_output_open(ok[i], &env, err, sizeof(err));

		if (!o)
			fail_msg("%s: %s", ok[i], err);
		assert_string_equal(gp_output_spec(o), ok[i]);
		gp_output_close(o, 0);
	}
}

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void test_file_append_reopen(void **state)
{
	struct gp_output_env env = { .spool_dir = tmpdir };
	struct gp_output_stats st;
	struct gp_output *o;
	struct gp_record r;
	char path[128], rotated[128], spec[160], err[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/events.jsonl", tmpdir);
	snprintf(rotated, sizeof(rotated), "%s/events.jsonl.1", tmpdir);
	snprintf(spec, sizeof(spec), "json@file:%s", path);
	f = fopen(path, "w");
	fputs("{\"earlier\":true}\n", f);
	fclose(f);

	o = gp_output_open(spec, &env, err, sizeof(err));
	assert_non_null(o);
	for (unsigned i = 0; i < 3; i++) {
		make_record(&r, i);
		assert_int_equal(gp_output_emit(o, &r), 0);
	}
	gp_output_tick(o);
	assert_int_equal(count_lines(path), 4);		/* appended */
	assert_int_equal(rename(path, rotated), 0);	/* logrotate */
	make_record(&r, 3);
	gp_output_emit(o, &r);
	gp_output_reopen(o);	/* flushes into the old file first */
	make_record(&r, 4);
	gp_output_emit(o, &r);
	gp_output_get_stats(o, &st);
	assert_int_equal(st.delivered, 4);
	assert_int_equal(st.spooled, 1);
	gp_output_close(o, 0);
	assert_int_equal(count_lines(rotated), 5);
	assert_int_equal(count_lines(path), 1);
}

/* A loopback port nobody listens on (bound, then released). */
static int closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

struct collector {
	int lfd, cfd;
	char *data;
	size_t len, cap;
};

/* Accept and read whatever is there, without blocking. */
static void collect(struct collector *c)
{
	if (c->cfd < 0)
		c->cfd = accept4(c->lfd, NULL, NULL, SOCK_NONBLOCK);
	if (c->cfd < 0)
		return;
	for (;;) {
		ssize_t n;

		if (c->cap - c->len < 65536) {
			c->cap = c->cap * 2 + 65536;
			c->data = realloc(c->data, c->cap);
		}
		n = read(c->cfd, c->data + c->len, c->cap - c->len);
		if (n <= 0)
			return;
		c->len += (size_t)n;
	}
}

/* Split RFC 6587 octet-counted frames; returns the number of frames and
 * calls fn on each message. */
static int frames(const struct collector *c, void (*fn)(const char *, size_t,
							 void *), void *arg)
{
	size_t i = 0;
	int n = 0;

	while (i < c->len) {
		char *end;
		unsigned long len = strtoul(c->data + i, &end, 10);

		assert_true(end > c->data + i && *end == ' ');
		assert_true((size_t)(end + 1 - c->data) + len <= c->len);
		fn(end + 1, len, arg);
		i = (size_t)(end + 1 - c->data) + len;
		n++;
	}
	return n;
}

struct seen {
	long next_tid;		/* in order, starting at 0 */
	long events, notices;
	long notice_count;
	long tid_after_notice;	/* first tid after the notice */
};

static void check_msg(const char *m, size_t len, void *arg)
{
	struct seen *s = arg;
	const char *json = memchr(m, '{', len);
	json_error_t err;
	json_t *j;

	assert_non_null(json);
	assert_true(!strncmp(m, "<", 1));
	j = json_loadb(json, len - (size_t)(json - m), 0, &err);
	if (!j)
		fail_msg("bad JSON in frame: %s", err.text);
	if (json_object_get(j, "dropped")) {
		s->notices++;
		s->notice_count = (long)json_integer_value(json_object_get(j, "dropped"));
		assert_non_null(strstr(m, " DROPPED - "));
		s->tid_after_notice = -1;
	} else {
		long tid = (long)json_integer_value(json_object_get(j, "tid"));

		if (s->notices && s->tid_after_notice < 0)
			s->tid_after_notice = tid;
		/* in order; a gap only where the notice is */
		if (tid != s->next_tid && !(s->notices && tid > s->next_tid &&
					    s->tid_after_notice == tid))
			fail_msg("tid %ld, expected %ld", tid, s->next_tid);
		s->next_tid = tid + 1;
		s->events++;
	}
	json_decref(j);
}

static void test_tcp_spool_order_and_bound(void **state)
{
	struct gp_output_env env = { .spool_dir = tmpdir,
				     .spool_max_bytes = 64 * 1024 };
	struct collector c = { .lfd = -1, .cfd = -1 };
	struct gp_output_stats st;
	struct seen seen = { 0 };
	struct gp_output *o;
	struct gp_record r;
	char spec[64], err[256], spool[256];
	const unsigned N = 5000;	/* ~2.5 MB: past memory + spool */
	unsigned i;
	int port = closed_port();
	struct stat sb;

	(void)state;
	snprintf(spec, sizeof(spec), "json@tcp://127.0.0.1:%d", port);
	o = gp_output_open(spec, &env, err, sizeof(err));
	assert_non_null(o);
	/* Collector down: refused, spooled to disk, then dropped. */
	for (i = 0; i < N; i++) {
		make_record(&r, i);
		gp_output_emit(o, &r);
		if (i % 100 == 0)
			gp_output_tick(o);
	}
	gp_output_tick(o);
	gp_output_get_stats(o, &st);
	assert_int_equal(st.delivered, 0);
	assert_true(st.dropped > 0);
	assert_true(st.errors > 0);
	assert_int_equal(st.spooled + st.dropped, N);
	assert_int_equal(st.handed, N);
	snprintf(spool, sizeof(spool), "%s/json_tcp___127.0.0.1_%d.spool",
		 tmpdir, port);
	assert_int_equal(stat(spool, &sb), 0);
	assert_true(sb.st_size > 0 && sb.st_size <= 64 * 1024);

	/* Collector back: spool, memory, the drop notice, then new events. */
	c.lfd = listen_on(port);
	for (int t = 0; t < 600; t++) {	/* up to 30 s of 50 ms rounds */
		gp_output_tick(o);
		collect(&c);
		gp_output_get_stats(o, &st);
		if (st.delivered == N - st.dropped && !st.spooled && t > 2)
			break;
		poll(NULL, 0, 50);
	}
	make_record(&r, N);
	gp_output_emit(o, &r);
	for (int t = 0; t < 20; t++) {
		gp_output_tick(o);
		collect(&c);
		poll(NULL, 0, 10);
	}
	gp_output_get_stats(o, &st);
	assert_int_equal(st.spooled, 0);
	/* events only: the drop notice is no event */
	assert_int_equal(st.delivered, N - st.dropped + 1);
	assert_int_equal(st.handed, N + 1);
	assert_int_equal(st.delivered + st.spooled + st.dropped, st.handed);
	frames(&c, check_msg, &seen);
	assert_int_equal(seen.notices, 1);
	assert_int_equal(seen.notice_count, (long)st.dropped);
	assert_int_equal(seen.events, (long)(N - st.dropped + 1));
	assert_int_equal(seen.next_tid, N + 1);
	/* The notice sits in the gap: last kept tid + dropped + 1. */
	assert_int_equal(seen.tid_after_notice, N);
	/* Delivered everything: the spool file is gone or empty. */
	assert_true(stat(spool, &sb) != 0 || sb.st_size == 0);
	gp_output_close(o, 1000);
	assert_true(stat(spool, &sb) != 0);
	close(c.cfd);
	close(c.lfd);
	free(c.data);
}

static void test_spool_survives_restart(void **state)
{
	struct gp_output_env env = { .spool_dir = tmpdir };
	struct collector c = { .lfd = -1, .cfd = -1 };
	struct gp_output_stats st;
	struct seen seen = { 0 };
	struct gp_output *o;
	struct gp_record r;
	char spec[64], err[256];
	int port = closed_port();

	(void)state;
	snprintf(spec, sizeof(spec), "json@tcp://127.0.0.1:%d", port);
	o = gp_output_open(spec, &env, err, sizeof(err));
	assert_non_null(o);
	for (unsigned i = 0; i < 10; i++) {
		make_record(&r, i);
		gp_output_emit(o, &r);
		gp_output_tick(o);
	}
	gp_output_close(o, 100);	/* still down: kept in the spool */

	o = gp_output_open(spec, &env, err, sizeof(err));
	assert_non_null(o);
	gp_output_get_stats(o, &st);
	assert_int_equal(st.spooled, 10);
	c.lfd = listen_on(port);
	for (unsigned i = 10; i < 15; i++) {
		make_record(&r, i);
		gp_output_emit(o, &r);
	}
	for (int t = 0; t < 400; t++) {
		gp_output_tick(o);
		collect(&c);
		gp_output_get_stats(o, &st);
		if (st.delivered == 15)
			break;
		poll(NULL, 0, 50);
	}
	gp_output_close(o, 1000);
	collect(&c);
	assert_int_equal(frames(&c, check_msg, &seen), 15);
	assert_int_equal(seen.next_tid, 15);
	assert_int_equal(seen.notices, 0);
	close(c.cfd);
	close(c.lfd);
	free(c.data);
}

/* Fail closed (issue 15): a collector whose name does not resolve is an
 * output that starts down and spools, and says why. */
/* A RELP collector that answers the first `answer` syslog frames only. */
struct relp_srv {
	struct collector c;
	size_t off;
	int answer, answered, syslog_frames;
};

static void relp_pump(struct relp_srv *s)
{
	collect(&s->c);
	while (s->c.cfd >= 0 && s->off < s->c.len) {
		char *p = s->c.data + s->off, *end = s->c.data + s->c.len, *q;
		char reply[256], cmd[16];
		unsigned long txnr, dlen;

		q = memchr(p, '\n', (size_t)(end - p));
		if (!q)
			return;
		if (sscanf(p, "%lu %15s %lu", &txnr, cmd, &dlen) != 3)
			fail_msg("malformed RELP frame");
		/* the data may hold newlines: skip by its length */
		q = strchr(strchr(strchr(p, ' ') + 1, ' ') + 1, dlen ? ' ' : '\n');
		if ((size_t)(end - q) < dlen + 1 + (dlen ? 1 : 0))
			return;
		s->off = (size_t)(q - s->c.data) + (dlen ? 1 + dlen : 0) + 1;
		if (!strcmp(cmd, "open")) {
			const char *offer = "200 OK\nrelp_version=0\n"
					    "relp_software=test\ncommands=syslog";

			snprintf(reply, sizeof(reply), "%lu rsp %zu %s\n", txnr,
				 strlen(offer), offer);
		} else if (!strcmp(cmd, "syslog")) {
			s->syslog_frames++;
			if (s->answered >= s->answer)
				continue;
			s->answered++;
			snprintf(reply, sizeof(reply), "%lu rsp 6 200 OK\n", txnr);
		} else {
			snprintf(reply, sizeof(reply), "%lu rsp 6 200 OK\n", txnr);
		}
		assert_true(write(s->c.cfd, reply, strlen(reply)) > 0);
	}
}

static void relp_close(struct relp_srv *s)
{
	if (s->c.cfd >= 0)
		close(s->c.cfd);
	close(s->c.lfd);
	free(s->c.data);
	memset(s, 0, sizeof(*s));
}

/* A record leaves the queue only on its "rsp 200"; what was not answered
 * when the collector went away is sent again, counted as resent. */
static void test_relp_acknowledged(void **state)
{
	struct gp_output_env env = { .spool_dir = tmpdir };
	struct gp_output_stats st;
	struct relp_srv s = { .c = { .cfd = -1 } };
	struct gp_record r;
	char spec[64], err[512];
	struct gp_output *o;
	int port = closed_port(), t;
	const unsigned N = 20;

	(void)state;
	s.c.lfd = listen_on(port);
	s.answer = 5;
	snprintf(spec, sizeof(spec), "json@relp://127.0.0.1:%d", port);
	o = gp_output_open(spec, &env, err, sizeof(err));
	assert_non_null(o);
	for (unsigned i = 0; i < N; i++) {
		make_record(&r, i);
		gp_output_emit(o, &r);
	}
	for (t = 0; t < 100 && s.syslog_frames < (int)N; t++) {
		gp_output_tick(o);
		relp_pump(&s);
		poll(NULL, 0, 20);
	}
	for (int k = 0; k < 10; k++) {
		gp_output_tick(o);
		relp_pump(&s);
		poll(NULL, 0, 10);
	}
	gp_output_get_stats(o, &st);
	assert_int_equal(s.syslog_frames, N);
	assert_int_equal(st.handed, N);
	assert_int_equal(st.delivered, 5);	/* answered, nothing else */
	assert_int_equal(st.spooled, N - 5);
	assert_int_equal(st.resent, 0);

	/* The collector dies; the next one answers everything. */
	relp_close(&s);
	s.c.cfd = -1;
	s.c.lfd = listen_on(port);
	s.answer = 1000;
	for (t = 0; t < 300; t++) {
		gp_output_tick(o);
		relp_pump(&s);
		gp_output_get_stats(o, &st);
		if (st.delivered == N)
			break;
		poll(NULL, 0, 20);
	}
	assert_int_equal(st.delivered, N);
	assert_int_equal(st.spooled, 0);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.resent, N - 5);
	assert_int_equal(s.syslog_frames, N - 5);
	gp_output_close(o, 500);
	relp_close(&s);
}

static void test_unresolvable_starts_down(void **state)
{
	struct gp_output_env env = { .spool_dir = tmpdir };
	struct gp_output_stats st;
	struct gp_output *o;
	struct gp_record r;
	char err[256];

	(void)state;
	o = gp_output_open("json@tcp://no-such-host.invalid:514", &env, err,
			   sizeof(err));
	assert_non_null(o);
	for (unsigned i = 0; i < 3; i++) {
		make_record(&r, i);
		gp_output_emit(o, &r);
	}
	for (int t = 0; t < 100; t++) {
		gp_output_tick(o);
		gp_output_get_stats(o, &st);
		if (strstr(st.down, "resolve"))
			break;
		poll(NULL, 0, 50);
	}
	assert_int_equal(st.delivered, 0);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.spooled, 3);
	if (!strstr(st.down, "cannot resolve"))
		fail_msg("down reason: \"%s\"", st.down);
	gp_output_close(o, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_errors),
		cmocka_unit_test(test_spec_ok),
		cmocka_unit_test(test_file_append_reopen),
		cmocka_unit_test(test_tcp_spool_order_and_bound),
		cmocka_unit_test(test_spool_survives_restart),
		cmocka_unit_test(test_unresolvable_starts_down),
		cmocka_unit_test(test_relp_acknowledged),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
