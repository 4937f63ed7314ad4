// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the status model, its renderings (Prometheus lines parse,
 * label escaping, JSON parses) and the control socket (status and reload
 * round trips, no daemon, textfile written atomically).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "daemon/ctl.h"
#include "daemon/status.h"

static struct gp_status st;

static void fill(struct gp_status *s)
{
	memset(s, 0, sizeof(*s));
	s->pid = 4242;
	s->source = "fentry";
	s->enforce = "lsm";
	s->config_path = "/etc/ghostport/ghostport.conf";
	s->started_ns = 1000000000ULL;
	s->now_ns = 3601000000000ULL + 1000000000ULL;
	strcpy(s->digest, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	s->ports_listed = 134;
	s->ports_denied = 2;
	s->events = 1000;
	s->drops = 3;
	s->misses = 1;
	s->records = 997;
	s->denials = 10;
	s->n_top = 2;
	s->top[0].port = 686;
	s->top[0].proto = "tcp";
	s->top[0].events = 900;
	s->top[1].port = 886;
	s->top[1].proto = "udp";
	s->top[1].events = 97;
	s->n_outputs = 2;
	strcpy(s->outputs[0].spec, "json@file:/var/log/ghostport.json");
	s->outputs[0].st.delivered = 990;
	/* Every character the exposition format must escape. */
	strcpy(s->outputs[1].spec, "text@file:/tmp/a\"b\\c\nd");
	s->outputs[1].st.delivered = 5;
	s->outputs[1].st.spooled = 7;
	s->outputs[1].st.dropped = 1;
}

static char *render(int (*fn)(const struct gp_status *, FILE *),
		    const struct gp_status *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fn(s, f), 0);
	fclose(f);
	return buf;
}

/*
 * One sample line: name{label="value",...} value.  Returns 0 if it is
 * well-formed per the text exposition format.
 */
static int parse_sample(const char *l)
{
	const char *p = l;
	char *end;

	if (!(isalpha((unsigned char)*p) || *p == '_' || *p == ':'))
		return -1;
	while (isalnum((unsigned char)*p) || *p == '_' || *p == ':')
		p++;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			if (!(isalpha((unsigned char)*p) || *p == '_'))
				return -1;
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			if (*p++ != '=' || *p++ != '"')
				return -1;
			while (*p != '"') {
				if (!*p || *p == '\n')
					return -1;
				if (*p == '\\') {
					p++;
					if (*p != '\\' && *p != '"' && *p != 'n')
						return -1;
				}
				p++;
			}
			p++;
			if (*p == ',')
				p++;
			else if (*p != '}')
				return -1;
		}
		p++;
	}
	if (*p++ != ' ')
		return -1;
	strtod(p, &end);
	if (end == p || *end)
		return -1;
	return 0;
}

static void test_prometheus_parses(void **state)
{
	char *out, *line, *save = NULL;
	int samples = 0, types = 0;

	(void)state;
	fill(&st);
	out = render(gp_status_render_prometheus, &st);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "# HELP ", 7))
			continue;
		if (!strncmp(line, "# TYPE ", 7)) {
			assert_true(strstr(line, " counter") || strstr(line, " gauge"));
			types++;
			continue;
		}
		if (parse_sample(line))
			fail_msg("not a sample line: \"%s\"", line);
		samples++;
	}
	assert_true(types >= 15);
	assert_true(samples >= 20);
	free(out);
}

static void test_prometheus_content(void **state)
{
	char *out;

	(void)state;
	fill(&st);
	out = render(gp_status_render_prometheus, &st);
	assert_non_null(strstr(out, "\nghostport_up 1\n"));
	assert_non_null(strstr(out, "\nghostport_events_total 1000\n"));
	assert_non_null(strstr(out, "\nghostport_drops_total 3\n"));
	assert_non_null(strstr(out, "\nghostport_denials_total 10\n"));
	assert_non_null(strstr(out, "\nghostport_uptime_seconds 3601\n"));
	assert_non_null(strstr(out, "\nghostport_port_events_total{port=\"686\",proto=\"tcp\"} 900\n"));
	assert_non_null(strstr(out, "\nghostport_info{version=\"" GP_VERSION "\",source=\"fentry\",enforce=\"lsm\",digest=\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"} 1\n"));
	assert_non_null(strstr(out, "\nghostport_output_delivered_total{output=\"json@file:/var/log/ghostport.json\"} 990\n"));
	/* ", \ and newline escaped. */
	assert_non_null(strstr(out, "\nghostport_output_delivered_total{output=\"text@file:/tmp/a\\\"b\\\\c\\nd\"} 5\n"));
	assert_non_null(strstr(out, "\nghostport_output_spooled{output=\"text@file:/tmp/a\\\"b\\\\c\\nd\"} 7\n"));
	/* One # TYPE per family, before its samples. */
	assert_true(strstr(out, "# TYPE ghostport_events_total counter\nghostport_events_total") != NULL);
	free(out);
}

static void test_escape(void **state)
{
	char out[64];

	(void)state;
	gp_prom_escape("a\"b\\c\nd", out, sizeof(out));
	assert_string_equal(out, "a\\\"b\\\\c\\nd");
	gp_prom_escape("caf\xc3\xa9", out, sizeof(out));
	assert_string_equal(out, "caf\xc3\xa9");	/* valid UTF-8 kept */
	gp_prom_escape("x\xffy", out, sizeof(out));
	assert_string_equal(out, "x?y");
	/* Never cut in the middle of an escape. */
	gp_prom_escape("\\\\\\", out, 4);
	assert_string_equal(out, "\\\\");
}

static void test_json_parses(void **state)
{
	json_error_t je;
	json_t *j;
	char *out;

	(void)state;
	fill(&st);
	st.enforce = NULL;
	out = render(gp_status_render_json, &st);
	j = json_loads(out, 0, &je);
	if (!j)
		fail_msg("bad JSON: %s: %s", je.text, out);
	assert_string_equal(json_string_value(json_object_get(j, "source")), "fentry");
	assert_true(json_is_null(json_object_get(j, "enforce")));
	assert_int_equal(json_integer_value(json_object_get(j, "events")), 1000);
	assert_int_equal(json_integer_value(json_object_get(j, "uptime_seconds")), 3601);
	assert_int_equal(json_array_size(json_object_get(j, "ports")), 2);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(j, "outputs"), 1), "output")),
		"text@file:/tmp/a\"b\\c\nd");
	json_decref(j);
	free(out);
	out = render(gp_status_render_text, &st);
	assert_non_null(strstr(out, "enforcement: off\n"));
	assert_non_null(strstr(out, "up 0d 01:00:01"));
	free(out);
}

