// SPDX-License-Identifier: GPL-2.0
/*
 * bindloop.c - the bind() loop the benchmarks time.
 *
 * N threads, each pinned to a CPU, each doing socket() + bind() + close()
 * (mode "bind") or socket() + close() only (mode "socket", to subtract the
 * socket's own cost and get the bind's share) on a fixed port, for a fixed
 * count or a duration, optionally paced to a total rate.  SO_REUSEADDR is
 * set so that threads binding the same port never fail with EADDRINUSE
 * (unlistened TCP sockets and UDP sockets may share a port with it).
 * Mode "getppid" (-g) times a cheap syscall instead: what every other
 * process of the machine pays per syscall while a tool is attached.
 *
 * Prints one line of key=value pairs:
 *   mode= proto= family= threads= ops= errors= elapsed_ns= ns_per_op=
 *   cpu_ns_per_op= ops_per_s= calls=
 * and in mode "bind" also
 *   bind_ns= bind_p50_ns= bind_outliers= clock_ns=
 * bind_ns is the mean time of the bind() call alone: each call is timed
 * with CLOCK_MONOTONIC (vDSO) and the cost of an empty pair of clock reads
 * (clock_ns, calibrated at start) is subtracted; calls longer than 50 us
 * (preempted by another job or an interrupt storm: a bind costs ~1-3 us
 * here) are left out of the mean and counted in bind_outliers.
 * bind_p50_ns is the median call.  In mode "getppid", ns_per_op is the
 * median over batches of 1000 calls (robust against preemption) and
 * cpu_ns_per_op the threads' CPU time per call.
 * ns_per_op is the wall-clock cost of one iteration on one thread (elapsed *
 * threads / ops); cpu_ns_per_op the same from the threads' own CPU time
 * (CLOCK_THREAD_CPUTIME_ID: user + system time of the loop's threads, which
 * time spent preempted by other jobs does not inflate); ops_per_s is the
 * total rate; calls counts every bind() made, warm-up included.  "errors" counts failed binds (for
 * instance denied by an enforcing policy); they are still bind() calls.
 *
 * Static-linkable (the VM guest runs it): libc and pthreads only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS	64
#define MAX_PORTS	64

static int opt_threads = 1, opt_udp, opt_v6, opt_socket_only, opt_pin = 1;
static int opt_getppid;
static uint64_t clock_pair_ns;	/* cost of an empty pair of clock reads */
static long opt_count = 10000, opt_warmup = 200;
static double opt_duration, opt_rate;
static int ports[MAX_PORTS], nports;
static volatile int go;

struct worker {
	pthread_t th;
	int idx;
	long ops, errors;
	uint64_t cpu_ns;	/* this thread's CPU time in the timed loop */
	int fatal;
	uint32_t *lat;		/* per-call bind() times (mode bind, count) */
	long nlat, caplat;
	uint64_t lat_sum;	/* sum of the calls under the cutoff */
	long lat_n, outliers;
};

#define OUTLIER_NS	50000	/* a bind() preempted or hit by an IRQ storm */
#define BATCH		1000	/* getppid calls per timed batch */

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static void lat_add(struct worker *w, uint64_t t)
{
	t = t > clock_pair_ns ? t - clock_pair_ns : 0;
	if (t > OUTLIER_NS) {
		w->outliers++;
		return;
	}
	w->lat_sum += t;
	w->lat_n++;
	if (w->nlat < w->caplat)
		w->lat[w->nlat++] = (uint32_t)t;
}

/* One iteration: 0 ok, 1 bind failed, -1 socket() failed.  With w, the
 * bind() call is timed (w NULL during the warm-up). */
static int one(int port, struct worker *w)
{
	int fd, one_ = 1, r = 0;
	uint64_t t0 = 0;

	fd = socket(opt_v6 ? AF_INET6 : AF_INET,
		    opt_udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (!opt_socket_only) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one_, sizeof(one_));
		if (opt_v6) {
			struct sockaddr_in6 a = { .sin6_family = AF_INET6,
						  .sin6_port = htons(port),
						  .sin6_addr = IN6ADDR_LOOPBACK_INIT };
			if (w)
				t0 = now_ns();
			r = bind(fd, (struct sockaddr *)&a, sizeof(a)) ? 1 : 0;
		} else {
			struct sockaddr_in a = { .sin_family = AF_INET,
						 .sin_port = htons(port),
						 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
			if (w)
				t0 = now_ns();
			r = bind(fd, (struct sockaddr *)&a, sizeof(a)) ? 1 : 0;
		}
		if (w)
			lat_add(w, now_ns() - t0);
	} else {
		/* The same setsockopt as the bind loop, so that the
		 * difference is the bind() alone. */
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one_, sizeof(one_));
	}
	close(fd);
	return r;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Cost of an empty pair of clock reads: the median of many. */
