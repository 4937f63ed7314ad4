// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_load.c - load and attach the BPF programs of the chosen modes:
 * which programs, the libbpf messages that explain a failure, the cgroup
 * root, the LSM's availability, and the deny programs added at run time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/libbpf.h>

#include "source/bpf_int.h"
#include "source/pin.h"

/*
 * The lockdown-safe program set (bpf/maps.bpf.h gp_safe): chosen once per
 * process, when the kernel refused the full set and lockdown explains it.
 */
static bool safe_set;

bool gp_bpf_safe(void)
{
	return safe_set;
}

/* "none", "integrity", "confidentiality", or NULL if unknown. */
const char *gp_bpf_lockdown(void)
{
	static const char *const modes[] = {
		"none", "integrity", "confidentiality",
	};
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");
	size_t i;

	if (!f) {
		mount("securityfs", "/sys/kernel/security", "securityfs", 0,
		      NULL);
		f = fopen("/sys/kernel/security/lockdown", "r");
	}
	if (!f)
		return NULL;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	/* The mode in force is the bracketed one: "none [integrity] ..." */
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char want[32];

		snprintf(want, sizeof(want), "[%s]", modes[i]);
		if (strstr(buf, want))
			return modes[i];
	}
	return NULL;
}

/*
 * A load the kernel refused: is it lockdown refusing the helpers that read
 * kernel memory?  Then switch to the safe set (once, said once) and let the
 * caller load again.
 */
bool gp_bpf_try_safe(int ret)
{
	const char *ld;

	if (safe_set || (ret != -EINVAL && ret != -EACCES && ret != -EPERM))
		return false;
	ld = gp_bpf_lockdown();
	if (!ld || strcmp(ld, "confidentiality"))
		return false;
	safe_set = true;
	fprintf(stderr,
		"ghostport: kernel lockdown=confidentiality refuses BPF reads of kernel memory: using the lockdown-safe program set (what it cannot see is reported as null)\n");
	return true;
}

/*
 * What the safe set's records leave null, by audit mode (bpf/record.bpf.h,
 * bpf/cgroup.bpf.h): socket options always (they live past struct sock);
 * the network namespace in cgroup mode (its context has none); parent,
 * executable and the kernel-thread test where bpf_get_current_task_btf
 * is missing (before 5.11); the identity the kernel would read by probe
 * (executable path, arguments, parent's comm and executable, effective
 * and login ids: identity.bpf.h is pruned).
 */
const char *gp_bpf_safe_unseen(int mode)
{
	bool task = libbpf_probe_bpf_helper(BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
					    BPF_FUNC_get_current_task_btf,
					    NULL) > 0;

	if (mode == GP_SRC_CGROUP)
		return task ? "netns,opts,identity" :
			      "netns,opts,ppid,exe,kernel,identity";
	return task ? "opts,identity" : "opts,ppid,exe,kernel,identity";
}

/* libbpf's own messages: the last warning explains a failure best. */
static char last_libbpf_msg[256];
static bool libbpf_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	va_list cp;
	size_t n;

	if (level == LIBBPF_DEBUG && !libbpf_verbose)
		return 0;
	va_copy(cp, ap);
	vsnprintf(last_libbpf_msg, sizeof(last_libbpf_msg), fmt, cp);
	va_end(cp);
	n = strlen(last_libbpf_msg);
	while (n && last_libbpf_msg[n - 1] == '\n')
		last_libbpf_msg[--n] = '\0';
	if (libbpf_verbose)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

void gp_bpf_log_setup(bool verbose)
{
	libbpf_verbose = verbose;
	libbpf_set_print(libbpf_print);
	last_libbpf_msg[0] = '\0';
}

const char *gp_bpf_mode_name(int mode)
{
	switch (mode) {
	case GP_SRC_FENTRY:
		return "fentry";
	case GP_SRC_KPROBE:
		return "kprobe";
	case GP_SRC_CGROUP:
		return "cgroup";
	case GP_SRC_LSM:
		return "lsm";
	default:
		return "none";
	}
}

static void autoload(struct bpf_program *p)
{
	bpf_program__set_autoload(p, true);
}

