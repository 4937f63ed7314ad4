// SPDX-License-Identifier: GPL-2.0
/*
 * queue.c - memory queue + on-disk spool (output/queue.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/queue.h"

#define HDR	4

static void put_le32(char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (char)(v >> (8 * i));
}

static uint32_t get_le32(const char *p)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)(unsigned char)p[i] << (8 * i);
	return v;
}

/* A record's header: its length, and the top bit marks a record that is
 * not an event (a drop notice), so counters can count events only. */
#define MARK	0x80000000u

static uint32_t rec_len(const char *hdr)
{
	return get_le32(hdr) & ~MARK;
}

static bool rec_marked(const char *hdr)
{
	return get_le32(hdr) & MARK;
}

static int pwrite_all(int fd, const char *p, size_t n, uint64_t off)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

static int pread_all(int fd, char *p, size_t n, uint64_t off)
{
	while (n) {
		ssize_t r = pread(fd, p, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/* The spool directory must be ours and writable by nobody else: a
 * directory others can write to lets them plant a symlink or a file we
 * would then trust. */
static int check_dir(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st))
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* mkdir -p of path's directory, 0700: the spool holds event data. */
static int make_parent(const char *path)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -1;
	return check_dir(dir);
}

static int spool_dir_ok(const char *path)
{
	char dir[4096], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return check_dir(".");
	if (slash == dir)
		return check_dir("/");
	*slash = '\0';
	return check_dir(dir);
}

static int spool_open(struct gp_queue *q, bool create)
{
	struct stat st;

	if (q->fd >= 0)
		return 0;
	if (create ? make_parent(q->path) : spool_dir_ok(q->path))
		return -1;
	q->fd = open(q->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK |
		     (create ? O_CREAT : 0), 0600);
	if (q->fd < 0)
		return -1;
	/* a FIFO or device planted there is no spool either */
	if (fstat(q->fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid()) {
		close(q->fd);
		q->fd = -1;
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* Count the records of a leftover spool; cut a torn or corrupt tail. */
static void spool_scan(struct gp_queue *q)
{
	struct stat st;
	uint64_t off = 0, size;
	char hdr[HDR];

	if (fstat(q->fd, &st))
		return;
	size = (uint64_t)st.st_size;
	while (off + HDR <= size) {
		uint32_t n;

		if (pread_all(q->fd, hdr, HDR, off))
			break;
		n = rec_len(hdr);
		if (n == 0 || n > q->max_record || off + HDR + n > size)
			break;
		off += HDR + n;
		q->spool_count++;
		q->marked += rec_marked(hdr);
	}
	if (off != size && ftruncate(q->fd, (off_t)off))
		off = size;	/* keep what we have; reads stop at wr */
	q->rd = 0;
	q->wr = off;
}

int gp_queue_init(struct gp_queue *q, size_t mem_cap, const char *path,
		  uint64_t spool_max, uint64_t max_record, char *err,
		  size_t errlen)
{
	memset(q, 0, sizeof(*q));
	q->fd = -1;
	q->cap = mem_cap;
	q->spool_max = spool_max;
	q->max_record = max_record;
	q->mem = malloc(mem_cap);
	q->path = strdup(path);
	if (!q->mem || !q->path) {
		snprintf(err, errlen, "out of memory");
		free(q->mem);
		free(q->path);
		return -1;
	}
	if (spool_open(q, false) && errno != ENOENT) {
		snprintf(err, errlen, "spool %s: %s%s", path, strerror(errno),
			 errno == ELOOP ? " (a symbolic link: refused)" :
			 errno == EPERM ? " (its directory must be ours and "
					  "not writable by others, the file "
					  "a regular file of ours)" : "");
		free(q->mem);
		free(q->path);
		return -1;
	}
	if (q->fd >= 0) {
		spool_scan(q);
		if (!q->spool_count) {
			close(q->fd);
			q->fd = -1;
			unlink(q->path);
			q->wr = 0;
		}
	}
	return 0;
}

static bool mem_fits(struct gp_queue *q, size_t n)
{
	if (q->cap - q->tail >= HDR + n)
		return true;
	if (q->cap - (q->tail - q->head) < HDR + n)
		return false;
	/* Room exists only in front: slide the live bytes down (the sent
	 * cursor is relative to head: unchanged). */
	memmove(q->mem, q->mem + q->head, q->tail - q->head);
	q->tail -= q->head;
	q->head = 0;
	return true;
}

/* Rewrite the spool without its delivered prefix [0, rd): a new file
 * renamed over the old one, so a crash leaves one or the other, whole. */
static int spool_compact(struct gp_queue *q)
{
	char tmp[4200], buf[65536];
	uint64_t off = q->rd, out = 0;
	int fd;

	if (q->rd == 0 || q->fd < 0)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", q->path);
	unlink(tmp);
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (off < q->wr) {
		size_t n = q->wr - off < sizeof(buf) ? q->wr - off : sizeof(buf);

		if (pread_all(q->fd, buf, n, off) || pwrite_all(fd, buf, n, out))
			goto fail;
		off += n;
		out += n;
	}
	if (rename(tmp, q->path))
		goto fail;
	close(q->fd);
	q->fd = fd;
	q->wr -= q->rd;
	q->rd = 0;
	return 0;
fail:
	close(fd);
	unlink(tmp);
	return -1;
}

/* The bound is on the file: cut the delivered prefix off when that makes
 * room, but only when it is worth a copy (an eighth of the bound). */
static bool spool_fits(struct gp_queue *q, size_t n)
{
	if (q->wr + HDR + n <= q->spool_max)
		return true;
	if (q->wr - q->rd + HDR + n > q->spool_max ||
	    q->rd < q->spool_max / 8 || spool_compact(q))
		return false;
	return q->wr + HDR + n <= q->spool_max;
}

static int spool_append(struct gp_queue *q, const char *rec, size_t len)
{
	if (spool_open(q, true))
		return -1;
	if (pwrite_all(q->fd, rec, len, q->wr)) {
		/* A short write leaves a torn record past wr: harmless, it is
		 * overwritten by the next append and cut off by a scan. */
		return -1;
	}
	q->wr += len;
	q->spool_count++;
	return 0;
}

int gp_queue_spill(struct gp_queue *q)
{
	int moved = 0;

	while (q->head < q->tail) {
		uint32_t n = rec_len(q->mem + q->head);

		if (!spool_fits(q, n))
			break;
		if (spool_append(q, q->mem + q->head, HDR + n))
			return -1;
		if (q->nm) {
			/* a sent record moves: still sent, now in the spool */
			q->nm--;
			q->nmb -= HDR + n;
			q->ns++;
			q->nsb += HDR + n;
		}
		q->head += HDR + n;
		q->mem_count--;
		moved++;
	}
	if (q->head == q->tail)
		q->head = q->tail = 0;
	return moved;
}

int gp_queue_push(struct gp_queue *q, const char *p, size_t n)
{
	return gp_queue_push_mark(q, p, n, false);
}

int gp_queue_push_mark(struct gp_queue *q, const char *p, size_t n,
		       bool mark)
{
	if (n == 0 || n > q->max_record || n >= MARK)
		return -1;
	if (!mem_fits(q, n)) {
		gp_queue_spill(q);
		if (!mem_fits(q, n))
			return -1;
	}
	put_le32(q->mem + q->tail, (uint32_t)n | (mark ? MARK : 0));
	memcpy(q->mem + q->tail + HDR, p, n);
	q->tail += HDR + n;
	q->mem_count++;
	q->marked += mark;
	return 0;
}

/* The record at spool offset off, or in memory at offset moff. */
static long read_spool(struct gp_queue *q, uint64_t off, char *buf,
		       size_t buflen)
{
	char hdr[HDR];
	uint32_t n;

	if (pread_all(q->fd, hdr, HDR, off))
		return -1;
	n = rec_len(hdr);
	if (n == 0 || n > buflen || off + HDR + n > q->wr)
		return -1;
	if (pread_all(q->fd, buf, n, off + HDR))
		return -1;
	return (long)n;
}

static long read_mem(struct gp_queue *q, size_t moff, char *buf, size_t buflen)
{
	uint32_t n = rec_len(q->mem + moff);

	if (n > buflen)
		return -1;
	memcpy(buf, q->mem + moff + HDR, n);
	return (long)n;
}

long gp_queue_peek(struct gp_queue *q, char *buf, size_t buflen)
{
	if (q->spool_count)
		return read_spool(q, q->rd, buf, buflen);
	if (!q->mem_count)
		return 0;
	return read_mem(q, q->head, buf, buflen);
}

long gp_queue_next(struct gp_queue *q, char *buf, size_t buflen)
{
	if (q->ns < q->spool_count)
		return read_spool(q, q->rd + q->nsb, buf, buflen);
	if (q->nm >= q->mem_count)
		return 0;
	return read_mem(q, q->head + q->nmb, buf, buflen);
}

void gp_queue_sent(struct gp_queue *q)
{
	char hdr[HDR];

	if (q->ns < q->spool_count) {
		if (pread_all(q->fd, hdr, HDR, q->rd + q->nsb))
			return;
		q->ns++;
		q->nsb += HDR + rec_len(hdr);
	} else if (q->nm < q->mem_count) {
		q->nm++;
		q->nmb += HDR + rec_len(q->mem + q->head + q->nmb);
	}
}

bool gp_queue_pop(struct gp_queue *q)
{
	char hdr[HDR];
	bool mark = false;

	if (q->spool_count) {
		uint64_t len;

		if (pread_all(q->fd, hdr, HDR, q->rd)) {
			/* Unreadable spool: give it up rather than loop. */
			q->rd = q->wr;
			q->spool_count = 0;
			q->ns = q->nsb = 0;
		} else {
			len = HDR + rec_len(hdr);
			mark = rec_marked(hdr);
			q->rd += len;
			q->spool_count--;
			if (q->ns) {
				q->ns--;
				q->nsb -= len;
			}
		}
		if (!q->spool_count || q->rd >= q->wr) {
			/* All delivered: start the file over. */
			q->spool_count = 0;
			q->ns = q->nsb = 0;
			q->rd = q->wr = 0;
			if (ftruncate(q->fd, 0))
				q->wr = 0;
		}
		goto out;
	}
	if (!q->mem_count)
		return false;
	mark = rec_marked(q->mem + q->head);
	if (q->nm) {
		q->nm--;
		q->nmb -= HDR + rec_len(q->mem + q->head);
	}
	q->head += HDR + rec_len(q->mem + q->head);
	q->mem_count--;
	if (q->head == q->tail)
		q->head = q->tail = 0;
out:
	if (mark && q->marked)
		q->marked--;
	if (!gp_queue_count(q))
		q->marked = 0;
	return mark;
}

uint64_t gp_queue_close(struct gp_queue *q)
{
	uint64_t lost = 0;

	gp_queue_rewind(q);	/* unacknowledged: kept for the next run */
	if (q->mem_count)
		gp_queue_spill(q);
	lost = q->mem_count;
	if (q->fd >= 0) {
		if (!q->spool_count)
			unlink(q->path);
		else
			spool_compact(q);	/* on failure the prefix is
						 * delivered twice: at least
						 * once, never lost */
		close(q->fd);
	}
	free(q->mem);
	free(q->path);
	q->mem = NULL;
	q->path = NULL;
	q->fd = -1;
	return lost;
}
