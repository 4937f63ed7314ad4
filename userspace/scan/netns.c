// SPDX-License-Identifier: GPL-2.0
/*
 * scan_netns.c - every network namespace on the machine: the distinct
 * inodes behind /proc/[pid]/ns/net (containers, `unshare -n`) and the
 * /run/netns bind mounts of `ip netns add` (which may have no process in
 * them at all).  Our own namespace comes first and is entered without a
 * setns() (path "").
 *
 * Not seen: a namespace kept alive only by an open descriptor or a bind
 * mount outside /run/netns (say so in the docs; a process inside it would
 * make it visible).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "scan/scan.h"

struct ns_list {
	struct gp_scan_netns *v;
	size_t n, cap;
};

static bool known(const struct ns_list *l, __u32 ino)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].ino == ino)
			return true;
	return false;
}

static int add(struct ns_list *l, __u32 ino, const char *path,
	       const char *name)
{
	if (known(l, ino))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct gp_scan_netns *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].ino = ino;
	snprintf(l->v[l->n].path, sizeof(l->v[l->n].path), "%s", path);
	snprintf(l->v[l->n].name, sizeof(l->v[l->n].name), "%s", name);
	l->n++;
	return 0;
}

/* "net:[4026531840]" -> 4026531840 via readlink (no open, no stat). */
static __u32 netns_of(const char *path)
{
	char link[64];
	ssize_t n = readlink(path, link, sizeof(link) - 1);

	if (n <= 5)
		return 0;
	link[n] = '\0';
	if (strncmp(link, "net:[", 5))
		return 0;
	return (__u32)strtoul(link + 5, NULL, 10);
}

static void add_run_netns(struct ns_list *l)
{
	DIR *d = opendir("/run/netns");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[64], name[GP_SCAN_NETNS_LEN];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "/run/netns/%s",
			     de->d_name) >= (int)sizeof(path))
			continue;
		/* A bind mount of an nsfs inode: st_ino is the netns. */
		if (stat(path, &st) || st.st_ino == 0)
			continue;
		snprintf(name, sizeof(name), "netns %.50s", de->d_name);
		if (add(l, (__u32)st.st_ino, path, name))
			break;
	}
	closedir(d);
}

ssize_t gp_scan_list_netns(struct gp_scan_netns **out, bool own_only)
{
	struct ns_list l = { 0 };
	__u32 own = netns_of("/proc/self/ns/net");
	struct dirent *de;
	DIR *d;

	*out = NULL;
	if (add(&l, own, "", "host"))
		return -1;
	if (own_only)
		goto done;
	/* Named ones first: their name is better than "pid N". */
	add_run_netns(&l);
	d = opendir("/proc");
	if (!d)
		goto done;
	while ((de = readdir(d))) {
		char path[64], name[GP_SCAN_NETNS_LEN];
		__u32 ino;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/ns/net", de->d_name);
		ino = netns_of(path);
		if (!ino || known(&l, ino))
			continue;
		snprintf(name, sizeof(name), "pid %.20s", de->d_name);
		if (add(&l, ino, path, name))
			break;
	}
	closedir(d);
done:
	/* Inside a container our namespace is not the host's. */
	if (l.n && own != netns_of("/proc/1/ns/net"))
		snprintf(l.v[0].name, sizeof(l.v[0].name), "own");
	*out = l.v;
	return (ssize_t)l.n;
}