/* Is a kernel function there to attach to (not inlined, not missing)? */
static bool ksym_exists(const char *name)
{
	char line[256], sym[128];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %127s", sym) == 1 && !strcmp(sym, name))
			found = true;
	fclose(f);
	return found;
}

/*
 * Where every inet bind passes: inet_bind_sk/inet6_bind_sk from 6.6
 * (mptcp_bind calls them, not inet_bind), else inet_bind/inet6_bind.
 * Asked once per process.
 */
bool gp_bpf_bind_sk(void)
{
	static int have;	/* 0 unknown, 1 yes, 2 no */

	if (!have)
		have = ksym_exists("inet_bind_sk") &&
		       ksym_exists("inet6_bind_sk") ? 1 : 2;
	return have == 1;
}

/* SCTP bindx's only hook (CONFIG_SECURITY_NETWORK).  Its programs walk
 * bindx's address list with probe reads: not in the lockdown-safe set. */
static bool have_sctp_hook(void)
{
	static int have;

	if (safe_set)
		return false;
	if (!have)
		have = ksym_exists("security_sctp_bind_connect") ? 1 : 2;
	return have == 1;
}

/* Programs to load: the audit mode's (unless adopted) and the deny's. */
static void select_programs(struct ghostport_bpf *s, int audit, int deny)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, false);
	if (audit == GP_SRC_FENTRY) {
		if (gp_bpf_bind_sk()) {
			autoload(s->progs.gp_fexit_inet_bind_sk);
			autoload(s->progs.gp_fexit_inet6_bind_sk);
		} else {
			autoload(s->progs.gp_fexit_inet_bind);
			autoload(s->progs.gp_fexit_inet6_bind);
		}
		if (have_sctp_hook())
			autoload(s->progs.gp_fexit_sctp_bind_connect);
	} else if (audit == GP_SRC_KPROBE) {
		autoload(gp_bpf_bind_sk() ? s->progs.gp_kprobe_inet_bind_sk :
					    s->progs.gp_kprobe_inet_bind);
		autoload(s->progs.gp_kretprobe_inet_bind);
		if (have_sctp_hook())
			autoload(s->progs.gp_kprobe_sctp_bind_connect);
	}
	if (audit == GP_SRC_CGROUP) {
		autoload(s->progs.gp_cgroup_post_bind4);
		autoload(s->progs.gp_cgroup_post_bind6);
		autoload(s->progs.gp_cgroup_sock_release);
	}
	if (audit == GP_SRC_CGROUP || deny == GP_SRC_CGROUP) {
		autoload(s->progs.gp_cgroup_bind4);
		autoload(s->progs.gp_cgroup_bind6);
	}
	if (deny == GP_SRC_LSM) {
		autoload(s->progs.gp_lsm_socket_bind);
		/* SCTP bindx's address list is walked by probe reads:
		 * not in the lockdown-safe set (docs/lockdown.md). */
		if (have_sctp_hook())
			autoload(s->progs.gp_lsm_sctp_bind_connect);
	}
	/* The safe set: no probe reads anywhere (identity.bpf.h reads the
	 * task only by probe: pruned, its records say GP_XF_NO_CAPTURE). */
	s->rodata->gp_safe = safe_set;
	if (safe_set)
		s->rodata->gp_identity_probe = false;
}

static int add_link(struct bpf_src *b, struct bpf_link *l, const char *what,
		    char *err, size_t errlen)
{
	int e = -errno;
	char path[256];

	if (!l) {
		snprintf(err, errlen, "attaching %s failed: %s%s%s%s", what,
			 strerror(-e), last_libbpf_msg[0] ? " (" : "",
			 last_libbpf_msg[0] ? last_libbpf_msg : "",
			 last_libbpf_msg[0] ? ")" : "");
		return e ? e : -EINVAL;
	}
	b->links[b->nlinks++] = l;
	if (!b->pinned)
		return 0;
	gp_pin_link_path(path, sizeof(path), what);
	if (!bpf_link__pin(l, path))
		return 0;
	e = -errno;
	/*
	 * Before 5.15 a kprobe is attached through a perf event, not a BPF
	 * link, and cannot be pinned (EINVAL).  Audit through it then lasts as
	 * long as the daemon; say so once.  Enforcement links (LSM, cgroup)
	 * must outlive the daemon, so their pin failing stays an error.
	 */
	if (e == -EINVAL && strstr(what, "probe-")) {
		static bool said;

		if (!said)
			fprintf(stderr, "ghostport: kprobe links cannot be pinned on this kernel (BPF perf links need 5.15): the kprobe audit stops with the daemon\n");
		said = true;
		return 0;
	}
	snprintf(err, errlen, "pinning %s at %s failed: %s", what, path,
		 strerror(-e));
	return e;
}

