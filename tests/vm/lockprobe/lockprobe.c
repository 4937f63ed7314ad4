// SPDX-License-Identifier: GPL-2.0
/*
 * lockprobe - measure what kernel lockdown lets BPF do (docs/lockdown.md).
 *
 * Loads every program of lockprobe.bpf.o alone, attaches it, makes a bind
 * to 127.0.0.1:686 (and [::1]:686), and prints one line per program:
 *     PROBE <prog> load=ok|<errno> attach=ok|<errno>|- hits=N v1=.. | <why>
 * plus a few non-BPF features (tracefs, perf).  Research tool, not a test:
 * it asserts nothing; the lockdown guest script prints its table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#ifndef LP_OBJ
#error "LP_OBJ: path of lockprobe.bpf.o"
#endif
asm(".section .rodata\n.global lp_obj\nlp_obj:\n.incbin \"" LP_OBJ "\"\n"
    ".global lp_obj_end\nlp_obj_end:\n.byte 0\n.previous\n");
extern const char lp_obj[], lp_obj_end[];

struct bss {
	unsigned long long hits, v1, v2, v3;
	char str[32];
};

static char lastmsg[512];

static int on_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	char b[512];

	if (lvl == LIBBPF_DEBUG)
		return 0;
	vsnprintf(b, sizeof(b), fmt, ap);
	b[strcspn(b, "\n")] = 0;
	if (b[0] && !strstr(b, "-- BEGIN") && !strstr(b, "-- END"))
		snprintf(lastmsg, sizeof(lastmsg), "%s", b);
	return 0;
}

/* The verifier log's last line that says something (not a register dump). */
static const char *verifier_why(const char *log)
{
	static char why[300];
	const char *p = log, *best = NULL, *e;

	while (*p) {
		e = strchrnul(p, '\n');
		if (e > p && !(p[0] >= '0' && p[0] <= '9') && strncmp(p, "processed", 9) &&
		    strncmp(p, "verification time", 17) && strncmp(p, "stack depth", 11) &&
		    strncmp(p, "func#", 5) && strncmp(p, "; ", 2) && strncmp(p, "Validating", 10) &&
		    strncmp(p, "reg type", 8) && p[0] != '(')
			best = p;
		p = *e ? e + 1 : e;
	}
	if (!best)
		return "";
	e = strchrnul(best, '\n');
	snprintf(why, sizeof(why), "%.*s", (int)(e - best), best);
	return why;
}

static void do_binds(void)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(686) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(686) };
	int fd;

	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a6.sin6_addr = in6addr_loopback;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0) {
		if (bind(fd, (void *)&a4, sizeof(a4)))
			printf("#   bind4: %s\n", strerror(errno));
		close(fd);
	}
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd >= 0) {
		if (bind(fd, (void *)&a6, sizeof(a6)))
			printf("#   bind6: %s\n", strerror(errno));
		close(fd);
	}
	fd = open("/proc/self/stat", O_RDONLY);
	if (fd >= 0)
		close(fd);
}

static const char *ename(int e)
{
	static char b[32];

	switch (e) {
	case EPERM: return "EPERM";
	case EINVAL: return "EINVAL";
	case EACCES: return "EACCES";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case ENOTSUP: return "ENOTSUP";
	case E2BIG: return "E2BIG";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	}
	snprintf(b, sizeof(b), "errno%d", e);
	return b;
}

