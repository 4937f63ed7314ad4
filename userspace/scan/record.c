// SPDX-License-Identifier: GPL-2.0
/*
 * record.c - a found socket as a gp_record (see scan/record.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "event/iana.h"
#include "event/identity.h"
#include "scan/record.h"

__u8 gp_scan_verdict(const struct gp_scan_sock *s)
{
	switch (s->close) {
	case GP_CLOSE_DONE:	return GP_VERDICT_CLOSED;
	case GP_CLOSE_FAILED:	return GP_VERDICT_OPEN;
	default:		return GP_VERDICT_PRESENT;
	}
}

static bool v4mapped(const __u8 *a)
{
	static const __u8 pre[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(a, pre, sizeof(pre));
}

void gp_scan_event_fill(struct gp_scan_event *e, const struct gp_scan_sock *s,
			__u8 verdict)
{
	struct gp_event *ev = &e->rec.ev;
	const struct gp_scan_holder *h = s->n_holders ? &s->holders[0] : NULL;
	struct timespec t;

	memset(e, 0, sizeof(*e));
	ev->magic = GP_ABI_MAGIC;
	ev->version = GP_ABI_VERSION;
	ev->size = sizeof(*ev);
	clock_gettime(CLOCK_BOOTTIME, &t);
	ev->ts_ns = (__u64)t.tv_sec * 1000000000ULL + (__u64)t.tv_nsec;
	clock_gettime(CLOCK_REALTIME, &e->rec.wall);
	ev->family = s->family;
	ev->port = s->port;
	ev->sock_type = s->sock_type;
	ev->protocol = s->protocol;
	memcpy(ev->addr, s->addr, sizeof(ev->addr));
	ev->verdict = verdict;
	ev->source = GP_SRC_SCAN;
	ev->flags = GP_EF_LISTED;
	if (s->family == AF_INET6 && v4mapped(s->addr))
		ev->flags |= GP_EF_V4MAPPED;
	ev->netns_ino = s->netns_ino;
	ev->ifindex = s->ifindex;
	ev->valid = GP_VF_NETNS | GP_VF_TYPE | GP_VF_IFINDEX;
	if (h) {
		ev->pid = ev->tid = (__u32)h->pid;
		ev->ppid = (__u32)h->ppid;
		ev->uid = h->uid;
		ev->gid = h->gid;
		memcpy(ev->comm, h->comm, sizeof(ev->comm));
		ev->valid |= GP_VF_PPID;
		if (h->exe_known) {
			ev->exe_ino = h->exe_ino;
			ev->exe_dev = h->exe_dev;
			ev->valid |= GP_VF_EXE;
		}
		if (h->cgroup_id) {
			ev->cgroup_id = h->cgroup_id;
			ev->valid |= GP_VF_CGROUP;
		}
		snprintf(e->rec.exe, sizeof(e->rec.exe), "%s", h->exe);
		/* The identity fields bind events carry: executable, cgroup,
		 * and the systemd unit / container it names. */
		snprintf(e->rec.id.exe.path, sizeof(e->rec.id.exe.path), "%.*s",
			 (int)sizeof(e->rec.id.exe.path) - 1, h->exe);
		if (!h->exe[0])
			e->rec.id.exe.reason = "unreadable";
		snprintf(e->rec.id.cgroup, sizeof(e->rec.id.cgroup), "%.*s",
			 (int)sizeof(e->rec.id.cgroup) - 1, h->cgroup);
		if (e->rec.id.cgroup[0])
			gp_ident_cgroup_parse(e->rec.id.cgroup, &e->rec.id);
	} else {
		/* No process holds it: the socket's own uid and cgroup. */
		ev->uid = s->sk_uid;
		if (s->sk_cgroup_known) {
			ev->cgroup_id = s->sk_cgroup_id;
			ev->valid |= GP_VF_CGROUP;
		}
	}
	if (!inet_ntop(s->family, s->addr, e->rec.addr, sizeof(e->rec.addr)))
		e->rec.addr[0] = '\0';
	e->rec.service = gp_iana_service(s->port, s->protocol == IPPROTO_MPTCP ?
					 IPPROTO_TCP : s->protocol);
	e->rec.count = 1;
	e->info.netns_name = s->netns_name;
	e->info.state = gp_scan_state_name(s);
	e->info.inode = s->ino;
	e->info.cookie = s->cookie;
	e->info.sk_uid = s->sk_uid;
	e->info.holders = s->holders;
	e->info.n_holders = s->n_holders;
	e->info.close = gp_scan_close_name(s->close);
	e->info.close_error = s->close == GP_CLOSE_FAILED && s->close_why[0] ?
			      s->close_why : NULL;
	e->rec.scan = &e->info;
}

static void endpoint(const struct gp_scan_sock *s, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(s->family, s->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, s->family == AF_INET6 ? "%s [%s]:%u" : "%s %s:%u",
		 gp_scan_proto_name(s->protocol), a, s->port);
}

void gp_scan_close_line(const struct gp_scan_sock *s, char *buf, size_t len)
{
	char ep[80], who[64];

	buf[0] = '\0';
	if (s->close == GP_CLOSE_NOT_ASKED)
		return;
	endpoint(s, ep, sizeof(ep));
	if (s->n_holders)
		snprintf(who, sizeof(who), "%.16s[%d]%s", s->holders[0].comm,
			 (int)s->holders[0].pid, s->n_holders > 1 ? " and others" : "");
	else
		snprintf(who, sizeof(who), "no process");
	switch (s->close) {
	case GP_CLOSE_DONE:
		snprintf(buf, len, "ghostport: closed %s (%s), netns %s", ep, who,
			 s->netns_name);
		break;
	case GP_CLOSE_FAILED:
		snprintf(buf, len,
			 "ghostport: could not close %s (%s), netns %s: %s; it stayed open",
			 ep, who, s->netns_name, s->close_why);
		break;
	case GP_CLOSE_EXEMPT:
		snprintf(buf, len, "ghostport: not closing %s (%s): exempt owner",
			 ep, who);
		break;
	case GP_CLOSE_NO_HOLDER:
		snprintf(buf, len,
			 "ghostport: not closing %s: no process holds it (kernel socket or in flight)",
			 ep);
		break;
	default:
		break;
	}
}

void gp_scan_summary_line(const struct gp_scan_result *r, size_t reported,
			  size_t gone, size_t closed, size_t open, char *buf,
			  size_t len)
{
	static const char *const names[4] = { "tcp", "udp", "sctp", "mptcp" };
	size_t pos;
	int i;

	pos = (size_t)snprintf(buf, len,
		"ghostport: scan: %zu sockets on listed ports in %zu network namespaces (%zu reported, %zu gone, %zu closed, %zu stayed open) in %llu ms",
		r->n, r->n_netns, reported, gone, closed, open,
		(unsigned long long)(r->total_ns / 1000000));
	if (pos < len && r->n_netns_failed)
		pos += (size_t)snprintf(buf + pos, len - pos,
					"; %zu namespaces unreadable, first %s",
					r->n_netns_failed, r->netns_error);
	for (i = 0; i < 4 && pos < len; i++)
		if (r->unsupported[i][0])
			pos += (size_t)snprintf(buf + pos, len - pos, "; %s: %s",
						names[i], r->unsupported[i]);
}
