// SPDX-License-Identifier: GPL-2.0
/*
 * anatomy.c - attach each stage of bench/anatomy.bpf.c alone to the cgroup
 * root, in random order each round (with "none": nothing attached), run a
 * bind() loop on a listed port under it, and print one line per stage:
 *   anatomy round=R stage=S ns_per_run=X runs=N bind_ns=Y
 * ns_per_run from the kernel's bpf_stats (the caller sets
 * kernel.bpf_stats_enabled=1), bind_ns the loop's mean bind() call.
 *
 *   anatomy BINDLOOP_PATH [ROUNDS [ITERS]]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "anatomy.skel.h"

static int noop(void *ctx, void *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return 0;
}

static int stats(int fd, __u64 *t, __u64 *c)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	*t = info.run_time_ns;
	*c = info.run_cnt;
	return 0;
}

static double loop(const char *bl, long iters)
{
	char cmd[512], line[1024], *p;
	double v = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s -t 1 -n %ld -P 686", bl, iters);
	f = popen(cmd, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if ((p = strstr(line, "bind_ns=")))
			v = atof(p + 8);
	pclose(f);
	return v;
}

int main(int argc, char **argv)
{
	struct anatomy_bpf *s;
	struct ring_buffer *rb;
	struct bpf_program *progs[16];
	const char *cg = "/sys/fs/cgroup/unified";
	int n = 0, r, i, rounds, cgfd, order[17];
	long iters;
	__u32 k, one = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: anatomy BINDLOOP [ROUNDS [ITERS]]\n");
		return 2;
	}
	rounds = argc > 2 ? atoi(argv[2]) : 5;
	iters = argc > 3 ? atol(argv[3]) : 4000;
	srand((unsigned)time(NULL));
	s = anatomy_bpf__open_and_load();
	if (!s) {
		fprintf(stderr, "anatomy: load failed: %s\n", strerror(errno));
		return 1;
	}
	for (k = 686; k <= 886; k += 200)
		bpf_map_update_elem(bpf_map__fd(s->maps.an_ports), &k, &one, BPF_ANY);
	cgfd = open(cg, O_RDONLY | O_DIRECTORY);
	if (cgfd < 0)
		cgfd = open(cg = "/sys/fs/cgroup", O_RDONLY | O_DIRECTORY);
	if (cgfd < 0) {
		perror("anatomy: cgroup root");
		return 1;
	}
	rb = ring_buffer__new(bpf_map__fd(s->maps.an_events), noop, NULL, NULL);
	{
		struct bpf_program *p;

		bpf_object__for_each_program(p, s->obj)
			if (n < 16)
				progs[n++] = p;
	}
	for (r = 1; r <= rounds; r++) {
		for (i = 0; i <= n; i++)
			order[i] = i;	/* n = none */
		for (i = n; i > 0; i--) {
			int j = rand() % (i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (i = 0; i <= n; i++) {
			struct bpf_link *l = NULL;
			__u64 t0 = 0, c0 = 0, t1 = 0, c1 = 0;
			double b;
			int fd = -1;

			if (order[i] < n) {
				fd = bpf_program__fd(progs[order[i]]);
				l = bpf_program__attach_cgroup(progs[order[i]], cgfd);
				if (!l) {
					fprintf(stderr, "anatomy: attach %s: %s\n",
						bpf_program__name(progs[order[i]]), strerror(errno));
					return 1;
				}
				stats(fd, &t0, &c0);
			}
			b = loop(argv[1], iters);
			if (l) {
				stats(fd, &t1, &c1);
				bpf_link__destroy(l);
			}
			if (rb)
				ring_buffer__consume(rb);
			printf("anatomy round=%d stage=%s ns_per_run=%.1f runs=%llu bind_ns=%.1f\n", r,
			       order[i] < n ? bpf_program__name(progs[order[i]]) : "none",
			       c1 > c0 ? (double)(t1 - t0) / (double)(c1 - c0) : 0.0,
			       (unsigned long long)(c1 - c0), b);
			fflush(stdout);
		}
	}
	ring_buffer__free(rb);
	anatomy_bpf__destroy(s);
	return 0;
}
