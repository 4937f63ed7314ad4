// SPDX-License-Identifier: GPL-2.0
/*
 * test_format_siem.c - the SIEM formats (ECS, OCSF, CEF, RFC 5424 syslog)
 * on a normal record and on a hostile comm ('"', '\', ']', '|', '=',
 * newline, CR, 0x01, 0xff, a truncated UTF-8 sequence).  JSON formats are
 * parsed with jansson; CEF and RFC 5424 are parsed back field by field by
 * small parsers below written from the two specifications, not from our
 * formatters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <jansson.h>

#include "fixture_record.h"
#include "format/format.h"
#include "lib/jsonw.h"

#define MID	"0123456789abcdef0123456789abcdef"
#define FFFD	"\xef\xbf\xbd"

static char buf[GP_FORMAT_BUF_SIZE];

static const char hostile[] = "a\"\\]|=\n\r\x01\xff\xc3(";
#define HOSTILE_HEX	"61225c5d7c3d0a0d01ffc328"

/* The fixture from a host with an identity, its comm hostile on demand. */
static void make_record(struct gp_record *r, bool hostile_comm)
{
	fixture_record(r);
	if (hostile_comm)
		memcpy(r->ev.comm, hostile, sizeof(hostile) - 1);
	r->hostname = "host-1.example";
	r->machine_id = MID;
}

/* One line: length n, the only newline the last byte. */
static void assert_one_line(const char *s, int n)
{
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(s));
	assert_int_equal(s[n - 1], '\n');
	assert_ptr_equal(strchr(s, '\n'), s + n - 1);
	assert_null(strchr(s, '\r'));
}

static json_t *parse_json(const char *s, int n)
{
	json_error_t err;
	json_t *j;

	assert_one_line(s, n);
	j = json_loadb(s, (size_t)n, 0, &err);
	if (!j)
		fail_msg("invalid JSON (%s): %s", err.text, s);
	return j;
}

