// SPDX-License-Identifier: GPL-2.0
/*
 * gp_ident.c - who bound: executable, argv, parent, ids and unit of the
 * binders an analyst cares most about (issue 14), end to end.
 *
 *   gp_ident run --ghostport PATH --source MODE --prefix NAME [--dir DIR]
 *
 * Starts `ghostport run --format json` on ports BASE..BASE+8/tcp with
 * --enforce --deny on the last one, waits for its ready line, then runs
 * each case in a child of its own (binary, argv, cgroup, ids below), stops
 * the reader and checks each case's one event:
 *
 *   quick      this binary re-executed: binds and exits at once (the path
 *              must come from the kernel: /proc is gone by then)
 *   memfd      the same code run from a memfd (fileless): exe /memfd:NAME,
 *              exe_flags memfd
 *   deleted    a copy that unlinks itself before it binds: exe_flags deleted
 *   service    in a systemd-like cgroup /system.slice/gp-ident.service: unit
 *   container  in /system.slice/docker-<64 hex>.scope: container_id
 *   thread     the second thread of a process binds: tid != pid
 *   setuid     a setuid-root copy run as nobody: uid 65534, euid 0
 *   deny       like quick, on the denied port: verdict deny
 *
 * Every event must carry the executable path (or exe_reason and its inode),
 * argv exactly, ppid/parent_comm/parent_exe of this program, uid/euid.
 * Internal: `gp_ident bind PORT`, `gp_ident unlink-bind PATH PORT`,
 * `gp_ident thread-bind PORT`.  Static-linkable: runs in the VM guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define GPT_PROG	"gp_ident"
#define GPT_PREFIX	"ident"
#include "gp_test.h"

#define BASE_PORT	4801
#define NCASES		8
#define CONTAINER_ID	"0123456789abcdef0123456789abcdef" \
			"0123456789abcdef0123456789abcdef"

enum { C_QUICK, C_MEMFD, C_DELETED, C_SERVICE, C_CONTAINER, C_THREAD,
       C_SETUID, C_DENY };
static const char *const case_names[NCASES] = {
	"quick", "memfd", "deleted", "service", "container", "thread",
	"setuid", "deny",
};

struct ran {
	bool run;		/* the child ran; else skip says why */
	char skip[200];
	pid_t pid;
	char exe[PATH_MAX];	/* the executable path expected */
	const char *flag;	/* an exe_flags entry expected, or NULL */
	char *argv[5];		/* argv expected (NULL-terminated) */
	char argbuf[4][PATH_MAX];
	unsigned uid, euid;
	const char *unit, *container;
	char cg[PATH_MAX];	/* its cgroup, removed once the reader ends */
};

static char self[PATH_MAX / 2], dir[256] = "/tmp", cgroot[PATH_MAX];
static struct ran ran[NCASES];

/* ---- the binders ---------------------------------------------------- */

static int bind_port(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	int s = socket(AF_INET, SOCK_STREAM, 0), r;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0)
		return errno;
	r = bind(s, (struct sockaddr *)&a, sizeof(a)) ? errno : 0;
	close(s);
	return r;
}

static void *thread_bind(void *arg)
{
	return (void *)(long)bind_port((int)(long)arg);
}

static int child_main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "bind"))
		return bind_port(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "unlink-bind")) {
		if (unlink(argv[2]))
			return 100;
		return bind_port(atoi(argv[3]));
	}
	if (argc == 3 && !strcmp(argv[1], "thread-bind")) {
		pthread_t t;
		void *r;

		if (pthread_create(&t, NULL, thread_bind,
				   (void *)(long)atoi(argv[2])))
			return 101;
		pthread_join(t, &r);
		return (int)(long)r;
	}
	return -1;
}

/* ---- the cases -------------------------------------------------------- */

static bool copy_file(const char *from, int to_fd)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (in < 0)
		return false;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (!gpt_write_all(to_fd, buf, (size_t)n)) {
			close(in);
			return false;
		}
	close(in);
	return n == 0;
}

