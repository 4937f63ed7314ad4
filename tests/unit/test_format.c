// SPDX-License-Identifier: GPL-2.0
/*
 * test_format.c - the text and JSON formatters on hand-built records, and
 * the names they print.  JSON output is checked by parsing it with jansson,
 * an independent parser, not by our own reading of what JSON should be.
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
#include <sys/socket.h>
#include <jansson.h>

#include "fixture_record.h"
#include "format/format.h"
#include "lib/jsonw.h"
#include "event/names.h"

static char buf[GP_FORMAT_BUF_SIZE];

/* The fixture with every optional field known, folded, from a kernel
 * socket, and a bind() result of its own (not the deny errno). */
static void make_record(struct gp_record *r)
{
	fixture_record(r);
	r->ev.ret = -EADDRINUSE;
	r->ev.ifindex = 2;
	r->ev.flags |= GP_EF_KERNEL;
	r->ev.opts |= GP_OPT_FREEBIND;
	r->ev.valid |= GP_VF_IFINDEX | GP_VF_EXE;
	r->count = 3;
}

static int setup_utc(void **state)
{
	(void)state;
	/* The text format prints local time: pin it. */
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static json_t *parse_json_line(const char *s, int n)
{
	json_error_t err;
	json_t *j;

	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(s));
	/* One line: the only newline is the terminating one. */
	assert_int_equal(s[n - 1], '\n');
	assert_ptr_equal(strchr(s, '\n'), s + n - 1);
	j = json_loadb(s, (size_t)n, JSON_REJECT_DUPLICATES, &err);
	if (!j)
		fail_msg("jansson rejects it: %s at %d: %.200s", err.text,
			 err.position, s);
	assert_true(json_is_object(j));
	return j;
}

static json_t *format_and_parse(const struct gp_record *r)
{
	int n = gp_format_record(GP_FMT_JSON, r, buf, sizeof(buf));

	return parse_json_line(buf, n);
}

static void test_json_exact(void **state)
{
	(void)state;
	struct gp_record r;
	int n;

	make_record(&r);
	n = gp_format_record(GP_FMT_JSON, &r, buf, sizeof(buf));
	assert_string_equal(buf,
		"{\"time\":\"2026-11-23T15:04:05.123456789Z\",\"pid\":4242,"
		"\"tid\":4243,\"ppid\":1,\"uid\":1000,\"gid\":100,"
		"\"comm\":\"nc\",\"exe\":\"/usr/bin/nc.openbsd\","
		"\"exe_ino\":0,\"exe_dev\":\"0:0\",\"exe_flags\":[],"
		"\"exe_reason\":null,\"args\":null,\"parent_comm\":null,"
		"\"parent_exe\":null,\"user\":null,\"group\":null,"
		"\"euid\":null,\"egid\":null,\"auid\":null,"
		"\"sessionid\":null,\"cgroup\":null,\"unit\":null,"
		"\"container_id\":null,"
		"\"family\":\"ipv4\",\"proto\":\"tcp\",\"sock_type\":\"stream\","
		"\"addr\":\"192.0.2.7\",\"v4mapped\":false,\"port\":686,"
		"\"service\":\"hp-alarm-mgr\",\"ret\":-98,\"ret_unknown\":null,"
		"\"errno\":\"EADDRINUSE\",\"verdict\":\"deny\","
		"\"deny_errno\":\"EACCES\",\"source\":\"lsm\","
		"\"cgroup_id\":12345,\"netns\":4026531840,\"ifindex\":2,"
		"\"opts\":[\"reuseaddr\",\"freebind\"],\"kernel\":true,"
		"\"listed\":true,\"count\":3}\n");
	assert_int_equal(n, (int)strlen(buf));
	json_decref(parse_json_line(buf, n));
}

