// SPDX-License-Identifier: GPL-2.0
/*
 * names.c - number-to-name tables for event fields (see event/names.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "event/names.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

const char *gp_family_name(__u16 family)
{
	switch (family) {
	case AF_INET:	return "ipv4";
	case AF_INET6:	return "ipv6";
	default:	return "unknown";
	}
}

static int is_raw_proto(__u16 ipproto)
{
	return ipproto == IPPROTO_RAW || ipproto == IPPROTO_ICMP ||
	       ipproto == IPPROTO_ICMPV6;
}

const char *gp_proto_name(__u16 ipproto, __u16 sock_type)
{
	static __thread char other[sizeof("ipproto-65535")];

	/* A raw socket with protocol 6 carries TCP segments, but binds no
	 * TCP port: call it what it is. */
	if (sock_type == SOCK_RAW || is_raw_proto(ipproto))
		return "raw";
	switch (ipproto) {
	case IPPROTO_TCP:	return "tcp";
	case IPPROTO_UDP:	return "udp";
	case IPPROTO_SCTP:	return "sctp";
	case 262:		return "mptcp";	/* IPPROTO_MPTCP (scan events) */
	}
	snprintf(other, sizeof(other), "ipproto-%u", (unsigned)ipproto);
	return other;
}

/* gp_proto_bit() is in ghostport_abi.h: one mapping for every producer. */
GP_ABI_CHECK_NET();

const char *gp_sock_type_name(__u16 sock_type)
{
	static __thread char other[sizeof("type-65535")];

	switch (sock_type) {
	case SOCK_STREAM:	return "stream";
	case SOCK_DGRAM:	return "dgram";
	case SOCK_RAW:		return "raw";
	case SOCK_RDM:		return "rdm";
	case SOCK_SEQPACKET:	return "seqpacket";
	case SOCK_DCCP:		return "dccp";
	case SOCK_PACKET:	return "packet";
	}
	snprintf(other, sizeof(other), "type-%u", (unsigned)sock_type);
	return other;
}

const char *gp_verdict_name(__u8 verdict)
{
	static const char *const names[GP_VERDICT_MAX] = {
		[GP_VERDICT_NONE]	= "none",
		[GP_VERDICT_AUDIT]	= "audit",
		[GP_VERDICT_DENY]	= "deny",
		[GP_VERDICT_EXEMPT]	= "exempt",
		[GP_VERDICT_PRESENT]	= "present",
		[GP_VERDICT_GONE]	= "gone",
		[GP_VERDICT_CLOSED]	= "closed",
		[GP_VERDICT_OPEN]	= "open",
		[GP_VERDICT_BYPASS]	= "bypass",
	};

	return verdict < GP_VERDICT_MAX ? names[verdict] : "unknown";
}

/* Why ret is unknown: null when not said (a producer that knows no
 * reason, or a record from before the field). */
const char *gp_ret_why_name(__u8 why)
{
	static const char *const names[GP_RETW_MAX] = {
		[GP_RETW_FAILED]	= "failed",
	};

	return why < GP_RETW_MAX ? names[why] : NULL;
}

const char *gp_source_name(__u8 source)
{
	static const char *const names[GP_SRC_MAX] = {
		[GP_SRC_UNKNOWN]	= "unknown",
		[GP_SRC_FENTRY]		= "fentry",
		[GP_SRC_KPROBE]		= "kprobe",
		[GP_SRC_CGROUP]		= "cgroup",
		[GP_SRC_KMOD]		= "kmod",
		[GP_SRC_LSM]		= "lsm",
		[GP_SRC_SCAN]		= "scan",
	};

	return source < GP_SRC_MAX ? names[source] : "unknown";
}

struct errno_entry {
	int num;
	const char *name;
};

/*
 * The errnos a bind() or the code around it can return, plus the usual
 * suspects a user may pick for a deny rule.  One canonical name per number
 * (Linux has aliases with equal values; those are in errno_aliases).
 */
