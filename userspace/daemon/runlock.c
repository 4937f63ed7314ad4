// SPDX-License-Identifier: GPL-2.0
/*
 * runlock.c - one `ghostport run` at a time: the daemon holds an
 * exclusive flock on GP_LOCK_FILE for its life and writes its pid there;
 * the commands that talk to it (unload, enforce) find it the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>

#include "daemon/runlock.h"

int gp_run_lock(char *err, size_t errlen)
{
	int fd = open(GP_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	char pid[32];
	ssize_t n;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", GP_LOCK_FILE,
			 strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		snprintf(err, errlen, "another ghostport run is active (pid %s)",
			 pid[0] ? pid : "?");
		close(fd);
		return -1;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, (size_t)n, 0) != n) {
		/* The lock is what matters; the pid is only for messages. */
	}
	return fd;
}

pid_t gp_run_lock_holder(void)
{
	int fd = open(GP_LOCK_FILE, O_RDONLY | O_CLOEXEC);
	char buf[32];
	ssize_t n;
	pid_t pid = 0;

	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		/* We got the lock: nobody holds it. */
		close(fd);
		return 0;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	pid = (pid_t)strtol(buf, NULL, 10);
	return pid > 0 ? pid : -1;
}
