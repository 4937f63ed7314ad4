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
	snprintf(err, errlen, "too many %s exemptions (at most %d)", what,
		 GP_MAX_EXEMPT);
	return -1;
}

int gp_exempt_add_uid(struct gp_exemptions *x, const char *user, char *err,
		      size_t errlen)
{
	struct passwd *pw;
	__u32 uid;

	if (full(x->n_uids, "uid", err, errlen))
		return -1;
	if (parse_id(user, &uid)) {
		pw = getpwnam(user);
		if (!pw) {
			snprintf(err, errlen, "unknown user \"%s\"", user);
			return -1;
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
		return -1;
	if (parse_id(group, &gid)) {
		gr = getgrnam(group);
		if (!gr) {
			snprintf(err, errlen, "unknown group \"%s\"", group);
			return -1;
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
		return -1;
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
	snprintf(err, errlen, "\"%s\" is not a cgroup v2 directory", path);
	return -1;
}

int gp_exempt_add_exe(struct gp_exemptions *x, const char *path, char *err,
		      size_t errlen)
{
	struct stat st;
	__u64 ino;
	__u32 kdev;

	if (full(x->n_exes, "executable", err, errlen))
		return -1;
	if (stat(path, &st) ||
	    gp_kdev_of(AT_FDCWD, path, 0, &ino, &kdev)) {
		snprintf(err, errlen, "executable \"%s\": %s", path,
			 strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "executable \"%s\" is not a regular file",
			 path);
		return -1;
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
		snprintf(err, errlen, "empty deny list");
		return -1;
	}
	copy = strdup(list);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (item = strtok_r(copy, ",", &save); item && !ret;
	     item = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(item, ':');
		int e = default_errno;

		if (colon) {
			*colon = '\0';
			e = gp_errno_parse(colon + 1);
			if (e <= 0 || e > 255) {
				snprintf(err, errlen,
					 "bad errno \"%s\" in deny item \"%s\" (e.g. EPERM, EACCES, EADDRINUSE)",
					 colon + 1, item);
				ret = -1;
				break;
			}
		}
		memset(item_rules, 0, sizeof(item_rules));
		if (gp_portlist_parse(item, item_rules, err, errlen)) {
			ret = -1;
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
