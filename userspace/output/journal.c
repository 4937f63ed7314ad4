// SPDX-License-Identifier: GPL-2.0
/*
 * journal.c - `journal` (and `journal:PATH`, another journald socket): one
 * journal entry per event, written in journald's native protocol to
 * /run/systemd/journal/socket by ghostport itself, so every field is a
 * journal field a user can match on (journalctl GHOSTPORT_VERDICT=deny
 * GHOSTPORT_PORT=686).
 *
 * Not through libsystemd: sd_journal_sendv() blocks when journald does
 * not read (a stalled or busy journald would stall the ring loop).  The
 * entry is a queued record (queued.c) sent as one datagram with
 * MSG_DONTWAIT: a full socket buffer keeps it queued (memory, then the
 * spool), past the spool bound it is dropped and counted, never waited
 * for.  Entries are bounded (GP_OUT_MAX_REC, about 37 KiB), far below the
 * datagram limit of the socket's send buffer, so the memfd passing that
 * sd_journal uses for huge entries is never needed.
 *
 * MESSAGE is the record in the output's format without its newline;
 * PRIORITY follows the syslog severity; SYSLOG_IDENTIFIER=ghostport;
 * MESSAGE_ID is fixed for bind events.  comm and exe are the raw bytes
 * (binary-safe fields, length-prefixed).
 *
 * What cannot be seen from here: journald's rate limit
 * (RateLimitIntervalSec/Burst, per unit) discards entries it accepted,
 * silently; "delivered" means journald's socket took the entry.  See
 * docs/siem.md.
 */
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <stdint.h>
#include <stdio.h>

#include "event/names.h"
#include "output/internal.h"

/* journalctl MESSAGE_ID=... for every bind event ghostport reports. */
#define GP_JOURNAL_MESSAGE_ID	"6a1f3c2e9b5d4e7f8a0b1c2d3e4f5a6b"
/* ... and for the notice of events dropped before they reached it. */
#define GP_JOURNAL_DROPPED_ID	"6a1f3c2e9b5d4e7f8a0b1c2d3e4f5a6c"
#define GP_JOURNAL_SOCKET	"/run/systemd/journal/socket"

/* An entry being built: fields in journald's native protocol. */
struct entry {
	char *buf;
	size_t cap, len;
	bool full;
};

