// SPDX-License-Identifier: GPL-2.0
/*
 * floor.c - load and attach bench/floor.bpf.c's allow-only programs for one
 * attach mode, print "floor: ready mode=M" on stderr, and hold them until
 * SIGINT/SIGTERM (or stdin closes with -i).  Links are not pinned: they go
 * away with the process.
 *
 *   floor --mode cgroup|fentry|kprobe|lsm[,MODE..] [--cgroup PATH]
 *         [--cgroup-progs bind4,bind6,post_bind4,post_bind6,sys_exit_bind,
 *                         sock_release,sock_create]
 * --cgroup-progs: which cgroup-mode programs (default: the first five, the
 * set ghostport attached before issue 16); the bench passes the set the
 * ghostport under test attaches, so the bare hook stays its twin.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

static volatile sig_atomic_t stop;

static void on_sig(int s) { (void)s; stop = 1; }

#define MAX_LINKS 16
static struct bpf_link *links[MAX_LINKS];
static int nlinks;

/* Is word in the comma list? */
static int has(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static int add(struct bpf_link *l, const char *what)
{
	if (!l) {
		fprintf(stderr, "floor: attaching %s failed: %s\n", what,
			strerror(errno));
		return -1;
	}
	links[nlinks++] = l;
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = "cgroup", *cg = NULL;
	const char *cgp = "bind4,bind6,post_bind4,post_bind6,sys_exit_bind";
	struct floor_bpf *s;
	struct bpf_program *p;
	int i, cgfd = -1, err = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mode") && i + 1 < argc)
			mode = argv[++i];
		else if (!strcmp(argv[i], "--cgroup") && i + 1 < argc)
			cg = argv[++i];
		else if (!strcmp(argv[i], "--cgroup-progs") && i + 1 < argc)
			cgp = argv[++i];
		else {
			fprintf(stderr, "usage: floor --mode cgroup|fentry|kprobe|lsm [--cgroup PATH]\n");
			return 2;
		}
	}
	s = floor_bpf__open();
	if (!s) {
		fprintf(stderr, "floor: open failed\n");
		return 1;
	}
	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, false);
	if (has(mode, "cgroup")) {
		bpf_program__set_autoload(s->progs.fl_cgroup_bind4, has(cgp, "bind4"));
		bpf_program__set_autoload(s->progs.fl_cgroup_bind6, has(cgp, "bind6"));
		bpf_program__set_autoload(s->progs.fl_cgroup_post_bind4, has(cgp, "post_bind4"));
		bpf_program__set_autoload(s->progs.fl_cgroup_post_bind6, has(cgp, "post_bind6"));
		bpf_program__set_autoload(s->progs.fl_sys_exit_bind, has(cgp, "sys_exit_bind"));
		bpf_program__set_autoload(s->progs.fl_cgroup_sock_release, has(cgp, "sock_release"));
		bpf_program__set_autoload(s->progs.fl_cgroup_sock_create, has(cgp, "sock_create"));
	}
	if (has(mode, "fentry")) {
		bpf_program__set_autoload(s->progs.fl_fexit_inet_bind, true);
		bpf_program__set_autoload(s->progs.fl_fexit_inet6_bind, true);
	}
	if (has(mode, "kprobe")) {
		bpf_program__set_autoload(s->progs.fl_kprobe_inet_bind, true);
		bpf_program__set_autoload(s->progs.fl_kretprobe_inet_bind, true);
		bpf_program__set_autoload(s->progs.fl_kprobe_inet6_bind, true);
		bpf_program__set_autoload(s->progs.fl_kretprobe_inet6_bind, true);
	}
	if (has(mode, "lsm"))
		bpf_program__set_autoload(s->progs.fl_lsm_socket_bind, true);
	if (!has(mode, "cgroup") && !has(mode, "fentry") && !has(mode, "kprobe") &&
	    !has(mode, "lsm")) {
		fprintf(stderr, "floor: unknown mode %s\n", mode);
		return 2;
	}
	if (floor_bpf__load(s)) {
		fprintf(stderr, "floor: loading the %s programs failed: %s\n",
			mode, strerror(errno));
		return 1;
	}
	if (has(mode, "cgroup")) {
		const char *paths[] = { cg, "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };

		for (i = cg ? 0 : 1; i < 3 && cgfd < 0; i++)
			cgfd = open(paths[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cgfd < 0) {
			fprintf(stderr, "floor: no cgroup v2 root\n");
			return 1;
		}
		if (has(cgp, "sys_exit_bind") &&
		    access("/sys/kernel/tracing/events", F_OK) &&
		    access("/sys/kernel/debug/tracing/events", F_OK))
			mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
		/* Attach what was loaded, outcome hooks before the bind hooks. */
		struct { struct bpf_program *p; const char *name; int cgroup; } set[] = {
			{ s->progs.fl_sys_exit_bind, "sys_exit_bind", 0 },
			{ s->progs.fl_cgroup_sock_release, "sock_release", 1 },
			{ s->progs.fl_cgroup_sock_create, "sock_create", 1 },
			{ s->progs.fl_cgroup_post_bind4, "post_bind4", 1 },
			{ s->progs.fl_cgroup_post_bind6, "post_bind6", 1 },
			{ s->progs.fl_cgroup_bind4, "bind4", 1 },
			{ s->progs.fl_cgroup_bind6, "bind6", 1 },
		};
		size_t j;

		for (j = 0; !err && j < sizeof(set) / sizeof(set[0]); j++) {
			if (!bpf_program__autoload(set[j].p))
				continue;
			err = add(set[j].cgroup ? bpf_program__attach_cgroup(set[j].p, cgfd)
						: bpf_program__attach(set[j].p), set[j].name);
		}
	}
	if (!err && has(mode, "fentry")) {
		err = add(bpf_program__attach(s->progs.fl_fexit_inet_bind), "fexit/inet_bind") ||
		      add(bpf_program__attach(s->progs.fl_fexit_inet6_bind), "fexit/inet6_bind");
	}
	if (!err && has(mode, "kprobe")) {
		err = add(bpf_program__attach(s->progs.fl_kprobe_inet_bind), "kprobe") ||
		      add(bpf_program__attach(s->progs.fl_kretprobe_inet_bind), "kretprobe") ||
		      add(bpf_program__attach(s->progs.fl_kprobe_inet6_bind), "kprobe6") ||
		      add(bpf_program__attach(s->progs.fl_kretprobe_inet6_bind), "kretprobe6");
	}
	if (!err && has(mode, "lsm"))
		err = add(bpf_program__attach_lsm(s->progs.fl_lsm_socket_bind), "lsm");
	if (err)
		return 1;
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	fprintf(stderr, "floor: ready mode=%s cgroup-progs=%s pid=%d\n", mode,
		has(mode, "cgroup") ? cgp : "-", getpid());
	while (!stop)
		pause();
	for (i = nlinks - 1; i >= 0; i--)
		bpf_link__destroy(links[i]);
	floor_bpf__destroy(s);
	return 0;
}
