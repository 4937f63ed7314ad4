// SPDX-License-Identifier: GPL-2.0
/*
 * scan_diag.c - the kernel's socket list through sock_diag (inet_diag), as
 * `ss` reads it, and SOCK_DESTROY, as `ss -K` closes a socket.
 *
 * A netlink socket belongs to the network namespace it was created in, so
 * one socket per namespace is all it takes: a helper thread enters the
 * namespace, creates it and ends (the caller's namespace never changes).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>

#include "event/names.h"
#include "lib/kver.h"
#include "scan/scan.h"

#ifndef TCP_BOUND_INACTIVE
#define TCP_BOUND_INACTIVE	13	/* 6.8+: bound, never listened */
#endif
#ifndef INET_DIAG_REQ_PROTOCOL
#define INET_DIAG_REQ_PROTOCOL	3
#endif

#define RECV_BUF	(64 * 1024)

struct enter_arg {
	const char *path;
	int fd;			/* result: socket or -errno */
};

static void *enter_and_open(void *p)
{
	struct enter_arg *a = p;
	int ns = open(a->path, O_RDONLY | O_CLOEXEC);

	if (ns < 0) {
		a->fd = -errno;
		return NULL;
	}
	if (setns(ns, CLONE_NEWNET)) {
		a->fd = -errno;
		close(ns);
		return NULL;
	}
	close(ns);
	a->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (a->fd < 0)
		a->fd = -errno;
	/* The thread ends here, in the namespace it entered. */
	return NULL;
}

int gp_scan_diag_socket(const struct gp_scan_netns *ns)
{
	struct enter_arg a = { .path = ns->path, .fd = -EINVAL };
	pthread_t t;
	int e;

	if (!ns->path[0]) {	/* our own namespace */
		int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
				NETLINK_SOCK_DIAG);

		return fd < 0 ? -errno : fd;
	}
	e = pthread_create(&t, NULL, enter_and_open, &a);
	if (e)
		return -e;
	pthread_join(t, NULL);
	return a.fd;
}

/* The states worth reporting: everything that holds the port for a
 * process (TIME_WAIT and request minisocks have no owner). */
static __u32 states_for(__u16 protocol)
{
	__u32 all = ~0U;

	all &= ~(1U << TCP_TIME_WAIT);
	all &= ~(1U << TCP_SYN_RECV);
	all &= ~(1U << 12);		/* TCP_NEW_SYN_RECV */
	(void)protocol;
	return all | (1U << TCP_BOUND_INACTIVE);
}

struct diag_req {
	struct nlmsghdr nlh;
	struct inet_diag_req_v2 r;
	struct nlattr proto_attr;
	__u32 proto;
};

static size_t build_req(struct diag_req *q, __u16 type, __u16 flags,
			int family, __u16 protocol)
{
	size_t len = NLMSG_LENGTH(sizeof(q->r));

	memset(q, 0, sizeof(*q));
	q->nlh.nlmsg_type = type;
	q->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	q->nlh.nlmsg_seq = 1;
	q->r.sdiag_family = (__u8)family;
	if (protocol > 255) {
		/* MPTCP (262) does not fit the u8: the kernel reads it from
		 * INET_DIAG_REQ_PROTOCOL (5.9+; gp_scan_diag_dump checks). */
		q->r.sdiag_protocol = IPPROTO_TCP;
		q->proto_attr.nla_len = NLA_HDRLEN + sizeof(__u32);
		q->proto_attr.nla_type = INET_DIAG_REQ_PROTOCOL;
		q->proto = protocol;
		len = NLMSG_ALIGN(len) + NLA_HDRLEN + sizeof(__u32);
	} else {
		q->r.sdiag_protocol = (__u8)protocol;
	}
	q->nlh.nlmsg_len = (__u32)len;
	return len;
}

