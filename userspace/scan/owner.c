// SPDX-License-Identifier: GPL-2.0
/*
 * scan_owner.c - who holds a socket: one pass over /proc/[pid]/fd, each
 * descriptor's link "socket:[INODE]" looked up among the found sockets'
 * inodes (sorted, binary search).  Every process holding one is described
 * as a bind event's process is: pid, ppid, uid, gid, comm, executable (path
 * and inode), command line, cgroup v2 path and id, network namespace.
 *
 * Threads share their process's descriptor table, so /proc/[pid]/fd of the
 * thread group leader is enough (a task created with CLONE_FILES unshared
 * but not a new process is missed: rare enough to accept).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "scan/scan.h"

struct ino_ref {
	__u64 ino;
	size_t idx;		/* index in r->socks */
};

static int cmp_ref(const void *a, const void *b)
{
	const struct ino_ref *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

static const char *cgroup2_root(void)
{
	static const char *const roots[] = { "/sys/fs/cgroup/unified",
					     "/sys/fs/cgroup", NULL };
	struct statfs sfs;
	int i;

	for (i = 0; roots[i]; i++)
		if (!statfs(roots[i], &sfs) && sfs.f_type == CGROUP2_SUPER_MAGIC)
			return roots[i];
	return NULL;
}

/* Fill everything but fd for process pid. */
static void describe(struct gp_scan_holder *h, const char *pid)
{
	char path[96], buf[4096], *p;
	const char *root;
	struct stat st;
	ssize_t n;

	h->pid = (pid_t)atoi(pid);
	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	if (read_small(path, buf, sizeof(buf)) > 0) {
		if ((p = strstr(buf, "\nPPid:")))
			h->ppid = (pid_t)strtol(p + 6, NULL, 10);
		if ((p = strstr(buf, "\nUid:")))
			h->uid = (uid_t)strtoul(p + 5, NULL, 10);
		if ((p = strstr(buf, "\nGid:")))
			h->gid = (gid_t)strtoul(p + 5, NULL, 10);
	}
	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	n = read_small(path, buf, sizeof(buf));
	if (n > 0) {
		if (buf[n - 1] == '\n')
			buf[n - 1] = '\0';
		/* Raw bytes, as the kernel's comm: the formats escape. */
		memcpy(h->comm, buf, (size_t)n < sizeof(h->comm) ?
				     (size_t)n : sizeof(h->comm));
	}
	snprintf(path, sizeof(path), "/proc/%s/exe", pid);
	n = readlink(path, h->exe, sizeof(h->exe) - 1);
	h->exe[n > 0 ? n : 0] = '\0';
	if (!stat(path, &st)) {
		h->exe_ino = (__u64)st.st_ino;
		h->exe_dev = (major(st.st_dev) << 20) | minor(st.st_dev);
		h->exe_known = true;
	}
	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	n = read_small(path, h->cmdline, sizeof(h->cmdline));
	if (n > 0) {
		ssize_t i;

		/* NUL-separated arguments, joined by spaces. */
		for (i = 0; i < n - 1; i++)
			if (h->cmdline[i] == '\0')
				h->cmdline[i] = ' ';
	}
	snprintf(path, sizeof(path), "/proc/%s/cgroup", pid);
	if (read_small(path, buf, sizeof(buf)) > 0 &&
	    (p = strstr(buf, "0::")) && (p == buf || p[-1] == '\n')) {
		p[3 + strcspn(p + 3, "\n")] = '\0';
		snprintf(h->cgroup, sizeof(h->cgroup), "%.*s",
			 (int)sizeof(h->cgroup) - 1, p + 3);
		root = cgroup2_root();
		if (root) {
			char full[PATH_MAX];

			snprintf(full, sizeof(full), "%s%s", root, h->cgroup);
			if (!stat(full, &st))
				h->cgroup_id = (__u64)st.st_ino;
		}
	}
	snprintf(path, sizeof(path), "/proc/%s/ns/net", pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n > 5) {
		buf[n] = '\0';
		h->netns_ino = (__u32)strtoul(buf + 5, NULL, 10);
	}
}

/* Record that process pid holds socket s through fd (once per process). */
static void hold(struct gp_scan_sock *s, const char *pid, int fd,
		 const struct gp_scan_holder *known)
{
	struct gp_scan_holder *v;
	size_t i;

	for (i = 0; i < s->n_holders; i++)
		if (s->holders[i].pid == (pid_t)atoi(pid))
			return;
	v = realloc(s->holders, (s->n_holders + 1) * sizeof(*v));
	if (!v)
		return;
	s->holders = v;
	v = &s->holders[s->n_holders++];
	if (known) {
		*v = *known;
	} else {
		memset(v, 0, sizeof(*v));
		describe(v, pid);
	}
	v->fd = fd;
}

void gp_scan_owners(struct gp_scan_result *r)
{
	struct ino_ref *refs;
	struct dirent *de;
	size_t n = 0, i;
	DIR *d;

	if (!r->n)
		return;
	refs = calloc(r->n, sizeof(*refs));
	if (!refs)
		return;
	for (i = 0; i < r->n; i++)
		if (r->socks[i].ino)
			refs[n++] = (struct ino_ref){ r->socks[i].ino, i };
	qsort(refs, n, sizeof(*refs), cmp_ref);
	d = n ? opendir("/proc") : NULL;
	while (d && (de = readdir(d))) {
		char path[64], link[64];
		struct gp_scan_holder *first = NULL;
		struct dirent *fe;
		DIR *fds;
		int dfd;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/fd", de->d_name);
		fds = opendir(path);
		if (!fds)
			continue;	/* gone, or a kernel thread */
		r->procs_walked++;
		dfd = dirfd(fds);
		while ((fe = readdir(fds))) {
			struct ino_ref key, *hit;
			ssize_t l;

			if (fe->d_name[0] == '.')
				continue;
			/* Every fd entry is a symlink: only its target
			 * tells a socket apart. */
			r->fds_walked++;
			l = readlinkat(dfd, fe->d_name, link, sizeof(link) - 1);
			if (l < 9 || memcmp(link, "socket:[", 8))
				continue;
			link[l] = '\0';
			key.ino = strtoull(link + 8, NULL, 10);
			hit = bsearch(&key, refs, n, sizeof(*refs), cmp_ref);
			if (!hit)
				continue;
			/* Equal inodes sit together: take every match. */
			while (hit > refs && hit[-1].ino == key.ino)
				hit--;
			for (; hit < refs + n && hit->ino == key.ino; hit++) {
				struct gp_scan_sock *s = &r->socks[hit->idx];

				hold(s, de->d_name, atoi(fe->d_name), first);
				if (!first && s->n_holders)
					first = &s->holders[s->n_holders - 1];
			}
		}
		closedir(fds);
	}
	if (d)
		closedir(d);
	free(refs);
}