static bool copy_to(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
	bool ok;

	if (fd < 0)
		return false;
	ok = copy_file(self, fd);
	close(fd);
	return ok && !chmod(path, mode);
}

/* argv expected in the event, as the child gets it. */
static void set_argv(struct ran *r, const char *a0, const char *a1,
		     const char *a2, const char *a3)
{
	const char *a[4] = { a0, a1, a2, a3 };
	int i;

	for (i = 0; i < 4 && a[i]; i++) {
		snprintf(r->argbuf[i], sizeof(r->argbuf[i]), "%s", a[i]);
		r->argv[i] = r->argbuf[i];
	}
	r->argv[i] = NULL;
}

/* mkdir -p of a cgroup under cgroot; the path made (or "" on failure). */
static bool cg_make(const char *rel, char *out, size_t len)
{
	char p[PATH_MAX], *s;

	snprintf(out, len, "%.3000s%s", cgroot, rel);
	snprintf(p, sizeof(p), "%s", out);
	for (s = p + strlen(cgroot) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST)
			return false;
		*s = '/';
	}
	return !mkdir(p, 0755) || errno == EEXIST;
}

/*
 * Runs case c: a child that sets itself up (cgroup, ids) and execs.
 * Waits for it (it exits at once after its bind).
 */
static void run_case(int c, int port)
{
	struct ran *r = &ran[c];
	char ps[16], path[PATH_MAX], cg[PATH_MAX] = "";
	int memfd = -1, st;
	pid_t pid;

	snprintf(ps, sizeof(ps), "%d", port);
	snprintf(r->exe, sizeof(r->exe), "%s", self);
	r->uid = r->euid = getuid();
	switch (c) {
	case C_MEMFD:
		memfd = (int)syscall(SYS_memfd_create, "gp-payload", 0);
		if (memfd < 0 || !copy_file(self, memfd)) {
			snprintf(r->skip, sizeof(r->skip), "memfd_create: %s",
				 strerror(errno));
			return;
		}
		snprintf(r->exe, sizeof(r->exe), "/memfd:gp-payload");
		r->flag = "memfd";
		set_argv(r, "gp-memfd", "bind", ps, NULL);
		break;
	case C_DELETED:
		snprintf(path, sizeof(path), "%s/gp-ident-deleted", dir);
		if (!copy_to(path, 0755)) {
			snprintf(r->skip, sizeof(r->skip), "copy to %.100s: %s",
				 path, strerror(errno));
			return;
		}
		snprintf(r->exe, sizeof(r->exe), "%s", path);
		r->flag = "deleted";
		set_argv(r, path, "unlink-bind", path, ps);
		break;
	case C_SERVICE:
	case C_CONTAINER:
		if (!cgroot[0] ||
		    !cg_make(c == C_SERVICE ? "/system.slice/gp-ident.service" :
			     "/system.slice/docker-" CONTAINER_ID ".scope",
			     cg, sizeof(cg))) {
			snprintf(r->skip, sizeof(r->skip),
				 "no cgroup v2 to make %s in (%s)",
				 c == C_SERVICE ? "a service" : "a container",
				 cgroot[0] ? strerror(errno) : "not mounted");
			return;
		}
		if (c == C_SERVICE)
			r->unit = "gp-ident.service";
		else
			r->container = CONTAINER_ID;
		set_argv(r, self, "bind", ps, NULL);
		break;
	case C_THREAD:
		set_argv(r, self, "thread-bind", ps, NULL);
		break;
	case C_SETUID:
		snprintf(path, sizeof(path), "%s/gp-ident-suid", dir);
		if (getuid() != 0 || !copy_to(path, 0755) ||
		    chown(path, 0, 0) || chmod(path, 04755)) {
			snprintf(r->skip, sizeof(r->skip),
				 "cannot make a setuid-root copy at %.100s: %s",
				 path, getuid() ? "not root" : strerror(errno));
			return;
		}
		snprintf(r->exe, sizeof(r->exe), "%s", path);
		r->uid = 65534;
		r->euid = 0;
		set_argv(r, path, "bind", ps, NULL);
		break;
	default:	/* quick, deny */
		set_argv(r, self, "bind", ps, NULL);
		break;
	}

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (cg[0]) {
			char procs[PATH_MAX + 16];
			int fd;

			snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
			fd = open(procs, O_WRONLY);
			if (fd < 0 || write(fd, "0", 1) != 1)
				_exit(120);
			close(fd);
		}
		if (c == C_SETUID && (setgid(65534) || setuid(65534)))
			_exit(121);
		if (memfd >= 0) {
			syscall(SYS_execveat, memfd, "", r->argv, environ,
				AT_EMPTY_PATH);
			_exit(122);
		}
		execv(c == C_DELETED || c == C_SETUID ? r->exe : self, r->argv);
		_exit(123);
	}
	r->pid = pid;
	if (pid > 0 && waitpid(pid, &st, 0) == pid) {
		r->run = true;
		if (!WIFEXITED(st) || WEXITSTATUS(st) >= 100)
			gpt_note("%s: child exit %d", case_names[c],
				 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	} else {
		snprintf(r->skip, sizeof(r->skip), "fork: %s", strerror(errno));
	}
	if (memfd >= 0)
		close(memfd);
	if (c == C_SETUID)
		unlink(r->exe);
	if (c == C_DELETED)
		unlink(r->exe);		/* in case the child did not */
	/* The cgroup stays until the reader has named it: the reader finds
	 * a cgroup's path by its id, so a cgroup removed before that (a
	 * transient scope whose only process exited) has no unit. */
	snprintf(r->cg, sizeof(r->cg), "%s", cg);
}