/* argv bytes are the binder's: every format must stay well formed. */
static void test_json_hostile_args(void **state)
{
	static const char args[] = "/tmp/x\0a\nb\0\"q\"\0\xff\xfe\0";
	struct gp_record r;
	json_t *j, *a;
	int n;

	(void)state;
	make_record(&r);
	r.ev.valid |= GP_VF_ARGS | GP_VF_CREDS | GP_VF_PARENT;
	r.ev.euid = 0;
	r.ev.args_flags = GP_AF_TRUNCATED;
	memcpy(r.ev.parent_comm, "ba\"sh", 6);
	r.id.has_args = true;
	r.id.args_len = sizeof(args) - 1;
	memcpy(r.id.args, args, sizeof(args) - 1);
	snprintf(r.id.exe.path, sizeof(r.id.exe.path), "/usr/bin/nc.openbsd");
	snprintf(r.id.unit, sizeof(r.id.unit), "x.service");
	n = gp_format_record(GP_FMT_JSON, &r, buf, sizeof(buf));
	j = parse_json_line(buf, n);
	a = json_object_get(j, "args");
	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), 4);
	assert_string_equal(json_string_value(json_array_get(a, 0)), "/tmp/x");
	assert_string_equal(json_string_value(json_array_get(a, 1)), "a\nb");
	assert_string_equal(json_string_value(json_array_get(a, 2)), "\"q\"");
	assert_true(json_is_true(json_object_get(j, "args_truncated")));
	assert_string_equal(json_string_value(json_object_get(j, "parent_comm")),
			    "ba\"sh");
	assert_string_equal(json_string_value(json_object_get(j, "unit")),
			    "x.service");
	assert_int_equal(json_integer_value(json_object_get(j, "euid")), 0);
	json_decref(j);
}

/* A bind the producer saw fail without its errno: ret null, the reason. */
static void test_json_ret_unknown_failed(void **state)
{
	(void)state;
	struct gp_record r;

	make_record(&r);
	r.ev.valid &= ~GP_VF_RET;
	r.ev.ret_why = GP_RETW_FAILED;
	gp_format_record(GP_FMT_JSON, &r, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"ret\":null,\"ret_unknown\":\"failed\","
			       "\"errno\":null,"));
	/* A known ret has no reason to be unknown, whatever the field says. */
	r.ev.valid |= GP_VF_RET;
	gp_format_record(GP_FMT_JSON, &r, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"ret_unknown\":null,"));
}

static void test_json_nulls_when_not_valid(void **state)
{
	(void)state;
	struct gp_record r;
	int n;

	make_record(&r);
	r.ev.valid = 0;
	r.ev.flags = 0;
	r.ev.verdict = GP_VERDICT_AUDIT;
	r.ev.source = GP_SRC_FENTRY;
	r.service = NULL;
	r.exe[0] = '\0';
	r.count = 1;
	n = gp_format_record(GP_FMT_JSON, &r, buf, sizeof(buf));
	/* No deny_errno (not a deny), no count (not folded), and every
	 * field whose valid bit is clear is null, not 0. */
	assert_string_equal(buf,
		"{\"time\":\"2026-11-23T15:04:05.123456789Z\",\"pid\":4242,"
		"\"tid\":4243,\"ppid\":null,\"uid\":1000,\"gid\":100,"
		"\"comm\":\"nc\",\"exe\":null,"
		"\"exe_ino\":null,\"exe_dev\":null,\"exe_flags\":null,"
		"\"exe_reason\":null,\"args\":null,\"parent_comm\":null,"
		"\"parent_exe\":null,\"user\":null,\"group\":null,"
		"\"euid\":null,\"egid\":null,\"auid\":null,"
		"\"sessionid\":null,\"cgroup\":null,\"unit\":null,"
		"\"container_id\":null,"
		"\"family\":\"ipv4\",\"proto\":\"tcp\",\"sock_type\":null,"
		"\"addr\":\"192.0.2.7\",\"v4mapped\":false,\"port\":686,"
		"\"service\":null,\"ret\":null,\"ret_unknown\":null,\"errno\":null,"
		"\"verdict\":\"audit\",\"source\":\"fentry\","
		"\"cgroup_id\":null,\"netns\":null,\"ifindex\":null,"
		"\"opts\":null,\"kernel\":false,\"listed\":false}\n");
	json_decref(parse_json_line(buf, n));

	/* A successful bind: ret 0, errno null; no opts set: empty array. */
	make_record(&r);
	r.ev.ret = 0;
	r.ev.opts = 0;
	r.ev.verdict = GP_VERDICT_AUDIT;
	json_t *j = format_and_parse(&r);
	assert_int_equal(json_integer_value(json_object_get(j, "ret")), 0);
	assert_true(json_is_null(json_object_get(j, "errno")));
	assert_true(json_is_array(json_object_get(j, "opts")));
	assert_int_equal(json_array_size(json_object_get(j, "opts")), 0);
	assert_null(json_object_get(j, "deny_errno"));
	json_decref(j);
}