static void probe(const char *name, int cgfd)
{
	static char log[1 << 20];
	struct bpf_object *obj;
	struct bpf_program *p, *me = NULL;
	struct bpf_link *link = NULL;
	struct bpf_map *m, *bss = NULL;
	struct bss v = {};
	int err, key = 0;
	const char *sec;

	obj = bpf_object__open_mem(lp_obj, lp_obj_end - lp_obj, NULL);
	if (!obj) {
		printf("PROBE %s open=%s\n", name, ename(errno));
		return;
	}
	bpf_object__for_each_program(p, obj) {
		bool is = !strcmp(bpf_program__name(p), name);

		bpf_program__set_autoload(p, is);
		if (is)
			me = p;
	}
	bpf_object__for_each_map(m, obj) {
		const char *n = bpf_map__name(m);
		size_t l = strlen(n);

		if (l > 4 && !strcmp(n + l - 4, ".bss"))
			bss = m;
	}
	log[0] = 0;
	lastmsg[0] = 0;
	bpf_program__set_log_buf(me, log, sizeof(log));
	bpf_program__set_log_level(me, 1);
	sec = bpf_program__section_name(me);
	err = bpf_object__load(obj);
	if (err) {
		const char *why = verifier_why(log);

		printf("PROBE %-26s %-34s load=%s | %s\n", name, sec, ename(-err),
		       why[0] ? why : lastmsg);
		bpf_object__close(obj);
		return;
	}
	if (!strncmp(sec, "cgroup/", 7))
		link = bpf_program__attach_cgroup(me, cgfd);
	else
		link = bpf_program__attach(me);
	if (!link) {
		err = errno;
		printf("PROBE %-26s %-34s load=ok attach=%s | %s\n", name, sec, ename(err), lastmsg);
		bpf_object__close(obj);
		return;
	}
	do_binds();
	if (bss)
		bpf_map__lookup_elem(bss, &key, sizeof(key), &v, sizeof(v), 0);
	v.str[sizeof(v.str) - 1] = 0;
	printf("PROBE %-26s %-34s load=ok attach=ok hits=%llu v1=%#llx v2=%#llx v3=%#llx str=%s\n",
	       name, sec, v.hits, v.v1, v.v2, v.v3, v.str);
	bpf_link__destroy(link);
	bpf_object__close(obj);
}

static void feature(const char *name, int ok, int err)
{
	printf("PROBE %-26s %-34s %s\n", name, "-", ok ? "ok" : ename(err));
}

static int perf_open(int regs_intr)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_SOFTWARE, .size = sizeof(a),
		.config = PERF_COUNT_SW_CPU_CLOCK, .sample_period = 100000,
		.exclude_kernel = 0,
	};
	if (regs_intr) {
		a.sample_type = PERF_SAMPLE_REGS_INTR;
		a.sample_regs_intr = 1;
	}
	return syscall(__NR_perf_event_open, &a, 0, -1, -1, 0);
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	char names[64][64];
	int n = 0, i, cgfd, fd;
	char mode[128] = "?";
	FILE *f;

	libbpf_set_print(on_print);
	f = fopen("/sys/kernel/security/lockdown", "r");
	if (f) {
		if (!fgets(mode, sizeof(mode), f))
			mode[0] = 0;
		mode[strcspn(mode, "\n")] = 0;
		fclose(f);
	}
	printf("# lockprobe: lockdown: %s\n", mode);
	cgfd = open(argc > 1 ? argv[1] : "/sys/fs/cgroup", O_RDONLY | O_DIRECTORY);
	obj = bpf_object__open_mem(lp_obj, lp_obj_end - lp_obj, NULL);
	if (!obj) {
		printf("# lockprobe: cannot open the object\n");
		return 1;
	}
	bpf_object__for_each_program(p, obj)
		if (n < 64)
			snprintf(names[n++], 64, "%s", bpf_program__name(p));
	bpf_object__close(obj);
	for (i = 0; i < n; i++)
		probe(names[i], cgfd);

	fd = open("/sys/kernel/tracing/available_events", O_RDONLY);
	feature("tracefs_read", fd >= 0, errno);
	if (fd >= 0)
		close(fd);
	fd = open("/sys/kernel/tracing/events/syscalls/sys_exit_bind/id", O_RDONLY);
	feature("tracefs_event_id", fd >= 0, errno);
	if (fd >= 0)
		close(fd);
	fd = perf_open(0);
	feature("perf_sw_event", fd >= 0, errno);
	if (fd >= 0)
		close(fd);
	fd = perf_open(1);
	feature("perf_regs_intr", fd >= 0, errno);
	if (fd >= 0)
		close(fd);
	fd = open("/proc/kcore", O_RDONLY);
	feature("proc_kcore", fd >= 0, errno);
	if (fd >= 0)
		close(fd);
	return 0;
}