static void cg_cleanup(void)
{
	for (int c = 0; c < NCASES; c++) {
		char *s;

		if (!ran[c].cg[0])
			continue;
		rmdir(ran[c].cg);	/* empty again: the child exited */
		s = strrchr(ran[c].cg, '/');
		*s = 0;			/* system.slice, if ours */
		rmdir(ran[c].cg);
	}
}

/* ---- the checks --------------------------------------------------------- */

static bool has_flag(const json_t *ev, const char *flag)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(ev, "exe_flags"), i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), flag))
			return true;
	return false;
}

static void check_case(int c, const json_t *ev, const char *ppexe)
{
	const struct ran *r = &ran[c];
	struct gpt_chk k;
	const char *exe = gpt_jstr(ev, "exe"), *s;
	const json_t *args = json_object_get(ev, "args");
	size_t i, n = 0;

	memset(&k, 0, sizeof(k));
	if (gpt_jint(ev, "pid", -1) != r->pid)
		gpt_cfail(&k, "pid %lld, want %d", gpt_jint(ev, "pid", -1), (int)r->pid);
	if (c == C_THREAD && gpt_jint(ev, "tid", -1) == r->pid)
		gpt_cfail(&k, "tid == pid: not the second thread");
	if (exe) {
		if (strcmp(exe, r->exe))
			gpt_cfail(&k, "exe \"%s\", want \"%s\"", exe, r->exe);
	} else if (!gpt_jstr(ev, "exe_reason") ||
		   !json_is_integer(json_object_get(ev, "exe_ino"))) {
		gpt_cfail(&k, "exe null without exe_reason and exe_ino");
	} else {
		gpt_note("%s: exe unknown: %s (ino %lld)", case_names[c],
			 gpt_jstr(ev, "exe_reason"), gpt_jint(ev, "exe_ino", 0));
		gpt_cfail(&k, "exe unknown (%s)", gpt_jstr(ev, "exe_reason"));
	}
	if (r->flag && !has_flag(ev, r->flag))
		gpt_cfail(&k, "exe_flags lacks \"%s\"", r->flag);
	if (!json_is_array(args)) {
		gpt_cfail(&k, "args not an array");
	} else {
		while (r->argv[n])
			n++;
		if (json_array_size(args) != n)
			gpt_cfail(&k, "%zu args, want %zu", json_array_size(args), n);
		for (i = 0; i < n && i < json_array_size(args); i++) {
			s = json_string_value(json_array_get(args, i));
			if (!s || strcmp(s, r->argv[i]))
				gpt_cfail(&k, "args[%zu] \"%s\", want \"%s\"", i,
					  s ? s : "(null)", r->argv[i]);
		}
	}
	if (gpt_jint(ev, "ppid", -1) != getpid())
		gpt_cfail(&k, "ppid %lld, want %d", gpt_jint(ev, "ppid", -1), (int)getpid());
	s = gpt_jstr(ev, "parent_comm");
	if (!s || strcmp(s, GPT_PROG))
		gpt_cfail(&k, "parent_comm \"%s\", want \"" GPT_PROG "\"", s ? s : "(null)");
	s = gpt_jstr(ev, "parent_exe");
	if (!s || strcmp(s, ppexe))
		gpt_cfail(&k, "parent_exe \"%s\", want \"%s\"", s ? s : "(null)", ppexe);
	if (gpt_jint(ev, "uid", -1) != r->uid)
		gpt_cfail(&k, "uid %lld, want %u", gpt_jint(ev, "uid", -1), r->uid);
	if (gpt_jint(ev, "euid", -1) != r->euid)
		gpt_cfail(&k, "euid %lld, want %u", gpt_jint(ev, "euid", -1), r->euid);
	if (r->unit && (!(s = gpt_jstr(ev, "unit")) || strcmp(s, r->unit)))
		gpt_cfail(&k, "unit \"%s\", want \"%s\"", s ? s : "(null)", r->unit);
	if (r->container &&
	    (!(s = gpt_jstr(ev, "container_id")) || strcmp(s, r->container)))
		gpt_cfail(&k, "container_id \"%s\", want \"%s\"", s ? s : "(null)",
			  r->container);
	s = gpt_jstr(ev, "verdict");
	if (!s || strcmp(s, c == C_DENY ? "deny" : "audit"))
		gpt_cfail(&k, "verdict \"%s\", want \"%s\"", s ? s : "(null)",
			  c == C_DENY ? "deny" : "audit");
	gpt_cdone(&k, case_names[c]);
}

