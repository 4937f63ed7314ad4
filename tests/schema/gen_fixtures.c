// SPDX-License-Identifier: GPL-2.0
/*
 * gen_fixtures - every shape of event the JSON SIEM formats write, for the
 * schema validators (tests/schema/check-*.py): one line per case and
 * format, "<case>\t<format>\t<the formatter's line>".
 *
 *   gen_fixtures ecs|ocsf|json
 *
 * Cases: each verdict (audit, deny, exempt, unlisted), a failed bind, a
 * bind whose result is unknown, IPv6 and v4-mapped, a socket bound to a
 * device, a kernel socket, no executable, no host identity, a hostile comm
 * (control characters, invalid UTF-8), the folded event, the drop notice;
 * who bound (ABI v2 identity): full identity with a systemd unit, a setuid
 * helper in a container, hostile argv/parent, an unknown path with its
 * reason, a memfd, truncated argv; and the scan events (issue 18): present with two holders, gone, closed,
 * open (closing failed), a socket no process holds, an IPv6 listener.
 * The records start from the unit tests' fixture (tests/unit/fixture_record.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "../unit/fixture_record.h"
#include "format/format.h"

static char buf[GP_FORMAT_BUF_SIZE];

/* argv with a newline, quotes, ESC, invalid UTF-8, an empty argument, C1. */
static const char hostile_args[] =
	"/tmp/x\0a\nb\0it's \"q\"\0\x1b[31m\xff\xfe]=|\\\0\0\xc2\x85\0";

static void base(struct gp_record *r)
{
	fixture_record(r);
	r->hostname = "host-1.example";
	r->machine_id = "0123456789abcdef0123456789abcdef";
}

static void emit(const char *name, enum gp_format f, int n)
{
	if (n < 0) {
		fprintf(stderr, "gen_fixtures: %s: formatter failed\n", name);
		return;
	}
	printf("%s\t%s\t%s", name, gp_format_name(f), buf);
}

static struct gp_scan_holder holders[2] = {
	{ .pid = 4242, .ppid = 1, .uid = 0, .gid = 0, .fd = 3,
	  .comm = "nc", .exe = "/usr/bin/nc.openbsd", .exe_known = true,
	  .cmdline = "nc -l -p 886", .cgroup = "/system.slice/squat.service",
	  .cgroup_id = 4711, .netns_ino = 4026531840U },
	{ .pid = 4243, .ppid = 4242, .uid = 1000, .gid = 1000, .fd = 3,
	  .comm = "nc\x01", .exe = "/usr/bin/nc.openbsd",
	  .cmdline = "nc -l -p 886", .cgroup = "/user.slice",
	  .netns_ino = 4026531840U },
};

/* A scan event on r (source scan, verdict v) with the given holders. */
static void scan(struct gp_record *r, struct gp_scan_info *si, __u8 v,
		 size_t n_holders, const char *close, const char *why)
{
	base(r);
	r->ev.source = GP_SRC_SCAN;
	r->ev.verdict = v;
	r->ev.valid &= ~(__u32)(GP_VF_RET | GP_VF_OPTS);
	r->ev.ret = 0;
	r->ev.port = 886;
	memset(si, 0, sizeof(*si));
	si->netns_name = "host";
	si->state = "listen";
	si->inode = 123456;
	si->cookie = 987654321;
	si->holders = holders;
	si->n_holders = n_holders;
	si->close = close;
	si->close_error = why;
	r->scan = si;
	if (!n_holders) {
		r->ev.pid = r->ev.tid = r->ev.ppid = 0;
		memset(r->ev.comm, 0, sizeof(r->ev.comm));
		r->exe[0] = '\0';
		r->ev.valid &= ~(__u32)GP_VF_PPID;
	}
}

static void one(const char *name, enum gp_format f, const struct gp_record *r)
{
	emit(name, f, gp_format_record(f, r, buf, sizeof(buf)));
}

