// SPDX-License-Identifier: GPL-2.0
/*
 * test_jsonw.c - the JSON writer: escaping of every byte class, UTF-8
 * validation and replacement, numbers, nesting, and overflow reported
 * without writing past the buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsonw.h"

#define FFFD	"\xef\xbf\xbd"

/* The JSON string literal (with quotes) the writer makes of n bytes. */
static const char *escaped(const void *p, size_t n)
{
	static char out[4096];
	struct gp_json w;
	int len;

	gp_json_init(&w, out, sizeof(out));
	gp_json_begin_object(&w);
	gp_json_key_bytes(&w, "k", p, n);
	gp_json_end_object(&w);
	len = gp_json_finish(&w);
	assert_true(len > 0);
	/* Strip {"k": and } so tests compare just the value. */
	assert_memory_equal(out, "{\"k\":", 5);
	assert_int_equal(out[len - 1], '}');
	out[len - 1] = '\0';
	return out + 5;
}

static void test_every_control_byte(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 0x20; c++) {
		char in = (char)c, want[16];

		switch (c) {
		case '\n': strcpy(want, "\"\\n\""); break;
		case '\t': strcpy(want, "\"\\t\""); break;
		case '\r': strcpy(want, "\"\\r\""); break;
		case '\b': strcpy(want, "\"\\b\""); break;
		case '\f': strcpy(want, "\"\\f\""); break;
		default: snprintf(want, sizeof(want), "\"\\u%04x\"", c);
		}
		assert_string_equal(escaped(&in, 1), want);
	}
	assert_string_equal(escaped("\x7f", 1), "\"\\u007f\"");
	assert_string_equal(escaped("a\0b", 3), "\"a\\u0000b\"");
}

static void test_quotes_backslash_and_printables(void **state)
{
	(void)state;
	char all[0x7f - 0x20 + 1], want[sizeof(all) + 8];
	size_t n = 0, k = 0;

	assert_string_equal(escaped("\"", 1), "\"\\\"\"");
	assert_string_equal(escaped("\\", 1), "\"\\\\\"");
	assert_string_equal(escaped("a\"b\\c/d", 7), "\"a\\\"b\\\\c/d\"");
	assert_string_equal(escaped("", 0), "\"\"");
	/* Every other printable ASCII byte goes through untouched. */
	want[k++] = '"';
	for (unsigned c = 0x20; c < 0x7f; c++) {
		all[n++] = (char)c;
		if (c == '"' || c == '\\')
			want[k++] = '\\';
		want[k++] = (char)c;
	}
	want[k++] = '"';
	want[k] = '\0';
	assert_string_equal(escaped(all, n), want);
}

static void test_valid_utf8_kept(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"\xc3\xa9",			/* U+00E9 */
		"\xc2\x80",			/* U+0080, smallest 2-byte */
		"\xdf\xbf",			/* U+07FF */
		"\xe0\xa0\x80",			/* U+0800, smallest 3-byte */
		"\xe2\x82\xac",			/* U+20AC */
		"\xed\x9f\xbf",			/* U+D7FF, below surrogates */
		"\xee\x80\x80",			/* U+E000, above surrogates */
		"\xef\xbf\xbf",			/* U+FFFF */
		"\xf0\x90\x80\x80",		/* U+10000 */
		"\xf0\x9d\x84\x9e",		/* U+1D11E */
		"\xf4\x8f\xbf\xbf",		/* U+10FFFF, the last */
		"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "\"%s\"", ok[i]);
		assert_string_equal(escaped(ok[i], strlen(ok[i])), want);
		assert_int_equal(gp_bytes_valid_utf8(ok[i], strlen(ok[i])), 1);
	}
	assert_int_equal(gp_bytes_valid_utf8("", 0), 1);
	assert_int_equal(gp_bytes_valid_utf8("\x01\x7f", 2), 1);
}