static const char *jstr(json_t *root, const char *path)
{
	json_t *j = root;
	char tmp[128], *save, *tok;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (tok = strtok_r(tmp, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
		j = json_object_get(j, tok);
	if (!json_is_string(j))
		fail_msg("%s is not a string", path);
	return json_string_value(j);
}

static json_int_t jint(json_t *root, const char *path)
{
	json_t *j = root;
	char tmp[128], *save, *tok;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (tok = strtok_r(tmp, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
		j = json_object_get(j, tok);
	if (!json_is_integer(j))
		fail_msg("%s is not an integer", path);
	return json_integer_value(j);
}

static bool jhas(json_t *root, const char *path)
{
	json_t *j = root;
	char tmp[128], *save, *tok;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (tok = strtok_r(tmp, ".", &save); tok && j; tok = strtok_r(NULL, ".", &save))
		j = json_object_get(j, tok);
	return j != NULL;
}

/* ---- ECS ------------------------------------------------------------- */

static void test_ecs(void **state)
{
	struct gp_record r;
	json_t *j;

	(void)state;
	make_record(&r, false);
	j = parse_json(buf, gp_format_ecs(&r, buf, sizeof(buf)));
	assert_string_equal(jstr(j, "@timestamp"), "2026-11-23T15:04:05.123456789Z");
	assert_string_equal(jstr(j, "event.action"), "bind");
	assert_string_equal(jstr(j, "event.kind"), "event");
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(json_object_get(j, "event"), "type"), 0)), "denied");
	assert_string_equal(jstr(j, "event.outcome"), "failure");
	assert_string_equal(jstr(j, "event.module"), "ghostport");
	assert_int_equal(jint(j, "process.pid"), 4242);
	assert_int_equal(jint(j, "process.thread.id"), 4243);
	assert_int_equal(jint(j, "process.parent.pid"), 1);
	assert_string_equal(jstr(j, "process.name"), "nc");
	assert_string_equal(jstr(j, "process.executable"), "/usr/bin/nc.openbsd");
	assert_string_equal(jstr(j, "user.id"), "1000");
	assert_string_equal(jstr(j, "group.id"), "100");
	assert_string_equal(jstr(j, "server.ip"), "192.0.2.7");
	assert_int_equal(jint(j, "server.port"), 686);
	assert_string_equal(jstr(j, "network.transport"), "tcp");
	assert_string_equal(jstr(j, "network.type"), "ipv4");
	assert_string_equal(jstr(j, "host.hostname"), "host-1.example");
	assert_string_equal(jstr(j, "host.id"), MID);
	assert_string_equal(jstr(j, "ghostport.verdict"), "deny");
	assert_string_equal(jstr(j, "ghostport.deny_errno"), "EACCES");
	assert_string_equal(jstr(j, "ghostport.source"), "lsm");
	assert_string_equal(jstr(j, "ghostport.service"), "hp-alarm-mgr");
	assert_int_equal(jint(j, "ghostport.cgroup_id"), 12345);
	assert_int_equal(jint(j, "ghostport.netns"), 4026531840LL);
	assert_false(jhas(j, "ghostport.comm_hex"));
	json_decref(j);
}

static void test_ecs_hostile(void **state)
{
	struct gp_record r;
	json_t *j;

	(void)state;
	make_record(&r, true);
	j = parse_json(buf, gp_format_ecs(&r, buf, sizeof(buf)));
	/* Text fields: control characters become U+FFFD too (docs/siem.md). */
	assert_string_equal(jstr(j, "process.name"),
			    "a\"\\]|=" FFFD FFFD FFFD FFFD FFFD "(");
	assert_string_equal(jstr(j, "ghostport.comm_hex"), HOSTILE_HEX);
	json_decref(j);
}

/* ---- OCSF ------------------------------------------------------------ */

static void test_ocsf(void **state)
{
	struct gp_record r;
	json_t *j;

	(void)state;
	make_record(&r, false);
	j = parse_json(buf, gp_format_ocsf(&r, buf, sizeof(buf)));
	assert_int_equal(jint(j, "class_uid"), 4001);
	assert_int_equal(jint(j, "category_uid"), 4);
	assert_int_equal(jint(j, "activity_id"), 99);
	assert_string_equal(jstr(j, "activity_name"), "Bind");
	assert_int_equal(jint(j, "type_uid"), 400199);
	assert_int_equal(jint(j, "time"), 1795446245123LL);
	assert_int_equal(jint(j, "action_id"), 2);
	assert_int_equal(jint(j, "disposition_id"), 2);
	assert_string_equal(jstr(j, "disposition"), "Blocked");
	assert_int_equal(jint(j, "status_id"), 2);
	assert_int_equal(jint(j, "severity_id"), 3);
	assert_string_equal(jstr(j, "metadata.product.name"), "ghostport");
	assert_string_equal(jstr(j, "metadata.version"), "1.8.0");
	{	/* device/actor and action/disposition are profile attributes */
		json_t *p = json_object_get(json_object_get(j, "metadata"), "profiles");

		assert_int_equal(json_array_size(p), 2);
		assert_string_equal(json_string_value(json_array_get(p, 0)), "host");
		assert_string_equal(json_string_value(json_array_get(p, 1)), "security_control");
	}
	assert_int_equal(jint(j, "actor.process.pid"), 4242);
	assert_string_equal(jstr(j, "actor.process.name"), "nc");
	assert_string_equal(jstr(j, "actor.process.file.path"), "/usr/bin/nc.openbsd");
	assert_string_equal(jstr(j, "actor.process.file.name"), "nc.openbsd");
	assert_int_equal(jint(j, "actor.process.parent_process.pid"), 1);
	assert_string_equal(jstr(j, "actor.process.user.uid"), "1000");
	assert_string_equal(jstr(j, "dst_endpoint.ip"), "192.0.2.7");
	assert_int_equal(jint(j, "dst_endpoint.port"), 686);
	assert_string_equal(jstr(j, "connection_info.protocol_name"), "tcp");
	assert_int_equal(jint(j, "connection_info.protocol_ver_id"), 4);
	assert_string_equal(jstr(j, "device.hostname"), "host-1.example");
	assert_string_equal(jstr(j, "device.uid"), MID);
	assert_string_equal(jstr(j, "unmapped.ghostport.verdict"), "deny");
	json_decref(j);

	/* An allowed, successful bind. */
	r.ev.verdict = GP_VERDICT_AUDIT;
	r.ev.ret = 0;
	j = parse_json(buf, gp_format_ocsf(&r, buf, sizeof(buf)));
	assert_int_equal(jint(j, "action_id"), 1);
	assert_int_equal(jint(j, "disposition_id"), 1);
	assert_int_equal(jint(j, "status_id"), 1);
	assert_int_equal(jint(j, "activity_id"), 99);
	json_decref(j);
}

static void test_ocsf_hostile(void **state)
{
	struct gp_record r;
	json_t *j;

	(void)state;
	make_record(&r, true);
	j = parse_json(buf, gp_format_ocsf(&r, buf, sizeof(buf)));
	assert_string_equal(jstr(j, "actor.process.name"),
			    "a\"\\]|=" FFFD FFFD FFFD FFFD FFFD "(");
	assert_string_equal(jstr(j, "unmapped.ghostport.comm_hex"), HOSTILE_HEX);
	json_decref(j);
}

/* ---- JSON host identity ------------------------------------------------ */

static void test_json_host(void **state)
{
	struct gp_record r;
	json_t *j;

	(void)state;
	make_record(&r, false);
	j = parse_json(buf, gp_format_json(&r, buf, sizeof(buf)));
	assert_string_equal(jstr(j, "host"), "host-1.example");
	assert_string_equal(jstr(j, "machine_id"), MID);
	json_decref(j);
	r.hostname = NULL;
	r.machine_id = NULL;
	j = parse_json(buf, gp_format_json(&r, buf, sizeof(buf)));
	assert_false(jhas(j, "host"));
	assert_false(jhas(j, "machine_id"));
	json_decref(j);
}

/* ---- CEF: a parser after the CEF specification ------------------------- */

struct cef {
	char hdr[8][256];		/* CEF:0, vendor, ..., severity */
	char key[64][64];
	char val[64][512];
	int n;
};

/* Header: split on unescaped '|', unescape "\|" and "\\". */
static const char *cef_parse_header(struct cef *c, const char *s)
{
	for (int f = 0; f < 7; f++) {
		size_t o = 0;

		while (*s && *s != '|') {
			if (*s == '\\' && (s[1] == '|' || s[1] == '\\'))
				s++;
			else if (*s == '\\')
				fail_msg("bad header escape");
			c->hdr[f][o++] = *s++;
		}
		c->hdr[f][o] = '\0';
		if (*s != '|')
			fail_msg("header field %d not terminated", f);
		s++;
	}
	return s;
}

/* Extension: key=value pairs; a key is [A-Za-z0-9_] after a blank (or at
 * the start); a value runs to the blank before the next unescaped '='s
 * key.  Values unescape \\, \=, \n, \r; a raw '=' is an error. */
static void cef_parse_ext(struct cef *c, const char *s)
{
	size_t len = strlen(s);

	if (len && s[len - 1] == '\n')
		len--;
	c->n = 0;
	for (size_t i = 0; i < len;) {
		size_t k = i, v, end, o = 0;

		while (i < len && s[i] != '=') {
			if (!(s[i] == '_' || (s[i] >= '0' && s[i] <= '9') ||
			      (s[i] >= 'a' && s[i] <= 'z') ||
			      (s[i] >= 'A' && s[i] <= 'Z')))
				fail_msg("bad key char 0x%02x at %zu", s[i], i);
			i++;
		}
		assert_true(i < len && i > k);
		memcpy(c->key[c->n], s + k, i - k);
		c->key[c->n][i - k] = '\0';
		v = ++i;
		/* find the next unescaped '=' and back up to its key */
		end = len;
		for (size_t j = v; j < len; j++) {
			if (s[j] == '\\') {
				j++;
				continue;
			}
			if (s[j] == '=') {
				size_t b = j;

				while (b > v && s[b - 1] != ' ')
					b--;
				assert_true(b > v);	/* key after a blank */
				end = b - 1;
				break;
			}
		}
		for (size_t j = v; j < end; j++) {
			char ch = s[j];

			if (ch == '\\') {
				j++;
				assert_true(j < end);
				ch = s[j] == 'n' ? '\n' : s[j] == 'r' ? '\r' : s[j];
				if (!strchr("\\=nr", s[j]))
					fail_msg("bad ext escape \\%c", s[j]);
			}
			c->val[c->n][o++] = ch;
		}
		c->val[c->n][o] = '\0';
		c->n++;
		i = end == len ? len : end + 1;
	}
}

static const char *cef_get(struct cef *c, const char *k)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->key[i], k))
			return c->val[i];
	fail_msg("CEF key %s missing", k);
	return NULL;
}

