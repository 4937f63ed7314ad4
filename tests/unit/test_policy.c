// SPDX-License-Identifier: GPL-2.0
/* Unit tests for deny rules and exemptions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "policy/policy.h"
#include "policy/portlist.h"

static __u32 rules[GP_NR_PORTS];

static void test_deny_parse(void **state)
{
	char err[256];

	(void)state;
	memset(rules, 0, sizeof(rules));
	assert_int_equal(gp_deny_parse("686,886/tcp:EADDRINUSE", rules, EPERM,
				       err, sizeof(err)), 0);
	assert_int_equal(GP_RULE_AUDIT(rules[686]), GP_PROTO_ALL);
	assert_int_equal(GP_RULE_DENY(rules[686]), GP_PROTO_ALL);
	assert_int_equal(GP_RULE_ERRNO(rules[686]), EPERM);
	assert_int_equal(GP_RULE_DENY(rules[886]), GP_PROTO_TCP);
	assert_int_equal(GP_RULE_ERRNO(rules[886]), EADDRINUSE);
	assert_int_equal(rules[687], 0);
}

static void test_deny_errors(void **state)
{
	char err[256];

	(void)state;
	memset(rules, 0, sizeof(rules));
	assert_int_equal(gp_deny_parse("686:ENOTANERRNO", rules, EPERM, err,
				       sizeof(err)), -1);
	assert_non_null(strstr(err, "bad errno"));
	assert_int_equal(gp_deny_parse("", rules, EPERM, err, sizeof(err)), -1);
	assert_int_equal(gp_deny_parse("70000", rules, EPERM, err, sizeof(err)), -1);
	assert_int_equal(gp_deny_parse("686:0", rules, EPERM, err, sizeof(err)), -1);
}

static void test_deny_all_listed(void **state)
{
	char err[256];

	(void)state;
	memset(rules, 0, sizeof(rules));
	assert_int_equal(gp_portlist_parse("686,1000-1001/udp", rules, err,
					   sizeof(err)), 0);
	assert_int_equal(gp_deny_parse("886:EACCES", rules, EPERM, err,
				       sizeof(err)), 0);
	gp_deny_all_listed(rules, EADDRINUSE);
	assert_int_equal(GP_RULE_ERRNO(rules[686]), EADDRINUSE);
	assert_int_equal(GP_RULE_DENY(rules[1001]), GP_PROTO_UDP);
	/* An explicit rule keeps its errno. */
	assert_int_equal(GP_RULE_ERRNO(rules[886]), EACCES);
}

static void test_exemptions(void **state)
{
	struct gp_exemptions x;
	struct stat st;
	char err[256];

	(void)state;
	memset(&x, 0, sizeof(x));
	assert_int_equal(gp_exempt_add_uid(&x, "0", err, sizeof(err)), 0);
	assert_int_equal(gp_exempt_add_uid(&x, "root", err, sizeof(err)), 0);
	assert_int_equal(gp_exempt_add_uid(&x, "no-such-user-xyz", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown user"));
	assert_int_equal(gp_exempt_add_gid(&x, "0", err, sizeof(err)), 0);
	assert_int_equal(gp_exempt_add_exe(&x, "/bin/sh", err, sizeof(err)), 0);
	assert_int_equal(stat("/bin/sh", &st), 0);
	assert_int_equal(x.exes[0].ino, st.st_ino);
	assert_int_equal(x.exes[0].dev, (major(st.st_dev) << 20) | minor(st.st_dev));
	assert_int_equal(gp_exempt_add_exe(&x, "/nonexistent", err, sizeof(err)), -1);
	assert_int_equal(gp_exempt_add_exe(&x, "/tmp", err, sizeof(err)), -1);
	assert_int_equal(gp_exempt_add_cgroup(&x, "/tmp", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a cgroup v2"));
	assert_int_equal(gp_exempt_count(&x), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deny_parse),
		cmocka_unit_test(test_deny_errors),
		cmocka_unit_test(test_deny_all_listed),
		cmocka_unit_test(test_exemptions),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