static void test_text_exact(void **state)
{
	(void)state;
	struct gp_record r;
	int n;

	n = gp_format_text_header(buf, sizeof(buf));
	assert_string_equal(buf,
		"TIME                    VERDICT SOURCE     PID COMM             "
		"PROTO ADDR:PORT             SERVICE         RET\n");
	assert_int_equal(n, (int)strlen(buf));

	make_record(&r);
	n = gp_format_record(GP_FMT_TEXT, &r, buf, sizeof(buf));
	assert_string_equal(buf,
		"2026-11-23 15:04:05.123 deny    lsm       4242 nc               "
		"tcp   192.0.2.7:686         hp-alarm-mgr    EADDRINUSE "
		"[kernel] [reuseaddr,freebind,deny=EACCES,x3] "
		"exe=/usr/bin/nc.openbsd\n");
	assert_int_equal(n, (int)strlen(buf));

	/* Nothing optional: "-" for unknowns, no trailing blanks. */
	r.ev.valid = 0;
	r.ev.flags = 0;
	r.ev.verdict = GP_VERDICT_AUDIT;
	r.ev.source = GP_SRC_KMOD;
	r.service = NULL;
	r.count = 1;
	r.exe[0] = '\0';
	gp_format_record(GP_FMT_TEXT, &r, buf, sizeof(buf));
	assert_string_equal(buf,
		"2026-11-23 15:04:05.123 audit   kmod      4242 nc               "
		"tcp   192.0.2.7:686         -               -\n");

	/* Who bound: why the path is unknown, the unit, escaped. */
	r.id.exe.reason = "sent_before_reader";
	strcpy(r.id.unit, "x y\n.service");
	gp_format_record(GP_FMT_TEXT, &r, buf, sizeof(buf));
	assert_non_null(strstr(buf, " - exe=?sent_before_reader "
				    "unit=x y\\x0a.service\n"));
	r.id.exe.reason = NULL;
	r.id.unit[0] = '\0';

	/* A successful bind shows ret 0. */
	r.ev.valid = GP_VF_RET;
	r.ev.ret = 0;
	gp_format_record(GP_FMT_TEXT, &r, buf, sizeof(buf));
	assert_non_null(strstr(buf, " -               0\n"));
}