/* The v2 hierarchy's root: every process is below it, so it sees every bind. */
int gp_bpf_open_cgroup_root(const char *path, char *err, size_t errlen)
{
	static const char *const defaults[] = {
		"/sys/fs/cgroup/unified", "/sys/fs/cgroup", NULL,
	};
	struct statfs st;
	int i, fd;

	for (i = 0; path ? i == 0 : defaults[i] != NULL; i++) {
		const char *p = path ? path : defaults[i];

		if (statfs(p, &st) || st.f_type != CGROUP2_SUPER_MAGIC)
			continue;
		fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	snprintf(err, errlen, "no cgroup v2 hierarchy at %s",
		 path ? path : "/sys/fs/cgroup/unified or /sys/fs/cgroup");
	return -ENOENT;
}

static int attach_cgroup_prog(struct bpf_src *b, struct bpf_program *p,
			      const char *what, const char *cgroup_path,
			      char *err, size_t errlen)
{
	if (b->cgroup_fd < 0) {
		b->cgroup_fd = gp_bpf_open_cgroup_root(cgroup_path, err, errlen);
		if (b->cgroup_fd < 0)
			return b->cgroup_fd;
	}
	return add_link(b, bpf_program__attach_cgroup(p, b->cgroup_fd), what,
			err, errlen);
}

static int attach_audit(struct bpf_src *b, int mode, const char *cgroup_path,
			char *err, size_t errlen)
{
	struct ghostport_bpf *s = b->skel;
	int ret;

	if (mode == GP_SRC_FENTRY) {
		bool sk = gp_bpf_bind_sk();

		ret = add_link(b, bpf_program__attach(sk ?
				s->progs.gp_fexit_inet_bind_sk :
				s->progs.gp_fexit_inet_bind),
			       sk ? "fexit-inet_bind_sk" : "fexit-inet_bind",
			       err, errlen);
		if (!ret)
			ret = add_link(b, bpf_program__attach(sk ?
					s->progs.gp_fexit_inet6_bind_sk :
					s->progs.gp_fexit_inet6_bind),
				       sk ? "fexit-inet6_bind_sk" :
					    "fexit-inet6_bind", err, errlen);
		if (!ret && have_sctp_hook())
			ret = add_link(b, bpf_program__attach(
					s->progs.gp_fexit_sctp_bind_connect),
				       "fexit-sctp_bind_connect", err, errlen);
		return ret;
	}
	if (mode == GP_SRC_KPROBE) {
		bool sk = gp_bpf_bind_sk();
		struct bpf_program *entry = sk ? s->progs.gp_kprobe_inet_bind_sk :
						 s->progs.gp_kprobe_inet_bind;
		const char *fn[2] = { sk ? "inet_bind_sk" : "inet_bind",
				      sk ? "inet6_bind_sk" : "inet6_bind" };
		char what[64];
		int i;

		/* One program per side serves v4 and v6: the record is
		 * classified by the socket.  Return probes first: an entry
		 * stashed before its return probe is in place would be
		 * reported later as a miss. */
		for (i = 0; i < 2; i++) {
			snprintf(what, sizeof(what), "kretprobe-%s", fn[i]);
			ret = add_link(b, bpf_program__attach_kprobe(
					s->progs.gp_kretprobe_inet_bind, true,
					fn[i]), what, err, errlen);
			if (ret)
				return ret;
		}
		for (i = 0; i < 2; i++) {
			snprintf(what, sizeof(what), "kprobe-%s", fn[i]);
			ret = add_link(b, bpf_program__attach_kprobe(entry,
					false, fn[i]), what, err, errlen);
			if (ret)
				return ret;
		}
		if (have_sctp_hook())
			ret = add_link(b, bpf_program__attach_kprobe(
					s->progs.gp_kprobe_sctp_bind_connect,
					false, "security_sctp_bind_connect"),
				       "kprobe-security_sctp_bind_connect", err,
				       errlen);
		return ret;
	}
	/* sock_release and post_bind first, then the bind hooks: every
	 * stage is in place before the one that records attempts.  No
	 * syscall tracepoint (it would slow every system call of every
	 * task): a failed bind's outcome is settled at the socket's next
	 * bind or its release (cgroup.bpf.h). */
	ret = attach_cgroup_prog(b, s->progs.gp_cgroup_sock_release,
				 "cgroup-sock_release", cgroup_path, err,
				 errlen);
	if (!ret)
		ret = attach_cgroup_prog(b, s->progs.gp_cgroup_post_bind4,
					 "cgroup-post_bind4", cgroup_path, err,
					 errlen);
	if (!ret)
		ret = attach_cgroup_prog(b, s->progs.gp_cgroup_post_bind6,
					 "cgroup-post_bind6", cgroup_path, err,
					 errlen);
	return ret;
}

static int attach_bind_hooks(struct bpf_src *b, const char *cgroup_path,
			     char *err, size_t errlen)
{
	int ret;

	ret = attach_cgroup_prog(b, b->skel->progs.gp_cgroup_bind4,
				 "cgroup-bind4", cgroup_path, err, errlen);
	if (!ret)
		ret = attach_cgroup_prog(b, b->skel->progs.gp_cgroup_bind6,
					 "cgroup-bind6", cgroup_path, err,
					 errlen);
	return ret;
}

static int lsm_active(void)
{
	char buf[512] = "";
	FILE *f = fopen("/sys/kernel/security/lsm", "r");
	char *tok, *save = NULL;

	if (!f) {
		mount("securityfs", "/sys/kernel/security", "securityfs", 0,
		      NULL);
		f = fopen("/sys/kernel/security/lsm", "r");
	}
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, "bpf"))
			return 1;
	return 0;
}

