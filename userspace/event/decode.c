// SPDX-License-Identifier: GPL-2.0
/*
 * decode.c - validate a raw gp_event and add what only userspace knows:
 * wall-clock time, the printable address, the IANA service name and the
 * executable's path.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/socket.h>

#include "event/decode.h"
#include "event/iana.h"

#define NSEC_PER_SEC 1000000000LL

static __s64 ts_ns(const struct timespec *t)
{
	return (__s64)t->tv_sec * NSEC_PER_SEC + t->tv_nsec;
}

void gp_clock_sync(struct gp_clock *c)
{
	struct timespec r1, b, r2;

	/* Bracket the boot clock read with two wall reads; take the middle. */
	clock_gettime(CLOCK_REALTIME, &r1);
	clock_gettime(CLOCK_BOOTTIME, &b);
	clock_gettime(CLOCK_REALTIME, &r2);
	c->boot_to_real_ns = (ts_ns(&r1) + ts_ns(&r2)) / 2 - ts_ns(&b);
}

struct timespec gp_clock_wall(const struct gp_clock *c, __u64 boot_ns)
{
	__s64 w = (__s64)boot_ns + c->boot_to_real_ns;
	struct timespec t;

	t.tv_sec = w / NSEC_PER_SEC;
	t.tv_nsec = w % NSEC_PER_SEC;
	return t;
}

static void format_addr(struct gp_record *r)
{
	const struct gp_event *e = &r->ev;
	int af = e->family == AF_INET6 ? AF_INET6 : AF_INET;

	if (!inet_ntop(af, e->addr, r->addr, sizeof(r->addr)))
		snprintf(r->addr, sizeof(r->addr), "?");
}

int gp_decode(const void *data, size_t len, const struct gp_clock *clk,
	      struct gp_record *out, char *err, size_t errlen)
{
	const struct gp_event *e = data;

	if (len < sizeof(*e)) {
		snprintf(err, errlen, "short record: %zu bytes, want %zu", len,
			 sizeof(*e));
		return -1;
	}
	if (e->magic != GP_ABI_MAGIC) {
		snprintf(err, errlen, "bad record magic 0x%08x", e->magic);
		return -1;
	}
	if (e->version != GP_ABI_VERSION || e->size != sizeof(*e)) {
		snprintf(err, errlen,
			 "record version %u size %u, this reader knows version %u size %zu",
			 e->version, e->size, GP_ABI_VERSION, sizeof(*e));
		return -1;
	}
	memcpy(&out->ev, e, sizeof(*e));
	if (out->ev.family != AF_INET && out->ev.family != AF_INET6) {
		snprintf(err, errlen, "record with unknown family %u",
			 out->ev.family);
		return -1;
	}
	out->wall = gp_clock_wall(clk, out->ev.ts_ns);
	format_addr(out);
	out->service = gp_iana_service(out->ev.port, out->ev.protocol);
	out->exe[0] = '\0';
	out->count = 1;
	return 0;
}

/* Kernel dev_t (MAJOR << 20 | MINOR) against userspace st_dev. */
static int same_file(const struct gp_event *e, const struct stat *st)
{
	return (__u64)st->st_ino == e->exe_ino &&
	       major(st->st_dev) == (e->exe_dev >> 20) &&
	       minor(st->st_dev) == (e->exe_dev & 0xfffff);
}

static int exe_of(__u32 pid, const struct gp_event *e, char *buf, size_t len)
{
	char link[64];
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%u/exe", pid);
	/* stat follows the link to the very inode the process runs. */
	if (stat(link, &st) || !same_file(e, &st))
		return -1;
	n = readlink(link, buf, len - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/*
 * Paths already resolved, by (dev, ino).  The hot path: a known
 * executable is named without a syscall, and a short-lived process still
 * gets its path after it exited.  A replaced file has another inode, so an
 * entry never names the wrong file; entries are re-checked after
 * EXE_TTL_NS in case the file was renamed.
 */
#define EXE_CACHE	64
#define EXE_TTL_NS	(10 * 1000000000ULL)

struct exe_entry {
	__u64 ino;
	__u32 dev;
	__u64 resolved_ns;	/* ev.ts_ns (CLOCK_BOOTTIME) when resolved */
	char path[PATH_MAX];
};

static struct exe_entry exe_cache[EXE_CACHE];
static unsigned int exe_next;

static struct exe_entry *cache_find(const struct gp_event *e)
{
	unsigned int i;

	for (i = 0; i < EXE_CACHE; i++)
		if (exe_cache[i].ino == e->exe_ino &&
		    exe_cache[i].dev == e->exe_dev && exe_cache[i].path[0])
			return &exe_cache[i];
	return NULL;
}

static void cache_add(const struct gp_event *e, const char *path)
{
	struct exe_entry *x = cache_find(e);

	if (!x)
		x = &exe_cache[exe_next++ % EXE_CACHE];
	x->ino = e->exe_ino;
	x->dev = e->exe_dev;
	x->resolved_ns = e->ts_ns;
	snprintf(x->path, sizeof(x->path), "%s", path);
}

/*
 * The process may be gone by the time its event is read.  /proc/PID/exe
 * is tried first, then the parent's (a fork that did not exec runs the
 * same file); either is accepted only if its inode and device are the
 * ones the kernel recorded, so a recycled pid never names the wrong file.
 */
void gp_decode_exe(struct gp_record *out)
{
	const struct gp_event *e = &out->ev;
	struct exe_entry *cached;

	out->exe[0] = '\0';
	if (!(e->valid & GP_VF_EXE) || (e->flags & GP_EF_KERNEL))
		return;
	cached = cache_find(e);
	if (cached && e->ts_ns - cached->resolved_ns < EXE_TTL_NS) {
		memcpy(out->exe, cached->path, strlen(cached->path) + 1);
		return;
	}
	if (!exe_of(e->pid, e, out->exe, sizeof(out->exe)) ||
	    ((e->valid & GP_VF_PPID) &&
	     !exe_of(e->ppid, e, out->exe, sizeof(out->exe)))) {
		cache_add(e, out->exe);
		return;
	}
	/* Gone, and its parent runs something else: the last known path
	 * for this very inode is still the right name. */
	if (cached)
		memcpy(out->exe, cached->path, strlen(cached->path) + 1);
	else
		out->exe[0] = '\0';
}
