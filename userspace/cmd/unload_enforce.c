// SPDX-License-Identifier: GPL-2.0
/*
 * unload_enforce.c - `ghostport unload` and `ghostport enforce on|off`.
 *
 * The running daemon is found through its run lock (daemon/runlock.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cmd/cmd.h"
#include "daemon/runlock.h"
#include "source/pin.h"

static int wait_gone(int seconds)
{
	struct timespec t = { 0, 100 * 1000 * 1000 };
	int i;

	for (i = 0; i < seconds * 10; i++) {
		if (!gp_run_lock_holder())
			return 0;
		nanosleep(&t, NULL);
	}
	return -1;
}

/*
 * Is any program of ours ("gp_" names) still loaded?  A link's release
 * frees its id first, then detaches, then drops the program: a program id
 * that is gone means its attachment is gone too.
 */
static bool gp_programs_loaded(void)
{
	__u32 id = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info pi;
		__u32 len = sizeof(pi);
		bool ours = false;
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&pi, 0, sizeof(pi));
		if (!bpf_obj_get_info_by_fd(fd, &pi, &len))
			ours = !strncmp(pi.name, "gp_", 3);
		close(fd);
		if (ours)
			return true;
	}
	return false;
}

/*
 * A link whose last pin is gone is released asynchronously: wait (bounded)
 * until the kernel has really detached it, so binds are allowed when
 * `unload` returns.  Programs of another, unpinned ghostport instance may
 * keep this from ever being true: then it says so after the timeout.
 */
static int wait_detached(int seconds)
{
	struct timespec t = { 0, 50 * 1000 * 1000 };
	int i;

	for (i = 0; i < seconds * 20; i++) {
		if (!gp_programs_loaded())
			return 0;
		nanosleep(&t, NULL);
	}
	return -1;
}

static int count_one(void *ctx, void *data, size_t size)
{
	(void)data; (void)size;
	(*(unsigned long long *)ctx)++;
	return 0;
}

/*
 * Events still queued in the pinned ring buffer (nobody reads it once the
 * daemon stopped) are lost with it: count them, so unload can say so.
 * Called with the ring's fd taken before the pins went away, after the
 * programs detached (nothing is added any more).  -1 if it cannot tell.
 */
static long long ring_left(int fd)
{
	unsigned long long n = 0;
	struct ring_buffer *rb;

	if (fd < 0)
		return -1;
	rb = ring_buffer__new(fd, count_one, &n, NULL);
	if (!rb)
		return -1;
	if (ring_buffer__consume(rb) < 0)
		n = (unsigned long long)-1;
	ring_buffer__free(rb);
	return (long long)n;
}

int gp_cmd_unload(int argc, char **argv)
{
	char err[256], ring[512];
	long long left;
	pid_t pid;
	int n, ring_fd;

	if (argc > 1) {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			printf("Usage: ghostport unload\n"
			       "Stop a running `ghostport run` and remove the pinned programs,\n"
			       "links and maps under %s: binds are no longer watched or denied.\n",
			       GP_PIN_DIR);
			return 0;
		}
		fprintf(stderr, "ghostport: unload takes no arguments\n");
		return 2;
	}
	pid = gp_run_lock_holder();
	if (pid > 0) {
		kill(pid, SIGTERM);
		if (wait_gone(10)) {
			fprintf(stderr,
				"ghostport: the running ghostport (pid %d) did not stop\n",
				(int)pid);
			return 1;
		}
	}
	/* held across the removal of the pins: the ring outlives them */
	gp_pin_map_path(ring, sizeof(ring), "gp_events");
	ring_fd = bpf_obj_get(ring);
	n = gp_pin_remove_all(err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "ghostport: %s\n", err);
		if (ring_fd >= 0)
			close(ring_fd);
		return 1;
	}
	if (n > 0 && wait_detached(3))
		fprintf(stderr,
			"ghostport: warning: ghostport programs are still attached (another instance running with --no-pin?)\n");
	left = ring_left(ring_fd);
	if (ring_fd >= 0)
		close(ring_fd);
	fprintf(stderr, "ghostport: unloaded (%d pins removed%s)\n", n,
		pid > 0 ? ", daemon stopped" : "");
	if (left > 0)
		fprintf(stderr, "ghostport: %lld events still queued in the pinned ring buffer were discarded (no daemon read them)\n",
			left);
	else if (left < 0 && ring_fd >= 0)
		fprintf(stderr, "ghostport: could not count the events left in the pinned ring buffer\n");
	return 0;
}

int gp_cmd_enforce(int argc, char **argv)
{
	pid_t pid;
	int on;

	if (argc != 2 || (strcmp(argv[1], "on") && strcmp(argv[1], "off"))) {
		if (argc == 2 && (!strcmp(argv[1], "--help") ||
				  !strcmp(argv[1], "-h"))) {
			printf("Usage: ghostport enforce on|off\n"
			       "Switch the running `ghostport run` between enforcement and\n"
			       "monitoring, with no gap (same as SIGUSR1 / SIGUSR2).\n");
			return 0;
		}
		fprintf(stderr, "ghostport: usage: ghostport enforce on|off\n");
		return 2;
	}
	on = !strcmp(argv[1], "on");
	pid = gp_run_lock_holder();
	if (pid <= 0) {
		fprintf(stderr, "ghostport: no ghostport run is active\n");
		return 1;
	}
	if (kill(pid, on ? SIGUSR1 : SIGUSR2)) {
		fprintf(stderr, "ghostport: signalling pid %d: %s\n", (int)pid,
			strerror(errno));
		return 1;
	}
	fprintf(stderr, "ghostport: asked pid %d to switch enforcement %s\n",
		(int)pid, argv[1]);
	return 0;
}