static void test_ipv6_and_v4mapped(void **state)
{
	(void)state;
	struct gp_record r;
	json_t *j;

	make_record(&r);
	r.ev.family = AF_INET6;
	r.ev.port = 886;
	strcpy(r.addr, "2001:db8::1");
	j = format_and_parse(&r);
	assert_string_equal(json_string_value(json_object_get(j, "family")), "ipv6");
	assert_string_equal(json_string_value(json_object_get(j, "addr")), "2001:db8::1");
	assert_true(json_is_false(json_object_get(j, "v4mapped")));
	json_decref(j);
	gp_format_record(GP_FMT_TEXT, &r, buf, sizeof(buf));
	assert_non_null(strstr(buf, " [2001:db8::1]:886 "));

	r.ev.flags |= GP_EF_V4MAPPED;
	strcpy(r.addr, "::ffff:192.0.2.1");
	j = format_and_parse(&r);
	assert_string_equal(json_string_value(json_object_get(j, "addr")), "::ffff:192.0.2.1");
	assert_true(json_is_true(json_object_get(j, "v4mapped")));
	json_decref(j);
	gp_format_record(GP_FMT_TEXT, &r, buf, sizeof(buf));
	assert_non_null(strstr(buf, " [::ffff:192.0.2.1]:886 "));

	/* The longest IPv6 text still fits, pushing the columns right. */
	strcpy(r.addr, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255");
	r.ev.port = 65535;
	gp_format_record(GP_FMT_TEXT, &r, buf, sizeof(buf));
	assert_non_null(strstr(buf,
		" [ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535 hp-alarm-mgr "));
}

/* The text line: one line, only printable ASCII before its newline. */
static void assert_one_printable_line(const char *s, int n)
{
	assert_true(n > 0);
	assert_int_equal(s[n - 1], '\n');
	for (int i = 0; i < n - 1; i++)
		assert_true(s[i] >= 0x20 && s[i] < 0x7f);
}

static void test_hostile_comm(void **state)
{
	(void)state;
	static const unsigned char comm[GP_COMM_LEN] = {
		'"', '\\', '\n', ']', '|', '=', 0x01, 0xff,
		'"', '\\', '\n', ']', '|', '=', 0x01, 0xff,	/* no NUL */
	};
	struct gp_record r;
	const char *s;
	json_t *j;
	int n;

	make_record(&r);
	memcpy(r.ev.comm, comm, sizeof(comm));
	j = format_and_parse(&r);
	s = json_string_value(json_object_get(j, "comm"));
	assert_non_null(s);
	assert_string_equal(s, "\"\\\n]|=\x01\xef\xbf\xbd\"\\\n]|=\x01\xef\xbf\xbd");
	/* Not valid UTF-8, so the exact bytes are there too. */
	assert_string_equal(json_string_value(json_object_get(j, "comm_hex")),
			    "225c0a5d7c3d01ff225c0a5d7c3d01ff");
	/* The record around it is intact. */
	assert_int_equal(json_integer_value(json_object_get(j, "port")), 686);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 3);
	json_decref(j);

	n = gp_format_record(GP_FMT_TEXT, &r, buf, sizeof(buf));
	assert_one_printable_line(buf, n);
	assert_non_null(strstr(buf,
		" 4242 \"\\\\\\x0a]|=\\x01\\xff\"\\\\\\x0a]|=\\x01\\xff tcp "));

	/* A valid UTF-8 comm with a control char: escaped, no comm_hex. */
	memset(r.ev.comm, 0, sizeof(r.ev.comm));
	memcpy(r.ev.comm, "caf\xc3\xa9\tx", 7);
	j = format_and_parse(&r);
	assert_string_equal(json_string_value(json_object_get(j, "comm")),
			    "caf\xc3\xa9\tx");
	assert_null(json_object_get(j, "comm_hex"));
	json_decref(j);
	n = gp_format_record(GP_FMT_TEXT, &r, buf, sizeof(buf));
	assert_one_printable_line(buf, n);
	assert_non_null(strstr(buf, " caf\\xc3\\xa9\\x09x "));

	/* Bytes after the first NUL are not part of comm. */
	memcpy(r.ev.comm, "ab\0cd", 5);
	j = format_and_parse(&r);
	assert_string_equal(json_string_value(json_object_get(j, "comm")), "ab");
	json_decref(j);
}