static bool cef_has(struct cef *c, const char *k)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->key[i], k))
			return true;
	return false;
}

static void parse_cef(struct cef *c, const char *s, int n)
{
	assert_true(n > 0);
	assert_int_equal(s[n - 1], '\n');
	assert_ptr_equal(strchr(s, '\n'), s + n - 1);
	assert_true(gp_bytes_valid_utf8(s, (size_t)n));
	cef_parse_ext(c, cef_parse_header(c, s));
}

static void test_cef(void **state)
{
	static struct cef c;
	struct gp_record r;

	(void)state;
	make_record(&r, false);
	parse_cef(&c, buf, gp_format_cef(&r, buf, sizeof(buf)));
	assert_string_equal(c.hdr[0], "CEF:0");
	assert_string_equal(c.hdr[1], "ghostport");
	assert_string_equal(c.hdr[2], "ghostport");
	assert_string_equal(c.hdr[3], GP_VERSION);
	assert_string_equal(c.hdr[4], "bind-deny");
	assert_string_equal(c.hdr[6], "7");
	assert_string_equal(cef_get(&c, "rt"), "1795446245123");
	assert_string_equal(cef_get(&c, "dvchost"), "host-1.example");
	assert_string_equal(cef_get(&c, "deviceExternalId"), MID);
	assert_string_equal(cef_get(&c, "proto"), "TCP");
	assert_string_equal(cef_get(&c, "dst"), "192.0.2.7");
	assert_string_equal(cef_get(&c, "dpt"), "686");
	assert_string_equal(cef_get(&c, "dpid"), "4242");
	assert_string_equal(cef_get(&c, "dproc"), "nc");
	assert_string_equal(cef_get(&c, "duid"), "1000");
	assert_string_equal(cef_get(&c, "act"), "deny");
	assert_string_equal(cef_get(&c, "outcome"), "failure");
	assert_string_equal(cef_get(&c, "reason"), "EACCES");
	assert_string_equal(cef_get(&c, "cs1"), "hp-alarm-mgr");
	assert_string_equal(cef_get(&c, "cs1Label"), "service");
	assert_string_equal(cef_get(&c, "filePath"), "/usr/bin/nc.openbsd");
	assert_string_equal(cef_get(&c, "cn1"), "12345");
	assert_false(cef_has(&c, "ghostportCommHex"));
	assert_non_null(strstr(cef_get(&c, "msg"), "denied bind tcp 192.0.2.7:686"));
}

