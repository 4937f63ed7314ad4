// SPDX-License-Identifier: GPL-2.0
/*
 * fmtbench.c - formatter throughput: format one fixed, realistic record N
 * times with each output format the build has and print events/s on one
 * core.  Linked with build/libghostport.a (bench/run.sh builds it).
 *
 *   fmtbench [-n N] [FORMAT...]     (default: every known format name)
 *
 * One line per format: format=NAME n=N ns_per_event= events_per_s= bytes=
 * A name the build does not know prints "format=NAME unsupported".
 * Under callgrind, run it with two values of N: the difference in
 * instructions divided by the difference in N is the cost of one event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "format/format.h"

static const char *const known[] = {
	"text", "json", "ecs", "ocsf", "cef", "syslog", NULL,
};

static char buf[GP_FORMAT_BUF_SIZE];

static void fill(struct gp_record *r)
{
	struct gp_event *e = &r->ev;

	memset(r, 0, sizeof(*r));
	e->magic = GP_ABI_MAGIC;
	e->version = GP_ABI_VERSION;
	e->size = sizeof(*e);
	e->ts_ns = 123456789012345ull;
	e->pid = 4242;
	e->tid = 4243;
	e->ppid = 1;
	e->uid = 0;
	e->gid = 0;
	e->netns_ino = 4026531833u;
	e->cgroup_id = 1234;
	e->ret = 0;
	e->family = AF_INET;
	e->port = 686;
	e->sock_type = SOCK_DGRAM;
	e->protocol = IPPROTO_UDP;
	e->addr[0] = 127;
	e->addr[3] = 1;
	e->verdict = GP_VERDICT_AUDIT;
	e->source = GP_SRC_CGROUP;
	e->flags = GP_EF_LISTED;
	e->opts = GP_OPT_REUSEADDR;
	e->valid = GP_VF_RET | GP_VF_PPID | GP_VF_NETNS | GP_VF_IFINDEX |
		   GP_VF_OPTS | GP_VF_EXE | GP_VF_CGROUP | GP_VF_TYPE;
	e->exe_ino = 131090;
	e->exe_dev = 0x800001;
	memcpy(e->comm, "rpc.statd", 9);
	r->wall.tv_sec = 1795000000;
	r->wall.tv_nsec = 123456789;
	strcpy(r->addr, "127.0.0.1");
	r->service = "hcp-wismar";
	strcpy(r->exe, "/usr/sbin/rpc.statd");
	r->count = 1;
	r->hostname = "bench-host.example";
	r->machine_id = "0123456789abcdef0123456789abcdef";
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct gp_record r;
	long n = 1000000, i;
	int c, a;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c == 'n')
			n = atol(optarg);
		else
			return 2;
	}
	fill(&r);
	for (a = optind; a < argc || (optind == argc && known[a - optind]); a++) {
		const char *name = optind < argc ? argv[a] : known[a - optind];
		int f = gp_format_parse(name), len = 0;
		unsigned long total = 0;
		double t0, t1;

		if (f < 0 || gp_format_record(f, &r, buf, sizeof(buf)) < 0) {
			printf("format=%s unsupported\n", name);
			continue;
		}
		t0 = now();
		for (i = 0; i < n; i++) {
			r.ev.ts_ns++;	/* defeat any caching of the line */
			len = gp_format_record(f, &r, buf, sizeof(buf));
			total += (unsigned long)len;
		}
		t1 = now();
		printf("format=%s n=%ld ns_per_event=%.1f events_per_s=%.0f bytes=%d check=%lu\n",
		       name, n, (t1 - t0) * 1e9 / (double)n,
		       (double)n / (t1 - t0), len, total % 7);
	}
	return 0;
}
