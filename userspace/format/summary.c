// SPDX-License-Identifier: GPL-2.0
/*
 * summary.c - the one-line human summary of an event, shared by the
 * SIEM formats so that "message" reads the same everywhere.  Printable
 * ASCII only (comm is \xHH-escaped), so it is safe in a syslog MSG without
 * a BOM, in a CEF value and in JSON.
 */
#include <string.h>
#include <sys/socket.h>

#include "format/format.h"
#include "event/names.h"
#include "lib/strbuf.h"

static const char *verdict_word(__u8 verdict)
{
	switch (verdict) {
	case GP_VERDICT_AUDIT:	return "audited";
	case GP_VERDICT_DENY:	return "denied";
	case GP_VERDICT_EXEMPT:	return "exempted";
	case GP_VERDICT_BYPASS:	return "NOT DENIED (bypass)";
	case GP_VERDICT_NONE:	return "seen";
	default:		return "unknown";
	}
}

/* A scan event: "socket present tcp 0.0.0.0:886 (svc) listen, held by
 * nc[42] uid 0 (+1 more), netns host[: closing failed: why]". */
static void scan_summary(struct gp_sb *b, const struct gp_record *r)
{
	const struct gp_scan_info *si = r->scan;
	const struct gp_event *ev = &r->ev;
	bool v6 = ev->family == AF_INET6;

	switch (ev->verdict) {
	case GP_VERDICT_GONE:	gp_sb_str(b, "socket gone "); break;
	case GP_VERDICT_CLOSED:	gp_sb_str(b, "socket closed "); break;
	case GP_VERDICT_OPEN:	gp_sb_str(b, "socket stayed open "); break;
	default:		gp_sb_str(b, "socket present "); break;
	}
	gp_sb_str(b, gp_proto_name(ev->protocol, 0));
	gp_sb_str(b, v6 ? " [" : " ");
	gp_sb_ascii_escaped(b, r->addr, strnlen(r->addr, sizeof(r->addr)));
	gp_sb_str(b, v6 ? "]:" : ":");
	gp_sb_u64(b, ev->port);
	if (r->service) {
		gp_sb_str(b, " (");
		gp_sb_ascii_escaped(b, r->service, strlen(r->service));
		gp_sb_char(b, ')');
	}
	gp_sb_char(b, ' ');
	gp_sb_str(b, si->state);
	if (!si->n_holders) {
		gp_sb_str(b, ", held by no process");
	} else {
		gp_sb_str(b, ", held by ");
		gp_sb_ascii_escaped(b, ev->comm, strnlen(ev->comm, GP_COMM_LEN));
		gp_sb_char(b, '[');
		gp_sb_u64(b, ev->pid);
		gp_sb_str(b, "] uid ");
		gp_sb_u64(b, ev->uid);
		if (si->n_holders > 1) {
			gp_sb_str(b, " (+");
			gp_sb_u64(b, si->n_holders - 1);
			gp_sb_str(b, " more)");
		}
	}
	gp_sb_str(b, ", netns ");
	gp_sb_ascii_escaped(b, si->netns_name, strlen(si->netns_name));
	if (si->close_error) {
		gp_sb_str(b, ": closing failed: ");
		gp_sb_ascii_escaped(b, si->close_error, strlen(si->close_error));
	} else if (!strcmp(si->close, "exempt") || !strcmp(si->close, "no-holder")) {
		gp_sb_str(b, ": not closed (");
		gp_sb_str(b, si->close);
		gp_sb_char(b, ')');
	}
}

int gp_format_summary(const struct gp_record *r, char *buf, size_t len)
{
	const struct gp_event *ev = &r->ev;
	__u16 type = (ev->valid & GP_VF_TYPE) ? ev->sock_type : 0;
	bool v6 = ev->family == AF_INET6;
	struct gp_sb b;

	gp_sb_init(&b, buf, len);
	if (r->scan) {
		scan_summary(&b, r);
		return gp_sb_finish(&b);
	}
	gp_sb_str(&b, verdict_word(ev->verdict));
	gp_sb_str(&b, " bind ");
	gp_sb_str(&b, gp_proto_name(ev->protocol, type));
	gp_sb_str(&b, v6 ? " [" : " ");
	if (r->addr[0])
		gp_sb_ascii_escaped(&b, r->addr, strnlen(r->addr, sizeof(r->addr)));
	else
		gp_sb_char(&b, '?');
	gp_sb_str(&b, v6 ? "]:" : ":");
	gp_sb_u64(&b, ev->port);
	if (r->service) {
		gp_sb_str(&b, " (");
		gp_sb_ascii_escaped(&b, r->service, strlen(r->service));
		gp_sb_char(&b, ')');
	}
	gp_sb_str(&b, " by ");
	gp_sb_ascii_escaped(&b, ev->comm, strnlen(ev->comm, GP_COMM_LEN));
	gp_sb_char(&b, '[');
	gp_sb_u64(&b, ev->pid);
	gp_sb_str(&b, "] uid ");
	gp_sb_u64(&b, ev->uid);
	if (ev->verdict == GP_VERDICT_DENY) {
		gp_sb_str(&b, ": ");
		gp_sb_str(&b, gp_errno_name(ev->deny_errno));
	} else if ((ev->valid & GP_VF_RET) && ev->ret < 0) {
		gp_sb_str(&b, ": ");
		gp_sb_str(&b, gp_errno_name(ev->ret));
	}
	if (r->count > 1) {
		gp_sb_str(&b, " (x");
		gp_sb_u64(&b, r->count);
		gp_sb_char(&b, ')');
	}
	return gp_sb_finish(&b);
}
