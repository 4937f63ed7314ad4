// SPDX-License-Identifier: GPL-2.0
/*
 * scan.c - one inventory of the sockets on listed ports (see scan.h):
 * namespaces, then each one's sockets per family and protocol, then the
 * holders, then (when asked) SOCK_DESTROY for the ones to close.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "event/names.h"
#include "scan/scan.h"

static const __u16 protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP,
				IPPROTO_MPTCP };

static __u64 mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (__u64)t.tv_sec * 1000000000ULL + (__u64)t.tv_nsec;
}

const char *gp_scan_proto_name(__u16 protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:	return "tcp";
	case IPPROTO_UDP:	return "udp";
	case IPPROTO_SCTP:	return "sctp";
	case IPPROTO_MPTCP:	return "mptcp";
	default:		return "other";
	}
}

int gp_scan_proto_index(__u16 protocol)
{
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i] == protocol)
			return (int)i;
	return -1;
}

const char *gp_scan_state_name(const struct gp_scan_sock *s)
{
	static const char *const tcp[] = {
		[TCP_ESTABLISHED] = "established", [TCP_SYN_SENT] = "syn-sent",
		[TCP_SYN_RECV] = "syn-recv", [TCP_FIN_WAIT1] = "fin-wait-1",
		[TCP_FIN_WAIT2] = "fin-wait-2", [TCP_TIME_WAIT] = "time-wait",
		[TCP_CLOSE] = "close", [TCP_CLOSE_WAIT] = "close-wait",
		[TCP_LAST_ACK] = "last-ack", [TCP_LISTEN] = "listen",
		[TCP_CLOSING] = "closing", [12] = "new-syn-recv",
		[13] = "bound",
	};

	/* A datagram socket is "unconnected" (CLOSE) or "connected". */
	if (s->protocol == IPPROTO_UDP)
		return s->state == TCP_ESTABLISHED ? "connected" : "unconnected";
	if (s->state == TCP_CLOSE)
		return "bound";
	if (s->state < sizeof(tcp) / sizeof(tcp[0]) && tcp[s->state])
		return tcp[s->state];
	return "unknown";
}

const char *gp_scan_close_name(enum gp_scan_close c)
{
	switch (c) {
	case GP_CLOSE_DONE:	return "closed";
	case GP_CLOSE_FAILED:	return "failed";
	case GP_CLOSE_EXEMPT:	return "exempt";
	case GP_CLOSE_NO_HOLDER: return "no-holder";
	default:		return "not-asked";
	}
}

struct gp_scan_sock *gp_scan_add(struct gp_scan_result *r)
{
	struct gp_scan_sock *s;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct gp_scan_sock *v = realloc(r->socks, cap * sizeof(*v));

		if (!v)
			return NULL;
		r->socks = v;
		r->cap = cap;
	}
	s = &r->socks[r->n++];
	memset(s, 0, sizeof(*s));
	return s;
}

static void drop_at(struct gp_scan_result *r, size_t i)
{
	free(r->socks[i].holders);
	memmove(&r->socks[i], &r->socks[i + 1],
		(r->n - i - 1) * sizeof(r->socks[0]));
	r->n--;
}

static bool same_port(const struct gp_scan_sock *a,
		      const struct gp_scan_sock *b)
{
	return a->netns_ino == b->netns_ino && a->port == b->port;
}

/*
 * Connections accepted from a listener on the port are the listener's
 * children: reporting a thousand of them would bury the listener.  An
 * established socket stays only when no listener of its protocol holds its
 * port in its namespace (a client that bound a ghost port, as a
 * bindresvport() client does).
 */
static void drop_children(struct gp_scan_result *r)
{
	size_t i = 0, j;

	while (i < r->n) {
		struct gp_scan_sock *s = &r->socks[i];
		bool child = false;

		if (s->protocol != IPPROTO_UDP && s->state != TCP_LISTEN &&
		    s->state != TCP_CLOSE && s->state != 13)
			for (j = 0; j < r->n && !child; j++)
				child = j != i && same_port(s, &r->socks[j]) &&
					r->socks[j].state == TCP_LISTEN &&
					r->socks[j].protocol == s->protocol;
		if (child)
			drop_at(r, i);
		else
			i++;
	}
}

/*
 * An MPTCP socket's first subflow is a TCP socket grafted onto the MPTCP
 * socket's inode, so the TCP dump lists it too: it is the MPTCP socket,
 * reported as such.  (A subflow with an inode of its own and no holder is
 * dropped on the same grounds.)
 */