/* NAME=value\n (a value without newlines) */
__attribute__((format(printf, 2, 3)))
static void addf(struct entry *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (e->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(e->buf + e->len, e->cap - e->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 1 >= e->cap - e->len) {
		e->full = true;
		return;
	}
	e->len += (size_t)n;
	e->buf[e->len++] = '\n';
}

/* NAME\n, the value's length (64-bit little endian), the value, \n:
 * any bytes, newlines included. */
static void add_bytes(struct entry *e, const char *name, const char *p,
		      size_t n)
{
	size_t nl = strlen(name);

	if (e->full || nl + 1 + 8 + n + 1 > e->cap - e->len) {
		e->full = true;
		return;
	}
	memcpy(e->buf + e->len, name, nl);
	e->len += nl;
	e->buf[e->len++] = '\n';
	for (int i = 0; i < 8; i++)
		e->buf[e->len++] = (char)((uint64_t)n >> (8 * i));
	memcpy(e->buf + e->len, p, n);
	e->len += n;
	e->buf[e->len++] = '\n';
}

int gp_journal_open(struct gp_output *o, const struct gp_output_env *env,
		    char *err, size_t errlen)
{
	if (!o->target[0])
		snprintf(o->target, sizeof(o->target), "%s", GP_JOURNAL_SOCKET);
	return gp_queued_open(o, env, err, errlen);
}

int gp_journal_entry(struct gp_output *o, const struct gp_record *r,
		     const char *line, size_t n, char *buf, size_t cap)
{
	const struct gp_event *ev = &r->ev;
	__u16 type = (ev->valid & GP_VF_TYPE) ? ev->sock_type : 0;
	struct entry f = { .buf = buf, .cap = cap };
	char opts[GP_OPTS_STR_LEN];

	(void)o;
	add_bytes(&f, "MESSAGE", line, n);
	addf(&f, "PRIORITY=%d", gp_syslog_severity(r));
	addf(&f, "SYSLOG_IDENTIFIER=ghostport");
	addf(&f, "SYSLOG_FACILITY=%d", GP_SYSLOG_FACILITY);
	addf(&f, "MESSAGE_ID=" GP_JOURNAL_MESSAGE_ID);
	addf(&f, "GHOSTPORT_VERDICT=%s", gp_verdict_name(ev->verdict));
	addf(&f, "GHOSTPORT_SOURCE=%s", gp_source_name(ev->source));
	addf(&f, "GHOSTPORT_PID=%u", ev->pid);
	addf(&f, "GHOSTPORT_TID=%u", ev->tid);
	if (ev->valid & GP_VF_PPID)
		addf(&f, "GHOSTPORT_PPID=%u", ev->ppid);
	addf(&f, "GHOSTPORT_UID=%u", ev->uid);
	addf(&f, "GHOSTPORT_GID=%u", ev->gid);
	add_bytes(&f, "GHOSTPORT_COMM", ev->comm, strnlen(ev->comm, GP_COMM_LEN));
	if (r->exe[0])
		add_bytes(&f, "GHOSTPORT_EXE", r->exe,
			  strnlen(r->exe, sizeof(r->exe)));
	addf(&f, "GHOSTPORT_FAMILY=%s", gp_family_name(ev->family));
	addf(&f, "GHOSTPORT_PROTO=%s", gp_proto_name(ev->protocol, type));
	if (ev->valid & GP_VF_TYPE)
		addf(&f, "GHOSTPORT_SOCK_TYPE=%s",
		     gp_sock_type_name(ev->sock_type));
	addf(&f, "GHOSTPORT_ADDR=%.*s", (int)strnlen(r->addr, sizeof(r->addr)),
	     r->addr);
	addf(&f, "GHOSTPORT_PORT=%u", ev->port);
	if (r->service)
		addf(&f, "GHOSTPORT_SERVICE=%s", r->service);
	if (ev->valid & GP_VF_RET) {
		addf(&f, "GHOSTPORT_RET=%d", ev->ret);
		if (ev->ret < 0)
			addf(&f, "GHOSTPORT_ERRNO=%s", gp_errno_name(ev->ret));
	}
	if (ev->verdict == GP_VERDICT_DENY)
		addf(&f, "GHOSTPORT_DENY_ERRNO=%s",
		     gp_errno_name(ev->deny_errno));
	if (ev->valid & GP_VF_CGROUP)
		addf(&f, "GHOSTPORT_CGROUP_ID=%llu",
		     (unsigned long long)ev->cgroup_id);
	if (ev->valid & GP_VF_NETNS)
		addf(&f, "GHOSTPORT_NETNS=%u", ev->netns_ino);
	if (ev->valid & GP_VF_IFINDEX)
		addf(&f, "GHOSTPORT_IFINDEX=%u", ev->ifindex);
	if (ev->valid & GP_VF_OPTS) {
		gp_opts_join(opts, sizeof(opts), ev->opts);
		addf(&f, "GHOSTPORT_OPTS=%s", opts);
	}
	addf(&f, "GHOSTPORT_KERNEL=%d", !!(ev->flags & GP_EF_KERNEL));
	addf(&f, "GHOSTPORT_LISTED=%d", !!(ev->flags & GP_EF_LISTED));
	if (r->count > 1)
		addf(&f, "GHOSTPORT_COUNT=%u", (unsigned)r->count);
	return f.full ? -1 : (int)f.len;
}

int gp_journal_notice(struct gp_output *o, uint64_t dropped, char *buf,
		      size_t cap)
{
	struct entry f = { .buf = buf, .cap = cap };
	struct timespec now;
	char msg[2048];
	int n;

	clock_gettime(CLOCK_REALTIME, &now);
	n = gp_format_dropped(o->fmt, dropped, &now, o->hostname,
			      o->machine_id[0] ? o->machine_id : NULL, msg,
			      sizeof(msg));
	if (n <= 0)
		return -1;
	if (msg[n - 1] == '\n')
		n--;
	add_bytes(&f, "MESSAGE", msg, (size_t)n);
	addf(&f, "PRIORITY=4");
	addf(&f, "SYSLOG_IDENTIFIER=ghostport");
	addf(&f, "SYSLOG_FACILITY=%d", GP_SYSLOG_FACILITY);
	addf(&f, "MESSAGE_ID=" GP_JOURNAL_DROPPED_ID);
	addf(&f, "GHOSTPORT_DROPPED=%llu", (unsigned long long)dropped);
	return f.full ? -1 : (int)f.len;
}
