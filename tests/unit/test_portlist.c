// SPDX-License-Identifier: GPL-2.0
/*
 * test_portlist.c - port-list parsing, its error messages, and the
 * canonical form.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "policy/portlist.h"

/* 256 KiB: too big for comfort on the stack of every test. */
static __u32 *new_rules(void)
{
	__u32 *r = calloc(GP_NR_PORTS, sizeof(*r));

	assert_non_null(r);
	return r;
}

static void parse_ok(const char *list, __u32 *rules)
{
	char err[256] = "";
	int rc = gp_portlist_parse(list, rules, err, sizeof(err));

	if (rc)
		fail_msg("\"%s\" rejected: %s", list, err);
	assert_string_equal(err, "");
}

static void test_single_port_all_protocols(void **state)
{
	(void)state;
	__u32 *r = new_rules();

	parse_ok("686", r);
	assert_int_equal(r[686], GP_RULE_AUDIT(GP_PROTO_ALL));
	assert_int_equal(r[685], 0);
	assert_int_equal(r[687], 0);
	assert_int_equal(gp_rules_count(r), 1);
	free(r);
}

static void test_example_list(void **state)
{
	(void)state;
	__u32 *r = new_rules();

	parse_ok("686,886/tcp,1000-1010/udp,4444/tcp+udp,53/sctp", r);
	assert_int_equal(r[686], GP_PROTO_ALL);
	assert_int_equal(r[886], GP_PROTO_TCP);
	assert_int_equal(r[999], 0);
	for (unsigned p = 1000; p <= 1010; p++)
		assert_int_equal(r[p], GP_PROTO_UDP);
	assert_int_equal(r[1011], 0);
	assert_int_equal(r[4444], GP_PROTO_TCP | GP_PROTO_UDP);
	assert_int_equal(r[53], GP_PROTO_SCTP);
	assert_int_equal(gp_rules_count(r), 1 + 1 + 11 + 1 + 1);
	free(r);
}

static void test_whitespace_case_aliases_and_or(void **state)
{
	(void)state;
	__u32 *r = new_rules();

	parse_ok(" 686 ,\t886/TCP ,\n80/tcp,80/Udp, 7/raw, 9/all,1-1 ", r);
	assert_int_equal(r[686], GP_PROTO_ALL);
	assert_int_equal(r[886], GP_PROTO_TCP);
	assert_int_equal(r[80], GP_PROTO_TCP | GP_PROTO_UDP);
	assert_int_equal(r[7], GP_PROTO_OTHER);
	assert_int_equal(r[9], GP_PROTO_ALL);
	assert_int_equal(r[1], GP_PROTO_ALL);
	/* Parsing adds to what is there: deny bits are kept. */
	r[886] |= GP_PROTO_TCP << GP_RULE_DENY_SHIFT;
	parse_ok("886/udp", r);
	assert_int_equal(r[886], GP_PROTO_TCP | GP_PROTO_UDP |
				 (GP_PROTO_TCP << GP_RULE_DENY_SHIFT));
	free(r);
}

static void test_full_range(void **state)
{
	(void)state;
	__u32 *r = new_rules();

	parse_ok("1-65535/other", r);
	assert_int_equal(r[0], 0);
	assert_int_equal(r[1], GP_PROTO_OTHER);
	assert_int_equal(r[65535], GP_PROTO_OTHER);
	assert_int_equal(gp_rules_count(r), 65535);
	free(r);
}

struct bad_case {
	const char *list;
	const char *err;
};