static void hex_decode(const char *hex, unsigned char *out, size_t *n)
{
	size_t len = strlen(hex);

	assert_int_equal(len % 2, 0);
	for (size_t i = 0; i < len / 2; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
	*n = len / 2;
}

static const char *const json_keys[] = {
	"time", "pid", "tid", "ppid", "uid", "gid", "comm", "exe", "family",
	"proto", "sock_type", "addr", "v4mapped", "port", "service", "ret",
	"errno", "verdict", "source", "cgroup_id", "netns", "ifindex",
	"opts", "kernel", "listed",
};

/* Random comm, exe and field bits: JSON always parses, keys are all
 * there, comm is exact when it can be and recoverable when not. */
static void test_random_records(void **state)
{
	(void)state;
	unsigned seed = 7;
	struct gp_record r;

	for (int round = 0; round < 5000; round++) {
		size_t comm_len, exe_len, got_len;
		unsigned char got[GP_COMM_LEN];
		json_t *j, *v;
		int n;

		make_record(&r);
		for (size_t i = 0; i < GP_COMM_LEN; i++)
			r.ev.comm[i] = (char)(rand_r(&seed) % 4 ? rand_r(&seed) : 0);
		exe_len = (size_t)rand_r(&seed) % 300;
		for (size_t i = 0; i < exe_len; i++)
			r.exe[i] = (char)(1 + rand_r(&seed) % 255);
		r.exe[exe_len] = '\0';
		r.ev.valid = (__u16)rand_r(&seed);
		r.ev.flags = (__u8)rand_r(&seed);
		r.ev.opts = (__u8)rand_r(&seed);
		r.ev.verdict = (__u8)(rand_r(&seed) % 5);
		r.ev.source = (__u8)(rand_r(&seed) % 7);
		r.ev.protocol = (__u16)(rand_r(&seed) % 300);
		r.ev.sock_type = (__u16)(rand_r(&seed) % 12);
		r.ev.ret = rand_r(&seed) % 2 ? -(rand_r(&seed) % 200) : 0;
		r.ev.deny_errno = (__u16)(rand_r(&seed) % 200);
		r.count = (__u32)(rand_r(&seed) % 3);

		j = format_and_parse(&r);
		for (size_t k = 0; k < sizeof(json_keys) / sizeof(json_keys[0]); k++)
			if (!json_object_get(j, json_keys[k]))
				fail_msg("key %s missing in %s", json_keys[k], buf);
		assert_int_equal(!json_object_get(j, "deny_errno"),
				 r.ev.verdict != GP_VERDICT_DENY);
		assert_int_equal(!json_object_get(j, "count"), r.count <= 1);
		assert_int_equal(json_is_null(json_object_get(j, "ppid")),
				 !(r.ev.valid & GP_VF_PPID));
		assert_int_equal(json_is_null(json_object_get(j, "ret")),
				 !(r.ev.valid & GP_VF_RET));
		assert_int_equal(json_is_null(json_object_get(j, "netns")),
				 !(r.ev.valid & GP_VF_NETNS));
		assert_int_equal(json_is_null(json_object_get(j, "opts")),
				 !(r.ev.valid & GP_VF_OPTS));

		comm_len = strnlen(r.ev.comm, GP_COMM_LEN);
		v = json_object_get(j, "comm_hex");
		if (gp_bytes_valid_utf8(r.ev.comm, comm_len)) {
			assert_null(v);
			v = json_object_get(j, "comm");
			assert_int_equal(json_string_length(v), comm_len);
			assert_memory_equal(json_string_value(v), r.ev.comm,
					    comm_len);
		} else {
			assert_non_null(v);
			hex_decode(json_string_value(v), got, &got_len);
			assert_int_equal(got_len, comm_len);
			assert_memory_equal(got, r.ev.comm, comm_len);
		}
		json_decref(j);

		n = gp_format_record(GP_FMT_TEXT, &r, buf, sizeof(buf));
		assert_one_printable_line(buf, n);
	}
}

/* The hand-made RFC 3339 conversion agrees with gmtime_r. */
static void test_time_vs_gmtime(void **state)
{
	(void)state;
	unsigned seed = 99;
	struct gp_record r;

	make_record(&r);
	for (int round = 0; round < 20000; round++) {
		char want[64];
		struct tm tm;
		time_t t;
		json_t *j;

		/* Years 0000..9999, around the epoch, and leap days. */
		switch (round % 3) {
		case 0:
			t = (time_t)(((uint64_t)rand_r(&seed) << 31 |
				      (uint64_t)rand_r(&seed)) %
				     (253402300800ULL + 62167219200ULL)) -
			    62167219200LL;
			break;
		case 1:
			t = (time_t)(rand_r(&seed) % 200000000) - 100000000;
			break;
		default:
			t = 951782400 + 86400 * (time_t)(rand_r(&seed) % 3) -
			    1 + rand_r(&seed) % 3;	/* around 2000-02-29 */
		}
		r.wall.tv_sec = t;
		r.wall.tv_nsec = rand_r(&seed) % 1000000000;
		assert_non_null(gmtime_r(&t, &tm));
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, r.wall.tv_nsec);
		j = format_and_parse(&r);
		assert_string_equal(json_string_value(json_object_get(j, "time")),
				    want);
		json_decref(j);
	}

	/* Outside what RFC 3339 can write: clamped, still parseable. */
	r.wall.tv_sec = -62167219200LL - 1;
	r.wall.tv_nsec = 5;
	json_t *j = format_and_parse(&r);
	assert_string_equal(json_string_value(json_object_get(j, "time")),
			    "0000-01-01T00:00:00.000000000Z");
	json_decref(j);
	r.wall.tv_sec = 253402300800LL;
	j = format_and_parse(&r);
	assert_string_equal(json_string_value(json_object_get(j, "time")),
			    "9999-12-31T23:59:59.999999999Z");
	json_decref(j);
	/* An unnormalized tv_nsec is carried into the seconds. */
	r.wall.tv_sec = 1795446245;
	r.wall.tv_nsec = 1500000000;
	j = format_and_parse(&r);
	assert_string_equal(json_string_value(json_object_get(j, "time")),
			    "2026-11-23T15:04:06.500000000Z");
	json_decref(j);
}