/* A load the kernel refused (the verifier: E2BIG, EINVAL, EACCES): a bug
 * of ours, not a mode this kernel lacks. */
static bool refused(const char *why)
{
	return strstr(why, "Argument list too long") ||
	       strstr(why, "Invalid argument") ||
	       strstr(why, "Permission denied");
}

static int usage(void)
{
	fprintf(stderr, "usage: gp_ident run --ghostport PATH --source MODE "
		"--prefix NAME [--dir DIR]\n");
	return 2;
}

static bool start(struct gpt_reader *rd, const char *gp, const char *src,
		  bool enforce, char *why, size_t wlen)
{
	char ports[64], deny[32];
	char *av[16];
	int n = 0;

	snprintf(ports, sizeof(ports), "%d-%d/tcp", BASE_PORT,
		 BASE_PORT + NCASES - 1);
	snprintf(deny, sizeof(deny), "%d/tcp", BASE_PORT + C_DENY);
	av[n++] = (char *)gp;
	av[n++] = "run";
	av[n++] = "--no-config";
	av[n++] = "--source";
	av[n++] = (char *)src;
	av[n++] = "--format";
	av[n++] = "json";
	av[n++] = "--ports";
	av[n++] = ports;
	if (enforce) {
		av[n++] = "--enforce";
		av[n++] = "--deny";
		av[n++] = deny;
		av[n++] = "--no-pin";
	}
	av[n] = NULL;
	if (!gpt_wait_lock_free(120, why, wlen))
		return false;
	if (gpt_spawn(rd, av)) {
		snprintf(why, wlen, "spawn %s: %s", gp, strerror(errno));
		return false;
	}
	/* Slow under TCG: the 5.10 verifier on every program of a mode. */
	return gpt_wait_ready(rd, 300, why, wlen);
}