static void test_account_and_top(void **state)
{
	struct gp_port_counts *pc = gp_port_counts_new();
	struct gp_status_port top[3];
	struct gp_record r;
	size_t n;
	int i;

	(void)state;
	memset(&st, 0, sizeof(st));
	memset(&r, 0, sizeof(r));
	assert_non_null(pc);
	r.ev.protocol = IPPROTO_TCP;
	r.ev.sock_type = 1;	/* SOCK_STREAM */
	for (i = 0; i < 5; i++) {
		r.ev.port = (__u16)(1000 + i);
		r.ev.verdict = GP_VERDICT_AUDIT;
		r.count = (__u32)(i + 1);
		gp_status_account(&st, pc, &r);
	}
	r.ev.port = 686;
	r.ev.protocol = IPPROTO_UDP;
	r.ev.sock_type = 2;
	r.ev.verdict = GP_VERDICT_DENY;
	r.count = 100;
	gp_status_account(&st, pc, &r);
	r.count = 0;	/* unfolded: counts as one */
	r.ev.verdict = GP_VERDICT_EXEMPT;
	gp_status_account(&st, pc, &r);
	assert_int_equal(st.records, 15 + 100 + 1);
	assert_int_equal(st.denials, 100);
	assert_int_equal(st.exempted, 1);
	r.ev.verdict = GP_VERDICT_BYPASS;
	gp_status_account(&st, pc, &r);
	assert_int_equal(st.bypassed, 1);
	assert_int_equal(st.denials, 100);
	n = gp_port_counts_top(pc, top, 3);
	assert_int_equal(n, 3);
	assert_int_equal(top[0].port, 686);
	assert_string_equal(top[0].proto, "udp");
	assert_int_equal(top[0].events, 102);	/* and the bypass */
	assert_int_equal(top[1].port, 1004);
	assert_int_equal(top[1].events, 5);
	assert_int_equal(top[2].port, 1003);
	assert_string_equal(top[2].proto, "tcp");
	assert_int_equal(gp_port_counts_top(pc, top, 0), 0);
	gp_port_counts_free(pc);
}

/* ---- control socket ---------------------------------------------------- */

struct client_job {
	const char *path;
	const char *request;
	int argc;
	char *argv[8];
	int rc;
	char *answer;
	char err[512];
	volatile int done;
};

static void *client_request(void *arg)
{
	struct client_job *j = arg;

	j->rc = gp_ctl_request(j->path, j->request, 5000, &j->answer, j->err,
			       sizeof(j->err));
	j->done = 1;
	return NULL;
}

static void *client_cmd(void *arg)
{
	struct client_job *j = arg;

	j->rc = gp_cmd_status(j->argc, j->argv);
	j->done = 1;
	return NULL;
}

static int refreshes;

static void refresh(void *ctx, struct gp_status *s)
{
	(void)ctx;
	refreshes++;
	s->events = 5555;
}

/* Serve until the client thread is done; returns how many reloads were
 * asked (each answered with reload_error). */
static int serve(struct gp_ctl *c, struct client_job *j,
		 const char *reload_error)
{
	struct timespec t = { 0, 2 * 1000 * 1000 };
	int reloads = 0, i;

	for (i = 0; i < 2500 && !j->done; i++) {
		/* As the run loop does: handle only when the fd says so,
		 * which proves the fd wakes up for every step. */
		struct pollfd p = { .fd = gp_ctl_fd(c), .events = POLLIN };

		if (poll(&p, 1, 0) <= 0) {
			nanosleep(&t, NULL);
			continue;
		}
		if (gp_ctl_handle(c, &st, refresh, NULL) == GP_CTL_RELOAD) {
			reloads++;
			gp_ctl_reload_done(c, reload_error, "feedface");
		}
		nanosleep(&t, NULL);
	}
	assert_true(j->done);
	return reloads;
}