int main(int argc, char **argv)
{
	struct gp_record r;
	struct timespec now = { 1795446245, 5 };
	int f = argc == 2 ? gp_format_parse(argv[1]) : -1;

	if (f < 0) {
		fprintf(stderr, "usage: gen_fixtures ecs|ocsf|json|cef|syslog|text\n");
		return 2;
	}

	base(&r);				/* denied by the LSM, EACCES */
	one("deny", f, &r);

	base(&r);
	r.ev.verdict = GP_VERDICT_AUDIT;
	r.ev.ret = 0;
	r.ev.source = GP_SRC_FENTRY;
	one("audit", f, &r);

	base(&r);
	r.ev.verdict = GP_VERDICT_EXEMPT;
	r.ev.ret = 0;
	r.ev.source = GP_SRC_CGROUP;
	one("exempt", f, &r);

	base(&r);			/* deny rule matched, not enforced */
	r.ev.verdict = GP_VERDICT_BYPASS;
	r.ev.deny_errno = 0;
	r.ev.ret = 0;
	r.ev.source = GP_SRC_FENTRY;
	one("bypass", f, &r);

	base(&r);
	r.ev.verdict = GP_VERDICT_NONE;	/* --all: not listed */
	r.ev.flags = 0;
	r.ev.ret = 0;
	r.ev.port = 8080;
	r.service = "http-alt";
	one("unlisted", f, &r);

	base(&r);
	r.ev.verdict = GP_VERDICT_AUDIT;
	r.ev.ret = -EADDRINUSE;
	one("audit-failed", f, &r);

	base(&r);
	r.ev.verdict = GP_VERDICT_AUDIT;
	r.ev.valid &= ~(__u32)(GP_VF_RET | GP_VF_PPID | GP_VF_TYPE | GP_VF_OPTS);
	r.ev.source = GP_SRC_CGROUP;
	one("audit-ret-unknown", f, &r);

	base(&r);
	r.ev.verdict = GP_VERDICT_AUDIT;
	r.ev.ret = 0;
	r.ev.family = AF_INET6;
	r.ev.protocol = IPPROTO_UDP;
	r.ev.sock_type = SOCK_DGRAM;
	strcpy(r.addr, "2001:db8::7");
	one("audit-ipv6-udp", f, &r);

	base(&r);
	r.ev.verdict = GP_VERDICT_AUDIT;
	r.ev.ret = 0;
	r.ev.family = AF_INET6;
	r.ev.flags |= GP_EF_V4MAPPED;
	strcpy(r.addr, "::ffff:192.0.2.7");
	one("audit-v4mapped", f, &r);

	base(&r);
	r.ev.verdict = GP_VERDICT_AUDIT;
	r.ev.ret = 0;
	r.ev.valid |= GP_VF_IFINDEX;
	r.ev.ifindex = 3;			/* SO_BINDTODEVICE */
	one("audit-bound-device", f, &r);

	base(&r);
	r.ev.verdict = GP_VERDICT_AUDIT;
	r.ev.ret = 0;
	r.ev.flags |= GP_EF_KERNEL;
	r.ev.pid = r.ev.tid = 0;
	memset(r.ev.comm, 0, sizeof(r.ev.comm));
	memcpy(r.ev.comm, "kworker/0:1", 11);
	r.exe[0] = '\0';
	r.ev.valid &= ~(__u32)GP_VF_PPID;
	one("audit-kernel-no-exe", f, &r);

	base(&r);
	r.hostname = NULL;
	r.machine_id = NULL;
	one("deny-no-host-identity", f, &r);

	base(&r);
	memcpy(r.ev.comm, "a\"\\]|=\n\r\x01\xff\xc3(", 12);
	one("deny-hostile-comm", f, &r);

	base(&r);
	memcpy(r.exe, "/tmp/\x1b[31mevil\xff", 15);
	r.exe[15] = '\0';
	one("deny-hostile-exe", f, &r);

	base(&r);
	r.ev.verdict = GP_VERDICT_AUDIT;
	r.ev.ret = 0;
	r.count = 17;
	r.fold_first_ns = r.ev.ts_ns > 4000000000ULL ? r.ev.ts_ns - 4000000000ULL : 0;
	one("audit-folded", f, &r);

	base(&r);
	fixture_identity(&r, FIXTURE_ARGS, sizeof(FIXTURE_ARGS) - 1);
	one("deny-identity", f, &r);

	base(&r);
	r.ev.verdict = GP_VERDICT_AUDIT;
	r.ev.ret = 0;
	fixture_identity(&r, FIXTURE_ARGS, sizeof(FIXTURE_ARGS) - 1);
	r.ev.uid = r.ev.gid = 65534;
	strcpy(r.id.user, "nobody");
	strcpy(r.id.group, "nogroup");
	r.ev.euid = 0;
	strcpy(r.id.euser, "root");
	r.ev.auid = r.ev.sessionid = (__u32)-1;
	strcpy(r.id.cgroup, "/system.slice/docker-0123456789abcdef0123456789abcdef"
	       "0123456789abcdef0123456789abcdef.scope");
	r.id.unit[0] = '\0';
	strcpy(r.id.container_id, "0123456789abcdef0123456789abcdef"
	       "0123456789abcdef0123456789abcdef");
	r.id.container_runtime = "docker";
	one("audit-setuid-container", f, &r);

	base(&r);
	fixture_identity(&r, hostile_args, sizeof(hostile_args) - 1);
	memcpy(r.ev.parent_comm, "p\n\"\xff", 4);
	strcpy(r.id.parent_exe.path, "/tmp/\x1b]par\"ent\xc3");
	strcpy(r.id.unit, "x\\x2dy.service");
	one("deny-hostile-args", f, &r);

	base(&r);
	r.ev.verdict = GP_VERDICT_AUDIT;
	r.ev.ret = 0;
	fixture_identity(&r, FIXTURE_ARGS, sizeof(FIXTURE_ARGS) - 1);
	r.ev.exe_flags = GP_XF_DELETED | GP_XF_SENT;
	r.exe[0] = r.id.exe.path[0] = '\0';
	r.id.exe.reason = "sent_before_reader";
	r.ev.valid &= ~(__u32)GP_VF_PARENT_EXE;
	r.id.parent_exe.path[0] = '\0';
	one("audit-exe-unknown", f, &r);

	base(&r);
	fixture_identity(&r, FIXTURE_ARGS, sizeof(FIXTURE_ARGS) - 1);
	r.ev.exe_flags = GP_XF_MEMFD | GP_XF_DELETED;
	strcpy(r.exe, "/memfd:payload (deleted)");
	strcpy(r.id.exe.path, r.exe);
	one("deny-memfd", f, &r);

	base(&r);
	{
		char big[GP_ARGS_MAX];

		memset(big, 'A', sizeof(big));
		big[10] = '\0';
		fixture_identity(&r, big, sizeof(big));
		r.ev.args_flags = GP_AF_TRUNCATED;
	}
	one("deny-args-truncated", f, &r);
	{
		struct gp_scan_info si;

		scan(&r, &si, GP_VERDICT_PRESENT, 2, "not-asked", NULL);
		one("scan-present-two-holders", f, &r);
		scan(&r, &si, GP_VERDICT_GONE, 1, "not-asked", NULL);
		one("scan-gone", f, &r);
		scan(&r, &si, GP_VERDICT_CLOSED, 1, "closed", NULL);
		one("scan-closed", f, &r);
		scan(&r, &si, GP_VERDICT_OPEN, 1, "failed",
		     "this kernel cannot destroy sockets (built without CONFIG_INET_DIAG_DESTROY) (EOPNOTSUPP)");
		one("scan-open-close-failed", f, &r);
		scan(&r, &si, GP_VERDICT_PRESENT, 0, "no-holder", NULL);
		si.state = "unconnected";
		r.ev.protocol = IPPROTO_UDP;
		r.ev.sock_type = SOCK_DGRAM;
		one("scan-present-unowned-udp", f, &r);
		scan(&r, &si, GP_VERDICT_PRESENT, 1, "exempt", NULL);
		r.ev.family = AF_INET6;
		strcpy(r.addr, "::");
		si.netns_name = "netns blue";
		one("scan-present-ipv6-exempt", f, &r);
	}

	emit("dropped", f, gp_format_dropped(f, 1234, &now, "host-1.example",
					     "0123456789abcdef0123456789abcdef",
					     buf, sizeof(buf)));
	emit("dropped-no-host-identity", f,
	     gp_format_dropped(f, 1, &now, NULL, NULL, buf, sizeof(buf)));
	return 0;
}