int main(int argc, char **argv)
{
	const char *gp = NULL, *src = NULL;
	struct gpt_reader rd;
	char why[512], deny_why[600] = "";
	bool enforce = true, deny_fail = false;
	ssize_t n;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "run"))
		return child_main(argc, argv);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--ghostport") && i + 1 < argc)
			gp = argv[++i];
		else if (!strcmp(argv[i], "--source") && i + 1 < argc)
			src = argv[++i];
		else if (!strcmp(argv[i], "--prefix") && i + 1 < argc)
			gpt_prefix = argv[++i];
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			snprintf(dir, sizeof(dir), "%s", argv[++i]);
		else
			return usage();
	}
	if (!gp || !src)
		return usage();
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		gpt_result("FAIL", "setup", "readlink /proc/self/exe: %s", strerror(errno));
		return 1;
	}
	self[n] = 0;
	if (!gpt_cgroup2_root(cgroot, sizeof(cgroot)))
		cgroot[0] = 0;

	if (!start(&rd, gp, src, true, why, sizeof(why))) {
		/* Enforcement may be what failed: the audit cases still
		 * run, and deny says why it could not. */
		bool unavail = gpt_unavailable(&rd, src) ||
			       strstr(why, "cannot enforce");

		snprintf(deny_why, sizeof(deny_why), "with --enforce: %s", why);
		gpt_note("%s; again without --enforce", deny_why);
		deny_fail = !unavail || refused(why);
		gpt_reader_free(&rd);
		enforce = false;
		if (!start(&rd, gp, src, false, why, sizeof(why))) {
			unavail = gpt_unavailable(&rd, src) && !refused(why);
			for (i = 0; i < NCASES; i++)
				gpt_result(unavail ? "SKIP" : "FAIL", case_names[i],
					   "%s", why);
			gpt_reader_free(&rd);
			return gpt_nfail ? 1 : 0;
		}
	}
	for (i = 0; i < NCASES; i++) {
		if (i == C_DENY && !enforce)
			continue;
		run_case(i, BASE_PORT + i);
		gpt_pump(&rd, 0);
	}
	gpt_pump_for(&rd, 1500);	/* batched delivery: up to 50 ms */
	kill(rd.pid, SIGTERM);
	gpt_reap(&rd, 10000);
	while (gpt_pump(&rd, 200))
		;
	cg_cleanup();

	for (i = 0; i < NCASES; i++) {
		const json_t *ev = NULL;
		int found = 0;

		if (i == C_DENY && !enforce) {
			/* unavailable (no enforcement with this source) is a
			 * SKIP; a refusal to load (verifier) a FAIL */
			gpt_result(deny_fail ? "FAIL" : "SKIP", case_names[i],
				   "%s", deny_why);
			continue;
		}
		if (!ran[i].run) {
			gpt_result("SKIP", case_names[i], "%s", ran[i].skip);
			continue;
		}
		for (size_t l = 0; l < rd.o.n; l++) {
			const json_t *j = gpt_line_json(&rd.o, l);

			if (j && gpt_jint(j, "port", -1) == BASE_PORT + i &&
			    gpt_jint(j, "pid", -1) == ran[i].pid) {
				ev = j;
				found++;
			}
		}
		if (found != 1) {
			gpt_result("FAIL", case_names[i], "%d events for pid %d port %d, want 1",
				   found, (int)ran[i].pid, BASE_PORT + i);
			continue;
		}
		check_case(i, ev, self);
	}
	if (gpt_nfail)
		gpt_show_stderr(&rd);
	gpt_reader_free(&rd);
	return gpt_nfail ? 1 : 0;
}
