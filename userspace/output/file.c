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
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "output/internal.h"

/* O_NOFOLLOW: a symlink planted where the log goes must not make us
 * append to (or create) whatever it points at; nor a directory anybody
 * can write to without the sticky bit, where one could be planted. */
static int open_file(struct gp_output *o)
{
	char dir[PATH_MAX], *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", o->target);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (!stat(slash ? dir : ".", &st) && (st.st_mode & S_IWOTH) &&
	    !(st.st_mode & S_ISVTX)) {
		errno = EPERM;
		return -1;
	}
	return open(o->target, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		    O_NOCTTY | O_NOFOLLOW, 0640);
}

static const char *open_hint(int e)
{
	return e == ELOOP ? " (a symbolic link: refused)" :
	       e == EPERM ? " (its directory is writable by anybody)" : "";
}

/*
 * A pipe or socket on stdout may be read by something slow: a write must
 * never stall the loop that drains the kernel ring.  Lines then wait in the
 * buffer (EAGAIN) and what cannot wait is counted as dropped.  A terminal or
 * a file is left as it is: O_NONBLOCK on a shared tty would reach the shell.
 *
 * O_NONBLOCK is a flag of the open file description, which stderr shares
 * when both are the same pipe or socket (systemd's journal stream): set on
 * stdout it would make warnings and the exit summary vanish in a burst.
 * So a socket is written with send(MSG_DONTWAIT), per call, and a pipe is
 * opened again through /proc/self/fd/1 as a description of its own.
 */
static void nonblocking_if_pipe(struct gp_output *o)
{
	struct stat st;
	int fd;

	if (fstat(o->fd, &st))
		return;
	if (S_ISSOCK(st.st_mode)) {
		o->use_send = true;
		return;
	}
	if (!S_ISFIFO(st.st_mode))
		return;
	fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0)
		o->fd = fd;
	/* else: stays blocking, stderr intact; a stalled reader then stalls
	 * the loop (a /proc-less system), which is the lesser harm */
}

static ssize_t out_write(struct gp_output *o, const char *p, size_t n)
{
	if (o->use_send)
		return send(o->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	return write(o->fd, p, n);
}

int gp_file_open(struct gp_output *o, const struct gp_output_env *env,
		 char *err, size_t errlen)
{
	(void)env;
	o->wbuf = malloc(GP_OUT_WBUF);
	if (!o->wbuf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* "-" has no path; file: always has one */
	o->is_stdout = !o->target[0];
	if (o->is_stdout) {
		o->fd = STDOUT_FILENO;
		nonblocking_if_pipe(o);
		/* A person watching a terminal gets the column names. */
		if (o->fmt == GP_FMT_TEXT && isatty(STDOUT_FILENO)) {
			char h[256];
			int n = gp_format_text_header(h, sizeof(h));

			if (n > 0)
				gp_file_write(o, NULL, h, (size_t)n);
			o->wrecs = 0;
		}
		return 0;
	}
	o->fd = open_file(o);
	if (o->fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s%s", o->target,
			 strerror(errno), open_hint(errno));
		return -1;
	}
	return 0;
}

void gp_file_flush(struct gp_output *o)
{
	size_t off = 0;

	if (o->fd < 0 && o->reopen_failed) {
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
		ssize_t w = out_write(o, o->wbuf + off, o->wlen - off);

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

int gp_file_write(struct gp_output *o, const struct gp_record *r,
		  const char *p, size_t n)
{
	(void)r;
	if (GP_OUT_WBUF - o->wlen < n)
		gp_file_flush(o);
	if (GP_OUT_WBUF - o->wlen < n) {
		if (o->wlen || n > GP_OUT_WBUF) {
			o->st.dropped++;
			return -1;
		}
	}
	memcpy(o->wbuf + o->wlen, p, n);
	o->wlen += n;
	o->wrecs++;
	return 0;
}

void gp_file_reopen(struct gp_output *o)
{
	int fd;

	gp_file_flush(o);
	fd = open_file(o);
	if (fd < 0) {
		fprintf(stderr, "ghostport: output %s: cannot reopen: %s%s\n",
			o->spec, strerror(errno), open_hint(errno));
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

void gp_file_stats(const struct gp_output *o, struct gp_output_stats *s)
{
	s->spooled = o->wrecs;
}

void gp_file_close(struct gp_output *o, int timeout_ms)
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
	(void)timeout_ms;
	o->st.dropped += o->wrecs;	/* could not be written at all */
	o->st.spooled = 0;		/* nothing is queued after close */
	if (o->fd > STDERR_FILENO)	/* a file, or stdout's own pipe */
		close(o->fd);
	o->fd = -1;
}
