/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scan.h - the squatter inventory: which sockets already hold a listed port,
 * in every network namespace, and which processes hold them.
 *
 * The hooks see binds from the moment they attach; a socket bound before
 * that (early malware, an outage, an upgrade) is only found by asking the
 * kernel what exists.  The scan:
 *   1. enumerates network namespaces (unique inodes of /proc/[pid]/ns/net
 *      and the /run/netns bind mounts);
 *   2. opens a NETLINK_SOCK_DIAG socket inside each (a short-lived helper
 *      thread setns()es and creates it: a netlink socket keeps the netns it
 *      was created in, so no thread ever has to switch back, and the
 *      caller's namespace never changes);
 *   3. dumps TCP, UDP, SCTP and MPTCP over IPv4 and IPv6 (inet_diag, as
 *      `ss` does) and keeps the sockets whose local port and protocol are
 *      listed;
 *   4. only if any were found, walks /proc/[pid]/fd once and maps every
 *      socket inode to the processes holding it.
 * It can also destroy a found socket (SOCK_DESTROY, as `ss -K`).
 *
 * Nothing here touches the event loop: the daemon runs it in a worker
 * thread (scan_worker.c); `ghostport scan` runs it directly.
 */
#ifndef GP_SCAN_H
#define GP_SCAN_H

#include <linux/types.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ghostport_abi.h"
#include "event/scaninfo.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP		262
#endif

/* What happened when the scan was asked to close the socket. */
enum gp_scan_close {
	GP_CLOSE_NOT_ASKED = 0,
	GP_CLOSE_DONE,			/* SOCK_DESTROY succeeded */
	GP_CLOSE_FAILED,		/* close_errno, close_why */
	GP_CLOSE_EXEMPT,		/* a holder is exempt: left alone */
	GP_CLOSE_NO_HOLDER,		/* kernel socket or fd in flight: left alone */
};

struct gp_scan_sock {
	__u64 ino;			/* socket inode (0: none, e.g. kernel) */
	__u64 cookie;			/* the kernel's socket cookie */
	__u32 netns_ino;
	char netns_name[GP_SCAN_NETNS_LEN];	/* "/run/netns/x", "host", "pid N" */
	size_t netns_idx;		/* internal: which diag socket */
	__u16 family;			/* AF_INET, AF_INET6 */
	__u16 protocol;			/* IPPROTO_TCP/UDP/SCTP/MPTCP */
	__u16 sock_type;		/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	__u16 port;			/* local, host order */
	__u16 dport;			/* remote, host order (0 unconnected) */
	__u8 state;			/* TCP_* state as inet_diag reports it */
	bool v6only;
	__u8 addr[16];			/* local, network order */
	__u8 daddr[16];
	__u32 ifindex;
	__u32 sk_uid;			/* the socket's owner uid (sock_i_uid) */
	__u64 sk_cgroup_id;		/* INET_DIAG_CGROUP_ID, 0 if absent */
	bool sk_cgroup_known;
	struct gp_scan_holder *holders;
	size_t n_holders;
	enum gp_scan_close close;
	int close_errno;
	char close_why[160];
};

struct gp_scan_sock;

/*
 * Whether to close a found socket (holders known): GP_CLOSE_NOT_ASKED
 * leaves it, GP_CLOSE_DONE asks for SOCK_DESTROY, GP_CLOSE_EXEMPT and
 * GP_CLOSE_NO_HOLDER leave it and say why.
 */
typedef int (*gp_scan_close_fn)(void *ctx, const struct gp_scan_sock *s);

struct gp_scan_opts {
	const __u32 *rules;		/* GP_NR_PORTS blocklist rules */
	bool own_netns_only;		/* tests/bench: skip other namespaces */
	gp_scan_close_fn close;		/* NULL: close nothing */
	void *close_ctx;
};

struct gp_scan_result {
	struct gp_scan_sock *socks;
	size_t n, cap;
	size_t n_netns;			/* namespaces scanned */
	size_t n_netns_failed;		/* found but could not be entered */
	char netns_error[160];		/* the first such failure */
	__u64 dumped;			/* sockets the kernel listed, all ports */
	__u64 diag_ns, owners_ns, total_ns;	/* timings */
	size_t procs_walked, fds_walked;
	/* Per protocol: "" dumped; else why not ("not in this kernel"). */
	char unsupported[4][96];	/* index: tcp, udp, sctp, mptcp */
};

/*
 * Run one scan.  0, or -1 with a one-line reason (nothing could be
 * scanned at all).  A namespace or protocol that could not be read is
 * counted and explained in *r, not an error.  Free with gp_scan_free().
 */
int gp_scan_run(const struct gp_scan_opts *o, struct gp_scan_result *r,
		char *err, size_t errlen);
void gp_scan_free(struct gp_scan_result *r);

/* "tcp", "udp", "sctp", "mptcp" for a scan protocol; index for the
 * unsupported[] table (-1 for anything else). */
const char *gp_scan_proto_name(__u16 protocol);
int gp_scan_proto_index(__u16 protocol);

/* "listen", "unconnected", "established", ... for a socket's state. */
const char *gp_scan_state_name(const struct gp_scan_sock *s);

/* "close", "closed", "exempt", ... for a close outcome. */
const char *gp_scan_close_name(enum gp_scan_close c);

/* --- internals shared by the scan files ------------------------------ */

/* A namespace to scan: its inode and a way in. */
struct gp_scan_netns {
	__u32 ino;
	char path[64];			/* /proc/N/ns/net or /run/netns/x */
	char name[GP_SCAN_NETNS_LEN];
};

/* Every network namespace (own first).  Returns the count, or -1; *out is
 * malloc'd. */
ssize_t gp_scan_list_netns(struct gp_scan_netns **out, bool own_only);

/* A NETLINK_SOCK_DIAG socket created inside ns (a helper thread enters
 * it).  fd, or -errno. */
int gp_scan_diag_socket(const struct gp_scan_netns *ns);

/* Dump every socket of protocol in family from a diag socket, adding the
 * listed ones to r.  0, or -errno (-EOPNOTSUPP/-ENOENT: no such diag). */
int gp_scan_diag_dump(int fd, int family, __u16 protocol, const __u32 *rules,
		      const struct gp_scan_netns *ns, struct gp_scan_result *r);

/*
 * Destroy s through fd, a diag socket in its namespace (SOCK_DESTROY).  0,
 * else a negative errno with a one-line reason in s->close_why; s->close
 * and close_errno are set either way.  GHOSTPORT_TEST_DESTROY_ERRNO=<errno
 * name or number> in the environment makes it fail with that errno without
 * asking the kernel (the tests' forced failure).
 */
int gp_scan_destroy(int fd, struct gp_scan_sock *s);

/* Map inodes to holders for every socket in r. */
void gp_scan_owners(struct gp_scan_result *r);

/* Append a socket to r (NULL when out of memory). */
struct gp_scan_sock *gp_scan_add(struct gp_scan_result *r);

#endif /* GP_SCAN_H */
