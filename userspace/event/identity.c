// SPDX-License-Identifier: GPL-2.0
/*
 * identity.c - the binder's identity for the formats: the v2 record's
 * parts, the executable paths the kernel sent once (kept here by
 * (ino, dev)), user and group names, the cgroup path with its systemd unit
 * and container id.  Every lookup is cached: a steady stream of binds by
 * the same program costs no syscall here.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "event/identity.h"
#include "lib/kdev.h"

#define EXE_SLOTS	1024	/* power of two */
#define NAME_SLOTS	64
#define CG_SLOTS	256
#define FILEID_KERNFS	0xfe

/* ---- executable paths, by (ino, dev) ---- */

struct exe_slot {
	__u64 ino;
	__u32 dev;
	bool used;
	char path[GP_PATH_MAX + 1];
};

static struct exe_slot *exe_cache;
static void (*forget_fn)(void *ctx, __u64 ino, __u32 dev);
static void *forget_ctx;

void gp_ident_on_forget(void (*fn)(void *ctx, __u64 ino, __u32 dev),
			void *ctx)
{
	forget_fn = fn;
	forget_ctx = ctx;
}

static void forget(__u64 ino, __u32 dev)
{
	if (forget_fn)
		forget_fn(forget_ctx, ino, dev);
}

static struct exe_slot *exe_slot(__u64 ino, __u32 dev)
{
	__u64 h = (ino ^ ((__u64)dev << 29)) * 0x9e3779b97f4a7c15ULL;

	if (!exe_cache) {
		exe_cache = calloc(EXE_SLOTS, sizeof(*exe_cache));
		if (!exe_cache)
			return NULL;
	}
	return &exe_cache[(h >> 40) & (EXE_SLOTS - 1)];
}

static void exe_remember(__u64 ino, __u32 dev, const char *path)
{
	struct exe_slot *s = exe_slot(ino, dev);

	if (!s)
		return;
	/* The evicted executable's path must come again next time. */
	if (s->used && (s->ino != ino || s->dev != dev))
		forget(s->ino, s->dev);
	s->ino = ino;
	s->dev = dev;
	s->used = true;
	snprintf(s->path, sizeof(s->path), "%s", path);
}

static const char *exe_known(__u64 ino, __u32 dev)
{
	struct exe_slot *s = exe_slot(ino, dev);

	return s && s->used && s->ino == ino && s->dev == dev ? s->path : NULL;
}

void gp_ident_reset(void)
{
	if (exe_cache)
		memset(exe_cache, 0, EXE_SLOTS * sizeof(*exe_cache));
}

__u32 gp_ident_new_gen(void)
{
	struct timespec t;
	__u32 g;

	clock_gettime(CLOCK_REALTIME, &t);
	g = (__u32)(t.tv_sec * 2654435761U) ^ (__u32)t.tv_nsec ^
	    ((__u32)getpid() << 16);
	return g ? g : 1;
}

/* ---- parts ---- */

static void copy_path(struct gp_ident_exe *x, const unsigned char *p,
		      size_t n)
{
	if (n > GP_PATH_MAX)
		n = GP_PATH_MAX;
	memcpy(x->path, p, n);
	x->path[n] = '\0';
	/* A NUL inside a name cannot happen in a kernel path; cut there. */
	x->reason = x->path[0] ? NULL : "empty";
}

int gp_ident_parts(const struct gp_event *e, const void *data, size_t len,
		   struct gp_ident *id, char *err, size_t errlen)
{
	const unsigned char *b = data;
	size_t off = e->hdr_size;

	memset(id, 0, offsetof(struct gp_ident, user));
	id->user[0] = id->group[0] = id->euser[0] = id->egroup[0] = '\0';
	id->auser[0] = id->cgroup[0] = id->unit[0] = '\0';
	id->container_id[0] = '\0';
	id->container_runtime = NULL;
	while (off + sizeof(struct gp_part) <= len) {
		const struct gp_part *p = (const void *)(b + off);
		const unsigned char *d = b + off + sizeof(*p);

		if (GP_PART_SIZE(p->len) > len - off) {
			snprintf(err, errlen,
				 "record part type %u length %u overruns the record (%zu of %zu bytes)",
				 p->type, p->len, off, len);
			return -1;
		}
		switch (p->type) {
		case GP_PART_EXE_PATH:
			copy_path(&id->exe, d, p->len);
			break;
		case GP_PART_PARENT_EXE_PATH:
			copy_path(&id->parent_exe, d, p->len);
			break;
		case GP_PART_ARGS:
			id->args_len = p->len > GP_ARGS_MAX ? GP_ARGS_MAX :
							       p->len;
			memcpy(id->args, d, id->args_len);
			id->has_args = true;
			break;
		default:	/* a newer producer's part: skip it */
			break;
		}
		off += GP_PART_SIZE(p->len);
	}
	return 0;
}

/* ---- executables ---- */