static const struct bad_case bad_cases[] = {
	{ "", "bad port list item 1 \"\": empty item" },
	{ "   ", "bad port list item 1 \"\": empty item" },
	{ "686,,886", "bad port list item 2 \"\": empty item" },
	{ "686,", "bad port list item 2 \"\": empty item" },
	{ ",686", "bad port list item 1 \"\": empty item" },
	{ "0", "bad port list item 1 \"0\": port 0 means 'any port'" },
	{ "1-0", "bad port list item 1 \"1-0\": port 0 means 'any port'" },
	{ "65536", "bad port list item 1 \"65536\": port above 65535" },
	{ "80,99999999999999999999999",
	  "bad port list item 2 \"99999999999999999999999\": port above 65535" },
	{ "1-70000", "bad port list item 1 \"1-70000\": port above 65535" },
	{ "-5", "bad port list item 1 \"-5\": negative port" },
	{ "0x50", "bad port list item 1 \"0x50\": hex is not accepted, ports are decimal" },
	{ "080", "bad port list item 1 \"080\": leading zero, ports are plain decimal" },
	{ "80x", "bad port list item 1 \"80x\": unexpected \"x\" after port number" },
	{ "1e3", "bad port list item 1 \"1e3\": unexpected \"e\" after port number" },
	{ "80 /tcp", "bad port list item 1 \"80 /tcp\": unexpected \" \" after port number" },
	{ "8\"", "bad port list item 1 \"8\\\"\": unexpected \"\\\"\" after port number" },
	{ "8\x01", "bad port list item 1 \"8\\x01\": unexpected \"\\x01\" after port number" },
	{ "+80", "bad port list item 1 \"+80\": not a port number" },
	{ "abc", "bad port list item 1 \"abc\": not a port number" },
	{ "/tcp", "bad port list item 1 \"/tcp\": missing port number" },
	{ "686,886/tcp,1010-1000/udp",
	  "bad port list item 3 \"1010-1000/udp\": range start above end" },
	{ "1000-", "bad port list item 1 \"1000-\": range end missing" },
	{ "1000-/tcp", "bad port list item 1 \"1000-/tcp\": range end missing" },
	{ "1000--5", "bad port list item 1 \"1000--5\": range end missing" },
	{ "80/", "bad port list item 1 \"80/\": missing protocol after \"/\"" },
	{ "80/tcpp", "bad port list item 1 \"80/tcpp\": unknown protocol \"tcpp\" (use tcp, udp, sctp, other or all)" },
	{ "80/tcp/udp", "bad port list item 1 \"80/tcp/udp\": unknown protocol \"tcp/udp\" (use tcp, udp, sctp, other or all)" },
	{ "80/tcp+", "bad port list item 1 \"80/tcp+\": empty protocol name" },
	{ "80/+tcp", "bad port list item 1 \"80/+tcp\": empty protocol name" },
	{ "80/tcp++udp", "bad port list item 1 \"80/tcp++udp\": empty protocol name" },
	{ "80/ tcp", "bad port list item 1 \"80/ tcp\": unknown protocol \" tcp\" (use tcp, udp, sctp, other or all)" },
};

static void test_errors(void **state)
{
	(void)state;
	__u32 *r = new_rules();

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		char err[256] = "";

		/* A bad list must leave the rules as they were, even when
		 * items before the bad one were good. */
		r[686] = 0;
		r[5] = 0x77;
		assert_int_equal(gp_portlist_parse(bad_cases[i].list, r, err,
						   sizeof(err)), -1);
		assert_string_equal(err, bad_cases[i].err);
		assert_null(strchr(err, '\n'));
		assert_int_equal(r[686], 0);
		assert_int_equal(r[5], 0x77);
		assert_int_equal(r[886], 0);
		assert_int_equal(r[80], 0);
		assert_int_equal(gp_rules_count(r), 1);
	}
	free(r);
}

static void test_error_edge_cases(void **state)
{
	(void)state;
	__u32 *r = new_rules();
	char err[256], tiny[8];
	char long_item[400];

	assert_int_equal(gp_portlist_parse(NULL, r, err, sizeof(err)), -1);
	assert_string_equal(err, "no port list");
	/* err may be omitted, or too short: no overrun, still terminated. */
	assert_int_equal(gp_portlist_parse("0", r, NULL, 0), -1);
	memset(tiny, 'z', sizeof(tiny));
	assert_int_equal(gp_portlist_parse("0", r, tiny, sizeof(tiny)), -1);
	assert_string_equal(tiny, "bad por");
	/* A very long bad item is shortened in the message, marked "...". */
	memset(long_item, 'a', sizeof(long_item) - 1);
	long_item[sizeof(long_item) - 1] = '\0';
	assert_int_equal(gp_portlist_parse(long_item, r, err, sizeof(err)), -1);
	assert_true(strlen(err) < 160);
	assert_non_null(strstr(err, "aaa...\": not a port number"));
	assert_int_equal(gp_rules_count(r), 0);
	free(r);
}

