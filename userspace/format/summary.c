// SPDX-License-Identifier: GPL-2.0
/*
 * summary.c - the one-line human summary of an event, shared by the
 * SIEM formats so that "message" reads the same everywhere.  Printable
 * ASCII only (comm is \xHH-escaped), so it is safe in a syslog MSG without
 * a BOM, in a CEF value and in JSON.
 */
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
	case GP_VERDICT_NONE:	return "seen";
	default:		return "unknown";
	}
}

int gp_format_summary(const struct gp_record *r, char *buf, size_t len)
{
	const struct gp_event *ev = &r->ev;
	__u16 type = (ev->valid & GP_VF_TYPE) ? ev->sock_type : 0;
	bool v6 = ev->family == AF_INET6;
	struct gp_sb b;

	gp_sb_init(&b, buf, len);
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