/*
 * Listed as active is not enough: some kernels refuse LSM programs (no
 * trampolines, lockdown) or their verifier rejects one.  1 if it loads,
 * else 2 with the reason in why.
 */
static int lsm_loads(const struct gp_source_opts *o, char *why, size_t len)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = o->btf_path);
	struct ghostport_bpf *p = ghostport_bpf__open_opts(&oo);
	int ret;

	if (!p) {
		snprintf(why, len, "opening the BPF object failed");
		return 2;
	}
	select_programs(p, 0, GP_SRC_LSM);
	bpf_map__set_max_entries(p->maps.gp_events, GP_RING_MIN_BYTES);
	last_libbpf_msg[0] = '\0';
	ret = ghostport_bpf__load(p);
	ghostport_bpf__destroy(p);
	if (!ret)
		return 1;
	if (gp_bpf_try_safe(ret))
		return lsm_loads(o, why, len);
	snprintf(why, len, "the kernel refuses to load the BPF LSM program: %s%s",
		 strerror(-ret),
		 ret == -EPERM ? " (no BPF trampolines here, or lockdown)" :
		 ret == -EINVAL ? " (rejected by the verifier; run with -v)" : "");
	return 2;
}

/* 0 if the BPF LSM is active and loads here, else -1 and why. */
/* 0 if the BPF LSM is in the kernel's active list, else -1 and why. */
static int lsm_listed(char *why, size_t len)
{
	int lsm = lsm_active();

	if (lsm < 0) {
		snprintf(why, len, "cannot read /sys/kernel/security/lsm");
		return -1;
	}
	if (lsm == 0) {
		snprintf(why, len,
			 "the BPF LSM is not active (not in /sys/kernel/security/lsm; boot with lsm=...,bpf)");
		return -1;
	}
	return 0;
}

int gp_source_bpf_lsm_usable(const struct gp_source_opts *o, char *why,
			     size_t len)
{
	gp_bpf_log_setup(o->verbose);
	if (lsm_listed(why, len))
		return -1;
	return lsm_loads(o, why, len) == 1 ? 0 : -1;
}

