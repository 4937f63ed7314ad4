/* SPDX-License-Identifier: GPL-2.0 */
/*
 * policy.h - what to deny and whom to spare: deny rules with their errno
 * and the exemptions (uid, gid, cgroup, executable).
 */
#ifndef GP_POLICY_H
#define GP_POLICY_H

#include <linux/types.h>
#include <stddef.h>

#include "ghostport_abi.h"

/* How denials are enforced (gp_source_opts.deny_with, gp_config.deny_with). */
enum gp_deny_method {
	GP_DENY_NONE = 0,		/* monitor only */
	GP_DENY_AUTO,			/* LSM if active, else cgroup */
	GP_DENY_LSM,			/* BPF LSM socket_bind */
	GP_DENY_CGROUP,			/* cgroup bind4/bind6 */
};

#define GP_MAX_EXEMPT	64

struct gp_exe_id {
	__u64 ino;
	__u32 dev;		/* kernel encoding: MAJOR << 20 | MINOR */
};

struct gp_exemptions {
	__u32 uids[GP_MAX_EXEMPT];
	size_t n_uids;
	__u32 gids[GP_MAX_EXEMPT];
	size_t n_gids;
	__u64 cgroups[GP_MAX_EXEMPT];
	size_t n_cgroups;
	struct gp_exe_id exes[GP_MAX_EXEMPT];
	size_t n_exes;
};

/* Each returns 0, or -1 with a one-line reason in err. */
int gp_exempt_add_uid(struct gp_exemptions *x, const char *user, char *err,
		      size_t errlen);
int gp_exempt_add_gid(struct gp_exemptions *x, const char *group, char *err,
		      size_t errlen);
/* A cgroup v2 directory, absolute or relative to the v2 mount. */
int gp_exempt_add_cgroup(struct gp_exemptions *x, const char *path,
			 char *err, size_t errlen);
/* An executable file: identified by inode and device, not by name. */
int gp_exempt_add_exe(struct gp_exemptions *x, const char *path, char *err,
		      size_t errlen);
size_t gp_exempt_count(const struct gp_exemptions *x);

/*
 * Deny rules: LIST is a port list whose items may end in ":ERRNO"
 * (e.g. "686,886/tcp:EADDRINUSE").  Each item's ports get deny bits for
 * its protocols (and audit bits: a denied port is always listed) and the
 * errno (default_errno when none is given).
 */
int gp_deny_parse(const char *list, __u32 *rules, int default_errno,
		  char *err, size_t errlen);

/* Deny every listed port/protocol that has no deny rule yet. */
void gp_deny_all_listed(__u32 *rules, int errno_val);

#endif /* GP_POLICY_H */