static void test_cef_hostile(void **state)
{
	static struct cef c;
	struct gp_record r;

	(void)state;
	make_record(&r, true);
	/* Nothing from the task goes into the CEF header; the extension is
	 * where the hostile bytes land. */
	parse_cef(&c, buf, gp_format_cef(&r, buf, sizeof(buf)));
	assert_string_equal(cef_get(&c, "dproc"),
			    "a\"\\]|=\n\r" FFFD FFFD FFFD "(");
	assert_string_equal(cef_get(&c, "ghostportCommHex"), HOSTILE_HEX);
	assert_string_equal(cef_get(&c, "dpt"), "686");
	assert_string_equal(cef_get(&c, "act"), "deny");
	/* the summary escapes comm to ASCII */
	assert_non_null(strstr(cef_get(&c, "msg"),
			       "a\"\\\\]|=\\x0a\\x0d\\x01\\xff\\xc3([4242]"));
}

/* ---- RFC 5424: a parser after the RFC's ABNF --------------------------- */

struct sl {
	int pri, version;
	char ts[64], host[300], app[64], procid[160], msgid[64];
	char sdid[4][64];
	int nsd;
	char pname[64][40], pval[64][512];
	int np;
	char msg[4096];
};

static bool sd_name_char(unsigned char ch)
{
	return ch >= 33 && ch <= 126 && ch != '=' && ch != ']' && ch != '"';
}

static const char *sl_field(const char *s, char *out, size_t max)
{
	size_t o = 0;

	while (*s && *s != ' ') {
		assert_true((unsigned char)*s >= 33 && (unsigned char)*s <= 126);
		out[o++] = *s++;
		assert_true(o < max);
	}
	out[o] = '\0';
	assert_int_equal(*s, ' ');
	return s + 1;
}

static void parse_syslog(struct sl *m, const char *s, int n)
{
	char tmp[16];
	size_t o;

	assert_one_line(s, n);
	assert_true(gp_bytes_valid_utf8(s, (size_t)n));
	memset(m, 0, sizeof(*m));
	assert_int_equal(*s++, '<');
	m->pri = (int)strtol(s, (char **)&s, 10);
	assert_int_equal(*s++, '>');
	s = sl_field(s, tmp, sizeof(tmp));
	m->version = atoi(tmp);
	s = sl_field(s, m->ts, sizeof(m->ts));
	s = sl_field(s, m->host, 256);
	s = sl_field(s, m->app, 49);
	s = sl_field(s, m->procid, 129);
	s = sl_field(s, m->msgid, 33);
	if (*s == '-') {
		s++;
	} else {
		while (*s == '[') {
			s++;
			o = 0;
			while (sd_name_char((unsigned char)*s))
				m->sdid[m->nsd][o++] = *s++;
			assert_true(o > 0 && o <= 32);
			m->nsd++;
			while (*s == ' ') {
				s++;
				o = 0;
				while (sd_name_char((unsigned char)*s))
					m->pname[m->np][o++] = *s++;
				assert_true(o > 0 && o <= 32);
				assert_int_equal(*s++, '=');
				assert_int_equal(*s++, '"');
				o = 0;
				while (*s != '"') {
					assert_true(*s && *s != '\n');
					/* ']' must arrive escaped */
					assert_true(*s != ']');
					if (*s == '\\' && strchr("\"\\]", s[1]))
						s++;
					m->pval[m->np][o++] = *s++;
				}
				s++;
				m->np++;
			}
			assert_int_equal(*s++, ']');
		}
	}
	if (*s == ' ') {
		s++;
		o = 0;
		while (*s != '\n')
			m->msg[o++] = *s++;
	}
	assert_int_equal(*s, '\n');
}