/* /proc/PID/exe, if it is the very file the kernel recorded. */
static int exe_from_proc(__u32 pid, __u64 ino, __u32 dev, char *buf,
			 size_t len)
{
	char link[64];
	__u64 i;
	__u32 d;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%u/exe", pid);
	if (gp_kdev_of(AT_FDCWD, link, 0, &i, &d) || i != ino || d != dev)
		return -1;
	n = readlink(link, buf, len - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static void resolve_exe(struct gp_ident_exe *x, bool valid, __u64 ino,
			__u32 dev, __u16 xf, __u32 pid, bool kernel)
{
	const char *known;

	if (x->path[0]) {		/* sent in this record */
		exe_remember(ino, dev, x->path);
		return;
	}
	if (!valid) {
		x->reason = kernel ? "kernel_thread" : "not_seen";
		return;
	}
	known = exe_known(ino, dev);
	if (known) {
		snprintf(x->path, sizeof(x->path), "%s", known);
		x->reason = NULL;
		return;
	}
	if (pid && !exe_from_proc(pid, ino, dev, x->path, sizeof(x->path))) {
		exe_remember(ino, dev, x->path);
		x->reason = NULL;
		return;
	}
	if (xf & GP_XF_NO_CAPTURE)
		x->reason = "capture_off";
	else if (xf & GP_XF_FAULT)
		x->reason = "unreadable";
	else if (xf & GP_XF_SENT)
		x->reason = "sent_before_reader";	/* to an earlier reader */
	else
		x->reason = "not_sent";
	/* Ask the producer to send it again with the next record. */
	if (xf & GP_XF_SENT)
		forget(ino, dev);
}

/* ---- names from /etc/passwd and /etc/group ---- */

struct name_slot {
	__u32 id;
	bool used;
	char name[GP_NAME_LEN];
};

static struct name_slot users[NAME_SLOTS], groups[NAME_SLOTS];

/* Field 0 of the line whose field 2 is id (the passwd/group layout). */
static bool name_from(const char *file, __u32 id, char *out, size_t len)
{
	FILE *f = fopen(file, "re");
	char line[1024];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2, *end;
		unsigned long v;
		size_t n;

		if (!c1 || !(c2 = strchr(c1 + 1, ':')))
			continue;
		v = strtoul(c2 + 1, &end, 10);
		if (end == c2 + 1 || *end != ':' || v != id)
			continue;
		n = (size_t)(c1 - line) < len - 1 ? (size_t)(c1 - line) : len - 1;
		memcpy(out, line, n);
		out[n] = '\0';
		found = true;
	}
	fclose(f);
	return found;
}

static void name_of(struct name_slot *tab, const char *file, __u32 id,
		    char *out)
{
	struct name_slot *s = &tab[id % NAME_SLOTS];

	if (!s->used || s->id != id) {
		s->id = id;
		s->used = true;
		if (!name_from(file, id, s->name, sizeof(s->name)))
			s->name[0] = '\0';
	}
	snprintf(out, GP_NAME_LEN, "%s", s->name);
}

/* ---- cgroups ---- */

struct cg_slot {
	__u64 id;
	char path[GP_CGROUP_LEN];
};

static struct cg_slot cgroups[CG_SLOTS];
static char cg_root[256];
static int cg_root_fd = -1;

/* Where cgroup v2 is mounted ("/sys/fs/cgroup" or ".../unified"). */
static int cgroup_root(void)
{
	FILE *f;
	char line[4096];

	if (cg_root_fd >= 0)
		return 0;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char mnt[256], *sep = strstr(line, " - ");

		if (!sep || strncmp(sep, " - cgroup2 ", 11))
			continue;
		if (sscanf(line, "%*u %*u %*u:%*u %*s %255s", mnt) == 1) {
			snprintf(cg_root, sizeof(cg_root), "%s", mnt);
			break;
		}
	}
	fclose(f);
	if (!cg_root[0])
		return -1;
	cg_root_fd = open(cg_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return cg_root_fd < 0 ? -1 : 0;
}

/* The kernfs id of a cgroup v2 directory is its inode number. */
static __u64 walk_want;
static char walk_found[GP_CGROUP_LEN];

static int walk_cb(const char *p, const struct stat *st, int type,
		   struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_D && (__u64)st->st_ino == walk_want) {
		snprintf(walk_found, sizeof(walk_found), "%s", p);
		return 1;
	}
	return 0;
}

static int cgroup_path(__u64 id, char *out, size_t len)
{
	struct {
		struct file_handle fh;
		__u64 id;
	} h;
	char link[64], buf[GP_CGROUP_LEN + 256];
	ssize_t n = -1;
	size_t rl;
	int fd;

	if (cgroup_root())
		return -1;
	rl = strlen(cg_root);
	h.fh.handle_bytes = sizeof(__u64);
	h.fh.handle_type = FILEID_KERNFS;
	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(cg_root_fd, &h.fh, O_PATH | O_CLOEXEC);
	if (fd >= 0) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n > 0) {
		buf[n] = '\0';
	} else {
		/* No CAP_DAC_READ_SEARCH or no kernfs handles: walk. */
		walk_want = id;
		walk_found[0] = '\0';
		if (nftw(cg_root, walk_cb, 16, FTW_PHYS | FTW_MOUNT) != 1)
			return -1;
		snprintf(buf, sizeof(buf), "%s", walk_found);
	}
	if (strncmp(buf, cg_root, rl))
		return -1;
	snprintf(out, len, "%s", buf[rl] ? buf + rl : "/");
	return 0;
}

