// SPDX-License-Identifier: GPL-2.0
/*
 * file.c - the local sinks `-` (stdout) and `file:PATH`.
 *
 * Lines are buffered and written at every tick (about 50 ms) or when the
 * buffer is full, so a burst costs one write() and not one per event.  A
 * file is opened O_APPEND (several writers, logrotate's copytruncate) and
 * reopened on SIGHUP (logrotate's create); if it cannot be reopened, lines
 * wait in the buffer and the open is retried every tick.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/stat.h>

#include "output/internal.h"

static int open_file(struct gp_output *o)
{
	return open(o->target, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		    O_NOCTTY, 0640);
}

/*
 * A pipe or socket on stdout may be read by something slow: a write must
 * never stall the loop that drains the kernel ring.  Lines then wait in the
 * buffer (EAGAIN) and what cannot wait is counted as dropped.  A terminal or
 * a file is left as it is: O_NONBLOCK on a shared tty would reach the shell.
 */
static void nonblocking_if_pipe(int fd)
{
	struct stat st;
	int fl;

	if (fstat(fd, &st) || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return;
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int gp_file_open(struct gp_output *o, char *err, size_t errlen)
{
	if (o->dest == GP_DEST_STDOUT) {
		o->fd = STDOUT_FILENO;
		nonblocking_if_pipe(o->fd);
		/* A person watching a terminal gets the column names. */
		if (o->fmt == GP_FMT_TEXT && isatty(STDOUT_FILENO)) {
			char h[256];
			int n = gp_format_text_header(h, sizeof(h));

			if (n > 0)
				gp_file_write(o, h, (size_t)n);
			o->wrecs = 0;
		}
		return 0;
	}
	o->fd = open_file(o);
	if (o->fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", o->target,
			 strerror(errno));
		return -1;
	}
	return 0;
}

void gp_file_flush(struct gp_output *o)
{
	size_t off = 0;

	if (o->fd < 0 && o->dest == GP_DEST_FILE && o->reopen_failed) {
		o->fd = open_file(o);
		if (o->fd >= 0) {
			o->reopen_failed = false;
			fprintf(stderr, "ghostport: output %s: reopened\n",
				o->spec);
		}
	}
	if (o->fd < 0 || !o->wlen)
		return;
	while (off < o->wlen) {
		ssize_t w = write(o->fd, o->wbuf + off, o->wlen - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;		/* a non-blocking stdout: later */
		if (w <= 0) {
			/* EPIPE, ENOSPC, EIO: these lines are lost. */
			o->st.errors++;
			o->st.dropped += o->wrecs;
			o->wlen = 0;
			o->wrecs = 0;
			return;
		}
		off += (size_t)w;
	}
	if (off < o->wlen) {
		/* Partial: count nothing delivered until the rest is out. */
		memmove(o->wbuf, o->wbuf + off, o->wlen - off);
		o->wlen -= off;
		return;
	}
	o->st.delivered += o->wrecs;
	o->wlen = 0;
	o->wrecs = 0;
}

void gp_file_write(struct gp_output *o, const char *p, size_t n)
{
	if (GP_OUT_WBUF - o->wlen < n)
		gp_file_flush(o);
	if (GP_OUT_WBUF - o->wlen < n) {
		if (o->wlen || n > GP_OUT_WBUF) {
			o->st.dropped++;
			return;
		}
	}
	memcpy(o->wbuf + o->wlen, p, n);
	o->wlen += n;
	o->wrecs++;
}

void gp_file_reopen(struct gp_output *o)
{
	int fd;

	if (o->dest != GP_DEST_FILE)
		return;
	gp_file_flush(o);
	fd = open_file(o);
	if (fd < 0) {
		fprintf(stderr, "ghostport: output %s: cannot reopen: %s\n",
			o->spec, strerror(errno));
		o->st.errors++;
		if (o->fd >= 0)
			close(o->fd);
		o->fd = -1;
		o->reopen_failed = true;
		return;
	}
	if (o->fd >= 0)
		close(o->fd);
	o->fd = fd;
	o->reopen_failed = false;
}

void gp_file_close(struct gp_output *o)
{
	struct pollfd p = { .fd = o->fd, .events = POLLOUT };
	int i;

	/* Last flush: give a slow reader up to 2 s rather than drop at exit,
	 * but never hang on one that stopped reading. */
	gp_file_flush(o);
	for (i = 0; i < 20 && o->wlen && o->fd >= 0; i++) {
		if (poll(&p, 1, 100) > 0)
			gp_file_flush(o);
	}
	o->st.dropped += o->wrecs;	/* could not be written at all */
	if (o->dest == GP_DEST_FILE && o->fd >= 0)
		close(o->fd);
	o->fd = -1;
}
