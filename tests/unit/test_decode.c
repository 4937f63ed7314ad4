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
	e.hdr_size = sizeof(e);
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
	assert_string_equal(r.id.exe.reason, "not_sent");
	e.valid = 0;
	e.flags = GP_EF_KERNEL;
	assert_int_equal(gp_decode(&e, sizeof(e), &clk, &r, err, sizeof(err)), 0);
	gp_decode_exe(&r);
	assert_string_equal(r.exe, "");
	assert_string_equal(r.id.exe.reason, "kernel_thread");
}

/* A v2 record with parts, built as a producer does. */
struct rec2 {
	struct gp_event e;
	unsigned char parts[GP_RECORD_MAX];
};

static size_t add_part(struct rec2 *r, size_t off, __u16 type,
		       const void *data, size_t len)
{
	struct gp_part *p = (struct gp_part *)((unsigned char *)r + off);

	p->type = type;
	p->len = len;
	p->__pad = 0;
	memcpy(p + 1, data, len);
	return off + GP_PART_SIZE(len);
}

static size_t build_v2(struct rec2 *r, __u64 ino, const char *exe,
		       const char *pexe, const void *args, size_t alen)
{
	size_t off = sizeof(r->e);

	memset(r, 0, sizeof(*r));
	r->e = good();
	r->e.valid = GP_VF_EXE | GP_VF_PARENT_EXE | GP_VF_ARGS | GP_VF_CREDS;
	r->e.exe_ino = ino;
	r->e.exe_dev = 42;
	r->e.parent_exe_ino = ino + 1;
	r->e.parent_exe_dev = 42;
	r->e.euid = 0;
	r->e.uid = 65534;
	if (exe)
		off = add_part(r, off, GP_PART_EXE_PATH, exe, strlen(exe));
	else
		r->e.exe_flags |= GP_XF_SENT;
	if (pexe)
		off = add_part(r, off, GP_PART_PARENT_EXE_PATH, pexe,
			       strlen(pexe));
	else
		r->e.parent_exe_flags |= GP_XF_SENT;
	if (args)
		off = add_part(r, off, GP_PART_ARGS, args, alen);
	off = add_part(r, off, 99, "future", 6);	/* unknown: skipped */
	r->e.size = off;
	return off;
}

static void test_decode_v2_parts(void **state)
{
	static const char args[] = "/bin/x\0-c\0a\nb\"\xff";
	struct gp_clock clk = { 0 };
	struct rec2 r2;
	struct gp_record r;
	char err[160];
	size_t n;

	(void)state;
	gp_ident_reset();
	n = build_v2(&r2, 7000, "/opt/x/bin/x", "/usr/bin/bash", args,
		     sizeof(args) - 1);
	assert_int_equal(gp_decode(&r2, n, &clk, &r, err, sizeof(err)), 0);
	gp_decode_exe(&r);
	assert_string_equal(r.exe, "/opt/x/bin/x");
	assert_null(r.id.exe.reason);
	assert_string_equal(r.id.parent_exe.path, "/usr/bin/bash");
	assert_true(r.id.has_args);
	assert_int_equal(r.id.args_len, sizeof(args) - 1);
	assert_memory_equal(r.id.args, args, sizeof(args) - 1);
	/* The next record of the same executables has no paths: cached. */
	n = build_v2(&r2, 7000, NULL, NULL, NULL, 0);
	assert_int_equal(gp_decode(&r2, n, &clk, &r, err, sizeof(err)), 0);
	gp_decode_exe(&r);
	assert_string_equal(r.exe, "/opt/x/bin/x");
	assert_string_equal(r.id.parent_exe.path, "/usr/bin/bash");
	assert_false(r.id.has_args);
	/* Sent to an earlier reader: unknown here, with the reason. */
	n = build_v2(&r2, 9000, NULL, NULL, NULL, 0);
	assert_int_equal(gp_decode(&r2, n, &clk, &r, err, sizeof(err)), 0);
	gp_decode_exe(&r);
	assert_string_equal(r.exe, "");
	assert_string_equal(r.id.exe.reason, "sent_before_reader");
	assert_int_equal(r.ev.exe_ino, 9000);
}

static void test_decode_v2_rejects(void **state)
{
	struct gp_clock clk = { 0 };
	struct rec2 r2;
	struct gp_record r;
	struct gp_part *p;
	char err[160];
	size_t n;

	(void)state;
	n = build_v2(&r2, 1, "/x", NULL, NULL, 0);
	/* A part longer than the record. */
	p = (struct gp_part *)((unsigned char *)&r2 + sizeof(r2.e));
	p->len = 4000;
	assert_int_equal(gp_decode(&r2, n, &clk, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "overruns"));
	/* A record that says it is longer than what was read. */
	n = build_v2(&r2, 1, "/x", NULL, NULL, 0);
	assert_int_equal(gp_decode(&r2, n - 8, &clk, &r, err, sizeof(err)), -1);
	/* v1 (128 bytes, version 1): one line naming the version. */
	n = build_v2(&r2, 1, NULL, NULL, NULL, 0);
	r2.e.version = 1;
	r2.e.size = 128;
	assert_int_equal(gp_decode(&r2, 128, &clk, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ABI version 1"));
	assert_null(strchr(err, '\n'));
}

static void test_cgroup_units(void **state)
{
	static const struct {
		const char *path, *unit, *cid, *rt;
	} c[] = {
		{ "/system.slice/rpc-statd.service", "rpc-statd.service", "", NULL },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope",
		  "x.scope", "", NULL },
		{ "/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope",
		  "docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope",
		  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "docker" },
		{ "/docker/fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
		  "", "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", "docker" },
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1a2b.slice/cri-containerd-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.scope",
		  "cri-containerd-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.scope",
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "containerd" },
		{ "/machine.slice/libpod-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.scope/container",
		  "libpod-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.scope",
		  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "podman" },
		{ "/", "", "", NULL },
		{ "/system.slice", "system.slice", "", NULL },
	};
	struct gp_ident id;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		gp_ident_cgroup_parse(c[i].path, &id);
		assert_string_equal(id.unit, c[i].unit);
		assert_string_equal(id.container_id, c[i].cid);
		if (c[i].rt)
			assert_string_equal(id.container_runtime, c[i].rt);
		else
			assert_null(id.container_runtime);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_ipv4),
		cmocka_unit_test(test_decode_ipv6_mapped),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_exe_checked_by_inode),
		cmocka_unit_test(test_decode_v2_parts),
		cmocka_unit_test(test_decode_v2_rejects),
		cmocka_unit_test(test_cgroup_units),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