static void test_invalid_utf8_replaced_per_byte(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} bad[] = {
		{ "\x80", FFFD },			/* stray continuation */
		{ "\xbf", FFFD },
		{ "\xff", FFFD },			/* never valid */
		{ "\xfe", FFFD },
		{ "\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD }, /* lead > F4 */
		{ "\xc0\x80", FFFD FFFD },		/* overlong NUL */
		{ "\xc1\xbf", FFFD FFFD },		/* overlong 0x7f */
		{ "\xe0\x80\x80", FFFD FFFD FFFD },	/* overlong 3-byte */
		{ "\xe0\x9f\xbf", FFFD FFFD FFFD },	/* overlong U+07FF */
		{ "\xf0\x80\x80\x80", FFFD FFFD FFFD FFFD }, /* overlong 4 */
		{ "\xf0\x8f\xbf\xbf", FFFD FFFD FFFD FFFD }, /* overlong U+FFFF */
		{ "\xed\xa0\x80", FFFD FFFD FFFD },	/* U+D800 surrogate */
		{ "\xed\xbf\xbf", FFFD FFFD FFFD },	/* U+DFFF surrogate */
		{ "\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD }, /* U+110000 */
		{ "\xe2\x82", FFFD FFFD },		/* truncated at end */
		{ "\xe2\x82" "A", FFFD FFFD "A" },	/* truncated mid */
		{ "\xc3" "\"", FFFD "\\\"" },		/* lead then quote */
		{ "a\xffz\xc3\xa9", "a" FFFD "z\xc3\xa9" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "\"%s\"", bad[i].want);
		assert_string_equal(escaped(bad[i].in, strlen(bad[i].in)), want);
		assert_int_equal(gp_bytes_valid_utf8(bad[i].in, strlen(bad[i].in)), 0);
	}
}

/* A strict enough check of a JSON string literal: valid UTF-8, no raw
 * control byte, every backslash starts a known escape, ends at the end. */
static void assert_json_string_literal(const char *s)
{
	size_t n = strlen(s);

	assert_true(n >= 2);
	assert_int_equal(s[0], '"');
	assert_int_equal(gp_bytes_valid_utf8(s, n), 1);
	for (size_t i = 1; i < n - 1; i++) {
		unsigned char c = (unsigned char)s[i];

		assert_true(c >= 0x20 && c != 0x7f);
		assert_true(c != '"');
		if (c == '\\') {
			c = (unsigned char)s[++i];
			assert_non_null(strchr("\"\\nrtbfu", c));
			if (c == 'u')
				i += 4;
		}
	}
	assert_int_equal(s[n - 1], '"');
}

/* Every 1- and 2-byte input, and random longer ones, give a valid literal. */
static void test_any_bytes_give_valid_json(void **state)
{
	(void)state;
	unsigned seed = 42;
	unsigned char in[32];

	for (unsigned a = 0; a < 256; a++) {
		in[0] = (unsigned char)a;
		assert_json_string_literal(escaped(in, 1));
		for (unsigned b = 0; b < 256; b++) {
			in[1] = (unsigned char)b;
			assert_json_string_literal(escaped(in, 2));
		}
	}
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(rand_r(&seed) % sizeof(in));

		for (size_t i = 0; i < n; i++)
			in[i] = (unsigned char)rand_r(&seed);
		assert_json_string_literal(escaped(in, n));
	}
}

