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
	return 0;
}

static int spool_open(struct gp_queue *q, bool create)
{
	if (q->fd >= 0)
		return 0;
	if (create && make_parent(q->path))
		return -1;
	q->fd = open(q->path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0),
		     0600);
	return q->fd < 0 ? -1 : 0;
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
		n = get_le32(hdr);
		if (n == 0 || n > q->max_record || off + HDR + n > size)
			break;
		off += HDR + n;
		q->spool_count++;
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
	if (spool_open(q, false) == 0) {
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
	/* Room exists only in front: slide the live bytes down. */
	memmove(q->mem, q->mem + q->head, q->tail - q->head);
	q->tail -= q->head;
	q->head = 0;
	return true;
}

static bool spool_fits(struct gp_queue *q, size_t n)
{
	return q->wr - q->rd + HDR + n <= q->spool_max;
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
		uint32_t n = get_le32(q->mem + q->head);

		if (!spool_fits(q, n))
			break;
		if (spool_append(q, q->mem + q->head, HDR + n))
			return -1;
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
	if (n == 0 || n > q->max_record || n > UINT32_MAX)
		return -1;
	if (!mem_fits(q, n)) {
		gp_queue_spill(q);
		if (!mem_fits(q, n))
			return -1;
	}
	put_le32(q->mem + q->tail, (uint32_t)n);
	memcpy(q->mem + q->tail + HDR, p, n);
	q->tail += HDR + n;
	q->mem_count++;
	return 0;
}

long gp_queue_peek(struct gp_queue *q, char *buf, size_t buflen)
{
	uint32_t n;

	if (q->spool_count) {
		char hdr[HDR];

		if (pread_all(q->fd, hdr, HDR, q->rd))
			return -1;
		n = get_le32(hdr);
		if (n == 0 || n > buflen || q->rd + HDR + n > q->wr)
			return -1;
		if (pread_all(q->fd, buf, n, q->rd + HDR))
			return -1;
		return (long)n;
	}
	if (!q->mem_count)
		return 0;
	n = get_le32(q->mem + q->head);
	if (n > buflen)
		return -1;
	memcpy(buf, q->mem + q->head + HDR, n);
	return (long)n;
}

void gp_queue_pop(struct gp_queue *q)
{
	char hdr[HDR];

	if (q->spool_count) {
		if (pread_all(q->fd, hdr, HDR, q->rd)) {
			/* Unreadable spool: give it up rather than loop. */
			q->rd = q->wr;
			q->spool_count = 0;
		} else {
			q->rd += HDR + get_le32(hdr);
			q->spool_count--;
		}
		if (!q->spool_count || q->rd >= q->wr) {
			/* All delivered: start the file over. */
			q->spool_count = 0;
			q->rd = q->wr = 0;
			if (ftruncate(q->fd, 0))
				q->wr = 0;
		}
		return;
	}
	if (!q->mem_count)
		return;
	q->head += HDR + get_le32(q->mem + q->head);
	q->mem_count--;
	if (q->head == q->tail)
		q->head = q->tail = 0;
}

/* Rewrite the spool without its delivered prefix. */
static int spool_compact(struct gp_queue *q)
{
	char tmp[4200], buf[65536];
	uint64_t off = q->rd, out = 0;
	int fd;

	if (q->rd == 0)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", q->path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (off < q->wr) {
		size_t n = q->wr - off < sizeof(buf) ? q->wr - off : sizeof(buf);

		if (pread_all(q->fd, buf, n, off) || pwrite_all(fd, buf, n, out))
			goto fail;
		off += n;
		out += n;
	}
	if (close(fd) || rename(tmp, q->path))
		goto fail_unlink;
	return 0;
fail:
	close(fd);
fail_unlink:
	unlink(tmp);
	return -1;
}

uint64_t gp_queue_close(struct gp_queue *q)
{
	uint64_t lost = 0;

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