static void drop_mptcp_subflows(struct gp_scan_result *r)
{
	size_t i = 0, j;

	while (i < r->n) {
		struct gp_scan_sock *s = &r->socks[i];
		bool sub = false;

		if (s->protocol == IPPROTO_TCP)
			for (j = 0; j < r->n && !sub; j++)
				sub = r->socks[j].protocol == IPPROTO_MPTCP &&
				      same_port(s, &r->socks[j]) &&
				      r->socks[j].family == s->family &&
				      (r->socks[j].ino == s->ino ||
				       (!s->n_holders &&
					!memcmp(r->socks[j].addr, s->addr, 16)));
		if (sub)
			drop_at(r, i);
		else
			i++;
	}
}

/* The holders are known: decide, then destroy through the namespace's
 * diag socket. */
static void close_some(const struct gp_scan_opts *o, struct gp_scan_result *r,
		       const int *fds)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct gp_scan_sock *s = &r->socks[i];
		int c = o->close(o->close_ctx, s);

		if (c == GP_CLOSE_NOT_ASKED)
			continue;
		/* Never a socket no process holds: the kernel's own (a
		 * tunnel's, say) or one in flight between processes. */
		if (!s->n_holders && c == GP_CLOSE_DONE)
			c = GP_CLOSE_NO_HOLDER;
		if (c != GP_CLOSE_DONE) {
			s->close = (enum gp_scan_close)c;
			continue;
		}
		if (fds[s->netns_idx] < 0) {
			s->close = GP_CLOSE_FAILED;
			s->close_errno = EBADF;
			snprintf(s->close_why, sizeof(s->close_why),
				 "no diag socket in its namespace");
			continue;
		}
		gp_scan_destroy(fds[s->netns_idx], s);
	}
}

int gp_scan_run(const struct gp_scan_opts *o, struct gp_scan_result *r,
		char *err, size_t errlen)
{
	__u64 t0 = mono_ns(), t1;
	struct gp_scan_netns *ns = NULL;
	ssize_t n_ns;
	int *fds = NULL;
	size_t i, p;
	bool any = false;

	memset(r, 0, sizeof(*r));
	n_ns = gp_scan_list_netns(&ns, o->own_netns_only);
	if (n_ns <= 0 || !(fds = calloc((size_t)n_ns, sizeof(*fds)))) {
		snprintf(err, errlen, "listing network namespaces: %s",
			 n_ns < 0 ? strerror(errno) : "out of memory");
		free(ns);
		return -1;
	}
	for (p = 0; p < 4; p++)
		snprintf(r->unsupported[p], sizeof(r->unsupported[p]),
			 "not in this kernel");
	for (i = 0; i < (size_t)n_ns; i++) {
		int fd = gp_scan_diag_socket(&ns[i]);
		size_t first = r->n;

		fds[i] = fd;
		if (fd < 0) {
			/* Gone since listed, or not ours to enter. */
			if (!r->n_netns_failed++)
				snprintf(r->netns_error, sizeof(r->netns_error),
					 "%s (%s): %s", ns[i].name,
					 ns[i].path[0] ? ns[i].path : "own",
					 strerror(-fd));
			continue;
		}
		r->n_netns++;
		for (p = 0; p < sizeof(protos) / sizeof(protos[0]); p++) {
			int e4 = gp_scan_diag_dump(fd, AF_INET, protos[p],
						   o->rules, &ns[i], r);
			int e6 = gp_scan_diag_dump(fd, AF_INET6, protos[p],
						   o->rules, &ns[i], r);

			if (!e4 || !e6)
				r->unsupported[p][0] = '\0';
			else if (e4 != -ENOENT && e4 != -EOPNOTSUPP)
				snprintf(r->unsupported[p],
					 sizeof(r->unsupported[p]),
					 "dump failed: %s", strerror(-e4));
		}
		for (; first < r->n; first++)
			r->socks[first].netns_idx = i;
		any = true;
	}
	t1 = mono_ns();
	r->diag_ns = t1 - t0;
	if (!any) {
		snprintf(err, errlen, "no network namespace could be read: %s",
			 r->netns_error);
		for (i = 0; i < (size_t)n_ns; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		free(fds);
		free(ns);
		gp_scan_free(r);
		return -1;
	}
	drop_children(r);
	gp_scan_owners(r);
	drop_mptcp_subflows(r);
	r->owners_ns = mono_ns() - t1;
	if (o->close)
		close_some(o, r, fds);
	for (i = 0; i < (size_t)n_ns; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	free(ns);
	r->total_ns = mono_ns() - t0;
	return 0;
}

void gp_scan_free(struct gp_scan_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->socks[i].holders);
	free(r->socks);
	r->socks = NULL;
	r->n = r->cap = 0;
}
