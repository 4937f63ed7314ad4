// SPDX-License-Identifier: GPL-2.0
/*
 * syslog.c - RFC 5424 messages:
 *
 *   <PRI>1 TIMESTAMP HOSTNAME ghostport PROCID MSGID [bind@32473 ...] MSG
 *
 * PRI is facility auth with the severity of gp_syslog_severity(); TIMESTAMP
 * is UTC with microseconds (the RFC allows at most 6 fraction digits);
 * HOSTNAME is r->hostname when it is 1..255 printable ASCII without spaces,
 * else the NILVALUE "-"; PROCID is ghostport's own pid (the syslog
 * originator; the binding task's pid is the SD param "pid"); MSGID names
 * the verdict (BIND_AUDIT, BIND_DENY, BIND_EXEMPT, BIND_BYPASS, BIND_NONE).
 *
 * Structured data: one element with SD-ID "bind@32473" whose param names
 * are fixed ASCII SD-NAMEs (no '=', ' ', ']', '"'; at most 32).  Param
 * values must be UTF-8 with '"', '\' and ']' escaped by a backslash; a
 * control character or a byte that is not valid UTF-8 becomes U+FFFD and
 * the raw bytes are added as comm_hex/exe_hex so nothing is lost.
 * Unknown fields are left out (RFC 5424 has no null).
 *
 * MSG is the printable-ASCII summary (format/summary.c): ASCII is valid as
 * MSG-ANY, so no BOM is written, and no receiver has to guess an encoding.
 */
#include <stdio.h>
#include <unistd.h>

#include "format/format.h"
#include "format/internal.h"
#include "event/names.h"
#include "lib/strbuf.h"
#include "lib/timefmt.h"

#define SD_ID		"bind@" GP_SYSLOG_PEN
#define SD_SPECIAL	"\"\\]"		/* RFC 5424 6.3.3: must be escaped */

int gp_syslog_severity(const struct gp_record *r)
{
	switch (r->ev.verdict) {
	case GP_VERDICT_DENY:
	case GP_VERDICT_BYPASS:
	case GP_VERDICT_CLOSED:
	case GP_VERDICT_OPEN:	return 4;
	case GP_VERDICT_AUDIT:
	case GP_VERDICT_PRESENT:
	case GP_VERDICT_EXEMPT:	return 5;
	default:		return 6;
	}
}

static const char *msgid(__u8 verdict)
{
	switch (verdict) {
	case GP_VERDICT_AUDIT:	return "BIND_AUDIT";
	case GP_VERDICT_DENY:	return "BIND_DENY";
	case GP_VERDICT_EXEMPT:	return "BIND_EXEMPT";
	case GP_VERDICT_BYPASS:	return "BIND_BYPASS";
	case GP_VERDICT_NONE:	return "BIND_NONE";
	case GP_VERDICT_PRESENT: return "SCAN_PRESENT";
	case GP_VERDICT_GONE:	return "SCAN_GONE";
	case GP_VERDICT_CLOSED:	return "SCAN_CLOSED";
	case GP_VERDICT_OPEN:	return "SCAN_OPEN";
	default:		return "BIND";
	}
}

/* HOSTNAME: PRINTUSASCII (33..126), 1..255, else NILVALUE. */
static void put_hostname(struct gp_sb *b, const char *h)
{
	size_t n = h ? strnlen(h, 256) : 0;

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)h[i] < 33 || (unsigned char)h[i] > 126)
			n = 0;
	if (n == 0 || n > 255)
		gp_sb_char(b, '-');
	else
		gp_sb_add(b, h, n);
}

/* "<PRI>1 TS HOST ghostport PROCID MSGID " */
static void put_header(struct gp_sb *b, int severity,
		       const struct timespec *ts, const char *host,
		       const char *id)
{
	char t[32];

	gp_sb_char(b, '<');
	gp_sb_u64(b, (uint64_t)(GP_SYSLOG_FACILITY * 8 + severity));
	gp_sb_str(b, ">1 ");
	gp_sb_add(b, t, (size_t)gp_time_rfc3339(t, ts, 6));
	gp_sb_char(b, ' ');
	put_hostname(b, host);
	gp_sb_str(b, " ghostport ");
	gp_sb_u64(b, (uint64_t)getpid());
	gp_sb_char(b, ' ');
	gp_sb_str(b, id);
	gp_sb_char(b, ' ');
}

static void param_begin(struct gp_sb *b, const char *name)
{
	gp_sb_char(b, ' ');
	gp_sb_str(b, name);
	gp_sb_str(b, "=\"");
}

static void param_str(struct gp_sb *b, const char *name, const char *v)
{
	param_begin(b, name);
	gp_sb_escaped(b, v, strlen(v), SD_SPECIAL, 0);
	gp_sb_char(b, '"');
}