int gp_bpf_choose_deny(const struct gp_source_opts *o, char *err,
		       size_t errlen)
{
	static int lsm_cached;	/* asked once per process */
	char why[256];

	if (!(o->conf_flags & GP_CONF_ENFORCE))
		return 0;
	switch (o->deny_with) {
	case GP_DENY_LSM:
		return GP_SRC_LSM;
	case GP_DENY_CGROUP:
		return GP_SRC_CGROUP;
	default:
		break;
	}
	if (lsm_cached == 1)
		return GP_SRC_LSM;
	if (lsm_cached)
		return GP_SRC_CGROUP;
	if (!gp_source_bpf_lsm_usable(o, why, sizeof(why))) {
		lsm_cached = 1;
		return GP_SRC_LSM;
	}
	lsm_cached = 2;
	fprintf(stderr,
		"ghostport: enforcement via lsm unavailable: %s; using cgroup\n",
		why);
	return GP_SRC_CGROUP;
}

int gp_bpf_load(struct bpf_src *b, int audit, int deny, char *err,
		size_t errlen)
{
	int ret;

	/*
	 * The cgroup audit mode keeps each attempt in socket storage, which
	 * post_bind and sock_release (BPF_PROG_TYPE_CGROUP_SOCK) can read
	 * from Linux 5.11.  Before that it cannot report outcomes truthfully
	 * without a syscall tracepoint (a tax on every syscall of every
	 * task): refuse the mode, so auto takes fentry or kprobe.
	 */
	if (audit == GP_SRC_CGROUP &&
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_CGROUP_SOCK,
				    BPF_FUNC_sk_storage_get, NULL) != 1) {
		snprintf(err, errlen,
			 "the cgroup mode needs socket storage in cgroup sock programs (Linux 5.11+); use fentry or kprobe");
		return -EOPNOTSUPP;
	}
	select_programs(b->skel, audit, deny);
	ret = ghostport_bpf__load(b->skel);
	if (ret) {
		snprintf(err, errlen, "loading the %s%s%s programs failed: %s%s",
			 audit ? gp_bpf_mode_name(audit) : "",
			 audit && deny && deny != audit ? "+" : "",
			 deny && deny != audit ? gp_bpf_mode_name(deny) : "",
			 strerror(-ret),
			 ret == -EPERM ? (audit == GP_SRC_FENTRY || deny == GP_SRC_LSM ?
				" (kernel refuses BPF trampolines, or missing CAP_BPF/CAP_PERFMON)" :
				" (missing CAP_BPF/CAP_PERFMON/CAP_NET_ADMIN?)") : "");
		return ret;
	}
	return 0;
}

int gp_bpf_attach(struct bpf_src *b, int audit, int deny,
		      const struct gp_source_opts *o, char *err,
		      size_t errlen)
{
	int ret = 0;

	last_libbpf_msg[0] = '\0';
	if (audit)
		ret = attach_audit(b, audit, o->cgroup_path, err, errlen);
	if (!ret && deny == GP_SRC_LSM)
		ret = add_link(b, bpf_program__attach_lsm(b->skel->progs.gp_lsm_socket_bind),
			       "lsm-socket_bind", err, errlen);
	if (!ret && deny == GP_SRC_LSM && have_sctp_hook())
		ret = add_link(b, bpf_program__attach_lsm(b->skel->progs.gp_lsm_sctp_bind_connect),
			       "lsm-sctp_bind_connect", err, errlen);
	if (!ret && (audit == GP_SRC_CGROUP || deny == GP_SRC_CGROUP))
		ret = attach_bind_hooks(b, o->cgroup_path, err, errlen);
	return ret;
}

/*
 * Load the deny programs next to running audit programs: a second object
 * that shares every map of the first, so both see one policy and one ring.
 * Loaded, not attached: attach_deny_object() attaches them.
 */
