// SPDX-License-Identifier: GPL-2.0
/*
 * text.c - one aligned, human-readable line per event:
 *
 *   TIME VERDICT SOURCE PID COMM PROTO ADDR:PORT SERVICE RET [kernel] [flags]
 *        [exe=PATH|exe=?REASON] [unit=UNIT]
 *
 * Columns have fixed widths so a terminal full of events lines up; a value
 * longer than its column pushes the rest of that line right rather than
 * being cut.  Everything that comes from the task (comm) is escaped so a
 * line is always exactly one line, and a backslash is escaped too so the
 * escaped form is unambiguous.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "format/format.h"
#include "lib/strbuf.h"
#include "event/names.h"

#define W_TIME		23	/* 2026-11-23 15:04:05.123 */
#define W_VERDICT	7
#define W_SOURCE	6
#define W_PID		7	/* pid_max is at most 4194304 */
#define W_COMM		16	/* TASK_COMM_LEN - 1, unescaped */
#define W_PROTO		5
#define W_ADDR		21	/* 255.255.255.255:65535 */
#define W_SERVICE	15	/* IANA service names are at most 15 */
#define W_RET		10	/* EADDRINUSE; padded only if tags follow */

static void add_spaces(struct gp_sb *l, size_t n)
{
	static const char spaces[] = "                        ";

	while (n) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		gp_sb_add(l, spaces, k);
		n -= k;
	}
}

/* s left-aligned in width columns, then the column separator. */
static void add_col(struct gp_sb *l, const char *s, size_t width)
{
	size_t n = strlen(s);

	gp_sb_add(l, s, n);
	add_spaces(l, (n < width ? width - n : 0) + 1);
}

/* s right-aligned in width columns, then the column separator. */
static void add_col_right(struct gp_sb *l, const char *s, size_t width)
{
	size_t n = strlen(s);

	add_spaces(l, n < width ? width - n : 0);
	gp_sb_add(l, s, n);
	add_spaces(l, 1);
}

/* comm up to its first NUL as printable ASCII (gp_sb_ascii_escaped). */
static void escape_comm(char *out, size_t outlen, const char *comm)
{
	struct gp_sb b;

	gp_sb_init(&b, out, outlen);
	gp_sb_ascii_escaped(&b, comm, strnlen(comm, GP_COMM_LEN));
	gp_sb_finish(&b);
}

/* Local time with milliseconds: "2026-11-23 15:04:05.123". */
static void format_local_time(char *out, size_t outlen,
			      const struct timespec *ts)
{
	struct tm tm;
	time_t sec = ts->tv_sec;
	long ms = ts->tv_nsec / 1000000;

	if (ms < 0 || ms > 999)
		ms = 0;
	if (!localtime_r(&sec, &tm) ||
	    !strftime(out, outlen, "%Y-%m-%d %H:%M:%S", &tm)) {
		snprintf(out, outlen, "@%lld", (long long)sec);
		return;
	}
	snprintf(out + strlen(out), outlen - strlen(out), ".%03ld", ms);
}

/* The RET column: errno name, the value, or "-" when not seen. */
static void format_ret(char *out, size_t outlen, const struct gp_event *ev)
{
	if (!(ev->valid & GP_VF_RET))
		snprintf(out, outlen, "-");
	else if (ev->ret < 0)
		/* Copied: an unknown errno's name lives in a buffer that the
		 * deny= flag's gp_errno_name() call would overwrite. */
		snprintf(out, outlen, "%s", gp_errno_name(ev->ret));
	else
		snprintf(out, outlen, "%d", ev->ret);
}

/* "[a,b]" of the flags worth a glance, or "" when there are none. */
static void format_flags(char *out, size_t outlen, const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;
	size_t pos = 0;

#define ADD_FLAG(...)							\
	do {								\
		if (pos < outlen)					\
			pos += (size_t)snprintf(out + pos, outlen - pos, \
						"%s", pos ? "," : "[");	\
		if (pos < outlen)					\
			pos += (size_t)snprintf(out + pos, outlen - pos, \
						__VA_ARGS__);		\
	} while (0)

	out[0] = '\0';
	if (ev->valid & GP_VF_OPTS)
		for (unsigned bit = 0; bit < GP_OPT_NR_BITS; bit++)
			if (ev->opts & (1U << bit))
				ADD_FLAG("%s", gp_opt_name(bit));
	if (ev->verdict == GP_VERDICT_DENY)
		ADD_FLAG("deny=%s", gp_errno_name(ev->deny_errno));
	if (r->count > 1)
		ADD_FLAG("x%u", (unsigned)r->count);
	if (r->scan) {
		const struct gp_scan_info *si = r->scan;
		char ns[4 * GP_SCAN_NETNS_LEN + 1];
		struct gp_sb b;

		gp_sb_init(&b, ns, sizeof(ns));
		gp_sb_ascii_escaped(&b, si->netns_name, strlen(si->netns_name));
		gp_sb_finish(&b);
		ADD_FLAG("%s", si->state);
		ADD_FLAG("netns=%s", ns);
		if (!si->n_holders)
			ADD_FLAG("no-holder");
		else if (si->n_holders > 1)
			ADD_FLAG("holders=%zu", si->n_holders);
		if (strcmp(si->close, "not-asked"))
			ADD_FLAG("close=%s", si->close);
		if (si->close_error)
			ADD_FLAG("%s", si->close_error);
	}
	if (pos && pos < outlen)
		snprintf(out + pos, outlen - pos, "]");
#undef ADD_FLAG
}