static const char *sl_param(struct sl *m, const char *name)
{
	for (int i = 0; i < m->np; i++)
		if (!strcmp(m->pname[i], name))
			return m->pval[i];
	fail_msg("SD param %s missing", name);
	return NULL;
}

static bool sl_has(struct sl *m, const char *name)
{
	for (int i = 0; i < m->np; i++)
		if (!strcmp(m->pname[i], name))
			return true;
	return false;
}

static void test_syslog(void **state)
{
	static struct sl m;
	struct gp_record r;
	char pid[16];

	(void)state;
	make_record(&r, false);
	parse_syslog(&m, buf, gp_format_syslog(&r, buf, sizeof(buf)));
	assert_int_equal(m.pri, 4 * 8 + 4);	/* auth.warning */
	assert_int_equal(m.version, 1);
	assert_string_equal(m.ts, "2026-11-23T15:04:05.123456Z");
	assert_string_equal(m.host, "host-1.example");
	assert_string_equal(m.app, "ghostport");
	snprintf(pid, sizeof(pid), "%d", getpid());
	assert_string_equal(m.procid, pid);
	assert_string_equal(m.msgid, "BIND_DENY");
	assert_int_equal(m.nsd, 1);
	assert_string_equal(m.sdid[0], "bind@32473");
	assert_string_equal(sl_param(&m, "pid"), "4242");
	assert_string_equal(sl_param(&m, "comm"), "nc");
	assert_string_equal(sl_param(&m, "exe"), "/usr/bin/nc.openbsd");
	assert_string_equal(sl_param(&m, "addr"), "192.0.2.7");
	assert_string_equal(sl_param(&m, "port"), "686");
	assert_string_equal(sl_param(&m, "proto"), "tcp");
	assert_string_equal(sl_param(&m, "verdict"), "deny");
	assert_string_equal(sl_param(&m, "deny_errno"), "EACCES");
	assert_string_equal(sl_param(&m, "ret"), "-13");
	assert_string_equal(sl_param(&m, "service"), "hp-alarm-mgr");
	assert_string_equal(sl_param(&m, "opts"), "reuseaddr");
	assert_string_equal(sl_param(&m, "machine_id"), MID);
	assert_false(sl_has(&m, "comm_hex"));
	assert_false(sl_has(&m, "ifindex"));	/* unknown: left out */
	assert_string_equal(m.msg, "denied bind tcp 192.0.2.7:686 (hp-alarm-mgr) "
			    "by nc[4242] uid 1000: EACCES");
}