static const struct errno_entry errno_names[] = {
	{ EPERM, "EPERM" },		{ ENOENT, "ENOENT" },
	{ ESRCH, "ESRCH" },		{ EINTR, "EINTR" },
	{ EIO, "EIO" },			{ ENXIO, "ENXIO" },
	{ E2BIG, "E2BIG" },		{ EBADF, "EBADF" },
	{ EAGAIN, "EAGAIN" },		{ ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" },		{ EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" },		{ EEXIST, "EEXIST" },
	{ ENODEV, "ENODEV" },		{ ENOTDIR, "ENOTDIR" },
	{ EINVAL, "EINVAL" },		{ ENFILE, "ENFILE" },
	{ EMFILE, "EMFILE" },		{ ENOSPC, "ENOSPC" },
	{ EROFS, "EROFS" },		{ EPIPE, "EPIPE" },
	{ ERANGE, "ERANGE" },		{ ENAMETOOLONG, "ENAMETOOLONG" },
	{ ENOSYS, "ENOSYS" },		{ ELOOP, "ELOOP" },
	{ ENOTSOCK, "ENOTSOCK" },	{ EDESTADDRREQ, "EDESTADDRREQ" },
	{ EPROTOTYPE, "EPROTOTYPE" },	{ ENOPROTOOPT, "ENOPROTOOPT" },
	{ EPROTONOSUPPORT, "EPROTONOSUPPORT" },
	{ ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" },
	{ EOPNOTSUPP, "EOPNOTSUPP" },	{ EPFNOSUPPORT, "EPFNOSUPPORT" },
	{ EAFNOSUPPORT, "EAFNOSUPPORT" }, { EADDRINUSE, "EADDRINUSE" },
	{ EADDRNOTAVAIL, "EADDRNOTAVAIL" }, { ENETDOWN, "ENETDOWN" },
	{ ENETUNREACH, "ENETUNREACH" },	{ ECONNABORTED, "ECONNABORTED" },
	{ ECONNRESET, "ECONNRESET" },	{ ENOBUFS, "ENOBUFS" },
	{ EISCONN, "EISCONN" },		{ ENOTCONN, "ENOTCONN" },
	{ ETIMEDOUT, "ETIMEDOUT" },	{ ECONNREFUSED, "ECONNREFUSED" },
	{ EHOSTUNREACH, "EHOSTUNREACH" }, { EALREADY, "EALREADY" },
	{ EINPROGRESS, "EINPROGRESS" },	{ ECANCELED, "ECANCELED" },
};

static const struct errno_entry errno_aliases[] = {
	{ EWOULDBLOCK, "EWOULDBLOCK" },
	{ ENOTSUP, "ENOTSUP" },
};

const char *gp_errno_name(int e)
{
	static __thread char other[sizeof("E-2147483648")];
	/* Through unsigned so that INT_MIN has a magnitude too. */
	unsigned mag = e < 0 ? 0U - (unsigned)e : (unsigned)e;

	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
		if ((unsigned)errno_names[i].num == mag)
			return errno_names[i].name;
	snprintf(other, sizeof(other), "E%u", mag);
	return other;
}

/* Linux's MAX_ERRNO: the largest value an error return can carry. */
#define GP_MAX_ERRNO	4095

int gp_errno_parse(const char *s)
{
	if (!s || !*s)
		return -1;
	if (*s >= '0' && *s <= '9') {
		long v = 0;

		for (const char *p = s; *p; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			v = v * 10 + (*p - '0');
			if (v > GP_MAX_ERRNO)
				return -1;
		}
		return v > 0 ? (int)v : -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (!strcasecmp(s, errno_names[i].name))
			return errno_names[i].num;
	for (size_t i = 0; i < ARRAY_SIZE(errno_aliases); i++)
		if (!strcasecmp(s, errno_aliases[i].name))
			return errno_aliases[i].num;
	return -1;
}

const char *gp_opt_name(unsigned bit_index)
{
	/* Indexed by bit position; must follow the GP_OPT_* values. */
	static const char *const names[GP_OPT_NR_BITS] = {
		"reuseaddr", "reuseport", "freebind", "transparent",
		"bind_address_no_port", "opt-bit5", "opt-bit6", "opt-bit7",
	};
	_Static_assert(GP_OPT_REUSEADDR == 1U << 0 &&
		       GP_OPT_REUSEPORT == 1U << 1 &&
		       GP_OPT_FREEBIND == 1U << 2 &&
		       GP_OPT_TRANSPARENT == 1U << 3 &&
		       GP_OPT_BIND_NO_PORT == 1U << 4,
		       "gp_opt_name table follows the GP_OPT_* bits");

	return bit_index < GP_OPT_NR_BITS ? names[bit_index] : NULL;
}

size_t gp_opts_join(char *buf, size_t len, __u8 opts)
{
	size_t o = 0;

	if (!len)
		return 0;
	buf[0] = '\0';
	for (unsigned bit = 0; bit < GP_OPT_NR_BITS; bit++) {
		int n;

		if (!(opts & (1U << bit)))
			continue;
		n = snprintf(buf + o, len - o, "%s%s", o ? "," : "",
			     gp_opt_name(bit));
		if (n < 0 || (size_t)n >= len - o) {
			buf[o] = '\0';
			break;
		}
		o += (size_t)n;
	}
	return o;
}
