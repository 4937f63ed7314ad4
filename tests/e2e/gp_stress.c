// SPDX-License-Identifier: GPL-2.0
/*
 * gp_stress - bind listed ports as fast as possible from every CPU.
 *
 *   gp_stress [-t THREADS_PER_CPU] [-d SECONDS] [-P tcp|udp|both]
 *             [-6] [-a ADDR4] PORT[,PORT...]
 *
 * Starts THREADS_PER_CPU (default 2) threads pinned to each online CPU.
 * Each thread loops for SECONDS (default 3): socket(), bind() to the next
 * port of the list on ADDR4 (default 0.0.0.0; with -6 every other bind is
 * an AF_INET6 socket on ::), close().  Whether bind() succeeds or fails
 * (EADDRINUSE when two threads race for a port) it went through
 * inet_bind/inet6_bind, so it counts as a bind made.  At the end prints
 *
 *   binds=N ok=N failed=N sockfail=N threads=N cpus=N seconds=S
 *
 * A kernel-side auditor watching these ports must account for exactly
 * `binds` events (events + drops).  Exit status 0, or 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define GPT_PROG	"gp_stress"
#include "gp_test.h"

#define MAX_PORTS 256

static unsigned short ports[MAX_PORTS];
static int nports;
static int use_tcp = 1, use_udp = 1, use_v6;
static struct in_addr addr4;
static atomic_int go;
static atomic_int stop;
static atomic_ullong t_binds, t_ok, t_failed, t_sockfail;

struct worker {
	pthread_t th;
	int cpu;
	int idx;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned long long binds = 0, ok = 0, failed = 0, sockfail = 0;
	unsigned int i = (unsigned int)w->idx;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	while (!atomic_load(&go))
		sched_yield();

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		unsigned short port = ports[i % (unsigned int)nports];
		int v6 = use_v6 && (i & 1);
		int type = SOCK_STREAM;
		union gpt_sockaddr sa;
		socklen_t len;
		int fd, r;

		if (!use_tcp || (use_udp && ((i >> 1) & 1)))
			type = SOCK_DGRAM;
		i++;
		fd = socket(v6 ? AF_INET6 : AF_INET, type | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			sockfail++;
			continue;
		}
		if (v6)
			len = gpt_sockaddr(&sa, AF_INET6, NULL, port);	/* :: */
		else
			len = gpt_sockaddr(&sa, AF_INET, &addr4, port);
		r = bind(fd, &sa.sa, len);
		binds++;
		if (r == 0)
			ok++;
		else
			failed++;
		close(fd);
	}
	atomic_fetch_add(&t_binds, binds);
	atomic_fetch_add(&t_ok, ok);
	atomic_fetch_add(&t_failed, failed);
	atomic_fetch_add(&t_sockfail, sockfail);
	return NULL;
}

static int parse_ports(char *s)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long v = strtol(tok, &end, 10);

		if (*end || v < 1 || v > 65535 || nports == MAX_PORTS)
			return -1;
		ports[nports++] = (unsigned short)v;
	}
	return nports ? 0 : -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: gp_stress [-t threads_per_cpu] [-d seconds] "
		"[-P tcp|udp|both] [-6] [-a addr4] port[,port...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int per_cpu = 2, secs = 3, opt, ncpu = 0, n = 0, c, i;
	struct worker *w;
	cpu_set_t online;
	struct timespec ts;

	addr4.s_addr = htonl(INADDR_ANY);
	while ((opt = getopt(argc, argv, "t:d:P:6a:")) != -1) {
		switch (opt) {
		case 't':
			per_cpu = atoi(optarg);
			break;
		case 'd':
			secs = atoi(optarg);
			break;
		case 'P':
			use_tcp = !strcmp(optarg, "tcp") || !strcmp(optarg, "both");
			use_udp = !strcmp(optarg, "udp") || !strcmp(optarg, "both");
			if (!use_tcp && !use_udp)
				usage();
			break;
		case '6':
			use_v6 = 1;
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &addr4) != 1)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || per_cpu < 1 || per_cpu > 64 || secs < 0 ||
	    parse_ports(argv[optind]))
		usage();

	if (sched_getaffinity(0, sizeof(online), &online))
		CPU_ZERO(&online);
	for (c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &online))
			ncpu++;
	if (!ncpu) {
		CPU_SET(0, &online);
		ncpu = 1;
	}
	w = calloc((size_t)(ncpu * per_cpu), sizeof(*w));
	if (!w) {
		perror("gp_stress: calloc");
		return 1;
	}
	for (c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &online))
			continue;
		for (i = 0; i < per_cpu; i++) {
			w[n].cpu = c;
			w[n].idx = n;
			if (pthread_create(&w[n].th, NULL, worker_main, &w[n])) {
				perror("gp_stress: pthread_create");
				atomic_store(&stop, 1);
				atomic_store(&go, 1);
				goto join;
			}
			n++;
		}
	}
	atomic_store(&go, 1);
	ts.tv_sec = secs;
	ts.tv_nsec = 0;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	atomic_store(&stop, 1);
join:
	for (i = 0; i < n; i++)
		pthread_join(w[i].th, NULL);
	printf("binds=%llu ok=%llu failed=%llu sockfail=%llu threads=%d cpus=%d seconds=%d\n",
	       (unsigned long long)atomic_load(&t_binds),
	       (unsigned long long)atomic_load(&t_ok),
	       (unsigned long long)atomic_load(&t_failed),
	       (unsigned long long)atomic_load(&t_sockfail), n, ncpu, secs);
	free(w);
	return 0;
}