static void test_syslog_hostile(void **state)
{
	static struct sl m;
	struct gp_record r;

	(void)state;
	make_record(&r, true);
	r.hostname = "bad host";	/* a space: NILVALUE */
	parse_syslog(&m, buf, gp_format_syslog(&r, buf, sizeof(buf)));
	assert_string_equal(m.host, "-");
	assert_string_equal(sl_param(&m, "comm"),
			    "a\"\\]|=" FFFD FFFD FFFD FFFD FFFD "(");
	assert_string_equal(sl_param(&m, "comm_hex"), HOSTILE_HEX);
	assert_string_equal(sl_param(&m, "port"), "686");
	for (const char *p = m.msg; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	assert_non_null(strstr(m.msg, "by a\"\\\\]|=\\x0a\\x0d\\x01\\xff\\xc3([4242]"));
}

static void test_syslog_ipv6_and_count(void **state)
{
	static struct sl m;
	struct gp_record r;

	(void)state;
	make_record(&r, false);
	r.ev.family = AF_INET6;
	strcpy(r.addr, "2001:db8::1");
	r.count = 5;
	r.ev.verdict = GP_VERDICT_AUDIT;
	parse_syslog(&m, buf, gp_format_syslog(&r, buf, sizeof(buf)));
	assert_int_equal(m.pri, 4 * 8 + 5);
	assert_string_equal(m.msgid, "BIND_AUDIT");
	assert_string_equal(sl_param(&m, "family"), "ipv6");
	assert_string_equal(sl_param(&m, "count"), "5");
	assert_non_null(strstr(m.msg, "[2001:db8::1]:686"));
	assert_non_null(strstr(m.msg, "(x5)"));
}

/* ---- drop notices, wrap prefix, overflow -------------------------------- */

static void test_dropped(void **state)
{
	struct timespec now = { 1795446245, 0 };
	static struct sl m;
	static struct cef c;
	json_t *j;
	int n;

	(void)state;
	n = gp_format_dropped(GP_FMT_JSON, 7, &now, "h", MID, buf, sizeof(buf));
	j = parse_json(buf, n);
	assert_int_equal(jint(j, "dropped"), 7);
	json_decref(j);
	j = parse_json(buf, gp_format_dropped(GP_FMT_ECS, 7, &now, "h", MID,
					      buf, sizeof(buf)));
	assert_int_equal(jint(j, "ghostport.dropped"), 7);
	json_decref(j);
	j = parse_json(buf, gp_format_dropped(GP_FMT_OCSF, 7, &now, "h", MID,
					      buf, sizeof(buf)));
	assert_int_equal(jint(j, "unmapped.ghostport.dropped"), 7);
	json_decref(j);
	parse_cef(&c, buf, gp_format_dropped(GP_FMT_CEF, 7, &now, "h", MID, buf,
					     sizeof(buf)));
	assert_string_equal(cef_get(&c, "cnt"), "7");
	parse_syslog(&m, buf, gp_format_dropped(GP_FMT_SYSLOG, 7, &now, "h",
						MID, buf, sizeof(buf)));
	assert_string_equal(m.msgid, "DROPPED");
	assert_string_equal(m.sdid[0], "dropped@32473");
	assert_string_equal(sl_param(&m, "count"), "7");
	n = gp_format_dropped(GP_FMT_TEXT, 7, &now, NULL, NULL, buf, sizeof(buf));
	assert_one_line(buf, n);
	assert_non_null(strstr(buf, "7 events dropped while collector was unreachable"));
}

static void test_wrap_prefix(void **state)
{
	static struct sl m;
	struct gp_record r;
	int pre, n;

	(void)state;
	make_record(&r, true);
	pre = gp_syslog_wrap_prefix(&r, buf, sizeof(buf));
	assert_true(pre > 0);
	n = gp_format_json(&r, buf + pre, sizeof(buf) - (size_t)pre);
	parse_syslog(&m, buf, pre + n);
	assert_int_equal(m.nsd, 0);
	assert_int_equal(m.msg[0], '{');
}

static void test_overflow(void **state)
{
	struct gp_record r;
	char small[64];

	(void)state;
	make_record(&r, true);
	for (int f = 0; f < GP_FMT_MAX; f++) {
		assert_int_equal(gp_format_record(f, &r, small, sizeof(small)), -1);
		assert_int_equal(gp_format_record(f, &r, small, 0), -1);
	}
}

/* Every format, every byte value as comm: never a second line, always
 * parseable. */
static void test_all_bytes(void **state)
{
	static struct sl m;
	static struct cef c;
	struct gp_record r;

	(void)state;
	make_record(&r, false);
	for (int b = 1; b < 256; b++) {
		memset(r.ev.comm, 0, sizeof(r.ev.comm));
		r.ev.comm[0] = 'x';
		r.ev.comm[1] = (char)b;
		r.ev.comm[2] = 'y';
		json_decref(parse_json(buf, gp_format_ecs(&r, buf, sizeof(buf))));
		json_decref(parse_json(buf, gp_format_ocsf(&r, buf, sizeof(buf))));
		parse_cef(&c, buf, gp_format_cef(&r, buf, sizeof(buf)));
		assert_int_equal(cef_get(&c, "dproc")[0], 'x');
		parse_syslog(&m, buf, gp_format_syslog(&r, buf, sizeof(buf)));
		assert_int_equal(sl_param(&m, "comm")[0], 'x');
	}
}

/* ---- bypass: a deny rule matched, the bind was not refused ---------- */

static void test_bypass_every_format(void **state)
{
	struct gp_record r;
	json_t *j, *type;
	int n;

	(void)state;
	make_record(&r, false);
	r.ev.verdict = GP_VERDICT_BYPASS;
	r.ev.deny_errno = 0;
	r.ev.ret = 0;
	r.ev.source = GP_SRC_FENTRY;

	j = parse_json(buf, gp_format_json(&r, buf, sizeof(buf)));
	assert_string_equal(jstr(j, "verdict"), "bypass");
	assert_null(json_object_get(j, "deny_errno"));
	json_decref(j);

	j = parse_json(buf, gp_format_ecs(&r, buf, sizeof(buf)));
	assert_string_equal(jstr(j, "ghostport.verdict"), "bypass");
	type = json_object_get(json_object_get(j, "event"), "type");
	assert_string_equal(json_string_value(json_array_get(type, 1)), "allowed");
	json_decref(j);

	j = parse_json(buf, gp_format_ocsf(&r, buf, sizeof(buf)));
	assert_int_equal(jint(j, "severity_id"), 4);
	assert_string_equal(jstr(j, "severity"), "High");
	assert_int_equal(jint(j, "action_id"), 1);
	assert_string_equal(jstr(j, "unmapped.ghostport.verdict"), "bypass");
	json_decref(j);

	n = gp_format_cef(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "|bind-bypass|"));
	assert_non_null(strstr(buf, "act=bypass"));

	n = gp_format_syslog(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_true(!strncmp(buf, "<36>1 ", 6));	/* auth.warning */
	assert_non_null(strstr(buf, " BIND_BYPASS "));
	assert_non_null(strstr(buf, "verdict=\"bypass\""));

	n = gp_format_text(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "bypass"));
}