static void test_too_small_buffer(void **state)
{
	(void)state;
	static char guarded[4096];
	struct gp_record r;

	make_record(&r);
	memcpy(r.ev.comm, "\xff\x01zz", 4);
	for (int f = GP_FMT_TEXT; f < GP_FMT_MAX; f++) {
		int need = gp_format_record(f, &r, buf, sizeof(buf));

		assert_true(need > 0 && need < 2048);
		for (size_t len = 0; len <= (size_t)need + 1; len++) {
			int n;

			memset(guarded, 'Z', sizeof(guarded));
			n = gp_format_record(f, &r, guarded, len);
			for (size_t k = len; k < sizeof(guarded); k++)
				assert_int_equal(guarded[k], 'Z');
			if (len <= (size_t)need) {
				assert_int_equal(n, -1);
			} else {
				assert_int_equal(n, need);
				assert_string_equal(guarded, buf);
			}
		}
	}
	assert_int_equal(gp_format_text_header(guarded, 10), -1);
}

static void test_worst_case_fits(void **state)
{
	(void)state;
	struct gp_record r;
	int n;

	make_record(&r);
	memset(r.ev.comm, 0x01, sizeof(r.ev.comm));
	memset(r.exe, 0x01, sizeof(r.exe) - 1);
	r.exe[sizeof(r.exe) - 1] = '\0';
	r.ev.opts = 0xff;
	r.ev.protocol = 65535;
	r.ev.sock_type = 65535;
	r.ev.ret = INT32_MIN;
	r.ev.deny_errno = 65535;
	r.ev.pid = UINT32_MAX;
	/* jansson's integers are signed 64-bit: stay within them. */
	r.ev.cgroup_id = INT64_MAX;
	r.count = UINT32_MAX;
	strcpy(r.addr, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255");
	r.ev.family = AF_INET6;
	r.service = "abcdefghijklmno";
	json_decref(format_and_parse(&r));
	n = gp_format_record(GP_FMT_TEXT, &r, buf, sizeof(buf));
	assert_one_printable_line(buf, n);
	assert_non_null(strstr(buf, " E2147483648 "));
	assert_non_null(strstr(buf, "deny=E65535,x4294967295]"));
}

static void test_format_parse_and_dispatch(void **state)
{
	(void)state;
	struct gp_record r;

	assert_int_equal(gp_format_parse("text"), GP_FMT_TEXT);
	assert_int_equal(gp_format_parse("json"), GP_FMT_JSON);
	assert_int_equal(gp_format_parse("JSON"), -1);
	assert_int_equal(gp_format_parse("xml"), -1);
	assert_int_equal(gp_format_parse(""), -1);
	assert_int_equal(gp_format_parse(NULL), -1);
	make_record(&r);
	assert_int_equal(gp_format_record(GP_FMT_MAX, &r, buf, sizeof(buf)), -1);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(gp_family_name(AF_INET), "ipv4");
	assert_string_equal(gp_family_name(AF_INET6), "ipv6");
	assert_string_equal(gp_family_name(AF_UNIX), "unknown");

	assert_string_equal(gp_proto_name(IPPROTO_TCP, SOCK_STREAM), "tcp");
	assert_string_equal(gp_proto_name(IPPROTO_UDP, SOCK_DGRAM), "udp");
	assert_string_equal(gp_proto_name(IPPROTO_SCTP, SOCK_SEQPACKET), "sctp");
	assert_string_equal(gp_proto_name(IPPROTO_TCP, SOCK_RAW), "raw");
	assert_string_equal(gp_proto_name(IPPROTO_RAW, 0), "raw");
	assert_string_equal(gp_proto_name(IPPROTO_ICMP, SOCK_DGRAM), "raw");
	assert_string_equal(gp_proto_name(IPPROTO_ICMPV6, 0), "raw");
	assert_string_equal(gp_proto_name(IPPROTO_UDPLITE, SOCK_DGRAM), "ipproto-136");
	assert_string_equal(gp_proto_name(262, SOCK_STREAM), "mptcp");

	assert_int_equal(gp_proto_bit(IPPROTO_TCP, SOCK_STREAM), GP_PROTO_TCP);
	assert_int_equal(gp_proto_bit(IPPROTO_UDP, SOCK_DGRAM), GP_PROTO_UDP);
	assert_int_equal(gp_proto_bit(IPPROTO_SCTP, SOCK_STREAM), GP_PROTO_SCTP);
	assert_int_equal(gp_proto_bit(IPPROTO_TCP, SOCK_RAW), GP_PROTO_OTHER);
	assert_int_equal(gp_proto_bit(IPPROTO_ICMP, SOCK_DGRAM), GP_PROTO_OTHER);
	assert_int_equal(gp_proto_bit(262, SOCK_STREAM), GP_PROTO_OTHER);

	assert_string_equal(gp_sock_type_name(SOCK_STREAM), "stream");
	assert_string_equal(gp_sock_type_name(SOCK_DGRAM), "dgram");
	assert_string_equal(gp_sock_type_name(SOCK_RAW), "raw");
	assert_string_equal(gp_sock_type_name(SOCK_SEQPACKET), "seqpacket");
	assert_string_equal(gp_sock_type_name(9), "type-9");

	assert_string_equal(gp_verdict_name(GP_VERDICT_NONE), "none");
	assert_string_equal(gp_verdict_name(GP_VERDICT_AUDIT), "audit");
	assert_string_equal(gp_verdict_name(GP_VERDICT_DENY), "deny");
	assert_string_equal(gp_verdict_name(GP_VERDICT_EXEMPT), "exempt");
	assert_string_equal(gp_verdict_name(GP_VERDICT_BYPASS), "bypass");
	assert_string_equal(gp_verdict_name(GP_VERDICT_MAX), "unknown");
	assert_string_equal(gp_source_name(GP_SRC_FENTRY), "fentry");
	assert_string_equal(gp_source_name(GP_SRC_KPROBE), "kprobe");
	assert_string_equal(gp_source_name(GP_SRC_CGROUP), "cgroup");
	assert_string_equal(gp_source_name(GP_SRC_KMOD), "kmod");
	assert_string_equal(gp_source_name(GP_SRC_LSM), "lsm");
	assert_string_equal(gp_source_name(GP_SRC_UNKNOWN), "unknown");
	assert_string_equal(gp_source_name(200), "unknown");

	assert_string_equal(gp_errno_name(EPERM), "EPERM");
	assert_string_equal(gp_errno_name(-EADDRINUSE), "EADDRINUSE");
	assert_string_equal(gp_errno_name(EACCES), "EACCES");
	assert_string_equal(gp_errno_name(EADDRNOTAVAIL), "EADDRNOTAVAIL");
	assert_string_equal(gp_errno_name(EAGAIN), "EAGAIN");
	assert_string_equal(gp_errno_name(4000), "E4000");
	assert_string_equal(gp_errno_name(0), "E0");
	assert_string_equal(gp_errno_name(INT32_MIN), "E2147483648");

	assert_int_equal(gp_errno_parse("EPERM"), EPERM);
	assert_int_equal(gp_errno_parse("eacces"), EACCES);
	assert_int_equal(gp_errno_parse("EADDRINUSE"), EADDRINUSE);
	assert_int_equal(gp_errno_parse("EWOULDBLOCK"), EAGAIN);
	assert_int_equal(gp_errno_parse("ENOTSUP"), EOPNOTSUPP);
	assert_int_equal(gp_errno_parse("13"), 13);
	assert_int_equal(gp_errno_parse("4095"), 4095);
	assert_int_equal(gp_errno_parse("4096"), -1);
	assert_int_equal(gp_errno_parse("0"), -1);
	assert_int_equal(gp_errno_parse("-1"), -1);
	assert_int_equal(gp_errno_parse("13x"), -1);
	assert_int_equal(gp_errno_parse("0x0d"), -1);
	assert_int_equal(gp_errno_parse("99999999999999999999"), -1);
	assert_int_equal(gp_errno_parse("EBOGUS"), -1);
	assert_int_equal(gp_errno_parse(""), -1);
	assert_int_equal(gp_errno_parse(NULL), -1);
	/* Every name printed parses back to its number. */
	for (int e = 1; e < 200; e++) {
		const char *name = gp_errno_name(e);

		if (name[1] < '0' || name[1] > '9')
			assert_int_equal(gp_errno_parse(name), e);
	}

	assert_string_equal(gp_opt_name(0), "reuseaddr");
	assert_string_equal(gp_opt_name(1), "reuseport");
	assert_string_equal(gp_opt_name(2), "freebind");
	assert_string_equal(gp_opt_name(3), "transparent");
	assert_string_equal(gp_opt_name(4), "bind_address_no_port");
	assert_string_equal(gp_opt_name(7), "opt-bit7");
	assert_null(gp_opt_name(8));
}

/* The one-string opts of CEF and the journal: whole names or none. */
static void test_opts_join(void **state)
{
	char o[GP_OPTS_STR_LEN];

	(void)state;
	assert_int_equal(gp_opts_join(o, sizeof(o), 0), 0);
	assert_string_equal(o, "");
	assert_int_equal(gp_opts_join(o, sizeof(o),
				      GP_OPT_REUSEADDR | GP_OPT_FREEBIND), 18);
	assert_string_equal(o, "reuseaddr,freebind");
	/* All eight fit: the size is the longest there is. */
	assert_int_equal(gp_opts_join(o, sizeof(o), 0xff), 88);
	assert_string_equal(o, "reuseaddr,reuseport,freebind,transparent,"
			       "bind_address_no_port,opt-bit5,opt-bit6,opt-bit7");
	/* Too short: the name that does not fit is left out, not cut. */
	assert_int_equal(gp_opts_join(o, 15, GP_OPT_REUSEADDR | GP_OPT_FREEBIND),
			 9);
	assert_string_equal(o, "reuseaddr");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_exact),
		cmocka_unit_test(test_json_nulls_when_not_valid),
		cmocka_unit_test(test_json_ret_unknown_failed),
		cmocka_unit_test(test_json_hostile_args),
		cmocka_unit_test(test_text_exact),
		cmocka_unit_test(test_ipv6_and_v4mapped),
		cmocka_unit_test(test_hostile_comm),
		cmocka_unit_test(test_random_records),
		cmocka_unit_test(test_time_vs_gmtime),
		cmocka_unit_test(test_too_small_buffer),
		cmocka_unit_test(test_worst_case_fits),
		cmocka_unit_test(test_format_parse_and_dispatch),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_opts_join),
	};

	return cmocka_run_group_tests_name("format", tests, setup_utc, NULL);
}