static int send_req(int fd, struct diag_req *q, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(fd, q, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

static __u16 sock_type_of(__u16 protocol)
{
	switch (protocol) {
	case IPPROTO_UDP:	return SOCK_DGRAM;
	default:		return SOCK_STREAM; /* SCTP may be SEQPACKET too */
	}
}

/* One inet_diag_msg: keep it if its port is listed for its protocol. */
static void take(const struct nlmsghdr *h, int family, __u16 protocol,
		 const __u32 *rules, const struct gp_scan_netns *ns,
		 struct gp_scan_result *r)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	const struct rtattr *a;
	int alen = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	unsigned bit = gp_proto_bit(protocol == IPPROTO_MPTCP ? IPPROTO_TCP :
				    protocol, 0);
	struct gp_scan_sock *s;
	__u16 port = ntohs(m->id.idiag_sport);

	if (alen < 0)
		return;
	r->dumped++;
	if (!(GP_RULE_AUDIT(rules[port]) & bit))
		return;
	s = gp_scan_add(r);
	if (!s)
		return;
	s->ino = m->idiag_inode;
	s->cookie = (__u64)m->id.idiag_cookie[0] |
		    ((__u64)m->id.idiag_cookie[1] << 32);
	s->netns_ino = ns->ino;
	snprintf(s->netns_name, sizeof(s->netns_name), "%s", ns->name);
	s->family = (__u16)family;
	s->protocol = protocol;
	s->sock_type = sock_type_of(protocol);
	s->port = port;
	s->dport = ntohs(m->id.idiag_dport);
	s->state = m->idiag_state;
	memcpy(s->addr, m->id.idiag_src, 16);
	memcpy(s->daddr, m->id.idiag_dst, 16);
	if (family == AF_INET) {
		memset(s->addr + 4, 0, 12);
		memset(s->daddr + 4, 0, 12);
	}
	s->ifindex = m->id.idiag_if;
	s->sk_uid = m->idiag_uid;
	for (a = (const struct rtattr *)(m + 1); RTA_OK(a, alen);
	     a = RTA_NEXT(a, alen)) {
		switch (a->rta_type) {
		case INET_DIAG_CGROUP_ID:
			if (RTA_PAYLOAD(a) >= (int)sizeof(__u64)) {
				memcpy(&s->sk_cgroup_id, RTA_DATA(a), 8);
				s->sk_cgroup_known = true;
			}
			break;
		case INET_DIAG_SKV6ONLY:
			if (RTA_PAYLOAD(a) >= 1)
				s->v6only = *(const __u8 *)RTA_DATA(a);
			break;
		}
	}
}

int gp_scan_diag_dump(int fd, int family, __u16 protocol, const __u32 *rules,
		      const struct gp_scan_netns *ns, struct gp_scan_result *r)
{
	static __thread char buf[RECV_BUF] __attribute__((aligned(8)));
	struct diag_req q;
	size_t len = build_req(&q, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, family,
			       protocol);
	size_t first = r->n;
	int e;

	/* Before 5.9 there is no MPTCP diag and no INET_DIAG_REQ_PROTOCOL:
	 * the request would be read as a TCP dump. */
	if (protocol == IPPROTO_MPTCP && !gp_kernel_at_least(5, 9))
		return -EOPNOTSUPP;
	q.r.idiag_states = states_for(protocol);
	e = send_req(fd, &q, len);
	if (e)
		return e;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				/* A dump's error travels in DONE's payload
				 * (ENOENT: no handler for the protocol). */
				int de = 0;

				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&de, NLMSG_DATA(h), sizeof(int));
				if (de < 0)
					return de;
				goto done;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *ne = NLMSG_DATA(h);

				/* ENOENT: no handler for this protocol
				 * (module absent, or not built). */
				return ne->error ? ne->error : -EIO;
			}
			if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY)
				take(h, family, protocol, rules, ns, r);
		}
	}
done:
	(void)first;
	return 0;
}

/* The errno named in GHOSTPORT_TEST_DESTROY_ERRNO, or 0. */
static int forced_destroy_errno(void)
{
	const char *v = getenv("GHOSTPORT_TEST_DESTROY_ERRNO");

	return v && *v ? gp_errno_parse(v) : 0;
}

int gp_scan_destroy(int fd, struct gp_scan_sock *s)
{
	static __thread char buf[4096] __attribute__((aligned(8)));
	struct diag_req q;
	size_t len = build_req(&q, SOCK_DESTROY, NLM_F_ACK, s->family,
			       s->protocol);
	int e = forced_destroy_errno();
	const char *why;

	if (e > 0) {
		e = -e;
		goto failed;
	}
	q.r.idiag_states = ~0U;
	q.r.id.idiag_sport = htons(s->port);
	q.r.id.idiag_dport = htons(s->dport);
	memcpy(q.r.id.idiag_src, s->addr, 16);
	memcpy(q.r.id.idiag_dst, s->daddr, 16);
	q.r.id.idiag_if = s->ifindex;
	/* The cookie makes the kernel refuse a different socket that took
	 * the same address since the dump. */
	q.r.id.idiag_cookie[0] = (__u32)s->cookie;
	q.r.id.idiag_cookie[1] = (__u32)(s->cookie >> 32);
	e = send_req(fd, &q, len);
	while (!e) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = -errno;
			break;
		}
		if (!NLMSG_OK(h, (size_t)n) || h->nlmsg_type != NLMSG_ERROR)
			continue;
		e = ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
		if (!e) {
			s->close = GP_CLOSE_DONE;
			s->close_errno = 0;
			s->close_why[0] = '\0';
			return 0;
		}
	}
failed:
	s->close = GP_CLOSE_FAILED;
	s->close_errno = -e;
	if (e == -EOPNOTSUPP && (s->protocol == IPPROTO_TCP ||
				 s->protocol == IPPROTO_UDP))
		why = "this kernel cannot destroy sockets (built without CONFIG_INET_DIAG_DESTROY)";
	else if (e == -EOPNOTSUPP)
		why = "this kernel has no SOCK_DESTROY for this protocol";
	else if (e == -ENOENT)
		why = "the socket is gone or changed since the scan";
	else if (e == -EPERM || e == -EACCES)
		why = "not permitted (needs CAP_NET_ADMIN in the socket's namespace)";
	else
		why = "SOCK_DESTROY failed";
	snprintf(s->close_why, sizeof(s->close_why), "%s (%s)", why,
		 gp_errno_name(-e));
	return e;
}