static void format_ok(const __u32 *r, const char *want)
{
	char buf[512];
	int n = gp_portlist_format(r, buf, sizeof(buf));

	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(buf, want);
}

static void test_format_canonical(void **state)
{
	(void)state;
	__u32 *r = new_rules();

	format_ok(r, "");
	parse_ok("886/tcp, 686, 687,688, 1000-1010/udp,4444/udp+tcp,53/sctp,"
		 "54/sctp,65535/other+sctp+udp+tcp,7/other", r);
	format_ok(r, "7/other,53-54/sctp,686-688,886/tcp,1000-1010/udp,"
		     "4444/tcp+udp,65535");
	/* Only the audit bits are the list. */
	r[886] |= (GP_PROTO_ALL << GP_RULE_DENY_SHIFT) | (13U << GP_RULE_ERRNO_SHIFT);
	format_ok(r, "7/other,53-54/sctp,686-688,886/tcp,1000-1010/udp,"
		     "4444/tcp+udp,65535");
	free(r);

	r = new_rules();
	parse_ok("1-65535", r);
	format_ok(r, "1-65535");
	free(r);
}

static void test_format_too_small(void **state)
{
	(void)state;
	__u32 *r = new_rules();
	const char *want = "686,886/tcp";
	char buf[32];

	parse_ok(want, r);
	for (size_t len = 0; len <= strlen(want); len++) {
		memset(buf, 'z', sizeof(buf));
		assert_int_equal(gp_portlist_format(r, buf, len), -1);
		/* Nothing past len was touched. */
		for (size_t k = len; k < sizeof(buf); k++)
			assert_int_equal(buf[k], 'z');
		if (len)
			assert_non_null(memchr(buf, '\0', len));
	}
	assert_int_equal(gp_portlist_format(r, buf, strlen(want) + 1),
			 (int)strlen(want));
	assert_string_equal(buf, want);
	free(r);
}

/* format(rules) parses back to the same audit bits, for random lists. */
static void test_round_trip_random(void **state)
{
	(void)state;
	static char buf[GP_NR_PORTS * 16];
	__u32 *a = new_rules(), *b = new_rules();
	unsigned seed = 12345;

	for (int round = 0; round < 20; round++) {
		char err[256];
		int n;

		memset(a, 0, GP_NR_PORTS * sizeof(*a));
		memset(b, 0, GP_NR_PORTS * sizeof(*b));
		for (int k = 0; k < 300; k++) {
			unsigned lo = 1 + rand_r(&seed) % 65535;
			unsigned span = rand_r(&seed) % 4 ? 0 : rand_r(&seed) % 50;
			unsigned protos = rand_r(&seed) % 16;

			for (unsigned p = lo; p <= lo + span && p <= 65535; p++)
				a[p] = protos;
		}
		n = gp_portlist_format(a, buf, sizeof(buf));
		assert_true(n >= 0);
		if (n == 0) {
			assert_int_equal(gp_rules_count(a), 0);
			continue;
		}
		assert_int_equal(gp_portlist_parse(buf, b, err, sizeof(err)), 0);
		assert_memory_equal(a, b, GP_NR_PORTS * sizeof(*a));
	}
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_port_all_protocols),
		cmocka_unit_test(test_example_list),
		cmocka_unit_test(test_whitespace_case_aliases_and_or),
		cmocka_unit_test(test_full_range),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_edge_cases),
		cmocka_unit_test(test_format_canonical),
		cmocka_unit_test(test_format_too_small),
		cmocka_unit_test(test_round_trip_random),
	};

	return cmocka_run_group_tests_name("portlist", tests, NULL, NULL);
}