int gp_format_text_header(char *buf, size_t len)
{
	struct gp_sb l;

	gp_sb_init(&l, buf, len);
	add_col(&l, "TIME", W_TIME);
	add_col(&l, "VERDICT", W_VERDICT);
	add_col(&l, "SOURCE", W_SOURCE);
	add_col_right(&l, "PID", W_PID);
	add_col(&l, "COMM", W_COMM);
	add_col(&l, "PROTO", W_PROTO);
	add_col(&l, "ADDR:PORT", W_ADDR);
	add_col(&l, "SERVICE", W_SERVICE);
	gp_sb_str(&l, "RET\n");
	return gp_sb_finish(&l);
}

/*
 * " exe=PATH unit=UNIT": who bound, escaped like comm; an unknown path
 * says why (exe=?not_sent).  Nothing for a kernel socket with neither.
 */
static void add_identity(struct gp_sb *l, const struct gp_record *r)
{
	char esc[4 * GP_PATH_MAX + 16];
	struct gp_sb b;
	size_t n = strnlen(r->exe, sizeof(r->exe));

	gp_sb_init(&b, esc, sizeof(esc));
	if (n) {
		gp_sb_str(&b, " exe=");
		gp_sb_ascii_escaped(&b, r->exe, n);
	} else if (r->id.exe.reason) {
		gp_sb_str(&b, " exe=?");
		gp_sb_str(&b, r->id.exe.reason);
	}
	if (r->id.unit[0]) {
		gp_sb_str(&b, " unit=");
		gp_sb_ascii_escaped(&b, r->id.unit, strlen(r->id.unit));
	}
	if (gp_sb_finish(&b) > 0)
		gp_sb_str(l, esc);
}

int gp_format_text(const struct gp_record *r, char *buf, size_t len)
{
	const struct gp_event *ev = &r->ev;
	__u16 type = (ev->valid & GP_VF_TYPE) ? ev->sock_type : 0;
	char time[40], pid[12], comm[4 * GP_COMM_LEN + 1];
	char addr[INET6_ADDRSTRLEN + 16], ret[24], flags[640];
	const char *addr_s = r->addr[0] ? r->addr : "?";
	bool kernel = ev->flags & GP_EF_KERNEL;
	struct gp_sb l;

	format_local_time(time, sizeof(time), &r->wall);
	snprintf(pid, sizeof(pid), "%u", ev->pid);
	escape_comm(comm, sizeof(comm), ev->comm);
	/* IPv6 in brackets, as in a URL, so the port is not read as the
	 * address's last group. */
	snprintf(addr, sizeof(addr), ev->family == AF_INET6 ? "[%.*s]:%u"
							     : "%.*s:%u",
		 (int)strnlen(addr_s, sizeof(r->addr)), addr_s, ev->port);
	format_ret(ret, sizeof(ret), ev);
	format_flags(flags, sizeof(flags), r);

	gp_sb_init(&l, buf, len);
	add_col(&l, time, W_TIME);
	add_col(&l, gp_verdict_name(ev->verdict), W_VERDICT);
	add_col(&l, gp_source_name(ev->source), W_SOURCE);
	add_col_right(&l, pid, W_PID);
	add_col(&l, comm, W_COMM);
	add_col(&l, gp_proto_name(ev->protocol, type), W_PROTO);
	add_col(&l, addr, W_ADDR);
	add_col(&l, r->service ? r->service : "-", W_SERVICE);
	if (kernel || flags[0]) {
		add_col(&l, ret, W_RET);
		if (kernel)
			gp_sb_str(&l, flags[0] ? "[kernel] " : "[kernel]");
		gp_sb_str(&l, flags);
	} else {
		/* Last column: no trailing blanks. */
		gp_sb_str(&l, ret);
	}
	add_identity(&l, r);
	gp_sb_str(&l, "\n");
	return gp_sb_finish(&l);
}
