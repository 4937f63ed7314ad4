// SPDX-License-Identifier: GPL-2.0
/*
 * scanbench.c - the squatter scan on a busy machine: open N sockets (TCP
 * listeners, bound UDP sockets and established TCP pairs on unlisted
 * loopback ports) plus a handful on ghost ports of the built-in list, then
 * time gp_scan_run() R times.  Linked with build/libghostport.a (bench/run.sh
 * builds it); needs root for the ghost ports (< 1024).
 *
 *   scanbench [-n SOCKETS] [-r ROUNDS] [--all-netns]
 *
 * Prints one line:
 *   scan sockets=N listed=K found=F dumped=D netns=M rounds=R
 *        ms_median= ms_min= ms_max= diag_ms= owners_ms= procs= fds=
 * (diag_ms/owners_ms: the median round's split between the kernel dumps
 * and the /proc walk.)  Exit 1 if a round failed or missed a listed socket.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "policy/config.h"
#include "scan/scan.h"

static struct gp_config cfg;

static int open_sock(int type, __u16 port, bool listen_it)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, type, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    (listen_it && listen(fd, 64))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A connected pair through one listener: two more established sockets. */
static int open_pair(int lfd)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	int c, s;

	if (getsockname(lfd, (struct sockaddr *)&a, &l))
		return -1;
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	s = accept(lfd, NULL, NULL);
	return s < 0 ? -1 : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	/* Ghost ports of the built-in list (tcp and udp): the squatters. */
	static const struct { int type; __u16 port; } listed[] = {
		{ SOCK_STREAM, 686 }, { SOCK_STREAM, 886 }, { SOCK_DGRAM, 886 },
		{ SOCK_DGRAM, 686 }, { SOCK_STREAM, 18 },
	};
	struct gp_scan_opts o = { 0 };
	struct gp_scan_result r;
	struct rlimit rl;
	long want = 10000, rounds = 15, opened = 0, i;
	size_t k = 0, found = 0;
	__u64 *t, *diag, *own;
	size_t procs = 0, fds = 0, netns = 0, dumped = 0;
	char err[256];
	int lfd;

	o.own_netns_only = true;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			want = atol(argv[++i]);
		else if (!strcmp(argv[i], "-r") && i + 1 < argc)
			rounds = atol(argv[++i]);
		else if (!strcmp(argv[i], "--all-netns"))
			o.own_netns_only = false;
		else {
			fprintf(stderr, "usage: scanbench [-n N] [-r R] [--all-netns]\n");
			return 2;
		}
	}
	rl.rlim_cur = rl.rlim_max = (rlim_t)want + 1024;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		perror("scanbench: RLIMIT_NOFILE");
		return 1;
	}
	gp_config_defaults(&cfg);
	o.rules = cfg.rules;
	for (k = 0; k < sizeof(listed) / sizeof(listed[0]); k++)
		if (open_sock(listed[k].type, listed[k].port,
			      listed[k].type == SOCK_STREAM) < 0) {
			fprintf(stderr, "scanbench: ghost port %u: %s (root? free?)\n",
				listed[k].port, strerror(errno));
			return 1;
		}
	/* 40% listeners, 40% UDP, 20% established (pairs). */
	lfd = open_sock(SOCK_STREAM, 0, true);
	while (opened < want) {
		long left = want - opened;
		int ok;

		bool pair = opened % 5 == 4 && left >= 2;

		if (opened % 5 < 2)
			ok = open_sock(SOCK_STREAM, 0, true) >= 0;
		else if (!pair)
			ok = open_sock(SOCK_DGRAM, 0, false) >= 0;
		else
			ok = !open_pair(lfd);
		if (!ok) {
			fprintf(stderr, "scanbench: opening socket %ld: %s\n",
				opened, strerror(errno));
			return 1;
		}
		opened += pair ? 2 : 1;
	}
	t = calloc((size_t)rounds, sizeof(*t));
	diag = calloc((size_t)rounds, sizeof(*diag));
	own = calloc((size_t)rounds, sizeof(*own));
	if (!t || !diag || !own)
		return 1;
	for (i = 0; i < rounds; i++) {
		if (gp_scan_run(&o, &r, err, sizeof(err))) {
			fprintf(stderr, "scanbench: %s\n", err);
			return 1;
		}
		t[i] = r.total_ns;
		/* diag and owners keyed to the total so the median's split
		 * can be found after sorting. */
		diag[i] = r.total_ns << 20 | (r.diag_ns / 1000 & 0xfffff);
		own[i] = r.total_ns << 20 | (r.owners_ns / 1000 & 0xfffff);
		found = r.n;
		procs = r.procs_walked;
		fds = r.fds_walked;
		netns = r.n_netns;
		dumped = r.dumped;
		gp_scan_free(&r);
	}
	qsort(t, (size_t)rounds, sizeof(*t), cmp_u64);
	qsort(diag, (size_t)rounds, sizeof(*diag), cmp_u64);
	qsort(own, (size_t)rounds, sizeof(*own), cmp_u64);
	printf("scan sockets=%ld listed=%zu found=%zu dumped=%zu netns=%zu rounds=%ld ms_median=%.2f ms_min=%.2f ms_max=%.2f diag_ms=%.2f owners_ms=%.2f procs=%zu fds=%zu\n",
	       opened + 1 + (long)k, k, found, dumped, netns, rounds,
	       t[rounds / 2] / 1e6, t[0] / 1e6, t[rounds - 1] / 1e6,
	       (diag[rounds / 2] & 0xfffff) / 1e3,
	       (own[rounds / 2] & 0xfffff) / 1e3, procs, fds);
	return found >= k ? 0 : 1;
}
