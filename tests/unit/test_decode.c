// SPDX-License-Identifier: GPL-2.0
/* Unit tests for the one decoder: raw record -> gp_record. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include "event/decode.h"

static struct gp_event good(void)
{
	struct gp_event e;

	memset(&e, 0, sizeof(e));
	e.magic = GP_ABI_MAGIC;
	e.version = GP_ABI_VERSION;
	e.size = sizeof(e);
	e.ts_ns = 5000000000ULL;
	e.family = AF_INET;
	e.port = 686;
	e.protocol = IPPROTO_TCP;
	e.sock_type = SOCK_STREAM;
	e.addr[0] = 127;
	e.addr[3] = 1;
	return e;
}

static void test_decode_ipv4(void **state)
{
	struct gp_clock clk = { .boot_to_real_ns = 1000000000LL * 1700000000 };
	struct gp_event e = good();
	struct gp_record r;
	char err[128];

	(void)state;
	assert_int_equal(gp_decode(&e, sizeof(e), &clk, &r, err, sizeof(err)), 0);
	assert_string_equal(r.addr, "127.0.0.1");
	assert_string_equal(r.service, "hcp-wismar");
	assert_int_equal(r.wall.tv_sec, 1700000005);
	assert_int_equal(r.wall.tv_nsec, 0);
	assert_int_equal(r.count, 1);
}

static void test_decode_ipv6_mapped(void **state)
{
	struct gp_clock clk = { 0 };
	struct gp_event e = good();
	struct gp_record r;
	char err[128];

	(void)state;
	e.family = AF_INET6;
	e.port = 886;
	memset(e.addr, 0, 16);
	e.addr[10] = 0xff;
	e.addr[11] = 0xff;
	e.addr[12] = 127;
	e.addr[15] = 1;
	e.flags = GP_EF_V4MAPPED;
	assert_int_equal(gp_decode(&e, sizeof(e), &clk, &r, err, sizeof(err)), 0);
	assert_string_equal(r.addr, "::ffff:127.0.0.1");
	assert_string_equal(r.service, "iclcnet-locate");
}

static void test_decode_rejects(void **state)
{
	struct gp_clock clk = { 0 };
	struct gp_event e = good();
	struct gp_record r;
	char err[128];

	(void)state;
	assert_int_equal(gp_decode(&e, sizeof(e) - 1, &clk, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "short record"));
	e.magic = 0x12345678;
	assert_int_equal(gp_decode(&e, sizeof(e), &clk, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "magic"));
	e = good();
	e.version = GP_ABI_VERSION + 1;
	assert_int_equal(gp_decode(&e, sizeof(e), &clk, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "version"));
	e = good();
	e.size = 64;
	assert_int_equal(gp_decode(&e, sizeof(e), &clk, &r, err, sizeof(err)), -1);
	e = good();
	e.family = 1; /* AF_UNIX */
	assert_int_equal(gp_decode(&e, sizeof(e), &clk, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "family"));
}

static void test_clock(void **state)
{
	struct gp_clock c;
	struct timespec now, w;

	(void)state;
	gp_clock_sync(&c);
	clock_gettime(CLOCK_BOOTTIME, &now);
	w = gp_clock_wall(&c, (__u64)now.tv_sec * 1000000000ULL + (__u64)now.tv_nsec);
	clock_gettime(CLOCK_REALTIME, &now);
	assert_true(w.tv_sec >= now.tv_sec - 1 && w.tv_sec <= now.tv_sec + 1);
	assert_true(w.tv_nsec >= 0 && w.tv_nsec < 1000000000L);
}

static void test_exe_checked_by_inode(void **state)
{
	struct gp_clock clk = { 0 };
	struct gp_event e = good();
	struct gp_record r;
	char err[128];

	(void)state;
	e.pid = (__u32)getpid();
	e.valid = GP_VF_EXE;
	e.exe_ino = 1;	/* not our executable's inode */
	assert_int_equal(gp_decode(&e, sizeof(e), &clk, &r, err, sizeof(err)), 0);
	gp_decode_exe(&r);
	assert_string_equal(r.exe, "");
	/* A kernel bind has no executable worth naming. */
	e.valid = 0;
	gp_decode_exe(&r);
	assert_string_equal(r.exe, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_ipv4),
		cmocka_unit_test(test_decode_ipv6_mapped),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_exe_checked_by_inode),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