static void param_u64(struct gp_sb *b, const char *name, uint64_t v)
{
	param_begin(b, name);
	gp_sb_u64(b, v);
	gp_sb_char(b, '"');
}

/* Bytes from the task: clean UTF-8 value, plus NAME_hex when lossy. */
static void param_bytes(struct gp_sb *b, const char *name, const char *hexname,
			const char *v, size_t n)
{
	bool lossy;

	param_begin(b, name);
	lossy = gp_sb_escaped(b, v, n, SD_SPECIAL, 0);
	gp_sb_char(b, '"');
	if (lossy) {
		param_begin(b, hexname);
		gp_sb_hex(b, v, n);
		gp_sb_char(b, '"');
	}
}

static void put_opts(struct gp_sb *b, __u8 opts)
{
	bool first = true;

	param_begin(b, "opts");
	for (unsigned bit = 0; bit < GP_OPT_NR_BITS; bit++) {
		if (!(opts & (1U << bit)))
			continue;
		if (!first)
			gp_sb_char(b, ',');
		gp_sb_str(b, gp_opt_name(bit));
		first = false;
	}
	gp_sb_char(b, '"');
}

int gp_syslog_prefix(int severity, const struct timespec *ts,
		     const char *hostname, const char *id, char *buf,
		     size_t len)
{
	struct gp_sb b;

	gp_sb_init(&b, buf, len);
	put_header(&b, severity, ts, hostname, id);
	gp_sb_str(&b, "- ");
	return gp_sb_finish(&b);
}

int gp_syslog_wrap_prefix(const struct gp_record *r, char *buf, size_t len)
{
	return gp_syslog_prefix(gp_syslog_severity(r), &r->wall, r->hostname,
				msgid(r->ev.verdict), buf, len);
}

/* A name from the system: the value, plus KEY_hex when it was lossy. */
static void param_name(struct gp_sb *b, const char *name, const char *v)
{
	char hexname[32];

	snprintf(hexname, sizeof(hexname), "%s_hex", name);
	param_bytes(b, name, hexname, v, strlen(v));
}

/* The json format's names for what RFC 5424 writes like CEF does
 * (format/kv.c). */
static const struct gp_kv_format sd_kv = {
	.str = param_str, .u64 = param_u64, .name = param_name,
	.exe_ino = "exe_ino", .exe_dev = "exe_dev", .exe_flags = "exe_flags",
	.exe_reason = "exe_reason",
	.group = "group", .euid = "euid", .egid = "egid", .euser = "euser",
	.egroup = "egroup", .auid = "auid", .sessionid = "sessionid",
	.cgroup = "cgroup",
	.holder_special = SD_SPECIAL ",:", .holder_esc = 0,
};

/* Who bound: the json format's identity keys, each only when known. */
static void put_identity(struct gp_sb *b, const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;
	const struct gp_ident *id = &r->id;
	char line[GP_CMDLINE_MAX];
	size_t n;

	gp_kv_put_exe(&sd_kv, b, r);
	if (id->has_args && !r->scan) {	/* scan: its holders' */
		/* One string (SD params do not repeat well); args_hex has
		 * the NUL-separated bytes when it had to replace any. */
		n = gp_ident_cmdline(id, line, sizeof(line));
		param_begin(b, "cmdline");
		if (gp_sb_escaped(b, line, n, SD_SPECIAL, 0)) {
			gp_sb_char(b, '"');
			param_begin(b, "args_hex");
			gp_sb_hex(b, id->args, id->args_len);
		}
		gp_sb_char(b, '"');
		if (ev->args_flags & GP_AF_TRUNCATED)
			param_str(b, "args_truncated", "true");
	}
	if (ev->valid & GP_VF_PARENT)
		param_bytes(b, "parent_comm", "parent_comm_hex",
			    ev->parent_comm,
			    strnlen(ev->parent_comm, GP_COMM_LEN));
	if (id->parent_exe.path[0])
		param_bytes(b, "parent_exe", "parent_exe_hex",
			    id->parent_exe.path, strlen(id->parent_exe.path));
	if (id->user[0])
		param_name(b, "user", id->user);
	gp_kv_put_creds(&sd_kv, b, r);
	if (id->unit[0])
		param_name(b, "unit", id->unit);
	if (id->container_id[0])
		param_str(b, "container_id", id->container_id);
}

/* A scan event's second SD element: [scan@32473 netns_name state inode
 * holders="pid:comm:uid,..." cmdline close close_error]. */
