// SPDX-License-Identifier: GPL-2.0
/*
 * journal.c - `journal`: one journal entry per event through
 * sd_journal_sendv(), so every field is a journal field a user can match
 * on (journalctl GHOSTPORT_VERDICT=deny GHOSTPORT_PORT=686).
 *
 * MESSAGE is the record in the output's format without its newline;
 * PRIORITY follows the syslog severity; SYSLOG_IDENTIFIER=ghostport;
 * MESSAGE_ID is fixed for bind events.  comm and exe are passed as the raw
 * bytes (journal fields are binary-safe).  The journal is local and
 * journald queues on its own, so there is no spool: a failed send is
 * counted as an error and a drop.
 *
 * Static builds (GP_NO_JOURNAL, no libsystemd) keep the file so that the
 * output is refused with a clear reason instead of a link error.
 */
#include <stdio.h>

#include "output/internal.h"

#ifdef GP_NO_JOURNAL

int gp_journal_check(char *err, size_t errlen)
{
	snprintf(err, errlen,
		 "the journal output is not available in this build (static, without libsystemd)");
	return -1;
}

int gp_journal_send(const struct gp_record *r, const char *line, size_t n)
{
	(void)r; (void)line; (void)n;
	return -1;
}

#else

#include <stdarg.h>
#include <string.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "event/names.h"

/* journalctl MESSAGE_ID=... for every bind event ghostport reports. */
#define GP_JOURNAL_MESSAGE_ID	"MESSAGE_ID=6a1f3c2e9b5d4e7f8a0b1c2d3e4f5a6b"
#define MAX_FIELDS		40
#define FIELD_BUF		2048

struct fields {
	struct iovec iov[MAX_FIELDS];
	int n;
	char buf[FIELD_BUF];		/* the small fields, back to back */
	size_t used;
};

static void add_iov(struct fields *f, const void *p, size_t len)
{
	if (f->n < MAX_FIELDS) {
		f->iov[f->n].iov_base = (void *)p;
		f->iov[f->n].iov_len = len;
		f->n++;
	}
}

/* "NAME=value" formatted into the shared buffer. */
__attribute__((format(printf, 2, 3)))
static void addf(struct fields *f, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (f->used >= sizeof(f->buf))
		return;
	va_start(ap, fmt);
	len = vsnprintf(f->buf + f->used, sizeof(f->buf) - f->used, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(f->buf) - f->used)
		return;
	add_iov(f, f->buf + f->used, (size_t)len);
	f->used += (size_t)len + 1;
}

/* NAME=<raw bytes> built in dst (one buffer per such field: an iovec is
 * one whole field). */
static void add_bytes(struct fields *f, char *dst, size_t dstlen,
		      const char *name, const char *p, size_t len)
{
	size_t nl = strlen(name);

	if (nl + len > dstlen)
		len = dstlen - nl;
	memcpy(dst, name, nl);
	memcpy(dst + nl, p, len);
	add_iov(f, dst, nl + len);
}

/* The run loop is one thread: these live between calls, not per event. */
static char msg_field[GP_OUT_MAX_MSG], comm_field[32], exe_field[PATH_MAX + 32];

int gp_journal_check(char *err, size_t errlen)
{
	(void)err; (void)errlen;
	return 0;
}

int gp_journal_send(const struct gp_record *r, const char *line, size_t n)
{
	const struct gp_event *ev = &r->ev;
	__u16 type = (ev->valid & GP_VF_TYPE) ? ev->sock_type : 0;
	struct fields f;
	char opts[GP_OPTS_STR_LEN];

	f.n = 0;
	f.used = 0;
	if (n && line[n - 1] == '\n')
		n--;
	add_bytes(&f, msg_field, sizeof(msg_field), "MESSAGE=", line, n);
	addf(&f, "PRIORITY=%d", gp_syslog_severity(r));
	addf(&f, "SYSLOG_IDENTIFIER=ghostport");
	addf(&f, "SYSLOG_FACILITY=%d", GP_SYSLOG_FACILITY);
	addf(&f, GP_JOURNAL_MESSAGE_ID);
	addf(&f, "GHOSTPORT_VERDICT=%s", gp_verdict_name(ev->verdict));
	addf(&f, "GHOSTPORT_SOURCE=%s", gp_source_name(ev->source));
	addf(&f, "GHOSTPORT_PID=%u", ev->pid);
	addf(&f, "GHOSTPORT_TID=%u", ev->tid);
	if (ev->valid & GP_VF_PPID)
		addf(&f, "GHOSTPORT_PPID=%u", ev->ppid);
	addf(&f, "GHOSTPORT_UID=%u", ev->uid);
	addf(&f, "GHOSTPORT_GID=%u", ev->gid);
	add_bytes(&f, comm_field, sizeof(comm_field), "GHOSTPORT_COMM=", ev->comm,
		  strnlen(ev->comm, GP_COMM_LEN));
	if (r->exe[0])
		add_bytes(&f, exe_field, sizeof(exe_field), "GHOSTPORT_EXE=", r->exe,
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
	return sd_journal_sendv(f.iov, f.n) < 0 ? -1 : 0;
}

#endif /* GP_NO_JOURNAL */