static char sock_path[64];

static int setup_sock(void **state)
{
	(void)state;
	snprintf(sock_path, sizeof(sock_path), "/tmp/gp-test-ctl-%d.sock",
		 (int)getpid());
	return 0;
}

static void test_ctl_status(void **state)
{
	struct client_job j = { .path = sock_path, .request = "status prometheus" };
	char err[256];
	struct gp_ctl *c;
	struct stat sb;
	pthread_t t;

	(void)state;
	fill(&st);
	c = gp_ctl_open(sock_path, err, sizeof(err));
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(stat(sock_path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	refreshes = 0;
	assert_int_equal(pthread_create(&t, NULL, client_request, &j), 0);
	assert_int_equal(serve(c, &j, NULL), 0);
	pthread_join(t, NULL);
	assert_int_equal(j.rc, 0);
	assert_int_equal(refreshes, 1);
	assert_non_null(strstr(j.answer, "\nghostport_events_total 5555\n"));
	free(j.answer);

	/* An unknown request gets an error line. */
	memset(&j, 0, sizeof(j));
	j.path = sock_path;
	j.request = "format c:";
	assert_int_equal(pthread_create(&t, NULL, client_request, &j), 0);
	serve(c, &j, NULL);
	pthread_join(t, NULL);
	assert_int_equal(j.rc, 0);
	assert_true(!strncmp(j.answer, "error: unknown request", 22));
	free(j.answer);
	gp_ctl_close(c);
	assert_int_not_equal(stat(sock_path, &sb), 0);
}

static void test_ctl_reload(void **state)
{
	struct client_job j = { .path = sock_path, .request = "reload" };
	char err[256];
	struct gp_ctl *c;
	pthread_t t;

	(void)state;
	c = gp_ctl_open(sock_path, err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(pthread_create(&t, NULL, client_request, &j), 0);
	assert_int_equal(serve(c, &j, NULL), 1);
	pthread_join(t, NULL);
	assert_string_equal(j.answer, "reloaded (digest feedface)\n");
	free(j.answer);

	memset(&j, 0, sizeof(j));
	j.path = sock_path;
	j.request = "reload";
	assert_int_equal(pthread_create(&t, NULL, client_request, &j), 0);
	assert_int_equal(serve(c, &j, "a.conf:1:1: bad\na.conf:2:1: worse"), 1);
	pthread_join(t, NULL);
	assert_string_equal(j.answer,
			    "error: a.conf:1:1: bad\n"
			    "error: a.conf:2:1: worse\n"
			    "error: kept the running policy (digest feedface)\n");
	free(j.answer);
	gp_ctl_close(c);
}

static void test_no_daemon(void **state)
{
	char err[256], *ans = NULL;
	char *argv[] = { "status", "--socket", "/nonexistent/gp.sock", NULL };

	(void)state;
	assert_int_equal(gp_ctl_request("/nonexistent/gp.sock", "status", 1000,
					&ans, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "no daemon running (nothing listens on /nonexistent/gp.sock)");
	assert_null(ans);
	assert_int_equal(gp_cmd_status(3, argv), 1);
}

static void test_textfile(void **state)
{
	char dir[] = "/tmp/gp-test-prom-XXXXXX", file[128], err[256];
	struct client_job j = { 0 };
	struct gp_ctl *c;
	struct stat sb;
	pthread_t t;
	FILE *f;
	char line[512];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/ghostport.prom", dir);
	fill(&st);
	c = gp_ctl_open(sock_path, err, sizeof(err));
	assert_non_null(c);
	j.argc = 5;
	j.argv[0] = "status";
	j.argv[1] = "--prometheus";
	j.argv[2] = "--textfile";
	j.argv[3] = file;
	j.argv[4] = "--socket";
	j.argv[5] = sock_path;
	j.argc = 6;
	assert_int_equal(pthread_create(&t, NULL, client_cmd, &j), 0);
	serve(c, &j, NULL);
	pthread_join(t, NULL);
	gp_ctl_close(c);
	assert_int_equal(j.rc, 0);
	assert_int_equal(stat(file, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	f = fopen(file, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "# HELP ghostport_up 1 while the ghostport daemon runs.\n");
	fclose(f);
	unlink(file);
	/* No temporary file left behind. */
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prometheus_parses),
		cmocka_unit_test(test_prometheus_content),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_json_parses),
		cmocka_unit_test(test_account_and_top),
		cmocka_unit_test_setup(test_ctl_status, setup_sock),
		cmocka_unit_test_setup(test_ctl_reload, setup_sock),
		cmocka_unit_test(test_no_daemon),
		cmocka_unit_test_setup(test_textfile, setup_sock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