/* ---- who bound: identity in every format, hostile argv ---------------- */

/* argv: a newline, quotes, a backslash, invalid UTF-8, ']', '=', '|', an
 * empty argument and a C1 control (U+0085). */
static const char hargs[] = "/tmp/x\0a\nb\0it's \"q\"\0\xff\xfe]=|\\\0\0\xc2\x85\0";
#define HARGS_LEN	(sizeof(hargs) - 1)

static void make_identity(struct gp_record *r, bool hostile_args)
{
	make_record(r, false);
	if (hostile_args)
		fixture_identity(r, hargs, HARGS_LEN);
	else
		fixture_identity(r, FIXTURE_ARGS, sizeof(FIXTURE_ARGS) - 1);
	r->ev.euid = 0;				/* setuid root */
	strcpy(r->id.euser, "root");
}

static void assert_clean_utf8_line(const char *s, int n)
{
	assert_one_line(s, n);
	assert_true(gp_bytes_valid_utf8(s, (size_t)n));
	for (int i = 0; i < n - 1; i++)
		assert_true((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

static void test_identity_json(void **state)
{
	struct gp_record r;
	json_t *j, *a;

	(void)state;
	make_identity(&r, true);
	j = parse_json(buf, gp_format_json(&r, buf, sizeof(buf)));
	a = json_object_get(j, "args");
	assert_int_equal(json_array_size(a), 6);
	assert_string_equal(json_string_value(json_array_get(a, 1)), "a\nb");
	assert_string_equal(json_string_value(json_array_get(a, 2)), "it's \"q\"");
	assert_string_equal(json_string_value(json_array_get(a, 4)), "");
	assert_string_equal(jstr(j, "parent_exe"), "/usr/bin/bash");
	assert_string_equal(jstr(j, "unit"), "rpc-statd.service");
	assert_int_equal(jint(j, "euid"), 0);
	json_decref(j);
}

static void test_identity_ecs(void **state)
{
	struct gp_record r;
	json_t *j, *a;

	(void)state;
	make_identity(&r, false);
	j = parse_json(buf, gp_format_ecs(&r, buf, sizeof(buf)));
	assert_string_equal(jstr(j, "process.executable"), "/usr/bin/nc.openbsd");
	assert_string_equal(jstr(j, "process.command_line"), "/usr/bin/nc -l -p 686");
	assert_int_equal(jint(j, "process.args_count"), 4);
	assert_int_equal(jint(j, "process.parent.pid"), 1);
	assert_string_equal(jstr(j, "process.parent.name"), "bash");
	assert_string_equal(jstr(j, "process.parent.executable"), "/usr/bin/bash");
	assert_string_equal(jstr(j, "process.user.id"), "0");
	assert_string_equal(jstr(j, "process.real_user.name"), "alice");
	assert_string_equal(jstr(j, "user.id"), "1000");
	assert_string_equal(jstr(j, "user.name"), "alice");
	assert_string_equal(jstr(j, "user.effective.id"), "0");
	assert_string_equal(jstr(j, "user.effective.name"), "root");
	assert_string_equal(jstr(j, "group.name"), "users");
	assert_string_equal(jstr(j, "service.name"), "rpc-statd.service");
	assert_string_equal(jstr(j, "ghostport.exe_dev"), "8:1");
	assert_int_equal(jint(j, "ghostport.auid"), 1000);
	assert_false(jhas(j, "ghostport.args_hex"));
	json_decref(j);

	make_identity(&r, true);
	strcpy(r.id.container_id, "0123456789abcdef0123456789abcdef"
				  "0123456789abcdef0123456789abcdef");
	j = parse_json(buf, gp_format_ecs(&r, buf, sizeof(buf)));
	assert_clean_utf8_line(buf, (int)strlen(buf));
	a = json_object_get(json_object_get(j, "process"), "args");
	assert_int_equal(json_array_size(a), 6);
	assert_string_equal(json_string_value(json_array_get(a, 1)), "a" FFFD "b");
	assert_string_equal(json_string_value(json_array_get(a, 3)),
			    FFFD FFFD "]=|\\");
	assert_string_equal(jstr(j, "process.command_line"),
			    "/tmp/x 'a" FFFD "b' 'it'\\''s \"q\"' '" FFFD FFFD
			    "]=|\\' '' " FFFD);
	assert_true(jhas(j, "ghostport.args_hex"));
	assert_string_equal(jstr(j, "container.id"), r.id.container_id);
	json_decref(j);
}

static void test_identity_ocsf(void **state)
{
	struct gp_record r;
	json_t *j;

	(void)state;
	make_identity(&r, true);
	strcpy(r.id.container_id, "0123456789abcdef0123456789abcdef"
				  "0123456789abcdef0123456789abcdef");
	r.id.container_runtime = "docker";
	j = parse_json(buf, gp_format_ocsf(&r, buf, sizeof(buf)));
	assert_clean_utf8_line(buf, (int)strlen(buf));
	assert_string_equal(jstr(j, "actor.process.file.path"), "/usr/bin/nc.openbsd");
	assert_non_null(strstr(jstr(j, "actor.process.cmd_line"), "'it'\\''s \"q\"'"));
	assert_string_equal(jstr(j, "actor.process.parent_process.name"), "bash");
	assert_string_equal(jstr(j, "actor.process.parent_process.file.path"),
			    "/usr/bin/bash");
	assert_string_equal(jstr(j, "actor.process.user.uid"), "0");
	assert_string_equal(jstr(j, "actor.user.uid"), "1000");
	assert_string_equal(jstr(j, "actor.user.name"), "alice");
	assert_string_equal(jstr(j, "actor.process.container.runtime"), "docker");
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(jstr(j, "metadata.version") ?
				json_object_get(j, "metadata") : NULL, "profiles"), 2)),
		"container");
	assert_string_equal(jstr(j, "unmapped.ghostport.unit"), "rpc-statd.service");
	json_decref(j);
}