static void test_numbers_bools_nulls_nesting(void **state)
{
	(void)state;
	char buf[512];
	struct gp_json w;
	int n;

	gp_json_init(&w, buf, sizeof(buf));
	gp_json_begin_object(&w);
	gp_json_key_u64(&w, "zero", 0);
	gp_json_key_u64(&w, "umax", UINT64_MAX);
	gp_json_key_s64(&w, "smin", INT64_MIN);
	gp_json_key_s64(&w, "neg", -98);
	gp_json_key_s64(&w, "smax", INT64_MAX);
	gp_json_key_bool(&w, "t", true);
	gp_json_key_bool(&w, "f", false);
	gp_json_key_null(&w, "n");
	gp_json_key_begin_array(&w, "empty");
	gp_json_end_array(&w);
	gp_json_key_begin_array(&w, "a");
	gp_json_array_string(&w, "x");
	gp_json_array_string(&w, "y\n");
	gp_json_end_array(&w);
	gp_json_key_string(&w, "k\"ey", "v");
	gp_json_key_hex(&w, "hex", "\x00\xff\x10", 3);
	gp_json_key_hex(&w, "nohex", "", 0);
	gp_json_end_object(&w);
	gp_json_raw(&w, "\n", 1);
	n = gp_json_finish(&w);
	assert_string_equal(buf,
		"{\"zero\":0,\"umax\":18446744073709551615,"
		"\"smin\":-9223372036854775808,\"neg\":-98,"
		"\"smax\":9223372036854775807,\"t\":true,\"f\":false,"
		"\"n\":null,\"empty\":[],\"a\":[\"x\",\"y\\n\"],"
		"\"k\\\"ey\":\"v\",\"hex\":\"00ff10\",\"nohex\":\"\"}\n");
	assert_int_equal(n, (int)strlen(buf));
}

/* Fill a fixed document into a buffer of len bytes inside a guarded area. */
static int write_doc(char *buf, size_t len)
{
	struct gp_json w;

	gp_json_init(&w, buf, len);
	gp_json_begin_object(&w);
	gp_json_key_string(&w, "s", "h\xc3\xa9llo\x01\xff");
	gp_json_key_u64(&w, "u", 1234567890123ULL);
	gp_json_key_hex(&w, "h", "\xde\xad\xbe\xef", 4);
	gp_json_key_begin_array(&w, "a");
	gp_json_array_string(&w, "reuseport");
	gp_json_end_array(&w);
	gp_json_key_bool(&w, "b", true);
	gp_json_end_object(&w);
	gp_json_raw(&w, "\n", 1);
	return gp_json_finish(&w);
}

static void test_overflow_reported_not_overrun(void **state)
{
	(void)state;
	char full[256], guarded[256 + 64];
	int need = write_doc(full, sizeof(full));

	assert_true(need > 0);
	assert_int_equal(need, (int)strlen(full));
	for (size_t len = 0; len <= (size_t)need + 1; len++) {
		int n;

		memset(guarded, 'Z', sizeof(guarded));
		n = write_doc(guarded, len);
		for (size_t k = len; k < sizeof(guarded); k++)
			assert_int_equal(guarded[k], 'Z');
		if (len <= (size_t)need) {
			/* Needs one more byte for the NUL. */
			assert_int_equal(n, -1);
			if (len)
				assert_non_null(memchr(guarded, '\0', len));
		} else {
			assert_int_equal(n, need);
			assert_string_equal(guarded, full);
		}
	}
}

static void test_hex_encode(void **state)
{
	(void)state;
	char out[16];

	memset(out, 'Z', sizeof(out));
	assert_int_equal(gp_hex_encode(out, 7, "\x01\xab\xff", 3), 7 - 1);
	assert_string_equal(out, "01abff");
	memset(out, 'Z', sizeof(out));
	assert_int_equal(gp_hex_encode(out, 6, "\x01\xab\xff", 3), -1);
	assert_int_equal(out[0], 'Z');
	assert_int_equal(gp_hex_encode(out, 1, "", 0), 0);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_control_byte),
		cmocka_unit_test(test_quotes_backslash_and_printables),
		cmocka_unit_test(test_valid_utf8_kept),
		cmocka_unit_test(test_invalid_utf8_replaced_per_byte),
		cmocka_unit_test(test_any_bytes_give_valid_json),
		cmocka_unit_test(test_numbers_bools_nulls_nesting),
		cmocka_unit_test(test_overflow_reported_not_overrun),
		cmocka_unit_test(test_hex_encode),
	};

	return cmocka_run_group_tests_name("jsonw", tests, NULL, NULL);
}
