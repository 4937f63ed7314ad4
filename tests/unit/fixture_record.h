/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fixture_record.h - the record the format tests start from: nc (pid 4242)
 * denied binding TCP 192.0.2.7:686 (hp-alarm-mgr, a listed ghost port) by
 * the LSM, with SO_REUSEADDR, at 2026-11-23T15:04:05.123456789Z.  Each test
 * file changes what it checks on top (test_format.c, test_format_siem.c),
 * so the values every format is expected to print are set in one place.
 */
#ifndef GP_FIXTURE_RECORD_H
#define GP_FIXTURE_RECORD_H

#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "event/record.h"

static void fixture_record(struct gp_record *r)
{
	memset(r, 0, sizeof(*r));
	r->ev.magic = GP_ABI_MAGIC;
	r->ev.version = GP_ABI_VERSION;
	r->ev.size = sizeof(r->ev);
	r->ev.hdr_size = sizeof(r->ev);
	r->ev.pid = 4242;
	r->ev.tid = 4243;
	r->ev.ppid = 1;
	r->ev.uid = 1000;
	r->ev.gid = 100;
	r->ev.netns_ino = 4026531840U;
	r->ev.cgroup_id = 12345;
	r->ev.ret = -EACCES;
	r->ev.family = AF_INET;
	r->ev.port = 686;
	r->ev.sock_type = SOCK_STREAM;
	r->ev.protocol = IPPROTO_TCP;
	r->ev.verdict = GP_VERDICT_DENY;
	r->ev.source = GP_SRC_LSM;
	r->ev.flags = GP_EF_LISTED;
	r->ev.opts = GP_OPT_REUSEADDR;
	r->ev.valid = GP_VF_RET | GP_VF_PPID | GP_VF_NETNS | GP_VF_OPTS |
		      GP_VF_CGROUP | GP_VF_TYPE;
	r->ev.deny_errno = EACCES;
	memcpy(r->ev.comm, "nc", 2);
	r->wall.tv_sec = 1795446245;	/* 2026-11-23T15:04:05Z */
	r->wall.tv_nsec = 123456789;
	strcpy(r->addr, "192.0.2.7");
	r->service = "hp-alarm-mgr";
	strcpy(r->exe, "/usr/bin/nc.openbsd");
}

/*
 * Who bound, on top of fixture_record(): what an ABI v2 producer and the
 * reader's enrichment give (tests/schema/gen_fixtures.c, test_format_siem.c).
 * args: argv's raw bytes (NUL-separated, as in /proc/PID/cmdline).
 */
static inline void fixture_identity(struct gp_record *r, const void *args,
			     size_t args_len)
{
	r->ev.valid |= GP_VF_EXE | GP_VF_CREDS | GP_VF_LOGIN | GP_VF_PARENT |
		       GP_VF_PARENT_EXE | GP_VF_ARGS;
	r->ev.exe_ino = 1234567;
	r->ev.exe_dev = (8U << 20) | 1;		/* 8:1, sda1 */
	r->ev.euid = 1000;
	r->ev.egid = 100;
	r->ev.auid = 1000;
	r->ev.sessionid = 3;
	r->ev.parent_exe_ino = 7654321;
	r->ev.parent_exe_dev = (8U << 20) | 1;
	memcpy(r->ev.parent_comm, "bash", 4);
	strcpy(r->id.exe.path, r->exe);
	strcpy(r->id.parent_exe.path, "/usr/bin/bash");
	if (args_len > sizeof(r->id.args))
		args_len = sizeof(r->id.args);
	memcpy(r->id.args, args, args_len);
	r->id.args_len = (__u16)args_len;
	r->id.has_args = true;
	strcpy(r->id.user, "alice");
	strcpy(r->id.group, "users");
	strcpy(r->id.euser, "alice");
	strcpy(r->id.egroup, "users");
	strcpy(r->id.cgroup, "/system.slice/rpc-statd.service");
	strcpy(r->id.unit, "rpc-statd.service");
}

#define FIXTURE_ARGS	"/usr/bin/nc\0-l\0-p\000686\0"

#endif /* GP_FIXTURE_RECORD_H */