static int load_deny_object(struct bpf_src *b, int deny,
			    const struct gp_source_opts *o, char *err,
			    size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = o->btf_path);
	struct ghostport_bpf *d = ghostport_bpf__open_opts(&oo);
	struct ghostport_bpf *main_skel = b->skel;
	struct bpf_map *m, *dm;
	int ret;

	if (!d) {
		snprintf(err, errlen, "opening the BPF object failed: %s",
			 strerror(errno));
		return -errno;
	}
	bpf_object__for_each_map(m, main_skel->obj) {
		dm = bpf_object__find_map_by_name(d->obj, bpf_map__name(m));
		if (!dm || bpf_map__reuse_fd(dm, bpf_map__fd(m))) {
			snprintf(err, errlen, "sharing map %s failed",
				 bpf_map__name(m));
			ghostport_bpf__destroy(d);
			return -EINVAL;
		}
	}
	b->skel = d;
	ret = gp_bpf_load(b, 0, deny, err, errlen);
	b->skel = main_skel;
	if (ret) {
		ghostport_bpf__destroy(d);
		return ret;
	}
	ghostport_bpf__destroy(b->deny_skel);
	b->deny_skel = d;
	b->deny_loaded = deny;
	return 0;
}

/*
 * At start, while the daemon still has all its capabilities: load the deny
 * programs a later `ghostport enforce on` would attach.  Loading needs more
 * than attaching: libbpf resolves the object's weak kfunc (bpf_rdonly_cast)
 * by walking the module BTFs when vmlinux lacks it (6.1), which needs
 * CAP_SYS_ADMIN, dropped once running; and the verifier's verdict is known
 * now rather than at the moment enforcement is wanted.  The LSM where it is
 * active and loads, else the cgroup hooks (nothing to load when they are
 * the audit programs already).  Failure is not fatal: the switch tries
 * again and says why.
 */
void gp_bpf_prepare_deny(struct bpf_src *b, int audit,
			 const struct gp_source_opts *o)
{
	struct gp_source_opts eo = *o;
	char err[256];
	int deny;

	eo.conf_flags |= GP_CONF_ENFORCE;
	b->deny_why[0] = '\0';
	if (o->deny_with == GP_DENY_LSM) {
		deny = GP_SRC_LSM;
	} else if (o->deny_with == GP_DENY_CGROUP) {
		deny = GP_SRC_CGROUP;
	} else if (lsm_listed(b->deny_why, sizeof(b->deny_why))) {
		deny = GP_SRC_CGROUP;
	} else {
		/* The LSM itself, not a throw-away trial load first. */
		if (!load_deny_object(b, GP_SRC_LSM, &eo, err, sizeof(err)))
			return;
		snprintf(b->deny_why, sizeof(b->deny_why),
			 "the kernel refuses to load the BPF LSM program: %s", err);
		deny = GP_SRC_CGROUP;
	}
	if (deny == GP_SRC_CGROUP && audit == GP_SRC_CGROUP) {
		b->deny_loaded = deny;
		return;
	}
	if (load_deny_object(b, deny, &eo, err, sizeof(err)))
		fprintf(stderr,
			"ghostport: deny programs not loaded at start (%s); `ghostport enforce on` will try again\n",
			err);
}

/* Attach the deny programs of the second object. */
static int attach_deny_object(struct bpf_src *b, int deny,
			      const struct gp_source_opts *o, char *err,
			      size_t errlen)
{
	struct ghostport_bpf *main_skel = b->skel;
	int ret;

	b->skel = b->deny_skel;
	ret = gp_bpf_attach(b, 0, deny, o, err, errlen);
	b->skel = main_skel;
	return ret;
}

int gp_bpf_add_deny_programs(struct bpf_src *b, int deny,
			     const struct gp_source_opts *o, char *err,
			     size_t errlen)
{
	int ret = 0;

	if (!b->deny_skel || b->deny_loaded != deny)
		ret = load_deny_object(b, deny, o, err, errlen);
	if (!ret)
		ret = attach_deny_object(b, deny, o, err, errlen);
	return ret;
}

void gp_bpf_detach_links(struct bpf_src *b)
{
	while (b->nlinks > 0)
		bpf_link__destroy(b->links[--b->nlinks]);
}

/* Close our handles but leave pinned links attached through their pins. */
void gp_bpf_release_links(struct bpf_src *b)
{
	while (b->nlinks > 0) {
		struct bpf_link *l = b->links[--b->nlinks];

		bpf_link__disconnect(l);
		bpf_link__destroy(l);
	}
}