static void calibrate_clock(void)
{
	uint64_t s[2001];
	int i;

	for (i = 0; i < 2001; i++) {
		uint64_t t0 = now_ns();

		s[i] = now_ns() - t0;
	}
	qsort(s, 2001, sizeof(s[0]), cmp_u64);
	clock_pair_ns = s[1000];
}

/* getppid() in batches of BATCH calls; lat[] holds each batch's ns. */
static void *run_getppid(struct worker *w)
{
	long b, i, nb = (opt_count + BATCH - 1) / BATCH;
	uint64_t cpu0, t0;

	for (i = 0; i < opt_warmup * 10; i++)
		syscall(SYS_getppid);
	while (!go)
		;
	cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	for (b = 0; b < nb; b++) {
		t0 = now_ns();
		for (i = 0; i < BATCH; i++)
			syscall(SYS_getppid);
		if (w->nlat < w->caplat)
			w->lat[w->nlat++] = (uint32_t)(now_ns() - t0);
		w->ops += BATCH;
	}
	w->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	return NULL;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	int port = ports[w->idx % nports];
	long i, limit = opt_duration > 0 ? -1 : opt_count;
	uint64_t start, end = 0, interval = 0, next, cpu0;
	int r;

	if (opt_pin) {
		cpu_set_t set;
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		CPU_ZERO(&set);
		CPU_SET(w->idx % (ncpu > 0 ? ncpu : 1), &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	if (opt_getppid)
		return run_getppid(w);
	for (i = 0; i < opt_warmup; i++)
		if (one(port, NULL) < 0) {
			w->fatal = errno;
			return NULL;
		}
	while (!go)
		;
	start = now_ns();
	cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	if (opt_duration > 0)
		end = start + (uint64_t)(opt_duration * 1e9);
	if (opt_rate > 0)
		interval = (uint64_t)(1e9 * opt_threads / opt_rate);
	next = start;
	for (i = 0; limit < 0 || i < limit; i++) {
		if (interval) {
			uint64_t t;

			next += interval;
			while ((t = now_ns()) < next) {
				if (next - t > 200000) {
					struct timespec d = { 0, (long)(next - t - 100000) };

					nanosleep(&d, NULL);
				}
			}
		}
		r = one(port, opt_socket_only ? NULL : w);
		if (r < 0) {
			w->fatal = errno;
			break;
		}
		w->errors += r;
		w->ops++;
		if (end && (i & 63) == 0 && now_ns() >= end)
			break;
	}
	w->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	return NULL;
}

static int parse_ports(const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL;

	for (tok = strtok_r(copy, ",", &save); tok && nports < MAX_PORTS;
	     tok = strtok_r(NULL, ",", &save)) {
		long p = strtol(tok, NULL, 10);

		if (p < 0 || p > 65535) {
			free(copy);
			return -1;
		}
		ports[nports++] = (int)p;
	}
	free(copy);
	return nports ? 0 : -1;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: bindloop [-t THREADS] [-u] [-6] [-P PORT[,PORT..]] [-n COUNT | -d SECONDS]\n"
"                [-r TOTAL_RATE] [-s] [-g] [-w WARMUP] [-N]\n"
"  -t N    threads (default 1), thread i pinned to CPU i %% ncpu, port i %% nports\n"
"  -u      UDP (default TCP)        -6  IPv6 (::1; default 127.0.0.1)\n"
"  -P LIST ports (default 40000)    -n  iterations per thread (default 10000)\n"
"  -d S    run for S seconds instead of a count\n"
"  -r R    pace to R iterations/s in total\n"
"  -s      socket()+close() only (no bind): the loop's own overhead\n"
"  -g      getppid() in batches of 1000 instead (a cheap syscall)\n"
"  -w N    untimed warm-up iterations per thread (default 200)\n"
"  -N      do not pin threads\n");
}

int main(int argc, char **argv)
{
	struct worker w[MAX_THREADS];
	long ops = 0, errors = 0;
	uint64_t t0, t1, cpu = 0;
	int c, i;

	while ((c = getopt(argc, argv, "t:u6P:n:d:r:sw:Ngh")) != -1) {
		switch (c) {
		case 't': opt_threads = atoi(optarg); break;
		case 'u': opt_udp = 1; break;
		case '6': opt_v6 = 1; break;
		case 'P':
			if (parse_ports(optarg)) {
				fprintf(stderr, "bindloop: bad port list\n");
				return 2;
			}
			break;
		case 'n': opt_count = atol(optarg); break;
		case 'd': opt_duration = atof(optarg); break;
		case 'r': opt_rate = atof(optarg); break;
		case 's': opt_socket_only = 1; break;
		case 'w': opt_warmup = atol(optarg); break;
		case 'N': opt_pin = 0; break;
		case 'g': opt_getppid = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (opt_threads < 1 || opt_threads > MAX_THREADS) {
		fprintf(stderr, "bindloop: 1..%d threads\n", MAX_THREADS);
		return 2;
	}
	if (!nports)
		ports[nports++] = 40000;
	memset(w, 0, sizeof(w));
	calibrate_clock();
	for (i = 0; i < opt_threads; i++) {
		w[i].idx = i;
		/* per-call samples for the median (a count bounds them) */
		w[i].caplat = opt_getppid ? opt_count / BATCH + 1 :
			      opt_duration > 0 ? 1000000 : opt_count;
		w[i].lat = calloc((size_t)w[i].caplat, sizeof(uint32_t));
		if (!w[i].lat) {
			perror("bindloop: calloc");
			return 1;
		}
		if (pthread_create(&w[i].th, NULL, run, &w[i])) {
			perror("bindloop: pthread_create");
			return 1;
		}
	}
	usleep(20000);	/* let every thread finish its warm-up */
	t0 = now_ns();
	go = 1;
	for (i = 0; i < opt_threads; i++) {
		pthread_join(w[i].th, NULL);
		if (w[i].fatal) {
			fprintf(stderr, "bindloop: socket(): %s\n",
				strerror(w[i].fatal));
			return 1;
		}
		ops += w[i].ops;
		errors += w[i].errors;
		cpu += w[i].cpu_ns;
	}
	t1 = now_ns();
	if (opt_getppid) {
		uint32_t *all;
		long n = 0, j;

		for (i = 0; i < opt_threads; i++)
			n += w[i].nlat;
		all = calloc((size_t)n + 1, sizeof(*all));
		for (n = 0, i = 0; all && i < opt_threads; i++)
			for (j = 0; j < w[i].nlat; j++)
				all[n++] = w[i].lat[j];
		if (all && n)
			qsort(all, (size_t)n, sizeof(*all), cmp_u32);
		printf("mode=getppid threads=%d ops=%ld errors=0 elapsed_ns=%llu "
		       "ns_per_op=%.1f cpu_ns_per_op=%.1f ops_per_s=%.0f calls=0\n",
		       opt_threads, ops, (unsigned long long)(t1 - t0),
		       all && n ? (double)all[n / 2] / BATCH : 0.0,
		       ops ? (double)cpu / (double)ops : 0.0,
		       t1 > t0 ? (double)ops * 1e9 / (double)(t1 - t0) : 0.0);
		return 0;
	}
	printf("mode=%s proto=%s family=%d threads=%d ops=%ld errors=%ld "
	       "elapsed_ns=%llu ns_per_op=%.1f cpu_ns_per_op=%.1f ops_per_s=%.0f "
	       "calls=%ld",
	       opt_socket_only ? "socket" : "bind", opt_udp ? "udp" : "tcp",
	       opt_v6 ? 6 : 4, opt_threads, ops, errors,
	       (unsigned long long)(t1 - t0),
	       ops ? (double)(t1 - t0) * opt_threads / (double)ops : 0.0,
	       ops ? (double)cpu / (double)ops : 0.0,
	       t1 > t0 ? (double)ops * 1e9 / (double)(t1 - t0) : 0.0,
	       ops + (opt_socket_only ? 0 : opt_warmup * opt_threads));
	if (!opt_socket_only) {
		uint64_t sum = 0;
		long n = 0, outl = 0, k = 0, j;
		uint32_t *all;

		for (i = 0; i < opt_threads; i++) {
			sum += w[i].lat_sum;
			n += w[i].lat_n;
			outl += w[i].outliers;
			k += w[i].nlat;
		}
		all = calloc((size_t)k + 1, sizeof(*all));
		for (k = 0, i = 0; all && i < opt_threads; i++)
			for (j = 0; j < w[i].nlat; j++)
				all[k++] = w[i].lat[j];
		if (all && k)
			qsort(all, (size_t)k, sizeof(*all), cmp_u32);
		printf(" bind_ns=%.1f bind_p50_ns=%u bind_outliers=%ld clock_ns=%llu",
		       n ? (double)sum / (double)n : 0.0, all && k ? all[k / 2] : 0,
		       outl, (unsigned long long)clock_pair_ns);
	}
	printf("\n");
	return 0;
}
