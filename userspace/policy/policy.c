// SPDX-License-Identifier: GPL-2.0
/*
 * policy.c - deny rules and exemptions, turned into what the kernel side
 * matches on: rule bits per port, and uid/gid/cgroup-id/inode keys.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "event/names.h"
#include "lib/kdev.h"
#include "lib/log.h"
#include "policy/policy.h"
#include "policy/portlist.h"

static int parse_id(const char *s, __u32 *out)
{
	char *end;
	unsigned long v;

	if (!*s)
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 0xfffffffeUL)
		return -1;
	*out = (__u32)v;
	return 0;
}

static int full(size_t n, const char *what, char *err, size_t errlen)
{
	if (n < GP_MAX_EXEMPT)
		return 0;
	return gp_errf(err, errlen, ENOSPC,
		       "too many %s exemptions (at most %d)", what,
		       GP_MAX_EXEMPT);
}

int gp_exempt_add_uid(struct gp_exemptions *x, const char *user, char *err,
		      size_t errlen)
{
	struct passwd *pw;
	__u32 uid;

	if (full(x->n_uids, "uid", err, errlen))
		return -ENOSPC;	/* full() said why */
	if (parse_id(user, &uid)) {
		pw = getpwnam(user);
		if (!pw) {
			return gp_errf(err, errlen, ENOENT,
				       "unknown user \"%s\"", user);
		}
		uid = pw->pw_uid;
	}
	x->uids[x->n_uids++] = uid;
	return 0;
}

int gp_exempt_add_gid(struct gp_exemptions *x, const char *group, char *err,
		      size_t errlen)
{
	struct group *gr;
	__u32 gid;

	if (full(x->n_gids, "gid", err, errlen))
		return -ENOSPC;	/* full() said why */
	if (parse_id(group, &gid)) {
		gr = getgrnam(group);
		if (!gr) {
			return gp_errf(err, errlen, ENOENT,
				       "unknown group \"%s\"", group);
		}
		gid = gr->gr_gid;
	}
	x->gids[x->n_gids++] = gid;
	return 0;
}

/*
 * On cgroup v2 a cgroup's id is its directory's inode number, which is
 * what bpf_get_current_cgroup_id() and kernfs ids return.
 */
int gp_exempt_add_cgroup(struct gp_exemptions *x, const char *path,
			 char *err, size_t errlen)
{
	static const char *const roots[] = {
		"/sys/fs/cgroup/unified/", "/sys/fs/cgroup/", NULL,
	};
	char buf[4096];
	struct statfs sfs;
	struct stat st;
	int i;

	if (full(x->n_cgroups, "cgroup", err, errlen))
		return -ENOSPC;	/* full() said why */
	for (i = 0; path[0] == '/' ? i == 0 : roots[i] != NULL; i++) {
		if (path[0] == '/')
			snprintf(buf, sizeof(buf), "%s", path);
		else
			snprintf(buf, sizeof(buf), "%s%s", roots[i], path);
		if (statfs(buf, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC ||
		    stat(buf, &st) || !S_ISDIR(st.st_mode))
			continue;
		x->cgroups[x->n_cgroups++] = (__u64)st.st_ino;
		return 0;
	}
	return gp_errf(err, errlen, ENOTDIR,
		       "\"%s\" is not a cgroup v2 directory", path);
}

int gp_exempt_add_exe(struct gp_exemptions *x, const char *path, char *err,
		      size_t errlen)
{
	struct stat st;
	__u64 ino;
	__u32 kdev;

	if (full(x->n_exes, "executable", err, errlen))
		return -ENOSPC;	/* full() said why */
	if (stat(path, &st) ||
	    gp_kdev_of(AT_FDCWD, path, 0, &ino, &kdev)) {
		return gp_errf(err, errlen, errno, "executable \"%s\": %s",
			       path, strerror(errno));
	}
	if (!S_ISREG(st.st_mode)) {
		return gp_errf(err, errlen, EINVAL,
			       "executable \"%s\" is not a regular file", path);
	}
	/* The kernel's (i_ino, i_sb->s_dev), not st_dev: they differ on
	 * btrfs (a subvolume's device) and may on overlayfs. */
	x->exes[x->n_exes].ino = ino;
	x->exes[x->n_exes].dev = kdev;
	x->n_exes++;
	return 0;
}

size_t gp_exempt_count(const struct gp_exemptions *x)
{
	return x->n_uids + x->n_gids + x->n_cgroups + x->n_exes;
}

static void set_deny(__u32 *rule, __u32 protos, int errno_val)
{
	*rule |= GP_RULE_AUDIT(protos);
	*rule |= (protos & GP_PROTO_ALL) << GP_RULE_DENY_SHIFT;
	*rule &= ~(0xffU << GP_RULE_ERRNO_SHIFT);
	*rule |= ((__u32)errno_val & 0xffU) << GP_RULE_ERRNO_SHIFT;
}

int gp_deny_parse(const char *list, __u32 *rules, int default_errno,
		  char *err, size_t errlen)
{
	static __u32 item_rules[GP_NR_PORTS];
	char *copy, *item, *save = NULL;
	unsigned int port;
	int ret = 0;

	if (!*list) {
		return gp_errf(err, errlen, EINVAL, "empty deny list");
	}
	copy = strdup(list);
	if (!copy) {
		return gp_errf(err, errlen, ENOMEM, "out of memory");
	}
	for (item = strtok_r(copy, ",", &save); item && !ret;
	     item = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(item, ':');
		int e = default_errno;

		if (colon) {
			*colon = '\0';
			e = gp_errno_parse(colon + 1);
			if (e <= 0 || e > 255) {
				ret = gp_errf(err, errlen, EINVAL,
					      "bad errno \"%s\" in deny item \"%s\" (e.g. EPERM, EACCES, EADDRINUSE)",
					      colon + 1, item);
				break;
			}
		}
		memset(item_rules, 0, sizeof(item_rules));
		if (gp_portlist_parse(item, item_rules, err, errlen)) {
			ret = -EINVAL;
			break;
		}
		for (port = 0; port < GP_NR_PORTS; port++)
			if (item_rules[port])
				set_deny(&rules[port],
					 GP_RULE_AUDIT(item_rules[port]), e);
	}
	free(copy);
	return ret;
}

void gp_deny_all_listed(__u32 *rules, int errno_val)
{
	unsigned int port;

	for (port = 0; port < GP_NR_PORTS; port++)
		if (GP_RULE_AUDIT(rules[port]) && !GP_RULE_DENY(rules[port]))
			set_deny(&rules[port], GP_RULE_AUDIT(rules[port]),
				 errno_val);
}