static void put_scan(struct gp_sb *b, const struct gp_scan_info *si)
{
	gp_sb_str(b, "[scan@" GP_SYSLOG_PEN);
	param_bytes(b, "netns_name", "netns_name_hex", si->netns_name,
		    strlen(si->netns_name));
	param_str(b, "state", si->state);
	param_u64(b, "inode", si->inode);
	param_begin(b, "holders");
	gp_kv_put_holders(&sd_kv, b, si);
	gp_sb_char(b, '"');
	if (si->n_holders && si->holders[0].cmdline[0])
		param_bytes(b, "cmdline", "cmdline_hex", si->holders[0].cmdline,
			    strlen(si->holders[0].cmdline));
	param_str(b, "close", si->close);
	if (si->close_error)
		param_str(b, "close_error", si->close_error);
	gp_sb_char(b, ']');
}

int gp_format_syslog(const struct gp_record *r, char *buf, size_t len)
{
	const struct gp_event *ev = &r->ev;
	__u16 type = (ev->valid & GP_VF_TYPE) ? ev->sock_type : 0;
	bool has_ret = ev->valid & GP_VF_RET;
	struct gp_sb b;
	int n;

	gp_sb_init(&b, buf, len);
	put_header(&b, gp_syslog_severity(r), &r->wall, r->hostname,
		   msgid(ev->verdict));

	gp_sb_str(&b, "[" SD_ID);
	param_u64(&b, "pid", ev->pid);
	param_u64(&b, "tid", ev->tid);
	if (ev->valid & GP_VF_PPID)
		param_u64(&b, "ppid", ev->ppid);
	param_u64(&b, "uid", ev->uid);
	param_u64(&b, "gid", ev->gid);
	param_bytes(&b, "comm", "comm_hex", ev->comm,
		    strnlen(ev->comm, GP_COMM_LEN));
	if (r->exe[0])
		param_bytes(&b, "exe", "exe_hex", r->exe,
			    strnlen(r->exe, sizeof(r->exe)));
	put_identity(&b, r);
	param_str(&b, "family", gp_family_name(ev->family));
	param_str(&b, "proto", gp_proto_name(ev->protocol, type));
	if (ev->valid & GP_VF_TYPE)
		param_str(&b, "sock_type", gp_sock_type_name(ev->sock_type));
	param_bytes(&b, "addr", "addr_hex", r->addr,
		    strnlen(r->addr, sizeof(r->addr)));
	if (ev->flags & GP_EF_V4MAPPED)
		param_str(&b, "v4mapped", "true");
	param_u64(&b, "port", ev->port);
	if (r->service)
		param_str(&b, "service", r->service);
	if (has_ret) {
		param_begin(&b, "ret");
		gp_sb_s64(&b, ev->ret);
		gp_sb_char(&b, '"');
		if (ev->ret < 0)
			param_str(&b, "errno", gp_errno_name(ev->ret));
	}
	param_str(&b, "verdict", gp_verdict_name(ev->verdict));
	if (ev->verdict == GP_VERDICT_DENY)
		param_str(&b, "deny_errno", gp_errno_name(ev->deny_errno));
	param_str(&b, "source", gp_source_name(ev->source));
	if (ev->valid & GP_VF_CGROUP)
		param_u64(&b, "cgroup_id", ev->cgroup_id);
	if (ev->valid & GP_VF_NETNS)
		param_u64(&b, "netns", ev->netns_ino);
	if (ev->valid & GP_VF_IFINDEX)
		param_u64(&b, "ifindex", ev->ifindex);
	if (ev->valid & GP_VF_OPTS)
		put_opts(&b, ev->opts);
	param_str(&b, "kernel", (ev->flags & GP_EF_KERNEL) ? "true" : "false");
	param_str(&b, "listed", (ev->flags & GP_EF_LISTED) ? "true" : "false");
	if (r->count > 1)
		param_u64(&b, "count", r->count);
	if (r->machine_id)
		param_str(&b, "machine_id", r->machine_id);
	gp_sb_char(&b, ']');
	if (r->scan)
		put_scan(&b, r->scan);
	gp_sb_char(&b, ' ');

	if (b.overflow)
		return gp_sb_finish(&b);
	n = gp_format_summary(r, b.buf + b.pos, b.len - b.pos);
	if (n < 0) {
		b.overflow = true;
		return gp_sb_finish(&b);
	}
	b.pos += (size_t)n;
	gp_sb_char(&b, '\n');
	return gp_sb_finish(&b);
}

/* Shared with format/dropped.c (format/internal.h). */
int gp_format_syslog_dropped(uint64_t dropped, const struct timespec *now,
			     const char *host, const char *mid, char *buf,
			     size_t len)
{
	struct gp_sb b;

	gp_sb_init(&b, buf, len);
	put_header(&b, 4, now, host, "DROPPED");
	gp_sb_str(&b, "[dropped@" GP_SYSLOG_PEN);
	param_u64(&b, "count", dropped);
	if (mid)
		param_str(&b, "machine_id", mid);
	gp_sb_str(&b, "] ghostport: ");
	gp_sb_u64(&b, dropped);
	gp_sb_str(&b, " events dropped while collector was unreachable\n");
	return gp_sb_finish(&b);
}
