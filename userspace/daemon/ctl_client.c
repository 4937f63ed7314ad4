// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_client.c - the client side of the control socket: one request,
 * the whole answer (protocol in daemon/ctl.h).  The commands that use it are
 * in cmd/status_reload.c.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "daemon/ctl.h"

#define ANSWER_MAX	(4 * 1024 * 1024)

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_daemon(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path \"%s\" is too long", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	if (errno == ENOENT || errno == ECONNREFUSED)
		snprintf(err, errlen, "no daemon running (nothing listens on %s)",
			 path);
	else if (errno == EACCES || errno == EPERM)
		snprintf(err, errlen, "%s: permission denied (run as root)",
			 path);
	else
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	close(fd);
	return -1;
}

int gp_ctl_request(const char *path, const char *request, int timeout_ms,
		   char **answer, char *err, size_t errlen)
{
	long long deadline = mono_ms() + timeout_ms;
	size_t len = 0, cap = 4096;
	char *buf;
	int fd;

	*answer = NULL;
	fd = connect_daemon(path ? path : GP_CTL_SOCK, err, errlen);
	if (fd < 0)
		return -1;
	if (send(fd, request, strlen(request), MSG_NOSIGNAL) < 0 ||
	    send(fd, "\n", 1, MSG_NOSIGNAL) < 0) {
		snprintf(err, errlen, "sending the request: %s",
			 strerror(errno));
		close(fd);
		return -1;
	}
	shutdown(fd, SHUT_WR);
	buf = malloc(cap);
	while (buf) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - mono_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			snprintf(err, errlen, "the daemon did not answer within %d s",
				 timeout_ms / 1000);
			goto fail;
		}
		if (len + 1 == cap) {
			char *b;

			if (cap >= ANSWER_MAX) {
				snprintf(err, errlen, "answer larger than %d bytes",
					 ANSWER_MAX);
				goto fail;
			}
			b = realloc(buf, cap * 2);
			if (!b)
				break;
			buf = b;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "reading the answer: %s",
				 strerror(errno));
			goto fail;
		}
		if (n == 0) {
			buf[len] = '\0';
			close(fd);
			*answer = buf;
			return 0;
		}
		len += (size_t)n;
	}
	snprintf(err, errlen, "out of memory");
fail:
	free(buf);
	close(fd);
	return -1;
}
