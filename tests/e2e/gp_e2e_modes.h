/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gp_e2e_modes.h - what each attach mode can see: the ONE table the
 * end-to-end test (run and compare) takes its expectations from.
 *
 * Adjust it here when a mode learns (or is found not) to see something;
 * nothing else in gp_e2e.c hard-codes per-mode knowledge.
 */
#ifndef GP_E2E_MODES_H
#define GP_E2E_MODES_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Kinds of bind a mode may or may not see at all. */
enum e2e_kind {
	K_INET,		/* ordinary TCP/UDP bind through inet_bind/inet6_bind */
	K_RAW,		/* SOCK_RAW: raw_bind returns before the cgroup hook */
	K_SHORT,	/* addr_len < sizeof(sockaddr_in): -EINVAL before the hook */
	K_SCTP,		/* IPPROTO_SCTP: sctp_bind, before the cgroup hook */
	K__N
};

/* Event fields that a mode may be unable to fill (JSON null). */
enum e2e_nfield {
	NF_RET,		/* "ret" (and with it "errno") */
	NF_PPID,
	NF_NETNS,
	NF_EXE,
	NF_CGROUP,	/* "cgroup_id" */
	NF_IFINDEX,
	NF_OPTS,
	NF_TYPE,	/* "sock_type" */
	NF__N
};

#define MN(f)	(1U << (f))

struct e2e_mode {
	const char *name;		/* as in --source and the "source" key */
	bool sees[K__N];		/* kinds of bind it reports */
	unsigned may_null;		/* MN(NF_*): null allowed; if present
					   the value must still be right */
};

/*
 *           name       inet  raw    short  sctp     fields that may be null
 */
static const struct e2e_mode e2e_modes[] = {
	{ "fentry", { true, true,  true,  true  }, 0 },
	{ "kprobe", { true, true,  true,  true  }, 0 },
	{ "kmod",   { true, true,  true,  true  }, 0 },
	/* cgroup sock_addr hooks run inside inet_bind after its own checks;
	 * ret comes from post_bind (0); a bind that fails after the hook is
	 * reported at the socket's next bind or release with ret null and
	 * "ret_unknown":"failed" (no syscall tracepoint: issue 16).  The
	 * executable is captured in the kernel there too (ABI v2). */
	{ "cgroup", { true, false, false, false },
	  MN(NF_RET) | MN(NF_PPID) | MN(NF_NETNS) },
};

/* Why a mode that does not see a kind does not (printed with SKIPs). */
static const char *const e2e_kind_why[K__N] = {
	[K_INET]  = "inet bind",
	[K_RAW]   = "raw socket binds return through raw_bind before the mode's hook",
	[K_SHORT] = "a short sockaddr fails with -EINVAL before the mode's hook",
	[K_SCTP]  = "sctp binds return through sctp_bind before the mode's hook",
};

static const char *const e2e_kind_name[K__N] = {
	[K_INET] = "inet", [K_RAW] = "raw", [K_SHORT] = "short", [K_SCTP] = "sctp",
};

static const char *const e2e_nfield_key[NF__N] = {
	[NF_RET] = "ret", [NF_PPID] = "ppid", [NF_NETNS] = "netns",
	[NF_EXE] = "exe", [NF_CGROUP] = "cgroup_id", [NF_IFINDEX] = "ifindex",
	[NF_OPTS] = "opts", [NF_TYPE] = "sock_type",
};

static inline const struct e2e_mode *e2e_mode_find(const char *name)
{
	for (size_t i = 0; i < sizeof(e2e_modes) / sizeof(e2e_modes[0]); i++)
		if (name && !strcmp(e2e_modes[i].name, name))
			return &e2e_modes[i];
	return NULL;
}

/* May field `key` be null in mode m?  "errno" follows "ret". */
static inline bool e2e_may_null(const struct e2e_mode *m, const char *key)
{
	if (!m)
		return false;
	if (!strcmp(key, "errno"))
		key = "ret";
	for (int f = 0; f < NF__N; f++)
		if (!strcmp(e2e_nfield_key[f], key))
			return m->may_null & MN(f);
	return false;
}

#endif /* GP_E2E_MODES_H */