static void test_identity_cef(void **state)
{
	static struct cef c;
	struct gp_record r;
	int n;

	(void)state;
	make_identity(&r, true);
	n = gp_format_cef(&r, buf, sizeof(buf));
	assert_one_line(buf, n);
	parse_cef(&c, buf, n);
	assert_string_equal(cef_get(&c, "cs4Label"), "commandLine");
	assert_string_equal(cef_get(&c, "cs4"),
			    "/tmp/x 'a\nb' 'it'\\''s \"q\"' '" FFFD FFFD
			    "]=|\\' '' " FFFD);
	assert_true(cef_has(&c, "ghostportArgsHex"));
	assert_string_equal(cef_get(&c, "duser"), "alice");
	assert_string_equal(cef_get(&c, "fileId"), "1234567");
	assert_string_equal(cef_get(&c, "cs5"), "rpc-statd.service");
	assert_string_equal(cef_get(&c, "ghostportParentExe"), "/usr/bin/bash");
	assert_string_equal(cef_get(&c, "ghostportEuid"), "0");
}

static void test_identity_syslog(void **state)
{
	static struct sl m;
	struct gp_record r;

	(void)state;
	make_identity(&r, true);
	parse_syslog(&m, buf, gp_format_syslog(&r, buf, sizeof(buf)));
	assert_string_equal(sl_param(&m, "cmdline"),
			    "/tmp/x 'a" FFFD "b' 'it'\\''s \"q\"' '" FFFD FFFD
			    "]=|\\' '' " FFFD);
	assert_true(sl_has(&m, "args_hex"));
	assert_string_equal(sl_param(&m, "parent_exe"), "/usr/bin/bash");
	assert_string_equal(sl_param(&m, "unit"), "rpc-statd.service");
	assert_string_equal(sl_param(&m, "euid"), "0");
	assert_string_equal(sl_param(&m, "user"), "alice");
	assert_string_equal(sl_param(&m, "exe_dev"), "8:1");
}

static void test_identity_text(void **state)
{
	struct gp_record r;
	int n;

	(void)state;
	make_identity(&r, true);
	memcpy(r.exe, "/tmp/a\nb", 9);
	r.exe[9] = 0;
	n = gp_format_text(&r, buf, sizeof(buf));
	assert_one_line(buf, n);
	assert_non_null(strstr(buf, " exe=/tmp/a\\x0ab unit=rpc-statd.service\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ecs),
		cmocka_unit_test(test_ecs_hostile),
		cmocka_unit_test(test_ocsf),
		cmocka_unit_test(test_ocsf_hostile),
		cmocka_unit_test(test_json_host),
		cmocka_unit_test(test_cef),
		cmocka_unit_test(test_cef_hostile),
		cmocka_unit_test(test_syslog),
		cmocka_unit_test(test_syslog_hostile),
		cmocka_unit_test(test_syslog_ipv6_and_count),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_wrap_prefix),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_all_bytes),
		cmocka_unit_test(test_bypass_every_format),
		cmocka_unit_test(test_identity_json),
		cmocka_unit_test(test_identity_ecs),
		cmocka_unit_test(test_identity_ocsf),
		cmocka_unit_test(test_identity_cef),
		cmocka_unit_test(test_identity_syslog),
		cmocka_unit_test(test_identity_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