static bool all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/*
 * Unit: the innermost component ending in .service or .scope (a service's
 * own cgroup, or a scope such as a session or a container), else the
 * innermost .slice.  Container: the last 64-hex-digit id in a component
 * of the shapes docker (/docker/ID, docker-ID.scope), containerd and CRI-O
 * (cri-containerd-ID.scope, crio-ID.scope, kubepods/.../ID), podman
 * (libpod-ID.scope).
 */
void gp_ident_cgroup_parse(const char *p, struct gp_ident *id)
{
	static const struct {
		const char *prefix;
		const char *runtime;
	} shapes[] = {
		{ "docker-", "docker" },
		{ "cri-containerd-", "containerd" },
		{ "crio-", "cri-o" },
		{ "libpod-", "podman" },
		{ "", NULL },	/* a bare ID component */
	};
	const char *c = p, *slice = NULL, *unit = NULL, *prev = NULL;
	size_t slice_len = 0, unit_len = 0, prev_len = 0;

	id->unit[0] = '\0';
	id->container_id[0] = '\0';
	id->container_runtime = NULL;
	while (*c) {
		const char *end;
		size_t n, i;

		while (*c == '/')
			c++;
		if (!*c)
			break;
		end = strchrnul(c, '/');
		n = end - c;
		if ((n > 8 && !memcmp(end - 8, ".service", 8)) ||
		    (n > 6 && !memcmp(end - 6, ".scope", 6))) {
			unit = c;
			unit_len = n;
		} else if (n > 6 && !memcmp(end - 6, ".slice", 6)) {
			slice = c;
			slice_len = n;
		}
		for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
			size_t pl = strlen(shapes[i].prefix);
			size_t rest = n - pl;

			if (n < pl + 64 || memcmp(c, shapes[i].prefix, pl))
				continue;
			if (!all_hex(c + pl, 64))
				continue;
			rest = n - pl - 64;
			if (rest && !(rest == 6 && !memcmp(c + pl + 64, ".scope", 6)))
				continue;
			memcpy(id->container_id, c + pl, 64);
			id->container_id[64] = '\0';
			id->container_runtime = shapes[i].runtime;
			if (!pl) {
				/* /docker/ID, /kubepods/.../ID: the parent
				 * says whose. */
				if (prev && prev_len == 6 &&
				    !memcmp(prev, "docker", 6))
					id->container_runtime = "docker";
				else if (prev && !memcmp(prev, "pod", 3))
					id->container_runtime = "kubernetes";
			}
			break;
		}
		prev = c;
		prev_len = n;
		c = end;
	}
	if (!unit) {
		unit = slice;
		unit_len = slice_len;
	}
	if (unit && unit_len < sizeof(id->unit)) {
		memcpy(id->unit, unit, unit_len);
		id->unit[unit_len] = '\0';
	}
}

static void resolve_cgroup(const struct gp_event *e, struct gp_ident *id)
{
	struct cg_slot *s = &cgroups[e->cgroup_id % CG_SLOTS];

	if (!(e->valid & GP_VF_CGROUP) || !e->cgroup_id)
		return;
	/* Cgroup ids are never reused while the system runs. */
	if (s->id != e->cgroup_id) {
		if (cgroup_path(e->cgroup_id, s->path, sizeof(s->path)))
			s->path[0] = '\0';
		s->id = e->cgroup_id;
	}
	snprintf(id->cgroup, sizeof(id->cgroup), "%s", s->path);
	if (id->cgroup[0])
		gp_ident_cgroup_parse(id->cgroup, id);
}

void gp_ident_resolve(const struct gp_event *e, struct gp_ident *id)
{
	bool kernel = e->flags & GP_EF_KERNEL;

	resolve_exe(&id->exe, e->valid & GP_VF_EXE, e->exe_ino, e->exe_dev,
		    e->exe_flags, e->pid, kernel);
	if (e->valid & GP_VF_PARENT_EXE)
		resolve_exe(&id->parent_exe, true, e->parent_exe_ino,
			    e->parent_exe_dev, e->parent_exe_flags,
			    (e->valid & GP_VF_PPID) ? e->ppid : 0, false);
	else if (!id->parent_exe.path[0])
		id->parent_exe.reason = kernel ? "kernel_thread" : "not_seen";
	name_of(users, "/etc/passwd", e->uid, id->user);
	name_of(groups, "/etc/group", e->gid, id->group);
	if (e->valid & GP_VF_CREDS) {
		name_of(users, "/etc/passwd", e->euid, id->euser);
		name_of(groups, "/etc/group", e->egid, id->egroup);
	}
	if ((e->valid & GP_VF_LOGIN) && e->auid != (__u32)-1)
		name_of(users, "/etc/passwd", e->auid, id->auser);
	resolve_cgroup(e, id);
}
